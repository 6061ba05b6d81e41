-- +goose Up
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role            TEXT NOT NULL CHECK (role IN ('ADMIN', 'LEAD', 'PRODUCT_TEAM', 'ANALYST')),
    lead_id         INTEGER REFERENCES leads (id) ON DELETE CASCADE,
    product_team_id INTEGER REFERENCES product_teams (id) ON DELETE CASCADE,
    -- SHA-256 of the secret; the secret itself is never stored.
    hash            TEXT NOT NULL CHECK (length(hash) = 64),
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP,
    revoked_at      TIMESTAMP,
    last_used_at    TIMESTAMP,
    CONSTRAINT api_tokens_hash_key UNIQUE (hash),
    CHECK ((role = 'LEAD') = (lead_id IS NOT NULL)),
    CHECK ((role = 'PRODUCT_TEAM') = (product_team_id IS NOT NULL))
);

-- +goose Down
DROP TABLE api_tokens;

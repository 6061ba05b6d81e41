-- +goose Up
CREATE TABLE escalations (
    id                INTEGER PRIMARY KEY,
    member_id         INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    expertise_id      INTEGER NOT NULL REFERENCES expertises (id),
    lead_id           INTEGER NOT NULL REFERENCES leads (id),
    contact_id        INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    product_team_id   INTEGER REFERENCES product_teams (id) ON DELETE SET NULL,
    title             TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    body              TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    answer            TEXT,
    status            TEXT NOT NULL CHECK (status IN ('OPEN', 'ESCALATED', 'ANSWERED', 'CLOSED')),
    created_at        TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    answered_at       TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL,
    CHECK ((status = 'ESCALATED') <= (contact_id IS NOT NULL))
);
CREATE INDEX escalations_lead_idx ON escalations (lead_id, status);
CREATE INDEX escalations_team_idx ON escalations (product_team_id, status);

-- Every move, with who made it and when.
CREATE TABLE escalation_events (
    id             INTEGER PRIMARY KEY,
    escalation_id  INTEGER NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
    action         TEXT NOT NULL CHECK (action IN ('RAISE', 'ESCALATE', 'ANSWER', 'CLOSE', 'REOPEN')),
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    actor_token_id INTEGER,
    contact_id     INTEGER,
    at             TIMESTAMP NOT NULL
);
CREATE INDEX escalation_events_escalation_idx ON escalation_events (escalation_id, id);

-- +goose Down
DROP TABLE escalation_events;
DROP TABLE escalations;

-- +goose Up
CREATE TABLE social_accounts (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    platform       TEXT NOT NULL CHECK (platform IN ('TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG')),
    handle         TEXT NOT NULL CHECK (length(handle) BETWEEN 1 AND 2048),
    url            TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'NOT_FOUND', 'SUSPENDED', 'FROZEN', 'ERROR')),
    -- The newest reading, kept here so that lists and rankings need no
    -- search of the history.
    followers      BIGINT,
    following      BIGINT,
    posts          BIGINT,
    views          BIGINT,
    engagement     REAL,
    last_post_at   TIMESTAMP,
    last_synced_at TIMESTAMP,
    last_error     TEXT,
    failures       INTEGER NOT NULL DEFAULT 0,
    -- A sync round's lease: while it runs, no other round takes the account.
    claimed_until  TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    CONSTRAINT social_accounts_platform_handle_key UNIQUE (platform, handle)
);
CREATE INDEX social_accounts_member_idx ON social_accounts (member_id);
CREATE INDEX social_accounts_due_idx ON social_accounts (platform, last_synced_at);

-- One snapshot per account and day: a repeated sync updates it.
CREATE TABLE reach_snapshots (
    account_id   INTEGER NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
    day          TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    captured_at  TIMESTAMP NOT NULL,
    followers    BIGINT,
    following    BIGINT,
    posts        BIGINT,
    views        BIGINT,
    engagement   REAL,
    last_post_at TIMESTAMP,
    PRIMARY KEY (account_id, day)
);

-- What each platform's API last said, shared by every worker process.
CREATE TABLE platform_states (
    platform        TEXT PRIMARY KEY,
    quota_limit     INTEGER,
    quota_remaining INTEGER,
    quota_reset     TIMESTAMP,
    -- Requests granted close to the reset, which may reach the API in the
    -- next window and so count against it.
    late_grants     INTEGER NOT NULL DEFAULT 0,
    paused_until    TIMESTAMP,
    last_run_at     TIMESTAMP,
    last_error      TEXT,
    updated_at      TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE platform_states;
DROP TABLE reach_snapshots;
DROP TABLE social_accounts;

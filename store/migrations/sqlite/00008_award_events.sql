-- +goose Up
-- Every change of an award's standing, with who made it and when.
CREATE TABLE award_events (
    id             INTEGER PRIMARY KEY,
    award_id       INTEGER NOT NULL REFERENCES awards (id) ON DELETE CASCADE,
    action         TEXT NOT NULL CHECK (action IN ('AWARD', 'RENEW', 'RETIRE')),
    status         TEXT NOT NULL CHECK (status IN ('ACTIVE', 'ALUMNI', 'RETIRED')),
    actor_name     TEXT NOT NULL,
    actor_token_id INTEGER,
    at             TIMESTAMP NOT NULL
);
CREATE INDEX award_events_award_idx ON award_events (award_id, id);
-- Awards given before events were recorded: given when created, by
-- someone not recorded.
INSERT INTO award_events (award_id, action, status, actor_name, at)
SELECT id, 'AWARD', status, '(not recorded)', created_at FROM awards;

-- +goose Down
DROP TABLE award_events;

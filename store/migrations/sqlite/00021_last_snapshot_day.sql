-- +goose Up
-- The day of each account's newest snapshot (YYYY-MM-DD), NULL when it has
-- none or it is not known. A sync that stores a snapshot sets it, and a
-- program load sets it from the snapshots it stores; nothing stores a
-- snapshot after it. A growth ranking skips the search for the first
-- snapshot after the window's first day for an account whose newest is no
-- later than that day.
ALTER TABLE social_accounts ADD COLUMN last_snapshot_day TEXT;
UPDATE social_accounts SET last_snapshot_day = (SELECT max(r.day) FROM reach_snapshots r WHERE r.account_id = social_accounts.id);

-- +goose Down
ALTER TABLE social_accounts DROP COLUMN last_snapshot_day;

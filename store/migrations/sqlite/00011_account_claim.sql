-- +goose Up
-- Which claim holds an account: each round's (or refresh's) claim has an ID
-- that its batches carry, so that a batch syncs only the accounts its own
-- claim still holds, never those a newer round has taken since.
ALTER TABLE social_accounts ADD COLUMN claim_id TEXT;

-- +goose Down
ALTER TABLE social_accounts DROP COLUMN claim_id;

-- +goose Up
-- Who imported each activity: the token's name (and ID), or the feed or
-- Stack Exchange tag it was read from. Null for activity loaded with a
-- program or imported before this was recorded.
ALTER TABLE activities ADD COLUMN imported_by TEXT;
ALTER TABLE activities ADD COLUMN imported_by_token_id BIGINT;

-- +goose Down
ALTER TABLE activities DROP COLUMN imported_by_token_id;
ALTER TABLE activities DROP COLUMN imported_by;

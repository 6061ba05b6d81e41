-- +goose Up
-- A space with a feed (a forum's, a newsgroup gateway's, a blog's) is read
-- on a schedule: ingested_at is when a round last queued it, ingested_until
-- the newest item read so far.
ALTER TABLE community_spaces ADD COLUMN feed_url TEXT;
-- Or a Stack Exchange tag, site:tag, whose questions and answers are read.
ALTER TABLE community_spaces ADD COLUMN stack_exchange_tag TEXT;
ALTER TABLE community_spaces ADD COLUMN ingested_at TIMESTAMPTZ;
ALTER TABLE community_spaces ADD COLUMN ingested_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE community_spaces DROP COLUMN ingested_until;
ALTER TABLE community_spaces DROP COLUMN ingested_at;
ALTER TABLE community_spaces DROP COLUMN stack_exchange_tag;
ALTER TABLE community_spaces DROP COLUMN feed_url;

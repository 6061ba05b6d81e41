-- +goose Up
-- A contributor's profile page, as the space gave it (a Stack Exchange
-- user page, a feed author's address, an import's contributor_url), and
-- the same folded for comparison (mvpgraph.ProfileKey): two people giving
-- one page are suggested as one.
ALTER TABLE contributors ADD COLUMN profile_url TEXT CHECK (length(profile_url) BETWEEN 1 AND 2048);
ALTER TABLE contributors ADD COLUMN profile_key TEXT;
CREATE INDEX contributors_profile_key_idx ON contributors (profile_key);

-- +goose Down
DROP INDEX contributors_profile_key_idx;
ALTER TABLE contributors DROP COLUMN profile_key;
ALTER TABLE contributors DROP COLUMN profile_url;

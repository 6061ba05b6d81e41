-- +goose Up
-- Bluesky joins the platforms. The new check is added NOT VALID and then
-- validated, so that the scan of existing rows takes no lock that stops
-- reads and writes.
ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_platform_check;
ALTER TABLE social_accounts ADD CONSTRAINT social_accounts_platform_check
    CHECK (platform IN ('TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'BLUESKY', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG')) NOT VALID;
ALTER TABLE social_accounts VALIDATE CONSTRAINT social_accounts_platform_check;

-- +goose Down
-- Refused, by the check, while Bluesky accounts remain: unlink them first.
ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_platform_check;
ALTER TABLE social_accounts ADD CONSTRAINT social_accounts_platform_check
    CHECK (platform IN ('TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG'));

-- +goose Up
-- Case-insensitive name patterns (_ilike) compare lower(name) with the
-- lowered pattern; this index answers those with a fixed prefix, such as
-- "a%", without reading every member, whatever the database's collation.
CREATE INDEX members_name_lower_idx ON members (lower(name) text_pattern_ops);

-- +goose Down
DROP INDEX members_name_lower_idx;

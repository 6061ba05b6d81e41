-- +goose Up
-- A snapshot's day as a DATE: 4 bytes in the row and in the key instead of
-- the 11 of its YYYY-MM-DD text, about an eighth of each snapshot with its
-- index entry. At 1,000,000 members with a year of daily reach (470 million
-- snapshots) that is 7 GB. The text's format check is the type's own now.
ALTER TABLE reach_snapshots
    DROP CONSTRAINT reach_snapshots_day_check,
    ALTER COLUMN day TYPE DATE USING day::date;

-- +goose Down
ALTER TABLE reach_snapshots
    ALTER COLUMN day TYPE TEXT USING to_char(day, 'YYYY-MM-DD'),
    ADD CONSTRAINT reach_snapshots_day_check CHECK (day ~ '^\d{4}-\d{2}-\d{2}$');

-- +goose Up
-- Each space's activity per day (the day of occurred_at in UTC,
-- YYYY-MM-DD), as activity_months holds it per month: items, distinct
-- contributors, items with a score, and the sum, least and most of the
-- scores. Kept exact by the same imports and bulk loads; activityStats
-- grouped by space and day answers from it. The store fills it after
-- migrating.
CREATE TABLE activity_days (
    space_id     INTEGER NOT NULL REFERENCES community_spaces (id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    items        INTEGER NOT NULL,
    contributors INTEGER NOT NULL,
    scored       INTEGER NOT NULL,
    score_sum    REAL,
    score_min    REAL,
    score_max    REAL,
    PRIMARY KEY (space_id, day)
);

-- +goose Down
DROP TABLE activity_days;

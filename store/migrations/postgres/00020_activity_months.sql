-- +goose Up
-- Each space's activity per month (the month of occurred_at in UTC,
-- YYYY-MM): items, distinct contributors, items with a score, and the
-- sum, least and most of the scores, each bounded as activityStats bounds
-- it. Kept exact by the imports, which count again the months they add
-- to, and by bulk loads; activityStats grouped by space and month answers
-- from it. The store fills it after migrating.
CREATE TABLE activity_months (
    space_id     BIGINT NOT NULL REFERENCES community_spaces (id) ON DELETE CASCADE,
    month        TEXT NOT NULL,
    items        BIGINT NOT NULL,
    contributors BIGINT NOT NULL,
    scored       BIGINT NOT NULL,
    score_sum    DOUBLE PRECISION,
    score_min    DOUBLE PRECISION,
    score_max    DOUBLE PRECISION,
    PRIMARY KEY (space_id, month)
);

-- +goose Down
DROP TABLE activity_months;

-- +goose Up
-- Members, MVPs and awards counted per country (grain C), per country and
-- expertise category (CC) and per country and expertise (CE), kept exact
-- by the transactions that change members and awards, so that
-- programStats answers the questions grouped and filtered by them without
-- reading every member. A member without awards counts in the cells of no
-- category and no expertise. cell is the key: the grain and its values
-- joined by '|'. The store fills it from the base tables after migrating.
-- Changes are added to the counts as differences (an upsert whose proposed
-- row may be negative), so the counts carry no CHECK of their own; the
-- store's SummaryCheck compares them with the base tables.
CREATE TABLE program_summary (
    cell         TEXT PRIMARY KEY,
    grain        TEXT NOT NULL CHECK (grain IN ('C', 'CC', 'CE')),
    country      TEXT NOT NULL,
    category     TEXT,
    expertise_id BIGINT,
    members      BIGINT NOT NULL DEFAULT 0,
    mvps         BIGINT NOT NULL DEFAULT 0,
    awards       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX program_summary_grain_idx ON program_summary (grain, country);

-- +goose Down
DROP TABLE program_summary;

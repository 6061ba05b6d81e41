-- +goose Up
-- Months thinned to a snapshot a week by the retention setting.
CREATE TABLE history_thinned (
    month      TEXT PRIMARY KEY,
    thinned_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE history_thinned;

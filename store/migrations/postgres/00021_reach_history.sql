-- +goose Up
-- Reach history partitioned by month. The snapshots of a month lie in a
-- table of their own, so that keeping less history drops whole months,
-- and a BRIN index on the day finds one day's snapshots, which a daily
-- sync writes together, without a page for each account. The index sums
-- up each range of 8 pages as soon as it is full (autosummarize), so a
-- day just written is found by it before a vacuum.
--
-- Today's reach_snapshots keeps serving until every row is in
-- reach_history: the store moves them in batches, each its own short
-- transaction, recording in history_move how far it got, so that a move
-- stopped midway resumes there (store.MoveHistory). Meanwhile a trigger
-- copies each write of reach_snapshots to reach_history. When all rows are
-- moved, one short transaction drops the old table and gives the new one
-- its name. The month partitions are made by the store as it needs them;
-- a row of a month without one waits in the default partition.
CREATE TABLE reach_history (
    account_id   BIGINT NOT NULL,
    day          DATE NOT NULL,
    captured_at  TIMESTAMPTZ NOT NULL,
    followers    BIGINT,
    following    BIGINT,
    posts        BIGINT,
    views        BIGINT,
    engagement   DOUBLE PRECISION,
    last_post_at TIMESTAMPTZ,
    CONSTRAINT reach_history_pkey PRIMARY KEY (account_id, day),
    CONSTRAINT reach_history_account_id_fkey FOREIGN KEY (account_id) REFERENCES social_accounts (id) ON DELETE CASCADE
) PARTITION BY RANGE (day);
CREATE INDEX reach_snapshots_day_brin ON reach_history USING brin (day) WITH (pages_per_range = 8, autosummarize = on);
CREATE TABLE reach_snapshots_default PARTITION OF reach_history DEFAULT;

-- The move's progress: the last key moved, and how many rows so far.
CREATE TABLE history_move (
    one_row       BOOLEAN PRIMARY KEY DEFAULT true CHECK (one_row),
    after_account BIGINT NOT NULL DEFAULT -9223372036854775808,
    after_day     DATE NOT NULL DEFAULT '-infinity',
    moved         BIGINT NOT NULL DEFAULT 0,
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ
);
INSERT INTO history_move DEFAULT VALUES;

-- +goose StatementBegin
CREATE FUNCTION reach_history_mirror() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM reach_history WHERE account_id = OLD.account_id AND day = OLD.day;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO reach_history VALUES (NEW.*) ON CONFLICT (account_id, day) DO UPDATE SET
            captured_at = excluded.captured_at, followers = excluded.followers, following = excluded.following,
            posts = excluded.posts, views = excluded.views, engagement = excluded.engagement,
            last_post_at = excluded.last_post_at;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER reach_snapshots_mirror AFTER INSERT OR UPDATE OR DELETE ON reach_snapshots
    FOR EACH ROW EXECUTE FUNCTION reach_history_mirror();

-- Months thinned to a snapshot a week by the retention setting.
CREATE TABLE history_thinned (
    month      DATE PRIMARY KEY,
    thinned_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE history_thinned;
-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT finished_at IS NULL FROM history_move) THEN
        DROP TRIGGER reach_snapshots_mirror ON reach_snapshots;
        DROP FUNCTION reach_history_mirror();
        DROP TABLE reach_history;
    ELSE
        ALTER TABLE reach_snapshots RENAME TO reach_history;
        CREATE TABLE reach_snapshots (
            account_id   BIGINT NOT NULL REFERENCES social_accounts (id) ON DELETE CASCADE,
            day          DATE NOT NULL,
            captured_at  TIMESTAMPTZ NOT NULL,
            followers    BIGINT,
            following    BIGINT,
            posts        BIGINT,
            views        BIGINT,
            engagement   DOUBLE PRECISION,
            last_post_at TIMESTAMPTZ
        );
        INSERT INTO reach_snapshots SELECT * FROM reach_history;
        DROP TABLE reach_history;
        ALTER TABLE reach_snapshots ADD CONSTRAINT reach_snapshots_pkey PRIMARY KEY (account_id, day);
    END IF;
END $$;
-- +goose StatementEnd
DROP TABLE history_move;

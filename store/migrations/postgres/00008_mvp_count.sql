-- +goose Up
-- How many MVPs (members with an active award) the program has, kept by
-- triggers on awards: the MVP list's totalCount reads this row instead of
-- counting the active awards of the whole program (half a second at
-- 1,000,000 members).
CREATE TABLE program_counts (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    mvps BIGINT NOT NULL CHECK (mvps >= 0)
);
INSERT INTO program_counts (id, mvps)
SELECT 1, COUNT(DISTINCT member_id) FROM awards WHERE status = 'ACTIVE';

-- Statement-level, with the statement's old and new rows, so that one
-- statement changing several awards of a member (an employee's awards
-- retired together) counts the member once: the change is, over the
-- members touched, MVPs after the statement less MVPs before it. Before
-- is now without the statement's new rows and with its old ones. Writers
-- take turns on the counter's row, and each then sees the awards the
-- others committed.
-- +goose StatementBegin
CREATE FUNCTION mvps_among(touched BIGINT[]) RETURNS BIGINT AS $$
    SELECT COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM awards a WHERE a.member_id = t.id AND a.status = 'ACTIVE') THEN 1 ELSE 0 END), 0)
    FROM unnest(touched) AS t(id)
$$ LANGUAGE sql STABLE;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION awards_count_mvps() RETURNS trigger AS $$
DECLARE
    touched BIGINT[];
    after_n BIGINT;
    before_n BIGINT;
BEGIN
    PERFORM 1 FROM program_counts WHERE id = 1 FOR UPDATE;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT member_id) INTO touched FROM new_rows;
        SELECT COUNT(*) INTO before_n FROM unnest(touched) AS t(id)
        WHERE EXISTS (SELECT 1 FROM awards a WHERE a.member_id = t.id AND a.status = 'ACTIVE'
                      AND a.id NOT IN (SELECT id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT member_id) INTO touched FROM old_rows;
        SELECT COUNT(*) INTO before_n FROM unnest(touched) AS t(id)
        WHERE EXISTS (SELECT 1 FROM awards a WHERE a.member_id = t.id AND a.status = 'ACTIVE')
           OR EXISTS (SELECT 1 FROM old_rows o WHERE o.member_id = t.id AND o.status = 'ACTIVE');
    ELSE
        SELECT array_agg(DISTINCT member_id) INTO touched
        FROM (SELECT member_id FROM old_rows UNION SELECT member_id FROM new_rows) m;
        SELECT COUNT(*) INTO before_n FROM unnest(touched) AS t(id)
        WHERE EXISTS (SELECT 1 FROM awards a WHERE a.member_id = t.id AND a.status = 'ACTIVE'
                      AND a.id NOT IN (SELECT id FROM new_rows))
           OR EXISTS (SELECT 1 FROM old_rows o WHERE o.member_id = t.id AND o.status = 'ACTIVE');
    END IF;
    IF touched IS NULL THEN
        RETURN NULL;
    END IF;
    after_n := mvps_among(touched);
    UPDATE program_counts SET mvps = mvps + after_n - before_n WHERE id = 1 AND after_n <> before_n;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd

CREATE TRIGGER awards_count_mvps_insert AFTER INSERT ON awards
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION awards_count_mvps();
CREATE TRIGGER awards_count_mvps_update AFTER UPDATE ON awards
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION awards_count_mvps();
CREATE TRIGGER awards_count_mvps_delete AFTER DELETE ON awards
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION awards_count_mvps();

-- +goose Down
DROP TRIGGER awards_count_mvps_delete ON awards;
DROP TRIGGER awards_count_mvps_update ON awards;
DROP TRIGGER awards_count_mvps_insert ON awards;
DROP FUNCTION awards_count_mvps;
DROP FUNCTION mvps_among;
DROP TABLE program_counts;

-- +goose Up
-- How many MVPs (members with an active award) the program has, kept by
-- triggers on awards: the MVP list's totalCount reads this row instead of
-- counting the active awards of the whole program.
CREATE TABLE program_counts (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    mvps INTEGER NOT NULL CHECK (mvps >= 0)
);
INSERT INTO program_counts (id, mvps)
SELECT 1, COUNT(DISTINCT member_id) FROM awards WHERE status = 'ACTIVE';

-- SQLite runs a row trigger as each row changes, so each sees the awards
-- as they are at that row. An update is its old row leaving and its new
-- row arriving.
-- +goose StatementBegin
CREATE TRIGGER awards_count_mvps_insert AFTER INSERT ON awards
WHEN NEW.status = 'ACTIVE'
 AND NOT EXISTS (SELECT 1 FROM awards WHERE member_id = NEW.member_id AND status = 'ACTIVE' AND id <> NEW.id)
BEGIN
    UPDATE program_counts SET mvps = mvps + 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER awards_count_mvps_delete AFTER DELETE ON awards
WHEN OLD.status = 'ACTIVE'
 AND NOT EXISTS (SELECT 1 FROM awards WHERE member_id = OLD.member_id AND status = 'ACTIVE')
BEGIN
    UPDATE program_counts SET mvps = mvps - 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER awards_count_mvps_update_old AFTER UPDATE OF status, member_id ON awards
WHEN OLD.status = 'ACTIVE' AND NOT (NEW.status = 'ACTIVE' AND NEW.member_id = OLD.member_id)
 AND NOT EXISTS (SELECT 1 FROM awards WHERE member_id = OLD.member_id AND status = 'ACTIVE')
BEGIN
    UPDATE program_counts SET mvps = mvps - 1 WHERE id = 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER awards_count_mvps_update_new AFTER UPDATE OF status, member_id ON awards
WHEN NEW.status = 'ACTIVE' AND NOT (OLD.status = 'ACTIVE' AND OLD.member_id = NEW.member_id)
 AND NOT EXISTS (SELECT 1 FROM awards WHERE member_id = NEW.member_id AND status = 'ACTIVE' AND id <> NEW.id)
BEGIN
    UPDATE program_counts SET mvps = mvps + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER awards_count_mvps_update_new;
DROP TRIGGER awards_count_mvps_update_old;
DROP TRIGGER awards_count_mvps_delete;
DROP TRIGGER awards_count_mvps_insert;
DROP TABLE program_counts;

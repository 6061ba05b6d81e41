-- +goose Up
-- (SQLite cannot drop a column that is in a foreign key, so reply_to_id's
-- reference is the store's to keep here.)
-- An answer names the question it replies to by the question's external ID
-- in the same space (in_reply_to); reply_to_id links it once the question
-- is stored, whichever came first. accepted marks an answer the asker
-- accepted.
ALTER TABLE activities ADD COLUMN in_reply_to TEXT CHECK (length(in_reply_to) BETWEEN 1 AND 200);
ALTER TABLE activities ADD COLUMN reply_to_id INTEGER;
ALTER TABLE activities ADD COLUMN accepted BOOLEAN NOT NULL DEFAULT FALSE CHECK (accepted IN (0, 1));
-- A question's first answer, when it came, and whether an answer was
-- accepted: kept as answers are linked, so that the needs-met figures read
-- the questions alone.
ALTER TABLE activities ADD COLUMN first_answer_id INTEGER;
ALTER TABLE activities ADD COLUMN first_answer_at TIMESTAMP;
ALTER TABLE activities ADD COLUMN answer_accepted BOOLEAN NOT NULL DEFAULT FALSE CHECK (answer_accepted IN (0, 1));
CREATE INDEX activities_reply_idx ON activities (reply_to_id);
CREATE INDEX activities_unlinked_idx ON activities (space_id, in_reply_to) WHERE in_reply_to IS NOT NULL AND reply_to_id IS NULL;
CREATE INDEX activities_questions_idx ON activities (space_id, occurred_at) WHERE kind = 'QUESTION';
CREATE INDEX activities_first_answer_idx ON activities (first_answer_id) WHERE first_answer_id IS NOT NULL;

-- +goose Down
DROP INDEX activities_first_answer_idx;
DROP INDEX activities_questions_idx;
DROP INDEX activities_unlinked_idx;
DROP INDEX activities_reply_idx;
ALTER TABLE activities DROP COLUMN answer_accepted;
ALTER TABLE activities DROP COLUMN first_answer_at;
ALTER TABLE activities DROP COLUMN first_answer_id;
ALTER TABLE activities DROP COLUMN accepted;
ALTER TABLE activities DROP COLUMN reply_to_id;
ALTER TABLE activities DROP COLUMN in_reply_to;

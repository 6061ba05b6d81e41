-- +goose Up
-- A space's site: spaces on one site (several Stack Overflow tags, one
-- forum's boards) share accounts, so one handle there is one account. ''
-- when the space is a site of its own. platform is the social platform the
-- site is, when it is one, so that a handle there can be a member's account.
ALTER TABLE community_spaces ADD COLUMN site TEXT;
ALTER TABLE community_spaces ADD COLUMN platform TEXT;

-- A person: the identities (contributors) that are one human. Identities
-- that are certainly one person are joined by the rules; others by a merge
-- someone made. A person emptied by a merge stays, merged_into the one that
-- took its identities, so that its ID still leads somewhere and an undo has
-- it to return to.
CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    member_id   INTEGER REFERENCES members (id) ON DELETE SET NULL,
    founder_id  INTEGER,
    merged_into INTEGER REFERENCES people (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX people_member_key ON people (member_id);
CREATE UNIQUE INDEX people_founder_key ON people (founder_id);

-- An identity's person, and the keys the rules and the suggestions match
-- on, computed when the identity is placed: account is the handle as an
-- account of the space's platform; name_key and handle_key are the name and
-- the handle folded for comparison.
-- SQLite cannot drop a column that is in a foreign key, so the reference
-- is the store's to keep here.
ALTER TABLE contributors ADD COLUMN person_id INTEGER;
ALTER TABLE contributors ADD COLUMN account TEXT;
ALTER TABLE contributors ADD COLUMN name_key TEXT;
ALTER TABLE contributors ADD COLUMN handle_key TEXT;
CREATE INDEX contributors_person_idx ON contributors (person_id);
CREATE INDEX contributors_unplaced_idx ON contributors (id) WHERE person_id IS NULL;
CREATE INDEX contributors_name_key_idx ON contributors (name_key);
CREATE INDEX contributors_handle_key_idx ON contributors (handle_key);

-- Every change of who is whom: a merge, a split, an undo, or a join the
-- rules made; who made it, when, and each identity it moved.
CREATE TABLE people_changes (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('MERGE', 'SPLIT', 'UNDO', 'JOIN')),
    person_id      INTEGER NOT NULL REFERENCES people (id),
    reason         TEXT,
    undoes         INTEGER REFERENCES people_changes (id),
    undone_by      INTEGER REFERENCES people_changes (id),
    actor_name     TEXT NOT NULL,
    actor_token_id INTEGER,
    at             TIMESTAMP NOT NULL
);
CREATE INDEX people_changes_person_idx ON people_changes (person_id, id);
CREATE TABLE people_change_moves (
    change_id      INTEGER NOT NULL REFERENCES people_changes (id) ON DELETE CASCADE,
    contributor_id INTEGER NOT NULL REFERENCES contributors (id) ON DELETE CASCADE,
    from_person_id INTEGER NOT NULL REFERENCES people (id),
    to_person_id   INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (change_id, contributor_id)
);
CREATE INDEX people_change_moves_from_idx ON people_change_moves (from_person_id);

-- A suggested pair someone said is two people.
CREATE TABLE person_suggestion_dismissals (
    person_a       INTEGER NOT NULL REFERENCES people (id),
    person_b       INTEGER NOT NULL REFERENCES people (id),
    actor_name     TEXT NOT NULL,
    actor_token_id INTEGER,
    at             TIMESTAMP NOT NULL,
    PRIMARY KEY (person_a, person_b),
    CHECK (person_a < person_b)
);

-- A person put forward for an award of an expertise, by a lead or an
-- admin, routed to the lead of the person's country by the lead rule.
CREATE TABLE nominations (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    expertise_id INTEGER NOT NULL REFERENCES expertises (id),
    lead_id      INTEGER NOT NULL REFERENCES leads (id),
    country      TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),
    reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
    status       TEXT NOT NULL CHECK (status IN ('NOMINATED', 'UNDER_REVIEW', 'AWARDED', 'DECLINED', 'WITHDRAWN')),
    member_id    INTEGER REFERENCES members (id) ON DELETE SET NULL,
    award_id     INTEGER REFERENCES awards (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    decided_at   TIMESTAMP
);
-- One open nomination per person and expertise.
CREATE UNIQUE INDEX nominations_open_key ON nominations (person_id, expertise_id) WHERE status IN ('NOMINATED', 'UNDER_REVIEW');
CREATE INDEX nominations_lead_idx ON nominations (lead_id, status);
CREATE INDEX nominations_expertise_idx ON nominations (expertise_id, status);
CREATE INDEX nominations_person_idx ON nominations (person_id);
CREATE TABLE nomination_events (
    id             INTEGER PRIMARY KEY,
    nomination_id  INTEGER NOT NULL REFERENCES nominations (id) ON DELETE CASCADE,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    note           TEXT,
    actor_name     TEXT NOT NULL,
    actor_token_id INTEGER,
    at             TIMESTAMP NOT NULL
);
CREATE INDEX nomination_events_nomination_idx ON nomination_events (nomination_id, id);

-- +goose Down
DROP TABLE nomination_events;
DROP TABLE nominations;
DROP TABLE person_suggestion_dismissals;
DROP TABLE people_change_moves;
DROP TABLE people_changes;
DROP INDEX contributors_handle_key_idx;
DROP INDEX contributors_name_key_idx;
DROP INDEX contributors_unplaced_idx;
DROP INDEX contributors_person_idx;
ALTER TABLE contributors DROP COLUMN handle_key;
ALTER TABLE contributors DROP COLUMN name_key;
ALTER TABLE contributors DROP COLUMN account;
ALTER TABLE contributors DROP COLUMN person_id;
DROP TABLE people;
ALTER TABLE community_spaces DROP COLUMN platform;
ALTER TABLE community_spaces DROP COLUMN site;

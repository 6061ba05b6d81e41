-- +goose Up
CREATE TABLE community_spaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind       TEXT NOT NULL CHECK (kind IN ('USER_GROUP', 'FORUM', 'NEWSGROUP', 'QNA', 'BLOG', 'VIDEO', 'SOCIAL', 'EVENT')),
    url        TEXT,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT community_spaces_name_key UNIQUE (name)
);

CREATE TABLE space_expertises (
    space_id     INTEGER NOT NULL REFERENCES community_spaces (id) ON DELETE CASCADE,
    expertise_id INTEGER NOT NULL REFERENCES expertises (id) ON DELETE CASCADE,
    PRIMARY KEY (space_id, expertise_id)
);
CREATE INDEX space_expertises_expertise_idx ON space_expertises (expertise_id);

-- Anyone seen in a space, by the handle used there; linked to a member
-- when known.
CREATE TABLE contributors (
    id        INTEGER PRIMARY KEY,
    space_id  INTEGER NOT NULL REFERENCES community_spaces (id) ON DELETE CASCADE,
    handle    TEXT NOT NULL CHECK (length(handle) BETWEEN 1 AND 200),
    name      TEXT NOT NULL,
    member_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
    CONSTRAINT contributors_space_handle_key UNIQUE (space_id, handle)
);
CREATE INDEX contributors_member_idx ON contributors (member_id);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    space_id       INTEGER NOT NULL REFERENCES community_spaces (id) ON DELETE CASCADE,
    external_id    TEXT NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    contributor_id INTEGER NOT NULL REFERENCES contributors (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('ANSWER', 'QUESTION', 'ARTICLE', 'POST', 'TALK', 'VIDEO', 'EVENT')),
    occurred_at    TIMESTAMP NOT NULL,
    url            TEXT,
    title          TEXT,
    score          REAL,
    created_at     TIMESTAMP NOT NULL,
    -- Imports are idempotent: the same item of a space is stored once.
    CONSTRAINT activities_space_external_key UNIQUE (space_id, external_id)
);
CREATE INDEX activities_space_time_idx ON activities (space_id, occurred_at);
CREATE INDEX activities_contributor_idx ON activities (contributor_id);

-- +goose Down
DROP TABLE activities;
DROP TABLE contributors;
DROP TABLE space_expertises;
DROP TABLE community_spaces;

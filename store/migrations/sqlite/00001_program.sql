-- +goose Up
CREATE TABLE product_teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT product_teams_name_key UNIQUE (name)
);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    product_team_id INTEGER NOT NULL REFERENCES product_teams (id) ON DELETE CASCADE,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email           TEXT NOT NULL CHECK (email LIKE '%_@_%'),
    role            TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 200),
    CONSTRAINT contacts_team_email_key UNIQUE (product_team_id, email)
);

CREATE TABLE expertises (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category        TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 200),
    product_team_id INTEGER REFERENCES product_teams (id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    CONSTRAINT expertises_name_key UNIQUE (name)
);
CREATE INDEX expertises_product_team_idx ON expertises (product_team_id);
CREATE INDEX expertises_category_idx ON expertises (category);

CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    handle      TEXT NOT NULL CHECK (length(handle) BETWEEN 1 AND 40 AND handle = lower(handle) AND handle NOT GLOB '*[^a-z0-9._-]*' AND substr(handle, 1, 1) GLOB '[a-z0-9]' AND substr(handle, -1, 1) GLOB '[a-z0-9]'),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email       TEXT CHECK (email LIKE '%_@_%'),
    country     TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),
    city        TEXT,
    bio         TEXT,
    employer    TEXT,
    is_employee BOOLEAN NOT NULL DEFAULT FALSE CHECK (is_employee IN (0, 1)),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    CONSTRAINT members_handle_key UNIQUE (handle)
);
CREATE INDEX members_country_idx ON members (country);
CREATE INDEX members_name_idx ON members (name);

CREATE TABLE awards (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    expertise_id INTEGER NOT NULL REFERENCES expertises (id),
    year         INTEGER NOT NULL CHECK (year BETWEEN 1993 AND 2100),
    status       TEXT NOT NULL CHECK (status IN ('ACTIVE', 'ALUMNI', 'RETIRED')),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CONSTRAINT awards_member_expertise_year_key UNIQUE (member_id, expertise_id, year)
);
CREATE UNIQUE INDEX awards_one_active_idx ON awards (member_id, expertise_id) WHERE status = 'ACTIVE';
CREATE INDEX awards_expertise_idx ON awards (expertise_id, status);
CREATE INDEX awards_active_member_idx ON awards (member_id) WHERE status = 'ACTIVE';

CREATE TABLE leads (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email      TEXT NOT NULL CHECK (email LIKE '%_@_%'),
    kind       TEXT NOT NULL CHECK (kind IN ('US', 'INTERNATIONAL')),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT leads_email_key UNIQUE (email),
    CONSTRAINT leads_id_kind_key UNIQUE (id, kind)
);

-- The primary keys make one owner per expertise and per country; the
-- composite foreign keys make the owner a lead of the right kind.
CREATE TABLE lead_expertises (
    expertise_id INTEGER PRIMARY KEY REFERENCES expertises (id) ON DELETE CASCADE,
    lead_id      INTEGER NOT NULL,
    lead_kind    TEXT NOT NULL DEFAULT 'US' CHECK (lead_kind = 'US'),
    FOREIGN KEY (lead_id, lead_kind) REFERENCES leads (id, kind) ON DELETE CASCADE
);
CREATE INDEX lead_expertises_lead_idx ON lead_expertises (lead_id);

CREATE TABLE lead_countries (
    country   TEXT PRIMARY KEY CHECK (country GLOB '[A-Z][A-Z]' AND country <> 'US'),
    lead_id   INTEGER NOT NULL,
    lead_kind TEXT NOT NULL DEFAULT 'INTERNATIONAL' CHECK (lead_kind = 'INTERNATIONAL'),
    FOREIGN KEY (lead_id, lead_kind) REFERENCES leads (id, kind) ON DELETE CASCADE
);
CREATE INDEX lead_countries_lead_idx ON lead_countries (lead_id);

-- An employee can never hold an active award, whichever path writes it.
-- +goose StatementBegin
CREATE TRIGGER awards_no_employee_insert BEFORE INSERT ON awards
WHEN NEW.status = 'ACTIVE' AND EXISTS (SELECT 1 FROM members WHERE id = NEW.member_id AND is_employee)
BEGIN
    SELECT RAISE(ABORT, 'awards_no_employee: an employee cannot hold an active award');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER awards_no_employee_update BEFORE UPDATE ON awards
WHEN NEW.status = 'ACTIVE' AND EXISTS (SELECT 1 FROM members WHERE id = NEW.member_id AND is_employee)
BEGIN
    SELECT RAISE(ABORT, 'awards_no_employee: an employee cannot hold an active award');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER members_employee_retires AFTER UPDATE OF is_employee ON members
WHEN NEW.is_employee AND NOT OLD.is_employee
BEGIN
    UPDATE awards SET status = 'RETIRED', updated_at = NEW.updated_at
    WHERE member_id = NEW.id AND status = 'ACTIVE';
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE lead_countries;
DROP TABLE lead_expertises;
DROP TABLE leads;
DROP TABLE awards;
DROP TABLE members;
DROP TABLE expertises;
DROP TABLE contacts;
DROP TABLE product_teams;

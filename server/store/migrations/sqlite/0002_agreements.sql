-- Agreements managed in the admin API: behaviour, redirect, data source and
-- template; the text format of each version; the company details templates are
-- filled from.

-- Agreements no longer belong to one channel (any channel may ask for any
-- personal-data agreement), so `channel_id` becomes optional; it stays as the
-- channel an agreement was first created for. SQLite cannot drop NOT NULL in
-- place: the table is rebuilt. Other tables refer to it by name, so it is copied
-- aside, dropped and created again under the same name. The foreign-key checks
-- are deferred to the commit, by which time every referenced row is back.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE agreements_before_0002 AS SELECT * FROM agreements;
DROP TABLE agreements;

CREATE TABLE agreements (
    id           TEXT PRIMARY KEY,
    -- The channel the agreement was created for, if any (see above).
    channel_id   TEXT REFERENCES channels(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('personal_data', 'marketing', 'other')),
    behaviour    TEXT NOT NULL DEFAULT 'required_auto_accepted' CHECK (behaviour IN (
                     'required_auto_accepted', 'required_read_full_text',
                     'optional_auto_accepted', 'optional_unchecked')),
    -- Where the visitor goes after accepting: http(s), or NULL.
    redirect_url TEXT,
    -- 'company': the text is `template` filled from the company details and is
    -- filled again (a new version) when they change. 'manual': written by hand.
    data_source  TEXT NOT NULL DEFAULT 'manual' CHECK (data_source IN ('company', 'manual')),
    template     TEXT CHECK (template IN ('eu_gdpr', 'ru_152fz', 'by_99z', 'kz_94v')),
    created_at   TEXT NOT NULL,
    -- Last settings change; NULL when never changed. Text changes are versions.
    updated_at   TEXT,
    CHECK (data_source = 'manual' OR template IS NOT NULL)
);

INSERT INTO agreements (id, channel_id, name, kind, created_at)
SELECT id, channel_id, name, kind, created_at FROM agreements_before_0002;
DROP TABLE agreements_before_0002;

-- How a version's text is written. HTML is stored sanitised, and `sha256` is of
-- exactly what is stored.
ALTER TABLE agreement_versions
    ADD COLUMN text_format TEXT NOT NULL DEFAULT 'plain' CHECK (text_format IN ('plain', 'html'));

-- The company that processes the data: one row, the input of the templates.
CREATE TABLE company (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    legal_name      TEXT NOT NULL,
    address         TEXT NOT NULL,
    registration_id TEXT,
    contact_email   TEXT NOT NULL,
    -- JSON arrays of strings.
    purposes        TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    -- ISO 3166-1 alpha-2.
    country         TEXT,
    updated_at      TEXT NOT NULL
);

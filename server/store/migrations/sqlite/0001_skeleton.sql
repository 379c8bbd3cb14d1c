-- Canal schema, SQLite. Times are RFC 3339 UTC text written by the server.

-- Server-wide values generated once (e.g. the key visitor tokens are signed with).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE channels (
    id               TEXT PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    title            TEXT NOT NULL,
    greeting         TEXT,
    locale           TEXT,
    -- The personal-data agreement a visitor accepts before chatting; NULL: none asked.
    consent_agreement_id TEXT REFERENCES agreements(id),
    created_at       TEXT NOT NULL
);

CREATE TABLE agreements (
    id         TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('personal_data', 'marketing', 'other')),
    created_at TEXT NOT NULL
);

-- Each text change is a new row; a row never changes.
CREATE TABLE agreement_versions (
    id           TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL REFERENCES agreements(id),
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    label        TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (agreement_id, version)
);

CREATE TRIGGER agreement_versions_no_update BEFORE UPDATE ON agreement_versions
BEGIN SELECT RAISE(ABORT, 'agreement versions are immutable'); END;
CREATE TRIGGER agreement_versions_no_delete BEFORE DELETE ON agreement_versions
BEGIN SELECT RAISE(ABORT, 'agreement versions are immutable'); END;

CREATE TABLE visitors (
    id         TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels(id),
    created_at TEXT NOT NULL
);

-- The consent ledger: append-only and hash-chained. `seq` is the record's place in
-- the ledger (1, 2, 3, ...); `hash` = SHA-256 over `prev_hash` and every field (see
-- server/src/ledger.rs), so an edit made behind the triggers' back, or a removed
-- record, breaks the chain and `canal consents verify` names the first broken link.
-- The triggers below make the database itself refuse any UPDATE or DELETE.
CREATE TABLE consents (
    seq                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    action               TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
    agreement_version_id TEXT NOT NULL REFERENCES agreement_versions(id),
    channel_id           TEXT NOT NULL REFERENCES channels(id),
    visitor_id           TEXT REFERENCES visitors(id),
    ip                   TEXT,
    user_agent           TEXT,
    page_url             TEXT,
    source               TEXT NOT NULL CHECK (source IN ('livechat', 'form', 'messenger', 'api')),
    conversation_id      TEXT,
    crm_entity           TEXT,
    request_id           TEXT,
    created_at           TEXT NOT NULL,
    prev_hash            TEXT NOT NULL,
    hash                 TEXT NOT NULL UNIQUE,
    UNIQUE (channel_id, request_id)
);
CREATE INDEX consents_by_time ON consents (created_at);
CREATE INDEX consents_by_visitor ON consents (visitor_id, agreement_version_id);

CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;

CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    channel_id TEXT NOT NULL REFERENCES channels(id),
    visitor_id TEXT NOT NULL REFERENCES visitors(id),
    consent_id TEXT REFERENCES consents(id),
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    page_url   TEXT,
    utm        TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    seq             INTEGER NOT NULL,
    author          TEXT NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    client_id       TEXT,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);

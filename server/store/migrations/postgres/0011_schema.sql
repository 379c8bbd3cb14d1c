-- Canal schema, PostgreSQL: the schema SQLite has after its migrations 0001..0011
-- (../sqlite/), in one step. Its version is 11 so that a later change takes the same
-- number in both directories (sqlx allows the gap before it).
--
-- Same tables, columns (in SQLite's order, ALTERed columns last), indexes, CHECKs,
-- foreign keys and trigger names as SQLite, so both stores answer the same queries
-- with the same rows:
-- - INTEGER is BIGINT (Rust decodes i64); the four 0/1 flags (channels.identity_enforced,
--   visitors.user_verified, agents.is_bot, agents.dismissed) are BOOLEAN, because the
--   server binds and decodes them as bool and compares with TRUE/FALSE, which SQLite
--   reads as 1/0.
-- - Ids SQLite assigns itself (agents.id, routing_log.id) are identity columns; the
--   others are assigned by the server: consents.seq by the ledger writer,
--   departments.id by the admin API, company.id is 1.
-- - Times are RFC 3339 UTC text written by the server, as in SQLite, so both stores
--   return identical strings.
-- - Text compares and sorts by code point (COLLATE "C"), as SQLite's BINARY does,
--   whatever the database's default collation: `ORDER BY created_at, id` or
--   `ORDER BY key` give the same order on both stores.
-- - Foreign keys are checked at the end of each statement (NOT DEFERRABLE), as in
--   SQLite with `foreign_keys` on; SQLite's only deferral is inside its 0002 rebuild of
--   `agreements`, which has no counterpart here.
-- - PostgreSQL has no `rowid`: `agreements`, which the store lists in insertion order
--   (`ORDER BY ..., rowid`), has a column of that name filled from a sequence.

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

-- channels and agreements refer to each other: channels first, its foreign key to
-- agreements once agreements exists.
CREATE TABLE channels (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    key                  TEXT COLLATE "C" NOT NULL UNIQUE,
    name                 TEXT COLLATE "C" NOT NULL,
    title                TEXT COLLATE "C" NOT NULL,
    greeting             TEXT COLLATE "C",
    locale               TEXT COLLATE "C",
    -- The personal-data agreement a visitor accepts before chatting; NULL: none asked.
    consent_agreement_id TEXT COLLATE "C",
    created_at           TEXT COLLATE "C" NOT NULL,
    -- JSON array of the origins the widget may be embedded in; NULL: any site.
    allowed_origins      TEXT COLLATE "C",
    identity_secret      TEXT COLLATE "C",
    identity_enforced    BOOLEAN NOT NULL DEFAULT FALSE,
    identity_window_secs BIGINT NOT NULL DEFAULT 3600,
    theme_color          TEXT COLLATE "C"
        CHECK (theme_color IS NULL OR (length(theme_color) = 7
            AND theme_color ~ '^#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$')),
    theme_position       TEXT COLLATE "C" NOT NULL DEFAULT 'right'
        CHECK (theme_position IN ('left', 'right')),
    theme_launcher_text  TEXT COLLATE "C",
    theme_mode           TEXT COLLATE "C" NOT NULL DEFAULT 'auto'
        CHECK (theme_mode IN ('auto', 'light', 'dark'))
);

CREATE TABLE agreements (
    id           TEXT COLLATE "C" PRIMARY KEY,
    -- The channel the agreement was created for, if any; any channel may ask for it.
    channel_id   TEXT COLLATE "C" REFERENCES channels(id),
    name         TEXT COLLATE "C" NOT NULL,
    kind         TEXT COLLATE "C" NOT NULL
        CHECK (kind IN ('personal_data', 'marketing', 'other')),
    behaviour    TEXT COLLATE "C" NOT NULL DEFAULT 'required_auto_accepted' CHECK (behaviour IN (
                     'required_auto_accepted', 'required_read_full_text',
                     'optional_auto_accepted', 'optional_unchecked')),
    -- Where the visitor goes after accepting: http(s), or NULL.
    redirect_url TEXT COLLATE "C",
    -- 'company': the text is `template` filled from the company details and is
    -- filled again (a new version) when they change. 'manual': written by hand.
    data_source  TEXT COLLATE "C" NOT NULL DEFAULT 'manual'
        CHECK (data_source IN ('company', 'manual')),
    template     TEXT COLLATE "C" CHECK (template IN ('eu_gdpr', 'ru_152fz', 'by_99z', 'kz_94v')),
    created_at   TEXT COLLATE "C" NOT NULL,
    -- Last settings change; NULL when never changed. Text changes are versions.
    updated_at   TEXT COLLATE "C",
    -- Insertion order, as SQLite's implicit rowid.
    rowid        BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    CHECK (data_source = 'manual' OR template IS NOT NULL)
);

ALTER TABLE channels ADD CONSTRAINT channels_consent_agreement_id_fkey
    FOREIGN KEY (consent_agreement_id) REFERENCES agreements(id);

-- Each text change is a new row; a row never changes (see the triggers below).
CREATE TABLE agreement_versions (
    id           TEXT COLLATE "C" PRIMARY KEY,
    agreement_id TEXT COLLATE "C" NOT NULL REFERENCES agreements(id),
    version      BIGINT NOT NULL,
    title        TEXT COLLATE "C" NOT NULL,
    body         TEXT COLLATE "C" NOT NULL,
    label        TEXT COLLATE "C" NOT NULL,
    sha256       TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    -- How the text is written. HTML is stored sanitised; `sha256` is of what is stored.
    text_format  TEXT COLLATE "C" NOT NULL DEFAULT 'plain' CHECK (text_format IN ('plain', 'html')),
    UNIQUE (agreement_id, version)
);

CREATE TABLE visitors (
    id            TEXT COLLATE "C" PRIMARY KEY,
    channel_id    TEXT COLLATE "C" NOT NULL REFERENCES channels(id),
    created_at    TEXT COLLATE "C" NOT NULL,
    user_id       TEXT COLLATE "C",
    user_name     TEXT COLLATE "C",
    user_email    TEXT COLLATE "C",
    user_phone    TEXT COLLATE "C",
    user_verified BOOLEAN NOT NULL DEFAULT FALSE
);

-- The consent ledger: append-only and hash-chained. `seq` is the record's place in
-- the ledger (1, 2, 3, ...), assigned by the ledger writer; `hash` = SHA-256 over
-- `prev_hash` and every field, so an edit made behind the triggers' back, or a removed
-- record, breaks the chain and `canal consents verify` names the first broken link.
-- The triggers below make the database itself refuse UPDATE, DELETE and TRUNCATE.
CREATE TABLE consents (
    seq                  BIGINT PRIMARY KEY,
    id                   TEXT COLLATE "C" NOT NULL UNIQUE,
    action               TEXT COLLATE "C" NOT NULL CHECK (action IN ('grant', 'withdraw')),
    agreement_version_id TEXT COLLATE "C" NOT NULL REFERENCES agreement_versions(id),
    channel_id           TEXT COLLATE "C" NOT NULL REFERENCES channels(id),
    visitor_id           TEXT COLLATE "C" REFERENCES visitors(id),
    ip                   TEXT COLLATE "C",
    user_agent           TEXT COLLATE "C",
    page_url             TEXT COLLATE "C",
    source               TEXT COLLATE "C" NOT NULL
        CHECK (source IN ('livechat', 'form', 'messenger', 'api')),
    conversation_id      TEXT COLLATE "C",
    crm_entity           TEXT COLLATE "C",
    request_id           TEXT COLLATE "C",
    created_at           TEXT COLLATE "C" NOT NULL,
    prev_hash            TEXT COLLATE "C" NOT NULL,
    hash                 TEXT COLLATE "C" NOT NULL UNIQUE,
    UNIQUE (channel_id, request_id)
);
CREATE INDEX consents_by_time ON consents (created_at);
CREATE INDEX consents_by_visitor ON consents (visitor_id, agreement_version_id);

-- The company that processes the data: one row, the input of the templates.
CREATE TABLE company (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    legal_name      TEXT COLLATE "C" NOT NULL,
    address         TEXT COLLATE "C" NOT NULL,
    registration_id TEXT COLLATE "C",
    contact_email   TEXT COLLATE "C" NOT NULL,
    -- JSON arrays of strings.
    purposes        TEXT COLLATE "C" NOT NULL,
    recipients      TEXT COLLATE "C" NOT NULL,
    -- ISO 3166-1 alpha-2.
    country         TEXT COLLATE "C",
    updated_at      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE agents (
    id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email         TEXT COLLATE "C" NOT NULL UNIQUE,
    name          TEXT COLLATE "C" NOT NULL,
    -- argon2id, PHC string format.
    password_hash TEXT COLLATE "C" NOT NULL,
    role          TEXT COLLATE "C" NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    avatar_url    TEXT COLLATE "C",
    cap           BIGINT CHECK (cap IS NULL OR cap >= 0),
    is_bot        BOOLEAN NOT NULL DEFAULT FALSE,
    dismissed     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT COLLATE "C" NOT NULL
);

-- Console sessions: only the SHA-256 of the cookie's token is kept.
CREATE TABLE agent_sessions (
    token_sha256 TEXT COLLATE "C" PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id),
    created_at   TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL
);

CREATE TABLE departments (
    id      BIGINT PRIMARY KEY,
    name    TEXT COLLATE "C" NOT NULL,
    -- JSON array of agent ids, in order.
    members TEXT COLLATE "C" NOT NULL
);

-- A channel's routing settings as JSON (protocol `RoutingSettings`); a channel
-- without a row routes with the defaults.
CREATE TABLE channel_routing (
    channel_id TEXT COLLATE "C" PRIMARY KEY REFERENCES channels(id),
    settings   TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE conversations (
    id         TEXT COLLATE "C" PRIMARY KEY,
    channel_id TEXT COLLATE "C" NOT NULL REFERENCES channels(id),
    visitor_id TEXT COLLATE "C" NOT NULL REFERENCES visitors(id),
    consent_id TEXT COLLATE "C" REFERENCES consents(id),
    status     TEXT COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    page_url   TEXT COLLATE "C",
    utm        TEXT COLLATE "C",
    created_at TEXT COLLATE "C" NOT NULL,
    -- The agent holding the conversation.
    agent_id   BIGINT REFERENCES agents(id)
);

CREATE TABLE messages (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations(id),
    seq             BIGINT NOT NULL,
    author          TEXT COLLATE "C" NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    client_id       TEXT COLLATE "C",
    body            TEXT COLLATE "C" NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    agent_id        BIGINT REFERENCES agents(id),
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
);

CREATE TABLE routing_log (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations(id),
    at              TEXT COLLATE "C" NOT NULL,
    text            TEXT COLLATE "C" NOT NULL,
    -- JSON of the routing core's `RoutingLog`.
    entry           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX routing_log_by_conversation ON routing_log (conversation_id, id);

-- Chats that arrive through a messenger gateway (see ../sqlite/0003_messenger.sql).
CREATE TABLE messenger_chats (
    channel_id        TEXT COLLATE "C" NOT NULL REFERENCES channels(id),
    chat_id           TEXT COLLATE "C" NOT NULL,
    visitor_id        TEXT COLLATE "C" NOT NULL REFERENCES visitors(id),
    conversation_id   TEXT COLLATE "C" NOT NULL REFERENCES conversations(id),
    -- The agreement version the notice linked to; NULL when the channel asks none.
    notice_version_id TEXT COLLATE "C" REFERENCES agreement_versions(id),
    created_at        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (channel_id, chat_id)
);

-- The widget's contact form per channel, and what visitors submitted with it.
CREATE TABLE channel_forms (
    channel_id TEXT COLLATE "C" PRIMARY KEY REFERENCES channels(id),
    -- JSON: protocol `FormField`s, in order.
    fields     TEXT COLLATE "C" NOT NULL,
    -- JSON array of agreement ids, in order.
    agreements TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE contact_submissions (
    id              TEXT COLLATE "C" PRIMARY KEY,
    channel_id      TEXT COLLATE "C" NOT NULL REFERENCES channels(id),
    visitor_id      TEXT COLLATE "C" NOT NULL REFERENCES visitors(id),
    conversation_id TEXT COLLATE "C" REFERENCES conversations(id),
    name            TEXT COLLATE "C",
    email           TEXT COLLATE "C",
    phone           TEXT COLLATE "C",
    -- JSON array of the consent record ids made with it.
    consent_ids     TEXT COLLATE "C" NOT NULL,
    request_id      TEXT COLLATE "C",
    created_at      TEXT COLLATE "C" NOT NULL,
    UNIQUE (channel_id, request_id)
);

-- "Save to CRM" links a visitor to a CRM entity and, optionally, a responsible agent.
CREATE TABLE contact_links (
    visitor_id           TEXT COLLATE "C" PRIMARY KEY REFERENCES visitors(id),
    crm_entity           TEXT COLLATE "C" NOT NULL,
    responsible_agent_id BIGINT REFERENCES agents(id),
    updated_at           TEXT COLLATE "C" NOT NULL
);

-- Working hours per channel as JSON (protocol `WorkingHours`); no row: always open.
CREATE TABLE channel_hours (
    channel_id TEXT COLLATE "C" PRIMARY KEY REFERENCES channels(id),
    hours      TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

-- The visitor's rating of a conversation; a later rating replaces the earlier one.
CREATE TABLE conversation_ratings (
    conversation_id TEXT COLLATE "C" PRIMARY KEY NOT NULL REFERENCES conversations (id),
    rating          TEXT COLLATE "C" NOT NULL CHECK (rating IN ('like', 'dislike')),
    comment         TEXT COLLATE "C",
    rated_at        TEXT COLLATE "C" NOT NULL
);

-- Consent records and agreement versions never change. The database refuses UPDATE,
-- DELETE and TRUNCATE on them for every role: row triggers for UPDATE and DELETE (the
-- names and messages of SQLite's), a statement trigger for TRUNCATE (also when another
-- table's TRUNCATE ... CASCADE reaches them). ENABLE ALWAYS keeps them firing under
-- `session_replication_role = replica`, which otherwise skips triggers. Only the
-- tables' owner can drop or disable them (DDL, not data access); the hash chain still
-- shows any record changed that way.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0]
        USING ERRCODE = 'restrict_violation',
              DETAIL = format('%s on %I refused by trigger %I', TG_OP, TG_TABLE_NAME, TG_NAME);
END
$$;

CREATE TRIGGER consents_no_update BEFORE UPDATE ON consents
    FOR EACH ROW EXECUTE FUNCTION refuse_change('consent records are append-only');
CREATE TRIGGER consents_no_delete BEFORE DELETE ON consents
    FOR EACH ROW EXECUTE FUNCTION refuse_change('consent records are append-only');
CREATE TRIGGER consents_no_truncate BEFORE TRUNCATE ON consents
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('consent records are append-only');
ALTER TABLE consents ENABLE ALWAYS TRIGGER consents_no_update;
ALTER TABLE consents ENABLE ALWAYS TRIGGER consents_no_delete;
ALTER TABLE consents ENABLE ALWAYS TRIGGER consents_no_truncate;

CREATE TRIGGER agreement_versions_no_update BEFORE UPDATE ON agreement_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('agreement versions are immutable');
CREATE TRIGGER agreement_versions_no_delete BEFORE DELETE ON agreement_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('agreement versions are immutable');
CREATE TRIGGER agreement_versions_no_truncate BEFORE TRUNCATE ON agreement_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('agreement versions are immutable');
ALTER TABLE agreement_versions ENABLE ALWAYS TRIGGER agreement_versions_no_update;
ALTER TABLE agreement_versions ENABLE ALWAYS TRIGGER agreement_versions_no_delete;
ALTER TABLE agreement_versions ENABLE ALWAYS TRIGGER agreement_versions_no_truncate;

-- Integrations: API keys with scopes, outbound webhook endpoints, messenger
-- connectors, and the one outbox every outbound delivery (a webhook event, a reply
-- to a connector's gateway) goes through.

-- An API key is shown once; only its SHA-256 is kept (a key is 32 random bytes, so
-- a fast hash is enough: nothing to guess). `prefix` is the first characters of the
-- key, for the admins' list. A revoked key stays, with when it was revoked.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE,
    -- Comma-separated scope names (`read_consents,read_conversations`).
    scopes       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT
);

-- Where domain events are posted. The secret signs each delivery (it is needed in
-- clear to sign, as a channel's identity secret is). `events` is the subscribed
-- kinds between commas (`,conversation.created,message.created,`), so one LIKE
-- finds the endpoints of a kind.
CREATE TABLE webhook_endpoints (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    events     TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- A messenger gateway connected to a channel: inbound events signed with its
-- secret, replies posted to `outbound_url`, signed the same way.
CREATE TABLE connectors (
    id             TEXT PRIMARY KEY,
    channel_id     TEXT NOT NULL REFERENCES channels(id),
    name           TEXT NOT NULL,
    secret         TEXT NOT NULL,
    outbound_url   TEXT NOT NULL,
    -- JSON: the tag filter, notifications, group-chat and link options.
    settings       TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
);

-- A connector's dialogs: the gateway's chat id, its tags and profile, and the
-- conversation once the dialog passed the tag filter.
CREATE TABLE connector_dialogs (
    connector_id    TEXT NOT NULL REFERENCES connectors(id),
    chat_id         TEXT NOT NULL,
    conversation_id TEXT REFERENCES conversations(id),
    -- JSON arrays / objects as the gateway last sent them.
    tags            TEXT NOT NULL DEFAULT '[]',
    profile         TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    PRIMARY KEY (connector_id, chat_id)
);
CREATE UNIQUE INDEX connector_dialogs_conversation ON connector_dialogs (conversation_id);

-- Messages of a dialog the tag filter held back (only tagged dialogs pass), kept to
-- be forwarded once the dialog gets a tag when the connector says so.
CREATE TABLE connector_held (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    connector_id TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    forwarded_at TEXT
);
CREATE INDEX connector_held_dialog ON connector_held (connector_id, chat_id);

-- The outbox: one row per (target, event). `target` is `webhook` or `connector`,
-- `target_id` the endpoint's or connector's id. A deliverer claims due rows with a
-- lease (as the mail outbox), posts `body`, and records the answer: delivered, or
-- tried again at `due_at` (backing off), or given up after too many attempts.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    target        TEXT NOT NULL CHECK (target IN ('webhook', 'connector')),
    target_id     TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    lease_until   TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_status   INTEGER,
    last_error    TEXT,
    last_attempt_at TEXT,
    delivered_at  TEXT,
    failed_at     TEXT,
    UNIQUE (target, target_id, event_id)
);
CREATE INDEX deliveries_pending ON deliveries (due_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX deliveries_target ON deliveries (target, target_id, id);

-- What a connector's gateway sent before: `sig:<signature>` (a request replayed
-- within the timestamp's window is refused; pruned after the window) and
-- `msg:<message id>` (a message sent again is not stored twice).
CREATE TABLE connector_seen (
    connector_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    seen_at      TEXT NOT NULL,
    PRIMARY KEY (connector_id, key)
);

-- Agents, their console sessions, departments, channel routing settings, the agent
-- holding each conversation, and the routing log.

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    -- argon2id, PHC string format.
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    avatar_url    TEXT,
    cap           INTEGER CHECK (cap IS NULL OR cap >= 0),
    is_bot        INTEGER NOT NULL DEFAULT 0,
    dismissed     INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Console sessions: only the SHA-256 of the cookie's token is kept.
CREATE TABLE agent_sessions (
    token_sha256 TEXT PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agents(id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

CREATE TABLE departments (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    -- JSON array of agent ids, in order.
    members TEXT NOT NULL
);

-- A channel's routing settings as JSON (protocol `RoutingSettings`); a channel
-- without a row routes with the defaults (see server/src/dispatch.rs).
CREATE TABLE channel_routing (
    channel_id TEXT PRIMARY KEY REFERENCES channels(id),
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE conversations ADD COLUMN agent_id INTEGER REFERENCES agents(id);
ALTER TABLE messages ADD COLUMN agent_id INTEGER REFERENCES agents(id);

CREATE TABLE routing_log (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    at              TEXT NOT NULL,
    text            TEXT NOT NULL,
    -- JSON of the routing core's `RoutingLog`.
    entry           TEXT NOT NULL
);
CREATE INDEX routing_log_by_conversation ON routing_log (conversation_id, id);

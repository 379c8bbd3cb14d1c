-- Durable timers: each pending automatic action of a conversation is a row with its
-- due time (at most one pending per conversation and kind), claimed with a lease by
-- the timer loop and kept once fired, with what it did. A channel's automation
-- settings (protocol `AutomationSettings` as JSON), and the unanswered mark.
CREATE TABLE timers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('unanswered', 'auto_close')),
    created_at      TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    lease_until     TEXT,
    fired_at        TEXT,
    outcome         TEXT
);

CREATE UNIQUE INDEX timers_pending ON timers (conversation_id, kind) WHERE fired_at IS NULL;
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;

CREATE TABLE channel_automation (
    channel_id TEXT PRIMARY KEY REFERENCES channels(id),
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE conversations ADD COLUMN unanswered_since TEXT;

-- Canned answers: a channel's ready-made replies under short codes agents type after
-- `/` in the console's reply box. Plain settings (not records): edited and deleted.
CREATE TABLE canned_answers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL REFERENCES channels(id),
    code       TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (channel_id, code)
);

-- Agents' private notes in a conversation: never sent to the visitor, so never in
-- `messages` (whose rows the visitor reads). `after_seq` is the conversation's last
-- message when the note was written (it shows after it); a client id stores once.
CREATE TABLE notes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    agent_id        INTEGER NOT NULL REFERENCES agents(id),
    client_id       TEXT NOT NULL,
    body            TEXT NOT NULL,
    after_seq       INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (conversation_id, client_id)
);

-- When each conversation closed (once per close: one that opens again and closes
-- again has two rows), for the response-time figures: a close ends a wait
-- unanswered. Never edited.
CREATE TABLE conversation_closes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    closed_at       TEXT NOT NULL
);
CREATE INDEX conversation_closes_by_conversation ON conversation_closes (conversation_id);

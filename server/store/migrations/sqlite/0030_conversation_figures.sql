-- Each conversation's response-time figures, as the reports compute them (working
-- hours respected), stored so that the conversation list can sort by them. Written
-- only by the figures task (off the message path) after a message, a close or a
-- rating commits; `messages`, `closes` and `rating` are what they were computed
-- from, so that a restart finds stale rows. A figure is NULL when no wait was
-- answered.
CREATE TABLE conversation_figures (
    conversation_id       TEXT PRIMARY KEY REFERENCES conversations(id),
    first_response_secs   INTEGER,
    total_response_secs   INTEGER,
    average_response_secs INTEGER,
    max_response_secs     INTEGER,
    responses             INTEGER NOT NULL,
    rating                TEXT,
    messages              INTEGER NOT NULL,
    closes                INTEGER NOT NULL,
    computed_at           TEXT NOT NULL
);

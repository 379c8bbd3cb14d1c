-- Each conversation's response-time figures, as the reports compute them (working
-- hours respected), stored so that the conversation list can sort by them. Written
-- only by the figures task (off the message path) after a message, a close or a
-- rating commits; `messages`, `closes` and `rating` are what they were computed
-- from, so that a restart finds stale rows. A figure is NULL when no wait was
-- answered. Every conversation has a row from its start (a trigger writes an empty
-- one), so that the list's sorts walk these indexes in order and stop at a page;
-- the rows of the conversations already there are written stale (messages -1) and
-- recomputed at start.
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

CREATE TRIGGER conversation_figures_row AFTER INSERT ON conversations
BEGIN
    INSERT INTO conversation_figures (conversation_id, responses, messages, closes, computed_at)
    VALUES (NEW.id, 0, 0, 0, NEW.created_at);
END;

INSERT INTO conversation_figures (conversation_id, responses, messages, closes, computed_at)
SELECT id, 0, -1, -1, created_at FROM conversations;

-- The list's sorts (a figure not known is -1; see LogColumn in channels.rs).
CREATE INDEX conversation_figures_first ON conversation_figures (COALESCE(first_response_secs, -1), conversation_id);
CREATE INDEX conversation_figures_total ON conversation_figures (COALESCE(total_response_secs, -1), conversation_id);
CREATE INDEX conversation_figures_average ON conversation_figures (COALESCE(average_response_secs, -1), conversation_id);
CREATE INDEX conversation_figures_max ON conversation_figures (COALESCE(max_response_secs, -1), conversation_id);
CREATE INDEX conversation_figures_responses ON conversation_figures (responses, conversation_id);
CREATE INDEX conversation_figures_rating ON conversation_figures ((CASE rating WHEN 'like' THEN 1 WHEN 'dislike' THEN 0 ELSE -1 END), conversation_id);

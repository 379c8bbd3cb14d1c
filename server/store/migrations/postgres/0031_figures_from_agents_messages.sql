-- As SQLite's 0031: only an agent's message (not a visitor's), a close or a rating
-- changes a conversation's figures, so a row keeps the number of agents' messages
-- it was computed from; rows that were current keep their figures, the others are
-- left stale (-1) and recomputed at start.
ALTER TABLE conversation_figures RENAME COLUMN messages TO agent_messages;

UPDATE conversation_figures f SET agent_messages = CASE
    WHEN f.agent_messages = (SELECT COUNT(*) FROM messages m
                              WHERE m.conversation_id = f.conversation_id)
    THEN (SELECT COUNT(*) FROM messages m
           WHERE m.conversation_id = f.conversation_id AND m.author = 'agent')
    ELSE -1 END;

CREATE OR REPLACE FUNCTION conversation_figures_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_figures (conversation_id, responses, agent_messages, closes, computed_at)
    VALUES (NEW.id, 0, 0, 0, NEW.created_at);
    RETURN NEW;
END;
$$;

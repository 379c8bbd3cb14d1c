-- A visitor's message changes no response-time figure: a wait counts once an agent
-- answers it, and that answer's recompute reads the whole timeline. So only an
-- agent's message, a close or a rating marks a conversation for the figures task,
-- and a row keeps the number of agents' messages it was computed from (a restart
-- compares that one). Rows that were current keep their figures; the others are
-- left stale (-1) and recomputed at start.
ALTER TABLE conversation_figures RENAME COLUMN messages TO agent_messages;

UPDATE conversation_figures SET agent_messages = CASE
    WHEN agent_messages = (SELECT COUNT(*) FROM messages m
                            WHERE m.conversation_id = conversation_figures.conversation_id)
    THEN (SELECT COUNT(*) FROM messages m
           WHERE m.conversation_id = conversation_figures.conversation_id
             AND m.author = 'agent')
    ELSE -1 END;

DROP TRIGGER conversation_figures_row;
CREATE TRIGGER conversation_figures_row AFTER INSERT ON conversations
BEGIN
    INSERT INTO conversation_figures (conversation_id, responses, agent_messages, closes, computed_at)
    VALUES (NEW.id, 0, 0, 0, NEW.created_at);
END;

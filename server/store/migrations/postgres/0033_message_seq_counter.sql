-- A conversation's counter of message numbers taken: a message's insert takes
-- the next one by updating the conversation's row in the same statement, so the
-- row lock that makes two writers take turns and the number come in one round
-- trip (they were a SELECT ... FOR UPDATE and a MAX(seq)).
ALTER TABLE conversations ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;
UPDATE conversations c SET last_seq = m.last
  FROM (SELECT conversation_id, MAX(seq) AS last FROM messages GROUP BY conversation_id) m
 WHERE m.conversation_id = c.id;

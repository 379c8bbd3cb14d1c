-- A conversation's counter of message numbers taken: a message's insert takes
-- the next one by updating the conversation's row in the same statement, so the
-- row lock that makes two writers take turns and the number come in one round
-- trip (they were a SELECT ... FOR UPDATE and a MAX(seq)). The next number is
-- never below the highest stored plus one, so existing conversations (and
-- imported ones) start from 0 here and need no filling.
ALTER TABLE conversations ADD COLUMN last_seq BIGINT NOT NULL DEFAULT 0;

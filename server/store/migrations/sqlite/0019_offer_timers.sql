-- What an offer's timer must remember to offer the conversation again after a
-- restart (JSON: the agents and when it was offered); NULL for other kinds.
ALTER TABLE timers ADD COLUMN payload TEXT;

-- What an offer's timer must remember to offer the conversation again after a
-- restart (JSON: the agents and when it was offered); NULL for other kinds.
ALTER TABLE timers ADD COLUMN payload TEXT;

-- Fired timers are kept a while for the record, then pruned by age.
CREATE INDEX timers_fired ON timers (fired_at) WHERE fired_at IS NOT NULL;

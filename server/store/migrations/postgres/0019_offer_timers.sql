-- As SQLite's 0019: what an offer's timer remembers (JSON), NULL for other kinds.
ALTER TABLE timers ADD COLUMN payload TEXT COLLATE "C";

-- Fired timers are kept a while for the record, then pruned by age.
CREATE INDEX timers_fired ON timers (fired_at) WHERE fired_at IS NOT NULL;

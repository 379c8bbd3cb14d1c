-- As SQLite's 0019: what an offer's timer remembers (JSON), NULL for other kinds.
ALTER TABLE timers ADD COLUMN payload TEXT COLLATE "C";

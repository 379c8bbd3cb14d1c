-- Two more kinds of timer: the end of a closed conversation's wait for the
-- visitor's rating, and the deadline of an offer to agents (routing's pass_after).
-- SQLite cannot change a CHECK in place: the table is copied with its rows.
CREATE TABLE timers_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('unanswered', 'auto_close', 'rating_wait', 'pass_offer')),
    created_at      TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    lease_until     TEXT,
    fired_at        TEXT,
    outcome         TEXT
);

INSERT INTO timers_new (id, conversation_id, kind, created_at, due_at, lease_until, fired_at, outcome)
    SELECT id, conversation_id, kind, created_at, due_at, lease_until, fired_at, outcome FROM timers;
DROP TABLE timers;
ALTER TABLE timers_new RENAME TO timers;

CREATE UNIQUE INDEX timers_pending ON timers (conversation_id, kind) WHERE fired_at IS NULL;
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;

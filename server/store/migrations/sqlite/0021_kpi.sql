-- Response-time KPIs: two more kinds of timer (a wait's first and later answer
-- overdue), and the overdue notices they leave for the employee a channel names.
-- SQLite cannot change a CHECK in place: the table is copied with its rows (as 0017).
CREATE TABLE timers_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('unanswered', 'auto_close', 'rating_wait', 'pass_offer',
                                    'kpi_first', 'kpi_next')),
    created_at      TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    lease_until     TEXT,
    fired_at        TEXT,
    outcome         TEXT,
    payload         TEXT
);

INSERT INTO timers_new (id, conversation_id, kind, created_at, due_at, lease_until, fired_at, outcome, payload)
    SELECT id, conversation_id, kind, created_at, due_at, lease_until, fired_at, outcome, payload FROM timers;
DROP TABLE timers;
ALTER TABLE timers_new RENAME TO timers;

CREATE UNIQUE INDEX timers_pending ON timers (conversation_id, kind) WHERE fired_at IS NULL;
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;
CREATE INDEX timers_fired ON timers (fired_at) WHERE fired_at IS NOT NULL;

-- One notice per fired timer (`timer_id` unique: a timer fired again after a crash
-- mid-fire leaves no second notice). Kept, never edited.
CREATE TABLE kpi_notices (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    timer_id        INTEGER NOT NULL UNIQUE,
    agent_id        INTEGER NOT NULL REFERENCES agents(id),
    channel_id      TEXT NOT NULL REFERENCES channels(id),
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('first', 'next')),
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX kpi_notices_by_agent ON kpi_notices (agent_id, id);

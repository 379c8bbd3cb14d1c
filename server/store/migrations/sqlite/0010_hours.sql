-- Working hours per channel as JSON (protocol `WorkingHours`: time zone, ranges per
-- weekday, holidays, out-of-hours reply); a channel without a row is always open
-- (see server/src/hours.rs).

CREATE TABLE channel_hours (
    channel_id TEXT PRIMARY KEY REFERENCES channels(id),
    hours      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

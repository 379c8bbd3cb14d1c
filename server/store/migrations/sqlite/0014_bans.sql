-- Bans: an address or network (CIDR), or a visitor, refused by the visitor API with a
-- reason and an optional expiry. A ban is never deleted: lifting it records when and by
-- whom, so the table is also the log of every ban and unban.
CREATE TABLE bans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    network    TEXT,
    visitor_id TEXT REFERENCES visitors(id),
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT,
    lifted_at  TEXT,
    lifted_by  TEXT,
    CHECK ((network IS NULL) <> (visitor_id IS NULL))
);

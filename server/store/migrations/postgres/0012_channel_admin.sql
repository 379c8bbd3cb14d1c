-- Channels the admin switches off or deletes (as SQLite's 0012). A deleted channel's
-- row stays (its conversations and consent records refer to it); its key stays taken.
ALTER TABLE channels
    ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN deleted_at TEXT COLLATE "C";

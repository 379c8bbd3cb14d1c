-- Messages' full-text index (migration 0023) is no longer written by each insert.
-- FTS5 writes its pending terms out to a new segment at every statement of a
-- transaction that touches it, so a trigger on `messages` cost one segment (and
-- its merges) per message, on the writer that acknowledges messages. Now a task
-- indexes the messages committed since `upto` every quarter of a second, in one
-- statement, and a search first brings the index up to date (see the store's
-- `text` module). Messages are never deleted or edited; the triggers that keep
-- the index on a delete or an edit stay, for the rows the index holds.
CREATE TABLE message_text_upto (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    -- The last message (rowid) the index holds; every one before it is held.
    upto INTEGER NOT NULL
);
INSERT INTO message_text_upto (id, upto) SELECT 1, COALESCE(MAX(rowid), 0) FROM messages;

DROP TRIGGER message_text_insert;
DROP TRIGGER message_text_delete;
DROP TRIGGER message_text_update;
CREATE TRIGGER message_text_delete AFTER DELETE ON messages
WHEN old.rowid <= (SELECT upto FROM message_text_upto) BEGIN
    INSERT INTO message_text (message_text, rowid, body) VALUES ('delete', old.rowid, old.body);
END;
CREATE TRIGGER message_text_update AFTER UPDATE OF body ON messages
WHEN old.rowid <= (SELECT upto FROM message_text_upto) BEGIN
    INSERT INTO message_text (message_text, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO message_text (rowid, body) VALUES (new.rowid, new.body);
END;

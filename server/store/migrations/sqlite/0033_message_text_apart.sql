-- Messages' full-text index moves to a database file of its own (see the store's
-- `text` module), so that indexing never takes this database's one writer, which
-- the messages waiting for their ack need. The store creates the index there and
-- fills it from the first message on; the copy in this file goes. Messages are
-- never deleted or edited, so nothing else keeps the index.
DROP TRIGGER message_text_delete;
DROP TRIGGER message_text_update;
DROP TABLE message_text;
DROP TABLE message_text_upto;

-- As SQLite's 0018: a channel's greeting by language, and whether the contact
-- form is asked for in the chat after the visitor's first message.
ALTER TABLE channels ADD COLUMN greetings TEXT COLLATE "C";
ALTER TABLE channel_forms ADD COLUMN ask_in_chat BOOLEAN NOT NULL DEFAULT TRUE;

-- A channel's greeting in the widget's other languages (JSON object, language to
-- text; NULL: none), and whether the contact form is asked for in the chat after
-- the visitor's first message (the behaviour before this setting existed).
ALTER TABLE channels ADD COLUMN greetings TEXT;
ALTER TABLE channel_forms ADD COLUMN ask_in_chat BOOLEAN NOT NULL DEFAULT TRUE;

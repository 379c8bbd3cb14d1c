-- The conversation list (issue 15): indexes for its filters and its order (newest
-- first: `created_at DESC, id DESC`), substring search, and labels.
--
-- Search: FTS5 tables with the trigram tokenizer over messages' text, visitors'
-- names and e-mail (`Canal.setUser`) and contact-form names and e-mail. They are
-- external-content tables (the text is stored once, in its own table), kept by the
-- triggers below; a query is a quoted phrase of at least 3 characters and matches
-- it anywhere, case-insensitively (Unicode case folding).
CREATE INDEX conversations_by_start ON conversations (created_at, id);
CREATE INDEX conversations_by_channel ON conversations (channel_id, created_at, id);
CREATE INDEX conversations_by_agent ON conversations (agent_id, created_at, id);
CREATE INDEX conversations_by_visitor ON conversations (visitor_id);
CREATE INDEX conversations_unanswered ON conversations (unanswered_since)
    WHERE unanswered_since IS NOT NULL;
CREATE INDEX conversation_ratings_by_rating ON conversation_ratings (rating, conversation_id);
CREATE INDEX contact_submissions_by_visitor ON contact_submissions (visitor_id);

CREATE VIRTUAL TABLE message_text USING fts5(
    body, content = 'messages', tokenize = 'trigram'
);
INSERT INTO message_text (message_text) VALUES ('rebuild');
CREATE TRIGGER message_text_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_text (rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER message_text_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_text (message_text, rowid, body) VALUES ('delete', old.rowid, old.body);
END;
CREATE TRIGGER message_text_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO message_text (message_text, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO message_text (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE VIRTUAL TABLE visitor_text USING fts5(
    user_name, user_email, content = 'visitors', tokenize = 'trigram'
);
INSERT INTO visitor_text (visitor_text) VALUES ('rebuild');
CREATE TRIGGER visitor_text_insert AFTER INSERT ON visitors BEGIN
    INSERT INTO visitor_text (rowid, user_name, user_email)
    VALUES (new.rowid, new.user_name, new.user_email);
END;
CREATE TRIGGER visitor_text_delete AFTER DELETE ON visitors BEGIN
    INSERT INTO visitor_text (visitor_text, rowid, user_name, user_email)
    VALUES ('delete', old.rowid, old.user_name, old.user_email);
END;
CREATE TRIGGER visitor_text_update AFTER UPDATE OF user_name, user_email ON visitors BEGIN
    INSERT INTO visitor_text (visitor_text, rowid, user_name, user_email)
    VALUES ('delete', old.rowid, old.user_name, old.user_email);
    INSERT INTO visitor_text (rowid, user_name, user_email)
    VALUES (new.rowid, new.user_name, new.user_email);
END;

CREATE VIRTUAL TABLE submission_text USING fts5(
    name, email, content = 'contact_submissions', tokenize = 'trigram'
);
INSERT INTO submission_text (submission_text) VALUES ('rebuild');
CREATE TRIGGER submission_text_insert AFTER INSERT ON contact_submissions BEGIN
    INSERT INTO submission_text (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;
CREATE TRIGGER submission_text_delete AFTER DELETE ON contact_submissions BEGIN
    INSERT INTO submission_text (submission_text, rowid, name, email)
    VALUES ('delete', old.rowid, old.name, old.email);
END;
CREATE TRIGGER submission_text_update AFTER UPDATE OF name, email ON contact_submissions BEGIN
    INSERT INTO submission_text (submission_text, rowid, name, email)
    VALUES ('delete', old.rowid, old.name, old.email);
    INSERT INTO submission_text (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;

-- Labels: created by admins, set on conversations by the agents who see them.
CREATE TABLE labels (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE conversation_labels (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    label_id        INTEGER NOT NULL REFERENCES labels(id),
    -- Who set it (NULL: the admin token).
    set_by          INTEGER REFERENCES agents(id),
    set_at          TEXT NOT NULL,
    PRIMARY KEY (conversation_id, label_id)
);
CREATE INDEX conversation_labels_by_label ON conversation_labels (label_id, conversation_id);

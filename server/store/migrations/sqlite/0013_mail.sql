-- E-mail to visitors: the address a visitor gave for a conversation's transcript, and
-- the outbox the mail sender works through. A row is written when a mail is due
-- (a closed conversation's transcript, an agent's answer to a visitor who left) and
-- stays: sent, dropped with the reason, or still waiting for its next attempt. The
-- text is rendered from the stored messages when it is sent, so a row holds no copy
-- of the conversation.
ALTER TABLE conversations ADD COLUMN transcript_email TEXT;

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('transcript', 'reply')),
    to_address      TEXT NOT NULL,
    -- The messages the mail shows: from this sequence number on (a reply), or up to
    -- this one (a transcript: the conversation as it was closed).
    from_seq        INTEGER NOT NULL,
    upto_seq        INTEGER,
    created_at      TEXT NOT NULL,
    -- When the next attempt is due; a sender holds a row until `lease_until` while
    -- it sends it, so two senders never send one row at once.
    due_at          TEXT NOT NULL,
    lease_until     TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         TEXT,
    -- Why it will never be sent (the visitor withdrew their consent, the receiving
    -- server refused the address for good).
    dropped         TEXT
);

CREATE INDEX mail_outbox_pending ON mail_outbox (due_at) WHERE sent_at IS NULL AND dropped IS NULL;
CREATE INDEX mail_outbox_conversation ON mail_outbox (conversation_id);

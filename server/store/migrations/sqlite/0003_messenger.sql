-- Chats that arrive through a messenger gateway. A messenger cannot show an
-- Accept button: the first inbound message gets a notice with a link to the
-- agreement, and the client's next message counts as consent.
CREATE TABLE messenger_chats (
    channel_id      TEXT NOT NULL REFERENCES channels(id),
    chat_id         TEXT NOT NULL,
    visitor_id      TEXT NOT NULL REFERENCES visitors(id),
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    -- The agreement version the notice linked to; NULL when the channel asks none.
    notice_version_id TEXT REFERENCES agreement_versions(id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (channel_id, chat_id)
);

-- The widget's contact form per channel, and what visitors submitted with it.

CREATE TABLE channel_forms (
    channel_id TEXT PRIMARY KEY REFERENCES channels(id),
    -- JSON: protocol `FormField`s, in order.
    fields     TEXT NOT NULL,
    -- JSON array of agreement ids, in order.
    agreements TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE contact_submissions (
    id              TEXT PRIMARY KEY,
    channel_id      TEXT NOT NULL REFERENCES channels(id),
    visitor_id      TEXT NOT NULL REFERENCES visitors(id),
    conversation_id TEXT REFERENCES conversations(id),
    name            TEXT,
    email           TEXT,
    phone           TEXT,
    -- JSON array of the consent record ids made with it.
    consent_ids     TEXT NOT NULL,
    request_id      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (channel_id, request_id)
);

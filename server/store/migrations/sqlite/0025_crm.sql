-- The CRM and the chat tracker. A contact is one customer across channels: its
-- phones (E.164) and e-mails (lower-cased) are unique, so a lookup is one index
-- read; `first_phone` is the first phone it ever had, kept as the permanent
-- tracker link even after the phone is taken off the contact. Records are the
-- leads or deals made for a contact, with the channel as their source and the
-- chat they were made from. Conversations and visitors are attached to contacts;
-- consent records are linked by reading the ledger (never edited).
-- A channel's CRM switches (protocol `CrmSettings` as JSON).
CREATE TABLE channel_crm (
    channel_id TEXT PRIMARY KEY REFERENCES channels(id),
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE crm_contacts (
    id                   TEXT PRIMARY KEY,
    name                 TEXT,
    first_phone          TEXT UNIQUE,
    responsible_agent_id INTEGER REFERENCES agents(id),
    -- The conversation the tracker made the contact from (NULL: made by hand).
    created_from         TEXT REFERENCES conversations(id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX crm_contacts_updated ON crm_contacts (updated_at);

CREATE TABLE crm_contact_phones (
    phone      TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES crm_contacts(id)
);
CREATE INDEX crm_contact_phones_contact ON crm_contact_phones (contact_id);

CREATE TABLE crm_contact_emails (
    email      TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES crm_contacts(id)
);
CREATE INDEX crm_contact_emails_contact ON crm_contact_emails (contact_id);

CREATE TABLE crm_records (
    id                   TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('lead', 'deal')),
    contact_id           TEXT NOT NULL REFERENCES crm_contacts(id),
    channel_id           TEXT NOT NULL REFERENCES channels(id),
    -- The channel's type: livechat, messenger.
    source               TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'open',
    title                TEXT NOT NULL,
    -- Mapped fields (UTM, client id, custom fields), a JSON object.
    fields               TEXT NOT NULL DEFAULT '{}',
    -- The chat the record was made from.
    conversation_id      TEXT REFERENCES conversations(id),
    responsible_agent_id INTEGER REFERENCES agents(id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX crm_records_contact ON crm_records (contact_id);
CREATE INDEX crm_records_conversation ON crm_records (conversation_id);

CREATE TABLE crm_conversations (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    contact_id      TEXT NOT NULL REFERENCES crm_contacts(id),
    attached_at     TEXT NOT NULL
);
CREATE INDEX crm_conversations_contact ON crm_conversations (contact_id);

CREATE TABLE crm_visitors (
    visitor_id TEXT PRIMARY KEY REFERENCES visitors(id),
    contact_id TEXT NOT NULL REFERENCES crm_contacts(id)
);
CREATE INDEX crm_visitors_contact ON crm_visitors (contact_id);

-- Each conversation's transcript on the leads and deals it touched (as SQLite's
-- 0028): one row per record and conversation, rewritten whole by a later close,
-- so closing again never duplicates it. `lines` is a JSON array of protocol
-- `TranscriptLine`s (customer and agent messages only).
CREATE TABLE crm_record_transcripts (
    record_id TEXT COLLATE "C" NOT NULL REFERENCES crm_records(id),
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations(id),
    lines TEXT COLLATE "C" NOT NULL,
    written_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (record_id, conversation_id)
);

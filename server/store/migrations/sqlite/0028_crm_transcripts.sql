-- Each conversation's transcript on the leads and deals it touched, written when
-- its dialog closes: one row per record and conversation, rewritten whole by a
-- later close (a reopened chat), so closing again never duplicates it. `lines`
-- is a JSON array of protocol `TranscriptLine`s (customer and agent messages
-- only: no private notes, no system lines).
CREATE TABLE crm_record_transcripts (
    record_id       TEXT NOT NULL REFERENCES crm_records(id),
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    lines           TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (record_id, conversation_id)
);

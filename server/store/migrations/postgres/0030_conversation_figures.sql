-- As SQLite's 0030: each conversation's response-time figures, stored for the
-- conversation list's sorts, written by the figures task off the message path.
CREATE TABLE conversation_figures (
    conversation_id       TEXT COLLATE "C" PRIMARY KEY REFERENCES conversations(id),
    first_response_secs   BIGINT,
    total_response_secs   BIGINT,
    average_response_secs BIGINT,
    max_response_secs     BIGINT,
    responses             BIGINT NOT NULL,
    rating                TEXT COLLATE "C",
    messages              BIGINT NOT NULL,
    closes                BIGINT NOT NULL,
    computed_at           TEXT COLLATE "C" NOT NULL
);

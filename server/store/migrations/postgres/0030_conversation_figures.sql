-- As SQLite's 0030: each conversation's response-time figures, stored for the
-- conversation list's sorts, written by the figures task off the message path;
-- a row for every conversation from its start (a trigger), indexes for the sorts.
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

CREATE FUNCTION conversation_figures_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_figures (conversation_id, responses, messages, closes, computed_at)
    VALUES (NEW.id, 0, 0, 0, NEW.created_at);
    RETURN NEW;
END;
$$;
CREATE TRIGGER conversation_figures_row AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION conversation_figures_row();

INSERT INTO conversation_figures (conversation_id, responses, messages, closes, computed_at)
SELECT id, 0, -1, -1, created_at FROM conversations;

CREATE INDEX conversation_figures_first ON conversation_figures ((COALESCE(first_response_secs, -1)), conversation_id);
CREATE INDEX conversation_figures_total ON conversation_figures ((COALESCE(total_response_secs, -1)), conversation_id);
CREATE INDEX conversation_figures_average ON conversation_figures ((COALESCE(average_response_secs, -1)), conversation_id);
CREATE INDEX conversation_figures_max ON conversation_figures ((COALESCE(max_response_secs, -1)), conversation_id);
CREATE INDEX conversation_figures_responses ON conversation_figures (responses, conversation_id);
CREATE INDEX conversation_figures_rating ON conversation_figures ((CASE rating WHEN 'like' THEN 1 WHEN 'dislike' THEN 0 ELSE -1 END), conversation_id);

-- The visitor's rating of a conversation (like or dislike, optional comment). One per
-- conversation: a later rating replaces the earlier one.
CREATE TABLE conversation_ratings (
    conversation_id TEXT PRIMARY KEY NOT NULL REFERENCES conversations (id),
    rating TEXT NOT NULL CHECK (rating IN ('like', 'dislike')),
    comment TEXT,
    rated_at TEXT NOT NULL
);

-- Channels the admin switches off or deletes. A deleted channel's row stays (its
-- conversations and consent records refer to it, and records are never deleted);
-- its key stays taken, so an old snippet never reaches another site's channel.
ALTER TABLE channels ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE channels ADD COLUMN deleted_at TEXT;

-- Who may configure which channel besides the admins: supervisors named per channel.
CREATE TABLE channel_managers (
    channel_id TEXT NOT NULL REFERENCES channels(id),
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    PRIMARY KEY (channel_id, agent_id)
);

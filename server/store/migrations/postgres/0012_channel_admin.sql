-- Channels the admin switches off or deletes (as SQLite's 0012). A deleted channel's
-- row stays (its conversations and consent records refer to it); its key stays taken.
ALTER TABLE channels
    ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN deleted_at TEXT COLLATE "C";

-- Who may configure which channel besides the admins: supervisors named per channel.
CREATE TABLE channel_managers (
    channel_id TEXT COLLATE "C" NOT NULL REFERENCES channels(id),
    agent_id   BIGINT NOT NULL REFERENCES agents(id),
    PRIMARY KEY (channel_id, agent_id)
);

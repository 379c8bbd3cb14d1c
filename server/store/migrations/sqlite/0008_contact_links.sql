-- "Save to CRM" links a visitor to a CRM entity; with a responsible agent, the
-- visitor's next conversations are offered to that agent first (when the channel
-- routes to the responsible agent).
CREATE TABLE contact_links (
    visitor_id           TEXT PRIMARY KEY REFERENCES visitors(id),
    crm_entity           TEXT NOT NULL,
    responsible_agent_id INTEGER REFERENCES agents(id),
    updated_at           TEXT NOT NULL
);

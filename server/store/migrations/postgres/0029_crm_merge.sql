-- Two contacts of one person merged by an admin (as SQLite's 0029): the one
-- merged away keeps its row, emptied, with `merged_into` naming the survivor, so
-- its id still resolves and its first phone still leads there.
ALTER TABLE crm_contacts ADD COLUMN merged_into TEXT COLLATE "C" REFERENCES crm_contacts(id);
CREATE INDEX crm_contacts_merged_into ON crm_contacts (merged_into);

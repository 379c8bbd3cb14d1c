-- Two contacts of one person merged by an admin: the one merged away keeps its
-- row, emptied (its phones, e-mails, conversations, visitors and records moved
-- to the survivor), with `merged_into` naming the survivor, so its id still
-- resolves and its first phone (the permanent tracker link) still leads there.
-- `merged_into` always names a contact that is not merged itself.
ALTER TABLE crm_contacts ADD COLUMN merged_into TEXT REFERENCES crm_contacts(id);
CREATE INDEX crm_contacts_merged_into ON crm_contacts (merged_into);

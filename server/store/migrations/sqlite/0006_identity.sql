-- Identity verification for `Canal.setUser`: a per-channel secret the site's server
-- signs user ids with, and the identity each visitor was given.

ALTER TABLE channels ADD COLUMN identity_secret TEXT;
ALTER TABLE channels ADD COLUMN identity_enforced INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN identity_window_secs INTEGER NOT NULL DEFAULT 3600;

ALTER TABLE visitors ADD COLUMN user_id TEXT;
ALTER TABLE visitors ADD COLUMN user_name TEXT;
ALTER TABLE visitors ADD COLUMN user_email TEXT;
ALTER TABLE visitors ADD COLUMN user_phone TEXT;
ALTER TABLE visitors ADD COLUMN user_verified INTEGER NOT NULL DEFAULT 0;

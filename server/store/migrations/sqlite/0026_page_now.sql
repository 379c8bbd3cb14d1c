-- The host page a visitor opened the chat on last (each page with the chat says so
-- when its socket says hello): the consoles show where the visitor is now. The
-- page the conversation started on stays in `page_url`.
ALTER TABLE conversations ADD COLUMN page_now TEXT;

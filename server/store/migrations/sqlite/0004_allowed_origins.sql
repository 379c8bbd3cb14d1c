-- The sites a channel's widget may be embedded in: a JSON array of origins
-- ("https://shop.example"). NULL: any site (the demo channel, or not yet set).
-- Used for the frame's CSP frame-ancestors and to refuse consents given on pages
-- of other sites.
ALTER TABLE channels ADD COLUMN allowed_origins TEXT;

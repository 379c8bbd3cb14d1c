-- A channel's look (see server/src/theme.rs): accent colour (`#rrggbb`, lower case;
-- NULL: Canal's blue), the side the launcher sits on, the launcher's text (NULL:
-- "Chat" in the visitor's language) and light/dark mode. The defaults are Canal's
-- look before themes existed.

ALTER TABLE channels ADD COLUMN theme_color TEXT
    CHECK (theme_color IS NULL OR (length(theme_color) = 7
        AND theme_color GLOB '#[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'));
ALTER TABLE channels ADD COLUMN theme_position TEXT NOT NULL DEFAULT 'right'
    CHECK (theme_position IN ('left', 'right'));
ALTER TABLE channels ADD COLUMN theme_launcher_text TEXT;
ALTER TABLE channels ADD COLUMN theme_mode TEXT NOT NULL DEFAULT 'auto'
    CHECK (theme_mode IN ('auto', 'light', 'dark'));

//! A channel's look: the rules for its accent colour, the launcher's side and text,
//! light or dark, and the snippet that carries them.
//!
//! The loader styles the launcher from the snippet's `data-` attributes before it
//! makes any request, so the snippet carries the theme ([`snippet`]); the frame
//! reads its part ([`FrameTheme`]) from the public config.

use canal_protocol::theme::{limits, FrameTheme, Position, Theme, ThemeMode};
use canal_protocol::ErrorCode;

use crate::Rejected;

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

/// Characters a launcher text may not hold: control characters, line and paragraph
/// separators, and the bidi embeddings, overrides and isolates that could reorder
/// what the visitor reads.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Checks a theme from outside and returns it as stored: the colour in lower case,
/// the launcher text trimmed.
pub fn check(theme: Theme) -> Result<Theme, Rejected> {
    let color = match theme.color {
        Some(color) => {
            let hex = color.strip_prefix('#').unwrap_or_default();
            if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(invalid(
                    "color must be a colour like #1f5fd1 (#rrggbb), or null for Canal's blue",
                ));
            }
            Some(color.to_ascii_lowercase())
        }
        None => None,
    };
    let launcher_text = match theme.launcher_text {
        Some(text) => {
            let text = text.trim();
            let chars = text.chars().count();
            if chars == 0 || chars > limits::MAX_LAUNCHER_TEXT_CHARS || text.chars().any(forbidden)
            {
                return Err(invalid(format!(
                    "launcher_text must be 1 to {} characters of plain text without control \
                     characters, or null for \"Chat\" in the visitor's language",
                    limits::MAX_LAUNCHER_TEXT_CHARS
                )));
            }
            Some(text.to_owned())
        }
        None => None,
    };
    Ok(Theme {
        color,
        launcher_text,
        ..theme
    })
}

/// Whether black text has a higher WCAG contrast on `color` (`#rrggbb`) than white.
pub fn black_on(color: &str) -> bool {
    let channel = |at: usize| {
        let c = color
            .get(at..at + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, |c| f64::from(c) / 255.0);
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with black (L + 0.05) / 0.05 against with white 1.05 / (L + 0.05).
    (luminance + 0.05) * (luminance + 0.05) >= 0.05 * 1.05
}

/// The part of the theme the frame paints.
pub fn frame(theme: &Theme) -> FrameTheme {
    FrameTheme {
        mode: theme.mode,
        on_accent_black: theme.color.as_deref().is_some_and(black_on),
        accent: theme.color.clone(),
    }
}

fn escape_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The loader's `<script>` tag for a channel, with the theme's non-default values as
/// `data-` attributes. The source names the channel too (`embed.js?channel=KEY`), so
/// the server answers a switched-off channel's pages with a script that draws nothing.
pub fn snippet(public_url: &str, key: &str, theme: &Theme) -> String {
    let mut attributes = vec![("channel", key.to_owned())];
    if let Some(color) = &theme.color {
        attributes.push(("color", color.clone()));
    }
    if theme.position != Position::default() {
        attributes.push(("position", theme.position.as_str().to_owned()));
    }
    if let Some(text) = &theme.launcher_text {
        attributes.push(("launcher-text", text.clone()));
    }
    if theme.mode != ThemeMode::default() {
        attributes.push(("theme", theme.mode.as_str().to_owned()));
    }
    let attributes: String = attributes
        .iter()
        .map(|(name, value)| format!(" data-{name}=\"{}\"", escape_attribute(value)))
        .collect();
    let query: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
    format!(
        r#"<script async src="{}/embed.js?channel={}"{attributes}></script>"#,
        escape_attribute(public_url),
        escape_attribute(&query)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_on_the_accent_is_the_more_readable_of_black_and_white() {
        for (accent, black) in [
            ("#1f5fd1", false),
            ("#000000", false),
            ("#ffffff", true),
            ("#ffcc00", true),
            ("#c2185b", false),
            ("#7aa7ff", true),
            // Either side of the crossing point (luminance ~0.179).
            ("#757575", false),
            ("#767676", true),
        ] {
            assert_eq!(black_on(accent), black, "{accent}");
        }
    }

    #[test]
    fn themes_are_checked_and_normalised() {
        let theme = check(Theme {
            color: Some("#A1B2C3".into()),
            launcher_text: Some("  Ask us  ".into()),
            ..Theme::default()
        })
        .expect("valid");
        assert_eq!(theme.color.as_deref(), Some("#a1b2c3"));
        assert_eq!(theme.launcher_text.as_deref(), Some("Ask us"));
        assert!(check(Theme::default()).is_ok());
        let forty = "я".repeat(limits::MAX_LAUNCHER_TEXT_CHARS);
        assert!(check(Theme {
            launcher_text: Some(forty.clone()),
            ..Theme::default()
        })
        .is_ok());
        for color in ["1f5fd1", "#1f5fd", "#1f5fd1a", "#1g5fd1", "", "red", "#fff"] {
            let bad = Theme {
                color: Some(color.into()),
                ..Theme::default()
            };
            assert!(check(bad).is_err(), "{color:?}");
        }
        for text in [
            "".to_owned(),
            "   ".to_owned(),
            format!("{forty}я"),
            "a\nb".into(),
            "a\u{7}".into(),
            "a\u{202e}b".into(),
            "a\u{2028}b".into(),
        ] {
            let bad = Theme {
                launcher_text: Some(text.clone()),
                ..Theme::default()
            };
            assert!(check(bad).is_err(), "{text:?}");
        }
    }

    #[test]
    fn the_snippet_carries_non_default_values_escaped() {
        assert_eq!(
            snippet("https://chat.example", "demo", &Theme::default()),
            r#"<script async src="https://chat.example/embed.js?channel=demo" data-channel="demo"></script>"#
        );
        let theme = Theme {
            color: Some("#c2185b".into()),
            position: Position::Left,
            launcher_text: Some(r#"Ask "us" <now> & here"#.into()),
            mode: ThemeMode::Dark,
        };
        assert_eq!(
            snippet("https://chat.example", "demo", &theme),
            "<script async src=\"https://chat.example/embed.js?channel=demo\" data-channel=\"demo\" \
             data-color=\"#c2185b\" data-position=\"left\" \
             data-launcher-text=\"Ask &quot;us&quot; &lt;now&gt; &amp; here\" \
             data-theme=\"dark\"></script>"
        );
    }
}

//! A channel's look: accent colour, the launcher's side and text, light or dark.
//!
//! Routes:
//! - admin `GET`/`PUT /api/v1/admin/channels/{key}/theme` ([`Theme`]);
//! - admin `GET /api/v1/admin/channels/{key}/snippet` ([`Snippet`]): the snippet with
//!   the theme's `data-` attributes, so the launcher (styled by the loader before any
//!   request) and the frame agree;
//! - the public config carries [`FrameTheme`], the part the frame paints.

use serde::{Deserialize, Serialize};

/// Sizes both sides enforce.
pub mod limits {
    /// Longest launcher text, in characters.
    pub const MAX_LAUNCHER_TEXT_CHARS: usize = 40;
}

/// Canal's own accent: the launcher's colour, and the frame's in light mode (the
/// frame's dark palette has a lighter blue of its own).
pub const DEFAULT_COLOR: &str = "#1f5fd1";

/// The side of the page the launcher and the window sit on.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Left,
    #[default]
    Right,
}

impl Position {
    /// The value on the wire and in `data-position`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
        }
    }
}

/// Light, dark, or the visitor's system setting.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum ThemeMode {
    /// `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl ThemeMode {
    /// The value on the wire, in `data-theme` of the snippet and of the frame's root.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// A channel's theme: the answer of `GET` and the body of `PUT .../theme`. `PUT`
/// replaces the whole theme; a field left out takes its default, so `{}` restores
/// Canal's own look.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Accent colour, `#rrggbb`; `None`: Canal's blue ([`DEFAULT_COLOR`]).
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub position: Position,
    /// The launcher's text instead of "Chat" (plain text, 1 to
    /// [`limits::MAX_LAUNCHER_TEXT_CHARS`] characters, no control characters);
    /// `None`: "Chat" in the visitor's language.
    #[serde(default)]
    pub launcher_text: Option<String>,
    #[serde(default)]
    pub mode: ThemeMode,
}

/// What the frame paints, in [`crate::ChannelConfig`].
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct FrameTheme {
    pub mode: ThemeMode,
    /// The channel's accent, `#rrggbb`; `None`: the frame's own palette.
    pub accent: Option<String>,
    /// Text on the accent is black (`true`) or white (`false`), whichever has the
    /// higher contrast (WCAG); meaningful with `accent`. A flag rather than a colour:
    /// the frame's budget counts every byte of its decoder.
    pub on_accent_black: bool,
}

/// `GET /api/v1/admin/channels/{key}/snippet`: what to paste before `</body>`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The API stub line and the loader's `<script>` tag with the channel's theme as
    /// `data-` attributes (HTML-escaped).
    pub html: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_body_may_leave_fields_out_but_not_add_or_misspell_them() {
        let theme: Theme = serde_json::from_str("{}").expect("empty body");
        assert_eq!(theme, Theme::default());
        assert_eq!(theme.position, Position::Right);
        assert_eq!(theme.mode, ThemeMode::Auto);
        let full = r##"{"color":"#112233","position":"left","launcher_text":"Ask","mode":"dark"}"##;
        let theme: Theme = serde_json::from_str(full).expect("full body");
        assert_eq!(
            serde_json::to_value(&theme).expect("serialise"),
            serde_json::from_str::<serde_json::Value>(full).expect("json")
        );
        assert!(serde_json::from_str::<Theme>(r##"{"colour":"#112233"}"##).is_err());
        assert!(serde_json::from_str::<Theme>(r#"{"position":"middle"}"#).is_err());
        assert!(serde_json::from_str::<Theme>(r#"{"mode":"sepia"}"#).is_err());
    }

    #[test]
    fn enums_serialise_as_their_str() {
        for p in [Position::Left, Position::Right] {
            assert_eq!(
                serde_json::to_string(&p).expect("serialise"),
                format!("\"{}\"", p.as_str())
            );
        }
        for m in [ThemeMode::Auto, ThemeMode::Light, ThemeMode::Dark] {
            assert_eq!(
                serde_json::to_string(&m).expect("serialise"),
                format!("\"{}\"", m.as_str())
            );
        }
    }
}

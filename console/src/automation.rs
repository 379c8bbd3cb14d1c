//! The form of a channel's automatic actions (the unanswered mark and auto-close on
//! the visitor's silence) and the request it makes, pure (native unit tests). The
//! form holds what the admin typed; an empty number turns its action off. The
//! server checks the values again and says which one is wrong.

use canal_protocol::automation::{limits, AutomationSettings};

/// What the admin typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutomationForm {
    /// Minutes before the unanswered mark; empty: off.
    pub unanswered: String,
    /// Minutes of the visitor's silence before auto-close; empty: off.
    pub auto_close: String,
    /// The closing message; empty: none.
    pub text: String,
    /// The live typing preview is on.
    pub typing_preview: bool,
}

/// Why the form cannot be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomationError {
    /// The unanswered minutes are not a whole number from 1 to 1440.
    Unanswered,
    /// The auto-close minutes are not a whole number from 1 to 10080.
    AutoClose,
    /// A closing message without auto-close.
    TextWithoutClose,
}

fn minutes(raw: &str, max: u32, error: AutomationError) -> Result<Option<u32>, AutomationError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<u32>() {
        Ok(m) if (1..=max).contains(&m) => Ok(Some(m)),
        _ => Err(error),
    }
}

impl AutomationForm {
    /// The form for settings as the server sent them.
    pub fn of(settings: &AutomationSettings) -> Self {
        let number = |m: Option<u32>| m.map(|m| m.to_string()).unwrap_or_default();
        Self {
            unanswered: number(settings.unanswered_after_minutes),
            auto_close: number(settings.auto_close_after_minutes),
            text: settings.auto_close_text.clone().unwrap_or_default(),
            typing_preview: settings.typing_preview,
        }
    }

    /// The `PUT /api/v1/admin/channels/{key}/automation` body.
    pub fn request(&self) -> Result<AutomationSettings, AutomationError> {
        let unanswered = minutes(
            &self.unanswered,
            limits::MAX_UNANSWERED_MINUTES,
            AutomationError::Unanswered,
        )?;
        let auto_close = minutes(
            &self.auto_close,
            limits::MAX_AUTO_CLOSE_MINUTES,
            AutomationError::AutoClose,
        )?;
        let text = self.text.trim();
        if !text.is_empty() && auto_close.is_none() {
            return Err(AutomationError::TextWithoutClose);
        }
        Ok(AutomationSettings {
            unanswered_after_minutes: unanswered,
            auto_close_after_minutes: auto_close,
            auto_close_text: (!text.is_empty()).then(|| text.to_owned()),
            typing_preview: self.typing_preview,
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn form(unanswered: &str, auto_close: &str, text: &str) -> AutomationForm {
        AutomationForm {
            unanswered: unanswered.into(),
            auto_close: auto_close.into(),
            text: text.into(),
            typing_preview: false,
        }
    }

    #[test]
    fn empty_fields_turn_actions_off_and_numbers_round_trip() {
        assert_eq!(
            form("", " ", "").request(),
            Ok(AutomationSettings::default())
        );
        let settings = form(" 5 ", "30", "  Bye ").request().expect("valid");
        assert_eq!(
            settings,
            AutomationSettings {
                unanswered_after_minutes: Some(5),
                auto_close_after_minutes: Some(30),
                auto_close_text: Some("Bye".into()),
                typing_preview: false,
            }
        );
        assert_eq!(AutomationForm::of(&settings), form("5", "30", "Bye"));
    }

    #[test]
    fn the_typing_preview_box_round_trips() {
        let on = AutomationForm {
            typing_preview: true,
            ..form("", "", "")
        };
        let settings = on.request().expect("valid");
        assert_eq!(
            settings,
            AutomationSettings {
                typing_preview: true,
                ..AutomationSettings::default()
            }
        );
        assert_eq!(AutomationForm::of(&settings), on);
    }

    #[test]
    fn bad_numbers_and_a_text_without_auto_close_are_caught() {
        assert_eq!(
            form("0", "", "").request(),
            Err(AutomationError::Unanswered)
        );
        assert_eq!(
            form("1441", "", "").request(),
            Err(AutomationError::Unanswered)
        );
        assert_eq!(
            form("2.5", "", "").request(),
            Err(AutomationError::Unanswered)
        );
        assert_eq!(
            form("", "10081", "").request(),
            Err(AutomationError::AutoClose)
        );
        assert_eq!(
            form("", "-1", "").request(),
            Err(AutomationError::AutoClose)
        );
        assert_eq!(
            form("", "", "Bye").request(),
            Err(AutomationError::TextWithoutClose)
        );
    }
}

//! The form of a channel's automatic actions (the unanswered mark, auto-close on
//! the visitor's silence, the closing message and the rating) and the request it
//! makes, pure (native unit tests). The
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
    /// The auto-close message; empty: none.
    pub text: String,
    /// The live typing preview is on.
    pub typing_preview: bool,
    /// The message when an agent closes; empty: none.
    pub closing: String,
    /// Ask the visitor for a rating.
    pub rating: bool,
    /// Minutes to wait for the rating before the full close; empty: 0.
    pub rating_wait: String,
    /// Close fully as soon as the rating comes.
    pub close_on_rating: bool,
    /// KPI: minutes for the first answer; empty: no limit.
    pub kpi_first: String,
    /// KPI: minutes for each later answer; empty: no limit.
    pub kpi_next: String,
    /// The employee (agent id) told of overdue waits; empty: nobody.
    pub kpi_notify: String,
    /// The notice's text; empty: the server's default.
    pub kpi_text: String,
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
    /// The wait for the rating is not a whole number from 0 to 60.
    RatingWait,
    /// A KPI limit is not a whole number from 1 to 1440.
    Kpi,
    /// An employee to tell without any KPI limit.
    NotifyWithoutLimit,
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
            closing: settings.closing_text.clone().unwrap_or_default(),
            rating: settings.rating,
            rating_wait: match settings.rating_wait_minutes {
                0 => String::new(),
                m => m.to_string(),
            },
            close_on_rating: settings.close_on_rating,
            kpi_first: number(settings.kpi_first_minutes),
            kpi_next: number(settings.kpi_next_minutes),
            kpi_notify: settings
                .kpi_notify_agent_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            kpi_text: settings.kpi_notice_text.clone().unwrap_or_default(),
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
        let rating_wait = match self.rating_wait.trim() {
            "" => 0,
            raw => match raw.parse::<u32>() {
                Ok(m) if m <= limits::MAX_RATING_WAIT_MINUTES => m,
                _ => return Err(AutomationError::RatingWait),
            },
        };
        let closing = self.closing.trim();
        let kpi_first = minutes(
            &self.kpi_first,
            limits::MAX_KPI_MINUTES,
            AutomationError::Kpi,
        )?;
        let kpi_next = minutes(
            &self.kpi_next,
            limits::MAX_KPI_MINUTES,
            AutomationError::Kpi,
        )?;
        let kpi_notify = self
            .kpi_notify
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id > 0);
        if kpi_notify.is_some() && kpi_first.is_none() && kpi_next.is_none() {
            return Err(AutomationError::NotifyWithoutLimit);
        }
        let kpi_text = self.kpi_text.trim();
        // Without the rating there is no wait for it (the fields are disabled).
        Ok(AutomationSettings {
            unanswered_after_minutes: unanswered,
            auto_close_after_minutes: auto_close,
            auto_close_text: (!text.is_empty()).then(|| text.to_owned()),
            typing_preview: self.typing_preview,
            closing_text: (!closing.is_empty()).then(|| closing.to_owned()),
            rating: self.rating,
            rating_wait_minutes: if self.rating { rating_wait } else { 0 },
            close_on_rating: self.rating && self.close_on_rating,
            kpi_first_minutes: kpi_first,
            kpi_next_minutes: kpi_next,
            kpi_notify_agent_id: kpi_notify,
            kpi_notice_text: (!kpi_text.is_empty()).then(|| kpi_text.to_owned()),
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
            ..Default::default()
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
                ..Default::default()
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

    #[test]
    fn the_rating_fields_round_trip_and_count_only_with_the_rating_on() {
        let on = AutomationForm {
            closing: "  Thanks! ".into(),
            rating: true,
            rating_wait: " 15 ".into(),
            close_on_rating: true,
            ..Default::default()
        };
        let settings = on.request().expect("valid");
        assert_eq!(
            settings,
            AutomationSettings {
                closing_text: Some("Thanks!".into()),
                rating: true,
                rating_wait_minutes: 15,
                close_on_rating: true,
                ..Default::default()
            }
        );
        let back = AutomationForm::of(&settings);
        assert_eq!(
            (back.closing.as_str(), back.rating_wait.as_str()),
            ("Thanks!", "15")
        );
        // Off: what the disabled fields still hold is not sent.
        let off = AutomationForm {
            rating: false,
            ..on.clone()
        };
        let sent = off.request().expect("valid");
        assert_eq!(
            (sent.rating, sent.rating_wait_minutes, sent.close_on_rating),
            (false, 0, false)
        );
        for bad in ["61", "-1", "1.5", "soon"] {
            let form = AutomationForm {
                rating_wait: bad.into(),
                ..on.clone()
            };
            assert_eq!(form.request(), Err(AutomationError::RatingWait), "{bad}");
        }
        let zero = AutomationForm {
            rating_wait: String::new(),
            ..on
        };
        assert_eq!(zero.request().map(|s| s.rating_wait_minutes), Ok(0));
    }
}

//! A channel's automatic actions, each run by a durable timer on the server:
//! - the unanswered mark: a conversation whose visitor has waited
//!   `unanswered_after_minutes` without an agent's answer is marked unanswered
//!   ([`crate::agent::ConversationSummary::unanswered`]) until an agent answers;
//! - auto-close on the visitor's silence: `auto_close_after_minutes` after the
//!   agent's last message, while the visitor has not written since, the
//!   conversation closes, with `auto_close_text` as the last message the visitor
//!   sees (none when it is absent);
//! - the live typing preview (`typing_preview`, off unless set): the agent who
//!   has the conversation open sees the visitor's draft as it is typed (the
//!   visitor's `typing` frames carry it, see [`crate::ClientFrame::Typing`]), and
//!   the widget tells the visitor so before they type
//!   ([`crate::ChannelConfig::typing_preview`]). Drafts are never stored; turning
//!   it off stops them at once.
//! - the closing message and the rating: `closing_text` is the last message the
//!   visitor sees when an agent closes the conversation; with `rating` on the
//!   widget then asks for a rating and the conversation stays closed, awaiting the
//!   rating, for `rating_wait_minutes` (0 to 60; 0: it closes fully at once)
//!   before it closes fully; with `close_on_rating` a rating given during the
//!   wait closes it fully at once. A rating that comes after the full close opens
//!   the conversation again (it comes back to the agents, rated). With `rating`
//!   off the widget does not ask for one.
//!
//! - response-time KPIs (see [`crate::kpi`]): `kpi_first_minutes` is the
//!   longest a visitor's first message may wait for an agent's answer,
//!   `kpi_next_minutes` the longest each later wait may last (a wait starts with
//!   the visitor's first message after an agent's answer). Only time while the
//!   channel is open counts when it has working hours. With
//!   `kpi_notify_agent_id` set, an overdue wait sends that employee one notice
//!   (per wait), the text `kpi_notice_text` with `#OPERATOR#` replaced by the
//!   name of the agent holding the conversation and `#DIALOG#` by its id (the
//!   console links it to the conversation).
//!
//! Route: `GET`/`PUT /api/v1/admin/channels/{key}/automation`
//! ([`AutomationSettings`] both ways; a channel never set has every action off).

use serde::{Deserialize, Serialize};

/// Sizes the automation API enforces.
pub mod limits {
    /// Most minutes before the unanswered mark (a day).
    pub const MAX_UNANSWERED_MINUTES: u32 = 24 * 60;
    /// Most minutes of the visitor's silence before auto-close (a week).
    pub const MAX_AUTO_CLOSE_MINUTES: u32 = 7 * 24 * 60;
    /// Longest auto-close or closing text, in characters.
    pub const MAX_TEXT_CHARS: usize = 1000;
    /// Longest wait for the visitor's rating before the full close (an hour).
    pub const MAX_RATING_WAIT_MINUTES: u32 = 60;
    /// Most minutes of a KPI response limit (a day).
    pub const MAX_KPI_MINUTES: u32 = 24 * 60;
}

/// The notice text when the channel sets none.
pub const DEFAULT_KPI_NOTICE: &str = "#OPERATOR# has not answered conversation #DIALOG# in time.";

/// A channel's automatic actions; an absent number turns its action off.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct AutomationSettings {
    /// Minutes without an agent's answer before the conversation is marked
    /// unanswered (1 to 1440).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_after_minutes: Option<u32>,
    /// Minutes of the visitor's silence after the agent's last message before the
    /// conversation closes (1 to 10080).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_close_after_minutes: Option<u32>,
    /// The closing message the visitor sees when it closes so (at most 1000
    /// characters; absent or blank: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_close_text: Option<String>,
    /// The message the visitor sees when an agent closes the conversation (at
    /// most 1000 characters; absent or blank: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_text: Option<String>,
    /// The widget asks the visitor for a rating once the conversation is closed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rating: bool,
    /// Minutes the conversation stays closed awaiting the rating before it closes
    /// fully (0 to 60; needs `rating`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rating_wait_minutes: u32,
    /// A rating given during the wait closes the conversation fully at once
    /// (needs `rating`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub close_on_rating: bool,
    /// The agent sees the visitor's draft as it is typed (throttled, never
    /// stored), and the widget says so. Off unless `true`.
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "typing_preview"
    )]
    pub typing_preview: bool,
    /// KPI: the longest wait for the first answer, in minutes (1 to 1440; absent:
    /// no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi_first_minutes: Option<u32>,
    /// KPI: the longest wait for each later answer, in minutes (1 to 1440;
    /// absent: no limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi_next_minutes: Option<u32>,
    /// The employee (agent id) who gets a notice when a KPI limit is overdue;
    /// absent: no notices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi_notify_agent_id: Option<u64>,
    /// The notice's text, with `#OPERATOR#` and `#DIALOG#` (at most 1000
    /// characters; absent or blank: [`DEFAULT_KPI_NOTICE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi_notice_text: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// `typing_preview` as a boolean, refused with a message naming the field.
fn typing_preview<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    bool::deserialize(d)
        .map_err(|_| serde::de::Error::custom("typing_preview must be true or false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typing_preview_is_off_unless_true_and_sent_only_when_on() {
        let off: AutomationSettings = serde_json::from_str("{}").expect("parse");
        assert!(!off.typing_preview);
        assert_eq!(serde_json::to_string(&off).expect("serialise"), "{}");
        let on = AutomationSettings {
            typing_preview: true,
            ..AutomationSettings::default()
        };
        let json = serde_json::to_string(&on).expect("serialise");
        assert_eq!(json, r#"{"typing_preview":true}"#);
        assert_eq!(
            serde_json::from_str::<AutomationSettings>(&json).expect("parse"),
            on
        );
        for bad in [
            r#"{"typing_preview":"yes"}"#,
            r#"{"typing_preview":1}"#,
            r#"{"typing_preview":null}"#,
        ] {
            let error = serde_json::from_str::<AutomationSettings>(bad).expect_err(bad);
            assert!(
                error.to_string().contains("typing_preview"),
                "{bad}: {error}"
            );
        }
    }
}

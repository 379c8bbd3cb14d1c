//! A channel's automatic actions, each run by a durable timer on the server:
//! - the unanswered mark: a conversation whose visitor has waited
//!   `unanswered_after_minutes` without an agent's answer is marked unanswered
//!   ([`crate::agent::ConversationSummary::unanswered`]) until an agent answers;
//! - auto-close on the visitor's silence: `auto_close_after_minutes` after the
//!   agent's last message, while the visitor has not written since, the
//!   conversation closes, with `auto_close_text` as the last message the visitor
//!   sees (none when it is absent).
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
    /// Longest auto-close text, in characters.
    pub const MAX_TEXT_CHARS: usize = 1000;
}

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
}

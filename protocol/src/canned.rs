//! Canned answers: a channel's ready-made replies, each under a short code that agents
//! type after `/` in the reply box. `{name}` in a text stands for the visitor's name
//! and `{agent}` for the answering agent's, filled in by the server for a reply.
//!
//! Routes:
//! - admin (admins, and supervisors who manage the channel):
//!   `GET`/`POST /api/v1/admin/channels/{key}/canned` ([`CannedList`]; [`CannedDraft`] ->
//!   201 [`CannedAnswer`]), `PUT`/`DELETE /api/v1/admin/channels/{key}/canned/{id}`;
//! - agents: `GET /api/v1/agent/conversations/{id}/canned` ([`CannedList`]): the
//!   answers of the conversation's channel with `{name}` and `{agent}` filled in, for
//!   the reply box.

use serde::{Deserialize, Serialize};

/// Sizes the canned answers' API enforces.
pub mod limits {
    /// Longest code, in characters (`a`-`z`, `0`-`9`, `-`, `_`).
    pub const MAX_CODE_CHARS: usize = 32;
    /// Longest text, in characters (a message's own limit).
    pub const MAX_TEXT_CHARS: usize = crate::limits::MAX_MESSAGE_CHARS;
    /// Most canned answers per channel.
    pub const MAX_PER_CHANNEL: usize = 500;
}

/// A canned answer to make or to change.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(deny_unknown_fields)]
pub struct CannedDraft {
    /// What agents type after `/`: 1 to 32 of `a`-`z`, `0`-`9`, `-` and `_`, unique in
    /// the channel.
    pub code: String,
    /// The reply, with `{name}` and `{agent}` where the names go.
    pub text: String,
}

/// A canned answer as stored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CannedAnswer {
    pub id: i64,
    pub code: String,
    pub text: String,
}

/// A channel's canned answers, by code.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct CannedList {
    pub canned: Vec<CannedAnswer>,
}

/// Whether `code` is a valid code (see [`CannedDraft::code`]).
pub fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.chars().count() <= limits::MAX_CODE_CHARS
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_lowercase_words() {
        for good in ["thanks", "hi", "ship-time", "faq_2", "a"] {
            assert!(valid_code(good), "{good}");
        }
        for bad in ["", "Thanks", "two words", "/thanks", "é", &"x".repeat(33)] {
            assert!(!valid_code(bad), "{bad}");
        }
    }
}

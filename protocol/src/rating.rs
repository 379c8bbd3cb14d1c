//! The visitor's rating of a conversation: like or dislike, with an optional comment.
//!
//! `PUT /api/v1/channels/{key}/conversations/{id}/rating` with [`RateConversation`];
//! the answer and the agent console's [`crate::agent::ConversationSummary`] carry
//! [`RatingView`]. A later rating of the same conversation replaces the earlier one
//! (the visitor changed their mind).

use serde::{Deserialize, Serialize};

/// Longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// How the visitor found the conversation.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Like,
    Dislike,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Like => "like",
            Self::Dislike => "dislike",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "like" => Some(Self::Like),
            "dislike" => Some(Self::Dislike),
            _ => None,
        }
    }
}

/// The widget's request.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RateConversation {
    pub visitor_token: String,
    pub rating: Rating,
    /// Plain text, at most [`MAX_COMMENT_CHARS`]; blank means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A stored rating.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct RatingView {
    pub rating: Rating,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// RFC 3339, UTC.
    pub rated_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_read_and_write_as_the_api_shows_them() {
        let request: RateConversation = serde_json::from_str(
            r#"{"visitor_token":"v1.x","rating":"dislike","comment":"Too slow"}"#,
        )
        .expect("request");
        assert_eq!(request.rating, Rating::Dislike);
        assert_eq!(request.comment.as_deref(), Some("Too slow"));
        for bad in [
            r#"{"visitor_token":"v","rating":"meh"}"#,
            r#"{"visitor_token":"v"}"#,
            r#"{"visitor_token":"v","rating":"like","stars":5}"#,
        ] {
            assert!(
                serde_json::from_str::<RateConversation>(bad).is_err(),
                "{bad}"
            );
        }
        for rating in [Rating::Like, Rating::Dislike] {
            assert_eq!(Rating::parse(rating.as_str()), Some(rating));
        }
        assert_eq!(Rating::parse("Like"), None);
    }
}

//! The visitor's rating of a conversation (like or dislike, optional comment).
//!
//! `PUT /api/v1/channels/{key}/conversations/{id}/rating`: only the conversation's own
//! visitor (by their token) may rate it; a later rating replaces the earlier one. The
//! agents' consoles show it on the conversation.

use axum::extract::{Path, State};
use axum::Json;
use canal_protocol::rating::{RateConversation, Rating, RatingView, MAX_COMMENT_CHARS};
use canal_protocol::ErrorCode;
use canal_store::Store;

use crate::api::{channel, consenting_visitor};
use crate::app::AppState;
use crate::clock::now_rfc3339;
use crate::error::{ApiJson, AppError};

/// The stored rating of a conversation, if any.
pub async fn of_conversation(
    store: &Store,
    conversation_id: &str,
) -> Result<Option<RatingView>, canal_store::Error> {
    let row = store.rating(conversation_id).await?;
    Ok(row.and_then(
        |canal_store::features::RatingRow {
             rating,
             comment,
             rated_at,
         }| {
            Some(RatingView {
                rating: Rating::parse(&rating)?,
                comment,
                rated_at,
            })
        },
    ))
}

/// A comment as stored: trimmed, blank as none; refused when too long or holding
/// control characters other than line breaks and tabs.
fn comment(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            format!("comment is longer than {MAX_COMMENT_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::unprocessable(
            ErrorCode::InvalidField,
            "comment holds control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// `PUT /api/v1/channels/{key}/conversations/{id}/rating`
pub async fn rate(
    State(state): State<AppState>,
    Path((key, conversation_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<RateConversation>,
) -> Result<Json<RatingView>, AppError> {
    let channel = channel(&state, &key).await?;
    let visitor_id = consenting_visitor(&state, &channel, &request.visitor_token).await?;
    let comment = comment(request.comment.as_deref())?;
    let conversation = state.store.conversation(&conversation_id).await?;
    if !conversation.is_some_and(|c| c.visitor_id == visitor_id && c.channel_id == channel.id) {
        return Err(AppError::not_found(
            ErrorCode::UnknownConversation,
            "no conversation with this id belongs to this visitor",
        ));
    }
    let view = RatingView {
        rating: request.rating,
        comment,
        rated_at: now_rfc3339(),
    };
    let row = canal_store::features::RatingRow {
        rating: view.rating.as_str().to_owned(),
        comment: view.comment.clone(),
        rated_at: view.rated_at.clone(),
    };
    state.store.rate(&conversation_id, &row).await?;
    state.dispatch.rated(&conversation_id, view.clone()).await;
    Ok(Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_trimmed_and_checked() {
        assert_eq!(comment(None).ok(), Some(None));
        assert_eq!(comment(Some("  \n ")).ok(), Some(None));
        assert_eq!(
            comment(Some(" Quick,\nthanks! ")).ok(),
            Some(Some("Quick,\nthanks!".to_owned()))
        );
        assert!(comment(Some(&"x".repeat(MAX_COMMENT_CHARS))).is_ok());
        assert!(comment(Some(&"x".repeat(MAX_COMMENT_CHARS + 1))).is_err());
        assert!(comment(Some("bell \u{7}")).is_err());
    }
}

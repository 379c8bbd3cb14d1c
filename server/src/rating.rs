//! The visitor's rating of a conversation (like or dislike, optional comment).
//!
//! `PUT /api/v1/channels/{key}/conversations/{id}/rating`: only the conversation's own
//! visitor (by their token) may rate it; a later rating replaces the earlier one. The
//! agents' consoles show it on the conversation.

use axum::extract::{Path, State};
use axum::Json;
use canal_protocol::rating::{RateConversation, Rating, RatingView};
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

/// `PUT /api/v1/channels/{key}/conversations/{id}/rating`
pub async fn rate(
    State(state): State<AppState>,
    Path((key, conversation_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<RateConversation>,
) -> Result<Json<RatingView>, AppError> {
    let channel = channel(&state, &key).await?;
    let visitor_id = consenting_visitor(&state, &channel, &request.visitor_token).await?;
    let comment = canal_core::validate::comment(request.comment.as_deref())?;
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

//! Handler of the visitor's rating of a conversation,
//! `PUT /api/v1/channels/{key}/conversations/{id}/rating` (see
//! [`crate::services::ratings`]).

use axum::extract::{Path, State};
use axum::Json;
use canal_protocol::rating::{RateConversation, RatingView};

use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::{ratings, visitors::channel};

/// `PUT /api/v1/channels/{key}/conversations/{id}/rating`
pub async fn rate(
    State(state): State<AppState>,
    Path((key, conversation_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<RateConversation>,
) -> Result<Json<RatingView>, AppError> {
    let channel = channel(&state, &key).await?;
    let view = ratings::rate(
        &state,
        &channel,
        &conversation_id,
        &request.visitor_token,
        request.rating,
        request.comment.as_deref(),
    )
    .await?;
    Ok(Json(view))
}

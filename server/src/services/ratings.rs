//! The visitor's rating of a conversation (like or dislike, optional comment):
//! only the conversation's own visitor may rate it; a later rating replaces the
//! earlier one, and the agents' consoles hear of it. A rating may end the
//! conversation's wait for it, or open it again after its full close (see
//! [`crate::services::automation::rated`]).

use canal_protocol::rating::{Rating, RatingView};
use canal_store::Store;

use super::visitors::{consenting_visitor, own_conversation};
use crate::app::AppState;
use crate::clock::now_rfc3339;
use crate::error::AppError;
use crate::store::Channel;

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

/// The visitor (by their token) rates their conversation.
pub async fn rate(
    state: &AppState,
    channel: &Channel,
    conversation_id: &str,
    visitor_token: &str,
    rating: Rating,
    comment: Option<&str>,
) -> Result<RatingView, AppError> {
    let visitor_id = consenting_visitor(state, channel, visitor_token).await?;
    let comment = canal_core::validate::comment(comment)?;
    own_conversation(state, &channel.id, &visitor_id, conversation_id).await?;
    let view = RatingView {
        rating,
        comment,
        rated_at: now_rfc3339(),
    };
    let row = canal_store::features::RatingRow {
        rating: view.rating.as_str().to_owned(),
        comment: view.comment.clone(),
        rated_at: view.rated_at.clone(),
    };
    state.store.rate(conversation_id, &row).await?;
    state.dispatch.rated(conversation_id, view.clone()).await;
    // Stored and answered whatever follows: what the rating does to the
    // conversation (closes it fully, or opens it again) is logged when it fails.
    if let Err(e) =
        crate::services::automation::rated(state, &channel.id, conversation_id, &view).await
    {
        tracing::error!(error = %e, "acting on a rating failed");
    }
    Ok(view)
}

//! The message log in the admin API: `GET /api/v1/admin/conversations` (every
//! channel's conversations, newest first, filtered by channel, agent, status and
//! date) and `GET /api/v1/admin/conversations/{id}` (one with its history, rating
//! and routing log). See [`crate::services::log`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use canal_protocol::agent::{ConversationLog, ConversationRecord};
use serde::Deserialize;

use super::consents::{bad_query, time_range};
use super::Admin;
use crate::app::AppState;
use crate::error::AppError;
use crate::services::log::{self, Page};

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/conversations", get(list))
        .route("/conversations/{id}", get(one))
}

/// Query parameters of the log.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogQuery {
    /// A channel's key.
    channel: Option<String>,
    /// An agent's id: the conversations they hold or held.
    agent: Option<String>,
    /// `open` or `closed`.
    status: Option<String>,
    /// Started on or after: `YYYY-MM-DD` or RFC 3339.
    from: Option<String>,
    /// Started on or before: `YYYY-MM-DD` (the whole day) or RFC 3339.
    to: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/admin/conversations`
async fn list(
    _: Admin,
    State(state): State<AppState>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<ConversationLog>, AppError> {
    let Query(query) = query.map_err(bad_query)?;
    let (from, until) = time_range(query.from.as_deref(), query.to.as_deref())?;
    let page = Page {
        channel_key: query.channel,
        agent: query.agent,
        status: query.status,
        from,
        until,
        cursor: query.cursor,
        limit: query.limit,
    };
    Ok(Json(log::list(&state, page).await?))
}

/// `GET /api/v1/admin/conversations/{id}`
async fn one(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationRecord>, AppError> {
    Ok(Json(log::record(&state, &id).await?))
}

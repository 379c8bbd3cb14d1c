//! `/api/v1/admin/channels/{key}/canned`: a channel's canned answers, for admins and
//! the channel's managers (see [`crate::services::canned`]); agents read them filled
//! in for a reply with [`for_reply`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use canal_protocol::canned::{CannedAnswer, CannedDraft, CannedList};

use super::Manager;
use crate::agent_api::SignedIn;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::canned;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/{key}/canned", get(list).post(create))
        .route("/channels/{key}/canned/{id}", put(update).delete(delete))
}

async fn list(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<CannedList>, AppError> {
    Ok(Json(CannedList {
        canned: canned::list(&state, &key).await?,
    }))
}

/// `GET /api/v1/agent/conversations/{id}/canned`: the canned answers of the
/// conversation's channel, filled in for the agent's reply there (403 for a
/// conversation they may not open).
pub async fn for_reply(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CannedList>, AppError> {
    Ok(Json(CannedList {
        canned: canned::for_reply(&state, &agent, &id).await?,
    }))
}

async fn create(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(draft): ApiJson<CannedDraft>,
) -> Result<(StatusCode, Json<CannedAnswer>), AppError> {
    let made = canned::create(&state, &key, draft).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

async fn update(
    _: Manager,
    State(state): State<AppState>,
    Path((key, id)): Path<(String, String)>,
    ApiJson(draft): ApiJson<CannedDraft>,
) -> Result<Json<CannedAnswer>, AppError> {
    Ok(Json(canned::update(&state, &key, &id, draft).await?))
}

async fn delete(
    _: Manager,
    State(state): State<AppState>,
    Path((key, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    canned::delete(&state, &key, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The conversation list in the console's API (cookie-authenticated agents):
//! `GET /api/v1/agent/conversations` (searched, filtered, sorted, paged: the
//! conversations the agent may see, every one for an admin, as slim rows with
//! their figures; or all of them as CSV), `GET /api/v1/agent/conversations/{id}`
//! (one in full), `GET /api/v1/agent/labels`, and
//! `PUT, DELETE /api/v1/agent/conversations/{id}/labels/{label}`. See
//! [`crate::services::log`] and [`crate::services::labels`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use canal_protocol::agent::{ConversationRecord, Label};

use crate::admin::conversations::{csv_response, list_query, Format, ListQuery};
use crate::agent_api::SignedIn;
use crate::app::AppState;
use crate::error::AppError;
use crate::services::labels;
use crate::services::log::{self, Viewer};

/// The routes of this module, under `/api/v1/agent`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agent/conversations", get(list))
        .route("/api/v1/agent/conversations/{id}", get(one))
        .route("/api/v1/agent/labels", get(all_labels))
        .route(
            "/api/v1/agent/conversations/{id}/labels/{label}",
            put(set_label).delete(unset_label),
        )
}

/// `GET /api/v1/agent/conversations`
async fn list(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AppError> {
    let (page, format) = list_query(query)?;
    let viewer = Viewer::of(&state, &agent).await;
    Ok(match format {
        Format::Json => Json(log::slim_list(&state, &viewer, page).await?).into_response(),
        Format::Csv => csv_response(log::export(&state, &viewer, page).await?),
    })
}

/// `GET /api/v1/agent/conversations/{id}`
async fn one(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationRecord>, AppError> {
    let viewer = Viewer::of(&state, &agent).await;
    Ok(Json(log::record(&state, &viewer, &id).await?))
}

/// `GET /api/v1/agent/labels`
async fn all_labels(
    SignedIn(_): SignedIn,
    State(state): State<AppState>,
) -> Result<Json<Vec<Label>>, AppError> {
    Ok(Json(labels::list(&state).await?))
}

/// `PUT /api/v1/agent/conversations/{id}/labels/{label}`
async fn set_label(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    Path((id, label)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    labels::set(&state, &agent, &id, &label, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/agent/conversations/{id}/labels/{label}`
async fn unset_label(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    Path((id, label)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    labels::set(&state, &agent, &id, &label, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

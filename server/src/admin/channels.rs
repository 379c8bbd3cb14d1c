//! Admin handlers for channels: `POST` and `GET /api/v1/admin/channels` (with
//! `?deleted=true`, the deleted ones too), `GET`,
//! `PATCH` and `DELETE /api/v1/admin/channels/{key}` (see
//! [`crate::services::channels`]).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use canal_protocol::channels::{
    ChannelList, ChannelView, CreateChannel, SetManagers, UpdateChannel,
};
use serde::Deserialize;

use super::{Admin, Configurer, Manager};
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::channels;

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels", get(list).post(create))
        .route("/channels/{key}", get(one).patch(update).delete(delete))
        .route("/channels/{key}/managers", put(set_managers))
}

/// `POST /api/v1/admin/channels` -> 201 with the channel and its snippet.
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateChannel>,
) -> Result<(StatusCode, Json<ChannelView>), AppError> {
    let channel = channels::create(&state.store, request).await?;
    Ok((
        StatusCode::CREATED,
        Json(channels::view(&state, channel).await?),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// The deleted channels too, each with its `deleted_at`.
    #[serde(default)]
    deleted: bool,
}

/// `GET /api/v1/admin/channels[?deleted=true]`: a supervisor sees the channels
/// they manage. A bad query gets 422 (`AppError::invalid`).
async fn list(
    who: Configurer,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<ChannelList>, AppError> {
    let Query(query) = query.map_err(|e| AppError::invalid(e.body_text()))?;
    Ok(Json(ChannelList {
        channels: channels::list(&state, &who, query.deleted).await?,
    }))
}

/// `GET /api/v1/admin/channels/{key}`
async fn one(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<ChannelView>, AppError> {
    let channel = channels::of_admin(&state, &key).await?;
    Ok(Json(channels::view(&state, channel).await?))
}

/// `PATCH /api/v1/admin/channels/{key}`
async fn update(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<UpdateChannel>,
) -> Result<Json<ChannelView>, AppError> {
    let channel = channels::update(&state, &key, request).await?;
    Ok(Json(channels::view(&state, channel).await?))
}

/// `DELETE /api/v1/admin/channels/{key}` -> 204.
async fn delete(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, AppError> {
    channels::delete(&state, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/admin/channels/{key}/managers` (admins only).
async fn set_managers(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<SetManagers>,
) -> Result<Json<ChannelView>, AppError> {
    let channel = channels::set_managers(&state, &key, &request.agent_ids).await?;
    Ok(Json(channels::view(&state, channel).await?))
}

//! `/api/v1/admin/bans`: ban an address, a network or a visitor; list; lift (see
//! [`crate::services::bans`]).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use canal_protocol::bans::{BanList, BanView, NewBan};
use serde::Deserialize;

use super::AdminWho;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::bans;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bans", get(list).post(create))
        .route("/bans/{id}", delete(lift))
}

/// `POST /api/v1/admin/bans` -> 201.
async fn create(
    AdminWho(who): AdminWho,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<NewBan>,
) -> Result<(StatusCode, Json<BanView>), AppError> {
    let ban = bans::create(&state, request, &who).await?;
    Ok((StatusCode::CREATED, Json(ban)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    all: bool,
}

/// `GET /api/v1/admin/bans[?all=true]`.
async fn list(
    _: AdminWho,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<BanList>, AppError> {
    let Query(query) = query.map_err(|e| AppError::invalid(e.body_text()))?;
    Ok(Json(BanList {
        bans: bans::list(&state, query.all).await?,
    }))
}

/// `DELETE /api/v1/admin/bans/{id}`: lifts it (the record stays).
async fn lift(
    AdminWho(who): AdminWho,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BanView>, AppError> {
    Ok(Json(bans::lift(&state, &id, &who).await?))
}

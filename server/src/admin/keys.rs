//! API keys for integrations, made and revoked by admins (the admin token or an
//! admin's session; a key may not manage keys): `POST /api/v1/admin/api-keys`
//! (the key shown once), `GET /api/v1/admin/api-keys`,
//! `DELETE /api/v1/admin/api-keys/{id}` (revokes; the row stays). See
//! [`crate::services::integrations`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use canal_protocol::integrations::{ApiKeyCreated, ApiKeyView, NewApiKey, Scope};

use super::{Admin, AdminWho};
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::integrations as service;

/// What every key starts with.
pub const KEY_PREFIX: &str = "canal_";

/// The scopes of a stored list (`read_consents,write_messages`).
pub fn scopes(listed: &str) -> Vec<Scope> {
    listed.split(',').filter_map(Scope::parse).collect()
}

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api-keys", post(create).get(list))
        .route("/api-keys/{id}", delete(revoke))
}

/// `POST /api/v1/admin/api-keys` -> 201 with the key, shown this once.
async fn create(
    AdminWho(who): AdminWho,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<NewApiKey>,
) -> Result<(StatusCode, Json<ApiKeyCreated>), AppError> {
    let created = service::create_key(&state, request, &who).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /api/v1/admin/api-keys`
async fn list(_: Admin, State(state): State<AppState>) -> Result<Json<Vec<ApiKeyView>>, AppError> {
    Ok(Json(service::keys(&state).await?))
}

/// `DELETE /api/v1/admin/api-keys/{id}`: the key stops working at once.
async fn revoke(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ApiKeyView>, AppError> {
    Ok(Json(service::revoke_key(&state, &id).await?))
}

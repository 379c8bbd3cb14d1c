//! Labels in the admin API: `GET, POST /api/v1/admin/labels` and
//! `DELETE /api/v1/admin/labels/{id}` (admins only). See
//! [`crate::services::labels`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use canal_protocol::agent::{Label, NewLabel};

use super::Admin;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::labels;

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/labels", get(list).post(create))
        .route("/labels/{id}", delete(remove))
}

/// `GET /api/v1/admin/labels`
async fn list(_: Admin, State(state): State<AppState>) -> Result<Json<Vec<Label>>, AppError> {
    Ok(Json(labels::list(&state).await?))
}

/// `POST /api/v1/admin/labels`
async fn create(
    _: Admin,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewLabel>,
) -> Result<(StatusCode, Json<Label>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(labels::create(&state, new).await?),
    ))
}

/// `DELETE /api/v1/admin/labels/{id}`
async fn remove(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    labels::delete(&state, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Handlers of identity verification (`Canal.setUser`): the visitor's identify
//! call and the channel's settings in the admin API. The rules are in
//! [`crate::services::identity`] and [`canal_core::identity`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::admin::{IdentitySecret, IdentityView, SetIdentity};
use canal_protocol::{Identified, IdentifyRequest};

use crate::admin::Manager;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::{channels::of_admin, identity, visitors::channel};

pub use canal_core::identity::{sign, MAX_CLOCK_SKEW_SECS, MAX_USER_ID_BYTES};

/// `POST /api/v1/channels/{key}/identify`
pub async fn identify(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<IdentifyRequest>,
) -> Result<Json<Identified>, AppError> {
    let channel = channel(&state, &key).await?;
    let verified =
        identity::identify(&state, &channel, &request.visitor_token, &request.user).await?;
    Ok(Json(Identified { verified }))
}

/// `GET /api/v1/admin/channels/{key}/identity`
pub async fn get_settings(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<IdentityView>, AppError> {
    let channel = of_admin(&state, &key).await?;
    Ok(Json(identity::settings_view(&state, &channel).await?))
}

/// `PUT /api/v1/admin/channels/{key}/identity`
pub async fn put_settings(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<SetIdentity>,
) -> Result<Json<IdentityView>, AppError> {
    let channel = of_admin(&state, &key).await?;
    Ok(Json(
        identity::save_settings(&state, &channel, &request).await?,
    ))
}

/// `POST /api/v1/admin/channels/{key}/identity/secret`
pub async fn new_secret(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<(StatusCode, Json<IdentitySecret>), AppError> {
    let channel = of_admin(&state, &key).await?;
    let secret = identity::new_secret(&state, &channel).await?;
    Ok((StatusCode::CREATED, Json(IdentitySecret { secret })))
}

//! Handlers of messenger connectors: their gateway's signed events,
//! `POST /api/v1/connectors/{id}/events`, and their management under
//! `/api/v1/admin/connectors` (scope `manage_connectors`): create (the secret shown
//! once), list, read, change, the delivery log of replies and a re-send by hand.
//! See [`crate::services::connectors`].
//!
//! An event is signed as webhooks are: `Canal-Timestamp` (Unix seconds, within
//! five minutes of the server's clock) and `Canal-Signature: v1=<hex
//! HMAC-SHA256(secret, "<timestamp>.<body>")>`; the same signed request twice is
//! refused.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use canal_core::signature;
use canal_protocol::integrations::{
    ConnectorCreated, ConnectorEvent, ConnectorEventResult, ConnectorUpdate, ConnectorView,
    DeliveryView, NewConnector,
};
use canal_store::integrations::Target;

use crate::admin::scope::ManageConnectors;
use crate::admin::Allowed;
use crate::app::AppState;
use crate::error::{parse_json, ApiJson, AppError};
use crate::services::{connectors as service, integrations};

/// The management routes, to merge into the admin router.
pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/connectors", post(create).get(list))
        .route("/connectors/{id}", get(one).patch(update))
        .route("/connectors/{id}/deliveries", get(deliveries))
        .route(
            "/connectors/{id}/deliveries/{delivery}/resend",
            post(resend),
        )
}

/// `POST /api/v1/connectors/{id}/events`: 404 for no such connector, 401 for a
/// missing, stale or wrong signature, 409 for a replay; then 4xx for a bad body;
/// 200 with what was done.
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ConnectorEventResult>, AppError> {
    let connector = service::signer(&state, &id).await?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = header(signature::SIGNATURE_HEADER);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    signature::verify(
        &connector.secret,
        header(signature::TIMESTAMP_HEADER),
        signed,
        &body,
        now,
    )?;
    let event: ConnectorEvent = parse_json(&body)?;
    let result = service::event(&state, &connector, signed.unwrap_or_default(), event).await?;
    Ok(Json(result))
}

/// `POST /api/v1/admin/connectors` -> 201 with the secret, shown this once.
async fn create(
    _: Allowed<ManageConnectors>,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<NewConnector>,
) -> Result<(StatusCode, Json<ConnectorCreated>), AppError> {
    let created = service::create(&state, request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list(
    _: Allowed<ManageConnectors>,
    State(state): State<AppState>,
) -> Result<Json<Vec<ConnectorView>>, AppError> {
    Ok(Json(service::list(&state).await?))
}

async fn one(
    _: Allowed<ManageConnectors>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConnectorView>, AppError> {
    Ok(Json(service::one(&state, &id).await?))
}

async fn update(
    _: Allowed<ManageConnectors>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ConnectorUpdate>,
) -> Result<Json<ConnectorView>, AppError> {
    Ok(Json(service::update(&state, &id, request).await?))
}

async fn deliveries(
    _: Allowed<ManageConnectors>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliveryView>>, AppError> {
    service::check(&state, &id).await?;
    Ok(Json(
        integrations::deliveries(&state, Target::Connector, &id).await?,
    ))
}

async fn resend(
    _: Allowed<ManageConnectors>,
    State(state): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<DeliveryView>, AppError> {
    service::check(&state, &id).await?;
    let delivery = integrations::delivery_id(&delivery)?;
    Ok(Json(
        integrations::resend(&state, Target::Connector, &id, delivery).await?,
    ))
}

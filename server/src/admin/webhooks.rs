//! Webhook endpoints (scope `manage_webhooks`): `POST /api/v1/admin/webhooks`
//! (the signing secret shown once), `GET /api/v1/admin/webhooks`,
//! `GET, PATCH /api/v1/admin/webhooks/{id}`, the delivery log
//! `GET /api/v1/admin/webhooks/{id}/deliveries` and a re-send by hand
//! `POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/resend`. Also the
//! integrations' message post, `POST /api/v1/admin/conversations/{id}/messages`
//! (scope `write_messages`). See [`crate::services::integrations`] and
//! [`crate::hooks`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use canal_protocol::integrations::{
    DeliveryView, MessagePosted, NewWebhook, PostMessage, WebhookCreated, WebhookUpdate,
    WebhookView,
};
use canal_store::integrations::Target;

use super::scope::{ManageWebhooks, WriteMessages};
use super::Allowed;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::integrations as service;

/// The routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", post(create).get(list))
        .route("/webhooks/{id}", get(one).patch(update))
        .route("/webhooks/{id}/deliveries", get(deliveries))
        .route("/webhooks/{id}/deliveries/{delivery}/resend", post(resend))
        .route("/conversations/{id}/messages", post(post_message))
}

/// `POST /api/v1/admin/webhooks` -> 201 with the secret, shown this once.
async fn create(
    _: Allowed<ManageWebhooks>,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<WebhookCreated>), AppError> {
    let created = service::create_webhook(&state, request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn list(
    _: Allowed<ManageWebhooks>,
    State(state): State<AppState>,
) -> Result<Json<Vec<WebhookView>>, AppError> {
    Ok(Json(service::webhooks(&state).await?))
}

async fn one(
    _: Allowed<ManageWebhooks>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<WebhookView>, AppError> {
    Ok(Json(service::webhook(&state, &id).await?))
}

async fn update(
    _: Allowed<ManageWebhooks>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<WebhookUpdate>,
) -> Result<Json<WebhookView>, AppError> {
    Ok(Json(service::update_webhook(&state, &id, request).await?))
}

async fn deliveries(
    _: Allowed<ManageWebhooks>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeliveryView>>, AppError> {
    service::check_webhook(&state, &id).await?;
    Ok(Json(
        service::deliveries(&state, Target::Webhook, &id).await?,
    ))
}

async fn resend(
    _: Allowed<ManageWebhooks>,
    State(state): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<DeliveryView>, AppError> {
    service::check_webhook(&state, &id).await?;
    let delivery = service::delivery_id(&delivery)?;
    Ok(Json(
        service::resend(&state, Target::Webhook, &id, delivery).await?,
    ))
}

/// `POST /api/v1/admin/conversations/{id}/messages`: 201 for a new message, 200
/// for a repeat of its client id.
async fn post_message(
    _: Allowed<WriteMessages>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PostMessage>,
) -> Result<(StatusCode, Json<MessagePosted>), AppError> {
    let (new, posted) = service::post_message(&state, &id, request).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(posted)))
}

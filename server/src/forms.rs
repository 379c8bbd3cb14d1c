//! Handlers of the widget's contact form: the visitor's view and submission, and
//! the channel's form in the admin API (see [`crate::services::forms`]).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use canal_protocol::forms::{ContactFormView, ContactSubmission, ContactSubmitted, SetContactForm};

use crate::admin::Manager;
use crate::api::requester;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::ledger::Source;
use crate::services::{channels::of_admin, forms, visitors::channel};
use crate::validate;

pub use canal_core::forms::{MAX_FORM_AGREEMENTS, MAX_REQUEST_ID_BYTES};

/// `GET /api/v1/channels/{key}/form`
pub async fn get_form(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<ContactFormView>, AppError> {
    let channel = channel(&state, &key).await?;
    Ok(Json(forms::shown(&state, &channel).await?))
}

/// `GET /api/v1/admin/channels/{key}/form`: the form as saved (its fields and
/// agreement ids, the body `PUT` takes), for the console's editor; 404
/// `not_found` while the channel has none. Unlike the visitor's, it answers for a
/// channel switched off too.
pub async fn get_admin_form(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<SetContactForm>, AppError> {
    let channel = of_admin(&state, &key).await?;
    Ok(Json(forms::saved(&state, &channel).await?))
}

/// `PUT /api/v1/admin/channels/{key}/form`
pub async fn put_form(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<SetContactForm>,
) -> Result<Json<ContactFormView>, AppError> {
    let channel = of_admin(&state, &key).await?;
    Ok(Json(forms::save(&state, &channel, request).await?))
}

/// `POST /api/v1/channels/{key}/form`
pub async fn submit(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ContactSubmission>,
) -> Result<(StatusCode, Json<ContactSubmitted>), AppError> {
    let channel = channel(&state, &key).await?;
    let page_url = validate::page_url(&request.page_url)?;
    let by = requester(&state, Source::Form, peer, &headers)?;
    let submitted = forms::submit(&state, &channel, request, page_url, by).await?;
    Ok((StatusCode::CREATED, Json(submitted)))
}

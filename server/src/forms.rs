//! The widget's contact form: fields and form agreements per channel, and the
//! submission, which appends one consent record (source `form`) per accepted
//! agreement once every check has passed: required agreements accepted (and, for
//! "must open the full text", opened), versions current, fields valid.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use canal_protocol::forms::{ContactFormView, ContactSubmission, ContactSubmitted, SetContactForm};
use canal_protocol::ErrorCode;

use crate::admin::Admin;
use crate::api::{agreement_view, allowed_page, channel, consenting_visitor};
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::ledger::{Action, Entry, Source, Visitor};
use crate::validate;

pub use canal_core::forms::{MAX_FORM_AGREEMENTS, MAX_REQUEST_ID_BYTES};

fn invalid(message: impl Into<String>) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidField, message)
}

fn no_form() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "this channel has no contact form")
}

async fn stored(state: &AppState, channel_id: &str) -> Result<Option<SetContactForm>, AppError> {
    let row = state.store.form(channel_id).await?;
    Ok(row.map(|(fields, agreements)| SetContactForm {
        fields: serde_json::from_str(&fields).unwrap_or_default(),
        agreements: serde_json::from_str(&agreements).unwrap_or_default(),
    }))
}

async fn view(state: &AppState, form: SetContactForm) -> Result<ContactFormView, AppError> {
    let mut agreements = Vec::new();
    for id in &form.agreements {
        if let Some(view) = agreement_view(state, id).await? {
            agreements.push(view);
        }
    }
    Ok(ContactFormView {
        fields: form.fields,
        agreements,
    })
}

/// `GET /api/v1/channels/{key}/form`
pub async fn get_form(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<ContactFormView>, AppError> {
    let channel = channel(&state, &key).await?;
    let form = stored(&state, &channel.id).await?.ok_or_else(no_form)?;
    Ok(Json(view(&state, form).await?))
}

/// `PUT /api/v1/admin/channels/{key}/form`
pub async fn put_form(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<SetContactForm>,
) -> Result<Json<ContactFormView>, AppError> {
    let channel = channel(&state, &key).await?;
    canal_core::forms::check(&request)?;
    for id in &request.agreements {
        if state.store.agreement(id).await?.is_none() {
            return Err(invalid(format!("agreement {id} does not exist")));
        }
    }
    let fields =
        serde_json::to_string(&request.fields).map_err(|e| AppError::Internal(e.to_string()))?;
    let agreements = serde_json::to_string(&request.agreements)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .put_form(&channel.id, &fields, &agreements)
        .await?;
    Ok(Json(view(&state, request).await?))
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
    let form = stored(&state, &channel.id).await?.ok_or_else(no_form)?;
    let visitor_id = consenting_visitor(&state, &channel, &request.visitor_token).await?;
    if let Some(conversation_id) = &request.conversation_id {
        let ours = state
            .store
            .conversation(conversation_id)
            .await?
            .is_some_and(|c| c.visitor_id == visitor_id);
        if !ours {
            return Err(AppError::not_found(
                ErrorCode::UnknownConversation,
                "no conversation with this id belongs to this visitor",
            ));
        }
    }
    let page_url = validate::page_url(&request.page_url)?;
    allowed_page(&channel, &page_url)?;
    let user_agent = validate::user_agent(&headers)?;
    let shown = view(&state, form.clone()).await?.agreements;
    let canal_core::forms::Details { name, email, phone } =
        canal_core::forms::submission(&form.fields, &shown, &request)?;

    let ip = state.client_ip(peer, &headers);
    let mut consent_ids = Vec::new();
    for (n, agreement) in shown
        .iter()
        .filter(|a| request.accepted.contains(&a.version_id))
        .enumerate()
    {
        let entry = Entry {
            action: Action::Grant,
            agreement_version_id: agreement.version_id.clone(),
            channel_id: channel.id.clone(),
            visitor: Visitor::Existing(visitor_id.clone()),
            ip: Some(ip.clone()),
            user_agent: Some(user_agent.clone()),
            page_url: Some(page_url.clone()),
            source: Source::Form,
            conversation_id: request.conversation_id.clone(),
            crm_entity: None,
            request_id: request.request_id.as_ref().map(|r| format!("form{n}.{r}")),
        };
        let stored = crate::services::consents::append(
            &state,
            entry,
            "request_id was already used for a different submission",
        )
        .await?;
        consent_ids.push(stored.record.id);
    }

    let consents = serde_json::to_string(&consent_ids).unwrap_or_else(|_| "[]".into());
    let submission_id = state
        .store
        .submit_form(&canal_store::features::Submission {
            channel_id: &channel.id,
            visitor_id: &visitor_id,
            conversation_id: request.conversation_id.as_deref(),
            name: name.as_deref(),
            email: email.as_deref(),
            phone: phone.as_deref(),
            consent_ids: &consents,
            request_id: request.request_id.as_deref(),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ContactSubmitted {
            submission_id,
            consent_ids,
        }),
    ))
}

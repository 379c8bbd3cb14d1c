//! The widget's contact form: fields and form agreements per channel, and the
//! submission, which appends one consent record (source `form`) per accepted
//! agreement once every check has passed: required agreements accepted (and, for
//! "must open the full text", opened), versions current, fields valid.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use canal_protocol::admin::Behaviour;
use canal_protocol::forms::{
    ContactFormView, ContactSubmission, ContactSubmitted, FieldName, FormField, SetContactForm,
};
use canal_protocol::ErrorCode;

use crate::admin::Admin;
use crate::api::{agreement_view, allowed_page, channel, consenting_visitor};
use crate::app::AppState;
use crate::clock::now_rfc3339;
use crate::error::{ApiJson, AppError};
use crate::ledger::{Action, Appended, Entry, Source, Visitor};
use crate::validate;

/// Most agreements on one form.
pub const MAX_FORM_AGREEMENTS: usize = 10;
/// Longest submission idempotency key, in bytes (record keys add a suffix).
pub const MAX_REQUEST_ID_BYTES: usize = 56;

fn invalid(message: impl Into<String>) -> AppError {
    AppError::unprocessable(ErrorCode::InvalidField, message)
}

fn no_form() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "this channel has no contact form")
}

async fn stored(state: &AppState, channel_id: &str) -> Result<Option<SetContactForm>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT fields, agreements FROM channel_forms WHERE channel_id = ?1")
            .bind(channel_id)
            .fetch_optional(state.store.pool())
            .await?;
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
    let mut seen = Vec::new();
    for field in &request.fields {
        if seen.contains(&field.name) {
            return Err(invalid("each field may appear once"));
        }
        seen.push(field.name);
    }
    if request.agreements.len() > MAX_FORM_AGREEMENTS {
        return Err(invalid(format!(
            "a form shows at most {MAX_FORM_AGREEMENTS} agreements"
        )));
    }
    for (i, id) in request.agreements.iter().enumerate() {
        if request.agreements[..i].contains(id) {
            return Err(invalid("each agreement may appear once"));
        }
        if state.store.agreement(id).await?.is_none() {
            return Err(invalid(format!("agreement {id} does not exist")));
        }
    }
    let fields = serde_json::to_string(&request.fields)
        .map_err(|e| AppError::Store(sqlx::Error::Protocol(e.to_string())))?;
    let agreements = serde_json::to_string(&request.agreements)
        .map_err(|e| AppError::Store(sqlx::Error::Protocol(e.to_string())))?;
    sqlx::query(
        "INSERT INTO channel_forms (channel_id, fields, agreements, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (channel_id) DO UPDATE SET fields = excluded.fields,
         agreements = excluded.agreements, updated_at = excluded.updated_at",
    )
    .bind(&channel.id)
    .bind(fields)
    .bind(agreements)
    .bind(now_rfc3339())
    .execute(state.store.pool())
    .await?;
    Ok(Json(view(&state, request).await?))
}

fn required(behaviour: Behaviour) -> bool {
    matches!(
        behaviour,
        Behaviour::RequiredAutoAccepted | Behaviour::RequiredReadFullText
    )
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
    if let Some(request_id) = &request.request_id {
        validate::client_id("request_id", request_id)?;
        if request_id.len() > MAX_REQUEST_ID_BYTES {
            return Err(invalid(format!(
                "request_id must be at most {MAX_REQUEST_ID_BYTES} bytes"
            )));
        }
    }

    // Fields: present when required, valid when given, never unasked.
    let value = |name: FieldName| match name {
        FieldName::Name => request.name.as_deref(),
        FieldName::Email => request.email.as_deref(),
        FieldName::Phone => request.phone.as_deref(),
    };
    for name in [FieldName::Name, FieldName::Email, FieldName::Phone] {
        let asked: Option<&FormField> = form.fields.iter().find(|f| f.name == name);
        let given = value(name).filter(|v| !v.trim().is_empty());
        match (asked, given) {
            (None, Some(_)) => return Err(invalid(format!("{name:?} is not on this form"))),
            (Some(f), None) if f.required => {
                return Err(invalid(format!("{name:?} is required").to_lowercase()))
            }
            _ => {}
        }
    }
    let name = request
        .name
        .as_deref()
        .map(crate::agents::name)
        .transpose()?;
    let email = request
        .email
        .as_deref()
        .map(crate::agents::email)
        .transpose()?;
    let phone = request
        .phone
        .as_deref()
        .map(crate::identity::phone)
        .transpose()?;

    // Agreements: accepted ones are current versions of this form's agreements;
    // every required one is accepted (and opened, where its text must be read).
    let shown = view(&state, form).await?.agreements;
    if let Some(stranger) = request
        .accepted
        .iter()
        .chain(&request.opened)
        .find(|id| !shown.iter().any(|a| &a.version_id == *id))
    {
        return Err(AppError::unprocessable(
            ErrorCode::UnknownAgreementVersion,
            format!("{stranger} is not the current version of an agreement on this form; fetch the form again"),
        ));
    }
    for agreement in &shown {
        let accepted = request.accepted.contains(&agreement.version_id);
        if required(agreement.behaviour) && !accepted {
            return Err(AppError::unprocessable(
                ErrorCode::ConsentRequired,
                format!("\"{}\" must be accepted to send the form", agreement.title),
            ));
        }
        if accepted
            && agreement.behaviour == Behaviour::RequiredReadFullText
            && !request.opened.contains(&agreement.version_id)
        {
            return Err(AppError::unprocessable(
                ErrorCode::ConsentRequired,
                format!(
                    "the full text of \"{}\" must be opened before accepting it",
                    agreement.title
                ),
            ));
        }
    }

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
        match state.store.ledger().append(entry).await? {
            Appended::Recorded(record) | Appended::Replayed(record) => consent_ids.push(record.id),
            Appended::Conflict => {
                return Err(AppError::client(
                    StatusCode::CONFLICT,
                    ErrorCode::Conflict,
                    "request_id was already used for a different submission",
                ))
            }
        }
    }

    let id = uuid::Uuid::new_v4().to_string();
    let consents = serde_json::to_string(&consent_ids).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO contact_submissions (id, channel_id, visitor_id, conversation_id, name, email,
         phone, consent_ids, request_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (channel_id, request_id) DO NOTHING",
    )
    .bind(&id)
    .bind(&channel.id)
    .bind(&visitor_id)
    .bind(&request.conversation_id)
    .bind(&name)
    .bind(&email)
    .bind(&phone)
    .bind(&consents)
    .bind(&request.request_id)
    .bind(now_rfc3339())
    .execute(state.store.pool())
    .await?;
    let submission_id = match &request.request_id {
        Some(request_id) => {
            sqlx::query_scalar(
                "SELECT id FROM contact_submissions WHERE channel_id = ?1 AND request_id = ?2",
            )
            .bind(&channel.id)
            .bind(request_id)
            .fetch_one(state.store.pool())
            .await?
        }
        None => id,
    };
    Ok((
        StatusCode::CREATED,
        Json(ContactSubmitted {
            submission_id,
            consent_ids,
        }),
    ))
}

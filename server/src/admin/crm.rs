//! The CRM in the admin API: a channel's CRM switches
//! (`GET`/`PUT /api/v1/admin/channels/{key}/crm`), contacts (`GET /api/v1/admin/crm/contacts`, searched
//! by name, phone or e-mail; `GET`/`PATCH /api/v1/admin/crm/contacts/{id}`, `POST
//! /api/v1/admin/crm/contacts/{id}/merge`) and leads
//! and deals (`GET /api/v1/admin/crm/records`, `GET`/`PATCH
//! /api/v1/admin/crm/records/{id}`); and, for the console's agents, the customer
//! card beside a conversation (`GET /api/v1/agent/conversations/{id}/crm`) and "save
//! to CRM" from it (`POST` there). See [`crate::services::crm`].

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use canal_protocol::crm::{
    ContactCard, ContactEdit, ContactList, ConversationCrm, CrmSettings, MergeContact, RecordEdit,
    RecordList, RecordView,
};
use serde::Deserialize;

use super::consents::bad_query;
use super::scope::ReadCrm;
use super::{Admin, Allowed, Manager};
use crate::agent_api::SignedIn;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::services::crm;

/// The admin routes of this module, to merge into the admin router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/{key}/crm", get(get_settings).put(put_settings))
        .route("/crm/contacts", get(contacts))
        .route("/crm/contacts/{id}", get(contact).patch(edit_contact))
        .route("/crm/contacts/{id}/merge", post(merge_contact))
        .route("/crm/records", get(records))
        .route("/crm/records/{id}", get(record).patch(edit_record))
}

/// The console's routes of this module (cookie-authenticated agents).
pub fn agent_routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/agent/conversations/{id}/crm",
        get(for_conversation).post(save),
    )
}

/// `GET /api/v1/admin/channels/{key}/crm`: the channel's CRM switches.
async fn get_settings(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<CrmSettings>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    Ok(Json(crm::settings(&state, &channel.id).await?))
}

/// `PUT /api/v1/admin/channels/{key}/crm`
async fn put_settings(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<CrmSettings>,
) -> Result<Json<CrmSettings>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    Ok(Json(
        crm::save_settings(&state, &channel.id, request).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactQuery {
    /// Part of the name.
    q: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn contacts(
    _: Allowed<ReadCrm>,
    State(state): State<AppState>,
    query: Result<Query<ContactQuery>, QueryRejection>,
) -> Result<Json<ContactList>, AppError> {
    let Query(q) = query.map_err(bad_query)?;
    let contacts = crm::list(
        &state,
        q.q.as_deref(),
        q.phone.as_deref(),
        q.email.as_deref(),
        q.limit,
        q.offset,
    )
    .await?;
    Ok(Json(ContactList { contacts }))
}

async fn contact(
    _: Allowed<ReadCrm>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ContactCard>, AppError> {
    Ok(Json(crm::card(&state, &id).await?))
}

async fn edit_contact(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<ContactEdit>,
) -> Result<Json<ContactCard>, AppError> {
    Ok(Json(crm::edit(&state, &id, edit).await?))
}

/// `POST /api/v1/admin/crm/contacts/{id}/merge`: `{"from": "<contact id>"}`
/// merged into `{id}`; `{id}`'s card.
async fn merge_contact(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MergeContact>,
) -> Result<Json<ContactCard>, AppError> {
    Ok(Json(crm::merge(&state, &id, &request.from).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordQuery {
    /// `lead` or `deal`.
    kind: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn records(
    _: Allowed<ReadCrm>,
    State(state): State<AppState>,
    query: Result<Query<RecordQuery>, QueryRejection>,
) -> Result<Json<RecordList>, AppError> {
    let Query(q) = query.map_err(bad_query)?;
    let records = crm::records(&state, q.kind.as_deref(), q.limit, q.offset).await?;
    Ok(Json(RecordList { records }))
}

async fn record(
    _: Allowed<ReadCrm>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RecordView>, AppError> {
    Ok(Json(crm::record(&state, &id).await?))
}

async fn edit_record(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(edit): ApiJson<RecordEdit>,
) -> Result<Json<RecordView>, AppError> {
    Ok(Json(crm::edit_record(&state, &id, edit).await?))
}

/// `GET /api/v1/agent/conversations/{id}/crm`: the customer card (403 for a
/// conversation the agent may not open).
async fn for_conversation(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationCrm>, AppError> {
    Ok(Json(ConversationCrm {
        card: crm::for_conversation(&state, &agent, &id)
            .await?
            .map(Into::into),
    }))
}

/// `POST /api/v1/agent/conversations/{id}/crm`: "save to CRM": 201 when a contact
/// or record was made, 200 when the conversation was saved already.
async fn save(
    SignedIn(agent): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<ContactCard>), AppError> {
    let (card, made) = crm::save(&state, &agent, &id).await?;
    let status = if made {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(card)))
}

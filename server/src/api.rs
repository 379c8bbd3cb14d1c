//! Handlers of the public HTTP API under `/api/v1/channels/{key}/`: they parse the
//! request, call a service ([`crate::services`]) and shape the answer.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use canal_protocol::consents::{ConsentStateView, VisitorWithdrawal};
use canal_protocol::{
    ChannelConfig, ConsentCreated, ConsentRequest, ConversationCreated, ConversationRequest,
    ErrorCode,
};

use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::ledger::Source;
use crate::services::consents::{self, Requester};
use crate::services::conversations;
use crate::services::visitors::{allowed_page, channel, visitor_of};
use crate::validate;

/// Who is asking, from the connection and its headers (a clear 4xx for a user
/// agent that is not text or too long).
pub fn requester(
    state: &AppState,
    source: Source,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<Requester, AppError> {
    Ok(Requester {
        source,
        ip: state.client_ip(peer, headers),
        user_agent: validate::user_agent(headers)?,
    })
}

/// `GET /api/v1/channels/{key}/config`
pub async fn channel_config(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<ChannelConfig>, AppError> {
    let channel = channel(&state, &key).await?;
    Ok(Json(conversations::config(&state, channel).await?))
}

/// `POST /api/v1/channels/{key}/consents`: 201 once the record is durable.
pub async fn record_consent(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConsentRequest>,
) -> Result<(StatusCode, Json<ConsentCreated>), AppError> {
    let channel = channel(&state, &key).await?;
    let page_url = validate::page_url(&request.page_url)?;
    if let Some(request_id) = &request.request_id {
        validate::client_id("request_id", request_id)?;
    }
    let by = requester(&state, Source::Livechat, peer, &headers)?;
    let grant = consents::Grant {
        agreement_version_id: request.agreement_version_id,
        page_url,
        request_id: request.request_id,
    };
    let record = consents::grant(&state, channel, grant, by).await?;
    let visitor_id = record.visitor_id.unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(ConsentCreated {
            visitor_token: state.tokens.issue(&visitor_id),
            consent_id: record.id,
            visitor_id,
            recorded_at: record.created_at,
        }),
    ))
}

/// `POST /api/v1/channels/{key}/conversations`
pub async fn start_conversation(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<ConversationRequest>,
) -> Result<(StatusCode, Json<ConversationCreated>), AppError> {
    let channel = channel(&state, &key).await?;
    let page_url = request
        .page_url
        .as_deref()
        .map(validate::page_url)
        .transpose()?;
    if let Some(page_url) = &page_url {
        allowed_page(&channel, page_url)?;
    }
    let utm = request.utm.as_ref().map(validate::utm).transpose()?;
    let start = conversations::Start {
        page_url,
        utm,
        visitor_token: request.visitor_token,
        consent_id: request.consent_id,
    };
    let started = conversations::start(&state, &channel, start).await?;
    Ok((
        StatusCode::CREATED,
        Json(ConversationCreated {
            conversation_id: started.conversation_id,
            visitor_token: state.tokens.issue(&started.visitor_id),
        }),
    ))
}

/// `POST /api/v1/channels/{key}/consents/withdrawals`: the visitor withdraws.
pub async fn withdraw_consent(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<VisitorWithdrawal>,
) -> Result<(StatusCode, Json<ConsentStateView>), AppError> {
    let channel = channel(&state, &key).await?;
    let visitor_id = visitor_of(&state, &channel, &request.visitor_token).await?;
    let agreement_id = request
        .agreement_id
        .or(channel.consent_agreement_id)
        .ok_or_else(|| {
            AppError::not_found(
                ErrorCode::NotFound,
                "this channel has no agreement to withdraw from",
            )
        })?;
    let by = requester(&state, Source::Livechat, peer, &headers)?;
    let done = consents::withdraw(&state, &visitor_id, &agreement_id, by).await?;
    Ok(crate::admin::consents::withdrawal_answer(
        &visitor_id,
        &agreement_id,
        done,
    ))
}

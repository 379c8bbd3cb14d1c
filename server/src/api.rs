//! Handlers of the public HTTP API under `/api/v1/channels/{key}/`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use canal_protocol::{
    AgreementView, ChannelConfig, ConsentCreated, ConsentRequest, ConversationCreated,
    ConversationRequest, ErrorCode,
};

use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::ledger::{Action, Entry, Source, Visitor};
use crate::services::consents;
use crate::store::Channel;
use crate::validate;

pub async fn channel(state: &AppState, key: &str) -> Result<Channel, AppError> {
    state
        .store
        .channel_by_key(key)
        .await?
        .ok_or_else(|| AppError::not_found(ErrorCode::UnknownChannel, "no channel has this key"))
}

/// `GET /api/v1/channels/{key}/config`
pub async fn channel_config(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<ChannelConfig>, AppError> {
    let channel = channel(&state, &key).await?;
    let consent = match &channel.consent_agreement_id {
        Some(agreement_id) => agreement_view(&state, agreement_id).await?,
        None => None,
    };
    let theme = crate::theme::load(&state.store, &channel.id).await?;
    let hours = crate::hours::public_status(&state.store, &channel.id).await?;
    let offline = !state.dispatch.staffed(&channel.id).await?;
    Ok(Json(ChannelConfig {
        theme: crate::theme::frame(&theme),
        channel: channel.key,
        title: channel.title,
        greeting: channel.greeting,
        locale: channel.locale,
        consent,
        hours,
        offline,
    }))
}

/// The current version of an agreement as a visitor sees it.
pub async fn agreement_view(
    state: &AppState,
    agreement_id: &str,
) -> Result<Option<AgreementView>, AppError> {
    let agreement = state.store.agreement(agreement_id).await?;
    let version = state.store.latest_version(agreement_id).await?;
    Ok(agreement.zip(version).map(|(a, v)| AgreementView {
        full_text_path: format!("/agreements/{}", v.id),
        agreement_id: v.agreement_id,
        version_id: v.id,
        title: v.title,
        text: v.body,
        text_format: v.text_format.into(),
        label: v.label,
        sha256: v.sha256,
        behaviour: a.behaviour.into(),
        redirect_url: a.redirect_url,
    }))
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
    let unknown_version = || {
        AppError::unprocessable(
            ErrorCode::UnknownAgreementVersion,
            "agreement_version_id is not the current version of this channel's agreement; fetch the config again",
        )
    };
    let agreement_id = channel
        .consent_agreement_id
        .as_deref()
        .ok_or_else(unknown_version)?;
    let current = state
        .store
        .latest_version(agreement_id)
        .await?
        .ok_or_else(unknown_version)?;
    if current.id != request.agreement_version_id {
        return Err(unknown_version());
    }
    let page_url = validate::page_url(&request.page_url)?;
    allowed_page(&channel, &page_url)?;
    if let Some(request_id) = &request.request_id {
        validate::client_id("request_id", request_id)?;
    }
    let user_agent = validate::user_agent(&headers)?;
    let entry = Entry {
        action: Action::Grant,
        agreement_version_id: current.id,
        channel_id: channel.id,
        visitor: Visitor::New,
        ip: Some(state.client_ip(peer, &headers)),
        user_agent: Some(user_agent),
        page_url: Some(page_url),
        source: Source::Livechat,
        conversation_id: None,
        crm_entity: None,
        request_id: request.request_id,
    };
    let record = consents::append(
        &state,
        entry,
        "request_id was already used for a different consent",
    )
    .await?
    .record;
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
    let asks_consent = channel.consent_agreement_id.is_some();
    let consent_required = || {
        AppError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::ConsentRequired,
            "this channel asks for consent first: record it with POST /api/v1/channels/{key}/consents and pass consent_id",
        )
    };
    let visitor_id = match &request.visitor_token {
        Some(token) => Some(visitor_of(&state, &channel, token).await?),
        None => None,
    };
    if asks_consent && (request.consent_id.is_none() || visitor_id.is_none()) {
        return Err(if request.consent_id.is_none() {
            consent_required()
        } else {
            unauthorized()
        });
    }
    if let Some(consent_id) = &request.consent_id {
        let consent = state
            .store
            .consent_by_id(consent_id)
            .await?
            .ok_or_else(consent_required)?;
        if consent.channel_id != channel.id
            || consent.action != Action::Grant.as_str()
            || consent.visitor_id.is_none()
            || consent.visitor_id != visitor_id
        {
            return Err(consent_required());
        }
        // A consent withdrawn since no longer allows a conversation.
        if let (Some(agreement_id), Some(visitor)) = (&channel.consent_agreement_id, &visitor_id) {
            let latest = state.store.latest_consent(visitor, agreement_id).await?;
            if latest.is_none_or(|l| l.record.action != Action::Grant.as_str()) {
                return Err(consent_required());
            }
        }
    }
    let visitor_id = match visitor_id {
        Some(id) => id,
        None => state.store.create_visitor(&channel.id).await?,
    };
    let conversation = state
        .store
        .create_conversation(
            &channel.id,
            &visitor_id,
            request.consent_id.as_deref(),
            page_url.as_deref(),
            utm.as_deref(),
        )
        .await?;
    state
        .dispatch
        .conversation_created(&conversation.id, &visitor_id, &channel.id, page_url)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ConversationCreated {
            conversation_id: conversation.id,
            visitor_token: state.tokens.issue(&visitor_id),
        }),
    ))
}

/// Refuses a page whose site is not on the channel's allowed origins.
pub fn allowed_page(channel: &Channel, page_url: &str) -> Result<(), AppError> {
    if channel.allows(&validate::origin_of(page_url)) {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            ErrorCode::InvalidPageUrl,
            "page_url is on a site this channel is not embedded in (see its allowed origins)",
        ))
    }
}

/// The visitor a token stands for, when it is valid and belongs to this channel.
pub async fn visitor_of(
    state: &AppState,
    channel: &Channel,
    token: &str,
) -> Result<String, AppError> {
    let visitor_id = state.tokens.verify(token).ok_or_else(unauthorized)?;
    if state
        .store
        .visitor_in_channel(&visitor_id, &channel.id)
        .await?
    {
        Ok(visitor_id)
    } else {
        Err(unauthorized())
    }
}

/// [`visitor_of`], refusing a visitor who withdrew their consent to the channel's
/// agreement: what they send now is not collected (403 `consent_withdrawn`).
pub async fn consenting_visitor(
    state: &AppState,
    channel: &Channel,
    token: &str,
) -> Result<String, AppError> {
    let visitor_id = visitor_of(state, channel, token).await?;
    if state
        .store
        .visitor_withdrew(&visitor_id, &channel.id)
        .await?
    {
        return Err(withdrawn());
    }
    Ok(visitor_id)
}

/// The refusal of anything a visitor who withdrew their consent sends.
pub fn withdrawn() -> AppError {
    AppError::client(
        StatusCode::FORBIDDEN,
        ErrorCode::ConsentWithdrawn,
        "this visitor withdrew their consent: nothing more is collected until a new consent is recorded",
    )
}

pub fn unauthorized() -> AppError {
    AppError::client(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
        "visitor_token is missing or not valid for this channel",
    )
}

/// `POST /api/v1/channels/{key}/consents/withdrawals`: the visitor withdraws.
pub async fn withdraw_consent(
    State(state): State<AppState>,
    Path(key): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<canal_protocol::consents::VisitorWithdrawal>,
) -> Result<(StatusCode, Json<canal_protocol::consents::ConsentStateView>), AppError> {
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
    let by = consents::Requester::new(&state, Source::Livechat, peer, &headers)?;
    let done = consents::withdraw(&state, &visitor_id, &agreement_id, by).await?;
    Ok(crate::admin::consents::withdrawal_answer(
        &visitor_id,
        &agreement_id,
        done,
    ))
}

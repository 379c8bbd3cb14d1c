//! Consent in messenger chats: a messenger has no Accept button, so the first
//! inbound message of a chat gets a notice linking to the agreement, and the
//! client's next message counts as consent, recorded with the conversation as its
//! address (source `messenger`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use canal_protocol::consents::{MessengerConsent, MessengerInbound, MessengerInboundResult};
use canal_protocol::ErrorCode;

use crate::admin::Admin;
use crate::app::AppState;
use crate::error::{ApiJson, AppError};
use crate::ledger::{Action, Entry, Source, Visitor};
use crate::validate;
use canal_store::features::{ChatStart, MessengerChat};

/// The notice's text: what continuing the chat means, and where the agreement is.
pub fn notice(public_url: &str, version_id: &str) -> String {
    format!(
        "By continuing this chat you agree to the processing of your personal data \
         as described here: {public_url}/agreements/{version_id}"
    )
}

/// `POST /api/v1/admin/channels/{key}/messenger/inbound`
pub async fn inbound(
    _: Admin,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<MessengerInbound>,
) -> Result<(StatusCode, Json<MessengerInboundResult>), AppError> {
    let channel =
        state.store.channel_by_key(&key).await?.ok_or_else(|| {
            AppError::not_found(ErrorCode::UnknownChannel, "no channel has this key")
        })?;
    validate::client_id("chat_id", &request.chat_id)?;
    validate::message_text(&request.text)?;
    let pool = &state.store;

    let known = pool.messenger_chat(&channel.id, &request.chat_id).await?;

    let Some(MessengerChat {
        visitor_id,
        conversation_id,
        notice_version_id: notice_version,
    }) = known
    else {
        return first_message(&state, &channel, &request).await;
    };
    // A later message: it is stored; the first one after the notice is the consent.
    state
        .store
        .append_message(&conversation_id, "visitor", None, &request.text)
        .await?;
    let Some(version_id) = notice_version else {
        return Ok(answer(
            conversation_id,
            MessengerConsent::NotRequired,
            None,
            None,
        ));
    };
    let entry = Entry {
        action: Action::Grant,
        agreement_version_id: version_id,
        channel_id: channel.id.clone(),
        visitor: Visitor::Existing(visitor_id),
        ip: None,
        user_agent: None,
        page_url: None,
        source: Source::Messenger,
        conversation_id: Some(conversation_id.clone()),
        crm_entity: None,
        // One consent per chat, whatever happens to retries.
        request_id: Some(format!("messenger-{conversation_id}")),
    };
    let stored = crate::services::consents::append(
        &state,
        entry,
        "this chat's consent was recorded differently before",
    )
    .await?;
    let consent = if stored.new {
        MessengerConsent::Recorded
    } else {
        MessengerConsent::AlreadyRecorded
    };
    let record = stored.record;
    pool.set_conversation_consent(&conversation_id, &record.id)
        .await?;
    Ok(answer(conversation_id, consent, None, Some(record.id)))
}

/// The chat's first message: visitor, conversation, the message and (when the
/// channel asks consent) the notice, all in one transaction.
async fn first_message(
    state: &AppState,
    channel: &crate::store::Channel,
    request: &MessengerInbound,
) -> Result<(StatusCode, Json<MessengerInboundResult>), AppError> {
    let version = match &channel.consent_agreement_id {
        Some(agreement_id) => state.store.latest_version(agreement_id).await?,
        None => None,
    };
    let notice = version.as_ref().map(|v| notice(&state.public_url, &v.id));
    let started = state
        .store
        .start_messenger_chat(
            &channel.id,
            &request.chat_id,
            version.as_ref().map(|v| v.id.as_str()),
            &request.text,
            notice.as_deref(),
        )
        .await?;
    let conversation_id = match started {
        ChatStart::Started { conversation_id } => conversation_id,
        ChatStart::Raced => {
            return Err(AppError::client(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "another first message of this chat is being processed; send it again",
            ))
        }
    };
    let consent = if notice.is_some() {
        MessengerConsent::NoticeSent
    } else {
        MessengerConsent::NotRequired
    };
    Ok((
        StatusCode::CREATED,
        Json(MessengerInboundResult {
            conversation_id,
            consent,
            notice,
            consent_id: None,
        }),
    ))
}

fn answer(
    conversation_id: String,
    consent: MessengerConsent,
    notice: Option<String>,
    consent_id: Option<String>,
) -> (StatusCode, Json<MessengerInboundResult>) {
    (
        StatusCode::OK,
        Json(MessengerInboundResult {
            conversation_id,
            consent,
            notice,
            consent_id,
        }),
    )
}

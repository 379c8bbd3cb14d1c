//! Consent in messenger chats: a messenger has no Accept button, so the first
//! inbound message of a chat gets a notice linking to the agreement, and the
//! client's next message counts as consent, recorded with the conversation as its
//! address (source `messenger`).

use canal_core::Refusal;
use canal_protocol::consents::{MessengerConsent, MessengerInboundResult};
use canal_protocol::ErrorCode;
use canal_store::features::{ChatStart, MessengerChat};

use super::consents::append;
use crate::app::AppState;
use crate::error::AppError;
use crate::ledger::{Action, Entry, Source, Visitor};
use crate::store::Channel;

/// The notice's text: what continuing the chat means, and where the agreement is.
pub fn notice(public_url: &str, version_id: &str) -> String {
    format!(
        "By continuing this chat you agree to the processing of your personal data \
         as described here: {public_url}/agreements/{version_id}"
    )
}

/// What an inbound message did.
pub struct Inbound {
    /// True when it started the chat (a new conversation).
    pub started: bool,
    pub result: MessengerInboundResult,
}

/// A message from a messenger chat (its id and text already checked).
pub async fn inbound(
    state: &AppState,
    channel: &Channel,
    chat_id: &str,
    text: &str,
) -> Result<Inbound, AppError> {
    let Some(MessengerChat {
        visitor_id,
        conversation_id,
        notice_version_id,
    }) = state.store.messenger_chat(&channel.id, chat_id).await?
    else {
        return first_message(state, channel, chat_id, text).await;
    };
    // A later message: it is stored; the first one after the notice is the consent.
    state
        .store
        .append_message(&conversation_id, "visitor", None, text)
        .await?;
    let answer = |consent, consent_id| Inbound {
        started: false,
        result: MessengerInboundResult {
            conversation_id: conversation_id.clone(),
            consent,
            notice: None,
            consent_id,
        },
    };
    let Some(version_id) = notice_version_id else {
        return Ok(answer(MessengerConsent::NotRequired, None));
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
    let stored = append(
        state,
        entry,
        "this chat's consent was recorded differently before",
    )
    .await?;
    let consent = if stored.new {
        MessengerConsent::Recorded
    } else {
        MessengerConsent::AlreadyRecorded
    };
    state
        .store
        .set_conversation_consent(&conversation_id, &stored.record.id)
        .await?;
    Ok(answer(consent, Some(stored.record.id)))
}

/// The chat's first message: visitor, conversation, the message and (when the
/// channel asks consent) the notice, all in one transaction.
async fn first_message(
    state: &AppState,
    channel: &Channel,
    chat_id: &str,
    text: &str,
) -> Result<Inbound, AppError> {
    let version = match &channel.consent_agreement_id {
        Some(agreement_id) => state.store.latest_version(agreement_id).await?,
        None => None,
    };
    let notice = version.as_ref().map(|v| notice(&state.public_url, &v.id));
    let started = state
        .store
        .start_messenger_chat(
            &channel.id,
            chat_id,
            version.as_ref().map(|v| v.id.as_str()),
            text,
            notice.as_deref(),
        )
        .await?;
    let conversation_id = match started {
        ChatStart::Started { conversation_id } => conversation_id,
        ChatStart::Raced => {
            return Err(AppError::refused(
                Refusal::Conflict,
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
    Ok(Inbound {
        started: true,
        result: MessengerInboundResult {
            conversation_id,
            consent,
            notice,
            consent_id: None,
        },
    })
}

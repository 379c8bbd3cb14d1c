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
use crate::clock::now_rfc3339;
use crate::error::{ApiJson, AppError};
use crate::ledger::{Action, Appended, Entry, Source, Visitor};
use crate::store::append_message_in;
use crate::validate;

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
    let pool = state.store.pool();

    let known: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT visitor_id, conversation_id, notice_version_id FROM messenger_chats
         WHERE channel_id = ?1 AND chat_id = ?2",
    )
    .bind(&channel.id)
    .bind(&request.chat_id)
    .fetch_optional(pool)
    .await?;

    let Some((visitor_id, conversation_id, notice_version)) = known else {
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
    let (consent, record) = match state.store.ledger().append(entry).await? {
        Appended::Recorded(r) => (MessengerConsent::Recorded, r),
        Appended::Replayed(r) => (MessengerConsent::AlreadyRecorded, r),
        Appended::Conflict => {
            return Err(AppError::client(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "this chat's consent was recorded differently before",
            ))
        }
    };
    sqlx::query("UPDATE conversations SET consent_id = ?1 WHERE id = ?2 AND consent_id IS NULL")
        .bind(&record.id)
        .bind(&conversation_id)
        .execute(pool)
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
        Some(agreement_id) => state.store.current_version(agreement_id).await?,
        None => None,
    };
    let now = now_rfc3339();
    let visitor_id = uuid::Uuid::new_v4().to_string();
    let conversation_id = uuid::Uuid::new_v4().to_string();
    let mut tx = state.store.pool().begin_with("BEGIN IMMEDIATE").await?;
    let raced: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM messenger_chats WHERE channel_id = ?1 AND chat_id = ?2")
            .bind(&channel.id)
            .bind(&request.chat_id)
            .fetch_optional(&mut *tx)
            .await?;
    if raced.is_some() {
        return Err(AppError::client(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "another first message of this chat is being processed; send it again",
        ));
    }
    sqlx::query("INSERT INTO visitors (id, channel_id, created_at) VALUES (?1, ?2, ?3)")
        .bind(&visitor_id)
        .bind(&channel.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO conversations (id, channel_id, visitor_id, created_at) VALUES (?1, ?2, ?3, ?4)",
    )
    .bind(&conversation_id)
    .bind(&channel.id)
    .bind(&visitor_id)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO messenger_chats (channel_id, chat_id, visitor_id, conversation_id, notice_version_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(&channel.id)
    .bind(&request.chat_id)
    .bind(&visitor_id)
    .bind(&conversation_id)
    .bind(version.as_ref().map(|v| v.id.clone()))
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    append_message_in(
        &mut tx,
        &conversation_id,
        "visitor",
        None,
        None,
        &request.text,
    )
    .await?;
    let notice = version.map(|v| notice(&state.public_url, &v.id));
    if let Some(text) = &notice {
        append_message_in(&mut tx, &conversation_id, "system", None, None, text).await?;
    }
    tx.commit().await?;
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

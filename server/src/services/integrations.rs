//! API keys and webhook endpoints as admins manage them, the delivery log and its
//! re-send, and the integrations' message post.
//!
//! A key is 32 random bytes shown once as `canal_<base64url>`; only its SHA-256 is
//! stored (a key has 256 bits of entropy, so a slow hash such as argon2 would add
//! nothing against guessing and cost every request), with its first characters
//! for the admins' list.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use canal_core::clock::now_rfc3339;
use canal_core::validate;
use canal_protocol::integrations::{
    ApiKeyCreated, ApiKeyView, DeliveryView, EventKind, MessagePosted, NewApiKey, NewWebhook,
    PostMessage, Scope, WebhookCreated, WebhookUpdate, WebhookView,
};
use canal_protocol::ErrorCode;
use canal_store::integrations::{ApiKeyRow, Delivery, NewApiKey as KeyRow, Target, WebhookRow};
use rand::RngCore;

use crate::admin::keys::{scopes, KEY_PREFIX};
use crate::app::AppState;
use crate::error::AppError;

/// Characters of a key kept to tell keys apart (`canal_` and six more).
const PREFIX_CHARS: usize = 12;
/// Delivery log rows shown.
const LOG_ROWS: i64 = 200;

/// 32 random bytes, base64url.
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn key_view(row: ApiKeyRow) -> ApiKeyView {
    ApiKeyView {
        scopes: scopes(&row.scopes),
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        created_at: row.created_at,
        created_by: row.created_by,
        revoked_at: row.revoked_at,
    }
}

/// Makes a key; the answer is the only time the key is seen.
pub async fn create_key(
    state: &AppState,
    request: NewApiKey,
    by: &str,
) -> Result<ApiKeyCreated, AppError> {
    let name = validate::label("name", &request.name)?;
    if request.scopes.is_empty() {
        return Err(AppError::invalid("scopes must name at least one scope"));
    }
    let wanted: Vec<Scope> = Scope::ALL
        .into_iter()
        .filter(|s| request.scopes.contains(s))
        .collect();
    let key = format!("{KEY_PREFIX}{}", random_secret());
    let id = canal_core::new_id();
    let prefix: String = key.chars().take(PREFIX_CHARS).collect();
    let listed = wanted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let now = now_rfc3339();
    state
        .store
        .create_api_key(&KeyRow {
            id: &id,
            name: &name,
            prefix: &prefix,
            sha256: &crate::admin::token_hash(&key),
            scopes: &listed,
            now: &now,
            created_by: by,
        })
        .await?;
    Ok(ApiKeyCreated {
        key,
        view: ApiKeyView {
            id,
            name,
            prefix,
            scopes: wanted,
            created_at: now,
            created_by: by.to_owned(),
            revoked_at: None,
        },
    })
}

pub async fn keys(state: &AppState) -> Result<Vec<ApiKeyView>, AppError> {
    Ok(state
        .store
        .api_keys()
        .await?
        .into_iter()
        .map(key_view)
        .collect())
}

/// Revokes a key (again: nothing changes); 404 for no such key.
pub async fn revoke_key(state: &AppState, id: &str) -> Result<ApiKeyView, AppError> {
    state
        .store
        .revoke_api_key(id, &now_rfc3339())
        .await?
        .ok_or_else(no_such_key)?;
    state
        .store
        .api_keys()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .map(key_view)
        .ok_or_else(no_such_key)
}

fn no_such_key() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no API key has this id")
}

fn no_such_webhook() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no webhook endpoint has this id")
}

/// The subscribed kinds as stored: between commas, in a fixed order.
fn events_column(kinds: &[EventKind]) -> Result<String, AppError> {
    if kinds.is_empty() {
        return Err(AppError::invalid(
            "events must name at least one event type",
        ));
    }
    let listed: Vec<&str> = EventKind::ALL
        .into_iter()
        .filter(|k| kinds.contains(k))
        .map(EventKind::as_str)
        .collect();
    Ok(format!(",{},", listed.join(",")))
}

fn events_of(column: &str) -> Vec<EventKind> {
    column.split(',').filter_map(EventKind::parse).collect()
}

fn webhook_view(row: WebhookRow) -> WebhookView {
    WebhookView {
        events: events_of(&row.events),
        id: row.id,
        url: row.url,
        active: row.active,
        created_at: row.created_at,
    }
}

/// Makes an endpoint; the answer is the only time its secret is seen.
pub async fn create_webhook(
    state: &AppState,
    request: NewWebhook,
) -> Result<WebhookCreated, AppError> {
    let url = validate::target_url("url", &request.url)?;
    let events = events_column(&request.events)?;
    let row = WebhookRow {
        id: canal_core::new_id(),
        url,
        secret: format!("whsec_{}", random_secret()),
        events,
        active: request.active.unwrap_or(true),
        created_at: now_rfc3339(),
    };
    state.store.create_webhook(&row).await?;
    Ok(WebhookCreated {
        secret: row.secret.clone(),
        view: webhook_view(row),
    })
}

pub async fn webhooks(state: &AppState) -> Result<Vec<WebhookView>, AppError> {
    Ok(state
        .store
        .webhooks()
        .await?
        .into_iter()
        .map(webhook_view)
        .collect())
}

async fn webhook_row(state: &AppState, id: &str) -> Result<WebhookRow, AppError> {
    state.store.webhook(id).await?.ok_or_else(no_such_webhook)
}

pub async fn webhook(state: &AppState, id: &str) -> Result<WebhookView, AppError> {
    Ok(webhook_view(webhook_row(state, id).await?))
}

/// Changes what the request names; everything is checked before anything is written.
pub async fn update_webhook(
    state: &AppState,
    id: &str,
    update: WebhookUpdate,
) -> Result<WebhookView, AppError> {
    let mut row = webhook_row(state, id).await?;
    if let Some(url) = &update.url {
        row.url = validate::target_url("url", url)?;
    }
    if let Some(events) = &update.events {
        row.events = events_column(events)?;
    }
    if let Some(active) = update.active {
        row.active = active;
    }
    if !state
        .store
        .update_webhook(id, &row.url, &row.events, row.active)
        .await?
    {
        return Err(no_such_webhook());
    }
    Ok(webhook_view(row))
}

fn delivery_view(row: Delivery) -> DeliveryView {
    let state = if row.delivered_at.is_some() {
        "delivered"
    } else if row.failed_at.is_some() {
        "failed"
    } else {
        "pending"
    };
    DeliveryView {
        next_attempt_at: (state == "pending").then(|| row.due_at.clone()),
        state: state.to_owned(),
        id: row.id,
        event_id: row.event_id,
        kind: row.kind,
        created_at: row.created_at,
        attempts: row.attempts,
        last_status: row.last_status,
        last_error: row.last_error,
        last_attempt_at: row.last_attempt_at,
        delivered_at: row.delivered_at,
    }
}

/// A target's delivery log, newest first (the last [`LOG_ROWS`]).
pub async fn deliveries(
    state: &AppState,
    target: Target,
    target_id: &str,
) -> Result<Vec<DeliveryView>, AppError> {
    Ok(state
        .store
        .deliveries_of(target, target_id, LOG_ROWS)
        .await?
        .into_iter()
        .map(delivery_view)
        .collect())
}

/// A delivery's id as a path gives it: 404 when it is not one.
pub fn delivery_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::not_found(ErrorCode::NotFound, "no such delivery of this target"))
}

/// Sends a delivery again now, with its event id and body as they were.
pub async fn resend(
    state: &AppState,
    target: Target,
    target_id: &str,
    delivery_id: i64,
) -> Result<DeliveryView, AppError> {
    let row = state
        .store
        .resend_delivery(target, target_id, delivery_id, &now_rfc3339())
        .await?
        .ok_or_else(|| {
            AppError::not_found(ErrorCode::NotFound, "no such delivery of this target")
        })?;
    state.outbox.wake();
    Ok(delivery_view(row))
}

/// Checks the webhook exists (404 otherwise): for its log and re-sends.
pub async fn check_webhook(state: &AppState, id: &str) -> Result<(), AppError> {
    webhook_row(state, id).await.map(|_| ())
}

/// An integration's message into a conversation, shown as from the agents' side;
/// the visitor's sockets, the consoles, webhooks and the connector hear of it.
pub async fn post_message(
    state: &AppState,
    conversation_id: &str,
    request: PostMessage,
) -> Result<(bool, MessagePosted), AppError> {
    validate::client_id("client_id", &request.client_id)?;
    validate::message_text(&request.text)?;
    let conversation = state
        .store
        .conversation(conversation_id)
        .await?
        .ok_or_else(AppError::unknown_conversation)?;
    if conversation.status == "closed" {
        return Err(AppError::refused(
            canal_core::Refusal::Conflict,
            ErrorCode::Conflict,
            "the conversation is closed",
        ));
    }
    let appended = state
        .store
        .append_message(
            conversation_id,
            "agent",
            Some(&format!("api-{}", request.client_id)),
            &request.text,
        )
        .await?;
    let posted = MessagePosted {
        seq: appended.message.seq,
        created_at: appended.message.created_at.clone(),
        new: appended.inserted,
    };
    if appended.inserted {
        let display = state.dispatch.display(&conversation.channel_id).await?;
        state.hub.publish(
            conversation_id,
            crate::hub::Event {
                origin: 0,
                message: display.view(appended.message),
            },
        );
    }
    Ok((appended.inserted, posted))
}

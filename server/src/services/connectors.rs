//! Messenger connectors: made per channel with their own secret, their settings,
//! and what their gateway sends (`POST /api/v1/connectors/{id}/events`, signed
//! with that secret): a client's message, their profile, the dialog's tags.
//!
//! A dialog's messages go through the connector's tag filter
//! ([`canal_core::connectors::admit`]); the ones that pass go into a messenger
//! chat of the channel ([`super::messenger`]: the first message gets the consent
//! notice, the next one counts as consent), routed to the channel's agents like a
//! website conversation. What agents (and the system) write in it goes back to
//! the gateway through the outbox ([`crate::hooks::Outbox::message`]), signed the
//! same way, retried until the gateway answers 2xx.

use canal_core::clock::{now_rfc3339, rfc3339};
use canal_core::connectors::{self as rules, Admission};
use canal_core::signature::TOLERANCE_SECS;
use canal_core::{validate, Refusal};
use canal_protocol::integrations::{
    ConnectorCreated, ConnectorEvent, ConnectorEventResult, ConnectorProfile, ConnectorSettings,
    ConnectorUpdate, ConnectorView, NewConnector,
};
use canal_protocol::ErrorCode;
use canal_store::integrations::{ConnectorRow, DialogRow};

use crate::app::AppState;
use crate::error::AppError;
use crate::services::automation::{self, Commit};

fn no_such_connector() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no connector has this id")
}

fn settings_of(row: &ConnectorRow) -> Result<ConnectorSettings, AppError> {
    serde_json::from_str(&row.settings)
        .map_err(|e| AppError::Internal(format!("connector {} settings: {e}", row.id)))
}

async fn view(state: &AppState, row: ConnectorRow) -> Result<ConnectorView, AppError> {
    let channel = state
        .store
        .channel_by_id(&row.channel_id)
        .await?
        .map(|c| c.key)
        .unwrap_or_default();
    Ok(ConnectorView {
        settings: settings_of(&row)?,
        id: row.id,
        channel,
        name: row.name,
        outbound_url: row.outbound_url,
        active: row.active,
        created_at: row.created_at,
    })
}

fn to_json(settings: &ConnectorSettings) -> Result<String, AppError> {
    serde_json::to_string(settings).map_err(|e| AppError::Internal(e.to_string()))
}

/// Makes a connector for a channel; the answer is the only time its secret is seen.
pub async fn create(state: &AppState, request: NewConnector) -> Result<ConnectorCreated, AppError> {
    let name = validate::label("name", &request.name)?;
    let outbound_url = validate::target_url("outbound_url", &request.outbound_url)?;
    let settings = rules::settings(request.settings.unwrap_or_default())?;
    let channel = super::visitors::channel(state, &request.channel).await?;
    let row = ConnectorRow {
        id: canal_core::new_id(),
        channel_id: channel.id,
        name,
        secret: format!("cnsec_{}", super::integrations::random_secret()),
        outbound_url,
        settings: to_json(&settings)?,
        active: true,
        created_at: now_rfc3339(),
    };
    state.store.create_connector(&row).await?;
    Ok(ConnectorCreated {
        secret: row.secret.clone(),
        view: view(state, row).await?,
    })
}

pub async fn list(state: &AppState) -> Result<Vec<ConnectorView>, AppError> {
    let mut views = Vec::new();
    for row in state.store.connectors().await? {
        views.push(view(state, row).await?);
    }
    Ok(views)
}

async fn row(state: &AppState, id: &str) -> Result<ConnectorRow, AppError> {
    state
        .store
        .connector(id)
        .await?
        .ok_or_else(no_such_connector)
}

pub async fn one(state: &AppState, id: &str) -> Result<ConnectorView, AppError> {
    view(state, row(state, id).await?).await
}

/// Checks the connector exists (404 otherwise): for its log and re-sends.
pub async fn check(state: &AppState, id: &str) -> Result<(), AppError> {
    row(state, id).await.map(|_| ())
}

/// Changes what the request names; everything is checked before anything is written.
pub async fn update(
    state: &AppState,
    id: &str,
    update: ConnectorUpdate,
) -> Result<ConnectorView, AppError> {
    let mut row = row(state, id).await?;
    if let Some(name) = &update.name {
        row.name = validate::label("name", name)?;
    }
    if let Some(url) = &update.outbound_url {
        row.outbound_url = validate::target_url("outbound_url", url)?;
    }
    if let Some(settings) = update.settings {
        row.settings = to_json(&rules::settings(settings)?)?;
    }
    if let Some(active) = update.active {
        row.active = active;
    }
    if !state.store.update_connector(&row).await? {
        return Err(no_such_connector());
    }
    view(state, row).await
}

/// The connector a signed request names, with its secret: 404 for none.
pub async fn signer(state: &AppState, id: &str) -> Result<ConnectorRow, AppError> {
    row(state, id).await
}

/// The chat key of a connector's dialog among the channel's messenger chats.
fn chat_key(connector_id: &str, chat_id: &str) -> String {
    format!("{connector_id}/{chat_id}")
}

/// The values of an event, checked before anything is stored.
fn check_event(event: &ConnectorEvent) -> Result<(), AppError> {
    match event {
        ConnectorEvent::Message {
            chat_id,
            message_id,
            text,
            sender,
            tags,
            ..
        } => {
            rules::external_id("chat_id", chat_id)?;
            rules::external_id("message_id", message_id)?;
            validate::message_text(text)?;
            if let Some(sender) = sender {
                validate::label("sender", sender)?;
            }
            if let Some(tags) = tags {
                rules::tags(tags)?;
            }
        }
        ConnectorEvent::Profile { chat_id, profile } => {
            rules::external_id("chat_id", chat_id)?;
            check_profile(profile)?;
        }
        ConnectorEvent::Tags { chat_id, tags } => {
            rules::external_id("chat_id", chat_id)?;
            rules::tags(tags)?;
        }
    }
    Ok(())
}

fn check_profile(profile: &ConnectorProfile) -> Result<ConnectorProfile, AppError> {
    Ok(ConnectorProfile {
        name: profile.name.as_deref().map(validate::name).transpose()?,
        phone: profile.phone.as_deref().map(validate::phone).transpose()?,
        email: profile.email.as_deref().map(validate::email).transpose()?,
    })
}

/// A signed event from the connector's gateway (signature checked already):
/// refused when the connector is off or the same signed request came before;
/// otherwise acted on.
pub async fn event(
    state: &AppState,
    connector: &ConnectorRow,
    signature: &str,
    event: ConnectorEvent,
) -> Result<ConnectorEventResult, AppError> {
    check_event(&event)?;
    if !connector.active {
        return Err(AppError::refused(
            Refusal::Forbidden,
            ErrorCode::Forbidden,
            "this connector is switched off",
        ));
    }
    let now = now_rfc3339();
    let window_start = rfc3339(
        time::OffsetDateTime::now_utc() - time::Duration::seconds(2 * TOLERANCE_SECS as i64),
    );
    state
        .store
        .forget_connector_seen(&connector.id, "sig:", &window_start)
        .await?;
    if !state
        .store
        .connector_saw(&connector.id, &format!("sig:{signature}"), &now)
        .await?
    {
        return Err(AppError::refused(
            Refusal::Conflict,
            ErrorCode::Conflict,
            "this signed request was sent before: sign each request afresh",
        ));
    }
    let settings = settings_of(connector)?;
    match event {
        ConnectorEvent::Message {
            chat_id,
            message_id,
            text,
            group,
            sender,
            tags,
        } => {
            // Gateways number messages per chat or globally: per chat is safe for both.
            // The id is claimed before the message is taken (one of two retries
            // arriving together wins), and given back when taking it fails, so the
            // gateway's next retry is taken.
            let seen = format!("msg:{chat_id}/{message_id}");
            if !state
                .store
                .connector_saw(&connector.id, &seen, &now)
                .await?
            {
                let dialog = state.store.dialog(&connector.id, &chat_id).await?;
                return Ok(ConnectorEventResult {
                    outcome: "duplicate".into(),
                    conversation_id: dialog.and_then(|d| d.conversation_id),
                    forwarded: 0,
                });
            }
            let taken = async {
                let dialog = put_dialog(state, connector, &chat_id, tags, None).await?;
                let text = rules::message_text(
                    &text,
                    group,
                    sender.as_deref(),
                    settings.strip_group_sender,
                );
                message(state, connector, &settings, &dialog, text).await
            }
            .await;
            if taken.is_err() {
                state.store.connector_unsee(&connector.id, &seen).await?;
            }
            taken
        }
        ConnectorEvent::Profile { chat_id, profile } => {
            let profile = check_profile(&profile)?;
            let dialog = put_dialog(state, connector, &chat_id, None, Some(profile)).await?;
            Ok(ConnectorEventResult {
                outcome: "noted".into(),
                conversation_id: dialog.conversation_id,
                forwarded: 0,
            })
        }
        ConnectorEvent::Tags { chat_id, tags } => {
            let dialog = put_dialog(state, connector, &chat_id, Some(tags), None).await?;
            let mut result = ConnectorEventResult {
                outcome: "noted".into(),
                conversation_id: dialog.conversation_id.clone(),
                forwarded: 0,
            };
            // Tagged now: the messages held back go in.
            if dialog.conversation_id.is_none()
                && rules::admit(&settings, &dialog_tags(&dialog)) == Admission::Pass
            {
                let held = state
                    .store
                    .take_held(&connector.id, &chat_id, &now_rfc3339())
                    .await?;
                if !held.is_empty() {
                    result.forwarded = u32::try_from(held.len()).unwrap_or(u32::MAX);
                    result.conversation_id = Some(deliver(state, connector, &dialog, held).await?);
                }
            }
            Ok(result)
        }
    }
}

fn dialog_tags(dialog: &DialogRow) -> Vec<String> {
    serde_json::from_str(&dialog.tags).unwrap_or_default()
}

/// Writes the dialog's tags and profile when given (keeping the others).
async fn put_dialog(
    state: &AppState,
    connector: &ConnectorRow,
    chat_id: &str,
    tags: Option<Vec<String>>,
    profile: Option<ConnectorProfile>,
) -> Result<DialogRow, AppError> {
    let before = state.store.dialog(&connector.id, chat_id).await?;
    let tags = match tags {
        Some(tags) => serde_json::to_string(&rules::tags(&tags)?)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        None => before
            .as_ref()
            .map_or_else(|| "[]".to_owned(), |d| d.tags.clone()),
    };
    let profile = match profile {
        Some(profile) => {
            serde_json::to_string(&profile).map_err(|e| AppError::Internal(e.to_string()))?
        }
        None => before
            .as_ref()
            .map_or_else(|| "{}".to_owned(), |d| d.profile.clone()),
    };
    state
        .store
        .put_dialog(&connector.id, chat_id, &tags, &profile, &now_rfc3339())
        .await?;
    Ok(DialogRow {
        connector_id: connector.id.clone(),
        chat_id: chat_id.to_owned(),
        conversation_id: before.and_then(|d| d.conversation_id),
        tags,
        profile,
    })
}

/// A client's message through the tag filter.
async fn message(
    state: &AppState,
    connector: &ConnectorRow,
    settings: &ConnectorSettings,
    dialog: &DialogRow,
    text: String,
) -> Result<ConnectorEventResult, AppError> {
    let outcome = |outcome: &str, conversation_id, forwarded| ConnectorEventResult {
        outcome: outcome.to_owned(),
        conversation_id,
        forwarded,
    };
    // A dialog in a conversation already stays there.
    if let Some(conversation_id) = &dialog.conversation_id {
        later_message(state, connector, dialog, &text).await?;
        return Ok(outcome("accepted", Some(conversation_id.clone()), 0));
    }
    match rules::admit(settings, &dialog_tags(dialog)) {
        Admission::Reject => Ok(outcome("rejected", None, 0)),
        Admission::Ignore => Ok(outcome("ignored", None, 0)),
        Admission::Hold => {
            state
                .store
                .hold_message(&connector.id, &dialog.chat_id, &text, &now_rfc3339())
                .await?;
            Ok(outcome("held", None, 0))
        }
        Admission::Pass => {
            let mut texts = state
                .store
                .take_held(&connector.id, &dialog.chat_id, &now_rfc3339())
                .await?;
            let forwarded = u32::try_from(texts.len()).unwrap_or(u32::MAX);
            texts.push(text);
            let conversation_id = deliver(state, connector, dialog, texts).await?;
            Ok(outcome("accepted", Some(conversation_id), forwarded))
        }
    }
}

/// Starts the dialog's conversation with `texts` (in order; at least one): the
/// first starts the chat (and gets the notice when the channel asks consent), the
/// others are stored as they are, none of them counting as consent (they were
/// written before the client saw the notice). The conversation is routed, and the
/// notice goes to the gateway.
async fn deliver(
    state: &AppState,
    connector: &ConnectorRow,
    dialog: &DialogRow,
    texts: Vec<String>,
) -> Result<String, AppError> {
    let channel = state
        .store
        .channel_by_id(&connector.channel_id)
        .await?
        .ok_or_else(|| AppError::Internal("a connector's channel is gone".into()))?;
    let mut texts = texts.into_iter();
    let first = texts.next().unwrap_or_default();
    let key = chat_key(&connector.id, &dialog.chat_id);
    let inbound = super::messenger::inbound(state, &channel, &key, &first).await?;
    let conversation_id = inbound.result.conversation_id.clone();
    state
        .store
        .link_dialog(&connector.id, &dialog.chat_id, &conversation_id)
        .await?;
    customer_wrote(
        state,
        connector,
        dialog,
        &conversation_id,
        inbound.started,
        &first,
    )
    .await;
    if inbound.started {
        if let Some(conversation) = state.store.conversation(&conversation_id).await? {
            state
                .dispatch
                .conversation_created(
                    &conversation_id,
                    &conversation.visitor_id,
                    &channel.id,
                    canal_store::routing::Pages::default(),
                )
                .await?;
        }
    }
    for text in texts {
        state
            .store
            .append_message(&conversation_id, "visitor", None, &text)
            .await?;
    }
    automation::visitor_wrote(state, &channel.id, &conversation_id, Commit::Wait).await?;
    Ok(conversation_id)
}

/// Where a connector's dialog opens in the connector's own app (its `dialog_link`
/// with the chat's id), when the connector says to open dialogs there.
pub async fn dialog_link(
    state: &AppState,
    conversation_id: &str,
) -> Result<Option<String>, AppError> {
    let Some((connector, chat_id)) = state.store.dialog_of_conversation(conversation_id).await?
    else {
        return Ok(None);
    };
    let settings = settings_of(&connector)?;
    Ok(match (settings.open_in, settings.dialog_link) {
        (canal_protocol::integrations::OpenIn::Connector, Some(link)) => {
            let chat: String = url::form_urlencoded::byte_serialize(chat_id.as_bytes()).collect();
            Some(link.replace("{chat_id}", &chat))
        }
        _ => None,
    })
}

/// The CRM hears of a client's message: the dialog's profile (name, phone, e-mail)
/// and what the text holds find or make the customer, and who should hear of it
/// does unless the connector turned its notices off.
async fn customer_wrote(
    state: &AppState,
    connector: &ConnectorRow,
    dialog: &DialogRow,
    conversation_id: &str,
    started: bool,
    text: &str,
) {
    let profile: canal_protocol::consents::MessengerProfile =
        serde_json::from_str(&dialog.profile).unwrap_or_default();
    // Checked when the gateway sent it; a value the CRM still refuses (another
    // default region since) is left out rather than losing the message.
    let details = match super::crm::profile(state, &connector.channel_id, Some(&profile)).await {
        Ok(details) => details,
        Err(e) => {
            tracing::warn!(error = ?e, connector = %connector.id, "a dialog's profile was left out of the CRM");
            Default::default()
        }
    };
    let notify = settings_of(connector).is_ok_and(|s| s.notify_new_messages);
    super::crm::messenger_message(
        state,
        &connector.channel_id,
        conversation_id,
        started,
        &details,
        text,
        notify,
    )
    .await;
}

/// A message of a dialog in a conversation: through the messenger chat (it may be
/// the consent), heard by routing.
async fn later_message(
    state: &AppState,
    connector: &ConnectorRow,
    dialog: &DialogRow,
    text: &str,
) -> Result<(), AppError> {
    let channel = state
        .store
        .channel_by_id(&connector.channel_id)
        .await?
        .ok_or_else(|| AppError::Internal("a connector's channel is gone".into()))?;
    let key = chat_key(&connector.id, &dialog.chat_id);
    let inbound = super::messenger::inbound(state, &channel, &key, text).await?;
    let conversation_id = inbound.result.conversation_id;
    customer_wrote(
        state,
        connector,
        dialog,
        &conversation_id,
        inbound.started,
        text,
    )
    .await;
    state.dispatch.client_message(&conversation_id, text).await;
    automation::visitor_wrote(state, &channel.id, &conversation_id, Commit::Wait).await?;
    Ok(())
}

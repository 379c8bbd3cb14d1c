//! Channels as the admin manages them: create (a key chosen and checked, or
//! generated), list, read, change (name, chat title, greeting, language, sites,
//! on/off) and delete. A deleted channel's row stays, with its conversations and
//! consent records (never deleted), and its key stays taken; the admin API and
//! the visitor API no longer find it.

use canal_core::channels::{self as rules, NewChannel};
use canal_core::Refusal;
use canal_protocol::agent::Role;
use canal_protocol::channels::{ChannelView, CreateChannel, UpdateChannel};
use canal_protocol::ErrorCode;

use crate::admin::Configurer;
use crate::agents::AgentWire;
use crate::app::AppState;
use crate::error::AppError;
use crate::store::{Channel, Store};

fn unknown() -> AppError {
    AppError::not_found(ErrorCode::UnknownChannel, "no channel has this key")
}

fn taken(key: &str) -> AppError {
    AppError::refused(
        Refusal::Conflict,
        ErrorCode::Conflict,
        format!("the key {key} is taken (by this or a deleted channel): choose another, or leave key out to have one generated"),
    )
}

/// The channel with this key for the admin API: switched off or on, not deleted.
pub async fn of_admin(state: &AppState, key: &str) -> Result<Channel, AppError> {
    state
        .store
        .channel_by_key(key)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(unknown)
}

/// The channel as the admin API shows it, with its snippet.
pub async fn view(state: &AppState, channel: Channel) -> Result<ChannelView, AppError> {
    let theme = crate::theme::load(&state.store, &channel.id).await?;
    let managers = state.store.channel_managers(&channel.id).await?;
    Ok(ChannelView {
        managers: managers
            .into_iter()
            .filter_map(|id| u64::try_from(id).ok())
            .collect(),
        snippet: crate::theme::snippet(&state.public_url, &channel.key, &theme),
        allowed_origins: channel.origins(),
        greetings: channel.greetings(),
        key: channel.key,
        name: channel.name,
        title: Some(channel.title).filter(|t| !t.is_empty()),
        greeting: channel.greeting,
        locale: channel.locale,
        active: channel.active,
        agreement_id: channel.consent_agreement_id,
        created_at: channel.created_at,
        deleted_at: channel.deleted_at,
    })
}

/// Creates a channel (the admin API's, the console's and the demo's). A chosen
/// key already taken is a 409; a generated one that clashes is drawn again.
pub async fn create(store: &Store, request: CreateChannel) -> Result<Channel, AppError> {
    let chosen = request.key.is_some();
    let mut new: NewChannel = rules::create(request)?;
    for _ in 0..5 {
        match store.create_channel(&new).await {
            Ok(channel) => return Ok(channel),
            Err(e) if e.is_unique_violation() && !chosen => new.key = rules::generated_key(),
            Err(e) if e.is_unique_violation() => return Err(taken(&new.key)),
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Internal(
        "five generated channel keys in a row were taken".into(),
    ))
}

/// Every channel not deleted that `who` may configure, oldest first.
pub async fn list(
    state: &AppState,
    who: &Configurer,
    deleted: bool,
) -> Result<Vec<ChannelView>, AppError> {
    let mut views = Vec::new();
    for channel in state.store.channels(deleted).await? {
        if who.may_configure(state, &channel.id).await? {
            views.push(view(state, channel).await?);
        }
    }
    Ok(views)
}

/// Most managers one channel may name.
const MAX_MANAGERS: usize = 100;

/// Names the supervisors who may configure the channel and oversee its
/// conversations in the console (replacing the list; routing hears of it at once):
/// each must be a supervisor who is not dismissed (422 otherwise, nothing changed).
pub async fn set_managers(
    state: &AppState,
    key: &str,
    agent_ids: &[u64],
) -> Result<Channel, AppError> {
    let channel = of_admin(state, key).await?;
    if agent_ids.len() > MAX_MANAGERS {
        return Err(AppError::invalid(format!(
            "at most {MAX_MANAGERS} managers"
        )));
    }
    let mut ids = Vec::with_capacity(agent_ids.len());
    for &id in agent_ids {
        let agent = match i64::try_from(id) {
            Ok(id) => crate::agents::by_id(&state.store, id).await?,
            Err(_) => None,
        };
        match agent {
            Some(a) if a.role() == Role::Supervisor && !a.dismissed => ids.push(a.id),
            _ => {
                return Err(AppError::invalid(format!(
                    "agent {id} is not a supervisor (admins configure every channel; agents none)"
                )))
            }
        }
    }
    state.store.set_channel_managers(&channel.id, &ids).await?;
    state.dispatch.managers_saved(&channel.id, &ids).await?;
    Ok(channel)
}

/// Changes a channel's settings; a new name or title reaches routing at once.
pub async fn update(
    state: &AppState,
    key: &str,
    request: UpdateChannel,
) -> Result<Channel, AppError> {
    let change = rules::change(request)?;
    let channel = of_admin(state, key).await?;
    let updated = state
        .store
        .update_channel(&channel.id, &change)
        .await?
        .ok_or_else(unknown)?;
    if updated.shown_title() != channel.shown_title() {
        // Routing keeps the title agents' messages are shown under.
        state
            .dispatch
            .channel_saved(&updated.id, updated.shown_title().to_owned())
            .await?;
    }
    Ok(updated)
}

/// Deletes a channel (404 when it is deleted already or never existed).
pub async fn delete(state: &AppState, key: &str) -> Result<(), AppError> {
    let channel = of_admin(state, key).await?;
    if state.store.delete_channel(&channel.id).await? {
        Ok(())
    } else {
        Err(unknown())
    }
}

//! A channel's automatic actions, as the conversation goes: the events that arm
//! and cancel its durable timers (the rules are `canal_core::automation`; the rows
//! are the store's `timers`, fired by [`crate::timers`]), and the settings as the
//! admin reads and changes them.

use canal_core::automation::{self, OnRating, TimerChange};
use canal_core::clock::{now_rfc3339, rfc3339};
use canal_protocol::automation::AutomationSettings;
use canal_protocol::rating::RatingView;
use time::OffsetDateTime;

use crate::agents::AgentRow;
use crate::app::AppState;
use crate::error::AppError;
use crate::store::{Channel, Store};

/// The channel's automation settings (every action off when never set). Stored
/// settings that no longer check out count as off, with a warning in the log.
pub async fn settings(store: &Store, channel_id: &str) -> Result<AutomationSettings, AppError> {
    let Some(json) = store.automation(channel_id).await? else {
        return Ok(AutomationSettings::default());
    };
    let checked = serde_json::from_str(&json)
        .ok()
        .and_then(|s| automation::check(s).ok());
    Ok(checked.unwrap_or_else(|| {
        tracing::warn!(channel_id, "stored automation settings no longer check out");
        AutomationSettings::default()
    }))
}

/// An admin saves the channel's settings: checked (nothing is stored on a
/// refusal), then stored. Timers armed already keep their due time; when they
/// fire the action checks the settings in force then. The live typing preview's
/// switch takes effect at once (see [`crate::preview`]); turned off, the consoles
/// showing a draft of the channel clear it.
pub async fn save(
    state: &AppState,
    channel: &Channel,
    settings: AutomationSettings,
) -> Result<AutomationSettings, AppError> {
    let settings = automation::check(settings)?;
    crate::services::kpi::check_notified(state, &settings).await?;
    let json = serde_json::to_string(&settings)
        .map_err(|e| AppError::Internal(format!("automation settings: {e}")))?;
    state.store.put_automation(&channel.id, &json).await?;
    let before = state.automations.set(&channel.id, &settings);
    if !settings.typing_preview && before != Some(false) {
        state.dispatch.preview_off(&channel.key);
    }
    Ok(settings)
}

/// The visitor wrote in the conversation.
pub async fn visitor_wrote(
    state: &AppState,
    channel_id: &str,
    conversation_id: &str,
) -> Result<(), AppError> {
    let settings = state.automations.settings(&state.store, channel_id).await?;
    let mut changes = automation::on_visitor_message(&settings, OffsetDateTime::now_utc());
    changes.extend(
        crate::services::kpi::on_visitor_message(state, &settings, channel_id, conversation_id)
            .await?,
    );
    apply(state, conversation_id, changes).await
}

/// An agent answered in the conversation.
pub async fn agent_answered(state: &AppState, conversation_id: &str) -> Result<(), AppError> {
    let Some(conversation) = state.store.conversation(conversation_id).await? else {
        return Ok(());
    };
    let settings = state
        .automations
        .settings(&state.store, &conversation.channel_id)
        .await?;
    let mut changes = automation::on_agent_reply(&settings, OffsetDateTime::now_utc());
    // The wait is over, whatever the settings say now (a timer armed under
    // earlier ones must not outlive it).
    changes.extend(canal_core::kpi::on_wait_over());
    apply(state, conversation_id, changes).await
}

/// An agent closes the conversation: the channel's closing message goes to the
/// visitor, and it closes fully or awaiting the rating (its timers per
/// `canal_core::automation::on_agent_close`).
pub async fn agent_closes(
    state: &AppState,
    agent: &AgentRow,
    conversation_id: &str,
) -> Result<(), AppError> {
    let settings = match state.store.conversation(conversation_id).await? {
        Some(conversation) => settings(&state.store, &conversation.channel_id).await?,
        None => AutomationSettings::default(),
    };
    let (closing, changes) = automation::on_agent_close(&settings, OffsetDateTime::now_utc());
    state
        .dispatch
        .close(agent, conversation_id, closing)
        .await?;
    super::crm::closed(state, conversation_id).await;
    if let Err(e) = apply(state, conversation_id, changes).await {
        tracing::error!(error = %e, "arming the conversation's timers failed");
    }
    Ok(())
}

/// The visitor rated the conversation (stored already): during the wait for it,
/// with `close_on_rating`, it closes fully; after the full close, on a channel
/// that asks for ratings, it opens again.
pub async fn rated(
    state: &AppState,
    channel_id: &str,
    conversation_id: &str,
    rating: &RatingView,
) -> Result<(), AppError> {
    let settings = settings(&state.store, channel_id).await?;
    let standing = state.dispatch.standing(conversation_id).await?;
    match automation::on_rating(&settings, standing) {
        OnRating::Stays => Ok(()),
        OnRating::ClosesFully => {
            apply(state, conversation_id, automation::on_closed_by_rating()).await?;
            state
                .dispatch
                .close_fully(conversation_id, "the visitor rated it")
                .await?;
            Ok(())
        }
        OnRating::Reopens => {
            state
                .dispatch
                .reopen_by_rating(conversation_id, channel_id, rating)
                .await
        }
    }
}

/// The conversation closed.
pub async fn closed(state: &AppState, conversation_id: &str) -> Result<(), AppError> {
    apply(state, conversation_id, automation::on_closed()).await
}

async fn apply(
    state: &AppState,
    conversation_id: &str,
    changes: Vec<TimerChange>,
) -> Result<(), AppError> {
    let mut armed = false;
    // Most messages have no timer to cancel (an agent's answer cancels both KPI
    // waits whatever the channel's settings): a read first, since a DELETE takes
    // SQLite's write lock even when it finds nothing.
    let cancels = changes.iter().any(|c| matches!(c, TimerChange::Cancel(_)));
    let pending = if cancels {
        state.store.pending_timer_kinds(conversation_id).await?
    } else {
        Vec::new()
    };
    for change in changes {
        match change {
            TimerChange::Cancel(kind) if !pending.contains(&kind) => {}
            TimerChange::Arm { kind, due, keep } => {
                state
                    .store
                    .arm_timer(conversation_id, kind, &rfc3339(due), &now_rfc3339(), keep)
                    .await?;
                armed = true;
            }
            TimerChange::Cancel(kind) => state.store.cancel_timer(conversation_id, kind).await?,
            TimerChange::ClearMark => {
                if state.store.clear_unanswered(conversation_id).await? {
                    state.dispatch.unanswered(conversation_id, false).await;
                }
            }
        }
    }
    if armed {
        state.timers.wake();
    }
    Ok(())
}

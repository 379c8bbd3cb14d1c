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
use crate::store::writes::{Write, Wrote};
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

/// Whether a caller waits for the commit of the timer changes it sets off, or
/// goes on (a socket, whose next frame should not wait behind them; a failure
/// is then logged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commit {
    Wait,
    Aside,
}

/// The visitor wrote in the conversation.
pub async fn visitor_wrote(
    state: &AppState,
    channel_id: &str,
    conversation_id: &str,
    commit: Commit,
) -> Result<(), AppError> {
    let settings = state.automations.settings(&state.store, channel_id).await?;
    let mut changes = automation::on_visitor_message(&settings, OffsetDateTime::now_utc());
    changes.extend(
        crate::services::kpi::on_visitor_message(state, &settings, channel_id, conversation_id)
            .await?,
    );
    apply_as(commit, state, conversation_id, changes).await
}

/// An agent answered in the conversation.
pub async fn agent_answered(
    state: &AppState,
    conversation_id: &str,
    commit: Commit,
) -> Result<(), AppError> {
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
    apply_as(commit, state, conversation_id, changes).await
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

/// Makes the timer changes and waits for their commit.
async fn apply(
    state: &AppState,
    conversation_id: &str,
    changes: Vec<TimerChange>,
) -> Result<(), AppError> {
    apply_as(Commit::Wait, state, conversation_id, changes).await
}

/// Makes the timer changes; with [`Commit::Aside`] their commit is waited for
/// by a task of its own, which logs a failure.
async fn apply_as(
    commit: Commit,
    state: &AppState,
    conversation_id: &str,
    changes: Vec<TimerChange>,
) -> Result<(), AppError> {
    let Some(committed) = queue(state, conversation_id, changes).await? else {
        return Ok(());
    };
    match commit {
        Commit::Wait => committed.await,
        Commit::Aside => {
            tokio::spawn(async move {
                if let Err(e) = committed.await {
                    tracing::error!(error = %e, "the conversation's timers were not stored");
                }
            });
            Ok(())
        }
    }
}

/// Queues the timer changes to the conversation's writer, all in one commit, and
/// returns what waits for it and then tells who needs to know (the consoles of a
/// mark cleared, the timer loop of a timer armed); `None` when there is nothing
/// to change (most messages of a channel without automatic actions).
async fn queue(
    state: &AppState,
    conversation_id: &str,
    changes: Vec<TimerChange>,
) -> Result<
    Option<impl std::future::Future<Output = Result<(), AppError>> + Send + 'static>,
    AppError,
> {
    // A cancel is queued even when no such timer is pending (no read first): the
    // writer takes it after every change queued before, committed or not yet,
    // and inside its batch a DELETE that finds nothing costs no lock of its own.
    // Cancels go in one statement: each joins the cancels queued before it,
    // unless a timer was armed since (a cancel must stay after an arm of its
    // kind); the unanswered mark does not depend on them.
    let id = || conversation_id.to_owned();
    let mut writes = Vec::new();
    let (mut armed, mut clear) = (false, None);
    let mut cancels: Option<usize> = None;
    for change in changes {
        match change {
            TimerChange::Arm { kind, due, keep } => {
                cancels = None;
                writes.push(Write::ArmTimer {
                    conversation_id: id(),
                    kind,
                    due_at: rfc3339(due),
                    now: now_rfc3339(),
                    keep,
                    payload: None,
                });
                armed = true;
            }
            TimerChange::Cancel(kind) => match cancels.and_then(|i| writes.get_mut(i)) {
                Some(Write::CancelTimers { kinds, .. }) => kinds.push(kind),
                _ => {
                    cancels = Some(writes.len());
                    writes.push(Write::CancelTimers {
                        conversation_id: id(),
                        kinds: vec![kind],
                    });
                }
            },
            TimerChange::ClearMark => {
                clear = Some(writes.len());
                writes.push(Write::ClearUnanswered {
                    conversation_id: id(),
                });
            }
        }
    }
    if writes.is_empty() {
        return Ok(None);
    }
    let committed = state.store.queue_writes(writes).await?;
    let (state, conversation_id) = (state.clone(), id());
    Ok(Some(async move {
        let wrote = committed.await;
        for outcome in &wrote {
            if let Err(e) = outcome {
                return Err(AppError::Internal(format!("a timer change: {e}")));
            }
        }
        let cleared = clear.and_then(|i| wrote.get(i));
        if matches!(cleared, Some(Ok(Wrote::Changed(true)))) {
            state.dispatch.unanswered(&conversation_id, false).await;
        }
        if armed {
            state.timers.wake();
        }
        Ok(())
    }))
}

//! The stored figures of each conversation (see [`canal_store::figures`]): one
//! task recomputes the conversations the store marked changed, [`BATCH`] at a
//! time, with the reports' arithmetic ([`super::kpi::responses_of`],
//! `canal_core::kpi::figures`), and writes them through the conversations'
//! writers. It never runs on the path that acknowledges a message: an agent's
//! message, a close or a rating only marks its conversation once committed. At
//! start it first marks the conversations whose figures are missing or stale
//! (marks lost when the process stopped).
//!
//! It shares the writers and the cores with the messages, so it yields to them:
//! woken, it lets marks gather for [`GATHER`] (a busy moment's answers are computed
//! together, a conversation once); with a backlog (a start's repair, an import, a
//! channel's new hours) it rests as long as each batch took, so it takes at most
//! half of the time.

use std::time::{Duration, Instant};

use canal_core::clock::now_rfc3339;
use canal_core::kpi;
use canal_store::figures::FiguresRow;
use canal_store::writes::Write;
use tokio::sync::watch;

use crate::app::AppState;
use crate::error::AppError;

/// Most conversations recomputed in one go.
pub const BATCH: usize = 200;

/// How long the task waits after a failure before it tries again.
const AFTER_FAILURE: Duration = Duration::from_secs(1);

/// How long marks gather once the task is woken.
pub const GATHER: Duration = Duration::from_millis(250);

/// Starts the task; it ends when the server closes.
pub fn start(state: AppState, mut closing: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let wake = state.store.figures_wake();
        match state.store.stale_figures().await {
            Ok(stale) => {
                if !stale.is_empty() {
                    tracing::info!(conversations = stale.len(), "repairing stored figures");
                }
                state.store.mark_figures_changed(stale);
            }
            Err(e) => tracing::error!(error = %e, "finding stale figures failed"),
        }
        loop {
            if *closing.borrow() {
                return;
            }
            // Armed before taking, so that a mark set meanwhile wakes it.
            let woken = wake.notified();
            let ids = state.store.take_changed_figures(BATCH);
            let rest = if ids.is_empty() {
                tokio::select! {
                    () = woken => GATHER,
                    _ = closing.changed() => return,
                }
            } else {
                let started = Instant::now();
                match recompute(&state, &ids).await {
                    Ok(()) if ids.len() < BATCH => continue,
                    Ok(()) => started.elapsed(),
                    Err(e) => {
                        tracing::error!(error = %e, "recomputing figures failed");
                        state.store.mark_figures_changed(ids);
                        AFTER_FAILURE
                    }
                }
            };
            tokio::select! {
                () = tokio::time::sleep(rest) => {}
                _ = closing.changed() => return,
            }
        }
    });
}

fn secs(n: Option<u64>) -> Option<i64> {
    n.and_then(|n| i64::try_from(n).ok())
}

/// Recomputes and stores the figures of these conversations (unknown ids are
/// skipped); answers once they are committed.
pub async fn recompute(state: &AppState, ids: &[String]) -> Result<(), AppError> {
    let inputs = state.store.figures_inputs(ids).await?;
    let responses = super::kpi::responses_of(state, inputs.timelines, inputs.closes).await?;
    let now = now_rfc3339();
    let writes: Vec<Write> = inputs
        .sources
        .into_iter()
        .map(|source| {
            let figures = responses
                .get(&source.conversation_id)
                .map(|r| kpi::figures(r))
                .unwrap_or_default();
            Write::Figures(FiguresRow {
                conversation_id: source.conversation_id,
                first_response_secs: secs(figures.first_response_secs),
                total_response_secs: secs(figures.total_response_secs),
                average_response_secs: secs(figures.average_response_secs),
                max_response_secs: secs(figures.max_response_secs),
                responses: i64::try_from(figures.responses).unwrap_or(i64::MAX),
                rating: source.rating,
                agent_messages: source.agent_messages,
                closes: source.closes,
                computed_at: now.clone(),
            })
        })
        .collect();
    if writes.is_empty() {
        return Ok(());
    }
    for wrote in state.store.queue_writes(writes).await?.await {
        wrote?;
    }
    Ok(())
}

//! Durable timers: the loop that fires a conversation's automatic actions when
//! they fall due (the rows are the store's `timers`, armed and cancelled by
//! [`crate::services::automation`]; what a due timer does is
//! `canal_core::automation::fire`), and the admin routes of the channel's
//! automation settings.
//!
//! One loop per server ([`crate::due::run`], as the mail sender's): it claims due
//! timers with a lease, so of several servers on one database only one fires a
//! timer; a timer due while no server ran fires as the next one starts. Each
//! action checks the conversation again before it acts (still open, the visitor
//! still waiting or still silent) and the store's writes are conditional, so a
//! timer claimed twice (its server died mid-fire) acts once.
//! - unanswered: the conversation is marked (`conversations.unanswered_since`) and
//!   the consoles that list it show the mark until an agent answers;
//! - auto-close: the channel's text (if any) is posted to the visitor, then the
//!   conversation closes as when its agent closes it (the same frames to the
//!   widget and the consoles, the transcript mailed when asked for);
//! - an offer's deadline (routing's `pass_after`, armed by [`crate::dispatch`]
//!   with each offer): routing passes the offers due by now on. A restart offers a
//!   pending one again to the same agents until the same deadline.
//! - KPI overdue (`kpi_first`, `kpi_next`, armed by a visitor's message that
//!   starts a wait, cancelled by the answer): the channel's chosen employee gets
//!   one notice, stored and pushed to their consoles (see
//!   [`crate::services::kpi`]);
//! - rating wait: a conversation an agent closed awaiting the visitor's rating
//!   closes fully (it no longer counts against its agent's cap), unless it opened
//!   again meanwhile.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::Json;
use canal_core::automation::{fire, Facts, Fire, TimerKind};
use canal_core::clock::now_rfc3339;
use canal_protocol::automation::AutomationSettings;
use tokio::sync::{watch, Notify};

use crate::admin::Manager;
use crate::app::AppState;
use crate::due::later;
use crate::error::{ApiJson, AppError};
use crate::services::automation;
use crate::store::timers::Timer;

/// How long the loop holds a claimed timer before another may take it.
const LEASE: Duration = Duration::from_secs(60);
/// Timers claimed at once.
const BATCH: i64 = 32;
/// The wait after the store failed a claim.
const RETRY_AFTER: Duration = Duration::from_secs(5);
/// How long a fired timer stays on record.
const KEEP_FIRED: time::Duration = time::Duration::days(30);
/// How often the loop prunes fired timers.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The handle to wake the timer loop when a timer is armed.
#[derive(Clone, Default)]
pub struct Timers {
    wake: Arc<Notify>,
}

impl Timers {
    /// A timer was armed: the loop looks again now (it may be due before the one
    /// the loop sleeps for).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the loop over `state`, looking at the store at least every
    /// `look_every`; it stops when `closing` turns true.
    pub fn start(&self, state: AppState, look_every: Duration, closing: watch::Receiver<bool>) {
        tokio::spawn(crate::due::run(
            Firer {
                state,
                pruned: std::sync::Mutex::new(None),
            },
            look_every,
            RETRY_AFTER,
            self.wake.clone(),
            closing,
        ));
    }
}

struct Firer {
    state: AppState,
    /// When fired timers were last pruned (`None`: not yet).
    pruned: std::sync::Mutex<Option<std::time::Instant>>,
}

impl crate::due::Queue for Firer {
    const NAME: &'static str = "timers";
    const BATCH: i64 = BATCH;

    async fn work(&self) -> Result<usize, String> {
        self.prune().await;
        let timers = self
            .state
            .store
            .claim_timers(&now_rfc3339(), &later(LEASE), BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let claimed = timers.len();
        for timer in timers {
            match self.fire(&timer).await {
                Ok(outcome) => {
                    tracing::info!(
                        timer = timer.id,
                        conversation = timer.conversation_id,
                        kind = timer.kind.as_str(),
                        outcome,
                        "timer fired"
                    );
                    if let Err(e) = self
                        .state
                        .store
                        .timer_fired(timer.id, &now_rfc3339(), outcome)
                        .await
                    {
                        // The lease runs out and it is claimed again; the action
                        // checks again and does nothing the second time.
                        tracing::error!(timer = timer.id, error = %e, "recording a fired timer failed");
                    }
                }
                Err(e) => {
                    tracing::error!(timer = timer.id, error = %e, "a timer failed; it is tried again");
                }
            }
        }
        Ok(claimed)
    }

    async fn next_due(&self) -> Result<Option<String>, String> {
        self.state
            .store
            .next_timer_due()
            .await
            .map_err(|e| e.to_string())
    }
}

impl Firer {
    /// Drops the timers fired more than [`KEEP_FIRED`] ago, at most every
    /// [`PRUNE_EVERY`] (a failure is logged and tried again then).
    async fn prune(&self) {
        {
            let Ok(mut last) = self.pruned.lock() else {
                return;
            };
            if last.is_some_and(|at| at.elapsed() < PRUNE_EVERY) {
                return;
            }
            *last = Some(std::time::Instant::now());
        }
        let before = canal_core::clock::rfc3339(time::OffsetDateTime::now_utc() - KEEP_FIRED);
        match self.state.store.prune_fired_timers(&before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(pruned = n, "fired timers pruned"),
            Err(e) => tracing::error!(error = %e, "pruning fired timers failed"),
        }
    }

    /// Does what a due timer says, if its reason still holds; returns the outcome
    /// to record.
    async fn fire(&self, timer: &Timer) -> Result<&'static str, AppError> {
        let state = &self.state;
        if timer.kind == TimerKind::PassOffer {
            // Routing passes on every offer due by now (this one, unless it was
            // taken or moved meanwhile; a moved one has its own row).
            state.dispatch.tick().await?;
            return Ok("ticked");
        }
        let Some(read) = state.store.timer_facts(&timer.conversation_id).await? else {
            return Ok("nothing");
        };
        let settings = automation::settings(&state.store, &read.channel_id).await?;
        let facts = Facts {
            open: read.status == "open",
            visitor_wrote_last: read.last_author.as_deref().map(|a| a == "visitor"),
            marked: read.unanswered_since.is_some(),
        };
        match fire(timer.kind, facts, &settings) {
            Fire::Nothing => Ok("nothing"),
            Fire::Mark => {
                if state
                    .store
                    .mark_unanswered(&timer.conversation_id, &timer.due_at)
                    .await?
                {
                    state
                        .dispatch
                        .unanswered(&timer.conversation_id, true)
                        .await;
                    Ok("marked")
                } else {
                    Ok("nothing")
                }
            }
            Fire::Close { text } => {
                if !state
                    .dispatch
                    .close_automatically(&timer.conversation_id, text)
                    .await?
                {
                    return Ok("nothing");
                }
                automation::closed(state, &timer.conversation_id).await?;
                crate::services::crm::closed(state, &timer.conversation_id).await;
                if let Err(e) = crate::services::mail::closed(state, &timer.conversation_id).await {
                    tracing::error!(error = %e, "queueing the transcript failed");
                }
                Ok("closed")
            }
            Fire::Overdue(kind) => {
                crate::services::kpi::overdue(state, timer, kind, &settings).await
            }
            Fire::CloseFully => {
                let known = state
                    .dispatch
                    .close_fully(&timer.conversation_id, "the wait for the rating ran out")
                    .await?;
                // Not known to routing (closed before this server started): closed
                // already, and the timer's row says the wait is over.
                Ok(if known { "closed" } else { "nothing" })
            }
        }
    }
}

/// `GET /api/v1/admin/channels/{key}/automation`
pub async fn get_automation(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<AutomationSettings>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    Ok(Json(automation::settings(&state.store, &channel.id).await?))
}

/// `PUT /api/v1/admin/channels/{key}/automation`
pub async fn put_automation(
    _: Manager,
    State(state): State<AppState>,
    Path(key): Path<String>,
    ApiJson(request): ApiJson<AutomationSettings>,
) -> Result<Json<AutomationSettings>, AppError> {
    let channel = crate::services::channels::of_admin(&state, &key).await?;
    Ok(Json(automation::save(&state, &channel, request).await?))
}

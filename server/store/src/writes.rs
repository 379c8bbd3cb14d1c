//! The conversations' writers: what routing decides (log lines, holders, statuses,
//! system and agent messages, offer timers) and, on SQLite, every message, written
//! through group-commit writers ([`crate::group`]).
//!
//! A decision's writes are queued in decision order ([`Store::queue_writes`]) and
//! the caller waits for their commit separately, so decisions queued while a batch
//! commits share the next transaction and its sync. Order per conversation is the
//! queue's order: every write of a conversation goes to the same writer.
//!
//! SQLite has one writer: one writer task takes every write, messages included
//! (two tasks would take turns on the database's lock, each waiting with SQLite's
//! sleeping busy handler). PostgreSQL takes writers side by side: the writes are
//! spread over [`PG_WRITERS`] tasks by conversation, so one task's round trips do
//! not hold up every conversation.

use std::future::Future;
use std::hash::BuildHasher;

use canal_core::automation::TimerKind;
use tokio::sync::oneshot;

use canal_protocol::integrations::EventData;

use crate::channels::{append_message_in, Appended};
use crate::events::{event_in, Queued};
use crate::figures::{put_figures_in, Changed, FiguresRow};
use crate::group::{Batch, Writer};
use crate::routing::LogRow;
use crate::{on_tx, Db, Error, Result, Tx};

/// How many writer tasks share a PostgreSQL store's conversation writes. At 5,000
/// sockets and 1,000 messages/s on 2 cores, 8 once halved the replies' p99
/// against 4 (321 to 145 ms, stop 24). Since then a visitor's message is one
/// statement of its own and the writers take fewer round trips; four runs of
/// each, alternating, gave 4 writers ack p99 8.5 to 10.4 ms against 11.6 to 15.5
/// ms and delivery p99 30.2 to 52.0 ms against 40.9 to 66.7 ms (2 writers: 8.2 to
/// 9.2 and 42.3 to 42.8 ms; 16: worse than 8). Two later runs with 4, not
/// alternating, on a busier host, were no better than 8 had been: the gain is
/// within this host's drift (stop 36, docs/BENCHMARKS.md).
pub const PG_WRITERS: usize = 4;

/// A message to append (see [`crate::Store::append_message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub conversation_id: String,
    /// `visitor`, `agent` or `system`.
    pub author: String,
    pub agent_id: Option<i64>,
    pub client_id: Option<String>,
    pub body: String,
}

/// One write of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// Appends a line to the routing log.
    Log {
        conversation_id: String,
        line: LogRow,
    },
    /// Records who holds the conversation.
    Assign {
        conversation_id: String,
        agent_id: i64,
    },
    /// Sets the status (`open`, `closed`) at `at`; a close is also kept with its
    /// time (see [`crate::Store::set_conversation_status`]).
    Status {
        conversation_id: String,
        status: String,
        at: String,
    },
    /// Appends a message with the next sequence number.
    Message(NewMessage),
    /// Drops the pending timers of these kinds, in one statement (see
    /// [`crate::timers::cancel_timers_in`]).
    CancelTimers {
        conversation_id: String,
        kinds: Vec<TimerKind>,
    },
    /// Arms the timer `kind` (see [`crate::timers::arm_timer_in`]), with what a
    /// restart needs to act on it (`payload`, JSON: an offer's agents).
    ArmTimer {
        conversation_id: String,
        kind: TimerKind,
        due_at: String,
        now: String,
        keep: bool,
        payload: Option<String>,
    },
    /// Clears the unanswered mark (see [`crate::timers::clear_unanswered_in`]).
    ClearUnanswered { conversation_id: String },
    /// Sets the unanswered mark (see [`crate::Store::mark_unanswered`]).
    MarkUnanswered {
        conversation_id: String,
        since: String,
    },
    /// Stores a conversation's recomputed figures (see [`crate::figures`]).
    Figures(FiguresRow),
}

impl Write {
    fn conversation_id(&self) -> &str {
        match self {
            Write::Log {
                conversation_id, ..
            }
            | Write::Assign {
                conversation_id, ..
            }
            | Write::Status {
                conversation_id, ..
            }
            | Write::CancelTimers {
                conversation_id, ..
            }
            | Write::ArmTimer {
                conversation_id, ..
            }
            | Write::MarkUnanswered {
                conversation_id, ..
            }
            | Write::ClearUnanswered { conversation_id } => conversation_id,
            Write::Message(m) => &m.conversation_id,
            Write::Figures(f) => &f.conversation_id,
        }
    }
}

/// What one [`Write`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Wrote {
    /// Written (nothing to report).
    Done,
    /// A status write or a mark cleared: whether it changed.
    Changed(bool),
    /// A message write.
    Message(Appended),
}

/// The conversations' writers (see the module's text).
#[derive(Clone, Debug)]
pub(crate) struct Writers {
    writers: Vec<Writer<WriteBatch>>,
    hasher: std::hash::RandomState,
}

impl Writers {
    pub(crate) fn start(db: &Db, queued: &Queued, changed: &Changed) -> Self {
        let n = match db {
            Db::Sqlite(..) => 1,
            Db::Postgres(_) => PG_WRITERS,
        };
        Self {
            writers: (0..n)
                .map(|_| Writer::start(db.clone(), queued.clone(), changed.clone()))
                .collect(),
            hasher: std::hash::RandomState::new(),
        }
    }

    fn writer_of(&self, conversation_id: &str) -> usize {
        if self.writers.len() == 1 {
            return 0;
        }
        (self.hasher.hash_one(conversation_id) % self.writers.len() as u64) as usize
    }

    /// Queues `writes` (after everything queued before) and returns what waits for
    /// their commit: each write's outcome, in the order given. The writes of one
    /// writer commit together (one of them failing rolls back that writer's part
    /// only, and each of its writes answers with the error).
    pub(crate) async fn queue(
        &self,
        writes: Vec<Write>,
    ) -> Result<impl Future<Output = Vec<Result<Wrote>>> + Send + 'static> {
        let count = writes.len();
        let mut parts: Vec<Vec<Write>> = vec![Vec::new(); self.writers.len()];
        let mut places = Vec::with_capacity(count);
        for write in writes {
            let w = self.writer_of(write.conversation_id());
            places.push((w, parts[w].len()));
            parts[w].push(write);
        }
        let mut waiting: Vec<Option<oneshot::Receiver<Result<Vec<Wrote>>>>> = Vec::new();
        for (w, part) in parts.into_iter().enumerate() {
            waiting.push(if part.is_empty() {
                None
            } else {
                Some(self.writers[w].queue(part).await?)
            });
        }
        Ok(async move {
            let mut answers: Vec<std::result::Result<std::vec::IntoIter<Wrote>, String>> =
                Vec::with_capacity(waiting.len());
            for rx in waiting {
                answers.push(match rx {
                    None => Ok(Vec::new().into_iter()),
                    Some(rx) => match rx.await {
                        Ok(Ok(wrote)) => Ok(wrote.into_iter()),
                        Ok(Err(e)) => Err(e.to_string()),
                        Err(_) => Err(Error::Closed.to_string()),
                    },
                });
            }
            // Each writer answered its part in order: hand the outcomes back in
            // the order of the writes.
            let mut out = Vec::with_capacity(count);
            for (w, _) in places {
                out.push(match &mut answers[w] {
                    Ok(wrote) => wrote.next().ok_or(Error::Closed),
                    Err(e) => Err(Error::Corrupt(format!("writes not committed: {e}"))),
                });
            }
            out
        })
    }

    /// Waits for every writer to reach what was queued to it before the call: a
    /// request with no writes, answered after everything before it (see
    /// [`crate::Store::settle`]).
    pub(crate) async fn settle(&self) {
        for writer in &self.writers {
            if let Ok(answer) = writer.queue(Vec::new()).await {
                let _ = answer.await;
            }
        }
    }
}

/// A batch of writes (SQLite: its one writer, taken by `BEGIN IMMEDIATE`;
/// PostgreSQL: the rows each write locks), and the deliveries its writes queued.
pub(crate) struct WriteBatch {
    queued: u64,
    /// The conversations with a new agent's message or status.
    changed: Vec<String>,
}

impl Batch for WriteBatch {
    /// One decision's writes (of this writer's conversations), written together.
    type Job = Vec<Write>;
    type Done = Vec<Wrote>;
    const NAME: &'static str = "conversation";

    /// A visitor's or an agent's message: its sender waits for the ack. So does
    /// an empty request ([`Writers::settle`]).
    fn urgent(writes: &Vec<Write>) -> bool {
        writes.is_empty()
            || writes
                .iter()
                .any(|w| matches!(w, Write::Message(m) if m.author != "system"))
    }

    async fn begin(_: &mut Tx, _: &[Vec<Write>]) -> Result<Self> {
        Ok(Self {
            queued: 0,
            changed: Vec::new(),
        })
    }

    async fn write(&mut self, tx: &mut Tx, writes: &Vec<Write>) -> Result<Vec<Wrote>> {
        let mut done = Vec::with_capacity(writes.len());
        let mut queued = 0;
        let mut changed = Vec::new();
        for write in writes {
            let wrote = write_in(tx, write, &mut queued).await?;
            let changes_figures = match (write, &wrote) {
                (Write::Message(m), Wrote::Message(Appended { inserted: true, .. })) => {
                    crate::figures::changes_figures(m)
                }
                (Write::Status { .. }, Wrote::Changed(true)) => true,
                _ => false,
            };
            if changes_figures {
                changed.push(write.conversation_id().to_owned());
            }
            done.push(wrote);
        }
        self.queued += queued;
        self.changed.extend(changed);
        Ok(done)
    }

    fn queued(&self) -> u64 {
        self.queued
    }

    fn changed(&mut self) -> Vec<String> {
        std::mem::take(&mut self.changed)
    }
}

/// Writes one [`Write`] inside the caller's transaction, with the events it
/// announces (a message's, `conversation.assigned`, `conversation.closed`);
/// `queued` counts the deliveries that queued.
async fn write_in(tx: &mut Tx, write: &Write, queued: &mut u64) -> Result<Wrote> {
    match write {
        Write::Message(m) => Ok(Wrote::Message(append_message_in(tx, m, queued).await?)),
        Write::Status {
            conversation_id,
            status,
            at,
        } => {
            let changed = crate::channels::set_status_in(tx, conversation_id, status, at).await?;
            if changed && status == "closed" {
                let conversation_id = conversation_id.clone();
                *queued += event_in(tx, EventData::ConversationClosed { conversation_id }).await?;
            }
            Ok(Wrote::Changed(changed))
        }
        Write::Log {
            conversation_id,
            line,
        } => {
            on_tx!(tx, c => {
                sqlx::query(
                    "INSERT INTO routing_log (conversation_id, at, text, entry) VALUES ($1, $2, $3, $4)",
                )
                .bind(conversation_id)
                .bind(&line.at)
                .bind(&line.text)
                .bind(&line.entry)
                .execute(&mut *c)
                .await?;
            });
            Ok(Wrote::Done)
        }
        Write::Assign {
            conversation_id,
            agent_id,
        } => {
            on_tx!(tx, c => {
                sqlx::query("UPDATE conversations SET agent_id = $2 WHERE id = $1")
                    .bind(conversation_id)
                    .bind(agent_id)
                    .execute(&mut *c)
                    .await?;
            });
            let event = EventData::ConversationAssigned {
                conversation_id: conversation_id.clone(),
                agent_id: Some(*agent_id),
            };
            *queued += event_in(tx, event).await?;
            Ok(Wrote::Done)
        }
        Write::CancelTimers {
            conversation_id,
            kinds,
        } => {
            crate::timers::cancel_timers_in(tx, conversation_id, kinds).await?;
            Ok(Wrote::Done)
        }
        Write::ArmTimer {
            conversation_id,
            kind,
            due_at,
            now,
            keep,
            payload,
        } => {
            let payload = payload.as_deref();
            crate::timers::arm_timer_in(tx, conversation_id, *kind, due_at, now, *keep, payload)
                .await?;
            Ok(Wrote::Done)
        }
        Write::ClearUnanswered { conversation_id } => Ok(Wrote::Changed(
            crate::timers::clear_unanswered_in(tx, conversation_id).await?,
        )),
        Write::MarkUnanswered {
            conversation_id,
            since,
        } => Ok(Wrote::Changed(
            crate::timers::mark_unanswered_in(tx, conversation_id, since).await?,
        )),
        Write::Figures(row) => {
            put_figures_in(tx, row).await?;
            Ok(Wrote::Done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(author: &str) -> Write {
        Write::Message(NewMessage {
            conversation_id: "c".into(),
            author: author.into(),
            agent_id: None,
            client_id: None,
            body: "hello".into(),
        })
    }

    /// A visitor's or an agent's message is waited on (its ack); routing's and
    /// the timers' writes, a held auto-reply among them, are not.
    #[test]
    fn a_decision_is_waited_on_when_it_writes_someone_s_message() {
        let clear = Write::ClearUnanswered {
            conversation_id: "c".into(),
        };
        assert!(WriteBatch::urgent(&vec![message("visitor")]));
        assert!(WriteBatch::urgent(&vec![clear.clone(), message("agent")]));
        assert!(WriteBatch::urgent(&Vec::new()), "settling waits on nothing");
        assert!(!WriteBatch::urgent(&vec![message("system")]));
        assert!(!WriteBatch::urgent(&vec![clear]));
    }
}

//! Each conversation's stored response-time figures (`conversation_figures`,
//! migration 0030), which the conversation list sorts by.
//!
//! The store marks a conversation changed ([`Changed`], in memory) after the
//! commit of a write the figures depend on: an agent's message, a status change
//! (a close ends a wait) or a rating. A visitor's message changes no figure (a
//! wait counts once an agent answers it, and the recompute then reads the whole
//! timeline), so the messages that are most of a busy site's writes mark nothing
//! ([`changes_figures`]). One task of the server takes the marks in batches,
//! recomputes those conversations' figures from their timelines and writes them
//! through the conversations' writers ([`crate::writes::Write::Figures`]), off the
//! path that acknowledges messages. Marks lost with the process are found again at
//! start by [`Store::stale_figures`]: a row is stale when the agents' messages,
//! closes or rating it was computed from are not the conversation's.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use sqlx::FromRow;
use tokio::sync::Notify;

use crate::kpi::TimelineRow;
use crate::{on_pool, on_tx, Result, Store, Tx};

/// Whether appending this message can change its conversation's figures: only an
/// agent's answers a wait.
pub(crate) fn changes_figures(message: &crate::writes::NewMessage) -> bool {
    message.author == "agent"
}

/// The conversations whose figures may be stale, and the wake-up of the task that
/// recomputes them. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub(crate) struct Changed(Arc<ChangedInner>);

#[derive(Debug, Default)]
struct ChangedInner {
    ids: Mutex<HashSet<String>>,
    wake: Arc<Notify>,
}

impl Changed {
    /// Marks conversations changed (called after the commit that changed them).
    pub(crate) fn mark<I: IntoIterator<Item = String>>(&self, ids: I) {
        let marked = match self.0.ids.lock() {
            Ok(mut set) => {
                let before = set.len();
                set.extend(ids);
                set.len() > before
            }
            Err(_) => false,
        };
        if marked {
            self.0.wake.notify_one();
        }
    }

    fn take(&self, max: usize) -> Vec<String> {
        let Ok(mut set) = self.0.ids.lock() else {
            return Vec::new();
        };
        let taken: Vec<String> = set.iter().take(max).cloned().collect();
        for id in &taken {
            set.remove(id);
        }
        taken
    }
}

/// One conversation's figures as stored (seconds; `None`: no answered wait), with
/// what they were computed from.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FiguresRow {
    pub conversation_id: String,
    pub first_response_secs: Option<i64>,
    pub total_response_secs: Option<i64>,
    pub average_response_secs: Option<i64>,
    pub max_response_secs: Option<i64>,
    /// How many waits were answered.
    pub responses: i64,
    /// `like`, `dislike`, or `None`: not rated.
    pub rating: Option<String>,
    /// How many agents' messages the conversation had.
    pub agent_messages: i64,
    /// How many times it had closed.
    pub closes: i64,
    pub computed_at: String,
}

/// What the figures of a conversation are computed from, besides its timeline.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FiguresSource {
    pub conversation_id: String,
    pub channel_id: String,
    pub agent_messages: i64,
    pub closes: i64,
    pub rating: Option<String>,
}

/// Everything the figures of some conversations are computed from.
#[derive(Debug, Clone, Default)]
pub struct FiguresInputs {
    pub sources: Vec<FiguresSource>,
    /// Their visitors' and agents' messages, by conversation, in order.
    pub timelines: Vec<TimelineRow>,
    /// Their closes: (conversation id, closed at).
    pub closes: Vec<(String, String)>,
}

/// Writes a conversation's figures inside the caller's transaction (replacing
/// what was stored).
pub(crate) async fn put_figures_in(tx: &mut Tx, row: &FiguresRow) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO conversation_figures (conversation_id, first_response_secs,
                    total_response_secs, average_response_secs, max_response_secs, responses,
                    rating, agent_messages, closes, computed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (conversation_id) DO UPDATE SET
                first_response_secs = excluded.first_response_secs,
                total_response_secs = excluded.total_response_secs,
                average_response_secs = excluded.average_response_secs,
                max_response_secs = excluded.max_response_secs,
                responses = excluded.responses, rating = excluded.rating,
                agent_messages = excluded.agent_messages, closes = excluded.closes,
                computed_at = excluded.computed_at",
        )
        .bind(&row.conversation_id)
        .bind(row.first_response_secs)
        .bind(row.total_response_secs)
        .bind(row.average_response_secs)
        .bind(row.max_response_secs)
        .bind(row.responses)
        .bind(&row.rating)
        .bind(row.agent_messages)
        .bind(row.closes)
        .bind(&row.computed_at)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

fn push_ids<'a, DB>(q: &mut sqlx::QueryBuilder<'a, DB>, ids: &'a [String])
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(id.clone());
    }
    q.push(")");
}

impl Store {
    /// Takes up to `max` conversations marked changed (their marks cleared).
    pub fn take_changed_figures(&self, max: usize) -> Vec<String> {
        self.changed.take(max)
    }

    /// Marks conversations' figures to be recomputed (a start's repair).
    pub fn mark_figures_changed(&self, ids: Vec<String>) {
        self.changed.mark(ids);
    }

    /// Notified when a conversation is marked changed.
    pub fn figures_wake(&self) -> Arc<Notify> {
        self.changed.0.wake.clone()
    }

    /// What the figures of these conversations are computed from (unknown ids
    /// are left out).
    pub async fn figures_inputs(&self, ids: &[String]) -> Result<FiguresInputs> {
        if ids.is_empty() {
            return Ok(FiguresInputs::default());
        }
        on_pool!(self, p => {
            let mut q = sqlx::QueryBuilder::new(
                "SELECT c.id AS conversation_id, c.channel_id, \
                 (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id \
                  AND m.author = 'agent') AS agent_messages, \
                 (SELECT COUNT(*) FROM conversation_closes x WHERE x.conversation_id = c.id) AS closes, \
                 r.rating FROM conversations c \
                 LEFT JOIN conversation_ratings r ON r.conversation_id = c.id WHERE c.id IN ",
            );
            push_ids(&mut q, ids);
            let sources = q.build_query_as().fetch_all(p).await?;
            let mut q = sqlx::QueryBuilder::new(
                "SELECT m.conversation_id, c.channel_id, m.author, m.agent_id, m.created_at \
                 FROM messages m JOIN conversations c ON c.id = m.conversation_id \
                 WHERE m.author <> 'system' AND m.conversation_id IN ",
            );
            push_ids(&mut q, ids);
            q.push(" ORDER BY m.conversation_id, m.seq");
            let timelines = q.build_query_as().fetch_all(p).await?;
            let mut q = sqlx::QueryBuilder::new(
                "SELECT conversation_id, closed_at FROM conversation_closes WHERE conversation_id IN ",
            );
            push_ids(&mut q, ids);
            let closes = q.build_query_as().fetch_all(p).await?;
            Ok(FiguresInputs { sources, timelines, closes })
        })
    }

    /// The conversations whose figures are missing, or were computed from other
    /// agents' messages, closes or rating than they have now.
    pub async fn stale_figures(&self) -> Result<Vec<String>> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT c.id FROM conversations c
               LEFT JOIN conversation_figures f ON f.conversation_id = c.id
               LEFT JOIN conversation_ratings r ON r.conversation_id = c.id
              WHERE f.conversation_id IS NULL
                 OR f.agent_messages <> (SELECT COUNT(*) FROM messages m
                                          WHERE m.conversation_id = c.id AND m.author = 'agent')
                 OR f.closes <> (SELECT COUNT(*) FROM conversation_closes x
                                  WHERE x.conversation_id = c.id)
                 OR f.rating IS DISTINCT FROM r.rating",
        )
        .fetch_all(p)
        .await?))
    }

    /// Marks the stored figures of every conversation of a channel stale in the
    /// table, and returns their ids: its working hours are about to change, and the
    /// time while closed does not count. Done before the hours are stored, so a
    /// process that stops in between finds them at start ([`Store::stale_figures`]);
    /// the caller marks them changed once the hours are stored, so a computation
    /// under way with the old hours is done again.
    pub(crate) async fn figures_stale_in_channel(&self, channel_id: &str) -> Result<Vec<String>> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "UPDATE conversation_figures SET agent_messages = -1
              WHERE conversation_id IN (SELECT id FROM conversations WHERE channel_id = $1)
              RETURNING conversation_id",
        )
        .bind(channel_id)
        .fetch_all(p)
        .await?))
    }

    /// A conversation's stored figures, if computed.
    pub async fn figures(&self, conversation_id: &str) -> Result<Option<FiguresRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT conversation_id, first_response_secs, total_response_secs,
                    average_response_secs, max_response_secs, responses, rating,
                    agent_messages, closes, computed_at
               FROM conversation_figures WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?))
    }
}

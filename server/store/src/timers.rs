//! Durable timers: each pending automatic action of a conversation (see
//! `canal_core::automation`) is a row of `timers` with its due time, at most one
//! pending per conversation and kind. The timer loop claims due rows with a lease
//! (as the mail outbox, [`crate::claim_due_sql`]: `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, the one writer on SQLite), fires them and records when and with
//! what outcome; a fired row stays a while, then is pruned. A timer due while no server ran is claimed at
//! the next start. A server that dies mid-fire leaves its lease to run out and the
//! row is claimed again: the action itself checks the conversation again, so it
//! takes effect once.
//!
//! Also here: a channel's automation settings (JSON in `channel_automation`) and
//! a conversation's unanswered mark (`conversations.unanswered_since`).

use canal_core::automation::TimerKind;

use crate::writes::{Write, Wrote};
use crate::{on_pool, on_tx, on_writer, ChannelJson, Result, Store, Tx};

/// A row of `timers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    pub id: i64,
    pub conversation_id: String,
    pub kind: TimerKind,
    pub created_at: String,
    pub due_at: String,
    pub fired_at: Option<String>,
    /// What firing did (`marked`, `closed`, `nothing`).
    pub outcome: Option<String>,
}

type TimerTuple = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

const COLUMNS: &str = "id, conversation_id, kind, created_at, due_at, fired_at, outcome";

/// A timer still to fire.
const PENDING: &str = "fired_at IS NULL";

fn timer(t: TimerTuple) -> Result<Timer> {
    Ok(Timer {
        id: t.0,
        conversation_id: t.1,
        kind: TimerKind::parse(&t.2)
            .ok_or_else(|| crate::Error::corrupt(format!("timer kind {:?}", t.2)))?,
        created_at: t.3,
        due_at: t.4,
        fired_at: t.5,
        outcome: t.6,
    })
}

/// What a due timer's action needs to know about its conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerFacts {
    pub channel_id: String,
    pub status: String,
    /// Who wrote last, system messages aside (`visitor`, `agent`).
    pub last_author: Option<String>,
    pub unanswered_since: Option<String>,
}

impl Store {
    /// The pending offer timers, as (conversation id, due at, payload).
    pub async fn pending_offers(&self) -> Result<Vec<(String, String, Option<String>)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT conversation_id, due_at, payload FROM timers
              WHERE kind = $1 AND fired_at IS NULL",
        )
        .bind(TimerKind::PassOffer.as_str())
        .fetch_all(p)
        .await?))
    }

    /// Claims up to `limit` due timers (due at `now` or before, not held by another
    /// server) until `lease_until`, oldest due first.
    pub async fn claim_timers(
        &self,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<Timer>> {
        let rows: Vec<TimerTuple> = on_writer!(self, p, pg => {
            let sql = crate::claim_due_sql("timers", PENDING, "", COLUMNS, pg);
            sqlx::query_as(&sql)
                .bind(now)
                .bind(lease_until)
                .bind(limit)
                .fetch_all(p)
                .await?
        });
        let mut timers = rows.into_iter().map(timer).collect::<Result<Vec<_>>>()?;
        timers.sort_by(|a, b| (&a.due_at, a.id).cmp(&(&b.due_at, b.id)));
        Ok(timers)
    }

    /// The timer fired with `outcome`; returns false when it was cancelled or
    /// re-armed meanwhile (re-arming drops the lease: the row waits for its new due
    /// time).
    pub async fn timer_fired(&self, id: i64, now: &str, outcome: &str) -> Result<bool> {
        on_writer!(self, p => Ok(sqlx::query(
            "UPDATE timers SET fired_at = $2, outcome = $3, lease_until = NULL
              WHERE id = $1 AND fired_at IS NULL AND lease_until IS NOT NULL",
        )
        .bind(id)
        .bind(now)
        .bind(outcome)
        .execute(p)
        .await?
        .rows_affected()
            == 1))
    }

    /// Drops the timers fired before `before`; returns how many went.
    pub async fn prune_fired_timers(&self, before: &str) -> Result<u64> {
        on_pool!(self, p => Ok(sqlx::query(
            "DELETE FROM timers WHERE fired_at IS NOT NULL AND fired_at < $1",
        )
        .bind(before)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// When the next pending timer can be claimed (`None`: nothing is pending).
    pub async fn next_timer_due(&self) -> Result<Option<String>> {
        self.next_due("timers", PENDING).await
    }

    /// A conversation's timers, pending and fired, oldest first.
    pub async fn conversation_timers(&self, conversation_id: &str) -> Result<Vec<Timer>> {
        let rows: Vec<TimerTuple> = on_pool!(self, p => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM timers WHERE conversation_id = $1 ORDER BY id"
        ))
        .bind(conversation_id)
        .fetch_all(p)
        .await?);
        rows.into_iter().map(timer).collect()
    }

    /// What a due timer of the conversation needs to know (`None`: no such
    /// conversation).
    pub async fn timer_facts(&self, conversation_id: &str) -> Result<Option<TimerFacts>> {
        let row: Option<(String, String, Option<String>, Option<String>)> = on_pool!(self, p => sqlx::query_as(
                "SELECT c.channel_id, c.status,
                        (SELECT m.author FROM messages m
                          WHERE m.conversation_id = c.id AND m.author <> 'system'
                          ORDER BY m.seq DESC LIMIT 1),
                        c.unanswered_since
                   FROM conversations c WHERE c.id = $1",
            )
            .bind(conversation_id)
            .fetch_optional(p)
            .await?);
        Ok(row.map(
            |(channel_id, status, last_author, unanswered_since)| TimerFacts {
                channel_id,
                status,
                last_author,
                unanswered_since,
            },
        ))
    }

    /// Marks an open conversation unanswered since `since`; false when it was
    /// marked already or is closed.
    /// Through the conversation's writer, as every write of a conversation.
    pub async fn mark_unanswered(&self, conversation_id: &str, since: &str) -> Result<bool> {
        let wrote = self
            .write(Write::MarkUnanswered {
                conversation_id: conversation_id.to_owned(),
                since: since.to_owned(),
            })
            .await?;
        Ok(wrote == Wrote::Changed(true))
    }

    /// The channel's automation settings as stored (JSON), if set.
    pub async fn automation(&self, channel_id: &str) -> Result<Option<String>> {
        self.channel_json(ChannelJson::AUTOMATION, channel_id).await
    }

    pub async fn put_automation(&self, channel_id: &str, json: &str) -> Result<()> {
        self.put_channel_json(ChannelJson::AUTOMATION, channel_id, json)
            .await
    }
}

/// Drops the pending timers of these kinds of a conversation, if any, inside the
/// caller's write transaction (a conversation's writer's: every timer change and
/// mark of a conversation goes through [`crate::writes`]), in one statement. One
/// being fired right now (under a lease) stays, to be recorded with what it did:
/// its action checks the conversation again first, so it does nothing once its
/// reason is gone.
pub(crate) async fn cancel_timers_in(
    tx: &mut Tx,
    conversation_id: &str,
    kinds: &[TimerKind],
) -> Result<()> {
    if kinds.is_empty() {
        return Ok(());
    }
    on_tx!(tx, c => {
        let mut q = sqlx::QueryBuilder::new("DELETE FROM timers WHERE conversation_id = ");
        q.push_bind(conversation_id);
        q.push(" AND fired_at IS NULL AND lease_until IS NULL AND kind IN (");
        let mut list = q.separated(", ");
        for kind in kinds {
            list.push_bind(kind.as_str());
        }
        q.push(")");
        q.build().execute(&mut *c).await?;
    });
    Ok(())
}

/// Arms the timer `kind` of a conversation for `due_at` inside the caller's write
/// transaction, with the timer's `payload` (an offer's memo), if any. With `keep`,
/// a pending one stays as it is; otherwise it is replaced (and a lease on it
/// dropped).
pub(crate) async fn arm_timer_in(
    tx: &mut Tx,
    conversation_id: &str,
    kind: TimerKind,
    due_at: &str,
    now: &str,
    keep: bool,
    payload: Option<&str>,
) -> Result<()> {
    let conflict = if keep {
        "DO NOTHING"
    } else {
        "DO UPDATE SET due_at = excluded.due_at, created_at = excluded.created_at,
                       payload = excluded.payload, lease_until = NULL"
    };
    let sql = format!(
        "INSERT INTO timers (conversation_id, kind, created_at, due_at, payload)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (conversation_id, kind) WHERE fired_at IS NULL {conflict}"
    );
    on_tx!(tx, c => {
        sqlx::query(&sql)
            .bind(conversation_id)
            .bind(kind.as_str())
            .bind(now)
            .bind(due_at)
            .bind(payload)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// [`Store::mark_unanswered`] inside the caller's write transaction.
pub(crate) async fn mark_unanswered_in(
    tx: &mut Tx,
    conversation_id: &str,
    since: &str,
) -> Result<bool> {
    on_tx!(tx, c => Ok(sqlx::query(
        "UPDATE conversations SET unanswered_since = $2
          WHERE id = $1 AND status = 'open' AND unanswered_since IS NULL",
    )
    .bind(conversation_id)
    .bind(since)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1))
}

/// Clears the unanswered mark inside the caller's write transaction; false when
/// there was none.
pub(crate) async fn clear_unanswered_in(tx: &mut Tx, conversation_id: &str) -> Result<bool> {
    on_tx!(tx, c => Ok(sqlx::query(
        "UPDATE conversations SET unanswered_since = NULL
          WHERE id = $1 AND unanswered_since IS NOT NULL",
    )
    .bind(conversation_id)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1))
}

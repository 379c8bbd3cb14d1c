//! Response-time KPIs: where a visitor's message stands in its conversation (for
//! the overdue timers, see `canal_core::kpi`), the overdue notices
//! (`kpi_notices`, one per fired timer: a timer fired again after a crash leaves
//! no second one), and the timelines (messages and closes, see
//! `conversation_closes`) the figures are computed from.

use sqlx::FromRow;

use crate::{on_pool, Result, Store};

/// A stored overdue notice.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: i64,
    pub agent_id: i64,
    pub channel_key: String,
    pub conversation_id: String,
    /// `first` or `next`.
    pub kind: String,
    pub body: String,
    pub created_at: String,
    /// The agent named, when `body` is Canal's default text (see
    /// `canal_core::kpi::notice_text`); `None`: the channel's own text.
    pub default_operator: Option<String>,
    /// When the employee read it.
    pub read_at: Option<String>,
}

/// What a due KPI timer needs besides [`crate::timers::TimerFacts`].
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct OverdueFacts {
    pub channel_id: String,
    pub channel_key: String,
    /// The name of the agent holding the conversation, if any.
    pub holder: Option<String>,
}

/// One message of a timeline (system messages left out).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TimelineRow {
    pub conversation_id: String,
    pub channel_id: String,
    /// `visitor` or `agent`.
    pub author: String,
    pub agent_id: Option<i64>,
    pub created_at: String,
}

const NOTICE_SELECT: &str = "SELECT n.id, n.agent_id, ch.key AS channel_key, n.conversation_id, \
    n.kind, n.body, n.created_at, n.default_operator, n.read_at \
    FROM kpi_notices n JOIN channels ch ON ch.id = n.channel_id";

impl Store {
    /// For the visitor's message just stored in a conversation: how many messages
    /// the visitor has written there (this one included), and who wrote the one
    /// before it, system messages aside (`None`: nobody).
    pub async fn kpi_arrival(&self, conversation_id: &str) -> Result<(i64, Option<String>)> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM messages
                      WHERE conversation_id = $1 AND author = 'visitor'),
                    (SELECT author FROM messages
                      WHERE conversation_id = $1 AND author <> 'system'
                      ORDER BY seq DESC LIMIT 1 OFFSET 1)",
        )
        .bind(conversation_id)
        .fetch_one(p)
        .await?))
    }

    /// The channel and holder of a conversation (`None`: no such conversation).
    pub async fn overdue_facts(&self, conversation_id: &str) -> Result<Option<OverdueFacts>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT c.channel_id, ch.key AS channel_key, a.name AS holder
               FROM conversations c JOIN channels ch ON ch.id = c.channel_id
               LEFT JOIN agents a ON a.id = c.agent_id
              WHERE c.id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?))
    }

    /// Stores the notice of a fired timer; `None` when that timer left one already.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_kpi_notice(
        &self,
        timer_id: i64,
        agent_id: i64,
        channel_id: &str,
        conversation_id: &str,
        kind: &str,
        body: &str,
        default_operator: Option<&str>,
        now: &str,
    ) -> Result<Option<NoticeRow>> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "INSERT INTO kpi_notices
                    (timer_id, agent_id, channel_id, conversation_id, kind, body, created_at,
                     default_operator)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (timer_id) DO NOTHING
             RETURNING id",
        )
        .bind(timer_id)
        .bind(agent_id)
        .bind(channel_id)
        .bind(conversation_id)
        .bind(kind)
        .bind(body)
        .bind(now)
        .bind(default_operator)
        .fetch_optional(p)
        .await?);
        let Some(id) = id else {
            return Ok(None);
        };
        on_pool!(self, p => Ok(sqlx::query_as(&format!("{NOTICE_SELECT} WHERE n.id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?))
    }

    /// An employee's notices, newest first, at most `limit`.
    pub async fn kpi_notices(&self, agent_id: i64, limit: i64) -> Result<Vec<NoticeRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "{NOTICE_SELECT} WHERE n.agent_id = $1 ORDER BY n.id DESC LIMIT $2"
        ))
        .bind(agent_id)
        .bind(limit)
        .fetch_all(p)
        .await?))
    }

    /// Marks an employee's notices up to `up_to` (by id) read, those not read yet;
    /// returns how many it marked.
    pub async fn read_kpi_notices(&self, agent_id: i64, up_to: i64, now: &str) -> Result<u64> {
        on_pool!(self, p => Ok(sqlx::query(
            "UPDATE kpi_notices SET read_at = $3
              WHERE agent_id = $1 AND id <= $2 AND read_at IS NULL",
        )
        .bind(agent_id)
        .bind(up_to)
        .bind(now)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// When the conversations started in [`from`, `until`) (of the channel with key
    /// `channel_key` when given) closed: (conversation id, closed at), in no
    /// particular order.
    pub async fn kpi_closes(
        &self,
        channel_key: Option<&str>,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT x.conversation_id, x.closed_at
               FROM conversation_closes x
               JOIN conversations c ON c.id = x.conversation_id
               JOIN channels ch ON ch.id = c.channel_id
              WHERE ($1 IS NULL OR ch.key = $1)
                AND ($2 IS NULL OR c.created_at >= $2)
                AND ($3 IS NULL OR c.created_at < $3)",
        )
        .bind(channel_key)
        .bind(from)
        .bind(until)
        .fetch_all(p)
        .await?))
    }

    /// The visitors' and agents' messages of the conversations started in
    /// [`from`, `until`) (of the channel with key `channel_key` when given), by
    /// conversation, in order.
    pub async fn kpi_timelines(
        &self,
        channel_key: Option<&str>,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<TimelineRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT m.conversation_id, c.channel_id, m.author, m.agent_id, m.created_at
               FROM messages m
               JOIN conversations c ON c.id = m.conversation_id
               JOIN channels ch ON ch.id = c.channel_id
              WHERE m.author <> 'system'
                AND ($1 IS NULL OR ch.key = $1)
                AND ($2 IS NULL OR c.created_at >= $2)
                AND ($3 IS NULL OR c.created_at < $3)
              ORDER BY m.conversation_id, m.seq",
        )
        .bind(channel_key)
        .bind(from)
        .bind(until)
        .fetch_all(p)
        .await?))
    }
}

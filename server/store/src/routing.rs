//! What the routing shell stores: per-channel routing settings (JSON of the
//! protocol's `RoutingSettings`), who holds each conversation, the routing log,
//! and what is still open when the server starts.

use sqlx::FromRow;

use crate::{on_pool, ChannelJson, Result, Store};

/// An open conversation, as the routing shell reloads it at start.
#[derive(Debug, Clone, FromRow)]
pub struct OpenConversation {
    pub id: String,
    pub visitor_id: String,
    pub channel_id: String,
    pub agent_id: Option<i64>,
    #[sqlx(flatten)]
    pub pages: Pages,
    pub created_at: String,
    /// Marked unanswered since then.
    pub unanswered_since: Option<String>,
    /// Closed by its agent, awaiting the visitor's rating (its rating-wait timer is
    /// pending); otherwise open.
    pub awaiting_rating: bool,
}

/// Where an open conversation stands, from its newest messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// An agent has written in it.
    pub answered: bool,
    /// Who wrote last (system messages aside).
    pub last_author: Option<String>,
    /// The newest message's text.
    pub last_body: Option<String>,
}

/// Where a conversation belongs.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Placement {
    pub visitor_id: String,
    pub channel_id: String,
    #[sqlx(flatten)]
    pub pages: Pages,
}

/// Where a conversation's visitor came from and where they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct Pages {
    /// The host page it started on.
    pub page_url: Option<String>,
    /// That page's UTM tags (JSON of the protocol's `Utm`), if it had any.
    pub utm: Option<String>,
    /// The host page the visitor opened the chat on last.
    pub page_now: Option<String>,
}

/// One line of a routing log.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LogRow {
    pub at: String,
    pub text: String,
    /// JSON of the routing core's log entry.
    pub entry: String,
}

impl Store {
    /// A channel's routing settings as stored (JSON), if it has any.
    pub async fn routing_settings(&self, channel_id: &str) -> Result<Option<String>> {
        self.channel_json(ChannelJson::ROUTING, channel_id).await
    }

    /// Stores a channel's routing settings (JSON), replacing earlier ones.
    pub async fn put_routing_settings(&self, channel_id: &str, json: &str) -> Result<()> {
        self.put_channel_json(ChannelJson::ROUTING, channel_id, json)
            .await
    }

    /// Every open conversation, and every closed one awaiting its rating (its
    /// rating-wait timer pending), oldest first.
    pub async fn open_conversations(&self) -> Result<Vec<OpenConversation>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, visitor_id, channel_id, agent_id, page_url, utm, page_now, created_at,
                    unanswered_since,
                    status = 'closed' AS awaiting_rating
             FROM conversations c
             WHERE status = 'open'
                OR (status = 'closed' AND EXISTS (
                      SELECT 1 FROM timers t
                       WHERE t.conversation_id = c.id AND t.kind = 'rating_wait'
                         AND t.fired_at IS NULL))
             ORDER BY created_at, id",
        )
        .fetch_all(p)
        .await?))
    }

    /// Three index lookups, not the whole history of a conversation.
    pub async fn digest(&self, conversation_id: &str) -> Result<Digest> {
        let (answered, last_author, last_body): (bool, Option<String>, Option<String>) = on_pool!(self, p => sqlx::query_as(
                "SELECT
                   EXISTS (SELECT 1 FROM messages WHERE conversation_id = $1 AND author = 'agent'),
                   (SELECT author FROM messages WHERE conversation_id = $1 AND author <> 'system'
                    ORDER BY seq DESC LIMIT 1),
                   (SELECT body FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 1)",
            )
            .bind(conversation_id)
            .fetch_one(p)
            .await?);
        Ok(Digest {
            answered,
            last_author,
            last_body,
        })
    }

    /// Where a conversation belongs, if it exists.
    pub async fn placement(&self, conversation_id: &str) -> Result<Option<Placement>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT visitor_id, channel_id, page_url, utm, page_now FROM conversations WHERE id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(p)
        .await?))
    }

    /// Records the host page the visitor opened the chat on now; `false` when it
    /// was the page recorded already (or there is no such conversation).
    pub async fn set_page_now(&self, conversation_id: &str, page_url: &str) -> Result<bool> {
        on_pool!(self, p => {
            let done = sqlx::query(
                "UPDATE conversations SET page_now = $2
                 WHERE id = $1 AND (page_now IS NULL OR page_now <> $2)",
            )
            .bind(conversation_id)
            .bind(page_url)
            .execute(p)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The responsible agent of the CRM contact a visitor is linked to, if any:
    /// by "save to CRM" (`contact_links`), else as the chat tracker knows them.
    pub async fn responsible_agent(&self, visitor_id: &str) -> Result<Option<i64>> {
        let row: Option<Option<i64>> = on_pool!(self, p => sqlx::query_scalar(
            &format!("SELECT ({})", responsible_sql("$1")),
        )
        .bind(visitor_id)
        .fetch_optional(p)
        .await?);
        Ok(row.flatten())
    }

    /// The routing log of a conversation, oldest first.
    pub async fn routing_log(&self, conversation_id: &str) -> Result<Vec<LogRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT at, text, entry FROM routing_log WHERE conversation_id = $1 ORDER BY id",
        )
        .bind(conversation_id)
        .fetch_all(p)
        .await?))
    }
}

/// The SQL of [`Store::responsible_agent`] for the visitor `visitor` (an SQL
/// expression), one value or none: a scalar subquery's body, also read with a
/// visitor's new message (see [`crate::channels::Appended`]).
pub(crate) fn responsible_sql(visitor: &str) -> String {
    format!(
        "SELECT responsible_agent_id FROM contact_links
          WHERE visitor_id = {visitor} AND responsible_agent_id IS NOT NULL
         UNION ALL
         SELECT c.responsible_agent_id FROM crm_visitors v
           JOIN crm_contacts c ON c.id = v.contact_id
          WHERE v.visitor_id = {visitor} AND c.responsible_agent_id IS NOT NULL
         LIMIT 1"
    )
}

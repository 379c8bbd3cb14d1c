//! Channels, visitors, conversations and their messages.

use canal_core::channels::{ChannelChange, NewChannel};
use canal_protocol::channels::Greetings;
use canal_protocol::integrations::{EventData, EventKind};
use sqlx::FromRow;

use crate::events::Subscribed;
use crate::writes::{NewMessage, Write, Wrote};
use crate::{new_id, now_rfc3339, on_pool, on_tx, Db, Error, Result, Store, Tx};

/// The stored form of a channel's allowed origins.
fn origins_json(origins: &[String]) -> String {
    serde_json::to_string(origins).unwrap_or_else(|_| "[]".into())
}

/// A channel: one website's (or one messenger's) entry point.
#[derive(Debug, Clone, FromRow)]
pub struct Channel {
    pub id: String,
    pub key: String,
    pub name: String,
    pub title: String,
    pub greeting: Option<String>,
    /// JSON object of the greeting by language; `None`: none.
    pub greetings: Option<String>,
    pub locale: Option<String>,
    pub consent_agreement_id: Option<String>,
    /// JSON array of the origins the widget may be embedded in; `None`: any.
    pub allowed_origins: Option<String>,
    /// Switched on: the loader draws the launcher and the visitor API answers.
    pub active: bool,
    /// When the admin deleted it (its row, conversations and records stay).
    pub deleted_at: Option<String>,
    pub created_at: String,
}

impl Channel {
    /// The origins the widget may be embedded in; `None` when any site may.
    pub fn origins(&self) -> Option<Vec<String>> {
        self.allowed_origins
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
    }

    /// The greeting by the widget's language (empty when there is none).
    pub fn greetings(&self) -> Greetings {
        self.greetings
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }

    /// The chat window's title: the channel's own, else its name.
    pub fn shown_title(&self) -> &str {
        if self.title.is_empty() {
            &self.name
        } else {
            &self.title
        }
    }

    /// Whether a page of this origin (`scheme://host[:port]`) may use the widget.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins()
            .is_none_or(|list| list.iter().any(|allowed| allowed == origin))
    }
}

const CHANNEL_COLUMNS: &str = "id, key, name, title, greeting, greetings, locale, \
    consent_agreement_id, allowed_origins, active, deleted_at, created_at";

/// The stored form of a channel's greetings: `None` when there are none.
fn greetings_json(greetings: &Greetings) -> Option<String> {
    (!greetings.is_empty())
        .then(|| serde_json::to_string(greetings).ok())
        .flatten()
}

/// A conversation between a visitor and the channel's agents.
#[derive(Debug, Clone, FromRow)]
pub struct Conversation {
    pub id: String,
    pub channel_id: String,
    pub visitor_id: String,
    pub consent_id: Option<String>,
    pub status: String,
    /// The page the conversation started on.
    pub page_url: Option<String>,
}

/// A stored message.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MessageRow {
    pub seq: i64,
    pub author: String,
    pub client_id: Option<String>,
    pub body: String,
    pub created_at: String,
    /// For agent messages: the agent's name and avatar (shown per display mode).
    pub agent_name: Option<String>,
    pub agent_avatar: Option<String>,
}

/// The columns of [`MessageRow`], for `FROM messages m LEFT JOIN agents a`.
pub(crate) const MESSAGE_SELECT: &str =
    "SELECT m.seq, m.author, m.client_id, m.body, m.created_at, \
    a.name AS agent_name, a.avatar_url AS agent_avatar \
    FROM messages m LEFT JOIN agents a ON a.id = m.agent_id";

/// What [`Store::append_message`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct Appended {
    pub message: MessageRow,
    /// False when the client id was already stored (a re-send): nothing new.
    pub inserted: bool,
    /// A visitor's new message: the responsible agent of their CRM contact as
    /// the insert saw it (see [`Store::responsible_agent`]), read in the same
    /// statement for who hears of the message.
    pub responsible_agent_id: Option<i64>,
}

/// What a message's insert returns: its row (the agent's name and avatar by
/// subquery); for a visitor's message the responsible agent; for another's the
/// messenger chat it goes to when the conversation came through a connector
/// (what [`crate::events::to_connector_in`] would read after it); and the active
/// webhook endpoints as JSON (what the transaction's first event would read
/// after it, see [`crate::events::event_in`]), or none when `in_tx` is false (a
/// statement on its own has no events after it).
fn returning_message(pg: bool, in_tx: bool) -> String {
    let dialog = crate::events::DIALOG_OF_CONVERSATION;
    let endpoints = if !in_tx {
        "NULL"
    } else if pg {
        "(SELECT json_agg(json_build_object('id', id, 'events', events))::text
            FROM webhook_endpoints WHERE active)"
    } else {
        "(SELECT json_group_array(json_object('id', id, 'events', events))
            FROM webhook_endpoints WHERE active)"
    };
    format!(
        "RETURNING seq, author, client_id, body, created_at,
            (SELECT a.name FROM agents a WHERE a.id = agent_id) AS agent_name,
            (SELECT a.avatar_url FROM agents a WHERE a.id = agent_id) AS agent_avatar,
            CASE WHEN author = 'visitor' THEN ({}) END AS responsible_agent_id,
            CASE WHEN author <> 'visitor' THEN (SELECT d.connector_id {dialog}) END AS connector_id,
            CASE WHEN author <> 'visitor' THEN (SELECT d.chat_id {dialog}) END AS chat_id,
            {endpoints} AS endpoints",
        crate::routing::responsible_sql("(SELECT visitor_id FROM conversations WHERE id = $1)")
    )
}

/// Appends a message with the next sequence number (`$1` the conversation, `$2`
/// the author, `$3` the client id, `$4` the text, `$5` the time, `$6` the agent);
/// returns its row, none when the client id was stored already. SQLite: the next
/// number is the highest stored plus one (its one writer keeps two inserts from
/// reading the same one).
static INSERT_MESSAGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO messages (conversation_id, seq, author, client_id, body, created_at, agent_id)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6
         FROM messages WHERE conversation_id = $1
         ON CONFLICT (conversation_id, client_id) DO NOTHING
         {}",
        returning_message(false, true)
    )
});

/// The next number of conversation `$1` on PostgreSQL, as its row's update sets
/// it: one more than the counter (`last_seq`, migration 0033) or than the highest
/// stored, whichever is higher. The counter is read again once the row's lock
/// is had, so two writers of one conversation never take the same number; the
/// highest stored follows messages written without the counter (by a node of an
/// older version during an upgrade, or behind Canal's back).
const NEXT_SEQ: &str = "GREATEST(last_seq,
    (SELECT COALESCE(MAX(m.seq), 0) FROM messages m WHERE m.conversation_id = $1)) + 1";

/// [`INSERT_MESSAGE`] on PostgreSQL: the number is taken by an update of the
/// conversation's row in the same statement ([`NEXT_SEQ`]). The update's row
/// lock makes two writers of one conversation take turns, and the second reads
/// the first's number once it committed: one round trip, where a lock and then
/// a `MAX(seq)` took two. Nothing is inserted (and no row comes back) when the
/// conversation does not exist or the client id was stored already; the caller
/// gives the number back then ([`GIVE_BACK_SEQ`]).
static INSERT_MESSAGE_PG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH next AS (
            UPDATE conversations SET last_seq = {NEXT_SEQ} WHERE id = $1 RETURNING last_seq
         )
         INSERT INTO messages (conversation_id, seq, author, client_id, body, created_at, agent_id)
         SELECT $1, next.last_seq, $2, $3, $4, $5, $6 FROM next
         ON CONFLICT (conversation_id, client_id) DO NOTHING
         {}",
        returning_message(true, true)
    )
});

/// A visitor's message on PostgreSQL as one statement on its own (no `BEGIN`,
/// no `COMMIT`: one round trip where a transaction took four), as
/// [`INSERT_MESSAGE_PG`]. It inserts nothing (and no row comes back) when an
/// active webhook endpoint subscribes to new messages, whose deliveries must be
/// queued in the message's transaction, or when the conversation does not
/// exist; it fails on a client id stored already (no `ON CONFLICT`, so the
/// number it took is given back with the statement). Each case takes the
/// transaction's way after it ([`append_message_in`]).
static INSERT_VISITOR_MESSAGE_PG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH next AS (
            UPDATE conversations SET last_seq = {NEXT_SEQ}
             WHERE id = $1 AND NOT EXISTS (
                SELECT 1 FROM webhook_endpoints WHERE active AND strpos(events, ',{},') > 0)
            RETURNING last_seq
         )
         INSERT INTO messages (conversation_id, seq, author, client_id, body, created_at, agent_id)
         SELECT $1, next.last_seq, $2, $3, $4, $5, $6 FROM next
         {}",
        EventKind::MessageCreated.as_str(),
        returning_message(true, false)
    )
});

/// Gives back the number [`INSERT_MESSAGE_PG`] took for a message it did not
/// insert (the row is still locked by that update: nobody took a number since);
/// no row when the conversation does not exist.
const GIVE_BACK_SEQ: &str =
    "UPDATE conversations SET last_seq = last_seq - 1 WHERE id = $1 RETURNING id";

/// A message's row as its insert returns it.
#[derive(FromRow)]
struct Inserted {
    #[sqlx(flatten)]
    message: MessageRow,
    responsible_agent_id: Option<i64>,
    connector_id: Option<String>,
    chat_id: Option<String>,
    /// The active webhook endpoints, JSON (none: no endpoint, on PostgreSQL).
    endpoints: Option<String>,
}

impl Inserted {
    /// The new message, and its messenger chat (connector, chat id) if any.
    fn appended(self) -> (Appended, Option<(String, String)>) {
        let dialog = self.connector_id.zip(self.chat_id);
        let appended = Appended {
            message: self.message,
            inserted: true,
            responsible_agent_id: self.responsible_agent_id,
        };
        (appended, dialog)
    }

    /// [`Self::appended`], with the endpoints as the transaction's for its
    /// events (unless it read them already).
    fn appended_in(
        mut self,
        tx_endpoints: &mut Option<Vec<Subscribed>>,
    ) -> Result<(Appended, Option<(String, String)>)> {
        if tx_endpoints.is_none() {
            *tx_endpoints = Some(crate::events::endpoints_from_json(self.endpoints.take())?);
        }
        Ok(self.appended())
    }
}

impl Store {
    pub async fn channel_by_key(&self, key: &str) -> Result<Option<Channel>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE key = $1"
        ))
        .bind(key)
        .fetch_optional(p)
        .await?))
    }

    pub async fn channel_by_id(&self, id: &str) -> Result<Option<Channel>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(p)
        .await?))
    }

    /// Sets the origins a channel's widget may be embedded in (`None`: any).
    pub async fn set_allowed_origins(
        &self,
        channel_id: &str,
        origins: Option<&[String]>,
    ) -> Result<()> {
        let json = origins.map(origins_json);
        on_pool!(self, p => {
            sqlx::query("UPDATE channels SET allowed_origins = $1 WHERE id = $2")
                .bind(json)
                .bind(channel_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// Creates a channel with no agreement. A key already taken (by a channel
    /// deleted or not) fails with a unique violation and stores nothing.
    pub async fn create_channel(&self, new: &NewChannel) -> Result<Channel> {
        let id = new_id();
        let origins = new.allowed_origins.as_deref().map(origins_json);
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "INSERT INTO channels
                (id, key, name, title, greeting, locale, allowed_origins, created_at, greetings)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {CHANNEL_COLUMNS}"
        ))
        .bind(&id)
        .bind(&new.key)
        .bind(&new.name)
        // The title column predates optional titles: empty means none.
        .bind(new.title.as_deref().unwrap_or(""))
        .bind(&new.greeting)
        .bind(&new.locale)
        .bind(origins)
        .bind(now_rfc3339())
        .bind(greetings_json(&new.greetings))
        .fetch_one(p)
        .await?))
    }

    /// Every channel not deleted, oldest first; with `deleted`, the deleted ones
    /// too (each with its `deleted_at`), in the same order.
    pub async fn channels(&self, deleted: bool) -> Result<Vec<Channel>> {
        let filter = if deleted {
            ""
        } else {
            "WHERE deleted_at IS NULL"
        };
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels {filter} ORDER BY created_at, key"
        ))
        .fetch_all(p)
        .await?))
    }

    /// Applies a change to a channel not deleted, in one statement; `None` when
    /// there is no such channel.
    pub async fn update_channel(
        &self,
        id: &str,
        change: &ChannelChange,
    ) -> Result<Option<Channel>> {
        // Each column: keep it (the flag is true) or set it to the value after.
        let origins = change
            .allowed_origins
            .as_ref()
            .map(|o| o.as_deref().map(origins_json));
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "UPDATE channels SET
                name = CASE WHEN $2 THEN name ELSE $3 END,
                title = CASE WHEN $4 THEN title ELSE $5 END,
                greeting = CASE WHEN $6 THEN greeting ELSE $7 END,
                locale = CASE WHEN $8 THEN locale ELSE $9 END,
                allowed_origins = CASE WHEN $10 THEN allowed_origins ELSE $11 END,
                active = CASE WHEN $12 THEN active ELSE $13 END,
                greetings = CASE WHEN $14 THEN greetings ELSE $15 END
             WHERE id = $1 AND deleted_at IS NULL
             RETURNING {CHANNEL_COLUMNS}"
        ))
        .bind(id)
        .bind(change.name.is_none())
        .bind(change.name.clone().unwrap_or_default())
        .bind(change.title.is_none())
        .bind(change.title.clone().flatten().unwrap_or_default())
        .bind(change.greeting.is_none())
        .bind(change.greeting.clone().flatten())
        .bind(change.locale.is_none())
        .bind(change.locale.clone().flatten())
        .bind(origins.is_none())
        .bind(origins.flatten())
        .bind(change.active.is_none())
        .bind(change.active.unwrap_or(true))
        .bind(change.greetings.is_none())
        .bind(change.greetings.as_ref().and_then(greetings_json))
        .fetch_optional(p)
        .await?))
    }

    /// Marks a channel deleted (and off); false when it was deleted already or
    /// never existed. Its conversations and consent records stay.
    pub async fn delete_channel(&self, id: &str) -> Result<bool> {
        on_pool!(self, p => {
            let done = sqlx::query(
                "UPDATE channels SET deleted_at = $2, active = FALSE
                 WHERE id = $1 AND deleted_at IS NULL",
            )
            .bind(id)
            .bind(now_rfc3339())
            .execute(p)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Whether any agent account exists (an empty install has none).
    pub async fn has_agents(&self) -> Result<bool> {
        on_pool!(self, p => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agents").fetch_one(p).await?;
            Ok(n > 0)
        })
    }

    /// True when the visitor exists and belongs to the channel.
    pub async fn visitor_in_channel(&self, visitor_id: &str, channel_id: &str) -> Result<bool> {
        on_pool!(self, p => Ok(sqlx::query("SELECT 1 FROM visitors WHERE id = $1 AND channel_id = $2")
            .bind(visitor_id)
            .bind(channel_id)
            .fetch_optional(p)
            .await?
            .is_some()))
    }

    /// Creates a visitor without consent (channels that ask none).
    pub async fn create_visitor(&self, channel_id: &str) -> Result<String> {
        let id = new_id();
        on_pool!(self, p => {
            sqlx::query("INSERT INTO visitors (id, channel_id, created_at) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(channel_id)
                .bind(now_rfc3339())
                .execute(p)
                .await?;
        });
        Ok(id)
    }

    /// Starts a conversation.
    pub async fn create_conversation(
        &self,
        channel_id: &str,
        visitor_id: &str,
        consent_id: Option<&str>,
        page_url: Option<&str>,
        utm_json: Option<&str>,
    ) -> Result<Conversation> {
        let id = new_id();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, c => {
            sqlx::query(
                "INSERT INTO conversations (id, channel_id, visitor_id, consent_id, page_url, utm, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&id)
            .bind(channel_id)
            .bind(visitor_id)
            .bind(consent_id)
            .bind(page_url)
            .bind(utm_json)
            .bind(now_rfc3339())
            .execute(&mut *c)
            .await?;
        });
        let created = EventData::ConversationCreated {
            conversation_id: id.clone(),
            channel_id: channel_id.to_owned(),
            visitor_id: visitor_id.to_owned(),
            page_url: page_url.map(str::to_owned),
        };
        let queued = crate::events::event_in(&mut tx, created).await?;
        tx.commit().await?;
        self.queued.committed(queued);
        Ok(Conversation {
            id,
            channel_id: channel_id.to_owned(),
            visitor_id: visitor_id.to_owned(),
            consent_id: consent_id.map(str::to_owned),
            status: "open".to_owned(),
            page_url: page_url.map(str::to_owned),
        })
    }

    pub async fn conversation(&self, id: &str) -> Result<Option<Conversation>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT id, channel_id, visitor_id, consent_id, status, page_url
               FROM conversations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await?))
    }

    /// Appends a message with the next sequence number of its conversation. A client
    /// id already stored returns that message again and stores nothing. Answers once
    /// the message is committed.
    pub async fn append_message(
        &self,
        conversation_id: &str,
        author: &str,
        client_id: Option<&str>,
        body: &str,
    ) -> Result<Appended> {
        self.append(NewMessage {
            conversation_id: conversation_id.to_owned(),
            author: author.to_owned(),
            agent_id: None,
            client_id: client_id.map(str::to_owned),
            body: body.to_owned(),
        })
        .await
    }

    /// A visitor's message on PostgreSQL in one statement
    /// ([`INSERT_VISITOR_MESSAGE_PG`]); none when it must take a transaction.
    async fn append_visitor_message_alone(&self, m: &NewMessage) -> Result<Option<Appended>> {
        let Db::Postgres(pool) = &self.db else {
            return Ok(None);
        };
        if m.author != "visitor" {
            return Ok(None);
        }
        let inserted: std::result::Result<Option<Inserted>, sqlx::Error> =
            sqlx::query_as(&INSERT_VISITOR_MESSAGE_PG)
                .bind(&m.conversation_id)
                .bind(&m.author)
                .bind(&m.client_id)
                .bind(&m.body)
                .bind(now_rfc3339())
                .bind(m.agent_id)
                .fetch_optional(pool)
                .await;
        match inserted {
            // A visitor's message goes to no messenger chat.
            Ok(row) => Ok(row.map(|row| row.appended().0)),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes a message. On SQLite, through the conversations' group-commit writer
    /// ([`crate::writes`]): concurrent messages share a transaction and its fsync.
    /// On PostgreSQL, a visitor's message first as one statement on its own
    /// ([`INSERT_VISITOR_MESSAGE_PG`]), and otherwise in its own transaction: the
    /// server already flushes concurrent commits together (one WAL flush covers
    /// every commit waiting for it), and a writer task would only put the
    /// messages' round trips in one line.
    async fn append(&self, m: NewMessage) -> Result<Appended> {
        if self.engine() == crate::Engine::Sqlite {
            return match self.write(Write::Message(m)).await? {
                Wrote::Message(appended) => Ok(appended),
                _ => Err(Error::Corrupt(
                    "a message write answered something else".into(),
                )),
            };
        }
        let appended = match self.append_visitor_message_alone(&m).await? {
            Some(appended) => appended,
            None => {
                let mut tx = self.begin().await?;
                let mut queued = 0;
                let appended = append_message_in(&mut tx, &m, &mut queued).await?;
                tx.commit().await?;
                self.queued.committed(queued);
                appended
            }
        };
        if appended.inserted && crate::figures::changes_figures(&m) {
            self.changed.mark([m.conversation_id]);
        }
        Ok(appended)
    }

    /// Appends an agent's reply (see [`Store::append_message`]).
    pub async fn append_agent_message(
        &self,
        conversation_id: &str,
        agent_id: i64,
        client_id: &str,
        body: &str,
    ) -> Result<Appended> {
        self.append(NewMessage {
            conversation_id: conversation_id.to_owned(),
            author: "agent".to_owned(),
            agent_id: Some(agent_id),
            client_id: Some(client_id.to_owned()),
            body: body.to_owned(),
        })
        .await
    }

    /// Messages of a conversation after `seq`, oldest first.
    pub async fn messages_after(&self, conversation_id: &str, seq: i64) -> Result<Vec<MessageRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq"
        ))
        .bind(conversation_id)
        .bind(seq)
        .fetch_all(p)
        .await?))
    }

    /// The newest sequence number of a conversation (0 when it has no message).
    pub async fn newest_seq(&self, conversation_id: &str) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_one(p)
        .await?))
    }

    /// Sets a conversation's status (`open` or `closed`) at `at`; true when it
    /// changed. A close is also kept with its time (`conversation_closes`, for the
    /// response-time figures), in the same transaction.
    pub async fn set_conversation_status(
        &self,
        conversation_id: &str,
        status: &str,
        at: &str,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let changed = set_status_in(&mut tx, conversation_id, status, at).await?;
        tx.commit().await?;
        if changed {
            self.changed.mark([conversation_id.to_owned()]);
        }
        Ok(changed)
    }
}

/// [`Store::set_conversation_status`] inside the caller's write transaction.
pub(crate) async fn set_status_in(
    tx: &mut Tx,
    conversation_id: &str,
    status: &str,
    at: &str,
) -> Result<bool> {
    on_tx!(tx, c => {
        let changed = sqlx::query(
            "UPDATE conversations SET status = $2 WHERE id = $1 AND status <> $2",
        )
        .bind(conversation_id)
        .bind(status)
        .execute(&mut *c)
        .await?
        .rows_affected()
            == 1;
        if changed && status == "closed" {
            sqlx::query(
                "INSERT INTO conversation_closes (conversation_id, closed_at) VALUES ($1, $2)",
            )
            .bind(conversation_id)
            .bind(at)
            .execute(&mut *c)
            .await?;
        }
        Ok(changed)
    })
}

/// [`Store::append_message`] inside the caller's write transaction, with what a
/// new message announces (see [`crate::events::message_in`]); `queued` counts the
/// deliveries that queued.
pub(crate) async fn append_message_in(
    tx: &mut Tx,
    m: &NewMessage,
    queued: &mut u64,
) -> Result<Appended> {
    let (conversation_id, author, agent_id) = (&m.conversation_id, &m.author, m.agent_id);
    let (client_id, body) = (m.client_id.as_deref(), &m.body);
    let by_client_id =
        format!("{MESSAGE_SELECT} WHERE m.conversation_id = $1 AND m.client_id = $2");
    let endpoints = &mut tx.endpoints;
    let (appended, dialog) = on_tx!(tx, c, pg => {
        // The row comes back with the insert (one round trip fewer than a
        // SELECT after it); none when nothing was inserted.
        let insert = if pg { &INSERT_MESSAGE_PG } else { &INSERT_MESSAGE };
        let inserted: Option<Inserted> = sqlx::query_as(insert)
            .bind(conversation_id)
            .bind(author)
            .bind(client_id)
            .bind(body)
            .bind(now_rfc3339())
            .bind(agent_id)
            .fetch_optional(&mut *c)
            .await?;
        if inserted.is_none() && pg {
            let exists: Option<String> = sqlx::query_scalar(GIVE_BACK_SEQ)
                .bind(conversation_id)
                .fetch_optional(&mut *c)
                .await?;
            if exists.is_none() {
                return Err(Error::Database(sqlx::Error::RowNotFound));
            }
        }
        match (inserted, client_id) {
            (Some(row), _) => row.appended_in(endpoints)?,
            (None, Some(client_id)) => (Appended {
                message: sqlx::query_as(&by_client_id)
                    .bind(conversation_id)
                    .bind(client_id)
                    .fetch_one(&mut *c)
                    .await?,
                inserted: false,
                responsible_agent_id: None,
            }, None),
            (None, None) => {
                return Err(Error::Corrupt(
                    "a message without a client id was not inserted".into(),
                ))
            }
        }
    });
    if appended.inserted {
        tx.wrote_text = true;
        let message = &appended.message;
        *queued +=
            crate::events::message_in(tx, conversation_id, message, agent_id, dialog).await?;
    }
    Ok(appended)
}

/// A column the conversation list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogColumn {
    /// When it started.
    #[default]
    Started,
    FirstResponse,
    TotalResponse,
    AverageResponse,
    MaxResponse,
    /// How many waits were answered.
    Responses,
    /// Like above dislike above not rated.
    Rating,
}

impl LogColumn {
    /// The column as SQL on `c` and `f` (stored figures, the rating as stored
    /// with them): a figure not known (no answered wait) is -1, below every
    /// figure. Each figure's expression is the one its index (migration 0030)
    /// is made on, so that a page walks the index in order.
    fn sql(self) -> &'static str {
        match self {
            Self::Started => "c.created_at",
            Self::FirstResponse => "COALESCE(f.first_response_secs, -1)",
            Self::TotalResponse => "COALESCE(f.total_response_secs, -1)",
            Self::AverageResponse => "COALESCE(f.average_response_secs, -1)",
            Self::MaxResponse => "COALESCE(f.max_response_secs, -1)",
            Self::Responses => "f.responses",
            Self::Rating => "(CASE f.rating WHEN 'like' THEN 1 WHEN 'dislike' THEN 0 ELSE -1 END)",
        }
    }

    /// A row's value in this column, as [`Self::sql`] computes it.
    pub fn key_of(self, row: &LoggedRow) -> LogKey {
        let n = |v: Option<i64>| LogKey::Number(v.unwrap_or(-1));
        match self {
            Self::Started => LogKey::Text(row.created_at.clone()),
            Self::FirstResponse => n(row.first_response_secs),
            Self::TotalResponse => n(row.total_response_secs),
            Self::AverageResponse => n(row.average_response_secs),
            Self::MaxResponse => n(row.max_response_secs),
            Self::Responses => LogKey::Number(row.responses.unwrap_or(0)),
            Self::Rating => LogKey::Number(match row.figures_rating.as_deref() {
                Some("like") => 1,
                Some("dislike") => 0,
                _ => -1,
            }),
        }
    }
}

/// The list's order: a column, then the id, both descending or both ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSort {
    pub column: LogColumn,
    pub descending: bool,
}

impl Default for LogSort {
    /// Newest first.
    fn default() -> Self {
        Self {
            column: LogColumn::Started,
            descending: true,
        }
    }
}

/// A row's value in the sort's column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogKey {
    Text(String),
    Number(i64),
}

/// What the conversation list shows: every argument narrows it; `after` is the
/// position of the last row of the page before (its value in the sort's column,
/// its id): the page starts after it in the sort's order.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub channel_key: Option<String>,
    pub agent_id: Option<i64>,
    pub status: Option<String>,
    /// Started at or after (RFC 3339 as stored).
    pub from: Option<String>,
    /// Started before.
    pub until: Option<String>,
    pub after: Option<(LogKey, String)>,
    pub sort: LogSort,
    pub limit: i64,
    /// Text found anywhere (case-insensitively) in a message, or in the visitor's
    /// name or e-mail (told by `setUser` or a contact form): at least 3 characters.
    pub text: Option<String>,
    /// `Some(true)`: only conversations marked unanswered; `Some(false)`: only others.
    pub unanswered: Option<bool>,
    /// `like`, `dislike`, or `none` (not rated).
    pub rating: Option<String>,
    /// Only conversations with this label.
    pub label_id: Option<i64>,
    /// Who is asking, when not an admin: only what they may see.
    pub scope: Option<Scope>,
}

/// What an agent who is not an admin may list: the conversations of these channels,
/// and those they hold or held.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Store ids of channels.
    pub channel_ids: Vec<String>,
    pub agent_id: i64,
}

/// One conversation in the message log.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct LoggedRow {
    pub id: String,
    pub channel_key: String,
    pub channel_name: String,
    pub channel_id: String,
    pub visitor_id: String,
    pub status: String,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub created_at: String,
    pub page_url: Option<String>,
    pub messages: i64,
    pub last_message_at: Option<String>,
    pub rating: Option<String>,
    /// The stored figures (see [`crate::figures`]): `None` when not computed yet,
    /// or no wait was answered.
    pub first_response_secs: Option<i64>,
    pub total_response_secs: Option<i64>,
    pub average_response_secs: Option<i64>,
    pub max_response_secs: Option<i64>,
    pub responses: Option<i64>,
    /// The rating the figures were computed with (the list sorts by it).
    pub figures_rating: Option<String>,
}

const LOGGED_SELECT: &str = "SELECT c.id, ch.key AS channel_key, ch.name AS channel_name, \
    c.channel_id, c.visitor_id, c.status, c.agent_id, a.name AS agent_name, c.created_at, \
    c.page_url, \
    (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) AS messages, \
    (SELECT MAX(m.created_at) FROM messages m WHERE m.conversation_id = c.id) AS last_message_at, \
    r.rating, f.first_response_secs, f.total_response_secs, f.average_response_secs, \
    f.max_response_secs, f.responses, f.rating AS figures_rating \
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id \
    LEFT JOIN agents a ON a.id = c.agent_id \
    LEFT JOIN conversation_ratings r ON r.conversation_id = c.id \
    LEFT JOIN conversation_figures f ON f.conversation_id = c.id";

/// `text` as a LIKE pattern matching it anywhere (`\` escapes).
fn like_anywhere(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// `text` as one FTS5 phrase (with the trigram tokenizer: the text anywhere).
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Conversations the list may show before the search looks at their text: the
/// search first looks among this many of the newest (see
/// [`Store::conversation_log`]).
const SEARCH_WINDOW: i64 = 2_000;

/// The list's filters but the search, and its cursor, as SQL conditions on `c`
/// (conversations), `ch` (channels) and `r` (ratings).
fn push_log_filters<'a, DB>(q: &mut sqlx::QueryBuilder<'a, DB>, filter: &'a LogFilter, pg: bool)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(scope) = &filter.scope {
        // On SQLite, `+` keeps the planner from answering this OR with the
        // agent and channel indexes and sorting every row they give: walking
        // the start index newest first and checking each row finds a page in
        // far fewer steps (PostgreSQL plans by its statistics).
        let plain = if pg { "" } else { "+" };
        q.push(format!(" AND ({plain}c.agent_id = "))
            .push_bind(scope.agent_id);
        if !scope.channel_ids.is_empty() {
            q.push(format!(" OR {plain}c.channel_id IN ("));
            let mut ids = q.separated(", ");
            for id in &scope.channel_ids {
                ids.push_bind(id.clone());
            }
            q.push(")");
        }
        q.push(")");
    }
    if let Some(v) = &filter.channel_key {
        q.push(" AND ch.key = ").push_bind(v.clone());
    }
    if let Some(v) = filter.agent_id {
        q.push(" AND c.agent_id = ").push_bind(v);
    }
    if let Some(v) = &filter.status {
        q.push(" AND c.status = ").push_bind(v.clone());
    }
    if let Some(v) = &filter.from {
        q.push(" AND c.created_at >= ").push_bind(v.clone());
    }
    if let Some(v) = &filter.until {
        q.push(" AND c.created_at < ").push_bind(v.clone());
    }
    match filter.unanswered {
        Some(true) => {
            q.push(" AND c.unanswered_since IS NOT NULL");
        }
        Some(false) => {
            q.push(" AND c.unanswered_since IS NULL");
        }
        None => {}
    }
    match filter.rating.as_deref() {
        Some("none") => {
            q.push(" AND r.rating IS NULL");
        }
        Some(v) => {
            q.push(" AND r.rating = ").push_bind(v.to_owned());
        }
        None => {}
    }
    if let Some(v) = filter.label_id {
        q.push(
            " AND c.id IN (SELECT l.conversation_id FROM conversation_labels l WHERE l.label_id = ",
        )
        .push_bind(v)
        .push(")");
    }
    if let Some((key, id)) = &filter.after {
        let past = if filter.sort.descending { "<" } else { ">" };
        // A row value, which both engines seek to in the sort's index.
        q.push(format!(
            " AND ({}, {}) {past} (",
            filter.sort.column.sql(),
            tie_column(filter.sort)
        ));
        match key {
            LogKey::Text(v) => {
                q.push_bind(v.clone());
            }
            LogKey::Number(v) => {
                q.push_bind(*v);
            }
        }
        q.push(", ").push_bind(id.clone()).push(")");
    }
}

/// The column ties go by: the conversation's id, as the sort's index has it.
fn tie_column(sort: LogSort) -> &'static str {
    match sort.column {
        LogColumn::Started => "c.id",
        _ => "f.conversation_id",
    }
}

/// The list's ORDER BY (see [`LogSort`]).
fn order_by(sort: LogSort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    format!(
        " ORDER BY {} {dir}, {} {dir}",
        sort.column.sql(),
        tie_column(sort)
    )
}

/// The search for `text` as an SQL condition on `c`; `in_window`: only among the
/// conversations of the query's `w` (see [`Store::conversation_log`]), found by the
/// same test.
fn push_log_search<'a, DB>(
    q: &mut sqlx::QueryBuilder<'a, DB>,
    text: &str,
    pg: bool,
    in_window: bool,
) where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if pg {
        // One set of conversation ids (a UNION), so that the planner joins it to
        // the conversations by key when it is small, rather than checking three
        // sub-plans on every conversation in order. In the window, each part
        // starts from the window's conversations (by their index), not from
        // every row the pattern matches.
        let (m, v, s) = if in_window {
            (
                " AND m.conversation_id IN (SELECT id FROM w)",
                " AND vc.id IN (SELECT id FROM w)",
                " AND sc.id IN (SELECT id FROM w)",
            )
        } else {
            ("", "", "")
        };
        let like = like_anywhere(text);
        q.push(" AND c.id IN (SELECT m.conversation_id FROM messages m WHERE m.body ILIKE ")
            .push_bind(like.clone())
            .push(m)
            .push(
                " UNION SELECT vc.id FROM visitors v JOIN conversations vc ON vc.visitor_id = v.id \
                 WHERE (v.user_name ILIKE ",
            )
            .push_bind(like.clone())
            .push(" OR v.user_email ILIKE ")
            .push_bind(like.clone())
            .push(")")
            .push(v)
            .push(
                " UNION SELECT sc.id FROM contact_submissions s \
                 JOIN conversations sc ON sc.visitor_id = s.visitor_id WHERE (s.name ILIKE ",
            )
            .push_bind(like.clone())
            .push(" OR s.email ILIKE ")
            .push_bind(like)
            .push(")")
            .push(s)
            .push(")");
    } else {
        // In the window, the full-text tables are read only from the first row
        // the window's conversations could have (their rowids grow with time),
        // which FTS5 seeks to, rather than from the start.
        let (m, v, s) = if in_window {
            (
                " AND rowid >= (SELECT min(m2.rowid) FROM messages m2 \
                 WHERE m2.conversation_id IN (SELECT id FROM w))",
                " AND rowid >= (SELECT min(v2.rowid) FROM visitors v2 \
                 WHERE v2.id IN (SELECT visitor_id FROM w))",
                " AND rowid >= (SELECT min(s2.rowid) FROM contact_submissions s2 \
                 WHERE s2.visitor_id IN (SELECT visitor_id FROM w))",
            )
        } else {
            ("", "", "")
        };
        let phrase = fts_phrase(text);
        q.push(
            " AND (c.id IN (SELECT m.conversation_id FROM messages m WHERE m.rowid IN \
             (SELECT rowid FROM search.message_text WHERE message_text MATCH ",
        )
        .push_bind(phrase.clone())
        .push(m)
        .push("))");
        q.push(
            " OR c.visitor_id IN (SELECT v.id FROM visitors v WHERE v.rowid IN \
             (SELECT rowid FROM visitor_text WHERE visitor_text MATCH ",
        )
        .push_bind(phrase.clone())
        .push(v)
        .push(
            ")) OR c.visitor_id IN (SELECT s.visitor_id FROM contact_submissions s \
             WHERE s.rowid IN (SELECT rowid FROM submission_text WHERE submission_text MATCH ",
        )
        .push_bind(phrase)
        .push(s)
        .push(")))");
    }
}

impl Store {
    /// The conversation list: conversations of every channel (deleted ones too), or
    /// of the scope's, newest first, narrowed by `filter`. The SQL holds only the
    /// conditions asked for, so each engine plans for them (the search differs by
    /// engine: FTS5 trigram tables on SQLite, trigram indexes and `ILIKE` on
    /// PostgreSQL; see migration 0023; SQLite's message index is brought up to date
    /// first).
    pub async fn conversation_log(&self, filter: &LogFilter) -> Result<Vec<LoggedRow>> {
        if filter.text.is_some() {
            // SQLite's message index is kept behind the messages (see `text`).
            self.index_text().await?;
        }
        // A search first looks among the newest conversations the other filters
        // leave: a word most conversations hold fills a page there at once, where
        // collecting every conversation that holds it costs seconds. Exact: when
        // the window holds a page of matches, no older conversation can come
        // before them. Fewer, and the search runs over all of them.
        if filter.text.is_some()
            && filter.limit < SEARCH_WINDOW
            && filter.sort == LogSort::default()
        {
            let rows = self
                .conversation_log_in(filter, Some(SEARCH_WINDOW))
                .await?;
            if rows.len() as i64 >= filter.limit {
                return Ok(rows);
            }
        }
        self.conversation_log_in(filter, None).await
    }

    /// [`Self::conversation_log`], its search only among the newest `window`
    /// conversations that pass the other filters, when given.
    async fn conversation_log_in(
        &self,
        filter: &LogFilter,
        window: Option<i64>,
    ) -> Result<Vec<LoggedRow>> {
        on_pool!(self, p, pg => {
            let mut q = sqlx::QueryBuilder::new("");
            if let Some(window) = window {
                q.push(
                    "WITH w AS (SELECT c.id, c.visitor_id FROM conversations c \
                     JOIN channels ch ON ch.id = c.channel_id \
                     LEFT JOIN conversation_ratings r ON r.conversation_id = c.id WHERE 1 = 1",
                );
                push_log_filters(&mut q, filter, pg);
                q.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ")
                    .push_bind(window)
                    .push(") ");
            }
            q.push(LOGGED_SELECT);
            q.push(" WHERE 1 = 1");
            let order = order_by(filter.sort);
            if window.is_some() {
                q.push(" AND c.id IN (SELECT id FROM w)");
            } else if filter.sort.column != LogColumn::Started {
                // By a figure: the page's ids first, walking the figure's index
                // in order (every conversation has a row, see migration 0030),
                // so that the counts of the select are made for them only.
                q.push(
                    " AND c.id IN (SELECT f.conversation_id FROM conversation_figures f \
                     JOIN conversations c ON c.id = f.conversation_id \
                     JOIN channels ch ON ch.id = c.channel_id \
                     LEFT JOIN conversation_ratings r ON r.conversation_id = c.id WHERE 1 = 1",
                );
                push_log_filters(&mut q, filter, pg);
                if let Some(text) = &filter.text {
                    push_log_search(&mut q, text, pg, false);
                }
                q.push(&order).push(" LIMIT ").push_bind(filter.limit).push(")");
                q.push(&order);
                return Ok(q.build_query_as().fetch_all(p).await?);
            } else {
                push_log_filters(&mut q, filter, pg);
            }
            if let Some(text) = &filter.text {
                push_log_search(&mut q, text, pg, window.is_some());
            }
            q.push(&order).push(" LIMIT ").push_bind(filter.limit);
            Ok(q.build_query_as().fetch_all(p).await?)
        })
    }

    /// One conversation as the message log shows it.
    pub async fn logged_conversation(&self, id: &str) -> Result<Option<LoggedRow>> {
        on_pool!(self, p => Ok(sqlx::query_as(&format!("{LOGGED_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(p)
            .await?))
    }
}

impl Store {
    /// The supervisors who may configure a channel, by id.
    pub async fn channel_managers(&self, channel_id: &str) -> Result<Vec<i64>> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT agent_id FROM channel_managers WHERE channel_id = $1 ORDER BY agent_id",
        )
        .bind(channel_id)
        .fetch_all(p)
        .await?))
    }

    /// Every channel's managers, as (channel id, agent id) pairs, for the routing
    /// shell to load at start.
    pub async fn all_channel_managers(&self) -> Result<Vec<(String, i64)>> {
        on_pool!(self, p => Ok(sqlx::query_as(
            "SELECT channel_id, agent_id FROM channel_managers ORDER BY channel_id, agent_id",
        )
        .fetch_all(p)
        .await?))
    }

    /// Replaces the supervisors who may configure a channel, in one transaction.
    pub async fn set_channel_managers(&self, channel_id: &str, agent_ids: &[i64]) -> Result<()> {
        let mut tx = self.begin().await?;
        let done: Result<()> = async {
            on_tx!(&mut tx, c => {
                sqlx::query("DELETE FROM channel_managers WHERE channel_id = $1")
                    .bind(channel_id)
                    .execute(&mut *c)
                    .await?;
                for agent_id in agent_ids {
                    sqlx::query(
                        "INSERT INTO channel_managers (channel_id, agent_id) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(channel_id)
                    .bind(agent_id)
                    .execute(&mut *c)
                    .await?;
                }
            });
            Ok(())
        }
        .await;
        match done {
            Ok(()) => tx.commit().await,
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    /// Whether the agent may configure the channel as one of its managers.
    pub async fn manages(&self, agent_id: i64, channel_id: &str) -> Result<bool> {
        on_pool!(self, p => {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM channel_managers WHERE agent_id = $1 AND channel_id = $2",
            )
            .bind(agent_id)
            .bind(channel_id)
            .fetch_one(p)
            .await?;
            Ok(n > 0)
        })
    }
}

/// A conversation written whole, with its visitor and messages, by
/// [`Store::import_conversations`].
#[derive(Debug, Clone, Default)]
pub struct ImportedConversation {
    pub channel_id: String,
    /// The visitor's name and e-mail, as `setUser` would tell them.
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    /// RFC 3339 as stored (its messages, rating and labels take it too).
    pub created_at: String,
    /// `open` or `closed`.
    pub status: String,
    pub agent_id: Option<i64>,
    pub unanswered_since: Option<String>,
    /// `like` or `dislike`.
    pub rating: Option<String>,
    /// (author: `visitor`, `agent` or `system`, text). An agent's message is the
    /// holder's (`agent_id`).
    pub messages: Vec<(String, String)>,
    /// When each message was sent (RFC 3339 as stored), in order; a message
    /// without one takes `created_at`.
    pub message_times: Vec<String>,
    pub label_ids: Vec<i64>,
}

impl Store {
    /// Writes conversations with their visitors, messages, ratings and labels in one
    /// transaction, as they would have been written one by one (the search indexes
    /// follow through the same triggers and indexes, SQLite's message index by its
    /// task, woken by the commit); returns their ids. For loading
    /// data in bulk: `cargo xtask bench list` seeds 100,000 conversations with it.
    pub async fn import_conversations(
        &self,
        conversations: &[ImportedConversation],
    ) -> Result<Vec<String>> {
        let mut tx = self.begin().await?;
        let done: Result<Vec<String>> = async {
            let mut ids = Vec::with_capacity(conversations.len());
            on_tx!(&mut tx, c => {
                for conv in conversations {
                    let (visitor_id, id) = (new_id(), new_id());
                    sqlx::query(
                        "INSERT INTO visitors (id, channel_id, created_at, user_id, user_name, user_email)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&visitor_id)
                    .bind(&conv.channel_id)
                    .bind(&conv.created_at)
                    .bind(conv.visitor_name.as_ref().map(|_| visitor_id.clone()))
                    .bind(&conv.visitor_name)
                    .bind(&conv.visitor_email)
                    .execute(&mut *c)
                    .await?;
                    sqlx::query(
                        "INSERT INTO conversations (id, channel_id, visitor_id, status, created_at,
                         agent_id, unanswered_since) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&id)
                    .bind(&conv.channel_id)
                    .bind(&visitor_id)
                    .bind(&conv.status)
                    .bind(&conv.created_at)
                    .bind(conv.agent_id)
                    .bind(&conv.unanswered_since)
                    .execute(&mut *c)
                    .await?;
                    for (i, (author, body)) in conv.messages.iter().enumerate() {
                        let at = conv.message_times.get(i).unwrap_or(&conv.created_at);
                        let agent_id = (author == "agent").then_some(conv.agent_id).flatten();
                        sqlx::query(
                            "INSERT INTO messages
                                    (conversation_id, seq, author, body, created_at, agent_id)
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(&id)
                        .bind(i64::try_from(i).unwrap_or(i64::MAX - 1) + 1)
                        .bind(author)
                        .bind(body)
                        .bind(at)
                        .bind(agent_id)
                        .execute(&mut *c)
                        .await?;
                    }
                    if let Some(rating) = &conv.rating {
                        sqlx::query(
                            "INSERT INTO conversation_ratings (conversation_id, rating, rated_at)
                             VALUES ($1, $2, $3)",
                        )
                        .bind(&id)
                        .bind(rating)
                        .bind(&conv.created_at)
                        .execute(&mut *c)
                        .await?;
                    }
                    for label in &conv.label_ids {
                        sqlx::query(
                            "INSERT INTO conversation_labels (conversation_id, label_id, set_at)
                             VALUES ($1, $2, $3)",
                        )
                        .bind(&id)
                        .bind(label)
                        .bind(&conv.created_at)
                        .execute(&mut *c)
                        .await?;
                    }
                    ids.push(id);
                }
            });
            Ok(ids)
        }
        .await;
        match done {
            Ok(ids) => {
                tx.wrote_text = true;
                tx.commit().await?;
                self.changed.mark(ids.iter().cloned());
                Ok(ids)
            }
            Err(e) => {
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }
}

//! The store: one SQLite pool, the migrations, and every query the server runs.
//!
//! Consent writes are committed with `synchronous = FULL` in WAL mode, so a 201 is
//! sent only after the record is on disk. The consents table refuses UPDATE and
//! DELETE by trigger (see `migrations/`).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};

use crate::clock::now_rfc3339;
use crate::ledger::{self, Ledger, Record};

/// The store handle: cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    ledger: Ledger,
}

/// A channel: one website's (or one messenger's) entry point.
#[derive(Debug, Clone, FromRow)]
pub struct Channel {
    pub id: String,
    pub key: String,
    pub name: String,
    pub title: String,
    pub greeting: Option<String>,
    pub locale: Option<String>,
    pub consent_agreement_id: Option<String>,
    /// JSON array of the origins the widget may be embedded in; `None`: any.
    pub allowed_origins: Option<String>,
}

impl Channel {
    /// The origins the widget may be embedded in; `None` when any site may.
    pub fn origins(&self) -> Option<Vec<String>> {
        self.allowed_origins
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
    }

    /// Whether a page of this origin (`scheme://host[:port]`) may use the widget.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins()
            .is_none_or(|list| list.iter().any(|allowed| allowed == origin))
    }
}

/// One immutable text of an agreement.
#[derive(Debug, Clone, FromRow)]
pub struct AgreementVersion {
    pub id: String,
    pub agreement_id: String,
    pub version: i64,
    pub title: String,
    pub body: String,
    pub label: String,
    pub sha256: String,
}

/// A conversation between a visitor and the channel's agents.
#[derive(Debug, Clone, FromRow)]
pub struct Conversation {
    pub id: String,
    pub channel_id: String,
    pub visitor_id: String,
    pub consent_id: Option<String>,
    pub status: String,
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
const MESSAGE_SELECT: &str = "SELECT m.seq, m.author, m.client_id, m.body, m.created_at, \
    a.name AS agent_name, a.avatar_url AS agent_avatar \
    FROM messages m LEFT JOIN agents a ON a.id = m.agent_id";

/// What [`Store::append_message`] did.
#[derive(Debug, PartialEq, Eq)]
pub struct Appended {
    pub message: MessageRow,
    /// False when the client id was already stored (a re-send): nothing new.
    pub inserted: bool,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Store {
    /// Opens (creating if needed) the database at `database_url` and migrates it.
    pub async fn open(database_url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(database_url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let ledger = Ledger::start(pool.clone());
        Ok(Self { pool, ledger })
    }

    /// The pool, for health checks and tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// A server-wide value, created with `make` on first use and never changed.
    pub async fn setting_or_insert(
        &self,
        key: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(make())
        .execute(&self.pool)
        .await?;
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_one(&self.pool)
            .await
    }

    pub async fn channel_by_key(&self, key: &str) -> Result<Option<Channel>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, key, name, title, greeting, locale, consent_agreement_id, allowed_origins
             FROM channels WHERE key = ?1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
    }

    /// Sets the origins a channel's widget may be embedded in (`None`: any).
    pub async fn set_allowed_origins(
        &self,
        channel_id: &str,
        origins: Option<&[String]>,
    ) -> Result<(), sqlx::Error> {
        let json = origins.map(|o| serde_json::to_string(o).unwrap_or_else(|_| "[]".into()));
        sqlx::query("UPDATE channels SET allowed_origins = ?1 WHERE id = ?2")
            .bind(json)
            .bind(channel_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Creates a channel with no agreement.
    pub async fn create_channel(
        &self,
        key: &str,
        name: &str,
        title: &str,
        greeting: Option<&str>,
    ) -> Result<Channel, sqlx::Error> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO channels (id, key, name, title, greeting, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&id)
        .bind(key)
        .bind(name)
        .bind(title)
        .bind(greeting)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(Channel {
            id,
            key: key.to_owned(),
            name: name.to_owned(),
            title: title.to_owned(),
            greeting: greeting.map(str::to_owned),
            locale: None,
            consent_agreement_id: None,
            allowed_origins: None,
        })
    }

    /// Creates a personal-data agreement with its first version and makes it the
    /// one the channel's chat asks for. Returns that version.
    pub async fn create_chat_agreement(
        &self,
        channel_id: &str,
        name: &str,
        title: &str,
        body: &str,
        label: &str,
    ) -> Result<AgreementVersion, sqlx::Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let agreement_id = new_id();
        let now = now_rfc3339();
        sqlx::query(
            "INSERT INTO agreements (id, channel_id, name, kind, created_at)
             VALUES (?1, ?2, ?3, 'personal_data', ?4)",
        )
        .bind(&agreement_id)
        .bind(channel_id)
        .bind(name)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let version = insert_version(&mut tx, &agreement_id, 1, title, body, label, &now).await?;
        sqlx::query("UPDATE channels SET consent_agreement_id = ?1 WHERE id = ?2")
            .bind(&agreement_id)
            .bind(channel_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The newest version of an agreement.
    pub async fn current_version(
        &self,
        agreement_id: &str,
    ) -> Result<Option<AgreementVersion>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, agreement_id, version, title, body, label, sha256
             FROM agreement_versions WHERE agreement_id = ?1
             ORDER BY version DESC LIMIT 1",
        )
        .bind(agreement_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// The consent ledger (appends go through its group-commit writer).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub async fn consent_by_id(&self, id: &str) -> Result<Option<Record>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT {} FROM consents WHERE id = ?1",
            ledger::COLUMNS
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// True when the visitor exists and belongs to the channel.
    pub async fn visitor_in_channel(
        &self,
        visitor_id: &str,
        channel_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM visitors WHERE id = ?1 AND channel_id = ?2")
                .bind(visitor_id)
                .bind(channel_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Creates a visitor without consent (channels that ask none).
    pub async fn create_visitor(&self, channel_id: &str) -> Result<String, sqlx::Error> {
        let id = new_id();
        sqlx::query("INSERT INTO visitors (id, channel_id, created_at) VALUES (?1, ?2, ?3)")
            .bind(&id)
            .bind(channel_id)
            .bind(now_rfc3339())
            .execute(&self.pool)
            .await?;
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
    ) -> Result<Conversation, sqlx::Error> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO conversations (id, channel_id, visitor_id, consent_id, page_url, utm, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&id)
        .bind(channel_id)
        .bind(visitor_id)
        .bind(consent_id)
        .bind(page_url)
        .bind(utm_json)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(Conversation {
            id,
            channel_id: channel_id.to_owned(),
            visitor_id: visitor_id.to_owned(),
            consent_id: consent_id.map(str::to_owned),
            status: "open".to_owned(),
        })
    }

    pub async fn conversation(&self, id: &str) -> Result<Option<Conversation>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, channel_id, visitor_id, consent_id, status FROM conversations WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Appends a message with the next sequence number of its conversation. A client
    /// id already stored returns that message again and stores nothing.
    pub async fn append_message(
        &self,
        conversation_id: &str,
        author: &str,
        client_id: Option<&str>,
        body: &str,
    ) -> Result<Appended, sqlx::Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let appended =
            append_message_in(&mut tx, conversation_id, author, None, client_id, body).await?;
        tx.commit().await?;
        Ok(appended)
    }

    /// Appends an agent's reply (see [`Store::append_message`]).
    pub async fn append_agent_message(
        &self,
        conversation_id: &str,
        agent_id: i64,
        client_id: &str,
        body: &str,
    ) -> Result<Appended, sqlx::Error> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let appended = append_message_in(
            &mut tx,
            conversation_id,
            "agent",
            Some(agent_id),
            Some(client_id),
            body,
        )
        .await?;
        tx.commit().await?;
        Ok(appended)
    }

    /// Messages of a conversation after `seq`, oldest first.
    pub async fn messages_after(
        &self,
        conversation_id: &str,
        seq: i64,
    ) -> Result<Vec<MessageRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.seq > ?2 ORDER BY m.seq"
        ))
        .bind(conversation_id)
        .bind(seq)
        .fetch_all(&self.pool)
        .await
    }

    /// Whether the visitor's newest record for the channel's chat agreement is a
    /// withdrawal: then nothing more is collected from them (until a new grant).
    pub async fn visitor_withdrew(
        &self,
        visitor_id: &str,
        channel_id: &str,
    ) -> Result<bool, sqlx::Error> {
        let action: Option<String> = sqlx::query_scalar(
            "SELECT c.action FROM consents c
             JOIN agreement_versions v ON v.id = c.agreement_version_id
             JOIN channels ch ON ch.consent_agreement_id = v.agreement_id
             WHERE c.visitor_id = ?1 AND ch.id = ?2
             ORDER BY c.seq DESC LIMIT 1",
        )
        .bind(visitor_id)
        .bind(channel_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(action.as_deref() == Some(ledger::Action::Withdraw.as_str()))
    }

    /// The sequence number of a conversation's newest message (0 when it has none).
    pub async fn newest_seq(&self, conversation_id: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE conversation_id = ?1")
            .bind(conversation_id)
            .fetch_one(&self.pool)
            .await
    }
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    agreement_id: &str,
    version: i64,
    title: &str,
    body: &str,
    label: &str,
    now: &str,
) -> Result<AgreementVersion, sqlx::Error> {
    use sha2::{Digest, Sha256};
    let id = new_id();
    let sha256 = hex(&Sha256::digest(body.as_bytes()));
    sqlx::query(
        "INSERT INTO agreement_versions (id, agreement_id, version, title, body, label, sha256, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .bind(&id)
    .bind(agreement_id)
    .bind(version)
    .bind(title)
    .bind(body)
    .bind(label)
    .bind(&sha256)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(AgreementVersion {
        id,
        agreement_id: agreement_id.to_owned(),
        version,
        title: title.to_owned(),
        body: body.to_owned(),
        label: label.to_owned(),
        sha256,
    })
}

/// [`Store::append_message`] inside the caller's transaction (which must hold the
/// write lock: `BEGIN IMMEDIATE`).
pub async fn append_message_in(
    conn: &mut sqlx::SqliteConnection,
    conversation_id: &str,
    author: &str,
    agent_id: Option<i64>,
    client_id: Option<&str>,
    body: &str,
) -> Result<Appended, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO messages (conversation_id, seq, author, client_id, body, created_at, agent_id)
         SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6
         FROM messages WHERE conversation_id = ?1
         ON CONFLICT (conversation_id, client_id) DO NOTHING",
    )
    .bind(conversation_id)
    .bind(author)
    .bind(client_id)
    .bind(body)
    .bind(now_rfc3339())
    .bind(agent_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    let by_client_id =
        format!("{MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.client_id = ?2");
    let newest =
        format!("{MESSAGE_SELECT} WHERE m.conversation_id = ?1 ORDER BY m.seq DESC LIMIT 1");
    let message: MessageRow = match client_id {
        Some(client_id) => sqlx::query_as(&by_client_id)
            .bind(conversation_id)
            .bind(client_id),
        None => sqlx::query_as(&newest).bind(conversation_id),
    }
    .fetch_one(&mut *conn)
    .await?;
    Ok(Appended { message, inserted })
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

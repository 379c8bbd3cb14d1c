//! The consent ledger: append-only records, each chained to the one before by a
//! SHA-256 hash, written by one task that commits concurrent requests together.
//!
//! Group commit: requests queue on a channel; the writer takes everything queued
//! (up to [`MAX_BATCH`]), writes it in one `BEGIN IMMEDIATE` transaction and commits
//! once (`synchronous = FULL`: one fsync for the batch), then answers each request.
//! So a 201 always means "on disk", and durability costs one sync per batch, not per
//! record. One writer also makes the chain order unambiguous.
//!
//! [`verify`] walks the chain and names the first record whose hash, link or place
//! does not hold: what an edit made behind the triggers' back looks like.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::{FromRow, SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::clock::now_rfc3339;
use crate::store::hex;

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Most records one transaction commits.
pub const MAX_BATCH: usize = 512;

/// Grant or withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Grant,
    Withdraw,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grant => "grant",
            Self::Withdraw => "withdraw",
        }
    }
}

/// Where a consent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Livechat,
    Form,
    Messenger,
    Api,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Livechat => "livechat",
            Self::Form => "form",
            Self::Messenger => "messenger",
            Self::Api => "api",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Livechat, Self::Form, Self::Messenger, Self::Api]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// Whose consent a new record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visitor {
    /// A visitor seen for the first time: the writer creates it with the record.
    New,
    Existing(String),
}

/// A record to append, already validated.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: Action,
    pub agreement_version_id: String,
    pub channel_id: String,
    pub visitor: Visitor,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub source: Source,
    pub conversation_id: Option<String>,
    pub crm_entity: Option<String>,
    pub request_id: Option<String>,
}

/// A record as stored.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Record {
    pub seq: i64,
    pub id: String,
    pub action: String,
    pub agreement_version_id: String,
    pub channel_id: String,
    pub visitor_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub page_url: Option<String>,
    pub source: String,
    pub conversation_id: Option<String>,
    pub crm_entity: Option<String>,
    pub request_id: Option<String>,
    pub created_at: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Every column, in table order, for `SELECT`s.
pub const COLUMNS: &str = "seq, id, action, agreement_version_id, channel_id, visitor_id, ip, \
    user_agent, page_url, source, conversation_id, crm_entity, request_id, created_at, \
    prev_hash, hash";

impl Record {
    /// The hash this record must carry: SHA-256 over a version tag, `prev_hash` and
    /// every field, each length-prefixed (NULL distinct from empty).
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"canal-consent-v1");
        let fields: [Option<&str>; 15] = [
            Some(&self.prev_hash),
            Some(&self.seq.to_string()),
            Some(&self.id),
            Some(&self.action),
            Some(&self.agreement_version_id),
            Some(&self.channel_id),
            self.visitor_id.as_deref(),
            self.ip.as_deref(),
            self.user_agent.as_deref(),
            self.page_url.as_deref(),
            Some(&self.source),
            self.conversation_id.as_deref(),
            self.crm_entity.as_deref(),
            self.request_id.as_deref(),
            Some(&self.created_at),
        ];
        for field in fields {
            match field {
                None => h.update([0u8]),
                Some(value) => {
                    h.update([1u8]);
                    h.update((value.len() as u64).to_be_bytes());
                    h.update(value.as_bytes());
                }
            }
        }
        hex(&h.finalize())
    }
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    Recorded(Record),
    /// The request id was seen with the same content: the earlier record.
    Replayed(Record),
    /// The request id was seen with other content: nothing recorded.
    Conflict,
}

type Reply = oneshot::Sender<Result<Appended, sqlx::Error>>;

/// Handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ledger {
    jobs: mpsc::Sender<(Entry, Reply)>,
}

impl Ledger {
    /// Starts the writer on this pool.
    pub fn start(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(pool, queue));
        Self { jobs }
    }

    /// Appends a record; answers once it is committed (or was already there).
    pub async fn append(&self, entry: Entry) -> Result<Appended, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((entry, reply))
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

async fn writer(pool: SqlitePool, mut queue: mpsc::Receiver<(Entry, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match write_batch(&pool, &entries).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, records = entries.len(), "consent batch not committed");
                for reply in replies {
                    let _ = reply.send(Err(sqlx::Error::Protocol(format!(
                        "consent batch not committed: {e}"
                    ))));
                }
            }
        }
    }
}

/// Writes a batch in one transaction. The outer error means nothing was committed;
/// an inner error is that one record's (rolled back to its savepoint).
async fn write_batch(
    pool: &SqlitePool,
    entries: &[Entry],
) -> Result<Vec<Result<Appended, sqlx::Error>>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let tail: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM consents ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let (mut seq, mut prev_hash) = tail.unwrap_or((0, GENESIS.to_owned()));
    let mut in_batch: HashMap<(String, String), Record> = HashMap::new();
    let mut outcomes = Vec::with_capacity(entries.len());
    for entry in entries {
        if let Some(request_id) = &entry.request_id {
            let key = (entry.channel_id.clone(), request_id.clone());
            let earlier = match in_batch.get(&key) {
                Some(record) => Some(record.clone()),
                None => by_request(&mut tx, &entry.channel_id, request_id).await?,
            };
            if let Some(earlier) = earlier {
                outcomes.push(Ok(replay(earlier, entry)));
                continue;
            }
        }
        sqlx::query("SAVEPOINT record").execute(&mut *tx).await?;
        match insert(&mut tx, entry, seq + 1, &prev_hash).await {
            Ok(record) => {
                sqlx::query("RELEASE record").execute(&mut *tx).await?;
                seq = record.seq;
                prev_hash = record.hash.clone();
                if let Some(request_id) = &entry.request_id {
                    in_batch.insert(
                        (entry.channel_id.clone(), request_id.clone()),
                        record.clone(),
                    );
                }
                outcomes.push(Ok(Appended::Recorded(record)));
            }
            Err(e) => {
                sqlx::query("ROLLBACK TO record").execute(&mut *tx).await?;
                sqlx::query("RELEASE record").execute(&mut *tx).await?;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn insert(
    conn: &mut SqliteConnection,
    entry: &Entry,
    seq: i64,
    prev_hash: &str,
) -> Result<Record, sqlx::Error> {
    let now = now_rfc3339();
    let visitor_id = match &entry.visitor {
        Visitor::Existing(id) => Some(id.clone()),
        Visitor::New => {
            let id = uuid::Uuid::new_v4().to_string();
            sqlx::query("INSERT INTO visitors (id, channel_id, created_at) VALUES (?1, ?2, ?3)")
                .bind(&id)
                .bind(&entry.channel_id)
                .bind(&now)
                .execute(&mut *conn)
                .await?;
            Some(id)
        }
    };
    let mut record = Record {
        seq,
        id: uuid::Uuid::new_v4().to_string(),
        action: entry.action.as_str().to_owned(),
        agreement_version_id: entry.agreement_version_id.clone(),
        channel_id: entry.channel_id.clone(),
        visitor_id,
        ip: entry.ip.clone(),
        user_agent: entry.user_agent.clone(),
        page_url: entry.page_url.clone(),
        source: entry.source.as_str().to_owned(),
        conversation_id: entry.conversation_id.clone(),
        crm_entity: entry.crm_entity.clone(),
        request_id: entry.request_id.clone(),
        created_at: now,
        prev_hash: prev_hash.to_owned(),
        hash: String::new(),
    };
    record.hash = record.expected_hash();
    sqlx::query(&format!(
        "INSERT INTO consents ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))
    .bind(record.seq)
    .bind(&record.id)
    .bind(&record.action)
    .bind(&record.agreement_version_id)
    .bind(&record.channel_id)
    .bind(&record.visitor_id)
    .bind(&record.ip)
    .bind(&record.user_agent)
    .bind(&record.page_url)
    .bind(&record.source)
    .bind(&record.conversation_id)
    .bind(&record.crm_entity)
    .bind(&record.request_id)
    .bind(&record.created_at)
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .execute(&mut *conn)
    .await?;
    Ok(record)
}

async fn by_request(
    conn: &mut SqliteConnection,
    channel_id: &str,
    request_id: &str,
) -> Result<Option<Record>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM consents WHERE channel_id = ?1 AND request_id = ?2"
    ))
    .bind(channel_id)
    .bind(request_id)
    .fetch_optional(conn)
    .await
}

fn replay(earlier: Record, entry: &Entry) -> Appended {
    let same = earlier.action == entry.action.as_str()
        && earlier.agreement_version_id == entry.agreement_version_id
        && earlier.page_url == entry.page_url
        && earlier.conversation_id == entry.conversation_id
        && earlier.crm_entity == entry.crm_entity
        && match &entry.visitor {
            Visitor::New => true,
            Visitor::Existing(id) => earlier.visitor_id.as_ref() == Some(id),
        };
    if same {
        Appended::Replayed(earlier)
    } else {
        Appended::Conflict
    }
}

/// The first record where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: i64,
    pub id: String,
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Records checked (up to and including a broken one).
    pub records: u64,
    pub broken: Option<Broken>,
    /// The last good hash: the ledger's head, worth keeping outside the database
    /// (a truncated tail is only detectable against a head kept elsewhere).
    pub head: String,
}

/// Walks the whole chain in order.
pub async fn verify(pool: &SqlitePool) -> Result<Verified, sqlx::Error> {
    use futures_util::TryStreamExt;
    let query = format!("SELECT {COLUMNS} FROM consents ORDER BY seq");
    let mut rows = sqlx::query_as::<_, Record>(&query).fetch(pool);
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_owned();
    let mut records = 0;
    while let Some(record) = rows.try_next().await? {
        records += 1;
        let reason = if record.seq != expected_seq {
            Some(format!(
                "expected record {expected_seq} here, found {}: records are missing",
                record.seq
            ))
        } else if record.prev_hash != prev {
            Some("its prev_hash does not match the record before it".to_owned())
        } else if record.hash != record.expected_hash() {
            Some("its content does not match its hash: the record was altered".to_owned())
        } else {
            None
        };
        if let Some(reason) = reason {
            return Ok(Verified {
                records,
                broken: Some(Broken {
                    seq: record.seq,
                    id: record.id,
                    reason,
                }),
                head: prev,
            });
        }
        prev = record.hash;
        expected_seq += 1;
    }
    Ok(Verified {
        records,
        broken: None,
        head: prev,
    })
}

/// Which records [`list`] returns. Times are this module's RFC 3339 UTC strings,
/// which sort as text.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// One record by id.
    pub id: Option<String>,
    pub agreement_id: Option<String>,
    /// Channel key.
    pub channel: Option<String>,
    pub source: Option<Source>,
    pub action: Option<Action>,
    pub visitor_id: Option<String>,
    /// Inclusive lower bound of `created_at`.
    pub from: Option<String>,
    /// Exclusive upper bound of `created_at`.
    pub until: Option<String>,
    /// Only records older than this `seq` (the cursor).
    pub before_seq: Option<i64>,
}

/// A record with what the list shows beside it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Listed {
    #[sqlx(flatten)]
    pub record: Record,
    pub agreement_id: String,
    pub agreement_version: i64,
    pub channel_key: String,
}

/// Records matching `filter`, newest first, at most `limit`.
pub async fn list(
    pool: &SqlitePool,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<Listed>, sqlx::Error> {
    let mut q = sqlx::QueryBuilder::new(
        "SELECT c.seq, c.id, c.action, c.agreement_version_id, c.channel_id, c.visitor_id, \
         c.ip, c.user_agent, c.page_url, c.source, c.conversation_id, c.crm_entity, \
         c.request_id, c.created_at, c.prev_hash, c.hash, \
         v.agreement_id, v.version AS agreement_version, ch.key AS channel_key \
         FROM consents c \
         JOIN agreement_versions v ON v.id = c.agreement_version_id \
         JOIN channels ch ON ch.id = c.channel_id WHERE 1 = 1",
    );
    if let Some(v) = &filter.id {
        q.push(" AND c.id = ").push_bind(v.clone());
    }
    if let Some(v) = &filter.agreement_id {
        q.push(" AND v.agreement_id = ").push_bind(v.clone());
    }
    if let Some(v) = &filter.channel {
        q.push(" AND ch.key = ").push_bind(v.clone());
    }
    if let Some(v) = filter.source {
        q.push(" AND c.source = ").push_bind(v.as_str());
    }
    if let Some(v) = filter.action {
        q.push(" AND c.action = ").push_bind(v.as_str());
    }
    if let Some(v) = &filter.visitor_id {
        q.push(" AND c.visitor_id = ").push_bind(v.clone());
    }
    if let Some(v) = &filter.from {
        q.push(" AND c.created_at >= ").push_bind(v.clone());
    }
    if let Some(v) = &filter.until {
        q.push(" AND c.created_at < ").push_bind(v.clone());
    }
    if let Some(v) = filter.before_seq {
        q.push(" AND c.seq < ").push_bind(v);
    }
    q.push(" ORDER BY c.seq DESC LIMIT ").push_bind(limit);
    q.build_query_as().fetch_all(pool).await
}

/// One record with its list columns.
pub async fn listed(pool: &SqlitePool, id: &str) -> Result<Option<Listed>, sqlx::Error> {
    let filter = Filter {
        id: Some(id.to_owned()),
        ..Filter::default()
    };
    Ok(list(pool, &filter, 1).await?.into_iter().next())
}

/// The newest record of a visitor for an agreement (any version), if any.
pub async fn latest(
    pool: &SqlitePool,
    visitor_id: &str,
    agreement_id: &str,
) -> Result<Option<Listed>, sqlx::Error> {
    let filter = Filter {
        agreement_id: Some(agreement_id.to_owned()),
        visitor_id: Some(visitor_id.to_owned()),
        ..Filter::default()
    };
    Ok(list(pool, &filter, 1).await?.into_iter().next())
}

//! The consent ledger's writer and reader: append-only records, each chained to
//! the one before by a SHA-256 hash (see `canal_core::ledger`), written by one task
//! that commits concurrent requests together.
//!
//! Group commit: requests queue on a channel; the writer takes everything queued
//! (up to [`MAX_BATCH`]), writes it in one transaction and commits once (one sync
//! for the batch), then answers each request. So a 201 always means "on disk", and
//! durability costs one sync per batch, not per record. One writer per process makes
//! the chain order unambiguous; on PostgreSQL, where several processes may share the
//! database, each batch also holds an advisory lock ([`crate::LEDGER_LOCK`]) from
//! reading the chain's tail to its commit.

use std::collections::HashMap;

use canal_core::ledger::{replay, Appended, Chain, Entry, Filter, Record, Verified, Visitor};
use futures_util::TryStreamExt;
use sqlx::FromRow;
use tokio::sync::{mpsc, oneshot};

use crate::{new_id, now_rfc3339, on_pool, on_tx, Db, Error, Result, Store, Tx, LEDGER_LOCK};

/// Most records one transaction commits.
pub const MAX_BATCH: usize = 512;

/// Every column, in table order, for `SELECT`s.
const COLUMNS: &str = "seq, id, action, agreement_version_id, channel_id, visitor_id, ip, \
    user_agent, page_url, source, conversation_id, crm_entity, request_id, created_at, \
    prev_hash, hash";

/// A record as its row.
#[derive(Debug, Clone, FromRow)]
struct RecordRow {
    seq: i64,
    id: String,
    action: String,
    agreement_version_id: String,
    channel_id: String,
    visitor_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    page_url: Option<String>,
    source: String,
    conversation_id: Option<String>,
    crm_entity: Option<String>,
    request_id: Option<String>,
    created_at: String,
    prev_hash: String,
    hash: String,
}

impl From<RecordRow> for Record {
    fn from(r: RecordRow) -> Self {
        Record {
            seq: r.seq,
            id: r.id,
            action: r.action,
            agreement_version_id: r.agreement_version_id,
            channel_id: r.channel_id,
            visitor_id: r.visitor_id,
            ip: r.ip,
            user_agent: r.user_agent,
            page_url: r.page_url,
            source: r.source,
            conversation_id: r.conversation_id,
            crm_entity: r.crm_entity,
            request_id: r.request_id,
            created_at: r.created_at,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A record with what the admin list shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub record: Record,
    pub agreement_id: String,
    pub agreement_version: i64,
    pub channel_key: String,
}

#[derive(FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    record: RecordRow,
    agreement_id: String,
    agreement_version: i64,
    channel_key: String,
}

type Reply = oneshot::Sender<Result<Appended>>;

/// Handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ledger {
    jobs: mpsc::Sender<(Entry, Reply)>,
}

impl Ledger {
    /// Starts the writer on this database.
    pub(crate) fn start(db: Db) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(db, queue));
        Self { jobs }
    }

    /// Appends a record; answers once it is committed (or was already there).
    pub async fn append(&self, entry: Entry) -> Result<Appended> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((entry, reply))
            .await
            .map_err(|_| Error::Closed)?;
        answer.await.map_err(|_| Error::Closed)?
    }
}

async fn writer(db: Db, mut queue: mpsc::Receiver<(Entry, Reply)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match write_batch(&db, &entries).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, records = entries.len(), "consent batch not committed");
                for reply in replies {
                    let _ = reply.send(Err(Error::Database(sqlx::Error::Protocol(format!(
                        "consent batch not committed: {e}"
                    )))));
                }
            }
        }
    }
}

/// Writes a batch in one transaction. The outer error means nothing was committed;
/// an inner error is that one record's. A batch is first written without a savepoint
/// per record (two round trips fewer per record, which is most of a batch's time on
/// PostgreSQL); if a record fails, that transaction is rolled back unseen and the
/// batch is written again with each record behind its own savepoint, so the others
/// still go in.
async fn write_batch(db: &Db, entries: &[Entry]) -> Result<Vec<Result<Appended>>> {
    match write_batch_as(db, entries, Isolation::Batch).await? {
        Some(outcomes) => Ok(outcomes),
        None => write_batch_as(db, entries, Isolation::PerRecord)
            .await?
            .ok_or_else(|| Error::Corrupt("a batch with savepoints cannot fail as a whole".into())),
    }
}

/// How far one record's failure reaches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isolation {
    /// No savepoints: a failing record abandons the whole transaction (`Ok(None)`).
    Batch,
    /// A savepoint per record: a failing record is rolled back alone.
    PerRecord,
}

async fn write_batch_as(
    db: &Db,
    entries: &[Entry],
    isolation: Isolation,
) -> Result<Option<Vec<Result<Appended>>>> {
    let mut tx = match db {
        Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(LEDGER_LOCK)
                .execute(&mut *tx)
                .await?;
            Tx::Postgres(tx)
        }
    };
    let tail: Option<(i64, String)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT seq, hash FROM consents ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *c)
            .await?
    });
    let (mut seq, mut prev_hash) = tail.unwrap_or((0, canal_core::ledger::GENESIS.to_owned()));
    let mut in_batch: HashMap<(String, String), Record> = HashMap::new();
    let mut outcomes = Vec::with_capacity(entries.len());
    let isolated = isolation == Isolation::PerRecord;
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
        if isolated {
            on_tx!(&mut tx, c => sqlx::query("SAVEPOINT record").execute(&mut *c).await.map(drop)?);
        }
        match insert(&mut tx, entry, seq + 1, &prev_hash).await {
            Ok(record) => {
                if isolated {
                    on_tx!(&mut tx, c => sqlx::query("RELEASE SAVEPOINT record").execute(&mut *c).await.map(drop)?);
                }
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
            Err(_) if !isolated => {
                tx.rollback().await?;
                return Ok(None);
            }
            Err(e) => {
                on_tx!(&mut tx, c => {
                    sqlx::query("ROLLBACK TO SAVEPOINT record").execute(&mut *c).await?;
                    sqlx::query("RELEASE SAVEPOINT record").execute(&mut *c).await?;
                });
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(Some(outcomes))
}

async fn insert(tx: &mut Tx, entry: &Entry, seq: i64, prev_hash: &str) -> Result<Record> {
    let now = now_rfc3339();
    let visitor_id = match &entry.visitor {
        Visitor::Existing(id) => Some(id.clone()),
        Visitor::New => {
            let id = new_id();
            on_tx!(tx, c => {
                sqlx::query("INSERT INTO visitors (id, channel_id, created_at) VALUES ($1, $2, $3)")
                    .bind(&id)
                    .bind(&entry.channel_id)
                    .bind(&now)
                    .execute(&mut *c)
                    .await?;
            });
            Some(id)
        }
    };
    let mut record = Record {
        seq,
        id: new_id(),
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
    let sql = format!(
        "INSERT INTO consents ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    on_tx!(tx, c => {
        sqlx::query(&sql)
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
            .execute(&mut *c)
            .await?;
    });
    Ok(record)
}

async fn by_request(tx: &mut Tx, channel_id: &str, request_id: &str) -> Result<Option<Record>> {
    let sql = format!("SELECT {COLUMNS} FROM consents WHERE channel_id = $1 AND request_id = $2");
    let row: Option<RecordRow> = on_tx!(tx, c => {
        sqlx::query_as(&sql)
            .bind(channel_id)
            .bind(request_id)
            .fetch_optional(&mut *c)
            .await?
    });
    Ok(row.map(Record::from))
}

impl Store {
    /// One consent record by id.
    pub async fn consent_by_id(&self, id: &str) -> Result<Option<Record>> {
        let sql = format!("SELECT {COLUMNS} FROM consents WHERE id = $1");
        let row: Option<RecordRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        Ok(row.map(Record::from))
    }

    /// Walks the whole chain in order (see `canal_core::ledger::Chain`).
    pub async fn verify_ledger(&self) -> Result<Verified> {
        let sql = format!("SELECT {COLUMNS} FROM consents ORDER BY seq");
        let mut chain = Chain::default();
        on_pool!(self, p => {
            let mut rows = sqlx::query_as::<_, RecordRow>(&sql).fetch(p);
            while let Some(row) = rows.try_next().await? {
                if !chain.push(row.into()) {
                    break;
                }
            }
        });
        Ok(chain.finish())
    }

    /// Records matching `filter`, newest first, at most `limit`.
    pub async fn consents(&self, filter: &Filter, limit: i64) -> Result<Vec<Listed>> {
        let rows: Vec<ListedRow> = on_pool!(self, p => {
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
            q.build_query_as().fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Listed {
                record: r.record.into(),
                agreement_id: r.agreement_id,
                agreement_version: r.agreement_version,
                channel_key: r.channel_key,
            })
            .collect())
    }

    /// One record with its list columns.
    pub async fn listed_consent(&self, id: &str) -> Result<Option<Listed>> {
        let filter = Filter {
            id: Some(id.to_owned()),
            ..Filter::default()
        };
        Ok(self.consents(&filter, 1).await?.into_iter().next())
    }

    /// The newest record of a visitor for an agreement (any version), if any.
    pub async fn latest_consent(
        &self,
        visitor_id: &str,
        agreement_id: &str,
    ) -> Result<Option<Listed>> {
        let filter = Filter {
            agreement_id: Some(agreement_id.to_owned()),
            visitor_id: Some(visitor_id.to_owned()),
            ..Filter::default()
        };
        Ok(self.consents(&filter, 1).await?.into_iter().next())
    }

    /// Whether the visitor's newest record for the channel's chat agreement is a
    /// withdrawal: then nothing more is collected from them (until a new grant).
    pub async fn visitor_withdrew(&self, visitor_id: &str, channel_id: &str) -> Result<bool> {
        let action: Option<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT c.action FROM consents c
             JOIN agreement_versions v ON v.id = c.agreement_version_id
             JOIN channels ch ON ch.consent_agreement_id = v.agreement_id
             WHERE c.visitor_id = $1 AND ch.id = $2
             ORDER BY c.seq DESC LIMIT 1",
        )
        .bind(visitor_id)
        .bind(channel_id)
        .fetch_optional(p)
        .await?);
        Ok(action.as_deref() == Some(canal_core::ledger::Action::Withdraw.as_str()))
    }
}

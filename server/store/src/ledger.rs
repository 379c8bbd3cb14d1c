//! The consent ledger's writer and reader: append-only records, each chained to
//! the one before by a SHA-256 hash (see `canal_core::ledger`), written by one task
//! that commits concurrent requests together.
//!
//! Appends go through a group-commit writer ([`crate::group`]): a 201 always means
//! "on disk", at one sync per batch. One writer per process makes the chain order
//! unambiguous; on PostgreSQL, where several processes may share the database, each
//! batch also holds an advisory lock ([`crate::LEDGER_LOCK`]) from reading the
//! chain's tail to its commit.

use std::collections::HashMap;

use canal_core::ledger::{
    replay, Action, Appended, Chain, Entry, Filter, Record, Verified, Visitor,
};
use canal_protocol::integrations::EventData;
use futures_util::TryStreamExt;
use sqlx::FromRow;

use crate::group::{Batch, Writer};
use crate::{new_id, now_rfc3339, on_pool, on_tx, Db, Result, Store, Tx, LEDGER_LOCK};

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

/// Handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct Ledger {
    writer: Writer<Chained>,
}

impl Ledger {
    /// Starts the writer on this database.
    pub(crate) fn start(db: Db, queued: crate::events::Queued) -> Self {
        Self {
            writer: Writer::start(db, queued, crate::figures::Changed::default()),
        }
    }

    /// Appends a record; answers once it is committed (or was already there).
    pub async fn append(&self, entry: Entry) -> Result<Appended> {
        self.writer.submit(entry).await
    }
}

/// A batch of records: the chain's tail as the batch grows it, and the records
/// this batch wrote by request id (a request repeated inside one batch replays).
struct Chained {
    seq: i64,
    prev_hash: String,
    by_request: HashMap<(String, String), Record>,
    /// Deliveries the batch's events queued.
    queued: u64,
}

impl Batch for Chained {
    type Job = Entry;
    type Done = Appended;
    const NAME: &'static str = "consent";

    async fn begin(tx: &mut Tx, _: &[Entry]) -> Result<Self> {
        let tail: Option<(i64, String)> = on_tx!(tx, c, pg => {
            if pg {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(LEDGER_LOCK)
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query_as("SELECT seq, hash FROM consents ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *c)
                .await?
        });
        let (seq, prev_hash) = tail.unwrap_or((0, canal_core::ledger::GENESIS.to_owned()));
        Ok(Self {
            seq,
            prev_hash,
            by_request: HashMap::new(),
            queued: 0,
        })
    }

    async fn write(&mut self, tx: &mut Tx, entry: &Entry) -> Result<Appended> {
        if let Some(request_id) = &entry.request_id {
            let key = (entry.channel_id.clone(), request_id.clone());
            let earlier = match self.by_request.get(&key) {
                Some(record) => Some(record.clone()),
                None => by_request(tx, &entry.channel_id, request_id).await?,
            };
            if let Some(earlier) = earlier {
                return Ok(replay(earlier, entry));
            }
        }
        let record = insert(tx, entry, self.seq + 1, &self.prev_hash).await?;
        let queued = crate::events::event_in(tx, event_of(&record)).await?;
        self.queued += queued;
        self.seq = record.seq;
        self.prev_hash = record.hash.clone();
        if let Some(request_id) = &entry.request_id {
            self.by_request.insert(
                (entry.channel_id.clone(), request_id.clone()),
                record.clone(),
            );
        }
        Ok(Appended::Recorded(record))
    }

    fn queued(&self) -> u64 {
        self.queued
    }
}

/// The webhook event of a record (`consent.recorded` for a grant,
/// `consent.withdrawn` for a withdrawal), queued with it.
fn event_of(record: &Record) -> EventData {
    let visitor_id = record.visitor_id.clone().unwrap_or_default();
    if record.action == Action::Withdraw.as_str() {
        EventData::ConsentWithdrawn {
            consent_id: record.id.clone(),
            channel_id: record.channel_id.clone(),
            visitor_id,
            agreement_version_id: record.agreement_version_id.clone(),
            source: record.source.clone(),
        }
    } else {
        EventData::ConsentRecorded {
            consent_id: record.id.clone(),
            channel_id: record.channel_id.clone(),
            visitor_id,
            agreement_version_id: record.agreement_version_id.clone(),
            source: record.source.clone(),
            conversation_id: record.conversation_id.clone(),
        }
    }
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

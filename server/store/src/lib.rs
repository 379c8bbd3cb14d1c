//! The store: the only code that names sqlx. One [`Store`] with a method per use
//! case, on SQLite (the embedded default) or PostgreSQL (`postgres://` URLs), each
//! engine with its own migrations (`migrations/sqlite`, `migrations/postgres`).
//!
//! Queries are written once, in SQL both engines accept (`$1` placeholders,
//! `RETURNING`, `ON CONFLICT`, `TRUE`/`FALSE`), and compiled for each engine by
//! [`on_pool!`] and [`on_tx!`]; where the dialects differ the code says so next to
//! the query. Times are RFC 3339 UTC text on both, so both return the same strings.
//!
//! Durability: SQLite runs in WAL mode with `synchronous = FULL`; PostgreSQL with
//! `synchronous_commit = on`. A write transaction on SQLite is `BEGIN IMMEDIATE`
//! (the one writer is taken up front); on PostgreSQL rows are locked where two
//! writers could race (see each method). Either waits for a lock 10 s at most,
//! then fails with nothing written. Consent records, routing's writes, and on
//! SQLite messages, go through group-commit writers ([`group`]): concurrent ones
//! share a transaction and its sync. PostgreSQL flushes concurrent commits together
//! by itself, so there visitors' messages take their own transactions, side by side.
//!
//! Layout:
//! - [`channels`]: channels, visitors, conversations, messages, server settings.
//! - [`crm`]: CRM contacts, leads and deals, and the chat tracker's write.
//! - [`kpi`]: response-time KPIs: overdue notices, message timelines for the figures.
//! - [`figures`]: each conversation's stored figures, and the marks of the changed ones.
//! - [`ledger`]: the consent ledger's group-commit writer, its list and verify.
//! - [`group`]: group commit, shared by the ledger's and the conversations' writers.
//! - [`writes`]: the conversations' writers: routing's writes, and on SQLite every
//!   message.
//! - [`agreements`]: agreements, versions, company details.
//! - [`agents`]: agent accounts, console sessions, departments.
//! - [`bans`]: banned addresses and visitors, and who banned and lifted them.
//! - [`routing`]: routing settings, the routing log, assignments, open work at start.
//! - [`features`]: per-channel settings stored as JSON or columns (hours, theme, form,
//!   identity), ratings, contact links, messenger chats.
//! - [`mail`]: e-mail to visitors: transcript addresses and the outbox.
//! - [`labels`]: labels and the conversations they are set on.
//! - [`integrations`]: API keys, webhook endpoints, messenger connectors, and the
//!   outbox of outbound deliveries (webhook events, connector replies).
//! - [`timers`]: durable timers (automatic actions), automation settings, the
//!   unanswered mark.
//!
//! The mail outbox, the deliveries and the timers are leased queues: [`claim_due_sql`] and
//! [`next_due_sql`] are their shared statements.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, PgConnection, PgPool, Postgres, SqlitePool};

pub mod agents;
pub mod agreements;
pub mod bans;
pub mod canned;
pub mod channels;
mod checkpoint;
pub mod crm;
pub mod events;
pub mod features;
pub mod figures;
mod group;
pub mod integrations;
pub mod kpi;
pub mod labels;
pub mod ledger;
pub mod mail;
pub mod notes;
pub mod routing;
mod text;
pub mod timers;
pub mod writes;

pub use agents::{AgentRow, Department};
pub use channels::{Appended, Channel, Conversation, MessageRow};
pub use ledger::Ledger;
pub use mail::{Mail, MailKind, NewMail};

/// What a store method can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The domain refused what was asked (decided inside a transaction, so
    /// nothing was written).
    #[error(transparent)]
    Rejected(#[from] canal_core::Rejected),
    /// The database failed or refused.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value does not parse: the store was changed behind Canal's back.
    #[error("stored data is malformed: {0}")]
    Corrupt(String),
    /// The database URL names no engine Canal supports.
    #[error("{0}")]
    Unsupported(String),
    /// The store's writer has stopped (the server is shutting down).
    #[error("the store is closed")]
    Closed,
}

impl Error {
    /// True when a UNIQUE constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The engine a database URL names.
    pub fn of_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(Error::Unsupported(format!(
                "the database URL must start with sqlite:// or postgres://, not {:?}",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    /// With the process's turn to write and the message index's task's wake (see
    /// [`text`]).
    Sqlite(SqlitePool, WriteGate, text::Behind),
    Postgres(PgPool),
}

/// How long a write waits for a lock at most: on SQLite the database's lock (or
/// this process's turn), on PostgreSQL any lock (its `lock_timeout`).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite's one writer at a time, taken in turn (first come, first served) by this
/// process's write transactions before their `BEGIN IMMEDIATE`. Without it they
/// met on SQLite's lock, whose busy handler sleeps in growing steps (1, 2, 5, 10,
/// 15, 20 ms and on up to 100 ms): under load a group-commit writer that lost the
/// race waited 33, 53 or over 100 ms for a lock that was free again within a few.
/// Statements outside a transaction and other processes still meet the lock.
///
/// Every write transaction runs on the gate's one connection, and the turn is
/// holding it. A connection's page cache is dropped whenever another connection
/// wrote since its last transaction; on the pool's connections in turn, each
/// transaction read the pages it touched again (25 reads from the file a
/// message, stop 33). Nor is it a pool of one: a pool tests each connection given
/// back (a round trip to the connection's thread, in a task of its own) before
/// the next writer may take it, and the group-commit writer commits hundreds of
/// times a second (stop 34).
///
/// The gate's connection does not checkpoint the log (see [`checkpoint`]); each
/// turn tells the store's checkpoint task that something is written.
#[derive(Clone, Debug)]
pub(crate) struct WriteGate {
    turn: Turn<Writing>,
    wrote: checkpoint::Wrote,
}

/// The gate's connection (none once the store is closed), and whether a
/// transaction on it was left open: dropped unfinished where no task could roll
/// it back (see [`SqliteTx`]), the next holder rolls it back first.
#[derive(Debug)]
pub(crate) struct Writing {
    conn: Option<SqliteConnection>,
    open: bool,
}

/// The turn to write, with the gate's connection.
pub(crate) type WriteTurn = tokio::sync::OwnedMutexGuard<Writing>;

impl Writing {
    pub(crate) fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.conn.as_mut().ok_or(Error::Closed)
    }
}

impl WriteGate {
    /// The gate, with its connection opened with `options` (but for checkpoints),
    /// and the checkpoint task on `pool`.
    async fn open(
        options: &SqliteConnectOptions,
        pool: &SqlitePool,
        pace: checkpoint::Pace,
    ) -> Result<Self> {
        let options = options.clone().pragma("wal_autocheckpoint", "0");
        let conn = SqliteConnection::connect_with(&options).await?;
        let turn = Turn::new(Writing {
            conn: Some(conn),
            open: false,
        });
        Ok(Self {
            wrote: checkpoint::start(pool.clone(), turn.clone(), pace),
            turn,
        })
    }

    /// Waits for this process's turn to write (see [`Turn::write`]).
    pub(crate) async fn turn(&self) -> Result<WriteTurn> {
        let turn = self.turn.write("to write").await?;
        self.wrote.wrote();
        Ok(turn)
    }

    /// Closes the connection once its turn comes: later writes fail.
    async fn close(&self) {
        if let Ok(mut turn) = self.turn.take("to close").await {
            if let Some(conn) = turn.conn.take() {
                let _ = conn.close().await;
            }
        }
    }
}

impl Turn<Writing> {
    /// Waits for this process's turn to write, as long as SQLite's own busy
    /// timeout would have waited for its lock; the connection comes with no
    /// transaction open. `what` names the turn in the error of a wait too long.
    pub(crate) async fn write(&self, what: &str) -> Result<WriteTurn> {
        let mut turn = self.take(what).await?;
        if turn.open {
            // Its transaction may have ended after all (a cancelled commit that
            // went through): an error here says only that.
            let _ = sqlx::query("ROLLBACK").execute(turn.conn()?).await;
            turn.open = false;
        }
        Ok(turn)
    }
}

/// One of this process's tasks at a time, the others waiting in line (first come,
/// first served) for at most [`BUSY_TIMEOUT`], with what the turn holds.
#[derive(Debug)]
pub(crate) struct Turn<T = ()>(Arc<tokio::sync::Mutex<T>>);

impl<T> Clone for Turn<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Default> Default for Turn<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T> Turn<T> {
    fn new(held: T) -> Self {
        Self(Arc::new(tokio::sync::Mutex::new(held)))
    }

    /// Waits for the turn, held until the guard is dropped; `what` names it in
    /// the error of a wait that took too long.
    pub(crate) async fn take(&self, what: &str) -> Result<tokio::sync::OwnedMutexGuard<T>> {
        tokio::time::timeout(BUSY_TIMEOUT, self.0.clone().lock_owned())
            .await
            .map_err(|_| {
                Error::Database(sqlx::Error::Protocol(format!(
                    "no turn {what} within {} s",
                    BUSY_TIMEOUT.as_secs()
                )))
            })
    }
}

/// A write transaction on the gate's connection, begun, committed and rolled back
/// by statements of its own. Dropped unfinished (an error returned early, a
/// cancelled future), it is rolled back before the turn passes on, as sqlx's own
/// transactions are.
pub(crate) struct SqliteTx(Option<WriteTurn>);

impl SqliteTx {
    async fn begin(mut turn: WriteTurn) -> Result<Self> {
        sqlx::query("BEGIN IMMEDIATE").execute(turn.conn()?).await?;
        turn.open = true;
        Ok(Self(Some(turn)))
    }

    pub(crate) fn conn(&mut self) -> Result<&mut SqliteConnection> {
        self.0.as_mut().ok_or(Error::Closed)?.conn()
    }

    /// Ends it with `COMMIT` or `ROLLBACK`.
    async fn end(mut self, statement: &'static str) -> Result<()> {
        let turn = self.0.as_mut().ok_or(Error::Closed)?;
        sqlx::query(statement).execute(turn.conn()?).await?;
        turn.open = false;
        Ok(())
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        let Some(mut turn) = self.0.take() else {
            return;
        };
        if !turn.open {
            return;
        }
        // Without a runtime the next holder rolls it back (see [`Turn::write`]).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Ok(conn) = turn.conn() {
                    if sqlx::query("ROLLBACK").execute(conn).await.is_ok() {
                        turn.open = false;
                    }
                }
            });
        }
    }
}

impl Db {
    /// Begins a write transaction: `BEGIN IMMEDIATE` on SQLite (the write lock is
    /// taken at once, so two writers never deadlock upgrading), `BEGIN` on
    /// PostgreSQL.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(_, gate, text) => {
                let begun = SqliteTx::begin(gate.turn().await?).await?;
                let mut tx = Tx::new(TxConn::Sqlite(begun));
                tx.text = Some(text.clone());
                tx
            }
            Db::Postgres(p) => Tx::new(TxConn::Postgres(p.begin().await?)),
        })
    }
}

/// A write transaction on either engine (see [`Store::begin`]), with what it read
/// once for all its writes and what it tells once committed.
pub(crate) struct Tx {
    pub(crate) conn: TxConn,
    /// The active webhook endpoints and the kinds each subscribes to, read by the
    /// transaction's first event (see [`events::event_in`]).
    pub(crate) endpoints: Option<Vec<events::Subscribed>>,
    /// SQLite: the message index's task, woken once a transaction that inserted
    /// messages (`wrote_text`) is committed (see [`text`]).
    text: Option<text::Behind>,
    pub(crate) wrote_text: bool,
    /// A turn of this process's, held until the transaction ends (see
    /// [`Store::crm_track`]).
    pub(crate) turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// A write transaction's connection.
pub(crate) enum TxConn {
    /// With this process's turn to write (see [`WriteGate`]), given back when the
    /// transaction ends.
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    fn new(conn: TxConn) -> Self {
        Self {
            conn,
            endpoints: None,
            text: None,
            wrote_text: false,
            turn: None,
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.end("COMMIT").await?,
            TxConn::Postgres(tx) => tx.commit().await?,
        }
        if let (Some(text), true) = (&self.text, self.wrote_text) {
            text.wrote();
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.end("ROLLBACK").await?,
            TxConn::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

/// Runs `$body` once per engine with `$p` bound to that engine's pool (and `$pg`,
/// when given, to whether it is PostgreSQL): one query text, compiled for both.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($p, ..) => $body,
            $crate::Db::Postgres($p) => $body,
        }
    };
    ($store:expr, $p:ident, $pg:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($p, ..) => {
                let $pg = false;
                $body
            }
            $crate::Db::Postgres($p) => {
                let $pg = true;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// Like [`on_pool!`] for a write statement outside a transaction that runs often
/// (the background loops' claims and records): on SQLite with this process's turn
/// to write, on the write gate's connection (see [`WriteGate`]).
macro_rules! on_writer {
    ($store:expr, $p:ident => $body:expr) => {
        $crate::on_writer!($store, $p, _pg => $body)
    };
    ($store:expr, $p:ident, $pg:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(_, gate, _) => {
                let mut turn = gate.turn().await?;
                let $p = turn.conn()?;
                let $pg = false;
                $body
            }
            $crate::Db::Postgres($p) => {
                let $pg = true;
                $body
            }
        }
    };
}
pub(crate) use on_writer;

/// Like [`on_pool!`] inside a transaction: `$c` is the connection (`&mut`), to be
/// reborrowed (`&mut *$c`) for each query.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut ($tx).conn {
            $crate::TxConn::Sqlite(t) => {
                let $c = t.conn()?;
                $body
            }
            $crate::TxConn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
    ($tx:expr, $c:ident, $pg:ident => $body:expr) => {
        match &mut ($tx).conn {
            $crate::TxConn::Sqlite(t) => {
                let $c = t.conn()?;
                let $pg = false;
                $body
            }
            $crate::TxConn::Postgres(t) => {
                let $c = &mut **t;
                let $pg = true;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// A per-channel JSON document: one row per channel in `table`, the JSON in `column`
/// (both fixed names, never from outside).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChannelJson {
    table: &'static str,
    column: &'static str,
}

impl ChannelJson {
    pub(crate) const HOURS: Self = Self {
        table: "channel_hours",
        column: "hours",
    };
    pub(crate) const ROUTING: Self = Self {
        table: "channel_routing",
        column: "settings",
    };
    pub(crate) const CRM: Self = Self {
        table: "channel_crm",
        column: "settings",
    };
    pub(crate) const AUTOMATION: Self = Self {
        table: "channel_automation",
        column: "settings",
    };
}

/// Claims due rows of a leased queue (`table`, fixed names, never from outside): the
/// rows that are `pending`, due at `$1` or before and not held by another claimer
/// get `lease_until = $2`, `$3` at most, oldest due first, with `also` set on them
/// too; the statement returns `columns`. On PostgreSQL the rows another server is
/// claiming right now are skipped, not waited for (`FOR UPDATE SKIP LOCKED`), so two
/// servers on one database never claim one row twice; SQLite has one writer, so the
/// statement is atomic as is.
pub(crate) fn claim_due_sql(
    table: &str,
    pending: &str,
    also: &str,
    columns: &str,
    pg: bool,
) -> String {
    let lock = if pg { " FOR UPDATE SKIP LOCKED" } else { "" };
    format!(
        "UPDATE {table} SET lease_until = $2{also}
          WHERE id IN (SELECT id FROM {table}
                        WHERE {pending} AND due_at <= $1
                          AND (lease_until IS NULL OR lease_until <= $1)
                        ORDER BY due_at, id LIMIT $3{lock})
          RETURNING {columns}"
    )
}

/// When the next `pending` row of a leased queue can be claimed: its due time, or
/// the end of its lease when that is later.
fn next_due_sql(table: &str, pending: &str) -> String {
    format!(
        "SELECT CASE WHEN lease_until IS NOT NULL AND lease_until > due_at
                     THEN lease_until ELSE due_at END AS next
           FROM {table} WHERE {pending}
          ORDER BY next LIMIT 1"
    )
}

impl Store {
    /// When the next pending row of a leased queue (`table`, its pending rows by
    /// `pending`) can be claimed: its due time, or its lease's end if later
    /// (`None`: nothing is pending).
    pub(crate) async fn next_due(&self, table: &str, pending: &str) -> Result<Option<String>> {
        let next: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            &next_due_sql(table, pending),
        )
        .fetch_optional(p)
        .await?);
        Ok(next.map(|(n,)| n))
    }
}

/// How long a PostgreSQL connection may sit idle in the pool before it is pinged
/// when taken again.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(5);

/// The store handle: cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    ledger: Ledger,
    /// The conversations' group-commit writers (see [`writes`]).
    writes: writes::Writers,
    /// Wakes the deliverer after a commit that queued deliveries (see [`events`]).
    pub(crate) queued: events::Queued,
    /// The conversations whose stored figures may be stale (see [`figures`]).
    pub(crate) changed: figures::Changed,
    /// This process's turn at the CRM's lock (see [`Store::crm_track`]).
    pub(crate) crm_turn: Turn,
}

/// Key of the PostgreSQL advisory lock the ledger writer holds while it appends,
/// so several server processes on one database keep one chain order.
pub const LEDGER_LOCK: i64 = 0x6361_6e61_6c00_0001;

impl Store {
    /// Opens (creating if needed) the database at `database_url`, migrates it and
    /// starts the ledger writer.
    pub async fn open(database_url: &str) -> Result<Self> {
        Self::open_paced(database_url, checkpoint::Pace::default()).await
    }

    /// [`Store::open`], with SQLite's checkpoints at `pace`.
    async fn open_paced(database_url: &str, pace: checkpoint::Pace) -> Result<Self> {
        let db = match Engine::of_url(database_url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(database_url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT);
                if let Some(parent) = options.get_filename().parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
                    }
                }
                // The messages' search index, in a file of its own (see [`text`]).
                let index = text::index_file(options.get_filename())
                    .into_os_string()
                    .into_string()
                    .map_err(|_| {
                        sqlx::Error::Configuration("the SQLite file's path is not UTF-8".into())
                    })?;
                // A file's connection cannot drop: no ping before each use (one
                // round trip to the connection's thread fewer per query).
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .after_connect(move |conn, _| {
                        let index = index.clone();
                        Box::pin(async move { text::attach(conn, &index).await })
                    })
                    .connect_with(options.clone())
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
                text::prepare(&pool).await?;
                let gate = WriteGate::open(&options, &pool, pace).await?;
                Db::Sqlite(pool, gate, text::Behind::default())
            }
            Engine::Postgres => {
                // Acknowledged means durable: the commit waits for the WAL flush.
                let options = PgConnectOptions::from_str(database_url)?
                    .options([("synchronous_commit", "on")]);
                // Migrations first, on a connection of their own: they may wait
                // for another node's migrations as long as those take.
                let mut migrating = PgConnection::connect_with(&options).await?;
                sqlx::migrate!("./migrations/postgres")
                    .run(&mut migrating)
                    .await?;
                migrating.close().await?;
                // A lock is waited for as long as SQLite waits for its own: the
                // ledger's and the CRM's advisory locks, a row another
                // transaction holds. A node that holds one for ever (hung, cut
                // off with its session left open) makes the others' requests fail
                // after that, each with its connection back in the pool, instead
                // of waiting for ever.
                let lock_timeout = format!("{}ms", BUSY_TIMEOUT.as_millis());
                let options = options.options([("lock_timeout", lock_timeout.as_str())]);
                // A connection is pinged before use only when it sat idle a while
                // (PostgreSQL may have dropped it); a busy pool skips that round
                // trip, which at a thousand messages a second cost more than
                // the queries.
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= IDLE_BEFORE_PING {
                                sqlx::Connection::ping(conn).await?;
                            }
                            Ok(true)
                        })
                    })
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Db::Postgres(pool)
            }
        };
        let queued = events::Queued::default();
        let changed = figures::Changed::default();
        let ledger = Ledger::start(db.clone(), queued.clone());
        let writes = writes::Writers::start(&db, &queued, &changed);
        Ok(Self {
            db,
            ledger,
            writes,
            queued,
            changed,
            crm_turn: Turn::default(),
        })
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Queues writes of conversations to their group-commit writers, after the
    /// writes queued before (see [`writes`]); waits only while a writer's queue is
    /// full. The future returned waits for their commit and gives each write's
    /// outcome, in the order given.
    pub async fn queue_writes(
        &self,
        writes: Vec<writes::Write>,
    ) -> Result<impl std::future::Future<Output = Vec<Result<writes::Wrote>>> + Send + 'static>
    {
        self.writes.queue(writes).await
    }

    /// Waits until everything queued to the conversations' writers before the call
    /// is committed (or failed): a server that stops calls it last, so writes
    /// queued without anyone waiting for them (timers moved aside of a socket's
    /// ack) are not dropped with the process.
    pub async fn settle(&self) {
        self.writes.settle().await;
    }

    /// One write, through the conversations' writers; answers once committed.
    pub(crate) async fn write(&self, write: writes::Write) -> Result<writes::Wrote> {
        let mut wrote = self.queue_writes(vec![write]).await?.await;
        wrote
            .pop()
            .unwrap_or_else(|| Err(Error::Corrupt("a write was not answered".into())))
    }

    /// Notified after each commit that queued deliveries (events for webhooks,
    /// replies for connectors' gateways): the deliverer waits on it.
    pub fn deliveries_queued(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.queued.notify()
    }

    /// The consent ledger (appends go through its group-commit writer).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// A channel's JSON document in `doc`'s table, if set.
    pub(crate) async fn channel_json(
        &self,
        doc: ChannelJson,
        channel_id: &str,
    ) -> Result<Option<String>> {
        let sql = format!(
            "SELECT {} FROM {} WHERE channel_id = $1",
            doc.column, doc.table
        );
        on_pool!(self, p => Ok(sqlx::query_scalar(&sql)
            .bind(channel_id)
            .fetch_optional(p)
            .await?))
    }

    /// Stores a channel's JSON document in `doc`'s table, replacing an earlier one.
    pub(crate) async fn put_channel_json(
        &self,
        doc: ChannelJson,
        channel_id: &str,
        json: &str,
    ) -> Result<()> {
        let ChannelJson { table, column } = doc;
        let sql = format!(
            "INSERT INTO {table} (channel_id, {column}, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (channel_id) DO UPDATE SET {column} = excluded.{column},
             updated_at = excluded.updated_at"
        );
        on_pool!(self, p => {
            sqlx::query(&sql)
                .bind(channel_id)
                .bind(json)
                .bind(now_rfc3339())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    /// Closes the pool: later calls fail (tests use it for "the store is gone").
    pub async fn close(&self) {
        if let Db::Sqlite(_, gate, _) = &self.db {
            gate.close().await;
        }
        on_pool!(self, p => p.close().await)
    }

    /// Begins a write transaction (see [`Db::begin`]).
    pub(crate) async fn begin(&self) -> Result<Tx> {
        self.db.begin().await
    }

    /// A server-wide value, created with `make` on first use and never changed.
    pub async fn setting_or_insert(
        &self,
        key: &str,
        make: impl FnOnce() -> String,
    ) -> Result<String> {
        let value = make();
        on_pool!(self, p => {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                .bind(key)
                .bind(&value)
                .execute(p)
                .await?;
            Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_one(p)
                .await?)
        })
    }

    /// A server-wide value, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(p)
            .await?))
    }

    /// Sets a server-wide value.
    pub async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(p)
            .await?;
        });
        Ok(())
    }
}

pub(crate) use canal_core::clock::now_rfc3339;
pub(crate) use canal_core::new_id;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    async fn put_in(tx: &mut Tx, key: &str) -> Result<()> {
        put_value_in(tx, key, key).await
    }

    async fn put_value_in(tx: &mut Tx, key: &str, value: &str) -> Result<()> {
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                .bind(key)
                .bind(value)
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// The settings' keys that start with `prefix`, in order.
    pub(crate) async fn keys(store: &Store, prefix: &str) -> Result<Vec<String>> {
        on_pool!(store, p => Ok(sqlx::query_scalar(
            "SELECT key FROM settings WHERE key LIKE $1 || '%' ORDER BY key"
        )
        .bind(prefix)
        .fetch_all(p)
        .await?))
    }

    async fn stored(store: &Store) -> Result<Vec<String>> {
        keys(store, "test ").await
    }

    /// A SQLite store in a directory of its own (removed when dropped).
    pub(crate) async fn sqlite() -> Result<(tempfile::TempDir, Store)> {
        let dir = tempfile::tempdir().map_err(sqlx::Error::Io)?;
        let store = Store::open(&format!("sqlite://{}", dir.path().join("c.db").display())).await?;
        Ok((dir, store))
    }

    /// A write transaction on SQLite's write connection dropped unfinished (an
    /// early `?`, a cancelled future) is rolled back before the next one begins
    /// there: what it wrote is gone, and the next transaction's is kept.
    #[tokio::test]
    async fn a_sqlite_transaction_dropped_unfinished_is_rolled_back() -> Result<()> {
        let (_dir, store) = sqlite().await?;
        let mut dropped = store.begin().await?;
        put_in(&mut dropped, "test dropped").await?;
        drop(dropped);
        let mut kept = store.begin().await?;
        put_in(&mut kept, "test kept").await?;
        kept.commit().await?;
        assert_eq!(stored(&store).await?, ["test kept"]);
        // A cancelled one too: its future dropped while it holds the connection.
        let cancelled = async {
            let mut tx = store.begin().await?;
            put_in(&mut tx, "test dropped").await?;
            std::future::pending::<()>().await;
            Ok::<(), Error>(())
        };
        let waited = tokio::time::timeout(Duration::from_millis(50), cancelled).await;
        assert!(waited.is_err(), "the pending future cannot end");
        let mut after = store.begin().await?;
        put_in(&mut after, "test after").await?;
        after.rollback().await?;
        assert_eq!(stored(&store).await?, ["test kept"]);
        Ok(())
    }

    fn file_len(path: &std::path::Path) -> u64 {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }

    /// What SQLite's write connection commits goes to the log (`-wal`), and the
    /// store's checkpoint task copies it back into the database file: under a
    /// steady stream of writes the log stops growing a little past its limit
    /// (by what is written until the task's next run), where without checkpoints
    /// it would hold everything written.
    #[tokio::test]
    async fn sqlite_s_log_stops_growing_under_steady_writes() -> Result<()> {
        let dir = tempfile::tempdir().map_err(sqlx::Error::Io)?;
        let (file, log) = (dir.path().join("c.db"), dir.path().join("c.db-wal"));
        // 1 MiB of 4 KiB pages, a run every 10 ms: the test writes a few MiB.
        let pace = checkpoint::Pace {
            every: Duration::from_millis(10),
            log_limit: 256,
        };
        let store = Store::open_paced(&format!("sqlite://{}", file.display()), pace).await?;
        // A transaction for each 16 KiB row, one after the other, 8 MiB of values
        // in all (about twice that in the log, with the index's pages).
        let value = "x".repeat(16 * 1024);
        let rows = 512;
        let mut largest = 0;
        for i in 0..rows {
            let mut tx = store.begin().await?;
            put_value_in(&mut tx, &format!("big {i}"), &value).await?;
            tx.commit().await?;
            largest = largest.max(file_len(&log));
        }
        let written = rows * value.len() as u64;
        assert!(
            largest < written / 2,
            "the log grew to {largest} bytes for {written} bytes of values written"
        );
        let count: i64 = on_pool!(store, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM settings WHERE key LIKE 'big %'"
        )
        .fetch_one(p)
        .await?);
        assert_eq!(count, rows as i64);
        Ok(())
    }
}

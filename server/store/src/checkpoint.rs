//! SQLite's WAL checkpoints, off the commit path.
//!
//! In WAL mode a commit appends the pages it changed to the log (`-wal`), and a
//! checkpoint copies them back into the database file and syncs it. By default the
//! connection whose commit takes the log over 1,000 pages runs that checkpoint
//! inside the commit. On the write gate's connection that is the group-commit
//! writer that acknowledges messages: at 1,000 messages a second it stalled
//! several times a second, 3 to 95 ms each time, with every message queued
//! behind it waiting (stop 35).
//!
//! So the gate's connection never checkpoints on its own (`wal_autocheckpoint =
//! 0`), and a task of the store does, a little after a write ([`Pace`]): a
//! passive checkpoint on a connection of the read pool, which waits for no lock
//! and holds up no writer or reader. When a checkpoint has copied the whole log,
//! the next write starts the log again from its beginning. Under a steady load,
//! though, a commit almost always lands while the checkpoint runs, so the log is
//! never wholly copied and would grow for as long as the load lasts (a test saw
//! it hold everything written). Once it holds more pages than the limit, the task
//! checkpoints again with the turn to write (see [`crate::WriteGate`]): no commit
//! lands meanwhile, and only what came since the passive checkpoint is left to
//! copy. At 1,000 messages a second that turn came about twice a second and was
//! held 0.5 to 3.3 ms (with a limit of 2,000 pages). The read pool's connections
//! keep SQLite's own checkpoints: they write the database rarely, and the search
//! index's file (see [`crate::text`]) is theirs to checkpoint.

use std::time::Duration;

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::mpsc;

use crate::{Result, Turn, Writing};

/// When the checkpoints run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pace {
    /// How long after a write the checkpoint runs: the writes of that time share
    /// it, and the log may pass [`Pace::log_limit`] by them.
    pub(crate) every: Duration,
    /// Most pages the log holds before the task takes the turn to write to start
    /// it again.
    pub(crate) log_limit: i64,
}

impl Default for Pace {
    /// Every 200 ms; a limit of 16 MiB of 4 KiB pages. What the turn costs does
    /// not grow with the limit (only what came since the passive checkpoint is left
    /// to copy); at 1,000 messages a second the log passes it about once a second.
    fn default() -> Self {
        Self {
            every: Duration::from_millis(200),
            log_limit: 4_000,
        }
    }
}

/// Tells the checkpoint task that something is being written; one per SQLite
/// store, held by its write gate. Once every copy is dropped, the task ends.
#[derive(Clone, Debug)]
pub(crate) struct Wrote(mpsc::Sender<()>);

impl Wrote {
    /// Called at every turn to write.
    pub(crate) fn wrote(&self) {
        // Full: a checkpoint is already due.
        let _ = self.0.try_send(());
    }
}

/// Starts the checkpoint task on `pool`, with the write gate's `turn`.
pub(crate) fn start(pool: SqlitePool, turn: Turn<Writing>, pace: Pace) -> Wrote {
    let (wrote, mut writes) = mpsc::channel(1);
    tokio::spawn(async move {
        while writes.recv().await.is_some() {
            tokio::time::sleep(pace.every).await;
            if pool.is_closed() {
                return;
            }
            if let Err(e) = checkpoint(&pool, &turn, pace.log_limit).await {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "WAL checkpoint failed; it is tried again after the next write");
            }
        }
    });
    Wrote(wrote)
}

/// A passive checkpoint, and a second one with the turn to write when the log
/// holds more than `log_limit` pages.
async fn checkpoint(pool: &SqlitePool, turn: &Turn<Writing>, log_limit: i64) -> Result<()> {
    let mut conn = pool.acquire().await?;
    if passive(&mut conn).await? <= log_limit {
        return Ok(());
    }
    let _turn = turn.write("to checkpoint").await?;
    passive(&mut conn).await?;
    Ok(())
}

/// Runs a passive checkpoint; answers how many pages the log holds.
async fn passive(conn: &mut SqliteConnection) -> Result<i64> {
    let (_busy, log, _copied): (i64, i64, i64) =
        sqlx::query_as("PRAGMA main.wal_checkpoint(PASSIVE)")
            .fetch_one(conn)
            .await?;
    Ok(log)
}

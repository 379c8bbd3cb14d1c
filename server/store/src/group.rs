//! Group commit: one writer task per kind of append (consent records; messages on
//! SQLite) takes every request queued (up to [`MAX_BATCH`]), writes them in one
//! transaction, commits once (one sync for the batch) and then answers each
//! request. So an answer always means "on disk", and durability costs one sync per
//! batch, not per request.
//!
//! A batch is first written without a savepoint per request (two round trips fewer
//! per request, most of a batch's time on PostgreSQL). If one request fails, that
//! transaction is rolled back unseen and the batch is written again with each
//! request behind its own savepoint, so the others still go in and the failing one
//! gets its own error.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};

use crate::events::Queued;
use crate::figures::Changed;
use crate::{Db, Error, Result, Tx};

/// Most requests one transaction commits.
pub const MAX_BATCH: usize = 512;

/// What a group-commit writer appends: the state of one batch inside its
/// transaction, which writes the batch's requests one after the other.
pub(crate) trait Batch: Sized + Send + 'static {
    /// One request.
    type Job: Send + Sync + 'static;
    /// What a request's caller gets back.
    type Done: Send + 'static;
    /// Names the writer in errors and logs.
    const NAME: &'static str;

    /// Starts a batch in its fresh transaction (takes its locks, reads what the
    /// requests build on).
    fn begin(tx: &mut Tx, jobs: &[Self::Job]) -> impl Future<Output = Result<Self>> + Send;

    /// Writes one request. On an error the request's writes are rolled back, so
    /// the state must only change once it succeeded.
    fn write(
        &mut self,
        tx: &mut Tx,
        job: &Self::Job,
    ) -> impl Future<Output = Result<Self::Done>> + Send;

    /// How many deliveries the batch's writes queued (see [`crate::events`]): the
    /// deliverer is woken once they are committed.
    fn queued(&self) -> u64 {
        0
    }

    /// The conversations whose figures the batch's writes may have changed (see
    /// [`crate::figures`]): marked once they are committed.
    fn changed(&mut self) -> Vec<String> {
        Vec::new()
    }
}

type Reply<B> = oneshot::Sender<Result<<B as Batch>::Done>>;

/// Handle to a writer task; cheap to clone.
pub(crate) struct Writer<B: Batch> {
    jobs: mpsc::Sender<(B::Job, Reply<B>)>,
}

impl<B: Batch> Clone for Writer<B> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<B: Batch> std::fmt::Debug for Writer<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("name", &B::NAME).finish()
    }
}

impl<B: Batch> Writer<B> {
    /// Starts the writer on this database.
    pub(crate) fn start(db: Db, queued: Queued, changed: Changed) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run::<B>(db, queue, queued, changed));
        Self { jobs }
    }

    /// Queues a request; answers once its batch is committed.
    pub(crate) async fn submit(&self, job: B::Job) -> Result<B::Done> {
        self.queue(job).await?.await.map_err(|_| Error::Closed)?
    }

    /// Queues a request (waiting only while the queue is full) and returns what
    /// hears of its commit: requests queued one after the other are written in
    /// that order.
    pub(crate) async fn queue(&self, job: B::Job) -> Result<oneshot::Receiver<Result<B::Done>>> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((job, reply))
            .await
            .map_err(|_| Error::Closed)?;
        Ok(answer)
    }
}

async fn run<B: Batch>(
    db: Db,
    mut queue: mpsc::Receiver<(B::Job, Reply<B>)>,
    queued: Queued,
    changed: Changed,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (jobs, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match write_batch::<B>(&db, &jobs, &queued, &changed).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, requests = jobs.len(), "{} batch not committed", B::NAME);
                for reply in replies {
                    let _ = reply.send(Err(Error::Database(sqlx::Error::Protocol(format!(
                        "{} batch not committed: {e}",
                        B::NAME
                    )))));
                }
            }
        }
    }
}

/// Writes a batch in one transaction. The outer error means nothing was
/// committed; an inner error is that one request's.
async fn write_batch<B: Batch>(
    db: &Db,
    jobs: &[B::Job],
    queued: &Queued,
    changed: &Changed,
) -> Result<Vec<Result<B::Done>>> {
    match write_batch_as::<B>(db, jobs, false, queued, changed).await? {
        Some(outcomes) => Ok(outcomes),
        None => write_batch_as::<B>(db, jobs, true, queued, changed)
            .await?
            .ok_or_else(|| Error::Corrupt("a batch with savepoints cannot fail as a whole".into())),
    }
}

/// Writes a batch; without `isolated` (no savepoints) a failing request abandons
/// the whole transaction (`Ok(None)`).
async fn write_batch_as<B: Batch>(
    db: &Db,
    jobs: &[B::Job],
    isolated: bool,
    queued: &Queued,
    changed: &Changed,
) -> Result<Option<Vec<Result<B::Done>>>> {
    let mut tx = db.begin().await?;
    let mut batch = B::begin(&mut tx, jobs).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        if isolated {
            savepoint(&mut tx, "SAVEPOINT request").await?;
        }
        match batch.write(&mut tx, job).await {
            Ok(done) => {
                if isolated {
                    savepoint(&mut tx, "RELEASE SAVEPOINT request").await?;
                }
                outcomes.push(Ok(done));
            }
            Err(_) if !isolated => {
                tx.rollback().await?;
                return Ok(None);
            }
            Err(e) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT request").await?;
                savepoint(&mut tx, "RELEASE SAVEPOINT request").await?;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    queued.committed(batch.queued());
    changed.mark(batch.changed());
    Ok(Some(outcomes))
}

async fn savepoint(tx: &mut Tx, statement: &'static str) -> Result<()> {
    crate::on_tx!(tx, c => sqlx::query(statement).execute(&mut *c).await.map(drop)?);
    Ok(())
}

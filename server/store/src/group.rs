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
//!
//! On SQLite a batch's cost is mostly its sync, whatever it holds, so a request
//! that no client waits on (a routing decision's log line, a timer, the
//! held auto-reply a visitor's first message lets go) lingers up to [`LINGER`]
//! for one that a client waits on (a message to acknowledge), and the two share
//! a commit. Requests are never reordered: only the batch's start waits.

use std::future::Future;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::events::Queued;
use crate::figures::Changed;
use crate::{Db, Error, Result, Tx};

/// Most requests one transaction commits.
pub const MAX_BATCH: usize = 512;

/// How long a SQLite batch of requests that no client waits on waits for one
/// that a client waits on. At 5,000 sockets and 1,000 messages/s, while every
/// visitor's first message let go a held auto-reply, the conversations' writer
/// committed about 1,900 batches a second for 2,200 requests and was busy 76 to
/// 94% of the time; lingering, it committed about 1,000 and was busy 46 to 59%
/// (stop 38, docs/BENCHMARKS.md).
pub const LINGER: Duration = Duration::from_millis(2);

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

    /// Whether a client waits for this request's commit to get its answer (an
    /// ack): a batch of requests no one waits on lingers (see [`LINGER`]).
    fn urgent(_job: &Self::Job) -> bool {
        true
    }

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
    /// Starts the writer on this database: on SQLite, requests no client waits
    /// on linger (see [`LINGER`]); on PostgreSQL, whose commits the server
    /// already flushes together, they do not.
    pub(crate) fn start(db: Db, queued: Queued, changed: Changed) -> Self {
        let linger = match db {
            Db::Sqlite(..) => LINGER,
            Db::Postgres(_) => Duration::ZERO,
        };
        Self::lingering(db, queued, changed, linger)
    }

    fn lingering(db: Db, queued: Queued, changed: Changed, linger: Duration) -> Self {
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run::<B>(db, queue, queued, changed, linger));
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
    linger: Duration,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if !linger.is_zero() && !batch.iter().any(|(job, _)| B::urgent(job)) {
            wait_for_urgent::<B>(&mut queue, &mut batch, linger).await;
        }
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

/// Adds to `batch` what comes within `linger`, until a request a client waits
/// on comes (or the batch is full), then what is queued behind it.
async fn wait_for_urgent<B: Batch>(
    queue: &mut mpsc::Receiver<(B::Job, Reply<B>)>,
    batch: &mut Vec<(B::Job, Reply<B>)>,
    linger: Duration,
) {
    let until = tokio::time::Instant::now() + linger;
    while batch.len() < MAX_BATCH {
        match tokio::time::timeout_at(until, queue.recv()).await {
            Ok(Some(request)) => {
                let urgent = B::urgent(&request.0);
                batch.push(request);
                if urgent {
                    break;
                }
            }
            // Closed (the batch is written, then the task ends), or waited enough.
            Ok(None) | Err(_) => return,
        }
    }
    while batch.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(request) => batch.push(request),
            Err(_) => return,
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::tests::{keys, sqlite};
    use crate::{on_tx, Store};

    /// A request of the test's writer: a key to store, and whether a client waits.
    struct Put {
        key: &'static str,
        urgent: bool,
    }

    /// Each batch gets a number no other batch of the test run has.
    static BATCHES: AtomicU64 = AtomicU64::new(0);

    /// Stores each request's key; answers its batch's number and its place in it.
    struct Keys {
        number: u64,
        written: usize,
    }

    impl Batch for Keys {
        type Job = Put;
        type Done = (u64, usize);
        const NAME: &'static str = "test";

        async fn begin(_: &mut Tx, _: &[Put]) -> Result<Self> {
            Ok(Self {
                number: BATCHES.fetch_add(1, Ordering::Relaxed),
                written: 0,
            })
        }

        fn urgent(job: &Put) -> bool {
            job.urgent
        }

        async fn write(&mut self, tx: &mut Tx, job: &Put) -> Result<(u64, usize)> {
            on_tx!(tx, c => {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, 'x')")
                    .bind(job.key)
                    .execute(&mut *c)
                    .await?;
            });
            self.written += 1;
            Ok((self.number, self.written - 1))
        }
    }

    fn writer(store: &Store, linger: Duration) -> Writer<Keys> {
        Writer::lingering(
            store.db.clone(),
            Queued::default(),
            Changed::default(),
            linger,
        )
    }

    /// Waits (10 s at most) until the writer has taken every request queued.
    async fn taken(writer: &Writer<Keys>) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while writer.jobs.capacity() < writer.jobs.max_capacity() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the writer did not take its requests within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Requests no client waits on wait for the next one a client waits on and
    /// are committed with it, in the order they were queued. The third is queued
    /// once the writer holds the first two; the test's linger is an hour, so only
    /// the third can end the wait.
    #[tokio::test]
    async fn requests_no_one_waits_on_share_the_next_urgent_commit() -> Result<()> {
        let (_dir, store) = sqlite().await?;
        let writer = writer(&store, Duration::from_secs(3600));
        let (log, timer) = (
            writer
                .queue(Put {
                    key: "test 1 log",
                    urgent: false,
                })
                .await?,
            writer
                .queue(Put {
                    key: "test 2 timer",
                    urgent: false,
                })
                .await?,
        );
        taken(&writer).await;
        let message = writer
            .queue(Put {
                key: "test 3 message",
                urgent: true,
            })
            .await?;
        let answers = [log.await, timer.await, message.await];
        let mut places = Vec::new();
        for answer in answers {
            places.push(answer.map_err(|_| Error::Closed)??);
        }
        let number = places[0].0;
        assert_eq!(places, [(number, 0), (number, 1), (number, 2)]);
        assert_eq!(
            keys(&store, "test ").await?,
            ["test 1 log", "test 2 timer", "test 3 message"]
        );
        Ok(())
    }

    /// With no urgent request after it, a request no client waits on is still
    /// committed, once the linger is over.
    #[tokio::test]
    async fn a_request_no_one_waits_on_is_committed_alone_after_the_linger() -> Result<()> {
        let (_dir, store) = sqlite().await?;
        let writer = writer(&store, Duration::from_millis(5));
        writer
            .submit(Put {
                key: "test alone",
                urgent: false,
            })
            .await?;
        assert_eq!(keys(&store, "test ").await?, ["test alone"]);
        Ok(())
    }
}

//! The loop of a leased queue in the store (the mail outbox, the timers): it claims
//! what is due, works through it, then sleeps until the next row falls due, a
//! wake-up ([`Notify`]) or the server closing, whichever comes first. What is due is
//! in the store, not in memory, so a row due while the server was down is claimed
//! as the loop starts; another server on the same database may claim it instead
//! (the store's claim skips rows under another's lease).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use canal_core::clock::rfc3339;
use time::OffsetDateTime;
use tokio::sync::{watch, Notify};

/// The longest wait between two looks by default (another server may have queued
/// something meanwhile).
pub const LOOK_EVERY: Duration = Duration::from_secs(30);

/// A queue the loop works through.
pub trait Queue: Send + 'static {
    /// What the log calls it.
    const NAME: &'static str;
    /// Rows claimed at once: a full batch is followed by another claim at once.
    const BATCH: i64;

    /// Claims up to [`Self::BATCH`] due rows and works through them; returns how
    /// many it claimed.
    fn work(&self) -> impl Future<Output = Result<usize, String>> + Send;

    /// When the next pending row can be claimed (RFC 3339; `None`: nothing waits).
    fn next_due(&self) -> impl Future<Output = Result<Option<String>, String>> + Send;
}

/// Runs `queue` until `closing` turns true. It looks at least every `look_every`;
/// after a failed claim it waits `retry_after`.
pub async fn run<Q: Queue>(
    queue: Q,
    look_every: Duration,
    retry_after: Duration,
    wake: Arc<Notify>,
    mut closing: watch::Receiver<bool>,
) {
    loop {
        if *closing.borrow() {
            return;
        }
        let wait = match queue.work().await {
            Ok(n) if n as i64 >= Q::BATCH => Duration::ZERO,
            Ok(_) => match queue.next_due().await {
                Ok(Some(due)) => until(&due).min(look_every),
                Ok(None) => look_every,
                Err(e) => {
                    tracing::error!(queue = Q::NAME, error = %e, "reading the queue failed");
                    look_every
                }
            },
            Err(e) => {
                tracing::error!(queue = Q::NAME, error = %e, "claiming from the queue failed");
                retry_after
            }
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
            _ = closing.changed() => {}
        }
    }
}

/// `after` from now, as the store writes times.
pub fn later(after: Duration) -> String {
    rfc3339(OffsetDateTime::now_utc() + after)
}

/// `before` ago, as the store writes times.
pub fn earlier(before: Duration) -> String {
    rfc3339(OffsetDateTime::now_utc() - before)
}

/// How long until `due` (RFC 3339), zero when it has passed.
pub fn until(due: &str) -> Duration {
    let format = time::format_description::well_known::Rfc3339;
    match OffsetDateTime::parse(due, &format) {
        Ok(t) => {
            let left = t - OffsetDateTime::now_utc();
            Duration::try_from(left).unwrap_or(Duration::ZERO)
        }
        Err(_) => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_past_or_unreadable_due_time_is_now() {
        assert_eq!(until("2000-01-01T00:00:00.000Z"), Duration::ZERO);
        assert_eq!(until("not a time"), Duration::ZERO);
        let ahead = until(&later(Duration::from_secs(600)));
        assert!(ahead > Duration::from_secs(590) && ahead <= Duration::from_secs(600));
    }
}

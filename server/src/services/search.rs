//! The messages' full-text index (SQLite's; see `canal_store`'s `text` module): one
//! task indexes the messages committed since its last run, woken after a commit
//! that wrote some and then letting them gather for [`GATHER`], so a busy moment's
//! messages are indexed in one statement, in the index's own file, off the path
//! that acknowledges them (it never takes the database's writer). At
//! start it first indexes what a stop left behind. A search brings the index up to
//! date itself, so it never misses a message committed before it.

use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppState;

/// How long written messages gather once the task is woken.
pub const GATHER: Duration = Duration::from_millis(250);

/// How long the task waits after a failure before it tries again.
const AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Starts the task; it ends when the server closes.
pub fn start(state: AppState, mut closing: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let wake = state.store.text_wake();
        let mut rest = Duration::ZERO;
        loop {
            tokio::select! {
                () = tokio::time::sleep(rest) => {}
                _ = closing.changed() => return,
            }
            // Armed before indexing, so that a commit meanwhile wakes it again.
            let woken = wake.notified();
            rest = match state.store.index_text().await {
                Ok(_) => GATHER,
                Err(e) => {
                    tracing::error!(error = %e, "indexing messages for search failed");
                    AFTER_FAILURE
                }
            };
            tokio::select! {
                () = woken => {}
                _ = closing.changed() => return,
            }
        }
    });
}

//! Messages' full-text index on SQLite (the FTS5 table `message_text`, migrations
//! 0023 and 0032), kept a little behind the messages.
//!
//! FTS5 writes its pending terms out to a new segment at every statement of a
//! transaction that touches it. Indexed by a trigger, each message cost a segment
//! and its merges on the writer that acknowledges messages. So a transaction that
//! inserted messages only says so once committed ([`Behind`]); a task of the
//! server (woken by [`Store::text_wake`]) indexes every message committed since
//! the last run, a statement for up to [`CHUNK`] of them ([`Store::index_text`]),
//! and a search runs it first, so it finds every message committed before it.
//! `message_text_upto` holds the last message indexed; messages are never
//! deleted, and their rowids grow.
//!
//! PostgreSQL's trigram index is kept by each insert, as before: nothing to do
//! there.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::{on_tx, Db, Result, Store};

/// Most messages one indexing transaction takes. The transaction holds the turn to
/// write, and the messages waiting for their ack wait behind it: a run of 250 ms of
/// messages (280 to 560 at 1,000 a second) in one transaction held it for 1.3 to 17
/// ms, four times a second; a chunk of 64 holds it for about 1 ms, and the turn
/// goes to the waiting messages between chunks (stop 35).
const CHUNK: i64 = 64;

/// Wakes the index's task once messages were committed; one per SQLite store,
/// handed to each of its transactions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Behind(Arc<Notify>);

impl Behind {
    /// Called after the commit of a transaction that wrote messages.
    pub(crate) fn wrote(&self) {
        self.0.notify_one();
    }
}

impl Store {
    /// Notified when messages the full-text index does not hold yet were
    /// committed.
    pub fn text_wake(&self) -> Arc<Notify> {
        match &self.db {
            Db::Sqlite(_, _, text) => text.0.clone(),
            // Nothing ever wakes it: nothing to index.
            Db::Postgres(_) => Arc::default(),
        }
    }

    /// How many messages the full-text index does not hold yet (0 on PostgreSQL).
    pub async fn text_behind(&self) -> Result<i64> {
        let Db::Sqlite(pool, ..) = &self.db else {
            return Ok(0);
        };
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE rowid > (SELECT upto FROM message_text_upto)",
        )
        .fetch_one(pool)
        .await?)
    }

    /// Indexes every message committed and not indexed yet, [`CHUNK`] to a
    /// transaction (so that a backlog, after a bulk import, never holds the
    /// conversations' writers for long); answers how many (nothing to do on
    /// PostgreSQL).
    pub async fn index_text(&self) -> Result<u64> {
        if !matches!(self.db, Db::Sqlite(..)) || self.text_behind().await? == 0 {
            return Ok(0);
        }
        let mut total = 0;
        loop {
            let mut tx = self.db.begin().await?;
            let indexed = on_tx!(&mut tx, c => {
                let indexed = sqlx::query(
                    "INSERT INTO message_text (rowid, body)
                     SELECT rowid, body FROM messages
                      WHERE rowid > (SELECT upto FROM message_text_upto)
                      ORDER BY rowid LIMIT $1",
                )
                .bind(CHUNK)
                .execute(&mut *c)
                .await?
                .rows_affected();
                // The same rows: nothing else writes while this transaction does.
                sqlx::query(
                    "UPDATE message_text_upto SET upto = COALESCE(
                        (SELECT MAX(rowid) FROM (SELECT rowid FROM messages
                          WHERE rowid > message_text_upto.upto ORDER BY rowid LIMIT $1)),
                        upto)",
                )
                .bind(CHUNK)
                .execute(&mut *c)
                .await?;
                indexed
            });
            tx.commit().await?;
            total += indexed;
            if indexed < CHUNK as u64 {
                return Ok(total);
            }
        }
    }
}

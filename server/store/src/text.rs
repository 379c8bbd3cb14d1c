//! Messages' full-text index on SQLite (the FTS5 table `message_text`), kept a
//! little behind the messages, in a database file of its own.
//!
//! FTS5 writes its pending terms out to a new segment at every statement of a
//! transaction that touches it, and merges segments as they pile up. Indexed by a
//! trigger, each message cost a segment and its merges on the writer that
//! acknowledges messages (migration 0032). Indexed by a task in the same file, a
//! run of messages still took that writer, the database's one: for 2 to 6 ms four
//! times a second, and the messages waiting for their ack waited behind it (stop
//! 36). So the index lives in a file of its own beside the database, the
//! database's name with [`SUFFIX`] (`canal.db-search`), attached to the read
//! pool's connections as `search`: indexing takes that file's writer, never the
//! messages'. The gate's connection, which writes the messages, does not attach
//! it.
//!
//! A transaction that inserted messages says so once committed ([`Behind`]); a
//! task of the server (woken by [`Store::text_wake`]) indexes every message
//! committed since the last run, a transaction for up to [`CHUNK`] of them
//! ([`Store::index_text`]), and a search runs it first, so it finds every message
//! committed before it. `search.message_text_upto` holds the last message indexed
//! (messages are never deleted or edited, and their rowids grow), in the same
//! file as the index, so the two always agree.
//!
//! The file holds nothing that is not in the database: a missing one is made
//! again at start and filled from the first message on, and one that is ahead of
//! the database (the database restored from an older copy) is emptied and filled
//! again. It is synced less than the database (`synchronous = NORMAL`): a crash
//! may lose its last transactions, never make it disagree with its mark.
//!
//! PostgreSQL's trigram index is kept by each insert, as before: nothing to do
//! there.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::{Connection, SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, Notify};

use crate::{Db, Result, Store};

/// What the index file's name adds to the database's.
pub const SUFFIX: &str = "-search";

/// Most messages one indexing transaction takes: a quarter of a second's worth at
/// 2,000 a second, so that a busy moment is one segment, and a backlog (after an
/// upgrade, or the file deleted) goes in steps that let searches in between.
const CHUNK: i64 = 512;

/// Wakes the index's task once messages were committed, and lets one indexer run
/// at a time; one per SQLite store, handed to each of its transactions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Behind {
    wake: Arc<Notify>,
    indexing: Arc<Mutex<()>>,
}

impl Behind {
    /// Called after the commit of a transaction that wrote messages.
    pub(crate) fn wrote(&self) {
        self.wake.notify_one();
    }
}

/// The index file of the database file `database`.
pub(crate) fn index_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(SUFFIX);
    PathBuf::from(name)
}

/// Attaches the index file `index` to a new connection of the read pool as
/// `search`, in WAL mode like the database.
pub(crate) async fn attach(conn: &mut SqliteConnection, index: &str) -> sqlx::Result<()> {
    sqlx::query("ATTACH DATABASE $1 AS search")
        .bind(index)
        .persistent(false)
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA search.journal_mode = WAL")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA search.synchronous = NORMAL")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes the index's tables in the attached file when missing, and empties an
/// index that holds messages the database does not.
pub(crate) async fn prepare(pool: &SqlitePool) -> Result<()> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    sqlx::raw_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS search.message_text USING fts5(
            body, content = '', tokenize = 'trigram'
         );
         CREATE TABLE IF NOT EXISTS search.message_text_upto (
            id   INTEGER PRIMARY KEY CHECK (id = 1),
            upto INTEGER NOT NULL
         );
         INSERT OR IGNORE INTO search.message_text_upto (id, upto) VALUES (1, 0);",
    )
    .execute(&mut *tx)
    .await?;
    let ahead: bool = sqlx::query_scalar(
        "SELECT upto > (SELECT COALESCE(MAX(rowid), 0) FROM main.messages)
           FROM search.message_text_upto",
    )
    .fetch_one(&mut *tx)
    .await?;
    if ahead {
        tracing::warn!(
            "the search index is ahead of the database (restored from a copy?): it is built again"
        );
        sqlx::raw_sql(
            "INSERT INTO search.message_text (message_text) VALUES ('delete-all');
             UPDATE search.message_text_upto SET upto = 0;",
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// Notified when messages the full-text index does not hold yet were
    /// committed.
    pub fn text_wake(&self) -> Arc<Notify> {
        match &self.db {
            Db::Sqlite(_, _, text) => text.wake.clone(),
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
            "SELECT COUNT(*) FROM main.messages
              WHERE rowid > (SELECT upto FROM search.message_text_upto)",
        )
        .fetch_one(pool)
        .await?)
    }

    /// Indexes every message committed and not indexed yet, [`CHUNK`] to a
    /// transaction of the index file's (the database's writer is not taken);
    /// answers how many (nothing to do on PostgreSQL).
    pub async fn index_text(&self) -> Result<u64> {
        let Db::Sqlite(pool, _, behind) = &self.db else {
            return Ok(0);
        };
        let _indexing = behind.indexing.lock().await;
        if self.text_behind().await? == 0 {
            return Ok(0);
        }
        let mut conn = pool.acquire().await?;
        let mut total = 0;
        loop {
            // `BEGIN`, not `BEGIN IMMEDIATE`: that would take every attached
            // file's writer, the database's too. The first statement writes the
            // index file and only reads the database.
            let mut tx = conn.begin().await?;
            let indexed = sqlx::query(
                "INSERT INTO search.message_text (rowid, body)
                 SELECT rowid, body FROM main.messages
                  WHERE rowid > (SELECT upto FROM search.message_text_upto)
                  ORDER BY rowid LIMIT $1",
            )
            .bind(CHUNK)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // The same rows: no other indexer runs (`indexing`), and the
            // transaction reads one snapshot of the database.
            sqlx::query(
                "UPDATE search.message_text_upto SET upto = COALESCE(
                    (SELECT MAX(rowid) FROM (SELECT rowid FROM main.messages
                      WHERE rowid > search.message_text_upto.upto ORDER BY rowid LIMIT $1)),
                    upto)",
            )
            .bind(CHUNK)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            total += indexed;
            if indexed < CHUNK as u64 {
                return Ok(total);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{on_tx, Error};

    /// Stores a visitor's message `body` as message `seq` of the test's one
    /// conversation (made with the first).
    async fn said(store: &Store, seq: i64, body: &str) -> Result<()> {
        let mut tx = store.begin().await?;
        on_tx!(&mut tx, c => {
            if seq == 1 {
                for statement in [
                    "INSERT INTO channels (id, key, name, title, created_at)
                     VALUES ('ch', 'shop', 'Shop', 'Shop', '2026-12-07T00:00:00Z')",
                    "INSERT INTO visitors (id, channel_id, created_at)
                     VALUES ('v', 'ch', '2026-12-07T00:00:00Z')",
                    "INSERT INTO conversations (id, channel_id, visitor_id, created_at)
                     VALUES ('c', 'ch', 'v', '2026-12-07T00:00:00Z')",
                ] {
                    sqlx::query(statement).execute(&mut *c).await?;
                }
            }
            sqlx::query(
                "INSERT INTO messages (conversation_id, seq, author, body, created_at)
                 VALUES ('c', $1, 'visitor', $2, '2026-12-07T00:00:01Z')",
            )
            .bind(seq)
            .bind(body)
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await?;
        Ok(())
    }

    /// The messages' numbers the index finds for `phrase`.
    async fn found(store: &Store, phrase: &str) -> Result<Vec<i64>> {
        let Db::Sqlite(pool, ..) = &store.db else {
            return Ok(Vec::new());
        };
        Ok(sqlx::query_scalar(
            "SELECT m.seq FROM main.messages m WHERE m.rowid IN
               (SELECT rowid FROM search.message_text WHERE message_text MATCH $1)
             ORDER BY m.seq",
        )
        .bind(phrase)
        .fetch_all(pool)
        .await?)
    }

    /// Indexing takes the index file's writer, never the database's: while
    /// another connection holds the index file's (as a long indexing run would),
    /// the indexer waits and messages are still stored; once it is free, the
    /// indexer takes them all.
    #[tokio::test]
    async fn messages_are_stored_while_the_index_is_being_written() -> Result<()> {
        let dir = tempfile::tempdir().map_err(sqlx::Error::Io)?;
        let file = dir.path().join("c.db");
        let store = Store::open(&format!("sqlite://{}", file.display())).await?;
        said(&store, 1, "Is the zebra rug washable?").await?;

        let index = format!("sqlite://{}", index_file(&file).display());
        let mut holder = SqliteConnection::connect(&index).await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut holder).await?;
        let indexing = tokio::spawn({
            let store = store.clone();
            async move { store.index_text().await }
        });
        said(&store, 2, "Where is my parcel?").await?;
        said(&store, 3, "A quokka plush, please").await?;
        assert!(
            !indexing.is_finished(),
            "the indexer cannot write while the index file's writer is held"
        );
        assert_eq!(store.text_behind().await?, 3);

        sqlx::query("COMMIT").execute(&mut holder).await?;
        let indexed = indexing
            .await
            .map_err(|e| Error::Corrupt(e.to_string()))??;
        // The task may have stopped before the last two: a run after takes them.
        let indexed = indexed + store.index_text().await?;
        assert_eq!(indexed, 3);
        assert_eq!(store.text_behind().await?, 0);
        assert_eq!(found(&store, "zebra").await?, [1]);
        assert_eq!(found(&store, "parcel").await?, [2]);
        Ok(())
    }

    /// The index file holds nothing of its own: deleted, it is made again at start
    /// and filled from the first message; ahead of the database (the database
    /// restored from an older copy), it is emptied and filled again.
    #[tokio::test]
    async fn a_lost_or_foreign_index_file_is_built_again() -> Result<()> {
        let dir = tempfile::tempdir().map_err(sqlx::Error::Io)?;
        let file = dir.path().join("c.db");
        let url = format!("sqlite://{}", file.display());
        let store = Store::open(&url).await?;
        said(&store, 1, "Is the zebra rug washable?").await?;
        said(&store, 2, "Where is my parcel?").await?;
        assert_eq!(store.index_text().await?, 2);
        store.close().await;
        drop(store);

        let index = index_file(&file);
        for suffix in ["", "-wal", "-shm"] {
            let mut name = index.clone().into_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
        let store = Store::open(&url).await?;
        assert_eq!(store.text_behind().await?, 2, "nothing is indexed yet");
        assert_eq!(store.index_text().await?, 2);
        assert_eq!(found(&store, "parcel").await?, [2]);

        // An index that says it holds messages the database does not.
        if let Db::Sqlite(pool, ..) = &store.db {
            sqlx::query("UPDATE search.message_text_upto SET upto = 99")
                .execute(pool)
                .await?;
        }
        store.close().await;
        drop(store);
        let store = Store::open(&url).await?;
        assert_eq!(
            store.text_behind().await?,
            2,
            "the foreign index is emptied"
        );
        assert!(found(&store, "zebra").await?.is_empty());
        assert_eq!(store.index_text().await?, 2);
        assert_eq!(found(&store, "zebra").await?, [1]);
        Ok(())
    }
}

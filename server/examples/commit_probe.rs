//! What one durable commit costs, run by `cargo xtask bench sockets` before each load
//! (release build): the "one durable commit" of the socket budget ("ack p99 within 3x
//! of the bare echo's p99 plus one durable commit").
//!
//! One connection, opened with the store's durability settings (SQLite: WAL and
//! `synchronous = FULL` on a fresh file in `--dir`; PostgreSQL: `synchronous_commit =
//! on` on the database `--database-url` names), commits `--commits` one-row
//! transactions one after another, nothing else running on it. Each is timed from
//! its `BEGIN` to its `COMMIT`'s answer, so it holds the round trips a transaction
//! takes and the sync.
//!
//! Prints a report and, for xtask, lines `BENCH <name> <value>`.

#[allow(dead_code)] // the load helpers are the loads'
mod load;

use std::str::FromStr;
use std::time::{Duration, Instant};

use load::Latencies;
use sqlx::Connection;

/// The commit probe (see the module comment).
#[derive(clap::Parser)]
#[command(name = "commit_probe")]
struct Args {
    /// A PostgreSQL database; without it, a fresh SQLite file in `--dir`.
    #[arg(long)]
    database_url: Option<String>,
    /// Where the SQLite file goes (the file system the server's store is on).
    #[arg(long, default_value = ".")]
    dir: std::path::PathBuf,
    /// Transactions to time.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
    commits: u64,
}

const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS commit_probe (id BIGINT PRIMARY KEY, at TEXT NOT NULL)";

#[tokio::main]
async fn main() {
    let args: Args = clap::Parser::parse();
    let (store, took) = match &args.database_url {
        Some(url) => ("PostgreSQL", postgres(url, args.commits).await),
        None => ("SQLite", sqlite(&args.dir, args.commits).await),
    };
    let took = match took {
        Ok(took) => Latencies::new(took),
        Err(e) => {
            eprintln!("commit probe: {e}; check that the database is reachable and writable");
            std::process::exit(1);
        }
    };
    println!(
        "{store}: {} durable one-row commits, one at a time: {}",
        args.commits,
        took.summary()
    );
    println!("BENCH commit_p50_us {}", took.percentile(50.0).as_micros());
    println!("BENCH commit_p99_us {}", took.percentile(99.0).as_micros());
}

async fn sqlite(dir: &std::path::Path, commits: u64) -> Result<Vec<Duration>, sqlx::Error> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let file = dir.join(format!("commit-probe-{}.db", std::process::id()));
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", file.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let mut c = sqlx::SqliteConnection::connect_with(&options).await?;
    sqlx::query(TABLE).execute(&mut c).await?;
    let mut took = Vec::new();
    for id in 0..commits {
        let start = Instant::now();
        sqlx::query("BEGIN IMMEDIATE").execute(&mut c).await?;
        sqlx::query("INSERT INTO commit_probe (id, at) VALUES ($1, $2)")
            .bind(id as i64)
            .bind(format!("{start:?}"))
            .execute(&mut c)
            .await?;
        sqlx::query("COMMIT").execute(&mut c).await?;
        took.push(start.elapsed());
    }
    c.close().await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    Ok(took)
}

async fn postgres(url: &str, commits: u64) -> Result<Vec<Duration>, sqlx::Error> {
    use sqlx::postgres::PgConnectOptions;
    let options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "on")]);
    let mut c = sqlx::PgConnection::connect_with(&options).await?;
    sqlx::query(TABLE).execute(&mut c).await?;
    sqlx::query("TRUNCATE commit_probe").execute(&mut c).await?;
    let mut took = Vec::new();
    for id in 0..commits {
        let start = Instant::now();
        let mut tx = c.begin().await?;
        sqlx::query("INSERT INTO commit_probe (id, at) VALUES ($1, $2)")
            .bind(id as i64)
            .bind(format!("{start:?}"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        took.push(start.elapsed());
    }
    sqlx::query("DROP TABLE commit_probe")
        .execute(&mut c)
        .await?;
    c.close().await?;
    Ok(took)
}

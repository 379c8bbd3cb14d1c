//! A fresh PostgreSQL database per test, on the throw-away cluster that `cargo xtask test`
//! (or, for single tests by hand, `cargo xtask pg`) runs and names in
//! `CANAL_TEST_POSTGRES_URL`. Each call creates `canal_t_<random>`; the cluster and every
//! database on it go away when xtask stops it.

use sqlx::{Connection, PgConnection};

/// The variable xtask puts the cluster's URL in.
pub const URL_ENV: &str = "CANAL_TEST_POSTGRES_URL";

/// The cluster's URL (`postgres://canal_test:...@127.0.0.1:PORT/postgres`); panics with
/// what to do when it is not set.
pub fn cluster_url() -> String {
    match std::env::var(URL_ENV) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{URL_ENV} is not set: the PostgreSQL tests need a cluster. `cargo xtask test` \
             starts one; for single tests run `cargo xtask pg` in another terminal and \
             export the {URL_ENV} it prints"
        ),
    }
}

/// A new, empty database on the cluster; its URL.
pub async fn fresh_database() -> String {
    let cluster = cluster_url();
    create_database(&cluster)
        .await
        .unwrap_or_else(|e| panic!("cannot create a test database on {URL_ENV}'s cluster: {e}"))
}

/// Creates `canal_t_<32 hex>` through `cluster` and returns the URL of that database (the
/// same user, password, host and options).
pub async fn create_database(cluster: &str) -> Result<String, sqlx::Error> {
    let name = format!("canal_t_{}", uuid::Uuid::new_v4().simple());
    let url = database_url(cluster, &name)?;
    let mut conn = PgConnection::connect(cluster).await?;
    // A generated identifier: nothing to quote. Simple protocol: CREATE DATABASE refuses
    // to run inside a transaction block.
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(url)
}

/// `cluster` with its database (the URL's path) replaced by `name`.
fn database_url(cluster: &str, name: &str) -> Result<String, sqlx::Error> {
    let mut url = url::Url::parse(cluster)
        .map_err(|e| sqlx::Error::Configuration(format!("{URL_ENV} is not a URL: {e}").into()))?;
    url.set_path(&format!("/{name}"));
    Ok(url.into())
}

#[test]
fn the_database_replaces_the_path_and_keeps_the_rest() {
    assert_eq!(
        database_url("postgres://u:p@127.0.0.1:5433/postgres", "canal_t_ab").expect("url"),
        "postgres://u:p@127.0.0.1:5433/canal_t_ab"
    );
    assert_eq!(
        database_url(
            "postgres://u:p@127.0.0.1:5433/postgres?sslmode=disable",
            "x"
        )
        .expect("url"),
        "postgres://u:p@127.0.0.1:5433/x?sslmode=disable"
    );
    assert!(database_url("not a url", "x").is_err());
}

#[tokio::test]
async fn each_call_gives_a_new_empty_database() {
    let a = fresh_database().await;
    let b = fresh_database().await;
    assert_ne!(a, b);
    for url in [&a, &b] {
        let mut conn = PgConnection::connect(url).await.expect("connect");
        let (name, tables): (String, i64) = sqlx::query_as(
            "SELECT current_database()::text, \
             (SELECT count(*) FROM pg_tables WHERE schemaname = 'public')",
        )
        .fetch_one(&mut conn)
        .await
        .expect("query");
        assert!(name.starts_with("canal_t_"), "{name}");
        assert!(url.ends_with(&format!("/{name}")), "{url}");
        assert_eq!(tables, 0, "{name} is empty");
    }
}

/// The PostgreSQL schema, applied by sqlx as the store applies it: the connecting role
/// (which owns the tables) can neither change nor remove a consent record or an agreement
/// version, with the messages SQLite's triggers give.
#[tokio::test]
async fn the_postgres_schema_refuses_changes_to_consents_and_agreement_versions() {
    let url = fresh_database().await;
    let mut conn = PgConnection::connect(&url).await.expect("connect");
    sqlx::migrate!("./store/migrations/postgres")
        .run(&mut conn)
        .await
        .expect("migrate");
    sqlx::raw_sql(
        "INSERT INTO channels (id, key, name, title, created_at)
             VALUES ('c1', 'k1', 'Shop', 'Chat', '2026-12-04T21:00:00Z');
         INSERT INTO agreements (id, channel_id, name, kind, created_at)
             VALUES ('a1', 'c1', 'Personal data', 'personal_data', '2026-12-04T21:00:00Z');
         INSERT INTO agreement_versions (id, agreement_id, version, title, body, label, sha256,
                                         created_at)
             VALUES ('v1', 'a1', 1, 'T', 'B', 'L', 'h', '2026-12-04T21:00:00Z');
         INSERT INTO consents (seq, id, action, agreement_version_id, channel_id, source,
                               created_at, prev_hash, hash)
             VALUES (1, 'r1', 'grant', 'v1', 'c1', 'livechat', '2026-12-04T21:00:01Z', '00', 'h1');",
    )
    .execute(&mut conn)
    .await
    .expect("seed");

    let refusals = [
        (
            "UPDATE consents SET ip = '10.0.0.1'",
            "consent records are append-only",
        ),
        ("DELETE FROM consents", "consent records are append-only"),
        (
            "TRUNCATE consents CASCADE",
            "consent records are append-only",
        ),
        (
            "UPDATE agreement_versions SET body = 'other'",
            "agreement versions are immutable",
        ),
        (
            "DELETE FROM agreement_versions",
            "agreement versions are immutable",
        ),
        (
            "TRUNCATE agreement_versions CASCADE",
            "agreement versions are immutable",
        ),
        // Reached through another table's cascade.
        (
            "TRUNCATE channels CASCADE",
            "consent records are append-only",
        ),
    ];
    for (sql, message) in refusals {
        let err = sqlx::raw_sql(sql).execute(&mut conn).await.expect_err(sql);
        let db = err.as_database_error().expect("a database error");
        assert_eq!(db.message(), message, "{sql}");
        assert_eq!(
            db.code().as_deref(),
            Some("23001"),
            "{sql}: restrict_violation"
        );
    }
    let (consents, versions): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM consents), (SELECT count(*) FROM agreement_versions)",
    )
    .fetch_one(&mut conn)
    .await
    .expect("count");
    assert_eq!((consents, versions), (1, 1));
}

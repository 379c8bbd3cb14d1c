//! A fresh PostgreSQL database per end-to-end test, on the throw-away cluster that
//! `cargo xtask test` (or, for single tests by hand, `cargo xtask pg`) runs and names in
//! `CANAL_TEST_POSTGRES_URL`. Each call creates `canal_t_<random>`; the cluster and every
//! database on it go away when xtask stops it. (The server's API tests have the same
//! helper in `server/tests/api/pg.rs`.)

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_replaces_the_path_and_keeps_the_rest() {
        assert_eq!(
            database_url("postgres://u:p@127.0.0.1:5433/postgres", "canal_t_ab").expect("url"),
            "postgres://u:p@127.0.0.1:5433/canal_t_ab"
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
            let name: String = sqlx::query_scalar("SELECT current_database()::text")
                .fetch_one(&mut conn)
                .await
                .expect("query");
            assert!(name.starts_with("canal_t_"), "{name}");
            assert!(url.ends_with(&format!("/{name}")), "{url}");
        }
    }
}

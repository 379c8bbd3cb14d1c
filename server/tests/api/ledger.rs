//! The consent ledger: hash chain, tamper detection, concurrent writes.

use crate::helpers::{on_postgres, spawn_app, TestApp, TestDb, PAGE};
use canal_server::ledger::GENESIS;
use canal_server::Store;
use serde_json::json;
use std::process::Command;

#[tokio::test]
async fn concurrent_consents_form_one_unbroken_chain() {
    let app = spawn_app().await;
    let version = app.version_id().await;
    let mut writers = Vec::new();
    for i in 0..200 {
        let http = app.http.clone();
        let url = app.url("/api/v1/channels/demo/consents");
        let body = json!({"agreement_version_id": version, "page_url": format!("{PAGE}&n={i}"),
                          "request_id": format!("r{i}")});
        writers.push(tokio::spawn(async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for writer in writers {
        assert_eq!(writer.await.expect("join").expect("post"), 201);
    }
    let verified = app.store.verify_ledger().await.expect("verify");
    assert_eq!(verified.records, 200);
    assert_eq!(verified.broken, None);
    let first: (i64, String) =
        sqlx::query_as("SELECT seq, prev_hash FROM consents ORDER BY seq LIMIT 1")
            .fetch_one(app.db.pool())
            .await
            .expect("first");
    assert_eq!(first, (1, GENESIS.to_owned()));
}

/// Five consents with distinct page URLs, in a database the test may tamper with:
/// on SQLite a single-file copy (no WAL) to edit byte by byte; on PostgreSQL the
/// test's own database.
struct Five {
    app: TestApp,
    /// The SQLite copy's folder.
    dir: Option<tempfile::TempDir>,
    url: String,
    ids: Vec<String>,
}

async fn five_consents() -> Five {
    let app = spawn_app().await;
    let version = app.version_id().await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let body = json!({"agreement_version_id": version, "page_url": format!("https://shop.example/page-{n}")});
        let (status, answer) = app.post("/api/v1/channels/demo/consents", &body).await;
        assert_eq!(status, 201);
        ids.push(answer["consent_id"].as_str().expect("id").to_owned());
    }
    if on_postgres() {
        let url = app.db.url.clone();
        return Five {
            app,
            dir: None,
            url,
            ids,
        };
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("copy.db");
    sqlx::query(&format!("VACUUM INTO '{}'", path.display()))
        .execute(app.db.pool())
        .await
        .expect("vacuum into");
    let url = format!("sqlite://{}", path.display());
    Five {
        app,
        dir: Some(dir),
        url,
        ids,
    }
}

/// Runs `sql` on the tampered database with the append-only triggers out of the
/// way, as someone with the database's keys could.
async fn behind_the_triggers(five: &Five, sql: &str) {
    let db = if on_postgres() {
        // The table owner may switch its own triggers off; the server never does.
        sqlx::query("ALTER TABLE consents DISABLE TRIGGER USER")
            .execute(five.app.db.pool())
            .await
            .expect("disable triggers");
        None
    } else {
        Some(TestDb::at_url(five.url.clone()).await)
    };
    let pool = db.as_ref().map_or(five.app.db.pool(), |db| db.pool());
    if db.is_some() {
        for trigger in ["consents_no_update", "consents_no_delete"] {
            sqlx::query(&format!("DROP TRIGGER {trigger}"))
                .execute(pool)
                .await
                .expect("drop trigger");
        }
    }
    sqlx::query(sql).execute(pool).await.expect(sql);
}

fn verify_cli(database_url: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_canal"))
        .args(["consents", "verify", "--database-url", database_url])
        .output()
        .expect("run canal");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test]
async fn verify_reports_an_intact_chain() {
    let five = five_consents().await;
    let (ok, out) = verify_cli(&five.url);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("ok: 5 consent records, chain intact"),
        "{out}"
    );
}

#[tokio::test]
async fn an_edit_behind_the_triggers_back_is_found() {
    let five = five_consents().await;
    match &five.dir {
        // SQLite: the file itself, byte by byte.
        Some(dir) => {
            let path = dir.path().join("copy.db");
            let mut bytes = std::fs::read(&path).expect("read db");
            let needle = b"https://shop.example/page-3";
            let at = bytes
                .windows(needle.len())
                .position(|w| w == needle)
                .expect("page url of record 3 in the file");
            bytes[at + needle.len() - 1] = b'9';
            std::fs::write(&path, bytes).expect("write db");
        }
        None => {
            behind_the_triggers(
                &five,
                "UPDATE consents SET page_url = 'https://shop.example/page-9' WHERE seq = 3",
            )
            .await
        }
    }

    let (ok, out) = verify_cli(&five.url);
    assert!(!ok, "verify must fail: {out}");
    assert!(
        out.contains(&format!("BROKEN at record 3 (id {})", five.ids[2])),
        "{out}"
    );
    assert!(out.contains("altered"), "{out}");
}

#[tokio::test]
async fn a_record_removed_with_the_triggers_dropped_is_found() {
    let five = five_consents().await;
    behind_the_triggers(&five, "DELETE FROM consents WHERE seq = 2").await;
    let store = Store::open(&five.url).await.expect("open");
    let verified = store.verify_ledger().await.expect("verify");
    let broken = verified.broken.expect("broken");
    assert_eq!(broken.seq, 3);
    assert_eq!(broken.id, five.ids[2]);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

/// Records written together while one of them cannot be stored (its agreement version
/// does not exist): that one fails, every other is recorded, and the chain has no gap.
#[tokio::test]
async fn a_record_that_cannot_be_stored_fails_alone_and_the_others_are_chained() {
    use canal_server::ledger::{Action, Appended, Entry, Source, Visitor};
    let app = spawn_app().await;
    let version = app.version_id().await;
    let channel_id: (String,) = sqlx::query_as("SELECT id FROM channels WHERE key = 'demo'")
        .fetch_one(app.db.pool())
        .await
        .expect("demo channel");
    let entry = |version: &str, n: usize| Entry {
        action: Action::Grant,
        agreement_version_id: version.to_owned(),
        channel_id: channel_id.0.clone(),
        visitor: Visitor::New,
        ip: Some("192.0.2.1".into()),
        user_agent: None,
        page_url: Some(format!("{PAGE}&n={n}")),
        source: Source::Livechat,
        conversation_id: None,
        crm_entity: None,
        request_id: None,
    };
    // Sent at once, so the writer takes them in batches with the bad one inside.
    let mut writes = Vec::new();
    for n in 0..40 {
        let version = if n == 17 {
            "no-such-version"
        } else {
            version.as_str()
        };
        let store = app.store.clone();
        let entry = entry(version, n);
        writes.push(tokio::spawn(
            async move { store.ledger().append(entry).await },
        ));
    }
    let mut recorded = 0;
    for (n, write) in writes.into_iter().enumerate() {
        match write.await.expect("join") {
            Ok(Appended::Recorded(_)) => recorded += 1,
            Ok(other) => panic!("record {n}: {other:?}"),
            Err(e) => assert_eq!(n, 17, "record {n} failed: {e}"),
        }
    }
    assert_eq!(recorded, 39);
    let verified = app.store.verify_ledger().await.expect("verify");
    assert_eq!(verified.records, 39);
    assert_eq!(verified.broken, None);
}

/// Another server process on the same database holds the ledger's lock and never
/// lets go (hung mid-write): a consent waits as long as a write waits for a lock
/// (10 s), then fails with a clear error and nothing recorded, and the same
/// request sent again once the lock is free is recorded once, in the chain.
#[tokio::test]
async fn a_consent_fails_cleanly_while_another_node_holds_the_ledger_for_ever() {
    use sqlx::{Connection, Executor};
    let app = spawn_app().await;
    let before = app.count("consents").await;
    let mut other_node = sqlx::AnyConnection::connect(&app.db.url)
        .await
        .expect("connect");
    let (hold, let_go) = if on_postgres() {
        let lock = canal_store::LEDGER_LOCK;
        (
            format!("SELECT pg_advisory_lock({lock})"),
            format!("SELECT pg_advisory_unlock({lock})"),
        )
    } else {
        ("BEGIN IMMEDIATE".to_owned(), "ROLLBACK".to_owned())
    };
    other_node.execute(hold.as_str()).await.expect("hold");
    let body = json!({"agreement_version_id": app.version_id().await, "page_url": PAGE,
                      "request_id": "held-1"});
    let (status, answer) = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        app.post("/api/v1/channels/demo/consents", &body),
    )
    .await
    .expect("an answer while the lock is held");
    crate::helpers::assert_error(status, &answer, 500, "internal");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nothing was recorded")),
        "{answer}"
    );
    other_node.execute(let_go.as_str()).await.expect("let go");
    assert_eq!(app.count("consents").await, before);
    let (status, answer) = app.post("/api/v1/channels/demo/consents", &body).await;
    assert_eq!(status, 201, "{answer}");
    let (status, again) = app.post("/api/v1/channels/demo/consents", &body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["consent_id"], answer["consent_id"]);
    assert_eq!(app.count("consents").await, before + 1);
    let verified = app.store.verify_ledger().await.expect("verify");
    assert_eq!(verified.broken, None);
}

//! The consent ledger: hash chain, tamper detection, concurrent writes.

use crate::helpers::{spawn_app, PAGE};
use canal_server::ledger::{self, GENESIS};
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
    let verified = ledger::verify(app.store.pool()).await.expect("verify");
    assert_eq!(verified.records, 200);
    assert_eq!(verified.broken, None);
    let first: (i64, String) =
        sqlx::query_as("SELECT seq, prev_hash FROM consents ORDER BY seq LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .expect("first");
    assert_eq!(first, (1, GENESIS.to_owned()));
}

/// Writes five consents with distinct page URLs into a fresh database file.
async fn five_consents() -> (tempfile::TempDir, String, Vec<String>) {
    let app = spawn_app().await;
    let version = app.version_id().await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let body = json!({"agreement_version_id": version, "page_url": format!("https://shop.example/page-{n}")});
        let (status, answer) = app.post("/api/v1/channels/demo/consents", &body).await;
        assert_eq!(status, 201);
        ids.push(answer["consent_id"].as_str().expect("id").to_owned());
    }
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("copy.db");
    // A consistent single-file copy (no WAL) to edit byte by byte.
    sqlx::query(&format!("VACUUM INTO '{}'", path.display()))
        .execute(app.store.pool())
        .await
        .expect("vacuum into");
    (dir, format!("sqlite://{}", path.display()), ids)
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
    let (_dir, url, _) = five_consents().await;
    let (ok, out) = verify_cli(&url);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("ok: 5 consent records, chain intact"),
        "{out}"
    );
}

#[tokio::test]
async fn an_edit_of_the_file_behind_the_triggers_back_is_found() {
    let (dir, url, ids) = five_consents().await;
    let path = dir.path().join("copy.db");
    let mut bytes = std::fs::read(&path).expect("read db");
    let needle = b"https://shop.example/page-3";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("page url of record 3 in the file");
    bytes[at + needle.len() - 1] = b'9';
    std::fs::write(&path, bytes).expect("write db");

    let (ok, out) = verify_cli(&url);
    assert!(!ok, "verify must fail: {out}");
    assert!(
        out.contains(&format!("BROKEN at record 3 (id {})", ids[2])),
        "{out}"
    );
    assert!(out.contains("altered"), "{out}");
}

#[tokio::test]
async fn a_record_removed_with_the_triggers_dropped_is_found() {
    let (_dir, url, ids) = five_consents().await;
    let store = Store::open(&url).await.expect("open copy");
    for sql in [
        "DROP TRIGGER consents_no_delete",
        "DELETE FROM consents WHERE seq = 2",
    ] {
        sqlx::query(sql).execute(store.pool()).await.expect(sql);
    }
    let verified = ledger::verify(store.pool()).await.expect("verify");
    let broken = verified.broken.expect("broken");
    assert_eq!(broken.seq, 3);
    assert_eq!(broken.id, ids[2]);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

//! `POST /api/v1/channels/{key}/consents`: what is recorded, and every bad input
//! refused with nothing stored.

use crate::helpers::{assert_error, spawn_app, PAGE};
use serde_json::json;

const PATH: &str = "/api/v1/channels/demo/consents";

#[tokio::test]
async fn an_accepted_consent_is_recorded_with_page_ip_agent_and_version() {
    let app = spawn_app().await;
    let version = app.version_id().await;
    let (created, record) = app
        .consent_with(PAGE, ("user-agent", "TestBrowser/1.0"))
        .await;
    assert_eq!(record.agreement_version_id, version);
    assert_eq!(record.page_url.as_deref(), Some(PAGE));
    assert_eq!(record.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(record.user_agent.as_deref(), Some("TestBrowser/1.0"));
    assert_eq!(record.source, "livechat");
    assert_eq!(record.action, "grant");
    assert_eq!(
        record.visitor_id.as_deref(),
        Some(created.visitor_id.as_str())
    );
    assert_eq!(record.created_at, created.recorded_at);
    assert_eq!(app.visitor_rows().await, [1, 1, 0, 0]);
}

#[tokio::test]
async fn every_bad_input_is_a_4xx_and_stores_nothing() {
    let app = spawn_app().await;
    let version = app.version_id().await;
    let long_url = format!("https://a.example/{}", "x".repeat(2100));
    let cases = [
        (
            "/api/v1/channels/nope/consents",
            json!({"agreement_version_id": version, "page_url": PAGE}),
            404,
            "unknown_channel",
        ),
        (
            PATH,
            json!({"agreement_version_id": "nope", "page_url": PAGE}),
            422,
            "unknown_agreement_version",
        ),
        (PATH, json!({"page_url": PAGE}), 400, "bad_request"),
        (
            PATH,
            json!({"agreement_version_id": version}),
            400,
            "bad_request",
        ),
        (
            PATH,
            json!({"agreement_version_id": version, "page_url": ""}),
            422,
            "invalid_page_url",
        ),
        (
            PATH,
            json!({"agreement_version_id": version, "page_url": "javascript:alert(1)"}),
            422,
            "invalid_page_url",
        ),
        (
            PATH,
            json!({"agreement_version_id": version, "page_url": "/relative"}),
            422,
            "invalid_page_url",
        ),
        (
            PATH,
            json!({"agreement_version_id": version, "page_url": long_url}),
            422,
            "invalid_page_url",
        ),
        (
            PATH,
            json!({"agreement_version_id": version, "page_url": PAGE, "ip": "1.2.3.4"}),
            400,
            "unknown_field",
        ),
        (
            PATH,
            json!({"agreement_version_id": version, "page_url": PAGE, "request_id": "no spaces"}),
            422,
            "invalid_field",
        ),
        (
            PATH,
            json!({"agreement_version_id": 7, "page_url": PAGE}),
            400,
            "bad_request",
        ),
        (PATH, json!([]), 400, "bad_request"),
    ];
    for (path, body, status, code) in cases {
        let (got, answer) = app.post(path, &body).await;
        assert_error(got, &answer, status, code);
    }
    let raw_cases: [(&str, Vec<u8>, u16, &str); 4] = [
        (
            "application/json",
            b"{not json".to_vec(),
            400,
            "bad_request",
        ),
        (
            "application/json",
            b"{\"page_url\": \"\xff\xfe\"}".to_vec(),
            400,
            "bad_request",
        ),
        ("text/plain", b"{}".to_vec(), 415, "bad_request"),
        ("application/json", vec![b' '; 64 * 1024], 413, "too_large"),
    ];
    for (content_type, body, status, code) in raw_cases {
        let (got, answer) = app.post_raw(PATH, content_type, body).await;
        assert_error(got, &answer, status, code);
    }
    let response = app
        .http
        .post(app.url(PATH))
        .header("user-agent", "x".repeat(600))
        .json(&json!({"agreement_version_id": version, "page_url": PAGE}))
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    assert_error(
        status,
        &response.json().await.expect("json"),
        422,
        "invalid_field",
    );

    assert_eq!(app.visitor_rows().await, [0, 0, 0, 0], "nothing stored");
}

#[tokio::test]
async fn a_replayed_request_id_returns_the_same_record_once() {
    let app = spawn_app().await;
    let body = json!({"agreement_version_id": app.version_id().await, "page_url": PAGE,
                      "request_id": "req-1"});
    let (first_status, first) = app.post(PATH, &body).await;
    let (second_status, second) = app.post(PATH, &body).await;
    assert_eq!((first_status, second_status), (201, 201));
    assert_eq!(first, second, "same consent, visitor and token");
    assert_eq!(app.count("consents").await, 1);

    let mut other = body.clone();
    other["page_url"] = json!("https://shop.example/other");
    let (status, answer) = app.post(PATH, &other).await;
    assert_error(status, &answer, 409, "conflict");
    assert_eq!(app.visitor_rows().await, [1, 1, 0, 0]);
}

#[tokio::test]
async fn the_database_refuses_to_edit_or_delete_a_consent() {
    let app = spawn_app().await;
    let created = app.consent().await;
    let before = app
        .store
        .consent_by_id(&created.consent_id)
        .await
        .expect("read");
    let pool = app.db.pool();
    let update =
        sqlx::query("UPDATE consents SET page_url = 'https://evil.example/' WHERE id = $1")
            .bind(&created.consent_id)
            .execute(pool)
            .await;
    let error = update.expect_err("UPDATE must fail").to_string();
    assert!(error.contains("append-only"), "{error}");
    let delete = sqlx::query("DELETE FROM consents").execute(pool).await;
    assert!(delete
        .expect_err("DELETE must fail")
        .to_string()
        .contains("append-only"));
    let after = app
        .store
        .consent_by_id(&created.consent_id)
        .await
        .expect("read");
    assert_eq!(before, after);
    assert_eq!(app.count("consents").await, 1);
}

//! `POST /api/v1/channels/{key}/conversations`.

use crate::helpers::{assert_error, spawn_app, PAGE};
use serde_json::json;

const PATH: &str = "/api/v1/channels/demo/conversations";

#[tokio::test]
async fn a_conversation_starts_after_consent_and_links_it() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let stored = app
        .store
        .conversation(&conversation.conversation_id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        stored.consent_id.as_deref(),
        Some(consent.consent_id.as_str())
    );
    assert_eq!(stored.visitor_id, consent.visitor_id);
    assert_eq!(app.visitor_rows().await, [1, 1, 1, 0]);
}

#[tokio::test]
async fn without_valid_consent_no_conversation_starts() {
    let app = spawn_app().await;
    let consent = app.consent().await;
    let other = app.consent().await;
    let cases = [
        (json!({}), 403, "consent_required"),
        (
            json!({"visitor_token": consent.visitor_token}),
            403,
            "consent_required",
        ),
        (
            json!({"consent_id": consent.consent_id}),
            401,
            "unauthorized",
        ),
        (
            json!({"visitor_token": "v1.forged.AAAA", "consent_id": consent.consent_id}),
            401,
            "unauthorized",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "consent_id": other.consent_id}),
            403,
            "consent_required",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "consent_id": "nope"}),
            403,
            "consent_required",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id, "page_url": "ftp://x.example/"}),
            422,
            "invalid_page_url",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id, "utm": {"source": "x".repeat(300)}}),
            422,
            "invalid_field",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id, "utm": {"medium": "cpc", "channel": "x"}}),
            400,
            "unknown_field",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id, "admin": true}),
            400,
            "unknown_field",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = app.post(PATH, &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app
        .post("/api/v1/channels/nope/conversations", &json!({}))
        .await;
    assert_error(got, &answer, 404, "unknown_channel");
    assert_eq!(app.count("conversations").await, 0);
}

#[tokio::test]
async fn a_channel_without_agreement_starts_conversations_directly() {
    let app = spawn_app().await;
    let (status, created) = app
        .admin_post(
            "/channels",
            &json!({"key": "open", "name": "Open", "title": "Open channel"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, answer) = app
        .post(
            "/api/v1/channels/open/conversations",
            &json!({"page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert!(answer["visitor_token"]
        .as_str()
        .is_some_and(|t| t.starts_with("v1.")));
    assert_eq!(app.visitor_rows().await, [0, 1, 1, 0]);
    // A demo-channel token is no good on another channel.
    let consent = app.consent().await;
    let (status, answer) = app
        .post(
            "/api/v1/channels/open/conversations",
            &json!({"visitor_token": consent.visitor_token}),
        )
        .await;
    assert_error(status, &answer, 401, "unauthorized");
}

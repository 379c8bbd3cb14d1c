//! Rate limits over real sockets: a burst past a limit gets 429 with `Retry-After`
//! and the error body, and nothing beyond the limit is stored; buckets refill; two
//! addresses behind the trusted proxy are counted apart; a visitor token has its own
//! bucket wherever it comes from; a visitor socket sending too much is refused and
//! then closed with 1008; buckets start full after a restart.

use std::time::{Duration, Instant};

use canal_server::limits::{Limits, Rate};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{assert_error, spawn_app_limited, TestApp, PAGE};

const MINUTE: Duration = Duration::from_secs(60);

fn only(set: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::off();
    set(&mut limits);
    limits
}

/// POSTs a consent from `address` (sent as the trusted proxy's `X-Forwarded-For`);
/// returns the status, `Retry-After` and the body.
async fn consent_from(app: &TestApp, version: &str, address: &str) -> (u16, Option<u64>, Value) {
    let response = app
        .http
        .post(app.url("/api/v1/channels/demo/consents"))
        .header("x-forwarded-for", address)
        .json(&json!({"agreement_version_id": version, "page_url": PAGE}))
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (
        status,
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn consents_past_the_limit_get_429_with_retry_after_and_store_nothing() {
    let app = spawn_app_limited(only(|l| l.consents = Some(Rate::new(3, MINUTE)))).await;
    let version = app.version_id().await;
    for _ in 0..3 {
        let (status, _, body) = consent_from(&app, &version, "203.0.113.1").await;
        assert_eq!(status, 201, "{body}");
    }
    for _ in 0..2 {
        let (status, retry_after, body) = consent_from(&app, &version, "203.0.113.1").await;
        assert_error(status, &body, 429, "rate_limited");
        assert!(
            retry_after.is_some_and(|s| (1..=20).contains(&s)),
            "{retry_after:?}"
        );
    }
    assert_eq!(
        app.count("consents").await,
        3,
        "nothing past the limit is stored"
    );

    // Another address behind the same proxy has its own bucket.
    let (status, _, body) = consent_from(&app, &version, "203.0.113.2").await;
    assert_eq!(status, 201, "{body}");
    // So does another /64, while addresses of one /64 share theirs.
    for address in ["2001:db8:0:1::1", "2001:db8:0:1::2", "2001:db8:0:1::3"] {
        let (status, _, _) = consent_from(&app, &version, address).await;
        assert_eq!(status, 201, "{address}");
    }
    let (status, _, _) = consent_from(&app, &version, "2001:db8:0:1:ffff::9").await;
    assert_eq!(status, 429, "the same /64");
    let (status, _, _) = consent_from(&app, &version, "2001:db8:0:2::1").await;
    assert_eq!(status, 201, "another /64");
}

#[tokio::test]
async fn the_bucket_refills() {
    let app = spawn_app_limited(only(|l| {
        l.consents = Some(Rate::new(1, Duration::from_secs(2)));
    }))
    .await;
    let version = app.version_id().await;
    assert_eq!(consent_from(&app, &version, "198.51.100.7").await.0, 201);
    assert_eq!(consent_from(&app, &version, "198.51.100.7").await.0, 429);
    // Within about two seconds, one more is allowed again.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, _) = consent_from(&app, &version, "198.51.100.7").await;
        if status == 201 {
            break;
        }
        assert!(Instant::now() < deadline, "the bucket never refilled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_restart_starts_the_buckets_full() {
    let mut app = spawn_app_limited(only(|l| l.consents = Some(Rate::new(1, MINUTE)))).await;
    let version = app.version_id().await;
    assert_eq!(consent_from(&app, &version, "198.51.100.7").await.0, 201);
    assert_eq!(consent_from(&app, &version, "198.51.100.7").await.0, 429);
    app.restart().await;
    assert_eq!(consent_from(&app, &version, "198.51.100.7").await.0, 201);
}

#[tokio::test]
async fn every_public_endpoint_is_limited_per_address() {
    let app = spawn_app_limited(only(|l| {
        let one = Some(Rate::new(1, MINUTE));
        l.config = one;
        l.conversations = one;
        l.visitor_writes = one;
        l.sockets = one;
        l.sign_in = one;
        l.admin = one;
    }))
    .await;
    // One conversation (its config read and its start take each bucket's one).
    let (consent, _) = app.conversation().await;
    let (status, body) = app.get("/api/v1/channels/demo/config").await;
    assert_error(status, &body, 429, "rate_limited");

    // Conversations: the second is refused and not stored.
    let before = app.count("conversations").await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/conversations",
            &json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id}),
        )
        .await;
    assert_error(status, &body, 429, "rate_limited");
    assert_eq!(app.count("conversations").await, before);

    // The visitor's other writes share one bucket.
    let (status, _) = app
        .post(
            "/api/v1/channels/demo/consents/withdrawals",
            &json!({"visitor_token": "not-a-token"}),
        )
        .await;
    assert_eq!(status, 401, "the first is answered");
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": consent.visitor_token, "user": {"id": "u1"}}),
        )
        .await;
    assert_error(status, &body, 429, "rate_limited");

    // Sockets: the second upgrade is refused before it opens.
    let _first = app.socket().await;
    let second = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/ws", app.addr)).await;
    match second {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
        }
        other => panic!("the second socket opened: {:?}", other.map(|_| ())),
    }

    // Console sign-in, whatever the account.
    let login = |email: &'static str| {
        app.http
            .post(app.url("/api/v1/agent/login"))
            .json(&json!({"email": email, "password": "wrong password"}))
            .send()
    };
    assert_eq!(login("a@shop.example").await.expect("login").status(), 401);
    assert_eq!(login("b@shop.example").await.expect("login").status(), 429);

    // The admin API.
    let (status, _) = app.admin_get("/channels").await;
    assert_eq!(status, 200);
    let (status, body) = app.admin_get("/channels").await;
    assert_error(status, &body, 429, "rate_limited");

    // A messenger gateway's events, at the admin rate in a bucket of their own: the
    // first is answered (no such connector), the second refused before it is read.
    let events = || {
        app.http
            .post(app.url("/api/v1/connectors/no-such/events"))
            .json(&json!({}))
            .send()
    };
    assert_eq!(events().await.expect("events").status(), 404);
    let refused = events().await.expect("events");
    assert_eq!(refused.status(), 429);
}

#[tokio::test]
async fn a_visitor_token_has_its_own_bucket_from_any_address() {
    let app = spawn_app_limited(only(|l| l.per_visitor = Some(Rate::new(2, MINUTE)))).await;
    let (consent, conversation) = app.conversation().await;
    let rate = |address: &'static str| {
        app.http
            .put(app.url(&format!(
                "/api/v1/channels/demo/conversations/{}/rating",
                conversation.conversation_id
            )))
            .header("x-forwarded-for", address)
            .json(&json!({"visitor_token": consent.visitor_token, "rating": "like"}))
            .send()
    };
    // The conversation's start took one request from the bucket.
    assert_eq!(rate("192.0.2.1").await.expect("rate").status(), 200);
    let refused = rate("192.0.2.2").await.expect("rate");
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Another visitor is not affected.
    let (other, _) = app.conversation().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": other.visitor_token, "user": {"id": "u2"}}),
        )
        .await;
    assert_ne!(status, 429, "{body}");
}

#[tokio::test]
async fn a_socket_sending_too_fast_is_refused_then_closed_with_1008() {
    let app = spawn_app_limited(only(|l| l.socket_frames = Some(Rate::new(3, MINUTE)))).await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    // `hello` took one frame; two messages go through.
    socket.say("m1", "one").await;
    socket.say("m2", "two").await;
    socket
        .send(json!({"type": "send", "client_id": "m3", "text": "three"}))
        .await;
    let error = socket.until("an error", |f| f["type"] == "error").await;
    assert_eq!(error["code"], "rate_limited");
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT client_id FROM messages WHERE conversation_id = $1 ORDER BY seq")
            .bind(&conversation.conversation_id)
            .fetch_all(app.db.pool())
            .await
            .expect("messages");
    assert_eq!(stored, vec![("m1".to_owned(),), ("m2".to_owned(),)]);
    // Nine more refused frames: the tenth in a row closes the socket.
    for n in 4..=12 {
        socket
            .send(json!({"type": "send", "client_id": format!("m{n}"), "text": "more"}))
            .await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        assert!(Instant::now() < deadline, "the socket was not closed");
        match tokio::time::timeout(Duration::from_secs(10), socket.ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    };
    assert_eq!(code, Some(1008));
    assert_eq!(app.count("messages").await, 2);
}

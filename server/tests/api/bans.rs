//! Bans through the admin API over real sockets: a banned address or visitor is
//! refused everywhere on the visitor API (withdrawal excepted) and nothing of theirs
//! is stored; a ban holds across a restart, ends at its expiry or when lifted; every
//! ban and unban records who did it; bad bans are refused and change nothing.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp, PAGE};

const BANNED: &str = "203.0.113.66";

/// A request from `address` (the trusted proxy's `X-Forwarded-For`).
async fn from(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    address: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("x-forwarded-for", address);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_banned_address_is_refused_on_every_visitor_call_but_may_withdraw() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let version = app.version_id().await;
    let (status, ban) = app
        .admin_post(
            "/bans",
            &json!({"network": "203.0.113.0/24", "reason": "spam from one office"}),
        )
        .await;
    assert_eq!(status, 201, "{ban}");
    assert_eq!(ban["network"], "203.0.113.0/24");
    assert_eq!(ban["created_by"], "admin token");
    assert_eq!(ban["active"], true);
    let consents = app.count("consents").await;
    let conversations = app.count("conversations").await;
    let token = consent.visitor_token.as_str();
    let id = conversation.conversation_id.as_str();
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;
    let calls: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (get.clone(), "/api/v1/channels/demo/config".into(), None),
        (
            post.clone(),
            "/api/v1/channels/demo/consents".into(),
            Some(json!({"agreement_version_id": version, "page_url": PAGE})),
        ),
        (
            post.clone(),
            "/api/v1/channels/demo/conversations".into(),
            Some(json!({"visitor_token": token, "consent_id": consent.consent_id})),
        ),
        (get.clone(), "/api/v1/channels/demo/form".into(), None),
        (
            post.clone(),
            "/api/v1/channels/demo/identify".into(),
            Some(json!({"visitor_token": token, "user": {"id": "u1"}})),
        ),
        (
            put.clone(),
            format!("/api/v1/channels/demo/conversations/{id}/rating"),
            Some(json!({"visitor_token": token, "rating": "like"})),
        ),
        (get.clone(), "/api/v1/ws".into(), None),
    ];
    for (method, path, body) in &calls {
        let (status, answer) = from(&app, method.clone(), path, BANNED, body.clone()).await;
        assert_error(status, &answer, 403, "banned");
        assert!(
            !answer.to_string().contains("spam"),
            "the reason is for admins only: {answer}"
        );
    }
    assert_eq!(app.count("consents").await, consents, "nothing stored");
    assert_eq!(app.count("conversations").await, conversations);
    // Another address is served.
    let (status, _) = from(
        &app,
        get.clone(),
        "/api/v1/channels/demo/config",
        "198.51.100.1",
        None,
    )
    .await;
    assert_eq!(status, 200);
    // Withdrawing consent stays open.
    let (status, body) = from(
        &app,
        post.clone(),
        "/api/v1/channels/demo/consents/withdrawals",
        BANNED,
        Some(json!({"visitor_token": token})),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // Lifted: served again; the record stays, with who lifted it.
    let ban_id = ban["id"].as_i64().expect("id");
    let response = app
        .http
        .delete(app.url(&format!("/api/v1/admin/bans/{ban_id}")))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .send()
        .await
        .expect("lift");
    assert_eq!(response.status(), 200);
    let (status, _) = from(&app, get, "/api/v1/channels/demo/config", BANNED, None).await;
    assert_eq!(status, 200);
    let (_, list) = app.admin_get("/bans").await;
    assert_eq!(list["bans"], json!([]), "none in force");
    let (_, all) = app.admin_get("/bans?all=true").await;
    assert_eq!(all["bans"][0]["lifted_by"], "admin token");
    assert_eq!(all["bans"][0]["active"], false);
    assert_eq!(all["bans"][0]["reason"], "spam from one office");
}

#[tokio::test]
async fn a_banned_visitor_is_refused_everywhere_even_after_a_restart() {
    let mut app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let (other, _) = app.conversation().await;
    let (status, ban) = app
        .admin_post(
            "/bans",
            &json!({"visitor_id": consent.visitor_id, "reason": "abusive messages"}),
        )
        .await;
    assert_eq!(status, 201, "{ban}");
    app.restart().await;
    let token = consent.visitor_token.as_str();
    let id = conversation.conversation_id.as_str();
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/conversations",
            &json!({"visitor_token": token, "consent_id": consent.consent_id}),
        )
        .await;
    assert_error(status, &body, 403, "banned");
    let (status, body) = app
        .put(
            &format!("/api/v1/channels/demo/conversations/{id}/rating"),
            &json!({"visitor_token": token, "rating": "dislike"}),
        )
        .await;
    assert_error(status, &body, 403, "banned");
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": token, "user": {"id": "u1"}}),
        )
        .await;
    assert_error(status, &body, 403, "banned");
    let mut socket = app.socket().await;
    socket
        .send(
            json!({"type": "hello", "conversation_id": id, "visitor_token": token, "last_seq": 0}),
        )
        .await;
    let error = socket.expect("error").await;
    assert_eq!(error["code"], "banned");
    assert!(socket.next().await.is_none(), "the socket is closed");
    assert_eq!(app.count("messages").await, 0);
    // Another visitor chats on.
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": other.visitor_token, "user": {"id": "u2"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_socket_open_when_its_visitor_or_address_is_banned_stores_nothing_more() {
    let app = spawn_app().await;
    for ban in [None, Some("127.0.0.1")] {
        let (consent, conversation) = app.conversation().await;
        let mut socket = app.joined(&consent, &conversation).await;
        socket.say("before", "before the ban").await;
        let request = match ban {
            Some(address) => json!({"network": address, "reason": "flooding"}),
            None => json!({"visitor_id": consent.visitor_id, "reason": "abusive messages"}),
        };
        let (status, made) = app.admin_post("/bans", &request).await;
        assert_eq!(status, 201, "{made}");
        let stored = app.count("messages").await;
        socket
            .send(json!({"type": "send", "client_id": "after", "text": "after the ban"}))
            .await;
        let error = socket.expect("error").await;
        assert_eq!(error["code"], "banned", "{error}");
        assert!(socket.next().await.is_none(), "the socket is closed");
        assert_eq!(app.count("messages").await, stored, "nothing more stored");
        let id = made["id"].as_i64().expect("ban id");
        let (status, lifted) = app
            .admin(reqwest::Method::DELETE, &format!("/bans/{id}"), None)
            .await;
        assert_eq!(status, 200, "{lifted}");
    }
}

#[tokio::test]
async fn a_ban_ends_at_its_expiry() {
    let app = spawn_app().await;
    let expires = time::OffsetDateTime::now_utc() + Duration::from_secs(5);
    let expires = expires
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let (status, ban) = app
        .admin_post(
            "/bans",
            &json!({"network": BANNED, "reason": "cool down", "expires_at": expires}),
        )
        .await;
    assert_eq!(status, 201, "{ban}");
    assert_eq!(ban["network"], format!("{BANNED}/32"));
    let (status, _) = from(
        &app,
        reqwest::Method::GET,
        "/api/v1/channels/demo/config",
        BANNED,
        None,
    )
    .await;
    assert_eq!(status, 403);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _) = from(
            &app,
            reqwest::Method::GET,
            "/api/v1/channels/demo/config",
            BANNED,
            None,
        )
        .await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the ban did not end");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn bad_bans_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (consent, _) = app.conversation().await;
    let bad = [
        json!({"reason": "neither"}),
        json!({"network": "10.0.0.0/8", "visitor_id": consent.visitor_id, "reason": "both"}),
        json!({"network": "10.0.0.0/33", "reason": "bad prefix"}),
        json!({"network": "not an address", "reason": "bad"}),
        json!({"network": "10.0.0.1", "reason": "  "}),
        json!({"visitor_id": "nobody", "reason": "unknown visitor"}),
        json!({"network": "10.0.0.1", "reason": "past", "expires_at": "2001-01-01T00:00:00Z"}),
        json!({"network": "10.0.0.1", "reason": "bad time", "expires_at": "tomorrow"}),
    ];
    for body in bad {
        let (status, answer) = app.admin_post("/bans", &body).await;
        assert_error(status, &answer, 422, "invalid_field");
    }
    let (status, answer) = app
        .admin_post(
            "/bans",
            &json!({"network": "10.0.0.1", "reason": "x", "until": "y"}),
        )
        .await;
    assert_error(status, &answer, 400, "unknown_field");
    assert_eq!(app.count("bans").await, 0);

    // Lifting: unknown 404, twice 409.
    let lift = |id: String| {
        app.http
            .delete(app.url(&format!("/api/v1/admin/bans/{id}")))
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .send()
    };
    assert_eq!(lift("42".into()).await.expect("lift").status(), 404);
    assert_eq!(lift("x".into()).await.expect("lift").status(), 404);
    let (_, ban) = app
        .admin_post("/bans", &json!({"network": "10.0.0.1", "reason": "once"}))
        .await;
    let id = ban["id"].to_string();
    assert_eq!(lift(id.clone()).await.expect("lift").status(), 200);
    assert_eq!(lift(id).await.expect("lift").status(), 409);

    // Without the token: 401; an agent's console: 403; an admin's: named in the record.
    let response = app
        .http
        .get(app.url("/api/v1/admin/bans"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
    app.agent("ana@shop.example", "Ana", "agent").await;
    let cookie = app.login("ana@shop.example").await;
    let response = app
        .http
        .post(app.url("/api/v1/admin/bans"))
        .header("cookie", &cookie)
        .json(&json!({"network": "10.0.0.2", "reason": "not hers to ban"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
    let boss = app.agent("boss@shop.example", "Boss", "admin").await;
    let cookie = app.login("boss@shop.example").await;
    let response = app
        .http
        .post(app.url("/api/v1/admin/bans"))
        .header("cookie", &cookie)
        .json(&json!({"network": "10.0.0.3", "reason": "hers"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 201);
    let ban: Value = response.json().await.expect("json");
    assert_eq!(
        ban["created_by"],
        format!("agent {boss} <boss@shop.example>")
    );
    assert_eq!(app.count("bans").await, 2);
}

//! API keys: made by admins and shown once, stored only as a hash, each working on
//! the routes of its scopes and refused everywhere else, dead once revoked; bad
//! requests refused with nothing stored.

use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{assert_error, spawn_app, TestApp};

/// Makes a key with `scopes`; returns the key and its id.
async fn key(app: &TestApp, scopes: &[&str]) -> (String, String) {
    let (status, created) = app
        .admin_post(
            "/api-keys",
            &json!({"name": format!("key for {scopes:?}"), "scopes": scopes}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().expect("key").to_owned();
    (key, created["id"].as_str().expect("id").to_owned())
}

/// One route of each scope, and what a call to it looks like.
struct Route {
    scope: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
}

async fn routes(app: &TestApp) -> Vec<Route> {
    let (_, conversation) = app.conversation().await;
    let id = conversation.conversation_id;
    vec![
        Route {
            scope: "read_consents",
            method: Method::GET,
            path: "/consents".into(),
            body: None,
        },
        Route {
            scope: "read_conversations",
            method: Method::GET,
            path: "/conversations".into(),
            body: None,
        },
        Route {
            scope: "read_conversations",
            method: Method::GET,
            path: format!("/conversations/{id}"),
            body: None,
        },
        Route {
            scope: "write_messages",
            method: Method::POST,
            path: format!("/conversations/{id}/messages"),
            body: Some(json!({"client_id": "crm-1", "text": "Your order has shipped."})),
        },
        Route {
            scope: "manage_webhooks",
            method: Method::GET,
            path: "/webhooks".into(),
            body: None,
        },
        Route {
            scope: "manage_connectors",
            method: Method::GET,
            path: "/connectors".into(),
            body: None,
        },
        Route {
            scope: "read_crm",
            method: Method::GET,
            path: "/crm/contacts".into(),
            body: None,
        },
        Route {
            scope: "read_crm",
            method: Method::GET,
            path: "/crm/records?kind=deal".into(),
            body: None,
        },
    ]
}

#[tokio::test]
async fn each_scope_opens_its_routes_and_no_others() {
    let app = spawn_app().await;
    let routes = routes(&app).await;
    for scope in [
        "read_consents",
        "read_conversations",
        "write_messages",
        "manage_webhooks",
        "manage_connectors",
        "read_crm",
    ] {
        let (key, _) = key(&app, &[scope]).await;
        for route in &routes {
            let (status, answer) = app
                .with_key(&key, route.method.clone(), &route.path, route.body.as_ref())
                .await;
            if route.scope == scope {
                assert!(
                    status == 200 || status == 201,
                    "{scope} on {}: {status} {answer}",
                    route.path
                );
            } else {
                assert_error(status, &answer, 403, "forbidden");
                assert!(
                    answer["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(route.scope)),
                    "{answer}"
                );
            }
        }
        // Admin-only routes refuse every key, whatever its scopes.
        for (method, path, body) in [
            (Method::GET, "/api-keys", None),
            (
                Method::POST,
                "/api-keys",
                Some(json!({"name": "mine", "scopes": ["read_consents"]})),
            ),
            (Method::GET, "/channels", None),
            // Reading the CRM is a scope; changing it is not.
            (
                Method::PATCH,
                "/crm/contacts/no-such",
                Some(json!({"name": "Someone"})),
            ),
            (
                Method::POST,
                "/consents/withdrawals",
                Some(json!({"visitor_id": "x", "agreement_id": "y"})),
            ),
        ] {
            let (status, answer) = app.with_key(&key, method, path, body.as_ref()).await;
            assert_error(status, &answer, 403, "forbidden");
        }
    }
    // One message went in, once (the same client id from six keys... only the
    // write_messages key could post it).
    let posted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE author = 'agent'")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(posted, 1);
    // A key with several scopes opens each of them.
    let (both, _) = key(&app, &["read_consents", "manage_webhooks"]).await;
    for path in ["/consents", "/webhooks"] {
        let (status, answer) = app.with_key(&both, Method::GET, path, None).await;
        assert_eq!(status, 200, "{answer}");
    }
}

#[tokio::test]
async fn a_key_is_shown_once_and_stored_only_as_its_hash() {
    let app = spawn_app().await;
    let (status, created) = app
        .admin_post(
            "/api-keys",
            &json!({"name": " CRM sync ", "scopes": ["read_consents", "read_consents", "read_conversations"]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().expect("key");
    assert!(key.starts_with("canal_") && key.len() == 6 + 43, "{key}");
    assert_eq!(created["name"], "CRM sync");
    assert_eq!(
        created["scopes"],
        json!(["read_conversations", "read_consents"])
    );
    assert_eq!(created["prefix"], key[..12]);
    assert_eq!(created["created_by"], "admin token");

    let (status, list) = app.admin_get("/api-keys").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert!(list[0].get("key").is_none(), "{list}");
    assert!(!list.to_string().contains(key));

    // The row holds the SHA-256, never the key.
    let rows: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT id, name, prefix, sha256, scopes FROM api_keys")
            .fetch_all(app.db.pool())
            .await
            .expect("rows");
    assert_eq!(rows.len(), 1);
    let (id, name, prefix, sha256, scopes) = &rows[0];
    let digest: String = Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sha256, &digest);
    for column in [id, name, prefix, sha256, scopes] {
        assert!(!column.contains(&key[6..]), "{column}");
    }
}

#[tokio::test]
async fn a_revoked_key_stops_working_at_once() {
    let app = spawn_app().await;
    let (key, id) = key(&app, &["read_consents"]).await;
    let (status, _) = app.with_key(&key, Method::GET, "/consents", None).await;
    assert_eq!(status, 200);

    let (status, revoked) = app.admin_delete(&format!("/api-keys/{id}")).await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    let (status, answer) = app.with_key(&key, Method::GET, "/consents", None).await;
    assert_error(status, &answer, 401, "unauthorized");
    // Revoking again changes nothing; the row stays with when it was revoked.
    let (status, again) = app.admin_delete(&format!("/api-keys/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
    assert_eq!(app.count("api_keys").await, 1);
    let (status, answer) = app.admin_delete("/api-keys/no-such-key").await;
    assert_error(status, &answer, 404, "not_found");

    // A key nobody made, and a token that is neither: 401.
    for bearer in ["canal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "guess"] {
        let (status, answer) = app.with_key(bearer, Method::GET, "/consents", None).await;
        assert_error(status, &answer, 401, "unauthorized");
    }
}

#[tokio::test]
async fn bad_key_requests_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    for (body, status, code) in [
        (
            json!({"name": "", "scopes": ["read_consents"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "x".repeat(101), "scopes": ["read_consents"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "bell\u{7}", "scopes": ["read_consents"]}),
            422,
            "invalid_field",
        ),
        (json!({"name": "ok", "scopes": []}), 422, "invalid_field"),
        (
            json!({"name": "ok", "scopes": ["everything"]}),
            400,
            "bad_request",
        ),
        (json!({"name": "ok"}), 400, "bad_request"),
        (
            json!({"name": "ok", "scopes": ["read_consents"], "admin": true}),
            400,
            "unknown_field",
        ),
    ] {
        let (got, answer) = app.admin_post("/api-keys", &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app
        .post_raw(
            "/api/v1/admin/api-keys",
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(got, 401, "no token comes first: {answer}");
    // Without the admin token, nothing is made.
    let (got, answer) = app
        .post(
            "/api/v1/admin/api-keys",
            &json!({"name": "ok", "scopes": ["read_consents"]}),
        )
        .await;
    assert_error(got, &answer, 401, "unauthorized");
    assert_eq!(app.count("api_keys").await, 0);
}

#[tokio::test]
async fn an_integrations_message_reaches_the_visitor_once() {
    let app = spawn_app().await;
    let (key, _) = key(&app, &["write_messages"]).await;
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    let path = format!("/conversations/{}/messages", conversation.conversation_id);
    let body = json!({"client_id": "order-7", "text": "Your order has shipped."});
    let (status, posted) = app.with_key(&key, Method::POST, &path, Some(&body)).await;
    assert_eq!(status, 201, "{posted}");
    let frame = socket
        .until("the integration's message", |f| f["type"] == "message")
        .await;
    assert_eq!(frame["text"], "Your order has shipped.", "{frame}");
    assert_eq!(frame["author"], "agent", "{frame}");
    // The same client id again: the same message, nothing new.
    let (status, again) = app.with_key(&key, Method::POST, &path, Some(&body)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["seq"], posted["seq"]);
    // Bad input and unknown conversations: refused, nothing stored.
    let before = app.count("messages").await;
    for (path, body, status, code) in [
        (
            path.clone(),
            json!({"client_id": "", "text": "x"}),
            422,
            "invalid_field",
        ),
        (
            path.clone(),
            json!({"client_id": "a", "text": ""}),
            422,
            "invalid_field",
        ),
        (
            path.clone(),
            json!({"client_id": "a", "text": "x", "from": "me"}),
            400,
            "unknown_field",
        ),
        (
            "/conversations/nope/messages".to_owned(),
            json!({"client_id": "a", "text": "x"}),
            404,
            "unknown_conversation",
        ),
    ] {
        let (got, answer) = app.with_key(&key, Method::POST, &path, Some(&body)).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("messages").await, before);
}

//! The message log: `GET /api/v1/admin/conversations` with its filters and pages,
//! and `GET /api/v1/admin/conversations/{id}` with history, rating and routing log.

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp, PAGE};

async fn ids(app: &TestApp, query: &str) -> (Vec<String>, Value) {
    let (status, log) = app.admin_get(&format!("/conversations{query}")).await;
    assert_eq!(status, 200, "{query}: {log}");
    let ids = log["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    (ids, log["next_cursor"].clone())
}

#[tokio::test]
async fn admins_read_every_conversation_filtered_and_in_pages() {
    let app = spawn_app().await;
    let (consent, first) = app.conversation().await;
    let mut socket = app.joined(&consent, &first).await;
    socket.say("m-1", "Where is my order?").await;
    let (status, rated) = app
        .put(
            &format!(
                "/api/v1/channels/demo/conversations/{}/rating",
                first.conversation_id
            ),
            &json!({"visitor_token": consent.visitor_token, "rating": "like"}),
        )
        .await;
    assert_eq!(status, 200, "{rated}");
    let (_, second) = app.conversation().await;
    let (status, _) = app
        .admin_post("/channels", &json!({"key": "shop", "name": "Shop"}))
        .await;
    assert_eq!(status, 201);
    let (status, third) = app
        .post(
            "/api/v1/channels/shop/conversations",
            &json!({"page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{third}");
    let third = third["conversation_id"].as_str().expect("id").to_owned();

    // Newest first (ties in the same millisecond by id), every channel.
    let (status, log) = app.admin_get("/conversations").await;
    assert_eq!(status, 200, "{log}");
    let listed = log["conversations"].as_array().expect("conversations");
    let order: Vec<(String, String)> = listed
        .iter()
        .map(|c| {
            (
                c["started_at"].as_str().expect("at").to_owned(),
                c["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect();
    let mut newest_first = order.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(order, newest_first);
    let all: Vec<String> = order.into_iter().map(|(_, id)| id).collect();
    let mut expected = vec![
        first.conversation_id.clone(),
        second.conversation_id.clone(),
        third.clone(),
    ];
    expected.sort();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(log["next_cursor"], Value::Null);
    let (status, log) = app
        .admin_get(&format!(
            "/conversations?channel=demo&from={}",
            listed[2]["started_at"].as_str().expect("at")
        ))
        .await;
    assert_eq!(status, 200);
    let oldest = log["conversations"]
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"] == first.conversation_id.as_str())
        .expect("the first conversation")
        .clone();
    assert_eq!(oldest["channel_key"], "demo");
    assert_eq!(oldest["status"], "open");
    assert_eq!(oldest["messages"], 1);
    assert_eq!(oldest["rating"], "like");
    assert_eq!(oldest["page_url"], PAGE);
    assert!(oldest["last_message_at"].is_string(), "{oldest}");
    assert_eq!(ids(&app, "?channel=shop").await.0, [third]);
    assert!(ids(&app, "?channel=nope").await.0.is_empty());
    assert_eq!(ids(&app, "?channel=demo").await.0.len(), 2);
    assert_eq!(ids(&app, "?status=open").await.0.len(), 3);
    assert!(ids(&app, "?status=closed").await.0.is_empty());
    assert!(ids(&app, "?agent=1").await.0.is_empty(), "nobody holds one");
    assert_eq!(ids(&app, "?from=2020-01-01").await.0.len(), 3);
    assert!(ids(&app, "?to=2020-01-01").await.0.is_empty());

    // Pages of two: the cursor leads on, then ends; together they are the list.
    let (page, cursor) = ids(&app, "?limit=2").await;
    assert_eq!(page, all[..2]);
    let cursor = cursor.as_str().expect("a next page").to_owned();
    let (rest, end) = ids(&app, &format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(rest, all[2..]);
    assert_eq!(end, Value::Null);

    // One conversation in full.
    let (status, record) = app
        .admin_get(&format!("/conversations/{}", first.conversation_id))
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["conversation"]["id"], first.conversation_id.as_str());
    let texts: Vec<&str> = record["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, ["Where is my order?"]);
    assert_eq!(record["rating"]["rating"], "like");
    assert!(
        !record["routing_log"].as_array().expect("log").is_empty(),
        "{record}"
    );
}

#[tokio::test]
async fn a_bad_log_query_is_refused() {
    let app = spawn_app().await;
    app.conversation().await;
    for (query, status, code) in [
        ("?status=pending", 422, "invalid_field"),
        ("?agent=ann", 422, "invalid_field"),
        ("?agent=0", 422, "invalid_field"),
        ("?limit=0", 422, "invalid_field"),
        ("?limit=201", 422, "invalid_field"),
        ("?limit=many", 422, "invalid_field"),
        ("?cursor=not-a-cursor", 422, "invalid_field"),
        ("?from=yesterday", 422, "invalid_field"),
        ("?from=2030-01-02&to=2030-01-01", 422, "invalid_field"),
        ("?sort=oldest", 422, "invalid_field"),
        ("?order=oldest", 400, "unknown_field"),
    ] {
        let (got, answer) = app.admin_get(&format!("/conversations{query}")).await;
        assert_eq!(got, status, "{query}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{query}: {answer}");
    }
    let (status, answer) = app.admin_get("/conversations/nope").await;
    assert_error(status, &answer, 404, "unknown_conversation");
    let anonymous = app
        .http
        .get(app.url("/api/v1/admin/conversations"))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), 401);
    // Read-only: nothing else is allowed on the log.
    let (status, _) = app
        .admin(reqwest::Method::DELETE, "/conversations", None)
        .await;
    assert_eq!(status, 405);
}

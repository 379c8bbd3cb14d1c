//! Canned answers over real sockets: admins and the channel's managers keep them
//! (create, list by code, change, delete), an agent gets them filled in for a
//! conversation they may open; bad
//! drafts, taken codes, unknown channels and ids are refused and change nothing;
//! other roles are refused.

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp};

/// A call with a console session's cookie (`path` from the server's root).
async fn with_cookie(
    app: &TestApp,
    cookie: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .http
        .request(method, app.url(path))
        .header("cookie", cookie);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The codes of a list answer.
fn codes(list: &Value) -> Vec<&str> {
    list["canned"]
        .as_array()
        .expect("canned")
        .iter()
        .map(|c| c["code"].as_str().expect("code"))
        .collect()
}

#[tokio::test]
async fn admins_keep_a_channels_canned_answers_and_agents_get_them_filled_in() {
    let app = spawn_app().await;
    app.agent("ada@shop.example", "Ada", "admin").await;
    app.agent("ann@shop.example", "Ann", "agent").await;
    let ada = app.login("ada@shop.example").await;
    let ann = app.login("ann@shop.example").await;

    let (status, thanks) = app
        .admin_post(
            "/channels/demo/canned",
            &json!({"code": " thanks ", "text": " Thank you, {name}! "}),
        )
        .await;
    assert_eq!(status, 201, "{thanks}");
    assert_eq!(thanks["code"], "thanks", "trimmed");
    assert_eq!(thanks["text"], "Thank you, {name}!");
    let (status, made) = app
        .admin_post(
            "/channels/demo/canned",
            &json!({"code": "hours", "text": "We answer 9 to 5, {agent} here."}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, listed) = app.admin_get("/channels/demo/canned").await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(codes(&listed), ["hours", "thanks"], "by code");

    // For a reply: filled in with the agent's name, and the visitor's once known.
    let (consent, conversation) = app.conversation().await;
    let reply = format!(
        "/api/v1/agent/conversations/{}/canned",
        conversation.conversation_id
    );
    let texts = |list: &Value| -> Vec<String> {
        list["canned"]
            .as_array()
            .expect("canned")
            .iter()
            .map(|c| c["text"].as_str().expect("text").to_owned())
            .collect()
    };
    let (status, read) = with_cookie(&app, &ada, reqwest::Method::GET, &reply, None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(texts(&read), ["We answer 9 to 5, Ada here.", "Thank you!"]);
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": consent.visitor_token, "user": {"id": "u1", "name": "Lucía"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, read) = with_cookie(&app, &ada, reqwest::Method::GET, &reply, None).await;
    assert_eq!(texts(&read)[1], "Thank you, Lucía!");
    // Not for an agent the conversation is not offered to, nor for nobody.
    let (status, refused) = with_cookie(&app, &ann, reqwest::Method::GET, &reply, None).await;
    assert_error(status, &refused, 403, "forbidden");
    let response = app.http.get(app.url(&reply)).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 401);

    let id = thanks["id"].as_i64().expect("id");
    let path = format!("/channels/demo/canned/{id}");
    let (status, changed) = app
        .admin_put(&path, &json!({"code": "ty", "text": "Thanks!"}))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed, json!({"id": id, "code": "ty", "text": "Thanks!"}));
    let (status, _) = app.admin(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, again) = app.admin(reqwest::Method::DELETE, &path, None).await;
    assert_error(status, &again, 404, "not_found");
    assert_eq!(
        codes(&app.admin_get("/channels/demo/canned").await.1),
        ["hours"]
    );
}

#[tokio::test]
async fn bad_canned_answers_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (status, made) = app
        .admin_post(
            "/channels/demo/canned",
            &json!({"code": "hi", "text": "Hello!"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().expect("id");
    let long = "x".repeat(canal_protocol::limits::MAX_MESSAGE_CHARS + 1);
    for (body, status_code, code) in [
        (json!({"code": "", "text": "Hello"}), 422, "invalid_field"),
        (
            json!({"code": "Two Words", "text": "Hello"}),
            422,
            "invalid_field",
        ),
        (
            json!({"code": "/hi", "text": "Hello"}),
            422,
            "invalid_field",
        ),
        (
            json!({"code": "x".repeat(33), "text": "Hello"}),
            422,
            "invalid_field",
        ),
        (json!({"code": "ok", "text": "   "}), 422, "invalid_field"),
        (json!({"code": "ok", "text": long}), 422, "invalid_field"),
        (json!({"code": "ok"}), 400, "bad_request"),
        (
            json!({"code": "ok", "text": "Hello", "title": "x"}),
            400,
            "unknown_field",
        ),
        (
            json!({"code": "hi", "text": "Hello again"}),
            409,
            "conflict",
        ),
    ] {
        let (status, answer) = app.admin_post("/channels/demo/canned", &body).await;
        assert_eq!(status, status_code, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }
    let (status, answer) = app
        .admin_post(
            "/channels/nowhere/canned",
            &json!({"code": "ok", "text": "Hello"}),
        )
        .await;
    assert_error(status, &answer, 404, "unknown_channel");
    for path in ["/channels/demo/canned/999", "/channels/demo/canned/abc"] {
        let (status, answer) = app
            .admin_put(path, &json!({"code": "ok", "text": "Hello"}))
            .await;
        assert_error(status, &answer, 404, "not_found");
    }
    // Another channel's answer is not this channel's.
    let (status, _) = app
        .admin_post("/channels", &json!({"name": "Shop", "key": "shop"}))
        .await;
    assert_eq!(status, 201);
    let (status, answer) = app
        .admin_put(
            &format!("/channels/shop/canned/{id}"),
            &json!({"code": "ok", "text": "Hello"}),
        )
        .await;
    assert_error(status, &answer, 404, "not_found");
    let (status, other) = app
        .admin_post(
            "/channels/demo/canned",
            &json!({"code": "bye", "text": "Bye!"}),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let (status, answer) = app
        .admin_put(
            &format!("/channels/demo/canned/{id}"),
            &json!({"code": "bye", "text": "Hello"}),
        )
        .await;
    assert_error(status, &answer, 409, "conflict");
    let (_, listed) = app.admin_get("/channels/demo/canned").await;
    assert_eq!(
        listed["canned"],
        json!([other, {"id": id, "code": "hi", "text": "Hello!"}]),
        "nothing changed"
    );
}

#[tokio::test]
async fn only_admins_and_the_channels_managers_keep_canned_answers() {
    let app = spawn_app().await;
    let sam = app.agent("sam@shop.example", "Sam", "supervisor").await;
    app.agent("sue@shop.example", "Sue", "supervisor").await;
    app.agent("ann@shop.example", "Ann", "agent").await;
    let (status, _) = app
        .admin_put("/channels/demo/managers", &json!({"agent_ids": [sam]}))
        .await;
    assert_eq!(status, 200);
    let draft = |code: &str| json!({"code": code, "text": "Hello"});
    let path = "/api/v1/admin/channels/demo/canned";
    for email in ["sue@shop.example", "ann@shop.example"] {
        let cookie = app.login(email).await;
        let (status, answer) =
            with_cookie(&app, &cookie, reqwest::Method::POST, path, Some(draft("x"))).await;
        assert_eq!(status, 403, "{email}: {answer}");
        let (status, _) = with_cookie(&app, &cookie, reqwest::Method::GET, path, None).await;
        assert_eq!(status, 403, "{email}");
    }
    assert_eq!(app.count("canned_answers").await, 0, "nothing stored");
    let cookie = app.login("sam@shop.example").await;
    let (status, made) = with_cookie(
        &app,
        &cookie,
        reqwest::Method::POST,
        path,
        Some(draft("sam")),
    )
    .await;
    assert_eq!(status, 201, "the channel's manager: {made}");
}

//! The agent side over real sockets: console login, the admin API for agents,
//! departments and routing settings, and each routing mode driven through visitor
//! and console sockets.

use canal_protocol::{ConsentCreated, ConversationCreated};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::{assert_error, on_postgres, spawn_app, Socket, TestApp};

pub(crate) const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// Creates an agent through the admin API; returns its id.
    pub(crate) async fn agent(&self, email: &str, name: &str, role: &str) -> u64 {
        let (status, body) = self
            .admin_post(
                "/agents",
                &json!({"email": email, "name": name, "password": PASSWORD, "role": role}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_u64().expect("id")
    }

    /// Signs in; returns the `Cookie` header value.
    pub(crate) async fn login(&self, email: &str) -> String {
        let response = self
            .http
            .post(self.url("/api/v1/agent/login"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 200);
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie")
            .to_owned();
        cookie.split(';').next().expect("name=value").to_owned()
    }

    /// A console socket, past its `welcome` frame (returned too).
    pub(crate) async fn console(&self, email: &str) -> (Socket, Value) {
        let cookie = self.login(email).await;
        self.console_with(&cookie).await
    }

    /// A console socket of the session in `cookie`, past its `welcome` frame.
    pub(crate) async fn console_with(&self, cookie: &str) -> (Socket, Value) {
        let mut request = format!("ws://{}/api/v1/agent/ws", self.addr)
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "cookie",
            HeaderValue::from_str(cookie).expect("cookie header"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("console socket");
        let mut socket = Socket { ws };
        let welcome = socket.expect("welcome").await;
        (socket, welcome)
    }

    /// Names the demo channel's managers: the supervisors who see all of its
    /// conversations.
    pub(crate) async fn managers(&self, supervisors: &[u64]) {
        let (status, body) = self
            .admin_put(
                "/channels/demo/managers",
                &json!({"agent_ids": supervisors}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    pub(crate) async fn routing(&self, settings: Value) {
        let (status, body) = self.admin_put("/channels/demo/routing", &settings).await;
        assert_eq!(status, 200, "{body}");
    }

    /// A visitor who accepted, started a conversation and joined its socket.
    pub(crate) async fn visitor(&self) -> (ConsentCreated, ConversationCreated, Socket) {
        let (consent, conversation) = self.conversation().await;
        let socket = self.joined(&consent, &conversation).await;
        (consent, conversation, socket)
    }
}

/// Ana (id 1) and Ben (id 2), both agents with a console open, on the demo channel
/// routed as `routing(ana, ben)` says.
pub(crate) struct Team {
    pub(crate) app: TestApp,
    pub(crate) ana: u64,
    pub(crate) ben: u64,
    pub(crate) ana_console: Socket,
    pub(crate) ben_console: Socket,
}

pub(crate) async fn team(routing: impl Fn(u64, u64) -> Value) -> Team {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let ben = app.agent("ben@shop.example", "Ben", "agent").await;
    app.routing(routing(ana, ben)).await;
    let (ana_console, _) = app.console("ana@shop.example").await;
    let (ben_console, _) = app.console("ben@shop.example").await;
    Team {
        app,
        ana,
        ben,
        ana_console,
        ben_console,
    }
}

pub(crate) fn settings(mode: &str, queue: &[u64]) -> Value {
    json!({
        "mode": mode,
        "pass_after_secs": 600,
        "check_online": true,
        "queue": queue.iter().map(|id| json!({"agent": id})).collect::<Vec<_>>(),
    })
}

pub(crate) fn is_upsert(id: &str, kind: &'static str) -> impl Fn(&Value) -> bool {
    let id = id.to_owned();
    move |f| {
        f["type"] == "upsert"
            && f["conversation"]["id"] == id.as_str()
            && f["conversation"]["kind"] == kind
    }
}

pub(crate) fn is_remove(id: &str) -> impl Fn(&Value) -> bool {
    let id = id.to_owned();
    move |f| f["type"] == "remove" && f["conversation_id"] == id.as_str()
}

#[tokio::test]
async fn login_sets_an_httponly_strict_cookie_and_logout_ends_the_session() {
    let app = spawn_app().await;
    app.agent("ana@shop.example", "Ana", "agent").await;

    let (status, body) = app
        .post(
            "/api/v1/agent/login",
            &json!({"email": "ana@shop.example", "password": "wrong password"}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = app
        .post(
            "/api/v1/agent/login",
            &json!({"email": "nobody@shop.example", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = app
        .post(
            "/api/v1/agent/login",
            &json!({"email": "ana@shop.example", "password": PASSWORD, "remember": true}),
        )
        .await;
    assert_error(status, &body, 400, "unknown_field");
    assert_eq!(app.count("agent_sessions").await, 0);

    let response = app
        .http
        .post(app.url("/api/v1/agent/login"))
        .json(&json!({"email": "ANA@shop.example ", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 200);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    assert!(set_cookie.starts_with("canal_agent="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let profile: Value = response.json().await.expect("profile");
    assert_eq!(profile["name"], "Ana");
    assert!(profile.get("password_hash").is_none());
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();

    let me = |cookie: Option<String>| {
        let mut request = app.http.get(app.url("/api/v1/agent/me"));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    assert_eq!(me(Some(cookie.clone())).await.expect("me").status(), 200);
    assert_eq!(me(None).await.expect("me").status(), 401);
    assert_eq!(
        me(Some("canal_agent=forged".into()))
            .await
            .expect("me")
            .status(),
        401
    );
    let out = app
        .http
        .post(app.url("/api/v1/agent/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 204);
    assert_eq!(me(Some(cookie)).await.expect("me").status(), 401);
    // Only the token's hash was ever stored.
    let stored: Vec<(String,)> = sqlx::query_as("SELECT password_hash FROM agents")
        .fetch_all(app.db.pool())
        .await
        .expect("read");
    assert!(stored.iter().all(|(h,)| h.starts_with("$argon2id$")));
}

#[tokio::test]
async fn admin_agent_api_refuses_bad_input_and_stores_nothing() {
    let app = spawn_app().await;
    app.agent("ana@shop.example", "Ana", "agent").await;
    let cases = [
        (
            json!({"email": "not-an-email", "name": "B", "password": PASSWORD}),
            422,
            "invalid_field",
        ),
        (
            json!({"email": "b@shop.example", "name": "B", "password": "short"}),
            422,
            "invalid_field",
        ),
        (
            json!({"email": "b@shop.example", "name": "", "password": PASSWORD}),
            422,
            "invalid_field",
        ),
        (
            json!({"email": "b@shop.example", "name": "B", "password": PASSWORD, "role": "owner"}),
            400,
            "bad_request",
        ),
        (
            json!({"email": "b@shop.example", "name": "B", "password": PASSWORD, "salary": 1}),
            400,
            "unknown_field",
        ),
        (
            json!({"email": "b@shop.example", "name": "B", "password": PASSWORD, "avatar_url": "javascript:alert(1)"}),
            422,
            "invalid_field",
        ),
        (
            json!({"email": "ANA@shop.example", "name": "B", "password": PASSWORD}),
            409,
            "conflict",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = app.admin_post("/agents", &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("agents").await, 1);

    let (status, body) = app.admin_patch("/agents/999", &json!({"cap": 2})).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app.admin_patch("/agents/abc", &json!({"cap": 2})).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app
        .admin_patch("/agents/1", &json!({"name": "Ana B", "password": "short"}))
        .await;
    assert_error(status, &body, 422, "invalid_field");
    let (_, list) = app.admin_get("/agents").await;
    assert_eq!(
        list["agents"][0]["name"], "Ana",
        "a refused patch changes nothing"
    );

    // Without the token, or with an agent's (non-admin) session: refused.
    let (status, body) = app
        .post(
            "/api/v1/admin/agents",
            &json!({"email": "c@shop.example", "name": "C", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
    let cookie = app.login("ana@shop.example").await;
    let response = app
        .http
        .get(app.url("/api/v1/admin/agents"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn routing_settings_are_checked_before_anything_changes() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let bad = [
        (
            json!({"mode": "strict", "pass_after_secs": 59, "check_online": true, "queue": []}),
            422,
            "invalid_field",
        ),
        (
            json!({"mode": "strict", "pass_after_secs": 43201, "check_online": true, "queue": []}),
            422,
            "invalid_field",
        ),
        (
            json!({"mode": "random", "pass_after_secs": 60, "check_online": true, "queue": []}),
            400,
            "bad_request",
        ),
        (
            json!({"mode": "all", "pass_after_secs": 60, "check_online": true, "queue": [{"agent": 77}]}),
            422,
            "invalid_field",
        ),
        (
            json!({"mode": "all", "pass_after_secs": 60, "check_online": true, "queue": [{"department": 5}]}),
            422,
            "invalid_field",
        ),
        (
            json!({"mode": "all", "pass_after_secs": 60, "check_online": true, "queue": [], "bot_agent_id": ana}),
            422,
            "invalid_field",
        ),
        (
            json!({"mode": "all", "pass_after_secs": 60, "check_online": true, "queue": [], "no_agent_reply": "  "}),
            422,
            "invalid_field",
        ),
        (
            json!({"mode": "all", "pass_after_secs": 60, "check_online": true, "queue": [], "colour": "red"}),
            400,
            "unknown_field",
        ),
    ];
    for (body, status, code) in bad {
        let (got, answer) = app.admin_put("/channels/demo/routing", &body).await;
        assert_error(got, &answer, status, code);
    }
    let (status, now) = app.admin_get("/channels/demo/routing").await;
    assert_eq!(status, 200);
    assert_eq!(now["mode"], "strict");
    assert_eq!(now["queue"], json!([{"agent": ana}]));
    let (status, body) = app
        .admin_put("/channels/nope/routing", &settings("all", &[]))
        .await;
    assert_error(status, &body, 404, "unknown_channel");

    // Departments: members must exist; a department may then stand in a queue.
    let (status, body) = app
        .admin_put(
            "/departments/1",
            &json!({"name": "Sales", "members": [ana, 99]}),
        )
        .await;
    assert_error(status, &body, 422, "invalid_field");
    assert_eq!(app.count("departments").await, 0);
    let (status, _) = app
        .admin_put(
            "/departments/1",
            &json!({"name": "Sales", "members": [ana]}),
        )
        .await;
    assert_eq!(status, 200);
    app.routing(
        json!({"mode": "evenly", "pass_after_secs": 60, "check_online": false,
                       "queue": [{"department": 1}]}),
    )
    .await;
}

#[tokio::test]
async fn the_agent_socket_refuses_strangers_and_bad_frames() {
    let app = spawn_app().await;
    app.agent("ana@shop.example", "Ana", "agent").await;
    let anonymous =
        tokio_tungstenite::connect_async(format!("ws://{}/api/v1/agent/ws", app.addr)).await;
    match anonymous {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("expected 401, got {other:?}"),
    }
    let (mut console, welcome) = app.console("ana@shop.example").await;
    assert_eq!(welcome["agent"]["name"], "Ana");
    assert_eq!(welcome["status"], "online");
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();

    let bad: [(&str, &str); 8] = [
        ("{not json", "bad_request"),
        (r#"{"type":"take"}"#, "bad_request"),
        (
            r#"{"type":"take","conversation_id":"c","as":"admin"}"#,
            "unknown_field",
        ),
        (
            r#"{"type":"take","conversation_id":"no-such"}"#,
            "unknown_conversation",
        ),
        (r#"{"type":"status","status":"offline"}"#, "invalid_field"),
        (
            &format!(r#"{{"type":"reply","conversation_id":"{id}","client_id":"r1","text":"hi"}}"#),
            "forbidden",
        ),
        (
            &format!(r#"{{"type":"open","conversation_id":"{id}"}}"#),
            "forbidden",
        ),
        (
            &format!(r#"{{"type":"close","conversation_id":"{id}"}}"#),
            "forbidden",
        ),
    ];
    for (frame, code) in bad {
        console.send_text(frame).await;
        let error = console.until("an error", |f| f["type"] == "error").await;
        assert_eq!(error["code"], code, "{frame} -> {error}");
    }
    assert_eq!(app.count("messages").await, 0);
    let (_, conv) = app
        .get(&format!("/api/v1/admin/conversations/{id}/routing"))
        .await;
    assert_eq!(conv["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn evenly_spreads_offers_and_the_visitor_sees_the_agents_name() {
    let Team {
        app,
        ana: _,
        ben: _,
        mut ana_console,
        mut ben_console,
    } = team(|ana, ben| settings("evenly", &[ana, ben])).await;

    let (_, first, mut visitor) = app.visitor().await;
    let (_, second, _) = app.visitor().await;
    // Two offers, one each (who gets which depends on who was idle longest).
    let ana_offer = ana_console
        .until("an offer", |f| {
            f["type"] == "upsert" && f["conversation"]["kind"] == "offered"
        })
        .await;
    let ben_offer = ben_console
        .until("an offer", |f| {
            f["type"] == "upsert" && f["conversation"]["kind"] == "offered"
        })
        .await;
    let mut offered = [
        ana_offer["conversation"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        ben_offer["conversation"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    ];
    offered.sort();
    let mut expected = [
        first.conversation_id.clone(),
        second.conversation_id.clone(),
    ];
    expected.sort();
    assert_eq!(offered, expected);

    // Whoever has the first conversation takes it and answers.
    let (holder, name) = if ana_offer["conversation"]["id"] == first.conversation_id.as_str() {
        (&mut ana_console, "Ana")
    } else {
        (&mut ben_console, "Ben")
    };
    let id = first.conversation_id.as_str();
    holder
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    holder.until("mine", is_upsert(id, "mine")).await;
    holder
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    let opened = holder
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert!(
        opened["log"].as_array().is_some_and(|l| l.len() >= 2),
        "{opened}"
    );
    visitor.say("v1", "Do you ship to Spain?").await;
    let seen = holder
        .until("the visitor's message", |f| f["type"] == "message")
        .await;
    assert_eq!(seen["message"]["text"], "Do you ship to Spain?");
    holder
        .send(json!({"type": "reply", "conversation_id": id, "client_id": "r1", "text": "Yes, in 3 days."}))
        .await;
    let ack = holder.until("the ack", |f| f["type"] == "ack").await;
    assert_eq!(ack["client_id"], "r1");
    let reply = visitor
        .until("the reply", |f| {
            f["type"] == "message" && f["author"] == "agent"
        })
        .await;
    assert_eq!(reply["text"], "Yes, in 3 days.");
    assert_eq!(reply["author_name"], name);
    // A re-sent reply is acknowledged with the same number and stored once.
    holder
        .send(json!({"type": "reply", "conversation_id": id, "client_id": "r1", "text": "Yes, in 3 days."}))
        .await;
    let again = holder.until("the ack", |f| f["type"] == "ack").await;
    assert_eq!(again["seq"], ack["seq"]);
    assert_eq!(app.count("messages").await, 2);
}

#[tokio::test]
async fn display_mode_decides_the_name_the_visitor_sees() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    for (mode, want) in [("channel", json!("Demo Company")), ("hidden", Value::Null)] {
        let mut s = settings("strict", &[ana]);
        s["display_mode"] = json!(mode);
        app.routing(s).await;
        let (mut console, _) = app.console("ana@shop.example").await;
        let (_, conversation, mut visitor) = app.visitor().await;
        let id = conversation.conversation_id.as_str();
        console.until("the offer", is_upsert(id, "offered")).await;
        console
            .send(json!({"type": "take", "conversation_id": id}))
            .await;
        console.until("mine", is_upsert(id, "mine")).await;
        console
            .send(
                json!({"type": "reply", "conversation_id": id, "client_id": "r", "text": "Hello"}),
            )
            .await;
        let reply = visitor.until("the reply", |f| f["type"] == "message").await;
        assert_eq!(reply["author_name"], want, "{mode}: {reply}");
    }
}

#[tokio::test]
async fn strict_offers_in_queue_order_and_a_decline_passes_it_on() {
    let Team {
        app,
        ana,
        ben: _,
        mut ana_console,
        mut ben_console,
    } = team(|ana, ben| settings("strict", &[ben, ana])).await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ben_console
        .until("Ben's offer", is_upsert(id, "offered"))
        .await;
    ben_console
        .send(json!({"type": "decline", "conversation_id": id}))
        .await;
    ben_console.until("the offer gone", is_remove(id)).await;
    let offer = ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;
    assert_eq!(offer["conversation"]["offered_to"], json!([ana]));
    let (status, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    assert_eq!(status, 200);
    let lines = log["lines"].as_array().expect("lines");
    assert!(
        lines
            .iter()
            .any(|l| l["text"].as_str().is_some_and(|t| t.contains("declined"))),
        "{log}"
    );
    assert!(
        lines.iter().all(|l| l["entry"]["mode"] == "strict"),
        "{log}"
    );
}

#[tokio::test]
async fn all_at_once_offers_everyone_and_the_first_take_wins() {
    let Team {
        app,
        ana,
        ben: _,
        mut ana_console,
        mut ben_console,
    } = team(|ana, ben| settings("all", &[ana, ben])).await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;
    ben_console
        .until("Ben's offer", is_upsert(id, "offered"))
        .await;
    ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    ana_console.until("mine", is_upsert(id, "mine")).await;
    ben_console
        .until("the offer withdrawn", is_remove(id))
        .await;
    ben_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    let error = ben_console
        .until("an error", |f| f["type"] == "error")
        .await;
    assert_eq!(error["code"], "routing_refused");
    let holder: (Option<i64>,) = sqlx::query_as("SELECT agent_id FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("read");
    assert_eq!(holder.0, Some(ana as i64));
}

#[tokio::test]
async fn with_nobody_online_it_waits_replies_once_and_is_offered_when_someone_comes() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let sue = app.agent("sue@shop.example", "Sue", "supervisor").await;
    app.managers(&[sue]).await;
    let mut s = settings("evenly", &[ana]);
    s["no_agent_reply"] = json!("We are away; we will answer here.");
    app.routing(s).await;
    let (mut supervisor, _) = app.console("sue@shop.example").await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    // The reply waits for the visitor's first message, and comes after it.
    visitor.say("q1", "Is anyone there?").await;
    let notice = visitor
        .until("the auto-reply", |f| f["type"] == "message")
        .await;
    assert_eq!(notice["author"], "system");
    assert_eq!(notice["text"], "We are away; we will answer here.");
    assert_eq!(notice["seq"], 2, "after the visitor's message");
    supervisor
        .until("the waiting line", is_upsert(id, "waiting"))
        .await;

    let (mut ana_console, welcome) = app.console("ana@shop.example").await;
    let offered = welcome["inbox"].as_array().is_some_and(|inbox| {
        inbox
            .iter()
            .any(|c| c["id"] == id && c["kind"] == "offered")
    });
    if !offered {
        ana_console
            .until("the offer", is_upsert(id, "offered"))
            .await;
    }
    supervisor
        .until("someone else's now", is_upsert(id, "others"))
        .await;
    // Away: no new offers.
    ana_console
        .send(json!({"type": "status", "status": "away"}))
        .await;
    ana_console.until("away", |f| f["type"] == "status").await;
    let (_, second, mut second_visitor) = app.visitor().await;
    supervisor
        .until(
            "the second waits",
            is_upsert(&second.conversation_id, "waiting"),
        )
        .await;
    second_visitor.say("q1", "Hello?").await;
    second_visitor
        .until("its auto-reply", |f| f["type"] == "message")
        .await;
    visitor.say("q2", "Still there?").await;
    let system: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE author = 'system'")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(system, 2, "one auto-reply per conversation");
}

#[tokio::test]
async fn transfer_and_close_move_the_conversation_between_inboxes() {
    let Team {
        app,
        ana: _,
        ben,
        mut ana_console,
        mut ben_console,
    } = team(|ana, _| settings("strict", &[ana])).await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ana_console
        .until("the offer", is_upsert(id, "offered"))
        .await;
    ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    ana_console.until("mine", is_upsert(id, "mine")).await;

    ana_console
        .send(json!({"type": "transfer", "conversation_id": id, "to_agent": 999}))
        .await;
    let error = ana_console
        .until("an error", |f| f["type"] == "error")
        .await;
    assert_eq!(error["code"], "routing_refused");
    ana_console
        .send(json!({"type": "transfer", "conversation_id": id, "to_agent": ben}))
        .await;
    ana_console.until("gone from Ana", is_remove(id)).await;
    ben_console.until("Ben's now", is_upsert(id, "mine")).await;
    ben_console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    ben_console.until("closed and gone", is_remove(id)).await;
    let status: (String,) = sqlx::query_as("SELECT status FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("read");
    assert_eq!(status.0, "closed");
    ben_console
        .send(json!({"type": "reply", "conversation_id": id, "client_id": "late", "text": "hi"}))
        .await;
    let error = ben_console
        .until("an error", |f| f["type"] == "error")
        .await;
    assert_eq!(error["code"], "routing_refused");
}

#[tokio::test]
async fn a_held_conversation_is_still_held_after_a_restart() {
    let mut app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let conversation = {
        let (mut console, _) = app.console("ana@shop.example").await;
        let (_, conversation, _visitor) = app.visitor().await;
        let id = conversation.conversation_id.clone();
        console.until("the offer", is_upsert(&id, "offered")).await;
        console
            .send(json!({"type": "take", "conversation_id": id}))
            .await;
        console.until("mine", is_upsert(&id, "mine")).await;
        conversation
    };
    app.restart().await;
    let (_, welcome) = app.console("ana@shop.example").await;
    let inbox = welcome["inbox"].as_array().expect("inbox");
    assert!(
        inbox
            .iter()
            .any(|c| c["id"] == conversation.conversation_id.as_str() && c["kind"] == "mine"),
        "{welcome}"
    );
}

#[tokio::test]
async fn the_public_config_says_when_nobody_is_online_to_answer() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("evenly", &[ana])).await;
    assert!(app.config().await.offline, "Ana has no console open");
    let (mut console, _) = app.console("ana@shop.example").await;
    assert!(!app.config().await.offline, "Ana is online");
    let (_, raw) = app.get("/api/v1/channels/demo/config").await;
    assert!(raw.get("offline").is_none(), "said only when true: {raw}");
    console
        .send(json!({"type": "status", "status": "away"}))
        .await;
    console.until("away", |f| f["type"] == "status").await;
    assert!(app.config().await.offline, "Ana is away");
    let (_, raw) = app.get("/api/v1/channels/demo/config").await;
    assert_eq!(raw["offline"], true);
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("status")
}

impl Socket {
    /// A console takes the conversation `id` offered to it, and waits until it is
    /// its own.
    pub(crate) async fn take(&mut self, id: &str) {
        self.until("the offer", is_upsert(id, "offered")).await;
        self.take_offered(id).await;
    }

    /// A console takes the conversation `id` whose offer it already saw (two
    /// changes close together may come as one line).
    pub(crate) async fn take_offered(&mut self, id: &str) {
        self.send(json!({"type": "take", "conversation_id": id}))
            .await;
        self.until("mine", is_upsert(id, "mine")).await;
    }

    /// A console replies in the conversation `id` and waits for the `ack`.
    pub(crate) async fn reply(&mut self, id: &str, client_id: &str, text: &str) {
        self.send(
            json!({"type": "reply", "conversation_id": id, "client_id": client_id, "text": text}),
        )
        .await;
        self.until("the ack", |f| {
            f["type"] == "ack" && f["client_id"] == client_id
        })
        .await;
    }
}

/// Takes the offered conversation `id` and closes it from `console`.
async fn take_and_close(console: &mut Socket, id: &str) {
    console.take(id).await;
    close(console, id).await;
}

/// Closes the conversation `id` `console` holds.
async fn close(console: &mut Socket, id: &str) {
    console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    console.until("closed and gone", is_remove(id)).await;
}

#[tokio::test]
async fn the_visitor_hears_of_the_close_and_writing_again_reopens_it_even_after_a_restart() {
    let mut app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    take_and_close(&mut console, &id).await;
    assert_eq!(status_of(&app, &id).await, "closed");
    // The visitor's window hears of it (and asks for a rating).
    visitor.until("the close", |f| f["type"] == "closed").await;

    // The visitor writes again: the conversation opens and is offered again.
    visitor
        .say("after-close", "One more question, please")
        .await;
    let offered = console
        .until("offered again", is_upsert(&id, "offered"))
        .await;
    assert_eq!(
        offered["conversation"]["last_message"],
        "One more question, please"
    );
    assert_eq!(status_of(&app, &id).await, "open");
    let (_, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    assert!(
        log["lines"].as_array().is_some_and(|lines| lines
            .iter()
            .any(|l| l["text"].as_str().is_some_and(|t| t.contains("reopened")))),
        "{log}"
    );

    // Closed again, and the server restarts: closed conversations are not in
    // memory then, and writing still opens it.
    console.take_offered(&id).await;
    close(&mut console, &id).await;
    drop(visitor);
    app.restart().await;
    let (mut console, welcome) = app.console("ana@shop.example").await;
    assert!(
        welcome["inbox"]
            .as_array()
            .is_some_and(|inbox| inbox.iter().all(|c| c["id"] != id.as_str())),
        "closed: in nobody's inbox: {welcome}"
    );
    let mut visitor = app.joined(&consent, &conversation).await;
    let replayed = visitor.expect("message").await;
    assert_eq!(replayed["client_id"], "after-close");
    visitor.say("after-restart", "Still there?").await;
    console
        .until("offered after the restart", is_upsert(&id, "offered"))
        .await;
    assert_eq!(status_of(&app, &id).await, "open");
    assert_eq!(
        app.count("messages").await,
        2,
        "the two messages, each once"
    );
}

/// The real timer: an offer nobody answers passes on after `pass_after` (the
/// shortest allowed, one minute). The exact second is the routing core's
/// property tests' job, with a simulated clock; this proves the shell's timer
/// fires at all.
#[tokio::test]
async fn an_unanswered_offer_passes_to_the_next_agent_after_pass_after() {
    let Team {
        app,
        ana: _,
        ben,
        mut ana_console,
        mut ben_console,
    } = team(|ana, ben| {
        let mut s = settings("strict", &[ana, ben]);
        s["pass_after_secs"] = json!(60);
        s
    })
    .await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;
    let passed = tokio::time::timeout(
        std::time::Duration::from_secs(90),
        ben_console.until_patiently(is_upsert(id, "offered")),
    )
    .await
    .expect("the offer passes to Ben within 90 s");
    assert_eq!(passed["conversation"]["offered_to"], json!([ben]));
    ana_console.until("Ana's offer gone", is_remove(id)).await;
    let (_, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    assert!(
        log["lines"].as_array().is_some_and(|l| l
            .iter()
            .any(|l| l["text"].as_str().is_some_and(|t| t.contains("passed")))),
        "{log}"
    );
}

/// The conversation's pending offer timer: (due at, the agents it remembers).
async fn pending_offer(app: &TestApp, id: &str) -> Option<(String, Value)> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT due_at, payload FROM timers
          WHERE conversation_id = $1 AND kind = 'pass_offer' AND fired_at IS NULL",
    )
    .bind(id)
    .fetch_optional(app.db.pool())
    .await
    .expect("timers");
    row.map(|(due, memo)| {
        let memo: Value = serde_json::from_str(&memo.unwrap_or_default()).expect("memo");
        (due, memo["agents"].clone())
    })
}

fn offered_in(welcome: &Value, id: &str) -> Option<Value> {
    welcome["inbox"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id && c["kind"] == "offered")
        .map(|c| c["offered_to"].clone())
}

/// An offer is a durable timer: across a restart it stays with its agent until
/// the same deadline; one whose deadline passed while the server was down passes
/// on as the server starts.
#[tokio::test]
async fn an_offer_keeps_its_agent_and_deadline_across_a_restart() {
    let Team {
        mut app,
        ana,
        ben,
        mut ana_console,
        ben_console,
    } = team(|ana, ben| settings("strict", &[ana, ben])).await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id;
    ana_console
        .until("Ana's offer", is_upsert(&id, "offered"))
        .await;
    let (due, agents) = pending_offer(&app, &id).await.expect("an offer timer");
    assert_eq!(agents, json!([ana]));

    // The consoles are still open as the server stops.
    app.restart().await;
    drop((ana_console, ben_console));
    let (_ana_console, welcome) = app.console("ana@shop.example").await;
    assert_eq!(offered_in(&welcome, &id), Some(json!([ana])), "{welcome}");
    let (_ben_console, welcome) = app.console("ben@shop.example").await;
    assert_eq!(offered_in(&welcome, &id), None, "{welcome}");
    assert_eq!(
        pending_offer(&app, &id).await,
        Some((due, json!([ana]))),
        "the same deadline"
    );

    drop((_ana_console, _ben_console));
    app.stop();
    sqlx::query(
        "UPDATE timers SET due_at = '2000-01-01T00:00:00.000Z'
          WHERE kind = 'pass_offer' AND fired_at IS NULL",
    )
    .execute(app.db.pool())
    .await
    .expect("due while down");
    app.restart().await;
    let (mut ben_console, welcome) = app.console("ben@shop.example").await;
    if offered_in(&welcome, &id).is_none() {
        ben_console
            .until("Ben's offer", is_upsert(&id, "offered"))
            .await;
    }
    let fired: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT outcome FROM timers
          WHERE conversation_id = $1 AND kind = 'pass_offer' AND fired_at IS NOT NULL",
    )
    .bind(&id)
    .fetch_all(app.db.pool())
    .await
    .expect("fired");
    // The due timer fired once: recorded as such, or (when Ben was online as it
    // fired) re-armed in place for Ben's offer.
    assert!(
        fired.len() <= 1 && fired.iter().all(|(o,)| o.as_deref() == Some("ticked")),
        "{fired:?}"
    );
    let (_, agents) = pending_offer(&app, &id).await.expect("Ben's offer timer");
    assert_eq!(agents, json!([ben]));
}

#[tokio::test]
async fn the_rule_bot_answers_what_it_knows_and_hands_the_rest_to_the_queue() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let (status, bot) = app
        .admin_post(
            "/agents",
            &json!({"email": "bot@shop.example", "name": "Shop bot", "password": PASSWORD,
                    "is_bot": true}),
        )
        .await;
    assert_eq!(status, 201, "{bot}");
    let bot = bot["id"].as_u64().expect("id");
    let mut s = settings("strict", &[ana]);
    s["bot_rules"] =
        json!([{"keywords": ["delivery", "Shipping"], "answer": "We deliver in 3 days."}]);
    let (status, body) = app.admin_put("/channels/demo/routing", &s).await;
    assert_error(status, &body, 422, "invalid_field");
    s["bot_agent_id"] = json!(bot);
    s["bot_rules"][0]["answer"] = json!(" ");
    let (status, body) = app.admin_put("/channels/demo/routing", &s).await;
    assert_error(status, &body, 422, "invalid_field");
    s["bot_rules"][0]["answer"] = json!("We deliver in 3 days.");
    app.routing(s).await;
    // A bot account cannot sign in to the console.
    let (status, body) = app
        .post(
            "/api/v1/agent/login",
            &json!({"email": "bot@shop.example", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");

    let (mut ana_console, _) = app.console("ana@shop.example").await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    visitor.say("v1", "how long does SHIPPING take?").await;
    let answer = visitor
        .until("the bot's answer", |f| {
            f["type"] == "message" && f["author"] == "agent"
        })
        .await;
    assert_eq!(answer["text"], "We deliver in 3 days.");
    assert_eq!(answer["author_name"], "Shop bot");
    visitor.say("v2", "I want a refund").await;
    ana_console
        .until("the handover offer", is_upsert(id, "offered"))
        .await;
    let (_, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    let lines = log["lines"].as_array().expect("lines");
    assert!(
        lines[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Shop bot")),
        "{log}"
    );
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    app.agent("ana@shop.example", "Ana", "agent").await;
    for _ in 0..5 {
        let (status, body) = app
            .post(
                "/api/v1/agent/login",
                &json!({"email": "ana@shop.example", "password": "guess guess"}),
            )
            .await;
        assert_error(status, &body, 401, "unauthorized");
    }
    // Even the right password waits now; other accounts are not affected.
    let (status, body) = app
        .post(
            "/api/v1/agent/login",
            &json!({"email": "Ana@shop.example", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 429, "rate_limited");
    app.agent("ben@shop.example", "Ben", "agent").await;
    app.login("ben@shop.example").await;
}

#[tokio::test]
async fn dismissing_an_agent_closes_their_console_and_stops_their_offers() {
    let Team {
        app,
        ana,
        ben: _,
        mut ana_console,
        mut ben_console,
    } = team(|ana, ben| settings("strict", &[ana, ben])).await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;

    let (status, body) = app
        .admin_patch(&format!("/agents/{ana}"), &json!({"dismissed": true}))
        .await;
    assert_eq!(status, 200, "{body}");
    let error = ana_console.until("the end", |f| f["type"] == "error").await;
    assert_eq!(error["code"], "unauthorized");
    assert!(
        ana_console.next().await.is_none(),
        "the console socket closes"
    );
    ben_console
        .until("the offer passes to Ben", is_upsert(id, "offered"))
        .await;
    let (status, body) = app
        .post(
            "/api/v1/agent/login",
            &json!({"email": "ana@shop.example", "password": PASSWORD}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
}

#[tokio::test]
async fn a_known_customer_goes_to_their_responsible_agent_first_even_outside_the_queue() {
    let Team {
        app,
        ana,
        ben,
        mut ana_console,
        mut ben_console,
    } = team(|ana, _| {
        let mut s = settings("strict", &[ana]);
        s["route_to_responsible"] = json!(true);
        s
    })
    .await;
    // The first conversation: nobody knows the customer yet, Ana (the queue) gets it.
    let (consent, first, _visitor) = app.visitor().await;
    let first_id = first.conversation_id.as_str();
    ana_console
        .until("Ana's offer", is_upsert(first_id, "offered"))
        .await;
    let (status, body) = app
        .admin_post(
            &format!("/conversations/{first_id}/crm-link"),
            &json!({"crm_entity": "contact:7", "responsible_agent_id": 999}),
        )
        .await;
    assert_error(status, &body, 422, "invalid_field");
    let (status, body) = app
        .admin_post(
            &format!("/conversations/{first_id}/crm-link"),
            &json!({"crm_entity": "contact:7", "responsible_agent_id": ben}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // The same customer comes back: Ben, responsible but not in the queue, first.
    let (status, second) = app
        .post(
            "/api/v1/channels/demo/conversations",
            &json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id,
                    "page_url": crate::helpers::PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second_id = second["conversation_id"].as_str().expect("id");
    let offer = ben_console
        .until("Ben's offer", is_upsert(second_id, "offered"))
        .await;
    assert_eq!(offer["conversation"]["offered_to"], json!([ben]));
    let (_, log) = app
        .admin_get(&format!("/conversations/{second_id}/routing"))
        .await;
    assert!(log.to_string().contains("responsible"), "{log}");
    assert_ne!(ana, ben);
}

/// A connection of the test's own that keeps the server from adding routing log
/// lines until it is let go: SQLite's write lock (reads go on, in WAL mode), or
/// on PostgreSQL a SHARE lock on `routing_log` (reads go on, inserts wait).
async fn hold_routing_log_writes(app: &TestApp) -> sqlx::pool::PoolConnection<sqlx::Any> {
    let mut conn = app.db.pool().acquire().await.expect("a connection");
    let statements: &[&str] = if on_postgres() {
        &["BEGIN", "LOCK TABLE routing_log IN SHARE MODE"]
    } else {
        &["BEGIN IMMEDIATE"]
    };
    for sql in statements {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    conn
}

async fn log_lines(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, log) = app.admin_get(&format!("/conversations/{id}/routing")).await;
    assert_eq!(status, 200, "{log}");
    log["lines"].as_array().expect("lines").clone()
}

async fn holder_of(app: &TestApp, id: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT agent_id FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("holder")
}

/// Routing decides in memory and stores its decisions afterwards: while the store
/// keeps a take's log line waiting, a supervisor still opens the conversation (and
/// sees it taken), and the take is stored and answered once the store lets go.
#[tokio::test]
async fn a_routing_write_the_store_holds_up_keeps_only_its_own_caller_waiting() {
    let Team {
        app,
        ana,
        ben: _,
        mut ana_console,
        ben_console: _,
    } = team(|ana, ben| settings("strict", &[ana, ben])).await;
    let sue = app.agent("sue@shop.example", "Sue", "supervisor").await;
    app.managers(&[sue]).await;
    let (mut sue_console, _) = app.console("sue@shop.example").await;
    let (_, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ana_console
        .until("Ana's offer", is_upsert(id, "offered"))
        .await;
    let lines_before = log_lines(&app, id).await.len();

    let mut lock = hold_routing_log_writes(&app).await;
    ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    // Sue opens the conversation until routing has decided the take (each open
    // answered while the take's log line waits in the store).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let opened = loop {
        sue_console
            .send(json!({"type": "open", "conversation_id": id}))
            .await;
        let frame = sue_console
            .until("the conversation", |f| f["type"] == "conversation")
            .await;
        if frame["conversation"]["agent_id"] == ana {
            break frame;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the take was not decided within 10 s: {frame}"
        );
    };
    assert_eq!(opened["conversation"]["kind"], "others", "{opened}");
    // Decided, not yet stored: the take's log line and the holder wait.
    assert_eq!(
        opened["log"].as_array().map(Vec::len),
        Some(lines_before),
        "{opened}"
    );
    assert_eq!(holder_of(&app, id).await, None);

    sqlx::query("ROLLBACK")
        .execute(&mut *lock)
        .await
        .expect("let go");
    drop(lock);
    // Ana's console hears of the take once it is stored.
    ana_console.until("mine", is_upsert(id, "mine")).await;
    assert_eq!(holder_of(&app, id).await, Some(ana as i64));
    let lines = log_lines(&app, id).await;
    assert_eq!(lines.len(), lines_before + 1, "{lines:?}");
    assert_eq!(
        lines
            .last()
            .map(|l| &l.get("entry").expect("entry")["action"]["type"]),
        Some(&json!("assigned")),
        "{lines:?}"
    );
}

/// An admin's inbox of many conversations comes as a `welcome` with its first
/// piece and `inbox` frames with the rest: every conversation once, in the
/// server's order, and no frame large (an idle console's write buffer keeps the
/// size of the largest frame it was sent).
#[tokio::test]
async fn a_large_inbox_comes_in_small_pieces_with_every_conversation_once() {
    let app = spawn_app().await;
    app.agent("root@shop.example", "Root", "admin").await;
    let mut started = std::collections::HashSet::new();
    for _ in 0..120 {
        let (_, conversation) = app.conversation().await;
        started.insert(conversation.conversation_id);
    }
    let (mut console, welcome) = app.console("root@shop.example").await;
    let ids = |frame: &Value| -> Vec<String> {
        frame["inbox"]
            .as_array()
            .expect("an inbox")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let mut listed = ids(&welcome);
    let more = welcome["more"].as_u64().expect("more conversations follow");
    let mut largest = welcome.to_string().len();
    let mut pieces = 1;
    while (listed.len() as u64) < 120 {
        let piece = console.expect("inbox").await;
        largest = largest.max(piece.to_string().len());
        listed.extend(ids(&piece));
        pieces += 1;
    }
    assert_eq!(listed.len() as u64, ids(&welcome).len() as u64 + more);
    let unique: std::collections::HashSet<String> = listed.iter().cloned().collect();
    assert_eq!(unique, started, "every conversation, each once");
    assert_eq!(unique.len(), listed.len());
    assert!(pieces > 2, "{pieces} pieces");
    assert!(largest < 12 * 1024, "the largest frame has {largest} bytes");
    // What follows the pieces is live again: the console works as ever.
    console
        .send(json!({"type": "status", "status": "away"}))
        .await;
    let status = console.until("the status", |f| f["type"] == "status").await;
    assert_eq!(status["status"], "away");
}

/// An agent may send replies one after the other without waiting for each ack:
/// each is acknowledged once stored, in the order sent, and reaches the visitor in
/// that order; one refused among them (a conversation the agent does not hold) is
/// answered with its ids, and the others still go.
#[tokio::test]
async fn replies_sent_without_waiting_are_acknowledged_in_order() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let cookie = app.login("ana@shop.example").await;
    let (mut console, _) = app.console_with(&cookie).await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id;
    visitor.say("c1", "Hello?").await;
    console.take(&id).await;
    let (_, other, mut stranger) = app.visitor().await;
    stranger.say("s1", "Me too").await;
    let sent = [
        ("a1", id.as_str(), "One"),
        ("a2", other.conversation_id.as_str(), "Not mine"),
        ("a3", id.as_str(), "Two"),
        ("a4", id.as_str(), "Three"),
    ];
    for (client_id, conversation_id, text) in sent {
        console
            .send(json!({"type": "reply", "conversation_id": conversation_id,
                         "client_id": client_id, "text": text}))
            .await;
    }
    let (mut acks, mut refused) = (Vec::new(), None);
    while acks.len() < 3 || refused.is_none() {
        let frame = console
            .until("an ack or an error", |f| {
                f["type"] == "ack" || f["type"] == "error"
            })
            .await;
        if frame["type"] == "ack" {
            acks.push((
                frame["client_id"].clone(),
                frame["seq"].as_u64().expect("seq"),
            ));
        } else {
            refused = Some(frame);
        }
    }
    let order: Vec<&Value> = acks.iter().map(|(c, _)| c).collect();
    assert_eq!(order, [&json!("a1"), &json!("a3"), &json!("a4")]);
    assert!(
        acks.windows(2).all(|w| w[0].1 < w[1].1),
        "sequence numbers in order: {acks:?}"
    );
    let refused = refused.expect("the refusal");
    assert_eq!(refused["client_id"], "a2", "{refused}");
    assert_eq!(refused["conversation_id"], other.conversation_id.as_str());
    let mut heard = Vec::new();
    while heard.len() < 3 {
        let message = visitor.until("a reply", |f| f["type"] == "message").await;
        heard.push(message["text"].as_str().expect("text").to_owned());
    }
    assert_eq!(heard, ["One", "Two", "Three"]);
}

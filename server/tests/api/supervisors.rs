//! What a supervisor sees and does in the console: every conversation of the
//! channels that name them as managers, nothing of the others (refused as an agent
//! is refused on a conversation that is not theirs, and nothing changes); an admin
//! sees every channel. A change of managers reaches open consoles at once.

use serde_json::{json, Value};

use crate::agents::{is_remove, is_upsert};
use crate::helpers::{Socket, TestApp, PAGE};

/// A conversation on the channel `key` (which asks no consent), started by a
/// visitor from [`PAGE`]; returns its id and the visitor's token.
async fn started_on(app: &TestApp, key: &str) -> (String, String) {
    let (status, started) = app
        .post(
            &format!("/api/v1/channels/{key}/conversations"),
            &json!({"page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let text = |field: &str| started[field].as_str().expect(field).to_owned();
    (text("conversation_id"), text("visitor_token"))
}

/// The frames a console gets before the first one `marker` matches.
async fn frames_before(socket: &mut Socket, marker: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let frame = socket.next().await.expect("socket open");
        if marker(&frame) {
            return seen;
        }
        seen.push(frame);
    }
}

/// Whether a frame names the conversation `id`.
fn names(frame: &Value, id: &str) -> bool {
    frame["conversation"]["id"] == id || frame["conversation_id"] == id
}

/// The ids in a `welcome` frame's inbox.
fn inbox(welcome: &Value) -> Vec<String> {
    welcome["inbox"]
        .as_array()
        .expect("inbox")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Sends `frame` from the console of agent `me` and returns the error it gets,
/// with the sender's own id (a refused take names who tried) written `#me`.
async fn refusal(console: &mut Socket, me: u64, frame: Value) -> Value {
    console.send(frame.clone()).await;
    let error = console
        .until(&format!("the refusal of {frame}"), |f| f["type"] == "error")
        .await;
    let message = error["message"].as_str().expect("a message");
    json!({"code": error["code"], "message": message.replace(&format!("agent #{me}"), "agent #me")})
}

/// Every action on `id` that a console may try, as frames.
fn actions(id: &str) -> Vec<Value> {
    vec![
        json!({"type": "open", "conversation_id": id}),
        json!({"type": "take", "conversation_id": id}),
        json!({"type": "reply", "conversation_id": id, "client_id": "r-b", "text": "Hi"}),
        json!({"type": "transfer", "conversation_id": id, "to_agent": null}),
        json!({"type": "close", "conversation_id": id}),
        json!({"type": "typing", "conversation_id": id, "typing": true}),
    ]
}

/// What the store holds of a conversation: status, holder, messages, log lines.
async fn stored(app: &TestApp, id: &str) -> (String, Option<i64>, i64, i64) {
    let (status, holder): (String, Option<i64>) =
        sqlx::query_as("SELECT status, agent_id FROM conversations WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .expect("conversation");
    let messages = rows_of(app, "messages", id).await;
    let lines = rows_of(app, "routing_log", id).await;
    (status, holder, messages, lines)
}

/// How many rows of `table` belong to the conversation `id`.
async fn rows_of(app: &TestApp, table: &str, id: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE conversation_id = $1"
    ))
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .expect("count")
}

#[tokio::test]
async fn a_supervisor_sees_and_acts_on_the_channels_they_manage_only() {
    let app = crate::helpers::spawn_app().await;
    let sam = app.agent("sam@shop.example", "Sam", "supervisor").await;
    let ann = app.agent("ann@shop.example", "Ann", "agent").await;
    app.agent("ada@shop.example", "Ada", "admin").await;
    let (status, made) = app
        .admin_post(
            "/channels",
            &json!({"key": "shop", "name": "Shop", "allowed_origins": ["https://shop.example"]}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, view) = app
        .admin_put("/channels/demo/managers", &json!({"agent_ids": [sam]}))
        .await;
    assert_eq!(status, 200, "{view}");
    let (mut sam_console, welcome) = app.console("sam@shop.example").await;
    assert_eq!(inbox(&welcome), Vec::<String>::new());
    let (mut ann_console, _) = app.console("ann@shop.example").await;

    // Nobody is in either queue: both wait. Sam hears of demo's only; the second
    // demo conversation, started after shop's, marks the end of what he heard.
    let (_, a, mut a_visitor) = app.visitor().await;
    let a = a.conversation_id;
    sam_console
        .until("demo's waiting one", is_upsert(&a, "waiting"))
        .await;
    let (b, b_token) = started_on(&app, "shop").await;
    let (_, a2, _a2_visitor) = app.visitor().await;
    let a2 = a2.conversation_id;
    let seen = frames_before(&mut sam_console, is_upsert(&a2, "waiting")).await;
    assert!(!seen.iter().any(|f| names(f, &b)), "{seen:?}");
    let (_, welcome) = app.console("sam@shop.example").await;
    assert_eq!(inbox(&welcome), [a.as_str(), a2.as_str()]);
    // An admin sees every channel's.
    let (_, welcome) = app.console("ada@shop.example").await;
    assert_eq!(inbox(&welcome), [a.as_str(), b.as_str(), a2.as_str()]);

    // Shop's: every action refused as it is refused to an agent, and nothing
    // changes.
    let before = stored(&app, &b).await;
    for frame in actions(&b) {
        let sams = refusal(&mut sam_console, sam, frame.clone()).await;
        let anns = refusal(&mut ann_console, ann, frame.clone()).await;
        assert_eq!(sams, anns, "{frame}");
    }
    assert_eq!(stored(&app, &b).await, before);
    assert_eq!(before.0, "open");
    assert_eq!(before.1, None);

    // Demo's: Sam takes, answers (the visitor reads it) and closes it.
    sam_console
        .send(json!({"type": "open", "conversation_id": a}))
        .await;
    let opened = sam_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert_eq!(opened["conversation"]["kind"], "waiting", "{opened}");
    assert!(
        opened["log"].as_array().is_some_and(|l| !l.is_empty()),
        "{opened}"
    );
    sam_console
        .send(json!({"type": "take", "conversation_id": a}))
        .await;
    sam_console.until("his now", is_upsert(&a, "mine")).await;
    sam_console
        .send(json!({"type": "reply", "conversation_id": a, "client_id": "r-a", "text": "Hello"}))
        .await;
    sam_console.until("the ack", |f| f["type"] == "ack").await;
    let reply = a_visitor
        .until("the answer", |f| f["type"] == "message")
        .await;
    assert_eq!(reply["text"], "Hello");
    assert_eq!(reply["author_name"], "Sam");
    sam_console
        .send(json!({"type": "close", "conversation_id": a}))
        .await;
    sam_console.until("closed and gone", is_remove(&a)).await;
    assert_eq!(stored(&app, &a).await.0, "closed");
    assert_eq!(stored(&app, &a).await.1, Some(sam as i64));

    // Named manager of shop: its conversation comes to his open console at once,
    // and he may take it.
    let (status, view) = app
        .admin_put("/channels/shop/managers", &json!({"agent_ids": [sam]}))
        .await;
    assert_eq!(status, 200, "{view}");
    sam_console
        .until("shop's waiting one", is_upsert(&b, "waiting"))
        .await;
    let (_, welcome) = app.console("sam@shop.example").await;
    assert_eq!(inbox(&welcome), [b.as_str(), a2.as_str()]);
    sam_console
        .send(json!({"type": "open", "conversation_id": b}))
        .await;
    let opened = sam_console
        .until("shop's conversation", |f| f["type"] == "conversation")
        .await;
    assert_eq!(opened["conversation"]["id"], b.as_str(), "{opened}");

    // No longer: it goes, even the one he has open (the visitor's typing and
    // messages no longer reach him), and he is refused again.
    let (status, view) = app
        .admin_put("/channels/shop/managers", &json!({"agent_ids": []}))
        .await;
    assert_eq!(status, 200, "{view}");
    sam_console.until("shop's gone", is_remove(&b)).await;
    let mut b_visitor = app.socket().await;
    b_visitor.hello(&b, &b_token, 0).await;
    b_visitor
        .send(json!({"type": "typing", "typing": true}))
        .await;
    b_visitor.say("q-b", "Anyone?").await;
    // A marker after both, through the same ordered notices as the typing.
    ann_console
        .send(json!({"type": "status", "status": "away"}))
        .await;
    let seen = frames_before(&mut sam_console, |f| {
        f["type"] == "agents"
            && f["agents"]
                .as_array()
                .is_some_and(|l| l.iter().any(|a| a["id"] == ann && a["status"] == "away"))
    })
    .await;
    assert!(!seen.iter().any(|f| names(f, &b)), "{seen:?}");
    let (_, welcome) = app.console("sam@shop.example").await;
    assert_eq!(inbox(&welcome), [a2.as_str()]);
    // A refused list (Ann is no supervisor) changes nothing, in the store or in
    // routing.
    let (status, answer) = app
        .admin_put("/channels/shop/managers", &json!({"agent_ids": [sam, ann]}))
        .await;
    crate::helpers::assert_error(status, &answer, 422, "invalid_field");
    assert_eq!(
        app.admin_get("/channels/shop").await.1["managers"],
        json!([])
    );
    let (_, welcome) = app.console("sam@shop.example").await;
    assert_eq!(inbox(&welcome), [a2.as_str()]);
    let sams = refusal(
        &mut sam_console,
        sam,
        json!({"type": "take", "conversation_id": b}),
    )
    .await;
    let anns = refusal(
        &mut ann_console,
        ann,
        json!({"type": "take", "conversation_id": b}),
    )
    .await;
    assert_eq!(sams, anns);

    // Named again, he takes it.
    let (status, view) = app
        .admin_put("/channels/shop/managers", &json!({"agent_ids": [sam]}))
        .await;
    assert_eq!(status, 200, "{view}");
    sam_console
        .until("shop's waiting one", is_upsert(&b, "waiting"))
        .await;
    sam_console
        .send(json!({"type": "take", "conversation_id": b}))
        .await;
    sam_console.until("his now", is_upsert(&b, "mine")).await;
    assert_eq!(stored(&app, &b).await.1, Some(sam as i64));
}

/// After a restart the managers are read back from the store.
#[tokio::test]
async fn a_supervisors_channels_are_still_theirs_after_a_restart() {
    let mut app = crate::helpers::spawn_app().await;
    let sam = app.agent("sam@shop.example", "Sam", "supervisor").await;
    app.agent("sue@shop.example", "Sue", "supervisor").await;
    let (status, view) = app
        .admin_put("/channels/demo/managers", &json!({"agent_ids": [sam]}))
        .await;
    assert_eq!(status, 200, "{view}");
    let (_, a, _visitor) = app.visitor().await;
    let a = a.conversation_id;
    app.restart().await;
    let (_, welcome) = app.console("sam@shop.example").await;
    assert_eq!(inbox(&welcome), [a.as_str()]);
    let (_, welcome) = app.console("sue@shop.example").await;
    assert_eq!(inbox(&welcome), Vec::<String>::new());
}

/// A new role decides what an open console shows at once: a supervisor made an
/// agent no longer sees their channel's queue (nor may take from it), and sees it
/// again once a supervisor again (still named by the channel).
#[tokio::test]
async fn a_new_role_reaches_an_open_console_at_once() {
    let app = crate::helpers::spawn_app().await;
    let sam = app.agent("sam@shop.example", "Sam", "supervisor").await;
    app.managers(&[sam]).await;
    let (mut console, _) = app.console("sam@shop.example").await;
    let (_, a, _visitor) = app.visitor().await;
    let a = a.conversation_id;
    console
        .until("the waiting one", is_upsert(&a, "waiting"))
        .await;

    let (status, view) = app
        .admin_patch(&format!("/agents/{sam}"), &json!({"role": "agent"}))
        .await;
    assert_eq!(status, 200, "{view}");
    console.until("gone", is_remove(&a)).await;
    console
        .send(json!({"type": "take", "conversation_id": a}))
        .await;
    let error = console.until("the refusal", |f| f["type"] == "error").await;
    assert_eq!(error["code"], "routing_refused", "{error}");
    assert_eq!(stored(&app, &a).await.1, None);

    let (status, view) = app
        .admin_patch(&format!("/agents/{sam}"), &json!({"role": "supervisor"}))
        .await;
    assert_eq!(status, 200, "{view}");
    console.until("back", is_upsert(&a, "waiting")).await;
}

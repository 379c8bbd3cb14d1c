//! Typing indicators over real sockets: the visitor's reach the consoles that list
//! the conversation, the agent's reach the visitor; nothing is stored, refused
//! frames change nothing, and a flood is thinned to about one frame a second.

use std::time::Instant;

use serde_json::{json, Value};

use crate::agents::{is_upsert, settings, team, Team};
use crate::helpers::{Socket, TestApp};

/// Every frame before the first for which `marker` holds (which ends the list).
pub(crate) async fn frames_before(
    socket: &mut Socket,
    marker: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let frame = socket.next().await.expect("socket open");
        if marker(&frame) {
            return seen;
        }
        seen.push(frame);
    }
}

fn is_typing(frame: &Value) -> bool {
    frame["type"] == "typing"
}

/// A frame of the agent socket saying the visitor of `id` is (or stopped) typing.
fn visitor_typing(id: &str, typing: bool) -> impl Fn(&Value) -> bool {
    let id = id.to_owned();
    move |f| f["type"] == "typing" && f["conversation_id"] == id.as_str() && f["typing"] == typing
}

/// The `agents` frame that shows `agent` with `status`: a marker every console
/// gets through the same ordered channel as the visitor's typing.
fn agents_with(agent: u64, status: &'static str) -> impl Fn(&Value) -> bool {
    move |f| {
        f["type"] == "agents"
            && f["agents"]
                .as_array()
                .is_some_and(|l| l.iter().any(|a| a["id"] == agent && a["status"] == status))
    }
}

/// Rows of the tables a typing frame must never write.
async fn rows(app: &TestApp) -> [i64; 3] {
    [
        app.count("messages").await,
        app.count("routing_log").await,
        app.count("conversations").await,
    ]
}

/// Ana holds a new conversation of a visitor with a joined socket; returns its
/// id, the visitor's token and socket.
async fn held(team: &mut Team) -> (String, String, Socket) {
    let (consent, conversation, visitor) = team.app.visitor().await;
    let id = conversation.conversation_id;
    team.ana_console.take(&id).await;
    (id, consent.visitor_token, visitor)
}

#[tokio::test]
async fn the_visitors_typing_reaches_the_holder_and_supervisors_but_no_one_else() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let sue = team
        .app
        .agent("sue@shop.example", "Sue", "supervisor")
        .await;
    team.app.managers(&[sue]).await;
    let (mut sue, _) = team.app.console("sue@shop.example").await;
    let (id, _, mut visitor) = held(&mut team).await;
    let before = rows(&team.app).await;

    visitor
        .send(json!({"type": "typing", "typing": true}))
        .await;
    let frame = team
        .ana_console
        .until("the visitor typing", visitor_typing(&id, true))
        .await;
    assert_eq!(
        frame,
        json!({"type": "typing", "conversation_id": id, "typing": true}),
        "the fact only, no text"
    );
    sue.until("the visitor typing", visitor_typing(&id, true))
        .await;
    // A stop right after a start is passed on too.
    visitor
        .send(json!({"type": "typing", "typing": false}))
        .await;
    team.ana_console
        .until("the visitor stopped", visitor_typing(&id, false))
        .await;

    // Ben neither holds nor sees the conversation: up to a later marker on the same
    // channel, no typing reached him.
    team.ana_console
        .send(json!({"type": "status", "status": "away"}))
        .await;
    let seen = frames_before(&mut team.ben_console, agents_with(team.ana, "away")).await;
    assert!(!seen.iter().any(is_typing), "{seen:?}");

    // Nothing was stored: no message, no log line, and the history replays as
    // before.
    assert_eq!(rows(&team.app).await, before);
    team.ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    let opened = team
        .ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert_eq!(opened["messages"], json!([]));
    assert!(
        !opened["log"].to_string().contains("typing"),
        "{}",
        opened["log"]
    );
}

#[tokio::test]
async fn the_agents_typing_reaches_the_visitor_with_the_name_the_channel_shows() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let (id, token, mut visitor) = held(&mut team).await;
    let before = rows(&team.app).await;

    team.ana_console
        .send(json!({"type": "typing", "conversation_id": id, "typing": true}))
        .await;
    let frame = visitor.until("the agent typing", is_typing).await;
    assert_eq!(
        frame,
        json!({"type": "typing", "typing": true, "name": "Ana"})
    );
    team.ana_console
        .send(json!({"type": "typing", "conversation_id": id, "typing": false}))
        .await;
    let frame = visitor.until("the agent stopped", is_typing).await;
    assert_eq!(
        frame,
        json!({"type": "typing", "typing": false, "name": "Ana"})
    );
    assert_eq!(rows(&team.app).await, before);

    // With the agent hidden, no name; the channel's name in channel mode.
    for (mode, name) in [("hidden", Value::Null), ("channel", json!("Demo Company"))] {
        let mut s = settings("strict", &[team.ana]);
        s["display_mode"] = json!(mode);
        team.app.routing(s).await;
        let (other, _, mut other_visitor) = held(&mut team).await;
        let before = rows(&team.app).await;
        team.ana_console
            .send(json!({"type": "typing", "conversation_id": other, "typing": true}))
            .await;
        let frame = other_visitor.until("the agent typing", is_typing).await;
        assert_eq!(frame["typing"], true, "{mode}: {frame}");
        assert_eq!(frame["name"], name, "{mode}: {frame}");
        assert_eq!(rows(&team.app).await, before);
    }

    // Nothing stored: a reply is message 1, and a fresh socket replays only it.
    team.ana_console
        .send(json!({"type": "reply", "conversation_id": id, "client_id": "r1", "text": "Hi"}))
        .await;
    let seen = frames_before(&mut visitor, |f| f["type"] == "message").await;
    assert!(!seen.iter().any(is_typing), "{seen:?}");
    let mut fresh = team.app.socket().await;
    let welcome = fresh.hello(&id, &token, 0).await;
    assert_eq!(welcome["last_seq"], 1);
    let replayed = fresh.expect("message").await;
    assert_eq!(replayed["seq"], 1);
    assert_eq!(replayed["text"], "Hi");
}

#[tokio::test]
async fn typing_that_may_not_be_passed_on_is_refused_and_changes_nothing() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let (_, conversation, mut visitor) = team.app.visitor().await;
    let id = conversation.conversation_id.clone();
    team.ana_console
        .until("the offer", is_upsert(&id, "offered"))
        .await;
    let before = rows(&team.app).await;

    // The visitor socket: not before hello, and only the fact of typing.
    let mut stranger = team.app.socket().await;
    stranger
        .send(json!({"type": "typing", "typing": true}))
        .await;
    let error = stranger.until("an error", |f| f["type"] == "error").await;
    assert_eq!(error["code"], "not_authenticated", "{error}");
    for (frame, code) in [
        (r#"{"type":"typing"}"#, "bad_request"),
        (r#"{"type":"typing","typing":"yes"}"#, "bad_request"),
        (
            r#"{"type":"typing","typing":true,"text":"my address is"}"#,
            "unknown_field",
        ),
        (
            r#"{"type":"typing","typing":true,"conversation_id":"other"}"#,
            "unknown_field",
        ),
    ] {
        visitor.send_text(frame).await;
        let error = visitor.until("an error", |f| f["type"] == "error").await;
        assert_eq!(error["code"], code, "{frame} -> {error}");
    }

    // The agent socket: unknown conversations, conversations not (yet) theirs, and
    // only the fact of typing.
    let bad: [(Value, &str, bool); 6] = [
        (
            json!({"type": "typing", "conversation_id": "no-such", "typing": true}),
            "unknown_conversation",
            false,
        ),
        (
            json!({"type": "typing", "conversation_id": id, "typing": true}),
            "forbidden",
            true,
        ),
        (
            json!({"type": "typing", "conversation_id": id, "typing": true}),
            "forbidden",
            false,
        ),
        (
            json!({"type": "typing", "conversation_id": id}),
            "bad_request",
            false,
        ),
        (
            json!({"type": "typing", "conversation_id": id, "typing": true, "draft": "Dear"}),
            "unknown_field",
            false,
        ),
        (
            json!({"type": "typing", "conversation_id": id, "typing": null}),
            "bad_request",
            false,
        ),
    ];
    for (frame, code, ben) in bad {
        let console = if ben {
            &mut team.ben_console
        } else {
            &mut team.ana_console
        };
        console.send(frame.clone()).await;
        let error = console.until("an error", |f| f["type"] == "error").await;
        assert_eq!(error["code"], code, "{frame} -> {error}");
    }

    // None of it reached the other side: Ana takes and replies, and the visitor
    // sees the reply with no typing before it.
    team.ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    team.ana_console.until("mine", is_upsert(&id, "mine")).await;
    team.ana_console
        .send(json!({"type": "reply", "conversation_id": id, "client_id": "r1", "text": "Hi"}))
        .await;
    let seen = frames_before(&mut visitor, |f| f["type"] == "message").await;
    assert!(!seen.iter().any(is_typing), "{seen:?}");
    let frames = frames_before(&mut team.ana_console, |f| f["type"] == "ack").await;
    assert!(!frames.iter().any(is_typing), "{frames:?}");
    let after_reply = rows(&team.app).await;
    assert_eq!(after_reply[0], before[0] + 1, "only the reply was stored");

    // Closed: refused on both sides.
    team.ana_console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    team.ana_console
        .until("closed", |f| {
            f["type"] == "remove" && f["conversation_id"] == id.as_str()
        })
        .await;
    let closed = rows(&team.app).await;
    visitor
        .send(json!({"type": "typing", "typing": true}))
        .await;
    let error = visitor.until("an error", |f| f["type"] == "error").await;
    assert_eq!(error["code"], "routing_refused", "{error}");
    team.ana_console
        .send(json!({"type": "typing", "conversation_id": id, "typing": true}))
        .await;
    let error = team
        .ana_console
        .until("an error", |f| f["type"] == "error")
        .await;
    assert_eq!(error["code"], "routing_refused", "{error}");
    assert_eq!(rows(&team.app).await, closed);
    // The visitor's refused typing did not reach Ana (marker: her own status echo
    // comes after any notice sent before it).
    team.ana_console
        .send(json!({"type": "status", "status": "away"}))
        .await;
    let seen = frames_before(&mut team.ana_console, agents_with(team.ana, "away")).await;
    assert!(!seen.iter().any(is_typing), "{seen:?}");
}

#[tokio::test]
async fn a_flood_of_typing_fans_out_about_once_a_second() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let (id, _, mut visitor) = held(&mut team).await;

    // The visitor floods; a message of theirs marks the end on Ana's socket (both
    // go through the same ordered channel of notices).
    let start = Instant::now();
    for _ in 0..50 {
        visitor
            .send(json!({"type": "typing", "typing": true}))
            .await;
    }
    visitor
        .send(json!({"type": "typing", "typing": false}))
        .await;
    visitor.say("v1", "marker").await;
    let seen = frames_before(&mut team.ana_console, |f| {
        f["type"] == "upsert" && f["conversation"]["last_message"] == "marker"
    })
    .await;
    let secs = start.elapsed().as_secs() as usize;
    let typing: Vec<&Value> = seen.iter().filter(|f| is_typing(f)).collect();
    assert!(
        !typing.is_empty() && typing.len() <= 2 + 2 * secs,
        "{} typing frames in {secs} s",
        typing.len()
    );
    assert_eq!(typing[0]["typing"], true);
    assert_eq!(
        typing.last().map(|f| f["typing"].clone()),
        Some(json!(false)),
        "the stop after the flood is passed on"
    );

    // The agent floods; the reply marks the end on the visitor's socket.
    let start = Instant::now();
    for _ in 0..50 {
        team.ana_console
            .send(json!({"type": "typing", "conversation_id": id, "typing": true}))
            .await;
    }
    team.ana_console
        .send(json!({"type": "typing", "conversation_id": id, "typing": false}))
        .await;
    team.ana_console
        .send(json!({"type": "reply", "conversation_id": id, "client_id": "r1", "text": "Hi"}))
        .await;
    let seen = frames_before(&mut visitor, |f| f["type"] == "message").await;
    let secs = start.elapsed().as_secs() as usize;
    let typing: Vec<&Value> = seen.iter().filter(|f| is_typing(f)).collect();
    assert!(
        !typing.is_empty() && typing.len() <= 2 + 2 * secs,
        "{} typing frames in {secs} s",
        typing.len()
    );
    assert_eq!(
        typing.last().map(|f| f["typing"].clone()),
        Some(json!(false))
    );
    // No error came back for the dropped frames.
    let frames = frames_before(&mut team.ana_console, |f| f["type"] == "ack").await;
    assert!(!frames.iter().any(|f| f["type"] == "error"), "{frames:?}");
}

//! The live typing preview over real sockets: with the channel's switch on, the
//! visitor's draft reaches the console that has the conversation open and nothing
//! of it is stored; with it off (from the start, or turned off mid-conversation)
//! no draft reaches anyone; bad drafts are refused and change nothing; the switch
//! is checked by the admin API and shown to the widget by the channel's config.

use std::time::Instant;

use serde_json::{json, Value};

use crate::agents::{settings, team, Team};
use crate::helpers::{assert_error, Socket};
use crate::typing::frames_before;

const AUTOMATION: &str = "/channels/demo/automation";

/// Turns the demo channel's live typing preview on or off.
async fn preview(team: &Team, on: bool) {
    let (status, body) = team
        .app
        .admin_put(AUTOMATION, &json!({"typing_preview": on}))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Rows of the tables a draft must never write.
async fn rows(team: &Team) -> [i64; 3] {
    [
        team.app.count("messages").await,
        team.app.count("routing_log").await,
        team.app.count("conversations").await,
    ]
}

fn is_draft(frame: &Value) -> bool {
    frame["type"] == "draft"
}

/// The visitor's message `text` as a console shows it live: a marker that comes
/// after anything the visitor's socket passed on before it (both go through the
/// conversation's one ordered channel).
fn visitor_message(text: &str) -> impl Fn(&Value) -> bool + '_ {
    move |f| f["type"] == "message" && f["message"]["text"] == text
}

fn typing(draft: &str) -> Value {
    json!({"type": "typing", "typing": !draft.is_empty(), "draft": draft})
}

/// A conversation Ana holds and has open, its visitor's token and socket.
struct Held {
    id: String,
    token: String,
    visitor: Socket,
}

async fn held_and_open(team: &mut Team) -> Held {
    let (consent, conversation, visitor) = team.app.visitor().await;
    let id = conversation.conversation_id;
    team.ana_console.take(&id).await;
    team.ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    team.ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    Held {
        id,
        token: consent.visitor_token,
        visitor,
    }
}

impl Held {
    /// A new visitor socket on the conversation (a fresh draft throttle), up to
    /// date with its `seq` messages.
    async fn fresh_socket(&mut self, team: &Team, seq: u64) {
        let mut socket = team.app.socket().await;
        socket.hello(&self.id, &self.token, seq).await;
        self.visitor = socket;
    }
}

#[tokio::test]
async fn with_the_preview_on_the_draft_reaches_the_open_console_and_is_never_stored() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let sue = team
        .app
        .agent("sue@shop.example", "Sue", "supervisor")
        .await;
    team.app.managers(&[sue]).await;
    let (mut sue, _) = team.app.console("sue@shop.example").await;
    assert!(!team.app.config().await.typing_preview, "off by default");
    preview(&team, true).await;
    assert!(team.app.config().await.typing_preview);
    let mut held = held_and_open(&mut team).await;
    let id = held.id.clone();
    let before = rows(&team).await;

    held.visitor.send(typing("Is the blue one")).await;
    let frame = team.ana_console.until("the draft", is_draft).await;
    assert_eq!(
        frame,
        json!({"type": "draft", "conversation_id": id, "text": "Is the blue one"})
    );
    // Emptied in the composer: the preview clears, at once.
    held.visitor.send(typing("")).await;
    let frame = team.ana_console.until("the clear", is_draft).await;
    assert_eq!(frame["text"], "", "{frame}");

    // Sue supervises the channel and lists the conversation, but does not have it
    // open: up to the line with the visitor's message, no draft reached her.
    held.visitor.say("v1", "Is the blue one in stock?").await;
    let seen = frames_before(&mut sue, |f| {
        f["type"] == "upsert" && f["conversation"]["last_message"] == "Is the blue one in stock?"
    })
    .await;
    assert!(!seen.iter().any(is_draft), "{seen:?}");
    team.ana_console
        .until("the message", visitor_message("Is the blue one in stock?"))
        .await;

    // Only the message was stored; the history holds no draft.
    let after = rows(&team).await;
    assert_eq!(after[0], before[0] + 1, "only the message");
    assert_eq!(after[1..], before[1..]);
    team.ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    let opened = team
        .ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    let history = opened.to_string();
    assert!(!history.contains("Is the blue one\""), "{history}");
    assert_eq!(opened["messages"].as_array().map(Vec::len), Some(1));

    // A flood of drafts is thinned: at most one every 250 ms passes, and the
    // clear after it always does.
    held.fresh_socket(&team, 1).await;
    let start = Instant::now();
    for n in 0..40 {
        held.visitor.send(typing(&format!("draft {n}"))).await;
    }
    held.visitor.send(typing("")).await;
    held.visitor.say("v2", "marker").await;
    let seen = frames_before(&mut team.ana_console, visitor_message("marker")).await;
    let ms = start.elapsed().as_millis() as usize;
    let drafts: Vec<&Value> = seen.iter().filter(|f| is_draft(f)).collect();
    assert!(
        drafts.len() >= 2 && drafts.len() <= 2 + ms / 250,
        "{} drafts in {ms} ms",
        drafts.len()
    );
    assert_eq!(drafts[0]["text"], "draft 0");
    assert_eq!(drafts.last().map(|f| f["text"].clone()), Some(json!("")));
}

#[tokio::test]
async fn with_the_preview_off_or_turned_off_no_draft_reaches_the_agent() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let mut held = held_and_open(&mut team).await;
    let before = team.app.count("messages").await;

    // Never turned on: the draft is dropped, silently.
    held.visitor.send(typing("my card number is")).await;
    held.visitor.say("v1", "one").await;
    let seen = frames_before(&mut team.ana_console, visitor_message("one")).await;
    assert!(!seen.iter().any(is_draft), "{seen:?}");

    // On: it shows.
    preview(&team, true).await;
    held.fresh_socket(&team, 1).await;
    held.visitor.send(typing("Hello")).await;
    let frame = team.ana_console.until("the draft", is_draft).await;
    assert_eq!(frame["text"], "Hello");

    // Turned off mid-conversation: the console showing it is told to clear it at
    // once, and drafts go nowhere from the next frame on (a fresh socket, so its
    // draft throttle cannot be what holds it back).
    preview(&team, false).await;
    let frame = team.ana_console.until("the clear", is_draft).await;
    assert_eq!(frame["text"], "", "{frame}");
    assert!(!team.app.config().await.typing_preview);
    held.fresh_socket(&team, 1).await;
    held.visitor.send(typing("Hello, my address is")).await;
    held.visitor.say("v2", "two").await;
    let seen = frames_before(&mut team.ana_console, visitor_message("two")).await;
    assert!(!seen.iter().any(is_draft), "{seen:?}");
    let after = team.app.count("messages").await;
    assert_eq!(after, before + 2, "only the two messages");

    // On again: shown again, from the next frame on.
    preview(&team, true).await;
    held.fresh_socket(&team, 2).await;
    held.visitor.send(typing("Back")).await;
    let frame = team.ana_console.until("the draft", is_draft).await;
    assert_eq!(frame["text"], "Back");
}

#[tokio::test]
async fn bad_drafts_are_refused_and_change_nothing() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    preview(&team, true).await;
    let mut held = held_and_open(&mut team).await;
    let before = rows(&team).await;

    let mut stranger = team.app.socket().await;
    stranger.send(typing("hello")).await;
    let error = stranger.until("an error", |f| f["type"] == "error").await;
    assert_eq!(error["code"], "not_authenticated", "{error}");

    let long = "я".repeat(canal_protocol::limits::MAX_DRAFT_CHARS + 1);
    for (frame, code) in [
        (typing(&long), "too_large"),
        (typing("ring\u{7}"), "invalid_field"),
        (typing("clear\u{1b}[2J"), "invalid_field"),
        (
            json!({"type": "typing", "typing": true, "draft": 5}),
            "bad_request",
        ),
        (
            json!({"type": "typing", "typing": true, "draft": null, "text": "x"}),
            "unknown_field",
        ),
    ] {
        held.visitor.send(frame.clone()).await;
        let error = held
            .visitor
            .until("an error", |f| f["type"] == "error")
            .await;
        assert_eq!(error["code"], code, "{error}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{error}"
        );
    }
    // Nothing of them reached Ana (not even the typing they carried), nothing was
    // stored.
    held.visitor.say("v1", "marker").await;
    let seen = frames_before(&mut team.ana_console, visitor_message("marker")).await;
    assert!(
        !seen.iter().any(|f| is_draft(f) || f["type"] == "typing"),
        "{seen:?}"
    );
    let after = rows(&team).await;
    assert_eq!(after[0], before[0] + 1, "only the marker");

    // The longest draft allowed goes through (from a fresh socket: its own
    // throttle).
    held.fresh_socket(&team, 1).await;
    let longest = "я".repeat(canal_protocol::limits::MAX_DRAFT_CHARS);
    held.visitor.send(typing(&longest)).await;
    let frame = team.ana_console.until("the draft", is_draft).await;
    assert_eq!(
        frame["text"].as_str().map(|t| t.chars().count()),
        Some(4000)
    );

    // A closed conversation refuses drafts as it refuses typing.
    team.ana_console
        .send(json!({"type": "close", "conversation_id": held.id}))
        .await;
    team.ana_console
        .until("closed", |f| {
            f["type"] == "remove" && f["conversation_id"] == held.id.as_str()
        })
        .await;
    held.visitor.send(typing("still there?")).await;
    let error = held
        .visitor
        .until("an error", |f| f["type"] == "error")
        .await;
    assert_eq!(error["code"], "routing_refused", "{error}");
}

#[tokio::test]
async fn the_preview_setting_is_checked_and_a_bad_one_changes_nothing() {
    let team = team(|ana, _| settings("strict", &[ana])).await;
    let (status, body) = team
        .app
        .admin_put(
            AUTOMATION,
            &json!({"unanswered_after_minutes": 5, "typing_preview": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let saved = json!({"unanswered_after_minutes": 5, "typing_preview": true});
    assert_eq!(body, saved);
    for bad in [
        json!({"typing_preview": "yes"}),
        json!({"typing_preview": 1}),
        json!({"typing_preview": null}),
    ] {
        let (status, answer) = team.app.admin_put(AUTOMATION, &bad).await;
        assert_error(status, &answer, 400, "bad_request");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains("typing_preview"), "{bad} -> {message}");
    }
    // A bad value elsewhere in the same body: 422 naming that field, and the
    // preview's switch is not changed either.
    let (status, answer) = team
        .app
        .admin_put(
            AUTOMATION,
            &json!({"unanswered_after_minutes": 0, "typing_preview": false}),
        )
        .await;
    assert_error(status, &answer, 422, "invalid_field");
    assert!(answer["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unanswered_after_minutes")));
    let (status, body) = team.app.admin_get(AUTOMATION).await;
    assert_eq!((status, body), (200, saved), "nothing changed");
    assert!(team.app.config().await.typing_preview);
    // Off: left out of the settings and of the widget's config.
    let (status, body) = team.app.admin_put(AUTOMATION, &json!({})).await;
    assert_eq!((status, body), (200, json!({})));
    let (_, config) = team.app.get("/api/v1/channels/demo/config").await;
    assert!(config.get("typing_preview").is_none(), "{config}");
}

//! Private notes over the real server: an agent's note reaches the consoles that
//! show the conversation and is there when it is opened again, never reaches the
//! visitor (not on the socket, not in the history); a re-sent client id stores
//! once; bad notes and notes in conversations the agent may not open are refused
//! and store nothing.

use serde_json::{json, Value};

use crate::agents::{settings, team, Team};

fn note(id: &str, client_id: &str, text: &str) -> Value {
    json!({"type": "note", "conversation_id": id, "client_id": client_id, "text": text})
}

fn is_note(client_id: &'static str) -> impl Fn(&Value) -> bool {
    move |f| f["type"] == "note" && f["note"]["client_id"] == client_id
}

fn is_error(f: &Value) -> bool {
    f["type"] == "error"
}

#[tokio::test]
async fn a_private_note_reaches_the_agents_and_never_the_visitor() {
    let Team {
        app,
        ana,
        mut ana_console,
        mut ben_console,
        ..
    } = team(|ana, ben| settings("strict", &[ana, ben])).await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    let first = visitor.say("c1", "Hello, I ordered a blue one").await;
    ana_console.take(id).await;
    ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;

    ana_console
        .send(note(id, "n1", "Regular customer: offer free shipping"))
        .await;
    let noted = ana_console.until("the note", is_note("n1")).await;
    assert_eq!(noted["conversation_id"], id);
    assert_eq!(
        noted["note"]["text"],
        "Regular customer: offer free shipping"
    );
    assert_eq!(noted["note"]["agent_id"], json!(ana));
    assert_eq!(noted["note"]["agent_name"], "Ana");
    assert_eq!(noted["note"]["after_seq"], json!(first));

    // The same client id again: the same note, stored once, and only to its writer.
    ana_console
        .send(note(id, "n1", "Regular customer: offer free shipping"))
        .await;
    let again = ana_console.until("the note again", is_note("n1")).await;
    assert_eq!(again["note"]["id"], noted["note"]["id"]);
    assert_eq!(app.count("notes").await, 1);

    // The visitor hears the reply after it, not the note.
    ana_console.reply(id, "r1", "Hi! Let me check.").await;
    let next = visitor.next().await.expect("a frame");
    assert_eq!(next["type"], "message", "{next}");
    assert_eq!(next["text"], "Hi! Let me check.", "{next}");
    // A new tab of the visitor's gets the whole history: the two messages only.
    let mut tab = app.joined(&consent, &conversation).await;
    let mut history = Vec::new();
    while history.len() < 2 {
        let frame = tab.next().await.expect("the history");
        assert!(
            !frame.to_string().contains("free shipping"),
            "not in the visitor's history: {frame}"
        );
        if frame["type"] == "message" {
            history.push(frame["text"].clone());
        }
    }
    assert_eq!(
        history,
        [
            json!("Hello, I ordered a blue one"),
            json!("Hi! Let me check.")
        ]
    );
    let in_messages: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE body LIKE '%free shipping%'")
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(in_messages, 0);

    // Opened again: the note is part of the conversation.
    ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    let opened = ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert_eq!(opened["notes"][0]["client_id"], "n1", "{opened}");

    // Ben may not open Ana's conversation: his note is refused, nothing stored.
    ben_console.send(note(id, "n2", "Not mine")).await;
    let refused = ben_console.until("the refusal", is_error).await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    for (frame, code) in [
        (note(id, "n3", "   "), "invalid_field"),
        (note(id, "", "No id"), "invalid_field"),
        (
            note("no-such-conversation", "n4", "Lost"),
            "unknown_conversation",
        ),
        (
            json!({"type": "note", "conversation_id": id, "text": "No client id"}),
            "bad_request",
        ),
    ] {
        ana_console.send(frame.clone()).await;
        let error = ana_console.until("the refusal", is_error).await;
        assert_eq!(error["code"], code, "{frame} -> {error}");
    }
    assert_eq!(app.count("notes").await, 1, "refused notes store nothing");
}

#[tokio::test]
async fn a_supervisor_reads_and_writes_notes_in_a_conversation_they_do_not_hold() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let sue = team
        .app
        .agent("sue@shop.example", "Sue", "supervisor")
        .await;
    team.app.managers(&[sue]).await;
    let (mut sue_console, _) = team.app.console("sue@shop.example").await;
    let (_, conversation, _visitor) = team.app.visitor().await;
    let id = conversation.conversation_id.as_str();
    team.ana_console.take(id).await;
    team.ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    team.ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    team.ana_console
        .send(note(id, "a1", "Asked for a refund twice"))
        .await;
    team.ana_console.until("Ana's note", is_note("a1")).await;

    // Sue oversees the channel: she opens Ana's conversation and reads the note.
    sue_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    let opened = sue_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert_eq!(
        opened["notes"][0]["text"], "Asked for a refund twice",
        "{opened}"
    );
    // Her own note reaches Ana, who holds it, live.
    sue_console
        .send(note(id, "s1", "Approve it, I checked the order"))
        .await;
    sue_console.until("her note", is_note("s1")).await;
    let heard = team.ana_console.until("Sue's note", is_note("s1")).await;
    assert_eq!(heard["note"]["agent_name"], "Sue");
    assert_eq!(team.app.count("notes").await, 2);
}

//! The CRM's records and contacts beyond the tracker: each conversation's
//! transcript on the lead or deal it touched (written when the dialog closes,
//! once per conversation however often it closes).

use serde_json::{json, Value};

use crate::agents::{is_remove, settings, team, Team};
use crate::helpers::{poll, Socket, TestApp};

/// Takes the conversation `id` (offered to this console) and closes it.
async fn take_and_close(console: &mut Socket, id: &str) {
    console.take(id).await;
    console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    console.until("closed and gone", is_remove(id)).await;
}

/// A record once its transcripts say what `ready` wants.
async fn record_when(app: &TestApp, id: &str, ready: impl Fn(&Value) -> bool) -> Value {
    poll(|| async {
        let (status, record) = app.admin_get(&format!("/crm/records/{id}")).await;
        if status == 200 && ready(&record["transcripts"]) {
            Ok(record)
        } else {
            Err(format!("{status} {record}"))
        }
    })
    .await
}

/// A transcript's lines as `author name: text`.
fn lines(transcript: &Value) -> Vec<String> {
    transcript["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            assert!(
                l["sent_at"].as_str().is_some_and(|t| t.contains('T')),
                "{l}"
            );
            assert!(l["seq"].as_u64().is_some_and(|s| s > 0), "{l}");
            format!(
                "{} {}: {}",
                l["author"].as_str().unwrap_or("?"),
                l["author_name"].as_str().unwrap_or("-"),
                l["text"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn count(transcripts: &Value) -> usize {
    transcripts.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_closed_dialog_writes_its_transcript_on_the_deal_once_per_conversation() {
    let Team {
        app,
        mut ana_console,
        ..
    } = team(|ana, _| settings("strict", &[ana])).await;

    // The customer leaves a phone: a deal is made from this chat.
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    visitor.say("c1", "Llamadme al +34 612 345 678").await;
    ana_console.take(id).await;
    ana_console
        .reply(id, "r1", "Te llamo en cinco minutos")
        .await;
    ana_console
        .send(json!({"type": "open", "conversation_id": id}))
        .await;
    ana_console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    ana_console
        .send(
            json!({"type": "note", "conversation_id": id, "client_id": "n1",
                     "text": "Private: regular customer"}),
        )
        .await;
    ana_console
        .until("the note", |f| {
            f["type"] == "note" && f["note"]["client_id"] == "n1"
        })
        .await;
    let (_, list) = app.admin_get("/crm/records").await;
    let record_id = list["records"][0]["id"].as_str().expect("id").to_owned();
    assert_eq!(list["records"][0]["conversation_id"], id);
    let (_, before) = app.admin_get(&format!("/crm/records/{record_id}")).await;
    assert!(
        before.get("transcripts").is_none(),
        "none before the close: {before}"
    );

    ana_console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    ana_console.until("closed", is_remove(id)).await;
    let record = record_when(&app, &record_id, |t| count(t) == 1).await;
    let transcript = &record["transcripts"][0];
    assert_eq!(transcript["conversation_id"], id);
    assert_eq!(
        lines(transcript),
        [
            "visitor -: Llamadme al +34 612 345 678",
            "agent Ana: Te llamo en cinco minutos",
        ],
        "customer and agent messages, no note, no system line"
    );
    assert!(
        record["transcripts"].to_string().find("Private").is_none(),
        "{record}"
    );
    assert_eq!(
        app.count("crm_record_transcripts").await,
        1,
        "the record list does not carry them, the table has one"
    );

    // The customer writes again (the chat reopens) and it closes again: the same
    // one transcript, now with everything.
    visitor.until("the close", |f| f["type"] == "closed").await;
    visitor.say("c2", "Una cosa más").await;
    take_and_close(&mut ana_console, id).await;
    let record = record_when(&app, &record_id, |t| {
        t[0]["lines"].as_array().is_some_and(|l| l.len() == 3)
    })
    .await;
    assert_eq!(count(&record["transcripts"]), 1, "not twice: {record}");
    assert_eq!(
        lines(&record["transcripts"][0])[2],
        "visitor -: Una cosa más"
    );
    assert_eq!(app.count("crm_record_transcripts").await, 1);

    // Another chat of the same customer (the phone again, from another visitor)
    // touches the open deal: it keeps both transcripts, oldest first.
    let (_, second, mut other) = app.visitor().await;
    let second_id = second.conversation_id.as_str();
    other.say("d1", "Soy yo otra vez: +34 612 345 678").await;
    take_and_close(&mut ana_console, second_id).await;
    let record = record_when(&app, &record_id, |t| count(t) == 2).await;
    assert_eq!(record["transcripts"][0]["conversation_id"], id);
    assert_eq!(record["transcripts"][1]["conversation_id"], second_id);
    assert_eq!(
        lines(&record["transcripts"][1]),
        ["visitor -: Soy yo otra vez: +34 612 345 678"]
    );
    let (_, list) = app.admin_get("/crm/records").await;
    assert_eq!(
        list["records"].as_array().map(Vec::len),
        Some(1),
        "no new deal"
    );

    // The contact's card (what the console's customer card reads) carries them.
    let contact_id = record["contact_id"].as_str().expect("contact");
    let (_, card) = app.admin_get(&format!("/crm/contacts/{contact_id}")).await;
    assert_eq!(count(&card["records"][0]["transcripts"]), 2, "{card}");
    let cookie = app.login("ana@shop.example").await;
    let (status, shown) = crate::crm_tracker::get_card_as(&app, &cookie, second_id).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        count(&shown["card"]["records"][0]["transcripts"]),
        2,
        "{shown}"
    );
}

//! The CRM's records and contacts beyond the tracker: each conversation's
//! transcript on the lead or deal it touched (written when the dialog closes,
//! once per conversation however often it closes), and merging two contacts of
//! one person.

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
    // The tracker runs once the message is acknowledged: wait for it.
    visitor.settled().await;
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
    // Routing reopens the chat once the message is acknowledged.
    visitor.settled().await;
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
    // The tracker links this chat to the deal once the message is acknowledged; a
    // close before that would find no deal to write the transcript on.
    other.settled().await;
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

// ---- merging contacts ----------------------------------------------------------------

const INBOUND: &str = "/channels/demo/messenger/inbound";

/// A messenger message with a profile; the conversation's id.
async fn messenger(app: &TestApp, chat_id: &str, profile: Value) -> String {
    let body = json!({"chat_id": chat_id, "text": "Hola", "profile": profile});
    let (status, answer) = app.admin_post(INBOUND, &body).await;
    assert!(status == 201 || status == 200, "{status} {answer}");
    answer["conversation_id"].as_str().expect("id").to_owned()
}

/// The live contacts' ids.
async fn contact_ids(app: &TestApp) -> Vec<String> {
    let (status, body) = app.admin_get("/crm/contacts").await;
    assert_eq!(status, 200, "{body}");
    body["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// One line per row of every CRM table and of the consent ledger: what a refused
/// merge must leave as it was.
async fn crm_state(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for query in [
        "SELECT id || '|' || COALESCE(name, '') || '|' || COALESCE(first_phone, '') || '|' \
         || COALESCE(merged_into, '') || '|' || COALESCE(CAST(responsible_agent_id AS TEXT), '') \
         || '|' || updated_at FROM crm_contacts ORDER BY id",
        "SELECT phone || '|' || contact_id FROM crm_contact_phones ORDER BY phone",
        "SELECT email || '|' || contact_id FROM crm_contact_emails ORDER BY email",
        "SELECT conversation_id || '|' || contact_id FROM crm_conversations ORDER BY conversation_id",
        "SELECT visitor_id || '|' || contact_id FROM crm_visitors ORDER BY visitor_id",
        "SELECT id || '|' || contact_id || '|' || updated_at FROM crm_records ORDER BY id",
        CONSENTS,
    ] {
        let rows: Vec<String> = sqlx::query_scalar(query)
            .fetch_all(app.db.pool())
            .await
            .expect(query);
        out.push(rows.join("\n"));
    }
    out
}

/// The consent ledger, one line per record.
const CONSENTS: &str = "SELECT CAST(seq AS TEXT) || '|' || id || '|' || action || '|' \
    || COALESCE(visitor_id, '') || '|' || COALESCE(conversation_id, '') || '|' \
    || COALESCE(crm_entity, '') || '|' || created_at FROM consents ORDER BY seq";

async fn ledger(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(CONSENTS)
        .fetch_all(app.db.pool())
        .await
        .expect("ledger")
}

/// Two contacts of one person: Lucía from a messenger (phone A, no responsible)
/// and, from the website chat with its consent, "L. Gómez" (phone B, an e-mail,
/// Ben responsible). Returns (app, messenger contact, website contact, Ben).
async fn two_contacts_of_one_person() -> (TestApp, String, String, u64) {
    let app = crate::helpers::spawn_app().await;
    let ben = app.agent("ben@shop.example", "Ben", "agent").await;
    app.contact_form().await;
    messenger(
        &app,
        "tg-1",
        json!({"name": "Lucía Gómez", "phone": "+34 612 345 678"}),
    )
    .await;
    let first = contact_ids(&app).await;
    let (consent, website) = app.conversation().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/form",
            &json!({"visitor_token": consent.visitor_token, "page_url": crate::helpers::PAGE,
                    "conversation_id": website.conversation_id,
                    "name": "L. Gómez", "phone": "+34 699 111 222", "email": "lg@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let ids = contact_ids(&app).await;
    assert_eq!(ids.len(), 2, "two contacts: {ids:?}");
    let messenger_contact = first[0].clone();
    let website_contact = ids
        .into_iter()
        .find(|id| *id != messenger_contact)
        .expect("the other");
    let (status, body) = app
        .admin_patch(
            &format!("/crm/contacts/{website_contact}"),
            &json!({"responsible_agent_id": ben}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (app, messenger_contact, website_contact, ben)
}

#[tokio::test]
async fn merging_two_contacts_moves_everything_and_both_first_phones_lead_to_the_survivor() {
    let (app, lucia, other, ben) = two_contacts_of_one_person().await;
    let receiver = crate::receiver::Receiver::start().await;
    crate::webhooks::endpoint(&app, &receiver, &["contact.merged"]).await;
    let (_, before) = app.admin_get(&format!("/crm/contacts/{other}")).await;
    let other_consents = before["consents"].clone();
    assert!(
        other_consents.as_array().is_some_and(|c| !c.is_empty()),
        "the website chat's consent: {before}"
    );
    let ledger_before = ledger(&app).await;

    let (status, card) = app
        .admin_post(
            &format!("/crm/contacts/{lucia}/merge"),
            &json!({"from": other}),
        )
        .await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["contact"]["id"], lucia.as_str());
    assert_eq!(
        card["contact"]["name"], "Lucía Gómez",
        "the survivor's name"
    );
    assert_eq!(
        card["contact"]["phones"],
        json!(["+34612345678", "+34699111222"])
    );
    assert_eq!(card["contact"]["emails"], json!(["lg@example.com"]));
    assert_eq!(card["contact"]["first_phone"], "+34612345678");
    assert_eq!(
        card["contact"]["responsible_agent_id"],
        json!(ben),
        "the survivor had none: the other's"
    );
    assert_eq!(card["conversations"].as_array().map(Vec::len), Some(2));
    assert_eq!(card["records"].as_array().map(Vec::len), Some(2), "{card}");
    assert!(card["records"]
        .as_array()
        .expect("records")
        .iter()
        .all(|r| r["contact_id"] == lucia.as_str()));
    assert_eq!(card["consents"], other_consents, "the consents come along");
    assert_eq!(
        ledger(&app).await,
        ledger_before,
        "the ledger is not touched"
    );

    // The merged contact's id still answers, with the survivor; lists show one.
    let (status, old) = app.admin_get(&format!("/crm/contacts/{other}")).await;
    assert_eq!(status, 200, "{old}");
    assert_eq!(old["contact"]["id"], lucia.as_str());
    assert_eq!(contact_ids(&app).await, std::slice::from_ref(&lucia));
    let (_, by_phone) = app.admin_get("/crm/contacts?phone=%2B34699111222").await;
    assert_eq!(by_phone["contacts"][0]["id"], lucia.as_str());

    // The webhook hears of it.
    let merged = poll(|| async {
        match receiver
            .accepted()
            .into_iter()
            .find(|a| a.event_type == "contact.merged")
        {
            Some(a) => Ok(a.body["data"].clone()),
            None => Err(format!("not yet: {:?}", receiver.arrived())),
        }
    })
    .await;
    assert_eq!(merged["contact_id"], lucia.as_str());
    assert_eq!(merged["merged_contact_id"], other.as_str());
    assert_eq!(merged["phones"], json!(["+34612345678", "+34699111222"]));

    // Both phones taken off the survivor: each first phone still leads to it.
    let (status, body) = app
        .admin_patch(&format!("/crm/contacts/{lucia}"), &json!({"phones": []}))
        .await;
    assert_eq!(status, 200, "{body}");
    for (chat, phone) in [("tg-2", "+34 612 345 678"), ("tg-3", "+34 699 111 222")] {
        let conversation = messenger(&app, chat, json!({"phone": phone})).await;
        assert_eq!(
            contact_ids(&app).await,
            std::slice::from_ref(&lucia),
            "{phone}"
        );
        let (_, card) = app.admin_get(&format!("/crm/contacts/{lucia}")).await;
        assert!(
            card["conversations"]
                .as_array()
                .expect("conversations")
                .iter()
                .any(|c| c["conversation_id"] == conversation.as_str()),
            "{phone}: {card}"
        );
    }
}

#[tokio::test]
async fn a_bad_merge_is_refused_and_the_same_merge_twice_is_the_merge_once() {
    let (app, lucia, other, _) = two_contacts_of_one_person().await;
    let unchanged = crm_state(&app).await;
    let path = format!("/crm/contacts/{lucia}/merge");
    for (path, body, want, code) in [
        (path.clone(), json!({"from": lucia}), 422, "invalid_field"),
        (path.clone(), json!({"from": "nope"}), 404, "not_found"),
        (
            "/crm/contacts/nope/merge".to_owned(),
            json!({"from": other}),
            404,
            "not_found",
        ),
        (path.clone(), json!({}), 422, ""),
        (path.clone(), json!({"from": other, "into": "x"}), 422, ""),
        (path.clone(), json!({"from": 7}), 422, ""),
    ] {
        let (status, answer) = app.admin_post(&path, &body).await;
        if code.is_empty() {
            assert!((400..500).contains(&status), "{body}: {status} {answer}");
        } else {
            crate::helpers::assert_error(status, &answer, want, code);
        }
        assert_eq!(crm_state(&app).await, unchanged, "{body}: nothing changed");
    }

    let (status, once) = app.admin_post(&path, &json!({"from": other})).await;
    assert_eq!(status, 200, "{once}");
    let merged = crm_state(&app).await;
    assert_ne!(merged, unchanged);
    // Again, and the other way round, and into the merged one: refused (409),
    // nothing changed: the state is the one after the first merge.
    for (path, from) in [
        (path.clone(), other.clone()),
        (format!("/crm/contacts/{other}/merge"), lucia.clone()),
    ] {
        let (status, answer) = app.admin_post(&path, &json!({"from": from})).await;
        crate::helpers::assert_error(status, &answer, 409, "conflict");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("merged into")),
            "{answer}"
        );
        assert_eq!(crm_state(&app).await, merged);
    }
    let (_, card) = app.admin_get(&format!("/crm/contacts/{lucia}")).await;
    assert_eq!(card, once, "the same card as after the one merge");

    // Only admins merge.
    let response = app
        .http
        .post(app.url(&format!("/api/v1/admin{path}")))
        .json(&json!({"from": other}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_survivor_without_a_first_phone_takes_the_merged_one_s_phone_back_and_is_found_by_it() {
    let app = crate::helpers::spawn_app().await;
    // A messenger customer who gave only a name: no phone, no first phone.
    messenger(&app, "tg-7", json!({"name": "Lucía"})).await;
    let survivor = contact_ids(&app).await.remove(0);
    messenger(&app, "tg-8", json!({"phone": "+34 612 345 678"})).await;
    let ids = contact_ids(&app).await;
    let other = ids.into_iter().find(|id| *id != survivor).expect("other");
    let (status, card) = app
        .admin_post(
            &format!("/crm/contacts/{survivor}/merge"),
            &json!({"from": other}),
        )
        .await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["contact"]["phones"], json!(["+34612345678"]));
    // The phone off and on again: the merged contact keeps the first phone (it
    // leads here), the edit is no conflict and no error.
    for phones in [json!([]), json!(["+34612345678"])] {
        let (status, card) = app
            .admin_patch(
                &format!("/crm/contacts/{survivor}"),
                &json!({"phones": phones}),
            )
            .await;
        assert_eq!(status, 200, "{card}");
        assert_eq!(card["contact"]["phones"], phones);
    }
    let conversation = messenger(&app, "tg-9", json!({"phone": "+34 612-345-678"})).await;
    assert_eq!(contact_ids(&app).await, std::slice::from_ref(&survivor));
    let (_, card) = app.admin_get(&format!("/crm/contacts/{survivor}")).await;
    assert!(
        card["conversations"]
            .as_array()
            .expect("conversations")
            .iter()
            .any(|c| c["conversation_id"] == conversation.as_str()),
        "{card}"
    );
}

// ---- names ---------------------------------------------------------------------------

#[tokio::test]
async fn a_contact_who_gives_no_name_is_named_in_the_channel_s_language() {
    let app = crate::helpers::spawn_app().await;
    // Russian: a messenger customer without a name in their profile.
    let (status, body) = app
        .admin_patch("/channels/demo", &json!({"locale": "ru"}))
        .await;
    assert_eq!(status, 200, "{body}");
    messenger(&app, "tg-5", json!({"phone": "+34 612 345 678"})).await;
    let (_, list) = app.admin_get("/crm/contacts").await;
    assert_eq!(
        list["contacts"][0]["name"], "Клиент из мессенджера",
        "{list}"
    );
    let (_, records) = app.admin_get("/crm/records").await;
    assert_eq!(records["records"][0]["title"], "Клиент из мессенджера");

    // Spanish: a website visitor who leaves only a phone in the form.
    let (status, body) = app
        .admin_patch("/channels/demo", &json!({"locale": "es"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .admin_put(
            "/channels/demo/form",
            &json!({"fields": [{"name": "phone"}], "agreements": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (consent, website) = app.conversation().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/form",
            &json!({"visitor_token": consent.visitor_token, "page_url": crate::helpers::PAGE,
                    "conversation_id": website.conversation_id, "phone": "+34 699 111 222"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, list) = app.admin_get("/crm/contacts?phone=%2B34699111222").await;
    assert_eq!(
        list["contacts"][0]["name"], "Visitante del sitio web",
        "{list}"
    );
}

//! Outbound webhooks to a real receiver on loopback ([`Receiver`]): every event
//! arrives, signed, through refusals, a receiver that is down and a server restart
//! meanwhile; repeats only ever carry the same event id and body; the delivery log
//! shows each attempt and a re-send by hand sends the same event again; bad
//! requests are refused with nothing stored.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::helpers::{assert_error, poll, spawn_app, TestApp};
use crate::receiver::{Arrived, Receiver};

/// Makes an endpoint for `receiver` subscribed to `events`; returns its id.
pub(crate) async fn endpoint(app: &TestApp, receiver: &Receiver, events: &[&str]) -> String {
    let (status, hook) = app
        .admin_post(
            "/webhooks",
            &json!({"url": receiver.url(), "events": events}),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().expect("secret");
    assert!(secret.starts_with("whsec_"), "{hook}");
    receiver.set_secret(secret);
    hook["id"].as_str().expect("id").to_owned()
}

/// What `receiver` acknowledged, once it holds `kinds` kinds of event (checked
/// with [`check_arrivals`]).
async fn heard(receiver: &Receiver, kinds: usize) -> Vec<Arrived> {
    let arrived = poll(|| async {
        let arrived = receiver.accepted();
        let seen: HashSet<&str> = arrived.iter().map(|a| a.event_type.as_str()).collect();
        if seen.len() == kinds {
            Ok(arrived)
        } else {
            Err(format!("not all heard: {arrived:?}"))
        }
    })
    .await;
    check_arrivals(&arrived);
    arrived
}

/// The `data` of the first event of `kind` that arrived.
fn data_of(arrived: &[Arrived], kind: &str) -> Value {
    arrived
        .iter()
        .find(|a| a.event_type == kind)
        .map(|a| a.body["data"].clone())
        .expect("arrived")
}

/// The outbox's rows: (event id, kind, delivered).
async fn outbox(app: &TestApp) -> Vec<(String, String, bool)> {
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT event_id, kind, delivered_at FROM deliveries ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .expect("deliveries");
    rows.into_iter()
        .map(|(id, kind, delivered)| (id, kind, delivered.is_some()))
        .collect()
}

/// Waits until every row of the outbox is delivered and the receiver acknowledged
/// each event; returns the event ids.
async fn all_delivered(app: &TestApp, receiver: &Receiver) -> HashSet<String> {
    poll(|| async {
        let rows = outbox(app).await;
        let queued: HashSet<String> = rows.iter().map(|r| r.0.clone()).collect();
        let accepted: HashSet<String> = receiver
            .accepted()
            .into_iter()
            .map(|a| a.event_id)
            .collect();
        if !rows.is_empty() && rows.iter().all(|r| r.2) && queued == accepted {
            Ok(queued)
        } else {
            Err(format!(
                "not everything arrived: outbox {rows:?}, accepted {accepted:?}"
            ))
        }
    })
    .await
}

/// What every arrival must be: signed, its header id and type those of its body,
/// and a repeat of an id the same body as the first.
fn check_arrivals(arrived: &[Arrived]) {
    let mut bodies: HashMap<&str, &str> = HashMap::new();
    for a in arrived {
        assert!(a.signed, "the signature checks out: {a:?}");
        assert_eq!(a.body["id"], a.event_id, "{a:?}");
        assert_eq!(a.body["type"], a.event_type, "{a:?}");
        assert!(a.body["occurred_at"].is_string(), "{a:?}");
        let first = bodies.entry(&a.event_id).or_insert(&a.raw);
        assert_eq!(*first, a.raw, "a repeat carries the same body");
    }
}

fn kinds(arrived: &[Arrived]) -> HashMap<String, HashSet<String>> {
    let mut kinds: HashMap<String, HashSet<String>> = HashMap::new();
    for a in arrived {
        kinds
            .entry(a.event_type.clone())
            .or_default()
            .insert(a.event_id.clone());
    }
    kinds
}

#[tokio::test]
async fn every_event_arrives_signed_through_refusals_a_dead_receiver_and_a_restart() {
    let mut app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let hook = endpoint(
        &app,
        &receiver,
        &[
            "consent.recorded",
            "conversation.created",
            "message.created",
            "conversation.closed",
        ],
    )
    .await;
    // The receiver refuses the first two attempts.
    receiver.refuse_next(2);
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    socket.say("c1", "Hello, is my order on its way?").await;
    let delivered = all_delivered(&app, &receiver).await;
    let arrived = receiver.arrived();
    assert_eq!(arrived.iter().filter(|a| a.status == 503).count(), 2);
    // Every attempt reached the receiver and is counted in the log.
    let (status, log) = app.admin_get(&format!("/webhooks/{hook}/deliveries")).await;
    assert_eq!(status, 200, "{log}");
    let log = log.as_array().expect("log").clone();
    assert_eq!(log.len(), delivered.len());
    let attempts: i64 = log.iter().map(|d| d["attempts"].as_i64().expect("n")).sum();
    assert_eq!(attempts as usize, arrived.len());
    assert!(log
        .iter()
        .all(|d| d["state"] == "delivered" && d["last_status"] == 204));
    let kinds_now = kinds(&arrived);
    for kind in [
        "consent.recorded",
        "conversation.created",
        "message.created",
    ] {
        assert!(
            kinds_now.contains_key(kind),
            "{kind} arrived: {kinds_now:?}"
        );
    }
    let message = arrived
        .iter()
        .find(|a| a.event_type == "message.created" && a.body["data"]["author"] == "visitor")
        .expect("the visitor's message");
    assert_eq!(
        message.body["data"]["text"],
        "Hello, is my order on its way?"
    );
    assert_eq!(
        message.body["data"]["conversation_id"],
        conversation.conversation_id.as_str()
    );

    // The receiver goes down; events happen; the server restarts; more events;
    // then the receiver comes back.
    receiver.stop().await;
    socket.say("c2", "Anyone there?").await;
    let (consent2, _) = app.conversation().await;
    poll(|| async {
        let failed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE delivered_at IS NULL AND last_error IS NOT NULL",
        )
        .fetch_one(app.db.pool())
        .await
        .expect("count");
        if failed >= 3 {
            Ok(())
        } else {
            Err(format!(
                "{failed} deliveries failed against the dead receiver"
            ))
        }
    })
    .await;
    drop(socket);
    app.restart().await;
    let (_, conversation3) = app.conversation().await;
    receiver.restart().await;
    let delivered = all_delivered(&app, &receiver).await;
    let arrived = receiver.arrived();
    check_arrivals(&arrived);
    let kinds_after = kinds(&arrived);
    assert_eq!(kinds_after["consent.recorded"].len(), 3, "{kinds_after:?}");
    assert_eq!(
        kinds_after["conversation.created"].len(),
        3,
        "{kinds_after:?}"
    );
    assert!(arrived
        .iter()
        .any(|a| a.body["data"]["consent_id"] == consent2.consent_id.as_str()));
    assert!(arrived
        .iter()
        .any(|a| a.body["data"]["conversation_id"] == conversation3.conversation_id.as_str()));
    assert!(arrived
        .iter()
        .any(|a| a.body["data"]["text"] == "Anyone there?"));
    // Nothing arrived that the outbox does not hold.
    let ids: HashSet<String> = arrived.iter().map(|a| a.event_id.clone()).collect();
    assert_eq!(ids, delivered);
}

#[tokio::test]
async fn a_delivery_is_sent_again_by_hand_with_the_same_event_id() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let hook = endpoint(&app, &receiver, &["consent.recorded"]).await;
    let consent = app.consent().await;
    let delivered = all_delivered(&app, &receiver).await;
    assert_eq!(delivered.len(), 1);
    let first = receiver.accepted().remove(0);
    assert_eq!(
        first.body["data"]["consent_id"],
        consent.consent_id.as_str()
    );
    assert_eq!(first.body["data"]["source"], "livechat", "{:?}", first.body);

    let (_, log) = app.admin_get(&format!("/webhooks/{hook}/deliveries")).await;
    let id = log[0]["id"].as_i64().expect("id");
    let (status, again) = app
        .admin_post(
            &format!("/webhooks/{hook}/deliveries/{id}/resend"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["state"], "pending");
    poll(|| async {
        let arrived = receiver.accepted();
        if arrived.len() == 2 {
            Ok(())
        } else {
            Err(format!("{} arrived", arrived.len()))
        }
    })
    .await;
    let arrived = receiver.accepted();
    assert_eq!(arrived[1].event_id, first.event_id);
    assert_eq!(arrived[1].raw, first.raw);
    check_arrivals(&arrived);

    // Unknown deliveries and endpoints: 404.
    for path in [
        format!("/webhooks/{hook}/deliveries/999999/resend"),
        format!("/webhooks/{hook}/deliveries/abc/resend"),
        format!("/webhooks/nope/deliveries/{id}/resend"),
    ] {
        let (status, answer) = app.admin_post(&path, &json!({})).await;
        assert_error(status, &answer, 404, "not_found");
    }
}

#[tokio::test]
async fn only_active_endpoints_subscribed_to_a_kind_get_it() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let messages_only = endpoint(&app, &receiver, &["message.created"]).await;
    let off = endpoint(&app, &receiver, &["consent.recorded"]).await;
    let (status, changed) = app
        .admin_patch(&format!("/webhooks/{off}"), &json!({"active": false}))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["active"], false);
    app.consent().await;
    app.consent().await;
    // No endpoint wants a consent now: nothing is queued.
    assert_eq!(app.count("deliveries").await, 0);
    let (status, list) = app.admin_get("/webhooks").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert!(
        list.to_string().find("whsec_").is_none(),
        "no secret in the list"
    );
    let (status, one) = app.admin_get(&format!("/webhooks/{messages_only}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["events"], json!(["message.created"]));
}

#[tokio::test]
async fn bad_webhook_requests_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let good = json!({"url": "https://hooks.example/canal", "events": ["message.created"]});
    let cases: [(Value, u16, &str); 8] = [
        (
            json!({"url": "ftp://hooks.example/x", "events": ["message.created"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"url": "not a url", "events": ["message.created"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"url": "https://hooks.example/#frag", "events": ["message.created"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"url": format!("https://hooks.example/{}", "a".repeat(2000)), "events": ["message.created"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"url": "https://hooks.example/", "events": []}),
            422,
            "invalid_field",
        ),
        (
            json!({"url": "https://hooks.example/", "events": ["order.shipped"]}),
            400,
            "bad_request",
        ),
        (
            json!({"url": "https://hooks.example/", "events": ["message.created"], "secret": "mine"}),
            400,
            "unknown_field",
        ),
        (json!({"events": ["message.created"]}), 400, "bad_request"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = app.admin_post("/webhooks", &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app.post("/api/v1/admin/webhooks", &good).await;
    assert_error(got, &answer, 401, "unauthorized");
    assert_eq!(app.count("webhook_endpoints").await, 0);

    let (status, made) = app.admin_post("/webhooks", &good).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().expect("id");
    for (body, status, code) in [
        (json!({"url": "javascript:alert(1)"}), 422, "invalid_field"),
        (json!({"events": []}), 422, "invalid_field"),
        (json!({"active": "yes"}), 400, "bad_request"),
        (json!({"colour": "red"}), 400, "unknown_field"),
    ] {
        let (got, answer) = app.admin_patch(&format!("/webhooks/{id}"), &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app
        .admin_patch("/webhooks/nope", &json!({"active": false}))
        .await;
    assert_error(got, &answer, 404, "not_found");
    let (_, unchanged) = app.admin_get(&format!("/webhooks/{id}")).await;
    assert_eq!(unchanged["url"], "https://hooks.example/canal");
    assert_eq!(unchanged["events"], json!(["message.created"]));
    assert_eq!(unchanged["active"], true);
}

#[tokio::test]
async fn closing_rating_and_withdrawing_are_heard_too() {
    use crate::agents::{is_remove, settings};
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let receiver = Receiver::start().await;
    endpoint(
        &app,
        &receiver,
        &[
            "conversation.closed",
            "conversation.rated",
            "consent.withdrawn",
        ],
    )
    .await;
    let (consent, conversation) = app.conversation().await;
    let id = conversation.conversation_id.clone();
    console.take(&id).await;
    console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    console.until("closed", is_remove(&id)).await;
    let (status, rated) = app
        .put(
            &format!("/api/v1/channels/demo/conversations/{id}/rating"),
            &json!({"visitor_token": consent.visitor_token, "rating": "like", "comment": "Quick!"}),
        )
        .await;
    assert_eq!(status, 200, "{rated}");
    let (status, withdrawn) = app
        .post(
            "/api/v1/channels/demo/consents/withdrawals",
            &json!({"visitor_token": consent.visitor_token}),
        )
        .await;
    assert_eq!(status, 201, "{withdrawn}");
    let arrived = heard(&receiver, 3).await;
    let data = |kind: &str| data_of(&arrived, kind);
    assert_eq!(data("conversation.closed")["conversation_id"], id.as_str());
    assert_eq!(data("conversation.rated")["rating"], "like");
    assert_eq!(data("conversation.rated")["comment"], "Quick!");
    let withdrawal = data("consent.withdrawn");
    assert_eq!(withdrawal["visitor_id"], consent.visitor_id.as_str());
    assert_ne!(
        withdrawal["consent_id"],
        consent.consent_id.as_str(),
        "its own record"
    );
}

#[tokio::test]
async fn the_crm_s_contacts_and_deals_reach_a_webhook() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    endpoint(
        &app,
        &receiver,
        &["contact.created", "contact.merged", "deal.created"],
    )
    .await;
    // A messenger customer with a phone: a contact and (the demo channel's mode) a
    // deal; then an e-mail typed in a message is merged into the contact.
    let body = json!({"chat_id": "tg-9", "text": "Hola",
                      "profile": {"name": "Lucía Gómez", "phone": "+34 612 345 678"}});
    let (status, first) = app
        .admin_post("/channels/demo/messenger/inbound", &body)
        .await;
    assert_eq!(status, 201, "{first}");
    let conversation = first["conversation_id"].as_str().expect("id").to_owned();
    let body = json!({"chat_id": "tg-9", "text": "Mi correo: Lucia@Example.com"});
    let (status, next) = app
        .admin_post("/channels/demo/messenger/inbound", &body)
        .await;
    assert_eq!(status, 200, "{next}");
    let arrived = heard(&receiver, 3).await;
    let data = |kind: &str| data_of(&arrived, kind);
    let created = data("contact.created");
    assert_eq!(created["name"], "Lucía Gómez", "{created}");
    assert_eq!(created["phones"], json!(["+34612345678"]));
    let deal = data("deal.created");
    assert_eq!(deal["contact_id"], created["contact_id"]);
    assert_eq!(deal["conversation_id"], conversation.as_str());
    let merged = data("contact.merged");
    assert_eq!(merged["contact_id"], created["contact_id"]);
    assert_eq!(merged["emails"], json!(["lucia@example.com"]), "{merged}");
}

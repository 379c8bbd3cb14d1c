//! Messenger connectors against a fake gateway ([`Receiver`]: a real server on
//! loopback that checks Canal's signatures with its own HMAC code): inbound events
//! signed by the test, the consent notice and agents' replies posted back and
//! retried while the gateway refuses, the tag filter, group-chat senders, and bad
//! signatures, replays and bodies refused with nothing stored.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_error, poll, spawn_app, TestApp};
use crate::receiver::{expected_signature, Receiver};

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

/// A connector on the demo channel posting to `gateway`; returns (id, secret).
async fn connector(app: &TestApp, gateway: &Receiver, settings: Value) -> (String, String) {
    let (status, made) = app
        .admin_post(
            "/connectors",
            &json!({"channel": "demo", "name": "WhatsApp gateway",
                    "outbound_url": gateway.url(), "settings": settings}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let secret = made["secret"].as_str().expect("secret").to_owned();
    gateway.set_secret(&secret);
    (made["id"].as_str().expect("id").to_owned(), secret)
}

/// Posts raw `body` to the connector's events, signed at `timestamp` with `secret`.
async fn post_signed(
    app: &TestApp,
    id: &str,
    secret: &str,
    timestamp: u64,
    body: &[u8],
) -> (u16, Value) {
    let ts = timestamp.to_string();
    let response = app
        .http
        .post(app.url(&format!("/api/v1/connectors/{id}/events")))
        .header("content-type", "application/json")
        .header("canal-timestamp", &ts)
        .header("canal-signature", expected_signature(secret, &ts, body))
        .body(body.to_vec())
        .send()
        .await
        .expect("post event");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sends an event signed now; asserts 200 and returns the answer.
async fn send(app: &TestApp, id: &str, secret: &str, event: Value) -> Value {
    let (status, answer) =
        post_signed(app, id, secret, unix_now(), event.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// Rows of every table an inbound event writes.
async fn rows(app: &TestApp) -> [i64; 4] {
    [
        app.count("messages").await,
        app.count("conversations").await,
        app.count("connector_dialogs").await,
        app.count("connector_held").await,
    ]
}

async fn texts(app: &TestApp, conversation_id: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT author, body FROM messages WHERE conversation_id = $1 ORDER BY seq")
        .bind(conversation_id)
        .fetch_all(app.db.pool())
        .await
        .expect("messages")
}

#[tokio::test]
async fn a_dialog_flows_both_ways_signed_and_replies_are_retried_until_acknowledged() {
    let app = spawn_app().await;
    let gateway = Receiver::start().await;
    // Made with a key of the connectors' scope, not the admin token.
    let (status, key) = app
        .admin_post(
            "/api-keys",
            &json!({"name": "gateway ops", "scopes": ["manage_connectors"]}),
        )
        .await;
    assert_eq!(status, 201);
    let key = key["key"].as_str().expect("key").to_owned();
    let (status, made) = app
        .with_key(
            &key,
            Method::POST,
            "/connectors",
            Some(&json!({"channel": "demo", "name": "WhatsApp", "outbound_url": gateway.url()})),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (id, secret) = (
        made["id"].as_str().expect("id").to_owned(),
        made["secret"].as_str().expect("secret").to_owned(),
    );
    assert!(secret.starts_with("cnsec_"));
    assert_eq!(made["settings"]["tag_mode"], "off");
    assert_eq!(made["settings"]["notify_new_messages"], true);
    gateway.set_secret(&secret);
    // The gateway refuses the first two replies.
    gateway.refuse_next(2);

    let first = send(
        &app,
        &id,
        &secret,
        json!({"type": "message", "chat_id": "34600111222", "message_id": "wamid.1",
               "text": "Hola, ¿tenéis la talla 42?"}),
    )
    .await;
    assert_eq!(first["outcome"], "accepted", "{first}");
    let conversation_id = first["conversation_id"].as_str().expect("id").to_owned();
    // The consent notice goes to the gateway, retried until it answers 2xx.
    let notice = poll(|| async {
        match gateway.accepted().into_iter().next() {
            Some(reply) => Ok(reply),
            None => Err(format!(
                "no reply acknowledged yet: {:?}",
                gateway.arrived()
            )),
        }
    })
    .await;
    assert_eq!(
        gateway.arrived().iter().filter(|a| a.status == 503).count(),
        2
    );
    assert!(
        gateway.arrived().iter().all(|a| a.signed),
        "our signatures check out"
    );
    assert_eq!(notice.body["chat_id"], "34600111222");
    assert_eq!(notice.body["conversation_id"], conversation_id.as_str());
    assert_eq!(notice.body["author"], "system");
    assert!(
        notice.body["text"]
            .as_str()
            .is_some_and(|t| t.contains("/agreements/")),
        "{:?}",
        notice.body
    );
    assert!(
        gateway
            .arrived()
            .iter()
            .all(|a| a.event_id == notice.event_id),
        "every attempt carries the same id"
    );

    // The client's next message is the consent.
    let second = send(
        &app,
        &id,
        &secret,
        json!({"type": "message", "chat_id": "34600111222", "message_id": "wamid.2", "text": "Vale"}),
    )
    .await;
    assert_eq!(second["conversation_id"], conversation_id.as_str());
    let consents: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM consents WHERE source = 'messenger' AND conversation_id = $1",
    )
    .bind(&conversation_id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(consents, 1);

    // An answer from Canal's side goes to the gateway.
    let (status, posted) = app
        .admin_post(
            &format!("/conversations/{conversation_id}/messages"),
            &json!({"client_id": "r1", "text": "Sí, la tenemos."}),
        )
        .await;
    assert_eq!(status, 201, "{posted}");
    let answer = poll(|| async {
        gateway
            .accepted()
            .into_iter()
            .find(|a| a.body["text"] == "Sí, la tenemos.")
            .ok_or_else(|| format!("the answer has not arrived: {:?}", gateway.arrived()))
    })
    .await;
    assert_eq!(answer.body["author"], "agent");
    assert_eq!(answer.body["chat_id"], "34600111222");
    assert_eq!(answer.body["id"], answer.event_id);

    // The same message sent again (another request: its JSON spaced otherwise, so
    // its signature differs even within the same second) stores nothing new.
    let before = texts(&app, &conversation_id).await;
    let resent = r#"{ "type": "message", "chat_id": "34600111222", "message_id": "wamid.2", "text": "Vale" }"#;
    let (status, again) = post_signed(&app, &id, &secret, unix_now(), resent.as_bytes()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(texts(&app, &conversation_id).await, before);
    assert_eq!(
        before
            .iter()
            .filter(|(author, _)| author == "visitor")
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>(),
        ["Hola, ¿tenéis la talla 42?", "Vale"]
    );
    // Two retries of a new message arriving together: one is taken, one is told
    // it is a duplicate, and the message is stored once.
    let first = r#"{"type": "message", "chat_id": "34600111222", "message_id": "wamid.3", "text": "¿Y en rojo?"}"#;
    let second =
        r#"{"type":"message","chat_id":"34600111222","message_id":"wamid.3","text":"¿Y en rojo?"}"#;
    let now = unix_now();
    let (a, b) = tokio::join!(
        post_signed(&app, &id, &secret, now, first.as_bytes()),
        post_signed(&app, &id, &secret, now, second.as_bytes()),
    );
    assert_eq!((a.0, b.0), (200, 200), "{} {}", a.1, b.1);
    let outcomes = [a.1["outcome"].clone(), b.1["outcome"].clone()];
    assert_eq!(
        outcomes.iter().filter(|o| *o == "duplicate").count(),
        1,
        "{outcomes:?}"
    );
    let stored = texts(&app, &conversation_id).await;
    assert_eq!(
        stored.iter().filter(|(_, t)| t == "¿Y en rojo?").count(),
        1,
        "{stored:?}"
    );

    // The replies' log: delivered, the first after three attempts.
    let (status, log) = app
        .with_key(
            &key,
            Method::GET,
            &format!("/connectors/{id}/deliveries"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{log}");
    let log = log.as_array().expect("log").clone();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|d| d["state"] == "delivered"));
    assert_eq!(log.last().expect("first")["attempts"], 3);

    // A profile event is kept with the dialog.
    let noted = send(
        &app,
        &id,
        &secret,
        json!({"type": "profile", "chat_id": "34600111222",
               "profile": {"name": "Lucía", "phone": "+34 600 111 222", "email": "Lucia@Example.com"}}),
    )
    .await;
    assert_eq!(noted["outcome"], "noted");
    let profile: String =
        sqlx::query_scalar("SELECT profile FROM connector_dialogs WHERE chat_id = '34600111222'")
            .fetch_one(app.db.pool())
            .await
            .expect("profile");
    let profile: Value = serde_json::from_str(&profile).expect("json");
    assert_eq!(profile["phone"], "+34600111222");
    assert_eq!(profile["email"], "lucia@example.com");
}

#[tokio::test]
async fn the_tag_filter_holds_rejects_and_forwards_earlier_messages() {
    let app = spawn_app().await;
    let gateway = Receiver::start().await;
    let (vip, secret) = connector(
        &app,
        &gateway,
        json!({"tag_mode": "only_tagged", "tags": ["VIP"], "forward_earlier": true}),
    )
    .await;
    let message = |chat: &str, id: &str, text: &str| json!({"type": "message", "chat_id": chat, "message_id": id, "text": text});
    for (id, text) in [("m1", "first"), ("m2", "second")] {
        let held = send(&app, &vip, &secret, message("c1", id, text)).await;
        assert_eq!(held["outcome"], "held", "{held}");
        assert!(held["conversation_id"].is_null());
    }
    assert_eq!(app.count("conversations").await, 0);
    let tagged = send(
        &app,
        &vip,
        &secret,
        json!({"type": "tags", "chat_id": "c1", "tags": ["vip"]}),
    )
    .await;
    assert_eq!(tagged["forwarded"], 2, "{tagged}");
    let conversation = tagged["conversation_id"].as_str().expect("conversation");
    let third = send(&app, &vip, &secret, message("c1", "m3", "third")).await;
    assert_eq!(third["outcome"], "accepted");
    assert_eq!(third["conversation_id"], conversation);
    let visitor: Vec<String> = texts(&app, conversation)
        .await
        .into_iter()
        .filter(|(a, _)| a == "visitor")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(visitor, ["first", "second", "third"]);
    // Held messages were written before the notice: only the third is consent.
    let consents: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM consents WHERE conversation_id = $1")
            .bind(conversation)
            .fetch_one(app.db.pool())
            .await
            .expect("count");
    assert_eq!(consents, 1);

    // Without forwarding, an untagged dialog is ignored: nothing kept.
    let (plain, plain_secret) = connector(
        &app,
        &gateway,
        json!({"tag_mode": "only_tagged", "tags": ["vip"]}),
    )
    .await;
    let ignored = send(&app, &plain, &plain_secret, message("c2", "m1", "hi")).await;
    assert_eq!(ignored["outcome"], "ignored");
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM connector_held WHERE chat_id = 'c2'")
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(held, 0);

    // Rejecting tagged dialogs; a group chat with the sender's number stripped.
    let (reject, reject_secret) = connector(
        &app,
        &gateway,
        json!({"tag_mode": "reject_tagged", "tags": ["spam"], "strip_group_sender": true}),
    )
    .await;
    let conversations = app.count("conversations").await;
    let refused = send(
        &app,
        &reject,
        &reject_secret,
        json!({"type": "message", "chat_id": "c3", "message_id": "m1", "text": "buy now",
               "tags": ["Spam"]}),
    )
    .await;
    assert_eq!(refused["outcome"], "rejected");
    assert_eq!(app.count("conversations").await, conversations);
    let group = send(
        &app,
        &reject,
        &reject_secret,
        json!({"type": "message", "chat_id": "g1", "message_id": "m1", "group": true,
               "sender": "+34600999888", "text": "+34600999888: ¿abrís mañana?"}),
    )
    .await;
    assert_eq!(group["outcome"], "accepted");
    let stored = texts(&app, group["conversation_id"].as_str().expect("id")).await;
    assert_eq!(
        stored[0],
        ("visitor".to_owned(), "¿abrís mañana?".to_owned())
    );
}

#[tokio::test]
async fn bad_signatures_replays_and_bodies_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let gateway = Receiver::start().await;
    let (id, secret) = connector(&app, &gateway, json!({})).await;
    let body =
        json!({"type": "message", "chat_id": "c1", "message_id": "m1", "text": "hi"}).to_string();
    let now = unix_now();
    let empty = rows(&app).await;
    // Unsigned, wrongly signed, stale, ahead, tampered.
    let url = app.url(&format!("/api/v1/connectors/{id}/events"));
    let unsigned = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(unsigned.status(), 401);
    // An hour off either way: far outside the five minutes allowed.
    for (key, ts) in [
        ("wrong-secret", now),
        (secret.as_str(), now - 3600),
        (secret.as_str(), now + 3600),
    ] {
        let (status, answer) = post_signed(&app, &id, key, ts, body.as_bytes()).await;
        assert_error(status, &answer, 401, "unauthorized");
    }
    let ts = now.to_string();
    let tampered = app
        .http
        .post(&url)
        .header("canal-timestamp", &ts)
        .header(
            "canal-signature",
            expected_signature(&secret, &ts, body.as_bytes()),
        )
        .body(body.replace("hi", "HI"))
        .send()
        .await
        .expect("post");
    assert_eq!(tampered.status(), 401);
    let (status, answer) =
        post_signed(&app, "no-such-connector", &secret, now, body.as_bytes()).await;
    assert_error(status, &answer, 404, "not_found");
    // Signed, but not a good event.
    for (raw, status, code) in [
        ("{not json".to_owned(), 400, "bad_request"),
        (
            json!({"type": "call", "chat_id": "c1"}).to_string(),
            400,
            "bad_request",
        ),
        (
            json!({"type": "message", "chat_id": "c1", "message_id": "m1", "text": "hi", "x": 1})
                .to_string(),
            400,
            "unknown_field",
        ),
        (
            json!({"type": "message", "chat_id": "", "message_id": "m1", "text": "hi"}).to_string(),
            422,
            "invalid_field",
        ),
        (
            json!({"type": "message", "chat_id": "c1", "message_id": "m1", "text": ""}).to_string(),
            422,
            "invalid_field",
        ),
        (
            json!({"type": "tags", "chat_id": "c1", "tags": [""]}).to_string(),
            422,
            "invalid_field",
        ),
        (
            json!({"type": "profile", "chat_id": "c1", "profile": {"email": "not an address"}})
                .to_string(),
            422,
            "invalid_field",
        ),
    ] {
        let (got, answer) = post_signed(&app, &id, &secret, unix_now(), raw.as_bytes()).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(rows(&app).await, empty);

    // The same signed request twice: the second is a replay.
    let ts = unix_now();
    let (status, first) = post_signed(&app, &id, &secret, ts, body.as_bytes()).await;
    assert_eq!(status, 200, "{first}");
    let stored = rows(&app).await;
    let (status, answer) = post_signed(&app, &id, &secret, ts, body.as_bytes()).await;
    assert_error(status, &answer, 409, "conflict");
    assert_eq!(rows(&app).await, stored);

    // A switched-off connector takes nothing.
    let (status, off) = app
        .admin_patch(&format!("/connectors/{id}"), &json!({"active": false}))
        .await;
    assert_eq!(status, 200, "{off}");
    let other = json!({"type": "message", "chat_id": "c9", "message_id": "m9", "text": "hi"});
    let (status, answer) =
        post_signed(&app, &id, &secret, unix_now(), other.to_string().as_bytes()).await;
    assert_error(status, &answer, 403, "forbidden");
    assert_eq!(rows(&app).await, stored);

    // Bad management requests.
    let before = app.count("connectors").await;
    for (body, status, code) in [
        (
            json!({"channel": "demo", "name": "x", "outbound_url": "ftp://gw.example/"}),
            422,
            "invalid_field",
        ),
        (
            json!({"channel": "demo", "name": "", "outbound_url": "https://gw.example/"}),
            422,
            "invalid_field",
        ),
        (
            json!({"channel": "nope", "name": "x", "outbound_url": "https://gw.example/"}),
            404,
            "unknown_channel",
        ),
        (
            json!({"channel": "demo", "name": "x", "outbound_url": "https://gw.example/",
                "settings": {"tag_mode": "only_tagged"}}),
            422,
            "invalid_field",
        ),
        (
            json!({"channel": "demo", "name": "x", "outbound_url": "https://gw.example/",
                "settings": {"open_in": "connector"}}),
            422,
            "invalid_field",
        ),
        (
            json!({"channel": "demo", "name": "x", "outbound_url": "https://gw.example/",
                "settings": {"tag_mode": "sometimes"}}),
            400,
            "bad_request",
        ),
        (
            json!({"channel": "demo", "name": "x", "outbound_url": "https://gw.example/", "secret": "s"}),
            400,
            "unknown_field",
        ),
    ] {
        let (got, answer) = app.admin_post("/connectors", &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app
        .post(
            "/api/v1/admin/connectors",
            &json!({"channel": "demo", "name": "x", "outbound_url": "https://gw.example/"}),
        )
        .await;
    assert_error(got, &answer, 401, "unauthorized");
    assert_eq!(app.count("connectors").await, before);
    let (got, answer) = app
        .admin_patch(
            &format!("/connectors/{id}"),
            &json!({"outbound_url": "nope"}),
        )
        .await;
    assert_error(got, &answer, 422, "invalid_field");
    let (_, unchanged) = app.admin_get(&format!("/connectors/{id}")).await;
    assert_eq!(unchanged["outbound_url"], gateway.url());
    assert!(unchanged.get("secret").is_none());
}

#[tokio::test]
async fn a_connectors_dialog_is_routed_and_the_agents_console_reply_reaches_the_gateway() {
    use crate::agents::{is_upsert, settings};
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let gateway = Receiver::start().await;
    let (id, secret) = connector(&app, &gateway, json!({})).await;
    // A webhook hears the same conversation: created, assigned, the agent's message.
    let hooks = Receiver::start().await;
    let (status, hook) = app
        .admin_post(
            "/webhooks",
            &json!({"url": hooks.url(), "events": ["conversation.assigned", "message.created"]}),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    hooks.set_secret(hook["secret"].as_str().expect("secret"));

    let first = send(
        &app,
        &id,
        &secret,
        json!({"type": "message", "chat_id": "tg-77", "message_id": "1", "text": "Hello"}),
    )
    .await;
    let conversation = first["conversation_id"].as_str().expect("id").to_owned();
    console
        .until("the offer", is_upsert(&conversation, "offered"))
        .await;
    console
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    console
        .until("mine", is_upsert(&conversation, "mine"))
        .await;
    // Dialogs open in Canal: no link elsewhere; told to open in the connector's own
    // app, the conversation carries its dialog's link there.
    let open = json!({"type": "open", "conversation_id": conversation});
    console.send(open.clone()).await;
    let shown = console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert!(shown.get("dialog_link").is_none(), "{shown}");
    let (status, changed) = app
        .admin_patch(
            &format!("/connectors/{id}"),
            &json!({"settings": {"open_in": "connector",
                                 "dialog_link": "https://gw.example/chats/{chat_id}"}}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    console.send(open).await;
    let shown = console
        .until("the conversation", |f| f["type"] == "conversation")
        .await;
    assert_eq!(shown["dialog_link"], "https://gw.example/chats/tg-77");
    console
        .send(
            json!({"type": "reply", "conversation_id": conversation, "client_id": "r1",
                     "text": "Hi! How can I help?"}),
        )
        .await;
    console.until("the ack", |f| f["type"] == "ack").await;
    let reply = poll(|| async {
        gateway
            .accepted()
            .into_iter()
            .find(|a| a.body["author"] == "agent")
            .ok_or_else(|| format!("no agent reply at the gateway: {:?}", gateway.arrived()))
    })
    .await;
    assert_eq!(reply.body["text"], "Hi! How can I help?");
    assert_eq!(reply.body["chat_id"], "tg-77");
    assert!(reply.signed);
    let events = poll(|| async {
        let arrived = hooks.accepted();
        let assigned = arrived
            .iter()
            .any(|a| a.event_type == "conversation.assigned" && a.body["data"]["agent_id"] == ana);
        let answered = arrived
            .iter()
            .any(|a| a.body["data"]["author"] == "agent" && a.body["data"]["agent_id"] == ana);
        if assigned && answered {
            Ok(arrived)
        } else {
            Err(format!("the webhook has not heard it all: {arrived:?}"))
        }
    })
    .await;
    assert!(events.iter().all(|a| a.signed));
}

#[tokio::test]
async fn a_dialog_s_profile_finds_the_customer_and_notices_follow_the_connector_s_switch() {
    let app = spawn_app().await;
    app.agent("boss@shop.example", "Boss", "admin").await;
    let (mut boss, _) = app.console("boss@shop.example").await;
    let quiet_gateway = Receiver::start().await;
    let (quiet, quiet_secret) =
        connector(&app, &quiet_gateway, json!({"notify_new_messages": false})).await;
    let gateway = Receiver::start().await;
    let (loud, loud_secret) = connector(&app, &gateway, json!({})).await;

    // The quiet connector's client gives a profile, then writes: the CRM knows
    // them by their phone; nobody is told of the message.
    send(
        &app,
        &quiet,
        &quiet_secret,
        json!({"type": "profile", "chat_id": "wa-1",
               "profile": {"name": "Nuno Reis", "phone": "+351 912 345 678"}}),
    )
    .await;
    let first = send(
        &app,
        &quiet,
        &quiet_secret,
        json!({"type": "message", "chat_id": "wa-1", "message_id": "m1", "text": "Olá"}),
    )
    .await;
    let quiet_conversation = first["conversation_id"].as_str().expect("id").to_owned();
    let (status, found) = app.admin_get("/crm/contacts?phone=%2B351912345678").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["contacts"][0]["name"], "Nuno Reis", "{found}");

    // The other connector notifies: the admin (no responsible, no supervisor)
    // hears of its client's message, and of nothing before it.
    let second = send(
        &app,
        &loud,
        &loud_secret,
        json!({"type": "message", "chat_id": "wa-2", "message_id": "m1", "text": "Bom dia"}),
    )
    .await;
    let heard = boss
        .until("a customer's message", |f| f["type"] == "customer_wrote")
        .await;
    assert_eq!(
        heard["conversation_id"], second["conversation_id"],
        "{heard}"
    );
    assert_ne!(heard["conversation_id"], quiet_conversation.as_str());
}

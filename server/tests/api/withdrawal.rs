//! A withdrawal ends collection on the server, not only in the frame: after it,
//! the visitor's socket is told and closed, and every new message, identity, form
//! submission and rating is refused with `consent_withdrawn`, storing nothing. A
//! new Accept starts afresh. Agents see it in the console.

use serde_json::{json, Value};

use crate::agents::settings;
use crate::helpers::{assert_error, spawn_app, Socket, TestApp, PAGE};

/// What a visitor's requests write, beyond the ledger.
async fn collected(app: &TestApp) -> Vec<i64> {
    let identities: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM visitors WHERE user_id IS NOT NULL")
            .fetch_one(app.db.pool())
            .await
            .expect("count identities");
    vec![
        app.count("consents").await,
        app.count("visitors").await,
        app.count("conversations").await,
        app.count("messages").await,
        app.count("contact_submissions").await,
        app.count("conversation_ratings").await,
        identities,
    ]
}

/// The socket answers with `consent_withdrawn` and closes.
async fn told_and_closed(socket: &mut Socket) {
    let frame = socket.expect("error").await;
    assert_eq!(frame["code"], "consent_withdrawn", "{frame}");
    assert!(socket.next().await.is_none(), "closed by the server");
}

/// A contact form asking for a name, with no agreements of its own.
async fn with_form(app: &TestApp) {
    let (status, body) = app
        .admin_put(
            "/channels/demo/form",
            &json!({"fields": [{"name": "name", "required": true}], "agreements": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Every request a visitor sends besides socket frames, each refused as withdrawn.
async fn everything_is_refused(app: &TestApp, token: &str, conversation_id: &str) {
    let requests: [(&str, String, Value); 3] = [
        (
            "POST",
            "/api/v1/channels/demo/identify".into(),
            json!({"visitor_token": token, "user": {"id": "u-7", "email": "marta@example.com"}}),
        ),
        (
            "POST",
            "/api/v1/channels/demo/form".into(),
            json!({"visitor_token": token, "page_url": PAGE, "name": "Marta",
                   "conversation_id": conversation_id}),
        ),
        (
            "PUT",
            format!("/api/v1/channels/demo/conversations/{conversation_id}/rating"),
            json!({"visitor_token": token, "rating": "like", "comment": "thanks"}),
        ),
    ];
    for (method, path, body) in requests {
        let (status, answer) = if method == "PUT" {
            app.put(&path, &body).await
        } else {
            app.post(&path, &body).await
        };
        assert_error(status, &answer, 403, "consent_withdrawn");
    }
}

#[tokio::test]
async fn after_a_visitor_withdraws_nothing_more_is_collected_until_a_new_accept() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("evenly", &[ana])).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    with_form(&app).await;
    let (consent, conversation, mut socket) = app.visitor().await;
    assert_eq!(socket.say("m1", "Before withdrawing").await, 1);
    let id = conversation.conversation_id.clone();
    let offered = console
        .until("the offer", |f| {
            f["type"] == "upsert" && f["conversation"]["id"] == id.as_str()
        })
        .await;
    assert_eq!(offered["conversation"].get("withdrawn"), None);

    let (status, body) = app
        .post(
            "/api/v1/channels/demo/consents/withdrawals",
            &json!({"visitor_token": consent.visitor_token}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // The open socket is told and closed; the console shows the withdrawal.
    told_and_closed(&mut socket).await;
    console
        .until("the withdrawal in the console", |f| {
            f["type"] == "upsert"
                && f["conversation"]["id"] == id.as_str()
                && f["conversation"]["withdrawn"] == true
        })
        .await;
    let before = collected(&app).await;

    // A new socket is refused at hello; so is every other request.
    let mut again = app.socket().await;
    again
        .send(json!({"type": "hello", "conversation_id": id,
                     "visitor_token": consent.visitor_token, "last_seq": 1}))
        .await;
    told_and_closed(&mut again).await;
    everything_is_refused(&app, &consent.visitor_token, &id).await;
    let (status, answer) = app
        .post(
            "/api/v1/channels/demo/conversations",
            &json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id}),
        )
        .await;
    assert_error(status, &answer, 403, "consent_required");
    // Nor may an admin's "save to CRM" grant it again by copying the old record.
    let (status, answer) = app
        .admin_post(
            &format!("/conversations/{id}/crm-link"),
            &json!({"crm_entity": "contact:42"}),
        )
        .await;
    assert_error(status, &answer, 403, "consent_withdrawn");
    assert_eq!(collected(&app).await, before, "nothing stored");
    let messages = app.store.messages_after(&id, 0).await.expect("read");
    assert_eq!(messages.len(), 1, "only the message from before");

    // A new Accept starts afresh: a new visitor whose messages are collected.
    let (fresh, fresh_conversation, mut fresh_socket) = app.visitor().await;
    assert_ne!(fresh.visitor_id, consent.visitor_id);
    assert_eq!(fresh_socket.say("n1", "Hello again").await, 1);
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": fresh.visitor_token, "user": {"id": "u-7"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let _ = fresh_conversation;
}

#[tokio::test]
async fn an_admin_withdrawal_closes_the_visitors_socket_and_refuses_what_follows() {
    let app = spawn_app().await;
    with_form(&app).await;
    let (consent, conversation, mut socket) = app.visitor().await;
    // Another visitor's socket stays open and keeps working.
    let (_, _, mut bystander) = app.visitor().await;
    assert_eq!(socket.say("m1", "Hello").await, 1);
    let agreement = app.config().await.consent.expect("agreement").agreement_id;

    let (status, body) = app
        .admin_post(
            "/consents/withdrawals",
            &json!({"visitor_id": consent.visitor_id, "agreement_id": agreement}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    told_and_closed(&mut socket).await;
    let before = collected(&app).await;
    everything_is_refused(&app, &consent.visitor_token, &conversation.conversation_id).await;
    assert_eq!(collected(&app).await, before, "nothing stored");
    assert_eq!(bystander.say("b1", "Still here").await, 1);
}

#[tokio::test]
async fn a_send_after_the_withdrawal_was_answered_is_never_stored() {
    let app = spawn_app().await;
    let (consent, conversation, mut socket) = app.visitor().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/consents/withdrawals",
            &json!({"visitor_token": consent.visitor_token}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Sent at once, before reading anything: the socket refuses it all the same.
    // (The server may have closed it already: then the write fails, which is fine.)
    let late = json!({"type": "send", "client_id": "late", "text": "Too late"});
    let _ = futures_util::SinkExt::send(
        &mut socket.ws,
        tokio_tungstenite::tungstenite::Message::Text(late.to_string().into()),
    )
    .await;
    told_and_closed(&mut socket).await;
    let messages = app
        .store
        .messages_after(&conversation.conversation_id, 0)
        .await
        .expect("read");
    assert!(messages.is_empty(), "{messages:?}");
}

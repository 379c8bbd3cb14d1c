//! E-mail to visitors through a real SMTP receiver on loopback: the transcript a
//! visitor asked for (or gets for the e-mail they left in the contact form) when the
//! agent closes, an agent's answer to a visitor who left the page, nothing without
//! an address or after a withdrawal, and a failing SMTP server that loses nothing.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{json, Value};

use crate::agents::settings;
use crate::helpers::{assert_error, poll, spawn_app_with_mail, Socket, TestApp, PAGE};
use crate::smtp::Receiver;

/// A row of the outbox, as the store has it.
#[derive(Debug)]
struct Row {
    kind: String,
    to: String,
    sent: bool,
    dropped: Option<String>,
    attempts: i64,
    last_error: Option<String>,
}

async fn outbox(app: &TestApp) -> Vec<Row> {
    type Tuple = (
        String,
        String,
        Option<String>,
        Option<String>,
        i64,
        Option<String>,
    );
    let rows: Vec<Tuple> = sqlx::query_as(
        "SELECT kind, to_address, sent_at, dropped, attempts, last_error
           FROM mail_outbox ORDER BY id",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("outbox");
    rows.into_iter()
        .map(|(kind, to, sent, dropped, attempts, last_error)| Row {
            kind,
            to,
            sent: sent.is_some(),
            dropped,
            attempts,
            last_error,
        })
        .collect()
}

/// Polls the outbox until `want` holds (with a deadline).
async fn outbox_until(app: &TestApp, what: &str, want: impl Fn(&[Row]) -> bool) {
    poll(|| async {
        let rows = outbox(app).await;
        if want(&rows) {
            Ok(())
        } else {
            Err(format!("{what}: the outbox is {rows:?}"))
        }
    })
    .await
}

/// A server sending mail to `receiver`, with Ana as the demo channel's one agent and
/// her console open.
async fn shop(receiver: &Receiver) -> (TestApp, Socket) {
    shop_with(receiver.options()).await
}

/// [`shop`] with mail sent as `options` say.
async fn shop_with(options: canal_server::mail::MailOptions) -> (TestApp, Socket) {
    let app = spawn_app_with_mail(Some(options)).await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (console, _) = app.console("ana@shop.example").await;
    (app, console)
}

async fn close(console: &mut Socket, id: &str) {
    console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    console
        .until("closed", |f| {
            f["type"] == "remove" && f["conversation_id"] == id
        })
        .await;
}

fn transcript_path(id: &str) -> String {
    format!("/api/v1/channels/demo/conversations/{id}/transcript")
}

#[tokio::test]
async fn a_visitor_who_asked_gets_the_transcript_when_the_agent_closes() {
    let receiver = Receiver::start();
    let (app, mut console) = shop(&receiver).await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    visitor.say("c1", "Where is my order 1042?").await;
    let body = ask_transcript_at(&app, id, &consent.visitor_token, " Eva@Mail.Example ").await;
    assert_eq!(body, json!({"email": "eva@mail.example", "queued": false}));
    console.take(id).await;
    console
        .reply(id, "r1", "It left the warehouse today.")
        .await;
    // The visitor is on the page: no mail for the answer.
    close(&mut console, id).await;

    let mails = receiver.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["eva@mail.example".to_owned()]);
    assert_eq!(mail.from, "support@shop.example");
    assert_eq!(
        mail.subject,
        format!("Your conversation with {}", app.config().await.title)
    );
    assert!(
        mail.body.contains("You\n  Where is my order 1042?"),
        "{}",
        mail.body
    );
    assert!(
        mail.body.contains("Ana\n  It left the warehouse today."),
        "{}",
        mail.body
    );
    assert!(mail.body.contains("https://shop.example"), "{}", mail.body);
    outbox_until(&app, "recorded as sent", |rows| {
        rows.len() == 1
            && rows[0].kind == "transcript"
            && rows[0].sent
            && rows[0].to == "eva@mail.example"
    })
    .await;
    // The admin's message log shows it.
    let (status, record) = app.admin_get(&format!("/conversations/{id}")).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["mail"][0]["kind"], "transcript");
    assert_eq!(record["mail"][0]["to"], "eva@mail.example");
    assert_eq!(record["mail"][0]["status"], "sent");
    assert_eq!(record["mail"][0]["attempts"], 1);
}

#[tokio::test]
async fn the_transcript_is_written_in_the_channels_language_and_sent_at_once_when_closed() {
    let receiver = Receiver::start();
    let (app, mut console) = shop(&receiver).await;
    let (status, body) = app
        .admin_patch(
            "/channels/demo",
            &json!({"locale": "es", "title": "Tienda"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    visitor.say("c1", "Hola").await;
    console.take(id).await;
    close(&mut console, id).await;
    // Asked after the close: it goes now.
    let body = ask_transcript_at(&app, id, &consent.visitor_token, "eva@mail.example").await;
    assert_eq!(body["queued"], true);
    let mails = receiver.wait_for(1).await;
    assert_eq!(mails[0].subject, "Tu conversación con Tienda");
    assert!(mails[0]
        .body
        .starts_with("Aquí tienes tu conversación con Tienda"));
    assert!(mails[0].body.contains("Tú\n  Hola"), "{}", mails[0].body);
}

#[tokio::test]
async fn the_e_mail_left_in_the_contact_form_gets_the_transcript() {
    let receiver = Receiver::start();
    let (app, mut console) = shop(&receiver).await;
    let (status, body) = app
        .admin_put(
            "/channels/demo/form",
            &json!({"fields": [{"name": "email", "required": true}], "agreements": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/form",
            &json!({
                "visitor_token": consent.visitor_token,
                "conversation_id": id,
                "page_url": PAGE,
                "email": "leo@mail.example",
                "accepted": [],
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    visitor.say("c1", "Call me back, please").await;
    console.take(id).await;
    close(&mut console, id).await;
    let mails = receiver.wait_for(1).await;
    assert_eq!(mails[0].to, vec!["leo@mail.example".to_owned()]);
    assert!(mails[0].body.contains("Call me back, please"));
}

#[tokio::test]
async fn an_answer_to_a_visitor_who_is_not_on_the_page_is_e_mailed_with_the_way_back() {
    let receiver = Receiver::start();
    let (app, mut console) = shop(&receiver).await;
    // The conversation was started, and the visitor is no longer on the page (no
    // socket follows it).
    let (consent, conversation) = app.conversation().await;
    let id = conversation.conversation_id.as_str();
    ask_transcript(&app, id, &consent.visitor_token).await;
    console.take(id).await;
    console
        .reply(id, "r1", "Yes, we ship to Spain in 3 days.")
        .await;
    let mails = receiver.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["eva@mail.example".to_owned()]);
    assert!(mail.subject.ends_with("answered you"), "{}", mail.subject);
    assert!(
        mail.body
            .contains("Ana\n  Yes, we ship to Spain in 3 days."),
        "{}",
        mail.body
    );
    assert!(
        mail.body
            .contains("https://shop.example/products/42?utm_source=news#canal-chat"),
        "{}",
        mail.body
    );
    outbox_until(&app, "sent", |rows| {
        rows.len() == 1 && rows[0].kind == "reply" && rows[0].sent
    })
    .await;
}

#[tokio::test]
async fn a_visitor_on_the_page_gets_no_mail_and_answers_written_meanwhile_share_one() {
    let receiver = Receiver::start();
    let mut options = receiver.options();
    options.reply_delay = Duration::from_secs(3600);
    let (app, mut console) = shop_with(options).await;

    // On the page (a socket follows the conversation): the answer is not queued
    // (the ack comes after the decision).
    let (consent, conversation, _on_page) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    ask_transcript(&app, id, &consent.visitor_token).await;
    console.take(id).await;
    console.reply(id, "r1", "Hello!").await;
    assert!(outbox(&app).await.is_empty());

    // Away: two answers within the delay wait as one mail.
    let (consent, conversation) = app.conversation().await;
    let away = conversation.conversation_id.as_str();
    ask_transcript(&app, away, &consent.visitor_token).await;
    console.take(away).await;
    console.reply(away, "a1", "First").await;
    console.reply(away, "a2", "Second").await;
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].kind.as_str(), rows[0].sent), ("reply", false));
}

/// The visitor asks for the transcript at `email`; returns the answer.
async fn ask_transcript_at(app: &TestApp, id: &str, token: &str, email: &str) -> Value {
    let (status, body) = app
        .put(
            &transcript_path(id),
            &json!({"visitor_token": token, "email": email}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn ask_transcript(app: &TestApp, id: &str, token: &str) {
    ask_transcript_at(app, id, token, "eva@mail.example").await;
}

#[tokio::test]
async fn nothing_is_e_mailed_without_an_address_or_after_a_withdrawal() {
    let receiver = Receiver::start();
    let (app, mut console) = shop(&receiver).await;
    // No address given: nothing is queued at the close.
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    visitor.say("c1", "Hi").await;
    console.take(id).await;
    close(&mut console, id).await;

    // An address, then a withdrawal: refused from then on, and nothing goes.
    let (consent, conversation, mut visitor) = app.visitor().await;
    let second = conversation.conversation_id.as_str();
    visitor.say("c1", "Hi again").await;
    ask_transcript(&app, second, &consent.visitor_token).await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/consents/withdrawals",
            &json!({"visitor_token": consent.visitor_token}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .put(
            &transcript_path(second),
            &json!({"visitor_token": consent.visitor_token, "email": "eva@mail.example"}),
        )
        .await;
    assert_error(status, &body, 403, "consent_withdrawn");
    console.take(second).await;
    close(&mut console, second).await;
    assert!(outbox(&app).await.is_empty(), "{:?}", outbox(&app).await);
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn a_failing_smtp_server_loses_nothing_the_mail_goes_once_it_answers_even_after_a_restart() {
    let receiver = Receiver::start();
    receiver.refusing.store(true, Ordering::SeqCst);
    // Retries an hour apart, so the test says when the next one is due.
    let mut options = receiver.options();
    options.retry_after = Duration::from_secs(3600);
    let (mut app, mut console) = shop_with(options).await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Keep this").await;
    ask_transcript(&app, &id, &consent.visitor_token).await;
    console.take(&id).await;
    close(&mut console, &id).await;
    drop(console);
    // Refused (451): kept, with the server's answer, for the next attempt.
    let failed = |attempts: i64| {
        move |rows: &[Row]| {
            rows.len() == 1
                && !rows[0].sent
                && rows[0].dropped.is_none()
                && rows[0].attempts == attempts
                && rows[0]
                    .last_error
                    .as_deref()
                    .is_some_and(|e| e.contains("451"))
        }
    };
    outbox_until(&app, "refused once", failed(1)).await;
    // An hour later, after a restart, it is tried again: refused again, kept again.
    an_hour_passes(&mut app).await;
    outbox_until(&app, "refused twice", failed(2)).await;
    assert_eq!(receiver.count(), 0);
    // The server answers now: the next attempt sends it, once.
    receiver.refusing.store(false, Ordering::SeqCst);
    an_hour_passes(&mut app).await;
    let mails = receiver.wait_for(1).await;
    assert!(mails[0].body.contains("Keep this"));
    outbox_until(&app, "sent once", |rows| rows.len() == 1 && rows[0].sent).await;
    assert_eq!(receiver.count(), 1);
}

/// The waiting mails fall due (as if their retry wait had passed), and the server
/// starts again: its sender looks at the outbox as it starts.
async fn an_hour_passes(app: &mut TestApp) {
    sqlx::query("UPDATE mail_outbox SET due_at = '2000-01-01T00:00:00.000Z' WHERE sent_at IS NULL")
        .execute(app.db.pool())
        .await
        .expect("due now");
    app.restart().await;
}

#[tokio::test]
async fn a_mail_waiting_when_the_visitor_withdraws_is_never_sent() {
    let receiver = Receiver::start();
    receiver.refusing.store(true, Ordering::SeqCst);
    let mut options = receiver.options();
    options.retry_after = Duration::from_secs(3600);
    let (mut app, mut console) = shop_with(options).await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello").await;
    ask_transcript(&app, &id, &consent.visitor_token).await;
    console.take(&id).await;
    close(&mut console, &id).await;
    // Refused once; the next attempt is an hour away.
    outbox_until(&app, "failed once", |rows| {
        rows.len() == 1 && rows[0].attempts == 1 && rows[0].last_error.is_some()
    })
    .await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/consents/withdrawals",
            &json!({"visitor_token": consent.visitor_token}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    receiver.refusing.store(false, Ordering::SeqCst);
    drop(console);
    an_hour_passes(&mut app).await;
    outbox_until(&app, "dropped", |rows| {
        rows[0].dropped.as_deref() == Some("the visitor withdrew their consent")
    })
    .await;
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn an_address_the_mail_server_refuses_for_good_is_dropped_with_its_answer() {
    let receiver = Receiver::start();
    let (app, mut console) = shop(&receiver).await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    visitor.say("c1", "Hello").await;
    ask_transcript_at(&app, id, &consent.visitor_token, "nobody@mail.example").await;
    console.take(id).await;
    close(&mut console, id).await;
    outbox_until(&app, "dropped", |rows| {
        rows.len() == 1
            && rows[0]
                .dropped
                .as_deref()
                .is_some_and(|d| d.contains("550"))
    })
    .await;
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn bad_transcript_requests_are_refused_and_change_nothing() {
    let receiver = Receiver::start();
    let (app, _console) = shop(&receiver).await;
    let (consent, conversation, _visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    let token = consent.visitor_token.as_str();
    let cases: Vec<(String, Value, u16, &str)> = vec![
        (
            transcript_path(id),
            json!({"visitor_token": token, "email": "not an address"}),
            422,
            "invalid_field",
        ),
        (
            transcript_path(id),
            json!({"visitor_token": token}),
            400,
            "bad_request",
        ),
        (
            transcript_path(id),
            json!({"visitor_token": token, "email": "a@b.example", "cc": "x"}),
            400,
            "unknown_field",
        ),
        (
            transcript_path(id),
            json!({"visitor_token": "forged", "email": "a@b.example"}),
            401,
            "unauthorized",
        ),
        (
            transcript_path("nope"),
            json!({"visitor_token": token, "email": "a@b.example"}),
            404,
            "unknown_conversation",
        ),
        (
            format!("/api/v1/channels/nope/conversations/{id}/transcript"),
            json!({"visitor_token": token, "email": "a@b.example"}),
            404,
            "unknown_channel",
        ),
    ];
    for (path, body, want_status, want_code) in cases {
        let (status, answer) = app.put(&path, &body).await;
        assert_error(status, &answer, want_status, want_code);
    }
    let asked: (Option<String>,) =
        sqlx::query_as("SELECT transcript_email FROM conversations WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .expect("read");
    assert_eq!(asked.0, None);

    // A server without SMTP says so, and the config tells the widget.
    let plain = crate::helpers::spawn_app().await;
    assert!(!plain.config().await.email);
    assert!(app.config().await.email);
    let (consent, conversation) = plain.conversation().await;
    let (status, answer) = plain
        .put(
            &format!(
                "/api/v1/channels/demo/conversations/{}/transcript",
                conversation.conversation_id
            ),
            &json!({"visitor_token": consent.visitor_token, "email": "a@b.example"}),
        )
        .await;
    assert_error(status, &answer, 409, "mail_off");
}

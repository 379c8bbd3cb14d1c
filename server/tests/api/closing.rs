//! The closing message and the rating flow over the real server: an agent's close
//! sends the channel's closing text to the visitor; with rating on the
//! conversation stays closed awaiting the rating for the configured wait, then a
//! timer closes it fully; "close on rating" ends the wait when the rating comes; a
//! rating after the full close opens the conversation again and the agent's
//! console hears it; with rating off there is no wait. As in `timers.rs`, no test
//! waits for a real delay: due times are moved into the past in the store.

use serde_json::{json, Value};

use crate::agents::is_remove;
use crate::helpers::{assert_error, poll, spawn_app, Socket, TestApp};
use crate::timers::{shop, time_passes, timers_are, timers_until};

const AUTOMATION: &str = "/channels/demo/automation";
const THANKS: &str = "Thank you for writing to us. Have a good day!";

fn rating_path(conversation_id: &str) -> String {
    format!("/api/v1/channels/demo/conversations/{conversation_id}/rating")
}

/// The visitor rates their conversation; the rating is stored (200).
async fn rate(app: &TestApp, token: &str, id: &str, rating: &str) {
    let (status, body) = app
        .put(
            &rating_path(id),
            &json!({"visitor_token": token, "rating": rating}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn status(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("status")
}

/// The texts of the conversation's routing log, as an admin reads it.
async fn log(app: &TestApp, id: &str) -> Vec<String> {
    let (status, record) = app.admin_get(&format!("/conversations/{id}")).await;
    assert_eq!(status, 200, "{record}");
    record["routing_log"]
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|l| l["text"].as_str().map(str::to_owned))
        .collect()
}

/// Polls (with a deadline) until a line of the conversation's log holds `text`.
async fn log_until(app: &TestApp, id: &str, text: &str) {
    poll(|| async {
        let lines = log(app, id).await;
        if lines.iter().any(|l| l.contains(text)) {
            Ok(())
        } else {
            Err(format!("no {text:?} in {lines:?}"))
        }
    })
    .await
}

/// A visitor writes, Ana takes it and closes it; returns the visitor's token, the
/// conversation id and the visitor's socket.
async fn closed_by_ana(app: &TestApp, console: &mut Socket) -> (String, String, Socket) {
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Where is my order?").await;
    console.take(&id).await;
    console.reply(&id, "a1", "On its way.").await;
    console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    console.until("closed and gone", is_remove(&id)).await;
    (consent.visitor_token, id, visitor)
}

#[tokio::test]
async fn closing_and_rating_settings_are_checked_before_anything_changes() {
    let app = spawn_app().await;
    assert!(!app.config().await.rating, "no rating until asked for");
    let good = json!({"closing_text": "  Bye!  ", "rating": true, "rating_wait_minutes": 60,
                      "close_on_rating": true});
    let (status, body) = app.admin_put(AUTOMATION, &good).await;
    assert_eq!(status, 200, "{body}");
    let saved = json!({"closing_text": "Bye!", "rating": true, "rating_wait_minutes": 60,
                       "close_on_rating": true});
    assert_eq!(body, saved, "the text is trimmed");
    assert!(
        app.config().await.rating,
        "the widget hears it asks for a rating"
    );
    let bad = [
        (json!({"closing_text": "x".repeat(1001)}), "closing_text"),
        (json!({"closing_text": "Bye\u{7}"}), "closing_text"),
        (
            json!({"rating": true, "rating_wait_minutes": 61}),
            "rating_wait_minutes",
        ),
        (json!({"rating_wait_minutes": 5}), "rating_wait_minutes"),
        (json!({"close_on_rating": true}), "close_on_rating"),
    ];
    for (body, field) in bad {
        let (status, answer) = app.admin_put(AUTOMATION, &body).await;
        assert_error(status, &answer, 422, "invalid_field");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.starts_with(field), "{body} -> {message}");
    }
    for body in [
        json!({"rating": "yes"}),
        json!({"rating": true, "rating_wait_minutes": -1}),
    ] {
        let (status, answer) = app.admin_put(AUTOMATION, &body).await;
        assert_eq!(status / 100, 4, "{body} -> {answer}");
    }
    let (status, body) = app.admin_get(AUTOMATION).await;
    assert_eq!((status, body), (200, saved), "nothing changed");
    assert!(app.config().await.rating);
}

#[tokio::test]
async fn an_agent_s_close_sends_the_text_then_waits_for_the_rating_until_the_timer() {
    let (mut app, mut console) = shop(json!({"closing_text": THANKS, "rating": true,
                                             "rating_wait_minutes": 10}))
    .await;
    let (token, id, mut visitor) = closed_by_ana(&app, &mut console).await;
    // The visitor sees the closing text, then the conversation closed.
    let thanks = visitor
        .until("the closing text", |f| {
            f["type"] == "message" && f["author"] == "system"
        })
        .await;
    assert_eq!(thanks["text"], THANKS);
    visitor.until("closed", |f| f["type"] == "closed").await;
    assert_eq!(status(&app, &id).await, "closed");
    timers_are(&app, &id, vec![("rating_wait".to_owned(), false, None)]).await;
    log_until(&app, &id, "awaiting the visitor's rating").await;
    // A rating during the wait (no "close on rating"): kept, the wait goes on,
    // nothing opens again.
    rate(&app, &token, &id, "like").await;
    assert_eq!(status(&app, &id).await, "closed");
    timers_are(&app, &id, vec![("rating_wait".to_owned(), false, None)]).await;
    // The wait runs out: closed fully.
    time_passes(&app).await;
    timers_until(&app, &id, &[("rating_wait", "closed")]).await;
    log_until(&app, &id, "closed fully: the wait for the rating ran out").await;
    assert_eq!(status(&app, &id).await, "closed");

    // After a restart (routing no longer holds it in memory), a rating opens it
    // again: it comes back to Ana, rated, and its log says why.
    drop((console, visitor));
    app.restart().await;
    let (mut console, _) = app.console("ana@shop.example").await;
    rate(&app, &token, &id, "dislike").await;
    let back = console
        .until("back, rated", |f| {
            f["type"] == "upsert"
                && f["conversation"]["id"] == id.as_str()
                && f["conversation"]["rating"]["rating"] == "dislike"
        })
        .await;
    assert_eq!(back["conversation"]["kind"], "offered", "{back}");
    assert_eq!(status(&app, &id).await, "open");
    log_until(&app, &id, "reopened: the visitor rated it (dislike)").await;
}

#[tokio::test]
async fn close_on_rating_ends_the_wait_when_the_rating_comes() {
    let (app, mut console) = shop(json!({"rating": true, "rating_wait_minutes": 30,
                                         "close_on_rating": true}))
    .await;
    let (token, id, mut visitor) = closed_by_ana(&app, &mut console).await;
    visitor.until("closed", |f| f["type"] == "closed").await;
    timers_are(&app, &id, vec![("rating_wait".to_owned(), false, None)]).await;
    rate(&app, &token, &id, "like").await;
    log_until(&app, &id, "closed fully: the visitor rated it").await;
    timers_are(&app, &id, vec![]).await;
    assert_eq!(status(&app, &id).await, "closed", "not opened again");
    // No closing text set: no system message.
    let system: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND author = 'system'",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(system, 0);
}

#[tokio::test]
async fn a_rating_after_the_full_close_reopens_and_the_agent_hears_it() {
    // Rating on, no wait: the close is full at once.
    let (app, mut console) = shop(json!({"rating": true})).await;
    let (token, id, mut visitor) = closed_by_ana(&app, &mut console).await;
    visitor.until("closed", |f| f["type"] == "closed").await;
    timers_are(&app, &id, vec![]).await;
    rate(&app, &token, &id, "dislike").await;
    let back = console
        .until("back, rated", |f: &Value| {
            f["type"] == "upsert"
                && f["conversation"]["id"] == id.as_str()
                && f["conversation"]["rating"]["rating"] == "dislike"
        })
        .await;
    assert_eq!(back["conversation"]["kind"], "offered", "{back}");
    assert_eq!(status(&app, &id).await, "open");
    let lines = log(&app, &id).await;
    assert!(
        lines
            .iter()
            .any(|l| l.contains("reopened: the visitor rated it (dislike) after it closed")),
        "{lines:?}"
    );
    // Open again, the visitor and Ana go on.
    console.take_offered(&id).await;
    visitor.say("c2", "It never came.").await;
}

#[tokio::test]
async fn with_rating_off_a_close_is_full_and_a_rating_changes_nothing() {
    let (app, mut console) = shop(json!({"closing_text": THANKS})).await;
    assert!(!app.config().await.rating);
    let (token, id, mut visitor) = closed_by_ana(&app, &mut console).await;
    let thanks = visitor
        .until("the closing text", |f| {
            f["type"] == "message" && f["author"] == "system"
        })
        .await;
    assert_eq!(thanks["text"], THANKS);
    visitor.until("closed", |f| f["type"] == "closed").await;
    timers_are(&app, &id, vec![]).await;
    // A rating the channel did not ask for (an old widget) is kept, nothing more.
    rate(&app, &token, &id, "like").await;
    assert_eq!(status(&app, &id).await, "closed");
    assert!(
        !log(&app, &id).await.iter().any(|l| l.contains("reopened")),
        "not reopened"
    );
}

/// Ana (one conversation at a time; the queue excludes nothing, so closed ones
/// awaiting a rating count) closes one awaiting its rating, and the server restarts
/// then if `restart`: a second conversation waits, unoffered, until the first's
/// wait ends, then it is offered to her.
async fn an_awaiting_conversation_holds_ana_s_place(restart: bool) {
    let (mut app, mut console) = shop(json!({"rating": true, "rating_wait_minutes": 10})).await;
    let (status, body) = app.admin_patch("/agents/1", &json!({"cap": 1})).await;
    assert_eq!(status, 200, "{body}");
    let (_, first, first_visitor) = closed_by_ana(&app, &mut console).await;
    if restart {
        drop((console, first_visitor));
        app.restart().await;
        console = app.console("ana@shop.example").await.0;
    }
    let (_, second, mut second_visitor) = app.visitor().await;
    let second = second.conversation_id;
    second_visitor.say("c1", "Hello?").await;
    // Routing decided for it: it waits, Ana's place is taken.
    log_until(&app, &second, "waiting").await;
    assert!(
        !log(&app, &second)
            .await
            .iter()
            .any(|l| l.contains("offered to")),
        "not offered while Ana's first awaits its rating (restart: {restart})"
    );
    time_passes(&app).await;
    timers_until(&app, &first, &[("rating_wait", "closed")]).await;
    // Closed fully, the first frees her place: the second is offered to her.
    console
        .until(
            "the second offered",
            crate::agents::is_upsert(&second, "offered"),
        )
        .await;
}

#[tokio::test]
async fn a_conversation_awaiting_its_rating_holds_its_agent_s_place_until_it_closes_fully() {
    an_awaiting_conversation_holds_ana_s_place(false).await;
}

/// Across a restart it still holds the place: the server loads it back as it was.
#[tokio::test]
async fn a_conversation_awaiting_its_rating_holds_its_place_across_a_restart() {
    an_awaiting_conversation_holds_ana_s_place(true).await;
}

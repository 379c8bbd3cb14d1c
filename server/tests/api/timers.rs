//! Durable timers over the real server: the unanswered mark (set when no agent
//! answered in time, shown in the console, cleared by an answer), auto-close on the
//! visitor's silence with the channel's text, the automation settings checked
//! before anything changes, and timers pending while the server is down firing
//! once when it starts again. No test waits for a timer's real delay: the due
//! times are moved into the past in the store, as if the minutes had passed.

use serde_json::{json, Value};

use crate::agents::{is_upsert, settings};

use crate::helpers::{assert_error, poll, spawn_app, Socket, TestApp};

const AUTOMATION: &str = "/channels/demo/automation";
const BYE: &str = "We closed this chat as we heard nothing more. Write again any time.";

/// The demo channel with Ana as its one agent, her console open, and these
/// automation settings.
pub(crate) async fn shop(automation: Value) -> (TestApp, Socket) {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (status, body) = app.admin_put(AUTOMATION, &automation).await;
    assert_eq!(status, 200, "{body}");
    let (console, _) = app.console("ana@shop.example").await;
    (app, console)
}

/// A conversation's automatic actions' timers as the store has them: (kind,
/// fired, outcome). Routing's offer timers are left out (see `agents.rs`).
pub(crate) async fn timers(app: &TestApp, id: &str) -> Vec<(String, bool, Option<String>)> {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT kind, fired_at, outcome FROM timers
          WHERE conversation_id = $1 AND kind <> 'pass_offer' ORDER BY id",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .expect("timers");
    rows.into_iter()
        .map(|(kind, fired, outcome)| (kind, fired.is_some(), outcome))
        .collect()
}

/// Polls (with a deadline) until the conversation's timers are these, fired with
/// these outcomes.
pub(crate) async fn timers_until(app: &TestApp, id: &str, want: &[(&str, &str)]) {
    let want = want
        .iter()
        .map(|(kind, outcome)| ((*kind).to_owned(), true, Some((*outcome).to_owned())))
        .collect();
    timers_are(app, id, want).await
}

/// Polls (with a deadline) until the conversation's timers are `want`: a socket
/// acknowledges a message once it is stored, and the timers it moves are
/// committed just after.
pub(crate) async fn timers_are(app: &TestApp, id: &str, want: Vec<(String, bool, Option<String>)>) {
    poll(|| async {
        let rows = timers(app, id).await;
        if rows == want {
            Ok(())
        } else {
            Err(format!("the timers are {rows:?}, not {want:?}"))
        }
    })
    .await
}

/// The pending timers fall due, as if their minutes had passed.
pub(crate) async fn time_passes(app: &TestApp) {
    sqlx::query("UPDATE timers SET due_at = '2000-01-01T00:00:00.000Z' WHERE fired_at IS NULL")
        .execute(app.db.pool())
        .await
        .expect("due now");
}

async fn unanswered_since(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT unanswered_since FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("conversation")
}

#[tokio::test]
async fn automation_settings_are_checked_before_anything_changes() {
    let app = spawn_app().await;
    let (status, body) = app.admin_get(AUTOMATION).await;
    assert_eq!((status, body), (200, json!({})), "off until set");
    let good = json!({"unanswered_after_minutes": 5, "auto_close_after_minutes": 30,
                      "auto_close_text": "  Bye!  "});
    let (status, body) = app.admin_put(AUTOMATION, &good).await;
    assert_eq!(status, 200, "{body}");
    let saved = json!({"unanswered_after_minutes": 5, "auto_close_after_minutes": 30,
                       "auto_close_text": "Bye!"});
    assert_eq!(body, saved, "the text is trimmed");
    let bad = [
        (
            json!({"unanswered_after_minutes": 0}),
            "unanswered_after_minutes",
        ),
        (
            json!({"unanswered_after_minutes": 1441}),
            "unanswered_after_minutes",
        ),
        (
            json!({"auto_close_after_minutes": 0}),
            "auto_close_after_minutes",
        ),
        (
            json!({"auto_close_after_minutes": 10081}),
            "auto_close_after_minutes",
        ),
        (
            json!({"auto_close_after_minutes": 5, "auto_close_text": "x".repeat(1001)}),
            "auto_close_text",
        ),
        (json!({"auto_close_text": "Bye"}), "auto_close_text"),
    ];
    for (body, field) in bad {
        let (status, answer) = app.admin_put(AUTOMATION, &body).await;
        assert_error(status, &answer, 422, "invalid_field");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(field), "{body} -> {message}");
    }
    let (status, answer) = app.admin_put(AUTOMATION, &json!({"close_after": 5})).await;
    assert_eq!(status / 100, 4, "{answer}");
    let (status, answer) = app
        .admin_put(AUTOMATION, &json!({"unanswered_after_minutes": -1}))
        .await;
    assert_eq!(status / 100, 4, "{answer}");
    let (status, body) = app.admin_get(AUTOMATION).await;
    assert_eq!((status, body), (200, saved), "nothing changed");
    let (status, answer) = app.admin_get("/channels/nope/automation").await;
    assert_eq!(status, 404, "{answer}");
}

#[tokio::test]
async fn a_conversation_left_unanswered_is_marked_until_an_agent_answers() {
    let (app, mut console) = shop(json!({"unanswered_after_minutes": 5})).await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello?").await;
    console.until("the offer", is_upsert(&id, "offered")).await;
    visitor.say("c2", "Anyone there?").await;
    // One timer, counted from the first unanswered message.
    timers_are(&app, &id, vec![("unanswered".to_owned(), false, None)]).await;
    time_passes(&app).await;
    let marked = console
        .until("the mark", |f| {
            f["type"] == "upsert"
                && f["conversation"]["id"] == id.as_str()
                && f["conversation"]["unanswered"] == true
        })
        .await;
    assert_eq!(marked["conversation"]["kind"], "offered");
    assert!(unanswered_since(&app, &id).await.is_some());
    timers_until(&app, &id, &[("unanswered", "marked")]).await;
    // A console that opens now sees the mark in its inbox.
    let (_, welcome) = app.console("ana@shop.example").await;
    let listed = welcome["inbox"]
        .as_array()
        .expect("inbox")
        .iter()
        .find(|c| c["id"] == id.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(listed["unanswered"], true, "{listed}");
    console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    console.until("hers", is_upsert(&id, "mine")).await;
    console.reply(&id, "a1", "Here I am").await;
    console
        .until("the mark cleared", |f| {
            f["type"] == "upsert"
                && f["conversation"]["id"] == id.as_str()
                && f["conversation"].get("unanswered").is_none()
        })
        .await;
    assert_eq!(unanswered_since(&app, &id).await, None);
}

#[tokio::test]
async fn an_answer_in_time_leaves_no_mark() {
    let (app, mut console) = shop(json!({"unanswered_after_minutes": 5})).await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello?").await;
    console.take(&id).await;
    console.reply(&id, "a1", "Hi!").await;
    timers_are(&app, &id, vec![]).await;
    time_passes(&app).await;
    assert_eq!(unanswered_since(&app, &id).await, None);
}

#[tokio::test]
async fn a_silent_visitor_s_conversation_closes_with_the_channel_s_text() {
    let (app, mut console) = shop(json!({"auto_close_after_minutes": 30,
                                         "auto_close_text": BYE}))
    .await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "How much is it?").await;
    console.take(&id).await;
    console.reply(&id, "a1", "Ten euros.").await;
    timers_are(&app, &id, vec![("auto_close".to_owned(), false, None)]).await;
    time_passes(&app).await;
    // The visitor sees the text, then the conversation closed, live.
    let bye = visitor
        .until("the closing text", |f| {
            f["type"] == "message" && f["author"] == "system"
        })
        .await;
    assert_eq!(bye["text"], BYE);
    visitor.until("closed", |f| f["type"] == "closed").await;
    console
        .until("gone from the inbox", |f| {
            f["type"] == "remove" && f["conversation_id"] == id.as_str()
        })
        .await;
    let status: String = sqlx::query_scalar("SELECT status FROM conversations WHERE id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .expect("status");
    assert_eq!(status, "closed");
    timers_until(&app, &id, &[("auto_close", "closed")]).await;
}

#[tokio::test]
async fn a_visitor_who_writes_again_is_not_closed_and_no_text_means_none() {
    let (app, mut console) = shop(json!({"auto_close_after_minutes": 30})).await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello").await;
    console.take(&id).await;
    console.reply(&id, "a1", "Hi, what do you need?").await;
    visitor
        .until("the answer", |f| f["type"] == "message")
        .await;
    visitor.say("c2", "Let me think").await;
    timers_are(&app, &id, vec![]).await;
    console.reply(&id, "a2", "Take your time").await;
    timers_are(&app, &id, vec![("auto_close".to_owned(), false, None)]).await;
    time_passes(&app).await;
    visitor.until("closed", |f| f["type"] == "closed").await;
    let system: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND author = 'system'",
    )
    .bind(&id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(system, 0, "no text set: no closing message");
}

#[tokio::test]
async fn timers_due_while_the_server_was_down_fire_once_when_it_starts() {
    let (mut app, mut console) = shop(json!({"unanswered_after_minutes": 5,
                                             "auto_close_after_minutes": 30,
                                             "auto_close_text": BYE}))
    .await;
    // One conversation waits for an answer, the other for its visitor.
    let (_, waiting, mut first) = app.visitor().await;
    let waiting = waiting.conversation_id;
    first.say("c1", "Hello?").await;
    let (_, silent, mut second) = app.visitor().await;
    let silent = silent.conversation_id;
    second.say("c1", "A question").await;
    console.take(&silent).await;
    console.reply(&silent, "a1", "An answer").await;
    timers_are(&app, &waiting, vec![("unanswered".to_owned(), false, None)]).await;
    timers_are(&app, &silent, vec![("auto_close".to_owned(), false, None)]).await;
    drop((console, first, second));
    app.stop();
    time_passes(&app).await;
    app.restart().await;
    let fired = |kind: &str, outcome: &str| vec![(kind.to_owned(), true, Some(outcome.to_owned()))];
    timers_until(&app, &waiting, &[("unanswered", "marked")]).await;
    timers_until(&app, &silent, &[("auto_close", "closed")]).await;
    assert!(unanswered_since(&app, &waiting).await.is_some());
    // Started again (its loop looks at the store at once): nothing fires twice.
    app.restart().await;
    let (_console, welcome) = app.console("ana@shop.example").await;
    let listed: Vec<&Value> = welcome["inbox"].as_array().expect("inbox").iter().collect();
    assert!(
        listed
            .iter()
            .any(|c| c["id"] == waiting.as_str() && c["unanswered"] == true),
        "{welcome}"
    );
    assert!(
        listed.iter().all(|c| c["id"] != silent.as_str()),
        "closed: {welcome}"
    );
    let byes: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND body = $2",
    )
    .bind(&silent)
    .bind(BYE)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(byes, 1);
    timers_are(&app, &waiting, fired("unanswered", "marked")).await;
    timers_are(&app, &silent, fired("auto_close", "closed")).await;
}

/// Fired timers stay on record for 30 days, then the loop prunes them (at its
/// start, then hourly); pending ones stay whatever their age.
#[tokio::test]
async fn timers_fired_long_ago_are_pruned_and_pending_ones_stay() {
    let (mut app, console) = shop(json!({"unanswered_after_minutes": 5})).await;
    let (_, old, mut first) = app.visitor().await;
    let old = old.conversation_id;
    first.say("c1", "Hello?").await;
    timers_are(&app, &old, vec![("unanswered".to_owned(), false, None)]).await;
    time_passes(&app).await;
    timers_until(&app, &old, &[("unanswered", "marked")]).await;
    let (_, fresh, mut second) = app.visitor().await;
    let fresh = fresh.conversation_id;
    second.say("c1", "Anyone?").await;
    sqlx::query(
        "UPDATE timers SET fired_at = '2000-01-01T00:00:00.000Z' WHERE fired_at IS NOT NULL",
    )
    .execute(app.db.pool())
    .await
    .expect("fired long ago");
    drop((console, first, second));
    app.restart().await;
    timers_until(&app, &old, &[]).await;
    timers_are(&app, &fresh, vec![("unanswered".to_owned(), false, None)]).await;
}

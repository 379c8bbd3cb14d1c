//! Working hours per channel: the admin routes (every field checked, nothing
//! changed by a refusal), the open/closed status in the public config, and the
//! out-of-hours reply posted once when a conversation starts while closed.
//!
//! The schedules are chosen so no answer depends on the clock: every day empty
//! (closed at any time) or `00:00`-`24:00` every day (open at any time).

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Open around the clock, every day.
fn always_open() -> Value {
    let day = json!([{"from": "00:00", "to": "24:00"}]);
    let days: serde_json::Map<String, Value> =
        DAYS.iter().map(|d| (d.to_string(), day.clone())).collect();
    json!({"time_zone": "Europe/Madrid", "days": days})
}

/// Hours set, but no opening on any day.
fn never_open(reply: Option<&str>) -> Value {
    let mut hours = json!({"time_zone": "America/New_York", "days": {}});
    if let Some(reply) = reply {
        hours["out_of_hours_reply"] = json!(reply);
    }
    hours
}

async fn stored_hours(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT channel_id, hours FROM channel_hours")
        .fetch_all(app.db.pool())
        .await
        .expect("read")
}

#[tokio::test]
async fn hours_are_stored_in_canonical_form_and_read_back() {
    let app = spawn_app().await;
    let (status, body) = app.admin_get("/channels/demo/hours").await;
    assert_error(status, &body, 404, "not_found");
    assert!(app.config().await.hours.is_none(), "no hours: always open");

    let hours = json!({
        "time_zone": "europe/madrid",
        "days": {
            "mon": [{"from": "14:00", "to": "18:00"}, {"from": "09:00", "to": "13:00"}],
            "sat": [{"from": "10:00", "to": "14:00"}]
        },
        "holidays": ["2031-12-25", "2031-01-01"],
        "out_of_hours_reply": "  We are closed now; we will answer in the morning.  "
    });
    let (status, view) = app.admin_put("/channels/demo/hours", &hours).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["hours"]["time_zone"], "Europe/Madrid");
    assert_eq!(
        view["hours"]["days"]["mon"],
        json!([{"from": "09:00", "to": "13:00"}, {"from": "14:00", "to": "18:00"}])
    );
    assert_eq!(view["hours"]["days"]["sun"], json!([]));
    assert_eq!(
        view["hours"]["holidays"],
        json!(["2031-01-01", "2031-12-25"])
    );
    assert_eq!(
        view["hours"]["out_of_hours_reply"],
        "We are closed now; we will answer in the morning."
    );
    assert!(view["open"].is_boolean(), "{view}");
    assert!(view["next_change"].is_string(), "{view}");
    let (status, read) = app.admin_get("/channels/demo/hours").await;
    assert_eq!(status, 200);
    assert_eq!(read["hours"], view["hours"]);

    // Deleting makes the channel always open again.
    let (status, _) = app
        .admin(reqwest::Method::DELETE, "/channels/demo/hours", None)
        .await;
    assert_eq!(status, 204);
    assert!(stored_hours(&app).await.is_empty());
    assert!(app.config().await.hours.is_none());
    let (status, body) = app
        .admin(reqwest::Method::DELETE, "/channels/nope/hours", None)
        .await;
    assert_error(status, &body, 404, "unknown_channel");
}

#[tokio::test]
async fn bad_hours_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (status, before) = app.admin_put("/channels/demo/hours", &always_open()).await;
    assert_eq!(status, 200, "{before}");
    let stored = stored_hours(&app).await;

    let with = |f: &dyn Fn(&mut Value)| {
        let mut hours = always_open();
        f(&mut hours);
        hours
    };
    let range = |from: &str, to: &str| json!({"from": from, "to": to});
    let bad: Vec<(Value, u16, &str)> = vec![
        (
            with(&|h| h["time_zone"] = json!("Mars/Olympus_Mons")),
            422,
            "invalid_field",
        ),
        (with(&|h| h["time_zone"] = json!("")), 422, "invalid_field"),
        (
            with(&|h| h["time_zone"] = json!("+02:00")),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["time_zone"] = json!("x".repeat(65))),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["mon"] = json!([range("9:00", "17:00")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["mon"] = json!([range("09:00", "24:30")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["tue"] = json!([range("25:00", "26:00")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["wed"] = json!([range("09:61", "10:00")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["thu"] = json!([range("17:00", "09:00")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["fri"] = json!([range("09:00", "09:00")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["days"]["sat"] = json!([range("09:00", "13:00"), range("12:59", "18:00")])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| {
                h["days"]["sun"] = json!([
                    range("01:00", "02:00"),
                    range("03:00", "04:00"),
                    range("05:00", "06:00"),
                    range("07:00", "08:00"),
                    range("09:00", "10:00")
                ])
            }),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["holidays"] = json!(["2031-02-29"])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["holidays"] = json!(["31-12-25"])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["holidays"] = json!(["2031-12-25", "2031-12-25"])),
            422,
            "invalid_field",
        ),
        (
            with(&|h| {
                let many: Vec<String> = (0..367)
                    .map(|n| format!("20{:02}-01-01", n % 100))
                    .collect();
                h["holidays"] = json!(many)
            }),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["out_of_hours_reply"] = json!("x".repeat(1001))),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["out_of_hours_reply"] = json!("   ")),
            422,
            "invalid_field",
        ),
        (
            with(&|h| h["out_of_hours_reply"] = json!("a\u{0}b")),
            422,
            "invalid_field",
        ),
        // The shape: unknown fields at every level, wrong types, missing fields.
        (with(&|h| h["colour"] = json!("red")), 400, "unknown_field"),
        (
            with(&|h| h["days"]["monday"] = json!([])),
            400,
            "unknown_field",
        ),
        (
            with(&|h| h["days"]["mon"] = json!([{"from": "09:00", "to": "17:00", "tz": "UTC"}])),
            400,
            "unknown_field",
        ),
        (
            with(&|h| h["days"]["mon"] = json!(["09:00-17:00"])),
            400,
            "bad_request",
        ),
        (
            with(&|h| h["holidays"] = json!("2031-12-25")),
            400,
            "bad_request",
        ),
        (json!({"days": {}}), 400, "bad_request"),
    ];
    for (body, want_status, code) in bad {
        let (status, answer) = app.admin_put("/channels/demo/hours", &body).await;
        assert_error(status, &answer, want_status, code);
    }
    assert_eq!(stored_hours(&app).await, stored, "nothing changed");
    let (_, after) = app.admin_get("/channels/demo/hours").await;
    assert_eq!(after["hours"], before["hours"]);

    // A message names the field.
    let (_, answer) = app
        .admin_put(
            "/channels/demo/hours",
            &with(&|h| h["days"]["wed"] = json!([range("18:00", "10:00")])),
        )
        .await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("days.wed[0]"), "{message}");

    // Unknown channel, no token, wrong token.
    let (status, answer) = app.admin_put("/channels/nope/hours", &always_open()).await;
    assert_error(status, &answer, 404, "unknown_channel");
    let (status, answer) = app.admin_get("/channels/nope/hours").await;
    assert_error(status, &answer, 404, "unknown_channel");
    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = app
            .http
            .request(method.clone(), app.url("/api/v1/admin/channels/demo/hours"))
            .json(&never_open(None))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{method} without a token");
        let response = app
            .http
            .request(method.clone(), app.url("/api/v1/admin/channels/demo/hours"))
            .bearer_auth("not-the-token")
            .json(&never_open(None))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{method} with a wrong token");
    }
    assert_eq!(stored_hours(&app).await, stored, "still nothing changed");
}

#[tokio::test]
async fn the_public_config_says_whether_the_channel_is_open() {
    let app = spawn_app().await;
    let (status, view) = app.admin_put("/channels/demo/hours", &always_open()).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["open"], true);
    assert!(view.get("next_change").is_none(), "open for good: {view}");
    let hours = app.config().await.hours.expect("hours status");
    assert!(hours.open);
    assert_eq!(hours.opens_at, None);
    assert_eq!(hours.closes_at, None, "open for good: nothing to close");

    let (status, view) = app
        .admin_put("/channels/demo/hours", &never_open(None))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["open"], false);
    let hours = app.config().await.hours.expect("hours status");
    assert!(!hours.open);
    assert_eq!(hours.opens_at, None, "no opening ahead");
    let (_, raw) = app.get("/api/v1/channels/demo/config").await;
    assert_eq!(raw["hours"], json!({"open": false}));

    // Closed today, open on some day ahead: the config names the opening time, in
    // UTC, at a whole minute in the future.
    let mut hours = never_open(None);
    hours["time_zone"] = json!("Asia/Tokyo");
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone"));
    let tomorrow = today.date().tomorrow().expect("tomorrow");
    let day = DAYS[usize::try_from(tomorrow.weekday().to_monday_zero_offset()).expect("day")];
    // Only tomorrow's weekday is open, so today (in Tokyo) it is closed.
    hours["days"][day] = json!([{"from": "10:30", "to": "11:00"}]);
    let (status, view) = app.admin_put("/channels/demo/hours", &hours).await;
    assert_eq!(status, 200, "{view}");
    let status = app.config().await.hours.expect("hours status");
    assert!(!status.open);
    let opens_at: jiff::Timestamp = status
        .opens_at
        .as_deref()
        .expect("an opening time")
        .parse()
        .expect("RFC 3339");
    assert!(opens_at > now);
    assert!(status.opens_at.as_deref().is_some_and(|t| t.ends_with('Z')));
    let local = opens_at.to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone"));
    assert_eq!(local.date(), tomorrow);
    assert_eq!((local.hour(), local.minute()), (10, 30));
    assert_eq!(
        status.closes_at,
        Some(
            opens_at
                .saturating_add(jiff::Span::new().minutes(30))
                .expect("later")
                .to_string()
        ),
        "and closes half an hour later"
    );

    // Open all of today (UTC) and no other day: the config says when it closes,
    // so the widget knows when to look again.
    let mut hours = never_open(None);
    hours["time_zone"] = json!("UTC");
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let day = DAYS[usize::try_from(today.weekday().to_monday_zero_offset()).expect("day")];
    hours["days"][day] = json!([{"from": "00:00", "to": "24:00"}]);
    let (status, view) = app.admin_put("/channels/demo/hours", &hours).await;
    assert_eq!(status, 200, "{view}");
    let status = app.config().await.hours.expect("hours status");
    assert!(status.open);
    let midnight = format!("{}T00:00:00Z", today.tomorrow().expect("tomorrow"));
    assert_eq!(status.closes_at.as_deref(), Some(midnight.as_str()));
    let next_week = today
        .checked_add(jiff::Span::new().days(7))
        .expect("next week");
    let reopening = format!("{next_week}T00:00:00Z");
    assert_eq!(
        status.opens_at.as_deref(),
        Some(reopening.as_str()),
        "the same weekday next week"
    );
}

#[tokio::test]
async fn a_conversation_started_out_of_hours_gets_the_reply_once_and_a_log_line() {
    let app = spawn_app().await;
    let reply = "We are away right now. Leave a message and we will answer when we are back.";
    // A no-agent auto-reply too: out of hours, only the out-of-hours reply is sent.
    let (status, body) = app
        .admin_put(
            "/channels/demo/routing",
            &json!({"mode": "evenly", "pass_after_secs": 600, "check_online": true,
                    "queue": [], "no_agent_reply": "Nobody is free right now."}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .admin_put("/channels/demo/hours", &never_open(Some(reply)))
        .await;
    assert_eq!(status, 200, "{body}");

    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    // The reply answers the visitor's first message, after it; no second
    // auto-reply follows.
    assert_eq!(socket.say("m1", "Hello, anyone there?").await, 1);
    let notice = socket
        .until("the out-of-hours reply", |f| f["type"] == "message")
        .await;
    assert_eq!(notice["author"], "system");
    assert_eq!(notice["text"], reply);
    assert_eq!(notice["seq"], 2);
    socket.say("m2", "I will wait.").await;
    let messages: Vec<(String, String)> =
        sqlx::query_as("SELECT author, body FROM messages WHERE conversation_id = $1 ORDER BY seq")
            .bind(&conversation.conversation_id)
            .fetch_all(app.db.pool())
            .await
            .expect("read");
    assert_eq!(
        messages,
        [
            ("visitor".to_owned(), "Hello, anyone there?".to_owned()),
            ("system".to_owned(), reply.to_owned()),
            ("visitor".to_owned(), "I will wait.".to_owned()),
        ]
    );

    let (status, log) = app
        .admin_get(&format!(
            "/conversations/{}/routing",
            conversation.conversation_id
        ))
        .await;
    assert_eq!(status, 200, "{log}");
    let lines = log["lines"].as_array().expect("lines");
    let first = &lines[0];
    assert!(
        first["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("out of hours") && t.contains("reply sent")),
        "{first}"
    );
    assert_eq!(first["entry"]["trigger"]["type"], "out_of_hours");
    assert_eq!(first["entry"]["out_of_hours_reply_sent"], true);
    assert!(
        lines[1..].iter().all(|l| !l["text"]
            .as_str()
            .unwrap_or_default()
            .contains("auto-reply sent")),
        "the no-agent auto-reply is left out: {log}"
    );

    // Open again: a new conversation gets no out-of-hours reply and no such line;
    // the no-agent auto-reply is back.
    let (status, body) = app.admin_put("/channels/demo/hours", &always_open()).await;
    assert_eq!(status, 200, "{body}");
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    socket.say("m1", "Hello again").await;
    let notice = socket
        .until("the no-agent auto-reply", |f| f["type"] == "message")
        .await;
    assert_eq!(notice["text"], "Nobody is free right now.");
    let (_, log) = app
        .admin_get(&format!(
            "/conversations/{}/routing",
            conversation.conversation_id
        ))
        .await;
    assert!(
        log["lines"]
            .as_array()
            .is_some_and(|lines| lines.iter().all(|l| !l["text"]
                .as_str()
                .unwrap_or_default()
                .contains("out of hours"))),
        "{log}"
    );
}

#[tokio::test]
async fn out_of_hours_without_a_reply_only_logs() {
    let app = spawn_app().await;
    let (status, body) = app
        .admin_put("/channels/demo/hours", &never_open(None))
        .await;
    assert_eq!(status, 200, "{body}");
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    assert_eq!(
        socket.say("m1", "Hello").await,
        1,
        "no system message first"
    );
    let (_, log) = app
        .admin_get(&format!(
            "/conversations/{}/routing",
            conversation.conversation_id
        ))
        .await;
    let first = &log["lines"][0];
    assert_eq!(
        first["text"], "out of hours: the channel has no opening ahead",
        "{log}"
    );
    assert_eq!(first["entry"]["out_of_hours_reply_sent"], false);
}

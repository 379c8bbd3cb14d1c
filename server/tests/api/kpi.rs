//! Response-time KPIs over the real server: the limits' settings checked before
//! anything changes, the overdue notice to the chosen employee (live on their
//! console and in their list) fired once per wait, across restarts and a timer
//! fired again; the reports' figures on a seeded history (working hours,
//! transfer), sorted, as CSV; transcripts. No test waits for a limit: the due
//! times, and the seeded messages' times, are set in the store.

use serde_json::{json, Value};

use crate::agents::settings;
use crate::helpers::{assert_error, spawn_app, Socket, TestApp};
use crate::timers::{time_passes, timers_are, timers_until};

const AUTOMATION: &str = "/channels/demo/automation";

/// The demo channel answered by Ana, with Sue (a supervisor) named to hear of
/// overdue waits; both consoles open.
struct Desk {
    app: TestApp,
    sue: u64,
    ana_console: Socket,
    sue_console: Socket,
    sue_cookie: String,
}

async fn desk() -> Desk {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let sue = app.agent("sue@shop.example", "Sue", "supervisor").await;
    app.routing(settings("strict", &[ana])).await;
    let kpi = json!({"kpi_first_minutes": 5, "kpi_next_minutes": 10,
                     "kpi_notify_agent_id": sue,
                     "kpi_notice_text": "#OPERATOR# is late on #DIALOG#"});
    let (status, body) = app.admin_put(AUTOMATION, &kpi).await;
    assert_eq!(status, 200, "{body}");
    let (ana_console, _) = app.console("ana@shop.example").await;
    let sue_cookie = app.login("sue@shop.example").await;
    let (sue_console, _) = app.console_with(&sue_cookie).await;
    Desk {
        app,
        sue,
        ana_console,
        sue_console,
        sue_cookie,
    }
}

impl TestApp {
    /// `GET` as the employee signed in with `cookie`.
    async fn agent_get(&self, cookie: &str, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// `GET` with the admin token; the status, content type and body as text.
    async fn admin_text(&self, path: &str) -> (u16, String, String) {
        let response = self
            .http
            .get(self.url(&format!("/api/v1/admin{path}")))
            .bearer_auth(crate::helpers::ADMIN_TOKEN)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, kind, response.text().await.expect("body"))
    }
}

async fn notices_stored(app: &TestApp) -> i64 {
    app.count("kpi_notices").await
}

#[tokio::test]
async fn kpi_settings_are_checked_before_anything_changes() {
    let app = spawn_app().await;
    let sue = app.agent("sue@shop.example", "Sue", "supervisor").await;
    let good = json!({"kpi_first_minutes": 5, "kpi_notify_agent_id": sue,
                      "kpi_notice_text": "  #OPERATOR#: #DIALOG#  "});
    let (status, body) = app.admin_put(AUTOMATION, &good).await;
    assert_eq!(status, 200, "{body}");
    let saved = json!({"kpi_first_minutes": 5, "kpi_notify_agent_id": sue,
                       "kpi_notice_text": "#OPERATOR#: #DIALOG#"});
    assert_eq!(body, saved, "the text is trimmed");
    let bad = [
        (json!({"kpi_first_minutes": 0}), "kpi_first_minutes"),
        (json!({"kpi_next_minutes": 1441}), "kpi_next_minutes"),
        (
            json!({"kpi_notify_agent_id": sue}),
            "kpi_notify_agent_id needs",
        ),
        (
            json!({"kpi_first_minutes": 5, "kpi_notify_agent_id": 999}),
            "kpi_notify_agent_id",
        ),
        (
            json!({"kpi_first_minutes": 5, "kpi_notice_text": "x".repeat(1001)}),
            "kpi_notice_text",
        ),
    ];
    for (body, field) in bad {
        let (status, answer) = app.admin_put(AUTOMATION, &body).await;
        assert_error(status, &answer, 422, "invalid_field");
        let message = answer["error"]["message"].as_str().expect("message");
        assert!(message.contains(field), "{body} -> {message}");
    }
    let (status, answer) = app
        .admin_put(AUTOMATION, &json!({"kpi_first_minutes": "5"}))
        .await;
    assert_eq!(status / 100, 4, "{answer}");
    let (status, body) = app.admin_get(AUTOMATION).await;
    assert_eq!((status, body), (200, saved), "nothing changed");
}

#[tokio::test]
async fn an_overdue_wait_notifies_the_chosen_employee_once_even_across_restarts() {
    let Desk {
        mut app,
        sue,
        mut ana_console,
        mut sue_console,
        sue_cookie,
    } = desk().await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello?").await;
    ana_console.take(&id).await;
    visitor.say("c2", "Anyone there?").await;
    // One timer for the wait, counted from its first message.
    timers_are(&app, &id, vec![("kpi_first".to_owned(), false, None)]).await;
    time_passes(&app).await;
    let frame = sue_console
        .until("the notice", |f| f["type"] == "overdue")
        .await;
    let notice = &frame["notice"];
    assert_eq!(notice["kind"], "first");
    assert_eq!(notice["conversation_id"], id.as_str());
    assert_eq!(notice["channel_key"], "demo");
    assert_eq!(notice["text"], format!("Ana is late on {id}"));
    timers_until(&app, &id, &[("kpi_first", "notified")]).await;
    let (status, list) = app.agent_get(&sue_cookie, "/api/v1/agent/notices").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["notices"], json!([notice.clone()]));
    // Ana answers; the visitor writes twice: one wait, one timer.
    ana_console.reply(&id, "a1", "Here").await;
    visitor
        .until("the answer", |f| f["type"] == "message")
        .await;
    visitor.say("c3", "One more thing").await;
    visitor.say("c4", "Hello?").await;
    timers_are(
        &app,
        &id,
        vec![
            ("kpi_first".to_owned(), true, Some("notified".to_owned())),
            ("kpi_next".to_owned(), false, None),
        ],
    )
    .await;
    drop((ana_console, sue_console, visitor));
    app.stop();
    time_passes(&app).await;
    app.restart().await;
    timers_until(
        &app,
        &id,
        &[("kpi_first", "notified"), ("kpi_next", "notified")],
    )
    .await;
    assert_eq!(notices_stored(&app).await, 2);
    // Started again: nothing fires twice. A timer claimed again (as after a
    // crash between the notice and the timer's record) leaves no second notice.
    app.restart().await;
    sqlx::query(
        "UPDATE timers SET fired_at = NULL, outcome = NULL WHERE conversation_id = $1
            AND kind = 'kpi_next'",
    )
    .bind(&id)
    .execute(app.db.pool())
    .await
    .expect("unfire");
    app.restart().await;
    timers_until(
        &app,
        &id,
        &[("kpi_first", "notified"), ("kpi_next", "nothing")],
    )
    .await;
    assert_eq!(notices_stored(&app).await, 2);
    let (status, list) = app.agent_get(&sue_cookie, "/api/v1/agent/notices").await;
    assert_eq!(status, 200, "{list}");
    let kinds: Vec<&str> = list["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .map(|n| n["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["next", "first"], "newest first");
    // Ana hears of none; her list is empty.
    let ana_cookie = app.login("ana@shop.example").await;
    let (_, list) = app.agent_get(&ana_cookie, "/api/v1/agent/notices").await;
    assert_eq!(list["notices"], json!([]));
    let (status, _) = app.get("/api/v1/agent/notices").await;
    assert_eq!(status, 401, "signed in only");
    let _ = sue;
}

#[tokio::test]
async fn an_answer_in_time_leaves_no_notice() {
    let Desk {
        app,
        mut ana_console,
        ..
    } = desk().await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello?").await;
    ana_console.take(&id).await;
    ana_console.reply(&id, "a1", "Hi!").await;
    timers_are(&app, &id, vec![]).await;
    time_passes(&app).await;
    assert_eq!(notices_stored(&app).await, 0);
}

/// Sets the times of a conversation's messages, in order (seconds after
/// Monday 2030-01-07 00:00 UTC), and its start.
async fn seed_times(app: &TestApp, id: &str, secs: &[i64]) {
    let monday: jiff::Timestamp = "2030-01-07T00:00:00Z".parse().expect("instant");
    let stamp = |s: i64| {
        monday
            .checked_add(jiff::SignedDuration::from_secs(s))
            .expect("in range")
            .strftime("%Y-%m-%dT%H:%M:%S.000Z")
            .to_string()
    };
    let seqs: Vec<i64> = sqlx::query_scalar(
        "SELECT seq FROM messages WHERE conversation_id = $1 AND author <> 'system' ORDER BY seq",
    )
    .bind(id)
    .fetch_all(app.db.pool())
    .await
    .expect("seqs");
    assert_eq!(seqs.len(), secs.len(), "one time per message");
    for (seq, s) in seqs.iter().zip(secs) {
        sqlx::query("UPDATE messages SET created_at = $1 WHERE conversation_id = $2 AND seq = $3")
            .bind(stamp(*s))
            .bind(id)
            .bind(seq)
            .execute(app.db.pool())
            .await
            .expect("time");
    }
    sqlx::query("UPDATE conversations SET created_at = $1 WHERE id = $2")
        .bind(stamp(secs[0] - 1))
        .bind(id)
        .execute(app.db.pool())
        .await
        .expect("start");
}

const H: i64 = 3600;

#[tokio::test]
async fn reports_give_each_conversation_s_and_agent_s_figures_with_working_hours() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let ben = app.agent("ben@shop.example", "Ben", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (mut ana_console, _) = app.console("ana@shop.example").await;
    let (mut ben_console, _) = app.console("ben@shop.example").await;
    // One: asked, answered by Ana, asked again, transferred to Ben who answers.
    let (_, one, mut v1) = app.visitor().await;
    let one = one.conversation_id;
    v1.say("c1", "Hi").await;
    ana_console.take(&one).await;
    ana_console.reply(&one, "a1", "Hello").await;
    v1.until("the answer", |f| f["type"] == "message").await;
    v1.say("c2", "Price?").await;
    ana_console
        .send(json!({"type": "transfer", "conversation_id": one, "to_agent": ben}))
        .await;
    ben_console
        .until("Ben has it", crate::agents::is_upsert(&one, "mine"))
        .await;
    ben_console.reply(&one, "b1", "Ten euros").await;
    // Monday 10:00 asked, Ana at 10:02; 10:10 asked, Ben at 10:30.
    seed_times(
        &app,
        &one,
        &[10 * H, 10 * H + 120, 10 * H + 600, 10 * H + 1800],
    )
    .await;
    // Two: asked Monday 16:50, answered by Ana Tuesday 09:10; rated "like".
    let (consent, two, mut v2) = app.visitor().await;
    let two_id = two.conversation_id.clone();
    v2.say("c1", "Late question").await;
    ana_console.take(&two_id).await;
    ana_console.reply(&two_id, "a1", "Morning!").await;
    seed_times(&app, &two_id, &[16 * H + 50 * 60, 24 * H + 9 * H + 600]).await;
    let _ = consent;
    sqlx::query(
        "INSERT INTO conversation_ratings (conversation_id, rating, rated_at) VALUES ($1, 'like', $2)",
    )
    .bind(&two_id)
    .bind("2030-01-08T10:00:00.000Z")
    .execute(app.db.pool())
    .await
    .expect("rating");
    // Three: never answered.
    let (_, three, mut v3) = app.visitor().await;
    let three = three.conversation_id;
    v3.say("c1", "Hello?").await;
    seed_times(&app, &three, &[11 * H]).await;

    // Without working hours: the whole time counts.
    let (status, report) = app
        .admin_get("/reports/conversations?from=2030-01-07&to=2030-01-08&sort=-max_response")
        .await;
    assert_eq!(status, 200, "{report}");
    let rows = report["conversations"].as_array().expect("rows");
    let figures = |c: &Value| {
        (
            c["id"].as_str().expect("id").to_owned(),
            c["first_response_secs"].clone(),
            c["total_response_secs"].clone(),
            c["average_response_secs"].clone(),
            c["max_response_secs"].clone(),
            c["responses"].clone(),
        )
    };
    let night = 16 * 3600 + 20 * 60; // 16:50 to 09:10 the next day
    assert_eq!(
        rows.iter().map(figures).collect::<Vec<_>>(),
        vec![
            (
                two_id.clone(),
                json!(night),
                json!(night),
                json!(night),
                json!(night),
                json!(1)
            ),
            (
                one.clone(),
                json!(120),
                json!(1320),
                json!(660),
                json!(1200),
                json!(2)
            ),
            (
                three.clone(),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                json!(0)
            ),
        ],
        "longest wait first, none last"
    );
    assert_eq!(rows[0]["rating"], "like");
    assert_eq!(report["truncated"], false);

    // With working hours (09:00-17:00 UTC on weekdays) the night does not count.
    let days = json!([{"from": "09:00", "to": "17:00"}]);
    let hours = json!({"time_zone": "UTC", "days": {"mon": days, "tue": days, "wed": days,
                       "thu": days, "fri": days}});
    let (status, body) = app.admin_put("/channels/demo/hours", &hours).await;
    assert_eq!(status, 200, "{body}");
    let (_, report) = app
        .admin_get("/reports/conversations?from=2030-01-07&to=2030-01-08&sort=first_response")
        .await;
    let rows = report["conversations"].as_array().expect("rows");
    assert_eq!(
        rows.iter().map(figures).collect::<Vec<_>>(),
        vec![
            (
                one.clone(),
                json!(120),
                json!(1320),
                json!(660),
                json!(1200),
                json!(2)
            ),
            (
                two_id.clone(),
                json!(1200),
                json!(1200),
                json!(1200),
                json!(1200),
                json!(1)
            ),
            (
                three.clone(),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                json!(0)
            ),
        ]
    );

    // Per agent: Ana answered 120 s (first, one) and 1200 s (first, two); Ben 1200 s.
    let (status, agents) = app
        .admin_get("/reports/agents?from=2030-01-07&to=2030-01-08")
        .await;
    assert_eq!(status, 200, "{agents}");
    assert_eq!(
        agents["agents"],
        json!([
            {"agent_id": ana, "agent_name": "Ana", "conversations": 2,
             "average_first_response_secs": 660, "total_response_secs": 1320,
             "average_response_secs": 660, "max_response_secs": 1200, "responses": 2,
             "likes": 1, "dislikes": 0,
             "days": [
                 {"date": "2030-01-07", "responses": 1, "average_response_secs": 120,
                  "max_response_secs": 120},
                 {"date": "2030-01-08", "responses": 1, "average_response_secs": 1200,
                  "max_response_secs": 1200}]},
            {"agent_id": ben, "agent_name": "Ben", "conversations": 1,
             "average_first_response_secs": null, "total_response_secs": 1200,
             "average_response_secs": 1200, "max_response_secs": 1200, "responses": 1,
             "likes": 0, "dislikes": 0,
             "days": [{"date": "2030-01-07", "responses": 1, "average_response_secs": 1200,
                       "max_response_secs": 1200}]}
        ])
    );
    // A period with nothing in it.
    let (_, empty) = app.admin_get("/reports/agents?from=2031-01-01").await;
    assert_eq!(empty["agents"], json!([]));

    // The same rows as CSV.
    let (status, kind, csv) = app
        .admin_text(
            "/reports/conversations?from=2030-01-07&to=2030-01-08&sort=first_response&format=csv",
        )
        .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.get(0), Some("id"));
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let lines: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(&lines[0][column("id")], one.as_str());
    assert_eq!(&lines[0][column("first_response_secs")], "120");
    assert_eq!(&lines[1][column("rating")], "like");
    assert_eq!(&lines[1][column("agent")], "Ana");
    assert_eq!(&lines[2][column("max_response_secs")], "");

    // Bad parameters: a 4xx naming them.
    for (query, code) in [
        ("sort=speed", "invalid_field"),
        ("format=xml", "invalid_field"),
        ("from=yesterday", "invalid_field"),
        ("from=2030-01-08&to=2030-01-07", "invalid_field"),
        ("color=red", "unknown_field"),
    ] {
        let (status, answer) = app
            .admin_get(&format!("/reports/conversations?{query}"))
            .await;
        assert_eq!(status / 100, 4, "{query}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{query}: {answer}");
    }
    let (status, _) = app
        .http
        .get(app.url("/api/v1/admin/reports/agents"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .expect("request");
    assert_eq!(status, 401, "admins only");
}

#[tokio::test]
async fn a_transcript_comes_as_text_or_json() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id;
    visitor.say("c1", "Hi\nthere").await;
    console.take(&id).await;
    console.reply(&id, "a1", "Hello").await;
    let (status, kind, text) = app
        .admin_text(&format!("/conversations/{id}/transcript"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/plain"), "{kind}");
    assert!(text.starts_with(&format!("Conversation {id}\n")), "{text}");
    assert!(text.contains("] Visitor: Hi\n    there\n"), "{text}");
    assert!(text.contains("] Ana: Hello\n"), "{text}");
    let (status, json) = app
        .admin_get(&format!("/conversations/{id}/transcript?format=json"))
        .await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["conversation_id"], id.as_str());
    let texts: Vec<&str> = json["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["author"] != "system")
        .map(|m| m["text"].as_str().expect("text"))
        .collect();
    assert_eq!(texts, ["Hi\nthere", "Hello"]);
    let (status, answer) = app
        .admin_get(&format!("/conversations/{id}/transcript?format=pdf"))
        .await;
    assert_error(status, &answer, 422, "invalid_field");
    let (status, answer) = app.admin_get("/conversations/nope/transcript").await;
    assert_error(status, &answer, 404, "unknown_conversation");
}

#[tokio::test]
async fn a_wait_the_conversation_closed_on_counts_in_no_figure() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id;
    visitor.say("c1", "Hello?").await;
    console.take(&id).await;
    // Closed unanswered; the visitor writes again, and Ana answers then.
    console
        .send(json!({"type": "close", "conversation_id": id}))
        .await;
    console.until("closed", crate::agents::is_remove(&id)).await;
    visitor.until("the close", |f| f["type"] == "closed").await;
    visitor.say("c2", "Still there?").await;
    console.take(&id).await;
    console.reply(&id, "a1", "Sorry, yes").await;
    // Asked at 10:00, closed at 10:30, asked again at 11:00, answered at 11:00:45.
    seed_times(&app, &id, &[10 * H, 11 * H, 11 * H + 45]).await;
    let closes: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM conversation_closes WHERE conversation_id = $1")
            .bind(&id)
            .fetch_one(app.db.pool())
            .await
            .expect("closes");
    assert_eq!(closes, 1, "the close is kept with its time");
    sqlx::query("UPDATE conversation_closes SET closed_at = '2030-01-07T10:30:00.000Z'")
        .execute(app.db.pool())
        .await
        .expect("close time");
    let (status, report) = app.admin_get("/reports/conversations").await;
    assert_eq!(status, 200, "{report}");
    let row = &report["conversations"][0];
    assert_eq!(row["id"], id.as_str());
    assert_eq!(row["first_response_secs"], Value::Null, "{row}");
    assert_eq!(row["max_response_secs"], 45, "{row}");
    assert_eq!(row["responses"], 1, "{row}");
}

impl TestApp {
    /// `POST` of `body` as the employee signed in with `cookie`.
    async fn agent_post(&self, cookie: &str, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .header("cookie", cookie)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

async fn notices_read(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM kpi_notices WHERE read_at IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .expect("count")
}

#[tokio::test]
async fn a_notice_in_canal_s_words_names_its_agent_and_stays_read_once_looked_at() {
    let Desk {
        app,
        sue,
        mut ana_console,
        mut sue_console,
        sue_cookie,
    } = desk().await;
    // No text of the channel's own (the settings are replaced whole): Canal's
    // default words.
    let (status, body) = app
        .admin_put(
            AUTOMATION,
            &json!({"kpi_first_minutes": 5, "kpi_notify_agent_id": sue}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.clone();
    visitor.say("c1", "Hello?").await;
    ana_console.take(&id).await;
    visitor.say("c2", "Anyone there?").await;
    timers_are(&app, &id, vec![("kpi_first".to_owned(), false, None)]).await;
    time_passes(&app).await;
    let frame = sue_console
        .until("the notice", |f| f["type"] == "overdue")
        .await;
    let notice = &frame["notice"];
    assert_eq!(notice["default_operator"], "Ana", "{notice}");
    assert_eq!(
        notice["text"],
        format!("Ana has not answered conversation {id} in time.")
    );
    assert!(notice.get("read").is_none(), "not read yet: {notice}");
    let notice_id = notice["id"].as_u64().expect("id");

    // Bad input changes nothing.
    for (body, want) in [
        (json!({"up_to": -1}), 400),
        (json!({"up_to": "1"}), 400),
        (json!({}), 400),
        (json!({"up_to": notice_id, "all": true}), 400),
    ] {
        let (status, answer) = app
            .agent_post(&sue_cookie, "/api/v1/agent/notices/read", &body)
            .await;
        assert_eq!(status, want, "{body} -> {answer}");
        assert!(answer["error"]["code"].is_string(), "{answer}");
    }
    let (status, _) = app
        .post("/api/v1/agent/notices/read", &json!({"up_to": notice_id}))
        .await;
    assert_eq!(status, 401, "signed in only");
    // Ana marks hers: Sue's are not hers.
    let ana_cookie = app.login("ana@shop.example").await;
    let (status, marked) = app
        .agent_post(
            &ana_cookie,
            "/api/v1/agent/notices/read",
            &json!({"up_to": notice_id}),
        )
        .await;
    assert_eq!((status, marked), (200, json!({"marked": 0})));
    assert_eq!(notices_read(&app).await, 0);

    // Sue looked at them: read, and read still when listed again; once only.
    let (status, marked) = app
        .agent_post(
            &sue_cookie,
            "/api/v1/agent/notices/read",
            &json!({"up_to": notice_id}),
        )
        .await;
    assert_eq!((status, marked), (200, json!({"marked": 1})));
    let (_, list) = app.agent_get(&sue_cookie, "/api/v1/agent/notices").await;
    assert_eq!(list["notices"][0]["read"], true, "{list}");
    let (_, marked) = app
        .agent_post(
            &sue_cookie,
            "/api/v1/agent/notices/read",
            &json!({"up_to": notice_id}),
        )
        .await;
    assert_eq!(marked, json!({"marked": 0}));
    assert_eq!(notices_read(&app).await, 1);
}

//! The conversation list by its stored figures (issue 15): the figures task
//! recomputes a conversation after an answer and a rating, a restart repairs
//! missing and stale rows, the list sorts by each figure with exact cursors
//! (ties by id), a cursor belongs to its sort, the CSV export has the figure
//! columns, the filters and the order, and an agent who is not an admin gets slim
//! rows of their channels only and no e-mail details.
//!
//! The messages' times are set in the database as a fixture (as the reports'
//! tests do); nothing waits a fixed time: every wait polls with a deadline.

use serde_json::{json, Value};

use crate::agents::settings;
use crate::helpers::{assert_error, poll, spawn_app, TestApp};

/// A call with a console session's cookie: status and body as text.
async fn agent_text(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app
        .http
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// A call with a console session's cookie: status and JSON body.
async fn agent_json(app: &TestApp, cookie: &str, path: &str) -> (u16, Value) {
    let (status, text) = agent_text(app, cookie, path).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// One seeded conversation: its messages' authors and times (seconds after its
/// start), and its rating.
struct Seed {
    steps: &'static [(&'static str, i64)],
    rating: Option<&'static str>,
}

/// What the figures of a seeded conversation are: first, total, average, max,
/// responses (no working hours: the whole time counts).
type Want = (Option<i64>, Option<i64>, Option<i64>, Option<i64>, i64);

const SEEDS: [(Seed, Want); 7] = [
    (
        Seed {
            steps: &[("visitor", 0), ("agent", 60)],
            rating: Some("dislike"),
        },
        (Some(60), Some(60), Some(60), Some(60), 1),
    ),
    (
        Seed {
            steps: &[("visitor", 0), ("agent", 60)],
            rating: None,
        },
        (Some(60), Some(60), Some(60), Some(60), 1),
    ),
    (
        Seed {
            steps: &[
                ("visitor", 0),
                ("agent", 300),
                ("visitor", 400),
                ("agent", 420),
            ],
            rating: Some("like"),
        },
        (Some(300), Some(320), Some(160), Some(300), 2),
    ),
    (
        Seed {
            steps: &[("visitor", 0), ("agent", 10)],
            rating: None,
        },
        (Some(10), Some(10), Some(10), Some(10), 1),
    ),
    (
        Seed {
            steps: &[("visitor", 0)],
            rating: None,
        },
        (None, None, None, None, 0),
    ),
    (
        Seed {
            steps: &[("visitor", 0)],
            rating: Some("like"),
        },
        (None, None, None, None, 0),
    ),
    (
        Seed {
            steps: &[("visitor", 0), ("agent", 60)],
            rating: Some("like"),
        },
        (Some(60), Some(60), Some(60), Some(60), 1),
    ),
];

fn stamp(secs: i64) -> String {
    let start: jiff::Timestamp = "2031-03-03T08:00:00Z".parse().expect("instant");
    start
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .expect("in range")
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string()
}

async fn sql(app: &TestApp, query: &str, binds: &[&str]) {
    let mut q = sqlx::query(query);
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(app.db.pool()).await.expect(query);
}

async fn computed_at(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT computed_at FROM conversation_figures WHERE conversation_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("a figures row")
}

async fn figures_rows(app: &TestApp) -> i64 {
    app.count("conversation_figures").await
}

/// Seeds [`SEEDS`] in the demo channel, held by `agent`, an hour apart (the last
/// the newest), with their messages' times; returns their ids.
async fn seed(app: &TestApp, agent: u64) -> Vec<String> {
    let channel = app
        .store
        .channel_by_key("demo")
        .await
        .expect("store")
        .expect("the demo channel");
    let agent = i64::try_from(agent).expect("id");
    let imported: Vec<_> = SEEDS
        .iter()
        .enumerate()
        .map(
            |(n, (s, _))| canal_server::store::channels::ImportedConversation {
                channel_id: channel.id.clone(),
                visitor_name: None,
                visitor_email: None,
                created_at: stamp(i64::try_from(n).expect("n") * 3600),
                status: "open".to_owned(),
                agent_id: Some(agent),
                unanswered_since: None,
                rating: s.rating.map(str::to_owned),
                messages: s
                    .steps
                    .iter()
                    .map(|(author, _)| ((*author).to_owned(), "text".to_owned()))
                    .collect(),
                message_times: Vec::new(),
                label_ids: Vec::new(),
            },
        )
        .collect();
    let ids = app
        .store
        .import_conversations(&imported)
        .await
        .expect("seeded");
    // The import marks them changed: the task computes them (all at one instant).
    poll(|| async {
        let stale = app.store.stale_figures().await.map_err(|e| e.to_string())?;
        if stale.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} of 7 conversations not computed yet",
                stale.len()
            ))
        }
    })
    .await;
    for (n, (id, (s, _))) in ids.iter().zip(&SEEDS).enumerate() {
        let base = i64::try_from(n).expect("n") * 3600;
        for (seq, (author, at)) in (1_i64..).zip(s.steps) {
            sqlx::query(
                "UPDATE messages SET created_at = $1 WHERE conversation_id = $2 AND seq = $3",
            )
            .bind(stamp(base + at))
            .bind(id)
            .bind(seq)
            .execute(app.db.pool())
            .await
            .expect("time");
            if *author == "agent" {
                sqlx::query(
                    "UPDATE messages SET agent_id = $1 WHERE conversation_id = $2 AND seq = $3",
                )
                .bind(agent)
                .bind(id)
                .bind(seq)
                .execute(app.db.pool())
                .await
                .expect("agent");
            }
        }
    }
    ids
}

/// A conversation's key in the sort's column, as the README states it: a figure
/// not known is -1; like 1, dislike 0, none -1.
fn key(column: &str, n: usize) -> i64 {
    let (seed, (first, total, average, max, responses)) = &SEEDS[n];
    let v = |x: &Option<i64>| x.unwrap_or(-1);
    match column {
        "first_response" => v(first),
        "total_response" => v(total),
        "average_response" => v(average),
        "max_response" => v(max),
        "responses" => *responses,
        "rating" => match seed.rating {
            Some("like") => 1,
            Some("dislike") => 0,
            _ => -1,
        },
        "started_at" => i64::try_from(n).expect("n"),
        other => panic!("no column {other}"),
    }
}

/// Every page of `query` (with `limit=2`), following the cursors: the ids in order.
async fn every_page(app: &TestApp, cookie: &str, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/agent/conversations?{query}&limit=2&cursor={c}"),
            None => format!("/api/v1/agent/conversations?{query}&limit=2"),
        };
        let (status, page) = agent_json(app, cookie, &path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let rows = page["conversations"].as_array().expect("rows");
        assert!(rows.len() <= 2, "{page}");
        ids.extend(
            rows.iter()
                .map(|r| r["id"].as_str().expect("id").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
    panic!("more than 20 pages of 7 conversations");
}

#[tokio::test]
async fn the_list_sorts_by_each_stored_figure_page_by_page_and_exports_it_as_csv() {
    let mut app = spawn_app().await;
    let boss = app.agent("boss@shop.example", "Boss", "admin").await;
    let ids = seed(&app, boss).await;
    // The times were set behind the store's back: the rows are stale. Missing
    // rows (all but one) and a stale one (its rating changed in the database)
    // are repaired at start.
    sql(
        &app,
        "DELETE FROM conversation_figures WHERE conversation_id <> $1",
        &[&ids[3]],
    )
    .await;
    sql(
        &app,
        "INSERT INTO conversation_ratings (conversation_id, rating, rated_at) VALUES ($1, 'like', $2)",
        &[&ids[3], &stamp(0)],
    )
    .await;
    app.restart().await;
    let cookie = app.login("boss@shop.example").await;
    poll(|| async {
        let stale = app.store.stale_figures().await.map_err(|e| e.to_string())?;
        let n = figures_rows(&app).await;
        if n == 7 && stale.is_empty() {
            Ok(())
        } else {
            Err(format!("{n} rows, stale: {stale:?}"))
        }
    })
    .await;
    let (status, page) = agent_json(
        &app,
        &cookie,
        "/api/v1/agent/conversations?sort=first_response",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["sort"], "first_response");
    let row = |id: &str| {
        page["conversations"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .expect("listed")
    };
    for (n, id) in ids.iter().enumerate() {
        let (first, total, average, max, responses) = SEEDS[n].1;
        let r = row(id);
        assert_eq!(
            (
                r["first_response_secs"].as_i64(),
                r["total_response_secs"].as_i64(),
                r["average_response_secs"].as_i64(),
                r["max_response_secs"].as_i64(),
                r["responses"].as_i64(),
            ),
            (first, total, average, max, Some(responses)),
            "conversation {n}"
        );
    }
    // Conversation 3 now rated "like" (seeded in the database, repaired at start).
    let stored: Option<String> =
        sqlx::query_scalar("SELECT rating FROM conversation_figures WHERE conversation_id = $1")
            .bind(&ids[3])
            .fetch_one(app.db.pool())
            .await
            .expect("row");
    assert_eq!(stored.as_deref(), Some("like"));

    let rating_of = |n: usize| {
        if n == 3 {
            1
        } else {
            key("rating", n)
        }
    };
    for column in [
        "started_at",
        "first_response",
        "total_response",
        "average_response",
        "max_response",
        "responses",
        "rating",
    ] {
        for descending in [false, true] {
            let mut want: Vec<usize> = (0..7).collect();
            want.sort_by(|&a, &b| {
                let k = |n| {
                    if column == "rating" {
                        rating_of(n)
                    } else {
                        key(column, n)
                    }
                };
                let order = (k(a), &ids[a]).cmp(&(k(b), &ids[b]));
                if descending {
                    order.reverse()
                } else {
                    order
                }
            });
            let want: Vec<String> = want.into_iter().map(|n| ids[n].clone()).collect();
            let sort = if descending {
                format!("-{column}")
            } else {
                column.to_owned()
            };
            let got = every_page(&app, &cookie, &format!("sort={sort}")).await;
            assert_eq!(got, want, "sort={sort}: each once, in order, ties by id");
        }
    }
    // The default is newest first.
    let newest: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(every_page(&app, &cookie, "status=open").await, newest);

    // The export: the list's order and filters, the figure columns.
    let (status, text) = agent_text(
        &app,
        &cookie,
        "/api/v1/agent/conversations?format=csv&sort=-max_response",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,channel,status,agent_id,agent,started_at,last_message_at,messages,rating,\
             first_response_secs,total_response_secs,average_response_secs,max_response_secs,\
             responses,page_url"
        )
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let order: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(order, every_page(&app, &cookie, "sort=-max_response").await);
    let c = rows
        .iter()
        .find(|r| r[0] == ids[2])
        .expect("conversation 2");
    assert_eq!(&c[9..14], ["300", "320", "160", "300", "2"]);
    let e = rows
        .iter()
        .find(|r| r[0] == ids[4])
        .expect("conversation 4");
    assert_eq!(&e[9..14], ["", "", "", "", "0"]);
    // A filter narrows it; a cell a spreadsheet would run is neutralised.
    sql(
        &app,
        "UPDATE conversations SET status = 'closed', page_url = '=HYPERLINK(\"x\")' WHERE id = $1",
        &[&ids[2]],
    )
    .await;
    let (status, text) = agent_text(
        &app,
        &cookie,
        "/api/v1/agent/conversations?format=csv&status=closed",
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[1].starts_with(ids[2].as_str()), "{text}");
    assert!(lines[1].ends_with("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    // The admins' log takes the same sort and export.
    let (status, log) = app
        .admin_get("/conversations?sort=-first_response&limit=3")
        .await;
    assert_eq!(status, 200, "{log}");
    let firsts: Vec<&str> = log["conversations"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(firsts[0], ids[2], "{log}");
    let (status, _) = app.admin_get("/conversations?format=csv").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn figures_follow_a_new_answer_and_a_rating_off_the_message_path() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("strict", &[ana])).await;
    let cookie = app.login("ana@shop.example").await;
    let (mut console, _) = app.console_with(&cookie).await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id;
    visitor.say("c1", "Hello?").await;
    let row = |want: fn(&Value) -> bool| {
        let app = &app;
        let cookie = &cookie;
        let id = &id;
        async move {
            poll(|| async {
                let (status, page) = agent_json(app, cookie, "/api/v1/agent/conversations").await;
                let row = page["conversations"]
                    .as_array()
                    .and_then(|rows| rows.iter().find(|r| r["id"] == id.as_str()))
                    .cloned()
                    .unwrap_or(Value::Null);
                if status == 200 && want(&row) {
                    Ok(row)
                } else {
                    Err(format!("{status}: {row}"))
                }
            })
            .await
        }
    };
    let asked = row(|r| r["responses"] == 0).await;
    assert!(asked["first_response_secs"].is_null(), "{asked}");
    console.take(&id).await;
    console.reply(&id, "a1", "Hi there").await;
    let answered = row(|r| r["responses"] == 1).await;
    assert!(
        answered["first_response_secs"].as_u64().is_some(),
        "{answered}"
    );
    assert_eq!(
        answered["first_response_secs"],
        answered["max_response_secs"]
    );
    // A visitor's message changes no figure: the row stays current, so neither
    // the figures task nor a restart's repair computes it again. An answer in
    // another conversation, marked after it, shows when the task has been by.
    let computed = computed_at(&app, &id).await;
    let reply = visitor.expect("message").await;
    assert_eq!(reply["text"], "Hi there");
    visitor.say("c2", "Thanks!").await;
    let stale = app.store.stale_figures().await.expect("stale figures");
    assert!(
        stale.is_empty(),
        "stale after a visitor's message: {stale:?}"
    );
    let (_, other, mut other_visitor) = app.visitor().await;
    let other = other.conversation_id;
    other_visitor.say("o1", "Hello too").await;
    console.take(&other).await;
    console.reply(&other, "a2", "Hi").await;
    poll(|| async {
        let (_, page) = agent_json(&app, &cookie, "/api/v1/agent/conversations").await;
        let answered = page["conversations"].as_array().is_some_and(|rows| {
            rows.iter()
                .any(|r| r["id"] == other.as_str() && r["responses"] == 1)
        });
        answered
            .then_some(())
            .ok_or("the other answer not computed yet".to_owned())
    })
    .await;
    assert_eq!(computed_at(&app, &id).await, computed, "computed again");

    let (status, body) = app
        .put(
            &format!("/api/v1/channels/demo/conversations/{id}/rating"),
            &json!({"visitor_token": consent.visitor_token, "rating": "like"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let stored: String = poll(|| async {
        let rating: Option<Option<String>> = sqlx::query_scalar(
            "SELECT rating FROM conversation_figures WHERE conversation_id = $1",
        )
        .bind(&id)
        .fetch_optional(app.db.pool())
        .await
        .map_err(|e| e.to_string())?;
        match rating.flatten() {
            Some(r) => Ok(r),
            None => Err("not rated in the stored figures yet".to_owned()),
        }
    })
    .await;
    assert_eq!(stored, "like");
}

#[tokio::test]
async fn bad_sorts_formats_and_cursors_are_refused_and_a_cursor_keeps_to_its_sort() {
    let app = spawn_app().await;
    app.agent("boss@shop.example", "Boss", "admin").await;
    let cookie = app.login("boss@shop.example").await;
    for _ in 0..3 {
        app.conversation().await;
    }
    let list = "/api/v1/agent/conversations";
    for query in [
        "sort=speed",
        "sort=--rating",
        "sort=",
        "sort=-",
        "sort=Rating",
        "format=xml",
        "format=",
        "cursor=bm9wZQ",
    ] {
        let (status, body) = agent_json(&app, &cookie, &format!("{list}?{query}")).await;
        assert_error(status, &body, 422, "invalid_field");
        let (status, body) = app.admin_get(&format!("/conversations?{query}")).await;
        assert_error(status, &body, 422, "invalid_field");
    }
    let (status, page) = agent_json(
        &app,
        &cookie,
        &format!("{list}?sort=first_response&limit=1"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    for other in ["-first_response", "rating", "started_at"] {
        let (status, body) = agent_json(
            &app,
            &cookie,
            &format!("{list}?sort={other}&cursor={cursor}"),
        )
        .await;
        assert_error(status, &body, 422, "invalid_field");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains("sort=first_response"), "{message}");
    }
    // Without a sort the default one (newest first) is not the cursor's either.
    let (status, body) = agent_json(&app, &cookie, &format!("{list}?cursor={cursor}")).await;
    assert_error(status, &body, 422, "invalid_field");
    let (status, _) = agent_json(
        &app,
        &cookie,
        &format!("{list}?sort=first_response&cursor={cursor}"),
    )
    .await;
    assert_eq!(status, 200);
    // The export checks its parameters before it answers.
    let (status, body) = agent_json(&app, &cookie, &format!("{list}?format=csv&sort=nope")).await;
    assert_error(status, &body, 422, "invalid_field");
}

#[tokio::test]
async fn an_agent_gets_slim_rows_of_their_channels_and_no_e_mail_details() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.agent("boss@shop.example", "Boss", "admin").await;
    app.routing(settings("strict", &[ana])).await;
    let (status, body) = app
        .admin_post("/channels", &json!({"key": "shop", "name": "Shop"}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, theirs) = app.conversation().await;
    let theirs = theirs.conversation_id;
    let (status, other) = app
        .post(
            "/api/v1/channels/shop/conversations",
            &json!({"page_url": crate::helpers::PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{other}");
    let other = other["conversation_id"].as_str().expect("id").to_owned();
    let now = "2031-01-01T00:00:00.000Z";
    app.store
        .queue_mail(&canal_server::store::NewMail {
            conversation_id: &theirs,
            kind: canal_server::store::MailKind::Transcript,
            to_address: "visitor@example.org",
            from_seq: 0,
            upto_seq: None,
            now,
            due_at: "2099-01-01T00:00:00.000Z",
        })
        .await
        .expect("mail");

    let ana_cookie = app.login("ana@shop.example").await;
    for query in ["", "?sort=-first_response", "?sort=rating"] {
        let (status, page) = agent_json(
            &app,
            &ana_cookie,
            &format!("/api/v1/agent/conversations{query}"),
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let rows = page["conversations"].as_array().expect("rows");
        let listed: Vec<&str> = rows.iter().map(|r| r["id"].as_str().expect("id")).collect();
        assert_eq!(listed, [theirs.as_str()], "{query}: only their channel's");
        let keys: Vec<&String> = rows[0].as_object().expect("row").keys().collect();
        for gone in ["visitor_id", "page_url"] {
            assert!(
                !keys.iter().any(|k| k.as_str() == gone),
                "{gone} in {keys:?}"
            );
        }
        for figure in ["first_response_secs", "max_response_secs", "responses"] {
            assert!(
                keys.iter().any(|k| k.as_str() == figure),
                "{figure} not in {keys:?}"
            );
        }
    }
    let (status, text) =
        agent_text(&app, &ana_cookie, "/api/v1/agent/conversations?format=csv").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&theirs) && !text.contains(&other), "{text}");
    // The full record: the mail's address and delivery for admins only.
    let (status, record) = agent_json(
        &app,
        &ana_cookie,
        &format!("/api/v1/agent/conversations/{theirs}"),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["mail"], json!([]), "{record}");
    let boss_cookie = app.login("boss@shop.example").await;
    let (status, record) = agent_json(
        &app,
        &boss_cookie,
        &format!("/api/v1/agent/conversations/{theirs}"),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["mail"][0]["to"], "visitor@example.org", "{record}");
    let (status, body) = agent_json(
        &app,
        &ana_cookie,
        &format!("/api/v1/agent/conversations/{other}"),
    )
    .await;
    assert_error(status, &body, 403, "forbidden");
}

/// Open from `from` to `to` (UTC) every day.
fn open_daily(from: &str, to: &str) -> Value {
    let day = json!([{ "from": from, "to": to }]);
    let days: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| ((*d).to_owned(), day.clone()))
        .collect();
    json!({"time_zone": "UTC", "days": days})
}

/// A change of the channel's working hours computes its conversations' stored
/// figures again: the time while closed stops counting, and counts again once the
/// hours are taken away.
#[tokio::test]
async fn figures_follow_a_change_of_the_channels_working_hours() {
    let app = spawn_app().await;
    let boss = app.agent("boss@shop.example", "Boss", "admin").await;
    let ids = seed(&app, boss).await;
    // The first conversation waits from Monday 08:00:00 to 08:01:00 (UTC); the
    // third from 10:00 to 10:05 and from 10:06:40 to 10:07.
    let until = |hours: Option<Value>, wanted: fn(Option<i64>) -> bool| {
        let app = &app;
        let ids = &ids;
        async move {
            let (status, body) = match &hours {
                Some(hours) => app.admin_put("/channels/demo/hours", hours).await,
                None => app.admin_delete("/channels/demo/hours").await,
            };
            assert!(status == 200 || status == 204, "{status}: {body}");
            poll(|| async {
                let figures = |n: usize| {
                    let id = ids[n].clone();
                    async move { app.store.figures(&id).await.map_err(|e| e.to_string()) }
                };
                let (first, third) = (figures(0).await?, figures(2).await?);
                let third = third.map(|f| {
                    (
                        f.first_response_secs,
                        f.total_response_secs,
                        f.max_response_secs,
                    )
                });
                let first = first.and_then(|f| f.first_response_secs);
                if wanted(first) && third == Some((Some(300), Some(320), Some(300))) {
                    Ok(())
                } else {
                    Err(format!("first: {first:?}, third: {third:?}"))
                }
            })
            .await;
        }
    };
    // Open at both: the whole waits count (the times were set behind the store's
    // back, so this also shows the figures were computed again).
    until(Some(open_daily("07:00", "20:00")), |f| f == Some(60)).await;
    // Closed until 09:00: the first wait no longer counts; the third still does.
    until(Some(open_daily("09:00", "18:00")), |f| f.unwrap_or(0) < 60).await;
    // No hours: always open again.
    until(None, |f| f == Some(60)).await;
}

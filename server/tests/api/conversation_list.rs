//! The console's conversation list, `GET /api/v1/agent/conversations` (and the
//! admins' log, which takes the same query): search over message text and the
//! visitor's name and e-mail, each filter, pages without duplicates or gaps, what an
//! agent may see, labels (admins create them, agents set them), and bad input.
//!
//! The unanswered mark, the holder and the status are set in the database as a
//! fixture: the list only reads them (their own flows have their own tests).

use serde_json::{json, Value};

use crate::agents::settings;
use crate::helpers::{assert_error, poll, spawn_app, TestApp, PAGE};

/// A call with a console session's cookie (`path` from the server's root).
async fn with_cookie(
    app: &TestApp,
    cookie: &str,
    method: reqwest::Method,
    path: &str,
) -> (u16, Value) {
    let response = app
        .http
        .request(method, app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The ids an agent's list answers for `query` (asserting 200), and its cursor.
async fn listed(app: &TestApp, cookie: &str, query: &str) -> (Vec<String>, Value) {
    let (status, list) = with_cookie(
        app,
        cookie,
        reqwest::Method::GET,
        &format!("/api/v1/agent/conversations{query}"),
    )
    .await;
    assert_eq!(status, 200, "{query}: {list}");
    let ids = list["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    (ids, list["next_cursor"].clone())
}

/// A second channel, `shop`, with a conversation: its id.
async fn shop_conversation(app: &TestApp) -> String {
    let (status, body) = app
        .admin_post("/channels", &json!({"key": "shop", "name": "Shop"}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, shop) = app
        .post(
            "/api/v1/channels/shop/conversations",
            &json!({"page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{shop}");
    let shop = shop["conversation_id"].as_str().expect("id").to_owned();
    shop
}

/// The ids of `query`, sorted (for comparing sets).
async fn found(app: &TestApp, cookie: &str, query: &str) -> Vec<String> {
    let mut ids = listed(app, cookie, query).await.0;
    ids.sort();
    ids
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    ids.sort();
    ids
}

/// An admin agent signed in: the list shows them every conversation.
async fn admin_cookie(app: &TestApp) -> String {
    app.agent("boss@shop.example", "Boss", "admin").await;
    app.login("boss@shop.example").await
}

/// A demo conversation whose visitor wrote `text`; returns its id.
async fn said(app: &TestApp, client_id: &str, text: &str) -> String {
    said_with_token(app, client_id, text).await.0
}

/// [`said`], with the visitor's token.
async fn said_with_token(app: &TestApp, client_id: &str, text: &str) -> (String, String) {
    let (consent, conversation) = app.conversation().await;
    let mut socket = app.joined(&consent, &conversation).await;
    socket.say(client_id, text).await;
    (conversation.conversation_id, consent.visitor_token)
}

async fn fixture(app: &TestApp, sql: &str, id: &str) {
    sqlx::query(sql)
        .bind(id)
        .execute(app.db.pool())
        .await
        .expect("fixture");
}

#[tokio::test]
async fn search_finds_a_word_of_the_text_the_visitors_name_or_e_mail() {
    let app = spawn_app().await;
    let boss = admin_cookie(&app).await;
    let parcel = said(&app, "m-1", "Where is my PARCEL? It was 50% off").await;
    let other = said(&app, "m-2", "Do you ship to Lisbon?").await;
    let (consent, named) = app.conversation().await;
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": consent.visitor_token,
                    "user": {"id": "u-7", "name": "Zoë Quigley", "email": "zoe.q@example.org"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let named = named.conversation_id;

    // A word of a message, in any case, anywhere in it.
    assert_eq!(found(&app, &boss, "?q=parcel").await, [parcel.as_str()]);
    assert_eq!(found(&app, &boss, "?q=arce").await, [parcel.as_str()]);
    assert_eq!(found(&app, &boss, "?q=lisbon").await, [other.as_str()]);
    // LIKE's and FTS's special characters are only text.
    assert_eq!(
        found(&app, &boss, "?q=50%25%20off").await,
        [parcel.as_str()]
    );
    assert!(found(&app, &boss, "?q=%25%25%25").await.is_empty());
    assert!(found(&app, &boss, "?q=%22%22%22").await.is_empty());
    assert!(found(&app, &boss, "?q=___").await.is_empty());
    // The visitor's name (non-ASCII too) and e-mail.
    assert_eq!(found(&app, &boss, "?q=Quigley").await, [named.as_str()]);
    assert_eq!(found(&app, &boss, "?q=Zoë").await, [named.as_str()]);
    assert_eq!(
        found(&app, &boss, "?q=zoe.q@example").await,
        [named.as_str()]
    );
    assert!(found(&app, &boss, "?q=nowhere-at-all").await.is_empty());
    // Surrounding blanks do not count; a blank search is no search.
    assert_eq!(
        found(&app, &boss, "?q=%20parcel%20").await,
        [parcel.as_str()]
    );
    assert_eq!(found(&app, &boss, "?q=%20").await.len(), 3);
    // With a filter, and in the admins' log.
    assert_eq!(
        found(&app, &boss, "?q=parcel&status=open").await,
        [parcel.as_str()]
    );
    assert!(found(&app, &boss, "?q=parcel&status=closed")
        .await
        .is_empty());
    let (status, log) = app.admin_get("/conversations?q=quigley").await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(log["conversations"][0]["id"], named.as_str());

    // A name told later is found at once (the index follows the change).
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": consent.visitor_token,
                    "user": {"id": "u-7", "name": "Zoë Marlowe"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(found(&app, &boss, "?q=marlowe").await, [named.as_str()]);
    assert!(found(&app, &boss, "?q=quigley").await.is_empty());
}

/// Waits until the search index holds every message.
async fn all_indexed(app: &TestApp) {
    poll(|| async {
        match app.store.text_behind().await.expect("messages behind") {
            0 => Ok(()),
            n => Err(format!("{n} messages not indexed yet")),
        }
    })
    .await;
}

/// Messages are indexed for search off the message path (on SQLite, a task a
/// moment after they are written; see `canal_store`'s `text` module): the index
/// catches up by itself, a search never misses a message written before it, and
/// a message the index did not hold when the server stopped is indexed at start.
#[tokio::test]
async fn the_search_index_keeps_up_by_itself_and_after_a_restart() {
    let mut app = spawn_app().await;
    let boss = admin_cookie(&app).await;
    let zebra = said(&app, "m-1", "Is the zebra rug washable?").await;
    all_indexed(&app).await;
    assert_eq!(found(&app, &boss, "?q=zebra").await, [zebra.as_str()]);

    // Written behind the server's back (no writer woke the task): stopped, the
    // server finds them not indexed at start. 1,100 of them, more than two
    // indexing transactions' worth (512 each); the one searched for is the last.
    sqlx::query(
        "WITH RECURSIVE n (seq) AS (SELECT 1000 UNION ALL SELECT seq + 1 FROM n WHERE seq < 2099)
         INSERT INTO messages (conversation_id, seq, author, body, created_at)
         SELECT $1, seq, 'visitor',
                CASE WHEN seq = 2099 THEN 'A quokka plush, please' ELSE 'Filler line ' || seq END,
                '2026-12-07T06:00:00Z'
           FROM n",
    )
    .bind(&zebra)
    .execute(app.db.pool())
    .await
    .expect("messages behind the server's back");
    app.restart().await;
    all_indexed(&app).await;
    assert_eq!(found(&app, &boss, "?q=quokka").await, [zebra.as_str()]);
    // A search right after a message finds it, whether or not the task ran.
    let parcel = said(&app, "m-2", "Where is my parcel?").await;
    assert_eq!(found(&app, &boss, "?q=parcel").await, [parcel.as_str()]);
}

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let app = spawn_app().await;
    let boss = admin_cookie(&app).await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let (liked, token) = said_with_token(&app, "m-1", "Thanks, great help").await;
    let waiting = said(&app, "m-2", "Hello? Anyone?").await;
    let held = said(&app, "m-3", "My order is late").await;
    let shop = shop_conversation(&app).await;

    let (status, rated) = app
        .put(
            &format!("/api/v1/channels/demo/conversations/{liked}/rating"),
            &json!({"visitor_token": token, "rating": "like"}),
        )
        .await;
    assert_eq!(status, 200, "{rated}");
    fixture(
        &app,
        "UPDATE conversations SET unanswered_since = '2026-01-01T00:00:00.000Z' WHERE id = $1",
        &waiting,
    )
    .await;
    fixture(
        &app,
        &format!("UPDATE conversations SET agent_id = {ana}, status = 'closed' WHERE id = $1"),
        &held,
    )
    .await;

    let all = sorted(&[&liked, &waiting, &held, &shop]);
    assert_eq!(found(&app, &boss, "").await, all);
    assert_eq!(found(&app, &boss, "?channel=shop").await, [shop.as_str()]);
    assert_eq!(found(&app, &boss, "?channel=demo").await.len(), 3);
    assert_eq!(
        found(&app, &boss, &format!("?agent={ana}")).await,
        [held.as_str()]
    );
    assert_eq!(found(&app, &boss, "?status=closed").await, [held.as_str()]);
    assert_eq!(found(&app, &boss, "?status=open").await.len(), 3);
    assert_eq!(
        found(&app, &boss, "?unanswered=true").await,
        [waiting.as_str()]
    );
    assert_eq!(found(&app, &boss, "?unanswered=false").await.len(), 3);
    assert_eq!(found(&app, &boss, "?rating=like").await, [liked.as_str()]);
    assert!(found(&app, &boss, "?rating=dislike").await.is_empty());
    assert_eq!(found(&app, &boss, "?rating=none").await.len(), 3);
    assert_eq!(found(&app, &boss, "?period=today").await, all);
    assert_eq!(found(&app, &boss, "?period=7d").await, all);
    assert_eq!(found(&app, &boss, "?period=30d").await, all);
    assert!(found(&app, &boss, "?to=2020-01-01").await.is_empty());
    assert_eq!(found(&app, &boss, "?from=2020-01-01").await, all);
    // Filters together: each narrows what the others left.
    assert!(found(&app, &boss, "?rating=like&unanswered=true")
        .await
        .is_empty());
    assert_eq!(
        found(&app, &boss, "?channel=demo&rating=none&status=open").await,
        [waiting.as_str()]
    );
}

#[tokio::test]
async fn pages_hold_every_match_once() {
    let app = spawn_app().await;
    let boss = admin_cookie(&app).await;
    let mut wanted = Vec::new();
    for n in 0..7 {
        let text = if n % 2 == 0 { "refund please" } else { "hello" };
        let id = said(&app, &format!("m-{n}"), text).await;
        if n % 2 == 0 {
            wanted.push(id);
        }
    }
    for (query, total) in [("", 7), ("&q=refund", 4)] {
        let (whole, end) = listed(&app, &boss, &format!("?limit=200{query}")).await;
        assert_eq!(whole.len(), total);
        assert_eq!(end, Value::Null);
        let mut paged = Vec::new();
        let mut cursor = String::new();
        loop {
            let (page, next) = listed(&app, &boss, &format!("?limit=2{query}{cursor}")).await;
            assert!(page.len() <= 2);
            paged.extend(page);
            match next.as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        // In the same order as one long page: nothing twice, nothing left out.
        assert_eq!(paged, whole, "{query}");
    }
    wanted.sort();
    assert_eq!(found(&app, &boss, "?q=refund").await, wanted);
}

#[tokio::test]
async fn an_agent_sees_only_the_channels_they_work_in() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let sam = app.agent("sam@shop.example", "Sam", "supervisor").await;
    app.agent("ida@shop.example", "Ida", "agent").await;
    app.routing(settings("all", &[ana])).await;
    let demo = said(&app, "m-1", "Where is my parcel?").await;
    let shop = shop_conversation(&app).await;
    let (status, body) = app
        .admin_put("/channels/shop/managers", &json!({"agent_ids": [sam]}))
        .await;
    assert_eq!(status, 200, "{body}");

    // Ana is in the demo channel's queue: its conversations, not the shop's.
    let ana_cookie = app.login("ana@shop.example").await;
    assert_eq!(found(&app, &ana_cookie, "").await, [demo.as_str()]);
    assert!(found(&app, &ana_cookie, "?channel=shop").await.is_empty());
    assert!(found(&app, &ana_cookie, "?q=parcel&channel=shop")
        .await
        .is_empty());
    let (status, body) = with_cookie(
        &app,
        &ana_cookie,
        reqwest::Method::GET,
        &format!("/api/v1/agent/conversations/{shop}"),
    )
    .await;
    assert_error(status, &body, 403, "forbidden");
    let (status, record) = with_cookie(
        &app,
        &ana_cookie,
        reqwest::Method::GET,
        &format!("/api/v1/agent/conversations/{demo}"),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["messages"][0]["text"], "Where is my parcel?");

    // Sam manages the shop: its conversations only.
    let sam_cookie = app.login("sam@shop.example").await;
    assert_eq!(found(&app, &sam_cookie, "").await, [shop.as_str()]);
    // Ida works in no channel: nothing, until she holds one.
    let ida_cookie = app.login("ida@shop.example").await;
    assert!(found(&app, &ida_cookie, "").await.is_empty());
    let ida: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = $1")
        .bind("ida@shop.example")
        .fetch_one(app.db.pool())
        .await
        .expect("ida");
    fixture(
        &app,
        &format!("UPDATE conversations SET agent_id = {ida} WHERE id = $1"),
        &shop,
    )
    .await;
    assert_eq!(found(&app, &ida_cookie, "").await, [shop.as_str()]);

    // Signed out: 401.
    let response = app
        .http
        .get(app.url("/api/v1/agent/conversations"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn admins_create_labels_and_agents_set_them() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(settings("all", &[ana])).await;
    let first = said(&app, "m-1", "I want a refund").await;
    let second = said(&app, "m-2", "Hello").await;
    let shop = shop_conversation(&app).await;

    let (status, vip) = app.admin_post("/labels", &json!({"name": " VIP "})).await;
    assert_eq!(status, 201, "{vip}");
    assert_eq!(vip["name"], "VIP");
    let vip = vip["id"].as_u64().expect("id");
    let (status, refund) = app.admin_post("/labels", &json!({"name": "Refund"})).await;
    assert_eq!(status, 201, "{refund}");
    let refund = refund["id"].as_u64().expect("id");
    let (status, body) = app.admin_post("/labels", &json!({"name": "VIP"})).await;
    assert_error(status, &body, 409, "conflict");
    let (status, labels) = app.admin_get("/labels").await;
    assert_eq!(status, 200);
    assert_eq!(
        labels,
        json!([{"id": refund, "name": "Refund"}, {"id": vip, "name": "VIP"}])
    );

    // Agents read the labels and set them on their channels' conversations.
    let cookie = app.login("ana@shop.example").await;
    let (status, body) =
        with_cookie(&app, &cookie, reqwest::Method::GET, "/api/v1/agent/labels").await;
    assert_eq!(status, 200);
    assert_eq!(body, labels);
    let (status, body) =
        with_cookie(&app, &cookie, reqwest::Method::POST, "/api/v1/admin/labels").await;
    assert_error(status, &body, 403, "forbidden");
    let label_path = |conversation: &str, label: u64| {
        format!("/api/v1/agent/conversations/{conversation}/labels/{label}")
    };
    for (conversation, label) in [
        (&first, vip),
        (&first, refund),
        (&second, vip),
        (&first, vip),
    ] {
        let (status, body) = with_cookie(
            &app,
            &cookie,
            reqwest::Method::PUT,
            &label_path(conversation, label),
        )
        .await;
        assert_eq!(status, 204, "{body}");
    }
    assert_eq!(
        app.count("conversation_labels").await,
        3,
        "set twice, stored once"
    );
    let (_, list) = with_cookie(
        &app,
        &cookie,
        reqwest::Method::GET,
        "/api/v1/agent/conversations",
    )
    .await;
    let of = |id: &str| {
        list["conversations"]
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["id"] == id)
            .expect("listed")["labels"]
            .clone()
    };
    assert_eq!(
        of(&first),
        json!([{"id": refund, "name": "Refund"}, {"id": vip, "name": "VIP"}])
    );
    assert_eq!(of(&second), json!([{"id": vip, "name": "VIP"}]));
    let (_, record) = with_cookie(
        &app,
        &cookie,
        reqwest::Method::GET,
        &format!("/api/v1/agent/conversations/{first}"),
    )
    .await;
    assert_eq!(record["conversation"]["labels"], of(&first));
    assert_eq!(
        found(&app, &cookie, &format!("?label={vip}")).await,
        sorted(&[&first, &second])
    );
    assert_eq!(
        found(&app, &cookie, &format!("?label={refund}&q=refund")).await,
        [first.as_str()]
    );

    // Taking one off (twice changes nothing more).
    for _ in 0..2 {
        let (status, _) = with_cookie(
            &app,
            &cookie,
            reqwest::Method::DELETE,
            &label_path(&second, vip),
        )
        .await;
        assert_eq!(status, 204);
    }
    assert_eq!(
        found(&app, &cookie, &format!("?label={vip}")).await,
        [first.as_str()]
    );

    // Refused, nothing changed: another channel's conversation, unknown ones.
    for (path, want, code) in [
        (label_path(&shop, vip), 403, "forbidden"),
        (
            label_path("no-such-conversation", vip),
            404,
            "unknown_conversation",
        ),
        (label_path(&first, 9999), 404, "not_found"),
        (
            format!("/api/v1/agent/conversations/{first}/labels/abc"),
            404,
            "not_found",
        ),
    ] {
        for method in [reqwest::Method::PUT, reqwest::Method::DELETE] {
            let (status, body) = with_cookie(&app, &cookie, method, &path).await;
            assert_error(status, &body, want, code);
        }
    }
    assert_eq!(app.count("conversation_labels").await, 2);

    // Deleting a label takes it off every conversation.
    let (status, body) = app
        .admin(reqwest::Method::DELETE, &format!("/labels/{vip}"), None)
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = app
        .admin(reqwest::Method::DELETE, &format!("/labels/{vip}"), None)
        .await;
    assert_error(status, &body, 404, "not_found");
    assert_eq!(app.count("conversation_labels").await, 1);
    let (status, body) = with_cookie(
        &app,
        &cookie,
        reqwest::Method::GET,
        &format!("/api/v1/agent/conversations?label={vip}"),
    )
    .await;
    assert_error(status, &body, 422, "invalid_field");
}

#[tokio::test]
async fn bad_list_queries_and_labels_are_refused_naming_the_parameter() {
    let app = spawn_app().await;
    let boss = admin_cookie(&app).await;
    said(&app, "m-1", "Where is my parcel?").await;
    for (query, status, code, names) in [
        ("?q=ab", 422, "invalid_field", "q"),
        ("?q=%01%02%03", 422, "invalid_field", "q"),
        (
            &format!("?q={}", "x".repeat(201)) as &str,
            422,
            "invalid_field",
            "q",
        ),
        ("?unanswered=maybe", 422, "invalid_field", "unanswered"),
        ("?rating=meh", 422, "invalid_field", "rating"),
        ("?label=0", 422, "invalid_field", "label"),
        ("?label=77", 422, "invalid_field", "label"),
        ("?label=vip", 422, "invalid_field", "label"),
        ("?period=year", 422, "invalid_field", "period"),
        ("?period=7d&from=2026-01-01", 422, "invalid_field", "period"),
        ("?status=pending", 422, "invalid_field", "status"),
        ("?agent=ann", 422, "invalid_field", "agent"),
        ("?limit=0", 422, "invalid_field", "limit"),
        ("?cursor=zzz", 422, "invalid_field", "cursor"),
        ("?from=yesterday", 422, "invalid_field", "from"),
        ("?sort=oldest", 422, "invalid_field", "sort"),
        ("?format=pdf", 422, "invalid_field", "format"),
        ("?order=oldest", 400, "unknown_field", "order"),
    ] {
        for path in ["/api/v1/agent/conversations", "/api/v1/admin/conversations"] {
            let (got, body) = if path.contains("admin") {
                app.admin_get(&format!("/conversations{query}")).await
            } else {
                with_cookie(&app, &boss, reqwest::Method::GET, &format!("{path}{query}")).await
            };
            assert_error(got, &body, status, code);
            let message = body["error"]["message"].as_str().expect("message");
            assert!(message.contains(names), "{query}: {message}");
        }
    }

    for (body, status, code) in [
        (json!({"name": ""}), 422, "invalid_field"),
        (json!({"name": "   "}), 422, "invalid_field"),
        (json!({"name": "x".repeat(41)}), 422, "invalid_field"),
        (json!({"name": "a\u{7}b"}), 422, "invalid_field"),
        (json!({"name": "ok", "color": "red"}), 400, "unknown_field"),
        (json!({}), 400, "bad_request"),
    ] {
        let (got, answer) = app.admin_post("/labels", &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("labels").await, 0);
}

/// More conversations than the search's first look takes (the newest 2,000 that the
/// other filters leave): a word only the oldest and a few of the newest hold is
/// still found, in order, across pages; a word all of them hold gives the newest.
#[tokio::test]
async fn a_search_finds_old_conversations_behind_the_newest_two_thousand() {
    let app = spawn_app().await;
    let boss = admin_cookie(&app).await;
    let channel = app
        .store
        .channel_by_key("demo")
        .await
        .expect("channel")
        .expect("the demo channel");
    let total = 2_100_usize;
    let seeded: Vec<_> = (0..total)
        .map(|n| {
            let rare = n < 60 || n >= total - 10;
            let text = if rare {
                format!("hello, the zebra print {n}")
            } else {
                format!("hello, plain {n}")
            };
            canal_server::store::channels::ImportedConversation {
                channel_id: channel.id.clone(),
                visitor_name: None,
                visitor_email: None,
                created_at: format!("2031-01-05T10:{:02}:{:02}.000Z", n / 60, n % 60),
                status: "closed".to_owned(),
                agent_id: None,
                unanswered_since: None,
                rating: None,
                messages: vec![("visitor".to_owned(), text)],
                message_times: Vec::new(),
                label_ids: Vec::new(),
            }
        })
        .collect();
    let ids = app
        .store
        .import_conversations(&seeded)
        .await
        .expect("seeded");
    // Newest first: the 10 newest, then the oldest 60 from the newest of them.
    let want: Vec<String> = ids[total - 10..]
        .iter()
        .rev()
        .chain(ids[..60].iter().rev())
        .cloned()
        .collect();
    let (first, cursor) = listed(&app, &boss, "?q=zebra").await;
    assert_eq!(first, want[..50], "the first page");
    let cursor = cursor.as_str().expect("a next page");
    let (second, end) = listed(&app, &boss, &format!("?q=zebra&cursor={cursor}")).await;
    assert_eq!(second, want[50..], "the second page");
    assert!(end.is_null(), "no third page: {end}");

    // A word every one of them holds: the newest, page after page.
    let newest: Vec<String> = ids.iter().rev().cloned().collect();
    let (first, cursor) = listed(&app, &boss, "?q=hello").await;
    assert_eq!(first, newest[..50]);
    let cursor = cursor.as_str().expect("a next page");
    let (second, _) = listed(&app, &boss, &format!("?q=hello&cursor={cursor}")).await;
    assert_eq!(second, newest[50..100]);
}

//! Channels through the admin API: create, list, read, change, switch off, delete;
//! what a switched-off or deleted channel does to its visitors, its loader and its
//! records; and the first run (`canal admin create`, `GET /api/v1/agent/setup`).

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp, PAGE};

async fn create(app: &TestApp, body: Value) -> (u16, Value) {
    app.admin_post("/channels", &body).await
}

async fn keys(app: &TestApp) -> Vec<String> {
    let (status, list) = app.admin_get("/channels").await;
    assert_eq!(status, 200, "{list}");
    list["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| c["key"].as_str().expect("key").to_owned())
        .collect()
}

#[tokio::test]
async fn an_admin_creates_a_channel_and_a_visitor_chats_through_it() {
    let app = spawn_app().await;
    let (status, made) = create(
        &app,
        json!({
            "key": "shop",
            "name": "  Shop  ",
            "greeting": "Hello! How can we help?",
            "locale": "es",
            "allowed_origins": ["https://shop.example"]
        }),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["key"], "shop");
    assert_eq!(made["name"], "Shop", "trimmed");
    assert_eq!(made["title"], Value::Null);
    assert_eq!(made["locale"], "es");
    assert_eq!(made["active"], true);
    assert_eq!(made["allowed_origins"], json!(["https://shop.example"]));
    let snippet = made["snippet"].as_str().expect("snippet");
    assert!(
        snippet.contains("/embed.js?channel=shop\"") && snippet.contains("data-channel=\"shop\""),
        "{snippet}"
    );
    assert_eq!(keys(&app).await, ["demo", "shop"]);
    let (status, one) = app.admin_get("/channels/shop").await;
    assert_eq!((status, &one), (200, &made));

    // The widget's config: no title of its own, so the window shows the name.
    let (status, config) = app.get("/api/v1/channels/shop/config").await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["title"], "Shop");
    assert_eq!(config["greeting"], "Hello! How can we help?");
    assert_eq!(config["locale"], "es");
    assert_eq!(config["consent"], Value::Null);
    // No agreement: a conversation starts at once, on an allowed page only.
    let (status, started) = app
        .post(
            "/api/v1/channels/shop/conversations",
            &json!({"page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let (status, refused) = app
        .post(
            "/api/v1/channels/shop/conversations",
            &json!({"page_url": "https://elsewhere.example/"}),
        )
        .await;
    assert_error(status, &refused, 422, "invalid_page_url");
}

#[tokio::test]
async fn a_key_left_out_is_generated_and_a_title_shows_in_the_window() {
    let app = spawn_app().await;
    let (status, made) = create(&app, json!({"name": "Support", "title": "Ask us"})).await;
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("ch-") && key.len() == 13, "{key}");
    let (_, config) = app.get(&format!("/api/v1/channels/{key}/config")).await;
    assert_eq!(config["title"], "Ask us");
    let (status, again) = create(&app, json!({"name": "Support"})).await;
    assert_eq!(status, 201, "{again}");
    assert_ne!(again["key"], made["key"]);
}

#[tokio::test]
async fn bad_channels_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let before = app.count("channels").await;
    for (body, status, code) in [
        (json!({}), 400, "bad_request"),
        (json!({"name": ""}), 422, "invalid_field"),
        (json!({"name": "x".repeat(101)}), 422, "invalid_field"),
        (json!({"name": "Two\nlines"}), 422, "invalid_field"),
        (json!({"name": "Shop", "key": "ab"}), 422, "invalid_field"),
        (json!({"name": "Shop", "key": "Shop"}), 422, "invalid_field"),
        (
            json!({"name": "Shop", "key": "-shop"}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "Shop", "key": "shop/1"}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "Shop", "locale": "de"}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "Shop", "greeting": "x".repeat(1001)}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "Shop", "allowed_origins": ["https://shop.example/path"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"name": "Shop", "colour": "red"}),
            400,
            "unknown_field",
        ),
        (json!({"name": 5}), 400, "bad_request"),
        // The demo channel's key is taken.
        (json!({"name": "Shop", "key": "demo"}), 409, "conflict"),
    ] {
        let (got, answer) = create(&app, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
    }
    // Not JSON at all, and no admin token.
    let raw = app
        .http
        .post(app.url("/api/v1/admin/channels"))
        .bearer_auth(crate::helpers::ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(raw.status(), 400);
    let anonymous = app
        .http
        .post(app.url("/api/v1/admin/channels"))
        .json(&json!({"name": "Shop"}))
        .send()
        .await
        .expect("post");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(app.count("channels").await, before);
}

#[tokio::test]
async fn a_change_keeps_what_it_leaves_out_and_refuses_bad_values() {
    let app = spawn_app().await;
    let (status, _) = create(
        &app,
        json!({"key": "shop", "name": "Shop", "title": "Shop chat", "greeting": "Hi", "locale": "ru"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, changed) = app
        .admin_patch(
            "/channels/shop",
            &json!({"name": "Our shop", "title": null}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["name"], "Our shop");
    assert_eq!(changed["title"], Value::Null);
    assert_eq!(changed["greeting"], "Hi", "kept");
    assert_eq!(changed["locale"], "ru", "kept");
    let (_, config) = app.get("/api/v1/channels/shop/config").await;
    assert_eq!(config["title"], "Our shop");

    let (status, changed) = app
        .admin_patch(
            "/channels/shop",
            &json!({"greeting": null, "locale": null, "allowed_origins": ["https://a.example"]}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["greeting"], Value::Null);
    assert_eq!(changed["locale"], Value::Null);
    assert_eq!(changed["allowed_origins"], json!(["https://a.example"]));

    for (body, status, code) in [
        (json!({}), 422, "invalid_field"),
        (json!({"name": ""}), 422, "invalid_field"),
        (json!({"locale": "xx"}), 422, "invalid_field"),
        (
            json!({"allowed_origins": ["ftp://a.example"]}),
            422,
            "invalid_field",
        ),
        // The key is the snippet's: it never changes.
        (json!({"key": "renamed"}), 400, "unknown_field"),
        (json!({"active": "no"}), 400, "bad_request"),
    ] {
        let (got, answer) = app.admin_patch("/channels/shop", &body).await;
        assert_error(got, &answer, status, code);
    }
    let (_, unchanged) = app.admin_get("/channels/shop").await;
    assert_eq!(unchanged, changed, "refused changes changed nothing");
    let (status, answer) = app
        .admin_patch("/channels/nope", &json!({"name": "X"}))
        .await;
    assert_error(status, &answer, 404, "unknown_channel");
}

#[tokio::test]
async fn a_switched_off_channel_shows_nothing_and_answers_channel_off() {
    let app = spawn_app().await;
    let (status, off) = app
        .admin_patch("/channels/demo", &json!({"active": false}))
        .await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["active"], false);
    // The visitor API refuses, with a code the widget knows.
    let (status, answer) = app.get("/api/v1/channels/demo/config").await;
    assert_error(status, &answer, 403, "channel_off");
    let before = app.count("consents").await;
    let (status, answer) = app
        .post(
            "/api/v1/channels/demo/consents",
            &json!({"agreement_version_id": "x", "page_url": PAGE}),
        )
        .await;
    assert_error(status, &answer, 403, "channel_off");
    assert_eq!(app.count("consents").await, before);
    // The loader of its snippet draws nothing; other loaders are the real one.
    let loader = |query: &'static str| {
        let app = &app;
        async move {
            let response = app
                .http
                .get(app.url(&format!("/embed.js{query}")))
                .header("accept-encoding", "identity")
                .send()
                .await
                .expect("loader");
            assert_eq!(response.status(), 200);
            response.text().await.expect("text")
        }
    };
    assert_eq!(loader("?channel=demo").await, canal_server::assets::OFF_JS);
    assert!(loader("").await.contains("data-channel"));
    assert!(loader("?channel=unknown").await.contains("data-channel"));
    // Its settings stay reachable for the admin.
    let (status, _) = app.admin_get("/channels/demo/theme").await;
    assert_eq!(status, 200);
    // Back on: everything as before.
    let (status, on) = app
        .admin_patch("/channels/demo", &json!({"active": true}))
        .await;
    assert_eq!((status, &on["active"]), (200, &json!(true)));
    let (status, _) = app.get("/api/v1/channels/demo/config").await;
    assert_eq!(status, 200);
    assert!(loader("?channel=demo").await.contains("data-channel"));
}

#[tokio::test]
async fn a_deleted_channel_is_gone_but_its_records_stay() {
    let app = spawn_app().await;
    app.conversation().await;
    let consents = app.count("consents").await;
    assert!(consents > 0);
    let delete = || async {
        app.admin(reqwest::Method::DELETE, "/channels/demo", None)
            .await
    };
    let (status, _) = delete().await;
    assert_eq!(status, 204);
    let (status, answer) = delete().await;
    assert_error(status, &answer, 404, "unknown_channel");
    let (status, answer) = app.admin_get("/channels/demo").await;
    assert_error(status, &answer, 404, "unknown_channel");
    assert!(keys(&app).await.is_empty());
    let (status, answer) = app.get("/api/v1/channels/demo/config").await;
    assert_error(status, &answer, 404, "unknown_channel");
    let (status, answer) = app.admin_get("/channels/demo/theme").await;
    assert_error(status, &answer, 404, "unknown_channel");
    // Its key is never given to another channel (old snippets stay harmless).
    let (status, answer) = create(&app, json!({"key": "demo", "name": "New"})).await;
    assert_error(status, &answer, 409, "conflict");
    // Records stay, and stay listable.
    assert_eq!(app.count("consents").await, consents);
    assert_eq!(app.count("conversations").await, 1);
    let (status, list) = app.admin_get("/consents?channel=demo").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(
        list["records"].as_array().map(Vec::len),
        Some(usize::try_from(consents).expect("count")),
        "{list}"
    );
}

#[tokio::test]
async fn deleted_channels_are_listed_when_asked_with_when_they_went() {
    let app = spawn_app().await;
    app.conversation().await;
    let (status, shop) = create(&app, json!({"key": "shop", "name": "Shop"})).await;
    assert_eq!(status, 201, "{shop}");
    let (status, _) = app
        .admin(reqwest::Method::DELETE, "/channels/demo", None)
        .await;
    assert_eq!(status, 204);

    // By default only the channels not deleted, with no `deleted_at`.
    let (status, list) = app.admin_get("/channels").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(keys(&app).await, ["shop"]);
    assert!(list["channels"][0].get("deleted_at").is_none(), "{list}");
    for query in ["?deleted=false", "?"] {
        let (status, same) = app.admin_get(&format!("/channels{query}")).await;
        assert_eq!(status, 200, "{same}");
        assert_eq!(same, list, "{query}");
    }

    // Asked for, the deleted one too, in creation order, with when it went.
    let (status, all) = app.admin_get("/channels?deleted=true").await;
    assert_eq!(status, 200, "{all}");
    let channels = all["channels"].as_array().expect("channels");
    let listed: Vec<(&str, bool)> = channels
        .iter()
        .map(|c| {
            (
                c["key"].as_str().expect("key"),
                c["deleted_at"].as_str().is_some(),
            )
        })
        .collect();
    assert_eq!(listed, [("demo", true), ("shop", false)], "{all}");
    assert_eq!(channels[0]["active"], false, "a deleted channel is off");
    let deleted_at = channels[0]["deleted_at"].as_str().expect("deleted_at");
    assert!(
        time::OffsetDateTime::parse(deleted_at, &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{deleted_at}"
    );
    assert!(channels[1].get("deleted_at").is_none(), "{all}");
    // It is listed, not back: its own page is still gone.
    let (status, answer) = app.admin_get("/channels/demo").await;
    assert_error(status, &answer, 404, "unknown_channel");

    // A bad query is refused and changes nothing.
    for query in [
        "?deleted=yes",
        "?deleted=",
        "?deleted=true&all=1",
        "?limit=5",
    ] {
        let (status, answer) = app.admin_get(&format!("/channels{query}")).await;
        assert_error(status, &answer, 422, "invalid_field");
    }
    assert_eq!(keys(&app).await, ["shop"]);
    assert_eq!(app.count("conversations").await, 1);
}

#[tokio::test]
async fn an_empty_install_says_it_has_no_accounts_until_the_first_admin_is_made() {
    let app = spawn_app().await;
    let setup = || async { app.get("/api/v1/agent/setup").await };
    assert_eq!(setup().await, (200, json!({"has_accounts": false})));

    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_canal"))
            .args(args)
            .args(["--database-url", &app.db.url])
            .output()
            .expect("run canal");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, _, err) = run(&[
        "admin",
        "create",
        "--email",
        "not-an-address",
        "--name",
        "Ann",
    ]);
    assert!(!ok && err.contains("e-mail"), "{err}");
    assert_eq!(setup().await.1["has_accounts"], false, "nothing made");

    let (ok, out, err) = run(&[
        "admin",
        "create",
        "--email",
        "ann@shop.example",
        "--name",
        "Ann",
    ]);
    assert!(ok, "{out}{err}");
    let password = out.lines().nth(1).expect("password line").trim().to_owned();
    assert!(password.len() >= 16, "{out}");
    assert_eq!(setup().await.1["has_accounts"], true);

    // The new admin signs in to the console with the printed password, and may
    // use the admin API with the session (no token).
    let login = app
        .http
        .post(app.url("/api/v1/agent/login"))
        .json(&json!({"email": "ann@shop.example", "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    let listed = app
        .http
        .get(app.url("/api/v1/admin/channels"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.status(), 200);
    // The running server had not heard of the account (another process made it):
    // its console socket opens all the same, and a waiting conversation is there.
    app.conversation().await;
    let (_socket, welcome) = app.console_with(&cookie).await;
    assert_eq!(welcome["agent"]["email"], "ann@shop.example", "{welcome}");
    assert_eq!(welcome["inbox"][0]["kind"], "waiting", "{welcome}");

    // The same e-mail twice is refused.
    let (ok, _, err) = run(&[
        "admin",
        "create",
        "--email",
        "ann@shop.example",
        "--name",
        "Ann",
    ]);
    assert!(!ok && err.contains("exists"), "{err}");
}

/// A new name or title reaches routing at once, without a restart: on a channel
/// that shows agents under its own name, the next message, the agent's typing, the
/// history read back and the consoles' lines show the new one; a refused change
/// leaves it as it was.
#[tokio::test]
async fn a_renamed_channel_shows_its_new_title_at_once() {
    use crate::agents::{is_upsert, settings};
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    let mut routing = settings("strict", &[ana]);
    routing["display_mode"] = json!("channel");
    app.routing(routing).await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let (consent, conversation, mut visitor) = app.visitor().await;
    let id = conversation.conversation_id.as_str();
    console.until("the offer", is_upsert(id, "offered")).await;
    console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    console.until("mine", is_upsert(id, "mine")).await;
    let reply = |client_id: &str, text: &str| json!({"type": "reply", "conversation_id": id, "client_id": client_id, "text": text});
    let is_message =
        |text: &'static str| move |f: &Value| f["type"] == "message" && f["text"] == text;

    console.send(reply("r1", "Before")).await;
    let before = visitor
        .until("the first answer", is_message("Before"))
        .await;
    assert_eq!(before["author_name"], "Demo Company", "{before}");

    let (status, changed) = app
        .admin_patch("/channels/demo", &json!({"title": "Demo Shop"}))
        .await;
    assert_eq!(status, 200, "{changed}");
    let line = console
        .until("the renamed line", |f| {
            f["type"] == "upsert" && f["conversation"]["id"] == id
        })
        .await;
    assert_eq!(line["conversation"]["channel_title"], "Demo Shop", "{line}");
    console.send(reply("r2", "After")).await;
    let after = visitor
        .until("the second answer", is_message("After"))
        .await;
    assert_eq!(after["author_name"], "Demo Shop", "{after}");
    console
        .send(json!({"type": "typing", "conversation_id": id, "typing": true}))
        .await;
    let typing = visitor
        .until("the agent typing", |f| f["type"] == "typing")
        .await;
    assert_eq!(typing["name"], "Demo Shop", "{typing}");
    let mut again = app.joined(&consent, &conversation).await;
    for text in ["Before", "After"] {
        let message = again.until("the history", is_message(text)).await;
        assert_eq!(message["author_name"], "Demo Shop", "{message}");
    }

    // A refused change leaves the title as it was.
    let (status, answer) = app
        .admin_patch("/channels/demo", &json!({"title": "x".repeat(101)}))
        .await;
    assert_error(status, &answer, 422, "invalid_field");
    console.send(reply("r3", "Refused")).await;
    let kept = visitor
        .until("the third answer", is_message("Refused"))
        .await;
    assert_eq!(kept["author_name"], "Demo Shop", "{kept}");

    // No title of its own: the name shows.
    let (status, changed) = app
        .admin_patch(
            "/channels/demo",
            &json!({"name": "Demo shop", "title": null}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    console.send(reply("r4", "Named")).await;
    let named = visitor
        .until("the fourth answer", is_message("Named"))
        .await;
    assert_eq!(named["author_name"], "Demo shop", "{named}");
}

#[tokio::test]
async fn the_greeting_speaks_the_widget_s_language_where_the_channel_has_one() {
    let app = spawn_app().await;
    let (status, created) = create(
        &app,
        json!({"key": "shop", "name": "Shop", "greeting": "Hi!",
               "greetings": {"es": " ¡Hola! ", "ru": " "}}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["greetings"],
        json!({"es": "¡Hola!"}),
        "trimmed; a blank one is none"
    );
    let (_, config) = app.get("/api/v1/channels/shop/config").await;
    assert_eq!(config["greeting"], "Hi!");
    assert_eq!(config["greetings"], json!({"es": "¡Hola!"}));

    let (status, changed) = app
        .admin_patch(
            "/channels/shop",
            &json!({"greetings": {"ru": "Здравствуйте!", "en": "Hello!"}}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        changed["greetings"],
        json!({"en": "Hello!", "ru": "Здравствуйте!"}),
        "replaced as a whole"
    );
    assert_eq!(changed["greeting"], "Hi!", "kept");

    for body in [
        json!({"greetings": {"de": "Hallo"}}),
        json!({"greetings": {"es": "x".repeat(1001)}}),
        json!({"greetings": {"es": "a\u{7}b"}}),
    ] {
        let (got, answer) = app.admin_patch("/channels/shop", &body).await;
        assert_error(got, &answer, 422, "invalid_field");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("greetings"),
            "names the field: {message}"
        );
    }
    let (got, answer) = app
        .admin_patch("/channels/shop", &json!({"greetings": ["es"]}))
        .await;
    assert_error(got, &answer, 400, "bad_request");
    let (got, answer) = create(
        &app,
        json!({"key": "other", "name": "Other", "greetings": {"fr": "Salut"}}),
    )
    .await;
    assert_error(got, &answer, 422, "invalid_field");
    assert!(!keys(&app).await.contains(&"other".to_owned()), "not made");
    let (_, unchanged) = app.admin_get("/channels/shop").await;
    assert_eq!(unchanged, changed, "refused changes changed nothing");

    let (status, dropped) = app
        .admin_patch("/channels/shop", &json!({"greetings": null}))
        .await;
    assert_eq!(status, 200, "{dropped}");
    assert_eq!(dropped.get("greetings"), None, "none left");
    let (_, config) = app.get("/api/v1/channels/shop/config").await;
    assert_eq!(config.get("greetings"), None);
}

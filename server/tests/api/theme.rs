//! A channel's theme: the admin API sets it (checked field by field, nothing
//! changed on bad input), the public config carries the frame's part of it, and the
//! admin snippet carries it as the loader's `data-` attributes.

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp, ADMIN_TOKEN};

const THEME: &str = "/channels/demo/theme";

async fn config_theme(app: &TestApp) -> Value {
    let (status, config) = app.get("/api/v1/channels/demo/config").await;
    assert_eq!(status, 200, "{config}");
    config["theme"].clone()
}

async fn snippet(app: &TestApp) -> String {
    let (status, body) = app.admin_get("/channels/demo/snippet").await;
    assert_eq!(status, 200, "{body}");
    body["html"].as_str().expect("html").to_owned()
}

#[tokio::test]
async fn a_new_channel_has_today_s_look() {
    let app = spawn_app().await;
    let (status, theme) = app.admin_get(THEME).await;
    assert_eq!(status, 200, "{theme}");
    assert_eq!(
        theme,
        json!({"color": null, "position": "right", "launcher_text": null, "mode": "auto"})
    );
    assert_eq!(
        config_theme(&app).await,
        json!({"mode": "auto", "accent": null, "on_accent_black": false})
    );
    assert_eq!(
        snippet(&app).await,
        format!(
            r#"<script async src="http://{}/embed.js?channel=demo" data-channel="demo"></script>"#,
            app.addr
        )
    );
    // The typed config reads it too.
    assert_eq!(app.config().await.theme, Default::default());
}

#[tokio::test]
async fn a_theme_is_kept_and_reaches_the_config_and_the_snippet() {
    let app = spawn_app().await;
    let (status, theme) = app
        .admin_put(
            THEME,
            &json!({"color": "#FFCC00", "position": "left",
                    "launcher_text": "  Questions? \"Ask\" <us> & more  ", "mode": "dark"}),
        )
        .await;
    assert_eq!(status, 200, "{theme}");
    let stored = json!({"color": "#ffcc00", "position": "left",
                        "launcher_text": "Questions? \"Ask\" <us> & more", "mode": "dark"});
    assert_eq!(theme, stored, "normalised: lower-case colour, trimmed text");
    assert_eq!(app.admin_get(THEME).await, (200, stored));
    // A light accent gets black text; the frame is not told the launcher's business.
    assert_eq!(
        config_theme(&app).await,
        json!({"mode": "dark", "accent": "#ffcc00", "on_accent_black": true})
    );
    assert_eq!(
        snippet(&app).await,
        format!(
            "<script async src=\"http://{}/embed.js?channel=demo\" data-channel=\"demo\" \
             data-color=\"#ffcc00\" data-position=\"left\" \
             data-launcher-text=\"Questions? &quot;Ask&quot; &lt;us&gt; &amp; more\" \
             data-theme=\"dark\"></script>",
            app.addr
        )
    );

    // A dark accent gets white text; fields left out go back to their defaults.
    let (status, theme) = app.admin_put(THEME, &json!({"color": "#c2185b"})).await;
    assert_eq!(status, 200, "{theme}");
    assert_eq!(
        theme,
        json!({"color": "#c2185b", "position": "right", "launcher_text": null, "mode": "auto"})
    );
    assert_eq!(
        config_theme(&app).await,
        json!({"mode": "auto", "accent": "#c2185b", "on_accent_black": false})
    );
    let (status, theme) = app.admin_put(THEME, &json!({})).await;
    assert_eq!(status, 200, "{theme}");
    assert_eq!(
        config_theme(&app).await,
        json!({"mode": "auto", "accent": null, "on_accent_black": false})
    );

    // The theme survives a restart (it is in the database, not in memory).
    let mut app = app;
    let (status, _) = app
        .admin_put(THEME, &json!({"mode": "light", "position": "left"}))
        .await;
    assert_eq!(status, 200);
    app.restart().await;
    assert_eq!(
        app.admin_get(THEME).await.1,
        json!({"color": null, "position": "left", "launcher_text": null, "mode": "light"})
    );
}

#[tokio::test]
async fn bad_themes_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let good = json!({"color": "#123abc", "position": "left", "launcher_text": "Ask us",
                      "mode": "dark"});
    let (status, body) = app.admin_put(THEME, &good).await;
    assert_eq!(status, 200, "{body}");
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("color", json!("red")), 422, "invalid_field"),
        (with("color", json!("#12345")), 422, "invalid_field"),
        (with("color", json!("#1234567")), 422, "invalid_field"),
        (with("color", json!("#12345g")), 422, "invalid_field"),
        (with("color", json!("123abc")), 422, "invalid_field"),
        (with("color", json!("#fff")), 422, "invalid_field"),
        (with("color", json!("")), 422, "invalid_field"),
        (with("launcher_text", json!("")), 422, "invalid_field"),
        (with("launcher_text", json!("   ")), 422, "invalid_field"),
        (
            with("launcher_text", json!("x".repeat(41))),
            422,
            "invalid_field",
        ),
        (
            with("launcher_text", json!("two\nlines")),
            422,
            "invalid_field",
        ),
        (
            with("launcher_text", json!("bell\u{7}")),
            422,
            "invalid_field",
        ),
        (
            with("launcher_text", json!("ab\u{202e}cd")),
            422,
            "invalid_field",
        ),
        // Not one of the values: the body's shape is wrong (as for every enum of the
        // API, e.g. the routing mode).
        (with("position", json!("middle")), 400, "bad_request"),
        (with("mode", json!("sepia")), 400, "bad_request"),
        (with("color", json!(0x123abc)), 400, "bad_request"),
        (with("launcher_text", json!(["Ask"])), 400, "bad_request"),
        (with("font", json!("Comic Sans")), 400, "unknown_field"),
        (json!(["#123abc"]), 400, "bad_request"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = app.admin_put(THEME, &body).await;
        assert_error(got, &answer, status, code);
        assert_eq!(app.admin_get(THEME).await, (200, good.clone()), "{body}");
    }
    // Forty characters (not bytes) are fine.
    let (status, body) = app
        .admin_put(THEME, &with("launcher_text", json!("я".repeat(40))))
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = app
        .post_raw(
            "/api/v1/admin/channels/demo/theme",
            "application/json",
            b"{}".to_vec(),
        )
        .await;
    assert_error(status, &body, 405, "method_not_allowed");
    let response = app
        .http
        .put(app.url("/api/v1/admin/channels/demo/theme"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body(&b"{\"color\": \"#\xff\xfe\"}"[..])
        .send()
        .await
        .expect("put");
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_error(status, &body, 400, "bad_request");
    let response = app
        .http
        .put(app.url("/api/v1/admin/channels/demo/theme"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn the_theme_api_needs_the_admin_token_and_a_known_channel() {
    let app = spawn_app().await;
    let theme = json!({"color": "#123abc"});
    for path in [THEME, "/channels/demo/snippet", "/channels/nope/theme"] {
        let (status, body) = app.get(&format!("/api/v1/admin{path}")).await;
        assert_error(status, &body, 401, "unauthorized");
        let response = app
            .http
            .get(app.url(&format!("/api/v1/admin{path}")))
            .bearer_auth("not-the-token")
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 401);
    }
    let response = app
        .http
        .put(app.url("/api/v1/admin/channels/demo/theme"))
        .json(&theme)
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 401);
    assert_eq!(app.admin_get(THEME).await.1["color"], Value::Null);

    for (status, body) in [
        app.admin_get("/channels/nope/theme").await,
        app.admin_put("/channels/nope/theme", &theme).await,
        app.admin_get("/channels/nope/snippet").await,
    ] {
        assert_error(status, &body, 404, "unknown_channel");
    }
    assert_eq!(app.admin_get(THEME).await.1["color"], Value::Null);
}

//! Who may configure what, per role and endpoint: admins everything; a supervisor
//! the channels that name them as a manager; agents nothing of the admin API. A
//! refused call is 403 and changes nothing.

use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

/// A request with a console session's cookie.
async fn as_agent(
    app: &TestApp,
    cookie: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = app
        .http
        .request(method, app.url(&format!("/api/v1/admin{path}")))
        .header("cookie", cookie);
    if !body.is_null() {
        request = request.json(body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// What an admin reads of the demo channel's settings.
async fn settings(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        "/channels/demo",
        "/channels/demo/theme",
        "/channels/demo/hours",
        "/channels/demo/identity",
        "/channels/demo/routing",
    ] {
        all.push(app.admin_get(path).await.1);
    }
    all
}

/// Every per-channel call, with a body the API accepts.
fn channel_calls(routing: &Value) -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("GET", "/channels/demo", Value::Null),
        (
            "PATCH",
            "/channels/demo",
            json!({"greeting": "Hello from the manager"}),
        ),
        ("GET", "/channels/demo/theme", Value::Null),
        ("PUT", "/channels/demo/theme", json!({"color": "#0b7a3b"})),
        ("GET", "/channels/demo/snippet", Value::Null),
        (
            "PUT",
            "/channels/demo/hours",
            json!({"time_zone": "Europe/Madrid", "days": {"mon": [{"from": "09:00", "to": "17:00"}]}}),
        ),
        ("GET", "/channels/demo/hours", Value::Null),
        (
            "PUT",
            "/channels/demo/identity",
            json!({"enforced": false, "window_secs": 600}),
        ),
        ("GET", "/channels/demo/identity", Value::Null),
        ("POST", "/channels/demo/identity/secret", Value::Null),
        (
            "PUT",
            "/channels/demo/form",
            json!({"fields": [{"name": "email", "required": true}], "agreements": []}),
        ),
        ("GET", "/channels/demo/form", Value::Null),
        (
            "PUT",
            "/channels/demo/origins",
            json!({"allowed_origins": null}),
        ),
        ("GET", "/channels/demo/routing", Value::Null),
        ("PUT", "/channels/demo/routing", routing.clone()),
        ("DELETE", "/channels/demo/hours", Value::Null),
        (
            "PUT",
            "/channels/demo/agreement",
            json!({"agreement_id": null}),
        ),
    ]
}

/// Calls only admins may make.
fn admin_calls() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("POST", "/channels", json!({"name": "Another site"})),
        ("DELETE", "/channels/demo", Value::Null),
        ("PUT", "/channels/demo/managers", json!({"agent_ids": []})),
        ("GET", "/consents", Value::Null),
        ("GET", "/conversations", Value::Null),
        ("GET", "/agents", Value::Null),
        ("GET", "/agreements", Value::Null),
    ]
}

#[tokio::test]
async fn each_role_may_do_what_it_may_and_a_refusal_changes_nothing() {
    let app = crate::helpers::spawn_app().await;
    let manager = app.agent("sam@shop.example", "Sam", "supervisor").await;
    app.agent("sue@shop.example", "Sue", "supervisor").await;
    let agent = app.agent("ann@shop.example", "Ann", "agent").await;
    app.agent("ada@shop.example", "Ada", "admin").await;
    let (status, view) = app
        .admin_put("/channels/demo/managers", &json!({"agent_ids": [manager]}))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["managers"], json!([manager]));
    let sam = app.login("sam@shop.example").await;
    let sue = app.login("sue@shop.example").await;
    let ann = app.login("ann@shop.example").await;
    let ada = app.login("ada@shop.example").await;
    let routing = app.admin_get("/channels/demo/routing").await.1;

    // Refused: another channel's supervisor and an agent, on every call; an agent
    // and a manager on the admins' calls. Nothing changes.
    let before = settings(&app).await;
    let consents = app.count("consents").await;
    let channels = app.count("channels").await;
    for (who, cookie) in [("sue", &sue), ("ann", &ann)] {
        for (method, path, body) in channel_calls(&routing).into_iter().chain(admin_calls()) {
            let (status, answer) = as_agent(&app, cookie, method, path, &body).await;
            assert_eq!(status, 403, "{who} {method} {path}: {answer}");
            assert_eq!(
                answer["error"]["code"], "forbidden",
                "{who} {method} {path}"
            );
        }
    }
    for (method, path, body) in admin_calls() {
        let (status, answer) = as_agent(&app, &sam, method, path, &body).await;
        assert_eq!(status, 403, "sam {method} {path}: {answer}");
    }
    assert_eq!(
        settings(&app).await,
        before,
        "refused calls changed nothing"
    );
    assert_eq!(app.count("consents").await, consents);
    assert_eq!(app.count("channels").await, channels);

    // The list: a supervisor sees the channels they manage; an agent nothing.
    let keys = |list: &Value| -> Vec<String> {
        list["channels"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|c| c["key"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        keys(
            &as_agent(&app, &sam, "GET", "/channels", &Value::Null)
                .await
                .1
        ),
        ["demo"]
    );
    assert!(keys(
        &as_agent(&app, &sue, "GET", "/channels", &Value::Null)
            .await
            .1
    )
    .is_empty());
    assert_eq!(
        as_agent(&app, &ann, "GET", "/channels", &Value::Null)
            .await
            .0,
        403
    );

    // Allowed: the manager on every per-channel call, an admin on all of them.
    for (method, path, body) in channel_calls(&routing) {
        let (status, answer) = as_agent(&app, &sam, method, path, &body).await;
        assert!(
            (200..300).contains(&status),
            "sam {method} {path}: {status} {answer}"
        );
    }
    assert_eq!(
        app.admin_get("/channels/demo").await.1["greeting"],
        "Hello from the manager"
    );
    for (method, path, body) in channel_calls(&routing).into_iter().chain(admin_calls()) {
        if path == "/channels/demo" && method == "DELETE" {
            continue;
        }
        let (status, answer) = as_agent(&app, &ada, method, path, &body).await;
        assert!(
            (200..300).contains(&status),
            "ada {method} {path}: {status} {answer}"
        );
    }
    let (status, _) = as_agent(&app, &ada, "DELETE", "/channels/demo", &Value::Null).await;
    assert_eq!(status, 204);
    let _ = agent;
}

#[tokio::test]
async fn only_supervisors_can_be_named_managers() {
    let app = crate::helpers::spawn_app().await;
    let agent = app.agent("ann@shop.example", "Ann", "agent").await;
    let admin = app.agent("ada@shop.example", "Ada", "admin").await;
    let supervisor = app.agent("sam@shop.example", "Sam", "supervisor").await;
    for (body, status, code) in [
        (json!({"agent_ids": [agent]}), 422, "invalid_field"),
        (json!({"agent_ids": [admin]}), 422, "invalid_field"),
        (
            json!({"agent_ids": [supervisor, 999]}),
            422,
            "invalid_field",
        ),
        (json!({"agent_ids": "sam"}), 400, "bad_request"),
        (json!({}), 400, "bad_request"),
    ] {
        let (got, answer) = app.admin_put("/channels/demo/managers", &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(
        app.admin_get("/channels/demo").await.1["managers"],
        json!([])
    );
    let (status, answer) = app
        .admin_put(
            "/channels/nope/managers",
            &json!({"agent_ids": [supervisor]}),
        )
        .await;
    assert_error(status, &answer, 404, "unknown_channel");
    let (status, view) = app
        .admin_put(
            "/channels/demo/managers",
            &json!({"agent_ids": [supervisor, supervisor]}),
        )
        .await;
    assert_eq!((status, &view["managers"]), (200, &json!([supervisor])));
}

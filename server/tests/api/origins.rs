//! Allowed origins: the frame's frame-ancestors, and consents from other sites.

use crate::helpers::{assert_error, spawn_app, spawn_app_with_frame, FRAME_DOCUMENT, PAGE};
use canal_server::app::frame_policy;
use serde_json::json;

const PATH: &str = "/channels/demo/origins";

#[tokio::test]
async fn the_frame_may_only_be_embedded_in_allowed_sites() {
    let app = spawn_app_with_frame().await;
    // The frame document itself (not the "not built" page): its own strict policy,
    // plus `frame-ancestors` when the channel lists sites.
    let own = frame_policy(FRAME_DOCUMENT);
    assert!(
        own.starts_with("default-src 'none'; script-src 'self' 'sha256-"),
        "{own}"
    );
    let csp = |app_url: String| async move {
        let response = reqwest::get(app_url).await.expect("get");
        assert_eq!(response.status(), 200, "the frame is served");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/html"), "{kind}");
        let policy = response
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .expect("a policy on the frame document");
        assert_eq!(response.text().await.expect("body"), FRAME_DOCUMENT);
        policy
    };
    assert_eq!(
        csp(app.url("/widget/?channel=demo")).await,
        own,
        "any site by default: no frame-ancestors"
    );

    let origins = json!({"allowed_origins": ["https://shop.example", "http://localhost:3000"]});
    let (status, body) = app.admin_put(PATH, &origins).await;
    assert_eq!((status, &body), (200, &origins));
    assert_eq!(
        csp(app.url("/widget/?channel=demo")).await,
        format!("{own}; frame-ancestors https://shop.example http://localhost:3000")
    );
    let (status, _) = app.admin_put(PATH, &json!({"allowed_origins": []})).await;
    assert_eq!(status, 200);
    assert_eq!(
        csp(app.url("/widget/?channel=demo")).await,
        format!("{own}; frame-ancestors 'none'")
    );
    let (status, _) = app.admin_put(PATH, &json!({"allowed_origins": null})).await;
    assert_eq!(status, 200);
    assert_eq!(csp(app.url("/widget/?channel=demo")).await, own);
}

#[tokio::test]
async fn consents_from_pages_of_other_sites_are_refused() {
    let app = spawn_app().await;
    let (status, _) = app
        .admin_put(PATH, &json!({"allowed_origins": ["https://shop.example"]}))
        .await;
    assert_eq!(status, 200);
    let version = app.version_id().await;
    let consent = |page: &str| json!({"agreement_version_id": version, "page_url": page});
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/consents",
            &consent("https://evil.example/shop.example"),
        )
        .await;
    assert_error(status, &body, 422, "invalid_page_url");
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/consents",
            &consent("https://shop.example:8443/"),
        )
        .await;
    assert_error(status, &body, 422, "invalid_page_url");
    assert_eq!(app.count("consents").await, 0);
    let (status, body) = app
        .post("/api/v1/channels/demo/consents", &consent(PAGE))
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn bad_origin_lists_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let many: Vec<String> = (0..51).map(|n| format!("https://s{n}.example")).collect();
    for (body, status, code) in [
        (
            json!({"allowed_origins": ["https://shop.example/path"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"allowed_origins": ["https://shop.example/"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"allowed_origins": ["ftp://shop.example"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"allowed_origins": ["shop.example"]}),
            422,
            "invalid_field",
        ),
        (json!({"allowed_origins": many}), 422, "invalid_field"),
        (
            json!({"allowed_origins": "https://shop.example"}),
            400,
            "bad_request",
        ),
        (
            json!({"allowed_origins": [], "extra": 1}),
            400,
            "unknown_field",
        ),
    ] {
        let (got, answer) = app.admin_put(PATH, &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app
        .admin_put("/channels/nope/origins", &json!({"allowed_origins": null}))
        .await;
    assert_error(got, &answer, 404, "unknown_channel");
    let channel = app
        .store
        .channel_by_key("demo")
        .await
        .expect("read")
        .expect("demo");
    assert_eq!(channel.allowed_origins, None, "unchanged");
}

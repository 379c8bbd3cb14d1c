//! Health, loader, frame, config and the API's 404/405 answers.

use crate::helpers::{assert_error, spawn_app};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn health_answers_when_the_store_does() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/healthz")).send().await.expect("get");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_loader_is_served_as_javascript() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/embed.js"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(kind.starts_with("text/javascript"), "{kind}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let body = response.text().await.expect("body");
    assert_eq!(body, include_str!("../../../widget/embed.js"));
}

#[tokio::test]
async fn the_loader_is_sent_compressed_and_revalidated_by_its_etag() {
    let app = spawn_app().await;
    let get = |accept: &'static str| {
        app.http
            .get(app.url("/embed.js"))
            .header("accept-encoding", accept)
            .send()
    };
    let brotli = get("gzip, deflate, br, zstd").await.expect("get");
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["cache-control"], "public, max-age=300");
    assert_eq!(brotli.headers()["vary"], "accept-encoding");
    let etag = brotli.headers()["etag"].clone();
    let mut loader = Vec::new();
    let body = brotli.bytes().await.expect("body");
    brotli::BrotliDecompress(&mut body.as_ref(), &mut loader).expect("brotli");
    assert_eq!(loader, include_bytes!("../../../widget/embed.js"));
    assert!(body.len() < loader.len() / 2);

    let gzip = get("gzip, deflate").await.expect("get");
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.headers()["etag"], etag);

    // The browser's copy is current: 304 without a body; a stale one gets the loader.
    let again = app
        .http
        .get(app.url("/embed.js"))
        .header("if-none-match", etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.expect("body").is_empty());
    let stale = app
        .http
        .get(app.url("/embed.js"))
        .header("if-none-match", "W/\"an-older-loader\"")
        .send()
        .await
        .expect("get");
    assert_eq!(stale.status(), 200);
}

#[tokio::test]
async fn json_answers_are_compressed_for_browsers_that_accept_it() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/channels/demo/config");
    let brotli = app
        .http
        .get(&url)
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .expect("get");
    assert_eq!(brotli.headers()["content-encoding"], "br");
    let mut json = Vec::new();
    let body = brotli.bytes().await.expect("body");
    brotli::BrotliDecompress(&mut body.as_ref(), &mut json).expect("brotli");
    let config: serde_json::Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(config["channel"], "demo");
    // A client that asks for nothing gets plain JSON.
    let plain = app.http.get(&url).send().await.expect("get");
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(
        plain.json::<serde_json::Value>().await.expect("json")["channel"],
        "demo"
    );
}

#[tokio::test]
async fn an_unbuilt_frame_says_how_to_build_it() {
    let app = spawn_app().await;
    let response = app.http.get(app.url("/widget/")).send().await.expect("get");
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("cargo xtask")));
}

#[tokio::test]
async fn config_carries_the_current_agreement_text_and_its_hash() {
    let app = spawn_app().await;
    let config = app.config().await;
    assert_eq!(config.channel, "demo");
    assert!(config.greeting.is_some());
    let agreement = config.consent.expect("demo asks consent");
    let digest = Sha256::digest(agreement.text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(agreement.sha256, hex);
    assert!(!agreement.label.is_empty());
}

#[tokio::test]
async fn unknown_channel_config_is_a_json_404() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/api/v1/channels/nope/config"))
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    let body = response.json().await.expect("json");
    assert_error(status, &body, 404, "unknown_channel");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/nothing").await;
    assert_error(status, &body, 404, "not_found");

    for path in [
        "/api/v1/channels/demo/consents",
        "/api/v1/channels/demo/config",
    ] {
        for method in [
            reqwest::Method::DELETE,
            reqwest::Method::PUT,
            reqwest::Method::PATCH,
        ] {
            let response = app
                .http
                .request(method.clone(), app.url(path))
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let body = response.json().await.expect("json");
            assert_error(status, &body, 405, "method_not_allowed");
        }
    }
}

#[tokio::test]
async fn the_demo_page_embeds_the_snippet() {
    let app = spawn_app().await;
    let page = app.http.get(app.url("/demo/")).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    let snippet = format!(
        r#"<script async src="http://{}/embed.js?channel=demo" data-channel="demo"></script>"#,
        app.addr
    );
    assert!(html.contains(&snippet), "{html}");
}

#[tokio::test]
async fn health_says_503_when_the_store_is_gone() {
    let app = spawn_app().await;
    let health = || async { app.http.get(app.url("/healthz")).send().await.expect("get") };
    assert_eq!(health().await.status(), 200);
    // The store goes away under the running server (its pool is shared).
    app.store.close().await;
    let response = health().await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.text().await.expect("body"), "store unreachable\n");
}

#[tokio::test]
async fn one_consent_record_can_be_read_but_never_edited_or_deleted() {
    let app = spawn_app().await;
    let consent = app.consent().await;
    let path = format!("/consents/{}", consent.consent_id);
    let (status, record) = app.admin_get(&path).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["id"], consent.consent_id.as_str());
    assert_eq!(record["action"], "grant");
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
    ] {
        let (status, body) = app
            .admin(
                method.clone(),
                &path,
                Some(&serde_json::json!({"action": "withdraw"})),
            )
            .await;
        assert_error(status, &body, 405, "method_not_allowed");
    }
    let (status, body) = app.admin_get("/consents/no-such-record").await;
    assert_error(status, &body, 404, "not_found");
    assert_eq!(app.admin_get(&path).await.1, record, "unchanged");
    let verified = app.store.verify_ledger().await.expect("verify");
    assert_eq!((verified.records, verified.broken), (1, None));
}

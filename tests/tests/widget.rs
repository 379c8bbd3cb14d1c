//! The walking skeleton end to end: a customer's page on `localhost` embeds the
//! snippet of a Canal server on `127.0.0.1`; a visitor opens the chat in headless
//! Chromium, accepts or declines the agreement, and the database shows the result.

use canal_e2e::{eventually, save_screenshot, visit, Widget};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_the_click_the_host_page_has_no_canal_storage_and_no_wasm() {
    let (canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.launcher().await;

    let storage = widget.storage().await;
    assert_eq!(storage["cookie"], "");
    assert_eq!(storage["local"], 0);
    assert_eq!(storage["session"], 0);
    let fetched = browser
        .js("return performance.getEntriesByType('resource').map(e => e.name);")
        .await;
    let fetched: Vec<String> = serde_json::from_value(fetched).expect("names");
    assert!(
        fetched.iter().any(|url| url.ends_with("/embed.js")),
        "the loader itself was fetched: {fetched:?}"
    );
    assert!(
        !fetched
            .iter()
            .any(|url| url.contains(".wasm") || url.contains("/widget/") || url.contains("/api/")),
        "nothing but the loader before intent: {fetched:?}"
    );
    let frames = browser
        .js("return document.querySelector('#canal-root').shadowRoot.querySelectorAll('iframe').length;")
        .await;
    assert_eq!(frames, 0, "no frame before intent");
    assert_eq!(canal.count("visitors").await, 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_records_consent_with_the_host_page_and_delivers_the_message() {
    let (canal, host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;

    let text = "Hello! Do you ship to Lisbon?";
    widget.send(text).await;
    let prompt = widget.find("consent-prompt").await;
    assert!(prompt.text().await.expect("text").contains("personal data"));
    save_screenshot(
        "consent-prompt.png",
        &browser.client.screenshot().await.expect("png"),
    );
    widget
        .find("consent-accept")
        .await
        .click()
        .await
        .expect("accept");
    widget.wait_sent(text).await;
    save_screenshot(
        "widget-open.png",
        &browser.client.screenshot().await.expect("png"),
    );

    let version = canal
        .store
        .channel_by_key("demo")
        .await
        .expect("read")
        .and_then(|c| c.consent_agreement_id)
        .expect("agreement");
    let version = canal
        .store
        .current_version(&version)
        .await
        .expect("read")
        .expect("version");
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT page_url, ip, agreement_version_id, source FROM consents")
            .fetch_all(canal.store.pool())
            .await
            .expect("consents");
    assert_eq!(
        rows,
        [(
            host.url.clone(),
            "127.0.0.1".to_owned(),
            version.id,
            "livechat".to_owned()
        )]
    );
    let messages: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.consent_id, m.body FROM conversations c JOIN messages m ON m.conversation_id = c.id",
    )
    .fetch_all(canal.store.pool())
    .await
    .expect("messages");
    let consent_id: String = sqlx::query_scalar("SELECT id FROM consents")
        .fetch_one(canal.store.pool())
        .await
        .expect("consent id");
    assert_eq!(messages, [(consent_id, text.to_owned())]);
    assert_eq!(canal.count("conversations").await, 1);
    // Only now may the frame keep something.
    assert_eq!(widget.storage().await["local"], 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_sends_nothing_and_leaves_no_trace() {
    let (canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;

    let text = "Just looking, thanks";
    widget.send(text).await;
    widget
        .find("consent-decline")
        .await
        .click()
        .await
        .expect("decline");
    eventually("the prompt to close", || async {
        match browser
            .client
            .find(Locator::Css("[data-testid=consent-prompt]"))
            .await
        {
            Err(_) => Some(()),
            Ok(_) => None,
        }
    })
    .await;
    let unsent = widget
        .find("composer-input")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        unsent.as_deref(),
        Some(text),
        "the text stays with the visitor"
    );
    let delivered = browser
        .client
        .find_all(Locator::Css("[data-testid=message]"))
        .await
        .expect("messages");
    assert!(delivered.is_empty(), "nothing was sent");

    let storage = widget.storage().await;
    assert_eq!(
        (
            storage["cookie"].as_str(),
            storage["local"].as_i64(),
            storage["session"].as_i64()
        ),
        (Some(""), Some(0), Some(0))
    );
    let requested = browser
        .js("return performance.getEntriesByType('resource').map(e => e.name);")
        .await;
    let requested: Vec<String> = serde_json::from_value(requested).expect("names");
    assert!(
        !requested
            .iter()
            .any(|u| u.contains("/consents") || u.contains("/conversations") || u.contains("/ws")),
        "the frame contacted nothing after decline: {requested:?}"
    );
    widget.leave().await;
    let storage = widget.storage().await;
    assert_eq!(
        (
            storage["cookie"].as_str(),
            storage["local"].as_i64(),
            storage["session"].as_i64()
        ),
        (Some(""), Some(0), Some(0))
    );
    for table in ["consents", "visitors", "conversations", "messages"] {
        assert_eq!(canal.count(table).await, 0, "{table}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_frame_renders_only_inside_allowed_sites() {
    // The page is open; the frame is only fetched on the click below.
    let (canal, host, browser) = visit().await;
    let widget = Widget::new(&browser);
    let demo = canal
        .store
        .channel_by_key("demo")
        .await
        .expect("read")
        .expect("demo channel");
    let allow = |origin: &str| vec![origin.to_owned()];
    canal
        .store
        .set_allowed_origins(&demo.id, Some(&allow("https://shop.example")))
        .await
        .expect("set origins");
    widget
        .launcher()
        .await
        .click()
        .await
        .expect("click launcher");
    let frame = widget.find_css("#canal-root").await;
    let frame = frame
        .shadow_root()
        .await
        .expect("shadow root")
        .find(Locator::Css("iframe"))
        .await
        .expect("frame inserted");
    frame.enter_frame().await.expect("enter frame");
    // The browser refuses the document and shows its own error page instead.
    eventually("the browser to refuse the frame", || async {
        let url = browser.js("return document.URL;").await;
        url.as_str()
            .is_some_and(|u| u.starts_with("chrome-error://"))
            .then_some(())
    })
    .await;
    assert!(browser
        .client
        .find(Locator::Css("[data-testid=composer-input]"))
        .await
        .is_err());
    widget.leave().await;

    // Once the host's site is on the list, the same page shows the chat.
    canal
        .store
        .set_allowed_origins(&demo.id, Some(&allow(&host.origin)))
        .await
        .expect("set origins");
    browser
        .client
        .goto(&host.url)
        .await
        .expect("reload host page");
    widget.open().await;
    widget.find("greeting").await;
    browser.close().await;
}

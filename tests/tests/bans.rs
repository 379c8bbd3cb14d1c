//! A banned address in Chromium: the widget says politely that the chat is not
//! available, and nothing of the visitor is stored (lifting is tested on the API).

use canal_e2e::{eventually, visit, Widget};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_banned_visitor_is_told_the_chat_is_not_available() {
    let (canal, _host, browser) = visit().await;
    // The browser reaches the server from the loopback address.
    let (status, ban) = canal
        .admin(
            "POST",
            "/bans",
            &json!({"network": "127.0.0.0/8", "reason": "test ban"}),
        )
        .await;
    assert_eq!(status, 201, "{ban}");

    let widget = Widget::new(&browser);
    widget
        .launcher()
        .await
        .click()
        .await
        .expect("click launcher");
    let client = &browser.client;
    let frame = eventually("the chat frame to be inserted", || async {
        let root = client.find(Locator::Css("#canal-root")).await.ok()?;
        let shadow = root.shadow_root().await.ok()?;
        shadow.find(Locator::Css("iframe")).await.ok()
    })
    .await;
    frame.enter_frame().await.expect("enter frame");
    let error = widget.find("error").await.text().await.expect("text");
    assert_eq!(error, "This chat is not available right now.");
    assert!(!error.contains("test ban"), "the reason is for admins only");
    assert_eq!(canal.count("visitors").await, 0);
    assert_eq!(canal.count("consents").await, 0);

    browser.close().await;
}

//! A withdrawal, end to end: the agent sees in the console that the visitor withdrew,
//! and an admin's withdrawal reaches the open chat, which forgets the visitor and
//! asks for consent again before anything more is sent.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_sees_that_the_visitor_withdrew() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Please forget me after this").await;
    console.take_offer().await;
    assert!(
        agent_browser
            .client
            .find(Locator::Css("[data-testid=withdrawn]"))
            .await
            .is_err(),
        "not withdrawn yet"
    );

    widget
        .find("menu")
        .await
        .click()
        .await
        .expect("open the menu");
    widget
        .find("menu-withdraw")
        .await
        .click()
        .await
        .expect("withdraw");
    widget
        .find("withdraw-yes")
        .await
        .click()
        .await
        .expect("confirm");

    let shown = console.find("withdrawn").await;
    assert_eq!(
        shown.text().await.expect("text"),
        "The visitor withdrew their consent: nothing more is collected from them"
    );
    save_screenshot(
        "console-withdrawn.png",
        &agent_browser.client.screenshot().await.expect("png"),
    );
    visitor_browser.close().await;
    agent_browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_withdrawal_makes_the_open_chat_forget_the_visitor() {
    let (canal, _host, browser) = canal_e2e::visit().await;
    let widget = Widget::new(&browser);
    widget.start_chat("Hello").await;
    assert_eq!(widget.storage().await["local"], 1);
    let messages = canal.count("messages").await;
    let (visitor_id,): (String,) = sqlx::query_as("SELECT id FROM visitors")
        .fetch_one(&canal.db)
        .await
        .expect("the visitor");
    let (status, config) = canal
        .request("GET", "/api/v1/channels/demo/config", &json!(null), false)
        .await;
    assert_eq!(status, 200);
    let (status, body) = canal
        .admin(
            "POST",
            "/consents/withdrawals",
            &json!({"visitor_id": visitor_id, "agreement_id": config["consent"]["agreement_id"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // The socket is told: the frame forgets the visitor and keeps nothing.
    eventually("the frame to forget the visitor", || async {
        (widget.storage().await["local"] == 0).then_some(())
    })
    .await;
    // Writing again asks for consent again; nothing was sent meanwhile.
    widget.send("Still there?").await;
    widget.find("consent-prompt").await;
    assert_eq!(canal.count("messages").await, messages);
    assert_eq!(canal.count("visitors").await, 1);
    browser.close().await;
}

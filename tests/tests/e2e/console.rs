//! The agent side end to end: a visitor in one headless Chromium on a customer's
//! page, agents in others signed in to the console at `/console/`.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::Locator;

/// A visitor who opened the chat, wrote `text` and accepted the agreement.
async fn visitor_writes(canal: &Canal, host: &HostPage, browser: &Browser, text: &str) {
    browser
        .client
        .goto(&host.url)
        .await
        .expect("open host page");
    let widget = Widget::new(browser);
    widget.start_chat(text).await;
    assert_eq!(canal.count("conversations").await, 1);
    // An agent has the console open: no word of nobody being online.
    let notice = widget.find("away").await.text().await.expect("text");
    assert_eq!(notice, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_takes_the_offer_and_the_visitor_sees_the_reply_under_their_name() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    // The channel asks for a rating once the chat is closed, and waits for it.
    canal
        .admin_ok(
            "PUT",
            "/channels/demo/automation",
            &serde_json::json!({"rating": true, "rating_wait_minutes": 10}),
        )
        .await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::start().await;
    visitor_writes(&canal, &host, &visitor_browser, "Is the blue one in stock?").await;

    console.take_offer().await;
    let client = &agent_browser.client;
    eventually("the visitor's message in the console", || async {
        let messages = client
            .find_all(Locator::Css("[data-testid=message][data-author=visitor]"))
            .await
            .ok()?;
        for m in messages {
            if m.text().await.ok()?.contains("Is the blue one in stock?") {
                return Some(());
            }
        }
        None
    })
    .await;
    let log = console.find("routing-log").await;
    assert!(
        log.text().await.expect("log").contains("Ana Souza"),
        "the routing log names the agent"
    );
    let reply = "Yes, we have three left.";
    console.reply(reply).await;
    save_screenshot(
        "console-conversation.png",
        &agent_browser.client.screenshot().await.expect("png"),
    );

    // The visitor's frame shows the reply with the agent's name.
    let visitor = &visitor_browser.client;
    eventually("the reply in the visitor's chat", || async {
        let text: String = visitor
            .execute("return document.body.innerText;", vec![])
            .await
            .ok()?
            .as_str()?
            .to_owned();
        (text.contains(reply) && text.contains("Ana Souza")).then_some(())
    })
    .await;
    save_screenshot(
        "widget-agent-reply.png",
        &visitor_browser.client.screenshot().await.expect("png"),
    );

    // The agent ends the chat: the visitor is told and asked for a rating, and the
    // agent sees it come in.
    console
        .find("close-conversation")
        .await
        .click()
        .await
        .expect("close");
    console.find("closed-note").await;
    let widget = Widget::new(&visitor_browser);
    eventually("the visitor told of the end", || async {
        let status = widget.find("status").await.text().await.ok()?;
        status.contains("The chat has ended").then_some(())
    })
    .await;
    eventually("the rating dialog", || async {
        let shown: bool = visitor
            .execute(
                "return !document.querySelector('[data-testid=rate-dialog]').closest('[hidden]');",
                vec![],
            )
            .await
            .ok()?
            .as_bool()?;
        shown.then_some(())
    })
    .await;
    save_screenshot(
        "widget-chat-ended.png",
        &visitor_browser.client.screenshot().await.expect("png"),
    );
    widget.rate_good().await;
    eventually("the rating in the console", || async {
        let rating = console.find("rating").await;
        (rating.attr("data-rating").await.ok()?? == "like").then_some(())
    })
    .await;
    visitor_browser.close().await;
    agent_browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_all_at_once_mode_the_other_agents_offer_vanishes_when_one_takes_it() {
    let canal = Canal::start_with_agents(
        &[("ana@shop.example", "Ana"), ("ben@shop.example", "Ben")],
        "all",
    )
    .await;
    let host = HostPage::start(&canal).await;
    let ana_browser = Browser::start().await;
    let ben_browser = Browser::start().await;
    let ana = Console::sign_in(&ana_browser, &canal, "ana@shop.example").await;
    let ben = Console::sign_in(&ben_browser, &canal, "ben@shop.example").await;
    let visitor_browser = Browser::start().await;
    visitor_writes(&canal, &host, &visitor_browser, "Hello, anyone there?").await;

    // Both are offered it.
    ana.wait_item("inbox-offered").await;
    ben.wait_item("inbox-offered").await;
    save_screenshot(
        "console-offer.png",
        &ben_browser.client.screenshot().await.expect("png"),
    );
    ana.take_offer().await;
    eventually("Ben's offer to vanish", || async {
        ben.items("inbox-offered").await.is_empty().then_some(())
    })
    .await;
    assert!(ben.items("inbox-mine").await.is_empty());
    ana_browser.close().await;
    ben_browser.close().await;
    visitor_browser.close().await;
}

//! Typing indicators end to end: an agent typing in the console shows in the
//! visitor's chat, and the visitor typing shows in the console.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_side_sees_the_other_typing() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Do you deliver on Sundays?").await;

    // Ana takes the offer; the conversation opens with its reply box.
    console.take_offer().await;
    let reply = console.find("reply-input").await;

    // Ana types: the visitor's chat says so above the composer.
    reply.send_keys("Let me check").await.expect("type reply");
    let status = widget.find("status").await;
    eventually("the agent typing in the visitor's chat", || async {
        let text = status.text().await.ok()?;
        (text == "The agent is typing…").then_some(())
    })
    .await;
    save_screenshot(
        "widget-agent-typing.png",
        &visitor_browser.client.screenshot().await.expect("png"),
    );

    // The visitor types: the console says so in the conversation and its line.
    widget
        .find("composer-input")
        .await
        .send_keys("And on holidays")
        .await
        .expect("type");
    let shown = console.find("visitor-typing").await;
    eventually("the visitor typing in the console", || async {
        let text = shown.text().await.ok()?;
        (text == "The visitor is typing…").then_some(())
    })
    .await;
    assert!(console.text().await.contains("typing…"));
    save_screenshot(
        "console-visitor-typing.png",
        &agent_browser.client.screenshot().await.expect("png"),
    );

    // Ana sends: the visitor sees her message and no more typing.
    console
        .find("reply-send")
        .await
        .click()
        .await
        .expect("send reply");
    eventually("the reply without the indicator", || async {
        let text: String = visitor_browser
            .js("return document.body.innerText;")
            .await
            .as_str()?
            .to_owned();
        (text.contains("Let me check") && !text.contains("is typing")).then_some(())
    })
    .await;
    // Typing was never stored: the visitor's message and Ana's reply only.
    assert_eq!(canal.count("messages").await, 2);
    visitor_browser.close().await;
    agent_browser.close().await;
}

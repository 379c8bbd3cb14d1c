//! Private notes end to end: an agent writes a note beside a visitor's chat; it
//! shows in the console, marked private, and never in the visitor's widget, where
//! the agent's reply after it arrives as usual.
//!
//! Leaves a screenshot of the conversation with its note (`target/screenshots/
//! console-note.png`, copied into `docs/screenshots/` when it changes).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::key::Key;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_note_shows_to_the_agent_and_never_reaches_the_widget() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.start_chat("Hi, my order 1042 has not arrived").await;
    console.take_offer().await;

    console
        .find("note-mode")
        .await
        .click()
        .await
        .expect("note mode");
    let input = console.find("reply-input").await;
    input
        .send_keys("Order 1042 is stuck at customs: do not promise a date")
        .await
        .expect("type the note");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("add the note");
    let client = &browser.client;
    eventually("the note in the console", || async {
        let note = client.find(Locator::Css("[data-testid=note]")).await.ok()?;
        let text = note.text().await.ok()?;
        text.contains("stuck at customs").then_some(())
    })
    .await;
    save_screenshot(
        "console-note.png",
        &client.screenshot().await.expect("screenshot"),
    );

    console
        .find("note-mode")
        .await
        .click()
        .await
        .expect("reply mode");
    console
        .reply("Sorry for the wait! I am checking it now.")
        .await;
    visitor
        .wait_text("the reply at the visitor", "I am checking it now.")
        .await;
    let page = visitor.js("return document.body.innerText;").await;
    assert!(
        !page.as_str().unwrap_or_default().contains("customs"),
        "the note never reaches the widget: {page}"
    );
    assert_eq!(canal.count("notes").await, 1);
    visitor.close().await;
    browser.close().await;
}

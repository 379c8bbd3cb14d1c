//! Agent alerts end to end: while the agent looks elsewhere, a new offer raises a
//! desktop notification, and none while they look at the console; the tab's title
//! counts what waits until the agent turns the count off, a choice that outlives a
//! reload. Leaves a screenshot of the alerts menu (`target/screenshots/
//! console-alerts.png`, copied into `docs/screenshots/` when it changes).
//!
//! The desktop is the outside world here (headless Chromium has no notification
//! centre and no other window to look at): the test puts a recorder in place of
//! `window.Notification`, with permission granted, and says through
//! `document.hasFocus` whether the agent looks at the console.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use serde_json::{json, Value};

const RECORDER: &str = "window.__notes = []; window.__away = true;\
    document.hasFocus = () => !window.__away;\
    window.Notification = class {\
      constructor(title, options) { window.__notes.push({title, body: options.body, tag: options.tag}); }\
      static get permission() { return 'granted'; }\
      static requestPermission() { return Promise.resolve('granted'); }\
    };";

async fn title(browser: &Browser) -> String {
    browser.client.title().await.expect("title")
}

async fn title_is(browser: &Browser, want: &str) {
    eventually(&format!("the title {want:?}"), || async {
        (title(browser).await == want).then_some(())
    })
    .await;
}

/// Opens the alerts menu and checks that the choice `test_id` is `on`; returns
/// its checkbox.
async fn alert_choice(
    console: &Console<'_>,
    test_id: &str,
    on: bool,
) -> fantoccini::elements::Element {
    console
        .find("alerts-menu")
        .await
        .click()
        .await
        .expect("open the alerts menu");
    let choice = console.find(test_id).await;
    assert_eq!(
        choice.prop("checked").await.expect("checked").as_deref(),
        Some(if on { "true" } else { "false" }),
        "{test_id}"
    );
    choice
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_notifies_an_agent_looking_elsewhere_and_the_title_count_can_be_turned_off() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    browser.js(RECORDER).await;

    // Ana looks elsewhere: a visitor's chat is offered to her.
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.start_chat("Hello, is anyone there?").await;
    let notes = eventually("the notification", || async {
        let notes = browser.js("return window.__notes;").await;
        (notes.as_array().is_some_and(|n| !n.is_empty())).then_some(notes)
    })
    .await;
    assert_eq!(
        notes[0]["title"],
        json!("New conversation offered"),
        "{notes}"
    );
    assert_eq!(notes[0]["body"], json!("Demo Company"), "{notes}");
    assert!(notes[0]["tag"].as_str().is_some_and(|t| !t.is_empty()));
    title_is(&browser, "(1) Canal console").await;

    // Back at the console, a second offer shows in the title only.
    browser.js("window.__away = false;").await;
    let second = Browser::open(&host.url).await;
    Widget::new(&second).start_chat("A second question").await;
    title_is(&browser, "(2) Canal console").await;
    assert_eq!(browser.js("return window.__notes.length;").await, json!(1));
    second.close().await;

    // The count goes from the title, and stays gone after a reload.
    let count = alert_choice(&console, "alert-title", true).await;
    count.click().await.expect("turn the count off");
    title_is(&browser, "Canal console").await;
    let client = &browser.client;
    client.refresh().await.expect("reload");
    console.find("agent-name").await;
    title_is(&browser, "Canal console").await;
    alert_choice(&console, "alert-title", false).await;
    let sound = console.find("alert-sound").await;
    assert_eq!(
        sound.prop("checked").await.expect("checked").as_deref(),
        Some("true"),
        "the other choices stay on"
    );
    save_screenshot(
        "console-alerts.png",
        &client.screenshot().await.expect("screenshot"),
    );
    let stored: Value = browser
        .js("return window.localStorage.getItem('canal.console.alerts.1.title');")
        .await;
    assert_eq!(stored, json!("off"));
    visitor.close().await;
    browser.close().await;
}

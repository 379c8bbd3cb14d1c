//! A channel's automatic actions end to end: a conversation no agent answered in
//! time shows the unanswered mark in the console (and under its filter) until the
//! agent answers; then, the visitor silent after the answer, the conversation
//! closes on its own and the channel's closing message reaches the visitor's
//! widget. The minutes pass in the store (the timers' due times are moved into the
//! past), not on the clock. And an admin sets the actions in the console's channel
//! settings, a bad value refused with nothing changed.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::Locator;
use serde_json::{json, Value};

const BYE: &str = "We closed this chat as we heard nothing more. Write again any time.";

/// The pending timers fall due, as if their minutes had passed.
async fn time_passes(canal: &Canal) {
    sqlx::query("UPDATE timers SET due_at = '2000-01-01T00:00:00.000Z' WHERE fired_at IS NULL")
        .execute(&canal.db)
        .await
        .expect("due now");
}

/// Whether the element with this test id is shown (no `hidden` on it or a parent).
async fn shown(browser: &Browser, test_id: &str) -> bool {
    browser
        .js(&format!(
            "const e = document.querySelector('[data-testid={test_id}]');
             return !!e && !e.closest('[hidden]');"
        ))
        .await
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_mark_shows_in_the_console_and_auto_close_says_goodbye_in_the_widget() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    canal
        .admin_ok(
            "PUT",
            "/channels/demo/automation",
            &json!({"unanswered_after_minutes": 5, "auto_close_after_minutes": 30,
                    "auto_close_text": BYE}),
        )
        .await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Is the blue one in stock?").await;
    console.wait_item("inbox-offered").await;
    assert!(!shown(&agent_browser, "item-unanswered").await, "not yet");

    time_passes(&canal).await;
    eventually("the unanswered mark", || async {
        shown(&agent_browser, "item-unanswered").await.then_some(())
    })
    .await;
    let mark = console.find("item-unanswered").await;
    assert_eq!(mark.text().await.expect("text"), "Unanswered");
    // The filter keeps it (it is the one marked) and says how many are.
    console
        .find("filter-unanswered")
        .await
        .click()
        .await
        .expect("filter");
    assert_eq!(
        console
            .find("unanswered-count")
            .await
            .text()
            .await
            .expect("count"),
        "1"
    );
    assert_eq!(console.items("inbox-offered").await.len(), 1);
    save_screenshot(
        "automation-unanswered.png",
        &agent_browser.client.screenshot().await.expect("screenshot"),
    );
    console.take_offer().await;
    let answer = "Yes, we have three left.";
    console.reply(answer).await;
    visitor_browser
        .wait_text("the answer in the visitor's chat", answer)
        .await;
    eventually("the mark gone", || async {
        (!shown(&agent_browser, "item-unanswered").await).then_some(())
    })
    .await;
    // Answered, and under the filter: the list is empty now.
    eventually("the filtered list empty", || async {
        console.items("inbox-mine").await.is_empty().then_some(())
    })
    .await;

    // The visitor says nothing more: the conversation closes with the text.
    time_passes(&canal).await;
    visitor_browser
        .wait_text("the closing message in the widget", BYE)
        .await;
    let frame_text = widget
        .find_css(".cn-log")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(frame_text.contains(BYE), "{frame_text}");
    // The widget says the chat ended (not that the agent ended it: nobody did) and
    // asks for a rating; dismissed, the closing message is the last one shown.
    visitor_browser
        .wait_text(
            "the end notice",
            "The chat has ended. Write again any time.",
        )
        .await;
    widget
        .find("rate-cancel")
        .await
        .click()
        .await
        .expect("dismiss the rating");
    eventually("the console to show it closed", || async {
        agent_browser
            .client
            .find(Locator::Css("[data-testid=closed-note]"))
            .await
            .ok()
    })
    .await;
    save_screenshot(
        "automation-auto-close-widget.png",
        &visitor_browser
            .client
            .screenshot()
            .await
            .expect("screenshot"),
    );
}

/// The shown texts of the elements `css` selects.
async fn texts(browser: &Browser, css: &str) -> String {
    let found = browser
        .js(&format!(
            "return Array.from(document.querySelectorAll({css:?}))\
               .filter(e => !e.closest('[hidden]')).map(e => e.innerText).join('');"
        ))
        .await;
    found.as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_the_automatic_actions_in_the_channel_settings() {
    let canal = Canal::start_with_admin().await;
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console
        .find("settings-link")
        .await
        .click()
        .await
        .expect("open settings");
    let unanswered = console.find("automation-unanswered").await;
    let auto_close = console.find("automation-auto-close").await;
    let text = console.find("automation-text").await;
    let save = || async {
        console
            .find("automation-save")
            .await
            .click()
            .await
            .expect("save")
    };
    const ERROR: &str = "[data-testid=automation-settings] [data-testid=settings-error]";
    const STATUS: &str = "[data-testid=automation-settings] [data-testid=settings-status]";

    // Zero minutes: the form says what is wrong and nothing is sent.
    unanswered.send_keys("0").await.expect("type");
    save().await;
    eventually("the form's refusal", || async {
        let said = texts(&browser, ERROR).await;
        (said == "Mark unanswered after: a whole number of minutes from 1 to 1440, or empty.")
            .then_some(())
    })
    .await;
    let stored = canal
        .admin_ok("GET", "/channels/demo/automation", &Value::Null)
        .await;
    assert_eq!(stored, json!({}), "nothing changed");

    unanswered.clear().await.expect("clear");
    unanswered.send_keys("5").await.expect("type");
    auto_close.send_keys("30").await.expect("type");
    text.send_keys(BYE).await.expect("type");
    save().await;
    eventually("saved", || async {
        (texts(&browser, STATUS).await == "Saved").then_some(())
    })
    .await;
    let stored = canal
        .admin_ok("GET", "/channels/demo/automation", &Value::Null)
        .await;
    assert_eq!(
        stored,
        json!({"unanswered_after_minutes": 5, "auto_close_after_minutes": 30,
               "auto_close_text": BYE})
    );
    assert_eq!(texts(&browser, ERROR).await, "", "the error went");
    browser
        .js(
            "var form = document.querySelector('[data-testid=automation-settings]');\
             var view = document.querySelector('[data-testid=settings]');\
             view.scrollTop += form.getBoundingClientRect().top\
                 - view.getBoundingClientRect().top - 40;\
             return null;",
        )
        .await;
    save_screenshot(
        "console-automation.png",
        &browser.client.screenshot().await.expect("png"),
    );
    browser.close().await;
}

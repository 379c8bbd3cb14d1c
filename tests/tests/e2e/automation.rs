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
                    "auto_close_text": BYE, "rating": true}),
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
    console.click("settings-link", "open settings").await;
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

    // The closing message and the rating: the wait is refused past an hour, then
    // saved with the rest.
    console
        .find("automation-closing")
        .await
        .send_keys("Thanks, bye!")
        .await
        .expect("type");
    console
        .find("automation-rating")
        .await
        .click()
        .await
        .expect("rating on");
    let wait = console.find("automation-rating-wait").await;
    wait.send_keys("61").await.expect("type");
    save().await;
    eventually("the wait refused", || async {
        let said = texts(&browser, ERROR).await;
        (said == "Wait for the rating: a whole number of minutes from 0 to 60, or empty.")
            .then_some(())
    })
    .await;
    wait.clear().await.expect("clear");
    wait.send_keys("10").await.expect("type");
    console
        .find("automation-close-on-rating")
        .await
        .click()
        .await
        .expect("close on rating");
    save().await;
    eventually("saved with the rating", || async {
        let stored = canal
            .admin_ok("GET", "/channels/demo/automation", &Value::Null)
            .await;
        (stored
            == json!({"unanswered_after_minutes": 5, "auto_close_after_minutes": 30,
                      "auto_close_text": BYE, "closing_text": "Thanks, bye!", "rating": true,
                      "rating_wait_minutes": 10, "close_on_rating": true}))
        .then_some(())
    })
    .await;
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

/// Pending `rating_wait` timers of the store.
async fn rating_waits(canal: &Canal) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM timers WHERE kind = 'rating_wait' AND fired_at IS NULL",
    )
    .fetch_one(&canal.db)
    .await
    .expect("timers")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_s_close_says_thanks_asks_for_a_rating_and_the_rating_closes_it_fully() {
    const THANKS: &str = "Thank you for writing to us. Have a good day!";
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    canal
        .admin_ok(
            "PUT",
            "/channels/demo/automation",
            &json!({"closing_text": THANKS, "rating": true, "rating_wait_minutes": 10,
                    "close_on_rating": true}),
        )
        .await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Can I change my order?").await;
    console.wait_item("inbox-offered").await;
    console.take_offer().await;
    let answer = "Done, it is changed.";
    console.reply(answer).await;
    visitor_browser
        .wait_text("the answer in the visitor's chat", answer)
        .await;
    console
        .find("close-conversation")
        .await
        .click()
        .await
        .expect("close");
    // The visitor sees the closing message and the rating dialog; the
    // conversation waits for the rating.
    visitor_browser
        .wait_text("the closing message in the widget", THANKS)
        .await;
    eventually("the rating dialog", || async {
        let shown = visitor_browser
            .js(
                "var d = document.querySelector('[data-testid=rate-dialog]');\
                 return !!d && !d.closest('[hidden]');",
            )
            .await;
        (shown == true).then_some(())
    })
    .await;
    assert_eq!(rating_waits(&canal).await, 1, "awaiting the rating");
    save_screenshot(
        "widget-closing-rating.png",
        &visitor_browser
            .client
            .screenshot()
            .await
            .expect("screenshot"),
    );
    widget.rate_good().await;
    // The rating ends the wait: closed fully, rated, in the console.
    eventually("the wait over", || async {
        (rating_waits(&canal).await == 0).then_some(())
    })
    .await;
    eventually("the rating in the console", || async {
        let rating = console.find("rating").await;
        (rating.attr("data-rating").await.ok()?? == "like").then_some(())
    })
    .await;
    eventually("the console to show it closed", || async {
        agent_browser
            .client
            .find(Locator::Css("[data-testid=closed-note]"))
            .await
            .ok()
    })
    .await;
    let log = canal.admin_ok("GET", "/conversations", &Value::Null).await;
    let id = log["conversations"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let record = canal
        .admin_ok("GET", &format!("/conversations/{id}"), &Value::Null)
        .await;
    assert!(
        record
            .to_string()
            .contains("closed fully: the visitor rated it"),
        "{record}"
    );
    visitor_browser.close().await;
    agent_browser.close().await;
}

//! An admin's console end to end: the message log (every channel's conversations,
//! a deleted channel's too, filtered, and one opened with its messages, rating and
//! routing log) and a channel's managers, set in Settings and read back through
//! the admin API.
//!
//! Leaves screenshots of the log, an opened conversation and the managers editor
//! (`target/screenshots/console-log*.png`, `console-channel-managers.png`, copied
//! into `docs/screenshots/` when they change).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::{json, Value};

/// The log's rows, each as (channel key, conversation id).
pub(crate) async fn rows(browser: &Browser) -> Vec<(String, String)> {
    let listed = browser
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=log-row]'))\
               .filter(r => !r.closest('[hidden]'))\
               .map(r => [r.dataset.channelKey, r.dataset.conversationId]);",
        )
        .await;
    listed
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|row| {
            let text = |i: usize| row[i].as_str().unwrap_or_default().to_owned();
            (text(0), text(1))
        })
        .collect()
}

/// Waits until the log lists exactly these channels' conversations, in order.
pub(crate) async fn wait_rows(browser: &Browser, channels: &[&str]) -> Vec<(String, String)> {
    eventually(&format!("the log to list {channels:?}"), || async {
        let rows = rows(browser).await;
        let keys: Vec<&str> = rows.iter().map(|(key, _)| key.as_str()).collect();
        (keys == channels).then_some(rows)
    })
    .await
}

/// Picks `value` in the `<select>` with this test id.
async fn choose(console: &Console<'_>, test_id: &str, value: &str) {
    console
        .find(test_id)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("pick {value} in {test_id}: {e}"));
}

/// The texts of the visible elements `css` selects.
async fn texts(browser: &Browser, css: &str) -> Vec<String> {
    let found = browser
        .js(&format!(
            "return Array.from(document.querySelectorAll({css:?}))\
               .filter(e => !e.closest('[hidden]')).map(e => e.innerText);"
        ))
        .await;
    found
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect()
}

/// The managers' checkbox of agent `id` in the picked channel's page.
async fn manager_box(browser: &Browser, id: u64) -> Element {
    let css = format!("[data-testid=channel-manager][value='{id}']");
    eventually(&css, || async {
        browser.client.find(Locator::Css(&css)).await.ok()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_the_message_log_and_names_a_channels_managers() {
    // Ana (agent 1, in the demo channel's queue) runs the place; two supervisors.
    let canal = Canal::start_with_admin().await;
    let mut supervisors = Vec::new();
    for (email, name) in [
        ("sam@shop.example", "Sam Super"),
        ("sid@shop.example", "Sid Second"),
    ] {
        let (status, made) = canal
            .admin(
                "POST",
                "/agents",
                &json!({"email": email, "name": name, "password": "a long password",
                        "role": "supervisor"}),
            )
            .await;
        assert_eq!(status, 201, "{made}");
        supervisors.push(made["id"].as_u64().expect("agent id"));
    }
    let [sam, sid] = supervisors[..] else {
        panic!("two supervisors")
    };

    // A channel that had a conversation, then was deleted.
    let (status, made) = canal
        .admin(
            "POST",
            "/channels",
            &json!({"name": "Old shop", "key": "old-shop"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let (status, started) = canal
        .request(
            "POST",
            "/api/v1/channels/old-shop/conversations",
            &json!({"page_url": "https://old.example/"}),
            false,
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let (status, _) = canal
        .admin("DELETE", "/channels/old-shop", &Value::Null)
        .await;
    assert_eq!(status, 204);

    // On the demo channel a visitor asks, Ana answers and closes, the visitor rates.
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    // The channel asks for a rating once the chat is closed, and waits for it (a
    // rating after the full close would open the conversation again).
    canal
        .admin_ok(
            "PUT",
            "/channels/demo/automation",
            &json!({"rating": true, "rating_wait_minutes": 10}),
        )
        .await;
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    let question = "Is the blue one in stock?";
    widget.start_chat(question).await;
    console.take_offer().await;
    let answer = "Yes, three left.";
    console.reply(answer).await;
    visitor
        .wait_text("the answer in the visitor's chat", answer)
        .await;
    console
        .find("close-conversation")
        .await
        .click()
        .await
        .expect("close");
    eventually("the rating dialog", || async {
        let shown = visitor
            .js(
                "var d = document.querySelector('[data-testid=rate-dialog]');\
                 return !!d && !d.closest('[hidden]');",
            )
            .await;
        (shown == true).then_some(())
    })
    .await;
    widget.rate_good().await;
    eventually("the rating in the console", || async {
        let rating = console.find("rating").await;
        (rating.attr("data-rating").await.ok()?? == "like").then_some(())
    })
    .await;
    visitor.close().await;

    // The log: both conversations, newest first; the deleted channel is a filter.
    console.click("log-link", "open the log").await;
    let all = wait_rows(&browser, &["demo", "old-shop"]).await;
    let options = texts(&browser, "[data-testid=log-channel]")
        .await
        .join("\n");
    assert!(
        options.contains("Old shop (old-shop) (deleted)"),
        "{options}"
    );
    choose(&console, "log-channel", "old-shop").await;
    console
        .find("log-apply")
        .await
        .click()
        .await
        .expect("filter");
    let old = wait_rows(&browser, &["old-shop"]).await;
    assert_eq!(
        old[0].1, started["conversation_id"],
        "the deleted channel's"
    );

    choose(&console, "log-channel", "demo").await;
    console
        .find("log-apply")
        .await
        .click()
        .await
        .expect("filter");
    let demo = wait_rows(&browser, &["demo"]).await;
    assert_eq!(demo[0], all[0]);
    let status = texts(&browser, "[data-testid=log-row-status]").await;
    assert_eq!(status, ["Closed"]);
    save_screenshot(
        "console-log.png",
        &browser.client.screenshot().await.expect("png"),
    );

    // The conversation, read-only: its messages, rating and routing log.
    console
        .find("log-open")
        .await
        .click()
        .await
        .expect("open it");
    console.find("log-conversation").await;
    eventually("the conversation's messages", || async {
        let messages = texts(&browser, "[data-testid=message-text]").await;
        (messages == [question, answer]).then_some(())
    })
    .await;
    let rating = console.find("log-rating").await;
    assert_eq!(
        rating
            .attr("data-rating")
            .await
            .expect("attribute")
            .as_deref(),
        Some("like")
    );
    let lines = texts(&browser, "[data-testid=routing-log-line]").await;
    assert!(
        lines.iter().any(|line| line.contains("Ana Souza")),
        "the routing log names who got it: {lines:?}"
    );
    assert!(
        texts(&browser, "[data-testid=reply-input]")
            .await
            .is_empty(),
        "read-only: no reply box"
    );
    save_screenshot(
        "console-log-conversation.png",
        &browser.client.screenshot().await.expect("png"),
    );
    let focused = |test_id: &'static str| {
        let browser = &browser;
        async move {
            let script = format!(
                "return document.activeElement.getAttribute('data-testid') === '{test_id}';"
            );
            eventually(&format!("the focus on {test_id}"), || async {
                (browser.js(&script).await == true).then_some(())
            })
            .await;
        }
    };
    focused("log-back").await;
    console.find("log-back").await.click().await.expect("back");
    wait_rows(&browser, &["demo"]).await;
    focused("log-open").await;

    // Settings, the demo channel's page: its managers.
    console.click("settings-link", "open settings").await;
    let sid_box = manager_box(&browser, sid).await;
    // Sid stops being a supervisor behind this page's back: the server refuses him.
    canal
        .admin_ok(
            "PATCH",
            &format!("/agents/{sid}"),
            &json!({"role": "agent"}),
        )
        .await;
    sid_box.click().await.expect("tick Sid");
    console
        .find("channel-managers-save")
        .await
        .click()
        .await
        .expect("save");
    let refusal = eventually("the server's refusal", || async {
        let text = texts(
            &browser,
            "[data-testid=channel-managers] [data-testid=settings-error]",
        )
        .await
        .join("");
        (!text.is_empty()).then_some(text)
    })
    .await;
    assert!(refusal.contains("not a supervisor"), "{refusal}");
    let channel = canal.admin_ok("GET", "/channels/demo", &Value::Null).await;
    assert_eq!(channel["managers"], json!([]), "nothing changed");

    sid_box.click().await.expect("untick Sid");
    manager_box(&browser, sam)
        .await
        .click()
        .await
        .expect("tick Sam");
    console
        .find("channel-managers-save")
        .await
        .click()
        .await
        .expect("save");
    eventually("the managers saved", || async {
        let said = texts(
            &browser,
            "[data-testid=channel-managers] [data-testid=settings-status]",
        )
        .await
        .join("");
        (said == "Saved").then_some(())
    })
    .await;
    let channel = canal.admin_ok("GET", "/channels/demo", &Value::Null).await;
    assert_eq!(channel["managers"], json!([sam]));
    browser
        .js(
            "var form = document.querySelector('[data-testid=channel-managers]');\
             var view = document.querySelector('[data-testid=settings]');\
             view.scrollTop += form.getBoundingClientRect().top\
                 - view.getBoundingClientRect().top - 180;\
             return null;",
        )
        .await;
    save_screenshot(
        "console-channel-managers.png",
        &browser.client.screenshot().await.expect("png"),
    );
    browser.close().await;
}

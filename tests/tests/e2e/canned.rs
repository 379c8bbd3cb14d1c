//! Canned answers end to end: an admin adds one in the channel's settings, an agent
//! types `/` and its code in the reply box, picks it with the keyboard, and the
//! visitor gets it with the agent's name filled in.
//!
//! Leaves a screenshot of the reply box's list (`target/screenshots/
//! console-canned.png`, copied into `docs/screenshots/` when it changes).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::key::Key;

/// The reply box's current text.
async fn reply_text(browser: &Browser) -> String {
    browser
        .js("return document.querySelector('[data-testid=reply-input]').value;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The codes the reply box's list shows (none when it is closed).
async fn listed(browser: &Browser) -> Vec<String> {
    let codes = browser
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=canned-choice]'))\
               .map(c => c.dataset.code);",
        )
        .await;
    codes
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_answers_with_a_canned_answer_picked_by_its_code() {
    let canal = Canal::start_with_admin().await;
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;

    // Settings: two answers for the demo channel; a bad code is refused.
    console.click("settings-link", "open settings").await;
    let add = |code: &'static str, text: &'static str| {
        let console = &console;
        async move {
            console
                .find("canned-new-code")
                .await
                .send_keys(code)
                .await
                .expect("type the code");
            console
                .find("canned-new-text")
                .await
                .send_keys(text)
                .await
                .expect("type the text");
            console.find("canned-add").await.click().await.expect("add");
        }
    };
    add("Two Words", "Hello").await;
    eventually("the bad code to be refused", || async {
        let said = browser
            .js("return document.querySelector('[data-testid=canned-create]').innerText;")
            .await;
        said.as_str()
            .is_some_and(|s| s.contains("Give a code"))
            .then_some(())
    })
    .await;
    assert_eq!(canal.count("canned_answers").await, 0);
    for id in ["canned-new-code", "canned-new-text"] {
        console.find(id).await.clear().await.expect("clear");
    }
    add("thanks", "Thank you for waiting, {agent} here.").await;
    eventually("the first answer listed", || async {
        (browser
            .js("return document.querySelectorAll('[data-testid=canned-row]').length;")
            .await
            == 1)
            .then_some(())
    })
    .await;
    add("hours", "We answer from 9 to 5.").await;
    eventually("both answers stored", || async {
        (canal.count("canned_answers").await == 2).then_some(())
    })
    .await;

    // A visitor asks; Ana takes it and answers with `/th` and Enter.
    console
        .find("chat-link")
        .await
        .click()
        .await
        .expect("back to the chat");
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.start_chat("Hello? Anyone?").await;
    console.take_offer().await;
    let input = console.find("reply-input").await;
    input.send_keys("/").await.expect("type /");
    eventually("every answer listed", || async {
        (listed(&browser).await == ["hours", "thanks"]).then_some(())
    })
    .await;
    input.send_keys("th").await.expect("type th");
    eventually("the list narrowed to thanks", || async {
        (listed(&browser).await == ["thanks"]).then_some(())
    })
    .await;
    save_screenshot(
        "console-canned.png",
        &browser.client.screenshot().await.expect("screenshot"),
    );
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("pick");
    eventually("the answer in the reply box", || async {
        (reply_text(&browser).await == "Thank you for waiting, Ana Souza here.").then_some(())
    })
    .await;
    assert!(listed(&browser).await.is_empty(), "the list closed");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("send");
    visitor
        .wait_text(
            "the canned answer at the visitor",
            "Thank you for waiting, Ana Souza here.",
        )
        .await;

    // Escape closes the list and leaves what was typed.
    input.send_keys("/ho").await.expect("type /ho");
    eventually("hours listed", || async {
        (listed(&browser).await == ["hours"]).then_some(())
    })
    .await;
    input
        .send_keys(&Key::Escape.to_string())
        .await
        .expect("escape");
    eventually("the list closed", || async {
        listed(&browser).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(reply_text(&browser).await, "/ho");

    visitor.close().await;
    browser.close().await;
}

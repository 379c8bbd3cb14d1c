//! The live typing preview end to end: off by default (the widget says nothing of
//! it); an admin turns it on in the console's channel settings; the visitor's
//! widget then says, before they type, that the agent sees what they type (in
//! English, Spanish and Russian), and the agent who has the conversation open sees
//! the draft as it is typed, gone once the message is sent. Nothing of the draft
//! is stored.
//!
//! Leaves screenshots of both sides (`target/screenshots/widget-typing-preview.png`
//! and `console-typing-preview.png`, copied into `docs/screenshots/` when they
//! change).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use serde_json::{json, Value};

const NOTE: &str = "The agent sees what you type before you send it.";

/// The text of the console's draft line, or `None` when it is not shown.
async fn draft_shown(browser: &Browser) -> Option<String> {
    browser
        .js(
            "var d = document.querySelector('[data-testid=visitor-draft-text]');\
             return d ? d.innerText : null;",
        )
        .await
        .as_str()
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_visitor_is_told_and_the_agent_sees_the_draft_as_it_is_typed() {
    let canal = Canal::start_with_admin().await;
    let host = HostPage::start(&canal).await;

    // Off by default: the widget says nothing of it.
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.open().await;
    let notes = visitor
        .js("return document.querySelectorAll('[data-testid=preview-note]').length;")
        .await;
    assert_eq!(notes, json!(0), "no disclosure on a channel without it");
    let described = visitor
        .js(
            "return document.querySelector('[data-testid=composer-input]')\
               .getAttribute('aria-describedby');",
        )
        .await;
    assert_eq!(described, Value::Null);
    visitor.close().await;

    // Ana turns it on in the channel's settings.
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console.click("settings-link", "open settings").await;
    console
        .find("automation-typing-preview")
        .await
        .click()
        .await
        .expect("tick the preview");
    console
        .find("automation-save")
        .await
        .click()
        .await
        .expect("save");
    eventually("the setting stored", || async {
        let stored = canal
            .admin_ok("GET", "/channels/demo/automation", &Value::Null)
            .await;
        (stored == json!({"typing_preview": true})).then_some(())
    })
    .await;
    console
        .find("chat-link")
        .await
        .click()
        .await
        .expect("back to the chat");

    // In every language of the widget.
    for (lang, note) in [
        ("es", "El agente ve lo que escribes antes de que lo envíes."),
        ("ru", "Оператор видит, что вы печатаете, ещё до отправки."),
    ] {
        let visitor = Browser::start_in_language(lang).await;
        visitor.client.goto(&host.url).await.expect("open the page");
        let widget = Widget::new(&visitor);
        widget.open().await;
        let shown = widget.find("preview-note").await;
        assert_eq!(shown.text().await.expect("note text"), note, "{lang}");
        visitor.close().await;
    }

    // The visitor is told before typing, and the text box is described by it.
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.open().await;
    let note = widget.find("preview-note").await;
    assert_eq!(note.text().await.expect("note text"), NOTE);
    let described = visitor
        .js(
            "return document.querySelector('[data-testid=composer-input]')\
               .getAttribute('aria-describedby');",
        )
        .await;
    assert_eq!(described, json!("cn-preview"));
    widget.send("Hello, a question").await;
    widget.accept("Hello, a question").await;
    console.take_offer().await;

    // The visitor types: Ana sees the draft, as it grows.
    let input = widget.find("composer-input").await;
    input
        .send_keys("Do you have it in blue")
        .await
        .expect("type");
    eventually("the draft in the console", || async {
        (draft_shown(&browser).await.as_deref() == Some("Do you have it in blue")).then_some(())
    })
    .await;
    input.send_keys(" or green?").await.expect("type more");
    eventually("the longer draft in the console", || async {
        (draft_shown(&browser).await.as_deref() == Some("Do you have it in blue or green?"))
            .then_some(())
    })
    .await;
    save_screenshot(
        "console-typing-preview.png",
        &browser.client.screenshot().await.expect("png"),
    );
    save_screenshot(
        "widget-typing-preview.png",
        &visitor.client.screenshot().await.expect("png"),
    );

    // Sent: the message shows in the conversation and the draft line goes.
    widget.find("send").await.click().await.expect("send");
    eventually("the message in place of the draft", || async {
        let text = console.text().await;
        (text.contains("Do you have it in blue or green?") && draft_shown(&browser).await.is_none())
            .then_some(())
    })
    .await;
    // Only the two messages were stored.
    assert_eq!(canal.count("messages").await, 2);

    visitor.close().await;
    browser.close().await;
}

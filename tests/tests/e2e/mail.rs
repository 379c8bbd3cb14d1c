//! E-mail from the chat window end to end: on a server that sends mail to a real
//! SMTP receiver on loopback, a visitor asks for the conversation in the widget (a
//! refused address first), the agent closes it in the console, and the transcript
//! arrives; and the link such mails carry (the page with `#canal-chat`) opens the
//! chat when the page loads.

use canal_e2e::smtp::Receiver;
use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::Locator;

/// The text of the element with this test id in the current frame, once it has one
/// that `want` accepts.
async fn text_until(widget: &Widget<'_>, test_id: &str, want: impl Fn(&str) -> bool) -> String {
    let element = widget.find(test_id).await;
    eventually(
        &format!("the wanted text in [data-testid={test_id}]"),
        || async {
            let text = element.text().await.ok()?;
            want(&text).then_some(text)
        },
    )
    .await
}

/// Whether the element with this test id is hidden (by itself or a parent).
async fn hidden(browser: &Browser, test_id: &str) -> bool {
    browser
        .js(&format!(
            "return !!document.querySelector('[data-testid={test_id}]').closest('[hidden]');"
        ))
        .await
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_asks_for_the_transcript_in_the_widget_and_gets_it_when_the_agent_closes() {
    let receiver = Receiver::start();
    let canal =
        Canal::start_with_mail(&[("ana@shop.example", "Ana Souza")], receiver.options()).await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    let question = "Where is my order 1042?";
    widget.start_chat(question).await;
    console.take_offer().await;
    let answer = "It left the warehouse today.";
    console.reply(answer).await;
    visitor_browser
        .wait_text("the answer in the visitor's chat", answer)
        .await;

    // The ⋮ menu offers it; the panel asks for the address.
    widget
        .find("menu")
        .await
        .click()
        .await
        .expect("open the menu");
    widget
        .find("menu-mail")
        .await
        .click()
        .await
        .expect("choose e-mail");
    let input = widget.find("mail-input").await;
    eventually("the panel to show", || async {
        (!hidden(&visitor_browser, "mail-form").await).then_some(())
    })
    .await;

    // An address the browser takes but Canal does not (no dot in the domain): the
    // panel says so and nothing is kept.
    input.send_keys("eva@shop").await.expect("type");
    widget.find("mail-send").await.click().await.expect("send");
    text_until(&widget, "mail-error", |t| {
        t == "Please check the e-mail address."
    })
    .await;
    let kept: Option<String> = sqlx::query_scalar("SELECT transcript_email FROM conversations")
        .fetch_one(&canal.db)
        .await
        .expect("conversation");
    assert_eq!(kept, None, "a refused address is not kept");

    // Cancel, and the item again: the refusal is gone, the address typed stays.
    widget
        .find("mail-cancel")
        .await
        .click()
        .await
        .expect("cancel");
    eventually("the panel to close", || async {
        hidden(&visitor_browser, "mail-form").await.then_some(())
    })
    .await;
    widget
        .find("menu")
        .await
        .click()
        .await
        .expect("open the menu");
    widget
        .find("menu-mail")
        .await
        .click()
        .await
        .expect("choose e-mail");
    text_until(&widget, "mail-error", str::is_empty).await;
    input.clear().await.expect("clear");
    input.send_keys("Eva@Mail.Example").await.expect("type");
    save_screenshot(
        "widget-mail-transcript.png",
        &visitor_browser.client.screenshot().await.expect("png"),
    );
    widget.find("mail-send").await.click().await.expect("send");
    text_until(&widget, "status", |t| {
        t == "We will e-mail this conversation to eva@mail.example when it ends."
    })
    .await;
    assert!(
        hidden(&visitor_browser, "mail-form").await,
        "the panel closed"
    );
    save_screenshot(
        "widget-mail-requested.png",
        &visitor_browser.client.screenshot().await.expect("png"),
    );
    assert_eq!(receiver.count(), 0, "nothing goes before the end");

    // Ana ends the chat: the transcript goes, and the window says so.
    console
        .find("close-conversation")
        .await
        .click()
        .await
        .expect("close");
    console.find("closed-note").await;
    let mails = receiver.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.to, ["eva@mail.example".to_owned()]);
    assert_eq!(
        mail.subject, "Your conversation with Demo Company",
        "{mail:?}"
    );
    assert!(
        mail.body.contains(&format!("You\n  {question}")),
        "{}",
        mail.body
    );
    assert!(
        mail.body.contains(&format!("Ana Souza\n  {answer}")),
        "{}",
        mail.body
    );
    text_until(&widget, "status", |t| {
        t.ends_with(". This conversation is on its way to eva@mail.example.")
    })
    .await;
    visitor_browser.close().await;
    agent_browser.close().await;
}

/// The chat frame in the loader's shadow root and whether it shows, on the page the
/// browser is on (`None` before there is a frame).
async fn frame_shown(browser: &Browser) -> Option<bool> {
    browser
        .js(
            "var f = document.querySelector('#canal-root').shadowRoot.querySelector('iframe');
             return f ? !f.hidden : null;",
        )
        .await
        .as_bool()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_link_of_a_mail_opens_the_chat_when_the_page_loads() {
    let canal = Canal::start().await;
    let host = HostPage::start(&canal).await;

    // Another fragment opens nothing: the launcher is drawn, and no frame.
    let browser = Browser::open(&format!("{}#reviews", host.url)).await;
    let widget = Widget::new(&browser);
    widget.launcher().await;
    assert_eq!(frame_shown(&browser).await, None, "no frame without intent");

    // The link from a mail: the chat opens as Canal.open() would open it.
    let link = canal_core::mail::chat_link(&host.url).expect("an http(s) page");
    assert!(link.ends_with("#canal-chat"), "{link}");
    // As from a mail: a new load of the page (from the same page it would only
    // move to the fragment).
    browser.client.goto("about:blank").await.expect("leave");
    browser.client.goto(&link).await.expect("open the link");
    let launcher = widget.launcher().await;
    eventually("the chat to open", || async {
        frame_shown(&browser).await.filter(|shown| *shown)
    })
    .await;
    assert_eq!(
        launcher
            .attr("aria-expanded")
            .await
            .expect("aria-expanded")
            .as_deref(),
        Some("true")
    );
    let host_root = browser
        .client
        .find(Locator::Css("#canal-root"))
        .await
        .expect("the loader's root");
    let frame = host_root
        .shadow_root()
        .await
        .expect("shadow root")
        .find(Locator::Css("iframe"))
        .await
        .expect("the frame");
    frame.enter_frame().await.expect("enter the frame");
    widget.find("composer-input").await;
    widget.find("greeting").await;
    browser.close().await;
}

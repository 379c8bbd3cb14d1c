//! A customer's site with a strict Content-Security-Policy: no `unsafe-inline`, no
//! `unsafe-eval`, scripts and frames only from Canal's origin. The widget must work
//! there all the same: launcher, frame, consent and a delivered message.

use canal_e2e::{Browser, Canal, HostPage, Widget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_works_on_a_page_with_a_strict_csp() {
    let canal = Canal::start().await;
    let origin = canal.origin();
    let csp =
        format!("script-src {origin}; frame-src {origin}; object-src 'none'; base-uri 'none'");
    let host = HostPage::start_with_csp(&canal, Some(csp)).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&host.url)
        .await
        .expect("open host page");
    // The page really is strict: its own inline script is refused.
    let inline_ran = browser
        .js(
            "const s = document.createElement('script'); s.textContent = 'window.__inline = 1';\
             document.body.appendChild(s); return window.__inline === 1;",
        )
        .await;
    assert_eq!(inline_ran, false, "the CSP blocks inline scripts");

    let widget = Widget::new(&browser);
    let text = "Hello from a strict page";
    widget.start_chat(text).await;
    assert_eq!(canal.count("consents").await, 1);
    assert_eq!(canal.count("messages").await, 1);
    browser.close().await;
}

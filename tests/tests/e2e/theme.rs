//! A channel's theme end to end: the admin API sets it and hands out the snippet;
//! the loader styles the launcher from the snippet alone, even on a page whose CSP
//! refuses inline styles; the frame paints the channel's accent and forced mode.
//!
//! Leaves screenshots of a themed widget (`target/screenshots/widget-themed-*.png`,
//! copied into `docs/screenshots/` when they change).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, HostPage, Widget};
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use serde_json::{json, Value};

/// The channel's snippet from the admin API after setting its theme.
async fn themed_snippet(canal: &Canal, theme: Value) -> String {
    canal.admin_ok("PUT", "/channels/demo/theme", &theme).await;
    let snippet = canal
        .admin_ok("GET", "/channels/demo/snippet", &Value::Null)
        .await;
    snippet["html"].as_str().expect("snippet html").to_owned()
}

/// The launcher's computed look and place, on the host page.
async fn launcher_look(browser: &Browser) -> Value {
    browser
        .js(
            "const b = document.getElementById('canal-root').shadowRoot.querySelector('button');\
             const s = getComputedStyle(b), r = b.getBoundingClientRect();\
             return {background: s.backgroundColor, color: s.color, text: b.textContent,\
                     left: Math.round(r.left),\
                     right: Math.round(document.documentElement.clientWidth - r.right)};",
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_themed_launcher_is_styled_and_works_under_a_strict_style_csp() {
    let canal = Canal::start().await;
    let origin = canal.origin();
    let snippet = themed_snippet(
        &canal,
        json!({"color": "#0b7a3b", "position": "left", "launcher_text": "Questions? Ask us"}),
    )
    .await;
    assert!(
        snippet.contains("data-color=\"#0b7a3b\"") && snippet.contains("data-position=\"left\""),
        "{snippet}"
    );
    let csp =
        format!("default-src 'none'; script-src {origin}; frame-src {origin}; style-src 'self'");
    let host = HostPage::start_with_snippet(snippet, Some(csp)).await;
    let browser = Browser::open(&host.url).await;
    // The page really refuses inline styles.
    let inline_applied = browser
        .js("const s = document.createElement('style');\
             s.textContent = 'h1 { color: rgb(1, 2, 3) }'; document.head.appendChild(s);\
             return getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)';")
        .await;
    assert_eq!(inline_applied, false, "the CSP blocks inline <style>");

    let widget = Widget::new(&browser);
    widget.launcher().await;
    let look = eventually("the launcher to be styled", || async {
        let look = launcher_look(&browser).await;
        (look["background"] == "rgb(11, 122, 59)").then_some(look)
    })
    .await;
    assert_eq!(look["color"], "rgb(255, 255, 255)", "{look}");
    assert_eq!(look["text"], "Questions? Ask us");
    assert_eq!(look["left"], 20, "on the left: {look}");
    save_screenshot(
        "widget-themed-launcher-left.png",
        &browser.client.screenshot().await.expect("png"),
    );

    let text = "Hello from a themed, strict page";
    widget.start_chat(text).await;
    assert_eq!(canal.count("consents").await, 1);
    assert_eq!(canal.count("messages").await, 1);
    // The window opened on the launcher's side.
    widget.leave().await;
    let frame_left = browser
        .js(
            "return Math.round(document.getElementById('canal-root').shadowRoot\
             .querySelector('iframe').getBoundingClientRect().left);",
        )
        .await;
    assert_eq!(frame_left, 20);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dark_channel_paints_the_frame_dark_with_its_accent() {
    let canal = Canal::start().await;
    let snippet = themed_snippet(
        &canal,
        json!({"color": "#ffb300", "position": "left", "mode": "dark",
               "launcher_text": "Chat with Demo"}),
    )
    .await;
    let host = HostPage::start_with_snippet(snippet, None).await;
    let browser = Browser::open(&host.url).await;
    // The browser prefers light: dark comes from the channel alone.
    assert_eq!(
        browser
            .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
            .await,
        false
    );
    let widget = Widget::new(&browser);
    let look = eventually("the launcher to be styled", || async {
        let look = launcher_look(&browser).await;
        (look["background"] == "rgb(255, 179, 0)").then_some(look)
    })
    .await;
    assert_eq!(look["color"], "rgb(0, 0, 0)", "black on a light accent");

    let text = "Do you have it in amber?";
    widget.start_chat(text).await;
    let frame = browser
        .js(
            "const css = (q) => getComputedStyle(document.querySelector(q));\
             return {theme: document.documentElement.dataset.theme,\
                     body: css('body').backgroundColor, text: css('body').color,\
                     head: css('.cn-head').backgroundColor, on_head: css('.cn-head').color,\
                     send: css('[data-testid=send]').backgroundColor,\
                     send_text: css('[data-testid=send]').color};",
        )
        .await;
    assert_eq!(
        frame,
        json!({"theme": "dark", "body": "rgb(23, 25, 28)", "text": "rgb(236, 238, 241)",
               "head": "rgb(255, 179, 0)", "on_head": "rgb(0, 0, 0)",
               "send": "rgb(255, 179, 0)", "send_text": "rgb(0, 0, 0)"})
    );
    // For the picture: the pointer off the launcher, so it shows its own colour.
    widget.leave().await;
    let away = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: None,
        x: 900.0,
        y: 300.0,
    });
    browser
        .client
        .perform_actions(away)
        .await
        .expect("move the pointer away");
    eventually("the launcher to lose its hover shade", || async {
        let shade = browser
            .js(
                "return getComputedStyle(document.getElementById('canal-root').shadowRoot\
                 .querySelector('button')).backgroundImage;",
            )
            .await;
        (shade == "none").then_some(())
    })
    .await;
    save_screenshot(
        "widget-themed-dark-left.png",
        &browser.client.screenshot().await.expect("png"),
    );
    browser.close().await;
}

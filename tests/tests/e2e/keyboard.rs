//! The widget with the keyboard alone (open, write, send, accept, rate, close), and
//! on a phone-sized screen.
//!
//! Every key is pressed through WebDriver's input actions, so it goes wherever focus
//! really is, as a visitor's would: nothing is clicked and no element is focused by
//! script.

use canal_e2e::{visit, Browser, Canal, HostPage, Widget};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use serde_json::Value;

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const ESCAPE: char = '\u{E00C}';
const SHIFT: char = '\u{E008}';

/// Presses each key of `keys` (text or WebDriver key codes) in turn.
async fn press(browser: &Browser, keys: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    browser
        .client
        .perform_actions(actions)
        .await
        .expect("press keys");
}

/// Shift+Tab.
async fn press_back(browser: &Browser) {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: SHIFT })
        .then(KeyAction::Down { value: TAB })
        .then(KeyAction::Up { value: TAB })
        .then(KeyAction::Up { value: SHIFT });
    browser
        .client
        .perform_actions(actions)
        .await
        .expect("press shift+tab");
}

/// The focused element in the current document, described as `testid` (or tag).
async fn focused(browser: &Browser) -> String {
    browser
        .js("var e = document.activeElement; \
             return e ? (e.getAttribute('data-testid') || e.id || e.tagName.toLowerCase()) : '';")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until the focused element in the current document is `what`.
async fn until_focused(browser: &Browser, what: &str) {
    canal_e2e::eventually(&format!("focus on {what}"), || async {
        (focused(browser).await == what).then_some(())
    })
    .await;
}

/// Enters the chat frame (a context switch of the test, not a visitor's action).
async fn enter_frame(browser: &Browser) {
    let host = browser
        .client
        .find(fantoccini::Locator::Css("#canal-root"))
        .await
        .expect("loader root");
    let root = host.shadow_root().await.expect("shadow root");
    root.find(fantoccini::Locator::Css("iframe"))
        .await
        .expect("frame")
        .enter_frame()
        .await
        .expect("enter frame");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_opens_chats_accepts_rates_and_closes_with_the_keyboard_alone() {
    // The channel asks for ratings (the widget offers one only then).
    let canal = Canal::start().await;
    canal
        .admin_ok(
            "PUT",
            "/channels/demo/automation",
            &serde_json::json!({"rating": true}),
        )
        .await;
    let _host = HostPage::start(&canal).await;
    let browser = Browser::open(&_host.url).await;
    let widget = Widget::new(&browser);
    widget.launcher().await;

    // Tab reaches the launcher (the page has nothing else to focus); Enter opens.
    press(&browser, &TAB.to_string()).await;
    let on_launcher = browser
        .js("var r = document.getElementById('canal-root'); \
             return document.activeElement === r && r.shadowRoot.activeElement \
               && r.shadowRoot.activeElement.getAttribute('data-testid');")
        .await;
    assert_eq!(on_launcher, Value::from("canal-launcher"));
    press(&browser, &ENTER.to_string()).await;

    // The composer has the focus once the chat is drawn: type and send with Enter.
    enter_frame(&browser).await;
    until_focused(&browser, "composer-input").await;
    press(&browser, &format!("Do you ship to Porto?{ENTER}")).await;

    // The agreement takes the focus; Tab leads to Accept; Enter accepts.
    widget.find("consent-accept").await;
    let mut steps = 0;
    while focused(&browser).await != "consent-accept" {
        steps += 1;
        assert!(steps <= 6, "Accept is reached with Tab from the agreement");
        press(&browser, &TAB.to_string()).await;
    }
    press(&browser, &ENTER.to_string()).await;
    widget.wait_sent("Do you ship to Porto?").await;
    assert_eq!(canal.count("consents").await, 1);
    until_focused(&browser, "composer-input").await;

    // Focus stays in the window while it is open, forwards and backwards.
    for _ in 0..12 {
        press(&browser, &TAB.to_string()).await;
        let inside = browser
            .js("return document.hasFocus() && !!document.activeElement.closest('.cn-window');")
            .await;
        assert_eq!(
            inside,
            Value::Bool(true),
            "Tab left the window at {}",
            focused(&browser).await
        );
    }
    for _ in 0..12 {
        press_back(&browser).await;
        let inside = browser
            .js("return document.hasFocus() && !!document.activeElement.closest('.cn-window');")
            .await;
        assert_eq!(
            inside,
            Value::Bool(true),
            "Shift+Tab left the window at {}",
            focused(&browser).await
        );
    }

    // Rate the chat from the menu: Tab to it, Enter, Enter on "Rate this chat".
    let mut steps = 0;
    while focused(&browser).await != "menu" {
        steps += 1;
        assert!(steps <= 12, "the menu is reached with Tab");
        press(&browser, &TAB.to_string()).await;
    }
    press(&browser, &ENTER.to_string()).await;
    until_focused(&browser, "menu-rate").await;
    press(&browser, &ENTER.to_string()).await;
    // "Good" has the focus: choose it, Tab past "Poor" to the comment, then to Send.
    until_focused(&browser, "cn-rate-good").await;
    press(
        &browser,
        &format!("{ENTER}{TAB}{TAB}Quick answer, thanks{TAB}{TAB}"),
    )
    .await;
    until_focused(&browser, "rate-send").await;
    press(&browser, &ENTER.to_string()).await;
    canal_e2e::eventually("the rating to be stored", || async {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT rating, comment FROM conversation_ratings")
                .fetch_optional(&canal.db)
                .await
                .ok()?;
        (row == Some(("like".into(), Some("Quick answer, thanks".into())))).then_some(())
    })
    .await;
    let status = widget.find("status").await;
    canal_e2e::eventually("the thank-you", || async {
        status
            .text()
            .await
            .ok()?
            .contains("Thank you for your rating")
            .then_some(())
    })
    .await;

    // The focus goes back to the composer (it moves there after the thank-you is
    // shown); then Escape closes, and the focus is back on the launcher.
    until_focused(&browser, "composer-input").await;
    press(&browser, &ESCAPE.to_string()).await;
    widget.leave().await;
    canal_e2e::eventually("the focus back on the launcher", || async {
        let back = browser
            .js("var r = document.getElementById('canal-root'); \
                 var f = r.shadowRoot.querySelector('iframe'); \
                 return f.hidden && document.activeElement === r && \
                   r.shadowRoot.activeElement.getAttribute('data-testid') === 'canal-launcher';")
            .await;
        (back == Value::Bool(true)).then_some(())
    })
    .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_input_does_not_zoom_and_a_shorter_screen_keeps_the_composer_visible() {
    let (_canal, _host, browser) = visit().await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    let widget = Widget::new(&browser);
    widget.open().await;
    // Phones zoom into inputs whose text is under 16 px.
    let sizes = browser
        .js(
            "return Array.from(document.querySelectorAll('textarea, input')).map(function (e) { \
               return parseFloat(getComputedStyle(e).fontSize); });",
        )
        .await;
    let sizes: Vec<f64> = sizes
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    assert!(!sizes.is_empty());
    assert!(
        sizes.iter().all(|s| *s >= 16.0),
        "input font sizes {sizes:?}"
    );

    // The on-screen keyboard takes the lower part of the screen: the page gets
    // shorter, and the composer must still be in view.
    for height in [844, 560, 420] {
        browser
            .client
            .set_window_size(390, height)
            .await
            .expect("shorter screen");
        canal_e2e::eventually(&format!("the composer in view at 390x{height}"), || async {
            let visible = browser
                .js("var r = document.querySelector('[data-testid=composer-input]').getBoundingClientRect(); \
                     var s = document.querySelector('[data-testid=send]').getBoundingClientRect(); \
                     return r.top >= 0 && r.bottom <= innerHeight && s.bottom <= innerHeight && r.height > 0;")
                .await;
            (visible == Value::Bool(true)).then_some(())
        })
        .await;
        widget.leave().await;
        let frame_fits = browser
            .js("var f = document.getElementById('canal-root').shadowRoot.querySelector('iframe') \
                   .getBoundingClientRect(); \
                 return f.top >= 0 && Math.round(f.bottom) <= innerHeight && f.width >= innerWidth;")
            .await;
        assert_eq!(
            frame_fits,
            Value::Bool(true),
            "the frame fills the screen at 390x{height}"
        );
        enter_frame(&browser).await;
    }
    browser.close().await;
}

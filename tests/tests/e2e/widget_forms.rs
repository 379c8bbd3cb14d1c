//! The widget after the chat has started, end to end against the real server: the
//! contact form with its agreements, withdrawing consent from the window's menu,
//! and the host page's `Canal.setUser` identity.

use std::time::{SystemTime, UNIX_EPOCH};

use canal_e2e::{eventually, save_screenshot, visit, Browser, Canal, Widget};
use fantoccini::Locator;
use serde_json::{json, Value};

/// Creates an agreement; returns its id and current version id.
async fn agreement(canal: &Canal, kind: &str, behaviour: &str, label: &str) -> (String, String) {
    let (status, body) = canal
        .admin(
            "POST",
            "/agreements",
            &json!({"name": label, "kind": kind, "behaviour": behaviour,
                "text": format!("{label}: the full text."), "label": label}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let (_, detail) = canal
        .admin("GET", &format!("/agreements/{id}"), &Value::Null)
        .await;
    let version = detail["current_version"]["id"]
        .as_str()
        .or_else(|| detail["versions"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("a version id in {detail}"))
        .to_owned();
    (id, version)
}

/// Whether the element with this CSS selector has the `disabled` attribute.
async fn disabled(widget: &Widget<'_>, css: &str) -> bool {
    widget
        .find_css(css)
        .await
        .attr("disabled")
        .await
        .expect("attr")
        .is_some()
}

/// Waits until the element's `disabled` attribute is `want`.
async fn until_disabled(widget: &Widget<'_>, css: &str, want: bool) {
    let client = &widget.browser.client;
    eventually(&format!("{css} disabled = {want}"), || async {
        let element = client.find(Locator::Css(css)).await.ok()?;
        let is = element.attr("disabled").await.ok()?.is_some();
        (is == want).then_some(())
    })
    .await;
}

/// Waits until the status line contains `text`.
async fn until_status(widget: &Widget<'_>, text: &str) {
    let client = &widget.browser.client;
    eventually(&format!("the status {text:?}"), || async {
        let status = client
            .find(Locator::Css("[data-testid=status]"))
            .await
            .ok()?;
        status.text().await.ok()?.contains(text).then_some(())
    })
    .await;
}

/// Notes each `fetch` of the current document in `window.__requests` as
/// "METHOD URL" (the frame calls `window.fetch` with a URL or a `Request`).
const RECORD_REQUESTS: &str = "window.__requests = []; var real = window.fetch; \
    window.fetch = function (input, init) { \
      var method = (init && init.method) || (input && input.method) || 'GET'; \
      var url = (input && input.url) || String(input); \
      window.__requests.push(method.toUpperCase() + ' ' + url); \
      return real.apply(this, arguments); }; return true;";

async fn form_records(canal: &Canal) -> Vec<(String, String)> {
    sqlx::query_as("SELECT agreement_version_id, action FROM consents WHERE source = 'form'")
        .fetch_all(&canal.db)
        .await
        .expect("read consents")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_waits_for_the_full_text_and_records_one_form_consent() {
    let (canal, _host, browser) = visit().await;
    let (pd, pd_version) = agreement(
        &canal,
        "personal_data",
        "required_read_full_text",
        "I agree to the processing of my personal data",
    )
    .await;
    let (mk, _) = agreement(&canal, "marketing", "optional_unchecked", "Send me news").await;
    let (status, body) = canal
        .admin(
            "PUT",
            "/channels/demo/form",
            &json!({"fields": [{"name": "name", "required": true}, {"name": "email"}],
                "agreements": [pd, mk]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let widget = Widget::new(&browser);
    widget.start_chat("Hello, I would like a call back").await;

    // The form opens by itself after the first message.
    widget.find("contact-form").await;
    let boxes = "[data-testid=form-agreement-box]";
    assert!(disabled(&widget, "[data-testid=form-submit]").await);
    let all_boxes = browser
        .client
        .find_all(Locator::Css(boxes))
        .await
        .expect("boxes");
    assert_eq!(all_boxes.len(), 2);
    assert!(all_boxes[0].attr("disabled").await.expect("attr").is_some());
    assert!(all_boxes[1].attr("disabled").await.expect("attr").is_none());
    assert_eq!(
        all_boxes[1].prop("checked").await.expect("prop").as_deref(),
        Some("false"),
        "optional_unchecked starts unticked"
    );

    browser
        .client
        .find(Locator::Css("#cn-f-name"))
        .await
        .expect("name field")
        .send_keys("Marta")
        .await
        .expect("type name");
    // A disabled box cannot be ticked, and a disabled Send sends nothing: every
    // request the frame makes from now on is noted, and checked after the real
    // submission below (a later event than any request this click could start).
    browser.js(RECORD_REQUESTS).await;
    all_boxes[0].click().await.ok();
    browser
        .js("document.querySelector('[data-testid=form-submit]').click();")
        .await;
    assert!(disabled(&widget, "[data-testid=form-submit]").await);

    // Open the full text (a new tab on the Canal origin), then tick.
    let main = browser.client.window().await.expect("window");
    let links = browser
        .client
        .find_all(Locator::Css("[data-testid=form-full-text]"))
        .await
        .expect("links");
    links[0].click().await.expect("open the full text");
    eventually("the box to be enabled", || async {
        let first = browser.client.find_all(Locator::Css(boxes)).await.ok()?;
        first
            .first()?
            .attr("disabled")
            .await
            .ok()?
            .is_none()
            .then_some(())
    })
    .await;
    let tabs = browser.client.windows().await.expect("windows");
    assert_eq!(tabs.len(), 2, "the full text opened in a new tab");
    browser
        .client
        .switch_to_window(main.clone())
        .await
        .expect("back to the page");
    enter_chat_frame(&browser).await;
    let all_boxes = browser
        .client
        .find_all(Locator::Css(boxes))
        .await
        .expect("boxes");
    all_boxes[0].click().await.expect("tick");
    until_disabled(&widget, "[data-testid=form-submit]", false).await;
    save_screenshot(
        "widget-contact-form.png",
        &browser.client.screenshot().await.expect("png"),
    );
    widget
        .find("form-submit")
        .await
        .click()
        .await
        .expect("send the form");
    until_status(&widget, "contact details have been sent").await;
    assert!(
        browser
            .client
            .find(Locator::Css("[data-testid=contact-form]"))
            .await
            .is_err(),
        "the form closed"
    );

    // Exactly one form consent: the personal-data one (marketing was not ticked).
    let records = eventually("the form consent", || async {
        let rows = form_records(&canal).await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(records, [(pd_version, "grant".to_owned())]);
    let (name,): (Option<String>,) = sqlx::query_as("SELECT name FROM contact_submissions")
        .fetch_one(&canal.db)
        .await
        .unwrap_or((None,));
    assert_eq!(name.as_deref(), Some("Marta"));
    // The form went out once: the disabled Send sent nothing before it.
    let posts = browser
        .js("return window.__requests.filter(function (r) { \
               return r.indexOf('POST ') === 0 && /\\/form$/.test(r); });")
        .await;
    assert_eq!(posts.as_array().map(Vec::len), Some(1), "{posts}");
    assert_eq!(canal.count("contact_submissions").await, 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_the_channel_does_not_ask_for_in_the_chat_waits_behind_its_link() {
    let (canal, _host, browser) = visit().await;
    let (status, body) = canal
        .admin(
            "PUT",
            "/channels/demo/form",
            &json!({"fields": [{"name": "email", "required": true}], "agreements": [],
                "ask_in_chat": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let widget = Widget::new(&browser);
    widget.start_chat("Hello, just a question").await;
    widget.wait_sent("Hello, just a question").await;
    // The link shows once the form is in; the form itself did not open.
    let client = &browser.client;
    let link = eventually("the form's link", || async {
        let link = client
            .find(Locator::Css("[data-testid=form-open]"))
            .await
            .ok()?;
        link.is_displayed().await.ok()?.then_some(link)
    })
    .await;
    assert!(
        client
            .find(Locator::Css("[data-testid=contact-form]"))
            .await
            .is_err(),
        "not asked for in the chat"
    );
    link.click().await.expect("open the form");
    widget.find("contact-form").await;
    assert_eq!(canal.count("contact_submissions").await, 0);
    browser.close().await;
}

/// Switches into the chat frame of the host page (after a window switch).
async fn enter_chat_frame(browser: &Browser) {
    let client = &browser.client;
    let frame = eventually("the chat frame", || async {
        let host = client.find(Locator::Css("#canal-root")).await.ok()?;
        let root = host.shadow_root().await.ok()?;
        root.find(Locator::Css("iframe")).await.ok()
    })
    .await;
    frame.enter_frame().await.expect("enter frame");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_appends_a_record_and_the_frame_forgets_the_visitor() {
    let (canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.start_chat("Hello").await;
    assert_eq!(widget.storage().await["local"], 1);

    let menu = widget.find("menu").await;
    assert_eq!(
        menu.attr("aria-haspopup").await.expect("attr").as_deref(),
        Some("menu")
    );
    menu.click().await.expect("open the menu");
    widget
        .find("menu-withdraw")
        .await
        .click()
        .await
        .expect("withdraw");
    widget
        .find("withdraw-yes")
        .await
        .click()
        .await
        .expect("confirm");
    until_status(&widget, "withdrew").await;

    let actions: Vec<(String, String)> =
        sqlx::query_as("SELECT action, source FROM consents ORDER BY seq")
            .fetch_all(&canal.db)
            .await
            .expect("read consents");
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0].0, "grant");
    assert_eq!(actions[1].0, "withdraw");
    let storage = widget.storage().await;
    assert_eq!(storage["local"], 0, "the frame's storage is cleared");
    assert_eq!(storage["session"], 0);
    assert_eq!(
        browser
            .client
            .find_all(Locator::Css("[data-testid=message]"))
            .await
            .expect("messages")
            .len(),
        0
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_user_with_a_valid_hash_stores_a_verified_identity() {
    let (canal, _host, browser) = visit().await;
    let (status, body) = canal
        .admin("POST", "/channels/demo/identity/secret", &json!({}))
        .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().expect("secret").to_owned();
    let time = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let hash = canal_server::identity::sign(&secret, "u-42", time);
    // The site's own script, before the chat is opened.
    browser
        .client
        .execute(
            "Canal.setUser({id: 'u-42', name: 'Marta', hash: arguments[0], time: arguments[1]});",
            vec![json!(hash), json!(time)],
        )
        .await
        .expect("setUser");

    let widget = Widget::new(&browser);
    widget.open().await;
    assert_eq!(
        canal.count("visitors").await,
        0,
        "nothing is sent before consent"
    );
    widget.send("Hi, it's me").await;
    widget
        .find("consent-accept")
        .await
        .click()
        .await
        .expect("accept");
    let row = eventually("the verified identity", || async {
        let row: Option<(Option<String>, bool)> =
            sqlx::query_as("SELECT user_id, user_verified FROM visitors")
                .fetch_optional(&canal.db)
                .await
                .ok()
                .flatten();
        row.filter(|(id, _)| id.is_some())
    })
    .await;
    assert_eq!(row, (Some("u-42".to_owned()), true));
    browser.close().await;
}

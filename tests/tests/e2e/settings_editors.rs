//! A channel's look and contact form set up in the console, end to end: an admin
//! signs in, sets the theme's mode and accent and the contact form's fields on the
//! channel's page in Settings (and makes an identity secret and enforces it),
//! copies the snippet it now shows into a host page, and a visitor there sees the
//! launcher and the window in that accent and gets the form with those fields;
//! then the admin takes the chat's agreement off.
//!
//! Leaves a screenshot of the channel page's new sections
//! (`target/screenshots/console-channel-look-and-form.png`, copied into
//! `docs/screenshots/` when it changes).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::elements::Element;
use fantoccini::Locator;

/// The WebDriver key code of Backspace.
const BACKSPACE: char = '\u{e003}';

/// A property of the element with this test id, read by script (`value`,
/// `textContent`, ...); empty when there is none yet.
async fn prop(browser: &Browser, test_id: &str, name: &str) -> String {
    browser
        .js(&format!(
            "var e = document.querySelector('[data-testid={test_id}]'); \
             return e ? String(e.{name}) : '';"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The status line of the settings form with this test id.
async fn form_status(browser: &Browser, form: &str) -> String {
    browser
        .js(&format!(
            "var e = document.querySelector('[data-testid={form}] [data-testid=settings-status]'); \
             return e ? e.textContent : '';"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Clicks the form's save button and waits until its status says it saved.
async fn save(console: &Console<'_>, form: &str, said: &str) {
    console
        .find(&format!("{form}-save"))
        .await
        .click()
        .await
        .expect("save");
    eventually(&format!("{form} to say {said:?}"), || async {
        form_status(console.browser, &format!("{form}-form"))
            .await
            .contains(said)
            .then_some(())
    })
    .await;
}

/// Picks the option `value` of the select with this test id.
async fn pick(console: &Console<'_>, test_id: &str, value: &str) {
    let select: Element = console.find(test_id).await;
    select.select_by_value(value).await.expect("pick an option");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_a_channels_look_and_form_in_the_console_and_a_visitor_sees_them() {
    let canal = Canal::start().await;
    let password =
        canal_server::agents::create_admin(&canal.store, "owner@shop.example", "Olga Owner")
            .await
            .expect("an admin");
    let owner = Browser::start().await;
    let console = Console::sign_in_with(&owner, &canal, "owner@shop.example", &password).await;
    console.click("settings-link", "open settings").await;

    // The look: dark, a green accent typed as its code, the launcher on the left.
    console.find("theme-form").await;
    assert_eq!(
        prop(&owner, "theme-color", "value").await,
        "",
        "no accent yet"
    );
    pick(&console, "theme-mode", "dark").await;
    pick(&console, "theme-position", "left").await;
    console
        .find("theme-color")
        .await
        .send_keys("#0B7A3B")
        .await
        .expect("type the accent");
    eventually("the colour picker to follow the code", || async {
        (prop(&owner, "theme-picker", "value").await == "#0b7a3b").then_some(())
    })
    .await;
    save(&console, "theme", "Saved").await;
    let snippet = eventually("the snippet to carry the new look", || async {
        let snippet = prop(&owner, "channel-snippet", "value").await;
        (snippet.contains(r##"data-color="#0b7a3b""##) && snippet.contains(r#"data-theme="dark""#))
            .then_some(snippet)
    })
    .await;
    assert!(snippet.contains(r#"data-position="left""#), "{snippet}");

    // A bad accent is refused next to its field, and nothing is sent.
    let color = console.find("theme-color").await;
    color
        .send_keys(&format!("{BACKSPACE}g"))
        .await
        .expect("type a bad accent");
    console
        .find("theme-save")
        .await
        .click()
        .await
        .expect("save");
    let error = eventually("the accent's error", || async {
        let text = owner
            .js("return document.getElementById('cc-theme-color-error').textContent;")
            .await;
        let text = text.as_str()?.to_owned();
        (!text.is_empty()).then_some(text)
    })
    .await;
    assert!(error.contains("#rrggbb"), "{error}");
    let stored = canal
        .admin_ok("GET", "/channels/demo/theme", &serde_json::Value::Null)
        .await;
    assert_eq!(stored["color"], "#0b7a3b", "{stored}");
    color
        .send_keys(&format!("{BACKSPACE}b"))
        .await
        .expect("put the accent back");
    save(&console, "theme", "Saved").await;

    // The contact form: the name required, the e-mail optional, no phone.
    console.find("contact-form-edit").await;
    pick(&console, "form-name", "required").await;
    pick(&console, "form-email", "optional").await;
    pick(&console, "form-phone", "no").await;
    console
        .find("form-save")
        .await
        .click()
        .await
        .expect("save the form");
    eventually("the contact form to be saved", || async {
        form_status(&owner, "contact-form-edit")
            .await
            .contains("Saved")
            .then_some(())
    })
    .await;
    let form = canal
        .admin_ok("GET", "/channels/demo/form", &serde_json::Value::Null)
        .await;
    assert_eq!(
        form["fields"],
        serde_json::json!([{"name": "name", "required": true},
                           {"name": "email", "required": false}]),
        "{form}"
    );

    // Identity verification: a new secret, shown once with its warning; then
    // enforced, which the server accepts now that there is a secret.
    console
        .find("identity-new-secret")
        .await
        .click()
        .await
        .expect("make a secret");
    let secret = eventually("the new secret", || async {
        let secret = prop(&owner, "identity-secret", "value").await;
        secret.starts_with("canal_id_").then_some(secret)
    })
    .await;
    let warning = owner
        .js("return document.getElementById('cc-identity-secret-warning').textContent;")
        .await;
    assert!(
        warning
            .as_str()
            .unwrap_or_default()
            .contains("shown only this once"),
        "{warning}"
    );
    console
        .find("identity-enforced")
        .await
        .click()
        .await
        .expect("enforce");
    save(&console, "identity", "Saved").await;
    let identity = canal
        .admin_ok("GET", "/channels/demo/identity", &serde_json::Value::Null)
        .await;
    assert_eq!(identity["enforced"], true, "{identity}");
    assert_eq!(identity["has_secret"], true, "{identity}");
    assert!(!secret.is_empty());

    // The new sections, for the README: all four in one picture.
    owner
        .client
        .set_window_size(1280, 1500)
        .await
        .expect("a taller window");
    owner
        .js(
            "var e = document.querySelector('[data-testid=agreement-settings]');\
             e.style.scrollMarginTop = '56px'; e.scrollIntoView(); return true;",
        )
        .await;
    save_screenshot(
        "console-channel-look-and-form.png",
        &owner.client.screenshot().await.expect("png"),
    );

    // A visitor on a page with the snippet the console showed.
    let host = HostPage::start_with_snippet(snippet, None).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.launcher().await;
    let launcher = eventually("the launcher in the accent", || async {
        let look = visitor
            .js("const b = document.getElementById('canal-root').shadowRoot.querySelector('button');\
                 return getComputedStyle(b).backgroundColor;")
            .await;
        (look == "rgb(11, 122, 59)").then_some(look)
    })
    .await;
    assert_eq!(launcher, "rgb(11, 122, 59)");
    widget.start_chat("Do you deliver on Sundays?").await;
    let frame = visitor
        .js("return {theme: document.documentElement.dataset.theme,\
                     send: getComputedStyle(document.querySelector('[data-testid=send]')).backgroundColor};")
        .await;
    assert_eq!(frame["theme"], "dark", "{frame}");
    assert_eq!(frame["send"], "rgb(11, 122, 59)", "{frame}");

    // The form opens after the first message, with exactly those fields.
    widget.find("contact-form").await;
    let name = widget.find_css("#cn-f-name").await;
    assert!(
        name.attr("required").await.expect("attr").is_some(),
        "the name is required"
    );
    let email = widget.find_css("#cn-f-email").await;
    assert!(
        email.attr("required").await.expect("attr").is_none(),
        "the e-mail is optional"
    );
    assert!(
        visitor
            .client
            .find(Locator::Css("#cn-f-phone"))
            .await
            .is_err(),
        "no phone field"
    );
    visitor.close().await;

    // Back in the console: the chat asks no agreement any more.
    pick(&console, "agreement-id", "").await;
    save(&console, "agreement", "Saved").await;
    let channel = canal
        .admin_ok("GET", "/channels/demo", &serde_json::Value::Null)
        .await;
    assert_eq!(
        channel["agreement_id"],
        serde_json::Value::Null,
        "{channel}"
    );
    owner.close().await;
}

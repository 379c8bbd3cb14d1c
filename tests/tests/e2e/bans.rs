//! Bans in Chromium: a banned address's widget says politely that the chat is not
//! available, and nothing of the visitor is stored; an admin bans a visitor from the
//! message log and an address block in the console's settings, and lifts a ban.
//!
//! Leaves a screenshot of the bans in the settings (`target/screenshots/
//! console-bans.png`, copied into `docs/screenshots/` when it changes).

use canal_e2e::{eventually, save_screenshot, visit, Browser, Canal, Console, HostPage, Widget};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_banned_visitor_is_told_the_chat_is_not_available() {
    let (canal, _host, browser) = visit().await;
    // The browser reaches the server from the loopback address.
    let (status, ban) = canal
        .admin(
            "POST",
            "/bans",
            &json!({"network": "127.0.0.0/8", "reason": "test ban"}),
        )
        .await;
    assert_eq!(status, 201, "{ban}");

    let widget = Widget::new(&browser);
    widget
        .launcher()
        .await
        .click()
        .await
        .expect("click launcher");
    let client = &browser.client;
    let frame = eventually("the chat frame to be inserted", || async {
        let root = client.find(Locator::Css("#canal-root")).await.ok()?;
        let shadow = root.shadow_root().await.ok()?;
        shadow.find(Locator::Css("iframe")).await.ok()
    })
    .await;
    frame.enter_frame().await.expect("enter frame");
    let error = widget.find("error").await.text().await.expect("text");
    assert_eq!(error, "This chat is not available right now.");
    assert!(!error.contains("test ban"), "the reason is for admins only");
    assert_eq!(canal.count("visitors").await, 0);
    assert_eq!(canal.count("consents").await, 0);

    browser.close().await;
}

/// The bans' rows as the console shows them: (in force, text).
async fn ban_rows(browser: &Browser) -> Vec<(bool, String)> {
    let rows = browser
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=ban-row]'))\
               .map(r => [r.dataset.active === 'true', r.innerText]);",
        )
        .await;
    rows.as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|row| {
            (
                row[0].as_bool().unwrap_or_default(),
                row[1].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Waits until the ban form's outcome (status or error) says `text`.
async fn wait_outcome(browser: &Browser, text: &str) {
    eventually(&format!("the ban form to say {text:?}"), || async {
        let said = browser
            .js(
                "var f = document.querySelector('[data-testid=ban-create]');\
                 return f ? f.innerText : '';",
            )
            .await;
        said.as_str()
            .is_some_and(|said| said.contains(text))
            .then_some(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_bans_a_visitor_from_the_log_and_an_address_in_settings_then_lifts() {
    let canal = Canal::start_with_admin().await;
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget.start_chat("You are all useless").await;

    // From the log (in the full console), Ana bans the visitor of that conversation.
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console.click("log-link", "open the log").await;
    console.find("log-open").await.click().await.expect("open");
    console.find("log-conversation").await;
    console
        .find("ban-submit")
        .await
        .click()
        .await
        .expect("ban without a reason");
    wait_outcome(&browser, "Say what to ban and why.").await;
    assert_eq!(
        canal.count("bans").await,
        0,
        "nothing banned without a reason"
    );
    console
        .find("ban-reason")
        .await
        .send_keys("insults")
        .await
        .expect("type the reason");
    console.find("ban-submit").await.click().await.expect("ban");
    wait_outcome(&browser, "Banned.").await;

    // The visitor's next message is refused politely and not stored.
    let stored = canal.count("messages").await;
    widget.send("And another thing").await;
    visitor
        .wait_text(
            "the chat's refusal",
            "This chat is not available right now.",
        )
        .await;
    assert_eq!(canal.count("messages").await, stored);

    // Settings: the ban is listed; an address block is banned for an hour; a bad
    // one is refused with the server's reason and changes nothing.
    console.click("settings-link", "open settings").await;
    let listed = eventually("the visitor's ban in the list", || async {
        let rows = ban_rows(&browser).await;
        (rows.len() == 1).then_some(rows)
    })
    .await;
    assert!(listed[0].0, "in force");
    assert!(listed[0].1.contains("insults"), "{listed:?}");
    assert!(listed[0].1.contains("ana@shop.example"), "who: {listed:?}");
    let form = "[data-testid=bans-settings] ";
    let field = |name: &str| format!("{form}[data-testid=ban-{name}]");
    let type_into = |name: &'static str, text: &'static str| {
        let css = field(name);
        let client = browser.client.clone();
        async move {
            let input = client.find(Locator::Css(&css)).await.expect(name);
            input.clear().await.expect("clear");
            input.send_keys(text).await.expect("type");
        }
    };
    type_into("target", "300.1.2.0/24").await;
    type_into("reason", "spam wave").await;
    let submit = browser
        .client
        .find(Locator::Css(&field("submit")))
        .await
        .expect("submit");
    submit.click().await.expect("ban a bad block");
    wait_outcome(&browser, "300.1.2.0/24").await;
    assert_eq!(
        canal.count("bans").await,
        1,
        "the bad block changed nothing"
    );
    type_into("target", "203.0.113.0/24").await;
    browser
        .client
        .find(Locator::Css(&field("hours")))
        .await
        .expect("duration")
        .select_by_value("1")
        .await
        .expect("an hour");
    submit.click().await.expect("ban the block");
    let rows = eventually("both bans in the list", || async {
        let rows = ban_rows(&browser).await;
        (rows.len() == 2).then_some(rows)
    })
    .await;
    assert!(
        rows[0].1.contains("203.0.113.0/24"),
        "newest first: {rows:?}"
    );
    let (expires_at,): (Option<String>,) =
        sqlx::query_as("SELECT expires_at FROM bans WHERE network = '203.0.113.0/24'")
            .fetch_one(&canal.db)
            .await
            .expect("the block's ban");
    assert!(expires_at.is_some(), "an hour, not for ever");
    save_screenshot(
        "console-bans.png",
        &browser.client.screenshot().await.expect("screenshot"),
    );

    // Lifting the visitor's ban: it leaves the list of bans in force, and shows as
    // lifted among all of them.
    let lift = browser
        .client
        .find_all(Locator::Css("[data-testid=ban-row] [data-testid=ban-lift]"))
        .await
        .expect("lift buttons");
    assert_eq!(lift.len(), 2);
    lift[1]
        .clone()
        .click()
        .await
        .expect("lift the visitor's ban");
    eventually("the lifted ban to leave the list", || async {
        (ban_rows(&browser).await.len() == 1).then_some(())
    })
    .await;
    console
        .find("bans-all")
        .await
        .click()
        .await
        .expect("show all");
    let all = eventually("every ban", || async {
        let rows = ban_rows(&browser).await;
        (rows.len() == 2).then_some(rows)
    })
    .await;
    let lifted = all
        .iter()
        .find(|(_, text)| text.contains("insults"))
        .expect("the visitor's ban");
    assert!(!lifted.0, "lifted: {all:?}");
    assert!(lifted.1.contains("Lifted"), "{all:?}");
    let (lifted_by,): (Option<String>,) =
        sqlx::query_as("SELECT lifted_by FROM bans WHERE visitor_id IS NOT NULL")
            .fetch_one(&canal.db)
            .await
            .expect("the visitor's ban");
    assert!(
        lifted_by.is_some_and(|by| by.contains("ana@shop.example")),
        "who lifted it is recorded"
    );

    visitor.close().await;
    browser.close().await;
}

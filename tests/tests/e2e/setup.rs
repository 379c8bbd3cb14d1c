//! A new install end to end, as a site owner meets it: no demo, no account, no
//! channel. The console's sign-in page says how to make the first admin; the admin
//! signs in, creates a channel in Settings and copies its snippet into their page;
//! a visitor chats through it and the admin answers from the inbox.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};

/// The value of a form field (an `<input>` or `<textarea>`) by its test id.
async fn value(browser: &Browser, test_id: &str) -> String {
    browser
        .js(&format!(
            "var e = document.querySelector('[data-testid={test_id}]'); return e ? e.value : '';"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_owner_sets_up_a_new_install_and_a_visitor_chats_on_their_page() {
    let canal = Canal::start_empty().await;
    let owner = Browser::start().await;

    // An empty install: the sign-in page says what to do.
    let console = Console::open(&owner, &canal).await;
    let hint = console.find("setup-hint").await;
    eventually("the first-run hint to show", || async {
        let text = hint.text().await.ok()?;
        text.contains("canal admin create --email").then_some(())
    })
    .await;
    save_screenshot(
        "console-first-run.png",
        &owner.client.screenshot().await.expect("png"),
    );

    // `canal admin create` (its code path), then the owner signs in.
    let password =
        canal_server::agents::create_admin(&canal.store, "owner@shop.example", "Olga Owner")
            .await
            .expect("the first admin");
    let console = Console::sign_in_with(&owner, &canal, "owner@shop.example", &password).await;

    // Settings -> a new channel, its snippet.
    console.click("settings-link", "open settings").await;
    console.find("channels-settings").await;
    for (field, text) in [
        ("channel-create-name", "Olga's shop"),
        ("channel-create-key", "olga-shop"),
        (
            "channel-create-greeting",
            "Hello! Ask us about any product.",
        ),
    ] {
        console
            .find(field)
            .await
            .send_keys(text)
            .await
            .expect("type");
    }
    console
        .find("channel-create-submit")
        .await
        .click()
        .await
        .expect("create");
    let snippet = eventually("the new channel's snippet", || async {
        let snippet = value(&owner, "channel-snippet").await;
        snippet.contains("channel=olga-shop").then_some(snippet)
    })
    .await;
    assert!(snippet.contains(&canal.origin()), "{snippet}");
    save_screenshot(
        "console-channel-created.png",
        &owner.client.screenshot().await.expect("png"),
    );

    // The snippet on the owner's page; a visitor writes (no agreement asked).
    let host = HostPage::start_with_snippet(snippet, None).await;
    let visitor = Browser::start().await;
    visitor
        .client
        .goto(&host.url)
        .await
        .expect("open host page");
    let widget = Widget::new(&visitor);
    widget.open().await;
    let greeting = widget
        .find("greeting")
        .await
        .text()
        .await
        .expect("greeting");
    assert_eq!(greeting, "Hello! Ask us about any product.");
    let question = "Do you ship to Lisbon?";
    widget.send(question).await;
    widget.wait_sent(question).await;

    // The owner finds it waiting in the inbox, takes it and answers.
    owner
        .client
        .goto(&format!("{}/console/", canal.origin()))
        .await
        .expect("back to the inbox");
    console
        .wait_item("inbox-waiting")
        .await
        .click()
        .await
        .expect("open the conversation");
    console.find("take").await.click().await.expect("take");
    console.wait_item("inbox-mine").await;
    let answer = "Yes, in two to three days.";
    console.reply(answer).await;
    save_screenshot(
        "console-new-channel-answer.png",
        &owner.client.screenshot().await.expect("png"),
    );
    visitor
        .wait_text("the answer in the visitor's chat", answer)
        .await;
    // The message log has it, under the new channel.
    let log = canal
        .admin_ok(
            "GET",
            "/conversations?channel=olga-shop",
            &serde_json::Value::Null,
        )
        .await;
    assert_eq!(log["conversations"][0]["messages"], 2, "{log}");

    owner.close().await;
    visitor.close().await;
}

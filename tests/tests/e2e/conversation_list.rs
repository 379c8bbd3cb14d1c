//! An agent's conversation list end to end: an agent who is not an admin opens the
//! list, finds a conversation by a word of its text, opens it and sets a label
//! (stored, shown on the row, filtered by); an admin adds a label in Settings.

use canal_e2e::{eventually, Browser, Canal, Console, HostPage, Widget};

use super::log::wait_rows;
use fantoccini::Locator;
use serde_json::{json, Value};

async fn apply(console: &Console<'_>) {
    console
        .find("log-apply")
        .await
        .click()
        .await
        .expect("apply the filters");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_finds_a_conversation_by_its_text_and_labels_it() {
    // Ana (agent 1, not an admin) works in the demo channel and in the shop.
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let (status, vip) = canal
        .admin("POST", "/labels", &json!({"name": "VIP"}))
        .await;
    assert_eq!(status, 201, "{vip}");
    let vip = vip["id"].as_u64().expect("label id");
    let (status, _) = canal
        .admin("POST", "/labels", &json!({"name": "Refund"}))
        .await;
    assert_eq!(status, 201);
    let (status, made) = canal
        .admin("POST", "/channels", &json!({"name": "Shop", "key": "shop"}))
        .await;
    assert_eq!(status, 201, "{made}");
    canal
        .admin_ok(
            "PUT",
            "/channels/shop/routing",
            &json!({"mode": "evenly", "pass_after_secs": 600, "check_online": true,
                    "queue": [{"agent": 1}]}),
        )
        .await;
    let (status, shop) = canal
        .request(
            "POST",
            "/api/v1/channels/shop/conversations",
            &json!({"page_url": "https://shop.example/"}),
            false,
        )
        .await;
    assert_eq!(status, 201, "{shop}");

    // A visitor on the demo channel asks about a parcel.
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    Widget::new(&visitor)
        .start_chat("Where is my parcel? It left on Monday.")
        .await;
    visitor.close().await;

    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console.click("log-link", "open the list").await;
    let both = wait_rows(&browser, &["demo", "shop"]).await;

    // A word of the text finds the visitor's conversation, and only it.
    console
        .find("log-q")
        .await
        .send_keys("PARCEL")
        .await
        .expect("type the search");
    apply(&console).await;
    let found = wait_rows(&browser, &["demo"]).await;
    assert_eq!(found[0], both[0]);
    let conversation = found[0].1.clone();

    // Opened, a label set with its checkbox: stored, and on the row.
    console
        .find("log-open")
        .await
        .click()
        .await
        .expect("open it");
    console.find("log-labels").await;
    let vip_box = format!("[data-testid=label-toggle][data-label-id='{vip}']");
    let check = eventually(&vip_box, || async {
        browser.client.find(Locator::Css(&vip_box)).await.ok()
    })
    .await;
    check.click().await.expect("set VIP");
    eventually("the label stored", || async {
        let (_, record) = canal
            .admin(
                "GET",
                &format!("/conversations/{conversation}"),
                &Value::Null,
            )
            .await;
        (record["conversation"]["labels"] == json!([{"id": vip, "name": "VIP"}])).then_some(())
    })
    .await;
    assert_eq!(canal.count("conversation_labels").await, 1);
    console.find("log-back").await.click().await.expect("back");
    eventually("the label on the row", || async {
        let chips = browser
            .js(
                "return Array.from(document.querySelectorAll('[data-testid=log-row] [data-testid=label-chip]'))\
                   .filter(e => !e.closest('[hidden]')).map(e => e.innerText);",
            )
            .await;
        (chips == json!(["VIP"])).then_some(())
    })
    .await;

    // The label as a filter, the search cleared: the labelled one only.
    console
        .find("log-q")
        .await
        .clear()
        .await
        .expect("clear the search");
    console
        .find("log-label")
        .await
        .select_by_value(&vip.to_string())
        .await
        .expect("pick VIP");
    apply(&console).await;
    let labelled = wait_rows(&browser, &["demo"]).await;
    assert_eq!(labelled[0].1, conversation);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_label_in_settings() {
    let canal = Canal::start_with_admin().await;
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console.click("settings-link", "open settings").await;
    console.find("labels-settings").await;
    console
        .find("label-name")
        .await
        .send_keys("Wholesale")
        .await
        .expect("type a name");
    console
        .find("label-add")
        .await
        .click()
        .await
        .expect("add it");
    eventually("the label listed", || async {
        let row = console.find("label-row").await;
        (row.text().await.ok()?.contains("Wholesale")).then_some(())
    })
    .await;
    let (status, labels) = canal.admin("GET", "/labels", &Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(labels[0]["name"], "Wholesale");
}

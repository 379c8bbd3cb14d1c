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

/// The ids the list shows, in order.
async fn listed_ids(browser: &Browser) -> Vec<String> {
    super::log::rows(browser)
        .await
        .into_iter()
        .map(|(_, id)| id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_sorts_the_list_by_a_figure_in_the_agents_console() {
    // Ana (agent 1, not an admin) works in the demo channel; three conversations
    // she answered, the longest wait in the middle one.
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let demo = canal
        .store
        .channel_by_key("demo")
        .await
        .expect("store")
        .expect("the demo channel")
        .id;
    let at = |minute: u32, secs: u32| format!("2031-02-03T10:{minute:02}:{secs:02}.000Z");
    let seeded: Vec<_> = [(0, 30), (10, 50), (20, 5)]
        .into_iter()
        .map(
            |(minute, wait)| canal_server::store::channels::ImportedConversation {
                channel_id: demo.clone(),
                visitor_name: None,
                visitor_email: None,
                created_at: at(minute, 0),
                status: "closed".to_owned(),
                agent_id: Some(1),
                unanswered_since: None,
                rating: None,
                messages: vec![
                    ("visitor".to_owned(), "Hello?".to_owned()),
                    ("agent".to_owned(), "Hi!".to_owned()),
                ],
                message_times: vec![at(minute, 1), at(minute, 1 + wait)],
                label_ids: Vec::new(),
            },
        )
        .collect();
    let ids = canal
        .store
        .import_conversations(&seeded)
        .await
        .expect("seeded");
    eventually("the figures stored", || async {
        let stale = canal.store.stale_figures().await.ok()?;
        stale.is_empty().then_some(())
    })
    .await;

    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    console.click("log-link", "open the list").await;
    let newest_first = vec![ids[2].clone(), ids[1].clone(), ids[0].clone()];
    eventually("newest first", || async {
        (listed_ids(&browser).await == newest_first).then_some(())
    })
    .await;
    console
        .click("sort-max_response", "sort by the longest wait")
        .await;
    let longest_first = vec![ids[1].clone(), ids[0].clone(), ids[2].clone()];
    eventually("the longest wait first", || async {
        (listed_ids(&browser).await == longest_first).then_some(())
    })
    .await;
    console
        .click("sort-max_response", "turn the order round")
        .await;
    let shortest_first = vec![ids[2].clone(), ids[0].clone(), ids[1].clone()];
    eventually("the shortest wait first", || async {
        (listed_ids(&browser).await == shortest_first).then_some(())
    })
    .await;
    // All in the agents' console; the export link keeps the sort.
    let page = browser
        .js("return [location.pathname, document.querySelector('[data-testid=log-csv]').getAttribute('href')];")
        .await;
    assert_eq!(page[0], "/console/", "{page}");
    let href = page[1].as_str().expect("the CSV link");
    assert!(href.ends_with("&sort=max_response&format=csv"), "{href}");
}

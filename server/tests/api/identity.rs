//! `Canal.setUser` identities: signed with the channel's secret, checked for age,
//! refused unverified when the channel enforces verification.

use canal_server::identity::sign;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn identity_row(
    app: &crate::helpers::TestApp,
) -> Vec<(Option<String>, Option<String>, bool)> {
    // A flag is an integer on SQLite and a boolean on PostgreSQL: read it as 0/1.
    let rows: Vec<(Option<String>, Option<String>, i64)> = sqlx::query_as(
        "SELECT user_id, user_email, CAST(CASE WHEN user_verified THEN 1 ELSE 0 END AS BIGINT)
         FROM visitors",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("read");
    rows.into_iter()
        .map(|(id, email, verified)| (id, email, verified == 1))
        .collect()
}

#[tokio::test]
async fn a_signed_identity_is_verified_and_a_wrong_or_old_one_is_refused() {
    let app = spawn_app().await;
    let (consent, _) = app.conversation().await;
    let (status, body) = app
        .admin_post("/channels/demo/identity/secret", &json!({}))
        .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().expect("secret").to_owned();
    let app = &app;
    let token = consent.visitor_token.as_str();
    let identify = |user: serde_json::Value| async move {
        app.post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": token, "user": user}),
        )
        .await
    };

    let t = now();
    let wrong = sign("not-the-secret", "u-42", t);
    let (status, body) = identify(json!({"id": "u-42", "hash": wrong, "time": t})).await;
    assert_error(status, &body, 401, "unauthorized");
    let old = sign(&secret, "u-42", t - 7200);
    let (status, body) = identify(json!({"id": "u-42", "hash": old, "time": t - 7200})).await;
    assert_error(status, &body, 401, "unauthorized");
    let (status, body) = identify(json!({"id": "u-42", "email": "not an email"})).await;
    assert_error(status, &body, 422, "invalid_field");
    let (status, body) = identify(json!({"id": "u-42", "admin": true})).await;
    assert_error(status, &body, 400, "unknown_field");
    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": "forged", "user": {"id": "u-42"}}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
    assert_eq!(
        identity_row(app).await,
        [(None, None, false)],
        "nothing kept"
    );

    let good = sign(&secret, "u-42", t);
    let (status, body) = identify(
        json!({"id": "u-42", "name": "Marta", "email": "Marta@Example.com", "hash": good, "time": t}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], true);
    assert_eq!(
        identity_row(app).await,
        [(Some("u-42".into()), Some("marta@example.com".into()), true)]
    );
}

#[tokio::test]
async fn an_enforcing_channel_refuses_unverified_identities() {
    let app = spawn_app().await;
    let (consent, _) = app.conversation().await;
    let (status, body) = app
        .admin_put("/channels/demo/identity", &json!({"enforced": true}))
        .await;
    assert_error(status, &body, 422, "invalid_field");
    app.admin_post("/channels/demo/identity/secret", &json!({}))
        .await;
    let (status, body) = app
        .admin_put(
            "/channels/demo/identity",
            &json!({"enforced": true, "window_secs": 30}),
        )
        .await;
    assert_error(status, &body, 422, "invalid_field");
    let (status, body) = app
        .admin_put(
            "/channels/demo/identity",
            &json!({"enforced": true, "window_secs": 600}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"enforced": true, "window_secs": 600, "has_secret": true})
    );

    let (status, body) = app
        .post(
            "/api/v1/channels/demo/identify",
            &json!({"visitor_token": consent.visitor_token, "user": {"id": "u-1", "name": "Eve"}}),
        )
        .await;
    assert_error(status, &body, 401, "unauthorized");
    assert_eq!(identity_row(&app).await, [(None, None, false)]);
}

#[tokio::test]
async fn a_hash_from_the_future_is_accepted_only_within_five_minutes_of_clock_skew() {
    let app = spawn_app().await;
    let (consent, _) = app.conversation().await;
    let (_, body) = app
        .admin_post("/channels/demo/identity/secret", &json!({}))
        .await;
    let secret = body["secret"].as_str().expect("secret").to_owned();
    let identify = |time: u64| {
        let body = json!({"visitor_token": consent.visitor_token,
                          "user": {"id": "u-42", "hash": sign(&secret, "u-42", time), "time": time}});
        let app = &app;
        async move { app.post("/api/v1/channels/demo/identify", &body).await }
    };
    let t = now();
    // Signed an hour ahead: it would stay valid for two hours. Refused, nothing kept.
    let (status, body) = identify(t + 3600).await;
    assert_error(status, &body, 401, "unauthorized");
    // Just past the 5 minutes (this test's clock is the server's).
    let (status, body) = identify(t + 360).await;
    assert_error(status, &body, 401, "unauthorized");
    assert_eq!(
        identity_row(&app).await,
        [(None, None, false)],
        "nothing kept"
    );
    // Within them: a site whose clock runs a little ahead.
    let (status, body) = identify(t + 240).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], true);
    assert_eq!(
        identity_row(&app).await,
        [(Some("u-42".into()), None, true)]
    );
}

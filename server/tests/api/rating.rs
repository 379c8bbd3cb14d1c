//! The visitor's rating of a conversation: only their own, like or dislike with an
//! optional comment, replaced by a later one, shown to the agent who holds it.

use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

fn path(conversation_id: &str) -> String {
    format!("/api/v1/channels/demo/conversations/{conversation_id}/rating")
}

#[tokio::test]
async fn the_visitor_rates_their_conversation_and_the_agent_sees_it() {
    let app = spawn_app().await;
    let ana = app.agent("ana@shop.example", "Ana", "agent").await;
    app.routing(
        json!({"mode": "evenly", "pass_after_secs": 600, "check_online": true,
                       "queue": [{"agent": ana}]}),
    )
    .await;
    let (mut console, _) = app.console("ana@shop.example").await;
    let (consent, conversation) = app.conversation().await;
    let id = conversation.conversation_id.clone();
    console
        .until("the offer", |f| {
            f["type"] == "upsert" && f["conversation"]["id"] == id.as_str()
        })
        .await;

    let (status, body) = app
        .put(
            &path(&id),
            &json!({"visitor_token": consent.visitor_token, "rating": "dislike",
                    "comment": "  Took a while.  "}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rating"], "dislike");
    assert_eq!(body["comment"], "Took a while.");
    let shown = console
        .until("the rating in the console", |f| {
            f["type"] == "upsert" && f["conversation"]["rating"]["rating"] == "dislike"
        })
        .await;
    assert_eq!(shown["conversation"]["rating"]["comment"], "Took a while.");

    // The visitor changes their mind: one rating, the later one.
    let (status, body) = app
        .put(
            &path(&id),
            &json!({"visitor_token": consent.visitor_token, "rating": "like"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("comment").is_none());
    assert_eq!(app.count("conversation_ratings").await, 1);
    console
        .until("the new rating", |f| {
            f["type"] == "upsert" && f["conversation"]["rating"]["rating"] == "like"
        })
        .await;

    // Still there after a restart.
    let mut app = app;
    app.restart().await;
    let (_console, welcome) = app.console("ana@shop.example").await;
    let listed = welcome.to_string();
    assert!(listed.contains(r#""rating":"like""#), "{listed}");
}

#[tokio::test]
async fn bad_ratings_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (consent, conversation) = app.conversation().await;
    let (other, other_conversation) = app.conversation().await;
    let id = conversation.conversation_id.clone();
    let token = consent.visitor_token.clone();
    let too_long = "x".repeat(1001);
    for (path, body, status, code) in [
        (
            path(&id),
            json!({"visitor_token": token, "rating": "meh"}),
            400,
            "bad_request",
        ),
        (
            path(&id),
            json!({"visitor_token": token}),
            400,
            "bad_request",
        ),
        (
            path(&id),
            json!({"visitor_token": token, "rating": "like", "stars": 5}),
            400,
            "unknown_field",
        ),
        (
            path(&id),
            json!({"visitor_token": token, "rating": "like", "comment": too_long}),
            422,
            "invalid_field",
        ),
        (
            path(&id),
            json!({"visitor_token": token, "rating": "like", "comment": "a\u{0}b"}),
            422,
            "invalid_field",
        ),
        (
            path(&id),
            json!({"visitor_token": "v1.forged", "rating": "like"}),
            401,
            "unauthorized",
        ),
        // Someone else's conversation, and one that does not exist.
        (
            path(&other_conversation.conversation_id),
            json!({"visitor_token": token, "rating": "like"}),
            404,
            "unknown_conversation",
        ),
        (
            path(&id),
            json!({"visitor_token": other.visitor_token, "rating": "like"}),
            404,
            "unknown_conversation",
        ),
        (
            path("nope"),
            json!({"visitor_token": token, "rating": "like"}),
            404,
            "unknown_conversation",
        ),
        (
            "/api/v1/channels/nope/conversations/x/rating".to_owned(),
            json!({"visitor_token": token, "rating": "like"}),
            404,
            "unknown_channel",
        ),
    ] {
        let (got, answer) = app.put(&path, &body).await;
        assert_error(got, &answer, status, code);
    }
    assert_eq!(app.count("conversation_ratings").await, 0);
}

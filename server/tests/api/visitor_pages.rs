//! "The visitor is on page X": each page that opens the chat says so in its socket's
//! `hello`; the consoles that list the conversation show it beside the page and UTM
//! tags the conversation started with. A bad page is refused and changes nothing.

use serde_json::{json, Value};

use crate::agents::{settings, team};
use crate::helpers::{Socket, TestApp, PAGE};

const CART: &str = "https://shop.example/cart?step=2";

async fn page_now(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT page_now FROM conversations WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .expect("page_now")
}

/// An `upsert` of conversation `id` whose `page_now` is `now` (absent: `None`).
fn upsert_on(id: &str, now: Option<&'static str>) -> impl Fn(&Value) -> bool {
    let id = id.to_owned();
    move |f| {
        f["type"] == "upsert"
            && f["conversation"]["id"] == id.as_str()
            && f["conversation"]["page_now"].as_str() == now
    }
}

/// A `hello` for `id` from the page `page_url`.
fn hello(id: &str, token: &str, page_url: &str) -> Value {
    json!({"type": "hello", "conversation_id": id, "visitor_token": token, "last_seq": 0,
           "page_url": page_url})
}

#[tokio::test]
async fn the_console_shows_where_the_visitor_started_and_where_they_are_now() {
    let mut team = team(|ana, _| settings("strict", &[ana])).await;
    let (consent, conversation, _first_tab) = team.app.visitor().await;
    let id = conversation.conversation_id;
    let offer = team
        .ana_console
        .until("the offer", crate::agents::is_upsert(&id, "offered"))
        .await;
    let line = &offer["conversation"];
    assert_eq!(line["page_url"], PAGE, "{line}");
    assert_eq!(line["utm"], json!({"source": "news"}), "{line}");
    assert!(line.get("page_now").is_none(), "no page since: {line}");
    team.ana_console
        .send(json!({"type": "take", "conversation_id": id}))
        .await;
    team.ana_console
        .until("mine", crate::agents::is_upsert(&id, "mine"))
        .await;

    // The visitor opens the cart: the chat there says hello from it.
    let mut cart = team.app.socket().await;
    cart.send(hello(&id, &consent.visitor_token, CART)).await;
    cart.expect("welcome").await;
    let moved = team
        .ana_console
        .until("the visitor on the cart", upsert_on(&id, Some(CART)))
        .await;
    assert_eq!(moved["conversation"]["page_url"], PAGE, "the start stays");
    assert_eq!(page_now(&team.app, &id).await.as_deref(), Some(CART));

    // Back on the page they started on: the console shows only that one.
    let mut back = team.app.socket().await;
    back.send(hello(&id, &consent.visitor_token, PAGE)).await;
    back.expect("welcome").await;
    team.ana_console
        .until("the visitor back on the start page", upsert_on(&id, None))
        .await;
    assert_eq!(page_now(&team.app, &id).await.as_deref(), Some(PAGE));

    // Ana's console opened afresh lists it with the same pages.
    let (mut again, welcome) = team.app.console("ana@shop.example").await;
    let listed = welcome["inbox"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == id.as_str()).cloned())
        .expect("listed in the welcome");
    assert_eq!(listed["utm"]["source"], "news");
    assert!(listed.get("page_now").is_none(), "{listed}");
    let mut cart_again = team.app.socket().await;
    cart_again
        .send(hello(&id, &consent.visitor_token, CART))
        .await;
    cart_again.expect("welcome").await;
    again
        .until(
            "the new console hears of the cart",
            upsert_on(&id, Some(CART)),
        )
        .await;

    // A restart keeps it: the server reloads open conversations from the store.
    team.app.restart().await;
    let (_, welcome) = team.app.console("ana@shop.example").await;
    let listed = welcome["inbox"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["id"] == id.as_str()).cloned())
        .expect("listed after the restart");
    assert_eq!(listed["page_now"], CART, "{listed}");
    assert_eq!(listed["utm"]["source"], "news", "{listed}");
}

#[tokio::test]
async fn a_hello_from_a_bad_page_is_refused_and_changes_nothing() {
    let team = team(|ana, _| settings("strict", &[ana])).await;
    let (consent, conversation, _tab) = team.app.visitor().await;
    let id = conversation.conversation_id;
    let token = consent.visitor_token;
    let before = page_now(&team.app, &id).await;
    let messages = team.app.count("messages").await;
    let mut socket: Socket = team.app.socket().await;
    let long = format!("https://shop.example/{}", "a".repeat(3000));
    for bad in [
        "javascript:alert(1)",
        "not a url",
        "",
        "ftp://shop.example/file",
        long.as_str(),
    ] {
        socket.send(hello(&id, &token, bad)).await;
        let refused = socket.expect("error").await;
        assert_eq!(refused["code"], "invalid_page_url", "{bad}: {refused}");
    }
    // A page of a site the channel is not embedded in.
    let (status, answer) = team
        .app
        .admin_put(
            "/channels/demo/origins",
            &json!({"allowed_origins": ["https://shop.example"]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    socket
        .send(hello(&id, &token, "https://elsewhere.example/"))
        .await;
    let refused = socket.expect("error").await;
    assert_eq!(refused["code"], "invalid_page_url", "{refused}");
    // Nothing stored, the socket not joined: it may still say hello properly.
    assert_eq!(page_now(&team.app, &id).await, before);
    socket
        .send(json!({"type": "send", "client_id": "c1", "text": "hi"}))
        .await;
    socket.expect("error").await;
    assert_eq!(
        team.app.count("messages").await,
        messages,
        "no message stored"
    );
    socket.send(hello(&id, &token, CART)).await;
    socket.expect("welcome").await;
    assert_eq!(page_now(&team.app, &id).await.as_deref(), Some(CART));
}

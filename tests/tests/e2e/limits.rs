//! A visitor who writes faster than the socket's rate, in Chromium: the widget asks
//! them to slow down, keeps what was refused, and sends it again once the bucket has
//! refilled; every message is stored once.

use std::time::Duration;

use canal_e2e::{eventually, Browser, Canal, HostPage, Widget};
use canal_server::limits::{Limits, Rate};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_over_the_socket_rate_is_asked_to_slow_down_and_nothing_is_lost() {
    // Five frames at once, then one every five seconds.
    let limits = Limits {
        socket_frames: Some(Rate::new(5, Duration::from_secs(25))),
        ..Limits::default()
    };
    let canal = Canal::start_with_limits(limits).await;
    let host = HostPage::start(&canal).await;
    let browser = Browser::open(&host.url).await;
    let widget = Widget::new(&browser);
    widget.start_chat("first").await;

    let burst = ["second", "third", "fourth", "fifth", "sixth"];
    for text in burst {
        widget.send(text).await;
    }
    let error = || async {
        let error = browser
            .client
            .find(Locator::Css("[data-testid=error]"))
            .await
            .ok()?;
        error.text().await.ok()
    };
    let refused = eventually("the widget to ask the visitor to slow down", || async {
        error().await.filter(|t| !t.is_empty())
    })
    .await;
    assert_eq!(
        refused,
        "You are writing faster than the chat can take. Please wait a few seconds."
    );

    // What was refused goes again as the bucket refills: all of it arrives, and the
    // notice goes away.
    for text in burst {
        widget.wait_sent(text).await;
    }
    eventually("the slow-down notice to go", || async {
        error().await.filter(String::is_empty).map(drop)
    })
    .await;

    let stored: Vec<(String,)> = sqlx::query_as(
        "SELECT body FROM messages WHERE author = 'visitor' ORDER BY conversation_id, seq",
    )
    .fetch_all(&canal.db)
    .await
    .expect("read messages");
    let stored: Vec<String> = stored.into_iter().map(|(body,)| body).collect();
    assert_eq!(
        stored,
        ["first", "second", "third", "fourth", "fifth", "sixth"],
        "each message stored once, in the order written"
    );

    browser.close().await;
}

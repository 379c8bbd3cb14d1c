//! Exactly-once delivery, the hard way: the server is stopped and started again in
//! the middle of a burst of messages from the visitor (in one Chromium) and the agent
//! (in the console, in another), and a visitor closes the page while offline. Each
//! side must end with every message once, in the order the server stored them.

use std::time::{Duration, Instant};

use canal_e2e::{eventually, eventually_within, Browser, Canal, Console, HostPage, Widget};
use serde_json::Value;

/// The markers (`v01`, `a01`, ...) of the messages shown in the current document
/// (a name may stand right before them in the text),
/// top to bottom, with whether each still shows as pending.
async fn shown(browser: &Browser) -> Vec<(String, bool)> {
    let found = browser
        .js(r#"return Array.from(document.querySelectorAll('[data-testid=message]')).map(function (m) {
                 var marker = (m.textContent.match(/[va]\d\d(?=\s)/) || [''])[0];
                 return [marker, m.getAttribute('data-status') === 'pending'];
               });"#)
        .await;
    found
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|row| {
                    let marker = row.get(0)?.as_str()?;
                    (!marker.is_empty())
                        .then(|| (marker.to_owned(), row.get(1) == Some(&Value::Bool(true))))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The markers of the stored messages, in sequence order.
async fn stored(canal: &Canal) -> Vec<String> {
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM messages ORDER BY conversation_id, seq")
            .fetch_all(&canal.db)
            .await
            .expect("messages");
    bodies
        .iter()
        .filter_map(|body| body.split_whitespace().next())
        .filter(|w| w.len() == 3 && (w.starts_with('v') || w.starts_with('a')))
        .map(str::to_owned)
        .collect()
}

/// How long the clients may take to come back after the server does: their longest
/// reconnect backoff (the console's 30 s, the frame's 10 s) and the resend, with room.
const RECOVERY: Duration = Duration::from_secs(90);

/// Waits until `browser` shows exactly `expected` (markers in order), none pending;
/// on timeout, says what it showed instead.
async fn until_shown(what: &str, browser: &Browser, expected: &[String]) {
    let start = Instant::now();
    loop {
        let shown = shown(browser).await;
        let markers: Vec<&String> = shown.iter().map(|(m, _)| m).collect();
        if markers == expected.iter().collect::<Vec<_>>() && shown.iter().all(|(_, p)| !p) {
            return;
        }
        assert!(
            start.elapsed() < RECOVERY,
            "timed out waiting for {what}: shows {shown:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A visitor who started a chat, and Ana, who took it in her console.
async fn chat_with_ana<'a>(
    canal: &Canal,
    host: &HostPage,
    visitor: &'a Browser,
    agent: &'a Browser,
) -> (Widget<'a>, Console<'a>) {
    let console = Console::sign_in(agent, canal, "ana@shop.example").await;
    visitor
        .client
        .goto(&host.url)
        .await
        .expect("open host page");
    let widget = Widget::new(visitor);
    widget.start_chat("v00 hello").await;
    console.take_offer().await;
    (widget, console)
}

fn is_ordered(markers: &[String], side: char) -> bool {
    let mine: Vec<&String> = markers.iter().filter(|m| m.starts_with(side)).collect();
    mine.windows(2).all(|pair| pair[0] < pair[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_the_middle_of_a_burst_loses_and_doubles_nothing_on_either_side() {
    let mut canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let visitor_browser = Browser::start().await;
    let (widget, console) = chat_with_ana(&canal, &host, &visitor_browser, &agent_browser).await;

    // Both write as fast as they can; the server goes down after the fourth pair
    // (with some of them still in flight) and comes back after the eighth.
    const BURST: usize = 12;
    for i in 1..=BURST {
        widget.send(&format!("v{i:02} from the visitor")).await;
        console.reply(&format!("a{i:02} from Ana")).await;
        if i == 4 {
            canal.stop().await;
        }
        if i == 8 {
            canal.restart().await;
        }
    }

    let expected = eventually_within("every message to be stored", RECOVERY, || async {
        let stored = stored(&canal).await;
        (stored.len() == 1 + 2 * BURST).then_some(stored)
    })
    .await;
    // Stored once each, each side in the order it was written.
    let mut unique = expected.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        expected.len(),
        "no message stored twice: {expected:?}"
    );
    assert!(is_ordered(&expected, 'v'), "visitor order: {expected:?}");
    assert!(is_ordered(&expected, 'a'), "agent order: {expected:?}");

    // Each side shows exactly the stored conversation, in the stored order.
    until_shown(
        "the visitor to see every message once",
        &visitor_browser,
        &expected,
    )
    .await;
    until_shown(
        "the agent to see every message once",
        &agent_browser,
        &expected,
    )
    .await;
    // Nothing is left in the visitor's outbox.
    let outbox = visitor_browser
        .js("return Object.keys(localStorage).map(function (k) { return localStorage.getItem(k); }).join();")
        .await;
    assert!(
        !outbox.as_str().unwrap_or_default().contains("outbox"),
        "the stored outbox is empty: {outbox}"
    );
    visitor_browser.close().await;
    agent_browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_visitor_wrote_offline_is_sent_on_return_and_the_agents_replies_are_there() {
    let mut canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start().await;
    let visitor_browser = Browser::start().await;
    let (widget, console) = chat_with_ana(&canal, &host, &visitor_browser, &agent_browser).await;

    // The connection goes; the visitor writes, sees "reconnecting", and leaves.
    canal.stop().await;
    widget.send("v01 written offline").await;
    widget.send("v02 also offline").await;
    let status = widget.find("status").await;
    eventually("the reconnecting notice", || async {
        let text = status.text().await.ok()?;
        text.contains("Reconnecting").then_some(())
    })
    .await;
    assert_eq!(
        shown(&visitor_browser).await,
        vec![
            ("v00".to_owned(), false),
            ("v01".to_owned(), true),
            ("v02".to_owned(), true)
        ]
    );
    widget.leave().await;
    visitor_browser
        .client
        .goto("about:blank")
        .await
        .expect("leave the page");

    // The server is back; Ana answers while the visitor is away.
    canal.restart().await;
    console.reply("a01 while you were away").await;
    eventually_within("Ana's reply to be stored", RECOVERY, || async {
        (stored(&canal).await.len() == 2).then_some(())
    })
    .await;

    // The visitor returns: the outbox goes out, Ana's reply is there.
    visitor_browser
        .client
        .goto(&host.url)
        .await
        .expect("return");
    widget.open().await;
    let expected = eventually_within("the offline messages to be stored", RECOVERY, || async {
        let stored = stored(&canal).await;
        (stored.len() == 4).then_some(stored)
    })
    .await;
    assert_eq!(expected, ["v00", "a01", "v01", "v02"]);
    until_shown(
        "the visitor to see the whole conversation",
        &visitor_browser,
        &expected,
    )
    .await;
    until_shown("Ana to see the offline messages", &agent_browser, &expected).await;
    visitor_browser.close().await;
    agent_browser.close().await;
}

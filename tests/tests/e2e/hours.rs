//! Working hours end to end: while the channel is closed the widget says so above the
//! composer, with the opening time in the visitor's language and clock, and the
//! visitor's first message is answered by the channel's out-of-hours reply.

use std::time::{SystemTime, UNIX_EPOCH};

use canal_e2e::{eventually, save_screenshot, visit, Widget};
use fantoccini::Locator;
use serde_json::json;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const REPLY: &str = "Thanks for writing! We are closed now and will answer when we open.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_channel_shows_the_away_notice_and_answers_the_first_message() {
    let (canal, _host, browser) = visit().await;
    // Open only 12:00-13:00 UTC on the weekday three days from now: closed now, and
    // the opening falls on that weekday in any browser time zone within 11 hours.
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        / 86_400;
    // 1970-01-01 was a Thursday (Monday-first index 3).
    let weekday = usize::try_from((days + 3 + 3) % 7).expect("index");
    let hours = json!({
        "time_zone": "UTC",
        "days": {DAYS[weekday]: [{"from": "12:00", "to": "13:00"}]},
        "out_of_hours_reply": REPLY,
    });
    let (status, body) = canal.admin("PUT", "/channels/demo/hours", &hours).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["open"], false, "{body}");
    let (status, config) = canal
        .request("GET", "/api/v1/channels/demo/config", &json!(null), false)
        .await;
    assert_eq!(status, 200);
    let opens_at = config["hours"]["opens_at"]
        .as_str()
        .expect("an opening time")
        .to_owned();
    assert!(opens_at.ends_with("T12:00:00Z"), "{opens_at}");

    let widget = Widget::new(&browser);
    widget.open().await;
    let notice = widget.find("away").await;
    let text = notice.text().await.expect("text");
    assert!(
        text.starts_with(
            "We're away right now. Leave a message and we'll answer when we're back on "
        ),
        "{text}"
    );
    assert!(text.contains(WEEKDAYS[weekday]), "{text}");
    assert!(text.ends_with('.'), "{text}");
    // 12:00 UTC on the visitor's clock, as their browser writes it.
    let clock = browser
        .js(&format!(
            "return new Date('{opens_at}').toLocaleTimeString('en', {{hour: 'numeric', minute: '2-digit'}});"
        ))
        .await;
    let clock = clock.as_str().expect("a time");
    assert!(text.contains(clock), "{text} lacks {clock}");
    // Above the composer.
    let above = browser
        .js("const a = document.querySelector('[data-testid=away]'); \
             const c = document.querySelector('[data-testid=composer-input]'); \
             return !!(a.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);")
        .await;
    assert_eq!(above, true);

    let first = "Hello, is anyone there?";
    widget.send(first).await;
    widget.accept(first).await;
    let client = &browser.client;
    eventually("the out-of-hours reply", || async {
        let notes = client
            .find_all(Locator::Css("[data-testid=message][data-author=system]"))
            .await
            .ok()?;
        for note in notes {
            let text = note.text().await.ok()?;
            if text.contains(REPLY) {
                return Some(());
            }
        }
        None
    })
    .await;
    save_screenshot(
        "widget-out-of-hours.png",
        &client.screenshot().await.expect("png"),
    );
    let order = browser
        .js("return [...document.querySelectorAll('[data-testid=message]')].map(m => m.dataset.author);")
        .await;
    assert_eq!(
        order,
        json!(["visitor", "system"]),
        "the reply answers the message"
    );
    let messages: Vec<(String, String)> =
        sqlx::query_as("SELECT author, body FROM messages ORDER BY conversation_id, seq")
            .fetch_all(&canal.db)
            .await
            .expect("read");
    assert_eq!(
        messages,
        [
            ("visitor".to_owned(), first.to_owned()),
            ("system".to_owned(), REPLY.to_owned()),
        ]
    );
    browser.close().await;
}

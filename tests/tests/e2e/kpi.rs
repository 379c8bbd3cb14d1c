//! Response-time KPIs end to end: a visitor left waiting past the channel's limit
//! sends the chosen supervisor a notice, live in her console, whose conversation
//! link opens the conversation; and the admin console's reports page lists the
//! conversation with its figures and draws each agent's chart. The minutes pass in
//! the store (the timers' due times are moved into the past), not on the clock.
//!
//! Leaves screenshots (`target/screenshots/kpi-overdue.png`, `kpi-reports.png`).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};
use serde_json::json;

/// The pending timers fall due, as if their minutes had passed.
async fn time_passes(canal: &Canal) {
    sqlx::query("UPDATE timers SET due_at = '2000-01-01T00:00:00.000Z' WHERE fired_at IS NULL")
        .execute(&canal.db)
        .await
        .expect("due now");
}

/// How many visible elements `css` selects.
async fn count(browser: &Browser, css: &str) -> u64 {
    browser
        .js(&format!(
            "return Array.from(document.querySelectorAll({css:?}))\
               .filter(e => !e.closest('[hidden]')).length;"
        ))
        .await
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overdue_notice_reaches_the_chosen_supervisor_and_opens_the_conversation() {
    let canal = Canal::start_with_agents(
        &[
            ("ana@shop.example", "Ana Souza"),
            ("sue@shop.example", "Sue Lee"),
        ],
        "evenly",
    )
    .await;
    canal
        .admin_ok("PATCH", "/agents/2", &json!({"role": "supervisor"}))
        .await;
    canal
        .admin_ok("PUT", "/channels/demo/managers", &json!({"agent_ids": [2]}))
        .await;
    canal
        .admin_ok(
            "PUT",
            "/channels/demo/automation",
            &json!({"kpi_first_minutes": 5, "kpi_notify_agent_id": 2,
                    "kpi_notice_text": "#OPERATOR# has kept #DIALOG# waiting"}),
        )
        .await;
    let host = HostPage::start(&canal).await;
    let sue_browser = Browser::start().await;
    let sue = Console::sign_in(&sue_browser, &canal, "sue@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Is the blue one in stock?").await;
    let id: String = sqlx::query_scalar("SELECT id FROM conversations")
        .fetch_one(&canal.db)
        .await
        .expect("the conversation");
    assert_eq!(count(&sue_browser, "[data-testid=overdue-notice]").await, 0);

    time_passes(&canal).await;
    eventually("the notice in Sue's console", || async {
        (count(&sue_browser, "[data-testid=overdue-notice]").await == 1).then_some(())
    })
    .await;
    let notices = sue.find("overdue-notices").await;
    assert_eq!(
        sue.find("overdue-count").await.text().await.expect("count"),
        "1",
        "one new notice"
    );
    notices.click().await.expect("open the panel");
    // Looked at: read, here and on the server.
    eventually("the notice read on the server", || async {
        let read: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM kpi_notices WHERE read_at IS NOT NULL")
                .fetch_one(&canal.db)
                .await
                .ok()?;
        (read == 1).then_some(())
    })
    .await;
    let notice = sue.find("overdue-notice").await;
    let text = notice.text().await.expect("text");
    assert!(
        text.ends_with(&format!("(no agent) has kept {id} waiting")),
        "{text}"
    );
    save_screenshot(
        "kpi-overdue.png",
        &sue_browser.client.screenshot().await.expect("screenshot"),
    );
    // The id is a link to the conversation.
    let link = sue.find("overdue-open").await;
    assert_eq!(link.text().await.expect("id"), id);
    link.click().await.expect("open it");
    eventually("the conversation open", || async {
        let view = sue.find("conversation-view").await;
        let shown = view.attr("data-conversation-id").await.ok()??;
        (shown == id).then_some(())
    })
    .await;
    sue_browser
        .wait_text("the visitor's message", "Is the blue one in stock?")
        .await;
    // Stored: a console opened later lists it too.
    let later = Browser::start().await;
    let again = Console::sign_in(&later, &canal, "sue@shop.example").await;
    let listed = again.find("overdue-notice").await;
    assert_eq!(
        listed
            .attr("data-read")
            .await
            .expect("attribute")
            .as_deref(),
        Some("true"),
        "read before"
    );
    let unread = again.find("overdue-count").await;
    assert!(
        unread.attr("hidden").await.expect("attribute").is_some(),
        "no count of new notices"
    );
    assert_eq!(canal.count("kpi_notices").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_page_lists_the_figures_and_draws_each_agent_s_chart() {
    let canal = Canal::start_with_admin().await;
    let host = HostPage::start(&canal).await;
    let browser = Browser::start().await;
    let console = Console::sign_in(&browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Do you ship to Lisbon?").await;
    console.take_offer().await;
    console.reply("Yes, in two days.").await;
    visitor_browser
        .wait_text("the answer", "Yes, in two days.")
        .await;
    // The wait took 90 seconds, as the store says.
    sqlx::query(
        "UPDATE messages SET created_at = CASE author
            WHEN 'visitor' THEN '2030-01-07T10:00:00.000Z'
            ELSE '2030-01-07T10:01:30.000Z' END",
    )
    .execute(&canal.db)
    .await
    .expect("times");

    console.click("reports-link", "open the reports").await;
    eventually("the report's row", || async {
        (count(&browser, "[data-testid=report-row]").await == 1).then_some(())
    })
    .await;
    assert_eq!(
        console
            .find("report-first")
            .await
            .text()
            .await
            .expect("first"),
        "1:30"
    );
    assert_eq!(
        console.find("report-max").await.text().await.expect("max"),
        "1:30"
    );
    // The agent's chart: one bar, for the day of the answer.
    let chart = console.find("agent-chart").await;
    assert_eq!(
        chart.attr("role").await.expect("role").as_deref(),
        Some("img")
    );
    eventually("one bar", || async {
        (count(
            &browser,
            "[data-testid=agent-chart] [data-testid=chart-bar]",
        )
        .await
            == 1)
            .then_some(())
    })
    .await;
    let tooltip = browser
        .js("return document.querySelector('[data-testid=chart-bar] title').textContent;")
        .await;
    assert_eq!(tooltip.as_str(), Some("2030-01-07: 1:30"));
    assert_eq!(
        console
            .find("agent-responses")
            .await
            .text()
            .await
            .expect("responses"),
        "1"
    );
    // Sorting asks the server again; the CSV link carries the same query.
    console
        .find("sort-max_response")
        .await
        .click()
        .await
        .expect("sort");
    eventually("sorted", || async {
        let csv = console.find("report-csv").await.attr("href").await.ok()??;
        (csv.ends_with("sort=-max_response&format=csv")).then_some(())
    })
    .await;
    save_screenshot(
        "kpi-reports.png",
        &browser.client.screenshot().await.expect("screenshot"),
    );
}

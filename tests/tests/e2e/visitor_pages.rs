//! Where the visitor is, in Chromium: the conversation's header in the console
//! shows the page it started on with that page's UTM tags, and, once the visitor
//! opens the chat on another page of the site, that page as where they are now.
//!
//! Leaves a screenshot (`target/screenshots/console-visitor-page.png`).

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_the_start_page_s_tags_and_the_page_the_visitor_is_on_now() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let ana_browser = Browser::start().await;
    let ana = Console::sign_in(&ana_browser, &canal, "ana@shop.example").await;
    let visitor_browser = Browser::open(&host.url).await;
    let widget = Widget::new(&visitor_browser);
    widget.start_chat("Do you ship to Porto?").await;
    ana.take_offer().await;

    let start = ana.find("page-start").await;
    assert_eq!(
        start.text().await.expect("text"),
        format!("Page: {}", host.url)
    );
    let utm = ana.find("utm").await;
    assert_eq!(
        utm.text().await.expect("text"),
        "UTM: source=newsletter · campaign=spring"
    );

    // The visitor goes on to the cart and opens the chat there.
    let cart = format!("{}/landing?step=cart", host.origin);
    widget.leave().await;
    visitor_browser
        .client
        .goto(&cart)
        .await
        .expect("open the cart");
    widget.open().await;
    widget.wait_sent("Porto").await;
    let now = eventually("where the visitor is now", || async {
        let now = ana_browser
            .client
            .find(fantoccini::Locator::Css("[data-testid=page-now]"))
            .await
            .ok()?;
        now.text().await.ok()
    })
    .await;
    assert_eq!(now, format!("Now on: {cart}"));
    let link = ana.find("page-now").await;
    let href = link
        .find(fantoccini::Locator::Css("a"))
        .await
        .expect("a link")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(href.as_deref(), Some(cart.as_str()));
    save_screenshot(
        "console-visitor-page.png",
        &ana_browser.client.screenshot().await.expect("screenshot"),
    );
}

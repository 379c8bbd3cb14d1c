//! The console in the agent's language, end to end: the real server and console
//! build, in a Chromium whose preferred language is Spanish.

use canal_e2e::{eventually, save_screenshot, Browser, Canal, Console, HostPage, Widget};

/// Whether the page's text shows `text` (headings are upper case by CSS, and
/// `innerText` says so: compared without case).
fn shows(page: &str, text: &str) -> bool {
    page.to_lowercase().contains(&text.to_lowercase())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_whose_browser_prefers_spanish_sees_the_console_in_spanish() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let host = HostPage::start(&canal).await;
    let agent_browser = Browser::start_in_language("es").await;
    assert_eq!(
        agent_browser.js("return navigator.language;").await,
        "es",
        "Chromium took the language"
    );
    let console = Console::sign_in(&agent_browser, &canal, "ana@shop.example").await;
    let lang = || async {
        agent_browser
            .js("return document.documentElement.lang;")
            .await
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(lang().await.as_deref(), Some("es"));
    let page = console.text().await;
    for spanish in [
        "Ofrecidas a mí",
        "Mías",
        "Cerrar sesión",
        "En línea",
        "Elige una conversación de la bandeja.",
    ] {
        assert!(shows(&page, spanish), "{spanish:?} in\n{page}");
    }
    assert!(!page.contains("Sign out"), "{page}");

    // A visitor writes; the offer shows up with its Spanish buttons.
    let visitor_browser = Browser::open(&host.url).await;
    Widget::new(&visitor_browser)
        .start_chat("¿Tenéis la azul en stock?")
        .await;
    console.take_offer().await;
    console.find("reply-input").await;
    eventually("the conversation in Spanish", || async {
        let page = console.text().await;
        (shows(&page, "Tuya") && shows(&page, "Cerrar conversación")).then_some(())
    })
    .await;
    let png = agent_browser.client.screenshot().await.expect("screenshot");
    save_screenshot("console-es.png", &png);

    // The picker switches to Russian at once, and a new visit keeps it.
    agent_browser
        .js(r#"var s = document.querySelector("[data-testid=language]");
            s.value = "ru"; s.dispatchEvent(new Event("change", { bubbles: true }));
            return null;"#)
        .await;
    eventually("the console in Russian", || async {
        shows(&console.text().await, "Закрыть диалог").then_some(())
    })
    .await;
    assert_eq!(lang().await.as_deref(), Some("ru"));
    agent_browser.client.refresh().await.expect("reload");
    eventually("the console in Russian after a reload", || async {
        shows(&console.text().await, "Выйти").then_some(())
    })
    .await;
}

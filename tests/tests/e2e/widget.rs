//! The walking skeleton end to end: a customer's page on `localhost` embeds the
//! snippet of a Canal server on `127.0.0.1`; a visitor opens the chat in headless
//! Chromium, accepts or declines the agreement, and the database shows the result.
//! The page's JS API (`Canal(...)` before the loader arrives, `Canal.open()` and
//! events after) is driven the way a site's own scripts would.

use canal_e2e::{
    eventually, group_members, save_screenshot, visit, Browser, Canal, HostPage, Widget,
    AGENT_PASSWORD,
};
use fantoccini::Locator;
use serde_json::{json, Value};
use tokio::sync::oneshot;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_the_click_the_host_page_has_no_canal_storage_and_no_wasm() {
    let (canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.launcher().await;

    let storage = widget.storage().await;
    assert_eq!(storage["cookie"], "");
    assert_eq!(storage["local"], 0);
    assert_eq!(storage["session"], 0);
    let fetched = browser
        .js("return performance.getEntriesByType('resource').map(e => e.name);")
        .await;
    let fetched: Vec<String> = serde_json::from_value(fetched).expect("names");
    assert!(
        fetched
            .iter()
            .any(|url| url.contains("/embed.js?channel=demo")),
        "the loader itself was fetched: {fetched:?}"
    );
    assert!(
        !fetched
            .iter()
            .any(|url| url.contains(".wasm") || url.contains("/widget/") || url.contains("/api/")),
        "nothing but the loader before intent: {fetched:?}"
    );
    let frames = browser
        .js("return document.querySelector('#canal-root').shadowRoot.querySelectorAll('iframe').length;")
        .await;
    assert_eq!(frames, 0, "no frame before intent");
    assert_eq!(canal.count("visitors").await, 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_records_consent_with_the_host_page_and_delivers_the_message() {
    let (canal, host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;
    // No agent has the console open: the window says so before anything is written.
    let notice = widget.find("away").await.text().await.expect("text");
    assert!(
        notice.starts_with("Nobody is online right now."),
        "{notice}"
    );

    let text = "Hello! Do you ship to Lisbon?";
    widget.send(text).await;
    let prompt = widget.find("consent-prompt").await;
    assert!(prompt.text().await.expect("text").contains("personal data"));
    save_screenshot(
        "consent-prompt.png",
        &browser.client.screenshot().await.expect("png"),
    );
    widget.accept(text).await;
    save_screenshot(
        "widget-open.png",
        &browser.client.screenshot().await.expect("png"),
    );

    let version = canal
        .store
        .channel_by_key("demo")
        .await
        .expect("read")
        .and_then(|c| c.consent_agreement_id)
        .expect("agreement");
    let version = canal
        .store
        .latest_version(&version)
        .await
        .expect("read")
        .expect("version");
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("SELECT page_url, ip, agreement_version_id, source FROM consents")
            .fetch_all(&canal.db)
            .await
            .expect("consents");
    assert_eq!(
        rows,
        [(
            host.url.clone(),
            "127.0.0.1".to_owned(),
            version.id,
            "livechat".to_owned()
        )]
    );
    let messages: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.consent_id, m.body FROM conversations c JOIN messages m ON m.conversation_id = c.id",
    )
    .fetch_all(&canal.db)
    .await
    .expect("messages");
    let consent_id: String = sqlx::query_scalar("SELECT id FROM consents")
        .fetch_one(&canal.db)
        .await
        .expect("consent id");
    assert_eq!(messages, [(consent_id, text.to_owned())]);
    assert_eq!(canal.count("conversations").await, 1);
    // The message shows, under its text, when the server stored it: on the
    // visitor's clock, written the browser's way for their language (today: the time
    // alone).
    let stored_at: String = sqlx::query_scalar("SELECT created_at FROM messages")
        .fetch_one(&canal.db)
        .await
        .expect("stored time");
    let shown = browser
        .js(&format!(
            r#"var m = document.querySelector('[data-testid=message][data-status=sent]');
               return [m.getAttribute('data-time'), getComputedStyle(m, '::after').content,
                       new Date({stored_at:?}).toLocaleTimeString('en',
                           {{hour: 'numeric', minute: '2-digit'}})];"#
        ))
        .await;
    let expected = shown[2].as_str().expect("the expected time").to_owned();
    assert!(expected.contains(':'), "{shown}");
    assert_eq!(shown[0], expected.as_str(), "{shown}");
    assert_eq!(
        shown[1],
        format!("{expected:?}"),
        "drawn on screen: {shown}"
    );
    // Only now may the frame keep something.
    assert_eq!(widget.storage().await["local"], 1);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_sends_nothing_and_leaves_no_trace() {
    let (canal, _host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;
    // Every request and socket the frame opens from now on is noted (resource
    // timings never list sockets).
    browser.js(RECORD_CONTACTS).await;

    let text = "Just looking, thanks";
    widget.send(text).await;
    widget
        .find("consent-decline")
        .await
        .click()
        .await
        .expect("decline");
    eventually("the prompt to close", || async {
        match browser
            .client
            .find(Locator::Css("[data-testid=consent-prompt]"))
            .await
        {
            Err(_) => Some(()),
            Ok(_) => None,
        }
    })
    .await;
    let unsent = widget
        .find("composer-input")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        unsent.as_deref(),
        Some(text),
        "the text stays with the visitor"
    );
    let delivered = browser
        .client
        .find_all(Locator::Css("[data-testid=message]"))
        .await
        .expect("messages");
    assert!(delivered.is_empty(), "nothing was sent");

    let storage = widget.storage().await;
    assert_eq!(
        (
            storage["cookie"].as_str(),
            storage["local"].as_i64(),
            storage["session"].as_i64()
        ),
        (Some(""), Some(0), Some(0))
    );
    let contacted = browser.js("return window.__contacts;").await;
    assert_eq!(
        contacted,
        json!([]),
        "the frame contacted nothing after decline"
    );
    widget.leave().await;
    let storage = widget.storage().await;
    assert_eq!(
        (
            storage["cookie"].as_str(),
            storage["local"].as_i64(),
            storage["session"].as_i64()
        ),
        (Some(""), Some(0), Some(0))
    );
    for table in ["consents", "visitors", "conversations", "messages"] {
        assert_eq!(canal.count(table).await, 0, "{table}");
    }

    // The watch does see what an Accept opens: the consent, the conversation and
    // the socket.
    let root = browser
        .client
        .find(Locator::Css("#canal-root"))
        .await
        .expect("the loader's root");
    let frame = root
        .shadow_root()
        .await
        .expect("shadow root")
        .find(Locator::Css("iframe"))
        .await
        .expect("the chat frame, still open");
    frame.enter_frame().await.expect("enter frame");
    browser.js(RECORD_CONTACTS).await;
    widget.send(" again").await;
    widget.accept("again").await;
    let contacted = browser.js("return window.__contacts;").await;
    let contacted: Vec<String> = serde_json::from_value(contacted).expect("names");
    for part in ["/consents", "/conversations", "/api/v1/ws"] {
        assert!(
            contacted.iter().any(|c| c.contains(part)),
            "{part} in {contacted:?}"
        );
    }
    browser.close().await;
}

/// Notes in `window.__contacts` each `fetch` (its URL) and each WebSocket (its URL)
/// the current document starts from now on.
const RECORD_CONTACTS: &str = "window.__contacts = []; var realFetch = window.fetch; \
    window.fetch = function (input, init) { \
      window.__contacts.push((input && input.url) || String(input)); \
      return realFetch.apply(this, arguments); }; \
    window.WebSocket = new Proxy(window.WebSocket, { construct: function (target, args) { \
      window.__contacts.push(String(args[0])); return Reflect.construct(target, args); } }); \
    return true;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_frame_renders_only_inside_allowed_sites() {
    // The page is open; the frame is only fetched on the click below.
    let (canal, host, browser) = visit().await;
    let widget = Widget::new(&browser);
    let demo = canal
        .store
        .channel_by_key("demo")
        .await
        .expect("read")
        .expect("demo channel");
    let allow = |origin: &str| vec![origin.to_owned()];
    // The built frame itself: by default its own policy, with no frame-ancestors.
    let frame_policy = || async {
        let response = reqwest::get(format!("{}/widget/?channel=demo", canal.origin()))
            .await
            .expect("get the frame");
        assert_eq!(response.status(), 200, "the built frame is served");
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(response.text().await.expect("html").contains("<script"));
        policy
    };
    let policy = frame_policy().await;
    assert!(
        policy.starts_with("default-src 'none'") && !policy.contains("frame-ancestors"),
        "{policy}"
    );
    canal
        .store
        .set_allowed_origins(&demo.id, Some(&allow("https://shop.example")))
        .await
        .expect("set origins");
    let policy = frame_policy().await;
    assert!(
        policy.ends_with("; frame-ancestors https://shop.example"),
        "{policy}"
    );
    widget
        .launcher()
        .await
        .click()
        .await
        .expect("click launcher");
    let frame = widget.find_css("#canal-root").await;
    let frame = frame
        .shadow_root()
        .await
        .expect("shadow root")
        .find(Locator::Css("iframe"))
        .await
        .expect("frame inserted");
    frame.enter_frame().await.expect("enter frame");
    // The browser refuses the document and shows its own error page instead.
    eventually("the browser to refuse the frame", || async {
        let url = browser.js("return document.URL;").await;
        url.as_str()
            .is_some_and(|u| u.starts_with("chrome-error://"))
            .then_some(())
    })
    .await;
    assert!(browser
        .client
        .find(Locator::Css("[data-testid=composer-input]"))
        .await
        .is_err());
    widget.leave().await;

    // Once the host's site is on the list, the same page shows the chat.
    canal
        .store
        .set_allowed_origins(&demo.id, Some(&allow(&host.origin)))
        .await
        .expect("set origins");
    browser
        .client
        .goto(&host.url)
        .await
        .expect("reload host page");
    widget.open().await;
    widget.find("greeting").await;
    browser.close().await;
}

/// The optional first line of the snippet (README): calls made before the loader
/// has arrived wait in `Canal.q`.
const STUB: &str = "window.Canal=window.Canal||function(){(Canal.q=Canal.q||[]).push(arguments)}";

/// A customer's page whose own script calls the API before the loader arrives:
/// the stub line, then `calls`, then the usual snippet. Served from `localhost`,
/// another origin than Canal's, like [`HostPage`].
struct QueueingPage {
    url: String,
    _stop: oneshot::Sender<()>,
}

impl QueueingPage {
    async fn start(canal: &Canal, calls: &str) -> Self {
        let snippet = canal_server::demo::snippet(&canal.origin(), canal_server::demo::CHANNEL_KEY);
        let html = format!(
            "<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>Tienda</title>\
             <script>{STUB};{calls}</script></head>\
             <body><h1>Una tienda</h1>{snippet}</body></html>"
        );
        let router = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let html = html.clone();
                async move { axum::response::Html(html) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            url: format!("http://localhost:{port}/"),
            _stop: stop,
        }
    }
}

/// Runs `script` on the host page until it returns `expected`.
async fn host_until(browser: &Browser, what: &str, script: &str, expected: Value) {
    eventually(what, || async {
        let value = browser.client.execute(script, vec![]).await.ok()?;
        (value == expected).then_some(())
    })
    .await;
}

/// The launcher's and the frame's state as the host page sees them.
const LOADER_STATE: &str = "const root = document.querySelector('#canal-root');\
    const shadow = root && root.shadowRoot;\
    const frame = shadow && shadow.querySelector('iframe');\
    const button = shadow && shadow.querySelector('[data-testid=canal-launcher]');\
    const badge = shadow && shadow.querySelector('[data-testid=canal-unread]');\
    return {open: !!frame && !frame.hidden, frame: frame ? frame.title : null,\
            label: button && button.getAttribute('aria-label'),\
            badge: badge && !badge.hidden ? badge.textContent : null,\
            title: document.title};";

/// Waits in the frame (entered) for the element of `test_id` to read `text`.
async fn reads(widget: &Widget<'_>, test_id: &str, text: &str) {
    let client = &widget.browser.client;
    eventually(&format!("{test_id} to read {text:?}"), || async {
        let css = format!("[data-testid={test_id}]");
        let element = client.find(Locator::Css(&css)).await.ok()?;
        (element.text().await.ok()?.trim() == text).then_some(())
    })
    .await;
}

/// Waits in the frame (entered) for the send button to read `label`.
async fn send_button_reads(widget: &Widget<'_>, label: &str) {
    reads(widget, "send", label).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_queued_before_the_loader_arrives_run_when_it_does() {
    let canal = Canal::start().await;
    // `open` is queued before the handler that should hear it: handlers go first.
    let page = QueueingPage::start(
        &canal,
        "window.__events = [];\
         Canal('open');\
         Canal('on', 'open', function () { __events.push('open'); });\
         Canal('on', 'close', function () { __events.push('close'); });\
         Canal('setLocale', 'es');",
    )
    .await;
    let browser = Browser::start().await;
    browser.client.goto(&page.url).await.expect("open the page");

    // No click: the queued call opened the chat, and the handler heard it.
    host_until(
        &browser,
        "the queued open",
        "return window.__events;",
        json!(["open"]),
    )
    .await;
    let state = browser.js(LOADER_STATE).await;
    assert_eq!(state["open"], true);
    assert_eq!(state["label"], "Chatea con nosotros");
    assert_eq!(state["frame"], "Ventana de chat");
    assert_eq!(
        browser
            .js("return typeof Canal.open + typeof Canal.on;")
            .await,
        "functionfunction",
        "after load the API is methods too"
    );

    // The frame speaks the language the page chose, whatever the browser's.
    let widget = Widget::new(&browser);
    let frame = widget.find_css("#canal-root").await;
    let frame = frame
        .shadow_root()
        .await
        .expect("shadow root")
        .find(Locator::Css("iframe"))
        .await
        .expect("the frame");
    frame.clone().enter_frame().await.expect("enter frame");
    send_button_reads(&widget, "Enviar").await;
    // The demo channel greets in Spanish too.
    reads(
        &widget,
        "greeting",
        "¡Hola! Pregúntanos lo que quieras: te responde una persona.",
    )
    .await;
    assert_eq!(
        browser.js("return document.documentElement.lang;").await,
        "es"
    );
    let input = widget.find("composer-input").await;
    assert_eq!(
        input
            .attr("placeholder")
            .await
            .expect("placeholder")
            .as_deref(),
        Some("Escribe tu mensaje…")
    );

    // A later call switches the open window at once.
    widget.leave().await;
    browser.js("Canal.setLocale('ru');").await;
    frame.clone().enter_frame().await.expect("enter frame");
    send_button_reads(&widget, "Отправить").await;
    reads(
        &widget,
        "greeting",
        "Здравствуйте! Спрашивайте что угодно: ответит живой человек.",
    )
    .await;
    assert_eq!(
        browser.js("return document.documentElement.lang;").await,
        "ru"
    );
    widget.leave().await;
    assert_eq!(browser.js(LOADER_STATE).await["label"], "Напишите нам");

    browser.js("Canal.close();").await;
    host_until(
        &browser,
        "the close event",
        "return window.__events;",
        json!(["open", "close"]),
    )
    .await;
    assert_eq!(browser.js(LOADER_STATE).await["open"], false);
    assert_eq!(canal.count("visitors").await, 0, "opening stores nothing");
    browser.close().await;
}

/// An agent on the agent socket, driven from a page of the Canal origin in its own
/// browser: signs in, takes the first offer, and replies when told.
const AGENT_SCRIPT: &str = "const [email, password] = arguments;\
    const agent = window.__agent = {taken: null, error: null};\
    fetch('/api/v1/agent/login', {method: 'POST', headers: {'content-type': 'application/json'},\
                                 body: JSON.stringify({email, password})})\
      .then(r => {\
        if (!r.ok) throw new Error('login ' + r.status);\
        const ws = agent.ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/api/v1/agent/ws');\
        ws.onmessage = e => {\
          const f = JSON.parse(e.data);\
          if (f.type === 'welcome') agent.welcome = true;\
          const seen = f.type === 'welcome' ? f.inbox : f.type === 'upsert' ? [f.conversation] : [];\
          for (const c of seen) {\
            if (c.kind === 'offered') ws.send(JSON.stringify({type: 'take', conversation_id: c.id}));\
            if (c.kind === 'mine') agent.taken = c.id;\
          }\
        };\
      })\
      .catch(e => { agent.error = String(e); });";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_reply_while_the_chat_is_closed_counts_as_unread_until_it_opens() {
    let canal = Canal::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
    let agent = Browser::start().await;
    agent
        .client
        .goto(&format!("{}/healthz", canal.origin()))
        .await
        .expect("open a Canal page");
    agent
        .client
        .execute(
            AGENT_SCRIPT,
            vec![json!("ana@shop.example"), json!(AGENT_PASSWORD)],
        )
        .await
        .expect("start the agent");
    host_until(
        &agent,
        "the agent to be online",
        "return !!window.__agent.welcome || window.__agent.error;",
        json!(true),
    )
    .await;

    let host = HostPage::start(&canal).await;
    let browser = Browser::open(&host.url).await;
    let widget = Widget::new(&browser);
    widget.launcher().await;
    browser
        .js("window.__seen = {message: [], unread: [], consent: 0};\
             Canal.on('message', m => __seen.message.push(m));\
             Canal.on('unread', n => __seen.unread.push(n));\
             Canal.on('consent', () => __seen.consent++);")
        .await;

    let text = "Is the blue one in stock?";
    widget.start_chat(text).await;
    widget.leave().await;
    // The page hears that the visitor wrote, never what.
    host_until(
        &browser,
        "the visitor's message event",
        "return [__seen.consent, __seen.message.filter(m => m.author === 'visitor')\
                 .map(m => typeof m.seq + ('text' in m))];",
        json!([1, ["numberfalse"]]),
    )
    .await;
    browser.js("Canal.close();").await;

    let conversation = eventually("the agent to take the conversation", || async {
        let taken = agent.js("return window.__agent.taken;").await;
        taken.as_str().map(str::to_owned)
    })
    .await;
    let reply = "Yes, three left. Shall I keep one?";
    agent
        .client
        .execute(
            "window.__agent.ws.send(JSON.stringify({type: 'reply', conversation_id: arguments[0],\
                                                   client_id: 'r1', text: arguments[1]}));",
            vec![json!(conversation), json!(reply)],
        )
        .await
        .expect("reply");

    // Closed window: the launcher and the title count it; the page gets the text.
    host_until(
        &browser,
        "the unread badge",
        "const s = (() => { LOADER_STATE })(); return [s.badge, s.title];"
            .replace("LOADER_STATE", LOADER_STATE)
            .as_str(),
        json!(["1", "(1) Shop"]),
    )
    .await;
    let seen = browser.js("return __seen;").await;
    let from_agent: Vec<&Value> = seen["message"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["author"] == "agent")
        .collect();
    assert_eq!(from_agent.len(), 1, "{seen}");
    assert_eq!(from_agent[0]["text"], reply);
    assert!(from_agent[0]["seq"].as_u64().is_some_and(|seq| seq > 1));
    assert_eq!(seen["unread"], json!([1]));
    assert!(browser.js(LOADER_STATE).await["label"]
        .as_str()
        .is_some_and(|label| label.contains("1 unread")));
    save_screenshot(
        "widget-unread.png",
        &browser.client.screenshot().await.expect("png"),
    );

    // Opening reads it. In the frame, the reply shows under the agent's name, who
    // now heads the window.
    widget.open().await;
    let author = widget.find("message-author").await;
    assert_eq!(author.text().await.expect("author"), "Ana Souza");
    let heading = widget.find("agent").await.text().await.expect("agent");
    assert!(heading.contains("Ana Souza"), "{heading}");
    save_screenshot(
        "widget-agent-name.png",
        &browser.client.screenshot().await.expect("png"),
    );
    widget.leave().await;
    // Badge and title prefix are gone, the count is back to 0.
    let state = browser.js(LOADER_STATE).await;
    assert_eq!(
        (state["badge"].clone(), state["title"].clone()),
        (Value::Null, json!("Shop"))
    );
    assert_eq!(browser.js("return __seen.unread;").await, json!([1, 0]));
    browser.close().await;
    agent.close().await;
}

/// A browser a test drops (also one that fails before `close`) takes its Chromium
/// with it: nothing of its process group runs afterwards.
#[tokio::test]
async fn a_dropped_browser_leaves_no_chromium_running() {
    let (_canal, _host, browser) = visit().await;
    Widget::new(&browser).open().await;
    let group = browser.process_group();
    assert!(
        group_members(group).len() > 1,
        "chromedriver and Chromium run in the browser's process group"
    );
    drop(browser);
    assert_eq!(group_members(group), Vec::<u32>::new());
}

/// What a visitor's browser downloads: the frame's document and files arrive
/// compressed (brotli for Chromium, gzip for a browser without it), the files named by
/// their content hash are cached for a year and not asked for again on the next
/// visit, and the loader is revalidated by its `ETag` (304, no body).
#[tokio::test]
async fn the_frame_is_served_compressed_and_cached() {
    let (canal, host, browser) = visit().await;
    let widget = Widget::new(&browser);
    widget.open().await;
    let wasm_entries = "return performance.getEntriesByType('resource')\
        .filter(e => e.name.endsWith('.wasm'))\
        .map(e => ({url: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize, \
                    transfer: e.transferSize}));";
    let first = browser.js(wasm_entries).await;
    let wasm = &first[0];
    let url = wasm["url"]
        .as_str()
        .expect("the frame fetched its wasm")
        .to_owned();
    let (encoded, decoded) = (wasm["encoded"].as_u64(), wasm["decoded"].as_u64());
    assert!(
        matches!((encoded, decoded), (Some(e), Some(d)) if e > 0 && e * 2 < d),
        "the wasm travels compressed: {wasm}"
    );

    // What the server says about it, to Chromium and to a gzip-only browser.
    let http = reqwest::Client::new();
    let get = |url: String, accept: &'static str| {
        let request = http.get(url).header("accept-encoding", accept);
        async move { request.send().await.expect("GET") }
    };
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let brotli = get(url.clone(), "gzip, deflate, br, zstd").await;
    assert_eq!(header(&brotli, "content-encoding"), "br");
    assert_eq!(
        header(&brotli, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&brotli, "vary").contains("accept-encoding"));
    let gzip = get(url.clone(), "gzip, deflate").await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    let plain = get(url.clone(), "identity").await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let (brotli, gzip, plain) = (
        brotli.bytes().await.expect("body").len(),
        gzip.bytes().await.expect("body").len(),
        plain.bytes().await.expect("body").len(),
    );
    assert!(brotli < gzip && gzip < plain, "{brotli} < {gzip} < {plain}");
    let document = get(
        format!("{}/widget/?channel=demo", canal.origin()),
        "gzip, deflate, br, zstd",
    )
    .await;
    assert_eq!(header(&document, "content-encoding"), "br");
    assert_eq!(header(&document, "cache-control"), "no-store");
    // The console's document too: its policy names its current start-up script.
    let console = get(
        format!("{}/console/", canal.origin()),
        "gzip, deflate, br, zstd",
    )
    .await;
    assert_eq!(header(&console, "content-encoding"), "br");
    assert_eq!(header(&console, "cache-control"), "no-store");

    // The loader: five minutes, then revalidated.
    let loader = get(
        format!("{}/embed.js", canal.origin()),
        "gzip, deflate, br, zstd",
    )
    .await;
    assert_eq!(header(&loader, "content-encoding"), "br");
    assert_eq!(header(&loader, "cache-control"), "public, max-age=300");
    let etag = header(&loader, "etag");
    assert!(!etag.is_empty());
    let again = http
        .get(format!("{}/embed.js", canal.origin()))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.expect("body").is_empty());

    // The next visit: the frame's wasm comes from the browser's cache, not the network.
    widget.leave().await;
    browser.client.goto(&host.url).await.expect("visit again");
    widget.open().await;
    let second = browser.js(wasm_entries).await;
    assert_eq!(second[0]["url"].as_str(), Some(url.as_str()));
    assert_eq!(second[0]["transfer"].as_u64(), Some(0), "{second}");
}

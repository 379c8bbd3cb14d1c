//! Browser tier: the frame's components in headless Chromium.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p canal-widget --target wasm32-unknown-unknown`
//! (the runner reads `webdriver.json` next to `Cargo.toml`).
//!
//! Components are mounted into a fresh container per test. The chat-window tests
//! replace `fetch` and `WebSocket` with recording fakes, so they check exactly which
//! requests and frames the widget makes, and when it writes `localStorage`.
#![cfg(target_arch = "wasm32")]

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use canal_protocol::admin::{Behaviour, TextFormat};
use canal_protocol::forms::{ContactFormView, FieldName, FormField};
use canal_protocol::hours::HoursStatus;
use canal_protocol::{AgreementView, Author, ChannelConfig, MessageView, VisitorUser};
use canal_protocol::{ClientFrame, ServerFrame};
use canal_widget::{
    api,
    chat::{Agent, Arrival, Status, Transcript},
    components::{ChatWindow, ConsentPrompt, ContactForm, Header, MessageList},
    form::{Checks, Details},
    host::{read_from_host, read_init, read_user, FromHost, HostPage, ToHost},
    i18n::{self, Strings},
    storage,
};
use leptos::{mount::mount_to, prelude::*};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

// ---- helpers -------------------------------------------------------------------

fn window() -> web_sys::Window {
    web_sys::window().expect("window")
}

fn container() -> HtmlElement {
    let document = window().document().expect("document");
    let div = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    div.unchecked_into()
}

fn find(root: &Element, test_id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]"))
        .expect("selector")
}

fn get(root: &Element, test_id: &str) -> Element {
    find(root, test_id).unwrap_or_else(|| panic!("no [data-testid={test_id}]"))
}

fn all(root: &Element, test_id: &str) -> Vec<Element> {
    let list = root
        .query_selector_all(&format!("[data-testid=\"{test_id}\"]"))
        .expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// A real click, as the browser dispatches it.
fn click(root: &Element, test_id: &str) {
    get(root, test_id).unchecked_into::<HtmlElement>().click();
}

fn text(root: &Element, test_id: &str) -> String {
    get(root, test_id).text_content().unwrap_or_default()
}

/// Types into the composer the way a keyboard does: value, then an `input` event.
fn type_into_composer(root: &Element, value: &str) {
    let input: HtmlTextAreaElement = get(root, "composer-input").unchecked_into();
    input.set_value(value);
    let event = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&event).expect("dispatch");
}

fn composer_value(root: &Element) -> String {
    get(root, "composer-input")
        .unchecked_into::<HtmlTextAreaElement>()
        .value()
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timeout");
    });
    JsFuture::from(promise).await.expect("sleep");
}

/// Lets the frame's socket task run what a fake socket event just queued (the kit's
/// socket reads gloo-net's stream in a task of its own): one turn of the microtask
/// queue, no timer.
async fn settle() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .expect("a turn");
}

/// Waits (up to 2 s) until `condition` holds.
async fn until(what: &str, condition: impl Fn() -> bool) {
    until_within(2_000, what, condition).await;
}

/// Waits (up to `ms`) until `condition` holds.
async fn until_within(ms: u32, what: &str, condition: impl Fn() -> bool) {
    for _ in 0..ms / 10 {
        if condition() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

fn canal_keys() -> Vec<String> {
    let storage = window().local_storage().expect("storage").expect("storage");
    (0..storage.length().expect("length"))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(storage::KEY_PREFIX))
        .collect()
}

fn clear_canal_keys() {
    let storage = window().local_storage().expect("storage").expect("storage");
    for key in canal_keys() {
        storage.remove_item(&key).expect("remove");
    }
}

fn agreement() -> AgreementView {
    AgreementView {
        agreement_id: "agr_1".into(),
        version_id: "ver_1".into(),
        title: "Personal data".into(),
        text: "We keep what you write.\n<img src=x onerror=alert(1)>".into(),
        text_format: TextFormat::Plain,
        label: "I agree".into(),
        sha256: "00".into(),
        behaviour: Behaviour::RequiredAutoAccepted,
        redirect_url: None,
        full_text_path: "/agreements/ver_1".into(),
    }
}

fn config(channel: &str) -> ChannelConfig {
    ChannelConfig {
        channel: channel.into(),
        title: "Support".into(),
        greeting: Some("Hello! How can we help?".into()),
        greetings: Default::default(),
        locale: Some("en".into()),
        consent: Some(agreement()),
        theme: Default::default(),
        hours: None,
        offline: false,
        email: false,
        typing_preview: false,
        rating: true,
    }
}

fn counter() -> (Arc<AtomicUsize>, Callback<()>) {
    let count = Arc::new(AtomicUsize::new(0));
    let callback = Callback::new({
        let count = Arc::clone(&count);
        move |()| {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (count, callback)
}

/// Replaces `fetch` and `WebSocket` with the kit's fakes, which record what the app
/// does (see `canal_kit::fake`): `responses` maps a URL suffix, or a method, a space
/// and a URL suffix, to `{status, body}`.
fn install_fakes(responses: Value) {
    canal_kit::fake::install(&responses.to_string());
}

/// Evaluates a JS expression over the fakes and returns it as JSON.
fn fake(expression: &str) -> Value {
    serde_json::from_str(&canal_kit::fake::json(expression)).unwrap_or(Value::Null)
}

fn page() -> HostPage {
    HostPage {
        page_url: "https://shop.example/p?utm_source=news".into(),
        utm: Some(canal_protocol::Utm {
            source: Some("news".into()),
            ..Default::default()
        }),
    }
}

// ---- consent prompt --------------------------------------------------------------

#[wasm_bindgen_test]
fn consent_prompt_accept_runs_only_on_accept() {
    let root = container();
    let (accepted, on_accept) = counter();
    let (declined, on_decline) = counter();
    let _mounted = mount_to(root.clone(), move || {
        view! { <ConsentPrompt agreement=agreement() on_accept=on_accept on_decline=on_decline /> }
    });

    let dialog = get(&root, "consent-prompt");
    assert_eq!(dialog.get_attribute("role").as_deref(), Some("dialog"));
    let title_id = dialog
        .get_attribute("aria-labelledby")
        .expect("aria-labelledby");
    let title = root
        .query_selector(&format!("#{title_id}"))
        .expect("selector")
        .expect("title element");
    assert_eq!(title.text_content().as_deref(), Some("Personal data"));
    assert_eq!(text(&root, "consent-accept"), "I agree");

    click(&root, "consent-accept");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert_eq!(declined.load(Ordering::SeqCst), 0);
}

#[wasm_bindgen_test]
fn an_html_agreement_is_shown_as_the_cleaned_html_with_a_full_text_link() {
    let root = container();
    let (_, on_accept) = counter();
    let (_, on_decline) = counter();
    let html = AgreementView {
        text_format: TextFormat::Html,
        text: "<p>We keep <b>what you write</b>.</p>".into(),
        ..agreement()
    };
    let _mounted = mount_to(root.clone(), move || {
        view! { <ConsentPrompt agreement=html.clone() on_accept=on_accept on_decline=on_decline /> }
    });
    let body = get(&root, "consent-text");
    let bold = body
        .query_selector("b")
        .expect("selector")
        .expect("a <b> element");
    assert_eq!(bold.text_content().as_deref(), Some("what you write"));
    assert_eq!(
        body.text_content().as_deref(),
        Some("We keep what you write.")
    );
    let link = get(&root, "consent-full-text");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/agreements/ver_1")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert!(!get(&root, "consent-accept").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn read_the_full_text_first_keeps_accept_disabled_until_it_is_opened() {
    let root = container();
    let (accepted, on_accept) = counter();
    let (_, on_decline) = counter();
    let strict = AgreementView {
        behaviour: Behaviour::RequiredReadFullText,
        ..agreement()
    };
    let _mounted = mount_to(root.clone(), move || {
        view! { <ConsentPrompt agreement=strict.clone() on_accept=on_accept on_decline=on_decline /> }
    });
    assert!(get(&root, "consent-accept").has_attribute("disabled"));
    click(&root, "consent-accept");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "a disabled button does nothing"
    );

    // Open the full text (the new tab itself is not wanted in a test).
    let link = get(&root, "consent-full-text");
    let no_tab =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| {
            e.prevent_default()
        });
    link.add_event_listener_with_callback("click", no_tab.as_ref().unchecked_ref())
        .expect("listener");
    click(&root, "consent-full-text");
    until("accept to be enabled", || {
        !get(&root, "consent-accept").has_attribute("disabled")
    })
    .await;
    click(&root, "consent-accept");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[wasm_bindgen_test]
fn consent_prompt_decline_runs_only_on_decline_and_stores_nothing() {
    clear_canal_keys();
    let root = container();
    let (accepted, on_accept) = counter();
    let (declined, on_decline) = counter();
    let _mounted = mount_to(root.clone(), move || {
        view! { <ConsentPrompt agreement=agreement() on_accept=on_accept on_decline=on_decline /> }
    });

    click(&root, "consent-decline");
    assert_eq!(declined.load(Ordering::SeqCst), 1);
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
    assert_eq!(canal_keys(), Vec::<String>::new());
}

#[wasm_bindgen_test]
fn agreement_text_is_rendered_as_text() {
    let root = container();
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ConsentPrompt agreement=agreement() on_accept=Callback::new(|()| ()) on_decline=Callback::new(|()| ()) />
        }
    });
    let body = get(&root, "consent-text");
    assert_eq!(
        body.text_content().as_deref(),
        Some("We keep what you write.\n<img src=x onerror=alert(1)>")
    );
    assert!(body.query_selector("img").expect("selector").is_none());
}

// ---- message list ----------------------------------------------------------------

/// A stored message as the server sends it.
fn stored(seq: u64, author: Author, text: &str) -> MessageView {
    MessageView {
        seq,
        author,
        text: text.into(),
        client_id: None,
        sent_at: "2026-01-01T00:00:00Z".into(),
        author_name: None,
        author_avatar: None,
    }
}

fn transcript(stored_messages: Vec<MessageView>, pending: &[(&str, &str)]) -> Transcript {
    let mut transcript = Transcript::default();
    for message in stored_messages {
        transcript.receive(message);
    }
    for (client_id, text) in pending {
        transcript.push_pending((*client_id).into(), (*text).into());
    }
    transcript
}

#[wasm_bindgen_test]
fn message_text_is_rendered_as_literal_text() {
    let root = container();
    let messages = transcript(
        vec![stored(1, Author::Agent, "<b>x</b>")],
        &[("c1", "mine")],
    );
    let _mounted = mount_to(root.clone(), move || {
        view! { <MessageList greeting=Some("Hi <i>there</i>".to_string()) transcript=Memo::new({ let messages = messages.clone(); move |_| messages.clone() }) /> }
    });

    let items = all(&root, "message");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].text_content().as_deref(), Some("<b>x</b>"));
    assert!(items[0].query_selector("b").expect("selector").is_none());
    assert!(items[0].inner_html().contains("&lt;b&gt;"));
    assert_eq!(
        items[0].get_attribute("data-author").as_deref(),
        Some("agent")
    );
    assert_eq!(
        items[0].get_attribute("data-status").as_deref(),
        Some(Status::Sent.as_str())
    );
    assert_eq!(
        items[1].get_attribute("data-author").as_deref(),
        Some("visitor")
    );
    assert_eq!(
        items[1].get_attribute("data-status").as_deref(),
        Some("pending")
    );
    assert_eq!(text(&root, "greeting"), "Hi <i>there</i>");
    let log = root
        .query_selector("[role=log]")
        .expect("selector")
        .expect("log");
    assert_eq!(log.get_attribute("aria-live").as_deref(), Some("polite"));
}

// ---- loader messages -------------------------------------------------------------

#[wasm_bindgen_test]
fn init_messages_are_read_and_anything_else_is_ignored() {
    let init = js_sys::JSON::parse(
        r#"{"type":"canal:init","page_url":"https://shop.example/?utm_medium=cpc",
            "utm":{"medium":"cpc","campaign":7}}"#,
    )
    .expect("json");
    let page = read_init(&init).expect("init");
    assert_eq!(page.page_url, "https://shop.example/?utm_medium=cpc");
    let utm = page.utm.expect("utm");
    assert_eq!(utm.medium.as_deref(), Some("cpc"));
    assert_eq!(utm.campaign, None, "a non-string value is dropped");

    for other in [
        JsValue::NULL,
        JsValue::from_str("canal:init"),
        js_sys::JSON::parse(r#"{"type":"canal:ready"}"#).expect("json"),
        js_sys::JSON::parse(r#"{"type":"canal:init","page_url":"javascript:x"}"#).expect("json"),
        js_sys::JSON::parse(r#"{"type":"canal:init"}"#).expect("json"),
    ] {
        assert_eq!(read_init(&other), None);
    }
}

// ---- the chat window end to end, with fake fetch and WebSocket ---------------------

fn mount_window(
    root: &HtmlElement,
    channel: &'static str,
    page: Option<HostPage>,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    mount_window_told(root, channel, page, None).0
}

/// What the window told the host page, in order.
type Told = Arc<Mutex<Vec<ToHost>>>;

/// The window inside a language the test switches (as `App` provides it), with
/// what it tells the host page recorded.
fn mount_window_told(
    root: &HtmlElement,
    channel: &'static str,
    page: Option<HostPage>,
    language: Option<RwSignal<&'static Strings>>,
) -> (leptos::mount::UnmountHandle<impl Mountable>, Told) {
    let told = Told::default();
    let on_host = Callback::new({
        let told = Arc::clone(&told);
        move |what: ToHost| told.lock().expect("lock").push(what)
    });
    let mounted = mount_to(root.clone(), move || {
        if let Some(language) = language {
            i18n::provide_language(language);
        }
        view! {
            <ChatWindow
                channel=channel
                config=config(channel)
                page=signal(page.clone()).0
                on_close=Callback::new(|()| ())
                on_host=on_host
            />
        }
    });
    (mounted, told)
}

fn told(told: &Told) -> Vec<ToHost> {
    told.lock().expect("lock").clone()
}

#[wasm_bindgen_test]
async fn declining_keeps_the_draft_and_makes_no_request() {
    clear_canal_keys();
    install_fakes(json!({}));
    let root = container();
    let _mounted = mount_window(&root, "decline-test", Some(page()));
    assert_eq!(text(&root, "greeting"), "Hello! How can we help?");

    type_into_composer(&root, "hello there");
    click(&root, "send");
    until("the consent prompt", || {
        find(&root, "consent-prompt").is_some()
    })
    .await;
    assert_eq!(
        canal_keys(),
        Vec::<String>::new(),
        "nothing stored before consent"
    );

    click(&root, "consent-decline");
    until("the prompt to close", || {
        find(&root, "consent-prompt").is_none()
    })
    .await;
    assert_eq!(composer_value(&root), "hello there");
    assert!(all(&root, "message").is_empty(), "no message was sent");
    assert!(text(&root, "status").contains("accept the agreement"));
    assert_eq!(canal_keys(), Vec::<String>::new());
    assert_eq!(fake("window.__canal.requests.length"), json!(0));
    assert_eq!(fake("window.__canal.sockets.length"), json!(0));
    let storage = window()
        .session_storage()
        .expect("storage")
        .expect("storage");
    assert_eq!(storage.length().expect("length"), 0);
    assert_eq!(
        window()
            .document()
            .expect("document")
            .unchecked_into::<web_sys::HtmlDocument>()
            .cookie()
            .expect("cookie"),
        ""
    );
}

#[wasm_bindgen_test]
async fn accepting_records_consent_starts_the_chat_and_sends_the_message() {
    clear_canal_keys();
    install_fakes(json!({
        "/api/v1/channels/accept-test/consents": {"status": 201, "body": {
            "consent_id": "cons_1", "visitor_id": "vis_1",
            "visitor_token": "tok_1", "recorded_at": "2026-01-01T00:00:00Z"}},
        "/api/v1/channels/accept-test/conversations": {"status": 201, "body": {
            "conversation_id": "conv_1", "visitor_token": "tok_1"}}
    }));
    let root = container();
    let (_mounted, host) = mount_window_told(&root, "accept-test", Some(page()), None);

    type_into_composer(&root, "I need help");
    click(&root, "send");
    until("the consent prompt", || {
        find(&root, "consent-prompt").is_some()
    })
    .await;
    click(&root, "consent-accept");

    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    let requests = fake("window.__canal.requests");
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(requests[0]["url"], "/api/v1/channels/accept-test/consents");
    assert_eq!(requests[0]["body"]["agreement_version_id"], "ver_1");
    assert_eq!(
        requests[0]["body"]["page_url"],
        "https://shop.example/p?utm_source=news"
    );
    assert!(requests[0]["body"]["request_id"]
        .as_str()
        .is_some_and(|id| id.len() == 32));
    assert_eq!(
        requests[1]["url"],
        "/api/v1/channels/accept-test/conversations"
    );
    assert_eq!(
        requests[1]["body"],
        json!({"visitor_token": "tok_1", "consent_id": "cons_1",
               "page_url": "https://shop.example/p?utm_source=news",
               "utm": {"source": "news"}})
    );
    let stored = storage::load("accept-test").expect("session stored after consent");
    assert_eq!(stored.visitor_token, "tok_1");
    assert_eq!(stored.conversation_id.as_deref(), Some("conv_1"));

    let messages = all(&root, "message");
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text_content().as_deref(), Some("I need help"));
    assert_eq!(
        messages[0].get_attribute("data-status").as_deref(),
        Some("pending")
    );
    assert_eq!(composer_value(&root), "");

    js_sys::eval("window.__canal.sockets[0].open()").expect("open");
    settle().await;
    assert_eq!(
        fake("window.__canal.sockets[0].sent[0]"),
        json!({"type": "hello", "conversation_id": "conv_1", "visitor_token": "tok_1", "last_seq": 0,
               "page_url": "https://shop.example/p?utm_source=news"}),
        "the hello says which page the chat is open on"
    );
    js_sys::eval(
        r#"window.__canal.sockets[0].deliver({type: "welcome", conversation_id: "conv_1", last_seq: 0})"#,
    )
    .expect("welcome");
    settle().await;
    let send = fake("window.__canal.sockets[0].sent[1]");
    assert_eq!(send["type"], "send");
    assert_eq!(send["text"], "I need help");
    let client_id = send["client_id"].as_str().expect("client id").to_owned();

    js_sys::eval(&format!(
        r#"window.__canal.sockets[0].deliver({{type: "ack", client_id: "{client_id}", seq: 1,
                                                 sent_at: new Date().toISOString()}})"#
    ))
    .expect("ack");
    settle().await;
    until("the message to be sent", || {
        all(&root, "message")[0]
            .get_attribute("data-status")
            .as_deref()
            == Some("sent")
    })
    .await;

    // The agent answers; a replayed copy of the same frame is not shown twice.
    for _ in 0..2 {
        js_sys::eval(
            r#"window.__canal.sockets[0].deliver({type: "message", seq: 2, author: "agent",
                text: "<i>On it</i>", sent_at: "2026-01-01T00:00:02Z"})"#,
        )
        .expect("message");
        settle().await;
    }
    // A later message marks the point by which the duplicate would have shown.
    js_sys::eval(
        r#"window.__canal.sockets[0].deliver({type: "message", seq: 3, author: "agent",
            text: "Anything else?", sent_at: "2026-01-01T00:00:03Z"})"#,
    )
    .expect("message");
    settle().await;
    until("the later message", || {
        all(&root, "message")
            .last()
            .and_then(|m| m.text_content())
            .as_deref()
            == Some("Anything else?")
    })
    .await;
    let messages = all(&root, "message");
    assert_eq!(messages.len(), 3, "the replayed copy is not shown twice");
    assert_eq!(messages[1].text_content().as_deref(), Some("<i>On it</i>"));
    assert_eq!(
        messages[1].get_attribute("data-author").as_deref(),
        Some("agent")
    );

    // A second message goes straight over the same socket.
    type_into_composer(&root, "thanks");
    get(&root, "composer-input")
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &{
                let init = web_sys::KeyboardEventInit::new();
                init.set_key("Enter");
                init.set_cancelable(true);
                init
            })
            .expect("keydown"),
        )
        .expect("dispatch");
    until("the second send", || {
        fake("window.__canal.sockets[0].sent.length") == json!(3)
    })
    .await;
    assert_eq!(
        fake("window.__canal.sockets[0].sent[2].text"),
        json!("thanks")
    );
    assert_eq!(fake("window.__canal.sockets.length"), json!(1));
    // Besides consent and conversation, only the contact form was asked for (once
    // the conversation existed; this channel has none): the messages went over the
    // socket.
    assert_eq!(
        fake("window.__canal.requests.map(function (r) { return r.method + ' ' + r.url; })"),
        json!([
            "POST /api/v1/channels/accept-test/consents",
            "POST /api/v1/channels/accept-test/conversations",
            "GET /api/v1/channels/accept-test/form"
        ])
    );

    // The host page heard of the consent and of each new message once: the
    // visitor's without its text, the agent's with it.
    let arrival = |author, seq, text: Option<&str>| {
        ToHost::Message(Arrival {
            author,
            seq,
            text: text.map(Into::into),
        })
    };
    assert_eq!(
        told(&host),
        [
            ToHost::Consent,
            arrival(Author::Visitor, 1, None),
            arrival(Author::Agent, 2, Some("<i>On it</i>")),
            arrival(Author::Agent, 3, Some("Anything else?")),
        ]
    );
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn a_returning_visitor_skips_consent_and_resumes() {
    clear_canal_keys();
    install_fakes(json!({}));
    storage::save(
        "resume-test",
        &storage::StoredSession {
            visitor_token: "tok_9".into(),
            consent_id: Some("cons_9".into()),
            conversation_id: Some("conv_9".into()),
            outbox: Vec::new(),
        },
    );
    let root = container();
    let _mounted = mount_window(&root, "resume-test", None);

    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval("window.__canal.sockets[0].open()").expect("open");
    settle().await;
    assert_eq!(
        fake("window.__canal.sockets[0].sent[0]"),
        json!({"type": "hello", "conversation_id": "conv_9", "visitor_token": "tok_9", "last_seq": 0})
    );
    js_sys::eval(
        r#"var s = window.__canal.sockets[0];
           s.deliver({type: "welcome", conversation_id: "conv_9", last_seq: 2});
           s.deliver({type: "message", seq: 1, author: "visitor", client_id: "old", text: "earlier", sent_at: "t"});
           s.deliver({type: "message", seq: 2, author: "agent", text: "reply", sent_at: "t"});"#,
    )
    .expect("replay");
    settle().await;
    until("the history", || all(&root, "message").len() == 2).await;

    type_into_composer(&root, "back again");
    click(&root, "send");
    until("the send", || {
        fake("window.__canal.sockets[0].sent.length") == json!(2)
    })
    .await;
    assert!(find(&root, "consent-prompt").is_none());
    // No consent or conversation request: only the contact form, asked for once the
    // resumed conversation was welcomed.
    assert_eq!(
        fake("window.__canal.requests.map(function (r) { return r.method + ' ' + r.url; })"),
        json!(["GET /api/v1/channels/resume-test/form"])
    );
    clear_canal_keys();
}

/// The server lost what it had acknowledged (a restored database): after a reconnect
/// its `welcome` names a newest message below what the frame saw. The frame drops the
/// agent's message the server no longer has and sends the visitor's own again, under
/// its client id, with what was waiting in the outbox.
#[wasm_bindgen_test]
async fn a_welcome_behind_the_frame_drops_what_the_server_lost_and_resends_the_outbox() {
    clear_canal_keys();
    install_fakes(json!({}));
    let channel = "rewind-test";
    storage::save(
        channel,
        &storage::StoredSession {
            visitor_token: "tok_r".into(),
            consent_id: Some("cons_r".into()),
            conversation_id: Some("conv_r".into()),
            outbox: Vec::new(),
        },
    );
    let root = container();
    let _mounted = mount_window(&root, channel, None);
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_r", last_seq: 3});
           s.deliver({type: "message", seq: 1, author: "visitor", client_id: "c1", text: "hello", sent_at: "t"});
           s.deliver({type: "message", seq: 2, author: "agent", text: "kept reply", sent_at: "t"});
           s.deliver({type: "message", seq: 3, author: "visitor", client_id: "c3", text: "lost question", sent_at: "t"});
           s.deliver({type: "message", seq: 4, author: "agent", text: "lost reply", sent_at: "t"});"#,
    )
    .expect("history");
    settle().await;
    until("the history", || all(&root, "message").len() == 4).await;

    // The connection drops; a message written meanwhile waits in the outbox.
    js_sys::eval("var s = window.__canal.sockets[0]; s.drop();").expect("drop");
    settle().await;
    type_into_composer(&root, "still there?");
    click(&root, "send");
    // The first retry comes after 1 s ± 20 %.
    until_within(3_000, "the reconnect", || {
        fake("window.__canal.sockets.length") == json!(2)
    })
    .await;
    js_sys::eval("window.__canal.sockets[1].open()").expect("open");
    settle().await;
    assert_eq!(
        fake("window.__canal.sockets[1].sent[0]"),
        json!({"type": "hello", "conversation_id": "conv_r", "visitor_token": "tok_r", "last_seq": 4})
    );
    // The server has messages up to 2 only.
    js_sys::eval(
        r#"window.__canal.sockets[1].deliver({type: "welcome", conversation_id: "conv_r", last_seq: 2});"#,
    )
    .expect("welcome");
    settle().await;
    until("the lost agent message to go", || {
        all(&root, "message").len() == 4
    })
    .await;
    let shown: Vec<(String, String)> = all(&root, "message")
        .iter()
        .map(|m| {
            (
                m.text_content().unwrap_or_default(),
                m.get_attribute("data-status").unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        shown[0].0.contains("hello") && shown[0].1 == "sent",
        "{shown:?}"
    );
    assert!(shown[1].0.contains("kept reply"), "{shown:?}");
    assert!(
        shown[2].0.contains("lost question") && shown[2].1 == "pending",
        "{shown:?}"
    );
    assert!(
        shown[3].0.contains("still there?") && shown[3].1 == "pending",
        "{shown:?}"
    );
    assert!(
        !shown.iter().any(|(text, _)| text.contains("lost reply")),
        "{shown:?}"
    );
    // Sent again in the order written, the lost one under its old client id; both
    // also kept in the stored outbox until acknowledged.
    assert_eq!(
        fake("window.__canal.sockets[1].sent.slice(1).map(function (f) { return f.type + ' ' + f.text; })"),
        json!(["send lost question", "send still there?"])
    );
    assert_eq!(
        fake("window.__canal.sockets[1].sent[1].client_id"),
        json!("c3")
    );
    let outbox: Vec<String> = storage::load(channel)
        .map(|s| s.outbox.into_iter().map(|(_, text)| text).collect())
        .unwrap_or_default();
    assert_eq!(outbox, ["lost question", "still there?"]);
    clear_canal_keys();
}

// ---- agents' names, notices, the host page's events and language ------------------

fn named(seq: u64, name: &str, avatar: Option<&str>, text: &str) -> MessageView {
    MessageView {
        author_name: Some(name.into()),
        author_avatar: avatar.map(Into::into),
        ..stored(seq, Author::Agent, text)
    }
}

/// `at` as the browser writes it in `lang` with these `Intl` options, on this
/// machine's clock: what the visitor should see.
fn intl(at: &str, lang: &str, options: &str) -> String {
    let options = js_sys::JSON::parse(options).expect("options");
    js_sys::Date::new(&JsValue::from_str(at))
        .to_locale_string(lang, &options)
        .into()
}

#[wasm_bindgen_test]
async fn stored_messages_show_when_they_were_sent_on_the_visitors_clock_and_in_their_language() {
    let root = container();
    // Noon UTC: the 16th of January on any clock within 11 hours of UTC.
    let earlier = "2030-01-16T12:05:00Z";
    let now = String::from(js_sys::Date::new_0().to_iso_string());
    let messages = transcript(
        vec![
            MessageView {
                sent_at: earlier.into(),
                ..stored(1, Author::Agent, "Earlier")
            },
            MessageView {
                sent_at: now.clone(),
                ..stored(2, Author::Agent, "Just now")
            },
            MessageView {
                sent_at: "not a time".into(),
                ..stored(3, Author::Agent, "Odd")
            },
        ],
        &[("c1", "mine")],
    );
    let language = RwSignal::new(&i18n::EN);
    let _mounted = mount_to(root.clone(), move || {
        i18n::provide_language(language);
        view! { <MessageList greeting=None transcript=Memo::new({ let messages = messages.clone(); move |_| messages.clone() }) /> }
    });
    // The time is drawn by the style sheet from `data-time`, after the text (the
    // end-to-end tests see it on screen).
    let time = |at: usize| all(&root, "message")[at].get_attribute("data-time");
    let shown = |at: usize| time(at).unwrap_or_default();
    const DAY: &str = r#"{"month":"short","day":"numeric","hour":"numeric","minute":"2-digit"}"#;
    const CLOCK: &str = r#"{"hour":"numeric","minute":"2-digit"}"#;

    // Another day: the day and the time; today: the time alone.
    assert_eq!(shown(0), intl(earlier, "en", DAY));
    assert!(shown(0).starts_with("Jan 16"), "{}", shown(0));
    assert_eq!(shown(1), intl(&now, "en", CLOCK));
    assert!(!shown(1).contains("Jan"), "{}", shown(1));
    // No time for a malformed one, nor for a message still on its way.
    assert!(time(2).is_none());
    assert!(time(3).is_none());
    assert_eq!(
        all(&root, "message")[3]
            .get_attribute("data-status")
            .as_deref(),
        Some("pending")
    );

    language.set(&i18n::ES);
    until("the Spanish day", || shown(0).contains("ene")).await;
    assert_eq!(shown(0), intl(earlier, "es", DAY));
    assert!(shown(0).starts_with("16 ene"), "{}", shown(0));
    language.set(&i18n::RU);
    until("the Russian day", || shown(0).contains("янв")).await;
    assert_eq!(shown(0), intl(earlier, "ru", DAY));
    assert_eq!(shown(1), intl(&now, "ru", CLOCK));
    assert!(
        !shown(1).contains('M'),
        "24-hour clock in Russian: {}",
        shown(1)
    );
}

#[wasm_bindgen_test]
fn agent_names_and_avatars_head_their_messages_and_system_ones_are_notices() {
    let root = container();
    let messages = transcript(
        vec![
            named(1, "Ana <b>", Some("https://cdn.example/ana.png"), "Hello"),
            named(
                2,
                "Ana <b>",
                Some("https://cdn.example/ana.png"),
                "How can I help?",
            ),
            named(3, "Bo", Some("javascript:alert(1)"), "<img src=x>"),
            stored(4, Author::System, "The chat was transferred"),
        ],
        &[("c1", "mine")],
    );
    let _mounted = mount_to(root.clone(), move || {
        view! { <MessageList greeting=None transcript=Memo::new({ let messages = messages.clone(); move |_| messages.clone() }) /> }
    });

    let authors = all(&root, "message-author");
    assert_eq!(authors.len(), 2, "one name per run of the same agent");
    assert_eq!(authors[0].text_content().as_deref(), Some("Ana <b>"));
    assert!(authors[0].query_selector("b").expect("selector").is_none());
    assert_eq!(authors[1].text_content().as_deref(), Some("Bo"));

    let avatars = all(&root, "avatar");
    assert_eq!(avatars.len(), 1, "a javascript: avatar is not loaded");
    let avatar = &avatars[0];
    assert_eq!(
        avatar.get_attribute("src").as_deref(),
        Some("https://cdn.example/ana.png")
    );
    assert_eq!(avatar.get_attribute("alt").as_deref(), Some(""));
    assert_eq!(
        avatar.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );

    let items = all(&root, "message");
    assert_eq!(items.len(), 5);
    assert!(items[0]
        .text_content()
        .is_some_and(|t| t.ends_with("Hello")));
    assert_eq!(
        items[2].text_content().as_deref(),
        Some("Bo<img src=x>"),
        "the text stays text"
    );
    assert!(items[2].query_selector("img").expect("selector").is_none());
    assert!(items[3].class_list().contains("cn-note"));
    assert!(!items[0].class_list().contains("cn-note"));
    assert_eq!(
        items[4].get_attribute("data-author").as_deref(),
        Some("visitor")
    );
}

#[wasm_bindgen_test]
async fn the_header_names_the_agent_when_there_is_one() {
    let root = container();
    let (agent, set_agent) = signal(None::<Agent>);
    let _mounted = mount_to(root.clone(), move || {
        let agent = Memo::new(move |_| agent.get());
        view! { <Header title="Support" on_close=Callback::new(|()| ()) agent=agent /> }
    });
    assert_eq!(text(&root, "title"), "Support");
    assert!(find(&root, "agent").is_none());
    set_agent.set(Some(Agent {
        name: "Ana".into(),
        avatar: Some("/avatars/ana.png".into()),
    }));
    until("the agent's name", || find(&root, "agent").is_some()).await;
    assert_eq!(text(&root, "agent"), "Ana");
    assert_eq!(
        get(&root, "avatar").get_attribute("src").as_deref(),
        Some("/avatars/ana.png")
    );
}

#[wasm_bindgen_test]
async fn unsent_messages_are_kept_until_acknowledged_even_across_a_closed_page() {
    clear_canal_keys();
    install_fakes(json!({}));
    let channel = "outbox-test";
    // Written on an earlier visit while the connection was down.
    storage::save(
        channel,
        &storage::StoredSession {
            visitor_token: "tok_7".into(),
            consent_id: Some("cons_7".into()),
            conversation_id: Some("conv_7".into()),
            outbox: vec![("c_old".into(), "written offline".into())],
        },
    );
    let root = container();
    let _mounted = mount_window(&root, channel, None);
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    let messages = all(&root, "message");
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].get_attribute("data-status").as_deref(),
        Some("pending")
    );

    // Written now, before the socket is live: it waits in the stored outbox too.
    type_into_composer(&root, "and now");
    click(&root, "send");
    let outbox = |channel| {
        storage::load(channel).map(|s| {
            s.outbox
                .into_iter()
                .map(|(_, text)| text)
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        outbox(channel),
        Some(vec!["written offline".to_owned(), "and now".to_owned()])
    );
    assert_eq!(fake("window.__canal.sockets[0].sent.length"), json!(0));

    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_7", last_seq: 0});"#,
    )
    .expect("welcome");
    settle().await;
    // Both go out in the order written, the old one under its old client id.
    assert_eq!(
        fake("window.__canal.sockets[0].sent.map(function (f) { return f.type + ' ' + f.text; })"),
        json!(["hello undefined", "send written offline", "send and now"])
    );
    assert_eq!(
        fake("window.__canal.sockets[0].sent[1].client_id"),
        json!("c_old")
    );
    let new_id = fake("window.__canal.sockets[0].sent[2].client_id");

    // The first is acknowledged; the second comes back as a replayed echo.
    js_sys::eval(&format!(
        r#"var s = window.__canal.sockets[0];
           s.deliver({{type: "ack", client_id: "c_old", seq: 1, sent_at: "t"}});
           s.deliver({{type: "message", seq: 2, author: "visitor", client_id: {new_id},
                      text: "and now", sent_at: "t"}});"#
    ))
    .expect("ack and echo");
    settle().await;
    until("both to be sent", || {
        all(&root, "message")
            .iter()
            .all(|m| m.get_attribute("data-status").as_deref() == Some("sent"))
    })
    .await;
    assert_eq!(outbox(channel), Some(Vec::new()), "nothing left to send");
    assert_eq!(all(&root, "message").len(), 2);
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_visitor_rates_the_chat_from_the_menu() {
    clear_canal_keys();
    install_fakes(json!({
        "/conversations/conv_r/rating": {"status": 200,
            "body": {"rating": "dislike", "comment": "Slow", "rated_at": "t"}}
    }));
    storage::save(
        "rate-test",
        &storage::StoredSession {
            visitor_token: "tok_r".into(),
            consent_id: Some("cons_r".into()),
            conversation_id: Some("conv_r".into()),
            outbox: Vec::new(),
        },
    );
    let root = container();
    let _mounted = mount_window(&root, "rate-test", None);
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    let rate_item = |root: &Element| get(root, "menu-rate").has_attribute("hidden");
    assert!(rate_item(&root), "nothing to rate before a message");
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_r", last_seq: 1});
           s.deliver({type: "message", seq: 1, author: "agent", text: "Hi", sent_at: "t"});"#,
    )
    .expect("welcome");
    settle().await;
    until("the rate item", || !rate_item(&root)).await;
    click(&root, "menu");
    click(&root, "menu-rate");
    let dialog = get(&root, "rate-dialog");
    until("the dialog", || {
        !dialog
            .parent_element()
            .is_some_and(|backdrop| backdrop.has_attribute("hidden"))
    })
    .await;
    let send = || get(&root, "rate-send").has_attribute("disabled");
    assert!(send(), "Send waits for a choice");
    assert!(
        root.query_selector("#cn-rate-ended")
            .expect("selector")
            .is_some_and(|lead| lead.has_attribute("hidden")),
        "opened from the menu: no word of an end"
    );
    click(&root, "cn-rate-poor");
    until("Poor pressed", || {
        get(&root, "cn-rate-poor")
            .get_attribute("aria-pressed")
            .as_deref()
            == Some("true")
    })
    .await;
    assert_eq!(
        get(&root, "cn-rate-good")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("false")
    );
    let comment: HtmlTextAreaElement = get(&root, "rate-comment").unchecked_into();
    comment.set_value("Slow");
    comment
        .dispatch_event(&web_sys::Event::new("input").expect("event"))
        .expect("input");
    until("Send enabled", || !send()).await;
    click(&root, "rate-send");
    until("the thank-you", || {
        text(&root, "status").contains("Thank you for your rating")
    })
    .await;
    assert_eq!(
        fake(
            "window.__canal.requests.filter(function (r) { return r.method === 'PUT'; })\
              .map(function (r) { return {url: r.url, method: r.method, body: r.body}; })"
        ),
        json!([{"url": "/api/v1/channels/rate-test/conversations/conv_r/rating", "method": "PUT",
                "body": {"visitor_token": "tok_r", "rating": "dislike", "comment": "Slow"}}])
    );
    assert!(dialog
        .parent_element()
        .is_some_and(|backdrop| backdrop.has_attribute("hidden")));
    // Rated already: the agent's close says so without asking again.
    js_sys::eval(r#"window.__canal.sockets[0].deliver({type: "closed"})"#).expect("closed");
    settle().await;
    until("the end", || text(&root, "status") == i18n::EN.ended).await;
    assert!(dialog
        .parent_element()
        .is_some_and(|backdrop| backdrop.has_attribute("hidden")));
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn when_the_agent_ends_the_chat_the_visitor_is_told_and_asked_for_a_rating() {
    let root = container();
    let _mounted = live_window(&root, "ended-test").await;
    deliver(r#"{type: "typing", typing: true}"#).await;
    until("the agent typing", || {
        text(&root, "status") == i18n::EN.typing
    })
    .await;
    deliver(r#"{type: "closed"}"#).await;
    until("the end", || text(&root, "status") == i18n::EN.ended).await;
    let dialog = get(&root, "rate-dialog");
    until("the rating dialog", || {
        !dialog
            .parent_element()
            .is_some_and(|backdrop| backdrop.has_attribute("hidden"))
    })
    .await;
    let lead = root
        .query_selector("#cn-rate-ended")
        .expect("selector")
        .expect("the dialog's lead");
    assert!(
        !lead.has_attribute("hidden"),
        "the dialog says why it opened"
    );
    assert_eq!(lead.text_content().as_deref(), Some(i18n::EN.ended));
    until("the focus on the first choice", || {
        window()
            .document()
            .and_then(|d| d.active_element())
            .is_some_and(|e| e.id() == "cn-rate-good")
    })
    .await;
    // Not now: the visitor can still write, which opens the chat again.
    click(&root, "rate-cancel");
    until("the dialog gone", || {
        dialog
            .parent_element()
            .is_some_and(|backdrop| backdrop.has_attribute("hidden"))
    })
    .await;
    type_into_composer(&root, "One more thing");
    click(&root, "send");
    until("the message out", || {
        fake("window.__canal.sockets[0].sent.length") == json!(2)
    })
    .await;
    assert_eq!(
        fake("window.__canal.sockets[0].sent[1].text"),
        json!("One more thing")
    );
    until("writing to clear the notice", || {
        text(&root, "status") != i18n::EN.ended
    })
    .await;
    let lead = root
        .query_selector("#cn-rate-ended")
        .expect("selector")
        .expect("the dialog's lead");
    until("the dialog's lead to go", || lead.has_attribute("hidden")).await;
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn history_is_not_news_and_later_messages_reach_the_host_page() {
    clear_canal_keys();
    install_fakes(json!({}));
    storage::save(
        "news-test",
        &storage::StoredSession {
            visitor_token: "tok_5".into(),
            consent_id: Some("cons_5".into()),
            conversation_id: Some("conv_5".into()),
            outbox: Vec::new(),
        },
    );
    let root = container();
    let (_mounted, host) = mount_window_told(&root, "news-test", None, None);
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_5", last_seq: 2});
           s.deliver({type: "message", seq: 1, author: "visitor", client_id: "old", text: "earlier", sent_at: "t"});
           s.deliver({type: "message", seq: 2, author: "agent", text: "reply", sent_at: "t",
                      author_name: "Ana", author_avatar: "/avatars/ana.png"});"#,
    )
    .expect("history");
    settle().await;
    until("the history", || all(&root, "message").len() == 2).await;
    assert_eq!(told(&host), [], "history is not news");
    assert_eq!(text(&root, "agent"), "Ana");

    for _ in 0..2 {
        js_sys::eval(
            r#"window.__canal.sockets[0].deliver({type: "message", seq: 3, author: "agent",
                text: "news", sent_at: "t", author_name: "Bo"});"#,
        )
        .expect("news");
        settle().await;
    }
    until("the news", || all(&root, "message").len() == 3).await;
    assert_eq!(
        told(&host),
        [ToHost::Message(Arrival {
            author: Author::Agent,
            seq: 3,
            text: Some("news".into()),
        })]
    );
    until("the header to name Bo", || text(&root, "agent") == "Bo").await;
    let authors: Vec<String> = all(&root, "message-author")
        .iter()
        .filter_map(|a| a.text_content())
        .collect();
    assert_eq!(authors, ["Ana", "Bo"]);
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_window_switches_language_at_once() {
    clear_canal_keys();
    install_fakes(json!({}));
    let language = RwSignal::new(&i18n::EN);
    let root = container();
    let (_mounted, host) = mount_window_told(&root, "language-test", Some(page()), Some(language));
    type_into_composer(&root, "hola");
    click(&root, "send");
    until("the consent prompt", || {
        find(&root, "consent-prompt").is_some()
    })
    .await;
    click(&root, "consent-decline");
    until("the notice", || {
        text(&root, "status") == i18n::EN.consent_needed
    })
    .await;
    assert_eq!(text(&root, "send"), "Send");

    language.set(&i18n::ES);
    until("the Spanish notice", || {
        text(&root, "status") == i18n::ES.consent_needed
    })
    .await;
    assert_eq!(text(&root, "send"), "Enviar");
    assert_eq!(
        get(&root, "composer-input")
            .get_attribute("placeholder")
            .as_deref(),
        Some(i18n::ES.placeholder)
    );
    assert_eq!(
        get(&root, "close").get_attribute("aria-label").as_deref(),
        Some(i18n::ES.close)
    );
    let log = root
        .query_selector("[role=log]")
        .expect("selector")
        .expect("log");
    assert_eq!(log.get_attribute("aria-label").as_deref(), Some("Mensajes"));
    assert_eq!(composer_value(&root), "hola", "the draft stays");

    language.set(&i18n::RU);
    until("the Russian button", || {
        text(&root, "send") == i18n::RU.send
    })
    .await;
    assert_eq!(told(&host), [], "declining tells the host page nothing");
}

#[wasm_bindgen_test]
fn locale_messages_are_read_and_anything_else_is_ignored() {
    let parse = |json: &str| read_from_host(&js_sys::JSON::parse(json).expect("json"));
    assert_eq!(
        parse(r#"{"type":"canal:locale","locale":"es-MX"}"#),
        Some(FromHost::Locale("es-MX".into()))
    );
    assert!(matches!(
        parse(r#"{"type":"canal:init","page_url":"https://shop.example/"}"#),
        Some(FromHost::Init(_))
    ));
    for other in [
        r#"{"type":"canal:locale"}"#,
        r#"{"type":"canal:locale","locale":5}"#,
        r#"{"type":"canal:locale","locale":"<b>es</b>"}"#,
        r#"{"type":"canal:locale","locale":""}"#,
        r#"{"type":"canal:message","locale":"es"}"#,
        r#""canal:locale""#,
        "null",
    ] {
        assert_eq!(parse(other), None, "{other}");
    }
}

#[wasm_bindgen_test]
fn what_the_host_page_is_told_carries_text_only_from_the_agent() {
    let json = |what: ToHost| {
        let text = js_sys::JSON::stringify(&what.to_js()).expect("stringify");
        serde_json::from_str::<Value>(&String::from(text)).expect("json")
    };
    let message = |author, text: Option<&str>| {
        ToHost::Message(Arrival {
            author,
            seq: 7,
            text: text.map(Into::into),
        })
    };
    assert_eq!(
        json(message(Author::Agent, Some("Hi"))),
        json!({"type": "canal:message", "author": "agent", "seq": 7, "text": "Hi"})
    );
    assert_eq!(
        json(message(Author::Visitor, None)),
        json!({"type": "canal:message", "author": "visitor", "seq": 7})
    );
    assert_eq!(json(ToHost::Consent), json!({"type": "canal:consent"}));
}

// ---- contact form, withdrawal, identity, redirect ----------------------------------

fn form_agreement(version: &str, behaviour: Behaviour) -> AgreementView {
    AgreementView {
        agreement_id: format!("agr_{version}"),
        version_id: version.into(),
        label: format!("Label {version}"),
        full_text_path: format!("/agreements/{version}"),
        behaviour,
        ..agreement()
    }
}

fn contact_form_view() -> ContactFormView {
    ContactFormView {
        fields: vec![
            FormField {
                name: FieldName::Name,
                required: true,
            },
            FormField {
                name: FieldName::Email,
                required: false,
            },
        ],
        agreements: vec![
            form_agreement("ra", Behaviour::RequiredAutoAccepted),
            form_agreement("rf", Behaviour::RequiredReadFullText),
            form_agreement("oa", Behaviour::OptionalAutoAccepted),
            form_agreement("ou", Behaviour::OptionalUnchecked),
        ],
        ask_in_chat: true,
    }
}

fn boxes(root: &Element) -> Vec<web_sys::HtmlInputElement> {
    all(root, "form-agreement-box")
        .into_iter()
        .map(JsCast::unchecked_into)
        .collect()
}

/// Keeps full-text links from opening tabs in tests (the click still counts).
fn no_new_tabs(root: &Element) -> wasm_bindgen::closure::Closure<dyn Fn(web_sys::Event)> {
    let no_tab =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| {
            let link = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|t| t.tag_name() == "A");
            if link {
                e.prevent_default();
            }
        });
    root.add_event_listener_with_callback("click", no_tab.as_ref().unchecked_ref())
        .expect("listener");
    no_tab
}

#[wasm_bindgen_test]
fn a_phone_field_asks_for_the_country_code() {
    let root = container();
    let mut form = contact_form_view();
    form.fields.push(FormField {
        name: FieldName::Phone,
        required: false,
    });
    let (_, on_close) = counter();
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ContactForm
                form=form.clone()
                on_submit=Callback::new(|_: (Details, Checks, Option<String>)| {})
                on_close=on_close
                busy=Memo::new(|_| false)
                error=Memo::new(|_| None)
            />
        }
    });
    let phone = root
        .query_selector("#cn-f-phone")
        .expect("selector")
        .expect("the phone field");
    assert_eq!(phone.get_attribute("type").as_deref(), Some("tel"));
    assert_eq!(
        phone.get_attribute("placeholder").as_deref(),
        Some("With the country code: +44 20 7946 0000")
    );
    // Only the phone field carries the hint.
    let name = root
        .query_selector("#cn-f-name")
        .expect("selector")
        .expect("the name field");
    assert_eq!(name.get_attribute("placeholder"), None);
}

#[wasm_bindgen_test]
async fn the_contact_form_follows_each_agreements_behaviour() {
    let root = container();
    let sent = Arc::new(Mutex::new(Vec::<(Details, Checks)>::new()));
    let on_submit = Callback::new({
        let sent = Arc::clone(&sent);
        move |(details, checks, _): (Details, Checks, Option<String>)| {
            sent.lock().expect("lock").push((details, checks))
        }
    });
    let (closed, on_close) = counter();
    let _mounted = mount_to(root.clone(), move || {
        view! {
            <ContactForm
                form=contact_form_view()
                on_submit=on_submit
                on_close=on_close
                busy=Memo::new(|_| false)
                error=Memo::new(|_| None)
            />
        }
    });
    let _no_tab = no_new_tabs(&root);

    // Labels on every control; required ones marked.
    for id in [
        "cn-f-name",
        "cn-f-email",
        "cn-a0",
        "cn-a1",
        "cn-a2",
        "cn-a3",
    ] {
        assert!(
            root.query_selector(&format!("label[for={id}]"))
                .expect("selector")
                .is_some(),
            "a label for {id}"
        );
    }
    assert!(root
        .query_selector("#cn-f-name")
        .expect("selector")
        .is_some_and(|input| input.has_attribute("required")));
    assert!(root
        .query_selector("#cn-f-phone")
        .expect("selector")
        .is_none());

    let b = boxes(&root);
    let ticked: Vec<bool> = b.iter().map(|b| b.checked()).collect();
    assert_eq!(
        ticked,
        [true, false, true, false],
        "pre-ticked per behaviour"
    );
    let disabled: Vec<bool> = b.iter().map(|b| b.disabled()).collect();
    assert_eq!(disabled, [false, true, false, false]);
    assert!(get(&root, "form-submit").has_attribute("disabled"));

    // The disabled box cannot be ticked.
    b[1].click();
    assert!(!b[1].checked());
    assert!(get(&root, "form-submit").has_attribute("disabled"));

    // Opening its full text enables it; ticking it enables Send.
    all(&root, "form-full-text")[1]
        .unchecked_ref::<HtmlElement>()
        .click();
    until("the box to be enabled", || !boxes(&root)[1].disabled()).await;
    assert!(
        get(&root, "form-submit").has_attribute("disabled"),
        "opened is not ticked"
    );
    boxes(&root)[1].click();
    until("Send to be enabled", || {
        !get(&root, "form-submit").has_attribute("disabled")
    })
    .await;
    // Unticking a required one blocks again; an optional one does not.
    boxes(&root)[0].click();
    until("Send to be disabled", || {
        get(&root, "form-submit").has_attribute("disabled")
    })
    .await;
    boxes(&root)[0].click();
    boxes(&root)[3].click();
    until("Send to be enabled", || {
        !get(&root, "form-submit").has_attribute("disabled")
    })
    .await;

    let name: web_sys::HtmlInputElement = root
        .query_selector("#cn-f-name")
        .expect("selector")
        .expect("name")
        .unchecked_into();
    name.set_value("  Marta ");
    click(&root, "form-submit");
    let sent = sent.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1);
    let (details, checks) = &sent[0];
    assert_eq!(details.name, "  Marta ");
    assert_eq!(details.email, "");
    assert_eq!(checks.accepted(), ["ra", "rf", "oa", "ou"]);
    assert_eq!(checks.opened(), ["rf"]);

    // Escape closes.
    get(&root, "contact-form")
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &{
                let init = web_sys::KeyboardEventInit::new();
                init.set_key("Escape");
                init.set_bubbles(true);
                init
            })
            .expect("keydown"),
        )
        .expect("dispatch");
    assert_eq!(closed.load(Ordering::SeqCst), 1);
}

/// A window on a channel whose agreement redirects after accept, with the host
/// page's user.
fn mount_form_window(
    root: &HtmlElement,
    channel: &'static str,
    redirect: Option<&'static str>,
    user: ReadSignal<Option<VisitorUser>>,
) -> (leptos::mount::UnmountHandle<impl Mountable>, Told) {
    let told = Told::default();
    let on_host = Callback::new({
        let told = Arc::clone(&told);
        move |what: ToHost| told.lock().expect("lock").push(what)
    });
    let mounted = mount_to(root.clone(), move || {
        let mut config = config(channel);
        if let Some(consent) = config.consent.as_mut() {
            consent.redirect_url = redirect.map(Into::into);
        }
        view! {
            <ChatWindow
                channel=channel
                config=config
                page=signal(Some(page())).0
                on_close=Callback::new(|()| ())
                on_host=on_host
                user=user
            />
        }
    });
    (mounted, told)
}

fn form_json() -> Value {
    json!({
        "fields": [{"name": "name", "required": true}, {"name": "email"}],
        "agreements": [
            {"agreement_id": "agr_pd", "version_id": "ver_pd", "title": "Personal data",
             "text": "t", "text_format": "plain", "label": "I agree to the processing",
             "sha256": "00", "behaviour": "required_read_full_text",
             "full_text_path": "/agreements/ver_pd"},
            {"agreement_id": "agr_mk", "version_id": "ver_mk", "title": "News",
             "text": "t", "text_format": "plain", "label": "Send me news",
             "sha256": "00", "behaviour": "optional_unchecked",
             "full_text_path": "/agreements/ver_mk"}
        ],
        "ask_in_chat": true
    })
}

fn urls() -> Value {
    fake("window.__canal.requests.map(function (r) { return r.method + ' ' + r.url; })")
}

/// Accept, open the socket, welcome, and acknowledge the first message.
async fn start_chat(root: &Element, text: &str) {
    type_into_composer(root, text);
    click(root, "send");
    until("the consent prompt", || {
        find(root, "consent-prompt").is_some()
    })
    .await;
    click(root, "consent-accept");
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_1", last_seq: 0});"#,
    )
    .expect("welcome");
    settle().await;
    let client_id = fake("window.__canal.sockets[0].sent[1].client_id");
    js_sys::eval(&format!(
        r#"window.__canal.sockets[0].deliver({{type: "ack", client_id: {client_id}, seq: 1,
                                                 sent_at: "2026-01-01T00:00:01Z"}})"#
    ))
    .expect("ack");
    settle().await;
}

fn created(channel: &str) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(
        format!("/api/v1/channels/{channel}/consents"),
        json!({"status": 201, "body": {"consent_id": "cons_1", "visitor_id": "vis_1",
               "visitor_token": "tok_1", "recorded_at": "2026-01-01T00:00:00Z"}}),
    );
    responses.insert(
        format!("/api/v1/channels/{channel}/conversations"),
        json!({"status": 201, "body": {"conversation_id": "conv_1", "visitor_token": "tok_1"}}),
    );
    Value::Object(responses)
}

#[wasm_bindgen_test]
async fn the_form_opens_after_the_first_message_and_sends_what_was_ticked() {
    clear_canal_keys();
    let mut responses = created("form-test");
    responses["/api/v1/channels/form-test/form"] = json!({"status": 200, "body": form_json()});
    install_fakes(responses);
    js_sys::eval(
        r#"window.__canal.responses["/api/v1/channels/form-test/form"].post =
           {status: 422, body: {error: {code: "consent_required", message: "x"}}};
           var realFetch = window.fetch;
           window.fetch = function (input, init) {
               var r = window.__canal.responses["/api/v1/channels/form-test/form"];
               var request = new Request(input, init);
               if (request.method === "POST" && request.url.endsWith("/form") && r.post) {
                   var answer = r.post; r.post = null;
                   var record = {url: request.url.slice(location.origin.length), method: "POST"};
                   window.__canal.requests.push(record);
                   return request.text().then(function (body) {
                       record.body = JSON.parse(body);
                       return new Response(JSON.stringify(answer.body), {status: answer.status});
                   });
               }
               return realFetch(request);
           };"#,
    )
    .expect("fake form answers");
    let root = container();
    let _no_tab = no_new_tabs(&root);
    let (_mounted, _told) = mount_form_window(&root, "form-test", None, signal(None).0);
    assert!(find(&root, "contact-form").is_none());
    assert!(
        get(&root, "form-open").has_attribute("hidden"),
        "no form before the chat"
    );
    assert_eq!(urls(), json!([]), "nothing fetched before consent");

    start_chat(&root, "Hi").await;
    until("the form to open by itself", || {
        find(&root, "contact-form").is_some()
    })
    .await;
    assert!(get(&root, "form-submit").has_attribute("disabled"));
    let name: web_sys::HtmlInputElement = root
        .query_selector("#cn-f-name")
        .expect("selector")
        .expect("name")
        .unchecked_into();
    name.set_value("Marta");
    all(&root, "form-full-text")[0]
        .unchecked_ref::<HtmlElement>()
        .click();
    until("the box to be enabled", || !boxes(&root)[0].disabled()).await;
    boxes(&root)[0].click();
    until("Send to be enabled", || {
        !get(&root, "form-submit").has_attribute("disabled")
    })
    .await;

    // The server refuses once: the reason shows in the form, which stays open.
    click(&root, "form-submit");
    until("the refusal", || {
        text(&root, "form-error").contains("required agreements")
    })
    .await;
    assert!(find(&root, "contact-form").is_some());
    let first = fake("window.__canal.requests[window.__canal.requests.length - 1].body");

    click(&root, "form-submit");
    until("the form to close", || {
        find(&root, "contact-form").is_none()
    })
    .await;
    assert!(text(&root, "status").contains("contact details have been sent"));
    let body = fake("window.__canal.requests[window.__canal.requests.length - 1].body");
    assert_eq!(body["visitor_token"], "tok_1");
    assert_eq!(body["conversation_id"], "conv_1");
    assert_eq!(body["page_url"], "https://shop.example/p?utm_source=news");
    assert_eq!(body["name"], "Marta");
    assert_eq!(body.get("email"), None, "an empty field is left out");
    assert_eq!(body["accepted"], json!(["ver_pd"]));
    assert_eq!(body["opened"], json!(["ver_pd"]));
    assert_eq!(
        body["request_id"], first["request_id"],
        "one idempotency key per opening of the form"
    );
    // The link offers it again.
    assert!(!get(&root, "form-open").has_attribute("hidden"));
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn withdrawing_forgets_the_visitor_and_ends_the_chat() {
    clear_canal_keys();
    let mut responses = created("withdraw-test");
    responses["/api/v1/channels/withdraw-test/consents/withdrawals"] =
        json!({"status": 201, "body": {}});
    install_fakes(responses);
    let root = container();
    let (_mounted, _told) = mount_form_window(&root, "withdraw-test", None, signal(None).0);
    assert!(
        get(&root, "menu")
            .closest(".cn-menu")
            .expect("closest")
            .is_some_and(|m| m.has_attribute("hidden")),
        "nothing to withdraw before consent"
    );
    start_chat(&root, "Hi").await;
    assert_eq!(canal_keys(), ["canal:withdraw-test"]);

    let menu = get(&root, "menu");
    assert_eq!(menu.get_attribute("aria-haspopup").as_deref(), Some("menu"));
    assert_eq!(
        menu.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    click(&root, "menu");
    until("the menu to open", || {
        get(&root, "menu").get_attribute("aria-expanded").as_deref() == Some("true")
    })
    .await;
    // Escape closes the menu, not the window.
    get(&root, "menu-withdraw")
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &{
                let init = web_sys::KeyboardEventInit::new();
                init.set_key("Escape");
                init.set_bubbles(true);
                init
            })
            .expect("keydown"),
        )
        .expect("dispatch");
    until("the menu to close", || {
        get(&root, "menu").get_attribute("aria-expanded").as_deref() == Some("false")
    })
    .await;

    click(&root, "menu");
    click(&root, "menu-withdraw");
    until("the confirm step", || {
        !get(&root, "withdraw-confirm")
            .parent_element()
            .is_some_and(|b| b.has_attribute("hidden"))
    })
    .await;
    // Cancel changes nothing.
    click(&root, "withdraw-cancel");
    assert_eq!(canal_keys(), ["canal:withdraw-test"]);
    assert!(!urls().to_string().contains("withdrawals"));

    click(&root, "menu");
    click(&root, "menu-withdraw");
    click(&root, "withdraw-yes");
    until("the chat to end", || {
        text(&root, "status").contains("withdrew")
    })
    .await;
    let last = fake("window.__canal.requests[window.__canal.requests.length - 1]");
    assert_eq!(
        last["url"],
        "/api/v1/channels/withdraw-test/consents/withdrawals"
    );
    assert_eq!(last["body"], json!({"visitor_token": "tok_1"}));
    assert_eq!(canal_keys(), Vec::<String>::new(), "storage cleared");
    assert!(
        all(&root, "message").is_empty(),
        "outbox and transcript gone"
    );
    assert_eq!(fake("window.__canal.sockets[0].readyState"), json!(3));
    assert!(get(&root, "menu")
        .closest(".cn-menu")
        .expect("closest")
        .is_some_and(|m| m.has_attribute("hidden")));

    // A new message asks for consent afresh.
    type_into_composer(&root, "again");
    click(&root, "send");
    until("the consent prompt", || {
        find(&root, "consent-prompt").is_some()
    })
    .await;
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_user_is_identified_only_once_a_token_is_held_and_again_when_it_changes() {
    clear_canal_keys();
    let mut responses = created("identify-test");
    responses["/api/v1/channels/identify-test/identify"] =
        json!({"status": 200, "body": {"verified": true}});
    install_fakes(responses);
    let (user, set_user) = signal(Some(VisitorUser {
        id: "u-42".into(),
        hash: Some("ab".into()),
        time: Some(1_790_000_000),
        ..Default::default()
    }));
    let root = container();
    let (_mounted, host) = mount_form_window(
        &root,
        "identify-test",
        Some("https://shop.example/thanks"),
        user,
    );
    // Once the window is drawn, the identity watcher has run: still nothing sent.
    until("the window", || find(&root, "composer-input").is_some()).await;
    assert_eq!(urls(), json!([]), "nothing sent before consent");

    start_chat(&root, "Hi").await;
    until("the identity", || urls().to_string().contains("identify")).await;
    let identify = fake(
        "window.__canal.requests.filter(function (r) { return r.url.endsWith('/identify'); })\
         .map(function (r) { return {url: r.url, method: r.method, body: r.body}; })",
    );
    assert_eq!(
        identify,
        json!([{"url": "/api/v1/channels/identify-test/identify", "method": "POST",
                "body": {"visitor_token": "tok_1",
                         "user": {"id": "u-42", "hash": "ab", "time": 1_790_000_000u64}}}])
    );
    // The agreement's redirect, once the first message is stored.
    until("the redirect", || {
        told(&host).contains(&ToHost::Redirect("https://shop.example/thanks".into()))
    })
    .await;

    set_user.set(Some(VisitorUser {
        id: "u-43".into(),
        ..Default::default()
    }));
    until("the second identity", || {
        fake("window.__canal.requests.filter(function (r) { return r.url.endsWith('/identify'); }).length")
            == json!(2)
    })
    .await;
    clear_canal_keys();
}

#[wasm_bindgen_test]
fn user_messages_are_read_and_malformed_ones_ignored() {
    let read = |script: &str| read_user(&js_sys::eval(script).expect("eval"));
    assert_eq!(
        read("({type: 'canal:user', user: {id: 'u-1', name: 'Ana', time: 1790000000, hash: 7}})"),
        Some(VisitorUser {
            id: "u-1".into(),
            name: Some("Ana".into()),
            time: Some(1_790_000_000),
            ..Default::default()
        })
    );
    for script in [
        "({type: 'canal:user', user: {name: 'x'}})",
        "({type: 'canal:user', user: {id: ''}})",
        "({type: 'canal:user', user: 'u-1'})",
        "({type: 'canal:locale', user: {id: 'u-1'}})",
        "null",
    ] {
        assert_eq!(read(script), None, "{script}");
    }
    assert_eq!(
        read("({type: 'canal:user', user: {id: 'u', time: 1.5}})").and_then(|u| u.time),
        None
    );
    assert!(matches!(
        read_from_host(&js_sys::eval("({type: 'canal:user', user: {id: 'u'}})").expect("eval")),
        Some(FromHost::User(_))
    ));
}

// ---- the transcript by e-mail -----------------------------------------------------

/// A window resuming conversation `conv_m` on `channel` (whose server sends mail
/// when `email`), in `language`, welcomed on its socket, with the agent's first
/// answer stored; `PUT .../transcript` answers `answer`.
async fn mail_window(
    root: &HtmlElement,
    channel: &'static str,
    email: bool,
    language: RwSignal<&'static Strings>,
    answer: Value,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    clear_canal_keys();
    install_fakes(json!({ "/conversations/conv_m/transcript": answer }));
    storage::save(
        channel,
        &storage::StoredSession {
            visitor_token: "tok_m".into(),
            consent_id: Some("cons_m".into()),
            conversation_id: Some("conv_m".into()),
            outbox: Vec::new(),
        },
    );
    let mounted = mount_to(root.clone(), move || {
        i18n::provide_language(language);
        view! {
            <ChatWindow
                channel=channel
                config=ChannelConfig { email, ..config(channel) }
                page=signal(None).0
                on_close=Callback::new(|()| ())
            />
        }
    });
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    assert!(
        hidden(root, "menu-mail"),
        "nothing to e-mail before a message"
    );
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_m", last_seq: 1});
           s.deliver({type: "message", seq: 1, author: "agent", text: "Hi", sent_at: "t"});"#,
    )
    .expect("welcome");
    settle().await;
    until("the rate item", || !hidden(root, "menu-rate")).await;
    mounted
}

fn hidden(root: &Element, test_id: &str) -> bool {
    get(root, test_id).has_attribute("hidden")
}

fn focused_id() -> String {
    window()
        .document()
        .and_then(|d| d.active_element())
        .map(|e| e.id())
        .unwrap_or_default()
}

/// Types `address` into the panel's field and presses Send.
fn send_address(root: &Element, address: &str) {
    get(root, "mail-input")
        .unchecked_into::<web_sys::HtmlInputElement>()
        .set_value(address);
    click(root, "mail-send");
}

/// The transcript requests made so far: `[url, body]` each.
fn transcript_requests() -> Value {
    fake(
        "window.__canal.requests.filter(function (r) { return r.method === 'PUT'; })
           .map(function (r) { return [r.url, r.body]; })",
    )
}

fn answer_transcript(status: u16, body: Value) {
    js_sys::eval(&format!(
        "window.__canal.responses['/conversations/conv_m/transcript'] = {};",
        json!({"status": status, "body": body})
    ))
    .expect("answer");
}

#[wasm_bindgen_test]
async fn a_server_that_sends_no_mail_offers_no_transcript() {
    let root = container();
    let language = RwSignal::new(&i18n::EN);
    let _mounted = mail_window(&root, "no-mail-test", false, language, json!({})).await;
    assert!(hidden(&root, "menu-mail"));
    assert!(hidden(&root, "mail-form"));
    assert_eq!(text(&root, "status"), "");
    assert_eq!(transcript_requests(), json!([]));
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_visitor_asks_for_the_transcript_and_a_refused_address_says_why() {
    let root = container();
    let language = RwSignal::new(&i18n::EN);
    let refused = json!({"status": 422,
        "body": {"error": {"code": "invalid_field", "message": "email is not a valid e-mail address"}}});
    let _mounted = mail_window(&root, "mail-test", true, language, refused).await;
    assert!(!hidden(&root, "menu-mail"));
    assert_eq!(text(&root, "menu-mail"), i18n::EN.mail);
    assert!(hidden(&root, "mail-form"), "closed until asked for");

    click(&root, "menu");
    click(&root, "menu-mail");
    until("the panel", || !hidden(&root, "mail-form")).await;
    until("the focus in the field", || focused_id() == "cn-mail-input").await;
    let input = get(&root, "mail-input");
    assert_eq!(input.get_attribute("type").as_deref(), Some("email"));
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("email")
    );
    let label = root
        .query_selector("label[for=cn-mail-input]")
        .expect("selector")
        .expect("a label for the field");
    assert_eq!(label.text_content().as_deref(), Some(i18n::EN.mail));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("cn-mail-error")
    );

    // The browser takes the address; the server refuses it: the panel says why
    // and stays open.
    send_address(&root, "eva@shop");
    until("the refusal", || {
        text(&root, "mail-error") == i18n::EN.err_email
    })
    .await;
    assert_eq!(get(&root, "mail-error").id(), "cn-mail-error");
    assert!(!hidden(&root, "mail-form"));
    assert_eq!(text(&root, "status"), "");
    assert_eq!(
        transcript_requests(),
        json!([["/api/v1/channels/mail-test/conversations/conv_m/transcript",
                {"visitor_token": "tok_m", "email": "eva@shop"}]])
    );

    // Accepted: the panel closes and the window says where the transcript goes.
    answer_transcript(200, json!({"email": "eva@mail.example", "queued": false}));
    send_address(&root, " Eva@Mail.Example ");
    until("the panel to close", || hidden(&root, "mail-form")).await;
    assert_eq!(
        text(&root, "status").trim(),
        "We will e-mail this conversation to eva@mail.example when it ends."
    );
    assert_eq!(text(&root, "mail-error"), "");
    until("the focus back in the composer", || {
        focused_id() == "cn-input"
    })
    .await;
    assert_eq!(
        transcript_requests()[1][1],
        json!({"visitor_token": "tok_m", "email": "Eva@Mail.Example"}),
        "as the browser gives the field (trimmed); the server writes it lower-cased"
    );
    language.set(&i18n::ES);
    until("the Spanish line", || {
        text(&root, "status").trim()
            == "Te enviaremos esta conversación a eva@mail.example cuando termine."
    })
    .await;
    language.set(&i18n::EN);

    // The agent ends the chat: the server sends it now.
    deliver(r#"{type: "closed"}"#).await;
    until("on its way", || {
        text(&root, "status")
            == format!(
                "{} This conversation is on its way to eva@mail.example.",
                i18n::EN.ended
            )
    })
    .await;

    // Asked again after the end, for another address: on its way at once.
    click(&root, "rate-cancel");
    click(&root, "menu");
    click(&root, "menu-mail");
    until("the panel again", || !hidden(&root, "mail-form")).await;
    answer_transcript(200, json!({"email": "max@mail.example", "queued": true}));
    send_address(&root, "max@mail.example");
    until("the new address", || {
        text(&root, "status").ends_with(" This conversation is on its way to max@mail.example.")
    })
    .await;
    assert_eq!(transcript_requests().as_array().map(Vec::len), Some(3));

    // Withdrawn elsewhere: the conversation is gone here, and so is the promise.
    deliver(r#"{type: "error", code: "consent_withdrawn", message: "withdrawn"}"#).await;
    until("the session to end", || {
        text(&root, "error") == i18n::EN.err_session
    })
    .await;
    assert_eq!(text(&root, "status").trim(), i18n::EN.ended);
    assert!(hidden(&root, "menu-mail"));
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_mail_panel_closes_on_escape_and_says_when_the_server_stopped_sending_mail() {
    let root = container();
    let language = RwSignal::new(&i18n::RU);
    let off = json!({"status": 409,
        "body": {"error": {"code": "mail_off", "message": "this server sends no e-mail"}}});
    let _mounted = mail_window(&root, "mail-off-test", true, language, off).await;
    assert_eq!(text(&root, "menu-mail"), i18n::RU.mail);
    click(&root, "menu");
    click(&root, "menu-mail");
    until("the panel", || !hidden(&root, "mail-form")).await;
    send_address(&root, "eva@mail.example");
    until("the refusal", || {
        text(&root, "mail-error") == i18n::RU.err_mail_off
    })
    .await;
    assert_eq!(text(&root, "status"), "");

    // Escape closes the panel (not the window), and the focus goes back to the
    // composer; opened again, the old refusal is gone.
    get(&root, "mail-input")
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &{
                let init = web_sys::KeyboardEventInit::new();
                init.set_key("Escape");
                init.set_bubbles(true);
                init
            })
            .expect("keydown"),
        )
        .expect("dispatch");
    until("the panel to close", || hidden(&root, "mail-form")).await;
    until("the focus back in the composer", || {
        focused_id() == "cn-input"
    })
    .await;
    click(&root, "menu");
    click(&root, "menu-mail");
    until("the panel", || !hidden(&root, "mail-form")).await;
    assert_eq!(text(&root, "mail-error"), "");
    click(&root, "mail-cancel");
    until("the panel to close", || hidden(&root, "mail-form")).await;
    clear_canal_keys();
}

// ---- typing indicators ------------------------------------------------------------

/// A window resuming conversation `conv_t` on `channel`, welcomed on its socket.
async fn live_window(
    root: &HtmlElement,
    channel: &'static str,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    clear_canal_keys();
    install_fakes(json!({}));
    storage::save(
        channel,
        &storage::StoredSession {
            visitor_token: "tok_t".into(),
            consent_id: Some("cons_t".into()),
            conversation_id: Some("conv_t".into()),
            outbox: Vec::new(),
        },
    );
    let mounted = mount_window(root, channel, None);
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_t", last_seq: 0});"#,
    )
    .expect("welcome");
    settle().await;
    until("the hello", || {
        fake("window.__canal.sockets[0].frames.length") == json!(1)
    })
    .await;
    mounted
}

async fn deliver(frame: &str) {
    js_sys::eval(&format!("window.__canal.sockets[0].deliver({frame})")).expect("deliver");
    settle().await;
}

#[wasm_bindgen_test]
async fn the_agents_typing_shows_until_a_stop_their_message_or_silence() {
    let root = container();
    let _mounted = live_window(&root, "typing-shown-test").await;
    let typing = || text(&root, "status") == i18n::EN.typing;
    assert_eq!(text(&root, "status"), "");

    deliver(r#"{type: "typing", typing: true, name: "Ana"}"#).await;
    until("the indicator", typing).await;
    deliver(r#"{type: "typing", typing: false, name: "Ana"}"#).await;
    until("a stop to hide it", || text(&root, "status").is_empty()).await;

    deliver(r#"{type: "typing", typing: true}"#).await;
    until("the indicator without a name", typing).await;
    deliver(r#"{type: "message", seq: 1, author: "agent", text: "Here", sent_at: "t"}"#).await;
    until("the agent's message to hide it", || {
        text(&root, "status").is_empty()
    })
    .await;
    assert_eq!(all(&root, "message").len(), 1);

    // A stop can be lost: with no news the indicator goes by itself after 6 s, not
    // sooner.
    let started = js_sys::Date::now();
    deliver(r#"{type: "typing", typing: true}"#).await;
    until("the indicator", typing).await;
    until_within(10_000, "silence to hide it", || {
        text(&root, "status").is_empty()
    })
    .await;
    let shown = js_sys::Date::now() - started;
    assert!(shown >= 5_900.0, "it went after {shown} ms");

    // A refused `typing` of the visitor (a closed conversation) is no error for
    // them; the message after it marks the point by which it would have shown.
    deliver(r#"{type: "error", code: "routing_refused", message: "the conversation is closed"}"#)
        .await;
    deliver(r#"{type: "message", seq: 2, author: "agent", text: "Bye", sent_at: "t"}"#).await;
    until("the second message", || all(&root, "message").len() == 2).await;
    assert_eq!(text(&root, "error"), "");
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_typing_indicator_speaks_the_windows_language() {
    clear_canal_keys();
    install_fakes(json!({}));
    storage::save(
        "typing-language-test",
        &storage::StoredSession {
            visitor_token: "tok_l".into(),
            consent_id: Some("cons_l".into()),
            conversation_id: Some("conv_l".into()),
            outbox: Vec::new(),
        },
    );
    let language = RwSignal::new(&i18n::RU);
    let root = container();
    let _mounted = mount_window_told(&root, "typing-language-test", None, Some(language)).0;
    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_l", last_seq: 0});
           s.deliver({type: "typing", typing: true, name: "Ана"});"#,
    )
    .expect("typing");
    settle().await;
    until("the Russian indicator", || {
        text(&root, "status") == i18n::RU.typing
    })
    .await;
    language.set(&i18n::ES);
    until("the Spanish indicator", || {
        text(&root, "status") == i18n::ES.typing
    })
    .await;
    clear_canal_keys();
}

#[wasm_bindgen_test]
async fn the_visitors_typing_goes_out_once_then_stops_when_sent_and_never_with_text() {
    let root = container();
    let _mounted = live_window(&root, "typing-sent-test").await;

    type_into_composer(&root, "H");
    until("the start", || {
        fake("window.__canal.sockets[0].frames.length") == json!(2)
    })
    .await;
    // More keys within 3 s send nothing more; sending the message says stop.
    type_into_composer(&root, "He");
    type_into_composer(&root, "Hello");
    click(&root, "send");
    until("the message and the stop", || {
        fake("window.__canal.sockets[0].frames.length") == json!(4)
    })
    .await;
    let sent = fake("window.__canal.sockets[0].frames");
    assert_eq!(sent[1], json!({"type": "typing", "typing": true}));
    assert_eq!(sent[2]["type"], "send");
    assert_eq!(sent[2]["text"], "Hello");
    assert_eq!(sent[3], json!({"type": "typing", "typing": false}));

    // After the stop, the next key says "typing" at once; emptying the draft by
    // hand says stop.
    type_into_composer(&root, "x");
    until("a new start", || {
        fake("window.__canal.sockets[0].frames.length") == json!(5)
    })
    .await;
    type_into_composer(&root, "");
    until("the stop", || {
        fake("window.__canal.sockets[0].frames.length") == json!(6)
    })
    .await;
    let sent = fake("window.__canal.sockets[0].frames");
    assert_eq!(sent[4], json!({"type": "typing", "typing": true}));
    assert_eq!(sent[5], json!({"type": "typing", "typing": false}));
    clear_canal_keys();
}

// ---- out of hours ----------------------------------------------------------------

/// The test window's config with the channel closed, opening at `opens_at` (if ever).
fn closed(channel: &str, opens_at: Option<&str>) -> ChannelConfig {
    ChannelConfig {
        hours: Some(HoursStatus {
            open: false,
            opens_at: opens_at.map(Into::into),
            closes_at: None,
        }),
        ..config(channel)
    }
}

fn mount_with(
    root: &HtmlElement,
    config: ChannelConfig,
    language: RwSignal<&'static Strings>,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    mount_to(root.clone(), move || {
        i18n::provide_language(language);
        view! {
            <ChatWindow
                channel=config.channel.clone()
                config=config.clone()
                page=signal(Some(page())).0
                on_close=Callback::new(|()| ())
            />
        }
    })
}

#[wasm_bindgen_test]
async fn out_of_hours_the_window_says_when_it_is_back_in_the_visitors_language() {
    clear_canal_keys();
    install_fakes(json!({}));
    let language = RwSignal::new(&i18n::EN);
    let root = container();
    // Noon UTC on Wednesday 16 January 2030: Wednesday the 16th on any clock within
    // 11 hours of UTC.
    let at = "2030-01-16T12:00:00Z";
    let _mounted = mount_with(&root, closed("away-test", Some(at)), language);
    let english = text(&root, "away");
    assert!(
        english.starts_with(&format!("{} on Wednesday", i18n::EN.away)),
        "{english}"
    );
    assert!(english.contains("January 16"), "{english}");
    assert!(english.ends_with('.'), "{english}");
    // On the visitor's clock: what the browser's Intl shows for that instant here.
    let options = js_sys::JSON::parse(r#"{"hour":"numeric","minute":"2-digit"}"#).expect("options");
    let clock = js_sys::Date::new(&JsValue::from_str(at))
        .to_locale_time_string_with_options("en", &options);
    assert!(english.contains(&String::from(clock)), "{english}");
    // The notice is above the composer.
    let composer = get(&root, "composer-input");
    assert_ne!(
        get(&root, "away").compare_document_position(&composer)
            & web_sys::Node::DOCUMENT_POSITION_FOLLOWING,
        0
    );

    language.set(&i18n::ES);
    until("the Spanish notice", || {
        text(&root, "away").contains("miércoles")
    })
    .await;
    let spanish = text(&root, "away");
    assert!(
        spanish.starts_with(&format!("{}, el miércoles", i18n::ES.away)),
        "{spanish}"
    );
    assert!(spanish.contains("16 de enero"), "{spanish}");

    language.set(&i18n::RU);
    until("the Russian notice", || {
        text(&root, "away").contains("среда")
    })
    .await;
    let russian = text(&root, "away");
    assert!(
        russian.starts_with(&format!("{}: среда", i18n::RU.away)),
        "{russian}"
    );
    assert!(russian.contains("16 января"), "{russian}");
    assert!(russian.ends_with('.'), "{russian}");
}

#[wasm_bindgen_test]
fn closed_without_an_opening_says_so_without_a_time_and_open_says_nothing() {
    let root = container();
    let _closed = mount_with(&root, closed("away-none", None), RwSignal::new(&i18n::ES));
    assert_eq!(text(&root, "away"), format!("{}.", i18n::ES.away));
    let malformed = container();
    let _malformed = mount_with(
        &malformed,
        closed("away-malformed", Some("next tuesday")),
        RwSignal::new(&i18n::RU),
    );
    assert_eq!(text(&malformed, "away"), format!("{}.", i18n::RU.away));

    let open = container();
    let open_now = ChannelConfig {
        hours: Some(HoursStatus {
            open: true,
            opens_at: None,
            closes_at: None,
        }),
        ..config("away-open")
    };
    let _open = mount_with(&open, open_now, RwSignal::new(&i18n::EN));
    assert_eq!(text(&open, "away"), "", "open: an empty notice, not shown");
    let always = container();
    let _always = mount_with(&always, config("away-always"), RwSignal::new(&i18n::EN));
    assert_eq!(text(&always, "away"), "", "no hours: nothing to say");
}

/// An instant `ms` from now, RFC 3339.
fn from_now(ms: f64) -> String {
    js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now() + ms))
        .to_iso_string()
        .into()
}

#[wasm_bindgen_test]
async fn the_away_notice_follows_the_hours_while_the_page_stays_open() {
    clear_canal_keys();
    install_fakes(json!({}));
    let root = container();
    // Closed now; opens in a moment and closes a little later.
    let reopens = "2030-01-16T12:00:00Z";
    let hours = |opens_at: &str, closes_at: &str| HoursStatus {
        open: false,
        opens_at: Some(opens_at.into()),
        closes_at: Some(closes_at.into()),
    };
    let _mounted = mount_with(
        &root,
        ChannelConfig {
            hours: Some(hours(&from_now(300.0), &from_now(1_500.0))),
            ..config("away-live")
        },
        RwSignal::new(&i18n::EN),
    );
    let shown = || text(&root, "away");
    assert!(
        shown().starts_with(i18n::EN.away),
        "closed now: {}",
        shown()
    );

    until_within(5_000, "the opening", || shown().is_empty()).await;
    until_within(5_000, "the closing", || !shown().is_empty()).await;
    assert_eq!(
        shown(),
        format!("{}.", i18n::EN.away),
        "the opening after that is not known yet"
    );
    assert_eq!(
        fake("window.__canal.requests.length"),
        json!(0),
        "nothing asked"
    );

    // Open now, closing in a moment and back in 2030: the notice comes with the
    // time it is back.
    let later = container();
    let _later = mount_with(
        &later,
        ChannelConfig {
            hours: Some(HoursStatus {
                open: true,
                ..hours(reopens, &from_now(300.0))
            }),
            ..config("away-live")
        },
        RwSignal::new(&i18n::EN),
    );
    assert_eq!(text(&later, "away"), "", "open now");
    until_within(5_000, "the closing", || !text(&later, "away").is_empty()).await;
    assert!(
        text(&later, "away").contains("January 16"),
        "{}",
        text(&later, "away")
    );
}

#[wasm_bindgen_test]
async fn with_nobody_online_the_window_says_so_until_an_agent_writes() {
    clear_canal_keys();
    install_fakes(json!({}));
    storage::save(
        "offline-test",
        &storage::StoredSession {
            visitor_token: "tok_o".into(),
            consent_id: Some("cons_o".into()),
            conversation_id: Some("conv_o".into()),
            outbox: Vec::new(),
        },
    );
    let root = container();
    let language = RwSignal::new(&i18n::EN);
    let _mounted = mount_with(
        &root,
        ChannelConfig {
            offline: true,
            ..config("offline-test")
        },
        language,
    );
    assert_eq!(text(&root, "away"), i18n::EN.offline);
    language.set(&i18n::RU);
    until("the Russian notice", || {
        text(&root, "away") == i18n::RU.offline
    })
    .await;
    language.set(&i18n::EN);

    until("the socket", || {
        fake("window.__canal.sockets.length") == json!(1)
    })
    .await;
    js_sys::eval(
        r#"var s = window.__canal.sockets[0]; s.open();
           s.deliver({type: "welcome", conversation_id: "conv_o", last_seq: 0});
           s.deliver({type: "message", seq: 1, author: "agent", text: "Here now",
                      sent_at: "2026-01-01T00:00:01Z", author_name: "Ana"});"#,
    )
    .expect("an agent writes");
    settle().await;
    until("the notice to go", || text(&root, "away").is_empty()).await;
    clear_canal_keys();
}

// ---- the wire ---------------------------------------------------------------------

/// Every socket frame as the server writes it (serde_json) reads back through the
/// frame's decoding (the browser's `JSON.parse`, then serde-wasm-bindgen and the
/// protocol's derives) to itself; every frame the widget writes reads on the server's
/// side as it was sent; malformed frames are dropped, never misread.
#[wasm_bindgen_test]
fn every_socket_frame_round_trips_between_the_server_and_the_frame() {
    for frame in canal_protocol::samples::server_frames() {
        let text = serde_json::to_string(&frame).expect("as the server writes it");
        assert_eq!(api::decode::<ServerFrame>(&text), Some(frame), "{text}");
    }
    for frame in canal_protocol::samples::client_frames() {
        let text = api::encode(&frame).expect("writes");
        assert_eq!(
            serde_json::from_str::<ClientFrame>(&text).ok(),
            Some(frame),
            "{text}"
        );
    }
    for bad in [
        "",
        "null",
        "{}",
        "[1]",
        r#"{"type":"welcome","conversation_id":"c"}"#,
        r#"{"type":"ack","client_id":"c","seq":-1,"sent_at":"t"}"#,
        r#"{"type":"error","code":"no_such_code","message":"m"}"#,
        r#"{"type":"message","seq":1,"author":"robot","text":"t","sent_at":"t"}"#,
        r#"{"type":"unknown"}"#,
    ] {
        assert_eq!(api::decode::<ServerFrame>(bad), None, "{bad}");
    }
}

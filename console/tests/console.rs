//! Browser tier: the whole console in headless Chromium, against fakes.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg erase_components' cargo test -p
//! canal-console --target wasm32-unknown-unknown --profile wasm-test` (the runner
//! reads `webdriver.json` next to `Cargo.toml`; the rustflag compiles the console as
//! it ships, with Leptos's type-erased views: see `CONSOLE_RUSTFLAGS` in xtask).
//!
//! Each test replaces `fetch` and `WebSocket` with recording fakes, mounts the
//! [`App`] into a fresh container and plays the server's part: it answers
//! requests from a table and delivers socket frames built from `canal_protocol`
//! types, then checks the DOM and exactly which requests and frames the console
//! sent. Waiting is polling with a deadline, never a fixed sleep.
#![cfg(target_arch = "wasm32")]

use canal_console::api::{self, ApiError};
use canal_console::components::{AgentApp, App};
use canal_protocol::agent::{
    AgentClientFrame, AgentList, AgentProfile, AgentServerFrame, AgentSummary, AgentView, BotRule,
    CapExclusions, ConversationList, ConversationRecord, ConversationSummary, CreateAgent,
    DisplayMode, InboxKind, Label, ListedConversation, LoggedConversation, LoginRequest, QueueItem,
    Role, RoutingLogLine, RoutingMode, RoutingSettings, SetupState, Status, UpdateAgent,
};
use canal_protocol::channels::{
    ChannelList, ChannelView, CreateChannel, SetManagers, UpdateChannel,
};
use canal_protocol::hours::{HoursView, TimeRange, WeekHours, WorkingHours};
use canal_protocol::mail::{MailStatus, MailView};
use canal_protocol::rating::{Rating, RatingView};
use canal_protocol::{Author, ErrorCode, MessageView};
use leptos::{mount::mount_to, prelude::*};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

// ---- DOM helpers -------------------------------------------------------------------

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

fn select(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).expect("selector")
}

fn find(root: &Element, test_id: &str) -> Option<Element> {
    select(root, &format!("[data-testid=\"{test_id}\"]"))
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

/// The inbox line of a conversation.
fn item(root: &Element, id: &str) -> Option<Element> {
    select(
        root,
        &format!("[data-testid=\"conversation-item\"][data-conversation-id=\"{id}\"]"),
    )
}

/// A real click, as the browser dispatches it.
fn click(element: &Element) {
    element.unchecked_ref::<HtmlElement>().click();
}

fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

fn is_disabled(element: &Element) -> bool {
    element.has_attribute("disabled")
}

/// Types into a field the way a keyboard does: value, then an `input` event.
fn type_into(root: &Element, test_id: &str, value: &str) {
    let field = get(root, test_id);
    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = field.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
    }
    let event = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("event");
    field.dispatch_event(&event).expect("dispatch");
}

fn press(root: &Element, test_id: &str, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_cancelable(true);
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("key");
    get(root, test_id).dispatch_event(&event).expect("dispatch");
}

fn choose(root: &Element, test_id: &str, value: &str) {
    let field: HtmlSelectElement = get(root, test_id).unchecked_into();
    field.set_value(value);
    let event = web_sys::Event::new_with_event_init_dict("change", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("event");
    field.dispatch_event(&event).expect("dispatch");
}

async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timeout");
    });
    JsFuture::from(promise).await.expect("tick");
}

/// Polls `condition` until it holds, for at most `ms` milliseconds.
async fn until_within(ms: f64, what: &str, condition: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + ms;
    loop {
        if condition() {
            return;
        }
        if js_sys::Date::now() > deadline {
            panic!("timed out after {ms} ms waiting for {what}");
        }
        tick(10).await;
    }
}

/// Polls `condition` for at most 2 s.
async fn until(what: &str, condition: impl Fn() -> bool) {
    until_within(2_000.0, what, condition).await;
}

// ---- the fake server -------------------------------------------------------------

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

fn socket_count() -> usize {
    fake("window.__canal.sockets.length").as_u64().unwrap_or(0) as usize
}

/// The frames the console sent on socket `i`.
fn sent(i: usize) -> Vec<Value> {
    match fake(&format!("window.__canal.sockets[{i}].sent")) {
        Value::Array(frames) => frames,
        _ => Vec::new(),
    }
}

/// Everything the console sent on socket `i`, typing frames included.
fn frames(i: usize) -> Vec<Value> {
    match fake(&format!("window.__canal.sockets[{i}].frames")) {
        Value::Array(frames) => frames,
        _ => Vec::new(),
    }
}

async fn deliver(i: usize, frame: &AgentServerFrame) {
    let json = serde_json::to_string(frame).expect("serialise");
    js_sys::eval(&format!("window.__canal.sockets[{i}].deliver({json})")).expect("deliver");
    settle().await;
}

/// Lets the console's socket task run what a fake socket event just queued (the
/// kit's socket reads gloo-net's stream in a task of its own): one turn of the
/// microtask queue, no timer.
async fn settle() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .expect("a turn");
}

fn requests() -> Vec<Value> {
    match fake("window.__canal.requests") {
        Value::Array(requests) => requests,
        _ => Vec::new(),
    }
}

// ---- data ------------------------------------------------------------------------

fn profile(role: Role) -> AgentProfile {
    AgentProfile {
        id: 1,
        email: "ana@example.com".into(),
        name: "Ana Agent".into(),
        role,
        avatar_url: None,
    }
}

fn summary(id: &str, kind: InboxKind) -> ConversationSummary {
    ConversationSummary {
        id: id.into(),
        channel_key: "shop".into(),
        channel_title: "Shop support".into(),
        kind,
        agent_id: (kind == InboxKind::Mine).then_some(1),
        offered_to: if kind == InboxKind::Offered {
            vec![1]
        } else {
            Vec::new()
        },
        offer_deadline: (kind == InboxKind::Offered).then(|| "2099-01-01T00:00:00Z".into()),
        page_url: Some("https://shop.example/pricing".into()),
        utm: None,
        page_now: None,
        last_message: Some(format!("Hello from {id}")),
        rating: None,
        withdrawn: false,
        unanswered: false,
        created_at: "2026-01-05T10:00:00Z".into(),
    }
}

fn colleague(id: u64, name: &str, status: Status) -> AgentSummary {
    AgentSummary {
        id,
        name: name.into(),
        status,
        holding: 1,
        is_bot: false,
    }
}

fn welcome(role: Role, inbox: Vec<ConversationSummary>) -> AgentServerFrame {
    AgentServerFrame::Welcome {
        more: 0,
        agent: profile(role),
        status: Status::Online,
        agents: vec![
            colleague(1, "Ana Agent", Status::Online),
            colleague(2, "Ben Colleague", Status::Online),
        ],
        inbox,
    }
}

fn message(seq: u64, author: Author, text: &str) -> MessageView {
    MessageView {
        seq,
        author,
        text: text.into(),
        client_id: None,
        sent_at: format!("2026-01-05T10:00:{seq:02}Z"),
        author_name: (author == Author::Agent).then(|| "Ana Agent".into()),
        author_avatar: None,
    }
}

fn signed_in(role: Role) -> Value {
    json!({
        "/api/v1/agent/me": {"status": 200, "body": profile(role)},
        "/api/v1/agent/logout": {"status": 204, "body": null},
    })
}

/// Mounts the console for a signed-in agent, opens its socket and delivers
/// `welcome` with `inbox`.
async fn live_console(
    role: Role,
    inbox: Vec<ConversationSummary>,
) -> (HtmlElement, leptos::mount::UnmountHandle<impl Mountable>) {
    live_console_with(role, inbox, json!({})).await
}

/// [`live_console`] with more answers of the fake server (tried first).
async fn live_console_with(
    role: Role,
    inbox: Vec<ConversationSummary>,
    responses: Value,
) -> (HtmlElement, leptos::mount::UnmountHandle<impl Mountable>) {
    live_console_of(App, role, inbox, responses).await
}

/// [`live_console_with`] of the console `app` ([`App`], the full one, or
/// [`AgentApp`], the agents').
async fn live_console_of<N: IntoView + 'static>(
    app: impl FnOnce() -> N + 'static,
    role: Role,
    inbox: Vec<ConversationSummary>,
    responses: Value,
) -> (HtmlElement, leptos::mount::UnmountHandle<N::State>) {
    let mut all_responses = responses;
    if let (Some(all), Value::Object(base)) = (all_responses.as_object_mut(), signed_in(role)) {
        all.extend(base);
    }
    install_fakes(all_responses);
    let root = container();
    let mounted = mount_to(root.clone(), app);
    until("the socket", || socket_count() == 1).await;
    assert_eq!(
        fake("window.__canal.sockets[0].url")
            .as_str()
            .map(|url| url.ends_with("/api/v1/agent/ws") && url.starts_with("ws")),
        Some(true)
    );
    js_sys::eval("window.__canal.sockets[0].open()").expect("open");
    settle().await;
    deliver(0, &welcome(role, inbox)).await;
    until("the connection to be live", || {
        find(&root, "connection-state")
            .and_then(|e| e.get_attribute("data-state"))
            .as_deref()
            == Some("connected")
    })
    .await;
    (root, mounted)
}

// ---- sign-in -----------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_refused_login_shows_the_error_and_opens_no_socket() {
    install_fakes(json!({
        "/api/v1/agent/me": {"status": 401, "body": {"error": {"code": "unauthorized", "message": "sign in"}}},
        "/api/v1/agent/login": {"status": 401, "body": {"error": {"code": "unauthorized", "message": "bad login"}}},
    }));
    let root = container();
    let _mounted = mount_to(root.clone(), App);
    until("the login form", || find(&root, "login-email").is_some()).await;
    assert_eq!(text(&get(&root, "login-error")), "");

    type_into(&root, "login-email", " ana@example.com ");
    type_into(&root, "login-password", "wrong password");
    click(&get(&root, "login-submit"));
    until("the login error", || {
        text(&get(&root, "login-error")) == "Wrong email or password."
    })
    .await;
    assert_eq!(
        get(&root, "login-error").get_attribute("role").as_deref(),
        Some("alert")
    );
    let requests = requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[0]["url"], "/api/v1/agent/me");
    assert_eq!(
        requests[1]["url"], "/api/v1/agent/setup",
        "for the first-run hint"
    );
    assert_eq!(requests[2]["url"], "/api/v1/agent/login");
    assert_eq!(requests[2]["method"], "POST");
    assert_eq!(requests[2]["credentials"], "same-origin");
    assert_eq!(
        requests[2]["body"],
        json!({"email": "ana@example.com", "password": "wrong password"})
    );
    let password: HtmlInputElement = get(&root, "login-password").unchecked_into();
    assert_eq!(password.value(), "", "the password is cleared");
    assert_eq!(password.type_(), "password");
    assert_eq!(socket_count(), 0);
    assert!(!is_disabled(&get(&root, "login-submit")));
}

#[wasm_bindgen_test]
async fn empty_fields_are_refused_without_a_request() {
    install_fakes(json!({
        "/api/v1/agent/me": {"status": 401, "body": null},
    }));
    let root = container();
    let _mounted = mount_to(root.clone(), App);
    until("the login form", || find(&root, "login-submit").is_some()).await;
    click(&get(&root, "login-submit"));
    until("the error", || !text(&get(&root, "login-error")).is_empty()).await;
    let urls: Vec<Value> = requests().into_iter().map(|r| r["url"].clone()).collect();
    assert_eq!(
        urls,
        ["/api/v1/agent/me", "/api/v1/agent/setup"],
        "no login request"
    );
}

#[wasm_bindgen_test]
async fn a_canal_without_accounts_says_how_to_make_the_first_admin() {
    install_fakes(json!({
        "/api/v1/agent/me": {"status": 401, "body": null},
        "/api/v1/agent/setup": {"status": 200, "body": {"has_accounts": false}},
    }));
    let root = container();
    let _mounted = mount_to(root.clone(), App);
    until("the hint", || {
        find(&root, "setup-hint").is_some_and(|hint| !hint.has_attribute("hidden"))
    })
    .await;
    let hint = text(&get(&root, "setup-hint"));
    assert!(hint.contains("no accounts yet"), "{hint}");
    assert!(
        hint.contains(r#"canal admin create --email you@example.com --name "Your Name""#),
        "{hint}"
    );
    assert!(hint.contains("password it prints"), "{hint}");
    assert!(
        find(&root, "login-email").is_some(),
        "the form is still there"
    );
    root.remove();

    // Once there are accounts, the sign-in page is as it was.
    install_fakes(json!({
        "/api/v1/agent/me": {"status": 401, "body": null},
        "/api/v1/agent/setup": {"status": 200, "body": {"has_accounts": true}},
    }));
    let root = container();
    let _mounted = mount_to(root.clone(), App);
    until("the setup request", || {
        requests().iter().any(|r| r["url"] == "/api/v1/agent/setup")
    })
    .await;
    tick(50).await;
    assert!(find(&root, "login-email").is_some());
    assert!(get(&root, "setup-hint").has_attribute("hidden"));
}

#[wasm_bindgen_test]
async fn a_good_login_opens_the_console_and_sign_out_returns_to_the_form() {
    install_fakes(json!({
        "/api/v1/agent/me": {"status": 401, "body": {"error": {"code": "unauthorized", "message": "sign in"}}},
        "/api/v1/agent/login": {"status": 200, "body": profile(Role::Agent)},
        "/api/v1/agent/logout": {"status": 204, "body": null},
    }));
    let root = container();
    let _mounted = mount_to(root.clone(), App);
    until("the login form", || find(&root, "login-email").is_some()).await;
    type_into(&root, "login-email", "ana@example.com");
    type_into(&root, "login-password", "correct horse");
    click(&get(&root, "login-submit"));
    until("the socket", || socket_count() == 1).await;
    assert!(find(&root, "login-email").is_none());
    assert!(text(&get(&root, "agent-name")).contains("Ana Agent"));
    assert_eq!(
        get(&root, "connection-state")
            .get_attribute("data-state")
            .as_deref(),
        Some("connecting")
    );

    click(&get(&root, "logout"));
    until("the login form again", || {
        find(&root, "login-email").is_some()
    })
    .await;
    // The form asks again whether there are accounts; before that, the sign-out.
    let last = requests()
        .into_iter()
        .rfind(|r| r["url"] != "/api/v1/agent/setup")
        .expect("a request");
    assert_eq!(last["url"], "/api/v1/agent/logout");
    assert_eq!(last["method"], "POST");
    assert_eq!(
        fake("window.__canal.sockets[0].readyState"),
        json!(3),
        "the socket is closed"
    );
}

// ---- inbox -------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn after_welcome_the_offer_is_listed_with_take_and_decline() {
    let (root, _mounted) = live_console(
        Role::Agent,
        vec![
            summary("c1", InboxKind::Offered),
            summary("c2", InboxKind::Mine),
        ],
    )
    .await;
    let offered = get(&root, "inbox-offered");
    let line = item(&offered, "c1").expect("c1 among the offers");
    assert_eq!(line.get_attribute("data-kind").as_deref(), Some("offered"));
    let line_text = text(&line);
    for part in ["Shop support", "Hello from c1", "shop.example/pricing"] {
        assert!(line_text.contains(part), "{part} in {line_text}");
    }
    assert!(text(&get(&line, "offer-deadline")).starts_with("Passes on in"));
    assert!(find(&line, "take").is_some());
    assert!(find(&line, "decline").is_some());
    assert!(item(&get(&root, "inbox-mine"), "c2").is_some());
    assert!(find(&item(&root, "c2").expect("c2"), "take").is_none());
    assert!(
        find(&root, "inbox-waiting").is_none() && find(&root, "inbox-others").is_none(),
        "an agent sees no queue"
    );
    assert_eq!(
        window().document().expect("doc").title(),
        "(1) Canal console"
    );
}

#[wasm_bindgen_test]
async fn supervisors_also_see_the_queue_and_colleagues() {
    let (root, _mounted) = live_console(
        Role::Supervisor,
        vec![
            summary("w1", InboxKind::Waiting),
            summary("o1", InboxKind::Others),
        ],
    )
    .await;
    let waiting = item(&get(&root, "inbox-waiting"), "w1").expect("w1 in the queue");
    assert!(item(&get(&root, "inbox-others"), "o1").is_some());
    click(&get(&waiting, "take"));
    until("the take frame", || sent(0).len() == 1).await;
    assert_eq!(sent(0)[0], json!({"type": "take", "conversation_id": "w1"}));
}

#[wasm_bindgen_test]
async fn take_sends_the_frame_and_the_conversation_opens_once_it_is_mine() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c1", InboxKind::Offered)]).await;
    let line = item(&root, "c1").expect("c1");
    click(&get(&line, "take"));
    until("the take frame", || !sent(0).is_empty()).await;
    assert_eq!(sent(0), [json!({"type": "take", "conversation_id": "c1"})]);
    assert!(
        find(&root, "conversation-view").is_none(),
        "clicking Take does not open the line"
    );

    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: summary("c1", InboxKind::Mine),
        },
    )
    .await;
    until("the open frame", || sent(0).len() == 2).await;
    assert_eq!(sent(0)[1], json!({"type": "open", "conversation_id": "c1"}));
    until("c1 among mine", || {
        item(&get(&root, "inbox-mine"), "c1").is_some()
    })
    .await;
    assert!(item(&get(&root, "inbox-offered"), "c1").is_none());
}

#[wasm_bindgen_test]
async fn decline_sends_the_frame() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c1", InboxKind::Offered)]).await;
    click(&get(&item(&root, "c1").expect("c1"), "decline"));
    until("the decline frame", || !sent(0).is_empty()).await;
    assert_eq!(
        sent(0),
        [json!({"type": "decline", "conversation_id": "c1"})]
    );
}

#[wasm_bindgen_test]
async fn a_remove_frame_makes_the_offer_vanish() {
    let (root, _mounted) = live_console(
        Role::Agent,
        vec![
            summary("c1", InboxKind::Offered),
            summary("c2", InboxKind::Offered),
        ],
    )
    .await;
    assert_eq!(
        all(&get(&root, "inbox-offered"), "conversation-item").len(),
        2
    );
    deliver(
        0,
        &AgentServerFrame::Remove {
            conversation_id: "c1".into(),
        },
    )
    .await;
    until("c1 to vanish", || item(&root, "c1").is_none()).await;
    assert!(item(&root, "c2").is_some());
    until("the title to follow", || {
        window().document().expect("doc").title() == "(1) Canal console"
    })
    .await;
}

#[wasm_bindgen_test]
async fn upserts_add_and_update_lines_live() {
    let (root, _mounted) = live_console(Role::Agent, Vec::new()).await;
    assert!(find(&get(&root, "inbox-offered"), "conversation-item").is_none());
    let mut line = summary("c7", InboxKind::Offered);
    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: line.clone(),
        },
    )
    .await;
    until("the new offer", || item(&root, "c7").is_some()).await;
    line.last_message = Some("<img src=x onerror=alert(1)> newer".into());
    deliver(0, &AgentServerFrame::Upsert { conversation: line }).await;
    until("the newer message", || {
        item(&root, "c7").is_some_and(|e| text(&e).contains("newer"))
    })
    .await;
    assert!(
        select(&get(&root, "inbox-offered"), "img").is_none(),
        "text, not HTML"
    );
}

// ---- conversation ------------------------------------------------------------------

/// Opens `id` by clicking its line and answers with a history.
async fn open_with_history(root: &Element, id: &str, kind: InboxKind) {
    let before = sent(0).len();
    click(&item(root, id).expect("line"));
    until("the open frame", || sent(0).len() == before + 1).await;
    assert_eq!(
        sent(0)[before],
        json!({"type": "open", "conversation_id": id})
    );
    deliver(
        0,
        &AgentServerFrame::Conversation {
            conversation: summary(id, kind),
            messages: vec![
                message(1, Author::Visitor, "<b>Hi</b>, is this in stock?"),
                message(2, Author::System, "Ana Agent joined"),
                message(3, Author::Agent, "Let me check."),
            ],
            log: vec![RoutingLogLine {
                at: "2026-01-05T10:00:00Z".into(),
                text: "offered to Ana Agent: least load".into(),
                entry: json!({}),
            }],
            notes: vec![canal_protocol::agent::NoteView {
                id: 1,
                agent_id: 2,
                agent_name: "Bo".into(),
                text: "VIP: be quick".into(),
                created_at: "2026-01-05T10:00:30Z".into(),
                after_seq: 1,
                client_id: "n1".into(),
            }],
            dialog_link: None,
        },
    )
    .await;
    until("the history", || all(root, "message").len() == 3).await;
    // The note shows apart from the messages, marked private.
    until("the note", || all(root, "note").len() == 1).await;
}

#[wasm_bindgen_test]
async fn the_crm_card_shows_the_transcripts_on_its_records() {
    use canal_protocol::crm::{CardRecord, ConversationCrm, CustomerCard};
    let line = |at: &str, author: Author, name: Option<&str>, text: &str| MessageView {
        seq: 1,
        author,
        text: text.into(),
        client_id: None,
        sent_at: at.into(),
        author_name: name.map(Into::into),
        author_avatar: None,
    };
    let card = ConversationCrm {
        card: Some(CustomerCard {
            name: Some("Lucía Gómez".into()),
            phones: vec!["+34612345678".into()],
            emails: Vec::new(),
            responsible_name: None,
            records: vec![CardRecord {
                kind: "deal".into(),
                title: "Lucía Gómez".into(),
                status: "open".into(),
                source: "livechat".into(),
                transcripts: vec![
                    vec![
                        line(
                            "2026-01-04T10:00:00Z",
                            Author::Visitor,
                            None,
                            "¿Tenéis talla M?",
                        ),
                        line(
                            "2026-01-04T10:01:00Z",
                            Author::Agent,
                            Some("Ana Agent"),
                            "Sí.",
                        ),
                    ],
                    vec![line("2026-01-05T10:00:00Z", Author::Agent, None, "Hola")],
                ],
            }],
            conversations: Vec::new(),
            consents: Vec::new(),
        }),
    };
    let (root, _mounted) = live_console_with(
        Role::Agent,
        vec![summary("c2", InboxKind::Mine)],
        json!({"GET /api/v1/agent/conversations/c2/crm": {"status": 200, "body": card}}),
    )
    .await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    until("the card", || find(&root, "crm-name").is_some()).await;
    assert_eq!(all(&root, "crm-record").len(), 1);
    assert!(
        !text(&get(&root, "crm-record")).contains("talla"),
        "the record's line is the record alone"
    );
    let lines: Vec<String> = all(&root, "crm-transcript-line").iter().map(text).collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0], "Transcript · Lucía Gómez", "{lines:?}");
    assert!(
        lines[1].ends_with("Customer: ¿Tenéis talla M?"),
        "{lines:?}"
    );
    assert!(lines[2].ends_with("Ana Agent: Sí."), "{lines:?}");
    assert_eq!(
        lines[3], "Transcript · Lucía Gómez",
        "the next one: {lines:?}"
    );
    assert!(
        lines[4].ends_with("Agent: Hola"),
        "a message no agent wrote: the word for an agent: {lines:?}"
    );
}

#[wasm_bindgen_test]
async fn open_renders_the_history_and_the_routing_log() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;

    let messages = all(&root, "message");
    let authors: Vec<Option<String>> = messages
        .iter()
        .map(|m| m.get_attribute("data-author"))
        .collect();
    assert_eq!(
        authors,
        [
            Some("visitor".to_string()),
            Some("system".to_string()),
            Some("agent".to_string())
        ]
    );
    let first = get(&messages[0], "message-text");
    assert_eq!(text(&first), "<b>Hi</b>, is this in stock?");
    assert!(select(&first, "b").is_none(), "text, not HTML");
    assert!(text(&messages[0]).contains("Visitor"));
    assert!(text(&messages[2]).contains("Ana Agent"));
    // New messages are announced: the list sits in a polite live region.
    let region = get(&root, "message-list")
        .closest("[role=log]")
        .ok()
        .flatten()
        .expect("the message list is inside the live region");
    assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        item(&root, "c2")
            .and_then(|e| e.get_attribute("aria-current"))
            .as_deref(),
        Some("true")
    );

    let log = get(&root, "routing-log");
    assert!(text(&log).contains("offered to Ana Agent: least load"));
    deliver(
        0,
        &AgentServerFrame::Log {
            conversation_id: "c2".into(),
            line: RoutingLogLine {
                at: "2026-01-05T10:01:00Z".into(),
                text: "taken by Ana Agent".into(),
                entry: json!({}),
            },
        },
    )
    .await;
    until("the new log line", || {
        all(&root, "routing-log-line").len() == 2
    })
    .await;

    // Live messages of the open conversation; a replay is shown once.
    for _ in 0..2 {
        deliver(
            0,
            &AgentServerFrame::Message {
                conversation_id: "c2".into(),
                message: message(4, Author::Visitor, "Thanks!"),
            },
        )
        .await;
    }
    deliver(
        0,
        &AgentServerFrame::Message {
            conversation_id: "c2".into(),
            message: message(5, Author::Visitor, "Bye"),
        },
    )
    .await;
    until("the live messages", || all(&root, "message").len() == 5).await;
    assert!(find(&root, "close-conversation").is_some());
    assert!(find(&root, "reply-input").is_some());
}

#[wasm_bindgen_test]
async fn an_open_offer_has_take_and_decline_but_no_composer() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c1", InboxKind::Offered)]).await;
    open_with_history(&root, "c1", InboxKind::Offered).await;
    let view = get(&root, "conversation-view");
    assert!(find(&view, "take").is_some());
    assert!(find(&view, "decline").is_some());
    assert!(find(&view, "reply-input").is_none());
    assert!(find(&view, "transfer-select").is_none());

    deliver(
        0,
        &AgentServerFrame::Remove {
            conversation_id: "c1".into(),
        },
    )
    .await;
    until("the view to say it is gone", || {
        get(&root, "standing")
            .get_attribute("data-standing")
            .as_deref()
            == Some("gone")
    })
    .await;
    assert!(find(&get(&root, "conversation-view"), "take").is_none());
}

#[wasm_bindgen_test]
async fn a_reply_is_sent_and_shows_pending_then_acknowledged() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    let before = sent(0).len();

    type_into(&root, "reply-input", "First line");
    press(&root, "reply-input", "Enter", true);
    assert_eq!(sent(0).len(), before, "Shift+Enter does not send");

    type_into(&root, "reply-input", "In stock, yes.\nShipping today.");
    press(&root, "reply-input", "Enter", false);
    until("the reply frame", || sent(0).len() == before + 1).await;
    let reply = sent(0)[before].clone();
    assert_eq!(reply["type"], "reply");
    assert_eq!(reply["conversation_id"], "c2");
    assert_eq!(reply["text"], "In stock, yes.\nShipping today.");
    let client_id = reply["client_id"].as_str().expect("client id").to_owned();
    assert_eq!(client_id.len(), 32);
    assert!(client_id.bytes().all(|b| b.is_ascii_hexdigit()));

    until("the pending bubble", || all(&root, "message").len() == 4).await;
    let bubble = all(&root, "message").pop().expect("bubble");
    assert_eq!(
        bubble.get_attribute("data-author").as_deref(),
        Some("agent")
    );
    assert_eq!(
        bubble.get_attribute("data-status").as_deref(),
        Some("pending")
    );
    assert_eq!(
        get(&root, "reply-input")
            .unchecked_into::<HtmlTextAreaElement>()
            .value(),
        "",
        "the composer is emptied"
    );

    deliver(
        0,
        &AgentServerFrame::Ack {
            conversation_id: "c2".into(),
            client_id: client_id.clone(),
            seq: 4,
        },
    )
    .await;
    until("the reply to be acknowledged", || {
        all(&root, "message")
            .pop()
            .and_then(|m| m.get_attribute("data-status"))
            .as_deref()
            == Some("sent")
    })
    .await;

    // The server's copy of the reply replaces the bubble, not adds one.
    let mut stored = message(4, Author::Agent, "In stock, yes.\nShipping today.");
    stored.client_id = Some(client_id);
    deliver(
        0,
        &AgentServerFrame::Message {
            conversation_id: "c2".into(),
            message: stored,
        },
    )
    .await;
    deliver(
        0,
        &AgentServerFrame::Message {
            conversation_id: "c2".into(),
            message: message(5, Author::Visitor, "Great"),
        },
    )
    .await;
    until("the next message", || {
        all(&root, "message")
            .pop()
            .is_some_and(|m| text(&m).contains("Great"))
    })
    .await;
    assert_eq!(all(&root, "message").len(), 5);

    // The send button works too.
    type_into(&root, "reply-input", "Anything else?");
    click(&get(&root, "reply-send"));
    until("the second reply", || sent(0).len() == before + 2).await;
    assert_eq!(sent(0)[before + 1]["text"], "Anything else?");
}

#[wasm_bindgen_test]
async fn transfer_and_close_send_their_frames() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    let before = sent(0).len();
    assert!(
        is_disabled(&get(&root, "transfer-submit")),
        "nobody chosen yet"
    );
    let options = get(&root, "transfer-select")
        .unchecked_into::<HtmlSelectElement>()
        .options();
    let labels: Vec<String> = (0..options.length())
        .filter_map(|i| options.item(i))
        .map(|o| text(&o))
        .collect();
    assert_eq!(labels.len(), 3, "{labels:?}: choose, queue, Ben (not me)");
    assert!(labels[2].contains("Ben Colleague"));

    choose(&root, "transfer-select", "2");
    until("transfer to be possible", || {
        !is_disabled(&get(&root, "transfer-submit"))
    })
    .await;
    click(&get(&root, "transfer-submit"));
    until("the transfer frame", || sent(0).len() == before + 1).await;
    assert_eq!(
        sent(0)[before],
        json!({"type": "transfer", "conversation_id": "c2", "to_agent": 2})
    );

    choose(&root, "transfer-select", "queue");
    until("transfer to be possible", || {
        !is_disabled(&get(&root, "transfer-submit"))
    })
    .await;
    click(&get(&root, "transfer-submit"));
    until("the second transfer frame", || sent(0).len() == before + 2).await;
    assert_eq!(
        sent(0)[before + 1],
        json!({"type": "transfer", "conversation_id": "c2"}),
        "back to the queue: no to_agent"
    );

    click(&get(&root, "close-conversation"));
    until("the close frame", || sent(0).len() == before + 3).await;
    assert_eq!(
        sent(0)[before + 2],
        json!({"type": "close", "conversation_id": "c2"})
    );
}

// ---- header, notices, reconnects ---------------------------------------------------

#[wasm_bindgen_test]
async fn the_status_toggle_sends_status_and_follows_the_echo() {
    let (root, _mounted) = live_console(Role::Agent, Vec::new()).await;
    let toggle = get(&root, "status-toggle");
    assert_eq!(
        toggle.get_attribute("aria-checked").as_deref(),
        Some("true")
    );
    assert_eq!(toggle.get_attribute("role").as_deref(), Some("switch"));
    click(&toggle);
    until("the status frame", || !sent(0).is_empty()).await;
    assert_eq!(sent(0), [json!({"type": "status", "status": "away"})]);
    deliver(
        0,
        &AgentServerFrame::Status {
            status: Status::Away,
        },
    )
    .await;
    until("the toggle to say away", || {
        get(&root, "status-toggle")
            .get_attribute("aria-checked")
            .as_deref()
            == Some("false")
    })
    .await;
    assert!(text(&get(&root, "status-toggle")).contains("Away"));
    click(&get(&root, "status-toggle"));
    until("the second status frame", || sent(0).len() == 2).await;
    assert_eq!(sent(0)[1], json!({"type": "status", "status": "online"}));
}

#[wasm_bindgen_test]
async fn an_error_frame_shows_a_notice_that_can_be_dismissed() {
    let (root, _mounted) = live_console(Role::Agent, Vec::new()).await;
    assert!(find(&root, "notice").is_none());
    deliver(
        0,
        &AgentServerFrame::Error {
            code: ErrorCode::RoutingRefused,
            message: "already taken".into(),
            conversation_id: None,
            client_id: None,
        },
    )
    .await;
    until("the notice", || find(&root, "notice").is_some()).await;
    let notice = get(&root, "notice");
    assert_eq!(
        notice.get_attribute("data-code").as_deref(),
        Some("routing_refused")
    );
    assert!(text(&notice).contains("Not possible any more"));
    click(&get(&root, "notice-dismiss"));
    until("the notice to go", || find(&root, "notice").is_none()).await;
}

#[wasm_bindgen_test]
async fn a_dropped_socket_reconnects_and_the_new_welcome_replaces_the_inbox() {
    let (root, _mounted) = live_console(
        Role::Agent,
        vec![
            summary("c1", InboxKind::Offered),
            summary("c2", InboxKind::Mine),
        ],
    )
    .await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    let before = sent(0).len();

    let dropped_at = js_sys::Date::now();
    js_sys::eval("window.__canal.sockets[0].drop()").expect("drop");
    settle().await;
    until("the reconnecting state", || {
        get(&root, "connection-state")
            .get_attribute("data-state")
            .as_deref()
            == Some("reconnecting")
    })
    .await;
    assert!(text(&get(&root, "connection-state")).contains("Reconnecting"));
    assert!(is_disabled(&get(&root, "status-toggle")));

    // Written while offline: pending now, sent after the reconnect.
    type_into(&root, "reply-input", "Are you still there?");
    press(&root, "reply-input", "Enter", false);
    until("the pending bubble", || all(&root, "message").len() == 4).await;
    assert_eq!(sent(0).len(), before, "nothing goes to a closed socket");

    // The first retry comes after about a second (±20 %): not before 0.8 s.
    until_within(4_000.0, "a new socket", || socket_count() == 2).await;
    let waited = fake("window.__canal.sockets[1].created_at")
        .as_f64()
        .unwrap_or(0.0)
        - dropped_at;
    assert!(waited >= 800.0, "the retry came {waited} ms after the drop");
    js_sys::eval("window.__canal.sockets[1].open()").expect("open");
    settle().await;
    deliver(
        1,
        &welcome(
            Role::Agent,
            vec![
                summary("c2", InboxKind::Mine),
                summary("c9", InboxKind::Offered),
            ],
        ),
    )
    .await;
    until("the new inbox", || item(&root, "c9").is_some()).await;
    assert!(item(&root, "c1").is_none(), "the old offer is gone");
    until("the resent frames", || sent(1).len() == 2).await;
    let again = sent(1);
    assert_eq!(again[0], json!({"type": "open", "conversation_id": "c2"}));
    assert_eq!(again[1]["type"], "reply");
    assert_eq!(again[1]["text"], "Are you still there?");
    assert_eq!(
        get(&root, "connection-state")
            .get_attribute("data-state")
            .as_deref(),
        Some("connected")
    );
}

#[wasm_bindgen_test]
async fn a_socket_refused_for_an_ended_session_returns_to_the_form() {
    install_fakes(signed_in(Role::Agent));
    let root = container();
    let _mounted = mount_to(root.clone(), App);
    until("the socket", || socket_count() == 1).await;
    // The session ends: /me now says 401 and the socket is refused.
    js_sys::eval(
        r#"window.__canal.responses["/api/v1/agent/me"] =
             {status: 401, body: {error: {code: "unauthorized", message: "sign in"}}};
           window.__canal.sockets[0].drop();"#,
    )
    .expect("refuse");
    settle().await;
    until("the login form", || find(&root, "login-email").is_some()).await;
    assert_eq!(
        text(&get(&root, "login-error")),
        "Your session has ended. Sign in again."
    );
}

#[wasm_bindgen_test]
async fn a_refused_reply_is_marked_not_sent_with_the_reason() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    let before = sent(0).len();
    for reply in ["First", "Second"] {
        type_into(&root, "reply-input", reply);
        press(&root, "reply-input", "Enter", false);
    }
    until("both reply frames", || sent(0).len() == before + 2).await;
    let refused = sent(0)[before]["client_id"]
        .as_str()
        .expect("client id")
        .to_owned();
    deliver(
        0,
        &AgentServerFrame::Error {
            code: ErrorCode::RoutingRefused,
            message: "not held by you".into(),
            conversation_id: Some("c2".into()),
            client_id: Some(refused),
        },
    )
    .await;
    until("the refused bubble", || {
        all(&root, "message")
            .iter()
            .any(|m| m.get_attribute("data-status").as_deref() == Some("failed"))
    })
    .await;
    let bubbles = all(&root, "message");
    assert_eq!(bubbles.len(), 5);
    let statuses: Vec<Option<String>> = bubbles[3..]
        .iter()
        .map(|m| m.get_attribute("data-status"))
        .collect();
    assert_eq!(
        statuses,
        [Some("failed".to_string()), Some("pending".to_string())],
        "exactly that reply"
    );
    assert!(text(&bubbles[3]).contains("First"));
    assert!(text(&bubbles[3]).contains("Not sent"));
    assert!(text(&bubbles[3]).contains("Not possible any more"));
    assert_eq!(
        bubbles[3].get_attribute("data-refused").as_deref(),
        Some("routing_refused")
    );
    assert!(find(&root, "notice").is_none(), "the bubble says it");
}

#[wasm_bindgen_test]
async fn a_closed_conversation_stays_on_screen_as_closed() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    assert!(find(&root, "reply-input").is_some());
    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: summary("c2", InboxKind::Closed),
        },
    )
    .await;
    deliver(
        0,
        &AgentServerFrame::Remove {
            conversation_id: "c2".into(),
        },
    )
    .await;
    until("the closed badge", || {
        get(&root, "standing")
            .get_attribute("data-standing")
            .as_deref()
            == Some("closed")
    })
    .await;
    assert_eq!(text(&get(&root, "standing")), "Closed");
    assert!(find(&root, "closed-note").is_some());
    assert!(find(&root, "reply-input").is_none(), "read-only");
    assert!(find(&root, "close-conversation").is_none());
    assert!(find(&root, "transfer-select").is_none());
    assert_eq!(all(&root, "message").len(), 3, "the history stays");
    assert!(item(&root, "c2").is_none(), "not in the inbox any more");
}

#[wasm_bindgen_test]
async fn the_visitors_rating_shows_on_the_conversation_as_it_arrives() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    assert!(find(&root, "rating").is_none(), "not rated yet");
    let rated = ConversationSummary {
        rating: Some(canal_protocol::rating::RatingView {
            rating: canal_protocol::rating::Rating::Dislike,
            comment: Some("<b>Slow</b>".into()),
            rated_at: "2026-01-05T10:05:00Z".into(),
        }),
        ..summary("c2", InboxKind::Mine)
    };
    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: rated,
        },
    )
    .await;
    until("the rating", || find(&root, "rating").is_some()).await;
    let rating = get(&root, "rating");
    assert_eq!(
        rating.get_attribute("data-rating").as_deref(),
        Some("dislike")
    );
    assert_eq!(
        text(&rating),
        "Visitor's rating: 👎 poor “<b>Slow</b>”",
        "as text"
    );
}

#[wasm_bindgen_test]
async fn the_header_shows_the_start_pages_utm_and_where_the_visitor_is_now() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    assert_eq!(
        text(&get(&root, "page-start")),
        "Page: https://shop.example/pricing"
    );
    assert!(find(&root, "utm").is_none(), "no tags");
    assert!(find(&root, "page-now").is_none(), "not moved yet");
    let moved = ConversationSummary {
        utm: Some(canal_protocol::Utm {
            source: Some("news".into()),
            medium: Some("email".into()),
            ..Default::default()
        }),
        page_now: Some("https://shop.example/cart".into()),
        ..summary("c2", InboxKind::Mine)
    };
    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: moved,
        },
    )
    .await;
    until("where the visitor is", || find(&root, "page-now").is_some()).await;
    let now = get(&root, "page-now");
    assert_eq!(text(&now), "Now on: https://shop.example/cart");
    let link = select(&now, "a").expect("a link");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://shop.example/cart")
    );
    assert_eq!(text(&get(&root, "utm")), "UTM: source=news · medium=email");
    // Not a web page: shown, never a link.
    let odd = ConversationSummary {
        page_now: Some("javascript:alert(1)".into()),
        ..summary("c2", InboxKind::Mine)
    };
    deliver(0, &AgentServerFrame::Upsert { conversation: odd }).await;
    until("the odd page", || {
        find(&root, "page-now").is_some_and(|n| text(&n).ends_with("javascript:alert(1)"))
    })
    .await;
    assert!(select(&get(&root, "page-now"), "a").is_none());
}

#[wasm_bindgen_test]
async fn a_messenger_dialog_links_to_the_connector_s_own_app_when_told_to() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    click(&item(&root, "c2").expect("line"));
    until("the open frame", || !sent(0).is_empty()).await;
    deliver(
        0,
        &AgentServerFrame::Conversation {
            conversation: summary("c2", InboxKind::Mine),
            messages: Vec::new(),
            log: Vec::new(),
            notes: Vec::new(),
            dialog_link: Some("https://gw.example/chats/tg-77".into()),
        },
    )
    .await;
    until("the link", || find(&root, "dialog-link").is_some()).await;
    let link = get(&root, "dialog-link");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://gw.example/chats/tg-77")
    );
    assert_eq!(text(&link), "Open in the messenger's app");
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
}

#[wasm_bindgen_test]
async fn a_visitors_withdrawal_shows_on_the_conversation_as_it_arrives() {
    let (root, _mounted) = live_console(Role::Agent, vec![summary("c2", InboxKind::Mine)]).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    assert!(find(&root, "withdrawn").is_none(), "not withdrawn yet");
    let withdrawn = ConversationSummary {
        withdrawn: true,
        ..summary("c2", InboxKind::Mine)
    };
    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: withdrawn,
        },
    )
    .await;
    until("the withdrawal", || find(&root, "withdrawn").is_some()).await;
    assert_eq!(
        text(&get(&root, "withdrawn")),
        "The visitor withdrew their consent: nothing more is collected from them"
    );
}

// ---- settings (admins) -------------------------------------------------------------

fn agent_view(id: u64, name: &str, role: Role, cap: Option<u32>) -> AgentView {
    AgentView {
        id,
        email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
        name: name.into(),
        role,
        cap,
        avatar_url: None,
        is_bot: false,
        dismissed: false,
        status: Status::Online,
    }
}

fn demo_routing() -> RoutingSettings {
    RoutingSettings {
        mode: RoutingMode::Evenly,
        pass_after_secs: 120,
        check_online: true,
        exclusions: CapExclusions::default(),
        route_to_responsible: true,
        bot_agent_id: Some(7),
        bot_rules: vec![BotRule {
            keywords: vec!["price".into()],
            answer: "See our pricing page.".into(),
        }],
        no_agent_reply: Some("We will write back soon.".into()),
        display_mode: DisplayMode::Channel,
        queue: vec![QueueItem::Agent(1), QueueItem::Department(3)],
    }
}

fn channel_view(key: &str, name: &str, active: bool) -> ChannelView {
    ChannelView {
        key: key.into(),
        name: name.into(),
        title: None,
        greeting: None,
        greetings: Default::default(),
        locale: None,
        allowed_origins: None,
        active,
        agreement_id: None,
        created_at: "2031-01-01T00:00:00Z".into(),
        snippet: format!(
            r#"<script src="https://chat.example/embed.js?channel={key}" data-channel="{key}" async></script>"#
        ),
        managers: Vec::new(),
        deleted_at: None,
    }
}

/// The admin answers of the fake server (`more` must use other keys: the
/// table's keys are sorted, so the base answers would win).
fn admin_responses(more: Value) -> Value {
    let mut responses = more;
    let base = json!({
        "GET /api/v1/admin/agents": {"status": 200, "body": AgentList {
            agents: vec![
                agent_view(1, "Ana Agent", Role::Admin, None),
                agent_view(2, "Ben Colleague", Role::Agent, Some(3)),
            ],
        }},
        "GET /api/v1/admin/channels/demo/routing": {"status": 200, "body": demo_routing()},
        "GET /api/v1/admin/channels": {"status": 200, "body": ChannelList {
            channels: vec![channel_view("demo", "Demo site", true), channel_view("shop", "Shop", false)],
        }},
    });
    if let (Some(all), Value::Object(base)) = (responses.as_object_mut(), base) {
        all.extend(base);
    }
    responses
}

/// An admin's console switched to the settings, with the agents and the `demo`
/// routing loaded.
async fn admin_settings(
    more: Value,
) -> (HtmlElement, leptos::mount::UnmountHandle<impl Mountable>) {
    let (root, mounted) = live_console_with(Role::Admin, Vec::new(), admin_responses(more)).await;
    assert!(find(&root, "settings").is_none(), "the chat is the default");
    click(&get(&root, "settings-link"));
    until("the agents", || all(&root, "agent-row").len() == 2).await;
    until("the routing form", || find(&root, "routing-save").is_some()).await;
    assert!(
        get(&root, "settings-link")
            .get_attribute("aria-current")
            .as_deref()
            == Some("page")
    );
    (root, mounted)
}

fn requests_to(method: &str, suffix: &str) -> Vec<Value> {
    requests()
        .into_iter()
        .filter(|r| r["method"] == method && r["url"].as_str().is_some_and(|u| u.ends_with(suffix)))
        .collect()
}

#[wasm_bindgen_test]
async fn settings_are_only_for_admins_and_the_list_for_everyone() {
    for role in [Role::Agent, Role::Supervisor] {
        let (root, _mounted) = live_console(role, Vec::new()).await;
        assert!(find(&root, "settings-link").is_none(), "{role:?}");
        assert!(
            find(&root, "log-link").is_some(),
            "{role:?}: the conversation list is every agent's"
        );
        assert!(find(&root, "settings").is_none());
        assert!(requests_to("GET", "/api/v1/admin/agents").is_empty());
        root.remove();
    }
    let (root, _mounted) = live_console(Role::Admin, Vec::new()).await;
    assert!(find(&root, "settings-link").is_some());
    assert!(find(&root, "log-link").is_some());
    assert!(
        find(&root, "message-log").is_none(),
        "the chat is the default"
    );
    assert!(find(&root, "settings").is_none(), "the chat is the default");
    assert!(find(&root, "inbox").is_some());
}

#[wasm_bindgen_test]
async fn the_agents_console_links_admins_to_the_full_one() {
    let (root, _mounted) = live_console_of(AgentApp, Role::Admin, Vec::new(), json!({})).await;
    for (link, href) in [
        ("log-link", "/console/admin/#log"),
        ("settings-link", "/console/admin/#settings"),
    ] {
        let link = get(&root, link);
        assert_eq!(link.tag_name(), "A");
        assert_eq!(link.get_attribute("href").as_deref(), Some(href));
    }
    assert_eq!(get(&root, "chat-link").tag_name(), "BUTTON");
    assert!(find(&root, "settings").is_none());
    assert!(find(&root, "inbox").is_some());
    root.remove();
}

#[wasm_bindgen_test]
async fn creating_an_agent_posts_it_and_lists_it() {
    let created = agent_view(5, "Cleo New", Role::Supervisor, Some(4));
    let (root, _mounted) = admin_settings(json!({
        "POST /api/v1/admin/agents": {"status": 201, "body": created},
    }))
    .await;
    let table = get(&root, "agents-table");
    assert!(text(&table).contains("Ben Colleague"));

    type_into(&root, "agent-create-email", " cleo.new@example.com ");
    type_into(&root, "agent-create-name", "Cleo New");
    type_into(&root, "agent-create-password", "a long password");
    choose(&root, "agent-create-role", "supervisor");
    type_into(&root, "agent-create-cap", "4");
    click(&get(&root, "agent-create-submit"));
    until("the new row", || all(&root, "agent-row").len() == 3).await;

    let posts = requests_to("POST", "/api/v1/admin/agents");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["credentials"], "same-origin");
    assert_eq!(posts[0]["content_type"], "application/json");
    assert_eq!(
        posts[0]["body"],
        json!({
            "email": "cleo.new@example.com",
            "name": "Cleo New",
            "password": "a long password",
            "role": "supervisor",
            "cap": 4,
            "is_bot": false,
        })
    );
    let form = get(&root, "agent-create");
    assert_eq!(text(&get(&form, "settings-status")), "Saved: agent created");
    assert_eq!(text(&get(&form, "settings-error")), "");
    assert_eq!(
        get(&root, "agent-create-email")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "",
        "the form empties"
    );
    let row = select(&table, "[data-testid=\"agent-row\"][data-agent-id=\"5\"]").expect("row");
    assert!(text(&row).contains("Cleo New"));
    assert_eq!(
        get(&row, "agent-cap")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "4"
    );
}

#[wasm_bindgen_test]
async fn a_refused_agent_shows_the_servers_message() {
    let (root, _mounted) = admin_settings(json!({
        "POST /api/v1/admin/agents": {"status": 422, "body": {"error": {
            "code": "invalid_field", "message": "an agent with this email exists"
        }}},
    }))
    .await;
    type_into(&root, "agent-create-email", "ben.colleague@example.com");
    type_into(&root, "agent-create-name", "Ben Again");
    type_into(&root, "agent-create-password", "a long password");
    click(&get(&root, "agent-create-submit"));
    let form = get(&root, "agent-create");
    until("the server's message", || {
        text(&get(&form, "settings-error")) == "an agent with this email exists"
    })
    .await;
    assert_eq!(
        get(&form, "settings-error")
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    assert_eq!(text(&get(&form, "settings-status")), "");
    assert_eq!(all(&root, "agent-row").len(), 2, "nobody added");
    assert_eq!(
        get(&root, "agent-create-name")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "Ben Again",
        "what was typed stays, to correct it"
    );
}

#[wasm_bindgen_test]
async fn an_agent_row_patches_only_what_changed() {
    let mut saved = agent_view(2, "Ben Colleague", Role::Supervisor, None);
    saved.dismissed = false;
    let (root, _mounted) = admin_settings(json!({
        "PATCH /api/v1/admin/agents/2": {"status": 200, "body": saved},
    }))
    .await;
    let row = select(&root, "[data-testid=\"agent-row\"][data-agent-id=\"2\"]").expect("row");
    let cap = get(&row, "agent-cap");
    assert_eq!(
        cap.clone().unchecked_into::<HtmlInputElement>().value(),
        "3"
    );
    type_into(&row, "agent-cap", "");
    choose(&row, "agent-role", "supervisor");
    click(&get(&row, "agent-save"));
    until("Saved", || text(&get(&row, "settings-status")) == "Saved").await;
    let patches = requests_to("PATCH", "/api/v1/admin/agents/2");
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0]["content_type"], "application/json");
    assert_eq!(
        patches[0]["body"],
        json!({"role": "supervisor", "cap": null}),
        "a cleared cap is null; the rest is left out"
    );
}

#[wasm_bindgen_test]
async fn routing_save_sends_the_edits_and_keeps_the_rest() {
    let mut expected = demo_routing();
    expected.mode = RoutingMode::Strict;
    expected.pass_after_secs = 600;
    expected.check_online = false;
    expected.exclusions.waiting_for_client = true;
    expected.queue = vec![
        QueueItem::Agent(1),
        QueueItem::Agent(2),
        QueueItem::Department(3),
    ];
    let (root, _mounted) = admin_settings(json!({
        "PUT /api/v1/admin/channels/demo/routing": {"status": 200, "body": expected},
    }))
    .await;
    let loads = requests_to("GET", "/api/v1/admin/channels/demo/routing");
    assert_eq!(loads.len(), 1);
    assert_eq!(loads[0]["credentials"], "same-origin");
    assert_eq!(
        get(&root, "routing-pass-after")
            .unchecked_into::<HtmlInputElement>()
            .value(),
        "2",
        "seconds shown as minutes"
    );
    assert_eq!(
        get(&root, "routing-mode")
            .unchecked_into::<HtmlSelectElement>()
            .value(),
        "evenly"
    );
    let queue = get(&root, "routing-queue");
    let names: Vec<String> = all(&queue, "routing-queue-item")
        .iter()
        .map(|i| text(&select(i, ".cc-queue-name").expect("name")))
        .collect();
    assert_eq!(names, ["Ana Agent", "Department #3"]);

    choose(&root, "routing-mode", "strict");
    type_into(&root, "routing-pass-after", "10");
    click(&get(&root, "routing-check-online"));
    click(&get(&root, "routing-excl-waiting"));
    choose(&root, "routing-queue-add", "2");
    until("Add to be possible", || {
        !is_disabled(&get(&root, "routing-queue-add-submit"))
    })
    .await;
    click(&get(&root, "routing-queue-add-submit"));
    until("Ben in the queue", || {
        all(&queue, "routing-queue-item").len() == 3
    })
    .await;
    // Ben moves up above the department.
    click(&get(
        &all(&queue, "routing-queue-item")[2],
        "routing-queue-up",
    ));
    until("the new order", || {
        all(&queue, "routing-queue-item")
            .get(1)
            .is_some_and(|i| text(i).contains("Ben Colleague"))
    })
    .await;
    click(&get(&root, "routing-save"));
    let form = get(&root, "routing-form");
    until("Saved", || text(&get(&form, "settings-status")) == "Saved").await;

    let puts = requests_to("PUT", "/api/v1/admin/channels/demo/routing");
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0]["credentials"], "same-origin");
    assert_eq!(puts[0]["content_type"], "application/json");
    assert_eq!(
        puts[0]["body"],
        serde_json::to_value(&expected).expect("json"),
        "the edits, with bot, rules, responsible routing, department and reply as loaded"
    );
    assert_eq!(text(&get(&form, "settings-error")), "");

    // Another channel picked: its settings are asked for, and a refusal is shown.
    choose(&root, "channel-picker", "shop");
    until("the refusal", || {
        text(&get(&root, "routing-load-error")) == "no route"
    })
    .await;
    assert_eq!(
        requests_to("GET", "/api/v1/admin/channels/shop/routing").len(),
        1
    );
    assert!(find(&root, "routing-form").is_none());

    // The pass-after range is checked before anything is sent.
    choose(&root, "channel-picker", "demo");
    until("the form again", || find(&root, "routing-form").is_some()).await;
    type_into(&root, "routing-pass-after", "721");
    click(&get(&root, "routing-save"));
    until("the range error", || {
        text(&get(&get(&root, "routing-form"), "settings-error")).contains("1 to 720")
    })
    .await;
    assert_eq!(
        requests_to("PUT", "/api/v1/admin/channels/demo/routing").len(),
        1
    );
}

#[wasm_bindgen_test]
async fn the_chat_stays_live_behind_the_settings() {
    let (root, _mounted) = admin_settings(json!({})).await;
    deliver(
        0,
        &AgentServerFrame::Upsert {
            conversation: summary("c9", InboxKind::Offered),
        },
    )
    .await;
    // The offer arrives while the settings are shown.
    until("the offer, behind the settings", || {
        item(&root, "c9").is_some()
    })
    .await;
    let body = || select(&root, ".cc-body").expect("the chat body");
    assert!(body().has_attribute("hidden"));
    click(&get(&root, "chat-link"));
    until("the chat again", || !body().has_attribute("hidden")).await;
    assert!(find(&root, "settings").is_none());
}

// ---- channels ----------------------------------------------------------------------

fn picked_channel(root: &Element) -> String {
    get(root, "channel-picker")
        .unchecked_into::<HtmlSelectElement>()
        .value()
}

/// The row of channel `key` in the channels table.
fn channel_row(root: &Element, key: &str) -> Element {
    select(
        root,
        &format!("[data-testid=\"channel-row\"][data-channel-key=\"{key}\"]"),
    )
    .unwrap_or_else(|| panic!("no row for {key}"))
}

#[wasm_bindgen_test]
async fn channels_are_listed_and_the_picker_drives_the_channel_sections() {
    let (root, _mounted) = admin_settings(json!({})).await;
    let lists = requests_to("GET", "/api/v1/admin/channels");
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0]["credentials"], "same-origin");
    assert_eq!(all(&root, "channel-row").len(), 2);
    let demo = channel_row(&root, "demo");
    assert!(text(&demo).contains("Demo site"));
    assert_eq!(text(&get(&demo, "channel-state")), "On");
    assert_eq!(
        text(&get(&channel_row(&root, "shop"), "channel-state")),
        "Off"
    );

    assert_eq!(picked_channel(&root), "demo", "the first channel is picked");
    assert_eq!(value_of(&root, "channel-name"), "Demo site");
    assert!(value_of(&root, "channel-snippet").contains("embed.js?channel=demo"));
    assert!(get(&root, "channel-snippet").has_attribute("readonly"));

    choose(&root, "channel-picker", "shop");
    until("the shop's settings", || {
        value_of(&root, "channel-name") == "Shop"
    })
    .await;
    assert!(value_of(&root, "channel-snippet").contains("channel=shop"));
    assert!(
        !get(&root, "channel-active")
            .unchecked_into::<HtmlInputElement>()
            .checked(),
        "switched off"
    );
    until("the shop's routing asked for", || {
        requests_to("GET", "/api/v1/admin/channels/shop/routing").len() == 1
    })
    .await;
    until("the shop's hours asked for", || {
        requests_to("GET", "/api/v1/admin/channels/shop/hours").len() == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn creating_a_channel_posts_it_picks_it_and_shows_its_snippet() {
    let mut created = channel_view("eu-shop", "EU shop", true);
    created.greeting = Some("Hola".into());
    created.locale = Some("es".into());
    created.allowed_origins = Some(vec!["https://eu.shop.example".into()]);
    let (root, _mounted) = admin_settings(json!({
        "POST /api/v1/admin/channels": {"status": 201, "body": created},
    }))
    .await;
    let form = get(&root, "channel-create");

    // A name is needed; nothing is sent without one.
    click(&get(&root, "channel-create-submit"));
    until("the missing name", || {
        text(&get(&form, "settings-error")) == "Enter the channel's name."
    })
    .await;
    assert!(requests_to("POST", "/api/v1/admin/channels").is_empty());

    type_into(&root, "channel-create-name", " EU shop ");
    type_into(&root, "channel-create-key", "eu-shop");
    type_into(&root, "channel-create-greeting", "Hola");
    choose(&root, "channel-create-locale", "es");
    type_into(&root, "channel-create-origins", "https://eu.shop.example\n");
    click(&get(&root, "channel-create-submit"));
    until("the new channel picked", || {
        picked_channel(&root) == "eu-shop"
    })
    .await;

    let posts = requests_to("POST", "/api/v1/admin/channels");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["credentials"], "same-origin");
    assert_eq!(posts[0]["content_type"], "application/json");
    assert_eq!(
        posts[0]["body"],
        json!({
            "key": "eu-shop",
            "name": "EU shop",
            "greeting": "Hola",
            "locale": "es",
            "allowed_origins": ["https://eu.shop.example"],
        }),
        "empty fields are left out"
    );
    assert_eq!(
        text(&get(&form, "settings-status")),
        "Saved: channel created"
    );
    assert_eq!(text(&get(&form, "settings-error")), "");
    assert_eq!(
        value_of(&root, "channel-create-name"),
        "",
        "the form empties"
    );
    assert_eq!(all(&root, "channel-row").len(), 3);
    until("its snippet", || {
        value_of(&root, "channel-snippet").contains("channel=eu-shop")
    })
    .await;
    assert_eq!(value_of(&root, "channel-name"), "EU shop");
    assert_eq!(
        get(&root, "channel-locale")
            .unchecked_into::<HtmlSelectElement>()
            .value(),
        "es"
    );
    assert_eq!(
        value_of(&root, "channel-origins"),
        "https://eu.shop.example"
    );
    until("its routing asked for", || {
        requests_to("GET", "/api/v1/admin/channels/eu-shop/routing").len() == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_taken_key_shows_the_servers_refusal_next_to_the_form() {
    let (root, _mounted) = admin_settings(json!({
        "POST /api/v1/admin/channels": {"status": 409, "body": {"error": {
            "code": "conflict", "message": "the channel key shop is taken"
        }}},
    }))
    .await;
    let form = get(&root, "channel-create");
    type_into(&root, "channel-create-name", "Shop again");
    // A key that cannot be one is refused before sending.
    type_into(&root, "channel-create-key", "Shop!");
    click(&get(&root, "channel-create-submit"));
    until("the key's shape", || {
        text(&get(&form, "settings-error")).contains("3 to 40")
    })
    .await;
    assert!(requests_to("POST", "/api/v1/admin/channels").is_empty());

    type_into(&root, "channel-create-key", "shop");
    click(&get(&root, "channel-create-submit"));
    until("the server's refusal", || {
        text(&get(&form, "settings-error")) == "the channel key shop is taken"
    })
    .await;
    assert_eq!(
        get(&form, "settings-error")
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    assert_eq!(requests_to("POST", "/api/v1/admin/channels").len(), 1);
    assert_eq!(all(&root, "channel-row").len(), 2, "nothing added");
    assert_eq!(picked_channel(&root), "demo");
    assert_eq!(
        value_of(&root, "channel-create-key"),
        "shop",
        "what was typed stays"
    );
}

/// The manager boxes of the channel page: (agent id, ticked, label).
fn manager_boxes(root: &Element) -> Vec<(String, bool, String)> {
    all(root, "channel-manager")
        .into_iter()
        .map(|b| {
            let value = b.get_attribute("value").unwrap_or_default();
            let label = b.parent_element().map(|l| text(&l)).unwrap_or_default();
            (
                value,
                b.unchecked_into::<HtmlInputElement>().checked(),
                label,
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn managers_are_put_and_a_refusal_shows_next_to_them() {
    let mut sam = agent_view(5, "Sam Gone", Role::Supervisor, None);
    sam.dismissed = true;
    let agents = vec![
        agent_view(1, "Ana Agent", Role::Admin, None),
        agent_view(2, "Ben Colleague", Role::Agent, Some(3)),
        agent_view(4, "Sue Super", Role::Supervisor, None),
        sam,
    ];
    let mut demo = channel_view("demo", "Demo site", true);
    // Ben was a supervisor when he was named.
    demo.managers = vec![2];
    let mut saved = demo.clone();
    saved.managers = vec![4];
    // Keys that sort before the base answers' (and so answer first).
    let (root, _mounted) = live_console_with(
        Role::Admin,
        Vec::new(),
        admin_responses(json!({
            "GET /admin/agents": {"status": 200, "body": AgentList { agents }},
            "GET /admin/channels": {"status": 200, "body": ChannelList { channels: vec![demo] }},
            "PUT /api/v1/admin/channels/demo/managers": {"status": 422, "body": {"error": {
                "code": "invalid_field", "message": "agent 2 is not a supervisor"
            }}},
        })),
    )
    .await;
    click(&get(&root, "settings-link"));
    until("the managers", || manager_boxes(&root).len() == 2).await;
    assert_eq!(
        manager_boxes(&root),
        [
            ("4".to_owned(), false, "Sue Super".to_owned()),
            (
                "2".to_owned(),
                true,
                "Ben Colleague (no longer a supervisor)".to_owned()
            ),
        ],
        "supervisors at work, then a former one still named"
    );
    let form = get(&root, "channel-managers");
    click(&all(&form, "channel-manager")[0]);
    click(&get(&form, "channel-managers-save"));
    until("the server's refusal", || {
        text(&get(&form, "settings-error")) == "agent 2 is not a supervisor"
    })
    .await;
    let put = requests_to("PUT", "/api/v1/admin/channels/demo/managers");
    assert_eq!(put[0]["body"], json!({"agent_ids": [2, 4]}));

    // Ben taken off: saved; his box goes, Sue's stays ticked.
    let answer = serde_json::to_string(&saved).expect("json");
    js_sys::eval(&format!(
        "window.__canal.responses['PUT /api/v1/admin/channels/demo/managers'] = \
         {{status: 200, body: {answer}}};"
    ))
    .expect("answer");
    click(&all(&form, "channel-manager")[1]);
    click(&get(&form, "channel-managers-save"));
    until("saved", || text(&get(&form, "settings-status")) == "Saved").await;
    let put = requests_to("PUT", "/api/v1/admin/channels/demo/managers");
    assert_eq!(put[1]["body"], json!({"agent_ids": [4]}));
    assert_eq!(
        manager_boxes(&root),
        [("4".to_owned(), true, "Sue Super".to_owned())]
    );
    assert_eq!(text(&get(&form, "settings-error")), "");
}

#[wasm_bindgen_test]
async fn the_log_pages_by_cursor_filters_and_opens_a_conversation() {
    let logged = |id: &str, channel: &str| LoggedConversation {
        id: id.into(),
        channel_key: channel.into(),
        channel_name: format!("{channel} site"),
        visitor_id: "v1".into(),
        status: "closed".into(),
        agent_id: Some(1),
        agent_name: Some("Ana Agent".into()),
        started_at: "2031-01-05T10:00:00Z".into(),
        page_url: Some("https://shop.example/cart".into()),
        messages: 2,
        last_message_at: Some("2031-01-05T10:01:00Z".into()),
        rating: Some(Rating::Like),
        labels: Vec::new(),
    };
    let listed = |id: &str, channel: &str| listed_row(id, channel, Some(75));
    let record = ConversationRecord {
        conversation: logged("c2", "gone"),
        messages: vec![
            message(1, Author::Visitor, "Is it in stock?"),
            message(2, Author::Agent, "Yes."),
        ],
        rating: Some(RatingView {
            rating: Rating::Like,
            comment: Some("Quick".into()),
            rated_at: "2031-01-05T10:02:00Z".into(),
        }),
        routing_log: vec![RoutingLogLine {
            at: "2031-01-05T10:00:01Z".into(),
            text: "offered to Ana Agent".into(),
            entry: json!({}),
        }],
        mail: Vec::new(),
    };
    let (root, _mounted) = live_console_with(
        Role::Admin,
        Vec::new(),
        admin_responses(json!({
            "GET /api/v1/agent/conversations?limit=50": {"status": 200, "body": ConversationList {
                conversations: vec![listed("c3", "demo")],
                next_cursor: Some("after-c3".into()),
                sort: "-started_at".into(),
            }},
            "GET &cursor=after-c3": {"status": 200, "body": ConversationList {
                conversations: vec![listed("c2", "gone")],
                next_cursor: None,
                sort: "-started_at".into(),
            }},
            "GET &status=open": {"status": 200, "body": ConversationList {
                conversations: Vec::new(),
                next_cursor: None,
                sort: "-started_at".into(),
            }},
            "GET /api/v1/agent/conversations/c2": {"status": 200, "body": record},
        })),
    )
    .await;
    click(&get(&root, "log-link"));
    until("the first page", || all(&root, "log-row").len() == 1).await;
    let more = get(&root, "log-more");
    assert!(!more.has_attribute("hidden"), "there is more");
    click(&more);
    until("the second page", || all(&root, "log-row").len() == 2).await;
    assert!(get(&root, "log-more").has_attribute("hidden"), "no more");
    let paged = requests_to("GET", "&cursor=after-c3");
    assert_eq!(
        paged[0]["url"],
        "/api/v1/agent/conversations?limit=50&cursor=after-c3"
    );
    // The deleted channel the log named is a filter now.
    let options = text(&get(&root, "log-channel"));
    assert!(options.contains("gone site (gone) (deleted)"), "{options}");

    // A filter that matches nothing.
    choose(&root, "log-status", "open");
    click(&get(&root, "log-apply"));
    until("the empty log", || {
        !get(&root, "log-empty").has_attribute("hidden")
    })
    .await;
    assert_eq!(
        text(&get(&root, "log-empty")),
        "No conversation matches these filters."
    );
    assert!(all(&root, "log-row").is_empty());
    assert!(get(&root, "log-more").has_attribute("hidden"));

    // Back to everything; the deleted channel's conversation, read-only.
    click(&get(&root, "log-clear"));
    until("the first page again", || all(&root, "log-row").len() == 1).await;
    click(&get(&root, "log-more"));
    until("the second page again", || all(&root, "log-row").len() == 2).await;
    let row = all(&root, "log-row")
        .into_iter()
        .find(|r| r.get_attribute("data-conversation-id").as_deref() == Some("c2"))
        .expect("c2's row");
    click(&get(&row, "log-open"));
    until("the conversation", || all(&root, "message-text").len() == 2).await;
    let view = get(&root, "log-conversation");
    assert_eq!(
        get(&view, "log-rating")
            .get_attribute("data-rating")
            .as_deref(),
        Some("like")
    );
    assert!(text(&get(&view, "log-rating")).contains("Quick"));
    assert_eq!(all(&view, "routing-log-line").len(), 1);
    assert!(find(&view, "reply-input").is_none(), "read-only");
    click(&get(&view, "log-back"));
    until("the list again", || {
        find(&root, "log-conversation").is_none()
    })
    .await;
    assert_eq!(all(&root, "log-row").len(), 2, "as it was");
}

#[wasm_bindgen_test]
async fn a_channel_edit_patches_only_what_changed() {
    let mut saved = channel_view("demo", "Demo site", false);
    saved.title = Some("Demo chat".into());
    saved.allowed_origins = Some(vec![
        "https://demo.example".into(),
        "https://www.demo.example".into(),
    ]);
    let (root, _mounted) = admin_settings(json!({
        "PATCH /api/v1/admin/channels/demo": {"status": 200, "body": saved},
    }))
    .await;
    let form = get(&root, "channel-edit");
    click(&get(&root, "channel-save"));
    until("nothing to save", || {
        text(&get(&form, "settings-status")) == "Nothing changed."
    })
    .await;
    assert!(requests_to("PATCH", "/api/v1/admin/channels/demo").is_empty());

    type_into(&root, "channel-title", " Demo chat ");
    type_into(
        &root,
        "channel-origins",
        "https://demo.example\nhttps://www.demo.example",
    );
    click(&get(&root, "channel-active"));
    click(&get(&root, "channel-save"));
    until("Saved", || text(&get(&form, "settings-status")) == "Saved").await;
    let patches = requests_to("PATCH", "/api/v1/admin/channels/demo");
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0]["content_type"], "application/json");
    assert_eq!(
        patches[0]["body"],
        json!({
            "title": "Demo chat",
            "allowed_origins": ["https://demo.example", "https://www.demo.example"],
            "active": false,
        }),
        "only what changed"
    );
    until("switched off in the list", || {
        text(&get(&channel_row(&root, "demo"), "channel-state")) == "Off"
    })
    .await;
    assert_eq!(value_of(&root, "channel-title"), "Demo chat");
}

#[wasm_bindgen_test]
async fn deleting_a_channel_asks_first_and_picks_the_next_one() {
    let (root, _mounted) = admin_settings(json!({
        "DELETE /api/v1/admin/channels/demo": {"status": 204, "body": null},
    }))
    .await;
    let asking = || !get(&root, "channel-delete-confirmation").has_attribute("hidden");
    assert!(!asking());
    click(&get(&root, "channel-delete"));
    until("the question", asking).await;
    click(&get(&root, "channel-delete-cancel"));
    until("no question", || !asking()).await;
    assert!(requests_to("DELETE", "/api/v1/admin/channels/demo").is_empty());

    click(&get(&root, "channel-delete"));
    until("the question", asking).await;
    click(&get(&root, "channel-delete-confirm"));
    until("the channel gone", || all(&root, "channel-row").len() == 1).await;
    assert_eq!(
        requests_to("DELETE", "/api/v1/admin/channels/demo").len(),
        1
    );
    until("the next one picked", || picked_channel(&root) == "shop").await;
    assert!(text(&get(&root, "channels-settings")).contains("Deleted: channel removed"));
    until("the shop's routing asked for", || {
        requests_to("GET", "/api/v1/admin/channels/shop/routing").len() == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn copy_puts_the_snippet_on_the_clipboard_or_selects_it() {
    let (root, _mounted) = admin_settings(json!({})).await;
    let snippet = value_of(&root, "channel-snippet");
    js_sys::eval(
        r#"Object.defineProperty(navigator, "clipboard", { configurable: true, value: {
            writeText: function (text) { window.__canal.copied = text; return Promise.resolve(); }
        } })"#,
    )
    .expect("fake clipboard");
    let status = || {
        text(&get(
            &get(&root, "channel-snippet-field"),
            "settings-status",
        ))
    };
    click(&get(&root, "channel-copy"));
    until("Copied", || status() == "Copied").await;
    assert_eq!(fake("window.__canal.copied"), json!(snippet));

    // No clipboard (e.g. plain HTTP): the text is selected for Ctrl+C.
    js_sys::eval(r#"Object.defineProperty(navigator, "clipboard", { configurable: true, value: undefined })"#)
        .expect("no clipboard");
    click(&get(&root, "channel-copy"));
    until("selected", || status().starts_with("Selected")).await;
    let area: HtmlTextAreaElement = get(&root, "channel-snippet").unchecked_into();
    assert_eq!(area.selection_start().ok().flatten(), Some(0));
    assert_eq!(
        area.selection_end().ok().flatten(),
        Some(area.value().encode_utf16().count() as u32)
    );
    js_sys::eval("delete navigator.clipboard").expect("restore");
}

// ---- typing ------------------------------------------------------------------------

fn typing(id: &str, typing: bool) -> AgentServerFrame {
    AgentServerFrame::Typing {
        conversation_id: id.into(),
        typing,
    }
}

fn typing_frames() -> Vec<Value> {
    frames(0)
        .into_iter()
        .filter(|f| f["type"] == "typing")
        .collect()
}

#[wasm_bindgen_test]
async fn the_visitors_typing_shows_in_the_view_and_on_the_line_until_a_stop_or_their_message() {
    let (root, _mounted) = live_console(
        Role::Agent,
        vec![
            summary("c1", InboxKind::Mine),
            summary("c2", InboxKind::Mine),
        ],
    )
    .await;
    open_with_history(&root, "c1", InboxKind::Mine).await;
    let line_typing = |id: &str| {
        item(&root, id)
            .map(|line| !get(&line, "item-typing").has_attribute("hidden"))
            .unwrap_or(false)
    };
    assert_eq!(text(&get(&root, "visitor-typing")), "");
    assert!(!line_typing("c1"));

    deliver(0, &typing("c1", true)).await;
    until("the view to say so", || {
        text(&get(&root, "visitor-typing")) == "The visitor is typing…"
    })
    .await;
    assert!(line_typing("c1"));
    assert!(!line_typing("c2"), "only that conversation");
    assert_eq!(
        get(&root, "visitor-typing")
            .get_attribute("role")
            .as_deref(),
        Some("status")
    );

    deliver(0, &typing("c1", false)).await;
    until("a stop to hide it", || {
        text(&get(&root, "visitor-typing")).is_empty() && !line_typing("c1")
    })
    .await;

    // Another conversation's visitor: its line only.
    deliver(0, &typing("c2", true)).await;
    until("the other line", || line_typing("c2")).await;
    assert_eq!(text(&get(&root, "item-typing")), "typing…");
    assert_eq!(text(&get(&root, "visitor-typing")), "");
    deliver(
        0,
        &AgentServerFrame::Message {
            conversation_id: "c2".into(),
            message: message(9, Author::Visitor, "Hello?"),
        },
    )
    .await;
    until("their message to hide it", || !line_typing("c2")).await;

    // A stop can be lost: with no news it goes by itself after 6 s, not sooner.
    let started = js_sys::Date::now();
    deliver(0, &typing("c1", true)).await;
    until("the view to say so", || line_typing("c1")).await;
    until_within(10_000.0, "silence to hide it", || {
        text(&get(&root, "visitor-typing")).is_empty() && !line_typing("c1")
    })
    .await;
    let shown = js_sys::Date::now() - started;
    assert!(shown >= 5_900.0, "it went after {shown} ms");
}

#[wasm_bindgen_test]
async fn the_reply_box_says_typing_once_then_stops_when_sent_and_never_with_text() {
    let (root, _mounted) = live_console(
        Role::Agent,
        vec![
            summary("c1", InboxKind::Mine),
            summary("c2", InboxKind::Mine),
        ],
    )
    .await;
    open_with_history(&root, "c1", InboxKind::Mine).await;
    let start = json!({"type": "typing", "conversation_id": "c1", "typing": true});
    let stop = json!({"type": "typing", "conversation_id": "c1", "typing": false});

    type_into(&root, "reply-input", "I");
    type_into(&root, "reply-input", "In stock");
    press(&root, "reply-input", "Enter", false);
    until("the reply", || {
        sent(0).last().is_some_and(|f| f["type"] == "reply")
    })
    .await;
    assert_eq!(typing_frames(), [start.clone(), stop.clone()]);
    let all_frames = frames(0);
    let at = |want: &Value| all_frames.iter().position(|f| f == want);
    let reply = all_frames.iter().position(|f| f["type"] == "reply");
    assert!(at(&start) < reply && reply < at(&stop), "{all_frames:?}");

    // Emptying the draft by hand stops too; leaving the conversation with a
    // draft stops as well.
    type_into(&root, "reply-input", "x");
    until("a new start", || typing_frames().len() == 3).await;
    type_into(&root, "reply-input", "");
    until("the stop", || typing_frames().len() == 4).await;
    type_into(&root, "reply-input", "half a reply");
    until("a new start", || typing_frames().len() == 5).await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    until("the stop on leaving", || typing_frames().len() == 6).await;
    assert_eq!(typing_frames()[5], stop);
    assert!(
        typing_frames()
            .iter()
            .all(|f| f.as_object().is_some_and(|o| o.len() == 3)),
        "type, conversation and the fact: no text"
    );
}

// ---- working hours (admins) ----------------------------------------------------------

fn range(from: &str, to: &str) -> TimeRange {
    TimeRange {
        from: from.into(),
        to: to.into(),
    }
}

fn madrid_hours() -> WorkingHours {
    WorkingHours {
        time_zone: "Europe/Madrid".into(),
        days: WeekHours {
            mon: vec![range("09:00", "13:00"), range("14:00", "18:00")],
            ..WeekHours::default()
        },
        holidays: vec!["2031-12-25".into()],
        out_of_hours_reply: Some("Back soon.".into()),
    }
}

fn value_of(root: &Element, test_id: &str) -> String {
    let field = get(root, test_id);
    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(area) = field.dyn_ref::<HtmlTextAreaElement>() {
        area.value()
    } else {
        String::new()
    }
}

#[wasm_bindgen_test]
async fn working_hours_are_loaded_edited_saved_and_removed() {
    let loaded = HoursView {
        hours: madrid_hours(),
        open: false,
        next_change: Some("2031-01-06T08:00:00Z".into()),
    };
    let mut changed = madrid_hours();
    changed.days.tue = vec![range("10:00", "12:00")];
    let saved = HoursView {
        hours: changed.clone(),
        open: true,
        next_change: Some("2031-01-07T11:00:00Z".into()),
    };
    let (root, _mounted) = admin_settings(json!({
        "GET /api/v1/admin/channels/demo/hours": {"status": 200, "body": loaded},
        "PUT /api/v1/admin/channels/demo/hours": {"status": 200, "body": saved},
        "DELETE /api/v1/admin/channels/demo/hours": {"status": 204, "body": null},
    }))
    .await;
    until("the hours form", || find(&root, "hours-save").is_some()).await;
    assert_eq!(text(&get(&root, "hours-status")), "Closed now.");
    assert_eq!(value_of(&root, "hours-time-zone"), "Europe/Madrid");
    assert_eq!(value_of(&root, "hours-mon"), "09:00-13:00, 14:00-18:00");
    assert_eq!(value_of(&root, "hours-tue"), "");
    assert_eq!(value_of(&root, "hours-holidays"), "2031-12-25");
    assert_eq!(value_of(&root, "hours-reply"), "Back soon.");

    // A day that is not ranges is not sent.
    type_into(&root, "hours-wed", "nine to five");
    click(&get(&root, "hours-save"));
    let form = get(&root, "hours-form");
    until("the form's error", || {
        text(&get(&form, "settings-error")).contains("ranges like 09:00-13:00")
    })
    .await;
    assert!(requests_to("PUT", "/api/v1/admin/channels/demo/hours").is_empty());

    type_into(&root, "hours-wed", "");
    type_into(&root, "hours-tue", " 10:00 - 12:00 ");
    click(&get(&root, "hours-save"));
    let form = get(&root, "hours-form");
    until("saved", || text(&get(&form, "settings-status")) == "Saved").await;
    let puts = requests_to("PUT", "/api/v1/admin/channels/demo/hours");
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0]["body"],
        serde_json::to_value(&changed).expect("json"),
        "the whole record, as typed"
    );
    assert_eq!(text(&get(&root, "hours-status")), "Open now.");
    assert_eq!(value_of(&root, "hours-tue"), "10:00-12:00");

    click(&get(&root, "hours-remove"));
    let form = get(&root, "hours-form");
    until("removed", || {
        text(&get(&form, "settings-status")) == "Removed: the channel is always open"
    })
    .await;
    assert_eq!(
        requests_to("DELETE", "/api/v1/admin/channels/demo/hours").len(),
        1
    );
    assert!(text(&get(&root, "hours-status")).contains("always open"));
    assert_eq!(value_of(&root, "hours-mon"), "");
    assert!(is_disabled(&get(&root, "hours-remove")));
}

#[wasm_bindgen_test]
async fn a_channel_without_hours_is_always_open_and_a_refusal_shows_the_servers_sentence() {
    let (root, _mounted) = admin_settings(json!({
        "GET /api/v1/admin/channels/demo/hours": {"status": 404, "body": {"error": {
            "code": "not_found", "message": "this channel has no working hours: it is always open"
        }}},
        "PUT /api/v1/admin/channels/demo/hours": {"status": 422, "body": {"error": {
            "code": "invalid_field", "message": "time_zone \"Mars/Base\" is not an IANA time zone name"
        }}},
    }))
    .await;
    until("the hours form", || find(&root, "hours-save").is_some()).await;
    assert!(text(&get(&root, "hours-status")).contains("always open"));
    assert_eq!(value_of(&root, "hours-time-zone"), "UTC");
    assert!(is_disabled(&get(&root, "hours-remove")));
    type_into(&root, "hours-time-zone", "Mars/Base");
    type_into(&root, "hours-fri", "09:00-17:00");
    click(&get(&root, "hours-save"));
    let form = get(&root, "hours-form");
    until("the server's sentence", || {
        text(&get(&form, "settings-error")).contains("not an IANA time zone name")
    })
    .await;
    assert!(text(&get(&root, "hours-status")).contains("always open"));
    assert_eq!(
        value_of(&root, "hours-time-zone"),
        "Mars/Base",
        "what was typed stays"
    );
}

/// Whether the checkbox `test_id` (the first inside `root`) is ticked.
fn is_checked(root: &Element, test_id: &str) -> bool {
    get(root, test_id)
        .unchecked_into::<HtmlInputElement>()
        .checked()
}

#[wasm_bindgen_test]
async fn the_crm_settings_are_loaded_edited_with_mapping_rows_and_put_whole() {
    use canal_protocol::crm::{CrmMode, CrmSettings, FieldMap, MapSource};
    let loaded = CrmSettings {
        default_region: Some("ES".into()),
        field_map: vec![
            FieldMap {
                source: MapSource::Utm,
                field: "UF_UTM".into(),
                value: None,
            },
            FieldMap {
                source: MapSource::Custom,
                field: "UF_SHOP".into(),
                value: Some("Madrid".into()),
            },
        ],
        ..CrmSettings::default()
    };
    let wanted = CrmSettings {
        check_customer: true,
        tracker: false,
        mode: CrmMode::Lead,
        create_automatically: false,
        change_responsible_on_transfer: true,
        default_region: Some("PT".into()),
        field_map: vec![
            FieldMap {
                source: MapSource::Custom,
                field: "UF_SHOP".into(),
                value: Some("Lisboa".into()),
            },
            FieldMap {
                source: MapSource::ClickTime,
                field: "UF_CLICK".into(),
                value: None,
            },
        ],
    };
    let (root, _mounted) = admin_settings(json!({
        "GET /api/v1/admin/channels/demo/crm": {"status": 200, "body": loaded},
        "PUT /api/v1/admin/channels/demo/crm": {"status": 200, "body": wanted},
    }))
    .await;
    until("the CRM form", || find(&root, "crm-save").is_some()).await;
    let form = get(&root, "crm-form");
    assert!(is_checked(&form, "crm-check-customer"));
    assert!(is_checked(&form, "crm-tracker"));
    assert!(is_checked(&form, "crm-create-automatically"));
    assert!(!is_checked(&form, "crm-change-responsible"));
    assert_eq!(
        get(&form, "crm-mode")
            .unchecked_into::<HtmlSelectElement>()
            .value(),
        "deal"
    );
    assert_eq!(value_of(&form, "crm-region"), "ES");
    let rows = all(&form, "crm-map-row");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        get(&rows[0], "crm-map-source")
            .unchecked_into::<HtmlSelectElement>()
            .value(),
        "utm"
    );
    assert_eq!(value_of(&rows[0], "crm-map-field"), "UF_UTM");
    assert_eq!(value_of(&rows[1], "crm-map-value"), "Madrid");

    click(&get(&form, "crm-tracker"));
    click(&get(&form, "crm-create-automatically"));
    click(&get(&form, "crm-change-responsible"));
    choose(&form, "crm-mode", "lead");
    type_into(&form, "crm-region", "pt");
    // A new row at the end, then the first one taken out.
    click(&get(&form, "crm-map-add"));
    until("a third row", || all(&form, "crm-map-row").len() == 3).await;
    let rows = all(&form, "crm-map-row");
    choose(&rows[2], "crm-map-source", "click_time");
    type_into(&rows[2], "crm-map-field", "UF_CLICK");
    type_into(&rows[1], "crm-map-value", "Lisboa");
    click(&get(&rows[0], "crm-map-remove"));
    until("two rows", || all(&form, "crm-map-row").len() == 2).await;
    let rows = all(&form, "crm-map-row");
    assert_eq!(value_of(&rows[0], "crm-map-field"), "UF_SHOP");
    assert_eq!(value_of(&rows[1], "crm-map-field"), "UF_CLICK");

    click(&get(&form, "crm-save"));
    until("saved", || text(&get(&form, "settings-status")) == "Saved").await;
    let puts = requests_to("PUT", "/api/v1/admin/channels/demo/crm");
    assert_eq!(puts.len(), 1);
    assert_eq!(
        puts[0]["body"],
        serde_json::to_value(&wanted).expect("json"),
        "the whole record, as edited"
    );
}

#[wasm_bindgen_test]
async fn a_refused_crm_mapping_shows_the_servers_sentence_and_keeps_the_form() {
    let (root, _mounted) = admin_settings(json!({
        "GET /api/v1/admin/channels/demo/crm": {"status": 200, "body": {}},
        "PUT /api/v1/admin/channels/demo/crm": {"status": 422, "body": {"error": {
            "code": "invalid_field",
            "message": "crm.field_map: \"UF SHOP\" must be 1 to 64 of A-Z, a-z, 0-9, _"
        }}},
    }))
    .await;
    until("the CRM form", || find(&root, "crm-save").is_some()).await;
    let form = get(&root, "crm-form");
    assert!(all(&form, "crm-map-row").is_empty());
    click(&get(&form, "crm-map-add"));
    until("a row", || all(&form, "crm-map-row").len() == 1).await;
    type_into(&form, "crm-map-field", "UF SHOP");
    click(&get(&form, "crm-save"));
    until("the server's sentence", || {
        text(&get(&form, "settings-error")).contains("must be 1 to 64 of A-Z")
    })
    .await;
    assert_eq!(
        requests_to("PUT", "/api/v1/admin/channels/demo/crm")[0]["body"]["field_map"],
        json!([{"source": "utm_source", "field": "UF SHOP"}])
    );
    assert_eq!(
        value_of(&form, "crm-map-field"),
        "UF SHOP",
        "what was typed stays"
    );
}

// ---- language ----------------------------------------------------------------------

/// Forgets the agent's choice of language, so the next console starts from the
/// browser's (English in this Chromium): at the start and the end of the tests that
/// choose one.
fn forget_language() {
    if let Ok(Some(storage)) = window().local_storage() {
        storage
            .remove_item(canal_console::i18n::STORAGE_KEY)
            .expect("remove");
    }
}

fn stored_language() -> Option<String> {
    window()
        .local_storage()
        .expect("storage")
        .expect("storage")
        .get_item(canal_console::i18n::STORAGE_KEY)
        .expect("read")
}

fn document_language() -> Option<String> {
    window()
        .document()
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("lang"))
}

fn picked(root: &Element) -> String {
    get(root, "language")
        .unchecked_into::<HtmlSelectElement>()
        .value()
}

#[wasm_bindgen_test]
async fn the_picker_switches_the_sign_in_form_at_once_and_the_choice_is_kept() {
    use canal_console::i18n::{EN, ES, RU};
    forget_language();
    install_fakes(json!({
        "/api/v1/agent/me": {"status": 401, "body": null},
    }));
    let root = container();
    let mounted = mount_to(root.clone(), App);
    until("the login form", || find(&root, "login-submit").is_some()).await;
    // The browser says English: the console starts in English.
    assert_eq!(text(&get(&root, "login-submit")), EN.sign_in);
    until("<html lang=en>", || {
        document_language().as_deref() == Some("en")
    })
    .await;
    assert_eq!(picked(&root), "en");
    let options = get(&root, "language")
        .query_selector_all("option")
        .expect("options");
    let names: Vec<(String, String)> = (0..options.length())
        .filter_map(|i| options.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .map(|o| (o.get_attribute("lang").unwrap_or_default(), text(&o)))
        .collect();
    assert_eq!(
        names,
        [
            ("en".into(), "English".into()),
            ("es".into(), "Español".into()),
            ("ru".into(), "Русский".into())
        ]
    );
    // A refusal on screen, to see it follow the language too.
    click(&get(&root, "login-submit"));
    until("the error", || {
        text(&get(&root, "login-error")) == EN.err_login_invalid
    })
    .await;
    type_into(&root, "login-email", "ana@example.com");

    choose(&root, "language", "es");
    until("the form in Spanish", || {
        text(&get(&root, "login-submit")) == ES.sign_in
    })
    .await;
    assert_eq!(text(&get(&root, "login-error")), ES.err_login_invalid);
    assert!(text(&root).contains(ES.sign_in_title));
    assert!(text(&root).contains(ES.password));
    assert!(!text(&root).contains(EN.password));
    until("<html lang=es>", || {
        document_language().as_deref() == Some("es")
    })
    .await;
    assert_eq!(stored_language().as_deref(), Some("es"));
    assert_eq!(
        get(&root, "language")
            .get_attribute("aria-label")
            .as_deref(),
        Some(ES.language)
    );
    assert_eq!(value_of(&root, "login-email"), "ana@example.com", "kept");

    choose(&root, "language", "ru");
    until("the form in Russian", || {
        text(&get(&root, "login-submit")) == RU.sign_in
    })
    .await;
    assert_eq!(text(&get(&root, "login-error")), RU.err_login_invalid);
    until("<html lang=ru>", || {
        document_language().as_deref() == Some("ru")
    })
    .await;
    assert_eq!(stored_language().as_deref(), Some("ru"));
    assert_eq!(window().document().expect("document").title(), RU.app_name);

    // A new visit starts in the language chosen.
    drop(mounted);
    let root = container();
    let mounted = mount_to(root.clone(), App);
    until("the login form again", || {
        find(&root, "login-submit").is_some()
    })
    .await;
    assert_eq!(text(&get(&root, "login-submit")), RU.sign_in);
    assert_eq!(picked(&root), "ru");
    assert_eq!(document_language().as_deref(), Some("ru"));

    // Back to English, for the tests after this one.
    choose(&root, "language", "en");
    until("the form in English", || {
        text(&get(&root, "login-submit")) == EN.sign_in
    })
    .await;
    until("<html lang=en>", || {
        document_language().as_deref() == Some("en")
    })
    .await;
    drop(mounted);
    forget_language();
}

#[wasm_bindgen_test]
async fn the_picker_switches_the_workspace_and_its_times_at_once() {
    use canal_console::i18n::{EN, ES, RU};
    forget_language();
    let (root, _mounted) = live_console(
        Role::Agent,
        vec![
            summary("c1", InboxKind::Offered),
            summary("c2", InboxKind::Mine),
        ],
    )
    .await;
    open_with_history(&root, "c2", InboxKind::Mine).await;
    let offer = item(&root, "c1").expect("the offer");
    let status = get(&root, "status-toggle");
    let message_time = || {
        select(&all(&root, "message")[0], ".cc-msg-time")
            .map(|time| text(&time))
            .unwrap_or_default()
    };
    let line_time = || {
        select(&offer, ".cc-item-time")
            .map(|time| text(&time))
            .unwrap_or_default()
    };
    assert_eq!(text(&status), EN.online);
    assert_eq!(text(&get(&offer, "take")), EN.take);
    // 5 January, not today: the line shows the date, as the language writes it.
    assert!(line_time().contains("Jan"), "{}", line_time());
    let english_time = message_time();
    assert!(english_time.contains(':'), "{english_time}");
    let browser = window().navigator().language().unwrap_or_default();
    if browser == "en-US" {
        assert!(
            english_time.ends_with("AM") || english_time.ends_with("PM"),
            "{english_time}"
        );
    }
    type_into(&root, "reply-input", "A draft");

    choose(&root, "language", "es");
    until("the workspace in Spanish", || text(&status) == ES.online).await;
    assert_eq!(text(&get(&offer, "take")), ES.take);
    assert_eq!(text(&get(&root, "reply-send")), ES.send);
    assert!(text(&root).contains(ES.routing_log));
    assert!(text(&root).contains(ES.close_conversation));
    assert!(line_time().contains("ene"), "{}", line_time());
    let spanish_time = message_time();
    assert!(spanish_time.contains(':'), "{spanish_time}");
    assert!(!spanish_time.contains('M'), "24-hour clock: {spanish_time}");
    assert_eq!(
        get(&root, "reply-input")
            .get_attribute("placeholder")
            .as_deref(),
        Some(ES.reply_placeholder)
    );
    assert_eq!(value_of(&root, "reply-input"), "A draft", "the draft stays");
    until("<html lang=es>", || {
        document_language().as_deref() == Some("es")
    })
    .await;

    choose(&root, "language", "ru");
    until("the workspace in Russian", || text(&status) == RU.online).await;
    assert_eq!(text(&get(&offer, "take")), RU.take);
    assert_eq!(text(&get(&root, "standing")), RU.standing_mine);
    assert!(line_time().contains("янв"), "{}", line_time());
    let russian_time = message_time();
    assert!(russian_time.contains(':'), "{russian_time}");
    assert!(!russian_time.contains('M'), "24-hour clock: {russian_time}");
    let senders: Vec<_> = all(&root, "message")
        .iter()
        .filter_map(|m| select(m, ".cc-msg-name"))
        .map(|name| text(&name))
        .collect();
    assert_eq!(senders, [RU.visitor, RU.system, "Ana Agent"]);
    assert_eq!(stored_language().as_deref(), Some("ru"));

    choose(&root, "language", "en");
    until("the workspace in English", || text(&status) == EN.online).await;
    assert_eq!(message_time(), english_time);
    forget_language();
}

// ---- the wire ----------------------------------------------------------------------

/// The console's JSON for `value`, and that the server reads it as it was sent. It
/// must be the very text serde_json (the server's side) writes for it.
fn written_as_the_server_would<T>(value: &T) -> String
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = api::encode(value).expect("writes");
    assert_eq!(
        text,
        serde_json::to_string(value).expect("serde_json writes"),
        "byte for byte as serde_json"
    );
    assert_eq!(
        &serde_json::from_str::<T>(&text).expect("the server reads it"),
        value
    );
    text
}

/// What the server writes for `value` reads back in the console as `value`.
fn read_as_the_server_wrote<T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).expect("serde_json writes");
    assert_eq!(api::decode::<T>(&text).as_ref(), Some(value), "{text}");
}

/// Every socket frame as the server writes it (serde_json) reads back through the
/// console's decoding (the browser's `JSON.parse`, then serde-wasm-bindgen and the
/// protocol's derives) to itself, the largest ids and counters a browser holds
/// included; every frame the console writes is the server's own JSON for it.
#[wasm_bindgen_test]
fn every_socket_frame_round_trips_between_the_server_and_the_console() {
    for frame in canal_protocol::samples::agent_server_frames() {
        let text = serde_json::to_string(&frame).expect("as the server writes it");
        assert_eq!(api::decode_frame(&text), Some(frame), "{text}");
    }
    for frame in canal_protocol::samples::agent_client_frames() {
        written_as_the_server_would(&frame);
    }
    // A number a browser cannot hold is not sent rounded.
    let too_big = AgentClientFrame::Transfer {
        conversation_id: "c1".into(),
        to_agent: Some(canal_protocol::samples::MAX_SAFE_INTEGER + 1),
    };
    assert_eq!(api::encode(&too_big), None);
}

#[wasm_bindgen_test]
fn frames_that_are_not_frames_are_dropped() {
    assert!(matches!(
        api::decode_frame(r#"{"type":"remove","conversation_id":"c1"}"#),
        Some(AgentServerFrame::Remove { .. })
    ));
    for bad in [
        "",
        "null",
        "{}",
        "[1]",
        "{\"type\":\"remove\",\"conversation_id\":\"c1\"",
        r#"{"type":"remove"}"#,
        r#"{"type":"remove","conversation_id":7}"#,
        r#"{"type":"explode","conversation_id":"c1"}"#,
        r#"{"type":"status","status":"sleeping"}"#,
        r#"{"type":"ack","conversation_id":"c","client_id":"c","seq":-1}"#,
        r#"{"type":"ack","conversation_id":"c","client_id":"c","seq":1.5}"#,
        r#"{"type":"ack","conversation_id":"c","client_id":"c","seq":"3"}"#,
        // Past 2^53 a browser's number is not the server's: refused, never misread.
        r#"{"type":"ack","conversation_id":"c","client_id":"c","seq":9007199254740993}"#,
        r#"{"type":"error","code":"no_such_code","message":"m"}"#,
    ] {
        assert_eq!(api::decode_frame(bad), None, "{bad}");
    }
}

/// Every request body the console sends is the server's own JSON for it (absent and
/// `null` fields where the protocol puts them, queue items as `{"agent": 1}`), and
/// every answer it reads comes back as the server wrote it.
#[wasm_bindgen_test]
fn every_body_is_the_servers_json_both_ways() {
    let big = canal_protocol::samples::MAX_SAFE_INTEGER;
    assert_eq!(
        written_as_the_server_would(&LoginRequest {
            email: "ana@example.com".into(),
            password: "pässword \"quoted\"\n".into(),
        }),
        r#"{"email":"ana@example.com","password":"pässword \"quoted\"\n"}"#
    );
    written_as_the_server_would(&CreateAgent {
        email: "bo@example.com".into(),
        name: "Bo".into(),
        password: "secret".into(),
        role: Role::Supervisor,
        cap: Some(u32::MAX),
        avatar_url: Some("https://cdn.example/bo.png".into()),
        is_bot: true,
    });
    written_as_the_server_would(&CreateAgent {
        email: "cy@example.com".into(),
        name: "Cy".into(),
        password: "secret".into(),
        role: Role::Agent,
        cap: None,
        avatar_url: None,
        is_bot: false,
    });
    assert_eq!(
        written_as_the_server_would(&UpdateAgent {
            cap: Some(None),
            ..UpdateAgent::default()
        }),
        r#"{"cap":null}"#
    );
    assert_eq!(written_as_the_server_would(&UpdateAgent::default()), "{}");
    written_as_the_server_would(&UpdateAgent {
        name: Some("Ana B".into()),
        password: Some("new".into()),
        role: Some(Role::Admin),
        cap: Some(Some(5)),
        dismissed: Some(true),
    });
    written_as_the_server_would(&CreateChannel {
        name: "Shop".into(),
        ..CreateChannel::default()
    });
    written_as_the_server_would(&CreateChannel {
        key: Some("shop-2".into()),
        name: "Shop".into(),
        title: Some("Shop support".into()),
        greeting: Some("Hi!\nHow can we help?".into()),
        greetings: Some([("es".to_owned(), "¡Hola!".to_owned())].into()),
        locale: Some("ru".into()),
        allowed_origins: Some(vec!["https://shop.example".into()]),
    });
    assert_eq!(
        written_as_the_server_would(&UpdateChannel {
            title: Some(None),
            allowed_origins: Some(None),
            active: Some(false),
            ..UpdateChannel::default()
        }),
        r#"{"title":null,"allowed_origins":null,"active":false}"#
    );
    written_as_the_server_would(&UpdateChannel {
        name: Some("Shop 2".into()),
        title: Some(Some("T".into())),
        greeting: Some(Some("G".into())),
        greetings: Some(None),
        locale: Some(Some("es".into())),
        allowed_origins: Some(Some(Vec::new())),
        active: Some(true),
    });
    written_as_the_server_would(&SetManagers {
        agent_ids: vec![2, big],
    });
    written_as_the_server_would(&SetManagers {
        agent_ids: Vec::new(),
    });
    let mut routing = demo_routing();
    assert!(
        written_as_the_server_would(&routing).contains(r#""queue":[{"agent":1},{"department":3}]"#)
    );
    routing.bot_agent_id = None;
    routing.bot_rules.clear();
    routing.no_agent_reply = None;
    routing.pass_after_secs = 43_200;
    routing.queue = vec![QueueItem::Agent(big)];
    written_as_the_server_would(&routing);
    let hours = WorkingHours {
        time_zone: "Europe/Madrid".into(),
        days: WeekHours {
            mon: vec![
                TimeRange {
                    from: "09:00".into(),
                    to: "13:00".into(),
                },
                TimeRange {
                    from: "22:00".into(),
                    to: "24:00".into(),
                },
            ],
            ..WeekHours::default()
        },
        holidays: vec!["2031-12-25".into()],
        out_of_hours_reply: Some("We are closed.".into()),
    };
    written_as_the_server_would(&hours);
    written_as_the_server_would(&WorkingHours {
        holidays: Vec::new(),
        out_of_hours_reply: None,
        ..hours.clone()
    });

    // The answers.
    read_as_the_server_wrote(&profile(Role::Supervisor));
    read_as_the_server_wrote(&SetupState {
        has_accounts: false,
    });
    let mut bo = agent_view(big, "Bo", Role::Agent, Some(u32::MAX));
    bo.avatar_url = Some("https://cdn.example/bo.png".into());
    bo.dismissed = true;
    read_as_the_server_wrote(&AgentList {
        agents: vec![agent_view(1, "Ana Agent", Role::Admin, None), bo.clone()],
    });
    read_as_the_server_wrote(&bo);
    let mut full = channel_view("shop", "Shop", false);
    full.title = Some("Shop support".into());
    full.greeting = Some("Hi".into());
    full.locale = Some("es".into());
    full.allowed_origins = Some(vec!["https://shop.example".into()]);
    full.agreement_id = Some("agr_1".into());
    full.managers = vec![2, big];
    read_as_the_server_wrote(&full);
    read_as_the_server_wrote(&ChannelList {
        channels: vec![channel_view("demo", "Demo", true), full],
    });
    let logged = LoggedConversation {
        id: "c1".into(),
        channel_key: "shop".into(),
        channel_name: "Shop".into(),
        visitor_id: "v1".into(),
        status: "open".into(),
        agent_id: Some(big),
        agent_name: Some("Bo".into()),
        started_at: "2031-01-05T10:00:00Z".into(),
        page_url: Some("https://shop.example/cart".into()),
        messages: big,
        last_message_at: Some("2031-01-05T10:01:00Z".into()),
        rating: Some(Rating::Dislike),
        labels: vec![Label {
            id: big,
            name: "VIP клиент".into(),
        }],
    };
    let bare = LoggedConversation {
        agent_id: None,
        agent_name: None,
        page_url: None,
        messages: 0,
        last_message_at: None,
        rating: None,
        labels: Vec::new(),
        ..logged.clone()
    };
    read_as_the_server_wrote(&ConversationList {
        conversations: vec![
            listed_row("c1", "shop", Some(big)),
            listed_row("c2", "shop", None),
        ],
        next_cursor: Some("after-c1".into()),
        sort: "-max_response".into(),
    });
    read_as_the_server_wrote(&ConversationList {
        conversations: Vec::new(),
        next_cursor: None,
        sort: "-started_at".into(),
    });
    read_as_the_server_wrote(&ConversationRecord {
        conversation: logged,
        messages: vec![
            message(1, Author::Visitor, "Is it in stock?"),
            message(big, Author::Agent, "Yes."),
        ],
        rating: Some(RatingView {
            rating: Rating::Like,
            comment: None,
            rated_at: "2031-01-05T10:02:00Z".into(),
        }),
        routing_log: vec![RoutingLogLine {
            at: "2031-01-05T10:00:01Z".into(),
            text: "offered to Bo".into(),
            entry: json!({"trigger": {"type": "new"}, "candidates": [{"agent": big}], "load": 0.25, "note": null}),
        }],
        mail: vec![
            MailView {
                kind: "transcript".into(),
                to: "v@example.com".into(),
                status: MailStatus::Sent,
                queued_at: "2031-01-05T10:03:00Z".into(),
                attempts: 1,
                sent_at: Some("2031-01-05T10:03:01Z".into()),
                reason: None,
            },
            MailView {
                kind: "reply".into(),
                to: "v@example.com".into(),
                status: MailStatus::Waiting,
                queued_at: "2031-01-05T10:04:00Z".into(),
                attempts: 0,
                sent_at: None,
                reason: Some("connection refused".into()),
            },
        ],
    });
    read_as_the_server_wrote(&ConversationRecord {
        conversation: bare,
        messages: Vec::new(),
        rating: None,
        routing_log: Vec::new(),
        mail: Vec::new(),
    });
    read_as_the_server_wrote(&demo_routing());
    read_as_the_server_wrote(&routing);
    read_as_the_server_wrote(&HoursView {
        hours: hours.clone(),
        open: true,
        next_change: Some("2031-01-05T13:00:00Z".into()),
    });
    read_as_the_server_wrote(&HoursView {
        hours,
        open: false,
        next_change: None,
    });
    // Bodies older servers wrote without `mail` still read.
    assert!(api::decode::<ConversationRecord>(
        r#"{"conversation":{"id":"c","channel_key":"k","channel_name":"n","visitor_id":"v","status":"open","agent_id":null,"agent_name":null,"started_at":"t","page_url":null,"messages":0,"last_message_at":null,"rating":null},"messages":[],"rating":null,"routing_log":[]}"#
    )
    .is_some());
}

#[wasm_bindgen_test]
fn unauthorized_is_401_or_its_code() {
    assert!(api::status_error(401, "").is_unauthorized());
    assert!(
        api::status_error(403, r#"{"error":{"code":"unauthorized","message":"no"}}"#)
            .is_unauthorized()
    );
    assert!(!ApiError::Network.is_unauthorized());
    assert!(!api::status_error(500, "").is_unauthorized());
}

#[wasm_bindgen_test]
fn error_bodies_keep_the_servers_sentence() {
    assert_eq!(
        api::status_error(
            422,
            r#"{"error":{"code":"invalid_field","message":"email is taken"}}"#
        ),
        ApiError::Status {
            status: 422,
            code: Some(ErrorCode::InvalidField),
            message: Some("email is taken".into()),
        }
    );
    for unreadable in [
        "<html>bad gateway</html>",
        "",
        r#"{"error":{"code":"no_such_code","message":"m"}}"#,
        r#"{"error":"m"}"#,
    ] {
        assert_eq!(
            api::status_error(502, unreadable),
            ApiError::Status {
                status: 502,
                code: None,
                message: None,
            },
            "{unreadable}"
        );
    }
}

/// A row of the agents' conversation list, its first response `first` seconds
/// (also its max), answered once when known.
fn listed_row(id: &str, channel: &str, first: Option<u64>) -> ListedConversation {
    ListedConversation {
        id: id.into(),
        channel_key: channel.into(),
        channel_name: format!("{channel} site"),
        status: "closed".into(),
        agent_id: Some(1),
        agent_name: Some("Ana Agent".into()),
        started_at: "2031-01-05T10:00:00Z".into(),
        messages: 2,
        last_message_at: Some("2031-01-05T10:01:00Z".into()),
        rating: Some(Rating::Like),
        labels: Vec::new(),
        figures: canal_protocol::kpi::Figures {
            first_response_secs: first,
            total_response_secs: first,
            average_response_secs: first,
            max_response_secs: first,
            responses: u64::from(first.is_some()),
        },
    }
}

#[wasm_bindgen_test]
async fn an_agent_sorts_the_list_by_a_figure_in_the_agents_console_and_gets_its_csv() {
    let (root, _mounted) = live_console_of(
        AgentApp,
        Role::Agent,
        Vec::new(),
        json!({
            "GET /api/v1/agent/conversations?limit=50": {"status": 200, "body": ConversationList {
                conversations: vec![listed_row("c1", "demo", Some(75)), listed_row("c2", "demo", Some(3700))],
                next_cursor: None,
                sort: "-started_at".into(),
            }},
            "GET &sort=-max_response": {"status": 200, "body": ConversationList {
                conversations: vec![listed_row("c2", "demo", Some(3700)), listed_row("c1", "demo", Some(75))],
                next_cursor: None,
                sort: "-max_response".into(),
            }},
            "GET &sort=max_response": {"status": 200, "body": ConversationList {
                conversations: vec![listed_row("c1", "demo", Some(75)), listed_row("c2", "demo", Some(3700))],
                next_cursor: None,
                sort: "max_response".into(),
            }},
        }),
    )
    .await;
    // The list is drawn in place: a button, not a link to the full console.
    let tab = get(&root, "log-link");
    assert_eq!(tab.tag_name(), "BUTTON");
    click(&tab);
    until("the list", || all(&root, "log-row").len() == 2).await;
    let maxes = || {
        all(&root, "log-row-max")
            .iter()
            .map(text)
            .collect::<Vec<_>>()
    };
    assert_eq!(maxes(), ["1:15", "1:01:40"]);
    let csv = get(&root, "log-csv");
    assert_eq!(
        csv.get_attribute("href").as_deref(),
        Some("/api/v1/agent/conversations?limit=50&format=csv")
    );
    let header = get(&root, "sort-max_response");
    click(&header);
    until("sorted, longest first", || maxes() == ["1:01:40", "1:15"]).await;
    assert_eq!(
        requests_to("GET", "&sort=-max_response")[0]["url"],
        "/api/v1/agent/conversations?limit=50&sort=-max_response"
    );
    let th = header.parent_element().expect("its header cell");
    assert_eq!(th.get_attribute("aria-sort").as_deref(), Some("descending"));
    assert_eq!(
        get(&root, "log-csv").get_attribute("href").as_deref(),
        Some("/api/v1/agent/conversations?limit=50&sort=-max_response&format=csv")
    );
    click(&get(&root, "sort-max_response"));
    until("sorted, quickest first", || maxes() == ["1:15", "1:01:40"]).await;
    assert_eq!(th.get_attribute("aria-sort").as_deref(), Some("ascending"));
    // No admin page, and nothing of the full console was asked for.
    assert!(all(&root, "settings-link").is_empty());
    assert!(requests().iter().all(|r| !r["url"]
        .as_str()
        .unwrap_or_default()
        .starts_with("/console/admin")));
}

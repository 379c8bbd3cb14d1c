//! The end-to-end harness: a real Canal server on 127.0.0.1, a customer's host page
//! on `localhost` (another origin), and headless Chromium driven over WebDriver.
//!
//! - [`Canal`]: the server with a fresh SQLite file and the built widget frame.
//! - [`HostPage`]: a site that pastes the snippet.
//! - [`Browser`]: chromedriver + Chromium, one per test.
//! - [`Widget`]: the page object for the launcher and the chat frame.
//! - [`smtp`]: a real SMTP receiver on loopback, for what Canal e-mails.
//!
//! Needs `dist/` (the frame, from `trunk build --release`; `CANAL_DIST` points at
//! it), `/usr/bin/chromium` and `/usr/bin/chromedriver` (`CHROMIUM`,
//! `CHROMEDRIVER`). `cargo xtask test` provides all three.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod smtp;

use canal_server::{demo, spawn_loopback, spawn_on, Options, Running, Store};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::sync::oneshot;

/// How long any wait in these tests may take before it fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Polls `probe` until it returns `Some`, or panics with `what` after [`DEADLINE`].
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(what, DEADLINE, probe).await
}

/// [`eventually`] with another deadline (e.g. one that covers a reconnect backoff).
pub async fn eventually_within<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// A running Canal server with its own database, seeded with the demo channel.
pub struct Canal {
    pub addr: SocketAddr,
    pub store: Store,
    /// A read handle on the server's database, for checking what was stored.
    pub db: sqlx::SqlitePool,
    options: Options,
    _dir: tempfile::TempDir,
    server: Option<Running>,
}

/// The password of agents the tests seed.
pub const AGENT_PASSWORD: &str = "e2e agent password";

/// The admin token the harness starts the server with.
pub const ADMIN_TOKEN: &str = "e2e-admin-token";

impl Canal {
    pub async fn start() -> Self {
        Self::start_with_agents(&[], "evenly").await
    }

    /// A new install, as `canal serve` without `--demo` starts it: no channel, no
    /// account.
    pub async fn start_empty() -> Self {
        let (dir, store, db) = Self::open_store().await;
        Self::serve(dir, store, db, None).await
    }

    async fn open_store() -> (tempfile::TempDir, Store, sqlx::SqlitePool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("canal.db").display());
        let store = Store::open(&url).await.expect("open store");
        let db = sqlx::SqlitePool::connect(&url).await.expect("read handle");
        (dir, store, db)
    }

    /// A server whose demo channel's queue holds these agents (e-mail, name), in
    /// order, with ids 1, 2, ...: routing `mode`, online agents only, offers passing
    /// on after ten minutes, the agent's own name shown to visitors.
    pub async fn start_with_agents(agents: &[(&str, &str)], mode: &str) -> Self {
        Self::start_seeded(agents, mode, None).await
    }

    /// [`Canal::start_with_agents`] (routing evenly) on a server that sends e-mail
    /// as `mail` says (e.g. to an [`smtp::Receiver`]'s options).
    pub async fn start_with_mail(
        agents: &[(&str, &str)],
        mail: canal_server::mail::MailOptions,
    ) -> Self {
        Self::start_seeded(agents, "evenly", Some(mail)).await
    }

    /// A server whose demo channel's queue holds Ana Souza (`ana@shop.example`, agent
    /// 1), made an admin: the console's admin pages are hers.
    pub async fn start_with_admin() -> Self {
        let canal = Self::start_with_agents(&[("ana@shop.example", "Ana Souza")], "evenly").await;
        canal
            .admin_ok("PATCH", "/agents/1", &json!({"role": "admin"}))
            .await;
        canal
    }

    /// The demo channel on a server with these rate limits instead of the defaults.
    pub async fn start_with_limits(limits: canal_server::limits::Limits) -> Self {
        let (dir, store, db) = Self::open_store().await;
        demo::seed(&store).await.expect("seed demo channel");
        Self::serve_with(dir, store, db, None, limits).await
    }

    async fn start_seeded(
        agents: &[(&str, &str)],
        mode: &str,
        mail: Option<canal_server::mail::MailOptions>,
    ) -> Self {
        let (dir, store, db) = Self::open_store().await;
        let channel = demo::seed(&store).await.expect("seed demo channel");
        let hash = canal_server::agents::hash_password(AGENT_PASSWORD.into())
            .await
            .expect("hash");
        let mut queue = Vec::new();
        for (email, name) in agents {
            let agent = canal_server::agents::create(
                &store,
                email,
                name,
                &hash,
                canal_protocol::agent::Role::Agent,
                None,
                None,
                false,
            )
            .await
            .expect("seed agent");
            queue.push(json!({"agent": agent.id}));
        }
        if !agents.is_empty() {
            let settings = json!({"mode": mode, "pass_after_secs": 600, "check_online": true,
                                  "display_mode": "profile", "queue": queue});
            let settings = serde_json::from_value(settings).expect("routing settings");
            canal_server::dispatch::save_settings(&store, &channel.id, &settings)
                .await
                .expect("seed routing");
        }
        Self::serve(dir, store, db, mail).await
    }

    async fn serve(
        dir: tempfile::TempDir,
        store: Store,
        db: sqlx::SqlitePool,
        mail: Option<canal_server::mail::MailOptions>,
    ) -> Self {
        Self::serve_with(dir, store, db, mail, Default::default()).await
    }

    async fn serve_with(
        dir: tempfile::TempDir,
        store: Store,
        db: sqlx::SqlitePool,
        mail: Option<canal_server::mail::MailOptions>,
        limits: canal_server::limits::Limits,
    ) -> Self {
        let dist = std::env::var_os("CANAL_DIST")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("dist"));
        assert!(
            dist.join("index.html").is_file(),
            "the widget frame is not built at {}: run `cargo xtask test` (or `cargo xtask build-widget`)",
            dist.display()
        );
        let options = Options {
            dist_dir: dist,
            admin_token_sha256: canal_server::admin::token_hash(ADMIN_TOKEN),
            mail,
            limits,
            // Timers moved due in the store are seen within this.
            timers_look_every: Some(Duration::from_millis(200)),
            ..Options::default()
        };
        let server = spawn_loopback(store.clone(), options.clone())
            .await
            .expect("start the server");
        Self {
            addr: server.addr,
            store,
            db,
            options,
            _dir: dir,
            server: Some(server),
        }
    }

    /// Stops the server the way a deploy does (open sockets are closed), and waits
    /// until its address refuses connections. The database stays.
    pub async fn stop(&mut self) {
        self.server = None;
        let addr = self.addr;
        eventually("the stopped server to refuse connections", || async move {
            tokio::net::TcpStream::connect(addr)
                .await
                .is_err()
                .then_some(())
        })
        .await;
    }

    /// Starts the server again on the same address and database: clients that
    /// reconnect find it where it was.
    pub async fn restart(&mut self) {
        let addr = self.addr;
        // The old listener's socket may take a moment to be released.
        let listener = eventually("the old address to be free again", || async move {
            tokio::net::TcpListener::bind(addr).await.ok()
        })
        .await;
        let server = spawn_on(listener, self.store.clone(), self.options.clone())
            .await
            .expect("restart the server");
        self.server = Some(server);
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A request to the server's HTTP API (`body` sent as JSON unless `Null`; with
    /// `admin`, carrying the admin token the harness starts the server with): the
    /// status and the JSON answer (`Null` when there is none).
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        body: &Value,
        admin: bool,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
        let mut request =
            reqwest::Client::new().request(method, format!("{}{path}", self.origin()));
        if admin {
            request = request.bearer_auth(ADMIN_TOKEN);
        }
        if !body.is_null() {
            request = request.json(body);
        }
        let response = request.send().await.expect("send request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("read answer");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// An admin API call (`path` after `/api/v1/admin`), the way a site owner sets
    /// things up: the status and the JSON answer.
    pub async fn admin(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        self.request(method, &format!("/api/v1/admin{path}"), body, true)
            .await
    }

    /// An admin API call that must succeed: its JSON answer, after checking the 200.
    pub async fn admin_ok(&self, method: &str, path: &str, body: &Value) -> Value {
        let (status, answer) = self.admin(method, path, body).await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.db)
            .await
            .expect("count")
    }
}

/// A customer's page, served from `http://localhost:PORT` (a different origin from
/// Canal's `http://127.0.0.1:PORT`), with the snippet pasted in.
pub struct HostPage {
    pub url: String,
    /// `http://localhost:PORT`
    pub origin: String,
    _stop: oneshot::Sender<()>,
}

impl HostPage {
    pub async fn start(canal: &Canal) -> Self {
        Self::start_with_csp(canal, None).await
    }

    /// The page served with this `Content-Security-Policy` header, if any.
    pub async fn start_with_csp(canal: &Canal, csp: Option<String>) -> Self {
        Self::start_with_snippet(demo::snippet(&canal.origin(), demo::CHANNEL_KEY), csp).await
    }

    /// The page with this snippet (e.g. the admin API's, with the channel's theme),
    /// served with this `Content-Security-Policy` header, if any.
    pub async fn start_with_snippet(snippet: String, csp: Option<String>) -> Self {
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title></head>\
             <body><h1>A customer's shop</h1><p>Products and prices.</p>{snippet}</body></html>"
        );
        let router = axum::Router::new().route(
            "/landing",
            axum::routing::get(move || {
                let html = html.clone();
                let csp = csp.clone();
                async move {
                    let mut response =
                        axum::response::IntoResponse::into_response(axum::response::Html(html));
                    if let Some(value) = csp.and_then(|c| c.parse().ok()) {
                        response
                            .headers_mut()
                            .insert(axum::http::header::CONTENT_SECURITY_POLICY, value);
                    }
                    response
                }
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
            url: format!(
                "http://localhost:{port}/landing?utm_source=newsletter&utm_campaign=spring"
            ),
            origin: format!("http://localhost:{port}"),
            _stop: stop,
        }
    }
}

/// chromedriver and a headless Chromium session; both end when this is dropped.
///
/// chromedriver runs in a process group of its own, which the Chromium it starts (and
/// Chromium's helpers) join; dropping the browser kills that whole group, so no
/// Chromium outlives its test even when the test fails before [`Browser::close`]
/// (killing chromedriver alone leaves its Chromium running). The group is this
/// browser's only: other suites' browsers on the machine are never touched.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// Chromium showing the host page at `url`.
    pub async fn open(url: &str) -> Self {
        let browser = Self::start().await;
        browser.client.goto(url).await.expect("open host page");
        browser
    }

    /// A browser whose preferred language is `lang` (a BCP 47 tag such as `es`):
    /// `navigator.language` and `Accept-Language` say it.
    pub async fn start_in_language(lang: &str) -> Self {
        Self::start_with(Some(lang)).await
    }

    async fn start_with(lang: Option<&str>) -> Self {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&chromedriver).is_file() && std::path::Path::new(&chromium).is_file(),
            "Chromium or chromedriver is missing ({chromium}, {chromedriver}): run `cargo xtask setup --browser` (Debian: apt-get install chromium chromium-driver)"
        );
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    "--window-size=1280,800",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let mut capabilities = capabilities;
        if let Some(lang) = lang {
            let options = &mut capabilities["goog:chromeOptions"];
            if let Some(args) = options["args"].as_array_mut() {
                args.push(json!(format!("--lang={lang}")));
            }
            options["prefs"] = json!({ "intl.accept_languages": lang });
        }
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("a JSON object literal"),
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = eventually("chromedriver to accept a session", || {
            let mut builder = ClientBuilder::new(connector.clone());
            builder.capabilities(capabilities.clone());
            let webdriver = webdriver.clone();
            async move { builder.connect(&webdriver).await.ok() }
        })
        .await;
        Self {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Runs a script in the current frame and returns its JSON result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until the page's current document shows `text` (the visitor's chat
    /// when the frame is entered).
    pub async fn wait_text(&self, what: &str, text: &str) {
        eventually(what, || async {
            let shown = self.js("return document.body.innerText;").await;
            shown.as_str()?.contains(text).then_some(())
        })
        .await;
    }

    /// Ends the session (chromedriver is killed on drop either way).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Browser {
    /// The process group of chromedriver and its Chromium (chromedriver's pid).
    pub fn process_group(&self) -> u32 {
        self.driver.id()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = self.driver.id();
        kill_group(group);
        let _ = self.driver.wait();
        // Chromium's processes are not this process's children: wait (bounded) until
        // they are gone, so the profile directory is removed after them.
        let start = Instant::now();
        while !group_members(group).is_empty() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Sends SIGKILL to every process of the group `group`.
fn kill_group(group: u32) {
    let pid = i32::try_from(group)
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// The processes of the group `group` that still run (zombies, which are dead and
/// only wait for their parent to collect them, are not counted), from `/proc`.
pub fn group_members(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            matches!(fields.as_slice(), [state, _ppid, pgrp, ..]
                if *state != "Z" && *state != "X" && pgrp.parse::<u32>().ok() == Some(group))
        })
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The page object: the launcher on the host page and the chat inside the frame.
pub struct Widget<'a> {
    pub browser: &'a Browser,
}

impl<'a> Widget<'a> {
    pub fn new(browser: &'a Browser) -> Self {
        Self { browser }
    }

    /// The launcher button, inside the loader's shadow root.
    pub async fn launcher(&self) -> Element {
        let client = &self.browser.client;
        eventually("the launcher to be drawn", || async {
            let host = client.find(Locator::Css("#canal-root")).await.ok()?;
            let root = host.shadow_root().await.ok()?;
            root.find(Locator::Css("[data-testid=canal-launcher]"))
                .await
                .ok()
        })
        .await
    }

    /// Clicks the launcher and switches into the chat frame once its app runs.
    pub async fn open(&self) {
        self.launcher().await.click().await.expect("click launcher");
        let client = &self.browser.client;
        let frame = eventually("the chat frame to be inserted", || async {
            let host = client.find(Locator::Css("#canal-root")).await.ok()?;
            let root = host.shadow_root().await.ok()?;
            root.find(Locator::Css("iframe")).await.ok()
        })
        .await;
        frame.enter_frame().await.expect("enter frame");
        self.find("composer-input").await;
    }

    /// Leaves the frame, back to the host page.
    pub async fn leave(&self) {
        self.browser
            .client
            .enter_parent_frame()
            .await
            .expect("leave frame");
    }

    /// Waits for the element with this `data-testid` in the current frame.
    pub async fn find(&self, test_id: &str) -> Element {
        let css = format!("[data-testid={test_id}]");
        self.find_css(&css).await
    }

    pub async fn find_css(&self, css: &str) -> Element {
        let client = &self.browser.client;
        eventually(css, || async { client.find(Locator::Css(css)).await.ok() }).await
    }

    /// Types into the composer and presses Send.
    pub async fn send(&self, text: &str) {
        let input = self.find("composer-input").await;
        input.send_keys(text).await.expect("type");
        self.find("send").await.click().await.expect("click send");
    }

    /// Opens the chat, writes `text`, accepts the agreement and waits until the
    /// message is acknowledged: a visitor who started a conversation.
    pub async fn start_chat(&self, text: &str) {
        self.open().await;
        self.send(text).await;
        self.accept(text).await;
    }

    /// Accepts the agreement the first message asked for and waits until that
    /// message (`text`) is acknowledged.
    pub async fn accept(&self, text: &str) {
        self.find("consent-accept")
            .await
            .click()
            .await
            .expect("accept");
        self.wait_sent(text).await;
    }

    /// Rates the ended chat "Good" and sends the rating.
    pub async fn rate_good(&self) {
        self.find_css("#cn-rate-good")
            .await
            .click()
            .await
            .expect("good");
        self.find("rate-send")
            .await
            .click()
            .await
            .expect("send the rating");
    }

    /// Waits until a visitor message with this text shows as acknowledged.
    pub async fn wait_sent(&self, text: &str) {
        let client = &self.browser.client;
        eventually(&format!("message {text:?} to be acknowledged"), || async {
            let sent = client
                .find_all(Locator::Css("[data-testid=message][data-status=sent]"))
                .await
                .ok()?;
            for message in sent {
                if message.text().await.ok()?.contains(text) {
                    return Some(());
                }
            }
            None
        })
        .await
    }

    /// Storage and cookies the current document can see.
    pub async fn storage(&self) -> Value {
        self.browser
            .js("return {cookie: document.cookie, local: localStorage.length, session: sessionStorage.length};")
            .await
    }
}

/// The usual start of a test: Canal, a host page that embeds it, and Chromium
/// showing that page (nothing clicked yet).
pub async fn visit() -> (Canal, HostPage, Browser) {
    let canal = Canal::start().await;
    let host = HostPage::start(&canal).await;
    let browser = Browser::open(&host.url).await;
    (canal, host, browser)
}

/// Where tests leave screenshots for people to look at (`target/screenshots/`).
pub fn save_screenshot(name: &str, png: &[u8]) {
    let dir = workspace_root().join("target").join("screenshots");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(name), png);
    }
}

/// The page object of the agent console (`/console/`), in its own browser.
pub struct Console<'a> {
    pub browser: &'a Browser,
}

impl<'a> Console<'a> {
    /// Opens the console and signs in as `email` (seeded with [`AGENT_PASSWORD`]).
    pub async fn sign_in(browser: &'a Browser, canal: &Canal, email: &str) -> Console<'a> {
        Self::sign_in_with(browser, canal, email, AGENT_PASSWORD).await
    }

    /// Opens the console's sign-in page (without signing in).
    pub async fn open(browser: &'a Browser, canal: &Canal) -> Console<'a> {
        browser
            .client
            .goto(&format!("{}/console/", canal.origin()))
            .await
            .expect("open the console");
        Console { browser }
    }

    /// Opens the console and signs in as `email` with `password`.
    pub async fn sign_in_with(
        browser: &'a Browser,
        canal: &Canal,
        email: &str,
        password: &str,
    ) -> Console<'a> {
        let console = Self::open(browser, canal).await;
        console
            .find("login-email")
            .await
            .send_keys(email)
            .await
            .expect("type e-mail");
        console
            .find("login-password")
            .await
            .send_keys(password)
            .await
            .expect("type password");
        console
            .find("login-submit")
            .await
            .click()
            .await
            .expect("sign in");
        console.find("inbox-offered").await;
        console
    }

    pub async fn find(&self, test_id: &str) -> Element {
        let css = format!("[data-testid={test_id}]");
        let client = &self.browser.client;
        eventually(&css, || async {
            client.find(Locator::Css(&css)).await.ok()
        })
        .await
    }

    /// Clicks the element with this test id once it is there (a tab, a button);
    /// `what` names the step if the click fails.
    pub async fn click(&self, test_id: &str, what: &str) {
        self.find(test_id)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }

    /// The conversation lines listed in an inbox section (`inbox-offered`, ...).
    pub async fn items(&self, section: &str) -> Vec<Element> {
        let css = format!("[data-testid={section}] [data-testid=conversation-item]");
        self.browser
            .client
            .find_all(Locator::Css(&css))
            .await
            .unwrap_or_default()
    }

    /// Waits for a line in a section and returns it.
    pub async fn wait_item(&self, section: &str) -> Element {
        eventually(&format!("a conversation in {section}"), || async {
            self.items(section).await.into_iter().next()
        })
        .await
    }

    /// Opens the first offered conversation, takes it and waits until it is listed
    /// as this agent's.
    pub async fn take_offer(&self) {
        self.wait_item("inbox-offered")
            .await
            .click()
            .await
            .expect("open the offer");
        self.find("take").await.click().await.expect("take");
        self.wait_item("inbox-mine").await;
    }

    /// Types `text` into the open conversation's reply box and sends it.
    pub async fn reply(&self, text: &str) {
        self.find("reply-input")
            .await
            .send_keys(text)
            .await
            .expect("type reply");
        self.find("reply-send")
            .await
            .click()
            .await
            .expect("send reply");
    }

    /// Text of the whole page (for checks of what the agent sees).
    pub async fn text(&self) -> String {
        self.browser
            .js("return document.body.innerText;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

//! `spawn_app()` and typed helpers around a running server.

use std::net::SocketAddr;

use canal_protocol::{ChannelConfig, ConsentCreated, ConversationCreated};
use canal_server::limits::Limits;
use canal_server::{demo, spawn_loopback, Options, Running, Store};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const ADMIN_TOKEN: &str = "test-admin-token";

/// Looks with `look` every 20 ms until it answers `Ok`; after 30 s fails with its
/// last `Err`, which says what it saw.
pub async fn poll<T, Fut>(mut look: impl FnMut() -> Fut) -> T
where
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match look().await {
            Ok(found) => return found,
            Err(seen) => assert!(std::time::Instant::now() < deadline, "{seen}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub const PAGE: &str = "https://shop.example/products/42?utm_source=news";

/// A running server with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub http: reqwest::Client,
    /// The test's own database (see [`TestDb`]).
    pub db: TestDb,
    dir: tempfile::TempDir,
    server: Option<Running>,
    /// How the server sends e-mail (kept for [`TestApp::restart`]).
    mail: Option<canal_server::mail::MailOptions>,
    /// The server's rate limits (kept for [`TestApp::restart`]).
    limits: Limits,
}

/// Where a test's server looks for the built frame: a frame document is written
/// there by [`spawn_app_with_frame`]; otherwise nothing is (the "not built" page).
fn dist_dir(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("dist")
}

/// A built frame's document as Trunk writes it: the stylesheet and glue by hashed
/// name, and the one inline start-up line the frame's policy names by hash.
pub const FRAME_DOCUMENT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
    <title>Chat</title><link rel=\"stylesheet\" href=\"/widget/style-0123.css\">\
    <script src=\"/widget/canal-widget-0123.js\"></script>\
    <script>wasm_bindgen({module_or_path: '/widget/canal-widget-0123_bg.wasm'});</script>\
    </head><body></body></html>";

/// Which engine the tests run on: `CANAL_TEST_STORE=postgres` (with
/// `CANAL_TEST_POSTGRES_URL`, as `cargo xtask test` sets both) or SQLite.
pub fn on_postgres() -> bool {
    std::env::var("CANAL_TEST_STORE").is_ok_and(|v| v == "postgres")
}

/// A fresh, empty database for one test, and a second handle on it that tests use
/// to see what was (or was not) stored: sqlx's `Any` driver, so one query text
/// (`$1` placeholders) runs on both engines.
pub struct TestDb {
    pub url: String,
    pool: sqlx::AnyPool,
}

impl TestDb {
    /// A new database: a file in `dir` on SQLite; `CREATE DATABASE` on PostgreSQL.
    pub async fn new(dir: &std::path::Path) -> Self {
        let url = if on_postgres() {
            crate::pg::fresh_database().await
        } else {
            format!("sqlite://{}?mode=rwc", dir.join("canal.db").display())
        };
        Self::at(url).await
    }

    /// A second handle on an existing database.
    pub async fn at_url(url: String) -> Self {
        Self::at(url).await
    }

    async fn at(url: String) -> Self {
        sqlx::any::install_default_drivers();
        let pool = sqlx::pool::PoolOptions::new()
            .max_connections(2)
            .connect_lazy(&url)
            .expect("test database URL");
        Self { url, pool }
    }

    /// The pool, for `sqlx::query*(..).fetch_*(app.db.pool())`.
    pub fn pool(&self) -> &sqlx::AnyPool {
        &self.pool
    }
}

async fn start(
    url: &str,
    dir: &tempfile::TempDir,
    mail: Option<canal_server::mail::MailOptions>,
    limits: Limits,
) -> (Store, Running) {
    let store = Store::open(url).await.expect("open store");
    demo::seed(&store).await.expect("seed");
    let server = spawn_loopback(
        store.clone(),
        Options {
            dist_dir: dist_dir(dir),
            demo: true,
            admin_token_sha256: canal_server::admin::token_hash(ADMIN_TOKEN),
            trusted_proxies: canal_server::net::parse_list("127.0.0.1").expect("list"),
            mail,
            limits,
            // Timers moved due in the store are seen within this.
            timers_look_every: Some(std::time::Duration::from_millis(200)),
            // Failed webhook deliveries are tried again within a fraction of a second.
            deliveries: canal_server::hooks::DeliveryOptions {
                retry_after: std::time::Duration::from_millis(100),
                timeout: std::time::Duration::from_secs(5),
                max_attempts: 15,
                look_every: std::time::Duration::from_millis(500),
                // The tests' receivers and gateways listen on loopback.
                private_targets: true,
            },
            ..Options::default()
        },
    )
    .await
    .expect("start the server");
    (store, server)
}

/// A server with no rate limit (the tests drive many requests from one address).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(None, Limits::off()).await
}

/// [`spawn_app`] with e-mail sent as `mail` says.
pub async fn spawn_app_with_mail(mail: Option<canal_server::mail::MailOptions>) -> TestApp {
    spawn_app_with(mail, Limits::off()).await
}

/// [`spawn_app`] with these rate limits.
pub async fn spawn_app_limited(limits: Limits) -> TestApp {
    spawn_app_with(None, limits).await
}

async fn spawn_app_with(mail: Option<canal_server::mail::MailOptions>, limits: Limits) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::new(dir.path()).await;
    let (store, server) = start(&db.url, &dir, mail.clone(), limits.clone()).await;
    TestApp {
        addr: server.addr,
        store,
        http: reqwest::Client::new(),
        db,
        dir,
        server: Some(server),
        mail,
        limits,
    }
}

/// [`spawn_app`] with a built frame document in its `dist/`.
pub async fn spawn_app_with_frame() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dist_dir(&dir)).expect("dist dir");
    std::fs::write(dist_dir(&dir).join("index.html"), FRAME_DOCUMENT).expect("frame document");
    let db = TestDb::new(dir.path()).await;
    let (store, server) = start(&db.url, &dir, None, Limits::off()).await;
    TestApp {
        addr: server.addr,
        store,
        http: reqwest::Client::new(),
        db,
        dir,
        server: Some(server),
        mail: None,
        limits: Limits::off(),
    }
}

impl TestApp {
    /// Stops the server (its sockets close); the database stays.
    pub fn stop(&mut self) {
        self.server = None;
    }

    /// Stops the server and starts a new one on the same database (new address).
    pub async fn restart(&mut self) {
        self.server = None;
        let (store, server) = start(
            &self.db.url,
            &self.dir,
            self.mail.clone(),
            self.limits.clone(),
        )
        .await;
        self.addr = server.addr;
        self.store = store;
        self.server = Some(server);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn config(&self) -> ChannelConfig {
        let response = self
            .http
            .get(self.url("/api/v1/channels/demo/config"))
            .send()
            .await
            .expect("config");
        assert_eq!(response.status(), 200);
        response.json().await.expect("config json")
    }

    /// The current agreement version of the demo channel.
    pub async fn version_id(&self) -> String {
        self.config()
            .await
            .consent
            .expect("demo asks consent")
            .version_id
    }

    /// GETs a path; returns status and JSON answer (`Null` when not JSON).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.http.get(self.url(path)).send().await.expect("get");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Records a demo-channel consent for `page` sending one extra request header;
    /// returns the answer and the stored record.
    pub async fn consent_with(
        &self,
        page: &str,
        header: (&str, &str),
    ) -> (ConsentCreated, canal_server::ledger::Record) {
        let body = json!({"agreement_version_id": self.version_id().await, "page_url": page});
        let response = self
            .http
            .post(self.url("/api/v1/channels/demo/consents"))
            .header(header.0, header.1)
            .json(&body)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), 201);
        let created: ConsentCreated = response.json().await.expect("json");
        let record = self
            .store
            .consent_by_id(&created.consent_id)
            .await
            .expect("read")
            .expect("stored");
        (created, record)
    }

    /// PUTs a JSON body; returns status and JSON answer.
    pub async fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("put");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POSTs a JSON body; returns status and JSON answer.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// An admin request with the admin token; returns status and JSON answer.
    pub async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.with_key(ADMIN_TOKEN, method, path, body).await
    }

    /// A request under `/api/v1/admin` with `bearer` (an API key) instead of the
    /// admin token; returns status and JSON answer.
    pub async fn with_key(
        &self,
        bearer: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(&format!("/api/v1/admin{path}")))
            .bearer_auth(bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request with a key");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn admin_delete(&self, path: &str) -> (u16, Value) {
        self.admin(reqwest::Method::DELETE, path, None).await
    }

    pub async fn admin_get(&self, path: &str) -> (u16, Value) {
        self.admin(reqwest::Method::GET, path, None).await
    }

    pub async fn admin_post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.admin(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn admin_put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.admin(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn admin_patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.admin(reqwest::Method::PATCH, path, Some(body)).await
    }

    /// POSTs raw bytes with a content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("post");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Records a consent for the demo channel.
    pub async fn consent(&self) -> ConsentCreated {
        let body = json!({"agreement_version_id": self.version_id().await, "page_url": PAGE});
        let (status, answer) = self.post("/api/v1/channels/demo/consents", &body).await;
        assert_eq!(status, 201, "{answer}");
        serde_json::from_value(answer).expect("consent answer")
    }

    /// Consent plus conversation on the demo channel.
    pub async fn conversation(&self) -> (ConsentCreated, ConversationCreated) {
        let consent = self.consent().await;
        let body = json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id,
                          "page_url": PAGE, "utm": {"source": "news"}});
        let (status, answer) = self
            .post("/api/v1/channels/demo/conversations", &body)
            .await;
        assert_eq!(status, 201, "{answer}");
        (
            consent,
            serde_json::from_value(answer).expect("conversation answer"),
        )
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("count")
    }

    /// Rows of every table a visitor's actions write.
    pub async fn visitor_rows(&self) -> [i64; 4] {
        [
            self.count("consents").await,
            self.count("visitors").await,
            self.count("conversations").await,
            self.count("messages").await,
        ]
    }

    /// A socket that has said hello to the conversation from the start.
    pub async fn joined(
        &self,
        consent: &ConsentCreated,
        conversation: &ConversationCreated,
    ) -> Socket {
        let mut socket = self.socket().await;
        socket
            .hello(&conversation.conversation_id, &consent.visitor_token, 0)
            .await;
        socket
    }

    pub async fn socket(&self) -> Socket {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/api/v1/ws", self.addr))
            .await
            .expect("socket");
        Socket { ws }
    }
}

/// Asserts a JSON error answer.
pub fn assert_error(status: u16, answer: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{answer}");
    assert_eq!(answer["error"]["code"], want_code, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "a message says why: {answer}"
    );
}

/// A visitor socket.
pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send frame");
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("send frame");
    }

    /// The first frame (skipping others) for which `want` holds; fails after 10 s
    /// without one.
    pub async fn until(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = tokio::time::timeout(left, self.next())
                .await
                .unwrap_or_else(|_| panic!("no frame with {what} within 10 s"))
                .unwrap_or_else(|| panic!("socket closed while waiting for {what}"));
            if want(&frame) {
                return frame;
            }
        }
    }

    /// The first frame for which `want` holds, however long it takes (wrap it in a
    /// timeout).
    pub async fn until_patiently(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text).expect("JSON frame");
                    if want(&frame) {
                        return frame;
                    }
                }
                Some(Ok(_)) => continue,
                _ => panic!("socket closed"),
            }
        }
    }

    /// The next JSON frame, waiting at most 10 s; `None` when the socket closed.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(std::time::Duration::from_secs(10), self.ws.next())
                .await
                .expect("a frame within 10 s");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Some(serde_json::from_str(&text).expect("JSON frame"))
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    pub async fn expect(&mut self, kind: &str) -> Value {
        let frame = self.next().await.expect("socket open");
        assert_eq!(frame["type"], kind, "{frame}");
        frame
    }

    pub async fn hello(&mut self, conversation_id: &str, token: &str, last_seq: u64) -> Value {
        self.send(json!({"type": "hello", "conversation_id": conversation_id,
                         "visitor_token": token, "last_seq": last_seq}))
            .await;
        self.expect("welcome").await
    }

    /// Waits until what this socket's messages set off is done (routing told,
    /// the CRM's tracker run): a socket acknowledges a message once it is stored
    /// and goes on with its consequences before it takes the next frame, so the
    /// refusal of a frame that is not JSON comes after them.
    pub async fn settled(&mut self) {
        self.send_text("settled?").await;
        let refused = self.until("the refusal", |f| f["type"] == "error").await;
        assert_eq!(refused["code"], "bad_request", "{refused}");
    }

    pub async fn say(&mut self, client_id: &str, text: &str) -> u64 {
        self.send(json!({"type": "send", "client_id": client_id, "text": text}))
            .await;
        let ack = self.expect("ack").await;
        assert_eq!(ack["client_id"], client_id);
        ack["seq"].as_u64().expect("seq")
    }
}

//! The router and the shared state: `app(state) -> Router` and
//! `serve(listener, state, shutdown)`, so tests bind 127.0.0.1:0 and talk to a
//! real server.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use canal_protocol::{limits, ErrorCode};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::dispatch::Dispatch;
use crate::error::AppError;
use crate::hub::Hub;
use crate::limits::PerAddress;
use crate::net::IpNet;
use crate::store::Store;
use crate::tokens::VisitorTokens;
use crate::{admin, agent_api, api, assets, demo, ws};

/// Everything handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub tokens: VisitorTokens,
    pub hub: Hub,
    pub dist_dir: Arc<PathBuf>,
    /// The origin the snippet points at (for the demo page).
    pub public_url: Arc<str>,
    /// Serve `/demo/`.
    pub demo: bool,
    /// SHA-256 (hex) of the admin token.
    pub admin_token_sha256: Arc<str>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[IpNet]>,
    /// Raised when the server stops: open sockets close instead of holding the
    /// graceful shutdown open until every visitor leaves.
    pub closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// The routing shell (queue engine, offers, consoles' notices).
    pub dispatch: Dispatch,
    /// Failed console sign-ins per account.
    pub logins: crate::agents::LoginThrottle,
    /// The mail sender, when the server sends e-mail.
    pub mail: Option<crate::mail::Mailer>,
    /// The rate limits (see [`crate::limits`]).
    pub limits: Arc<crate::limits::Limits>,
    /// What one visitor token may write.
    pub per_visitor: crate::limits::Keyed,
    /// The bans in force.
    pub bans: crate::bans::Bans,
    /// Wakes the timer loop (see [`crate::timers`]).
    pub timers: crate::timers::Timers,
    /// Each channel's live typing preview switch (see [`crate::preview`]).
    pub automations: crate::preview::Automations,
    /// Each channel's CRM settings, as every visitor's message reads them.
    pub crm_settings: crate::preview::PerChannel<canal_protocol::crm::CrmSettings>,
    /// Webhook events and connector replies (see [`crate::hooks`]).
    pub outbox: crate::hooks::Outbox,
}

/// What [`AppState::new`] needs besides the store.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dist_dir: PathBuf,
    /// The origin the snippet points at (for the demo page).
    pub public_url: String,
    /// Serve `/demo/`.
    pub demo: bool,
    /// SHA-256 (hex) of the admin token (see `admin::ensure_token`).
    pub admin_token_sha256: String,
    pub trusted_proxies: Vec<IpNet>,
    /// How to send e-mail (`None`: the server sends none).
    pub mail: Option<crate::mail::MailOptions>,
    /// The rate limits (default: [`crate::limits::Limits::default`]).
    pub limits: crate::limits::Limits,
    /// The longest wait between two looks of the timer loop at the store (default
    /// [`crate::due::LOOK_EVERY`]; a timer armed by this server wakes it anyway:
    /// this only bounds how late a timer armed elsewhere, or moved in the store,
    /// is seen).
    pub timers_look_every: Option<std::time::Duration>,
    /// How webhook events and connector replies are delivered.
    pub deliveries: crate::hooks::DeliveryOptions,
    /// Compiled phone-number patterns the chat tracker keeps (default
    /// [`canal_core::crm::PHONE_PATTERNS_KEPT`]; see
    /// [`canal_core::crm::load_phone_plans`]).
    pub phone_patterns: Option<usize>,
}

impl AppState {
    /// State over an open store: loads (or creates) the visitor token key.
    pub async fn new(store: Store, options: Options) -> Result<Self, AppError> {
        let key = store
            .setting_or_insert("visitor_token_key", VisitorTokens::generate_key)
            .await?;
        let hub = Hub::default();
        let closing = Arc::new(tokio::sync::watch::Sender::new(false));
        let kept = options
            .phone_patterns
            .unwrap_or(canal_core::crm::PHONE_PATTERNS_KEPT);
        tokio::task::spawn_blocking(move || canal_core::crm::load_phone_plans(kept))
            .await
            .map_err(|e| AppError::Internal(format!("loading the phone numbering plans: {e}")))?;
        let timers = crate::timers::Timers::default();
        let outbox = crate::hooks::Outbox::new(store.clone());
        outbox.start(&options.deliveries, closing.subscribe());
        let dispatch = Dispatch::start(store.clone(), hub.clone(), timers.clone()).await?;
        let mail = match &options.mail {
            Some(mail) => Some(
                crate::mail::start(
                    mail,
                    store.clone(),
                    dispatch.clone(),
                    hub.clone(),
                    closing.subscribe(),
                )
                .map_err(AppError::Internal)?,
            ),
            None => None,
        };
        let bans = crate::bans::Bans::default();
        bans.refresh(&store).await?;
        bans.keep_fresh(store.clone(), closing.subscribe());
        let look_every = options.timers_look_every.unwrap_or(crate::due::LOOK_EVERY);
        let state = Self {
            store,
            tokens: VisitorTokens::from_key(&key),
            hub,
            dispatch,
            logins: Default::default(),
            mail,
            bans,
            per_visitor: crate::limits::Keyed::new(options.limits.per_visitor, "visitor"),
            limits: Arc::new(options.limits),
            dist_dir: Arc::new(options.dist_dir),
            public_url: options.public_url.into(),
            demo: options.demo,
            admin_token_sha256: options.admin_token_sha256.into(),
            trusted_proxies: options.trusted_proxies.into(),
            timers: timers.clone(),
            automations: Default::default(),
            crm_settings: Default::default(),
            outbox,
            closing,
        };
        timers.start(state.clone(), look_every, state.closing.subscribe());
        crate::services::figures::start(state.clone(), state.closing.subscribe());
        crate::services::search::start(state.clone(), state.closing.subscribe());
        Ok(state)
    }

    /// The client address of a request (see [`crate::net::client_ip`]).
    pub fn client_ip(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> String {
        crate::net::client_ip(peer, headers, &self.trusted_proxies).to_string()
    }
}

/// Every route of the server.
pub fn app(state: AppState) -> Router {
    let widget = assets::dir(state.dist_dir.as_ref())
        .fallback(get(widget_missing).with_state(state.clone()));
    let widget = Router::<()>::new()
        .fallback_service(widget)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            frame_ancestors,
        ))
        .layer(axum::middleware::from_fn(assets::cache_control));
    let console = assets::dir(&state.dist_dir.join("console"))
        .fallback(get(console_missing).with_state(state.clone()));
    let console = Router::<()>::new()
        .fallback_service(console)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            console_policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(axum::middleware::from_fn(assets::cache_control));
    let (l, t) = (state.limits.as_ref(), &state.trusted_proxies);
    let limit = |rate| PerAddress::new(rate, t);
    let (config, consents, conversations) =
        (limit(l.config), limit(l.consents), limit(l.conversations));
    let (visitor_writes, sockets, sign_in) =
        (limit(l.visitor_writes), limit(l.sockets), limit(l.sign_in));
    // A messenger gateway is held to the admin API's rate (its own bucket).
    let gateway = limit(l.admin);
    // The visitor routes refuse banned addresses (all but the withdrawal: withdrawing
    // consent stays open to everyone).
    let ban = |route: axum::routing::MethodRouter<AppState>| {
        route.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::bans::refuse_banned_addresses,
        ))
    };
    let mut admin = admin::router();
    if let Some(layer) = limit(l.admin).layer() {
        admin = admin.route_layer(layer);
    }
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .nest_service("/console/", console)
        .route("/api/v1/agent/setup", get(agent_api::setup))
        .route("/api/v1/agent/login", sign_in.on(post(agent_api::login)))
        .route("/api/v1/agent/logout", post(agent_api::logout))
        .route("/api/v1/agent/me", get(agent_api::me))
        .route(
            "/api/v1/agent/conversations/{id}/canned",
            get(admin::canned::for_reply),
        )
        .route("/api/v1/agent/notices", get(agent_api::notices))
        .route("/api/v1/agent/notices/read", post(agent_api::read_notices))
        .route("/api/v1/agent/ws", get(agent_api::upgrade))
        .merge(crate::list::routes())
        .merge(admin::crm::agent_routes())
        .route("/embed.js", get(assets::embed_js))
        .route("/widget", get(|| async { Redirect::permanent("/widget/") }))
        .nest_service("/widget/", widget)
        .route(
            "/api/v1/channels/{key}/config",
            ban(config.on(get(api::channel_config))),
        )
        .route(
            "/api/v1/channels/{key}/consents",
            ban(consents.on(post(api::record_consent))),
        )
        .route(
            "/api/v1/channels/{key}/conversations",
            ban(conversations.on(post(api::start_conversation))),
        )
        .route(
            "/api/v1/channels/{key}/consents/withdrawals",
            visitor_writes.on(post(api::withdraw_consent)),
        )
        .route(
            "/api/v1/channels/{key}/form",
            ban(visitor_writes.on(get(crate::forms::get_form).post(crate::forms::submit))),
        )
        .route(
            "/api/v1/channels/{key}/identify",
            ban(visitor_writes.on(post(crate::identity::identify))),
        )
        .route(
            "/api/v1/channels/{key}/conversations/{id}/rating",
            ban(visitor_writes.on(axum::routing::put(crate::rating::rate))),
        )
        .route(
            "/api/v1/channels/{key}/conversations/{id}/transcript",
            ban(visitor_writes.on(axum::routing::put(crate::mail::request_transcript))),
        )
        .route("/api/v1/ws", ban(sockets.on(get(ws::upgrade))))
        .route(
            "/api/v1/connectors/{id}/events",
            gateway.on(post(crate::connectors::events)),
        )
        .route("/agreements/{version_id}", get(agreement_text))
        .nest("/api/v1/admin", admin);
    if state.demo {
        router = router
            .route("/demo", get(|| async { Redirect::permanent("/demo/") }))
            .route("/demo/", get(demo_page));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(assets::compress_json())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(state)
}

/// Serves until `shutdown` completes. Peer addresses reach handlers (consent IPs).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = state.closing.clone();
    let (dispatch, store) = (state.dispatch.clone(), state.store.clone());
    // Each write goes out at once (as a browser's side does): with Nagle's
    // algorithm, a console's ack or message waited behind the inbox changes
    // still unacknowledged by its TCP peer.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not turn off Nagle's algorithm on a connection");
        }
    });
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let closing = closing.clone();
        async move {
            shutdown.await;
            closing.send_replace(true);
        }
    })
    .await;
    // The HTTP connections are done; the sockets (handed over on upgrade) and the
    // background tasks end on `closing`. Once they have, what they decided on the
    // way out (a visitor leaving, a console's last replies, timers moved aside of
    // an ack) is written before the process goes on to exit.
    if tokio::time::timeout(DRAIN, closing.closed()).await.is_err() {
        tracing::warn!(
            waiting = closing.receiver_count(),
            "sockets or background tasks still running {DRAIN:?} after the stop; \
             what they do next may not be stored"
        );
    }
    let settled = tokio::time::timeout(DRAIN, async {
        dispatch.settle().await;
        store.settle().await;
    })
    .await;
    if settled.is_err() {
        tracing::warn!(
            "the writes queued before the stop were not committed within {DRAIN:?}; \
             the store may be unreachable: check it, what was acknowledged is stored"
        );
    }
    served
}

/// How long a stopping server waits for its sockets and background tasks to end,
/// then for the writes they queued (a store that does not answer must not keep the
/// process from exiting).
const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// A server running in this process on 127.0.0.1 at a free port, until dropped.
pub struct Running {
    pub addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Serves `store` on 127.0.0.1 at a free port, in this process: for tests, benches
/// and embedding. An empty `options.public_url` becomes `http://<addr>`.
pub async fn spawn_loopback(store: Store, options: Options) -> std::io::Result<Running> {
    spawn_on(TcpListener::bind("127.0.0.1:0").await?, store, options).await
}

/// Serves `store` on `listener`, in this process (e.g. a server restarted on the
/// address it had). An empty `options.public_url` becomes `http://<addr>`.
pub async fn spawn_on(
    listener: TcpListener,
    store: Store,
    mut options: Options,
) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    if options.public_url.is_empty() {
        options.public_url = format!("http://{addr}");
    }
    let state = AppState::new(store, options)
        .await
        .map_err(std::io::Error::other)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));
    Ok(Running { addr, _stop: stop })
}

/// Sets the frame's `Content-Security-Policy`: on the frame document, a strict policy
/// ([`frame_policy`]); on everything under `/widget/`, `frame-ancestors` from the
/// allowed origins of the channel named in the URL (`/widget/?channel=KEY`), so
/// browsers refuse to show it inside pages of other sites. Also `Cache-Control:
/// no-store` on the frame document.
async fn frame_ancestors(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let key = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == canal_protocol::embed::CHANNEL_PARAM)
            .map(|(_, value)| value.into_owned())
    });
    let mut response = next.run(request).await;
    // The frame document (about 1 KB) is never reused from a cache: its policy
    // follows the channel's settings, and it names the current hashed assets.
    let is_document = is_html(&response);
    let mut policy = Vec::new();
    if is_document {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // Read each time: a rebuilt frame has a new start-up script.
        let index = tokio::fs::read_to_string(state.dist_dir.join("index.html"))
            .await
            .unwrap_or_default();
        policy.push(frame_policy(&index));
    }
    let origins = match key {
        None => None,
        Some(key) => match state.store.channel_by_key(&key).await {
            Ok(Some(channel)) => channel.origins(),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "frame policy lookup failed");
                Some(Vec::new())
            }
        },
    };
    if let Some(origins) = origins {
        let sources = if origins.is_empty() {
            "'none'".to_owned()
        } else {
            origins.join(" ")
        };
        policy.push(format!("frame-ancestors {sources}"));
    }
    if let Ok(value) = HeaderValue::from_str(&policy.join("; ")) {
        if !policy.is_empty() {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

/// The console's `Content-Security-Policy`: the strict [`frame_policy`] on its
/// documents (the agents' console and the full one), and never inside a frame
/// (`frame-ancestors 'none'`) on everything.
async fn console_policy(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let mut policy = String::new();
    if is_html(&response) {
        // Either console's start-up script: the agents' (`/console/`) and the full
        // one's (`/console/admin/`), each naming its own wasm.
        let console = state.dist_dir.join("console");
        let mut documents = String::new();
        for index in [
            console.join("index.html"),
            console.join("admin").join("index.html"),
        ] {
            documents += &tokio::fs::read_to_string(index).await.unwrap_or_default();
        }
        policy = frame_policy(&documents) + "; ";
    }
    policy.push_str("frame-ancestors 'none'");
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// A document's policy (the frame's and the console's): scripts only from Canal's
/// origin plus the document's
/// inline start-up script (by its SHA-256) and WebAssembly; styles only from files;
/// connections (fetch, the socket) only to Canal; images (agents' avatars) from Canal
/// or http(s); nothing else: no plugins, fonts, forms or `<base>`.
pub fn frame_policy(index_html: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut scripts = String::new();
    for script in inline_scripts(index_html) {
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script));
        scripts.push_str(&format!(" 'sha256-{digest}'"));
    }
    format!(
        "default-src 'none'; script-src 'self'{scripts} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' https: http:; connect-src 'self'; base-uri 'none'; form-action 'none'"
    )
}

/// The contents of the `<script>` elements without a `src` in an HTML document.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let open = &rest[..open_end];
        let body = &rest[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !open.contains(" src=") {
            found.push(&body[..close]);
        }
        rest = &body[close..];
    }
    found
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.store.ping().await {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n").into_response()
    }
}

async fn widget_missing(State(state): State<AppState>) -> Response {
    if state.dist_dir.join("index.html").is_file() {
        return not_found().await.into_response();
    }
    tracing::warn!(dist = %state.dist_dir.display(), "widget frame requested but not built");
    AppError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::NotFound,
        "the widget frame is not built: run `cargo xtask build-widget` (or start with `cargo xtask run`)",
    )
    .into_response()
}

async fn console_missing(State(state): State<AppState>) -> Response {
    if state.dist_dir.join("console").join("index.html").is_file() {
        return not_found().await.into_response();
    }
    tracing::warn!(dist = %state.dist_dir.display(), "console requested but not built");
    AppError::client(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::NotFound,
        "the agent console is not built: run `cargo xtask build-console` (or start with `cargo xtask run`)",
    )
    .into_response()
}

async fn demo_page(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        demo::page(&state.public_url, demo::CHANNEL_KEY),
    )
        .into_response()
}

/// `GET /agreements/{version_id}`: the full text of one agreement version (what
/// the messenger notice and "read the full text" link to). Plain texts are served
/// as text; HTML texts (cleaned on save) as a page that may run nothing.
async fn agreement_text(
    State(state): State<AppState>,
    axum::extract::Path(version_id): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    let version = state.store.version(&version_id).await?.ok_or_else(|| {
        AppError::not_found(
            ErrorCode::UnknownAgreementVersion,
            "no such agreement version",
        )
    })?;
    let footer = format!("version {}, SHA-256 {}", version.version, version.sha256);
    let cache = (header::CACHE_CONTROL, "public, max-age=86400, immutable");
    Ok(match version.text_format {
        crate::agreements::TextFormat::Plain => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), cache],
            format!("{}\n\n{}\n\n({footer})\n", version.title, version.body),
        )
            .into_response(),
        crate::agreements::TextFormat::Html => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                cache,
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; sandbox allow-popups",
                ),
            ],
            format!(
                "<!doctype html><html><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>{title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;\
                 max-width:46rem;margin:2rem auto;padding:0 1rem}}</style></head>\
                 <body><h1>{title}</h1>{body}<p><small>{footer}</small></p></body></html>",
                title = escape_html(&version.title),
                body = version.body,
            ),
        )
            .into_response(),
    })
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn not_found() -> AppError {
    AppError::not_found(ErrorCode::NotFound, "no such resource")
}

async fn method_not_allowed() -> AppError {
    AppError::client(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this method is not allowed on this resource",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_policy_names_each_inline_script_by_hash() {
        let html = "<script defer src=/widget/a.js></script><script type=module>start()</script>\
                    <p>text</p><script>second()</script>";
        assert_eq!(inline_scripts(html), ["start()", "second()"]);
        let policy = frame_policy(html);
        // printf 'start()' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains("'sha256-DIm7WJS6ZKDYe5qFLPy+h4JFI9Bol5QmYC57mt3Fb00='"),
            "{policy}"
        );
        assert_eq!(policy.matches("'sha256-").count(), 2);
        assert!(policy.starts_with("default-src 'none'; script-src 'self' 'sha256-"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert_eq!(inline_scripts("<script>never closed"), Vec::<&str>::new());
        assert_eq!(inline_scripts(""), Vec::<&str>::new());
    }
}

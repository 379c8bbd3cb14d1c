//! What the load examples (`consent_load`, `message_load`, `socket_load`) share: the
//! server they start, with or without the rate limits, the client addresses they send
//! from, a visitor socket's `hello`, and the latency summary they print.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::time::Duration;

use canal_server::ledger::Filter;
use canal_server::limits::Limits;
use canal_server::{demo, spawn_loopback, Options, Running, Store};

/// The `X-Forwarded-For` header the server reads the client address from.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// `--limits on|off`: clap reads `on`/`off` (and yes/no, true/false) as a bool.
pub fn on_off() -> clap::builder::BoolishValueParser {
    clap::builder::BoolishValueParser::new()
}

/// The client address of request (or visitor) `n`: `10.0.0.1` onwards, one per `n`
/// below 2^24 - 1 (the `10.0.0.0/8` block), so no address goes over its bucket.
pub fn client_addr(n: u64) -> Ipv4Addr {
    let n = u32::try_from(n % 0xFF_FFFF).unwrap_or(0) + 1;
    Ipv4Addr::from(0x0A00_0000 | n)
}

/// The real server on 127.0.0.1:0 over a fresh SQLite file in `dir`, or over the empty
/// database `database_url` names; the demo channel seeded.
pub struct Server {
    pub store: Store,
    pub running: Running,
    /// `SQLite` or `PostgreSQL`.
    pub engine: &'static str,
}

pub async fn start(dir: &std::path::Path, database_url: Option<&str>, limits: bool) -> Server {
    let url = database_url
        .map(str::to_owned)
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = Store::open(&url).await.expect("open store");
    let engine = store.engine().as_str();
    demo::seed(&store).await.expect("seed");
    let (limits, trusted_proxies) = if limits {
        (
            Limits::default(),
            canal_server::net::parse_list("127.0.0.1").expect("proxy list"),
        )
    } else {
        // Every request comes from 127.0.0.1: limits would refuse most.
        (Limits::off(), Vec::new())
    };
    let running = spawn_loopback(
        store.clone(),
        Options {
            admin_token_sha256: canal_server::admin::token_hash("bench-admin-token"),
            limits,
            trusted_proxies,
            ..Options::default()
        },
    )
    .await
    .expect("start the server");
    Server {
        store,
        running,
        engine,
    }
}

impl Server {
    /// An HTTP client keeping up to `idle` connections to the server, and the demo
    /// channel's agreement version (what a consent names).
    pub async fn client(&self, idle: usize) -> (reqwest::Client, String) {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(idle)
            .build()
            .expect("client");
        let config: serde_json::Value = http
            .get(format!(
                "http://{}/api/v1/channels/demo/config",
                self.running.addr
            ))
            .send()
            .await
            .expect("config")
            .json()
            .await
            .expect("config json");
        let version = config["consent"]["version_id"]
            .as_str()
            .expect("version")
            .to_owned();
        (http, version)
    }
}

/// Latencies, sorted, with their percentiles.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut all: Vec<Duration>) -> Self {
        all.sort();
        Self(all)
    }

    /// The nearest-rank percentile `p` (0 when there is none).
    pub fn percentile(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn max(&self) -> Duration {
        self.0.last().copied().unwrap_or_default()
    }

    /// `p50 1.23 ms, p90 ..., p99 ..., max ...`.
    pub fn summary(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(self.percentile(50.0)),
            ms(self.percentile(90.0)),
            ms(self.percentile(99.0)),
            ms(self.max()),
        )
    }
}

/// Checks that each of the `expected` records stored has its request's own forwarded
/// address (`bench-N` from [`client_addr`]`(N)`): the server took the address from
/// `X-Forwarded-For`, as the limiter keys its buckets. Returns how many do not.
pub async fn check_addresses(store: &Store, expected: u64) -> u64 {
    let records = store
        .consents(&Filter::default(), i64::MAX)
        .await
        .expect("read the records");
    let by_request: HashMap<String, Option<String>> = records
        .into_iter()
        .filter_map(|l| Some((l.record.request_id?, l.record.ip)))
        .collect();
    let mut wrong = 0;
    let mut checked = 0;
    for (request_id, ip) in &by_request {
        let Some(n) = request_id
            .strip_prefix("bench-")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        checked += 1;
        if ip.as_deref() != Some(client_addr(n).to_string().as_str()) {
            wrong += 1;
        }
    }
    println!(
        "forwarded addresses: {checked} records, {} with their request's own address ({} distinct), {wrong} not{}",
        checked - wrong,
        by_request
            .values()
            .flatten()
            .collect::<HashSet<_>>()
            .len(),
        if checked == expected {
            String::new()
        } else {
            format!(" (expected {expected} records)")
        }
    );
    wrong + expected.abs_diff(checked)
}

/// A visitor's socket, as the load clients open it.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A frame as the JSON text the server reads.
pub fn json_text(frame: &impl serde::Serialize) -> tokio_tungstenite::tungstenite::Message {
    tokio_tungstenite::tungstenite::Message::Text(
        serde_json::to_string(frame).expect("frame JSON").into(),
    )
}

/// Says `hello` for the conversation on a visitor socket and waits up to `within`
/// for its `welcome`; `Err` says why none came.
pub async fn hello(
    ws: &mut Ws,
    conversation_id: &str,
    visitor_token: &str,
    within: Duration,
) -> Result<(), String> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let hello = canal_protocol::ClientFrame::Hello {
        conversation_id: conversation_id.to_owned(),
        visitor_token: visitor_token.to_owned(),
        last_seq: 0,
        page_url: None,
    };
    ws.send(json_text(&hello))
        .await
        .map_err(|e| format!("hello not sent: {e}"))?;
    let welcome = tokio::time::timeout(within, async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message {
                match serde_json::from_str::<canal_protocol::ServerFrame>(&text) {
                    Ok(canal_protocol::ServerFrame::Welcome { .. }) => return Ok(()),
                    Ok(canal_protocol::ServerFrame::Error { message, .. }) => {
                        return Err(format!("hello refused: {message}"))
                    }
                    _ => {}
                }
            }
        }
        Err("the socket closed".to_owned())
    })
    .await;
    welcome.unwrap_or_else(|_| Err(format!("no welcome within {} s", within.as_secs())))
}

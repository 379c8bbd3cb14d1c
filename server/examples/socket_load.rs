//! Socket benchmark client, run by `cargo xtask bench sockets` (release build) against a
//! running server: Canal (`--target canal`) or the bare echo (`--target echo`, see
//! `bare_echo.rs`), each its own process so that its memory is its own.
//!
//! 1. Canal: sets up `--sockets` visitors through the HTTP API (consent, conversation);
//!    the echo needs none.
//! 2. Reads the server's resident memory (`VmRSS` in `/proc/PID/status`), opens the
//!    visitor sockets (`hello` until `welcome`, each timed: the connect time), reads it
//!    again: the difference over the sockets is the memory of an idle visitor socket.
//!    Canal: then signs in as the demo agent and opens `--agents` console sockets
//!    (until each has its whole inbox) and [`MEASURED_CONSOLES`] idle ones (together
//!    they grow the allocator's heaps, once), then [`MEASURED_CONSOLES`] more,
//!    measured the same way for an idle agent socket, and closes the idle ones: the
//!    `--agents` first ones work in the load. Each memory read waits for the memory
//!    to settle.
//! 3. Canal: console `i` opens and takes visitor `i`'s conversation.
//! 4. Open loop for `--seconds`: visitors send `--rate` messages per second in all, in
//!    turn over the sockets, each timed from when it was due until its `ack`; Canal's
//!    consoles reply at a tenth of that rate in all, each timed until its `ack` and
//!    until the visitor's socket has it (delivery); the visitors' messages on the
//!    consoles' conversations are timed until the console has them (delivery).
//! 5. Waits (30 s at most) for every ack and delivery; what is missing is lost.
//!
//! A message's client id carries when it was due (`v<k>_<µs since the start>`), so the
//! socket that receives it can time the delivery without asking anyone. Prints a
//! report and, for xtask, lines `BENCH <name> <value>`.

// Only its `Latencies` and socket helpers: the rest starts a server in process,
// which this load must not.
#[allow(dead_code)]
mod load;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use canal_protocol::agent::{AgentClientFrame, AgentServerFrame};
use canal_protocol::{Author, ClientFrame, ConsentCreated, ConversationCreated, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use load::{Latencies, Ws};
use serde_json::json;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Target {
    Canal,
    Echo,
}

/// The socket load (see the module comment).
#[derive(clap::Parser)]
#[command(name = "socket_load")]
struct Args {
    /// What serves at `--addr`.
    #[arg(long, value_enum)]
    target: Target,
    /// The server's address.
    #[arg(long)]
    addr: std::net::SocketAddr,
    /// The server's process id (its memory is read from /proc).
    #[arg(long)]
    pid: u32,
    /// Visitor sockets.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    sockets: u64,
    /// Visitor messages per second, over all the sockets.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    rate: u64,
    /// Seconds of the open loop.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// Console sockets (Canal only; at most `--sockets`).
    #[arg(long, default_value_t = 8)]
    agents: u64,
    /// The demo agent's e-mail (Canal only).
    #[arg(long, default_value = canal_server::demo::AGENT_EMAIL)]
    agent_email: String,
    /// The demo agent's password, as `canal serve --demo` printed it (Canal only).
    #[arg(long, default_value = "")]
    agent_password: String,
}

/// How long the last acks and deliveries may take before what is missing counts as
/// lost.
const DRAIN: Duration = Duration::from_secs(30);

/// How many sockets are being opened at once.
const OPENING: usize = 64;

/// Idle console sockets measured together: enough that the memory's page-sized
/// steps and the allocator's moods are noise next to their sum (with 8, one
/// arena trimmed or grown swung the figure from 0 to 44 KB a socket).
const MEASURED_CONSOLES: u64 = 100;

/// What every socket task adds to.
#[derive(Default)]
struct Stats {
    /// Visitor messages: due to `ack`.
    acks: Mutex<Vec<Duration>>,
    /// Console replies: due to `ack`.
    replies: Mutex<Vec<Duration>>,
    /// Due to arrival on the other side (reply to visitor, message to console).
    deliveries: Mutex<Vec<Duration>>,
    /// Deliveries owed: a visitor message acknowledged on a conversation a console
    /// shows, or a reply acknowledged.
    owed: AtomicU64,
    delivered: AtomicU64,
    /// The first `error` frame any socket got.
    error: Mutex<Option<String>>,
}

impl Stats {
    fn push(series: &Mutex<Vec<Duration>>, latency: Duration) {
        series
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(latency);
    }

    fn count(series: &Mutex<Vec<Duration>>) -> u64 {
        series.lock().unwrap_or_else(|p| p.into_inner()).len() as u64
    }

    fn take(series: &Mutex<Vec<Duration>>) -> Latencies {
        Latencies::new(std::mem::take(
            &mut *series.lock().unwrap_or_else(|p| p.into_inner()),
        ))
    }

    fn error(&self, error: String) {
        self.error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(error);
    }
}

/// A message's client id: its kind (`v` visitor, `a` agent), number and when it was
/// due, in µs after `start`.
fn client_id(kind: char, k: u64, due_us: u64) -> String {
    format!("{kind}{k}_{due_us}")
}

/// How long ago a message with this client id was due (`None`: not one of ours).
fn since_due(client_id: &str, start: Instant) -> Option<Duration> {
    let (_, us) = client_id.split_once('_')?;
    let due = start + Duration::from_micros(us.parse().ok()?);
    Some(due.elapsed())
}

/// A visitor's conversation and token (the echo takes any).
struct Visitor {
    conversation_id: String,
    visitor_token: String,
}

#[tokio::main]
async fn main() {
    let args: Args = clap::Parser::parse();
    let name = match args.target {
        Target::Canal => "Canal",
        Target::Echo => "bare echo",
    };
    let agents = if args.target == Target::Canal {
        args.agents.min(args.sockets)
    } else {
        0
    };

    // 1. The visitors.
    let visitors: Vec<Visitor> = match args.target {
        Target::Canal => {
            eprintln!(
                "socket bench ({name}): setting up {} visitors (consent, conversation)...",
                args.sockets
            );
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(OPENING)
                .build()
                .expect("client");
            let version = agreement_version(&http, args.addr).await;
            futures_util::stream::iter(0..args.sockets)
                .map(|n| visitor(&http, args.addr, &version, n))
                .buffered(OPENING)
                .collect()
                .await
        }
        Target::Echo => (0..args.sockets)
            .map(|n| Visitor {
                conversation_id: format!("c{n}"),
                visitor_token: "t".to_owned(),
            })
            .collect(),
    };

    // 2. The idle sockets and what they cost.
    let before = settled_rss(args.pid).await;
    let opened = Instant::now();
    let sockets: Vec<(Ws, Duration)> = futures_util::stream::iter(&visitors)
        .map(|v| open_visitor(args.addr, v))
        .buffered(OPENING)
        .collect()
        .await;
    let took = opened.elapsed();
    let after = settled_rss(args.pid).await;
    let per_visitor = after.saturating_sub(before) / args.sockets;
    let (sockets, connects): (Vec<Ws>, Vec<Duration>) = sockets.into_iter().unzip();
    let connects = Latencies::new(connects);
    println!(
        "{name}: {} visitor sockets open in {:.1} s; server memory {} -> {} KiB: {} B per \
         idle visitor socket; connect (to welcome) {}",
        args.sockets,
        took.as_secs_f64(),
        before / 1024,
        after / 1024,
        per_visitor,
        connects.summary()
    );
    let mut consoles = Vec::new();
    let mut per_agent = 0;
    if agents > 0 {
        let cookie = sign_in(&args).await;
        // The first consoles grow the server allocator's heaps: each builds its
        // inbox (every conversation) and frees it, and the allocator keeps some of
        // the freed memory for the next. Paid once per process, not per socket:
        // they stay open while as many more are measured, then close. Each read
        // waits for the memory to settle (see `settled_rss`).
        let first = settled_rss(args.pid).await;
        for _ in 0..agents {
            consoles.push(open_console(args.addr, &cookie).await);
        }
        let mut warm = Vec::new();
        for _ in 0..MEASURED_CONSOLES {
            warm.push(open_console(args.addr, &cookie).await);
        }
        let before = settled_rss(args.pid).await;
        let mut measured = Vec::new();
        for _ in 0..MEASURED_CONSOLES {
            measured.push(open_console(args.addr, &cookie).await);
        }
        let after = settled_rss(args.pid).await;
        drop(measured);
        drop(warm);
        per_agent = after.saturating_sub(before) / MEASURED_CONSOLES;
        println!(
            "{name}: {} console sockets open first (the allocator's heaps grow): server \
             memory {} -> {} KiB; {MEASURED_CONSOLES} more: {} -> {} KiB: {per_agent} B per \
             idle console socket",
            agents + MEASURED_CONSOLES,
            first / 1024,
            before / 1024,
            before / 1024,
            after / 1024,
        );
        // 3. Console i shows and holds visitor i's conversation.
        for (console, visitor) in consoles.iter_mut().zip(&visitors) {
            show_and_take(console, &visitor.conversation_id).await;
        }
    }

    // 4. Open loop.
    let stats = Arc::new(Stats::default());
    let (stop, stopped) = watch::channel(false);
    let start = Instant::now();
    let shown = agents as usize;
    let mut to_visitors = Vec::with_capacity(sockets.len());
    let mut tasks = Vec::with_capacity(sockets.len() + consoles.len());
    for (i, ws) in sockets.into_iter().enumerate() {
        let (tx, rx) = mpsc::unbounded_channel();
        to_visitors.push(tx);
        tasks.push(tokio::spawn(drive_visitor(
            ws,
            rx,
            stats.clone(),
            stopped.clone(),
            start,
            i < shown,
        )));
    }
    let mut to_consoles = Vec::with_capacity(consoles.len());
    for (console, visitor) in consoles.into_iter().zip(&visitors) {
        let (tx, rx) = mpsc::unbounded_channel();
        to_consoles.push(tx);
        tasks.push(tokio::spawn(drive_console(
            console,
            visitor.conversation_id.clone(),
            rx,
            stats.clone(),
            stopped.clone(),
            start,
        )));
    }
    eprintln!(
        "socket bench ({name}): open loop, {} visitor messages/s{} for {} s...",
        args.rate,
        if agents > 0 {
            format!(" and {} console replies/s", reply_rate(args.rate))
        } else {
            String::new()
        },
        args.seconds
    );
    let sent = open_loop(&args, start, &to_visitors, &to_consoles).await;
    drop(to_visitors);
    drop(to_consoles);

    // 5. Every ack and delivery, or the deadline.
    let deadline = Instant::now() + DRAIN;
    let mut ticks = tokio::time::interval(Duration::from_millis(20));
    loop {
        ticks.tick().await;
        let acked = Stats::count(&stats.acks) + Stats::count(&stats.replies);
        let complete = acked == sent.0 + sent.1
            && stats.delivered.load(Ordering::Relaxed) >= stats.owed.load(Ordering::Relaxed);
        if complete || Instant::now() >= deadline {
            break;
        }
    }
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    let (acked, replied, delivered) = (
        Stats::count(&stats.acks),
        Stats::count(&stats.replies),
        Stats::count(&stats.deliveries),
    );
    let acks = Stats::take(&stats.acks);
    let replies = Stats::take(&stats.replies);
    let deliveries = Stats::take(&stats.deliveries);
    let unacked = (sent.0 - acked) + (sent.1 - replied);
    let undelivered = stats
        .owed
        .load(Ordering::Relaxed)
        .saturating_sub(stats.delivered.load(Ordering::Relaxed));
    let lost = unacked + undelivered;
    let error = stats.error.lock().unwrap_or_else(|p| p.into_inner()).take();
    println!(
        "{name}: {} visitor messages, send to ack {}",
        sent.0,
        acks.summary()
    );
    if agents > 0 {
        println!(
            "{name}: {} console replies, send to ack {}",
            sent.1,
            replies.summary()
        );
        println!(
            "{name}: {} deliveries (reply to visitor, message to console), send to arrival {}",
            delivered,
            deliveries.summary()
        );
    }
    println!(
        "{name}: lost {lost} ({unacked} without ack, {undelivered} not delivered){}",
        error
            .map(|e| format!("; first error: {e}"))
            .unwrap_or_default()
    );
    let us = |d: Duration| d.as_micros();
    println!("BENCH rss_per_visitor_b {per_visitor}");
    println!("BENCH rss_per_console_b {per_agent}");
    for (prefix, series) in [
        ("connect", &connects),
        ("ack", &acks),
        ("reply", &replies),
        ("delivery", &deliveries),
    ] {
        println!("BENCH {prefix}_p50_us {}", us(series.percentile(50.0)));
        println!("BENCH {prefix}_p99_us {}", us(series.percentile(99.0)));
        println!("BENCH {prefix}_max_us {}", us(series.max()));
    }
    println!("BENCH lost {lost}");
    if lost > 0 {
        std::process::exit(1);
    }
}

/// Console replies per second, over all the consoles: a tenth of the visitors' rate.
fn reply_rate(rate: u64) -> u64 {
    (rate / 10).max(1)
}

/// Hands each message to its socket when it is due: visitor message `k` at `k / rate`
/// on socket `k mod sockets`, reply `j` at `j / reply rate` on console `j mod
/// consoles`. Returns how many of each were sent.
async fn open_loop(
    args: &Args,
    start: Instant,
    to_visitors: &[mpsc::UnboundedSender<String>],
    to_consoles: &[mpsc::UnboundedSender<String>],
) -> (u64, u64) {
    let visitor_total = args.rate * args.seconds;
    let replies = reply_rate(args.rate);
    let reply_total = if to_consoles.is_empty() {
        0
    } else {
        replies * args.seconds
    };
    let (mut k, mut j) = (0u64, 0u64);
    let (mut sent_visitor, mut sent_reply) = (0, 0);
    while k < visitor_total || j < reply_total {
        let visitor_due = (k < visitor_total).then(|| k * 1_000_000 / args.rate);
        let reply_due = (j < reply_total).then(|| j * 1_000_000 / replies);
        let visitor_first = match (visitor_due, reply_due) {
            (Some(v), Some(r)) => v <= r,
            (Some(_), None) => true,
            _ => false,
        };
        let due_us = if visitor_first {
            visitor_due
        } else {
            reply_due
        }
        .unwrap_or(0);
        tokio::time::sleep_until((start + Duration::from_micros(due_us)).into()).await;
        // A socket whose task ended (it was closed) loses the message: counted.
        if visitor_first {
            let socket = (k % to_visitors.len() as u64) as usize;
            let _ = to_visitors[socket].send(client_id('v', k, due_us));
            k += 1;
            sent_visitor += 1;
        } else {
            let console = (j % to_consoles.len() as u64) as usize;
            let _ = to_consoles[console].send(client_id('a', j, due_us));
            j += 1;
            sent_reply += 1;
        }
    }
    (sent_visitor, sent_reply)
}

/// The server's resident memory once it stops moving (two reads 250 ms apart within
/// 64 KiB, 5 s at most): an allocator that hands freed memory back to the system
/// does so a little after the free, and a read in between would count memory
/// already given up (or about to be).
async fn settled_rss(pid: u32) -> u64 {
    const STEADY: u64 = 64 * 1024;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut last = rss(pid);
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = rss(pid);
        if now.abs_diff(last) <= STEADY {
            return now;
        }
        last = now;
    }
    last
}

/// The server's resident memory in bytes (`VmRSS`).
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .unwrap_or_else(|| panic!("no VmRSS in /proc/{pid}/status"))
}

/// The client's own socket buffers: small, so that 10,000 sockets fit in the client.
fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
}

async fn agreement_version(http: &reqwest::Client, addr: std::net::SocketAddr) -> String {
    let config: serde_json::Value = http
        .get(format!("http://{addr}/api/v1/channels/demo/config"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("config json");
    config["consent"]["version_id"]
        .as_str()
        .expect("version")
        .to_owned()
}

/// Visitor `n` through the API as the widget goes: consent, then conversation.
async fn visitor(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    version: &str,
    n: u64,
) -> Visitor {
    let url = |path: &str| format!("http://{addr}/api/v1/channels/demo/{path}");
    let page = format!("https://shop.example/p/{n}");
    let response = http
        .post(url("consents"))
        .json(&json!({"agreement_version_id": version, "page_url": page,
                      "request_id": format!("sockets-{n}")}))
        .send()
        .await
        .expect("consent");
    assert_eq!(response.status(), 201, "consent of visitor {n}");
    let consent: ConsentCreated = response.json().await.expect("consent answer");
    let response = http
        .post(url("conversations"))
        .json(&json!({"visitor_token": consent.visitor_token,
                      "consent_id": consent.consent_id, "page_url": page}))
        .send()
        .await
        .expect("conversation");
    assert_eq!(response.status(), 201, "conversation of visitor {n}");
    let conversation: ConversationCreated = response.json().await.expect("conversation answer");
    Visitor {
        conversation_id: conversation.conversation_id,
        visitor_token: conversation.visitor_token,
    }
}

/// Opens a visitor socket and joins its conversation: the socket, and how long from
/// the connect to `welcome`.
async fn open_visitor(addr: std::net::SocketAddr, visitor: &Visitor) -> (Ws, Duration) {
    let started = Instant::now();
    let request = format!("ws://{addr}/api/v1/ws")
        .into_client_request()
        .expect("socket request");
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(client_config()), true)
            .await
            .expect("socket");
    let within = Duration::from_secs(30);
    let said = load::hello(
        &mut ws,
        &visitor.conversation_id,
        &visitor.visitor_token,
        within,
    );
    match said.await {
        Ok(()) => (ws, started.elapsed()),
        Err(e) => panic!("{e}"),
    }
}

/// Signs in as the demo agent: the session cookie.
async fn sign_in(args: &Args) -> String {
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/v1/agent/login", args.addr))
        .json(&json!({"email": args.agent_email, "password": args.agent_password}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 200, "sign-in of the demo agent");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie");
    cookie.to_owned()
}

/// Opens a console socket, until it has its whole inbox.
async fn open_console(addr: std::net::SocketAddr, cookie: &str) -> Ws {
    let mut request = format!("ws://{addr}/api/v1/agent/ws")
        .into_client_request()
        .expect("socket request");
    request
        .headers_mut()
        .insert("cookie", cookie.parse().expect("cookie header"));
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(client_config()), true)
            .await
            .expect("console socket");
    // A console reads its whole inbox: the welcome's piece, then `more` in `inbox`
    // frames. Until it has, the rest waits on the server's side of the socket.
    let owed = std::cell::Cell::new(None::<u64>);
    wait_console(&mut ws, |f| {
        let left = match (f, owed.get()) {
            (AgentServerFrame::Welcome { more, .. }, None) => u64::from(*more),
            (AgentServerFrame::Inbox { inbox }, Some(left)) => {
                left.saturating_sub(inbox.len() as u64)
            }
            _ => return false,
        };
        owed.set(Some(left));
        left == 0
    })
    .await;
    ws
}

/// Reads the console socket until a frame `wanted` accepts (30 s at most).
async fn wait_console(ws: &mut Ws, wanted: impl Fn(&AgentServerFrame) -> bool) {
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Text(text) = message {
                match serde_json::from_str::<AgentServerFrame>(&text) {
                    Ok(frame) if wanted(&frame) => return Ok(()),
                    Ok(AgentServerFrame::Error { message, .. }) => return Err(message),
                    _ => {}
                }
            }
        }
        Err("the socket closed".to_owned())
    })
    .await;
    match found {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("console socket: {e}"),
        Err(_) => panic!("console socket: no answer within 30 s"),
    }
}

/// The console shows the conversation, then holds it (so it may reply).
async fn show_and_take(ws: &mut Ws, conversation_id: &str) {
    let open = AgentClientFrame::Open {
        conversation_id: conversation_id.to_owned(),
    };
    ws.send(load::json_text(&open)).await.expect("open");
    wait_console(ws, |f| matches!(f, AgentServerFrame::Conversation { .. })).await;
    let take = AgentClientFrame::Take {
        conversation_id: conversation_id.to_owned(),
    };
    ws.send(load::json_text(&take)).await.expect("take");
}

/// A visitor socket: sends each client id `rx` hands over and times its `ack`; times
/// the replies it receives. `shown`: a console shows this conversation, so each
/// acknowledged message is owed to it. Ends when `stopped`.
async fn drive_visitor(
    mut ws: Ws,
    mut rx: mpsc::UnboundedReceiver<String>,
    stats: Arc<Stats>,
    mut stopped: watch::Receiver<bool>,
    start: Instant,
    shown: bool,
) {
    let mut open = true;
    loop {
        tokio::select! {
            job = rx.recv(), if open => match job {
                Some(client_id) => {
                    let frame = ClientFrame::Send {
                        text: format!("Message {client_id}: is it in stock?"),
                        client_id,
                    };
                    if ws.send(load::json_text(&frame)).await.is_err() {
                        break;
                    }
                }
                None => open = false,
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerFrame>(&text) {
                    Ok(ServerFrame::Ack { client_id, .. }) => {
                        if let Some(latency) = since_due(&client_id, start) {
                            Stats::push(&stats.acks, latency);
                            if shown {
                                stats.owed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    Ok(ServerFrame::Message(message)) if message.author == Author::Agent => {
                        if let Some(latency) =
                            message.client_id.as_deref().and_then(|c| since_due(c, start))
                        {
                            Stats::push(&stats.deliveries, latency);
                            stats.delivered.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(ServerFrame::Error { code, message }) => {
                        stats.error(format!("visitor socket: {code:?}: {message}"));
                    }
                    _ => {}
                },
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            _ = stopped.changed() => break,
        }
    }
    let _ = ws.close(None).await;
}

/// A console socket holding `conversation_id`: replies with each client id `rx` hands
/// over and times its `ack`; times the visitor's messages it receives. Each
/// acknowledged reply is owed to the visitor. Ends when `stopped`.
async fn drive_console(
    mut ws: Ws,
    conversation_id: String,
    mut rx: mpsc::UnboundedReceiver<String>,
    stats: Arc<Stats>,
    mut stopped: watch::Receiver<bool>,
    start: Instant,
) {
    let mut open = true;
    loop {
        tokio::select! {
            job = rx.recv(), if open => match job {
                Some(client_id) => {
                    let frame = AgentClientFrame::Reply {
                        conversation_id: conversation_id.clone(),
                        text: format!("Reply {client_id}: yes, it is."),
                        client_id,
                    };
                    if ws.send(load::json_text(&frame)).await.is_err() {
                        break;
                    }
                }
                None => open = false,
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    match serde_json::from_str::<AgentServerFrame>(&text) {
                        Ok(AgentServerFrame::Ack { client_id, .. }) => {
                            if let Some(latency) = since_due(&client_id, start) {
                                Stats::push(&stats.replies, latency);
                                stats.owed.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(AgentServerFrame::Message { message, .. })
                            if message.author == Author::Visitor =>
                        {
                            if let Some(latency) =
                                message.client_id.as_deref().and_then(|c| since_due(c, start))
                            {
                                Stats::push(&stats.deliveries, latency);
                                stats.delivered.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok(AgentServerFrame::Error { code, message, .. }) => {
                            stats.error(format!("console socket: {code:?}: {message}"));
                        }
                        _ => {}
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            _ = stopped.changed() => break,
        }
    }
    let _ = ws.close(None).await;
}

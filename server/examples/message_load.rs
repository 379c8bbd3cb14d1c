//! Message-path benchmark, run by `cargo xtask bench limits` (release build).
//!
//! Starts the real server on 127.0.0.1:0 with a fresh SQLite file, or on the empty
//! PostgreSQL database `--database-url` names, with no rate limit (`--limits off`, the
//! default) or with the default limits (`--limits on`: the server trusts 127.0.0.1 as a
//! proxy and each visitor comes from its own address in `X-Forwarded-For`). Then:
//! 1. sets up `--sockets` visitors through the HTTP API as the widget does (consent,
//!    conversation, then a socket and its `hello`);
//! 2. open loop: `--rate` messages per second in all for `--seconds`, in turn over the
//!    sockets (400 sockets at 1,000/s is 2.5/s each, under the default socket bucket
//!    of 30/10s), each timed from the moment it was due until its `ack`.
//!
//! Then checks that every acknowledged message is stored, and (limits on) that each
//! visitor's consent record took its own forwarded address. Prints a report and, for
//! xtask, lines `BENCH <name> <value>`.

mod load;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use canal_protocol::{ClientFrame, ConsentCreated, ConversationCreated, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use load::{client_addr, Latencies, FORWARDED_FOR};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The message load (see the module comment).
#[derive(clap::Parser)]
#[command(name = "message_load")]
struct Args {
    /// Visitor sockets.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(1..))]
    sockets: u64,
    /// Messages per second, over all the sockets.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    rate: u64,
    /// Seconds of the open loop.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// A PostgreSQL database (empty) instead of a fresh SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// `on`: the default rate limits, each client from its own forwarded address.
    #[arg(long, value_parser = load::on_off(), action = clap::ArgAction::Set, default_value = "off")]
    limits: bool,
}

fn args() -> Args {
    clap::Parser::parse()
}

/// How long the last messages may take to be acknowledged before they count as lost.
const DRAIN: Duration = Duration::from_secs(30);

/// A visitor with its socket open and joined to its conversation.
struct Visitor {
    conversation_id: String,
    ws: Ws,
}

/// What one socket saw: the latency of each acknowledged message (those without one
/// were refused, or their socket closed).
#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    /// The first `error` frame, if any.
    error: Option<String>,
}

#[tokio::main]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = load::start(dir.path(), args.database_url.as_deref(), args.limits).await;
    let (store, engine, addr) = (server.store.clone(), server.engine, server.running.addr);
    let limits = if args.limits {
        "default limits, an address per visitor"
    } else {
        "no limits"
    };
    let (http, version) = server.client(64).await;

    // 1. The visitors, a few at a time.
    eprintln!(
        "message bench ({engine}, {limits}): setting up {} visitors (consent, conversation, \
         socket)...",
        args.sockets
    );
    let setup = Instant::now();
    let visitors: Vec<Visitor> = futures_util::stream::iter(0..args.sockets)
        .map(|n| visitor(&http, addr, &version, n, args.limits))
        .buffered(16)
        .collect()
        .await;
    eprintln!(
        "message bench: {} sockets joined in {:.1} s; open loop, {} messages/s for {} s...",
        visitors.len(),
        setup.elapsed().as_secs_f64(),
        args.rate,
        args.seconds
    );

    // 2. Open loop: message `k` is due at k / rate, on socket k mod sockets.
    let total = args.rate * args.seconds;
    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.seconds) + DRAIN;
    let mut senders = Vec::with_capacity(visitors.len());
    let mut sockets = Vec::with_capacity(visitors.len());
    let mut conversations = Vec::with_capacity(visitors.len());
    for v in visitors {
        let (tx, rx) = mpsc::unbounded_channel();
        senders.push(tx);
        conversations.push(v.conversation_id);
        sockets.push(tokio::spawn(drive(v.ws, rx, deadline)));
    }
    for k in 0..total {
        let due = start + Duration::from_nanos(k * 1_000_000_000 / args.rate);
        tokio::time::sleep_until(due.into()).await;
        let socket = (k % args.sockets) as usize;
        // A socket whose task ended (it was closed) loses the message: counted below.
        let _ = senders[socket].send((format!("m{k}"), due));
    }
    drop(senders);
    let mut latencies = Vec::with_capacity(total as usize);
    let mut first_error = None;
    for socket in sockets {
        let outcome = socket.await.expect("join");
        latencies.extend(outcome.latencies);
        first_error = first_error.or(outcome.error);
    }
    let took = start.elapsed();
    let acked = latencies.len() as u64;
    let errors = total - acked;
    let latencies = Latencies::new(latencies);
    let (p50, p99) = (latencies.percentile(50.0), latencies.percentile(99.0));
    println!(
        "open loop: {total} messages over {} sockets in {:.1} s ({:.0}/s), {errors} without ack{}; \
         send to ack {}",
        args.sockets,
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        first_error
            .map(|e| format!(" (first error: {e})"))
            .unwrap_or_default(),
        latencies.summary(),
    );

    // Every ack is a stored message.
    let mut stored = 0u64;
    for conversation in &conversations {
        let messages = store
            .messages_after(conversation, 0)
            .await
            .expect("read the messages");
        stored += messages.iter().filter(|m| m.author == "visitor").count() as u64;
    }
    println!("stored: {stored} visitor messages");
    let mut wrong_addresses = 0;
    if args.limits {
        wrong_addresses = load::check_addresses(&store, args.sockets).await;
    }
    println!("BENCH message_p50_us {}", p50.as_micros());
    println!("BENCH message_p99_us {}", p99.as_micros());
    println!("BENCH message_errors {errors}");
    if errors > 0 || stored != acked || wrong_addresses > 0 {
        std::process::exit(1);
    }
}

/// Visitor `n` through the API as the widget goes: consent, conversation, socket,
/// `hello`, `welcome`; from its own address (`X-Forwarded-For`) when `limits`.
async fn visitor(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    version: &str,
    n: u64,
    limits: bool,
) -> Visitor {
    let from = client_addr(n).to_string();
    let post = |path: &str, body: Value| {
        let post = http
            .post(format!("http://{addr}/api/v1/channels/demo/{path}"))
            .json(&body);
        if limits {
            post.header(FORWARDED_FOR, from.as_str())
        } else {
            post
        }
    };
    let page = format!("https://shop.example/p/{n}");
    let response = post(
        "consents",
        json!({"agreement_version_id": version, "page_url": page,
               "request_id": format!("bench-{n}")}),
    )
    .send()
    .await
    .expect("consent");
    assert_eq!(response.status(), 201, "consent of visitor {n}");
    let consent: ConsentCreated = response.json().await.expect("consent answer");
    let response = post(
        "conversations",
        json!({"visitor_token": consent.visitor_token, "consent_id": consent.consent_id,
               "page_url": page}),
    )
    .send()
    .await
    .expect("conversation");
    assert_eq!(response.status(), 201, "conversation of visitor {n}");
    let conversation: ConversationCreated = response.json().await.expect("conversation answer");

    let mut request = format!("ws://{addr}/api/v1/ws")
        .into_client_request()
        .expect("socket request");
    if limits {
        request
            .headers_mut()
            .insert(FORWARDED_FOR, from.parse().expect("header value"));
    }
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("socket");
    let within = Duration::from_secs(10);
    let said = load::hello(
        &mut ws,
        &conversation.conversation_id,
        &conversation.visitor_token,
        within,
    );
    if let Err(e) = said.await {
        panic!("visitor {n}: {e}");
    }
    Visitor {
        conversation_id: conversation.conversation_id,
        ws,
    }
}

/// Sends each message `rx` hands over as it comes and times it until its `ack`; ends
/// when `rx` is closed and every message is answered, or at `deadline`.
async fn drive(
    mut ws: Ws,
    mut rx: mpsc::UnboundedReceiver<(String, Instant)>,
    deadline: Instant,
) -> Outcome {
    let mut pending: HashMap<String, Instant> = HashMap::new();
    let mut outcome = Outcome::default();
    let mut open = true;
    while open || !pending.is_empty() {
        tokio::select! {
            job = rx.recv(), if open => match job {
                Some((client_id, due)) => {
                    let frame = ClientFrame::Send {
                        client_id: client_id.clone(),
                        text: format!("Message {client_id}: is it in stock?"),
                    };
                    pending.insert(client_id, due);
                    if ws.send(load::json_text(&frame)).await.is_err() {
                        break;
                    }
                }
                None => open = false,
            },
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerFrame>(&text) {
                    Ok(ServerFrame::Ack { client_id, .. }) => {
                        if let Some(due) = pending.remove(&client_id) {
                            outcome.latencies.push(due.elapsed());
                        }
                    }
                    Ok(ServerFrame::Error { code, message }) => {
                        outcome.error.get_or_insert(format!("{code:?}: {message}"));
                    }
                    _ => {}
                },
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            () = tokio::time::sleep_until(deadline.into()) => break,
        }
    }
    let _ = ws.close(None).await;
    outcome
}

//! Conversation-list benchmark, run by `cargo xtask bench list` (release build).
//!
//! Starts the real server on 127.0.0.1:0 with a fresh SQLite file, or on the empty
//! PostgreSQL database `--database-url` names, seeds `--conversations` (100,000 by
//! default) conversations through the store (`Store::import_conversations`: four
//! channels, four messages each, half the visitors named with an e-mail, some
//! rated, labelled, unanswered or closed, spread over 90 days, each answered twice
//! within 10 minutes), waits for the server's figures task to store every
//! conversation's figures, then times the list's requests over HTTP as the console
//! sends them: the first page, searches, filters, the first page sorted by a
//! figure, as an admin and as an agent who works in one channel of the four. Each
//! request runs 3 times to warm up, then `--rounds` times; the median is the figure.
//!
//! Prints a report and, for xtask, lines `BENCH <name> <value>` (µs).

#[allow(dead_code)] // the socket and consent helpers are the other loads'
mod load;

use std::time::{Duration, Instant};

use canal_server::store::channels::ImportedConversation;
use load::Latencies;
use serde_json::{json, Value};

/// The conversation-list load (see the module comment).
#[derive(clap::Parser)]
#[command(name = "list_load")]
struct Args {
    /// Conversations to seed.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    conversations: u64,
    /// Timed runs of each request.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    rounds: u64,
    /// A PostgreSQL database (empty) instead of a fresh SQLite file.
    #[arg(long)]
    database_url: Option<String>,
}

const ADMIN_TOKEN: &str = "bench-admin-token";
const PASSWORD: &str = "bench password 1";
/// Conversations written per transaction while seeding.
const BATCH: u64 = 1000;

/// Words the messages are made of.
const WORDS: &[&str] = &[
    "hello",
    "order",
    "delivery",
    "parcel",
    "price",
    "discount",
    "thanks",
    "please",
    "size",
    "colour",
    "return",
    "payment",
    "card",
    "invoice",
    "shipping",
    "tomorrow",
    "today",
    "week",
    "store",
    "address",
    "change",
    "cancel",
    "help",
    "question",
    "available",
    "stock",
    "model",
    "black",
    "white",
    "large",
    "small",
    "gift",
];

/// A small deterministic generator (xorshift), so every run seeds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn sentence(&mut self, words: u64) -> String {
        let n = usize::try_from(self.below(words) + 4).unwrap_or(4);
        let mut out: Vec<&str> = Vec::with_capacity(n);
        for _ in 0..n {
            let ix = usize::try_from(self.below(WORDS.len() as u64)).unwrap_or(0);
            out.push(WORDS[ix]);
        }
        out.join(" ")
    }
}

/// Conversation `n` of `total`: which of its traits the searches and filters find.
fn conversation(
    n: u64,
    total: u64,
    channels: &[String],
    (label, agent): (i64, i64),
    rng: &mut Rng,
) -> ImportedConversation {
    // Newest last, 90 days back to now, a whole second apart at most.
    let span = 90 * 86_400_000_i64;
    let back = span - span * i64::try_from(n).unwrap_or(0) / i64::try_from(total).unwrap_or(1);
    let at = time::OffsetDateTime::now_utc() - time::Duration::milliseconds(back);
    let stamp = |at: time::OffsetDateTime| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        )
    };
    let created_at = stamp(at);
    // The agent answers within 10 minutes, twice: varied figures to sort by.
    let first_wait = i64::try_from(5 + rng.below(600)).unwrap_or(5);
    let next_wait = i64::try_from(5 + rng.below(600)).unwrap_or(5);
    let message_times = [0, first_wait, first_wait + 60, first_wait + 60 + next_wait]
        .into_iter()
        .map(|secs| stamp(at + time::Duration::seconds(secs)))
        .collect();
    let mut first = rng.sentence(8);
    // About one conversation in a hundred says "warranty" (on every channel); each
    // has its own order code.
    if n % 97 == 7 {
        first.push_str(" warranty");
    }
    first.push_str(&format!(" code ZX{n:07}"));
    let messages = vec![
        ("visitor".to_owned(), first),
        ("agent".to_owned(), rng.sentence(12)),
        ("visitor".to_owned(), rng.sentence(8)),
        ("agent".to_owned(), rng.sentence(12)),
    ];
    let named = n.is_multiple_of(2);
    ImportedConversation {
        channel_id: channels[usize::try_from(n % channels.len() as u64).unwrap_or(0)].clone(),
        visitor_name: named.then(|| format!("Visitor Number{n}")),
        visitor_email: named.then(|| format!("visitor{n}@mail.example")),
        created_at,
        status: if n + 200 < total { "closed" } else { "open" }.to_owned(),
        agent_id: Some(agent),
        unanswered_since: (n % 50 == 3).then(|| "2026-01-01T00:00:00.000Z".to_owned()),
        rating: match n % 10 {
            1 => Some("like".to_owned()),
            2 => Some("dislike".to_owned()),
            _ => None,
        },
        messages,
        message_times,
        label_ids: if n % 101 == 11 {
            vec![label]
        } else {
            Vec::new()
        },
    }
}

#[tokio::main]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = load::start(dir.path(), args.database_url.as_deref(), false).await;
    let (store, engine, addr) = (server.store.clone(), server.engine, server.running.addr);
    let http = reqwest::Client::new();
    let base = format!("http://{addr}");
    let admin = |method: reqwest::Method, path: &str, body: Value| {
        http.request(method, format!("{base}/api/v1/admin{path}"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
    };

    let mut channels = vec![
        store
            .channel_by_key("demo")
            .await
            .expect("store")
            .expect("the demo channel")
            .id,
    ];
    for key in ["shop", "help", "sales"] {
        let answer = admin(
            reqwest::Method::POST,
            "/channels",
            json!({"key": key, "name": key}),
        )
        .send()
        .await
        .expect("create a channel");
        assert_eq!(answer.status(), 201, "create channel {key}");
        channels.push(
            store
                .channel_by_key(key)
                .await
                .expect("store")
                .expect("the channel")
                .id,
        );
    }
    let label = store.create_label("vip").await.expect("label").id;
    // Who holds and answered the seeded conversations.
    let bob: Value = admin(
        reqwest::Method::POST,
        "/agents",
        json!({"email": "bob@bench.example", "name": "Bob", "password": PASSWORD, "role": "agent"}),
    )
    .send()
    .await
    .expect("create the holder")
    .json()
    .await
    .expect("agent json");
    let bob = bob["id"].as_i64().expect("agent id");

    let total = args.conversations;
    println!("{engine}: seeding {total} conversations (4 messages each) through the store");
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut n = 0;
    while n < total {
        let batch: Vec<ImportedConversation> = (n..(n + BATCH).min(total))
            .map(|i| conversation(i, total, &channels, (label, bob), &mut rng))
            .collect();
        store.import_conversations(&batch).await.expect("import");
        n += BATCH;
    }
    println!("  seeded in {:.1} s", started.elapsed().as_secs_f64());
    // The figures task recomputes every imported conversation (the import marks
    // them), 200 at a time, off the request path: wait until none is left.
    let started = Instant::now();
    loop {
        let stale = store.stale_figures().await.expect("stale figures").len();
        if stale == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "{stale} conversations still without figures after 30 minutes"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "  figures stored in {:.1} s (by the server's figures task)",
        started.elapsed().as_secs_f64()
    );

    // An agent in the demo channel's queue: they see one channel of the four.
    let answer: Value = admin(
        reqwest::Method::POST,
        "/agents",
        json!({"email": "ana@bench.example", "name": "Ana", "password": PASSWORD, "role": "agent"}),
    )
    .send()
    .await
    .expect("create the agent")
    .json()
    .await
    .expect("agent json");
    let ana = answer["id"].as_u64().expect("agent id");
    let answer = admin(
        reqwest::Method::PUT,
        "/channels/demo/routing",
        json!({"mode": "all", "pass_after_secs": 600, "check_online": true,
               "queue": [{"agent": ana}]}),
    )
    .send()
    .await
    .expect("routing");
    assert_eq!(answer.status(), 200, "routing");
    let login = http
        .post(format!("{base}/api/v1/agent/login"))
        .json(&json!({"email": "ana@bench.example", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200, "login");
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned();

    let target = total / 2;
    let cases: Vec<(&str, &str, String, bool)> = vec![
        (
            "list_first_page",
            "first page (50 newest)",
            String::new(),
            false,
        ),
        (
            "list_first_page_agent",
            "first page, an agent of one channel",
            String::new(),
            true,
        ),
        (
            "list_search_word",
            "search a word in 1% of them (\"warranty\")",
            "q=warranty".to_owned(),
            false,
        ),
        (
            "list_search_word_agent",
            "the same search, an agent of one channel",
            "q=warranty".to_owned(),
            true,
        ),
        (
            "list_search_code",
            "search a code in one of them",
            format!("q=ZX{target:07}"),
            false,
        ),
        (
            "list_search_email",
            "search a visitor's e-mail",
            format!("q=visitor{target}@mail"),
            false,
        ),
        (
            "list_search_common",
            "search a word in most of them (\"order\")",
            "q=order".to_owned(),
            false,
        ),
        (
            "list_sorted",
            "first page by a figure (longest max response)",
            "sort=-max_response".to_owned(),
            false,
        ),
        (
            "list_sorted_agent",
            "the same sort, an agent of one channel",
            "sort=-max_response".to_owned(),
            true,
        ),
        (
            "list_sorted_first",
            "first page by first response, quickest first",
            "sort=first_response".to_owned(),
            false,
        ),
        (
            "list_filters",
            "channel + closed + liked, first page",
            "channel=shop&status=closed&rating=like".to_owned(),
            false,
        ),
        (
            "list_unanswered",
            "unanswered, first page",
            "unanswered=true".to_owned(),
            false,
        ),
        (
            "list_label",
            "a label, first page",
            format!("label={label}"),
            false,
        ),
    ];
    println!(
        "  {:<44} {:>8} {:>10} {:>10}",
        "request", "found", "median", "max"
    );
    for (name, about, query, as_agent) in cases {
        // Agents read through the console's route, admins through their own (the
        // same service, without a scope).
        let send = || async {
            let request = if as_agent {
                http.get(format!(
                    "{base}/api/v1/agent/conversations?limit=50&{query}"
                ))
                .header("cookie", &cookie)
            } else {
                http.get(format!(
                    "{base}/api/v1/admin/conversations?limit=50&{query}"
                ))
                .bearer_auth(ADMIN_TOKEN)
            };
            let answer = request.send().await.expect("list");
            assert_eq!(answer.status(), 200, "{name}");
            let body: Value = answer.json().await.expect("list json");
            body["conversations"].as_array().map_or(0, Vec::len)
        };
        let mut found = 0;
        for _ in 0..3 {
            found = send().await;
        }
        let mut times = Vec::new();
        for _ in 0..args.rounds {
            let start = Instant::now();
            send().await;
            times.push(start.elapsed());
        }
        let times = Latencies::new(times);
        let median = times.percentile(50.0);
        println!(
            "  {about:<44} {found:>8} {:>7.1} ms {:>7.1} ms",
            ms(median),
            ms(times.max())
        );
        println!("BENCH {name}_us {}", median.as_micros());
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn args() -> Args {
    clap::Parser::parse()
}

//! Acknowledged means durable: the real `canal` binary is killed with SIGKILL while
//! consents are being written, over many rounds; every consent that got a 201 must
//! be in the database afterwards and the chain must verify.

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use canal_server::Store;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::Message;

const WRITERS: usize = 16;

/// The rate limits off: these tests write as fast as they can from one address.
const NO_LIMITS: [&str; 7] = [
    "--limit-consents=off",
    "--limit-conversations=off",
    "--limit-per-visitor=off",
    "--limit-config=off",
    "--limit-sockets=off",
    "--limit-socket-frames=off",
    "--limit-visitor-writes=off",
];

/// Starts `canal serve` on a free port, its rate limits off; returns it and its
/// address once it listens.
async fn start(database_url: &str) -> (Child, String) {
    start_with(database_url, &NO_LIMITS).await
}

/// [`start`] with more flags (e.g. `--admin-token`).
pub(crate) async fn start_with(database_url: &str, flags: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_canal"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--demo",
        ])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start canal");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(rest) = line.strip_prefix("Canal is listening on http://") {
                return rest.split_whitespace().next().map(str::to_owned);
            }
        }
        None
    })
    .await
    .expect("canal starts within 60 s")
    .expect("canal printed its address");
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

/// Kills the server once its clients have had `after` acknowledgements: they call
/// [`KillSwitch::acked`] after each; [`KillSwitch::kill`] waits for the count,
/// sends SIGKILL, reaps the server and waits for every client task to end.
#[derive(Clone)]
struct KillSwitch {
    after: usize,
    acks: Arc<AtomicUsize>,
    enough: Arc<Notify>,
}

impl KillSwitch {
    fn new(most: usize) -> Self {
        Self {
            after: rand::thread_rng().gen_range(1..=most),
            acks: Arc::new(AtomicUsize::new(0)),
            enough: Arc::new(Notify::new()),
        }
    }

    fn acked(&self) {
        if self.acks.fetch_add(1, Ordering::SeqCst) + 1 == self.after {
            self.enough.notify_one();
        }
    }

    async fn kill(&self, child: &mut Child, clients: Vec<tokio::task::JoinHandle<()>>) {
        tokio::time::timeout(Duration::from_secs(120), self.enough.notified())
            .await
            .expect("enough acknowledgements within 120 s");
        child.start_kill().expect("SIGKILL");
        child.wait().await.expect("reap");
        for client in clients {
            client.await.expect("client");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_consents_survive_sigkill() {
    let rounds: usize = std::env::var("CANAL_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::helpers::TestDb::new(dir.path()).await;
    let url = db.url.clone();
    let http = reqwest::Client::new();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut attempted = 0usize;
    for round in 0..rounds {
        let (mut child, addr) = start(&url).await;
        let config: Value = http
            .get(format!("http://{addr}/api/v1/channels/demo/config"))
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
        let switch = KillSwitch::new(200);
        let sent = Arc::new(AtomicUsize::new(0));
        let ids = Arc::new(Mutex::new(Vec::new()));
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (http, switch, sent, ids) =
                (http.clone(), switch.clone(), sent.clone(), ids.clone());
            let url = format!("http://{addr}/api/v1/channels/demo/consents");
            let version = version.clone();
            writers.push(tokio::spawn(async move {
                for n in 0.. {
                    let body = json!({"agreement_version_id": version,
                        "page_url": format!("https://shop.example/r{round}/w{w}/{n}"),
                        "request_id": format!("r{round}-w{w}-{n}")});
                    sent.fetch_add(1, Ordering::Relaxed);
                    let Ok(response) = http.post(&url).json(&body).send().await else {
                        return; // the server is gone
                    };
                    if response.status() != 201 {
                        return;
                    }
                    let Ok(created) = response.json::<Value>().await else {
                        return; // cut off mid-body: not acknowledged
                    };
                    let id = created["consent_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    ids.lock().unwrap_or_else(|p| p.into_inner()).push(id);
                    switch.acked();
                }
            }));
        }
        switch.kill(&mut child, writers).await;
        attempted += sent.load(Ordering::Relaxed);
        acknowledged.extend(ids.lock().unwrap_or_else(|p| p.into_inner()).drain(..));
    }

    let store = Store::open(&url).await.expect("reopen after the last kill");
    let stored: HashSet<String> = sqlx::query_scalar("SELECT id FROM consents")
        .fetch_all(db.pool())
        .await
        .expect("ids")
        .into_iter()
        .collect();
    let lost: Vec<_> = acknowledged
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    let verified = store.verify_ledger().await.expect("verify");
    assert_eq!(verified.broken, None);
    println!(
        "durability ({}): {rounds} SIGKILL rounds, {attempted} consent requests sent, {} acknowledged, \
         {} stored, 0 lost, chain of {} records intact",
        store.engine().as_str(),
        acknowledged.len(),
        stored.len(),
        verified.records
    );
}

/// The real server is killed with SIGKILL after it stored a visitor's message and
/// before the client read the ack. After a restart the message is there once: the
/// resumed socket replays it, and sending its client id again is acknowledged with
/// the same sequence number and stores nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_stored_but_not_acknowledged_before_a_sigkill_is_stored_once() {
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::helpers::TestDb::new(dir.path()).await;
    let url = db.url.clone();
    let (mut child, addr) = start(&url).await;
    let http = reqwest::Client::new();
    let (token, conversation_id) = open_conversation(&http, &addr).await;
    let mut socket = connect(&addr).await;
    socket.hello(&conversation_id, &token, 0).await;
    socket
        .send(json!({"type": "send", "client_id": "k1", "text": "Stored, not acknowledged"}))
        .await;
    // Watch the database, not the socket: once the row is committed, kill.
    let count = |client_id: &'static str| {
        let pool = db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM messages WHERE client_id = $1")
                .bind(client_id)
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let stored = count("k1").await;
        if stored == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the message was not stored within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("reap");
    drop(socket);

    let (_child, addr) = start(&url).await;
    let mut socket = connect(&addr).await;
    let welcome = socket.hello(&conversation_id, &token, 0).await;
    // The replay holds it (after it, the demo channel's automatic reply, if sent).
    let replayed = socket
        .until("the stored message in the replay", |f| {
            f["client_id"] == "k1"
        })
        .await;
    let seq = replayed["seq"].as_u64().expect("seq");
    assert!(welcome["last_seq"].as_u64() >= Some(seq), "{welcome}");
    let ack_of = |client_id: &'static str| {
        move |f: &Value| f["type"] == "ack" && f["client_id"] == client_id
    };
    socket
        .send(json!({"type": "send", "client_id": "k1", "text": "Stored, not acknowledged"}))
        .await;
    let ack = socket.until("the ack of k1", ack_of("k1")).await;
    assert_eq!(ack["seq"].as_u64(), Some(seq), "the first sequence number");
    assert_eq!(count("k1").await, 1, "stored once");
    socket
        .send(json!({"type": "send", "client_id": "k2", "text": "After the restart"}))
        .await;
    let ack = socket.until("the ack of k2", ack_of("k2")).await;
    assert!(ack["seq"].as_u64() > Some(seq), "{ack}");
    assert_eq!(count("k2").await, 1);
}

/// A visitor's consent and conversation on the demo channel of the server at
/// `addr`: the visitor's token and the conversation's id.
async fn open_conversation(http: &reqwest::Client, addr: &str) -> (String, String) {
    try_open_conversation(http, addr)
        .await
        .expect("a visitor consents and opens a conversation")
}

/// A visitor's consent and conversation on the demo channel: their token and the
/// conversation's id; `None` when the server stopped answering on the way.
async fn try_open_conversation(http: &reqwest::Client, addr: &str) -> Option<(String, String)> {
    let api = |path: &str| format!("http://{addr}/api/v1/channels/demo/{path}");
    let config: Value = http
        .get(api("config"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let consent: Value = http
        .post(api("consents"))
        .json(
            &json!({"agreement_version_id": config["consent"]["version_id"],
                      "page_url": "https://shop.example/"}),
        )
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let token = consent["visitor_token"].as_str()?.to_owned();
    let conversation: Value = http
        .post(api("conversations"))
        .json(&json!({"visitor_token": token, "consent_id": consent["consent_id"]}))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let conversation_id = conversation["conversation_id"].as_str()?.to_owned();
    Some((token, conversation_id))
}

async fn connect(addr: &str) -> crate::helpers::Socket {
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/ws"))
        .await
        .expect("socket");
    crate::helpers::Socket { ws }
}

/// Messages are written in shared commits (group commit), yet an ack still means
/// "on disk": the real server is killed with SIGKILL while visitors on several
/// conversations send as fast as they can, over several rounds; every acknowledged
/// message is stored with the sequence number its ack gave, and each conversation's
/// sequence numbers have no gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill() {
    const VISITORS: usize = 8;
    const ROUNDS: usize = 5;
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::helpers::TestDb::new(dir.path()).await;
    let url = db.url.clone();
    let http = reqwest::Client::new();
    // (conversation, client id) -> the acknowledged sequence number.
    let acknowledged = Arc::new(Mutex::new(HashMap::<(String, String), u64>::new()));
    let mut visitors = Vec::new();
    for round in 0..ROUNDS {
        let (mut child, addr) = start(&url).await;
        if visitors.is_empty() {
            for _ in 0..VISITORS {
                visitors.push(open_conversation(&http, &addr).await);
            }
        }
        let switch = KillSwitch::new(150);
        let mut senders = Vec::new();
        for (v, (token, conversation_id)) in visitors.iter().cloned().enumerate() {
            let mut socket = connect(&addr).await;
            socket.hello(&conversation_id, &token, 0).await;
            let (acknowledged, switch) = (acknowledged.clone(), switch.clone());
            senders.push(tokio::spawn(async move {
                for n in 0.. {
                    let client_id = format!("r{round}-v{v}-{n}");
                    let frame = json!({"type": "send", "client_id": client_id, "text": "Hello"});
                    if socket
                        .ws
                        .send(Message::Text(frame.to_string().into()))
                        .await
                        .is_err()
                    {
                        return; // the server is gone
                    }
                    let seq = loop {
                        let Some(Ok(Message::Text(text))) = socket.ws.next().await else {
                            return; // cut off before the ack: not acknowledged
                        };
                        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
                            continue;
                        };
                        if frame["type"] == "ack" && frame["client_id"] == client_id.as_str() {
                            break frame["seq"].as_u64().expect("an ack has a seq");
                        }
                    };
                    acknowledged
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert((conversation_id.clone(), client_id), seq);
                    switch.acked();
                }
            }));
        }
        switch.kill(&mut child, senders).await;
    }

    let stored: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT conversation_id, client_id, seq FROM messages WHERE client_id IS NOT NULL",
    )
    .fetch_all(db.pool())
    .await
    .expect("messages");
    let stored_seq: HashMap<(String, String), i64> = stored
        .iter()
        .map(|(c, id, seq)| ((c.clone(), id.clone()), *seq))
        .collect();
    let acknowledged = acknowledged
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    for (key, seq) in &acknowledged {
        assert_eq!(
            stored_seq.get(key).map(|s| *s as u64),
            Some(*seq),
            "acknowledged {key:?} as {seq}, stored as"
        );
    }
    for (_, conversation_id) in &visitors {
        let seqs: Vec<i64> =
            sqlx::query_scalar("SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq")
                .bind(conversation_id)
                .fetch_all(db.pool())
                .await
                .expect("seqs");
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "no gap");
    }
    println!(
        "message durability: {ROUNDS} SIGKILL rounds, {} messages acknowledged, {} stored, 0 lost",
        acknowledged.len(),
        stored.len()
    );
}

/// A change and the webhook events it announces commit together: the real server
/// is killed with SIGKILL while visitors consent, open conversations and send
/// messages, over several rounds; afterwards every stored consent, conversation
/// and message has its event in the outbox, and every event its change (a kill
/// between a change's commit and its event's would leave one without the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_stored_before_a_sigkill_has_its_webhook_event() {
    const VISITORS: usize = 6;
    const ROUNDS: usize = 3;
    const TOKEN: &str = "canal_admin_durability-test";
    const KINDS: [&str; 3] = [
        "consent.recorded",
        "conversation.created",
        "message.created",
    ];
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::helpers::TestDb::new(dir.path()).await;
    let http = reqwest::Client::new();
    // A receiver that is never there: the events stay in the outbox to be counted.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let hook_url = format!("http://{}/hook", gone.local_addr().expect("addr"));
    drop(gone);
    let mut flags = vec!["--admin-token", TOKEN, "--webhook-private-targets"];
    flags.extend(NO_LIMITS);
    for round in 0..ROUNDS {
        let (mut child, addr) = start_with(&db.url, &flags).await;
        if round == 0 {
            let made = http
                .post(format!("http://{addr}/api/v1/admin/webhooks"))
                .bearer_auth(TOKEN)
                .json(&json!({"url": hook_url, "events": KINDS}))
                .send()
                .await
                .expect("create the endpoint");
            assert_eq!(made.status(), 201);
        }
        let switch = KillSwitch::new(120);
        let mut visitors = Vec::new();
        for v in 0..VISITORS {
            let (http, addr, switch) = (http.clone(), addr.clone(), switch.clone());
            visitors.push(tokio::spawn(async move {
                for n in 0.. {
                    let Some((token, conversation_id)) = try_open_conversation(&http, &addr).await
                    else {
                        return; // the server is gone
                    };
                    switch.acked();
                    let Ok((mut ws, _)) =
                        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/ws")).await
                    else {
                        return;
                    };
                    let hello = json!({"type": "hello", "conversation_id": conversation_id,
                                       "visitor_token": token, "last_seq": 0});
                    if ws
                        .send(Message::Text(hello.to_string().into()))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    for m in 0..3 {
                        let client_id = format!("r{round}-v{v}-{n}-{m}");
                        let frame =
                            json!({"type": "send", "client_id": client_id, "text": "Hello"});
                        if ws
                            .send(Message::Text(frame.to_string().into()))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        loop {
                            let Some(Ok(Message::Text(text))) = ws.next().await else {
                                return;
                            };
                            let frame: Value = serde_json::from_str(&text).unwrap_or_default();
                            if frame["type"] == "ack" && frame["client_id"] == client_id.as_str() {
                                break;
                            }
                        }
                        switch.acked();
                    }
                }
            }));
        }
        switch.kill(&mut child, visitors).await;
    }

    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, body FROM deliveries WHERE target = 'webhook'")
            .fetch_all(db.pool())
            .await
            .expect("deliveries");
    let mut announced: HashMap<&str, HashSet<String>> = HashMap::new();
    for (kind, body) in &events {
        let body: Value = serde_json::from_str(body).expect("an event is JSON");
        let data = &body["data"];
        let key = match kind.as_str() {
            "consent.recorded" => data["consent_id"].as_str().expect("consent").to_owned(),
            "conversation.created" => data["conversation_id"].as_str().expect("id").to_owned(),
            "message.created" => format!("{}/{}", data["conversation_id"], data["seq"]),
            other => panic!("an event of a kind not subscribed: {other}"),
        };
        let kind = KINDS.iter().find(|k| **k == kind).expect("kind");
        assert!(
            announced.entry(kind).or_default().insert(key),
            "one event per change"
        );
    }
    let consents: Vec<String> = sqlx::query_scalar("SELECT id FROM consents")
        .fetch_all(db.pool())
        .await
        .expect("consents");
    let conversations: Vec<String> = sqlx::query_scalar("SELECT id FROM conversations")
        .fetch_all(db.pool())
        .await
        .expect("conversations");
    let messages: Vec<(String, i64)> = sqlx::query_as("SELECT conversation_id, seq FROM messages")
        .fetch_all(db.pool())
        .await
        .expect("messages");
    let stored: [(&str, HashSet<String>); 3] = [
        ("consent.recorded", consents.into_iter().collect()),
        ("conversation.created", conversations.into_iter().collect()),
        (
            "message.created",
            messages
                .iter()
                .map(|(c, seq)| format!("{}/{seq}", Value::from(c.as_str())))
                .collect(),
        ),
    ];
    for (kind, changes) in &stored {
        let heard = announced.remove(kind).unwrap_or_default();
        assert!(!changes.is_empty(), "some {kind} changes were made");
        assert_eq!(
            &heard, changes,
            "each {kind} change has its event, and no more"
        );
    }
    println!(
        "events and changes: {ROUNDS} SIGKILL rounds, {} events, each with its change",
        events.len()
    );
}

/// A stop with Ctrl+C (SIGINT) or SIGTERM keeps what the server decided on its way
/// out: visitors each send their chat's first message at once, and the server gets
/// the signal as soon as the last is acknowledged. Routing answers a first message
/// (the demo agent is offline) with its "nobody is available" reply, written after
/// the visitor's ack; once the process has exited, every chat holds both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_ctrl_c_stores_what_routing_decided_after_the_acks() {
    stop_after_first_messages("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_sigterm_stores_what_routing_decided_after_the_acks() {
    stop_after_first_messages("-TERM").await;
}

async fn stop_after_first_messages(signal: &str) {
    const VISITORS: usize = 40;
    let dir = tempfile::tempdir().expect("dir");
    let db = crate::helpers::TestDb::new(dir.path()).await;
    let (mut child, addr) = start(&db.url).await;
    let http = reqwest::Client::new();
    let mut visitors = Vec::new();
    for _ in 0..VISITORS {
        let (token, conversation_id) = open_conversation(&http, &addr).await;
        let mut socket = connect(&addr).await;
        socket.hello(&conversation_id, &token, 0).await;
        visitors.push((conversation_id, socket));
    }
    for (n, (_, socket)) in visitors.iter_mut().enumerate() {
        socket
            .send(json!({"type": "send", "client_id": format!("m{n}"), "text": "Hello?"}))
            .await;
    }
    for (_, socket) in &mut visitors {
        socket.until("the ack", |f| f["type"] == "ack").await;
    }
    let pid = child.id().expect("the server runs").to_string();
    let signalled = std::process::Command::new("kill")
        .args([signal, pid.as_str()])
        .status()
        .expect("run kill");
    assert!(signalled.success(), "kill {signal} {pid}: {signalled}");
    let exited = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("the server stops within 60 s")
        .expect("reap");
    assert!(exited.success(), "the server's exit: {exited}");
    for (conversation_id, _) in &visitors {
        let authors: Vec<String> = sqlx::query_scalar(
            "SELECT author FROM messages WHERE conversation_id = $1 ORDER BY seq",
        )
        .bind(conversation_id)
        .fetch_all(db.pool())
        .await
        .expect("messages");
        assert_eq!(
            authors,
            ["visitor", "system"],
            "chat {conversation_id}: the visitor's message and routing's reply"
        );
    }
}

//! Consent-write benchmark, run by `cargo xtask bench consent` (release build).
//!
//! Starts the real server on 127.0.0.1:0 with a fresh SQLite file, or on the empty
//! PostgreSQL database `--database-url` names (durable commits, group commit), then:
//! 1. open loop: `--rate` requests per second for `--seconds`, each timed from the
//!    moment it was due (so a stall counts against every request it delays);
//! 2. closed loop: `--workers` concurrent clients as fast as they can, for the
//!    highest sustained writes per second.
//!
//! Prints a report and, for xtask, lines `BENCH <name> <value>`.

use std::time::{Duration, Instant};

use canal_server::{demo, spawn_loopback, Options, Store};
use serde_json::{json, Value};

struct Args {
    rate: u64,
    seconds: u64,
    workers: usize,
    database_url: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        rate: 1000,
        seconds: 10,
        workers: 64,
        database_url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let raw = it.next();
        if flag == "--database-url" {
            a.database_url = raw;
            continue;
        }
        let value = raw.and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--rate", Some(v)) if v > 0 => a.rate = v,
            ("--seconds", Some(v)) if v > 0 => a.seconds = v,
            ("--workers", Some(v)) if v > 0 => a.workers = v as usize,
            _ => {
                eprintln!(
                    "usage: consent_load [--rate N] [--seconds N] [--workers N] [--database-url URL]"
                );
                std::process::exit(2);
            }
        }
    }
    a
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = Store::open(&url).await.expect("open store");
    let engine = store.engine().as_str();
    demo::seed(&store).await.expect("seed");
    let server = spawn_loopback(
        store.clone(),
        Options {
            admin_token_sha256: canal_server::admin::token_hash("bench-admin-token"),
            // Every request comes from this one address: limits would refuse most.
            limits: canal_server::limits::Limits::off(),
            ..Options::default()
        },
    )
    .await
    .expect("start the server");
    let addr = server.addr;

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .expect("client");
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
    let endpoint = format!("http://{addr}/api/v1/channels/demo/consents");
    let body = move |n: u64| {
        json!({"agreement_version_id": version, "page_url": format!("https://shop.example/p/{n}"),
               "request_id": format!("bench-{n}")})
    };

    // 1. Open loop at a fixed rate.
    eprintln!(
        "consent bench ({engine}): open loop, {} req/s for {} s (durable commits)...",
        args.rate, args.seconds
    );
    let total = args.rate * args.seconds;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        let due = start + Duration::from_nanos(n * 1_000_000_000 / args.rate);
        tokio::time::sleep_until(due.into()).await;
        let (http, endpoint, payload) = (http.clone(), endpoint.clone(), body(n));
        tasks.push(tokio::spawn(async move {
            let ok = http
                .post(&endpoint)
                .json(&payload)
                .send()
                .await
                .is_ok_and(|r| r.status() == 201);
            (ok, due.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = 0u64;
    for task in tasks {
        let (ok, latency) = task.await.expect("join");
        if ok {
            latencies.push(latency);
        } else {
            errors += 1;
        }
    }
    let took = start.elapsed();
    latencies.sort();
    let (p50, p90, p99, max) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or_default(),
    );
    println!(
        "open loop: {} requests in {:.1} s ({:.0}/s achieved), {errors} errors; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        total,
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        p50.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
    );

    // 2. Closed loop: how many durable writes per second at most.
    eprintln!(
        "consent bench: closed loop, {} workers for {} s...",
        args.workers,
        args.seconds.min(5)
    );
    let until = Instant::now() + Duration::from_secs(args.seconds.min(5));
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut workers = Vec::new();
    for w in 0..args.workers as u64 {
        let (http, endpoint, counter, body) = (
            http.clone(),
            endpoint.clone(),
            counter.clone(),
            body.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < until {
                let id = 10_000_000 + w * 1_000_000 + n;
                n += 1;
                let ok = http
                    .post(&endpoint)
                    .json(&body(id))
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 201);
                if ok {
                    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }));
    }
    let closed_start = Instant::now();
    for worker in workers {
        worker.await.expect("join");
    }
    let written = counter.load(std::sync::atomic::Ordering::Relaxed);
    let per_second = written as f64 / closed_start.elapsed().as_secs_f64();
    println!("closed loop: {written} durable consent writes, {per_second:.0}/s");

    let verified = store.verify_ledger().await.expect("verify");
    println!(
        "ledger after the bench: {} records, chain {}",
        verified.records,
        if verified.broken.is_none() {
            "intact"
        } else {
            "BROKEN"
        }
    );
    println!("BENCH consent_p50_us {}", p50.as_micros());
    println!("BENCH consent_p99_us {}", p99.as_micros());
    println!("BENCH consent_errors {errors}");
    println!("BENCH consent_writes_per_s {per_second:.0}");
    if verified.broken.is_some() || errors > 0 {
        std::process::exit(1);
    }
}

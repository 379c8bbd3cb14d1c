//! Consent-write benchmark, run by `cargo xtask bench consent` (release build).
//!
//! Starts the real server on 127.0.0.1:0 with a fresh SQLite file, or on the empty
//! PostgreSQL database `--database-url` names (durable commits, group commit), with no
//! rate limit (`--limits off`, the default: every request comes from 127.0.0.1) or with
//! the default limits (`--limits on`, run by `cargo xtask bench limits`: the server
//! trusts 127.0.0.1 as a proxy and each request names its own client address in
//! `X-Forwarded-For`, so the limiter keeps a bucket per address and refuses nothing),
//! then:
//! 1. open loop: `--rate` requests per second for `--seconds`, each timed from the
//!    moment it was due (so a stall counts against every request it delays);
//! 2. closed loop: `--workers` concurrent clients as fast as they can, for the
//!    highest sustained writes per second.
//!
//! With limits on, it then checks that every record stored took its request's own
//! forwarded address (so the requests went through the limiter's per-address path).
//!
//! Prints a report and, for xtask, lines `BENCH <name> <value>`.

#[allow(dead_code)] // the socket helpers are the socket loads'
mod load;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use load::{client_addr, Latencies, FORWARDED_FOR};
use serde_json::json;

/// The consent-write load (see the module comment).
#[derive(clap::Parser)]
#[command(name = "consent_load")]
struct Args {
    /// Requests per second in the open loop.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    rate: u64,
    /// Seconds of the open loop (the closed loop runs at most 5).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    seconds: u64,
    /// Concurrent clients in the closed loop.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    workers: u32,
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

#[tokio::main]
async fn main() {
    let args = args();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = load::start(dir.path(), args.database_url.as_deref(), args.limits).await;
    let (store, engine, addr) = (server.store.clone(), server.engine, server.running.addr);
    let limits = if args.limits {
        "default limits, an address per request"
    } else {
        "no limits"
    };

    let (http, version) = server.client(512).await;
    let endpoint = format!("http://{addr}/api/v1/channels/demo/consents");
    // Request `n`: its body, and (limits on) its own client address.
    let request = {
        let (http, with_address) = (http.clone(), args.limits);
        move |n: u64| {
            let body = json!({"agreement_version_id": version,
                "page_url": format!("https://shop.example/p/{n}"),
                "request_id": format!("bench-{n}")});
            let post = http.post(&endpoint).json(&body);
            if with_address {
                post.header(FORWARDED_FOR, client_addr(n).to_string())
            } else {
                post
            }
        }
    };

    // 1. Open loop at a fixed rate.
    eprintln!(
        "consent bench ({engine}, {limits}): open loop, {} req/s for {} s (durable commits)...",
        args.rate, args.seconds
    );
    let total = args.rate * args.seconds;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        let due = start + Duration::from_nanos(n * 1_000_000_000 / args.rate);
        tokio::time::sleep_until(due.into()).await;
        let post = request(n);
        tasks.push(tokio::spawn(async move {
            let ok = post.send().await.is_ok_and(|r| r.status() == 201);
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
    let latencies = Latencies::new(latencies);
    let (p50, p99) = (latencies.percentile(50.0), latencies.percentile(99.0));
    println!(
        "open loop: {} requests in {:.1} s ({:.0}/s achieved), {errors} errors; latency {}",
        total,
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        latencies.summary(),
    );

    // 2. Closed loop: how many durable writes per second at most (request numbers go
    // on from the open loop's, so each still has an address of its own).
    eprintln!(
        "consent bench: closed loop, {} workers for {} s...",
        args.workers,
        args.seconds.min(5)
    );
    let until = Instant::now() + Duration::from_secs(args.seconds.min(5));
    let next = Arc::new(AtomicU64::new(total));
    let counter = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..args.workers {
        let (next, counter, request) = (next.clone(), counter.clone(), request.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < until {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let ok = request(n).send().await.is_ok_and(|r| r.status() == 201);
                if ok {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let closed_start = Instant::now();
    for worker in workers {
        worker.await.expect("join");
    }
    let written = counter.load(Ordering::Relaxed);
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
    let mut wrong_addresses = 0;
    if args.limits {
        wrong_addresses = load::check_addresses(&store, total + written).await;
    }
    println!("BENCH consent_p50_us {}", p50.as_micros());
    println!("BENCH consent_p99_us {}", p99.as_micros());
    println!("BENCH consent_errors {errors}");
    println!("BENCH consent_writes_per_s {per_second:.0}");
    if verified.broken.is_some() || errors > 0 || wrong_addresses > 0 {
        std::process::exit(1);
    }
}

//! The rate limiter's own work per request, in process, run by `cargo xtask bench
//! limits` (release build). The load examples measure it end to end, where one run's
//! swings on a shared machine are larger than the limiter; this measures only it:
//! - *per address*: the server's per-address middleware (`limits::PerAddress` with the
//!   default consent rate, 127.0.0.1 trusted, each request from its own
//!   `X-Forwarded-For` address, so each takes a new bucket) on a route whose handler
//!   does nothing, against the same route without it: the difference is the limiter;
//! - *per frame*: one visitor socket's frame bucket (`limits::PerSocket`).
//!
//! Prints a report and, for xtask, lines `BENCH <name> <value>` (medians of the
//! nanoseconds per call over batches of 1,000).

#[allow(dead_code)] // only its client addresses
mod load;

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use canal_server::limits::{Limits, PerAddress, PerSocket};
use load::{client_addr, FORWARDED_FOR};
use tower::ServiceExt;

const BATCH: u64 = 1_000;
const BATCHES: u64 = 200;

/// Nanoseconds per request through `app`, per batch: requests `first..` each from
/// its own address.
async fn per_request(app: &Router, first: u64) -> Vec<f64> {
    let peer = SocketAddr::from(([127, 0, 0, 1], 40_000));
    let mut batches = Vec::with_capacity(BATCHES as usize);
    for b in 0..BATCHES {
        let requests: Vec<Request<Body>> = (0..BATCH)
            .map(|i| {
                let mut request = Request::post("/")
                    .header(
                        FORWARDED_FOR,
                        client_addr(first + b * BATCH + i).to_string(),
                    )
                    .body(Body::empty())
                    .expect("request");
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            })
            .collect();
        let start = Instant::now();
        for request in requests {
            let response = app.clone().oneshot(request).await.expect("infallible");
            assert_eq!(response.status(), StatusCode::CREATED, "refused");
        }
        batches.push(start.elapsed().as_nanos() as f64 / BATCH as f64);
    }
    batches
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let limits = Limits::default();
    let trusted = canal_server::net::parse_list("127.0.0.1")
        .expect("proxy list")
        .into();
    let route = || Router::new().route("/", post(|| async { StatusCode::CREATED }));
    let off = route();
    let layer = PerAddress::new(limits.consents, &trusted)
        .layer()
        .expect("the default consent limit is on");
    let on = route().layer(layer);

    // Warm up both, then alternate batches' worth of runs so drift hits both alike.
    per_request(&off, 0).await;
    per_request(&on, 10_000_000).await;
    let (mut off_ns, mut on_ns) = (Vec::new(), Vec::new());
    for round in 0..3 {
        off_ns.extend(per_request(&off, 0).await);
        on_ns.extend(per_request(&on, round * BATCH * BATCHES).await);
    }
    let (off_ns, on_ns) = (median(off_ns), median(on_ns));

    let socket = PerSocket::new(limits.socket_frames);
    let mut frame_batches = Vec::new();
    for _ in 0..BATCHES {
        let start = Instant::now();
        for _ in 0..BATCH {
            std::hint::black_box(socket.allow());
        }
        frame_batches.push(start.elapsed().as_nanos() as f64 / BATCH as f64);
    }
    let frame_ns = median(frame_batches);

    println!(
        "per request, in process: {off_ns:.0} ns without the per-address limit, {on_ns:.0} ns \
         with it ({} addresses, each its own bucket): the limiter {:.0} ns",
        3 * BATCH * BATCHES,
        on_ns - off_ns
    );
    println!("per socket frame: {frame_ns:.0} ns for its bucket");
    println!("BENCH limiter_address_ns {:.0}", (on_ns - off_ns).max(0.0));
    println!("BENCH limiter_frame_ns {frame_ns:.0}");
}

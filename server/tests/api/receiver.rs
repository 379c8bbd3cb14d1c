//! A webhook receiver (and fake connector gateway) for the tests: a real axum
//! server on a loopback port that checks each POST's signature with its own HMAC
//! code (not Canal's), keeps what arrived, refuses the first attempts when told
//! to, and can be stopped and started again on the same port.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One POST that arrived.
#[derive(Debug, Clone)]
pub struct Arrived {
    pub event_id: String,
    pub event_type: String,
    pub body: Value,
    pub raw: String,
    /// Whether the signature matched the secret (over timestamp and body).
    pub signed: bool,
    /// What the receiver answered.
    pub status: u16,
}

#[derive(Default)]
struct Shared {
    secret: Mutex<String>,
    refuse: AtomicUsize,
    arrived: Mutex<Vec<Arrived>>,
}

/// A running receiver, stopped when dropped (or by [`Receiver::stop`]).
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature a receiver expects, computed here independently of Canal.
pub fn expected_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1={}", hex(&mac.finalize().into_bytes()))
}

async fn arrive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let timestamp = header("canal-timestamp");
    let secret = shared.secret.lock().expect("lock").clone();
    let signed = header("canal-signature") == expected_signature(&secret, &timestamp, &body);
    let refuse = shared
        .refuse
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if refuse {
        StatusCode::SERVICE_UNAVAILABLE
    } else if !signed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::NO_CONTENT
    };
    let raw = String::from_utf8_lossy(&body).into_owned();
    shared.arrived.lock().expect("lock").push(Arrived {
        event_id: header("canal-event-id"),
        event_type: header("canal-event-type"),
        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
        raw,
        signed,
        status: status.as_u16(),
    });
    status
}

impl Receiver {
    /// A receiver on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Self::serve(listener, Arc::default())
    }

    fn serve(listener: tokio::net::TcpListener, shared: Arc<Shared>) -> Self {
        let addr = listener.local_addr().expect("addr");
        let app = Router::new()
            .route("/hook", post(arrive))
            .with_state(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .expect("receiver");
        });
        Self {
            addr,
            shared,
            stop: Some(stop),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The secret signatures are checked with.
    pub fn set_secret(&self, secret: &str) {
        *self.shared.secret.lock().expect("lock") = secret.to_owned();
    }

    /// Answers 503 to the next `n` POSTs.
    pub fn refuse_next(&self, n: usize) {
        self.shared.refuse.store(n, Ordering::SeqCst);
    }

    /// Everything that arrived, in order.
    pub fn arrived(&self) -> Vec<Arrived> {
        self.shared.arrived.lock().expect("lock").clone()
    }

    /// The ones it acknowledged (2xx).
    pub fn accepted(&self) -> Vec<Arrived> {
        self.arrived()
            .into_iter()
            .filter(|a| a.status < 300)
            .collect()
    }

    /// Stops listening (connections are refused) until [`Receiver::restart`].
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The port is free once a connect is refused.
        crate::helpers::poll(|| async {
            match tokio::net::TcpStream::connect(self.addr).await {
                Err(_) => Ok(()),
                Ok(_) => Err("the receiver still accepts connections".to_owned()),
            }
        })
        .await;
    }

    /// Listens again on the same port, with what arrived so far.
    pub async fn restart(&mut self) {
        let listener = crate::helpers::poll(|| async {
            tokio::net::TcpListener::bind(self.addr)
                .await
                .map_err(|e| format!("rebinding the receiver: {e}"))
        })
        .await;
        let again = Self::serve(listener, self.shared.clone());
        self.stop = again.stop;
    }
}

//! Outbound deliveries: domain events to webhook endpoints, and replies to
//! messenger connectors' gateways, both from one durable outbox (`deliveries`,
//! see [`canal_store::integrations`]) worked through by one deliverer.
//!
//! The store queues them in the transaction of the change they report
//! ([`canal_store::events`]: a conversation created, assigned, closed or rated, a
//! message, a consent, a CRM contact or record), so a change is never committed
//! without its deliveries nor they without it, whatever stops the server in
//! between; each commit that queued some wakes the deliverer. The deliverer
//! claims due rows with a lease, posts each with a timeout, and marks it
//! delivered on a 2xx; any other answer or none puts it back with a due time
//! doubling from [`DeliveryOptions::retry_after`] up to an hour, until
//! [`DeliveryOptions::max_attempts`], after which it waits for a re-send by hand.
//! One target's rows are posted one after another, oldest first; delivered rows
//! are dropped after 30 days.
//! A row claimed by a server that stopped is claimed again when its lease runs
//! out, so a receiver may see an event twice, always with the same id.
//!
//! Each POST carries `Canal-Event-Id`, `Canal-Event-Type`, `Canal-Timestamp` and
//! `Canal-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`
//! ([`canal_core::signature`]).

use std::sync::Arc;
use std::time::Duration;

use canal_core::clock::now_rfc3339;
use canal_core::signature;
use canal_store::integrations::{Delivery, Target};
use tokio::sync::{watch, Notify};

use crate::due::later;
use crate::store::Store;

/// How the deliverer works.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// The first wait before a failed delivery is tried again; it doubles each time,
    /// up to an hour.
    pub retry_after: Duration,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// Attempts before a delivery waits for a re-send by hand.
    pub max_attempts: i64,
    /// The longest wait between two looks at the outbox (rows queued by another
    /// server are seen within it; this server's own wake the deliverer at once).
    pub look_every: Duration,
    /// Receivers on private addresses (loopback, the LAN, link-local) may be
    /// posted to; off, only public internet addresses are (see
    /// [`canal_core::addresses`]).
    pub private_targets: bool,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        Self {
            retry_after: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            max_attempts: 15,
            look_every: crate::due::LOOK_EVERY,
            private_targets: false,
        }
    }
}

/// The longest wait between two attempts.
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long a deliverer holds claimed rows (longer than a timeout).
const LEASE: Duration = Duration::from_secs(120);
/// Rows claimed at once (posted side by side, one target's in order).
const BATCH: i64 = 32;
/// How long delivered rows stay in the log.
const KEEP_DELIVERED: Duration = Duration::from_secs(30 * 24 * 3600);

/// The wait before attempt `attempts + 1` after `attempts` failed ones.
pub fn backoff(retry_after: Duration, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.max(1) - 1)
        .unwrap_or(u32::MAX)
        .min(20);
    retry_after.saturating_mul(1 << doublings).min(MAX_RETRY)
}

/// The deliverer's handle: starts it and wakes it; cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(store: Store) -> Self {
        Self {
            wake: store.deliveries_queued(),
            store,
        }
    }

    /// Starts the deliverer; it stops when `closing` turns true.
    pub fn start(&self, options: &DeliveryOptions, closing: watch::Receiver<bool>) {
        let mut client = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Canal/", env!("CARGO_PKG_VERSION")));
        if !options.private_targets {
            client = client.dns_resolver(Arc::new(PublicOnly));
        }
        let client = client.build().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the webhook client could not be built with its options");
            reqwest::Client::new()
        });
        let deliverer = Deliverer {
            store: self.store.clone(),
            client,
            options: options.clone(),
            pruned: Default::default(),
        };
        tokio::spawn(crate::due::run(
            deliverer,
            options.look_every,
            options.retry_after,
            self.wake.clone(),
            closing,
        ));
    }

    /// Something is due now (a re-send by hand): the deliverer looks.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

struct Deliverer {
    store: Store,
    client: reqwest::Client,
    options: DeliveryOptions,
    /// When old delivered rows were last dropped.
    pruned: std::sync::Mutex<Option<std::time::Instant>>,
}

/// What one attempt found.
enum Outcome {
    Delivered(i64),
    /// Tried again later (the receiver's status, if it answered).
    Failed(Option<i64>, String),
    /// Never tried again unless re-sent.
    GiveUp(String),
}

impl crate::due::Queue for Deliverer {
    const NAME: &'static str = "deliveries";
    const BATCH: i64 = BATCH;

    async fn work(&self) -> Result<usize, String> {
        let rows = self
            .store
            .claim_deliveries(&now_rfc3339(), &later(LEASE), BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let claimed = rows.len();
        // Targets side by side; each target's rows one after another, oldest
        // first, so a receiver that answers sees them in the order they happened.
        let mut by_target: std::collections::BTreeMap<(&'static str, String), Vec<Delivery>> =
            Default::default();
        for row in rows {
            by_target
                .entry((row.target.as_str(), row.target_id.clone()))
                .or_default()
                .push(row);
        }
        futures_util::future::join_all(by_target.into_values().map(|mut rows| async move {
            rows.sort_by_key(|r| r.id);
            for row in rows {
                self.deliver(row).await;
            }
        }))
        .await;
        self.prune().await;
        Ok(claimed)
    }

    async fn next_due(&self) -> Result<Option<String>, String> {
        self.store
            .next_delivery_due()
            .await
            .map_err(|e| e.to_string())
    }
}

impl Deliverer {
    /// Drops the rows delivered more than [`KEEP_DELIVERED`] ago, at most hourly.
    async fn prune(&self) {
        let due = {
            let mut pruned = self.pruned.lock().unwrap_or_else(|e| e.into_inner());
            let due = pruned.is_none_or(|at| at.elapsed() >= Duration::from_secs(3600));
            if due {
                *pruned = Some(std::time::Instant::now());
            }
            due
        };
        if !due {
            return;
        }
        if let Err(e) = self
            .store
            .prune_deliveries(&crate::due::earlier(KEEP_DELIVERED))
            .await
        {
            tracing::error!(error = %e, "pruning old deliveries failed");
        }
    }

    async fn deliver(&self, row: Delivery) {
        let outcome = self.attempt(&row).await;
        let now = now_rfc3339();
        let written = match &outcome {
            Outcome::Delivered(status) => {
                tracing::info!(delivery = row.id, event = %row.event_id, "delivered");
                self.store.delivery_done(row.id, *status, &now).await
            }
            Outcome::Failed(status, error) => {
                let give_up = row.attempts >= self.options.max_attempts;
                let wait = backoff(self.options.retry_after, row.attempts);
                tracing::warn!(delivery = row.id, event = %row.event_id, %error, give_up, retry_in = ?wait, "delivery failed");
                self.store
                    .delivery_failed(row.id, *status, error, &now, &later(wait), give_up)
                    .await
            }
            Outcome::GiveUp(error) => {
                tracing::warn!(delivery = row.id, event = %row.event_id, %error, "delivery given up");
                self.store
                    .delivery_failed(row.id, None, error, &now, &now, true)
                    .await
            }
        };
        if let Err(e) = written {
            // The lease runs out and the row is claimed again.
            tracing::error!(delivery = row.id, error = %e, "recording a delivery failed");
        }
    }

    async fn attempt(&self, row: &Delivery) -> Outcome {
        let target = match row.target {
            Target::Webhook => self
                .store
                .webhook(&row.target_id)
                .await
                .map(|w| w.map(|w| (w.url, w.secret, w.active))),
            Target::Connector => self
                .store
                .connector(&row.target_id)
                .await
                .map(|c| c.map(|c| (c.outbound_url, c.secret, c.active))),
        };
        let (url, secret) = match target {
            Err(e) => return Outcome::Failed(None, format!("the store failed: {e}")),
            Ok(None) => return Outcome::GiveUp("the target no longer exists".into()),
            Ok(Some((_, _, false))) => return Outcome::GiveUp("the target is switched off".into()),
            Ok(Some((url, secret, true))) => (url, secret),
        };
        // A host name is checked as it resolves ([`PublicOnly`]); an address
        // written in the URL here.
        if !self.options.private_targets && private_address(&url) {
            return Outcome::GiveUp(PRIVATE_REFUSED.into());
        }
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let signed = signature::sign(&secret, timestamp, row.body.as_bytes());
        let sent = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::EVENT_ID_HEADER, &row.event_id)
            .header(signature::EVENT_TYPE_HEADER, &row.kind)
            .header(signature::TIMESTAMP_HEADER, timestamp.to_string())
            .header(signature::SIGNATURE_HEADER, signed)
            .body(row.body.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                Outcome::Delivered(i64::from(response.status().as_u16()))
            }
            Ok(response) => {
                let status = response.status();
                Outcome::Failed(
                    Some(i64::from(status.as_u16())),
                    format!("the receiver answered {status}"),
                )
            }
            Err(e) => Outcome::Failed(None, without_url(&e)),
        }
    }
}

/// Why a delivery to a private address was not made.
const PRIVATE_REFUSED: &str = "the receiver's address is private (loopback, LAN or link-local): \
    start the server with --webhook-private-targets to allow it";

/// Whether the URL names a private address itself (not a host name).
fn private_address(url: &str) -> bool {
    let ip = match url::Url::parse(url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip),
        _ => return false,
    };
    !canal_core::addresses::is_public(ip)
}

/// Resolves a receiver's host name to its public addresses only, so a name that
/// points into the server's own network is refused as its address would be.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let public: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| canal_core::addresses::is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(PRIVATE_REFUSED.into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A client error's text without the URL (it may carry credentials).
fn without_url(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "the receiver did not answer in time"
    } else if e.is_connect() {
        "the receiver could not be reached"
    } else if e.is_redirect() {
        "the receiver redirected (redirects are not followed)"
    } else {
        "the request failed"
    };
    what.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(10);
        assert_eq!(backoff(base, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, 2), Duration::from_secs(20));
        assert_eq!(backoff(base, 5), Duration::from_secs(160));
        assert_eq!(backoff(base, 40), MAX_RETRY);
        assert_eq!(backoff(base, 0), Duration::from_secs(10));
    }

    #[test]
    fn a_private_address_in_the_url_is_seen() {
        for private in [
            "http://127.0.0.1:8080/hook",
            "https://10.0.0.5/x",
            "http://[::1]/x",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert!(private_address(private), "{private}");
        }
        for other in ["https://hooks.example.com/x", "http://93.184.216.34/x"] {
            assert!(!private_address(other), "{other}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_private_addresses_only_is_refused() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().expect("a name");
        let refused = match PublicOnly.resolve(name).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e.to_string(),
        };
        assert!(refused.contains("--webhook-private-targets"), "{refused}");
    }

    #[tokio::test]
    async fn the_deliverer_refuses_a_private_receiver_and_says_why() {
        // A receiver on loopback that answers 200 to any post.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let receiver = axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }));
        let server = tokio::spawn(async move { axum::serve(listener, receiver).await });
        let url = format!("http://localhost:{}/hook", addr.port());
        // Allowed, it is reached (so the refusal below is the guard's doing).
        let open = reqwest::Client::new().post(&url).send().await;
        assert_eq!(open.map(|r| r.status().as_u16()).ok(), Some(200));
        let guarded = reqwest::Client::builder()
            .dns_resolver(Arc::new(PublicOnly))
            .build()
            .expect("client");
        let refused = match guarded.post(&url).send().await {
            Ok(response) => panic!("posted to a private address: {}", response.status()),
            Err(e) => e,
        };
        // The reason is in the error's chain.
        let mut why = String::new();
        let mut cause: Option<&dyn std::error::Error> = Some(&refused);
        while let Some(e) = cause {
            why.push_str(&e.to_string());
            cause = e.source();
        }
        assert!(why.contains("--webhook-private-targets"), "{why}");
        server.abort();
    }
}

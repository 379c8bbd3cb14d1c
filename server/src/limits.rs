//! Rate limits: token buckets (the governor crate's GCRA) per client address on
//! every public endpoint (tower_governor's middleware, keyed by [`ClientAddr`]),
//! per visitor on what a visitor token may write, and per visitor socket on its
//! frames. On an append-only store a flood would be permanent: over a limit the
//! request gets 429 `rate_limited` with `Retry-After`, and nothing is stored.
//!
//! A [`Rate`] is written `N/PERIOD` (`10/1m`: a burst of ten, then one more every
//! six seconds); `off` turns a limit off. The buckets live in memory: they start
//! full again when the server restarts.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::routing::MethodRouter;
use canal_protocol::{ErrorBody, ErrorCode};
use governor::clock::QuantaInstant;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota};
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::app::AppState;
use crate::error::AppError;
use crate::net::IpNet;

/// A bucket: `burst` requests at once, earned back at `burst` per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub per: Duration,
}

impl Rate {
    pub const fn new(burst: u32, per: Duration) -> Self {
        Self { burst, per }
    }

    /// The time to earn back one request.
    fn replenish(self) -> Duration {
        (self.per / self.burst.max(1)).max(Duration::from_nanos(1))
    }

    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.replenish())
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst)
    }

    /// `10/1m`, `30/10s`, `600/1h`; `off` is `None`.
    pub fn parse(raw: &str) -> Result<Option<Rate>, String> {
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let wrong = || {
            format!("{raw:?} is not a rate: write it as N/PERIOD (10/1m, 30/10s, 600/1h) or off")
        };
        let (burst, period) = raw.split_once('/').ok_or_else(wrong)?;
        let burst: u32 = burst.trim().parse().map_err(|_| wrong())?;
        let period = period.trim();
        let split = period
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(wrong)?;
        let (count, unit) = period.split_at(split);
        let count: u64 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| wrong())?
        };
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return Err(wrong()),
        };
        if burst == 0 || count == 0 {
            return Err(wrong());
        }
        Ok(Some(Rate::new(burst, Duration::from_secs(count * seconds))))
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.per.as_secs();
        match s {
            s if s % 3600 == 0 => write!(f, "{}/{}h", self.burst, s / 3600),
            s if s % 60 == 0 => write!(f, "{}/{}m", self.burst, s / 60),
            s => write!(f, "{}/{}s", self.burst, s),
        }
    }
}

/// Every limit; `None` is off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `GET .../config`, per address.
    pub config: Option<Rate>,
    /// `POST .../consents`, per address: each is a record kept for ever.
    pub consents: Option<Rate>,
    /// `POST .../conversations`, per address.
    pub conversations: Option<Rate>,
    /// The visitor's other writes (form, identify, rating, withdrawals, transcript),
    /// per address.
    pub visitor_writes: Option<Rate>,
    /// Everything one visitor token writes (the calls above and socket `hello`s).
    pub per_visitor: Option<Rate>,
    /// New visitor sockets, per address.
    pub sockets: Option<Rate>,
    /// Frames one visitor socket sends (messages and typing).
    pub socket_frames: Option<Rate>,
    /// Console sign-ins, per address (each account has its own throttle besides).
    pub sign_in: Option<Rate>,
    /// Admin API calls, per address.
    pub admin: Option<Rate>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl Default for Limits {
    /// Generous for a busy office behind one address, strict enough that one address
    /// cannot write more than a few consent records a minute.
    fn default() -> Self {
        Self {
            config: Some(Rate::new(120, MINUTE)),
            consents: Some(Rate::new(10, MINUTE)),
            conversations: Some(Rate::new(20, MINUTE)),
            visitor_writes: Some(Rate::new(60, MINUTE)),
            per_visitor: Some(Rate::new(30, MINUTE)),
            sockets: Some(Rate::new(60, MINUTE)),
            socket_frames: Some(Rate::new(30, Duration::from_secs(10))),
            sign_in: Some(Rate::new(10, MINUTE)),
            admin: Some(Rate::new(600, MINUTE)),
        }
    }
}

impl Limits {
    /// No limit at all (for tests that drive many requests from one address).
    pub fn off() -> Self {
        Self {
            config: None,
            consents: None,
            conversations: None,
            visitor_writes: None,
            per_visitor: None,
            sockets: None,
            socket_frames: None,
            sign_in: None,
            admin: None,
        }
    }
}

/// The key of a request: the client's address (the peer, or the forwarded address
/// from a trusted proxy, as consent records take it); an IPv6 client by its /64,
/// the block one subscriber usually holds.
#[derive(Clone)]
pub struct ClientAddr {
    trusted: Arc<[IpNet]>,
}

impl ClientAddr {
    pub fn new(trusted: Arc<[IpNet]>) -> Self {
        Self { trusted }
    }

    /// The key of a client address.
    pub fn key(ip: IpAddr) -> IpAddr {
        match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    IpAddr::V6(bits.into())
                }
            },
        }
    }
}

impl KeyExtractor for ClientAddr {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> Result<IpAddr, GovernorError> {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .ok_or(GovernorError::UnableToExtractKey)?;
        let ip = crate::net::client_ip(peer, req.headers(), &self.trusted);
        Ok(Self::key(ip))
    }
}

/// A 429 with `Retry-After` and the API's error body.
fn too_many(retry_after: u64, message: String) -> Response<Body> {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(ErrorBody::new(ErrorCode::RateLimited, message)),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
    response
}

impl From<Limited> for AppError {
    fn from(l: Limited) -> Self {
        AppError::Limited {
            retry_after: l.retry_after,
            message: l.message,
        }
    }
}

/// A request over a limit: when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: u64,
    pub message: String,
}

type AddressConfig = GovernorConfig<ClientAddr, NoOpMiddleware<QuantaInstant>>;

/// One bucket per client address, shared by every route it is put on (`None` when
/// the limit is off).
#[derive(Clone)]
pub struct PerAddress(Option<Arc<AddressConfig>>);

impl PerAddress {
    pub fn new(rate: Option<Rate>, trusted: &Arc<[IpNet]>) -> Self {
        let config = rate.and_then(|rate| {
            GovernorConfigBuilder::default()
                .key_extractor(ClientAddr::new(trusted.clone()))
                .period(rate.replenish())
                .burst_size(rate.burst.max(1))
                .finish()
        });
        let config = config.map(Arc::new);
        if let Some(config) = &config {
            spawn_cleanup(Arc::downgrade(config));
        }
        Self(config)
    }

    /// The middleware (`None` when the limit is off).
    pub fn layer(&self) -> Option<GovernorLayer<ClientAddr, NoOpMiddleware<QuantaInstant>, Body>> {
        let config = self.0.clone()?;
        Some(
            GovernorLayer::new(config).error_handler(|error| match error {
                GovernorError::TooManyRequests { wait_time, .. } => too_many(
                    wait_time,
                    format!(
                        "too many requests from this address: try again in {} s",
                        wait_time.max(1)
                    ),
                ),
                other => AppError::Internal(other.to_string()).into_response(),
            }),
        )
    }

    /// `route` behind this limit.
    pub fn on(&self, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
        match self.layer() {
            Some(layer) => route.layer(layer),
            None => route,
        }
    }
}

/// Forgets full buckets now and then, so the maps do not grow with every address
/// ever seen.
fn spawn_cleanup(weak: std::sync::Weak<GovernorConfig<ClientAddr, NoOpMiddleware<QuantaInstant>>>) {
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                let Some(config) = weak.upgrade() else { return };
                config.limiter().retain_recent();
            }
        });
    }
}

/// A keyed bucket the services check themselves (per visitor token).
#[derive(Clone)]
pub struct Keyed {
    limiter: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    what: &'static str,
}

impl Keyed {
    pub fn new(rate: Option<Rate>, what: &'static str) -> Self {
        Self {
            limiter: rate.map(|r| Arc::new(DefaultKeyedRateLimiter::keyed(r.quota()))),
            what,
        }
    }

    /// Takes one request from `key`'s bucket.
    pub fn check(&self, key: &str) -> Result<(), Limited> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Limited {
                retry_after: retry_after.max(1),
                message: format!(
                    "too many requests from this {}: try again in {} s",
                    self.what,
                    retry_after.max(1)
                ),
            }
        })
    }

    /// Forgets full buckets.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
        }
    }
}

/// One socket's own bucket.
pub struct PerSocket {
    limiter: Option<governor::DefaultDirectRateLimiter>,
}

impl PerSocket {
    pub fn new(rate: Option<Rate>) -> Self {
        Self {
            limiter: rate.map(|r| governor::RateLimiter::direct(r.quota())),
        }
    }

    /// Whether the socket may send one more frame now.
    pub fn allow(&self) -> bool {
        self.limiter.as_ref().is_none_or(|l| l.check().is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_written_as_a_burst_per_period() {
        assert_eq!(Rate::parse("10/1m"), Ok(Some(Rate::new(10, MINUTE))));
        assert_eq!(
            Rate::parse(" 30/10s "),
            Ok(Some(Rate::new(30, Duration::from_secs(10))))
        );
        assert_eq!(
            Rate::parse("600/h"),
            Ok(Some(Rate::new(600, Duration::from_secs(3600))))
        );
        assert_eq!(Rate::parse("off"), Ok(None));
        for bad in ["", "10", "10/", "0/1m", "10/0s", "ten/1m", "10/1d", "-1/1m"] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rate::new(10, MINUTE).to_string(), "10/1m");
        assert_eq!(Rate::new(10, MINUTE).replenish(), Duration::from_secs(6));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(ClientAddr::key(a), ClientAddr::key(b));
        assert_ne!(ClientAddr::key(a), ClientAddr::key(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        assert_eq!(
            ClientAddr::key(mapped),
            "192.0.2.7".parse::<IpAddr>().expect("ip")
        );
    }

    #[test]
    fn a_bucket_refuses_past_its_burst_and_says_when_to_come_back() {
        let keyed = Keyed::new(Some(Rate::new(2, MINUTE)), "visitor");
        assert!(keyed.check("v1").is_ok());
        assert!(keyed.check("v1").is_ok());
        let limited = keyed.check("v1").expect_err("third");
        assert!((1..=30).contains(&limited.retry_after), "{limited:?}");
        assert!(keyed.check("v2").is_ok(), "another visitor has their own");
        assert!(Keyed::new(None, "visitor").check("v1").is_ok());
        let socket = PerSocket::new(Some(Rate::new(1, MINUTE)));
        assert!(socket.allow());
        assert!(!socket.allow());
    }
}

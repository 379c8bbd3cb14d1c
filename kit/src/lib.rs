//! What the Canal widget (the visitor's frame) and the console (the agents' and
//! admins' app) share in the browser, written once:
//!
//! - [`wire`]: JSON text to and from the protocol's types (the browser parses,
//!   serde-wasm-bindgen maps).
//! - [`http`]: calls to the app's own server, through gloo-net.
//! - [`socket`]: the app's WebSocket, through gloo-net, as open / frame / closed events.
//! - [`backoff`]: the reconnect schedule (pure; native unit tests).
//! - [`ids`]: random ids for idempotency keys and client ids.
//! - [`i18n`]: the language machinery (each app keeps its own tables).
//! - `fake` (feature `fake`, tests only): the wasm tests' fake `fetch` and `WebSocket`.
//!
//! The route paths and every enum's wire string live in `canal_protocol`, not here.

pub mod backoff;
#[cfg(feature = "fake")]
pub mod fake;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod socket;
pub mod wire;

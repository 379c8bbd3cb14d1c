//! Canal server: the HTTP API, the visitor socket and the store.
//!
//! Layout:
//! - [`config`]: typed settings from flags and environment.
//! - [`app`]: shared state, the router (`app`) and `serve`.
//! - [`assets`]: the loader and the built front ends, compressed and cached; JSON compressed.
//! - [`api`]: handlers of `/api/v1/channels/{key}/...`.
//! - [`admin`]: the admin API (bearer token): consent list and export, withdrawals,
//!   agreements, company details.
//! - [`agreements`]: agreements, their immutable versions, HTML sanitising, company details.
//! - [`templates`]: the built-in personal-data agreement templates (EU, RU, BY, KZ).
//! - [`ws`]: the visitor WebSocket.
//! - [`forms`]: the widget's contact form and its agreements (consents with source `form`).
//! - [`hours`]: working hours per channel: the schedule, whether it is open now.
//! - [`identity`]: `Canal.setUser` identities, verified by HMAC with a channel secret.
//! - [`theme`]: a channel's look (colour, launcher side and text, light/dark) and its snippet.
//! - [`messenger`]: consent in messenger chats (notice, then the next message).
//! - [`hub`]: in-process fan-out of new messages (and the agent's typing) to live sockets.
//! - [`typing`]: typing indicators: the throttle of `typing` frames.
//! - [`store`]: SQLite pool, migrations and queries.
//! - [`ledger`]: the append-only, hash-chained consent ledger and its group-commit writer.
//! - [`tokens`]: signed visitor tokens.
//! - [`validate`]: checks on values from outside.
//! - [`agents`]: agent accounts (argon2), console sessions, departments.
//! - [`agent_api`]: console login and the agent socket `/api/v1/agent/ws`.
//! - [`dispatch`]: the routing shell: the engine behind one lock, its decisions
//!   stored, sent to consoles, and offers passed on by a timer.
//! - [`routing`]: the queue engine, a pure core from events to offers and assignments,
//!   with the reasons for every decision.
//! - [`net`]: the client IP, with `X-Forwarded-For` from trusted proxies only.
//! - [`error`]: `AppError` and the JSON extractor, one error shape for the API.
//! - [`demo`]: the demo channel and host page.
//! - [`clock`]: timestamps as the store writes them.

pub mod admin;
pub mod agent_api;
pub mod agents;
pub mod agreements;
pub mod api;
pub mod app;
pub mod assets;
pub mod clock;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod error;
pub mod forms;
pub mod hours;
pub mod hub;
pub mod identity;
pub mod ledger;
pub mod messenger;
pub mod net;
pub mod rating;
pub mod routing;
pub mod store;
pub mod templates;
pub mod theme;
pub mod tokens;
pub mod typing;
pub mod validate;
pub mod ws;

pub use app::{app, serve, spawn_loopback, spawn_on, AppState, Options, Running};
pub use config::Settings;
pub use store::Store;

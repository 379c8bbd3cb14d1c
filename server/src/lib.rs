//! Canal server, the shell: configuration, HTTP handlers per surface, sockets,
//! the realtime hub and the routing shell. The domain is `canal_core` (pure), the
//! store `canal_store` (the only code that names sqlx); dependencies point one way,
//! shell -> store -> core -> protocol, checked by `cargo xtask test` (layers step).
//!
//! Layout:
//! - [`config`]: typed settings from flags and environment.
//! - [`app`]: shared state, the router (`app`) and `serve`.
//! - [`assets`]: the loader and the built front ends, compressed and cached; JSON compressed.
//! - [`api`]: handlers of `/api/v1/channels/{key}/...` (config, consents,
//!   conversations, withdrawals).
//! - [`admin`]: the admin API (bearer token): consent list and export, withdrawals,
//!   agreements, company details.
//! - [`ws`]: the visitor WebSocket.
//! - [`forms`]: handlers of the widget's contact form (visitor and admin).
//! - [`hours`]: working hours per channel: the schedule, whether it is open now.
//! - [`hooks`]: outbound deliveries from the durable outbox: webhook events and
//!   connector replies, signed, retried with backoff.
//! - [`identity`]: handlers of `Canal.setUser` identities and the identity settings.
//! - [`theme`]: a channel's look (colour, launcher side and text, light/dark) and its snippet.
//! - [`messenger`]: the messenger gateway's inbound handler.
//! - [`connectors`]: messenger connectors: their gateways' signed events and their
//!   management.
//! - [`rating`]: the visitor's rating handler.
//! - [`mail`]: the mail sender (SMTP, from the store's outbox) and the transcript
//!   request's handler.
//! - [`due`]: the loop of a leased queue in the store (the mail outbox, the timers,
//!   the deliveries).
//! - [`timers`]: durable timers: the automatic actions (unanswered mark, auto-close)
//!   and the automation settings' handlers.
//! - [`hub`]: in-process fan-out of new messages (the agent's typing, the visitor's
//!   draft) to live sockets.
//! - [`preview`]: each channel's live typing preview switch, cached for the socket.
//! - [`validate`]: checks on values from outside.
//! - [`agents`]: agent accounts (argon2), console sessions, departments.
//! - [`agent_api`]: console login and the agent socket `/api/v1/agent/ws`.
//! - [`list`]: the conversation list and labels in the console's API.
//! - [`services`]: the use cases (start a conversation, grant, withdraw, save to
//!   CRM, the contact form, ratings, identities, messenger chats), called by the
//!   handlers with parsed values; they never see a request (layer check).
//! - [`dispatch`]: the routing shell: one task owns the engine and is fed by a
//!   channel of jobs, one ordered writer stores its decisions and tells the
//!   consoles, and a timer passes offers on.
//! - [`bans`]: banned addresses and visitors in force, checked on the visitor API.
//! - [`limits`]: rate limits per address, per visitor token and per socket.
//! - [`net`]: the client IP, with `X-Forwarded-For` from trusted proxies only.
//! - [`error`]: `AppError` and the JSON extractor, one error shape for the API.
//! - [`demo`]: the demo channel and host page.

pub mod admin;
pub mod agent_api;
pub mod agents;
pub mod api;
pub mod app;
pub mod assets;
pub mod bans;
pub mod config;
pub mod connectors;
pub mod demo;
pub mod dispatch;
pub mod due;
pub mod error;
pub mod forms;
pub mod hooks;
pub mod hours;
pub mod hub;
pub mod identity;
pub mod limits;
pub mod list;
pub mod mail;
pub mod messenger;
pub mod net;
pub mod preview;
pub mod rating;
pub mod services;
pub mod theme;
pub mod timers;
pub mod validate;
pub mod ws;

// The layers below the shell, under the names the shell's modules use.
pub use canal_core::{agreements, clock, ledger, routing, templates, tokens, typing};
pub use canal_store as store;

pub use app::{app, serve, spawn_loopback, spawn_on, AppState, Options, Running};
pub use config::Settings;
pub use store::Store;

//! The Canal agent console, served under `/console/` (Leptos, client-side
//! rendered, compiled to WebAssembly). Agents sign in, see their inbox live over
//! the agent socket, take offers, answer, transfer and close conversations;
//! supervisors also see the queue and their colleagues' conversations; admins
//! also get the message log (every channel's conversations, filtered, each with
//! its history, rating and routing log) and a settings view for agents and
//! channels (each channel's settings, snippet, managers, routing and working
//! hours), and bans of addresses, networks and visitors.
//!
//! Layout:
//! - [`components`]: one module per component; [`components::App`] is the root.
//! - [`session`]: the agent socket, reconnects and actions, around the state.
//! - [`state`]: the inbox reducer and pending replies (pure; native unit tests).
//! - [`settings`]: the admin settings forms and the requests they make (pure).
//! - [`automation`]: the form of a channel's automatic actions (pure).
//! - [`crm`]: the form of a channel's CRM settings (pure).
//! - [`log`]: the message log's filters, pages and channel choices (pure).
//! - [`reports`]: the KPI reports page's query, durations and chart (pure).
//! - [`bans`]: the form for a new ban and the request it makes (pure).
//! - [`canned`]: canned answers in the reply box and their settings' form (pure).
//! - [`api`]: HTTP calls (login, `me`, logout, admin) and the WebSocket.
//! - [`time`]: RFC 3339 times as clock times, dates and countdowns.
//! - [`i18n`]: the UI texts.

pub mod alerts;
pub mod api;
pub mod automation;
pub mod bans;
pub mod canned;
pub mod components;
pub mod crm;
pub mod i18n;
pub mod log;
pub mod reports;
pub mod session;
pub mod settings;
pub mod state;
pub mod time;

/// Mounts the agents' console on `<body>`: what the `canal-console` binary runs
/// (served under `/console/`).
pub fn mount() {
    leptos::mount::mount_to_body(components::AgentApp);
}

/// Mounts the full console (the agents' one with the message log, settings and
/// bans in place) on `<body>`: what the `canal-admin` binary runs (served under
/// `/console/admin/`). Two binaries rather than one, so that the admin pages' code
/// is not in the wasm every agent loads.
pub fn mount_admin() {
    leptos::mount::mount_to_body(components::App);
}

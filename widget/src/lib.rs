//! The Canal visitor chat, as it runs inside the frame `/widget/` (Leptos, client-side
//! rendered, compiled to WebAssembly). The loader `embed.js` (next to this crate's
//! `Cargo.toml`, served as `/embed.js`) inserts the frame when the visitor asks for the
//! chat.
//!
//! Layout:
//! - [`components`]: one module per component; [`components::App`] is the root.
//! - [`state`]: the chat window as plain data and a pure reducer (consent,
//!   conversation start, socket and outbox, contact form, rating, mail, identity
//!   and withdrawal): inputs in, state and effects out; native unit tests.
//! - [`session`]: the shell: one signal of the state and the runner of its effects.
//! - [`chat`]: the transcript model (pure; native unit tests).
//! - [`form`]: the contact form's rules (pure; native unit tests).
//! - [`api`]: the calls to the server, on the shared kit (`canal_kit`: gloo-net,
//!   JSON through the protocol's serde derives, the socket and its backoff).
//! - [`host`]: the `postMessage` contract with the loader on the host page.
//! - [`storage`]: the visitor's session in `localStorage`, written only after consent.
//! - [`i18n`]: the UI texts (en, es, ru).

pub mod api;
pub mod chat;
pub mod components;
pub mod form;
pub mod host;
pub mod i18n;
pub mod session;
pub mod state;
pub mod storage;

/// Mounts the frame app on `<body>`: what the `canal-widget` binary runs.
pub fn mount() {
    leptos::mount::mount_to_body(components::App);
}

//! Canal's domain, pure: no axum, sqlx or tokio (the layer check in
//! `cargo xtask test` fails on any). The store persists these types; the server
//! (the shell) feeds them events and sends what they decide.
//!
//! Layout:
//! - [`error`]: [`Rejected`], the domain's refusals, and the `str_enum!` helper.
//! - [`routing`]: the queue engine, from events to offers and assignments, with the
//!   reasons for every decision.
//! - [`agreements`]: agreements, versions and company details: types and checks,
//!   HTML sanitising.
//! - [`channels`]: a channel's key, name, title, greeting, language and sites.
//! - [`templates`]: the built-in personal-data agreement templates.
//! - [`automation`]: automatic actions on durable timers: what arms, cancels
//!   and fires them.
//! - [`hours`]: working hours: the schedule and whether a channel is open at an instant.
//! - [`kpi`]: response-time KPIs: waits with working hours, figures, overdue timers.
//! - [`ledger`]: consent records, their hash chain and its check.
//! - [`identity`]: `Canal.setUser` identities: the HMAC, its window, the fields.
//! - [`theme`]: a channel's look and the snippet that carries it.
//! - [`forms`]: what a contact form may hold and what a submission must.
//! - [`validate`]: checks on values from outside (URLs, ids, texts, names,
//!   e-mail addresses, phone numbers).
//! - [`mail`]: the e-mails to visitors (transcripts, answers after they left).
//! - [`signature`]: HMAC signatures of webhook deliveries and connector events.
//! - [`connectors`]: messenger connectors' tag filter, group-chat texts, checks.
//! - [`tokens`]: signed visitor tokens.
//! - [`typing`]: the throttle of typing indicators and of the live typing preview.
//! - [`crm`]: the CRM and chat tracker: phones in E.164, e-mails, details found
//!   in messages, merges.
//! - [`clock`]: timestamps as the store writes them.

pub mod addresses;
pub mod agreements;
pub mod automation;
pub mod canned;
pub mod channels;
pub mod clock;
pub mod connectors;
pub mod crm;
pub mod error;
pub mod forms;
pub mod hours;
pub mod identity;
pub mod kpi;
pub mod ledger;
pub mod mail;
pub mod routing;
pub mod signature;
pub mod templates;
pub mod theme;
pub mod tokens;
pub mod typing;
pub mod validate;

pub use error::{Refusal, Rejected};

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// The bytes of a hex digest or signature someone sent (at most 64 bytes);
/// `None` when it is not hex.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() > 128 {
        return None;
    }
    hex::decode(s).ok()
}

/// A new random id (UUID v4), as the store keys rows.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

//! The services: the server's use cases, called by the handlers of every surface
//! (visitor API, admin API, messenger gateway, sockets) with values already
//! parsed. They check the rules (with [`canal_core`]), call the store and the
//! routing shell, and fail with an [`crate::error::AppError`]; they never see a
//! request (the layer check refuses `axum` here).
//!
//! - [`automation`]: the events that arm and cancel a conversation's timers; the
//!   channel's automation settings.
//! - [`bans`]: banned addresses and visitors, made and lifted by admins.
//! - [`channels`]: channels as the admin manages them.
//! - [`visitors`]: the channel a key names, the visitor a token stands for.
//! - [`conversations`]: the channel's config for the widget; starting a conversation.
//! - [`connectors`]: messenger connectors: settings, their gateways' signed events
//!   through the tag filter into messenger chats.
//! - [`consents`]: the ledger's use cases: append, grant, withdraw, save to CRM.
//! - [`crm`]: the CRM and the chat tracker: contacts, leads and deals, the
//!   customer card, the responsible agent, who hears of a customer's message.
//! - [`forms`]: the contact form: save, show, submit.
//! - [`ratings`]: the visitor's rating of a conversation.
//! - [`identity`]: `Canal.setUser` identities and the channel's identity settings.
//! - [`integrations`]: API keys, webhook endpoints, delivery logs and re-sends,
//!   the integrations' message post.
//! - [`kpi`]: response-time KPIs: overdue notices, reports, transcripts.
//! - [`figures`]: each conversation's stored figures, recomputed off the message
//!   path by one task.
//! - [`log`]: the conversation list: searched, filtered, as each agent may see it;
//!   one conversation in full.
//! - [`search`]: the messages' full-text index, kept by one task off the message
//!   path.
//! - [`labels`]: labels admins create and agents set on conversations.
//! - [`messenger`]: messenger chats and their consent by continuing.
//! - [`mail`]: e-mail to visitors: transcripts, answers after they left.

pub mod automation;
pub mod bans;
pub mod canned;
pub mod channels;
pub mod connectors;
pub mod consents;
pub mod conversations;
pub mod crm;
pub mod figures;
pub mod forms;
pub mod identity;
pub mod integrations;
pub mod kpi;
pub mod labels;
pub mod log;
pub mod mail;
pub mod messenger;
pub mod ratings;
pub mod search;
pub mod visitors;

//! Integration tests of the server over real sockets: the app bound to
//! 127.0.0.1:0, a fresh database per test: a SQLite file, or with
//! `CANAL_TEST_STORE=postgres` a new database on the cluster `cargo xtask test` starts.

mod admin_consents;
mod agents;
mod agreements;
mod api_keys;
mod bans;
mod canned;
mod channels;
mod closing;
mod connectors;
mod consents;
mod conversation_list;
mod conversation_log;
mod conversations;
mod crm_messenger;
mod crm_records;
mod crm_tracker;
mod durability;
mod forms;
mod helpers;
mod hours;
mod identity;
mod kpi;
mod ledger;
mod limits;
mod list_figures;
mod mail;
mod messages;
mod notes;
mod origins;
mod permissions;
mod pg;
mod preview;
mod rating;
mod readme;
mod receiver;
mod routes;
// The SMTP receiver the end-to-end tests use too: one file, two test crates.
#[path = "../../../tests/src/smtp.rs"]
mod smtp;
mod socket;
mod supervisors;
mod theme;
mod timers;
mod typing;
mod visitor_pages;
mod webhooks;
mod withdrawal;

//! The end-to-end suite: the real server, real pages and real headless Chromium.
//!
//! One test binary for all the areas (each a module below): linking a binary with the
//! server, fantoccini and reqwest costs about 280 MB and several seconds, once per
//! binary. `cargo test -p canal-e2e AREA::` runs one area, e.g. `widget_forms::`.

mod a11y;
mod alerts;
mod automation;
mod bans;
mod canned;
mod console;
mod console_i18n;
mod conversation_list;
mod crm;
mod csp;
mod delivery;
mod hours;
mod keyboard;
mod kpi;
mod limits;
mod log;
mod mail;
mod notes;
mod preview;
mod settings_editors;
mod setup;
mod theme;
mod typing;
mod visitor_pages;
mod widget;
mod widget_forms;
mod withdrawal;

//! The console's components, one module each. [`AgentApp`] is the root of the
//! agents' console (`/console/`), [`App`] of the full one (`/console/admin/`);
//! [`Workspace`] is everything behind the sign-in, with the chat and, in the full
//! console, for admins, the [`MessageLog`] and the [`Settings`].
//!
//! The console ships compiled with Leptos's type-erased views (`--cfg
//! erase_components`, set by xtask for the console's builds and tests: see
//! `CONSOLE_RUSTFLAGS` there), which keeps its wasm within the size budget. The
//! components are written as for any Leptos build and compile either way; a plain
//! `cargo build` or `trunk build` of the console works too, only larger.

mod alerts;
mod app;
mod automation;
mod bans;
mod canned;
mod composer;
mod conversation;
mod crm_card;
mod crm_settings;
mod inbox;
mod labels;
mod language;
mod log;
mod login;
mod message_list;
mod notice;
mod overdue;
mod reports;
mod routing_log;
mod settings;
mod top_bar;
mod workspace;

pub use alerts::{load_prefs, raise, AlertsMenu};
pub use app::{AgentApp, App};
pub use automation::ChannelAutomation;
pub use bans::{BanForm, Bans};
pub use canned::ChannelCanned;
pub use composer::Composer;
pub use conversation::{Conversation, ConversationPane};
pub use crm_card::CustomerCard;
pub use crm_settings::ChannelCrm;
pub use inbox::{Inbox, InboxItem, InboxSection};
pub use labels::LabelSettings;
pub use language::LanguagePicker;
pub use log::MessageLog;
pub use login::Login;
pub use message_list::MessageList;
pub use notice::Notice;
pub use overdue::OverdueNotices;
pub use reports::Reports;
pub use routing_log::RoutingLog;
pub use settings::Settings;
pub use top_bar::TopBar;
pub use workspace::{admin_pages, AdminPages, Page, Workspace, ADMIN_PAGES, FULL_CONSOLE};

//! The frame's components, one module each. [`App`] is the root the binary mounts.

mod app;
mod chat_window;
mod composer;
mod consent_prompt;
mod header;
mod message_list;

pub use app::App;
pub use chat_window::ChatWindow;
pub use composer::Composer;
pub use consent_prompt::ConsentPrompt;
pub use header::Header;
pub use message_list::MessageList;

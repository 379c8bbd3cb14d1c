//! The frame's components, one module each. [`App`] is the root the binary mounts.
//!
//! The frame has a 100 KB brotli budget, and generic view code is most of it. Habits
//! that keep it small (each measured): props take the concrete reactive type
//! (`ReadSignal<T>`, `Memo<T>`) rather than `Signal<T>`, whose every instance carries
//! the code of all the kinds it can wrap; branches are `Either`/`EitherOf3`, not
//! `.into_any()`; texts go through [`crate::i18n::tr`], one closure type for all.

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
pub use header::{Avatar, Header};
pub use message_list::MessageList;

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
mod contact_form;
mod header;
mod mail_form;
mod menu;
mod message_list;

pub use app::App;
pub use chat_window::ChatWindow;
pub use composer::Composer;
pub use consent_prompt::{ConsentPrompt, FullTextLink};
pub use contact_form::ContactForm;
pub use header::{Avatar, Header};
pub use mail_form::MailForm;
pub use menu::{Menu, RateDialog, WithdrawConfirm};
pub use message_list::MessageList;

/// Moves focus to the element with this id once it is drawn (and the window no
/// longer inert). By id rather than `NodeRef`: one function for every target.
pub fn focus_later(id: &'static str) {
    use wasm_bindgen::JsCast;
    leptos::prelude::request_animation_frame(move || {
        let element = leptos::prelude::document().get_element_by_id(id);
        if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
}

/// What Tab can reach in the window now: enabled controls outside anything hidden or
/// inert (behind an open dialog).
const FOCUSABLE: &str =
    ".cn-window :is(button,textarea,input,a[href]):not([disabled],[hidden],[inert] *,[hidden] *)";

/// Moves focus to the first (or last) control Tab can reach in the window: the
/// window's two guards call it, so focus goes round instead of leaving the frame.
pub fn wrap_focus(to_first: bool) {
    use wasm_bindgen::JsCast;
    let Ok(found) = leptos::prelude::document().query_selector_all(FOCUSABLE) else {
        return;
    };
    let at = if to_first {
        0
    } else {
        found.length().saturating_sub(1)
    };
    if let Some(element) = found
        .item(at)
        .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

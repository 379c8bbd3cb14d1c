//! The transcript on screen.

use leptos::prelude::*;

use crate::{
    chat::{author_str, Entry},
    i18n::use_strings,
};

/// The greeting and the messages, as a polite live region: screen readers announce
/// new messages without interrupting. Every text is rendered as text, never HTML.
/// Keeps the newest message in view (by CSS).
#[component]
pub fn MessageList(
    /// The channel's greeting, shown first.
    greeting: Option<String>,
    /// The messages, oldest first.
    #[prop(into)]
    messages: Signal<Vec<Entry>>,
) -> impl IntoView {
    let t = use_strings();
    view! {
        // The scroller is a reversed flex column around the list, so the browser keeps
        // the newest message in view without script.
        <div class="cn-scroll">
        <ol class="cn-log" role="log" aria-live="polite" aria-label=t.messages>
            {greeting.filter(|text| !text.is_empty()).map(|text| view! {
                <li class="cn-msg" data-testid="greeting" data-author="system">{text}</li>
            })}
            {move || {
                messages
                    .get()
                    .into_iter()
                    .map(|entry| {
                        let status = entry.status().as_str();
                        view! {
                            <li
                                class="cn-msg"
                                data-testid="message"
                                data-author=author_str(entry.author)
                                data-status=status
                            >
                                {entry.text}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
        </div>
    }
}

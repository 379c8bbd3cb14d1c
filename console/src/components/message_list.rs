//! The messages of the open conversation.

use canal_protocol::Author;
use leptos::prelude::*;

use crate::{
    i18n::{tr, use_locale, use_strings},
    state::{author_str, Delivery, Entry},
    time::local_clock,
};

/// Visitor, agent and system messages, styled apart, each with its author and
/// time (or "Sending…", or "Not sent" with the server's reason, for this agent's
/// replies), as a polite live
/// region: screen readers announce new messages without interrupting. Text is
/// rendered as text, never as HTML. The newest message stays in view (by CSS).
#[component]
pub fn MessageList(
    /// The messages, oldest first.
    #[prop(into)]
    entries: Signal<Vec<Entry>>,
    /// The history is on its way.
    #[prop(into)]
    loading: Signal<bool>,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    view! {
        // A reversed flex column around the list keeps the newest message in view.
        // The live region is the scroller: `role="log"` on the <ol> would take away
        // its list role and orphan the <li>s (axe: listitem).
        <div class="cc-scroll" role="log" aria-live="polite" aria-label=tr(|t| t.messages)>
            <ol class="cc-messages" data-testid="message-list">
                <For
                    each=move || entries.get()
                    key=|e| (e.key.clone(), e.delivery, e.sent_at.clone(), e.refused)
                    children=move |entry| {
                        let (author, given) = (entry.author, entry.name.clone());
                        let name = move || {
                            let t = t.get();
                            given.clone().unwrap_or_else(|| {
                                match author {
                                    Author::Visitor => t.visitor,
                                    Author::Agent => t.agent,
                                    Author::System => t.system,
                                }
                                .to_owned()
                            })
                        };
                        let (sent_at, delivery, refused) = (
                            entry.sent_at.clone(),
                            entry.delivery,
                            entry.refused,
                        );
                        let time = move || {
                            let t = t.get();
                            match (&sent_at, delivery) {
                                (_, Delivery::Failed) => match refused {
                                    Some(code) => format!("{}: {}", t.failed, t.refusal(code)),
                                    None => t.failed.to_owned(),
                                },
                                (Some(at), _) => local_clock(at, &locale()),
                                (None, Delivery::Pending) => t.pending.to_owned(),
                                (None, Delivery::Sent) => String::new(),
                            }
                        };
                        let note = entry.note;
                        view! {
                            <li
                                class="cc-msg"
                                data-testid=if note { "note" } else { "message" }
                                data-author=if note { "note" } else { author_str(entry.author) }
                                data-status=entry.delivery.as_str()
                                data-refused=entry.refused.map(|code| code.as_str())
                            >
                                <p class="cc-msg-meta">
                                    <span class="cc-msg-name">{name}</span>
                                    {note.then(|| view! { <span class="cc-note-tag">{tr(|t| t.private_note)}</span> })}
                                    <time class="cc-msg-time" datetime=entry.sent_at.clone()>{time}</time>
                                </p>
                                <p class="cc-msg-text" data-testid="message-text">{entry.text}</p>
                            </li>
                        }
                    }
                />
            </ol>
            <p class="cc-loading" role="status" hidden=move || !loading.get()>{tr(|t| t.loading_conversation)}</p>
        </div>
    }
}

//! The transcript on screen.

use canal_protocol::Author;
use leptos::prelude::*;

use super::Avatar;
use crate::{
    chat::{author_str, shows_author, Transcript},
    i18n::{sent_time, tr, use_strings},
};

/// The greeting and the messages, as a polite live region: screen readers announce
/// new messages without interrupting. Every text is rendered as text, never HTML.
/// An agent's name (and avatar) shows above the first of their messages in a row;
/// system messages are centred notices. Keeps the newest message in view (by CSS).
#[component]
pub fn MessageList(
    /// The channel's greeting, shown first.
    greeting: Option<String>,
    /// The greeting by language, shown instead while the window speaks it.
    #[prop(optional)]
    greetings: canal_protocol::LocalGreetings,
    /// The conversation.
    transcript: Memo<Transcript>,
) -> impl IntoView {
    let strings = use_strings();
    view! {
        // The scroller is a reversed flex column around the list, so the browser keeps
        // the newest message in view without script.
        // The live region is the scroller, not the list: `role="log"` on the <ol>
        // would take away its list role and orphan the <li>s (axe: listitem).
        <div class="cn-scroll" role="log" aria-live="polite" aria-label=tr(|t| t.messages)>
        <ol class="cn-log">
            {move || {
                let text = greetings.get(strings.get().lang).or(greeting.as_ref())?;
                Some(view! {
                    <li class="cn-msg" data-testid="greeting" data-author="system">{text.clone()}</li>
                })
            }}
            {move || transcript.with(|transcript| {
                let entries = transcript.entries();
                entries
                    .iter()
                    .enumerate()
                    .map(|(at, entry)| {
                        let who = shows_author(entries, at)
                            .then(|| (entry.author_name.clone(), entry.author_avatar.clone()));
                        view! {
                            <li
                                class=if entry.author == Author::System { "cn-msg cn-note" } else { "cn-msg" }
                                data-testid="message"
                                data-author=author_str(entry.author)
                                data-status=entry.status().as_str()
                                data-time=entry.sent_at.as_deref().and_then(|at| sent_time(strings.get(), at))
                            >
                                {who.map(|(name, avatar)| view! {
                                    <span class="cn-who" data-testid="message-author">
                                        {avatar.map(|src| view! { <Avatar src=src /> })}
                                        {name}
                                    </span>
                                })}
                                {entry.text.clone()}
                            </li>
                        }
                    })
                    .collect_view()
            })}
        </ol>
        </div>
    }
}

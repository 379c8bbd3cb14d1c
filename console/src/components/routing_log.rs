//! The routing decisions about the open conversation.

use canal_protocol::agent::RoutingLogLine;
use leptos::prelude::*;

use crate::{i18n::use_strings, time::local_clock_seconds};

/// Every routing decision in words with its time, oldest first; new decisions
/// are appended live.
#[component]
pub fn RoutingLog(
    /// The decisions, oldest first.
    #[prop(into)]
    lines: Signal<Vec<RoutingLogLine>>,
) -> impl IntoView {
    let t = use_strings();
    view! {
        <aside class="cc-log" data-testid="routing-log" aria-labelledby="cc-log-title">
            <h2 id="cc-log-title" class="cc-side-title">{t.routing_log}</h2>
            <ol class="cc-log-lines">
                <For
                    each=move || lines.get().into_iter().enumerate()
                    key=|(i, line)| (*i, line.at.clone(), line.text.clone())
                    children=move |(_, line)| {
                        view! {
                            <li class="cc-log-line" data-testid="routing-log-line">
                                <time class="cc-log-time" datetime=line.at.clone()>
                                    {local_clock_seconds(&line.at)}
                                </time>
                                <span class="cc-log-text">{line.text}</span>
                            </li>
                        }
                    }
                />
            </ol>
            <p class="cc-empty" hidden=move || !lines.with(Vec::is_empty)>{t.routing_log_empty}</p>
        </aside>
    }
}

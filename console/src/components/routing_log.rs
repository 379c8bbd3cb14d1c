//! The routing decisions about a conversation.

use canal_protocol::agent::RoutingLogLine;
use leptos::prelude::*;

use crate::{
    i18n::{tr, use_locale},
    time::local_clock_seconds,
};

/// Every routing decision in words with its time, oldest first; new decisions
/// are appended live.
#[component]
pub fn RoutingLog(
    /// The decisions, oldest first.
    #[prop(into)]
    lines: Signal<Vec<RoutingLogLine>>,
    /// The id of its heading (`cc-log-title` unless another view shows one too).
    #[prop(default = "cc-log-title")]
    title_id: &'static str,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <aside class="cc-log" data-testid="routing-log" aria-labelledby=title_id>
            <h2 id=title_id class="cc-side-title">{tr(|t| t.routing_log)}</h2>
            <ol class="cc-log-lines">
                <For
                    each=move || lines.get().into_iter().enumerate()
                    key=|(i, line)| (*i, line.at.clone(), line.text.clone())
                    children=move |(_, line)| {
                        let at = line.at.clone();
                        view! {
                            <li class="cc-log-line" data-testid="routing-log-line">
                                <time class="cc-log-time" datetime=line.at.clone()>
                                    {move || local_clock_seconds(&at, &locale())}
                                </time>
                                <span class="cc-log-text">{line.text}</span>
                            </li>
                        }
                    }
                />
            </ol>
            <p class="cc-empty" hidden=move || !lines.with(Vec::is_empty)>{tr(|t| t.routing_log_empty)}</p>
        </aside>
    }
}

//! The inbox: offers, own conversations, and for supervisors the queue and
//! colleagues' conversations, updated live.

use canal_protocol::agent::InboxKind;
use leptos::{ev::MouseEvent, prelude::*};

use crate::{
    i18n::{tr, use_locale, use_strings},
    session::Console,
    state::kind_str,
    time::{countdown, local_when, parse_rfc3339},
};

/// The sections this agent sees (see `ConsoleState::sections`), each an
/// [`InboxSection`], under a filter that keeps only the conversations marked
/// unanswered (`data-testid="filter-unanswered"`, with their count).
#[component]
pub fn Inbox() -> impl IntoView {
    let console = expect_context::<Console>();
    let sections = Memo::new(move |_| console.state.with(|s| s.sections()));
    let unanswered = Memo::new(move |_| console.state.with(|s| s.unanswered_count()));
    let only = Memo::new(move |_| console.state.with(|s| s.only_unanswered));
    view! {
        <nav class="cc-inbox" aria-label=tr(|t| t.inbox) data-testid="inbox">
            <label class="cc-inbox-filter">
                <input
                    type="checkbox"
                    data-testid="filter-unanswered"
                    prop:checked=move || only.get()
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        console.state.update(|s| s.filter_unanswered(checked));
                    }
                />
                " " {tr(|t| t.only_unanswered)} " "
                <span class="cc-count" data-testid="unanswered-count">{move || unanswered.get()}</span>
            </label>
            <For
                each=move || sections.get()
                key=|kind| *kind
                children=move |kind| view! { <InboxSection kind=kind /> }
            />
        </nav>
    }
}

/// One section of the inbox (`data-testid="inbox-<kind>"`): heading with a count,
/// its lines in order, or a sentence when it is empty.
#[component]
pub fn InboxSection(
    /// Which conversations: offered, mine, waiting or others.
    kind: InboxKind,
) -> impl IntoView {
    let t = use_strings();
    let console = expect_context::<Console>();
    let ids = Memo::new(move |_| console.state.with(|s| s.section(kind)));
    let name = kind_str(kind);
    let heading = format!("cc-section-{name}");
    let labelled_by = heading.clone();
    view! {
        <section class="cc-section" data-testid=format!("inbox-{name}") aria-labelledby=labelled_by>
            <h2 id=heading class="cc-section-title">
                {move || t.get().section(kind)}
                <span class="cc-count">{move || ids.with(Vec::len)}</span>
            </h2>
            <ul class="cc-list">
                <For
                    each=move || ids.get()
                    key=|id| id.clone()
                    children=move |id| view! { <InboxItem id=id /> }
                />
            </ul>
            <p class="cc-empty" hidden=move || !ids.with(Vec::is_empty)>
                {move || t.get().empty_section(kind)}
            </p>
        </section>
    }
}

/// A URL without its scheme and trailing slash, as a line shows it.
pub fn short_url(url: &str) -> &str {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    rest.strip_suffix('/').unwrap_or(rest)
}

/// One line (`data-testid="conversation-item"`, `data-conversation-id`): channel,
/// time, last message, page, the unanswered mark, the visitor's rating
/// (`item-rating`), whether the visitor is typing,
/// unread count.
/// Clicking the line (or its button, by keyboard) opens the conversation. Offers
/// also show the time left before they pass on, with Take and Decline; queue
/// lines show Take.
#[component]
pub fn InboxItem(
    /// The conversation's id.
    id: String,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let console = expect_context::<Console>();
    let line = {
        let id = id.clone();
        Memo::new(move |_| {
            console
                .state
                .with(|s| s.line(&id).map(|l| (l.summary.clone(), l.unread)))
        })
    };
    let unanswered =
        Memo::new(move |_| line.with(|l| l.as_ref().is_some_and(|(s, _)| s.unanswered)));
    // The visitor's rating, on the line too: a rating after the close brings the
    // conversation back, and its line says why.
    let rated = Memo::new(move |_| {
        line.with(|l| {
            l.as_ref()
                .and_then(|(s, _)| s.rating.as_ref().map(|r| r.rating))
        })
    });
    let rated_text = move || match rated.get() {
        Some(canal_protocol::rating::Rating::Like) => t.get().rated_like,
        Some(canal_protocol::rating::Rating::Dislike) => t.get().rated_dislike,
        None => "",
    };
    let is_open = {
        let id = id.clone();
        Memo::new(move |_| {
            console
                .state
                .with(|s| s.open.as_ref().is_some_and(|o| o.id == id))
        })
    };
    let kind = Memo::new(move |_| line.with(|l| l.as_ref().map(|(s, _)| s.kind)));
    let typing = {
        let id = id.clone();
        Memo::new(move |_| console.state.with(|s| s.visitor_typing(&id)))
    };
    let field = move |f: fn(&canal_protocol::agent::ConversationSummary) -> Option<String>| {
        line.with(|l| l.as_ref().and_then(|(s, _)| f(s)))
    };
    let title = move || field(|s| Some(s.channel_title.clone())).unwrap_or_default();
    let last = move || field(|s| s.last_message.clone());
    // Where the visitor is now, else where they started.
    let page = move || field(|s| s.page_now.clone().or_else(|| s.page_url.clone()));
    let when = move || {
        field(|s| Some(s.created_at.clone()))
            .map(|at| local_when(&at, console.now.get_untracked(), &locale()))
    };
    let created = move || field(|s| Some(s.created_at.clone()));
    let unread = move || line.with(|l| l.as_ref().map_or(0, |(_, unread)| *unread));
    let deadline = move || field(|s| s.offer_deadline.clone());
    let left = move || {
        let deadline = deadline().as_deref().and_then(parse_rfc3339)?;
        Some(format!(
            "{} {}",
            t.get().passes_on_in,
            countdown(deadline, console.now.get())
        ))
    };

    let open = {
        let id = id.clone();
        move |_: MouseEvent| console.open(&id)
    };
    let take = {
        let id = id.clone();
        move |ev: MouseEvent| {
            ev.stop_propagation();
            console.take(&id);
        }
    };
    let decline = {
        let id = id.clone();
        move |ev: MouseEvent| {
            ev.stop_propagation();
            console.decline(&id);
        }
    };
    let offered = move || kind.get() == Some(InboxKind::Offered);
    let takeable = move || matches!(kind.get(), Some(InboxKind::Offered | InboxKind::Waiting));

    view! {
        <li
            class="cc-item"
            data-testid="conversation-item"
            data-conversation-id=id
            data-kind=move || kind.get().map(kind_str)
            aria-current=move || is_open.get().then_some("true")
            on:click=open
        >
            <button type="button" class="cc-item-main">
                <span class="cc-item-head">
                    <span class="cc-item-title">{title}</span>
                    <time class="cc-item-time" datetime=created>{when}</time>
                </span>
                <span class="cc-item-last" class:cc-muted=move || last().is_none()>
                    {move || last().unwrap_or_else(|| t.get().no_messages_yet.to_owned())}
                </span>
                <span class="cc-item-foot">
                    <span class="cc-item-page" title=page>
                        {move || page().map(|url| short_url(&url).to_owned())}
                    </span>
                    <span class="cc-badge cc-unanswered" data-testid="item-unanswered" hidden=move || !unanswered.get()>
                        {tr(|t| t.unanswered)}
                    </span>
                    <span
                        class="cc-badge"
                        data-testid="item-rating"
                        data-rating=move || rated.get().map(|r| r.as_str())
                        hidden=move || rated.get().is_none()
                    >
                        {rated_text}
                    </span>
                    <span class="cc-item-typing" data-testid="item-typing" hidden=move || !typing.get()>
                        {tr(|t| t.typing_short)}
                    </span>
                    <span class="cc-unread" hidden=move || unread() == 0>
                        {move || t.get().unread(unread())}
                    </span>
                </span>
            </button>
            {move || {
                takeable()
                    .then(|| {
                        let take = take.clone();
                        let decline = decline.clone();
                        view! {
                            <div class="cc-item-offer">
                                {offered()
                                    .then(|| {
                                        view! {
                                            <span class="cc-deadline" data-testid="offer-deadline">
                                                <time datetime=deadline>{left}</time>
                                            </span>
                                        }
                                    })}
                                <button
                                    type="button"
                                    class="cc-button cc-primary cc-small"
                                    data-testid="take"
                                    disabled=move || !console.live()
                                    on:click=take
                                >
                                    {tr(|t| t.take)}
                                </button>
                                {offered()
                                    .then(|| {
                                        view! {
                                            <button
                                                type="button"
                                                class="cc-button cc-small"
                                                data-testid="decline"
                                                disabled=move || !console.live()
                                                on:click=decline
                                            >
                                                {tr(|t| t.decline)}
                                            </button>
                                        }
                                    })}
                            </div>
                        }
                    })
            }}
        </li>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::short_url;

    #[test]
    fn lines_show_urls_without_scheme() {
        assert_eq!(short_url("https://shop.example/"), "shop.example");
        assert_eq!(short_url("http://shop.example/p?q=1"), "shop.example/p?q=1");
        assert_eq!(short_url("shop"), "shop");
    }
}

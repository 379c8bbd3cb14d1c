//! The conversation view: header with actions, messages, composer, routing log.

use canal_protocol::agent::{AgentSummary, InboxKind, Role};
use canal_protocol::rating::Rating;
use leptos::prelude::*;

use super::{Composer, CustomerCard, MessageList, RoutingLog};
use crate::{
    i18n::{tr, use_locale, use_strings, Strings},
    session::Console,
    state::{status_str, utm_text, Standing},
    time::local_clock,
};

/// The main column: the open [`Conversation`], or a hint to pick one.
#[component]
pub fn ConversationPane() -> impl IntoView {
    let console = expect_context::<Console>();
    let open_id = Memo::new(move |_| {
        console
            .state
            .with(|s| s.open.as_ref().map(|open| open.id.clone()))
    });
    view! {
        <main class="cc-pane">
            {move || match open_id.get() {
                None => view! { <p class="cc-placeholder">{tr(|t| t.pick_conversation)}</p> }.into_any(),
                Some(id) => view! { <Conversation id=id /> }.into_any(),
            }}
        </main>
    }
}

fn standing_text(t: &Strings, standing: Option<Standing>) -> &'static str {
    match standing {
        Some(Standing::Listed(InboxKind::Offered)) => t.standing_offered,
        Some(Standing::Listed(InboxKind::Mine)) => t.standing_mine,
        Some(Standing::Listed(InboxKind::Waiting)) => t.standing_waiting,
        Some(Standing::Listed(InboxKind::Others)) => t.standing_others,
        Some(Standing::Listed(InboxKind::Closed) | Standing::Closed) => t.standing_closed,
        Some(Standing::Gone) | None => t.standing_gone,
    }
}

fn standing_str(standing: Option<Standing>) -> &'static str {
    match standing {
        Some(Standing::Listed(kind)) => crate::state::kind_str(kind),
        Some(Standing::Closed) => "closed",
        Some(Standing::Gone) | None => "gone",
    }
}

/// A colleague as the transfer list shows them.
fn colleague_label(t: &Strings, agent: &AgentSummary) -> String {
    format!(
        "{} ({}, {} {})",
        agent.name,
        t.status(agent.status),
        t.holding,
        agent.holding
    )
}

/// A host page's address: a link when it is a web page (never `javascript:` or the
/// like), text otherwise.
fn page_link(url: String) -> AnyView {
    if url.starts_with("https://") || url.starts_with("http://") {
        let href = url.clone();
        view! { <a href=href target="_blank" rel="noopener noreferrer">{url}</a> }.into_any()
    } else {
        view! { <span>{url}</span> }.into_any()
    }
}

/// One conversation (`data-testid="conversation-view"`): channel and page, where
/// it stands for this agent, the actions that fit (Take/Decline for an offer,
/// Take for a supervisor on a waiting one, Transfer and Close for a held one),
/// the [`MessageList`], the [`Composer`] while it is this agent's (a read-only
/// note instead once it is closed), and the [`RoutingLog`].
#[component]
pub fn Conversation(
    /// The open conversation's id.
    id: String,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let console = expect_context::<Console>();
    let state = console.state;
    let summary =
        Memo::new(move |_| state.with(|s| s.open.as_ref().and_then(|open| open.summary.clone())));
    let standing = Memo::new(move |_| state.with(|s| s.standing()));
    let loading = Memo::new(move |_| state.with(|s| s.open.as_ref().is_some_and(|o| o.loading)));
    let entries = Memo::new(move |_| state.with(|s| s.entries()));
    let log = Memo::new(move |_| {
        state.with(|s| s.open.as_ref().map(|o| o.log.clone()).unwrap_or_default())
    });
    let colleagues = Memo::new(move |_| state.with(|s| s.colleagues()));
    let typing = {
        let id = id.clone();
        Memo::new(move |_| state.with(|s| s.visitor_typing(&id)))
    };
    // The live typing preview: what the visitor is writing, not yet sent.
    let draft = {
        let id = id.clone();
        Memo::new(move |_| state.with(|s| s.visitor_draft(&id).map(str::to_owned)))
    };
    let supervises = Memo::new(move |_| {
        state.with(|s| s.me.as_ref().map_or(Role::Agent, |me| me.role).supervises())
    });

    let is = move |kind: InboxKind| standing.get() == Some(Standing::Listed(kind));
    let can_take = move || is(InboxKind::Offered) || (is(InboxKind::Waiting) && supervises.get());
    let title = move || summary.with(|s| s.as_ref().map(|s| s.channel_title.clone()));
    let page = move || summary.with(|s| s.as_ref().and_then(|s| s.page_url.clone()));
    let page_now = move || summary.with(|s| s.as_ref().and_then(|s| s.page_now.clone()));
    let utm = move || summary.with(|s| s.as_ref().and_then(|s| s.utm.as_ref().and_then(utm_text)));
    let started = move || {
        summary.with(|s| {
            s.as_ref().map(|s| {
                format!(
                    "{} {}",
                    t.get().started,
                    local_clock(&s.created_at, &locale())
                )
            })
        })
    };
    let rating = move || summary.with(|s| s.as_ref().and_then(|s| s.rating.clone()));
    let withdrawn = move || summary.with(|s| s.as_ref().is_some_and(|s| s.withdrawn));
    let dialog_link = move || state.with(|s| s.open.as_ref().and_then(|o| o.dialog_link.clone()));

    let target = RwSignal::new(String::new());
    let act = {
        let id = id.clone();
        move |action: fn(&Console, &str)| {
            let id = id.clone();
            move |_| action(&console, &id)
        }
    };
    let transfer = {
        let id = id.clone();
        move |_| {
            let to = target.get_untracked();
            let to_agent = match to.as_str() {
                "" => return,
                "queue" => None,
                agent => match agent.parse::<u64>() {
                    Ok(agent) => Some(agent),
                    Err(_) => return,
                },
            };
            console.transfer(&id, to_agent);
            target.set(String::new());
        }
    };
    let take = act(Console::take);
    let decline = act(Console::decline);
    let close = act(Console::close);
    let offline = move || !console.live();
    let view_id = id.clone();
    let card_id = id.clone();

    view! {
        <div class="cc-conversation" data-testid="conversation-view" data-conversation-id=view_id>
            <section class="cc-thread" aria-labelledby="cc-thread-title">
                <header class="cc-thread-head">
                    <div class="cc-thread-info">
                        <h1 id="cc-thread-title" class="cc-thread-title">{title}</h1>
                        <p class="cc-meta">
                            <span
                                class="cc-badge"
                                data-testid="standing"
                                data-standing=move || standing_str(standing.get())
                            >
                                {move || standing_text(t.get(), standing.get())}
                            </span>
                            {move || started().map(|started| view! { <span>{started}</span> })}
                            {move || {
                                page()
                                    .map(|url| {
                                        view! {
                                            <span class="cc-meta-page" data-testid="page-start">
                                                {tr(|t| t.page)} ": " {page_link(url)}
                                            </span>
                                        }
                                    })
                            }}
                            {move || {
                                utm().map(|utm| view! { <span data-testid="utm">"UTM: " {utm}</span> })
                            }}
                            {move || {
                                dialog_link()
                                    .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
                                    .map(|url| {
                                        view! {
                                            <a data-testid="dialog-link" href=url target="_blank" rel="noopener noreferrer">
                                                {tr(|t| t.open_in_connector)}
                                            </a>
                                        }
                                    })
                            }}
                            {move || {
                                page_now()
                                    .map(|url| {
                                        view! {
                                            <span class="cc-meta-page" data-testid="page-now">
                                                {tr(|t| t.page_now)} ": " {page_link(url)}
                                            </span>
                                        }
                                    })
                            }}
                            {move || {
                                rating()
                                    .map(|r| {
                                        let said = move || match r.rating {
                                            Rating::Like => t.get().rated_like,
                                            Rating::Dislike => t.get().rated_dislike,
                                        };
                                        view! {
                                            <span data-testid="rating" data-rating=r.rating.as_str()>
                                                {tr(|t| t.rating)} ": " {said}
                                                {r.comment.map(|c| format!(" “{c}”"))}
                                            </span>
                                        }
                                    })
                            }}
                            {move || {
                                withdrawn()
                                    .then(|| {
                                        view! {
                                            <span class="cc-badge" data-testid="withdrawn">
                                                {tr(|t| t.withdrawn)}
                                            </span>
                                        }
                                    })
                            }}
                        </p>
                    </div>
                    <div class="cc-actions" role="group" aria-label=tr(|t| t.actions)>
                        {move || {
                            can_take()
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="cc-button cc-primary"
                                            data-testid="take"
                                            disabled=offline
                                            on:click=take.clone()
                                        >
                                            {tr(|t| t.take)}
                                        </button>
                                    }
                                })
                        }}
                        {move || {
                            is(InboxKind::Offered)
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="cc-button"
                                            data-testid="decline"
                                            disabled=offline
                                            on:click=decline.clone()
                                        >
                                            {tr(|t| t.decline)}
                                        </button>
                                    }
                                })
                        }}
                        {move || {
                            is(InboxKind::Mine)
                                .then(|| {
                                    let transfer = transfer.clone();
                                    let close = close.clone();
                                    view! {
                                        <label class="cc-inline-label" for="cc-transfer">{tr(|t| t.transfer_to)}</label>
                                        <select
                                            id="cc-transfer"
                                            class="cc-select"
                                            data-testid="transfer-select"
                                            on:change=move |ev| target.set(event_target_value(&ev))
                                        >
                                            <option value="" prop:selected=move || target.with(String::is_empty)>
                                                {tr(|t| t.choose_target)}
                                            </option>
                                            <option value="queue" prop:selected=move || target.get() == "queue">
                                                {tr(|t| t.back_to_queue)}
                                            </option>
                                            <For
                                                each=move || colleagues.get()
                                                key=|a| (a.id, a.status, a.holding, a.name.clone())
                                                children=move |agent| {
                                                    let value = agent.id.to_string();
                                                    let status = status_str(agent.status);
                                                    let selected = value.clone();
                                                    view! {
                                                        <option
                                                            value=value
                                                            data-status=status
                                                            prop:selected=move || target.get() == selected
                                                        >
                                                            {move || colleague_label(t.get(), &agent)}
                                                        </option>
                                                    }
                                                }
                                            />
                                        </select>
                                        <button
                                            type="button"
                                            class="cc-button"
                                            data-testid="transfer-submit"
                                            disabled=move || offline() || target.with(String::is_empty)
                                            on:click=transfer
                                        >
                                            {tr(|t| t.transfer)}
                                        </button>
                                        <button
                                            type="button"
                                            class="cc-button cc-danger"
                                            data-testid="close-conversation"
                                            disabled=offline
                                            on:click=close
                                        >
                                            {tr(|t| t.close_conversation)}
                                        </button>
                                    }
                                })
                        }}
                    </div>
                </header>
                <MessageList entries=entries loading=loading />
                <p class="cc-typing" data-testid="visitor-typing" role="status">
                    {move || typing.get().then(|| t.get().visitor_typing)}
                </p>
                {move || {
                    draft
                        .get()
                        .map(|text| {
                            view! {
                                <p class="cc-draft" data-testid="visitor-draft">
                                    <span class="cc-draft-label">{tr(|t| t.visitor_draft)}</span>
                                    " "
                                    <span data-testid="visitor-draft-text">{text}</span>
                                </p>
                            }
                        })
                }}
                {move || {
                    matches!(
                        standing.get(),
                        Some(Standing::Closed | Standing::Listed(InboxKind::Closed))
                    )
                        .then(|| {
                            view! {
                                <p class="cc-read-only" data-testid="closed-note">
                                    {tr(|t| t.closed_read_only)}
                                </p>
                            }
                        })
                }}
                {move || {
                    is(InboxKind::Mine).then(|| view! { <Composer id=id.clone() /> })
                }}
            </section>
            <div class="cc-side">
                <CustomerCard id=card_id />
                <RoutingLog lines=log />
            </div>
        </div>
    }
}

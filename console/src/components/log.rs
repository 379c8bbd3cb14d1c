//! The message log (admins): every channel's conversations, a deleted channel's
//! too, filtered by channel, agent, status and days and listed a page at a time;
//! one of them opens read-only with its history, rating and routing log.

use canal_protocol::agent::{AgentView, ConversationRecord, LoggedConversation};
use canal_protocol::channels::ChannelView;
use canal_protocol::rating::{Rating, RatingView};
use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use super::settings::{send_form, LoadState, Outcome};
use super::{MessageList, RoutingLog};
use crate::{
    api,
    i18n::{tr, use_locale, use_strings, Message, Strings, Text},
    log::{channel_choices, LogFilter, LogPages},
    state::Entry,
    time::{local_date_time, local_offset_minutes},
};

/// The status of a logged conversation in words.
fn status_text(status: &str) -> Text {
    if status == "open" {
        |t| t.status_open
    } else {
        |t| t.status_closed
    }
}

/// A rating in words.
fn rating_text(rating: Rating) -> Text {
    match rating {
        Rating::Like => |t| t.rated_like,
        Rating::Dislike => |t| t.rated_dislike,
    }
}

/// A labelled control of the filter form.
fn field(id: &'static str, label: Text, control: impl IntoView) -> impl IntoView {
    view! {
        <div class="cc-field">
            <label class="cc-field-label" for=id>{tr(label)}</label>
            {control}
        </div>
    }
}

/// The message log (`data-testid="message-log"`): the filters (channel, deleted
/// ones included once the log has named them; agent; status; first and last
/// day), the conversations that match, newest first (`data-testid="log-table"`),
/// 50 at a time with "Show more" while there are more; a row's start time opens
/// the conversation in a [`LoggedConversation`] in place of the list (which stays
/// as it was, for "Back to the log").
#[component]
pub fn MessageLog() -> impl IntoView {
    let t = use_strings();
    let form = RwSignal::new(LogFilter::default());
    // The filter the listed pages were loaded with: "Show more" keeps to it.
    let applied = RwSignal::new(LogFilter::default());
    let pages = RwSignal::new(LogPages::default());
    let loading = RwSignal::new(Outcome::Idle);
    let channels = RwSignal::new(Vec::<ChannelView>::new());
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let open = RwSignal::new(None::<String>);

    // The filters' choices. Without them the filters offer less; the list itself
    // says why, when the server fails it too.
    spawn_local(async move {
        let listed = api::list_channels().await;
        let people = api::list_agents().await;
        if channels.is_disposed() {
            return;
        }
        if let Ok(list) = listed {
            channels.set(list.channels);
        }
        if let Ok(list) = people {
            agents.set(list.agents);
        }
    });

    // The first page of the form's filter, or (`more`) the next page of the
    // filter the list shows.
    let load = move |more: bool| {
        if loading.get_untracked().busy() {
            return;
        }
        let filter = if more {
            applied.get_untracked()
        } else {
            form.get_untracked()
        };
        let cursor = more
            .then(|| pages.with_untracked(|p| p.next_cursor.clone()))
            .flatten();
        let query = match filter.query(cursor.as_deref(), local_offset_minutes) {
            Ok(query) => query,
            Err(error) => {
                return loading.set(Outcome::Failed(Message::Text(Strings::form_error(error))))
            }
        };
        if !more {
            pages.update(LogPages::clear);
        }
        send_form(
            loading,
            async move { api::conversation_log(&query).await },
            move |page| {
                applied.set(filter);
                pages.update(|p| p.add(page));
                loading.set(Outcome::Idle);
            },
        );
    };
    load(false);

    let on_filter = move |ev: SubmitEvent| {
        ev.prevent_default();
        load(false);
    };
    let on_clear = move |_| {
        form.set(LogFilter::default());
        load(false);
    };
    let set = move |put: fn(&mut LogFilter, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| put(f, value));
        }
    };
    let choices = Memo::new(move |_| {
        channels.with(|live| pages.with(|p| channel_choices(live, &p.seen_channels)))
    });
    let empty = Memo::new(move |_| pages.with(|p| p.conversations.is_empty()));
    let on_back = Callback::new(move |()| {
        let left = open.get_untracked();
        open.set(None);
        // Back on the row the conversation was opened from.
        if let Some(id) = left {
            request_animation_frame(move || focus_row(&id));
        }
    });

    let filters = view! {
        <form
            class="cc-settings-form"
            role="search"
            data-testid="log-filters"
            novalidate
            aria-label=tr(|t| t.log_filters)
            on:submit=on_filter
        >
            <div class="cc-form-grid">
                {field(
                    "cc-history-channel",
                    |t| t.channel,
                    view! {
                        <select id="cc-history-channel" class="cc-select" data-testid="log-channel" on:change=set(|f, v| f.channel = v)>
                            <option value="" prop:selected=move || form.with(|f| f.channel.is_empty())>
                                {tr(|t| t.any_channel)}
                            </option>
                            <For
                                each=move || choices.get()
                                key=|c| c.clone()
                                children=move |c| {
                                    let picked = c.key.clone();
                                    let marker: Text = if c.deleted { |t| t.deleted_marker } else { |_| "" };
                                    view! {
                                        <option value=c.key.clone() prop:selected=move || form.with(|f| f.channel == picked)>
                                            {format!("{} ({})", c.name, c.key)}
                                            {tr(marker)}
                                        </option>
                                    }
                                }
                            />
                        </select>
                    },
                )}
                {field(
                    "cc-history-agent",
                    |t| t.agent,
                    view! {
                        <select id="cc-history-agent" class="cc-select" data-testid="log-agent" on:change=set(|f, v| f.agent = v)>
                            <option value="" prop:selected=move || form.with(|f| f.agent.is_empty())>
                                {tr(|t| t.any_agent)}
                            </option>
                            <For
                                each=move || agents.get()
                                key=|a| (a.id, a.name.clone())
                                children=move |a| {
                                    let value = a.id.to_string();
                                    let picked = value.clone();
                                    view! {
                                        <option value=value prop:selected=move || form.with(|f| f.agent == picked)>
                                            {a.name}
                                        </option>
                                    }
                                }
                            />
                        </select>
                    },
                )}
                {field(
                    "cc-history-status",
                    |t| t.log_status,
                    view! {
                        <select id="cc-history-status" class="cc-select" data-testid="log-status" on:change=set(|f, v| f.status = v)>
                            {[("", (|t| t.any_status) as Text), ("open", |t| t.status_open), ("closed", |t| t.status_closed)]
                                .into_iter()
                                .map(|(value, text)| {
                                    view! {
                                        <option value=value prop:selected=move || form.with(|f| f.status == value)>
                                            {tr(text)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    },
                )}
                {field(
                    "cc-history-from",
                    |t| t.from_day,
                    view! {
                        <input
                            id="cc-history-from"
                            class="cc-input"
                            type="date"
                            data-testid="log-from"
                            aria-describedby="cc-history-error"
                            prop:value=move || form.with(|f| f.from.clone())
                            on:change=set(|f, v| f.from = v)
                        />
                    },
                )}
                {field(
                    "cc-history-to",
                    |t| t.to_day,
                    view! {
                        <input
                            id="cc-history-to"
                            class="cc-input"
                            type="date"
                            data-testid="log-to"
                            aria-describedby="cc-history-error"
                            prop:value=move || form.with(|f| f.to.clone())
                            on:change=set(|f, v| f.to = v)
                        />
                    },
                )}
            </div>
            <div class="cc-form-bar">
                <button type="submit" class="cc-button cc-primary" data-testid="log-apply" disabled=move || loading.get().busy()>
                    {tr(|t| t.show)}
                </button>
                <button type="button" class="cc-button" data-testid="log-clear" disabled=move || loading.get().busy() on:click=on_clear>
                    {tr(|t| t.clear_filters)}
                </button>
            </div>
        </form>
    };

    view! {
        <main class="cc-settings" data-testid="message-log" aria-labelledby="cc-history-title">
            <h1 id="cc-history-title" class="cc-settings-title">{tr(|t| t.message_log)}</h1>
            <div class="cc-settings-section" hidden=move || open.with(Option::is_some)>
                {filters}
                <LoadState outcome=loading loading_text=|t| t.loading_log test_id="log-error".to_owned() id="cc-history-error".to_owned() />
                <p
                    class="cc-empty"
                    data-testid="log-empty"
                    hidden=move || !(pages.with(|p| p.loaded) && empty.get())
                >
                    {move || {
                        let t = t.get();
                        if applied.with(|f| *f == LogFilter::default()) { t.log_empty } else { t.log_none_match }
                    }}
                </p>
                <div class="cc-table-wrap" hidden=move || empty.get()>
                    <table class="cc-table" data-testid="log-table">
                        <caption class="cc-sr">{tr(|t| t.log_caption)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{tr(|t| t.log_started)}</th>
                                <th scope="col">{tr(|t| t.channel)}</th>
                                <th scope="col">{tr(|t| t.agent)}</th>
                                <th scope="col">{tr(|t| t.log_status)}</th>
                                <th scope="col">{tr(|t| t.messages)}</th>
                                <th scope="col">{tr(|t| t.log_rating)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || pages.with(|p| p.conversations.clone())
                                key=|c| c.id.clone()
                                children=move |c| log_row(c, open)
                            />
                        </tbody>
                    </table>
                </div>
                <div class="cc-form-bar">
                    <button
                        type="button"
                        class="cc-button"
                        data-testid="log-more"
                        hidden=move || pages.with(|p| p.next_cursor.is_none())
                        disabled=move || loading.get().busy()
                        on:click=move |_| load(true)
                    >
                        {tr(|t| t.show_more)}
                    </button>
                </div>
            </div>
            {move || open.get().map(|id| view! { <LoggedConversation id=id on_back=on_back /> })}
        </main>
    }
}

/// One conversation of the list (`data-testid="log-row"`): its start (the button
/// that opens it), channel, agent, status, number of messages and rating.
fn log_row(c: LoggedConversation, open: RwSignal<Option<String>>) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let id = c.id.clone();
    let started = c.started_at.clone();
    let agent = c.agent_name.clone();
    let key = c.channel_key.clone();
    view! {
        <tr data-testid="log-row" data-conversation-id=c.id.clone() data-channel-key=key>
            <th scope="row">
                <button
                    type="button"
                    class="cc-link-button"
                    data-testid="log-open"
                    on:click=move |_| open.set(Some(id.clone()))
                >
                    {move || local_date_time(&started, &locale())}
                </button>
            </th>
            <td>{c.channel_name} " " <code>{c.channel_key}</code></td>
            <td>{move || agent.clone().unwrap_or_else(|| t.get().nobody.to_owned())}</td>
            <td data-testid="log-row-status">{tr(status_text(&c.status))}</td>
            <td>{c.messages}</td>
            <td data-rating=c.rating.map(Rating::as_str)>{c.rating.map(|r| tr(rating_text(r)))}</td>
        </tr>
    }
}

/// Puts the focus on the open button of the log's row for conversation `id`.
fn focus_row(id: &str) {
    let selector = format!("[data-testid=log-row][data-conversation-id=\"{id}\"] button");
    if let Some(button) = document()
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = button.focus();
    }
}

/// A rating with its comment, or that there is none (`data-testid="log-rating"`).
fn rating_line(rating: Option<RatingView>) -> impl IntoView {
    let data = rating.as_ref().map(|r| r.rating.as_str());
    let said = match &rating {
        Some(r) => rating_text(r.rating),
        None => |t: &'static Strings| t.not_rated,
    };
    let comment = rating.and_then(|r| r.comment).map(|c| format!(" “{c}”"));
    view! {
        <p class="cc-meta" data-testid="log-rating" data-rating=data>
            {tr(|t| t.rating)} ": " {tr(said)} {comment}
        </p>
    }
}

/// One conversation of the log, read-only (`data-testid="log-conversation"`):
/// "Back to the log" (which has the focus when it opens), the channel, status,
/// start, agent and page, the visitor's rating, every message
/// ([`MessageList`]) and the routing log ([`RoutingLog`]), from
/// `GET /api/v1/admin/conversations/{id}`.
#[component]
fn LoggedConversation(
    /// The conversation's id.
    id: String,
    /// "Back to the log" was pressed.
    on_back: Callback<()>,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let record = RwSignal::new(None::<ConversationRecord>);
    let loading = RwSignal::new(Outcome::Idle);
    send_form(
        loading,
        async move { api::conversation_record(&id).await },
        move |answer| {
            record.set(Some(answer));
            loading.set(Outcome::Idle);
        },
    );
    let back = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = back.get() {
            let _ = button.focus();
        }
    });

    let body = move || {
        record.get().map(|r| {
            let c = r.conversation;
            let started = c.started_at.clone();
            let agent = c.agent_name.clone();
            // Only web pages become links (never `javascript:` or the like).
            let page = c.page_url.map(|url| {
                let web = url.starts_with("https://") || url.starts_with("http://");
                view! {
                    <span class="cc-meta-page">
                        {tr(|t| t.page)} ": "
                        {if web {
                            let href = url.clone();
                            view! { <a href=href target="_blank" rel="noopener noreferrer">{url}</a> }.into_any()
                        } else {
                            view! { <span>{url}</span> }.into_any()
                        }}
                    </span>
                }
            });
            let entries: Vec<Entry> = r.messages.iter().map(Entry::stored).collect();
            view! {
                <h2 id="cc-record-title" class="cc-thread-title">
                    {c.channel_name} " " <code>{c.channel_key}</code>
                </h2>
                <p class="cc-meta" data-testid="log-meta">
                    <span class="cc-badge" data-standing=c.status.clone()>{tr(status_text(&c.status))}</span>
                    <span>{tr(|t| t.log_started)} ": " {move || local_date_time(&started, &locale())}</span>
                    <span>
                        {tr(|t| t.agent)} ": "
                        {move || agent.clone().unwrap_or_else(|| t.get().nobody.to_owned())}
                    </span>
                    {page}
                </p>
                {rating_line(r.rating)}
                <div class="cc-conversation cc-record">
                    <section class="cc-thread" aria-labelledby="cc-record-title">
                        <MessageList entries=Signal::stored(entries) loading=Signal::stored(false) />
                    </section>
                    <RoutingLog lines=Signal::stored(r.routing_log) title_id="cc-record-log-title" />
                </div>
            }
        })
    };

    view! {
        <section class="cc-settings-section" data-testid="log-conversation">
            <button
                type="button"
                class="cc-button"
                data-testid="log-back"
                node_ref=back
                on:click=move |_| on_back.run(())
            >
                {tr(|t| t.back_to_log)}
            </button>
            <LoadState outcome=loading loading_text=|t| t.loading_conversation test_id="log-conversation-error".to_owned() />
            {body}
        </section>
    }
}

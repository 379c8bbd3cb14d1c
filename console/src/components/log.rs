//! The conversation list: every conversation the agent may see (an admin every
//! channel's, a deleted channel's too; another agent those of the channels they
//! work in and the ones they held), searched by text, the visitor's name or e-mail,
//! filtered by channel, agent, status, days, unanswered, rating and label, and
//! listed a page at a time; one of them opens read-only with its history, rating,
//! routing log and labels, which the agent sets and takes off there.

use canal_protocol::agent::{AgentView, ConversationRecord, Label, ListedConversation, Role};
use canal_protocol::channels::ChannelView;
use canal_protocol::rating::{Rating, RatingView};
use leptos::{either::Either, ev::SubmitEvent, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;

use super::settings::{send_form, LoadState, Outcome};
use super::{BanForm, MessageList, RoutingLog};
use crate::{
    api,
    i18n::{tr, use_locale, use_strings, Message, Strings, Text},
    log::{channel_choices, LogFilter, LogPages},
    reports::duration,
    session::Console,
    state::Entry,
    time::{local_date_time, local_offset_minutes},
};

/// What only the full console adds to the list (see [`LOG_ADMIN`]): the channel
/// and agent filters' choices (admins may list channels and agents) and "Ban this
/// visitor" under an opened conversation. The agents' console has none, so their
/// code (the channels' and agents' lists, the ban form) is not in its wasm.
#[derive(Clone, Copy)]
pub struct LogAdmin {
    /// Loads the channels and the agents the filters offer.
    pub choices: fn(RwSignal<Vec<ChannelView>>, RwSignal<Vec<AgentView>>),
    /// The form that bans a visitor (by id).
    pub ban: fn(String) -> AnyView,
}

/// The full console's [`LogAdmin`].
pub const LOG_ADMIN: LogAdmin = LogAdmin {
    choices: load_choices,
    ban: ban_form,
};

fn load_choices(channels: RwSignal<Vec<ChannelView>>, agents: RwSignal<Vec<AgentView>>) {
    spawn_local(async move {
        let listed = api::list_channels(true).await;
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
}

fn ban_form(visitor: String) -> AnyView {
    view! { <BanForm visitor=Some(visitor) on_banned=Callback::new(|_| ()) /> }.into_any()
}

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

/// The message log (`data-testid="message-log"`): the filters (channel, deleted
/// ones included once the log has named them; agent; status; first and last
/// day), the conversations that match, newest first (`data-testid="log-table"`),
/// 50 at a time with "Show more" while there are more; a row's start time opens
/// the conversation in an [`OpenedConversation`] in place of the list (which stays
/// as it was, for "Back to the log").
#[component]
pub fn MessageLog(
    /// The full console's parts of the list, if this build has them.
    admin: Option<LogAdmin>,
) -> impl IntoView {
    let t = use_strings();
    let form = RwSignal::new(LogFilter::default());
    // The filter the listed pages were loaded with: "Show more" keeps to it.
    let applied = RwSignal::new(LogFilter::default());
    let pages = RwSignal::new(LogPages::default());
    let loading = RwSignal::new(Outcome::Idle);
    let channels = RwSignal::new(Vec::<ChannelView>::new());
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let open = RwSignal::new(None::<String>);
    let labels = RwSignal::new(Vec::<Label>::new());

    // The filters' choices. Without them the filters offer less (an agent who is
    // not an admin may not list channels or agents, and the agents' console does
    // not ask: the log names the channels); the list itself says why, when the
    // server fails it too.
    if let Some(admin) = admin {
        (admin.choices)(channels, agents);
    }
    spawn_local(async move {
        let named = api::labels().await;
        if let (Ok(list), false) = (named, labels.is_disposed()) {
            labels.set(list);
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
                return loading.set(Outcome::Failed(Message::Text(Strings::date_error(error))))
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
    // A header click: the list again from its first page, sorted by that column.
    let on_sort = Callback::new(move |column: &'static str| {
        let next = applied.get_untracked().sorted_by(column);
        form.update(|f| {
            f.sort = next.sort;
            f.descending = next.descending;
        });
        load(false);
    });
    let sorted_by = move |column: &'static str| {
        Signal::derive(move || applied.with(|f| (f.sort == column).then_some(f.descending)))
    };
    let csv_href = move || applied.with(|f| f.csv_href(local_offset_minutes).ok());
    // The options of the three selects, "any" first: (value, label).
    let channel_options = Memo::new(move |_| {
        let t = t.get();
        let mut options = vec![(String::new(), t.any_channel.to_owned())];
        let choices = channels.with(|live| pages.with(|p| channel_choices(live, &p.seen_channels)));
        options.extend(choices.into_iter().map(|c| {
            let marker = if c.deleted { t.deleted_marker } else { "" };
            let label = format!("{} ({}){marker}", c.name, c.key);
            (c.key, label)
        }));
        options
    });
    let agent_options = Memo::new(move |_| {
        let mut options = vec![(String::new(), t.get().any_agent.to_owned())];
        // The agents an admin may list; else (the agents' console) those the list
        // has shown holding a conversation.
        agents.with(|list| options.extend(list.iter().map(|a| (a.id.to_string(), a.name.clone()))));
        if options.len() == 1 {
            pages.with(|p| {
                options.extend(
                    p.seen_agents
                        .iter()
                        .map(|(id, name)| (id.to_string(), name.clone())),
                )
            });
        }
        options
    });
    let status_options = Memo::new(move |_| {
        let t = t.get();
        [
            ("", t.any_status),
            ("open", t.status_open),
            ("closed", t.status_closed),
        ]
        .map(|(value, label)| (value.to_owned(), label.to_owned()))
        .to_vec()
    });
    let unanswered_options = Memo::new(move |_| {
        let t = t.get();
        [
            ("", t.any_unanswered),
            ("true", t.unanswered_only),
            ("false", t.answered_only),
        ]
        .map(|(value, label)| (value.to_owned(), label.to_owned()))
        .to_vec()
    });
    let rating_options = Memo::new(move |_| {
        let t = t.get();
        [
            ("", t.any_rating),
            ("like", t.rated_like),
            ("dislike", t.rated_dislike),
            ("none", t.rating_none),
        ]
        .map(|(value, label)| (value.to_owned(), label.to_owned()))
        .to_vec()
    });
    let label_options = Memo::new(move |_| {
        let mut options = vec![(String::new(), t.get().any_label.to_owned())];
        labels.with(|list| options.extend(list.iter().map(|l| (l.id.to_string(), l.name.clone()))));
        options
    });
    let empty = Memo::new(move |_| pages.with(|p| p.conversations.is_empty()));
    let on_back = Callback::new(move |()| {
        let left = open.get_untracked();
        open.set(None);
        // Back on the row the conversation was opened from.
        if let Some(id) = left {
            focus_later(format!(
                "[data-testid=log-row][data-conversation-id=\"{id}\"] button"
            ));
        }
    });

    // One filter field (id `cc-history-{name}`, test id `log-{name}`): a select of
    // `options`, or a date field without them. One copy for all five.
    let filter_field = move |name: &'static str,
                             label: Text,
                             options: Option<Memo<Vec<(String, String)>>>,
                             get: fn(&LogFilter) -> &String,
                             put: fn(&mut LogFilter, String)| {
        let id = format!("cc-history-{name}");
        let test_id = format!("log-{name}");
        let on_change = move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|f| put(f, value));
        };
        let control = match options {
            Some(options) => Either::Left(view! {
                <select id=id.clone() class="cc-select" data-testid=test_id on:change=on_change>
                    {move || {
                        options
                            .get()
                            .into_iter()
                            .map(|(value, label)| {
                                let picked = value.clone();
                                view! {
                                    <option value=value prop:selected=move || form.with(|f| *get(f) == picked)>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            }),
            None => Either::Right(view! {
                <input
                    id=id.clone()
                    class="cc-input"
                    type="date"
                    data-testid=test_id
                    aria-describedby="cc-history-error"
                    prop:value=move || form.with(|f| get(f).clone())
                    on:change=on_change
                />
            }),
        };
        view! {
            <div class="cc-field">
                <label class="cc-field-label" for=id>{tr(label)}</label>
                {control}
            </div>
        }
    };

    let filters = view! {
        <form
            class="cc-settings-form cc-history-filters"
            role="search"
            data-testid="log-filters"
            novalidate
            aria-label=tr(|t| t.log_filters)
            on:submit=on_filter
        >
            <div class="cc-field cc-history-search">
                <label class="cc-field-label" for="cc-history-q">{tr(|t| t.search)}</label>
                <input
                    id="cc-history-q"
                    class="cc-input"
                    type="search"
                    maxlength="200"
                    data-testid="log-q"
                    aria-describedby="cc-history-q-hint cc-history-error"
                    prop:value=move || form.with(|f| f.q.clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.update(|f| f.q = value);
                    }
                />
                <p id="cc-history-q-hint" class="cc-hint">{tr(|t| t.search_hint)}</p>
            </div>
            <div class="cc-form-grid">
                {filter_field("channel", |t| t.channel, Some(channel_options), |f| &f.channel, |f, v| f.channel = v)}
                {filter_field("agent", |t| t.agent, Some(agent_options), |f| &f.agent, |f, v| f.agent = v)}
                {filter_field("status", |t| t.log_status, Some(status_options), |f| &f.status, |f, v| f.status = v)}
                {filter_field("from", |t| t.from_day, None, |f| &f.from, |f, v| f.from = v)}
                {filter_field("to", |t| t.to_day, None, |f| &f.to, |f, v| f.to = v)}
                {filter_field("unanswered", |t| t.unanswered, Some(unanswered_options), |f| &f.unanswered, |f, v| f.unanswered = v)}
                {filter_field("by-rating", |t| t.log_rating, Some(rating_options), |f| &f.rating, |f, v| f.rating = v)}
                {filter_field("label", |t| t.labels, Some(label_options), |f| &f.label, |f, v| f.label = v)}
            </div>
            <div class="cc-form-bar">
                <button type="submit" class="cc-button cc-primary" data-testid="log-apply" disabled=move || loading.get().busy()>
                    {tr(|t| t.show)}
                </button>
                <button type="button" class="cc-button" data-testid="log-clear" disabled=move || loading.get().busy() on:click=on_clear>
                    {tr(|t| t.clear_filters)}
                </button>
                <a class="cc-button" data-testid="log-csv" href=csv_href download="canal-conversations.csv">
                    {tr(|t| t.export_csv)}
                </a>
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
                                {sort_header("rating", |t| t.log_rating, sorted_by("rating"), on_sort)}
                                {sort_header("first_response", |t| t.first_response, sorted_by("first_response"), on_sort)}
                                {sort_header("total_response", |t| t.total_response, sorted_by("total_response"), on_sort)}
                                {sort_header("average_response", |t| t.average_response, sorted_by("average_response"), on_sort)}
                                {sort_header("max_response", |t| t.max_response, sorted_by("max_response"), on_sort)}
                                <th scope="col">{tr(|t| t.labels)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                pages.with(|p| {
                                    p.conversations.iter().cloned().map(|c| log_row(c, open)).collect_view()
                                })
                            }}
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
            {move || open.get().map(|id| view! { <OpenedConversation id=id on_back=on_back labels=labels pages=pages admin=admin /> })}
        </main>
    }
}

/// A sortable column's header (`data-testid="sort-{column}"`): a button that
/// sorts by it (`on_sort`), `aria-sort` and an arrow saying how it is sorted
/// (`sorted`: `Some(descending)` when by this column). The conversation list's
/// and the reports' tables share it.
pub fn sort_header(
    column: &'static str,
    label: Text,
    sorted: Signal<Option<bool>>,
    on_sort: Callback<&'static str>,
) -> impl IntoView {
    let how = move || {
        sorted
            .get()
            .map(|d| if d { "descending" } else { "ascending" })
    };
    view! {
        <th scope="col" aria-sort=how>
            <button
                type="button"
                class="cc-link-button"
                data-testid=format!("sort-{column}")
                on:click=move |_| on_sort.run(column)
            >
                {tr(label)}
                {move || match sorted.get() {
                    Some(true) => " ▼",
                    Some(false) => " ▲",
                    None => "",
                }}
            </button>
        </th>
    }
}

/// One conversation of the list (`data-testid="log-row"`): its start (the button
/// that opens it), channel, agent, status, number of messages, rating, figures
/// and labels.
fn log_row(c: ListedConversation, open: RwSignal<Option<String>>) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let id = c.id.clone();
    let started = c.started_at.clone();
    let agent = c.agent_name.clone();
    let key = c.channel_key.clone();
    let f = &c.figures;
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
            <td data-testid="log-row-first">{duration(f.first_response_secs)}</td>
            <td>{duration(f.total_response_secs)}</td>
            <td>{duration(f.average_response_secs)}</td>
            <td data-testid="log-row-max">{duration(f.max_response_secs)}</td>
            <td data-testid="log-row-labels">{label_chips(&c.labels)}</td>
        </tr>
    }
}

/// A conversation's labels, each a chip (`data-testid="label-chip"`).
fn label_chips(labels: &[Label]) -> impl IntoView {
    labels
        .iter()
        .map(|l| {
            view! { <span class="cc-label-chip" data-testid="label-chip" data-label-id=l.id.to_string()>{l.name.clone()}</span> }
        })
        .collect_view()
}

/// Puts the focus on the element `selector` finds once it is drawn.
fn focus_later(selector: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .query_selector(&selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
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
/// `GET /api/v1/agent/conversations/{id}`; its labels, each a checkbox
/// ([`LabelBoxes`]); for admins, the form to ban its visitor.
#[component]
fn OpenedConversation(
    /// The conversation's id.
    id: String,
    /// "Back to the log" was pressed.
    on_back: Callback<()>,
    /// Every label, to set or take off.
    labels: RwSignal<Vec<Label>>,
    /// The list's pages: its row follows a label set here.
    pages: RwSignal<LogPages>,
    /// The full console's parts of the list, if this build has them.
    admin: Option<LogAdmin>,
) -> impl IntoView {
    let t = use_strings();
    let locale = use_locale();
    let console = expect_context::<Console>();
    let is_admin = move || {
        console
            .state
            .with(|s| s.me.as_ref().is_some_and(|me| me.role == Role::Admin))
    };
    let record = RwSignal::new(None::<ConversationRecord>);
    let loading = RwSignal::new(Outcome::Idle);
    let conversation_id = id.clone();
    send_form(
        loading,
        async move { api::conversation_record(&id).await },
        move |answer| {
            record.set(Some(answer));
            loading.set(Outcome::Idle);
        },
    );
    focus_later("[data-testid=log-back]".to_owned());

    let body = move || {
        record.get().map(|r| {
            let c = r.conversation;
            let started = c.started_at.clone();
            let agent = c.agent_name.clone();
            // Only web pages become links (never `javascript:` or the like).
            let page = c.page_url.map(|url| {
                let href = (url.starts_with("https://") || url.starts_with("http://"))
                    .then(|| url.clone());
                view! {
                    <span class="cc-meta-page">
                        {tr(|t| t.page)} ": "
                        <a href=href target="_blank" rel="noopener noreferrer">{url}</a>
                    </span>
                }
            });
            let entries: Vec<Entry> = r.messages.iter().map(Entry::stored).collect();
            view! {
                <h2 id="cc-record-title" class="cc-thread-title cc-record-title">
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
                <LabelBoxes
                    conversation_id=conversation_id.clone()
                    labels=labels
                    record=record
                    pages=pages
                />
                {admin.filter(|_| is_admin()).map(|a| (a.ban)(c.visitor_id))}
            }
        })
    };

    view! {
        <section class="cc-settings-section" data-testid="log-conversation">
            <button
                type="button"
                class="cc-button"
                data-testid="log-back"
                on:click=move |_| on_back.run(())
            >
                {tr(|t| t.back_to_log)}
            </button>
            <LoadState outcome=loading loading_text=|t| t.loading_conversation test_id="log-conversation-error".to_owned() />
            {body}
        </section>
    }
}

/// The labels of an opened conversation (`data-testid="log-labels"`): each label a
/// checkbox (`data-testid="label-toggle"`, `data-label-id`), checked when set;
/// a change is sent at once and, once the server took it, shows in the record and
/// in the list's row. A refusal says so (`data-testid="label-error"`) and the box
/// goes back.
#[component]
fn LabelBoxes(
    conversation_id: String,
    /// Every label.
    labels: RwSignal<Vec<Label>>,
    /// The opened conversation, whose labels change.
    record: RwSignal<Option<ConversationRecord>>,
    /// The list's pages, whose row changes too.
    pages: RwSignal<LogPages>,
) -> impl IntoView {
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let is_set = move |label: u64| {
        record.with(|r| {
            r.as_ref()
                .is_some_and(|r| r.conversation.labels.iter().any(|l| l.id == label))
        })
    };
    let toggle = move |label: Label, on: bool, id: String| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::set_label(&id, label.id, on).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(()) => {
                    let change = |list: &mut Vec<Label>| {
                        list.retain(|l| l.id != label.id);
                        if on {
                            list.push(label.clone());
                            list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
                        }
                    };
                    record.update(|r| {
                        if let Some(r) = r {
                            change(&mut r.conversation.labels);
                        }
                    });
                    pages.update(|p| {
                        if let Some(c) = p.conversations.iter_mut().find(|c| c.id == id) {
                            change(&mut c.labels);
                        }
                    });
                }
                Err(_) => {
                    error.set(Some(|t| t.err_label));
                    // The box shows what is stored again.
                    record.update(|_| ());
                }
            }
        });
    };
    view! {
        <fieldset class="cc-labels" data-testid="log-labels">
            <legend class="cc-field-label">{tr(|t| t.labels)}</legend>
            <p class="cc-hint" hidden=move || labels.with(|l| !l.is_empty())>{tr(|t| t.no_labels)}</p>
            {move || {
                let id = conversation_id.clone();
                labels
                    .get()
                    .into_iter()
                    .map(|label| {
                        let id = id.clone();
                        let box_id = format!("cc-label-{}", label.id);
                        let value = label.id;
                        let name = label.name.clone();
                        view! {
                            <label class="cc-check" for=box_id.clone()>
                                <input
                                    id=box_id.clone()
                                    type="checkbox"
                                    data-testid="label-toggle"
                                    data-label-id=value.to_string()
                                    prop:checked=move || is_set(value)
                                    disabled=move || busy.get()
                                    on:change=move |ev| {
                                        toggle(label.clone(), event_target_checked(&ev), id.clone());
                                    }
                                />
                                " " {name}
                            </label>
                        }
                    })
                    .collect_view()
            }}
            <p class="cc-error" role="alert" data-testid="label-error">
                {move || error.get().map(|text| tr(text)())}
            </p>
        </fieldset>
    }
}

//! The admin settings view: agents, channels (with the picker the per-channel
//! sections follow), a channel's managers, routing, working hours, agreement,
//! contact form, look, identity verification, automatic actions and canned
//! answers, and bans ([`super::Bans`]), through the admin API with the session
//! cookie. The form helpers ([`Outcome`],
//! [`LoadState`], [`send_form`]) serve the message log too.

use canal_protocol::admin::{AgreementChoice, IdentityView};
use canal_protocol::agent::{AgentView, QueueItem, Role};
use canal_protocol::channels::{limits, ChannelView, SetManagers};
use canal_protocol::forms::SetContactForm;
use canal_protocol::hours::HoursView;
use canal_protocol::theme::{limits as theme_limits, Position, Theme, ThemeMode};
use leptos::{either::Either, ev::SubmitEvent, html, prelude::*, task::spawn_local};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{Bans, ChannelCanned};
use crate::{
    api,
    i18n::{for_tag, tr, use_strings, Message, Strings, Text},
    settings::{
        addable, after_deletion, ask_str, chat_agreements, display_str, keep_selection,
        manager_choices, mode_str, named_field, parse_ask, parse_display, parse_mode, parse_role,
        role_str, tick, AgentEdit, AgreementForm, Ask, ChannelDraft, ContactFormDraft, FormError,
        HoursForm, IdentityForm, NewAgent, RoutingForm, ThemeForm, DISPLAY_MODES,
        MAX_PASS_AFTER_MINUTES, MIN_PASS_AFTER_MINUTES, MODES, POSITIONS, ROLES, THEME_MODES,
    },
};

/// Where a settings form stands after its last request.
#[derive(Debug, Clone, Default)]
pub(super) enum Outcome {
    #[default]
    Idle,
    /// A request is under way.
    Busy,
    /// Done; the short sentence to show.
    Done(Text),
    /// Not done: why, in words (the server's sentence when it sent one).
    Failed(Message),
    /// Not sent: the form is wrong (about one field, or the whole form).
    Invalid(FormError),
}

impl Outcome {
    pub(super) fn busy(&self) -> bool {
        matches!(self, Self::Busy)
    }

    /// The field its failure is about: the form's own check's, or the one the
    /// server's refusal names ([`named_field`]); `None` for the whole form.
    fn field(&self) -> Option<&'static str> {
        match self {
            Self::Invalid(error) => error.field(),
            Self::Failed(Message::Said(said)) => named_field(said),
            _ => None,
        }
    }

    /// Why it failed, in the language of `t`; empty when it did not.
    pub(super) fn failure(&self, t: &'static Strings) -> String {
        match self {
            Self::Invalid(error) => Strings::form_error(*error)(t).to_owned(),
            _ => self.failed(t),
        }
    }

    /// Why its request failed, in the language of `t`; empty when none did. What a
    /// load shows ([`LoadState`]): a load is never refused by a form's own check,
    /// and leaving those out keeps the admin forms' texts out of the agents'
    /// console, whose conversation list shows its loads this way.
    fn failed(&self, t: &'static Strings) -> String {
        match self {
            Self::Failed(why) => why.in_language(t),
            _ => String::new(),
        }
    }

    /// Why it failed, when that is about `field` (`None`: the whole form); else
    /// empty.
    fn failure_at(&self, field: Option<&str>, t: &'static Strings) -> String {
        if self.field() == field {
            self.failure(t)
        } else {
            String::new()
        }
    }
}

/// A form's status (`data-testid="settings-status"`) and error
/// (`data-testid="settings-error"`, an alert), next to the form.
#[component]
pub(super) fn FormOutcome(
    /// The form's state.
    outcome: RwSignal<Outcome>,
    /// The id of the error, for the form's `aria-describedby`.
    #[prop(optional)]
    error_id: Option<String>,
) -> impl IntoView {
    let t = use_strings();
    view! {
        <p class="cc-settings-status" role="status" data-testid="settings-status">
            {move || match outcome.get() {
                Outcome::Busy => t.get().admin().saving,
                Outcome::Done(text) => text(t.get()),
                Outcome::Idle | Outcome::Failed(_) | Outcome::Invalid(_) => "",
            }}
        </p>
        <p id=error_id class="cc-error" role="alert" data-testid="settings-error">
            {move || outcome.with(|o| o.failure_at(None, t.get()))}
        </p>
    }
}

/// How loading a list or a channel's settings goes: a line while it loads, and
/// why it failed (an alert, `data-testid` `test_id`, id `id` when given).
#[component]
pub(super) fn LoadState(
    outcome: RwSignal<Outcome>,
    /// What the line says while loading.
    loading_text: Text,
    test_id: String,
    #[prop(optional)] id: Option<String>,
) -> impl IntoView {
    let t = use_strings();
    view! {
        <p class="cc-muted" role="status" hidden=move || !outcome.get().busy()>{tr(loading_text)}</p>
        <p id=id class="cc-error" role="alert" data-testid=test_id>
            {move || outcome.with(|o| o.failed(t.get()))}
        </p>
    }
}

/// The settings view (`data-testid="settings"`) for admins: the [`AgentsSettings`]
/// table with a form for a new agent, the [`ChannelsSettings`] list with a form for
/// a new channel, then the [`ChannelPicker`] and, for the channel it shows, its
/// [`ChannelSettings`], [`ChannelRouting`] and [`ChannelHours`].
/// The agent list is loaded once here and shared: the queue is made of agents.
/// So is the channel list.
///
/// The lists are signals rather than `LocalResource`s: they change with every
/// agent or channel created or saved, from the server's answer, without loading
/// them again.
#[component]
pub fn Settings() -> impl IntoView {
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let loading = RwSignal::new(Outcome::Busy);
    spawn_local(async move {
        let result = api::list_agents().await;
        if loading.is_disposed() {
            return;
        }
        match result {
            Ok(list) => {
                agents.set(list.agents);
                loading.set(Outcome::Idle);
            }
            Err(error) => loading.set(Outcome::Failed(Strings::admin_error(&error))),
        }
    });
    let channels = Channels::load();
    let has_channel = Memo::new(move |_| channels.selected.with(|key| !key.is_empty()));
    // What the agreement and the contact form are picked from.
    let agreements = RwSignal::new(Vec::<AgreementChoice>::new());
    let agreements_loading = RwSignal::new(Outcome::Busy);
    spawn_local(async move {
        let result = api::list_agreements().await;
        if agreements_loading.is_disposed() {
            return;
        }
        match result {
            Ok(list) => {
                agreements.set(list.agreements);
                agreements_loading.set(Outcome::Idle);
            }
            Err(error) => agreements_loading.set(Outcome::Failed(Strings::admin_error(&error))),
        }
    });
    view! {
        <main class="cc-settings" data-testid="settings" aria-labelledby="cc-settings-title">
            <h1 id="cc-settings-title" class="cc-settings-title">{tr(|t| t.settings)}</h1>
            <AgentsSettings agents=agents loading=loading />
            <ChannelsSettings channels=channels />
            <div class="cc-channel-sections" hidden=move || !has_channel.get()>
                <ChannelPicker channels=channels />
                <ChannelSettings channels=channels agents=agents />
                <ChannelRouting agents=agents key=channels.selected />
                <ChannelHours key=channels.selected />
                <LoadState
                    outcome=agreements_loading
                    loading_text=|t| t.admin().loading_agreement
                    test_id="agreements-load-error".to_owned()
                />
                <ChannelAgreement key=channels.selected agreements=agreements />
                <ChannelContactForm key=channels.selected agreements=agreements />
                <ChannelTheme channels=channels />
                <ChannelIdentity key=channels.selected />
                <ChannelCanned key=channels.selected />
                <super::ChannelAutomation key=channels.selected />
                <super::ChannelCrm key=channels.selected />
            </div>
            <Bans />
            <super::LabelSettings />
        </main>
    }
}

/// The channels as the server last showed them, and the one the per-channel
/// sections are about.
#[derive(Clone, Copy)]
struct Channels {
    list: RwSignal<Vec<ChannelView>>,
    /// The key of the channel picked; empty while there is none.
    selected: RwSignal<String>,
    /// Loading the list.
    loading: RwSignal<Outcome>,
    /// What became of the last deletion (the channel's own section goes with it).
    notice: RwSignal<Outcome>,
}

impl Channels {
    /// Asks for the list (`GET /api/v1/admin/channels`); the first channel is
    /// picked once it is in.
    fn load() -> Self {
        let channels = Self {
            list: RwSignal::new(Vec::new()),
            selected: RwSignal::new(String::new()),
            loading: RwSignal::new(Outcome::Busy),
            notice: RwSignal::new(Outcome::Idle),
        };
        spawn_local(async move {
            let result = api::list_channels(false).await;
            if channels.loading.is_disposed() {
                return;
            }
            match result {
                Ok(list) => {
                    let keep = channels
                        .selected
                        .with_untracked(|current| keep_selection(&list.channels, current));
                    channels.list.set(list.channels);
                    channels.loading.set(Outcome::Idle);
                    channels.select(keep.unwrap_or_default());
                }
                Err(error) => channels
                    .loading
                    .set(Outcome::Failed(Strings::admin_error(&error))),
            }
        });
        channels
    }

    /// Picks the channel `key` (empty: none). Picking the one already picked does
    /// nothing, so the sections do not load it again.
    fn select(self, key: String) {
        if self.selected.with_untracked(|current| *current != key) {
            self.selected.set(key);
        }
    }

    /// The channel `key` as last shown, untracked.
    fn find(self, key: &str) -> Option<ChannelView> {
        self.list
            .with_untracked(|list| list.iter().find(|c| c.key == key).cloned())
    }

    /// Puts the server's answer for a channel in the list (new ones at the end).
    fn put(self, channel: ChannelView) {
        self.list.update(|list| {
            if let Some(slot) = list.iter_mut().find(|c| c.key == channel.key) {
                *slot = channel;
            } else {
                list.push(channel);
            }
        });
    }
}

/// The language options of a channel form: the visitor's browser (empty value),
/// then every language the widget speaks, by its own name; `current` selected.
fn locale_options(current: impl Fn() -> String + Copy + Send + Sync + 'static) -> impl IntoView {
    let browser = view! {
        <option value="" prop:selected=move || current().is_empty()>
            {tr(|t| t.admin().visitor_language)}
        </option>
    };
    let languages = limits::LOCALES
        .into_iter()
        .map(|lang| {
            view! {
                <option value=lang prop:selected=move || current() == lang>
                    {for_tag(lang).native_name}
                </option>
            }
        })
        .collect_view();
    (browser, languages)
}

/// How a channel form field reads and writes its text.
type Access = (fn(&ChannelDraft) -> &String, fn(&mut ChannelDraft, String));

/// One labelled text field of a channel form (`{prefix}-{name}` as id,
/// `{test}-{name}` as test id): a line, or `rows` lines, of at most `max`
/// characters, with an optional hint; the form's error is `{prefix}-error`.
#[allow(clippy::too_many_arguments)]
fn channel_field(
    form: RwSignal<ChannelDraft>,
    [prefix, test]: [&'static str; 2],
    name: &'static str,
    label: Text,
    hint: Option<Text>,
    rows: Option<&'static str>,
    max: Option<usize>,
    (get, set): Access,
) -> impl IntoView {
    view! {
        <Field
            id=format!("{prefix}-{name}")
            test_id=format!("{test}-{name}")
            label=label
            hint=hint
            control=rows.map_or(Control::Input("text"), Control::Area)
            value=Signal::derive(move || form.with(|f| get(f).clone()))
            on_change=Callback::new(move |text| form.update(|f| set(f, text)))
            max=max
            described_by=format!("{prefix}-error")
            // Sites and keys are not words; a greeting is.
            no_spellcheck=matches!(name, "origins" | "key")
        />
    }
}

/// The fields of a channel form (ids `{prefix}-{name}`, test ids
/// `{test}-{name}`): name, the key (only for a new channel), chat title,
/// language, greeting and allowed sites. One copy for both forms.
fn channel_fields(
    form: RwSignal<ChannelDraft>,
    ids: [&'static str; 2],
    with_key: bool,
) -> impl IntoView {
    let [prefix, test] = ids;
    let locale_id = format!("{prefix}-locale");
    view! {
        <div class="cc-form-grid">
            {channel_field(form, ids, "name", |t| t.name, None, None, Some(limits::MAX_NAME_CHARS), (|f| &f.name, |f, v| f.name = v))}
            {with_key
                .then(|| {
                    channel_field(
                        form,
                        ids,
                        "key",
                        |t| t.channel_key,
                        Some(|t| t.admin().channel_key_hint),
                        None,
                        Some(limits::MAX_KEY_CHARS),
                        (|f| &f.key, |f, v| f.key = v),
                    )
                })}
            {channel_field(
                form,
                ids,
                "title",
                |t| t.admin().chat_title,
                Some(|t| t.admin().chat_title_hint),
                None,
                Some(limits::MAX_NAME_CHARS),
                (|f| &f.title, |f, v| f.title = v),
            )}
            <div class="cc-field">
                <label class="cc-field-label" for=locale_id.clone()>{tr(|t| t.admin().widget_language)}</label>
                <select
                    id=locale_id
                    class="cc-select"
                    data-testid=format!("{test}-locale")
                    on:change=move |ev| {
                        let locale = event_target_value(&ev);
                        form.update(|f| f.locale = locale);
                    }
                >
                    {locale_options(move || form.with(|f| f.locale.clone()))}
                </select>
            </div>
        </div>
        {channel_field(
            form,
            ids,
            "greeting",
            |t| t.admin().greeting,
            Some(|t| t.admin().greeting_hint),
            Some("2"),
            Some(limits::MAX_GREETING_CHARS),
            (|f| &f.greeting, |f, v| f.greeting = v),
        )}
        <div class="cc-form-grid">
            {channel_field(form, ids, "greeting-en", |t| t.admin().greeting_en, Some(|t| t.admin().greeting_lang_hint), Some("2"), Some(limits::MAX_GREETING_CHARS), (|f| &f.greetings[0], |f, v| f.greetings[0] = v))}
            {channel_field(form, ids, "greeting-es", |t| t.admin().greeting_es, Some(|t| t.admin().greeting_lang_hint), Some("2"), Some(limits::MAX_GREETING_CHARS), (|f| &f.greetings[1], |f, v| f.greetings[1] = v))}
            {channel_field(form, ids, "greeting-ru", |t| t.admin().greeting_ru, Some(|t| t.admin().greeting_lang_hint), Some("2"), Some(limits::MAX_GREETING_CHARS), (|f| &f.greetings[2], |f, v| f.greetings[2] = v))}
        </div>
        {channel_field(
            form,
            ids,
            "origins",
            |t| t.admin().allowed_sites,
            Some(|t| t.admin().allowed_sites_hint),
            Some("2"),
            None,
            (|f| &f.origins, |f, v| f.origins = v),
        )}
    }
}

/// Every channel (`data-testid="channels-table"`: name, key, on or off; a name
/// picks its channel) and the form for a new one.
#[component]
fn ChannelsSettings(channels: Channels) -> impl IntoView {
    let Channels {
        list,
        selected,
        loading,
        notice,
    } = channels;
    view! {
        <section class="cc-settings-section" aria-labelledby="cc-channels-title" data-testid="channels-settings">
            <h2 id="cc-channels-title" class="cc-settings-heading">{tr(|t| t.admin().channels_title)}</h2>
            <LoadState outcome=loading loading_text=|t| t.admin().loading_channels test_id="channels-error".to_owned() />
            <p
                class="cc-empty"
                data-testid="channels-empty"
                hidden=move || loading.get().busy() || !list.with(Vec::is_empty)
            >
                {tr(|t| t.admin().no_channels)}
            </p>
            <div class="cc-table-wrap" hidden=move || list.with(Vec::is_empty)>
                <table class="cc-table" data-testid="channels-table">
                    <caption class="cc-sr">{tr(|t| t.admin().channels_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(|t| t.name)}</th>
                            <th scope="col">{tr(|t| t.channel_key)}</th>
                            <th scope="col">{tr(|t| t.admin().channel_active)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || list.get()
                            key=|c| (c.key.clone(), c.name.clone(), c.active)
                            children=move |channel| {
                                let key = channel.key.clone();
                                let row_key = key.clone();
                                let picked = {
                                    let key = key.clone();
                                    move || selected.with(|s| *s == key)
                                };
                                let active = channel.active;
                                let state: Text = if active {
                                    |t| t.admin().channel_on
                                } else {
                                    |t| t.admin().channel_off
                                };
                                view! {
                                    <tr data-testid="channel-row" data-channel-key=row_key>
                                        <th scope="row">
                                            <button
                                                type="button"
                                                class="cc-link-button"
                                                aria-pressed=move || picked().to_string()
                                                on:click=move |_| channels.select(key.clone())
                                            >
                                                {channel.name}
                                            </button>
                                        </th>
                                        <td><code>{channel.key.clone()}</code></td>
                                        <td
                                            class=if active { "cc-state-on" } else { "cc-state-off" }
                                            data-testid="channel-state"
                                        >
                                            {tr(state)}
                                        </td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
            <FormOutcome outcome=notice />
            <NewChannelForm channels=channels />
        </section>
    }
}

/// What a form asks for, read with `read`; `None` while a request is under way, or
/// when the form is wrong (the outcome then says why).
fn ready<F: Send + Sync + 'static, R>(
    outcome: RwSignal<Outcome>,
    form: RwSignal<F>,
    read: fn(&F) -> Result<R, FormError>,
) -> Option<R> {
    if outcome.get_untracked().busy() {
        return None;
    }
    match form.with_untracked(read) {
        Ok(request) => Some(request),
        Err(error) => {
            outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))));
            None
        }
    }
}

/// A table's header row: `columns`, then the column of each row's button, named for
/// screen readers only (`action`).
pub(super) fn table_head(columns: &[Text], action: Text) -> impl IntoView {
    let columns = columns
        .iter()
        .map(|&text| view! { <th scope="col">{tr(text)}</th> })
        .collect_view();
    view! {
        <thead>
            <tr>
                {columns}
                <th scope="col"><span class="cc-sr">{tr(action)}</span></th>
            </tr>
        </thead>
    }
}

/// What becomes of a request's answer, once it is in hand.
type Then = Box<dyn FnOnce()>;
/// A request under way, its answer made into a [`Then`]. Boxed, so the steps
/// around every request exist once in the console, not once per answer type.
type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Then, api::ApiError>>>>;

/// Sends a form's request: marks `outcome` busy, waits for `call`, and, unless
/// the form is gone by then, hands the answer to `done` (which says how it went)
/// or shows why the server refused. Callers check first that `outcome` is not busy.
pub(super) fn send_form<T: 'static>(
    outcome: RwSignal<Outcome>,
    call: impl std::future::Future<Output = Result<T, api::ApiError>> + 'static,
    done: impl FnOnce(T) + 'static,
) {
    send_pending(
        outcome,
        Box::pin(async move {
            let answer = call.await?;
            Ok(Box::new(move || done(answer)) as Then)
        }),
    );
}

/// [`send_form`]'s steps, in one copy.
fn send_pending(outcome: RwSignal<Outcome>, call: Pending) {
    outcome.set(Outcome::Busy);
    spawn_local(async move {
        let result = call.await;
        if outcome.is_disposed() {
            return;
        }
        match result {
            Ok(then) => then(),
            Err(error) => outcome.set(Outcome::Failed(Strings::admin_error(&error))),
        }
    });
}

/// The form for a new channel (`data-testid="channel-create"`): a name, and
/// optionally a key, chat title, greeting, language and allowed sites, sent with
/// `POST`. The new channel joins the list and is picked; the form empties.
#[component]
fn NewChannelForm(channels: Channels) -> impl IntoView {
    let form = RwSignal::new(ChannelDraft::default());
    let outcome = RwSignal::new(Outcome::Idle);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(request) = ready(outcome, form, ChannelDraft::request) else {
            return;
        };
        send_form(
            outcome,
            async move { api::create_channel(&request).await },
            move |created| {
                let key = created.key.clone();
                channels.put(created);
                form.set(ChannelDraft::default());
                outcome.set(Outcome::Done(|t| t.admin().channel_created));
                channels.notice.set(Outcome::Idle);
                channels.select(key);
            },
        );
    };
    view! {
        <form
            class="cc-settings-form"
            data-testid="channel-create"
            novalidate
            aria-labelledby="cc-new-channel-title"
            on:submit=on_submit
        >
            <h3 id="cc-new-channel-title" class="cc-settings-subheading">{tr(|t| t.admin().new_channel)}</h3>
            {channel_fields(form, ["cc-new-channel", "channel-create"], true)}
            <div class="cc-form-bar">
                <button
                    type="submit"
                    class="cc-button cc-primary"
                    data-testid="channel-create-submit"
                    disabled=move || outcome.get().busy()
                >
                    {tr(|t| t.admin().create_channel)}
                </button>
                <FormOutcome outcome=outcome error_id="cc-new-channel-error".to_owned() />
            </div>
        </form>
    }
}

/// The channel the sections below are about (`data-testid="channel-picker"`).
#[component]
fn ChannelPicker(channels: Channels) -> impl IntoView {
    view! {
        <div class="cc-form-bar cc-channel-bar" data-testid="channel-bar">
            <label class="cc-inline-label" for="cc-channel-picker">{tr(|t| t.channel)}</label>
            <select
                id="cc-channel-picker"
                class="cc-select"
                data-testid="channel-picker"
                on:change=move |ev| channels.select(event_target_value(&ev))
            >
                <For
                    each=move || channels.list.get()
                    key=|c| (c.key.clone(), c.name.clone(), c.active)
                    children=move |channel| {
                        let key = channel.key.clone();
                        let picked = key.clone();
                        let marker: Text = if channel.active {
                            |_| ""
                        } else {
                            |t| t.admin().channel_off_marker
                        };
                        let label = format!("{} ({})", channel.name, channel.key);
                        view! {
                            <option value=key prop:selected=move || channels.selected.with(|s| *s == picked)>
                                {label}
                                {tr(marker)}
                            </option>
                        }
                    }
                />
            </select>
        </div>
    }
}

/// The picked channel's own settings (`data-testid="channel-settings"`): a
/// [`ChannelForm`] made afresh for each channel picked.
#[component]
fn ChannelSettings(
    channels: Channels,
    /// Whom the managers are picked from.
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    view! {
        <section class="cc-settings-section" aria-labelledby="cc-channel-title" data-testid="channel-settings">
            <h2 id="cc-channel-title" class="cc-settings-heading">
                {tr(|t| t.admin().channel_of)} " " <code>{move || channels.selected.get()}</code>
            </h2>
            {move || {
                let key = channels.selected.get();
                channels
                    .find(&key)
                    .map(|channel| view! { <ChannelForm channel=channel channels=channels agents=agents /> })
            }}
        </section>
    }
}

/// Copies `text` with `navigator.clipboard.writeText`; `false` when the browser
/// has no clipboard there (e.g. a page not served over HTTPS) or refused.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let navigator = window.navigator();
    let has_clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|clipboard| !clipboard.is_undefined() && !clipboard.is_null());
    if !has_clipboard {
        return false;
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}

/// One channel's settings (`data-testid="channel-edit"`): name, chat title,
/// greeting, language, allowed sites and on/off, saved with `PATCH` of only what
/// changed; its [`ChannelManagers`]; its snippet with "Copy"; and "Delete
/// channel" with a confirmation.
#[component]
fn ChannelForm(
    /// The channel when the form was made.
    channel: ChannelView,
    channels: Channels,
    /// Whom the managers are picked from.
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let managers = channel.managers.clone();
    let key = StoredValue::new(channel.key.clone());
    let form = RwSignal::new(ChannelDraft::of(&channel));
    let outcome = RwSignal::new(Outcome::Idle);
    let copy_outcome = RwSignal::new(Outcome::Idle);
    let delete_outcome = RwSignal::new(Outcome::Idle);
    let confirming = RwSignal::new(false);
    let snippet_ref = NodeRef::<html::Textarea>::new();
    let snippet = Memo::new(move |_| {
        key.with_value(|key| {
            channels.list.with(|list| {
                list.iter()
                    .find(|c| c.key == *key)
                    .map(|c| c.snippet.clone())
                    .unwrap_or_default()
            })
        })
    });

    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if outcome.get_untracked().busy() {
            return;
        }
        let Some(channel) = channels.find(&key.get_value()) else {
            return;
        };
        let patch = match form.with_untracked(|f| f.patch(&channel)) {
            Ok(Some(patch)) => patch,
            Ok(None) => return outcome.set(Outcome::Done(|t| t.admin().nothing_to_save)),
            Err(error) => {
                return outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))))
            }
        };
        send_form(
            outcome,
            async move { api::update_channel(&channel.key, &patch).await },
            move |saved| {
                form.set(ChannelDraft::of(&saved));
                channels.put(saved);
                outcome.set(Outcome::Done(|t| t.admin().saved));
            },
        );
    };

    let on_copy = move |_| {
        let text = snippet.get_untracked();
        copy_outcome.set(Outcome::Idle);
        spawn_local(async move {
            let copied = copy_to_clipboard(&text).await;
            if copy_outcome.is_disposed() {
                return;
            }
            if copied {
                copy_outcome.set(Outcome::Done(|t| t.admin().copied));
            } else {
                // No clipboard: select the text, for Ctrl+C.
                if let Some(area) = snippet_ref.try_get_untracked().flatten() {
                    let _ = area.focus();
                    area.select();
                }
                copy_outcome.set(Outcome::Done(|t| t.admin().copy_selected));
            }
        });
    };

    let on_delete = move |_| {
        if delete_outcome.get_untracked().busy() {
            return;
        }
        let deleted = key.get_value();
        let call = {
            let deleted = deleted.clone();
            async move { api::delete_channel(&deleted).await }
        };
        send_form(delete_outcome, call, move |()| {
            // This form goes with the channel: nothing of it is touched after.
            let next = channels
                .list
                .with_untracked(|list| after_deletion(list, &deleted));
            channels
                .list
                .update(|list| list.retain(|c| c.key != deleted));
            channels
                .notice
                .set(Outcome::Done(|t| t.admin().channel_deleted));
            channels.select(next.unwrap_or_default());
        });
    };

    view! {
        <form
            class="cc-settings-form"
            data-testid="channel-edit"
            novalidate
            aria-labelledby="cc-channel-title"
            on:submit=on_save
        >
            {channel_fields(form, ["cc-channel", "channel"], false)}
            <Field
                id="cc-channel-active"
                test_id="channel-active"
                label=|t| t.admin().channel_active
                control=Control::Check
                value=Signal::derive(move || if form.with(|f| f.active) { "on".to_owned() } else { String::new() })
                on_change=Callback::new(move |on: String| form.update(|f| f.active = !on.is_empty()))
            />
            <div class="cc-form-bar">
                <button
                    type="submit"
                    class="cc-button cc-primary"
                    data-testid="channel-save"
                    disabled=move || outcome.get().busy()
                >
                    {tr(|t| t.save)}
                </button>
                <FormOutcome outcome=outcome error_id="cc-channel-error".to_owned() />
            </div>
        </form>
        <ChannelManagers key=key.get_value() managers=managers channels=channels agents=agents />
        <div class="cc-field" data-testid="channel-snippet-field">
            <label class="cc-field-label" for="cc-channel-snippet">{tr(|t| t.admin().snippet)}</label>
            <textarea
                id="cc-channel-snippet"
                class="cc-input cc-snippet"
                rows="3"
                readonly
                spellcheck="false"
                data-testid="channel-snippet"
                aria-describedby="cc-channel-snippet-hint"
                prop:value=move || snippet.get()
                node_ref=snippet_ref
            ></textarea>
            <div class="cc-form-bar">
                <span id="cc-channel-snippet-hint" class="cc-hint">{tr(|t| t.admin().snippet_hint)}</span>
                <button type="button" class="cc-button" data-testid="channel-copy" on:click=on_copy>
                    {tr(|t| t.admin().copy)}
                </button>
                <FormOutcome outcome=copy_outcome />
            </div>
        </div>
        <div class="cc-form-bar">
            <button
                type="button"
                class="cc-button cc-danger"
                data-testid="channel-delete"
                hidden=move || confirming.get()
                on:click=move |_| {
                    delete_outcome.set(Outcome::Idle);
                    confirming.set(true);
                }
            >
                {tr(|t| t.admin().delete_channel)}
            </button>
        </div>
            <div
                class="cc-confirm"
                role="group"
                aria-labelledby="cc-channel-delete-question"
                data-testid="channel-delete-confirmation"
                hidden=move || !confirming.get()
            >
                <p id="cc-channel-delete-question">{tr(|t| t.admin().delete_question)}</p>
                <button
                    type="button"
                    class="cc-button cc-danger"
                    data-testid="channel-delete-confirm"
                    disabled=move || delete_outcome.get().busy()
                    on:click=on_delete
                >
                    {tr(|t| t.admin().delete_confirm)}
                </button>
                <button
                    type="button"
                    class="cc-button"
                    data-testid="channel-delete-cancel"
                    disabled=move || delete_outcome.get().busy()
                    on:click=move |_| confirming.set(false)
                >
                    {tr(|t| t.admin().cancel)}
                </button>
                <FormOutcome outcome=delete_outcome error_id="cc-channel-delete-error".to_owned() />
            </div>
    }
}

/// Who may configure the channel `key` besides the admins
/// (`data-testid="channel-managers"`): a box for each supervisor (and for each
/// manager who is no longer one, to take them off), saved with `PUT
/// .../managers`; the server's refusal shows next to the button.
#[component]
fn ChannelManagers(
    key: String,
    /// The managers when the form was made.
    managers: Vec<u64>,
    channels: Channels,
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let t = use_strings();
    let picked = RwSignal::new(managers);
    let outcome = RwSignal::new(Outcome::Idle);
    // The boxes follow the agents and the managers as saved, not the ticks.
    let choices = {
        let key = key.clone();
        Memo::new(move |_| {
            let saved = channels.list.with(|list| {
                list.iter()
                    .find(|c| c.key == key)
                    .map(|c| c.managers.clone())
                    .unwrap_or_default()
            });
            agents.with(|list| manager_choices(list, &saved))
        })
    };
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if outcome.get_untracked().busy() {
            return;
        }
        let request = SetManagers {
            agent_ids: picked.get_untracked(),
        };
        let key = key.clone();
        send_form(
            outcome,
            async move { api::set_managers(&key, &request).await },
            move |saved| {
                picked.set(saved.managers.clone());
                channels.put(saved);
                outcome.set(Outcome::Done(|t| t.admin().saved));
            },
        );
    };
    view! {
        <form class="cc-settings-form" data-testid="channel-managers" novalidate on:submit=on_save>
            <fieldset class="cc-fieldset" aria-describedby="cc-managers-hint cc-managers-error">
                <legend>{tr(|t| t.admin().managers)}</legend>
                <p id="cc-managers-hint" class="cc-hint">{tr(|t| t.admin().managers_hint)}</p>
                {move || {
                    choices
                        .get()
                        .into_iter()
                        .map(|(id, name, supervisor)| {
                        let note = (!supervisor).then(|| tr(|t| t.admin().not_supervisor));
                        view! {
                            <label class="cc-check">
                                <input
                                    type="checkbox"
                                    data-testid="channel-manager"
                                    value=id.to_string()
                                    prop:checked=move || picked.with(|p| p.contains(&id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        picked.update(|p| tick(p, id, on));
                                    }
                                />
                                {name}
                                {note}
                            </label>
                        }
                        })
                        .collect_view()
                }}
                <p class="cc-empty" hidden=move || !choices.with(Vec::is_empty)>{move || t.get().admin().no_supervisors}</p>
            </fieldset>
            <div class="cc-form-bar">
                <button
                    type="submit"
                    class="cc-button cc-primary"
                    data-testid="channel-managers-save"
                    disabled=move || outcome.get().busy()
                >
                    {tr(|t| t.admin().save_managers)}
                </button>
                <FormOutcome outcome=outcome error_id="cc-managers-error".to_owned() />
            </div>
        </form>
    }
}

/// Every agent (`data-testid="agents-table"`), each with their cap, role and
/// dismissal to change, and the form for a new one.
#[component]
fn AgentsSettings(
    /// The agents, as the server last showed them.
    agents: RwSignal<Vec<AgentView>>,
    /// Loading the list.
    loading: RwSignal<Outcome>,
) -> impl IntoView {
    view! {
        <section class="cc-settings-section" aria-labelledby="cc-agents-title" data-testid="agents-settings">
            <h2 id="cc-agents-title" class="cc-settings-heading">{tr(|t| t.admin().agents_title)}</h2>
            <LoadState outcome=loading loading_text=|t| t.admin().loading_agents test_id="agents-error".to_owned() />
            <div class="cc-table-wrap">
                <table class="cc-table" data-testid="agents-table">
                    <caption class="cc-sr">{tr(|t| t.admin().agents_caption)}</caption>
                    {table_head(&[|t| t.name, |t| t.email, |t| t.role, |t| t.admin().cap, |t| t.admin().dismissed], |t| t.save)}
                    <tbody>
                        <For
                            each=move || agents.get()
                            key=|agent| agent.id
                            children=move |agent| view! { <AgentRow agent=agent agents=agents /> }
                        />
                    </tbody>
                </table>
            </div>
            <NewAgentForm agents=agents />
        </section>
    }
}

/// The role options, `current` selected.
fn role_options(
    t: RwSignal<&'static Strings>,
    current: impl Fn() -> Role + Copy + Send + Sync + 'static,
) -> impl IntoView {
    ROLES
        .into_iter()
        .map(|role| {
            view! {
                <option value=role_str(role) prop:selected=move || current() == role>
                    {move || t.get().role(role)}
                </option>
            }
        })
        .collect_view()
}

/// One agent (`data-testid="agent-row"`): cap, role and dismissal, saved with
/// `PATCH` of only what changed.
#[component]
fn AgentRow(
    /// The agent when the row was made.
    agent: AgentView,
    /// Where the row reads the agent as last saved and puts the server's answer.
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let t = use_strings();
    let id = agent.id;
    let edit = RwSignal::new(AgentEdit::of(&agent));
    let outcome = RwSignal::new(Outcome::Idle);
    let current = move || agents.with_untracked(|list| list.iter().find(|a| a.id == id).cloned());
    let name = move || {
        agents.with(|list| {
            list.iter()
                .find(|a| a.id == id)
                .map(|a| a.name.clone())
                .unwrap_or_default()
        })
    };
    let field = |what: &str| format!("cc-agent-{id}-{what}");
    let error_id = field("error");

    let save = move |_| {
        if outcome.get_untracked().busy() {
            return;
        }
        let Some(agent) = current() else {
            return;
        };
        let patch = match edit.with_untracked(|e| e.patch(&agent)) {
            Ok(Some(patch)) => patch,
            Ok(None) => return outcome.set(Outcome::Done(|t| t.admin().nothing_to_save)),
            Err(error) => {
                return outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))))
            }
        };
        send_form(
            outcome,
            async move { api::update_agent(id, &patch).await },
            move |saved| {
                edit.set(AgentEdit::of(&saved));
                agents.update(|list| {
                    if let Some(slot) = list.iter_mut().find(|a| a.id == id) {
                        *slot = saved;
                    }
                });
                outcome.set(Outcome::Done(|t| t.admin().saved));
            },
        );
    };

    view! {
        <tr data-testid="agent-row" data-agent-id=id.to_string()>
            <th scope="row">
                {name}
                {agent.is_bot.then(|| view! { <small class="cc-muted">{tr(|t| t.admin().bot)}</small> })}
            </th>
            <td>{agent.email.clone()}</td>
            <td>
                <label class="cc-sr" for=field("role")>{tr(|t| t.role)} ": " {name}</label>
                <select
                    id=field("role")
                    class="cc-select"
                    data-testid="agent-role"
                    on:change=move |ev| {
                        if let Some(role) = parse_role(&event_target_value(&ev)) {
                            edit.update(|e| e.role = role);
                        }
                    }
                >
                    {role_options(t, move || edit.with(|e| e.role))}
                </select>
            </td>
            <td>
                <label class="cc-sr" for=field("cap")>{tr(|t| t.admin().cap)} ": " {name}</label>
                <input
                    id=field("cap")
                    class="cc-input cc-narrow"
                    type="number"
                    min="0"
                    step="1"
                    inputmode="numeric"
                    title=tr(|t| t.admin().cap_hint)
                    data-testid="agent-cap"
                    aria-describedby=error_id.clone()
                    prop:value=move || edit.with(|e| e.cap.clone())
                    on:input=move |ev| edit.update(|e| e.cap = event_target_value(&ev))
                />
            </td>
            <td>
                <label class="cc-sr" for=field("dismissed")>{tr(|t| t.admin().dismissed)} ": " {name}</label>
                <input
                    id=field("dismissed")
                    type="checkbox"
                    data-testid="agent-dismissed"
                    prop:checked=move || edit.with(|e| e.dismissed)
                    on:change=move |ev| edit.update(|e| e.dismissed = event_target_checked(&ev))
                />
            </td>
            <td class="cc-row-actions">
                <button
                    type="button"
                    class="cc-button cc-small"
                    data-testid="agent-save"
                    disabled=move || outcome.get().busy()
                    on:click=save
                >
                    {tr(|t| t.save)}
                    <span class="cc-sr">" " {name}</span>
                </button>
                <FormOutcome outcome=outcome error_id=error_id />
            </td>
        </tr>
    }
}

/// The form for a new agent (`data-testid="agent-create"`): email, name,
/// password, role and an optional cap, sent with `POST`; the new agent joins the
/// table and the form empties.
#[component]
fn NewAgentForm(
    /// The table the new agent joins.
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let t = use_strings();
    let form = RwSignal::new(NewAgent::default());
    let outcome = RwSignal::new(Outcome::Idle);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(request) = ready(outcome, form, NewAgent::request) else {
            return;
        };
        send_form(
            outcome,
            async move { api::create_agent(&request).await },
            move |created| {
                agents.update(|list| {
                    list.retain(|a| a.id != created.id);
                    list.push(created);
                });
                form.set(NewAgent::default());
                outcome.set(Outcome::Done(|t| t.admin().agent_created));
            },
        );
    };
    // One text field of the form.
    let text_field = move |key: &'static str,
                           label: Text,
                           kind: &'static str,
                           autocomplete: &'static str,
                           get: fn(&NewAgent) -> &String,
                           set: fn(&mut NewAgent, String)| {
        let id = format!("cc-new-agent-{key}");
        view! {
            <div class="cc-field">
                <label class="cc-field-label" for=id.clone()>{tr(label)}</label>
                <input
                    id=id
                    class="cc-input"
                    type=kind
                    autocomplete=autocomplete
                    data-testid=format!("agent-create-{key}")
                    aria-describedby="cc-new-agent-error"
                    prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))
                />
            </div>
        }
    };

    view! {
        <form
            class="cc-settings-form"
            data-testid="agent-create"
            novalidate
            aria-labelledby="cc-new-agent-title"
            on:submit=on_submit
        >
            <h3 id="cc-new-agent-title" class="cc-settings-subheading">{tr(|t| t.admin().new_agent)}</h3>
            <div class="cc-form-grid">
                {text_field("email", |t| t.email, "email", "off", |f| &f.email, |f, v| f.email = v)}
                {text_field("name", |t| t.name, "text", "off", |f| &f.name, |f, v| f.name = v)}
                {text_field(
                    "password",
                    |t| t.password,
                    "password",
                    "new-password",
                    |f| &f.password,
                    |f, v| f.password = v,
                )}
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-new-agent-role">{tr(|t| t.role)}</label>
                    <select
                        id="cc-new-agent-role"
                        class="cc-select"
                        data-testid="agent-create-role"
                        on:change=move |ev| {
                            if let Some(role) = parse_role(&event_target_value(&ev)) {
                                form.update(|f| f.role = role);
                            }
                        }
                    >
                        {role_options(t, move || form.with(|f| f.role))}
                    </select>
                </div>
                {text_field("cap", |t| t.admin().cap, "number", "off", |f| &f.cap, |f, v| f.cap = v)}
            </div>
            <p class="cc-hint">{tr(|t| t.admin().cap_hint)}</p>
            <div class="cc-form-bar">
                <button
                    type="submit"
                    class="cc-button cc-primary"
                    data-testid="agent-create-submit"
                    disabled=move || outcome.get().busy()
                >
                    {tr(|t| t.admin().create_agent)}
                </button>
                <FormOutcome outcome=outcome error_id="cc-new-agent-error".to_owned() />
            </div>
        </form>
    }
}

/// A queue entry as a `For` key (`QueueItem` is not `Hash`).
fn queue_key(item: QueueItem) -> (bool, u64) {
    match item {
        QueueItem::Agent(id) => (false, id),
        QueueItem::Department(id) => (true, id),
    }
}

/// Applies `change` to the routing form, if one is loaded.
fn edit_form(form: RwSignal<Option<RoutingForm>>, change: impl FnOnce(&mut RoutingForm)) {
    form.update(|f| {
        if let Some(f) = f.as_mut() {
            change(f);
        }
    });
}

/// What a per-channel settings section keeps: the key of the channel picked
/// (shared by every section), the channel whose settings the form holds, the form
/// (`F`), and how loading and saving went. One copy of the load and send steps for
/// every section.
pub(super) struct ChannelEditor<F: Send + Sync + 'static> {
    key: RwSignal<String>,
    pub(super) loaded_key: RwSignal<String>,
    pub(super) form: RwSignal<Option<F>>,
    pub(super) loading: RwSignal<Outcome>,
    pub(super) outcome: RwSignal<Outcome>,
}

impl<F: Send + Sync + 'static> Clone for ChannelEditor<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: Send + Sync + 'static> Copy for ChannelEditor<F> {}

impl<F: Send + Sync + 'static> ChannelEditor<F> {
    /// An editor of the channel `key` names (the picker's).
    pub(super) fn new(key: RwSignal<String>) -> Self {
        Self {
            key,
            loaded_key: RwSignal::new(String::new()),
            form: RwSignal::new(None),
            loading: RwSignal::new(Outcome::Idle),
            outcome: RwSignal::new(Outcome::Idle),
        }
    }

    /// Loads the picked channel's settings with `fetch` each time another channel
    /// is picked (and once now), making the form of the answer with `make`.
    pub(super) fn follow<V: 'static, Fut>(
        self,
        fetch: impl Fn(String) -> Fut + Copy + 'static,
        make: impl Fn(V) -> F + Copy + 'static,
    ) where
        Fut: std::future::Future<Output = Result<V, api::ApiError>> + 'static,
    {
        on_pick(self.key, Box::new(move || self.load(fetch, make)));
    }

    /// Loads the picked channel's settings with `fetch` and makes the form of the
    /// answer with `make`; a failure leaves no form and says why. An answer for a
    /// channel no longer picked is dropped.
    fn load<V: 'static, Fut>(
        self,
        fetch: impl FnOnce(String) -> Fut + 'static,
        make: impl FnOnce(V) -> F + 'static,
    ) where
        Fut: std::future::Future<Output = Result<V, api::ApiError>> + 'static,
    {
        let wanted = self.key.get_untracked().trim().to_owned();
        self.form.set(None);
        self.loaded_key.set(String::new());
        self.outcome.set(Outcome::Idle);
        if wanted.is_empty() {
            self.loading.set(Outcome::Idle);
            return;
        }
        let form = self.form;
        let call = fetch(wanted.clone());
        let call: Pending = Box::pin(async move {
            let answer = call.await?;
            Ok(Box::new(move || form.set(Some(make(answer)))) as Then)
        });
        load_pending(self.key, self.loaded_key, self.loading, wanted, call);
    }

    /// What the form asks for, read with `read`; `None` while a request is under
    /// way, or when the form is wrong (the outcome then says why).
    pub(super) fn request<R>(self, read: fn(&F) -> Result<R, FormError>) -> Option<R> {
        if self.outcome.get_untracked().busy() {
            return None;
        }
        match self.form.with_untracked(|f| f.as_ref().map(read))? {
            Ok(request) => Some(request),
            Err(error) => {
                self.outcome.set(Outcome::Invalid(error));
                None
            }
        }
    }

    /// Sends a change of the loaded channel with `send`; on success the form
    /// becomes `apply` of the answer (if the same channel is still loaded) and the
    /// outcome says `done`, else why it failed.
    pub(super) fn send<V: 'static, Fut>(
        self,
        send: impl FnOnce(String) -> Fut + 'static,
        apply: impl FnOnce(V) -> F + 'static,
        done: Text,
    ) where
        Fut: std::future::Future<Output = Result<V, api::ApiError>> + 'static,
    {
        if self.outcome.get_untracked().busy() {
            return;
        }
        let channel = self.loaded_key.get_untracked();
        if channel.is_empty() {
            return;
        }
        let call = send(channel.clone());
        send_form(self.outcome, call, move |answer| {
            if self.loaded_key.get_untracked() == channel {
                self.form.set(Some(apply(answer)));
            }
            self.outcome.set(Outcome::Done(done));
        });
    }
}

/// Runs `reload` now and each time another channel is picked (`key`).
fn on_pick(key: RwSignal<String>, reload: Box<dyn Fn()>) {
    Effect::new(move |_| {
        key.track();
        reload();
    });
}

/// [`ChannelEditor::load`]'s steps once the request is made, in one copy: the
/// answer for the channel `wanted`, if it is still the one picked, becomes the
/// form and the loaded channel; a failure says why.
fn load_pending(
    key: RwSignal<String>,
    loaded_key: RwSignal<String>,
    loading: RwSignal<Outcome>,
    wanted: String,
    call: Pending,
) {
    loading.set(Outcome::Busy);
    spawn_local(async move {
        let result = call.await;
        if loading.is_disposed() || key.get_untracked().trim() != wanted {
            return;
        }
        match result {
            Ok(then) => {
                then();
                loaded_key.set(wanted);
                loading.set(Outcome::Idle);
            }
            Err(error) => loading.set(Outcome::Failed(Strings::admin_error(&error))),
        }
    });
}

/// The frame of a per-channel settings section: its heading, the loading line and
/// the load error, then `form`. `name` prefixes the ids and test ids (`routing`:
/// `routing-settings`, `routing-load-error`, `cc-routing-title`, ...). The channel
/// is the one the [`ChannelPicker`] shows.
#[component]
pub(super) fn ChannelSection(
    name: &'static str,
    title: Text,
    loading_text: Text,
    loading: RwSignal<Outcome>,
    /// The loaded form (drawn when there is one).
    form: ViewFn,
) -> impl IntoView {
    view! {
        <section class="cc-settings-section" aria-labelledby=format!("cc-{name}-title") data-testid=format!("{name}-settings")>
            <h2 id=format!("cc-{name}-title") class="cc-settings-heading">{tr(title)}</h2>
            <LoadState
                outcome=loading
                loading_text=loading_text
                test_id=format!("{name}-load-error")
                id=format!("cc-{name}-load-error")
            />
            {move || form.run()}
        </section>
    }
}

/// Reads the routing form (the default before one is loaded).
fn read_form<T: Default>(
    form: RwSignal<Option<RoutingForm>>,
    read: impl Fn(&RoutingForm) -> T,
) -> T {
    form.with(|f| f.as_ref().map(read).unwrap_or_default())
}

/// A channel's routing (`data-testid="routing-form"`), for the channel picked:
/// mode, when an offer passes on, who gets offers, the cap
/// exclusions, what visitors see, the auto-reply, and the queue of agents in
/// order. Saved with `PUT` of the whole settings as loaded with these changed.
#[component]
fn ChannelRouting(
    /// Who can join the queue, and the names of those in it.
    agents: RwSignal<Vec<AgentView>>,
    /// The key of the channel picked.
    key: RwSignal<String>,
) -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<RoutingForm>::new(key);
    let ChannelEditor {
        loaded_key,
        form,
        loading,
        outcome,
        ..
    } = editor;
    let to_add = RwSignal::new(String::new());

    editor.follow(
        |channel| async move { api::load_routing(&channel).await },
        RoutingForm::new,
    );

    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(settings) = editor.request(RoutingForm::settings) {
            editor.send(
                move |channel| async move { api::save_routing(&channel, &settings).await },
                RoutingForm::new,
                |t| t.admin().saved,
            );
        }
    };

    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let queue = Memo::new(move |_| read_form(form, |f| f.queue.clone()));
    let candidates = Memo::new(move |_| agents.with(|list| queue.with(|q| addable(list, q))));
    let label_of = move |item: QueueItem| match item {
        QueueItem::Agent(id) => agents.with(|list| {
            list.iter()
                .find(|a| a.id == id)
                .map_or_else(|| format!("{} #{id}", t.get().agent), |a| a.name.clone())
        }),
        QueueItem::Department(id) => format!("{} #{id}", t.get().admin().department),
    };
    let add = move |_| {
        if let Ok(id) = to_add.get_untracked().parse::<u64>() {
            edit_form(form, |f| f.add_agent(id));
            to_add.set(String::new());
        }
    };
    let position = move |item: QueueItem| {
        form.with_untracked(|f| {
            f.as_ref()
                .and_then(|f| f.queue.iter().position(|q| *q == item))
        })
    };

    let form_view = move || {
        view! {
            <form
                class="cc-settings-form"
                data-testid="routing-form"
                novalidate
                aria-labelledby="cc-routing-of"
                on:submit=on_save
            >
                <h3 id="cc-routing-of" class="cc-settings-subheading">
                    {tr(|t| t.admin().routing_of)} " " <code>{move || loaded_key.get()}</code>
                </h3>
                <div class="cc-form-grid">
                    <div class="cc-field">
                        <label class="cc-field-label" for="cc-routing-mode">{tr(|t| t.admin().mode)}</label>
                        <select
                            id="cc-routing-mode"
                            class="cc-select"
                            data-testid="routing-mode"
                            on:change=move |ev| {
                                if let Some(mode) = parse_mode(&event_target_value(&ev)) {
                                    edit_form(form, |f| f.mode = mode);
                                }
                            }
                        >
                            {MODES
                                .into_iter()
                                .map(|mode| {
                                    view! {
                                        <option
                                            value=mode_str(mode)
                                            prop:selected=move || read_form(form, |f| f.mode) == mode
                                        >
                                            {move || t.get().routing_mode(mode)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="cc-field">
                        <label class="cc-field-label" for="cc-routing-pass-after">{tr(|t| t.admin().pass_after)}</label>
                        <input
                            id="cc-routing-pass-after"
                            class="cc-input cc-narrow"
                            type="number"
                            inputmode="numeric"
                            min=MIN_PASS_AFTER_MINUTES.to_string()
                            max=MAX_PASS_AFTER_MINUTES.to_string()
                            step="1"
                            data-testid="routing-pass-after"
                            aria-describedby="cc-routing-pass-after-hint cc-routing-error"
                            prop:value=move || read_form(form, |f| f.pass_after.clone())
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                edit_form(form, |f| f.pass_after = text);
                            }
                        />
                        <span id="cc-routing-pass-after-hint" class="cc-hint">{tr(|t| t.admin().pass_after_hint)}</span>
                    </div>
                    <div class="cc-field">
                        <label class="cc-field-label" for="cc-routing-display">{tr(|t| t.admin().display_mode)}</label>
                        <select
                            id="cc-routing-display"
                            class="cc-select"
                            data-testid="routing-display-mode"
                            on:change=move |ev| {
                                if let Some(mode) = parse_display(&event_target_value(&ev)) {
                                    edit_form(form, |f| f.display_mode = mode);
                                }
                            }
                        >
                            {DISPLAY_MODES
                                .into_iter()
                                .map(|mode| {
                                    view! {
                                        <option
                                            value=display_str(mode)
                                            prop:selected=move || {
                                                read_form(form, |f| f.display_mode) == mode
                                            }
                                        >
                                            {move || t.get().display_mode_name(mode)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </div>
                <label class="cc-check">
                    <input
                        type="checkbox"
                        data-testid="routing-check-online"
                        prop:checked=move || read_form(form, |f| f.check_online)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            edit_form(form, |f| f.check_online = on);
                        }
                    />
                    {tr(|t| t.admin().check_online)}
                </label>
                <fieldset class="cc-fieldset">
                    <legend>{tr(|t| t.admin().exclusions)}</legend>
                    <label class="cc-check">
                        <input
                            type="checkbox"
                            data-testid="routing-excl-answered"
                            prop:checked=move || read_form(form, |f| f.exclusions.answered)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                edit_form(form, |f| f.exclusions.answered = on);
                            }
                        />
                        {tr(|t| t.admin().excl_answered)}
                    </label>
                    <label class="cc-check">
                        <input
                            type="checkbox"
                            data-testid="routing-excl-waiting"
                            prop:checked=move || read_form(form, |f| f.exclusions.waiting_for_client)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                edit_form(form, |f| f.exclusions.waiting_for_client = on);
                            }
                        />
                        {tr(|t| t.admin().excl_waiting)}
                    </label>
                    <label class="cc-check">
                        <input
                            type="checkbox"
                            data-testid="routing-excl-rating"
                            prop:checked=move || read_form(form, |f| f.exclusions.awaiting_rating)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                edit_form(form, |f| f.exclusions.awaiting_rating = on);
                            }
                        />
                        {tr(|t| t.admin().excl_rating)}
                    </label>
                </fieldset>
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-routing-no-agent-reply">{tr(|t| t.admin().no_agent_reply)}</label>
                    <textarea
                        id="cc-routing-no-agent-reply"
                        class="cc-input"
                        rows="2"
                        maxlength="1000"
                        data-testid="routing-no-agent-reply"
                        aria-describedby="cc-routing-no-agent-reply-hint"
                        prop:value=move || read_form(form, |f| f.no_agent_reply.clone())
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            edit_form(form, |f| f.no_agent_reply = text);
                        }
                    ></textarea>
                    <span id="cc-routing-no-agent-reply-hint" class="cc-hint">{tr(|t| t.admin().no_agent_reply_hint)}</span>
                </div>
                <fieldset class="cc-fieldset">
                    <legend>{tr(|t| t.admin().routing_queue)}</legend>
                    <ol class="cc-queue" data-testid="routing-queue">
                        <For
                            each=move || queue.get()
                            key=|item| queue_key(*item)
                            children=move |item| {
                                let label = move || label_of(item);
                                let first = move || queue.with(|q| q.first() == Some(&item));
                                let last = move || queue.with(|q| q.last() == Some(&item));
                                view! {
                                    <li class="cc-queue-item" data-testid="routing-queue-item">
                                        <span class="cc-queue-name">{label}</span>
                                        <button
                                            type="button"
                                            class="cc-button cc-small"
                                            data-testid="routing-queue-up"
                                            aria-label=move || format!("{}: {}", t.get().admin().move_up, label())
                                            disabled=first
                                            on:click=move |_| {
                                                if let Some(i) = position(item) {
                                                    edit_form(form, |f| f.move_up(i));
                                                }
                                            }
                                        >
                                            "↑"
                                        </button>
                                        <button
                                            type="button"
                                            class="cc-button cc-small"
                                            data-testid="routing-queue-down"
                                            aria-label=move || format!("{}: {}", t.get().admin().move_down, label())
                                            disabled=last
                                            on:click=move |_| {
                                                if let Some(i) = position(item) {
                                                    edit_form(form, |f| f.move_down(i));
                                                }
                                            }
                                        >
                                            "↓"
                                        </button>
                                        <button
                                            type="button"
                                            class="cc-button cc-small cc-danger"
                                            data-testid="routing-queue-remove"
                                            aria-label=move || format!("{}: {}", t.get().admin().remove, label())
                                            on:click=move |_| {
                                                if let Some(i) = position(item) {
                                                    edit_form(form, |f| f.remove(i));
                                                }
                                            }
                                        >
                                            {tr(|t| t.admin().remove)}
                                        </button>
                                    </li>
                                }
                            }
                        />
                    </ol>
                    <p class="cc-empty" hidden=move || !queue.with(Vec::is_empty)>{tr(|t| t.admin().queue_empty)}</p>
                    <div class="cc-form-bar">
                        <label class="cc-inline-label" for="cc-routing-add">{tr(|t| t.admin().add_to_queue)}</label>
                        <select
                            id="cc-routing-add"
                            class="cc-select"
                            data-testid="routing-queue-add"
                            on:change=move |ev| to_add.set(event_target_value(&ev))
                        >
                            <option value="" prop:selected=move || to_add.with(String::is_empty)>
                                {tr(|t| t.choose_target)}
                            </option>
                            <For
                                each=move || candidates.get()
                                key=|a| (a.id, a.name.clone())
                                children=move |agent| {
                                    let value = agent.id.to_string();
                                    let selected = value.clone();
                                    view! {
                                        <option value=value prop:selected=move || to_add.get() == selected>
                                            {agent.name}
                                        </option>
                                    }
                                }
                            />
                        </select>
                        <button
                            type="button"
                            class="cc-button"
                            data-testid="routing-queue-add-submit"
                            disabled=move || to_add.with(String::is_empty)
                            on:click=add
                        >
                            {tr(|t| t.admin().add)}
                        </button>
                    </div>
                </fieldset>
                <div class="cc-form-bar">
                    <button
                        type="submit"
                        class="cc-button cc-primary"
                        data-testid="routing-save"
                        disabled=move || outcome.get().busy()
                    >
                        {tr(|t| t.save)}
                    </button>
                    <FormOutcome outcome=outcome error_id="cc-routing-error".to_owned() />
                </div>
            </form>
        }
    };

    view! {
        <ChannelSection
            name="routing"
            title=|t| t.admin().routing_title
            loading_text=|t| t.admin().loading_routing
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

/// The days of the week as the hours form's test ids name them, Monday first.
const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A channel's working hours (`data-testid="hours-form"`), for the channel picked:
/// the time zone, each weekday's opening ranges, holidays and the
/// out-of-hours reply, saved with `PUT`; "Remove working hours" makes the channel
/// always open again (`DELETE`). Says whether the channel is open now
/// (`data-testid="hours-status"`).
#[component]
fn ChannelHours(
    /// The key of the channel picked.
    key: RwSignal<String>,
) -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<HoursForm>::new(key);
    let ChannelEditor {
        loaded_key,
        form,
        loading,
        outcome,
        ..
    } = editor;
    // `Some(open now)` while the channel has working hours; `None`: always open.
    let open = RwSignal::new(None::<bool>);

    editor.follow(
        |channel| async move { api::load_hours(&channel).await },
        move |view: Option<HoursView>| {
            open.set(view.as_ref().map(|v| v.open));
            view.map_or_else(HoursForm::default, |v| HoursForm::of(&v.hours))
        },
    );

    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(hours) = editor.request(HoursForm::request) {
            editor.send(
                move |channel| async move { api::save_hours(&channel, &hours).await },
                move |saved: HoursView| {
                    open.set(Some(saved.open));
                    HoursForm::of(&saved.hours)
                },
                |t| t.admin().saved,
            );
        }
    };
    let on_remove = move |_| {
        editor.send(
            |channel| async move { api::remove_hours(&channel).await },
            move |()| {
                open.set(None);
                HoursForm::default()
            },
            |t| t.admin().hours_removed,
        )
    };

    // Drawn again only when a form comes or goes, not on every keystroke.
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let read = move |get: fn(&HoursForm) -> &String| {
        form.with(|f| f.as_ref().map(|f| get(f).clone()).unwrap_or_default())
    };
    let edit = move |change: &dyn Fn(&mut HoursForm)| {
        form.update(|f| {
            if let Some(f) = f.as_mut() {
                change(f);
            }
        });
    };
    // A text field of the form (`cc-hours-{name}`, test id `hours-{name}`) with
    // its label and hint, at most `max` characters; two lines with `rows`.
    let text_field = move |name: &'static str,
                           [label, hint]: [Text; 2],
                           rows: Option<&'static str>,
                           max: Option<usize>,
                           get: fn(&HoursForm) -> &String,
                           set: fn(&mut HoursForm, String)| {
        view! {
            <Field
                id=format!("cc-hours-{name}")
                test_id=format!("hours-{name}")
                label=label
                hint=Some(hint)
                control=rows.map_or(Control::Input("text"), Control::Area)
                value=Signal::derive(move || read(get))
                on_change=Callback::new(move |text: String| edit(&|f| set(f, text.clone())))
                max=max
                described_by="cc-hours-error".to_owned()
                no_spellcheck=rows.is_none()
            />
        }
    };
    let days = move || {
        DAY_KEYS
            .into_iter()
            .enumerate()
            .map(|(i, day)| {
                let id = format!("cc-hours-{day}");
                view! {
                    <div class="cc-field">
                        <label class="cc-field-label" for=id.clone()>{move || t.get().weekdays[i]}</label>
                        <input
                            id=id
                            class="cc-input"
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            data-testid=format!("hours-{day}")
                            aria-describedby="cc-hours-day-hint cc-hours-error"
                            prop:value=move || {
                                form.with(|f| f.as_ref().map(|f| f.days[i].clone()).unwrap_or_default())
                            }
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                edit(&|f| f.days[i] = text.clone());
                            }
                        />
                    </div>
                }
            })
            .collect_view()
    };

    let form_view = move || {
        view! {
            <form
                class="cc-settings-form"
                data-testid="hours-form"
                novalidate
                aria-labelledby="cc-hours-of"
                on:submit=on_save
            >
                <h3 id="cc-hours-of" class="cc-settings-subheading">
                    {tr(|t| t.admin().hours_of)} " " <code>{move || loaded_key.get()}</code>
                </h3>
                <p class="cc-muted" role="status" data-testid="hours-status">
                    {move || match open.get() {
                        Some(true) => t.get().admin().open_now,
                        Some(false) => t.get().admin().closed_now,
                        None => t.get().admin().always_open,
                    }}
                </p>
                {text_field("time-zone", [|t| t.admin().time_zone, |t| t.admin().time_zone_hint], None, None, |f| &f.time_zone, |f, text| f.time_zone = text)}
                <div class="cc-form-grid">{days}</div>
                <p id="cc-hours-day-hint" class="cc-hint">{tr(|t| t.admin().day_hint)}</p>
                {text_field("holidays", [|t| t.admin().holidays, |t| t.admin().holidays_hint], Some("2"), None, |f| &f.holidays, |f, text| f.holidays = text)}
                {text_field(
                    "reply",
                    [|t| t.admin().out_of_hours_reply, |t| t.admin().out_of_hours_reply_hint],
                    Some("2"),
                    Some(1000),
                    |f| &f.reply,
                    |f, text| f.reply = text,
                )}
                <div class="cc-form-bar">
                    <button
                        type="submit"
                        class="cc-button cc-primary"
                        data-testid="hours-save"
                        disabled=move || outcome.get().busy()
                    >
                        {tr(|t| t.save)}
                    </button>
                    <button
                        type="button"
                        class="cc-button cc-danger"
                        data-testid="hours-remove"
                        disabled=move || outcome.get().busy() || open.get().is_none()
                        on:click=on_remove
                    >
                        {tr(|t| t.admin().remove_hours)}
                    </button>
                    <FormOutcome outcome=outcome error_id="cc-hours-error".to_owned() />
                </div>
            </form>
        }
    };

    view! {
        <ChannelSection
            name="hours"
            title=|t| t.admin().hours_title
            loading_text=|t| t.admin().loading_hours
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

/// What a [`Field`] is drawn as.
pub(super) enum Control {
    /// An `<input>` of this type (`text`, `color`, ...).
    Input(&'static str),
    /// A `<textarea>` of this many rows.
    Area(&'static str),
    /// A checkbox: its value is `"on"` ticked, empty unticked.
    Check,
    /// A `<select>` of these (value, label) options.
    Select(Signal<Vec<(String, String)>>),
}

/// One labelled control of a settings form, the same for text lines, text
/// areas, checkboxes and selects: its label, its hint (`{id}-hint`) and the
/// error about it (`{id}-error`, an alert: `error`'s text, empty for none), all
/// three named by the control's `aria-describedby` (with `described_by`, e.g. the
/// form's own error). The value is text both ways (a checkbox's `"on"` or empty).
#[component]
pub(super) fn Field(
    /// The control's id.
    #[prop(into)]
    id: String,
    /// Its `data-testid`.
    #[prop(into)]
    test_id: String,
    label: Text,
    #[prop(optional_no_strip)] hint: Option<Text>,
    control: Control,
    #[prop(into)] value: Signal<String>,
    /// Called with the new value at each change.
    on_change: Callback<String>,
    /// The error about this field (empty: none).
    #[prop(optional, into)]
    error: Option<Signal<String>>,
    /// Longest text, in characters.
    #[prop(optional_no_strip)]
    max: Option<usize>,
    /// More ids for `aria-describedby`.
    #[prop(optional)]
    described_by: Option<String>,
    /// Not words (sites, keys, codes): no spell checking.
    #[prop(optional)]
    no_spellcheck: bool,
) -> impl IntoView {
    let described = format!("{id}-hint {id}-error {}", described_by.unwrap_or_default());
    let error = move || error.map(|e| e.get()).unwrap_or_default();
    let invalid = move || (!error().is_empty()).then_some("true");
    let changed = move |ev: leptos::ev::Event| on_change.run(event_target_value(&ev));
    let maxlength = max.map(|m| m.to_string());
    let spellcheck = no_spellcheck.then_some("false");
    let (control, check) = match control {
        Control::Input(kind) => (
            view! {
                <input
                    id=id.clone()
                    class="cc-input"
                    type=kind
                    autocomplete="off"
                    spellcheck=spellcheck
                    maxlength=maxlength
                    data-testid=test_id
                    aria-describedby=described
                    aria-invalid=invalid
                    prop:value=value
                    on:input=changed
                />
            }
            .into_any(),
            false,
        ),
        Control::Area(rows) => (
            view! {
                <textarea
                    id=id.clone()
                    class="cc-input"
                    rows=rows
                    spellcheck=spellcheck
                    maxlength=maxlength
                    data-testid=test_id
                    aria-describedby=described
                    aria-invalid=invalid
                    prop:value=value
                    on:input=changed
                ></textarea>
            }
            .into_any(),
            false,
        ),
        Control::Check => (
            view! {
                <input
                    id=id.clone()
                    type="checkbox"
                    data-testid=test_id
                    aria-describedby=described
                    prop:checked=move || !value.get().is_empty()
                    on:change=move |ev| {
                        on_change.run(if event_target_checked(&ev) { "on" } else { "" }.to_owned())
                    }
                />
            }
            .into_any(),
            true,
        ),
        Control::Select(options) => (
            view! {
                <select
                    id=id.clone()
                    class="cc-select"
                    data-testid=test_id
                    aria-describedby=described
                    on:change=changed
                >
                    {move || {
                        options
                            .get()
                            .into_iter()
                            .map(|(option, label)| {
                                let selected = value.with(|v| *v == option);
                                view! { <option value=option selected=selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            }
            .into_any(),
            false,
        ),
    };
    // A checkbox sits inside its label, before the text; other controls under it.
    let label = if check {
        Either::Left(view! { <label class="cc-check">{control}{tr(label)}</label> })
    } else {
        Either::Right(
            view! { <label class="cc-field-label" for=id.clone()>{tr(label)}</label> {control} },
        )
    };
    view! {
        <div class="cc-field">
            {label}
            <span id=format!("{id}-hint") class="cc-hint">{hint.map(tr)}</span>
            <span id=format!("{id}-error") class="cc-error" role="alert">{error}</span>
        </div>
    }
}

/// The error a [`Field`] shows: `outcome`'s failure when it is about `field`.
fn field_error(outcome: RwSignal<Outcome>, field: &'static str) -> Signal<String> {
    let t = use_strings();
    Signal::derive(move || outcome.with(|o| o.failure_at(Some(field), t.get())))
}

/// A select's options from static (value, label) pairs, in the current language.
pub(super) fn options(list: Vec<(&'static str, Text)>) -> Signal<Vec<(String, String)>> {
    let t = use_strings();
    Signal::derive(move || {
        let t = t.get();
        list.iter()
            .map(|(value, label)| ((*value).to_owned(), label(t).to_owned()))
            .collect()
    })
}

/// A form's bar: its "Save" button (`{name}-save`) and its outcome
/// (`cc-{name}-error`).
pub(super) fn save_bar(name: &'static str, outcome: RwSignal<Outcome>) -> impl IntoView {
    view! {
        <div class="cc-form-bar">
            <button
                type="submit"
                class="cc-button cc-primary"
                data-testid=format!("{name}-save")
                disabled=move || outcome.get().busy()
            >
                {tr(|t| t.save)}
            </button>
            <FormOutcome outcome=outcome error_id=format!("cc-{name}-error") />
        </div>
    }
}

/// Reads a loaded form of a [`ChannelEditor`] (the default before one is in).
pub(super) fn read<F: Default + Send + Sync + 'static, T: Default>(
    form: RwSignal<Option<F>>,
    get: impl Fn(&F) -> T,
) -> T {
    form.with(|f| f.as_ref().map(get).unwrap_or_default())
}

/// Changes a loaded form of a [`ChannelEditor`], if there is one.
pub(super) fn change<F: Send + Sync + 'static>(
    form: RwSignal<Option<F>>,
    edit: impl FnOnce(&mut F),
) {
    form.update(|f| {
        if let Some(f) = f.as_mut() {
            edit(f);
        }
    });
}

/// The agreement the picked channel's chat asks for
/// (`data-testid="agreement-form"`): one of the personal-data agreements, or
/// none, saved with `PUT .../agreement`.
#[component]
fn ChannelAgreement(
    key: RwSignal<String>,
    /// Every agreement, to choose from.
    agreements: RwSignal<Vec<AgreementChoice>>,
) -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<AgreementForm>::new(key);
    let ChannelEditor {
        form,
        loading,
        outcome,
        ..
    } = editor;
    editor.follow(
        |channel| async move { api::load_channel(&channel).await },
        |view: ChannelView| AgreementForm::of(view.agreement_id.as_deref()),
    );
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(request) = editor.request(AgreementForm::request) {
            let saved = AgreementForm::of(request.agreement_id.as_deref());
            editor.send(
                move |channel| async move { api::save_agreement(&channel, &request).await },
                move |()| saved,
                |t| t.admin().saved,
            );
        }
    };
    let choices = Signal::derive(move || {
        let none = (String::new(), t.get().admin().no_agreement.to_owned());
        std::iter::once(none)
            .chain(agreements.with(|list| chat_agreements(list)))
            .collect()
    });
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let form_view = move || {
        view! {
            <form class="cc-settings-form" data-testid="agreement-form" novalidate on:submit=on_save>
                <Field
                    id="cc-agreement-id"
                    test_id="agreement-id"
                    label=|t| t.admin().chat_agreement
                    hint=Some(|t| t.admin().chat_agreement_hint)
                    control=Control::Select(choices)
                    value=Signal::derive(move || read(form, |f| f.agreement_id.clone()))
                    on_change=Callback::new(move |id| change(form, |f| f.agreement_id = id))
                />
                {save_bar("agreement", outcome)}
            </form>
        }
    };
    view! {
        <ChannelSection
            name="agreement"
            title=|t| t.admin().agreement_title
            loading_text=|t| t.admin().loading_agreement
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

/// The picked channel's contact form (`data-testid="contact-form-edit"`):
/// whether it asks the name, e-mail and phone (and whether each is required),
/// and the agreements it shows as checkboxes, saved with `PUT .../form`.
#[component]
fn ChannelContactForm(
    key: RwSignal<String>,
    /// Every agreement, to choose from.
    agreements: RwSignal<Vec<AgreementChoice>>,
) -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<ContactFormDraft>::new(key);
    let ChannelEditor {
        form,
        loading,
        outcome,
        ..
    } = editor;
    editor.follow(
        |channel| async move { api::load_form(&channel).await },
        |saved: Option<SetContactForm>| ContactFormDraft::of(saved.as_ref()),
    );
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(request) = editor.request(ContactFormDraft::request) {
            let saved = ContactFormDraft::of(Some(&request));
            editor.send(
                move |channel| async move { api::save_form(&channel, &request).await },
                move |()| saved,
                |t| t.admin().saved,
            );
        }
    };
    let asks = options(vec![
        (ask_str(Ask::No), |t| t.admin().ask_no),
        (ask_str(Ask::Optional), |t| t.admin().ask_optional),
        (ask_str(Ask::Required), |t| t.admin().ask_required),
    ]);
    let fields = move || {
        let labels: [(&'static str, &'static str, Text); 3] = [
            ("cc-form-name", "form-name", |t| t.name),
            ("cc-form-email", "form-email", |t| t.email),
            ("cc-form-phone", "form-phone", |t| t.admin().phone),
        ];
        labels
            .into_iter()
            .enumerate()
            .map(|(i, (id, test_id, label))| {
                view! {
                    <Field
                        id=id
                        test_id=test_id
                        label=label
                        control=Control::Select(asks)
                        value=Signal::derive(move || read(form, |f| ask_str(f.asks[i]).to_owned()))
                        on_change=Callback::new(move |value: String| {
                            if let Some(ask) = parse_ask(&value) {
                                change(form, |f| f.asks[i] = ask);
                            }
                        })
                    />
                }
            })
            .collect_view()
    };
    let boxes = move || {
        agreements
            .get()
            .into_iter()
            .map(|agreement| {
                let id = agreement.id;
                let ticked = id.clone();
                view! {
                    <label class="cc-check">
                        <input
                            type="checkbox"
                            data-testid="form-agreement"
                            value=id.clone()
                            prop:checked=move || read(form, |f| f.agreements.contains(&ticked))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let id = id.clone();
                                change(form, |f| tick(&mut f.agreements, id, on));
                            }
                        />
                        {agreement.name}
                    </label>
                }
            })
            .collect_view()
    };
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let form_view = move || {
        view! {
            <form class="cc-settings-form" data-testid="contact-form-edit" novalidate on:submit=on_save>
                <div class="cc-form-grid">{fields}</div>
                <Field
                    id="cc-form-ask-in-chat"
                    test_id="form-ask-in-chat"
                    label=|t| t.admin().form_ask_in_chat
                    hint=Some(|t| t.admin().form_ask_in_chat_hint)
                    control=Control::Check
                    value=Signal::derive(move || if read(form, |f| f.ask_in_chat) { "on".to_owned() } else { String::new() })
                    on_change=Callback::new(move |on: String| change(form, |f| f.ask_in_chat = !on.is_empty()))
                />
                <fieldset class="cc-fieldset">
                    <legend>{tr(|t| t.admin().form_agreements)}</legend>
                    {boxes}
                    <p class="cc-empty" hidden=move || !agreements.with(Vec::is_empty)>
                        {move || t.get().admin().no_agreements}
                    </p>
                </fieldset>
                {save_bar("form", outcome)}
            </form>
        }
    };
    view! {
        <ChannelSection
            name="form"
            title=|t| t.admin().form_title
            loading_text=|t| t.admin().loading_form
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

/// The picked channel's look (`data-testid="theme-form"`): light, dark or the
/// visitor's system, the accent (a colour picker and its `#rrggbb` code), the
/// launcher's side and text, saved with `PUT .../theme` (the whole theme). The
/// snippet above follows, as the theme is in its `data-` attributes.
#[component]
fn ChannelTheme(channels: Channels) -> impl IntoView {
    let editor = ChannelEditor::<ThemeForm>::new(channels.selected);
    let ChannelEditor {
        form,
        loading,
        outcome,
        ..
    } = editor;
    editor.follow(
        |channel| async move { api::load_theme(&channel).await },
        |theme: Theme| ThemeForm::of(&theme),
    );
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(theme) = editor.request(ThemeForm::request) {
            editor.send(
                move |channel| async move {
                    let saved = api::save_theme(&channel, &theme).await?;
                    // The snippet carries the theme: show the new one.
                    if let Ok(view) = api::load_channel(&channel).await {
                        channels.put(view);
                    }
                    Ok(saved)
                },
                |saved: Theme| ThemeForm::of(&saved),
                |t| t.admin().theme_saved,
            );
        }
    };
    let modes = options(vec![
        (ThemeMode::Auto.as_str(), |t| t.admin().mode_auto),
        (ThemeMode::Light.as_str(), |t| t.admin().mode_light),
        (ThemeMode::Dark.as_str(), |t| t.admin().mode_dark),
    ]);
    let sides = options(vec![
        (Position::Right.as_str(), |t| t.admin().side_right),
        (Position::Left.as_str(), |t| t.admin().side_left),
    ]);
    let color = Signal::derive(move || read(form, |f| f.color.clone()));
    let set_color = Callback::new(move |color| change(form, |f| f.color = color));
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let form_view = move || {
        view! {
            <form class="cc-settings-form" data-testid="theme-form" novalidate on:submit=on_save>
                <div class="cc-form-grid">
                    <Field
                        id="cc-theme-mode"
                        test_id="theme-mode"
                        label=|t| t.admin().theme_mode
                        control=Control::Select(modes)
                        value=Signal::derive(move || read(form, |f| f.mode.as_str().to_owned()))
                        on_change=Callback::new(move |value: String| {
                            if let Some(mode) = THEME_MODES.into_iter().find(|m| m.as_str() == value) {
                                change(form, |f| f.mode = mode);
                            }
                        })
                    />
                    <Field
                        id="cc-theme-picker"
                        test_id="theme-picker"
                        label=|t| t.admin().accent
                        control=Control::Input("color")
                        value=Signal::derive(move || read(form, ThemeForm::picker_color))
                        on_change=set_color
                    />
                    <Field
                        id="cc-theme-color"
                        test_id="theme-color"
                        label=|t| t.admin().accent_code
                        hint=Some(|t| t.admin().accent_hint)
                        control=Control::Input("text")
                        value=color
                        on_change=set_color
                        error=field_error(outcome, "color")
                        max=Some(7)
                    />
                    <Field
                        id="cc-theme-position"
                        test_id="theme-position"
                        label=|t| t.admin().launcher_side
                        control=Control::Select(sides)
                        value=Signal::derive(move || read(form, |f| f.position.as_str().to_owned()))
                        on_change=Callback::new(move |value: String| {
                            if let Some(side) = POSITIONS.into_iter().find(|p| p.as_str() == value) {
                                change(form, |f| f.position = side);
                            }
                        })
                    />
                </div>
                <Field
                    id="cc-theme-launcher-text"
                    test_id="theme-launcher-text"
                    label=|t| t.admin().launcher_text
                    hint=Some(|t| t.admin().launcher_text_hint)
                    control=Control::Input("text")
                    value=Signal::derive(move || read(form, |f| f.launcher_text.clone()))
                    on_change=Callback::new(move |text| change(form, |f| f.launcher_text = text))
                    error=field_error(outcome, "launcher_text")
                    max=Some(theme_limits::MAX_LAUNCHER_TEXT_CHARS)
                />
                {save_bar("theme", outcome)}
            </form>
        }
    };
    view! {
        <ChannelSection
            name="theme"
            title=|t| t.admin().theme_title
            loading_text=|t| t.admin().loading_theme
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

/// The picked channel's identity verification (`data-testid="identity-form"`):
/// whether `setUser` identities must carry a valid signature and how old one may
/// be, saved with `PUT .../identity`; and "Make a new secret" (`POST
/// .../identity/secret`), which shows the new secret this once, with "Copy" and
/// a warning that the old one stopped working.
#[component]
fn ChannelIdentity(key: RwSignal<String>) -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<IdentityForm>::new(key);
    let ChannelEditor {
        form,
        loading,
        outcome,
        ..
    } = editor;
    // The secret just made, shown until another channel is picked.
    let secret = RwSignal::new(None::<String>);
    let secret_outcome = RwSignal::new(Outcome::Idle);
    let copy_outcome = RwSignal::new(Outcome::Idle);
    let secret_ref = NodeRef::<html::Input>::new();
    editor.follow(
        |channel| async move { api::load_identity(&channel).await },
        move |view: IdentityView| {
            secret.set(None);
            secret_outcome.set(Outcome::Idle);
            IdentityForm::of(&view)
        },
    );
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(request) = editor.request(IdentityForm::request) {
            editor.send(
                move |channel| async move { api::save_identity(&channel, &request).await },
                |saved: IdentityView| IdentityForm::of(&saved),
                |t| t.admin().saved,
            );
        }
    };
    let on_new_secret = move |_| {
        let channel = editor.loaded_key.get_untracked();
        if channel.is_empty() || secret_outcome.get_untracked().busy() {
            return;
        }
        copy_outcome.set(Outcome::Idle);
        send_form(
            secret_outcome,
            async move { api::new_identity_secret(&channel).await },
            move |made| {
                secret.set(Some(made.secret));
                change(form, |f| f.has_secret = true);
                secret_outcome.set(Outcome::Done(|t| t.admin().secret_made));
            },
        );
    };
    let on_copy = move |_| {
        let text = secret.get_untracked().unwrap_or_default();
        spawn_local(async move {
            let copied = copy_to_clipboard(&text).await;
            if copy_outcome.is_disposed() {
                return;
            }
            if !copied {
                if let Some(input) = secret_ref.try_get_untracked().flatten() {
                    let _ = input.focus();
                    input.select();
                }
            }
            copy_outcome.set(Outcome::Done(if copied {
                |t| t.admin().copied
            } else {
                |t| t.admin().copy_selected
            }));
        });
    };
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let form_view = move || {
        view! {
            <form class="cc-settings-form" data-testid="identity-form" novalidate on:submit=on_save>
                <p class="cc-muted" data-testid="identity-secret-state">
                    {move || if read(form, |f| f.has_secret) { t.get().admin().has_secret } else { t.get().admin().no_secret }}
                </p>
                <Field
                    id="cc-identity-enforced"
                    test_id="identity-enforced"
                    label=|t| t.admin().identity_enforced
                    control=Control::Check
                    value=Signal::derive(move || if read(form, |f| f.enforced) { "on".to_owned() } else { String::new() })
                    on_change=Callback::new(move |on: String| change(form, |f| f.enforced = !on.is_empty()))
                />
                <Field
                    id="cc-identity-window"
                    test_id="identity-window"
                    label=|t| t.admin().identity_window
                    hint=Some(|t| t.admin().identity_window_hint)
                    control=Control::Input("text")
                    value=Signal::derive(move || read(form, |f| f.window.clone()))
                    on_change=Callback::new(move |text| change(form, |f| f.window = text))
                    error=field_error(outcome, "window_secs")
                />
                {save_bar("identity", outcome)}
            </form>
            <div class="cc-form-bar">
                <button
                    type="button"
                    class="cc-button"
                    data-testid="identity-new-secret"
                    disabled=move || secret_outcome.get().busy()
                    on:click=on_new_secret
                >
                    {tr(|t| t.admin().new_secret)}
                </button>
                <FormOutcome outcome=secret_outcome />
            </div>
            <div class="cc-field" hidden=move || secret.with(Option::is_none)>
                <label class="cc-field-label" for="cc-identity-secret">{tr(|t| t.admin().secret_label)}</label>
                <input
                    id="cc-identity-secret"
                    class="cc-input"
                    readonly
                    spellcheck="false"
                    data-testid="identity-secret"
                    aria-describedby="cc-identity-secret-warning"
                    prop:value=move || secret.get().unwrap_or_default()
                    node_ref=secret_ref
                />
                <p id="cc-identity-secret-warning" class="cc-warning" role="alert">
                    {move || secret.with(Option::is_some).then(|| t.get().admin().secret_warning)}
                </p>
                <div class="cc-form-bar">
                    <button type="button" class="cc-button" data-testid="identity-copy" on:click=on_copy>
                        {tr(|t| t.admin().copy)}
                    </button>
                    <FormOutcome outcome=copy_outcome />
                </div>
            </div>
        }
    };
    view! {
        <ChannelSection
            name="identity"
            title=|t| t.admin().identity_title
            loading_text=|t| t.admin().loading_identity
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

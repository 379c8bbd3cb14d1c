//! The admin settings view: agents, a channel's routing and its working hours,
//! through the admin API with the session cookie.

use canal_protocol::agent::{AgentView, QueueItem, Role};
use canal_protocol::hours::HoursView;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use crate::{
    api,
    i18n::{tr, use_strings, Message, Strings, Text},
    settings::{
        addable, display_str, mode_str, parse_display, parse_mode, parse_role, role_str, AgentEdit,
        FormError, HoursForm, NewAgent, RoutingForm, DISPLAY_MODES, MAX_PASS_AFTER_MINUTES,
        MIN_PASS_AFTER_MINUTES, MODES, ROLES,
    },
};

/// Where a settings form stands after its last request.
#[derive(Debug, Clone, Default)]
enum Outcome {
    #[default]
    Idle,
    /// A request is under way.
    Busy,
    /// Done; the short sentence to show.
    Done(Text),
    /// Not done: why, in words (the server's sentence when it sent one).
    Failed(Message),
}

impl Outcome {
    fn busy(&self) -> bool {
        matches!(self, Self::Busy)
    }

    /// Why it failed, in the language of `t`; empty when it did not.
    fn failure(&self, t: &'static Strings) -> String {
        match self {
            Self::Failed(why) => why.in_language(t),
            _ => String::new(),
        }
    }
}

/// A form's status (`data-testid="settings-status"`) and error
/// (`data-testid="settings-error"`, an alert), next to the form.
#[component]
fn FormOutcome(
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
                Outcome::Busy => t.get().saving,
                Outcome::Done(text) => text(t.get()),
                Outcome::Idle | Outcome::Failed(_) => "",
            }}
        </p>
        <p id=error_id class="cc-error" role="alert" data-testid="settings-error">
            {move || outcome.with(|o| o.failure(t.get()))}
        </p>
    }
}

/// The settings view (`data-testid="settings"`) for admins: the [`AgentsSettings`]
/// table with a form for a new agent, the [`ChannelRouting`] of a channel and its
/// [`ChannelHours`].
/// The agent list is loaded once here and shared: the queue is made of agents.
///
/// The list is a signal rather than a `LocalResource`: it changes with every
/// agent created or saved, from the server's answer, without loading it again.
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
    view! {
        <main class="cc-settings" data-testid="settings" aria-labelledby="cc-settings-title">
            <h1 id="cc-settings-title" class="cc-settings-title">{tr(|t| t.settings)}</h1>
            <AgentsSettings agents=agents loading=loading />
            <ChannelRouting agents=agents />
            <ChannelHours />
        </main>
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
    let t = use_strings();
    view! {
        <section class="cc-settings-section" aria-labelledby="cc-agents-title" data-testid="agents-settings">
            <h2 id="cc-agents-title" class="cc-settings-heading">{tr(|t| t.agents_title)}</h2>
            <p class="cc-muted" hidden=move || !loading.get().busy()>{tr(|t| t.loading_agents)}</p>
            <p class="cc-error" role="alert" data-testid="agents-error">
                {move || loading.with(|o| o.failure(t.get()))}
            </p>
            <div class="cc-table-wrap">
                <table class="cc-table" data-testid="agents-table">
                    <caption class="cc-sr">{tr(|t| t.agents_caption)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(|t| t.name)}</th>
                            <th scope="col">{tr(|t| t.email)}</th>
                            <th scope="col">{tr(|t| t.role)}</th>
                            <th scope="col">{tr(|t| t.cap)}</th>
                            <th scope="col">{tr(|t| t.dismissed)}</th>
                            <th scope="col"><span class="cc-sr">{tr(|t| t.save)}</span></th>
                        </tr>
                    </thead>
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
            Ok(None) => return outcome.set(Outcome::Done(|t| t.nothing_to_save)),
            Err(error) => {
                return outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))))
            }
        };
        outcome.set(Outcome::Busy);
        spawn_local(async move {
            let result = api::update_agent(id, &patch).await;
            if outcome.is_disposed() {
                return;
            }
            match result {
                Ok(saved) => {
                    edit.set(AgentEdit::of(&saved));
                    agents.update(|list| {
                        if let Some(slot) = list.iter_mut().find(|a| a.id == id) {
                            *slot = saved;
                        }
                    });
                    outcome.set(Outcome::Done(|t| t.saved));
                }
                Err(error) => outcome.set(Outcome::Failed(Strings::admin_error(&error))),
            }
        });
    };

    view! {
        <tr data-testid="agent-row" data-agent-id=id.to_string()>
            <th scope="row">
                {name}
                {agent.is_bot.then(|| view! { <small class="cc-muted">{tr(|t| t.bot)}</small> })}
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
                <label class="cc-sr" for=field("cap")>{tr(|t| t.cap)} ": " {name}</label>
                <input
                    id=field("cap")
                    class="cc-input cc-narrow"
                    type="number"
                    min="0"
                    step="1"
                    inputmode="numeric"
                    title=tr(|t| t.cap_hint)
                    data-testid="agent-cap"
                    aria-describedby=error_id.clone()
                    prop:value=move || edit.with(|e| e.cap.clone())
                    on:input=move |ev| edit.update(|e| e.cap = event_target_value(&ev))
                />
            </td>
            <td>
                <label class="cc-sr" for=field("dismissed")>{tr(|t| t.dismissed)} ": " {name}</label>
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
        if outcome.get_untracked().busy() {
            return;
        }
        let request = match form.with_untracked(NewAgent::request) {
            Ok(request) => request,
            Err(error) => {
                return outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))))
            }
        };
        outcome.set(Outcome::Busy);
        spawn_local(async move {
            let result = api::create_agent(&request).await;
            if outcome.is_disposed() {
                return;
            }
            match result {
                Ok(created) => {
                    agents.update(|list| {
                        list.retain(|a| a.id != created.id);
                        list.push(created);
                    });
                    form.set(NewAgent::default());
                    outcome.set(Outcome::Done(|t| t.agent_created));
                }
                Err(error) => outcome.set(Outcome::Failed(Strings::admin_error(&error))),
            }
        });
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
            <h3 id="cc-new-agent-title" class="cc-settings-subheading">{tr(|t| t.new_agent)}</h3>
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
                {text_field("cap", |t| t.cap, "number", "off", |f| &f.cap, |f, v| f.cap = v)}
            </div>
            <p class="cc-hint">{tr(|t| t.cap_hint)}</p>
            <div class="cc-form-bar">
                <button
                    type="submit"
                    class="cc-button cc-primary"
                    data-testid="agent-create-submit"
                    disabled=move || outcome.get().busy()
                >
                    {tr(|t| t.create_agent)}
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

/// What a per-channel settings section keeps: the channel key typed (`demo` at
/// first), the channel whose settings the form holds, the form (`F`), and how
/// loading and saving went. One copy of the load and send steps for every section.
struct ChannelEditor<F: Send + Sync + 'static> {
    key: RwSignal<String>,
    loaded_key: RwSignal<String>,
    form: RwSignal<Option<F>>,
    loading: RwSignal<Outcome>,
    outcome: RwSignal<Outcome>,
}

impl<F: Send + Sync + 'static> Clone for ChannelEditor<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F: Send + Sync + 'static> Copy for ChannelEditor<F> {}

impl<F: Send + Sync + 'static> ChannelEditor<F> {
    fn new() -> Self {
        Self {
            key: RwSignal::new("demo".to_owned()),
            loaded_key: RwSignal::new(String::new()),
            form: RwSignal::new(None),
            loading: RwSignal::new(Outcome::Idle),
            outcome: RwSignal::new(Outcome::Idle),
        }
    }

    /// Loads the typed channel's settings with `fetch` and makes the form of the
    /// answer with `make`; a failure empties the form and says why. Nothing happens
    /// while a load is under way or no channel is typed.
    fn load<V: 'static, Fut>(
        self,
        fetch: impl FnOnce(String) -> Fut + 'static,
        make: impl FnOnce(V) -> F + 'static,
    ) where
        Fut: std::future::Future<Output = Result<V, api::ApiError>> + 'static,
    {
        let wanted = self.key.get_untracked().trim().to_owned();
        if wanted.is_empty() || self.loading.get_untracked().busy() {
            return;
        }
        self.loading.set(Outcome::Busy);
        self.outcome.set(Outcome::Idle);
        spawn_local(async move {
            let result = fetch(wanted.clone()).await;
            if self.loading.is_disposed() {
                return;
            }
            match result {
                Ok(answer) => {
                    self.form.set(Some(make(answer)));
                    self.loaded_key.set(wanted);
                    self.loading.set(Outcome::Idle);
                }
                Err(error) => {
                    self.form.set(None);
                    self.loaded_key.set(String::new());
                    self.loading
                        .set(Outcome::Failed(Strings::admin_error(&error)));
                }
            }
        });
    }

    /// What the form asks for, read with `read`; `None` while a request is under
    /// way, or when the form is wrong (the outcome then says why).
    fn request<R>(self, read: fn(&F) -> Result<R, FormError>) -> Option<R> {
        if self.outcome.get_untracked().busy() {
            return None;
        }
        match self.form.with_untracked(|f| f.as_ref().map(read))? {
            Ok(request) => Some(request),
            Err(error) => {
                self.outcome
                    .set(Outcome::Failed(Message::Text(Strings::form_error(error))));
                None
            }
        }
    }

    /// Sends a change of the loaded channel with `send`; on success the form
    /// becomes `apply` of the answer (if the same channel is still loaded) and the
    /// outcome says `done`, else why it failed.
    fn send<V: 'static, Fut>(
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
        self.outcome.set(Outcome::Busy);
        spawn_local(async move {
            let result = send(channel.clone()).await;
            if self.outcome.is_disposed() {
                return;
            }
            match result {
                Ok(answer) => {
                    if self.loaded_key.get_untracked() == channel {
                        self.form.set(Some(apply(answer)));
                    }
                    self.outcome.set(Outcome::Done(done));
                }
                Err(error) => self
                    .outcome
                    .set(Outcome::Failed(Strings::admin_error(&error))),
            }
        });
    }
}

/// The frame of a per-channel settings section: its heading, the channel key form
/// with "Load", the loading line and the load error, then `form`. `name` prefixes
/// the ids and test ids (`routing`: `routing-channel`, `routing-load`,
/// `routing-load-error`, `cc-routing-title`, ...).
#[component]
fn ChannelSection(
    name: &'static str,
    title: Text,
    loading_text: Text,
    /// The channel key typed.
    key: RwSignal<String>,
    loading: RwSignal<Outcome>,
    /// Loads the typed channel.
    load: Callback<()>,
    /// The loaded form (drawn when there is one).
    form: ViewFn,
) -> impl IntoView {
    let t = use_strings();
    view! {
        <section class="cc-settings-section" aria-labelledby=format!("cc-{name}-title") data-testid=format!("{name}-settings")>
            <h2 id=format!("cc-{name}-title") class="cc-settings-heading">{tr(title)}</h2>
            <form
                class="cc-form-bar"
                data-testid=format!("{name}-channel-form")
                on:submit=move |ev: SubmitEvent| {
                    ev.prevent_default();
                    load.run(());
                }
            >
                <label class="cc-inline-label" for=format!("cc-{name}-channel")>{tr(|t| t.channel_key)}</label>
                <input
                    id=format!("cc-{name}-channel")
                    class="cc-input cc-key"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid=format!("{name}-channel")
                    aria-describedby=format!("cc-{name}-load-error")
                    bind:value=key
                />
                <button
                    type="submit"
                    class="cc-button"
                    data-testid=format!("{name}-load")
                    disabled=move || loading.get().busy()
                >
                    {tr(|t| t.load)}
                </button>
            </form>
            <p class="cc-muted" role="status" hidden=move || !loading.get().busy()>{tr(loading_text)}</p>
            <p id=format!("cc-{name}-load-error") class="cc-error" role="alert" data-testid=format!("{name}-load-error")>
                {move || loading.with(|o| o.failure(t.get()))}
            </p>
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

/// A channel's routing (`data-testid="routing-form"`), for the channel key typed
/// (`demo` at first): mode, when an offer passes on, who gets offers, the cap
/// exclusions, what visitors see, the auto-reply, and the queue of agents in
/// order. Saved with `PUT` of the whole settings as loaded with these changed.
#[component]
fn ChannelRouting(
    /// Who can join the queue, and the names of those in it.
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<RoutingForm>::new();
    let ChannelEditor {
        key,
        loaded_key,
        form,
        loading,
        outcome,
    } = editor;
    let to_add = RwSignal::new(String::new());

    let load = move || {
        editor.load(
            |channel| async move { api::load_routing(&channel).await },
            RoutingForm::new,
        )
    };
    load();

    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(settings) = editor.request(RoutingForm::settings) {
            editor.send(
                move |channel| async move { api::save_routing(&channel, &settings).await },
                RoutingForm::new,
                |t| t.saved,
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
        QueueItem::Department(id) => format!("{} #{id}", t.get().department),
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
                    {tr(|t| t.routing_of)} " " <code>{move || loaded_key.get()}</code>
                </h3>
                <div class="cc-form-grid">
                    <div class="cc-field">
                        <label class="cc-field-label" for="cc-routing-mode">{tr(|t| t.mode)}</label>
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
                        <label class="cc-field-label" for="cc-routing-pass-after">{tr(|t| t.pass_after)}</label>
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
                        <span id="cc-routing-pass-after-hint" class="cc-hint">{tr(|t| t.pass_after_hint)}</span>
                    </div>
                    <div class="cc-field">
                        <label class="cc-field-label" for="cc-routing-display">{tr(|t| t.display_mode)}</label>
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
                    {tr(|t| t.check_online)}
                </label>
                <fieldset class="cc-fieldset">
                    <legend>{tr(|t| t.exclusions)}</legend>
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
                        {tr(|t| t.excl_answered)}
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
                        {tr(|t| t.excl_waiting)}
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
                        {tr(|t| t.excl_rating)}
                    </label>
                </fieldset>
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-routing-no-agent-reply">{tr(|t| t.no_agent_reply)}</label>
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
                    <span id="cc-routing-no-agent-reply-hint" class="cc-hint">{tr(|t| t.no_agent_reply_hint)}</span>
                </div>
                <fieldset class="cc-fieldset">
                    <legend>{tr(|t| t.routing_queue)}</legend>
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
                                            aria-label=move || format!("{}: {}", t.get().move_up, label())
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
                                            aria-label=move || format!("{}: {}", t.get().move_down, label())
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
                                            aria-label=move || format!("{}: {}", t.get().remove, label())
                                            on:click=move |_| {
                                                if let Some(i) = position(item) {
                                                    edit_form(form, |f| f.remove(i));
                                                }
                                            }
                                        >
                                            {tr(|t| t.remove)}
                                        </button>
                                    </li>
                                }
                            }
                        />
                    </ol>
                    <p class="cc-empty" hidden=move || !queue.with(Vec::is_empty)>{tr(|t| t.queue_empty)}</p>
                    <div class="cc-form-bar">
                        <label class="cc-inline-label" for="cc-routing-add">{tr(|t| t.add_to_queue)}</label>
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
                            {tr(|t| t.add)}
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
            title=|t| t.routing_title
            loading_text=|t| t.loading_routing
            key=key
            loading=loading
            load=Callback::new(move |()| load())
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

/// The days of the week as the hours form's test ids name them, Monday first.
const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A channel's working hours (`data-testid="hours-form"`), for the channel key typed
/// (`demo` at first): the time zone, each weekday's opening ranges, holidays and the
/// out-of-hours reply, saved with `PUT`; "Remove working hours" makes the channel
/// always open again (`DELETE`). Says whether the channel is open now
/// (`data-testid="hours-status"`).
#[component]
fn ChannelHours() -> impl IntoView {
    let t = use_strings();
    let editor = ChannelEditor::<HoursForm>::new();
    let ChannelEditor {
        key,
        loaded_key,
        form,
        loading,
        outcome,
    } = editor;
    // `Some(open now)` while the channel has working hours; `None`: always open.
    let open = RwSignal::new(None::<bool>);

    let load = move || {
        editor.load(
            |channel| async move { api::load_hours(&channel).await },
            move |view: Option<HoursView>| {
                open.set(view.as_ref().map(|v| v.open));
                view.map_or_else(HoursForm::default, |v| HoursForm::of(&v.hours))
            },
        )
    };
    load();

    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(hours) = editor.request(HoursForm::request) {
            editor.send(
                move |channel| async move { api::save_hours(&channel, &hours).await },
                move |saved: HoursView| {
                    open.set(Some(saved.open));
                    HoursForm::of(&saved.hours)
                },
                |t| t.saved,
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
            |t| t.hours_removed,
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
    // A two-line text field of the form (`cc-hours-{name}`, test id `hours-{name}`)
    // with its label and hint, at most `max` characters.
    let text_area = move |name: &'static str,
                          [label, hint]: [Text; 2],
                          max: Option<&'static str>,
                          get: fn(&HoursForm) -> &String,
                          set: fn(&mut HoursForm, String)| {
        let id = format!("cc-hours-{name}");
        view! {
            <div class="cc-field">
                <label class="cc-field-label" for=id.clone()>{tr(label)}</label>
                <textarea
                    id=id.clone()
                    class="cc-input"
                    rows="2"
                    maxlength=max
                    data-testid=format!("hours-{name}")
                    aria-describedby=format!("{id}-hint cc-hours-error")
                    prop:value=move || read(get)
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        edit(&|f| set(f, text.clone()));
                    }
                ></textarea>
                <span id=format!("{id}-hint") class="cc-hint">{tr(hint)}</span>
            </div>
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
                    {tr(|t| t.hours_of)} " " <code>{move || loaded_key.get()}</code>
                </h3>
                <p class="cc-muted" role="status" data-testid="hours-status">
                    {move || match open.get() {
                        Some(true) => t.get().open_now,
                        Some(false) => t.get().closed_now,
                        None => t.get().always_open,
                    }}
                </p>
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-hours-time-zone">{tr(|t| t.time_zone)}</label>
                    <input
                        id="cc-hours-time-zone"
                        class="cc-input"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid="hours-time-zone"
                        aria-describedby="cc-hours-time-zone-hint cc-hours-error"
                        prop:value=move || read(|f| &f.time_zone)
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            edit(&|f| f.time_zone = text.clone());
                        }
                    />
                    <span id="cc-hours-time-zone-hint" class="cc-hint">{tr(|t| t.time_zone_hint)}</span>
                </div>
                <div class="cc-form-grid">{days}</div>
                <p id="cc-hours-day-hint" class="cc-hint">{tr(|t| t.day_hint)}</p>
                {text_area("holidays", [|t| t.holidays, |t| t.holidays_hint], None, |f| &f.holidays, |f, text| f.holidays = text)}
                {text_area(
                    "reply",
                    [|t| t.out_of_hours_reply, |t| t.out_of_hours_reply_hint],
                    Some("1000"),
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
                        {tr(|t| t.remove_hours)}
                    </button>
                    <FormOutcome outcome=outcome error_id="cc-hours-error".to_owned() />
                </div>
            </form>
        }
    };

    view! {
        <ChannelSection
            name="hours"
            title=|t| t.hours_title
            loading_text=|t| t.loading_hours
            key=key
            loading=loading
            load=Callback::new(move |()| load())
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

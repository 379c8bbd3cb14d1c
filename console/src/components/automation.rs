//! A channel's automatic actions in the settings view: when a conversation is
//! marked unanswered, when (and with what closing message) it closes on the
//! visitor's silence, the message when an agent closes, the rating (asked or not,
//! the wait for it, closing on it), and whether agents see the visitor's draft as
//! it is typed (the live typing preview). Loaded and saved through the admin API for the channel the
//! picker shows, as the other per-channel sections.

use canal_protocol::agent::AgentView;
use canal_protocol::automation::AutomationSettings;
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};

use super::settings::{ChannelEditor, ChannelSection, FormOutcome, Outcome};
use crate::{
    api,
    automation::{AutomationError, AutomationForm},
    i18n::{tr, Message, Text},
};

/// The sentence for a form error.
fn error_text(error: AutomationError) -> Text {
    match error {
        AutomationError::Unanswered => |t| t.admin().err_unanswered_minutes,
        AutomationError::AutoClose => |t| t.admin().err_auto_close_minutes,
        AutomationError::TextWithoutClose => |t| t.admin().err_text_without_close,
        AutomationError::RatingWait => |t| t.admin().err_rating_wait,
        AutomationError::Kpi => |t| t.admin().err_kpi_minutes,
        AutomationError::NotifyWithoutLimit => |t| t.admin().err_kpi_notify,
    }
}

/// A channel's automatic actions (`data-testid="automation-form"`), for the channel
/// picked: minutes before the unanswered mark, minutes of the visitor's silence
/// before auto-close and its message, the message when an agent closes, whether to
/// ask for a rating, the minutes to wait for it and whether it closes at once, and
/// the live typing preview (`automation-typing-preview`); saved with `PUT`.
#[component]
pub fn ChannelAutomation(
    /// The key of the channel picked.
    key: RwSignal<String>,
) -> impl IntoView {
    let editor = ChannelEditor::<AutomationForm>::new(key);
    let ChannelEditor {
        loaded_key,
        form,
        loading,
        outcome,
        ..
    } = editor;
    editor.follow(
        |channel| async move { api::load_automation(&channel).await },
        |settings: AutomationSettings| AutomationForm::of(&settings),
    );
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if outcome.get_untracked().busy() {
            return;
        }
        let Some(request) = form.with_untracked(|f| f.as_ref().map(AutomationForm::request)) else {
            return;
        };
        match request {
            Ok(settings) => editor.send(
                move |channel| async move { api::save_automation(&channel, &settings).await },
                |saved: AutomationSettings| AutomationForm::of(&saved),
                |t| t.admin().saved,
            ),
            Err(error) => outcome.set(Outcome::Failed(Message::Text(error_text(error)))),
        }
    };
    // The employees who may be told of overdue answers.
    let people = RwSignal::new(Vec::<AgentView>::new());
    spawn_local(async move {
        if let Ok(list) = api::list_agents().await {
            people.try_set(list.agents);
        }
    });
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let read = move |get: fn(&AutomationForm) -> &String| {
        form.with(|f| f.as_ref().map(|f| get(f).clone()).unwrap_or_default())
    };
    let edit = move |set: fn(&mut AutomationForm, String), text: String| {
        form.update(|f| {
            if let Some(f) = f.as_mut() {
                set(f, text);
            }
        });
    };
    // A field (`cc-automation-{name}`, test id `automation-{name}`) with its label
    // and hint: a number of minutes, or the closing message's text area.
    let field = move |name: &'static str,
                      [label, hint]: [Text; 2],
                      get: fn(&AutomationForm) -> &String,
                      set: fn(&mut AutomationForm, String)| {
        let id = format!("cc-automation-{name}");
        let described = format!("{id}-hint cc-automation-error");
        // The wait for the rating only counts with the rating on.
        let off =
            move || name == "rating-wait" && !form.with(|f| f.as_ref().is_some_and(|f| f.rating));
        let input = if name == "text" || name == "closing" || name == "kpi-text" {
            view! {
                <textarea
                    id=id.clone()
                    class="cc-input"
                    rows="2"
                    maxlength="1000"
                    data-testid=format!("automation-{name}")
                    aria-describedby=described
                    prop:value=move || read(get)
                    on:input=move |ev| edit(set, event_target_value(&ev))
                ></textarea>
            }
            .into_any()
        } else {
            view! {
                <input
                    id=id.clone()
                    class="cc-input cc-narrow"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    data-testid=format!("automation-{name}")
                    aria-describedby=described
                    disabled=off
                    prop:value=move || read(get)
                    on:input=move |ev| edit(set, event_target_value(&ev))
                />
            }
            .into_any()
        };
        view! {
            <div class="cc-field">
                <label class="cc-field-label" for=id.clone()>{tr(label)}</label>
                {input}
                <span id=format!("{id}-hint") class="cc-hint">{tr(hint)}</span>
            </div>
        }
    };
    // A checkbox (`automation-{name}`); `needs_rating`: disabled while the rating
    // is off.
    let check = move |name: &'static str,
                      label: Text,
                      get: fn(&AutomationForm) -> bool,
                      set: fn(&mut AutomationForm, bool),
                      needs_rating: bool| {
        let value = move || form.with(|f| f.as_ref().is_some_and(get));
        let off = move || needs_rating && !form.with(|f| f.as_ref().is_some_and(|f| f.rating));
        view! {
            <label class="cc-check">
                <input
                    type="checkbox"
                    data-testid=format!("automation-{name}")
                    disabled=off
                    prop:checked=value
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        form.update(|f| {
                            if let Some(f) = f.as_mut() {
                                set(f, on);
                            }
                        });
                    }
                />
                " " {tr(label)}
            </label>
        }
    };
    let form_view = move || {
        view! {
            <form
                class="cc-settings-form"
                data-testid="automation-form"
                novalidate
                aria-labelledby="cc-automation-of"
                on:submit=on_save
            >
                <h3 id="cc-automation-of" class="cc-settings-subheading">
                    {tr(|t| t.admin().automation_of)} " " <code>{move || loaded_key.get()}</code>
                </h3>
                {field(
                    "unanswered",
                    [|t| t.admin().unanswered_after, |t| t.admin().unanswered_after_hint],
                    |f| &f.unanswered,
                    |f, text| f.unanswered = text,
                )}
                {field(
                    "auto-close",
                    [|t| t.admin().auto_close_after, |t| t.admin().auto_close_after_hint],
                    |f| &f.auto_close,
                    |f, text| f.auto_close = text,
                )}
                {field(
                    "text",
                    [|t| t.admin().auto_close_text, |t| t.admin().auto_close_text_hint],
                    |f| &f.text,
                    |f, text| f.text = text,
                )}
                <div class="cc-field">
                    <label class="cc-check">
                        <input
                            type="checkbox"
                            data-testid="automation-typing-preview"
                            aria-describedby="cc-automation-preview-hint"
                            prop:checked=move || {
                                form.with(|f| f.as_ref().is_some_and(|f| f.typing_preview))
                            }
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.update(|f| {
                                    if let Some(f) = f.as_mut() {
                                        f.typing_preview = on;
                                    }
                                });
                            }
                        />
                        {tr(|t| t.admin().typing_preview)}
                    </label>
                    <span id="cc-automation-preview-hint" class="cc-hint">
                        {tr(|t| t.admin().typing_preview_hint)}
                    </span>
                </div>
                {field(
                    "closing",
                    [|t| t.admin().closing_text, |t| t.admin().closing_text_hint],
                    |f| &f.closing,
                    |f, text| f.closing = text,
                )}
                {check("rating", |t| t.admin().rating_ask, |f| f.rating, |f, on| f.rating = on, false)}
                {field(
                    "rating-wait",
                    [|t| t.admin().rating_wait, |t| t.admin().rating_wait_hint],
                    |f| &f.rating_wait,
                    |f, text| f.rating_wait = text,
                )}
                {check(
                    "close-on-rating",
                    |t| t.admin().close_on_rating,
                    |f| f.close_on_rating,
                    |f, on| f.close_on_rating = on,
                    true,
                )}
                <h4 class="cc-settings-subheading">{tr(|t| t.admin().kpi_title)}</h4>
                {field(
                    "kpi-first",
                    [|t| t.admin().kpi_first, |t| t.admin().kpi_first_hint],
                    |f| &f.kpi_first,
                    |f, text| f.kpi_first = text,
                )}
                {field(
                    "kpi-next",
                    [|t| t.admin().kpi_next, |t| t.admin().kpi_next_hint],
                    |f| &f.kpi_next,
                    |f, text| f.kpi_next = text,
                )}
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-automation-kpi-notify">{tr(|t| t.admin().kpi_notify)}</label>
                    <select
                        id="cc-automation-kpi-notify"
                        class="cc-select"
                        data-testid="automation-kpi-notify"
                        on:change=move |ev| edit(|f, v| f.kpi_notify = v, event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || read(|f| &f.kpi_notify).is_empty()>
                            {tr(|t| t.admin().kpi_nobody)}
                        </option>
                        {move || {
                            people
                                .get()
                                .into_iter()
                                .map(|a| {
                                    let value = a.id.to_string();
                                    let picked = value.clone();
                                    view! {
                                        <option value=value prop:selected=move || read(|f| &f.kpi_notify) == picked>
                                            {a.name}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                {field(
                    "kpi-text",
                    [|t| t.admin().kpi_text, |t| t.admin().kpi_text_hint],
                    |f| &f.kpi_text,
                    |f, text| f.kpi_text = text,
                )}
                <div class="cc-form-bar">
                    <button
                        type="submit"
                        class="cc-button cc-primary"
                        data-testid="automation-save"
                        disabled=move || outcome.get().busy()
                    >
                        {tr(|t| t.save)}
                    </button>
                    <FormOutcome outcome=outcome error_id="cc-automation-error".to_owned() />
                </div>
            </form>
        }
    };
    view! {
        <ChannelSection
            name="automation"
            title=|t| t.admin().automation_title
            loading_text=|t| t.admin().loading_automation
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

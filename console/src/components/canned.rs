//! A channel's canned answers in the settings (`data-testid="canned-settings"`): each
//! answer's code and text, saved or deleted on its own, and the form for a new one.

use canal_protocol::canned::{CannedAnswer, CannedList};
use leptos::{ev::SubmitEvent, prelude::*};

use super::settings::{send_form, ChannelEditor, ChannelSection, FormOutcome, Outcome};
use crate::{
    api,
    canned::draft,
    i18n::{tr, use_strings, Message, Strings, Text},
};

/// The list as the server last showed it, by code.
type List = Vec<CannedAnswer>;

fn sorted(mut list: List) -> List {
    list.sort_by(|a, b| a.code.cmp(&b.code));
    list
}

/// A code and a text input pair (`canned-{test}-code`, `canned-{test}-text`).
fn fields(code: RwSignal<String>, text: RwSignal<String>, test: String) -> impl IntoView {
    let field =
        move |what: &'static str, label: Text, value: RwSignal<String>, rows: &'static str| {
            let id = format!("cc-canned-{test}-{what}");
            view! {
                <div class="cc-field">
                    <label class="cc-field-label" for=id.clone()>{tr(label)}</label>
                    <textarea
                        id=id
                        class="cc-input"
                        rows=rows
                        spellcheck=(what == "text").to_string()
                        data-testid=format!("canned-{test}-{what}")
                        prop:value=value
                        on:input=move |ev| value.set(event_target_value(&ev))
                    ></textarea>
                </div>
            }
        };
    view! {
        <div class="cc-form-grid">
            {field("code", |t| t.canned_code, code, "1")}
            {field("text", |t| t.canned_text, text, "2")}
        </div>
    }
}

/// The section, for the channel the picker shows.
#[component]
pub fn ChannelCanned(
    /// The key of the channel picked.
    key: RwSignal<String>,
) -> impl IntoView {
    let editor = ChannelEditor::<List>::new(key);
    editor.follow(
        |channel| async move { api::list_canned(&channel).await },
        |list: CannedList| sorted(list.canned),
    );
    let list = editor.form;
    let (code, text) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = match draft(&code.get_untracked(), &text.get_untracked()) {
            Ok(request) => request,
            Err(error) => {
                editor
                    .outcome
                    .set(Outcome::Failed(Message::Text(Strings::form_error(error))));
                return;
            }
        };
        editor.send(
            move |channel| async move { api::create_canned(&channel, &request).await },
            move |made: CannedAnswer| {
                code.set(String::new());
                text.set(String::new());
                let mut all = list.get_untracked().unwrap_or_default();
                all.push(made);
                sorted(all)
            },
            |t| t.canned_added,
        );
    };
    let form = move || {
        list.with(Option::is_some).then(|| {
            let rows = move || list.get().unwrap_or_default();
            view! {
                <p class="cc-hint">{tr(|t| t.canned_hint)}</p>
                <p class="cc-muted" hidden=move || list.with(|l| l.as_ref().is_some_and(|l| !l.is_empty()))>
                    {tr(|t| t.no_canned)}
                </p>
                <For
                    each=rows
                    key=|answer| answer.id
                    children=move |answer| view! { <CannedRow answer=answer editor=editor /> }
                />
                <form class="cc-settings-form" data-testid="canned-create" novalidate on:submit=on_add>
                    {fields(code, text, "new".to_owned())}
                    <div class="cc-form-bar">
                        <button
                            type="submit"
                            class="cc-button cc-primary"
                            data-testid="canned-add"
                            disabled=move || editor.outcome.get().busy()
                        >
                            {tr(|t| t.canned_add)}
                        </button>
                        <FormOutcome outcome=editor.outcome />
                    </div>
                </form>
            }
        })
    };
    view! {
        <ChannelSection
            name="canned"
            title=|t| t.canned_title
            loading_text=|t| t.loading_canned
            loading=editor.loading
            form=ViewFn::from(form)
        />
    }
}

/// One answer (`data-testid="canned-row"`): its code and text, Save and Delete.
#[component]
fn CannedRow(answer: CannedAnswer, editor: ChannelEditor<List>) -> impl IntoView {
    let t = use_strings();
    let id = answer.id;
    let (code, text) = (RwSignal::new(answer.code), RwSignal::new(answer.text));
    let outcome = RwSignal::new(Outcome::Idle);
    let channel = editor.loaded_key;
    let save = move |_| {
        if outcome.get_untracked().busy() {
            return;
        }
        let request = match draft(&code.get_untracked(), &text.get_untracked()) {
            Ok(request) => request,
            Err(error) => {
                outcome.set(Outcome::Failed(Message::Text(Strings::form_error(error))));
                return;
            }
        };
        let key = channel.get_untracked();
        send_form(
            outcome,
            async move { api::update_canned(&key, id, &request).await },
            move |saved| {
                editor.form.update(|l| {
                    if let Some(slot) = l.iter_mut().flatten().find(|a| a.id == id) {
                        *slot = saved;
                    }
                });
                outcome.set(Outcome::Done(|t| t.canned_saved));
            },
        );
    };
    let delete = move |_| {
        if outcome.get_untracked().busy() {
            return;
        }
        let key = channel.get_untracked();
        send_form(
            outcome,
            async move { api::delete_canned(&key, id).await },
            move |()| {
                editor.form.update(|l| {
                    if let Some(l) = l.as_mut() {
                        l.retain(|a| a.id != id);
                    }
                });
                editor.outcome.set(Outcome::Done(|t| t.canned_deleted));
            },
        );
    };
    view! {
        <div class="cc-settings-form" data-testid="canned-row">
            {fields(code, text, id.to_string())}
            <div class="cc-form-bar">
                <button
                    type="button"
                    class="cc-button"
                    data-testid="canned-save"
                    disabled=move || outcome.get().busy()
                    on:click=save
                >
                    {tr(|t| t.save)}
                </button>
                <button
                    type="button"
                    class="cc-button cc-danger"
                    data-testid="canned-delete"
                    disabled=move || outcome.get().busy()
                    on:click=delete
                >
                    {tr(|t| t.canned_delete)}
                </button>
                <p class="cc-settings-status" role="status">
                    {move || match outcome.get() {
                        Outcome::Done(text) => text(t.get()),
                        _ => "",
                    }}
                </p>
                <p class="cc-error" role="alert">{move || outcome.with(|o| o.failure(t.get()))}</p>
            </div>
        </div>
    }
}

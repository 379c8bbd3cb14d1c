//! Labels in the settings (admins): the list, a form for a new one, and "Delete"
//! on each (which takes it off every conversation). Agents set them in the
//! conversation list ([`super::MessageLog`]).

use canal_protocol::agent::{Label, NewLabel};
use leptos::{ev::SubmitEvent, prelude::*};

use super::settings::{send_form, FormOutcome, LoadState, Outcome};
use crate::{api, i18n::tr};

/// The section (`data-testid="labels-settings"`): each label (`label-row`) with
/// its "Delete" (`label-delete`), and the new label's name (`label-name`) with
/// "Add label" (`label-add`).
#[component]
pub fn LabelSettings() -> impl IntoView {
    let list = RwSignal::new(Vec::<Label>::new());
    let loading = RwSignal::new(Outcome::Idle);
    let saving = RwSignal::new(Outcome::Idle);
    let name = RwSignal::new(String::new());
    send_form(loading, async move { api::labels().await }, move |labels| {
        list.set(labels);
        loading.set(Outcome::Idle);
    });
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked().busy() {
            return;
        }
        let request = NewLabel {
            name: name.get_untracked(),
        };
        send_form(
            saving,
            async move { api::create_label(&request).await },
            move |label| {
                list.update(|l| {
                    l.push(label);
                    l.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
                });
                name.set(String::new());
                saving.set(Outcome::Done(|t| t.admin().saved));
            },
        );
    };
    let on_delete = move |id: u64| {
        if saving.get_untracked().busy() {
            return;
        }
        send_form(
            saving,
            async move { api::delete_label(id).await },
            move |()| {
                list.update(|l| l.retain(|label| label.id != id));
                saving.set(Outcome::Done(|t| t.admin().saved));
            },
        );
    };
    view! {
        <section class="cc-settings-section" aria-labelledby="cc-labels-title" data-testid="labels-settings">
            <h2 id="cc-labels-title" class="cc-settings-heading">{tr(|t| t.labels)}</h2>
            <p class="cc-hint">{tr(|t| t.admin().labels_hint)}</p>
            <LoadState outcome=loading loading_text=|t| t.admin().loading_labels test_id="labels-error".to_owned() />
            <ul class="cc-label-list">
                <For
                    each=move || list.get()
                    key=|label| label.id
                    children=move |label| {
                        let id = label.id;
                        view! {
                            <li data-testid="label-row" data-label-id=id.to_string()>
                                <span class="cc-label-chip">{label.name}</span>
                                <button
                                    type="button"
                                    class="cc-button cc-quiet"
                                    data-testid="label-delete"
                                    disabled=move || saving.get().busy()
                                    on:click=move |_| on_delete(id)
                                >
                                    {tr(|t| t.admin().delete_label)}
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
            <form class="cc-settings-form" data-testid="label-form" novalidate on:submit=on_add>
                <div class="cc-field">
                    <label class="cc-field-label" for="cc-label-name">{tr(|t| t.admin().new_label)}</label>
                    <input
                        id="cc-label-name"
                        class="cc-input"
                        maxlength="40"
                        data-testid="label-name"
                        aria-describedby="cc-labels-form-error"
                        prop:value=name
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </div>
                <div class="cc-form-bar">
                    <button type="submit" class="cc-button cc-primary" data-testid="label-add" disabled=move || saving.get().busy()>
                        {tr(|t| t.admin().add_label)}
                    </button>
                </div>
                <FormOutcome outcome=saving error_id="cc-labels-form-error".to_owned() />
            </form>
        </section>
    }
}

//! A channel's CRM settings in the settings view: whether the customer is checked
//! in the CRM, the chat tracker, what a new customer gets (a deal, a lead or only
//! the contact) and whether it is made automatically, the responsible on
//! transfer, the default region for phones, and the field mapping written to the
//! lead or deal when the dialog closes (rows added and removed). Loaded and saved
//! (`PUT`, the whole record) through the admin API for the channel the picker
//! shows, as the other per-channel sections; the form is [`crate::crm`].

use leptos::{ev::SubmitEvent, prelude::*};

use super::settings::{
    change, options, read, save_bar, ChannelEditor, ChannelSection, Control, Field,
};
use crate::{
    api,
    crm::CrmForm,
    i18n::{tr, Text},
};

/// The picked channel's CRM settings (`data-testid="crm-form"`): five switches
/// (`crm-check-customer`, `crm-tracker`, `crm-create-automatically`,
/// `crm-change-responsible`), the mode (`crm-mode`), the region (`crm-region`),
/// and one `crm-map-row` per mapped field (`crm-map-source`, `crm-map-field`,
/// `crm-map-value` for a custom one, `crm-map-remove`), `crm-map-add` for another;
/// saved with `PUT .../crm`.
#[component]
pub fn ChannelCrm(
    /// The key of the channel picked.
    key: RwSignal<String>,
) -> impl IntoView {
    let editor = ChannelEditor::<CrmForm>::new(key);
    let ChannelEditor {
        form,
        loading,
        outcome,
        ..
    } = editor;
    editor.follow(
        |channel| async move { api::load_crm_settings(&channel).await },
        CrmForm,
    );
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(settings) = editor.request(|f: &CrmForm| Ok(f.request())) {
            editor.send(
                move |channel| async move { api::save_crm_settings(&channel, &settings).await },
                CrmForm,
                |t| t.admin().saved,
            );
        }
    };
    // Every control reads and writes the form by its name (one closure of each
    // kind for the whole form: this keeps the console's wasm small).
    let value = move |name: String| Signal::derive(move || read(form, |f| f.get(&name)));
    let set = move |name: String| Callback::new(move |v: String| change(form, |f| f.set(&name, v)));
    // A control `cc-crm-{name}`, `data-testid` `crm-{name}`, of the form field
    // `field` (a row's fields are `{part}:{i}`; their test ids are `crm-map-{part}`).
    let control = move |name: &str, field: String, label: Text, control: Control| {
        view! {
            <Field
                id=format!("cc-crm-{}", field.replace(':', "-"))
                test_id=format!("crm-{name}")
                label=label
                control=control
                value=value(field.clone())
                on_change=set(field)
                no_spellcheck=true
            />
        }
    };
    let modes = options(vec![
        ("deal", |t| t.crm_deal),
        ("lead", |t| t.crm_lead),
        ("none", |t| t.admin().crm_mode_none),
    ]);
    // The parameters by their own names (the same in every language), but for
    // the whole UTM string and a fixed value.
    let sources = options(vec![
        ("utm_source", |_| "utm_source"),
        ("utm_medium", |_| "utm_medium"),
        ("utm_campaign", |_| "utm_campaign"),
        ("utm_content", |_| "utm_content"),
        ("utm_term", |_| "utm_term"),
        ("utm", |t| t.admin().crm_utm),
        ("client_id", |_| "client_id"),
        ("message_id", |_| "message_id"),
        ("click_time", |_| "click_time"),
        ("custom", |t| t.admin().crm_map_value),
    ]);
    let rows = Memo::new(move |_| read(form, CrmForm::rows));
    // The row at `i`; the rows are drawn again when one is added or removed (not
    // while typing: the count does not change then).
    // One kind of button for "Add" and each row's "Remove".
    let button = |test_id: &'static str, label: Text, click: Callback<()>| {
        view! {
            <button type="button" class="cc-button" data-testid=test_id on:click=move |_| click.run(())>
                {tr(label)}
            </button>
        }
    };
    let row = move |i: usize| {
        view! {
            <div class="cc-form-grid" data-testid="crm-map-row">
                {control("map-source", format!("source:{i}"), |t| t.admin().crm_map_source, Control::Select(sources))}
                {control("map-field", format!("field:{i}"), |t| t.admin().crm_map_field, Control::Input("text"))}
                {control("map-value", format!("value:{i}"), |t| t.admin().crm_map_value, Control::Input("text"))}
                {button("crm-map-remove", |t| t.admin().remove, Callback::new(move |()| change(form, |f| f.remove_row(i))))}
            </div>
        }
    };
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let fields = move || {
        let list: [(&str, &str, Text); 6] = [
            ("check-customer", "check_customer", |t| {
                t.admin().crm_check_customer
            }),
            ("tracker", "tracker", |t| t.admin().crm_tracker),
            ("mode", "mode", |t| t.admin().crm_mode),
            ("region", "region", |t| t.admin().crm_region),
            ("create-automatically", "create_automatically", |t| {
                t.admin().crm_create_automatically
            }),
            ("change-responsible", "change_responsible", |t| {
                t.admin().crm_change_responsible
            }),
        ];
        list.into_iter()
            .map(|(name, field, label)| {
                let kind = match field {
                    "mode" => Control::Select(modes),
                    "region" => Control::Input("text"),
                    _ => Control::Check,
                };
                control(name, field.to_owned(), label, kind)
            })
            .collect::<Vec<_>>()
    };
    let form_view = move || {
        view! {
            <form class="cc-settings-form" data-testid="crm-form" novalidate on:submit=on_save>
                {fields()}
                <fieldset class="cc-fieldset">
                    <legend>{tr(|t| t.admin().crm_field_map)}</legend>
                    {move || (0..rows.get()).map(row).collect_view()}
                    {button("crm-map-add", |t| t.admin().add, Callback::new(move |()| change(form, CrmForm::add_row)))}
                </fieldset>
                {save_bar("crm", outcome)}
            </form>
        }
    };
    view! {
        <ChannelSection
            name="crm"
            title=|_| "CRM"
            loading_text=|t| t.loading
            loading=loading
            form=ViewFn::from(move || has_form.get().then(form_view))
        />
    }
}

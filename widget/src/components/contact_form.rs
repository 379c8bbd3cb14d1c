//! The contact form: the channel's fields and its agreements as checkboxes.

use canal_protocol::{
    admin::Behaviour,
    forms::{ContactFormView, FieldName},
};
use leptos::{ev::KeyboardEvent, prelude::*};

use super::FullTextLink;
use crate::{
    form::{is_required, pre_ticked, Checks, Details},
    i18n::{self, tr, Text},
};

/// A panel under the messages (not modal: the chat goes on around it) with the
/// channel's fields (name, e-mail, phone, as configured; required ones marked and
/// checked by the browser) and one checkbox per agreement following its behaviour
/// (see [`crate::form`]): for "must open the full text" the box stays disabled
/// until the visitor opened the full text. Send stays disabled until every
/// required agreement is ticked. Escape or Cancel closes it. The window moves
/// focus to it (`#cn-form`) when the visitor opened it.
#[component]
pub fn ContactForm(
    /// The channel's form.
    form: ContactFormView,
    /// The visitor sends: the fields, the boxes, and an idempotency key for this
    /// opening of the form.
    on_submit: Callback<(Details, Checks, Option<String>)>,
    /// The visitor closed the form.
    on_close: Callback<()>,
    /// The form is being sent.
    busy: Memo<bool>,
    /// The server's refusal, shown in the form.
    error: Memo<Option<Text>>,
) -> impl IntoView {
    let strings = i18n::use_strings();
    let checks = RwSignal::new(Checks::new(&form.agreements));
    let request_id = StoredValue::new(crate::api::random_id());
    let ready = move || checks.with(Checks::ready);
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_close.run(());
        }
    };

    let fields = form
        .fields
        .into_iter()
        .map(|field| {
            // The inputs are the browser's own (read once, on submit): no signal
            // per keystroke, and far less view code.
            let is_phone = field.name == FieldName::Phone;
            let (label, kind, name, id): (Text, _, _, _) = match field.name {
                FieldName::Name => (|t| t.field_name, "text", "name", "cn-f-name"),
                FieldName::Email => (|t| t.field_email, "email", "email", "cn-f-email"),
                FieldName::Phone => (|t| t.field_phone, "tel", "tel", "cn-f-phone"),
            };
            view! {
                <div class="cn-field">
                    // Required ones are marked by CSS (`.cn-req::after`), announced by
                    // the input's `required`.
                    <label for=id class=if field.required { "cn-req" } else { "" }>
                        {tr(label)}
                    </label>
                    <input
                        id=id
                        class="cn-text"
                        type=kind
                        name=name
                        autocomplete=name
                        placeholder=move || is_phone.then(tr(|t| t.phone_hint))
                        required=field.required
                    />
                </div>
            }
        })
        .collect_view();

    let agreements = form
        .agreements
        .into_iter()
        .enumerate()
        .map(|(at, agreement)| {
            let id = format!("cn-a{at}");
            let label_id = format!("cn-al{at}");
            let hint_id = format!("cn-ah{at}");
            let must_open = agreement.behaviour == Behaviour::RequiredReadFullText;
            let required = is_required(agreement.behaviour);
            let enabled = move || checks.with(|c| c.enabled(at));
            view! {
                <div class="cn-check" data-testid="form-agreement">
                    <input
                        type="checkbox"
                        id=id.clone()
                        data-testid="form-agreement-box"
                        checked=pre_ticked(agreement.behaviour)
                        disabled=move || !enabled()
                        aria-required=if required { "true" } else { "false" }
                        aria-describedby=hint_id.clone()
                        on:change=move |ev| checks.update(|c| c.tick(at, event_target_checked(&ev)))
                    />
                    <label for=id id=label_id.clone() class=if required { "cn-req" } else { "" }>
                        {agreement.label}
                    </label>
                    <FullTextLink
                        path=agreement.full_text_path
                        on_open=Callback::new(move |()| checks.update(|c| c.open(at)))
                        test_id="form-full-text"
                        described_by=label_id
                    />
                    // Empty unless the full text must be opened first.
                    <p class="cn-hint" id=hint_id hidden=enabled>
                        {must_open.then_some(tr(|t| t.read_first))}
                    </p>
                </div>
            }
        })
        .collect_view();

    view! {
        <form
            id="cn-form"
            class="cn-form"
            data-testid="contact-form"
            aria-labelledby="cn-form-title"
            tabindex="-1"
            on:keydown=on_keydown
            on:submit=move |ev| {
                ev.prevent_default();
                let data = web_sys::FormData::new_with_form(&event_target(&ev)).ok();
                let field = |key| {
                    data.as_ref()
                        .and_then(|data| data.get(key).as_string())
                        .unwrap_or_default()
                };
                let details = Details {
                    name: field("name"),
                    email: field("email"),
                    phone: field("tel"),
                };
                on_submit.run((details, checks.get_untracked(), request_id.get_value()));
            }
        >
            <h2 id="cn-form-title" class="cn-consent-title">{tr(|t| t.form_title)}</h2>
            {fields}
            {agreements}
            <p class="cn-hint" id="cn-form-tick" hidden=ready>{tr(|t| t.form_tick)}</p>
            <p class="cn-error" data-testid="form-error" role="alert">
                {move || error.get().map(|text| text(strings.get()))}
            </p>
            <div class="cn-actions">
                <button
                    type="button"
                    class="cn-secondary"
                    data-testid="form-close"
                    on:click=move |_| on_close.run(())
                >
                    {tr(|t| t.cancel)}
                </button>
                <button
                    type="submit"
                    class="cn-primary"
                    data-testid="form-submit"
                    aria-describedby="cn-form-tick"
                    disabled=move || busy.get() || !ready()
                >
                    {tr(|t| t.form_send)}
                </button>
            </div>
        </form>
    }
}

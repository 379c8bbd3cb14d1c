//! The language picker.

use leptos::prelude::*;

use crate::i18n::{self, tr, use_strings, TABLES};

/// A `<select>` (`data-testid="language"`) listing each language by its own name
/// (English, Español, Русский). Choosing one switches the console's texts at once
/// and keeps the choice in `localStorage` for the next visit.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let strings = use_strings();
    let label = tr(|t| t.language);
    view! {
        <select
            class="cc-select cc-language"
            data-testid="language"
            aria-label=label
            title=label
            on:change=move |ev| {
                let chosen = i18n::for_tag(&event_target_value(&ev));
                strings.set(chosen);
                i18n::remember(chosen);
            }
        >
            {TABLES
                .into_iter()
                .map(|table| {
                    view! {
                        <option
                            value=table.lang
                            lang=table.lang
                            prop:selected=move || std::ptr::eq(strings.get(), table)
                        >
                            {table.native_name}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

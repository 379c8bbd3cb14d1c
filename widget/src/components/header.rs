//! The window's title bar.

use leptos::prelude::*;

use crate::i18n::use_strings;

/// Title bar with the channel's title and the close button.
#[component]
pub fn Header(
    /// The channel's title.
    #[prop(into)]
    title: String,
    /// The visitor closed the window.
    on_close: Callback<()>,
) -> impl IntoView {
    let t = use_strings();
    view! {
        <header class="cn-head">
            <h1 id="cn-title" class="cn-title" data-testid="title">{title}</h1>
            <button
                type="button"
                class="cn-icon"
                data-testid="close"
                aria-label=t.close
                title=t.close
                on:click=move |_| on_close.run(())
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
            </button>
        </header>
    }
}

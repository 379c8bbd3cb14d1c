//! The notice for a frame the server refused.

use leptos::prelude::*;

use crate::{
    i18n::{tr, use_strings},
    session::Console,
};

/// The last refusal (`error` frame) in words, announced as an alert, with a
/// button that dismisses it. Nothing when there is none.
#[component]
pub fn Notice() -> impl IntoView {
    let t = use_strings();
    let console = expect_context::<Console>();
    let notice = Memo::new(move |_| console.state.with(|s| s.notice.clone()));
    view! {
        <div class="cc-notice-area" role="alert">
            {move || {
                notice
                    .get()
                    .map(|notice| {
                        view! {
                            <div class="cc-notice" data-testid="notice" data-code=notice.code.as_str()>
                                <p class="cc-notice-text">{move || t.get().refusal(notice.code)}</p>
                                <button
                                    type="button"
                                    class="cc-icon"
                                    data-testid="notice-dismiss"
                                    aria-label=tr(|t| t.dismiss)
                                    title=tr(|t| t.dismiss)
                                    on:click=move |_| console.dismiss()
                                >
                                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                                        <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                                    </svg>
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

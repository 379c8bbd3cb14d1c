//! The agreement the visitor accepts or declines before the first message.

use canal_protocol::AgreementView;
use leptos::{ev::KeyboardEvent, html, prelude::*};

use crate::i18n::use_strings;

/// A modal dialog with the agreement's title, its full text (as text, scrollable)
/// and two buttons: accept (labelled by the agreement) and decline. Escape declines.
/// The window moves focus to the text when it opens, so it can be read and scrolled
/// by keyboard.
#[component]
pub fn ConsentPrompt(
    /// The agreement version to show; its `version_id` is what gets recorded.
    agreement: AgreementView,
    /// The visitor accepted.
    on_accept: Callback<()>,
    /// The visitor declined (button or Escape).
    on_decline: Callback<()>,
    /// The agreement text, so the window can move focus to it when the prompt opens.
    #[prop(optional)]
    text_ref: NodeRef<html::Div>,
) -> impl IntoView {
    let t = use_strings();
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_decline.run(());
        }
    };
    view! {
        <div class="cn-backdrop">
            <div
                class="cn-consent"
                role="dialog"
                aria-modal="true"
                aria-labelledby="cn-consent-title"
                data-testid="consent-prompt"
                on:keydown=on_keydown
            >
                <h2 id="cn-consent-title" class="cn-consent-title">{agreement.title}</h2>
                <div
                    class="cn-consent-text"
                    data-testid="consent-text"
                    role="region"
                    aria-labelledby="cn-consent-title"
                    tabindex="0"
                    node_ref=text_ref
                >
                    {agreement.text}
                </div>
                <div class="cn-actions">
                    <button
                        type="button"
                        class="cn-secondary"
                        data-testid="consent-decline"
                        on:click=move |_| on_decline.run(())
                    >
                        {t.decline}
                    </button>
                    <button
                        type="button"
                        class="cn-primary"
                        data-testid="consent-accept"
                        on:click=move |_| on_accept.run(())
                    >
                        {agreement.label}
                    </button>
                </div>
            </div>
        </div>
    }
}

//! The panel where the visitor asks for the conversation by e-mail.

use leptos::{ev::KeyboardEvent, prelude::*};

use crate::i18n::{self, tr, Text};

/// A panel under the messages (not modal, as the contact form: the chat goes on
/// around it) with an e-mail field, labelled "E-mail me this conversation", which
/// the browser checks and may fill in, and Send; the server's refusal shows in it
/// (and describes the field). Escape or Cancel closes it. Hidden, not removed,
/// while not `open` (measured: a conditional view costs the frame more); the window
/// moves focus to the field (`#cn-mail-input`).
#[component]
pub fn MailForm(
    /// Set to what the field holds when the visitor sends.
    address: RwSignal<String>,
    /// The visitor sent the address.
    on_send: Callback<()>,
    /// The visitor closed the panel.
    on_cancel: Callback<()>,
    /// The request is being sent.
    busy: Memo<bool>,
    /// The server's refusal.
    error: Memo<Option<Text>>,
    /// Whether the panel is on screen.
    open: Memo<bool>,
) -> impl IntoView {
    let strings = i18n::use_strings();
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_cancel.run(());
        }
    };
    view! {
        <form
            class="cn-form"
            data-testid="mail-form"
            hidden=move || !open.get()
            on:keydown=on_keydown
            on:submit=move |ev| {
                ev.prevent_default();
                // The browser's own field, read once on submit (as the contact form's).
                let typed = web_sys::FormData::new_with_form(&event_target(&ev))
                    .ok()
                    .and_then(|data| data.get("email").as_string());
                address.set(typed.unwrap_or_default());
                on_send.run(());
            }
        >
            <div class="cn-field">
                <label for="cn-mail-input">{tr(|t| t.mail)}</label>
                <input
                    id="cn-mail-input"
                    class="cn-text"
                    data-testid="mail-input"
                    type="email"
                    name="email"
                    autocomplete="email"
                    required
                    aria-describedby="cn-mail-error"
                />
            </div>
            <p class="cn-error" id="cn-mail-error" data-testid="mail-error" role="alert">
                {move || error.get().map(|text| text(strings.get()))}
            </p>
            <div class="cn-actions">
                <button
                    type="button"
                    class="cn-secondary"
                    data-testid="mail-cancel"
                    on:click=move |_| on_cancel.run(())
                >
                    {tr(|t| t.cancel)}
                </button>
                <button
                    type="submit"
                    class="cn-primary"
                    data-testid="mail-send"
                    disabled=move || busy.get()
                >
                    {tr(|t| t.send)}
                </button>
            </div>
        </form>
    }
}

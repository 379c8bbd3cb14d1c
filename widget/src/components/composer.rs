//! Where the visitor writes.

use leptos::{ev::KeyboardEvent, html, prelude::*};

use crate::i18n::tr;

/// The message box and send button. Enter sends; Shift+Enter starts a new line
/// (and so does Enter while an input method is composing).
#[component]
pub fn Composer(
    /// The draft; stays put until the message is actually handed over.
    value: RwSignal<String>,
    /// The visitor asked to send the draft.
    on_send: Callback<()>,
    /// Sending is not possible right now (the chat is starting).
    #[prop(optional)]
    busy: Option<Memo<bool>>,
    /// The text area, so the window can move focus back to it.
    #[prop(optional)]
    input_ref: NodeRef<html::Textarea>,
    /// The live typing preview's note (`#cn-preview`) is shown: the text area is
    /// described by it, so a screen reader says it before the visitor types.
    #[prop(optional)]
    note: bool,
) -> impl IntoView {
    let busy = move || busy.is_some_and(|busy| busy.get());
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            on_send.run(());
        }
    };
    view! {
        <form
            class="cn-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                on_send.run(());
            }
        >
            <label class="cn-sr" for="cn-input">{tr(|t| t.message_label)}</label>
            <textarea
                id="cn-input"
                class="cn-input"
                data-testid="composer-input"
                rows="2"
                placeholder=tr(|t| t.placeholder)
                aria-describedby=note.then_some("cn-preview")
                bind:value=value
                on:keydown=on_keydown
                node_ref=input_ref
            ></textarea>
            <button
                type="submit"
                class="cn-send"
                data-testid="send"
                aria-disabled=move || if busy() { "true" } else { "false" }
                disabled=busy
            >
                {tr(|t| t.send)}
            </button>
        </form>
    }
}

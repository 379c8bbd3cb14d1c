//! Where the agent writes a reply.

use leptos::{ev::KeyboardEvent, html, prelude::*};

use crate::{
    i18n::{tr, use_strings, Text},
    session::{Console, ReplyFailure},
    state::ReplyError,
};

/// The reply box and send button. Enter sends; Shift+Enter starts a new line (and
/// so does Enter while an input method is composing). Each reply gets a random
/// client id and shows as pending until the server acknowledges it. The unsent
/// draft is kept per conversation while another one is shown. While the agent
/// edits, the visitor hears that they type (never what); sending, emptying or
/// leaving the draft says they stopped. Takes the focus when it appears.
#[component]
pub fn Composer(
    /// The conversation replied to.
    id: String,
) -> impl IntoView {
    let t = use_strings();
    let console = expect_context::<Console>();
    let draft = RwSignal::new(console.draft(&id));
    let error = RwSignal::new(None::<Text>);
    let input = NodeRef::<html::Textarea>::new();
    let id = StoredValue::new(id);

    let send = move || {
        let text = draft.get_untracked();
        match console.reply(&text) {
            Ok(()) => {
                draft.set(String::new());
                id.with_value(|id| {
                    console.set_draft(id, String::new());
                    console.typed(id, true);
                });
                error.set(None);
            }
            Err(ReplyFailure::Refused(ReplyError::Empty)) => {}
            Err(ReplyFailure::Refused(ReplyError::TooLong)) => {
                error.set(Some(|t| t.err_reply_long))
            }
            Err(ReplyFailure::Refused(ReplyError::NotYours)) => {
                error.set(Some(|t| t.err_reply_not_yours))
            }
            Err(ReplyFailure::NoRandom) => error.set(Some(|t| t.err_no_crypto)),
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        id.with_value(|id| {
            console.set_draft(id, text.clone());
            console.typed(id, text.is_empty());
        });
        draft.set(text);
        error.set(None);
    };
    on_cleanup(move || {
        if let Some(id) = id.try_get_value() {
            console.typed(&id, true);
        }
    });
    request_animation_frame(move || {
        if let Some(input) = input.try_get_untracked().flatten() {
            let _ = input.focus();
        }
    });

    view! {
        <form
            class="cc-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <label class="cc-sr" for="cc-reply">{tr(|t| t.reply_label)}</label>
            <textarea
                id="cc-reply"
                class="cc-input cc-reply"
                data-testid="reply-input"
                rows="3"
                placeholder=tr(|t| t.reply_placeholder)
                aria-describedby="cc-reply-hint cc-reply-error"
                prop:value=move || draft.get()
                on:input=on_input
                on:keydown=on_keydown
                node_ref=input
            ></textarea>
            <div class="cc-composer-bar">
                <span id="cc-reply-hint" class="cc-hint">{tr(|t| t.reply_hint)}</span>
                <span id="cc-reply-error" class="cc-error" role="alert">
                    {move || error.get().map(|text| text(t.get()))}
                </span>
                <button type="submit" class="cc-button cc-primary" data-testid="reply-send">
                    {tr(|t| t.send)}
                </button>
            </div>
        </form>
    }
}

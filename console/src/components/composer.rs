//! Where the agent writes a reply.

use canal_protocol::canned::CannedAnswer;
use leptos::{ev::KeyboardEvent, html, prelude::*, task::spawn_local};

use crate::{
    api,
    canned::{choices, slash_query, step},
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
///
/// Canned answers: `/` and a code at the start of the draft lists the channel's
/// answers that match (`data-testid="canned-choices"`); the arrows choose, Enter or
/// Tab put the answer in place of the draft, Escape closes the list. The "Canned
/// answers" button lists them all and adds the one picked to the draft.
#[component]
pub fn Composer(
    /// The conversation replied to.
    id: String,
) -> impl IntoView {
    let t = use_strings();
    let console = expect_context::<Console>();
    let draft = RwSignal::new(console.draft(&id));
    let error = RwSignal::new(None::<Text>);
    // The box writes a private note instead of a reply.
    let noting = RwSignal::new(false);
    let input = NodeRef::<html::Textarea>::new();
    // The channel's canned answers, filled in for this conversation; `/code` at the
    // start of the draft (or the menu button) lists the matching ones.
    let canned = RwSignal::new(Vec::<CannedAnswer>::new());
    {
        let id = id.clone();
        spawn_local(async move {
            if let Ok(list) = api::reply_canned(&id).await {
                canned.try_set(list.canned);
            }
        });
    }
    let menu = RwSignal::new(false);
    let dismissed = RwSignal::new(false);
    let selected = RwSignal::new(0usize);
    let picks = Memo::new(move |_| {
        let query = if menu.get() {
            Some(String::new())
        } else {
            draft.with(|d| slash_query(d).map(str::to_owned))
        };
        query.filter(|_| !dismissed.get()).map(|query| {
            canned.with(|all| {
                choices(all, &query)
                    .into_iter()
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let id = StoredValue::new(id);
    let focus = move || {
        if let Some(input) = input.try_get_untracked().flatten() {
            let _ = input.focus();
        }
    };
    // Puts a canned answer in the draft: in place of `/code`, or after what the
    // draft has when picked from the menu.
    let insert = move |answer: &CannedAnswer| {
        let text = if menu.get_untracked() {
            draft.with_untracked(|d| match d.trim_end() {
                "" => answer.text.clone(),
                before => format!("{before} {}", answer.text),
            })
        } else {
            answer.text.clone()
        };
        id.with_value(|id| {
            console.set_draft(id, text.clone());
            console.typed(id, false);
        });
        draft.set(text);
        menu.set(false);
        selected.set(0);
        focus();
    };

    let send = move || {
        let text = draft.get_untracked();
        let sent = if noting.get_untracked() {
            console.note(&text)
        } else {
            console.reply(&text)
        };
        match sent {
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
        if ev.is_composing() {
            return;
        }
        let open = picks.with_untracked(|p| p.as_ref().map_or(0, Vec::len));
        let key = ev.key();
        match key.as_str() {
            "ArrowDown" | "ArrowUp" if open > 0 => {
                ev.prevent_default();
                selected.update(|s| *s = step(*s, open, key == "ArrowDown"));
            }
            "Enter" | "Tab" if open > 0 && !ev.shift_key() => {
                ev.prevent_default();
                let pick = picks.with_untracked(|p| {
                    p.as_ref()
                        .and_then(|p| p.get(selected.get_untracked().min(open - 1)).cloned())
                });
                if let Some(answer) = pick {
                    insert(&answer);
                }
            }
            "Escape" if picks.with_untracked(Option::is_some) => {
                ev.prevent_default();
                menu.set(false);
                dismissed.set(true);
            }
            "Enter" if !ev.shift_key() => {
                ev.prevent_default();
                send();
            }
            _ => {}
        }
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        id.with_value(|id| {
            console.set_draft(id, text.clone());
            // A note is not for the visitor: they do not see the agent "typing" it.
            console.typed(id, text.is_empty() || noting.get_untracked());
        });
        draft.set(text);
        error.set(None);
        dismissed.set(false);
        selected.set(0);
    };
    on_cleanup(move || {
        if let Some(id) = id.try_get_value() {
            console.typed(&id, true);
        }
    });
    request_animation_frame(focus);

    let option_id = |index: usize| format!("cc-canned-{index}");
    let choices_view = move || {
        picks.get().map(|picks| {
            let empty = picks.is_empty();
            let options = picks
                .into_iter()
                .enumerate()
                .map(|(index, answer)| {
                    let code = answer.code.clone();
                    let text = answer.text.clone();
                    view! {
                        <li
                            id=option_id(index)
                            role="option"
                            class="cc-canned-choice"
                            data-testid="canned-choice"
                            data-code=code
                            aria-selected=move || (selected.get() == index).to_string()
                            on:mousedown=move |ev| {
                                ev.prevent_default();
                                insert(&answer);
                            }
                        >
                            <code>{format!("/{}", answer.code)}</code>
                            " "
                            <span class="cc-canned-text">{text}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <ul
                    id="cc-canned"
                    class="cc-canned"
                    role="listbox"
                    data-testid="canned-choices"
                    aria-label=tr(|t| t.canned_choices)
                >
                    {options}
                </ul>
                <p class="cc-hint" hidden=!empty>{tr(|t| t.canned_no_match)}</p>
            }
        })
    };

    view! {
        <form
            class="cc-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            {choices_view}
            <label class="cc-sr" for="cc-reply">{tr(|t| t.reply_label)}</label>
            <textarea
                id="cc-reply"
                class=move || if noting.get() { "cc-input cc-reply cc-reply-note" } else { "cc-input cc-reply" }
                data-testid="reply-input"
                rows="3"
                placeholder=move || {
                    let t = t.get();
                    if noting.get() { t.note_placeholder } else { t.reply_placeholder }
                }
                aria-describedby="cc-reply-hint cc-reply-error"
                aria-controls=move || picks.with(Option::is_some).then_some("cc-canned")
                aria-activedescendant=move || {
                    picks.with(|p| p.as_ref().is_some_and(|p| !p.is_empty())).then(|| option_id(selected.get()))
                }
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
                <button
                    type="button"
                    class="cc-button cc-quiet"
                    data-testid="canned-menu"
                    aria-expanded=move || menu.get().to_string()
                    aria-controls=move || picks.with(Option::is_some).then_some("cc-canned")
                    hidden=move || canned.with(Vec::is_empty)
                    on:click=move |_| {
                        dismissed.set(false);
                        selected.set(0);
                        menu.update(|m| *m = !*m);
                        focus();
                    }
                >
                    {tr(|t| t.canned_menu)}
                </button>
                <label class="cc-check cc-note-mode">
                    <input
                        type="checkbox"
                        data-testid="note-mode"
                        prop:checked=move || noting.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            noting.set(on);
                            if on {
                                // Whatever "typing" the visitor saw stops.
                                id.with_value(|id| console.typed(id, true));
                            }
                            focus();
                        }
                    />
                    {tr(|t| t.private_note)}
                </label>
                <button type="submit" class="cc-button cc-primary" data-testid="reply-send">
                    {move || if noting.get() { t.get().add_note } else { t.get().send }}
                </button>
            </div>
        </form>
    }
}

//! The window's menu and the withdrawal's confirm step.

use canal_protocol::rating::Rating;
use leptos::{
    ev::{FocusEvent, KeyboardEvent},
    prelude::*,
};
use wasm_bindgen::JsCast;

use super::focus_later;
use crate::i18n::{tr, Text};

/// A menu button in the header (`aria-haspopup`, `aria-expanded`) with up to three
/// items: "Rate this chat" (once the conversation has a message), "E-mail me this
/// conversation" (then too, when the server sends mail) and "Withdraw my consent"
/// (while there is one). Opening moves focus to the first item; Escape, choosing an
/// item, or leaving the menu with Tab closes it (Escape gives focus back to the
/// button).
#[component]
pub fn Menu(
    /// The visitor chose "Rate this chat".
    on_rate: Callback<()>,
    /// Whether there is a conversation to rate and the channel asks for ratings.
    can_rate: Memo<bool>,
    /// The visitor chose "E-mail me this conversation".
    on_mail: Callback<()>,
    /// Whether it can be e-mailed (once there is a conversation).
    can_mail: Memo<bool>,
    /// The visitor chose "Withdraw my consent".
    on_withdraw: Callback<()>,
    /// Whether there is a consent to withdraw. The menu shows while either item does
    /// (hidden, not removed: a conditional view would cost the frame its rebuild code).
    can_withdraw: Memo<bool>,
) -> impl IntoView {
    let (open, set_open) = signal(false);
    let toggle = move |_| {
        let now = !open.get_untracked();
        set_open.set(now);
        if now {
            focus_later(if can_rate.get_untracked() {
                "cn-menu-rate"
            } else if can_mail.get_untracked() {
                "cn-menu-mail"
            } else {
                "cn-menu-item"
            });
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            ev.stop_propagation();
            set_open.set(false);
            focus_later("cn-menu-button");
        }
    };
    // Focus left the menu (Tab, a click elsewhere): close it.
    let on_focusout = move |ev: FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|target| target.id().starts_with("cn-menu"));
        if !inside {
            set_open.set(false);
        }
    };
    let label = tr(|t| t.menu);
    // One menu item: shown while `shown`, closing the menu when chosen.
    let item = move |id: &'static str,
                     test_id: &'static str,
                     shown: Memo<bool>,
                     chosen: Callback<()>,
                     label: Text| {
        view! {
            <button
                type="button"
                role="menuitem"
                id=id
                class="cn-menu-item"
                data-testid=test_id
                hidden=move || !shown.get()
                on:click=move |_| {
                    set_open.set(false);
                    chosen.run(());
                }
            >
                {tr(label)}
            </button>
        }
    };
    view! {
        <div
            class="cn-menu"
            hidden=move || !can_rate.get() && !can_mail.get() && !can_withdraw.get()
            on:keydown=on_keydown
            on:focusout=on_focusout
        >
            <button
                type="button"
                id="cn-menu-button"
                class="cn-icon"
                data-testid="menu"
                aria-haspopup="menu"
                aria-controls="cn-menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-label=label
                title=label
                on:click=toggle
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M12 5h.01M12 12h.01M12 19h.01" stroke="currentColor" stroke-width="3" stroke-linecap="round"/>
                </svg>
            </button>
            <div id="cn-menu" class="cn-menu-list" role="menu" aria-labelledby="cn-menu-button" hidden=move || !open.get()>
                {item("cn-menu-rate", "menu-rate", can_rate, on_rate, |t| t.rate)}
                {item("cn-menu-mail", "menu-mail", can_mail, on_mail, |t| t.mail)}
                {item("cn-menu-item", "menu-withdraw", can_withdraw, on_withdraw, |t| t.withdraw)}
            </div>
        </div>
    }
}

/// The confirm step of a withdrawal: a modal dialog saying what happens, with
/// "Withdraw" and "Cancel" (Escape cancels), drawn while `open`. The window moves focus to Cancel
/// (`#cn-withdraw-cancel`).
#[component]
pub fn WithdrawConfirm(
    /// The visitor confirmed.
    on_confirm: Callback<()>,
    /// The visitor cancelled.
    on_cancel: Callback<()>,
    /// The withdrawal is being sent.
    busy: Memo<bool>,
    /// Whether the step is on screen (hidden, not removed, when not).
    open: Memo<bool>,
) -> impl IntoView {
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_cancel.run(());
        }
    };
    view! {
        <div class="cn-backdrop" hidden=move || !open.get()>
            <div
                class="cn-consent"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="cn-withdraw-title"
                aria-describedby="cn-withdraw-text"
                data-testid="withdraw-confirm"
                on:keydown=on_keydown
            >
                <h2 id="cn-withdraw-title" class="cn-consent-title">{tr(|t| t.withdraw_title)}</h2>
                <p id="cn-withdraw-text" class="cn-hint">{tr(|t| t.withdraw_text)}</p>
                <div class="cn-actions">
                    <button
                        type="button"
                        class="cn-secondary"
                        id="cn-withdraw-cancel"
                        data-testid="withdraw-cancel"
                        on:click=move |_| on_cancel.run(())
                    >
                        {tr(|t| t.cancel)}
                    </button>
                    <button
                        type="button"
                        class="cn-primary"
                        data-testid="withdraw-yes"
                        disabled=move || busy.get()
                        on:click=move |_| on_confirm.run(())
                    >
                        {tr(|t| t.withdraw_yes)}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// The rating dialog: "Good" or "Poor" (toggle buttons setting `choice` to `like` or
/// `dislike`), an optional `comment`, and "Send rating" (enabled once one is chosen)
/// or "Cancel" (Escape cancels). Drawn while `open`; the window moves focus to "Good"
/// (`#cn-rate-good`). String signals and unit callbacks only: each new signal or
/// callback type costs the frame its own copy of the reactive machinery.
#[component]
pub fn RateDialog(
    /// `like`, `dislike` or empty.
    choice: RwSignal<String>,
    comment: RwSignal<String>,
    /// The visitor sent the rating.
    on_send: Callback<()>,
    /// The visitor cancelled.
    on_cancel: Callback<()>,
    /// The rating is being sent.
    busy: Memo<bool>,
    /// Whether the dialog is on screen (hidden, not removed, when not).
    open: Memo<bool>,
    /// The agent ended the chat: the dialog says so first.
    ended: Memo<bool>,
) -> impl IntoView {
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_cancel.run(());
        }
    };
    let pick = move |value: &'static str, id: &'static str, label: Text| {
        view! {
            <button
                type="button"
                class="cn-secondary"
                id=id
                data-testid=id
                aria-pressed=move || if choice.with(|c| c == value) { "true" } else { "false" }
                on:click=move |_| choice.set(value.to_owned())
            >
                {tr(label)}
            </button>
        }
    };
    view! {
        <div class="cn-backdrop" hidden=move || !open.get()>
            <div
                class="cn-consent"
                role="dialog"
                aria-modal="true"
                aria-labelledby="cn-rate-title"
                aria-describedby="cn-rate-ended"
                data-testid="rate-dialog"
                on:keydown=on_keydown
            >
                <p id="cn-rate-ended" hidden=move || !ended.get()>{tr(|t| t.ended)}</p>
                <h2 id="cn-rate-title" class="cn-consent-title">{tr(|t| t.rate)}</h2>
                <div class="cn-actions" role="group" aria-labelledby="cn-rate-title">
                    {pick(Rating::Like.as_str(), "cn-rate-good", |t| t.rate_good)}
                    {pick(Rating::Dislike.as_str(), "cn-rate-poor", |t| t.rate_poor)}
                </div>
                <label class="cn-field">
                    {tr(|t| t.rate_comment)}
                    <textarea
                        class="cn-text"
                        data-testid="rate-comment"
                        rows="2"
                        maxlength="1000"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <div class="cn-actions">
                    <button
                        type="button"
                        class="cn-secondary"
                        data-testid="rate-cancel"
                        on:click=move |_| on_cancel.run(())
                    >
                        {tr(|t| t.cancel)}
                    </button>
                    <button
                        type="button"
                        class="cn-primary"
                        data-testid="rate-send"
                        disabled=move || busy.get() || choice.with(String::is_empty)
                        on:click=move |_| on_send.run(())
                    >
                        {tr(|t| t.rate_send)}
                    </button>
                </div>
            </div>
        </div>
    }
}

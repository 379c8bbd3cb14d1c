//! The agent's alerts in the browser (see [`crate::alerts`] for which frames raise
//! them): while the console is not in view, a short tone and a desktop
//! notification; and the menu where the agent turns each off, the tab title's
//! count too, and lets the browser show notifications (asked on that click only).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use crate::alerts::{excerpt, storage_key, stored_value, Alert, AlertPrefs, Choice};
use crate::i18n::{tr, use_strings, Strings, Text};
use crate::session::Console;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Agent `agent_id`'s choices as this browser keeps them.
pub fn load_prefs(agent_id: u64) -> AlertPrefs {
    let storage = storage();
    AlertPrefs::read(agent_id, |key| {
        storage.as_ref()?.get_item(key).ok().flatten()
    })
}

fn save_choice(agent_id: u64, choice: Choice, on: bool) {
    if let Some(storage) = storage() {
        // Not kept (private mode, full): it holds for this visit all the same.
        let _ = storage.set_item(&storage_key(agent_id, choice), stored_value(on));
    }
}

/// Whether the agent is looking at the console now.
fn in_view() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    document.visibility_state() == web_sys::VisibilityState::Visible
        && document.has_focus().unwrap_or(false)
}

/// Raises `alerts` by `prefs`, unless the console is in view.
pub fn raise(alerts: &[Alert], prefs: AlertPrefs, strings: &'static Strings) {
    if alerts.is_empty() || in_view() {
        return;
    }
    if prefs.sound {
        tone();
    }
    if prefs.desktop && Notification::permission() == NotificationPermission::Granted {
        for alert in alerts {
            notify(alert, strings);
        }
    }
}

/// A short two-note chime, made by the browser (no sound file to fetch).
fn tone() {
    let Ok(audio) = web_sys::AudioContext::new() else {
        return;
    };
    let start = audio.current_time();
    for (at, hertz) in [(0.0, 880.0), (0.12, 1320.0)] {
        let (Ok(osc), Ok(gain)) = (audio.create_oscillator(), audio.create_gain()) else {
            return;
        };
        osc.frequency().set_value(hertz);
        gain.gain().set_value(0.08);
        let wired = osc
            .connect_with_audio_node(&gain)
            .and_then(|_| gain.connect_with_audio_node(&audio.destination()));
        if wired.is_err() {
            return;
        }
        let _ = osc.start_with_when(start + at);
        let _ = osc.stop_with_when(start + at + 0.1);
    }
    // The context closes itself once the notes are over.
    let close = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = audio.close();
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(close.unchecked_ref(), 500);
    }
}

fn notify(alert: &Alert, strings: &'static Strings) {
    let options = NotificationOptions::new();
    // One notification per conversation: a newer one replaces it.
    options.set_tag(alert.conversation_id());
    let title = match alert {
        Alert::Offer { channel, .. } => {
            options.set_body(channel);
            strings.alert_offer
        }
        Alert::Message { text, .. } => {
            options.set_body(&excerpt(text));
            strings.alert_message
        }
    };
    if let Ok(notification) = Notification::new_with_options(title, &options) {
        let focus = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.focus();
            }
        });
        notification.set_onclick(Some(focus.as_ref().unchecked_ref()));
        focus.forget();
    }
}

/// The alerts menu of the top bar: a checkbox per choice and, while the browser
/// has not been asked, the button that asks it to allow notifications.
#[component]
pub fn AlertsMenu() -> impl IntoView {
    let t = use_strings();
    let console = expect_context::<Console>();
    let prefs = console.alerts;
    let agent_id = move || {
        console
            .state
            .with_untracked(|s| s.me.as_ref().map(|me| me.id))
    };
    let permission = RwSignal::new(Notification::permission());
    let ask = move |_| {
        if let Ok(asked) = Notification::request_permission() {
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
                permission.try_set(Notification::permission());
            });
        }
    };
    let check = move |choice: Choice, test_id: &'static str, label: Text| {
        view! {
            <label class="cc-check">
                <input
                    type="checkbox"
                    data-testid=test_id
                    prop:checked=move || prefs.get().get(choice)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        prefs.update(|p| p.set(choice, on));
                        if let Some(id) = agent_id() {
                            save_choice(id, choice, on);
                        }
                    }
                />
                {tr(label)}
            </label>
        }
    };
    view! {
        <details class="cc-alerts" data-testid="alerts-menu">
            <summary class="cc-button cc-quiet">{tr(|t| t.alerts)}</summary>
            <div class="cc-alerts-panel">
                {check(Choice::Sound, "alert-sound", |t| t.alert_sound)}
                {check(Choice::Desktop, "alert-desktop", |t| t.alert_desktop)}
                {check(Choice::Title, "alert-title", |t| t.alert_title)}
                <button
                    type="button"
                    class="cc-button"
                    data-testid="alert-allow"
                    hidden=move || permission.get() != NotificationPermission::Default
                    on:click=ask
                >
                    {tr(|t| t.alert_allow)}
                </button>
                <p class="cc-muted" hidden=move || permission.get() != NotificationPermission::Denied>
                    {move || t.get().alert_blocked}
                </p>
            </div>
        </details>
    }
}

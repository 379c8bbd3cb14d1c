//! The sign-in form.

use canal_protocol::agent::{AgentProfile, LoginRequest};
use leptos::{ev::SubmitEvent, html, prelude::*, task::spawn_local};

use super::LanguagePicker;
use crate::{
    api,
    i18n::{tr, use_strings, Strings, Text},
};

/// What makes the first admin on the server (the same in every language).
pub const FIRST_ADMIN_COMMAND: &str =
    r#"canal admin create --email you@example.com --name "Your Name""#;

/// Email and password, sent to `POST /api/v1/agent/login`. On success the server
/// sets the HttpOnly session cookie and `on_signed_in` gets the profile; on
/// failure the reason is shown (and announced) under the fields, the password is
/// cleared and focused. Nothing is stored by the console itself (but the language
/// picked on the form, see [`LanguagePicker`]).
///
/// On a Canal with no accounts yet (`GET /api/v1/agent/setup`), a notice
/// (`data-testid="setup-hint"`) says how to make the first admin on the server.
#[component]
pub fn Login(
    /// The server accepted the credentials.
    on_signed_in: Callback<AgentProfile>,
    /// Why the form is shown, when it is not the first visit (e.g. the session ended).
    notice: Option<Text>,
) -> impl IntoView {
    let t = use_strings();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(notice);
    let password_ref = NodeRef::<html::Input>::new();
    let email_ref = NodeRef::<html::Input>::new();
    // Shown only when the server says so; any failure leaves it hidden.
    let no_accounts = RwSignal::new(false);
    spawn_local(async move {
        let result = api::setup().await;
        if no_accounts.is_disposed() {
            return;
        }
        if let Ok(state) = result {
            no_accounts.set(!state.has_accounts);
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        if request.email.is_empty() || request.password.is_empty() {
            error.set(Some(|t| t.err_login_invalid));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::login(&request).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match result {
                Ok(me) => on_signed_in.run(me),
                Err(failure) => {
                    error.set(Some(Strings::login_error(&failure)));
                    password.set(String::new());
                    if let Some(input) = password_ref.try_get_untracked().flatten() {
                        let _ = input.focus();
                    }
                }
            }
        });
    };
    request_animation_frame(move || {
        if let Some(input) = email_ref.try_get_untracked().flatten() {
            let _ = input.focus();
        }
    });
    let invalid = move || error.with(Option::is_some).to_string();
    Effect::new(move |_| document().set_title(t.get().app_name));

    view! {
        <main class="cc-login">
            <form class="cc-login-card" on:submit=on_submit novalidate aria-labelledby="cc-login-title">
                <div class="cc-login-head">
                    <p class="cc-brand cc-login-brand">"Canal"</p>
                    <LanguagePicker />
                </div>
                <h1 id="cc-login-title" class="cc-login-title">{tr(|t| t.sign_in_title)}</h1>
                <p class="cc-login-lead">{tr(|t| t.sign_in_lead)}</p>
                <section
                    class="cc-setup-hint"
                    role="note"
                    hidden=move || !no_accounts.get()
                    aria-labelledby="cc-setup-hint-title"
                    data-testid="setup-hint"
                >
                    <h2 id="cc-setup-hint-title" class="cc-setup-hint-title">{tr(|t| t.setup_hint_title)}</h2>
                    <p>{tr(|t| t.setup_hint_run)}</p>
                    <pre class="cc-command"><code>{FIRST_ADMIN_COMMAND}</code></pre>
                    <p>{tr(|t| t.setup_hint_then)}</p>
                </section>
                <label class="cc-field-label" for="cc-login-email">{tr(|t| t.email)}</label>
                <input
                    id="cc-login-email"
                    class="cc-input"
                    type="email"
                    name="email"
                    autocomplete="username"
                    required
                    data-testid="login-email"
                    aria-invalid=invalid
                    aria-describedby="cc-login-error"
                    bind:value=email
                    node_ref=email_ref
                />
                <label class="cc-field-label" for="cc-login-password">{tr(|t| t.password)}</label>
                <input
                    id="cc-login-password"
                    class="cc-input"
                    type="password"
                    name="password"
                    autocomplete="current-password"
                    required
                    data-testid="login-password"
                    aria-invalid=invalid
                    aria-describedby="cc-login-error"
                    bind:value=password
                    node_ref=password_ref
                />
                <p id="cc-login-error" class="cc-login-error" role="alert" data-testid="login-error">
                    {move || error.get().map(|text| text(t.get()))}
                </p>
                <button
                    type="submit"
                    class="cc-button cc-primary cc-login-submit"
                    data-testid="login-submit"
                    disabled=busy
                >
                    {move || if busy.get() { t.get().signing_in } else { t.get().sign_in }}
                </button>
            </form>
        </main>
    }
}

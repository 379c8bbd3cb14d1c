//! The console's root: picks the language, asks the server who is signed in, then
//! shows the sign-in form or the workspace.

use canal_protocol::agent::AgentProfile;
use leptos::{prelude::*, task::spawn_local};

use super::{AdminPages, Login, Workspace, ADMIN_PAGES};
use crate::{
    api::{self, ApiError},
    i18n::{self, Text},
};

/// Who is at the keyboard, as far as the console knows.
#[derive(Debug, Clone)]
enum Auth {
    /// Asking `/me` whether the session cookie is still good.
    Checking,
    /// Show the sign-in form, with a sentence saying why when there is one.
    SignedOut(Option<Text>),
    SignedIn(AgentProfile),
}

/// Provides the language (the agent's stored choice, else the browser's; see
/// [`i18n::initial`]) and keeps `<html lang>` in step with it, checks the session
/// cookie with `GET /api/v1/agent/me` (so a valid session skips the form), then
/// shows [`Login`] or [`Workspace`]. Signing in, signing out and a session that
/// ends while the console is open move between the two.
///
/// The sign-in state is a signal rather than a `LocalResource`: it changes on
/// sign-in, sign-out and expiry, not only when the page loads.
/// The full console (`/console/admin/`): the agents' console with the admin pages
/// ([`ADMIN_PAGES`]) in place.
#[component]
pub fn App() -> impl IntoView {
    root(Some(ADMIN_PAGES))
}

/// The agents' console (`/console/`): what every agent loads; its admin tabs link
/// to the full console.
#[component]
pub fn AgentApp() -> impl IntoView {
    root(None)
}

fn root(admin: Option<AdminPages>) -> impl IntoView {
    let strings = RwSignal::new(i18n::initial());
    i18n::provide_language(strings);
    Effect::new(move |_| i18n::set_document_language(strings.get()));
    let auth = RwSignal::new(Auth::Checking);
    spawn_local(async move {
        let checked = match api::me().await {
            Ok(me) => Auth::SignedIn(me),
            Err(ApiError::Network) => Auth::SignedOut(Some(|t| t.err_network)),
            Err(_) => Auth::SignedOut(None),
        };
        auth.try_set(checked);
    });
    let on_signed_in = Callback::new(move |me: AgentProfile| auth.set(Auth::SignedIn(me)));
    let on_signed_out = Callback::new(move |why: Option<Text>| auth.set(Auth::SignedOut(why)));

    move || match auth.get() {
        Auth::Checking => view! {
            <p class="cc-splash" role="status">{i18n::tr(|t| t.loading)}</p>
        }
        .into_any(),
        Auth::SignedOut(why) => view! {
            <Login on_signed_in=on_signed_in notice=why />
        }
        .into_any(),
        Auth::SignedIn(me) => view! {
            <Workspace me=me on_signed_out=on_signed_out admin=admin />
        }
        .into_any(),
    }
}

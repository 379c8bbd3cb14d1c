//! The console's root: asks the server who is signed in, then shows the sign-in
//! form or the workspace.

use canal_protocol::agent::AgentProfile;
use leptos::{prelude::*, task::spawn_local};

use super::{Login, Workspace};
use crate::{
    api::{self, ApiError},
    i18n::{self, Strings},
};

/// Who is at the keyboard, as far as the console knows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    /// Asking `/me` whether the session cookie is still good.
    Checking,
    /// Show the sign-in form, with a sentence saying why when there is one.
    SignedOut(Option<&'static str>),
    SignedIn(AgentProfile),
}

/// Provides the UI texts, checks the session cookie with `GET /api/v1/agent/me`
/// (so a valid session skips the form), then shows [`Login`] or [`Workspace`].
/// Signing in, signing out and a session that ends while the console is open move
/// between the two.
///
/// The sign-in state is a signal rather than a `LocalResource`: it changes on
/// sign-in, sign-out and expiry, not only when the page loads.
#[component]
pub fn App() -> impl IntoView {
    let t: &'static Strings = &i18n::EN;
    provide_context(t);
    let auth = RwSignal::new(Auth::Checking);
    spawn_local(async move {
        let checked = match api::me().await {
            Ok(me) => Auth::SignedIn(me),
            Err(ApiError::Network) => Auth::SignedOut(Some(t.err_network)),
            Err(_) => Auth::SignedOut(None),
        };
        auth.try_set(checked);
    });
    let on_signed_in = Callback::new(move |me: AgentProfile| auth.set(Auth::SignedIn(me)));
    let on_signed_out =
        Callback::new(move |why: Option<&'static str>| auth.set(Auth::SignedOut(why)));

    move || match auth.get() {
        Auth::Checking => view! {
            <p class="cc-splash" role="status">{t.loading}</p>
        }
        .into_any(),
        Auth::SignedOut(why) => view! {
            <Login on_signed_in=on_signed_in notice=why />
        }
        .into_any(),
        Auth::SignedIn(me) => view! {
            <Workspace me=me on_signed_out=on_signed_out />
        }
        .into_any(),
    }
}

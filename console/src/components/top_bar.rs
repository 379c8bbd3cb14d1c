//! The header: who is signed in, the socket's state, availability, sign-out.

use canal_protocol::agent::Status;
use leptos::{either::Either, prelude::*};

use super::{AlertsMenu, LanguagePicker, Page};
use crate::{
    i18n::{tr, use_strings, Text},
    session::{Console, Link},
    state::status_str,
};

/// Brand, connection state (`connecting…`, `connected`, `reconnecting…` with a
/// button to try at once), the availability switch (online/away, as the server
/// confirmed it), the agent's name and role, the [`LanguagePicker`] and the
/// sign-out button, and tabs to switch between the conversations and the
/// conversation list, and for admins the settings (in the agents' console, the last
/// two are links to the full console, which has them).
#[component]
pub fn TopBar(
    /// The agent asked to sign out.
    on_sign_out: Callback<()>,
    /// Why signing out did not work, if it did not.
    #[prop(into)]
    sign_out_error: Signal<Option<Text>>,
    /// What the workspace shows.
    page: RwSignal<Page>,
    /// The signed-in agent is an admin (and so sees the settings' tab).
    #[prop(into)]
    is_admin: Signal<bool>,
    /// This build shows the log and settings in place (the full console); the
    /// agents' console links to the full one for them instead.
    in_place: bool,
) -> impl IntoView {
    let t = use_strings();
    let console = expect_context::<Console>();
    let status = Memo::new(move |_| console.state.with(|s| s.status));
    let me = Memo::new(move |_| {
        console
            .state
            .with(|s| s.me.as_ref().map(|me| (me.name.clone(), me.role)))
    });
    let link = console.link;
    let link_text = move || {
        let t = t.get();
        match link.get() {
            Link::Connecting => t.connecting,
            Link::Live => t.connected,
            Link::Reconnecting => t.reconnecting,
        }
    };
    let toggle = move |_| {
        let next = match status.get_untracked() {
            Status::Online => Status::Away,
            Status::Away | Status::Offline => Status::Online,
        };
        console.set_status(next);
    };

    view! {
        <header class="cc-top">
            <span class="cc-brand">"Canal"</span>
            <span
                class="cc-link"
                data-testid="connection-state"
                data-state=move || link.get().as_str()
                role="status"
            >
                <span class="cc-dot" aria-hidden="true"></span>
                {link_text}
            </span>
            <button
                type="button"
                class="cc-button cc-quiet"
                data-testid="reconnect"
                hidden=move || link.get() != Link::Reconnecting
                on:click=move |_| console.connect()
            >
                {tr(|t| t.retry_now)}
            </button>
            {move || {
                Some(is_admin.get())
                    .map(|is_admin| {
                        let current = move |which: Page| {
                            (page.get() == which).then_some("page")
                        };
                        // A tab: a button in place, or (the agents' console, for
                        // an admin's pages) a link to the same page of the full
                        // console. The agents' console draws the chat, and the list
                        // for an agent who is not an admin (an admin's has the
                        // full console's filters and bans).
                        let tab = move |which: Page, test_id: &'static str, text: Text| {
                            if in_place || which == Page::Chat || (which == Page::Log && !is_admin) {
                                Either::Left(view! {
                                    <button
                                        type="button"
                                        class="cc-tab"
                                        data-testid=test_id
                                        aria-current=move || current(which)
                                        on:click=move |_| page.set(which)
                                    >
                                        {tr(text)}
                                    </button>
                                })
                            } else {
                                Either::Right(view! {
                                    <a class="cc-tab" data-testid=test_id href=which.full_console_url()>
                                        {tr(text)}
                                    </a>
                                })
                            }
                        };
                        view! {
                            <nav class="cc-tabs" aria-label=tr(|t| t.views)>
                                {tab(Page::Chat, "chat-link", |t| t.conversations)}
                                {tab(Page::Log, "log-link", |t| t.message_log)}
                                {is_admin.then(|| tab(Page::Settings, "settings-link", |t| t.settings))}
                                {is_admin.then(|| tab(Page::Reports, "reports-link", |t| t.reports))}
                            </nav>
                        }
                    })
            }}
            <span class="cc-top-space"></span>
            <p class="cc-top-error" role="alert">
                {move || sign_out_error.get().map(|text| text(t.get()))}
            </p>
            <button
                type="button"
                class="cc-status"
                role="switch"
                data-testid="status-toggle"
                data-status=move || status_str(status.get())
                aria-checked=move || (status.get() == Status::Online).to_string()
                aria-label=tr(|t| t.status_label)
                title=tr(|t| t.status_label)
                disabled=move || !console.live()
                on:click=toggle
            >
                <span class="cc-dot" aria-hidden="true"></span>
                {move || t.get().status(status.get())}
            </button>
            <span class="cc-me" data-testid="agent-name">
                {move || me.get().map(|(name, _)| name)}
                <small class="cc-role">{move || me.get().map(|(_, role)| t.get().role(role))}</small>
            </span>
            <AlertsMenu />
            <LanguagePicker />
            <button
                type="button"
                class="cc-button cc-quiet"
                data-testid="logout"
                on:click=move |_| on_sign_out.run(())
            >
                {tr(|t| t.sign_out)}
            </button>
        </header>
    }
}

//! Everything behind the sign-in: header, notice, inbox and conversation, the
//! conversation list (every agent, in both consoles), and, in the full console,
//! settings and reports (admins).

use canal_protocol::agent::{AgentProfile, Role};
use leptos::{prelude::*, task::spawn_local};

use super::log::{LogAdmin, LOG_ADMIN};
use super::{
    ConversationPane, Inbox, MessageLog, Notice, OverdueNotices, Reports, Settings, TopBar,
};
use crate::{
    api,
    i18n::{use_strings, Text},
    session::Console,
};

/// What the workspace shows under the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Page {
    /// Inbox and conversation: the default.
    #[default]
    Chat,
    /// The conversation list: what the agent may see (every channel's for
    /// admins), searched and filtered, read-only but for labels.
    Log,
    /// Agents and channels (admins only).
    Settings,
    /// Response-time figures, the agents' chart, exports (admins only).
    Reports,
}

/// Where the full console is served: the agents' console links there for the
/// admin pages.
pub const FULL_CONSOLE: &str = "/console/admin/";

impl Page {
    /// The page a URL fragment names (`#log`, `#settings`); the chat otherwise.
    pub fn from_fragment(fragment: &str) -> Self {
        match fragment.trim_start_matches('#') {
            "log" => Self::Log,
            "settings" => Self::Settings,
            "reports" => Self::Reports,
            _ => Self::Chat,
        }
    }

    /// This page in the full console.
    pub fn full_console_url(self) -> String {
        let fragment = match self {
            Self::Chat => "",
            Self::Log => "#log",
            Self::Settings => "#settings",
            Self::Reports => "#reports",
        };
        format!("{FULL_CONSOLE}{fragment}")
    }
}

/// What the full console's build draws besides the agents' console: the admin
/// pages in place ([`admin_pages`]) and the list's admin parts ([`LogAdmin`]).
/// Only that build carries it ([`ADMIN_PAGES`], passed by [`crate::mount_admin`]);
/// the agents' console has none, so that code is not in its wasm at all.
#[derive(Clone, Copy)]
pub struct AdminPages {
    /// Draws an admin page in place.
    pub page: fn(Page) -> AnyView,
    /// The list's admin parts.
    pub log: LogAdmin,
}

/// The full console's [`AdminPages`].
pub const ADMIN_PAGES: AdminPages = AdminPages {
    page: admin_pages,
    log: LOG_ADMIN,
};

/// The full console's admin pages: the [`Settings`] and the [`Reports`] (the
/// [`MessageLog`] is every console's, drawn by the [`Workspace`]).
pub fn admin_pages(page: Page) -> AnyView {
    match page {
        Page::Chat | Page::Log => ().into_any(),
        Page::Settings => view! { <Settings /> }.into_any(),
        Page::Reports => view! { <Reports /> }.into_any(),
    }
}

/// Starts the [`Console`] session for `me` (the agent socket) and provides it to
/// the components inside: [`TopBar`], [`Notice`], [`Inbox`], [`ConversationPane`].
/// The page title counts the offers waiting for this agent, so a background tab
/// shows them. Every agent can switch to the [`MessageLog`]; in the full console,
/// admins also to the [`Settings`] and the [`Reports`]; the chat stays mounted (and
/// live) behind them, so drafts and the open conversation are kept. The agents'
/// console links to the full one for the admins' pages.
#[component]
pub fn Workspace(
    /// The signed-in agent.
    me: AgentProfile,
    /// Signed out (by the button, or because the session ended), with the reason
    /// the sign-in form shows.
    on_signed_out: Callback<Option<Text>>,
    /// The admin pages this build draws in place, if any.
    admin: Option<AdminPages>,
) -> impl IntoView {
    let t = use_strings();
    let console = Console::new(
        me,
        Callback::new(move |()| on_signed_out.run(Some(|t| t.err_session_over))),
    );
    provide_context(console);

    // The full console opens on the page its link named (`#log`, `#settings`).
    let first = match admin {
        Some(_) => Page::from_fragment(&window().location().hash().unwrap_or_default()),
        None => Page::Chat,
    };
    let page = RwSignal::new(first);
    let is_admin = Memo::new(move |_| {
        console
            .state
            .with(|s| s.me.as_ref().is_some_and(|me| me.role == Role::Admin))
    });
    // The server's word on the role wins: a demoted admin is back in the chat.
    // Every agent has the conversation list; only admins the settings.
    let shown = Memo::new(move |_| match page.get() {
        Page::Settings if !is_admin.get() => Page::Chat,
        other => other,
    });

    // The tab says how many offers and unread messages wait (unless the agent
    // turned that off).
    let waiting = Memo::new(move |_| {
        console
            .state
            .with(|s| (s.offered_count(), s.unread_count()))
    });
    Effect::new(move |_| {
        let (offered, unread) = waiting.get();
        let title = crate::alerts::title(t.get().app_name, offered, unread, console.alerts.get());
        document().set_title(&title);
    });
    on_cleanup(move || {
        if let Some(t) = t.try_get_untracked() {
            document().set_title(t.app_name);
        }
    });

    let sign_out_error = RwSignal::new(None::<Text>);
    let signing_out = RwSignal::new(false);
    let on_sign_out = Callback::new(move |()| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        sign_out_error.set(None);
        spawn_local(async move {
            let result = api::logout().await;
            if signing_out.is_disposed() {
                return;
            }
            signing_out.set(false);
            match result {
                Ok(()) => on_signed_out.run(None),
                Err(error) if error.is_unauthorized() => on_signed_out.run(None),
                Err(_) => sign_out_error.set(Some(|t| t.err_sign_out)),
            }
        });
    });

    view! {
        <div class="cc-app">
            <TopBar
                on_sign_out=on_sign_out
                sign_out_error=sign_out_error
                page=page
                is_admin=is_admin
                in_place=admin.is_some()
            />
            <Notice />
            <OverdueNotices />
            <div class="cc-body" hidden=move || shown.get() != Page::Chat>
                <Inbox />
                <ConversationPane />
            </div>
            {move || (shown.get() == Page::Log).then(|| view! { <MessageLog admin=admin.map(|a| a.log) /> })}
            {move || admin.map(|a| (a.page)(shown.get()))}
        </div>
    }
}

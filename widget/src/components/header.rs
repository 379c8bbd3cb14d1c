//! The window's title bar.

use leptos::prelude::*;

use super::Menu;
use crate::{chat::Agent, i18n::tr};

/// The menu's items, each with whether it shows: rate (when there is a
/// conversation to rate), e-mail the transcript (when the server sends mail and
/// there is a conversation), withdraw (when there is a consent to withdraw).
pub type MenuActions = (
    Callback<()>,
    Memo<bool>,
    Callback<()>,
    Memo<bool>,
    Callback<()>,
    Memo<bool>,
);

/// Title bar with the channel's title, the agent the visitor talks to (name and
/// avatar, once an agent with a name has written), the [`Menu`] (while there is a
/// conversation to rate or a consent to withdraw), and the close button.
#[component]
pub fn Header(
    /// The channel's title.
    #[prop(into)]
    title: String,
    /// The visitor closed the window.
    on_close: Callback<()>,
    /// Name and avatar URL of the most recent named agent.
    #[prop(optional)]
    agent: Option<Memo<Option<Agent>>>,
    /// The menu: rate, e-mail the transcript and withdraw, each with whether it
    /// shows.
    #[prop(optional)]
    menu: Option<MenuActions>,
) -> impl IntoView {
    let close = tr(|t| t.close);
    view! {
        <header class="cn-head">
            <div class="cn-heading">
                <h1 id="cn-title" class="cn-title" data-testid="title">{title}</h1>
                {move || agent.and_then(|agent| agent.get()).map(|agent| view! {
                    <p class="cn-agent" data-testid="agent">
                        {agent.avatar.map(|src| view! { <Avatar src=src /> })}
                        {agent.name}
                    </p>
                })}
            </div>
            {menu.map(|(on_rate, can_rate, on_mail, can_mail, on_withdraw, can_withdraw)| view! {
                <Menu
                    on_rate=on_rate
                    can_rate=can_rate
                    on_mail=on_mail
                    can_mail=can_mail
                    on_withdraw=on_withdraw
                    can_withdraw=can_withdraw
                />
            })}
            <button
                type="button"
                class="cn-icon"
                data-testid="close"
                aria-label=close
                title=close
                on:click=move |_| on_close.run(())
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
            </button>
        </header>
    }
}

/// An agent's picture: a small circle, decorative (the name is next to it), loaded
/// without telling the image host which page the visitor is on.
#[component]
pub fn Avatar(
    /// An http(s) or same-origin URL (see [`crate::chat::is_avatar_url`]).
    src: String,
) -> impl IntoView {
    view! {
        <img
            class="cn-avatar"
            data-testid="avatar"
            src=src
            alt=""
            width="20"
            height="20"
            referrerpolicy="no-referrer"
        />
    }
}

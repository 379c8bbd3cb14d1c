//! The overdue KPI notices of the signed-in employee: the stored list, then each
//! new one live from the socket.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    i18n::{tr, use_locale},
    session::Console,
};

/// The notice's text with the conversation id, wherever the template put it, as
/// pieces: (text, is the id).
pub fn pieces(text: &str, id: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    if id.is_empty() {
        out.push((text.to_owned(), false));
        return out;
    }
    let mut rest = text;
    while let Some(at) = rest.find(id) {
        if at > 0 {
            out.push((rest[..at].to_owned(), false));
        }
        out.push((id.to_owned(), true));
        rest = &rest[at + id.len()..];
    }
    if !rest.is_empty() {
        out.push((rest.to_owned(), false));
    }
    out
}

/// The panel (`data-testid="overdue-notices"`, hidden while there are none): the
/// employee's notices, newest first, each (`data-testid="overdue-notice"`) with
/// its conversation's id as a button that opens the conversation
/// (`data-testid="overdue-open"`). The count of new ones shows until the panel
/// is opened.
#[component]
pub fn OverdueNotices() -> impl IntoView {
    let console = expect_context::<Console>();
    let locale = use_locale();
    spawn_local(async move {
        if let Ok(list) = api::overdue_notices().await {
            console.state.try_update(|s| s.overdue_listed(list.notices));
        }
    });
    let notices = Memo::new(move |_| console.state.with(|s| s.overdue.clone()));
    let unseen = Memo::new(move |_| console.state.with(|s| s.overdue_unseen));
    let on_toggle = move |_| {
        console.state.update(|s| s.overdue_unseen = 0);
    };
    view! {
        <details
            class="cc-overdue"
            data-testid="overdue-notices"
            hidden=move || notices.with(Vec::is_empty)
            on:toggle=on_toggle
        >
            <summary class="cc-overdue-title">
                {tr(|t| t.overdue_title)}
                " "
                <span class="cc-count" data-testid="overdue-count" hidden=move || unseen.get() == 0>
                    {move || unseen.get()}
                </span>
            </summary>
            <ul class="cc-overdue-list">
                <For
                    each=move || notices.get()
                    key=|n| n.id
                    children=move |n| {
                        let id = n.conversation_id.clone();
                        let parts = pieces(&n.text, &id)
                            .into_iter()
                            .map(|(text, is_id)| {
                                if is_id {
                                    let id = id.clone();
                                    leptos::either::Either::Left(view! {
                                        <button
                                            type="button"
                                            class="cc-link-button"
                                            data-testid="overdue-open"
                                            on:click=move |_| console.open(&id)
                                        >
                                            {text}
                                        </button>
                                    })
                                } else {
                                    leptos::either::Either::Right(view! { <span>{text}</span> })
                                }
                            })
                            .collect_view();
                        let created = n.created_at.clone();
                        view! {
                            <li class="cc-overdue-item" data-testid="overdue-notice" data-conversation-id=n.conversation_id.clone()>
                                <time class="cc-muted" datetime=n.created_at.clone()>
                                    {move || crate::time::local_date_time(&created, &locale())}
                                </time>
                                " "
                                {parts}
                            </li>
                        }
                    }
                />
            </ul>
        </details>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_cut_out_wherever_it_is() {
        assert_eq!(
            pieces("Ana is late on c1 (c1).", "c1"),
            vec![
                ("Ana is late on ".to_owned(), false),
                ("c1".to_owned(), true),
                (" (".to_owned(), false),
                ("c1".to_owned(), true),
                (").".to_owned(), false),
            ]
        );
        assert_eq!(pieces("No id", "c1"), vec![("No id".to_owned(), false)]);
    }
}

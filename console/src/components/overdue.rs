//! The overdue KPI notices of the signed-in employee: the stored list, then each
//! new one live from the socket.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    i18n::{tr, use_locale, use_strings, Strings},
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

/// A notice's text as the console shows it: in Canal's default words (when the
/// server says it used them, naming `operator`) in the console's language;
/// otherwise the channel's own `text`.
pub fn shown_text(t: &Strings, text: &str, operator: Option<&str>, id: &str) -> String {
    match operator {
        Some(name) => {
            let name = if name.is_empty() { t.nobody } else { name };
            t.overdue_default
                .replace("#OPERATOR#", name)
                .replace("#DIALOG#", id)
        }
        None => text.to_owned(),
    }
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
    let strings = use_strings();
    spawn_local(async move {
        if let Ok(list) = api::overdue_notices().await {
            console.state.try_update(|s| s.overdue_listed(list.notices));
        }
    });
    let notices = Memo::new(move |_| console.state.with(|s| s.overdue.clone()));
    let unseen = Memo::new(move |_| console.state.with(|s| s.overdue_unread()));
    // Opened: what it shows is read, here and on the server (kept for the next
    // visit; a failed call leaves them unread there, to be shown again).
    let on_toggle = move |_| {
        if let Some(up_to) = console.state.try_update(|s| s.read_overdue()).flatten() {
            spawn_local(async move {
                let _ = api::read_overdue_notices(up_to).await;
            });
        }
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
                        let (own, operator) = (n.text.clone(), n.default_operator.clone());
                        // Canal's default words in the console's language (as it
                        // switches); a channel's own text as its admin wrote it.
                        let parts = move || {
                            let text = shown_text(strings.get(), &own, operator.as_deref(), &id);
                            pieces(&text, &id)
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
                                .collect_view()
                        };
                        let created = n.created_at.clone();
                        view! {
                            <li
                                class="cc-overdue-item"
                                data-testid="overdue-notice"
                                data-conversation-id=n.conversation_id.clone()
                                data-read=n.read.to_string()
                            >
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

    #[test]
    fn canal_s_own_words_come_in_the_console_s_language_and_a_channel_s_as_written() {
        use crate::i18n::{EN, ES, RU};
        let english = "Ana has not answered conversation c1 in time.";
        assert_eq!(shown_text(&EN, english, Some("Ana"), "c1"), english);
        assert_eq!(
            shown_text(&ES, english, Some("Ana"), "c1"),
            "Ana no ha respondido a tiempo en la conversación c1."
        );
        assert_eq!(
            shown_text(&RU, english, Some(""), "c1"),
            "Никто не ответил(а) вовремя в диалоге c1."
        );
        assert_eq!(
            shown_text(&ES, "Ana tarda en c1", None, "c1"),
            "Ana tarda en c1"
        );
    }
}

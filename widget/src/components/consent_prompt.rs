//! The agreement the visitor accepts or declines before the first message.

use canal_protocol::admin::{Behaviour, TextFormat};
use canal_protocol::AgreementView;
use leptos::{ev::KeyboardEvent, html, prelude::*};

use crate::i18n::tr;

/// A modal dialog with the agreement's title, its text (scrollable; plain text as
/// text, HTML as the server's allow-list cleaned it on save), a link to the full
/// text, and two buttons: accept (labelled by the agreement) and decline. Escape
/// declines. With the `required_read_full_text` behaviour, accept stays disabled
/// until the full text has been opened.
/// The window moves focus to the text when it opens, so it can be read and scrolled
/// by keyboard.
#[component]
pub fn ConsentPrompt(
    /// The agreement version to show; its `version_id` is what gets recorded.
    agreement: AgreementView,
    /// The visitor accepted.
    on_accept: Callback<()>,
    /// The visitor declined (button or Escape).
    on_decline: Callback<()>,
    /// The agreement text, so the window can move focus to it when the prompt opens.
    #[prop(optional)]
    text_ref: NodeRef<html::Div>,
) -> impl IntoView {
    let must_open = agreement.behaviour == Behaviour::RequiredReadFullText;
    let (opened, set_opened) = signal(false);
    let blocked = move || must_open && !opened.get();
    // One element for both formats (a second view branch costs ~1 KB of the frame):
    // plain text is escaped here, HTML was cleaned by the server's allow-list.
    let markup = match agreement.text_format {
        TextFormat::Html => agreement.text,
        TextFormat::Plain => escape(&agreement.text),
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_decline.run(());
        }
    };
    view! {
        <div class="cn-backdrop">
            <div
                class="cn-consent"
                role="dialog"
                aria-modal="true"
                aria-labelledby="cn-consent-title"
                data-testid="consent-prompt"
                on:keydown=on_keydown
            >
                <h2 id="cn-consent-title" class="cn-consent-title">{agreement.title}</h2>
                <div
                    class="cn-consent-text"
                    data-testid="consent-text"
                    role="region"
                    aria-labelledby="cn-consent-title"
                    tabindex="0"
                    node_ref=text_ref
                    inner_html=markup
                ></div>
                <FullTextLink
                    path=agreement.full_text_path
                    on_open=Callback::new(move |()| set_opened.set(true))
                    test_id="consent-full-text"
                    described_by="cn-consent-title".to_owned()
                />
                <p class="cn-hint" id="cn-read-first" hidden=move || !blocked()>
                    {tr(|t| t.read_first)}
                </p>
                <div class="cn-actions">
                    <button
                        type="button"
                        class="cn-secondary"
                        data-testid="consent-decline"
                        on:click=move |_| on_decline.run(())
                    >
                        {tr(|t| t.decline)}
                    </button>
                    <button
                        type="button"
                        class="cn-primary"
                        data-testid="consent-accept"
                        aria-describedby="cn-read-first"
                        disabled=blocked
                        on:click=move |_| on_accept.run(())
                    >
                        {agreement.label}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// The link to an agreement version's full text on the Canal server
/// (`full_text_path`, same origin as the frame), opened in a new tab without telling
/// it where the visitor came from. Used by the consent prompt and the contact form.
#[component]
pub fn FullTextLink(
    /// `AgreementView::full_text_path`.
    path: String,
    /// The visitor opened it (click, or Enter on the link).
    on_open: Callback<()>,
    /// Its `data-testid`.
    test_id: &'static str,
    /// Id of the element naming the agreement (several links may be side by side).
    described_by: String,
) -> impl IntoView {
    view! {
        <a
            class="cn-full-text"
            data-testid=test_id
            href=path
            target="_blank"
            rel="noopener noreferrer"
            aria-describedby=described_by
            on:click=move |_| on_open.run(())
        >
            {tr(|t| t.read_full)}
        </a>
    }
}

/// Plain text as HTML that shows exactly that text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

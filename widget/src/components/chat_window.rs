//! The chat window: everything the visitor sees once the channel is known.

use std::time::Duration;

use canal_protocol::{ChannelConfig, VisitorUser};
use leptos::{ev::KeyboardEvent, html, prelude::*};

use super::{
    focus_later, wrap_focus, Composer, ConsentPrompt, ContactForm, Header, MailForm, MessageList,
    RateDialog, WithdrawConfirm,
};
use crate::{
    api,
    chat::Transcript,
    host::{HostPage, ToHost},
    i18n::{self, tr, Text},
    session::ChatSession,
    state::{Input, Panel, Phase, Say, State},
};
use canal_protocol::rating::Rating;

/// Header (with the menu to rate, ask for the transcript by e-mail and withdraw
/// consent), greeting and messages, the contact form or the e-mail panel when
/// open, status lines, the composer, and the consent prompt when the
/// first message needs one, or the withdrawal's confirm step. Draws in the language
/// the enclosing [`super::App`] provides (mounted alone: the channel's). Escape
/// closes the window.
#[component]
pub fn ChatWindow(
    /// The channel key from the frame URL.
    #[prop(into)]
    channel: String,
    /// The channel's public configuration.
    config: ChannelConfig,
    /// The host page from the loader's `INIT`, once it arrived.
    page: ReadSignal<Option<HostPage>>,
    /// The visitor closed the window.
    on_close: Callback<()>,
    /// Hears what the host page is to be told: new messages, the recorded consent.
    #[prop(optional)]
    on_host: Option<Callback<ToHost>>,
    /// The host page's `Canal.setUser`, sent once a visitor token is held.
    #[prop(optional)]
    user: Option<ReadSignal<Option<VisitorUser>>>,
) -> impl IntoView {
    if !i18n::has_language() {
        i18n::provide_language(RwSignal::new(i18n::pick(config.locale.as_deref())));
    }
    let strings = i18n::use_strings();
    let chat = ChatSession::new(channel, &config, page, on_host, user);
    let state = chat.state;
    // One memo type for every flag and one for every text the components read.
    let flag = move |f: fn(&State) -> bool| Memo::new(move |_| state.with(f));
    let say = move |f: fn(&State) -> Option<Say>| {
        Memo::new(move |_| state.with(f).map(Say::text) as Option<Text>)
    };
    let show = move |panel: Panel, open: bool| chat.dispatch(Input::Show(panel, open));
    let prompt_open = flag(|s| s.prompt_open);
    let confirm_open = flag(|s| s.confirm_open);
    let rate_open = flag(|s| s.rate_open);
    let form_open = flag(|s| s.form_open);
    let active = flag(State::active);
    // The rating and the address as the visitor types them; read when sent.
    let rate_choice = RwSignal::new(String::new());
    let rate_comment = RwSignal::new(String::new());
    let mail_draft = RwSignal::new(String::new());

    // After the prompt closes, once the window is no longer inert.
    let focus_input = move || focus_later("cn-input");
    // Opened: the visitor can type at once.
    focus_input();
    let consent_text = NodeRef::<html::Div>::new();
    let on_send = Callback::new(move |()| {
        chat.dispatch(Input::Submit {
            text: chat.draft.get_untracked(),
            client_id: api::random_id(),
        });
        if prompt_open.get_untracked() {
            // The prompt is drawn before the next frame.
            request_animation_frame(move || {
                if let Some(text) = consent_text.get_untracked() {
                    let _ = text.focus();
                }
            });
        }
    });
    let on_accept = Callback::new(move |()| {
        chat.dispatch(Input::Accept {
            request_id: api::random_id(),
        });
        focus_input();
    });
    let on_decline = Callback::new(move |()| {
        chat.dispatch(Input::Decline);
        focus_input();
    });
    let open_form = move |_| {
        show(Panel::Form, true);
        focus_later("cn-form");
    };
    let on_form_submit = Callback::new(move |(details, checks, request_id)| {
        chat.dispatch(Input::SendForm {
            details,
            checks,
            request_id,
        });
    });
    let on_form_close = Callback::new(move |()| {
        show(Panel::Form, false);
        focus_input();
    });
    let on_withdraw = Callback::new(move |()| {
        show(Panel::Confirm, true);
        focus_later("cn-withdraw-cancel");
    });
    let on_withdraw_confirm = Callback::new(move |()| chat.dispatch(Input::Withdraw));
    let on_rate = Callback::new(move |()| {
        show(Panel::Rate, true);
        focus_later("cn-rate-good");
    });
    let on_rate_send = Callback::new(move |()| {
        if let Some(rating) = rate_choice.with_untracked(|c| Rating::parse(c)) {
            chat.dispatch(Input::Rate {
                rating,
                comment: rate_comment.get_untracked(),
            });
        }
    });
    let on_rate_cancel = Callback::new(move |()| {
        show(Panel::Rate, false);
        focus_input();
    });
    let has_chat = flag(|s| s.active() && s.transcript.last_seq() > 0);
    // Only on a channel that asks for ratings.
    let can_rate = Memo::new(move |_| state.with(|s| s.asks_rating) && has_chat.get());
    let on_mail = Callback::new(move |()| {
        show(Panel::Mail, true);
        focus_later("cn-mail-input");
    });
    let on_mail_send =
        Callback::new(move |()| chat.dispatch(Input::Mail(mail_draft.get_untracked())));
    let on_mail_cancel = Callback::new(move |()| {
        show(Panel::Mail, false);
        focus_input();
    });
    // Only when the server sends mail, and once there is a conversation to send.
    let can_mail = Memo::new({
        let email = config.email;
        move |_| email && has_chat.get()
    });
    // What the server promised: the address, and when it writes.
    let mailed = move || {
        let to = state.with(|s| s.mailed.clone());
        (!to.is_empty()).then(|| {
            let strings = strings.get();
            let text = if state.with(|s| s.mail_sent) {
                strings.mail_now
            } else {
                strings.mail_later
            };
            let (before, after) = text.split_once('{').unwrap_or((text, "}"));
            // After whatever else the status line says.
            [" ", before, &to, after.get(1..).unwrap_or_default()].concat()
        })
    };
    let on_withdraw_cancel = Callback::new(move |()| {
        show(Panel::Confirm, false);
        focus_input();
    });
    let can_withdraw = Memo::new({
        let has_agreement = config.consent.is_some();
        move |_| has_agreement && active.get()
    });
    let offers_form = flag(|s| s.active() && !s.form_open && s.form.is_some());
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            on_close.run(());
        }
    };
    let agreement = config.consent.clone();
    // Live, the status line says when the agent is typing.
    let starting = flag(|s| s.phase == Phase::Starting);
    let reconnecting = flag(|s| s.phase == Phase::Reconnecting);
    let agent_typing = flag(|s| s.agent_typing);
    let status = move || {
        if starting.get() {
            Some(strings.get().starting)
        } else if reconnecting.get() {
            Some(strings.get().reconnecting)
        } else {
            agent_typing.get().then(|| strings.get().typing)
        }
    };
    let notice = say(|s| s.notice);
    let error = say(|s| s.error);
    let notice = move || notice.get().map(|text| text(strings.get()));
    let error = move || error.get().map(|text| text(strings.get()));
    let transcript = Memo::new(move |_| state.with(|s| s.transcript.clone()));
    let agent = Memo::new(move |_| transcript.with(Transcript::last_agent));
    let preview = state.with_untracked(|s| s.preview);
    // Drawn again only when it opens or closes (the form is loaded once).
    let shows_form = flag(|s| s.form_open && s.form.is_some());
    // Out of hours: a notice above the composer, with the opening time (if any) on
    // the visitor's clock and in their language. It follows the next opening and
    // closing while the page stays open: a timer at each redraws it, and it reads
    // the clock. Open but with nobody online: a notice saying so, until an agent
    // writes (and not over the contact form, which is the way to be called back).
    // Empty (and not shown) otherwise.
    let hours = config.hours.clone();
    let offline = config.offline;
    let tick = RwSignal::new(false);
    for at in hours
        .iter()
        .flat_map(|hours| [&hours.opens_at, &hours.closes_at])
        .flatten()
    {
        let wait = js_sys::Date::parse(at) - js_sys::Date::now();
        if wait < 2e9 {
            // `as` saturates: a past or malformed time redraws at once.
            set_timeout(
                move || {
                    tick.try_set(true);
                },
                Duration::from_millis(wait as u64 + 500),
            );
        }
    }
    let away = move || {
        tick.track();
        if let Some(hours) = &hours {
            let now = js_sys::Date::now();
            let passed = |at: &Option<String>| {
                at.as_deref()
                    .map(js_sys::Date::parse)
                    .filter(|at| *at <= now)
            };
            let (opened, closed) = (passed(&hours.opens_at), passed(&hours.closes_at));
            // The later of the changes that have come; none yet: as the config said.
            let away = if opened.is_none() && closed.is_none() {
                !hours.open
            } else {
                closed > opened
            };
            if away {
                let at = hours.opens_at.as_deref().filter(|_| opened.is_none());
                return i18n::away(strings.get(), at);
            }
        }
        if offline && agent.with(Option::is_none) && !form_open.get() {
            strings.get().offline.to_owned()
        } else {
            String::new()
        }
    };

    view! {
        <section class="cn-window" aria-labelledby="cn-title" on:keydown=on_keydown>
            // Focus stays in the window while it is open: Tab past either end goes
            // round to the other.
            <span class="cn-guard" tabindex="0" on:focus=move |_| wrap_focus(false)></span>
            // Behind an open consent prompt everything else is inert: the dialog is modal
            // for keyboard and screen-reader users too.
            <div
                class="cn-main"
                inert=move || prompt_open.get() || confirm_open.get() || rate_open.get()
            >
            <Header
                title=config.title
                on_close=on_close
                agent=agent
                menu=(on_rate, can_rate, on_mail, can_mail, on_withdraw, can_withdraw)
            />
            <MessageList
                greeting=config.greeting.filter(|text| !text.is_empty())
                greetings=config.greetings
                transcript=transcript
            />
            {move || {
                if !shows_form.get() {
                    return None;
                }
                let form = state.with_untracked(|s| s.form.clone())?;
                Some(view! {
                    <ContactForm
                        form=form
                        on_submit=on_form_submit
                        on_close=on_form_close
                        busy=flag(|s| s.form_busy)
                        error=say(|s| s.form_error)
                    />
                })
            }}
            <MailForm
                address=mail_draft
                on_send=on_mail_send
                on_cancel=on_mail_cancel
                busy=flag(|s| s.mailing)
                error=say(|s| s.mail_error)
                open=flag(|s| s.mail_open)
            />
            <button
                type="button"
                class="cn-link"
                data-testid="form-open"
                hidden=move || !offers_form.get()
                on:click=open_form
            >
                {tr(|t| t.form_open)}
            </button>
            <p class="cn-status" data-testid="status" role="status">
                {status}
                {notice}
                {mailed}
            </p>
            <p class="cn-error" data-testid="error" role="alert">
                {error}
            </p>
            <p class="cn-away" data-testid="away">{away}</p>
            {preview
                .then(|| {
                    view! {
                        <p id="cn-preview" class="cn-preview" data-testid="preview-note">
                            {tr(|t| t.preview_note)}
                        </p>
                    }
                })}
            <Composer
                value=chat.draft
                note=preview
                on_send=on_send
                busy=starting
            />
            </div>
            {move || {
                let agreement = agreement.clone().filter(|_| prompt_open.get())?;
                Some(view! {
                    <ConsentPrompt
                        agreement=agreement
                        on_accept=on_accept
                        on_decline=on_decline
                        text_ref=consent_text
                    />
                })
            }}
            <WithdrawConfirm
                on_confirm=on_withdraw_confirm
                on_cancel=on_withdraw_cancel
                busy=flag(|s| s.withdrawing)
                open=confirm_open
            />
            <RateDialog
                choice=rate_choice
                comment=rate_comment
                on_send=on_rate_send
                on_cancel=on_rate_cancel
                busy=flag(|s| s.rating)
                open=rate_open
                ended=flag(|s| s.ended)
            />
            <span class="cn-guard" tabindex="0" on:focus=move |_| wrap_focus(true)></span>
        </section>
    }
}

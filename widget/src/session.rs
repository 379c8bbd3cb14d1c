//! The chat session: consent, starting the conversation, the socket and the outbox;
//! then the contact form, the host page's identity (`setUser`), the transcript by
//! e-mail, and withdrawal.
//!
//! [`ChatSession`] owns the state the components draw (transcript, draft, errors,
//! whether the consent prompt is open, the contact form) and the effects behind it
//! (HTTP calls, `localStorage`, the socket). The order of effects is the privacy
//! contract: nothing is requested or stored before the visitor accepts the
//! agreement; the visitor token is stored only after the consent is recorded; the
//! form and the identity go only with that token; a withdrawal forgets it.

use std::time::Duration;

use canal_kit::backoff::{jitter, Backoff};
use canal_protocol::routes::{self, visitor};
use canal_protocol::{
    consents::VisitorWithdrawal,
    forms::ContactFormView,
    limits,
    mail::{RequestTranscript, TranscriptRequested},
    rating::{RateConversation, Rating},
    AgreementView, Author, ChannelConfig, ClientFrame, ConsentRequest, ConversationRequest,
    ErrorCode, IdentifyRequest, ServerFrame, VisitorUser, DRAFT_SEND_MS,
};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, Socket, SocketEvent},
    chat::{Arrival, Arrivals, Transcript},
    form::{self, Checks, Details},
    host::{self, HostPage, ToHost},
    i18n::Text,
    storage::{self, StoredSession},
};

/// How long a message refused for the socket's rate waits before it goes again
/// (the server's bucket refills a frame every third of a second by default).
const SLOW_DOWN: Duration = Duration::from_secs(5);

/// The socket's reconnect schedule: 1, 2, 4, 8, then 10 s between attempts (a
/// visitor waiting for an answer should not wait long after the server is back).
const RECONNECT: Backoff = Backoff::up_to(Duration::from_secs(10));

/// Where the conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No conversation yet (or the old one is gone).
    Idle,
    /// Recording consent and starting the conversation.
    Starting,
    /// Opening the socket.
    Connecting,
    /// Socket open and welcomed: messages go out at once.
    Live,
    /// The socket dropped; a new attempt is scheduled.
    Reconnecting,
}

/// The state and actions of one chat window. Cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct ChatSession {
    channel: StoredValue<String>,
    agreement: StoredValue<Option<AgreementView>>,
    page: ReadSignal<Option<HostPage>>,
    /// Hears of new messages and the recorded consent, for the host page.
    on_host: Option<Callback<ToHost>>,
    arrivals: StoredValue<Arrivals>,
    stored: StoredValue<Option<StoredSession>>,
    socket: StoredValue<Option<Socket>, LocalStorage>,
    backoff: StoredValue<Backoff>,
    /// Who the host page says the visitor is (`Canal.setUser`), if it said.
    user: Option<ReadSignal<Option<VisitorUser>>>,
    /// The token and user last sent to `identify`, so each is sent once.
    identified: StoredValue<Option<(String, VisitorUser)>>,
    /// The form was requested (or is being) for this page.
    form_requested: StoredValue<bool>,
    /// The channel asks for a rating (`ChannelConfig::rating`).
    pub asks_rating: bool,
    /// The conversation started on this page: offer the form once its first
    /// message is stored.
    offer_form: StoredValue<bool>,
    /// The first message of the conversation started here is stored.
    first_stored: StoredValue<bool>,
    /// Where the agreement sends the host page once the first message is stored.
    redirect: StoredValue<Option<String>>,
    /// The conversation so far.
    pub transcript: RwSignal<Transcript>,
    /// What the visitor is typing.
    pub draft: RwSignal<String>,
    pub phase: RwSignal<Phase>,
    /// The agreement is on screen.
    pub prompt_open: RwSignal<bool>,
    /// The last failure, for the alert line.
    pub error: RwSignal<Option<Text>>,
    /// A polite note (e.g. that declining means no chat).
    pub notice: RwSignal<Option<Text>>,
    /// A session with a visitor token is held (and so may be withdrawn).
    pub active: RwSignal<bool>,
    /// The channel's contact form, once a conversation exists and the channel has one.
    pub form: RwSignal<Option<ContactFormView>>,
    /// The form is on screen.
    pub form_open: RwSignal<bool>,
    /// The form is being sent.
    pub form_busy: RwSignal<bool>,
    /// Why the form was refused.
    pub form_error: RwSignal<Option<Text>>,
    /// The withdrawal's confirm step is on screen.
    pub confirm_open: RwSignal<bool>,
    /// The withdrawal is being sent.
    pub withdrawing: RwSignal<bool>,
    /// The rating dialog is on screen.
    pub rate_open: RwSignal<bool>,
    /// The agent ended the chat (until the visitor writes again).
    pub ended: RwSignal<bool>,
    /// The rating chosen there (`like`, `dislike` or empty) and the comment.
    pub rate_choice: RwSignal<String>,
    pub rate_comment: RwSignal<String>,
    /// The rating is being sent.
    pub rating: RwSignal<bool>,
    /// The "e-mail me this conversation" panel is on screen.
    pub mail_open: RwSignal<bool>,
    /// The address typed there, read when it is sent.
    pub mail_draft: RwSignal<String>,
    /// The request is being sent.
    pub mailing: RwSignal<bool>,
    /// Why the server refused it, shown in the panel.
    pub mail_error: RwSignal<Option<Text>>,
    /// The address the server will write to (empty until it accepted one).
    pub mailed: RwSignal<String>,
    /// The transcript is on its way (the conversation has ended), rather than
    /// waiting for the end.
    pub mail_sent: RwSignal<bool>,
    /// The agent is typing. (Their name comes on the wire too; the frame does not
    /// show it, to stay small: the header names the agent.)
    pub agent_typing: RwSignal<bool>,
    /// Hiding timers not yet run: the indicator hides when the last one runs.
    typing_timers: StoredValue<u32>,
    /// The agent was told the visitor writes (and not told of the stop yet).
    told_typing: StoredValue<bool>,
    /// A `typing: true` went out less than 3 s ago.
    typing_cooling: StoredValue<bool>,
    /// The channel's live typing preview is on: the draft goes with `typing`.
    pub preview: bool,
    /// A draft is due to go (at most one every [`DRAFT_SEND_MS`]).
    draft_due: StoredValue<bool>,
    /// The server refused a frame for the socket's rate, and the outbox goes again
    /// after [`SLOW_DOWN`] (once, however many frames it refused meanwhile).
    slowed: StoredValue<bool>,
}

impl ChatSession {
    /// A session for `channel`. A session stored by an earlier visit is resumed at
    /// once; otherwise nothing happens until the visitor sends. `on_host` hears
    /// what the host page is told; `user` is the host page's `setUser`, sent to the
    /// server whenever it changes while a visitor token is held.
    pub fn new(
        channel: String,
        config: &ChannelConfig,
        page: ReadSignal<Option<HostPage>>,
        on_host: Option<Callback<ToHost>>,
        user: Option<ReadSignal<Option<VisitorUser>>>,
    ) -> Self {
        let stored = storage::load(&channel);
        let active = stored.is_some();
        // Messages written on an earlier visit and never acknowledged go out again.
        let mut transcript = Transcript::default();
        for (client_id, text) in stored.iter().flat_map(|s| s.outbox.iter().cloned()) {
            transcript.push_pending(client_id, text);
        }
        let session = Self {
            channel: StoredValue::new(channel),
            agreement: StoredValue::new(config.consent.clone()),
            page,
            on_host,
            arrivals: StoredValue::new(Arrivals::default()),
            stored: StoredValue::new(stored),
            socket: StoredValue::new_local(None),
            backoff: StoredValue::new(RECONNECT),
            user,
            identified: StoredValue::new(None),
            form_requested: StoredValue::new(false),
            asks_rating: config.rating,
            offer_form: StoredValue::new(false),
            first_stored: StoredValue::new(false),
            redirect: StoredValue::new(None),
            transcript: RwSignal::new(transcript),
            draft: RwSignal::new(String::new()),
            phase: RwSignal::new(Phase::Idle),
            prompt_open: RwSignal::new(false),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            active: RwSignal::new(active),
            form: RwSignal::new(None),
            form_open: RwSignal::new(false),
            form_busy: RwSignal::new(false),
            form_error: RwSignal::new(None),
            confirm_open: RwSignal::new(false),
            withdrawing: RwSignal::new(false),
            rate_open: RwSignal::new(false),
            ended: RwSignal::new(false),
            rate_choice: RwSignal::new(String::new()),
            rate_comment: RwSignal::new(String::new()),
            rating: RwSignal::new(false),
            mail_open: RwSignal::new(false),
            mail_draft: RwSignal::new(String::new()),
            mailing: RwSignal::new(false),
            mail_error: RwSignal::new(None),
            mailed: RwSignal::new(String::new()),
            mail_sent: RwSignal::new(false),
            agent_typing: RwSignal::new(false),
            typing_timers: StoredValue::new(0),
            told_typing: StoredValue::new(false),
            typing_cooling: StoredValue::new(false),
            preview: config.typing_preview,
            draft_due: StoredValue::new(false),
            slowed: StoredValue::new(false),
        };
        if session.conversation().is_some() {
            session.connect();
        }
        if let Some(user) = user {
            // The host page's identity is the world outside: sent on each change
            // (and at once for a stored session). A `RenderEffect` (the machinery
            // every reactive attribute already uses) rather than an `Effect`, whose
            // scheduler would be new code in the frame.
            let effect = RenderEffect::new(move |_| {
                user.track();
                session.identify();
            });
            on_cleanup(move || drop(effect));
        }
        session
    }

    fn alive(&self) -> bool {
        !self.transcript.is_disposed()
    }

    /// `(conversation_id, visitor_token)` once a conversation exists.
    fn conversation(&self) -> Option<(String, String)> {
        self.stored.with_value(|s| {
            let s = s.as_ref()?;
            Some((s.conversation_id.clone()?, s.visitor_token.clone()))
        })
    }

    /// The composer's send: validates the draft, then sends it, asks for consent
    /// first, or starts the conversation.
    pub fn submit(&self) {
        let text = self.draft.get_untracked();
        if text.trim().is_empty() || self.phase.get_untracked() == Phase::Starting {
            return;
        }
        if text.chars().count() > limits::MAX_MESSAGE_CHARS {
            self.error.set(Some(|t| t.err_too_long));
            return;
        }
        if !self.slowed.get_value() {
            self.error.set(None);
        }
        self.notice.set(None);
        self.ended.set(false);
        if self.conversation().is_some() {
            if let Some(client_id) = self.queue_draft() {
                self.flush_one(&client_id);
            }
        } else if self.agreement.with_value(Option::is_some)
            && self.stored.with_value(Option::is_none)
        {
            self.prompt_open.set(true);
        } else {
            self.start();
        }
    }

    /// The visitor accepted the agreement: record it and start.
    pub fn accept(&self) {
        self.prompt_open.set(false);
        self.start();
    }

    /// The visitor declined: nothing is sent, requested or stored; the draft stays.
    pub fn decline(&self) {
        self.prompt_open.set(false);
        self.notice.set(Some(|t| t.consent_needed));
    }

    /// Moves the draft into the transcript as a pending message; returns its client id.
    fn queue_draft(&self) -> Option<String> {
        let Some(client_id) = api::random_id() else {
            self.error.set(Some(|t| t.err_generic));
            return None;
        };
        let text = self.draft.get_untracked();
        self.transcript
            .update(|t| t.push_pending(client_id.clone(), text));
        self.draft.set(String::new());
        self.save_outbox();
        Some(client_id)
    }

    /// Keeps the outbox with the stored session, so that what the visitor wrote
    /// survives a closed page. Nothing is stored before there is a session (consent).
    fn save_outbox(&self) {
        let Some(channel) = self.channel.try_get_value() else {
            return;
        };
        let outbox = self.transcript.with_untracked(Transcript::outbox);
        self.stored.update_value(|stored| {
            if let Some(stored) = stored.as_mut().filter(|s| s.outbox != outbox) {
                stored.outbox = outbox;
                storage::save(&channel, stored);
            }
        });
    }

    fn start(&self) {
        let Some(client_id) = self.queue_draft() else {
            return;
        };
        self.phase.set(Phase::Starting);
        let this = *self;
        spawn_local(async move {
            let started = this.open_conversation().await;
            if !this.alive() {
                return;
            }
            match started {
                Ok(()) => this.connect(),
                Err(message) => {
                    let text = this
                        .transcript
                        .try_update(|t| t.remove_pending(&client_id))
                        .flatten();
                    if let Some(text) = text {
                        this.draft.update(|draft| {
                            if draft.is_empty() {
                                *draft = text;
                            }
                        });
                    }
                    this.error.set(Some(message));
                    this.phase.set(Phase::Idle);
                }
            }
        });
    }

    /// Keeps the session in `localStorage` (when the browser lets it) and here,
    /// with the outbox as it is now.
    fn keep(&self, channel: &str, mut session: StoredSession) {
        session.outbox = self
            .transcript
            .try_with_untracked(Transcript::outbox)
            .unwrap_or_default();
        storage::save(channel, &session);
        self.stored.try_set_value(Some(session));
        self.active.try_set(true);
        self.identify();
    }

    /// Records consent when the channel asks for it and none is stored, then creates
    /// the conversation, storing the session after each step.
    async fn open_conversation(&self) -> Result<(), Text> {
        let page = self
            .page
            .get_untracked()
            .or_else(HostPage::from_referrer)
            .ok_or((|t| t.err_page) as Text)?;
        let channel = self.channel.get_value();
        let mut session = self.stored.get_value();

        if session.is_none() {
            if let Some(agreement) = self.agreement.get_value() {
                let request = ConsentRequest {
                    agreement_version_id: agreement.version_id,
                    page_url: page.page_url.clone(),
                    request_id: api::random_id(),
                };
                let created = api::create_consent(&channel, &request)
                    .await
                    .map_err(|e| self.error_text(&e))?;
                let consented = StoredSession {
                    visitor_token: created.visitor_token,
                    consent_id: Some(created.consent_id),
                    conversation_id: None,
                    outbox: Vec::new(),
                };
                session = Some(consented.clone());
                self.keep(&channel, consented);
                self.tell_host(ToHost::Consent);
                self.redirect.try_set_value(
                    agreement
                        .redirect_url
                        .filter(|url| host::is_redirect_url(url)),
                );
            }
        }

        let request = ConversationRequest {
            visitor_token: session.as_ref().map(|s| s.visitor_token.clone()),
            consent_id: session.as_ref().and_then(|s| s.consent_id.clone()),
            page_url: Some(page.page_url),
            utm: page.utm,
        };
        let created = match api::create_conversation(&channel, &request).await {
            Ok(created) => created,
            Err(error) => {
                if matches!(
                    error.code(),
                    Some(ErrorCode::Unauthorized | ErrorCode::ConsentRequired)
                ) {
                    // The stored visitor or consent is no longer valid: ask afresh.
                    self.forget();
                }
                return Err(self.error_text(&error));
            }
        };
        let started = StoredSession {
            visitor_token: created.visitor_token,
            consent_id: session.and_then(|s| s.consent_id),
            conversation_id: Some(created.conversation_id),
            outbox: Vec::new(),
        };
        self.keep(&channel, started);
        self.offer_form.try_set_value(true);
        Ok(())
    }

    fn error_text(&self, error: &ApiError) -> Text {
        match error {
            ApiError::Network => |t| t.err_network,
            ApiError::Status { .. } => match error.code() {
                Some(
                    ErrorCode::UnknownChannel
                    | ErrorCode::ForbiddenOrigin
                    | ErrorCode::ChannelOff
                    | ErrorCode::Banned,
                ) => |t| t.err_unavailable,
                Some(ErrorCode::InvalidPageUrl) => |t| t.err_page,
                Some(ErrorCode::TooLarge) => |t| t.err_too_long,
                Some(ErrorCode::RateLimited) => |t| t.err_slow_down,
                _ => |t| t.err_generic,
            },
            ApiError::Decode => |t| t.err_generic,
        }
    }

    fn tell_host(&self, what: ToHost) {
        if let Some(on_host) = self.on_host {
            on_host.run(what);
        }
    }

    /// Tells the host page of the stored message `seq`, if it is news.
    fn arrived(&self, seq: u64) {
        if !self.arrivals.with_value(|a| a.is_new(seq)) {
            return;
        }
        let arrival = self
            .transcript
            .with_untracked(|t| t.by_seq(seq).and_then(Arrival::of));
        if let Some(arrival) = arrival {
            self.tell_host(ToHost::Message(arrival));
        }
    }

    /// Drops the stored session: the server does not know it any more.
    fn forget(&self) {
        if let Some(channel) = self.channel.try_get_value() {
            storage::clear(&channel);
        }
        self.stored.try_set_value(None);
        self.active.try_set(false);
        // Nothing goes by e-mail for a conversation the server does not know.
        self.mail_open.try_set(false);
        self.mailed.try_set(String::new());
        self.identified.try_set_value(None);
    }

    /// Sends the host page's user to `identify`, once per token and user, and only
    /// while a visitor token is held (so never before consent).
    fn identify(&self) {
        let Some(user) = self
            .user
            .and_then(|user| user.try_get_untracked().flatten())
        else {
            return;
        };
        let Some(token) = self
            .stored
            .try_with_value(|s| s.as_ref().map(|s| s.visitor_token.clone()))
            .flatten()
        else {
            return;
        };
        let sent = (token, user);
        if self
            .identified
            .with_value(|last| last.as_ref() == Some(&sent))
        {
            return;
        }
        self.identified.set_value(Some(sent.clone()));
        let (visitor_token, user) = sent;
        let channel = self.channel.get_value();
        let this = *self;
        spawn_local(async move {
            let request = IdentifyRequest {
                visitor_token,
                user,
            };
            // A refused identity (wrong or old hash) is the site's to fix; the chat
            // goes on. A failed request may be retried by the next change.
            if api::identify(&channel, &request).await == Err(ApiError::Network) {
                this.identified.try_set_value(None);
            }
        });
    }

    /// Loads the channel's contact form once a conversation exists (first
    /// `welcome` on this page).
    fn load_form(&self) {
        if self.form_requested.get_value() {
            return;
        }
        self.form_requested.set_value(true);
        let channel = self.channel.get_value();
        let this = *self;
        spawn_local(async move {
            match api::fetch_form(&channel).await {
                Ok(form) => {
                    let form = form.filter(|f| !f.fields.is_empty() || !f.agreements.is_empty());
                    if this.form.try_set(form).is_none() {
                        this.offer();
                    }
                }
                // Asked again at the next `welcome`.
                Err(_) => {
                    this.form_requested.try_set_value(false);
                }
            }
        });
    }

    /// After the first message of a conversation started here is stored: the
    /// agreement's redirect, and the contact form (once, when the channel has one
    /// and asks for it in the chat).
    fn offer(&self) {
        if !self.first_stored.get_value() {
            return;
        }
        if let Some(url) = self.redirect.try_update_value(Option::take).flatten() {
            self.tell_host(ToHost::Redirect(url));
        }
        // Opened here only when the channel asks for it in the chat; otherwise it
        // waits in the menu.
        let asks = self
            .form
            .with_untracked(|f| f.as_ref().is_some_and(|f| f.ask_in_chat));
        if self.offer_form.get_value() && asks {
            self.offer_form.set_value(false);
            self.form_open.set(true);
        }
    }

    /// Sends the contact form. Refused here already when a required agreement is
    /// not ticked; the server's refusal shows in the form.
    pub fn send_form(&self, details: Details, checks: Checks, request_id: Option<String>) {
        if self.form_busy.get_untracked() {
            return;
        }
        if !checks.ready() {
            self.form_error.set(Some(|t| t.err_consent));
            return;
        }
        let Some(page) = self.page.get_untracked().or_else(HostPage::from_referrer) else {
            self.form_error.set(Some(|t| t.err_page));
            return;
        };
        let Some((visitor_token, conversation_id)) = self.stored.with_value(|s| {
            s.as_ref()
                .map(|s| (s.visitor_token.clone(), s.conversation_id.clone()))
        }) else {
            self.form_error.set(Some(|t| t.err_session));
            return;
        };
        let submission = form::submission(
            visitor_token,
            conversation_id,
            page.page_url,
            &details,
            &checks,
            request_id,
        );
        self.form_busy.set(true);
        self.form_error.set(None);
        let channel = self.channel.get_value();
        let this = *self;
        spawn_local(async move {
            let sent = api::submit_form(&channel, &submission).await;
            if !this.alive() {
                return;
            }
            this.form_busy.set(false);
            match sent {
                Ok(()) => {
                    this.form_open.set(false);
                    this.notice.set(Some(|t| t.form_sent));
                }
                Err(error) => this.form_error.set(Some(match error.code() {
                    Some(ErrorCode::ConsentRequired) => |t| t.err_consent,
                    Some(ErrorCode::InvalidField) => |t| t.err_fields,
                    _ => this.error_text(&error),
                })),
            }
        });
    }

    /// The visitor confirmed the withdrawal: the server appends it, then the frame
    /// forgets the visitor (storage, outbox, transcript) and the chat ends. `done`
    /// runs when the confirm step closes (withdrawn or failed).
    pub fn withdraw(&self, done: impl FnOnce() + 'static) {
        let token = self
            .stored
            .with_value(|s| s.as_ref().map(|s| s.visitor_token.clone()));
        let Some(visitor_token) = token else {
            self.confirm_open.set(false);
            return;
        };
        if self.withdrawing.get_untracked() {
            return;
        }
        self.withdrawing.set(true);
        let channel = self.channel.get_value();
        let this = *self;
        spawn_local(async move {
            let request = VisitorWithdrawal {
                visitor_token,
                agreement_id: None,
            };
            let withdrawn = api::withdraw(&channel, &request).await;
            if !this.alive() {
                return;
            }
            this.withdrawing.set(false);
            this.confirm_open.set(false);
            done();
            match withdrawn {
                // 401: the server no longer knows this visitor; nothing to keep.
                Ok(()) | Err(ApiError::Status { status: 401, .. }) => this.end(),
                Err(error) => this.error.set(Some(this.error_text(&error))),
            }
        });
    }

    /// Sends the rating chosen in the dialog; the dialog closes once it is stored,
    /// with a thank-you, and the focus goes back to the composer.
    pub fn rate(&self) {
        let Some(rating) = self.rate_choice.with_untracked(|c| Rating::parse(c)) else {
            return;
        };
        let Some((conversation_id, visitor_token)) = self.conversation() else {
            self.rate_open.set(false);
            return;
        };
        let request = RateConversation {
            visitor_token,
            rating,
            comment: Some(self.rate_comment.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        self.put(
            self.rating,
            visitor::rating(&conversation_id),
            api::encode(&request),
            |this, answer| match answer {
                Ok(_) => {
                    this.rate_open.set(false);
                    this.notice.set(Some(|t| t.rated));
                    crate::components::focus_later("cn-input");
                }
                Err(error) => this.error.set(Some(this.error_text(&error))),
            },
        );
    }

    /// Asks the server to e-mail the conversation to the address in the panel; the
    /// panel closes once it accepted (the window then says where and when it goes)
    /// and the focus goes back to the composer. A refused address shows in the
    /// panel, which stays open.
    pub fn mail(&self) {
        let Some((conversation_id, visitor_token)) = self.conversation() else {
            self.mail_open.set(false);
            return;
        };
        self.mail_error.set(None);
        let request = RequestTranscript {
            visitor_token,
            email: self.mail_draft.get_untracked(),
        };
        self.put(
            self.mailing,
            visitor::transcript(&conversation_id),
            api::encode(&request),
            |this, answer| {
                let answer = answer.and_then(|text| {
                    api::decode::<TranscriptRequested>(&text).ok_or(ApiError::Decode)
                });
                match answer {
                    Ok(answer) => {
                        this.mail_open.set(false);
                        this.mail_sent.set(answer.queued);
                        this.mailed.set(answer.email);
                        crate::components::focus_later("cn-input");
                    }
                    Err(error) => this.mail_error.set(Some(match error.code() {
                        Some(ErrorCode::InvalidField) => |t| t.err_email,
                        Some(ErrorCode::MailOff) => |t| t.err_mail_off,
                        _ => this.error_text(&error),
                    })),
                }
            },
        );
    }

    /// `PUT`s `body` to the channel's `resource` unless `busy` (which it is until
    /// the answer), then hands the answer to `then`. One request task for the
    /// rating and the transcript: each task type is more code in the frame.
    fn put(
        &self,
        busy: RwSignal<bool>,
        resource: String,
        body: Option<String>,
        then: fn(&Self, Result<String, ApiError>),
    ) {
        if busy.get_untracked() {
            return;
        }
        let Some(body) = body else {
            return then(self, Err(ApiError::Decode));
        };
        busy.set(true);
        let channel = self.channel.get_value();
        let this = *self;
        spawn_local(async move {
            let answer = api::put(&channel, &resource, body).await;
            if this.alive() {
                busy.set(false);
                then(&this, answer);
            }
        });
    }

    /// After a withdrawal: no socket, no stored session, no outbox; a new message
    /// asks for consent afresh.
    fn end(&self) {
        self.socket.set_value(None);
        self.forget();
        self.transcript.set(Transcript::default());
        self.arrivals.set_value(Arrivals::default());
        self.backoff.set_value(RECONNECT);
        self.redirect.set_value(None);
        self.offer_form.set_value(false);
        self.first_stored.set_value(false);
        self.form_requested.set_value(false);
        self.form.set(None);
        self.form_open.set(false);
        self.phase.set(Phase::Idle);
        self.error.set(None);
        self.notice.set(Some(|t| t.withdrawn));
    }

    /// Opens the socket for the stored conversation (replacing an old one).
    fn connect(&self) {
        if !self.alive() || self.conversation().is_none() {
            return;
        }
        if self.phase.get_untracked() != Phase::Reconnecting {
            self.phase.set(Phase::Connecting);
        }
        let this = *self;
        match Socket::open(routes::VISITOR_SOCKET, move |event| this.on_socket(event)) {
            Ok(socket) => self.socket.set_value(Some(socket)),
            Err(_) => self.reconnect_later(),
        }
    }

    fn reconnect_later(&self) {
        self.phase.set(Phase::Reconnecting);
        let Some(delay) = self.backoff.try_update_value(|b| b.next(jitter())) else {
            return;
        };
        let this = *self;
        set_timeout(move || this.connect(), delay);
    }

    fn on_socket(&self, event: SocketEvent) {
        if !self.alive() {
            return;
        }
        match event {
            SocketEvent::Open => {
                if let Some((conversation_id, visitor_token)) = self.conversation() {
                    let last_seq = self.transcript.with_untracked(Transcript::last_seq);
                    // Where the visitor is now: the consoles show it.
                    let page_url = self
                        .page
                        .get_untracked()
                        .or_else(HostPage::from_referrer)
                        .map(|p| p.page_url);
                    self.send(&ClientFrame::Hello {
                        conversation_id,
                        visitor_token,
                        last_seq,
                        page_url,
                    });
                }
            }
            SocketEvent::Frame(frame) => self.on_frame(frame),
            SocketEvent::Closed => {
                if self.conversation().is_some() {
                    self.reconnect_later();
                } else {
                    self.phase.set(Phase::Idle);
                }
            }
        }
    }

    fn on_frame(&self, frame: ServerFrame) {
        match frame {
            ServerFrame::Welcome { last_seq, .. } => {
                self.load_form();
                self.arrivals.update_value(|a| a.welcome(last_seq));
                self.backoff.update_value(Backoff::reset);
                // What this window holds beyond the server's newest message is lost
                // there: the visitor's own messages join the outbox sent below.
                if self.transcript.try_update(|t| t.rewind(last_seq)) == Some(true) {
                    self.save_outbox();
                }
                self.phase.set(Phase::Live);
                self.error.set(None);
                self.send_outbox();
            }
            ServerFrame::Ack {
                client_id,
                seq,
                sent_at,
            } => {
                if self
                    .transcript
                    .try_update(|t| t.ack(&client_id, seq, sent_at))
                    == Some(true)
                {
                    self.save_outbox();
                    // A message went through: an earlier refusal is over.
                    self.error.set(None);
                    self.arrived(seq);
                    self.first_stored.set_value(true);
                    self.offer();
                }
            }
            ServerFrame::Message(message) => {
                if message.author == Author::Agent {
                    self.agent_typing.set(false);
                }
                let seq = message.seq;
                let own = message.client_id.is_some();
                if self.transcript.try_update(|t| t.receive(message)) == Some(true) {
                    if own {
                        // Maybe the echo of a visitor message whose ack was lost.
                        self.save_outbox();
                    }
                    self.arrived(seq);
                }
            }
            ServerFrame::Typing { typing, .. } => self.agent_typed(typing),
            // The agent ended the chat: say so and ask for a rating if the
            // channel wants one, unless one was given (writing again opens it on
            // the server). A transcript the visitor asked for is on its way now.
            ServerFrame::Closed => {
                self.agent_typing.set(false);
                self.ended.set(true);
                self.mail_sent.set(true);
                self.notice.set(Some(|t| t.ended));
                if self.asks_rating && self.rate_choice.with_untracked(String::is_empty) {
                    self.rate_open.set(true);
                    crate::components::focus_later("cn-rate-good");
                }
            }
            // A refused `typing` (the conversation is closed): nothing to tell.
            ServerFrame::Error {
                code: ErrorCode::RoutingRefused,
                ..
            } => {}
            ServerFrame::Error { code, .. } => {
                // Withdrawn (by an admin, or in another tab): the server collects
                // nothing more from this visitor; forget them like a gone session.
                if code == ErrorCode::ConsentWithdrawn
                    || (self.phase.get_untracked() != Phase::Live
                        && matches!(
                            code,
                            ErrorCode::Unauthorized
                                | ErrorCode::UnknownConversation
                                | ErrorCode::NotAuthenticated
                        ))
                {
                    // The stored conversation is gone: start over on the next send.
                    self.forget();
                    self.transcript.set(Transcript::default());
                    self.arrivals.set_value(Arrivals::default());
                    self.phase.set(Phase::Idle);
                    self.error.set(Some(|t| t.err_session));
                    // Dropped: closed, and its close is not news.
                    self.socket.set_value(None);
                } else if code == ErrorCode::RateLimited {
                    // Over the socket's rate: what was refused is still in the
                    // outbox; it goes again once the bucket has refilled.
                    self.error.set(Some(|t| t.err_slow_down));
                    if !self.slowed.get_value() {
                        self.slowed.set_value(true);
                        self.after(
                            |this| {
                                this.slowed.set_value(false);
                                this.send_outbox();
                            },
                            SLOW_DOWN,
                        );
                    }
                } else {
                    self.error.set(Some(match code {
                        ErrorCode::TooLarge => |t| t.err_too_long,
                        ErrorCode::Banned | ErrorCode::ChannelOff => |t| t.err_unavailable,
                        _ => |t| t.err_generic,
                    }));
                }
            }
        }
    }

    /// The agent started or stopped writing. The indicator shows until a stop,
    /// their message, or 6 s without news (a stop can be lost with the socket).
    fn agent_typed(&self, typing: bool) {
        self.agent_typing.set(typing);
        self.typing_timers.update_value(|n| *n += 1);
        self.after(
            |this| {
                this.typing_timers.update_value(|n| *n -= 1);
                if this.typing_timers.get_value() == 0 {
                    this.agent_typing.set(false);
                }
            },
            Duration::from_secs(6),
        );
    }

    /// The draft changed: tells the agent that the visitor writes (at most every
    /// 3 s while they go on) or stopped (the draft was sent or emptied). No text
    /// goes, unless the channel's live typing preview is on (and the window says
    /// so): then the draft as it is [`DRAFT_SEND_MS`] after a change goes with
    /// each `typing` (at most one frame per that time; empty when emptied).
    /// Before a conversation there is no socket, so nothing goes at all.
    pub fn typed(&self) {
        // Over the socket's rate, the frames left are for the messages.
        if self.slowed.get_value() {
            return;
        }
        if self.preview {
            if !self.draft_due.get_value() {
                self.draft_due.set_value(true);
                self.after(
                    |this| {
                        this.draft_due.set_value(false);
                        // What the server takes: no control characters but
                        // line breaks and tabs, a message's length at most.
                        let draft: String = this
                            .draft
                            .get_untracked()
                            .chars()
                            .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                            .take(limits::MAX_DRAFT_CHARS)
                            .collect();
                        this.send(&ClientFrame::Typing {
                            typing: !draft.is_empty(),
                            draft: Some(draft),
                        });
                    },
                    Duration::from_millis(DRAFT_SEND_MS),
                );
            }
            return;
        }
        let typing = !self.draft.get_untracked().is_empty();
        if typing && !self.typing_cooling.get_value() {
            self.after(
                |this| this.typing_cooling.set_value(false),
                Duration::from_secs(3),
            );
        } else if typing || !self.told_typing.get_value() {
            return;
        }
        // After a stop, the next key says "typing" again at once.
        self.typing_cooling.set_value(typing);
        self.told_typing.set_value(typing);
        self.send(&ClientFrame::Typing {
            typing,
            draft: None,
        });
    }

    /// Runs `f` after `delay` unless the window is gone (one timer closure for
    /// every use: each closure type would be more code in the frame).
    fn after(&self, f: fn(&Self), delay: Duration) {
        let this = *self;
        set_timeout(
            move || {
                if this.alive() {
                    f(&this)
                }
            },
            delay,
        );
    }

    /// Sends the pending message at once when the socket is live and not over its
    /// rate; otherwise it waits in the outbox for the next `welcome` or retry.
    fn flush_one(&self, client_id: &str) {
        if self.phase.get_untracked() != Phase::Live || self.slowed.get_value() {
            return;
        }
        let text = self.transcript.with_untracked(|t| {
            t.pending()
                .find(|e| e.client_id.as_deref() == Some(client_id))
                .map(|e| e.text.clone())
        });
        if let Some(text) = text {
            self.send(&ClientFrame::Send {
                client_id: client_id.to_owned(),
                text,
            });
        }
    }

    /// Sends everything not yet acknowledged (again) while the socket is live; the
    /// server stores each client id once.
    fn send_outbox(&self) {
        if self.phase.get_untracked() != Phase::Live {
            return;
        }
        let pending = self.transcript.with_untracked(Transcript::outbox);
        for (client_id, text) in pending {
            self.send(&ClientFrame::Send { client_id, text });
        }
    }

    fn send(&self, frame: &ClientFrame) {
        self.socket.with_value(|socket| {
            if let Some(socket) = socket {
                socket.send(frame);
            }
        });
    }
}

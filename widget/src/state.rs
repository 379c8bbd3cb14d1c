//! The chat window's state as plain data, and the reducer that applies each input
//! to it: the visitor's actions, the server's frames, and the results of what the
//! frame asked the world to do (HTTP answers, socket events, timers). Each input
//! gives a new state and the [`Effect`]s to run. No browser, no signals, no clock
//! (time and randomness come in inputs): native unit tests; the Leptos shell
//! (`session`) keeps it in one signal and runs the effects.
//!
//! The order of effects is the privacy contract: nothing is requested or stored
//! before the visitor accepts the agreement; the visitor token is stored only after
//! the consent is recorded; the form and the identity go only with that token; a
//! withdrawal forgets it.

use std::time::Duration;

use canal_kit::backoff::Backoff;
use canal_kit::http::ApiError;
use canal_protocol::{
    consents::VisitorWithdrawal,
    forms::{ContactFormView, ContactSubmission},
    limits,
    mail::{RequestTranscript, TranscriptRequested},
    rating::{RateConversation, Rating},
    AgreementView, Author, ChannelConfig, ClientFrame, ConsentCreated, ConsentRequest,
    ConversationCreated, ConversationRequest, ErrorCode, IdentifyRequest, ServerFrame, VisitorUser,
    DRAFT_SEND_MS,
};

use crate::{
    chat::{Arrival, Arrivals, Transcript},
    form::{self, Checks, Details},
    host::{self, HostPage, ToHost},
    i18n::Text,
    storage::StoredSession,
};

/// How long a message refused for the socket's rate waits before it goes again
/// (the server's bucket refills a frame every third of a second by default).
pub const SLOW_DOWN: Duration = Duration::from_secs(5);

/// The socket's reconnect schedule: 1, 2, 4, 8, then 10 s between attempts (a
/// visitor waiting for an answer should not wait long after the server is back).
pub const RECONNECT: Backoff = Backoff::up_to(Duration::from_secs(10));

/// How long the agent's typing shows without news (a stop can be lost).
pub const TYPING_SHOWS: Duration = Duration::from_secs(6);

/// How often a `typing: true` goes while the visitor goes on writing.
pub const TYPING_EVERY: Duration = Duration::from_secs(3);

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

/// What the window says (alert line, notice, a panel's error): one of the
/// window's texts, chosen here, worded by the locale's [`Text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Say {
    Network,
    Page,
    Unavailable,
    TooLong,
    SlowDown,
    Generic,
    Session,
    Consent,
    Fields,
    Email,
    MailOff,
    ConsentNeeded,
    Withdrawn,
    Ended,
    FormSent,
    Rated,
}

impl Say {
    /// The locale's wording.
    pub fn text(self) -> Text {
        match self {
            Self::Network => |t| t.err_network,
            Self::Page => |t| t.err_page,
            Self::Unavailable => |t| t.err_unavailable,
            Self::TooLong => |t| t.err_too_long,
            Self::SlowDown => |t| t.err_slow_down,
            Self::Generic => |t| t.err_generic,
            Self::Session => |t| t.err_session,
            Self::Consent => |t| t.err_consent,
            Self::Fields => |t| t.err_fields,
            Self::Email => |t| t.err_email,
            Self::MailOff => |t| t.err_mail_off,
            Self::ConsentNeeded => |t| t.consent_needed,
            Self::Withdrawn => |t| t.withdrawn,
            Self::Ended => |t| t.ended,
            Self::FormSent => |t| t.form_sent,
            Self::Rated => |t| t.rated,
        }
    }

    /// What a failed call says in the alert line.
    fn of(error: &ApiError) -> Self {
        match error {
            ApiError::Network => Self::Network,
            ApiError::Decode => Self::Generic,
            ApiError::Status { .. } => match error.code() {
                Some(
                    ErrorCode::UnknownChannel
                    | ErrorCode::ForbiddenOrigin
                    | ErrorCode::ChannelOff
                    | ErrorCode::Banned,
                ) => Self::Unavailable,
                Some(ErrorCode::InvalidPageUrl) => Self::Page,
                Some(ErrorCode::TooLarge) => Self::TooLong,
                Some(ErrorCode::RateLimited) => Self::SlowDown,
                _ => Self::Generic,
            },
        }
    }
}

/// A timer the frame set; it comes back as [`Input::Timer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Open the socket again.
    Reconnect,
    /// One of the agent's typing indicators runs out.
    TypingShown,
    /// A `typing: true` may go again.
    TypingCooled,
    /// The live preview's draft goes now.
    DraftDue,
    /// The socket's rate has refilled: the outbox goes again.
    SlowedDown,
}

/// A panel of the window that the visitor opens and closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    Form,
    Confirm,
    Rate,
    Mail,
}

/// What happens to the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The loader said which page the visitor is on.
    Page(HostPage),
    /// The host page's `Canal.setUser`.
    User(Option<VisitorUser>),
    /// The draft changed.
    Draft(String),
    /// The composer's send of `text` (the draft as the text box has it);
    /// `client_id` is a fresh id for the message (`None` when the browser gave no
    /// randomness).
    Submit {
        text: String,
        client_id: Option<String>,
    },
    /// The visitor accepted the agreement; `request_id` makes the consent's
    /// request idempotent.
    Accept { request_id: Option<String> },
    /// The visitor declined the agreement.
    Decline,
    /// The answer to [`Effect::PostConsent`].
    Consented(Result<ConsentCreated, ApiError>),
    /// The answer to [`Effect::PostConversation`].
    Started(Result<ConversationCreated, ApiError>),
    /// The socket [`Effect::Open`]ed under this number connected.
    Opened(u32),
    /// A frame from the socket under this number.
    Frame(u32, ServerFrame),
    /// The socket under this number closed (or never opened); `jitter` in `[0, 1)`
    /// spreads the wait before the next attempt.
    Closed(u32, f64),
    /// A timer ran.
    Timer(Timer),
    /// The answer to [`Effect::FetchForm`]: the channel's form, if it has one.
    FormLoaded(Result<Option<ContactFormView>, ApiError>),
    /// The answer to [`Effect::Identify`].
    Identified(Result<(), ApiError>),
    /// A panel opened or closed.
    Show(Panel, bool),
    /// Send the contact form.
    SendForm {
        details: Details,
        checks: Checks,
        request_id: Option<String>,
    },
    /// The answer to [`Effect::SubmitForm`].
    FormSent(Result<(), ApiError>),
    /// The visitor confirmed the withdrawal.
    Withdraw,
    /// The answer to [`Effect::Withdraw`].
    Withdrawn(Result<(), ApiError>),
    /// Rate the conversation.
    Rate { rating: Rating, comment: String },
    /// The answer to [`Effect::Rate`].
    Rated(Result<(), ApiError>),
    /// E-mail the conversation to this address.
    Mail(String),
    /// The answer to [`Effect::Mail`].
    Mailed(Result<TranscriptRequested, ApiError>),
}

/// What the shell does for the reducer; answers come back as [`Input`]s.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Writes the session to `localStorage` (`None`: removes it).
    Store(Option<StoredSession>),
    PostConsent(ConsentRequest),
    PostConversation(ConversationRequest),
    Identify(IdentifyRequest),
    FetchForm,
    SubmitForm(ContactSubmission),
    Withdraw(VisitorWithdrawal),
    Rate {
        conversation_id: String,
        request: RateConversation,
    },
    Mail {
        conversation_id: String,
        request: RequestTranscript,
    },
    /// Opens the socket (dropping an older one); its events carry this number.
    Open(u32),
    /// Drops the socket without a word.
    Close,
    /// Sends a frame on the socket, if it is open.
    Send(ClientFrame),
    /// Sets a timer.
    After(Timer, Duration),
    /// Tells the host page.
    Tell(ToHost),
    /// Moves the focus to the element with this id once drawn.
    Focus(&'static str),
}

/// The chat window: everything the components draw and the reducer decides by.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    agreement: Option<AgreementView>,
    /// The channel asks for a rating.
    pub asks_rating: bool,
    /// The channel's live typing preview is on: the draft goes with `typing`.
    pub preview: bool,
    page: Option<HostPage>,
    stored: Option<StoredSession>,
    /// The conversation so far.
    pub transcript: Transcript,
    arrivals: Arrivals,
    pub phase: Phase,
    backoff: Backoff,
    /// The number of the current socket: events of older ones are not news.
    socket: u32,
    /// What the visitor is typing.
    pub draft: String,
    /// The client id of the message that starts the conversation.
    starting: Option<String>,
    /// The agreement is on screen.
    pub prompt_open: bool,
    /// The last failure, for the alert line.
    pub error: Option<Say>,
    /// A polite note.
    pub notice: Option<Say>,
    /// The agent ended the chat (until the visitor writes again).
    pub ended: bool,
    /// The agent is typing.
    pub agent_typing: bool,
    /// Hiding timers not yet run: the indicator hides when the last one runs.
    typing_timers: u32,
    told_typing: bool,
    typing_cooling: bool,
    draft_due: bool,
    /// Over the socket's rate: the outbox waits for [`Timer::SlowedDown`].
    slowed: bool,
    /// Where the agreement sends the host page once the first message is stored.
    redirect: Option<String>,
    /// The conversation started on this page: offer the form once its first
    /// message is stored.
    offer_form: bool,
    first_stored: bool,
    form_requested: bool,
    /// The channel's contact form, once a conversation exists and it has one.
    pub form: Option<ContactFormView>,
    pub form_open: bool,
    pub form_busy: bool,
    pub form_error: Option<Say>,
    pub confirm_open: bool,
    pub withdrawing: bool,
    pub rate_open: bool,
    pub rating: bool,
    /// A rating was given in this window.
    pub rated: bool,
    pub mail_open: bool,
    pub mailing: bool,
    pub mail_error: Option<Say>,
    /// The address the server will write to (empty until it accepted one).
    pub mailed: String,
    /// The transcript is on its way (the conversation has ended).
    pub mail_sent: bool,
    user: Option<VisitorUser>,
    /// The token and user last sent to `identify`, so each is sent once.
    identified: Option<(String, VisitorUser)>,
}

impl State {
    /// The window of `config`'s channel, resuming `stored` (an earlier visit's
    /// session) at once: its unacknowledged messages join the outbox and the
    /// socket opens.
    pub fn new(
        config: &ChannelConfig,
        stored: Option<StoredSession>,
        page: Option<HostPage>,
    ) -> (Self, Vec<Effect>) {
        let mut transcript = Transcript::default();
        for (client_id, text) in stored.iter().flat_map(|s| s.outbox.iter().cloned()) {
            transcript.push_pending(client_id, text);
        }
        let mut state = Self {
            agreement: config.consent.clone(),
            asks_rating: config.rating,
            preview: config.typing_preview,
            page,
            stored,
            transcript,
            arrivals: Arrivals::default(),
            phase: Phase::Idle,
            backoff: RECONNECT,
            socket: 0,
            draft: String::new(),
            starting: None,
            prompt_open: false,
            error: None,
            notice: None,
            ended: false,
            agent_typing: false,
            typing_timers: 0,
            told_typing: false,
            typing_cooling: false,
            draft_due: false,
            slowed: false,
            redirect: None,
            offer_form: false,
            first_stored: false,
            form_requested: false,
            form: None,
            form_open: false,
            form_busy: false,
            form_error: None,
            confirm_open: false,
            withdrawing: false,
            rate_open: false,
            rating: false,
            rated: false,
            mail_open: false,
            mailing: false,
            mail_error: None,
            mailed: String::new(),
            mail_sent: false,
            user: None,
            identified: None,
        };
        let mut fx = Vec::new();
        state.connect(&mut fx);
        (state, fx)
    }

    /// A session with a visitor token is held (and so may be withdrawn).
    pub fn active(&self) -> bool {
        self.stored.is_some()
    }

    /// `(conversation_id, visitor_token)` once a conversation exists.
    fn conversation(&self) -> Option<(String, String)> {
        let s = self.stored.as_ref()?;
        Some((s.conversation_id.clone()?, s.visitor_token.clone()))
    }

    /// Applies `input`; returns what to do, in order.
    pub fn reduce(&mut self, input: Input) -> Vec<Effect> {
        let mut fx = Vec::new();
        match input {
            Input::Page(page) => self.page = Some(page),
            Input::User(user) => {
                self.user = user;
                self.identify(&mut fx);
            }
            // The text box's echo of what the reducer wrote is no change.
            Input::Draft(draft) if draft == self.draft => {}
            Input::Draft(draft) => {
                self.draft = draft;
                self.typed(&mut fx);
            }
            Input::Submit { text, client_id } => {
                self.draft = text;
                self.submit(client_id, &mut fx);
            }
            Input::Accept { request_id } => {
                self.prompt_open = false;
                self.consent(request_id, &mut fx);
            }
            Input::Decline => {
                self.prompt_open = false;
                self.notice = Some(Say::ConsentNeeded);
            }
            Input::Consented(answer) => self.consented(answer, &mut fx),
            Input::Started(answer) => self.started(answer, &mut fx),
            Input::Opened(socket) if socket == self.socket => self.hello(&mut fx),
            Input::Frame(socket, frame) if socket == self.socket => self.on_frame(frame, &mut fx),
            Input::Closed(socket, jitter) if socket == self.socket => {
                if self.conversation().is_some() {
                    self.reconnect_later(jitter, &mut fx);
                } else {
                    self.phase = Phase::Idle;
                }
            }
            // An older socket's news.
            Input::Opened(_) | Input::Frame(..) | Input::Closed(..) => {}
            Input::Timer(timer) => self.timer(timer, &mut fx),
            Input::FormLoaded(Ok(form)) => {
                self.form = form.filter(|f| !f.fields.is_empty() || !f.agreements.is_empty());
                self.offer(&mut fx);
            }
            // Asked again at the next `welcome`.
            Input::FormLoaded(Err(_)) => self.form_requested = false,
            // A refused identity (wrong or old hash) is the site's to fix; a failed
            // request may be retried by the next change.
            Input::Identified(answer) => {
                if answer == Err(ApiError::Network) {
                    self.identified = None;
                }
            }
            Input::Show(panel, open) => self.show(panel, open),
            Input::SendForm {
                details,
                checks,
                request_id,
            } => self.send_form(&details, &checks, request_id, &mut fx),
            Input::FormSent(answer) => {
                self.form_busy = false;
                match answer {
                    Ok(()) => {
                        self.form_open = false;
                        self.notice = Some(Say::FormSent);
                    }
                    Err(error) => {
                        self.form_error = Some(match error.code() {
                            Some(ErrorCode::ConsentRequired) => Say::Consent,
                            Some(ErrorCode::InvalidField) => Say::Fields,
                            _ => Say::of(&error),
                        })
                    }
                }
            }
            Input::Withdraw => self.withdraw(&mut fx),
            Input::Withdrawn(answer) => {
                self.withdrawing = false;
                self.confirm_open = false;
                fx.push(Effect::Focus("cn-input"));
                match answer {
                    // 401: the server no longer knows this visitor; nothing to keep.
                    Ok(()) | Err(ApiError::Status { status: 401, .. }) => self.end(&mut fx),
                    Err(error) => self.error = Some(Say::of(&error)),
                }
            }
            Input::Rate { rating, comment } => self.rate(rating, comment, &mut fx),
            Input::Rated(answer) => {
                self.rating = false;
                match answer {
                    Ok(()) => {
                        self.rated = true;
                        self.rate_open = false;
                        self.notice = Some(Say::Rated);
                        fx.push(Effect::Focus("cn-input"));
                    }
                    Err(error) => self.error = Some(Say::of(&error)),
                }
            }
            Input::Mail(email) => self.mail(email, &mut fx),
            Input::Mailed(answer) => {
                self.mailing = false;
                match answer {
                    Ok(answer) => {
                        self.mail_open = false;
                        self.mail_sent = answer.queued;
                        self.mailed = answer.email;
                        fx.push(Effect::Focus("cn-input"));
                    }
                    Err(error) => {
                        self.mail_error = Some(match error.code() {
                            Some(ErrorCode::InvalidField) => Say::Email,
                            Some(ErrorCode::MailOff) => Say::MailOff,
                            _ => Say::of(&error),
                        })
                    }
                }
            }
        }
        fx
    }

    fn show(&mut self, panel: Panel, open: bool) {
        match panel {
            Panel::Form => {
                self.form_open = open;
                self.form_error = None;
            }
            Panel::Confirm => self.confirm_open = open,
            Panel::Rate => self.rate_open = open,
            Panel::Mail => {
                self.mail_open = open;
                self.mail_error = None;
            }
        }
    }

    /// The composer's send: validates the draft, then sends it, asks for consent
    /// first, or starts the conversation.
    fn submit(&mut self, client_id: Option<String>, fx: &mut Vec<Effect>) {
        if self.draft.trim().is_empty() || self.phase == Phase::Starting {
            return;
        }
        if self.draft.chars().count() > limits::MAX_MESSAGE_CHARS {
            self.error = Some(Say::TooLong);
            return;
        }
        if !self.slowed {
            self.error = None;
        }
        self.notice = None;
        self.ended = false;
        if self.conversation().is_some() {
            if let Some(client_id) = self.queue_draft(client_id, fx) {
                self.flush_one(&client_id, fx);
                // The draft is empty now: the agent hears the stop after the message.
                self.typed(fx);
            }
        } else if self.agreement.is_some() && self.stored.is_none() {
            // Nothing goes before the visitor accepts; the draft stays until then.
            self.prompt_open = true;
            self.starting = client_id;
        } else {
            self.starting = client_id;
            self.start(fx);
        }
    }

    /// Moves the draft into the transcript as a pending message.
    fn queue_draft(&mut self, client_id: Option<String>, fx: &mut Vec<Effect>) -> Option<String> {
        let Some(client_id) = client_id else {
            self.error = Some(Say::Generic);
            return None;
        };
        let text = std::mem::take(&mut self.draft);
        self.transcript.push_pending(client_id.clone(), text);
        self.save_outbox(fx);
        Some(client_id)
    }

    /// Keeps the outbox with the stored session, so that what the visitor wrote
    /// survives a closed page. Nothing is stored before there is a session (consent).
    fn save_outbox(&mut self, fx: &mut Vec<Effect>) {
        let outbox = self.transcript.outbox();
        if let Some(stored) = self.stored.as_mut().filter(|s| s.outbox != outbox) {
            stored.outbox = outbox;
            fx.push(Effect::Store(Some(stored.clone())));
        }
    }

    /// Keeps `session` with the outbox as it is now.
    fn keep(&mut self, mut session: StoredSession, fx: &mut Vec<Effect>) {
        session.outbox = self.transcript.outbox();
        fx.push(Effect::Store(Some(session.clone())));
        self.stored = Some(session);
        self.identify(fx);
    }

    /// The visitor accepted: the message goes into the outbox and the consent is
    /// recorded (or, with a stored visitor, the conversation is started).
    fn consent(&mut self, request_id: Option<String>, fx: &mut Vec<Effect>) {
        let Some(page) = self.page.clone() else {
            self.error = Some(Say::Page);
            return;
        };
        let agreement = match (&self.stored, &self.agreement) {
            (None, Some(agreement)) => agreement.version_id.clone(),
            _ => return self.start(fx),
        };
        if self.queue_draft(self.starting.clone(), fx).is_none() {
            return;
        }
        self.phase = Phase::Starting;
        fx.push(Effect::PostConsent(ConsentRequest {
            agreement_version_id: agreement,
            page_url: page.page_url,
            request_id,
        }));
    }

    fn consented(&mut self, answer: Result<ConsentCreated, ApiError>, fx: &mut Vec<Effect>) {
        match answer {
            Ok(created) => {
                let consented = StoredSession {
                    visitor_token: created.visitor_token,
                    consent_id: Some(created.consent_id),
                    conversation_id: None,
                    outbox: Vec::new(),
                };
                self.keep(consented, fx);
                fx.push(Effect::Tell(ToHost::Consent));
                self.redirect = self
                    .agreement
                    .as_ref()
                    .and_then(|a| a.redirect_url.clone())
                    .filter(|url| host::is_redirect_url(url));
                self.post_conversation(fx);
            }
            Err(error) => self.not_started(Say::of(&error)),
        }
    }

    /// Starts the conversation: the draft goes into the outbox and the
    /// conversation is created.
    fn start(&mut self, fx: &mut Vec<Effect>) {
        if self.page.is_none() {
            self.error = Some(Say::Page);
            return;
        }
        if self.queue_draft(self.starting.clone(), fx).is_none() {
            return;
        }
        self.phase = Phase::Starting;
        self.post_conversation(fx);
    }

    fn post_conversation(&mut self, fx: &mut Vec<Effect>) {
        let page = self.page.clone().unwrap_or_default();
        let stored = self.stored.as_ref();
        fx.push(Effect::PostConversation(ConversationRequest {
            visitor_token: stored.map(|s| s.visitor_token.clone()),
            consent_id: stored.and_then(|s| s.consent_id.clone()),
            page_url: Some(page.page_url),
            utm: page.utm,
        }));
    }

    fn started(&mut self, answer: Result<ConversationCreated, ApiError>, fx: &mut Vec<Effect>) {
        match answer {
            Ok(created) => {
                let started = StoredSession {
                    visitor_token: created.visitor_token,
                    consent_id: self.stored.take().and_then(|s| s.consent_id),
                    conversation_id: Some(created.conversation_id),
                    outbox: Vec::new(),
                };
                self.keep(started, fx);
                self.offer_form = true;
                self.connect(fx);
            }
            Err(error) => {
                if matches!(
                    error.code(),
                    Some(ErrorCode::Unauthorized | ErrorCode::ConsentRequired)
                ) {
                    // The stored visitor or consent is no longer valid: ask afresh.
                    self.forget(fx);
                }
                self.not_started(Say::of(&error));
            }
        }
    }

    /// The start failed: the message goes back to the draft (unless the visitor
    /// wrote another meanwhile).
    fn not_started(&mut self, why: Say) {
        let text = self
            .starting
            .take()
            .and_then(|id| self.transcript.remove_pending(&id));
        if let Some(text) = text.filter(|_| self.draft.is_empty()) {
            self.draft = text;
        }
        self.error = Some(why);
        self.phase = Phase::Idle;
    }

    /// Opens a socket for the stored conversation (replacing an old one).
    fn connect(&mut self, fx: &mut Vec<Effect>) {
        if self.conversation().is_none() {
            return;
        }
        if self.phase != Phase::Reconnecting {
            self.phase = Phase::Connecting;
        }
        self.socket += 1;
        fx.push(Effect::Open(self.socket));
    }

    fn reconnect_later(&mut self, jitter: f64, fx: &mut Vec<Effect>) {
        self.phase = Phase::Reconnecting;
        fx.push(Effect::After(Timer::Reconnect, self.backoff.next(jitter)));
    }

    /// The socket is open: resume after the last message held.
    fn hello(&mut self, fx: &mut Vec<Effect>) {
        if let Some((conversation_id, visitor_token)) = self.conversation() {
            fx.push(Effect::Send(ClientFrame::Hello {
                conversation_id,
                visitor_token,
                last_seq: self.transcript.last_seq(),
                // Where the visitor is now: the consoles show it.
                page_url: self.page.as_ref().map(|p| p.page_url.clone()),
            }));
        }
    }

    fn on_frame(&mut self, frame: ServerFrame, fx: &mut Vec<Effect>) {
        match frame {
            ServerFrame::Welcome { last_seq, .. } => {
                if !self.form_requested {
                    self.form_requested = true;
                    fx.push(Effect::FetchForm);
                }
                self.arrivals.welcome(last_seq);
                self.backoff.reset();
                // What this window holds beyond the server's newest message is lost
                // there: the visitor's own messages join the outbox sent below.
                if self.transcript.rewind(last_seq) {
                    self.save_outbox(fx);
                }
                self.phase = Phase::Live;
                self.error = None;
                self.send_outbox(fx);
            }
            ServerFrame::Ack {
                client_id,
                seq,
                sent_at,
            } => {
                if self.transcript.ack(&client_id, seq, sent_at) {
                    self.save_outbox(fx);
                    // A message went through: an earlier refusal is over.
                    self.error = None;
                    self.arrived(seq, fx);
                    self.first_stored = true;
                    self.offer(fx);
                }
            }
            ServerFrame::Message(message) => {
                if message.author == Author::Agent {
                    self.agent_typing = false;
                }
                let seq = message.seq;
                let own = message.client_id.is_some();
                if self.transcript.receive(message) {
                    if own {
                        // Maybe the echo of a visitor message whose ack was lost.
                        self.save_outbox(fx);
                    }
                    self.arrived(seq, fx);
                }
            }
            // The indicator shows until a stop, their message, or 6 s without news.
            ServerFrame::Typing { typing, .. } => {
                self.agent_typing = typing;
                self.typing_timers += 1;
                fx.push(Effect::After(Timer::TypingShown, TYPING_SHOWS));
            }
            // The agent ended the chat: say so and ask for a rating if the channel
            // wants one, unless one was given. A transcript asked for goes now.
            ServerFrame::Closed => {
                self.agent_typing = false;
                self.ended = true;
                self.mail_sent = true;
                self.notice = Some(Say::Ended);
                if self.asks_rating && !self.rated {
                    self.rate_open = true;
                    fx.push(Effect::Focus("cn-rate-good"));
                }
            }
            // A refused `typing` (the conversation is closed): nothing to tell.
            ServerFrame::Error {
                code: ErrorCode::RoutingRefused,
                ..
            } => {}
            ServerFrame::Error { code, .. } => self.refused(code, fx),
        }
    }

    fn refused(&mut self, code: ErrorCode, fx: &mut Vec<Effect>) {
        // Withdrawn (by an admin, or in another tab), or the stored conversation
        // is gone: forget the session; the next send starts over.
        if code == ErrorCode::ConsentWithdrawn
            || (self.phase != Phase::Live
                && matches!(
                    code,
                    ErrorCode::Unauthorized
                        | ErrorCode::UnknownConversation
                        | ErrorCode::NotAuthenticated
                ))
        {
            self.forget(fx);
            self.transcript = Transcript::default();
            self.arrivals = Arrivals::default();
            self.phase = Phase::Idle;
            self.error = Some(Say::Session);
            // Dropped: closed, and its close is not news.
            self.socket += 1;
            fx.push(Effect::Close);
        } else if code == ErrorCode::RateLimited {
            // What was refused is still in the outbox; it goes again once the
            // bucket has refilled (one timer, however many frames were refused).
            self.error = Some(Say::SlowDown);
            if !self.slowed {
                self.slowed = true;
                fx.push(Effect::After(Timer::SlowedDown, SLOW_DOWN));
            }
        } else {
            self.error = Some(match code {
                ErrorCode::TooLarge => Say::TooLong,
                ErrorCode::Banned | ErrorCode::ChannelOff => Say::Unavailable,
                _ => Say::Generic,
            });
        }
    }

    fn timer(&mut self, timer: Timer, fx: &mut Vec<Effect>) {
        match timer {
            Timer::Reconnect => self.connect(fx),
            Timer::TypingShown => {
                self.typing_timers = self.typing_timers.saturating_sub(1);
                if self.typing_timers == 0 {
                    self.agent_typing = false;
                }
            }
            Timer::TypingCooled => self.typing_cooling = false,
            Timer::DraftDue => {
                self.draft_due = false;
                // What the server takes: no control characters but line breaks
                // and tabs, a message's length at most.
                let draft: String = self
                    .draft
                    .chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                    .take(limits::MAX_DRAFT_CHARS)
                    .collect();
                self.send(
                    ClientFrame::Typing {
                        typing: !draft.is_empty(),
                        draft: Some(draft),
                    },
                    fx,
                );
            }
            Timer::SlowedDown => {
                self.slowed = false;
                self.send_outbox(fx);
            }
        }
    }

    /// The draft changed: tells the agent that the visitor writes (at most every
    /// 3 s while they go on) or stopped. No text goes, unless the channel's live
    /// preview is on: then the draft as it is [`DRAFT_SEND_MS`] after a change
    /// goes with `typing`. Before a conversation there is no socket: nothing goes.
    fn typed(&mut self, fx: &mut Vec<Effect>) {
        // Over the socket's rate, the frames left are for the messages.
        if self.slowed || self.phase != Phase::Live {
            return;
        }
        if self.preview {
            if !self.draft_due {
                self.draft_due = true;
                fx.push(Effect::After(
                    Timer::DraftDue,
                    Duration::from_millis(DRAFT_SEND_MS),
                ));
            }
            return;
        }
        let typing = !self.draft.is_empty();
        if typing && !self.typing_cooling {
            fx.push(Effect::After(Timer::TypingCooled, TYPING_EVERY));
        } else if typing || !self.told_typing {
            return;
        }
        // After a stop, the next key says "typing" again at once.
        self.typing_cooling = typing;
        self.told_typing = typing;
        self.send(
            ClientFrame::Typing {
                typing,
                draft: None,
            },
            fx,
        );
    }

    /// Tells the host page of the stored message `seq`, if it is news.
    fn arrived(&self, seq: u64, fx: &mut Vec<Effect>) {
        if !self.arrivals.is_new(seq) {
            return;
        }
        if let Some(arrival) = self.transcript.by_seq(seq).and_then(Arrival::of) {
            fx.push(Effect::Tell(ToHost::Message(arrival)));
        }
    }

    /// After the first message of a conversation started here is stored: the
    /// agreement's redirect, and the contact form (once, when the channel asks for
    /// it in the chat; otherwise it waits in the menu).
    fn offer(&mut self, fx: &mut Vec<Effect>) {
        if !self.first_stored {
            return;
        }
        if let Some(url) = self.redirect.take() {
            fx.push(Effect::Tell(ToHost::Redirect(url)));
        }
        if self.offer_form && self.form.as_ref().is_some_and(|f| f.ask_in_chat) {
            self.offer_form = false;
            self.form_open = true;
        }
    }

    /// Drops the stored session: the server does not know it any more.
    fn forget(&mut self, fx: &mut Vec<Effect>) {
        fx.push(Effect::Store(None));
        self.stored = None;
        // Nothing goes by e-mail for a conversation the server does not know.
        self.mail_open = false;
        self.mailed.clear();
        self.identified = None;
    }

    /// Sends the host page's user to `identify`, once per token and user, and only
    /// while a visitor token is held (so never before consent).
    fn identify(&mut self, fx: &mut Vec<Effect>) {
        let (Some(user), Some(stored)) = (&self.user, &self.stored) else {
            return;
        };
        let sent = (stored.visitor_token.clone(), user.clone());
        if self.identified.as_ref() == Some(&sent) {
            return;
        }
        self.identified = Some(sent.clone());
        let (visitor_token, user) = sent;
        fx.push(Effect::Identify(IdentifyRequest {
            visitor_token,
            user,
        }));
    }

    /// Sends the contact form. Refused here already when a required agreement is
    /// not ticked; the server's refusal shows in the form.
    fn send_form(
        &mut self,
        details: &Details,
        checks: &Checks,
        request_id: Option<String>,
        fx: &mut Vec<Effect>,
    ) {
        if self.form_busy {
            return;
        }
        if !checks.ready() {
            self.form_error = Some(Say::Consent);
            return;
        }
        let Some(page) = &self.page else {
            self.form_error = Some(Say::Page);
            return;
        };
        let Some(stored) = &self.stored else {
            self.form_error = Some(Say::Session);
            return;
        };
        fx.push(Effect::SubmitForm(form::submission(
            stored.visitor_token.clone(),
            stored.conversation_id.clone(),
            page.page_url.clone(),
            details,
            checks,
            request_id,
        )));
        self.form_busy = true;
        self.form_error = None;
    }

    fn withdraw(&mut self, fx: &mut Vec<Effect>) {
        let Some(stored) = &self.stored else {
            self.confirm_open = false;
            return;
        };
        if self.withdrawing {
            return;
        }
        self.withdrawing = true;
        fx.push(Effect::Withdraw(VisitorWithdrawal {
            visitor_token: stored.visitor_token.clone(),
            agreement_id: None,
        }));
    }

    /// After a withdrawal: no socket, no stored session, no outbox; a new message
    /// asks for consent afresh.
    fn end(&mut self, fx: &mut Vec<Effect>) {
        self.socket += 1;
        fx.push(Effect::Close);
        self.forget(fx);
        self.transcript = Transcript::default();
        self.arrivals = Arrivals::default();
        self.backoff = RECONNECT;
        self.redirect = None;
        self.offer_form = false;
        self.first_stored = false;
        self.form_requested = false;
        self.form = None;
        self.form_open = false;
        self.phase = Phase::Idle;
        self.error = None;
        self.notice = Some(Say::Withdrawn);
    }

    fn rate(&mut self, rating: Rating, comment: String, fx: &mut Vec<Effect>) {
        let Some((conversation_id, visitor_token)) = self.conversation() else {
            self.rate_open = false;
            return;
        };
        if self.rating {
            return;
        }
        self.rating = true;
        fx.push(Effect::Rate {
            conversation_id,
            request: RateConversation {
                visitor_token,
                rating,
                comment: Some(comment).filter(|c| !c.trim().is_empty()),
            },
        });
    }

    fn mail(&mut self, email: String, fx: &mut Vec<Effect>) {
        let Some((conversation_id, visitor_token)) = self.conversation() else {
            self.mail_open = false;
            return;
        };
        if self.mailing {
            return;
        }
        self.mailing = true;
        self.mail_error = None;
        fx.push(Effect::Mail {
            conversation_id,
            request: RequestTranscript {
                visitor_token,
                email,
            },
        });
    }

    /// Sends the pending message at once when the socket is live and not over its
    /// rate; otherwise it waits in the outbox for the next `welcome` or retry.
    fn flush_one(&mut self, client_id: &str, fx: &mut Vec<Effect>) {
        if self.phase != Phase::Live || self.slowed {
            return;
        }
        let text = self
            .transcript
            .pending()
            .find(|e| e.client_id.as_deref() == Some(client_id))
            .map(|e| e.text.clone());
        if let Some(text) = text {
            fx.push(Effect::Send(ClientFrame::Send {
                client_id: client_id.to_owned(),
                text,
            }));
        }
    }

    /// Sends everything not yet acknowledged (again) while the socket is live; the
    /// server stores each client id once.
    fn send_outbox(&mut self, fx: &mut Vec<Effect>) {
        if self.phase != Phase::Live {
            return;
        }
        for (client_id, text) in self.transcript.outbox() {
            fx.push(Effect::Send(ClientFrame::Send { client_id, text }));
        }
    }

    fn send(&self, frame: ClientFrame, fx: &mut Vec<Effect>) {
        if self.phase == Phase::Live {
            fx.push(Effect::Send(frame));
        }
    }
}

// Native tier: `cargo test -p canal-widget` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests {
    use canal_protocol::{
        admin::{Behaviour, TextFormat},
        MessageView,
    };

    use super::*;

    fn agreement() -> AgreementView {
        AgreementView {
            agreement_id: "agr_1".into(),
            version_id: "ver_1".into(),
            title: "Personal data".into(),
            text: "We keep what you write.".into(),
            text_format: TextFormat::Plain,
            label: "I agree".into(),
            sha256: "00".into(),
            behaviour: Behaviour::RequiredAutoAccepted,
            redirect_url: Some("https://shop.example/thanks".into()),
            full_text_path: "/agreements/ver_1".into(),
        }
    }

    fn config(consent: bool) -> ChannelConfig {
        ChannelConfig {
            channel: "ch".into(),
            title: "Support".into(),
            greeting: None,
            greetings: Default::default(),
            locale: None,
            consent: consent.then(agreement),
            theme: Default::default(),
            hours: None,
            offline: false,
            email: false,
            typing_preview: false,
            rating: true,
        }
    }

    fn page() -> HostPage {
        HostPage {
            page_url: "https://shop.example/cart".into(),
            utm: None,
        }
    }

    fn stored(outbox: &[(&str, &str)]) -> StoredSession {
        StoredSession {
            visitor_token: "tok".into(),
            consent_id: Some("con_1".into()),
            conversation_id: Some("cnv_1".into()),
            outbox: outbox
                .iter()
                .map(|(id, text)| (id.to_string(), text.to_string()))
                .collect(),
        }
    }

    /// A message as the server sends it (the chat's tests use it too).
    pub(crate) fn message(
        seq: u64,
        author: Author,
        text: &str,
        client_id: Option<&str>,
    ) -> MessageView {
        MessageView {
            seq,
            author,
            text: text.into(),
            client_id: client_id.map(Into::into),
            sent_at: "2026-01-01T00:00:00Z".into(),
            author_name: None,
            author_avatar: None,
        }
    }

    fn send(client_id: &str, text: &str) -> Effect {
        Effect::Send(ClientFrame::Send {
            client_id: client_id.into(),
            text: text.into(),
        })
    }

    fn ack(client_id: &str, seq: u64) -> Input {
        Input::Frame(
            1,
            ServerFrame::Ack {
                client_id: client_id.into(),
                seq,
                sent_at: "2026-01-01T00:00:00Z".into(),
            },
        )
    }

    fn welcome(socket: u32, last_seq: u64) -> Input {
        Input::Frame(
            socket,
            ServerFrame::Welcome {
                conversation_id: "cnv_1".into(),
                last_seq,
            },
        )
    }

    fn error(code: ErrorCode) -> Input {
        Input::Frame(
            1,
            ServerFrame::Error {
                code,
                message: String::new(),
            },
        )
    }

    fn sends(fx: &[Effect]) -> Vec<&Effect> {
        fx.iter()
            .filter(|e| matches!(e, Effect::Send(ClientFrame::Send { .. })))
            .collect()
    }

    /// A returning visitor's window, welcomed on its first socket.
    fn live(outbox: &[(&str, &str)]) -> State {
        let (mut state, _) = State::new(&config(true), Some(stored(outbox)), Some(page()));
        state.reduce(Input::Opened(1));
        state.reduce(welcome(1, 0));
        state
    }

    fn write(state: &mut State, text: &str, client_id: &str) -> Vec<Effect> {
        state.reduce(Input::Draft(text.into()));
        state.reduce(Input::Submit {
            text: text.into(),
            client_id: Some(client_id.into()),
        })
    }

    #[test]
    fn nothing_is_requested_or_stored_before_the_visitor_accepts() {
        let (mut state, fx) = State::new(&config(true), None, Some(page()));
        assert!(fx.is_empty());
        assert!(write(&mut state, "Hello", "c1").is_empty());
        assert!(state.prompt_open);
        // Declining: still nothing, and the draft stays.
        assert!(state.reduce(Input::Decline).is_empty());
        assert_eq!(state.draft, "Hello");
        assert_eq!(state.notice, Some(Say::ConsentNeeded));
        assert!(state.transcript.entries().is_empty());
    }

    #[test]
    fn accepting_records_consent_then_stores_the_token_then_starts_and_connects() {
        let (mut state, _) = State::new(&config(true), None, Some(page()));
        write(&mut state, "Hello", "c1");
        let fx = state.reduce(Input::Accept {
            request_id: Some("r1".into()),
        });
        assert_eq!(
            fx,
            vec![Effect::PostConsent(ConsentRequest {
                agreement_version_id: "ver_1".into(),
                page_url: page().page_url,
                request_id: Some("r1".into()),
            })]
        );
        assert_eq!(state.phase, Phase::Starting);
        assert_eq!(
            state.transcript.outbox(),
            vec![("c1".into(), "Hello".into())]
        );
        let fx = state.reduce(Input::Consented(Ok(ConsentCreated {
            consent_id: "con_1".into(),
            visitor_id: "vis_1".into(),
            visitor_token: "tok".into(),
            recorded_at: "2026-01-01T00:00:00Z".into(),
        })));
        let kept = StoredSession {
            visitor_token: "tok".into(),
            consent_id: Some("con_1".into()),
            conversation_id: None,
            outbox: vec![("c1".into(), "Hello".into())],
        };
        assert_eq!(fx[0], Effect::Store(Some(kept)));
        assert_eq!(fx[1], Effect::Tell(ToHost::Consent));
        assert!(matches!(&fx[2], Effect::PostConversation(r)
            if r.visitor_token.as_deref() == Some("tok") && r.consent_id.as_deref() == Some("con_1")));
        let fx = state.reduce(Input::Started(Ok(ConversationCreated {
            conversation_id: "cnv_1".into(),
            visitor_token: "tok".into(),
        })));
        assert_eq!(fx[0], Effect::Store(Some(stored(&[("c1", "Hello")]))));
        assert_eq!(fx[1], Effect::Open(1));
        assert_eq!(state.phase, Phase::Connecting);
        // Open: hello from 0; welcome: the outbox goes and the form is asked for.
        assert_eq!(
            state.reduce(Input::Opened(1)),
            vec![Effect::Send(ClientFrame::Hello {
                conversation_id: "cnv_1".into(),
                visitor_token: "tok".into(),
                last_seq: 0,
                page_url: Some(page().page_url),
            })]
        );
        let fx = state.reduce(welcome(1, 0));
        assert_eq!(fx, vec![Effect::FetchForm, send("c1", "Hello")]);
        assert_eq!(state.phase, Phase::Live);
        // The ack: stored without the outbox, and the agreement's redirect goes.
        let fx = state.reduce(ack("c1", 1));
        assert_eq!(fx[0], Effect::Store(Some(stored(&[]))));
        assert!(fx.contains(&Effect::Tell(ToHost::Redirect(
            "https://shop.example/thanks".into()
        ))));
    }

    #[test]
    fn a_failed_start_gives_the_message_back_to_the_draft() {
        let (mut state, _) = State::new(&config(false), None, Some(page()));
        let fx = write(&mut state, "Hello", "c1");
        assert!(matches!(&fx[..], [Effect::PostConversation(r)] if r.visitor_token.is_none()));
        assert_eq!(state.draft, "");
        state.reduce(Input::Started(Err(ApiError::Network)));
        assert_eq!(state.draft, "Hello");
        assert!(state.transcript.entries().is_empty());
        assert_eq!(state.error, Some(Say::Network));
        assert_eq!(state.phase, Phase::Idle);
    }

    #[test]
    fn a_refused_stored_visitor_is_forgotten_and_consent_asked_again() {
        let mut session = stored(&[]);
        session.conversation_id = None;
        let (mut state, fx) = State::new(&config(true), Some(session), Some(page()));
        assert!(fx.is_empty(), "no conversation: no socket");
        let fx = write(&mut state, "Hi", "c1");
        assert!(matches!(
            &fx[..],
            [Effect::Store(Some(_)), Effect::PostConversation(_)]
        ));
        let fx = state.reduce(Input::Started(Err(ApiError::Status {
            status: 401,
            code: Some(ErrorCode::Unauthorized),
            message: None,
        })));
        assert_eq!(fx, vec![Effect::Store(None)]);
        assert!(!state.active());
        write(&mut state, "Hi", "c2");
        assert!(state.prompt_open);
    }

    #[test]
    fn a_returning_visitor_resumes_with_its_outbox() {
        let (mut state, fx) = State::new(&config(true), Some(stored(&[("c9", "Old")])), None);
        assert_eq!(fx, vec![Effect::Open(1)]);
        assert_eq!(state.transcript.outbox(), vec![("c9".into(), "Old".into())]);
        state.reduce(Input::Opened(1));
        assert_eq!(
            sends(&state.reduce(welcome(1, 0))),
            vec![&send("c9", "Old")]
        );
    }

    #[test]
    fn messages_go_at_once_while_live_and_wait_while_not() {
        let mut state = live(&[]);
        let fx = write(&mut state, "One", "c1");
        // The message, then the stop of the typing its draft began.
        let stop = Effect::Send(ClientFrame::Typing {
            typing: false,
            draft: None,
        });
        assert_eq!(
            fx,
            vec![
                Effect::Store(Some(stored(&[("c1", "One")]))),
                send("c1", "One"),
                stop
            ]
        );
        // The socket drops: the next message waits in the outbox.
        let fx = state.reduce(Input::Closed(1, 0.5));
        assert_eq!(
            fx,
            vec![Effect::After(Timer::Reconnect, Duration::from_secs(1))]
        );
        assert_eq!(state.phase, Phase::Reconnecting);
        let fx = write(&mut state, "Two", "c2");
        assert!(sends(&fx).is_empty());
        assert_eq!(
            fx,
            vec![Effect::Store(Some(stored(&[("c1", "One"), ("c2", "Two")])))]
        );
    }

    #[test]
    fn after_a_reconnect_the_outbox_goes_again_in_order_after_hello() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        state.reduce(Input::Closed(1, 0.5));
        write(&mut state, "Two", "c2");
        // Backoff doubles while the server stays away.
        assert_eq!(
            state.reduce(Input::Timer(Timer::Reconnect)),
            vec![Effect::Open(2)]
        );
        assert_eq!(
            state.reduce(Input::Closed(2, 0.5)),
            vec![Effect::After(Timer::Reconnect, Duration::from_secs(2))]
        );
        assert_eq!(
            state.reduce(Input::Timer(Timer::Reconnect)),
            vec![Effect::Open(3)]
        );
        assert_eq!(state.phase, Phase::Reconnecting);
        let hello = state.reduce(Input::Opened(3));
        assert!(matches!(
            &hello[..],
            [Effect::Send(ClientFrame::Hello { last_seq: 0, .. })]
        ));
        let fx = state.reduce(welcome(3, 0));
        assert_eq!(sends(&fx), vec![&send("c1", "One"), &send("c2", "Two")]);
        // Welcomed: the schedule starts again at 1 s.
        assert_eq!(
            state.reduce(Input::Closed(3, 0.5)),
            vec![Effect::After(Timer::Reconnect, Duration::from_secs(1))]
        );
    }

    #[test]
    fn an_old_sockets_news_is_ignored() {
        let mut state = live(&[]);
        state.reduce(Input::Closed(1, 0.5));
        state.reduce(Input::Timer(Timer::Reconnect));
        assert!(state.reduce(Input::Closed(1, 0.5)).is_empty());
        assert!(state.reduce(Input::Opened(1)).is_empty());
        assert!(state.reduce(welcome(1, 5)).is_empty());
        assert_eq!(state.phase, Phase::Reconnecting);
    }

    #[test]
    fn acks_mark_messages_sent_once_and_resume_after_the_last_whole_sequence() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        write(&mut state, "Two", "c2");
        // The ack of the second comes first: `hello` still resumes from 0.
        state.reduce(ack("c2", 2));
        assert_eq!(state.transcript.last_seq(), 0);
        state.reduce(ack("c1", 1));
        assert_eq!(state.transcript.last_seq(), 2);
        assert!(state.transcript.outbox().is_empty());
        // Again (a replay): nothing changes, nothing is stored.
        assert!(state.reduce(ack("c1", 1)).is_empty());
    }

    #[test]
    fn a_welcome_behind_the_frame_drops_what_the_server_lost_and_resends_it() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        state.reduce(ack("c1", 1));
        state.reduce(Input::Frame(
            1,
            ServerFrame::Message(message(2, Author::Agent, "Hi", None)),
        ));
        state.reduce(Input::Closed(1, 0.5));
        state.reduce(Input::Timer(Timer::Reconnect));
        state.reduce(Input::Opened(2));
        let fx = state.reduce(welcome(2, 0));
        assert_eq!(sends(&fx), vec![&send("c1", "One")]);
        assert_eq!(state.transcript.entries().len(), 1);
    }

    #[test]
    fn only_messages_after_the_first_welcome_are_news_for_the_host_page() {
        let (mut state, _) = State::new(&config(true), Some(stored(&[])), Some(page()));
        state.reduce(Input::Opened(1));
        state.reduce(welcome(1, 1));
        let old = state.reduce(Input::Frame(
            1,
            ServerFrame::Message(message(1, Author::Agent, "Earlier", None)),
        ));
        assert!(old.is_empty());
        let new = state.reduce(Input::Frame(
            1,
            ServerFrame::Message(message(2, Author::Agent, "Now", None)),
        ));
        assert_eq!(
            new,
            vec![Effect::Tell(ToHost::Message(Arrival {
                author: Author::Agent,
                seq: 2,
                text: Some("Now".into()),
            }))]
        );
        // The same message again: not news twice.
        let again = state.reduce(Input::Frame(
            1,
            ServerFrame::Message(message(2, Author::Agent, "Now", None)),
        ));
        assert!(again.is_empty());
    }

    #[test]
    fn the_echo_of_an_own_message_whose_ack_was_lost_clears_the_outbox() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        let fx = state.reduce(Input::Frame(
            1,
            ServerFrame::Message(message(1, Author::Visitor, "One", Some("c1"))),
        ));
        assert_eq!(fx[0], Effect::Store(Some(stored(&[]))));
        assert!(state.transcript.outbox().is_empty());
    }

    #[test]
    fn the_agents_typing_shows_until_the_last_timer_or_their_message() {
        let mut state = live(&[]);
        let typing = |on| {
            Input::Frame(
                1,
                ServerFrame::Typing {
                    typing: on,
                    name: None,
                },
            )
        };
        assert_eq!(
            state.reduce(typing(true)),
            vec![Effect::After(Timer::TypingShown, TYPING_SHOWS)]
        );
        state.reduce(typing(true));
        state.reduce(Input::Timer(Timer::TypingShown));
        assert!(state.agent_typing, "a later start still runs");
        state.reduce(Input::Timer(Timer::TypingShown));
        assert!(!state.agent_typing);
        state.reduce(typing(true));
        state.reduce(Input::Frame(
            1,
            ServerFrame::Message(message(1, Author::Agent, "Hi", None)),
        ));
        assert!(!state.agent_typing);
    }

    #[test]
    fn the_visitors_typing_goes_at_most_every_3_s_and_its_stop_once() {
        let mut state = live(&[]);
        let typing = |on| {
            Effect::Send(ClientFrame::Typing {
                typing: on,
                draft: None,
            })
        };
        assert_eq!(
            state.reduce(Input::Draft("H".into())),
            vec![
                Effect::After(Timer::TypingCooled, TYPING_EVERY),
                typing(true)
            ]
        );
        assert!(state.reduce(Input::Draft("He".into())).is_empty());
        state.reduce(Input::Timer(Timer::TypingCooled));
        assert_eq!(
            state.reduce(Input::Draft("Hel".into())).last(),
            Some(&typing(true))
        );
        assert_eq!(
            state.reduce(Input::Draft(String::new())),
            vec![typing(false)]
        );
        assert!(state.reduce(Input::Draft(String::new())).is_empty());
        // Before a conversation: nothing at all.
        let (mut idle, _) = State::new(&config(true), None, Some(page()));
        assert!(idle.reduce(Input::Draft("H".into())).is_empty());
    }

    #[test]
    fn the_live_preview_sends_the_cleaned_draft_when_due() {
        let mut cfg = config(true);
        cfg.typing_preview = true;
        let (mut state, _) = State::new(&cfg, Some(stored(&[])), Some(page()));
        state.reduce(Input::Opened(1));
        state.reduce(welcome(1, 0));
        let due = Duration::from_millis(DRAFT_SEND_MS);
        assert_eq!(
            state.reduce(Input::Draft("a".into())),
            vec![Effect::After(Timer::DraftDue, due)]
        );
        assert!(state.reduce(Input::Draft("ab\u{7}c".into())).is_empty());
        assert_eq!(
            state.reduce(Input::Timer(Timer::DraftDue)),
            vec![Effect::Send(ClientFrame::Typing {
                typing: true,
                draft: Some("abc".into()),
            })]
        );
    }

    #[test]
    fn over_the_rate_the_outbox_waits_for_one_timer_then_goes_again() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        let fx = state.reduce(error(ErrorCode::RateLimited));
        assert_eq!(fx, vec![Effect::After(Timer::SlowedDown, SLOW_DOWN)]);
        assert!(state.reduce(error(ErrorCode::RateLimited)).is_empty());
        assert_eq!(state.error, Some(Say::SlowDown));
        // Meanwhile a new message and typing wait.
        let fx = write(&mut state, "Two", "c2");
        assert!(sends(&fx).is_empty());
        assert_eq!(state.error, Some(Say::SlowDown), "kept while slowed");
        let fx = state.reduce(Input::Timer(Timer::SlowedDown));
        assert_eq!(fx, vec![send("c1", "One"), send("c2", "Two")]);
        state.reduce(ack("c1", 1));
        assert_eq!(state.error, None);
    }

    #[test]
    fn bad_frames_say_what_they_can_and_change_nothing_else() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        // An ack of a message this window never wrote.
        assert!(state.reduce(ack("nobody", 7)).is_empty());
        assert_eq!(state.transcript.outbox().len(), 1);
        // A refused `typing`: nothing to tell.
        assert!(state.reduce(error(ErrorCode::RoutingRefused)).is_empty());
        assert_eq!(state.error, None);
        state.reduce(error(ErrorCode::TooLarge));
        assert_eq!(state.error, Some(Say::TooLong));
        state.reduce(error(ErrorCode::Banned));
        assert_eq!(state.error, Some(Say::Unavailable));
        // Unauthorized while live is a refused frame, not a lost session.
        state.reduce(error(ErrorCode::Unauthorized));
        assert!(state.active());
        assert_eq!(state.error, Some(Say::Generic));
    }

    #[test]
    fn a_session_the_server_lost_is_forgotten_before_welcome() {
        let (mut state, _) = State::new(&config(true), Some(stored(&[("c1", "x")])), Some(page()));
        state.reduce(Input::Opened(1));
        let fx = state.reduce(error(ErrorCode::UnknownConversation));
        assert_eq!(fx, vec![Effect::Store(None), Effect::Close]);
        assert!(!state.active());
        assert!(state.transcript.entries().is_empty());
        assert_eq!(state.error, Some(Say::Session));
        // Its close is not news.
        assert!(state.reduce(Input::Closed(1, 0.5)).is_empty());
        assert_eq!(state.phase, Phase::Idle);
    }

    #[test]
    fn a_withdrawal_elsewhere_forgets_the_visitor_even_while_live() {
        let mut state = live(&[]);
        let fx = state.reduce(error(ErrorCode::ConsentWithdrawn));
        assert_eq!(fx, vec![Effect::Store(None), Effect::Close]);
        assert!(!state.active());
    }

    #[test]
    fn the_agents_close_asks_for_a_rating_once() {
        let mut state = live(&[]);
        let fx = state.reduce(Input::Frame(1, ServerFrame::Closed));
        assert_eq!(fx, vec![Effect::Focus("cn-rate-good")]);
        assert!(state.ended && state.rate_open && state.mail_sent);
        assert_eq!(state.notice, Some(Say::Ended));
        let fx = state.reduce(Input::Rate {
            rating: Rating::Like,
            comment: "  ".into(),
        });
        assert!(
            matches!(&fx[..], [Effect::Rate { conversation_id, request }]
            if conversation_id == "cnv_1" && request.comment.is_none())
        );
        // Busy: a second click sends nothing.
        assert!(state
            .reduce(Input::Rate {
                rating: Rating::Like,
                comment: String::new(),
            })
            .is_empty());
        state.reduce(Input::Rated(Ok(())));
        assert!(!state.rate_open);
        assert_eq!(state.notice, Some(Say::Rated));
        // Closed again after writing again: no second rating dialog.
        write(&mut state, "More", "c5");
        assert!(!state.ended);
        assert!(state
            .reduce(Input::Frame(1, ServerFrame::Closed))
            .is_empty());
        assert!(!state.rate_open);
    }

    #[test]
    fn the_form_is_offered_once_after_the_first_stored_message_of_a_chat_started_here() {
        let (mut state, _) = State::new(&config(false), None, Some(page()));
        write(&mut state, "Hi", "c1");
        state.reduce(Input::Started(Ok(ConversationCreated {
            conversation_id: "cnv_1".into(),
            visitor_token: "tok".into(),
        })));
        state.reduce(Input::Opened(1));
        assert_eq!(state.reduce(welcome(1, 0))[0], Effect::FetchForm);
        state.reduce(Input::FormLoaded(Ok(Some(ContactFormView {
            fields: Vec::new(),
            agreements: vec![agreement()],
            ask_in_chat: true,
        }))));
        assert!(!state.form_open, "not before the first message is stored");
        state.reduce(ack("c1", 1));
        assert!(state.form_open);
        state.reduce(Input::Show(Panel::Form, false));
        write(&mut state, "Again", "c2");
        state.reduce(ack("c2", 2));
        assert!(!state.form_open);
        // No second request on the next welcome.
        state.reduce(Input::Closed(1, 0.5));
        state.reduce(Input::Timer(Timer::Reconnect));
        assert!(!state.reduce(welcome(2, 2)).contains(&Effect::FetchForm));
    }

    #[test]
    fn the_identity_goes_once_per_token_and_only_with_a_token() {
        let (mut state, _) = State::new(&config(true), None, Some(page()));
        let user = VisitorUser {
            id: "u1".into(),
            ..Default::default()
        };
        assert!(state.reduce(Input::User(Some(user.clone()))).is_empty());
        write(&mut state, "Hi", "c1");
        state.reduce(Input::Accept { request_id: None });
        let fx = state.reduce(Input::Consented(Ok(ConsentCreated {
            consent_id: "con_1".into(),
            visitor_id: "vis_1".into(),
            visitor_token: "tok".into(),
            recorded_at: String::new(),
        })));
        assert!(fx.contains(&Effect::Identify(IdentifyRequest {
            visitor_token: "tok".into(),
            user: user.clone(),
        })));
        assert!(state.reduce(Input::User(Some(user.clone()))).is_empty());
        // A failed request may go again with the next change.
        state.reduce(Input::Identified(Err(ApiError::Network)));
        assert_eq!(state.reduce(Input::User(Some(user))).len(), 1);
    }

    #[test]
    fn a_withdrawal_forgets_everything_and_the_next_message_asks_consent_again() {
        let mut state = live(&[]);
        write(&mut state, "One", "c1");
        state.reduce(Input::Show(Panel::Confirm, true));
        let fx = state.reduce(Input::Withdraw);
        assert!(matches!(&fx[..], [Effect::Withdraw(w)] if w.visitor_token == "tok"));
        assert!(state.reduce(Input::Withdraw).is_empty(), "once at a time");
        let fx = state.reduce(Input::Withdrawn(Ok(())));
        assert_eq!(
            fx,
            vec![
                Effect::Focus("cn-input"),
                Effect::Close,
                Effect::Store(None)
            ]
        );
        assert!(!state.confirm_open && !state.active());
        assert!(state.transcript.entries().is_empty());
        assert_eq!(state.notice, Some(Say::Withdrawn));
        write(&mut state, "Hi", "c2");
        assert!(state.prompt_open);
    }

    #[test]
    fn the_contact_form_needs_its_agreements_and_a_session() {
        let mut state = live(&[]);
        let mut checks = Checks::new(&[agreement()]);
        checks.tick(0, false);
        let input = |checks: &Checks| Input::SendForm {
            details: Details::default(),
            checks: checks.clone(),
            request_id: None,
        };
        assert!(state.reduce(input(&checks)).is_empty());
        assert_eq!(state.form_error, Some(Say::Consent));
        checks.tick(0, true);
        assert!(matches!(
            &state.reduce(input(&checks))[..],
            [Effect::SubmitForm(_)]
        ));
        assert!(state.form_busy);
        state.reduce(Input::FormSent(Err(ApiError::Status {
            status: 400,
            code: Some(ErrorCode::InvalidField),
            message: None,
        })));
        assert_eq!(state.form_error, Some(Say::Fields));
    }

    #[test]
    fn the_transcript_by_mail_says_where_it_goes() {
        let mut state = live(&[]);
        state.reduce(Input::Show(Panel::Mail, true));
        let fx = state.reduce(Input::Mail("a@b.example".into()));
        assert!(
            matches!(&fx[..], [Effect::Mail { request, .. }] if request.email == "a@b.example")
        );
        state.reduce(Input::Mailed(Err(ApiError::Status {
            status: 400,
            code: Some(ErrorCode::MailOff),
            message: None,
        })));
        assert_eq!(state.mail_error, Some(Say::MailOff));
        state.reduce(Input::Mail("a@b.example".into()));
        let fx = state.reduce(Input::Mailed(Ok(TranscriptRequested {
            email: "a@b.example".into(),
            queued: false,
        })));
        assert_eq!(fx, vec![Effect::Focus("cn-input")]);
        assert!(!state.mail_open && !state.mail_sent);
        assert_eq!(state.mailed, "a@b.example");
    }

    #[test]
    fn too_long_or_empty_drafts_go_nowhere() {
        let mut state = live(&[]);
        assert!(write(&mut state, "   ", "c1").is_empty());
        let long = "x".repeat(limits::MAX_MESSAGE_CHARS + 1);
        assert!(write(&mut state, &long, "c1")
            .iter()
            .all(|e| !matches!(e, Effect::Send(ClientFrame::Send { .. }))));
        assert_eq!(state.error, Some(Say::TooLong));
        assert_eq!(state.draft, long);
    }
}

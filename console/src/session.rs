//! The signed-in console's live session: the agent socket and its reconnects with
//! exponential backoff, the [`ConsoleState`] in a signal, and the actions the
//! components call. Every frame from the server goes through the pure reducer in
//! `state`; every frame to the server is one the reducer or an action returned.

use std::collections::HashMap;
use std::time::Duration;

use canal_protocol::agent::{AgentClientFrame, AgentProfile, AgentServerFrame, Status};
use leptos::{
    leptos_dom::helpers::{set_interval_with_handle, set_timeout_with_handle, TimeoutHandle},
    prelude::*,
    task::spawn_local,
};

use canal_kit::backoff::{jitter, Backoff};

use crate::api::{self, routes, Socket, SocketEvent};
use crate::state::{ConsoleState, ReplyError, TypingOut};
use crate::time::now_ms;

/// The socket's state, as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// First connection, until the server's `welcome`.
    Connecting,
    /// Welcomed: frames flow both ways.
    Live,
    /// The connection dropped; another attempt is scheduled (or under way).
    Reconnecting,
}

impl Link {
    /// The value of the `data-state` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Live => "connected",
            Self::Reconnecting => "reconnecting",
        }
    }
}

/// The reconnect schedule: one second, doubling up to 30 s, spread by ±20 % so
/// that consoles cut off together do not all come back in the same instant.
const RECONNECT: Backoff = Backoff::up_to(Duration::from_secs(30));
/// How long a visitor's typing shows without news (a stop can be lost).
const TYPING_SHOWS: Duration = Duration::from_secs(6);

/// Why a reply was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyFailure {
    /// The reply itself was refused (empty, too long, not this agent's).
    Refused(ReplyError),
    /// The browser has no secure random numbers for a client id.
    NoRandom,
}

/// The live console. Cheap to copy into event handlers; provided as context by
/// the workspace component.
#[derive(Clone, Copy)]
pub struct Console {
    /// Everything the server said, reduced.
    pub state: RwSignal<ConsoleState>,
    pub link: RwSignal<Link>,
    /// The agent's choices of alerts (see [`crate::alerts`]).
    pub alerts: RwSignal<crate::alerts::AlertPrefs>,
    /// The console's language, for the alerts raised from the socket.
    strings: RwSignal<&'static crate::i18n::Strings>,
    /// Now in milliseconds, every second (offer countdowns).
    pub now: RwSignal<i64>,
    socket: StoredValue<Option<Socket>, LocalStorage>,
    retry: StoredValue<Option<TimeoutHandle>>,
    backoff: StoredValue<Backoff>,
    drafts: StoredValue<HashMap<String, String>>,
    /// When the agent's typing is worth a frame.
    typing_out: StoredValue<TypingOut>,
    /// Per conversation, the timer that hides the visitor's typing.
    typing_timers: StoredValue<HashMap<String, TimeoutHandle>>,
    on_signed_out: Callback<()>,
}

impl Console {
    /// Connects for `me`. `on_signed_out` runs when the server no longer knows the
    /// session (the socket is refused and `/me` says 401).
    pub fn new(me: AgentProfile, on_signed_out: Callback<()>) -> Self {
        let console = Self {
            alerts: RwSignal::new(crate::components::load_prefs(me.id)),
            strings: crate::i18n::use_strings(),
            state: RwSignal::new(ConsoleState::new(me)),
            link: RwSignal::new(Link::Connecting),
            now: RwSignal::new(now_ms()),
            socket: StoredValue::new_local(None),
            retry: StoredValue::new(None),
            backoff: StoredValue::new(RECONNECT),
            drafts: StoredValue::new(HashMap::new()),
            typing_out: StoredValue::new(TypingOut::default()),
            typing_timers: StoredValue::new(HashMap::new()),
            on_signed_out,
        };
        let now = console.now;
        let ticker = set_interval_with_handle(
            move || {
                now.try_set(now_ms());
            },
            Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            if let Some(ticker) = ticker {
                ticker.clear();
            }
            console.stop();
        });
        console.connect();
        console
    }

    fn alive(&self) -> bool {
        !self.state.is_disposed()
    }

    /// Drops the socket and any scheduled reconnect (and typing timers).
    fn stop(&self) {
        if let Some(Some(handle)) = self.retry.try_get_value() {
            handle.clear();
        }
        self.typing_timers.try_update_value(|timers| {
            timers.drain().for_each(|(_, handle)| handle.clear());
        });
        self.retry.try_set_value(None);
        self.socket.try_update_value(|socket| *socket = None);
    }

    /// Opens a new socket (replacing the old one, cancelling a scheduled attempt).
    pub fn connect(&self) {
        if !self.alive() {
            return;
        }
        self.stop();
        if self.link.get_untracked() == Link::Live {
            self.link.set(Link::Reconnecting);
        }
        let this = *self;
        match Socket::open(routes::SOCKET, move |event| this.on_socket(event)) {
            Ok(socket) => self.socket.set_value(Some(socket)),
            Err(_) => self.reconnect_later(),
        }
    }

    fn reconnect_later(&self) {
        if !self.alive() {
            return;
        }
        let Some(wait) = self.backoff.try_update_value(|b| b.next(jitter())) else {
            return;
        };
        self.link.set(Link::Reconnecting);
        let this = *self;
        let handle = set_timeout_with_handle(move || this.connect(), wait);
        self.retry.set_value(handle.ok());
    }

    fn on_socket(&self, event: SocketEvent) {
        if !self.alive() {
            return;
        }
        match event {
            SocketEvent::Open => {}
            SocketEvent::Frame(frame) => {
                if matches!(*frame, AgentServerFrame::Welcome { .. }) {
                    self.backoff.update_value(Backoff::reset);
                    self.link.set(Link::Live);
                }
                if let AgentServerFrame::Typing {
                    conversation_id,
                    typing,
                } = &*frame
                {
                    self.visitor_typing(conversation_id, *typing);
                }
                let alerts = self
                    .state
                    .try_with_untracked(|state| crate::alerts::alerts(state, &frame))
                    .unwrap_or_default();
                let out = self
                    .state
                    .try_update(|state| state.apply(*frame))
                    .unwrap_or_default();
                if let (Some(prefs), Some(strings)) = (
                    self.alerts.try_get_untracked(),
                    self.strings.try_get_untracked(),
                ) {
                    crate::components::raise(&alerts, prefs, strings);
                }
                for frame in &out {
                    self.send(frame);
                }
            }
            SocketEvent::Closed => {
                let welcomed = self.link.get_untracked() == Link::Live;
                self.link.set(Link::Reconnecting);
                if welcomed {
                    self.reconnect_later();
                    return;
                }
                // Refused before the welcome: is the session still good?
                let this = *self;
                spawn_local(async move {
                    match api::me().await {
                        Err(error) if error.is_unauthorized() => {
                            if this.alive() {
                                this.on_signed_out.run(());
                            }
                        }
                        _ => this.reconnect_later(),
                    }
                });
            }
        }
    }

    /// Whether frames can be sent now.
    pub fn live(&self) -> bool {
        self.link.get() == Link::Live
    }

    fn send(&self, frame: &AgentClientFrame) -> bool {
        self.link.get_untracked() == Link::Live
            && self
                .socket
                .try_with_value(|socket| socket.as_ref().is_some_and(|s| s.send(frame)))
                .unwrap_or(false)
    }

    /// Sets own availability; the header follows the server's echo.
    pub fn set_status(&self, status: Status) {
        self.send(&AgentClientFrame::Status { status });
    }

    /// Shows a conversation.
    pub fn open(&self, id: &str) {
        if let Some(frame) = self.state.try_update(|state| state.open(id)) {
            self.send(&frame);
        }
    }

    /// Takes an offer (or, for a supervisor, a waiting conversation).
    pub fn take(&self, id: &str) {
        if let Some(frame) = self.state.try_update(|state| state.take(id)) {
            self.send(&frame);
        }
    }

    /// Declines an offer: it passes on.
    pub fn decline(&self, id: &str) {
        self.send(&AgentClientFrame::Decline {
            conversation_id: id.to_owned(),
        });
    }

    /// Hands a held conversation to a colleague, or back to the queue (`None`).
    pub fn transfer(&self, id: &str, to_agent: Option<u64>) {
        self.send(&AgentClientFrame::Transfer {
            conversation_id: id.to_owned(),
            to_agent,
        });
    }

    /// Closes a held conversation.
    pub fn close(&self, id: &str) {
        self.send(&AgentClientFrame::Close {
            conversation_id: id.to_owned(),
        });
    }

    /// Replies in the open conversation. The reply shows as pending at once; when
    /// the socket is down it goes out after the next `welcome`.
    pub fn reply(&self, text: &str) -> Result<(), ReplyFailure> {
        let client_id = api::random_id().ok_or(ReplyFailure::NoRandom)?;
        let frame = self
            .state
            .try_update(|state| state.reply(client_id, text))
            .unwrap_or(Err(ReplyError::NotYours))
            .map_err(ReplyFailure::Refused)?;
        self.send(&frame);
        Ok(())
    }

    /// Writes a private note in the conversation on screen (it shows once the
    /// server's copy comes back).
    pub fn note(&self, text: &str) -> Result<(), ReplyFailure> {
        let client_id = api::random_id().ok_or(ReplyFailure::NoRandom)?;
        let frame = self
            .state
            .try_with_untracked(|state| state.note(client_id, text))
            .unwrap_or(Err(ReplyError::NotYours))
            .map_err(ReplyFailure::Refused)?;
        self.send(&frame);
        Ok(())
    }

    /// (Re)starts or ends the timer that hides a visitor's typing after
    /// [`TYPING_SHOWS`] without news.
    fn visitor_typing(&self, id: &str, typing: bool) {
        let this = *self;
        let handle = typing
            .then(|| {
                let id = id.to_owned();
                set_timeout_with_handle(
                    move || {
                        if !this.alive() {
                            return;
                        }
                        this.typing_timers.update_value(|timers| {
                            timers.remove(&id);
                        });
                        this.state.update(|state| {
                            state.apply(AgentServerFrame::Typing {
                                conversation_id: id,
                                typing: false,
                            });
                        });
                    },
                    TYPING_SHOWS,
                )
                .ok()
            })
            .flatten();
        let old = self.typing_timers.try_update_value(|timers| match handle {
            Some(handle) => timers.insert(id.to_owned(), handle),
            None => timers.remove(id),
        });
        if let Some(Some(old)) = old {
            old.clear();
        }
    }

    /// The draft of a conversation changed (`empty` or not; the composer also
    /// says `empty` when it is sent or left): tells the visitor that the agent
    /// writes, at most every 3 s, or stopped. Never what. Only for conversations
    /// this agent holds (the server refuses the rest).
    pub fn typed(&self, id: &str, empty: bool) {
        let now = now_ms();
        let frames = self
            .typing_out
            .try_update_value(|out| out.draft(id, empty, now))
            .unwrap_or_default();
        for frame in frames {
            let AgentClientFrame::Typing {
                conversation_id, ..
            } = &frame
            else {
                continue;
            };
            if self
                .state
                .try_with_untracked(|state| state.holds(conversation_id))
                .unwrap_or(false)
            {
                self.send(&frame);
            }
        }
    }

    /// Hides the notice.
    pub fn dismiss(&self) {
        self.state.update(ConsoleState::dismiss);
    }

    /// The unsent draft of a conversation.
    pub fn draft(&self, id: &str) -> String {
        self.drafts
            .try_with_value(|drafts| drafts.get(id).cloned())
            .flatten()
            .unwrap_or_default()
    }

    /// Keeps the unsent draft of a conversation while another one is shown.
    pub fn set_draft(&self, id: &str, text: String) {
        self.drafts.try_update_value(|drafts| {
            if text.is_empty() {
                drafts.remove(id);
            } else {
                drafts.insert(id.to_owned(), text);
            }
        });
    }
}

//! The chat window's shell: one signal of the [`State`] (the pure reducer in
//! [`crate::state`]) and the one runner of its [`Effect`]s (HTTP calls,
//! `localStorage`, the socket, timers, the host page). Every answer from the world
//! goes back into the reducer as an [`Input`].

use canal_kit::backoff::jitter;
use canal_kit::http::{fetch_text, Method};
use canal_protocol::routes::{self, visitor};
use canal_protocol::{ChannelConfig, VisitorUser};
use leptos::{prelude::*, task::spawn_local};

use crate::{
    api::{self, ApiError, Socket, SocketEvent},
    host::{HostPage, ToHost},
    state::{Effect, Input, State},
    storage,
};

/// One chat window. Cheap to copy into event handlers.
#[derive(Clone, Copy)]
pub struct ChatSession {
    channel: StoredValue<String>,
    /// Hears of new messages and the recorded consent, for the host page.
    on_host: Option<Callback<ToHost>>,
    socket: StoredValue<Option<Socket>, LocalStorage>,
    /// Everything the components draw.
    pub state: RwSignal<State>,
    /// The composer's text, bound to the text box; the reducer hears each change
    /// and may change it back (sent, or given back after a failed start).
    pub draft: RwSignal<String>,
}

impl ChatSession {
    /// A session for `channel`. A session stored by an earlier visit is resumed at
    /// once; otherwise nothing happens until the visitor sends. `on_host` hears
    /// what the host page is told; `user` is the host page's `setUser`.
    pub fn new(
        channel: String,
        config: &ChannelConfig,
        page: ReadSignal<Option<HostPage>>,
        on_host: Option<Callback<ToHost>>,
        user: Option<ReadSignal<Option<VisitorUser>>>,
    ) -> Self {
        let stored = storage::load(&channel);
        let first_page = page.get_untracked().or_else(HostPage::from_referrer);
        let (state, effects) = State::new(config, stored, first_page);
        let session = Self {
            channel: StoredValue::new(channel),
            on_host,
            socket: StoredValue::new_local(None),
            state: RwSignal::new(state),
            draft: RwSignal::new(String::new()),
        };
        session.run(effects);
        // The world outside the UI: the loader's page, the host page's identity and
        // the draft go to the reducer on each change. `RenderEffect`s (the
        // machinery every reactive attribute already uses) rather than `Effect`s,
        // whose scheduler would be new code in the frame.
        let effect = RenderEffect::new(move |_| {
            if let Some(page) = page.get() {
                session.dispatch(Input::Page(page));
            }
            if let Some(user) = user {
                session.dispatch(Input::User(user.get()));
            }
        });
        let typed = RenderEffect::new(move |_| session.dispatch(Input::Draft(session.draft.get())));
        on_cleanup(move || drop((effect, typed)));
        session
    }

    /// Applies `input` and runs what it asks for.
    pub fn dispatch(&self, input: Input) {
        let Some(effects) = self.state.try_update(|state| state.reduce(input)) else {
            return;
        };
        // What the reducer did to the draft shows in the text box.
        let draft = self.state.with_untracked(|s| s.draft.clone());
        if self.draft.with_untracked(|d| *d != draft) {
            self.draft.set(draft);
        }
        self.run(effects);
    }

    /// Runs effects in order.
    fn run(&self, effects: Vec<Effect>) {
        let Some(channel) = self.channel.try_get_value() else {
            return;
        };
        for effect in effects {
            match effect {
                Effect::Store(Some(session)) => {
                    storage::save(&channel, &session);
                }
                Effect::Store(None) => storage::clear(&channel),
                Effect::PostConsent(request) => self.request(
                    Method::Post,
                    visitor::CONSENTS,
                    Some(api::encode(&request)),
                    |answer| Input::Consented(answer.and_then(decode)),
                ),
                Effect::PostConversation(request) => self.request(
                    Method::Post,
                    visitor::CONVERSATIONS,
                    Some(api::encode(&request)),
                    |answer| Input::Started(answer.and_then(decode)),
                ),
                Effect::Identify(request) => self.request(
                    Method::Post,
                    visitor::IDENTIFY,
                    Some(api::encode(&request)),
                    |answer| Input::Identified(answer.map(drop)),
                ),
                // No form on the channel: 404.
                Effect::FetchForm => self.request(Method::Get, visitor::FORM, None, |answer| {
                    Input::FormLoaded(match answer {
                        Ok(text) => decode(text).map(Some),
                        Err(error) if error.status() == Some(404) => Ok(None),
                        Err(error) => Err(error),
                    })
                }),
                Effect::SubmitForm(submission) => self.request(
                    Method::Post,
                    visitor::FORM,
                    Some(api::encode(&submission)),
                    |answer| Input::FormSent(answer.map(drop)),
                ),
                Effect::Withdraw(request) => self.request(
                    Method::Post,
                    visitor::WITHDRAWALS,
                    Some(api::encode(&request)),
                    |answer| Input::Withdrawn(answer.map(drop)),
                ),
                Effect::Rate {
                    conversation_id,
                    request,
                } => self.request(
                    Method::Put,
                    &visitor::rating(&conversation_id),
                    Some(api::encode(&request)),
                    |answer| Input::Rated(answer.map(drop)),
                ),
                Effect::Mail {
                    conversation_id,
                    request,
                } => self.request(
                    Method::Put,
                    &visitor::transcript(&conversation_id),
                    Some(api::encode(&request)),
                    |answer| Input::Mailed(answer.and_then(decode)),
                ),
                Effect::Open(number) => {
                    let this = *self;
                    let opened = Socket::open(routes::VISITOR_SOCKET, move |event| {
                        this.dispatch(match event {
                            SocketEvent::Open => Input::Opened(number),
                            SocketEvent::Frame(frame) => Input::Frame(number, frame),
                            SocketEvent::Closed => Input::Closed(number, jitter()),
                        })
                    });
                    match opened {
                        Ok(socket) => self.socket.set_value(Some(socket)),
                        Err(_) => self.dispatch(Input::Closed(number, jitter())),
                    }
                }
                // Dropped: closed, and its close is not news.
                Effect::Close => self.socket.set_value(None),
                Effect::Send(frame) => self.socket.with_value(|socket| {
                    if let Some(socket) = socket {
                        socket.send(&frame);
                    }
                }),
                Effect::After(timer, delay) => {
                    let this = *self;
                    set_timeout(move || this.dispatch(Input::Timer(timer)), delay);
                }
                Effect::Tell(what) => {
                    if let Some(on_host) = self.on_host {
                        on_host.run(what);
                    }
                }
                Effect::Focus(id) => crate::components::focus_later(id),
            }
        }
    }

    /// Sends `body` (`None` for none) to the channel's `resource` and hands the
    /// answer's text to the reducer as `then(answer)`. One request task for every
    /// call: each task type would be more code in the frame.
    fn request(
        &self,
        method: Method,
        resource: &str,
        body: Option<Option<String>>,
        then: fn(Result<String, ApiError>) -> Input,
    ) {
        let Some(channel) = self.channel.try_get_value() else {
            return;
        };
        let body = match body {
            // A body that could not be written.
            Some(None) => return self.dispatch(then(Err(ApiError::Decode))),
            body => body.flatten(),
        };
        let pending = fetch_text(method, &routes::channel(&channel, resource), body);
        let this = *self;
        spawn_local(async move { this.dispatch(then(pending.await)) });
    }
}

/// An answer's text read as `T`.
fn decode<T: serde::de::DeserializeOwned>(text: String) -> Result<T, ApiError> {
    api::decode(&text).ok_or(ApiError::Decode)
}

//! The console's side of the API: login, logout, `me`, and the agent socket
//! `GET /api/v1/agent/ws`, authenticated by the HttpOnly, SameSite=Strict session
//! cookie.
//!
//! The socket greets with `welcome` (profile, colleagues, inbox), then follows
//! the routing shell's [`Notice`]s: each console works out what a change means for
//! its agent and sends `upsert` or `remove`. Visitors' `typing` reaches the consoles
//! that list (or show) the conversation; an agent's `typing` reaches the visitor
//! (throttled, never stored; see [`crate::typing`]). The visitor's draft (the
//! channel's live typing preview) reaches only the consoles that have the
//! conversation open, as `draft`; when an admin turns the preview off, those
//! consoles get an empty `draft` at once. A refused frame gets one `error` frame
//! and changes nothing.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use canal_protocol::agent::{
    AgentClientFrame, AgentProfile, AgentServerFrame, ConversationSummary, InboxKind, LoginRequest,
    Status, SESSION_COOKIE,
};
use canal_protocol::{ErrorCode, MessageView};
use futures_util::stream::FuturesOrdered;
use futures_util::StreamExt;
use roaring::RoaringTreemap;
use tokio::sync::broadcast;

use crate::agents::AgentWire;
use crate::agents::{self, AgentRow};
use crate::app::AppState;
use crate::dispatch::{Display, Line, Notice};
use crate::error::{parse_json, ApiJson, AppError};
use crate::hub::{self, Delivered, Step};
use crate::services::automation::Commit;
use crate::{typing, validate, ws};

/// The session token from the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

fn not_signed_in() -> AppError {
    AppError::client(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthorized,
        "sign in to the console first",
    )
}

/// The agent signed in to the console making this request.
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<AgentRow, AppError> {
    let token = session_token(headers).ok_or_else(not_signed_in)?;
    agents::session_agent(&state.store, token)
        .await?
        .ok_or_else(not_signed_in)
}

/// Extractor: the signed-in agent.
pub struct SignedIn(pub AgentRow);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        signed_in(state, &parts.headers).await.map(SignedIn)
    }
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `GET /api/v1/agent/setup`
pub async fn setup(
    State(state): State<AppState>,
) -> Result<Json<canal_protocol::agent::SetupState>, AppError> {
    Ok(Json(canal_protocol::agent::SetupState {
        has_accounts: state.store.has_agents().await?,
    }))
}

/// `POST /api/v1/agent/login`
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, AppError> {
    let wrong = || {
        AppError::client(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "wrong e-mail or password",
        )
    };
    if request.password.len() > canal_protocol::agent::limits::MAX_PASSWORD_BYTES {
        return Err(wrong());
    }
    let email = agents::email(&request.email).ok();
    let key = email.clone().unwrap_or_default();
    if !state.logins.allowed(&key) {
        return Err(AppError::client(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many failed sign-ins for this account: wait 15 minutes and try again",
        ));
    }
    let found = match &email {
        Some(email) => agents::by_email(&state.store, email).await?,
        None => None,
    };
    // Unknown accounts are checked against a decoy hash: the same work either way.
    let hash = found.as_ref().map_or_else(
        || agents::DECOY_HASH.to_owned(),
        |a| a.password_hash.clone(),
    );
    let matches = agents::verify_password(request.password, hash).await;
    let Some(agent) = found.filter(|a| matches && !a.dismissed && !a.is_bot) else {
        state.logins.failed(&key);
        return Err(wrong());
    };
    state.logins.succeeded(&key);
    let token = agents::start_session(&state.store, agent.id).await?;
    let cookie = session_cookie(&state, &token, agents::SESSION_HOURS * 3600);
    Ok(([(header::SET_COOKIE, cookie)], Json(agent.profile())).into_response())
}

/// `POST /api/v1/agent/logout`
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = session_token(&headers) {
        agents::end_session(&state.store, token).await?;
    }
    let cookie = session_cookie(&state, "", 0);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

/// `GET /api/v1/agent/me`
pub async fn me(SignedIn(agent): SignedIn) -> Json<AgentProfile> {
    Json(agent.profile())
}

/// `GET /api/v1/agent/notices`: the signed-in employee's KPI notices, newest
/// first.
pub async fn notices(
    State(state): State<AppState>,
    SignedIn(agent): SignedIn,
) -> Result<Json<canal_protocol::kpi::NoticeList>, AppError> {
    Ok(Json(crate::services::kpi::notices(&state, &agent).await?))
}

/// `POST /api/v1/agent/notices/read`: the signed-in employee read their notices up
/// to `up_to`.
pub async fn read_notices(
    State(state): State<AppState>,
    SignedIn(agent): SignedIn,
    ApiJson(read): ApiJson<canal_protocol::kpi::NoticesRead>,
) -> Result<Json<canal_protocol::kpi::NoticesMarked>, AppError> {
    Ok(Json(
        crate::services::kpi::read_notices(&state, &agent, read).await?,
    ))
}

/// `GET /api/v1/agent/ws`: the console socket.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if !ws::same_origin(&headers) {
        return AppError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::ForbiddenOrigin,
            "the agent socket is only for the Canal console",
        )
        .into_response();
    }
    let agent = match signed_in(&state, &headers).await {
        Ok(agent) => agent,
        Err(e) => return e.into_response(),
    };
    ws::sized(ws, MAX_CONSOLE_WRITE_BUFFER)
        .on_upgrade(move |socket| Console::new(state, agent).run(socket))
}

/// The most a console socket's write buffer holds: its `welcome` and inbox frames list
/// every conversation it sees, so more than a visitor's.
const MAX_CONSOLE_WRITE_BUFFER: usize = 16 * 1024 * 1024;

/// Most notices a console's socket takes at once (see `Console::on_notices`).
const NOTICE_BATCH: usize = 256;

struct Opened {
    conversation_id: String,
    /// Its channel's key (the preview's switch is per channel).
    channel_key: String,
    events: broadcast::Receiver<hub::Live>,
    display: Display,
    /// What the console has of the conversation.
    delivered: Delivered,
}

/// A conversation of a batch of notices as the console's agent sees it, and
/// whether its change was shown already (a batch may change it twice).
struct Looked {
    line: Line,
    shown: bool,
}

struct Console {
    state: AppState,
    agent: AgentRow,
    /// Conversations this console lists, by their [`Line::key`]: an admin's
    /// console may list thousands, and the process numbers them in order, so a
    /// compressed bitmap keeps them in a bit or two each (a hash set of 64-bit
    /// keys took 10 to 15 bytes each: 72 KB for 5,000).
    inbox: RoaringTreemap,
    opened: Option<Opened>,
    /// The throttle of this console's `typing` frames, per conversation (gates
    /// that no longer change what passes are dropped).
    typing: HashMap<String, typing::Gate>,
    /// Replies queued and not yet committed, in the order they came: a console
    /// goes on with its next replies meanwhile (each is acknowledged once
    /// committed); any other frame first waits for them.
    replies: FuturesOrdered<PendingReply>,
    /// Replies acknowledged whose consequences are still to come (see
    /// [`Self::after_reply`]).
    replied: Vec<AfterReply>,
}

/// A reply's commit as it ends: its conversation and client id, the stored
/// message and what routing is still to hear of it.
type Committed = (
    String,
    String,
    Result<(MessageView, Option<crate::dispatch::Replied>), AppError>,
);

/// A reply queued: what waits for its commit.
type PendingReply = Pin<Box<dyn Future<Output = Committed> + Send>>;

/// What follows an agent's reply once it is stored and acknowledged: routing
/// hears of it, the visitor who left is e-mailed, the conversation's timers move.
struct AfterReply {
    conversation_id: String,
    seq: u64,
    routing: Option<crate::dispatch::Replied>,
}

enum Next {
    Continue,
    Close,
    /// Close with [`ws::CLOSE_TOO_BIG`].
    CloseTooBig,
}

impl Console {
    fn new(state: AppState, agent: AgentRow) -> Self {
        Self {
            state,
            agent,
            inbox: RoaringTreemap::new(),
            opened: None,
            typing: HashMap::new(),
            replies: FuturesOrdered::new(),
            replied: Vec::new(),
        }
    }

    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let dispatch = self.state.dispatch.clone();
        // Subscribe before reading the inbox so no change falls between the two.
        let mut notices = dispatch.notices();
        let mut closing = self.state.closing.subscribe();
        let mut out = Vec::new();
        if !Box::pin(self.greet(&mut out)).await {
            let _ = ws::send_all(&mut sink, out).await;
            ws::close(&mut sink, None).await;
            dispatch.disconnected(&self.agent).await;
            return;
        }
        loop {
            let sent = ws::send_all(&mut sink, std::mem::take(&mut out)).await;
            // Replies' acks are out: what follows them runs now, before the next
            // frame (even when the socket broke: the replies are stored).
            Box::pin(self.after_replies()).await;
            if sent.is_err() {
                break;
            }
            // What a frame or a notice sets off runs boxed (see the visitor socket).
            // In this order when several are ready: the agent's own frames, their
            // acks and the open conversation come before the inbox changes, which
            // at a busy moment never stop coming.
            let next = tokio::select! {
                biased;
                () = ws::stopping(&mut closing) => Next::Close,
                Some(done) = self.replies.next(), if !self.replies.is_empty() => {
                    self.committed(done, &mut out);
                    Next::Continue
                }
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => Box::pin(self.on_text(&text, &mut out)).await,
                    Some(Ok(Message::Binary(_))) => {
                        out.push(error_frame(ErrorCode::BadRequest, "send JSON text frames"));
                        Next::Continue
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Next::Continue,
                    Some(Err(e)) if ws::too_big(&e) => Next::CloseTooBig,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Next::Close,
                },
                event = next_event(&mut self.opened) => Box::pin(self.on_event(event, &mut out)).await,
                notice = notices.recv() => Box::pin(self.on_notices(notice, &mut notices, &mut out)).await,
            };
            match next {
                Next::Continue => {}
                Next::Close => {
                    let _ = ws::send_all(&mut sink, std::mem::take(&mut out)).await;
                    ws::close(&mut sink, None).await;
                    break;
                }
                Next::CloseTooBig => {
                    let _ = ws::send_all(&mut sink, std::mem::take(&mut out)).await;
                    ws::close(&mut sink, Some(ws::too_big_frame())).await;
                    break;
                }
            }
        }
        // Replies queued before the socket ended are stored: routing still hears.
        Box::pin(self.settle_replies(&mut Vec::new())).await;
        // A server that is stopping keeps its agents' offers: each is offered to
        // them again after the restart until its deadline (its durable timer).
        // Going offline here would pass every offer on during the shutdown.
        if !*closing.borrow() {
            dispatch.disconnected(&self.agent).await;
        }
    }

    /// The `welcome` (profile, colleagues, inbox) into `out`; `false` when the
    /// agent cannot connect (`out` then holds the error).
    async fn greet(&mut self, out: &mut Vec<AgentServerFrame>) -> bool {
        match self.state.dispatch.connected(&self.agent).await {
            Ok(status) => {
                self.welcome(status, out).await;
                true
            }
            Err(e) => {
                out.push(public_error(&e));
                false
            }
        }
    }

    /// A `welcome` with the whole inbox (the first piece; `inbox` frames carry the
    /// rest) into `out`: what the console then lists replaces what it listed.
    async fn welcome(&mut self, status: Status, out: &mut Vec<AgentServerFrame>) {
        let dispatch = self.state.dispatch.clone();
        let mut listed = RoaringTreemap::new();
        let pieces = inbox_pieces(dispatch.inbox(&self.agent).await.into_iter().flatten().map(
            |(key, conversation)| {
                listed.insert(key);
                conversation
            },
        ));
        self.inbox = listed;
        let mut pieces = pieces.into_iter();
        let first = pieces.next().unwrap_or_default();
        let rest: Vec<_> = pieces.collect();
        let more = rest.iter().map(Vec::len).sum::<usize>();
        out.push(AgentServerFrame::Welcome {
            agent: self.agent.profile(),
            status,
            agents: dispatch.agents().await,
            inbox: first,
            more: u32::try_from(more).unwrap_or(u32::MAX),
        });
        out.extend(
            rest.into_iter()
                .map(|inbox| AgentServerFrame::Inbox { inbox }),
        );
    }

    async fn on_text(&mut self, text: &str, out: &mut Vec<AgentServerFrame>) -> Next {
        let frame = match parse_json::<AgentClientFrame>(text.as_bytes()) {
            Ok(frame) => frame,
            Err(e) => {
                out.push(public_error(&e));
                return Next::Continue;
            }
        };
        let reply_ids = match &frame {
            AgentClientFrame::Reply {
                conversation_id,
                client_id,
                ..
            } => Some((conversation_id.clone(), client_id.clone())),
            _ => None,
        };
        if reply_ids.is_none() {
            self.settle_replies(out).await;
        }
        if let Err(e) = self.on_frame(frame, out).await {
            out.push(match reply_ids {
                Some((conversation, client)) => reply_error(&e, conversation, client),
                None => public_error(&e),
            });
        }
        Next::Continue
    }

    async fn on_frame(
        &mut self,
        frame: AgentClientFrame,
        out: &mut Vec<AgentServerFrame>,
    ) -> Result<(), AppError> {
        let dispatch = self.state.dispatch.clone();
        match frame {
            AgentClientFrame::Status { status } => {
                dispatch.set_status(&self.agent, status).await?;
                out.push(AgentServerFrame::Status { status });
            }
            AgentClientFrame::Open { conversation_id } => {
                self.open(conversation_id, out).await?;
            }
            AgentClientFrame::Take { conversation_id } => {
                dispatch.take(&self.agent, &conversation_id).await?;
                crate::services::crm::taken(&self.state, &conversation_id, self.agent.id).await;
            }
            AgentClientFrame::Decline { conversation_id } => {
                dispatch.decline(&self.agent, &conversation_id).await?;
            }
            AgentClientFrame::Reply {
                conversation_id,
                client_id,
                text,
            } => {
                validate::client_id("client_id", &client_id)?;
                validate::message_text(&text)?;
                let committed = dispatch
                    .reply(&self.agent, &conversation_id, &client_id, &text)
                    .await?;
                self.replies.push_back(Box::pin(async move {
                    (conversation_id, client_id, committed.await)
                }));
            }
            AgentClientFrame::Transfer {
                conversation_id,
                to_agent,
            } => {
                dispatch
                    .transfer(&self.agent, &conversation_id, to_agent)
                    .await?;
                if let Some(to) = to_agent.and_then(|id| i64::try_from(id).ok()) {
                    crate::services::crm::transferred(&self.state, &conversation_id, to).await;
                }
            }
            AgentClientFrame::Close { conversation_id } => {
                crate::services::automation::agent_closes(
                    &self.state,
                    &self.agent,
                    &conversation_id,
                )
                .await?;
                if let Err(e) = crate::services::mail::closed(&self.state, &conversation_id).await {
                    tracing::error!(error = %e, "queueing the transcript failed");
                }
            }
            AgentClientFrame::Note {
                conversation_id,
                client_id,
                text,
            } => {
                // Whoever may open the conversation may note in it.
                dispatch.opened_by(&self.agent, &conversation_id).await?;
                crate::validate::client_id("client_id", &client_id)?;
                crate::validate::message_text(&text)?;
                let (row, new) = self
                    .state
                    .store
                    .add_note(&conversation_id, self.agent.id, &client_id, &text)
                    .await?;
                let note = note_view(row);
                if new {
                    dispatch.noted(&conversation_id, note);
                } else {
                    // A re-send: only the writer hears it again.
                    out.push(AgentServerFrame::Note {
                        conversation_id,
                        note,
                    });
                }
            }
            AgentClientFrame::Typing {
                conversation_id,
                typing,
            } => {
                let name = dispatch.typing_name(&self.agent, &conversation_id).await?;
                let now = Instant::now();
                self.typing.retain(|_, gate| gate.busy(now));
                let gate = self.typing.entry(conversation_id.clone()).or_default();
                if gate.pass(typing, now) {
                    self.state.hub.agent_typing(&conversation_id, name, typing);
                }
            }
        }
        Ok(())
    }

    /// Shows a conversation: its history and log, then its news live.
    async fn open(
        &mut self,
        conversation_id: String,
        out: &mut Vec<AgentServerFrame>,
    ) -> Result<(), AppError> {
        let (conversation, display) = self
            .state
            .dispatch
            .opened_by(&self.agent, &conversation_id)
            .await?;
        // Subscribe before reading history so nothing falls between the two.
        let events = self.state.hub.subscribe(&conversation_id);
        let messages: Vec<MessageView> = self
            .state
            .store
            .messages_after(&conversation_id, 0)
            .await?
            .into_iter()
            .map(|row| display.view(row))
            .collect();
        let log = self.state.dispatch.log(&conversation_id).await?;
        let notes = self
            .state
            .store
            .notes(&conversation_id)
            .await?
            .into_iter()
            .map(note_view)
            .collect();
        let dialog_link =
            crate::services::connectors::dialog_link(&self.state, &conversation_id).await?;
        let delivered = Delivered(messages.last().map_or(0, |m| m.seq));
        self.opened = Some(Opened {
            conversation_id,
            channel_key: conversation.channel_key.clone(),
            events,
            display,
            delivered,
        });
        out.push(AgentServerFrame::Conversation {
            conversation,
            messages,
            log,
            notes,
            dialog_link,
        });
        Ok(())
    }

    /// A queued reply's commit: acknowledged (what follows it comes after the
    /// ack is sent), or refused with its ids.
    fn committed(&mut self, done: Committed, out: &mut Vec<AgentServerFrame>) {
        let (conversation_id, client_id, written) = done;
        match written {
            Ok((message, routing)) => {
                self.replied.push(AfterReply {
                    conversation_id: conversation_id.clone(),
                    seq: message.seq,
                    routing,
                });
                out.push(AgentServerFrame::Ack {
                    conversation_id,
                    client_id,
                    seq: message.seq,
                });
            }
            Err(e) => out.push(reply_error(&e, conversation_id, client_id)),
        }
    }

    /// Waits for every queued reply's commit and does what follows them: a frame
    /// other than a reply is taken after the replies before it.
    async fn settle_replies(&mut self, out: &mut Vec<AgentServerFrame>) {
        while let Some(done) = self.replies.next().await {
            self.committed(done, out);
        }
        self.after_replies().await;
    }

    /// What follows the replies acknowledged, in their order.
    async fn after_replies(&mut self) {
        for after in std::mem::take(&mut self.replied) {
            self.after_reply(after).await;
        }
    }

    /// What follows a reply once its ack is sent ([`AfterReply`]); failures are
    /// logged (the reply itself is stored and acknowledged).
    async fn after_reply(&mut self, after: AfterReply) {
        let AfterReply {
            conversation_id,
            seq,
            routing,
        } = after;
        if let Some(routing) = routing {
            if let Err(e) = self.state.dispatch.replied(routing).await {
                tracing::error!(error = %e, "routing did not hear of a reply");
            }
        }
        if let Err(e) = crate::services::mail::answered(&self.state, &conversation_id, seq).await {
            tracing::error!(error = %e, "queueing the answer's e-mail failed");
        }
        if let Err(e) = crate::services::automation::agent_answered(
            &self.state,
            &conversation_id,
            Commit::Aside,
        )
        .await
        {
            tracing::error!(error = %e, "arming the conversation's timers failed");
        }
    }

    /// `first` and the notices already queued behind it (up to [`NOTICE_BATCH`]),
    /// so a busy server answers a console in batches: the lines of every changed
    /// conversation in one lookup, each line once, and one write to the socket.
    async fn on_notices(
        &mut self,
        first: Result<Notice, broadcast::error::RecvError>,
        notices: &mut broadcast::Receiver<Notice>,
        out: &mut Vec<AgentServerFrame>,
    ) -> Next {
        let mut batch = vec![first];
        while batch.len() < NOTICE_BATCH {
            match notices.try_recv() {
                Ok(notice) => batch.push(Ok(notice)),
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    batch.push(Err(broadcast::error::RecvError::Lagged(n)));
                    break;
                }
                Err(_) => break,
            }
        }
        // The conversations the batch is about, looked up in one job: how this
        // agent sees them now (a typing visitor's too: its console lists it).
        let mut asked: Vec<String> = batch
            .iter()
            .filter_map(|n| match n {
                Ok(Notice::Changed(id) | Notice::Typing(id, _)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        asked.sort_unstable();
        asked.dedup();
        let mut lines: HashMap<String, Looked> = if asked.is_empty() {
            HashMap::new()
        } else {
            self.state
                .dispatch
                .summaries_for(&self.agent, asked)
                .await
                .into_iter()
                .map(|(id, line)| (id, Looked { line, shown: false }))
                .collect()
        };
        for notice in batch {
            let next = self.on_notice(notice, &mut lines, out).await;
            if !matches!(next, Next::Continue) {
                return next;
            }
        }
        Next::Continue
    }

    /// A conversation changed: `line` is how `self.agent` sees it now.
    async fn changed(&mut self, id: String, line: Line, out: &mut Vec<AgentServerFrame>) -> Next {
        let dispatch = self.state.dispatch.clone();
        match line.summary {
            Some(conversation) => {
                if let Some(key) = line.key {
                    self.inbox.insert(key);
                }
                out.push(AgentServerFrame::Upsert { conversation });
            }
            None => {
                // The open conversation was closed, or changed after that (the
                // visitor rated it): say so, before it leaves the inbox.
                let open = self
                    .opened
                    .as_ref()
                    .is_some_and(|o| o.conversation_id == id);
                if open {
                    match dispatch.opened_by(&self.agent, &id).await {
                        Ok((conversation, _)) => {
                            if conversation.kind == InboxKind::Closed {
                                out.push(AgentServerFrame::Upsert { conversation });
                            }
                        }
                        // No longer theirs to see (passed on, or no longer
                        // their channel): its news stop here.
                        Err(_) => self.opened = None,
                    }
                }
                if line.key.is_some_and(|k| self.inbox.remove(k)) {
                    out.push(AgentServerFrame::Remove {
                        conversation_id: id,
                    });
                }
            }
        }
        Next::Continue
    }

    /// One notice of a batch; `lines` are the batch's changed conversations as
    /// `self.agent` sees them (see [`Self::on_notices`]).
    async fn on_notice(
        &mut self,
        notice: Result<Notice, broadcast::error::RecvError>,
        lines: &mut HashMap<String, Looked>,
        out: &mut Vec<AgentServerFrame>,
    ) -> Next {
        let dispatch = self.state.dispatch.clone();
        match notice {
            // A conversation changed twice in the batch is shown once.
            Ok(Notice::Changed(id)) => {
                if let Some(looked) = lines.get_mut(&id).filter(|l| !l.shown) {
                    looked.shown = true;
                    let line = looked.line.clone();
                    return self.changed(id, line, out).await;
                }
            }
            Ok(Notice::Log(id, line)) => {
                if self
                    .opened
                    .as_ref()
                    .is_some_and(|o| o.conversation_id == id)
                {
                    out.push(AgentServerFrame::Log {
                        conversation_id: id,
                        line,
                    });
                }
            }
            Ok(Notice::Agents) => out.push(AgentServerFrame::Agents {
                agents: dispatch.agents().await,
            }),
            Ok(Notice::SessionsEnded(id)) if id == self.agent.id => {
                out.push(error_frame(
                    ErrorCode::Unauthorized,
                    "your session was ended: sign in again",
                ));
                return Next::Close;
            }
            Ok(Notice::SessionsEnded(_)) => {}
            Ok(Notice::Overdue(id, notice)) => {
                if id == self.agent.id {
                    out.push(AgentServerFrame::Overdue { notice });
                }
            }
            Ok(Notice::CustomerWrote {
                agents,
                conversation_id,
                channel,
                text,
            }) => {
                if agents.contains(&self.agent.id) {
                    out.push(AgentServerFrame::CustomerWrote {
                        conversation_id,
                        channel,
                        text,
                    });
                }
            }
            Ok(Notice::Note(id, note)) => {
                if self
                    .opened
                    .as_ref()
                    .is_some_and(|o| o.conversation_id == id)
                {
                    out.push(AgentServerFrame::Note {
                        conversation_id: id,
                        note,
                    });
                }
            }
            Ok(Notice::PreviewOff(key)) => {
                if let Some(opened) = self.opened.as_ref().filter(|o| o.channel_key == key) {
                    out.push(AgentServerFrame::Draft {
                        conversation_id: opened.conversation_id.clone(),
                        text: String::new(),
                    });
                }
            }
            Ok(Notice::Typing(id, typing)) => {
                let shown = self
                    .opened
                    .as_ref()
                    .is_some_and(|o| o.conversation_id == id);
                let key = lines.get(&id).and_then(|l| l.line.key);
                if shown || key.is_some_and(|k| self.inbox.contains(k)) {
                    out.push(AgentServerFrame::Typing {
                        conversation_id: id,
                        typing,
                    });
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {
                // Missed changes: welcomed again, as after a reconnect (the
                // console's list is replaced, its open conversation reloaded).
                let me = u64::try_from(self.agent.id).unwrap_or_default();
                let status = dispatch
                    .agents()
                    .await
                    .into_iter()
                    .find(|a| a.id == me)
                    .map_or(Status::Online, |a| a.status);
                self.welcome(status, out).await;
            }
            Err(broadcast::error::RecvError::Closed) => return Next::Close,
        }
        Next::Continue
    }

    async fn on_event(
        &mut self,
        event: Result<hub::Live, broadcast::error::RecvError>,
        out: &mut Vec<AgentServerFrame>,
    ) -> Next {
        let Some(opened) = &mut self.opened else {
            return Next::Continue;
        };
        let caught_up = match event {
            // The visitor's indicator: consoles do not show agents' typing.
            Ok(hub::Live::AgentTyping { .. } | hub::Live::Closed) => return Next::Continue,
            Ok(hub::Live::VisitorDraft(text)) => {
                out.push(AgentServerFrame::Draft {
                    conversation_id: opened.conversation_id.clone(),
                    text: text.to_string(),
                });
                return Next::Continue;
            }
            Ok(hub::Live::Message(event)) => match opened.delivered.step(event.message.seq) {
                Step::Deliver => {
                    out.push(AgentServerFrame::Message {
                        conversation_id: opened.conversation_id.clone(),
                        message: event.message.clone(),
                    });
                    return Next::Continue;
                }
                Step::Skip => return Next::Continue,
                Step::CatchUp => {
                    self.state
                        .store
                        .messages_after(&opened.conversation_id, opened.delivered.after())
                        .await
                }
            },
            // Too slow to follow live: catch up from the store.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                self.state
                    .store
                    .messages_after(&opened.conversation_id, opened.delivered.after())
                    .await
            }
            Err(broadcast::error::RecvError::Closed) => return Next::Continue,
        };
        let rows = match caught_up {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %e, "console catch-up read failed");
                return Next::Close;
            }
        };
        for row in rows {
            let message = opened.display.view(row);
            if opened.delivered.caught_up(message.seq) {
                out.push(AgentServerFrame::Message {
                    conversation_id: opened.conversation_id.clone(),
                    message,
                });
            }
        }
        Next::Continue
    }
}

async fn next_event(opened: &mut Option<Opened>) -> Result<hub::Live, broadcast::error::RecvError> {
    match opened {
        Some(opened) => opened.events.recv().await,
        None => std::future::pending().await,
    }
}

/// The most bytes of inbox one frame carries: with the rest of a `welcome`, a frame
/// stays well under the socket's frame limit, and so does the write buffer an idle
/// console keeps (it holds the size of the largest frame written).
const INBOX_PIECE_BYTES: usize = 8 * 1024;

/// The inbox cut in pieces of about [`INBOX_PIECE_BYTES`] of JSON each (a
/// conversation larger than that alone is a piece), in order; at least one piece.
fn inbox_pieces(
    inbox: impl IntoIterator<Item = ConversationSummary>,
) -> Vec<Vec<ConversationSummary>> {
    let mut pieces = vec![Vec::new()];
    let mut bytes = 0;
    for conversation in inbox {
        let size = serde_json::to_vec(&conversation).map_or(0, |json| json.len());
        let piece = pieces
            .last_mut()
            .filter(|p| p.is_empty() || bytes + size <= INBOX_PIECE_BYTES);
        match piece {
            Some(piece) => {
                bytes += size;
                piece.push(conversation);
            }
            None => {
                bytes = size;
                pieces.push(vec![conversation]);
            }
        }
    }
    pieces
}

fn error_frame(code: ErrorCode, message: &str) -> AgentServerFrame {
    AgentServerFrame::Error {
        code,
        message: message.to_owned(),
        conversation_id: None,
        client_id: None,
    }
}

/// A reply's error, with the reply's ids so the console knows which one failed.
fn reply_error(error: &AppError, conversation: String, client: String) -> AgentServerFrame {
    let mut frame = public_error(error);
    if let AgentServerFrame::Error {
        conversation_id,
        client_id,
        ..
    } = &mut frame
    {
        *conversation_id = Some(conversation);
        *client_id = Some(client);
    }
    frame
}

fn public_error(error: &AppError) -> AgentServerFrame {
    if let AppError::Store(cause) = error {
        tracing::error!(error = %cause, "store error on the agent socket");
    }
    let (code, message) = error.public();
    AgentServerFrame::Error {
        code,
        message,
        conversation_id: None,
        client_id: None,
    }
}

/// A stored note as the console shows it.
fn note_view(row: crate::store::notes::NoteRow) -> canal_protocol::agent::NoteView {
    canal_protocol::agent::NoteView {
        id: u64::try_from(row.id).unwrap_or_default(),
        agent_id: u64::try_from(row.agent_id).unwrap_or_default(),
        agent_name: row.agent_name,
        text: row.body,
        created_at: row.created_at,
        after_seq: u64::try_from(row.after_seq).unwrap_or_default(),
        client_id: row.client_id,
    }
}

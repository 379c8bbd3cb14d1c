//! The visitor socket, `GET /api/v1/ws`.
//!
//! The first frame must be `hello` (conversation, visitor token, last sequence
//! seen); the server answers `welcome` and replays what the client missed. Each
//! `send` is stored once per client id and acknowledged with its sequence number.
//! `typing` is passed on to the consoles (throttled, never stored; see
//! [`crate::typing`]), and the agent's typing comes back the same way. Its draft
//! (the live typing preview) reaches the consoles that have the conversation open,
//! only while the channel's preview is on now (see [`crate::preview`]); otherwise
//! it is dropped. A refused frame gets an `error` frame and changes nothing.
//!
//! A `hello` claiming more than the server has (a restored database, a client bug)
//! is answered with the server's own newest sequence number, and what follows it is
//! delivered. A visitor who withdrew their consent to the channel's agreement is
//! refused at `hello`, and a socket of theirs that is open when they withdraw is
//! told (`consent_withdrawn`) and closed: nothing they send after is stored.
//!
//! Frames are at most 16 KiB ([`limits::MAX_FRAME_BYTES`]); a larger one closes the
//! socket with [`CLOSE_TOO_BIG`] (1009) and stores nothing. The socket's buffers are
//! sized for chat frames (see [`sized`]), so an idle socket costs a few KB.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use canal_protocol::{limits, ClientFrame, ErrorCode, MessageView, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::broadcast;

use crate::app::AppState;
use crate::dispatch::Display;
use crate::error::{parse_json, AppError};
use crate::hub::{Delivered, Event, Live, Step};
use crate::limits::PerSocket;
use crate::services::automation::Commit;
use crate::{typing, validate};

/// Upgrades to a socket when the Origin (if the client sent one) is this server's.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !same_origin(&headers) {
        return AppError::client(
            StatusCode::FORBIDDEN,
            ErrorCode::ForbiddenOrigin,
            "the socket is only for the Canal frame",
        )
        .into_response();
    }
    sized(ws, MAX_VISITOR_WRITE_BUFFER).on_upgrade(move |socket| {
        let address = crate::net::client_ip(peer, &headers, &state.trusted_proxies);
        Session::new(state, address).run(socket)
    })
}

/// Bytes a socket reads at a time: a chat frame is a few hundred bytes. The library's
/// default (128 KiB, filled with zeros on the first read) was most of an idle socket's
/// memory; a larger frame, up to the limit, grows the buffer as it arrives.
pub(crate) const READ_BUFFER_BYTES: usize = 2 * 1024;

/// The most a visitor socket's write buffer holds (frames written but not yet taken by
/// the network): a few of the largest frames. A visitor that reads nothing makes its
/// own socket fail, never the others' (see [`crate::hub`]).
const MAX_VISITOR_WRITE_BUFFER: usize = 4 * limits::MAX_FRAME_BYTES;

/// A visitor's `hello`, as its frame gave it.
struct Hello<'a> {
    conversation_id: String,
    token: &'a str,
    last_seq: u64,
    page_url: Option<&'a str>,
}

/// How long one frame may take to leave: a peer that takes nothing for this long
/// (its network gone, or it stopped reading) is dropped, so its task and buffers do
/// not stay for ever. A visitor that comes back resumes from its last sequence
/// number; a console gets its `welcome` again.
pub(crate) const WRITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Writes frames, each as JSON text, then flushes them together, each step within
/// [`WRITE_TIMEOUT`]; `Err` when the socket is gone or too slow, and the caller
/// then ends it.
pub(crate) async fn send_all<S, M, F>(sink: &mut S, frames: Vec<F>) -> Result<(), ()>
where
    S: futures_util::Sink<M> + Unpin,
    M: From<String>,
    F: serde::Serialize,
{
    if frames.is_empty() {
        return Ok(());
    }
    for frame in frames {
        let Ok(json) = serde_json::to_string(&frame) else {
            continue;
        };
        let fed = tokio::time::timeout(WRITE_TIMEOUT, sink.feed(M::from(json)));
        fed.await.map_err(drop)?.map_err(drop)?;
    }
    let flushed = tokio::time::timeout(WRITE_TIMEOUT, sink.flush());
    flushed.await.map_err(drop)?.map_err(drop)
}

/// Closes a socket, with `frame` (a code and reason) or without, giving up after
/// [`WRITE_TIMEOUT`] on a peer that takes nothing.
pub(crate) async fn close<S>(sink: &mut S, frame: Option<CloseFrame>)
where
    S: futures_util::Sink<Message> + Unpin,
{
    let closed = async {
        match frame {
            Some(frame) => sink.send(Message::Close(Some(frame))).await,
            None => sink.close().await,
        }
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, closed).await;
}

/// The close code of a socket closed for a frame over the size limit (RFC 6455:
/// message too big).
pub const CLOSE_TOO_BIG: u16 = 1009;

/// A socket upgrade sized for chat frames: frames up to
/// [`limits::MAX_FRAME_BYTES`], a small read buffer, each frame written as it is sent
/// (no write buffering), and at most `max_write_buffer` bytes waiting.
pub(crate) fn sized(ws: WebSocketUpgrade, max_write_buffer: usize) -> WebSocketUpgrade {
    ws.max_message_size(limits::MAX_FRAME_BYTES)
        .max_frame_size(limits::MAX_FRAME_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_write_buffer_size(max_write_buffer)
}

/// Whether a socket read failed on a frame over the size limit.
pub(crate) fn too_big(error: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    std::error::Error::source(error)
        .and_then(|e| e.downcast_ref::<Error>())
        .is_some_and(|e| matches!(e, Error::Capacity(_)))
}

/// The close frame for a frame over the size limit.
pub(crate) fn too_big_frame() -> CloseFrame {
    CloseFrame {
        code: CLOSE_TOO_BIG,
        reason: Utf8Bytes::from_static("frame too big: at most 16 KiB"),
    }
}

/// Browsers always send Origin on sockets; it must name the host they connected to.
/// Non-browser clients (integrations, tests) send none and are let through: they
/// cannot ride on a visitor's ambient credentials, there are none.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (
        origin.to_str(),
        headers.get(header::HOST).map(|h| h.to_str()),
    ) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(scheme, rest)| matches!(scheme, "http" | "https") && rest == host)
}

struct Joined {
    conversation_id: String,
    visitor_id: String,
    channel_id: String,
    events: broadcast::Receiver<Live>,
    /// Every visitor's withdrawals (see [`crate::hub::Hub::withdrawn`]).
    withdrawals: broadcast::Receiver<Arc<str>>,
    /// How agent messages are shown on this conversation's channel.
    display: Display,
    /// The visitor counts as on the page while the socket follows the conversation
    /// (an agent's answer is e-mailed only to a visitor who left).
    _here: crate::hub::VisitorHere,
}

struct Session {
    state: AppState,
    connection: u64,
    joined: Option<Joined>,
    /// What the client has of the conversation.
    delivered: Delivered,
    /// The throttle of this socket's `typing` frames.
    typing: typing::Gate,
    /// The throttle of this socket's drafts.
    drafts: typing::DraftGate,
    /// This socket's bucket of frames (see [`crate::limits`]).
    frames: PerSocket,
    /// Frames refused in a row for being over the bucket.
    refused: u32,
    /// The client's address, as the ban of an address sees it.
    address: IpAddr,
    /// The text of a message stored and acknowledged whose consequences are still
    /// to come (see [`Session::after_message`]), and the responsible agent its
    /// insert read.
    wrote: Option<(String, Option<i64>)>,
}

/// Frames refused in a row (over the socket's rate) before the socket is closed.
const REFUSED_BEFORE_CLOSE: u32 = 10;

/// The close code of a socket closed for sending too much (RFC 6455: policy
/// violation).
pub const CLOSE_RATE_LIMITED: u16 = 1008;

/// What to do after a frame.
enum Next {
    Continue,
    Close,
    /// Close with [`CLOSE_RATE_LIMITED`].
    CloseLimited,
    /// Close with [`CLOSE_TOO_BIG`].
    CloseTooBig,
}

impl Session {
    fn new(state: AppState, address: IpAddr) -> Self {
        let connection = state.hub.connection_id();
        Self {
            connection,
            joined: None,
            delivered: Delivered::default(),
            typing: typing::Gate::default(),
            drafts: typing::DraftGate::default(),
            frames: PerSocket::new(state.limits.socket_frames),
            refused: 0,
            address,
            wrote: None,
            state,
        }
    }

    /// The socket's task. What a frame or an event sets off (store reads and writes)
    /// runs boxed, so that the task of an idle socket holds only this loop, not the
    /// largest of those futures.
    async fn run(mut self, socket: WebSocket) {
        let (mut sink, mut stream) = socket.split();
        let mut closing = self.state.closing.subscribe();
        loop {
            let mut out = Vec::new();
            let mut next = tokio::select! {
                // The server is stopping (or its state is gone).
                () = stopping(&mut closing) => Next::Close,
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => Box::pin(self.on_text(&text, &mut out)).await,
                    Some(Ok(Message::Binary(_))) => {
                        out.push(error_frame(ErrorCode::BadRequest, "send JSON text frames"));
                        Next::Continue
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Next::Continue,
                    Some(Err(e)) if too_big(&e) => Next::CloseTooBig,
                    // Closed, or broken.
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Next::Close,
                },
                heard = next_heard(&mut self.joined) => match heard {
                    Heard::Event(event) => Box::pin(self.on_event(event, &mut out)).await,
                    Heard::Withdrawal(withdrawal) => {
                        Box::pin(self.on_withdrawal(withdrawal, &mut out)).await
                    }
                },
            };
            let mut sent = send_all(&mut sink, out).await;
            // A message's ack is out: what follows it runs now, before the next
            // frame (even when the socket broke: the message is stored).
            if let Some((text, responsible)) = self.wrote.take() {
                if let Some(follow) = self.after_message(text, responsible) {
                    let (delivered, then) =
                        Box::pin(self.deliver_while(&mut sink, follow, sent.is_ok())).await;
                    sent = sent.and(delivered);
                    if let (Next::Continue, Some(then)) = (&next, then) {
                        next = then;
                    }
                }
            }
            if sent.is_err() {
                return;
            }
            match next {
                Next::Continue => {}
                Next::Close => {
                    close(&mut sink, None).await;
                    return;
                }
                Next::CloseLimited => {
                    let frame = CloseFrame {
                        code: CLOSE_RATE_LIMITED,
                        reason: Utf8Bytes::from_static("rate limited: too many frames"),
                    };
                    close(&mut sink, Some(frame)).await;
                    return;
                }
                Next::CloseTooBig => {
                    close(&mut sink, Some(too_big_frame())).await;
                    return;
                }
            }
        }
    }

    async fn on_text(&mut self, text: &str, out: &mut Vec<ServerFrame>) -> Next {
        if !self.frames.allow() {
            self.refused += 1;
            out.push(error_frame(
                ErrorCode::RateLimited,
                "too many frames on this socket: slow down (this one was not stored)",
            ));
            return if self.refused >= REFUSED_BEFORE_CLOSE {
                Next::CloseLimited
            } else {
                Next::Continue
            };
        }
        self.refused = 0;
        let frame = match parse_json::<ClientFrame>(text.as_bytes()) {
            Ok(frame) => frame,
            Err(e) => {
                out.push(public_error(&e));
                return Next::Continue;
            }
        };
        let result = match frame {
            ClientFrame::Hello {
                conversation_id,
                visitor_token,
                last_seq,
                page_url,
            } => {
                let hello = Hello {
                    conversation_id,
                    token: &visitor_token,
                    last_seq,
                    page_url: page_url.as_deref(),
                };
                self.hello(hello, out).await
            }
            ClientFrame::Send { client_id, text } => self.send(&client_id, &text, out).await,
            ClientFrame::Typing { typing, draft } => self.typing(typing, draft.as_deref()).await,
        };
        match result {
            Ok(next) => next,
            Err(e) => {
                out.push(public_error(&e));
                Next::Continue
            }
        }
    }

    async fn hello(
        &mut self,
        hello: Hello<'_>,
        out: &mut Vec<ServerFrame>,
    ) -> Result<Next, AppError> {
        let Hello {
            conversation_id,
            token,
            last_seq,
            page_url,
        } = hello;
        if self.joined.is_some() {
            return Err(AppError::bad_request(
                ErrorCode::BadRequest,
                "hello was already sent on this socket",
            ));
        }
        let Some(visitor_id) = self.state.tokens.verify(token) else {
            out.push(public_error(&crate::services::visitors::unauthorized()));
            return Ok(Next::Close);
        };
        self.state.per_visitor.check(&visitor_id)?;
        if self.state.bans.visitor(&visitor_id) {
            out.push(public_error(&crate::bans::banned()));
            return Ok(Next::Close);
        }
        let conversation = self.state.store.conversation(&conversation_id).await?;
        if conversation
            .as_ref()
            .is_none_or(|c| c.visitor_id != visitor_id)
        {
            out.push(error_frame(
                ErrorCode::UnknownConversation,
                "no conversation with this id belongs to this visitor",
            ));
            return Ok(Next::Close);
        }
        let Some(conversation) = conversation else {
            return Ok(Next::Close);
        };
        // Listen before looking, so a withdrawal cannot fall between the two.
        let withdrawals = self.state.hub.withdrawals();
        if self
            .state
            .store
            .visitor_withdrew(&visitor_id, &conversation.channel_id)
            .await?
        {
            out.push(public_error(&crate::services::visitors::withdrawn()));
            return Ok(Next::Close);
        }
        // Where the visitor is now, checked as the start page is (refused: not
        // joined, nothing stored).
        let page_now = match page_url {
            Some(url) => {
                let url = validate::page_url(url)?;
                let channel = self
                    .state
                    .store
                    .channel_by_id(&conversation.channel_id)
                    .await?
                    .ok_or_else(|| {
                        AppError::not_found(
                            ErrorCode::UnknownChannel,
                            "this chat's channel is gone",
                        )
                    })?;
                crate::services::visitors::allowed_page(&channel, &url)?;
                Some(url)
            }
            None => None,
        };
        let display = self
            .state
            .dispatch
            .display(&conversation.channel_id)
            .await?;
        // Subscribe before reading history so nothing falls between the two.
        let events = self.state.hub.subscribe(&conversation_id);
        let here = self.state.hub.visitor_here(&conversation_id);
        let history = self
            .state
            .store
            .messages_after(&conversation_id, to_i64(last_seq))
            .await?;
        let newest = match history.last() {
            Some(m) => m.seq.max(0) as u64,
            None if last_seq == 0 => 0,
            // Up to date, or claiming more than the store has (a restored
            // database, a client bug): the store's newest is where both stand, and
            // what follows it is delivered.
            None => {
                (self.state.store.newest_seq(&conversation_id).await?.max(0) as u64).min(last_seq)
            }
        };
        out.push(ServerFrame::Welcome {
            conversation_id: conversation_id.clone(),
            last_seq: newest,
        });
        self.delivered = Delivered(last_seq.min(newest));
        for row in history {
            self.push_message(display.view(row), out);
        }
        self.joined = Some(Joined {
            conversation_id,
            visitor_id,
            channel_id: conversation.channel_id,
            events,
            withdrawals,
            display,
            _here: here,
        });
        if let Some(url) = page_now {
            if let Some(joined) = &self.joined {
                self.state
                    .dispatch
                    .visitor_on_page(&joined.conversation_id, &url)
                    .await?;
            }
        }
        Ok(Next::Continue)
    }

    /// A withdrawal somewhere: when it is this socket's visitor, tell them and
    /// close. Too many to follow: ask the store.
    async fn on_withdrawal(
        &mut self,
        heard: Result<Arc<str>, broadcast::error::RecvError>,
        out: &mut Vec<ServerFrame>,
    ) -> Next {
        let Some(joined) = &self.joined else {
            return Next::Continue;
        };
        let ours = match heard {
            Ok(visitor_id) => *visitor_id == *joined.visitor_id,
            Err(broadcast::error::RecvError::Lagged(_)) => {
                match self
                    .state
                    .store
                    .visitor_withdrew(&joined.visitor_id, &joined.channel_id)
                    .await
                {
                    Ok(withdrew) => withdrew,
                    Err(e) => {
                        tracing::error!(error = %e, "withdrawal check failed");
                        return Next::Close;
                    }
                }
            }
            Err(broadcast::error::RecvError::Closed) => return Next::Close,
        };
        if ours {
            out.push(public_error(&crate::services::visitors::withdrawn()));
            Next::Close
        } else {
            Next::Continue
        }
    }

    /// Whether this socket's visitor withdrew since `hello` and the socket has not
    /// acted on it yet: checked before storing anything they send.
    async fn withdrew_since_hello(&mut self) -> Result<bool, AppError> {
        let Some(joined) = &mut self.joined else {
            return Ok(false);
        };
        loop {
            match joined.withdrawals.try_recv() {
                Ok(visitor_id) if *visitor_id == *joined.visitor_id => return Ok(true),
                Ok(_) => continue,
                // Some were missed: the store knows.
                Err(broadcast::error::TryRecvError::Lagged(_)) => {
                    return Ok(self
                        .state
                        .store
                        .visitor_withdrew(&joined.visitor_id, &joined.channel_id)
                        .await?)
                }
                Err(_) => return Ok(false),
            }
        }
    }

    async fn send(
        &mut self,
        client_id: &str,
        text: &str,
        out: &mut Vec<ServerFrame>,
    ) -> Result<Next, AppError> {
        let Some(joined) = &self.joined else {
            return Err(AppError::bad_request(
                ErrorCode::NotAuthenticated,
                "send hello first",
            ));
        };
        validate::client_id("client_id", client_id)?;
        validate::message_text(text)?;
        let conversation_id = joined.conversation_id.clone();
        if self.withdrew_since_hello().await? {
            out.push(public_error(&crate::services::visitors::withdrawn()));
            return Ok(Next::Close);
        }
        let Some(joined) = &self.joined else {
            return Ok(Next::Close);
        };
        // Banned while the socket was open: nothing more of theirs is stored.
        if self.state.bans.address(self.address) || self.state.bans.visitor(&joined.visitor_id) {
            out.push(public_error(&crate::bans::banned()));
            return Ok(Next::Close);
        }
        let appended = self
            .state
            .store
            .append_message(&conversation_id, "visitor", Some(client_id), text)
            .await?;
        let seq = appended.message.seq.max(0) as u64;
        out.push(ServerFrame::Ack {
            client_id: client_id.to_owned(),
            seq,
            sent_at: appended.message.created_at.clone(),
        });
        if appended.inserted {
            // The consoles clear the preview on the visitor's message.
            self.drafts.cleared();
            let message = joined.display.view(appended.message);
            self.state.hub.publish(
                &conversation_id,
                Event {
                    origin: self.connection,
                    message,
                },
            );
            // Acknowledged at once; the rest once the ack is sent.
            self.wrote = Some((text.to_owned(), appended.responsible_agent_id));
        }
        Ok(Next::Continue)
    }

    /// What follows a visitor's message once its ack is sent: routing hears of
    /// it, the CRM records it (who is told of it is worked out aside), the
    /// conversation's timers move (a failure is logged: the message is stored).
    /// It owns what it needs, so that the socket delivers meanwhile (see
    /// [`Session::deliver_while`]).
    fn after_message(
        &self,
        text: String,
        responsible: Option<i64>,
    ) -> Option<Pin<Box<dyn Future<Output = ()> + Send + 'static>>> {
        let joined = self.joined.as_ref()?;
        let state = self.state.clone();
        let (conversation_id, channel_id, visitor_id) = (
            joined.conversation_id.clone(),
            joined.channel_id.clone(),
            joined.visitor_id.clone(),
        );
        Some(Box::pin(async move {
            state.dispatch.client_message(&conversation_id, &text).await;
            let tracked = crate::services::crm::message(
                &state,
                &channel_id,
                &visitor_id,
                &conversation_id,
                &text,
                false,
            )
            .await;
            let aside = (
                state.clone(),
                channel_id.clone(),
                visitor_id,
                conversation_id.clone(),
            );
            tokio::spawn(async move {
                use crate::services::crm::{notify_inbound, notify_inbound_of};
                let (state, channel, visitor, conversation) = aside;
                if tracked {
                    // The tracker may just have found their contact: read it again.
                    notify_inbound(&state, &channel, &visitor, &conversation, &text).await;
                } else {
                    notify_inbound_of(&state, &channel, responsible, &conversation, &text).await;
                }
            });
            if let Err(e) = crate::services::automation::visitor_wrote(
                &state,
                &channel_id,
                &conversation_id,
                Commit::Aside,
            )
            .await
            {
                tracing::error!(error = %e, "arming the conversation's timers failed");
            }
        }))
    }

    /// Runs `follow` (what follows a message) to its end, and meanwhile sends
    /// the client what the conversation hears (an agent's reply, the auto-reply
    /// the message let go), so that nothing it waits on delays them. The socket's
    /// next frame waits for `follow`. Answers whether every send went out (none
    /// is tried once one failed, or when `open` is false) and what to do after
    /// (a withdrawal heard meanwhile closes the socket).
    async fn deliver_while<S>(
        &mut self,
        sink: &mut S,
        mut follow: Pin<Box<dyn Future<Output = ()> + Send + 'static>>,
        open: bool,
    ) -> (Result<(), ()>, Option<Next>)
    where
        S: futures_util::Sink<Message> + Unpin,
    {
        let (mut sent, mut then) = (if open { Ok(()) } else { Err(()) }, None);
        loop {
            let listening = sent.is_ok() && then.is_none();
            tokio::select! {
                biased;
                () = &mut follow => return (sent, then),
                heard = next_heard(&mut self.joined), if listening => {
                    let mut out = Vec::new();
                    let next = match heard {
                        Heard::Event(event) => Box::pin(self.on_event(event, &mut out)).await,
                        Heard::Withdrawal(withdrawal) => {
                            Box::pin(self.on_withdrawal(withdrawal, &mut out)).await
                        }
                    };
                    sent = send_all(sink, out).await;
                    if !matches!(next, Next::Continue) {
                        then = Some(next);
                    }
                }
            }
        }
    }

    /// The visitor started or stopped writing: tell the consoles, unless the
    /// conversation is closed or this socket said so less than a second ago. The
    /// draft, if any, is checked first (a bad one refuses the whole frame), and
    /// goes to the consoles that show the conversation when the channel's
    /// preview is on now and the draft throttle lets it through.
    async fn typing(&mut self, typing: bool, draft: Option<&str>) -> Result<Next, AppError> {
        let Some(joined) = &self.joined else {
            return Err(AppError::bad_request(
                ErrorCode::NotAuthenticated,
                "send hello first",
            ));
        };
        if let Some(draft) = draft {
            typing::check_draft(draft)?;
        }
        let dispatch = &self.state.dispatch;
        dispatch.check_open(&joined.conversation_id).await?;
        let now = std::time::Instant::now();
        if self.typing.pass(typing, now) {
            dispatch.visitor_typing(&joined.conversation_id, typing);
        }
        if let Some(draft) = draft {
            let on = self
                .state
                .automations
                .on(&self.state.store, &joined.channel_id)
                .await?;
            if on && self.drafts.pass(draft, now) {
                self.state.hub.visitor_draft(&joined.conversation_id, draft);
            }
        }
        Ok(Next::Continue)
    }

    async fn on_event(
        &mut self,
        event: Result<Live, broadcast::error::RecvError>,
        out: &mut Vec<ServerFrame>,
    ) -> Next {
        match event {
            Ok(Live::Message(event)) => match self.delivered.step(event.message.seq) {
                // Our own message: the client has its ack.
                Step::Deliver if event.origin == self.connection => {}
                Step::Deliver => out.push(ServerFrame::Message(event.message.clone())),
                Step::Skip => {}
                Step::CatchUp => return self.catch_up(out).await,
            },
            Ok(Live::AgentTyping { name, typing }) => {
                out.push(ServerFrame::Typing { typing, name })
            }
            // The visitor's own draft: for the consoles.
            Ok(Live::VisitorDraft(_)) => {}
            Ok(Live::Closed) => out.push(ServerFrame::Closed),
            // Too slow to follow live: catch up from the store.
            Err(broadcast::error::RecvError::Lagged(_)) => return self.catch_up(out).await,
            Err(broadcast::error::RecvError::Closed) => return Next::Close,
        }
        Next::Continue
    }

    /// Sends what the store holds after what the client was sent, in order.
    async fn catch_up(&mut self, out: &mut Vec<ServerFrame>) -> Next {
        let Some(joined) = &self.joined else {
            return Next::Continue;
        };
        match self
            .state
            .store
            .messages_after(&joined.conversation_id, self.delivered.after())
            .await
        {
            Ok(rows) => {
                let display = joined.display.clone();
                for row in rows {
                    self.push_message(display.view(row), out);
                }
                Next::Continue
            }
            Err(e) => {
                tracing::error!(error = %e, "catch-up read failed");
                Next::Close
            }
        }
    }

    /// Queues a stored message read from the store, if it is the next one the client
    /// lacks.
    fn push_message(&mut self, message: MessageView, out: &mut Vec<ServerFrame>) {
        if self.delivered.caught_up(message.seq) {
            out.push(ServerFrame::Message(message));
        }
    }
}

/// Resolves once the server is stopping (or its state is gone).
pub(crate) async fn stopping(closing: &mut tokio::sync::watch::Receiver<bool>) {
    while !*closing.borrow_and_update() {
        if closing.changed().await.is_err() {
            return;
        }
    }
}

/// What a joined socket hears from the hub.
enum Heard {
    Event(Result<Live, broadcast::error::RecvError>),
    Withdrawal(Result<Arc<str>, broadcast::error::RecvError>),
}

/// The next hub event or withdrawal, or never when the socket has not joined a
/// conversation.
async fn next_heard(joined: &mut Option<Joined>) -> Heard {
    match joined {
        Some(joined) => tokio::select! {
            event = joined.events.recv() => Heard::Event(event),
            withdrawal = joined.withdrawals.recv() => Heard::Withdrawal(withdrawal),
        },
        None => std::future::pending().await,
    }
}

fn to_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn error_frame(code: ErrorCode, message: &str) -> ServerFrame {
    ServerFrame::Error {
        code,
        message: message.to_owned(),
    }
}

fn public_error(error: &AppError) -> ServerFrame {
    if let AppError::Store(cause) = error {
        tracing::error!(error = %cause, "store error on socket");
    }
    let (code, message) = error.public();
    ServerFrame::Error { code, message }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use tokio::net::{TcpListener, TcpStream};
    use tokio_tungstenite::tungstenite::protocol::Role;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::WebSocketStream;

    use super::{send_all, WRITE_TIMEOUT};

    /// A socket pair on loopback: the server's end and the peer's.
    async fn pair() -> (WebSocketStream<TcpStream>, WebSocketStream<TcpStream>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (peer, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let server =
            WebSocketStream::from_raw_socket(accepted.expect("accept").0, Role::Server, None);
        let peer = WebSocketStream::from_raw_socket(peer.expect("connect"), Role::Client, None);
        (server.await, peer.await)
    }

    fn frames(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("{i:08}{}", "x".repeat(8 * 1024)))
            .collect()
    }

    // The clock is paused: once every task waits, it jumps to the next timer, so the
    // write timeout passes at once when (and only when) the writes are stuck.
    #[tokio::test(start_paused = true)]
    async fn a_peer_that_reads_nothing_is_given_up_after_the_write_timeout() {
        let (mut server, _peer) = pair().await;
        let started = tokio::time::Instant::now();
        // About 80 MB: more than loopback's socket buffers hold.
        let sent = send_all::<_, Message, _>(&mut server, frames(10_000)).await;
        assert_eq!(
            sent,
            Err(()),
            "the writes never finish: the peer reads nothing"
        );
        assert!(started.elapsed() >= WRITE_TIMEOUT);
    }

    #[tokio::test(start_paused = true)]
    async fn a_peer_that_reads_gets_every_frame() {
        let (mut server, mut peer) = pair().await;
        let reader = tokio::spawn(async move {
            let mut got = 0;
            while let Some(Ok(message)) = peer.next().await {
                if message.is_text() {
                    got += 1;
                }
            }
            got
        });
        assert_eq!(
            send_all::<_, Message, _>(&mut server, frames(2_000)).await,
            Ok(())
        );
        drop(server);
        assert_eq!(reader.await.expect("reader"), 2_000);
    }
}

//! The app's WebSocket to its own server (same host, the page's scheme), through
//! gloo-net's `WebSocket`, told to the app as [`SocketEvent`]s. Every frame goes
//! through the protocol's serde derives ([`crate::wire`]).

use std::cell::RefCell;
use std::future::poll_fn;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_sink::Sink;
use gloo_net::websocket::{futures::WebSocket, Message, State};
use serde::{de::DeserializeOwned, Serialize};

use crate::http::ApiError;
use crate::wire::{decode, encode};

/// What the socket reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent<F> {
    /// Connected: the first frame may be sent.
    Open,
    /// A frame from the server. Frames that do not parse are dropped.
    Frame(F),
    /// The connection ended (or never came up).
    Closed,
}

/// The socket URL at `path` for a page at `protocol` (`https:`) and `host`
/// (`a.example:8080`).
pub fn socket_url(protocol: &str, host: &str, path: &str) -> String {
    let scheme = if protocol == "https:" { "wss:" } else { "ws:" };
    format!("{scheme}//{host}{path}")
}

/// One connection. Dropping it closes the connection and silences its events.
pub struct Socket {
    ws: Rc<RefCell<WebSocket>>,
}

impl Socket {
    /// Connects to `path` on the page's own host; `on_event` hears about it from
    /// then on (from a task of its own, never from inside this call).
    pub fn open<F: DeserializeOwned + 'static>(
        path: &str,
        on_event: impl Fn(SocketEvent<F>) + 'static,
    ) -> Result<Self, ApiError> {
        let location = web_sys::window().ok_or(ApiError::Network)?.location();
        let protocol = location.protocol().map_err(|_| ApiError::Network)?;
        let host = location.host().map_err(|_| ApiError::Network)?;
        let ws =
            WebSocket::open(&socket_url(&protocol, &host, path)).map_err(|_| ApiError::Network)?;
        let ws = Rc::new(RefCell::new(ws));
        // The reader holds the socket weakly: once the app drops it, the reader
        // ends at its next wake-up (gloo-net's drop wakes it) without a word.
        let weak = Rc::downgrade(&ws);
        wasm_bindgen_futures::spawn_local(async move {
            // Writable once open (a socket that failed is closed by then); an error
            // or a close on the stream before that ends it too.
            let open = poll_fn(|cx| {
                with(&weak, cx, |ws, cx| {
                    if let Poll::Ready(ready) = Pin::new(&mut *ws).poll_ready(cx) {
                        return Poll::Ready(ready.is_ok() && matches!(ws.state(), State::Open));
                    }
                    Pin::new(&mut *ws).poll_next(cx).map(|_| false)
                })
            })
            .await;
            match open {
                None => return,
                Some(false) => return on_event(SocketEvent::Closed),
                Some(true) => on_event(SocketEvent::Open),
            }
            loop {
                let next = poll_fn(|cx| with(&weak, cx, |ws, cx| Pin::new(ws).poll_next(cx))).await;
                match next {
                    None => return,
                    Some(None) => return on_event(SocketEvent::Closed),
                    Some(Some(Ok(Message::Text(text)))) => {
                        if let Some(frame) = decode(&text) {
                            on_event(SocketEvent::Frame(frame));
                        }
                    }
                    // Binary frames (the server sends none) and error events (the
                    // close that follows ends the stream).
                    Some(Some(_)) => {}
                }
            }
        });
        Ok(Self { ws })
    }

    /// Sends a frame; `false` if the socket is not open.
    pub fn send<T: Serialize + ?Sized>(&self, frame: &T) -> bool {
        let Some(text) = encode(frame) else {
            return false;
        };
        let mut ws = self.ws.borrow_mut();
        matches!(ws.state(), State::Open)
            && Pin::new(&mut *ws).start_send(Message::Text(text)).is_ok()
    }
}

/// Polls the socket while the app still holds it; `Ready(None)` once it dropped it.
fn with<T>(
    weak: &Weak<RefCell<WebSocket>>,
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut WebSocket, &mut Context<'_>) -> Poll<T>,
) -> Poll<Option<T>> {
    match weak.upgrade() {
        None => Poll::Ready(None),
        Some(ws) => poll(&mut ws.borrow_mut(), cx).map(Some),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #[test]
    fn socket_follows_the_page_scheme() {
        use super::socket_url;
        assert_eq!(
            socket_url("https:", "chat.example", "/api/v1/agent/ws"),
            "wss://chat.example/api/v1/agent/ws"
        );
        assert_eq!(
            socket_url("http:", "127.0.0.1:8080", "/api/v1/ws"),
            "ws://127.0.0.1:8080/api/v1/ws"
        );
    }
}

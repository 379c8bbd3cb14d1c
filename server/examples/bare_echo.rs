//! The bare socket server `cargo xtask bench sockets` compares Canal with: the same
//! socket library (axum's WebSocket, its default buffers), the same visitor protocol
//! on the outside, and nothing behind it. `hello` is answered with `welcome`, each
//! `send` with an `ack` (a per-socket counter as its sequence number); nothing is
//! stored, checked or passed on.
//!
//! Listens on 127.0.0.1:0 and prints `listening on ADDR` on standard output.

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use canal_protocol::{limits, ClientFrame, ServerFrame};
use std::io::Write;

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("bound address");
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    let app = Router::new().route("/api/v1/ws", get(upgrade));
    // As Canal's server: each write goes out at once (no Nagle).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await.expect("serve");
}

/// The same frame limits as Canal's visitor socket; the buffers are the library's.
async fn upgrade(ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(limits::MAX_FRAME_BYTES)
        .max_frame_size(limits::MAX_FRAME_BYTES)
        .on_upgrade(echo)
}

async fn echo(mut socket: WebSocket) {
    let mut seq = 0u64;
    while let Some(Ok(message)) = socket.recv().await {
        let Message::Text(text) = message else {
            continue;
        };
        let answer = match serde_json::from_str::<ClientFrame>(&text) {
            Ok(ClientFrame::Hello {
                conversation_id, ..
            }) => ServerFrame::Welcome {
                conversation_id,
                last_seq: 0,
            },
            Ok(ClientFrame::Send { client_id, .. }) => {
                seq += 1;
                ServerFrame::Ack {
                    client_id,
                    seq,
                    sent_at: String::new(),
                }
            }
            Ok(ClientFrame::Typing { .. }) | Err(_) => continue,
        };
        let Ok(json) = serde_json::to_string(&answer) else {
            continue;
        };
        if socket
            .send(Message::Text(Utf8Bytes::from(json)))
            .await
            .is_err()
        {
            return;
        }
    }
}

//! The frame's I/O with its own server (same origin, relative URLs): JSON over
//! `fetch` for the HTTP API and the chat WebSocket. Everything that comes back is
//! parsed into `canal_protocol` types; nothing from the network is trusted to be
//! well formed.

use std::rc::Rc;

use canal_protocol::{
    ChannelConfig, ClientFrame, ConsentCreated, ConsentRequest, ConversationCreated,
    ConversationRequest, ErrorBody, ErrorCode, ServerFrame,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, MessageEvent, RequestInit, Response, WebSocket};

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, blocked, or the browser refused the request.
    Network,
    /// The server answered with an error status and, when it could be read, its code.
    Status {
        status: u16,
        code: Option<ErrorCode>,
    },
    /// The answer did not have the shape the protocol says.
    Decode,
}

impl ApiError {
    /// The server's error code, when there is one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Status { code, .. } => *code,
            _ => None,
        }
    }
}

fn channel_url(channel: &str, resource: &str) -> String {
    let key = String::from(js_sys::encode_uri_component(channel));
    format!("/api/v1/channels/{key}/{resource}")
}

/// `GET /api/v1/channels/{key}/config`.
pub async fn fetch_config(channel: String) -> Result<ChannelConfig, ApiError> {
    call("GET", &channel_url(&channel, "config"), None::<&()>).await
}

/// `POST /api/v1/channels/{key}/consents`: records the accepted agreement.
pub async fn create_consent(
    channel: &str,
    request: &ConsentRequest,
) -> Result<ConsentCreated, ApiError> {
    call("POST", &channel_url(channel, "consents"), Some(request)).await
}

/// `POST /api/v1/channels/{key}/conversations`: starts a conversation.
pub async fn create_conversation(
    channel: &str,
    request: &ConversationRequest,
) -> Result<ConversationCreated, ApiError> {
    call(
        "POST",
        &channel_url(channel, "conversations"),
        Some(request),
    )
    .await
}

async fn call<B: Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let body = match body {
        Some(body) => Some(serde_json::to_string(body).map_err(|_| ApiError::Decode)?),
        None => None,
    };
    let text = fetch_text(method, url, body).await?;
    serde_json::from_str(&text).map_err(|_| ApiError::Decode)
}

/// The one non-generic `fetch`: the body of a 2xx answer, or the error.
async fn fetch_text(method: &str, url: &str, body: Option<String>) -> Result<String, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let headers = Headers::new().map_err(|_| ApiError::Network)?;
        headers
            .set("content-type", "application/json")
            .map_err(|_| ApiError::Network)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    }
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(ApiError::Status {
            status: response.status(),
            code: serde_json::from_str::<ErrorBody>(&text)
                .ok()
                .map(|body| body.error.code),
        })
    }
}

/// A random id for idempotency keys and message client ids: 128 bits from
/// `crypto.getRandomValues`, as 32 hex digits. `None` if the browser has no crypto.
pub fn random_id() -> Option<String> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 16];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    Some(
        bytes
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .map(char::from)
            .collect(),
    )
}

/// Reads a server frame: the same result as `serde_json::from_str::<ServerFrame>`.
///
/// Serde reads an internally tagged enum by first buffering the whole frame in a
/// generic tree; that machinery alone costs about 7 KB of the frame's 100 KB brotli
/// budget. Reading the `type` first and then the variant's fields is much smaller.
/// The native test `frames_decode_like_serde` keeps the two in step, and its
/// exhaustive `match` stops compiling when `ServerFrame` gains a variant.
pub fn decode_frame(text: &str) -> Option<ServerFrame> {
    #[derive(Deserialize)]
    struct Tag {
        #[serde(rename = "type")]
        kind: String,
    }
    #[derive(Deserialize)]
    struct Welcome {
        conversation_id: String,
        last_seq: u64,
    }
    #[derive(Deserialize)]
    struct Ack {
        client_id: String,
        seq: u64,
    }
    #[derive(Deserialize)]
    struct Refused {
        code: ErrorCode,
        message: String,
    }
    let tag: Tag = serde_json::from_str(text).ok()?;
    Some(match tag.kind.as_str() {
        "welcome" => {
            let f: Welcome = serde_json::from_str(text).ok()?;
            ServerFrame::Welcome {
                conversation_id: f.conversation_id,
                last_seq: f.last_seq,
            }
        }
        "ack" => {
            let f: Ack = serde_json::from_str(text).ok()?;
            ServerFrame::Ack {
                client_id: f.client_id,
                seq: f.seq,
            }
        }
        "message" => ServerFrame::Message(serde_json::from_str(text).ok()?),
        "error" => {
            let f: Refused = serde_json::from_str(text).ok()?;
            ServerFrame::Error {
                code: f.code,
                message: f.message,
            }
        }
        _ => return None,
    })
}

/// What the chat socket reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    /// Connected; the `hello` frame may be sent.
    Open,
    /// A frame from the server. Frames that do not parse are dropped.
    Frame(ServerFrame),
    /// The connection ended (or never came up).
    Closed,
}

type Handler<A> = Closure<dyn FnMut(A)>;

/// The chat WebSocket at `/api/v1/ws` of the frame's own host. Dropping it closes
/// the connection and silences its handlers.
pub struct Socket {
    ws: WebSocket,
    _on_open: Handler<JsValue>,
    _on_message: Handler<MessageEvent>,
    _on_close: Handler<JsValue>,
}

impl Socket {
    /// Connects; `on_event` hears about it from then on.
    pub fn open(on_event: impl Fn(SocketEvent) + 'static) -> Result<Self, ApiError> {
        let location = web_sys::window().ok_or(ApiError::Network)?.location();
        let scheme = match location.protocol().map_err(|_| ApiError::Network)?.as_str() {
            "https:" => "wss:",
            _ => "ws:",
        };
        let host = location.host().map_err(|_| ApiError::Network)?;
        let ws = WebSocket::new(&format!("{scheme}//{host}/api/v1/ws"))
            .map_err(|_| ApiError::Network)?;

        let on_event = Rc::new(on_event);
        let on_open: Handler<JsValue> = {
            let on_event = Rc::clone(&on_event);
            Closure::new(move |_| on_event(SocketEvent::Open))
        };
        let on_message: Handler<MessageEvent> = {
            let on_event = Rc::clone(&on_event);
            Closure::new(move |event: MessageEvent| {
                let frame = event
                    .data()
                    .as_string()
                    .and_then(|text| decode_frame(&text));
                if let Some(frame) = frame {
                    on_event(SocketEvent::Frame(frame));
                }
            })
        };
        let on_close: Handler<JsValue> = Closure::new(move |_| on_event(SocketEvent::Closed));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends a frame; `false` if the socket is not open.
    pub fn send(&self, frame: &ClientFrame) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
            && serde_json::to_string(frame)
                .ok()
                .is_some_and(|text| self.ws.send_with_str(&text).is_ok())
    }

    /// Closes the connection; the `Closed` event follows.
    pub fn close(&self) {
        let _ = self.ws.close();
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

// Native tier: `cargo test -p canal-widget` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use canal_protocol::{Author, MessageView};

    use super::*;

    fn every_variant() -> Vec<ServerFrame> {
        let frames = vec![
            ServerFrame::Welcome {
                conversation_id: "c1".into(),
                last_seq: 7,
            },
            ServerFrame::Ack {
                client_id: "a1".into(),
                seq: 8,
            },
            ServerFrame::Message(MessageView {
                seq: 9,
                author: Author::Agent,
                text: "<b>hi</b> \"there\"".into(),
                client_id: None,
                sent_at: "2026-01-01T00:00:00Z".into(),
                author_name: None,
                author_avatar: None,
            }),
            ServerFrame::Message(MessageView {
                seq: 10,
                author: Author::Visitor,
                text: "mine".into(),
                client_id: Some("a1".into()),
                sent_at: "2026-01-01T00:00:01Z".into(),
                author_name: None,
                author_avatar: None,
            }),
            ServerFrame::Error {
                code: ErrorCode::TooLarge,
                message: "too large".into(),
            },
        ];
        // Adding a variant to `ServerFrame` breaks this match: extend `decode_frame`
        // and the list above.
        for frame in &frames {
            match frame {
                ServerFrame::Welcome { .. }
                | ServerFrame::Ack { .. }
                | ServerFrame::Message(_)
                | ServerFrame::Error { .. } => {}
            }
        }
        frames
    }

    #[test]
    fn frames_decode_like_serde() {
        for frame in every_variant() {
            let json = serde_json::to_string(&frame).expect("serialise");
            let ours = decode_frame(&json);
            let serdes = serde_json::from_str::<ServerFrame>(&json).ok();
            assert_eq!(ours, serdes, "{json}");
            assert_eq!(ours, Some(frame));
        }
    }

    #[test]
    fn malformed_frames_are_dropped_like_serde() {
        for json in [
            "",
            "null",
            "[]",
            r#"{"type":"ack"}"#,
            r#"{"type":"ack","client_id":"a","seq":-1}"#,
            r#"{"type":"welcome","conversation_id":1,"last_seq":0}"#,
            r#"{"type":"error","code":"no_such_code","message":"x"}"#,
            r#"{"type":"shout","text":"x"}"#,
            r#"{"seq":1,"author":"agent","text":"x","sent_at":"t"}"#,
        ] {
            assert_eq!(decode_frame(json), None, "{json}");
            assert!(serde_json::from_str::<ServerFrame>(json).is_err(), "{json}");
        }
    }
}

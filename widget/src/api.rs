//! The frame's I/O with its own server (same origin, relative URLs): JSON over
//! `fetch` for the HTTP API and the chat WebSocket. Every body and frame goes through
//! the protocol's serde derives ([`decode`], [`encode`]): the browser parses and writes
//! the JSON text (`JSON.parse`, `JSON.stringify`), serde-wasm-bindgen maps it to and
//! from `canal_protocol` types; nothing from the network is trusted to be well formed.

use std::rc::Rc;

use canal_protocol::{
    consents::VisitorWithdrawal,
    forms::{ContactFormView, ContactSubmission},
    ChannelConfig, ClientFrame, ConsentCreated, ConsentRequest, ConversationCreated,
    ConversationRequest, ErrorBody, ErrorCode, IdentifyRequest, ServerFrame,
};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, MessageEvent, RequestInit, Response, WebSocket};

/// Reads JSON text into a protocol type: the browser parses it, the protocol's
/// derives read the result. `None` when either refuses it.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

/// Writes a protocol type as JSON text, as `serde_json` would (objects for maps and
/// structs, numbers for integers, absent `Option`s left out).
pub fn encode<T: Serialize>(value: &T) -> String {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
        .and_then(|value| js_sys::JSON::stringify(&value).ok())
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

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
    let text = fetch_text("GET", &channel_url(&channel, "config"), None).await?;
    decode(&text).ok_or(ApiError::Decode)
}

/// `POST /api/v1/channels/{key}/consents`: records the accepted agreement.
pub async fn create_consent(
    channel: &str,
    request: &ConsentRequest,
) -> Result<ConsentCreated, ApiError> {
    let body = encode(request);
    let text = fetch_text("POST", &channel_url(channel, "consents"), Some(body)).await?;
    decode(&text).ok_or(ApiError::Decode)
}

/// `POST /api/v1/channels/{key}/conversations`: starts a conversation.
pub async fn create_conversation(
    channel: &str,
    request: &ConversationRequest,
) -> Result<ConversationCreated, ApiError> {
    let body = encode(request);
    let text = fetch_text("POST", &channel_url(channel, "conversations"), Some(body)).await?;
    decode(&text).ok_or(ApiError::Decode)
}

/// `GET /api/v1/channels/{key}/form`: the contact form; `None` when the channel has
/// none (404).
pub async fn fetch_form(channel: &str) -> Result<Option<ContactFormView>, ApiError> {
    match fetch_text("GET", &channel_url(channel, "form"), None).await {
        Ok(text) => decode(&text).map(Some).ok_or(ApiError::Decode),
        Err(ApiError::Status { status: 404, .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// `POST /api/v1/channels/{key}/form`: the visitor's contact details and the
/// agreements they ticked. Only the status of the answer matters to the frame.
pub async fn submit_form(channel: &str, submission: &ContactSubmission) -> Result<(), ApiError> {
    let body = encode(submission);
    fetch_text("POST", &channel_url(channel, "form"), Some(body)).await?;
    Ok(())
}

/// `POST /api/v1/channels/{key}/consents/withdrawals`: the visitor withdraws the
/// chat consent.
pub async fn withdraw(channel: &str, withdrawal: &VisitorWithdrawal) -> Result<(), ApiError> {
    let body = encode(withdrawal);
    let url = channel_url(channel, "consents/withdrawals");
    fetch_text("POST", &url, Some(body)).await?;
    Ok(())
}

/// `POST /api/v1/channels/{key}/identify`: who the visitor is (`Canal.setUser`).
pub async fn identify(channel: &str, request: &IdentifyRequest) -> Result<(), ApiError> {
    let body = encode(request);
    fetch_text("POST", &channel_url(channel, "identify"), Some(body)).await?;
    Ok(())
}

/// `conversations/{id}/{what}`: a resource of one conversation, for [`put`].
pub fn conversation_path(conversation_id: &str, what: &str) -> String {
    let id = String::from(js_sys::encode_uri_component(conversation_id));
    format!("conversations/{id}/{what}")
}

/// `PUT /api/v1/channels/{key}/{resource}` with a JSON `body`: the answer's text.
/// The visitor's rating (`conversations/{id}/rating`,
/// `canal_protocol::rating::RateConversation`) and their request for the
/// transcript by e-mail (`conversations/{id}/transcript`,
/// `canal_protocol::mail::RequestTranscript`, answered with `TranscriptRequested`).
pub async fn put(channel: &str, resource: &str, body: String) -> Result<String, ApiError> {
    fetch_text("PUT", &channel_url(channel, resource), Some(body)).await
}

/// The one `fetch`: the body of a 2xx answer, or the error.
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
            code: decode::<ErrorBody>(&text).map(|body| body.error.code),
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
                let frame = event.data().as_string().and_then(|text| decode(&text));
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
        self.ws.ready_state() == WebSocket::OPEN && self.ws.send_with_str(&encode(frame)).is_ok()
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

//! Calls to the app's own server (same origin, relative URLs) through gloo-net. Every
//! body goes through the protocol's serde derives ([`crate::wire`]).
//!
//! The request is made with its init and sent with gloo-net's `Request::send`, its
//! answer read with gloo-net's `Response`: gloo-net's `RequestBuilder` would rewrite
//! every URL through `URL` (and append a stray `&` to one that has a query), which
//! is more code in each app for nothing it needs.

use canal_protocol::{ErrorBody, ErrorCode};
use std::future::Future;
use std::pin::Pin;

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::JsValue;
use web_sys::{RequestCredentials, RequestInit};

use crate::wire::{decode, encode};

/// An HTTP method the apps use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, blocked, or the browser refused the request.
    Network,
    /// The server answered with an error status and, when its error body could be
    /// read, its code and sentence.
    Status {
        status: u16,
        code: Option<ErrorCode>,
        message: Option<String>,
    },
    /// The answer did not have the shape the protocol says (or the body could not
    /// be written).
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

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The session is missing or over: sign in again.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401) || self.code() == Some(ErrorCode::Unauthorized)
    }
}

/// An error status with what can be read of the server's `{"error": ...}` body.
pub fn status_error(status: u16, body: &str) -> ApiError {
    let detail = decode::<ErrorBody>(body).map(|b| b.error);
    ApiError::Status {
        status,
        code: detail.as_ref().map(|d| d.code),
        message: detail.map(|d| d.message),
    }
}

/// A request under way: one boxed future type for every call, so each caller holds
/// a pointer rather than its own copy of the request's state machine.
pub type Pending = Pin<Box<dyn Future<Output = Result<String, ApiError>>>>;

/// `method` on `url` with `body` (a protocol type, as JSON), the answer read as `T`.
pub fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
    method: Method,
    url: &str,
    body: Option<&B>,
) -> impl Future<Output = Result<T, ApiError>> {
    let pending = request(method, url, body);
    async move { decode(&pending.await?).ok_or(ApiError::Decode) }
}

/// Sends `body` and reads nothing of the answer but its status.
pub fn send<B: Serialize + ?Sized>(
    method: Method,
    url: &str,
    body: Option<&B>,
) -> impl Future<Output = Result<(), ApiError>> {
    let pending = request(method, url, body);
    async move { pending.await.map(drop) }
}

/// `body` written as JSON, then [`fetch_text`].
fn request<B: Serialize + ?Sized>(method: Method, url: &str, body: Option<&B>) -> Pending {
    match body.map(encode) {
        Some(None) => Box::pin(std::future::ready(Err(ApiError::Decode))),
        Some(Some(text)) => fetch_text(method, url, Some(text)),
        None => fetch_text(method, url, None),
    }
}

/// The one non-generic request: the body of a 2xx answer, or the error. A `body`
/// goes as `application/json`; cookies go to our own origin only (the console's
/// session; the widget has none).
pub fn fetch_text(method: Method, url: &str, body: Option<String>) -> Pending {
    let request = new_request(method, url, body);
    Box::pin(async move {
        let response = gloo_net::http::Request::from(request?)
            .send()
            .await
            .map_err(|_| ApiError::Network)?;
        let text = response.text().await.map_err(|_| ApiError::Network)?;
        if response.ok() {
            Ok(text)
        } else {
            Err(status_error(response.status(), &text))
        }
    })
}

fn new_request(
    method: Method,
    url: &str,
    body: Option<String>,
) -> Result<web_sys::Request, ApiError> {
    let init = RequestInit::new();
    init.set_method(method.as_str());
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(body) = body {
        let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
        headers
            .set("content-type", "application/json")
            .map_err(|_| ApiError::Network)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    }
    web_sys::Request::new_with_str_and_init(url, &init).map_err(|_| ApiError::Network)
}

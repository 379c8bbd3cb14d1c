//! The server's one error type, [`AppError`], and the JSON extractor [`ApiJson`]
//! whose rejections come back in the same shape.
//!
//! The client gets a stable code and a sentence; the log gets the cause. Internal
//! error text never reaches the client.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use canal_protocol::{limits, ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The client's fault: a 4xx with a code and a sentence.
    #[error("{code:?}: {message}")]
    Client {
        status: StatusCode,
        code: ErrorCode,
        message: String,
    },
    /// Over a rate limit (see [`crate::limits`]): 429 `rate_limited` with
    /// `Retry-After`.
    #[error("rate limited: {message}")]
    Limited { retry_after: u64, message: String },
    /// The store failed. Logged; the client sees a generic 500.
    #[error("store: {0}")]
    Store(canal_store::Error),
    /// Something inside the server failed. Logged; the client sees a generic 500.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<canal_store::Error> for AppError {
    fn from(e: canal_store::Error) -> Self {
        match e {
            // A domain refusal decided inside a store transaction.
            canal_store::Error::Rejected(rejected) => rejected.into(),
            other => Self::Store(other),
        }
    }
}

impl From<canal_core::Rejected> for AppError {
    fn from(r: canal_core::Rejected) -> Self {
        use canal_core::Refusal;
        let status = match r.refusal {
            Refusal::BadRequest => StatusCode::BAD_REQUEST,
            Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::NotFound => StatusCode::NOT_FOUND,
            Refusal::Conflict => StatusCode::CONFLICT,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::Unauthorized => StatusCode::UNAUTHORIZED,
            Refusal::Forbidden => StatusCode::FORBIDDEN,
            Refusal::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Refusal::Gone => StatusCode::GONE,
        };
        Self::client(status, r.code, r.message)
    }
}

impl AppError {
    pub fn client(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            message: message.into(),
        }
    }

    /// A client error by its kind, for code that does not name HTTP (the services).
    pub fn refused(
        refusal: canal_core::Refusal,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        canal_core::Rejected::new(refusal, code, message).into()
    }

    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unprocessable(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::client(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// A field that breaks its rule (422 `invalid_field`).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::unprocessable(ErrorCode::InvalidField, message)
    }

    /// 404 `unknown_conversation`: no conversation has this id.
    pub fn unknown_conversation() -> Self {
        Self::not_found(ErrorCode::UnknownConversation, "no such conversation")
    }

    pub fn not_found(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::client(StatusCode::NOT_FOUND, code, message)
    }

    /// The code and sentence a client sees (for socket error frames).
    pub fn public(&self) -> (ErrorCode, String) {
        match self {
            Self::Client { code, message, .. } => (*code, message.clone()),
            Self::Limited { message, .. } => (ErrorCode::RateLimited, message.clone()),
            Self::Store(_) | Self::Internal(_) => {
                (ErrorCode::Internal, INTERNAL_MESSAGE.to_owned())
            }
        }
    }
}

const INTERNAL_MESSAGE: &str =
    "the server could not complete the request; nothing was recorded, retrying is safe";

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::Client { status, .. } => *status,
            Self::Limited { retry_after, .. } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(ErrorBody::new(ErrorCode::RateLimited, self.public().1)),
                )
                    .into_response();
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    axum::http::HeaderValue::from((*retry_after).max(1)),
                );
                return response;
            }
            Self::Store(cause) => {
                tracing::error!(error = %cause, "store error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let (code, message) = self.public();
        (status, Json(ErrorBody::new(code, message))).into_response()
    }
}

/// A JSON body read with the API's rules: `application/json`, at most
/// [`limits::MAX_BODY_BYTES`], valid UTF-8, the exact shape of `T` (unknown fields
/// refused). Every rejection is an [`AppError`] with the API's error shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(AppError::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadRequest,
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                AppError::bad_request(ErrorCode::BadRequest, "the body could not be read")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn too_large() -> AppError {
    AppError::client(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
        format!("the body is larger than {} bytes", limits::MAX_BODY_BYTES),
    )
}

/// Parses a JSON document (HTTP body or socket frame), which must be an object, into
/// `T`, mapping failures to client errors: bad UTF-8, bad JSON, not an object,
/// unknown fields, wrong shape.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(AppError::bad_request(
            ErrorCode::BadRequest,
            "the body is not valid UTF-8",
        ));
    }
    // serde reads a struct from an array too (`["#123abc"]` as its first field, the
    // rest defaulted): every body and frame of the API is an object.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(AppError::bad_request(
            ErrorCode::BadRequest,
            "the body must be a JSON object",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let text = e.to_string();
        let code = if text.starts_with("unknown field") {
            ErrorCode::UnknownField
        } else {
            ErrorCode::BadRequest
        };
        // serde_json's messages name the field and position, never server state.
        AppError::bad_request(code, format!("invalid JSON body: {text}"))
    })
}

//! The frame's calls to its own server (same origin, relative URLs), on the kit's
//! HTTP client (gloo-net); the chat socket is the kit's too ([`Socket`]). Every body
//! and frame goes through the protocol's serde derives; the paths are the protocol's
//! (`canal_protocol::routes`).

use canal_kit::http::{call, fetch_text, send, Method};
use canal_protocol::{
    consents::VisitorWithdrawal,
    forms::{ContactFormView, ContactSubmission},
    routes::{self, visitor},
    ChannelConfig, ConsentCreated, ConsentRequest, ConversationCreated, ConversationRequest,
    IdentifyRequest, ServerFrame,
};

pub use canal_kit::http::ApiError;
pub use canal_kit::ids::random_id;
pub use canal_kit::socket::Socket;
pub use canal_kit::wire::{decode, encode};

/// What the chat socket reports.
pub type SocketEvent = canal_kit::socket::SocketEvent<ServerFrame>;

/// `GET /api/v1/channels/{key}/config`.
pub async fn fetch_config(channel: String) -> Result<ChannelConfig, ApiError> {
    call(
        Method::Get,
        &routes::channel(&channel, visitor::CONFIG),
        None::<&()>,
    )
    .await
}

/// `POST /api/v1/channels/{key}/consents`: records the accepted agreement.
pub async fn create_consent(
    channel: &str,
    request: &ConsentRequest,
) -> Result<ConsentCreated, ApiError> {
    let url = routes::channel(channel, visitor::CONSENTS);
    call(Method::Post, &url, Some(request)).await
}

/// `POST /api/v1/channels/{key}/conversations`: starts a conversation.
pub async fn create_conversation(
    channel: &str,
    request: &ConversationRequest,
) -> Result<ConversationCreated, ApiError> {
    let url = routes::channel(channel, visitor::CONVERSATIONS);
    call(Method::Post, &url, Some(request)).await
}

/// `GET /api/v1/channels/{key}/form`: the contact form; `None` when the channel has
/// none (404).
pub async fn fetch_form(channel: &str) -> Result<Option<ContactFormView>, ApiError> {
    let url = routes::channel(channel, visitor::FORM);
    match call(Method::Get, &url, None::<&()>).await {
        Ok(form) => Ok(Some(form)),
        Err(error) if error.status() == Some(404) => Ok(None),
        Err(error) => Err(error),
    }
}

/// `POST /api/v1/channels/{key}/form`: the visitor's contact details and the
/// agreements they ticked. Only the status of the answer matters to the frame.
pub async fn submit_form(channel: &str, submission: &ContactSubmission) -> Result<(), ApiError> {
    send(
        Method::Post,
        &routes::channel(channel, visitor::FORM),
        Some(submission),
    )
    .await
}

/// `POST /api/v1/channels/{key}/consents/withdrawals`: the visitor withdraws the
/// chat consent.
pub async fn withdraw(channel: &str, withdrawal: &VisitorWithdrawal) -> Result<(), ApiError> {
    let url = routes::channel(channel, visitor::WITHDRAWALS);
    send(Method::Post, &url, Some(withdrawal)).await
}

/// `POST /api/v1/channels/{key}/identify`: who the visitor is (`Canal.setUser`).
pub async fn identify(channel: &str, request: &IdentifyRequest) -> Result<(), ApiError> {
    let url = routes::channel(channel, visitor::IDENTIFY);
    send(Method::Post, &url, Some(request)).await
}

/// `PUT /api/v1/channels/{key}/{resource}` with a JSON `body`: the answer's text.
/// The visitor's rating (`routes::visitor::rating`,
/// `canal_protocol::rating::RateConversation`) and their request for the
/// transcript by e-mail (`routes::visitor::transcript`,
/// `canal_protocol::mail::RequestTranscript`, answered with `TranscriptRequested`).
pub async fn put(channel: &str, resource: &str, body: String) -> Result<String, ApiError> {
    fetch_text(Method::Put, &routes::channel(channel, resource), Some(body)).await
}

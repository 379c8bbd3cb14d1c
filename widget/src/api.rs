//! The frame's calls to its own server (same origin, relative URLs), on the kit's
//! HTTP client (gloo-net): the channel's configuration here; the chat's calls are
//! the session's effects (`session`), each through the kit's one request. The chat
//! socket is the kit's too ([`Socket`]). Every body and frame goes through the
//! protocol's serde derives; the paths are the protocol's (`canal_protocol::routes`).

use canal_kit::http::{call, Method};
use canal_protocol::{
    routes::{self, visitor},
    ChannelConfig, ServerFrame,
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

//! Checks on values that come from outside: the rules are canal-core's
//! ([`canal_core::validate`]); this adds what reads them from HTTP headers.

use axum::http::HeaderMap;

pub use canal_core::validate::*;

/// The request's User-Agent (lossy UTF-8), at most
/// [`canal_protocol::limits::MAX_USER_AGENT_BYTES`].
pub fn user_agent(headers: &HeaderMap) -> Result<String, canal_core::Rejected> {
    canal_core::validate::user_agent(
        headers
            .get(axum::http::header::USER_AGENT)
            .map(|value| value.as_bytes()),
    )
}

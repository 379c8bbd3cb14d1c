//! The one thing the frame keeps in the browser: the visitor's session of a channel,
//! in `localStorage` under `canal:<channel>`.
//!
//! It is written only after the visitor accepted the agreement (or, on a channel that
//! asks no consent, after the conversation started). Storage may be blocked in a
//! third-party frame; the chat then lives for the page only.

use serde::{Deserialize, Serialize};

/// What lets a returning visitor continue their conversation.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Secret from the server that identifies this visitor.
    pub visitor_token: String,
    /// The consent record the conversation is started with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<String>,
    /// Set once the conversation exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// Prefix of every key the frame writes.
pub const KEY_PREFIX: &str = "canal:";

/// The storage key of a channel's session.
pub fn key(channel: &str) -> String {
    format!("{KEY_PREFIX}{channel}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored session of `channel`; `None` when absent, unreadable or malformed.
pub fn load(channel: &str) -> Option<StoredSession> {
    let text = local_storage()?.get_item(&key(channel)).ok()??;
    serde_json::from_str(&text).ok()
}

/// Stores the session; `false` when the browser refuses.
pub fn save(channel: &str, session: &StoredSession) -> bool {
    let (Some(storage), Ok(text)) = (local_storage(), serde_json::to_string(session)) else {
        return false;
    };
    storage.set_item(&key(channel), &text).is_ok()
}

/// Forgets the session of `channel` (the server no longer knows it).
pub fn clear(channel: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(&key(channel));
    }
}

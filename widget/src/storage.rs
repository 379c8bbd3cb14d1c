//! The one thing the frame keeps in the browser: the visitor's session of a channel,
//! in `localStorage` under `canal:<channel>`.
//!
//! It is written only after the visitor accepted the agreement (or, on a channel that
//! asks no consent, after the conversation started). Storage may be blocked in a
//! third-party frame; the chat then lives for the page only.

use serde::{Deserialize, Serialize};

/// What lets a returning visitor continue their conversation. Stored as
/// `{"visitor_token": .., "consent_id": .., "conversation_id": .., "outbox": [..]}`,
/// absent ids and an empty outbox left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Secret from the server that identifies this visitor.
    pub visitor_token: String,
    /// The consent record the conversation is started with.
    pub consent_id: Option<String>,
    /// Set once the conversation exists.
    pub conversation_id: Option<String>,
    /// The visitor's messages not yet acknowledged, `(client id, text)` oldest first:
    /// sent again when the chat reconnects, even after the page was closed. Stored
    /// as one flat array `[id, text, id, text, ..]` (as earlier versions wrote it).
    pub outbox: Vec<(String, String)>,
}

/// The stored form of [`StoredSession`], through serde.
#[derive(Serialize, Deserialize)]
struct Stored {
    visitor_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    consent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conversation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    outbox: Vec<String>,
}

impl StoredSession {
    fn stored(&self) -> Stored {
        Stored {
            visitor_token: self.visitor_token.clone(),
            consent_id: self.consent_id.clone(),
            conversation_id: self.conversation_id.clone(),
            outbox: self
                .outbox
                .iter()
                .flat_map(|(id, text)| [id.clone(), text.clone()])
                .collect(),
        }
    }

    fn from_stored(stored: Stored) -> Option<Self> {
        let mut outbox = Vec::new();
        for pair in stored.outbox.chunks(2) {
            let [id, text] = pair else { return None };
            outbox.push((id.clone(), text.clone()));
        }
        Some(Self {
            visitor_token: stored.visitor_token,
            consent_id: stored.consent_id,
            conversation_id: stored.conversation_id,
            outbox,
        })
    }

    /// The stored form; `None` if it cannot be written.
    pub fn to_json(&self) -> Option<String> {
        crate::api::encode(&self.stored())
    }

    /// Reads the stored form; `None` when it is malformed.
    pub fn from_json(text: &str) -> Option<Self> {
        Self::from_stored(crate::api::decode(text)?)
    }
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
    StoredSession::from_json(&text)
}

/// Stores the session; `false` when the browser refuses.
pub fn save(channel: &str, session: &StoredSession) -> bool {
    let (Some(storage), Some(text)) = (local_storage(), session.to_json()) else {
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn through_json(session: &StoredSession) -> Option<StoredSession> {
        let text = serde_json::to_string(&session.stored()).ok()?;
        StoredSession::from_stored(serde_json::from_str(&text).ok()?)
    }

    #[test]
    fn sessions_round_trip_and_malformed_ones_are_none() {
        for session in [
            StoredSession {
                visitor_token: "tok\"1".into(),
                consent_id: Some("cons".into()),
                conversation_id: Some("conv".into()),
                outbox: vec![
                    ("c1".into(), "first \"quoted\"\nline".into()),
                    ("c2".into(), "второе".into()),
                ],
            },
            StoredSession {
                visitor_token: "tok".into(),
                consent_id: None,
                conversation_id: None,
                outbox: Vec::new(),
            },
        ] {
            assert_eq!(through_json(&session), Some(session));
        }
        let read = |text: &str| {
            serde_json::from_str::<Stored>(text)
                .ok()
                .and_then(StoredSession::from_stored)
        };
        // What earlier versions wrote still reads.
        assert_eq!(
            read(r#"{"visitor_token":"t","conversation_id":"c","outbox":["c1","hi"]}"#),
            Some(StoredSession {
                visitor_token: "t".into(),
                consent_id: None,
                conversation_id: Some("c".into()),
                outbox: vec![("c1".into(), "hi".into())],
            })
        );
        for text in [
            "",
            "{}",
            "null",
            r#"{"visitor_token":1}"#,
            r#"{"visitor_token":"t","outbox":["c1"]}"#,
            r#"{"visitor_token":"t","outbox":["c1",2]}"#,
            r#"{"visitor_token":"t","outbox":"c1"}"#,
            "{\"visitor_token\":\"t\"",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
    }
}

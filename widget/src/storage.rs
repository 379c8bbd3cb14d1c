//! The one thing the frame keeps in the browser: the visitor's session of a channel,
//! in `localStorage` under `canal:<channel>`.
//!
//! It is written only after the visitor accepted the agreement (or, on a channel that
//! asks no consent, after the conversation started). Storage may be blocked in a
//! third-party frame; the chat then lives for the page only.

use crate::json::{self, Writer};

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
    /// as one flat array `[id, text, id, text, ..]`.
    pub outbox: Vec<(String, String)>,
}

impl StoredSession {
    /// The stored form.
    pub fn to_json(&self) -> String {
        let writer = Writer::new()
            .str("visitor_token", &self.visitor_token)
            .opt_str("consent_id", self.consent_id.as_deref())
            .opt_str("conversation_id", self.conversation_id.as_deref());
        if self.outbox.is_empty() {
            return writer.finish();
        }
        let flat: Vec<String> = self
            .outbox
            .iter()
            .flat_map(|(id, text)| [id.clone(), text.clone()])
            .collect();
        writer.strs("outbox", &flat).finish()
    }

    /// Reads the stored form; `None` when it is malformed.
    pub fn from_json(text: &str) -> Option<Self> {
        let value = json::parse(text)?;
        Some(Self {
            visitor_token: value.str("visitor_token")?,
            consent_id: value.opt_str("consent_id")?,
            conversation_id: value.opt_str("conversation_id")?,
            outbox: match value.get("outbox") {
                None => Vec::new(),
                Some(_) => {
                    let flat = value.array("outbox")?;
                    let mut outbox = Vec::new();
                    for pair in flat.chunks(2) {
                        let [id, text] = pair else { return None };
                        outbox.push((id.as_str()?.to_owned(), text.as_str()?.to_owned()));
                    }
                    outbox
                }
            },
        })
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
    local_storage()
        .is_some_and(|storage| storage.set_item(&key(channel), &session.to_json()).is_ok())
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
            assert_eq!(StoredSession::from_json(&session.to_json()), Some(session));
        }
        // What earlier versions (serde) wrote still reads.
        assert_eq!(
            StoredSession::from_json(r#"{"visitor_token":"t","conversation_id":"c"}"#)
                .and_then(|s| s.conversation_id),
            Some("c".into())
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
            assert_eq!(StoredSession::from_json(text), None, "{text}");
        }
    }
}

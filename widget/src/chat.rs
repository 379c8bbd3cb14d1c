//! The transcript as the visitor sees it: a pure model, no browser, no signals.
//!
//! Messages the visitor writes enter as *pending* under a client id. The server's
//! `ack` (or the echo of the same message) gives them their sequence number and marks
//! them *sent*. Messages from the agent or the system enter by sequence number, once:
//! a replay after a reconnect changes nothing that is already there.

use canal_protocol::{Author, MessageView};

/// Delivery state of a message, as shown by `data-status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Written by the visitor, not yet acknowledged by the server.
    Pending,
    /// Stored by the server under a sequence number.
    Sent,
}

impl Status {
    /// The value of the `data-status` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
        }
    }
}

/// The value of the `data-author` attribute.
pub fn author_str(author: Author) -> &'static str {
    match author {
        Author::Visitor => "visitor",
        Author::Agent => "agent",
        Author::System => "system",
    }
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable key: the client id of the visitor's messages, else `#<seq>`.
    pub key: String,
    /// The visitor's client id, for messages written here.
    pub client_id: Option<String>,
    /// The server's sequence number, once known.
    pub seq: Option<u64>,
    pub author: Author,
    /// Plain text; always rendered as text.
    pub text: String,
}

impl Entry {
    pub fn status(&self) -> Status {
        if self.seq.is_some() {
            Status::Sent
        } else {
            Status::Pending
        }
    }
}

/// The ordered messages of one conversation: stored ones by sequence number, then the
/// visitor's pending ones in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    entries: Vec<Entry>,
}

impl Transcript {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Highest sequence number seen: what `hello` asks the server to resume after.
    pub fn last_seq(&self) -> u64 {
        self.entries.iter().filter_map(|e| e.seq).max().unwrap_or(0)
    }

    /// The visitor's messages still waiting for an `ack`, oldest first: the outbox.
    pub fn pending(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.seq.is_none())
    }

    /// Adds a message the visitor just wrote.
    pub fn push_pending(&mut self, client_id: String, text: String) {
        self.entries.push(Entry {
            key: client_id.clone(),
            client_id: Some(client_id),
            seq: None,
            author: Author::Visitor,
            text,
        });
    }

    /// Takes back a pending message (a failed start); returns its text.
    pub fn remove_pending(&mut self, client_id: &str) -> Option<String> {
        let at = self
            .entries
            .iter()
            .position(|e| e.seq.is_none() && e.client_id.as_deref() == Some(client_id))?;
        Some(self.entries.remove(at).text)
    }

    /// The server stored the message with this client id under `seq`. Returns whether
    /// a pending message changed.
    pub fn ack(&mut self, client_id: &str, seq: u64) -> bool {
        match self
            .entries
            .iter_mut()
            .find(|e| e.client_id.as_deref() == Some(client_id))
        {
            Some(entry) if entry.seq.is_none() => {
                entry.seq = Some(seq);
                true
            }
            _ => false,
        }
    }

    /// A stored message arrived (live or replayed). Returns whether anything changed.
    pub fn receive(&mut self, message: MessageView) -> bool {
        if let Some(client_id) = message.client_id.as_deref() {
            if self
                .entries
                .iter()
                .any(|e| e.client_id.as_deref() == Some(client_id))
            {
                return self.ack(client_id, message.seq);
            }
        }
        if self.entries.iter().any(|e| e.seq == Some(message.seq)) {
            return false;
        }
        let at = self
            .entries
            .iter()
            .position(|e| e.seq.is_none_or(|seq| seq > message.seq))
            .unwrap_or(self.entries.len());
        self.entries.insert(
            at,
            Entry {
                key: message
                    .client_id
                    .clone()
                    .unwrap_or_else(|| format!("#{}", message.seq)),
                client_id: message.client_id,
                seq: Some(message.seq),
                author: message.author,
                text: message.text,
            },
        );
        true
    }
}

// Native tier: `cargo test -p canal-widget` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn message(seq: u64, author: Author, text: &str, client_id: Option<&str>) -> MessageView {
        MessageView {
            seq,
            author,
            text: text.into(),
            client_id: client_id.map(Into::into),
            sent_at: "2026-01-01T00:00:00Z".into(),
            author_name: None,
            author_avatar: None,
        }
    }

    fn keys(t: &Transcript) -> Vec<(&str, Option<u64>)> {
        t.entries()
            .iter()
            .map(|e| (e.key.as_str(), e.seq))
            .collect()
    }

    #[test]
    fn pending_message_is_sent_after_its_ack() {
        let mut t = Transcript::default();
        t.push_pending("c1".into(), "hi".into());
        assert_eq!(t.entries()[0].status(), Status::Pending);
        assert_eq!(t.pending().count(), 1);
        assert!(t.ack("c1", 4));
        assert_eq!(t.entries()[0].status(), Status::Sent);
        assert_eq!(t.pending().count(), 0);
        assert_eq!(t.last_seq(), 4);
        assert!(!t.ack("c1", 4), "a second ack changes nothing");
        assert!(!t.ack("unknown", 9));
    }

    #[test]
    fn replay_is_deduplicated_by_seq_and_own_echo_by_client_id() {
        let mut t = Transcript::default();
        t.push_pending("c1".into(), "hi".into());
        assert!(t.receive(message(1, Author::Visitor, "hi", Some("c1"))));
        assert!(t.receive(message(2, Author::Agent, "hello", None)));
        assert!(!t.receive(message(2, Author::Agent, "hello", None)));
        assert!(!t.receive(message(1, Author::Visitor, "hi", Some("c1"))));
        assert_eq!(keys(&t), vec![("c1", Some(1)), ("#2", Some(2))]);
    }

    #[test]
    fn stored_messages_go_before_pending_ones_in_seq_order() {
        let mut t = Transcript::default();
        t.receive(message(3, Author::Agent, "three", None));
        t.push_pending("c9".into(), "mine".into());
        t.receive(message(1, Author::System, "one", None));
        t.receive(message(5, Author::Agent, "five", None));
        assert_eq!(
            keys(&t),
            vec![
                ("#1", Some(1)),
                ("#3", Some(3)),
                ("#5", Some(5)),
                ("c9", None)
            ]
        );
        assert_eq!(t.last_seq(), 5);
    }

    #[test]
    fn history_replayed_into_a_fresh_transcript_keeps_visitor_messages_by_client_id() {
        let mut t = Transcript::default();
        t.receive(message(1, Author::Visitor, "earlier", Some("old")));
        assert_eq!(t.entries()[0].author, Author::Visitor);
        assert_eq!(t.entries()[0].status(), Status::Sent);
        assert!(!t.receive(message(1, Author::Visitor, "earlier", Some("old"))));
    }

    #[test]
    fn a_failed_start_takes_the_pending_text_back() {
        let mut t = Transcript::default();
        t.push_pending("c1".into(), "keep me".into());
        assert_eq!(t.remove_pending("c1").as_deref(), Some("keep me"));
        assert!(t.entries().is_empty());
        assert_eq!(t.remove_pending("c1"), None);
    }
}

//! The transcript as the visitor sees it: a pure model, no browser, no signals.
//!
//! Messages the visitor writes enter as *pending* under a client id. The server's
//! `ack` (or the echo of the same message) gives them their sequence number and marks
//! them *sent*. Messages from the agent or the system enter by sequence number, once:
//! a replay after a reconnect changes nothing that is already there.
//!
//! [`Arrivals`] tells which stored messages are news to the visitor on this page
//! (for the host page's `message` event and unread count), as opposed to history
//! replayed when the frame resumes a conversation.

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

/// The value of the `data-author` attribute: the author's wire string.
pub fn author_str(author: Author) -> &'static str {
    author.as_str()
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
    /// For agent messages, the name the visitor sees (per the channel's display mode).
    pub author_name: Option<String>,
    /// For agent messages, an http(s) or same-origin avatar URL.
    pub author_avatar: Option<String>,
    /// When the server stored it (RFC 3339, UTC); `None` while pending.
    pub sent_at: Option<String>,
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

    /// What `hello` asks the server to resume after: the highest sequence number
    /// with every earlier message here too. (An `ack` may come before the agent's
    /// message stored just before it; a reconnect between the two must not skip it.)
    pub fn last_seq(&self) -> u64 {
        // Quadratic, but only on (re)connect, and a sort would cost the frame more.
        let mut last = 0;
        while self.entries.iter().any(|e| e.seq == Some(last + 1)) {
            last += 1;
        }
        last
    }

    /// The visitor's messages still waiting for an `ack`, oldest first: the outbox.
    pub fn pending(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.seq.is_none())
    }

    /// The outbox as `(client id, text)` pairs, oldest first.
    pub fn outbox(&self) -> Vec<(String, String)> {
        self.pending()
            .filter_map(|e| Some((e.client_id.clone()?, e.text.clone())))
            .collect()
    }

    /// Adds a message the visitor just wrote.
    pub fn push_pending(&mut self, client_id: String, text: String) {
        self.entries.push(Entry {
            key: client_id.clone(),
            client_id: Some(client_id),
            seq: None,
            author: Author::Visitor,
            text,
            author_name: None,
            author_avatar: None,
            sent_at: None,
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

    /// The server stored the message with this client id under `seq` at `sent_at`.
    /// Returns whether a pending message changed.
    pub fn ack(&mut self, client_id: &str, seq: u64, sent_at: String) -> bool {
        match self
            .entries
            .iter_mut()
            .find(|e| e.client_id.as_deref() == Some(client_id))
        {
            Some(entry) if entry.seq.is_none() => {
                entry.seq = Some(seq);
                entry.sent_at = Some(sent_at);
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
                return self.ack(client_id, message.seq, message.sent_at);
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
                author_name: message.author_name.filter(|name| !name.is_empty()),
                author_avatar: message.author_avatar.filter(|url| is_avatar_url(url)),
                sent_at: Some(message.sent_at),
            },
        );
        true
    }

    /// A `welcome` said the server's newest message is `last_seq`: what this window
    /// holds beyond it, the server does not have (its database was restored, say).
    /// Agents' and system messages beyond it go from the view; the visitor's own go
    /// back to the outbox, after the stored ones, to be sent again under their client
    /// ids. Returns whether anything changed.
    pub fn rewind(&mut self, last_seq: u64) -> bool {
        let before = self.entries.len();
        let mut unsent = false;
        self.entries.retain_mut(|e| match e.seq {
            Some(seq) if seq > last_seq => {
                let own = e.author == Author::Visitor && e.client_id.is_some();
                if own {
                    e.seq = None;
                    e.sent_at = None;
                    unsent = true;
                }
                own
            }
            _ => true,
        });
        if unsent {
            // Stored first, then the outbox in the order the visitor wrote it.
            let (stored, outbox): (Vec<Entry>, Vec<Entry>) =
                self.entries.drain(..).partition(|e| e.seq.is_some());
            self.entries = stored;
            self.entries.extend(outbox);
        }
        unsent || self.entries.len() != before
    }

    /// The stored message with this sequence number.
    pub fn by_seq(&self, seq: u64) -> Option<&Entry> {
        self.entries.iter().find(|e| e.seq == Some(seq))
    }

    /// The author of the most recent agent message that has a name: who the
    /// visitor is talking to.
    pub fn last_agent(&self) -> Option<Agent> {
        self.entries
            .iter()
            .rev()
            .filter(|e| e.author == Author::Agent)
            .find_map(|e| {
                Some(Agent {
                    name: e.author_name.clone()?,
                    avatar: e.author_avatar.clone(),
                })
            })
    }
}

/// An agent as the visitor sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub name: String,
    /// An http(s) or same-origin URL (see [`is_avatar_url`]).
    pub avatar: Option<String>,
}

/// Whether the entry at `at` starts a run of messages by another named agent, and
/// so shows the name above it.
pub fn shows_author(entries: &[Entry], at: usize) -> bool {
    let Some(entry) = entries.get(at) else {
        return false;
    };
    let same = |other: &Entry| {
        other.author == Author::Agent
            && other.author_name == entry.author_name
            && other.author_avatar == entry.author_avatar
    };
    entry.author == Author::Agent
        && entry.author_name.is_some()
        && !at
            .checked_sub(1)
            .and_then(|before| entries.get(before))
            .is_some_and(same)
}

/// An avatar URL the frame loads: absolute http(s), or a path on the Canal server.
/// Anything else (`data:`, `javascript:`, protocol-relative `//host`) is dropped.
pub fn is_avatar_url(url: &str) -> bool {
    url.starts_with("https://")
        || url.starts_with("http://")
        || (url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\"))
}

/// A message newly stored in the conversation, as the host page hears of it
/// (`Canal.on('message')`). The text goes only with the agent's messages: the host
/// page learns that the visitor wrote, not what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub author: Author,
    pub seq: u64,
    pub text: Option<String>,
}

impl Arrival {
    pub fn of(entry: &Entry) -> Option<Self> {
        Some(Self {
            author: entry.author,
            seq: entry.seq?,
            text: (entry.author == Author::Agent).then(|| entry.text.clone()),
        })
    }
}

/// Tells new messages from history. The first `welcome` of this page says how far
/// the stored conversation went; what was stored up to there is history (it is
/// replayed, not new). Everything stored later is news, including what arrived
/// while the socket was down and comes with a later `welcome`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Arrivals {
    history_until: Option<u64>,
}

impl Arrivals {
    /// A `welcome` said the conversation's newest message is `last_seq`.
    pub fn welcome(&mut self, last_seq: u64) {
        self.history_until.get_or_insert(last_seq);
    }

    /// Whether the stored message `seq` is news. Before any `welcome`, nothing is.
    pub fn is_new(&self, seq: u64) -> bool {
        self.history_until.is_some_and(|until| seq > until)
    }
}

// Native tier: `cargo test -p canal-widget` (no browser needed).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::state::tests::message;

    #[test]
    fn a_welcome_behind_the_window_drops_what_the_server_lost_and_unsends_the_visitors() {
        let mut t = Transcript::default();
        t.receive(message(1, Author::Visitor, "first", Some("c1")));
        t.receive(message(2, Author::Agent, "reply", None));
        t.push_pending("c3".into(), "third".into());
        assert!(t.ack("c3", 3, "t".into()));
        t.receive(message(4, Author::Agent, "lost reply", None));
        t.push_pending("c5".into(), "not sent yet".into());
        // The server has messages up to 1 only.
        assert!(t.rewind(1));
        let seen: Vec<(Option<u64>, &str)> = t
            .entries()
            .iter()
            .map(|e| (e.seq, e.text.as_str()))
            .collect();
        assert_eq!(
            seen,
            [(Some(1), "first"), (None, "third"), (None, "not sent yet")]
        );
        assert_eq!(
            t.outbox(),
            [
                ("c3".to_owned(), "third".to_owned()),
                ("c5".to_owned(), "not sent yet".to_owned())
            ]
        );
        assert_eq!(t.last_seq(), 1);
        // A welcome at or past what the window holds changes nothing.
        assert!(!t.rewind(1));
        assert!(!t.rewind(9));
    }

    fn named(seq: u64, name: Option<&str>, avatar: Option<&str>) -> MessageView {
        MessageView {
            author_name: name.map(Into::into),
            author_avatar: avatar.map(Into::into),
            ..message(seq, Author::Agent, "hello", None)
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
        assert_eq!(t.entries()[0].sent_at, None, "no time while pending");
        assert!(t.ack("c1", 1, "2026-01-01T10:00:00Z".into()));
        assert_eq!(t.entries()[0].status(), Status::Sent);
        assert_eq!(
            t.entries()[0].sent_at.as_deref(),
            Some("2026-01-01T10:00:00Z")
        );
        assert_eq!(t.pending().count(), 0);
        assert_eq!(t.last_seq(), 1);
        assert!(
            !t.ack("c1", 1, "2026-01-01T11:00:00Z".into()),
            "a second ack changes nothing"
        );
        assert_eq!(
            t.entries()[0].sent_at.as_deref(),
            Some("2026-01-01T10:00:00Z")
        );
        assert!(!t.ack("unknown", 9, "2026-01-01T10:00:00Z".into()));
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
        assert!(
            t.entries().iter().all(|e| e.sent_at.is_some()),
            "the echo gives the pending message its time"
        );
    }

    #[test]
    fn resume_point_stops_at_the_first_missing_message() {
        let mut t = Transcript::default();
        assert_eq!(t.last_seq(), 0);
        t.receive(message(1, Author::Agent, "one", None));
        t.push_pending("c1".into(), "mine".into());
        t.push_pending("c2".into(), "later".into());
        // The ack of 3 came before the agent's message 2.
        t.ack("c1", 3, "2026-01-01T00:00:03Z".into());
        assert_eq!(t.last_seq(), 1, "2 is missing: resume after 1");
        assert_eq!(t.outbox(), vec![("c2".to_owned(), "later".to_owned())]);
        t.receive(message(2, Author::Agent, "two", None));
        assert_eq!(t.last_seq(), 3);
        assert_eq!(
            keys(&t),
            vec![
                ("#1", Some(1)),
                ("#2", Some(2)),
                ("c1", Some(3)),
                ("c2", None)
            ]
        );
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
        assert_eq!(t.last_seq(), 1, "2 and 4 are still missing");
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

    #[test]
    fn names_and_avatars_are_kept_and_bad_avatar_urls_dropped() {
        let mut t = Transcript::default();
        t.receive(named(1, Some("Ana"), Some("https://cdn.example/ana.png")));
        t.receive(named(2, Some("Bo"), Some("javascript:alert(1)")));
        t.receive(named(3, Some(""), Some("/avatars/3.png")));
        let e = t.entries();
        assert_eq!(e[0].author_name.as_deref(), Some("Ana"));
        assert_eq!(
            e[0].author_avatar.as_deref(),
            Some("https://cdn.example/ana.png")
        );
        assert_eq!(e[1].author_avatar, None);
        assert_eq!(e[2].author_name, None, "an empty name is no name");
        assert_eq!(e[2].author_avatar.as_deref(), Some("/avatars/3.png"));
        for url in [
            "data:image/png;base64,AAAA",
            "//evil.example/a.png",
            "/\\evil.example/a.png",
            "javascript:x",
            "",
            "ftp://a.example/a.png",
        ] {
            assert!(!is_avatar_url(url), "{url}");
        }
    }

    #[test]
    fn the_name_shows_above_the_first_of_a_run_by_the_same_agent() {
        let mut t = Transcript::default();
        t.receive(named(1, Some("Ana"), None));
        t.receive(named(2, Some("Ana"), None));
        t.receive(message(3, Author::Visitor, "hi", Some("c1")));
        t.receive(named(4, Some("Ana"), None));
        t.receive(named(5, Some("Bo"), None));
        t.receive(named(6, None, None));
        t.receive(message(7, Author::System, "closed", None));
        let shown: Vec<bool> = (0..t.entries().len())
            .map(|at| shows_author(t.entries(), at))
            .collect();
        assert_eq!(shown, [true, false, false, true, true, false, false]);
        assert!(!shows_author(t.entries(), 99));
    }

    #[test]
    fn the_last_named_agent_is_who_the_visitor_talks_to() {
        let mut t = Transcript::default();
        assert_eq!(t.last_agent(), None);
        t.receive(named(1, Some("Ana"), Some("/a.png")));
        t.receive(named(2, None, None));
        t.receive(message(3, Author::System, "x", None));
        assert_eq!(
            t.last_agent(),
            Some(Agent {
                name: "Ana".into(),
                avatar: Some("/a.png".into())
            })
        );
        t.receive(named(4, Some("Bo"), None));
        assert_eq!(
            t.last_agent().map(|a| (a.name, a.avatar)),
            Some(("Bo".into(), None))
        );
    }

    #[test]
    fn arrivals_carry_text_only_from_the_agent() {
        let mut t = Transcript::default();
        t.receive(message(1, Author::Agent, "hello", None));
        t.receive(message(2, Author::Visitor, "my address is", Some("c1")));
        t.receive(message(3, Author::System, "transferred", None));
        t.push_pending("c2".into(), "pending".into());
        let arrivals: Vec<Option<Arrival>> = t.entries().iter().map(Arrival::of).collect();
        assert_eq!(
            arrivals,
            [
                Some(Arrival {
                    author: Author::Agent,
                    seq: 1,
                    text: Some("hello".into())
                }),
                Some(Arrival {
                    author: Author::Visitor,
                    seq: 2,
                    text: None
                }),
                Some(Arrival {
                    author: Author::System,
                    seq: 3,
                    text: None
                }),
                None,
            ]
        );
        assert_eq!(t.by_seq(3).map(|e| e.text.as_str()), Some("transferred"));
        assert_eq!(t.by_seq(4), None);
    }

    #[test]
    fn history_up_to_the_first_welcome_is_not_news() {
        let mut arrivals = Arrivals::default();
        assert!(!arrivals.is_new(1), "nothing before the first welcome");
        arrivals.welcome(5);
        assert!(!arrivals.is_new(5));
        assert!(arrivals.is_new(6));
        // A reconnect's welcome does not hide what came while the socket was down.
        arrivals.welcome(9);
        assert!(arrivals.is_new(7));
        let mut fresh = Arrivals::default();
        fresh.welcome(0);
        assert!(fresh.is_new(1));
    }
}

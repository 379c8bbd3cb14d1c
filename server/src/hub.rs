//! In-process fan-out of new messages, and of the agent's typing, to every socket
//! of a conversation.
//!
//! One `broadcast` channel per conversation with live sockets; it is dropped when
//! the last subscriber leaves. (Across nodes, NATS will carry the same events.)
//!
//! Events may arrive out of sequence order: two messages stored one after the other
//! are published by two tasks, and either may publish first. A socket therefore
//! follows a conversation with [`Delivered`], which passes on only the next message in
//! sequence and asks for a catch-up from the store when one is missing, so each
//! client gets every message once and in order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use canal_protocol::MessageView;
use tokio::sync::broadcast;

/// A message stored in a conversation, and the socket it came from.
#[derive(Debug, Clone)]
pub struct Event {
    /// The connection that sent it (it already got an `ack`), or 0 for none.
    pub origin: u64,
    pub message: MessageView,
}

/// What a conversation's sockets hear.
#[derive(Debug, Clone)]
pub enum Live {
    /// A stored message (shared: every subscriber's slot holds a pointer, not the
    /// message).
    Message(Arc<Event>),
    /// An agent started or stopped writing (never stored). `name` is what the
    /// visitor sees, per the channel's display mode.
    AgentTyping { name: Option<String>, typing: bool },
    /// The visitor's draft, on a channel with the live typing preview on (never
    /// stored); empty: the preview clears. Only consoles pass it on.
    VisitorDraft(Arc<str>),
    /// An agent closed the conversation (it opens again when the visitor writes).
    Closed,
}

/// Events a conversation's channel keeps for its slowest socket. A socket that falls
/// further behind is not waited for: it is told it lagged and catches up from the
/// store, after the last message it passed on. The slots are allocated when the
/// channel is made (one per conversation with a live socket), so they count in an idle
/// socket's memory.
const CAPACITY: usize = 32;

/// The registry of conversation channels.
#[derive(Clone)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<Live>>>>,
    next_connection: Arc<AtomicU64>,
    /// Visitors (ids) who withdrew their consent, as it happens: each visitor socket
    /// listens and closes when it is its own visitor. Rare, so one channel for all.
    withdrawals: broadcast::Sender<Arc<str>>,
    /// How many visitor sockets follow each conversation on this server (agents'
    /// consoles are not counted): whether the visitor is still on the page.
    visitors: Arc<Mutex<HashMap<String, usize>>>,
}

/// A visitor socket following a conversation; it counts as the visitor being there
/// until it is dropped (see [`Hub::visitor_here`]).
pub struct VisitorHere {
    visitors: Arc<Mutex<HashMap<String, usize>>>,
    conversation_id: String,
}

impl Drop for VisitorHere {
    fn drop(&mut self) {
        let mut visitors = self.visitors.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = visitors.get_mut(&self.conversation_id) {
            *n -= 1;
            if *n == 0 {
                visitors.remove(&self.conversation_id);
            }
        }
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            channels: Arc::default(),
            next_connection: Arc::default(),
            withdrawals: broadcast::channel(CAPACITY).0,
            visitors: Arc::default(),
        }
    }
}

impl Hub {
    /// Hears every withdrawal from now on (see [`Hub::withdrawn`]).
    pub fn withdrawals(&self) -> broadcast::Receiver<Arc<str>> {
        self.withdrawals.subscribe()
    }

    /// Tells every socket that this visitor withdrew their consent (already stored).
    pub fn withdrawn(&self, visitor_id: &str) {
        let _ = self.withdrawals.send(Arc::from(visitor_id));
    }

    /// Counts a visitor socket on the conversation while the result lives.
    pub fn visitor_here(&self, conversation_id: &str) -> VisitorHere {
        let mut visitors = self.visitors.lock().unwrap_or_else(|p| p.into_inner());
        *visitors.entry(conversation_id.to_owned()).or_default() += 1;
        VisitorHere {
            visitors: self.visitors.clone(),
            conversation_id: conversation_id.to_owned(),
        }
    }

    /// Whether a visitor socket follows the conversation on this server now.
    pub fn visitor_present(&self, conversation_id: &str) -> bool {
        let visitors = self.visitors.lock().unwrap_or_else(|p| p.into_inner());
        visitors.contains_key(conversation_id)
    }

    /// A fresh, never zero, connection id.
    pub fn connection_id(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Subscribes to a conversation's events.
    pub fn subscribe(&self, conversation_id: &str) -> broadcast::Receiver<Live> {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels
            .entry(conversation_id.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Sends a stored message to the conversation's live sockets, if any.
    pub fn publish(&self, conversation_id: &str, event: Event) {
        self.send(conversation_id, Live::Message(Arc::new(event)));
    }

    /// Tells the conversation's live sockets that an agent started or stopped
    /// writing.
    pub fn agent_typing(&self, conversation_id: &str, name: Option<String>, typing: bool) {
        self.send(conversation_id, Live::AgentTyping { name, typing });
    }

    /// The visitor's draft (checked and throttled by the caller).
    pub fn visitor_draft(&self, conversation_id: &str, draft: &str) {
        self.send(conversation_id, Live::VisitorDraft(Arc::from(draft)));
    }

    /// Tells the conversation's live sockets that an agent closed it.
    pub fn closed(&self, conversation_id: &str) {
        self.send(conversation_id, Live::Closed);
    }

    fn send(&self, conversation_id: &str, live: Live) {
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = channels.get(conversation_id) {
            if sender.send(live).is_err() {
                // Nobody listens any more.
                channels.remove(conversation_id);
            }
        }
    }
}

/// How far a socket has delivered a conversation to its client: every stored message
/// up to this sequence number, with no gap.
///
/// Messages are stored one at a time under the store's write lock, so once message
/// `n` is stored, `1..n` are too: a gap before an event's message can always be filled
/// from the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered(pub u64);

/// What to do with a live message event (see [`Delivered::step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The client has it already.
    Skip,
    /// The next in sequence: pass it on (now counted as delivered).
    Deliver,
    /// Something before it is missing: read the store from [`Delivered`]'s number on.
    CatchUp,
}

impl Delivered {
    /// Decides on the message `seq` of a live event.
    pub fn step(&mut self, seq: u64) -> Step {
        if seq <= self.0 {
            Step::Skip
        } else if seq == self.0 + 1 {
            self.0 = seq;
            Step::Deliver
        } else {
            Step::CatchUp
        }
    }

    /// The store's messages after this point, read for a catch-up, are passed on in
    /// order: returns whether `seq` is the next one (and counts it).
    pub fn caught_up(&mut self, seq: u64) -> bool {
        self.step(seq) == Step::Deliver
    }

    /// Where a catch-up read starts (`messages_after`).
    pub fn after(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_is_present_while_one_of_their_sockets_follows_the_conversation() {
        let hub = Hub::default();
        assert!(!hub.visitor_present("c1"));
        let first = hub.visitor_here("c1");
        let second = hub.visitor_here("c1");
        assert!(hub.visitor_present("c1"));
        assert!(!hub.visitor_present("c2"));
        drop(first);
        assert!(hub.visitor_present("c1"), "one tab is still open");
        drop(second);
        assert!(!hub.visitor_present("c1"), "the visitor left");
    }

    #[test]
    fn only_the_next_message_passes_and_a_gap_asks_for_a_catch_up() {
        let mut delivered = Delivered(3);
        assert_eq!(delivered.step(2), Step::Skip);
        assert_eq!(delivered.step(3), Step::Skip);
        // 5 before 4: published out of order.
        assert_eq!(delivered.step(5), Step::CatchUp);
        assert_eq!(delivered, Delivered(3), "a gap delivers nothing");
        assert_eq!(delivered.after(), 3);
        // The catch-up reads 4 and 5 from the store.
        assert!(delivered.caught_up(4));
        assert!(delivered.caught_up(5));
        assert!(!delivered.caught_up(5));
        // The late event of 4 changes nothing.
        assert_eq!(delivered.step(4), Step::Skip);
        assert_eq!(delivered.step(6), Step::Deliver);
        assert_eq!(delivered, Delivered(6));
    }
}

//! In-process fan-out of new messages, and of the agent's typing, to every socket
//! of a conversation.
//!
//! One `broadcast` channel per conversation with live sockets; it is dropped when
//! the last subscriber leaves. (Across nodes, NATS will carry the same events.)

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
    /// A stored message.
    Message(Event),
    /// An agent started or stopped writing (never stored). `name` is what the
    /// visitor sees, per the channel's display mode.
    AgentTyping { name: Option<String>, typing: bool },
}

const CAPACITY: usize = 64;

/// The registry of conversation channels.
#[derive(Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<Live>>>>,
    next_connection: Arc<AtomicU64>,
}

impl Hub {
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
        self.send(conversation_id, Live::Message(event));
    }

    /// Tells the conversation's live sockets that an agent started or stopped
    /// writing.
    pub fn agent_typing(&self, conversation_id: &str, name: Option<String>, typing: bool) {
        self.send(conversation_id, Live::AgentTyping { name, typing });
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

//! Domain types of the routing core: ids, time, agents, channel queue settings,
//! conversations, the events that drive the engine and its errors.
//!
//! These are the server's own types, not wire types: the shell converts at the edge.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A point in time in milliseconds since the Unix epoch.
///
/// The routing core never reads a clock: every event carries one of these.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> u64 {
        self.0
    }

    /// This instant plus `ms` milliseconds (saturating).
    pub fn plus_millis(self, ms: u64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-21T16:20:00.123Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = i128::from(self.0) * 1_000_000;
        match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(t) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            ),
            Err(_) => write!(f, "{}ms", self.0),
        }
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, " #{}"), self.0)
            }
        }
    };
}

id_type!(
    /// An agent (employee or bot).
    AgentId,
    "agent"
);
id_type!(
    /// A channel (a widget or messenger line); each has its own queue settings.
    ChannelId,
    "channel"
);
id_type!(
    /// A department: an ordered list of agents that a queue entry can name.
    DepartmentId,
    "department"
);
id_type!(
    /// A conversation with a customer.
    ConversationId,
    "conversation"
);

/// An agent as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// Who.
    pub id: AgentId,
    /// Display name (not used for decisions).
    pub name: String,
    /// Dismissed agents never get conversations.
    pub dismissed: bool,
    /// Connected to the console.
    pub online: bool,
    /// Marked away ("absent") by themselves or a supervisor.
    pub absent: bool,
    /// Clocked in (working day started).
    pub at_work: bool,
    /// Most conversations held at once (counted load plus outstanding offers);
    /// `None` is unlimited.
    pub cap: Option<u32>,
    /// When the agent last received a conversation (offer or assignment), or when
    /// they were added. The engine keeps it up to date; `evenly` breaks ties of
    /// load in favour of the earliest value (idle longest).
    pub idle_since: Timestamp,
    /// A bot: never routed from a queue, only used as a channel's bot-first agent.
    pub is_bot: bool,
}

impl Agent {
    /// An employee who is online, present, at work, not dismissed, with no cap,
    /// idle since the epoch.
    pub fn new(id: AgentId, name: impl Into<String>) -> Agent {
        Agent {
            id,
            name: name.into(),
            dismissed: false,
            online: true,
            absent: false,
            at_work: true,
            cap: None,
            idle_since: Timestamp(0),
            is_bot: false,
        }
    }

    /// A bot agent (always online as far as routing cares).
    pub fn bot(id: AgentId, name: impl Into<String>) -> Agent {
        Agent {
            is_bot: true,
            ..Agent::new(id, name)
        }
    }

    /// The same agent with a cap on simultaneous conversations.
    pub fn with_cap(mut self, cap: u32) -> Agent {
        self.cap = Some(cap);
        self
    }
}

/// One change to an agent, as sent by the console or the presence tracker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentChange {
    /// Connected or disconnected.
    Online(bool),
    /// Marked away or back.
    Absent(bool),
    /// Clocked in or out.
    AtWork(bool),
    /// Dismissed or reinstated.
    Dismissed(bool),
    /// New cap (`None`: unlimited).
    Cap(Option<u32>),
}

/// One entry of a channel's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueEntry {
    /// A single agent.
    Agent(AgentId),
    /// Every member of a department, in member order.
    Department(DepartmentId),
}

/// How a channel picks among eligible agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Least counted load (load plus outstanding offers); ties go to the agent idle
    /// longest, then to queue order.
    Evenly,
    /// Queue order: the first eligible agent; on a pass, the next eligible agent
    /// after the previous offeree, round the queue.
    Strict,
    /// Offered to every eligible agent at once; the first to take it gets it.
    All,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Evenly => "evenly",
            Mode::Strict => "strict",
            Mode::All => "all",
        })
    }
}

/// How long an offer stays with an agent before it passes on: 1 minute to 12 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PassAfter(u64);

impl PassAfter {
    /// The shortest allowed value, 1 minute.
    pub const MIN_MS: u64 = 60_000;
    /// The longest allowed value, 12 hours.
    pub const MAX_MS: u64 = 12 * 60 * 60_000;

    /// `ms` milliseconds, or an error outside 1 minute to 12 hours (inclusive).
    pub fn from_millis(ms: u64) -> Result<PassAfter, RoutingError> {
        if (Self::MIN_MS..=Self::MAX_MS).contains(&ms) {
            Ok(PassAfter(ms))
        } else {
            Err(RoutingError::PassAfterOutOfRange { ms })
        }
    }

    /// `minutes` minutes, or an error outside 1 minute to 12 hours.
    pub fn from_minutes(minutes: u64) -> Result<PassAfter, RoutingError> {
        Self::from_millis(minutes.saturating_mul(60_000))
    }

    /// The value in milliseconds.
    pub fn millis(self) -> u64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for PassAfter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ms = u64::deserialize(d)?;
        PassAfter::from_millis(ms).map_err(serde::de::Error::custom)
    }
}

/// Which held conversations do *not* count against an agent's cap, per channel.
///
/// A conversation counts against its holder's cap while it is assigned to them, and
/// after it is closed while it awaits the customer's rating, unless excluded here by
/// the settings of the conversation's own channel:
/// - `answered`: excluded once the agent has replied at least once;
/// - `waiting_for_client`: excluded while the last reply was the agent's (the
///   conversation waits for the customer);
/// - `awaiting_rating`: closed conversations awaiting a rating are excluded.
///
/// As in the product, closed conversations awaiting a rating are excluded as soon as
/// *any* of the three options is on; with all three off everything held counts.
/// Closed conversations no longer awaiting a rating never count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoadExclusions {
    /// Exclude conversations the agent has answered at least once.
    pub answered: bool,
    /// Exclude conversations waiting for the customer's reply.
    pub waiting_for_client: bool,
    /// Exclude closed conversations awaiting a rating.
    pub awaiting_rating: bool,
}

impl LoadExclusions {
    /// Whether any option is on (which also excludes closed conversations awaiting
    /// a rating).
    pub fn any(self) -> bool {
        self.answered || self.waiting_for_client || self.awaiting_rating
    }
}

/// A channel's routing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSettings {
    /// The queue, in order; departments expand to their members, duplicates keep
    /// their first position.
    pub entries: Vec<QueueEntry>,
    /// How an agent is picked.
    pub mode: Mode,
    /// How long an offer waits for an answer before it passes on.
    pub pass_after: PassAfter,
    /// Eligible also requires online, not absent and at work.
    pub check_online: bool,
    /// What does not count against caps (see [`LoadExclusions`]).
    pub exclusions: LoadExclusions,
    /// Offer a known customer's conversation to their responsible agent first, even
    /// when that agent is not in the queue.
    pub route_to_responsible: bool,
    /// A bot that gets every new conversation first and hands over later.
    pub bot: Option<AgentId>,
    /// The no-agent auto-reply is configured: [`crate::routing::Action::Waiting`]
    /// asks for it once per conversation.
    pub no_agent_reply: bool,
}

impl QueueSettings {
    /// Settings with the given queue, mode and pass-after; no online check, no
    /// exclusions, no responsible routing, no bot, no auto-reply.
    pub fn new(entries: Vec<QueueEntry>, mode: Mode, pass_after: PassAfter) -> QueueSettings {
        QueueSettings {
            entries,
            mode,
            pass_after,
            check_online: false,
            exclusions: LoadExclusions::default(),
            route_to_responsible: false,
            bot: None,
            no_agent_reply: false,
        }
    }
}

/// Where a conversation is in routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConversationState {
    /// In the queue, offered to nobody (nobody was eligible).
    Waiting,
    /// Offered to these agents since `at`; passes on at `deadline`.
    Offered {
        /// The agents who may take it (one, or several in `all` mode).
        agents: Vec<AgentId>,
        /// When the offer was made.
        at: Timestamp,
        /// `at` plus the channel's pass-after.
        deadline: Timestamp,
    },
    /// Held by one agent (or the channel's bot).
    Assigned(AgentId),
    /// Closed; `agent` is who held it. While `awaiting_rating` it may still count
    /// against that agent's cap (see [`LoadExclusions`]).
    Closed {
        /// Still waiting for the customer's rating.
        awaiting_rating: bool,
        /// Who held it when it closed.
        agent: Option<AgentId>,
    },
}

/// A conversation as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Which conversation.
    pub id: ConversationId,
    /// Its channel, whose queue settings apply.
    pub channel: ChannelId,
    /// When it was created; waiting conversations are served oldest first.
    pub created_at: Timestamp,
    /// Where it is.
    pub state: ConversationState,
    /// An agent has replied at least once.
    pub answered: bool,
    /// The last reply was the agent's: waiting for the customer.
    pub waiting_for_client: bool,
    /// The known customer's responsible agent (CRM), if any.
    pub responsible: Option<AgentId>,
    /// Whether the responsible agent has had their first offer.
    pub responsible_offered: bool,
    /// Queue agents offered it in the current round (`evenly` and `all`).
    pub tried: BTreeSet<AgentId>,
    /// The agents of the most recent offer (strict mode continues after it).
    pub last_offer: Vec<AgentId>,
    /// The no-agent auto-reply has been asked for already.
    pub no_agent_reply_sent: bool,
}

impl Conversation {
    /// The agent holding it (assigned, or closed and awaiting a rating).
    pub fn holder(&self) -> Option<AgentId> {
        match self.state {
            ConversationState::Assigned(a) => Some(a),
            ConversationState::Closed {
                awaiting_rating: true,
                agent,
            } => agent,
            _ => None,
        }
    }

    /// Whether it counts against its holder's cap under `exclusions`.
    pub fn counts_against_cap(&self, exclusions: LoadExclusions) -> bool {
        match self.state {
            ConversationState::Assigned(_) => {
                !(exclusions.answered && self.answered
                    || exclusions.waiting_for_client && self.waiting_for_client)
            }
            ConversationState::Closed {
                awaiting_rating: true,
                agent: Some(_),
            } => !exclusions.any(),
            _ => false,
        }
    }

    /// The agents it is offered to right now.
    pub fn offered_to(&self) -> &[AgentId] {
        match &self.state {
            ConversationState::Offered { agents, .. } => agents,
            _ => &[],
        }
    }
}

/// Where a transfer sends a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferTarget {
    /// Straight to this agent (who must be eligible apart from queue membership).
    Agent(AgentId),
    /// Back to its channel's queue; the agent who had it is tried last.
    Queue,
}

/// Something that happened. Each is handled at a [`Timestamp`] given alongside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Add an agent, or replace an agent's profile (the engine keeps `idle_since`
    /// of a known agent).
    AgentAdded(Agent),
    /// An agent's presence, work state, dismissal or cap changed.
    AgentUpdated {
        /// Who.
        agent: AgentId,
        /// What.
        change: AgentChange,
    },
    /// Create a channel or replace its settings (queue included).
    ChannelConfigured {
        /// Which channel.
        channel: ChannelId,
        /// Its new settings.
        settings: QueueSettings,
    },
    /// Replace a channel's queue.
    QueueChanged {
        /// Which channel.
        channel: ChannelId,
        /// The new queue.
        entries: Vec<QueueEntry>,
    },
    /// Append an agent to a channel's queue (no change if it is already a direct
    /// entry).
    AgentJoinedQueue {
        /// Which channel.
        channel: ChannelId,
        /// Who.
        agent: AgentId,
    },
    /// Remove an agent's direct entries from a channel's queue (membership through a
    /// department stays).
    AgentLeftQueue {
        /// Which channel.
        channel: ChannelId,
        /// Who.
        agent: AgentId,
    },
    /// Set a department's members, in order.
    DepartmentChanged {
        /// Which department.
        department: DepartmentId,
        /// Its members, in order.
        members: Vec<AgentId>,
    },
    /// A customer started a conversation.
    ConversationCreated {
        /// New id.
        conversation: ConversationId,
        /// Its channel.
        channel: ChannelId,
        /// The known customer's responsible agent.
        responsible: Option<AgentId>,
    },
    /// An offered agent took the conversation.
    OfferTaken {
        /// Which conversation.
        conversation: ConversationId,
        /// Who took it.
        agent: AgentId,
    },
    /// An offered agent declined (skipped) the conversation.
    OfferDeclined {
        /// Which conversation.
        conversation: ConversationId,
        /// Who declined.
        agent: AgentId,
    },
    /// Time passed: offers whose deadline is at or before now pass on.
    Tick,
    /// An agent replied: the conversation is answered and waits for the customer.
    AgentReplied {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// The customer replied: the conversation no longer waits for them.
    ClientReplied {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// The conversation was closed.
    ConversationClosed {
        /// Which conversation.
        conversation: ConversationId,
        /// A rating was requested and is awaited.
        awaiting_rating: bool,
    },
    /// The rating arrived, or the rating wait ended: the conversation is done.
    RatingReceived {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// Transfer to an agent or back to the queue.
    Transfer {
        /// Which conversation.
        conversation: ConversationId,
        /// Where to.
        to: TransferTarget,
        /// Also make the target agent the customer's responsible agent.
        make_responsible: bool,
    },
    /// The bot holding the conversation hands it over to the queue.
    BotHandover {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// The customer wrote in a closed conversation: it is routed again like a new
    /// one, waiting from now.
    Reopened {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// The customer was recognised during the conversation (the CRM found them):
    /// their responsible agent, when the conversation had none. A waiting one is
    /// routed again (the responsible first); an offered one keeps its offer, and
    /// the responsible comes first when it passes on; a held one stays.
    CustomerRecognised {
        /// Which conversation.
        conversation: ConversationId,
        /// The customer's responsible agent.
        responsible: AgentId,
    },
}

/// Why the engine refused an event. A refused event changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum RoutingError {
    /// `pass_after` outside 1 minute to 12 hours.
    #[error("pass-after of {ms} ms is outside 1 minute to 12 hours")]
    PassAfterOutOfRange {
        /// The refused value.
        ms: u64,
    },
    /// No such agent.
    #[error("unknown {0}")]
    UnknownAgent(AgentId),
    /// No such channel.
    #[error("unknown {0}")]
    UnknownChannel(ChannelId),
    /// No such conversation.
    #[error("unknown {0}")]
    UnknownConversation(ConversationId),
    /// The conversation id is taken.
    #[error("{0} already exists")]
    DuplicateConversation(ConversationId),
    /// Take or decline by an agent who has no outstanding offer for it.
    #[error("{conversation} is not offered to {agent}")]
    NotOffered {
        /// Which conversation.
        conversation: ConversationId,
        /// Who tried.
        agent: AgentId,
    },
    /// Take after someone else took it (the loser in `all` mode).
    #[error("{conversation} was already taken by {by}")]
    AlreadyTaken {
        /// Which conversation.
        conversation: ConversationId,
        /// Who has it.
        by: AgentId,
    },
    /// The conversation is closed.
    #[error("{0} is closed")]
    Closed(ConversationId),
    /// Rating for a conversation that is not closed awaiting a rating.
    #[error("{0} is not awaiting a rating")]
    NotAwaitingRating(ConversationId),
    /// Bot handover of a conversation no bot holds.
    #[error("{0} is not with a bot")]
    NotWithBot(ConversationId),
    /// Reopening a conversation that is not closed.
    #[error("{0} is not closed")]
    NotClosed(ConversationId),
    /// Transfer to the agent who already holds it.
    #[error("{conversation} is already with {agent}")]
    AlreadyWith {
        /// Which conversation.
        conversation: ConversationId,
        /// Who holds it.
        agent: AgentId,
    },
    /// Transfer to an agent who is not eligible (queue membership aside).
    #[error("{agent} cannot take {conversation}: {reason}")]
    TargetNotEligible {
        /// Which conversation.
        conversation: ConversationId,
        /// The target.
        agent: AgentId,
        /// Why not.
        reason: crate::routing::SkipReason,
    },
}

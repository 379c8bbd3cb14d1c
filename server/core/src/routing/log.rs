//! What the engine decides and why: [`Decision`]s, each with its [`RoutingLog`]
//! entry (candidates considered, the reason each was skipped or chosen, the outcome),
//! serialisable for the store and readable through `Display` in the console.

use std::fmt;

use serde::Serialize;

use super::model::{AgentId, ChannelId, ConversationId, Mode, Timestamp, TransferTarget};

/// One decision: what the shell must do, and the log entry explaining it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What to do.
    pub action: Action,
    /// Why (self-contained: it repeats the action).
    pub log: RoutingLog,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.log.fmt(f)
    }
}

/// The outcome the shell acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Show the conversation to these agents; it passes on at `deadline`.
    Offer {
        /// Which conversation.
        conversation: ConversationId,
        /// To whom (one agent, or all eligible ones in `all` mode).
        agents: Vec<AgentId>,
        /// When it passes on unless taken.
        deadline: Timestamp,
    },
    /// Take the offer away from these agents.
    WithdrawOffers {
        /// Which conversation.
        conversation: ConversationId,
        /// From whom.
        agents: Vec<AgentId>,
    },
    /// The conversation now belongs to this agent (taken, transferred, or the bot).
    Assigned {
        /// Which conversation.
        conversation: ConversationId,
        /// Who has it.
        agent: AgentId,
    },
    /// Nobody can take it now; it waits in the queue.
    Waiting {
        /// Which conversation.
        conversation: ConversationId,
        /// Send the channel's no-agent auto-reply (configured, nobody eligible, and
        /// not sent for this conversation before).
        send_no_agent_reply: bool,
    },
}

impl Action {
    /// The conversation the action is about.
    pub fn conversation(&self) -> ConversationId {
        match self {
            Action::Offer { conversation, .. }
            | Action::WithdrawOffers { conversation, .. }
            | Action::Assigned { conversation, .. }
            | Action::Waiting { conversation, .. } => *conversation,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Offer {
                agents, deadline, ..
            } => {
                f.write_str("offered to ")?;
                write_agents(f, agents)?;
                write!(f, " until {deadline}")
            }
            Action::WithdrawOffers { agents, .. } => {
                f.write_str("offer withdrawn from ")?;
                write_agents(f, agents)
            }
            Action::Assigned { agent, .. } => write!(f, "assigned to {agent}"),
            Action::Waiting {
                send_no_agent_reply,
                ..
            } => {
                f.write_str("waiting in the queue")?;
                if *send_no_agent_reply {
                    f.write_str(", no-agent auto-reply sent")?;
                }
                Ok(())
            }
        }
    }
}

fn write_agents(f: &mut fmt::Formatter<'_>, agents: &[AgentId]) -> fmt::Result {
    for (i, a) in agents.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{a}")?;
    }
    Ok(())
}

/// The log entry of one decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutingLog {
    /// When (the time of the event that caused it).
    pub at: Timestamp,
    /// Which conversation.
    pub conversation: ConversationId,
    /// Its channel.
    pub channel: ChannelId,
    /// The channel's mode at the time.
    pub mode: Mode,
    /// What prompted the decision.
    pub trigger: Trigger,
    /// The agents considered, in the order considered, each chosen or skipped with
    /// a reason. Empty for decisions that pick nobody (withdrawals).
    pub candidates: Vec<Candidate>,
    /// The outcome.
    pub action: Action,
}

impl RoutingLog {
    /// The agents marked chosen, in order.
    pub fn chosen(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.candidates
            .iter()
            .filter(|c| c.verdict == Verdict::Chosen)
            .map(|c| c.agent)
    }
}

impl fmt::Display for RoutingLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({}, {}): {}; {}",
            self.at, self.conversation, self.channel, self.mode, self.action, self.trigger
        )?;
        for c in &self.candidates {
            write!(f, "\n  {c}")?;
        }
        Ok(())
    }
}

/// What prompted a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// A new conversation.
    Created,
    /// The bot handed the conversation over to the queue.
    BotHandover {
        /// The bot.
        bot: AgentId,
    },
    /// Someone became eligible; the oldest waiting conversation is served.
    AgentAvailable,
    /// An offer passed on.
    Passed {
        /// From whom.
        from: Vec<AgentId>,
        /// Why.
        reason: PassReason,
    },
    /// An offeree took it (withdrawing the other offers, in `all` mode).
    Taken {
        /// Who.
        by: AgentId,
    },
    /// The conversation was closed.
    Closed,
    /// The customer wrote in the closed conversation.
    Reopened,
    /// The customer was recognised: their responsible agent is known now.
    Recognised {
        /// The responsible agent.
        responsible: AgentId,
    },
    /// A transfer.
    Transferred {
        /// Who had it, if anyone.
        from: Option<AgentId>,
        /// Where to.
        to: TransferTarget,
    },
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Created => f.write_str("new conversation"),
            Trigger::BotHandover { bot } => write!(f, "handed over by bot {bot}"),
            Trigger::AgentAvailable => f.write_str("an agent became available"),
            Trigger::Passed { from, reason } => {
                f.write_str("passed on from ")?;
                write_agents(f, from)?;
                write!(f, ": {reason}")
            }
            Trigger::Taken { by } => write!(f, "taken by {by}"),
            Trigger::Closed => f.write_str("conversation closed"),
            Trigger::Reopened => f.write_str("reopened: the customer wrote again"),
            Trigger::Recognised { responsible } => {
                write!(f, "the customer was recognised: responsible {responsible}")
            }
            Trigger::Transferred { from, to } => {
                f.write_str("transferred")?;
                if let Some(from) = from {
                    write!(f, " from {from}")?;
                }
                match to {
                    TransferTarget::Agent(a) => write!(f, " to {a}"),
                    TransferTarget::Queue => f.write_str(" to the queue"),
                }
            }
        }
    }
}

/// Why an offer passed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PassReason {
    /// Not taken within pass-after.
    Timeout {
        /// When it was offered.
        offered_at: Timestamp,
        /// The channel's pass-after at the time of the offer, in milliseconds.
        pass_after_ms: u64,
    },
    /// The agent declined it.
    Declined,
    /// The agent stopped being eligible while the offer was out.
    NoLongerEligible(SkipReason),
}

impl fmt::Display for PassReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassReason::Timeout {
                offered_at,
                pass_after_ms,
            } => write!(
                f,
                "not taken within {pass_after_ms} ms of the offer at {offered_at}"
            ),
            PassReason::Declined => f.write_str("declined"),
            PassReason::NoLongerEligible(r) => write!(f, "no longer eligible ({r})"),
        }
    }
}

/// One agent considered for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Who.
    pub agent: AgentId,
    /// In what capacity.
    pub role: Role,
    /// Chosen, or skipped and why.
    pub verdict: Verdict,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.agent)?;
        match self.role {
            Role::Queue => {}
            Role::Responsible => f.write_str(" (responsible)")?,
            Role::Bot => f.write_str(" (bot)")?,
            Role::Target => f.write_str(" (transfer target)")?,
            Role::Offeree => f.write_str(" (offeree)")?,
        }
        match self.verdict {
            Verdict::Chosen => f.write_str(": chosen"),
            Verdict::Skipped(r) => write!(f, ": skipped, {r}"),
        }
    }
}

/// Why an agent was considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A member of the channel's queue.
    Queue,
    /// The customer's responsible agent.
    Responsible,
    /// The channel's bot.
    Bot,
    /// The target of a transfer.
    Target,
    /// The agent who took an offer.
    Offeree,
}

/// Chosen or skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// Got the offer or the conversation.
    Chosen,
    /// Passed over.
    Skipped(SkipReason),
}

/// Why an agent was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SkipReason {
    /// Not a known agent.
    Unknown,
    /// Dismissed.
    Dismissed,
    /// A bot (bots are never routed from a queue).
    Bot,
    /// The channel's bot setting names an agent that is not a bot.
    NotABot,
    /// Not connected (channel checks presence).
    Offline,
    /// Marked away (channel checks presence).
    Absent,
    /// Not clocked in (channel checks presence).
    NotAtWork,
    /// Counted load plus outstanding offers has reached the cap.
    AtCap {
        /// Counted load plus outstanding offers.
        load: u32,
        /// The cap.
        cap: u32,
    },
    /// Already offered it in this round.
    AlreadyTried,
    /// Just passed it on (declined, timed out, or became ineligible).
    JustPassed,
    /// Not in the channel's queue.
    NotInQueue,
    /// Eligible, but another agent ranked first (`evenly`: lower load, then idle
    /// longer, then earlier in the queue).
    Outranked {
        /// This agent's counted load plus outstanding offers.
        load: u32,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Unknown => f.write_str("unknown agent"),
            SkipReason::Dismissed => f.write_str("dismissed"),
            SkipReason::Bot => f.write_str("a bot"),
            SkipReason::NotABot => f.write_str("not a bot"),
            SkipReason::Offline => f.write_str("offline"),
            SkipReason::Absent => f.write_str("absent"),
            SkipReason::NotAtWork => f.write_str("not at work"),
            SkipReason::AtCap { load, cap } => write!(f, "at cap {load}/{cap}"),
            SkipReason::AlreadyTried => f.write_str("already tried this round"),
            SkipReason::JustPassed => f.write_str("just passed it on"),
            SkipReason::NotInQueue => f.write_str("not in the queue"),
            SkipReason::Outranked { load } => write!(f, "outranked (load {load})"),
        }
    }
}

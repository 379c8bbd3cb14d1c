//! Routing, the queue engine: a pure, deterministic core that takes timed events and
//! returns decisions (offer, withdraw, assigned, waiting), each with a log entry
//! saying who was considered and why. No I/O, no clock, no randomness: the async
//! shell persists the state, sends the decisions and feeds `Tick`s at
//! [`Engine::next_deadline`].
//!
//! Layout:
//! - [`model`]: ids, [`Timestamp`], agents, [`QueueSettings`], conversations,
//!   [`Event`]s and [`RoutingError`].
//! - [`log`]: [`Decision`], [`Action`] and the [`RoutingLog`] entry with its
//!   candidates and reasons.
//! - [`engine`]: the [`Engine`] and its incremental bookkeeping.
//!
//! # Rules
//!
//! **Eligible** for a channel's conversation: a member of the channel's expanded queue
//! (departments expand to their members in order; duplicates keep their first
//! position), not dismissed, not a bot; if the channel checks presence, also online,
//! not absent and at work; and below the cap.
//!
//! **Cap.** An agent's *busy* figure is their counted load plus their outstanding
//! offers: an offer reserves a slot while it is out (in `all` mode, at every offeree).
//! A new offer, a bot assignment or a transfer is made only while busy is below the
//! cap, so taking an offer can never push anyone over it. Counted load is held
//! conversations minus the exclusions of each conversation's own channel (see
//! [`LoadExclusions`]). When the load grows for reasons routing does not control (the
//! customer replies, the cap is lowered, exclusions change), the agent's newest
//! offers are withdrawn and passed on until busy is back within the cap; held
//! conversations are never taken away.
//!
//! **Modes.** `evenly`: the eligible member with the least busy figure, ties to the
//! earliest `idle_since` (the agent who got a conversation longest ago), then queue
//! order; members already offered the conversation in the current round are left
//! out, and when everyone eligible has been tried a new round begins. `strict`: the
//! first eligible member in queue order, starting after the previous offeree (or at
//! the top) and going round the queue. `all`: every eligible member not yet tried
//! this round at once; the first take wins and the other offers are withdrawn in the
//! same step; a later take gets [`RoutingError::AlreadyTaken`].
//!
//! **Passing on.** An offer made at `t` passes on at the first `Tick` at or after
//! `t + pass_after` (never before, and only on a `Tick`); it also passes on when
//! declined, or when the offeree stops being eligible for it. A pass routes the
//! conversation again leaving out the agents it passed from; if nobody else is
//! eligible it waits, and is then served like any other waiting conversation (the
//! oldest first), which may bring it back to the same agent: a decline is not a
//! permanent refusal, and a queue never stalls while someone is eligible.
//!
//! **Waiting.** With nobody eligible the conversation waits, and
//! [`Action::Waiting`] asks once per conversation for the no-agent auto-reply when the
//! channel has one. After every event, waiting conversations are served, oldest first
//! per channel, as long as someone is eligible for them: no conversation is left
//! waiting while an agent is eligible for it.
//!
//! **Responsible agent.** With `route_to_responsible`, a known customer's responsible
//! agent gets the first offer (before the queue, even if not a member) as soon as
//! they are eligible queue membership aside; after that they are the fallback when
//! no queue member is eligible.
//!
//! **Bot first.** With a channel bot, a new conversation is assigned to the bot
//! directly (if it exists, is a bot, is not dismissed and is below its cap);
//! [`Event::BotHandover`] sends it to the queue.
//!
//! **Transfers.** To an agent: assigned directly if the agent is eligible queue
//! membership aside (else [`RoutingError::TargetNotEligible`]). To the queue: routed
//! again with the agent who had it tried last.
//!
//! **Reopening.** [`Event::Reopened`]: the customer wrote in a closed conversation.
//! It starts over, waiting from then (behind conversations that waited longer),
//! nobody tried, and is routed to the queue as a new one would be (the bot aside).

#![warn(missing_docs)]
pub mod engine;
pub mod log;
pub mod model;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use engine::{AgentLoad, Engine};
pub use log::{
    Action, Candidate, Decision, PassReason, Role, RoutingLog, SkipReason, Trigger, Verdict,
};
pub use model::{
    Agent, AgentChange, AgentId, ChannelId, Conversation, ConversationId, ConversationState,
    DepartmentId, Event, LoadExclusions, Mode, PassAfter, QueueEntry, QueueSettings, RoutingError,
    Timestamp, TransferTarget,
};

//! The routing engine: state plus [`Engine::handle`], which applies one timed
//! [`Event`] and returns the [`Decision`]s it causes. Pure and deterministic: no I/O,
//! no clock, no randomness, and no hash-map iteration (ordered maps only).
//!
//! Bookkeeping that keeps a decision cheap with many agents and conversations:
//! - each agent's counted load and outstanding offers are kept incrementally;
//! - each channel counts its eligible queue members (with and without the presence
//!   check), so "is anyone free here?" is O(1);
//! - waiting conversations are kept per channel, oldest first, and per responsible
//!   agent; offer deadlines are kept in time order.
//!
//! A decision therefore costs one pass over the channel's queue (to log every
//! candidate), never a pass over conversations.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use super::log::{
    Action, Candidate, Decision, PassReason, Role, RoutingLog, SkipReason, Trigger, Verdict,
};
use super::model::{
    Agent, AgentChange, AgentId, ChannelId, Conversation, ConversationId, ConversationState,
    DepartmentId, Event, Mode, QueueEntry, QueueSettings, RoutingError, Timestamp, TransferTarget,
};

/// Status bit: eligible in a channel without the presence check.
const OK: u8 = 1;
/// Status bit: eligible in a channel with the presence check.
const OK_ONLINE: u8 = 2;

/// An agent's share of work as the cap sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentLoad {
    /// Held conversations that count (see [`super::LoadExclusions`]).
    pub counted: u32,
    /// Outstanding offers (each also counts against the cap).
    pub offers: u32,
}

impl AgentLoad {
    /// What the cap is compared with: counted load plus outstanding offers.
    pub fn busy(self) -> u32 {
        self.counted.saturating_add(self.offers)
    }
}

struct Slot {
    agent: Agent,
    /// Held conversations that count against the cap.
    load: u32,
    /// Outstanding offers: conversation and when offered.
    offers: BTreeMap<ConversationId, Timestamp>,
    /// Channels whose expanded queue contains this agent.
    queues: Vec<ChannelId>,
    /// `OK` / `OK_ONLINE` bits as last counted in the channels' counters.
    status: u8,
    /// Waiting conversations whose customer this agent is responsible for.
    responsible_waiting: BTreeSet<(Timestamp, ConversationId)>,
}

impl Slot {
    fn busy(&self) -> u32 {
        let offers = u32::try_from(self.offers.len()).unwrap_or(u32::MAX);
        self.load.saturating_add(offers)
    }

    /// Eligibility apart from the cap and queue membership.
    fn flags_check(&self, check_online: bool) -> Result<(), SkipReason> {
        let a = &self.agent;
        if a.dismissed {
            Err(SkipReason::Dismissed)
        } else if a.is_bot {
            Err(SkipReason::Bot)
        } else if check_online && !a.online {
            Err(SkipReason::Offline)
        } else if check_online && a.absent {
            Err(SkipReason::Absent)
        } else if check_online && !a.at_work {
            Err(SkipReason::NotAtWork)
        } else {
            Ok(())
        }
    }

    /// Room for one more conversation or offer.
    fn cap_check(&self) -> Result<(), SkipReason> {
        match self.agent.cap {
            Some(cap) if self.busy() >= cap => Err(SkipReason::AtCap {
                load: self.busy(),
                cap,
            }),
            _ => Ok(()),
        }
    }

    /// Eligible for a new offer, queue membership aside.
    fn check(&self, check_online: bool) -> Result<(), SkipReason> {
        self.flags_check(check_online)?;
        self.cap_check()
    }

    fn status(&self) -> u8 {
        let mut s = 0;
        if self.check(false).is_ok() {
            s |= OK;
            if self.check(true).is_ok() {
                s |= OK_ONLINE;
            }
        }
        s
    }
}

struct Chan {
    settings: QueueSettings,
    /// The expanded queue: agent slots in order, no duplicates.
    queue: Vec<usize>,
    /// Position of each queue member.
    position: HashMap<AgentId, usize>,
    /// Queue members with the `OK` bit.
    n_ok: u32,
    /// Queue members with the `OK_ONLINE` bit.
    n_ok_online: u32,
    /// Waiting conversations, oldest first.
    waiting: BTreeSet<(Timestamp, ConversationId)>,
    /// Conversations with outstanding offers.
    offered: BTreeSet<ConversationId>,
    /// Conversations with a holder (assigned, or closed awaiting rating).
    held: BTreeSet<ConversationId>,
}

impl Chan {
    fn eligible_count(&self) -> u32 {
        if self.settings.check_online {
            self.n_ok_online
        } else {
            self.n_ok
        }
    }

    fn adjust(&mut self, old: u8, new: u8) {
        fn step(n: &mut u32, was: bool, is: bool) {
            match (was, is) {
                (false, true) => *n += 1,
                (true, false) => *n = n.saturating_sub(1),
                _ => {}
            }
        }
        step(&mut self.n_ok, old & OK != 0, new & OK != 0);
        step(
            &mut self.n_ok_online,
            old & OK_ONLINE != 0,
            new & OK_ONLINE != 0,
        );
    }
}

struct Conv {
    c: Conversation,
    /// The slot whose `load` includes this conversation.
    counted_for: Option<usize>,
}

/// Agents excluded from a pass (the ones it just passed from).
struct Excluded<'a> {
    few: &'a [AgentId],
    many: Option<BTreeSet<AgentId>>,
}

impl<'a> Excluded<'a> {
    fn new(agents: &'a [AgentId]) -> Excluded<'a> {
        let many = (agents.len() > 16).then(|| agents.iter().copied().collect());
        Excluded { few: agents, many }
    }

    fn contains(&self, id: AgentId) -> bool {
        match &self.many {
            Some(set) => set.contains(&id),
            None => self.few.contains(&id),
        }
    }
}

/// How a pick among queue members went.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// Among eligible members not yet tried this round.
    Untried,
    /// A new round, leaving out the agents just passed from.
    Fresh,
    /// A new round among all eligible members.
    Any,
    /// Nobody.
    Nobody,
}

/// The routing engine. See the [module docs](super) for the rules.
pub struct Engine {
    now: Timestamp,
    agents: Vec<Slot>,
    agent_ix: BTreeMap<AgentId, usize>,
    departments: BTreeMap<DepartmentId, Vec<AgentId>>,
    channels: BTreeMap<ChannelId, Chan>,
    convs: BTreeMap<ConversationId, Conv>,
    deadlines: BTreeSet<(Timestamp, ConversationId)>,
    // Per-step scratch.
    out: Vec<Decision>,
    /// Agents whose eligibility improved in this step.
    dirty_agents: BTreeSet<usize>,
    /// Channels that may have both waiting conversations and eligible members.
    drain_channels: BTreeSet<ChannelId>,
    /// Channels whose settings or queue changed (full re-check of waiting ones).
    full_dirty: BTreeSet<ChannelId>,
    /// Agents whose counted load grew (offers beyond the cap are withdrawn).
    cap_check: BTreeSet<usize>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

/// A set of waiting conversations [`Engine::serve_responsible`] walks.
#[derive(Debug, Clone, Copy)]
enum WaitingSet {
    /// A channel's waiting conversations.
    Channel(ChannelId),
    /// The waiting conversations whose responsible agent is this one.
    Agent(usize),
}

impl Engine {
    /// An empty engine at time zero.
    pub fn new() -> Engine {
        Engine {
            now: Timestamp(0),
            agents: Vec::new(),
            agent_ix: BTreeMap::new(),
            departments: BTreeMap::new(),
            channels: BTreeMap::new(),
            convs: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            out: Vec::new(),
            dirty_agents: BTreeSet::new(),
            drain_channels: BTreeSet::new(),
            full_dirty: BTreeSet::new(),
            cap_check: BTreeSet::new(),
        }
    }

    /// Applies `event` at time `at` and returns the decisions, in order.
    ///
    /// Time never goes back: an `at` earlier than the latest seen is taken as the
    /// latest seen. Offers pass on for lack of an answer only on [`Event::Tick`]
    /// (schedule one at [`Engine::next_deadline`]). A refused event changes nothing.
    pub fn handle(&mut self, at: Timestamp, event: Event) -> Result<Vec<Decision>, RoutingError> {
        self.validate(&event)?;
        self.now = self.now.max(at);
        self.apply(event);
        self.settle();
        Ok(std::mem::take(&mut self.out))
    }

    /// Puts back a conversation an agent held before a restart, as it was: assigned
    /// to `agent`, with its reply flags, without routing it again. Caps are enforced
    /// as after any event (held conversations are never taken away). Refused, with
    /// nothing changed, for an unknown channel or agent or an id already known.
    pub fn restore_assigned(
        &mut self,
        at: Timestamp,
        conversation: ConversationId,
        channel: ChannelId,
        agent: AgentId,
        answered: bool,
        waiting_for_client: bool,
    ) -> Result<Vec<Decision>, RoutingError> {
        self.chan(channel)?;
        let ix = self.ix(agent)?;
        if self.convs.contains_key(&conversation) {
            return Err(RoutingError::DuplicateConversation(conversation));
        }
        self.now = self.now.max(at);
        let state = ConversationState::Assigned(agent);
        let mut conv = restored(conversation, channel, self.now, state, Vec::new());
        conv.c.answered = answered;
        conv.c.waiting_for_client = waiting_for_client;
        self.convs.insert(conversation, conv);
        self.recount(conversation);
        self.refresh(ix);
        self.settle();
        Ok(std::mem::take(&mut self.out))
    }

    /// Loads a conversation that was offered to `agents` at `offered_at` until
    /// `deadline` when the process stopped (the offer's durable timer): it is
    /// offered to them again, with the same deadline, whether or not they are
    /// online yet, so the offer keeps its time. An agent the engine does not know
    /// is left out; with none left it is routed as a new one. A deadline already
    /// past passes at the next [`Event::Tick`].
    pub fn restore_offered(
        &mut self,
        at: Timestamp,
        conversation: ConversationId,
        channel: ChannelId,
        agents: &[AgentId],
        offered_at: Timestamp,
        deadline: Timestamp,
    ) -> Result<Vec<Decision>, RoutingError> {
        self.chan(channel)?;
        if self.convs.contains_key(&conversation) {
            return Err(RoutingError::DuplicateConversation(conversation));
        }
        let known: Vec<(usize, AgentId)> = agents
            .iter()
            .filter_map(|id| self.agent_ix.get(id).map(|&ix| (ix, *id)))
            .collect();
        if known.is_empty() {
            return self.handle(
                at,
                Event::ConversationCreated {
                    conversation,
                    channel,
                    responsible: None,
                },
            );
        }
        self.now = self.now.max(at);
        let ids: Vec<AgentId> = known.iter().map(|&(_, id)| id).collect();
        let state = ConversationState::Offered {
            agents: ids.clone(),
            at: offered_at,
            deadline,
        };
        self.convs.insert(
            conversation,
            restored(conversation, channel, offered_at, state, ids),
        );
        self.deadlines.insert((deadline, conversation));
        if let Some(chan) = self.channels.get_mut(&channel) {
            chan.offered.insert(conversation);
        }
        for (ix, _) in known {
            self.agents[ix].offers.insert(conversation, offered_at);
            self.refresh(ix);
        }
        self.recount(conversation);
        self.settle();
        Ok(std::mem::take(&mut self.out))
    }

    /// The latest time seen.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The earliest outstanding offer deadline: when the next [`Event::Tick`] is due.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.deadlines.first().map(|(t, _)| *t)
    }

    /// An agent's profile as the engine has it (with `idle_since` kept up to date).
    pub fn agent(&self, id: AgentId) -> Option<&Agent> {
        self.agent_ix.get(&id).map(|&ix| &self.agents[ix].agent)
    }

    /// All agents, by id.
    pub fn agents(&self) -> impl Iterator<Item = &Agent> + '_ {
        self.agent_ix.values().map(|&ix| &self.agents[ix].agent)
    }

    /// An agent's counted load and outstanding offers.
    pub fn load(&self, id: AgentId) -> Option<AgentLoad> {
        self.agent_ix.get(&id).map(|&ix| {
            let s = &self.agents[ix];
            AgentLoad {
                counted: s.load,
                offers: u32::try_from(s.offers.len()).unwrap_or(u32::MAX),
            }
        })
    }

    /// A channel's settings.
    pub fn channel(&self, id: ChannelId) -> Option<&QueueSettings> {
        self.channels.get(&id).map(|c| &c.settings)
    }

    /// All channel ids.
    pub fn channel_ids(&self) -> impl Iterator<Item = ChannelId> + '_ {
        self.channels.keys().copied()
    }

    /// A channel's queue with departments expanded (known agents only).
    pub fn queue(&self, id: ChannelId) -> Option<Vec<AgentId>> {
        self.channels
            .get(&id)
            .map(|c| c.queue.iter().map(|&ix| self.agents[ix].agent.id).collect())
    }

    /// Whether someone could answer the channel's customers now, busy or not: its
    /// bot, or a queue member who passes the presence checks (not dismissed; with
    /// `check_online`, online, not away and at work).
    pub fn staffed(&self, id: ChannelId) -> bool {
        let Some(chan) = self.channels.get(&id) else {
            return false;
        };
        let bot = chan
            .settings
            .bot
            .and_then(|bot| self.agent_ix.get(&bot))
            .is_some_and(|&ix| self.agents[ix].agent.is_bot && !self.agents[ix].agent.dismissed);
        bot || chan.queue.iter().any(|&ix| {
            self.agents[ix]
                .flags_check(chan.settings.check_online)
                .is_ok()
        })
    }

    /// A department's members.
    pub fn department(&self, id: DepartmentId) -> Option<&[AgentId]> {
        self.departments.get(&id).map(Vec::as_slice)
    }

    /// A conversation.
    pub fn conversation(&self, id: ConversationId) -> Option<&Conversation> {
        self.convs.get(&id).map(|c| &c.c)
    }

    /// All conversations, by id.
    pub fn conversations(&self) -> impl Iterator<Item = &Conversation> + '_ {
        self.convs.values().map(|c| &c.c)
    }

    /// A channel's waiting conversations, oldest first.
    pub fn waiting(&self, id: ChannelId) -> impl Iterator<Item = ConversationId> + '_ {
        self.channels
            .get(&id)
            .into_iter()
            .flat_map(|c| c.waiting.iter().map(|(_, id)| *id))
    }

    // ----- validation (before any change) -----

    fn validate(&self, event: &Event) -> Result<(), RoutingError> {
        match event {
            Event::AgentAdded(_) | Event::Tick | Event::DepartmentChanged { .. } => Ok(()),
            Event::ChannelConfigured { .. } => Ok(()),
            Event::AgentUpdated { agent, .. } => self.ix(*agent).map(drop),
            Event::QueueChanged { channel, .. } | Event::AgentLeftQueue { channel, .. } => {
                self.chan(*channel).map(drop)
            }
            Event::AgentJoinedQueue { channel, agent } => {
                self.chan(*channel)?;
                self.ix(*agent).map(drop)
            }
            Event::ConversationCreated {
                conversation,
                channel,
                ..
            } => {
                self.chan(*channel)?;
                if self.convs.contains_key(conversation) {
                    return Err(RoutingError::DuplicateConversation(*conversation));
                }
                Ok(())
            }
            Event::OfferTaken {
                conversation,
                agent,
            }
            | Event::OfferDeclined {
                conversation,
                agent,
            } => {
                let conv = self.conv(*conversation)?;
                self.ix(*agent)?;
                match &conv.state {
                    ConversationState::Offered { agents, .. } if agents.contains(agent) => Ok(()),
                    ConversationState::Assigned(by)
                        if matches!(event, Event::OfferTaken { .. }) =>
                    {
                        Err(RoutingError::AlreadyTaken {
                            conversation: *conversation,
                            by: *by,
                        })
                    }
                    ConversationState::Closed { .. } => Err(RoutingError::Closed(*conversation)),
                    _ => Err(RoutingError::NotOffered {
                        conversation: *conversation,
                        agent: *agent,
                    }),
                }
            }
            Event::AgentReplied { conversation }
            | Event::ClientReplied { conversation }
            | Event::CustomerRecognised { conversation, .. }
            | Event::ConversationClosed { conversation, .. } => {
                let conv = self.conv(*conversation)?;
                if matches!(conv.state, ConversationState::Closed { .. }) {
                    return Err(RoutingError::Closed(*conversation));
                }
                Ok(())
            }
            Event::RatingReceived { conversation } => {
                let conv = self.conv(*conversation)?;
                match conv.state {
                    ConversationState::Closed {
                        awaiting_rating: true,
                        ..
                    } => Ok(()),
                    _ => Err(RoutingError::NotAwaitingRating(*conversation)),
                }
            }
            Event::Reopened { conversation } => {
                let conv = self.conv(*conversation)?;
                match conv.state {
                    ConversationState::Closed { .. } => Ok(()),
                    _ => Err(RoutingError::NotClosed(*conversation)),
                }
            }
            Event::BotHandover { conversation } => {
                let conv = self.conv(*conversation)?;
                match conv.state {
                    ConversationState::Assigned(a)
                        if self.agent(a).is_some_and(|agent| agent.is_bot) =>
                    {
                        Ok(())
                    }
                    _ => Err(RoutingError::NotWithBot(*conversation)),
                }
            }
            Event::Transfer {
                conversation, to, ..
            } => {
                let conv = self.conv(*conversation)?;
                if matches!(conv.state, ConversationState::Closed { .. }) {
                    return Err(RoutingError::Closed(*conversation));
                }
                let TransferTarget::Agent(target) = *to else {
                    return Ok(());
                };
                let ix = self.ix(target)?;
                if conv.state == ConversationState::Assigned(target) {
                    return Err(RoutingError::AlreadyWith {
                        conversation: *conversation,
                        agent: target,
                    });
                }
                let slot = &self.agents[ix];
                let check_online = self.chan(conv.channel)?.settings.check_online;
                let not_eligible = |reason| RoutingError::TargetNotEligible {
                    conversation: *conversation,
                    agent: target,
                    reason,
                };
                slot.flags_check(check_online).map_err(not_eligible)?;
                // An offer of this very conversation turns into the assignment.
                let own_offer = u32::from(slot.offers.contains_key(conversation));
                if let Some(cap) = slot.agent.cap {
                    let busy = slot.busy() - own_offer;
                    if busy >= cap {
                        return Err(not_eligible(SkipReason::AtCap { load: busy, cap }));
                    }
                }
                Ok(())
            }
        }
    }

    fn ix(&self, id: AgentId) -> Result<usize, RoutingError> {
        self.agent_ix
            .get(&id)
            .copied()
            .ok_or(RoutingError::UnknownAgent(id))
    }

    fn chan(&self, id: ChannelId) -> Result<&Chan, RoutingError> {
        self.channels
            .get(&id)
            .ok_or(RoutingError::UnknownChannel(id))
    }

    fn conv(&self, id: ConversationId) -> Result<&Conversation, RoutingError> {
        self.convs
            .get(&id)
            .map(|c| &c.c)
            .ok_or(RoutingError::UnknownConversation(id))
    }

    // ----- applying events (validated) -----

    fn apply(&mut self, event: Event) {
        match event {
            Event::AgentAdded(agent) => self.add_agent(agent),
            Event::AgentUpdated { agent, change } => {
                let Some(&ix) = self.agent_ix.get(&agent) else {
                    return;
                };
                let a = &mut self.agents[ix].agent;
                match change {
                    AgentChange::Online(v) => a.online = v,
                    AgentChange::Absent(v) => a.absent = v,
                    AgentChange::AtWork(v) => a.at_work = v,
                    AgentChange::Dismissed(v) => a.dismissed = v,
                    AgentChange::Cap(v) => a.cap = v,
                }
                self.agent_changed(ix);
            }
            Event::ChannelConfigured { channel, settings } => {
                self.configure_channel(channel, settings)
            }
            Event::QueueChanged { channel, entries } => {
                self.edit_queue(channel, |e| *e = entries);
            }
            Event::AgentJoinedQueue { channel, agent } => {
                self.edit_queue(channel, |e| {
                    if !e.contains(&QueueEntry::Agent(agent)) {
                        e.push(QueueEntry::Agent(agent));
                    }
                });
            }
            Event::AgentLeftQueue { channel, agent } => {
                self.edit_queue(channel, |e| e.retain(|x| *x != QueueEntry::Agent(agent)));
            }
            Event::DepartmentChanged {
                department,
                members,
            } => {
                self.departments.insert(department, members);
                let using: Vec<ChannelId> = self
                    .channels
                    .iter()
                    .filter(|(_, c)| {
                        c.settings
                            .entries
                            .contains(&QueueEntry::Department(department))
                    })
                    .map(|(id, _)| *id)
                    .collect();
                for ch in using {
                    self.queue_changed(ch);
                }
            }
            Event::ConversationCreated {
                conversation,
                channel,
                responsible,
            } => self.create(conversation, channel, responsible),
            Event::CustomerRecognised {
                conversation,
                responsible,
            } => self.recognised(conversation, responsible),
            Event::OfferTaken {
                conversation,
                agent,
            } => self.take(conversation, agent),
            Event::OfferDeclined {
                conversation,
                agent,
            } => {
                if let Some(&ix) = self.agent_ix.get(&agent) {
                    self.pass(conversation, &[ix], PassReason::Declined);
                }
            }
            Event::Tick => self.expire(),
            Event::AgentReplied { conversation } => {
                if let Some(conv) = self.convs.get_mut(&conversation) {
                    conv.c.answered = true;
                    conv.c.waiting_for_client = true;
                }
                self.recount(conversation);
            }
            Event::ClientReplied { conversation } => {
                if let Some(conv) = self.convs.get_mut(&conversation) {
                    conv.c.waiting_for_client = false;
                }
                self.recount(conversation);
            }
            Event::ConversationClosed {
                conversation,
                awaiting_rating,
            } => self.close(conversation, awaiting_rating),
            Event::RatingReceived { conversation } => {
                if let Some(conv) = self.convs.get_mut(&conversation) {
                    if let ConversationState::Closed { agent, .. } = conv.c.state {
                        conv.c.state = ConversationState::Closed {
                            awaiting_rating: false,
                            agent,
                        };
                    }
                }
                self.recount(conversation);
            }
            Event::Transfer {
                conversation,
                to,
                make_responsible,
            } => self.transfer(conversation, to, make_responsible),
            Event::BotHandover { conversation } => {
                let Some(conv) = self.convs.get_mut(&conversation) else {
                    return;
                };
                let ConversationState::Assigned(bot) = conv.c.state else {
                    return;
                };
                conv.c.state = ConversationState::Waiting;
                self.recount(conversation);
                self.route(
                    conversation,
                    Trigger::BotHandover { bot },
                    false,
                    Vec::new(),
                );
            }
            Event::Reopened { conversation } => self.reopen(conversation),
        }
    }

    /// A closed conversation starts over: waiting from now, nobody tried, nothing
    /// answered, and routed (to the queue; a bot does not take it again).
    fn reopen(&mut self, cid: ConversationId) {
        let now = self.now;
        let Some(conv) = self.convs.get_mut(&cid) else {
            return;
        };
        if !matches!(conv.c.state, ConversationState::Closed { .. }) {
            return;
        }
        let c = &mut conv.c;
        c.state = ConversationState::Waiting;
        c.created_at = now;
        c.answered = false;
        c.waiting_for_client = false;
        c.responsible_offered = false;
        c.tried.clear();
        c.last_offer.clear();
        c.no_agent_reply_sent = false;
        self.recount(cid);
        self.route(cid, Trigger::Reopened, false, Vec::new());
    }

    fn add_agent(&mut self, mut agent: Agent) {
        if let Some(&ix) = self.agent_ix.get(&agent.id) {
            agent.idle_since = self.agents[ix].agent.idle_since;
            self.agents[ix].agent = agent;
            self.agent_changed(ix);
            return;
        }
        let id = agent.id;
        let ix = self.agents.len();
        self.agents.push(Slot {
            agent,
            load: 0,
            offers: BTreeMap::new(),
            queues: Vec::new(),
            status: 0,
            responsible_waiting: BTreeSet::new(),
        });
        self.agent_ix.insert(id, ix);
        self.refresh(ix);
        // Conversations waiting for this (so far unknown) responsible agent.
        let waiting: Vec<(Timestamp, ConversationId)> = self
            .convs
            .values()
            .filter(|c| c.c.state == ConversationState::Waiting && c.c.responsible == Some(id))
            .map(|c| (c.c.created_at, c.c.id))
            .collect();
        self.agents[ix].responsible_waiting.extend(waiting);
        self.dirty_agents.insert(ix);
        let using: Vec<ChannelId> = self
            .channels
            .iter()
            .filter(|(_, c)| {
                c.settings.entries.iter().any(|e| match e {
                    QueueEntry::Agent(a) => *a == id,
                    QueueEntry::Department(d) => {
                        self.departments.get(d).is_some_and(|m| m.contains(&id))
                    }
                })
            })
            .map(|(ch, _)| *ch)
            .collect();
        for ch in using {
            self.queue_changed(ch);
        }
    }

    /// After any change to an agent's profile: recount, drop offers they can no
    /// longer hold, and check the cap.
    fn agent_changed(&mut self, ix: usize) {
        self.refresh(ix);
        let offers: Vec<ConversationId> = self.agents[ix].offers.keys().copied().collect();
        for cid in offers {
            if let Some(reason) = self.offer_invalid(ix, cid) {
                self.pass(cid, &[ix], PassReason::NoLongerEligible(reason));
            }
        }
        self.cap_check.insert(ix);
    }

    fn configure_channel(&mut self, ch: ChannelId, settings: QueueSettings) {
        match self.channels.get_mut(&ch) {
            Some(chan) => chan.settings = settings,
            None => {
                self.channels.insert(
                    ch,
                    Chan {
                        settings,
                        queue: Vec::new(),
                        position: HashMap::new(),
                        n_ok: 0,
                        n_ok_online: 0,
                        waiting: BTreeSet::new(),
                        offered: BTreeSet::new(),
                        held: BTreeSet::new(),
                    },
                );
            }
        }
        // Exclusions may have changed.
        let held: Vec<ConversationId> = self
            .channels
            .get(&ch)
            .map(|c| c.held.iter().copied().collect())
            .unwrap_or_default();
        for cid in held {
            self.recount(cid);
        }
        self.queue_changed(ch);
    }

    fn edit_queue(&mut self, ch: ChannelId, edit: impl FnOnce(&mut Vec<QueueEntry>)) {
        if let Some(chan) = self.channels.get_mut(&ch) {
            edit(&mut chan.settings.entries);
            self.queue_changed(ch);
        }
    }

    /// Re-expands a channel's queue, recounts its eligible members and drops offers
    /// its members can no longer hold.
    fn queue_changed(&mut self, ch: ChannelId) {
        let Some(chan) = self.channels.get(&ch) else {
            return;
        };
        let mut seen = BTreeSet::new();
        let mut queue = Vec::new();
        for entry in &chan.settings.entries {
            let members: &[AgentId] = match entry {
                QueueEntry::Agent(a) => std::slice::from_ref(a),
                QueueEntry::Department(d) => self.departments.get(d).map_or(&[], Vec::as_slice),
            };
            for id in members {
                if let Some(&ix) = self.agent_ix.get(id) {
                    if seen.insert(ix) {
                        queue.push(ix);
                    }
                }
            }
        }
        let Some(chan) = self.channels.get_mut(&ch) else {
            return;
        };
        let old = std::mem::take(&mut chan.queue);
        for ix in old {
            self.agents[ix].queues.retain(|c| *c != ch);
        }
        chan.position.clear();
        chan.n_ok = 0;
        chan.n_ok_online = 0;
        for (p, &ix) in queue.iter().enumerate() {
            let slot = &mut self.agents[ix];
            slot.queues.push(ch);
            chan.position.insert(slot.agent.id, p);
            chan.adjust(0, slot.status);
        }
        chan.queue = queue;
        self.full_dirty.insert(ch);
        let offered: Vec<ConversationId> = chan.offered.iter().copied().collect();
        for cid in offered {
            let offerees: Vec<usize> = self.offeree_slots(cid);
            for ix in offerees {
                if let Some(reason) = self.offer_invalid(ix, cid) {
                    self.pass(cid, &[ix], PassReason::NoLongerEligible(reason));
                }
            }
        }
    }

    fn offeree_slots(&self, cid: ConversationId) -> Vec<usize> {
        self.convs.get(&cid).map_or_else(Vec::new, |c| {
            c.c.offered_to()
                .iter()
                .filter_map(|a| self.agent_ix.get(a).copied())
                .collect()
        })
    }

    /// Why agent `ix` may no longer hold its offer of `cid` (cap aside).
    fn offer_invalid(&self, ix: usize, cid: ConversationId) -> Option<SkipReason> {
        let conv = self.convs.get(&cid)?;
        if !conv.c.offered_to().contains(&self.agents[ix].agent.id) {
            return None;
        }
        let chan = self.channels.get(&conv.c.channel)?;
        let slot = &self.agents[ix];
        if let Err(reason) = slot.flags_check(chan.settings.check_online) {
            return Some(reason);
        }
        let id = slot.agent.id;
        let as_responsible = chan.settings.route_to_responsible && conv.c.responsible == Some(id);
        if !chan.position.contains_key(&id) && !as_responsible {
            return Some(SkipReason::NotInQueue);
        }
        None
    }

    fn recognised(&mut self, cid: ConversationId, responsible: AgentId) {
        let Some(conv) = self.convs.get_mut(&cid) else {
            return;
        };
        if conv.c.responsible.is_some() {
            return;
        }
        conv.c.responsible = Some(responsible);
        conv.c.responsible_offered = false;
        if conv.c.state == ConversationState::Waiting {
            self.route(cid, Trigger::Recognised { responsible }, false, Vec::new());
        }
    }

    fn create(&mut self, cid: ConversationId, ch: ChannelId, responsible: Option<AgentId>) {
        self.convs.insert(
            cid,
            Conv {
                c: Conversation {
                    id: cid,
                    channel: ch,
                    created_at: self.now,
                    state: ConversationState::Waiting,
                    answered: false,
                    waiting_for_client: false,
                    responsible,
                    responsible_offered: false,
                    tried: BTreeSet::new(),
                    last_offer: Vec::new(),
                    no_agent_reply_sent: false,
                },
                counted_for: None,
            },
        );
        let mut candidates = Vec::new();
        let bot = self.channels.get(&ch).and_then(|c| c.settings.bot);
        if let Some(bot) = bot {
            let verdict = match self.agent_ix.get(&bot) {
                None => Err(SkipReason::Unknown),
                Some(&ix) => {
                    let slot = &self.agents[ix];
                    if !slot.agent.is_bot {
                        Err(SkipReason::NotABot)
                    } else if slot.agent.dismissed {
                        Err(SkipReason::Dismissed)
                    } else {
                        slot.cap_check().map(|()| ix)
                    }
                }
            };
            match verdict {
                Ok(ix) => {
                    let candidate = Candidate {
                        agent: bot,
                        role: Role::Bot,
                        verdict: Verdict::Chosen,
                    };
                    self.assign(cid, ix);
                    self.emit(
                        cid,
                        Trigger::Created,
                        vec![candidate],
                        Action::Assigned {
                            conversation: cid,
                            agent: bot,
                        },
                    );
                    return;
                }
                Err(reason) => candidates.push(Candidate {
                    agent: bot,
                    role: Role::Bot,
                    verdict: Verdict::Skipped(reason),
                }),
            }
        }
        self.route(cid, Trigger::Created, false, candidates);
    }

    /// Makes `ix` the holder of `cid` (from any open state but offered).
    fn assign(&mut self, cid: ConversationId, ix: usize) {
        self.leave_waiting(cid);
        let id = self.agents[ix].agent.id;
        if let Some(conv) = self.convs.get_mut(&cid) {
            conv.c.state = ConversationState::Assigned(id);
        }
        self.agents[ix].agent.idle_since = self.now;
        self.recount(cid);
        self.refresh(ix);
    }

    fn take(&mut self, cid: ConversationId, agent: AgentId) {
        let Some(&ix) = self.agent_ix.get(&agent) else {
            return;
        };
        let offerees = self.clear_offers(cid);
        let others: Vec<AgentId> = offerees.into_iter().filter(|a| *a != agent).collect();
        self.assign(cid, ix);
        let taker = Candidate {
            agent,
            role: Role::Offeree,
            verdict: Verdict::Chosen,
        };
        self.emit(
            cid,
            Trigger::Taken { by: agent },
            vec![taker],
            Action::Assigned {
                conversation: cid,
                agent,
            },
        );
        if !others.is_empty() {
            self.emit(
                cid,
                Trigger::Taken { by: agent },
                Vec::new(),
                Action::WithdrawOffers {
                    conversation: cid,
                    agents: others,
                },
            );
        }
    }

    fn close(&mut self, cid: ConversationId, awaiting_rating: bool) {
        let Some(conv) = self.convs.get(&cid) else {
            return;
        };
        let holder = match conv.c.state {
            ConversationState::Assigned(a) => Some(a),
            _ => None,
        };
        let offerees = self.clear_offers(cid);
        if !offerees.is_empty() {
            self.emit(
                cid,
                Trigger::Closed,
                Vec::new(),
                Action::WithdrawOffers {
                    conversation: cid,
                    agents: offerees,
                },
            );
        }
        self.leave_waiting(cid);
        if let Some(conv) = self.convs.get_mut(&cid) {
            conv.c.state = ConversationState::Closed {
                awaiting_rating,
                agent: holder,
            };
        }
        self.recount(cid);
    }

    fn transfer(&mut self, cid: ConversationId, to: TransferTarget, make_responsible: bool) {
        let Some(conv) = self.convs.get(&cid) else {
            return;
        };
        let from = match conv.c.state {
            ConversationState::Assigned(a) => Some(a),
            _ => None,
        };
        let was_waiting = conv.c.state == ConversationState::Waiting;
        let trigger = Trigger::Transferred { from, to };
        let offerees = self.clear_offers(cid);
        match to {
            TransferTarget::Agent(target) => {
                let Some(&ix) = self.agent_ix.get(&target) else {
                    return;
                };
                let withdrawn: Vec<AgentId> =
                    offerees.iter().copied().filter(|a| *a != target).collect();
                if !withdrawn.is_empty() {
                    self.emit(
                        cid,
                        trigger.clone(),
                        Vec::new(),
                        Action::WithdrawOffers {
                            conversation: cid,
                            agents: withdrawn,
                        },
                    );
                }
                self.leave_waiting(cid);
                if make_responsible {
                    if let Some(conv) = self.convs.get_mut(&cid) {
                        conv.c.responsible = Some(target);
                    }
                }
                self.assign(cid, ix);
                let candidate = Candidate {
                    agent: target,
                    role: Role::Target,
                    verdict: Verdict::Chosen,
                };
                self.emit(
                    cid,
                    trigger,
                    vec![candidate],
                    Action::Assigned {
                        conversation: cid,
                        agent: target,
                    },
                );
            }
            TransferTarget::Queue => {
                if was_waiting {
                    return; // already in the queue
                }
                if !offerees.is_empty() {
                    self.emit(
                        cid,
                        trigger.clone(),
                        Vec::new(),
                        Action::WithdrawOffers {
                            conversation: cid,
                            agents: offerees.clone(),
                        },
                    );
                }
                let Some(conv) = self.convs.get_mut(&cid) else {
                    return;
                };
                // The agent(s) who had it are tried last.
                let last: Vec<AgentId> = match from {
                    Some(a) => vec![a],
                    None => offerees,
                };
                if conv.c.responsible.is_some_and(|r| last.contains(&r)) {
                    conv.c.responsible_offered = true;
                }
                conv.c.tried = last.iter().copied().collect();
                conv.c.last_offer = last;
                conv.c.state = ConversationState::Waiting;
                self.recount(cid);
                self.route(cid, trigger, true, Vec::new());
            }
        }
    }

    fn expire(&mut self) {
        let due: Vec<(Timestamp, ConversationId)> = self
            .deadlines
            .range(..=(self.now, ConversationId(u64::MAX)))
            .copied()
            .collect();
        for (deadline, cid) in due {
            if !self.deadlines.contains(&(deadline, cid)) {
                continue;
            }
            let Some(conv) = self.convs.get(&cid) else {
                continue;
            };
            let ConversationState::Offered { at, deadline, .. } = conv.c.state else {
                continue;
            };
            let offerees = self.offeree_slots(cid);
            let reason = PassReason::Timeout {
                offered_at: at,
                pass_after_ms: deadline.millis().saturating_sub(at.millis()),
            };
            self.pass(cid, &offerees, reason);
        }
    }

    // ----- the core moves -----

    /// Withdraws the offers of `ixs` and, if nobody is left with one, routes the
    /// conversation again leaving them out.
    fn pass(&mut self, cid: ConversationId, ixs: &[usize], reason: PassReason) {
        let from: Vec<AgentId> = ixs.iter().map(|&ix| self.agents[ix].agent.id).collect();
        let trigger = Trigger::Passed { from, reason };
        if self.withdraw(cid, ixs, trigger.clone()) == Some(0) {
            self.route(cid, trigger, true, Vec::new());
        }
    }

    /// Withdraws some offers; returns how many offerees remain (`None` if it was not
    /// offered). With none left the conversation is `Waiting` but not yet queued.
    fn withdraw(&mut self, cid: ConversationId, ixs: &[usize], trigger: Trigger) -> Option<usize> {
        let conv = self.convs.get_mut(&cid)?;
        let ch = conv.c.channel;
        let ConversationState::Offered {
            agents, deadline, ..
        } = &mut conv.c.state
        else {
            return None;
        };
        let mut withdrawn = Vec::new();
        for &ix in ixs {
            let id = self.agents[ix].agent.id;
            if let Some(p) = agents.iter().position(|a| *a == id) {
                agents.remove(p);
                withdrawn.push((ix, id));
            }
        }
        let remaining = agents.len();
        if remaining == 0 {
            self.deadlines.remove(&(*deadline, cid));
            conv.c.state = ConversationState::Waiting;
            if let Some(chan) = self.channels.get_mut(&ch) {
                chan.offered.remove(&cid);
            }
        }
        for &(ix, _) in &withdrawn {
            self.agents[ix].offers.remove(&cid);
            self.refresh(ix);
        }
        if !withdrawn.is_empty() {
            let agents = withdrawn.into_iter().map(|(_, id)| id).collect();
            self.emit(
                cid,
                trigger,
                Vec::new(),
                Action::WithdrawOffers {
                    conversation: cid,
                    agents,
                },
            );
        }
        Some(remaining)
    }

    /// Drops every offer of `cid` silently (the caller logs); returns the offerees.
    fn clear_offers(&mut self, cid: ConversationId) -> Vec<AgentId> {
        let Some(conv) = self.convs.get_mut(&cid) else {
            return Vec::new();
        };
        let ConversationState::Offered {
            agents, deadline, ..
        } = &mut conv.c.state
        else {
            return Vec::new();
        };
        let agents = std::mem::take(agents);
        self.deadlines.remove(&(*deadline, cid));
        conv.c.state = ConversationState::Waiting;
        if let Some(chan) = self.channels.get_mut(&conv.c.channel) {
            chan.offered.remove(&cid);
        }
        for id in &agents {
            if let Some(&ix) = self.agent_ix.get(id) {
                self.agents[ix].offers.remove(&cid);
                self.refresh(ix);
            }
        }
        agents
    }

    fn leave_waiting(&mut self, cid: ConversationId) {
        let Some(conv) = self.convs.get(&cid) else {
            return;
        };
        let key = (conv.c.created_at, cid);
        if let Some(chan) = self.channels.get_mut(&conv.c.channel) {
            chan.waiting.remove(&key);
        }
        if let Some(&ix) = conv.c.responsible.and_then(|r| self.agent_ix.get(&r)) {
            self.agents[ix].responsible_waiting.remove(&key);
        }
    }

    /// Routes an open, unoffered conversation: offers it, or queues it as waiting.
    /// With `pass`, the agents of its last offer are left out this time.
    fn route(
        &mut self,
        cid: ConversationId,
        trigger: Trigger,
        pass: bool,
        mut candidates: Vec<Candidate>,
    ) {
        self.leave_waiting(cid);
        let Some(conv) = self.convs.get_mut(&cid) else {
            return;
        };
        let ch = conv.c.channel;
        let created_at = conv.c.created_at;
        let responsible = conv.c.responsible;
        let responsible_offered = conv.c.responsible_offered;
        let mut tried = std::mem::take(&mut conv.c.tried);
        let last_offer = std::mem::take(&mut conv.c.last_offer);
        let Some(chan) = self.channels.get(&ch) else {
            return;
        };
        let settings = &chan.settings;
        let check_online = settings.check_online;
        let excluded = Excluded::new(if pass { &last_offer } else { &[] });

        // The responsible agent: first offer, or the fallback when the queue has
        // nobody.
        let r = if settings.route_to_responsible {
            responsible
        } else {
            None
        };
        let r_ix = r.and_then(|id| self.agent_ix.get(&id).copied());
        let r_check = match r_ix {
            Some(ix) => self.agents[ix].check(check_online),
            None => Err(SkipReason::Unknown),
        };
        let r_verdict = |excluded: &Excluded| match (r, r_check) {
            (Some(id), Ok(())) if excluded.contains(id) => Err(SkipReason::JustPassed),
            (_, check) => check,
        };
        let mut chosen: Vec<usize> = Vec::new();
        let mut level = Level::Untried;
        if let (Some(id), false) = (r, responsible_offered) {
            let verdict = r_verdict(&excluded);
            candidates.push(Candidate {
                agent: id,
                role: Role::Responsible,
                verdict: verdict.map_or_else(Verdict::Skipped, |()| Verdict::Chosen),
            });
            if let (Ok(()), Some(ix)) = (verdict, r_ix) {
                chosen.push(ix);
            }
        }
        if chosen.is_empty() {
            level = pick_from_queue(
                &self.agents,
                chan,
                &tried,
                &excluded,
                &last_offer,
                pass,
                &mut candidates,
                &mut chosen,
            );
        }
        if chosen.is_empty() && responsible_offered {
            if let Some(id) = r.filter(|id| !chan.position.contains_key(id)) {
                let verdict = r_verdict(&excluded);
                candidates.push(Candidate {
                    agent: id,
                    role: Role::Responsible,
                    verdict: verdict.map_or_else(Verdict::Skipped, |()| Verdict::Chosen),
                });
                if let (Ok(()), Some(ix)) = (verdict, r_ix) {
                    chosen.push(ix);
                }
            }
        }
        let anyone_eligible = chan.eligible_count() > 0 || r_check.is_ok();
        let no_agent_reply = settings.no_agent_reply;
        let deadline = self.now.plus_millis(settings.pass_after.millis());

        let Some(conv) = self.convs.get_mut(&cid) else {
            return;
        };
        if chosen.is_empty() {
            conv.c.tried = tried;
            conv.c.last_offer = last_offer;
            conv.c.state = ConversationState::Waiting;
            let send = no_agent_reply && !anyone_eligible && !conv.c.no_agent_reply_sent;
            conv.c.no_agent_reply_sent |= send;
            if let Some(chan) = self.channels.get_mut(&ch) {
                chan.waiting.insert((created_at, cid));
            }
            if let Some(&ix) = responsible.and_then(|id| self.agent_ix.get(&id)) {
                self.agents[ix]
                    .responsible_waiting
                    .insert((created_at, cid));
                self.dirty_agents.insert(ix);
            }
            self.drain_channels.insert(ch);
            self.emit(
                cid,
                trigger,
                candidates,
                Action::Waiting {
                    conversation: cid,
                    send_no_agent_reply: send,
                },
            );
            return;
        }

        let agents: Vec<AgentId> = chosen.iter().map(|&ix| self.agents[ix].agent.id).collect();
        if matches!(level, Level::Fresh | Level::Any) {
            tried.clear();
        }
        tried.extend(agents.iter().copied());
        conv.c.tried = tried;
        if r.is_some_and(|r| agents.contains(&r)) {
            conv.c.responsible_offered = true;
        }
        conv.c.last_offer = agents.clone();
        conv.c.state = ConversationState::Offered {
            agents: agents.clone(),
            at: self.now,
            deadline,
        };
        self.deadlines.insert((deadline, cid));
        if let Some(chan) = self.channels.get_mut(&ch) {
            chan.offered.insert(cid);
        }
        for &ix in &chosen {
            let slot = &mut self.agents[ix];
            slot.offers.insert(cid, self.now);
            slot.agent.idle_since = self.now;
            self.refresh(ix);
        }
        self.emit(
            cid,
            trigger,
            candidates,
            Action::Offer {
                conversation: cid,
                agents,
                deadline,
            },
        );
    }

    /// Keeps `counted_for`, the holder's load and the channel's `held` set in line
    /// with the conversation's state, flags and channel exclusions.
    fn recount(&mut self, cid: ConversationId) {
        let Some(conv) = self.convs.get(&cid) else {
            return;
        };
        let Some(chan) = self.channels.get_mut(&conv.c.channel) else {
            return;
        };
        let holder = conv.c.holder().and_then(|a| self.agent_ix.get(&a).copied());
        if holder.is_some() {
            chan.held.insert(cid);
        } else {
            chan.held.remove(&cid);
        }
        let counted = holder.filter(|_| conv.c.counts_against_cap(chan.settings.exclusions));
        let before = conv.counted_for;
        if counted == before {
            return;
        }
        if let Some(conv) = self.convs.get_mut(&cid) {
            conv.counted_for = counted;
        }
        if let Some(ix) = before {
            self.agents[ix].load = self.agents[ix].load.saturating_sub(1);
            self.refresh(ix);
        }
        if let Some(ix) = counted {
            self.agents[ix].load += 1;
            self.refresh(ix);
            self.cap_check.insert(ix);
        }
    }

    /// Re-derives an agent's status bits and updates the counters of its channels.
    fn refresh(&mut self, ix: usize) {
        let slot = &mut self.agents[ix];
        let new = slot.status();
        let old = slot.status;
        if new == old {
            return;
        }
        slot.status = new;
        for ch in &slot.queues {
            if let Some(chan) = self.channels.get_mut(ch) {
                chan.adjust(old, new);
            }
        }
        if new & !old != 0 {
            self.dirty_agents.insert(ix);
        }
    }

    fn emit(
        &mut self,
        cid: ConversationId,
        trigger: Trigger,
        candidates: Vec<Candidate>,
        action: Action,
    ) {
        let Some(conv) = self.convs.get(&cid) else {
            return;
        };
        let channel = conv.c.channel;
        let mode = self
            .channels
            .get(&channel)
            .map_or(Mode::Evenly, |c| c.settings.mode);
        let log = RoutingLog {
            at: self.now,
            conversation: cid,
            channel,
            mode,
            trigger,
            candidates,
            action: action.clone(),
        };
        self.out.push(Decision { action, log });
    }

    // ----- after each event -----

    /// Withdraws offers beyond caps, then serves waiting conversations wherever
    /// someone became eligible.
    fn settle(&mut self) {
        loop {
            while let Some(ix) = self.cap_check.pop_first() {
                self.enforce_cap(ix);
            }
            let agents = std::mem::take(&mut self.dirty_agents);
            let full = std::mem::take(&mut self.full_dirty);
            let mut chans = std::mem::take(&mut self.drain_channels);
            if agents.is_empty() && full.is_empty() && chans.is_empty() {
                break;
            }
            chans.extend(full.iter().copied());
            for &ix in &agents {
                chans.extend(self.agents[ix].queues.iter().copied());
            }
            for ch in chans {
                self.drain_channel(ch, full.contains(&ch));
            }
            for ix in agents {
                self.drain_responsible(ix);
            }
        }
    }

    fn enforce_cap(&mut self, ix: usize) {
        loop {
            let slot = &self.agents[ix];
            let Some(cap) = slot.agent.cap else {
                return;
            };
            let busy = slot.busy();
            if busy <= cap {
                return;
            }
            // The newest offer goes first.
            let Some((&cid, _)) = slot.offers.iter().max_by_key(|(c, t)| (**t, **c)) else {
                return;
            };
            let reason = SkipReason::AtCap { load: busy, cap };
            self.pass(cid, &[ix], PassReason::NoLongerEligible(reason));
        }
    }

    /// Serves the channel's waiting conversations, oldest first, while a queue member
    /// is eligible; with `full`, also those whose responsible agent is eligible.
    fn drain_channel(&mut self, ch: ChannelId, full: bool) {
        loop {
            let Some(chan) = self.channels.get(&ch) else {
                return;
            };
            if chan.eligible_count() == 0 {
                break;
            }
            let Some(&(_, cid)) = chan.waiting.first() else {
                return;
            };
            self.route(cid, Trigger::AgentAvailable, false, Vec::new());
            if self.is_waiting(cid) {
                // Cannot happen while the counters are right; never loop on it.
                debug_assert!(false, "an eligible member did not get {cid}");
                self.drain_channels.remove(&ch);
                break;
            }
        }
        if !full {
            return;
        }
        self.serve_responsible(WaitingSet::Channel(ch));
    }

    /// Serves waiting conversations of the agent's customers while the agent has
    /// room.
    fn drain_responsible(&mut self, ix: usize) {
        self.serve_responsible(WaitingSet::Agent(ix));
    }

    /// The waiting set to walk, or `None` when the walk should stop: the channel is
    /// gone or does not route to responsible agents, or the agent has no room.
    fn waiting_set(&self, set: WaitingSet) -> Option<&BTreeSet<(Timestamp, ConversationId)>> {
        match set {
            WaitingSet::Channel(ch) => self
                .channels
                .get(&ch)
                .filter(|chan| chan.settings.route_to_responsible)
                .map(|chan| &chan.waiting),
            WaitingSet::Agent(ix) => {
                let slot = &self.agents[ix];
                slot.check(false)
                    .is_ok()
                    .then_some(&slot.responsible_waiting)
            }
        }
    }

    /// Walks a waiting set oldest first, reading it afresh after each step (routing
    /// changes it), and routes each conversation whose responsible agent is eligible.
    fn serve_responsible(&mut self, set: WaitingSet) {
        let mut cursor = None;
        loop {
            let Some(waiting) = self.waiting_set(set) else {
                return;
            };
            let next = match cursor {
                None => waiting.first(),
                Some(key) => waiting
                    .range((Bound::Excluded(key), Bound::Unbounded))
                    .next(),
            };
            let Some(&key) = next else {
                return;
            };
            cursor = Some(key);
            if self.responsible_eligible(key.1) {
                self.route(key.1, Trigger::AgentAvailable, false, Vec::new());
            }
        }
    }

    fn is_waiting(&self, cid: ConversationId) -> bool {
        self.convs
            .get(&cid)
            .is_some_and(|c| c.c.state == ConversationState::Waiting)
    }

    /// The conversation's channel routes to responsible agents and its responsible
    /// agent is eligible (queue membership aside).
    fn responsible_eligible(&self, cid: ConversationId) -> bool {
        let Some(conv) = self.convs.get(&cid) else {
            return false;
        };
        let Some(chan) = self.channels.get(&conv.c.channel) else {
            return false;
        };
        chan.settings.route_to_responsible
            && conv
                .c
                .responsible
                .and_then(|r| self.agent_ix.get(&r))
                .is_some_and(|&ix| self.agents[ix].check(chan.settings.check_online).is_ok())
    }

    /// Recomputes the incremental bookkeeping from scratch and panics on any
    /// difference (tests only).
    #[cfg(test)]
    pub(crate) fn assert_consistent(&self) {
        for (ix, slot) in self.agents.iter().enumerate() {
            let load = self
                .convs
                .values()
                .filter(|c| c.counted_for == Some(ix))
                .count();
            assert_eq!(slot.load as usize, load, "load of {}", slot.agent.id);
            assert_eq!(slot.status, slot.status(), "status of {}", slot.agent.id);
        }
        for (ch, chan) in &self.channels {
            let ok = chan
                .queue
                .iter()
                .filter(|&&ix| self.agents[ix].status & OK != 0)
                .count();
            let online = chan
                .queue
                .iter()
                .filter(|&&ix| self.agents[ix].status & OK_ONLINE != 0)
                .count();
            assert_eq!(chan.n_ok as usize, ok, "n_ok of {ch}");
            assert_eq!(chan.n_ok_online as usize, online, "n_ok_online of {ch}");
            for &(_, cid) in &chan.waiting {
                assert!(self.is_waiting(cid), "{cid} queued but not waiting");
            }
        }
        for conv in self.convs.values() {
            let c = &conv.c;
            if c.state == ConversationState::Waiting {
                let chan = &self.channels[&c.channel];
                assert!(
                    chan.waiting.contains(&(c.created_at, c.id)),
                    "{} waiting but not queued",
                    c.id
                );
            }
            if let ConversationState::Offered {
                agents, deadline, ..
            } = &c.state
            {
                assert!(self.deadlines.contains(&(*deadline, c.id)));
                for a in agents {
                    let slot = &self.agents[self.agent_ix[a]];
                    assert!(slot.offers.contains_key(&c.id), "{a} lacks offer {}", c.id);
                }
            }
        }
    }
}

/// A conversation loaded back from the store in `state`, having been offered to
/// `offered` last: not answered, nothing pending to send.
fn restored(
    id: ConversationId,
    channel: ChannelId,
    created_at: Timestamp,
    state: ConversationState,
    offered: Vec<AgentId>,
) -> Conv {
    Conv {
        c: Conversation {
            id,
            channel,
            created_at,
            state,
            answered: false,
            waiting_for_client: false,
            responsible: None,
            responsible_offered: true,
            tried: offered.iter().copied().collect(),
            last_offer: offered,
            no_agent_reply_sent: true,
        },
        counted_for: None,
    }
}

/// Picks among the channel's queue members by its mode, logging every member
/// considered (the candidate at `base + p` is queue member `p` in `evenly` and
/// `all`). Returns how the pick went.
#[allow(clippy::too_many_arguments)]
fn pick_from_queue(
    agents: &[Slot],
    chan: &Chan,
    tried: &BTreeSet<AgentId>,
    excluded: &Excluded,
    last_offer: &[AgentId],
    pass: bool,
    candidates: &mut Vec<Candidate>,
    chosen: &mut Vec<usize>,
) -> Level {
    let check_online = chan.settings.check_online;
    let skipped = |id, reason| Candidate {
        agent: id,
        role: Role::Queue,
        verdict: Verdict::Skipped(reason),
    };
    match chan.settings.mode {
        Mode::Strict => {
            let n = chan.queue.len();
            let previous = match last_offer {
                [one] => chan.position.get(one).copied(),
                _ => None,
            };
            let start = previous.map_or(0, |p| p + 1);
            for i in 0..n {
                let ix = chan.queue[(start + i) % n];
                let slot = &agents[ix];
                let id = slot.agent.id;
                match slot.check(check_online) {
                    Err(reason) => candidates.push(skipped(id, reason)),
                    Ok(()) if excluded.contains(id) => {
                        candidates.push(skipped(id, SkipReason::JustPassed))
                    }
                    Ok(()) => {
                        candidates.push(Candidate {
                            agent: id,
                            role: Role::Queue,
                            verdict: Verdict::Chosen,
                        });
                        chosen.push(ix);
                        return Level::Untried;
                    }
                }
            }
            Level::Nobody
        }
        Mode::Evenly | Mode::All => {
            let all = chan.settings.mode == Mode::All;
            let base = candidates.len();
            type Best = Option<((u32, Timestamp, usize), usize)>;
            let (mut untried, mut fresh, mut any): (Best, Best, Best) = (None, None, None);
            let keep = |best: &mut Best, key, p| {
                if best.is_none_or(|(k, _)| key < k) {
                    *best = Some((key, p));
                }
            };
            for (p, &ix) in chan.queue.iter().enumerate() {
                let slot = &agents[ix];
                let id = slot.agent.id;
                match slot.check(check_online) {
                    Err(reason) => candidates.push(skipped(id, reason)),
                    Ok(()) => {
                        let load = slot.busy();
                        candidates.push(skipped(id, SkipReason::Outranked { load }));
                        let key = (load, slot.agent.idle_since, p);
                        keep(&mut any, key, p);
                        if !excluded.contains(id) {
                            keep(&mut fresh, key, p);
                            if !tried.contains(&id) {
                                keep(&mut untried, key, p);
                            }
                        }
                    }
                }
            }
            let (level, best) = match (untried, fresh, any) {
                (Some(b), _, _) => (Level::Untried, Some(b)),
                (None, Some(b), _) if pass => (Level::Fresh, Some(b)),
                (None, None, _) if pass => (Level::Nobody, None),
                (None, _, Some(b)) => (Level::Any, Some(b)),
                (None, _, None) => (Level::Nobody, None),
            };
            for (p, &ix) in chan.queue.iter().enumerate() {
                let c = &mut candidates[base + p];
                let Verdict::Skipped(SkipReason::Outranked { .. }) = c.verdict else {
                    continue;
                };
                let is_excluded = excluded.contains(c.agent);
                let is_tried = tried.contains(&c.agent);
                let included = match level {
                    Level::Untried => !is_excluded && !is_tried,
                    Level::Fresh => !is_excluded,
                    Level::Any => true,
                    Level::Nobody => false,
                };
                let pick = if all {
                    included
                } else {
                    best.is_some_and(|(_, bp)| bp == p)
                };
                if pick {
                    c.verdict = Verdict::Chosen;
                    chosen.push(ix);
                } else if !included {
                    c.verdict = Verdict::Skipped(if is_excluded {
                        SkipReason::JustPassed
                    } else {
                        SkipReason::AlreadyTried
                    });
                }
            }
            level
        }
    }
}

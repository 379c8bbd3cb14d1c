//! Property tests: random event sequences (agents coming and going, caps changing,
//! queues and settings changing, takes, declines, transfers, closes, time passing)
//! checked after every event against an independent oracle kept by the test:
//! - no conversation is ever held by two agents, and the decisions tell the whole
//!   story (replaying them gives exactly the engine's offers and holders);
//! - no agent's counted load plus outstanding offers exceeds the cap while any offer
//!   is out, and anyone who got something in a step is within the cap after it;
//! - strict mode offers to the first eligible member after the previous offeree;
//! - offers pass on at the first tick at or after `offered_at + pass_after`, never
//!   before and never on another event;
//! - no conversation is left waiting while an agent is eligible for it;
//! - every decision carries a matching log entry.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::*;

const AGENTS: u64 = 6;
/// Agent 6 is a bot.
const BOT: u64 = 6;
const CHANNELS: [u64; 2] = [1, 2];

#[derive(Debug, Clone)]
enum Op {
    Create {
        channel: u64,
        responsible: Option<u64>,
    },
    Update {
        agent: u64,
        change: AgentChange,
    },
    Join {
        channel: u64,
        agent: u64,
    },
    Leave {
        channel: u64,
        agent: u64,
    },
    Department {
        department: u64,
        members: Vec<u64>,
    },
    Configure {
        channel: u64,
        settings: QueueSettings,
    },
    Take {
        pick: usize,
        agent: usize,
        offered: bool,
    },
    Decline {
        pick: usize,
        agent: usize,
        offered: bool,
    },
    AgentReplied {
        pick: usize,
    },
    ClientReplied {
        pick: usize,
    },
    Recognised {
        pick: usize,
        responsible: u64,
    },
    Close {
        pick: usize,
        awaiting_rating: bool,
    },
    Rating {
        pick: usize,
    },
    Transfer {
        pick: usize,
        to: Option<u64>,
        make_responsible: bool,
    },
    Handover {
        pick: usize,
    },
    Reopen {
        pick: usize,
    },
    Tick,
}

fn agent_id() -> impl Strategy<Value = u64> {
    1..=AGENTS
}

fn channel_id() -> impl Strategy<Value = u64> {
    prop::sample::select(CHANNELS.to_vec())
}

fn cap() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![Just(None), (0u32..=3).prop_map(Some)]
}

fn settings() -> impl Strategy<Value = QueueSettings> {
    let entry = prop_oneof![
        3 => agent_id().prop_map(|a| QueueEntry::Agent(AgentId(a))),
        1 => (1u64..=2).prop_map(|d| QueueEntry::Department(DepartmentId(d))),
    ];
    (
        prop::collection::vec(entry, 0..=6),
        prop::sample::select(vec![Mode::Evenly, Mode::Strict, Mode::All]),
        prop::sample::select(vec![60_000u64, 90_000, 120_000]),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        any::<bool>(),
        prop::sample::select(vec![None, Some(BOT), Some(1)]),
        any::<bool>(),
    )
        .prop_map(
            |(entries, mode, ms, check_online, (answered, wfc, rating), rtr, bot, reply)| {
                let pass_after = PassAfter::from_millis(ms).unwrap_or_else(|_| unreachable!());
                QueueSettings {
                    entries,
                    mode,
                    pass_after,
                    check_online,
                    exclusions: LoadExclusions {
                        answered,
                        waiting_for_client: wfc,
                        awaiting_rating: rating,
                    },
                    route_to_responsible: rtr,
                    bot: bot.map(AgentId),
                    no_agent_reply: reply,
                }
            },
        )
}

fn change() -> impl Strategy<Value = AgentChange> {
    prop_oneof![
        3 => any::<bool>().prop_map(AgentChange::Online),
        2 => any::<bool>().prop_map(AgentChange::Absent),
        2 => any::<bool>().prop_map(AgentChange::AtWork),
        1 => any::<bool>().prop_map(AgentChange::Dismissed),
        3 => cap().prop_map(AgentChange::Cap),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let pick = any::<usize>();
    prop_oneof![
        6 => (channel_id(), prop::option::weighted(0.3, agent_id()))
            .prop_map(|(channel, responsible)| Op::Create { channel, responsible }),
        5 => (agent_id(), change()).prop_map(|(agent, change)| Op::Update { agent, change }),
        2 => (channel_id(), agent_id()).prop_map(|(channel, agent)| Op::Join { channel, agent }),
        2 => (channel_id(), agent_id()).prop_map(|(channel, agent)| Op::Leave { channel, agent }),
        1 => (1u64..=2, prop::collection::vec(agent_id(), 0..=4))
            .prop_map(|(department, members)| Op::Department { department, members }),
        1 => (channel_id(), settings())
            .prop_map(|(channel, settings)| Op::Configure { channel, settings }),
        6 => (pick, any::<usize>(), prop::bool::weighted(0.85))
            .prop_map(|(pick, agent, offered)| Op::Take { pick, agent, offered }),
        3 => (pick, any::<usize>(), prop::bool::weighted(0.85))
            .prop_map(|(pick, agent, offered)| Op::Decline { pick, agent, offered }),
        2 => pick.prop_map(|pick| Op::AgentReplied { pick }),
        2 => pick.prop_map(|pick| Op::ClientReplied { pick }),
        1 => (pick, agent_id()).prop_map(|(pick, responsible)| Op::Recognised { pick, responsible }),
        3 => (pick, any::<bool>())
            .prop_map(|(pick, awaiting_rating)| Op::Close { pick, awaiting_rating }),
        2 => pick.prop_map(|pick| Op::Rating { pick }),
        2 => (pick, prop::option::of(agent_id()), any::<bool>())
            .prop_map(|(pick, to, make_responsible)| Op::Transfer { pick, to, make_responsible }),
        1 => pick.prop_map(|pick| Op::Handover { pick }),
        2 => pick.prop_map(|pick| Op::Reopen { pick }),
        6 => Just(Op::Tick),
    ]
}

fn delta() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(59_999),
        Just(60_000),
        Just(60_001),
        0u64..=150_000,
    ]
}

fn initial_agents() -> impl Strategy<Value = Vec<Agent>> {
    prop::collection::vec((cap(), any::<bool>(), any::<bool>()), AGENTS as usize).prop_map(
        |specs| {
            specs
                .into_iter()
                .zip(1..)
                .map(|((cap, online, at_work), i)| {
                    let mut agent = if i == BOT {
                        Agent::bot(AgentId(i), "bot")
                    } else {
                        Agent::new(AgentId(i), format!("agent {i}"))
                    };
                    agent.cap = cap;
                    agent.online = online;
                    agent.at_work = at_work;
                    agent
                })
                .collect()
        },
    )
}

/// The test's own view, rebuilt from decisions only.
#[derive(Default)]
struct Oracle {
    /// Outstanding offers: agents, when made, deadline.
    offers: BTreeMap<ConversationId, (BTreeSet<AgentId>, Timestamp, Timestamp)>,
    holders: BTreeMap<ConversationId, AgentId>,
    waiting: BTreeSet<ConversationId>,
    /// The agents of each conversation's latest offer (strict order).
    last_offer: BTreeMap<ConversationId, Vec<AgentId>>,
}

struct Harness {
    engine: Engine,
    t: u64,
    oracle: Oracle,
    /// Counts, to make sure the generator reaches the interesting paths.
    stats: BTreeMap<&'static str, usize>,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            engine: Engine::new(),
            t: 0,
            oracle: Oracle::default(),
            stats: BTreeMap::new(),
        }
    }

    fn conversations_where(&self, f: impl Fn(&Conversation) -> bool) -> Vec<ConversationId> {
        self.engine
            .conversations()
            .filter(|c| f(c))
            .map(|c| c.id)
            .collect()
    }

    fn pick(&self, pick: usize, f: impl Fn(&Conversation) -> bool) -> Option<ConversationId> {
        let fitting = self.conversations_where(f);
        let all = self.conversations_where(|_| true);
        let list = if !fitting.is_empty() && pick & 7 != 0 {
            fitting
        } else {
            all
        };
        (!list.is_empty()).then(|| list[pick % list.len()])
    }

    /// Turns an op into an event against the current state; also says whether a take
    /// or decline must be accepted.
    fn resolve(&self, op: &Op, next_id: &mut u64) -> (Event, Option<bool>) {
        let open = |c: &Conversation| !matches!(c.state, ConversationState::Closed { .. });
        match op.clone() {
            Op::Create {
                channel,
                responsible,
            } => {
                *next_id += 1;
                (
                    Event::ConversationCreated {
                        conversation: ConversationId(*next_id),
                        channel: ChannelId(channel),
                        responsible: responsible.map(AgentId),
                    },
                    None,
                )
            }
            Op::Update { agent, change } => (
                Event::AgentUpdated {
                    agent: AgentId(agent),
                    change,
                },
                None,
            ),
            Op::Join { channel, agent } => (
                Event::AgentJoinedQueue {
                    channel: ChannelId(channel),
                    agent: AgentId(agent),
                },
                None,
            ),
            Op::Leave { channel, agent } => (
                Event::AgentLeftQueue {
                    channel: ChannelId(channel),
                    agent: AgentId(agent),
                },
                None,
            ),
            Op::Department {
                department,
                members,
            } => (
                Event::DepartmentChanged {
                    department: DepartmentId(department),
                    members: members.into_iter().map(AgentId).collect(),
                },
                None,
            ),
            Op::Configure { channel, settings } => (
                Event::ChannelConfigured {
                    channel: ChannelId(channel),
                    settings,
                },
                None,
            ),
            Op::Take {
                pick,
                agent,
                offered,
            }
            | Op::Decline {
                pick,
                agent,
                offered,
            } => {
                let offered_list = self
                    .conversations_where(|c| matches!(c.state, ConversationState::Offered { .. }));
                let (conv, who) = if offered && !offered_list.is_empty() {
                    let conv = offered_list[pick % offered_list.len()];
                    let offerees = self
                        .engine
                        .conversation(conv)
                        .map(|c| c.offered_to().to_vec())
                        .unwrap_or_default();
                    (conv, offerees[agent % offerees.len()])
                } else {
                    match self.pick(pick, |_| true) {
                        Some(conv) => (conv, AgentId(agent as u64 % AGENTS + 1)),
                        None => return (Event::Tick, None),
                    }
                };
                let expect_ok = self
                    .engine
                    .conversation(conv)
                    .is_some_and(|c| c.offered_to().contains(&who));
                let event = if matches!(op, Op::Take { .. }) {
                    Event::OfferTaken {
                        conversation: conv,
                        agent: who,
                    }
                } else {
                    Event::OfferDeclined {
                        conversation: conv,
                        agent: who,
                    }
                };
                (event, Some(expect_ok))
            }
            Op::AgentReplied { pick } => match self.pick(pick, open) {
                Some(conversation) => (Event::AgentReplied { conversation }, None),
                None => (Event::Tick, None),
            },
            Op::ClientReplied { pick } => match self.pick(pick, open) {
                Some(conversation) => (Event::ClientReplied { conversation }, None),
                None => (Event::Tick, None),
            },
            Op::Recognised { pick, responsible } => match self.pick(pick, open) {
                Some(conversation) => (
                    Event::CustomerRecognised {
                        conversation,
                        responsible: AgentId(responsible),
                    },
                    None,
                ),
                None => (Event::Tick, None),
            },
            Op::Close {
                pick,
                awaiting_rating,
            } => match self.pick(pick, open) {
                Some(conversation) => (
                    Event::ConversationClosed {
                        conversation,
                        awaiting_rating,
                    },
                    None,
                ),
                None => (Event::Tick, None),
            },
            Op::Rating { pick } => {
                let awaiting = |c: &Conversation| {
                    matches!(
                        c.state,
                        ConversationState::Closed {
                            awaiting_rating: true,
                            ..
                        }
                    )
                };
                match self.pick(pick, awaiting) {
                    Some(conversation) => (Event::RatingReceived { conversation }, None),
                    None => (Event::Tick, None),
                }
            }
            Op::Transfer {
                pick,
                to,
                make_responsible,
            } => match self.pick(pick, open) {
                Some(conversation) => (
                    Event::Transfer {
                        conversation,
                        to: to.map_or(TransferTarget::Queue, |a| TransferTarget::Agent(AgentId(a))),
                        make_responsible,
                    },
                    None,
                ),
                None => (Event::Tick, None),
            },
            Op::Handover { pick } => {
                let with_bot =
                    |c: &Conversation| c.state == ConversationState::Assigned(AgentId(BOT));
                match self.pick(pick, with_bot) {
                    Some(conversation) => (Event::BotHandover { conversation }, None),
                    None => (Event::Tick, None),
                }
            }
            Op::Reopen { pick } => match self.pick(pick, |c| !open(c)) {
                Some(conversation) => (Event::Reopened { conversation }, None),
                None => (Event::Tick, None),
            },
            Op::Tick => (Event::Tick, None),
        }
    }

    fn step(
        &mut self,
        delta: u64,
        event: Event,
        expect_ok: Option<bool>,
    ) -> Result<(), TestCaseError> {
        self.t += delta;
        let now = Timestamp(self.t);
        let before_offers = self.oracle.offers.clone();
        let result = self.engine.handle(now, event.clone());
        if let Some(expect) = expect_ok {
            prop_assert_eq!(
                result.is_ok(),
                expect,
                "take/decline {:?} -> {:?}",
                event,
                result
            );
        }
        let decisions = match result {
            Ok(d) => d,
            Err(_) => {
                *self.stats.entry("refused").or_default() += 1;
                return Ok(());
            }
        };
        self.engine.assert_consistent();
        self.event_effects(&event);
        let mut got_something = BTreeSet::new();
        let mut timed_out = BTreeMap::new();
        for d in &decisions {
            self.check_log(d, now)?;
            self.replay(d, &event, &mut got_something, &mut timed_out, now)?;
        }
        self.check_pass_after(&event, &before_offers, &timed_out, now)?;
        self.check_state()?;
        self.check_caps(&got_something)?;
        self.check_liveness()?;
        Ok(())
    }

    /// What the event itself does to the oracle (before its decisions).
    fn event_effects(&mut self, event: &Event) {
        let o = &mut self.oracle;
        match event {
            Event::ConversationClosed { conversation, .. } => {
                o.holders.remove(conversation);
                o.waiting.remove(conversation);
                *self.stats.entry("closed").or_default() += 1;
            }
            Event::BotHandover { conversation } => {
                o.holders.remove(conversation);
                *self.stats.entry("handover").or_default() += 1;
            }
            Event::Reopened { conversation } => {
                // It starts over: a strict queue scans from its start again.
                o.last_offer.remove(conversation);
                *self.stats.entry("reopened").or_default() += 1;
            }
            Event::Transfer {
                conversation,
                to: TransferTarget::Queue,
                ..
            } => {
                if !o.waiting.contains(conversation) {
                    let last = match o.holders.remove(conversation) {
                        Some(a) => vec![a],
                        None => o
                            .offers
                            .get(conversation)
                            .map(|(agents, _, _)| agents.iter().copied().collect())
                            .unwrap_or_default(),
                    };
                    o.last_offer.insert(*conversation, last);
                }
                *self.stats.entry("to queue").or_default() += 1;
            }
            Event::Transfer {
                conversation,
                to: TransferTarget::Agent(_),
                ..
            } => {
                o.waiting.remove(conversation);
                *self.stats.entry("to agent").or_default() += 1;
            }
            Event::OfferTaken { .. } => *self.stats.entry("taken").or_default() += 1,
            Event::OfferDeclined { .. } => *self.stats.entry("declined").or_default() += 1,
            _ => {}
        }
    }

    fn check_log(&self, d: &Decision, now: Timestamp) -> Result<(), TestCaseError> {
        let log = &d.log;
        prop_assert_eq!(log.at, now);
        prop_assert_eq!(&log.action, &d.action);
        prop_assert_eq!(log.conversation, d.action.conversation());
        let conv = self.engine.conversation(log.conversation);
        prop_assert!(conv.is_some());
        let channel = conv.map(|c| c.channel);
        prop_assert_eq!(Some(log.channel), channel);
        prop_assert_eq!(
            Some(log.mode),
            self.engine.channel(log.channel).map(|s| s.mode)
        );
        let chosen: Vec<AgentId> = log.chosen().collect();
        match &d.action {
            Action::Offer { agents, .. } => prop_assert_eq!(&chosen, agents),
            Action::Assigned { agent, .. } => prop_assert_eq!(&chosen, &vec![*agent]),
            Action::WithdrawOffers { agents, .. } => {
                prop_assert!(chosen.is_empty());
                prop_assert!(!agents.is_empty());
            }
            Action::Waiting { .. } => prop_assert!(chosen.is_empty()),
        }
        prop_assert!(d.to_string().contains(&log.conversation.to_string()));
        prop_assert!(serde_json::to_string(d).is_ok());
        Ok(())
    }

    fn replay(
        &mut self,
        d: &Decision,
        event: &Event,
        got_something: &mut BTreeSet<AgentId>,
        timed_out: &mut BTreeMap<ConversationId, BTreeSet<AgentId>>,
        now: Timestamp,
    ) -> Result<(), TestCaseError> {
        let o = &mut self.oracle;
        match &d.action {
            Action::Offer {
                conversation,
                agents,
                deadline,
            } => {
                prop_assert!(!o.offers.contains_key(conversation), "offered twice");
                prop_assert!(!o.holders.contains_key(conversation), "offered while held");
                let pass_after = self
                    .engine
                    .channel(d.log.channel)
                    .map(|s| s.pass_after.millis());
                prop_assert_eq!(Some(deadline.millis() - now.millis()), pass_after);
                if d.log.mode == Mode::Strict {
                    self.check_strict(d, agents)?;
                    *self.stats.entry("strict offer").or_default() += 1;
                }
                let o = &mut self.oracle;
                o.waiting.remove(conversation);
                o.offers.insert(
                    *conversation,
                    (agents.iter().copied().collect(), now, *deadline),
                );
                o.last_offer.insert(*conversation, agents.clone());
                got_something.extend(agents.iter().copied());
                *self.stats.entry("offer").or_default() += 1;
                if agents.len() > 1 {
                    *self.stats.entry("multi offer").or_default() += 1;
                }
            }
            Action::WithdrawOffers {
                conversation,
                agents,
            } => {
                let Some((offered, _, _)) = o.offers.get_mut(conversation) else {
                    return Err(TestCaseError::fail("withdrawal without an offer"));
                };
                for a in agents {
                    prop_assert!(offered.remove(a), "withdrew an offer {} did not have", a);
                }
                if offered.is_empty() {
                    o.offers.remove(conversation);
                }
                if let Trigger::Passed {
                    reason: PassReason::Timeout { .. },
                    ..
                } = d.log.trigger
                {
                    timed_out
                        .entry(*conversation)
                        .or_default()
                        .extend(agents.iter().copied());
                    *self.stats.entry("timeout").or_default() += 1;
                }
            }
            Action::Assigned {
                conversation,
                agent,
            } => {
                let replacing = matches!(
                    event,
                    Event::Transfer { conversation: c, to: TransferTarget::Agent(t), .. }
                        if c == conversation && t == agent
                );
                if let Some(held) = o.holders.get(conversation) {
                    prop_assert!(
                        replacing,
                        "{} assigned to {} while held by {}",
                        conversation,
                        agent,
                        held
                    );
                }
                if let Some((offered, _, _)) = o.offers.get_mut(conversation) {
                    // Taken (or transferred to an offeree): that offer becomes the
                    // assignment; the others must be withdrawn in this step.
                    offered.remove(agent);
                    if offered.is_empty() {
                        o.offers.remove(conversation);
                    }
                }
                o.waiting.remove(conversation);
                o.holders.insert(*conversation, *agent);
                got_something.insert(*agent);
                *self.stats.entry("assigned").or_default() += 1;
            }
            Action::Waiting { conversation, .. } => {
                prop_assert!(!o.offers.contains_key(conversation));
                prop_assert!(!o.holders.contains_key(conversation));
                o.waiting.insert(*conversation);
                *self.stats.entry("waiting").or_default() += 1;
            }
        }
        Ok(())
    }

    /// The offeree of a strict offer from the queue is the first eligible member
    /// after the previous offeree, round the queue.
    fn check_strict(&self, d: &Decision, agents: &[AgentId]) -> Result<(), TestCaseError> {
        let queue_candidates: Vec<&Candidate> = d
            .log
            .candidates
            .iter()
            .filter(|c| c.role == Role::Queue)
            .collect();
        let from_queue = queue_candidates
            .last()
            .is_some_and(|c| c.verdict == Verdict::Chosen);
        if !from_queue {
            return Ok(()); // the responsible agent got it
        }
        prop_assert_eq!(agents.len(), 1);
        let queue = expanded_queue(&self.engine, d.log.channel);
        let previous = self
            .oracle
            .last_offer
            .get(&d.log.conversation)
            .cloned()
            .unwrap_or_default();
        let start = match previous.as_slice() {
            [one] => queue.iter().position(|a| a == one).map_or(0, |p| p + 1),
            _ => 0,
        };
        let n = queue.len();
        let settings = self.engine.channel(d.log.channel).cloned();
        let check_online = settings.is_some_and(|s| s.check_online);
        for (i, c) in queue_candidates.iter().enumerate() {
            prop_assert_eq!(c.agent, queue[(start + i) % n], "strict scan order");
            let Verdict::Skipped(reason) = c.verdict else {
                continue;
            };
            let agent = self.engine.agent(c.agent);
            let Some(agent) = agent else {
                return Err(TestCaseError::fail("unknown agent in queue"));
            };
            let truthful = match reason {
                SkipReason::Dismissed => agent.dismissed,
                SkipReason::Bot => agent.is_bot,
                SkipReason::Offline => check_online && !agent.online,
                SkipReason::Absent => check_online && agent.absent,
                SkipReason::NotAtWork => check_online && !agent.at_work,
                SkipReason::AtCap { load, cap } => agent.cap == Some(cap) && load >= cap,
                SkipReason::JustPassed => previous.contains(&c.agent),
                _ => false,
            };
            prop_assert!(truthful, "strict skipped {} for {:?}", c.agent, reason);
        }
        Ok(())
    }

    fn check_pass_after(
        &self,
        event: &Event,
        before: &BTreeMap<ConversationId, (BTreeSet<AgentId>, Timestamp, Timestamp)>,
        timed_out: &BTreeMap<ConversationId, BTreeSet<AgentId>>,
        now: Timestamp,
    ) -> Result<(), TestCaseError> {
        if *event != Event::Tick {
            prop_assert!(timed_out.is_empty(), "timeout outside a tick");
            return Ok(());
        }
        let due: BTreeMap<ConversationId, BTreeSet<AgentId>> = before
            .iter()
            .filter(|(_, (_, _, deadline))| *deadline <= now)
            .map(|(c, (agents, _, _))| (*c, agents.clone()))
            .collect();
        prop_assert_eq!(&due, timed_out, "offers due at {}", now);
        for (c, (_, at, deadline)) in before {
            if timed_out.contains_key(c) {
                let pa = self
                    .engine
                    .conversation(*c)
                    .and_then(|conv| self.engine.channel(conv.channel))
                    .map(|s| s.pass_after.millis());
                prop_assert!(deadline.millis() - at.millis() >= PassAfter::MIN_MS);
                prop_assert!(pa.is_some());
            }
        }
        Ok(())
    }

    /// The oracle (built from decisions) matches the engine exactly.
    fn check_state(&self) -> Result<(), TestCaseError> {
        let o = &self.oracle;
        for conv in self.engine.conversations() {
            match &conv.state {
                ConversationState::Offered {
                    agents,
                    at,
                    deadline,
                } => {
                    let expected = o.offers.get(&conv.id);
                    prop_assert_eq!(
                        expected,
                        Some(&(agents.iter().copied().collect(), *at, *deadline)),
                        "offers of {}",
                        conv.id
                    );
                }
                _ => prop_assert!(!o.offers.contains_key(&conv.id), "{} offered", conv.id),
            }
            match conv.state {
                ConversationState::Assigned(a) => {
                    prop_assert_eq!(o.holders.get(&conv.id), Some(&a))
                }
                _ => prop_assert!(!o.holders.contains_key(&conv.id), "{} held", conv.id),
            }
            prop_assert_eq!(
                conv.state == ConversationState::Waiting,
                o.waiting.contains(&conv.id),
                "waiting {}",
                conv.id
            );
        }
        for ch in self.engine.channel_ids().collect::<Vec<_>>() {
            prop_assert_eq!(
                self.engine.queue(ch),
                Some(expanded_queue(&self.engine, ch))
            );
            let listed: BTreeSet<ConversationId> = self.engine.waiting(ch).collect();
            let waiting: BTreeSet<ConversationId> = self
                .engine
                .conversations()
                .filter(|c| c.channel == ch && c.state == ConversationState::Waiting)
                .map(|c| c.id)
                .collect();
            prop_assert_eq!(listed, waiting);
        }
        Ok(())
    }

    fn check_caps(&self, got_something: &BTreeSet<AgentId>) -> Result<(), TestCaseError> {
        let busy = busy_from_scratch(&self.engine);
        for agent in self.engine.agents() {
            let (counted, offers) = busy.get(&agent.id).copied().unwrap_or((0, 0));
            let load = self.engine.load(agent.id);
            prop_assert_eq!(load.map(|l| (l.counted, l.offers)), Some((counted, offers)));
            if let Some(cap) = agent.cap {
                prop_assert!(
                    offers == 0 || counted + offers <= cap,
                    "{} has {} counted and {} offers over cap {}",
                    agent.id,
                    counted,
                    offers,
                    cap
                );
                if got_something.contains(&agent.id) {
                    prop_assert!(counted + offers <= cap, "{} got work beyond cap", agent.id);
                }
            }
        }
        Ok(())
    }

    fn check_liveness(&self) -> Result<(), TestCaseError> {
        let busy = busy_from_scratch(&self.engine);
        for conv in self.engine.conversations() {
            if conv.state != ConversationState::Waiting {
                continue;
            }
            let Some(settings) = self.engine.channel(conv.channel) else {
                return Err(TestCaseError::fail("conversation without channel"));
            };
            let eligible = |a: AgentId| eligible(&self.engine, a, settings.check_online, &busy);
            for a in expanded_queue(&self.engine, conv.channel) {
                prop_assert!(!eligible(a), "{} waits while {} is eligible", conv.id, a);
            }
            if settings.route_to_responsible {
                if let Some(r) = conv.responsible {
                    prop_assert!(
                        !eligible(r),
                        "{} waits while responsible {} is eligible",
                        conv.id,
                        r
                    );
                }
            }
        }
        Ok(())
    }
}

fn expanded_queue(engine: &Engine, ch: ChannelId) -> Vec<AgentId> {
    let mut out: Vec<AgentId> = Vec::new();
    let Some(settings) = engine.channel(ch) else {
        return out;
    };
    for entry in &settings.entries {
        let members = match entry {
            QueueEntry::Agent(a) => vec![*a],
            QueueEntry::Department(d) => engine
                .department(*d)
                .map(<[AgentId]>::to_vec)
                .unwrap_or_default(),
        };
        for a in members {
            if engine.agent(a).is_some() && !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// Counted load and outstanding offers per agent, from the conversations alone.
fn busy_from_scratch(engine: &Engine) -> BTreeMap<AgentId, (u32, u32)> {
    let mut out: BTreeMap<AgentId, (u32, u32)> = BTreeMap::new();
    for conv in engine.conversations() {
        let Some(ex) = engine.channel(conv.channel).map(|s| s.exclusions) else {
            continue;
        };
        match &conv.state {
            ConversationState::Assigned(a) => {
                let excluded = ex.answered && conv.answered
                    || ex.waiting_for_client && conv.waiting_for_client;
                if !excluded {
                    out.entry(*a).or_default().0 += 1;
                }
            }
            ConversationState::Closed {
                awaiting_rating: true,
                agent: Some(a),
            } => {
                let excluded = ex.answered || ex.waiting_for_client || ex.awaiting_rating;
                if !excluded {
                    out.entry(*a).or_default().0 += 1;
                }
            }
            ConversationState::Offered { agents, .. } => {
                for a in agents {
                    out.entry(*a).or_default().1 += 1;
                }
            }
            _ => {}
        }
    }
    out
}

fn eligible(
    engine: &Engine,
    a: AgentId,
    check_online: bool,
    busy: &BTreeMap<AgentId, (u32, u32)>,
) -> bool {
    let Some(agent) = engine.agent(a) else {
        return false;
    };
    let (counted, offers) = busy.get(&a).copied().unwrap_or((0, 0));
    !agent.dismissed
        && !agent.is_bot
        && (!check_online || agent.online && !agent.absent && agent.at_work)
        && agent.cap.is_none_or(|cap| counted + offers < cap)
}

fn run(
    agents: Vec<Agent>,
    settings: Vec<QueueSettings>,
    ops: Vec<(u64, Op)>,
) -> Result<BTreeMap<&'static str, usize>, TestCaseError> {
    let mut h = Harness::new();
    for agent in agents {
        h.step(0, Event::AgentAdded(agent), None)?;
    }
    for (ch, s) in CHANNELS.iter().zip(settings) {
        h.step(
            0,
            Event::ChannelConfigured {
                channel: ChannelId(*ch),
                settings: s,
            },
            None,
        )?;
    }
    let mut next_id = 0;
    for (delta, op) in ops {
        let (event, expect_ok) = h.resolve(&op, &mut next_id);
        h.step(delta, event, expect_ok)?;
    }
    Ok(h.stats)
}

proptest! {
    #![proptest_config(Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn routing_invariants_hold_for_random_event_sequences(
        agents in initial_agents(),
        settings in prop::collection::vec(settings(), CHANNELS.len()),
        ops in prop::collection::vec((delta(), op()), 1..=200),
    ) {
        run(agents, settings, ops)?;
    }
}

/// The generator reaches the paths the properties are about.
#[test]
fn random_sequences_cover_the_interesting_paths() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let strategy = (
        initial_agents(),
        prop::collection::vec(settings(), CHANNELS.len()),
        prop::collection::vec((delta(), op()), 200),
    );
    let mut runner = TestRunner::deterministic();
    let mut totals: BTreeMap<&'static str, usize> = BTreeMap::new();
    for _ in 0..64 {
        let (agents, settings, ops) = strategy.new_tree(&mut runner).expect("generated").current();
        let stats = run(agents, settings, ops).expect("invariants hold");
        for (k, v) in stats {
            *totals.entry(k).or_default() += v;
        }
    }
    for key in [
        "offer",
        "strict offer",
        "multi offer",
        "assigned",
        "waiting",
        "timeout",
        "taken",
        "declined",
        "closed",
        "reopened",
        "to queue",
        "to agent",
        "refused",
    ] {
        assert!(
            totals.get(key).copied().unwrap_or(0) > 0,
            "never reached {key}: {totals:?}"
        );
    }
}

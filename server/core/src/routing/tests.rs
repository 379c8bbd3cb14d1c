//! Unit tests: one readable scenario per mode and rule.

use super::*;

const CH: ChannelId = ChannelId(1);
const MIN: u64 = 60_000;

fn a(n: u64) -> AgentId {
    AgentId(n)
}

fn c(n: u64) -> ConversationId {
    ConversationId(n)
}

fn pa(minutes: u64) -> PassAfter {
    PassAfter::from_minutes(minutes).expect("valid pass-after")
}

/// An engine with a clock the test moves by hand.
struct World {
    engine: Engine,
    t: u64,
}

impl World {
    /// Agents 1..=n (online, at work, no cap) and channel 1 with all of them in the
    /// queue in that order.
    fn new(n: u64, mode: Mode) -> World {
        let mut w = World {
            engine: Engine::new(),
            t: 0,
        };
        for i in 1..=n {
            w.ok(Event::AgentAdded(Agent::new(a(i), format!("Agent {i}"))));
        }
        let entries = (1..=n).map(|i| QueueEntry::Agent(a(i))).collect();
        w.configure(QueueSettings::new(entries, mode, pa(1)));
        w
    }

    fn configure(&mut self, settings: QueueSettings) -> Vec<Decision> {
        self.ok(Event::ChannelConfigured {
            channel: CH,
            settings,
        })
    }

    fn settings(&self) -> QueueSettings {
        self.engine.channel(CH).expect("channel").clone()
    }

    fn advance(&mut self, ms: u64) {
        self.t += ms;
    }

    fn try_event(&mut self, event: Event) -> Result<Vec<Decision>, RoutingError> {
        let out = self.engine.handle(Timestamp(self.t), event);
        self.engine.assert_consistent();
        out
    }

    fn ok(&mut self, event: Event) -> Vec<Decision> {
        self.try_event(event).expect("event accepted")
    }

    fn create(&mut self, id: u64) -> Vec<Decision> {
        self.ok(Event::ConversationCreated {
            conversation: c(id),
            channel: CH,
            responsible: None,
        })
    }

    fn take(&mut self, conv: u64, agent: u64) -> Vec<Decision> {
        self.ok(Event::OfferTaken {
            conversation: c(conv),
            agent: a(agent),
        })
    }

    fn decline(&mut self, conv: u64, agent: u64) -> Vec<Decision> {
        self.ok(Event::OfferDeclined {
            conversation: c(conv),
            agent: a(agent),
        })
    }

    fn tick(&mut self) -> Vec<Decision> {
        self.ok(Event::Tick)
    }

    fn update(&mut self, agent: u64, change: AgentChange) -> Vec<Decision> {
        self.ok(Event::AgentUpdated {
            agent: a(agent),
            change,
        })
    }

    fn state(&self, conv: u64) -> ConversationState {
        self.engine
            .conversation(c(conv))
            .expect("conv")
            .state
            .clone()
    }

    /// Creates a conversation and has `agent` take it.
    fn give(&mut self, conv: u64, agent: u64) {
        self.create(conv);
        if self.state(conv) != ConversationState::Assigned(a(agent)) {
            self.ok(Event::Transfer {
                conversation: c(conv),
                to: TransferTarget::Agent(a(agent)),
                make_responsible: false,
            });
        }
    }
}

/// The agents of the one offer among `out`, panicking otherwise.
fn offer(out: &[Decision]) -> Vec<u64> {
    let offers: Vec<&Vec<AgentId>> = out
        .iter()
        .filter_map(|d| match &d.action {
            Action::Offer { agents, .. } => Some(agents),
            _ => None,
        })
        .collect();
    assert_eq!(offers.len(), 1, "expected one offer in {out:#?}");
    offers[0].iter().map(|a| a.0).collect()
}

fn offers(out: &[Decision]) -> Vec<(u64, Vec<u64>)> {
    out.iter()
        .filter_map(|d| match &d.action {
            Action::Offer {
                conversation,
                agents,
                ..
            } => Some((conversation.0, agents.iter().map(|a| a.0).collect())),
            _ => None,
        })
        .collect()
}

fn withdrawn(out: &[Decision]) -> Vec<(u64, Vec<u64>)> {
    out.iter()
        .filter_map(|d| match &d.action {
            Action::WithdrawOffers {
                conversation,
                agents,
            } => Some((conversation.0, agents.iter().map(|a| a.0).collect())),
            _ => None,
        })
        .collect()
}

fn verdict_of(d: &Decision, agent: u64) -> Verdict {
    d.log
        .candidates
        .iter()
        .find(|c| c.agent == a(agent))
        .map(|c| c.verdict)
        .expect("candidate listed")
}

#[test]
fn pass_after_is_one_minute_to_twelve_hours() {
    assert!(PassAfter::from_millis(59_999).is_err());
    assert_eq!(
        PassAfter::from_millis(60_000).map(PassAfter::millis),
        Ok(60_000)
    );
    assert!(PassAfter::from_millis(12 * 60 * MIN).is_ok());
    assert_eq!(
        PassAfter::from_millis(12 * 60 * MIN + 1),
        Err(RoutingError::PassAfterOutOfRange {
            ms: 12 * 60 * MIN + 1
        })
    );
    assert!(PassAfter::from_minutes(0).is_err());
    assert!(serde_json::from_str::<PassAfter>("1000").is_err());
    assert_eq!(
        serde_json::from_str::<PassAfter>("60000")
            .map(PassAfter::millis)
            .ok(),
        Some(60_000)
    );
}

#[test]
fn evenly_goes_to_the_least_loaded_then_the_longest_idle() {
    let mut w = World::new(3, Mode::Evenly);
    w.give(1, 1); // agent 1 holds one
    w.advance(1000);
    // 2 and 3 hold none; equally idle since 0: queue order picks 2.
    let out = w.create(2);
    assert_eq!(offer(&out), [2]);
    assert_eq!(
        verdict_of(&out[0], 1),
        Verdict::Skipped(SkipReason::Outranked { load: 1 })
    );
    assert_eq!(
        verdict_of(&out[0], 3),
        Verdict::Skipped(SkipReason::Outranked { load: 0 })
    );
    w.take(2, 2);
    w.advance(1000);
    assert_eq!(offer(&w.create(3)), [3]);
    w.take(3, 3);
    w.advance(1000);
    // All hold one: agent 1 got theirs longest ago.
    assert_eq!(offer(&w.create(4)), [1]);
}

#[test]
fn evenly_tie_break_prefers_idle_longest_over_queue_order() {
    let mut w = World::new(0, Mode::Evenly);
    let mut first = Agent::new(a(1), "first in queue");
    first.idle_since = Timestamp(5_000);
    let mut second = Agent::new(a(2), "idle longer");
    second.idle_since = Timestamp(1_000);
    w.ok(Event::AgentAdded(first));
    w.ok(Event::AgentAdded(second));
    w.ok(Event::QueueChanged {
        channel: CH,
        entries: vec![QueueEntry::Agent(a(1)), QueueEntry::Agent(a(2))],
    });
    w.advance(10_000);
    assert_eq!(offer(&w.create(1)), [2]);
}

#[test]
fn strict_takes_queue_order_and_passes_round_the_queue() {
    let mut w = World::new(3, Mode::Strict);
    w.update(2, AgentChange::Dismissed(true));
    let out = w.create(1);
    assert_eq!(offer(&out), [1]);
    // Agent 1 declines: 2 is dismissed, so 3.
    let out = w.decline(1, 1);
    assert_eq!(withdrawn(&out), [(1, vec![1])]);
    assert_eq!(offer(&out), [3]);
    let log = &out[1].log;
    assert_eq!(
        log.trigger,
        Trigger::Passed {
            from: vec![a(1)],
            reason: PassReason::Declined
        }
    );
    assert_eq!(
        verdict_of(&out[1], 2),
        Verdict::Skipped(SkipReason::Dismissed)
    );
    // Agent 3 lets it time out: round the queue to 1.
    w.advance(MIN);
    let out = w.tick();
    assert_eq!(offer(&out), [1]);
    // Strict gives new conversations to the first eligible agent, again and again.
    w.take(1, 1);
    assert_eq!(offer(&w.create(2)), [1]);
}

#[test]
fn strict_continues_after_the_previous_offeree() {
    let mut w = World::new(4, Mode::Strict);
    assert_eq!(offer(&w.create(1)), [1]);
    assert_eq!(offer(&w.decline(1, 1)), [2]);
    // Agent 1 goes away; 2 declines; next after 2 is 3 (not the top of the queue).
    assert_eq!(offer(&w.decline(1, 2)), [3]);
    assert_eq!(offer(&w.decline(1, 3)), [4]);
    assert_eq!(offer(&w.decline(1, 4)), [1]);
}

#[test]
fn all_mode_first_take_wins_and_the_rest_are_withdrawn_at_once() {
    let mut w = World::new(3, Mode::All);
    let out = w.create(1);
    assert_eq!(offer(&out), [1, 2, 3]);
    let out = w.take(1, 2);
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0].action,
        Action::Assigned {
            conversation: c(1),
            agent: a(2)
        }
    );
    assert_eq!(withdrawn(&out), [(1, vec![1, 3])]);
    assert_eq!(
        w.try_event(Event::OfferTaken {
            conversation: c(1),
            agent: a(1)
        }),
        Err(RoutingError::AlreadyTaken {
            conversation: c(1),
            by: a(2)
        })
    );
    assert_eq!(w.engine.load(a(1)).map(AgentLoad::busy), Some(0));
    assert_eq!(w.engine.load(a(2)).map(AgentLoad::busy), Some(1));
}

#[test]
fn all_mode_decline_keeps_the_others_and_timeout_reoffers() {
    let mut w = World::new(2, Mode::All);
    w.create(1);
    let out = w.decline(1, 1);
    assert_eq!(withdrawn(&out), [(1, vec![1])]);
    assert!(offers(&out).is_empty());
    w.advance(MIN);
    // Agent 2 lets it time out; everyone was tried, so a new round for both.
    let out = w.tick();
    assert_eq!(withdrawn(&out), [(1, vec![2])]);
    assert_eq!(offers(&out), [(1, vec![1, 2])]);
}

#[test]
fn pass_after_is_honoured_to_the_millisecond_on_ticks() {
    let mut w = World::new(2, Mode::Strict);
    w.advance(1_234);
    let out = w.create(1);
    let Action::Offer { deadline, .. } = out[0].action else {
        panic!("offer expected");
    };
    assert_eq!(deadline, Timestamp(1_234 + MIN));
    assert_eq!(w.engine.next_deadline(), Some(deadline));
    w.advance(MIN - 1);
    assert!(w.tick().is_empty(), "one millisecond early");
    // Other events at or after the deadline do not pass it; only a tick does.
    w.advance(5);
    w.ok(Event::AgentReplied { conversation: c(1) });
    assert_eq!(w.state(1).clone(), w.state(1));
    assert!(
        matches!(w.state(1), ConversationState::Offered { ref agents, .. } if agents == &[a(1)])
    );
    let out = w.tick();
    assert_eq!(withdrawn(&out), [(1, vec![1])]);
    assert_eq!(offer(&out), [2]);
    assert_eq!(
        out[0].log.trigger,
        Trigger::Passed {
            from: vec![a(1)],
            reason: PassReason::Timeout {
                offered_at: Timestamp(1_234),
                pass_after_ms: MIN
            }
        }
    );
}

#[test]
fn an_outstanding_offer_counts_against_the_cap() {
    let mut w = World::new(0, Mode::Evenly);
    w.ok(Event::AgentAdded(Agent::new(a(1), "capped").with_cap(1)));
    w.ok(Event::AgentJoinedQueue {
        channel: CH,
        agent: a(1),
    });
    assert_eq!(offer(&w.create(1)), [1]);
    let out = w.create(2);
    assert!(matches!(out[0].action, Action::Waiting { .. }));
    assert_eq!(
        verdict_of(&out[0], 1),
        Verdict::Skipped(SkipReason::AtCap { load: 1, cap: 1 })
    );
    // Taking the first keeps the agent at cap; declining it frees the slot and the
    // oldest waiting conversation (the declined one, here) comes back.
    let out = w.decline(1, 1);
    assert_eq!(offers(&out), [(1, vec![1])]);
}

#[test]
fn waiting_conversations_are_served_oldest_first_when_someone_becomes_eligible() {
    let mut w = World::new(1, Mode::Evenly);
    let mut s = w.settings();
    s.check_online = true;
    s.no_agent_reply = true;
    w.configure(s);
    w.update(1, AgentChange::Online(false));
    let out = w.create(1);
    assert_eq!(
        out[0].action,
        Action::Waiting {
            conversation: c(1),
            send_no_agent_reply: true
        }
    );
    assert_eq!(
        verdict_of(&out[0], 1),
        Verdict::Skipped(SkipReason::Offline)
    );
    w.advance(10);
    w.create(2);
    w.update(1, AgentChange::Online(true));
    w.update(1, AgentChange::Absent(true));
    // Came online but absent: still nobody.
    assert_eq!(w.engine.waiting(CH).count(), 2);
    let out = w.update(1, AgentChange::Absent(false));
    // No cap: both offered, oldest first.
    assert_eq!(offers(&out), [(1, vec![1]), (2, vec![1])]);
    assert_eq!(out[0].log.trigger, Trigger::AgentAvailable);
    // Going away again: offers pass on, nobody else, they wait; the auto-reply is
    // not asked for twice.
    let out = w.update(1, AgentChange::AtWork(false));
    assert_eq!(withdrawn(&out).len(), 2);
    assert!(out.iter().all(|d| !matches!(
        d.action,
        Action::Waiting {
            send_no_agent_reply: true,
            ..
        }
    )));
}

#[test]
fn cap_exclusions_answered_waiting_for_client_and_awaiting_rating() {
    let mut w = World::new(0, Mode::Evenly);
    w.ok(Event::AgentAdded(Agent::new(a(1), "capped").with_cap(1)));
    w.ok(Event::AgentJoinedQueue {
        channel: CH,
        agent: a(1),
    });
    let mut s = w.settings();
    s.exclusions.waiting_for_client = true;
    w.configure(s);
    w.give(1, 1);
    assert!(matches!(w.create(2)[0].action, Action::Waiting { .. }));
    // The agent replies: conversation 1 waits for the client and stops counting.
    let out = w.ok(Event::AgentReplied { conversation: c(1) });
    assert_eq!(offers(&out), [(2, vec![1])]);
    // The client replies: 1 counts again, the newest offer goes back to waiting.
    let out = w.ok(Event::ClientReplied { conversation: c(1) });
    assert_eq!(withdrawn(&out), [(2, vec![1])]);
    assert!(matches!(
        out.last().map(|d| &d.action),
        Some(Action::Waiting { .. })
    ));
    assert_eq!(w.engine.load(a(1)).map(AgentLoad::busy), Some(1));
    // Closed awaiting rating: excluded because an exclusion option is on.
    let out = w.ok(Event::ConversationClosed {
        conversation: c(1),
        awaiting_rating: true,
    });
    assert_eq!(offers(&out), [(2, vec![1])]);
    w.take(2, 1);
    w.ok(Event::RatingReceived { conversation: c(1) });
    // With no exclusion at all, closed-awaiting-rating counts until the rating.
    let mut s = w.settings();
    s.exclusions = LoadExclusions::default();
    w.configure(s);
    w.ok(Event::ConversationClosed {
        conversation: c(2),
        awaiting_rating: true,
    });
    assert!(matches!(w.create(3)[0].action, Action::Waiting { .. }));
    let out = w.ok(Event::RatingReceived { conversation: c(2) });
    assert_eq!(offers(&out), [(3, vec![1])]);
}

#[test]
fn answered_exclusion() {
    let mut w = World::new(0, Mode::Strict);
    w.ok(Event::AgentAdded(Agent::new(a(1), "capped").with_cap(1)));
    w.ok(Event::AgentJoinedQueue {
        channel: CH,
        agent: a(1),
    });
    let mut s = w.settings();
    s.exclusions.answered = true;
    w.configure(s);
    w.give(1, 1);
    w.create(2);
    let out = w.ok(Event::AgentReplied { conversation: c(1) });
    assert_eq!(offers(&out), [(2, vec![1])]);
    // The client replying does not matter for the answered exclusion.
    assert!(w.ok(Event::ClientReplied { conversation: c(1) }).is_empty());
}

#[test]
fn lowering_the_cap_withdraws_the_newest_offers() {
    let mut w = World::new(1, Mode::Evenly);
    w.create(1);
    w.advance(1);
    w.create(2);
    w.advance(1);
    w.create(3);
    let out = w.update(1, AgentChange::Cap(Some(2)));
    assert_eq!(withdrawn(&out), [(3, vec![1])]);
    assert!(matches!(
        out[0].log.trigger,
        Trigger::Passed {
            reason: PassReason::NoLongerEligible(SkipReason::AtCap { load: 3, cap: 2 }),
            ..
        }
    ));
    assert_eq!(w.engine.waiting(CH).collect::<Vec<_>>(), [c(3)]);
}

#[test]
fn responsible_agent_first_even_outside_the_queue() {
    let mut w = World::new(2, Mode::Strict);
    w.ok(Event::AgentAdded(Agent::new(a(9), "account manager")));
    let mut s = w.settings();
    s.route_to_responsible = true;
    w.configure(s);
    let out = w.ok(Event::ConversationCreated {
        conversation: c(1),
        channel: CH,
        responsible: Some(a(9)),
    });
    assert_eq!(offer(&out), [9]);
    assert_eq!(out[0].log.candidates[0].role, Role::Responsible);
    // Declined: on to the queue.
    assert_eq!(offer(&w.decline(1, 9)), [1]);
    // Responsible offline: straight to the queue, reason logged.
    let mut s = w.settings();
    s.check_online = true;
    w.configure(s);
    w.update(9, AgentChange::Online(false));
    let out = w.ok(Event::ConversationCreated {
        conversation: c(2),
        channel: CH,
        responsible: Some(a(9)),
    });
    assert_eq!(offer(&out), [1]);
    assert_eq!(
        verdict_of(&out[0], 9),
        Verdict::Skipped(SkipReason::Offline)
    );
}

#[test]
fn responsible_agent_serves_waiting_customers_when_the_queue_is_empty() {
    let mut w = World::new(0, Mode::Evenly);
    w.ok(Event::AgentAdded(Agent::new(a(9), "account manager")));
    let mut s = w.settings();
    s.route_to_responsible = true;
    s.check_online = true;
    w.configure(s);
    w.update(9, AgentChange::AtWork(false));
    w.ok(Event::ConversationCreated {
        conversation: c(1),
        channel: CH,
        responsible: Some(a(9)),
    });
    assert_eq!(w.state(1), ConversationState::Waiting);
    let out = w.update(9, AgentChange::AtWork(true));
    assert_eq!(offers(&out), [(1, vec![9])]);
    // Declined, nobody else: waits, then comes back round to the only eligible agent.
    let out = w.decline(1, 9);
    assert_eq!(offers(&out), [(1, vec![9])]);
}

#[test]
fn a_customer_recognised_while_waiting_is_offered_to_their_responsible() {
    // Nobody in the queue: the conversation waits, unknown.
    let mut w = World::new(0, Mode::Evenly);
    w.ok(Event::AgentAdded(Agent::new(a(9), "account manager")));
    let mut s = w.settings();
    s.route_to_responsible = true;
    w.configure(s);
    w.create(1);
    assert_eq!(w.state(1), ConversationState::Waiting);
    let out = w.ok(Event::CustomerRecognised {
        conversation: c(1),
        responsible: a(9),
    });
    assert_eq!(offers(&out), [(1, vec![9])]);
    assert_eq!(
        out[0].log.trigger,
        Trigger::Recognised { responsible: a(9) }
    );
    assert_eq!(out[0].log.candidates[0].role, Role::Responsible);
    // Told again (another message with the same phone): nothing more.
    assert!(w
        .ok(Event::CustomerRecognised {
            conversation: c(1),
            responsible: a(9),
        })
        .is_empty());
}

#[test]
fn a_customer_recognised_while_offered_keeps_the_offer_and_their_responsible_comes_next() {
    let mut w = World::new(1, Mode::Strict);
    w.ok(Event::AgentAdded(Agent::new(a(9), "account manager")));
    let mut s = w.settings();
    s.route_to_responsible = true;
    w.configure(s);
    assert_eq!(offer(&w.create(1)), [1]);
    assert!(w
        .ok(Event::CustomerRecognised {
            conversation: c(1),
            responsible: a(9),
        })
        .is_empty());
    assert!(matches!(w.state(1), ConversationState::Offered { .. }));
    // Declined by the queue's agent: the responsible next.
    assert_eq!(offer(&w.decline(1, 1)), [9]);
}

#[test]
fn a_customer_recognised_in_a_held_or_closed_conversation_moves_nothing() {
    let mut w = World::new(1, Mode::Strict);
    w.ok(Event::AgentAdded(Agent::new(a(9), "account manager")));
    let mut s = w.settings();
    s.route_to_responsible = true;
    w.configure(s);
    w.create(1);
    w.ok(Event::OfferTaken {
        conversation: c(1),
        agent: a(1),
    });
    assert!(w
        .ok(Event::CustomerRecognised {
            conversation: c(1),
            responsible: a(9),
        })
        .is_empty());
    assert_eq!(w.state(1), ConversationState::Assigned(a(1)));
    w.ok(Event::ConversationClosed {
        conversation: c(1),
        awaiting_rating: false,
    });
    assert_eq!(
        w.try_event(Event::CustomerRecognised {
            conversation: c(1),
            responsible: a(9),
        }),
        Err(RoutingError::Closed(c(1)))
    );
}

#[test]
fn bot_first_then_handover_to_the_queue() {
    let mut w = World::new(2, Mode::Evenly);
    w.ok(Event::AgentAdded(Agent::bot(a(50), "Helper bot")));
    let mut s = w.settings();
    s.bot = Some(a(50));
    s.entries.push(QueueEntry::Agent(a(50))); // bots are never routed from a queue
    w.configure(s);
    let out = w.create(1);
    assert_eq!(
        out[0].action,
        Action::Assigned {
            conversation: c(1),
            agent: a(50)
        }
    );
    let out = w.ok(Event::BotHandover { conversation: c(1) });
    assert_eq!(offer(&out), [1]);
    assert_eq!(out[0].log.trigger, Trigger::BotHandover { bot: a(50) });
    assert_eq!(verdict_of(&out[0], 50), Verdict::Skipped(SkipReason::Bot));
    assert_eq!(
        w.try_event(Event::BotHandover { conversation: c(1) }),
        Err(RoutingError::NotWithBot(c(1)))
    );
    // A dismissed bot is skipped and logged.
    w.update(50, AgentChange::Dismissed(true));
    let out = w.create(2);
    assert_eq!(
        verdict_of(&out[0], 50),
        Verdict::Skipped(SkipReason::Dismissed)
    );
    assert_eq!(offer(&out), [2]);
}

#[test]
fn a_channel_is_staffed_while_a_queue_member_is_present_or_it_has_a_bot() {
    let mut w = World::new(2, Mode::Evenly);
    let mut s = w.settings();
    s.check_online = true;
    w.configure(s);
    assert!(w.engine.staffed(CH));
    w.update(1, AgentChange::Online(false));
    assert!(w.engine.staffed(CH), "agent 2 is still there");
    w.update(2, AgentChange::Absent(true));
    assert!(!w.engine.staffed(CH), "one offline, one away");
    w.update(2, AgentChange::Absent(false));
    w.update(2, AgentChange::Cap(Some(0)));
    assert!(w.engine.staffed(CH), "busy is still there");
    w.update(2, AgentChange::Dismissed(true));
    assert!(!w.engine.staffed(CH));
    w.ok(Event::AgentAdded(Agent::bot(a(50), "Helper bot")));
    let mut s = w.settings();
    s.bot = Some(a(50));
    w.configure(s);
    assert!(w.engine.staffed(CH), "the bot answers");
    assert!(!w.engine.staffed(ChannelId(99)), "no such channel");
}

#[test]
fn a_closed_conversation_the_customer_writes_in_is_routed_again_waiting_from_then() {
    let mut w = World::new(1, Mode::Strict);
    w.give(1, 1);
    assert_eq!(
        w.try_event(Event::Reopened { conversation: c(1) }),
        Err(RoutingError::NotClosed(c(1))),
        "only a closed conversation reopens"
    );
    w.ok(Event::ConversationClosed {
        conversation: c(1),
        awaiting_rating: false,
    });
    // Nobody can take anything; a newer conversation starts waiting first.
    w.update(1, AgentChange::Cap(Some(0)));
    w.advance(10);
    assert!(matches!(w.create(2)[0].action, Action::Waiting { .. }));
    w.advance(10);
    let out = w.ok(Event::Reopened { conversation: c(1) });
    assert_eq!(out[0].log.trigger, Trigger::Reopened);
    assert!(matches!(out[0].action, Action::Waiting { .. }));
    assert_eq!(w.state(1), ConversationState::Waiting);
    assert_eq!(
        w.try_event(Event::Reopened { conversation: c(1) }),
        Err(RoutingError::NotClosed(c(1)))
    );
    // The agent is back: the one that waited longer is offered first, then the
    // reopened one.
    let out = w.update(1, AgentChange::Cap(Some(2)));
    assert_eq!(offers(&out), [(2, vec![1]), (1, vec![1])]);
}

#[test]
fn transfer_to_an_agent_and_back_to_the_queue() {
    let mut w = World::new(3, Mode::Strict);
    w.ok(Event::AgentAdded(Agent::new(a(7), "outside").with_cap(0)));
    w.create(1);
    w.take(1, 1);
    assert_eq!(
        w.try_event(Event::Transfer {
            conversation: c(1),
            to: TransferTarget::Agent(a(7)),
            make_responsible: false,
        }),
        Err(RoutingError::TargetNotEligible {
            conversation: c(1),
            agent: a(7),
            reason: SkipReason::AtCap { load: 0, cap: 0 }
        })
    );
    assert_eq!(
        w.try_event(Event::Transfer {
            conversation: c(1),
            to: TransferTarget::Agent(a(1)),
            make_responsible: false,
        }),
        Err(RoutingError::AlreadyWith {
            conversation: c(1),
            agent: a(1)
        })
    );
    let out = w.ok(Event::Transfer {
        conversation: c(1),
        to: TransferTarget::Agent(a(3)),
        make_responsible: true,
    });
    assert_eq!(
        out[0].action,
        Action::Assigned {
            conversation: c(1),
            agent: a(3)
        }
    );
    let conv = w.engine.conversation(c(1)).expect("conv");
    assert_eq!(conv.responsible, Some(a(3)));
    assert_eq!(w.engine.load(a(1)).map(AgentLoad::busy), Some(0));
    // Back to the queue: the next after agent 3, round the queue.
    let out = w.ok(Event::Transfer {
        conversation: c(1),
        to: TransferTarget::Queue,
        make_responsible: false,
    });
    assert_eq!(offer(&out), [1]);
    assert_eq!(w.engine.load(a(3)).map(AgentLoad::busy), Some(0));
}

#[test]
fn departments_expand_in_member_order_keeping_the_first_position() {
    let mut w = World::new(0, Mode::Strict);
    for i in 1..=4 {
        w.ok(Event::AgentAdded(Agent::new(a(i), format!("Agent {i}"))));
    }
    w.ok(Event::DepartmentChanged {
        department: DepartmentId(1),
        members: vec![a(3), a(1), a(2)],
    });
    w.ok(Event::QueueChanged {
        channel: CH,
        entries: vec![
            QueueEntry::Agent(a(2)),
            QueueEntry::Department(DepartmentId(1)),
            QueueEntry::Agent(a(4)),
            QueueEntry::Agent(a(3)),
        ],
    });
    assert_eq!(w.engine.queue(CH), Some(vec![a(2), a(3), a(1), a(4)]));
    // Department changes reach the queue.
    w.ok(Event::DepartmentChanged {
        department: DepartmentId(1),
        members: vec![a(1)],
    });
    assert_eq!(w.engine.queue(CH), Some(vec![a(2), a(1), a(4), a(3)]));
}

#[test]
fn leaving_the_queue_withdraws_the_offer_and_passes_it_on() {
    let mut w = World::new(2, Mode::Strict);
    w.create(1);
    let out = w.ok(Event::AgentLeftQueue {
        channel: CH,
        agent: a(1),
    });
    assert_eq!(withdrawn(&out), [(1, vec![1])]);
    assert_eq!(offer(&out), [2]);
    assert!(matches!(
        out[0].log.trigger,
        Trigger::Passed {
            reason: PassReason::NoLongerEligible(SkipReason::NotInQueue),
            ..
        }
    ));
    // Joining again makes them eligible for waiting conversations at once.
    w.update(2, AgentChange::Cap(Some(1)));
    w.create(2);
    let out = w.ok(Event::AgentJoinedQueue {
        channel: CH,
        agent: a(1),
    });
    assert_eq!(offers(&out), [(2, vec![1])]);
}

#[test]
fn closing_withdraws_offers_and_refused_events_change_nothing() {
    let mut w = World::new(2, Mode::All);
    w.create(1);
    let out = w.ok(Event::ConversationClosed {
        conversation: c(1),
        awaiting_rating: false,
    });
    assert_eq!(withdrawn(&out), [(1, vec![1, 2])]);
    assert_eq!(out[0].log.trigger, Trigger::Closed);
    assert_eq!(
        w.try_event(Event::OfferTaken {
            conversation: c(1),
            agent: a(1)
        }),
        Err(RoutingError::Closed(c(1)))
    );
    assert_eq!(
        w.try_event(Event::ConversationCreated {
            conversation: c(1),
            channel: CH,
            responsible: None
        }),
        Err(RoutingError::DuplicateConversation(c(1)))
    );
    assert_eq!(
        w.try_event(Event::RatingReceived { conversation: c(1) }),
        Err(RoutingError::NotAwaitingRating(c(1)))
    );
    assert_eq!(
        w.try_event(Event::OfferDeclined {
            conversation: c(9),
            agent: a(1)
        }),
        Err(RoutingError::UnknownConversation(c(9)))
    );
}

#[test]
fn the_log_reads_well_and_serialises() {
    let mut w = World::new(3, Mode::Evenly);
    let mut s = w.settings();
    s.check_online = true;
    w.configure(s);
    w.update(1, AgentChange::Online(false));
    w.update(3, AgentChange::Cap(Some(0)));
    w.advance(90_000);
    let out = w.create(7);
    let text = out[0].to_string();
    assert_eq!(
        text,
        "1970-01-01T00:01:30.000Z conversation #7 (channel #1, evenly): offered to agent #2 \
         until 1970-01-01T00:02:30.000Z; new conversation\n  \
         agent #1: skipped, offline\n  \
         agent #2: chosen\n  \
         agent #3: skipped, at cap 0/0"
    );
    let json = serde_json::to_value(&out[0]).expect("serialises");
    assert_eq!(json["log"]["mode"], "evenly");
    assert_eq!(json["action"]["type"], "offer");
    assert_eq!(
        json["log"]["candidates"][0]["verdict"]["reason"]["type"],
        "offline"
    );
}

#[test]
fn same_events_same_decisions() {
    let run = || {
        let mut w = World::new(5, Mode::Evenly);
        let mut all = Vec::new();
        for i in 1..=20 {
            w.advance(7_000);
            all.extend(w.create(i));
            if i % 3 == 0 {
                all.extend(w.tick());
            }
        }
        all
    };
    assert_eq!(run(), run());
}

#[test]
fn restored_conversation_counts_against_the_cap_and_is_not_routed_again() {
    let mut w = World::new(2, Mode::Evenly);
    w.ok(Event::AgentUpdated {
        agent: a(1),
        change: AgentChange::Cap(Some(1)),
    });
    let decisions = w
        .engine
        .restore_assigned(Timestamp(w.t), c(7), CH, a(1), true, false)
        .expect("restore");
    assert!(decisions.is_empty(), "{decisions:?}");
    assert_eq!(
        w.engine.conversation(c(7)).map(|c| c.state.clone()),
        Some(ConversationState::Assigned(a(1)))
    );
    // Agent 1 is at the cap: a new conversation goes to agent 2.
    let d = w.create(8);
    assert!(
        d.iter()
            .any(|d| matches!(&d.action, Action::Offer { agents, .. } if agents == &[a(2)])),
        "{d:?}"
    );
    assert_eq!(
        w.engine
            .restore_assigned(Timestamp(w.t), c(7), CH, a(2), false, false)
            .map(drop),
        Err(RoutingError::DuplicateConversation(c(7)))
    );
    assert_eq!(
        w.engine
            .restore_assigned(Timestamp(w.t), c(9), CH, a(99), false, false)
            .map(drop),
        Err(RoutingError::UnknownAgent(a(99)))
    );
    w.engine.assert_consistent();
}

#[test]
fn a_restored_offer_keeps_its_deadline_then_passes_on() {
    let mut w = World::new(2, Mode::Strict);
    w.update(1, AgentChange::Online(false));
    w.update(2, AgentChange::Online(false));
    w.advance(10 * MIN);
    // Offered to agent 1 at 9 minutes, for one minute; the process restarted since.
    let out = w
        .engine
        .restore_offered(
            Timestamp(w.t),
            c(1),
            CH,
            &[a(1), a(99)],
            Timestamp(9 * MIN),
            Timestamp(10 * MIN + 30_000),
        )
        .expect("restored");
    w.engine.assert_consistent();
    assert!(out.is_empty(), "no new offer: {out:?}");
    assert!(
        matches!(w.state(1), ConversationState::Offered { ref agents, .. } if agents == &[a(1)]),
        "the unknown agent is left out"
    );
    assert_eq!(w.engine.next_deadline(), Some(Timestamp(10 * MIN + 30_000)));
    assert!(w.tick().is_empty(), "not due yet");

    // Agent 1 is back in time and may take it.
    w.update(1, AgentChange::Online(true));
    let out = w.take(1, 1);
    assert!(!out.is_empty());
    assert_eq!(w.state(1), ConversationState::Assigned(a(1)));

    // Another one, whose agent does not come back: it passes at its deadline.
    w.update(2, AgentChange::Online(true));
    w.engine
        .restore_offered(
            Timestamp(w.t),
            c(2),
            CH,
            &[a(1)],
            Timestamp(9 * MIN),
            Timestamp(10 * MIN + 30_000),
        )
        .expect("restored");
    w.advance(30_000);
    let out = w.tick();
    assert_eq!(withdrawn(&out), [(2, vec![1])]);
    assert_eq!(offer(&out), [2]);

    // No agent known: routed as a new conversation.
    let out = w
        .engine
        .restore_offered(
            Timestamp(w.t),
            c(3),
            CH,
            &[a(77)],
            Timestamp(0),
            Timestamp(MIN),
        )
        .expect("routed");
    w.engine.assert_consistent();
    assert_eq!(offer(&out), [1]);
    assert_eq!(
        w.engine.restore_offered(
            Timestamp(w.t),
            c(3),
            CH,
            &[a(1)],
            Timestamp(0),
            Timestamp(MIN)
        ),
        Err(RoutingError::DuplicateConversation(c(3)))
    );
}

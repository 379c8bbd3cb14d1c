//! Routing decision benchmark (design budget: at most 50 µs per decision with 1,000
//! agents and 10,000 waiting conversations).
//!
//! Builds, for `evenly` and for `strict`: one channel whose queue holds 1,000 agents
//! (presence checked, cap 1), each agent holding one conversation, and 10,000
//! conversations waiting. Then, many times over, with `std::time::Instant` around
//! each event:
//! - *freed*: an agent's conversation closes, the agent becomes eligible and gets
//!   the oldest waiting conversation (an offer);
//! - *taken*: the agent takes the offer (an assignment);
//! - *new*: a new conversation arrives and is routed (nobody is free: it waits).
//!
//! The number of waiting conversations stays at 10,000 throughout. Prints a human
//! summary and lines `BENCH routing_evenly_ns <median>` / `BENCH routing_strict_ns
//! <median>`: the median nanoseconds per decision over all measured events.
//!
//! Run: `cargo run --release -p canal-server --example routing_bench`.

use std::time::Instant;

use canal_server::routing::{
    Action, Agent, AgentId, ChannelId, ConversationId, Decision, Engine, Event, Mode, PassAfter,
    QueueEntry, QueueSettings, Timestamp,
};

const AGENTS: u64 = 1_000;
const WAITING: u64 = 10_000;
const CYCLES: u64 = 20_000;
const WARMUP: u64 = 2_000;
const CH: ChannelId = ChannelId(1);
const BUDGET_NS: u64 = 50_000;

struct Bench {
    engine: Engine,
    t: u64,
    next_conv: u64,
    /// The conversation each agent holds (index = agent id - 1).
    held: Vec<ConversationId>,
}

impl Bench {
    fn handle(&mut self, event: Event) -> Vec<Decision> {
        self.t += 1;
        match self.engine.handle(Timestamp(self.t), event) {
            Ok(decisions) => decisions,
            Err(e) => panic!("benchmark event refused: {e}"),
        }
    }

    fn create(&mut self) -> (ConversationId, Vec<Decision>) {
        self.next_conv += 1;
        let id = ConversationId(self.next_conv);
        let out = self.handle(Event::ConversationCreated {
            conversation: id,
            channel: CH,
            responsible: None,
        });
        (id, out)
    }

    fn build(mode: Mode) -> Bench {
        let mut b = Bench {
            engine: Engine::new(),
            t: 0,
            next_conv: 0,
            held: vec![ConversationId(0); AGENTS as usize],
        };
        for i in 1..=AGENTS {
            b.handle(Event::AgentAdded(
                Agent::new(AgentId(i), format!("Agent {i}")).with_cap(1),
            ));
        }
        let entries = (1..=AGENTS)
            .map(|i| QueueEntry::Agent(AgentId(i)))
            .collect();
        let pass_after = PassAfter::from_minutes(10).unwrap_or_else(|e| panic!("{e}"));
        let mut settings = QueueSettings::new(entries, mode, pass_after);
        settings.check_online = true;
        settings.no_agent_reply = true;
        b.handle(Event::ChannelConfigured {
            channel: CH,
            settings,
        });
        // Everyone gets and takes one conversation.
        for _ in 0..AGENTS {
            let (id, out) = b.create();
            let agent = offered_to(&out);
            b.handle(Event::OfferTaken {
                conversation: id,
                agent,
            });
            b.held[(agent.0 - 1) as usize] = id;
        }
        // Then 10,000 wait.
        for _ in 0..WAITING {
            let (_, out) = b.create();
            assert!(matches!(out[0].action, Action::Waiting { .. }));
        }
        assert_eq!(b.engine.waiting(CH).count() as u64, WAITING);
        b
    }
}

fn offered_to(out: &[Decision]) -> AgentId {
    out.iter()
        .find_map(|d| match &d.action {
            Action::Offer { agents, .. } => agents.first().copied(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("expected an offer in {out:?}"))
}

#[derive(Default)]
struct Samples {
    freed: Vec<u64>,
    taken: Vec<u64>,
    new: Vec<u64>,
}

impl Samples {
    fn all(&self) -> Vec<u64> {
        let mut all = Vec::with_capacity(self.freed.len() * 3);
        all.extend(&self.freed);
        all.extend(&self.taken);
        all.extend(&self.new);
        all
    }
}

/// Times one event; returns nanoseconds per decision it made.
fn timed(b: &mut Bench, event: Event) -> (u64, Vec<Decision>) {
    b.t += 1;
    let start = Instant::now();
    let out = b.engine.handle(Timestamp(b.t), event);
    let ns = start.elapsed().as_nanos() as u64;
    let out = out.unwrap_or_else(|e| panic!("benchmark event refused: {e}"));
    let per = ns / (out.len().max(1) as u64);
    (per, out)
}

fn run(mode: Mode) -> Samples {
    let build_start = Instant::now();
    let mut b = Bench::build(mode);
    eprintln!(
        "{mode}: built {AGENTS} agents, {WAITING} waiting in {:.1} s",
        build_start.elapsed().as_secs_f64()
    );
    let mut samples = Samples::default();
    for cycle in 0..WARMUP + CYCLES {
        let measured = cycle >= WARMUP;
        let slot = (cycle % AGENTS) as usize;
        // Freed: the agent's conversation closes; they get the oldest waiting one.
        let closing = b.held[slot];
        let (ns, out) = timed(
            &mut b,
            Event::ConversationClosed {
                conversation: closing,
                awaiting_rating: false,
            },
        );
        let agent = offered_to(&out);
        assert_eq!(agent, AgentId(slot as u64 + 1));
        let conv = out[0].action.conversation();
        if measured {
            samples.freed.push(ns);
        }
        // Taken.
        let (ns, out) = timed(
            &mut b,
            Event::OfferTaken {
                conversation: conv,
                agent,
            },
        );
        assert!(matches!(out[0].action, Action::Assigned { .. }));
        b.held[slot] = conv;
        if measured {
            samples.taken.push(ns);
        }
        // New: routed, nobody free, it waits.
        b.next_conv += 1;
        let new = ConversationId(b.next_conv);
        let (ns, out) = timed(
            &mut b,
            Event::ConversationCreated {
                conversation: new,
                channel: CH,
                responsible: None,
            },
        );
        assert!(matches!(out[0].action, Action::Waiting { .. }));
        if measured {
            samples.new.push(ns);
        }
    }
    assert_eq!(b.engine.waiting(CH).count() as u64, WAITING);
    samples
}

fn percentile(v: &mut [u64], p: f64) -> u64 {
    v.sort_unstable();
    if v.is_empty() {
        return 0;
    }
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

fn report(mode: Mode, s: &Samples) -> u64 {
    for (name, v) in [("freed", &s.freed), ("taken", &s.taken), ("new", &s.new)] {
        let mut v = v.clone();
        println!(
            "{mode:>6} {name:>5}: median {:>6} ns, p99 {:>6} ns per decision ({} events)",
            percentile(&mut v, 0.5),
            percentile(&mut v, 0.99),
            v.len()
        );
    }
    let mut all = s.all();
    let median = percentile(&mut all, 0.5);
    let p99 = percentile(&mut all, 0.99);
    let verdict = if p99 <= BUDGET_NS { "within" } else { "OVER" };
    println!(
        "{mode:>6}   all: median {median} ns, p99 {p99} ns per decision; \
         {verdict} the {BUDGET_NS} ns budget ({AGENTS} agents, {WAITING} waiting)"
    );
    median
}

fn main() {
    let evenly = run(Mode::Evenly);
    let evenly_median = report(Mode::Evenly, &evenly);
    let strict = run(Mode::Strict);
    let strict_median = report(Mode::Strict, &strict);
    println!("BENCH routing_evenly_ns {evenly_median}");
    println!("BENCH routing_strict_ns {strict_median}");
}

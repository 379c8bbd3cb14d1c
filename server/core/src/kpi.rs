//! Response-time KPIs, pure: the length of a wait counting only the time the
//! channel is open ([`working_secs`]), when a limit runs out counted so
//! ([`deadline`]), the waits of a conversation's timeline and who answered them
//! ([`responses`]), the figures over them ([`figures`]), which overdue timers a
//! visitor's message arms ([`on_visitor_message`]) and the notice's text
//! ([`notice_text`]). No clock: the caller passes every instant.
//!
//! The rule: a wait starts with the visitor's first message after an agent's
//! answer (or their first message at all: the first wait, whose length is the
//! first response time) and ends with the next agent message, which counts for
//! the agent who wrote it (after a transfer, the agent it went to). A close
//! ends a wait unanswered: it counts in no figure, and a visitor who writes after
//! the conversation opened again starts a new wait. With working hours, only the
//! time the channel is open counts; without, the whole time.

use canal_protocol::automation::{AutomationSettings, DEFAULT_KPI_NOTICE};
use canal_protocol::kpi::{Figures, KpiKind};
use jiff::Timestamp;

use crate::automation::{TimerChange, TimerKind};
use crate::hours::{status, Schedule};

/// Most open/closed changes one measure walks through (a wait of years over
/// short openings still ends).
const MAX_CHANGES: usize = 100_000;

/// Seconds from `from` to `to` while the channel is open (`None`: no working
/// hours, always open). Zero when `to` is not after `from`.
pub fn working_secs(schedule: Option<&Schedule>, from: Timestamp, to: Timestamp) -> u64 {
    let secs =
        |a: Timestamp, b: Timestamp| u64::try_from(b.as_second() - a.as_second()).unwrap_or(0);
    if to <= from {
        return 0;
    }
    let Some(schedule) = schedule else {
        return secs(from, to);
    };
    let mut total = 0;
    let mut at = from;
    for _ in 0..MAX_CHANGES {
        let now = status(schedule, at);
        let end = now.next_change.map_or(to, |change| change.min(to));
        if now.open {
            total += secs(at, end);
        }
        if end >= to || now.next_change.is_none() {
            break;
        }
        at = end;
    }
    total
}

/// The instant a limit of `limit_secs` of open time, counted from `from`, runs
/// out (`None`: the channel never opens long enough again).
pub fn deadline(
    schedule: Option<&Schedule>,
    from: Timestamp,
    limit_secs: u64,
) -> Option<Timestamp> {
    let add = |at: Timestamp, secs: u64| {
        i64::try_from(secs)
            .ok()
            .and_then(|s| at.checked_add(jiff::SignedDuration::from_secs(s)).ok())
    };
    let Some(schedule) = schedule else {
        return add(from, limit_secs);
    };
    let mut left = limit_secs;
    let mut at = from;
    for _ in 0..MAX_CHANGES {
        let now = status(schedule, at);
        match (now.open, now.next_change) {
            (true, None) => return add(at, left),
            (false, None) => return None,
            (true, Some(change)) => {
                let open = u64::try_from(change.as_second() - at.as_second()).unwrap_or(0);
                if left <= open {
                    return add(at, left);
                }
                left -= open;
                at = change;
            }
            (false, Some(change)) => at = change,
        }
    }
    None
}

/// Who wrote a message (system messages are left out of a timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Visitor,
    /// An agent, by id.
    Agent(i64),
}

/// What happened in a conversation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Message {
        at: Timestamp,
        author: Author,
    },
    /// It closed (a wait running ends unanswered).
    Closed {
        at: Timestamp,
    },
}

/// An answered wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    /// Who answered.
    pub agent_id: i64,
    /// The first wait (its length is the first response time).
    pub first: bool,
    /// When the answer came.
    pub answered_at: Timestamp,
    /// How long it waited, open time only.
    pub secs: u64,
}

/// The answered waits of a timeline (see the module's rule).
pub fn responses(steps: &[Step], schedule: Option<&Schedule>) -> Vec<Response> {
    let mut out = Vec::new();
    // The wait running: since when, and whether it is the first.
    let mut waiting: Option<(Timestamp, bool)> = None;
    let mut visitor_wrote = false;
    for step in steps {
        match *step {
            Step::Message {
                at,
                author: Author::Visitor,
            } => {
                if waiting.is_none() {
                    waiting = Some((at, !visitor_wrote));
                }
                visitor_wrote = true;
            }
            Step::Message {
                at,
                author: Author::Agent(agent_id),
            } => {
                if let Some((since, first)) = waiting.take() {
                    out.push(Response {
                        agent_id,
                        first,
                        answered_at: at,
                        secs: working_secs(schedule, since, at),
                    });
                }
            }
            Step::Closed { .. } => waiting = None,
        }
    }
    out
}

/// A conversation's figures over its answered waits.
pub fn figures(responses: &[Response]) -> Figures {
    let n = responses.len() as u64;
    let total: u64 = responses.iter().map(|r| r.secs).sum();
    Figures {
        first_response_secs: responses.iter().find(|r| r.first).map(|r| r.secs),
        total_response_secs: (n > 0).then_some(total),
        average_response_secs: total.checked_div(n),
        max_response_secs: responses.iter().map(|r| r.secs).max(),
        responses: n,
    }
}

/// The timer of a KPI kind.
pub fn timer_kind(kind: KpiKind) -> TimerKind {
    match kind {
        KpiKind::First => TimerKind::KpiFirst,
        KpiKind::Next => TimerKind::KpiNext,
    }
}

/// The KPI kind of a timer, if it is one.
pub fn kind_of(timer: TimerKind) -> Option<KpiKind> {
    match timer {
        TimerKind::KpiFirst => Some(KpiKind::First),
        TimerKind::KpiNext => Some(KpiKind::Next),
        _ => None,
    }
}

/// The limit of `kind`, in minutes, when its notices are on.
pub fn limit(settings: &AutomationSettings, kind: KpiKind) -> Option<u32> {
    settings.kpi_notify_agent_id?;
    match kind {
        KpiKind::First => settings.kpi_first_minutes,
        KpiKind::Next => settings.kpi_next_minutes,
    }
}

/// Where a visitor's message (stored already) stands in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// It is the visitor's first message.
    pub first: bool,
    /// The message before it (system messages aside) is the visitor's too: a
    /// wait runs already, since an earlier one.
    pub wait_runs: bool,
}

/// A visitor's message: when it starts a wait and the limit for that wait has
/// notices on, the overdue timer is armed for when the limit runs out (open time
/// only). A message while a wait runs arms nothing: each wait has one timer, so
/// one notice at most.
pub fn on_visitor_message(
    settings: &AutomationSettings,
    arrival: Arrival,
    now: Timestamp,
    schedule: Option<&Schedule>,
) -> Vec<TimerChange> {
    if arrival.wait_runs {
        return Vec::new();
    }
    let kind = if arrival.first {
        KpiKind::First
    } else {
        KpiKind::Next
    };
    let Some(minutes) = limit(settings, kind) else {
        return Vec::new();
    };
    let Some(due) = deadline(schedule, now, u64::from(minutes) * 60) else {
        return Vec::new();
    };
    let Ok(due) = time::OffsetDateTime::from_unix_timestamp_nanos(due.as_nanosecond()) else {
        return Vec::new();
    };
    vec![TimerChange::Arm {
        kind: timer_kind(kind),
        due,
        keep: true,
    }]
}

/// An agent answered, or the conversation closed: the wait is over.
pub fn on_wait_over() -> Vec<TimerChange> {
    vec![
        TimerChange::Cancel(TimerKind::KpiFirst),
        TimerChange::Cancel(TimerKind::KpiNext),
    ]
}

/// The notice's text: the channel's template (blank: [`DEFAULT_KPI_NOTICE`]) with
/// `#OPERATOR#` and `#DIALOG#` filled in, and whether it is the default.
pub fn notice_text(template: Option<&str>, operator: &str, dialog: &str) -> (String, bool) {
    let own = template.map(str::trim).filter(|t| !t.is_empty());
    let text = own
        .unwrap_or(DEFAULT_KPI_NOTICE)
        .replace("#OPERATOR#", operator)
        .replace("#DIALOG#", dialog);
    (text, own.is_none())
}

#[cfg(test)]
mod tests {
    use canal_protocol::hours::{TimeRange, WeekHours, WorkingHours};

    use super::*;

    /// A simulated clock: minutes after Monday 2030-01-07 00:00 UTC.
    fn at(minutes: i64) -> Timestamp {
        let monday: Timestamp = "2030-01-07T00:00:00Z".parse().expect("instant");
        monday
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .expect("in range")
    }

    const H: i64 = 60;

    /// Open 09:00-17:00 UTC on weekdays.
    fn office() -> Schedule {
        let r = vec![TimeRange {
            from: "09:00".into(),
            to: "17:00".into(),
        }];
        let days = WeekHours {
            mon: r.clone(),
            tue: r.clone(),
            wed: r.clone(),
            thu: r.clone(),
            fri: r,
            ..WeekHours::default()
        };
        crate::hours::check(WorkingHours {
            time_zone: "UTC".into(),
            days,
            holidays: Vec::new(),
            out_of_hours_reply: None,
        })
        .expect("hours")
        .1
    }

    fn visitor(minutes: i64) -> Step {
        Step::Message {
            at: at(minutes),
            author: Author::Visitor,
        }
    }

    fn agent(minutes: i64, id: i64) -> Step {
        Step::Message {
            at: at(minutes),
            author: Author::Agent(id),
        }
    }

    #[test]
    fn without_hours_a_wait_is_the_whole_time() {
        assert_eq!(working_secs(None, at(0), at(5)), 300);
        assert_eq!(working_secs(None, at(5), at(0)), 0);
        assert_eq!(deadline(None, at(0), 300), Some(at(5)));
    }

    #[test]
    fn only_open_time_counts() {
        let s = office();
        // Monday 16:50 to Tuesday 09:10: 10 minutes on each side of the night.
        assert_eq!(
            working_secs(Some(&s), at(16 * H + 50), at(24 * H + 9 * H + 10)),
            20 * 60
        );
        // Entirely at night: nothing.
        assert_eq!(working_secs(Some(&s), at(20 * H), at(22 * H)), 0);
        // Friday 16:30 to Monday 09:30 over the weekend: an hour.
        let friday = 4 * 24 * H;
        assert_eq!(
            working_secs(
                Some(&s),
                at(friday + 16 * H + 30),
                at(7 * 24 * H + 9 * H + 30)
            ),
            3600
        );
        // A 20-minute limit from Monday 16:50 runs out Tuesday 09:10; from 20:00
        // (closed), Tuesday 09:20.
        assert_eq!(
            deadline(Some(&s), at(16 * H + 50), 1200),
            Some(at(24 * H + 9 * H + 10))
        );
        assert_eq!(
            deadline(Some(&s), at(20 * H), 1200),
            Some(at(24 * H + 9 * H + 20))
        );
    }

    #[test]
    fn a_channel_never_open_has_no_deadline() {
        let never = crate::hours::check(WorkingHours {
            time_zone: "UTC".into(),
            days: WeekHours::default(),
            holidays: Vec::new(),
            out_of_hours_reply: None,
        })
        .expect("hours")
        .1;
        assert_eq!(deadline(Some(&never), at(0), 60), None);
        assert_eq!(working_secs(Some(&never), at(0), at(600)), 0);
    }

    #[test]
    fn waits_count_from_the_first_unanswered_message_to_the_next_answer() {
        let steps = [
            visitor(10),
            visitor(12), // the same wait
            agent(15, 1),
            agent(16, 1), // no wait running
            visitor(20),
            agent(30, 1),
        ];
        let r = responses(&steps, None);
        assert_eq!(
            r.iter().map(|r| (r.first, r.secs)).collect::<Vec<_>>(),
            vec![(true, 300), (false, 600)]
        );
        let f = figures(&r);
        assert_eq!(f.first_response_secs, Some(300));
        assert_eq!(f.total_response_secs, Some(900));
        assert_eq!(f.average_response_secs, Some(450));
        assert_eq!(f.max_response_secs, Some(600));
        assert_eq!(f.responses, 2);
    }

    #[test]
    fn an_agent_who_writes_first_does_not_answer_a_wait() {
        let r = responses(&[agent(0, 1), visitor(5), agent(7, 1)], None);
        assert_eq!(r.len(), 1);
        assert!(r[0].first);
        assert_eq!(r[0].secs, 120);
    }

    #[test]
    fn after_a_transfer_the_answer_counts_for_the_new_agent() {
        // Ana (1) answered, the visitor asked again, the conversation went to
        // Bo (2), who answered.
        let r = responses(&[visitor(0), agent(1, 1), visitor(2), agent(9, 2)], None);
        assert_eq!(
            r.iter().map(|r| (r.agent_id, r.secs)).collect::<Vec<_>>(),
            vec![(1, 60), (2, 420)]
        );
    }

    #[test]
    fn a_close_ends_a_wait_unanswered_and_a_reopen_starts_a_new_one() {
        let steps = [
            visitor(0),
            agent(2, 1),
            visitor(3),
            Step::Closed { at: at(10) },
            // Reopened (say, by a late rating), the visitor writes again.
            visitor(60),
            agent(61, 1),
        ];
        let r = responses(&steps, None);
        assert_eq!(
            r.iter().map(|r| (r.first, r.secs)).collect::<Vec<_>>(),
            vec![(true, 120), (false, 60)]
        );
        // A conversation closed before any answer has no first response.
        let none = responses(
            &[
                visitor(0),
                Step::Closed { at: at(1) },
                visitor(5),
                agent(6, 1),
            ],
            None,
        );
        assert_eq!(figures(&none).first_response_secs, None);
        assert_eq!(figures(&none).responses, 1);
        assert_eq!(figures(&[]), Figures::default());
    }

    #[test]
    fn figures_respect_working_hours() {
        let s = office();
        // Asked Monday 16:55, answered Tuesday 09:05: ten open minutes.
        let r = responses(
            &[visitor(16 * H + 55), agent(24 * H + 9 * H + 5, 1)],
            Some(&s),
        );
        assert_eq!(r[0].secs, 600);
    }

    fn kpi(first: Option<u32>, next: Option<u32>, notify: Option<u64>) -> AutomationSettings {
        AutomationSettings {
            kpi_first_minutes: first,
            kpi_next_minutes: next,
            kpi_notify_agent_id: notify,
            ..AutomationSettings::default()
        }
    }

    #[test]
    fn a_wait_arms_its_one_timer_when_its_limit_has_notices() {
        let s = kpi(Some(5), Some(10), Some(7));
        let first = Arrival {
            first: true,
            wait_runs: false,
        };
        let next = Arrival {
            first: false,
            wait_runs: false,
        };
        let again = Arrival {
            first: false,
            wait_runs: true,
        };
        let due = |m| time::OffsetDateTime::from_unix_timestamp(at(m).as_second()).expect("time");
        assert_eq!(
            on_visitor_message(&s, first, at(0), None),
            vec![TimerChange::Arm {
                kind: TimerKind::KpiFirst,
                due: due(5),
                keep: true
            }]
        );
        assert_eq!(
            on_visitor_message(&s, next, at(0), None),
            vec![TimerChange::Arm {
                kind: TimerKind::KpiNext,
                due: due(10),
                keep: true
            }]
        );
        assert_eq!(on_visitor_message(&s, again, at(0), None), vec![]);
        // No employee to tell, or no limit of that kind: nothing.
        assert_eq!(
            on_visitor_message(&kpi(Some(5), Some(10), None), first, at(0), None),
            vec![]
        );
        assert_eq!(
            on_visitor_message(&kpi(None, Some(10), Some(7)), first, at(0), None),
            vec![]
        );
        // With hours: Monday 20:00 plus 5 open minutes is Tuesday 09:05.
        assert_eq!(
            on_visitor_message(&s, first, at(20 * H), Some(&office())),
            vec![TimerChange::Arm {
                kind: TimerKind::KpiFirst,
                due: due(24 * H + 9 * H + 5),
                keep: true
            }]
        );
    }

    #[test]
    fn the_notice_fills_in_the_template() {
        assert_eq!(
            notice_text(
                Some("  #OPERATOR# late on #DIALOG# (#DIALOG#) "),
                "Ana",
                "c1"
            ),
            ("Ana late on c1 (c1)".to_owned(), false)
        );
        assert_eq!(
            notice_text(Some("  "), "Ana", "c1"),
            (
                "Ana has not answered conversation c1 in time.".to_owned(),
                true
            )
        );
        assert_eq!(
            notice_text(None, "Ana", "c1"),
            (
                "Ana has not answered conversation c1 in time.".to_owned(),
                true
            )
        );
    }
}

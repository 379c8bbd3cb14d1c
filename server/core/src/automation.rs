//! A channel's automatic actions on durable timers, pure: which timers an event
//! arms or cancels ([`on_visitor_message`], [`on_agent_reply`], [`on_closed`]),
//! and what a timer does when it falls due ([`fire`]), given the facts the shell
//! read about the conversation. No clock: the caller passes `now`. The shell keeps
//! each pending timer as a row with its due time (see `canal_store::timers`) and
//! fires it once.

use canal_protocol::automation::{limits, AutomationSettings};
use canal_protocol::ErrorCode;
use time::{Duration, OffsetDateTime};

use crate::error::Rejected;

crate::str_enum! {
    /// What a timer does when it falls due.
    pub enum TimerKind {
        /// Marks the conversation unanswered.
        Unanswered = "unanswered",
        /// Closes the conversation for the visitor's silence.
        AutoClose = "auto_close",
        /// Routing's offer deadline (`pass_after`): the offer passes on. Armed
        /// and fired by the routing shell, not by [`fire`].
        PassOffer = "pass_offer",
    }
}

/// A change to a conversation's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerChange {
    /// A timer of `kind` due at `due`. With `keep`, a timer of that kind already
    /// pending stays as it is (the wait counts from the first of several events);
    /// without it, it is replaced (the wait counts from the last).
    Arm {
        kind: TimerKind,
        due: OffsetDateTime,
        keep: bool,
    },
    /// The pending timer of `kind`, if any, is dropped.
    Cancel(TimerKind),
    /// The unanswered mark, if set, goes.
    ClearMark,
}

fn invalid(message: impl Into<String>) -> Rejected {
    Rejected::invalid(ErrorCode::InvalidField, message)
}

fn minutes(field: &str, value: Option<u32>, max: u32) -> Result<(), Rejected> {
    match value {
        Some(m) if m == 0 || m > max => Err(invalid(format!(
            "{field} must be between 1 and {max} minutes (leave it out to turn it off)"
        ))),
        _ => Ok(()),
    }
}

/// Checks settings from an admin: the numbers in range, the text not too long
/// (trimmed; blank is none).
pub fn check(settings: AutomationSettings) -> Result<AutomationSettings, Rejected> {
    minutes(
        "unanswered_after_minutes",
        settings.unanswered_after_minutes,
        limits::MAX_UNANSWERED_MINUTES,
    )?;
    minutes(
        "auto_close_after_minutes",
        settings.auto_close_after_minutes,
        limits::MAX_AUTO_CLOSE_MINUTES,
    )?;
    let text = settings
        .auto_close_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    if let Some(text) = &text {
        if text.chars().count() > limits::MAX_TEXT_CHARS {
            return Err(invalid(format!(
                "auto_close_text must be at most {} characters",
                limits::MAX_TEXT_CHARS
            )));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(invalid(
                "auto_close_text must not hold control characters (line breaks aside)",
            ));
        }
        if settings.auto_close_after_minutes.is_none() {
            return Err(invalid(
                "auto_close_text needs auto_close_after_minutes (it is sent when the conversation closes so)",
            ));
        }
    }
    Ok(AutomationSettings {
        auto_close_text: text,
        ..settings
    })
}

fn after(now: OffsetDateTime, minutes: u32) -> OffsetDateTime {
    now + Duration::minutes(i64::from(minutes))
}

/// The visitor wrote: the wait for an answer starts (unless one already runs, from
/// an earlier unanswered message), and the visitor is no longer silent.
pub fn on_visitor_message(settings: &AutomationSettings, now: OffsetDateTime) -> Vec<TimerChange> {
    let mut changes = vec![TimerChange::Cancel(TimerKind::AutoClose)];
    if let Some(m) = settings.unanswered_after_minutes {
        changes.push(TimerChange::Arm {
            kind: TimerKind::Unanswered,
            due: after(now, m),
            keep: true,
        });
    }
    changes
}

/// An agent answered: the conversation is answered, and the visitor's silence
/// counts from this message.
pub fn on_agent_reply(settings: &AutomationSettings, now: OffsetDateTime) -> Vec<TimerChange> {
    let mut changes = vec![
        TimerChange::Cancel(TimerKind::Unanswered),
        TimerChange::ClearMark,
    ];
    match settings.auto_close_after_minutes {
        Some(m) => changes.push(TimerChange::Arm {
            kind: TimerKind::AutoClose,
            due: after(now, m),
            keep: false,
        }),
        None => changes.push(TimerChange::Cancel(TimerKind::AutoClose)),
    }
    changes
}

/// The conversation closed (by an agent or a timer): nothing is pending for it.
pub fn on_closed() -> Vec<TimerChange> {
    vec![
        TimerChange::Cancel(TimerKind::Unanswered),
        TimerChange::Cancel(TimerKind::AutoClose),
        TimerChange::ClearMark,
    ]
}

/// What the shell read about a conversation when one of its timers fell due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// It is open.
    pub open: bool,
    /// Who wrote last, system messages aside: the visitor (`true`) or an agent.
    /// `None`: nobody yet.
    pub visitor_wrote_last: Option<bool>,
    /// It is marked unanswered already.
    pub marked: bool,
}

/// What a due timer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fire {
    /// Mark the conversation unanswered.
    Mark,
    /// Close the conversation, posting `text` to the visitor first if any.
    Close { text: Option<String> },
    /// Nothing (the conversation moved on since the timer was armed).
    Nothing,
}

/// What the timer `kind` does now, given `facts` and the channel's `settings`
/// (as they are now: an action turned off since the timer was armed does nothing).
pub fn fire(kind: TimerKind, facts: Facts, settings: &AutomationSettings) -> Fire {
    if !facts.open {
        return Fire::Nothing;
    }
    match kind {
        TimerKind::Unanswered
            if settings.unanswered_after_minutes.is_some()
                && facts.visitor_wrote_last == Some(true)
                && !facts.marked =>
        {
            Fire::Mark
        }
        TimerKind::AutoClose
            if settings.auto_close_after_minutes.is_some()
                && facts.visitor_wrote_last == Some(false) =>
        {
            Fire::Close {
                text: settings.auto_close_text.clone(),
            }
        }
        _ => Fire::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn settings() -> AutomationSettings {
        AutomationSettings {
            unanswered_after_minutes: Some(5),
            auto_close_after_minutes: Some(30),
            auto_close_text: Some("Bye".into()),
            ..AutomationSettings::default()
        }
    }

    const T0: OffsetDateTime = datetime!(2030-01-01 10:00 UTC);

    #[test]
    fn check_refuses_each_bad_field_by_name() {
        let cases = [
            (
                AutomationSettings {
                    unanswered_after_minutes: Some(0),
                    ..Default::default()
                },
                "unanswered_after_minutes",
            ),
            (
                AutomationSettings {
                    unanswered_after_minutes: Some(1441),
                    ..Default::default()
                },
                "unanswered_after_minutes",
            ),
            (
                AutomationSettings {
                    auto_close_after_minutes: Some(10081),
                    ..Default::default()
                },
                "auto_close_after_minutes",
            ),
            (
                AutomationSettings {
                    auto_close_after_minutes: Some(10),
                    auto_close_text: Some("x".repeat(1001)),
                    ..Default::default()
                },
                "auto_close_text",
            ),
            (
                AutomationSettings {
                    auto_close_text: Some("Bye".into()),
                    ..Default::default()
                },
                "auto_close_text",
            ),
        ];
        for (bad, field) in cases {
            let e = check(bad).expect_err(field);
            assert!(e.message.starts_with(field), "{}", e.message);
        }
    }

    #[test]
    fn check_trims_the_text_and_drops_a_blank_one() {
        let ok = check(AutomationSettings {
            auto_close_after_minutes: Some(10081 - 1),
            auto_close_text: Some("  Bye \n".into()),
            unanswered_after_minutes: Some(1440),
            ..AutomationSettings::default()
        })
        .expect("in range");
        assert_eq!(ok.auto_close_text.as_deref(), Some("Bye"));
        let blank = check(AutomationSettings {
            auto_close_text: Some("   ".into()),
            ..Default::default()
        })
        .expect("blank is none");
        assert_eq!(blank, AutomationSettings::default());
    }

    #[test]
    fn a_visitor_message_starts_the_wait_once_and_stops_auto_close() {
        let changes = on_visitor_message(&settings(), T0);
        assert_eq!(
            changes,
            vec![
                TimerChange::Cancel(TimerKind::AutoClose),
                TimerChange::Arm {
                    kind: TimerKind::Unanswered,
                    due: datetime!(2030-01-01 10:05 UTC),
                    keep: true,
                },
            ]
        );
        assert_eq!(
            on_visitor_message(&AutomationSettings::default(), T0),
            vec![TimerChange::Cancel(TimerKind::AutoClose)]
        );
    }

    #[test]
    fn an_answer_clears_the_mark_and_counts_silence_from_it() {
        assert_eq!(
            on_agent_reply(&settings(), T0),
            vec![
                TimerChange::Cancel(TimerKind::Unanswered),
                TimerChange::ClearMark,
                TimerChange::Arm {
                    kind: TimerKind::AutoClose,
                    due: datetime!(2030-01-01 10:30 UTC),
                    keep: false,
                },
            ]
        );
        let off = AutomationSettings::default();
        assert!(on_agent_reply(&off, T0).contains(&TimerChange::Cancel(TimerKind::AutoClose)));
    }

    #[test]
    fn closing_cancels_everything() {
        let changes = on_closed();
        assert!(changes.contains(&TimerChange::Cancel(TimerKind::Unanswered)));
        assert!(changes.contains(&TimerChange::Cancel(TimerKind::AutoClose)));
    }

    #[test]
    fn a_due_timer_acts_only_while_its_reason_holds() {
        let waiting = Facts {
            open: true,
            visitor_wrote_last: Some(true),
            marked: false,
        };
        let s = settings();
        assert_eq!(fire(TimerKind::Unanswered, waiting, &s), Fire::Mark);
        // Answered, marked already, closed, or the action turned off: nothing.
        let answered = Facts {
            visitor_wrote_last: Some(false),
            ..waiting
        };
        assert_eq!(fire(TimerKind::Unanswered, answered, &s), Fire::Nothing);
        let marked = Facts {
            marked: true,
            ..waiting
        };
        assert_eq!(fire(TimerKind::Unanswered, marked, &s), Fire::Nothing);
        let closed = Facts {
            open: false,
            ..waiting
        };
        assert_eq!(fire(TimerKind::Unanswered, closed, &s), Fire::Nothing);
        let off = AutomationSettings::default();
        assert_eq!(fire(TimerKind::Unanswered, waiting, &off), Fire::Nothing);

        assert_eq!(
            fire(TimerKind::AutoClose, answered, &s),
            Fire::Close {
                text: Some("Bye".into())
            }
        );
        // The visitor wrote since the agent: they are not silent.
        assert_eq!(fire(TimerKind::AutoClose, waiting, &s), Fire::Nothing);
        assert_eq!(fire(TimerKind::AutoClose, answered, &off), Fire::Nothing);
    }
}

//! A channel's automatic actions on durable timers, pure: which timers an event
//! arms or cancels ([`on_visitor_message`], [`on_agent_reply`], [`on_closed`],
//! [`on_agent_close`]), what a timer does when it falls due ([`fire`]), given the
//! facts the shell read about the conversation, and what a visitor's rating does
//! to it ([`on_rating`]). No clock: the caller passes `now`. The shell keeps
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
        /// Ends a closed conversation's wait for the visitor's rating: it closes
        /// fully.
        RatingWait = "rating_wait",
        /// The first response time's limit ran out (see [`crate::kpi`]): the
        /// channel's chosen employee gets a notice.
        KpiFirst = "kpi_first",
        /// A later response time's limit ran out.
        KpiNext = "kpi_next",
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
    let text = checked_text("auto_close_text", settings.auto_close_text.clone())?;
    if text.is_some() && settings.auto_close_after_minutes.is_none() {
        return Err(invalid(
            "auto_close_text needs auto_close_after_minutes (it is sent when the conversation closes so)",
        ));
    }
    let closing_text = checked_text("closing_text", settings.closing_text.clone())?;
    if settings.rating_wait_minutes > limits::MAX_RATING_WAIT_MINUTES {
        return Err(invalid(format!(
            "rating_wait_minutes must be between 0 and {} minutes",
            limits::MAX_RATING_WAIT_MINUTES
        )));
    }
    if !settings.rating {
        if settings.rating_wait_minutes > 0 {
            return Err(invalid(
                "rating_wait_minutes needs rating (the wait is for the visitor's rating)",
            ));
        }
        if settings.close_on_rating {
            return Err(invalid(
                "close_on_rating needs rating (it closes when the visitor rates)",
            ));
        }
    }
    minutes(
        "kpi_first_minutes",
        settings.kpi_first_minutes,
        limits::MAX_KPI_MINUTES,
    )?;
    minutes(
        "kpi_next_minutes",
        settings.kpi_next_minutes,
        limits::MAX_KPI_MINUTES,
    )?;
    let kpi_notice_text = checked_text("kpi_notice_text", settings.kpi_notice_text.clone())?;
    if settings.kpi_notify_agent_id.is_some()
        && settings.kpi_first_minutes.is_none()
        && settings.kpi_next_minutes.is_none()
    {
        return Err(invalid(
            "kpi_notify_agent_id needs kpi_first_minutes or kpi_next_minutes (the notices are about them)",
        ));
    }
    if settings.kpi_notify_agent_id == Some(0) {
        return Err(invalid("kpi_notify_agent_id must be an agent's id"));
    }
    Ok(AutomationSettings {
        auto_close_text: text,
        closing_text,
        kpi_notice_text,
        ..settings
    })
}

/// A message to the visitor from the settings (`field`), trimmed (blank is
/// none), not too long, without control characters but line breaks.
fn checked_text(field: &str, text: Option<String>) -> Result<Option<String>, Rejected> {
    let Some(text) = text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
    else {
        return Ok(None);
    };
    if text.chars().count() > limits::MAX_TEXT_CHARS {
        return Err(invalid(format!(
            "{field} must be at most {} characters",
            limits::MAX_TEXT_CHARS
        )));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(format!(
            "{field} must not hold control characters (line breaks aside)"
        )));
    }
    Ok(Some(text))
}

fn after(now: OffsetDateTime, minutes: u32) -> OffsetDateTime {
    now + Duration::minutes(i64::from(minutes))
}

/// The visitor wrote: the wait for an answer starts (unless one already runs, from
/// an earlier unanswered message), and the visitor is no longer silent.
pub fn on_visitor_message(settings: &AutomationSettings, now: OffsetDateTime) -> Vec<TimerChange> {
    let mut changes = Vec::new();
    // With auto-close off nothing is cancelled: a timer armed before it was
    // turned off does nothing when it fires (it checks the settings then), and a
    // channel with no actions writes nothing per message.
    if settings.auto_close_after_minutes.is_some() {
        changes.push(TimerChange::Cancel(TimerKind::AutoClose));
    }
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
        TimerChange::Cancel(TimerKind::RatingWait),
        TimerChange::Cancel(TimerKind::KpiFirst),
        TimerChange::Cancel(TimerKind::KpiNext),
        TimerChange::ClearMark,
    ]
}

/// How an agent's close goes, by the channel's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// Posted to the visitor before the conversation closes.
    pub text: Option<String>,
    /// It stays closed awaiting the visitor's rating (until the
    /// [`TimerKind::RatingWait`] timer, or the rating with `close_on_rating`);
    /// otherwise it closes fully at once.
    pub awaiting_rating: bool,
}

/// An agent closes the conversation: the closing message, whether it awaits the
/// rating, and its timers (nothing pending but, while it awaits the rating, the
/// end of that wait).
pub fn on_agent_close(
    settings: &AutomationSettings,
    now: OffsetDateTime,
) -> (Closing, Vec<TimerChange>) {
    let awaiting_rating = settings.rating && settings.rating_wait_minutes > 0;
    let mut changes = on_closed();
    if awaiting_rating {
        changes.push(TimerChange::Arm {
            kind: TimerKind::RatingWait,
            due: after(now, settings.rating_wait_minutes),
            keep: false,
        });
    }
    let closing = Closing {
        text: settings.closing_text.clone(),
        awaiting_rating,
    };
    (closing, changes)
}

/// Where a conversation stands when its visitor rates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Open: not closed yet, or opened again.
    Open,
    /// Closed, awaiting the rating.
    AwaitingRating,
    /// Closed fully.
    Closed,
}

/// What a visitor's rating (stored already) does to the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRating {
    /// Nothing more: the rating shows where the conversation is.
    Stays,
    /// The wait for the rating ends: it closes fully now.
    ClosesFully,
    /// Closed fully before the rating came: it opens again, to be seen to.
    Reopens,
}

/// What a rating does, by where the conversation stands and the channel's
/// settings: during the wait it closes it with `close_on_rating`; after the full
/// close it opens it again when the channel asks for ratings (a rating the
/// channel did not ask for is only kept).
pub fn on_rating(settings: &AutomationSettings, standing: Standing) -> OnRating {
    match standing {
        Standing::AwaitingRating if settings.close_on_rating => OnRating::ClosesFully,
        Standing::Closed if settings.rating => OnRating::Reopens,
        _ => OnRating::Stays,
    }
}

/// The timers when a rating closes the conversation fully.
pub fn on_closed_by_rating() -> Vec<TimerChange> {
    vec![TimerChange::Cancel(TimerKind::RatingWait)]
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
    /// End the closed conversation's wait for the rating: it closes fully.
    CloseFully,
    /// A KPI limit ran out: a notice to the channel's chosen employee.
    Overdue(canal_protocol::kpi::KpiKind),
    /// Nothing (the conversation moved on since the timer was armed).
    Nothing,
}

/// What the timer `kind` does now, given `facts` and the channel's `settings`
/// (as they are now: an action turned off since the timer was armed does nothing;
/// a wait for a rating ends whatever the settings say now, unless the
/// conversation opened again meanwhile).
pub fn fire(kind: TimerKind, facts: Facts, settings: &AutomationSettings) -> Fire {
    if kind == TimerKind::RatingWait {
        return if facts.open {
            Fire::Nothing
        } else {
            Fire::CloseFully
        };
    }
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
        TimerKind::KpiFirst | TimerKind::KpiNext if facts.visitor_wrote_last == Some(true) => {
            match crate::kpi::kind_of(kind) {
                Some(k) if crate::kpi::limit(settings, k).is_some() => Fire::Overdue(k),
                _ => Fire::Nothing,
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
            (
                AutomationSettings {
                    closing_text: Some("x".repeat(1001)),
                    ..Default::default()
                },
                "closing_text",
            ),
            (
                AutomationSettings {
                    closing_text: Some("Bye\u{7}".into()),
                    ..Default::default()
                },
                "closing_text",
            ),
            (
                AutomationSettings {
                    rating: true,
                    rating_wait_minutes: 61,
                    ..Default::default()
                },
                "rating_wait_minutes",
            ),
            (
                AutomationSettings {
                    rating_wait_minutes: 5,
                    ..Default::default()
                },
                "rating_wait_minutes",
            ),
            (
                AutomationSettings {
                    close_on_rating: true,
                    ..Default::default()
                },
                "close_on_rating",
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
            [],
            "no actions: nothing to write"
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

    fn rating(wait: u32, close_on_rating: bool) -> AutomationSettings {
        AutomationSettings {
            closing_text: Some("  Thanks, bye ".into()),
            rating: true,
            rating_wait_minutes: wait,
            close_on_rating,
            ..Default::default()
        }
    }

    #[test]
    fn check_keeps_the_rating_settings_in_range_and_trims_the_closing_text() {
        let ok = check(rating(60, true)).expect("in range");
        assert_eq!(ok.closing_text.as_deref(), Some("Thanks, bye"));
        assert_eq!((ok.rating_wait_minutes, ok.close_on_rating), (60, true));
        assert!(check(rating(0, false)).is_ok());
    }

    #[test]
    fn an_agent_close_with_a_rating_wait_arms_its_end_after_cancelling_the_rest() {
        let settings = check(rating(15, false)).expect("valid");
        let (closing, changes) = on_agent_close(&settings, T0);
        assert_eq!(
            closing,
            Closing {
                text: Some("Thanks, bye".into()),
                awaiting_rating: true,
            }
        );
        assert_eq!(
            changes,
            vec![
                TimerChange::Cancel(TimerKind::Unanswered),
                TimerChange::Cancel(TimerKind::AutoClose),
                TimerChange::Cancel(TimerKind::RatingWait),
                TimerChange::Cancel(TimerKind::KpiFirst),
                TimerChange::Cancel(TimerKind::KpiNext),
                TimerChange::ClearMark,
                TimerChange::Arm {
                    kind: TimerKind::RatingWait,
                    due: datetime!(2030-01-01 10:15 UTC),
                    keep: false,
                },
            ]
        );
    }

    #[test]
    fn without_a_wait_or_without_rating_an_agent_close_is_full_at_once() {
        for settings in [
            rating(0, false),
            AutomationSettings::default(),
            AutomationSettings {
                closing_text: Some("Bye".into()),
                ..Default::default()
            },
        ] {
            let (closing, changes) = on_agent_close(&settings, T0);
            assert!(!closing.awaiting_rating, "{settings:?}");
            assert_eq!(changes, on_closed());
            assert_eq!(closing.text, settings.closing_text);
        }
    }

    #[test]
    fn a_rating_closes_during_the_wait_only_with_close_on_rating_and_reopens_after() {
        let keep = rating(15, false);
        let close = rating(15, true);
        assert_eq!(on_rating(&keep, Standing::AwaitingRating), OnRating::Stays);
        assert_eq!(
            on_rating(&close, Standing::AwaitingRating),
            OnRating::ClosesFully
        );
        for s in [&keep, &close, &rating(0, false)] {
            assert_eq!(on_rating(s, Standing::Closed), OnRating::Reopens);
            assert_eq!(on_rating(s, Standing::Open), OnRating::Stays);
        }
        // A channel that does not ask for ratings only keeps one given anyway.
        let off = AutomationSettings::default();
        assert_eq!(on_rating(&off, Standing::Closed), OnRating::Stays);
        assert_eq!(
            on_closed_by_rating(),
            vec![TimerChange::Cancel(TimerKind::RatingWait)]
        );
    }

    /// A simulated clock over the rules: the agent closes at T0 with a 15-minute
    /// wait; the timer falls due at 10:15 and closes fully unless the visitor
    /// wrote (it opened again) meanwhile, whatever the settings are by then.
    #[test]
    fn the_wait_ends_at_its_due_time_unless_the_conversation_opened_again() {
        let settings = rating(15, false);
        let (_, changes) = on_agent_close(&settings, T0);
        let due = changes
            .iter()
            .find_map(|c| match c {
                TimerChange::Arm {
                    kind: TimerKind::RatingWait,
                    due,
                    ..
                } => Some(*due),
                _ => None,
            })
            .expect("armed");
        assert_eq!(due - T0, Duration::minutes(15));
        let closed = Facts {
            open: false,
            visitor_wrote_last: Some(false),
            marked: false,
        };
        assert_eq!(
            fire(TimerKind::RatingWait, closed, &settings),
            Fire::CloseFully
        );
        // Turned off since: the wait still ends.
        let off = AutomationSettings::default();
        assert_eq!(fire(TimerKind::RatingWait, closed, &off), Fire::CloseFully);
        let reopened = Facts {
            open: true,
            visitor_wrote_last: Some(true),
            ..closed
        };
        assert_eq!(
            fire(TimerKind::RatingWait, reopened, &settings),
            Fire::Nothing
        );
    }
}

//! Typing indicators and the live typing preview: how often they are passed on,
//! and which drafts are accepted.
//!
//! `typing` frames are ephemeral: never stored, never in the history or the routing
//! log. A [`Gate`] per sender and conversation passes a start at most once a
//! second, and a stop only after a start it passed; everything else is dropped
//! silently (not queued or coalesced). So a flood fans out one start a second and
//! its stop, and a stop is never held back, so an indicator does not linger.
//!
//! A visitor's `typing` frame may carry their draft when the channel's live typing
//! preview is on (the shell checks the setting in force, not what the widget
//! believes). [`check_draft`] refuses a draft that is too long or holds control
//! characters; a [`DraftGate`] per visitor socket passes a draft at most every
//! [`DRAFT_GAP`] and an empty one (the preview clears) always, so a preview never
//! lingers on text the visitor has removed. Drafts are never stored either.

use std::time::{Duration, Instant};

use canal_protocol::{limits, ErrorCode, DRAFT_EVERY_MS};

use crate::Rejected;

/// Shortest gap between two starts passed on.
pub const MIN_GAP: Duration = Duration::from_secs(1);

/// The throttle of one sender in one conversation.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gate {
    /// When the last start was passed on.
    started: Option<Instant>,
    /// The last frame passed on was a start.
    on: bool,
}

impl Gate {
    /// Whether a frame saying `typing` at `now` is passed on (and remembered).
    pub fn pass(&mut self, typing: bool, now: Instant) -> bool {
        let pass = if typing {
            self.started
                .is_none_or(|at| now.saturating_duration_since(at) >= MIN_GAP)
        } else {
            self.on
        };
        if pass {
            self.on = typing;
            if typing {
                self.started = Some(now);
            }
        }
        pass
    }

    /// Whether forgetting this gate at `now` could change what passes: a start
    /// within [`MIN_GAP`], or a start not yet followed by a stop.
    pub fn busy(&self, now: Instant) -> bool {
        self.on
            || self
                .started
                .is_some_and(|at| now.saturating_duration_since(at) < MIN_GAP)
    }
}

/// Shortest gap between two drafts passed on (the widget sends one at most every
/// [`canal_protocol::DRAFT_SEND_MS`], which is longer).
pub const DRAFT_GAP: Duration = Duration::from_millis(DRAFT_EVERY_MS);

/// Checks a visitor's draft: at most [`limits::MAX_DRAFT_CHARS`] characters, no
/// control characters but line breaks and tabs. Empty is fine (it clears the
/// preview).
pub fn check_draft(draft: &str) -> Result<(), Rejected> {
    if draft.chars().count() > limits::MAX_DRAFT_CHARS {
        return Err(Rejected::invalid(
            ErrorCode::TooLarge,
            format!(
                "draft is longer than {} characters",
                limits::MAX_DRAFT_CHARS
            ),
        ));
    }
    if draft
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Rejected::invalid(
            ErrorCode::InvalidField,
            "draft must not hold control characters (line breaks and tabs aside)",
        ));
    }
    Ok(())
}

/// The throttle of one visitor's drafts.
#[derive(Debug, Clone, Copy, Default)]
pub struct DraftGate {
    /// When the last non-empty draft was passed on.
    passed: Option<Instant>,
    /// The last draft passed on was not empty (the preview shows text).
    showing: bool,
}

impl DraftGate {
    /// Whether `draft` at `now` is passed on (and remembered): a non-empty one at
    /// most every [`DRAFT_GAP`], an empty one when the preview shows text.
    pub fn pass(&mut self, draft: &str, now: Instant) -> bool {
        let pass = if draft.is_empty() {
            self.showing
        } else {
            self.passed
                .is_none_or(|at| now.saturating_duration_since(at) >= DRAFT_GAP)
        };
        if pass {
            self.showing = !draft.is_empty();
            if self.showing {
                self.passed = Some(now);
            }
        }
        pass
    }

    /// The preview was cleared another way (the visitor's message was stored):
    /// the next draft starts afresh.
    pub fn cleared(&mut self) {
        self.showing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_pass_at_most_every_gap_and_a_clear_at_once() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut gate = DraftGate::default();
        assert!(!gate.pass("", at(0)), "nothing to clear");
        assert!(gate.pass("H", at(0)));
        assert!(!gate.pass("He", at(100)), "within the gap");
        assert!(!gate.pass("Hel", at(DRAFT_EVERY_MS - 1)));
        assert!(gate.pass("Hell", at(DRAFT_EVERY_MS)));
        assert!(
            gate.pass("", at(DRAFT_EVERY_MS + 1)),
            "a clear is never held back"
        );
        assert!(!gate.pass("", at(DRAFT_EVERY_MS + 2)), "said already");
        // A draft right after a clear still waits for the gap (a flood of
        // alternating drafts and clears passes one draft per gap).
        assert!(!gate.pass("H", at(DRAFT_EVERY_MS + 3)));
        assert!(gate.pass("H", at(2 * DRAFT_EVERY_MS)));
        // The widget's pace passes every draft.
        let every = canal_protocol::DRAFT_SEND_MS;
        let mut gate = DraftGate::default();
        assert!((1..=20).all(|i| gate.pass("x", at(i * every))));
        // A flood: one draft a gap, over ten seconds.
        let mut gate = DraftGate::default();
        let passed = (0..10_000).filter(|ms| gate.pass("x", at(*ms))).count();
        assert_eq!(passed as u64, 10_000 / DRAFT_EVERY_MS);
        // A message clears the preview: the next empty draft has nothing to clear.
        gate.cleared();
        assert!(!gate.pass("", at(20_000)));
    }

    #[test]
    fn drafts_are_checked_for_length_and_control_characters() {
        assert!(check_draft("").is_ok(), "empty clears");
        assert!(check_draft("Line one\nline two\tand\r\n").is_ok());
        assert!(check_draft(&"я".repeat(limits::MAX_DRAFT_CHARS)).is_ok());
        let long = check_draft(&"я".repeat(limits::MAX_DRAFT_CHARS + 1)).expect_err("long");
        assert_eq!(long.code, ErrorCode::TooLarge);
        assert!(long.message.contains("draft"), "{}", long.message);
        for bad in [
            "bell\u{7}",
            "nul\u{0}",
            "esc\u{1b}[2J",
            "del\u{7f}",
            "c1\u{85}",
        ] {
            let refused = check_draft(bad).expect_err(bad);
            assert_eq!(refused.code, ErrorCode::InvalidField, "{bad:?}");
            assert!(refused.message.contains("draft"), "{}", refused.message);
        }
    }

    #[test]
    fn at_most_one_start_a_second_passes() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut gate = Gate::default();
        assert!(gate.pass(true, at(0)));
        for ms in [1, 200, 999] {
            assert!(!gate.pass(true, at(ms)), "{ms} ms");
        }
        assert!(gate.pass(true, at(1000)));
        assert!(!gate.pass(true, at(1500)));
    }

    #[test]
    fn a_stop_passes_only_after_a_start_and_at_once() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut gate = Gate::default();
        assert!(!gate.pass(false, at(0)), "nothing to stop");
        assert!(gate.pass(true, at(0)));
        assert!(gate.pass(false, at(10)), "the stop is not held back");
        assert!(!gate.pass(false, at(20)), "said already");
        assert!(!gate.pass(true, at(30)), "a start within the second");
        // Typing again a while after a stop shows at once.
        assert!(gate.pass(true, at(1200)));
        // Ten seconds of an alternating flood, a frame every millisecond: one
        // start a second and its stop.
        let passed: Vec<u64> = (0..10_000)
            .filter(|ms| gate.pass(ms % 2 == 0, at(1300 + ms)))
            .collect();
        assert_eq!(passed.len(), 1 + 2 * 10, "{passed:?}");
        assert_eq!(passed[..3], [1, 900, 901]);
    }

    #[test]
    fn a_gate_is_busy_while_a_start_is_recent_or_unstopped() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let mut gate = Gate::default();
        assert!(!gate.busy(at(0)));
        gate.pass(true, at(0));
        assert!(gate.busy(at(5000)), "started, not stopped");
        gate.pass(false, at(100));
        assert!(gate.busy(at(999)));
        assert!(!gate.busy(at(1000)));
    }
}

//! Typing indicators: how often they are passed on.
//!
//! `typing` frames are ephemeral: never stored, never in the history or the routing
//! log, and never with draft text (the protocol has no field for it). A [`Gate`]
//! per sender and conversation passes a start at most once a second, and a stop
//! only after a start it passed; everything else is dropped silently (not queued
//! or coalesced). So a flood fans out one start a second and its stop, and a stop
//! is never held back, so an indicator does not linger.

use std::time::{Duration, Instant};

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

#[cfg(test)]
mod tests {
    use super::*;

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

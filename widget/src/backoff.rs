//! The reconnect schedule of the chat socket: 1, 2, 4, 8, then 10 s between attempts,
//! each spread by ±20 % so that visitors cut off together (a deploy) do not all come
//! back in the same instant. The random source is passed in (`Math.random` in the
//! frame), so the schedule is tested natively.

use std::time::Duration;

/// Longest wait between attempts: a visitor waiting for an answer should not wait
/// long after the server is back.
pub const MAX_DELAY: Duration = Duration::from_millis(MAX_DELAY_MS);
const MAX_DELAY_MS: u64 = 10_000;

/// How far each wait is spread, either way, in thousandths: ±20 %.
pub const JITTER_PERMILLE: u64 = 200;

/// Failed attempts since the last successful connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backoff {
    attempts: u32,
}

impl Backoff {
    /// The wait before the next attempt, with `random` in `[0, 1)`; counts the attempt.
    pub fn next(&mut self, random: f64) -> Duration {
        let base = (1_000u64 << self.attempts.min(4)).min(MAX_DELAY_MS);
        self.attempts = self.attempts.saturating_add(1);
        // In thousandths of the base: 800 to 1,200. (Integer arithmetic: `mul_f64`
        // and its panic texts would cost the frame more.)
        let spread = (JITTER_PERMILLE as f64 * 2.0 * random.clamp(0.0, 1.0)) as u64;
        Duration::from_millis(base * (1_000 - JITTER_PERMILLE + spread) / 1_000)
    }

    /// Connected (welcomed): the next drop starts again at 1 s.
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

// Native tier: `cargo test -p canal-widget`.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn schedule(backoff: &mut Backoff, random: f64, n: usize) -> Vec<Duration> {
        (0..n).map(|_| backoff.next(random)).collect()
    }

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn waits_1_2_4_8_then_10_seconds() {
        let mut backoff = Backoff::default();
        assert_eq!(
            schedule(&mut backoff, 0.5, 7),
            ms(&[1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000])
        );
    }

    #[test]
    fn each_wait_is_spread_by_20_percent_either_way() {
        let mut low = Backoff::default();
        assert_eq!(
            schedule(&mut low, 0.0, 6),
            ms(&[800, 1_600, 3_200, 6_400, 8_000, 8_000])
        );
        let mut high = Backoff::default();
        assert_eq!(
            schedule(&mut high, 1.0, 6),
            ms(&[1_200, 2_400, 4_800, 9_600, 12_000, 12_000])
        );
        // Whatever the source gives, the wait stays in the band.
        let mut odd = Backoff::default();
        assert_eq!(odd.next(-3.0), Duration::from_millis(800));
        assert_eq!(odd.next(7.0), Duration::from_millis(2_400));
    }

    #[test]
    fn a_welcome_starts_the_schedule_again() {
        let mut backoff = Backoff::default();
        schedule(&mut backoff, 0.5, 5);
        backoff.reset();
        assert_eq!(backoff.next(0.5), Duration::from_secs(1));
        // Many failures in a row never overflow.
        let mut long = Backoff { attempts: u32::MAX };
        assert_eq!(long.next(0.5), MAX_DELAY);
    }
}

//! The reconnect schedule of a socket: 1, 2, 4, 8 ... seconds between attempts up to
//! a ceiling (the widget's 10 s, the console's 30 s), each spread by ±20 % so that
//! clients cut off together (a deploy) do not all come back in the same instant. The
//! random source is passed in (`Math.random` in the browser), so the schedule is
//! tested natively.

use std::time::Duration;

/// How far each wait is spread, either way, in thousandths: ±20 %.
pub const JITTER_PERMILLE: u64 = 200;

/// The first wait, in milliseconds.
const FIRST_MS: u64 = 1_000;

/// Failed attempts since the last successful connection, and the longest wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    attempts: u32,
    max_ms: u64,
}

impl Backoff {
    /// A schedule that doubles from 1 s up to `max` between attempts.
    pub const fn up_to(max: Duration) -> Self {
        Self {
            attempts: 0,
            max_ms: max.as_millis() as u64,
        }
    }

    /// The wait before the next attempt, with `random` in `[0, 1)`; counts the attempt.
    pub fn next(&mut self, random: f64) -> Duration {
        let base = (FIRST_MS << self.attempts.min(16)).min(self.max_ms);
        self.attempts = self.attempts.saturating_add(1);
        // In thousandths of the base: 800 to 1,200. (Integer arithmetic: `mul_f64`
        // and its panic texts would cost the apps more.)
        let spread = (JITTER_PERMILLE as f64 * 2.0 * random.clamp(0.0, 1.0)) as u64;
        Duration::from_millis(base * (1_000 - JITTER_PERMILLE + spread) / 1_000)
    }

    /// Connected (welcomed): the next drop starts again at 1 s.
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

/// `Math.random()` in the browser; the middle of the band natively (tests).
pub fn jitter() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

// Native tier: `cargo test -p canal-kit`.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const TEN: Duration = Duration::from_secs(10);

    fn schedule(backoff: &mut Backoff, random: f64, n: usize) -> Vec<Duration> {
        (0..n).map(|_| backoff.next(random)).collect()
    }

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn waits_1_2_4_8_then_the_ceiling() {
        let mut backoff = Backoff::up_to(TEN);
        assert_eq!(
            schedule(&mut backoff, 0.5, 7),
            ms(&[1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000])
        );
        let mut console = Backoff::up_to(Duration::from_secs(30));
        assert_eq!(
            schedule(&mut console, 0.5, 7),
            ms(&[1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
        );
    }

    #[test]
    fn each_wait_is_spread_by_20_percent_either_way() {
        let mut low = Backoff::up_to(TEN);
        assert_eq!(
            schedule(&mut low, 0.0, 6),
            ms(&[800, 1_600, 3_200, 6_400, 8_000, 8_000])
        );
        let mut high = Backoff::up_to(TEN);
        assert_eq!(
            schedule(&mut high, 1.0, 6),
            ms(&[1_200, 2_400, 4_800, 9_600, 12_000, 12_000])
        );
        // Whatever the source gives, the wait stays in the band.
        let mut odd = Backoff::up_to(TEN);
        assert_eq!(odd.next(-3.0), Duration::from_millis(800));
        assert_eq!(odd.next(7.0), Duration::from_millis(2_400));
    }

    #[test]
    fn a_welcome_starts_the_schedule_again() {
        let mut backoff = Backoff::up_to(TEN);
        schedule(&mut backoff, 0.5, 5);
        backoff.reset();
        assert_eq!(backoff.next(0.5), Duration::from_secs(1));
        // Many failures in a row never overflow.
        let mut long = Backoff {
            attempts: u32::MAX,
            max_ms: 30_000,
        };
        assert_eq!(long.next(0.5), Duration::from_secs(30));
        assert_eq!(long.next(0.5), Duration::from_secs(30));
    }
}

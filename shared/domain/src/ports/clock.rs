//! The clock port. Business rules ask it for "now"; tests and the `--dev`
//! mode set it.

use chrono::{DateTime, Duration, Utc};
use std::sync::RwLock;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that can be set: it then runs on from the set instant at the
/// machine's pace (or stands still when frozen).
#[derive(Debug, Default)]
pub struct SettableClock {
    state: RwLock<ClockState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct ClockState {
    offset: Duration,
    frozen_at: Option<DateTime<Utc>>,
}

impl SettableClock {
    /// Starts on the machine's time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts frozen at `now` (tests).
    pub fn frozen(now: DateTime<Utc>) -> Self {
        let clock = Self::new();
        clock.freeze(now);
        clock
    }

    /// From now on, time runs from `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        s.offset = now - Utc::now();
        s.frozen_at = None;
    }

    /// Time stands still at `now` until set again.
    pub fn freeze(&self, now: DateTime<Utc>) {
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        s.frozen_at = Some(now);
    }

    /// Moves a frozen or running clock by `by`.
    pub fn advance(&self, by: Duration) {
        let mut s = self.state.write().unwrap_or_else(|p| p.into_inner());
        match s.frozen_at.as_mut() {
            Some(t) => *t += by,
            None => s.offset += by,
        }
    }
}

impl Clock for SettableClock {
    fn now(&self) -> DateTime<Utc> {
        let s = *self.state.read().unwrap_or_else(|p| p.into_inner());
        s.frozen_at.unwrap_or_else(|| Utc::now() + s.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_frozen_clock_stands_still_and_advances_on_demand() {
        let t = Utc
            .with_ymd_and_hms(2019, 1, 4, 16, 33, 0)
            .single()
            .unwrap_or_default();
        let clock = SettableClock::frozen(t);
        assert_eq!(clock.now(), t);
        clock.advance(Duration::minutes(5));
        assert_eq!(clock.now(), t + Duration::minutes(5));
    }

    #[test]
    fn a_set_clock_runs_on_from_the_set_instant() {
        let t = Utc
            .with_ymd_and_hms(2019, 1, 4, 16, 33, 0)
            .single()
            .unwrap_or_default();
        let clock = SettableClock::new();
        clock.set(t);
        let now = clock.now();
        assert!(now >= t && now < t + Duration::seconds(5), "{now}");
    }
}

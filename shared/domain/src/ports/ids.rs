//! Time-ordered identifiers (ULIDs): 48 bits of milliseconds from the clock,
//! then 80 random bits, incremented within one millisecond so that ids from
//! one generator are strictly increasing.

use super::clock::Clock;
use std::sync::{Arc, Mutex};
use ulid::Ulid;

pub struct IdGenerator {
    clock: Arc<dyn Clock>,
    last: Mutex<Ulid>,
}

impl IdGenerator {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            last: Mutex::new(Ulid::nil()),
        }
    }

    /// A new id, 26 characters of Crockford base 32, sorting in time order.
    pub fn next(&self) -> String {
        self.next_ulid().to_string()
    }

    pub fn next_ulid(&self) -> Ulid {
        let ms = u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let candidate = Ulid::from_parts(ms, rand::random::<u128>());
        let id = if candidate > *last {
            candidate
        } else {
            // Same millisecond (or a clock set back): stay after the last id.
            last.increment().unwrap_or(candidate)
        };
        *last = id;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::clock::SettableClock;
    use chrono::{TimeZone, Utc};

    #[test]
    fn ids_from_one_generator_strictly_increase_even_within_a_millisecond() {
        let t = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let ids = IdGenerator::new(Arc::new(SettableClock::frozen(t)));
        let all: Vec<String> = (0..1000).map(|_| ids.next()).collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert!(all.iter().all(|id| id.len() == 26));
    }

    #[test]
    fn ids_carry_the_clock_time() {
        let t = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let ids = IdGenerator::new(Arc::new(SettableClock::frozen(t)));
        let id = ids.next_ulid();
        assert_eq!(id.timestamp_ms(), t.timestamp_millis() as u64);
    }
}

//! What the crèche's daily job does to one application, and when: the
//! renewal reminder 15 days before `renew_before`, the closing the day
//! after it (not confirmed), the lapse of an offer past its deadline.
//! Dates in Europe/Paris.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::Status;
use crate::time::local_date;

/// Days before `renew_before` the reminder is sent.
pub const REMINDER_DAYS: u64 = 15;
/// Years an application closed without a place is kept after closing.
pub const RETENTION_YEARS: i64 = 3;

/// What is due on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// An offer past its deadline, to record as lapsed.
    Lapse,
    /// "Confirmez votre demande de place en crèche".
    Remind,
    /// Not confirmed by `renew_before`: closed.
    Close,
}

/// The job's view of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// As stored.
    pub status: Status,
    pub deadline: Option<DateTime<Utc>>,
    pub renew_before: NaiveDate,
    /// The `renew_before` a reminder was sent for.
    pub reminded_for: Option<NaiveDate>,
}

impl Pending {
    fn reminded(&self) -> bool {
        self.reminded_for == Some(self.renew_before)
    }

    /// The day the job next has something to do (Paris); `None` for a
    /// final application. An offer standing waits for its deadline (no
    /// renewal while the family has a place to answer).
    pub fn next_day(&self) -> Option<NaiveDate> {
        if !self.status.is_open() {
            return None;
        }
        if let (Status::Offered, Some(deadline)) = (self.status, self.deadline) {
            return Some(local_date(deadline));
        }
        Some(if self.reminded() {
            self.renew_before
                .checked_add_days(Days::new(1))
                .unwrap_or(self.renew_before)
        } else {
            self.renew_before
                .checked_sub_days(Days::new(REMINDER_DAYS))
                .unwrap_or(self.renew_before)
        })
    }

    /// What is due at `now`. Closing comes after a reminder only: an
    /// application whose `renew_before` passed while an offer stood gets
    /// its reminder first, then closes the next day.
    pub fn due(&self, now: DateTime<Utc>) -> Option<Due> {
        if !self.status.is_open() {
            return None;
        }
        if self.status == Status::Offered {
            return match self.deadline {
                Some(d) if now > d => Some(Due::Lapse),
                _ => None,
            };
        }
        let today = local_date(now);
        match self.next_day() {
            Some(day) if day <= today => Some(if self.reminded() {
                Due::Close
            } else {
                Due::Remind
            }),
            _ => None,
        }
    }
}

/// When an application closed at `closed_at` without a place is deleted
/// (unix seconds).
pub fn deleted_at(closed_at: DateTime<Utc>) -> i64 {
    closed_at
        .checked_add_months(chrono::Months::new(12 * RETENTION_YEARS as u32))
        .unwrap_or(closed_at)
        .timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn reminder_fifteen_days_before_then_closing_the_day_after() {
        let mut p = Pending {
            status: Status::UnderReview,
            deadline: None,
            renew_before: day(2027, 3, 31),
            reminded_for: None,
        };
        assert_eq!(p.next_day(), Some(day(2027, 3, 16)));
        assert_eq!(p.due(at(2027, 3, 15, 6)), None);
        assert_eq!(p.due(at(2027, 3, 16, 6)), Some(Due::Remind));
        p.reminded_for = Some(day(2027, 3, 31));
        assert_eq!(p.next_day(), Some(day(2027, 4, 1)));
        assert_eq!(p.due(at(2027, 3, 31, 6)), None);
        assert_eq!(p.due(at(2027, 4, 1, 6)), Some(Due::Close));
        // Renewed: a new reminder for the new day.
        p.renew_before = day(2027, 6, 30);
        assert_eq!(p.due(at(2027, 4, 1, 6)), None);
        assert_eq!(p.next_day(), Some(day(2027, 6, 15)));
    }

    #[test]
    fn an_offer_waits_for_its_deadline_then_lapses() {
        let p = Pending {
            status: Status::Offered,
            deadline: Some(at(2027, 3, 10, 22)),
            renew_before: day(2027, 1, 1),
            reminded_for: None,
        };
        assert_eq!(p.next_day(), Some(day(2027, 3, 10)));
        assert_eq!(p.due(at(2027, 3, 10, 6)), None);
        assert_eq!(p.due(at(2027, 3, 10, 22)), None);
        assert_eq!(p.due(at(2027, 3, 11, 6)), Some(Due::Lapse));
    }

    #[test]
    fn final_applications_have_nothing_due() {
        for s in [
            Status::Accepted,
            Status::Declined,
            Status::Withdrawn,
            Status::Closed,
        ] {
            let p = Pending {
                status: s,
                deadline: None,
                renew_before: day(2027, 1, 1),
                reminded_for: None,
            };
            assert_eq!(p.next_day(), None);
            assert_eq!(p.due(at(2030, 1, 1, 6)), None);
        }
    }

    #[test]
    fn deletion_three_years_after_closing() {
        assert_eq!(deleted_at(at(2027, 3, 1, 6)), at(2030, 3, 1, 6).timestamp());
    }
}

//! When a family hears that an accepted document is about to expire, or
//! has expired; and when a retired document (refused, replaced, cancelled)
//! is deleted. Pure: the daily job asks, the store records what was sent.

use chrono::{Duration, NaiveDate};

use super::EXPIRES_SOON_DAYS;

/// Retired documents are kept this many days by default.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;
/// The retention a commune may set, in days.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 30..=3650;
/// The store's own deletion of a retired document's metadata comes this
/// many days after the job's, as a backstop when the job does not run.
pub const TTL_MARGIN_DAYS: i64 = 30;

/// The e-mail an accepted document calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// "Pièce justificative bientôt expirée": it ends within 30 days.
    Soon,
    /// "Pièce justificative expirée": its last valid day is past.
    Expired,
}

/// What was already sent for a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sent {
    pub soon: bool,
    pub expired: bool,
}

/// The notice due on `today` for a document valid through `expires_on`:
/// "expired" from the day after its last valid day, "soon" from 30 days
/// before it (the 30th day included), each once. When both are due (runs
/// were missed), only "expired".
pub fn notice_due(expires_on: NaiveDate, sent: Sent, today: NaiveDate) -> Option<Notice> {
    if sent.expired {
        None
    } else if today > expires_on {
        Some(Notice::Expired)
    } else if !sent.soon && (expires_on - today).num_days() <= EXPIRES_SOON_DAYS {
        Some(Notice::Soon)
    } else {
        None
    }
}

/// The first day the next notice is due (`None`: none is left). The
/// expiry index sorts documents by this day, so that a run reads only
/// those due.
pub fn next_notice_on(expires_on: NaiveDate, sent: Sent) -> Option<NaiveDate> {
    if sent.expired {
        None
    } else if sent.soon {
        expires_on.checked_add_signed(Duration::days(1))
    } else {
        expires_on.checked_sub_signed(Duration::days(EXPIRES_SOON_DAYS))
    }
}

/// The day a document retired on `retired_on` is deleted, for a
/// retention of `days`.
pub fn delete_on(retired_on: NaiveDate, days: u32) -> NaiveDate {
    retired_on
        .checked_add_signed(Duration::days(i64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// The last retirement day deleted on `today`, for a retention of `days`.
pub fn retired_until(today: NaiveDate, days: u32) -> NaiveDate {
    today
        .checked_sub_signed(Duration::days(i64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    const NONE: Sent = Sent {
        soon: false,
        expired: false,
    };
    const SOON: Sent = Sent {
        soon: true,
        expired: false,
    };

    #[test]
    fn soon_is_due_from_the_30th_day_before_the_end_included() {
        let end = d("2027-03-31");
        assert_eq!(notice_due(end, NONE, d("2027-02-28")), None, "31 days");
        assert_eq!(notice_due(end, NONE, d("2027-03-01")), Some(Notice::Soon));
        assert_eq!(notice_due(end, NONE, d("2027-03-31")), Some(Notice::Soon));
        assert_eq!(next_notice_on(end, NONE), Some(d("2027-03-01")));
    }

    #[test]
    fn soon_is_sent_once_then_expired_the_day_after_the_end() {
        let end = d("2027-03-31");
        for day in ["2027-03-01", "2027-03-15", "2027-03-31"] {
            assert_eq!(notice_due(end, SOON, d(day)), None, "{day}");
        }
        assert_eq!(
            notice_due(end, SOON, d("2027-04-01")),
            Some(Notice::Expired)
        );
        assert_eq!(next_notice_on(end, SOON), Some(d("2027-04-01")));
        let all = Sent {
            soon: true,
            expired: true,
        };
        assert_eq!(notice_due(end, all, d("2027-04-02")), None);
        assert_eq!(next_notice_on(end, all), None);
    }

    #[test]
    fn missed_days_send_only_expired_when_both_are_due() {
        let end = d("2027-03-31");
        // No run between 1 March and 1 April: "soon" is not sent late.
        assert_eq!(
            notice_due(end, NONE, d("2027-04-01")),
            Some(Notice::Expired)
        );
        assert_eq!(
            notice_due(end, NONE, d("2027-06-01")),
            Some(Notice::Expired)
        );
        // Expired alone marked sent: nothing more, ever.
        let expired = Sent {
            soon: false,
            expired: true,
        };
        assert_eq!(notice_due(end, expired, d("2027-06-02")), None);
        assert_eq!(next_notice_on(end, expired), None);
    }

    #[test]
    fn a_document_accepted_close_to_its_end_is_due_at_once() {
        let end = d("2027-03-31");
        let due = next_notice_on(end, NONE).unwrap_or_default();
        assert!(due < d("2027-03-21"));
        assert_eq!(notice_due(end, NONE, d("2027-03-21")), Some(Notice::Soon));
    }

    #[test]
    fn retired_documents_are_deleted_after_the_retention() {
        assert_eq!(delete_on(d("2026-12-07"), 365), d("2027-12-07"));
        assert_eq!(retired_until(d("2027-12-07"), 365), d("2026-12-07"));
        assert_eq!(retired_until(d("2027-12-06"), 365), d("2026-12-06"));
        assert!(RETENTION_DAYS.contains(&DEFAULT_RETENTION_DAYS));
    }
}

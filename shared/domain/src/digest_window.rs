//! The windows of the processing digest (« accusé de traitement »).
//!
//! Twice a day, at 13:00 and at 18:00 Europe/Paris, each family receives
//! one e-mail listing the requests decided in the window that just closed:
//! at 13:00 those decided after 18:00 the day before up to 13:00; at 18:00
//! those decided after 13:00 up to 18:00 (the guide: « entre 18h01 du jour
//! n-1 et 13h du jour n », « entre 13h01 et 18h »).
//!
//! # Decisions
//!
//! - A window is **half-open on the left**: (previous boundary, boundary].
//!   A decision at exactly 13:00:00 belongs to the 13:00 window; at
//!   13:00:00.5 or 13:00:01 to the 18:00 window; at 18:00:00 to the 18:00
//!   window; at 18:00:01 to the next day's 13:00 window. Instants are
//!   compared to the nanosecond, never rounded, so every instant belongs
//!   to exactly one window and the windows tile time.
//! - Boundaries are Paris wall-clock times, every day of the year,
//!   weekends and holidays included (agents may decide on a Saturday).
//!   13:00 and 18:00 always exist exactly once in Paris, so across a
//!   daylight-saving change the windows stay 18:00 → 13:00 → 18:00 local:
//!   the 13:00 window is 19 hours long, 18 hours on the spring-forward
//!   Sunday and 20 hours on the fall-back Sunday; the 18:00 window is
//!   always 5 hours.
//! - A window is named by the local date and hour of its boundary,
//!   `2026-11-28T13` ([`Window::id`]): the key the store files decisions
//!   under. Ids sort chronologically as strings (years 0000 to 9999).
//! - A digest run catches up missed runs with [`boundaries_between`]: the
//!   windows closed in (last run, now], each once.
//! - At the very end of chrono's dates (year 262 143) there is no next
//!   day: [`Window::next`] and [`Window::previous`] saturate there.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::paris_instant;
use crate::time::local_date;

/// Which of the two daily boundaries closes a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// Closes at 13:00; opens at 18:00 the day before.
    Midday,
    /// Closes at 18:00; opens at 13:00 the same day.
    Evening,
}

impl Slot {
    /// 13 or 18.
    pub fn hour(self) -> u32 {
        match self {
            Slot::Midday => 13,
            Slot::Evening => 18,
        }
    }

    fn time(self) -> NaiveTime {
        NaiveTime::from_hms_opt(self.hour(), 0, 0).unwrap_or(NaiveTime::MIN)
    }
}

/// One digest window, named by the Paris date and hour that close it.
/// Windows order chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Window {
    date: NaiveDate,
    slot: Slot,
}

/// The window a decision taken at `decided_at` belongs to.
pub fn window_of(decided_at: DateTime<Utc>) -> Window {
    let date = local_date(decided_at);
    let midday = Window::new(date, Slot::Midday);
    if decided_at <= midday.end() {
        return midday;
    }
    let evening = Window::new(date, Slot::Evening);
    if decided_at <= evening.end() {
        return evening;
    }
    evening.next()
}

/// The window that closes exactly at `boundary` (13:00:00 or 18:00:00
/// Paris time), or `None` for any other instant.
pub fn window_ending_at(boundary: DateTime<Utc>) -> Option<Window> {
    let window = window_of(boundary);
    (window.end() == boundary).then_some(window)
}

/// The latest window closed at `now`: the one ending at `now` if `now` is
/// a boundary, else the one before the window `now` is in.
pub fn last_closed(now: DateTime<Utc>) -> Window {
    let current = window_of(now);
    if current.end() == now {
        current
    } else {
        current.previous()
    }
}

/// The windows that closed after `after` and up to `up_to` included, in
/// order: what a digest run at `up_to` sends when the last run was at
/// `after`. Empty when `up_to <= after`.
pub fn boundaries_between(
    after: DateTime<Utc>,
    up_to: DateTime<Utc>,
) -> impl Iterator<Item = Window> {
    let first = last_closed(after).next();
    std::iter::successors(Some(first), |w| {
        let next = w.next();
        (next != *w).then_some(next)
    })
    .take_while(move |w| w.end() <= up_to)
}

impl Window {
    pub fn new(date: NaiveDate, slot: Slot) -> Self {
        Self { date, slot }
    }

    /// The Paris date of the boundary that closes the window.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    pub fn slot(&self) -> Slot {
        self.slot
    }

    /// The instant the window closes, included: 13:00 or 18:00 Paris time.
    /// The digest for the window is sent then.
    pub fn end(&self) -> DateTime<Utc> {
        paris_instant(self.date, self.slot.time())
    }

    /// The instant the window opens, excluded: the previous window's end.
    pub fn start(&self) -> DateTime<Utc> {
        self.previous().end()
    }

    /// `start < at <= end`.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start() < at && at <= self.end()
    }

    /// 5, 18, 19 or 20 hours.
    pub fn duration(&self) -> TimeDelta {
        self.end() - self.start()
    }

    /// `2026-11-28T13`: the store key, sortable as a string.
    pub fn id(&self) -> String {
        format!("{}T{}", self.date.format("%Y-%m-%d"), self.slot.hour())
    }

    /// The window before: the same day's 13:00 for an 18:00 window, the
    /// day before's 18:00 for a 13:00 window.
    pub fn previous(&self) -> Self {
        match self.slot {
            Slot::Evening => Self::new(self.date, Slot::Midday),
            Slot::Midday => match self.date.pred_opt() {
                Some(day_before) => Self::new(day_before, Slot::Evening),
                None => *self,
            },
        }
    }

    /// The window after: the same day's 18:00 for a 13:00 window, the
    /// next day's 13:00 for an 18:00 window.
    pub fn next(&self) -> Self {
        match self.slot {
            Slot::Midday => Self::new(self.date, Slot::Evening),
            Slot::Evening => match self.date.succ_opt() {
                Some(day_after) => Self::new(day_after, Slot::Midday),
                None => *self,
            },
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

/// A window id that is not `AAAA-MM-JJT13` or `AAAA-MM-JJT18`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Identifiant de fenêtre de traitement invalide « {0} » : attendu AAAA-MM-JJT13 ou AAAA-MM-JJT18."
)]
pub struct WindowIdError(pub String);

impl FromStr for Window {
    type Err = WindowIdError;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        let invalid = || WindowIdError(id.to_owned());
        let (date, hour) = id.split_once('T').ok_or_else(invalid)?;
        let slot = match hour {
            "13" => Slot::Midday,
            "18" => Slot::Evening,
            _ => return Err(invalid()),
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| invalid())?;
        let window = Window::new(date, slot);
        // One spelling only: "2026-1-5T13" would break the string order.
        if window.id() == id {
            Ok(window)
        } else {
            Err(invalid())
        }
    }
}

impl TryFrom<String> for Window {
    type Error = WindowIdError;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        id.parse()
    }
}

impl From<Window> for String {
    fn from(window: Window) -> Self {
        window.id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ZONE;
    use chrono::{NaiveDateTime, TimeZone};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// A Paris wall-clock instant that exists once.
    fn paris(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        let local = date(y, mo, d).and_hms_opt(h, mi, s).unwrap_or_default();
        paris_local(local)
    }

    fn paris_local(local: NaiveDateTime) -> DateTime<Utc> {
        ZONE.from_local_datetime(&local)
            .single()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .unwrap_or_default()
    }

    fn id_of(at: DateTime<Utc>) -> String {
        window_of(at).id()
    }

    fn window(id: &str) -> Window {
        match id.parse() {
            Ok(w) => w,
            Err(e) => panic!("{e}"),
        }
    }

    /// Each decision time around `day`, with the window it falls in.
    fn check_day_boundaries(y: i32, m: u32, d: u32) {
        let day = date(y, m, d);
        let before = day.pred_opt().unwrap_or_default();
        let after = day.succ_opt().unwrap_or_default();
        let at =
            |on: NaiveDate, h, mi, s| paris_local(on.and_hms_opt(h, mi, s).unwrap_or_default());
        let cases = [
            (at(before, 18, 0, 0), format!("{before}T18")),
            (at(before, 18, 0, 1), format!("{day}T13")),
            (at(day, 12, 59, 59), format!("{day}T13")),
            (at(day, 13, 0, 0), format!("{day}T13")),
            (at(day, 13, 0, 1), format!("{day}T18")),
            (at(day, 17, 59, 59), format!("{day}T18")),
            (at(day, 18, 0, 0), format!("{day}T18")),
            (at(day, 18, 0, 1), format!("{after}T13")),
        ];
        for (decided_at, expected) in cases {
            assert_eq!(id_of(decided_at), expected, "decided at {decided_at}");
            assert!(window_of(decided_at).contains(decided_at));
        }
    }

    #[test]
    fn a_decision_at_exactly_13_00_belongs_to_the_13_00_window() {
        assert_eq!(id_of(paris(2026, 11, 27, 13, 0, 0)), "2026-11-27T13");
    }

    #[test]
    fn a_decision_at_13_00_01_belongs_to_the_18_00_window() {
        assert_eq!(id_of(paris(2026, 11, 27, 13, 0, 1)), "2026-11-27T18");
    }

    #[test]
    fn a_decision_half_a_second_after_13_00_belongs_to_the_18_00_window() {
        let at = paris(2026, 11, 27, 13, 0, 0) + TimeDelta::milliseconds(500);
        assert_eq!(id_of(at), "2026-11-27T18");
        let just_before = paris(2026, 11, 27, 13, 0, 0) - TimeDelta::nanoseconds(1);
        assert_eq!(id_of(just_before), "2026-11-27T13");
    }

    #[test]
    fn a_decision_at_exactly_18_00_belongs_to_the_18_00_window() {
        assert_eq!(id_of(paris(2026, 11, 27, 18, 0, 0)), "2026-11-27T18");
    }

    #[test]
    fn a_decision_at_18_00_01_belongs_to_the_next_days_13_00_window() {
        assert_eq!(id_of(paris(2026, 11, 27, 18, 0, 1)), "2026-11-28T13");
    }

    #[test]
    fn a_decision_just_after_midnight_belongs_to_that_days_13_00_window() {
        assert_eq!(id_of(paris(2026, 11, 28, 0, 0, 0)), "2026-11-28T13");
        // 23:30Z on 27 November is already 00:30 on the 28th in Paris.
        assert_eq!(id_of(utc(2026, 11, 27, 23, 30, 0)), "2026-11-28T13");
    }

    #[test]
    fn boundaries_hold_on_an_ordinary_winter_and_summer_day() {
        check_day_boundaries(2026, 1, 14);
        check_day_boundaries(2026, 7, 14);
    }

    #[test]
    fn boundaries_hold_around_the_spring_forward_sunday() {
        check_day_boundaries(2026, 3, 28);
        check_day_boundaries(2026, 3, 29);
        check_day_boundaries(2026, 3, 30);
    }

    #[test]
    fn boundaries_hold_around_the_fall_back_sunday() {
        check_day_boundaries(2026, 10, 24);
        check_day_boundaries(2026, 10, 25);
        check_day_boundaries(2026, 10, 26);
    }

    #[test]
    fn boundaries_hold_on_a_weekend() {
        // Saturday 28 and Sunday 29 November 2026.
        check_day_boundaries(2026, 11, 28);
        check_day_boundaries(2026, 11, 29);
    }

    #[test]
    fn boundaries_hold_across_the_year_end() {
        check_day_boundaries(2026, 12, 31);
        check_day_boundaries(2027, 1, 1);
    }

    #[test]
    fn a_decision_at_18_00_01_on_new_years_eve_belongs_to_new_years_day() {
        assert_eq!(id_of(paris(2026, 12, 31, 18, 0, 1)), "2027-01-01T13");
        assert_eq!(id_of(paris(2026, 12, 31, 18, 0, 0)), "2026-12-31T18");
        assert_eq!(window("2027-01-01T13").start(), utc(2026, 12, 31, 17, 0, 0));
    }

    #[test]
    fn windows_end_at_13_00_and_18_00_paris_time_in_winter_and_summer() {
        assert_eq!(window("2026-01-14T13").end(), utc(2026, 1, 14, 12, 0, 0));
        assert_eq!(window("2026-01-14T18").end(), utc(2026, 1, 14, 17, 0, 0));
        assert_eq!(window("2026-07-14T13").end(), utc(2026, 7, 14, 11, 0, 0));
        assert_eq!(window("2026-07-14T18").end(), utc(2026, 7, 14, 16, 0, 0));
    }

    #[test]
    fn the_13_00_window_lasts_19_hours_and_the_18_00_window_5() {
        assert_eq!(window("2026-01-14T13").duration(), TimeDelta::hours(19));
        assert_eq!(window("2026-01-14T18").duration(), TimeDelta::hours(5));
    }

    #[test]
    fn the_13_00_window_of_the_spring_forward_sunday_lasts_18_hours() {
        let w = window("2026-03-29T13");
        assert_eq!(w.start(), utc(2026, 3, 28, 17, 0, 0));
        assert_eq!(w.end(), utc(2026, 3, 29, 11, 0, 0));
        assert_eq!(w.duration(), TimeDelta::hours(18));
        assert_eq!(window("2026-03-29T18").duration(), TimeDelta::hours(5));
    }

    #[test]
    fn the_13_00_window_of_the_fall_back_sunday_lasts_20_hours() {
        let w = window("2026-10-25T13");
        assert_eq!(w.start(), utc(2026, 10, 24, 16, 0, 0));
        assert_eq!(w.end(), utc(2026, 10, 25, 12, 0, 0));
        assert_eq!(w.duration(), TimeDelta::hours(20));
        assert_eq!(window("2026-10-25T18").duration(), TimeDelta::hours(5));
    }

    #[test]
    fn decisions_in_the_repeated_hour_belong_to_that_sundays_13_00_window() {
        // 02:30 happens twice on 25 October 2026: 00:30Z and 01:30Z.
        assert_eq!(id_of(utc(2026, 10, 25, 0, 30, 0)), "2026-10-25T13");
        assert_eq!(id_of(utc(2026, 10, 25, 1, 30, 0)), "2026-10-25T13");
    }

    #[test]
    fn a_weekend_has_its_four_windows() {
        let saturday = window("2026-11-28T13");
        let ids: Vec<String> = std::iter::successors(Some(saturday), |w| Some(w.next()))
            .take(5)
            .map(|w| w.id())
            .collect();
        assert_eq!(
            ids,
            [
                "2026-11-28T13",
                "2026-11-28T18",
                "2026-11-29T13",
                "2026-11-29T18",
                "2026-11-30T13"
            ]
        );
    }

    #[test]
    fn previous_undoes_next() {
        for id in [
            "2026-12-31T18",
            "2027-01-01T13",
            "2026-03-29T13",
            "2026-10-25T18",
        ] {
            let w = window(id);
            assert_eq!(w.next().previous(), w);
            assert_eq!(w.previous().next(), w);
            assert!(w.previous() < w && w < w.next());
        }
    }

    #[test]
    fn next_and_previous_saturate_at_the_ends_of_the_calendar() {
        let last = Window::new(NaiveDate::MAX, Slot::Evening);
        assert_eq!(last.next(), last);
        let first = Window::new(NaiveDate::MIN, Slot::Midday);
        assert_eq!(first.previous(), first);
    }

    #[test]
    fn only_a_13_00_or_18_00_instant_ends_a_window() {
        assert_eq!(
            window_ending_at(utc(2026, 1, 14, 12, 0, 0)),
            Some(window("2026-01-14T13"))
        );
        assert_eq!(
            window_ending_at(utc(2026, 7, 14, 16, 0, 0)),
            Some(window("2026-07-14T18"))
        );
        assert_eq!(window_ending_at(utc(2026, 1, 14, 12, 0, 1)), None);
        assert_eq!(
            window_ending_at(utc(2026, 1, 14, 12, 0, 0) - TimeDelta::nanoseconds(1)),
            None
        );
        // 12:00Z in summer is 14:00 in Paris.
        assert_eq!(window_ending_at(utc(2026, 7, 14, 12, 0, 0)), None);
    }

    #[test]
    fn the_last_closed_window_at_a_boundary_is_the_one_it_closes() {
        let boundary = paris(2026, 11, 27, 13, 0, 0);
        assert_eq!(last_closed(boundary).id(), "2026-11-27T13");
        assert_eq!(
            last_closed(boundary + TimeDelta::seconds(5)).id(),
            "2026-11-27T13"
        );
        assert_eq!(
            last_closed(boundary - TimeDelta::seconds(5)).id(),
            "2026-11-26T18"
        );
    }

    #[test]
    fn catching_up_lists_each_window_closed_since_the_last_run_once() {
        // Given a last run at 18:00 on Friday and a run on Sunday 13:00:30.
        let last_run = paris(2026, 11, 27, 18, 0, 0);
        let now = paris(2026, 11, 29, 13, 0, 30);
        let ids: Vec<String> = boundaries_between(last_run, now).map(|w| w.id()).collect();
        assert_eq!(ids, ["2026-11-28T13", "2026-11-28T18", "2026-11-29T13"]);
        // And the next run at 18:00 lists only the 18:00 window.
        let later: Vec<String> = boundaries_between(now, paris(2026, 11, 29, 18, 0, 0))
            .map(|w| w.id())
            .collect();
        assert_eq!(later, ["2026-11-29T18"]);
    }

    #[test]
    fn catching_up_from_a_moment_to_itself_or_backwards_lists_nothing() {
        let at = paris(2026, 11, 27, 18, 0, 0);
        assert_eq!(boundaries_between(at, at).count(), 0);
        assert_eq!(boundaries_between(at, at - TimeDelta::days(2)).count(), 0);
        let between = paris(2026, 11, 27, 15, 0, 0);
        assert_eq!(
            boundaries_between(between, between + TimeDelta::hours(1)).count(),
            0
        );
    }

    #[test]
    fn catching_up_across_both_dst_changes_counts_two_windows_a_day() {
        let from = paris(2026, 1, 1, 0, 0, 0);
        let to = paris(2027, 1, 1, 0, 0, 0);
        assert_eq!(boundaries_between(from, to).count(), 365 * 2);
    }

    #[test]
    fn an_id_parses_back_to_its_window() {
        let w = window("2026-11-28T13");
        assert_eq!(w.date(), date(2026, 11, 28));
        assert_eq!(w.slot(), Slot::Midday);
        assert_eq!(w.slot().hour(), 13);
        assert_eq!(w.to_string(), "2026-11-28T13");
        assert_eq!(window("2026-11-28T18").slot(), Slot::Evening);
    }

    #[test]
    fn an_id_that_is_not_a_window_is_refused() {
        for bad in [
            "",
            "2026-11-28",
            "2026-11-28T12",
            "2026-11-28T1",
            "2026-11-28T013",
            "2026-11-28 13",
            "2026-11-28t13",
            "2026-13-01T13",
            "2026-02-30T13",
            "2026-1-5T13",
            "26-11-28T13",
            "2026-11-28T13x",
            "+2026-11-28T13",
        ] {
            assert_eq!(
                bad.parse::<Window>(),
                Err(WindowIdError(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(
            WindowIdError("x".into()).to_string(),
            "Identifiant de fenêtre de traitement invalide « x » : attendu AAAA-MM-JJT13 ou AAAA-MM-JJT18."
        );
    }

    #[test]
    fn a_window_travels_in_json_as_its_id() {
        let json = serde_json::to_string(&window("2026-11-28T18")).unwrap_or_default();
        assert_eq!(json, r#""2026-11-28T18""#);
        let back: Result<Window, _> = serde_json::from_str(&json);
        assert_eq!(back.ok(), Some(window("2026-11-28T18")));
        let bad: Result<Window, _> = serde_json::from_str(r#""2026-11-28T12""#);
        assert!(bad.is_err());
    }

    #[test]
    fn ids_sort_as_strings_in_chronological_order() {
        let first = window("2025-12-30T13");
        let windows: Vec<Window> = std::iter::successors(Some(first), |w| Some(w.next()))
            .take(800)
            .collect();
        let mut ids: Vec<String> = windows.iter().map(Window::id).collect();
        let chronological = ids.clone();
        ids.sort();
        assert_eq!(ids, chronological);
        assert!(
            windows
                .windows(2)
                .all(|p| p[0] < p[1] && p[0].end() < p[1].end())
        );
        assert!(window("0999-12-31T18").id() < window("1000-01-01T13").id());
    }

    #[test]
    fn windows_tile_time_without_gaps_or_overlaps_over_two_years() {
        // Given every window from mid-2025 to mid-2027, both DST changes
        // of each year included.
        let mut w = window_of(utc(2025, 6, 1, 0, 0, 0));
        let stop = utc(2027, 6, 1, 0, 0, 0);
        let mut count = 0;
        while w.end() < stop {
            let next = w.next();
            // Then each window opens where the previous one closed…
            assert_eq!(next.start(), w.end(), "{w}");
            // …its boundary and the instant after fall on each side…
            assert_eq!(window_of(w.end()), w);
            assert_eq!(window_of(w.end() + TimeDelta::nanoseconds(1)), next);
            // …and it lasts 5, 18, 19 or 20 hours.
            let hours = w.duration().num_hours();
            assert!(matches!(hours, 5 | 18 | 19 | 20), "{w}: {hours} h");
            assert_eq!(w.duration(), TimeDelta::hours(hours));
            w = next;
            count += 1;
        }
        assert_eq!(count, 730 * 2);
    }

    #[test]
    fn every_instant_lies_in_exactly_one_window_over_two_years() {
        // Given an instant every 7 minutes over two years, each shifted by
        // a pseudo-random fraction of a minute.
        let mut at = utc(2025, 6, 1, 0, 0, 0);
        let stop = utc(2027, 6, 1, 0, 0, 0);
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut checked = 0;
        while at < stop {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let jitter = i64::try_from((seed >> 33) % 60_000_000_000).unwrap_or_default();
            let instant = at + TimeDelta::nanoseconds(jitter);
            // When the window of the instant is taken.
            let w = window_of(instant);
            // Then the instant lies in it and in neither neighbour.
            assert!(
                w.start() < instant && instant <= w.end(),
                "{instant} in {w}"
            );
            assert!(!w.previous().contains(instant), "{instant}");
            assert!(!w.next().contains(instant), "{instant}");
            at += TimeDelta::minutes(7);
            checked += 1;
        }
        assert!(checked > 150_000, "{checked}");
    }
}

//! Comment windows: when a docket takes comments, deadline arithmetic in the agency's time zone, and admission rules.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A comment period runs 30 days unless the agency says otherwise.
pub const DEFAULT_WINDOW_DAYS: u64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WindowError {
    #[error("unknown time zone {0:?}; use an IANA name such as America/New_York")]
    UnknownTimeZone(String),
    #[error("the window must close after it opens")]
    ClosesBeforeOpening,
}

pub fn parse_time_zone(name: &str) -> Result<Tz, WindowError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| WindowError::UnknownTimeZone(name.to_owned()))
}

/// The instant a window with this due date closes: 00:00:00 of the next day on the agency's clock,
/// exclusive, so every instant of the due date (23:59:59.5 included) is on time. Pages show the
/// deadline as the last second of the due date (`format_deadline`).
///
/// If midnight falls in a daylight-saving gap (clocks jump forward at midnight) the window closes
/// at the first instant after the gap; if midnight happens twice (clocks go back at midnight) at
/// the later one, which gives the public the whole due date.
pub fn closing_instant(due_date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let next_day = due_date.succ_opt().unwrap_or(due_date);
    let midnight = next_day.and_time(NaiveTime::MIN);
    match zone.from_local_datetime(&midnight) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(_, later) => later.with_timezone(&Utc),
        LocalResult::None => {
            // The gap is at most a few hours: the first whole minute that exists after it.
            (1..=24 * 60)
                .filter_map(|m| midnight.checked_add_signed(chrono::Duration::minutes(m)))
                .find_map(|t| zone.from_local_datetime(&t).earliest())
                .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
        }
    }
}

/// A closing instant as pages show the deadline: the last second before it, such as
/// `April 13, 2023, 11:59:59 PM EDT` for a window closing at midnight.
pub fn format_deadline(closes_at: DateTime<Utc>, zone: Tz) -> String {
    format_in_zone(last_second(closes_at), zone)
}

/// The last whole second before a window closes: the deadline as people (and regulations.gov's
/// `commentEndDate`) state it.
pub fn last_second(closes_at: DateTime<Utc>) -> DateTime<Utc> {
    closes_at
        .checked_sub_signed(chrono::Duration::seconds(1))
        .unwrap_or(closes_at)
}

/// The default due date for a window opening at `opens_at`: 30 days later on the agency's calendar.
pub fn default_due_date(opens_at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    let local_day = opens_at.with_timezone(&zone).date_naive();
    local_day
        .checked_add_days(Days::new(DEFAULT_WINDOW_DAYS))
        .expect("30 days after a representable date is representable")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowState {
    Scheduled,
    Open,
    Closed,
}

impl WindowState {
    pub fn as_str(self) -> &'static str {
        match self {
            WindowState::Scheduled => "scheduled",
            WindowState::Open => "open",
            WindowState::Closed => "closed",
        }
    }
}

/// What happens to a comment that arrives at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    OnTime,
    Late,
    NotYetOpen,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentWindow {
    pub opens_at: DateTime<Utc>,
    /// The first instant at which the window is closed.
    pub closes_at: DateTime<Utc>,
    pub allow_late: bool,
}

impl CommentWindow {
    pub fn new(
        opens_at: DateTime<Utc>,
        closes_at: DateTime<Utc>,
        allow_late: bool,
    ) -> Result<Self, WindowError> {
        if closes_at <= opens_at {
            return Err(WindowError::ClosesBeforeOpening);
        }
        Ok(Self {
            opens_at,
            closes_at,
            allow_late,
        })
    }

    /// Scheduled before `opens_at`, open from `opens_at` up to (not including) `closes_at`, then closed.
    pub fn state_at(&self, now: DateTime<Utc>) -> WindowState {
        if now < self.opens_at {
            WindowState::Scheduled
        } else if now < self.closes_at {
            WindowState::Open
        } else {
            WindowState::Closed
        }
    }

    pub fn admission_at(&self, now: DateTime<Utc>) -> Admission {
        match self.state_at(now) {
            WindowState::Scheduled => Admission::NotYetOpen,
            WindowState::Open => Admission::OnTime,
            WindowState::Closed if self.allow_late => Admission::Late,
            WindowState::Closed => Admission::Closed,
        }
    }
}

/// An instant shown on the agency's clock, with the zone's abbreviation: `April 13, 2023, 11:59:59 PM EDT`.
pub fn format_in_zone(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%B %-d, %Y, %-I:%M:%S %p %Z")
        .to_string()
}

/// A date on the agency's calendar: `April 13, 2023`.
pub fn format_date_in_zone(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%B %-d, %Y")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const NEW_YORK: Tz = chrono_tz::America::New_York;

    #[test]
    fn closes_at_the_end_of_the_due_date_in_daylight_time() {
        // BetterHelp: due April 13, 2023; New York is on EDT (UTC-4).
        let closes = closing_instant(date("2023-04-13"), NEW_YORK);
        assert_eq!(closes, utc("2023-04-14T04:00:00Z"));
        assert_eq!(
            format_deadline(closes, NEW_YORK),
            "April 13, 2023, 11:59:59 PM EDT"
        );
        // Half a second before midnight is still the due date.
        let w = CommentWindow::new(utc("2023-03-14T12:00:00Z"), closes, false).unwrap();
        let last_half_second = utc("2023-04-14T03:59:59.500Z");
        assert_eq!(w.admission_at(last_half_second), Admission::OnTime);
        assert_eq!(w.admission_at(closes), Admission::Closed);
    }

    #[test]
    fn closes_at_last_second_of_due_date_in_standard_time() {
        assert_eq!(
            closing_instant(date("2023-01-13"), NEW_YORK),
            utc("2023-01-14T05:00:00Z")
        );
    }

    #[test]
    fn thirty_day_window_across_spring_forward() {
        // Published March 1, 2023 (EST); DST began March 12; due March 31 (EDT).
        let opens = utc("2023-03-01T14:00:00Z");
        let due = default_due_date(opens, NEW_YORK);
        assert_eq!(due, date("2023-03-31"));
        let closes = closing_instant(due, NEW_YORK);
        assert_eq!(closes, utc("2023-04-01T04:00:00Z"));
        // 30 calendar days, one hour shorter than 30 × 24 h because of the DST change.
        assert_eq!(closes - opens, Duration::days(30) + Duration::hours(14));
    }

    #[test]
    fn thirty_day_window_across_fall_back() {
        let opens = utc("2023-10-20T16:00:00Z");
        let due = default_due_date(opens, NEW_YORK);
        assert_eq!(due, date("2023-11-19"));
        assert_eq!(closing_instant(due, NEW_YORK), utc("2023-11-20T05:00:00Z"));
    }

    #[test]
    fn betterhelp_publication_gives_april_13() {
        let published = utc("2023-03-14T12:00:00Z");
        assert_eq!(default_due_date(published, NEW_YORK), date("2023-04-13"));
    }

    #[test]
    fn local_date_decides_the_due_date_not_utc() {
        // 02:30 UTC on March 15 is still March 14 in New York.
        let opens = utc("2023-03-15T02:30:00Z");
        assert_eq!(default_due_date(opens, NEW_YORK), date("2023-04-13"));
    }

    #[test]
    fn states_at_exact_boundaries() {
        let w = CommentWindow::new(
            utc("2023-03-14T12:00:00Z"),
            utc("2023-04-14T03:59:59Z"),
            false,
        )
        .unwrap();
        let ms = Duration::milliseconds(1);
        assert_eq!(w.state_at(w.opens_at - ms), WindowState::Scheduled);
        assert_eq!(w.state_at(w.opens_at), WindowState::Open);
        assert_eq!(w.state_at(w.closes_at - ms), WindowState::Open);
        assert_eq!(w.state_at(w.closes_at), WindowState::Closed);
        assert_eq!(w.admission_at(w.closes_at - ms), Admission::OnTime);
        assert_eq!(w.admission_at(w.closes_at), Admission::Closed);
        assert_eq!(w.admission_at(w.opens_at - ms), Admission::NotYetOpen);
    }

    #[test]
    fn late_policy_admits_late_comments() {
        let w = CommentWindow::new(
            utc("2023-03-14T12:00:00Z"),
            utc("2023-04-14T03:59:59Z"),
            true,
        )
        .unwrap();
        assert_eq!(w.admission_at(w.closes_at), Admission::Late);
        assert_eq!(
            w.admission_at(w.opens_at - Duration::seconds(1)),
            Admission::NotYetOpen
        );
    }

    #[test]
    fn window_must_close_after_opening() {
        let t = utc("2023-03-14T12:00:00Z");
        assert_eq!(
            CommentWindow::new(t, t, false),
            Err(WindowError::ClosesBeforeOpening)
        );
    }

    #[test]
    fn time_zone_names_are_checked() {
        assert_eq!(parse_time_zone("America/New_York"), Ok(NEW_YORK));
        assert!(matches!(
            parse_time_zone("Mars/Olympus"),
            Err(WindowError::UnknownTimeZone(_))
        ));
    }

    #[test]
    fn formats_with_zone_abbreviation() {
        let closes = utc("2023-04-14T03:59:59Z");
        assert_eq!(
            format_in_zone(closes, NEW_YORK),
            "April 13, 2023, 11:59:59 PM EDT"
        );
        assert_eq!(
            format_in_zone(utc("2023-01-14T04:59:59Z"), NEW_YORK),
            "January 13, 2023, 11:59:59 PM EST"
        );
    }

    #[test]
    fn a_skipped_due_date_closes_when_the_next_day_begins() {
        // Samoa skipped December 30, 2011 entirely; December 31 began at 10:00 UTC.
        let apia = chrono_tz::Pacific::Apia;
        let closes = closing_instant(date("2011-12-30"), apia);
        assert_eq!(closes, utc("2011-12-30T10:00:00Z"));
    }

    #[test]
    fn midnight_in_a_daylight_saving_gap_closes_after_the_gap() {
        // São Paulo moved its clocks from 00:00 to 01:00 on November 4, 2018.
        let sao_paulo = chrono_tz::America::Sao_Paulo;
        let closes = closing_instant(date("2018-11-03"), sao_paulo);
        assert_eq!(closes, utc("2018-11-04T03:00:00Z"));
        assert_eq!(
            format_deadline(closes, sao_paulo),
            "November 3, 2018, 11:59:59 PM -03"
        );
    }
}

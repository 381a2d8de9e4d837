//! What goes stale with time, decided once: a certification's validity, a control check's
//! age, evidence past its maximum age, an overdue policy review, audit finding or risk
//! review. `check` turns these states into diagnostics and `render` into labels; neither
//! computes them itself, so the site and the checker cannot disagree.

use serde::Serialize;

use crate::config::SiteConfig;
use crate::date::Date;
use crate::model::{ControlCheck, Finding, Objective};

/// Days before expiry at which a certification shows as expiring.
pub const EXPIRING_WITHIN_DAYS: i64 = 60;
/// A control check older than this many days is stale, unless the check or site.yaml sets
/// its own window (`stale_after`).
pub const STALE_AFTER_DAYS: u32 = 7;

/// Whether a certification holds on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    /// No expiry date, or one more than [`EXPIRING_WITHIN_DAYS`] away.
    Valid,
    /// Expires within [`EXPIRING_WITHIN_DAYS`] (today included).
    Expiring,
    /// Expired before today.
    Expired,
}

impl Validity {
    /// The validity on `today` of a certification that expires on `expires`.
    pub fn of(expires: Option<Date>, today: Date) -> Validity {
        match expires.map(|expires| today.days_until(expires)) {
            Some(days) if days < 0 => Validity::Expired,
            Some(days) if days <= EXPIRING_WITHIN_DAYS => Validity::Expiring,
            _ => Validity::Valid,
        }
    }
}

/// The days after which `check`'s result is stale: its own `stale_after`, else the site's
/// `checks.stale_after`, else [`STALE_AFTER_DAYS`].
pub fn check_window(check: &ControlCheck, site: &SiteConfig) -> u32 {
    check.stale_after.unwrap_or_else(|| site.check_stale_after())
}

/// A control check that last ran on `checked_on` is stale on `today` with a window of
/// `stale_after` days.
pub fn check_is_stale(checked_on: Date, stale_after: u32, today: Date) -> bool {
    checked_on.days_until(today) > i64::from(stale_after)
}

/// Evidence collected (or an answer reviewed) on `collected` is older than its
/// `max_age_days` on `today`.
pub fn evidence_is_stale(collected: Option<Date>, max_age_days: Option<u32>, today: Date) -> bool {
    match (collected, max_age_days) {
        (Some(collected), Some(days)) => collected.days_until(today) > i64::from(days),
        _ => false,
    }
}

/// A review (of a policy or a risk) due on `due` is overdue on `today`.
pub fn review_overdue(due: Option<Date>, today: Date) -> bool {
    due.is_some_and(|due| due < today)
}

/// An audit finding still open after its due date.
pub fn finding_overdue(finding: &Finding, today: Date) -> bool {
    finding.is_open() && review_overdue(finding.due, today)
}

/// An objective's next measurement is overdue: it has none, or its latest is older than its
/// frequency. `check` warns (`objective-measurement-overdue`); the health page marks it.
pub fn measurement_overdue(objective: &Objective, today: Date) -> bool {
    let months = i32::try_from(objective.frequency.months).unwrap_or(i32::MAX);
    objective.latest().is_none_or(|latest| latest.date.add_months(months) < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn validity_turns_at_the_edges() {
        let today = day("2026-06-15");
        assert_eq!(Validity::of(None, today), Validity::Valid);
        assert_eq!(Validity::of(Some(day("2026-06-14")), today), Validity::Expired);
        assert_eq!(Validity::of(Some(day("2026-06-15")), today), Validity::Expiring);
        assert_eq!(Validity::of(Some(day("2026-08-14")), today), Validity::Expiring);
        assert_eq!(Validity::of(Some(day("2026-08-15")), today), Validity::Valid);
    }

    #[test]
    fn staleness_counts_whole_days() {
        let today = day("2026-06-15");
        assert!(!check_is_stale(day("2026-06-08"), STALE_AFTER_DAYS, today));
        assert!(check_is_stale(day("2026-06-07"), STALE_AFTER_DAYS, today));
        assert!(!check_is_stale(day("2026-05-15"), 31, today));
        assert!(check_is_stale(day("2026-05-14"), 31, today));
        assert!(!evidence_is_stale(Some(day("2026-06-05")), Some(10), today));
        assert!(evidence_is_stale(Some(day("2026-06-04")), Some(10), today));
        assert!(!evidence_is_stale(None, Some(10), today));
        assert!(!review_overdue(Some(today), today));
        assert!(review_overdue(Some(day("2026-06-14")), today));
    }
}

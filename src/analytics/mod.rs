//! Analytics over a workspace at an instant `now`: monitoring (open, overdue and at-risk appeals
//! per block and per recipient), the ranking of responsible recipients, hot topics, geography and
//! target indicators. The console shows the same figures the CLI prints.

mod hot;
mod monitor;
mod ranking;
pub mod region;
mod targets;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

pub use hot::{HotTopic, SettlementGrowth, hot_topics};
pub use monitor::{BlockLine, Monitoring, RecipientLine, monitoring};
pub use ranking::{ExplainedAppeal, Explanation, explain, facts_direct, ranking};
pub use targets::{TargetLine, targets, targets_with_facts};

/// A period of local dates, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A period; `to` before `from` is refused.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, String> {
        if to < from {
            return Err(format!("the period ends ({to}) before it starts ({from})"));
        }
        Ok(Self { from, to })
    }

    /// From the first day of `now`'s month to `now`'s date (local).
    pub fn month_to_date(now: DateTime<Utc>, tz: Tz) -> Self {
        let today = now.with_timezone(&tz).date_naive();
        Self {
            from: today.with_day(1).unwrap_or(today),
            to: today,
        }
    }

    /// The given bounds, each defaulting as in [`Period::month_to_date`].
    pub fn or_default(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<Self, String> {
        let d = Self::month_to_date(now, tz);
        let to = to.unwrap_or(d.to);
        let from = from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
        Self::new(from, to)
    }

    /// Its length in days.
    pub fn days(&self) -> u64 {
        u64::try_from((self.to - self.from).num_days() + 1).unwrap_or(1)
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Self {
        let n = Days::new(self.days());
        Self {
            from: self.from.checked_sub_days(n).unwrap_or(self.from),
            to: self
                .from
                .checked_sub_days(Days::new(1))
                .unwrap_or(self.from),
        }
    }

    /// The same dates a year before (АППГ); 29 February becomes 28 February.
    pub fn year_before(&self) -> Self {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        Self {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// The instants `[start of from, start of the day after to)` in a zone.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |d: NaiveDate| {
            let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
            tz.from_local_datetime(&naive)
                .earliest()
                .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
        };
        let after = self.to.checked_add_days(Days::new(1)).unwrap_or(self.to);
        (start(self.from), start(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn previous_period_has_the_same_length() {
        let p = Period::new(d("2026-11-01"), d("2026-11-28")).unwrap();
        assert_eq!(p.days(), 28);
        let prev = p.previous();
        assert_eq!((prev.from, prev.to), (d("2026-10-04"), d("2026-10-31")));
    }

    #[test]
    fn year_before_keeps_the_dates() {
        let p = Period::new(d("2028-02-23"), d("2028-02-29")).unwrap();
        let y = p.year_before();
        assert_eq!((y.from, y.to), (d("2027-02-23"), d("2027-02-28")));
    }

    #[test]
    fn default_is_the_month_to_date_in_local_time() {
        // 21:30 UTC on 30 November is already 1 December in Moscow.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 21, 30, 0).unwrap();
        let p = Period::or_default(None, None, now, chrono_tz::Europe::Moscow).unwrap();
        assert_eq!((p.from, p.to), (d("2026-12-01"), d("2026-12-01")));
    }

    #[test]
    fn bounds_are_local_midnights_with_to_inclusive() {
        let p = Period::new(d("2026-11-01"), d("2026-11-02")).unwrap();
        let (a, b) = p.bounds(chrono_tz::Europe::Moscow);
        assert_eq!(a.to_rfc3339(), "2026-10-31T21:00:00+00:00");
        assert_eq!(b.to_rfc3339(), "2026-11-02T21:00:00+00:00");
    }
}

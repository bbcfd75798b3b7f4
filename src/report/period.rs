//! The periods a report is made for: given dates, or a named one relative to `now`.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::analytics::Period;

/// A named period, counted from the local date of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// This week so far (Monday to today).
    Week,
    /// This month so far.
    Month,
    /// This quarter so far.
    Quarter,
    /// The last whole week, Monday to Sunday (the default).
    LastWeek,
    /// The last whole month.
    LastMonth,
}

impl Preset {
    /// The period this preset names at `now`.
    pub fn period(self, now: DateTime<Utc>, tz: Tz) -> Period {
        let today = now.with_timezone(&tz).date_naive();
        let monday = today
            .checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))
            .unwrap_or(today);
        let first = today.with_day(1).unwrap_or(today);
        let (from, to) = match self {
            Preset::Week => (monday, today),
            Preset::Month => (first, today),
            Preset::Quarter => {
                let m0 = (today.month0() / 3) * 3 + 1;
                (
                    NaiveDate::from_ymd_opt(today.year(), m0, 1).unwrap_or(first),
                    today,
                )
            }
            Preset::LastWeek => {
                let from = monday.checked_sub_days(Days::new(7)).unwrap_or(monday);
                (from, from.checked_add_days(Days::new(6)).unwrap_or(from))
            }
            Preset::LastMonth => {
                let from = first.checked_sub_months(Months::new(1)).unwrap_or(first);
                (from, first.pred_opt().unwrap_or(first))
            }
        };
        Period { from, to }
    }
}

/// The period of a report: `from`/`to` when given (a missing end defaults to the other bound's
/// month, as in the analytics commands), else the preset (default: last week).
pub fn resolve(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    preset: Option<Preset>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Period, String> {
    match (from, to, preset) {
        (None, None, p) => Ok(p.unwrap_or(Preset::LastWeek).period(now, tz)),
        (_, _, Some(_)) => Err("give either --from/--to or --period, not both".into()),
        (f, t, None) => Period::or_default(f, t, now, tz),
    }
}

/// `2026-11-23_2026-11-29`: how file names carry the period.
pub fn slug(p: Period) -> String {
    format!("{}_{}", p.from, p.to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn presets_on_a_wednesday() {
        let tz = chrono_tz::Europe::Moscow;
        // Wednesday 02.12.2026, 10:00 Moscow.
        let now = tz
            .with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
            .single()
            .map(|t| t.to_utc())
            .unwrap_or_default();
        let p = |x: Preset| {
            let p = x.period(now, tz);
            (p.from, p.to)
        };
        assert_eq!(p(Preset::Week), (d("2026-11-30"), d("2026-12-02")));
        assert_eq!(p(Preset::LastWeek), (d("2026-11-23"), d("2026-11-29")));
        assert_eq!(p(Preset::Month), (d("2026-12-01"), d("2026-12-02")));
        assert_eq!(p(Preset::LastMonth), (d("2026-11-01"), d("2026-11-30")));
        assert_eq!(p(Preset::Quarter), (d("2026-10-01"), d("2026-12-02")));
        assert!(resolve(Some(d("2026-11-01")), None, Some(Preset::Week), now, tz).is_err());
        let last_week =
            resolve(None, None, None, now, tz).unwrap_or(Period::month_to_date(now, tz));
        assert_eq!(last_week.from, d("2026-11-23"));
    }
}

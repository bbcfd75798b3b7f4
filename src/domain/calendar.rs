//! The working calendar: the Russian production calendar plus the workspace's working hours.
//!
//! Three layers:
//! - [`CalendarFile`]: the production calendar as data (`data/calendar/ru.toml`, one table per year:
//!   weekday holidays, working weekends, shortened pre-holiday days), validated on load and
//!   mergeable with a workspace's own years;
//! - [`WorkHours`]: the time zone and the working periods of a day (the `[work_hours]` section of a
//!   workspace's `config.toml`);
//! - [`WorkCalendar`]: both combined and precomputed per year, answering "is this a working day",
//!   "add N working hours", "working time between two instants" without allocating.
//!
//! Working time is counted on the local wall clock of the configured zone (Europe/Moscow has had no
//! daylight-saving shifts since 2014). Instants are handled with whole-second precision: the
//! fraction of a second of an input is dropped.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::Deserialize;

/// The shipped Russian production calendar (`data/calendar/ru.toml`), embedded in the binary.
pub const EMBEDDED_RU: &str = include_str!("../../data/calendar/ru.toml");

/// The earliest year a calendar file may describe.
const MIN_YEAR: i32 = 1900;
/// The latest year a calendar file may describe.
const MAX_YEAR: i32 = 2200;
const SECS_PER_MINUTE: u32 = 60;
const MINUTES_PER_DAY: u16 = 24 * 60;
const SECS_PER_HOUR: u64 = 3600;

/// A problem with the calendar or a date outside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A computation needed a year the production calendar does not describe.
    #[error(
        "the production calendar has no year {0}: add it to the workspace's calendar.toml (the decree on moving days off comes out every September)"
    )]
    MissingYear(i32),
    /// A listed date contradicts the rules of the calendar file (see [`CalendarFile`]).
    #[error("calendar year {year}: {date} {problem}")]
    BadDate {
        /// The year table the date is listed in.
        year: i32,
        /// The offending date.
        date: NaiveDate,
        /// What is wrong with it, phrased to follow the date.
        problem: String,
    },
    /// Any other problem: unreadable file, bad working hours, a total that does not add up.
    #[error("calendar: {0}")]
    Invalid(String),
}

// ---------------------------------------------------------------------------------------------
// Calendar data
// ---------------------------------------------------------------------------------------------

/// One year of the production calendar, as written in the calendar file.
///
/// Every date must lie inside the year. `holidays` are days off that fall on Monday–Friday,
/// `workdays` are Saturdays/Sundays made working, `short_days` are working days shortened before a
/// holiday; `working_days_total`, when given, must equal the number of working days the lists give.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    #[serde(default)]
    workdays: Vec<NaiveDate>,
    #[serde(default)]
    short_days: Vec<NaiveDate>,
    #[serde(default)]
    working_days_total: Option<u32>,
}

impl CalendarYear {
    /// Days off falling on Monday–Friday (statutory holidays, replacement Mondays, moved days).
    pub fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }

    /// Saturdays and Sundays made working days.
    pub fn workdays(&self) -> &[NaiveDate] {
        &self.workdays
    }

    /// Shortened pre-holiday working days.
    pub fn short_days(&self) -> &[NaiveDate] {
        &self.short_days
    }

    /// The declared number of working days in the year, if the file gives it.
    pub fn working_days_total(&self) -> Option<u32> {
        self.working_days_total
    }

    /// Whether `d` (a date of this year) is a working day by the plain weekday rule and the lists.
    fn is_working(&self, d: NaiveDate) -> bool {
        if is_weekend(d) {
            self.workdays.contains(&d)
        } else {
            !self.holidays.contains(&d)
        }
    }

    /// Checks the lists of year `year` against each other and against the weekday rule.
    fn validate(&self, year: i32) -> Result<(), CalendarError> {
        let bad = |date: NaiveDate, problem: String| CalendarError::BadDate {
            year,
            date,
            problem,
        };
        let lists = [
            ("holidays", &self.holidays),
            ("workdays", &self.workdays),
            ("short_days", &self.short_days),
        ];
        for (name, list) in lists {
            if let Some(&d) = list.iter().find(|d| d.year() != year) {
                return Err(bad(d, format!("in `{name}` lies outside the year")));
            }
        }
        if let Some(&d) = self.holidays.iter().find(|d| is_weekend(**d)) {
            return Err(bad(
                d,
                format!(
                    "in `holidays` falls on {}: list only Monday–Friday days off (a weekend is off anyway)",
                    weekday_name(d.weekday())
                ),
            ));
        }
        if let Some(&d) = self.workdays.iter().find(|d| !is_weekend(**d)) {
            return Err(bad(
                d,
                format!(
                    "in `workdays` falls on {}: list only Saturdays and Sundays made working",
                    weekday_name(d.weekday())
                ),
            ));
        }
        if let Some(&d) = self.short_days.iter().find(|d| !self.is_working(**d)) {
            return Err(bad(
                d,
                "in `short_days` is not a working day (a shortened day must be a working day)"
                    .to_string(),
            ));
        }
        if let Some(total) = self.working_days_total {
            let counted = year_days(year).filter(|d| self.is_working(*d)).count();
            if usize::try_from(total).ok() != Some(counted) {
                return Err(CalendarError::Invalid(format!(
                    "year {year}: the lists give {counted} working days but working_days_total = {total}"
                )));
            }
        }
        Ok(())
    }
}

/// The production calendar as data: top-level tables keyed by year, each a [`CalendarYear`].
///
/// ```toml
/// [2026]
/// holidays = ["2026-01-01", "2026-01-02"]   # days off on Monday–Friday
/// workdays = []                             # Saturdays/Sundays made working
/// short_days = ["2026-04-30"]               # pre-holiday days, one hour shorter
/// working_days_total = 247                  # optional check
/// ```
///
/// Dates are quoted `YYYY-MM-DD` strings. Loading validates every year: holidays must be weekdays,
/// workdays weekends, short days working days, every date inside its year, and the optional total
/// must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "BTreeMap<String, CalendarYear>")]
pub struct CalendarFile {
    years: BTreeMap<i32, CalendarYear>,
}

impl TryFrom<BTreeMap<String, CalendarYear>> for CalendarFile {
    type Error = CalendarError;

    fn try_from(raw: BTreeMap<String, CalendarYear>) -> Result<Self, Self::Error> {
        let mut years = BTreeMap::new();
        for (key, data) in raw {
            let year = key
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
                .ok_or_else(|| {
                    CalendarError::Invalid(format!(
                        "table [{key}] is not a year between {MIN_YEAR} and {MAX_YEAR}"
                    ))
                })?;
            data.validate(year)?;
            years.insert(year, data);
        }
        Ok(CalendarFile { years })
    }
}

impl CalendarFile {
    /// Parses and validates a calendar file in the `ru.toml` format.
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        // Parse the raw tables first so that a validation error keeps its structure.
        let raw: BTreeMap<String, CalendarYear> = toml::from_str(text)
            .map_err(|e| CalendarError::Invalid(format!("{}", TomlError(e))))?;
        CalendarFile::try_from(raw)
    }

    /// The shipped Russian calendar ([`EMBEDDED_RU`]).
    pub fn embedded_ru() -> Result<Self, CalendarError> {
        Self::from_toml(EMBEDDED_RU)
    }

    /// Adds `other`'s years to this calendar; a year present in both is replaced by `other`'s.
    ///
    /// This is how a workspace adds next year's decree (or corrects a year) without a rebuild.
    pub fn merge(&mut self, other: CalendarFile) {
        self.years.extend(other.years);
    }

    /// The years described, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// One year's data.
    pub fn year(&self, year: i32) -> Option<&CalendarYear> {
        self.years.get(&year)
    }
}

/// Formats a TOML error on one line (the toml crate's own text spans several).
struct TomlError(toml::de::Error);

impl fmt::Display for TomlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_string();
        let mut first = true;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(line)?;
            first = false;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Working hours
// ---------------------------------------------------------------------------------------------

/// One working period of a day, local time, `start < end`, written `"08:00-12:00"` (`24:00` is
/// allowed as an end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct WorkPeriod {
    start: u16,
    end: u16,
}

impl WorkPeriod {
    /// A period from `start` to `end`, both in minutes after local midnight (`end` ≤ 1440).
    pub fn new(start_minute: u16, end_minute: u16) -> Result<Self, CalendarError> {
        if start_minute >= end_minute || end_minute > MINUTES_PER_DAY {
            return Err(CalendarError::Invalid(format!(
                "working period {}-{} must start before it ends, within one day",
                hhmm(start_minute),
                hhmm(end_minute)
            )));
        }
        Ok(WorkPeriod {
            start: start_minute,
            end: end_minute,
        })
    }

    /// The start, in minutes after local midnight.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// The end, in minutes after local midnight.
    pub fn end_minute(self) -> u16 {
        self.end
    }
}

impl fmt::Display for WorkPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hhmm(self.start), hhmm(self.end))
    }
}

impl FromStr for WorkPeriod {
    type Err = CalendarError;

    /// Parses `"HH:MM-HH:MM"` (an en dash is accepted too).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            CalendarError::Invalid(format!(
                "working period «{}» is not written like \"08:00-12:00\"",
                s.trim()
            ))
        };
        let (a, b) = s
            .split_once('-')
            .or_else(|| s.split_once('–'))
            .ok_or_else(bad)?;
        let start = parse_hhmm(a).ok_or_else(bad)?;
        let end = parse_hhmm(b).ok_or_else(bad)?;
        WorkPeriod::new(start, end)
    }
}

impl TryFrom<String> for WorkPeriod {
    type Error = CalendarError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Parses `H:MM` / `HH:MM` (up to `24:00`) into minutes after midnight.
fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if m.len() != 2 || h.is_empty() || h.len() > 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    let minutes = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && minutes <= MINUTES_PER_DAY).then_some(minutes)
}

/// Formats minutes after midnight as `HH:MM`.
fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The workspace's working hours: the `[work_hours]` section of a workspace's `config.toml`.
///
/// ```toml
/// [work_hours]
/// timezone = "Europe/Moscow"                  # an IANA zone name
/// periods = ["08:00-12:00", "13:00-17:00"]    # local working periods, ascending, not overlapping
/// short_day_cut_minutes = 60                  # a pre-holiday day ends this much earlier
/// ```
///
/// Every key is optional; the values shown are the defaults. The cut of a shortened day is taken
/// from the end of the day (from the last period, and from earlier ones if it is longer), so by
/// default a shortened day ends at 16:00. The cut must be shorter than the whole working day.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawWorkHours")]
pub struct WorkHours {
    timezone: Tz,
    periods: Vec<WorkPeriod>,
    short_day_cut_minutes: u32,
}

/// The serde form of [`WorkHours`], validated by `TryFrom`.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawWorkHours {
    timezone: String,
    periods: Vec<WorkPeriod>,
    short_day_cut_minutes: u32,
}

impl Default for RawWorkHours {
    fn default() -> Self {
        RawWorkHours {
            timezone: "Europe/Moscow".to_string(),
            periods: default_periods(),
            short_day_cut_minutes: 60,
        }
    }
}

impl TryFrom<RawWorkHours> for WorkHours {
    type Error = CalendarError;

    fn try_from(raw: RawWorkHours) -> Result<Self, Self::Error> {
        let tz = raw.timezone.trim().parse::<Tz>().map_err(|_| {
            CalendarError::Invalid(format!(
                "unknown time zone «{}» (expected an IANA name such as Europe/Moscow)",
                raw.timezone.trim()
            ))
        })?;
        WorkHours::new(tz, raw.periods, raw.short_day_cut_minutes)
    }
}

/// 08:00–12:00 and 13:00–17:00.
fn default_periods() -> Vec<WorkPeriod> {
    vec![
        WorkPeriod {
            start: 480,
            end: 720,
        },
        WorkPeriod {
            start: 780,
            end: 1020,
        },
    ]
}

impl Default for WorkHours {
    /// Europe/Moscow, 08:00–12:00 and 13:00–17:00, shortened days end 60 minutes earlier.
    fn default() -> Self {
        WorkHours {
            timezone: chrono_tz::Europe::Moscow,
            periods: default_periods(),
            short_day_cut_minutes: 60,
        }
    }
}

impl WorkHours {
    /// Working hours from their parts; periods must be ascending and not overlap, and the cut of a
    /// shortened day must be shorter than the working day.
    pub fn new(
        timezone: Tz,
        periods: Vec<WorkPeriod>,
        short_day_cut_minutes: u32,
    ) -> Result<Self, CalendarError> {
        if periods.is_empty() {
            return Err(CalendarError::Invalid(
                "work_hours.periods is empty: give at least one working period".to_string(),
            ));
        }
        for pair in periods.windows(2) {
            if let [a, b] = pair
                && a.end > b.start
            {
                return Err(CalendarError::Invalid(format!(
                    "working periods {a} and {b} overlap or are out of order"
                )));
            }
        }
        let total: u32 = periods.iter().map(|p| u32::from(p.end - p.start)).sum();
        if short_day_cut_minutes >= total {
            return Err(CalendarError::Invalid(format!(
                "short_day_cut_minutes = {short_day_cut_minutes} leaves nothing of a {total}-minute working day"
            )));
        }
        Ok(WorkHours {
            timezone,
            periods,
            short_day_cut_minutes,
        })
    }

    /// The zone local dates and working periods are in.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The working periods of a full day, ascending.
    pub fn periods(&self) -> &[WorkPeriod] {
        &self.periods
    }

    /// How many minutes earlier a shortened pre-holiday day ends.
    pub fn short_day_cut_minutes(&self) -> u32 {
        self.short_day_cut_minutes
    }
}

// ---------------------------------------------------------------------------------------------
// The working calendar
// ---------------------------------------------------------------------------------------------

/// The kind of one day, precomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayKind {
    Off,
    Full,
    Short,
}

/// The working periods of one kind of working day, in seconds after local midnight.
#[derive(Debug, Clone)]
struct DayShape {
    periods: Vec<(u32, u32)>,
    /// Working seconds in the day.
    total: u32,
    /// When work ends.
    end: u32,
}

impl DayShape {
    fn new(periods: Vec<(u32, u32)>) -> Self {
        let total = periods.iter().map(|(s, e)| e - s).sum();
        let end = periods.last().map_or(0, |p| p.1);
        DayShape {
            periods,
            total,
            end,
        }
    }

    /// Working seconds of the day before local second-of-day `t`.
    fn worked_before(&self, t: u32) -> u32 {
        self.periods.iter().map(|&(s, e)| t.clamp(s, e) - s).sum()
    }
}

/// One precomputed year.
#[derive(Debug, Clone)]
struct YearTable {
    /// The kind of each day, by 0-based ordinal.
    kinds: Vec<DayKind>,
    /// `cum_days[i]`: working days among ordinals `0..i` (length = days + 1).
    cum_days: Vec<u16>,
    /// `cum_secs[i]`: working seconds in ordinals `0..i` (length = days + 1).
    cum_secs: Vec<u32>,
}

impl YearTable {
    fn working_days(&self) -> u32 {
        self.cum_days.last().map_or(0, |&c| u32::from(c))
    }

    fn working_secs(&self) -> u32 {
        self.cum_secs.last().copied().unwrap_or(0)
    }

    /// Working days from the start of the year up to and including 0-based ordinal `ord`.
    fn days_through(&self, ord: usize) -> u32 {
        self.cum_days.get(ord + 1).map_or(0, |&c| u32::from(c))
    }
}

/// Working days and hours over which deadlines are counted: the production calendar of the known
/// years combined with the working hours, precomputed per year.
///
/// Every method that looks at a date outside the known years returns
/// [`CalendarError::MissingYear`]; loops over days stop there, so a computation never runs away.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    tz: Tz,
    full: DayShape,
    short: DayShape,
    first_year: i32,
    /// Indexed by `year - first_year`; `None` for a gap between known years.
    tables: Vec<Option<YearTable>>,
    years: Vec<i32>,
}

impl WorkCalendar {
    /// Builds the calendar from calendar data (validated when it was loaded) and working hours.
    ///
    /// Fails only if the working hours leave a shortened day without working time.
    pub fn new(file: CalendarFile, hours: WorkHours) -> Result<Self, CalendarError> {
        let secs = |m: u16| u32::from(m) * SECS_PER_MINUTE;
        let full_periods: Vec<(u32, u32)> = hours
            .periods
            .iter()
            .map(|p| (secs(p.start), secs(p.end)))
            .collect();
        let mut short_periods = full_periods.clone();
        let mut cut = hours.short_day_cut_minutes * SECS_PER_MINUTE;
        while cut > 0 {
            let Some(last) = short_periods.last_mut() else {
                break;
            };
            let len = last.1 - last.0;
            if cut < len {
                last.1 -= cut;
                cut = 0;
            } else {
                cut -= len;
                short_periods.pop();
            }
        }
        let full = DayShape::new(full_periods);
        let short = DayShape::new(short_periods);
        if short.total == 0 {
            return Err(CalendarError::Invalid(
                "a shortened day would have no working time left".to_string(),
            ));
        }

        let years: Vec<i32> = file.years.keys().copied().collect();
        let first_year = years.first().copied().unwrap_or(0);
        let last_year = years.last().copied().unwrap_or(-1);
        let span = usize::try_from(last_year - first_year + 1).unwrap_or(0);
        let mut tables: Vec<Option<YearTable>> = vec![None; span];
        for (&year, data) in &file.years {
            let table = build_year(year, data, &full, &short);
            let idx = usize::try_from(year - first_year).ok();
            if let Some(slot) = idx.and_then(|i| tables.get_mut(i)) {
                *slot = Some(table);
            }
        }
        Ok(WorkCalendar {
            tz: hours.timezone,
            full,
            short,
            first_year,
            tables,
            years,
        })
    }

    /// The zone local dates and working hours are in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The years the calendar knows, ascending.
    pub fn years(&self) -> &[i32] {
        &self.years
    }

    /// The local date of an instant.
    pub fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Whether a local date is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.kind(d)? != DayKind::Off)
    }

    /// Whether a local date is a shortened pre-holiday working day.
    pub fn is_short_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.kind(d)? == DayKind::Short)
    }

    /// The number of working days in a year.
    pub fn working_days_in_year(&self, year: i32) -> Result<u32, CalendarError> {
        Ok(self.table(year)?.working_days())
    }

    /// When work ends on a local date (16:00 on a shortened day by default); `None` on a day off.
    pub fn day_end(&self, d: NaiveDate) -> Result<Option<DateTime<Utc>>, CalendarError> {
        Ok(self.shape(self.kind(d)?).map(|s| self.instant(d, s.end)))
    }

    /// Consumes `n` working hours from the instant `from` and returns the instant the `n`-th hour
    /// completes.
    ///
    /// Time outside working periods does not count: from a night, a lunch break or a day off the
    /// count starts at the next working moment. An hour completing exactly at the end of a period
    /// gives that end (17:00, 12:00), not the start of the next one. `n = 0` returns `from`.
    pub fn add_working_hours(
        &self,
        from: DateTime<Utc>,
        n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        if n == 0 {
            return Ok(from);
        }
        let (mut day, mut pos) = self.local(from);
        let mut need = u64::from(n) * SECS_PER_HOUR;
        loop {
            if let Some(shape) = self.shape(self.kind(day)?) {
                // Skip a whole day at once when the rest of it cannot finish the count.
                let left = u64::from(shape.total - shape.worked_before(pos));
                if need > left {
                    need -= left;
                } else {
                    for &(s, e) in &shape.periods {
                        let start = s.max(pos);
                        if start >= e {
                            continue;
                        }
                        let avail = u64::from(e - start);
                        if need <= avail {
                            let at = start + u32::try_from(need).unwrap_or(e - start);
                            return Ok(self.instant(day, at));
                        }
                        need -= avail;
                    }
                }
            }
            day = next_day(day)?;
            pos = 0;
        }
    }

    /// The end of work of the `n`-th working day after the local date `date`.
    ///
    /// `n = 0` means the end of `date` itself when it is a working day, otherwise the end of the
    /// next working day.
    pub fn end_of_nth_working_day_after(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let day = self.nth_working_day_after(date, n)?;
        self.end_of_working_day(day)
    }

    /// The end of work of `date + n` calendar days, or of the preceding working day when that day
    /// is not a working day.
    ///
    /// The preceding working day is never looked for before `date` itself: when no working day
    /// lies in `date..=date + n` (a short span over the New Year holidays), the first working day
    /// after `date + n` is used instead, so a deadline never falls before the day it counts from.
    pub fn calendar_days_end(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        let target = date
            .checked_add_days(Days::new(u64::from(n)))
            .ok_or(CalendarError::MissingYear(NaiveDate::MAX.year()))?;
        let mut day = target;
        while day >= date {
            if self.is_working_day(day)? {
                return self.end_of_working_day(day);
            }
            day = prev_day(day)?;
        }
        self.end_of_nth_working_day_after(target, 1)
    }

    /// Working seconds between two instants, signed: negative when `b` is before `a`.
    ///
    /// Used for the time left to a deadline and for how long a first response took.
    pub fn working_seconds_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        if b < a {
            return Ok(-self.forward_seconds(b, a)?);
        }
        self.forward_seconds(a, b)
    }

    /// The number of working days in `(a, b]`, signed: negative (the count of `(b, a]`) when
    /// `b` is before `a`. Used for "overdue by N working days".
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        if b < a {
            return Ok(-self.forward_days(b, a)?);
        }
        self.forward_days(a, b)
    }

    // --- internals ---------------------------------------------------------------------------

    fn table(&self, year: i32) -> Result<&YearTable, CalendarError> {
        year.checked_sub(self.first_year)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.tables.get(i))
            .and_then(Option::as_ref)
            .ok_or(CalendarError::MissingYear(year))
    }

    fn kind(&self, d: NaiveDate) -> Result<DayKind, CalendarError> {
        self.table(d.year())?
            .kinds
            .get(ord0(d))
            .copied()
            .ok_or(CalendarError::MissingYear(d.year()))
    }

    fn shape(&self, kind: DayKind) -> Option<&DayShape> {
        match kind {
            DayKind::Off => None,
            DayKind::Full => Some(&self.full),
            DayKind::Short => Some(&self.short),
        }
    }

    /// The local date and second of the day of an instant.
    fn local(&self, t: DateTime<Utc>) -> (NaiveDate, u32) {
        let l = t.with_timezone(&self.tz).naive_local();
        (l.date(), l.time().num_seconds_from_midnight())
    }

    /// The instant of local second-of-day `sec` (up to 86 400) on `day`.
    fn instant(&self, day: NaiveDate, sec: u32) -> DateTime<Utc> {
        let naive = day.and_time(NaiveTime::MIN) + TimeDelta::seconds(i64::from(sec));
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(earliest, _) => earliest.with_timezone(&Utc),
            LocalResult::None => {
                // A wall-clock time skipped by a clock change: read it with the offset in force
                // a day before.
                let before = naive - TimeDelta::days(1);
                let offset = self.tz.offset_from_utc_datetime(&before).fix();
                Utc.from_utc_datetime(
                    &(naive - TimeDelta::seconds(i64::from(offset.local_minus_utc()))),
                )
            }
        }
    }

    fn end_of_working_day(&self, day: NaiveDate) -> Result<DateTime<Utc>, CalendarError> {
        let end = self.shape(self.kind(day)?).map_or(0, |s| s.end);
        Ok(self.instant(day, end))
    }

    fn nth_working_day_after(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            if self.is_working_day(date)? {
                return Ok(date);
            }
            return self.nth_working_day_after(date, 1);
        }
        let mut year = date.year();
        let mut base = self.table(year)?.days_through(ord0(date));
        let mut left = n;
        loop {
            let table = self.table(year)?;
            let avail = table.working_days() - base;
            if left <= avail {
                let target = base + left;
                let idx = table
                    .cum_days
                    .get(1..)
                    .unwrap_or_default()
                    .partition_point(|&c| u32::from(c) < target);
                let ordinal =
                    u32::try_from(idx + 1).map_err(|_| CalendarError::MissingYear(year))?;
                return NaiveDate::from_yo_opt(year, ordinal)
                    .ok_or(CalendarError::MissingYear(year));
            }
            left -= avail;
            base = 0;
            year = year
                .checked_add(1)
                .ok_or(CalendarError::MissingYear(year))?;
        }
    }

    /// Working seconds of the year of `t` before the instant `t`, and that year.
    fn year_position(&self, t: DateTime<Utc>) -> Result<(i32, i64), CalendarError> {
        let (day, sec) = self.local(t);
        let table = self.table(day.year())?;
        let before_day = table.cum_secs.get(ord0(day)).copied().unwrap_or(0);
        let within = self
            .shape(self.kind(day)?)
            .map_or(0, |s| s.worked_before(sec));
        Ok((day.year(), i64::from(before_day) + i64::from(within)))
    }

    /// Working seconds in `[a, b)`, `a <= b`.
    fn forward_seconds(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<i64, CalendarError> {
        let (ya, pa) = self.year_position(a)?;
        let (yb, pb) = self.year_position(b)?;
        let mut total = pb - pa;
        for year in ya..yb {
            total += i64::from(self.table(year)?.working_secs());
        }
        Ok(total)
    }

    /// Working days in `(a, b]`, `a <= b`.
    fn forward_days(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let pa = self.table(a.year())?.days_through(ord0(a));
        let pb = self.table(b.year())?.days_through(ord0(b));
        let mut total = i64::from(pb) - i64::from(pa);
        for year in a.year()..b.year() {
            total += i64::from(self.table(year)?.working_days());
        }
        Ok(total)
    }
}

/// Precomputes one year.
fn build_year(year: i32, data: &CalendarYear, full: &DayShape, short: &DayShape) -> YearTable {
    let mut kinds = Vec::with_capacity(366);
    let mut cum_days = Vec::with_capacity(367);
    let mut cum_secs = Vec::with_capacity(367);
    let (mut days, mut secs) = (0u16, 0u32);
    cum_days.push(0);
    cum_secs.push(0);
    for d in year_days(year) {
        let kind = if !data.is_working(d) {
            DayKind::Off
        } else if data.short_days.contains(&d) {
            DayKind::Short
        } else {
            DayKind::Full
        };
        match kind {
            DayKind::Off => {}
            DayKind::Full => {
                days += 1;
                secs += full.total;
            }
            DayKind::Short => {
                days += 1;
                secs += short.total;
            }
        }
        kinds.push(kind);
        cum_days.push(days);
        cum_secs.push(secs);
    }
    YearTable {
        kinds,
        cum_days,
        cum_secs,
    }
}

/// Every date of a year, in order.
fn year_days(year: i32) -> impl Iterator<Item = NaiveDate> {
    NaiveDate::from_yo_opt(year, 1)
        .into_iter()
        .flat_map(|first| first.iter_days())
        .take_while(move |d| d.year() == year)
}

fn ord0(d: NaiveDate) -> usize {
    usize::try_from(d.ordinal0()).unwrap_or(usize::MAX)
}

fn next_day(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.succ_opt()
        .ok_or(CalendarError::MissingYear(d.year().saturating_add(1)))
}

fn prev_day(d: NaiveDate) -> Result<NaiveDate, CalendarError> {
    d.pred_opt()
        .ok_or(CalendarError::MissingYear(d.year().saturating_sub(1)))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_name(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Moscow;

    /// The shipped calendar with default working hours.
    fn cal() -> WorkCalendar {
        let file = CalendarFile::from_toml(EMBEDDED_RU).expect("shipped calendar loads");
        WorkCalendar::new(file, WorkHours::default()).expect("calendar builds")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    /// A Moscow wall-clock instant.
    fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Moscow
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("unambiguous Moscow time")
            .with_timezone(&Utc)
    }

    fn add(from: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        cal().add_working_hours(from, n).expect("known years")
    }

    // --- calendar data ------------------------------------------------------------------------

    #[test]
    fn shipped_calendar_knows_2024_to_2027_with_official_totals() {
        let c = cal();
        assert_eq!(c.years(), &[2024, 2025, 2026, 2027]);
        let totals: Vec<u32> = c
            .years()
            .iter()
            .map(|&y| c.working_days_in_year(y).expect("known year"))
            .collect();
        assert_eq!(totals, vec![248, 247, 247, 247]);
    }

    #[test]
    fn plain_weekdays_work_and_weekends_rest() {
        let c = cal();
        assert_eq!(c.is_working_day(date(2026, 11, 27)), Ok(true)); // Friday
        assert_eq!(c.is_working_day(date(2026, 11, 28)), Ok(false)); // Saturday
        assert_eq!(c.is_working_day(date(2026, 11, 29)), Ok(false)); // Sunday
    }

    #[test]
    fn holidays_and_moved_days_off_rest() {
        let c = cal();
        assert_eq!(c.is_working_day(date(2026, 1, 9)), Ok(false)); // moved from Sat 03.01
        assert_eq!(c.is_working_day(date(2026, 3, 9)), Ok(false)); // Monday after Sun 08.03
        assert_eq!(c.is_working_day(date(2027, 2, 22)), Ok(false)); // moved from Sat 20.02
        assert_eq!(c.is_working_day(date(2027, 12, 31)), Ok(false));
    }

    #[test]
    fn transferred_saturdays_work() {
        let c = cal();
        assert_eq!(c.is_working_day(date(2027, 2, 20)), Ok(true));
        assert_eq!(c.is_working_day(date(2024, 11, 2)), Ok(true));
        assert_eq!(c.is_working_day(date(2024, 12, 28)), Ok(true));
        assert_eq!(c.is_short_day(date(2027, 2, 20)), Ok(true));
        assert_eq!(c.is_short_day(date(2024, 11, 2)), Ok(true));
        assert_eq!(c.is_short_day(date(2024, 12, 28)), Ok(false));
    }

    #[test]
    fn a_date_outside_the_known_years_is_missing_year() {
        let c = cal();
        assert_eq!(
            c.is_working_day(date(2028, 1, 10)),
            Err(CalendarError::MissingYear(2028))
        );
        assert_eq!(
            c.working_days_in_year(2023),
            Err(CalendarError::MissingYear(2023))
        );
        let msg = CalendarError::MissingYear(2028).to_string();
        assert!(msg.contains("no year 2028") && msg.contains("calendar.toml"));
    }

    fn load_err(text: &str) -> CalendarError {
        CalendarFile::from_toml(text).expect_err("the file must be refused")
    }

    #[test]
    fn a_holiday_on_a_weekend_is_refused_with_year_and_date() {
        let err = load_err("[2026]\nholidays = [\"2026-01-03\"]\n");
        assert!(matches!(
            err,
            CalendarError::BadDate { year: 2026, date: d, .. } if d == date(2026, 1, 3)
        ));
        let msg = err.to_string();
        assert!(msg.contains("2026") && msg.contains("2026-01-03") && msg.contains("Saturday"));
    }

    #[test]
    fn a_workday_on_a_weekday_is_refused() {
        let err = load_err("[2026]\nworkdays = [\"2026-01-12\"]\n");
        assert!(matches!(err, CalendarError::BadDate { year: 2026, .. }));
        assert!(err.to_string().contains("Monday"));
    }

    #[test]
    fn a_short_day_that_is_not_working_is_refused() {
        let err = load_err("[2026]\nholidays = [\"2026-01-09\"]\nshort_days = [\"2026-01-09\"]\n");
        assert!(matches!(err, CalendarError::BadDate { date: d, .. } if d == date(2026, 1, 9)));
        let err = load_err("[2026]\nshort_days = [\"2026-01-10\"]\n"); // a Saturday
        assert!(matches!(err, CalendarError::BadDate { .. }));
    }

    #[test]
    fn a_date_outside_its_year_is_refused() {
        let err = load_err("[2026]\nholidays = [\"2027-01-01\"]\n");
        assert!(matches!(
            err,
            CalendarError::BadDate { year: 2026, date: d, .. } if d == date(2027, 1, 1)
        ));
    }

    #[test]
    fn a_wrong_working_days_total_is_refused() {
        let err = load_err("[2026]\nworking_days_total = 247\n");
        assert!(err.to_string().contains("261 working days"), "{err}");
    }

    #[test]
    fn a_table_that_is_not_a_year_and_an_unknown_key_are_refused() {
        assert!(load_err("[next]\n").to_string().contains("[next]"));
        assert!(
            load_err("[2026]\nholiday = []\n")
                .to_string()
                .contains("holiday")
        );
        assert!(matches!(
            load_err("[2026]\nholidays = [\"31.12.2026\"]\n"),
            CalendarError::Invalid(_)
        ));
    }

    #[test]
    fn merging_adds_a_workspace_year_and_replaces_an_existing_one() {
        let mut file = CalendarFile::embedded_ru().expect("shipped calendar loads");
        let extra = CalendarFile::from_toml(
            "[2028]\nholidays = [\"2028-01-03\"]\n[2026]\nholidays = [\"2026-01-01\"]\n",
        )
        .expect("workspace file loads");
        file.merge(extra);
        assert_eq!(
            file.years().collect::<Vec<_>>(),
            vec![2024, 2025, 2026, 2027, 2028]
        );
        let c = WorkCalendar::new(file, WorkHours::default()).expect("calendar builds");
        assert_eq!(c.is_working_day(date(2028, 1, 3)), Ok(false));
        assert_eq!(c.is_working_day(date(2028, 1, 4)), Ok(true));
        // 2026 was replaced whole: 02.01 is no longer a day off.
        assert_eq!(c.is_working_day(date(2026, 1, 2)), Ok(true));
    }

    #[test]
    fn a_gap_between_known_years_is_missing_year() {
        let file = CalendarFile::from_toml("[2024]\n[2026]\n").expect("loads");
        let c = WorkCalendar::new(file, WorkHours::default()).expect("builds");
        assert_eq!(
            c.is_working_day(date(2025, 3, 3)),
            Err(CalendarError::MissingYear(2025))
        );
        assert_eq!(
            c.working_days_between(date(2024, 12, 1), date(2026, 1, 5)),
            Err(CalendarError::MissingYear(2025))
        );
    }

    // --- working hours ------------------------------------------------------------------------

    #[derive(Deserialize)]
    struct Config {
        #[serde(default)]
        work_hours: WorkHours,
    }

    fn hours(toml_text: &str) -> Result<WorkHours, String> {
        toml::from_str::<Config>(toml_text)
            .map(|c| c.work_hours)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn work_hours_default_to_moscow_eight_to_five_with_lunch() {
        let h = WorkHours::default();
        assert_eq!(h.timezone(), Moscow);
        let periods: Vec<String> = h.periods().iter().map(ToString::to_string).collect();
        assert_eq!(periods, vec!["08:00-12:00", "13:00-17:00"]);
        assert_eq!(h.short_day_cut_minutes(), 60);
        assert_eq!(hours("").expect("no section"), h);
        assert_eq!(hours("[work_hours]\n").expect("empty section"), h);
    }

    #[test]
    fn work_hours_read_from_a_config_section() {
        let h = hours(
            "[work_hours]\ntimezone = \"Asia/Yekaterinburg\"\nperiods = [\"09:00-18:00\"]\nshort_day_cut_minutes = 30\n",
        )
        .expect("valid section");
        assert_eq!(h.timezone(), chrono_tz::Asia::Yekaterinburg);
        assert_eq!(h.periods(), &[WorkPeriod::new(540, 1080).expect("valid")]);
        assert_eq!(h.short_day_cut_minutes(), 30);
    }

    #[test]
    fn bad_work_hours_are_refused_with_a_reason() {
        let e = hours("[work_hours]\ntimezone = \"Moscow\"\n").expect_err("unknown zone");
        assert!(e.contains("unknown time zone"), "{e}");
        let e = hours("[work_hours]\nperiods = [\"08:00-12:00\", \"11:00-17:00\"]\n")
            .expect_err("overlap");
        assert!(e.contains("overlap"), "{e}");
        let e = hours("[work_hours]\nperiods = [\"8-12\"]\n").expect_err("bad period");
        assert!(e.contains("08:00-12:00"), "{e}");
        let e = hours("[work_hours]\nperiods = [\"12:00-08:00\"]\n").expect_err("reversed");
        assert!(e.contains("start before"), "{e}");
        let e = hours("[work_hours]\nperiods = []\n").expect_err("empty");
        assert!(e.contains("empty"), "{e}");
        let e = hours("[work_hours]\nshort_day_cut_minutes = 480\n").expect_err("cut too long");
        assert!(e.contains("short_day_cut_minutes"), "{e}");
        let e = hours("[work_hours]\nzone = \"Europe/Moscow\"\n").expect_err("unknown key");
        assert!(e.contains("zone"), "{e}");
    }

    #[test]
    fn work_periods_parse_and_print() {
        assert_eq!(
            "8:30-24:00".parse::<WorkPeriod>().map(|p| p.to_string()),
            Ok("08:30-24:00".to_string())
        );
        assert_eq!(
            " 09:00–13:00 ".parse::<WorkPeriod>().map(|p| p.to_string()),
            Ok("09:00-13:00".to_string())
        );
        assert!("09:60-10:00".parse::<WorkPeriod>().is_err());
        assert!("24:30-25:00".parse::<WorkPeriod>().is_err());
    }

    // --- day ends -----------------------------------------------------------------------------

    #[test]
    fn a_day_ends_at_five_a_short_day_at_four_a_day_off_never() {
        let c = cal();
        assert_eq!(
            c.day_end(date(2026, 4, 29)),
            Ok(Some(msk(2026, 4, 29, 17, 0)))
        );
        assert_eq!(
            c.day_end(date(2026, 4, 30)),
            Ok(Some(msk(2026, 4, 30, 16, 0)))
        );
        assert_eq!(c.day_end(date(2026, 5, 1)), Ok(None));
        assert_eq!(
            c.day_end(date(2027, 2, 20)),
            Ok(Some(msk(2027, 2, 20, 16, 0)))
        );
    }

    #[test]
    fn a_cut_longer_than_the_last_period_eats_into_the_one_before() {
        let h = WorkHours::new(
            Moscow,
            vec![
                WorkPeriod::new(480, 720).expect("valid"),
                WorkPeriod::new(780, 840).expect("valid"),
            ],
            90,
        )
        .expect("valid hours");
        let c = WorkCalendar::new(CalendarFile::embedded_ru().expect("loads"), h).expect("builds");
        // 13:00-14:00 is cut whole, then 30 minutes of the morning.
        assert_eq!(
            c.day_end(date(2026, 4, 30)),
            Ok(Some(msk(2026, 4, 30, 11, 30)))
        );
    }

    #[test]
    fn local_date_is_taken_in_moscow() {
        let c = cal();
        // 22:30 UTC on the 27th is 01:30 on the 28th in Moscow.
        let t = msk(2026, 11, 28, 1, 30);
        assert_eq!(c.local_date(t), date(2026, 11, 28));
        assert_eq!(c.timezone(), Moscow);
    }

    // --- working hours arithmetic ---------------------------------------------------------------

    #[test]
    fn an_hour_completing_at_five_gives_five_not_next_morning() {
        assert_eq!(add(msk(2026, 11, 27, 9, 0), 7), msk(2026, 11, 27, 17, 0));
        assert_eq!(add(msk(2026, 11, 27, 16, 0), 1), msk(2026, 11, 27, 17, 0));
    }

    #[test]
    fn an_hour_completing_at_noon_gives_noon() {
        assert_eq!(add(msk(2026, 11, 27, 8, 0), 4), msk(2026, 11, 27, 12, 0));
        assert_eq!(add(msk(2026, 11, 27, 11, 0), 1), msk(2026, 11, 27, 12, 0));
    }

    #[test]
    fn counting_from_the_night_starts_at_eight() {
        assert_eq!(add(msk(2026, 11, 26, 2, 0), 1), msk(2026, 11, 26, 9, 0));
        assert_eq!(add(msk(2026, 11, 25, 23, 0), 1), msk(2026, 11, 26, 9, 0));
    }

    #[test]
    fn counting_from_lunch_starts_at_one() {
        assert_eq!(add(msk(2026, 11, 26, 12, 30), 1), msk(2026, 11, 26, 14, 0));
    }

    #[test]
    fn an_hour_spans_lunch() {
        assert_eq!(add(msk(2026, 11, 26, 11, 30), 1), msk(2026, 11, 26, 13, 30));
    }

    #[test]
    fn counting_from_a_holiday_starts_on_the_next_working_day() {
        // 01.01-09.01.2026 are off, 10-11.01 a weekend.
        assert_eq!(add(msk(2026, 1, 1, 10, 0), 1), msk(2026, 1, 12, 9, 0));
    }

    #[test]
    fn a_working_saturday_counts_and_is_short() {
        assert_eq!(add(msk(2027, 2, 19, 16, 0), 2), msk(2027, 2, 20, 9, 0));
        // Fri 01.11.2024 16:00: 1 h on Friday, 7 h on the short Saturday ending at 16:00.
        assert_eq!(add(msk(2024, 11, 1, 16, 0), 8), msk(2024, 11, 2, 16, 0));
        assert_eq!(add(msk(2024, 11, 1, 16, 0), 9), msk(2024, 11, 5, 9, 0));
    }

    #[test]
    fn a_short_day_ends_at_four() {
        assert_eq!(add(msk(2026, 4, 30, 15, 0), 1), msk(2026, 4, 30, 16, 0));
        assert_eq!(add(msk(2026, 4, 30, 15, 30), 1), msk(2026, 5, 4, 8, 30));
        // Received after the short day ended: nothing left that day.
        assert_eq!(add(msk(2026, 4, 30, 16, 30), 1), msk(2026, 5, 4, 9, 0));
    }

    #[test]
    fn the_new_year_holidays_are_skipped() {
        // Wed 30.12.2026 16:00: 1 h, then 31.12-10.01 are off, Mon 11.01.2027 from 08:00.
        assert_eq!(add(msk(2026, 12, 30, 16, 0), 2), msk(2027, 1, 11, 9, 0));
    }

    #[test]
    fn zero_hours_is_the_instant_itself() {
        let t = msk(2026, 11, 28, 10, 0);
        assert_eq!(add(t, 0), t);
    }

    #[test]
    fn hours_crossing_into_an_unknown_year_are_missing_year() {
        assert_eq!(
            cal().add_working_hours(msk(2027, 12, 30, 16, 0), 16),
            Err(CalendarError::MissingYear(2028))
        );
        // A huge count ends at the edge of the calendar instead of looping.
        assert_eq!(
            cal().add_working_hours(msk(2026, 1, 12, 8, 0), u32::MAX),
            Err(CalendarError::MissingYear(2028))
        );
    }

    // --- working days ---------------------------------------------------------------------------

    #[test]
    fn the_tenth_working_day_skips_the_new_year() {
        assert_eq!(
            cal().end_of_nth_working_day_after(date(2026, 12, 24), 10),
            Ok(msk(2027, 1, 18, 17, 0))
        );
    }

    #[test]
    fn the_nth_working_day_can_be_a_short_working_saturday() {
        // Thu 18.02.2027 + 2 wd = Fri 19.02, Sat 20.02 (short).
        assert_eq!(
            cal().end_of_nth_working_day_after(date(2027, 2, 18), 2),
            Ok(msk(2027, 2, 20, 16, 0))
        );
    }

    #[test]
    fn counting_working_days_from_a_day_off_starts_after_it() {
        // Sat 28.11.2026 + 1 wd = Mon 30.11.
        assert_eq!(
            cal().end_of_nth_working_day_after(date(2026, 11, 28), 1),
            Ok(msk(2026, 11, 30, 17, 0))
        );
    }

    #[test]
    fn zero_working_days_is_the_day_itself_or_the_next_working_day() {
        let c = cal();
        assert_eq!(
            c.end_of_nth_working_day_after(date(2026, 11, 27), 0),
            Ok(msk(2026, 11, 27, 17, 0))
        );
        assert_eq!(
            c.end_of_nth_working_day_after(date(2026, 11, 28), 0),
            Ok(msk(2026, 11, 30, 17, 0))
        );
    }

    #[test]
    fn working_days_across_several_years() {
        // From 31.12.2024 (a day off), all 247 days of 2025 and the first of 2026 (12.01).
        assert_eq!(
            cal().end_of_nth_working_day_after(date(2024, 12, 31), 248),
            Ok(msk(2026, 1, 12, 17, 0))
        );
        assert_eq!(
            cal().end_of_nth_working_day_after(date(2027, 12, 20), 10),
            Err(CalendarError::MissingYear(2028))
        );
    }

    // --- calendar days ------------------------------------------------------------------------

    #[test]
    fn calendar_days_ending_on_a_working_day_end_that_day() {
        assert_eq!(
            cal().calendar_days_end(date(2026, 11, 2), 30),
            Ok(msk(2026, 12, 2, 17, 0))
        );
    }

    #[test]
    fn calendar_days_ending_on_a_holiday_move_back() {
        // 02.12.2026 + 30 = 01.01.2027; 31.12 is off too, so Wed 30.12.
        assert_eq!(
            cal().calendar_days_end(date(2026, 12, 2), 30),
            Ok(msk(2026, 12, 30, 17, 0))
        );
        // Moving back onto a short day ends at 16:00: 05.05.2026 + 3 = Fri 08.05 (short).
        assert_eq!(
            cal().calendar_days_end(date(2026, 5, 7), 3),
            Ok(msk(2026, 5, 8, 16, 0))
        );
    }

    #[test]
    fn calendar_days_never_move_back_before_the_start() {
        // 01.01.2026 + 3 = 04.01; nothing from 01.01 to 04.01 is working: the next working day.
        assert_eq!(
            cal().calendar_days_end(date(2026, 1, 1), 3),
            Ok(msk(2026, 1, 12, 17, 0))
        );
        // 30.12.2025 is working: it is the preceding working day of 02.01.2026.
        assert_eq!(
            cal().calendar_days_end(date(2025, 12, 30), 3),
            Ok(msk(2025, 12, 30, 17, 0))
        );
    }

    #[test]
    fn calendar_days_into_an_unknown_year_are_missing_year() {
        assert_eq!(
            cal().calendar_days_end(date(2027, 12, 10), 30),
            Err(CalendarError::MissingYear(2028))
        );
        assert_eq!(
            cal().calendar_days_end(date(2027, 12, 10), u32::MAX),
            Err(CalendarError::MissingYear(NaiveDate::MAX.year()))
        );
    }

    // --- differences --------------------------------------------------------------------------

    #[test]
    fn working_seconds_within_a_day_skip_lunch() {
        let s = cal().working_seconds_between(msk(2026, 11, 26, 9, 0), msk(2026, 11, 26, 14, 0));
        assert_eq!(s, Ok(4 * 3600));
    }

    #[test]
    fn working_seconds_are_negative_backwards() {
        let s = cal().working_seconds_between(msk(2026, 11, 30, 16, 30), msk(2026, 11, 27, 16, 30));
        assert_eq!(s, Ok(-8 * 3600));
    }

    #[test]
    fn working_seconds_across_the_new_year() {
        let s = cal().working_seconds_between(msk(2025, 12, 30, 16, 0), msk(2026, 1, 12, 9, 0));
        assert_eq!(s, Ok(2 * 3600));
        let s = cal().working_seconds_between(msk(2026, 1, 1, 0, 0), msk(2026, 12, 31, 23, 0));
        // 247 days of 8 h, 4 short days one hour shorter.
        assert_eq!(s, Ok((247 * 8 - 4) * 3600));
    }

    #[test]
    fn working_seconds_outside_the_calendar_are_missing_year() {
        assert_eq!(
            cal().working_seconds_between(msk(2027, 12, 1, 9, 0), msk(2028, 1, 10, 9, 0)),
            Err(CalendarError::MissingYear(2028))
        );
    }

    #[test]
    fn adding_hours_and_measuring_them_agree() {
        let c = cal();
        // Every half hour over a fortnight around the New Year, for several counts.
        let start = msk(2026, 12, 24, 0, 0);
        for step in 0..(14 * 48) {
            let from = start + TimeDelta::minutes(30 * step);
            for n in [1, 4, 8, 13, 40] {
                let due = c.add_working_hours(from, n).expect("known years");
                assert_eq!(
                    c.working_seconds_between(from, due),
                    Ok(i64::from(n) * 3600),
                    "from {from} + {n}wh = {due}"
                );
            }
        }
    }

    #[test]
    fn working_days_between_count_the_half_open_interval() {
        let c = cal();
        assert_eq!(
            c.working_days_between(date(2026, 11, 27), date(2026, 11, 30)),
            Ok(1)
        );
        assert_eq!(
            c.working_days_between(date(2026, 11, 27), date(2026, 11, 27)),
            Ok(0)
        );
        assert_eq!(
            c.working_days_between(date(2026, 11, 30), date(2026, 11, 27)),
            Ok(-1)
        );
        assert_eq!(
            c.working_days_between(date(2026, 12, 30), date(2027, 1, 11)),
            Ok(1)
        );
        assert_eq!(
            c.working_days_between(date(2023, 12, 31), date(2027, 12, 31)),
            Err(CalendarError::MissingYear(2023))
        );
        assert_eq!(
            c.working_days_between(date(2024, 1, 1), date(2027, 12, 31)),
            Ok(248 + 247 + 247 + 247)
        );
    }
}

//! The working calendar: the Russian production calendar plus the workspace's working hours.
//! (Stub: being filled in.)

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// A problem with the calendar or a date outside it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the production calendar has no year {0}: add it to the workspace's calendar.toml (the decree on moving days off comes out every September)"
    )]
    MissingYear(i32),
    #[error("calendar: {0}")]
    Invalid(String),
}

/// Working days and hours over which deadlines are counted.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    tz: Tz,
}

impl WorkCalendar {
    /// The zone local dates and working hours are in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Whether a local date is a working day.
    pub fn is_working_day(&self, _d: NaiveDate) -> Result<bool, CalendarError> {
        Err(CalendarError::Invalid("not implemented".into()))
    }

    /// Adds `n` working hours to an instant.
    pub fn add_working_hours(
        &self,
        _from: DateTime<Utc>,
        _n: u32,
    ) -> Result<DateTime<Utc>, CalendarError> {
        Err(CalendarError::Invalid("not implemented".into()))
    }
}

// --- temporary integration stubs (replaced by the calendar branch) ---
/// Embedded calendar.
pub const EMBEDDED_RU: &str = "";
/// Working hours.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WorkHours {}
/// Calendar years.
#[derive(Debug, Clone, Default)]
pub struct CalendarFile {}
impl CalendarFile {
    /// Parse.
    pub fn from_toml(_s: &str) -> Result<Self, CalendarError> {
        Ok(Self {})
    }
    /// Merge.
    pub fn merge(&mut self, _o: CalendarFile) {}
}
impl WorkCalendar {
    /// New.
    pub fn new(_f: CalendarFile, _h: WorkHours) -> Result<Self, CalendarError> {
        Ok(Self {
            tz: chrono_tz::Europe::Moscow,
        })
    }
    /// Between.
    pub fn working_seconds_between(
        &self,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Result<i64, CalendarError> {
        Ok((b - a).num_seconds())
    }
}

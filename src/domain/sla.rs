//! Deadline rules (`data/sla.toml`) applied over the working calendar. (Stub: being filled in.)

use chrono::{DateTime, Utc};

use super::calendar::{CalendarError, WorkCalendar};
use super::{Channel, Deadlines};

/// What the deadlines of one appeal depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaInput {
    pub channel: Channel,
    pub fz59: bool,
    pub urgent: bool,
    pub received_at: DateTime<Utc>,
    /// When an interim answer was recorded (ИМ-like channels then get 7 more working days).
    pub interim_at: Option<DateTime<Utc>>,
    /// The 59-ФЗ answer deadline was extended once.
    pub extended: bool,
}

/// The deadline rules in force.
#[derive(Debug, Clone)]
pub struct Sla {}

impl Sla {
    /// Computes the deadlines of one appeal.
    pub fn deadlines(
        &self,
        _cal: &WorkCalendar,
        _input: &SlaInput,
    ) -> Result<Deadlines, CalendarError> {
        Ok(Deadlines::default())
    }
}

// --- temporary integration stubs (replaced by the calendar branch) ---
/// Embedded.
pub const EMBEDDED: &str = "";
impl Sla {
    /// Parse.
    pub fn from_toml(_s: &str) -> Result<Self, CalendarError> {
        Ok(Self {})
    }
    /// 59-FZ.
    pub fn is_fz59(&self, c: Channel, f: bool) -> bool {
        f || c == Channel::Letter
    }
}

//! The life of a demo appeal: when it was assigned, taken into work, answered (interim and final)
//! and closed, or when it left by a side exit; and what its record looked like at any instant.

use chrono::{DateTime, Duration, Utc};

use crate::domain::{Status, WorkCalendar};
use crate::ingest::IncomingAppeal;

/// When each step of an appeal happened. Steps planned after the generator's `now` have not
/// happened yet: the record at `now` does not show them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Life {
    pub assigned_at: Option<DateTime<Utc>>,
    pub in_progress_at: Option<DateTime<Utc>>,
    /// An interim answer (ИМ-like channels), before the final one.
    pub interim_at: Option<DateTime<Utc>>,
    pub interim_text: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// A side exit (rejected, duplicate, redirected) and when.
    pub exit: Option<(Status, DateTime<Utc>)>,
}

fn by(t: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    t.is_some_and(|t| t <= at)
}

impl Life {
    /// The status at an instant.
    pub fn status_at(&self, at: DateTime<Utc>) -> Status {
        if let Some((s, t)) = self.exit
            && t <= at
        {
            return s;
        }
        if by(self.closed_at, at) {
            Status::Closed
        } else if by(self.answered_at, at) {
            Status::Answered
        } else if by(self.interim_at, at) {
            Status::Interim
        } else if by(self.in_progress_at, at) {
            Status::InProgress
        } else if by(self.assigned_at, at) {
            Status::Assigned
        } else {
            Status::New
        }
    }

    /// Whether anything happened to the appeal in `(after, upto]`.
    pub fn changed_in(&self, after: DateTime<Utc>, upto: DateTime<Utc>) -> bool {
        let within = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t > after && t <= upto);
        within(self.assigned_at)
            || within(self.in_progress_at)
            || within(self.interim_at)
            || within(self.answered_at)
            || within(self.closed_at)
            || within(self.exit.map(|(_, t)| t))
    }

    /// Hides what had not happened by `at` in a record that shows everything that happened up to
    /// some later instant (or ever): status, recipient, answers, grade and rating.
    pub fn show_at(&self, a: &mut IncomingAppeal, at: DateTime<Utc>) {
        a.status = Some(self.status_at(at));
        if !by(self.assigned_at, at) {
            a.responsible = None;
        }
        let answered = by(self.answered_at, at);
        let interim = by(self.interim_at, at);
        a.answered_at = self.answered_at.filter(|_| answered);
        a.first_response_at = if interim {
            self.interim_at
        } else {
            a.answered_at
        };
        if !answered {
            a.answer = if interim {
                self.interim_text.clone()
            } else {
                None
            };
            a.quality = None;
            a.rating = None;
        }
    }
}

/// Working-time arithmetic for planning answers, falling back to plain hours where the production
/// calendar does not know the year (the plan is then approximate, never an error).
pub(super) struct Clock<'a> {
    pub cal: &'a WorkCalendar,
}

impl Clock<'_> {
    /// Working seconds in `[a, b]`.
    pub fn working_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        self.cal
            .working_seconds_between(a, b)
            .unwrap_or_else(|_| (b - a).num_seconds() / 3)
    }

    /// The instant `secs` working seconds after `from`.
    pub fn add_working(&self, from: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
        let secs = secs.max(0);
        let hours = u32::try_from(secs / 3600).unwrap_or(u32::MAX);
        let rest = Duration::seconds(secs % 3600);
        match self.cal.add_working_hours(from, hours) {
            Ok(t) => t + rest,
            Err(_) => from + Duration::seconds(secs * 3),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn status_follows_the_steps() {
        let life = Life {
            assigned_at: Some(t(8)),
            in_progress_at: Some(t(9)),
            interim_at: Some(t(10)),
            interim_text: Some("принято".into()),
            answered_at: Some(t(12)),
            closed_at: Some(t(14)),
            exit: None,
        };
        assert_eq!(life.status_at(t(7)), Status::New);
        assert_eq!(life.status_at(t(8)), Status::Assigned);
        assert_eq!(life.status_at(t(9)), Status::InProgress);
        assert_eq!(life.status_at(t(11)), Status::Interim);
        assert_eq!(life.status_at(t(13)), Status::Answered);
        assert_eq!(life.status_at(t(15)), Status::Closed);
        assert!(life.changed_in(t(11), t(12)));
        assert!(!life.changed_in(t(14), t(20)));

        let mut a = IncomingAppeal {
            responsible: Some("Отдел".into()),
            answered_at: Some(t(12)),
            answer: Some("сделано".into()),
            rating: Some(5),
            ..Default::default()
        };
        life.show_at(&mut a, t(11));
        assert_eq!(a.status, Some(Status::Interim));
        assert_eq!(a.answer.as_deref(), Some("принято"));
        assert_eq!(a.first_response_at, Some(t(10)));
        assert_eq!(a.answered_at, None);
        assert_eq!(a.rating, None);
    }
}

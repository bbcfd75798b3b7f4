//! The life cycle of an appeal.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Status of an appeal: `new` → `assigned` → `in_progress` → `interim` → `answered` → `closed`,
/// with side exits `rejected`, `duplicate`, `redirected`. An answered or closed appeal set back to
/// an open status is reopened: a new answer term starts ([`super::Appeal::reopen`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Assigned,
    InProgress,
    /// An interim (промежуточный) answer was given; the final one is still due.
    Interim,
    Answered,
    Closed,
    /// Spam, or not in the municipality's competence.
    Rejected,
    /// Linked to its original appeal.
    Duplicate,
    /// Sent to another authority.
    Redirected,
}

impl Status {
    /// Every status, in life-cycle order.
    pub const ALL: [Status; 9] = [
        Status::New,
        Status::Assigned,
        Status::InProgress,
        Status::Interim,
        Status::Answered,
        Status::Closed,
        Status::Rejected,
        Status::Duplicate,
        Status::Redirected,
    ];

    /// The stable id (`new`, `in_progress`, …).
    pub fn id(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Assigned => "assigned",
            Status::InProgress => "in_progress",
            Status::Interim => "interim",
            Status::Answered => "answered",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::Duplicate => "duplicate",
            Status::Redirected => "redirected",
        }
    }

    /// The Russian label shown to officers.
    pub fn label_ru(self) -> &'static str {
        match self {
            Status::New => "Новое",
            Status::Assigned => "Назначено",
            Status::InProgress => "В работе",
            Status::Interim => "Промежуточный ответ",
            Status::Answered => "Дан ответ",
            Status::Closed => "Закрыто",
            Status::Rejected => "Отклонено",
            Status::Duplicate => "Дубль",
            Status::Redirected => "Перенаправлено",
        }
    }

    /// Still waiting for a final answer: deadlines run and it can become overdue.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::New | Status::Assigned | Status::InProgress | Status::Interim
        )
    }

    /// Left out of rankings: the recipient had nothing to answer.
    pub fn is_excluded_from_ranking(self) -> bool {
        matches!(
            self,
            Status::Rejected | Status::Duplicate | Status::Redirected
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An unknown status id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown status «{0}» (expected one of: new, assigned, in_progress, interim, answered, closed, rejected, duplicate, redirected)"
)]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Parses a stable id (`in-progress` is accepted for `in_progress`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace('-', "_");
        Status::ALL
            .into_iter()
            .find(|st| st.id() == t)
            .ok_or_else(|| UnknownStatus(s.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.id().parse::<Status>(), Ok(s));
        }
    }

    #[test]
    fn only_waiting_statuses_are_open() {
        let open: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(
            open,
            [
                Status::New,
                Status::Assigned,
                Status::InProgress,
                Status::Interim
            ]
        );
    }
}

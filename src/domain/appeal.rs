//! The appeal as the rest of mcu sees it (DESIGN.md §4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::{Channel, Status};

/// The МЦУ's grade of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// An answer on the merits.
    Substantive,
    /// A formal reply («отписка»).
    Formal,
}

impl Quality {
    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Quality::Substantive => "substantive",
            Quality::Formal => "formal",
        }
    }

    /// The Russian label.
    pub fn label_ru(self) -> &'static str {
        match self {
            Quality::Substantive => "по существу",
            Quality::Formal => "формальный (отписка)",
        }
    }
}

impl fmt::Display for Quality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An unknown quality grade.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown answer quality «{0}» (expected substantive or formal)")]
pub struct UnknownQuality(pub String);

impl FromStr for Quality {
    type Err = UnknownQuality;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match super::text::fold(s).as_str() {
            "substantive" | "по существу" | "содержательный" => {
                Ok(Quality::Substantive)
            }
            "formal" | "формальный" | "отписка" => Ok(Quality::Formal),
            _ => Err(UnknownQuality(s.trim().to_string())),
        }
    }
}

/// The deadlines of one appeal, as instants. `None` where the channel has no such deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// 59-ФЗ: registration due.
    pub register_due: Option<DateTime<Utc>>,
    /// ИМ and the like: first response due.
    pub first_response_due: Option<DateTime<Utc>>,
    /// The final answer due.
    pub answer_due: Option<DateTime<Utc>>,
}

/// One appeal as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Appeal {
    /// Internal number, stable for the life of the workspace.
    pub id: i64,
    pub channel: Channel,
    /// Id in the source system; unique per channel.
    pub source_id: String,
    pub received_at: DateTime<Utc>,
    pub text: String,
    /// Personal data (152-ФЗ): never logged.
    pub author: Option<String>,
    /// Personal data (152-ФЗ): never logged.
    pub contact: Option<String>,
    pub settlement: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
    /// The source's own category / sub-category.
    pub category: Option<String>,
    /// An обращение under 59-ФЗ (always true for letters).
    pub fz59: bool,
    /// Block id (`housing`, `roads`, …).
    pub block: Option<String>,
    /// Name of the responsible recipient.
    pub responsible: Option<String>,
    pub status: Status,
    pub urgent: bool,
    pub conflict: bool,
    /// The first (interim or final) response.
    pub first_response_at: Option<DateTime<Utc>>,
    /// The interim answer's text (промежуточный ответ), kept apart from the final one.
    pub interim_answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// The final answer's text.
    pub answer: Option<String>,
    pub quality: Option<Quality>,
    /// The citizen's rating of the answer, 1–5.
    pub rating: Option<u8>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The original this one duplicates.
    pub duplicate_of: Option<i64>,
    /// Reason the 59-ФЗ answer deadline was extended (set once).
    pub extension_reason: Option<String>,
    /// How many times the appeal was reopened after an answer.
    pub reopen_count: i64,
    /// When it was last reopened: the current answer term runs from here (see [`Appeal::reopen`]).
    pub reopened_at: Option<DateTime<Utc>>,
    /// An interim answer given after the last reopening (the first response stays the one given
    /// to the receipt): the new term's answer is then due `answer_after_interim` after it.
    pub interim_after_reopen_at: Option<DateTime<Utc>>,
    pub deadlines: Deadlines,
    /// Bumped on every change; an edit made against an older version is refused.
    pub version: i64,
}

impl Appeal {
    /// A new appeal as it arrives: only what every appeal has, everything else empty, status
    /// `new`, not stored yet (id and version 0).
    pub fn new(
        channel: Channel,
        source_id: impl Into<String>,
        received_at: DateTime<Utc>,
        text: impl Into<String>,
    ) -> Self {
        Self {
            id: 0,
            channel,
            source_id: source_id.into(),
            received_at,
            text: text.into(),
            author: None,
            contact: None,
            settlement: None,
            address: None,
            url: None,
            category: None,
            fz59: false,
            block: None,
            responsible: None,
            status: Status::New,
            urgent: false,
            conflict: false,
            first_response_at: None,
            interim_answer: None,
            answered_at: None,
            answer: None,
            quality: None,
            rating: None,
            lat: None,
            lon: None,
            duplicate_of: None,
            extension_reason: None,
            reopen_count: 0,
            reopened_at: None,
            interim_after_reopen_at: None,
            deadlines: Deadlines::default(),
            version: 0,
        }
    }

    /// `channel:source_id`, the key officers and files use.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel, self.source_id)
    }

    /// Overdue at `now`: still open and past the answer deadline.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.is_open() && self.deadlines.answer_due.is_some_and(|d| now > d)
    }

    /// Answered, for the ranking: no longer open, with a recorded answer time. An open appeal is
    /// waiting for its answer whatever times it carries, so it counts once, as open.
    pub fn is_answered(&self) -> bool {
        !self.status.is_open() && self.answered_at.is_some()
    }

    /// Whether going from `old` to `self` reopens the appeal: it was answered or closed (or
    /// had an answer time in a status that is not open) and is open again.
    pub fn reopens(&self, old: &Appeal) -> bool {
        !old.status.is_open()
            && self.status.is_open()
            && (matches!(old.status, Status::Answered | Status::Closed)
                || old.answered_at.is_some())
    }

    /// Reopens the appeal at `at`, counting the reopen (on top of `old_count`, the stored
    /// count): a new answer term starts there under the channel's rule (the deadlines are derived
    /// from `reopened_at`), and what belonged to the earlier term — the answer time and text, its
    /// grade, the citizen's rating, a 59-ФЗ extension, an interim answer of an earlier reopening
    /// — is withdrawn. The history keeps it. The first response stays: it was given to the receipt,
    /// and so does its text, unless the interim text is that of an earlier reopening's interim
    /// answer.
    pub fn reopen(&mut self, at: DateTime<Utc>, old_count: i64) {
        if self.interim_after_reopen_at.is_some() {
            self.interim_answer = None;
        }
        self.reopen_count = old_count + 1;
        self.reopened_at = Some(at);
        self.interim_after_reopen_at = None;
        self.answered_at = None;
        self.answer = None;
        self.quality = None;
        self.rating = None;
        self.extension_reason = None;
    }

    /// Whether a time belongs to an earlier answer term: it is before the last reopening.
    pub fn before_reopening(&self, t: DateTime<Utc>) -> bool {
        self.reopened_at.is_some_and(|r| t < r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn answered() -> Appeal {
        let t = |d, h| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let mut a = Appeal::new(Channel::Pos, "P-1", t(2, 7), "Текст");
        a.status = Status::Answered;
        a.answered_at = Some(t(3, 7));
        a.answer = Some("Сделано".into());
        a.quality = Some(Quality::Formal);
        a.rating = Some(2);
        a
    }

    #[test]
    fn only_an_open_status_after_an_answer_or_closing_reopens() {
        let old = answered();
        for s in Status::ALL {
            let mut new = old.clone();
            new.status = s;
            assert_eq!(new.reopens(&old), s.is_open(), "{s}");
        }
        // Un-rejecting an appeal that had no answer is no reopening.
        let mut rejected = Appeal::new(Channel::Pos, "P-2", old.received_at, "x");
        rejected.status = Status::Rejected;
        let mut back = rejected.clone();
        back.status = Status::InProgress;
        assert!(!back.reopens(&rejected));
        // An open appeal set to another open status is no reopening either.
        let mut open = back.clone();
        open.status = Status::Interim;
        assert!(!open.reopens(&back));
    }

    #[test]
    fn a_reopen_withdraws_the_answer_and_counts() {
        let mut a = answered();
        let at = Utc.with_ymd_and_hms(2026, 11, 4, 7, 0, 0).unwrap();
        a.status = Status::InProgress;
        a.reopen(at, 2);
        assert_eq!(a.reopen_count, 3);
        assert_eq!(a.reopened_at, Some(at));
        assert_eq!(
            (a.answered_at, a.answer.clone(), a.quality, a.rating),
            (None, None, None, None)
        );
        assert!(!a.is_answered());
        assert!(a.before_reopening(at - chrono::Duration::seconds(1)));
        assert!(!a.before_reopening(at));
    }

    #[test]
    fn a_reopen_keeps_the_first_interim_text_but_withdraws_a_later_one() {
        let at = Utc.with_ymd_and_hms(2026, 11, 4, 7, 0, 0).unwrap();
        let mut a = answered();
        a.interim_answer = Some("Принято в работу, выезд 5 ноября".into());
        a.reopen(at, 0);
        assert_eq!(
            a.interim_answer.as_deref(),
            Some("Принято в работу, выезд 5 ноября")
        );
        assert_eq!(a.answer, None);
        // An interim answer of the reopened term is withdrawn at the next reopening.
        a.interim_after_reopen_at = Some(at);
        a.interim_answer = Some("Повторный выезд назначен".into());
        a.reopen(at + chrono::Duration::days(1), 1);
        assert_eq!(a.interim_answer, None);
    }

    #[test]
    fn an_open_appeal_with_an_answer_time_is_not_answered() {
        let mut a = answered();
        assert!(a.is_answered());
        a.status = Status::InProgress;
        assert!(!a.is_answered());
    }
}

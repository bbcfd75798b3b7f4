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
    pub answered_at: Option<DateTime<Utc>>,
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
            answered_at: None,
            answer: None,
            quality: None,
            rating: None,
            lat: None,
            lon: None,
            duplicate_of: None,
            extension_reason: None,
            reopen_count: 0,
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
}

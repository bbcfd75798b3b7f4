//! Roadmaps («дорожные карты», decree 2.3, 3.7л, 4.3в): a plan that removes a root cause which
//! keeps producing appeals — its measures, the appeals linked to it, a target («не более N
//! обращений в месяц») and a rule that proposes new matching appeals. Pure: the store keeps them,
//! the commands and the console show them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// Where a roadmap stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadmapStatus {
    Draft,
    Active,
    Done,
    Cancelled,
}

impl RoadmapStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [RoadmapStatus; 4] = [
        RoadmapStatus::Draft,
        RoadmapStatus::Active,
        RoadmapStatus::Done,
        RoadmapStatus::Cancelled,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            RoadmapStatus::Draft => "draft",
            RoadmapStatus::Active => "active",
            RoadmapStatus::Done => "done",
            RoadmapStatus::Cancelled => "cancelled",
        }
    }

    /// The Russian name.
    pub fn label_ru(self) -> &'static str {
        match self {
            RoadmapStatus::Draft => "черновик",
            RoadmapStatus::Active => "исполняется",
            RoadmapStatus::Done => "выполнена",
            RoadmapStatus::Cancelled => "отменена",
        }
    }
}

impl fmt::Display for RoadmapStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A status that is not one of a roadmap's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown roadmap status «{0}» (expected one of: draft, active, done, cancelled)")]
pub struct UnknownRoadmapStatus(pub String);

impl FromStr for RoadmapStatus {
    type Err = UnknownRoadmapStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = super::text::fold(s);
        RoadmapStatus::ALL
            .into_iter()
            .find(|x| x.id() == f || super::text::fold(x.label_ru()) == f)
            .ok_or_else(|| UnknownRoadmapStatus(s.to_string()))
    }
}

/// Where a measure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

impl MeasureStatus {
    /// Every status.
    pub const ALL: [MeasureStatus; 4] = [
        MeasureStatus::Planned,
        MeasureStatus::InProgress,
        MeasureStatus::Done,
        MeasureStatus::Cancelled,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "planned",
            MeasureStatus::InProgress => "in_progress",
            MeasureStatus::Done => "done",
            MeasureStatus::Cancelled => "cancelled",
        }
    }

    /// The Russian name.
    pub fn label_ru(self) -> &'static str {
        match self {
            MeasureStatus::Planned => "запланировано",
            MeasureStatus::InProgress => "в работе",
            MeasureStatus::Done => "выполнено",
            MeasureStatus::Cancelled => "отменено",
        }
    }

    /// Whether the measure still has to be done (and so can be overdue).
    pub fn is_open(self) -> bool {
        matches!(self, MeasureStatus::Planned | MeasureStatus::InProgress)
    }
}

impl fmt::Display for MeasureStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A status that is not one of a measure's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown measure status «{0}» (expected one of: planned, in_progress, done, cancelled)")]
pub struct UnknownMeasureStatus(pub String);

impl FromStr for MeasureStatus {
    type Err = UnknownMeasureStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let f = super::text::fold(s);
        MeasureStatus::ALL
            .into_iter()
            .find(|x| x.id() == f || super::text::fold(x.label_ru()) == f)
            .ok_or_else(|| UnknownMeasureStatus(s.to_string()))
    }
}

/// The target of a roadmap: at most this many matching appeals a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    pub max_per_month: u32,
}

impl fmt::Display for Target {
    /// «не более 2 обращений в месяц» («не более» takes the genitive: 1 обращения, 2 обращений).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.max_per_month;
        let word = if n % 10 == 1 && n % 100 != 11 {
            "обращения"
        } else {
            "обращений"
        };
        write!(f, "не более {n} {word} в месяц")
    }
}

/// The rule a roadmap may carry: appeals of its block, from its settlements, with any of the
/// search words (in any word form) are proposed for linking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub block: Option<String>,
    pub settlements: Vec<String>,
    pub words: String,
}

/// A roadmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roadmap {
    pub id: i64,
    pub title: String,
    pub problem: Option<String>,
    pub block: Option<String>,
    pub settlements: Vec<String>,
    pub responsible: Option<String>,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub status: RoadmapStatus,
    pub target: Option<Target>,
    /// The rule's search words; no words, no rule.
    pub rule_words: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Roadmap {
    /// The rule, when the roadmap carries search words.
    pub fn rule(&self) -> Option<Rule> {
        let words = self.rule_words.as_deref()?.trim();
        (!words.is_empty()).then(|| Rule {
            block: self.block.clone(),
            settlements: self.settlements.clone(),
            words: words.to_string(),
        })
    }

    /// The date its effect is measured from: the start, else the day it was entered.
    pub fn effect_start(&self, tz: Tz) -> NaiveDate {
        self.start
            .unwrap_or_else(|| self.created_at.with_timezone(&tz).date_naive())
    }
}

/// One measure of a roadmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// The store's id (the audit trail's entry of register `measure`).
    pub id: i64,
    pub roadmap_id: i64,
    /// Its number within the roadmap, from 1.
    pub n: i64,
    pub text: String,
    pub responsible: Option<String>,
    pub due: Option<NaiveDate>,
    pub status: MeasureStatus,
    /// What was done.
    pub note: Option<String>,
}

impl Measure {
    /// Past its due date and not done: due before today (the due day itself is still in time).
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due.is_some_and(|d| d < today)
    }
}

/// Measures done against all of them, and the overdue ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub overdue: usize,
}

impl Progress {
    /// The progress of these measures on `today`. Cancelled measures do not count.
    pub fn of(measures: &[Measure], today: NaiveDate) -> Self {
        let live = measures
            .iter()
            .filter(|m| m.status != MeasureStatus::Cancelled);
        Self {
            done: live
                .clone()
                .filter(|m| m.status == MeasureStatus::Done)
                .count(),
            total: live.count(),
            overdue: measures.iter().filter(|m| m.overdue(today)).count(),
        }
    }
}

/// A calendar month (local).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// The month of a date.
    pub fn of(d: NaiveDate) -> Self {
        Self {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The next month.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    pub fn prev(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Its Russian name: «ноя 2026».
    pub fn label_ru(self) -> String {
        super::wording::month_year(self.year, self.month)
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }
}

impl fmt::Display for Month {
    /// `2026-11`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// How many months before the start the effect shows.
pub const MONTHS_BEFORE: usize = 6;

/// The matching appeals of one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthCount {
    pub month: Month,
    pub count: usize,
    /// The month is the start's or later.
    pub after: bool,
}

/// The effect of a roadmap: matching appeals per month before and after its start, and whether
/// the target is met.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub start: NaiveDate,
    pub monthly: Vec<MonthCount>,
    /// The mean per month over the months before the start shown.
    pub before_avg: f64,
    /// The last month wholly after the start that has ended at `now`, with its count.
    pub last_full: Option<MonthCount>,
    /// Whether the last full month kept to the target; `None` without a target or such a month.
    pub met: Option<bool>,
}

impl Effect {
    /// The effect from the local dates the matching appeals were received on, at `today`:
    /// months from [`MONTHS_BEFORE`] before the start's month through today's.
    pub fn compute(
        start: NaiveDate,
        received: &[NaiveDate],
        today: NaiveDate,
        target: Option<Target>,
    ) -> Self {
        let start_month = Month::of(start);
        let mut first = start_month;
        for _ in 0..MONTHS_BEFORE {
            first = first.prev();
        }
        let last = Month::of(today).max(start_month);
        let mut monthly = Vec::new();
        let mut m = first;
        while m <= last {
            monthly.push(MonthCount {
                month: m,
                count: received.iter().filter(|d| Month::of(**d) == m).count(),
                after: m >= start_month,
            });
            m = m.next();
        }
        let before: Vec<_> = monthly.iter().filter(|c| !c.after).collect();
        let before_avg = if before.is_empty() {
            0.0
        } else {
            before.iter().map(|c| c.count).sum::<usize>() as f64 / before.len() as f64
        };
        // Wholly after the start (the start's own month counts when it starts on the 1st) and
        // ended before today's month.
        let today_month = Month::of(today);
        let last_full = monthly
            .iter()
            .rev()
            .find(|c| c.month < today_month && c.month.first_day() >= start)
            .copied();
        let met = match (target, last_full) {
            (Some(t), Some(c)) => Some(c.count <= t.max_per_month as usize),
            _ => None,
        };
        Self {
            start,
            monthly,
            before_avg,
            last_full,
            met,
        }
    }
}

/// The order of a list of roadmaps: those with overdue measures first (most first), then by due
/// date (none last), then by number.
pub fn list_key(r: &Roadmap, p: &Progress) -> (std::cmp::Reverse<usize>, NaiveDate, i64) {
    (
        std::cmp::Reverse(p.overdue),
        r.due.unwrap_or(NaiveDate::MAX),
        r.id,
    )
}

/// The rule as an officer reads it: «слова «яма»; блок Дороги; с. Юксары», or «—».
pub fn rule_text(r: &Roadmap, blocks: &super::Blocks) -> String {
    match r.rule() {
        None => "—".into(),
        Some(rule) => {
            let mut parts = vec![format!("слова «{}»", rule.words)];
            if let Some(b) = &rule.block {
                parts.push(format!("блок {}", blocks.name_of(b)));
            }
            if !rule.settlements.is_empty() {
                parts.push(rule.settlements.join(", "));
            }
            parts.join("; ")
        }
    }
}

/// Whether the target is met, in words.
pub fn verdict(e: &Effect, target: Option<Target>) -> String {
    match (target, e.last_full, e.met) {
        (None, _, _) => "цель не задана".into(),
        (Some(_), None, _) => "полного месяца после начала ещё нет".into(),
        (Some(t), Some(c), Some(true)) => {
            format!(
                "цель ({t}) достигнута: {} — {}",
                c.month.label_ru(),
                c.count
            )
        }
        (Some(t), Some(c), _) => format!(
            "цель ({t}) не достигнута: {} — {}",
            c.month.label_ru(),
            c.count
        ),
    }
}

/// Parses a date an officer types: `YYYY-MM-DD` or `DD.MM.YYYY`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn statuses_parse_by_id_and_russian_name_and_refuse_others() {
        assert_eq!("active".parse(), Ok(RoadmapStatus::Active));
        assert_eq!("Выполнена".parse(), Ok(RoadmapStatus::Done));
        assert!("closed".parse::<RoadmapStatus>().is_err());
        assert_eq!("done".parse(), Ok(MeasureStatus::Done));
        let e = "finished".parse::<MeasureStatus>().expect_err("bad");
        assert!(e.to_string().contains("planned, in_progress, done"), "{e}");
    }

    #[test]
    fn the_target_reads_in_russian() {
        let t = |n| Target { max_per_month: n }.to_string();
        assert_eq!(t(2), "не более 2 обращений в месяц");
        assert_eq!(t(1), "не более 1 обращения в месяц");
        assert_eq!(t(11), "не более 11 обращений в месяц");
        assert_eq!(t(21), "не более 21 обращения в месяц");
    }

    #[test]
    fn progress_counts_done_total_and_overdue_without_cancelled() {
        let m = |n, status, due| Measure {
            id: n,
            roadmap_id: 1,
            n,
            text: format!("m{n}"),
            responsible: None,
            due,
            status,
            note: None,
        };
        let ms = [
            m(1, MeasureStatus::Done, Some(d(2026, 10, 1))),
            m(2, MeasureStatus::Planned, Some(d(2026, 11, 30))),
            m(3, MeasureStatus::InProgress, Some(d(2026, 12, 7))),
            m(4, MeasureStatus::Cancelled, Some(d(2026, 10, 1))),
            m(5, MeasureStatus::Planned, None),
        ];
        assert_eq!(
            Progress::of(&ms, d(2026, 12, 7)),
            Progress {
                done: 1,
                total: 4,
                overdue: 1
            }
        );
    }

    #[test]
    fn the_effect_counts_months_before_and_after_and_judges_the_last_full_month() {
        let received = [
            d(2026, 8, 3),
            d(2026, 8, 20),
            d(2026, 9, 1),
            d(2026, 9, 2),
            d(2026, 9, 30),
            d(2026, 10, 15),
            d(2026, 11, 2),
            d(2026, 12, 1),
        ];
        let e = Effect::compute(
            d(2026, 10, 10),
            &received,
            d(2026, 12, 7),
            Some(Target { max_per_month: 1 }),
        );
        let months: Vec<_> = e
            .monthly
            .iter()
            .map(|c| (c.month.to_string(), c.count, c.after))
            .collect();
        assert_eq!(months.first(), Some(&("2026-04".to_string(), 0, false)));
        assert_eq!(
            &months[4..],
            &[
                ("2026-08".to_string(), 2, false),
                ("2026-09".to_string(), 3, false),
                ("2026-10".to_string(), 1, true),
                ("2026-11".to_string(), 1, true),
                ("2026-12".to_string(), 1, true),
            ]
        );
        assert!((e.before_avg - 5.0 / 6.0).abs() < 1e-9);
        assert_eq!(
            e.last_full.map(|c| c.month.to_string()),
            Some("2026-11".into())
        );
        assert_eq!(e.met, Some(true));
        // No month wholly after the start has ended yet: no verdict.
        let early = Effect::compute(
            d(2026, 11, 10),
            &received,
            d(2026, 12, 7),
            Some(Target { max_per_month: 0 }),
        );
        assert_eq!(early.last_full, None);
        assert_eq!(early.met, None);
        let strict = Effect::compute(
            d(2026, 10, 10),
            &received,
            d(2026, 12, 7),
            Some(Target { max_per_month: 0 }),
        );
        assert_eq!(strict.met, Some(false));
    }
}

//! The ranking of responsible recipients (DESIGN.md §6): what counts for each component, the score,
//! and the order. Pure: the store gathers the facts, this turns them into ranks.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Appeal, Quality};

/// Weights of the components and the minimum volume (`data/ranking.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RankingRules {
    /// A recipient is ranked only with at least this many appeals in the period.
    pub min_volume: u32,
    pub weights: Weights,
}

/// Component weights.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub timeliness: f64,
    pub quality: f64,
    pub satisfaction: f64,
}

/// The shipped rules.
pub const EMBEDDED: &str = include_str!("../../data/ranking.toml");

/// A problem in a ranking file.
#[derive(Debug, thiserror::Error)]
pub enum RankingError {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("weights must be non-negative and not all zero")]
    Weights,
}

impl RankingRules {
    /// Parses and checks a ranking file.
    pub fn from_toml(src: &str) -> Result<Self, RankingError> {
        let r: RankingRules = toml::from_str(src)?;
        let w = r.weights;
        let all = [w.timeliness, w.quality, w.satisfaction];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0) || all.iter().sum::<f64>() <= 0.0 {
            return Err(RankingError::Weights);
        }
        Ok(r)
    }
}

/// How one appeal counts for its recipient at an instant `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AppealCounts {
    /// In the population (not rejected, duplicate or redirected).
    pub counted: bool,
    /// Has a final answer.
    pub answered: bool,
    /// Answered on or before the answer deadline.
    pub on_time: bool,
    /// Still open and past the answer deadline at `now`.
    pub open_overdue: bool,
    /// The answer was graded.
    pub graded: bool,
    /// Graded «по существу».
    pub substantive: bool,
    /// The citizen rated the answer.
    pub rated: bool,
    /// Rated 4 or 5.
    pub good: bool,
}

impl AppealCounts {
    /// Classifies one appeal. An answer is a recorded answer time of an appeal that is no longer
    /// open ([`Appeal::is_answered`]): an open one (a reopened one among them) counts once, as
    /// open, overdue or not by its current term. An answer is on time when given by the deadline
    /// of its term (after a reopening, the term that started there); an answer without a deadline
    /// (a year missing from the calendar) is not on time, since it cannot be shown to be.
    pub fn of(a: &Appeal, now: DateTime<Utc>) -> Self {
        if a.status.is_excluded_from_ranking() {
            return Self::default();
        }
        let answered = a.is_answered();
        Self {
            counted: true,
            answered,
            on_time: match (a.answered_at, a.deadlines.answer_due) {
                (Some(t), Some(d)) => answered && t <= d,
                _ => false,
            },
            open_overdue: a.is_overdue(now),
            graded: a.quality.is_some(),
            substantive: a.quality == Some(Quality::Substantive),
            rated: a.rating.is_some(),
            good: a.rating.is_some_and(|r| r >= 4),
        }
    }
}

/// Everything the ranking needs about one recipient in one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RecipientFacts {
    pub recipient: String,
    pub volume: u32,
    pub answered: u32,
    pub on_time: u32,
    pub open_overdue: u32,
    pub graded: u32,
    pub substantive: u32,
    pub rated: u32,
    pub good: u32,
    /// Working hours from receipt to the first response, of the appeals that have one.
    #[serde(skip)]
    pub first_response_wh: Vec<f64>,
}

impl RecipientFacts {
    /// Adds the facts of another part (a block, a part of the period): counts summed,
    /// first-response times joined.
    pub fn add_part(&mut self, f: &RecipientFacts) {
        self.volume += f.volume;
        self.answered += f.answered;
        self.on_time += f.on_time;
        self.open_overdue += f.open_overdue;
        self.graded += f.graded;
        self.substantive += f.substantive;
        self.rated += f.rated;
        self.good += f.good;
        self.first_response_wh
            .extend_from_slice(&f.first_response_wh);
    }

    /// Adds one appeal's counts.
    pub fn add(&mut self, c: AppealCounts, first_response_wh: Option<f64>) {
        if !c.counted {
            return;
        }
        self.volume += 1;
        self.answered += u32::from(c.answered);
        self.on_time += u32::from(c.on_time);
        self.open_overdue += u32::from(c.open_overdue);
        self.graded += u32::from(c.graded);
        self.substantive += u32::from(c.substantive);
        self.rated += u32::from(c.rated);
        self.good += u32::from(c.good);
        if let Some(h) = first_response_wh {
            self.first_response_wh.push(h);
        }
    }

    /// answered on time / (answered + open overdue); `None` when nothing counts.
    pub fn timeliness(&self) -> Option<f64> {
        ratio(self.on_time, self.answered + self.open_overdue)
    }

    /// substantive / graded.
    pub fn quality(&self) -> Option<f64> {
        ratio(self.substantive, self.graded)
    }

    /// ratings 4–5 / rated.
    pub fn satisfaction(&self) -> Option<f64> {
        ratio(self.good, self.rated)
    }

    /// The median time to the first response, in working hours.
    pub fn median_first_response_wh(&self) -> Option<f64> {
        median(&self.first_response_wh)
    }

    /// 100 × Σ wᵢ·cᵢ / Σ wᵢ over the defined components; `None` when none is defined.
    pub fn score(&self, w: &Weights) -> Option<f64> {
        let parts = [
            (self.timeliness(), w.timeliness),
            (self.quality(), w.quality),
            (self.satisfaction(), w.satisfaction),
        ];
        let (num, den) = parts
            .iter()
            .filter_map(|(c, w)| c.map(|c| (c * w, *w)))
            .fold((0.0, 0.0), |(n, d), (x, w)| (n + x, d + w));
        (den > 0.0).then(|| 100.0 * num / den)
    }
}

fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

/// The median of a list (the mean of the two middle values for an even count). Linear: a
/// selection, not a sort — a month's first-response times run to tens of thousands.
pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    let m = s.len() / 2;
    let (below, mid, _) = s.select_nth_unstable_by(m, f64::total_cmp);
    let mid = *mid;
    Some(if v.len() % 2 == 1 {
        mid
    } else {
        let lower = below.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + mid) / 2.0
    })
}

/// One line of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    pub rank: u32,
    pub recipient: String,
    pub score: f64,
    pub volume: u32,
    pub answered: u32,
    pub on_time: u32,
    pub open_overdue: u32,
    pub timeliness: Option<f64>,
    pub quality: Option<f64>,
    pub satisfaction: Option<f64>,
    pub graded: u32,
    pub substantive: u32,
    pub rated: u32,
    pub good: u32,
    pub median_first_response_wh: Option<f64>,
    /// The rank in the previous period of the same length; `None` when not ranked then.
    pub prev_rank: Option<u32>,
}

/// Ranks the eligible recipients: score desc, volume desc, name asc; ranks 1..n, no shared places.
/// A recipient with no defined component has nothing to be ranked on and is left out.
pub fn rank(facts: &[RecipientFacts], rules: &RankingRules) -> Vec<RankRow> {
    let mut rows: Vec<RankRow> = facts
        .iter()
        .filter(|f| f.volume >= rules.min_volume)
        .filter_map(|f| {
            Some(RankRow {
                rank: 0,
                recipient: f.recipient.clone(),
                score: f.score(&rules.weights)?,
                volume: f.volume,
                answered: f.answered,
                on_time: f.on_time,
                open_overdue: f.open_overdue,
                timeliness: f.timeliness(),
                quality: f.quality(),
                satisfaction: f.satisfaction(),
                graded: f.graded,
                substantive: f.substantive,
                rated: f.rated,
                good: f.good,
                median_first_response_wh: f.median_first_response_wh(),
                prev_rank: None,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then(b.volume.cmp(&a.volume))
            .then_with(|| a.recipient.cmp(&b.recipient))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    rows
}

/// Fills `prev_rank` from the ranking of the previous period.
pub fn with_previous(mut current: Vec<RankRow>, previous: &[RankRow]) -> Vec<RankRow> {
    for r in &mut current {
        r.prev_rank = previous
            .iter()
            .find(|p| p.recipient == r.recipient)
            .map(|p| p.rank);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RankingRules {
        RankingRules::from_toml(EMBEDDED).unwrap()
    }

    fn facts(name: &str, f: impl FnOnce(&mut RecipientFacts)) -> RecipientFacts {
        let mut r = RecipientFacts {
            recipient: name.into(),
            ..Default::default()
        };
        f(&mut r);
        r
    }

    #[test]
    fn shipped_weights_are_half_three_tenths_one_fifth() {
        let r = rules();
        assert_eq!(r.min_volume, 2);
        assert_eq!(
            (
                r.weights.timeliness,
                r.weights.quality,
                r.weights.satisfaction
            ),
            (0.5, 0.3, 0.2)
        );
    }

    #[test]
    fn undefined_components_are_left_out_with_their_weight() {
        // Only timeliness defined: 3 on time of 4 → 75.
        let f = facts("A", |f| {
            f.volume = 4;
            f.answered = 3;
            f.on_time = 3;
            f.open_overdue = 1;
        });
        assert_eq!(f.satisfaction(), None);
        assert_eq!(f.quality(), None);
        assert_eq!(f.score(&rules().weights), Some(75.0));
    }

    #[test]
    fn all_components_weighted() {
        // timeliness 1/2, quality 1/1, satisfaction 1/1 → (0.5·0.5 + 0.3 + 0.2) / 1.0 = 0.75.
        let f = facts("A", |f| {
            f.volume = 5;
            f.answered = 2;
            f.on_time = 2;
            f.open_overdue = 2;
            f.graded = 1;
            f.substantive = 1;
            f.rated = 1;
            f.good = 1;
        });
        assert_eq!(f.score(&rules().weights), Some(75.0));
    }

    #[test]
    fn order_is_score_then_volume_then_name_and_ranks_are_never_shared() {
        let all_on_time = |n: &str, v: u32| {
            facts(n, |f| {
                f.volume = v;
                f.answered = v;
                f.on_time = v;
            })
        };
        let rows = rank(
            &[
                all_on_time("Б", 2),
                all_on_time("А", 2),
                all_on_time("В", 5),
                all_on_time("Г", 1),
            ],
            &rules(),
        );
        let order: Vec<_> = rows
            .iter()
            .map(|r| (r.rank, r.recipient.as_str()))
            .collect();
        assert_eq!(
            order,
            [(1, "В"), (2, "А"), (3, "Б")],
            "Г has one appeal: not ranked"
        );
    }

    #[test]
    fn median_of_even_and_odd_lists() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5.0, 9.0, 5.0, 1.0]), Some(5.0));
        assert_eq!(median(&[7.0, 1.0]), Some(4.0));
        // The selection agrees with sorting, for lists of every length with repeated values.
        let mut x = 17u64;
        for len in 1..60 {
            let v: Vec<f64> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((x >> 40) % 13) as f64 / 2.0
                })
                .collect();
            let mut s = v.clone();
            s.sort_by(f64::total_cmp);
            let m = s.len() / 2;
            let expected = if s.len() % 2 == 1 {
                s[m]
            } else {
                (s[m - 1] + s[m]) / 2.0
            };
            assert_eq!(median(&v), Some(expected), "{v:?}");
        }
    }

    #[test]
    fn an_open_appeal_counts_once_as_open_whatever_answer_time_it_carries() {
        use crate::domain::{Channel, Status};
        use chrono::TimeZone;
        let t = |d, h| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let mut a = Appeal::new(Channel::Pos, "P-1", t(2, 7), "Текст");
        a.answered_at = Some(t(3, 7));
        a.deadlines.answer_due = Some(t(16, 14));
        a.status = Status::Answered;
        let c = AppealCounts::of(&a, t(20, 9));
        assert!(c.answered && c.on_time && !c.open_overdue);
        // Open again (reopened, or a source's open status with an answer time): open overdue
        // only — one of one, not «1 из 2».
        a.status = Status::InProgress;
        let c = AppealCounts::of(&a, t(20, 9));
        assert!(!c.answered && !c.on_time && c.open_overdue);
        let mut f = RecipientFacts::default();
        f.add(c, None);
        assert_eq!((f.on_time, f.answered + f.open_overdue), (0, 1));
    }

    #[test]
    fn bad_weights_are_refused() {
        let e = RankingRules::from_toml(
            "min_volume = 2\n[weights]\ntimeliness = 0\nquality = 0\nsatisfaction = 0\n",
        );
        assert!(e.is_err());
    }
}

//! Hot topics: what is being reported more this week than usual, and where.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::{Dimension, Store, StoreError};

/// A topic (a block or a source category) this week against its usual level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotTopic {
    /// `block` or `category`.
    pub kind: &'static str,
    /// The block id or the category text.
    pub key: String,
    /// What officers read: the block's Russian name or the category.
    pub name: String,
    /// Appeals in the last 7 days.
    pub last_week: u32,
    /// The weekly average of the 4 weeks before.
    pub average: f64,
    /// At least 3 appeals and at least 1.5× the average.
    pub hot: bool,
    /// Settlements where this topic grew (last week above their own average), most growth first.
    pub settlements: Vec<SettlementGrowth>,
}

/// A settlement where a topic grows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettlementGrowth {
    pub settlement: String,
    pub last_week: u32,
    pub average: f64,
}

/// A topic is hot with at least this many appeals in the last 7 days…
pub const HOT_MIN: u32 = 3;
/// …and at least this multiple of its weekly average over the 4 weeks before.
pub const HOT_FACTOR: f64 = 1.5;

fn split(weeks: &[u32]) -> (u32, f64) {
    let last = weeks.last().copied().unwrap_or(0);
    let before = &weeks[..weeks.len().saturating_sub(1)];
    let avg = if before.is_empty() {
        0.0
    } else {
        f64::from(before.iter().sum::<u32>()) / before.len() as f64
    };
    (last, avg)
}

/// Every block and category with appeals in the last five weeks, hot ones first (by growth), each
/// hot one with the settlements where it grows.
pub fn hot_topics(store: &Store, now: DateTime<Utc>) -> Result<Vec<HotTopic>, StoreError> {
    let reference = store.reference().clone();
    let mut out = Vec::new();
    for (dim, kind) in [
        (Dimension::Block, "block"),
        (Dimension::Category, "category"),
    ] {
        for (key, weeks) in store.weekly_by(dim, now, 5, None)? {
            let Some(key) = key else { continue };
            let (last_week, average) = split(&weeks);
            if last_week == 0 && average == 0.0 {
                continue;
            }
            let hot = last_week >= HOT_MIN && f64::from(last_week) >= HOT_FACTOR * average;
            let settlements = if hot {
                growth(store, now, dim, &key)?
            } else {
                Vec::new()
            };
            let name = match dim {
                Dimension::Block => reference.blocks.name_of(&key).to_string(),
                _ => key.clone(),
            };
            out.push(HotTopic {
                kind,
                key,
                name,
                last_week,
                average,
                hot,
                settlements,
            });
        }
    }
    out.sort_by(|a, b| {
        b.hot
            .cmp(&a.hot)
            .then_with(|| ratio(b).total_cmp(&ratio(a)))
            .then(b.last_week.cmp(&a.last_week))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

fn ratio(t: &HotTopic) -> f64 {
    f64::from(t.last_week) / t.average.max(0.25)
}

fn growth(
    store: &Store,
    now: DateTime<Utc>,
    dim: Dimension,
    key: &str,
) -> Result<Vec<SettlementGrowth>, StoreError> {
    let mut v: Vec<SettlementGrowth> = store
        .weekly_by(Dimension::Settlement, now, 5, Some((dim, Some(key))))?
        .into_iter()
        .filter_map(|(s, weeks)| {
            let (last_week, average) = split(&weeks);
            (f64::from(last_week) > average).then(|| SettlementGrowth {
                settlement: s.unwrap_or_else(|| "не указан".into()),
                last_week,
                average,
            })
        })
        .collect();
    v.sort_by(|a, b| {
        (f64::from(b.last_week) - b.average)
            .total_cmp(&(f64::from(a.last_week) - a.average))
            .then_with(|| a.settlement.cmp(&b.settlement))
    });
    Ok(v)
}

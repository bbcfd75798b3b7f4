//! Target indicators against the actual figures of a period.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Period;
use crate::domain::ranking::RecipientFacts;
use crate::domain::targets::Indicator;
use crate::store::{FactsGroup, Store, StoreError};

/// One target with its actual value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetLine {
    pub indicator: Indicator,
    /// Russian name of the indicator.
    pub label: String,
    /// A block id; `None` for the whole municipality.
    pub block: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `None` when undefined for the period (nothing answered, nothing rated…).
    pub actual: Option<f64>,
    /// `None` when the actual value is undefined.
    pub met: Option<bool>,
}

/// Every target in force, with the actual value for appeals received in `period`, at `now`.
pub fn targets(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<TargetLine>, StoreError> {
    Ok(targets_with_facts(store, period, now)?.0)
}

/// The targets, and the facts of the whole municipality they were judged on (the sum of the
/// blocks' facts: one reading of the period's appeals serves both).
pub fn targets_with_facts(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
) -> Result<(Vec<TargetLine>, RecipientFacts), StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (from, to) = period.bounds(tz);
    let cal = &reference.calendar;
    let by_block = store.facts_by(FactsGroup::Block, from, to, now, cal)?;
    let mut all = RecipientFacts::default();
    for f in by_block.values() {
        all.add_part(f);
    }
    let empty = Default::default();
    let lines = reference
        .targets
        .target
        .iter()
        .map(|t| {
            let facts = match &t.block {
                None => &all,
                Some(b) => by_block.get(&Some(b.clone())).unwrap_or(&empty),
            };
            let actual = t.indicator.actual(facts);
            TargetLine {
                indicator: t.indicator,
                label: t.indicator.label_ru().to_string(),
                block: t.block.clone(),
                min: t.min,
                max: t.max,
                actual,
                met: t.met(actual),
            }
        })
        .collect();
    Ok((lines, all))
}

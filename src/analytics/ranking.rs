//! The ranking of responsible recipients for a period, with the previous period's ranks, and the
//! explanation of one recipient's figures appeal by appeal.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Period;
use crate::domain::Appeal;
use crate::domain::ranking::{AppealCounts, RankRow, RecipientFacts, rank, with_previous};
use crate::store::{Store, StoreError, first_response_wh};

/// The ranking for `period` at `now`, each row with its rank in the previous period of the same
/// length (judged at the same `now`).
pub fn ranking(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<RankRow>, StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let facts = |p: Period| {
        let (from, to) = p.bounds(tz);
        store.ranking_facts(from, to, now, &reference.calendar)
    };
    let current = rank(&facts(period)?, &reference.ranking);
    let previous = rank(&facts(period.previous())?, &reference.ranking);
    Ok(with_previous(current, &previous))
}

/// The same facts computed directly, appeal by appeal, from the stored appeals — the reference the
/// aggregate queries are tested against, and the basis of explanations.
pub fn facts_direct(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<RecipientFacts>, StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (from, to) = period.bounds(tz);
    let mut by: BTreeMap<String, RecipientFacts> = BTreeMap::new();
    for a in store.received_between(from, to)? {
        let Some(r) = &a.responsible else { continue };
        let f = by.entry(r.clone()).or_insert_with(|| RecipientFacts {
            recipient: r.clone(),
            ..Default::default()
        });
        let wh = a
            .first_response_at
            .and_then(|t| first_response_wh(&reference.calendar, a.received_at, t));
        f.add(AppealCounts::of(&a, now), wh);
    }
    Ok(by.into_values().collect())
}

/// One appeal behind a recipient's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedAppeal {
    pub id: i64,
    pub key: String,
    pub received_at: DateTime<Utc>,
    pub status: String,
    pub answer_due: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// When it was last reopened: `answer_due` is the term that started there.
    pub reopened_at: Option<DateTime<Utc>>,
    pub counts: AppealCounts,
    pub first_response_wh: Option<f64>,
}

/// Why a recipient has the figures it has: every appeal of the period, classified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub recipient: String,
    pub period: Period,
    pub facts: RecipientFacts,
    /// The ranking line, when the recipient is ranked.
    pub row: Option<RankRow>,
    pub appeals: Vec<ExplainedAppeal>,
}

/// Explains one recipient's place: the appeals behind each component. The name may be any unique
/// part of the recipient's name, ignoring case and ё.
pub fn explain(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
    recipient: &str,
) -> Result<Explanation, StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let name = store.resolve_recipient(recipient)?;
    let (from, to) = period.bounds(tz);
    let mut facts = RecipientFacts {
        recipient: name.clone(),
        ..Default::default()
    };
    let mut appeals = Vec::new();
    for a in store.received_between(from, to)? {
        if a.responsible.as_deref() != Some(name.as_str()) {
            continue;
        }
        let counts = AppealCounts::of(&a, now);
        let wh = a
            .first_response_at
            .and_then(|t| first_response_wh(&reference.calendar, a.received_at, t));
        facts.add(counts, wh);
        appeals.push(explained(&a, counts, wh));
    }
    let row = ranking(store, period, now)?
        .into_iter()
        .find(|r| r.recipient == name);
    Ok(Explanation {
        recipient: name,
        period,
        facts,
        row,
        appeals,
    })
}

fn explained(a: &Appeal, counts: AppealCounts, wh: Option<f64>) -> ExplainedAppeal {
    ExplainedAppeal {
        id: a.id,
        key: a.key(),
        received_at: a.received_at,
        status: a.status.id().to_string(),
        answer_due: a.deadlines.answer_due,
        answered_at: a.answered_at,
        reopened_at: a.reopened_at,
        counts,
        first_response_wh: wh,
    }
}

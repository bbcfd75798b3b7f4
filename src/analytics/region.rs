//! The region's figures (a ЦУР over many municipalities of one PostgreSQL database): the ranking
//! of municipalities by the recipients' formula (`domain::ranking`, `data/ranking.toml`) with
//! volume per 1,000 inhabitants, and the monitoring panels per municipality and for the region.
//!
//! Each municipality's figures are the same analytics run inside its own schema (a connection of
//! the shared pool each, one after another), so they are exactly what `mcu stats`, `mcu rank`
//! and `mcu targets --municipality CODE` give: a municipality's facts are those of all its
//! appeals of the period (`FactsGroup::All`, as the overall target indicators), assigned to a
//! recipient or not — an appeal nobody was assigned still counts against the municipality.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::monitor::{BlockLine, WEEKS};
use super::{Monitoring, Period};
use crate::domain::ranking::{RankRow, RankingRules, RecipientFacts, rank};
use crate::reference::Reference;
use crate::store::region::{Municipality, Region};
use crate::store::{FactsGroup, ListFilter, Store, StoreError};

/// One municipality's line of the region's ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionRow {
    /// Its place; `None` when not ranked (fewer appeals than `min_volume`, or nothing measured).
    pub rank: Option<u32>,
    pub code: String,
    pub name: String,
    pub population: Option<i64>,
    pub score: Option<f64>,
    pub volume: u32,
    /// Appeals of the period per 1,000 inhabitants (none without a population).
    pub per_1000: Option<f64>,
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
    /// Its place in the previous period of the same length (none when not ranked then).
    pub prev_rank: Option<u32>,
}

/// The ranking of municipalities for a period, with the region's own figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionRanking {
    pub period: Period,
    pub now: DateTime<Utc>,
    /// Ranked municipalities by place, then the unranked ones by name.
    pub rows: Vec<RegionRow>,
    /// The whole region (every municipality, whatever the filter shows), unranked.
    pub region: RegionRow,
}

/// A municipality's facts for the current and the previous period.
#[derive(Debug, Clone)]
pub struct MemberFacts {
    pub municipality: Municipality,
    pub current: RecipientFacts,
    pub previous: RecipientFacts,
}

/// The facts of all the municipality's appeals received in `period` (judged at `now`).
pub fn municipality_facts(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
) -> Result<RecipientFacts, StoreError> {
    let cal = &store.reference().calendar;
    let (from, to) = period.bounds(cal.timezone());
    Ok(store
        .facts_by(FactsGroup::All, from, to, now, cal)?
        .into_values()
        .next()
        .unwrap_or_default())
}

/// Ranks municipalities by their facts: the recipients' formula, order and minimum volume. Pure.
pub fn rank_members(
    members: &[MemberFacts],
    rules: &RankingRules,
    period: Period,
    now: DateTime<Utc>,
) -> RegionRanking {
    // Ranked under a key that orders ties by name (then code: names need not be unique).
    let key = |m: &Municipality| format!("{}\u{1f}{}", m.name, m.code);
    let named = |pick: fn(&MemberFacts) -> &RecipientFacts| -> Vec<RecipientFacts> {
        members
            .iter()
            .map(|m| RecipientFacts {
                recipient: key(&m.municipality),
                ..pick(m).clone()
            })
            .collect()
    };
    let current = rank(&named(|m| &m.current), rules);
    let previous = rank(&named(|m| &m.previous), rules);
    let place = |rows: &[RankRow], k: &str| rows.iter().find(|r| r.recipient == k).map(|r| r.rank);
    let mut rows: Vec<RegionRow> = members
        .iter()
        .map(|m| {
            let k = key(&m.municipality);
            row(
                &m.municipality.code,
                &m.municipality.name,
                m.municipality.population,
                &m.current,
                rules,
                place(&current, &k),
                place(&previous, &k),
            )
        })
        .collect();
    rows.sort_by(|a, b| match (a.rank, b.rank) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)),
    });
    let mut all = RecipientFacts::default();
    for m in members {
        add(&mut all, &m.current);
    }
    let population = members
        .iter()
        .map(|m| m.municipality.population)
        .sum::<Option<i64>>();
    let region = row("", "Регион", population, &all, rules, None, None);
    RegionRanking {
        period,
        now,
        rows,
        region,
    }
}

fn row(
    code: &str,
    name: &str,
    population: Option<i64>,
    f: &RecipientFacts,
    rules: &RankingRules,
    rank: Option<u32>,
    prev_rank: Option<u32>,
) -> RegionRow {
    RegionRow {
        rank,
        code: code.to_owned(),
        name: name.to_owned(),
        population,
        score: f.score(&rules.weights),
        volume: f.volume,
        per_1000: per_1000(f.volume, population),
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
        prev_rank,
    }
}

/// Appeals per 1,000 inhabitants.
pub fn per_1000(volume: u32, population: Option<i64>) -> Option<f64> {
    population
        .filter(|p| *p > 0)
        .map(|p| f64::from(volume) * 1000.0 / p as f64)
}

fn add(to: &mut RecipientFacts, f: &RecipientFacts) {
    to.volume += f.volume;
    to.answered += f.answered;
    to.on_time += f.on_time;
    to.open_overdue += f.open_overdue;
    to.graded += f.graded;
    to.substantive += f.substantive;
    to.rated += f.rated;
    to.good += f.good;
    to.first_response_wh.extend_from_slice(&f.first_response_wh);
}

/// The ranking of every municipality of the region for `period` at `now`.
pub fn region_ranking(
    region: &Region,
    municipalities: &[Municipality],
    reference: &Arc<Reference>,
    period: Period,
    now: DateTime<Utc>,
) -> Result<RegionRanking, StoreError> {
    let members = municipalities
        .iter()
        .map(|m| {
            let store = region.member(m, reference.clone())?;
            Ok(MemberFacts {
                municipality: m.clone(),
                current: municipality_facts(&store, period, now)?,
                previous: municipality_facts(&store, period.previous(), now)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(rank_members(&members, &reference.ranking, period, now))
}

/// The «Входящие» panel's figures: what came in during the period and what is open now.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Incoming {
    /// Appeals received in the period (as `mcu stats --from --to` counts them).
    pub received: i64,
    /// Of them, open and overdue at `now`.
    pub received_overdue: i64,
    /// Open now, whenever received (the overdue panel's sum).
    pub open: u32,
    pub overdue: u32,
    pub at_risk: u32,
    /// Open with nobody responsible yet.
    pub unassigned_open: u32,
}

/// One municipality's (or the region's) three panels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Panels {
    pub code: String,
    pub name: String,
    pub population: Option<i64>,
    pub incoming: Incoming,
    /// «Просрочено по блокам»: as `mcu stats --json` gives under `monitoring.blocks`.
    pub blocks: Vec<BlockLine>,
    /// Its line of the region's ranking.
    pub ranking: RegionRow,
    /// The ranking of its responsible recipients (`mcu rank`); empty for the region.
    pub recipients: Vec<RankRow>,
}

/// The region's monitoring: each municipality's panels and the whole region's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionMonitor {
    pub period: Period,
    pub now: DateTime<Utc>,
    pub municipalities: Vec<Panels>,
    pub region: Panels,
}

/// The monitoring of every municipality in `municipalities` at `now`, the ranking for `period`.
pub fn region_monitor(
    region: &Region,
    municipalities: &[Municipality],
    reference: &Arc<Reference>,
    period: Period,
    now: DateTime<Utc>,
) -> Result<RegionMonitor, StoreError> {
    let tz = reference.calendar.timezone();
    let (from, to) = period.bounds(tz);
    let filter = ListFilter {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let mut members = Vec::new();
    let mut panels = Vec::new();
    for m in municipalities {
        let store = region.member(m, reference.clone())?;
        members.push(MemberFacts {
            municipality: m.clone(),
            current: municipality_facts(&store, period, now)?,
            previous: municipality_facts(&store, period.previous(), now)?,
        });
        let stats = store.stats(&filter, now)?;
        let mon = super::monitoring(&store, now)?;
        let recipients = super::ranking(&store, period, now)?;
        panels.push((
            m.clone(),
            incoming(stats.total, stats.overdue, &mon),
            mon,
            recipients,
        ));
    }
    let ranking = rank_members(&members, &reference.ranking, period, now);
    let line = |code: &str| {
        ranking
            .rows
            .iter()
            .find(|r| r.code == code)
            .cloned()
            .unwrap_or_else(|| ranking.region.clone())
    };
    let mut total = Incoming::default();
    let mut blocks: Vec<BlockLine> = Vec::new();
    let mut out = Vec::new();
    for (m, inc, mon, recipients) in panels {
        total.received += inc.received;
        total.received_overdue += inc.received_overdue;
        total.open += inc.open;
        total.overdue += inc.overdue;
        total.at_risk += inc.at_risk;
        total.unassigned_open += inc.unassigned_open;
        merge_blocks(&mut blocks, &mon.blocks);
        out.push(Panels {
            ranking: line(&m.code),
            code: m.code,
            name: m.name,
            population: m.population,
            incoming: inc,
            blocks: mon.blocks,
            recipients,
        });
    }
    // The unsorted line last, as in each municipality's panel.
    blocks.sort_by_key(|b| b.block.is_none());
    Ok(RegionMonitor {
        period,
        now,
        region: Panels {
            code: String::new(),
            name: "Регион".into(),
            population: ranking.region.population,
            incoming: total,
            blocks,
            ranking: ranking.region.clone(),
            recipients: Vec::new(),
        },
        municipalities: out,
    })
}

fn incoming(received: i64, received_overdue: i64, mon: &Monitoring) -> Incoming {
    Incoming {
        received,
        received_overdue,
        open: mon.blocks.iter().map(|b| b.open).sum(),
        overdue: mon.blocks.iter().map(|b| b.overdue).sum(),
        at_risk: mon.blocks.iter().map(|b| b.at_risk).sum(),
        unassigned_open: mon.unassigned_open,
    }
}

/// Adds one municipality's block lines to the region's: counts and weeks summed, the oldest
/// overdue the oldest of all.
fn merge_blocks(into: &mut Vec<BlockLine>, lines: &[BlockLine]) {
    let mut at: BTreeMap<Option<String>, usize> = into
        .iter()
        .enumerate()
        .map(|(i, b)| (b.block.clone(), i))
        .collect();
    for l in lines {
        match at.get(&l.block) {
            Some(&i) => {
                let t = &mut into[i];
                t.open += l.open;
                t.overdue += l.overdue;
                t.at_risk += l.at_risk;
                t.oldest_overdue_wd = t.oldest_overdue_wd.max(l.oldest_overdue_wd);
                for (w, n) in t.weekly.iter_mut().zip(&l.weekly) {
                    *w += n;
                }
            }
            None => {
                at.insert(l.block.clone(), into.len());
                let mut l = l.clone();
                l.weekly.resize(WEEKS, 0);
                into.push(l);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ranking::EMBEDDED;

    fn member(code: &str, name: &str, population: Option<i64>, f: RecipientFacts) -> MemberFacts {
        MemberFacts {
            municipality: Municipality {
                code: code.into(),
                name: name.into(),
                population,
                created_at: DateTime::from_timestamp(0, 0).unwrap_or_default(),
                version: Some(1),
            },
            previous: f.clone(),
            current: f,
        }
    }

    fn facts(volume: u32, answered: u32, on_time: u32, open_overdue: u32) -> RecipientFacts {
        RecipientFacts {
            volume,
            answered,
            on_time,
            open_overdue,
            ..Default::default()
        }
    }

    #[test]
    fn municipalities_are_ranked_by_the_recipients_formula() {
        let rules = RankingRules::from_toml(EMBEDDED).unwrap();
        let p = Period::new("2026-11-01".parse().unwrap(), "2026-11-30".parse().unwrap()).unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let got = rank_members(
            &[
                member("a", "Альфа", Some(2000), facts(4, 4, 2, 0)),
                member("b", "Бета", Some(500), facts(5, 4, 4, 1)),
                member("c", "Вега", None, facts(1, 1, 1, 0)),
                // A tie with «Бета» on score and volume: the name orders them.
                member("d", "Арка", None, facts(5, 4, 4, 1)),
            ],
            &rules,
            p,
            now,
        );
        let order: Vec<(&str, Option<u32>)> =
            got.rows.iter().map(|r| (r.code.as_str(), r.rank)).collect();
        assert_eq!(
            order,
            [("d", Some(1)), ("b", Some(2)), ("a", Some(3)), ("c", None)]
        );
        assert_eq!(got.rows[1].score, Some(80.0));
        assert_eq!(got.rows[1].per_1000, Some(10.0));
        assert_eq!(got.rows[2].per_1000, Some(2.0));
        assert_eq!(got.rows[0].per_1000, None);
        // The region: every municipality's appeals; no population when one is unknown.
        assert_eq!(got.region.volume, 15);
        assert_eq!(got.region.on_time, 11);
        assert_eq!(got.region.population, None);
        assert_eq!(got.rows[0].prev_rank, Some(1));
    }
}

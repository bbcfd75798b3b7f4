//! The analytical note's figures (issue 12, sections 1–9; section 8 in [`super::registers`]), computed from the analytics
//! library — never SQL of its own — so that each figure equals what `mcu stats`, `rank`,
//! `targets`, `hot` and `conflicts` give for the same period and `--now`. Renderers only format.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::registers::{self, Registers};
use super::rules::{self, Recommendation};
use crate::analytics::{self, HotTopic, Period, TargetLine};
use crate::domain::ranking::{RankRow, RecipientFacts};
use crate::domain::{Appeal, Quality, pii};
use crate::store::{
    BlockParts, FirstResponseCounts, GroupCounts, ListFilter, PairCounts, PeriodReading, Stats,
    Store, StoreError, Want,
};

/// How many topics (blocks) the note shows.
pub const TOP_TOPICS: usize = 5;
/// How many categories and words per topic.
pub const TOP_PARTS: usize = 3;
/// How many texts a topic's frequent words are counted over (the newest ones).
pub const WORD_SAMPLE: usize = 2000;
/// The red zone: at most this many of the bottom of the ranking.
pub const RED_ZONE_BOTTOM: usize = 3;
/// How many formal answers the note quotes.
pub const FORMAL_EXAMPLES: usize = 3;

/// The figures of a period: what `mcu stats` gives for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub stats: Stats,
    /// Received in the period (= `stats.total`).
    pub received: i64,
    /// Of those, answered or closed by `now`.
    pub answered_or_closed: i64,
}

impl Totals {
    fn of(stats: Stats) -> Self {
        let st = |k: &str| stats.by_status.get(k).copied().unwrap_or(0);
        Self {
            received: stats.total,
            answered_or_closed: st("answered") + st("closed"),
            stats,
        }
    }
}

/// One reading of a period's appeals (`Store::read_period`).
fn read(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
    want: Want,
) -> Result<PeriodReading, StoreError> {
    let (from, to) = period.bounds(store.reference().calendar.timezone());
    let filter = ListFilter {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    store.read_period(&filter, now, want)
}

/// A count against the same count of an earlier period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Delta {
    pub now: i64,
    pub before: i64,
}

impl Delta {
    pub fn new(now: i64, before: i64) -> Self {
        Self { now, before }
    }
    /// The change in appeals.
    pub fn diff(&self) -> i64 {
        self.now - self.before
    }
    /// The change in per cent of the earlier count; `None` when there was nothing before.
    pub fn percent(&self) -> Option<f64> {
        (self.before > 0).then(|| 100.0 * self.diff() as f64 / self.before as f64)
    }
}

/// A group (a settlement, category or recipient) where a topic grew.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Driver {
    pub name: String,
    pub delta: Delta,
}

/// One top topic: a block with its categories, frequent words and what drove its growth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Topic {
    /// The block id; `None` for appeals without a block.
    pub block: Option<String>,
    pub name: String,
    /// Against the previous period.
    pub delta: Delta,
    /// The source categories within it, most frequent first (`None` category left out).
    pub categories: Vec<(String, u32)>,
    /// The most frequent words of its texts.
    pub words: Vec<(String, u32)>,
    /// Where it grew, when it grew: settlements, categories, recipients with the largest rise.
    pub grew_in_settlements: Vec<Driver>,
    pub grew_in_categories: Vec<Driver>,
    pub grew_at_recipients: Vec<Driver>,
    /// Whether the analytics flags it hot this week (`mcu hot`).
    pub hot: bool,
}

/// A recipient of the red zone, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RedZone {
    pub row: RankRow,
    /// Among the bottom of the ranking.
    pub bottom: bool,
    /// The targets (for the whole municipality) its own figures fall short of.
    pub short_of: Vec<String>,
    /// What explains the place, in Russian.
    pub why: String,
}

/// A quoted formal answer («отписка»): the text masked of personal data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormalExample {
    pub key: String,
    pub recipient: Option<String>,
    pub answer: String,
}

/// Conflicts and communication errors of one recipient (decree 4.2г).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConflictLine {
    pub recipient: String,
    /// False for the line of appeals with no recipient yet.
    pub assigned: bool,
    /// Appeals listed by `mcu conflicts` for it.
    pub appeals: u32,
    pub conflicts: u32,
    pub reopened: u32,
    pub formal: u32,
    /// Repeats: the appeals of the period marked duplicates — its own, or, for one not assigned,
    /// those repeating an appeal it was responsible for (not listed by `mcu conflicts`).
    pub repeats: u32,
}

/// Section 5: timeliness and quality.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeliness {
    /// The whole municipality's facts (what `mcu targets` measures against).
    pub facts: RecipientFacts,
    pub on_time_share: Option<f64>,
    pub quality_share: Option<f64>,
    pub satisfaction: Option<f64>,
    pub median_first_response_wh: Option<f64>,
    /// First responses per channel.
    pub first_response: Vec<FirstResponseCounts>,
    /// Formal answers graded in the period.
    pub formal: u32,
    pub formal_examples: Vec<FormalExample>,
    /// Every target with its actual value (`mcu targets`).
    pub targets: Vec<TargetLine>,
}

/// The weekly volume by block for the chart: week labels and one series per block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weekly {
    /// The first day of each week (local).
    pub weeks: Vec<String>,
    pub series: Vec<(String, Vec<u32>)>,
}

/// Everything the note says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub period: Period,
    pub previous: Period,
    pub year_before: Period,
    pub now: DateTime<Utc>,
    /// 1. Totals by channel, new against answered/closed.
    pub totals: Totals,
    /// 2. The previous period and the same period a year before.
    pub previous_totals: Totals,
    pub year_before_totals: Totals,
    /// Per channel: now / previous / a year before.
    pub by_channel: Vec<(String, Delta, Delta)>,
    /// 3. Top topics.
    pub topics: Vec<Topic>,
    /// Hot topics this week (`mcu hot` at the period's end or `now`, whichever is earlier).
    pub hot: Vec<HotTopic>,
    /// 4. Geography: appeals per settlement with the share overdue (`mcu stats --by settlement`).
    pub settlements: Vec<GroupCounts>,
    /// 5. Timeliness and quality.
    pub timeliness: Timeliness,
    /// 6. The ranking (`mcu rank`) and its red zone.
    pub ranking: Vec<RankRow>,
    pub red_zone: Vec<RedZone>,
    /// 7. Conflicts, repeats, reopened appeals by recipient (`mcu conflicts`).
    pub conflicts: Vec<ConflictLine>,
    /// Repeats: appeals of the period marked duplicates.
    pub repeats: i64,
    /// 8. The registers: official pages, roadmaps, votes (`mcu pages check`, `mcu roadmap
    /// show`, `mcu votes show`).
    pub registers: Registers,
    /// 9. Recommendations with the figures behind them.
    pub recommendations: Vec<Recommendation>,
    /// Chart data.
    pub weekly: Weekly,
}

impl Note {
    /// Whether nothing was received in the period.
    pub fn is_empty(&self) -> bool {
        self.totals.received == 0
    }
}

/// Computes the note for `period` at `now`.
pub fn compute(store: &Store, period: Period, now: DateTime<Utc>) -> Result<Note, StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let previous = period.previous();
    let year_before = period.year_before();
    // Three readings of the appeals: the period, the one before (for the topics' growth) and
    // the same period a year before.
    let all = Want {
        settlements: true,
        block_parts: true,
    };
    let current = read(store, period, now, all)?;
    let before = read(
        store,
        previous,
        now,
        Want {
            block_parts: true,
            ..Want::default()
        },
    )?;
    let totals = Totals::of(current.stats);
    let previous_totals = Totals::of(before.stats);
    let year_before_totals = Totals::of(read(store, year_before, now, Want::default())?.stats);
    let mut channels: Vec<&String> = totals
        .stats
        .by_channel
        .keys()
        .chain(previous_totals.stats.by_channel.keys())
        .chain(year_before_totals.stats.by_channel.keys())
        .collect();
    channels.sort();
    channels.dedup();
    let ch = |t: &Totals, k: &str| t.stats.by_channel.get(k).copied().unwrap_or(0);
    let by_channel = channels
        .into_iter()
        .map(|k| {
            (
                k.clone(),
                Delta::new(ch(&totals, k), ch(&previous_totals, k)),
                Delta::new(ch(&totals, k), ch(&year_before_totals, k)),
            )
        })
        .collect();

    let (from, to) = period.bounds(tz);
    let hot_at = now.min(to);
    let hot = analytics::hot_topics(store, hot_at)?
        .into_iter()
        .filter(|t| t.hot)
        .collect::<Vec<_>>();
    let topics = topics(
        store,
        period,
        &current.block_parts,
        &before.block_parts,
        &hot,
    )?;
    let settlements = current.settlements;

    let (targets, facts) = analytics::targets_with_facts(store, period, now)?;
    let conflict_appeals = store.conflicts(from, to)?;
    let formal_examples = formal_examples(&conflict_appeals);
    let timeliness = Timeliness {
        on_time_share: facts.timeliness(),
        quality_share: facts.quality(),
        satisfaction: facts.satisfaction(),
        median_first_response_wh: facts.median_first_response_wh(),
        formal: facts.graded - facts.substantive,
        facts,
        first_response: store.first_response_counts(from, to, now)?,
        formal_examples,
        targets,
    };
    let ranking = analytics::ranking(store, period, now)?;
    let red_zone = red_zone(&ranking, &timeliness.targets);
    let conflicts = conflict_lines(&conflict_appeals, &duplicates(store, from, to)?);
    let repeats = totals
        .stats
        .by_status
        .get("duplicate")
        .copied()
        .unwrap_or(0);

    let registers = registers::compute(store, period, now)?;
    // Growth by settlement per block, for the roadmap rule.
    let all_roadmaps = store.roadmaps()?;
    let mut growth = Vec::new();
    for t in &topics {
        for d in &t.grew_in_settlements {
            growth.push(rules::Growth {
                topic: t.name.clone(),
                settlement: d.name.clone(),
                now: d.delta.now,
                before: d.delta.before,
                has_roadmap: registers::covers(store, &all_roadmaps, t.block.as_deref(), &d.name)?,
            });
        }
    }
    let recommendations = rules::recommend(&rules::Inputs {
        ranking: &ranking,
        targets: &timeliness.targets,
        growth: &growth,
        settlements: &settlements,
        conflicts: &conflicts,
        registers: &registers,
        block_name: &|b: &str| reference.blocks.name_of(b).to_string(),
    });
    let weekly = weekly(store, period, now)?;
    Ok(Note {
        period,
        previous,
        year_before,
        now,
        totals,
        previous_totals,
        year_before_totals,
        by_channel,
        topics,
        hot,
        settlements,
        timeliness,
        ranking,
        red_zone,
        conflicts,
        repeats,
        registers,
        recommendations,
        weekly,
    })
}

/// The groups that grew most from `before` to `now`, named; at most `TOP_PARTS`.
fn drivers(
    now: &BTreeMap<Option<String>, u32>,
    before: &BTreeMap<Option<String>, u32>,
    name: impl Fn(&str) -> String,
) -> Vec<Driver> {
    let mut v: Vec<Driver> = now
        .iter()
        .filter_map(|(k, n)| {
            let b = before.get(k).copied().unwrap_or(0);
            (*n > b).then(|| Driver {
                name: k.as_deref().map_or_else(|| "не указано".to_string(), &name),
                delta: Delta::new(i64::from(*n), i64::from(b)),
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.delta
            .diff()
            .cmp(&a.delta.diff())
            .then_with(|| a.name.cmp(&b.name))
    });
    v.truncate(TOP_PARTS);
    v
}

fn topics(
    store: &Store,
    period: Period,
    now: &BlockParts,
    before: &BlockParts,
    hot: &[HotTopic],
) -> Result<Vec<Topic>, StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (from, to) = period.bounds(tz);
    let total = |by: &BTreeMap<Option<String>, u32>| by.values().sum::<u32>();
    let mut top: Vec<(Option<String>, u32)> = now
        .categories
        .iter()
        .map(|(k, by)| (k.clone(), total(by)))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(TOP_TOPICS);
    let of = |m: &PairCounts, b: &Option<String>| m.get(b).cloned().unwrap_or_default();
    let mut out = Vec::new();
    for (block, n) in top {
        let name = block.as_deref().map_or_else(
            || "без блока".to_string(),
            |b| reference.blocks.name_of(b).to_string(),
        );
        let cats = of(&now.categories, &block);
        let was = before.categories.get(&block).map_or(0, total);
        let mut categories: Vec<(String, u32)> = cats
            .iter()
            .filter_map(|(k, n)| Some((k.clone()?, *n)))
            .collect();
        categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        categories.truncate(TOP_PARTS);
        let texts = store.texts_of_block(block.as_deref(), from, to, WORD_SAMPLE)?;
        let words = frequent_words(&texts, TOP_PARTS);
        let (mut s, mut c, mut r) = (Vec::new(), Vec::new(), Vec::new());
        if n > was {
            let ident = |k: &str| k.to_string();
            let parts = |m: fn(&BlockParts) -> &PairCounts| {
                drivers(&of(m(now), &block), &of(m(before), &block), ident)
            };
            s = parts(|p| &p.settlements);
            c = parts(|p| &p.categories);
            r = parts(|p| &p.recipients);
        }
        let hot = hot
            .iter()
            .any(|t| t.kind == "block" && Some(&t.key) == block.as_ref());
        out.push(Topic {
            block,
            name,
            delta: Delta::new(i64::from(n), i64::from(was)),
            categories,
            words,
            grew_in_settlements: s,
            grew_in_categories: c,
            grew_at_recipients: r,
            hot,
        });
    }
    Ok(out)
}

/// Words not worth counting: function words and the words every appeal has.
const STOP: &[&str] = &[
    "когда",
    "который",
    "которые",
    "просим",
    "прошу",
    "просьба",
    "очень",
    "после",
    "также",
    "будет",
    "этого",
    "этому",
    "чтобы",
    "через",
    "нашем",
    "нашей",
    "наших",
    "улице",
    "улица",
    "здравствуйте",
    "пожалуйста",
    "спасибо",
    "обращение",
    "обращаюсь",
    "уважаемые",
    "только",
    "никто",
    "ничего",
    "сколько",
    "можно",
    "нужно",
    "нельзя",
    "потому",
    "опять",
    "снова",
    "всего",
    "более",
    "около",
    "возле",
    "между",
    "против",
    "вопрос",
    "жители",
    "жителей",
];

/// The `n` most frequent words of five letters or more, lower case, ё as е; ties by the word.
pub fn frequent_words(texts: &[String], n: usize) -> Vec<(String, u32)> {
    let mut by: BTreeMap<String, u32> = BTreeMap::new();
    for t in texts {
        for w in t.split(|c: char| !c.is_alphabetic()) {
            if w.chars().count() < 5 {
                continue;
            }
            let w = w.to_lowercase().replace('ё', "е");
            if STOP.contains(&w.as_str()) {
                continue;
            }
            *by.entry(w).or_default() += 1;
        }
    }
    let mut v: Vec<(String, u32)> = by.into_iter().filter(|(_, c)| *c > 1).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

fn formal_examples(list: &[Appeal]) -> Vec<FormalExample> {
    list.iter()
        .filter(|a| a.quality == Some(Quality::Formal))
        .filter_map(|a| {
            let answer = a.answer.as_deref()?.trim();
            (!answer.is_empty()).then(|| FormalExample {
                key: a.key(),
                recipient: a.responsible.clone(),
                answer: short(&pii::mask_text(answer), 200),
            })
        })
        .take(FORMAL_EXAMPLES)
        .collect()
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// The appeals received in `[from, to)` marked duplicates (repeats), paged through the store's
/// list; one with no recipient of its own gets its original's.
fn duplicates(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Appeal>, StoreError> {
    let mut out = duplicates_as_stored(store, from, to)?;
    for a in out.iter_mut().filter(|a| a.responsible.is_none()) {
        if let Some(orig) = a.duplicate_of {
            a.responsible = store.get(orig)?.and_then(|o| o.responsible);
        }
    }
    Ok(out)
}

fn duplicates_as_stored(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Appeal>, StoreError> {
    const PAGE: usize = 1000;
    let filter = ListFilter {
        status: Some(crate::domain::Status::Duplicate),
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let mut out: Vec<Appeal> = Vec::new();
    loop {
        let cursor = out.last().map(crate::store::Cursor::after);
        let page = store.list(&filter, cursor, PAGE)?;
        let n = page.len();
        out.extend(page);
        if n < PAGE {
            return Ok(out);
        }
    }
}

const UNASSIGNED: &str = "(не назначено)";

/// Groups the appeals of `mcu conflicts` and the repeats (duplicates) by recipient, most first.
fn conflict_lines(list: &[Appeal], repeats: &[Appeal]) -> Vec<ConflictLine> {
    fn line<'a>(by: &'a mut BTreeMap<String, ConflictLine>, a: &Appeal) -> &'a mut ConflictLine {
        let r = a.responsible.clone().unwrap_or_else(|| UNASSIGNED.into());
        by.entry(r.clone()).or_insert_with(|| ConflictLine {
            recipient: r,
            assigned: a.responsible.is_some(),
            ..Default::default()
        })
    }
    let mut by: BTreeMap<String, ConflictLine> = BTreeMap::new();
    for a in list {
        let l = line(&mut by, a);
        l.appeals += 1;
        l.conflicts += u32::from(a.conflict);
        l.reopened += u32::from(a.reopen_count > 0);
        l.formal += u32::from(a.quality == Some(Quality::Formal));
    }
    for a in repeats {
        line(&mut by, a).repeats += 1;
    }
    let mut v: Vec<ConflictLine> = by.into_values().collect();
    v.sort_by(|a, b| {
        (b.appeals + b.repeats)
            .cmp(&(a.appeals + a.repeats))
            .then_with(|| a.recipient.cmp(&b.recipient))
    });
    v
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// The red zone: the bottom of the ranking (only when at least twice as many are ranked) and
/// every recipient whose own figures fall short of a municipality-wide target.
pub fn red_zone(ranking: &[RankRow], targets: &[TargetLine]) -> Vec<RedZone> {
    use crate::domain::targets::Indicator;
    let n = ranking.len();
    let bottom_from = if n >= 2 * RED_ZONE_BOTTOM {
        n - RED_ZONE_BOTTOM
    } else {
        n
    };
    let mut out = Vec::new();
    for (i, r) in ranking.iter().enumerate() {
        let mut short_of = Vec::new();
        for t in targets.iter().filter(|t| t.block.is_none()) {
            let actual = match t.indicator {
                Indicator::OnTimeShare => r.timeliness,
                Indicator::QualityShare => r.quality,
                Indicator::Satisfaction => r.satisfaction,
                _ => continue,
            };
            let target = crate::domain::targets::Target {
                indicator: t.indicator,
                block: None,
                min: t.min,
                max: t.max,
            };
            if target.met(actual) == Some(false) {
                short_of.push(t.label.clone());
            }
        }
        let bottom = i >= bottom_from;
        if !bottom && short_of.is_empty() {
            continue;
        }
        let why = format!(
            "в срок {} из {} ({}), по существу {} из {} ({}), оценки 4–5: {} из {} ({}), просрочено открытых {}",
            r.on_time,
            r.answered + r.open_overdue,
            pct(r.timeliness),
            r.substantive,
            r.graded,
            pct(r.quality),
            r.good,
            r.rated,
            pct(r.satisfaction),
            r.open_overdue
        );
        out.push(RedZone {
            row: r.clone(),
            bottom,
            short_of,
            why,
        });
    }
    // The worst first.
    out.reverse();
    out
}

/// Weekly volume by block for the chart: the weeks up to the period's end (or `now`), at least
/// eight, at most 26.
fn weekly(store: &Store, period: Period, now: DateTime<Utc>) -> Result<Weekly, StoreError> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (_, end) = period.bounds(tz);
    let end = end.min(now.max(period.bounds(tz).0));
    let n = usize::try_from(period.days().div_ceil(7))
        .unwrap_or(8)
        .clamp(8, 26);
    let by = store.weekly_by_block(end, n)?;
    let weeks = (0..n)
        .map(|i| {
            let back = i64::try_from(n - i).unwrap_or(0) * 7;
            (end - chrono::Duration::days(back))
                .with_timezone(&tz)
                .format("%d.%m")
                .to_string()
        })
        .collect();
    let mut series: Vec<(String, Vec<u32>)> = by
        .into_iter()
        .map(|(k, v)| {
            let name = k.as_deref().map_or_else(
                || "без блока".to_string(),
                |b| reference.blocks.name_of(b).to_string(),
            );
            (name, v)
        })
        .collect();
    series.sort_by(|a, b| {
        b.1.iter()
            .sum::<u32>()
            .cmp(&a.1.iter().sum::<u32>())
            .then_with(|| a.0.cmp(&b.0))
    });
    series.truncate(6);
    Ok(Weekly { weeks, series })
}

//! Scoring triage against a labelled file (the format of `../shared/data/appeals_dev.jsonl`:
//! `id`, `channel`, `text`, `settlement`, `block`, `urgent`, `conflict`, `dup_group`), and stratified
//! k-fold cross-validation that trains each fold's model on the seeds plus the other folds.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::{Blocks, Channel};

pub use super::baseline::Baseline;
use super::{Example, Indexed, Recipe, Triage, TriageData};

/// One labelled appeal.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    pub id: String,
    pub text: String,
    pub channel: Option<Channel>,
    pub category: Option<String>,
    pub settlement: Option<String>,
    /// Index into the blocks in force.
    pub block: usize,
    pub urgent: Option<bool>,
    pub conflict: Option<bool>,
    pub dup_group: Option<String>,
    /// The corpus part (`train`, `validation`, `test`), if the file has one.
    pub split: Option<String>,
    /// Day the appeal was received, counted from any origin (for the duplicate window); without
    /// it, all appeals of a file count as received the same day.
    pub day: Option<i64>,
}

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<serde_json::Value>,
    text: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    settlement: Option<String>,
    block: String,
    #[serde(default)]
    urgent: Option<bool>,
    #[serde(default)]
    conflict: Option<bool>,
    #[serde(default)]
    dup_group: Option<String>,
    #[serde(default)]
    split: Option<String>,
    #[serde(default)]
    day: Option<i64>,
}

/// Parses a labelled JSON Lines file; a bad line is refused with its number and reason.
pub fn parse_labelled(src: &str, blocks: &Blocks) -> Result<Vec<Labelled>, String> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let block = blocks
            .resolve(&l.block)
            .and_then(|b| blocks.all().iter().position(|x| x.id == b.id))
            .ok_or_else(|| {
                format!(
                    "line {}: unknown block «{}» (known: {})",
                    i + 1,
                    l.block,
                    blocks.ids()
                )
            })?;
        let id = match l.id {
            Some(serde_json::Value::String(s)) => s,
            Some(v) => v.to_string(),
            None => (i + 1).to_string(),
        };
        out.push(Labelled {
            id,
            text: l.text,
            channel: l.channel.as_deref().and_then(|c| c.parse().ok()),
            category: l.category,
            settlement: l.settlement,
            block,
            urgent: l.urgent,
            conflict: l.conflict,
            dup_group: l.dup_group.filter(|g| !g.is_empty()),
            split: l.split,
            day: l.day,
        });
    }
    Ok(out)
}

/// Precision and recall of one yes/no decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Pr {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl Pr {
    fn new(tp: usize, fp: usize, fn_: usize) -> Self {
        let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = match (precision, recall) {
            (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
            (Some(_), Some(_)) => Some(0.0),
            _ => None,
        };
        Self {
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1,
        }
    }

    fn count(pairs: impl Iterator<Item = (bool, bool)>) -> Self {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (predicted, actual) in pairs {
            match (predicted, actual) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        Self::new(tp, fp, fn_)
    }
}

/// Scores of one block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockScore {
    pub block: String,
    pub name: String,
    pub support: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: f64,
}

/// How often the settlement named in the text was found, and right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SettlementScore {
    /// Appeals labelled with a settlement.
    pub labelled: usize,
    /// Of those, where the text named a settlement the gazetteer found.
    pub found: usize,
    /// Of those found, the right one.
    pub correct: usize,
}

/// Accuracy of the blocks at or above the confidence threshold (what import would set itself).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ConfidentScore {
    pub threshold: f32,
    /// Share of appeals at or above the threshold.
    pub coverage: f64,
    /// Accuracy among them.
    pub accuracy: Option<f64>,
}

/// Everything `mcu eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub appeals: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub blocks: Vec<BlockScore>,
    /// Rows: the labelled block; columns: the predicted one (in the order of `labels`).
    pub confusion: Vec<Vec<usize>>,
    pub labels: Vec<String>,
    pub urgent: Pr,
    pub conflict: Pr,
    /// Pairs of appeals proposed as duplicates (same group) against the labelled `dup_group`s.
    pub duplicate_pairs: Pr,
    pub settlement: SettlementScore,
    pub confident: ConfidentScore,
    /// The TF-IDF + logistic regression baseline on the same appeals ([`evaluate_baseline`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineScore>,
}

/// What the baseline scores on the same appeals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineScore {
    pub method: &'static str,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub urgent: Pr,
    pub conflict: Pr,
}

/// Accuracy and macro-F1 (over the blocks present in the labels) of predicted blocks.
fn block_f1(n: usize, items: &[Labelled], predicted: &[usize]) -> (f64, f64) {
    let mut confusion = vec![vec![0usize; n]; n];
    for (l, p) in items.iter().zip(predicted) {
        if l.block < n && *p < n {
            confusion[l.block][*p] += 1;
        }
    }
    let correct: usize = (0..n).map(|i| confusion[i][i]).sum();
    let (mut sum, mut present) = (0.0, 0usize);
    for i in 0..n {
        let support: usize = confusion[i].iter().sum();
        if support == 0 {
            continue;
        }
        let predicted: usize = confusion.iter().map(|r| r[i]).sum();
        let tp = confusion[i][i];
        sum += Pr::new(tp, predicted - tp, support - tp).f1.unwrap_or(0.0);
        present += 1;
    }
    (
        correct as f64 / items.len().max(1) as f64,
        if present > 0 {
            sum / present as f64
        } else {
            0.0
        },
    )
}

/// Scores the TF-IDF + logistic regression baseline on labelled appeals.
pub fn evaluate_baseline(b: &Baseline, blocks: &Blocks, items: &[Labelled]) -> BaselineScore {
    let predictions: Vec<(usize, bool, bool)> = items
        .iter()
        .map(|l| b.predict(&l.text, l.channel))
        .collect();
    let blocks_predicted: Vec<usize> = predictions.iter().map(|p| p.0).collect();
    let (accuracy, macro_f1) = block_f1(blocks.all().len(), items, &blocks_predicted);
    let urgent = Pr::count(
        items
            .iter()
            .zip(&predictions)
            .filter_map(|(l, p)| l.urgent.map(|u| (p.1, u))),
    );
    let conflict = Pr::count(
        items
            .iter()
            .zip(&predictions)
            .filter_map(|(l, p)| l.conflict.map(|c| (p.2, c))),
    );
    BaselineScore {
        method: "tf-idf words 1-2 + logistic regression",
        accuracy,
        macro_f1,
        urgent,
        conflict,
    }
}

/// What triage said about one labelled appeal.
#[derive(Debug, Clone)]
struct Outcome {
    block: usize,
    confidence: f32,
    urgent: bool,
    conflict: bool,
    settlement: Option<String>,
}

fn outcome(t: &Triage, l: &Labelled) -> Outcome {
    let s = t.suggest(&l.text, l.channel, l.category.as_deref());
    Outcome {
        block: t
            .block_ids()
            .iter()
            .position(|b| *b == s.block)
            .unwrap_or(0),
        confidence: s.confidence,
        urgent: s.urgent,
        conflict: s.conflict,
        settlement: s.settlement,
    }
}

/// Scores the triage as it is against labelled appeals.
pub fn evaluate(t: &Triage, blocks: &Blocks, items: &[Labelled]) -> Report {
    let outcomes: Vec<Outcome> = items.iter().map(|l| outcome(t, l)).collect();
    score(t, blocks, items, &outcomes)
}

/// Stratified fold of each item: within each labelled block, in file order, round-robin from an
/// offset that depends on the block (`(n-th of its block + block index) mod k`). Simple enough to
/// reproduce in the scikit-learn baseline (`benches/baseline_tfidf.py`).
pub fn folds(items: &[Labelled], k: usize) -> Vec<usize> {
    let k = k.max(2);
    let mut seen: HashMap<usize, usize> = HashMap::new();
    items
        .iter()
        .map(|l| {
            let n = seen.entry(l.block).or_default();
            let f = (*n + l.block) % k;
            *n += 1;
            f
        })
        .collect()
}

fn to_example(l: &Labelled, blocks: &Blocks) -> Example {
    Example {
        text: l.text.clone(),
        block: blocks.all()[l.block].id.clone(),
        channel: l.channel.map(|c| c.id().to_string()),
        category: l.category.clone(),
        urgent: None,
        conflict: None,
        split: None,
    }
}

/// k-fold cross-validation: each fold is predicted by a model trained on the seeds plus the other
/// folds (as officers' examples). Never scores a model on what it was trained on.
pub fn cross_validate(
    blocks: &Blocks,
    data: &TriageData,
    items: &[Labelled],
    k: usize,
    recipe: &Recipe,
) -> Report {
    let fold_of = folds(items, k);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; items.len()];
    for f in 0..k.max(2) {
        let train: Vec<Example> = items
            .iter()
            .zip(&fold_of)
            .filter(|(_, g)| **g != f)
            .map(|(l, _)| to_example(l, blocks))
            .collect();
        let t = Triage::build_with(blocks, data, &train, recipe);
        for (i, l) in items.iter().enumerate() {
            if fold_of[i] == f {
                outcomes[i] = Some(outcome(&t, l));
            }
        }
    }
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    // Duplicate scoring needs only the weights of the shipped model.
    let shipped = Triage::build_with(blocks, data, &[], recipe);
    score(&shipped, blocks, items, &outcomes)
}

fn score(t: &Triage, blocks: &Blocks, items: &[Labelled], outcomes: &[Outcome]) -> Report {
    let n = blocks.all().len();
    let mut confusion = vec![vec![0usize; n]; n];
    for (l, o) in items.iter().zip(outcomes) {
        confusion[l.block][o.block] += 1;
    }
    let correct: usize = (0..n).map(|i| confusion[i][i]).sum();
    let mut scores = Vec::new();
    let mut f1_sum = 0.0;
    let mut present = 0;
    for (i, b) in blocks.all().iter().enumerate() {
        let support: usize = confusion[i].iter().sum();
        let predicted: usize = confusion.iter().map(|r| r[i]).sum();
        let pr = Pr::new(
            confusion[i][i],
            predicted - confusion[i][i],
            support - confusion[i][i],
        );
        let f1 = pr.f1.unwrap_or(0.0);
        if support > 0 {
            f1_sum += f1;
            present += 1;
        }
        scores.push(BlockScore {
            block: b.id.clone(),
            name: b.name.clone(),
            support,
            precision: pr.precision,
            recall: pr.recall,
            f1,
        });
    }
    let urgent = Pr::count(
        items
            .iter()
            .zip(outcomes)
            .filter_map(|(l, o)| l.urgent.map(|u| (o.urgent, u))),
    );
    let conflict = Pr::count(
        items
            .iter()
            .zip(outcomes)
            .filter_map(|(l, o)| l.conflict.map(|c| (o.conflict, c))),
    );

    let mut settlement = SettlementScore::default();
    for (l, o) in items.iter().zip(outcomes) {
        if let Some(s) = &l.settlement {
            settlement.labelled += 1;
            if let Some(found) = &o.settlement {
                settlement.found += 1;
                if t.gazetteer().canonical(s).unwrap_or(s) == found {
                    settlement.correct += 1;
                }
            }
        }
    }

    let threshold = t.settings().classifier.threshold;
    let sure: Vec<(&Labelled, &Outcome)> = items
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| o.confidence >= threshold)
        .collect();
    let confident = ConfidentScore {
        threshold,
        coverage: sure.len() as f64 / items.len().max(1) as f64,
        accuracy: (!sure.is_empty()).then(|| {
            sure.iter().filter(|(l, o)| l.block == o.block).count() as f64 / sure.len() as f64
        }),
    };

    Report {
        appeals: items.len(),
        accuracy: correct as f64 / items.len().max(1) as f64,
        macro_f1: if present > 0 {
            f1_sum / f64::from(present)
        } else {
            0.0
        },
        blocks: scores,
        confusion,
        labels: blocks.all().iter().map(|b| b.id.clone()).collect(),
        urgent,
        conflict,
        duplicate_pairs: duplicate_pairs(t, blocks, items, outcomes),
        settlement,
        confident,
        baseline: None,
    }
}

/// One pair of a labelled file as the duplicate scorer sees it (`mcu eval --pairs-out`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    /// The later appeal's and the earlier appeal's ids in the file.
    pub a: String,
    pub b: String,
    /// Labelled as the same `dup_group`.
    pub duplicate: bool,
    /// [`super::duplicates::PairFeatures::vector`].
    pub features: Vec<f32>,
    pub score: f32,
}

/// Every pair the judge would look at (the earlier appeal inside the window, the settlements not
/// known to differ), with its features and label: for fitting and checking the pair scorer.
pub fn pair_rows(t: &Triage, blocks: &Blocks, items: &[Labelled]) -> Vec<PairRow> {
    let outcomes: Vec<Outcome> = items.iter().map(|l| outcome(t, l)).collect();
    let indexed = indexed_items(t, blocks, items, &outcomes);
    let window = t.settings().duplicates.window_days * 86_400;
    let mut out = Vec::new();
    for i in 0..indexed.len() {
        for j in 0..i {
            let (a, b) = (&indexed[i], &indexed[j]);
            let differ = matches!((&a.settlement, &b.settlement), (Some(x), Some(y)) if x != y);
            if differ || (a.at - b.at).abs() > window {
                continue;
            }
            let f = t.pair_features(a, b);
            out.push(PairRow {
                a: items[i].id.clone(),
                b: items[j].id.clone(),
                duplicate: items[i].dup_group.is_some() && items[i].dup_group == items[j].dup_group,
                features: f.vector().to_vec(),
                score: f.score(),
            });
        }
    }
    out
}

fn indexed_items(
    t: &Triage,
    blocks: &Blocks,
    items: &[Labelled],
    outcomes: &[Outcome],
) -> Vec<Indexed> {
    items
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(i, (l, o))| Indexed {
            id: i as i64,
            at: l.day.map_or(i as i64, |d| d * 86_400),
            settlement: l
                .settlement
                .as_deref()
                .map(|s| t.gazetteer().canonical(s).unwrap_or(s).to_string())
                .or_else(|| o.settlement.clone()),
            block: Some(blocks.all()[o.block].id.clone()),
            author: None,
            signature: t.signature(&l.text),
        })
        .collect()
}

/// Proposes duplicates in file order (each appeal against all earlier ones, all inside the
/// window) and scores the pairs that end up in one proposed group against the labelled groups.
fn duplicate_pairs(t: &Triage, blocks: &Blocks, items: &[Labelled], outcomes: &[Outcome]) -> Pr {
    let indexed = indexed_items(t, blocks, items, outcomes);
    let mut root: Vec<usize> = (0..items.len()).collect();
    for i in 0..indexed.len() {
        if let Some(link) = t.judge(&indexed[i], &indexed[..i]).duplicate_of {
            root[i] = root[link.id as usize];
        }
    }
    let mut pairs = Vec::new();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            let actual = items[i].dup_group.is_some() && items[i].dup_group == items[j].dup_group;
            pairs.push((root[i] == root[j], actual));
        }
    }
    Pr::count(pairs.into_iter())
}

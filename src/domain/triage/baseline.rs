//! The TF-IDF + logistic regression baseline `mcu eval` prints beside the model, in the same run
//! on the same appeals: word unigrams and bigrams of the folded text (no stems, no character
//! n-grams, no lexicon, no cues, no rules), TF-IDF weighted (smoothed idf, L2-normalised, as
//! scikit-learn's `TfidfVectorizer` does), one multinomial logistic regression for the block and a
//! binary one for each flag (raised at probability ≥ 0.5). Trained on what the model is trained
//! on: the seeds and the `train` part of the shipped corpus. What the model gains over it is what
//! its features and rules are worth.

use std::collections::HashMap;

use crate::domain::text::SearchNormalizer;
use crate::domain::{Blocks, Channel};

use super::TriageData;
use super::features::{Analysis, FeatureVec, hash};
use super::model::{Method, Model, Sample, TrainParams};

/// The trained baseline.
pub struct Baseline {
    normalizer: SearchNormalizer,
    /// Inverse document frequency of every term seen in training; unseen terms are dropped.
    idf: HashMap<u32, f32>,
    block: Model,
    urgent: Option<Model>,
    conflict: Option<Model>,
}

/// The hashed terms of a text: folded words and pairs of neighbouring words.
fn terms(a: &Analysis) -> Vec<u32> {
    let mut out: Vec<u32> = a.words.iter().map(|w| hash(b'w', &[w])).collect();
    out.extend(a.words.windows(2).map(|p| hash(b'p', &[&p[0], &p[1]])));
    out
}

/// The TF-IDF vector of hashed terms: raw counts × idf, L2-normalised; terms never seen in
/// training are dropped.
fn tfidf(idf: &HashMap<u32, f32>, terms: &[u32]) -> FeatureVec {
    let pairs: Vec<(u32, f32)> = terms
        .iter()
        .filter_map(|t| idf.get(t).map(|w| (*t, *w)))
        .collect();
    let v = FeatureVec::from_pairs(pairs);
    let norm = v.val.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        FeatureVec {
            idx: v.idx,
            val: v.val.iter().map(|x| x / norm).collect(),
        }
    } else {
        v
    }
}

fn params() -> TrainParams {
    TrainParams {
        method: Method::Logistic,
        epochs: 25,
        learning_rate: 0.5,
        l2: 1e-4,
        seed: 3,
        ..TrainParams::default()
    }
}

impl Baseline {
    /// Trains on the seeds and the corpus's `train` part.
    pub fn train(blocks: &Blocks, data: &TriageData) -> Self {
        let normalizer = SearchNormalizer::new();
        let block_ids: Vec<String> = blocks.all().iter().map(|b| b.id.clone()).collect();
        let examples: Vec<_> = data
            .seeds
            .iter()
            .chain(
                data.corpus
                    .iter()
                    .filter(|e| e.split.as_deref() == Some("train")),
            )
            .filter_map(|e| {
                let y = blocks
                    .resolve(&e.block)
                    .and_then(|b| block_ids.iter().position(|id| *id == b.id))?;
                Some((terms(&Analysis::new(&normalizer, &e.text)), y, e))
            })
            .collect();
        let mut df: HashMap<u32, usize> = HashMap::new();
        for (t, _, _) in &examples {
            let mut seen = t.clone();
            seen.sort_unstable();
            seen.dedup();
            for x in seen {
                *df.entry(x).or_default() += 1;
            }
        }
        let n = examples.len() as f32;
        let idf: HashMap<u32, f32> = df
            .into_iter()
            .map(|(t, d)| (t, ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0))
            .collect();
        let vectors: Vec<FeatureVec> = examples.iter().map(|(t, _, _)| tfidf(&idf, t)).collect();
        let block_samples: Vec<Sample> = examples
            .iter()
            .zip(&vectors)
            .map(|((_, y, _), x)| Sample {
                x: x.clone(),
                y: *y,
                weight: 1.0,
            })
            .collect();
        let block = Model::train(block_ids.len(), &block_samples, &params());
        let flag = |get: fn(&super::Example) -> Option<bool>| {
            let s: Vec<Sample> = examples
                .iter()
                .zip(&vectors)
                .filter_map(|((_, _, e), x)| {
                    get(e).map(|v| Sample {
                        x: x.clone(),
                        y: usize::from(v),
                        weight: 1.0,
                    })
                })
                .collect();
            let both = s.iter().any(|s| s.y == 1) && s.iter().any(|s| s.y == 0);
            both.then(|| Model::train(2, &s, &params()))
        };
        let urgent = flag(|e| e.urgent);
        let conflict = flag(|e| e.conflict);
        Self {
            normalizer,
            idf,
            block,
            urgent,
            conflict,
        }
    }

    /// The block id, urgent and conflict the baseline gives a text.
    pub fn predict(&self, text: &str, _channel: Option<Channel>) -> (usize, bool, bool) {
        let x = tfidf(&self.idf, &terms(&Analysis::new(&self.normalizer, text)));
        let p = self.block.predict(&x);
        let block = (0..p.len())
            .max_by(|a, b| p[*a].total_cmp(&p[*b]))
            .unwrap_or(0);
        let yes = |m: &Option<Model>| m.as_ref().is_some_and(|m| m.predict(&x)[1] >= 0.5);
        (block, yes(&self.urgent), yes(&self.conflict))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Reference;

    #[test]
    fn the_baseline_learns_the_blocks_and_flags_of_plain_texts() {
        let reference = Reference::embedded().expect("reference");
        let data = TriageData::embedded().expect("data");
        let b = Baseline::train(&reference.blocks, &data);
        let ids: Vec<&str> = reference
            .blocks
            .all()
            .iter()
            .map(|b| b.id.as_str())
            .collect();
        let (block, _, _) = b.predict("Прошу отремонтировать дорогу, ямы на асфальте", None);
        assert_eq!(ids[block], "roads");
        let (block, _, _) = b.predict("расписание автобуса до райцентра", None);
        assert_eq!(ids[block], "transport");
        // Unknown words only: a vector of nothing, still a block and no flag.
        let (_, u, c) = b.predict("qwxz zzqv", None);
        assert!(!u && !c);
    }

    #[test]
    fn tfidf_vectors_are_unit_length() {
        let reference = Reference::embedded().expect("reference");
        let data = TriageData::embedded().expect("data");
        let b = Baseline::train(&reference.blocks, &data);
        let a = Analysis::new(&b.normalizer, "нет воды второй день нет воды");
        let v = tfidf(&b.idf, &terms(&a));
        let norm: f32 = v.val.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    }
}

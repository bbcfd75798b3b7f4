//! Near-duplicate texts about the same problem, at scale.
//!
//! A text's [`Signature`] is the set of its distinctive content stems (hashed to 32 bits). The
//! index stores, per appeal, only its [`KEYS_PER_APPEAL`] keys: the bottom-k of its distinctive
//! stems under a fixed hash permutation (a bottom-k MinHash sketch). A new appeal probes the index
//! with all of its distinctive stems inside the time window, so a candidate is found when one of
//! the shared stems is in the candidate's sketch — for two paraphrases sharing four distinctive
//! stems that is almost always — and the cost of a probe depends on the window, not on the size of
//! the index. Candidates are then scored exactly: the cosine of the stem sets weighted by inverse
//! document frequency (rare words such as «канализационный», «мопед» weigh more than «улица»).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use super::features::Analysis;
use super::limits::MAX_SIGNATURE_STEMS;

/// Keys stored in the index per appeal.
pub const KEYS_PER_APPEAL: usize = 8;

/// A text's set of distinctive stems, hashed, sorted and unique.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    pub stems: Vec<u32>,
}

/// A hasher for keys that are already hashes or small integers (stem hashes, appeal ids): one
/// multiplication instead of SipHash. The duplicate scorer looks a stem's weight up for every
/// stem of every candidate, and SipHash was a seventh of a triage run (BENCHMARKS.md). The maps
/// are never iterated in an order that matters, and their keys are not chosen by an attacker
/// (stem hashes of the workspace's own texts, ids of its own appeals).
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// [`KeyHasher`] for maps and sets.
pub type KeyHash = BuildHasherDefault<KeyHasher>;
/// A map keyed by stem hashes or ids, hashed by [`KeyHasher`].
pub type KeyMap<K, V> = HashMap<K, V, KeyHash>;
/// A set of stem hashes or ids, hashed by [`KeyHasher`].
pub type KeySet<K> = HashSet<K, KeyHash>;

/// 32-bit FNV-1a of a stem.
pub fn stem_hash(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in s.as_bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The fixed permutation that orders stems for the bottom-k sketch.
fn permute(h: u32) -> u32 {
    let mut x = h ^ 0x9e37_79b9;
    x = (x ^ (x >> 16)).wrapping_mul(0x85eb_ca6b);
    x = (x ^ (x >> 13)).wrapping_mul(0xc2b2_ae35);
    x ^ (x >> 16)
}

impl Signature {
    /// The signature of an analysed text: at most [`MAX_SIGNATURE_STEMS`] stems, the first
    /// distinct ones of the text.
    pub fn new(a: &Analysis) -> Self {
        let mut seen = KeySet::default();
        let mut stems: Vec<u32> = a
            .content_stems()
            .filter(|s| s.chars().count() >= 3)
            .map(stem_hash)
            .filter(|h| seen.insert(*h))
            .take(MAX_SIGNATURE_STEMS)
            .collect();
        stems.sort_unstable();
        Self { stems }
    }

    /// The keys this appeal is stored under: the bottom-k of its distinctive stems.
    pub fn keys(&self, weights: &Weights) -> Vec<u32> {
        let mut d: Vec<u32> = self
            .stems
            .iter()
            .copied()
            .filter(|h| weights.distinctive(*h))
            .collect();
        d.sort_unstable_by_key(|h| permute(*h));
        d.truncate(KEYS_PER_APPEAL);
        d
    }

    /// The keys a new appeal probes the index with: all its distinctive stems.
    pub fn probes(&self, weights: &Weights) -> Vec<u32> {
        self.stems
            .iter()
            .copied()
            .filter(|h| weights.distinctive(*h))
            .collect()
    }

    /// Little-endian bytes, for storage.
    pub fn to_blob(&self) -> Vec<u8> {
        self.stems.iter().flat_map(|h| h.to_le_bytes()).collect()
    }

    /// Reads the stored bytes back.
    pub fn from_blob(b: &[u8]) -> Self {
        Self {
            stems: b
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        }
    }
}

/// Inverse document frequencies of stems, from the texts the model was trained on.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    idf: KeyMap<u32, f32>,
    /// The weight of a stem never seen (the rarest).
    unseen: f32,
    /// Stems at or below this weight are too common to be index keys.
    common: f32,
    /// Stems of settlement names: shared by every appeal of a village, so they say nothing about
    /// the problem; the duplicate scorer leaves them out (the settlement is compared on its own).
    places: KeySet<u32>,
}

/// What two appeals' texts share, for the duplicate scorer ([`Weights::evidence`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TextEvidence {
    /// IDF-weighted cosine of the stem sets, settlement names left out, 0..1.
    pub cosine: f32,
    /// Distinctive stems both texts have (settlement names left out).
    pub shared: u32,
    /// The sum of the IDF weights of the shared distinctive stems.
    pub shared_idf: f32,
}

impl Weights {
    /// Counts document frequencies over the signatures of a corpus.
    pub fn new<'a>(docs: impl Iterator<Item = &'a Signature>) -> Self {
        let mut df: KeyMap<u32, u32> = KeyMap::default();
        let mut n = 0u32;
        for d in docs {
            n += 1;
            for h in &d.stems {
                *df.entry(*h).or_default() += 1;
            }
        }
        let n = f64::from(n.max(1));
        let idf = |c: f64| ((n + 1.0) / (c + 0.5)).ln() as f32;
        Self {
            idf: df
                .into_iter()
                .map(|(h, c)| (h, idf(f64::from(c))))
                .collect(),
            unseen: idf(0.0),
            // A stem in more than one document in 25 is not distinctive.
            common: idf(n / 25.0),
            places: KeySet::default(),
        }
    }

    /// The stems marked as settlement names.
    pub fn places(&self) -> &KeySet<u32> {
        &self.places
    }

    /// The same weights, with these stems marked as settlement names.
    pub fn with_places(mut self, places: impl IntoIterator<Item = u32>) -> Self {
        self.places.extend(places);
        self
    }

    /// What two signatures share, settlement names left out (the gazetteer's, and `also`: the
    /// stems of the appeals' own settlement, which a workspace's gazetteer may not list).
    pub fn evidence(&self, a: &Signature, b: &Signature, also: &[u32]) -> TextEvidence {
        self.evidence_normed(a, self.text_norm(a, also), b, self.norms(b), also)
    }

    /// [`Weights::evidence`] with `a`'s norm given (`text_norm(a, also)`) and `b`'s
    /// [`StemNorms`]: the same figures, bit for bit, without weighing `a` again for every
    /// candidate.
    pub fn evidence_normed(
        &self,
        a: &Signature,
        a_norm: f32,
        b: &Signature,
        b_norms: StemNorms,
        also: &[u32],
    ) -> TextEvidence {
        let place = |h: &u32| self.places.contains(h) || also.contains(h);
        let (mut i, mut j) = (0, 0);
        let mut e = TextEvidence::default();
        let mut dot = 0.0f32;
        while i < a.stems.len() && j < b.stems.len() {
            match a.stems[i].cmp(&b.stems[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let h = a.stems[i];
                    if !place(&h) {
                        let w = self.weight(h);
                        dot += w * w;
                        if w > self.common {
                            e.shared += 1;
                            e.shared_idf += w;
                        }
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        if dot > 0.0 {
            // `b`'s norm without the gazetteer's places is `b_norms.text`; when `b` has one of
            // the `also` stems too, it is summed again without them (the same order of terms).
            let b_norm = if also
                .iter()
                .any(|h| !self.places.contains(h) && b.stems.binary_search(h).is_ok())
            {
                self.text_norm(b, also)
            } else {
                b_norms.text
            };
            e.cosine = dot / (a_norm * b_norm).sqrt();
        }
        e
    }

    /// The squared norms of a signature that [`Weights::cosine_normed`] and
    /// [`Weights::evidence_normed`] take: computed once per appeal.
    pub fn norms(&self, s: &Signature) -> StemNorms {
        StemNorms {
            all: self.norm(s),
            text: self.text_norm(s, &[]),
        }
    }

    /// The sum of the squared weights of all the stems.
    pub fn norm(&self, s: &Signature) -> f32 {
        s.stems.iter().map(|h| self.weight(*h).powi(2)).sum::<f32>()
    }

    /// The sum of the squared weights of the stems that are not settlement names (the
    /// gazetteer's or `also`).
    pub fn text_norm(&self, s: &Signature, also: &[u32]) -> f32 {
        s.stems
            .iter()
            .filter(|h| !(self.places.contains(h) || also.contains(h)))
            .map(|h| self.weight(*h).powi(2))
            .sum::<f32>()
    }

    /// The weight of one stem.
    pub fn weight(&self, h: u32) -> f32 {
        self.idf.get(&h).copied().unwrap_or(self.unseen)
    }

    /// True when the stem is rare enough to find duplicates by.
    pub fn distinctive(&self, h: u32) -> bool {
        self.weight(h) > self.common
    }

    /// IDF-weighted cosine of two stem sets, 0..1.
    pub fn cosine(&self, a: &Signature, b: &Signature) -> f32 {
        self.cosine_normed(a, self.norm(a), b, self.norm(b))
    }

    /// [`Weights::cosine`] with both norms given ([`Weights::norm`]): the same figure.
    pub fn cosine_normed(&self, a: &Signature, a_norm: f32, b: &Signature, b_norm: f32) -> f32 {
        let (mut i, mut j) = (0, 0);
        let mut dot = 0.0f32;
        while i < a.stems.len() && j < b.stems.len() {
            match a.stems[i].cmp(&b.stems[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += self.weight(a.stems[i]).powi(2);
                    i += 1;
                    j += 1;
                }
            }
        }
        if dot == 0.0 {
            return 0.0;
        }
        dot / (a_norm * b_norm).sqrt()
    }
}

/// The squared norms of one signature under [`Weights`], kept beside an indexed appeal so the
/// duplicate scorer weighs each candidate's stems once per run, not once per new appeal.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StemNorms {
    /// Over all the stems ([`Weights::norm`]).
    pub all: f32,
    /// Over the stems that are not the gazetteer's settlement names ([`Weights::text_norm`]).
    pub text: f32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::SearchNormalizer;

    fn sig(t: &str) -> Signature {
        Signature::new(&Analysis::new(&SearchNormalizer::new(), t))
    }

    #[test]
    fn paraphrases_score_higher_than_unrelated_texts() {
        let corpus = [
            sig("Яма на дороге у магазина"),
            sig("Нет света на улице"),
            sig("Автобус не пришёл"),
        ];
        let w = Weights::new(corpus.iter());
        let a = sig("В Юркино на Садовой прорвало водопровод, вода заливает дорогу");
        let b = sig("Садовая улица в Юркино: порыв водопровода, всё залито водой");
        let c = sig("В клубе Юркино сломались кресла");
        assert!(w.cosine(&a, &b) > w.cosine(&a, &c));
        assert!(w.cosine(&a, &a) > 0.99);
    }

    #[test]
    fn signatures_survive_storage() {
        let s = sig("Прорвало трубу на улице Мира");
        assert_eq!(Signature::from_blob(&s.to_blob()), s);
    }
}

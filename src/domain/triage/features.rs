//! What the classifier sees of an appeal: its words folded and stemmed (Snowball, via
//! [`SearchNormalizer`]), pairs of neighbouring stems, character n-grams of the stems, the lexicon's
//! hits per block, the channel and the source's own category — hashed into a fixed space of
//! [`DIM`] features, so no vocabulary has to be stored or grown.

use crate::domain::Channel;
use crate::domain::text::SearchNormalizer;

use super::lexicon::Lexicon;
use super::limits::{MAX_CHAR_NGRAMS, bounded_words};

/// Bits of the hashed feature space.
pub const DIM_BITS: u32 = 18;
/// Size of the hashed feature space.
pub const DIM: usize = 1 << DIM_BITS;

/// Function words that say nothing about the topic (folded, before stemming).
const STOP_WORDS: &[&str] = &[
    "а",
    "без",
    "бы",
    "был",
    "была",
    "были",
    "было",
    "быть",
    "в",
    "вам",
    "вас",
    "ваш",
    "вот",
    "во",
    "все",
    "всего",
    "всех",
    "вы",
    "где",
    "да",
    "даже",
    "для",
    "до",
    "его",
    "ее",
    "ей",
    "ему",
    "если",
    "есть",
    "еще",
    "же",
    "за",
    "здравствуйте",
    "и",
    "из",
    "или",
    "им",
    "их",
    "к",
    "как",
    "ко",
    "когда",
    "кто",
    "ли",
    "либо",
    "мне",
    "мы",
    "на",
    "над",
    "нам",
    "нас",
    "наш",
    "наша",
    "наше",
    "нашей",
    "наши",
    "наших",
    "не",
    "нет",
    "ни",
    "но",
    "о",
    "об",
    "он",
    "она",
    "они",
    "оно",
    "от",
    "по",
    "под",
    "при",
    "с",
    "со",
    "так",
    "также",
    "там",
    "то",
    "тоже",
    "только",
    "тут",
    "у",
    "уже",
    "что",
    "чтобы",
    "это",
    "этом",
    "эта",
    "эти",
    "этот",
    "я",
    "добрый",
    "день",
    "уважаемые",
    "пожалуйста",
    "очень",
    "можно",
    "будет",
    "нужно",
    "просто",
    "вообще",
];

/// True for a function word.
pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(&w)
}

/// A text read once for every part of triage: folded words and their stems, in order — of the
/// bounded part of the text only ([`super::limits`]).
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Lower-case, ё-folded words (letters and digits), in text order: at most
    /// [`super::limits::MAX_WORDS`], each at most [`super::limits::MAX_WORD_CHARS`] characters.
    pub words: Vec<String>,
    /// The Snowball stem of each word (same length as `words`).
    pub stems: Vec<String>,
}

impl Analysis {
    /// Splits and stems a text (its bounded part: [`bounded_words`]).
    pub fn new(normalizer: &SearchNormalizer, text: &str) -> Self {
        let words: Vec<String> = bounded_words(text).collect();
        let stems = words
            .iter()
            .map(|w| normalizer.stem_word(w).into_owned())
            .collect();
        Self { words, stems }
    }

    /// The content words themselves (folded, not stemmed).
    pub fn content_words(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .filter(|w| {
                w.chars().nth(1).is_some()
                    && !w.chars().all(|c| c.is_ascii_digit())
                    && !is_stop_word(w)
            })
            .map(String::as_str)
    }

    /// Stems of the content words: no function words, no numbers, no one-letter words.
    pub fn content_stems(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .zip(&self.stems)
            .filter(|(w, _)| {
                w.chars().nth(1).is_some()
                    && !w.chars().all(|c| c.is_ascii_digit())
                    && !is_stop_word(w)
            })
            .map(|(_, s)| s.as_str())
    }
}

/// Which features are used and how much each group weighs (the candidates measured in
/// `BENCHMARKS.md` differ here).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureOptions {
    /// Weight of the stem group (0 = off).
    pub stems: f32,
    /// Weight of the group of neighbouring stem pairs (0 = off).
    pub bigrams: f32,
    /// Weight of the character n-gram group (0 = off).
    pub char_ngrams: f32,
    /// Smallest and largest n of the character n-grams.
    pub ngram_range: (usize, usize),
    /// Character n-grams of the whole folded words (true) or of their stems (false).
    pub ngrams_of_words: bool,
    /// Weight of the lexicon hits (one feature per block).
    pub lexicon: f32,
    /// Weight of the channel feature.
    pub channel: f32,
    /// Weight of the source-category features.
    pub category: f32,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        Self {
            stems: 1.0,
            bigrams: 0.5,
            char_ngrams: 1.0,
            ngram_range: (3, 5),
            ngrams_of_words: false,
            // 0.3 until the 1,500-appeal corpus; 0.6 chose on its validation part (0.833 → 0.841).
            lexicon: 0.6,
            channel: 0.2,
            category: 1.0,
        }
    }
}

/// A sparse feature vector: sorted, unique indexes and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl FeatureVec {
    /// Builds from unsorted (index, value) pairs, adding the values of repeated indexes.
    pub(crate) fn from_pairs(mut pairs: Vec<(u32, f32)>) -> Self {
        pairs.sort_unstable_by_key(|p| p.0);
        let mut idx: Vec<u32> = Vec::with_capacity(pairs.len());
        let mut val: Vec<f32> = Vec::with_capacity(pairs.len());
        for (i, v) in pairs {
            if idx.last() == Some(&i) {
                if let Some(last) = val.last_mut() {
                    *last += v;
                }
            } else {
                idx.push(i);
                val.push(v);
            }
        }
        Self { idx, val }
    }

    /// Number of non-zero features.
    pub fn len(&self) -> usize {
        self.idx.len()
    }

    /// True when there is no feature at all.
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }
}

/// FNV-1a over a namespace byte and a string: the feature's index.
pub(crate) fn hash(ns: u8, parts: &[&str]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    eat(ns);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            eat(b' ');
        }
        for &b in p.as_bytes() {
            eat(b);
        }
    }
    // Fold the high bits in: FNV's low bits alone are weak.
    ((h ^ (h >> 29) ^ (h >> 47)) as u32) & (DIM as u32 - 1)
}

/// Adds one group of binary features, scaled to unit length times the group weight.
fn push_group(out: &mut Vec<(u32, f32)>, mut group: Vec<u32>, weight: f32) {
    if weight <= 0.0 || group.is_empty() {
        return;
    }
    group.sort_unstable();
    group.dedup();
    let v = weight / (group.len() as f32).sqrt();
    out.extend(group.into_iter().map(|i| (i, v)));
}

/// Turns analysed texts into feature vectors.
#[derive(Debug, Clone)]
pub struct Featurizer {
    pub options: FeatureOptions,
}

impl Featurizer {
    /// A featurizer with these options.
    pub fn new(options: FeatureOptions) -> Self {
        Self { options }
    }

    /// The features of one appeal. `lexicon_hits` are the lexicon's hits per block for its text
    /// (and category), `category` the source's own category, if any.
    pub fn features(
        &self,
        text: &Analysis,
        lexicon: &Lexicon,
        channel: Option<Channel>,
        category: Option<&Analysis>,
    ) -> FeatureVec {
        let o = &self.options;
        let content: Vec<&str> = text.content_stems().collect();
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(content.len() * 8);

        push_group(
            &mut out,
            content.iter().map(|s| hash(b'w', &[s])).collect(),
            o.stems,
        );
        if o.bigrams > 0.0 {
            push_group(
                &mut out,
                content
                    .windows(2)
                    .map(|p| hash(b'b', &[p[0], p[1]]))
                    .collect(),
                o.bigrams,
            );
        }
        if o.char_ngrams > 0.0 {
            let (lo, hi) = o.ngram_range;
            let mut grams = Vec::with_capacity(content.len() * 6);
            let mut buf: Vec<char> = Vec::with_capacity(32);
            let mut s = String::with_capacity(32);
            let sources: Vec<&str> = if o.ngrams_of_words {
                text.content_words().collect()
            } else {
                content.clone()
            };
            // At most MAX_CHAR_NGRAMS, the first ones of the text.
            'sources: for stem in &sources {
                buf.clear();
                buf.push('<');
                buf.extend(stem.chars());
                buf.push('>');
                for n in lo..=hi {
                    if buf.len() < n {
                        break;
                    }
                    for w in buf.windows(n) {
                        if grams.len() >= MAX_CHAR_NGRAMS {
                            break 'sources;
                        }
                        s.clear();
                        s.extend(w.iter());
                        grams.push(hash(b'c', &[&s]));
                    }
                }
            }
            push_group(&mut out, grams, o.char_ngrams);
        }
        if o.lexicon > 0.0 {
            let mut hits = lexicon.hits(&content);
            if let Some(cat) = category {
                let cat_stems: Vec<&str> = cat.content_stems().collect();
                for (h, c) in hits.iter_mut().zip(lexicon.hits(&cat_stems)) {
                    *h += 2.0 * c;
                }
            }
            let total: f32 = hits.iter().sum();
            if total > 0.0 {
                for (b, h) in hits.iter().enumerate() {
                    if *h > 0.0 {
                        // Share of the hits, so a long text with one stray keyword weighs little.
                        let v = o.lexicon * (h / total) * (1.0 + h).ln().min(2.0);
                        out.push((hash(b'l', &[&b.to_string()]), v));
                    }
                }
            }
        }
        if o.channel > 0.0
            && let Some(c) = channel
        {
            out.push((hash(b'h', &[c.id()]), o.channel));
        }
        if o.category > 0.0
            && let Some(cat) = category
        {
            push_group(
                &mut out,
                cat.content_stems().map(|s| hash(b'k', &[s])).collect(),
                o.category,
            );
        }
        FeatureVec::from_pairs(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Blocks;

    #[test]
    fn word_forms_give_the_same_stem_features() {
        let n = SearchNormalizer::new();
        let lex = Lexicon::new(&Blocks::from_toml(crate::reference::EMBEDDED_BLOCKS).expect("ok"));
        let f = Featurizer::new(FeatureOptions {
            char_ngrams: 0.0,
            bigrams: 0.0,
            lexicon: 0.0,
            ..FeatureOptions::default()
        });
        let a = f.features(&Analysis::new(&n, "Ямы на дороге"), &lex, None, None);
        let b = f.features(&Analysis::new(&n, "яма на дорогах"), &lex, None, None);
        assert_eq!(a, b);
    }

    #[test]
    fn content_stems_drop_function_words_and_numbers() {
        let n = SearchNormalizer::new();
        let a = Analysis::new(&n, "Нет света на улице уже 3 дня");
        let c: Vec<&str> = a.content_stems().collect();
        assert_eq!(c, vec!["свет", "улиц", "дня"]);
    }
}

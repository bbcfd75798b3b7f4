//! The keyword lexicon of the blocks (`keywords` in `data/blocks.toml`), matched on Snowball stems.
//!
//! A keyword is one stem (`ям`, `котельн`) or two stems separated by a space (`детск сад`,
//! `школьн автобус`), matched against consecutive words. A stem matches a word whose stem equals
//! it, or — when the keyword stem has at least [`PREFIX_MIN_CHARS`] letters — starts with it, so
//! `канализац` also matches «канализационный» while `вод` does not match «водитель». A keyword
//! ending in `$` matches only exactly (`участк$` must not match «участковый»).

use std::collections::HashMap;

use crate::domain::Blocks;

/// A keyword stem this long or longer also matches longer stems that start with it.
pub const PREFIX_MIN_CHARS: usize = 4;

/// One stem of a keyword, with how it matches.
#[derive(Debug, Clone)]
struct Part {
    stem: String,
    prefix: bool,
}

impl Part {
    fn new(s: &str) -> Self {
        match s.strip_suffix('$') {
            Some(exact) => Self {
                stem: exact.to_string(),
                prefix: false,
            },
            None => Self {
                stem: s.to_string(),
                prefix: s.chars().count() >= PREFIX_MIN_CHARS,
            },
        }
    }

    fn matches(&self, stem: &str) -> bool {
        if self.prefix {
            stem.starts_with(&self.stem)
        } else {
            stem == self.stem
        }
    }
}

/// A keyword of one block.
#[derive(Debug, Clone)]
struct Keyword {
    block: usize,
    first: Part,
    second: Option<Part>,
}

/// The compiled lexicon: keywords indexed by the first letters of their first stem.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// The first up to [`PREFIX_MIN_CHARS`] characters of the first stem → keywords.
    index: HashMap<String, Vec<Keyword>>,
    blocks: usize,
}

fn head(s: &str) -> &str {
    match s.char_indices().nth(PREFIX_MIN_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl Lexicon {
    /// Compiles the keywords of the blocks in force; block indexes follow `blocks.all()`.
    pub fn new(blocks: &Blocks) -> Self {
        let mut index: HashMap<String, Vec<Keyword>> = HashMap::new();
        for (bi, b) in blocks.all().iter().enumerate() {
            for k in &b.keywords {
                let folded = crate::domain::text::fold(k);
                let mut parts = folded.split(' ').filter(|p| !p.is_empty());
                let Some(first) = parts.next() else { continue };
                let index_key = head(first.trim_end_matches('$')).to_string();
                let kw = Keyword {
                    block: bi,
                    first: Part::new(first),
                    second: parts.next().map(Part::new),
                };
                index.entry(index_key).or_default().push(kw);
            }
        }
        Self {
            index,
            blocks: blocks.all().len(),
        }
    }

    /// The number of blocks the lexicon was built for.
    pub fn blocks(&self) -> usize {
        self.blocks
    }

    /// Calls `hit(block, two_word)` for every keyword matched by the stems (in text order).
    pub fn for_each_hit(&self, stems: &[&str], mut hit: impl FnMut(usize, bool)) {
        for (i, s) in stems.iter().enumerate() {
            let Some(cands) = self.index.get(head(s)) else {
                continue;
            };
            for k in cands {
                if !k.first.matches(s) {
                    continue;
                }
                match &k.second {
                    None => hit(k.block, false),
                    Some(second) => {
                        if stems.get(i + 1).is_some_and(|n| second.matches(n)) {
                            hit(k.block, true)
                        }
                    }
                }
            }
        }
    }

    /// Keyword hits per block; a two-word keyword counts double (it is more specific).
    pub fn hits(&self, stems: &[&str]) -> Vec<f32> {
        let mut out = vec![0.0; self.blocks];
        self.for_each_hit(stems, |b, two| out[b] += if two { 2.0 } else { 1.0 });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> Blocks {
        Blocks::from_toml(
            r#"
[[block]]
id = "housing"
name = "ЖКХ"
keywords = ["вод", "канализац"]
[[block]]
id = "transport"
name = "Транспорт"
keywords = ["водител", "автобус"]
[[block]]
id = "education"
name = "Образование"
keywords = ["школьн автобус"]
"#,
        )
        .expect("valid")
    }

    #[test]
    fn short_stems_match_exactly_and_long_ones_as_prefixes() {
        let lex = Lexicon::new(&blocks());
        assert_eq!(lex.hits(&["водител"]), vec![0.0, 1.0, 0.0]);
        assert_eq!(lex.hits(&["вод"]), vec![1.0, 0.0, 0.0]);
        assert_eq!(lex.hits(&["канализацион"]), vec![1.0, 0.0, 0.0]);
    }

    #[test]
    fn two_word_keywords_match_consecutive_stems_and_count_double() {
        let lex = Lexicon::new(&blocks());
        assert_eq!(lex.hits(&["школьн", "автобус"]), vec![0.0, 1.0, 2.0]);
        assert_eq!(lex.hits(&["автобус", "школьн"]), vec![0.0, 1.0, 0.0]);
    }
}

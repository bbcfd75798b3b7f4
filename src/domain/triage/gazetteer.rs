//! Settlements named in a text, from `data/settlements.toml`: each settlement with its inflected
//! and adjective forms («в Юркино», «Арде», «из Кумьи», «в Визимьярах», «юксарские»), matched on
//! folded words; a form of seven letters or more also matches a word one typo away
//! («визимяры», «килимары»).

use std::collections::HashMap;

use serde::Deserialize;

use crate::domain::text::{fold, words};

/// The shipped settlement list.
pub const EMBEDDED: &str = include_str!("../../../data/settlements.toml");

/// Forms this long (in letters) or longer also match a word with one typo.
const FUZZY_MIN_CHARS: usize = 7;

/// One settlement of the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Settlement {
    /// The official name, as stored and shown (`с. Арда`).
    pub name: String,
    /// Lower-case forms found in texts; a form may be two or three words («красном мосту»).
    #[serde(default)]
    pub forms: Vec<String>,
    /// The administrative centre: named in many texts as a destination («автобус до Килемар»),
    /// so another settlement named in the same text wins.
    #[serde(default)]
    pub center: bool,
}

#[derive(Deserialize)]
struct File {
    settlement: Vec<Settlement>,
}

/// A problem in a settlements file.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("settlements: {0}")]
    Parse(#[from] toml::de::Error),
}

/// The compiled gazetteer.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    list: Vec<Settlement>,
    /// First word of a form → (all words of the form, settlement index).
    by_first: HashMap<String, Vec<(Vec<String>, usize)>>,
    /// A one-letter deletion of a long one-word form → settlement indexes.
    deletions: HashMap<String, Vec<usize>>,
    /// The longest word a fuzzy match is tried for: the longest one-word form plus one letter.
    fuzzy_max_chars: usize,
    /// A settlement's folded name → its index (the first of equal names).
    by_name: HashMap<String, usize>,
}

fn deletions(w: &str) -> Vec<String> {
    let chars: Vec<char> = w.chars().collect();
    (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}

impl Gazetteer {
    /// Parses a settlements file: `[[settlement]] name = "с. Арда" forms = ["арда", "арде", …]`.
    pub fn from_toml(src: &str) -> Result<Self, GazetteerError> {
        let file: File = toml::from_str(src)?;
        Ok(Self::new(file.settlement))
    }

    /// Compiles a list of settlements.
    pub fn new(list: Vec<Settlement>) -> Self {
        let mut by_first: HashMap<String, Vec<(Vec<String>, usize)>> = HashMap::new();
        let mut dels: HashMap<String, Vec<usize>> = HashMap::new();
        let mut fuzzy_max_chars = 0;
        for (i, s) in list.iter().enumerate() {
            for f in &s.forms {
                let ws: Vec<String> = words(&fold(f)).collect();
                let Some(first) = ws.first().cloned() else {
                    continue;
                };
                if ws.len() == 1 && first.chars().count() >= FUZZY_MIN_CHARS {
                    fuzzy_max_chars = fuzzy_max_chars.max(first.chars().count() + 1);
                    for d in deletions(&first) {
                        let e = dels.entry(d).or_default();
                        if !e.contains(&i) {
                            e.push(i);
                        }
                    }
                }
                by_first.entry(first).or_default().push((ws, i));
            }
        }
        let mut by_name = HashMap::new();
        for (i, s) in list.iter().enumerate() {
            by_name.entry(fold(&s.name)).or_insert(i);
        }
        Self {
            list,
            by_first,
            deletions: dels,
            fuzzy_max_chars,
            by_name,
        }
    }

    /// All settlements, in the file's order.
    pub fn all(&self) -> &[Settlement] {
        &self.list
    }

    /// Finds the canonical name for what a source wrote in its settlement column
    /// («Юксары», «с.Юксары», «юксары»), if it names a known settlement.
    pub fn canonical(&self, s: &str) -> Option<&str> {
        let f = fold(s);
        if let Some(&i) = self.by_name.get(&f) {
            return Some(&self.list[i].name);
        }
        let ws: Vec<String> = super::limits::bounded_words(&f).collect();
        self.find_in_words(&ws).map(|i| self.list[i].name.as_str())
    }

    /// The settlement a text is about: the one named most often, the first named on a tie; the
    /// administrative centre only when no other settlement is named.
    pub fn find(&self, folded_words: &[String]) -> Option<&str> {
        self.find_in_words(folded_words)
            .map(|i| self.list[i].name.as_str())
    }

    /// The settlement of the first one-letter deletion of `w` that is a deletion of a form (the
    /// order of [`deletions`]), built in `buf` instead of a string each.
    fn first_deletion_hit(&self, w: &str, buf: &mut String) -> Option<usize> {
        for (skip, _) in w.char_indices() {
            buf.clear();
            buf.push_str(&w[..skip]);
            let next = w[skip..].chars().next().map_or(0, char::len_utf8);
            buf.push_str(&w[skip + next..]);
            if let Some(i) = self
                .deletions
                .get(buf.as_str())
                .and_then(|v| v.first().copied())
            {
                return Some(i);
            }
        }
        None
    }

    fn find_in_words(&self, ws: &[String]) -> Option<usize> {
        // (settlement, count, first position)
        let mut seen: Vec<(usize, usize, usize)> = Vec::new();
        let mut note = |i: usize, pos: usize| match seen.iter_mut().find(|s| s.0 == i) {
            Some(s) => s.1 += 1,
            None => seen.push((i, 1, pos)),
        };
        // One buffer for the one-letter deletions of every word tried.
        let mut deleted = String::new();
        let mut p = 0;
        while p < ws.len() {
            let mut matched = 0;
            if let Some(cands) = self.by_first.get(&ws[p]) {
                // The longest form wins («красном мосту» over a one-word form).
                let best = cands
                    .iter()
                    .filter(|(form, _)| {
                        form.len() <= ws.len() - p && form.iter().zip(&ws[p..]).all(|(a, b)| a == b)
                    })
                    .max_by_key(|(form, _)| form.len());
                if let Some((form, i)) = best {
                    note(*i, p);
                    matched = form.len();
                }
            }
            // Fuzzy only for word lengths a form can have: a longer word has no one-letter typo
            // of a form, and its deletions would cost the square of its length.
            let len = ws[p].chars().count();
            if matched == 0 && len + 1 >= FUZZY_MIN_CHARS && len <= self.fuzzy_max_chars {
                let w = &ws[p];
                let mut hit = self
                    .deletions
                    .get(w.as_str())
                    .and_then(|v| v.first().copied());
                if hit.is_none() {
                    hit = self.first_deletion_hit(w, &mut deleted);
                }
                if let Some(i) = hit {
                    note(i, p);
                    matched = 1;
                }
            }
            p += matched.max(1);
        }
        let best = |centre: bool| {
            seen.iter()
                .filter(|s| self.list[s.0].center == centre)
                .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
                .map(|s| s.0)
        };
        best(false).or_else(|| best(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> Gazetteer {
        Gazetteer::from_toml(EMBEDDED).expect("the shipped settlements parse")
    }

    fn find(t: &str) -> Option<String> {
        let ws: Vec<String> = words(t).collect();
        g().find(&ws).map(str::to_string)
    }

    #[test]
    fn inflected_forms_are_found() {
        assert_eq!(find("Яма на дороге в Юркино").as_deref(), Some("с. Юркино"));
        assert_eq!(find("В Арде опять нет света").as_deref(), Some("с. Арда"));
        assert_eq!(
            find("автобус из Кумьи не пришёл").as_deref(),
            Some("д. Кумья")
        );
        assert_eq!(
            find("в Визимьярах прорвало трубу").as_deref(),
            Some("п. Визимьяры")
        );
        assert_eq!(
            find("юксарские дети ездят в школу").as_deref(),
            Some("с. Юксары")
        );
        assert_eq!(
            find("дорога на Красном Мосту").as_deref(),
            Some("п. Красный Мост")
        );
    }

    #[test]
    fn a_typo_in_a_long_name_is_forgiven() {
        assert_eq!(find("в визимярах колодец").as_deref(), Some("п. Визимьяры"));
    }

    #[test]
    fn the_centre_yields_to_a_village_named_with_it() {
        assert_eq!(
            find("Автобус из Килемар до Юксар опять не пришёл").as_deref(),
            Some("с. Юксары")
        );
        assert_eq!(
            find("в Килемарах нет света").as_deref(),
            Some("пгт Килемары")
        );
    }

    #[test]
    fn a_text_naming_no_settlement_gives_none() {
        assert_eq!(find("Спасибо за хорошую работу"), None);
    }

    #[test]
    fn source_columns_resolve_to_the_canonical_name() {
        assert_eq!(g().canonical("Юксары"), Some("с. Юксары"));
        assert_eq!(g().canonical("с. Арда"), Some("с. Арда"));
        assert_eq!(g().canonical("Москва"), None);
    }

    #[test]
    fn deletions_in_a_buffer_find_what_the_list_of_deletions_finds() {
        let g = g();
        // Every form with one letter doubled, dropped or replaced, and some unrelated words.
        let mut words: Vec<String> =
            vec!["дорога".into(), "ёлка".into(), "x".into(), String::new()];
        for s in g.all() {
            for f in &s.forms {
                let chars: Vec<char> = fold(f).chars().collect();
                for i in 0..chars.len() {
                    let mut doubled = chars.clone();
                    doubled.insert(i, chars[i]);
                    let mut replaced = chars.clone();
                    replaced[i] = 'ъ';
                    words.push(doubled.into_iter().collect());
                    words.push(replaced.into_iter().collect());
                }
            }
        }
        let mut buf = String::new();
        let mut hits = 0;
        for w in &words {
            let listed = deletions(w)
                .iter()
                .find_map(|d| g.deletions.get(d).and_then(|v| v.first().copied()));
            assert_eq!(g.first_deletion_hit(w, &mut buf), listed, "{w}");
            hits += usize::from(listed.is_some());
        }
        assert!(hits > 100, "the variants must hit forms: {hits}");
    }
}

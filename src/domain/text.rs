//! Text folding and the normalised, stemmed form used for search.
//!
//! SQLite's `lower()` and FTS5's `unicode61` neither fold Cyrillic case reliably nor fold ё to е,
//! so mcu keeps its own normalised copy of every text: NFC, lower-case, ё→е, Snowball stems,
//! without the Russian function words (prepositions, conjunctions, particles, pronouns) that
//! make a fifth of a text and find nothing on their own.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// `char::is_alphabetic`, without Unicode's table lookup for the letters appeals are written in
/// (Latin, Russian): the same answer for every character.
#[inline]
pub fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, 'А'..='я' | 'ё' | 'Ё')
        || (!c.is_ascii() && c.is_alphabetic())
}

/// `char::is_alphanumeric`, with the fast path of [`is_letter`]: the same answer for every
/// character.
#[inline]
pub fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, 'А'..='я' | 'ё' | 'Ё')
        || (!c.is_ascii() && c.is_alphanumeric())
}

/// Folds a string for comparisons: NFC, lower-case, ё→е, inner whitespace collapsed, trimmed.
/// Used for header names, status words, recipient and settlement names.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfc() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for l in c.to_lowercase() {
            out.push(if l == 'ё' { 'е' } else { l });
        }
    }
    out
}

/// Splits text into lower-case, ё-folded words (letters and digits).
pub fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !is_letter_or_digit(c))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .flat_map(char::to_lowercase)
                .map(|c| if c == 'ё' { 'е' } else { c })
                .collect::<String>()
        })
}

/// How many distinct words a [`StemCache`] remembers before it starts afresh (a few MiB).
const STEM_CACHE_WORDS: usize = 100_000;

/// Stems of words already met, for [`SearchNormalizer::normalize_cached`]. Bounded: when full it
/// forgets everything and fills again.
#[derive(Debug, Default)]
pub struct StemCache {
    stems: std::collections::HashMap<String, String>,
}

/// A Russian function word, left out of the search form (and so out of queries): a fifth of the
/// words of an appeal, in nearly every one of them, so they neither narrow a search nor belong
/// in the index. Folded forms (lower case, ё as е).
pub fn is_stop_word(w: &str) -> bool {
    matches!(
        w,
        "а" | "б"
            | "без"
            | "бы"
            | "в"
            | "вам"
            | "вас"
            | "ваш"
            | "ваша"
            | "ваше"
            | "ваши"
            | "ведь"
            | "во"
            | "вот"
            | "вы"
            | "где"
            | "до"
            | "его"
            | "ее"
            | "ей"
            | "ему"
            | "еще"
            | "же"
            | "за"
            | "и"
            | "из"
            | "изо"
            | "или"
            | "им"
            | "их"
            | "к"
            | "как"
            | "ко"
            | "когда"
            | "которая"
            | "которое"
            | "которые"
            | "который"
            | "которых"
            | "ли"
            | "между"
            | "мне"
            | "меня"
            | "мы"
            | "на"
            | "над"
            | "нам"
            | "нас"
            | "наш"
            | "наша"
            | "наше"
            | "наши"
            | "не"
            | "но"
            | "о"
            | "об"
            | "обо"
            | "он"
            | "она"
            | "они"
            | "оно"
            | "от"
            | "перед"
            | "по"
            | "под"
            | "после"
            | "при"
            | "про"
            | "с"
            | "свои"
            | "свой"
            | "своя"
            | "со"
            | "так"
            | "также"
            | "там"
            | "те"
            | "тех"
            | "то"
            | "той"
            | "том"
            | "тоже"
            | "только"
            | "тот"
            | "тут"
            | "у"
            | "уж"
            | "уже"
            | "чем"
            | "через"
            | "что"
            | "чтобы"
            | "эта"
            | "эти"
            | "этих"
            | "это"
            | "этой"
            | "этом"
            | "этот"
            | "я"
    )
}

/// Snowball stemmers for the two scripts a Russian appeal mixes.
pub struct SearchNormalizer {
    russian: Stemmer,
    english: Stemmer,
}

impl Default for SearchNormalizer {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchNormalizer {
    /// Builds the stemmers (cheap; keep one per thread and reuse it).
    pub fn new() -> Self {
        Self {
            russian: Stemmer::create(Algorithm::Russian),
            english: Stemmer::create(Algorithm::English),
        }
    }

    /// Stems one already folded word: Cyrillic words with the Russian stemmer, Latin with English,
    /// numbers and mixed tokens unchanged.
    pub fn stem_word<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        let cyr = word.chars().any(|c| ('а'..='я').contains(&c));
        let lat = word.chars().any(|c| c.is_ascii_lowercase());
        match (cyr, lat) {
            (true, false) => self.russian.stem(word),
            (false, true) => self.english.stem(word),
            _ => std::borrow::Cow::Borrowed(word),
        }
    }

    /// The search form of a text: its words folded and stemmed, separated by single spaces.
    /// «Ямы на дороге» and «яма на дорогах» give the same stems.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.normalize_into(text, &mut out);
        out
    }

    /// [`normalize`](Self::normalize) into a buffer (cleared first), for callers that reuse one.
    ///
    /// The same result as stemming each of [`words`] with [`stem_word`](Self::stem_word), without
    /// allocating a string per word, and with fast paths for ASCII and the Russian alphabet (the
    /// general Unicode tables are only consulted for other characters).
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        self.normalize_with(text, out, None);
    }

    /// [`normalize_into`](Self::normalize_into) remembering the stems of the words it meets in
    /// `cache`, so that a long import stems each distinct word once (the same output).
    pub fn normalize_cached(&self, text: &str, out: &mut String, cache: &mut StemCache) {
        self.normalize_with(text, out, Some(cache));
    }

    fn normalize_with(&self, text: &str, out: &mut String, mut cache: Option<&mut StemCache>) {
        out.clear();
        let mut word = String::with_capacity(64);
        // Which scripts the folded word holds decides the stemmer (see `stem_word`).
        let (mut cyr, mut lat) = (false, false);
        let mut flush = |word: &mut String, cyr: &mut bool, lat: &mut bool| {
            if word.is_empty() {
                return;
            }
            if *cyr && !*lat && is_stop_word(word) {
                word.clear();
                *cyr = false;
                return;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            let (c, l) = (*cyr, *lat);
            *cyr = false;
            *lat = false;
            let stemmer = match (c, l) {
                (true, false) => &self.russian,
                (false, true) => &self.english,
                _ => {
                    out.push_str(word);
                    word.clear();
                    return;
                }
            };
            // The word alone decides its stemmer, so a stem remembered by word is always right.
            match cache.as_deref_mut() {
                Some(c) => match c.stems.get(word.as_str()) {
                    Some(stem) => out.push_str(stem),
                    None => {
                        let stem = stemmer.stem(word).into_owned();
                        out.push_str(&stem);
                        if c.stems.len() >= STEM_CACHE_WORDS {
                            c.stems.clear();
                        }
                        c.stems.insert(word.clone(), stem);
                    }
                },
                None => out.push_str(&stemmer.stem(word)),
            }
            word.clear();
        };
        for c in text.chars() {
            let code = u32::from(c);
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    let l = c.to_ascii_lowercase();
                    lat |= l.is_ascii_lowercase();
                    word.push(l);
                } else {
                    flush(&mut word, &mut cyr, &mut lat);
                }
            } else if (0x410..=0x44F).contains(&code) || code == 0x401 || code == 0x451 {
                // А–Я, а–я, Ё, ё: letters whose lower case is one letter of а–я once ё is е.
                let l = match code {
                    0x410..=0x42F => char::from_u32(code + 0x20).unwrap_or(c),
                    0x401 | 0x451 => 'е',
                    _ => c,
                };
                cyr = true;
                word.push(l);
            } else if is_letter_or_digit(c) {
                for l in c.to_lowercase() {
                    let l = if l == 'ё' { 'е' } else { l };
                    cyr |= ('а'..='я').contains(&l);
                    lat |= l.is_ascii_lowercase();
                    word.push(l);
                }
            } else {
                flush(&mut word, &mut cyr, &mut lat);
            }
        }
        flush(&mut word, &mut cyr, &mut lat);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fast_letter_tests_answer_as_unicode_does_for_every_character() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(super::is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(super::is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    use super::*;

    #[test]
    fn fold_lowercases_cyrillic_and_folds_yo() {
        assert_eq!(fold("  Населённый   ПУНКТ "), "населенный пункт");
    }

    #[test]
    fn word_forms_share_a_stem() {
        let n = SearchNormalizer::new();
        assert_eq!(n.normalize("ямы"), n.normalize("яма"));
        assert_eq!(n.normalize("Ямой"), n.normalize("яму"));
        assert_eq!(n.normalize("дорогах"), n.normalize("дороги"));
    }

    #[test]
    fn normalize_matches_stemming_each_word() {
        let n = SearchNormalizer::new();
        let texts = [
            "Ямы на ДОРОГЕ, ёлки-палки! Ёжик и ЁЖИК",
            "Voda net 3 дня; WiFi в школе №5 не работает 😡",
            "İstanbul Straße ǅemal ΣΟΦΙΑ ﬁx ½ café naïve",
            "смешанные слова: пгт2 abcд кириллицаlatin Ⅻ ²",
            "",
            "   ,,, ",
        ];
        let mut cache = StemCache::default();
        let mut cached = String::new();
        for t in texts.iter().chain(&texts) {
            let want: Vec<String> = words(t)
                .filter(|w| !is_stop_word(w))
                .map(|w| n.stem_word(&w).into_owned())
                .collect();
            assert_eq!(n.normalize(t), want.join(" "), "{t}");
            n.normalize_cached(t, &mut cached, &mut cache);
            assert_eq!(cached, want.join(" "), "{t}");
        }
    }

    #[test]
    fn function_words_are_left_out() {
        let n = SearchNormalizer::new();
        assert_eq!(
            n.normalize("Не работает свет в школе и на улице"),
            n.normalize("работает свет школе улице")
        );
        assert_eq!(n.normalize("в на и по"), "");
        // Only as whole Russian words: a Latin "a" or a word that starts like one stays.
        assert_eq!(n.normalize("a"), "a");
        assert!(n.normalize("навес").starts_with("навес"));
    }

    #[test]
    fn normalize_keeps_numbers_and_drops_punctuation() {
        let n = SearchNormalizer::new();
        assert_eq!(n.normalize("дом 15, кв. 3!"), "дом 15 кв 3");
    }
}

//! The bounds on what triage reads of one appeal. Every per-text structure — words, stems, pairs,
//! character n-grams, the similarity signature, the detectors' word positions, the gazetteer's
//! fuzzy lookups — is built from the [`considered`] part of the text and the bounded words of
//! [`bounded_words`], so the work and memory of triaging one appeal have a fixed ceiling whatever a
//! citizen sends (a 200,000-letter «word», a megabyte of text): one appeal can never stall the
//! queue of the others.
//!
//! The bounds are far above real appeals (a long letter is a few thousand characters, the longest
//! Russian words about 35 letters), so they change nothing for them.

use crate::domain::text::words;

/// Characters of a text triage reads: the beginning, where an appeal states its problem.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Words of a text triage reads (a text of one-letter words reaches this before the length).
pub const MAX_WORDS: usize = 3_000;
/// Characters kept of one word: a longer «word» (a URL, letters held down) is cut to this.
pub const MAX_WORD_CHARS: usize = 40;
/// Character n-grams generated for one text, before duplicates are merged.
pub const MAX_CHAR_NGRAMS: usize = 16_384;
/// Distinct stems kept in a text's similarity signature (the first ones met in the text).
pub const MAX_SIGNATURE_STEMS: usize = 512;

/// The most features one appeal's vector can have with `blocks` blocks: its stems, stem pairs and
/// category stems (at most [`MAX_WORDS`] each), its character n-grams, a lexicon feature per block
/// and the channel.
pub const fn max_features(blocks: usize) -> usize {
    3 * MAX_WORDS + MAX_CHAR_NGRAMS + blocks + 1
}

/// The part of `text` triage reads: its first [`MAX_TEXT_CHARS`] characters.
pub fn considered(text: &str) -> &str {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// The folded words of the considered text, at most [`MAX_WORDS`], each cut to
/// [`MAX_WORD_CHARS`] characters.
pub fn bounded_words(text: &str) -> impl Iterator<Item = String> + '_ {
    words(considered(text)).take(MAX_WORDS).map(|mut w| {
        if let Some((i, _)) = w.char_indices().nth(MAX_WORD_CHARS) {
            w.truncate(i);
        }
        w
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_and_a_long_word_are_cut() {
        let word = "Ж".repeat(200_000);
        assert_eq!(considered(&word).chars().count(), MAX_TEXT_CHARS);
        let w: Vec<String> = bounded_words(&word).collect();
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].chars().count(), MAX_WORD_CHARS);
        assert_eq!(w[0].chars().next(), Some('ж'));
        let many = "а ".repeat(100_000);
        assert_eq!(bounded_words(&many).count(), MAX_WORDS);
        assert_eq!(considered("короткий"), "короткий");
    }
}

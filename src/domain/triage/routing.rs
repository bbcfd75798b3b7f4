//! Who should answer: routing rules from `data/routing.toml` (a workspace's `routing.toml`
//! replaces them). A rule names a block and a recipient, optionally narrowed by settlement, by the
//! source's own category, or by keyword stems of the text; the matching rule with the most
//! conditions wins, the earlier one on a tie.

use serde::Deserialize;

use crate::domain::text::fold;

/// The shipped routing rules.
pub const EMBEDDED: &str = include_str!("../../../data/routing.toml");

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Block id the rule applies to; none = any block.
    #[serde(default)]
    pub block: Option<String>,
    /// Settlement names (as in `settlements.toml`); the rule applies only to these.
    #[serde(default)]
    pub settlements: Vec<String>,
    /// Source categories (case- and ё-insensitive); the rule applies only to these.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Keyword stems (as in `blocks.toml`); the rule applies when the text has one of them.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The recipient proposed.
    pub recipient: String,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A problem in a routing file.
#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    #[error("routing: {0}")]
    Parse(#[from] toml::de::Error),
    #[error(
        "routing: rule {0} has no condition (give a block, settlements, categories or keywords)"
    )]
    NoCondition(usize),
}

/// What routing looks at.
#[derive(Debug, Clone, Copy)]
pub struct RouteInput<'a> {
    pub block: Option<&'a str>,
    pub settlement: Option<&'a str>,
    pub category: Option<&'a str>,
    /// The content stems of the text.
    pub stems: &'a [&'a str],
}

/// The compiled routing rules.
#[derive(Debug, Clone, Default)]
pub struct Routing {
    rules: Vec<Rule>,
}

fn stem_matches(k: &str, s: &str) -> bool {
    if k.chars().count() >= super::lexicon::PREFIX_MIN_CHARS {
        s.starts_with(k)
    } else {
        s == k
    }
}

impl Routing {
    /// Parses a routing file: `[[rule]] block = "roads" recipient = "…"`.
    pub fn from_toml(src: &str) -> Result<Self, RoutingError> {
        let file: File = toml::from_str(src)?;
        for (i, r) in file.rule.iter().enumerate() {
            if r.block.is_none()
                && r.settlements.is_empty()
                && r.categories.is_empty()
                && r.keywords.is_empty()
            {
                return Err(RoutingError::NoCondition(i + 1));
            }
        }
        Ok(Self { rules: file.rule })
    }

    /// The rules, in the file's order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The recipient of the most specific matching rule.
    pub fn route(&self, input: &RouteInput<'_>) -> Option<&str> {
        let settlement = input.settlement.map(fold);
        let category = input.category.map(fold);
        let mut best: Option<(usize, &Rule)> = None;
        for r in &self.rules {
            let mut score = 0;
            if let Some(b) = &r.block {
                if input.block != Some(b.as_str()) {
                    continue;
                }
                score += 1;
            }
            if !r.settlements.is_empty() {
                let Some(s) = &settlement else { continue };
                if !r.settlements.iter().any(|x| fold(x) == *s) {
                    continue;
                }
                score += 2;
            }
            if !r.categories.is_empty() {
                let Some(c) = &category else { continue };
                if !r.categories.iter().any(|x| fold(x) == *c) {
                    continue;
                }
                score += 2;
            }
            if !r.keywords.is_empty() {
                if !r
                    .keywords
                    .iter()
                    .any(|k| input.stems.iter().any(|s| stem_matches(k, s)))
                {
                    continue;
                }
                score += 2;
            }
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, r));
            }
        }
        best.map(|(_, r)| r.recipient.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(block: &'a str, stems: &'a [&'a str]) -> RouteInput<'a> {
        RouteInput {
            block: Some(block),
            settlement: None,
            category: None,
            stems,
        }
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let r = Routing::from_toml(EMBEDDED).expect("shipped routing parses");
        assert_eq!(
            r.route(&input("housing", &["фонар"])),
            Some("Отдел ЖКХ, строительства и архитектуры")
        );
        assert_eq!(
            r.route(&input("housing", &["канализацион", "колодц"])),
            Some("МУП «Килемарское коммунальное хозяйство»")
        );
        assert_eq!(
            r.route(&input("roads", &["ям"])),
            Some("Отдел дорожной деятельности и транспорта")
        );
    }

    #[test]
    fn a_rule_without_conditions_is_refused() {
        assert!(Routing::from_toml("[[rule]]\nrecipient = \"X\"\n").is_err());
    }
}

//! Target indicators (целевые показатели) and whether the actual figures meet them.

use serde::{Deserialize, Serialize};

use super::ranking::RecipientFacts;

/// The shipped targets (`data/targets.toml`).
pub const EMBEDDED: &str = include_str!("../../data/targets.toml");

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// answered on time / (answered + open overdue).
    OnTimeShare,
    /// substantive / graded.
    QualityShare,
    /// ratings 4–5 / rated.
    Satisfaction,
    /// Median working hours to the first response.
    MedianFirstResponseWh,
    /// Open appeals past their answer deadline.
    OpenOverdue,
}

impl Indicator {
    /// The Russian name shown to officers.
    pub fn label_ru(self) -> &'static str {
        match self {
            Indicator::OnTimeShare => "Доля ответов в срок",
            Indicator::QualityShare => "Доля ответов по существу",
            Indicator::Satisfaction => "Удовлетворённость",
            Indicator::MedianFirstResponseWh => "Медиана первого ответа, р.ч.",
            Indicator::OpenOverdue => "Просрочено (открытые)",
        }
    }

    /// The actual value from the facts of a scope; `None` when undefined (no answers…).
    pub fn actual(self, f: &RecipientFacts) -> Option<f64> {
        match self {
            Indicator::OnTimeShare => f.timeliness(),
            Indicator::QualityShare => f.quality(),
            Indicator::Satisfaction => f.satisfaction(),
            Indicator::MedianFirstResponseWh => f.median_first_response_wh(),
            Indicator::OpenOverdue => Some(f64::from(f.open_overdue)),
        }
    }
}

/// One target.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub indicator: Indicator,
    /// A block id; `None` for the whole municipality.
    #[serde(default)]
    pub block: Option<String>,
    /// The actual value must be at least this.
    #[serde(default)]
    pub min: Option<f64>,
    /// The actual value must be at most this.
    #[serde(default)]
    pub max: Option<f64>,
}

impl Target {
    /// Met, not met, or `None` when the actual value is undefined.
    pub fn met(&self, actual: Option<f64>) -> Option<bool> {
        let a = actual?;
        Some(self.min.is_none_or(|m| a >= m) && self.max.is_none_or(|m| a <= m))
    }
}

/// The targets in force.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    #[serde(default)]
    pub target: Vec<Target>,
}

/// A problem in a targets file.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    #[error("target {0} ({1:?}): give min or max")]
    NoBound(usize, Indicator),
}

impl Targets {
    /// Parses and checks a targets file.
    pub fn from_toml(src: &str) -> Result<Self, TargetsError> {
        let t: Targets = toml::from_str(src)?;
        for (i, x) in t.target.iter().enumerate() {
            if x.min.is_none() && x.max.is_none() {
                return Err(TargetsError::NoBound(i + 1, x.indicator));
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_targets_parse() {
        let t = Targets::from_toml(EMBEDDED).unwrap();
        assert!(
            t.target
                .iter()
                .any(|x| x.indicator == Indicator::OnTimeShare
                    && x.block.is_none()
                    && x.min == Some(0.95))
        );
    }

    #[test]
    fn min_and_max_bounds() {
        let t = Target {
            indicator: Indicator::MedianFirstResponseWh,
            block: None,
            min: None,
            max: Some(4.0),
        };
        assert_eq!(t.met(Some(3.5)), Some(true));
        assert_eq!(t.met(Some(4.5)), Some(false));
        assert_eq!(t.met(None), None);
    }

    #[test]
    fn a_target_without_bounds_is_refused() {
        assert!(Targets::from_toml("[[target]]\nindicator = \"satisfaction\"\n").is_err());
    }
}

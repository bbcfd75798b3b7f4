//! How long the workspace keeps the files citizens' data came in (`processed/`) and the files
//! and rows it could not import (`quarantine/`): `[retention] files = "365d"` in the workspace's
//! `config.toml`, one year by default. The appeals themselves stay in the database; only these
//! copies of the source files go.

use chrono::{Days, NaiveDate};
use serde::Deserialize;

/// The `[retention]` section of `config.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// How long files in `processed/` and `quarantine/` are kept.
    pub files: Period,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            files: Period { days: 365 },
        }
    }
}

impl Retention {
    /// Files dated before this local date are removed on `today`.
    pub fn cutoff(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_days(Days::new(u64::from(self.files.days)))
            .unwrap_or(NaiveDate::MIN)
    }
}

/// A length of time written `Nd` (N calendar days, N ≥ 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Period {
    pub days: u32,
}

impl TryFrom<String> for Period {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("«{s}» is not a retention period: write a number of days, e.g. \"365d\"");
        let n = s.trim().strip_suffix('d').ok_or_else(bad)?;
        let days: u32 = n.trim().parse().map_err(|_| bad())?;
        if days == 0 {
            return Err(format!(
                "«{s}»: a retention of zero days would remove every file as soon as it is imported"
            ));
        }
        Ok(Self { days })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn one_year_by_default() {
        let r = Retention::default();
        assert_eq!(r.files.days, 365);
        assert_eq!(r.cutoff(date("2026-11-28")), date("2025-11-28"));
    }

    #[test]
    fn periods_are_days() {
        assert_eq!("30d".parse::<Period>().unwrap().days, 30);
        assert_eq!(" 730d ".parse::<Period>().unwrap().days, 730);
        for bad in ["", "30", "d", "1y", "-5d", "0d", "3.5d"] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn read_from_toml() {
        #[derive(Deserialize)]
        struct Cfg {
            retention: Retention,
        }
        let c: Cfg = toml::from_str("[retention]\nfiles = \"90d\"\n").unwrap();
        assert_eq!(c.retention.files.days, 90);
        let e = toml::from_str::<Cfg>("[retention]\nfiles = \"90\"\n")
            .err()
            .unwrap();
        assert!(e.to_string().contains("365d"), "{e}");
        let e = toml::from_str::<Cfg>("[retention]\nfile = \"90d\"\n")
            .err()
            .unwrap();
        assert!(e.to_string().contains("file"), "{e}");
    }
}

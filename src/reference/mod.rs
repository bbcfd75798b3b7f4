//! Reference data: the files shipped in `data/` (embedded in the binary) with a workspace's
//! overrides layered on top.
//!
//! A workspace may hold, next to `mcu.db`:
//! - `config.toml` — settings: `[work_hours]` (zone, working periods, short-day cut),
//!   `[retention]` (how long `processed/` and `quarantine/` keep files);
//! - `calendar.toml` — production-calendar years in the format of `data/calendar/ru.toml`; its years
//!   are added to (or replace) the shipped ones, so next year's decree needs no rebuild;
//! - `sla.toml` — deadline rules, replacing `data/sla.toml`;
//! - `import_profiles.toml` — more header and value aliases, added to `data/import_profiles.toml`;
//! - `blocks.toml` — the thematic blocks, replacing `data/blocks.toml`;
//! - `ranking.toml` — ranking weights and minimum volume, replacing `data/ranking.toml`;
//! - `targets.toml` — target indicators, replacing `data/targets.toml`;
//! - `templates.toml` — answer templates layered over `data/templates.toml` (same ids replace).

pub mod templates;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::calendar::{CalendarFile, WorkHours};
use crate::domain::ranking::RankingRules;
use crate::domain::targets::Targets;
use crate::domain::templates::Templates;
use crate::domain::{Blocks, Sla, WorkCalendar};
use crate::ingest::ImportProfiles;

/// The shipped blocks (`data/blocks.toml`).
pub const EMBEDDED_BLOCKS: &str = include_str!("../../data/blocks.toml");

/// A problem in reference data, naming the file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct ReferenceError {
    pub file: String,
    pub reason: String,
}

/// The official pages' check settings: the shipped `data/pages.toml` with the workspace's
/// `pages.toml` in `dir` over it (what `mcu pages check` and the console's pages screen both use).
pub fn page_checks(dir: &Path) -> Result<crate::domain::pages::checks::Settings, ReferenceError> {
    let path = dir.join("pages.toml");
    let text = match fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ReferenceError::new(path.display().to_string(), e)),
    };
    crate::domain::pages::checks::Settings::layered(text.as_deref())
        .map_err(|e| ReferenceError::new(path.display().to_string(), e))
}

impl ReferenceError {
    fn new(file: impl Into<String>, reason: impl ToString) -> Self {
        Self {
            file: file.into(),
            reason: reason.to_string(),
        }
    }
}

/// Workspace settings (`config.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Working hours and the zone deadlines are counted in.
    #[serde(default)]
    pub work_hours: WorkHours,
    /// How long `processed/` and `quarantine/` keep files (`[retention] files = "365d"`).
    #[serde(default)]
    pub retention: crate::domain::retention::Retention,
    /// The built-in SSH server's limits (`[serve]`).
    #[serde(default)]
    pub serve: crate::serve::limits::ServeSettings,
    /// Where the data lives when not in the workspace's `mcu.db` (`[store]`).
    #[serde(default)]
    pub store: StoreSettings,
}

/// The `[store]` section of `config.toml`: a PostgreSQL database instead of `mcu.db`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// `postgres://user@host/db` (the password better in `~/.pgpass` than here).
    pub url: Option<String>,
    /// The municipality's code in that database (`kuzhener`).
    pub municipality: Option<String>,
    /// How long one statement may run on PostgreSQL before the server cancels it, in seconds
    /// (`0`: no limit); [`DEFAULT_STATEMENT_TIMEOUT_SECONDS`] when not given.
    pub statement_timeout_seconds: Option<u32>,
}

/// A statement that runs longer than this on PostgreSQL is cancelled unless `[store]` says
/// otherwise: a stuck query fails with a message instead of hanging a console.
pub const DEFAULT_STATEMENT_TIMEOUT_SECONDS: u32 = 60;

impl StoreSettings {
    /// The limit of one statement's run time on PostgreSQL; `None`: no limit.
    pub fn statement_timeout(&self) -> Option<std::time::Duration> {
        let secs = self
            .statement_timeout_seconds
            .unwrap_or(DEFAULT_STATEMENT_TIMEOUT_SECONDS);
        (secs > 0).then(|| std::time::Duration::from_secs(u64::from(secs)))
    }
}

/// Everything mcu needs to know besides the appeals themselves.
#[derive(Debug, Clone)]
pub struct Reference {
    pub settings: Settings,
    pub blocks: Blocks,
    pub calendar: WorkCalendar,
    pub sla: Sla,
    pub profiles: ImportProfiles,
    pub ranking: RankingRules,
    pub targets: Targets,
    /// Answer templates: the shipped ones with the workspace's over them.
    pub templates: Templates,
    /// The workspace's `templates.toml` (where `mcu templates add|edit` writes), when there is a
    /// workspace.
    pub templates_file: Option<PathBuf>,
}

impl Reference {
    /// The shipped defaults alone.
    pub fn embedded() -> Result<Self, ReferenceError> {
        Self::load(None)
    }

    /// The shipped defaults with the overrides found in `dir` (a workspace root), if any.
    pub fn load(dir: Option<&Path>) -> Result<Self, ReferenceError> {
        let read = |name: &str| -> Result<Option<(PathBuf, String)>, ReferenceError> {
            let Some(dir) = dir else { return Ok(None) };
            let path = dir.join(name);
            match fs::read_to_string(&path) {
                Ok(s) => Ok(Some((path, s))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(ReferenceError::new(path.display().to_string(), e)),
            }
        };
        let shown = |p: &Path| p.display().to_string();

        let settings = match read("config.toml")? {
            Some((p, s)) => toml::from_str(&s).map_err(|e| ReferenceError::new(shown(&p), e))?,
            None => Settings::default(),
        };

        let blocks = match read("blocks.toml")? {
            Some((p, s)) => Blocks::from_toml(&s).map_err(|e| ReferenceError::new(shown(&p), e))?,
            None => Blocks::from_toml(EMBEDDED_BLOCKS)
                .map_err(|e| ReferenceError::new("data/blocks.toml", e))?,
        };

        let mut years = CalendarFile::from_toml(crate::domain::calendar::EMBEDDED_RU)
            .map_err(|e| ReferenceError::new("data/calendar/ru.toml", e))?;
        if let Some((p, s)) = read("calendar.toml")? {
            let extra =
                CalendarFile::from_toml(&s).map_err(|e| ReferenceError::new(shown(&p), e))?;
            years.merge(extra);
        }
        let calendar = WorkCalendar::new(years, settings.work_hours.clone())
            .map_err(|e| ReferenceError::new("calendar", e))?;

        let sla = match read("sla.toml")? {
            Some((p, s)) => Sla::from_toml(&s).map_err(|e| ReferenceError::new(shown(&p), e))?,
            None => Sla::from_toml(crate::domain::sla::EMBEDDED)
                .map_err(|e| ReferenceError::new("data/sla.toml", e))?,
        };

        let mut profiles = ImportProfiles::from_toml(crate::ingest::profile::EMBEDDED)
            .map_err(|e| ReferenceError::new("data/import_profiles.toml", e))?;
        if let Some((p, s)) = read("import_profiles.toml")? {
            let extra =
                ImportProfiles::from_toml(&s).map_err(|e| ReferenceError::new(shown(&p), e))?;
            profiles.extend(extra);
        }

        let ranking = match read("ranking.toml")? {
            Some((p, s)) => {
                RankingRules::from_toml(&s).map_err(|e| ReferenceError::new(shown(&p), e))?
            }
            None => RankingRules::from_toml(crate::domain::ranking::EMBEDDED)
                .map_err(|e| ReferenceError::new("data/ranking.toml", e))?,
        };
        let targets = match read("targets.toml")? {
            Some((p, s)) => {
                Targets::from_toml(&s).map_err(|e| ReferenceError::new(shown(&p), e))?
            }
            None => Targets::from_toml(crate::domain::targets::EMBEDDED)
                .map_err(|e| ReferenceError::new("data/targets.toml", e))?,
        };
        for t in &targets.target {
            if let Some(b) = &t.block
                && blocks.get(b).is_none()
            {
                return Err(ReferenceError::new(
                    "targets",
                    format!("unknown block «{b}» (known: {})", blocks.ids()),
                ));
            }
        }

        let templates_file = dir.map(|d| d.join("templates.toml"));
        let templates = Self::load_templates(templates_file.as_deref(), &blocks)?;

        Ok(Self {
            templates,
            templates_file,
            ranking,
            targets,
            settings,
            blocks,
            calendar,
            sla,
            profiles,
        })
    }

    /// The shipped templates with the workspace file at `file` (if it exists) over them: what
    /// the console reads afresh each time it offers templates (another officer may have edited
    /// them meanwhile).
    pub fn load_templates(
        file: Option<&Path>,
        blocks: &Blocks,
    ) -> Result<Templates, ReferenceError> {
        let ws = match file {
            Some(p) => match fs::read_to_string(p) {
                Ok(s) => Some((p.display().to_string(), s)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(ReferenceError::new(p.display().to_string(), e)),
            },
            None => None,
        };
        Templates::layered(
            crate::domain::templates::EMBEDDED,
            ws.as_ref().map(|(n, s)| (n.as_str(), s.as_str())),
            blocks,
        )
        .map_err(|e| ReferenceError::new(e.file, e.what))
    }
}

//! Report runs in the audit trail: a report is not a change of an appeal, so each run is an
//! entry of the `report` register, written through the registers' one audited path
//! ([`Store::write_register`]): who made which report, for which period, into which file.

use chrono::{DateTime, Utc};

use super::{Actor, Store, StoreError};
use crate::domain::access::Action;

/// The register name report runs are audited under (`mcu audit log --register report`).
pub const REPORT_REGISTER: &str = "report";

/// One report run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRun {
    /// `note` or `cur`.
    pub kind: String,
    /// `html`, `docx`, `md`, `xlsx`, `csv`.
    pub format: String,
    /// `2026-11-23 — 2026-11-29`.
    pub period: String,
    /// Where it went.
    pub file: String,
    /// Whether personal data was written unmasked.
    pub personal_data: bool,
}

impl Store {
    /// The database file (`None` in memory): the console finds the workspace's `reports/`
    /// beside it.
    pub fn database_path(&self) -> Option<std::path::PathBuf> {
        self.conn()
            .sqlite()
            .and_then(|c| c.path())
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
    }

    /// Records a report run (any operator who may see appeals may make reports); returns the
    /// run's entry number in the `report` register.
    pub fn record_report(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        run: &ReportRun,
    ) -> Result<i64, StoreError> {
        self.write_register(Action::See, actor, now, |w| {
            let id: i64 = w.tx.query_row(
                "SELECT COALESCE(MAX(entry_id), 0) + 1 FROM events WHERE register = ?1",
                [REPORT_REGISTER],
                |r| r.get(0),
            )?;
            w.record_created(
                REPORT_REGISTER,
                id,
                &[
                    ("kind", Some(run.kind.clone())),
                    ("format", Some(run.format.clone())),
                    ("period", Some(run.period.clone())),
                    ("file", Some(run.file.clone())),
                    (
                        "personal_data",
                        Some(if run.personal_data { "yes" } else { "no" }.to_string()),
                    ),
                ],
            )?;
            Ok(id)
        })
    }
}

//! `mcu import`: files given on the command line, or everything in the inbox.

use std::path::PathBuf;

use clap::Args;

use super::output::print_json;
use super::{CmdResult, EXIT_QUARANTINED, usage};
use crate::domain::Channel;
use crate::ingest::retention::PurgeReport;
use crate::ingest::{FileOutcome, FileReport, Importer};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Files to import (CSV, XLSX/XLS/ODS, JSON Lines, JSON, Open311 JSON)
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Channel for rows that do not name one (im, pos, letter, messenger, page, phone, other)
    #[arg(long, value_name = "CH")]
    channel: Option<Channel>,
    /// Import whatever is in the workspace's inbox/ now (files move to processed/ or quarantine/)
    #[arg(long)]
    inbox: bool,
    /// The time recorded for the changes (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Skip auto-triage after the import (bulk loads; `mcu classify --pending` catches up later)
    #[arg(long)]
    no_triage: bool,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
    /// Print the process's peak resident memory (`peak_rss_kb: N`, from VmHWM) and the bytes it
    /// wrote (`written_bytes: N`) on stderr at the end; used by `mcu bench import` and `triage`
    #[arg(long, hide = true)]
    peak_rss: bool,
}

pub fn run(ws: &Workspace, a: ImportArgs) -> CmdResult {
    if a.files.is_empty() && !a.inbox {
        return Err(usage("nothing to import: give FILE... or --inbox"));
    }
    let (mut store, grants) = super::session(ws)?;
    super::require(grants.may_import(), "importing files")?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let triage = if a.no_triage {
        None
    } else {
        Some(store.load_triage(Some(ws.root()))?)
    };
    let mut importer = Importer {
        triage: triage.as_ref(),
        workspace: ws,
        store: &mut store,
        operator: grants.login.clone(),
        now,
    };
    let mut reports = Vec::new();
    for f in &a.files {
        reports.push(importer.import_file(f, a.channel, false)?);
    }
    if a.inbox {
        reports.extend(importer.import_inbox()?);
    }
    let retention = store.reference().settings.retention;
    let purged = crate::ingest::retention::apply_retention(ws, &retention, now, tz);
    log_retention(&purged);
    if a.peak_rss {
        if let Some(kb) = super::bench::peak_rss_kb() {
            eprintln!("peak_rss_kb: {kb}");
        }
        if let Some(b) = super::bench::written_bytes() {
            eprintln!("written_bytes: {b}");
        }
    }
    if a.json {
        print_json(&reports)?;
    } else {
        for r in &reports {
            print_report(r);
        }
        if reports.is_empty() {
            println!("inbox is empty");
        }
        print_retention(&purged);
    }
    let failed = reports
        .iter()
        .any(|r| matches!(r.outcome, FileOutcome::Failed { .. }) && r.quarantine.is_none());
    if failed {
        return Err(super::Failure {
            code: 1,
            message: "some files could not be read".into(),
        });
    }
    Ok(if reports.iter().any(FileReport::has_quarantine) {
        EXIT_QUARANTINED
    } else {
        0
    })
}

/// Logs what the retention removed (counts and the date only: file names may hold personal
/// data).
pub(crate) fn log_retention(r: &PurgeReport) {
    if r.files > 0 || !r.failed.is_empty() {
        tracing::info!(
            files = r.files,
            bytes = r.bytes,
            failed = r.failed.len(),
            before = %r.before,
            "retention: old files removed from processed/ and quarantine/"
        );
    }
}

/// What the retention removed, for people (nothing when it removed nothing).
pub(crate) fn print_retention(r: &PurgeReport) {
    if r.files > 0 {
        println!(
            "retention: removed {} file(s) dated before {} from processed/ and quarantine/",
            r.files, r.before
        );
    }
    for f in &r.failed {
        eprintln!("retention: could not remove {}: {}", f.path, f.reason);
    }
}

/// One file's report for the officer at the terminal. A file's failure reason may quote the
/// file (the headers it found, which in a headerless file are its first row): shown here, but
/// not by `mcu watch`, whose output goes to the system journal ([`print_service_report`]).
pub(crate) fn print_report(r: &FileReport) {
    match &r.outcome {
        FileOutcome::Imported {
            rows,
            inserted,
            updated,
            unchanged,
            quarantined,
        } => {
            println!(
                "{}: {rows} rows — imported {inserted}, updated {updated}, unchanged {unchanged}, quarantined {quarantined}",
                r.file
            );
        }
        FileOutcome::AlreadyImported { name, at } => {
            println!(
                "{}: skipped, the same content was imported as {name} at {}",
                r.file,
                at.to_rfc3339()
            );
        }
        FileOutcome::Failed { reason } => {
            println!("{}: not imported: {reason}", r.file);
        }
    }
    print_report_tail(r);
}

/// One file's report for a log (`mcu watch` under systemd): file names and counts only, never
/// a failure's reason (it may quote the file; it is in the quarantine note beside the file).
pub(crate) fn print_service_report(r: &FileReport) {
    if let FileOutcome::Failed { .. } = &r.outcome {
        println!(
            "{}: not imported (the reason is in the .error.txt note beside it in quarantine)",
            r.file
        );
        print_report_tail(r);
    } else {
        print_report(r);
    }
}

fn print_report_tail(r: &FileReport) {
    if let Some(q) = &r.quarantine {
        println!("  quarantine: {q}");
    }
    if let Some(m) = &r.moved_to {
        println!("  moved to: {m}");
    }
    for w in &r.warnings {
        println!("  note: {w}");
    }
    if let Some(t) = &r.triaged {
        print_triage(t);
    }
}

/// What auto-triage did after a file (or at the start of `mcu watch`).
pub(crate) fn print_triage(t: &crate::ingest::pipeline::TriageCounts) {
    println!(
        "  auto-triage: {} appeals, {} blocks set automatically",
        t.appeals, t.blocks_set
    );
    if t.failed > 0 {
        println!(
            "  auto-triage failed for {} appeals: skipped, the reason is in mcu show",
            t.failed
        );
    }
    if t.pending > 0 {
        println!(
            "  auto-triage pending for {} appeals ({}); the next import, mcu watch or mcu classify --pending does them",
            t.pending,
            t.stopped.as_deref().unwrap_or("not reached")
        );
    }
}

/// A file's report for the system journal (`mcu watch --json`): a failure's reason is left out
/// (it may quote the file's first row), pointing to the quarantine note instead.
pub(crate) fn service_report_json(r: &FileReport) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(r)?;
    if let FileOutcome::Failed { .. } = &r.outcome
        && let Some(o) = v.get_mut("outcome").and_then(|o| o.as_object_mut())
        && o.contains_key("reason")
    {
        o.insert(
            "reason".into(),
            "see the .error.txt note beside the file in quarantine".into(),
        );
    }
    Ok(v)
}

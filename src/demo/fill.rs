//! Filling a demo workspace the way a real one fills: weekly exports of every source are dropped
//! into the inbox and imported by the real pipeline (so later exports update earlier appeals:
//! statuses, answers), and after each import officers triage (blocks, conflict marks), grade
//! answers and link duplicates through the one audited store function.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{DemoConfig, DemoError, Generated, Generator, exports};
use crate::domain::{Channel, Status};
use crate::ingest::{FileOutcome, Importer};
use crate::store::{Actor, Change, Store};
use crate::workspace::Workspace;

/// The file that marks a workspace as made by `mcu demo` (and so safe to fill).
pub const MARKER: &str = ".mcu-demo";

/// What to fill a demo workspace with.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    pub appeals: u64,
    pub now: DateTime<Utc>,
    pub days: u32,
    pub seed: u64,
}

/// What filling did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FillReport {
    /// False when the workspace was already filled and was reused as it is.
    pub created: bool,
    /// Weekly exports imported.
    pub batches: usize,
    pub files: usize,
    /// Rows read from the files (an appeal appears again in a later export when it changed).
    pub rows: i64,
    pub inserted: i64,
    pub updated: i64,
    pub quarantined: i64,
    /// Officer actions applied (one audited save each).
    pub officer_actions: usize,
    /// Appeals auto-triaged at the end, as the console's importer would after its first file.
    pub triaged: usize,
}

fn other(e: impl std::fmt::Display) -> DemoError {
    DemoError::Other(e.to_string())
}

/// Fills `ws` with demo appeals unless it already holds some. A workspace that holds appeals but
/// was not made by `mcu demo` is refused: the demo never writes into a real one.
pub fn fill(ws: &Workspace, opts: &DemoOptions) -> Result<FillReport, DemoError> {
    let mut store = ws.store().map_err(other)?;
    let marker = ws.root().join(MARKER);
    if store.count().map_err(other)? > 0 {
        if marker.exists() {
            if recorded_now(ws.root()).is_none() {
                return Err(DemoError::Other(format!(
                    "an earlier mcu demo into {} was interrupted: delete the folder and run again",
                    ws.root().display()
                )));
            }
            return Ok(FillReport::default());
        }
        return Err(DemoError::Other(format!(
            "{} already holds appeals and is not a demo workspace; give mcu demo an empty folder",
            ws.root().display()
        )));
    }
    crate::workspace::write_file(
        &marker,
        "This workspace was made by `mcu demo`: made-up appeals of a fictional okrug.\n",
    )
    .map_err(|source| DemoError::Io {
        path: marker.display().to_string(),
        source,
    })?;
    // The demo okrug's own routing, so that auto-triage and `A` name recipients it has.
    let routing = ws.root().join("routing.toml");
    crate::workspace::write_file(&routing, super::world::ROUTING_TOML).map_err(|source| {
        DemoError::Io {
            path: routing.display().to_string(),
            source,
        }
    })?;

    let reference = Arc::clone(store.reference());
    let tz = reference.calendar.timezone();
    let cfg = DemoConfig {
        seed: opts.seed,
        count: opts.appeals,
        now: opts.now,
        days: opts.days.max(1),
    };
    let items: Vec<Generated> = Generator::new(cfg, Arc::clone(&reference))?.collect();

    // Weekly exports, the last one at `now`.
    let start = opts.now - Duration::days(i64::from(opts.days.max(1)));
    let mut ends = Vec::new();
    let mut t = start + Duration::days(7);
    while t < opts.now {
        ends.push(t);
        t += Duration::days(7);
    }
    ends.push(opts.now);

    let mut report = FillReport {
        created: true,
        ..Default::default()
    };
    let mut prev = start - Duration::days(1);
    for (k, &end) in ends.iter().enumerate() {
        let batch: Vec<&Generated> = items
            .iter()
            .filter(|g| {
                let r = g.appeal.received_at;
                r <= end && (r > prev || g.life.changed_in(prev, end))
            })
            .collect();
        let rows: Vec<(Channel, _)> = batch
            .iter()
            .filter_map(|g| g.at(end).map(|a| (g.channel, a)))
            .collect();
        let tag = format!("{:02}_{}", k + 1, end.with_timezone(&tz).format("%Y-%m-%d"));
        report.files += exports::write_batch(&ws.inbox(), &tag, &rows, tz)?.len();
        let mut importer = Importer {
            triage: None,
            workspace: ws,
            store: &mut store,
            operator: "mcu-demo".into(),
            now: end,
        };
        for r in importer.import_inbox().map_err(other)? {
            match r.outcome {
                FileOutcome::Imported {
                    rows,
                    inserted,
                    updated,
                    quarantined,
                    ..
                } => {
                    report.rows += rows;
                    report.inserted += inserted;
                    report.updated += updated;
                    report.quarantined += quarantined;
                }
                FileOutcome::Failed { reason } => {
                    return Err(DemoError::Other(format!("{}: {reason}", r.file)));
                }
                FileOutcome::AlreadyImported { .. } => {}
            }
        }
        report.officer_actions += officer_actions(&mut store, &items, &batch, prev, end, opts)?;
        report.batches += 1;
        prev = end;
    }
    super::votes::fill(ws, &mut store, opts.now)?;
    // Auto-triage, as the importer of a console does after each file: the console then opens
    // with suggestions on the untriaged appeals instead of computing them after the simulator's
    // first file (oldest first, so the newest rows would wait longest).
    let triage = store.load_triage(Some(ws.root())).map_err(other)?;
    let actor = crate::store::Actor::new("mcu-demo", crate::store::AUTO_TRIAGE_SOURCE);
    let run = store.triage_pending(&triage, &actor, opts.now, usize::MAX);
    if let Some(why) = run.stopped {
        return Err(other(format!("auto-triage stopped: {why}")));
    }
    report.triaged = run.outcomes.len();
    super::roadmaps::fill(&mut store, opts.now)?;
    super::pages::fill(&mut store, opts.now, tz)?;
    // Complete: remember the instant the demo was made for, so a later run shows the same picture.
    let mut stamp = String::new();
    super::csv::time(&mut stamp, opts.now, tz);
    let text = fs::read_to_string(&marker).unwrap_or_default() + &format!("now = \"{stamp}\"\n");
    crate::workspace::write_file(&marker, text).map_err(|source| DemoError::Io {
        path: marker.display().to_string(),
        source,
    })?;
    Ok(report)
}

/// The instant a complete demo workspace was made for, as its marker file records it; `None`
/// for a folder that is not a demo workspace or whose filling was interrupted.
pub fn recorded_now(root: &Path) -> Option<DateTime<Utc>> {
    let text = fs::read_to_string(root.join(MARKER)).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix("now = "))?;
    DateTime::parse_from_rfc3339(line.trim().trim_matches('"'))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// What the officers do after an import: set the block and the conflict mark of what arrived
/// (except the last day's, left for triage), grade the answers that came in, link duplicates.
fn officer_actions(
    store: &mut Store,
    items: &[Generated],
    batch: &[&Generated],
    prev: DateTime<Utc>,
    end: DateTime<Utc>,
    opts: &DemoOptions,
) -> Result<usize, DemoError> {
    const OFFICERS: [&str; 3] = ["a.petrova", "i.sidorov", "m.orlova"];
    let untriaged_from = opts.now - Duration::hours(20);
    let within = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t > prev && t <= end);
    let mut done = 0;
    for g in batch {
        let a = &g.appeal;
        let mut changes = Vec::new();
        let sourced = matches!(g.channel, Channel::Im | Channel::Pos | Channel::Letter);
        if sourced && within(Some(a.received_at)) && a.received_at < untriaged_from {
            changes.push(Change::Block(a.block.clone()));
            if a.conflict == Some(true) {
                changes.push(Change::Conflict(true));
            }
        }
        if within(g.life.answered_at) && a.quality.is_some() {
            changes.push(Change::Quality(a.quality));
        }
        if let (Some((Status::Duplicate, t)), Some(orig)) = (g.life.exit, g.repeats)
            && t > prev
            && t <= end
            && let Some(o) = items.get(orig as usize)
            && let Ok(found) = store.find(&o.key())
        {
            changes.push(Change::DuplicateOf(Some(found.id)));
        }
        if changes.is_empty() {
            continue;
        }
        if g.index % 17 == 0 {
            changes.push(Change::Note(
                "Связались с заявителем по телефону, обстоятельства подтверждены.".into(),
            ));
        }
        let Ok(appeal) = store.find(&g.key()) else {
            continue;
        };
        let officer = OFFICERS[(g.index % 3) as usize];
        let at = (end + Duration::minutes(5 + (done as i64 % 240))).min(opts.now);
        store
            .update(appeal.id, &changes, None, &Actor::new(officer, "demo"), at)
            .map_err(other)?;
        done += 1;
    }
    Ok(done)
}

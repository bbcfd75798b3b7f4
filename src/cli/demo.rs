//! `mcu demo`: fills (or reuses) a demo workspace with made-up appeals of an okrug, imported
//! through the real pipeline, then opens the console while a simulator drops a new export into
//! the inbox every few seconds (`--summary` prints a short summary instead).

use std::path::{Path, PathBuf};

use clap::Args;

use super::output::{fit, rfc3339, short};
use super::{CmdResult, Failure};
use crate::demo::fill::{DemoOptions, fill, recorded_now};
use crate::domain::Channel;
use crate::store::ListFilter;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// How many appeals the weekly exports bring (the demo's votes add their comments on top:
    /// `mcu::demo::votes::COMMENTS`, 3)
    #[arg(long, value_name = "N", default_value_t = 2_500)]
    appeals: u64,
    /// The end of the demo period: appeals arrive before it; open ones are judged at it
    /// (default: now; a reused workspace keeps the time it was made for)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// The length of the period, in days
    #[arg(long, value_name = "DAYS", default_value_t = 91)]
    days: u32,
    /// The same seed gives the same appeals
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Print a summary and exit instead of opening the console
    #[arg(long)]
    summary: bool,
    /// With --summary: the summary as JSON
    #[arg(long, requires = "summary")]
    json: bool,
    /// Seconds between the simulator's new exports while the console is open (0: none)
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    every: u64,
}

/// The demo workspace when none is given: `mcu-demo` in the platform data dir
/// (`~/.local/share/mcu-demo`), beside — never inside — the officer's own workspace.
fn default_root() -> Result<PathBuf, Failure> {
    directories::ProjectDirs::from("", "", "mcu-demo")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| Failure {
            code: 1,
            message: "no home directory found: pass --workspace DIR".into(),
        })
}

pub fn run(workspace: Option<&Path>, a: DemoArgs) -> CmdResult {
    let root = match workspace {
        Some(p) => p.to_path_buf(),
        None => default_root()?,
    };
    let ws = Workspace::open(&root)?;
    let tz = ws.reference()?.calendar.timezone();
    let now = match (a.now.as_deref(), recorded_now(&root)) {
        (None, Some(t)) => t,
        (given, _) => super::instant(given, tz, "--now")?,
    };
    let report = fill(
        &ws,
        &DemoOptions {
            appeals: a.appeals,
            now,
            days: a.days,
            seed: a.seed,
        },
    )?;

    if !a.summary {
        return open_console(&ws, &a, report.created);
    }
    let store = ws.store()?;
    let reference = store.reference().clone();
    let stats = store.stats(&ListFilter::default(), now)?;
    let shown = root.display().to_string();
    if a.json {
        let latest: Vec<_> = store
            .list(&ListFilter::default(), None, 10)?
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "received_at": rfc3339(r.received_at, tz),
                    "channel": r.channel.id(),
                    "block": r.block,
                    "status": r.status.id(),
                    "overdue": r.is_overdue(now),
                })
            })
            .collect();
        super::output::print_json(&serde_json::json!({
            "workspace": shown,
            "now": rfc3339(now, tz),
            "fill": report,
            "total": stats.total,
            "open": stats.open,
            "overdue": stats.overdue,
            "by_channel": stats.by_channel,
            "by_block": stats.by_block,
            "latest": latest,
        }))?;
        return Ok(0);
    }
    let quoted = if shown.contains([' ', '\'', '"', '$', '\\']) {
        format!("'{}'", shown.replace('\'', r"'\''"))
    } else {
        shown.clone()
    };
    println!("Демо-workspace: {shown}");
    if report.created {
        println!(
            "Импортировано: {} еженедельных выгрузок, {} файлов, {} строк ({} новых обращений, {} обновлений), в карантине {}; действий операторов: {}; разобрано автоматически: {}",
            report.batches,
            report.files,
            report.rows,
            report.inserted,
            report.updated,
            report.quarantined,
            report.officer_actions,
            report.triaged
        );
    } else {
        println!("(уже заполнен — используется как есть)");
    }
    println!(
        "На {}: обращений {}, открыто {}, просрочено {}",
        short(now, tz),
        stats.total,
        stats.open,
        stats.overdue
    );
    let by_channel: Vec<String> = Channel::ALL
        .iter()
        .filter_map(|c| {
            stats
                .by_channel
                .get(c.id())
                .map(|v| format!("{} {v}", c.label_ru()))
        })
        .collect();
    println!("По каналам: {}", by_channel.join(" · "));
    let by_block: Vec<String> = reference
        .blocks
        .all()
        .iter()
        .map(|b| (b.id.as_str(), b.name.as_str()))
        .chain([("unassigned", "без блока")])
        .filter_map(|(id, name)| stats.by_block.get(id).map(|v| format!("{name} {v}")))
        .collect();
    println!("По блокам: {}", by_block.join(" · "));
    println!();
    println!("Последние 10:");
    for r in store.list(&ListFilter::default(), None, 10)? {
        let over = if r.is_overdue(now) { "!" } else { " " };
        println!(
            "{:>6} {} {} {} {}{} {}",
            r.id,
            short(r.received_at, tz),
            fit(r.channel.label_ru(), 10),
            fit(
                r.block
                    .as_deref()
                    .map_or("—", |b| reference.blocks.name_of(b)),
                12
            ),
            fit(r.status.label_ru(), 19),
            over,
            fit(&r.text, 60).trim_end()
        );
    }
    let stamp = rfc3339(now, tz);
    println!();
    println!("Попробуйте:");
    println!("  mcu --workspace {quoted} list --overdue --now {stamp}");
    println!("  mcu --workspace {quoted} list --block none --now {stamp}");
    println!("  mcu --workspace {quoted} list --search \"отопление\"");
    println!("  mcu --workspace {quoted} stats --now {stamp}");
    println!("  mcu --workspace {quoted} show 1");
    Ok(0)
}

/// Opens the console on the demo workspace with the simulator dropping new exports.
fn open_console(ws: &Workspace, a: &DemoArgs, created: bool) -> CmdResult {
    if created {
        eprintln!("mcu demo: workspace ready at {}", ws.root().display());
    }
    let sidecar: Option<crate::tui::run::Sidecar> = if a.every > 0 {
        let reference = std::sync::Arc::new(ws.reference()?);
        let mut sim = crate::demo::live::Simulator::new(
            ws,
            reference,
            std::time::Duration::from_secs(a.every),
        );
        Some(Box::new(move || {
            // A failed drop only means no new demo traffic this time.
            let _ = sim.tick();
        }))
    } else {
        None
    };
    super::console::open(ws, super::console::ConsoleArgs::default(), sidecar)
}

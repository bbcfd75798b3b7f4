//! `mcu roadmap export` and `mcu roadmap import`: the roadmaps table as the МЦУ keeps it in
//! Excel — one row per measure, the roadmap's fields repeated, Russian headers — written through
//! the writer every register export shares (`cli::table_file`) and read back through
//! `ingest::roadmaps` (an export re-imports unchanged).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use super::super::table_file::{self, TableFormat};
use super::super::{CmdResult, EXIT_QUARANTINED, Failure, require};
use super::{Ctx, failed, print_json};
use crate::domain::access::Action;
use crate::ingest::roadmaps::{FIELDS, RoadmapImportError, import_roadmaps, russian_header};
use crate::store::Actor;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The file to write
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// xlsx or csv (default: by the file's extension, else csv)
    #[arg(long, value_name = "F")]
    format: Option<TableFormat>,
    /// Print a summary as JSON (the file, the roadmaps and rows written)
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A roadmaps table: XLSX/XLS/ODS, or CSV in any encoding and delimiter `mcu import` reads
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The time recorded with the changes (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

/// Writes every roadmap: a row per measure (a roadmap without measures: one row without them).
pub fn export(cx: &Ctx, a: ExportArgs) -> CmdResult {
    let store = &cx.store;
    let blocks = &store.reference().blocks;
    let mut rows = Vec::new();
    let roadmaps = store.roadmaps().map_err(failed)?;
    for r in &roadmaps {
        let own = [
            r.title.clone(),
            r.problem.clone().unwrap_or_default(),
            r.block
                .as_deref()
                .map(|b| blocks.name_of(b).to_string())
                .unwrap_or_default(),
            r.settlements.join(", "),
            r.responsible.clone().unwrap_or_default(),
            date(r.start),
            date(r.due),
            r.status.label_ru().to_string(),
            r.target
                .map(|t| t.max_per_month.to_string())
                .unwrap_or_default(),
            r.rule_words.clone().unwrap_or_default(),
        ];
        let measures = store.measures(r.id).map_err(failed)?;
        if measures.is_empty() {
            let mut row = own.to_vec();
            row.resize(FIELDS.len(), String::new());
            rows.push(row);
        }
        for m in &measures {
            let mut row = own.to_vec();
            row.extend([
                m.n.to_string(),
                m.text.clone(),
                m.responsible.clone().unwrap_or_default(),
                date(m.due),
                m.status.label_ru().to_string(),
                m.note.clone().unwrap_or_default(),
            ]);
            rows.push(row);
        }
    }
    let header: Vec<&str> = FIELDS.iter().map(|f| russian_header(f)).collect();
    let format = TableFormat::of(a.format, &a.output);
    table_file::write(&a.output, format, "Дорожные карты", &header, &rows)?;
    if a.json {
        print_json(&serde_json::json!({
            "file": a.output.display().to_string(),
            "roadmaps": roadmaps.len(),
            "rows": rows.len(),
        }))?;
    } else {
        println!(
            "{}: {} roadmaps, {} rows",
            a.output.display(),
            roadmaps.len(),
            rows.len()
        );
    }
    Ok(0)
}

/// Imports a roadmaps table; bad rows are reported (exit code 3) and the rest imported.
pub fn import(cx: &mut Ctx, a: ImportArgs) -> CmdResult {
    require(
        cx.grants.may_all(Action::KeepRegisters),
        "keeping the registers (roadmaps)",
    )?;
    let now = cx.now(a.now.as_deref())?;
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let actor = Actor::operator(cx.grants.clone(), format!("import:{name}"));
    let r = import_roadmaps(&mut cx.store, &a.file, &actor, now).map_err(|e| match e {
        RoadmapImportError::File { .. } => Failure {
            code: 1,
            message: e.to_string(),
        },
        RoadmapImportError::Store(e) => failed(e),
    })?;
    if a.json {
        print_json(&r)?;
    } else {
        println!(
            "{}: {} rows; roadmaps: {} new, {} updated, {} unchanged; measures: {} new, {} \
             updated, {} unchanged",
            r.file,
            r.rows,
            r.roadmaps.inserted,
            r.roadmaps.updated,
            r.roadmaps.unchanged,
            r.measures.inserted,
            r.measures.updated,
            r.measures.unchanged
        );
        for w in &r.warnings {
            println!("  warning: {w}");
        }
        for e in &r.errors {
            if e.column.is_empty() {
                eprintln!("{}:{}: {}", r.file, e.line, e.reason);
            } else {
                eprintln!("{}:{}: column «{}»: {}", r.file, e.line, e.column, e.reason);
            }
        }
    }
    Ok(if r.errors.is_empty() {
        0
    } else {
        EXIT_QUARANTINED
    })
}

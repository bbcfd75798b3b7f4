//! `mcu votes import|list|show|export`: the register of ПОС votes, surveys and public discussions.

use std::path::PathBuf;

use chrono_tz::Tz;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::{fit, json_time, print_json, short};
use super::table_file::{self, TableFormat};
use super::{CmdResult, EXIT_QUARANTINED};
use crate::domain::votes::{Vote, VoteField};
use crate::ingest::votes::{VoteImportReport, import_votes};
use crate::store::Actor;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct VotesArgs {
    #[command(subcommand)]
    action: VotesAction,
}

#[derive(Subcommand, Debug)]
enum VotesAction {
    /// Import vote exports (CSV, XLSX/XLS/ODS): one row per option, rows with a comment become
    /// appeals of channel pos
    Import(ImportArgs),
    /// List the votes, latest first
    List(ListArgs),
    /// Show one vote: options with shares, the leader, participants, comments
    Show(ShowArgs),
    /// Write the votes to XLSX or CSV, one row per option, in the columns `import` reads
    Export(ExportArgs),
}

#[derive(Args, Debug)]
struct ImportArgs {
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// The time recorded for the changes (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Skip auto-triage of the comments' appeals
    #[arg(long)]
    no_triage: bool,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ShowArgs {
    /// The vote's id at its source, or its internal number
    id: String,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// The file to write
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// xlsx or csv (default: by the file's extension, else csv)
    #[arg(long, value_name = "F")]
    format: Option<TableFormat>,
    /// Print a summary as JSON (the file, the votes and rows written)
    #[arg(long)]
    json: bool,
}

pub fn run(ws: &Workspace, a: VotesArgs) -> CmdResult {
    match a.action {
        VotesAction::Import(a) => import(ws, a),
        VotesAction::List(a) => list(ws, a),
        VotesAction::Show(a) => show(ws, a),
        VotesAction::Export(a) => export(ws, a),
    }
}

/// The columns of the export: a vote's own, then the option's (the canonical columns of the
/// import; the comments are appeals, exported with `mcu export`).
const EXPORT_COLUMNS: [VoteField; 9] = [
    VoteField::VoteId,
    VoteField::Title,
    VoteField::Kind,
    VoteField::StartedAt,
    VoteField::EndedAt,
    VoteField::Settlement,
    VoteField::Option,
    VoteField::Votes,
    VoteField::Participants,
];

/// The header the export writes for a column (the first of the shipped `[vote_headers]`).
fn export_header(f: VoteField) -> &'static str {
    match f {
        VoteField::VoteId => "Номер голосования",
        VoteField::Title => "Название",
        VoteField::Kind => "Вид",
        VoteField::StartedAt => "Дата начала",
        VoteField::EndedAt => "Дата окончания",
        VoteField::Settlement => "Населённый пункт",
        VoteField::Option => "Вариант ответа",
        VoteField::Votes => "Голосов",
        VoteField::Participants => "Участников",
        other => other.name(),
    }
}

fn export(ws: &Workspace, a: ExportArgs) -> CmdResult {
    let (store, _) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let votes = store.votes()?;
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for v in &votes {
        let own = [
            v.vote_id.clone(),
            v.title.clone(),
            v.kind.label_ru().to_string(),
            when(v.started_at),
            when(v.ended_at),
            v.settlement.clone().unwrap_or_default(),
        ];
        let participants = v.participants.map(|p| p.to_string()).unwrap_or_default();
        if v.options.is_empty() {
            let mut row = own.to_vec();
            row.extend([String::new(), String::new(), participants.clone()]);
            rows.push(row);
        }
        for o in &v.options {
            let mut row = own.to_vec();
            row.extend([o.option.clone(), o.votes.to_string(), participants.clone()]);
            rows.push(row);
        }
    }
    let header: Vec<&str> = EXPORT_COLUMNS.iter().map(|f| export_header(*f)).collect();
    let format = TableFormat::of(a.format, &a.output);
    table_file::write(&a.output, format, "Голосования", &header, &rows)?;
    if a.json {
        print_json(&json!({
            "file": a.output.display().to_string(),
            "votes": votes.len(),
            "rows": rows.len(),
        }))?;
    } else {
        println!(
            "{}: {} votes, {} rows",
            a.output.display(),
            votes.len(),
            rows.len()
        );
    }
    Ok(0)
}

fn import(ws: &Workspace, a: ImportArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    super::require(grants.may_import(), "importing files")?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let triage = if a.no_triage {
        None
    } else {
        Some(store.load_triage(Some(ws.root()))?)
    };
    let mut reports = Vec::new();
    for f in &a.files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let actor = Actor::operator(grants.clone(), format!("import:{name}"));
        reports.push(import_votes(&mut store, triage.as_ref(), f, &actor, now)?);
    }
    if a.json {
        print_json(&reports)?;
    } else {
        for r in &reports {
            print_report(r);
        }
    }
    Ok(if reports.iter().any(|r| !r.errors.is_empty()) {
        EXIT_QUARANTINED
    } else {
        0
    })
}

fn print_report(r: &VoteImportReport) {
    println!(
        "{}: {} rows; votes: {} new, {} updated, {} unchanged; comments: {} new, {} updated, {} \
         unchanged",
        r.file,
        r.rows,
        r.votes.inserted,
        r.votes.updated,
        r.votes.unchanged,
        r.comments.inserted,
        r.comments.updated,
        r.comments.unchanged
    );
    for w in &r.warnings {
        println!("  warning: {w}");
    }
    if let Some(t) = &r.triaged {
        println!(
            "  auto-triage: {} appeal(s), {} block(s) set",
            t.appeals, t.blocks_set
        );
    }
    for e in &r.errors {
        // The reason quotes the cell, never a comment's text.
        eprintln!("{}:{}: column «{}»: {}", r.file, e.line, e.column, e.reason);
    }
}

fn list(ws: &Workspace, a: ListArgs) -> CmdResult {
    let (store, _) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let votes = store.votes()?;
    let counts = store.vote_comment_counts()?;
    if a.json {
        let out: Vec<Value> = votes
            .iter()
            .map(|v| vote_json(v, counts.get(&v.vote_id).copied().unwrap_or(0), None, tz))
            .collect();
        print_json(&out)?;
        return Ok(0);
    }
    if votes.is_empty() {
        println!("no votes (mcu votes import FILE)");
    }
    for v in &votes {
        let leader = v.leader().map(|o| o.option.as_str()).unwrap_or("—");
        println!(
            "{}  {}  {}  {:>6} уч.  {:>4} комм.  лидер: {}  {}",
            fit(&v.vote_id, 14),
            fit(v.kind.label_ru(), 11),
            v.ended_at
                .map(|t| short(t, tz))
                .unwrap_or_else(|| "идёт".into()),
            v.participants
                .map(|p| p.to_string())
                .unwrap_or_else(|| "—".into()),
            counts.get(&v.vote_id).copied().unwrap_or(0),
            fit(leader, 24),
            v.title
        );
    }
    Ok(0)
}

fn show(ws: &Workspace, a: ShowArgs) -> CmdResult {
    let (store, _) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let Some(v) = store.vote(&a.id)? else {
        return Err(super::Failure {
            code: 1,
            message: format!("no vote «{}» (mcu votes list)", a.id),
        });
    };
    let comments = store.vote_comments(&v.vote_id)?;
    if a.json {
        print_json(&vote_json(&v, comments.len() as i64, Some(&comments), tz))?;
        return Ok(0);
    }
    println!("{} ({}): {}", v.vote_id, v.kind.label_ru(), v.title);
    if let Some(s) = &v.settlement {
        println!("населённый пункт: {s}");
    }
    println!(
        "период: {} — {}",
        v.started_at
            .map(|t| short(t, tz))
            .unwrap_or_else(|| "?".into()),
        v.ended_at
            .map(|t| short(t, tz))
            .unwrap_or_else(|| "идёт".into())
    );
    println!(
        "участников: {}; голосов: {}",
        v.participants
            .map(|p| p.to_string())
            .unwrap_or_else(|| "—".into()),
        v.votes_cast()
    );
    let leader = v.leader().map(|o| o.option.clone());
    for o in v.shares() {
        let mark = if leader.as_deref() == Some(o.option.as_str()) {
            "★"
        } else {
            " "
        };
        println!(
            "{mark} {:>5.1} %  {:>6}  {}",
            o.share * 100.0,
            o.votes,
            o.option
        );
    }
    println!(
        "комментариев: {} (обращения ПОС: {})",
        comments.len(),
        comments
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}

/// The JSON view of a vote; `comment_ids` (the appeals made of its comments) in `show`.
fn vote_json(v: &Vote, comments: i64, comment_ids: Option<&[i64]>, tz: Tz) -> Value {
    let mut out = json!({
        "id": v.id,
        "vote_id": v.vote_id,
        "title": v.title,
        "kind": v.kind.id(),
        "started_at": json_time(v.started_at, tz),
        "ended_at": json_time(v.ended_at, tz),
        "settlement": v.settlement,
        "participants": v.participants,
        "votes_cast": v.votes_cast(),
        "options": v.shares(),
        "leader": v.leader().map(|o| o.option.clone()),
        "comments": comments,
    });
    if let (Some(ids), Some(o)) = (comment_ids, out.as_object_mut()) {
        o.insert("comment_appeals".into(), json!(ids));
    }
    out
}

//! `mcu pages`: the registry of official pages — import, list, show, check, set, export.
//! Changing the registry needs `Action::KeepPages`; reading it, `Action::See`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};

use super::table_file::{self, TableFormat};
use super::{CmdResult, Failure, output, usage};
use crate::domain::access::Action;
use crate::domain::pages::checks::{self, Evidence, Finding, Settings};
use crate::domain::pages::{Category, Page, Platform};
use crate::ingest::pages::{self as file, Rows};
use crate::store::{Actor, PageSaved, Store, apply_page_field};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct PagesArgs {
    #[command(subcommand)]
    command: PagesCommand,
}

#[derive(Subcommand, Debug)]
enum PagesCommand {
    /// Import a registry or statistics file (CSV, XLSX), told apart by its columns
    Import(ImportArgs),
    /// List the pages with how many findings each has, worst first
    List(CheckArgs),
    /// Show one page: fields, findings, the last weeks' activity
    Show(ShowArgs),
    /// Check the pages: findings with their reasons, worst first
    Check(CheckArgs),
    /// Change fields of a page (audited)
    Set(Box<SetArgs>),
    /// Write the registry to a CSV or XLSX file with the headers people keep it with
    Export(ExportArgs),
}

#[derive(Args, Debug)]
struct ImportArgs {
    file: PathBuf,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The instant checked as of (default: now)
    #[arg(long)]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ShowArgs {
    url: String,
    #[arg(long)]
    now: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct SetArgs {
    url: String,
    #[arg(long)]
    body: Option<String>,
    #[arg(long)]
    platform: Option<String>,
    #[arg(long)]
    category: Option<String>,
    /// yes/no (да/нет)
    #[arg(long)]
    mark: Option<String>,
    #[arg(long)]
    widgets: Option<String>,
    #[arg(long)]
    site_link: Option<String>,
    #[arg(long)]
    comments_open: Option<String>,
    #[arg(long)]
    admins: Option<String>,
    #[arg(long = "admins-2fa")]
    admins_2fa: Option<String>,
    /// A date (ГГГГ-ММ-ДД or ДД.ММ.ГГГГ)
    #[arg(long)]
    checked_at: Option<String>,
    /// The instant of the change (default: now)
    #[arg(long)]
    now: Option<String>,
}

#[derive(Args, Debug)]
struct ExportArgs {
    file: PathBuf,
    /// xlsx or csv (default: by the file's extension, else csv)
    #[arg(long, value_name = "F")]
    format: Option<TableFormat>,
}

pub fn run(ws: &Workspace, a: PagesArgs) -> CmdResult {
    match a.command {
        PagesCommand::Import(a) => import(ws, a),
        PagesCommand::List(a) => check(ws, a, true),
        PagesCommand::Check(a) => check(ws, a, false),
        PagesCommand::Show(a) => show(ws, a),
        PagesCommand::Set(a) => set(ws, *a),
        PagesCommand::Export(a) => export(ws, a),
    }
}

/// The check settings: the shipped ones with the workspace's `pages.toml` over them.
pub fn settings(root: &Path) -> Result<Settings, Failure> {
    crate::reference::page_checks(root).map_err(|e| usage(e.to_string()))
}

/// Every page with its findings as of `now`, worst first.
pub fn checked(
    store: &Store,
    s: &Settings,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Vec<(Page, Vec<Finding>)>, Failure> {
    Ok(store.checked_pages(s, now, today)?)
}

fn today_of(store: &Store, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&store.reference().calendar.timezone())
        .date_naive()
}

fn check(ws: &Workspace, a: CheckArgs, summary: bool) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    super::require(grants.may_some(Action::See), "seeing the registry of pages")?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let s = settings(ws.root())?;
    let all = checked(&store, &s, now, today_of(&store, now))?;
    if a.json {
        let v: Vec<_> = all
            .iter()
            .map(|(p, f)| {
                let mut v = serde_json::json!({"url": p.url, "body": p.body, "findings": f});
                if summary {
                    v["platform"] = p.platform.id().into();
                    v["category"] = p.category.id().into();
                }
                v
            })
            .collect();
        output::print_json(&v)?;
        return Ok(0);
    }
    if all.is_empty() {
        println!("the registry of pages is empty (mcu pages import FILE)");
    }
    for (p, f) in &all {
        if summary {
            println!(
                "{:<40} {:<9} {:<12} {:>2} замеч.  {}",
                p.url,
                p.platform.id(),
                p.category.label(),
                f.len(),
                p.body
            );
        } else if !f.is_empty() {
            println!("{} — {}", p.url, p.body);
            for x in f {
                println!("  {:<20} {}", x.id, x.reason);
            }
        }
    }
    if !summary && all.iter().all(|(_, f)| f.is_empty()) && !all.is_empty() {
        println!("no findings");
    }
    Ok(0)
}

fn yes(b: bool) -> &'static str {
    if b { "да" } else { "нет" }
}

fn show(ws: &Workspace, a: ShowArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    super::require(grants.may_some(Action::See), "seeing the registry of pages")?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let p = store
        .page(&a.url)?
        .ok_or_else(|| usage(format!("no page «{}» in the registry", a.url)))?;
    let s = settings(ws.root())?;
    let stats = store.page_stats(&p.url)?;
    let unanswered = store.page_unanswered(&p.url, now)?;
    let f = checks::check(
        &p,
        &Evidence {
            stats: &stats,
            unanswered,
        },
        &s,
        today_of(&store, now),
    );
    if a.json {
        output::print_json(&serde_json::json!({
            "id": p.id, "url": p.url, "body": p.body, "platform": p.platform.id(),
            "category": p.category.id(), "mark": p.mark, "widgets": p.widgets,
            "site_link": p.site_link, "comments_open": p.comments_open, "admins": p.admins,
            "admins_2fa": p.admins_2fa, "checked_at": p.checked_at.map(|d| d.to_string()),
            "findings": f,
            "stats": stats.iter().map(|x| serde_json::json!({
                "date": x.date.to_string(), "posts": x.posts, "views": x.views,
                "subscribers": x.subscribers, "likes": x.likes, "comments": x.comments,
                "reposts": x.reposts})).collect::<Vec<_>>(),
        }))?;
        return Ok(0);
    }
    println!("{} — {}", p.url, p.body);
    println!(
        "площадка: {}   категория: {}",
        p.platform.id(),
        p.category.label()
    );
    println!(
        "отметка: {}   виджеты ПОС: {}   ссылка на сайт: {}   комментарии открыты: {}",
        yes(p.mark),
        yes(p.widgets),
        yes(p.site_link),
        yes(p.comments_open)
    );
    println!(
        "администраторы: {} (с 2FA: {})   проверена: {}",
        p.admins,
        p.admins_2fa,
        p.checked_at
            .map(|d| d.format("%d.%m.%Y").to_string())
            .unwrap_or_else(|| "никогда".into())
    );
    if f.is_empty() {
        println!("замечаний нет");
    }
    for x in &f {
        println!("  {:<20} {}", x.id, x.reason);
    }
    for x in stats.iter().rev().take(8) {
        println!(
            "  {}  публикаций {:>3}  просмотров {:>7}  подписчиков {:>7}",
            x.date.format("%d.%m.%Y"),
            x.posts,
            x.views,
            x.subscribers
        );
    }
    Ok(0)
}

fn set(ws: &Workspace, a: SetArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    super::require(
        grants.may_all(Action::KeepPages),
        "keeping the registry of pages",
    )?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let mut p = store
        .page(&a.url)?
        .ok_or_else(|| usage(format!("no page «{}» in the registry", a.url)))?;
    let given = [
        ("body", &a.body),
        ("platform", &a.platform),
        ("category", &a.category),
        ("mark", &a.mark),
        ("widgets", &a.widgets),
        ("site_link", &a.site_link),
        ("comments_open", &a.comments_open),
        ("admins", &a.admins),
        ("admins_2fa", &a.admins_2fa),
        ("checked_at", &a.checked_at),
    ];
    let mut any = false;
    for (field, v) in given {
        if let Some(v) = v {
            apply_page_field(&mut p, field, v).map_err(|e| usage(format!("--{field}: {e}")))?;
            any = true;
        }
    }
    if !any {
        return Err(usage("nothing to change: give a field, e.g. --mark yes"));
    }
    let actor = Actor::operator(grants, "cli");
    match store.save_page(&actor, now, &p)? {
        PageSaved::Unchanged(_) => println!("{}: unchanged", p.url),
        _ => println!("{}: saved", p.url),
    }
    Ok(0)
}

fn import(ws: &Workspace, a: ImportArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    super::require(
        grants.may_all(Action::KeepPages),
        "keeping the registry of pages",
    )?;
    let now = Utc::now();
    let name = a.file.display().to_string();
    let reference = store.reference().clone();
    let read = file::read(&a.file, &reference.profiles).map_err(|e| Failure {
        code: 1,
        message: format!("{name}: {e}"),
    })?;
    let mut errors: Vec<String> = read
        .errors
        .iter()
        .map(|e| bad_row(&name, e.line, &e.field, &e.reason))
        .collect();
    let actor = Actor::operator(grants, format!("import:{name}"));
    let (kind, done) = match read.rows {
        Rows::Stats(rows) => {
            let rows: Vec<_> = rows.into_iter().map(|(_, u, s)| (u, s)).collect();
            let n = store.import_page_stats(&actor, now, &name, &rows)?;
            ("statistics", n)
        }
        Rows::Registry(rows) => {
            let mut n = 0;
            for r in rows {
                match registry_row(&store, &r) {
                    Ok(p) => {
                        store.save_page(&actor, now, &p)?;
                        n += 1;
                    }
                    Err((field, reason)) => {
                        errors.push(bad_row(&name, r.line, &field, &reason));
                    }
                }
            }
            ("registry", n)
        }
    };
    if a.json {
        output::print_json(&serde_json::json!({
            "file": name, "kind": kind, "imported": done, "errors": errors,
        }))?;
    } else {
        println!("{name}: {kind}, {done} rows imported, {} bad", errors.len());
        for e in &errors {
            eprintln!("{e}");
        }
    }
    Ok(if errors.is_empty() { 0 } else { 3 })
}

fn bad_row(file: &str, line: u64, column: &str, reason: &str) -> String {
    if column.is_empty() {
        format!("{file}: line {line}: {reason}")
    } else {
        format!("{file}: line {line}, column «{column}»: {reason}")
    }
}

/// The page a registry row makes: the stored one (if any) with the row's cells over it.
fn registry_row(store: &Store, r: &file::RegistryRow) -> Result<Page, (String, String)> {
    let existing = store
        .page(&r.url)
        .map_err(|e| (String::new(), e.to_string()))?;
    let has = |f: &str| r.cells.iter().any(|(x, _, _)| *x == f);
    let mut p = match existing {
        Some(p) => p,
        None => {
            if !has("body") {
                return Err((
                    String::new(),
                    "a new page needs its body («Наименование органа»)".into(),
                ));
            }
            if !has("category") {
                return Err((
                    String::new(),
                    "a new page needs its category («Категория»)".into(),
                ));
            }
            let platform = Platform::of_url(&r.url);
            if platform.is_none() && !has("platform") {
                return Err((
                    String::new(),
                    format!("the platform of {} is not known: give «Площадка»", r.url),
                ));
            }
            Page {
                id: 0,
                body: String::new(),
                platform: platform.unwrap_or(Platform::Vk),
                url: r.url.clone(),
                category: Category::Card,
                mark: false,
                widgets: false,
                site_link: false,
                comments_open: true,
                admins: 0,
                admins_2fa: 0,
                checked_at: None,
            }
        }
    };
    for (field, header, v) in &r.cells {
        apply_page_field(&mut p, field, v).map_err(|e| (header.clone(), e))?;
    }
    Ok(p)
}

fn export(ws: &Workspace, a: ExportArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    super::require(grants.may_some(Action::See), "seeing the registry of pages")?;
    let pages = store.pages()?;
    let cols = [
        "body",
        "platform",
        "url",
        "category",
        "mark",
        "widgets",
        "site_link",
        "comments_open",
        "admins",
        "admins_2fa",
        "checked_at",
    ];
    let rows: Vec<[String; 11]> = pages
        .iter()
        .map(|p| {
            [
                p.body.clone(),
                p.platform.id().to_string(),
                format!("https://{}", p.url),
                p.category.label().to_string(),
                yes(p.mark).to_string(),
                yes(p.widgets).to_string(),
                yes(p.site_link).to_string(),
                yes(p.comments_open).to_string(),
                p.admins.to_string(),
                p.admins_2fa.to_string(),
                p.checked_at
                    .map(|d| d.format("%d.%m.%Y").to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header: Vec<&str> = cols.iter().map(|c| file::russian_header(c)).collect();
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    // A body such as «=HYPERLINK(…)» stays text in Excel (read back as it was by `mcu pages import`).
    table_file::write(
        &a.file,
        TableFormat::of(a.format, &a.file),
        "Госпаблики",
        &header,
        &rows,
    )?;
    println!("{}: {} pages", a.file.display(), pages.len());
    Ok(0)
}

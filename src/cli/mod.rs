//! The command line (clap): thin commands over the library. Exit codes: 0 success, 1 failure,
//! 2 usage error, 3 imported with some rows or files quarantined.

mod add;
mod admin;
mod analytics;
mod appeals;
mod bench;
mod bench_console;
mod bench_import_pg;
mod bench_report;
mod bench_triage;
mod console;
mod deadline;
mod demo;
mod export;
mod import;
mod migrate;
mod output;
mod pages;
mod purge;
mod region;
mod report;
mod roadmap;
mod serve;
mod stats;
mod table_file;
mod templates;
mod triage;
mod votes;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use clap::{Parser, Subcommand};

use crate::workspace::Workspace;

/// Exit code: imported, but some rows or files went to quarantine.
pub const EXIT_QUARANTINED: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "mcu",
    version,
    about = "Операторская консоль МЦУ — citizen appeals, deadlines and ranking of a municipal control center",
    long_about = None
)]
struct Cli {
    /// Workspace folder (default: $MCU_HOME, else the platform data dir, ~/.local/share/mcu)
    #[arg(long, global = true, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// A PostgreSQL database instead of the workspace's mcu.db: postgres://user@host/db
    /// (default: [store] url of the workspace's config.toml)
    #[arg(
        long = "db",
        global = true,
        value_name = "URL",
        env = "MCU_DB",
        hide_env_values = true
    )]
    db: Option<String>,
    /// The municipality (its code) to work in, in a PostgreSQL database
    #[arg(long, global = true, value_name = "CODE", env = "MCU_MUNICIPALITY")]
    municipality: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the live console (the default when no command is given)
    Console(console::ConsoleArgs),
    /// Create a workspace: mcu.db, inbox/{im,pos,letters,pages}, processed/, quarantine/, reports/
    Init(InitArgs),
    /// Import export files (CSV, XLSX/XLS/ODS, JSON Lines, JSON, Open311), or everything in inbox/
    Import(import::ImportArgs),
    /// Add an appeal taken by hand (a phone call, a visitor): mcu gives its id and triages it
    Add(add::AddArgs),
    /// Votes and public discussions of ПОС: import their exports, list, show, export
    Votes(votes::VotesArgs),
    /// List appeals, newest first
    List(appeals::ListArgs),
    /// Show one appeal: fields, deadlines, history
    Show(appeals::ShowArgs),
    /// Change an appeal (audited)
    Set(appeals::SetArgs),
    /// Counts by channel, block and status; open and overdue
    Stats(stats::StatsArgs),
    /// Ranking of responsible recipients for a period (with --explain: the appeals behind it)
    Rank(analytics::RankArgs),
    /// The region (ЦУР, PostgreSQL): ranking and monitoring of municipalities, their population,
    /// the region's operators; --municipality A,B shows only those
    Region(region::RegionArgs),
    /// Hot topics: this week against the usual level, and where they grow
    Hot(analytics::HotArgs),
    /// Target indicators (целевые показатели): actual against target
    Targets(analytics::TargetsArgs),
    /// Conflicts, reopened appeals and formal answers of a period, per recipient
    Conflicts(analytics::ConflictsArgs),
    /// Reports: the analytical note (note), the ЦУР materials (cur), the systemd timer (schedule)
    Report(report::ReportArgs),
    /// Compute the deadlines of an appeal received at a given time
    Deadline(deadline::DeadlineArgs),
    /// Import files as they land in inbox/, without the console (for a systemd service)
    Watch(watch::WatchArgs),
    /// The built-in SSH server: officers reach the console with a registered key (mcu operator key)
    Serve(serve::ServeArgs),
    /// Write appeals to a CSV file (personal data masked unless --with-personal-data)
    Export(export::ExportArgs),
    /// Remove files of processed/ and quarantine/ dated before a date (head or curator)
    Purge(purge::PurgeArgs),
    /// Manage operators: OS accounts, names, roles, blocks
    Operator(admin::OperatorArgs),
    /// The audit trail: verify its hash chain, list it
    Audit(admin::AuditArgs),
    /// The registry of official pages: import, list, show, check, set, export
    Pages(pages::PagesArgs),
    /// List or add responsible recipients
    Recipients(appeals::RecipientsArgs),
    /// Answer templates: list, show (filled for an appeal), add, edit
    Templates(templates::TemplatesArgs),
    /// Answers: the formal-reply («отписка») check
    Answers(templates::AnswersArgs),
    /// Roadmaps («дорожные карты»): add, list, show, edit, link appeals, measures, export, import
    Roadmap(roadmap::RoadmapArgs),
    /// Auto-triage JSON Lines from stdin: block, confidence, settlement, recipient, urgent, conflict
    Classify(triage::ClassifyArgs),
    /// Score auto-triage on a labelled file (with --cv: cross-validate the candidate methods)
    Eval(triage::EvalArgs),
    /// Proposed duplicate groups and repeats
    Dups(triage::DupsArgs),
    /// Fill a demo workspace with three months of made-up appeals and open the console on it:
    /// --workspace DIR, else mcu-demo in the platform data dir (~/.local/share/mcu-demo)
    Demo(demo::DemoArgs),
    /// Benchmarks: import (against sqlite3), console, triage
    Bench(bench::BenchArgs),
    /// Move an okrug's SQLite workspace into the region's PostgreSQL database (--municipality
    /// CODE): every table, ids and the audit chain kept, counts verified, all or nothing
    Migrate(migrate::MigrateArgs),
}

#[derive(clap::Args, Debug)]
struct InitArgs {
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

/// `mcu init`: the workspace is made by opening it; the account running it is its first head.
fn init(ws: &Workspace, a: InitArgs) -> CmdResult {
    let (_, grants) = session(ws)?;
    tracing::info!(operator = %grants.login, "workspace ready");
    if a.json {
        output::print_json(&serde_json::json!({
            "workspace": ws.root().display().to_string(),
            "database": ws.location()?.to_string(),
            "inbox": ws.inbox().display().to_string(),
            "operator": grants.login,
            "roles": grants.roles,
        }))?;
    } else {
        println!("workspace ready: {}", ws.root().display());
    }
    Ok(0)
}

/// A command's failure, with the exit code to give.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure {
            code: 1,
            message: e.to_string(),
        }
    }
}

/// Result of a command: the exit code on success (0 or 3).
pub type CmdResult = Result<u8, Failure>;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    crate::logging::init();
    tracing::info!(command = ?cli.command.as_ref().map(command_name), "start");
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            tracing::warn!(code = f.code, "failed");
            eprintln!("mcu: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// `mcu list | head` closes the pipe early: end quietly (as with SIGPIPE, exit code 141) instead of
/// reporting a panic from `println!`.
fn quiet_broken_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        previous(info);
    }));
}

fn run(cli: Cli) -> CmdResult {
    let command = cli
        .command
        .unwrap_or_else(|| Command::Console(console::ConsoleArgs::default()));
    // These two never touch the officer's workspace: they choose their own folders.
    let command = match command {
        Command::Demo(a) => return demo::run(cli.workspace.as_deref(), a),
        Command::Bench(a) => return bench::run(a, cli.db),
        Command::Migrate(a) => return migrate::run(a, cli.db, cli.municipality),
        other => other,
    };
    let root = Workspace::locate(cli.workspace.as_deref())?;
    // A folder the officer named must exist; only `init` makes one (the platform default is made
    // on first use, as nobody typed it).
    let named =
        cli.workspace.is_some() || std::env::var_os("MCU_HOME").is_some_and(|v| !v.is_empty());
    let ws = if named && !matches!(command, Command::Init(_)) {
        Workspace::open_existing(&root)?
    } else {
        Workspace::open(&root)?
    };
    // The region's commands take --municipality as a filter (several codes), not as where to work.
    let filter = cli.municipality.clone().filter(|m| !m.is_empty());
    let ws = ws.with_database(cli.db, cli.municipality);
    match command {
        Command::Console(a) => console::open(&ws, a, None),
        Command::Init(a) => init(&ws, a),
        Command::Import(a) => import::run(&ws, a),
        Command::Add(a) => add::run(&ws, a),
        Command::Votes(a) => votes::run(&ws, a),
        Command::List(a) => appeals::list(&ws, a),
        Command::Show(a) => appeals::show(&ws, a),
        Command::Set(a) => appeals::set(&ws, a),
        Command::Stats(a) => stats::run(&ws, a),
        Command::Deadline(a) => deadline::run(&ws, a),
        Command::Rank(a) => analytics::rank(&ws, a),
        Command::Region(a) => region::run(&ws, a, filter),
        Command::Hot(a) => analytics::hot(&ws, a),
        Command::Targets(a) => analytics::targets(&ws, a),
        Command::Conflicts(a) => analytics::conflicts(&ws, a),
        Command::Report(a) => report::run(&ws, a),
        Command::Recipients(a) => appeals::recipients(&ws, a),
        Command::Templates(a) => templates::templates(&ws, a),
        Command::Answers(a) => templates::answers(&ws, a),
        Command::Roadmap(a) => roadmap::run(&ws, a),
        Command::Watch(a) => watch::run(&ws, a),
        Command::Serve(a) => serve::run(&ws, a),
        Command::Export(a) => export::run(&ws, a),
        Command::Purge(a) => purge::run(&ws, a),
        Command::Operator(a) => admin::operator(&ws, a),
        Command::Audit(a) => admin::audit(&ws, a),
        Command::Pages(a) => pages::run(&ws, a),
        Command::Classify(a) => triage::classify(&ws, a),
        Command::Eval(a) => triage::eval(&ws, a),
        Command::Dups(a) => triage::dups(&ws, a),
        Command::Demo(_) | Command::Bench(_) | Command::Migrate(_) => {
            Err(usage("not a workspace command"))
        }
    }
}

/// The subcommand's name, for the log (never its arguments: they may carry personal data).
fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Console(_) => "console",
        Command::Init(_) => "init",
        Command::Import(_) => "import",
        Command::Add(_) => "add",
        Command::Votes(_) => "votes",
        Command::List(_) => "list",
        Command::Show(_) => "show",
        Command::Set(_) => "set",
        Command::Stats(_) => "stats",
        Command::Rank(_) => "rank",
        Command::Region(_) => "region",
        Command::Hot(_) => "hot",
        Command::Targets(_) => "targets",
        Command::Conflicts(_) => "conflicts",
        Command::Report(_) => "report",
        Command::Deadline(_) => "deadline",
        Command::Watch(_) => "watch",
        Command::Serve(_) => "serve",
        Command::Recipients(_) => "recipients",
        Command::Templates(_) => "templates",
        Command::Answers(_) => "answers",
        Command::Roadmap(_) => "roadmap",
        Command::Export(_) => "export",
        Command::Purge(_) => "purge",
        Command::Operator(_) => "operator",
        Command::Audit(_) => "audit",
        Command::Pages(_) => "pages",
        Command::Demo(_) => "demo",
        Command::Classify(_) => "classify",
        Command::Eval(_) => "eval",
        Command::Dups(_) => "dups",
        Command::Bench(_) => "bench",
        Command::Migrate(_) => "migrate",
    }
}

/// A usage error (exit code 2).
pub(crate) fn usage(msg: impl Into<String>) -> Failure {
    Failure {
        code: 2,
        message: msg.into(),
    }
}

/// The login of the real user running mcu (the real uid, not `$USER`, which anyone can set).
///
/// Root may act as another operator with `MCU_AS=LOGIN` (root can become any account anyway; this
/// is how an administrator checks what an officer sees, and how the tests play each role). For any
/// other account `MCU_AS` is ignored.
pub fn operator_login() -> String {
    let uid = uzers::get_current_uid();
    if uid == 0
        && let Some(login) = std::env::var_os("MCU_AS").filter(|v| !v.is_empty())
    {
        return login.to_string_lossy().into_owned();
    }
    uzers::get_user_by_uid(uid)
        .map(|u| u.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("uid:{uid}"))
}

/// Opens the workspace's store as the operator running mcu: the store and what they may do. An
/// account that is not an operator is refused with what to ask for.
pub(crate) fn session(
    ws: &Workspace,
) -> Result<(crate::store::Store, crate::domain::access::Grants), Failure> {
    let mut store = ws.store()?;
    let grants = store.grants_for(&operator_login(), Utc::now())?;
    Ok((store, grants))
}

/// Refuses an action the operator may not take.
pub(crate) fn require(allowed: bool, what: &str) -> Result<(), Failure> {
    if allowed {
        Ok(())
    } else {
        Err(Failure {
            code: 1,
            message: format!(
                "not allowed: {what} (your roles do not include it; see mcu operator list)"
            ),
        })
    }
}

/// Parses a `--now`-style instant (RFC 3339, or a local date-time in the workspace zone);
/// none means the current time.
pub(crate) fn instant(s: Option<&str>, tz: Tz, flag: &str) -> Result<DateTime<Utc>, Failure> {
    match s {
        None => Ok(Utc::now()),
        Some(s) => {
            crate::ingest::values::parse_datetime(s, tz).map_err(|e| usage(format!("{flag}: {e}")))
        }
    }
}

/// Parses an optional instant flag.
pub(crate) fn instant_opt(
    s: Option<&str>,
    tz: Tz,
    flag: &str,
) -> Result<Option<DateTime<Utc>>, Failure> {
    s.map(|s| instant(Some(s), tz, flag)).transpose()
}

/// The start of a local date, as an instant.
pub(crate) fn day_start(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let naive = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| naive.and_utc())
}

/// Parses a `--from`/`--to` local date (`YYYY-MM-DD` or `DD.MM.YYYY`).
pub(crate) fn date_arg(s: &str, flag: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d.%m.%Y"))
        .map_err(|_| {
            usage(format!(
                "{flag}: «{s}» is not a date (YYYY-MM-DD or DD.MM.YYYY)"
            ))
        })
}

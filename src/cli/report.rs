//! `mcu report note`, `mcu report cur`, `mcu report schedule`: the analytical note and the ЦУР
//! materials as files, and the systemd units that make them on a timer.

use std::path::PathBuf;

use chrono::Utc;
use clap::{Args, Subcommand};

use super::{CmdResult, Failure, date_arg, require, session, usage};
use crate::report::make::{self, CurFormat};
use crate::report::render::Format;
use crate::report::{Preset, period};
use crate::store::Actor;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: ReportCommand,
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// The analytical note for the head (HTML with charts, DOCX or Markdown)
    Note(NoteArgs),
    /// The materials for the regional ЦУР: an XLSX workbook, or CSV files in a folder
    Cur(CurArgs),
    /// Print a systemd service and timer that make the weekly note and the monthly workbook
    Schedule(ScheduleArgs),
}

/// The period flags of the reports and the region's commands; each command has its default
/// period.
#[derive(Args, Debug)]
pub(super) struct PeriodFlags {
    /// First day of the period (local date, inclusive)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period (local date, inclusive)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// A named period instead of --from/--to (default: last-week for the note and the
    /// workbook, the month for the region's commands)
    #[arg(long, value_name = "P")]
    period: Option<Preset>,
    /// The instant figures are judged at (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
}

impl PeriodFlags {
    pub(super) fn resolve(
        &self,
        tz: chrono_tz::Tz,
        default: Preset,
    ) -> Result<(crate::analytics::Period, chrono::DateTime<Utc>), Failure> {
        let now = super::instant(self.now.as_deref(), tz, "--now")?;
        let from = self
            .from
            .as_deref()
            .map(|s| date_arg(s, "--from"))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| date_arg(s, "--to"))
            .transpose()?;
        let preset = self
            .period
            .or((from.is_none() && to.is_none()).then_some(default));
        let p = period::resolve(from, to, preset, now, tz).map_err(usage)?;
        Ok((p, now))
    }
}

#[derive(Args, Debug)]
struct NoteArgs {
    #[command(flatten)]
    period: PeriodFlags,
    /// html (default), docx or md
    #[arg(long, value_name = "F", default_value = "html")]
    format: Format,
    /// Write here (default: the workspace's reports/, named by the period)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print what was written as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct CurArgs {
    #[command(flatten)]
    period: PeriodFlags,
    /// xlsx (default): one workbook; csv: one file per sheet in the folder given by -o
    #[arg(long, value_name = "F", default_value = "xlsx")]
    format: CurFormat,
    /// The workbook (or, with --format csv, the folder); default: in reports/, named by the period
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Authors, contacts, addresses and texts unmasked (roles head and coordinator only)
    #[arg(long)]
    with_personal_data: bool,
    /// Print what was written as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ScheduleArgs {
    /// The account the units run as (default: the one running this)
    #[arg(long, value_name = "LOGIN")]
    user: Option<String>,
}

pub fn run(ws: &Workspace, a: ReportArgs) -> CmdResult {
    match a.command {
        ReportCommand::Note(n) => note(ws, n),
        ReportCommand::Cur(c) => cur_cmd(ws, c),
        ReportCommand::Schedule(s) => schedule(ws, s),
    }
}

fn note(ws: &Workspace, a: NoteArgs) -> CmdResult {
    let (mut store, grants) = session(ws)?;
    let tz = store.reference().calendar.timezone();
    let (p, now) = a.period.resolve(tz, Preset::LastWeek)?;
    let path = a
        .output
        .unwrap_or_else(|| ws.reports().join(make::note_name(p, a.format)));
    let actor = Actor::operator(grants, "cli");
    let (note, made) = make::note_file(&mut store, &actor, &path, p, now, a.format, Utc::now())
        .map_err(Failure::from)?;
    tracing::info!(
        kind = "note",
        format = a.format.extension(),
        entry = made.audit_entry,
        "report written"
    );
    if a.json {
        super::output::print_json(&serde_json::json!({
            "file": made.path.display().to_string(), "format": a.format.extension(),
            "from": p.from, "to": p.to,
            "received": note.totals.received, "recommendations": note.recommendations.len(),
            "audit_entry": made.audit_entry,
        }))?;
    } else {
        println!("{}", made.path.display());
    }
    Ok(0)
}

fn cur_cmd(ws: &Workspace, a: CurArgs) -> CmdResult {
    let (mut store, grants) = session(ws)?;
    if a.with_personal_data {
        require(
            grants.may_export_personal_data(),
            "exporting personal data (head or coordinator only)",
        )?;
    }
    let tz = store.reference().calendar.timezone();
    let (p, now) = a.period.resolve(tz, Preset::LastMonth)?;
    let path = a
        .output
        .unwrap_or_else(|| ws.reports().join(make::cur_name(p, a.format)));
    let actor = Actor::operator(grants.clone(), "cli");
    let (written, made) = make::cur_file(
        &mut store,
        &actor,
        &grants,
        &path,
        p,
        now,
        a.format,
        a.with_personal_data,
        Utc::now(),
    )
    .map_err(Failure::from)?;
    let ext = a.format.extension();
    tracing::info!(
        kind = "cur",
        format = ext,
        rows = written.appeals,
        personal_data = a.with_personal_data,
        entry = made.audit_entry,
        "report written"
    );
    if a.json {
        super::output::print_json(&serde_json::json!({
            "file": made.path.display().to_string(), "format": ext, "from": p.from, "to": p.to,
            "appeals": written.appeals, "overdue": written.overdue,
            "conflicts": written.conflicts, "personal_data": a.with_personal_data,
            "audit_entry": made.audit_entry,
        }))?;
    } else {
        println!("{}", made.path.display());
    }
    Ok(0)
}

/// The units `mcu report schedule` prints.
pub fn units(exe: &str, workspace: &str, user: &str, tz: &str) -> String {
    format!(
        "# /etc/systemd/system/mcu-report-note.service
[Unit]
Description=mcu: the weekly analytical note (HTML and DOCX) into {workspace}/reports

[Service]
Type=oneshot
User={user}
ExecStart={exe} --workspace {workspace} report note --period last-week --format html
ExecStart={exe} --workspace {workspace} report note --period last-week --format docx

# /etc/systemd/system/mcu-report-note.timer
[Unit]
Description=mcu: the weekly analytical note, Mondays at 08:00

[Timer]
OnCalendar=Mon *-*-* 08:00:00 {tz}
Persistent=true

[Install]
WantedBy=timers.target

# /etc/systemd/system/mcu-report-cur.service
[Unit]
Description=mcu: the monthly ЦУР workbook into {workspace}/reports

[Service]
Type=oneshot
User={user}
ExecStart={exe} --workspace {workspace} report cur --period last-month

# /etc/systemd/system/mcu-report-cur.timer
[Unit]
Description=mcu: the monthly ЦУР workbook, on the 1st at 08:00

[Timer]
OnCalendar=*-*-01 08:00:00 {tz}
Persistent=true

[Install]
WantedBy=timers.target

# Then: systemctl daemon-reload && systemctl enable --now mcu-report-note.timer mcu-report-cur.timer
"
    )
}

fn schedule(ws: &Workspace, a: ScheduleArgs) -> CmdResult {
    let store = ws.store()?;
    let tz = store.reference().calendar.timezone();
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "mcu".into());
    let user = a.user.unwrap_or_else(super::operator_login);
    print!(
        "{}",
        units(&exe, &ws.root().display().to_string(), &user, tz.name())
    );
    Ok(0)
}

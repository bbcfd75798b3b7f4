//! `mcu purge`: removes the files of `processed/` and `quarantine/` dated before a date — what the
//! retention (`[retention] files` in `config.toml`, applied on every import) has not removed yet.
//! Head or curator only. The appeals stay in the database.

use clap::Args;

use super::output::print_json;
use super::{CmdResult, date_arg, require, session, usage};
use crate::ingest::retention;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct PurgeArgs {
    /// Remove files dated before this local date (YYYY-MM-DD or DD.MM.YYYY; not after today)
    #[arg(long, value_name = "DATE", required = true)]
    before: String,
    /// Only list what would be removed
    #[arg(long)]
    dry_run: bool,
    /// The current time, which decides what "today" is (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

pub fn run(ws: &Workspace, a: PurgeArgs) -> CmdResult {
    let (store, grants) = session(ws)?;
    require(
        grants.may_manage(),
        "removing imported and quarantined files (head or curator only)",
    )?;
    let tz = store.reference().calendar.timezone();
    let before = date_arg(&a.before, "--before")?;
    let today = super::instant(a.now.as_deref(), tz, "--now")?
        .with_timezone(&tz)
        .date_naive();
    if before > today {
        // Today's folder is where the importer is moving files right now.
        return Err(usage(format!(
            "--before: {before} is after today ({today}); at most today's date"
        )));
    }
    let r = retention::purge(ws, before, tz, a.dry_run);
    if !a.dry_run {
        // There is no audit entry for files (the trail is per appeal): the log keeps who and
        // how much, never file names (they may name people).
        tracing::info!(
            operator = %grants.login,
            before = %before,
            files = r.files,
            bytes = r.bytes,
            failed = r.failed.len(),
            "purge"
        );
    }
    if a.json {
        print_json(&r)?;
    } else {
        let verb = if a.dry_run { "would remove" } else { "removed" };
        for f in &r.removed {
            println!("{verb} {} ({})", f.path, f.date);
        }
        println!(
            "{verb} {} file(s), {} bytes, dated before {before} from processed/ and quarantine/",
            r.files, r.bytes
        );
    }
    for f in &r.failed {
        eprintln!("could not remove {}: {}", f.path, f.reason);
    }
    if r.failed.is_empty() {
        Ok(0)
    } else {
        Err(super::Failure {
            code: 1,
            message: format!("{} file(s) could not be removed", r.failed.len()),
        })
    }
}

//! `mcu watch`: the inbox importer without a console, for a systemd service. With `--json`, one
//! JSON object per line (JSON Lines), each with an `event`: `watching`, `file` (one per
//! processed file, the fields of `mcu import --json`), `retention`, `import_failed`, `polling`.

use std::sync::mpsc;

use clap::Args;
use serde_json::{Value, json};

use super::{CmdResult, Failure};
use crate::ingest::watch::{ImportLock, ImportNotice, run_importer};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct WatchArgs {
    /// Machine-readable output: one JSON object per line (JSON Lines), one per event
    #[arg(long)]
    json: bool,
}

/// Prints one JSON Lines record: `event` first, then the fields of `body` (an object).
fn event(name: &str, body: Value) -> Result<(), Failure> {
    let mut line = serde_json::Map::new();
    line.insert("event".into(), json!(name));
    if let Value::Object(fields) = body {
        line.extend(fields);
    }
    println!("{}", serde_json::to_string(&Value::Object(line))?);
    Ok(())
}

pub fn run(ws: &Workspace, a: WatchArgs) -> CmdResult {
    let (_, grants) = super::session(ws)?;
    super::require(grants.may_import(), "importing files")?;
    let Some(lock) = ImportLock::try_acquire(ws)? else {
        return Err(Failure {
            code: 1,
            message: format!(
                "another mcu process already imports {} (a console or mcu watch); only one may",
                ws.inbox().display()
            ),
        });
    };
    if a.json {
        event(
            "watching",
            json!({"inbox": ws.inbox().display().to_string()}),
        )?;
    } else {
        println!(
            "watching {} (Ctrl-C stops; an interrupted import is redone whole)",
            ws.inbox().display()
        );
    }
    let (tx, rx) = mpsc::channel();
    let ws2 = ws.clone();
    let operator = grants.login.clone();
    let worker = std::thread::spawn(move || {
        let _lock = lock;
        run_importer(&ws2, &operator, &tx)
    });
    // Only file names and counts are printed: never the content (personal data).
    for notice in rx {
        match notice {
            ImportNotice::Imported(reports) => {
                for r in &reports {
                    if a.json {
                        event("file", super::import::service_report_json(r)?)?;
                    } else {
                        super::import::print_service_report(r);
                    }
                }
            }
            ImportNotice::Retention(r) => {
                super::import::log_retention(&r);
                if a.json {
                    event("retention", serde_json::to_value(&r)?)?;
                } else {
                    super::import::print_retention(&r);
                }
            }
            ImportNotice::Failed(e) => {
                if a.json {
                    event("import_failed", json!({"reason": e, "retry": true}))?;
                } else {
                    eprintln!("import failed (will retry): {e}");
                }
            }
            ImportNotice::Triaged(t) => {
                if a.json {
                    event("triaged", serde_json::to_value(&t)?)?;
                } else {
                    println!("pending appeals:");
                    super::import::print_triage(&t);
                }
            }
            ImportNotice::Polling(e) => {
                if a.json {
                    event(
                        "polling",
                        json!({"reason": e, "every_s": crate::ingest::watch::POLL.as_secs()}),
                    )?;
                } else {
                    eprintln!("file events unavailable ({e}); polling the inbox every 2 s");
                }
            }
        }
    }
    match worker.join() {
        Ok(r) => r.map(|()| 0).map_err(Failure::from),
        Err(_) => Err(Failure {
            code: 1,
            message: "the importer stopped unexpectedly".into(),
        }),
    }
}

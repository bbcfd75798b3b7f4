//! `mcu watch`: the inbox importer without a console, for a systemd service.

use std::sync::mpsc;

use clap::Args;

use super::{CmdResult, Failure};
use crate::ingest::watch::{ImportLock, ImportNotice, run_importer};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct WatchArgs {}

pub fn run(ws: &Workspace, _a: WatchArgs) -> CmdResult {
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
    println!(
        "watching {} (Ctrl-C stops; an interrupted import is redone whole)",
        ws.inbox().display()
    );
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
                    super::import::print_report(r);
                }
            }
            ImportNotice::Failed(e) => eprintln!("import failed (will retry): {e}"),
            ImportNotice::Triaged(t) => {
                println!("pending appeals:");
                super::import::print_triage(&t);
            }
            ImportNotice::Polling(e) => {
                eprintln!("file events unavailable ({e}); polling the inbox every 2 s")
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

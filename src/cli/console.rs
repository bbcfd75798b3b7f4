//! `mcu` / `mcu console`: the live console.

use std::path::PathBuf;

use clap::Args;

use super::{CmdResult, Failure};
use crate::tui::app::{App, Clock};
use crate::tui::console::Console;
use crate::tui::keymap::Keymap;
use crate::tui::run::{Hooks, Sidecar, run_with};
use crate::tui::theme::Theme;
use crate::workspace::Workspace;

#[derive(Args, Debug, Default)]
pub struct ConsoleArgs {
    /// Freeze the clock at this instant (demonstrations, screenshots)
    #[arg(long, value_name = "TS")]
    pub now: Option<String>,
    /// Draw borders with ASCII characters (for terminals that draw box characters wide)
    #[arg(long)]
    pub ascii: bool,
    /// Read only: no key that changes data
    #[arg(long)]
    pub read_only: bool,
    /// Do not import from inbox/ in the background
    #[arg(long)]
    pub no_import: bool,
    /// No terminal bell for a new urgent appeal (also `[alerts] bell = false` in console.toml)
    #[arg(long)]
    pub no_bell: bool,
    /// Key bindings to layer over the defaults (default: ~/.config/mcu/keymap.toml)
    #[arg(long, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
}

/// How long a quitting console waits for the importer to finish the file in hand.
const QUIT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Opens the console on a workspace; `sidecar` runs on every tick (the demo's simulator).
pub fn open(ws: &Workspace, a: ConsoleArgs, sidecar: Option<Sidecar>) -> CmdResult {
    let user = a.keymap.clone().or_else(Keymap::user_file);
    let mut keymap = Keymap::load(user.as_deref()).map_err(|e| Failure {
        code: 2,
        message: format!("the key bindings cannot be used:\n{e}"),
    })?;
    for w in keymap.warnings() {
        eprintln!("mcu: keymap: {w}");
    }
    let (store, grants) = super::session(ws)?;
    let read_only = a.read_only || !grants.may_change_any();
    let full_keymap = read_only.then(|| keymap.clone());
    keymap = crate::tui::console::bindings_for(keymap, &grants, a.read_only);
    let tz = store.reference().calendar.timezone();
    let clock = match a.now.as_deref() {
        Some(s) => Clock::Fixed(super::instant(Some(s), tz, "--now")?),
        None => Clock::Real,
    };
    let label = ws.root().file_name().map_or_else(
        || ws.root().display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let operator = grants.login.clone();
    let may_import = grants.may_import();
    let mut app = App::new(
        store,
        Theme::detect(a.ascii),
        clock,
        operator.clone(),
        label,
    );
    app.set_grants(grants);
    app.env.read_only = read_only;
    app.env.triage = Some(std::sync::Arc::new(
        app.env.store.load_triage(Some(ws.root()))?,
    ));
    app.env.alerts.bell = !a.no_bell
        && crate::tui::alerts::bell_setting(ws.root()).map_err(|e| Failure {
            code: 2,
            message: format!("the console settings cannot be used: {e}"),
        })?;
    app.load()?;
    app.queue_writes(Default::default())?;
    if let Some(w) = keymap.warnings().first() {
        app.say(format!("keymap: {w}"), true);
    }
    let (notices, importer) = if a.no_import || !may_import {
        (None, None)
    } else {
        let rx = crate::ingest::watch::spawn_stoppable(ws, &operator)?;
        if rx.is_none() {
            app.say(
                "Импорт из inbox ведёт другой процесс; данные обновляются",
                false,
            );
        }
        rx.unzip()
    };
    let mut console = Console::new(app, keymap);
    if let Some(full) = full_keymap {
        console = console.withholding(full);
    }
    let origin = crate::store::sessions::SessionOrigin {
        via: "local".into(),
        ..Default::default()
    };
    let row = crate::tui::presence::SessionRow::start(&mut console, origin);
    let hooks = Hooks {
        sidecar,
        companion: Some(Box::new(crate::tui::presence::LocalSession(row))),
        ..Hooks::default()
    };
    let ran = run_with(console, notices, hooks);
    // The file in hand is finished rather than cut off by the exit (`ingest::watch`), unless
    // it takes longer than an officer should wait after quitting.
    if let Some(i) = importer {
        i.stop_within(QUIT_WAIT);
    }
    ran?;
    Ok(0)
}

//! Logs go to a file, never to the screen (the console owns the terminal): the platform state dir,
//! `~/.local/state/mcu/mcu.log` on Linux, or `$MCU_LOG` if set. What is logged: commands, imports
//! (file names and counts), errors. Never the text, author or contact of an appeal (152-ФЗ).

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::Mutex;

/// Where the log is written.
pub fn log_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MCU_LOG").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "mcu")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("mcu.log"),
    )
}

/// Starts logging to the file; does nothing (and says nothing) when it cannot be opened.
pub fn init() {
    let Some(path) = log_path() else { return };
    if let Some(dir) = path.parent() {
        let _ = crate::workspace::create_private_dir(dir);
    }
    let new = !path.exists();
    let Ok(file) = OpenOptions::new().create(true).append(true).open(&path) else {
        return;
    };
    if new {
        crate::workspace::protect_private(&path);
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

//! The real binary, run as the account running the tests or as one operator or another: root may
//! act as any operator with `MCU_AS` (README), so tests of who may do what run it as each role on
//! one workspace, with the log written where the test can read it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs `mcu --workspace WS ARGS` as the account running the tests (no `MCU_HOME` from outside).
pub fn mcu(ws: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_DB")
        .env_remove("MCU_MUNICIPALITY")
        .output()
        .expect("mcu runs")
}

/// Whether this process may play other operators (root only); says so when it may not.
pub fn is_root() -> bool {
    let root = uzers::get_current_uid() == 0;
    if !root {
        eprintln!("skipped: playing other operators needs root (MCU_AS is honoured only for root)");
    }
    root
}

/// A workspace folder in a temporary directory, its log beside it.
pub struct AsOperator {
    pub dir: tempfile::TempDir,
    /// The workspace (not created until a command creates it).
    pub root: PathBuf,
    pub log: PathBuf,
    /// The PostgreSQL database the workspace's `[store]` names (none on SQLite).
    pub db: Option<super::pg::TestDb>,
}

impl AsOperator {
    /// A new temporary directory with the workspace `okrug` in it.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        Self {
            root: dir.path().join("okrug"),
            log: dir.path().join("mcu.log"),
            dir,
            db: None,
        }
    }

    /// The same on `engine`: on PostgreSQL the workspace folder is made with a `config.toml`
    /// whose `[store]` names a fresh database (nothing else is made before the first command).
    pub fn on(engine: super::engine::Engine) -> Self {
        let mut me = Self::new();
        let (root, db) = super::engine::fresh_workspace(engine, me.dir.path(), "okrug");
        me.root = root;
        me.db = db;
        me
    }

    /// Runs `mcu ARGS` as the operator `who`, `stdin` fed to it.
    pub fn run(&self, who: &str, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcu"))
            .arg("--workspace")
            .arg(&self.root)
            .args(args)
            .env("MCU_AS", who)
            .env("MCU_LOG", &self.log)
            .env_remove("MCU_HOME")
            .env_remove("MCU_DB")
            .env_remove("MCU_MUNICIPALITY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mcu starts");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes()).expect("stdin written");
        }
        child.wait_with_output().expect("mcu ends")
    }

    /// Runs `mcu ARGS` as `who`, nothing on stdin.
    pub fn mcu(&self, who: &str, args: &[&str]) -> Output {
        self.run(who, args, "")
    }

    /// Succeeds, or panics with what it said; its standard output.
    pub fn ok(&self, who: &str, args: &[&str]) -> String {
        let out = self.mcu(who, args);
        assert!(
            out.status.success(),
            "{who} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Default for AsOperator {
    fn default() -> Self {
        Self::new()
    }
}

//! One test body, run on both store engines: a workspace folder whose data lives either in its
//! own `mcu.db` (SQLite) or in a fresh PostgreSQL database named by `[store]` of its
//! `config.toml` — the way an officer points a workspace at the region's server.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::pg::TestDb;

/// The store engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Both engines, for `for engine in ENGINES`.
pub const ENGINES: [Engine; 2] = [Engine::Sqlite, Engine::Postgres];

/// A workspace on one engine.
pub struct EngineWs {
    pub engine: Engine,
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    db: Option<TestDb>,
}

impl EngineWs {
    /// A new workspace (made with `mcu init`); on PostgreSQL in municipality `municipality` of a
    /// database of its own.
    pub fn new(engine: Engine, municipality: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().join("okrug");
        std::fs::create_dir_all(&root).expect("workspace folder");
        let db = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => {
                let db = TestDb::create();
                std::fs::write(
                    root.join("config.toml"),
                    format!(
                        "[store]\nurl = \"{}\"\nmunicipality = \"{municipality}\"\n",
                        db.url()
                    ),
                )
                .expect("config.toml");
                Some(db)
            }
        };
        let ws = Self {
            engine,
            _dir: dir,
            root,
            db,
        };
        let out = ws.mcu(&["init"]);
        assert!(
            out.status.success(),
            "{engine:?}: init: {}",
            text(&out.stderr)
        );
        ws
    }

    /// The PostgreSQL database's URL (none on SQLite).
    pub fn url(&self) -> Option<&str> {
        self.db.as_ref().map(TestDb::url)
    }

    /// Runs `mcu --workspace ROOT ARGS` (nothing of the caller's environment chooses the store).
    pub fn mcu(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mcu"))
            .arg("--workspace")
            .arg(&self.root)
            .args(args)
            .env_remove("MCU_HOME")
            .env_remove("MCU_DB")
            .env_remove("MCU_MUNICIPALITY")
            .output()
            .expect("mcu runs")
    }

    /// Runs a command that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.mcu(args);
        assert!(
            out.status.success(),
            "{:?}: mcu {}: {}\n{}",
            self.engine,
            args.join(" "),
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs a command with `--json` that must succeed; its output parsed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let s = self.ok(&all);
        serde_json::from_str(&s).unwrap_or_else(|e| {
            panic!(
                "{:?}: mcu {}: not JSON ({e}): {s}",
                self.engine,
                all.join(" ")
            )
        })
    }

    /// A file in the workspace's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes `bytes` to `dir/name`.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("fixture");
    p
}

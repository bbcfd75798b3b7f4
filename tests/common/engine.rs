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

/// `on_both_engines!(body, …)` for bodies `fn body(engine: Engine)`: the tests `sqlite::body`
/// and `postgres::body`, so a failure names its engine and the two run in parallel.
#[allow(unused_macros)]
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name($crate::common::engine::Engine::Sqlite)
            })+
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name($crate::common::engine::Engine::Postgres)
            })+
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_both_engines;

/// A store opened directly (not through the binary) on `engine`: an in-memory SQLite database,
/// or a municipality of a fresh PostgreSQL database (kept while the returned guard lives).
pub fn memory_store(
    engine: Engine,
    reference: std::sync::Arc<mcu::reference::Reference>,
) -> (mcu::store::Store, Option<TestDb>) {
    match engine {
        Engine::Sqlite => (
            mcu::store::Store::open_in_memory(reference).expect("in-memory store"),
            None,
        ),
        Engine::Postgres => {
            let db = TestDb::create();
            let store = mcu::store::Store::open_postgres(db.url(), "okrug", reference)
                .unwrap_or_else(|e| panic!("Postgres: open: {e}"));
            (store, Some(db))
        }
    }
}

/// A store opened directly on `engine` the way a workspace opens it: an SQLite file (`mcu.db`)
/// in a temporary folder, or a municipality of a fresh PostgreSQL database. Derefs to the
/// [`mcu::store::Store`]; the file or database goes when this is dropped.
pub struct TestStore {
    // Declared first: dropped (its connection closed) before the database it uses.
    store: mcu::store::Store,
    pub engine: Engine,
    reference: std::sync::Arc<mcu::reference::Reference>,
    db: Option<TestDb>,
    dir: tempfile::TempDir,
}

impl TestStore {
    /// A new store on `engine` with `reference`.
    pub fn new(engine: Engine, reference: std::sync::Arc<mcu::reference::Reference>) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (store, db) = match engine {
            Engine::Sqlite => (
                mcu::store::Store::open(&dir.path().join("mcu.db"), reference.clone())
                    .expect("SQLite: open"),
                None,
            ),
            Engine::Postgres => {
                let db = TestDb::create();
                let store = mcu::store::Store::open_postgres(db.url(), "okrug", reference.clone())
                    .unwrap_or_else(|e| panic!("Postgres: open: {e}"));
                (store, Some(db))
            }
        };
        Self {
            store,
            engine,
            reference,
            db,
            dir,
        }
    }

    /// A new store on `engine` with the shipped reference data.
    pub fn embedded(engine: Engine) -> Self {
        Self::new(
            engine,
            std::sync::Arc::new(mcu::reference::Reference::embedded().expect("reference data")),
        )
    }

    /// Another connection to the same data (a second console).
    pub fn open_again(&self) -> mcu::store::Store {
        let location = self.store.location().expect("a store with a location");
        mcu::store::Store::open_at(location, self.reference.clone())
            .unwrap_or_else(|e| panic!("{:?}: open again: {e}", self.engine))
    }

    /// A connection to the data past the store (see [`raw`]).
    pub fn raw(&self) -> mcu::store::db::Db {
        raw(self.store.location().expect("a store with a location"))
    }

    /// The temporary folder (the SQLite file's).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The PostgreSQL test database (none on SQLite).
    pub fn pg(&self) -> Option<&TestDb> {
        self.db.as_ref()
    }
}

impl std::ops::Deref for TestStore {
    type Target = mcu::store::Store;
    fn deref(&self) -> &mcu::store::Store {
        &self.store
    }
}

impl std::ops::DerefMut for TestStore {
    fn deref_mut(&mut self) -> &mut mcu::store::Store {
        &mut self.store
    }
}

/// A connection to the data at `location` past the store — what anyone who can write the
/// database file or the municipality's tables has — with foreign keys and triggers not enforced
/// (SQLite's `PRAGMA foreign_keys = OFF`; PostgreSQL's `session_replication_role = replica`, which
/// the test server's superuser may set).
pub fn raw(location: &mcu::store::Location) -> mcu::store::db::Db {
    use mcu::store::Location;
    use mcu::store::db::{Db, PgDb, pg::PgPool};
    let (db, off) = match location {
        Location::File(path) => (
            Db::Sqlite(rusqlite::Connection::open(path).expect("open mcu.db")),
            "PRAGMA foreign_keys = OFF",
        ),
        Location::Postgres { url, municipality } => {
            let conn = PgPool::new(url, 1).get().expect("connect");
            let db = PgDb::new(conn, &format!("mo_{municipality}")).expect("the schema");
            (Db::Pg(db), "SET session_replication_role = replica")
        }
    };
    db.execute_batch(off).expect(off);
    db
}

/// The `[store]` lines of `config.toml` for a workspace on `db`.
pub fn store_config(db: &TestDb, municipality: &str) -> String {
    format!(
        "[store]\nurl = \"{}\"\nmunicipality = \"{municipality}\"\n",
        db.url()
    )
}

/// The folder `dir/name` for a workspace on `engine`, not made yet (the test's first command
/// makes it) — on PostgreSQL only its `config.toml`, whose `[store]` names a fresh database in
/// municipality `okrug` (kept while the returned guard lives).
pub fn fresh_workspace(engine: Engine, dir: &Path, name: &str) -> (PathBuf, Option<TestDb>) {
    let ws = dir.join(name);
    let db = (engine == Engine::Postgres).then(|| {
        let db = TestDb::create();
        std::fs::create_dir_all(&ws).expect("workspace folder");
        std::fs::write(ws.join("config.toml"), store_config(&db, "okrug")).expect("config.toml");
        db
    });
    (ws, db)
}

/// A workspace on one engine.
pub struct EngineWs {
    pub engine: Engine,
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    municipality: String,
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
                std::fs::write(root.join("config.toml"), store_config(&db, municipality))
                    .expect("config.toml");
                Some(db)
            }
        };
        let ws = Self {
            engine,
            _dir: dir,
            root,
            municipality: municipality.to_owned(),
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

    /// A copy of this workspace — its folder and its data — to change without touching this one
    /// (a workspace built once, copied for each test that tampers with it).
    pub fn copy(&self) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().join("okrug");
        copy_dir(&self.root, &root);
        let db = self.db.as_ref().map(|from| {
            let to = from.copy();
            let config = root.join("config.toml");
            let text = std::fs::read_to_string(&config).expect("config.toml");
            std::fs::write(&config, text.replace(from.url(), to.url())).expect("config.toml");
            to
        });
        Self {
            engine: self.engine,
            _dir: dir,
            root,
            municipality: self.municipality.clone(),
            db,
        }
    }

    /// A connection to the workspace's data past the store (see [`raw`]).
    pub fn raw(&self) -> mcu::store::db::Db {
        raw(&self.location())
    }

    /// The PostgreSQL database's URL (none on SQLite).
    pub fn url(&self) -> Option<&str> {
        self.db.as_ref().map(TestDb::url)
    }

    /// Runs `mcu --workspace ROOT ARGS` (nothing of the caller's environment chooses the store).
    pub fn mcu(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("mcu runs")
    }

    /// The command `mcu --workspace ROOT ARGS`, to add to and run (nothing of the caller's
    /// environment chooses the store).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mcu"));
        c.arg("--workspace")
            .arg(&self.root)
            .args(args)
            .env_remove("MCU_HOME")
            .env_remove("MCU_DB")
            .env_remove("MCU_MUNICIPALITY");
        c
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

    /// The workspace folder.
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// Where the data lives.
    pub fn location(&self) -> mcu::store::Location {
        match self.url() {
            None => mcu::store::Location::File(self.root.join("mcu.db")),
            Some(url) => mcu::store::Location::Postgres {
                url: url.to_owned(),
                municipality: self.municipality.clone(),
            },
        }
    }

    /// Opens the workspace's store directly (with the workspace's reference data).
    pub fn store(&self) -> mcu::store::Store {
        let ws = mcu::workspace::Workspace::open_existing(&self.root).expect("workspace");
        ws.store()
            .unwrap_or_else(|e| panic!("{:?}: open the store: {e}", self.engine))
    }

    /// A file in the workspace's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

/// Copies the folder `from` to `to`, sub-folders included.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for e in std::fs::read_dir(from).expect("a folder") {
        let e = e.expect("a folder entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("a file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).expect("a copy");
        }
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

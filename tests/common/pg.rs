//! A fresh PostgreSQL database per test.
//!
//! The server is `MCU_TEST_PG` (an admin URL: a role that may create databases; `.ci/run` starts a
//! cluster and sets it). Unset, the first test that needs one starts a private cluster for the
//! whole test process with `.ci/pg serve` (Debian's `postgresql` package must be installed); it
//! stops and is removed when the process exits. `MCU_TEST_PG_TCP` may give the same server over
//! TCP (the private cluster knows its own).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use mcu::store::db::pg::PgConn;

struct Cluster {
    url: String,
    tcp_url: Option<String>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
/// The `.ci/pg serve` child and its standard input: kept open until the process exits, whose
/// closing tells the script to stop the cluster.
static SERVER: Mutex<Option<(Child, ChildStdin)>> = Mutex::new(None);
static COUNTER: AtomicU32 = AtomicU32::new(0);

fn initdb_found() -> bool {
    let versions = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten();
    if versions
        .into_iter()
        .any(|v| v.path().join("bin/initdb").is_file())
    {
        return true;
    }
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("initdb").is_file()))
}

fn start_private() -> Result<Cluster, String> {
    if !initdb_found() {
        return Err("PostgreSQL tests need a server: set MCU_TEST_PG=postgres://user@host/db (a role \
                    that may CREATE DATABASE), or install PostgreSQL (`apt-get install postgresql`, \
                    which provides initdb) so the tests start their own"
            .into());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/pg");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir: PathBuf = std::env::temp_dir().join(format!("mcu-pg-{}-{nanos}", std::process::id()));
    let mut child = Command::new("bash")
        .arg(&script)
        .arg("serve")
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let url = line.trim().to_owned();
    if url.is_empty() {
        let _ = child.wait();
        return Err(format!(
            "`.ci/pg serve {}` did not start PostgreSQL (its messages are above)",
            dir.display()
        ));
    }
    let tcp_url = std::fs::read_to_string(dir.join("tcp-url"))
        .ok()
        .map(|s| s.trim().to_owned());
    let stdin = child.stdin.take();
    if let Some(stdin) = stdin {
        *SERVER
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((child, stdin));
    }
    Ok(Cluster { url, tcp_url })
}

fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(start_private) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

/// The admin URL of the test server.
pub fn admin_url() -> String {
    match std::env::var("MCU_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
        _ => cluster().url.clone(),
    }
}

/// The same server over TCP, when known.
pub fn admin_tcp_url() -> Option<String> {
    match std::env::var("MCU_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => std::env::var("MCU_TEST_PG_TCP")
            .ok()
            .filter(|u| !u.trim().is_empty()),
        _ => cluster().tcp_url.clone(),
    }
}

/// `url` with its database replaced by `db` (URL or `key=value` form).
pub fn with_dbname(url: &str, db: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return format!("{url} dbname={db}");
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    match rest.find(['/', '?']) {
        Some(p) if rest.as_bytes()[p] == b'/' => {
            let path_start = rest_start + p + 1;
            let path_end = url[path_start..]
                .find('?')
                .map_or(url.len(), |q| path_start + q);
            format!("{}{db}{}", &url[..path_start], &url[path_end..])
        }
        Some(p) => format!("{}/{db}{}", &url[..rest_start + p], &url[rest_start + p..]),
        None => format!("{url}/{db}"),
    }
}

/// A database made for one test and dropped (with its connections) when this is dropped.
pub struct TestDb {
    name: String,
    url: String,
    admin: String,
}

impl TestDb {
    pub fn create() -> TestDb {
        let admin = admin_url();
        let name = Self::fresh_name();
        let conn = PgConn::connect(&admin).unwrap_or_else(|e| panic!("test server: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("test server: {e}"));
        let url = with_dbname(&admin, &name);
        TestDb { name, url, admin }
    }

    /// A new database holding what this one holds now (`CREATE DATABASE … TEMPLATE`): built
    /// once, copied for each test that changes it. The sessions connected to this one are ended
    /// first (a template must have none); pooled connections to it reconnect when next used.
    pub fn copy(&self) -> TestDb {
        let conn = PgConn::connect(&self.admin).unwrap_or_else(|e| panic!("test server: {e}"));
        conn.execute(
            "SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity \
             WHERE datname = ?1 AND pid <> pg_backend_pid()",
            &[&self.name.as_str()],
        )
        .unwrap_or_else(|e| panic!("test server: {e}"));
        let name = Self::fresh_name();
        conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {}", self.name))
            .unwrap_or_else(|e| panic!("test server: copy {}: {e}", self.name));
        let url = with_dbname(&self.admin, &name);
        TestDb {
            name,
            url,
            admin: self.admin.clone(),
        }
    }

    fn fresh_name() -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!(
            "mcu_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn connect(&self) -> PgConn {
        PgConn::connect(&self.url).unwrap_or_else(|e| panic!("test database: {e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(conn) = PgConn::connect(&self.admin) {
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

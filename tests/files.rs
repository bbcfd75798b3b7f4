//! The files mcu leaves on disk: the modes of every folder and file it makes whatever the umask,
//! and how long it keeps citizens' files (retention, `mcu purge`).

#![allow(clippy::unwrap_used)] // a panic is a failed test

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const NOW: &str = "2026-11-28T12:00:00+03:00";

/// Runs the real binary under a given umask (libc is not a dependency: the shell sets it).
fn mcu_with_umask(umask: &str, ws: &Path, args: &[&str], log: &Path) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env("MCU_LOG", log)
        .output()
        .expect("mcu runs")
}

fn mcu(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env("MCU_LOG", ws.with_extension("log"))
        .output()
        .expect("mcu runs")
}

fn ok(out: &Output) -> &Output {
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "mcu failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&ok(out).stdout).expect("JSON output")
}

/// Every path under `root` (itself included) with its permission bits, setgid included.
fn modes(root: &Path) -> Vec<(PathBuf, u32)> {
    let mut out = vec![(
        root.to_path_buf(),
        fs::metadata(root).unwrap().permissions().mode() & 0o7777,
    )];
    if root.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(root).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        for e in entries {
            out.extend(modes(&e.path()));
        }
    }
    out
}

fn assert_modes(paths: &[(PathBuf, u32)], umask: &str) {
    assert_modes_of(paths, umask, 0o2770, 0o660);
}

fn assert_modes_of(paths: &[(PathBuf, u32)], umask: &str, dir: u32, file: u32) {
    for (p, mode) in paths {
        let want = if p.is_dir() { dir } else { file };
        assert_eq!(
            *mode,
            want,
            "umask {umask}: {} is {mode:o}, want {want:o}",
            p.display()
        );
    }
}

/// A canonical CSV with one good row and one bad row (no id).
const WITH_BAD_ROW: &str = "id;channel;received_at;text\n\
    M-1;pos;2026-11-27 10:00;Яма на дороге у школы\n\
    ;pos;2026-11-27 11:00;Нет номера\n";

#[test]
fn every_folder_and_file_mcu_makes_has_the_documented_mode_whatever_the_umask() {
    for umask in ["022", "077", "000"] {
        let dir = tempfile::tempdir().unwrap();
        // Folders mcu makes itself, parents included.
        let ws = dir.path().join("srv/okrug");
        let logdir = dir.path().join("state/mcu");
        let log = logdir.join("mcu.log");
        let run = |args: &[&str]| mcu_with_umask(umask, &ws, args, &log);
        ok(&run(&["init"]));
        // What officers drop in comes with its own mode; mcu's copies get mcu's.
        fs::write(ws.join("inbox/pos/with_bad_row.csv"), WITH_BAD_ROW).unwrap();
        fs::write(ws.join("inbox/no_channel.csv"), "id;text\nX-1;Текст\n").unwrap();
        for f in ["inbox/pos/with_bad_row.csv", "inbox/no_channel.csv"] {
            fs::set_permissions(ws.join(f), fs::Permissions::from_mode(0o644)).unwrap();
        }
        let out = run(&["import", "--inbox", "--json", "--now", NOW]);
        let reports = json(&out);
        assert_eq!(reports.as_array().unwrap().len(), 2, "{reports}");
        assert!(ws.join("processed/2026-11-28/with_bad_row.csv").is_file());
        assert!(ws.join("quarantine/with_bad_row.csv.errors.csv").is_file());
        assert!(ws.join("quarantine/no_channel.csv.error.txt").is_file());
        // A file given on the command line that cannot be imported is copied to quarantine.
        let outside = dir.path().join("outside.csv");
        fs::write(&outside, "id;text\nY-1;Текст\n").unwrap();
        ok(&run(&[
            "import",
            &outside.display().to_string(),
            "--now",
            NOW,
        ]));
        assert!(ws.join("quarantine/outside.csv").is_file());
        // An export with personal data, into a new file outside the workspace.
        let export = dir.path().join("full.csv");
        ok(&run(&[
            "export",
            "--with-personal-data",
            "-o",
            &export.display().to_string(),
        ]));

        let mut paths = modes(&dir.path().join("srv"));
        paths.extend(modes(&export));
        assert!(paths.iter().any(|(p, _)| p.ends_with("mcu.db")));
        assert_modes(&paths, umask);
        // The log is the officer's own, as is its folder.
        let own = modes(&dir.path().join("state"));
        assert!(own.iter().any(|(p, _)| p == &log));
        assert_modes_of(&own, umask, 0o700, 0o600);
    }
}

#[test]
fn the_demo_workspace_has_the_documented_modes_under_a_restrictive_umask() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    let log = dir.path().join("demo.log");
    ok(&mcu_with_umask(
        "077",
        &ws,
        &["demo", "--summary", "--now", NOW, "--appeals", "40"],
        &log,
    ));
    let paths = modes(&ws);
    assert!(
        paths
            .iter()
            .any(|(p, _)| p.starts_with(ws.join("processed"))
                && p.extension().is_some_and(|e| e == "xlsx"))
    );
    assert_modes(&paths, "077");
}

fn mcu_as(ws: &Path, who: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env("MCU_AS", who)
        .env("MCU_LOG", ws.with_extension("log"))
        .output()
        .expect("mcu runs")
}

fn drop_file(ws: &Path, rel: &str, body: &str) {
    fs::write(ws.join(rel), body).unwrap();
}

fn csv_of(id: &str, day: &str) -> String {
    format!(
        "id;channel;received_at;text\n{id};pos;{day} 10:00;Яма на дороге\n;pos;{day} 11:00;Нет номера\n"
    )
}

/// Imports into `ws`, as of `day`, a file with a bad row (into processed/ and quarantine/) and
/// a file without a channel (quarantined whole).
fn import_on(ws: &Path, day: &str) {
    drop_file(
        ws,
        &format!("inbox/pos/f{day}.csv"),
        &csv_of(&format!("A-{day}"), day),
    );
    drop_file(ws, &format!("inbox/nochan{day}.csv"), "id;text\nX;Текст\n");
    let now = format!("{day}T12:00:00+03:00");
    let out = mcu(ws, &["import", "--inbox", "--json", "--now", &now]);
    assert_eq!(json(&out).as_array().unwrap().len(), 2);
}

/// The files under processed/ and quarantine/, as paths inside the workspace.
fn kept(ws: &Path) -> Vec<String> {
    let mut v: Vec<String> = modes(ws)
        .into_iter()
        .map(|(p, _)| p.strip_prefix(ws).unwrap().display().to_string())
        .filter(|p| p.starts_with("processed/") || p.starts_with("quarantine/"))
        .collect();
    v.sort();
    v
}

fn total(ws: &Path) -> i64 {
    let out = mcu(ws, &["stats", "--json", "--now", NOW]);
    json(&out)["total"].as_i64().unwrap()
}

#[test]
fn imports_remove_processed_and_quarantined_files_older_than_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    ok(&mcu(&ws, &["init"]));
    import_on(&ws, "2025-01-10");
    import_on(&ws, "2025-11-28");
    assert_eq!(kept(&ws).len(), 10, "{:?}", kept(&ws));
    // A year later to the day (the default retention): the older import's files go; the appeals
    // stay in the database.
    let out = mcu(&ws, &["import", "--inbox", "--now", NOW]);
    let text = String::from_utf8_lossy(&ok(&out).stdout).into_owned();
    assert!(
        text.contains("retention: removed 4 file(s) dated before 2025-11-28"),
        "{text}"
    );
    assert_eq!(
        kept(&ws),
        [
            "processed/2025-11-28",
            "processed/2025-11-28/f2025-11-28.csv",
            "quarantine/f2025-11-28.csv.errors.csv",
            "quarantine/nochan2025-11-28.csv",
            "quarantine/nochan2025-11-28.csv.error.txt",
        ]
    );
    assert_eq!(total(&ws), 2);
    // The log says how many, not which.
    let log = fs::read_to_string(ws.with_extension("log")).unwrap();
    let line = log.lines().find(|l| l.contains("retention")).unwrap();
    assert!(line.contains("files=4") && !line.contains(".csv"), "{line}");
}

#[test]
fn the_retention_is_read_from_config_toml() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    ok(&mcu(&ws, &["init"]));
    import_on(&ws, "2026-10-27");
    import_on(&ws, "2026-10-29");
    fs::write(ws.join("config.toml"), "[retention]\nfiles = \"30d\"\n").unwrap();
    let out = mcu(&ws, &["import", "--inbox", "--json", "--now", NOW]);
    assert_eq!(json(&out), serde_json::json!([]));
    let left = kept(&ws);
    assert!(left.iter().all(|p| !p.contains("2026-10-27")), "{left:?}");
    assert_eq!(left.iter().filter(|p| p.contains("2026-10-29")).count(), 5);

    // A bad setting is refused naming the file and the key, before anything is removed.
    fs::write(ws.join("config.toml"), "[retention]\nfiles = \"30\"\n").unwrap();
    let out = mcu(
        &ws,
        &["import", "--inbox", "--now", "2027-06-01T12:00:00+03:00"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml") && err.contains("365d"), "{err}");
    assert_eq!(kept(&ws), left);
}

#[test]
fn purge_removes_files_before_a_date_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    ok(&mcu(&ws, &["init"]));
    import_on(&ws, "2026-09-01");
    import_on(&ws, "2026-11-01");
    let all = kept(&ws);

    let out = mcu(
        &ws,
        &[
            "purge",
            "--before",
            "2026-10-01",
            "--dry-run",
            "--json",
            "--now",
            NOW,
        ],
    );
    let r = json(&out);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["before"], "2026-10-01");
    assert_eq!(r["files"], 4, "{r}");
    let listed: Vec<&str> = r["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "processed/2026-09-01/f2026-09-01.csv",
            "quarantine/f2026-09-01.csv.errors.csv",
            "quarantine/nochan2026-09-01.csv",
            "quarantine/nochan2026-09-01.csv.error.txt",
        ]
    );
    assert!(r["removed"][0]["bytes"].as_u64().unwrap() > 0);
    assert_eq!(kept(&ws), all, "a dry run removes nothing");

    let out = mcu(&ws, &["purge", "--before", "01.10.2026", "--now", NOW]);
    let text = String::from_utf8_lossy(&ok(&out).stdout).into_owned();
    assert!(
        text.contains("removed processed/2026-09-01/f2026-09-01.csv (2026-09-01)"),
        "{text}"
    );
    assert!(text.contains("removed 4 file(s)"), "{text}");
    let left = kept(&ws);
    assert_eq!(left.len(), all.len() - 5, "{left:?}");
    assert!(left.iter().all(|p| p.contains("2026-11-01")), "{left:?}");
    assert_eq!(total(&ws), 2, "the appeals stay");

    // Not after today: today's folder is the importer's.
    let out = mcu(&ws, &["purge", "--before", "2026-11-29", "--now", NOW]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("after today"));
}

#[test]
fn only_the_head_and_the_curator_may_purge() {
    if uzers::get_current_uid() != 0 {
        eprintln!("skipped: playing other operators needs root (MCU_AS is honoured only for root)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    // Root made the workspace: its first head.
    ok(&mcu(&ws, &["init"]));
    for (login, role) in [
        ("cur", "curator"),
        ("coord", "coordinator"),
        ("obs", "observer"),
    ] {
        ok(&mcu(
            &ws,
            &["operator", "add", login, "--name", login, "--role", role],
        ));
    }
    import_on(&ws, "2026-09-01");
    let before = kept(&ws);
    for who in ["coord", "obs"] {
        let out = mcu_as(&ws, who, &["purge", "--before", "2026-10-01", "--now", NOW]);
        assert_eq!(out.status.code(), Some(1), "{who}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("not allowed"),
            "{who}"
        );
        assert_eq!(kept(&ws), before, "{who}");
    }
    let out = mcu_as(
        &ws,
        "cur",
        &["purge", "--before", "2026-10-01", "--json", "--now", NOW],
    );
    assert_eq!(json(&out)["files"], 4);
}

#[test]
fn a_quarantined_file_goes_by_its_error_note_not_by_its_own_old_time() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    ok(&mcu(&ws, &["init"]));
    import_on(&ws, "2026-11-28");
    // Another officer's file keeps their (old) time: mcu may not change it.
    let q = ws.join("quarantine/nochan2026-11-28.csv");
    fs::File::options()
        .write(true)
        .open(&q)
        .unwrap()
        .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_500_000_000))
        .unwrap();
    let out = mcu(&ws, &["import", "--inbox", "--json", "--now", NOW]);
    ok(&out);
    assert!(q.is_file(), "quarantined today, removed at once");
    let r = json(&mcu(
        &ws,
        &[
            "purge",
            "--before",
            "2026-11-28",
            "--dry-run",
            "--json",
            "--now",
            NOW,
        ],
    ));
    assert_eq!(r["files"], 0, "{r}");
}

/// A workspace the officer names must exist: `mcu --workspace /typo list` fails with the `init`
/// hint and leaves nothing on disk; `init` makes it, after which the same command works. The same
/// holds for `MCU_HOME`.
#[test]
fn a_named_workspace_that_does_not_exist_is_an_error_not_a_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let typo = tmp.path().join("wrokspace");
    for args in [
        &["list"][..],
        &["console"][..],
        &["stats", "--now", NOW][..],
    ] {
        let out = mcu(&typo, args);
        assert!(
            !out.status.success(),
            "{args:?} succeeded on a missing folder"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no such folder"), "{args:?}: {err}");
        assert!(err.contains("init"), "{args:?} gives no init hint: {err}");
        assert!(!typo.exists(), "{args:?} created the mistyped folder");
    }
    let home = tmp.path().join("home-typo");
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("list")
        .env("MCU_HOME", &home)
        .env("MCU_LOG", tmp.path().join("home.log"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!home.exists(), "MCU_HOME pointing nowhere made a workspace");

    ok(&mcu(&typo, &["init"]));
    assert!(typo.join("mcu.db").is_file());
    ok(&mcu(&typo, &["list"]));
}

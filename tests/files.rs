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
    for (p, mode) in paths {
        let want = if p.is_dir() { 0o2770 } else { 0o660 };
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
        ok(&run(&["import", &outside.display().to_string(), "--now", NOW]));
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
        paths.extend(modes(&dir.path().join("state")));
        paths.extend(modes(&export));
        assert!(paths.iter().any(|(p, _)| p.ends_with("mcu.db")));
        assert!(paths.iter().any(|(p, _)| p == &log));
        assert_modes(&paths, umask);
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
    assert!(paths.iter().any(|(p, _)| p.starts_with(ws.join("processed"))
        && p.extension().is_some_and(|e| e == "xlsx")));
    assert_modes(&paths, "077");
}

//! End to end in a real terminal: the real `mcu` binary runs in tmux on a workspace with a fixed
//! `--now`; the officer opens today's view with `t` and sees what needs action today, nearest
//! deadline first. Waiting is by polling for what must appear, with a deadline.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::tmux::Tmux;

fn mcu(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .output()
        .unwrap()
}

fn import(ws: &Path, dir: &Path, channel: &str, csv: &str) {
    let file = dir.join(format!("{channel}.csv"));
    std::fs::write(&file, csv).unwrap();
    let out = mcu(
        ws,
        &[
            "import",
            "--no-triage",
            "--channel",
            channel,
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn t_shows_todays_work_in_deadline_order() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    assert!(mcu(&ws, &["init"]).status.success());
    // At Friday 27.11 12:00: «Фонарь» overdue (due 27.11 09:00), «Колонка» at risk (due on
    // Monday 09:00, within the next 8 working hours),
    // «Свалка» without a block (a letter, due in December); «Школа» (a letter with a block) and
    // «Скамейка» (answered) are not today's.
    import(
        &ws,
        dir.path(),
        "im",
        "id;received_at;text;block;status;answered_at\n\
         I-1;2026-11-26 09:00;Фонарь не горит на Лесной;housing;;\n\
         I-2;2026-11-27 09:00;Колонка без воды с утра;housing;;\n\
         I-3;2026-11-24 10:00;Скамейка сломана в сквере;housing;answered;2026-11-24 12:00\n",
    );
    import(
        &ws,
        dir.path(),
        "letter",
        "id;received_at;text;block\n\
         L-1;2026-11-25 10:00;Свалка у оврага за фермой;\n\
         L-2;2026-11-20 10:00;Школа просит ремонт к весне;education\n",
    );
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    let cmd = format!(
        "TERM=xterm-256color {} --workspace {} console --no-import --now 2026-11-27T12:00:00+03:00",
        env!("CARGO_BIN_EXE_mcu"),
        ws.display()
    );
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "mcu",
        "-x",
        "100",
        "-y",
        "30",
        "-e",
        &format!("HOME={}", home.display()),
        &cmd,
    ]);
    assert!(started.status.success(), "{started:?}");
    tmux.wait_for("Входящие · 1/5", 30);

    tmux.keys(&["t"]);
    let s = tmux.wait_for("Сегодня · 1/3 · по сроку", 20);
    let at = |t: &str| s.find(t).unwrap_or_else(|| panic!("«{t}» missing:\n{s}"));
    assert!(
        at("Фонарь") < at("Колонка") && at("Колонка") < at("Свалка"),
        "{s}"
    );
    assert!(
        !s.contains("Школа просит") && !s.contains("Скамейка"),
        "{s}"
    );

    // Down once: the title follows.
    tmux.keys(&["j"]);
    tmux.wait_for("Сегодня · 2/3", 20);
    tmux.keys(&["q"]);
}

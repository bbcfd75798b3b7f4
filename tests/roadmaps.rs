//! `mcu roadmap …` through the real binary on both engines: the JSON shapes the issue gives, the audit trail of
//! every change (`mcu audit log --register roadmap`), the effect on a hand-made workspace, and
//! clear refusals of bad input.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod common;

use common::engine::{Engine, fresh_workspace, on_both_engines};
use common::operators::{AsOperator, is_root, mcu};
use common::pg::TestDb;

const NOW: &str = "2026-12-07T10:00:00+03:00";

fn ok(ws: &Path, args: &[&str]) -> String {
    let out = mcu(ws, args);
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(ws: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(ws, args)).unwrap()
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A workspace with potholes in Юксары before and after 01.10.2026, and appeals the rule must
/// not match.
fn workspace(engine: Engine, dir: &Path) -> (std::path::PathBuf, Option<TestDb>) {
    let (ws, db) = fresh_workspace(engine, dir, "okrug");
    ok(&ws, &["init"]);
    let csv = dir.join("pos.csv");
    std::fs::write(
        &csv,
        "id;received_at;text;settlement;block\n\
         P1;2026-08-05 09:00;Яма на дороге у школы;с. Юксары;roads\n\
         P2;2026-08-20 09:00;Опять ямы на улице;с. Юксары;roads\n\
         P3;2026-09-10 09:00;Выбоина у остановки;с. Юксары;roads\n\
         P4;2026-09-12 09:00;Яма у моста;с. Арда;roads\n\
         P5;2026-10-20 09:00;Глубокая яма на Школьной;с. Юксары;roads\n\
         P6;2026-11-03 09:00;Не убран снег на дороге;с. Юксары;roads\n\
         P7;2026-12-02 09:00;Снова яма;с. Юксары;roads\n",
    )
    .unwrap();
    ok(&ws, &["import", csv.to_str().unwrap(), "--channel", "pos"]);
    (ws, db)
}

fn roadmap_commands_give_the_json_shapes_and_count_the_effect(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    let add = json(
        &ws,
        &[
            "roadmap",
            "add",
            "--title",
            "Ямы в Юксарах",
            "--problem",
            "Разбитая дорога",
            "--block",
            "Дороги",
            "--settlement",
            "с. Юксары",
            "--responsible",
            "Отдел дорожного хозяйства",
            "--start",
            "01.10.2026",
            "--due",
            "2027-06-30",
            "--target",
            "1",
            "--rule",
            "яма выбоина",
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(add, serde_json::json!({"id": 1}));
    let id = "1";
    for (text, due) in [
        ("Ямочный ремонт", "2026-11-30"),
        ("Асфальт на Школьной", "2027-05-31"),
    ] {
        ok(
            &ws,
            &[
                "roadmap", "measure", "add", id, "--text", text, "--due", due, "--now", NOW,
                "--json",
            ],
        );
    }
    ok(
        &ws,
        &["roadmap", "measure", "add", id, "--text", "Знаки", "--json"],
    );
    ok(
        &ws,
        &[
            "roadmap",
            "measure",
            "set",
            id,
            "3",
            "--status",
            "done",
            "--note",
            "поставлены",
            "--now",
            NOW,
        ],
    );
    ok(
        &ws,
        &["roadmap", "edit", id, "--status", "active", "--now", NOW],
    );
    // One appeal by internal number, one by channel:source_id; snow by hand.
    let p6 = json(&ws, &["show", "pos:P6", "--json"])["id"]
        .as_i64()
        .unwrap();
    let linked = json(
        &ws,
        &[
            "roadmap",
            "link",
            id,
            &p6.to_string(),
            "pos:P5",
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(linked["linked"], 2);

    let s = json(&ws, &["roadmap", "show", id, "--now", NOW, "--json"]);
    assert_eq!(s["title"], "Ямы в Юксарах");
    assert_eq!(s["status"], "active");
    assert_eq!(s["block"], "roads");
    assert_eq!(s["settlements"], serde_json::json!(["с. Юксары"]));
    assert_eq!(s["start"], "2026-10-01");
    assert_eq!(s["due"], "2027-06-30");
    assert_eq!(s["target"], 1);
    assert_eq!(s["target_text"], "не более 1 обращения в месяц");
    assert_eq!(
        s["progress"],
        serde_json::json!({"done": 1, "total": 3, "overdue": 1})
    );
    let p5 = json(&ws, &["show", "pos:P5", "--json"])["id"]
        .as_i64()
        .unwrap();
    let p7 = json(&ws, &["show", "pos:P7", "--json"])["id"]
        .as_i64()
        .unwrap();
    assert_eq!(s["linked"], serde_json::json!([p5, p6]));
    let origins: Vec<_> = s["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["origin"].clone())
        .collect();
    assert_eq!(origins, vec!["rule", "hand"]);
    assert_eq!(s["proposed"], serde_json::json!([p7]));
    let measures = s["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 3);
    assert_eq!(measures[0]["overdue"], true);
    assert_eq!(measures[2]["status"], "done");
    assert_eq!(measures[2]["note"], "поставлены");
    let monthly: Vec<(String, i64)> = s["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        &monthly[4..],
        &[
            ("2026-08".to_string(), 2),
            ("2026-09".to_string(), 1),
            ("2026-10".to_string(), 1),
            ("2026-11".to_string(), 1),
            ("2026-12".to_string(), 1),
        ]
    );
    assert_eq!(s["effect"]["last_full_month"], "2026-11");
    assert_eq!(s["effect"]["met"], true);
    // The text names the months in Russian, as the console does.
    let text = ok(&ws, &["roadmap", "show", id, "--now", NOW]);
    assert!(text.contains("  ноя 2026*   1"), "{text}");
    assert!(!text.contains("2026-11"), "{text}");

    // Accept the proposal; list and the audit trail.
    ok(&ws, &["roadmap", "link", id, "--proposed", "--now", NOW]);
    let s = json(&ws, &["roadmap", "show", id, "--now", NOW, "--json"]);
    assert_eq!(s["proposed"], serde_json::json!([]));
    assert_eq!(s["linked"].as_array().unwrap().len(), 3);
    ok(&ws, &["roadmap", "unlink", id, "pos:P6", "--now", NOW]);
    let list = json(&ws, &["roadmap", "list", "--now", NOW, "--json"]);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(list[0]["linked"], 2);
    assert_eq!(list[0]["progress"]["overdue"], 1);

    let log = json(
        &ws,
        &[
            "audit",
            "log",
            "--register",
            "roadmap",
            "--entry",
            id,
            "--json",
        ],
    );
    let fields: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields.iter().filter(|f| **f == "linked").count(),
        4,
        "{fields:?}"
    );
    assert!(fields.contains(&"created") && fields.contains(&"rule") && fields.contains(&"status"));
    let unlinked = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "linked" && e["new"].is_null())
        .unwrap();
    assert_eq!(unlinked["old"], p6.to_string());
    let measures = json(&ws, &["audit", "log", "--register", "measure", "--json"]);
    assert!(
        measures
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "status" && e["new"] == "done")
    );
    let v = json(&ws, &["audit", "verify", "--json"]);
    assert_eq!(v["intact"], true, "{v}");
    // Human-readable output names the target's verdict.
    let text = ok(&ws, &["roadmap", "show", id, "--now", NOW]);
    assert!(
        text.contains("цель (не более 1 обращения в месяц) достигнута"),
        "{text}"
    );
}

fn bad_input_is_refused_with_a_clear_message(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = workspace(engine, dir.path());
    ok(&ws, &["roadmap", "add", "--title", "Свет", "--json"]);
    let cases: &[(&[&str], &str)] = &[
        (&["roadmap", "show", "7"], "no roadmap 7"),
        (&["roadmap", "link", "7", "pos:P1"], "no roadmap 7"),
        (
            &["roadmap", "link", "1", "pos:NOPE"],
            "no appeal «pos:NOPE»",
        ),
        (&["roadmap", "link", "1", "9999"], "no appeal «9999»"),
        (
            &["roadmap", "add", "--title", "X", "--start", "31.02.2026"],
            "--start: «31.02.2026» is not a date",
        ),
        (
            &["roadmap", "edit", "1", "--status", "finished"],
            "unknown roadmap status «finished»",
        ),
        (
            &["roadmap", "edit", "1", "--block", "космос"],
            "unknown block «космос»",
        ),
        (
            &["roadmap", "edit", "1", "--target", "два"],
            "--target: «два» is not a number",
        ),
        (
            &["roadmap", "measure", "set", "1", "4", "--status", "done"],
            "roadmap 1 has no measure 4",
        ),
        (
            &[
                "roadmap",
                "measure",
                "add",
                "1",
                "--text",
                "x",
                "--due",
                "завтра",
            ],
            "--due: «завтра» is not a date",
        ),
        (
            &["roadmap", "unlink", "1", "pos:P1"],
            "is neither linked to roadmap 1 nor proposed for it",
        ),
    ];
    for (args, expected) in cases {
        let out = mcu(&ws, args);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err(&out).contains(expected), "{args:?}: {}", err(&out));
    }
    let s = json(&ws, &["roadmap", "show", "1", "--json"]);
    assert_eq!(s["title"], "Свет");
    assert_eq!(s["status"], "draft");
    assert_eq!(s["measures"], serde_json::json!([]));
}

/// Keeping the registers is not an observer's: reading is.
fn an_observer_reads_roadmaps_but_may_not_change_them(engine: Engine) {
    if !is_root() {
        return;
    }
    let op = AsOperator::on(engine);
    op.ok("root", &["init"]);
    op.ok(
        "root",
        &[
            "operator", "add", "cur", "--name", "Ц. Р.", "--role", "observer",
        ],
    );
    op.ok("root", &["roadmap", "add", "--title", "Свет", "--json"]);
    let out = op.mcu("cur", &["roadmap", "edit", "1", "--status", "active"]);
    assert!(!out.status.success());
    assert!(err(&out).contains("not allowed"), "{}", err(&out));
    let s: Value =
        serde_json::from_str(&op.ok("cur", &["roadmap", "show", "1", "--json"])).unwrap();
    assert_eq!(s["status"], "draft");
}

/// `mcu demo` fills three roadmaps with measures and linked appeals, so a newcomer sees them.
fn the_demo_has_three_roadmaps_with_measures_and_linked_appeals(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh_workspace(engine, dir.path(), "demo");
    let out = mcu(
        &ws,
        &["demo", "--summary", "--now", NOW, "--appeals", "300"],
    );
    assert!(out.status.success(), "{}", err(&out));
    let list = json(&ws, &["roadmap", "list", "--now", NOW, "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    for r in list {
        assert!(r["linked"].as_i64().unwrap() > 0, "{r}");
        assert!(r["progress"]["total"].as_i64().unwrap() >= 2, "{r}");
    }
    // Overdue measures first.
    assert!(
        list[0]["progress"]["overdue"].as_i64().unwrap() > 0,
        "{list:?}"
    );
    let s = json(&ws, &["roadmap", "show", "1", "--now", NOW, "--json"]);
    let total: i64 = s["monthly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["count"].as_i64().unwrap())
        .sum();
    assert!(total > 0, "{s}");
}

on_both_engines!(
    roadmap_commands_give_the_json_shapes_and_count_the_effect,
    bad_input_is_refused_with_a_clear_message,
    an_observer_reads_roadmaps_but_may_not_change_them,
    the_demo_has_three_roadmaps_with_measures_and_linked_appeals,
);

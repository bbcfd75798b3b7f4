//! The votes register and appeals taken by hand, end to end through the binary on both engines: vote exports in
//! XLSX and in Windows-1251 CSV with the Russian headers people use (generated here), re-import,
//! comments that become triaged `pos` appeals, shares and the leader; `mcu add` (ids unique,
//! triaged, created with the operator in the history, nothing personal in the log).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::engine::{Engine, fresh_workspace, on_both_engines};
use common::pg::TestDb;

const NOW: &str = "2026-11-25T12:00:00+03:00";

/// Runs `mcu --workspace WS ARGS` with the log written to `log`.
fn mcu(ws: &Path, log: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env("MCU_LOG", log)
        .output()
        .expect("mcu runs")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    })
}

struct Ws {
    root: PathBuf,
    log: PathBuf,
    _db: Option<TestDb>,
    dir: tempfile::TempDir,
}

impl Ws {
    fn new(engine: Engine) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (root, db) = fresh_workspace(engine, dir.path(), "ws");
        let log = dir.path().join("mcu.log");
        let ws = Self {
            root,
            log,
            _db: db,
            dir,
        };
        let out = ws.run(&["init"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ws
    }

    fn run(&self, args: &[&str]) -> Output {
        mcu(&self.root, &self.log, args)
    }

    fn json(&self, args: &[&str]) -> Value {
        json(&self.run(args))
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        common::write(self.dir.path(), name, bytes)
    }
}

const COMMENT: &str =
    "На улице Садовой огромные ямы на дороге, асфальт разбит, нужен ремонт дороги";

/// A vote export as XLSX: three options of a vote, a comment row, and a discussion.
fn vote_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "Номер голосования",
        "Название",
        "Вид",
        "Дата начала",
        "Дата окончания",
        "Населённый пункт",
        "Вариант ответа",
        "Голосов",
        "Участников",
        "Комментарий",
        "Автор",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [[&str; 11]; 5] = [
        [
            "ГЛС-17",
            "Какой двор благоустроить в 2027 году",
            "Голосование",
            "01.11.2026",
            "20.11.2026",
            "Юркино",
            "Двор на Садовой, 3",
            "",
            "412",
            "",
            "",
        ],
        [
            "ГЛС-17",
            "",
            "",
            "",
            "",
            "",
            "Сквер у школы",
            "190",
            "",
            "",
            "",
        ],
        [
            "ГЛС-17",
            "",
            "",
            "",
            "",
            "",
            "Площадка у ДК",
            "96",
            "",
            "",
            "",
        ],
        [
            "ГЛС-17",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            COMMENT,
            "Соколова Анна",
        ],
        [
            "ОБС-3",
            "Проект правил благоустройства",
            "Общественное обсуждение",
            "05.11.2026",
            "",
            "Юркино",
            "",
            "",
            "37",
            "Просим добавить урны у остановки",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let r = r as u32 + 1;
            if c == 7 && r == 1 {
                sheet.write_number(r, c as u16, 250.0).unwrap();
            } else if c == 4 && r == 1 {
                // An Excel date, as ПОС writes it.
                let end = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 20)
                    .and_then(|d| d.and_hms(18, 0, 0))
                    .unwrap();
                let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy hh:mm");
                sheet
                    .write_datetime_with_format(r, c as u16, &end, &format)
                    .unwrap();
            } else if !v.is_empty() {
                sheet.write_string(r, c as u16, *v).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

/// A vote's options as `(option, votes, share)`.
fn options(v: &Value) -> Vec<(String, i64, f64)> {
    v["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["option"].as_str().unwrap().to_string(),
                o["votes"].as_i64().unwrap(),
                (o["share"].as_f64().unwrap() * 1000.0).round() / 1000.0,
            )
        })
        .collect()
}

fn an_xlsx_export_with_russian_headers_gives_votes_shares_and_triaged_comments(engine: Engine) {
    let ws = Ws::new(engine);
    let path = ws.dir.path().join("голосования.xlsx");
    vote_xlsx(&path);
    let report = ws.json(&[
        "votes",
        "import",
        path.to_str().unwrap(),
        "--now",
        NOW,
        "--json",
    ]);
    let r = &report[0];
    assert_eq!(r["votes"]["inserted"], 2, "{r}");
    assert_eq!(r["comments"]["inserted"], 2, "{r}");
    assert_eq!(r["errors"].as_array().unwrap().len(), 0, "{r}");
    assert!(r["triaged"]["appeals"].as_i64().unwrap() >= 2, "{r}");
    assert_eq!(r["triaged"]["pending"], 0, "{r}");

    let v = ws.json(&["votes", "show", "ГЛС-17", "--json"]);
    assert_eq!(v["kind"], "vote");
    assert_eq!(v["participants"], 412);
    assert_eq!(v["settlement"], "Юркино");
    assert_eq!(v["ended_at"], "2026-11-20T18:00:00+03:00");
    assert_eq!(v["started_at"], "2026-11-01T00:00:00+03:00");
    assert_eq!(
        options(&v),
        [
            ("Двор на Садовой, 3".to_string(), 250, 0.466),
            ("Сквер у школы".to_string(), 190, 0.354),
            ("Площадка у ДК".to_string(), 96, 0.179),
        ]
    );
    assert_eq!(v["leader"], "Двор на Садовой, 3");
    assert_eq!(v["comments"], 1);

    // The comment is an appeal of channel pos, the vote's id its category, triaged.
    let id = v["comment_appeals"][0].as_i64().unwrap();
    let a = ws.json(&["show", &id.to_string(), "--json"]);
    assert_eq!(a["channel"], "pos");
    assert_eq!(a["category"], "ГЛС-17");
    assert_eq!(a["text"], COMMENT);
    assert_eq!(a["author"], "Соколова Анна");
    assert_eq!(a["settlement"], "Юркино");
    assert_eq!(a["triage"]["state"], "done", "{a}");
    assert!(a["source_id"].as_str().unwrap().starts_with("vote:ГЛС-17:"));

    let list = ws.json(&["votes", "list", "--json"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["vote_id"].as_str().unwrap())
        .collect();
    // The discussion has no end yet; ГЛС-17 ended on the 20th, after ОБС-3 started.
    assert_eq!(ids, ["ГЛС-17", "ОБС-3"]);
    assert_eq!(list[1]["kind"], "discussion");
    assert_eq!(list[1]["comments"], 1);
    assert_eq!(list[1]["leader"], Value::Null);

    // The register's history: created by the operator through the import of that file.
    let log = ws.json(&[
        "audit",
        "log",
        "--register",
        "vote",
        "--entry",
        &v["id"].to_string(),
        "--json",
    ]);
    let entries = log.as_array().unwrap();
    assert!(entries.iter().any(|e| e["field"] == "created"), "{log}");
    assert!(
        entries
            .iter()
            .any(|e| e["field"] == "option «Сквер у школы»" && e["new"] == "190"),
        "{log}"
    );
    let verify = ws.run(&["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// A CSV of the ПОС export as people save it from Excel: Windows-1251, `;`, CRLF.
fn cp1251_csv(ws: &Ws, name: &str, park_votes: &str) -> PathBuf {
    let text = format!(
        "Номер голосования;Название;Тип голосования;Дата окончания;Вариант ответа;Количество голосов;Число участников;Комментарий\n\
         ОПР-5;Нужен ли новый парк;Опрос;30.11.2026;Да;{park_votes};300;\n\
         ОПР-5;;;;Нет;40;;\n\
         ОПР-5;;;;Не знаю;много;;\n\
         ;;;;Может быть;3;;\n\
         ОПР-5;;;;;;;Парк нужен у реки, там сейчас пустырь и свалка\n"
    );
    let bytes = common::encode(&text, encoding_rs::WINDOWS_1251, true);
    ws.file(name, &bytes)
}

fn a_windows_1251_csv_imports_its_good_rows_reports_the_bad_and_reimport_updates(engine: Engine) {
    let ws = Ws::new(engine);
    let first = cp1251_csv(&ws, "опрос.csv", "120");
    let out = ws.run(&["votes", "import", first.to_str().unwrap(), "--now", NOW]);
    assert_eq!(out.status.code(), Some(3), "bad rows: exit code 3");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("опрос.csv:4: column «Количество голосов»: «много» is not a whole number"),
        "{err}"
    );
    assert!(
        err.contains("опрос.csv:5: column «Номер голосования»: no vote id"),
        "{err}"
    );

    let v = ws.json(&["votes", "show", "ОПР-5", "--json"]);
    assert_eq!(v["kind"], "survey");
    assert_eq!(v["participants"], 300);
    assert_eq!(
        options(&v),
        [("Да".into(), 120, 0.75), ("Нет".into(), 40, 0.25)]
    );
    assert_eq!(v["leader"], "Да");
    assert_eq!(v["comments"], 1);
    let appeals = ws.json(&["list", "--json"]);
    let n = appeals.as_array().unwrap().len();
    assert_eq!(n, 1);

    // A later export: the counts change, the comment is the same appeal.
    let second = cp1251_csv(&ws, "опрос-2.csv", "180");
    let r = &ws.json(&[
        "votes",
        "import",
        second.to_str().unwrap(),
        "--now",
        NOW,
        "--json",
    ])[0];
    assert_eq!(r["votes"]["updated"], 1, "{r}");
    assert_eq!(r["comments"]["inserted"], 0, "{r}");
    assert_eq!(r["comments"]["unchanged"], 1, "{r}");
    let v = ws.json(&["votes", "show", "ОПР-5", "--json"]);
    assert_eq!(options(&v)[0], ("Да".into(), 180, 0.818));
    assert_eq!(ws.json(&["list", "--json"]).as_array().unwrap().len(), 1);
    let log = std::fs::read_to_string(&ws.log).unwrap_or_default();
    assert!(!log.contains("пустырь"), "a comment's text reached the log");
}

fn a_file_without_vote_columns_is_refused_with_what_it_lacks(engine: Engine) {
    let ws = Ws::new(engine);
    let f = ws.file("appeals.csv", "Номер;Текст\n1;Яма\n".as_bytes());
    let out = ws.run(&["votes", "import", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("appeals.csv: not a vote file"), "{err}");
    assert!(err.contains("Номер голосования"), "{err}");
}

fn appeals_taken_by_hand_get_unique_ids_are_triaged_and_keep_names_out_of_the_log(engine: Engine) {
    let ws = Ws::new(engine);
    let add = |text: &str| {
        ws.json(&[
            "add",
            "--channel",
            "phone",
            "--text",
            text,
            "--author",
            "Петров Пётр Петрович",
            "--contact",
            "+7 900 111-22-33",
            "--settlement",
            "Юркино",
            "--received",
            "2026-11-24T10:15:00+03:00",
            "--now",
            NOW,
            "--json",
        ])
    };
    let a = add("Во дворе дома 5 на улице Садовой огромная яма на дороге, разбит асфальт");
    let b = add("Не вывозят мусор с контейнерной площадки уже неделю");
    assert_eq!(a["source_id"], "mcu-2026-000001");
    assert_eq!(b["source_id"], "mcu-2026-000002");
    assert_ne!(a["id"], b["id"]);
    assert_eq!(a["channel"], "phone");

    let shown = ws.json(&["show", &a["id"].to_string(), "--json"]);
    assert_eq!(shown["triage"]["state"], "done", "{shown}");
    assert_eq!(shown["author"], "Петров Пётр Петрович");
    assert_eq!(shown["settlement"], "Юркино");
    assert_eq!(shown["received_at"], "2026-11-24T10:15:00+03:00");
    let created = &shown["history"][0];
    assert_eq!(created["field"], "created", "{shown}");
    assert_eq!(created["source"], "cli");
    assert_eq!(
        created["operator"],
        ws.json(&["init", "--json"])["operator"]
    );

    // Another channel takes the next number: unique per workspace, never reused.
    let c = ws.json(&[
        "add",
        "--channel",
        "other",
        "--text",
        "Личный приём: просьба о ремонте крыши",
        "--json",
    ]);
    assert_eq!(c["channel"], "other");
    assert!(c["source_id"].as_str().unwrap().ends_with("-000003"), "{c}");
    let found = ws.json(&["show", "phone:mcu-2026-000002", "--json"]);
    assert_eq!(found["id"], b["id"]);

    let empty = ws.run(&["add", "--channel", "phone", "--text", "  "]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no text"));

    let log = std::fs::read_to_string(&ws.log).unwrap();
    for planted in ["Петров", "900 111", "Садовой", "мусор", "Юркино"] {
        assert!(
            !log.contains(planted),
            "«{planted}» reached the log:\n{log}"
        );
    }
    assert!(log.contains("appeal taken by hand"), "{log}");
}

fn the_demo_fills_two_votes_one_with_triaged_comments(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (root, _db) = fresh_workspace(engine, dir.path(), "demo");
    let log = dir.path().join("demo.log");
    let out = mcu(
        &root,
        &log,
        &["demo", "--summary", "--now", NOW, "--appeals", "30"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = json(&mcu(&root, &log, &["votes", "list", "--json"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let with_comments: Vec<&Value> = list.iter().filter(|v| v["comments"] != 0).collect();
    assert_eq!(with_comments.len(), 1);
    let v = json(&mcu(
        &root,
        &log,
        &[
            "votes",
            "show",
            with_comments[0]["vote_id"].as_str().unwrap(),
            "--json",
        ],
    ));
    assert!(v["leader"].is_string(), "{v}");
    for id in v["comment_appeals"].as_array().unwrap() {
        let a = json(&mcu(&root, &log, &["show", &id.to_string(), "--json"]));
        assert_eq!(a["channel"], "pos");
        assert_eq!(a["triage"]["state"], "done", "{a}");
    }
}

on_both_engines!(
    an_xlsx_export_with_russian_headers_gives_votes_shares_and_triaged_comments,
    a_windows_1251_csv_imports_its_good_rows_reports_the_bad_and_reimport_updates,
    a_file_without_vote_columns_is_refused_with_what_it_lacks,
    appeals_taken_by_hand_get_unique_ids_are_triaged_and_keep_names_out_of_the_log,
    the_demo_fills_two_votes_one_with_triaged_comments,
);

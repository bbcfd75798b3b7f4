//! The real `mcu` binary importing real files into a real workspace: every format, bad rows,
//! re-import, unreadable files, the inbox, and a crash in the middle of a file.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const NOW: &str = "2026-11-28T12:00:00+03:00";

mod common;
use common::engine::{Engine, EngineWs, on_both_engines};
use common::operators::mcu;

fn json(out: &Output) -> Value {
    assert!(
        out.status.success() || out.status.code() == Some(3),
        "mcu failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// A ПОС-style export as the platform gives it: Windows-1251, `;`, a multi-line quoted text.
fn pos_csv_cp1251(dir: &Path) -> PathBuf {
    let text = "Номер сообщения;Дата создания;Категория;Текст сообщения;Населённый пункт;ФИО заявителя;Обращение по 59-ФЗ;Ответственный;Статус;Дата ответа;Оценка\r\n\
        5001;02.11.2026 09:15;Дороги;\"На въезде в село размыло дорогу.\r\nМашины буксуют, автобус не проходит.\";с. Заречное;Орлова Вера Ивановна;Нет;Отдел дорожного хозяйства;В работе;;\r\n\
        5002;03.11.2026 14:40;ЖКХ;Третий день нет воды в колонке на улице Садовой;д. Липовка;Громов П. С.;Да;Отдел ЖКХ;Дан ответ;05.11.2026 10:00;5\r\n\
        5003;04.11.2026 08:05;Культура;Просим отремонтировать крыльцо сельского клуба;с. Заречное;Белова Н.;Нет;;Новое;;\r\n";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad);
    let p = dir.join("pos_export.csv");
    fs::write(&p, bytes).unwrap();
    p
}

/// An ИМ-style XLSX with real Excel date cells.
fn im_xlsx(dir: &Path) -> PathBuf {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    for (c, h) in ["Номер", "Дата поступления", "Соцсеть", "Текст", "Срочно"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        (
            "IM-1",
            (2026, 11, 27, 16, 30),
            "ВКонтакте",
            "Упало дерево на провода у школы",
            "Да",
        ),
        (
            "IM-2",
            (2026, 11, 26, 10, 0),
            "Одноклассники",
            "Когда откроют новую площадку?",
            "Нет",
        ),
    ];
    for (i, (id, (y, mo, d, h, mi), net, text, urgent)) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_string(r, 0, *id).unwrap();
        let dt = ExcelDateTime::from_ymd(*y, *mo, *d)
            .unwrap()
            .and_hms(*h, *mi, 0)
            .unwrap();
        ws.write_datetime_with_format(r, 1, &dt, &date).unwrap();
        ws.write_string(r, 2, *net).unwrap();
        ws.write_string(r, 3, *text).unwrap();
        ws.write_string(r, 4, *urgent).unwrap();
    }
    let p = dir.join("im_export.xlsx");
    wb.save(&p).unwrap();
    p
}

fn messenger_jsonl(dir: &Path) -> PathBuf {
    let p = dir.join("messenger.jsonl");
    fs::write(
        &p,
        concat!(
            r#"{"id":"TG-1","channel":"messenger","received_at":"2026-11-20T10:00:00+03:00","text":"Спасибо за новый автобус!","status":"closed","answered_at":"2026-11-20T12:00:00+03:00","rating":5}"#,
            "\n",
            r#"{"id":"TG-2","channel":"messenger","received_at":"2026-11-21 09:30","text":"Собаки бегают стаей у остановки","urgent":true}"#,
            "\n"
        ),
    )
    .unwrap();
    p
}

fn open311(dir: &Path) -> PathBuf {
    let p = dir.join("requests.json");
    fs::write(
        &p,
        r#"[{"service_request_id":"SR-1","status":"closed","service_name":"Дороги","description":"Не убран снег на мосту","agency_responsible":"Отдел дорожного хозяйства","requested_datetime":"2026-11-10T08:00:00+03:00","updated_datetime":"2026-11-11T15:00:00+03:00","address":"с. Заречное","lat":56.9,"long":46.8},
            {"service_request_id":"SR-2","status":"open","service_name":"Спорт","description":"Нужна хоккейная коробка","agency_responsible":null,"requested_datetime":"2026-11-12T18:00:00+03:00","updated_datetime":"2026-11-12T18:00:00+03:00","address":null,"lat":null,"long":null}]"#,
    )
    .unwrap();
    p
}

fn with_bad_rows(dir: &Path) -> PathBuf {
    let p = dir.join("bad.csv");
    fs::write(
        &p,
        "id;received_at;text;rating\n\
         B-1;2026-11-02 10:00;Хороший текст;\n\
         ;2026-11-02 10:00;Нет номера;\n\
         B-3;2026-11-02 10:00;;\n\
         B-4;31.02.2026 10:00;Несуществующая дата;\n\
         B-5;2026-11-02 10:00;Оценка не та;7\n\
         B-6;вчера;Дата словом;\n\
         B-7;2026-11-03 11:00;Ещё хороший текст;4\n",
    )
    .unwrap();
    p
}

fn imported(report: &Value) -> (i64, i64, i64, i64) {
    (
        report["inserted"].as_i64().unwrap(),
        report["updated"].as_i64().unwrap(),
        report["unchanged"].as_i64().unwrap(),
        report["quarantined"].as_i64().unwrap(),
    )
}

fn every_format_imports_with_its_channel(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--now",
            NOW,
            pos_csv_cp1251(src.path()).to_str().unwrap(),
        ],
    );
    // No channel column and no --channel: the file cannot be placed, and says how to fix it.
    assert_eq!(out.status.code(), Some(3));
    let r = json(&out);
    assert_eq!(r[0]["outcome"], "failed");
    assert!(
        r[0]["reason"].as_str().unwrap().contains("--channel"),
        "{r}"
    );

    // Given the channel, the same file imports (it was not recorded as imported).
    let pos = pos_csv_cp1251(src.path());
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--now",
            NOW,
            "--channel",
            "pos",
            pos.to_str().unwrap(),
        ],
    );
    let r = json(&out);
    assert_eq!(r[0]["format"], "csv");
    assert_eq!(imported(&r[0]), (3, 0, 0, 0), "{r}");

    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--now",
            NOW,
            "--channel",
            "im",
            im_xlsx(src.path()).to_str().unwrap(),
            messenger_jsonl(src.path()).to_str().unwrap(),
        ],
    );
    let r = json(&out);
    assert_eq!(r[0]["format"], "spreadsheet");
    assert_eq!(imported(&r[0]), (2, 0, 0, 0), "{r}");
    assert_eq!(imported(&r[1]), (2, 0, 0, 0), "{r}");
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--now",
            NOW,
            "--channel",
            "messenger",
            open311(src.path()).to_str().unwrap(),
        ],
    );
    let r = json(&out);
    assert_eq!(r[0]["format"], "open311");
    assert_eq!(imported(&r[0]), (2, 0, 0, 0), "{r}");

    // The multi-line Windows-1251 text survived intact.
    let a = json(&mcu(
        ws.dir(),
        &["show", "pos:5001", "--json", "--now", NOW],
    ));
    assert_eq!(
        a["text"],
        "На въезде в село размыло дорогу.\nМашины буксуют, автобус не проходит."
    );
    assert_eq!(a["settlement"], "с. Заречное");
    assert_eq!(a["author"], "Орлова Вера Ивановна");
    assert_eq!(a["status"], "in_progress");
    assert_eq!(a["received_at"], "2026-11-02T09:15:00+03:00");
    let b = json(&mcu(
        ws.dir(),
        &["show", "pos:5002", "--json", "--now", NOW],
    ));
    assert_eq!(b["fz59"], true);
    assert_eq!(b["rating"], 5);
    assert_eq!(b["status"], "answered");

    // The Excel date cell is local time; the «Соцсеть» word sets the channel to im.
    let im = json(&mcu(ws.dir(), &["show", "im:IM-1", "--json", "--now", NOW]));
    assert_eq!(im["received_at"], "2026-11-27T16:30:00+03:00");
    assert_eq!(im["urgent"], true);
    assert_eq!(im["first_response_due"], "2026-11-30T11:30:00+03:00");

    let sr = json(&mcu(
        ws.dir(),
        &["show", "messenger:SR-1", "--json", "--now", NOW],
    ));
    assert_eq!(sr["status"], "closed");
    assert_eq!(sr["answered_at"], "2026-11-11T15:00:00+03:00");
    assert_eq!(sr["category"], "Дороги");
    assert_eq!(sr["responsible"], "Отдел дорожного хозяйства");

    let stats = json(&mcu(ws.dir(), &["stats", "--json", "--now", NOW]));
    assert_eq!(stats["total"], 9);
    assert_eq!(stats["by_channel"]["pos"], 3);
    assert_eq!(stats["by_channel"]["im"], 2);
    assert_eq!(stats["by_channel"]["messenger"], 4);
    let blocks: i64 = stats["by_block"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(blocks, 9);
}

fn bad_rows_go_to_quarantine_with_line_field_and_reason_while_good_rows_import(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--now",
            NOW,
            "--channel",
            "pos",
            with_bad_rows(src.path()).to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "exit code 3 when rows are quarantined"
    );
    let r = json(&out);
    assert_eq!(imported(&r[0]), (2, 0, 0, 5), "{r}");
    let q = r[0]["quarantine"].as_str().unwrap();
    assert!(q.ends_with("bad.csv.errors.csv"), "{q}");
    let errors = fs::read_to_string(q).unwrap();
    let lines: Vec<&str> = errors.lines().collect();
    let has = |line: &str, field: &str, needle: &str| {
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{line};")) && l.contains(field) && l.contains(needle))
    };
    assert!(has("3", "id", ""), "{errors}");
    assert!(has("4", "text", ""), "{errors}");
    assert!(has("5", "received_at", "31.02.2026"), "{errors}");
    assert!(has("6", "rating", "7"), "{errors}");
    assert!(has("7", "received_at", "вчера"), "{errors}");
    // Nothing lost: the bad rows' own cells are kept.
    assert!(errors.contains("Оценка не та"));
}

/// A big file seen before (under another name too) is abandoned as soon as its hash is known,
/// whatever was written meanwhile rolled back: nothing changes, not even the audit trail.
fn a_big_file_seen_before_changes_nothing(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let mut body = String::from("id;received_at;text;status\n");
    for i in 0..3000 {
        body.push_str(&format!(
            "B-{i};2026-11-02 10:{:02};Яма на дороге у дома {i};new\n",
            i % 60
        ));
    }
    let f = src.path().join("big.csv");
    fs::write(&f, &body).unwrap();
    let copy = src.path().join("big-copy.csv");
    fs::write(&copy, &body).unwrap();
    let import = |file: &Path| {
        json(&mcu(
            ws.dir(),
            &[
                "import",
                "--json",
                "--now",
                NOW,
                "--channel",
                "pos",
                file.to_str().unwrap(),
            ],
        ))
    };
    assert_eq!(imported(&import(&f)[0]), (3000, 0, 0, 0));
    let audit = |ws: &Path| json(&mcu(ws, &["audit", "log", "--json"]));
    let before = audit(ws.dir());
    for file in [&f, &copy] {
        let again = import(file);
        assert_eq!(again[0]["outcome"], "already_imported", "{again}");
    }
    assert_eq!(audit(ws.dir()), before);
    let stats = json(&mcu(ws.dir(), &["stats", "--json", "--now", NOW]));
    assert_eq!(stats["total"], 3000, "{stats}");
}

fn the_same_file_twice_is_skipped_and_a_later_export_updates(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let f = src.path().join("a.csv");
    fs::write(
        &f,
        "id;received_at;text;status\nA-1;2026-11-02 10:00;Нет света на улице;new\n",
    )
    .unwrap();
    let args = [
        "import",
        "--json",
        "--now",
        NOW,
        "--channel",
        "pos",
        f.to_str().unwrap(),
    ];
    json(&mcu(ws.dir(), &args));
    let again = json(&mcu(ws.dir(), &args));
    assert_eq!(again[0]["outcome"], "already_imported");

    fs::write(&f, "id;received_at;text;status;answered_at\nA-1;2026-11-02 10:00;Нет света на улице;Дан ответ;2026-11-03 09:00\n").unwrap();
    let later = json(&mcu(ws.dir(), &args));
    assert_eq!(imported(&later[0]), (0, 1, 0, 0));
    let a = json(&mcu(ws.dir(), &["show", "pos:A-1", "--json"]));
    assert_eq!(a["status"], "answered");
    let changed: Vec<&str> = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        changed.contains(&"status") && changed.contains(&"answered_at"),
        "{changed:?}"
    );
    assert_eq!(json(&mcu(ws.dir(), &["stats", "--json"]))["total"], 1);
}

fn an_unreadable_file_goes_to_quarantine_with_the_reason(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    mcu(ws.dir(), &["init"]);
    let inbox = ws.dir().join("inbox/pos");
    fs::write(
        inbox.join("broken.xlsx"),
        b"PK\x03\x04 this is not really a zip",
    )
    .unwrap();
    let out = mcu(ws.dir(), &["import", "--inbox", "--json", "--now", NOW]);
    assert_eq!(out.status.code(), Some(3));
    let r = json(&out);
    assert_eq!(r[0]["outcome"], "failed");
    assert!(!inbox.join("broken.xlsx").exists(), "left the inbox");
    let q = ws.dir().join("quarantine");
    assert!(q.join("broken.xlsx").exists());
    let why = fs::read_to_string(q.join("broken.xlsx.error.txt")).unwrap();
    assert!(
        why.contains("broken.xlsx") && why.contains("reason:"),
        "{why}"
    );
}

fn inbox_files_take_the_channel_of_their_folder_and_move_to_processed(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    mcu(ws.dir(), &["init"]);
    for d in [
        "inbox/im",
        "inbox/pos",
        "inbox/letters",
        "inbox/pages",
        "processed",
        "quarantine",
        "reports",
    ] {
        assert!(ws.dir().join(d).is_dir(), "{d}");
    }
    // The data lives in the workspace's own file only on SQLite.
    assert_eq!(
        ws.dir().join("mcu.db").is_file(),
        engine == Engine::Sqlite,
        "{engine:?}"
    );
    fs::write(
        ws.dir().join("inbox/letters/registry.csv"),
        "\u{feff}Рег. номер,Дата регистрации,Заявитель,Краткое содержание\nП-1,02.12.2026 10:00,Котова А.,Прошу отремонтировать дорогу\n",
    )
    .unwrap();
    fs::write(ws.dir().join("inbox/letters/.partial-upload.csv"), "id\n").unwrap();
    let r = json(&mcu(
        ws.dir(),
        &["import", "--inbox", "--json", "--now", NOW],
    ));
    assert_eq!(
        r.as_array().unwrap().len(),
        1,
        "hidden files are left alone: {r}"
    );
    assert_eq!(imported(&r[0]).0, 1);
    assert!(ws.dir().join("processed/2026-11-28/registry.csv").exists());
    assert!(!ws.dir().join("inbox/letters/registry.csv").exists());
    let a = json(&mcu(ws.dir(), &["show", "letter:П-1", "--json"]));
    assert_eq!(a["answer_due"], "2026-12-30T17:00:00+03:00");
    assert_eq!(a["register_due"], "2026-12-04T17:00:00+03:00");
}

fn deadline_command_gives_the_rule_examples(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let d = |args: &[&str]| json(&mcu(ws.dir(), &[&["deadline", "--json"], args].concat()));
    let im = d(&["--channel", "im", "--received", "2026-11-27T16:30:00+03:00"]);
    assert_eq!(im["first_response_due"], "2026-11-30T16:30:00+03:00");
    assert_eq!(im["answer_due"], "2026-11-30T16:30:00+03:00");
    assert_eq!(im["register_due"], Value::Null);
    let urgent = d(&[
        "--channel",
        "im",
        "--urgent",
        "--received",
        "2026-11-28 10:00",
    ]);
    assert_eq!(urgent["first_response_due"], "2026-11-30T12:00:00+03:00");
    let pos = d(&["--channel", "pos", "--received", "2026-12-24 11:00"]);
    assert_eq!(pos["answer_due"], "2027-01-18T17:00:00+03:00");
    assert_eq!(pos["first_response_due"], Value::Null);
    let letter = d(&["--channel", "letter", "--received", "2026-12-02 10:00"]);
    assert_eq!(letter["answer_due"], "2026-12-30T17:00:00+03:00");
    let short = d(&["--channel", "im", "--received", "2026-04-30 15:30"]);
    assert_eq!(short["first_response_due"], "2026-05-04T16:30:00+03:00");
    // A year the calendar does not know is a clear error, not a guess.
    let out = mcu(
        ws.dir(),
        &[
            "deadline",
            "--channel",
            "pos",
            "--received",
            "2031-03-02 10:00",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2031"));
}

fn set_changes_are_audited_and_bad_values_refused(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let f = src.path().join("a.csv");
    fs::write(&f, "id;received_at;text;responsible\nA-1;2026-11-02 10:00;Яма на дороге;Отдел дорожного хозяйства\nA-2;2026-11-02 11:00;Ещё одна яма;\n").unwrap();
    json(&mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--no-triage",
            "--channel",
            "pos",
            f.to_str().unwrap(),
        ],
    ));
    let out = mcu(
        ws.dir(),
        &[
            "set",
            "pos:A-2",
            "--block",
            "roads",
            "--responsible",
            "дорожного",
            "--note",
            "по телефону",
            "--json",
            "--now",
            NOW,
        ],
    );
    let r = json(&out);
    assert_eq!(r["appeal"]["block"], "roads");
    assert_eq!(r["appeal"]["responsible"], "Отдел дорожного хозяйства");
    assert_eq!(r["appeal"]["status"], "assigned");

    let bad = mcu(ws.dir(), &["set", "pos:A-2", "--block", "space"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("space"));
    let bad = mcu(ws.dir(), &["set", "pos:A-2", "--status", "flying"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown status is a usage error"
    );
    let bad = mcu(
        ws.dir(),
        &["set", "pos:A-2", "--responsible", "Отдел космоса"],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Отдел дорожного хозяйства"));

    let list = json(&mcu(ws.dir(), &["list", "--block", "roads", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let found = json(&mcu(ws.dir(), &["list", "--search", "ямы", "--json"]));
    assert_eq!(found.as_array().unwrap().len(), 2);
}

fn rank_json_has_the_documented_fields_and_explain_names_the_appeals(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let f = src.path().join("a.csv");
    fs::write(
        &f,
        "id;received_at;text;responsible;status;answered_at;rating\n\
         R-1;2026-11-02 10:00;Яма на дороге;Отдел дорог;Дан ответ;2026-11-03 10:00;5\n\
         R-2;2026-11-03 10:00;Ещё яма;Отдел дорог;В работе;;\n\
         R-3;2026-11-05 10:00;Один раз;Отдел школ;Дан ответ;2026-11-06 10:00;\n",
    )
    .unwrap();
    json(&mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--channel",
            "pos",
            "--now",
            NOW,
            f.to_str().unwrap(),
        ],
    ));
    let r = json(&mcu(
        ws.dir(),
        &[
            "rank",
            "--json",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-28",
            "--now",
            NOW,
        ],
    ));
    let rows = r.as_array().unwrap();
    assert_eq!(rows.len(), 1, "one appeal is not enough to be ranked: {r}");
    let row = &rows[0];
    for k in [
        "rank",
        "recipient",
        "score",
        "volume",
        "answered",
        "on_time",
        "open_overdue",
        "timeliness",
        "quality",
        "satisfaction",
        "median_first_response_wh",
        "prev_rank",
    ] {
        assert!(row.get(k).is_some(), "missing {k}: {row}");
    }
    assert_eq!(row["recipient"], "Отдел дорог");
    // R-2 received 03.11 is due 18.11 and still open at 28.11: 1 on time of 2.
    assert_eq!(row["timeliness"], 0.5);
    assert_eq!(row["quality"], Value::Null);
    assert_eq!(row["satisfaction"], 1.0);
    assert_eq!(row["prev_rank"], Value::Null);
    let e = json(&mcu(
        ws.dir(),
        &[
            "rank",
            "--json",
            "--explain",
            "дорог",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-28",
            "--now",
            NOW,
        ],
    ));
    let keys: Vec<&str> = e["appeals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["pos:R-1", "pos:R-2"]);
    assert_eq!(e["appeals"][1]["counts"]["open_overdue"], true);
}

fn import_runs_auto_triage_and_records_what_it_set(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let src = tempfile::tempdir().unwrap();
    let f = src.path().join("t.csv");
    fs::write(
        &f,
        "id;received_at;text\n\
         T-1;2026-11-26 10:00;Третий день нет отопления в доме на улице Лесной, батареи ледяные\n",
    )
    .unwrap();
    let r = json(&mcu(
        ws.dir(),
        &[
            "import",
            "--json",
            "--channel",
            "im",
            "--now",
            NOW,
            f.to_str().unwrap(),
        ],
    ));
    assert_eq!(r[0]["triaged"]["appeals"], 1, "{r}");
    let a = json(&mcu(ws.dir(), &["show", "im:T-1", "--json", "--now", NOW]));
    assert_eq!(a["block"], "housing", "{a}");
    assert_eq!(a["urgent"], true, "no heating is urgent: {a}");
    let by_triage: Vec<&str> = a["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "auto-triage")
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        by_triage.contains(&"block") && by_triage.contains(&"urgent"),
        "{by_triage:?}"
    );
}

/// The peak resident memory `mcu import --peak-rss` reports, in KiB.
fn peak_rss_kb(out: &Output) -> u64 {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("peak_rss_kb on stderr")
}

fn a_huge_csv_cell_is_skipped_in_bounded_memory_and_its_row_reported(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        f.write_all(b"id;received_at;text\n1;2026-11-02 10:00;\xd0\xaf\xd0\xbc\xd0\xb0\n2;2026-11-02 10:00;")
            .unwrap();
        let chunk = "ж".repeat(1 << 19); // 1 MiB
        for _ in 0..96 {
            f.write_all(chunk.as_bytes()).unwrap();
        }
        f.write_all("\n3;2026-11-02 10:00;Фонарь\n".as_bytes())
            .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws.dir())
        .args([
            "import",
            "--channel",
            "pos",
            "--no-triage",
            "--json",
            "--peak-rss",
            "--now",
            NOW,
        ])
        .arg(&path)
        .env_remove("MCU_HOME")
        .output()
        .unwrap();
    let r = json(&out);
    assert_eq!(imported(&r[0]), (2, 0, 0, 1));
    // The 96 MiB cell is never held: the whole process stays far below its size (an unbounded
    // reader took 17 times the field's size).
    let kb = peak_rss_kb(&out);
    assert!(kb < 80 * 1024, "peak {kb} KiB");
    let report = fs::read_to_string(ws.dir().join("quarantine/huge.csv.errors.csv")).unwrap();
    assert!(
        report.contains("3;text;the cell holds 96 MiB, more than the 1 MiB a cell may"),
        "{report}"
    );
}

fn a_file_that_imported_nothing_is_not_recorded_and_says_why(engine: Engine) {
    let ws = EngineWs::new(engine, "okrug");
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("nochannel.jsonl");
    fs::write(
        &jsonl,
        "{\"id\": \"1\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"Яма\"}\n",
    )
    .unwrap();
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--no-triage",
            "--json",
            "--now",
            NOW,
            jsonl.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let r = json(&out);
    assert_eq!(r[0]["outcome"], "failed");
    assert!(
        r[0]["reason"]
            .as_str()
            .unwrap()
            .contains("no row names a channel"),
        "{r}"
    );
    // Not recorded as imported: with a channel it imports.
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--no-triage",
            "--json",
            "--channel",
            "im",
            "--now",
            NOW,
            jsonl.to_str().unwrap(),
        ],
    );
    let r = json(&out);
    assert_eq!(r[0]["outcome"], "imported", "{r}");
    assert_eq!(r[0]["inserted"], 1);

    let text = dir.path().join("note.txt");
    fs::write(&text, "Просто заметка, не таблица\n").unwrap();
    let out = mcu(
        ws.dir(),
        &[
            "import",
            "--no-triage",
            "--json",
            "--now",
            NOW,
            text.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3));
    let r = json(&out);
    assert_eq!(r[0]["outcome"], "failed");
    assert!(r[0]["reason"].as_str().unwrap().contains("no rows"), "{r}");
}

fn an_xlsx_with_a_cell_at_xfd1048576_in_the_inbox_is_quarantined_and_the_rest_go_on(
    engine: Engine,
) {
    let ws = EngineWs::new(engine, "okrug");
    assert!(mcu(ws.dir(), &["init"]).status.success());
    let far = ws.dir().join("inbox/pos/far.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .write_string(1_048_575, 16_383, "x")
        .unwrap();
    book.save(&far).unwrap();
    let f = fs::File::options().write(true).open(&far).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        .unwrap();
    fs::write(
        ws.dir().join("inbox/pos/next.csv"),
        "id;received_at;text\n1;2026-11-02 10:00;Яма\n",
    )
    .unwrap();
    let out = mcu(
        ws.dir(),
        &["import", "--inbox", "--no-triage", "--json", "--now", NOW],
    );
    assert_eq!(out.status.code(), Some(3));
    let r = json(&out);
    assert_eq!(r[0]["outcome"], "failed");
    let note = fs::read_to_string(ws.dir().join("quarantine/far.xlsx.error.txt")).unwrap();
    assert!(note.contains("column 16384"), "{note}");
    assert_eq!(r[1]["inserted"], 1);
}

/// A file of a few batches (the PostgreSQL import writes rows a batch at a time) with repeats —
/// of a row a few lines above (the same batch), of a row of an earlier batch, exact copies —
/// and bad rows, then a later export updating some and adding others.
fn batches_with_repeats(dir: &Path) -> (PathBuf, PathBuf) {
    const SETTLEMENTS: [&str; 5] = ["с. Заречное", "д. Липовка", "", "п. Лесной", "с. Ключи"];
    const RECIPIENTS: [&str; 4] = [
        "Отдел ЖКХ",
        "",
        "Отдел дорожного хозяйства",
        "Отдел культуры",
    ];
    let header = "id;received_at;text;settlement;responsible;status;answered_at;answer;rating;lat;\
                  lon;urgent\n";
    let row = |i: usize, answered: bool| {
        let (day, hour, min) = (1 + i % 27, 8 + i % 9, i % 60);
        let status = if answered {
            "answered"
        } else {
            ["new", "assigned", "in_progress"][i % 3]
        };
        let (at, answer, rating) = if answered {
            (
                format!("2026-11-{:02} 15:{min:02}", (day + 2).min(28)),
                format!("Ответ по обращению {i}"),
                ((i % 5) + 1).to_string(),
            )
        } else {
            Default::default()
        };
        let (lat, lon) = if i.is_multiple_of(7) {
            (
                format!("{:.6}", 56.5 + i as f64 / 9973.0),
                format!("{:.6}", 46.1 + i as f64 / 7919.0),
            )
        } else {
            Default::default()
        };
        format!(
            "R-{i};2026-10-{day:02} {hour:02}:{min:02};Обращение {i}: яма у дома {}, нет света на \
             улице {};{};{};{status};{at};{answer};{rating};{lat};{lon};{}\n",
            i % 113,
            i % 17,
            SETTLEMENTS[i % 5],
            RECIPIENTS[i % 4],
            if i.is_multiple_of(11) { "да" } else { "" },
        )
    };
    let mut first = String::from(header);
    for i in 0..4500 {
        first.push_str(&row(i, i % 4 == 0));
        if i % 50 == 25 {
            first.push_str(&format!(
                "BAD-{i};31.02.2026 10:00;Дата не та;;;new;;;;;;\n"
            ));
        }
        if i % 37 == 5 {
            // The same appeal a few lines later, answered meanwhile (the same batch).
            first.push_str(&row(i - 3, true));
        }
        if i % 500 == 499 && i > 1000 {
            // An appeal of an earlier batch, answered meanwhile.
            first.push_str(&row(i - 1000, true));
        }
        if i % 211 == 7 {
            // An exact copy: nothing changes.
            first.push_str(&row(i, i % 4 == 0));
        }
    }
    let mut later = String::from(header);
    for i in 0..300 {
        later.push_str(&row(i, i % 2 == 0));
    }
    for i in 5000..5300 {
        later.push_str(&row(i, false));
    }
    let (a, b) = (dir.join("batches.csv"), dir.join("batches-later.csv"));
    fs::write(&a, first).unwrap();
    fs::write(&b, later).unwrap();
    (a, b)
}

/// The import of a file of several batches with repeats and bad rows, and of a later export,
/// gives the same reports, appeals, histories, figures and audit chain (the same head: the same
/// entries in the same order) on PostgreSQL, whose import writes a batch at a time with `COPY`,
/// as on SQLite, which writes row by row; the chain verifies on both.
#[test]
fn batched_import_on_postgres_equals_sqlite_with_repeats_and_bad_rows() {
    let src = tempfile::tempdir().unwrap();
    let (first, later) = batches_with_repeats(src.path());
    let answers: Vec<Vec<(String, Value)>> = common::engine::ENGINES
        .iter()
        .map(|&engine| {
            let ws = EngineWs::new(engine, "okrug");
            let mut got = Vec::new();
            for f in [&first, &later] {
                let out = ws.mcu(&[
                    "import",
                    "--json",
                    "--no-triage",
                    "--now",
                    NOW,
                    "--channel",
                    "pos",
                    f.to_str().unwrap(),
                ]);
                let r = json(&out);
                got.push((format!("import {}", f.display()), json!(imported(&r[0]))));
            }
            let export = src.path().join(format!("export-{engine:?}.csv"));
            ws.ok(&[
                "export",
                "--with-personal-data",
                "-o",
                export.to_str().unwrap(),
            ]);
            got.push(("export".into(), json!(fs::read_to_string(&export).unwrap())));
            for q in [
                &["stats", "--now", NOW][..],
                &["show", "pos:R-2"],
                &["show", "pos:R-1499"],
                &["show", "pos:R-5001"],
                &["audit", "log", "--appeal", "pos:R-2"],
                &["audit", "log", "--limit", "200"],
                &["audit", "head"],
            ] {
                got.push((q.join(" "), ws.json(q)));
            }
            let verify = ws.mcu(&["audit", "verify"]);
            assert!(
                verify.status.success(),
                "{engine:?}: audit verify: {}",
                String::from_utf8_lossy(&verify.stdout)
            );
            got
        })
        .collect();
    let (sqlite, postgres) = (&answers[0], &answers[1]);
    // The files are what they were meant to be: every repeat merged (151 in the first file:
    // 122 of a row just above, 7 of an earlier batch, 22 exact copies), bad rows refused.
    let counts = |v: &Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect()
    };
    let (a, b) = (counts(&sqlite[0].1), counts(&sqlite[1].1));
    assert_eq!((a[0], a[1] + a[2], a[3]), (4500, 151, 90), "{a:?}");
    assert!(
        a[1] > 0 && a[2] >= 22,
        "updated and unchanged repeats: {a:?}"
    );
    assert_eq!((b[0], b[1] + b[2], b[3]), (300, 300, 0), "{b:?}");
    assert!(b[1] > 0 && b[2] > 0, "{b:?}");
    for (s, p) in sqlite.iter().zip(postgres) {
        assert_eq!(s.0, p.0);
        assert!(
            s.1 == p.1,
            "{}: SQLite and PostgreSQL differ:\n{}\n{}",
            s.0,
            s.1,
            p.1
        );
    }
}

on_both_engines!(
    every_format_imports_with_its_channel,
    bad_rows_go_to_quarantine_with_line_field_and_reason_while_good_rows_import,
    a_big_file_seen_before_changes_nothing,
    the_same_file_twice_is_skipped_and_a_later_export_updates,
    an_unreadable_file_goes_to_quarantine_with_the_reason,
    inbox_files_take_the_channel_of_their_folder_and_move_to_processed,
    deadline_command_gives_the_rule_examples,
    set_changes_are_audited_and_bad_values_refused,
    rank_json_has_the_documented_fields_and_explain_names_the_appeals,
    import_runs_auto_triage_and_records_what_it_set,
    a_huge_csv_cell_is_skipped_in_bounded_memory_and_its_row_reported,
    a_file_that_imported_nothing_is_not_recorded_and_says_why,
    an_xlsx_with_a_cell_at_xfd1048576_in_the_inbox_is_quarantined_and_the_rest_go_on,
);

//! The register files through the real binary: `mcu roadmap export` / `mcu roadmap import` and
//! `mcu votes export` — the files people keep (a Windows-1251 CSV with Russian headers, XLSX),
//! re-import that updates instead of duplicating, every change in the audit trail, bad rows named
//! by file, line and column, and exports that re-import unchanged. Fixtures are generated here.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;

use common::operators::{AsOperator, is_root, mcu};

const NOW: &str = "2026-12-07T10:00:00+03:00";
const LATER: &str = "2026-12-08T10:00:00+03:00";

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

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init(dir: &Path) -> PathBuf {
    let ws = dir.join("okrug");
    ok(&ws, &["init"]);
    ws
}

fn audit_len(ws: &Path) -> usize {
    let roadmap = json(ws, &["audit", "log", "--register", "roadmap", "--json"]);
    let measure = json(ws, &["audit", "log", "--register", "measure", "--json"]);
    roadmap.as_array().unwrap().len() + measure.as_array().unwrap().len()
}

/// The plan as an officer keeps it: Windows-1251, `;`, Russian headers, the roadmap's fields
/// repeated on each measure's row, the bare «Срок»/«Ответственный»/«Статус» of the measure.
const PLAN: &str = "Дорожная карта;Проблема;Блок;Населённые пункты;Дата начала;Срок дорожной карты;\
Статус дорожной карты;Цель;№;Мероприятие;Ответственный;Срок;Статус;Отметка об исполнении\n\
Ямы в Юксарах;Разбитая дорога;Дороги;с. Юксары, д. Кибечи;01.10.2026;30.06.2027;исполняется;2;1;\
Ямочный ремонт ул. Школьной;Подрядчик;30.11.2026;выполнено;отремонтировано 40 кв. м\n\
Ямы в Юксарах;Разбитая дорога;Дороги;с. Юксары, д. Кибечи;01.10.2026;30.06.2027;исполняется;2;2;\
Асфальт на ул. Новой;Отдел дорожного хозяйства;31.05.2027;запланировано;\n\
Свалка у Арды;;ЖКХ;с. Арда;;;черновик;;;;;;;\n";

fn cp1251(dir: &Path, name: &str, text: &str) -> PathBuf {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad, "fixture fits Windows-1251");
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_windows_1251_plan_imports_and_re_imports_as_updates() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let plan = cp1251(dir.path(), "план.csv", PLAN);
    let r = json(
        &ws,
        &[
            "roadmap",
            "import",
            plan.to_str().unwrap(),
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(r["roadmaps"]["inserted"], 2, "{r}");
    assert_eq!(r["measures"]["inserted"], 2, "{r}");
    assert_eq!(r["errors"], serde_json::json!([]), "{r}");

    let list = json(&ws, &["roadmap", "list", "--now", NOW, "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let show = json(&ws, &["roadmap", "show", "1", "--now", NOW, "--json"]);
    assert_eq!(show["title"], "Ямы в Юксарах");
    assert_eq!(show["block"], "roads");
    assert_eq!(
        show["settlements"],
        serde_json::json!(["с. Юксары", "д. Кибечи"])
    );
    assert_eq!(show["start"], "2026-10-01");
    assert_eq!(show["status"], "active");
    assert_eq!(show["target"], 2);
    assert_eq!(show["measures"][0]["status"], "done");
    assert_eq!(show["measures"][0]["note"], "отремонтировано 40 кв. м");
    assert_eq!(show["measures"][0]["responsible"], "Подрядчик");
    assert_eq!(show["measures"][1]["due"], "2027-05-31");
    assert_eq!(show["progress"]["done"], 1);

    // The same file again: nothing changes, nothing is duplicated, nothing is audited.
    let before = audit_len(&ws);
    let r = json(
        &ws,
        &[
            "roadmap",
            "import",
            plan.to_str().unwrap(),
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(r["roadmaps"]["unchanged"], 2, "{r}");
    assert_eq!(r["measures"]["unchanged"], 2, "{r}");
    assert_eq!(audit_len(&ws), before);

    // The officer marks the second measure done, adds a third, and one row is bad: the rest goes
    // on, the bad one is named by file, line and column.
    let edited = PLAN.replace(
        "31.05.2027;запланировано;",
        "31.05.2027;выполнено;уложено 300 кв. м",
    ) + "Ямы в Юксарах;;;;;;;;3;Разметка;;31.02.2027;;\n\
         ямы  в юксарах;;;;;;;;4;Знаки;ГИБДД;15.06.2027;в работе;\n";
    let plan2 = cp1251(dir.path(), "план2.csv", &edited);
    let out = mcu(
        &ws,
        &["roadmap", "import", plan2.to_str().unwrap(), "--now", LATER],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("план2.csv:5: column «Срок»: «31.02.2027» is not a date"),
        "{}",
        stderr(&out)
    );
    let show = json(&ws, &["roadmap", "show", "1", "--now", LATER, "--json"]);
    let measures = show["measures"].as_array().unwrap();
    assert_eq!(measures.len(), 3, "{show}");
    assert_eq!(measures[1]["status"], "done");
    assert_eq!(measures[1]["note"], "уложено 300 кв. м");
    assert_eq!(measures[2]["text"], "Знаки");
    assert_eq!(measures[2]["status"], "in_progress");
    // Each change is in the measure's history.
    let hist = ok(
        &ws,
        &["audit", "log", "--register", "measure", "--entry", "2"],
    );
    assert!(hist.contains("status"), "{hist}");
    assert!(hist.contains("уложено 300 кв. м"), "{hist}");
}

#[test]
fn a_roadmap_whose_rows_disagree_keeps_its_first_value_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let plan = cp1251(
        dir.path(),
        "карты.csv",
        "Дорожная карта;Статус дорожной карты;Мероприятие\n\
         Фонари;исполняется;Замена ламп\n\
         Фонари;выполнена;Новые опоры\n",
    );
    let out = mcu(
        &ws,
        &["roadmap", "import", plan.to_str().unwrap(), "--now", NOW],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("карты.csv:3: column «Статус дорожной карты»: differs from line 2"),
        "{}",
        stderr(&out)
    );
    let show = json(&ws, &["roadmap", "show", "1", "--now", NOW, "--json"]);
    assert_eq!(show["status"], "active");
    assert_eq!(show["measures"].as_array().unwrap().len(), 2);
}

#[test]
fn the_roadmap_export_is_the_table_people_keep_and_re_imports_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let plan = cp1251(dir.path(), "план.csv", PLAN);
    ok(
        &ws,
        &["roadmap", "import", plan.to_str().unwrap(), "--now", NOW],
    );
    // A title and a measure that Excel would run as formulas.
    ok(
        &ws,
        &[
            "roadmap",
            "add",
            "--title",
            "=HYPERLINK(\"x\")",
            "--now",
            NOW,
        ],
    );
    ok(
        &ws,
        &[
            "roadmap",
            "measure",
            "add",
            "3",
            "--text=-1 яма",
            "--now",
            NOW,
        ],
    );
    let csv = dir.path().join("карты.csv");
    ok(
        &ws,
        &[
            "roadmap",
            "export",
            "-o",
            csv.to_str().unwrap(),
            "--format",
            "csv",
        ],
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("\u{feff}Дорожная карта;Проблема;Блок;Населённые пункты;"),
        "{text}"
    );
    assert!(
        text.contains(
            "Ямы в Юксарах;Разбитая дорога;Дороги;с. Юксары, д. Кибечи;;01.10.2026;30.06.2027;\
             исполняется;2;;1;Ямочный ремонт ул. Школьной;Подрядчик;30.11.2026;выполнено;\
             отремонтировано 40 кв. м"
        ),
        "{text}"
    );
    // One row per measure, a roadmap without measures on one row of its own.
    assert_eq!(text.lines().count(), 1 + 2 + 1 + 1, "{text}");
    assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
    assert!(text.contains(";'-1 яма;"), "{text}");

    let before = audit_len(&ws);
    for file in [csv.clone(), dir.path().join("карты.xlsx")] {
        if file.extension().is_some_and(|e| e == "xlsx") {
            let v = json(
                &ws,
                &["roadmap", "export", "-o", file.to_str().unwrap(), "--json"],
            );
            assert_eq!(v["roadmaps"], 3, "{v}");
            assert_eq!(v["rows"], 4, "{v}");
        }
        let r = json(
            &ws,
            &[
                "roadmap",
                "import",
                file.to_str().unwrap(),
                "--now",
                LATER,
                "--json",
            ],
        );
        assert_eq!(r["roadmaps"]["inserted"], 0, "{file:?}: {r}");
        assert_eq!(r["roadmaps"]["updated"], 0, "{file:?}: {r}");
        assert_eq!(r["roadmaps"]["unchanged"], 3, "{file:?}: {r}");
        assert_eq!(r["measures"]["unchanged"], 3, "{file:?}: {r}");
        assert_eq!(r["errors"], serde_json::json!([]), "{file:?}: {r}");
        assert_eq!(audit_len(&ws), before, "{file:?}");
    }
    let show = json(&ws, &["roadmap", "show", "3", "--now", NOW, "--json"]);
    assert_eq!(show["title"], "=HYPERLINK(\"x\")");
    assert_eq!(show["measures"][0]["text"], "-1 яма");
}

#[test]
fn a_file_without_a_title_column_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let plan = cp1251(
        dir.path(),
        "план.csv",
        "№;Мероприятие;Срок\n1;Ремонт;30.11.2026\n",
    );
    let out = mcu(&ws, &["roadmap", "import", plan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("план.csv: no roadmap title column"),
        "{}",
        stderr(&out)
    );
    let list = json(&ws, &["roadmap", "list", "--json"]);
    assert_eq!(list, serde_json::json!([]));
}

/// Two votes in Windows-1251 with Russian headers: options, a comment, a title Excel would run.
const VOTES: &str = "Номер голосования;Название;Вид;Дата начала;Дата окончания;Населённый пункт;\
Вариант ответа;Голосов;Участников;Комментарий\n\
ГЛС-1;Благоустройство сквера;Голосование;01.11.2026 09:00;20.11.2026 18:00;с. Юксары;Сквер у школы;120;200;\n\
ГЛС-1;;;;;;Площадь у ДК;80;;\n\
ГЛС-1;;;;;;;;;Сделайте освещение\n\
ОПР-2;\"=СУММ(1;2)\";Опрос;05.11.2026 10:00;;;-да-;7;9;\n";

#[test]
fn the_votes_export_has_a_row_per_option_and_re_imports_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let file = cp1251(dir.path(), "голосования.csv", VOTES);
    let r = json(
        &ws,
        &[
            "votes",
            "import",
            file.to_str().unwrap(),
            "--now",
            NOW,
            "--no-triage",
            "--json",
        ],
    );
    assert_eq!(r[0]["votes"]["inserted"], 2, "{r}");
    let before = json(&ws, &["votes", "list", "--json"]);
    let audit_before = json(&ws, &["audit", "log", "--register", "vote", "--json"])
        .as_array()
        .unwrap()
        .len();

    let csv = dir.path().join("выгрузка.csv");
    ok(&ws, &["votes", "export", "-o", csv.to_str().unwrap()]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}Номер голосования;Название;Вид;Дата начала;Дата окончания;Населённый пункт;\
         Вариант ответа;Голосов;Участников"
    );
    // One row per option; no comment (comments are appeals: `mcu export`).
    assert_eq!(lines.len(), 1 + 3, "{text}");
    assert!(
        text.contains(
            "ГЛС-1;Благоустройство сквера;Голосование;2026-11-01 09:00;2026-11-20 18:00;\
             с. Юксары;Сквер у школы;120;200"
        ),
        "{text}"
    );
    assert!(!text.contains("освещение"), "{text}");
    assert!(text.contains("\"'=СУММ(1;2)\""), "{text}");
    assert!(text.contains(";'-да-;7;9"), "{text}");

    let xlsx = dir.path().join("выгрузка.xlsx");
    let v = json(
        &ws,
        &["votes", "export", "-o", xlsx.to_str().unwrap(), "--json"],
    );
    assert_eq!(v["votes"], 2, "{v}");
    assert_eq!(v["rows"], 3, "{v}");
    for f in [&csv, &xlsx] {
        let r = json(
            &ws,
            &[
                "votes",
                "import",
                f.to_str().unwrap(),
                "--now",
                LATER,
                "--no-triage",
                "--json",
            ],
        );
        assert_eq!(r[0]["votes"]["unchanged"], 2, "{f:?}: {r}");
        assert_eq!(r[0]["errors"], serde_json::json!([]), "{f:?}: {r}");
    }
    assert_eq!(json(&ws, &["votes", "list", "--json"]), before);
    let audit_after = json(&ws, &["audit", "log", "--register", "vote", "--json"])
        .as_array()
        .unwrap()
        .len();
    assert_eq!(audit_after, audit_before);
}

/// Importing roadmaps is keeping the registers (not an observer's); exporting is reading.
#[test]
fn an_observer_exports_roadmaps_but_may_not_import_them() {
    if !is_root() {
        return;
    }
    let op = AsOperator::new();
    op.ok("root", &["init"]);
    op.ok(
        "root",
        &[
            "operator", "add", "cur", "--name", "Ц. Р.", "--role", "observer",
        ],
    );
    let plan = cp1251(op.dir.path(), "план.csv", PLAN);
    let out = op.mcu("cur", &["roadmap", "import", plan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not allowed"), "{}", stderr(&out));
    op.ok("root", &["roadmap", "import", plan.to_str().unwrap()]);
    let xlsx = op.dir.path().join("карты.xlsx");
    op.ok("cur", &["roadmap", "export", "-o", xlsx.to_str().unwrap()]);
    let votes = op.dir.path().join("голосования.csv");
    op.ok("cur", &["votes", "export", "-o", votes.to_str().unwrap()]);
    assert!(xlsx.exists() && votes.exists());
}

/// A plan typed in Excel: date cells for the due dates, number cells for the target and the №.
#[test]
fn an_xlsx_plan_with_date_and_number_cells_imports() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let ws = init(dir.path());
    let path = dir.path().join("план.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    for (c, h) in [
        "Наименование дорожной карты",
        "Цель",
        "№ п/п",
        "Мероприятие",
        "Срок исполнения",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (text, day)) in [("Ремонт сетей", 15u8), ("Промывка", 20u8)]
        .iter()
        .enumerate()
    {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, "Вода в Арде").unwrap();
        sheet.write_number(r, 1, 1.0).unwrap();
        sheet.write_number(r, 2, f64::from(r)).unwrap();
        sheet.write_string(r, 3, *text).unwrap();
        let d = ExcelDateTime::from_ymd(2027, 3, *day).unwrap();
        sheet.write_datetime_with_format(r, 4, &d, &date).unwrap();
    }
    book.save(&path).unwrap();
    let r = json(
        &ws,
        &[
            "roadmap",
            "import",
            path.to_str().unwrap(),
            "--now",
            NOW,
            "--json",
        ],
    );
    assert_eq!(r["errors"], serde_json::json!([]), "{r}");
    let show = json(&ws, &["roadmap", "show", "1", "--now", NOW, "--json"]);
    assert_eq!(show["title"], "Вода в Арде");
    assert_eq!(show["target"], 1);
    assert_eq!(show["measures"][0]["due"], "2027-03-15");
    assert_eq!(show["measures"][1]["text"], "Промывка");
    assert_eq!(show["measures"][1]["due"], "2027-03-20");
}

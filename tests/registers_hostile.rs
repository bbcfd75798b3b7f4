//! Hostile input for the registers' importers, through the real binary: `mcu pages import` and
//! `mcu votes import` given a cell over 1 MiB, an XLSX with a cell at XFD1048576, text that looks
//! like a formula, and numbers that are not numbers. Each bad row is named by file, line and
//! column and the rest is imported; formula-looking text stays text, in the store and on
//! `mcu pages export`. Fixtures are generated here.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::Output;

use calamine::{Data, Reader};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

mod common;
use common::operators::mcu;
use common::{minimal_xlsx, write};
use mcu::ingest::readers::MAX_FIELD_BYTES;

const NOW: &str = "2026-11-25T12:00:00+03:00";

/// Texts a spreadsheet would take for a formula.
const FORMULAS: [&str; 4] = [
    "=HYPERLINK(\"http://evil.example\",\"Жми\")",
    "+7 999 123-45-67",
    "-",
    "@SUM(A1:A2)",
];

fn init() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let out = mcu(&ws, &["init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, ws)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The JSON an import printed; exit 0 (all rows) or 3 (some rows bad).
fn json(out: &Output) -> Value {
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn pages_import(ws: &Path, file: &Path) -> Value {
    json(&mcu(
        ws,
        &["pages", "import", file.to_str().unwrap(), "--json"],
    ))
}

fn votes_import(ws: &Path, file: &Path) -> Value {
    let out = mcu(
        ws,
        &[
            "votes",
            "import",
            file.to_str().unwrap(),
            "--now",
            NOW,
            "--json",
        ],
    );
    json(&out)[0].clone()
}

fn page_body(ws: &Path, url: &str) -> String {
    let v = json(&mcu(ws, &["pages", "show", url, "--json"]));
    v["body"].as_str().unwrap().to_string()
}

/// The vote errors as `(line, column)`.
fn vote_errors(r: &Value) -> Vec<(i64, String)> {
    r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn options(ws: &Path, vote: &str) -> Vec<(String, i64)> {
    let v = json(&mcu(ws, &["votes", "show", vote, "--json"]));
    v["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["option"].as_str().unwrap().to_string(),
                o["votes"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_pages_cell_over_1_mib_is_refused_by_file_line_and_column_and_the_rest_imports() {
    let (dir, ws) = init();
    let huge = "я".repeat(MAX_FIELD_BYTES as usize / 2 + 1000); // just over 1 MiB of UTF-8
    let text = format!(
        "Наименование органа;Ссылка;Категория\n\
         Администрация;https://vk.com/adm;Активный\n\
         {huge};https://vk.com/huge;Активный\n\
         Школа;https://ok.ru/school;визитка\n"
    );
    let path = write(dir.path(), "реестр-огромный.csv", text.as_bytes());
    let v = pages_import(&ws, &path);
    assert_eq!(v["imported"], 2, "{v}");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0].as_str().unwrap();
    assert!(
        e.contains("реестр-огромный.csv")
            && e.contains("line 3")
            && e.contains("«Наименование органа»")
            && e.contains("1 MiB"),
        "{e}"
    );
    assert!(e.len() < 1000, "the message does not carry the cell");
    assert_eq!(page_body(&ws, "vk.com/adm"), "Администрация");
    assert_eq!(page_body(&ws, "ok.ru/school"), "Школа");
    let missing = mcu(&ws, &["pages", "show", "vk.com/huge", "--json"]);
    assert!(!missing.status.success());
}

#[test]
fn a_vote_comment_over_1_mib_is_refused_by_file_line_and_column_and_the_rest_imports() {
    let (dir, ws) = init();
    let huge = "ж".repeat(MAX_FIELD_BYTES as usize / 2 + 1000);
    let text = format!(
        "Номер голосования;Название;Вариант ответа;Голосов;Комментарий\n\
         ГЛС-1;Двор;Садовая;10;\n\
         ГЛС-1;;;;{huge}\n\
         ГЛС-1;;Школьная;7;\n"
    );
    let path = write(dir.path(), "голоса-огромные.csv", text.as_bytes());
    let r = votes_import(&ws, &path);
    assert_eq!(r["file"], "голоса-огромные.csv");
    assert_eq!(vote_errors(&r), [(3, "Комментарий".to_string())], "{r}");
    let reason = r["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("1 MiB") && reason.len() < 1000, "{reason}");
    assert_eq!(r["votes"]["inserted"], 1, "{r}");
    assert_eq!(r["comments"]["inserted"], 0, "{r}");
    assert_eq!(
        options(&ws, "ГЛС-1"),
        [("Садовая".to_string(), 10), ("Школьная".to_string(), 7)]
    );

    // Without --json the message names file, line and column on standard error.
    let out = mcu(
        &ws,
        &["votes", "import", path.to_str().unwrap(), "--now", NOW],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("голоса-огромные.csv:3: column «Комментарий»"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pages_xlsx_with_a_cell_at_xfd1048576_imports_its_real_rows() {
    let (dir, ws) = init();
    let path = dir.path().join("реестр-далеко.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        ["Наименование органа", "Ссылка", "Категория"],
        ["Администрация", "https://vk.com/adm", "Активный"],
        ["Школа", "https://ok.ru/school", "визитка"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 64 * 1024);

    let v = pages_import(&ws, &path);
    assert_eq!(v["kind"], "registry");
    assert_eq!(v["imported"], 2, "{v}");
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(page_body(&ws, "ok.ru/school"), "Школа");
}

#[test]
fn a_votes_xlsx_declaring_the_whole_sheet_with_a_cell_at_xfd1048576_imports_its_real_rows() {
    let (dir, ws) = init();
    let strings = [
        "Номер голосования",
        "Вариант ответа",
        "Голосов",
        "ГЛС-2",
        "Сквер",
        "Площадь",
        "x",
    ];
    let sst = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{n}\" \
         uniqueCount=\"{n}\">{}</sst>",
        strings
            .iter()
            .map(|s| format!("<si><t>{s}</t></si>"))
            .collect::<String>(),
        n = strings.len()
    );
    let s = |r: &str, i: usize| format!("<c r=\"{r}\" t=\"s\"><v>{i}</v></c>");
    let n = |r: &str, v: i64| format!("<c r=\"{r}\"><v>{v}</v></c>");
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <dimension ref=\"A1:XFD1048576\"/><sheetData>\
         <row r=\"1\">{}{}{}</row><row r=\"2\">{}{}{}</row><row r=\"3\">{}{}{}</row>\
         <row r=\"1048576\">{}</row></sheetData></worksheet>",
        s("A1", 0),
        s("B1", 1),
        s("C1", 2),
        s("A2", 3),
        s("B2", 4),
        n("C2", 40),
        s("A3", 3),
        s("B3", 5),
        n("C3", 2),
        s("XFD1048576", 6),
    );
    let path = write(
        dir.path(),
        "голоса-далеко.xlsx",
        &minimal_xlsx(sheet.as_bytes(), sst.as_bytes()),
    );
    let r = votes_import(&ws, &path);
    assert_eq!(r["votes"]["inserted"], 1, "{r}");
    assert_eq!(vote_errors(&r), [], "{r}");
    assert_eq!(
        options(&ws, "ГЛС-2"),
        [("Сквер".to_string(), 40), ("Площадь".to_string(), 2)]
    );
}

#[test]
fn formula_looking_page_bodies_stay_text_in_the_store_and_on_export() {
    let (dir, ws) = init();
    let path = dir.path().join("реестр-формулы.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Наименование органа", "Ссылка", "Категория"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let url = |i: usize| format!("vk.com/page{i}");
    for (i, body) in FORMULAS.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *body).unwrap();
        sheet
            .write_string(r, 1, format!("https://{}", url(i)))
            .unwrap();
        sheet.write_string(r, 2, "Активный").unwrap();
    }
    book.save(&path).unwrap();
    let v = pages_import(&ws, &path);
    assert_eq!(v["imported"], FORMULAS.len(), "{v}");
    for (i, body) in FORMULAS.iter().enumerate() {
        assert_eq!(page_body(&ws, &url(i)), *body);
    }

    // CSV: each body begins with the spreadsheet's text mark `'`.
    let csv_path = dir.path().join("выгрузка.csv");
    let out = mcu(&ws, &["pages", "export", csv_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(&csv_path)
        .unwrap();
    let mut bodies: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[2].to_string(), r[0].to_string())
        })
        .collect();
    bodies.sort();
    let mut expected: Vec<(String, String)> = FORMULAS
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("https://{}", url(i)), format!("'{b}")))
        .collect();
    expected.sort();
    assert_eq!(bodies, expected);
    // …and reads back into the registry without the mark.
    let v = pages_import(&ws, &csv_path);
    assert_eq!(v["imported"], FORMULAS.len(), "{v}");
    for (i, body) in FORMULAS.iter().enumerate() {
        assert_eq!(page_body(&ws, &url(i)), *body);
    }

    // XLSX: string cells, no formula anywhere.
    let xlsx_path = dir.path().join("выгрузка.xlsx");
    let out = mcu(&ws, &["pages", "export", xlsx_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut book = calamine::open_workbook_auto(&xlsx_path).unwrap();
    let name = book.sheet_names()[0].clone();
    let formulas = book.worksheet_formula(&name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
    let range = book.worksheet_range(&name).unwrap();
    let mut cells: Vec<String> = range
        .rows()
        .skip(1)
        .map(|row| match &row[0] {
            Data::String(s) => s.clone(),
            other => panic!("not a string cell: {other:?}"),
        })
        .collect();
    cells.sort();
    let mut expected: Vec<String> = FORMULAS.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(cells, expected);
}

#[test]
fn formula_looking_vote_titles_options_and_comments_stay_text() {
    let (dir, ws) = init();
    let path = dir.path().join("голоса-формулы.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let rows = [
        [
            "Номер голосования",
            "Название",
            "Вариант ответа",
            "Голосов",
            "Комментарий",
        ],
        ["ГЛС-3", FORMULAS[0], FORMULAS[2], "5", ""],
        ["ГЛС-3", "", FORMULAS[1], "3", ""],
        ["ГЛС-3", "", "", "", FORMULAS[3]],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    let r = votes_import(&ws, &path);
    assert_eq!(vote_errors(&r), [], "{r}");
    assert_eq!(r["comments"]["inserted"], 1, "{r}");
    let v = json(&mcu(&ws, &["votes", "show", "ГЛС-3", "--json"]));
    assert_eq!(v["title"], FORMULAS[0]);
    assert_eq!(
        options(&ws, "ГЛС-3"),
        [(FORMULAS[2].to_string(), 5), (FORMULAS[1].to_string(), 3)]
    );
    let id = v["comment_appeals"][0].as_i64().unwrap();
    let a = json(&mcu(&ws, &["show", &id.to_string(), "--json"]));
    assert_eq!(a["text"], FORMULAS[3]);
}

#[test]
fn a_vote_count_in_words_is_named_by_line_and_column_and_the_rest_imports() {
    let (dir, ws) = init();
    let text = "Номер голосования;Название;Вариант ответа;Голосов\n\
                ГЛС-4;Двор;Садовая;12\n\
                ГЛС-4;;Школьная;много\n\
                ГЛС-4;;Площадь;-3\n\
                ГЛС-4;;Сквер;4\n";
    let path = write(dir.path(), "голоса-слова.csv", text.as_bytes());
    let r = votes_import(&ws, &path);
    assert_eq!(
        vote_errors(&r),
        [(3, "Голосов".to_string()), (4, "Голосов".to_string())],
        "{r}"
    );
    assert!(
        r["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("«много»"),
        "{r}"
    );
    assert_eq!(
        options(&ws, "ГЛС-4"),
        [("Садовая".to_string(), 12), ("Сквер".to_string(), 4)]
    );
}

#[test]
fn negative_posts_are_named_by_line_and_column_and_the_rest_imports() {
    let (dir, ws) = init();
    let text = "Ссылка;Дата;Публикации;Просмотры\n\
                https://vk.com/adm;01.11.2026;2;100\n\
                https://vk.com/adm;02.11.2026;-3;100\n\
                https://vk.com/adm;03.11.2026;много;100\n\
                https://vk.com/adm;04.11.2026;1;50\n";
    let path = write(dir.path(), "статистика.csv", text.as_bytes());
    let v = pages_import(&ws, &path);
    assert_eq!(v["kind"], "statistics");
    assert_eq!(v["imported"], 2, "{v}");
    let errors: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    for (e, line, value) in [(errors[0], 3, "«-3»"), (errors[1], 4, "«много»")] {
        assert!(
            e.contains("статистика.csv")
                && e.contains(&format!("line {line}"))
                && e.contains("«Публикации»")
                && e.contains(value),
            "{e}"
        );
    }
}

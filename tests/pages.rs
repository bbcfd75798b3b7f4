//! The registry of official pages through the real binary on both engines: a registry XLSX and a statistics CSV
//! in Windows-1251 with Russian headers, bad rows, re-import, set, check --json, export.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::Path;
use std::process::Output;

use rust_xlsxwriter::Workbook;
use serde_json::Value;

mod common;
use common::engine::{Engine, fresh_workspace, on_both_engines};
use common::operators::mcu;

const NOW: &str = "2026-12-07T12:00:00+03:00";

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "mcu failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn registry_xlsx(path: &Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 9]; 4] = [
        [
            "Наименование органа",
            "Ссылка",
            "Площадка",
            "Категория",
            "Отметка Госорганизация",
            "Виджеты ПОС",
            "Ссылка на сайт",
            "Администраторы",
            "Дата проверки",
        ],
        [
            "Администрация Юркино",
            "https://vk.com/mo_yurkino/",
            "ВКонтакте",
            "Активный",
            "да",
            "да",
            "да",
            "2",
            "01.12.2026",
        ],
        [
            "Школа № 3",
            "https://ok.ru/school3",
            "",
            "визитка",
            "нет",
            "нет",
            "да",
            "1",
            "",
        ],
        [
            "Дом культуры",
            "https://t.me/dk_yurkino",
            "Телеграм",
            "любимый",
            "да",
            "да",
            "да",
            "1",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save(path).unwrap();
}

fn stats_csv_cp1251(path: &Path) {
    let mut text = String::from("Ссылка;Дата;Публикации;Просмотры;Подписчики\r\n");
    for d in 1..=30 {
        text.push_str(&format!("vk.ru/MO_Yurkino;{d:02}.11.2026;1;400;1 200\r\n"));
    }
    text.push_str("https://ok.ru/school3;01.12.2026;много;10;50\r\n");
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!bad);
    std::fs::write(path, bytes).unwrap();
}

fn registry_and_statistics_import_check_set_export(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh_workspace(engine, dir.path(), "ws");
    let ws = ws.as_path();
    ok(&mcu(ws, &["init"]));

    let reg = dir.path().join("реестр.xlsx");
    registry_xlsx(&reg);
    let out = mcu(ws, &["pages", "import", reg.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(3), "a bad row: exit 3");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "registry");
    assert_eq!(v["imported"], 2);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0].as_str().unwrap();
    assert!(
        e.contains("реестр.xlsx") && e.contains("line 4") && e.contains("«Категория»"),
        "{e}"
    );

    let st = dir.path().join("stats.csv");
    stats_csv_cp1251(&st);
    let out = mcu(ws, &["pages", "import", st.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "statistics");
    assert_eq!(v["imported"], 30);
    let e = v["errors"][0].as_str().unwrap();
    assert!(e.contains("line 32") && e.contains("«Публикации»"), "{e}");
    // Again: the same url and dates replace, not add.
    mcu(ws, &["pages", "import", st.to_str().unwrap()]);

    let check = |ws: &Path| -> Vec<Value> {
        let out = ok(&mcu(ws, &["pages", "check", "--now", NOW, "--json"]));
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let pages = check(ws);
    assert_eq!(pages.len(), 2);
    // The school's page is the worse: its admin without 2FA, no mark, no widgets, no posts, never
    // checked.
    assert_eq!(pages[0]["url"], "ok.ru/school3");
    let ids = |p: &Value| -> Vec<String> {
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert!(f["reason"].as_str().is_some_and(|r| !r.is_empty()));
                f["id"].as_str().unwrap().to_string()
            })
            .collect()
    };
    assert_eq!(
        ids(&pages[0]),
        [
            "admin_without_2fa",
            "silent",
            "rare_posts",
            "no_mark",
            "no_widgets",
            "not_checked"
        ]
    );
    // Yurkino: posted daily in November (30 posts counted once after the re-import); nothing since
    // 30.11 is 7 days, not yet silent, but no post in the last week is fewer than the three the
    // norm asks; the admins' 2FA is unknown (0 of 2).
    assert_eq!(pages[1]["url"], "vk.com/mo_yurkino");
    assert_eq!(ids(&pages[1]), ["admin_without_2fa", "rare_posts"]);

    ok(&mcu(
        ws,
        &[
            "pages",
            "set",
            "https://vk.com/mo_yurkino",
            "--admins-2fa",
            "2",
            "--now",
            NOW,
        ],
    ));
    let pages = check(ws);
    assert_eq!(ids(&pages[1]), ["rare_posts"], "{:?}", pages[1]);
    let bad = mcu(
        ws,
        &["pages", "set", "vk.com/mo_yurkino", "--mark", "может"],
    );
    assert!(!bad.status.success());

    let show = ok(&mcu(
        ws,
        &["pages", "show", "vk.com/mo_yurkino", "--now", NOW, "--json"],
    ));
    let v: Value = serde_json::from_str(&show).unwrap();
    assert_eq!(v["admins_2fa"], 2);
    assert_eq!(v["stats"].as_array().unwrap().len(), 30);

    let csv = dir.path().join("out.csv");
    ok(&mcu(ws, &["pages", "export", csv.to_str().unwrap()]));
    let text = std::fs::read_to_string(&csv).unwrap();
    // UTF-8 with a BOM, so that Excel does not read it as Windows-1251.
    assert!(
        text.starts_with("\u{feff}Наименование органа;Площадка;Ссылка;Категория"),
        "{text}"
    );
    assert!(text.contains("https://ok.ru/school3"));
    // The export reads back as a registry, unchanged.
    let out = ok(&mcu(
        ws,
        &["pages", "import", csv.to_str().unwrap(), "--json"],
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["imported"], 2);
    let hist = ok(&mcu(
        ws,
        &["audit", "log", "--register", "page", "--entry", "1"],
    ));
    assert!(hist.contains("admins_2fa"), "{hist}");
}

on_both_engines!(registry_and_statistics_import_check_set_export,);

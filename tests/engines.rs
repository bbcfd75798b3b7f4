//! Every command on both store engines: one body, run on a workspace whose data lives in its own
//! SQLite file and on one pointed at a PostgreSQL database (`[store]` of `config.toml`), the same
//! files imported at the same `--now` — and the two must answer the same, figure for figure.
//! The PostgreSQL server is `MCU_TEST_PG` (CI starts one), else a private cluster the tests start.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use serde_json::Value;

mod common;
use common::engine::{ENGINES, Engine, EngineWs, write};

const NOW: &str = "2026-11-28T12:00:00+03:00";

/// A ПОС-style export: Windows-1251, `;`, a multi-line quoted text, personal data columns.
fn pos_csv() -> Vec<u8> {
    let text = "Номер сообщения;Дата создания;Категория;Текст сообщения;Населённый пункт;ФИО заявителя;Обращение по 59-ФЗ;Ответственный;Статус;Дата ответа;Оценка\r\n\
        7101;02.11.2026 09:15;Дороги;\"На въезде в село размыло дорогу.\r\nМашины буксуют, автобус не проходит.\";с. Заречное;Орлова Вера Ивановна;Нет;Отдел дорожного хозяйства;В работе;;\r\n\
        7102;03.11.2026 14:40;ЖКХ;Третий день нет воды в колонке на улице Садовой;д. Липовка;Громов П. С.;Да;Отдел ЖКХ;Дан ответ;05.11.2026 10:00;5\r\n\
        7103;04.11.2026 08:05;Культура;Просим отремонтировать крыльцо сельского клуба;с. Заречное;Белова Н.;Нет;;Новое;;\r\n\
        7104;10.11.2026 19:20;ЖКХ;Во дворе дома 4 по Садовой не вывозят мусор вторую неделю;д. Липовка;Громов П. С.;Нет;Отдел ЖКХ;Новое;;\r\n\
        7105;20.11.2026 07:45;Дороги;Яма на дороге у остановки, вода стоит, машины бьют колёса;с. Заречное;Киселёв А.;Нет;Отдел дорожного хозяйства;Дан ответ;27.11.2026 16:00;2\r\n";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

/// Everything an officer asks of the store, as JSON, after the same work on `ws`.
fn answers(ws: &EngineWs) -> Vec<(String, Value)> {
    let csv = write(&ws.root, "pos_export.csv", &pos_csv());
    let out = ws.json(&[
        "import",
        "--channel",
        "pos",
        "--now",
        NOW,
        csv.to_str().unwrap(),
    ]);
    assert_eq!(out[0]["inserted"], 5, "{:?}: {out}", ws.engine);
    // Triage by hand, an answer, a duplicate: audited changes through the store.
    ws.ok(&["set", "pos:7104", "--status", "in_progress", "--now", NOW]);
    ws.ok(&[
        "set",
        "pos:7101",
        "--interim-at",
        "2026-11-03T10:00:00+03:00",
        "--interim-answer",
        "Работы запланированы на следующую неделю",
        "--now",
        NOW,
    ]);
    ws.ok(&[
        "set", "pos:7103", "--block", "culture", "--urgent", "true", "--now", NOW,
    ]);
    let rm = ws.json(&[
        "roadmap",
        "add",
        "--title",
        "Дороги Заречного",
        "--block",
        "roads",
        "--settlement",
        "Заречное",
        "--start",
        "2026-11-01",
        "--due",
        "2026-12-31",
        "--now",
        NOW,
    ]);
    let id = rm["id"].as_i64().unwrap().to_string();
    ws.ok(&["roadmap", "link", &id, "pos:7101", "pos:7105", "--now", NOW]);
    ws.ok(&[
        "roadmap",
        "measure",
        "add",
        &id,
        "--text",
        "Отсыпать въезд",
        "--due",
        "2026-11-20",
        "--now",
        NOW,
    ]);

    let period = ["--from", "2026-11-01", "--to", "2026-11-28", "--now", NOW];
    let with = |args: &[&str], extra: &[&str]| -> Vec<String> {
        args.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let queries: Vec<Vec<String>> = vec![
        with(&["list", "--limit", "100"], &[]),
        with(&["list", "--search", "вода дорога"], &[]),
        with(&["list", "--search", "колонке"], &[]),
        with(&["show", "pos:7101", "--now", NOW], &[]),
        with(&["show", "pos:7103", "--now", NOW], &[]),
        with(&["stats", "--now", NOW], &[]),
        with(&["rank"], &period),
        with(&["targets"], &period),
        with(&["conflicts"], &period),
        with(&["hot", "--now", NOW], &[]),
        with(&["dups"], &[]),
        with(&["roadmap", "show", &id, "--now", NOW], &[]),
        with(&["roadmap", "list", "--now", NOW], &[]),
        with(&["recipients"], &[]),
    ];
    queries
        .iter()
        .map(|q| {
            let args: Vec<&str> = q.iter().map(String::as_str).collect();
            (q.join(" "), ws.json(&args))
        })
        .collect()
}

/// What differs between engines by nature (where the data lives) is left out.
fn comparable(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("database");
    }
    v
}

#[test]
fn both_engines_answer_every_command_the_same() {
    let mut results: Vec<(Engine, Vec<(String, Value)>)> = Vec::new();
    for engine in ENGINES {
        let ws = EngineWs::new(engine, "zarechny");
        let got = answers(&ws);
        // The audit trail is intact and agrees with every appeal on either engine.
        let verify = ws.ok(&["audit", "verify"]);
        assert!(verify.contains("intact"), "{engine:?}: {verify}");
        results.push((engine, got));
    }
    let (sqlite, pg) = (&results[0].1, &results[1].1);
    assert_eq!(sqlite.len(), pg.len());
    for ((q, a), (_, b)) in sqlite.iter().zip(pg) {
        assert_eq!(
            comparable(a.clone()),
            comparable(b.clone()),
            "`mcu {q}` differs between SQLite (left) and PostgreSQL (right)"
        );
    }
    // And the answers are about the data, not empty on both.
    let list = &sqlite[0].1;
    assert_eq!(list.as_array().map(Vec::len), Some(5), "{list}");
    let search = &sqlite[2].1;
    assert_eq!(search.as_array().map(Vec::len), Some(1), "{search}");
}

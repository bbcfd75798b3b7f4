//! Auto-triage (what touches the store on both engines): the detectors and the classifier on written examples (misleading ones included),
//! learning from officers' corrections, duplicates and repeats in a real store, and the JSON shapes
//! of `mcu classify` and `mcu eval`.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use mcu::domain::Channel;
use mcu::domain::triage::{Triage, TriageData};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{AUTO_TRIAGE_SOURCE, Actor, Change, Store};

mod common;
use common::engine::{Engine, TestStore, on_both_engines};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The shipped model, built once for the whole file (a debug build takes seconds to train it).
fn shipped() -> &'static Triage {
    static T: std::sync::OnceLock<Triage> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let reference = Reference::embedded().unwrap();
        Triage::build(&reference.blocks, &TriageData::embedded().unwrap(), &[])
    })
}

fn block(t: &Triage, text: &str) -> String {
    t.suggest(text, Some(Channel::Im), None).block
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, h, 0, 0)
        .unwrap()
        .to_utc()
}

struct Row<'a> {
    id: &'a str,
    channel: Channel,
    text: &'a str,
    received: DateTime<Utc>,
    author: Option<&'a str>,
    settlement: Option<&'a str>,
}

fn row<'a>(id: &'a str, channel: Channel, text: &'a str, received: DateTime<Utc>) -> Row<'a> {
    Row {
        id,
        channel,
        text,
        received,
        author: None,
        settlement: None,
    }
}

/// Imports rows (one file per channel, as the pipeline does) and returns their internal ids.
fn import(store: &mut Store, rows: &[Row<'_>]) -> Vec<i64> {
    let actor = Actor::new("tester", "import:test.csv");
    let mut ids = Vec::new();
    for r in rows {
        let mut tx = store.begin_import().unwrap();
        let saved = tx
            .upsert(
                &IncomingAppeal {
                    line: 2,
                    source_id: r.id.into(),
                    received_at: r.received,
                    text: r.text.into(),
                    author: r.author.map(Into::into),
                    settlement: r.settlement.map(Into::into),
                    ..Default::default()
                },
                r.channel,
                &actor,
                r.received,
            )
            .unwrap();
        ids.push(saved.id);
        tx.finish(&mcu::store::ImportedFile {
            name: "test.csv".into(),
            hash: format!("hash-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
            format: "csv".into(),
            channel: Some(r.channel.id().into()),
            imported_at: r.received,
            rows: 1,
            inserted: 1,
            updated: 0,
            unchanged: 0,
            quarantined: 0,
        })
        .unwrap();
    }
    ids
}

fn auto() -> Actor {
    Actor::new("tester", AUTO_TRIAGE_SOURCE)
}

// --- The classifier on misleading texts -------------------------------------------------------

#[test]
fn an_uncleared_road_to_school_is_roads_not_education() {
    let t = shipped();
    assert_eq!(
        block(t, "Дорога в школу не чищена, после метели не пройти"),
        "roads"
    );
    assert_eq!(
        block(
            t,
            "По дороге к школе в Кумье огромные ямы, дети идут по лужам"
        ),
        "roads"
    );
}

#[test]
fn a_cold_school_while_the_boiler_house_works_is_education() {
    let t = shipped();
    assert_eq!(
        block(
            t,
            "В школе холодно, ученики сидят в верхней одежде, хотя котельная в посёлке работает"
        ),
        "education"
    );
}

#[test]
fn a_village_wide_boiler_failure_is_housing() {
    let t = shipped();
    assert_eq!(
        block(
            t,
            "В Визимьярах встала котельная, во всём посёлке холодные батареи — и в домах, и в школе"
        ),
        "housing"
    );
}

#[test]
fn school_buses_are_education_and_bridges_are_roads() {
    let t = shipped();
    assert_eq!(
        block(
            t,
            "Школьный автобус не довёз детей до школы, сломался по дороге"
        ),
        "education"
    );
    assert_eq!(
        block(t, "На мосту через речку сгнили доски настила"),
        "roads"
    );
}

#[test]
fn a_registry_extract_for_a_club_building_is_property() {
    let t = shipped();
    assert_eq!(
        block(
            t,
            "Прошу выдать выписку из реестра муниципального имущества на здание клуба в д. Кумья"
        ),
        "property"
    );
}

#[test]
fn thanks_and_mobile_signal_are_other() {
    let t = shipped();
    assert_eq!(
        block(
            t,
            "Спасибо большое фельдшеру Юксар за внимательное отношение"
        ),
        "other"
    );
    assert_eq!(
        block(t, "В Минзарке совсем пропала сотовая связь, не дозвониться"),
        "other"
    );
}

#[test]
fn the_source_category_tips_an_ambiguous_text() {
    let t = shipped();
    let text = "Прошу разобраться с ситуацией у остановки";
    let without = t.suggest(text, None, None);
    let with = t.suggest(text, None, Some("Безопасность"));
    assert_eq!(with.block, "safety", "{without:?} / {with:?}");
}

// --- Detectors ---------------------------------------------------------------------------------

#[test]
fn urgency_is_danger_to_life_or_no_heating_water_or_power() {
    let t = shipped();
    for text in [
        "Вторые сутки в Арде нет воды, старики носят из реки",
        "На Молодёжной оборван провод, висит над тротуаром",
        "в Юркино стая собак напала на школьника у остановки",
        "Прорыв теплотрассы у дома 4, отопления нет во всём доме",
        "Крыша сарая обрушилась прямо у детской площадки, дети бегают рядом",
    ] {
        let s = t.suggest(text, None, None);
        assert!(s.urgent, "not urgent: {text}");
        assert!(!s.urgent_reasons.is_empty());
    }
}

#[test]
fn misleading_danger_words_are_not_urgent() {
    let t = shipped();
    for text in [
        "Прошу провести опашку от пожаров в следующем году",
        "В школе дети мёрзнут из-за щелей в окнах, хотя батареи горячие",
        "Когда в клубе будет новогодний утренник?",
        "Не горят три фонаря на Советской",
    ] {
        assert!(!t.suggest(text, None, None).urgent, "urgent: {text}");
    }
}

#[test]
fn conflict_is_an_ignored_appeal_a_formal_answer_or_an_aggressive_tone() {
    let t = shipped();
    for text in [
        "Пишу в третий раз, снова никто не ответил",
        "Вместо ремонта прислали отписку",
        "Сколько можно?! Опять та же яма",
        "Администрация бездействует, всем наплевать",
    ] {
        let s = t.suggest(text, None, None);
        assert!(s.conflict, "not conflict: {text}");
    }
    for text in [
        "Подскажите график работы МФЦ",
        "Спасибо за быстрый ремонт колонки",
        "Прошу установить скамейку у остановки",
    ] {
        assert!(!t.suggest(text, None, None).conflict, "conflict: {text}");
    }
}

#[test]
fn the_settlement_is_found_in_inflected_and_sloppy_forms() {
    let t = shipped();
    let s = |text: &str| t.suggest(text, None, None).settlement;
    assert_eq!(s("в юркино яма").as_deref(), Some("с. Юркино"));
    assert_eq!(s("Автобус из Кумьи опоздал").as_deref(), Some("д. Кумья"));
    assert_eq!(s("юксарские дети").as_deref(), Some("с. Юксары"));
    assert_eq!(s("у нас в визимярах").as_deref(), Some("п. Визимьяры"));
    assert_eq!(s("майские праздники прошли"), None);
}

#[test]
fn routing_proposes_the_recipient_of_the_block() {
    let t = shipped();
    let s = t.suggest("Огромные ямы на дороге по улице Мира", None, None);
    assert_eq!(
        s.responsible.as_deref(),
        Some("Отдел дорожной деятельности и транспорта")
    );
    let s = t.suggest(
        "Канализационный колодец переполнен, стоки на улице",
        None,
        None,
    );
    assert_eq!(
        s.responsible.as_deref(),
        Some("МУП «Килемарское коммунальное хозяйство»")
    );
}

// --- Learning from the officers -----------------------------------------------------------------

fn after_officers_relabel_appeals_the_suggestion_changes(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    // A local habit the seeds do not know: this okrug files the hay-meadow mowing under economy.
    let texts = [
        "Когда начнётся покос на общественном лугу у Кумьи?",
        "Прошу выделить делянку под покос на лугу за деревней",
        "Кто распределяет покосы на общественном лугу в этом году?",
        "Можно ли взять покос на лугу у реки на всё лето?",
    ];
    let day = at(2026, 6, 1, 10);
    let rows: Vec<Row<'_>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Row {
            id: ["a", "b", "c", "d"][i],
            ..row("x", Channel::Pos, t, day + Duration::hours(i as i64))
        })
        .collect();
    let ids = import(&mut store, &rows);
    let probe = "Подскажите, где в этом году дадут покос на лугу?";

    let before = store.load_triage(None).unwrap();
    let first = before.suggest(probe, None, None);
    assert_ne!(first.block, "economy", "{first:?}");

    let officer = Actor::new("ivanova", "console");
    for id in &ids {
        store
            .update(
                *id,
                &[Change::Block(Some("economy".into()))],
                None,
                &officer,
                day,
            )
            .unwrap();
    }
    assert_eq!(store.triage_examples(100).unwrap().len(), ids.len());
    let after = store.load_triage(None).unwrap();
    assert_eq!(after.trained_on().1, ids.len());
    assert_eq!(after.suggest(probe, None, None).block, "economy");
}

fn automatic_changes_are_not_learnt_but_a_confirmation_is(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let t = shipped();
    let ids = import(
        &mut store,
        &[row(
            "1",
            Channel::Im,
            "Огромные ямы на дороге по улице Победы",
            at(2026, 11, 2, 9),
        )],
    );
    store.triage_pending(t, &auto(), at(2026, 11, 2, 10), 100);
    assert!(store.triage_examples(10).unwrap().is_empty());
    assert!(
        store
            .confirm_block(
                ids[0],
                &Actor::new("ivanova", "console"),
                at(2026, 11, 2, 11)
            )
            .unwrap()
    );
    assert_eq!(store.triage_examples(10).unwrap().len(), 1);
}

// --- Triage in the store --------------------------------------------------------------------------

fn a_confident_block_is_set_and_audited_as_automatic(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let t = shipped();
    let ids = import(
        &mut store,
        &[row(
            "1",
            Channel::Im,
            "в Юркино на Садовой третий день нет света, холодильники потекли",
            at(2026, 11, 2, 9),
        )],
    );
    let out = store
        .triage_pending(t, &auto(), at(2026, 11, 2, 10), 100)
        .outcomes;
    assert_eq!(out.len(), 1);
    assert!(out[0].applied.contains(&"block"), "{:?}", out[0]);
    let a = store.get(ids[0]).unwrap().unwrap();
    assert_eq!(a.block.as_deref(), Some("housing"));
    assert_eq!(a.settlement.as_deref(), Some("с. Юркино"));
    assert!(a.urgent);
    let history = store.history(ids[0]).unwrap();
    let e = history.iter().find(|e| e.field == "block").unwrap();
    assert_eq!(e.source, AUTO_TRIAGE_SOURCE);
    let s = store.suggestion(ids[0]).unwrap().unwrap();
    assert_eq!(s.block, "housing");
    assert!(s.applied.contains(&"block".to_string()));
    // Triaged once: nothing is pending any more.
    assert!(
        store
            .triage_pending(t, &auto(), at(2026, 11, 2, 11), 100)
            .outcomes
            .is_empty()
    );
}

fn duplicates_are_found_across_channels_within_the_window_and_not_outside_it(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let t = shipped();
    let d0 = at(2026, 11, 2, 9);
    let ids = import(
        &mut store,
        &[
            row(
                "im-1",
                Channel::Im,
                "в Арде на Школьной огромная промоина на асфальте, машины объезжают по встречке",
                d0,
            ),
            row(
                "pos-7",
                Channel::Pos,
                "Прошу заделать промоину на асфальте по ул. Школьной в с. Арда, объезжают по встречной полосе",
                d0 + Duration::days(2),
            ),
            row(
                "msg-3",
                Channel::Messenger,
                "Арда, Школьная: промоина на асфальте так и не заделана, все объезжают по встречке",
                d0 + Duration::days(5),
            ),
            row(
                "im-9",
                Channel::Im,
                "в Арде на Школьной промоина на асфальте, объезжают по встречке",
                d0 + Duration::days(60),
            ),
            row(
                "im-2",
                Channel::Im,
                "В Арде в клубе не работает отопление, кружки отменили",
                d0 + Duration::days(3),
            ),
        ],
    );
    store.triage_pending(t, &auto(), d0 + Duration::days(61), 100);
    let dup = |i: usize| {
        store
            .suggestion(ids[i])
            .unwrap()
            .unwrap()
            .duplicate_of
            .map(|l| l.id)
    };
    assert_eq!(dup(0), None);
    assert_eq!(dup(1), Some(ids[0]));
    assert_eq!(dup(2), Some(ids[0]), "linked to the earliest of the group");
    assert_eq!(dup(3), None, "two months later is outside the window");
    assert_eq!(dup(4), None, "another problem in the same village");

    let groups = store.duplicate_groups(false).unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].original.id, ids[0]);
    let members: Vec<i64> = groups[0].members.iter().map(|m| m.id).collect();
    assert_eq!(members, vec![ids[1], ids[2]]);
}

fn a_repeat_from_the_same_author_within_30_days_is_marked(engine: Engine) {
    let mut store = TestStore::embedded(engine);
    let t = shipped();
    let d0 = at(2026, 10, 1, 9);
    let ids = import(
        &mut store,
        &[
            Row {
                author: Some("Петрова Анна"),
                settlement: Some("д. Кумья"),
                ..row(
                    "1",
                    Channel::Pos,
                    "Не вывозят мусор с площадки на Лесной, контейнеры переполнены",
                    d0,
                )
            },
            Row {
                author: Some("петрова  анна"),
                settlement: Some("д. Кумья"),
                ..row(
                    "2",
                    Channel::Letter,
                    "Повторно прошу: мусор на Лесной так и не вывезли, баки переполнены",
                    d0 + Duration::days(20),
                )
            },
            Row {
                author: Some("Петрова Анна"),
                settlement: Some("д. Кумья"),
                ..row(
                    "3",
                    Channel::Letter,
                    "Опять переполнены контейнеры на Лесной, мусор не вывозят",
                    d0 + Duration::days(70),
                )
            },
        ],
    );
    store.triage_pending(t, &auto(), d0 + Duration::days(71), 100);
    let repeat = |i: usize| {
        store
            .suggestion(ids[i])
            .unwrap()
            .unwrap()
            .repeat_of
            .map(|l| l.id)
    };
    assert_eq!(repeat(1), Some(ids[0]));
    assert_eq!(repeat(2), None, "seventy days later is not a repeat");
    let history = store.history(ids[1]).unwrap();
    assert!(
        history
            .iter()
            .any(|e| e.field == "note" && e.new.as_deref().is_some_and(|n| n.contains("Повторное")))
    );
}

// --- The command line ---------------------------------------------------------------------------

fn mcu(ws: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env("MCU_LOG", ws.join("mcu.log"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn classify_writes_one_json_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"id\": \"a1\", \"text\": \"Огромные ямы на дороге в Юксарах\", \"channel\": \"im\"}\n\
                 {\"id\": 7, \"text\": \"Когда концерт в ДК?\"}\n";
    let (code, out) = mcu(dir.path(), &["classify", "--json"], input);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let keys: Vec<&str> = lines[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "id",
        "block",
        "confidence",
        "settlement",
        "responsible",
        "urgent",
        "conflict",
    ] {
        assert!(keys.contains(&k), "missing {k} in {}", lines[0]);
    }
    assert_eq!(lines[0]["id"], "a1");
    assert_eq!(lines[0]["block"], "roads");
    assert_eq!(lines[0]["settlement"], "с. Юксары");
    assert!(lines[0]["confidence"].as_f64().unwrap() > 0.0);
    assert_eq!(lines[1]["id"], 7);
    assert_eq!(lines[1]["block"], "culture");
}

#[test]
fn eval_reports_the_figures_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labelled.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"id": "T1", "channel": "im", "text": "Ямы на дороге у магазина", "settlement": null, "block": "дороги", "urgent": false, "conflict": false, "dup_group": null}"#,
            r#"{"id": "T2", "channel": "pos", "text": "Нет отопления третьи сутки", "settlement": null, "block": "жкх", "urgent": true, "conflict": false, "dup_group": null}"#,
            r#"{"id": "T3", "channel": "letter", "text": "Прошу предоставить участок в аренду", "settlement": null, "block": "имущество", "urgent": false, "conflict": false, "dup_group": null}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let (code, out) = mcu(dir.path(), &["eval", "--json", file.to_str().unwrap()], "");
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for k in [
        "appeals",
        "accuracy",
        "macro_f1",
        "blocks",
        "confusion",
        "labels",
        "urgent",
        "conflict",
        "duplicate_pairs",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["appeals"], 3);
    assert_eq!(v["confusion"].as_array().unwrap().len(), 10);
    assert!(v["urgent"]["recall"].is_number());
    let block = &v["blocks"][0];
    for k in ["block", "precision", "recall", "f1", "support"] {
        assert!(block.get(k).is_some(), "missing blocks[].{k}");
    }

    let (code, out) = mcu(
        dir.path(),
        &["eval", "--json", "--cv", "3", file.to_str().unwrap()],
        "",
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cv"], 3);
    assert!(v["candidates"].as_array().unwrap().len() >= 2);
    assert!(v["report"]["macro_f1"].is_number());
}

/// `mcu eval` prints the TF-IDF + logistic regression baseline of the same run beside the model,
/// and `--min-urgent-recall` fails the run (CI) when the urgent recall is below it.
#[test]
fn eval_prints_the_baseline_and_fails_under_the_urgent_recall() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labelled.jsonl");
    // Labelled urgent, but plain requests: no model raises them, so the recall is 0.
    std::fs::write(
        &file,
        [
            r#"{"id": "U1", "channel": "pos", "text": "Прошу установить скамейку у остановки", "block": "дороги", "urgent": true, "conflict": false}"#,
            r#"{"id": "U2", "channel": "im", "text": "когда будет концерт в клубе", "block": "культура", "urgent": true, "conflict": false}"#,
            r#"{"id": "U3", "channel": "im", "text": "расписание автобуса на праздники", "block": "транспорт", "urgent": false, "conflict": false}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (code, out) = mcu(dir.path(), &["eval", "--json", f], "");
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let b = &v["baseline"];
    assert!(b["macro_f1"].is_number(), "{v}");
    assert!(b["urgent"]["tp"].is_number(), "{v}");
    assert!(b["method"].as_str().unwrap().contains("tf-idf"), "{v}");
    let (code, out) = mcu(dir.path(), &["eval", f], "");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("базовая линия"), "{out}");
    let (code, _) = mcu(dir.path(), &["eval", f, "--min-urgent-recall", "0.9"], "");
    assert_eq!(code, 1);
    let (code, _) = mcu(dir.path(), &["eval", f, "--min-urgent-recall", "0"], "");
    assert_eq!(code, 0);
}

// --- Bounded work per appeal, and a failing appeal that does not block the queue -------------

use mcu::domain::triage::limits::{MAX_CHAR_NGRAMS, MAX_SIGNATURE_STEMS, MAX_WORDS, max_features};

/// A Cyrillic «word» for every number, all different (no stem repeats).
fn distinct_word(mut i: usize) -> String {
    const LETTERS: &[char] = &[
        'б', 'в', 'г', 'д', 'ж', 'з', 'к', 'л', 'м', 'н', 'п', 'р', 'с', 'т', 'ф', 'х',
    ];
    let mut w = String::from("ра");
    loop {
        w.push(LETTERS[i % LETTERS.len()]);
        w.push('о');
        i /= LETTERS.len();
        if i == 0 {
            return w;
        }
    }
}

fn a_200000_letter_word_and_a_megabyte_of_words_are_triaged_with_bounded_structures(
    engine: Engine,
) {
    let t = shipped();
    let blocks = t.block_ids().len();
    let long_word = "Ж".repeat(200_000);
    let mut many = String::new();
    let mut i = 0;
    while many.len() < 1 << 20 {
        many.push_str(&distinct_word(i));
        many.push(' ');
        i += 1;
    }
    assert!(i > 50_000, "a megabyte of {i} distinct words");
    for text in [&long_word, &many] {
        let x = t.features_for(text, Some(Channel::Im), Some(text));
        assert!(!x.is_empty());
        assert!(
            x.len() <= max_features(blocks),
            "{} features > {}",
            x.len(),
            max_features(blocks)
        );
        let sig = t.signature(text);
        assert!(
            sig.stems.len() <= MAX_SIGNATURE_STEMS,
            "{}",
            sig.stems.len()
        );
        let s = t.suggest(text, Some(Channel::Im), Some(text));
        assert!(!s.block.is_empty());
    }
    // The many distinct words reach the caps, the one long word stays tiny.
    let x = t.features_for(&many, None, None);
    assert!(x.len() > MAX_WORDS && x.len() <= 2 * MAX_WORDS + MAX_CHAR_NGRAMS + blocks + 1);
    assert!(t.features_for(&long_word, None, None).len() < 200);
    assert_eq!(t.signature(&many).stems.len(), MAX_SIGNATURE_STEMS);

    // A megabyte of alarm repeated: the detectors still see it (and stay fast: positions are
    // searched, not compared pairwise).
    let alarm = "Нет света и воды, никто не отвечает! ".repeat(30_000);
    let s = t.suggest(&alarm, Some(Channel::Im), None);
    assert!(s.urgent && s.conflict, "{s:?}");

    // In a store: the long appeals are triaged like any other; nothing stays pending.
    let mut store = TestStore::embedded(engine);
    let d = at(2026, 11, 2, 9);
    let ids = import(
        &mut store,
        &[
            row("L1", Channel::Im, &long_word, d),
            row("L2", Channel::Im, &many, d + Duration::minutes(1)),
            row(
                "L3",
                Channel::Im,
                "Яма на дороге у школы",
                d + Duration::minutes(2),
            ),
        ],
    );
    let run = store.triage_pending(t, &auto(), d + Duration::hours(1), usize::MAX);
    assert_eq!(run.outcomes.len(), 3, "{:?}", run.failed);
    assert!(run.failed.is_empty() && run.stopped.is_none());
    assert_eq!(store.triage_pending_count().unwrap(), 0);
    for id in ids {
        assert!(store.suggestion(id).unwrap().unwrap().error.is_none());
    }
}

fn an_appeal_whose_triage_fails_is_recorded_and_skipped_and_the_queue_goes_on(engine: Engine) {
    let t = shipped();
    let mut store = TestStore::embedded(engine);
    let d = at(2026, 11, 2, 9);
    let ids = import(
        &mut store,
        &[
            row("F1", Channel::Im, "Нет света на улице Мира", d),
            row("F2", Channel::Im, "Яма на дороге", d + Duration::minutes(1)),
            row(
                "F3",
                Channel::Im,
                "Не вывозят мусор",
                d + Duration::minutes(2),
            ),
        ],
    );
    let bad = ids[1];
    let run =
        store.triage_pending_with(t, &auto(), d + Duration::hours(1), usize::MAX, &mut |id| {
            if id == bad {
                panic!("the model broke on this one");
            }
        });
    assert_eq!(run.outcomes.len(), 2);
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].appeal_id, bad);
    assert!(
        run.failed[0].reason.contains("the model broke"),
        "{:?}",
        run.failed
    );
    assert!(run.stopped.is_none());
    assert_eq!(store.triage_pending_count().unwrap(), 0, "nothing stuck");
    let s = store.suggestion(bad).unwrap().unwrap();
    assert!(s.error.as_deref().unwrap().contains("the model broke"));
    // The appeal itself is untouched by the failed attempt; the others were triaged.
    assert!(store.suggestion(ids[0]).unwrap().unwrap().error.is_none());
    assert!(store.suggestion(ids[2]).unwrap().unwrap().error.is_none());
    // The next run does not choke on it again.
    let again = store.triage_pending(t, &auto(), d + Duration::hours(2), usize::MAX);
    assert!(again.outcomes.is_empty() && again.failed.is_empty());
}

/// A statement refused for one appeal in the middle of a run (a trigger refuses its triage row,
/// its last write): on PostgreSQL a failed statement aborts the whole transaction, so the batch
/// is run again with a savepoint per appeal; only that appeal's writes are undone (its index row
/// too), it is recorded as failed, and the others are triaged.
fn a_statement_refused_for_one_appeal_undoes_only_its_own_writes(engine: Engine) {
    let t = shipped();
    let mut store = TestStore::embedded(engine);
    let d = at(2026, 11, 2, 9);
    let ids = import(
        &mut store,
        &[
            row("R1", Channel::Im, "Нет света на улице Мира", d),
            row("R2", Channel::Im, "Яма на дороге", d + Duration::minutes(1)),
            row(
                "R3",
                Channel::Im,
                "Не вывозят мусор",
                d + Duration::minutes(2),
            ),
        ],
    );
    let bad = ids[1];
    let refuse = match engine {
        Engine::Sqlite => format!(
            "CREATE TRIGGER refuse BEFORE INSERT ON triage \
             WHEN NEW.appeal_id = {bad} AND NEW.error IS NULL \
             BEGIN SELECT RAISE(ABORT, 'injected refusal'); END"
        ),
        Engine::Postgres => format!(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.appeal_id = {bad} AND NEW.error IS NULL THEN \
             RAISE EXCEPTION 'injected refusal'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON triage FOR EACH ROW EXECUTE FUNCTION refuse()"
        ),
    };
    store.raw().execute_batch(&refuse).unwrap();
    let run = store.triage_pending(t, &auto(), d + Duration::hours(1), usize::MAX);
    assert!(run.stopped.is_none(), "{:?}", run.stopped);
    assert_eq!(run.outcomes.len(), 2);
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].appeal_id, bad);
    assert!(
        run.failed[0].reason.contains("injected refusal"),
        "{:?}",
        run.failed
    );
    assert_eq!(store.triage_pending_count().unwrap(), 0, "nothing stuck");
    assert!(store.suggestion(bad).unwrap().unwrap().error.is_some());
    assert!(store.suggestion(ids[0]).unwrap().unwrap().error.is_none());
    assert!(store.suggestion(ids[2]).unwrap().unwrap().error.is_none());
    let indexed: i64 = store
        .raw()
        .query_row(
            "SELECT COUNT(*) FROM triage_signatures WHERE appeal_id = ?1",
            [bad],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        indexed, 0,
        "its index row, written before the refusal, is undone"
    );
}

#[test]
fn a_failed_triage_is_shown_by_import_and_show_and_the_import_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path();
    let (code, _) = mcu(ws, &["init"], "");
    assert_eq!(code, 0);
    let file = ws.join("two.csv");
    std::fs::write(
        &file,
        "id;channel;received_at;text\nA1;im;2026-11-02 09:00;Нет света на улице\nA2;im;2026-11-02 09:05;Яма на дороге\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args(["import", "--json", "--now", "2026-11-02T12:00:00+03:00"])
        .arg(&file)
        .env("MCU_FAULT", "panic-in-triage:1")
        .env("MCU_LOG", ws.join("mcu.log"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r[0]["inserted"], 2, "{r}");
    assert_eq!(r[0]["triaged"]["appeals"], 1, "{r}");
    assert_eq!(r[0]["triaged"]["failed"], 1, "{r}");
    assert_eq!(r[0]["triaged"]["pending"], 0, "{r}");

    let (code, out) = mcu(ws, &["show", "im:A1", "--json"], "");
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["triage"]["state"], "failed", "{v}");
    assert!(
        v["triage"]["error"]
            .as_str()
            .unwrap()
            .contains("panic-in-triage")
    );
    let (_, out) = mcu(ws, &["show", "im:A1"], "");
    assert!(out.contains("Авторазбор:       не удался"), "{out}");
    let (_, out) = mcu(ws, &["show", "im:A2", "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["triage"]["state"], "done", "{v}");

    // `classify --pending` names the appeal it could not triage, and goes on with the rest.
    let file = ws.join("more.csv");
    std::fs::write(
        &file,
        "id;channel;received_at;text
B1;im;2026-11-03 09:00;Нет воды
B2;im;2026-11-03 09:05;Не вывозят мусор
",
    )
    .unwrap();
    let (code, _) = mcu(
        ws,
        &[
            "import",
            "--no-triage",
            "--now",
            "2026-11-03T12:00:00+03:00",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0);
    let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
        .arg("--workspace")
        .arg(ws)
        .args([
            "classify",
            "--pending",
            "--now",
            "2026-11-03T12:00:00+03:00",
        ])
        .env("MCU_FAULT", "panic-in-triage:2")
        .env("MCU_LOG", ws.join("mcu.log"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("разобрано автоматически: 1 обращений"),
        "{text}"
    );
    assert!(
        text.contains("авторазбор не удался (injected fault"),
        "{text}"
    );
    let (_, out) = mcu(ws, &["show", "im:B2", "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["triage"]["state"], "failed", "{v}");
}

/// The held-out part of the shipped corpus: no tuning decision looked at it.
#[test]
fn held_out_corpus_keeps_urgent_recall() {
    let reference = mcu::reference::Reference::embedded().unwrap();
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/triage_corpus/appeals.jsonl"
    ))
    .unwrap();
    let mut items = mcu::domain::triage::eval::parse_labelled(&src, &reference.blocks).unwrap();
    items.retain(|l| l.split.as_deref() == Some("test"));
    assert!(items.len() >= 100, "{}", items.len());
    let t = shipped();
    let r = mcu::domain::triage::eval::evaluate(t, &reference.blocks, &items);
    let recall = r.urgent.recall.unwrap();
    assert!(
        recall >= 0.9,
        "urgent recall on the held-out part: {recall:.3}"
    );
}

/// Conflict told without a swear word (the count of earlier appeals, a broken promise, a long
/// wait) is raised; courtesy and thanks are not. Trouble that is over is not urgent; danger told
/// without the lexicon's words (no smoke from a lonely neighbour's chimney) is.
#[test]
fn learned_flags_read_polite_conflicts_and_implicit_danger() {
    let t = shipped();
    let s = |text: &str| t.suggest(text, Some(Channel::Im), None);
    for text in [
        "Обращаюсь в четвёртый раз по поводу ямы у школы. Каждый раз получаю ответ, что вопрос на контроле. Прошу сообщить, кто и когда его решит.",
        "Вы обещали заменить колонку ещё весной, я писала вам дважды. Сейчас ноябрь, колонки так и нет.",
        "полгода жду ответа на заявление, до сих пор тишина",
    ] {
        assert!(s(text).conflict, "should be conflict: {text}");
    }
    for text in [
        "Подскажите, пожалуйста, когда откроется запись в кружок рисования",
        "Спасибо за ремонт дороги, стало гораздо удобнее ездить",
        "Прошу рассмотреть возможность установки скамейки у остановки, пожилым людям тяжело стоять",
    ] {
        assert!(!s(text).conflict, "should not be conflict: {text}");
    }
    assert!(!s("света не было вчера два часа, сейчас всё работает, спасибо").urgent);
    assert!(
        s("у соседки-пенсионерки из трубы третий день не идёт дым, дверь заперта, на звонки не отвечает")
            .urgent
    );
}

/// Written misleading examples: a negation or a resource that is there is not urgent; a missing
/// resource told in the citizen's own words, with its duration or who is at risk, is.
#[test]
fn learned_urgency_reads_negations_and_durations() {
    let t = shipped();
    let urgent = |text: &str| t.suggest(text, Some(Channel::Im), None).urgent;
    for text in [
        "второй день нет воды, в доме двое маленьких детей",
        "третьи сутки не топят, в квартире +12, бабушка лежачая",
        "в деревне нет света с ночи, у соседа кислородный аппарат",
    ] {
        assert!(urgent(text), "should be urgent: {text}");
    }
    for text in [
        "вода есть, но ржавая, когда промоют трубы?",
        "свет дали, спасибо, только фонарь у дома не горит",
        "подскажите, когда будет концерт в доме культуры",
    ] {
        assert!(!urgent(text), "should not be urgent: {text}");
    }
}

on_both_engines!(
    after_officers_relabel_appeals_the_suggestion_changes,
    automatic_changes_are_not_learnt_but_a_confirmation_is,
    a_confident_block_is_set_and_audited_as_automatic,
    duplicates_are_found_across_channels_within_the_window_and_not_outside_it,
    a_repeat_from_the_same_author_within_30_days_is_marked,
    a_200000_letter_word_and_a_megabyte_of_words_are_triaged_with_bounded_structures,
    an_appeal_whose_triage_fails_is_recorded_and_skipped_and_the_queue_goes_on,
    a_statement_refused_for_one_appeal_undoes_only_its_own_writes,
);

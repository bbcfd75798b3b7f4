//! The analytical note and the ЦУР workbook on a small hand-made workspace: the note's figures
//! against the analytics library (every section, an empty period, a period with no previous
//! one), the DOCX opened back, the workbook read back with calamine, the HTML printed by a real
//! browser, and the command line (files in reports/, the audit entry, the timer).

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;
use common::engine::{Engine, TestStore, fresh_workspace, on_both_engines};

use std::io::Read;
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx, open_workbook};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use mcu::analytics::{self, Period};
use mcu::domain::access::{Grants, Role};
use mcu::domain::{Channel, Quality, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::report::render::{self, Format};
use mcu::report::{cur, note};
use mcu::store::{Actor, Dimension, ImportedFile, ListFilter, ReportRun, Store};

fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Saturday 28.11.2026 12:00.
fn now() -> DateTime<Utc> {
    msk(2026, 11, 28, 12, 0)
}

fn november() -> Period {
    Period::new(day("2026-11-01"), day("2026-11-28")).unwrap()
}

const FORMULA: &str = "=СУММ(A1) отопления нет, батареи холодные";
const AUTHOR: &str = "Иванова Мария Алексеевна";
const PHONE: &str = "+7 999 555 12 34";

struct A(IncomingAppeal, Channel);

fn appeal(id: &str, recipient: Option<&str>, block: Option<&str>, at: DateTime<Utc>) -> A {
    A(
        IncomingAppeal {
            line: 1,
            source_id: id.into(),
            received_at: at,
            text: format!("Обращение {id}"),
            responsible: recipient.map(Into::into),
            block: block.map(Into::into),
            ..Default::default()
        },
        Channel::Pos,
    )
}

impl A {
    fn answered(mut self, at: DateTime<Utc>, q: Option<Quality>, answer: &str) -> Self {
        self.0.answered_at = Some(at);
        self.0.status = Some(Status::Answered);
        self.0.quality = q;
        self.0.answer = Some(answer.into());
        self
    }
    fn status(mut self, s: Status) -> Self {
        self.0.status = Some(s);
        self
    }
    fn at(mut self, s: &str) -> Self {
        self.0.settlement = Some(s.into());
        self
    }
    fn cat(mut self, c: &str) -> Self {
        self.0.category = Some(c.into());
        self
    }
    fn text(mut self, t: &str) -> Self {
        self.0.text = t.into();
        self
    }
    fn im(mut self) -> Self {
        self.1 = Channel::Im;
        self
    }
}

/// The appeals in a store on `engine`.
fn store_on(engine: Engine, appeals: Vec<A>) -> TestStore {
    let mut store = TestStore::new(engine, Arc::new(Reference::embedded().unwrap()));
    fill(&mut store, &appeals);
    store
}

fn store_of(appeals: Vec<A>) -> Store {
    let mut store = Store::open_in_memory(Arc::new(Reference::embedded().unwrap())).unwrap();
    fill(&mut store, &appeals);
    store
}

fn fill(store: &mut Store, appeals: &[A]) {
    let actor = Actor::new("tester", "import:test");
    let mut tx = store.begin_import().unwrap();
    for a in appeals {
        tx.upsert(&a.0, a.1, &actor, now()).unwrap();
    }
    tx.finish(&ImportedFile {
        name: "test".into(),
        hash: "h".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
}

/// November: housing grows in Лесное (1 → 3), roads stay at 3 with two formal answers of three;
/// one appeal without a block. October: 1 housing, 3 roads. November 2025: 1 road appeal.
fn hand_made() -> Store {
    store_of(hand_made_appeals())
}

/// [`hand_made`] on `engine`.
fn hand_made_on(engine: Engine) -> TestStore {
    store_on(engine, hand_made_appeals())
}

fn hand_made_appeals() -> Vec<A> {
    let a = Some("Отдел А");
    let b = Some("Отдел Б");
    let h = Some("housing");
    let r = Some("roads");
    let mut n3 = appeal("N3", a, h, msk(2026, 11, 3, 9, 0))
        .status(Status::InProgress)
        .at("Лесное")
        .text("Батареи холодные, отопления нет уже неделю");
    n3.0.conflict = Some(true);
    n3.0.author = Some(AUTHOR.into());
    n3.0.contact = Some(PHONE.into());
    vec![
        appeal("N1", a, h, msk(2026, 11, 2, 10, 0))
            .answered(
                msk(2026, 11, 10, 12, 0),
                Some(Quality::Substantive),
                "Отопление включено",
            )
            .at("Лесное")
            .cat("ЖКХ / Отопление")
            .text("Нет отопления в доме, батареи еле тёплые"),
        appeal("N2", a, h, msk(2026, 11, 2, 11, 0))
            .answered(
                msk(2026, 11, 20, 9, 0),
                Some(Quality::Formal),
                "Спасибо, уточним, вернемся с ответом",
            )
            .at("Лесное")
            .cat("ЖКХ / Отопление")
            .text(FORMULA),
        n3,
        appeal("N4", b, r, msk(2026, 11, 9, 10, 0))
            .answered(
                msk(2026, 11, 10, 10, 0),
                Some(Quality::Formal),
                "Ваше обращение рассмотрено.",
            )
            .at("Поле")
            .text("Ямы на дороге"),
        appeal("N5", b, r, msk(2026, 11, 10, 10, 0))
            .answered(
                msk(2026, 11, 12, 10, 0),
                Some(Quality::Formal),
                "Информация принята к сведению.",
            )
            .at("Поле")
            .im(),
        appeal("N6", b, r, msk(2026, 11, 11, 10, 0))
            .answered(
                msk(2026, 11, 12, 10, 0),
                Some(Quality::Substantive),
                "Яма заделана",
            )
            .at("Поле"),
        appeal("N7", None, None, msk(2026, 11, 25, 10, 0)).status(Status::New),
        // October (the previous period of the same length, 04.10–31.10).
        appeal("P1", a, h, msk(2026, 10, 12, 10, 0))
            .answered(msk(2026, 10, 13, 10, 0), None, "Ответ")
            .at("Лесное"),
        appeal("P2", b, r, msk(2026, 10, 12, 10, 0)).answered(
            msk(2026, 10, 13, 10, 0),
            None,
            "Ответ",
        ),
        appeal("P3", b, r, msk(2026, 10, 13, 10, 0)).answered(
            msk(2026, 10, 14, 10, 0),
            None,
            "Ответ",
        ),
        appeal("P4", b, r, msk(2026, 10, 14, 10, 0)).answered(
            msk(2026, 10, 15, 10, 0),
            None,
            "Ответ",
        ),
        // A year before.
        appeal("Y1", b, r, msk(2025, 11, 12, 10, 0)).answered(
            msk(2025, 11, 13, 10, 0),
            None,
            "Ответ",
        ),
    ]
}

fn note_figures_equal_the_analytics_library_section_by_section(engine: Engine) {
    let store = hand_made_on(engine);
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let p = november();
    let (from, to) = p.bounds(tz);
    let n = note::compute(&store, p, now()).unwrap();

    // 1. Totals = `mcu stats` for the period.
    let filter = ListFilter {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    assert_eq!(n.totals.stats, store.stats(&filter, now()).unwrap());
    assert_eq!(n.totals.received, 7);
    assert_eq!(n.totals.answered_or_closed, 5);
    assert_eq!((n.totals.stats.open, n.totals.stats.overdue), (2, 1));

    // 2. Against the previous period (4) and a year before (1).
    assert_eq!(
        n.previous,
        Period::new(day("2026-10-04"), day("2026-10-31")).unwrap()
    );
    assert_eq!(
        n.year_before,
        Period::new(day("2025-11-01"), day("2025-11-28")).unwrap()
    );
    assert_eq!(n.previous_totals.received, 4);
    assert_eq!(n.year_before_totals.received, 1);
    let pos = n.by_channel.iter().find(|c| c.0 == "pos").unwrap();
    assert_eq!((pos.1.now, pos.1.before, pos.2.before), (6, 4, 1));
    assert_eq!(pos.1.percent(), Some(50.0));
    let im = n.by_channel.iter().find(|c| c.0 == "im").unwrap();
    assert_eq!((im.1.now, im.1.before, im.1.percent()), (1, 0, None));

    // 3. Topics: housing (3, +2), roads (3, 0), then the appeal without a block.
    let names: Vec<_> = n
        .topics
        .iter()
        .map(|t| (t.block.as_deref(), t.delta.now, t.delta.before))
        .collect();
    assert_eq!(
        names,
        [(Some("housing"), 3, 1), (Some("roads"), 3, 3), (None, 1, 0)]
    );
    let housing = &n.topics[0];
    assert_eq!(housing.name, reference.blocks.name_of("housing"));
    assert_eq!(housing.categories, [("ЖКХ / Отопление".to_string(), 2)]);
    let words: Vec<_> = housing
        .words
        .iter()
        .map(|(w, c)| (w.as_str(), *c))
        .collect();
    assert_eq!(words, [("батареи", 3), ("отопления", 3), ("холодные", 2)]);
    assert_eq!(housing.grew_in_settlements.len(), 1);
    assert_eq!(housing.grew_in_settlements[0].name, "Лесное");
    assert_eq!(
        (
            housing.grew_in_settlements[0].delta.now,
            housing.grew_in_settlements[0].delta.before
        ),
        (3, 1)
    );
    assert!(
        n.topics[1].grew_in_settlements.is_empty(),
        "roads did not grow"
    );
    let reading = store
        .read_period(
            &ListFilter {
                from: Some(from),
                to: Some(to),
                ..Default::default()
            },
            now(),
            mcu::store::Want {
                block_parts: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(reading.stats, n.totals.stats);
    let housing_places = &reading.block_parts.settlements[&Some("housing".to_string())];
    assert_eq!(housing_places.len(), 1);
    assert_eq!(housing_places[&Some("Лесное".to_string())], 3);

    // The hot topics are `mcu hot`'s at the period's end (here `now`, earlier).
    let hot: Vec<_> = analytics::hot_topics(&store, now())
        .unwrap()
        .into_iter()
        .filter(|t| t.hot)
        .collect();
    assert_eq!(n.hot, hot);

    // 4. Geography = `mcu stats --by settlement`.
    assert_eq!(
        n.settlements,
        store
            .counts_by(Dimension::Settlement, Some(from), Some(to), now())
            .unwrap()
    );
    let les = n
        .settlements
        .iter()
        .find(|g| g.key.as_deref() == Some("Лесное"))
        .unwrap();
    assert_eq!((les.total, les.overdue), (3, 1));

    // 5. Timeliness = `mcu targets`; 3 formal answers, each quoted.
    assert_eq!(
        n.timeliness.targets,
        analytics::targets(&store, p, now()).unwrap()
    );
    let f = &n.timeliness.facts;
    // N5 came by ИМ, whose answer term is shorter: answered late.
    assert_eq!(
        (f.volume, f.answered, f.on_time, f.open_overdue),
        (7, 5, 3, 1)
    );
    assert_eq!(n.timeliness.on_time_share, Some(0.5));
    assert_eq!(n.timeliness.formal, 3);
    let quoted: Vec<_> = n
        .timeliness
        .formal_examples
        .iter()
        .map(|x| x.answer.as_str())
        .collect();
    assert_eq!(
        quoted,
        [
            "Информация принята к сведению.",
            "Ваше обращение рассмотрено.",
            "Спасибо, уточним, вернемся с ответом"
        ]
    );
    let on_time = n
        .timeliness
        .targets
        .iter()
        .find(|t| t.block.is_none() && t.min == Some(0.95))
        .unwrap();
    assert_eq!(on_time.met, Some(false));

    // 6. The ranking = `mcu rank`; both are short of the 95 % on-time target: the red zone.
    assert_eq!(n.ranking, analytics::ranking(&store, p, now()).unwrap());
    assert_eq!(n.ranking.len(), 2);
    assert_eq!(n.red_zone.len(), 2);
    assert!(
        n.red_zone
            .iter()
            .all(|z| z.short_of.iter().any(|s| s == "Доля ответов в срок"))
    );
    assert!(
        n.red_zone.iter().all(|z| !z.bottom),
        "two ranked: no bottom three"
    );

    // 7. Conflicts = `mcu conflicts` grouped by recipient.
    let listed = store.conflicts(from, to).unwrap();
    assert_eq!(listed.len(), 4);
    let lines: Vec<_> = n
        .conflicts
        .iter()
        .map(|c| (c.recipient.as_str(), c.appeals, c.conflicts, c.formal))
        .collect();
    assert_eq!(lines, [("Отдел А", 2, 1, 1), ("Отдел Б", 2, 0, 2)]);

    // 8. No register has entries: nothing is said about them.
    assert!(n.registers.is_empty());

    // 9. Rules: Отдел Б's formal answers (2 of 3), the roadmap for housing in Лесное (3 vs 1),
    // the missed on-time target.
    let rules: Vec<_> = n.recommendations.iter().map(|r| r.rule).collect();
    assert!(rules.contains(&"formal_answers"), "{rules:?}");
    assert!(rules.contains(&"roadmap"), "{rules:?}");
    assert!(rules.contains(&"missed_target"), "{rules:?}");
    let formal = n
        .recommendations
        .iter()
        .find(|r| r.rule == "formal_answers")
        .unwrap();
    assert!(formal.text.contains("Отдел Б"));
    assert_eq!(formal.figure, "формальных ответов 2 из 3 оценённых (67%)");
    let roadmap = n
        .recommendations
        .iter()
        .find(|r| r.rule == "roadmap")
        .unwrap();
    assert!(roadmap.text.contains("Лесное") && roadmap.figure.starts_with("3 обращения против 1"));

    // The rendered text carries the same figures, and no personal data.
    let md = String::from_utf8(Format::Md.render(&n, &reference).unwrap()).unwrap();
    assert!(
        md.contains(
            "Поступило 7 обращений; дан ответ или закрыто 5; открыто 2, из них просрочено 1."
        ),
        "{md}"
    );
    assert!(md.contains("к предыдущему периоду (4): +3 (+75%)"), "{md}");
    assert!(
        md.contains("к тому же периоду прошлого года (1): +6 (+600%)"),
        "{md}"
    );
    assert!(md.contains("«Спасибо, уточним, вернемся с ответом»"));
    assert!(!md.contains(AUTHOR) && !md.contains(PHONE));
    assert!(
        !md.contains("8. "),
        "no section 8 heading when the registers are empty"
    );
}

fn an_empty_period_says_so_in_every_format(engine: Engine) {
    let store = hand_made_on(engine);
    let reference = store.reference().clone();
    let p = Period::new(day("2026-06-01"), day("2026-06-07")).unwrap();
    let n = note::compute(&store, p, now()).unwrap();
    assert!(n.is_empty());
    assert!(n.topics.is_empty() && n.ranking.is_empty() && n.settlements.is_empty());
    assert!(
        n.recommendations
            .iter()
            .all(|r| r.rule == "missed_target" || r.rule == "overdue")
    );
    let md = String::from_utf8(Format::Md.render(&n, &reference).unwrap()).unwrap();
    assert!(md.contains("Поступило 0 обращений"));
    assert!(md.contains("Обращений за период нет."));
    assert!(md.contains("Ни у одного ответственного нет достаточного числа обращений"));
    assert!(Format::Html.render(&n, &reference).is_ok());
    assert!(Format::Docx.render(&n, &reference).is_ok());
}

fn a_period_with_no_previous_one_shows_growth_from_nothing(engine: Engine) {
    let store = store_on(
        engine,
        vec![
            appeal(
                "X1",
                Some("Отдел А"),
                Some("roads"),
                msk(2026, 11, 2, 10, 0),
            ),
            appeal(
                "X2",
                Some("Отдел А"),
                Some("roads"),
                msk(2026, 11, 3, 10, 0),
            ),
        ],
    );
    let reference = store.reference().clone();
    let n = note::compute(&store, november(), now()).unwrap();
    assert_eq!(n.previous_totals.received, 0);
    assert_eq!(n.topics[0].delta.percent(), None);
    let md = String::from_utf8(Format::Md.render(&n, &reference).unwrap()).unwrap();
    assert!(
        md.contains("к предыдущему периоду (0): +2 (раньше не было)"),
        "{md}"
    );
    assert_eq!(render::change(&note::Delta::new(0, 0)), "0");
}

fn section_7_splits_repeats_per_recipient_and_its_lines_equal_mcu_conflicts(engine: Engine) {
    let a = Some("Отдел А");
    let b = Some("Отдел Б");
    let r = Some("roads");
    let mut c1 = appeal("C1", a, r, msk(2026, 11, 3, 10, 0));
    c1.0.conflict = Some(true);
    let store = store_on(
        engine,
        vec![
            c1,
            appeal("C2", b, r, msk(2026, 11, 4, 10, 0)).answered(
                msk(2026, 11, 5, 10, 0),
                Some(Quality::Formal),
                "Принято к сведению",
            ),
            appeal("D1", a, r, msk(2026, 11, 5, 10, 0)).status(Status::Duplicate),
            appeal("D2", a, r, msk(2026, 11, 6, 10, 0)).status(Status::Duplicate),
            appeal("D3", Some("Отдел В"), r, msk(2026, 11, 7, 10, 0)).status(Status::Duplicate),
            appeal("D4", None, r, msk(2026, 11, 8, 10, 0)).status(Status::Duplicate),
            // Outside the period.
            appeal("D5", b, r, msk(2026, 10, 8, 10, 0)).status(Status::Duplicate),
            // Not assigned, repeating Отдел Б's C2: Отдел Б's repeat.
            appeal("D6", None, r, msk(2026, 11, 9, 10, 0)),
        ],
    );
    let mut store = store;
    let (d6, c2) = (
        store.find("pos:D6").unwrap().id,
        store.find("pos:C2").unwrap().id,
    );
    store
        .update(
            d6,
            &[mcu::store::Change::DuplicateOf(Some(c2))],
            None,
            &Actor::new("tester", "cli"),
            now(),
        )
        .unwrap();
    let tz = store.reference().calendar.timezone();
    let (from, to) = november().bounds(tz);
    let n = note::compute(&store, november(), now()).unwrap();
    let lines: Vec<_> = n
        .conflicts
        .iter()
        .map(|c| {
            (
                c.recipient.as_str(),
                c.appeals,
                c.conflicts,
                c.formal,
                c.repeats,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Отдел А", 1, 1, 0, 2),
            ("Отдел Б", 1, 0, 1, 1),
            ("(не назначено)", 0, 0, 0, 1),
            ("Отдел В", 0, 0, 0, 1),
        ]
    );
    // The repeats per recipient are what `mcu stats` counts for its duplicates (Отдел Б's the
    // one of its own original)…
    for l in n
        .conflicts
        .iter()
        .filter(|l| l.assigned && l.recipient != "Отдел Б")
    {
        let s = store
            .stats(
                &ListFilter {
                    status: Some(Status::Duplicate),
                    responsible: Some(l.recipient.clone()),
                    from: Some(from),
                    to: Some(to),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        assert_eq!(i64::from(l.repeats), s.total, "{}", l.recipient);
    }
    assert_eq!(
        n.conflicts
            .iter()
            .map(|l| i64::from(l.repeats))
            .sum::<i64>(),
        n.repeats
    );
    // …and the rest of each line is `mcu conflicts` grouped by recipient.
    let listed = store.conflicts(from, to).unwrap();
    for l in &n.conflicts {
        let of: Vec<_> = listed
            .iter()
            .filter(|x| x.responsible.as_deref().unwrap_or("(не назначено)") == l.recipient)
            .collect();
        assert_eq!(l.appeals as usize, of.len(), "{}", l.recipient);
    }
    let md = String::from_utf8(Format::Md.render(&n, store.reference()).unwrap()).unwrap();
    assert!(md.contains("| Отдел А | 1 | 1 | 0 | 0 | 2 |"), "{md}");
    assert!(md.contains("Повторных обращений (дублей): 5."), "{md}");
}

/// The benchmark against sqlite3: SQLite's own.
#[test]
fn bench_import_then_bench_report_alternate_the_workbook_with_its_sqlite3_peer() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_mcu"))
            .args(args)
            .env_remove("MCU_HOME")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let d = dir.path().display().to_string();
    let v = run(&[
        "bench", "import", "--rows", "300", "--keep", "--dir", &d, "--json",
    ]);
    assert_eq!(v["rows"], 300, "{v}");
    let ws = dir.path().join("mcu-ws").display().to_string();
    let v = run(&["bench", "report", "--ws", &ws, "--runs", "2", "--json"]);
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{v}");
    assert!(v["workbook_rows"].as_u64().unwrap() > 0, "{v}");
    let sqlite3 = std::process::Command::new("sqlite3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert_eq!(v["sqlite3_csv_s"].is_number(), sqlite3, "{v}");
    assert_eq!(v["ratio"].is_number(), sqlite3, "{v}");
}

fn unzip(bytes: &[u8], name: &str) -> Option<Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).ok()?;
    let mut v = Vec::new();
    f.read_to_end(&mut v).unwrap();
    Some(v)
}

/// The rendering of a note (its figures come from the same analytics on either engine).
#[test]
fn docx_has_real_headings_tables_and_chart_images() {
    let store = hand_made();
    let reference = store.reference().clone();
    let n = note::compute(&store, november(), now()).unwrap();
    let bytes = Format::Docx.render(&n, &reference).unwrap();
    let doc = String::from_utf8(unzip(&bytes, "word/document.xml").unwrap()).unwrap();
    assert!(
        doc.matches("w:val=\"Heading1\"").count() >= 8,
        "section headings"
    );
    for h in [
        "1. Итоги периода",
        "3. Основные темы",
        "6. Рейтинг ответственных",
        "Рекомендации",
    ] {
        assert!(doc.contains(h), "{h}");
    }
    assert!(doc.matches("<w:tbl>").count() >= 4, "tables");
    assert!(doc.contains("Отдел Б"));
    let styles = String::from_utf8(unzip(&bytes, "word/styles.xml").unwrap()).unwrap();
    assert!(styles.contains("heading 1"));
    let z = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let images: Vec<String> = z
        .file_names()
        .filter_map(|f| f.ok().map(|f| f.to_string()))
        .filter(|f| f.starts_with("word/media/") && f.ends_with(".png"))
        .collect();
    assert_eq!(images.len(), 3, "three charts as images: {images:?}");
    let png = unzip(&bytes, &images[0]).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

/// The rendering of a note.
#[test]
fn html_is_self_contained_with_inline_svg() {
    let store = hand_made();
    let reference = store.reference().clone();
    let n = note::compute(&store, november(), now()).unwrap();
    let html = String::from_utf8(Format::Html.render(&n, &reference).unwrap()).unwrap();
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("Поступление по неделям, по блокам"));
    // A citizen's text never reaches the note; an answer quoted is escaped.
    assert!(!html.contains("=СУММ"));
}

/// The printing of a note.
#[test]
fn chromium_prints_the_note_with_its_totals() {
    let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(chromium) = chromium else {
        assert!(
            std::env::var_os("MCU_REQUIRE_CHROMIUM").is_none(),
            "chromium is required here (MCU_REQUIRE_CHROMIUM is set) but not installed"
        );
        println!("SKIPPED: chromium is not installed here (CI installs it: .ci/run)");
        return;
    };
    let store = hand_made();
    let reference = store.reference().clone();
    let n = note::compute(&store, november(), now()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("note.html");
    std::fs::write(&html, Format::Html.render(&n, &reference).unwrap()).unwrap();
    let pdf = dir.path().join("note.pdf");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed beside chromium");
    let text = String::from_utf8(text.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Аналитическая записка"), "{flat}");
    assert!(flat.contains("Поступило 7 обращений"), "{flat}");
    assert!(flat.contains("Отдел Б"), "{flat}");
    assert!(
        flat.contains("Поступление по неделям"),
        "the chart's title is drawn: {flat}"
    );

    // The PNG (as README's picture is made): not a blank page.
    let shot = dir.path().join("note.png");
    std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile2").display()
        ))
        .arg("--window-size=900,1800")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    let dark = pixels
        .chunks(info.color_type.samples())
        .filter(|p| p[0] < 128)
        .count();
    assert!(
        dark > 10_000,
        "the page has text and charts: {dark} dark pixels"
    );
}

fn observer() -> Grants {
    Grants::new("cur", vec![Role::Observer], vec![])
}

fn head() -> Grants {
    Grants::new("boss", vec![Role::Head], vec![])
}

fn workbook(
    engine: Engine,
    grants: &Grants,
    with_pd: bool,
) -> (tempfile::TempDir, std::path::PathBuf, cur::Written) {
    let store = hand_made_on(engine);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cur.xlsx");
    let req = cur::Request {
        period: november(),
        now: now(),
        grants,
        with_personal_data: with_pd,
    };
    let w = cur::write(&store, &req, &mut cur::Xlsx::new(&path)).unwrap();
    (dir, path, w)
}

fn workbook_reads_back_with_typed_cells_text_kept_and_personal_data_masked(engine: Engine) {
    let (_dir, path, w) = workbook(engine, &observer(), false);
    assert_eq!((w.appeals, w.overdue, w.conflicts), (7, 1, 4));
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Сводка",
            "Обращения",
            "Рейтинг",
            "Просрочено",
            "Поселения",
            "Конфликты"
        ]
    );
    let appeals = book.worksheet_range("Обращения").unwrap();
    let header: Vec<String> = appeals
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..4], ["№", "Ключ", "Канал", "Поступило"]);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(appeals.height(), 8, "the header and 7 appeals");
    let rows: Vec<_> = appeals.rows().skip(1).collect();
    assert!(
        rows.iter().all(|r| matches!(r[0], Data::Float(_))),
        "numbers as numbers"
    );
    assert!(
        rows.iter()
            .all(|r| matches!(r[col("Поступило")], Data::DateTime(_))),
        "dates as dates"
    );
    let n2 = rows
        .iter()
        .find(|r| r[col("Ключ")] == Data::String("pos:N2".into()))
        .unwrap();
    assert_eq!(
        n2[col("Текст")],
        Data::String(FORMULA.into()),
        "a formula-looking text stays text"
    );
    let n3 = rows
        .iter()
        .find(|r| r[col("Ключ")] == Data::String("pos:N3".into()))
        .unwrap();
    assert_eq!(n3[col("Автор")], Data::String("И*** М. А.".into()));
    assert_eq!(n3[col("Контакт")], Data::String("+7 *** *** 12 34".into()));
    assert_eq!(n3[col("Просрочено")], Data::String("да".into()));
    // No formula anywhere.
    for name in book.sheet_names() {
        let f = book.worksheet_formula(&name).unwrap();
        assert!(
            f.used_cells().all(|(_, _, s)| s.is_empty()),
            "{name} has formulas"
        );
    }
    let rating = book.worksheet_range("Рейтинг").unwrap();
    assert_eq!(rating.height(), 3);
    assert!(
        matches!(rating.get((1, 7)), Some(Data::Float(_))),
        "a share is a number"
    );
    let summary = book.worksheet_range("Сводка").unwrap();
    let received = summary
        .rows()
        .find(|r| r[0] == Data::String("Поступило обращений".into()))
        .unwrap();
    assert_eq!(received[1], Data::Float(7.0));
    let over = book.worksheet_range("Просрочено").unwrap();
    assert_eq!(over.height(), 2);
}

fn workbook_with_personal_data_for_a_head(engine: Engine) {
    let (_dir, path, _) = workbook(engine, &head(), true);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let appeals = book.worksheet_range("Обращения").unwrap();
    assert!(
        appeals
            .rows()
            .any(|r| r.iter().any(|c| *c == Data::String(AUTHOR.into())))
    );
    // Without the flag even a head gets the masked workbook.
    let (_dir, path, _) = workbook(engine, &head(), false);
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let appeals = book.worksheet_range("Обращения").unwrap();
    assert!(
        !appeals
            .rows()
            .any(|r| r.iter().any(|c| *c == Data::String(AUTHOR.into())))
    );
}

fn a_block_lead_gets_only_their_blocks(engine: Engine) {
    let lead = Grants::new("lead", vec![Role::BlockLead], vec!["roads".into()]);
    let (_dir, _path, w) = workbook(engine, &lead, false);
    assert_eq!((w.appeals, w.overdue, w.conflicts), (3, 0, 2));
}

/// The CSV form of the workbook.
#[test]
fn csv_sheets_have_a_bom_semicolons_and_neutralised_formulas() {
    let store = hand_made();
    let dir = tempfile::tempdir().unwrap();
    let g = observer();
    let req = cur::Request {
        period: november(),
        now: now(),
        grants: &g,
        with_personal_data: false,
    };
    let mut sink = cur::CsvDir::new(&dir.path().join("cur")).unwrap();
    cur::write(&store, &req, &mut sink).unwrap();
    assert_eq!(sink.files.len(), 6);
    let s = std::fs::read_to_string(dir.path().join("cur").join("Обращения.csv")).unwrap();
    assert!(s.starts_with('\u{feff}'));
    assert!(
        s.lines()
            .next()
            .unwrap()
            .starts_with("\u{feff}№;Ключ;Канал;Поступило")
    );
    assert!(s.contains("'=СУММ(A1)"), "the formula is neutralised");
    assert!(!s.contains(AUTHOR));
}

fn a_report_run_is_an_entry_of_the_report_register(engine: Engine) {
    let mut store = hand_made_on(engine);
    let run = ReportRun {
        kind: "note".into(),
        format: "html".into(),
        period: "2026-11-01 — 2026-11-28".into(),
        file: "/ws/reports/note.html".into(),
        personal_data: false,
    };
    let id = store
        .record_report(&Actor::operator(head(), "cli"), now(), &run)
        .unwrap();
    assert_eq!(id, 1);
    let id2 = store
        .record_report(&Actor::operator(observer(), "cli"), now(), &run)
        .unwrap();
    assert_eq!(id2, 2);
    let h = store.register_history("report", 1).unwrap();
    let fields: Vec<_> = h
        .iter()
        .map(|e| (e.field.as_str(), e.new.as_deref()))
        .collect();
    assert!(fields.contains(&("kind", Some("note"))), "{fields:?}");
    assert!(fields.contains(&("file", Some("/ws/reports/note.html"))));
    assert!(store.verify_audit().unwrap().intact);
}

fn the_command_line_writes_into_reports_and_audits_it(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _db) = fresh_workspace(engine, dir.path(), "ws");
    let ws = ws.as_path();
    let ok = |args: &[&str]| {
        let o = common::operators::mcu(ws, args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    ok(&["init"]);
    let csv = ws.join("in.csv");
    std::fs::write(
        &csv,
        "id;received_at;text;block\nR-1;2026-11-24 10:00;Яма на дороге;roads\nR-2;2026-11-25 10:00;=1+2 яма;roads\n",
    )
    .unwrap();
    ok(&[
        "import",
        "--channel",
        "pos",
        "--no-triage",
        csv.to_str().unwrap(),
    ]);
    let out = ok(&[
        "report",
        "note",
        "--now",
        "2026-12-02 10:00",
        "--format",
        "md",
    ]);
    let file = ws.join("reports").join("note_2026-11-23_2026-11-29.md");
    assert_eq!(out.trim(), file.display().to_string());
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.contains("Поступило 2 обращения"), "{md}");
    let out = ok(&[
        "report",
        "cur",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--now",
        "2026-12-02 10:00",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["appeals"], 2);
    assert!(
        ws.join("reports")
            .join("cur_2026-11-01_2026-11-30.xlsx")
            .exists()
    );
    let log = ok(&["audit", "log", "--register", "report", "--entry", "2"]);
    assert!(log.contains("cur_2026-11-01_2026-11-30.xlsx"), "{log}");
    let bad = common::operators::mcu(
        ws,
        &["report", "note", "--from", "2026-11-01", "--period", "week"],
    );
    assert_eq!(bad.status.code(), Some(2));
    let units = ok(&["report", "schedule", "--user", "mcu"]);
    assert!(
        units.contains("OnCalendar=Mon *-*-* 08:00:00 Europe/Moscow"),
        "{units}"
    );
    assert!(units.contains("OnCalendar=*-*-01 08:00:00"));
    assert!(units.contains("report cur --period last-month"));
    assert!(units.contains("User=mcu"));
}

on_both_engines!(
    note_figures_equal_the_analytics_library_section_by_section,
    an_empty_period_says_so_in_every_format,
    a_period_with_no_previous_one_shows_growth_from_nothing,
    section_7_splits_repeats_per_recipient_and_its_lines_equal_mcu_conflicts,
    workbook_reads_back_with_typed_cells_text_kept_and_personal_data_masked,
    workbook_with_personal_data_for_a_head,
    a_block_lead_gets_only_their_blocks,
    a_report_run_is_an_entry_of_the_report_register,
    the_command_line_writes_into_reports_and_audits_it,
);

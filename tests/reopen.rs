//! Reopening an answered appeal on a small hand-made workspace: a new answer term from the
//! reopening over the production calendar, the earlier answer kept in the history, the reopen
//! counted, and the appeal counted once in the ranking — through the store, a re-import and the
//! real binary.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use mcu::analytics::{self, Period};
use mcu::domain::{Channel, Quality, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, Change, ImportedFile, Store, StoreError};

mod common;
use common::engine::{Engine, TestStore, on_both_engines};

fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

const RECIPIENT: &str = "Отдел дорожного хозяйства";

/// The instant the ranking is judged at: Monday 30.11.2026 12:00.
fn judged() -> DateTime<Utc> {
    msk(2026, 11, 30, 12, 0)
}

/// Friday 13.11.2026 18:30, after work: when the first appeal is reopened.
fn reopened() -> DateTime<Utc> {
    msk(2026, 11, 13, 18, 30)
}

fn november() -> Period {
    Period::new("2026-11-01".parse().unwrap(), "2026-11-30".parse().unwrap()).unwrap()
}

/// a ПОС message of Monday 02.11 answered on Tuesday 03.11 (due 17.11: on time), graded
/// formal and rated 2. R-2: received Friday 27.11, in progress, not due yet.
fn rows() -> Vec<IncomingAppeal> {
    vec![
        IncomingAppeal {
            line: 1,
            source_id: "R-1".into(),
            received_at: msk(2026, 11, 2, 10, 0),
            text: "Яма на дороге у моста".into(),
            responsible: Some(RECIPIENT.into()),
            status: Some(Status::Answered),
            answered_at: Some(msk(2026, 11, 3, 10, 0)),
            answer: Some("Яму засыпали щебнем".into()),
            quality: Some(Quality::Formal),
            rating: Some(2),
            ..Default::default()
        },
        IncomingAppeal {
            line: 2,
            source_id: "R-2".into(),
            received_at: msk(2026, 11, 27, 10, 0),
            text: "Не чистят снег на остановке".into(),
            responsible: Some(RECIPIENT.into()),
            status: Some(Status::InProgress),
            ..Default::default()
        },
    ]
}

fn import(store: &mut Store, rows: &[IncomingAppeal], name: &str, at: DateTime<Utc>) {
    let actor = Actor::new("tester", "import:test");
    let mut tx = store.begin_import().unwrap();
    for r in rows {
        tx.upsert(r, Channel::Pos, &actor, at).unwrap();
    }
    tx.finish(&ImportedFile {
        name: name.into(),
        hash: name.into(),
        format: "csv".into(),
        channel: Some("pos".into()),
        imported_at: at,
        rows: rows.len() as i64,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
}

fn workspace(engine: Engine) -> TestStore {
    let mut store = TestStore::new(engine, Arc::new(Reference::embedded().unwrap()));
    import(&mut store, &rows(), "first", msk(2026, 11, 3, 12, 0));
    store
}

fn reopen(store: &mut Store, at: DateTime<Utc>) {
    store
        .update(
            1,
            &[Change::Status(Status::InProgress)],
            None,
            &Actor::new("petrova", "cli"),
            at,
        )
        .unwrap();
}

/// (answered, on time, open overdue) of the recipient in November at `now`, by the ranking (the
/// summaries), checked against the direct computation and the explanation (appeal by appeal).
fn timeliness(store: &Store, now: DateTime<Utc>) -> (u32, u32, u32) {
    let direct = analytics::facts_direct(store, november(), now).unwrap();
    let d = direct.iter().find(|f| f.recipient == RECIPIENT).unwrap();
    let e = analytics::explain(store, november(), now, RECIPIENT).unwrap();
    let counts = (d.answered, d.on_time, d.open_overdue);
    assert_eq!(
        counts,
        (e.facts.answered, e.facts.on_time, e.facts.open_overdue),
        "explained"
    );
    assert_eq!(d.volume, 2);
    // The ranking (from the summaries) ranks the recipient when something can be computed.
    let rows = analytics::ranking(store, november(), now).unwrap();
    match rows.iter().find(|r| r.recipient == RECIPIENT) {
        Some(row) => assert_eq!((row.answered, row.on_time, row.open_overdue), counts),
        None => assert_eq!(d.timeliness(), None),
    }
    counts
}

fn a_reopened_appeal_overdue_by_its_new_term_counts_once_as_open_overdue(engine: Engine) {
    let mut store = workspace(engine);
    assert_eq!(
        timeliness(&store, judged()),
        (1, 1, 0),
        "before the reopening"
    );

    reopen(&mut store, reopened());
    let a = store.get(1).unwrap().unwrap();
    assert_eq!(a.status, Status::InProgress);
    assert_eq!(a.reopen_count, 1);
    assert_eq!(a.reopened_at, Some(reopened()));
    assert_eq!(a.answered_at, None);
    assert_eq!(a.answer, None);
    // The new term: 10 working days from Friday 13.11 — Friday 27.11 at the end of work, as the
    // calendar counts it.
    let cal = &store.reference().calendar;
    assert_eq!(a.deadlines.answer_due, Some(msk(2026, 11, 27, 17, 0)));
    assert_eq!(
        a.deadlines.answer_due,
        Some(
            cal.end_of_nth_working_day_after(cal.local_date(reopened()), 10)
                .unwrap()
        )
    );
    // On Monday 30.11 it is overdue by the new term: 0 of 1 on time, one open overdue — not
    // «1 из 3» (the old answer on time and the reopened appeal overdue, plus R-2).
    assert!(a.is_overdue(judged()));
    assert_eq!(timeliness(&store, judged()), (0, 0, 1));
    // Before the new term ends it is open and not overdue: it counts nowhere in timeliness.
    let before = msk(2026, 11, 27, 16, 0);
    let f = analytics::facts_direct(&store, november(), before).unwrap();
    let f = f.iter().find(|f| f.recipient == RECIPIENT).unwrap();
    assert_eq!((f.answered, f.on_time, f.open_overdue), (0, 0, 0));
}

fn the_history_keeps_the_first_answer_and_records_the_reopening(engine: Engine) {
    let mut store = workspace(engine);
    reopen(&mut store, reopened());
    let h = store.history(1).unwrap();
    let change = |field: &str| {
        h.iter()
            .find(|e| e.field == field)
            .map(|e| (e.old.clone(), e.new.clone(), e.at, e.operator.clone()))
            .unwrap_or_else(|| panic!("no {field} in {h:#?}"))
    };
    let at = reopened();
    assert_eq!(
        change("answered_at"),
        (
            Some(msk(2026, 11, 3, 10, 0).to_rfc3339()),
            None,
            at,
            "petrova".into()
        )
    );
    assert_eq!(change("answer").0.as_deref(), Some("Яму засыпали щебнем"));
    assert_eq!(change("answer").1, None);
    assert_eq!(change("quality").0.as_deref(), Some("formal"));
    assert_eq!(change("rating").0.as_deref(), Some("2"));
    assert_eq!(
        change("status"),
        (
            Some("answered".into()),
            Some("in_progress".into()),
            at,
            "petrova".into()
        )
    );
    assert_eq!(
        (change("reopen_count").0, change("reopen_count").1),
        (Some("0".into()), Some("1".into()))
    );
    assert_eq!(change("reopened_at").1, Some(at.to_rfc3339()));
}

fn answered_again_within_the_new_term_is_on_time_and_late_is_not(engine: Engine) {
    for (answer, on_time) in [
        (msk(2026, 11, 26, 15, 0), true),
        (msk(2026, 11, 27, 17, 0), true),
        (msk(2026, 11, 27, 17, 1), false),
    ] {
        let mut store = workspace(engine);
        reopen(&mut store, reopened());
        let (a, _) = store
            .update(
                1,
                &[
                    Change::AnsweredAt(Some(answer)),
                    Change::Answer(Some("Дорогу отремонтировали".into())),
                ],
                None,
                &Actor::new("petrova", "cli"),
                answer,
            )
            .unwrap();
        assert_eq!(a.status, Status::Answered);
        assert_eq!(a.deadlines.answer_due, Some(msk(2026, 11, 27, 17, 0)));
        assert_eq!(a.reopen_count, 1, "answering again is no reopening");
        let expected = if on_time { (1, 1, 0) } else { (1, 0, 0) };
        assert_eq!(timeliness(&store, judged()), expected, "answered {answer}");
        // Both answers are in the history.
        let answers: Vec<_> = store
            .history(1)
            .unwrap()
            .into_iter()
            .filter(|e| e.field == "answer")
            .map(|e| (e.old, e.new))
            .collect();
        assert_eq!(
            answers,
            [
                (Some("Яму засыпали щебнем".into()), None),
                (None, Some("Дорогу отремонтировали".into()))
            ]
        );
    }
}

fn an_answer_time_before_the_reopening_is_refused(engine: Engine) {
    let mut store = workspace(engine);
    reopen(&mut store, reopened());
    let e = store
        .update(
            1,
            &[Change::AnsweredAt(Some(msk(2026, 11, 3, 10, 0)))],
            None,
            &Actor::new("petrova", "cli"),
            judged(),
        )
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("before the appeal was reopened") && msg.contains("13.11.2026 18:30"),
        "{msg}"
    );
    assert_eq!(store.get(1).unwrap().unwrap().answered_at, None);
}

fn every_reopening_counts_and_starts_its_own_term(engine: Engine) {
    let mut store = workspace(engine);
    reopen(&mut store, reopened());
    let actor = Actor::new("petrova", "cli");
    store
        .update(
            1,
            &[Change::AnsweredAt(Some(msk(2026, 11, 20, 10, 0)))],
            None,
            &actor,
            msk(2026, 11, 20, 10, 0),
        )
        .unwrap();
    // Closed, then reopened again on Monday 23.11 at 09:00: 10 working days → 07.12.
    store
        .update(
            1,
            &[Change::Status(Status::Closed)],
            None,
            &actor,
            msk(2026, 11, 20, 11, 0),
        )
        .unwrap();
    assert_eq!(store.get(1).unwrap().unwrap().reopen_count, 1);
    let second = msk(2026, 11, 23, 9, 0);
    store
        .update(1, &[Change::Status(Status::Assigned)], None, &actor, second)
        .unwrap();
    let a = store.get(1).unwrap().unwrap();
    assert_eq!((a.reopen_count, a.reopened_at), (2, Some(second)));
    assert_eq!(a.deadlines.answer_due, Some(msk(2026, 12, 7, 17, 0)));
    // Open and not overdue on 30.11: nothing in timeliness from it.
    assert_eq!(timeliness(&store, judged()), (0, 0, 0));
}

fn a_source_reporting_the_appeal_open_again_reopens_it_once(engine: Engine) {
    let mut store = workspace(engine);
    // The next export: R-1 in progress again, still carrying its old answer.
    let mut again = rows();
    again[0].status = Some(Status::InProgress);
    let import_at = reopened();
    import(&mut store, &again, "second", import_at);
    let a = store.get(1).unwrap().unwrap();
    assert_eq!((a.reopen_count, a.reopened_at), (1, Some(import_at)));
    assert_eq!((a.answered_at, a.answer.clone()), (None, None));
    assert_eq!(a.deadlines.answer_due, Some(msk(2026, 11, 27, 17, 0)));
    assert_eq!(timeliness(&store, judged()), (0, 0, 1));

    // The same again, and then a stale «answered» with the old answer time: the earlier term's
    // answer neither comes back nor closes the appeal.
    import(&mut store, &again, "third", msk(2026, 11, 16, 9, 0));
    import(&mut store, &rows(), "fourth", msk(2026, 11, 17, 9, 0));
    let a = store.get(1).unwrap().unwrap();
    assert_eq!(a.status, Status::InProgress);
    assert_eq!((a.reopen_count, a.answered_at), (1, None));
    assert_eq!(a.quality, None);
    assert_eq!(timeliness(&store, judged()), (0, 0, 1));

    // A real new answer from the source: judged against the new term.
    let mut answered = rows();
    answered[0].answered_at = Some(msk(2026, 11, 25, 11, 0));
    answered[0].answer = Some("Отремонтировали".into());
    import(&mut store, &answered, "fifth", msk(2026, 11, 25, 12, 0));
    let a = store.get(1).unwrap().unwrap();
    assert_eq!(a.status, Status::Answered);
    assert_eq!(a.answered_at, Some(msk(2026, 11, 25, 11, 0)));
    assert_eq!(a.reopen_count, 1);
    assert_eq!(timeliness(&store, judged()), (1, 1, 0));
}

/// The real binary: `mcu set --status in_progress` reopens, `mcu rank --explain` says 0 of 1,
/// `mcu show` shows the new term and the reopening, `mcu conflicts` counts it per recipient.
/// The command line's text of the same (the store's part runs on both engines above).
#[test]
fn the_command_line_shows_the_reopening_and_the_new_term() {
    use std::process::Command;
    let ws = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let csv = src.path().join("pos.csv");
    std::fs::write(
        &csv,
        format!(
            "id;received_at;text;responsible;status;answered_at;answer\n\
             R-1;02.11.2026 10:00;Яма на дороге у моста;{RECIPIENT};answered;03.11.2026 10:00;Яму засыпали\n\
             R-2;27.11.2026 10:00;Не чистят снег на остановке;{RECIPIENT};in_progress;;\n"
        ),
    )
    .unwrap();
    let mcu = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_mcu"))
            .arg("--workspace")
            .arg(ws.path())
            .args(args)
            .env_remove("MCU_HOME")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let now = "2026-11-30T12:00:00+03:00";
    mcu(&[
        "import",
        "--channel",
        "pos",
        "--now",
        "2026-11-03T12:00:00+03:00",
        csv.to_str().unwrap(),
    ]);
    mcu(&[
        "set",
        "pos:R-1",
        "--status",
        "in_progress",
        "--now",
        "2026-11-13T18:30:00+03:00",
    ]);

    let rank = mcu(&[
        "rank",
        "--explain",
        RECIPIENT,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--now",
        now,
    ]);
    assert!(
        rank.contains("В срок: 0 из 1 (отвечено 0, открыто и просрочено 1)"),
        "{rank}"
    );
    assert!(
        rank.contains("открыто, просрочено, срок от переоткрытия 13.11.2026 18:30"),
        "{rank}"
    );

    let show = mcu(&["show", "pos:R-1", "--now", now]);
    assert!(
        show.contains("Переоткрыто:      13.11.2026 18:30 (×1)"),
        "{show}"
    );
    assert!(
        show.contains("Ответ до:         27.11.2026 17:00"),
        "{show}"
    );
    assert!(show.contains("Ответ дан:        —"), "{show}");
    // The first answer, in the history.
    assert!(show.contains("Яму засыпали"), "{show}");

    let json: serde_json::Value =
        serde_json::from_str(&mcu(&["show", "pos:R-1", "--now", now, "--json"])).unwrap();
    let a = if json.get("appeal").is_some() {
        &json["appeal"]
    } else {
        &json
    };
    assert_eq!(a["reopen_count"], 1, "{json}");
    assert_eq!(a["reopened_at"], "2026-11-13T18:30:00+03:00", "{json}");
    assert_eq!(a["answer_due"], "2026-11-27T17:00:00+03:00", "{json}");
    assert_eq!(a["overdue"], true, "{json}");

    let conflicts = mcu(&[
        "conflicts",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--now",
        now,
    ]);
    assert!(
        conflicts.contains(&format!("{RECIPIENT}: 1 (переоткрыто: 1)")),
        "{conflicts}"
    );
}

fn an_interim_answer_after_the_reopening_moves_the_new_term_and_keeps_the_first_response(
    engine: Engine,
) {
    // An ИМ post of Monday 23.11 09:00 answered at 10:00, reopened on Friday 27.11 at 18:30:
    // due Monday 30.11 17:00; an interim answer on Monday 09:00 gives 7 working days: 09.12.
    let mut store = TestStore::new(engine, Arc::new(Reference::embedded().unwrap()));
    let row = IncomingAppeal {
        line: 1,
        source_id: "I-1".into(),
        received_at: msk(2026, 11, 23, 9, 0),
        text: "Не горит фонарь".into(),
        responsible: Some(RECIPIENT.into()),
        ..Default::default()
    };
    let actor = Actor::new("tester", "import:test");
    let mut tx = store.begin_import().unwrap();
    tx.upsert(&row, Channel::Im, &actor, msk(2026, 11, 23, 9, 5))
        .unwrap();
    tx.finish(&ImportedFile {
        name: "im".into(),
        hash: "im".into(),
        format: "csv".into(),
        channel: Some("im".into()),
        imported_at: msk(2026, 11, 23, 9, 5),
        rows: 1,
        inserted: 1,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
    let op = Actor::new("petrova", "console");
    let answered = msk(2026, 11, 23, 10, 0);
    store
        .update(
            1,
            &[Change::AnsweredAt(Some(answered))],
            None,
            &op,
            answered,
        )
        .unwrap();
    let at = msk(2026, 11, 27, 18, 30);
    store
        .update(1, &[Change::Status(Status::InProgress)], None, &op, at)
        .unwrap();
    let a = store.get(1).unwrap().unwrap();
    assert_eq!(a.deadlines.answer_due, Some(msk(2026, 11, 30, 17, 0)));
    assert_eq!(a.first_response_at, Some(answered));

    let interim = msk(2026, 11, 30, 9, 0);
    let (a, _) = store
        .update(1, &[Change::InterimAt(Some(interim))], None, &op, interim)
        .unwrap();
    assert_eq!(a.status, Status::Interim);
    assert_eq!(a.interim_after_reopen_at, Some(interim));
    assert_eq!(
        a.first_response_at,
        Some(answered),
        "the first response stays"
    );
    // 8 working hours from the receipt: 3 before lunch, 4 after, 1 on Tuesday.
    assert_eq!(
        a.deadlines.first_response_due,
        Some(msk(2026, 11, 24, 9, 0))
    );
    assert_eq!(a.deadlines.answer_due, Some(msk(2026, 12, 9, 17, 0)));
    // An interim answer before the reopening is refused.
    let e = store
        .update(1, &[Change::InterimAt(Some(answered))], None, &op, interim)
        .unwrap_err();
    assert!(
        e.to_string().contains("before the appeal was reopened"),
        "{e}"
    );
}

on_both_engines!(
    a_reopened_appeal_overdue_by_its_new_term_counts_once_as_open_overdue,
    the_history_keeps_the_first_answer_and_records_the_reopening,
    answered_again_within_the_new_term_is_on_time_and_late_is_not,
    an_answer_time_before_the_reopening_is_refused,
    every_reopening_counts_and_starts_its_own_term,
    a_source_reporting_the_appeal_open_again_reopens_it_once,
    an_interim_answer_after_the_reopening_moves_the_new_term_and_keeps_the_first_response,
);

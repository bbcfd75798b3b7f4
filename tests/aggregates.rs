//! The summaries behind monitoring and the ranking (`store::aggregates`) against a direct walk over
//! every appeal, on a random workspace after inserts, re-imports that move appeals (receipt time,
//! block, recipient, status) and operators' changes — at instants on and off the hour.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mcu::analytics::{self, Period};
use mcu::domain::ranking::{AppealCounts, RecipientFacts};
use mcu::domain::{Appeal, Channel, Quality, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, Change, ImportedFile, Store, first_response_wh};

mod common;
use common::engine::{Engine, TestStore, on_both_engines};

fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const RECIPIENTS: [&str; 4] = ["Отдел 1", "Отдел 2", "Отдел 3", "Отдел 4"];
const BLOCKS: [&str; 3] = ["housing", "roads", "transport"];
const CHANNELS: [Channel; 4] = [
    Channel::Im,
    Channel::Pos,
    Channel::Letter,
    Channel::Messenger,
];
const STATUSES: [Status; 9] = [
    Status::New,
    Status::Assigned,
    Status::InProgress,
    Status::Interim,
    Status::Answered,
    Status::Closed,
    Status::Rejected,
    Status::Duplicate,
    Status::Redirected,
];

fn random_appeal(rng: &mut Lcg, i: usize, start: DateTime<Utc>) -> (IncomingAppeal, Channel) {
    let received = start + Duration::seconds(rng.next(70 * 24 * 3600) as i64);
    let status = STATUSES[rng.next(9) as usize];
    let mut inc = IncomingAppeal {
        line: 1,
        source_id: format!("X{i}"),
        received_at: received,
        text: format!("Обращение {i}"),
        responsible: (rng.next(5) < 4).then(|| RECIPIENTS[rng.next(4) as usize].to_string()),
        block: (rng.next(4) > 0).then(|| BLOCKS[rng.next(3) as usize].to_string()),
        status: Some(status),
        ..Default::default()
    };
    if matches!(status, Status::Answered | Status::Closed) || rng.next(10) == 0 {
        inc.answered_at = Some(received + Duration::minutes(rng.next(60 * 24 * 20) as i64));
    }
    if rng.next(2) == 0 {
        inc.first_response_at = Some(received + Duration::minutes(rng.next(60 * 24 * 4) as i64));
    }
    if rng.next(3) == 0 {
        inc.quality = Some(if rng.next(2) == 0 {
            Quality::Substantive
        } else {
            Quality::Formal
        });
    }
    if rng.next(3) == 0 {
        inc.rating = Some(1 + rng.next(5) as u8);
    }
    (inc, CHANNELS[rng.next(4) as usize])
}

fn import(
    store: &mut Store,
    appeals: &[(IncomingAppeal, Channel)],
    name: &str,
    now: DateTime<Utc>,
) {
    let actor = Actor::new("tester", "import:test");
    let mut tx = store.begin_import().unwrap();
    for (inc, ch) in appeals {
        tx.upsert(inc, *ch, &actor, now).unwrap();
    }
    tx.finish(&ImportedFile {
        name: name.into(),
        hash: name.into(),
        format: "csv".into(),
        channel: None,
        imported_at: now,
        rows: 0,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .unwrap();
}

/// Ranking facts of `[from, to)` appeal by appeal.
fn facts_walk(
    all: &[Appeal],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
    store: &Store,
) -> Vec<RecipientFacts> {
    let cal = &store.reference().calendar;
    let mut by: BTreeMap<String, RecipientFacts> = BTreeMap::new();
    for a in all
        .iter()
        .filter(|a| a.received_at >= from && a.received_at < to)
    {
        let Some(r) = &a.responsible else { continue };
        let c = AppealCounts::of(a, now);
        if !c.counted {
            continue;
        }
        let f = by.entry(r.clone()).or_insert_with(|| RecipientFacts {
            recipient: r.clone(),
            ..Default::default()
        });
        let wh = a
            .first_response_at
            .and_then(|t| first_response_wh(cal, a.received_at, t));
        f.add(c, wh);
    }
    let mut v: Vec<_> = by.into_values().collect();
    for f in &mut v {
        f.first_response_wh.sort_by(f64::total_cmp);
    }
    v
}

fn check(store: &Store, now: DateTime<Utc>, label: &str) {
    let all = store
        .received_between(msk(2000, 1, 1, 0, 0), msk(2100, 1, 1, 0, 0))
        .unwrap();
    let reference = store.reference().clone();
    let cal = &reference.calendar;
    let tz = cal.timezone();

    // The ranking facts, for the month and for ranges off the hour.
    let month = Period::month_to_date(now, tz);
    let (mf, mt) = month.bounds(tz);
    for (from, to) in [
        (mf, mt),
        month.previous().bounds(tz),
        (mf - Duration::seconds(1234), now),
        (mf + Duration::seconds(59), mf + Duration::seconds(3000)),
    ] {
        let mut fast = store.ranking_facts(from, to, now, cal).unwrap();
        for f in &mut fast {
            f.first_response_wh.sort_by(f64::total_cmp);
        }
        fast.sort_by(|a, b| a.recipient.cmp(&b.recipient));
        assert_eq!(
            fast,
            facts_walk(&all, from, to, now, store),
            "{label} {from}..{to}"
        );
        // Twice: the second answer comes from the remembered first-response times.
        let mut again = store.ranking_facts(from, to, now, cal).unwrap();
        for f in &mut again {
            f.first_response_wh.sort_by(f64::total_cmp);
        }
        again.sort_by(|a, b| a.recipient.cmp(&b.recipient));
        assert_eq!(again, fast, "{label} again");
    }
    let mut direct = analytics::facts_direct(store, month, now).unwrap();
    for f in &mut direct {
        f.first_response_wh.sort_by(f64::total_cmp);
    }
    assert_eq!(
        direct,
        facts_walk(&all, mf, mt, now, store),
        "{label} direct"
    );

    // Open, overdue, at risk and the oldest overdue per block and per recipient.
    let risk_end = cal.add_working_hours(now, 8).unwrap();
    type Key = fn(&Appeal) -> Option<String>;
    let by_block: Key = |a| a.block.clone();
    let by_recipient: Key = |a| a.responsible.clone();
    for (fast, key) in [
        (store.open_by_block(now, risk_end).unwrap(), by_block),
        (
            store.open_by_recipient(now, risk_end).unwrap(),
            by_recipient,
        ),
    ] {
        let mut walk: BTreeMap<Option<String>, mcu::store::OpenCounts> = BTreeMap::new();
        for a in all.iter().filter(|a| a.status.is_open()) {
            let c = walk.entry(key(a)).or_default();
            c.open += 1;
            if a.is_overdue(now) {
                c.overdue += 1;
                let due = a.deadlines.answer_due;
                if c.oldest_overdue_due.is_none() || due < c.oldest_overdue_due {
                    c.oldest_overdue_due = due;
                }
            }
            if a.deadlines
                .answer_due
                .is_some_and(|d| d >= now && d <= risk_end)
            {
                c.at_risk += 1;
            }
        }
        assert_eq!(fast, walk, "{label} open");
    }

    // Receipts per week and block.
    let weekly = store.weekly_by_block(now, 8).unwrap();
    let mut walk: BTreeMap<Option<String>, Vec<u32>> = BTreeMap::new();
    let start = now - Duration::weeks(8);
    for a in all
        .iter()
        .filter(|a| a.received_at >= start && a.received_at < now)
    {
        let w = ((a.received_at - start).num_seconds() / (7 * 24 * 3600)) as usize;
        walk.entry(a.block.clone()).or_insert_with(|| vec![0; 8])[w] += 1;
    }
    assert_eq!(weekly, walk, "{label} weekly");

    // First responses per channel.
    for (from, to) in [(mf, mt), (mf + Duration::seconds(700), now)] {
        let fast = store.first_response_counts(from, to, now).unwrap();
        let mut walk: BTreeMap<String, mcu::store::FirstResponseCounts> = BTreeMap::new();
        for a in all
            .iter()
            .filter(|a| a.received_at >= from && a.received_at < to)
        {
            let Some(due) = a.deadlines.first_response_due else {
                continue;
            };
            let c = walk.entry(a.channel.id().to_string()).or_insert_with(|| {
                mcu::store::FirstResponseCounts {
                    channel: a.channel.id().to_string(),
                    ..Default::default()
                }
            });
            c.total += 1;
            match a.first_response_at {
                Some(t) if t <= due => c.on_time += 1,
                Some(_) => c.late += 1,
                None if due < now && !a.status.is_excluded_from_ranking() => c.missing_overdue += 1,
                None => {}
            }
        }
        assert_eq!(
            fast,
            walk.into_values().collect::<Vec<_>>(),
            "{label} first responses"
        );
    }
    // The whole monitoring still agrees with itself through the public entry point.
    analytics::monitoring(store, now).unwrap();
}

fn summaries_equal_a_direct_walk_after_inserts_moves_and_changes(engine: Engine) {
    let mut rng = Lcg(4);
    let mut store = TestStore::new(engine, Arc::new(Reference::embedded().unwrap()));
    let start = msk(2026, 9, 20, 0, 0);
    let now = msk(2026, 11, 28, 12, 0);
    let mut appeals: Vec<_> = (0..1200)
        .map(|i| random_appeal(&mut rng, i, start))
        .collect();
    import(&mut store, &appeals, "one", now);
    // The clock moving on past deadlines (17:00, 12:00 the next day…) and back, with nothing
    // changed: what is remembered per day must follow the clock.
    for now in [
        now,
        now + Duration::seconds(1799),
        msk(2026, 11, 27, 16, 37),
        msk(2026, 11, 27, 17, 0),
        msk(2026, 11, 27, 17, 1),
        msk(2026, 11, 30, 12, 0),
        msk(2026, 12, 1, 9, 30),
        msk(2026, 11, 27, 16, 59),
    ] {
        check(&store, now, "after the import");
    }

    // A second file: a third of the appeals come back with another receipt time, block,
    // recipient, status or answer; some new ones.
    for (i, a) in appeals.iter_mut().enumerate() {
        if rng.next(3) == 0 {
            let (fresh, _) = random_appeal(&mut rng, i, start);
            let keep = a.0.source_id.clone();
            a.0 = IncomingAppeal {
                source_id: keep,
                ..fresh
            };
        }
    }
    appeals.extend((1200..1400).map(|i| random_appeal(&mut rng, i, start)));
    import(&mut store, &appeals, "two", now);
    check(&store, now + Duration::seconds(4321), "after the re-import");

    // Operators' changes, one by one; refused ones (a transition not allowed) change nothing.
    let actor = Actor::new("tester", "cli");
    let ids: Vec<i64> = store
        .received_between(msk(2000, 1, 1, 0, 0), msk(2100, 1, 1, 0, 0))
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    let mut applied = 0;
    for round in 0..400 {
        let id = ids[rng.next(ids.len() as u64) as usize];
        let change = match rng.next(11) {
            0 => Change::Status(STATUSES[rng.next(9) as usize]),
            // Reopening (an answered or closed appeal back to an open status): a new term.
            8 | 9 => Change::Status(
                [Status::InProgress, Status::Assigned, Status::Interim][rng.next(3) as usize],
            ),
            1 => Change::Block((rng.next(4) > 0).then(|| BLOCKS[rng.next(3) as usize].into())),
            2 => Change::Responsible(
                (rng.next(5) > 0).then(|| RECIPIENTS[rng.next(4) as usize].into()),
            ),
            // With a fraction of a second, as an operator's clock gives; some after `now`, when
            // the reopenings happen (an answer before a reopening is refused).
            3 => Change::AnsweredAt((rng.next(3) > 0).then(|| {
                now - Duration::days(30)
                    + Duration::minutes(rng.next(60 * 24 * 36) as i64)
                    + Duration::milliseconds(rng.next(1000) as i64)
            })),
            4 => Change::InterimAt(
                (rng.next(3) > 0).then(|| now - Duration::minutes(rng.next(60 * 24 * 30) as i64)),
            ),
            5 => Change::Quality((rng.next(3) > 0).then_some(Quality::Substantive)),
            6 => Change::Rating((rng.next(3) > 0).then(|| 1 + rng.next(5) as u8)),
            7 => Change::Urgent(rng.next(2) == 0),
            _ => Change::Note("проверка".into()),
        };
        if store.update(id, &[change], None, &actor, now).is_ok() {
            applied += 1;
        }
        if round % 100 == 99 {
            check(&store, now + Duration::seconds(round), "after changes");
        }
    }
    assert!(applied > 200, "only {applied} changes applied");
    check(&store, now, "at the end");

    // Half of the reopened appeals answered again, within their new term or after it.
    let reopened: Vec<i64> = store
        .received_between(msk(2000, 1, 1, 0, 0), msk(2100, 1, 1, 0, 0))
        .unwrap()
        .iter()
        .filter(|a| a.reopen_count > 0 && a.status.is_open())
        .map(|a| a.id)
        .collect();
    for id in reopened {
        if rng.next(2) == 0 {
            let t = now + Duration::minutes(rng.next(60 * 24 * 4) as i64);
            store
                .update(id, &[Change::AnsweredAt(Some(t))], None, &actor, t)
                .unwrap();
        }
    }
    for at in [now + Duration::days(5), now + Duration::hours(7)] {
        check(&store, at, "after answering again");
    }
    let all = store
        .received_between(msk(2000, 1, 1, 0, 0), msk(2100, 1, 1, 0, 0))
        .unwrap();
    let reopened = all.iter().filter(|a| a.reopen_count > 0).count();
    let again: Vec<_> = all
        .iter()
        .filter(|a| a.reopen_count > 0 && a.is_answered())
        .collect();
    let late = again
        .iter()
        .filter(|a| a.answered_at > a.deadlines.answer_due)
        .count();
    assert!(
        reopened > 30 && late > 0 && again.len() > late,
        "only {reopened} reopened, {} answered again, {late} of them late",
        again.len()
    );
}

/// A workspace made before reopening started a new term (schema 9): its summaries counted an
/// open appeal with an answer time as answered. The upgrade fills them afresh, so they equal the
/// direct computation again.
/// SQLite's schema versions (`user_version`).
#[test]
fn upgrading_refills_the_summaries_with_the_new_counting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcu.db");
    let reference = Arc::new(Reference::embedded().unwrap());
    let mut rng = Lcg(11);
    let start = msk(2026, 10, 1, 0, 0);
    let now = msk(2026, 11, 28, 12, 0);
    {
        let mut store = Store::open(&path, reference.clone()).unwrap();
        let appeals: Vec<_> = (0..400)
            .map(|i| random_appeal(&mut rng, i, start))
            .collect();
        import(&mut store, &appeals, "one", now);
    }
    {
        // Back to schema 9, with the summaries as that version kept them: an open appeal with
        // an answer time counted among the answered (and on time by its deadline).
        let conn = rusqlite::Connection::open(&path).unwrap();
        let stale: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM appeals WHERE is_open = 1 AND answered_at IS NOT NULL \
                 AND status NOT IN ('rejected', 'duplicate', 'redirected')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(stale > 5, "{stale}");
        conn.execute_batch(
            "ALTER TABLE appeals DROP COLUMN reopened_at;
             ALTER TABLE appeals DROP COLUMN interim_after_reopen_at;
             ALTER TABLE triage DROP COLUMN error;
             ALTER TABLE events DROP COLUMN digest;
             ALTER TABLE appeals DROP COLUMN created_tags;
             UPDATE agg_recv_recipient SET answered = answered + 1;
             UPDATE agg_day_recipient SET answered = answered + 1, on_time = on_time + 1;
             UPDATE agg_open SET n = n + 2;
             PRAGMA user_version = 9;",
        )
        .unwrap();
    }
    let store = Store::open(&path, reference).unwrap();
    check(&store, now, "after the upgrade");
}

/// The daily summaries kept by `save()` are the hourly ones summed per day — exactly what the
/// migration that created them fills them with on an existing workspace.
/// Read back through SQLite's own rows (the same sums on PostgreSQL are checked above).
#[test]
fn daily_summaries_are_the_hourly_ones_summed_per_day() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mcu.db");
    let mut store = Store::open(&path, Arc::new(Reference::embedded().unwrap())).unwrap();
    let mut rng = Lcg(9);
    let start = msk(2026, 10, 1, 0, 0);
    let now = msk(2026, 11, 28, 12, 0);
    let appeals: Vec<_> = (0..500)
        .map(|i| random_appeal(&mut rng, i, start))
        .collect();
    import(&mut store, &appeals, "one", now);
    let actor = Actor::new("tester", "cli");
    for id in 1..=120 {
        let change = match id % 3 {
            0 => Change::Status(Status::Answered),
            1 => Change::Responsible(Some(RECIPIENTS[id as usize % 4].into())),
            _ => Change::Block(Some(BLOCKS[id as usize % 3].into())),
        };
        let _ = store.update(id, &[change], None, &actor, now);
    }
    // Reopenings of the answered ones among them.
    for id in (3..=120).step_by(6) {
        let _ = store.update(id, &[Change::Status(Status::InProgress)], None, &actor, now);
    }
    drop(store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows = |sql: &str| -> Vec<Vec<rusqlite::types::Value>> {
        let mut st = conn.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    for (daily, hourly) in [
        (
            "SELECT day, block, n FROM agg_day_block ORDER BY day, block",
            "SELECT hour / 24, block, SUM(n) FROM agg_recv_block GROUP BY hour / 24, block ORDER BY 1, block",
        ),
        (
            "SELECT day, rid, volume, answered, on_time, open, graded, substantive, rated, good, touched \
             FROM agg_day_recipient ORDER BY day, rid",
            "SELECT hour / 24, rid, SUM(volume), SUM(answered), SUM(on_time), SUM(open), SUM(graded), \
             SUM(substantive), SUM(rated), SUM(good), SUM(touched) FROM agg_recv_recipient \
             GROUP BY hour / 24, rid ORDER BY 1, 2",
        ),
        (
            "SELECT day, channel, total, on_time, late, pending \
             FROM agg_day_channel ORDER BY day, channel",
            "SELECT hour / 24, channel, SUM(total), SUM(on_time), SUM(late), \
             SUM(pending) FROM agg_recv_channel GROUP BY hour / 24, channel ORDER BY 1, channel",
        ),
    ] {
        let d = rows(daily);
        assert!(d.len() > 50, "{daily}: {} rows", d.len());
        assert_eq!(d, rows(hourly), "{daily}");
    }
}

on_both_engines!(summaries_equal_a_direct_walk_after_inserts_moves_and_changes);

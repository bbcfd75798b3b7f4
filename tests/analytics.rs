//! On both engines: monitoring, ranking, hot topics and targets on small hand-made workspaces whose right answers
//! are worked out by hand here, and the aggregate queries against a direct computation on a random
//! workspace.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use mcu::analytics::{self, Period};
use mcu::domain::{Channel, Quality, Status};
use mcu::ingest::IncomingAppeal;
use mcu::reference::Reference;
use mcu::store::{Actor, FactsGroup, ImportedFile};

mod common;
use common::engine::{Engine, TestStore, on_both_engines};

fn msk(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .to_utc()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The instant every test judges at: Saturday 28.11.2026 12:00.
fn now() -> DateTime<Utc> {
    msk(2026, 11, 28, 12, 0)
}

struct A {
    inc: IncomingAppeal,
    channel: Channel,
}

fn appeal(id: &str, recipient: Option<&str>, received: DateTime<Utc>) -> A {
    A {
        inc: IncomingAppeal {
            line: 1,
            source_id: id.into(),
            received_at: received,
            text: format!("Обращение {id}"),
            responsible: recipient.map(Into::into),
            ..Default::default()
        },
        channel: Channel::Pos,
    }
}

impl A {
    fn answered(mut self, at: DateTime<Utc>) -> Self {
        self.inc.answered_at = Some(at);
        self.inc.status = Some(Status::Answered);
        self
    }
    fn status(mut self, s: Status) -> Self {
        self.inc.status = Some(s);
        self
    }
    fn quality(mut self, q: Quality) -> Self {
        self.inc.quality = Some(q);
        self
    }
    fn rating(mut self, r: u8) -> Self {
        self.inc.rating = Some(r);
        self
    }
    fn block(mut self, b: &str) -> Self {
        self.inc.block = Some(b.into());
        self
    }
    fn settlement(mut self, s: &str) -> Self {
        self.inc.settlement = Some(s.into());
        self
    }
    fn channel(mut self, c: Channel) -> Self {
        self.channel = c;
        self
    }
    fn first_response(mut self, at: DateTime<Utc>) -> Self {
        self.inc.first_response_at = Some(at);
        self
    }
}

fn workspace(engine: Engine, appeals: Vec<A>) -> TestStore {
    let mut store = TestStore::new(engine, Arc::new(Reference::embedded().unwrap()));
    let actor = Actor::new("tester", "import:test");
    let mut tx = store.begin_import().unwrap();
    for a in &appeals {
        tx.upsert(&a.inc, a.channel, &actor, now()).unwrap();
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
    store
}

fn november() -> Period {
    Period::new(day("2026-11-01"), day("2026-11-28")).unwrap()
}

/// ПОС, 10 working days. Received Mon 02.11 → due Tue 17.11 17:00 (04.11 is a holiday);
/// received Tue 03.11 → due Wed 18.11 17:00.
fn hand_made(engine: Engine) -> TestStore {
    workspace(
        engine,
        vec![
            // A: answered on time (substantive), answered late (formal), open and overdue, open and
            // not yet due, and a rejected one that does not count. No ratings.
            appeal("A1", Some("Отдел А"), msk(2026, 11, 2, 10, 0))
                .answered(msk(2026, 11, 10, 12, 0))
                .quality(Quality::Substantive),
            appeal("A2", Some("Отдел А"), msk(2026, 11, 2, 11, 0))
                .answered(msk(2026, 11, 20, 9, 0))
                .quality(Quality::Formal),
            appeal("A3", Some("Отдел А"), msk(2026, 11, 3, 9, 0)).status(Status::InProgress),
            appeal("A4", Some("Отдел А"), msk(2026, 11, 25, 9, 0)).status(Status::InProgress),
            appeal("A5", Some("Отдел А"), msk(2026, 11, 5, 9, 0)).status(Status::Rejected),
            // B: a single appeal — not ranked.
            appeal("B1", Some("Отдел Б"), msk(2026, 11, 2, 10, 0))
                .answered(msk(2026, 11, 3, 10, 0)),
            // C: two on time, rated 5 and 3.
            appeal("C1", Some("Отдел В"), msk(2026, 11, 9, 10, 0))
                .answered(msk(2026, 11, 10, 10, 0))
                .rating(5),
            appeal("C2", Some("Отдел В"), msk(2026, 11, 10, 10, 0))
                .answered(msk(2026, 11, 12, 10, 0))
                .rating(3),
            // The previous period (04.10–31.10): A answered both on time; C had nothing.
            appeal("A-prev1", Some("Отдел А"), msk(2026, 10, 12, 10, 0))
                .answered(msk(2026, 10, 13, 10, 0)),
            appeal("A-prev2", Some("Отдел А"), msk(2026, 10, 14, 10, 0))
                .answered(msk(2026, 10, 15, 10, 0)),
        ],
    )
}

fn timeliness_counts_open_overdue_appeals_and_undefined_components_are_left_out(engine: Engine) {
    let store = hand_made(engine);
    let rows = analytics::ranking(&store, november(), now()).unwrap();
    let a = rows.iter().find(|r| r.recipient == "Отдел А").unwrap();
    assert_eq!(a.volume, 4, "the rejected appeal does not count");
    assert_eq!((a.answered, a.on_time, a.open_overdue), (2, 1, 1));
    // 1 on time / (2 answered + 1 open overdue).
    assert!((a.timeliness.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(a.quality, Some(0.5));
    assert_eq!(a.satisfaction, None, "no rated answers: left out");
    // 100 × (0.5·⅓ + 0.3·½) / (0.5 + 0.3): satisfaction's weight is left out too.
    let expected = 100.0 * (0.5 / 3.0 + 0.3 * 0.5) / 0.8;
    assert!(
        (a.score - expected).abs() < 1e-9,
        "{} vs {expected}",
        a.score
    );
}

fn ranking_order_minimum_volume_and_previous_rank(engine: Engine) {
    let store = hand_made(engine);
    let rows = analytics::ranking(&store, november(), now()).unwrap();
    let names: Vec<_> = rows
        .iter()
        .map(|r| (r.rank, r.recipient.as_str()))
        .collect();
    assert_eq!(
        names,
        [(1, "Отдел В"), (2, "Отдел А")],
        "Отдел Б has one appeal"
    );
    let c = &rows[0];
    // timeliness 1, satisfaction ½, quality undefined: 100 × (0.5 + 0.2·½) / 0.7.
    assert!((c.score - 100.0 * 0.6 / 0.7).abs() < 1e-9);
    assert_eq!(c.prev_rank, None, "not ranked in October");
    assert_eq!(rows[1].prev_rank, Some(1), "Отдел А led October alone");
}

fn explain_lists_the_appeals_behind_each_component(engine: Engine) {
    let store = hand_made(engine);
    let e = analytics::explain(&store, november(), now(), "отдел а").unwrap();
    assert_eq!(e.recipient, "Отдел А");
    let keys: Vec<_> = e.appeals.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, ["pos:A1", "pos:A2", "pos:A3", "pos:A5", "pos:A4"]);
    let late = e.appeals.iter().find(|x| x.key == "pos:A2").unwrap();
    assert!(late.counts.answered && !late.counts.on_time);
    let overdue = e.appeals.iter().find(|x| x.key == "pos:A3").unwrap();
    assert!(overdue.counts.open_overdue);
    assert!(
        !e.appeals
            .iter()
            .find(|x| x.key == "pos:A5")
            .unwrap()
            .counts
            .counted
    );
    assert_eq!(e.row.unwrap().rank, 2);
}

fn monitoring_per_block_open_overdue_at_risk_and_age(engine: Engine) {
    // now = Sat 28.11 12:00; "within the next working day" = the next 8 working hours, which end
    // Mon 30.11 at 17:00.
    let store = workspace(
        engine,
        vec![
            // Overdue since Tue 17.11 17:00: 8 working days to Fri 27.11 (18…27.11, no holidays).
            appeal("R1", None, msk(2026, 11, 2, 10, 0)).block("roads"),
            // ПОС received Fri 27.11 → due 11.12: open, not at risk.
            appeal("R2", None, msk(2026, 11, 27, 16, 0)).block("roads"),
            // im received Fri 27.11 10:00 → due Mon 30.11 10:00: at risk.
            appeal("R3", None, msk(2026, 11, 27, 10, 0))
                .block("roads")
                .channel(Channel::Im),
            appeal("R4", None, msk(2026, 11, 2, 10, 0))
                .block("roads")
                .answered(msk(2026, 11, 3, 10, 0)),
            appeal("H1", None, msk(2026, 11, 26, 10, 0)).block("housing"),
            appeal("U1", None, msk(2026, 11, 3, 9, 0)),
        ],
    );
    let m = analytics::monitoring(&store, now()).unwrap();
    let roads = m
        .blocks
        .iter()
        .find(|b| b.block.as_deref() == Some("roads"))
        .unwrap();
    assert_eq!((roads.open, roads.overdue, roads.at_risk), (3, 1, 1));
    assert_eq!(roads.oldest_overdue_wd, Some(8));
    assert_eq!(roads.name, "Дороги");
    // Weekly counts, the last week = 21.11 12:00 … 28.11 12:00.
    assert_eq!(roads.weekly.len(), 8);
    assert_eq!(roads.weekly[7], 2);
    assert_eq!(roads.weekly.iter().sum::<u32>(), 4);
    let none = m.blocks.iter().find(|b| b.block.is_none()).unwrap();
    assert_eq!((none.open, none.overdue), (1, 1));
    assert_eq!(m.unassigned_open, 5);
    let housing = m
        .blocks
        .iter()
        .find(|b| b.block.as_deref() == Some("housing"))
        .unwrap();
    assert_eq!((housing.open, housing.overdue, housing.at_risk), (1, 0, 0));
}

fn first_response_lateness_for_channels_that_have_one(engine: Engine) {
    let store = workspace(
        engine,
        vec![
            // Received Mon 23.11 10:00; 8 working hours: 10–12 and 13–17 (6 h), Tue 08–10 → due
            // Tue 24.11 10:00. I1 responded in time, I2 late, I3 not at all.
            appeal("I1", None, msk(2026, 11, 23, 10, 0))
                .channel(Channel::Im)
                .first_response(msk(2026, 11, 23, 15, 0)),
            appeal("I2", None, msk(2026, 11, 23, 10, 0))
                .channel(Channel::Im)
                .first_response(msk(2026, 11, 25, 9, 0)),
            appeal("I3", None, msk(2026, 11, 23, 10, 0)).channel(Channel::Im),
            appeal("P1", None, msk(2026, 11, 23, 10, 0)),
        ],
    );
    let m = analytics::monitoring(&store, now()).unwrap();
    assert_eq!(
        m.first_response.len(),
        1,
        "ПОС has no first-response deadline"
    );
    let im = &m.first_response[0];
    assert_eq!(im.channel, "im");
    assert_eq!(
        (im.total, im.on_time, im.late, im.missing_overdue),
        (3, 1, 1, 1)
    );
}

fn a_topic_is_hot_with_three_appeals_and_half_again_its_average(engine: Engine) {
    let wk = |n: i64, h: i64| now() - Duration::days(7 * n) - Duration::hours(h);
    let mut v = Vec::new();
    // Roads: 4 in the last week (3 of them in Кузьминки), 1 a week in the 4 weeks before → hot.
    for (i, s) in [
        "с. Кузьминки",
        "с. Кузьминки",
        "с. Кузьминки",
        "д. Осиновка",
    ]
    .iter()
    .enumerate()
    {
        v.push(
            appeal(&format!("r{i}"), None, wk(0, 1 + i as i64))
                .block("roads")
                .settlement(s),
        );
    }
    for n in 1..=4 {
        v.push(
            appeal(&format!("rp{n}"), None, wk(n, 2))
                .block("roads")
                .settlement("д. Осиновка"),
        );
    }
    // Housing: 3 last week, 2.5 a week before → 3 < 1.5 × 2.5: not hot.
    for i in 0..3 {
        v.push(appeal(&format!("h{i}"), None, wk(0, 2 + i)).block("housing"));
    }
    for n in 1..=4 {
        for j in 0..(2 + n % 2) {
            v.push(appeal(&format!("hp{n}{j}"), None, wk(n, 3 + j)).block("housing"));
        }
    }
    // Sport: 2 last week, nothing before → too few to be hot.
    v.push(appeal("s1", None, wk(0, 5)).block("sport"));
    v.push(appeal("s2", None, wk(0, 6)).block("sport"));
    let store = workspace(engine, v);
    let topics = analytics::hot_topics(&store, now()).unwrap();
    let t = |k: &str| {
        topics
            .iter()
            .find(|t| t.kind == "block" && t.key == k)
            .unwrap()
    };
    assert!(t("roads").hot);
    assert_eq!((t("roads").last_week, t("roads").average), (4, 1.0));
    assert_eq!(t("roads").settlements[0].settlement, "с. Кузьминки");
    assert!(
        !t("roads")
            .settlements
            .iter()
            .any(|s| s.settlement == "д. Осиновка"),
        "Осиновка stayed at one a week"
    );
    assert!(!t("housing").hot);
    assert!(!t("sport").hot);
    assert_eq!(topics[0].key, "roads", "hot topics come first");
}

fn targets_compare_actual_with_target(engine: Engine) {
    let store = hand_made(engine);
    let lines = analytics::targets(&store, november(), now()).unwrap();
    let on_time = lines
        .iter()
        .find(|l| l.block.is_none() && l.label == "Доля ответов в срок")
        .unwrap();
    // All appeals (any recipient, none excluded but A5): on time A1, B1, C1, C2 = 4;
    // answered 5 (A1, A2, B1, C1, C2) + open overdue 1 (A3) = 6.
    assert!((on_time.actual.unwrap() - 4.0 / 6.0).abs() < 1e-12);
    assert_eq!(on_time.met, Some(false));
    let roads = lines
        .iter()
        .find(|l| l.block.as_deref() == Some("roads"))
        .unwrap();
    assert_eq!(
        (roads.actual, roads.met),
        (None, None),
        "no appeals in roads"
    );
}

/// A small deterministic PRNG so the random workspace is the same on every run.
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

fn aggregate_figures_equal_a_direct_computation_on_a_random_workspace(engine: Engine) {
    let mut rng = Lcg(20261128);
    let recipients = ["Отдел 1", "Отдел 2", "Отдел 3", "Отдел 4", "Отдел 5"];
    let blocks = ["housing", "roads", "transport", "education"];
    let channels = [
        Channel::Im,
        Channel::Pos,
        Channel::Letter,
        Channel::Messenger,
    ];
    let statuses = [
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
    let start = msk(2026, 9, 1, 0, 0);
    let mut v = Vec::new();
    for i in 0..1500 {
        let received = start + Duration::minutes(rng.next(88 * 24 * 60) as i64);
        let r = (rng.next(6) < 5).then(|| recipients[rng.next(5) as usize]);
        let mut a = appeal(&format!("X{i}"), r, received).channel(channels[rng.next(4) as usize]);
        if rng.next(4) > 0 {
            a = a.block(blocks[rng.next(4) as usize]);
        }
        let s = statuses[rng.next(9) as usize];
        a = a.status(s);
        if matches!(s, Status::Answered | Status::Closed) || rng.next(10) == 0 {
            let answered = received + Duration::hours(rng.next(24 * 20) as i64);
            a.inc.answered_at = Some(answered);
            if rng.next(2) == 0 {
                a = a.first_response(received + Duration::hours(rng.next(24 * 3) as i64));
            }
        }
        if rng.next(3) == 0 {
            a = a.quality(if rng.next(2) == 0 {
                Quality::Substantive
            } else {
                Quality::Formal
            });
        }
        if rng.next(3) == 0 {
            a = a.rating(1 + rng.next(5) as u8);
        }
        v.push(a);
    }
    let store = workspace(engine, v);
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    for period in [
        november(),
        Period::new(day("2026-09-01"), day("2026-11-28")).unwrap(),
    ] {
        let (from, to) = period.bounds(tz);
        let mut fast = store
            .ranking_facts(from, to, now(), &reference.calendar)
            .unwrap();
        let mut direct = analytics::facts_direct(&store, period, now()).unwrap();
        for f in fast.iter_mut().chain(direct.iter_mut()) {
            f.first_response_wh.sort_by(f64::total_cmp);
        }
        fast.sort_by(|a, b| a.recipient.cmp(&b.recipient));
        assert!(!fast.is_empty());
        assert_eq!(fast, direct, "{period:?}");
        let all = store
            .facts_by(FactsGroup::All, from, to, now(), &reference.calendar)
            .unwrap();
        let n: u32 = store
            .received_between(from, to)
            .unwrap()
            .iter()
            .filter(|a| !a.status.is_excluded_from_ranking())
            .count() as u32;
        assert_eq!(all.values().next().unwrap().volume, n);
    }
    // Monitoring per block against a walk over every appeal.
    let m = analytics::monitoring(&store, now()).unwrap();
    let everything = store
        .received_between(msk(2000, 1, 1, 0, 0), msk(2100, 1, 1, 0, 0))
        .unwrap();
    let risk_end = reference.calendar.add_working_hours(now(), 8).unwrap();
    for line in &m.blocks {
        let mine: Vec<_> = everything
            .iter()
            .filter(|a| a.block == line.block)
            .collect();
        let open = mine.iter().filter(|a| a.status.is_open()).count() as u32;
        let overdue = mine.iter().filter(|a| a.is_overdue(now())).count() as u32;
        let at_risk = mine
            .iter()
            .filter(|a| {
                a.status.is_open()
                    && a.deadlines
                        .answer_due
                        .is_some_and(|d| d >= now() && d <= risk_end)
            })
            .count() as u32;
        assert_eq!(
            (line.open, line.overdue, line.at_risk),
            (open, overdue, at_risk),
            "{line:?}"
        );
        let week0 = now() - Duration::days(7);
        let last_week = mine
            .iter()
            .filter(|a| a.received_at >= week0 && a.received_at < now())
            .count() as u32;
        assert_eq!(line.weekly[7], last_week);
    }
}

on_both_engines!(
    timeliness_counts_open_overdue_appeals_and_undefined_components_are_left_out,
    ranking_order_minimum_volume_and_previous_rank,
    explain_lists_the_appeals_behind_each_component,
    monitoring_per_block_open_overdue_at_risk_and_age,
    first_response_lateness_for_channels_that_have_one,
    a_topic_is_hot_with_three_appeals_and_half_again_its_average,
    targets_compare_actual_with_target,
    aggregate_figures_equal_a_direct_computation_on_a_random_workspace,
);

use std::collections::{BTreeMap, HashSet};

use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(2026, 11, 28, 12, 0, 0)
        .single()
        .expect("valid")
        .with_timezone(&Utc)
}

fn generator(count: u64, seed: u64) -> Generator {
    let reference = Arc::new(Reference::embedded().expect("reference"));
    Generator::new(
        DemoConfig {
            seed,
            count,
            now: now(),
            days: 91,
        },
        reference,
    )
    .expect("generator")
}

#[test]
fn same_seed_same_appeals() {
    let a: Vec<_> = generator(200, 5).collect();
    let b: Vec<_> = generator(200, 5).collect();
    assert_eq!(a, b);
    let c: Vec<_> = generator(200, 6).collect();
    assert_ne!(a, c);
}

#[test]
fn covers_every_channel_and_block_within_the_period() {
    let items: Vec<_> = generator(3_000, 1).collect();
    let start = now() - Duration::days(91);
    let mut channels = BTreeMap::new();
    let mut blocks = HashSet::new();
    let mut ids = HashSet::new();
    for g in &items {
        *channels.entry(g.channel).or_insert(0) += 1;
        blocks.insert(g.appeal.block.clone().expect("block"));
        assert!(g.appeal.received_at <= now() && g.appeal.received_at > start);
        assert!(ids.insert(g.key()), "unique ids");
        assert!(!g.appeal.text.trim().is_empty());
        assert!(!g.appeal.text.contains('{'), "{}", g.appeal.text);
    }
    assert_eq!(channels.len(), 7, "{channels:?}");
    let im = channels[&Channel::Im] as f64 / items.len() as f64;
    assert!((0.40..0.50).contains(&im), "ИМ share {im}");
    assert_eq!(blocks.len(), 10);
}

#[test]
fn lifecycle_is_mostly_on_time_with_some_late_and_overdue() {
    let reference = Reference::embedded().expect("reference");
    let items: Vec<_> = generator(3_000, 2).collect();
    let (mut on_time, mut late, mut overdue, mut urgent, mut conflict, mut repeats) =
        (0, 0, 0, 0, 0, 0);
    for g in &items {
        let a = &g.appeal;
        urgent += usize::from(a.urgent == Some(true));
        conflict += usize::from(a.conflict == Some(true));
        repeats += usize::from(g.repeats.is_some());
        let status = a.status.expect("status");
        let interim = a
            .first_response_at
            .filter(|f| a.answered_at.is_none_or(|x| *f < x));
        let due = reference
            .sla
            .deadlines(
                &reference.calendar,
                &SlaInput {
                    channel: g.channel,
                    fz59: a.fz59.unwrap_or(false),
                    urgent: a.urgent.unwrap_or(false),
                    received_at: a.received_at,
                    interim_at: interim,
                    extended: false,
                },
            )
            .expect("deadlines")
            .answer_due
            .expect("answer due");
        match a.answered_at {
            Some(t) => {
                assert!(t <= now());
                assert!(a.answer.is_some());
                if t <= due { on_time += 1 } else { late += 1 }
            }
            None => {
                assert!(a.quality.is_none() && a.rating.is_none());
                if status.is_open() && due < now() {
                    overdue += 1;
                }
            }
        }
    }
    let n = items.len();
    assert!(on_time > n / 2, "on time {on_time} of {n}");
    assert!(late > n / 20 && late < n / 4, "late {late}");
    assert!(overdue > n / 50, "overdue {overdue}");
    assert!(urgent > n / 20, "urgent {urgent}");
    assert!(conflict > n / 20, "conflict {conflict}");
    assert!(repeats > n / 50, "near-duplicates {repeats}");
}

#[test]
fn earlier_records_show_less() {
    let items: Vec<_> = generator(500, 3).collect();
    let g = items
        .iter()
        .find(|g| g.life.answered_at.is_some_and(|t| t < now()))
        .expect("an answered appeal");
    let before = g.life.answered_at.expect("answered") - Duration::seconds(1);
    let a = g.at(before).expect("received by then");
    assert!(a.answered_at.is_none());
    assert!(a.status.is_some_and(|s| s.is_open()));
    assert!(g.at(g.appeal.received_at - Duration::seconds(1)).is_none());
}

#[test]
fn formal_texts_fit_windows_1251() {
    // ПОС exports are Windows-1251: what goes into them must encode.
    for t in TOPICS {
        for s in t.formal.iter().chain(t.answers) {
            let (_, _, bad) = encoding_rs::WINDOWS_1251.encode(s);
            assert!(!bad, "{s}");
        }
    }
    let items: Vec<_> = generator(2_000, 4).collect();
    for g in items.iter().filter(|g| g.channel == Channel::Pos) {
        for s in [
            &g.appeal.text,
            g.appeal.answer.as_ref().unwrap_or(&String::new()),
        ] {
            let (_, _, bad) = encoding_rs::WINDOWS_1251.encode(s);
            assert!(!bad, "{s}");
        }
    }
}

#[test]
fn canonical_csv_reads_back_through_the_import_mapping() {
    let items: Vec<_> = generator(300, 9).collect();
    let mut buf = Vec::new();
    let rows =
        write_canonical_csv(&mut buf, chrono_tz::Europe::Moscow, items.clone()).expect("written");
    assert_eq!(rows, 300);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("appeals.csv");
    std::fs::write(&path, &buf).expect("saved");
    let reference = Reference::embedded().expect("reference");
    let mapper = crate::ingest::Mapper::new(
        &reference.profiles,
        &reference.blocks,
        reference.calendar.timezone(),
    );
    let format = crate::ingest::format::detect(&path).expect("format");
    let mut back = Vec::new();
    for item in crate::ingest::readers::open(&path, format).expect("open") {
        match item.expect("row") {
            crate::ingest::ReadItem::Row(r) => back.push(mapper.map(&r).expect("maps")),
            crate::ingest::ReadItem::Bad(e) => panic!("bad row {e:?}"),
        }
    }
    assert_eq!(back.len(), 300);
    for (g, b) in items.iter().zip(&back) {
        let mut want = g.appeal.clone();
        want.line = b.line;
        assert_eq!(&want, b);
    }
}

#[test]
fn the_demo_routing_names_only_the_demo_okrugs_recipients_and_covers_every_block() {
    crate::domain::triage::routing::Routing::from_toml(super::world::ROUTING_TOML)
        .expect("a valid routing file");
    let known: HashSet<String> = super::world::parse_recipients(super::world::RECIPIENTS_TOML)
        .expect("recipients")
        .into_iter()
        .map(|r| r.name)
        .collect();
    let file: toml::Value = toml::from_str(super::world::ROUTING_TOML).expect("toml");
    let rules = file["rule"].as_array().expect("rules");
    let mut blocks = HashSet::new();
    for r in rules {
        let name = r["recipient"].as_str().expect("a recipient");
        assert!(known.contains(name), "«{name}» is not a demo recipient");
        blocks.insert(r["block"].as_str().expect("a block").to_string());
    }
    let reference = Reference::embedded().expect("reference");
    for b in reference.blocks.all() {
        assert!(blocks.contains(&b.id), "no rule for block {}", b.id);
    }
}

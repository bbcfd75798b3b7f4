//! The roadmaps' tables, their audit entries, the rule's proposals and the effect on a
//! hand-made workspace.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::domain::Channel;
use crate::domain::access::{Grants, Role};
use crate::ingest::IncomingAppeal;
use crate::reference::Reference;
use crate::store::{AuditFilter, ImportedFile};

fn store() -> Store {
    Store::open_in_memory(Arc::new(Reference::embedded().expect("reference"))).expect("store")
}

fn msk(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Moscow
        .with_ymd_and_hms(y, m, d, 10, 0, 0)
        .single()
        .expect("time")
        .to_utc()
}

fn now() -> DateTime<Utc> {
    msk(2026, 12, 7)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Appeals: (source id, received, text, block, settlement).
fn seed(s: &mut Store, rows: &[(&str, DateTime<Utc>, &str, &str, &str)]) -> Vec<i64> {
    let actor = Actor::new("seed", "import:seed");
    let mut tx = s.begin_import().expect("tx");
    for (i, (id, at, text, block, settlement)) in rows.iter().enumerate() {
        let inc = IncomingAppeal {
            line: i as u64 + 1,
            source_id: (*id).into(),
            received_at: *at,
            text: (*text).into(),
            block: Some((*block).into()),
            settlement: Some((*settlement).into()),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Pos, &actor, now())
            .expect("upsert");
    }
    tx.finish(&ImportedFile {
        name: "seed.csv".into(),
        hash: "seed".into(),
        format: "csv".into(),
        channel: None,
        imported_at: now(),
        rows: rows.len() as i64,
        inserted: rows.len() as i64,
        updated: 0,
        unchanged: 0,
        quarantined: 0,
    })
    .expect("finish");
    rows.iter()
        .map(|r| s.find(&format!("pos:{}", r.0)).expect("find").id)
        .collect()
}

fn officer() -> Actor {
    Actor::operator(
        Grants::new("petrova", vec![Role::Coordinator], vec![]),
        "cli",
    )
}

fn fields(s: &Store, register: &str, id: i64) -> Vec<(String, Option<String>, Option<String>)> {
    s.register_history(register, id)
        .expect("history")
        .into_iter()
        .map(|e| (e.field, e.old, e.new))
        .collect()
}

#[test]
fn a_roadmap_its_measures_and_links_are_kept_and_every_change_audited() {
    let mut s = store();
    let ids = seed(
        &mut s,
        &[("1", msk(2026, 11, 2), "Яма на дороге", "roads", "с. Юксары")],
    );
    let a = officer();
    let id = s
        .add_roadmap(
            &NewRoadmap {
                title: " Ямы в Юксарах ".into(),
                block: Some("Дороги".into()),
                settlements: vec!["с. Юксары".into(), "с. юксары".into()],
                start: Some(date(2026, 10, 1)),
                target: Some(2),
                ..Default::default()
            },
            &a,
            now(),
        )
        .expect("add");
    let r = s.roadmap(id).expect("roadmap");
    assert_eq!(r.title, "Ямы в Юксарах");
    assert_eq!(r.block.as_deref(), Some("roads"));
    assert_eq!(r.settlements, vec!["с. Юксары".to_string()]);
    assert_eq!(r.status, RoadmapStatus::Draft);
    assert_eq!(
        r.target.map(|t| t.to_string()),
        Some("не более 2 обращений в месяц".into())
    );

    let n = s
        .add_measure(
            id,
            &NewMeasure {
                text: "Ямочный ремонт ул. Школьной".into(),
                responsible: Some("Отдел дорожного хозяйства".into()),
                due: Some(date(2026, 11, 30)),
            },
            &a,
            now(),
        )
        .expect("measure");
    assert_eq!(n, 1);
    assert_eq!(
        s.edit_roadmap(
            id,
            &[
                RoadmapField::Status(RoadmapStatus::Active),
                RoadmapField::Title("Ямы в Юксарах".into())
            ],
            &a,
            now()
        )
        .expect("edit"),
        1
    );
    s.set_measure(
        id,
        1,
        &[
            MeasureField::Status(MeasureStatus::Done),
            MeasureField::Note(Some("отремонтировано 40 м²".into())),
        ],
        &a,
        now(),
    )
    .expect("set");
    assert_eq!(s.link_appeals(id, &ids, &a, now()).expect("link"), 1);
    assert_eq!(s.link_appeals(id, &ids, &a, now()).expect("again"), 0);
    assert_eq!(s.roadmaps_of(ids[0]).expect("of"), vec![id]);
    assert_eq!(s.unlink_appeals(id, &ids, &a, now()).expect("unlink"), 1);
    assert!(s.roadmap_links(id).expect("links").is_empty());

    let h = fields(&s, ROADMAP, id);
    let names: Vec<&str> = h.iter().map(|(f, _, _)| f.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "created",
            "title",
            "block",
            "settlements",
            "start",
            "status",
            "target",
            "status",
            "linked",
            "linked"
        ]
    );
    let link = ids[0].to_string();
    assert_eq!(h[8], ("linked".into(), None, Some(link.clone())));
    assert_eq!(h[9], ("linked".into(), Some(link), None));
    assert_eq!(
        h[7],
        ("status".into(), Some("draft".into()), Some("active".into()))
    );
    let measure_id = s.measures(id).expect("measures")[0].id;
    let mh = fields(&s, MEASURE, measure_id);
    assert_eq!(mh.first().map(|f| f.0.as_str()), Some("created"));
    assert!(mh.contains(&("status".into(), Some("planned".into()), Some("done".into()))));
    assert!(mh.contains(&("note".into(), None, Some("отремонтировано 40 м²".into()))));
    let log = s
        .audit_log(&AuditFilter {
            register: Some(ROADMAP.into()),
            ..Default::default()
        })
        .expect("log");
    assert_eq!(log.len(), 10);
    assert!(s.verify_audit().expect("verify").intact);
}

#[test]
fn bad_input_is_refused_with_what_is_wrong_and_nothing_written() {
    let mut s = store();
    let a = officer();
    let e = s
        .add_roadmap(
            &NewRoadmap {
                title: "X".into(),
                block: Some("космос".into()),
                ..Default::default()
            },
            &a,
            now(),
        )
        .expect_err("bad block");
    assert!(e.to_string().contains("unknown block «космос»"), "{e}");
    assert!(
        s.add_roadmap(&NewRoadmap::default(), &a, now())
            .expect_err("no title")
            .to_string()
            .contains("title")
    );
    let e = s.roadmap(5).expect_err("none");
    assert!(e.to_string().contains("no roadmap 5"), "{e}");
    let id = s
        .add_roadmap(
            &NewRoadmap {
                title: "Свет".into(),
                ..Default::default()
            },
            &a,
            now(),
        )
        .expect("add");
    let e = s.link_appeals(id, &[99], &a, now()).expect_err("no appeal");
    assert!(e.to_string().contains("no appeal «99»"), "{e}");
    let e = s
        .set_measure(id, 3, &[], &a, now())
        .expect_err("no measure");
    assert!(e.to_string().contains("has no measure 3"), "{e}");
    let observer = Actor::operator(Grants::new("ivanov", vec![Role::Observer], vec![]), "cli");
    assert!(matches!(
        s.edit_roadmap(id, &[RoadmapField::Title("Y".into())], &observer, now()),
        Err(StoreError::Denied(_))
    ));
    assert_eq!(s.roadmap(id).expect("kept").title, "Свет");
    assert_eq!(s.roadmaps().expect("all").len(), 1);
}

/// A hand-made workspace: potholes in Юксары before and after the roadmap's start, others that
/// the rule must not match (another settlement, another block, other words).
#[test]
fn the_rule_proposes_new_matching_appeals_and_the_effect_counts_months() {
    let mut s = store();
    let ids = seed(
        &mut s,
        &[
            (
                "1",
                msk(2026, 8, 5),
                "Яма на дороге у школы",
                "roads",
                "с. Юксары",
            ),
            (
                "2",
                msk(2026, 8, 20),
                "Опять ямы на улице",
                "roads",
                "с. Юксары",
            ),
            (
                "3",
                msk(2026, 9, 10),
                "Выбоина у остановки",
                "roads",
                "с. Юксары",
            ),
            ("4", msk(2026, 9, 12), "Яма у моста", "roads", "с. Арда"),
            (
                "5",
                msk(2026, 9, 14),
                "Яма во дворе, вода",
                "housing",
                "с. Юксары",
            ),
            (
                "6",
                msk(2026, 10, 20),
                "Глубокая яма на Школьной",
                "roads",
                "с. Юксары",
            ),
            ("7", msk(2026, 11, 3), "Не убран снег", "roads", "с. Юксары"),
            ("8", msk(2026, 12, 2), "Снова яма", "roads", "с. Юксары"),
        ],
    );
    let a = officer();
    let id = s
        .add_roadmap(
            &NewRoadmap {
                title: "Ямы в Юксарах".into(),
                block: Some("roads".into()),
                settlements: vec!["с. Юксары".into()],
                start: Some(date(2026, 10, 1)),
                target: Some(1),
                rule_words: Some("яма выбоина".into()),
                ..Default::default()
            },
            &a,
            now(),
        )
        .expect("add");
    let r = s.roadmap(id).expect("roadmap");
    // Rule matches: 1, 2, 3 (before), 6, 8 (after); proposals only since the start.
    assert_eq!(
        s.roadmap_proposals(&r).expect("proposed"),
        vec![ids[5], ids[7]]
    );
    // Snow (7) linked by hand counts too; accepting 6 links it as the rule's.
    s.link_appeals(id, &[ids[6], ids[5]], &a, now())
        .expect("link");
    let links = s.roadmap_links(id).expect("links");
    let origin = |x: i64| links.iter().find(|l| l.appeal_id == x).map(|l| l.origin);
    assert_eq!(origin(ids[5]), Some(LinkOrigin::Rule));
    assert_eq!(origin(ids[6]), Some(LinkOrigin::Hand));
    assert_eq!(s.roadmap_proposals(&r).expect("proposed"), vec![ids[7]]);

    let e = s.roadmap_effect(&r, now()).expect("effect");
    let months: Vec<(String, usize)> = e
        .monthly
        .iter()
        .map(|c| (c.month.to_string(), c.count))
        .collect();
    assert_eq!(
        &months[..],
        &[
            ("2026-04".to_string(), 0),
            ("2026-05".to_string(), 0),
            ("2026-06".to_string(), 0),
            ("2026-07".to_string(), 0),
            ("2026-08".to_string(), 2),
            ("2026-09".to_string(), 1),
            ("2026-10".to_string(), 1),
            ("2026-11".to_string(), 1),
            ("2026-12".to_string(), 1),
        ]
    );
    assert_eq!(
        e.last_full.map(|c| c.month.to_string()),
        Some("2026-11".into())
    );
    assert_eq!(e.met, Some(true));

    // Unlinking a proposed one keeps it from being proposed, and out of the effect.
    s.link_appeals(id, &[ids[7]], &a, now()).expect("accept");
    s.unlink_appeals(id, &[ids[7]], &a, now()).expect("unlink");
    assert!(s.roadmap_proposals(&r).expect("proposed").is_empty());
    let e = s.roadmap_effect(&r, now()).expect("effect");
    assert_eq!(e.monthly.last().map(|c| c.count), Some(0));
}

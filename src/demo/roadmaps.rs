//! The demo's roadmaps: three of them (potholes, street lighting, waste collection), each with
//! measures — some done, one overdue — a target, a rule that finds the demo's appeals on the
//! problem, and some of those appeals linked by hand; the rest the rule proposes.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::DemoError;
use crate::domain::roadmap::{MeasureStatus, RoadmapStatus};
use crate::store::roadmaps::{MeasureField, NewMeasure, NewRoadmap};
use crate::store::{Actor, Store};

/// A demo roadmap: title, problem, block, rule words, target, status, start (days before now),
/// and its measures (text, responsible, due in days from now, done).
struct Plan {
    title: &'static str,
    problem: &'static str,
    block: &'static str,
    words: &'static str,
    target: u32,
    status: RoadmapStatus,
    start_days_ago: i64,
    responsible: &'static str,
    measures: &'static [(&'static str, &'static str, i64, bool)],
}

const PLANS: [Plan; 3] = [
    Plan {
        title: "Ямы на дорогах округа",
        problem: "Разбитое покрытие местных дорог: жалобы на ямы каждую неделю",
        block: "roads",
        words: "яма ямочный выбоина",
        target: 4,
        status: RoadmapStatus::Active,
        start_days_ago: 60,
        responsible: "Отдел дорожного хозяйства",
        measures: &[
            (
                "Обследовать дороги и составить перечень ям",
                "Отдел дорожного хозяйства",
                -45,
                true,
            ),
            (
                "Ямочный ремонт по перечню",
                "Подрядчик по контракту",
                -7,
                false,
            ),
            (
                "Включить ремонт улиц в план дорожных работ",
                "Отдел дорожного хозяйства",
                60,
                false,
            ),
        ],
    },
    Plan {
        title: "Уличное освещение",
        problem: "Не горят фонари на улицах сёл, дети идут в школу в темноте",
        block: "housing",
        words: "фонарь освещение",
        target: 3,
        status: RoadmapStatus::Active,
        start_days_ago: 40,
        responsible: "Отдел ЖКХ и благоустройства",
        measures: &[
            (
                "Заменить лампы на светодиодные",
                "Отдел ЖКХ и благоустройства",
                -10,
                true,
            ),
            (
                "Установить фонари у школ",
                "Отдел ЖКХ и благоустройства",
                20,
                false,
            ),
        ],
    },
    Plan {
        title: "Вывоз мусора",
        problem: "Контейнеры вывозят реже графика, мусор разносит ветер",
        block: "housing",
        words: "мусор контейнер отходы",
        target: 5,
        status: RoadmapStatus::Draft,
        start_days_ago: 10,
        responsible: "Отдел ЖКХ и благоустройства",
        measures: &[
            (
                "Согласовать с региональным оператором график вывоза",
                "Отдел ЖКХ и благоустройства",
                14,
                false,
            ),
            (
                "Оборудовать две контейнерные площадки",
                "Администрация округа",
                45,
                false,
            ),
        ],
    },
];

/// How many of a rule's matches are linked by hand (the oldest ones).
const LINKED: usize = 4;

/// Fills the roadmaps; how many were entered.
pub fn fill(store: &mut Store, now: DateTime<Utc>) -> Result<usize, DemoError> {
    let other = |e: crate::store::StoreError| DemoError::Other(format!("roadmaps: {e}"));
    let tz = store.reference().calendar.timezone();
    let today: NaiveDate = now.with_timezone(&tz).date_naive();
    let actor = Actor::new("mcu-demo", "demo");
    for p in &PLANS {
        let id = store
            .add_roadmap(
                &NewRoadmap {
                    title: p.title.into(),
                    problem: Some(p.problem.into()),
                    block: Some(p.block.into()),
                    responsible: Some(p.responsible.into()),
                    start: Some(today - Duration::days(p.start_days_ago)),
                    due: Some(today + Duration::days(120)),
                    status: Some(p.status),
                    target: Some(p.target),
                    rule_words: Some(p.words.into()),
                    ..Default::default()
                },
                &actor,
                now,
            )
            .map_err(other)?;
        for (text, responsible, due, done) in p.measures {
            let n = store
                .add_measure(
                    id,
                    &NewMeasure {
                        text: (*text).into(),
                        responsible: Some((*responsible).into()),
                        due: Some(today + Duration::days(*due)),
                    },
                    &actor,
                    now,
                )
                .map_err(other)?;
            if *done {
                store
                    .set_measure(
                        id,
                        n,
                        &[
                            MeasureField::Status(MeasureStatus::Done),
                            MeasureField::Note(Some("выполнено, акт приёмки подписан".into())),
                        ],
                        &actor,
                        now,
                    )
                    .map_err(other)?;
            }
        }
        let roadmap = store.roadmap(id).map_err(other)?;
        if let Some(rule) = roadmap.rule() {
            let matches = store.rule_matches(id, &rule).map_err(other)?;
            let ids: Vec<i64> = matches.iter().take(LINKED).map(|(a, _)| *a).collect();
            if !ids.is_empty() {
                store.link_appeals(id, &ids, &actor, now).map_err(other)?;
            }
        }
    }
    Ok(PLANS.len())
}

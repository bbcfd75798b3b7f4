//! The roadmaps' screens («дорожные карты»): the list ([`RoadmapList`], those with overdue
//! measures first) and one roadmap ([`RoadmapDetail`]: fields, progress, effect, measures,
//! linked and proposed appeals), and what `L` does on the screens that show appeals
//! ([`link`]: link the current or marked appeals to a roadmap, or to a new one made from them).
//! Every change goes through the audited store functions the command line uses.

mod detail;
pub mod link;
mod list;
mod view;

pub use detail::{RoadmapDetail, Row};
pub use list::RoadmapList;

use super::{Effect, Env};
use crate::domain::roadmap::{MeasureStatus, Roadmap, RoadmapStatus, parse_date};
use crate::store::roadmaps::{MeasureField, NewMeasure, NewRoadmap, RoadmapField};
use crate::store::{Actor, Store, StoreError};
use crate::tui::popup::{Chooser, Input, Item, Popup, Purpose};
use crate::tui::writes::{Job, Reply};
use chrono::{DateTime, Utc};

/// The fields of a roadmap an officer may change, with their Russian names.
const ROADMAP_FIELDS: [(&str, &str); 10] = [
    ("title", "Название"),
    ("problem", "Проблема"),
    ("block", "Блок"),
    ("settlements", "Населённые пункты (через запятую)"),
    ("responsible", "Ответственный"),
    ("start", "Начало (ДД.ММ.ГГГГ)"),
    ("due", "Срок (ДД.ММ.ГГГГ)"),
    ("status", "Статус"),
    ("target", "Цель: не более N обращений в месяц"),
    ("rule", "Правило: слова для поиска обращений"),
];

/// The fields of a measure.
const MEASURE_FIELDS: [(&str, &str); 5] = [
    ("status", "Статус"),
    ("note", "Что сделано"),
    ("text", "Мероприятие"),
    ("responsible", "Исполнитель"),
    ("due", "Срок (ДД.ММ.ГГГГ)"),
];

fn label(fields: &[(&'static str, &'static str)], field: &str) -> &'static str {
    fields
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("Поле", |(_, l)| l)
}

fn actor(env: &Env) -> Actor {
    Actor::operator(env.grants.clone(), "console")
}

/// A store error the officer can do something about, in words; `None` for the others.
fn refusal(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Denied(m) => Some(format!("Недоступно вашей роли: {m}")),
        StoreError::Invalid(_) | StoreError::NotFound(_) => Some(format!("Не сохранено: {e}")),
        _ => None,
    }
}

/// A roadmap's change through the console's write queue (`tui::writes`), so a locked database
/// never stops the screen: `f` makes it on the writer's connection and says what was done;
/// `then` follows once it is saved. A refusal the officer can act on is said as an error.
fn write(
    env: &mut Env,
    what: String,
    then: Effect,
    mut f: impl FnMut(&mut Store, &Actor, DateTime<Utc>) -> Result<String, StoreError> + Send + 'static,
) -> Result<(), StoreError> {
    let (actor, now) = (actor(env), env.now());
    let job = Job::op(what, actor.clone(), now, move |store| {
        match f(store, &actor, now) {
            Ok(text) => Ok(Reply {
                text,
                effects: vec![then.clone()],
                ..Default::default()
            }),
            Err(e) => match refusal(&e) {
                Some(text) => Ok(Reply::refused(text)),
                None => Err(e),
            },
        }
    });
    super::triage::submit_op(env, job)
}

/// Asks for the title of a new roadmap.
pub fn ask_new_roadmap(env: &mut Env) {
    env.open(Popup::Input(Input::new(
        "Новая дорожная карта: название",
        false,
        Purpose::NewRoadmap,
    )));
}

/// Asks for the text of a new measure of roadmap `id`.
pub fn ask_new_measure(env: &mut Env, id: i64) {
    env.open(Popup::Input(Input::new(
        format!("Дорожная карта №{id}: новое мероприятие"),
        false,
        Purpose::NewMeasure(id),
    )));
}

/// Offers the fields of roadmap `id` to change.
pub fn choose_roadmap_field(env: &mut Env, id: i64) {
    let items = ROADMAP_FIELDS
        .iter()
        .map(|(f, l)| Item {
            value: (*f).into(),
            label: (*l).into(),
        })
        .collect();
    env.open(Popup::Chooser(Chooser::new(
        format!("Дорожная карта №{id}: что изменить"),
        items,
        Purpose::RoadmapField(id),
    )));
}

/// Offers the statuses of roadmap `id`.
pub fn choose_roadmap_status(env: &mut Env, id: i64) {
    ask_roadmap_field(env, id, "status");
}

/// Offers the fields of measure `n` of roadmap `id` to change.
pub fn choose_measure_field(env: &mut Env, id: i64, n: i64) {
    let items = MEASURE_FIELDS
        .iter()
        .map(|(f, l)| Item {
            value: (*f).into(),
            label: (*l).into(),
        })
        .collect();
    env.open(Popup::Chooser(Chooser::new(
        format!("Мероприятие {n}: что изменить"),
        items,
        Purpose::MeasureField(id, n),
    )));
}

fn ru_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default()
}

/// Opens the editor of one field of a roadmap: a chooser for the block and the status, else a
/// text input with the current value.
fn ask_roadmap_field(env: &mut Env, id: i64, field: &str) {
    let Ok(r) = env.store.roadmap(id) else {
        env.say(format!("Нет дорожной карты №{id}"), true);
        return;
    };
    let purpose = Purpose::RoadmapEdit(id, field.to_string());
    let title = format!("№{id}: {}", label(&ROADMAP_FIELDS, field));
    match field {
        "block" => {
            let mut items = super::triage::block_items(env);
            items.push(Item {
                value: "none".into(),
                label: "без блока".into(),
            });
            env.open(Popup::Chooser(Chooser::new(title, items, purpose)));
        }
        "status" => {
            let items = RoadmapStatus::ALL
                .iter()
                .map(|s| Item {
                    value: s.id().into(),
                    label: s.label_ru().into(),
                })
                .collect();
            env.open(Popup::Chooser(Chooser::new(title, items, purpose)));
        }
        _ => {
            let current = current_text(&r, field);
            env.open(Popup::Input(
                Input::new(title, field == "problem", purpose).with_text(&current),
            ));
        }
    }
}

/// The current value of a roadmap's field as the input shows it.
fn current_text(r: &Roadmap, field: &str) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match field {
        "title" => r.title.clone(),
        "problem" => opt(&r.problem),
        "settlements" => r.settlements.join(", "),
        "responsible" => opt(&r.responsible),
        "start" => ru_date(r.start),
        "due" => ru_date(r.due),
        "target" => r
            .target
            .map(|t| t.max_per_month.to_string())
            .unwrap_or_default(),
        "rule" => opt(&r.rule_words),
        _ => String::new(),
    }
}

fn ask_measure_field(env: &mut Env, id: i64, n: i64, field: &str) {
    let Some(m) = env
        .store
        .measures(id)
        .ok()
        .and_then(|ms| ms.into_iter().find(|m| m.n == n))
    else {
        env.say(format!("Нет мероприятия {n}"), true);
        return;
    };
    let purpose = Purpose::MeasureEdit(id, n, field.to_string());
    let title = format!("Мероприятие {n}: {}", label(&MEASURE_FIELDS, field));
    if field == "status" {
        let items = MeasureStatus::ALL
            .iter()
            .map(|s| Item {
                value: s.id().into(),
                label: s.label_ru().into(),
            })
            .collect();
        env.open(Popup::Chooser(Chooser::new(title, items, purpose)));
        return;
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let current = match field {
        "note" => opt(&m.note),
        "text" => m.text.clone(),
        "responsible" => opt(&m.responsible),
        "due" => ru_date(m.due),
        _ => String::new(),
    };
    env.open(Popup::Input(
        Input::new(title, field == "note", purpose).with_text(&current),
    ));
}

/// A date the officer typed; empty clears it. `Err` says what is wrong.
fn date_value(v: &str) -> Result<Option<chrono::NaiveDate>, String> {
    if v.trim().is_empty() {
        return Ok(None);
    }
    parse_date(v)
        .map(Some)
        .ok_or_else(|| format!("«{}» — не дата (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)", v.trim()))
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty() && v != "none").then(|| v.to_string())
}

/// The change of a roadmap's field from what the officer entered.
fn roadmap_change(field: &str, v: &str) -> Result<RoadmapField, String> {
    Ok(match field {
        "title" => RoadmapField::Title(v.to_string()),
        "problem" => RoadmapField::Problem(opt(v)),
        "block" => RoadmapField::Block(opt(v)),
        "settlements" => RoadmapField::Settlements(
            v.split([',', ';'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        "responsible" => RoadmapField::Responsible(opt(v)),
        "start" => RoadmapField::Start(date_value(v)?),
        "due" => RoadmapField::Due(date_value(v)?),
        "status" => RoadmapField::Status(v.parse().map_err(|e| format!("{e}"))?),
        "target" => RoadmapField::Target(match v.trim() {
            "" => None,
            t => Some(
                t.parse()
                    .map_err(|_| format!("«{t}» — не число обращений в месяц"))?,
            ),
        }),
        "rule" => RoadmapField::Rule(opt(v)),
        other => return Err(format!("нет поля «{other}»")),
    })
}

fn measure_change(field: &str, v: &str) -> Result<MeasureField, String> {
    Ok(match field {
        "status" => MeasureField::Status(v.parse().map_err(|e| format!("{e}"))?),
        "note" => MeasureField::Note(opt(v)),
        "text" => MeasureField::Text(v.to_string()),
        "responsible" => MeasureField::Responsible(opt(v)),
        "due" => MeasureField::Due(date_value(v)?),
        other => return Err(format!("нет поля «{other}»")),
    })
}

/// Marks measure `n` done, or back to planned when it is done already.
pub fn toggle_measure(
    env: &mut Env,
    id: i64,
    n: i64,
    status: MeasureStatus,
) -> Result<(), StoreError> {
    let to = if status == MeasureStatus::Done {
        MeasureStatus::Planned
    } else {
        MeasureStatus::Done
    };
    write(
        env,
        format!("мероприятие {n}"),
        Effect::Refresh,
        move |store, actor, now| {
            store.set_measure(id, n, &[MeasureField::Status(to)], actor, now)?;
            Ok(format!("Мероприятие {n}: {}", to.label_ru()))
        },
    )
}

/// The message of appeals linked to roadmap `id`.
fn linked_text(id: i64, n: usize) -> String {
    let what = crate::domain::wording::count(n as u64, crate::domain::wording::APPEALS);
    if n == 0 {
        format!("Уже связаны с дорожной картой №{id}")
    } else {
        format!("Связано с дорожной картой №{id}: {what}")
    }
}

/// Links appeals to roadmap `id` and says so.
pub fn link_to(env: &mut Env, id: i64, appeals: &[i64]) -> Result<(), StoreError> {
    let appeals = appeals.to_vec();
    write(
        env,
        format!("связь с дорожной картой №{id}"),
        Effect::Saved,
        move |store, actor, now| {
            let n = store.link_appeals(id, &appeals, actor, now)?;
            Ok(linked_text(id, n))
        },
    )
}

/// Takes one appeal out of a roadmap: unlinks it, or declines the rule's proposal (the store
/// tells which); the rule does not propose it again.
pub fn unlink_from(env: &mut Env, id: i64, appeal: i64, done: &str) -> Result<(), StoreError> {
    let done = done.to_string();
    write(
        env,
        format!("№{appeal} из дорожной карты №{id}"),
        Effect::Saved,
        move |store, actor, now| {
            store.unlink_appeals(id, &[appeal], actor, now)?;
            Ok(format!("{done}: №{appeal}"))
        },
    )
}

/// The result of a roadmaps' pop-up; `false` when the purpose is not one of theirs.
pub fn on_result(purpose: &Purpose, value: &str, env: &mut Env) -> Result<bool, StoreError> {
    let v = value.trim();
    match purpose {
        Purpose::LinkRoadmap(ids) => link::chosen(env, ids, v)?,
        Purpose::NewRoadmapFrom(ids) => link::create_from(env, ids, v)?,
        Purpose::NewRoadmap => {
            if v.is_empty() {
                env.say("Без названия дорожная карта не создана", true);
            } else {
                let new = NewRoadmap {
                    title: v.to_string(),
                    ..Default::default()
                };
                write(
                    env,
                    "новая дорожная карта".into(),
                    Effect::Refresh,
                    move |store, actor, now| {
                        let id = store.add_roadmap(&new, actor, now)?;
                        Ok(format!("Дорожная карта №{id} создана"))
                    },
                )?;
            }
        }
        Purpose::NewMeasure(id) => {
            if v.is_empty() {
                env.say("Пустое мероприятие не добавлено", true);
            } else {
                let new = NewMeasure {
                    text: v.to_string(),
                    ..Default::default()
                };
                let id = *id;
                write(
                    env,
                    format!("мероприятие дорожной карты №{id}"),
                    Effect::Refresh,
                    move |store, actor, now| {
                        let n = store.add_measure(id, &new, actor, now)?;
                        Ok(format!("Мероприятие {n} добавлено (e — срок, исполнитель)"))
                    },
                )?;
            }
        }
        Purpose::RoadmapField(id) => ask_roadmap_field(env, *id, v),
        Purpose::MeasureField(id, n) => ask_measure_field(env, *id, *n, v),
        Purpose::RoadmapEdit(id, field) => match roadmap_change(field, value) {
            Err(why) => env.say(format!("Не сохранено: {why}"), true),
            Ok(change) => {
                let (id, name) = (*id, label(&ROADMAP_FIELDS, field));
                write(
                    env,
                    format!("дорожная карта №{id}: {}", name.to_lowercase()),
                    Effect::Refresh,
                    move |store, actor, now| {
                        let n =
                            store.edit_roadmap(id, std::slice::from_ref(&change), actor, now)?;
                        Ok(if n == 0 {
                            "Без изменений".to_string()
                        } else {
                            format!("Сохранено: {name}")
                        })
                    },
                )?;
            }
        },
        Purpose::MeasureEdit(id, n, field) => match measure_change(field, value) {
            Err(why) => env.say(format!("Не сохранено: {why}"), true),
            Ok(change) => {
                let (id, n) = (*id, *n);
                write(
                    env,
                    format!("мероприятие {n}"),
                    Effect::Refresh,
                    move |store, actor, now| {
                        let c =
                            store.set_measure(id, n, std::slice::from_ref(&change), actor, now)?;
                        Ok(if c == 0 {
                            "Без изменений".to_string()
                        } else {
                            format!("Мероприятие {n}: сохранено")
                        })
                    },
                )?;
            }
        },
        _ => return Ok(false),
    }
    Ok(true)
}

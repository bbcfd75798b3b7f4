//! Roadmaps in the store: the roadmaps, their measures and the appeals linked to them. Every
//! change goes through [`Store::write_register`]: register `roadmap` (its fields, and `linked`
//! for an appeal linked or unlinked) and register `measure` (each measure by its own id).

use crate::store::db::{DbResult, OptionalExtension, Row, Value, params, params_from_iter};
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Actor, Store, StoreError, ts};
use crate::domain::access::Action;
use crate::domain::roadmap::{
    Effect, Measure, MeasureStatus, Roadmap, RoadmapStatus, Rule, Target,
};
use crate::domain::text::fold;

/// The migration of the roadmaps' tables. `IF NOT EXISTS`: a database taken back to an earlier
/// version by hand (the upgrade tests do) still has them, and migrating it again must not fail.
pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS roadmaps (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL,
    problem      TEXT,
    block        TEXT,
    settlements  TEXT NOT NULL DEFAULT '[]',   -- JSON array of settlement names
    responsible  TEXT,
    start_date   TEXT,                         -- local YYYY-MM-DD
    due_date     TEXT,
    status       TEXT NOT NULL,
    target_max   INTEGER,                      -- at most this many matching appeals a month
    rule_words   TEXT,                         -- the rule's search words; NULL: no rule
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS roadmap_measures (
    id           INTEGER PRIMARY KEY,
    roadmap_id   INTEGER NOT NULL REFERENCES roadmaps(id),
    n            INTEGER NOT NULL,             -- its number within the roadmap, from 1
    text         TEXT NOT NULL,
    responsible  TEXT,
    due_date     TEXT,
    status       TEXT NOT NULL,
    note         TEXT,
    UNIQUE (roadmap_id, n)
);

CREATE TABLE IF NOT EXISTS roadmap_links (
    roadmap_id   INTEGER NOT NULL REFERENCES roadmaps(id),
    appeal_id    INTEGER NOT NULL REFERENCES appeals(id),
    origin       TEXT NOT NULL,                -- 'rule': proposed by the rule; 'hand': by hand
    linked_by    TEXT NOT NULL,
    linked_at    INTEGER NOT NULL,
    dismissed    INTEGER NOT NULL DEFAULT 0,   -- unlinked: kept so the rule does not propose it again
    PRIMARY KEY (roadmap_id, appeal_id)
);
CREATE INDEX IF NOT EXISTS roadmap_links_appeal ON roadmap_links (appeal_id);
"#;

/// The register names of the audit trail.
pub const ROADMAP: &str = "roadmap";
pub const MEASURE: &str = "measure";

/// A roadmap to enter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewRoadmap {
    pub title: String,
    pub problem: Option<String>,
    pub block: Option<String>,
    pub settlements: Vec<String>,
    pub responsible: Option<String>,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub status: Option<RoadmapStatus>,
    pub target: Option<u32>,
    pub rule_words: Option<String>,
}

/// A change of one field of a roadmap.
#[derive(Debug, Clone, PartialEq)]
pub enum RoadmapField {
    Title(String),
    Problem(Option<String>),
    Block(Option<String>),
    Settlements(Vec<String>),
    Responsible(Option<String>),
    Start(Option<NaiveDate>),
    Due(Option<NaiveDate>),
    Status(RoadmapStatus),
    Target(Option<u32>),
    Rule(Option<String>),
}

/// A measure to add.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewMeasure {
    pub text: String,
    pub responsible: Option<String>,
    pub due: Option<NaiveDate>,
}

/// A change of one field of a measure.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureField {
    Text(String),
    Responsible(Option<String>),
    Due(Option<NaiveDate>),
    Status(MeasureStatus),
    Note(Option<String>),
}

/// How an appeal came to be linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOrigin {
    /// Proposed by the roadmap's rule and accepted.
    Rule,
    /// Linked by hand.
    Hand,
}

impl LinkOrigin {
    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            LinkOrigin::Rule => "rule",
            LinkOrigin::Hand => "hand",
        }
    }
}

/// An appeal linked to a roadmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub appeal_id: i64,
    pub origin: LinkOrigin,
    pub by: String,
    pub at: DateTime<Utc>,
}

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn text_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn settlements_json(s: &[String]) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "[]".into())
}

/// The settlements as the audit trail shows them.
fn settlements_text(s: &[String]) -> Option<String> {
    (!s.is_empty()).then(|| s.join(", "))
}

/// A trimmed text; empty is none.
fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn clean_list(list: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in list.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| fold(o) == fold(s)) {
            out.push(s.to_string());
        }
    }
    out
}

const ROADMAP_COLUMNS: &str = "id, title, problem, block, settlements, responsible, start_date, \
     due_date, status, target_max, rule_words, created_at";

fn roadmap_from_row(r: &Row<'_>) -> DbResult<Roadmap> {
    let settlements: String = r.get(4)?;
    let status: String = r.get(8)?;
    let target: Option<i64> = r.get(9)?;
    Ok(Roadmap {
        id: r.get(0)?,
        title: r.get(1)?,
        problem: r.get(2)?,
        block: r.get(3)?,
        settlements: serde_json::from_str(&settlements).unwrap_or_default(),
        responsible: r.get(5)?,
        start: text_date(r.get(6)?),
        due: text_date(r.get(7)?),
        status: status.parse().unwrap_or(RoadmapStatus::Draft),
        target: target.map(|t| Target {
            max_per_month: u32::try_from(t).unwrap_or(0),
        }),
        rule_words: r.get(10)?,
        created_at: ts(r.get(11)?),
    })
}

fn measure_from_row(r: &Row<'_>) -> DbResult<Measure> {
    let status: String = r.get(6)?;
    Ok(Measure {
        id: r.get(0)?,
        roadmap_id: r.get(1)?,
        n: r.get(2)?,
        text: r.get(3)?,
        responsible: r.get(4)?,
        due: text_date(r.get(5)?),
        status: status.parse().unwrap_or(MeasureStatus::Planned),
        note: r.get(7)?,
    })
}

impl Store {
    fn check_block(&self, block: Option<&str>) -> Result<Option<String>, StoreError> {
        let Some(b) = block.map(str::trim).filter(|b| !b.is_empty()) else {
            return Ok(None);
        };
        let blocks = &self.reference().blocks;
        blocks
            .resolve(b)
            .map(|x| Some(x.id.clone()))
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "block: unknown block «{b}» (known: {})",
                    blocks.ids()
                ))
            })
    }

    /// Enters a roadmap (status `draft` unless given); its id.
    pub fn add_roadmap(
        &mut self,
        new: &NewRoadmap,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let title = new.title.trim().to_string();
        if title.is_empty() {
            return Err(StoreError::Invalid("title: a roadmap needs a title".into()));
        }
        let block = self.check_block(new.block.as_deref())?;
        let settlements = clean_list(&new.settlements);
        let problem = clean(new.problem.as_deref());
        let responsible = clean(new.responsible.as_deref());
        let rule = clean(new.rule_words.as_deref());
        let status = new.status.unwrap_or(RoadmapStatus::Draft);
        self.write_register(Action::KeepRegisters, actor, now, |w| {
            let id = w.tx.insert(
                "INSERT INTO roadmaps (title, problem, block, settlements, responsible, start_date, \
                 due_date, status, target_max, rule_words, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
                params![
                    title,
                    problem,
                    block,
                    settlements_json(&settlements),
                    responsible,
                    date_text(new.start),
                    date_text(new.due),
                    status.id(),
                    new.target,
                    rule,
                    now.timestamp()
                ],
            )?;
            w.record_created(
                ROADMAP,
                id,
                &[
                    ("title", Some(title.clone())),
                    ("problem", problem.clone()),
                    ("block", block.clone()),
                    ("settlements", settlements_text(&settlements)),
                    ("responsible", responsible.clone()),
                    ("start", date_text(new.start)),
                    ("due", date_text(new.due)),
                    ("status", Some(status.id().into())),
                    ("target", new.target.map(|t| t.to_string())),
                    ("rule", rule.clone()),
                ],
            )?;
            Ok(id)
        })
    }

    /// Every roadmap, in the order entered.
    pub fn roadmaps(&self) -> Result<Vec<Roadmap>, StoreError> {
        let sql = format!("SELECT {ROADMAP_COLUMNS} FROM roadmaps ORDER BY id");
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map([], roadmap_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One roadmap; not found names it.
    pub fn roadmap(&self, id: i64) -> Result<Roadmap, StoreError> {
        let sql = format!("SELECT {ROADMAP_COLUMNS} FROM roadmaps WHERE id = ?1");
        self.conn()
            .prepare_cached(&sql)?
            .query_row([id], roadmap_from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("no roadmap {id} (see mcu roadmap list)")))
    }

    /// Changes fields of a roadmap, one audit entry per changed field; how many changed.
    pub fn edit_roadmap(
        &mut self,
        id: i64,
        changes: &[RoadmapField],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let old = self.roadmap(id)?;
        let mut new = old.clone();
        for c in changes {
            match c {
                RoadmapField::Title(t) => {
                    let t = t.trim();
                    if t.is_empty() {
                        return Err(StoreError::Invalid("title: a roadmap needs a title".into()));
                    }
                    new.title = t.to_string();
                }
                RoadmapField::Problem(p) => new.problem = clean(p.as_deref()),
                RoadmapField::Block(b) => new.block = self.check_block(b.as_deref())?,
                RoadmapField::Settlements(s) => new.settlements = clean_list(s),
                RoadmapField::Responsible(r) => new.responsible = clean(r.as_deref()),
                RoadmapField::Start(d) => new.start = *d,
                RoadmapField::Due(d) => new.due = *d,
                RoadmapField::Status(s) => new.status = *s,
                RoadmapField::Target(t) => new.target = t.map(|n| Target { max_per_month: n }),
                RoadmapField::Rule(r) => new.rule_words = clean(r.as_deref()),
            }
        }
        let target = |r: &Roadmap| r.target.map(|t| t.max_per_month.to_string());
        let diffs: Vec<(&str, Option<String>, Option<String>)> = vec![
            ("title", Some(old.title.clone()), Some(new.title.clone())),
            ("problem", old.problem.clone(), new.problem.clone()),
            ("block", old.block.clone(), new.block.clone()),
            (
                "settlements",
                settlements_text(&old.settlements),
                settlements_text(&new.settlements),
            ),
            (
                "responsible",
                old.responsible.clone(),
                new.responsible.clone(),
            ),
            ("start", date_text(old.start), date_text(new.start)),
            ("due", date_text(old.due), date_text(new.due)),
            (
                "status",
                Some(old.status.id().into()),
                Some(new.status.id().into()),
            ),
            ("target", target(&old), target(&new)),
            ("rule", old.rule_words.clone(), new.rule_words.clone()),
        ];
        let changed = diffs.iter().filter(|(_, o, n)| o != n).count();
        if changed == 0 {
            return Ok(0);
        }
        self.write_register(Action::KeepRegisters, actor, now, |w| {
            w.tx.execute(
                "UPDATE roadmaps SET title = ?2, problem = ?3, block = ?4, settlements = ?5, \
                 responsible = ?6, start_date = ?7, due_date = ?8, status = ?9, target_max = ?10, \
                 rule_words = ?11, updated_at = ?12 WHERE id = ?1",
                params![
                    id,
                    new.title,
                    new.problem,
                    new.block,
                    settlements_json(&new.settlements),
                    new.responsible,
                    date_text(new.start),
                    date_text(new.due),
                    new.status.id(),
                    new.target.map(|t| t.max_per_month),
                    new.rule_words,
                    now.timestamp()
                ],
            )?;
            w.record(ROADMAP, id, &diffs)?;
            Ok(changed)
        })
    }

    /// Adds a measure to a roadmap; its number within the roadmap.
    pub fn add_measure(
        &mut self,
        roadmap_id: i64,
        new: &NewMeasure,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.roadmap(roadmap_id)?;
        let text = new.text.trim().to_string();
        if text.is_empty() {
            return Err(StoreError::Invalid("text: a measure needs its text".into()));
        }
        let responsible = clean(new.responsible.as_deref());
        self.write_register(Action::KeepRegisters, actor, now, |w| {
            let n: i64 = w.tx.query_row(
                "SELECT COALESCE(MAX(n), 0) + 1 FROM roadmap_measures WHERE roadmap_id = ?1",
                [roadmap_id],
                |r| r.get(0),
            )?;
            let id = w.tx.insert(
                "INSERT INTO roadmap_measures (roadmap_id, n, text, responsible, due_date, status) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    roadmap_id,
                    n,
                    text,
                    responsible,
                    date_text(new.due),
                    MeasureStatus::Planned.id()
                ],
            )?;
            w.record_created(
                MEASURE,
                id,
                &[
                    ("roadmap", Some(roadmap_id.to_string())),
                    ("n", Some(n.to_string())),
                    ("text", Some(text.clone())),
                    ("responsible", responsible.clone()),
                    ("due", date_text(new.due)),
                    ("status", Some(MeasureStatus::Planned.id().into())),
                ],
            )?;
            Ok(n)
        })
    }

    /// The measures of a roadmap, by number.
    pub fn measures(&self, roadmap_id: i64) -> Result<Vec<Measure>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT id, roadmap_id, n, text, responsible, due_date, status, note \
             FROM roadmap_measures WHERE roadmap_id = ?1 ORDER BY n",
        )?;
        let rows = st.query_map([roadmap_id], measure_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes fields of measure `n` of a roadmap; how many changed.
    pub fn set_measure(
        &mut self,
        roadmap_id: i64,
        n: i64,
        changes: &[MeasureField],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.roadmap(roadmap_id)?;
        let old = self
            .measures(roadmap_id)?
            .into_iter()
            .find(|m| m.n == n)
            .ok_or_else(|| {
                StoreError::NotFound(format!("roadmap {roadmap_id} has no measure {n}"))
            })?;
        let mut new = old.clone();
        for c in changes {
            match c {
                MeasureField::Text(t) => {
                    let t = t.trim();
                    if t.is_empty() {
                        return Err(StoreError::Invalid("text: a measure needs its text".into()));
                    }
                    new.text = t.to_string();
                }
                MeasureField::Responsible(r) => new.responsible = clean(r.as_deref()),
                MeasureField::Due(d) => new.due = *d,
                MeasureField::Status(s) => new.status = *s,
                MeasureField::Note(x) => new.note = clean(x.as_deref()),
            }
        }
        let diffs: Vec<(&str, Option<String>, Option<String>)> = vec![
            ("text", Some(old.text.clone()), Some(new.text.clone())),
            (
                "responsible",
                old.responsible.clone(),
                new.responsible.clone(),
            ),
            ("due", date_text(old.due), date_text(new.due)),
            (
                "status",
                Some(old.status.id().into()),
                Some(new.status.id().into()),
            ),
            ("note", old.note.clone(), new.note.clone()),
        ];
        let changed = diffs.iter().filter(|(_, o, n)| o != n).count();
        if changed == 0 {
            return Ok(0);
        }
        self.write_register(Action::KeepRegisters, actor, now, |w| {
            w.tx.execute(
                "UPDATE roadmap_measures SET text = ?2, responsible = ?3, due_date = ?4, \
                 status = ?5, note = ?6 WHERE id = ?1",
                params![
                    old.id,
                    new.text,
                    new.responsible,
                    date_text(new.due),
                    new.status.id(),
                    new.note
                ],
            )?;
            w.record(MEASURE, old.id, &diffs)?;
            Ok(changed)
        })
    }

    /// The appeals linked to a roadmap, in the order linked.
    pub fn roadmap_links(&self, roadmap_id: i64) -> Result<Vec<Link>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT appeal_id, origin, linked_by, linked_at FROM roadmap_links \
             WHERE roadmap_id = ?1 AND dismissed = 0 ORDER BY linked_at, appeal_id",
        )?;
        let rows = st.query_map([roadmap_id], |r| {
            let origin: String = r.get(1)?;
            Ok(Link {
                appeal_id: r.get(0)?,
                origin: if origin == "rule" {
                    LinkOrigin::Rule
                } else {
                    LinkOrigin::Hand
                },
                by: r.get(2)?,
                at: ts(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The roadmaps an appeal is linked to.
    pub fn roadmaps_of(&self, appeal_id: i64) -> Result<Vec<i64>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT roadmap_id FROM roadmap_links WHERE appeal_id = ?1 AND dismissed = 0 \
             ORDER BY roadmap_id",
        )?;
        let rows = st.query_map([appeal_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Links appeals to a roadmap (each one audited as a change of the roadmap's `linked`); an
    /// appeal the rule proposed is linked as the rule's. How many were newly linked.
    pub fn link_appeals(
        &mut self,
        roadmap_id: i64,
        appeals: &[i64],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let roadmap = self.roadmap(roadmap_id)?;
        for id in appeals {
            if self.get(*id)?.is_none() {
                return Err(StoreError::NotFound(format!("no appeal «{id}»")));
            }
        }
        let proposed = self.roadmap_proposals(&roadmap)?;
        let linked: Vec<i64> = self
            .roadmap_links(roadmap_id)?
            .iter()
            .map(|l| l.appeal_id)
            .collect();
        let mut todo: Vec<i64> = Vec::new();
        for id in appeals {
            if !linked.contains(id) && !todo.contains(id) {
                todo.push(*id);
            }
        }
        if todo.is_empty() {
            return Ok(0);
        }
        self.write_register(Action::KeepRegisters, actor, now, |w| {
            for id in &todo {
                let origin = if proposed.contains(id) {
                    LinkOrigin::Rule
                } else {
                    LinkOrigin::Hand
                };
                w.tx.execute(
                    "INSERT INTO roadmap_links (roadmap_id, appeal_id, origin, linked_by, linked_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (roadmap_id, appeal_id) DO UPDATE SET origin = excluded.origin, \
                     linked_by = excluded.linked_by, linked_at = excluded.linked_at, dismissed = 0",
                    params![roadmap_id, id, origin.id(), actor.operator, now.timestamp()],
                )?;
                w.record(ROADMAP, roadmap_id, &[("linked", None, Some(id.to_string()))])?;
            }
            Ok(todo.len())
        })
    }

    /// Unlinks appeals from a roadmap (audited as `linked` → nothing), or declines the ones its
    /// rule proposes (audited as `declined`); either way the rule does not propose them again.
    /// How many were unlinked or declined; an appeal neither linked nor proposed is an error.
    pub fn unlink_appeals(
        &mut self,
        roadmap_id: i64,
        appeals: &[i64],
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let roadmap = self.roadmap(roadmap_id)?;
        let linked: Vec<i64> = self
            .roadmap_links(roadmap_id)?
            .iter()
            .map(|l| l.appeal_id)
            .collect();
        let proposed = self.roadmap_proposals(&roadmap)?;
        for id in appeals {
            if !linked.contains(id) && !proposed.contains(id) {
                return Err(StoreError::NotFound(format!(
                    "appeal {id} is neither linked to roadmap {roadmap_id} nor proposed for it"
                )));
            }
        }
        self.write_register(Action::KeepRegisters, actor, now, |w| {
            for id in appeals {
                w.tx.execute(
                    "INSERT INTO roadmap_links \
                     (roadmap_id, appeal_id, origin, linked_by, linked_at, dismissed) \
                     VALUES (?1, ?2, ?3, ?4, ?5, 1) \
                     ON CONFLICT (roadmap_id, appeal_id) DO UPDATE SET dismissed = 1, \
                     linked_by = excluded.linked_by, linked_at = excluded.linked_at",
                    params![
                        roadmap_id,
                        id,
                        LinkOrigin::Rule.id(),
                        actor.operator,
                        now.timestamp()
                    ],
                )?;
                let change = if linked.contains(id) {
                    ("linked", Some(id.to_string()), None)
                } else {
                    ("declined", None, Some(id.to_string()))
                };
                w.record(ROADMAP, roadmap_id, &[change])?;
            }
            Ok(appeals.len())
        })
    }

    /// The appeals the rule matches (any time), with when they were received: of the rule's
    /// block, from its settlements, with any of its words; never one unlinked from it.
    pub fn rule_matches(
        &self,
        roadmap_id: i64,
        rule: &Rule,
    ) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        let engine = self.conn().engine();
        let mut sql = format!(
            "SELECT a.id, a.received_at FROM appeals a WHERE {}",
            super::search::condition(engine)
        );
        let mut args: Vec<Value> = vec![super::search::query(
            engine,
            &rule.words,
            super::search::Words::Any,
        )];
        if let Some(b) = &rule.block {
            sql.push_str(" AND a.block = ?");
            args.push(Value::Text(b.clone()));
        }
        if !rule.settlements.is_empty() {
            sql.push_str(
                " AND a.settlement_id IN (SELECT id FROM settlements WHERE name_fold IN (",
            );
            sql.push_str(&vec!["?"; rule.settlements.len()].join(", "));
            sql.push_str("))");
            args.extend(rule.settlements.iter().map(|s| Value::Text(fold(s))));
        }
        sql.push_str(
            " AND a.id NOT IN (SELECT appeal_id FROM roadmap_links \
             WHERE roadmap_id = ? AND dismissed = 1) ORDER BY a.received_at, a.id",
        );
        args.push(Value::Integer(roadmap_id));
        let mut st = self.conn().prepare(&sql)?;
        let rows = st.query_map(params_from_iter(args), |r| Ok((r.get(0)?, ts(r.get(1)?))))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The appeals the rule proposes for linking: matching it, received since the roadmap's
    /// start (else since it was entered), not linked nor unlinked from it; oldest first.
    pub fn roadmap_proposals(&self, roadmap: &Roadmap) -> Result<Vec<i64>, StoreError> {
        let Some(rule) = roadmap.rule() else {
            return Ok(Vec::new());
        };
        let tz = self.reference().calendar.timezone();
        let since = crate::ingest::values::local_to_utc(
            roadmap
                .effect_start(tz)
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
            tz,
        );
        let known: Vec<i64> = {
            let mut st = self
                .conn()
                .prepare_cached("SELECT appeal_id FROM roadmap_links WHERE roadmap_id = ?1")?;
            let rows = st.query_map([roadmap.id], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        Ok(self
            .rule_matches(roadmap.id, &rule)?
            .into_iter()
            .filter(|(id, at)| *at >= since && !known.contains(id))
            .map(|(id, _)| id)
            .collect())
    }

    /// The effect of a roadmap at `now`: the appeals linked to it and those its rule matches,
    /// counted per month (local) before and after its start, against its target.
    pub fn roadmap_effect(
        &self,
        roadmap: &Roadmap,
        now: DateTime<Utc>,
    ) -> Result<Effect, StoreError> {
        let tz = self.reference().calendar.timezone();
        let mut received: BTreeMap<i64, DateTime<Utc>> = BTreeMap::new();
        {
            let mut st = self.conn().prepare_cached(
                "SELECT a.id, a.received_at FROM roadmap_links l JOIN appeals a ON a.id = l.appeal_id \
                 WHERE l.roadmap_id = ?1 AND l.dismissed = 0",
            )?;
            let rows = st.query_map([roadmap.id], |r| Ok((r.get::<_, i64>(0)?, ts(r.get(1)?))))?;
            for row in rows {
                let (id, at) = row?;
                received.insert(id, at);
            }
        }
        if let Some(rule) = roadmap.rule() {
            received.extend(self.rule_matches(roadmap.id, &rule)?);
        }
        let dates: Vec<NaiveDate> = received
            .values()
            .map(|t| t.with_timezone(&tz).date_naive())
            .collect();
        Ok(Effect::compute(
            roadmap.effect_start(tz),
            &dates,
            now.with_timezone(&tz).date_naive(),
            roadmap.target,
        ))
    }
}

#[cfg(test)]
mod tests;

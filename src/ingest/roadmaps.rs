//! `mcu roadmap import`: the roadmaps table as the МЦУ keeps it in Excel — one row per measure,
//! the roadmap's own fields repeated on each of its rows — from CSV (any encoding and delimiter
//! the appeal import reads) or XLSX/XLS/ODS, through the same readers. Headers are matched
//! through the import profiles' `[roadmap_headers]` (canonical names always work).
//!
//! A roadmap is found again by its title, a measure by its text within the roadmap (both ignoring
//! case, ё/е and extra spaces), so a re-import updates instead of duplicating; a value the file
//! gives replaces the stored one, an empty cell keeps it. Every change goes through the store's
//! audited writes ([`Store::add_roadmap`], [`Store::edit_roadmap`], [`Store::add_measure`],
//! [`Store::set_measure`]: `Store::write_register` underneath). A bad row is reported with its
//! line, column and reason; the other rows are imported.

use std::collections::HashMap;
use std::mem::discriminant;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::votes::BadRow;
use super::{FileError, ImportProfiles, ReadItem, format, readers, values};
use crate::domain::Blocks;
use crate::domain::csv_cell;
use crate::domain::pages::parse_date;
use crate::domain::roadmap::{MeasureStatus, RoadmapStatus};
use crate::domain::text::fold;
use crate::store::roadmaps::{MeasureField, NewMeasure, NewRoadmap, RoadmapField};
use crate::store::{Actor, Store, StoreError};

/// The canonical columns of a roadmaps file, in the order `mcu roadmap export` writes them. The
/// Russian headers that mean them are in `[roadmap_headers]` of the import profiles.
pub const FIELDS: [&str; 16] = [
    "title",
    "problem",
    "block",
    "settlements",
    "responsible",
    "start",
    "due",
    "status",
    "target",
    "rule",
    "n",
    "measure",
    "measure_responsible",
    "measure_due",
    "measure_status",
    "measure_note",
];

/// The header `mcu roadmap export` writes for a column (the first of its shipped aliases).
pub fn russian_header(field: &str) -> &'static str {
    match field {
        "title" => "Дорожная карта",
        "problem" => "Проблема",
        "block" => "Блок",
        "settlements" => "Населённые пункты",
        "responsible" => "Ответственный за дорожную карту",
        "start" => "Дата начала",
        "due" => "Срок дорожной карты",
        "status" => "Статус дорожной карты",
        "target" => "Цель: обращений в месяц, не более",
        "rule" => "Слова поиска",
        "n" => "№",
        "measure" => "Мероприятие",
        "measure_responsible" => "Ответственный исполнитель",
        "measure_due" => "Срок исполнения",
        "measure_status" => "Статус мероприятия",
        "measure_note" => "Отметка об исполнении",
        _ => "",
    }
}

/// A measure a row gives.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    pub text: String,
    pub changes: Vec<MeasureField>,
}

/// One row read and checked: the roadmap's title, the fields it gives (with the column each came
/// from) and its measure, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapRow {
    pub line: u64,
    pub title: String,
    pub fields: Vec<(RoadmapField, String)>,
    pub measure: Option<MeasureRow>,
}

/// A roadmaps file read: its good rows, its bad rows, the columns it ignored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoadmapFile {
    pub rows: Vec<RoadmapRow>,
    pub bad: Vec<BadRow>,
    pub warnings: Vec<String>,
    /// Rows read (the header not counted).
    pub read: u64,
}

/// Counts of what an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The report on a roadmaps file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoadmapImportReport {
    pub file: String,
    pub rows: u64,
    pub roadmaps: Counts,
    pub measures: Counts,
    /// Bad rows, each with its line, column and reason (not imported).
    pub errors: Vec<BadRow>,
    pub warnings: Vec<String>,
}

/// Why a roadmaps file was not imported at all.
#[derive(Debug, thiserror::Error)]
pub enum RoadmapImportError {
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file's headers and the column each stands for.
type Columns = (std::sync::Arc<Vec<String>>, Vec<Option<&'static str>>);

/// Reads and checks a roadmaps file. Fails only when it cannot be read or has no title column.
pub fn read(
    path: &Path,
    profiles: &ImportProfiles,
    blocks: &Blocks,
) -> Result<RoadmapFile, FileError> {
    let fmt = format::detect(path)?;
    let mut out = RoadmapFile::default();
    let mut fields: Option<Columns> = None;
    for item in readers::open(path, fmt)? {
        let raw = match item? {
            ReadItem::Row(r) => r,
            ReadItem::Bad(e) => {
                out.read += 1;
                out.bad.push(BadRow {
                    line: e.line,
                    column: e.field,
                    reason: e.reason,
                });
                continue;
            }
        };
        out.read += 1;
        if fields.as_ref().is_none_or(|(h, _)| *h != raw.headers) {
            let f: Vec<Option<&'static str>> = raw
                .headers
                .iter()
                .map(|h| profiles.roadmap_field(h))
                .collect();
            if fields.is_none() {
                if !f.contains(&Some("title")) {
                    return Err(FileError::new(format!(
                        "no roadmap title column (title, «Дорожная карта»); the columns are: {}",
                        raw.headers.join(", ")
                    )));
                }
                out.warnings
                    .extend(super::ignored_columns(&raw.headers, &f));
            }
            fields = Some((raw.headers.clone(), f));
        }
        let Some((headers, f)) = &fields else {
            continue;
        };
        if raw.values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        // The first non-empty cell of each field, with its column as the file names it.
        let mut cells: HashMap<&'static str, (String, String)> = HashMap::new();
        for ((h, f), v) in headers.iter().zip(f).zip(&raw.values) {
            if let Some(f) = f
                && let Some(v) = values::clean_text(csv_cell::untext(v.trim()))
            {
                cells.entry(*f).or_insert((h.clone(), v));
            }
        }
        match row(raw.line, &cells, blocks) {
            Ok(r) => out.rows.push(r),
            Err(e) => out.bad.push(e),
        }
    }
    Ok(out)
}

/// Checks one row's cells.
fn row(
    line: u64,
    cells: &HashMap<&'static str, (String, String)>,
    blocks: &Blocks,
) -> Result<RoadmapRow, BadRow> {
    let column = |f: &str| {
        cells
            .get(f)
            .map_or_else(|| russian_header(f).to_string(), |(h, _)| h.clone())
    };
    let bad = |f: &str, reason: String| BadRow {
        line,
        column: column(f),
        reason,
    };
    let get = |f: &str| cells.get(f).map(|(_, v)| v.as_str());
    let Some(title) = get("title") else {
        return Err(bad("title", "no roadmap title".into()));
    };
    let date = |f: &str| get(f).map(parse_date).transpose().map_err(|e| bad(f, e));
    let mut fields = Vec::new();
    let mut give = |f: &str, v: RoadmapField| fields.push((v, column(f)));
    if let Some(v) = get("problem") {
        give("problem", RoadmapField::Problem(Some(v.into())));
    }
    if let Some(v) = get("block") {
        let b = blocks.resolve(v).ok_or_else(|| {
            bad(
                "block",
                format!("unknown block «{v}» (known: {})", blocks.ids()),
            )
        })?;
        give("block", RoadmapField::Block(Some(b.id.clone())));
    }
    if let Some(v) = get("settlements") {
        let list = v
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        give("settlements", RoadmapField::Settlements(list));
    }
    if let Some(v) = get("responsible") {
        give("responsible", RoadmapField::Responsible(Some(v.into())));
    }
    if let Some(d) = date("start")? {
        give("start", RoadmapField::Start(Some(d)));
    }
    if let Some(d) = date("due")? {
        give("due", RoadmapField::Due(Some(d)));
    }
    if let Some(v) = get("status") {
        let s: RoadmapStatus = v.parse().map_err(|e| bad("status", format!("{e}")))?;
        give("status", RoadmapField::Status(s));
    }
    if let Some(v) = get("target") {
        let n = v
            .replace(char::is_whitespace, "")
            .parse::<u32>()
            .map_err(|_| {
                bad(
                    "target",
                    format!("«{v}» is not a number of appeals a month (0 or more)"),
                )
            })?;
        give("target", RoadmapField::Target(Some(n)));
    }
    if let Some(v) = get("rule") {
        give("rule", RoadmapField::Rule(Some(v.into())));
    }
    let mut changes = Vec::new();
    if let Some(v) = get("measure_responsible") {
        changes.push(MeasureField::Responsible(Some(v.into())));
    }
    if let Some(d) = date("measure_due")? {
        changes.push(MeasureField::Due(Some(d)));
    }
    if let Some(v) = get("measure_status") {
        let s: MeasureStatus = v
            .parse()
            .map_err(|e| bad("measure_status", format!("{e}")))?;
        changes.push(MeasureField::Status(s));
    }
    if let Some(v) = get("measure_note") {
        changes.push(MeasureField::Note(Some(v.into())));
    }
    let measure = match get("measure") {
        Some(text) => Some(MeasureRow {
            text: text.into(),
            changes,
        }),
        None if !changes.is_empty() => {
            return Err(bad(
                "measure",
                "a measure's due date, status, responsible or note without its text".into(),
            ));
        }
        None => None,
    };
    Ok(RoadmapRow {
        line,
        title: title.into(),
        fields,
        measure,
    })
}

/// The rows of one roadmap (by folded title), in file order.
struct Group<'a> {
    title: &'a str,
    rows: Vec<&'a RoadmapRow>,
}

/// Reads a roadmaps file and writes what it gives: roadmaps by title, measures by text. Store
/// refusals of a single roadmap (e.g. an invalid value) are reported as bad rows; a denied write
/// or a database failure stops the import.
pub fn import_roadmaps(
    store: &mut Store,
    path: &Path,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<RoadmapImportReport, RoadmapImportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let reference = store.reference().clone();
    let file = read(path, &reference.profiles, &reference.blocks).map_err(|e| {
        RoadmapImportError::File {
            file: name.clone(),
            reason: e.reason,
        }
    })?;
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut by_title: HashMap<String, usize> = HashMap::new();
    for r in &file.rows {
        let i = *by_title.entry(fold(&r.title)).or_insert_with(|| {
            groups.push(Group {
                title: &r.title,
                rows: Vec::new(),
            });
            groups.len() - 1
        });
        if let Some(g) = groups.get_mut(i) {
            g.rows.push(r);
        }
    }
    let mut report = RoadmapImportReport {
        file: name,
        rows: file.read,
        roadmaps: Counts::default(),
        measures: Counts::default(),
        errors: file.bad,
        warnings: file.warnings,
    };
    for g in &groups {
        match import_group(store, g, actor, now, &mut report) {
            Ok(()) => {}
            Err(StoreError::Invalid(reason) | StoreError::NotFound(reason)) => {
                report.errors.push(BadRow {
                    line: g.rows.first().map_or(0, |r| r.line),
                    column: String::new(),
                    reason,
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    report.errors.sort_by_key(|e| e.line);
    tracing::info!(
        rows = report.rows,
        roadmaps_new = report.roadmaps.inserted,
        roadmaps_updated = report.roadmaps.updated,
        measures_new = report.measures.inserted,
        measures_updated = report.measures.updated,
        bad_rows = report.errors.len(),
        "roadmaps imported"
    );
    Ok(report)
}

/// The roadmap's fields over its rows: each from the first row that gives it; a later row giving
/// another value is reported (its measure is still imported).
fn roadmap_fields(g: &Group<'_>, errors: &mut Vec<BadRow>) -> Vec<RoadmapField> {
    let mut first: Vec<(RoadmapField, u64)> = Vec::new();
    for r in &g.rows {
        for (f, column) in &r.fields {
            match first
                .iter()
                .find(|(x, _)| discriminant(x) == discriminant(f))
            {
                None => first.push((f.clone(), r.line)),
                Some((x, line)) if x != f => errors.push(BadRow {
                    line: r.line,
                    column: column.clone(),
                    reason: format!(
                        "differs from line {line} of the same roadmap; the value of line {line} \
                         is kept"
                    ),
                }),
                Some(_) => {}
            }
        }
    }
    first.into_iter().map(|(f, _)| f).collect()
}

fn import_group(
    store: &mut Store,
    g: &Group<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    report: &mut RoadmapImportReport,
) -> Result<(), StoreError> {
    let fields = roadmap_fields(g, &mut report.errors);
    let key = fold(g.title);
    let existing = store
        .roadmaps()?
        .into_iter()
        .find(|r| fold(&r.title) == key);
    let id = match existing {
        Some(r) => {
            if store.edit_roadmap(r.id, &fields, actor, now)? > 0 {
                report.roadmaps.updated += 1;
            } else {
                report.roadmaps.unchanged += 1;
            }
            r.id
        }
        None => {
            let mut new = NewRoadmap {
                title: g.title.to_string(),
                ..Default::default()
            };
            for f in fields {
                match f {
                    RoadmapField::Title(t) => new.title = t,
                    RoadmapField::Problem(v) => new.problem = v,
                    RoadmapField::Block(v) => new.block = v,
                    RoadmapField::Settlements(v) => new.settlements = v,
                    RoadmapField::Responsible(v) => new.responsible = v,
                    RoadmapField::Start(v) => new.start = v,
                    RoadmapField::Due(v) => new.due = v,
                    RoadmapField::Status(v) => new.status = Some(v),
                    RoadmapField::Target(v) => new.target = v,
                    RoadmapField::Rule(v) => new.rule_words = v,
                }
            }
            report.roadmaps.inserted += 1;
            store.add_roadmap(&new, actor, now)?
        }
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for r in &g.rows {
        let Some(m) = &r.measure else { continue };
        if let Some(line) = seen.insert(fold(&m.text), r.line) {
            report.errors.push(BadRow {
                line: r.line,
                column: russian_header("measure").into(),
                reason: format!("the measure was already given on line {line}"),
            });
            continue;
        }
        let key = fold(&m.text);
        let existing = store
            .measures(id)?
            .into_iter()
            .find(|x| fold(&x.text) == key);
        match existing {
            Some(x) => {
                if store.set_measure(id, x.n, &m.changes, actor, now)? > 0 {
                    report.measures.updated += 1;
                } else {
                    report.measures.unchanged += 1;
                }
            }
            None => {
                let mut new = NewMeasure {
                    text: m.text.clone(),
                    ..Default::default()
                };
                let mut rest = Vec::new();
                for c in &m.changes {
                    match c {
                        MeasureField::Responsible(v) => new.responsible = v.clone(),
                        MeasureField::Due(v) => new.due = *v,
                        other => rest.push(other.clone()),
                    }
                }
                let n = store.add_measure(id, &new, actor, now)?;
                if !rest.is_empty() {
                    store.set_measure(id, n, &rest, actor, now)?;
                }
                report.measures.inserted += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks() -> Blocks {
        crate::reference::Reference::embedded()
            .expect("reference")
            .blocks
    }

    /// The shipped `[roadmap_headers]` read the Russian headers (the export's among them); a
    /// workspace section adds its own; an unknown column is refused.
    #[test]
    fn roadmap_headers_come_from_the_import_profiles() {
        let mut p = ImportProfiles::embedded().expect("profiles");
        for f in FIELDS {
            assert_eq!(p.roadmap_field(russian_header(f)), Some(f), "{f}");
            assert_eq!(p.roadmap_field(f), Some(f), "{f}");
        }
        assert_eq!(p.roadmap_field("Исполнитель"), Some("measure_responsible"));
        assert_eq!(p.roadmap_field("Куратор направления"), None);
        p.extend(
            ImportProfiles::from_toml(
                "[roadmap_headers]\nresponsible = [\"Куратор направления\"]\n",
            )
            .expect("workspace"),
        );
        assert_eq!(p.roadmap_field("Куратор направления"), Some("responsible"));
        assert!(ImportProfiles::from_toml("[roadmap_headers]\ncolour = [\"Цвет\"]\n").is_err());
    }

    /// Each bad cell names its line and the file's header; the good rows are read.
    #[test]
    fn bad_rows_name_line_and_column_and_the_rest_is_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("карты.csv");
        std::fs::write(
            &path,
            "Дорожная карта;Блок;Срок исполнения;Статус мероприятия;Мероприятие;Цвет\n\
             Ямы;roads;30.11.2026;выполнено;Ремонт;x\n\
             Ямы;nosuch;;;Ещё;\n\
             Ямы;;31.02.2026;;Третье;\n\
             ;;;;Без карты;\n\
             Ямы;;;finished;Четвёртое;\n\
             Ямы;;;выполнено;;\n",
        )
        .expect("written");
        let f = read(
            &path,
            &ImportProfiles::embedded().expect("profiles"),
            &blocks(),
        )
        .expect("read");
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.warnings, vec!["ignored columns: Цвет".to_string()]);
        let errs: Vec<_> = f.bad.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            errs,
            vec![
                (3, "Блок"),
                (4, "Срок исполнения"),
                (5, "Дорожная карта"),
                (6, "Статус мероприятия"),
                (7, "Мероприятие"),
            ]
        );
        let m = f.rows[0].measure.as_ref().expect("measure");
        assert_eq!(m.text, "Ремонт");
        assert!(
            m.changes
                .contains(&MeasureField::Status(MeasureStatus::Done))
        );
    }

    #[test]
    fn a_file_without_a_title_column_is_refused_with_its_columns() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("план.csv");
        std::fs::write(&path, "№;Мероприятие;Срок\n1;Ремонт;30.11.2026\n").expect("written");
        let e = read(
            &path,
            &ImportProfiles::embedded().expect("profiles"),
            &blocks(),
        )
        .expect_err("refused");
        assert!(e.reason.contains("no roadmap title column"), "{}", e.reason);
        assert!(e.reason.contains("Мероприятие"), "{}", e.reason);
    }
}

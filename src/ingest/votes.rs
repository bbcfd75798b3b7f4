//! `mcu votes import`: the results of ПОС votes, surveys and public discussions from their
//! exports (CSV in any encoding and delimiter the appeal import reads, XLSX/XLS/ODS, through the
//! same readers), one row per option, and rows with a comment instead of an option. Headers are
//! matched through the import profiles' `[vote_headers]`.
//!
//! The votes go to the `vote` register (audited, [`Store::save_votes`]); the comments become
//! appeals of channel `pos` with the vote's id as category, through the same intake as imported
//! appeals ([`crate::store::ImportTx::upsert`]: deduplicated by their source id on re-import) and
//! then auto-triaged like any other ([`super::triage::resume`]). A bad row is reported with the
//! file, line, column and reason; the other rows are imported.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::pipeline::TriageCounts;
use super::{FileError, Format, ImportProfiles, IncomingAppeal, ReadItem, format, readers, values};
use crate::domain::triage::Triage;
use crate::domain::votes::{VoteField, VoteKind, VoteOption, comment_source_id};
use crate::domain::{Channel, csv_cell};
use crate::store::{Actor, SaveKind, Store, StoreError, VoteCounts, VoteInput};

/// A row (or a cell of it) that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub line: u64,
    /// The column as the file names it (empty when the whole row is at fault).
    pub column: String,
    pub reason: String,
}

/// What a vote file holds, read and checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoteFile {
    pub votes: Vec<VoteInput>,
    pub comments: Vec<IncomingAppeal>,
    pub bad: Vec<BadRow>,
    pub warnings: Vec<String>,
    /// Rows read (the header not counted).
    pub rows: u64,
}

/// Counts of the comments' appeals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CommentCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The report on one vote file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoteImportReport {
    pub file: String,
    pub format: String,
    pub rows: u64,
    pub votes: VoteCounts,
    pub comments: CommentCounts,
    /// Bad rows, each with its line, column and reason (not imported).
    pub errors: Vec<BadRow>,
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triaged: Option<TriageCounts>,
}

/// Why a vote file was not imported at all.
#[derive(Debug, thiserror::Error)]
pub enum VoteImportError {
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads a vote file, imports its votes and its comments, and (with `triage`) triages the
/// comments' appeals. `actor` is the operator importing, with the source `import:<file>`.
pub fn import_votes(
    store: &mut Store,
    triage: Option<&Triage>,
    path: &Path,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<VoteImportReport, VoteImportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let file_err = |e: FileError| VoteImportError::File {
        file: name.clone(),
        reason: e.reason,
    };
    let format = format::detect(path).map_err(file_err)?;
    if format == Format::Open311 {
        return Err(file_err(FileError::new(
            "an Open311 file holds appeals, not votes: import it with mcu import",
        )));
    }
    let reference = store.reference().clone();
    let file = read_vote_file(
        path,
        format,
        &reference.profiles,
        reference.calendar.timezone(),
        now,
    )
    .map_err(file_err)?;
    let votes = store.save_votes(actor, now, &file.votes)?;
    let mut comments = CommentCounts::default();
    if !file.comments.is_empty() {
        if let Some(g) = &actor.grants
            && !g.may_import()
        {
            return Err(StoreError::Denied(format!("{} may not import", g.login)).into());
        }
        let mut tx = store.begin_import()?;
        for c in &file.comments {
            match tx.upsert(c, Channel::Pos, actor, now)?.kind {
                SaveKind::Inserted => comments.inserted += 1,
                SaveKind::Updated(_) => comments.updated += 1,
                SaveKind::Unchanged => comments.unchanged += 1,
            }
        }
        tx.commit()?;
    }
    let triaged = triage.map(|t| super::triage::resume(store, t, &actor.operator, now));
    tracing::info!(
        rows = file.rows,
        votes_new = votes.inserted,
        votes_updated = votes.updated,
        comments_new = comments.inserted,
        bad_rows = file.bad.len(),
        "votes imported"
    );
    Ok(VoteImportReport {
        file: name,
        format: format_name(format).into(),
        rows: file.rows,
        votes,
        comments,
        errors: file.bad,
        warnings: file.warnings,
        triaged,
    })
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "csv",
        Format::Spreadsheet => "spreadsheet",
        Format::JsonLines => "jsonl",
        Format::JsonArray => "json",
        Format::Open311 => "open311",
    }
}

/// A file's headers and the vote column each stands for.
type Columns = (std::sync::Arc<Vec<String>>, Vec<Option<VoteField>>);

/// A vote gathered over its rows.
#[derive(Default)]
struct Gathered {
    input: VoteInput,
    /// Option → the line that gave it (to refuse a second row for the same option).
    lines: HashMap<String, u64>,
}

/// Reads and checks a vote file. Fails only when the file cannot be read at all or lacks the
/// columns a vote file needs; a bad row is in [`VoteFile::bad`].
pub fn read_vote_file(
    path: &Path,
    format: Format,
    profiles: &ImportProfiles,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<VoteFile, FileError> {
    let rows = readers::open(path, format)?;
    let mut out = VoteFile::default();
    let mut order: Vec<String> = Vec::new();
    let mut gathered: HashMap<String, Gathered> = HashMap::new();
    // Comments wait for their vote's dates and settlement (they may come on a later row).
    let mut pending: Vec<(String, IncomingAppeal, Option<DateTime<Utc>>)> = Vec::new();
    let mut columns: Option<Columns> = None;
    for item in rows {
        let row = match item? {
            ReadItem::Bad(e) => {
                out.rows += 1;
                out.bad.push(BadRow {
                    line: e.line,
                    column: e.field,
                    reason: e.reason,
                });
                continue;
            }
            ReadItem::Row(r) => r,
        };
        out.rows += 1;
        if columns.as_ref().is_none_or(|(h, _)| *h != row.headers) {
            let fields: Vec<Option<VoteField>> = row
                .headers
                .iter()
                .map(|h| profiles.vote_field_for_header(h))
                .collect();
            if columns.is_none() {
                check_columns(&row.headers, &fields)?;
                out.warnings
                    .extend(super::ignored_columns(&row.headers, &fields));
            }
            columns = Some((row.headers.clone(), fields));
        }
        let Some((headers, fields)) = &columns else {
            continue;
        };
        if row.values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        // The first non-empty cell of each field, with its column's name.
        let mut cells: HashMap<VoteField, (&str, &str)> = HashMap::new();
        for ((h, f), v) in headers.iter().zip(fields).zip(&row.values) {
            if let Some(f) = f
                && !v.trim().is_empty()
            {
                cells.entry(*f).or_insert((h.as_str(), v.as_str()));
            }
        }
        // The column as the file names it (the first one meaning the field), else the field.
        let column = |f: VoteField| match cells.get(&f) {
            Some((h, _)) => (*h).to_string(),
            None => headers
                .iter()
                .zip(fields)
                .find(|(_, g)| **g == Some(f))
                .map_or(f.name(), |(h, _)| h.as_str())
                .to_string(),
        };
        // A cell mcu's own CSV export marked as text (it began like a formula) reads back as it was.
        let text = |f: VoteField| {
            cells
                .get(&f)
                .and_then(|(_, v)| values::clean_text(csv_cell::untext(v.trim())))
        };
        let mut bad = Vec::new();
        let mut fail = |f: VoteField, reason: String| {
            bad.push(BadRow {
                line: row.line,
                column: column(f),
                reason,
            })
        };
        let vote_id = text(VoteField::VoteId);
        if vote_id.is_none() {
            fail(VoteField::VoteId, "no vote id".into());
        }
        let mut date = |f: VoteField| match cells.get(&f) {
            Some((_, v)) => match values::parse_datetime_opt(v, tz) {
                Ok(d) => d,
                Err(e) => {
                    fail(f, e);
                    None
                }
            },
            None => None,
        };
        let started_at = date(VoteField::StartedAt);
        let ended_at = date(VoteField::EndedAt);
        let commented_at = date(VoteField::CommentedAt);
        let mut number = |f: VoteField| match cells.get(&f) {
            Some((_, v)) => match parse_count(v) {
                Ok(n) => Some(n),
                Err(e) => {
                    fail(f, e);
                    None
                }
            },
            None => None,
        };
        let votes = number(VoteField::Votes);
        let participants = number(VoteField::Participants);
        let kind = match cells.get(&VoteField::Kind) {
            Some((_, v)) => match v.parse::<VoteKind>() {
                Ok(k) => Some(k),
                Err(e) => {
                    fail(VoteField::Kind, e);
                    None
                }
            },
            None => None,
        };
        let option = text(VoteField::Option);
        let comment = text(VoteField::Comment);
        if option.is_some() && votes.is_none() && !cells.contains_key(&VoteField::Votes) {
            fail(
                VoteField::Votes,
                "an option without its count of votes".into(),
            );
        }
        if let (Some(o), Some(id)) = (&option, &vote_id)
            && let Some(first) = gathered.get(id).and_then(|g| g.lines.get(o))
        {
            fail(
                VoteField::Option,
                format!("option «{o}» of vote {id} was already given on line {first}"),
            );
        }
        let Some(vote_id) = vote_id.filter(|_| bad.is_empty()) else {
            out.bad.extend(bad);
            continue;
        };
        let g = gathered.entry(vote_id.clone()).or_insert_with(|| {
            order.push(vote_id.clone());
            Gathered {
                input: VoteInput {
                    vote_id: vote_id.clone(),
                    ..Default::default()
                },
                lines: HashMap::new(),
            }
        });
        let v = &mut g.input;
        fill(&mut v.title, text(VoteField::Title));
        fill(&mut v.kind, kind);
        fill(&mut v.started_at, started_at);
        fill(&mut v.ended_at, ended_at);
        fill(&mut v.settlement, text(VoteField::Settlement));
        fill(&mut v.participants, participants);
        if let (Some(o), Some(n)) = (option, votes) {
            g.lines.insert(o.clone(), row.line);
            v.options.push(VoteOption {
                option: o,
                votes: n,
            });
        }
        if let Some(c) = comment {
            let author = text(VoteField::Author);
            let appeal = IncomingAppeal {
                line: row.line,
                source_id: comment_source_id(&vote_id, author.as_deref(), &c, commented_at),
                channel: Some(Channel::Pos),
                received_at: now,
                text: c,
                author,
                contact: text(VoteField::Contact),
                category: Some(vote_id.clone()),
                ..Default::default()
            };
            pending.push((vote_id, appeal, commented_at));
        }
    }
    for (vote_id, mut a, at) in pending {
        let v = gathered.get(&vote_id).map(|g| &g.input);
        a.received_at = at
            .or_else(|| v.and_then(|v| v.ended_at.or(v.started_at)))
            .unwrap_or(now);
        a.settlement = v.and_then(|v| v.settlement.clone());
        out.comments.push(a);
    }
    out.votes = order
        .into_iter()
        .filter_map(|id| gathered.remove(&id).map(|g| g.input))
        .collect();
    Ok(out)
}

fn fill<T>(dst: &mut Option<T>, src: Option<T>) {
    if dst.is_none() {
        *dst = src;
    }
}

/// A vote file needs a vote id column and an option or a comment column.
fn check_columns(headers: &[String], fields: &[Option<VoteField>]) -> Result<(), FileError> {
    let has = |f: VoteField| fields.contains(&Some(f));
    let mut missing = Vec::new();
    if !has(VoteField::VoteId) {
        missing.push("a vote id column (vote_id, «Номер голосования»)");
    }
    if !has(VoteField::Option) && !has(VoteField::Comment) {
        missing.push(
            "an option (option, «Вариант ответа») or comment (comment, «Комментарий») column",
        );
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(FileError::new(format!(
            "not a vote file: it lacks {} (its columns: {})",
            missing.join(" and "),
            headers.join(", ")
        )))
    }
}

/// A count of votes or participants: a whole number ≥ 0; spaces between thousands allowed.
fn parse_count(s: &str) -> Result<i64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let t = t.strip_suffix(".0").unwrap_or(&t);
    match t.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n),
        _ => Err(format!("«{}» is not a whole number of 0 or more", s.trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(parse_count("1 234"), Ok(1234));
        assert_eq!(parse_count("12.0"), Ok(12));
        assert!(parse_count("-3").is_err());
        assert!(parse_count("много").expect_err("bad").contains("много"));
    }
}

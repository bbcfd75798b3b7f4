//! Reading files of the official pages: the registry (one page a row) and the statistics (one
//! page and date a row), told apart by their columns. Canonical column names and the Russian
//! headers people use both work. A bad row is reported with its line, column and reason; the rest
//! are read. A text cell mcu's own CSV export marked with a leading `'` (it began like a
//! formula: `domain::csv_cell`) is read back without the mark.

use std::path::Path;

use crate::domain::csv_cell;
use crate::domain::pages::{Stat, normalize_url, parse_date};

use super::{FileError, ImportProfiles, ReadItem, RowError, format, readers};

/// The canonical columns of the pages' files; the Russian headers that mean them are in the
/// `[page_headers]` section of the import profiles (`data/import_profiles.toml`).
pub const FIELDS: [&str; 18] = [
    "body",
    "platform",
    "url",
    "category",
    "mark",
    "widgets",
    "site_link",
    "comments_open",
    "admins",
    "admins_2fa",
    "checked_at",
    "date",
    "posts",
    "views",
    "subscribers",
    "likes",
    "comments",
    "reposts",
];

/// The registry fields a row may carry (the names `Store::set_page_field` takes).
pub const REGISTRY_FIELDS: &[&str] = &[
    "body",
    "platform",
    "category",
    "mark",
    "widgets",
    "site_link",
    "comments_open",
    "admins",
    "admins_2fa",
    "checked_at",
];

/// One registry row: the page's URL (normalised) and the cells it gives, by field.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow {
    pub line: u64,
    pub url: String,
    /// Field, the file's header for it, the value.
    pub cells: Vec<(&'static str, String, String)>,
}

/// What a pages file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Registry(Vec<RegistryRow>),
    Stats(Vec<(u64, String, Stat)>),
}

/// A file read: its rows and the rows that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct PagesFile {
    pub rows: Rows,
    pub errors: Vec<RowError>,
}

/// Reads a registry or statistics file (CSV in any encoding the appeal import reads, XLSX…),
/// its headers read through `profiles`.
pub fn read(path: &Path, profiles: &ImportProfiles) -> Result<PagesFile, FileError> {
    let fmt = format::detect(path)?;
    let rows = readers::open(path, fmt)?;
    let mut errors = Vec::new();
    let mut registry = Vec::new();
    let mut stats = Vec::new();
    let mut kind: Option<bool> = None; // Some(true): statistics
    for item in rows {
        let raw = match item? {
            ReadItem::Row(r) => r,
            ReadItem::Bad(e) => {
                errors.push(e);
                continue;
            }
        };
        let fields: Vec<Option<&'static str>> =
            raw.headers.iter().map(|h| profiles.page_field(h)).collect();
        let is_stats = *kind.get_or_insert_with(|| {
            fields.contains(&Some("date"))
                && !fields.contains(&Some("category"))
                && !fields.contains(&Some("body"))
        });
        if !fields.contains(&Some("url")) {
            return Err(FileError::new(format!(
                "no page address column (url, «Ссылка»); the columns are: {}",
                raw.headers.join(", ")
            )));
        }
        if is_stats && !fields.contains(&Some("date")) {
            return Err(FileError::new("no date column (date, «Дата»)"));
        }
        let cell = |f: &str| -> Option<(usize, &str)> {
            fields
                .iter()
                .position(|x| *x == Some(f))
                .map(|i| (i, raw.values.get(i).map(String::as_str).unwrap_or_default()))
        };
        let header = |i: usize| raw.headers.get(i).cloned().unwrap_or_default();
        if raw.values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let bad = |i: usize, reason: String| RowError {
            line: raw.line,
            field: header(i),
            reason,
        };
        let url = match cell("url") {
            Some((i, v)) => match normalize_url(v) {
                Ok(u) => u,
                Err(e) => {
                    errors.push(bad(i, e));
                    continue;
                }
            },
            None => continue,
        };
        if is_stats {
            let date = match cell("date") {
                Some((i, v)) => match parse_date(v) {
                    Ok(d) => d,
                    Err(e) => {
                        errors.push(bad(i, e));
                        continue;
                    }
                },
                None => continue,
            };
            let mut stat = Stat {
                date,
                posts: 0,
                views: 0,
                subscribers: 0,
                likes: 0,
                comments: 0,
                reposts: 0,
            };
            let mut ok = true;
            for f in [
                "posts",
                "views",
                "subscribers",
                "likes",
                "comments",
                "reposts",
            ] {
                let Some((i, v)) = cell(f) else { continue };
                let t: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                let n = if t.is_empty() {
                    Ok(0)
                } else {
                    t.parse::<u64>()
                        .map_err(|_| format!("«{}» is not a whole number of {f}", v.trim()))
                };
                match n {
                    Ok(n) => match f {
                        "posts" => stat.posts = n,
                        "views" => stat.views = n,
                        "subscribers" => stat.subscribers = n,
                        "likes" => stat.likes = n,
                        "comments" => stat.comments = n,
                        _ => stat.reposts = n,
                    },
                    Err(e) => {
                        errors.push(bad(i, e));
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                stats.push((raw.line, url, stat));
            }
        } else {
            let cells = REGISTRY_FIELDS
                .iter()
                .filter_map(|f| {
                    cell(f).map(|(i, v)| (*f, header(i), csv_cell::untext(v.trim()).to_string()))
                })
                .filter(|(_, _, v)| !v.is_empty())
                .collect();
            registry.push(RegistryRow {
                line: raw.line,
                url,
                cells,
            });
        }
    }
    Ok(PagesFile {
        rows: if kind == Some(true) {
            Rows::Stats(stats)
        } else {
            Rows::Registry(registry)
        },
        errors,
    })
}

/// The header of a registry column for the field, as people keep it (export).
pub fn russian_header(field: &str) -> &'static str {
    match field {
        "body" => "Наименование органа",
        "platform" => "Площадка",
        "url" => "Ссылка",
        "category" => "Категория",
        "mark" => "Отметка Госорганизация",
        "widgets" => "Виджеты ПОС",
        "site_link" => "Ссылка на сайт",
        "comments_open" => "Комментарии открыты",
        "admins" => "Администраторы",
        "admins_2fa" => "Администраторы с 2FA",
        "checked_at" => "Дата проверки",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped `[page_headers]` read the Russian headers; a workspace section adds its own;
    /// an unknown column is refused.
    #[test]
    fn page_headers_come_from_the_import_profiles() {
        let mut p = ImportProfiles::embedded().expect("profiles");
        assert_eq!(p.page_field("Наименование органа"), Some("body"));
        assert_eq!(p.page_field("Виджеты  ПОС"), Some("widgets"));
        assert_eq!(p.page_field("admins_2fa"), Some("admins_2fa"));
        assert_eq!(p.page_field("Охват аудитории"), None);
        p.extend(
            ImportProfiles::from_toml("[page_headers]\nviews = [\"Охват аудитории\"]\n")
                .expect("workspace"),
        );
        assert_eq!(p.page_field("Охват аудитории"), Some("views"));
        assert!(ImportProfiles::from_toml("[page_headers]\ncolour = [\"Цвет\"]\n").is_err());
    }

    /// A bad row names its line and the file's header; the good rows are read.
    #[test]
    fn bad_statistics_rows_are_reported_and_the_rest_read() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("s.csv");
        std::fs::write(
            &path,
            "url,date,views\nvk.com/a,2026-12-01,10\nvk.com/a,31.02.2026,5\nнет,2026-12-01,1\nvk.com/a,2026-12-02,x\n",
        )
        .expect("written");
        let f = read(&path, &ImportProfiles::embedded().expect("profiles")).expect("read");
        let Rows::Stats(rows) = f.rows else {
            panic!("not statistics")
        };
        assert_eq!(rows.len(), 1);
        let errs: Vec<_> = f
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(errs, vec![(3, "date"), (4, "url"), (5, "views")]);
    }
}

//! Reading files of the official pages: the registry (one page a row) and the statistics (one
//! page and date a row), told apart by their columns. Canonical column names and the Russian
//! headers people use both work. A bad row is reported with its line, column and reason; the rest
//! are read.

use std::path::Path;

use crate::domain::pages::{Stat, normalize_url, parse_date};

use super::{FileError, ReadItem, RowError, format, readers};

/// Canonical field → headers that mean it (compared lower-case, spaces and `ё` folded).
const HEADERS: &[(&str, &[&str])] = &[
    ("body", &["body", "наименование органа", "орган", "организация", "наименование"]),
    ("platform", &["platform", "площадка", "соцсеть", "социальная сеть"]),
    ("url", &["url", "ссылка", "адрес страницы", "ссылка на страницу", "адрес"]),
    ("category", &["category", "категория", "тип страницы"]),
    ("mark", &["mark", "отметка госорганизация", "отметка", "госорганизация"]),
    ("widgets", &["widgets", "виджеты пос", "виджеты", "виджет пос"]),
    ("site_link", &["site_link", "ссылка на сайт", "сайт"]),
    ("comments_open", &["comments_open", "комментарии открыты", "открытые комментарии"]),
    ("admins", &["admins", "администраторы", "администраторов"]),
    ("admins_2fa", &["admins_2fa", "администраторы с 2fa", "с двухфакторной защитой", "2fa"]),
    ("checked_at", &["checked_at", "дата проверки", "проверено"]),
    ("date", &["date", "дата", "период"]),
    ("posts", &["posts", "публикации", "публикаций", "посты"]),
    ("views", &["views", "просмотры", "просмотров", "охват"]),
    ("subscribers", &["subscribers", "подписчики", "подписчиков"]),
    ("likes", &["likes", "лайки", "отметки нравится"]),
    ("comments", &["comments", "комментарии", "комментариев"]),
    ("reposts", &["reposts", "репосты", "репостов"]),
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

fn fold(h: &str) -> String {
    h.trim()
        .to_lowercase()
        .replace('ё', "е")
        .replace(['_', '«', '»', '"'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The canonical field a header means, if any.
pub fn canonical(header: &str) -> Option<&'static str> {
    let h = fold(header);
    HEADERS
        .iter()
        .find(|(_, names)| names.iter().any(|n| fold(n) == h))
        .map(|(f, _)| *f)
}

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

/// Reads a registry or statistics file (CSV in any encoding the appeal import reads, XLSX…).
pub fn read(path: &Path) -> Result<PagesFile, FileError> {
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
        let fields: Vec<Option<&'static str>> = raw.headers.iter().map(|h| canonical(h)).collect();
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
            for f in ["posts", "views", "subscribers", "likes", "comments", "reposts"] {
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
                .filter_map(|f| cell(f).map(|(i, v)| (*f, header(i), v.trim().to_string())))
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

//! Mapping a raw row onto an `IncomingAppeal`: headers are resolved to canonical fields through the
//! import profiles (once per header set, cached), cells are parsed by `values`, blocks are resolved
//! against the blocks in force. Every problem of a row is reported, not only the first.

use std::sync::{Arc, Mutex};

use chrono_tz::Tz;

use super::profile::Field;
use super::values::{
    clean_text, parse_bool, parse_channel, parse_coordinate, parse_datetime_opt, parse_quality,
    parse_rating, parse_status,
};
use super::{FileError, ImportProfiles, IncomingAppeal, RawRow, RowError};
use crate::domain::Blocks;

/// The fields without which a row cannot be imported.
const REQUIRED: [Field; 3] = [Field::Id, Field::Text, Field::ReceivedAt];

/// Which columns of one header set hold which field.
#[derive(Debug)]
struct Plan {
    headers: Arc<Vec<String>>,
    /// Per field (indexed by `Field::index`), its columns left to right.
    columns: [Vec<usize>; Field::COUNT],
}

impl Plan {
    fn new(headers: Arc<Vec<String>>, profiles: &ImportProfiles) -> Self {
        let mut columns: [Vec<usize>; Field::COUNT] = std::array::from_fn(|_| Vec::new());
        for (i, h) in headers.iter().enumerate() {
            if let Some(f) = profiles.field_for_header(h) {
                columns[f.index()].push(i);
            }
        }
        Self { headers, columns }
    }
}

/// Maps raw rows to canonical appeals using the profiles, the blocks in force and the workspace's
/// zone (for local times). Cheap to build; keep one per file (or longer) so its header cache works.
/// It is `Sync`: rows may be mapped from several threads.
pub struct Mapper<'a> {
    profiles: &'a ImportProfiles,
    blocks: &'a Blocks,
    tz: Tz,
    /// The plan of the last header set seen: all rows of a table share it.
    cache: Mutex<Option<Arc<Plan>>>,
}

impl<'a> Mapper<'a> {
    /// A mapper over these profiles and blocks; local times are in `tz`.
    pub fn new(profiles: &'a ImportProfiles, blocks: &'a Blocks, tz: Tz) -> Self {
        Self {
            profiles,
            blocks,
            tz,
            cache: Mutex::new(None),
        }
    }

    /// The zone local times are read in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// Refuses a file none of whose columns maps to `id`, `text` or `received_at`: it cannot be
    /// imported at all. The reason names what is missing, the headers it would accept, and the
    /// headers the file has.
    pub fn check_headers(&self, headers: &[String]) -> Result<(), FileError> {
        let present: Vec<Field> = headers
            .iter()
            .filter_map(|h| self.profiles.field_for_header(h))
            .collect();
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter(|f| !present.contains(f))
            .map(|&f| {
                let examples: Vec<String> = self
                    .profiles
                    .aliases(f)
                    .iter()
                    .take(5)
                    .map(|a| format!("«{a}»"))
                    .collect();
                format!("{f} (a column such as {})", examples.join(", "))
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let seen: Vec<String> = headers.iter().map(|h| format!("«{h}»")).collect();
        Err(FileError::new(format!(
            "no column for {}; the file's headers are: {}. A workspace can teach mcu a new header \
             in its import profile",
            missing.join("; "),
            if seen.is_empty() {
                "none".to_string()
            } else {
                seen.join(", ")
            }
        )))
    }

    /// Whether some header maps to `field`: e.g. a file with no `channel` column needs a channel
    /// from `--channel` or its inbox folder.
    pub fn has_column(&self, headers: &[String], field: Field) -> bool {
        headers
            .iter()
            .any(|h| self.profiles.field_for_header(h) == Some(field))
    }

    /// Headers that map to no field: ignored on import, listed so the pipeline can mention them.
    pub fn unknown_headers(&self, headers: &[String]) -> Vec<String> {
        headers
            .iter()
            .filter(|h| !h.trim().is_empty() && self.profiles.field_for_header(h).is_none())
            .cloned()
            .collect()
    }

    /// The plan for a header set: the cached one when the row shares (or equals) the last set.
    fn plan(&self, headers: &Arc<Vec<String>>) -> Arc<Plan> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(plan) = cache.as_ref()
            && (Arc::ptr_eq(&plan.headers, headers) || plan.headers == *headers)
        {
            return Arc::clone(plan);
        }
        let plan = Arc::new(Plan::new(Arc::clone(headers), self.profiles));
        *cache = Some(Arc::clone(&plan));
        plan
    }

    /// Maps one row; every problem found in it is reported, not just the first.
    pub fn map(&self, row: &RawRow) -> Result<IncomingAppeal, Vec<RowError>> {
        let plan = self.plan(&row.headers);
        let mut m = RowMapping {
            row,
            plan: &plan,
            errors: Vec::new(),
        };
        let p = self.profiles;
        let tz = self.tz;

        let source_id = m.required(Field::Id, |v| Ok(Some(v.to_string())));
        let received_at = m.required(Field::ReceivedAt, |v| parse_datetime_opt(v, tz));
        let text = m.required(Field::Text, |v| Ok(clean_text(v)));

        let channel = m.optional(Field::Channel, |v| parse_channel(v, p));
        let category = m.optional(Field::Category, |v| Ok(clean_text(v)));
        let subcategory = m.optional(Field::Subcategory, |v| Ok(clean_text(v)));
        let category = match (category, subcategory) {
            (Some(c), Some(s)) => Some(format!("{c} / {s}")),
            (c, s) => c.or(s),
        };
        let block = m.optional(Field::Block, |v| {
            self.blocks
                .resolve(v)
                .map(|b| Some(b.id.clone()))
                .ok_or_else(|| {
                    format!(
                        "unknown block «{v}» (expected one of: {}, or a block's Russian name)",
                        self.blocks.ids()
                    )
                })
        });

        let appeal = IncomingAppeal {
            line: row.line,
            source_id: source_id.unwrap_or_default(),
            channel,
            received_at: received_at.unwrap_or_default(),
            text: text.unwrap_or_default(),
            author: m.optional(Field::Author, |v| Ok(clean_text(v))),
            contact: m.optional(Field::Contact, |v| Ok(clean_text(v))),
            settlement: m.optional(Field::Settlement, |v| Ok(clean_text(v))),
            address: m.optional(Field::Address, |v| Ok(clean_text(v))),
            url: m.optional(Field::Url, |v| Ok(clean_text(v))),
            category,
            fz59: m.optional(Field::Fz59, |v| parse_bool(v, p)),
            block,
            responsible: m.optional(Field::Responsible, |v| Ok(clean_text(v))),
            status: m.optional(Field::Status, |v| parse_status(v, p)),
            urgent: m.optional(Field::Urgent, |v| parse_bool(v, p)),
            conflict: m.optional(Field::Conflict, |v| parse_bool(v, p)),
            first_response_at: m.optional(Field::FirstResponseAt, |v| parse_datetime_opt(v, tz)),
            answered_at: m.optional(Field::AnsweredAt, |v| parse_datetime_opt(v, tz)),
            answer: m.optional(Field::Answer, |v| Ok(clean_text(v))),
            quality: m.optional(Field::Quality, |v| parse_quality(v, p)),
            rating: m.optional(Field::Rating, parse_rating),
            lat: m.optional(Field::Lat, |v| parse_coordinate(v, 90.0)),
            lon: m.optional(Field::Lon, |v| parse_coordinate(v, 180.0)),
        };
        if m.errors.is_empty() {
            Ok(appeal)
        } else {
            Err(m.errors)
        }
    }
}

/// The state of mapping one row: its cells by field, and the problems found so far.
struct RowMapping<'r> {
    row: &'r RawRow,
    plan: &'r Plan,
    errors: Vec<RowError>,
}

impl<'r> RowMapping<'r> {
    /// The first non-empty (trimmed) cell of a field, with its column.
    fn cell(&self, field: Field) -> Option<(&'r str, usize)> {
        self.plan.columns[field.index()].iter().find_map(|&c| {
            let v = self.row.values.get(c)?.trim();
            (!v.is_empty()).then_some((v, c))
        })
    }

    fn error(&mut self, field: Field, column: Option<usize>, reason: String) {
        // Name the file's own header when it is not the canonical one, so the officer finds it.
        let header = column.and_then(|c| self.plan.headers.get(c));
        let reason = match header {
            Some(h) if h.as_str() != field.name() => format!("{reason} (column «{h}»)"),
            _ => reason,
        };
        self.errors.push(RowError {
            line: self.row.line,
            field: field.name().to_string(),
            reason,
        });
    }

    /// Parses an optional field; a value that does not parse is recorded as an error.
    fn optional<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<Option<T>, String>,
    ) -> Option<T> {
        let (v, col) = self.cell(field)?;
        match parse(v) {
            Ok(x) => x,
            Err(reason) => {
                self.error(field, Some(col), reason);
                None
            }
        }
    }

    /// Parses a required field; absence is an error too.
    fn required<T>(
        &mut self,
        field: Field,
        parse: impl FnOnce(&str) -> Result<Option<T>, String>,
    ) -> Option<T> {
        let columns = &self.plan.columns[field.index()];
        let Some((v, col)) = self.cell(field) else {
            let first = columns.first().copied();
            let reason = if first.is_some() {
                format!("{field} is empty")
            } else {
                format!("the row has no {field}")
            };
            self.error(field, first, reason);
            return None;
        };
        match parse(v) {
            Ok(Some(x)) => Some(x),
            Ok(None) => {
                self.error(field, Some(col), format!("{field} is empty"));
                None
            }
            Err(reason) => {
                self.error(field, Some(col), reason);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, Status};

    fn blocks() -> Blocks {
        Blocks::from_toml(
            "[[block]]\nid = \"housing\"\nname = \"ЖКХ\"\n[[block]]\nid = \"roads\"\nname = \"Дороги\"\n",
        )
        .expect("valid blocks")
    }

    fn row(headers: &[&str], values: &[&str]) -> RawRow {
        RawRow {
            line: 7,
            headers: Arc::new(headers.iter().map(|s| s.to_string()).collect()),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn russian_headers_and_words_map_to_canonical_fields() {
        let (p, b) = (ImportProfiles::default(), blocks());
        let m = Mapper::new(&p, &b, chrono_tz::Europe::Moscow);
        let r = row(
            &[
                "Номер",
                "Дата создания",
                "Текст сообщения",
                "Категория",
                "Подкатегория",
                "Соцсеть",
                "Статус",
                "Блок",
                "Обращение по 59-ФЗ",
                "Оценка",
                "Цвет",
            ],
            &[
                "12050000001",
                "28.10.2026 20:44",
                " Нет остановки ",
                "Транспорт",
                "Остановки",
                "ВКонтакте",
                "Дан ответ",
                "дороги",
                "Да",
                "5.0",
                "синий",
            ],
        );
        let a = m.map(&r).expect("maps");
        assert_eq!(a.line, 7);
        assert_eq!(a.source_id, "12050000001");
        assert_eq!(a.received_at.to_rfc3339(), "2026-10-28T17:44:00+00:00");
        assert_eq!(a.text, "Нет остановки");
        assert_eq!(a.category.as_deref(), Some("Транспорт / Остановки"));
        assert_eq!(a.channel, Some(Channel::Im));
        assert_eq!(a.status, Some(Status::Answered));
        assert_eq!(a.block.as_deref(), Some("roads"));
        assert_eq!(a.fz59, Some(true));
        assert_eq!(a.rating, Some(5));
        assert_eq!(a.urgent, None);
        assert_eq!(m.unknown_headers(&r.headers), ["Цвет"]);
        assert!(m.has_column(&r.headers, Field::Channel));
        assert!(!m.has_column(&r.headers, Field::Lat));
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let (p, b) = (ImportProfiles::default(), blocks());
        let m = Mapper::new(&p, &b, chrono_tz::Europe::Moscow);
        let r = row(
            &[
                "id",
                "Дата поступления",
                "text",
                "block",
                "rating",
                "channel",
            ],
            &["", "31.02.2026", "", "космос", "7", "факс"],
        );
        let errs = m.map(&r).expect_err("bad row");
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(
            got[..3],
            [
                ("id", "id is empty"),
                (
                    "received_at",
                    "no such date «31.02.2026» (column «Дата поступления»)"
                ),
                ("text", "text is empty"),
            ]
        );
        assert!(
            errs.iter()
                .any(|e| e.field == "channel" && e.reason.contains("«факс»"))
        );
        assert!(
            errs.iter()
                .any(|e| e.field == "block" && e.reason.contains("housing, roads"))
        );
        assert!(
            errs.iter()
                .any(|e| e.field == "rating" && e.reason == "rating 7 is outside 1–5")
        );
        assert!(errs.iter().all(|e| e.line == 7));
    }

    #[test]
    fn the_first_non_empty_of_two_columns_wins() {
        let (p, b) = (ImportProfiles::default(), blocks());
        let m = Mapper::new(&p, &b, chrono_tz::Europe::Moscow);
        let r = row(
            &["№", "Номер обращения", "Дата", "Текст"],
            &["", "A-1", "2026-11-01", "Текст"],
        );
        assert_eq!(m.map(&r).map(|a| a.source_id), Ok("A-1".to_string()));
    }

    #[test]
    fn files_without_required_columns_are_refused_naming_them() {
        let (p, b) = (ImportProfiles::default(), blocks());
        let m = Mapper::new(&p, &b, chrono_tz::Europe::Moscow);
        let headers: Vec<String> = ["Номер", "Цвет", "Вес"].map(String::from).to_vec();
        let err = m.check_headers(&headers).expect_err("no text, no date");
        assert!(err.reason.contains("text"), "{}", err.reason);
        assert!(err.reason.contains("received_at"), "{}", err.reason);
        assert!(!err.reason.contains("no column for id"), "{}", err.reason);
        assert!(err.reason.contains("«Цвет»"), "{}", err.reason);
        let ok: Vec<String> = ["Рег. номер", "Дата регистрации", "Краткое содержание"]
            .map(String::from)
            .to_vec();
        assert_eq!(m.check_headers(&ok), Ok(()));
    }

    #[test]
    fn the_header_cache_follows_a_change_of_headers() {
        let (p, b) = (ImportProfiles::default(), blocks());
        let m = Mapper::new(&p, &b, chrono_tz::Europe::Moscow);
        let a = row(&["id", "text", "received_at"], &["1", "А", "2026-11-01"]);
        let b2 = row(&["text", "id", "received_at"], &["Б", "2", "2026-11-01"]);
        assert_eq!(m.map(&a).map(|x| x.source_id), Ok("1".to_string()));
        assert_eq!(m.map(&b2).map(|x| x.source_id), Ok("2".to_string()));
        assert_eq!(m.map(&a).map(|x| x.text), Ok("А".to_string()));
    }
}

//! Import profiles: which file headers mean which canonical field, and which cell words mean which
//! status, channel, yes/no or answer quality.
//!
//! The words are data (`data/import_profiles.toml`, embedded as [`EMBEDDED`]), not code: a new
//! export with a new column name needs a line in a workspace's profile file, not a rebuild.
//! A workspace's file is parsed with [`ImportProfiles::from_toml`] and layered on top of the shipped
//! one with [`ImportProfiles::extend`].
//!
//! Matching ignores case, ё/е, whitespace and punctuation for headers («Рег. номер» = «рег.номер»),
//! and case, ё/е and repeated whitespace for cell words («Дан  ответ» = «дан ответ»).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::domain::text::fold;
use crate::domain::votes::VoteField;
use crate::domain::{Channel, Quality, Status};

/// The shipped profile file, compiled into the binary.
pub const EMBEDDED: &str = include_str!("../../data/import_profiles.toml");

/// A canonical field of an appeal (DESIGN.md §4), plus `subcategory`, which a mapper joins onto
/// `category` as «Категория / Подкатегория».
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Channel,
    ReceivedAt,
    Text,
    Author,
    Contact,
    Settlement,
    Address,
    Url,
    Category,
    /// Not stored on its own: appended to `category` after « / ».
    Subcategory,
    /// An обращение under 59-ФЗ (as opposed to a mere сообщение).
    Fz59,
    Block,
    Responsible,
    Status,
    Urgent,
    Conflict,
    FirstResponseAt,
    AnsweredAt,
    Answer,
    Quality,
    Rating,
    Lat,
    Lon,
}

impl Field {
    /// Number of fields (the length of [`Field::ALL`]).
    pub const COUNT: usize = 24;

    /// Every field, in the order of DESIGN.md §4.
    pub const ALL: [Field; Field::COUNT] = [
        Field::Id,
        Field::Channel,
        Field::ReceivedAt,
        Field::Text,
        Field::Author,
        Field::Contact,
        Field::Settlement,
        Field::Address,
        Field::Url,
        Field::Category,
        Field::Subcategory,
        Field::Fz59,
        Field::Block,
        Field::Responsible,
        Field::Status,
        Field::Urgent,
        Field::Conflict,
        Field::FirstResponseAt,
        Field::AnsweredAt,
        Field::Answer,
        Field::Quality,
        Field::Rating,
        Field::Lat,
        Field::Lon,
    ];

    /// The canonical name: the CSV header and JSON key of the field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Channel => "channel",
            Field::ReceivedAt => "received_at",
            Field::Text => "text",
            Field::Author => "author",
            Field::Contact => "contact",
            Field::Settlement => "settlement",
            Field::Address => "address",
            Field::Url => "url",
            Field::Category => "category",
            Field::Subcategory => "subcategory",
            Field::Fz59 => "fz59",
            Field::Block => "block",
            Field::Responsible => "responsible",
            Field::Status => "status",
            Field::Urgent => "urgent",
            Field::Conflict => "conflict",
            Field::FirstResponseAt => "first_response_at",
            Field::AnsweredAt => "answered_at",
            Field::Answer => "answer",
            Field::Quality => "quality",
            Field::Rating => "rating",
            Field::Lat => "lat",
            Field::Lon => "lon",
        }
    }

    /// Position in [`Field::ALL`], for per-field tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Field {
    type Err = ProfileError;

    /// Parses a canonical field name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Field::ALL
            .into_iter()
            .find(|f| f.name() == t)
            .ok_or_else(|| {
                ProfileError(format!(
                    "unknown field «{t}» (expected one of: {})",
                    Field::ALL.map(Field::name).join(", ")
                ))
            })
    }
}

/// A problem in an import profile file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("import profiles: {0}")]
pub struct ProfileError(pub String);

/// The file as written: every section is optional, so a workspace file may add only a few words.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    headers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    statuses: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    channels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    booleans: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    qualities: BTreeMap<String, Vec<String>>,
    /// The columns of vote exports (`mcu votes import`): vote column → headers.
    #[serde(default)]
    vote_headers: BTreeMap<String, Vec<String>>,
    /// Headers of the official pages' files (registry and statistics), per canonical column
    /// (`crate::ingest::pages::FIELDS`).
    #[serde(default)]
    page_headers: BTreeMap<String, Vec<String>>,
    /// Headers of the roadmaps table (`mcu roadmap import`), per canonical column
    /// (`crate::ingest::roadmaps::FIELDS`).
    #[serde(default)]
    roadmap_headers: BTreeMap<String, Vec<String>>,
}

/// Header aliases and value words in force (the shipped `data/import_profiles.toml` plus the
/// workspace's additions).
///
/// Canonical names (`id`, `received_at`, …) and stable ids (`in_progress`, `im`, `formal`…) always
/// match, even with an empty profile. `Default` gives the shipped profile ([`EMBEDDED`]).
#[derive(Debug, Clone)]
pub struct ImportProfiles {
    /// Header key (see [`header_key`]) → field.
    headers: HashMap<String, Field>,
    /// Aliases as written, per field, for messages ("expected a column such as …").
    aliases: Vec<Vec<String>>,
    statuses: HashMap<String, Status>,
    channels: HashMap<String, Channel>,
    booleans: HashMap<String, bool>,
    qualities: HashMap<String, Quality>,
    /// Header key → vote column (see [`VoteField`]).
    vote_headers: HashMap<String, VoteField>,
    /// Header key → canonical column of the official pages' files.
    page_headers: HashMap<String, &'static str>,
    /// Header key → canonical column of the roadmaps table.
    roadmap_headers: HashMap<String, &'static str>,
}

impl Default for ImportProfiles {
    /// The shipped profile. Its parsing is covered by a unit test, so the fallback to the bare
    /// canonical names is never expected to be taken.
    fn default() -> Self {
        Self::from_toml(EMBEDDED).unwrap_or_else(|_| Self::canonical_only())
    }
}

/// The key a header is matched by: folded (lower-case, ё→е, NFC) with whitespace and punctuation
/// removed (`№` and `#` kept), so «Рег. номер», «рег.номер» and «Рег номер» are one header, and
/// so are «Обращение по 59-ФЗ» and «Обращение по 59 ФЗ», `received_at` and «Received at».
pub fn header_key(header: &str) -> String {
    let mut k = fold(header);
    k.retain(|c| c.is_alphanumeric() || c == '№' || c == '#');
    k
}

/// The key a cell word is matched by: folded (lower-case, ё→е, NFC, whitespace collapsed).
pub fn word_key(word: &str) -> String {
    fold(word)
}

impl ImportProfiles {
    /// Profiles that know only the canonical names and stable ids.
    pub fn canonical_only() -> Self {
        let mut p = Self {
            headers: HashMap::new(),
            aliases: vec![Vec::new(); Field::COUNT],
            statuses: HashMap::new(),
            channels: HashMap::new(),
            booleans: HashMap::new(),
            qualities: HashMap::new(),
            vote_headers: HashMap::new(),
            page_headers: HashMap::new(),
            roadmap_headers: HashMap::new(),
        };
        for f in super::roadmaps::FIELDS {
            p.roadmap_headers.insert(header_key(f), f);
        }
        for f in super::pages::FIELDS {
            p.page_headers.insert(header_key(f), f);
        }
        for f in Field::ALL {
            p.headers.insert(header_key(f.name()), f);
            p.aliases[f.index()].push(f.name().to_string());
        }
        for s in Status::ALL {
            p.statuses.insert(word_key(s.id()), s);
            // `in-progress` and `in progress` as well as `in_progress`.
            p.statuses.insert(word_key(&s.id().replace('_', " ")), s);
            p.statuses.insert(word_key(&s.id().replace('_', "-")), s);
        }
        for c in Channel::ALL {
            p.channels.insert(word_key(c.id()), c);
        }
        for q in [Quality::Substantive, Quality::Formal] {
            p.qualities.insert(word_key(q.id()), q);
        }
        for f in VoteField::ALL {
            p.vote_headers.insert(header_key(f.name()), f);
        }
        p.booleans.insert("true".into(), true);
        p.booleans.insert("false".into(), false);
        p
    }

    /// Parses a profile file on top of the canonical names. Refuses unknown fields, statuses,
    /// channels and qualities, and a word given two different meanings in the same file.
    pub fn from_toml(src: &str) -> Result<Self, ProfileError> {
        let mut p = Self::canonical_only();
        p.merge_toml(src)?;
        Ok(p)
    }

    /// Parses the shipped profile ([`EMBEDDED`]).
    pub fn embedded() -> Result<Self, ProfileError> {
        Self::from_toml(EMBEDDED)
    }

    /// Adds another profile's words (a workspace's additions). Where both give a word a meaning,
    /// `other`'s wins, so a workspace can re-point a header the shipped file maps elsewhere.
    pub fn extend(&mut self, other: ImportProfiles) {
        for (k, f) in other.headers {
            self.headers.insert(k, f);
        }
        for (i, list) in other.aliases.into_iter().enumerate() {
            if let Some(mine) = self.aliases.get_mut(i) {
                for a in list {
                    if !mine.contains(&a) {
                        mine.push(a);
                    }
                }
            }
        }
        self.statuses.extend(other.statuses);
        self.channels.extend(other.channels);
        self.booleans.extend(other.booleans);
        self.qualities.extend(other.qualities);
        self.vote_headers.extend(other.vote_headers);
        self.page_headers.extend(other.page_headers);
        self.roadmap_headers.extend(other.roadmap_headers);
    }

    /// The canonical column of an official pages' file a header means, if any.
    pub fn page_field(&self, header: &str) -> Option<&'static str> {
        self.page_headers.get(&header_key(header)).copied()
    }

    /// The canonical column of a roadmaps table a header means, if any.
    pub fn roadmap_field(&self, header: &str) -> Option<&'static str> {
        self.roadmap_headers.get(&header_key(header)).copied()
    }

    fn merge_toml(&mut self, src: &str) -> Result<(), ProfileError> {
        let file: ProfileFile =
            toml::from_str(src).map_err(|e| ProfileError(e.to_string().trim().to_string()))?;

        for (name, list) in &file.roadmap_headers {
            let Some(field) = super::roadmaps::FIELDS
                .iter()
                .find(|f| **f == name.as_str())
            else {
                return Err(ProfileError(format!(
                    "[roadmap_headers]: unknown column «{name}» (known: {})",
                    super::roadmaps::FIELDS.join(", ")
                )));
            };
            for alias in list {
                let key = header_key(alias);
                if key.is_empty() {
                    return Err(ProfileError(format!(
                        "[roadmap_headers]: an empty header alias under «{name}»"
                    )));
                }
                self.roadmap_headers.insert(key, field);
            }
        }

        for (name, list) in &file.page_headers {
            let Some(field) = super::pages::FIELDS.iter().find(|f| **f == name.as_str()) else {
                return Err(ProfileError(format!(
                    "[page_headers]: unknown column «{name}» (known: {})",
                    super::pages::FIELDS.join(", ")
                )));
            };
            for alias in list {
                let key = header_key(alias);
                if key.is_empty() {
                    return Err(ProfileError(format!(
                        "[page_headers]: an empty header alias under «{name}»"
                    )));
                }
                self.page_headers.insert(key, field);
            }
        }

        let mut seen: HashMap<String, Field> = HashMap::new();
        for (name, list) in &file.headers {
            let field: Field = name.parse()?;
            for alias in list {
                let key = header_key(alias);
                if key.is_empty() {
                    return Err(ProfileError(format!(
                        "an empty header alias under «{name}»"
                    )));
                }
                if let Some(other) = seen.insert(key, field)
                    && other != field
                {
                    return Err(ProfileError(format!(
                        "header «{alias}» is listed under both «{other}» and «{field}»"
                    )));
                }
                self.headers.insert(header_key(alias), field);
                let mine = &mut self.aliases[field.index()];
                if !mine.contains(alias) {
                    mine.push(alias.clone());
                }
            }
        }

        let mut seen: HashMap<String, VoteField> = HashMap::new();
        for (name, list) in &file.vote_headers {
            let field: VoteField = name.parse().map_err(ProfileError)?;
            for alias in list {
                let key = header_key(alias);
                if key.is_empty() {
                    return Err(ProfileError(format!(
                        "an empty header alias under vote_headers «{name}»"
                    )));
                }
                if let Some(other) = seen.insert(key.clone(), field)
                    && other != field
                {
                    return Err(ProfileError(format!(
                        "vote header «{alias}» is listed under both «{}» and «{}»",
                        other.name(),
                        field.name()
                    )));
                }
                self.vote_headers.insert(key, field);
            }
        }

        insert_words(&mut self.statuses, &file.statuses, "status", |id| {
            id.parse::<Status>().map_err(|e| e.to_string())
        })?;
        insert_words(&mut self.channels, &file.channels, "channel", |id| {
            id.parse::<Channel>().map_err(|e| e.to_string())
        })?;
        insert_words(
            &mut self.booleans,
            &file.booleans,
            "boolean",
            |id| match id {
                "true" => Ok(true),
                "false" => Ok(false),
                other => Err(format!(
                    "unknown boolean «{other}» (expected true or false)"
                )),
            },
        )?;
        insert_words(
            &mut self.qualities,
            &file.qualities,
            "quality",
            |id| match id {
                "substantive" => Ok(Quality::Substantive),
                "formal" => Ok(Quality::Formal),
                other => Err(format!(
                    "unknown answer quality «{other}» (expected substantive or formal)"
                )),
            },
        )?;
        Ok(())
    }

    /// The vote column a header of a vote export stands for, if any.
    pub fn vote_field_for_header(&self, header: &str) -> Option<VoteField> {
        self.vote_headers.get(&header_key(header)).copied()
    }

    /// The field a file header stands for, if any.
    pub fn field_for_header(&self, header: &str) -> Option<Field> {
        self.headers.get(&header_key(header)).copied()
    }

    /// The aliases known for a field, the canonical name first (for messages).
    pub fn aliases(&self, field: Field) -> &[String] {
        self.aliases
            .get(field.index())
            .map_or(&[][..], Vec::as_slice)
    }

    /// The status a cell word means («Дан ответ» → answered).
    pub fn status(&self, word: &str) -> Option<Status> {
        lookup(&self.statuses, word)
    }

    /// The channel a cell word means («ВКонтакте» → im).
    pub fn channel(&self, word: &str) -> Option<Channel> {
        lookup(&self.channels, word)
    }

    /// The yes/no a cell word means («Да» → true).
    pub fn boolean(&self, word: &str) -> Option<bool> {
        lookup(&self.booleans, word)
    }

    /// The answer quality a cell word means («отписка» → formal).
    pub fn quality(&self, word: &str) -> Option<Quality> {
        lookup(&self.qualities, word)
    }
}

/// Looks a cell word up: first as written (exports repeat the same spelling on every row, and
/// the table holds every word as written too), then folded.
fn lookup<T: Copy>(table: &HashMap<String, T>, word: &str) -> Option<T> {
    let t = word.trim();
    table.get(t).or_else(|| table.get(&word_key(t))).copied()
}

/// Adds `id = [words…]` entries to a word table, checking ids and same-file conflicts.
fn insert_words<T: Copy + PartialEq>(
    table: &mut HashMap<String, T>,
    section: &BTreeMap<String, Vec<String>>,
    what: &str,
    parse_id: impl Fn(&str) -> Result<T, String>,
) -> Result<(), ProfileError> {
    let mut seen: HashMap<String, (T, &str)> = HashMap::new();
    for (id, words) in section {
        let value = parse_id(id).map_err(ProfileError)?;
        for w in words {
            let key = word_key(w);
            if key.is_empty() {
                return Err(ProfileError(format!("an empty {what} word under «{id}»")));
            }
            if let Some((other, other_id)) = seen.insert(key.clone(), (value, id))
                && other != value
            {
                return Err(ProfileError(format!(
                    "{what} word «{w}» is listed under both «{other_id}» and «{id}»"
                )));
            }
            table.insert(key, value);
            table.insert(w.trim().to_string(), value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profile_parses() {
        let p = ImportProfiles::embedded().expect("data/import_profiles.toml is valid");
        assert_eq!(p.field_for_header("Номер"), Some(Field::Id));
    }

    #[test]
    fn headers_match_ignoring_case_yo_and_whitespace() {
        let p = ImportProfiles::default();
        assert_eq!(
            p.field_for_header("НАСЕЛЕННЫЙ  пункт"),
            Some(Field::Settlement)
        );
        assert_eq!(
            p.field_for_header("Населённый пункт"),
            Some(Field::Settlement)
        );
        assert_eq!(p.field_for_header(" Рег.номер "), Some(Field::Id));
        assert_eq!(
            p.field_for_header("Дата\u{a0}поступления"),
            Some(Field::ReceivedAt)
        );
        assert_eq!(p.field_for_header("Received_At"), Some(Field::ReceivedAt));
        assert_eq!(p.field_for_header("Received at"), Some(Field::ReceivedAt));
        assert_eq!(p.field_for_header("Обращение по 59 ФЗ"), Some(Field::Fz59));
        assert_eq!(p.field_for_header("E-mail"), Some(Field::Contact));
        assert_eq!(p.field_for_header("№"), Some(Field::Id));
        assert_eq!(p.field_for_header("---"), None);
        assert_eq!(p.field_for_header("Цвет глаз"), None);
    }

    #[test]
    fn value_words_come_from_the_profile() {
        let p = ImportProfiles::default();
        assert_eq!(p.status("Дан  ответ"), Some(Status::Answered));
        assert_eq!(p.status("Ответ дан"), Some(Status::Answered));
        assert_eq!(p.status("in-progress"), Some(Status::InProgress));
        assert_eq!(p.channel("ВКонтакте"), Some(Channel::Im));
        assert_eq!(p.channel("Решаем вместе"), Some(Channel::Pos));
        assert_eq!(p.channel("page_comment"), Some(Channel::Page));
        assert_eq!(p.boolean("Да"), Some(true));
        assert_eq!(p.boolean("−"), Some(false));
        assert_eq!(p.quality("Отписка"), Some(Quality::Formal));
    }

    #[test]
    fn canonical_names_match_without_any_profile() {
        let p = ImportProfiles::canonical_only();
        assert_eq!(
            p.field_for_header("first_response_at"),
            Some(Field::FirstResponseAt)
        );
        assert_eq!(p.status("closed"), Some(Status::Closed));
        assert_eq!(p.channel("letter"), Some(Channel::Letter));
        assert_eq!(p.field_for_header("Номер"), None);
    }

    #[test]
    fn a_workspace_adds_aliases_and_may_repoint_them() {
        let mut p = ImportProfiles::default();
        let ws = ImportProfiles::from_toml(
            "[headers]\nid = [\"Номер карточки\"]\nauthor = [\"Заявитель\", \"Отправитель\"]\n\
             [statuses]\nclosed = [\"Архив\"]\n",
        )
        .expect("valid");
        p.extend(ws);
        assert_eq!(p.field_for_header("номер карточки"), Some(Field::Id));
        assert_eq!(p.field_for_header("Отправитель"), Some(Field::Author));
        assert_eq!(p.field_for_header("Номер"), Some(Field::Id));
        assert_eq!(p.status("архив"), Some(Status::Closed));
        assert!(p.aliases(Field::Id).iter().any(|a| a == "Номер карточки"));
    }

    #[test]
    fn unknown_field_names_are_refused_with_the_list() {
        let err = ImportProfiles::from_toml("[headers]\nrecieved_at = [\"Дата\"]\n")
            .expect_err("refused");
        assert!(err.to_string().contains("recieved_at"));
        assert!(err.to_string().contains("received_at"));
    }

    #[test]
    fn unknown_status_ids_and_sections_are_refused() {
        assert!(ImportProfiles::from_toml("[statuses]\ndone = [\"Готово\"]\n").is_err());
        assert!(ImportProfiles::from_toml("[header]\nid = [\"N\"]\n").is_err());
    }

    #[test]
    fn one_header_for_two_fields_in_one_file_is_refused() {
        let err = ImportProfiles::from_toml("[headers]\nid = [\"Номер\"]\ntext = [\"номер\"]\n")
            .expect_err("refused");
        assert!(err.to_string().contains("Номер") || err.to_string().contains("номер"));
    }
}

//! Answer templates: texts the МЦУ coaches recipients with, per block, category or status, for the
//! interim or the final answer, with placeholders filled from the appeal.
//!
//! Shipped in `data/templates.toml`; a workspace's `templates.toml` layers over it (a template
//! with the same id replaces the shipped one, others are added). Both files have the same shape:
//!
//! ```toml
//! [[template]]
//! id = "roads_final"            # letters, digits, `_` and `-`
//! title = "Дороги: ремонт выполнен"
//! kind = "final"                # interim | final
//! block = "roads"               # optional scope: block id, source category, status
//! category = "Ямы"
//! status = "in_progress"
//! text = "Ваше обращение № {id} от {received} …"
//! ```
//!
//! Placeholders are `{name}` ([`PLACEHOLDERS`]); `{{` and `}}` are literal braces. An unknown
//! placeholder, block or kind is an error when the file is loaded, naming the file and template.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::text::fold;
use super::{Appeal, Blocks, Status};

/// The shipped templates (`data/templates.toml`).
pub const EMBEDDED: &str = include_str!("../../data/templates.toml");

/// The placeholders a template may use, with what each is filled with.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("id", "номер обращения в источнике"),
    ("number", "внутренний номер обращения в mcu"),
    ("received", "дата поступления"),
    ("deadline", "срок ответа"),
    ("date", "сегодняшняя дата"),
    ("settlement", "населённый пункт"),
    ("address", "адрес"),
    ("responsible", "ответственный"),
    ("block", "тематический блок"),
    ("category", "категория источника"),
    ("author", "автор (персональные данные)"),
];

/// Which answer a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Interim,
    Final,
}

impl Kind {
    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Interim => "interim",
            Kind::Final => "final",
        }
    }

    /// The Russian label.
    pub fn label_ru(self) -> &'static str {
        match self {
            Kind::Interim => "промежуточный",
            Kind::Final => "окончательный",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold(s).as_str() {
            "interim" | "промежуточный" => Ok(Kind::Interim),
            "final" | "окончательный" | "ответ" => Ok(Kind::Final),
            other => Err(format!(
                "unknown template kind «{other}» (expected interim or final)"
            )),
        }
    }
}

/// Where a template comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `data/templates.toml`, shipped with mcu.
    #[default]
    Shipped,
    /// The workspace's `templates.toml`.
    Workspace,
}

/// One template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    pub text: String,
    #[serde(skip)]
    pub origin: Origin,
}

impl Template {
    /// The entry id of the template in the audit trail (register `template`): stable, derived
    /// from its id (the first four bytes of its SHA-256), so it needs no bookkeeping in the files.
    pub fn entry_id(&self) -> i64 {
        entry_id(&self.id)
    }

    /// What it applies to, in Russian («Дороги · статус «в работе»», «все обращения»).
    pub fn scope_ru(&self, blocks: &Blocks) -> String {
        let mut parts = Vec::new();
        if let Some(b) = &self.block {
            parts.push(blocks.name_of(b).to_string());
        }
        if let Some(c) = &self.category {
            parts.push(format!("категория «{c}»"));
        }
        if let Some(s) = self.status {
            parts.push(format!("статус «{}»", s.label_ru()));
        }
        if parts.is_empty() {
            "все обращения".into()
        } else {
            parts.join(" · ")
        }
    }

    /// The title, or the id when it has none.
    pub fn label(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }

    /// How many of its scope fields it has (a more specific template is offered first).
    fn specificity(&self) -> usize {
        usize::from(self.block.is_some())
            + usize::from(self.category.is_some())
            + usize::from(self.status.is_some())
    }

    /// Whether it fits an appeal: every scope field it has matches.
    pub fn fits(&self, a: &Appeal) -> bool {
        self.block
            .as_ref()
            .is_none_or(|b| a.block.as_ref() == Some(b))
            && self
                .category
                .as_ref()
                .is_none_or(|c| a.category.as_deref().is_some_and(|ac| fold(ac) == fold(c)))
            && self.status.is_none_or(|s| a.status == s)
    }
}

/// The audit entry id of a template id (see [`Template::entry_id`]).
pub fn entry_id(id: &str) -> i64 {
    let h = Sha256::digest(id.as_bytes());
    i64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]))
}

/// A problem in a templates file, naming the file and the template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {what}")]
pub struct TemplateError {
    pub file: String,
    pub what: String,
}

/// The check's settings (`[check]` in the templates file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRules {
    /// An answer of fewer words is too short to be on the merits.
    #[serde(default = "default_min_words")]
    pub min_words: usize,
}

fn default_min_words() -> usize {
    super::answers::MIN_WORDS
}

impl Default for CheckRules {
    fn default() -> Self {
        Self {
            min_words: default_min_words(),
        }
    }
}

/// One templates file as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatesFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckRules>,
    #[serde(default)]
    pub template: Vec<Template>,
}

impl TemplatesFile {
    /// Parses and validates a file (`file` names it in errors).
    pub fn parse(src: &str, file: &str, blocks: &Blocks) -> Result<Self, TemplateError> {
        let err = |what: String| TemplateError {
            file: file.to_string(),
            what,
        };
        let parsed: TemplatesFile = toml::from_str(src).map_err(|e| err(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        for t in &parsed.template {
            validate(t, blocks).map_err(|w| err(format!("template «{}»: {w}", t.id)))?;
            if !seen.insert(t.id.as_str()) {
                return Err(err(format!("template «{}» is given twice", t.id)));
            }
        }
        Ok(parsed)
    }

    /// The file as TOML.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }
}

/// Checks one template: its id, text, placeholders and block.
pub fn validate(t: &Template, blocks: &Blocks) -> Result<(), String> {
    if t.id.is_empty()
        || !t
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("the id must be latin letters, digits, «_» or «-»".into());
    }
    if t.text.trim().is_empty() {
        return Err("the text is empty".into());
    }
    placeholders(&t.text)?;
    if let Some(b) = &t.block
        && blocks.get(b).is_none()
    {
        return Err(format!("unknown block «{b}» (known: {})", blocks.ids()));
    }
    Ok(())
}

/// The placeholders a text uses, or what is wrong with them.
pub fn placeholders(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for piece in pieces(text)? {
        if let Piece::Name(n) = piece {
            if !PLACEHOLDERS.iter().any(|(p, _)| *p == n) {
                return Err(format!(
                    "unknown placeholder {{{n}}} (known: {})",
                    PLACEHOLDERS
                        .iter()
                        .map(|(p, _)| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            out.push(n.to_string());
        }
    }
    Ok(out)
}

enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// Splits a text into literal runs and placeholders; `{{`/`}}` are literal braces.
fn pieces(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let Some(i) = rest.find(['{', '}']) else {
            out.push(Piece::Text(rest));
            break;
        };
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(Piece::Text("{"));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push(Piece::Text("}"));
            rest = after;
        } else if tail.starts_with('}') {
            return Err("a «}» without its «{» (write «}}» for a brace)".into());
        } else {
            let Some(end) = tail.find('}') else {
                return Err("a «{» without its «}» (write «{{» for a brace)".into());
            };
            out.push(Piece::Name(tail[1..end].trim()));
            rest = &tail[end + 1..];
        }
    }
    Ok(out)
}

/// The shipped templates with a workspace's layered over them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Templates {
    pub list: Vec<Template>,
    pub check: CheckRules,
}

impl Templates {
    /// The shipped file alone.
    pub fn embedded(blocks: &Blocks) -> Result<Self, TemplateError> {
        Self::layered(EMBEDDED, None, blocks)
    }

    /// The shipped file with a workspace file (`(name, text)`) over it: same ids replace,
    /// others are added after; the workspace's `[check]` replaces the shipped one.
    pub fn layered(
        shipped: &str,
        workspace: Option<(&str, &str)>,
        blocks: &Blocks,
    ) -> Result<Self, TemplateError> {
        let base = TemplatesFile::parse(shipped, "data/templates.toml", blocks)?;
        let mut out = Templates {
            list: base.template,
            check: base.check.unwrap_or_default(),
        };
        if let Some((name, src)) = workspace {
            let extra = TemplatesFile::parse(src, name, blocks)?;
            if let Some(c) = extra.check {
                out.check = c;
            }
            for mut t in extra.template {
                t.origin = Origin::Workspace;
                match out.list.iter_mut().find(|x| x.id == t.id) {
                    Some(x) => *x = t,
                    None => out.list.push(t),
                }
            }
        }
        // Two ids with one audit entry id would share a history.
        let mut ids = std::collections::HashMap::new();
        for t in &out.list {
            if let Some(other) = ids.insert(t.entry_id(), &t.id) {
                return Err(TemplateError {
                    file: workspace
                        .map_or("data/templates.toml", |(n, _)| n)
                        .to_string(),
                    what: format!(
                        "templates «{other}» and «{}» have the same entry id; rename one",
                        t.id
                    ),
                });
            }
        }
        Ok(out)
    }

    /// One template by id.
    pub fn get(&self, id: &str) -> Option<&Template> {
        self.list.iter().find(|t| t.id == id)
    }

    /// The templates of `kind` (any kind when `None`) that fit the appeal: the most specific
    /// first, then by id.
    pub fn fitting(&self, a: &Appeal, kind: Option<Kind>) -> Vec<&Template> {
        let mut v: Vec<&Template> = self
            .list
            .iter()
            .filter(|t| kind.is_none_or(|k| t.kind == k) && t.fits(a))
            .collect();
        v.sort_by(|x, y| {
            y.specificity()
                .cmp(&x.specificity())
                .then_with(|| x.id.cmp(&y.id))
        });
        v
    }
}

/// What placeholders are filled with for one appeal.
pub struct Values<'a> {
    pub appeal: &'a Appeal,
    pub blocks: &'a Blocks,
    pub tz: Tz,
    pub now: DateTime<Utc>,
    /// Whether the officer may see the author's name (personal data).
    pub personal_data: bool,
}

impl Values<'_> {
    /// The value of one placeholder; a bracketed Russian hint when the appeal has none, so the
    /// officer sees what to fill in.
    fn value(&self, name: &str) -> String {
        let a = self.appeal;
        let day = |t: DateTime<Utc>| t.with_timezone(&self.tz).format("%d.%m.%Y").to_string();
        let hint = |what: &str| format!("[{what}]");
        let or = |v: Option<&str>, what: &str| v.map_or_else(|| hint(what), str::to_string);
        match name {
            "id" => a.source_id.clone(),
            "number" => a.id.to_string(),
            "received" => day(a.received_at),
            "deadline" => a.deadlines.answer_due.map_or_else(|| hint("срок"), day),
            "date" => day(self.now),
            "settlement" => or(a.settlement.as_deref(), "населённый пункт"),
            "address" => or(a.address.as_deref(), "адрес"),
            "responsible" => or(a.responsible.as_deref(), "ответственный"),
            "block" => a
                .block
                .as_deref()
                .map_or_else(|| hint("блок"), |b| self.blocks.name_of(b).to_string()),
            "category" => or(a.category.as_deref(), "категория"),
            "author" if self.personal_data => or(a.author.as_deref(), "заявитель"),
            "author" => hint("заявитель"),
            other => hint(other),
        }
    }
}

/// A template's text with its placeholders filled.
pub fn fill(text: &str, values: &Values<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 32);
    for p in pieces(text)? {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Name(n) => out.push_str(&values.value(n)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Channel;
    use chrono::TimeZone;

    fn blocks() -> Blocks {
        Blocks::from_toml(crate::reference::EMBEDDED_BLOCKS).expect("blocks")
    }

    fn appeal() -> Appeal {
        let t = Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap();
        let mut a = Appeal::new(Channel::Im, "IM-77", t, "Яма у школы");
        a.id = 5;
        a.block = Some("roads".into());
        a.category = Some("Ямы на дорогах".into());
        a.settlement = Some("Юркино".into());
        a.status = Status::InProgress;
        a.author = Some("Иванова М. А.".into());
        a
    }

    const FILE: &str = r#"
[[template]]
id = "general"
kind = "final"
text = "Ответ на обращение № {id}."

[[template]]
id = "roads"
kind = "final"
block = "roads"
text = "Дорога в {settlement} отремонтирована {date}."

[[template]]
id = "roads_pits"
kind = "final"
block = "roads"
category = "ямы на дорогах"
status = "in_progress"
text = "Яма засыпана."

[[template]]
id = "housing"
kind = "final"
block = "housing"
text = "ЖКХ."

[[template]]
id = "interim"
kind = "interim"
text = "Принято, ответ до {deadline}."
"#;

    #[test]
    fn the_shipped_templates_load() {
        let t = Templates::embedded(&blocks()).expect("shipped");
        assert!(t.list.len() >= 6);
        assert!(t.list.iter().any(|x| x.kind == Kind::Interim));
    }

    #[test]
    fn the_fitting_templates_are_the_matching_ones_most_specific_first() {
        let t = Templates::layered(FILE, None, &blocks()).expect("file");
        let ids = |k| {
            t.fitting(&appeal(), k)
                .iter()
                .map(|x| x.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(Some(Kind::Final)), ["roads_pits", "roads", "general"]);
        assert_eq!(ids(Some(Kind::Interim)), ["interim"]);
        let mut other = appeal();
        other.status = Status::New;
        other.category = None;
        assert_eq!(
            t.fitting(&other, Some(Kind::Final))
                .iter()
                .map(|x| x.id.as_str())
                .collect::<Vec<_>>(),
            ["roads", "general"]
        );
    }

    #[test]
    fn placeholders_are_filled_and_missing_values_are_hinted() {
        let a = appeal();
        let b = blocks();
        let now = Utc.with_ymd_and_hms(2026, 11, 5, 9, 0, 0).unwrap();
        let v = Values {
            appeal: &a,
            blocks: &b,
            tz: chrono_tz::Europe::Moscow,
            now,
            personal_data: false,
        };
        assert_eq!(
            fill(
                "№ {id} ({number}) от {received} — {settlement}, {block}; {author}; {address}; {date} {{x}}",
                &v
            )
            .expect("filled"),
            "№ IM-77 (5) от 02.11.2026 — Юркино, Дороги; [заявитель]; [адрес]; 05.11.2026 {x}"
        );
        let v = Values {
            personal_data: true,
            ..v
        };
        assert_eq!(fill("{author}", &v).expect("filled"), "Иванова М. А.");
    }

    #[test]
    fn an_unknown_placeholder_is_an_error_naming_the_file_and_template() {
        let bad = "[[template]]\nid = \"x1\"\nkind = \"final\"\ntext = \"Срок {dedline}\"\n";
        let e = Templates::layered(FILE, Some(("ws/templates.toml", bad)), &blocks())
            .expect_err("unknown placeholder");
        assert_eq!(e.file, "ws/templates.toml");
        assert!(
            e.what.contains("template «x1»") && e.what.contains("{dedline}"),
            "{e}"
        );
        let unclosed = "[[template]]\nid = \"x2\"\nkind = \"final\"\ntext = \"Срок {deadline\"\n";
        assert!(Templates::layered(FILE, Some(("w", unclosed)), &blocks()).is_err());
        let block = "[[template]]\nid = \"x3\"\nkind = \"final\"\nblock = \"moon\"\ntext = \"т\"\n";
        let e = Templates::layered(FILE, Some(("w", block)), &blocks()).expect_err("block");
        assert!(e.what.contains("moon"), "{e}");
        let kind = "[[template]]\nid = \"x4\"\nkind = \"maybe\"\ntext = \"т\"\n";
        assert!(Templates::layered(FILE, Some(("w", kind)), &blocks()).is_err());
    }

    #[test]
    fn the_workspace_layer_replaces_same_ids_and_adds_others() {
        let ws = "[check]\nmin_words = 5\n\n[[template]]\nid = \"roads\"\nkind = \"final\"\n\
                  block = \"roads\"\ntext = \"Своя дорога.\"\n\n[[template]]\nid = \"mine\"\n\
                  kind = \"interim\"\ntext = \"Своё.\"\n";
        let t = Templates::layered(FILE, Some(("w", ws)), &blocks()).expect("layered");
        assert_eq!(t.list.len(), 6);
        let roads = t.get("roads").expect("roads");
        assert_eq!(
            (roads.text.as_str(), roads.origin),
            ("Своя дорога.", Origin::Workspace)
        );
        assert_eq!(t.get("general").map(|x| x.origin), Some(Origin::Shipped));
        assert_eq!(t.get("mine").map(|x| x.origin), Some(Origin::Workspace));
        assert_eq!(t.check.min_words, 5);
    }

    #[test]
    fn an_entry_id_is_stable_and_positive() {
        assert_eq!(entry_id("roads_final"), entry_id("roads_final"));
        assert_ne!(entry_id("roads_final"), entry_id("roads_interim"));
        assert!(entry_id("x") > 0);
    }
}

//! Thematic blocks (ЖКХ, дороги, …): data from `data/blocks.toml`, not code, since the decree that
//! lists them may change.

use serde::Deserialize;

use super::text::fold;

/// One thematic block.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Block {
    /// Stable id used in files, the database and commands (`housing`, `roads`, …).
    pub id: String,
    /// Russian name shown to officers (`ЖКХ`, `Дороги`, …).
    pub name: String,
    /// Keywords (Russian word stems) that point to this block; used by auto-triage.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// The list of blocks in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocks {
    list: Vec<Block>,
}

#[derive(Deserialize)]
struct BlocksFile {
    block: Vec<Block>,
}

/// A problem in a blocks file.
#[derive(Debug, thiserror::Error)]
pub enum BlocksError {
    #[error("blocks: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("blocks: id «{0}» is listed twice")]
    DuplicateId(String),
    #[error("blocks: no block is defined")]
    Empty,
}

impl Blocks {
    /// Parses a blocks file: `[[block]] id = "…" name = "…" keywords = […]`.
    pub fn from_toml(src: &str) -> Result<Self, BlocksError> {
        let file: BlocksFile = toml::from_str(src)?;
        Self::new(file.block)
    }

    /// Builds the registry, refusing duplicate ids.
    pub fn new(list: Vec<Block>) -> Result<Self, BlocksError> {
        if list.is_empty() {
            return Err(BlocksError::Empty);
        }
        for (i, b) in list.iter().enumerate() {
            if list[..i].iter().any(|o| o.id == b.id) {
                return Err(BlocksError::DuplicateId(b.id.clone()));
            }
        }
        Ok(Self { list })
    }

    /// All blocks, in the file's order.
    pub fn all(&self) -> &[Block] {
        &self.list
    }

    /// The block with this id.
    pub fn get(&self, id: &str) -> Option<&Block> {
        self.list.iter().find(|b| b.id == id)
    }

    /// Finds a block by its id or its Russian name, ignoring case and ё/е.
    pub fn resolve(&self, s: &str) -> Option<&Block> {
        let f = fold(s);
        self.list.iter().find(|b| b.id == f || fold(&b.name) == f)
    }

    /// The Russian name of a block id, or the id itself when unknown.
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |b| b.name.as_str())
    }

    /// Comma-separated ids, for error messages.
    pub fn ids(&self) -> String {
        self.list
            .iter()
            .map(|b| b.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Blocks {
        Blocks::from_toml(
            r#"
[[block]]
id = "housing"
name = "ЖКХ"
[[block]]
id = "roads"
name = "Дороги"
"#,
        )
        .expect("valid")
    }

    #[test]
    fn resolves_by_id_and_by_russian_name() {
        let b = sample();
        assert_eq!(b.resolve("roads").map(|b| b.id.as_str()), Some("roads"));
        assert_eq!(b.resolve("дороги").map(|b| b.id.as_str()), Some("roads"));
        assert_eq!(b.resolve(" жкх ").map(|b| b.id.as_str()), Some("housing"));
        assert!(b.resolve("транспорт").is_none());
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let err = Blocks::from_toml(
            "[[block]]\nid = \"a\"\nname = \"A\"\n[[block]]\nid = \"a\"\nname = \"B\"\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("«a»"));
    }
}

/// The block whose keywords the text matches most (a keyword matches a word whose stem starts with
/// it), or `None` when no keyword matches. A plain lexicon baseline; auto-triage refines it.
pub fn suggest(blocks: &Blocks, text: &str) -> Option<String> {
    let n = super::text::SearchNormalizer::new();
    let stems = n.normalize(text);
    let words: Vec<&str> = stems.split(' ').collect();
    let mut best: Option<(usize, &Block)> = None;
    for b in blocks.all() {
        let hits = words
            .iter()
            .filter(|w| {
                b.keywords
                    .iter()
                    .any(|k| !k.is_empty() && w.starts_with(k.as_str()))
            })
            .count();
        if hits > 0 && best.is_none_or(|(h, _)| hits > h) {
            best = Some((hits, b));
        }
    }
    best.map(|(_, b)| b.id.clone())
}

#[cfg(test)]
mod suggest_tests {
    use super::*;

    #[test]
    fn the_block_with_most_keyword_hits_wins() {
        let b = Blocks::from_toml(super::super::super::reference::EMBEDDED_BLOCKS).unwrap();
        assert_eq!(
            suggest(&b, "Третий день нет отопления, батареи холодные").as_deref(),
            Some("housing")
        );
        assert_eq!(
            suggest(&b, "Огромные ямы на дороге").as_deref(),
            Some("roads")
        );
        assert_eq!(suggest(&b, "Спасибо вам").as_deref(), None);
    }
}

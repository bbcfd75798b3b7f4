//! The fictional okrug the demo appeals come from: its settlements and responsible recipients
//! (`data/settlements.toml`, `data/recipients.toml`, embedded) and made-up people.

use std::fmt::Write as _;

use serde::Deserialize;

use super::DemoError;
use super::rng::Rng;
use super::texts::{MEN, STREETS, SURNAMES, WOMEN};

/// The shipped settlements of the demo okrug.
pub const SETTLEMENTS_TOML: &str = include_str!("../../data/demo/settlements.toml");
/// The shipped responsible recipients of the demo okrug.
pub const RECIPIENTS_TOML: &str = include_str!("../../data/demo/recipients.toml");
/// The routing of the demo okrug's appeals to its recipients, written into the demo workspace as
/// its `routing.toml` (the shipped one names another okrug's recipients).
pub const ROUTING_TOML: &str = include_str!("../../data/demo/routing.toml");

/// One settlement as `data/settlements.toml` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Settlement {
    /// Official name with its type: «с. Сосновка».
    pub name: String,
    /// Inflected forms of the bare name: genitive, dative, accusative, instrumental,
    /// prepositional, then colloquial variants.
    #[serde(default)]
    pub forms: Vec<String>,
    /// How many people live there (weighs how many appeals it sends).
    #[serde(default)]
    pub population: Option<u32>,
}

/// One responsible recipient as `data/recipients.toml` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Recipient {
    pub name: String,
    /// Block ids it usually handles.
    #[serde(default)]
    pub blocks: Vec<String>,
}

#[derive(Deserialize)]
struct SettlementsFile {
    settlement: Vec<Settlement>,
}

#[derive(Deserialize)]
struct RecipientsFile {
    recipient: Vec<Recipient>,
}

/// Parses a settlements file (`[[settlement]] name = "…" forms = […]`).
pub fn parse_settlements(src: &str) -> Result<Vec<Settlement>, DemoError> {
    let f: SettlementsFile =
        toml::from_str(src).map_err(|e| DemoError::Data(format!("settlements: {e}")))?;
    if f.settlement.is_empty() {
        return Err(DemoError::Data("settlements: none listed".into()));
    }
    Ok(f.settlement)
}

/// Parses a recipients file (`[[recipient]] name = "…" blocks = […]`).
pub fn parse_recipients(src: &str) -> Result<Vec<Recipient>, DemoError> {
    let f: RecipientsFile =
        toml::from_str(src).map_err(|e| DemoError::Data(format!("recipients: {e}")))?;
    if f.recipient.is_empty() {
        return Err(DemoError::Data("recipients: none listed".into()));
    }
    Ok(f.recipient)
}

/// A settlement ready for text: official name, genitive and prepositional forms, where it is.
#[derive(Debug, Clone)]
pub(super) struct Place {
    pub official: String,
    pub genitive: String,
    pub dative: String,
    pub prepositional: String,
    pub lat: f64,
    pub lon: f64,
    /// The id of its community page in a social network (made up).
    pub group: u64,
}

/// Settlement type words that precede the bare name.
const TYPES: [&str; 6] = ["пгт ", "с. ", "п. ", "д. ", "пос. ", "х. "];

impl Place {
    fn new(s: &Settlement, index: usize) -> Self {
        let bare = TYPES
            .iter()
            .find_map(|t| s.name.strip_prefix(t))
            .unwrap_or(&s.name)
            .to_string();
        let form = |i: usize| s.forms.get(i).cloned().unwrap_or_else(|| bare.clone());
        // Spread the places over a made-up okrug of about 60 × 60 km.
        let golden = 0.618_033_988_75_f64;
        let fx = (index as f64 * golden).fract();
        let fy = (index as f64 * golden * golden * 3.0).fract();
        Self {
            official: s.name.clone(),
            genitive: form(0),
            dative: form(1),
            prepositional: form(4),
            lat: 57.95 + fx * 0.55,
            lon: 47.30 + fy * 1.00,
            group: 170_000_000 + index as u64 * 7_919,
        }
    }
}

/// The okrug: places with their weights, recipients by block.
#[derive(Debug, Clone)]
pub(super) struct World {
    pub places: Vec<Place>,
    pub place_weights: Vec<u32>,
    pub recipients: Vec<Recipient>,
}

impl World {
    pub fn new(settlements: &[Settlement], recipients: Vec<Recipient>) -> Self {
        let places = settlements
            .iter()
            .enumerate()
            .map(|(i, s)| Place::new(s, i))
            .collect();
        // Appeals grow slower than population: a village of 60 still writes.
        let place_weights = settlements
            .iter()
            .map(|s| (f64::from(s.population.unwrap_or(300)).sqrt() * 10.0) as u32 + 1)
            .collect();
        Self {
            places,
            place_weights,
            recipients,
        }
    }

    /// The administrative centre (the first settlement).
    pub fn centre(&self) -> &Place {
        &self.places[0]
    }

    /// A recipient for a block: the first one listed for it most often. `None` when no recipient
    /// handles the block.
    pub fn recipient_for(&self, block: &str, rng: &mut Rng) -> Option<&str> {
        let mut first = None;
        let mut count = 0usize;
        let mut chosen = None;
        for r in &self.recipients {
            if r.blocks.iter().any(|b| b == block) {
                if first.is_none() {
                    first = Some(r.name.as_str());
                }
                count += 1;
                // Reservoir sampling over the others.
                if rng.below(count) == 0 {
                    chosen = Some(r.name.as_str());
                }
            }
        }
        if rng.chance(0.55) { first } else { chosen }
    }
}

/// A made-up person: the parts of a name, with the gender agreed.
pub(super) struct Person {
    pub surname: String,
    pub first: &'static str,
    pub patronymic: &'static str,
}

impl Person {
    pub fn random(rng: &mut Rng) -> Self {
        let woman = rng.chance(0.58);
        let base = *rng.pick(SURNAMES);
        let (_, pat_m, pat_f) = *rng.pick(MEN);
        if woman {
            Self {
                surname: feminine(base),
                first: rng.word(WOMEN),
                patronymic: pat_f,
            }
        } else {
            Self {
                surname: base.to_string(),
                first: rng.pick(MEN).0,
                patronymic: pat_m,
            }
        }
    }

    /// «Смирнова Ирина Петровна».
    pub fn full(&self) -> String {
        format!("{} {} {}", self.surname, self.first, self.patronymic)
    }

    /// «Смирнова И. П.».
    pub fn initials(&self) -> String {
        let i = |s: &str| s.chars().next().unwrap_or('?');
        format!(
            "{} {}. {}.",
            self.surname,
            i(self.first),
            i(self.patronymic)
        )
    }

    /// «Ирина Смирнова», as a social network shows it.
    pub fn social(&self) -> String {
        format!("{} {}", self.first, self.surname)
    }

    /// «Ирина С.».
    pub fn short(&self) -> String {
        let i = self.surname.chars().next().unwrap_or('?');
        format!("{} {i}.", self.first)
    }
}

/// The feminine form of a Russian surname: Иванов → Иванова, Покровский → Покровская; surnames
/// that do not change (Седых, Бондаренко) stay as they are.
pub(super) fn feminine(surname: &str) -> String {
    if let Some(stem) = surname.strip_suffix("ский") {
        return format!("{stem}ская");
    }
    if ["ов", "ев", "ёв", "ин", "ын"]
        .iter()
        .any(|s| surname.ends_with(s))
    {
        return format!("{surname}а");
    }
    surname.to_string()
}

/// A made-up mobile number: «+7 9XX XXX XX XX».
pub(super) fn phone(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "+7 9{:02} {:03} {:02} {:02}",
        rng.below(100),
        rng.below(1000),
        rng.below(100),
        rng.below(100)
    );
}

/// A street of a settlement (index into `STREETS`).
pub(super) fn street(rng: &mut Rng) -> u16 {
    rng.below(STREETS.len()) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_parse_and_name_known_blocks() {
        let s = parse_settlements(SETTLEMENTS_TOML).expect("settlements");
        assert!(s.len() >= 25, "about 25 settlements");
        for x in &s {
            assert!(
                TYPES.iter().any(|t| x.name.starts_with(t)),
                "{} has a type",
                x.name
            );
            assert!(x.forms.len() >= 5, "{} has its case forms", x.name);
        }
        let r = parse_recipients(RECIPIENTS_TOML).expect("recipients");
        assert!(r.len() >= 12);
        let blocks =
            crate::domain::Blocks::from_toml(crate::reference::EMBEDDED_BLOCKS).expect("blocks");
        for b in blocks.all() {
            assert!(
                r.iter().any(|x| x.blocks.contains(&b.id)),
                "no recipient handles {}",
                b.id
            );
        }
        for x in &r {
            for b in &x.blocks {
                assert!(blocks.get(b).is_some(), "{}: unknown block {b}", x.name);
            }
        }
    }

    #[test]
    fn surnames_agree_with_gender() {
        assert_eq!(feminine("Иванов"), "Иванова");
        assert_eq!(feminine("Ильин"), "Ильина");
        assert_eq!(feminine("Покровский"), "Покровская");
        assert_eq!(feminine("Седых"), "Седых");
        assert_eq!(feminine("Бондаренко"), "Бондаренко");
    }

    #[test]
    fn places_have_their_forms() {
        let s = parse_settlements(SETTLEMENTS_TOML).expect("settlements");
        let p = Place::new(&s[2], 2);
        assert_eq!(p.official, "с. Сосновка");
        assert_eq!(p.genitive, "Сосновки");
        assert_eq!(p.prepositional, "Сосновке");
    }
}

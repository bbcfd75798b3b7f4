//! The duplicate pair scorer: how likely two appeals report the same problem.
//!
//! The text evidence ([`Weights::evidence`]: the IDF cosine and the rare stems both texts share,
//! settlement names left out — every appeal of a village names it) is combined with what the
//! appeals' metadata say: the same settlement (both known), the same block, and how many days
//! apart they came. The combination is a logistic regression fitted on the labelled pairs of
//! `data/triage_corpus/` (its train and validation parts and `duplicates.jsonl`; see
//! BENCHMARKS.md «Duplicate pairs»), so the score reads as a probability and the threshold of
//! `triage.toml` (`[duplicates] threshold`) was chosen on those pairs for precision.

use super::Indexed;
use super::features::Analysis;
use super::similarity::{KeyMap, KeySet, Signature, StemNorms, TextEvidence, Weights, stem_hash};
use crate::domain::text::SearchNormalizer;

/// What a problem is about, whichever words a citizen chose: «нет света» and «без электричества»
/// share the concept, though not a stem. Each line is one concept's words (stemmed at start).
const CONCEPTS: &[&[&str]] = &[
    &[
        "свет",
        "электричество",
        "электроэнергия",
        "энергетики",
        "электросети",
        "напряжение",
        "обесточили",
        "лэп",
        "провод",
        "провода",
        "трансформатор",
    ],
    &[
        "отопление",
        "котельная",
        "батареи",
        "тепло",
        "холодно",
        "мерзнем",
        "топят",
        "теплотрасса",
        "котел",
    ],
    &[
        "вода",
        "водопровод",
        "колонка",
        "водоснабжение",
        "скважина",
        "водовозка",
    ],
    &["канализация", "стоки", "септик", "канализационный"],
    &[
        "автобус",
        "рейс",
        "маршрутка",
        "маршрут",
        "расписание",
        "перевозчик",
        "остановка",
    ],
    &[
        "дорога",
        "асфальт",
        "яма",
        "ямы",
        "промоина",
        "колея",
        "колеи",
        "грейдер",
        "отсыпать",
        "обочина",
        "щебень",
        "проезд",
    ],
    &[
        "мусор",
        "контейнер",
        "контейнеры",
        "тко",
        "свалка",
        "регоператор",
    ],
    &["собаки", "собак", "стая", "бродячие", "отловить", "укусили"],
    &["фонари", "фонарь", "освещение", "темно"],
    &[
        "крыша",
        "кровля",
        "протекает",
        "течет",
        "протечка",
        "потолок",
    ],
    &[
        "школа",
        "школьный",
        "урок",
        "уроки",
        "учитель",
        "учителя",
        "класс",
        "классов",
    ],
    &["детский", "садик", "сад", "группа"],
    &["клуб", "культуры", "дк", "библиотека", "концерт", "хор"],
    &[
        "стадион",
        "площадка",
        "спортплощадка",
        "каток",
        "корт",
        "бассейн",
        "фок",
        "ворота",
        "кольцо",
        "хоккейная",
        "коробка",
    ],
    &["магазин", "продукты", "хлеб", "автолавка"],
    &["связь", "интернет", "вышка", "мобильная"],
    &["газ", "газом", "газовая", "газопровод"],
    &["мост", "мостик", "настил"],
    &[
        "полиция",
        "участковый",
        "пьяные",
        "драка",
        "воровство",
        "кражи",
        "воруют",
        "мопедах",
    ],
    &["зарплата", "зарплату", "выплаты", "платят"],
    &[
        "фап",
        "поликлиника",
        "врач",
        "аптека",
        "лекарства",
        "фельдшер",
    ],
    &["сайт", "портал", "ошибка"],
    &["налог", "тариф", "начисления", "плата", "перерасчет"],
];

/// The stems of the concepts (settlement names left out: «Красный Мост» is not a bridge).
#[derive(Debug, Clone, Default)]
pub struct Concepts {
    of: KeyMap<u32, u32>,
}

impl Concepts {
    /// Stems the concepts' words.
    pub fn new(normalizer: &SearchNormalizer, places: &KeySet<u32>) -> Self {
        let mut of = KeyMap::default();
        for (i, words) in CONCEPTS.iter().enumerate() {
            for w in *words {
                for s in Analysis::new(normalizer, w).content_stems() {
                    let h = stem_hash(s);
                    if !places.contains(&h) {
                        of.insert(h, 1u32 << i);
                    }
                }
            }
        }
        Self { of }
    }

    /// The concepts a signature names, as a bit set.
    pub fn of(&self, s: &Signature) -> u32 {
        s.stems
            .iter()
            .filter_map(|h| self.of.get(h))
            .fold(0, |a, b| a | b)
    }
}

/// What the scorer looks at for one pair.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PairFeatures {
    pub text: TextEvidence,
    /// Both settlements known and the same.
    pub same_place: bool,
    /// Both blocks known and the same.
    pub same_block: bool,
    /// Days between the two appeals.
    pub days: f32,
    /// Concepts both texts name.
    pub shared_concepts: u32,
    /// Both texts name concepts, and none is the same.
    pub other_concepts: bool,
}

/// What the scorer needs of one appeal's signature whatever it is compared with: its norms and
/// its concepts. Computed once per appeal ([`Precomputed::of`]) and kept beside it in a triage
/// run's window, instead of once per pair.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Precomputed {
    pub norms: StemNorms,
    /// [`Concepts::of`].
    pub concepts: u32,
}

impl Precomputed {
    pub fn of(weights: &Weights, concepts: &Concepts, s: &Signature) -> Self {
        Self {
            norms: weights.norms(s),
            concepts: concepts.of(s),
        }
    }
}

impl PairFeatures {
    /// The features of a pair of indexed appeals.
    /// `place` are the stems of the new appeal's settlement (left out of the text evidence).
    pub fn of(
        weights: &Weights,
        concepts: &Concepts,
        a: &Indexed,
        b: &Indexed,
        place: &[u32],
    ) -> Self {
        let pa = Precomputed::of(weights, concepts, &a.signature);
        let a_text = weights.text_norm(&a.signature, place);
        let pb = Precomputed::of(weights, concepts, &b.signature);
        Self::of_precomputed(weights, (a, &pa, a_text), (b, &pb), place)
    }

    /// [`PairFeatures::of`] from what was computed once per appeal: `a` with its
    /// [`Precomputed`] and its norm without `place` ([`Weights::text_norm`]), `b` with its
    /// [`Precomputed`]. The same features, bit for bit.
    pub fn of_precomputed(
        weights: &Weights,
        (a, pa, a_text): (&Indexed, &Precomputed, f32),
        (b, pb): (&Indexed, &Precomputed),
        place: &[u32],
    ) -> Self {
        let (ca, cb) = (pa.concepts, pb.concepts);
        Self {
            shared_concepts: (ca & cb).count_ones(),
            other_concepts: ca != 0 && cb != 0 && ca & cb == 0,
            text: weights.evidence_normed(&a.signature, a_text, &b.signature, pb.norms, place),
            same_place: a.settlement.is_some() && a.settlement == b.settlement,
            same_block: a.block.is_some() && a.block == b.block,
            days: (a.at - b.at).unsigned_abs() as f32 / 86_400.0,
        }
    }

    /// The inputs of the logistic regression, in the order of [`WEIGHTS`]. The days apart are
    /// not among them: the labelled pairs carry no reliable dates, so time counts only through
    /// the window.
    pub fn vector(&self) -> [f32; 10] {
        let flag = |b: bool| f32::from(u8::from(b));
        let cosine = self.text.cosine;
        let shared_idf = (self.text.shared_idf / 10.0).min(2.0);
        let concepts = (self.shared_concepts.min(3) as f32) / 3.0;
        let (place, block) = (flag(self.same_place), flag(self.same_block));
        [
            cosine,
            (self.text.shared.min(6) as f32) / 6.0,
            shared_idf,
            place,
            block,
            concepts,
            flag(self.other_concepts),
            cosine * place * block,
            shared_idf * place * block,
            concepts * place,
        ]
    }

    /// The probability that the pair is a duplicate, 0..1.
    pub fn score(&self) -> f32 {
        let z = self
            .vector()
            .iter()
            .zip(WEIGHTS)
            .fold(BIAS, |z, (x, w)| z + x * w);
        1.0 / (1.0 + (-z).exp())
    }
}

/// Fitted weights of [`PairFeatures::vector`] (logistic regression, L2 0.001, on the labelled
/// pairs of the corpus's train and validation parts and of `duplicates.jsonl`'s: 38 duplicates
/// against the 4,507 other pairs sharing a stem; BENCHMARKS.md «Duplicate pairs»).
const WEIGHTS: [f32; 10] = [
    0.2661, 0.1462, 0.5858, 1.5102, 0.9380, 0.7252, -0.7553, 0.5487, 1.4210, 1.1689,
];
const BIAS: f32 = -6.4062;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::triage::{Triage, TriageData};
    use crate::reference::Reference;

    fn shipped() -> Triage {
        let r = Reference::embedded().unwrap();
        Triage::build(&r.blocks, &TriageData::embedded().unwrap(), &[])
    }

    fn appeal(t: &Triage, id: i64, day: i64, place: &str, block: &str, text: &str) -> Indexed {
        Indexed {
            id,
            at: day * 86_400,
            settlement: Some(place.into()),
            block: Some(block.into()),
            author: None,
            signature: t.signature(text),
        }
    }

    #[test]
    fn other_words_for_the_same_problem_share_a_concept() {
        let t = shipped();
        let a = appeal(
            &t,
            1,
            0,
            "д. Кумья",
            "housing",
            "в кумье нет света с обеда, вся улица",
        );
        let b = appeal(
            &t,
            2,
            0,
            "д. Кумья",
            "housing",
            "Кумья без электричества уже часов пять",
        );
        let c = appeal(
            &t,
            3,
            0,
            "д. Кумья",
            "housing",
            "в кумье не вывозят мусор, контейнеры полные",
        );
        let same = t.pair_features(&b, &a);
        let other = t.pair_features(&c, &a);
        assert_eq!(same.shared_concepts, 1);
        assert!(!same.other_concepts);
        assert!(other.other_concepts, "light against garbage");
        assert!(same.score() > other.score());
    }

    #[test]
    fn a_settlement_name_alone_is_no_evidence() {
        let t = shipped();
        let a = appeal(
            &t,
            1,
            0,
            "с. Юксары",
            "roads",
            "В Юксарах на дороге огромная яма",
        );
        let b = appeal(
            &t,
            2,
            1,
            "с. Юксары",
            "culture",
            "в юксарах клуб закрыт уже месяц",
        );
        let f = t.pair_features(&b, &a);
        assert_eq!(f.text.shared, 0, "«юксар» is the village, not the problem");
        assert_eq!(f.text.cosine, 0.0);
        // The plain cosine of the stems still sees the shared village name.
        assert!(t.similarity(&a.signature, &b.signature) > 0.0);
    }

    #[test]
    fn the_score_rises_with_the_same_place_and_block() {
        let t = shipped();
        let text_a = "на стадионе в килемарах дыра в заборе, собаки всё поле загадили";
        let text_b = "Сломан забор у стадиона в Килемарах, собаки бегают по полю";
        let a = appeal(&t, 1, 0, "пгт Килемары", "sport", text_a);
        let b = appeal(&t, 2, 2, "пгт Килемары", "sport", text_b);
        let mut elsewhere = b.clone();
        elsewhere.block = Some("roads".into());
        let close = t.pair_features(&b, &a).score();
        assert!(close > t.pair_features(&elsewhere, &a).score());
        assert!(close >= t.settings().duplicates.threshold, "{close}");
    }

    #[test]
    fn the_judge_proposes_the_best_match_with_its_score_and_nothing_below_the_threshold() {
        let t = shipped();
        let new = appeal(
            &t,
            10,
            3,
            "пгт Килемары",
            "sport",
            "Сломан забор у стадиона в Килемарах, собаки бегают по полю",
        );
        let weak = appeal(
            &t,
            1,
            0,
            "пгт Килемары",
            "sport",
            "на стадионе в килемарах нет света",
        );
        let strong = appeal(
            &t,
            2,
            1,
            "пгт Килемары",
            "sport",
            "на стадионе в килемарах дыра в заборе, собаки всё поле загадили",
        );
        let v = t.judge(&new, &[weak.clone(), strong.clone()]);
        let link = v.duplicate_of.expect("a duplicate is proposed");
        assert_eq!(link.id, strong.id);
        assert_eq!(link.score, t.pair_features(&new, &strong).score());
        // Alone, the weak candidate is below the threshold: nothing is proposed.
        assert!(t.pair_features(&new, &weak).score() < t.settings().duplicates.threshold);
        assert_eq!(t.judge(&new, &[weak]).duplicate_of, None);
        // Another village: never, however similar the text.
        let mut there = strong;
        there.settlement = Some("с. Арда".into());
        assert_eq!(t.judge(&new, &[there]).duplicate_of, None);
    }

    #[test]
    fn a_settlement_the_gazetteer_does_not_know_is_no_evidence_either() {
        // The demo's villages are not the okrug's: «Знаменка» is in no settlements.toml.
        let t = shipped();
        let a = appeal(
            &t,
            1,
            0,
            "п. Знаменка",
            "housing",
            "Контейнеры у магазина в Знаменке горят",
        );
        let b = appeal(
            &t,
            2,
            1,
            "п. Знаменка",
            "housing",
            "Прошу восстановить давление воды на ул. Вокзальной Знаменки",
        );
        let f = t.pair_features(&b, &a);
        assert_eq!(f.text.shared, 0, "{f:?}");
        assert_eq!(t.judge(&b, &[a]).duplicate_of, None);
    }
}

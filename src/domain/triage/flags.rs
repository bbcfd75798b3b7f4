//! Urgency and conflict as learned classifiers, combined with the rules of [`super::detectors`].
//!
//! Each flag is a binary logistic regression over the block classifier's features (stems, stem
//! pairs, character n-grams) plus cues that carry over to texts never seen: negation scope
//! («нет воды», «не топят» against «вода есть, но ржавая»), what is missing (тепло, вода, свет,
//! газ, лекарства), who is at risk (дети, пожилые, инвалид), numbers with units (temperatures,
//! durations), the tone of the text, and the rule detector's own verdict and score. It is trained
//! at start, deterministically, from the `train` part of the shipped corpus
//! (`data/triage_corpus/appeals.jsonl`) and the seeds; its scores are calibrated (Platt scaling)
//! on the `validation` part, and the threshold is chosen there ([`Goal`]): for urgent, the best F2
//! among those keeping a recall of [`TARGET_RECALL`]; for conflict, the best F1. The `test` part is
//! never looked at.

use super::detectors::Flag;
use super::features::{Analysis, FeatureVec, hash};
use super::model::{Method, Model, Sample, TrainParams};
use crate::domain::text::{is_letter, is_letter_or_digit};

/// Recall on the validation part the threshold is chosen for.
pub const TARGET_RECALL: f64 = 0.97;

/// Resources whose absence makes an appeal urgent: (label, stem prefixes).
const RESOURCES: &[(&str, &[&str])] = &[
    (
        "heat",
        &["тепл", "отоп", "топ", "батар", "котельн", "теплотрасс"],
    ),
    (
        "water",
        &[
            "вод",
            "водоснабж",
            "водопровод",
            "колонк",
            "скважин",
            "кран",
        ],
    ),
    ("power", &["свет", "электр", "электричеств", "напряж"]),
    ("gas", &["газ"]),
    (
        "meds",
        &["лекарств", "инсулин", "препарат", "таблетк", "лекарствен"],
    ),
    ("road", &["проезд", "проехат", "дорог"]),
    ("help", &["скор", "врач", "фельдшер", "помощ"]),
];

/// Words that negate or say something is missing or broken.
const NEGATORS: &[&str] = &[
    "нет",
    "не",
    "без",
    "ни",
    "нету",
    "отключили",
    "отключен",
    "отключено",
    "отключена",
    "отключили",
    "пропал",
    "пропала",
    "пропало",
    "отрезали",
    "перекрыли",
    "кончились",
    "закончились",
    "закончилось",
    "сломался",
    "сломалась",
    "сломан",
    "замерзла",
    "замерз",
    "перемерзла",
    "лопнула",
    "прорвало",
    "прорыв",
    "порыв",
    "авария",
    "аварии",
    "ничего",
    "ледяные",
    "ледяная",
    "ледяной",
];

/// Words that say something is there (after a resource: «вода есть»).
const PRESENT: &[&str] = &[
    "есть",
    "горячие",
    "горячая",
    "теплые",
    "работают",
    "дали",
    "включили",
    "восстановили",
    "появилась",
    "появился",
    "идет",
    "работает",
    "топят",
];

/// Danger told without the lexicon's words: (label, stem prefixes) — sparking wires, a smell of gas
/// or smoke, something collapsing, a sick person, a cold home.
const HAZARDS: &[(&str, &[&str])] = &[
    ("spark", &["искр", "оголен", "оборва", "коротн", "замыкан"]),
    ("smell", &["запах", "пахнет", "воняет", "дым", "угар"]),
    (
        "collapse",
        &[
            "обвал",
            "обруш",
            "провал",
            "рухн",
            "треснул",
            "падает",
            "шата",
        ],
    ),
    (
        "sick",
        &["кашля", "задыха", "температур", "приступ", "сердц"],
    ),
    (
        "cold",
        &["мерзн", "мерзнем", "замерза", "ледян", "холодин", "дубак"],
    ),
];

/// Words that say a missing thing came back (past tense: «свет дали»), and thanks for it.
const RESTORED: &[&str] = &[
    "дали",
    "включили",
    "восстановили",
    "починили",
    "устранили",
    "подключили",
    "исправили",
    "наладили",
];
const THANKS: &[&str] = &["спасибо", "благодарю", "благодарим", "благодарность"];

/// Who is at risk: (label, stem prefixes).
const AT_RISK: &[(&str, &[&str])] = &[
    (
        "child",
        &[
            "дет",
            "ребен",
            "ребят",
            "малыш",
            "младен",
            "грудн",
            "школьник",
            "сын",
            "доч",
        ],
    ),
    (
        "elderly",
        &[
            "пожил",
            "бабушк",
            "дедушк",
            "пенсионер",
            "старик",
            "старушк",
            "ветеран",
            "престарел",
        ],
    ),
    (
        "disabled",
        &[
            "инвалид",
            "лежач",
            "колясоч",
            "больн",
            "онколог",
            "диализ",
            "беремен",
        ],
    ),
];

/// Time units: (label, stem prefixes).
const UNITS: &[(&str, &[&str])] = &[
    ("hour", &["час"]),
    (
        "day",
        &["день", "дня", "дней", "сутк", "суток", "ден", "сут"],
    ),
    ("week", &["недел"]),
    ("month", &["месяц", "месяцa"]),
    ("year", &["год", "лет"]),
];

const ORDINALS: &[&str] = &[
    "второй",
    "второе",
    "вторые",
    "вторую",
    "третий",
    "третьи",
    "третью",
    "третье",
    "четвертый",
    "четвертые",
    "четвертую",
    "пятый",
    "пятые",
    "пятую",
    "шестой",
    "который",
    "которые",
    "которую",
    "несколько",
    "целый",
    "целые",
    "целую",
    "два",
    "две",
    "три",
    "четыре",
    "пять",
    "неделю",
];

fn starts(s: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| s.starts_with(p))
}

/// Signed numbers with their unit in the raw text: temperatures (`+12`, `12 градусов`, `минус 30`).
fn temperatures(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let Ok(n) = chars[start..i].iter().collect::<String>().parse::<i32>() else {
            continue;
        };
        let before: String = chars[start.saturating_sub(7)..start]
            .iter()
            .collect::<String>()
            .to_lowercase();
        let after: String = chars[i..(i + 9).min(chars.len())]
            .iter()
            .collect::<String>()
            .to_lowercase();
        let sign_minus = before.trim_end().ends_with('-')
            || before.trim_end().ends_with('−')
            || before.trim_end().ends_with('–')
            || before.contains("минус");
        let sign_plus = before.trim_end().ends_with('+') || before.contains("плюс");
        let degree = after.trim_start().starts_with('°') || after.trim_start().starts_with("град");
        // A sign right after a letter is a hyphen («5-й»), not a sign.
        let hyphen = start >= 2 && chars[start - 1] == '-' && is_letter_or_digit(chars[start - 2]);
        if (sign_plus || sign_minus || degree) && !hyphen && n <= 60 {
            out.push(if sign_minus { -n } else { n });
        }
    }
    out
}

/// Whether some resource is said to be missing, and whether some is said to be there
/// («вода есть», «батареи горячие», «свет дали»).
#[allow(clippy::needless_range_loop)] // positions index words and stems together
pub fn resource_states(a: &Analysis) -> (bool, bool) {
    let words = &a.words;
    let n = words.len();
    let (mut missing, mut present) = (false, false);
    for (_, prefixes) in RESOURCES {
        for i in 0..n {
            if !starts(&a.stems[i], prefixes) {
                continue;
            }
            let lo = i.saturating_sub(3);
            let hi = (i + 4).min(n);
            if (lo..hi).any(|j| j != i && NEGATORS.contains(&words[j].as_str())) {
                missing = true;
            } else if (lo..hi).any(|j| j != i && PRESENT.contains(&words[j].as_str())) {
                present = true;
            }
        }
    }
    (missing, present)
}

/// The cue features of one text (hashed in their own namespace), each of weight `w`.
#[allow(clippy::needless_range_loop)] // positions index words and stems together
pub fn cues(text: &str, a: &Analysis, rule: &Flag, rule_name: &str) -> Vec<(u32, f32)> {
    let mut keys: Vec<String> = Vec::new();
    let words = &a.words;
    let stems = &a.stems;
    let n = words.len();
    // Negation scope: the next three stems after a negator, up to a comma-free «но».
    for i in 0..n {
        let w = words[i].as_str();
        if NEGATORS.contains(&w) {
            for j in i + 1..(i + 4).min(n) {
                if words[j] == "но" || words[j] == "а" {
                    break;
                }
                keys.push(format!("neg:{}", stems[j]));
            }
            // «воды нет»: the negator after the resource.
            if i > 0 {
                keys.push(format!("negb:{}", stems[i - 1]));
            }
        }
        if w == "но" || w == "однако" || w == "хотя" {
            for j in i + 1..(i + 4).min(n) {
                keys.push(format!("but:{}", stems[j]));
            }
        }
    }
    // What is missing, what is there.
    for (label, prefixes) in RESOURCES {
        for i in 0..n {
            if !starts(&stems[i], prefixes) {
                continue;
            }
            keys.push(format!("res:{label}"));
            let lo = i.saturating_sub(3);
            let hi = (i + 4).min(n);
            let negated = (lo..hi).any(|j| j != i && NEGATORS.contains(&words[j].as_str()));
            let present = (lo..hi).any(|j| j != i && PRESENT.contains(&words[j].as_str()))
                && !(lo..hi).any(|j| words[j] == "не" || words[j] == "нет");
            if negated {
                keys.push(format!("missing:{label}"));
                keys.push("missing".into());
            }
            if present {
                keys.push(format!("present:{label}"));
            }
        }
    }
    // Who is at risk.
    let mut risk = false;
    for (label, prefixes) in AT_RISK {
        if stems.iter().any(|s| starts(s, prefixes)) {
            keys.push(format!("risk:{label}"));
            risk = true;
        }
    }
    if risk && keys.iter().any(|k| k == "missing") {
        keys.push("risk&missing".into());
    }
    // Danger in the citizen's own words (on folded words: the stems of «искрят» and «искры» differ).
    let mut hazard = false;
    for (label, prefixes) in HAZARDS {
        if words.iter().any(|w| starts(w, prefixes)) {
            keys.push(format!("hazard:{label}"));
            hazard = true;
        }
    }
    if hazard && risk {
        keys.push("hazard&risk".into());
    }
    // Something came back («свет дали, спасибо»): a past trouble, not a present one.
    let restored = words.iter().any(|w| RESTORED.contains(&w.as_str()));
    if restored {
        keys.push("restored".into());
        if words.iter().any(|w| THANKS.contains(&w.as_str())) {
            keys.push("restored&thanks".into());
        }
    }
    // Durations: «второй день», «3 суток», «неделю», «с утра».
    for i in 0..n {
        for (label, prefixes) in UNITS {
            if !starts(&words[i], prefixes) {
                continue;
            }
            let counted = i > 0
                && (ORDINALS.contains(&words[i - 1].as_str())
                    || words[i - 1].chars().all(|c| c.is_ascii_digit()));
            if counted {
                keys.push(format!("dur:{label}"));
            } else {
                keys.push(format!("unit:{label}"));
            }
        }
    }
    for (x, y) in [
        ("с", "утра"),
        ("со", "вчерашнего"),
        ("с", "вечера"),
        ("с", "ночи"),
        ("уже", "сутки"),
    ] {
        if words.windows(2).any(|p| p[0] == x && p[1] == y) {
            keys.push("dur:since".into());
        }
    }
    // How the appellant speaks of the authority (conflict told without swear words).
    keys.extend(tone_cues(text, a));
    // Temperatures.
    for t in temperatures(text) {
        keys.push(
            match t {
                t if t <= -20 => "temp:frost",
                t if t < 0 => "temp:minus",
                t if t <= 15 => "temp:cold_room",
                t if t <= 18 => "temp:cool_room",
                t if t >= 35 => "temp:hot",
                _ => "temp:other",
            }
            .into(),
        );
    }
    // Tone: capitals, exclamations, questions.
    let letters = text.chars().filter(|&c| is_letter(c)).count();
    let caps = text.chars().filter(|c| c.is_uppercase()).count();
    if letters > 20 && caps * 2 > letters {
        keys.push("tone:caps".into());
    }
    let bangs = text.matches('!').count();
    if bangs >= 3 {
        keys.push("tone:bangs3".into());
    } else if bangs > 0 {
        keys.push("tone:bang".into());
    }
    if text.contains('?') {
        keys.push("tone:question".into());
    }
    keys.push(
        match n {
            0..=12 => "len:short",
            13..=40 => "len:mid",
            41..=120 => "len:long",
            _ => "len:letter",
        }
        .into(),
    );
    // The rules' verdict.
    if rule.raised {
        keys.push(format!("rule:{rule_name}"));
    }
    let bucket = (rule.score * 2.0).floor().clamp(0.0, 6.0) as u8;
    keys.push(format!("rulescore:{rule_name}:{bucket}"));
    for r in &rule.reasons {
        keys.push(format!("reason:{r}"));
    }
    keys.sort();
    keys.dedup();
    let w = 1.0 / (keys.len().max(1) as f32).sqrt() * 1.5;
    keys.iter().map(|k| (hash(b'q', &[k]), w)).collect()
}

/// Cues of a conflict told politely or without swear words: the count of earlier appeals («третий
/// раз», «повторно»), a long wait («до сих пор», «полгода»), broken promises, a formal answer
/// («отписка», «шаблон»), demands (проверка, прокуратура), rhetorical questions to the authority;
/// and the courtesy that usually goes with a plain request («подскажите», «спасибо»).
pub fn tone_cues(text: &str, a: &Analysis) -> Vec<String> {
    const REPEAT: &[&str] = &[
        "повторно",
        "вновь",
        "снова",
        "опять",
        "очередной",
        "очередную",
    ];
    const COUNTED: &[&str] = &[
        "второй",
        "третий",
        "четвертый",
        "пятый",
        "шестой",
        "десятый",
        "который",
        "очередной",
    ];
    const FORMAL: &[&str] = &[
        "отписк",
        "формальн",
        "шаблон",
        "отфутбол",
        "тишин",
        "молч",
        "игнор",
        "пуст",
    ];
    const DEMAND: &[&str] = &[
        "требу",
        "прокурат",
        "провер",
        "привлеч",
        "наказ",
        "жалоб",
        "жалу",
        "безобраз",
        "позор",
        "стыд",
        "издева",
    ];
    const WH: &[&str] = &[
        "кто",
        "где",
        "зачем",
        "сколько",
        "почему",
        "куда",
        "когда",
        "чья",
        "чье",
    ];
    const YOU: &[&str] = &["вы", "вам", "вас", "ваш", "ваши", "вашей", "вами"];
    const POLITE: &[&str] = &[
        "подскажите",
        "пожалуйста",
        "спасибо",
        "благодарю",
        "благодарим",
    ];
    let words = &a.words;
    let stems = &a.stems;
    let mut keys = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let w = w.as_str();
        if REPEAT.contains(&w) {
            keys.push("conf:repeat".to_string());
        }
        if (w == "раз" || w == "раза")
            && i > 0
            && (COUNTED.contains(&words[i - 1].as_str())
                || words[i - 1].chars().all(|c| c.is_ascii_digit()))
        {
            keys.push("conf:times".to_string());
        }
        if w == "полгода" || (w == "сих" && i > 0 && words[i - 1] == "до") {
            keys.push("conf:wait".to_string());
        }
        if w == "так" && words.get(i + 1).is_some_and(|n| n == "и") {
            keys.push("conf:wait".to_string());
        }
        if YOU.contains(&w) {
            keys.push("conf:you".to_string());
        }
        if POLITE.contains(&w) {
            keys.push("conf:polite".to_string());
        }
        if text.contains('?') && WH.contains(&w) {
            keys.push("conf:rhetoric".to_string());
        }
    }
    for st in stems {
        if st.starts_with("обеща") {
            keys.push("conf:promise".to_string());
        }
        if starts(st, FORMAL) {
            keys.push("conf:formal".to_string());
        }
        if starts(st, DEMAND) {
            keys.push("conf:demand".to_string());
        }
    }
    if keys.iter().any(|k| k == "conf:you") && keys.iter().any(|k| k == "conf:rhetoric") {
        keys.push("conf:you&rhetoric".to_string());
    }
    keys
}

/// The features of one text for a flag: the block features plus the cues.
pub fn flag_features(base: &FeatureVec, cue_pairs: Vec<(u32, f32)>) -> FeatureVec {
    let mut pairs: Vec<(u32, f32)> = base
        .idx
        .iter()
        .copied()
        .zip(base.val.iter().copied())
        .collect();
    pairs.extend(cue_pairs);
    FeatureVec::from_pairs(pairs)
}

/// What a flag's threshold is chosen for on the validation part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Keep at least this recall (urgent: a missed danger is the most expensive mistake).
    Recall(f64),
    /// The best F1 (conflict: its target is F1, not recall).
    BestF1,
}

/// A trained flag: the model, its calibration and its threshold.
#[derive(Debug, Clone)]
pub struct FlagModel {
    model: Model,
    /// Platt scaling `p = σ(a·s + b)` of the raw log-odds `s`.
    platt: (f32, f32),
    /// Raise the flag at or above this calibrated probability.
    pub threshold: f32,
    /// Whether the model was trained at all (examples of both kinds).
    pub trained: bool,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl FlagModel {
    /// Trains on `train` (x, label, weight), calibrates and chooses the threshold on `validation`.
    pub fn train(
        train: &[(FeatureVec, bool, f32)],
        validation: &[(FeatureVec, bool)],
        goal: Goal,
    ) -> Self {
        let positives: f32 = train.iter().filter(|t| t.1).map(|t| t.2).sum();
        let negatives: f32 = train.iter().filter(|t| !t.1).map(|t| t.2).sum();
        let trained = positives > 0.0 && negatives > 0.0;
        // Balance the classes so that the rarer one is not drowned.
        let pos_w = if trained {
            (negatives / positives).clamp(1.0, 4.0)
        } else {
            1.0
        };
        let samples: Vec<Sample> = train
            .iter()
            .map(|(x, y, w)| Sample {
                x: x.clone(),
                y: usize::from(*y),
                weight: w * if *y { pos_w } else { 1.0 },
            })
            .collect();
        let params = TrainParams {
            method: Method::Logistic,
            epochs: 30,
            learning_rate: 0.5,
            l2: 1e-4,
            seed: 11,
            ..TrainParams::default()
        };
        let model = Model::train(2, &samples, &params);
        let mut m = Self {
            model,
            platt: (1.0, 0.0),
            threshold: 0.5,
            trained,
        };
        if !trained {
            return m;
        }
        let raw: Vec<(f32, bool)> = validation.iter().map(|(x, y)| (m.raw(x), *y)).collect();
        if raw.iter().any(|r| r.1) && raw.iter().any(|r| !r.1) {
            m.platt = platt(&raw);
            let probs: Vec<(f32, bool)> = raw.iter().map(|(s, y)| (m.calibrate(*s), *y)).collect();
            m.threshold = match goal {
                Goal::Recall(r) => choose_threshold(&probs, r),
                Goal::BestF1 => best_f1_threshold(&probs),
            };
        }
        m
    }

    fn raw(&self, x: &FeatureVec) -> f32 {
        let mut s = [0.0f32; 2];
        self.model.scores_into(x, &mut s);
        s[1] - s[0]
    }

    fn calibrate(&self, s: f32) -> f32 {
        sigmoid(self.platt.0 * s + self.platt.1)
    }

    /// The calibrated probability that the flag holds.
    pub fn probability(&self, x: &FeatureVec) -> f32 {
        if !self.trained {
            return 0.0;
        }
        self.calibrate(self.raw(x))
    }
}

/// Fits Platt's `σ(a·s + b)` by gradient descent on the log-loss (with Platt's target smoothing).
fn platt(raw: &[(f32, bool)]) -> (f32, f32) {
    let np = raw.iter().filter(|r| r.1).count() as f32;
    let nn = raw.len() as f32 - np;
    let hi = (np + 1.0) / (np + 2.0);
    let lo = 1.0 / (nn + 2.0);
    let (mut a, mut b) = (1.0f32, 0.0f32);
    let n = raw.len().max(1) as f32;
    for _ in 0..2000 {
        let (mut ga, mut gb) = (0.0f32, 0.0f32);
        for &(s, y) in raw {
            let t = if y { hi } else { lo };
            let p = sigmoid(a * s + b);
            ga += (p - t) * s;
            gb += p - t;
        }
        a -= 0.1 * ga / n;
        b -= 0.1 * gb / n;
    }
    (a, b)
}

/// The threshold with the best F2 (recall weighs four times precision) among those whose recall on
/// `probs` is at least `target`, or, if none keeps it, the one of the best F2 overall.
pub fn choose_threshold(probs: &[(f32, bool)], target: f64) -> f32 {
    let mut cands: Vec<f32> = probs.iter().map(|p| p.0 - 1e-4).collect();
    cands.sort_by(f32::total_cmp);
    let total_pos = probs.iter().filter(|p| p.1).count().max(1) as f64;
    let mut best: Option<(bool, f64, f32)> = None;
    for t in cands {
        let tp = probs.iter().filter(|p| p.1 && p.0 >= t).count() as f64;
        let fp = probs.iter().filter(|p| !p.1 && p.0 >= t).count() as f64;
        let recall = tp / total_pos;
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let f2 = if tp > 0.0 {
            5.0 * precision * recall / (4.0 * precision + recall)
        } else {
            0.0
        };
        let key = (recall >= target, f2, t);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    best.map_or(0.5, |b| b.2.clamp(0.01, 0.99))
}

/// The threshold of the best F1 on `probs` (the highest of equal ones).
pub fn best_f1_threshold(probs: &[(f32, bool)]) -> f32 {
    let mut cands: Vec<f32> = probs.iter().map(|p| p.0 - 1e-4).collect();
    cands.sort_by(f32::total_cmp);
    let mut best: Option<(f64, f32)> = None;
    for t in cands {
        let tp = probs.iter().filter(|p| p.1 && p.0 >= t).count() as f64;
        let fp = probs.iter().filter(|p| !p.1 && p.0 >= t).count() as f64;
        let fn_ = probs.iter().filter(|p| p.1 && p.0 < t).count() as f64;
        let f1 = if tp > 0.0 {
            2.0 * tp / (2.0 * tp + fp + fn_)
        } else {
            0.0
        };
        if best.is_none_or(|b| f1 >= b.0) {
            best = Some((f1, t));
        }
    }
    best.map_or(0.5, |b| b.1.clamp(0.01, 0.99))
}

/// The highest threshold whose recall on `probs` is at least `target`.
pub fn threshold_for_recall(probs: &[(f32, bool)], target: f64) -> f32 {
    let mut pos: Vec<f32> = probs.iter().filter(|p| p.1).map(|p| p.0).collect();
    if pos.is_empty() {
        return 0.5;
    }
    pos.sort_by(|a, b| b.total_cmp(a));
    let need = ((pos.len() as f64) * target).ceil() as usize;
    let idx = need.clamp(1, pos.len()) - 1;
    // Just below the probability of the last positive that must be kept.
    (pos[idx] - 1e-4).clamp(0.01, 0.99)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::SearchNormalizer;

    fn keys_of(text: &str) -> Vec<u32> {
        let a = Analysis::new(&SearchNormalizer::new(), text);
        cues(text, &a, &Flag::default(), "u")
            .into_iter()
            .map(|p| p.0)
            .collect()
    }

    fn has(text: &str, key: &str) -> bool {
        keys_of(text).contains(&hash(b'q', &[key]))
    }

    #[test]
    fn absence_is_told_from_presence() {
        assert!(has("второй день нет воды", "missing:water"));
        assert!(has("воды нет с утра", "missing:water"));
        assert!(!has("вода есть, но ржавая", "missing:water"));
        assert!(has("вода есть, но ржавая", "present:water"));
        assert!(has("не топят уже неделю", "neg:топ"));
    }

    #[test]
    fn danger_in_own_words() {
        assert!(has("провода искрят у подъезда", "hazard:spark"));
        assert!(has("батареи ледяные, ребёнок кашляет", "hazard&risk"));
        assert!(has("батареи ледяные, ребёнок кашляет", "missing:heat"));
        assert!(has("из крана ничего", "missing:water"));
        assert!(has("в подъезде пахнет газом", "hazard:smell"));
        // A misleading one: the words of a hazard without anyone at risk.
        assert!(!has("провода искрят у подъезда", "hazard&risk"));
        assert!(!has("прошу покрасить трубы газопровода", "hazard:smell"));
    }

    #[test]
    fn restored_is_not_missing_now() {
        assert!(has("свет дали, спасибо", "restored&thanks"));
        assert!(!has("свет дали, спасибо", "missing:power"));
        assert!(has("воду вчера починили, но напор слабый", "restored"));
        assert!(!has("второй день нет воды", "restored"));
        // Thanks alone is not a restoration.
        assert!(!has(
            "спасибо заранее, третий день нет света",
            "restored&thanks"
        ));
    }

    #[test]
    fn resources_there_and_missing() {
        let st = |t: &str| resource_states(&Analysis::new(&SearchNormalizer::new(), t));
        assert_eq!(
            st("свет дали, спасибо, только фонарь у дома не горит"),
            (false, true)
        );
        assert_eq!(st("вода есть, но ржавая"), (false, true));
        assert_eq!(
            st("В школе дети мёрзнут из-за щелей в окнах, хотя батареи горячие"),
            (false, true)
        );
        assert_eq!(st("второй день нет воды"), (true, false));
    }

    #[test]
    fn durations_temperatures_and_people_at_risk() {
        assert!(has("второй день нет воды", "dur:day"));
        assert!(has("3 суток без света", "dur:day"));
        assert!(has("в квартире +12, дети болеют", "temp:cold_room"));
        assert!(has("на улице минус 30", "temp:frost"));
        assert!(has("в квартире 14 градусов", "temp:cold_room"));
        assert!(!has("дом 5-й по улице", "temp:cold_room"));
        assert!(has("лежачая бабушка без света", "risk:elderly"));
        assert!(has("лежачая бабушка без света", "risk&missing"));
    }

    #[test]
    fn tone_cues_count_the_earlier_appeals_not_the_courtesy() {
        let cues = |t: &str| tone_cues(t, &Analysis::new(&SearchNormalizer::new(), t));
        let c = cues("Третий раз обращаюсь. Ответы формальные, обещали ещё весной.");
        for k in ["conf:times", "conf:formal", "conf:promise"] {
            assert!(c.iter().any(|x| x == k), "{k}: {c:?}");
        }
        let c = cues("Кто вам дал право так отвечать? Вы вообще читаете?");
        assert!(c.iter().any(|x| x == "conf:you&rhetoric"), "{c:?}");
        // Misleading: «раз в неделю» is a frequency, not a count of appeals; a polite question has
        // «когда» and «?» but does not address the authority.
        let c = cues("Подскажите, пожалуйста, автобус ходит раз в неделю? Когда следующий?");
        assert!(!c.iter().any(|x| x == "conf:times"), "{c:?}");
        assert!(!c.iter().any(|x| x == "conf:you&rhetoric"), "{c:?}");
        assert!(c.iter().any(|x| x == "conf:polite"), "{c:?}");
    }

    #[test]
    fn the_conflict_threshold_is_the_best_f1() {
        let probs = [
            (0.9, true),
            (0.8, true),
            (0.6, false),
            (0.5, true),
            (0.2, false),
            (0.1, false),
        ];
        // At 0.8: P 1, R 2/3 (F1 0.8); at 0.5: P 3/4, R 1 (F1 0.857); at 0.2: F1 0.75.
        let t = best_f1_threshold(&probs);
        assert!(t <= 0.5 && t > 0.2, "{t}");
    }

    #[test]
    fn the_threshold_keeps_the_recall() {
        let probs = [
            (0.9, true),
            (0.8, true),
            (0.3, true),
            (0.7, false),
            (0.1, false),
        ];
        let t = threshold_for_recall(&probs, 0.6);
        assert!(t <= 0.8 && t > 0.7, "{t}");
        let t = threshold_for_recall(&probs, 1.0);
        assert!(t <= 0.3, "{t}");
    }
}

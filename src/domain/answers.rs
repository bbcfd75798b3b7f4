//! The formal-reply check («отписка»): reads an answer's text and proposes the МЦУ's grade with
//! its reasons, in Russian, for the officer to confirm.
//!
//! The criteria follow the regional «Единые критерии направления ответов на доработку» (see
//! `../shared/reference/registers.md`): an answer is formal when it gives neither a completion
//! date or term nor a concrete measure, when it only cites laws, when it only promises to
//! «рассмотреть» or «принять к сведению», or when it is too short to say anything. Words are
//! matched by their Snowball stems (`text::SearchNormalizer`), so «отремонтирована»,
//! «отремонтируем» and «отремонтировать» are one word; a match with a negation next to it
//! («не запланирован», «сроки не определены», «без указания срока») does not count.

use serde::Serialize;

use super::Quality;
use super::text::{SearchNormalizer, words};

/// A completion date or term: phrases (of word forms, stemmed when the check is built).
const TERMS: &[&str] = &[
    "срок",
    "в течение",
    "не позднее",
    "до конца",
    "квартал",
    "на этой неделе",
    "на следующей неделе",
    "завтра",
    "в ближайшие дни",
    "ориентировочно",
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "мая",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// A concrete measure: what was or will be done.
const MEASURES: &[&str] = &[
    "выполнены",
    "отремонтирована",
    "ремонт",
    "устранены",
    "заменены",
    "замена",
    "вывезены",
    "вывоз",
    "установка",
    "восстановлены",
    "очищены",
    "расчищены",
    "засыпаны",
    "отсыпка",
    "покос",
    "скошена",
    "спилены",
    "обрезка",
    "демонтированы",
    "подключены",
    "бригада",
    "выезд",
    "проведена",
    "проведение",
    "запланированы",
    "включены в план",
    "выделены средства",
    "заключен контракт",
    "заключен договор",
    "произведены",
    "грейдирование",
    "асфальтирование",
    "уборка",
    "убраны",
    "оборудованы",
    "построены",
    "закуплены",
    "разметка",
    "предписание",
    "протокол",
    "штраф",
    "починены",
];

/// References to laws and rules.
const LAWS: &[&str] = &[
    "федеральный закон",
    "закон",
    "фз",
    "статья",
    "ст",
    "кодекс",
    "постановление",
    "регламент",
    "в соответствии с",
    "согласно",
    "норма",
];

/// Promises that, alone, promise nothing.
const PROMISES: &[&str] = &[
    "рассмотрено",
    "рассмотрение",
    "принято к сведению",
    "взято на контроль",
    "будет учтено",
    "проработан",
    "изучен вопрос",
];

/// Words that negate a match next to them.
const NEGATIONS: &[&str] = &[
    "не",
    "нет",
    "ни",
    "без",
    "невозможно",
    "отсутствует",
    "отсутствуют",
];

/// Words after «не» that make no negation of it («не позднее 15 декабря», «не менее трёх»).
const NOT_NEGATING: &[&str] = &[
    "позднее",
    "позже",
    "менее",
    "более",
    "только",
    "ранее",
    "дожидаясь",
];

/// Fewer words than this and an answer is too short to be on the merits (default).
pub const MIN_WORDS: usize = 12;

/// One reason of the proposal: a stable id and what it says to the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub id: &'static str,
    pub reason: String,
}

/// What the check proposes for one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The proposed grade.
    pub grade: Quality,
    /// The formal-reply criteria the answer meets (empty for a clean answer on the merits).
    pub reasons: Vec<Reason>,
    /// What speaks for the answer: a term, a concrete measure.
    pub found: Vec<Reason>,
}

impl Verdict {
    /// The reasons as one Russian phrase («нет срока, нет конкретных мер»).
    pub fn reasons_ru(&self) -> String {
        self.reasons
            .iter()
            .map(|r| r.reason.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The question the officer is asked when the answer is saved.
    pub fn question_ru(&self) -> String {
        match self.grade {
            Quality::Formal => format!(
                "Похоже на отписку: {}. Оценить как формальный?",
                self.reasons_ru()
            ),
            Quality::Substantive => {
                let found = self
                    .found
                    .iter()
                    .map(|r| r.reason.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let but = if self.reasons.is_empty() {
                    String::new()
                } else {
                    format!(" (но: {})", self.reasons_ru())
                };
                format!("Похоже на ответ по существу: {found}{but}. Оценить как «по существу»?")
            }
        }
    }
}

/// The check, with its phrases stemmed once.
pub struct Checker {
    normalizer: SearchNormalizer,
    terms: Vec<Vec<String>>,
    measures: Vec<Vec<String>>,
    laws: Vec<Vec<String>>,
    promises: Vec<Vec<String>>,
    min_words: usize,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new(MIN_WORDS)
    }
}

/// A token of the answer: its folded form and stem.
struct Token {
    word: String,
    stem: String,
    /// Which clause of the text it is in.
    clause: usize,
}

impl Checker {
    /// A check calling answers of fewer than `min_words` words too short.
    pub fn new(min_words: usize) -> Self {
        let normalizer = SearchNormalizer::new();
        let stem = |list: &[&str]| -> Vec<Vec<String>> {
            list.iter()
                .map(|p| {
                    words(p)
                        .map(|w| normalizer.stem_word(&w).into_owned())
                        .collect()
                })
                .collect()
        };
        Self {
            terms: stem(TERMS),
            measures: stem(MEASURES),
            laws: stem(LAWS),
            promises: stem(PROMISES),
            normalizer,
            min_words,
        }
    }

    /// Checks one answer's text.
    pub fn check(&self, text: &str) -> Verdict {
        // Clauses end at punctuation: a negation reaches the matches of its own clause.
        let tokens: Vec<Token> = text
            .split(|c: char| ".,;:!?()\n".contains(c))
            .enumerate()
            .flat_map(|(clause, part)| {
                words(part)
                    .map(|w| Token {
                        stem: self.normalizer.stem_word(&w).into_owned(),
                        word: w,
                        clause,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let term = has_date(text) || count(&tokens, &self.terms) > 0;
        let measure = count(&tokens, &self.measures) > 0;
        let laws = count(&tokens, &self.laws);
        let promise = count(&tokens, &self.promises) > 0;
        let n = tokens.len();

        let mut reasons = Vec::new();
        let mut reason = |id, text: String| reasons.push(Reason { id, reason: text });
        if !term {
            reason("no_term", "нет срока".into());
        }
        if !measure {
            reason("no_measure", "нет конкретных мер".into());
        }
        if laws > 0 && !measure {
            reason("only_laws", "только ссылки на нормы права".into());
        }
        if promise && !measure {
            reason(
                "only_promise",
                "лишь обещание рассмотреть или принять к сведению".into(),
            );
        }
        if n < self.min_words {
            reason(
                "too_short",
                format!(
                    "слишком короткий ответ ({n} сл. при минимуме {})",
                    self.min_words
                ),
            );
        }
        // A template's hints left in the text («[дата]», «[что сделано]»): not a formal reply by
        // itself, but not ready to send either.
        let hints = unfilled(text);
        if !hints.is_empty() {
            reason(
                "unfilled",
                format!("остались незаполненные поля шаблона: {}", hints.join(", ")),
            );
        }
        let formal = (!term && !measure)
            || reasons
                .iter()
                .any(|r| matches!(r.id, "only_laws" | "only_promise" | "too_short"));
        let mut found = Vec::new();
        if term {
            found.push(Reason {
                id: "has_term",
                reason: "есть срок".into(),
            });
        }
        if measure {
            found.push(Reason {
                id: "has_measure",
                reason: "есть конкретные меры".into(),
            });
        }
        Verdict {
            grade: if formal {
                Quality::Formal
            } else {
                Quality::Substantive
            },
            reasons,
            found,
        }
    }
}

/// How many of the phrases occur in the tokens without a negation next to them. A phrase matches
/// where each of its stems begins the token's stem in turn (so «ремонт» finds «ремонтные»).
fn count(tokens: &[Token], phrases: &[Vec<String>]) -> usize {
    let mut n = 0;
    for i in 0..tokens.len() {
        for p in phrases {
            if p.is_empty() || i + p.len() > tokens.len() {
                continue;
            }
            let hit = p.iter().enumerate().all(|(k, s)| {
                let t = &tokens[i + k];
                // A one- or two-letter word («ст», «фз») is matched whole, not as a prefix.
                if s.chars().count() <= 2 {
                    t.word == *s
                } else {
                    t.stem.starts_with(s.as_str())
                }
            });
            if hit && !negated(tokens, i, i + p.len()) {
                n += 1;
            }
        }
    }
    n
}

/// A negation in the same clause as the match, outside it («ремонт … в текущем году не
/// запланирован», «сроки пока не определены», «без указания срока»). «Не» before «позднее»,
/// «менее», «более», «только» negates nothing.
fn negated(tokens: &[Token], start: usize, end: usize) -> bool {
    let clause = tokens[start].clause;
    tokens.iter().enumerate().any(|(i, t)| {
        t.clause == clause
            && !(start..end).contains(&i)
            && NEGATIONS.contains(&t.word.as_str())
            && !(t.word == "не"
                && tokens
                    .get(i + 1)
                    .is_some_and(|n| NOT_NEGATING.contains(&n.word.as_str())))
    })
}

/// The bracketed hints of a template left in a text («[дата]»): brackets holding a letter.
fn unfilled(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        let tail = &rest[i..];
        let Some(end) = tail.find(']') else { break };
        let inner = &tail[1..end];
        if inner.chars().any(char::is_alphabetic) && !inner.contains('[') {
            out.push(tail[..=end].to_string());
        }
        rest = &tail[end + 1..];
    }
    out
}

/// A date written with digits: `15.12`, `15.12.2026`, `15.12.26`, or a year («в 2027 году»).
fn has_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let d = digits(i);
            let j = i + d;
            if (1..=2).contains(&d) && j + 2 < b.len() + 1 && b.get(j) == Some(&b'.') {
                let m = digits(j + 1);
                if m == 2 {
                    return true;
                }
            }
            if d == 4 {
                let year: u32 = text[i..j].parse().unwrap_or(0);
                let rest = text[j..].trim_start().to_lowercase();
                if (2000..=2100).contains(&year)
                    && (rest.starts_with("год") || rest.starts_with("г."))
                {
                    return true;
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &Verdict) -> Vec<&'static str> {
        v.reasons.iter().map(|r| r.id).collect()
    }

    #[test]
    fn an_answer_on_the_merits_is_substantive() {
        let v = Checker::default().check(
            "Ямочный ремонт дороги по ул. Лесной в с. Юркино выполнен 12.11.2026 бригадой \
             МБУ «Благоустройство», остальные выбоины будут засыпаны щебнем до 20 ноября.",
        );
        assert_eq!(v.grade, Quality::Substantive, "{v:?}");
        assert!(v.reasons.is_empty(), "{v:?}");
        assert_eq!(
            v.found.iter().map(|r| r.id).collect::<Vec<_>>(),
            ["has_term", "has_measure"]
        );
    }

    #[test]
    fn no_term_and_no_measure_is_formal() {
        let v = Checker::default().check(
            "Уважаемый заявитель! Ваше обращение поступило в администрацию округа и передано \
             ответственному специалисту, о результатах вам сообщат дополнительно.",
        );
        assert_eq!(v.grade, Quality::Formal);
        assert_eq!(ids(&v), ["no_term", "no_measure"]);
        assert_eq!(
            v.question_ru(),
            "Похоже на отписку: нет срока, нет конкретных мер. Оценить как формальный?"
        );
    }

    #[test]
    fn a_term_is_a_date_a_period_or_a_month_and_a_negated_one_is_none() {
        let c = Checker::default();
        for yes in [
            "Работы будут выполнены в течение пяти рабочих дней после схода снега у дома.",
            "Замена светильников на улице Садовой запланирована на апрель следующего года.",
            "Вывоз мусора с площадки у дома 5 будет организован не позднее 15.12.2026 года.",
        ] {
            assert!(!ids(&c.check(yes)).contains(&"no_term"), "{yes}");
        }
        for no in [
            "Ремонт дороги по улице Лесной будет выполнен, сроки пока не определены подрядчиком.",
            "Ремонт дороги по улице Лесной будет выполнен подрядной организацией без указания срока.",
        ] {
            assert!(ids(&c.check(no)).contains(&"no_term"), "{no}");
        }
    }

    #[test]
    fn a_measure_counts_unless_negated() {
        let c = Checker::default();
        let yes = c.check(
            "По вашему обращению бригада выехала на место, аварийное дерево спилено и вывезено.",
        );
        assert!(!ids(&yes).contains(&"no_measure"), "{yes:?}");
        let no = c.check(
            "Сообщаем, что ремонт дороги по улице Лесной в текущем году не запланирован из-за \
             отсутствия средств в бюджете округа.",
        );
        assert!(ids(&no).contains(&"no_measure"), "{no:?}");
    }

    #[test]
    fn only_laws_is_formal_and_laws_beside_a_measure_are_not() {
        let c = Checker::default();
        let only = c.check(
            "В соответствии со статьей 12 Федерального закона № 59-ФЗ и постановлением \
             администрации округа ваше обращение рассмотрено в установленный законом срок.",
        );
        assert_eq!(only.grade, Quality::Formal);
        assert!(ids(&only).contains(&"only_laws"), "{only:?}");
        let with_measure = c.check(
            "Согласно Правилам благоустройства округа управляющей компании выдано предписание, \
             подъезд будет убран и покрашен до 1 декабря 2026 года.",
        );
        assert_eq!(with_measure.grade, Quality::Substantive, "{with_measure:?}");
        assert!(!ids(&with_measure).contains(&"only_laws"));
    }

    #[test]
    fn a_promise_alone_is_formal_and_with_a_measure_it_is_not() {
        let c = Checker::default();
        let alone = c.check(
            "Ваше предложение о благоустройстве сквера принято к сведению и будет рассмотрено \
             при формировании плана на следующий год.",
        );
        assert_eq!(alone.grade, Quality::Formal);
        assert!(ids(&alone).contains(&"only_promise"), "{alone:?}");
        let with_measure = c.check(
            "Ваше предложение рассмотрено: установка скамеек и урн в сквере включена в план \
             работ на май 2027 года, подрядчик определён.",
        );
        assert_eq!(with_measure.grade, Quality::Substantive, "{with_measure:?}");
    }

    #[test]
    fn a_template_hint_left_in_the_text_is_named_and_a_filled_text_has_none() {
        let c = Checker::default();
        let left = c.check(
            "Ямочный ремонт по адресу Юркино, ул. Лесная, 3 выполнен [дата] силами \
             [ответственный], участок будет проверен при объезде.",
        );
        let r = left
            .reasons
            .iter()
            .find(|r| r.id == "unfilled")
            .expect("named");
        assert_eq!(
            r.reason,
            "остались незаполненные поля шаблона: [дата], [ответственный]"
        );
        assert_eq!(left.grade, Quality::Substantive, "not formal by itself");
        let filled = c.check(
            "Ямочный ремонт по адресу Юркино, ул. Лесная, 3 выполнен 27.11.2026 силами \
             МБУ «Дороги» [1], участок будет проверен при объезде.",
        );
        assert!(!ids(&filled).contains(&"unfilled"), "{filled:?}");
    }

    #[test]
    fn a_short_answer_is_formal_and_a_long_enough_one_is_not() {
        let c = Checker::default();
        let short = c.check("Спасибо, уточним, вернемся с ответом.");
        assert_eq!(short.grade, Quality::Formal);
        assert!(ids(&short).contains(&"too_short"), "{short:?}");
        let long = c.check(
            "Яма на дороге у школы № 2 засыпана асфальтовой крошкой 14.11.2026, участок \
             проверен мастером.",
        );
        assert!(!ids(&long).contains(&"too_short"), "{long:?}");
        assert!(ids(&Checker::new(3).check("Яма засыпана 14.11.")).is_empty());
    }
}

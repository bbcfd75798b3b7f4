//! Personal data inside free text (an appeal's text, an answer, a note): phone numbers, e-mails,
//! house and flat numbers after street words, and people's names, masked for those who may not
//! see them (152-ФЗ). Shapes, not lists: a phone is a Russian number's digit grouping, a name is
//! a patronymic, initials or a surname ending next to capitalised words. Dates, times and amounts
//! are left alone; a false positive such as «Иван Грозный» costs less than a leaked name.
//!
//! Pure and linear in the text; the console masks only the rows it draws.

use super::access::{mask_contact, mask_name};
use super::text::is_letter;

/// The text with phones, e-mails, house and flat numbers and people's names masked.
pub fn mask_text(text: &str) -> String {
    // Most texts have nothing to mask: no digit, no «@», no two capitalised words in a row.
    let mut spans = Vec::new();
    contacts(text, &mut spans);
    let tokens = tokenize(text);
    addresses(text, &tokens, &mut spans);
    names(text, &tokens, &mut spans);
    if spans.is_empty() {
        return text.to_string();
    }
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in spans {
        let Some(with) = s.with else { continue };
        if s.start < at {
            continue; // overlaps a span already masked
        }
        out.push_str(&text[at..s.start]);
        out.push_str(&with);
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A byte range of the text and what replaces it.
#[derive(Debug)]
struct Span {
    start: usize,
    end: usize,
    /// `None`: protected (a street's name), nothing replaced and no name looked for in it.
    with: Option<String>,
}

fn overlaps(spans: &[Span], start: usize, end: usize) -> bool {
    spans.iter().any(|s| s.start < end && start < s.end)
}

// ---- phones and e-mails ----

fn is_phone_sep(c: char) -> bool {
    matches!(c, ' ' | '-' | '(' | ')' | '\u{a0}' | '–' | '‑')
}

/// Phones and e-mails, found on the raw text.
fn contacts(text: &str, spans: &mut Vec<Span>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut i = 0;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c == '@' {
            if let Some(s) = email_at(text, &chars, i) {
                i = chars.partition_point(|&(x, _)| x < s.end);
                spans.push(s);
                continue;
            }
        } else if c.is_ascii_digit() || ((c == '+' || c == '(') && next_is_digit(&chars, i)) {
            let prev = i.checked_sub(1).map(|p| chars[p].1);
            let before = i.checked_sub(2).map(|p| chars[p].1);
            // Inside a word, a date («12.11.2026»), a decimal or a longer number: not a phone.
            let inside = prev.is_some_and(|p| {
                p.is_alphanumeric()
                    || (matches!(p, '.' | ',' | '/' | ':')
                        && before.is_some_and(|b| b.is_ascii_digit()))
            });
            if !inside {
                let mut j = i;
                let mut last_digit = i;
                while j < chars.len() {
                    let cj = chars[j].1;
                    if cj.is_ascii_digit() {
                        last_digit = j;
                    } else if !(is_phone_sep(cj) || (j == i && cj == '+')) {
                        break;
                    } else if j > i && is_phone_sep(chars[j - 1].1) && chars[j - 1].1 == cj {
                        break; // two separators alike in a row end the number
                    }
                    j += 1;
                }
                let end_i = last_digit + 1;
                let next = chars.get(end_i).map(|&(_, c)| c);
                let glued = next.is_some_and(|n| {
                    n.is_alphanumeric()
                        || (matches!(n, '.' | ',' | ':' | '/')
                            && chars
                                .get(end_i + 1)
                                .is_some_and(|&(_, c)| c.is_ascii_digit()))
                });
                let candidate = &text[b..end_of(end_i)];
                if !glued && is_phone(candidate) {
                    spans.push(Span {
                        start: b,
                        end: end_of(end_i),
                        with: Some(mask_contact(candidate)),
                    });
                    i = end_i;
                    continue;
                }
                // Skip the rest of this number so its tail is not read as a new one.
                let mut k = i + 1;
                while k < chars.len() && chars[k].1.is_ascii_digit() {
                    k += 1;
                }
                i = k;
                continue;
            }
        }
        i += 1;
    }
}

fn next_is_digit(chars: &[(usize, char)], i: usize) -> bool {
    chars.get(i + 1).is_some_and(|&(_, c)| c.is_ascii_digit())
}

/// Whether a run of digits and separators is shaped like a Russian phone number: 11 digits
/// from 7 or 8 («+7 956 303-12-34», «8 (956) 303 12 34», «89563031234»), 10 digits grouped as
/// a code and a number («(495) 123-45-67», «956 303 12 34»), or a local number
/// («303-12-34», «30-12-34»). Amounts are grouped by threes («3 500», «1 200 000») and are not
/// phones.
fn is_phone(s: &str) -> bool {
    let groups: Vec<usize> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .map(str::len)
        .collect();
    let digits: usize = groups.iter().sum();
    let first = s.chars().find(char::is_ascii_digit);
    let plus = s.starts_with('+');
    let bracket = s.contains('(');
    let dashed = s.contains('-') || s.contains('–') || s.contains('‑');
    let national = |g: &[usize]| {
        matches!(
            g,
            [3, 3, 2, 2] | [3, 3, 4] | [3, 7] | [10] | [3, 2, 2, 3] | [4, 2, 2, 2] | [5, 1, 2, 2]
        )
    };
    match digits {
        11 if matches!(first, Some('7' | '8')) => {
            groups.len() == 1 || national(&groups[1..]) || (groups[0] == 4 && groups.len() >= 3)
        }
        12 | 13 if plus => true,
        10 => national(&groups) && (bracket || dashed || groups.len() == 4 || plus),
        7 => groups == [3, 2, 2] && (dashed || s.contains(' ')),
        6 => groups == [2, 2, 2] && dashed,
        _ => false,
    }
}

/// The e-mail around the «@» at `at`, masked as a contact («ivanova@mail.ru» → «i***@mail.ru»).
fn email_at(text: &str, chars: &[(usize, char)], at: usize) -> Option<Span> {
    let local = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+');
    let mut s = at;
    while s > 0 && local(chars[s - 1].1) {
        s -= 1;
    }
    let mut e = at + 1;
    while e < chars.len() && (chars[e].1.is_alphanumeric() || matches!(chars[e].1, '.' | '-')) {
        e += 1;
    }
    // A trailing dot ends the sentence, not the domain.
    while e > at + 1 && chars[e - 1].1 == '.' {
        e -= 1;
    }
    let domain: String = chars[at + 1..e].iter().map(|&(_, c)| c).collect();
    if s == at || !domain.contains('.') || domain.starts_with('.') {
        return None;
    }
    let start = chars[s].0;
    let end = chars.get(e).map_or(text.len(), |&(b, _)| b);
    Some(Span {
        start,
        end,
        with: Some(mask_contact(&text[start..end])),
    })
}

// ---- words ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Letters (with inner hyphens: «Петрова-Водкина», «пр-т»).
    Word,
    /// Digits, with a letter or «/»/«-» part glued on («5а», «12/3», «12-45»).
    Number,
    /// One punctuation character.
    Punct,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// Only spaces between this token and the previous one (none: glued to it).
    spaced: bool,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    let mut spaced = false;
    while let Some((b, c)) = it.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let kind = if is_letter(c) {
            Kind::Word
        } else if c.is_ascii_digit() {
            Kind::Number
        } else {
            Kind::Punct
        };
        let mut end = b + c.len_utf8();
        if kind != Kind::Punct {
            while let Some(&(nb, nc)) = it.peek() {
                let inner = match kind {
                    Kind::Word => is_letter(nc),
                    _ => is_letter(nc) || nc.is_numeric(),
                };
                let joiner = matches!(nc, '-' | '/')
                    && text[nb + 1..]
                        .chars()
                        .next()
                        .is_some_and(|x| is_letter(x) || x.is_numeric());
                if inner || joiner {
                    end = nb + nc.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
        }
        out.push(Token {
            kind,
            start: b,
            end,
            spaced,
        });
        spaced = false;
    }
    out
}

/// `char::is_alphabetic`, answered at once for the letters appeals are written in (Latin and
/// Russian Cyrillic): the general lookup was a tenth of the workbook's time.
fn word<'t>(text: &'t str, t: &Token) -> &'t str {
    &text[t.start..t.end]
}

fn lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

fn lower_char(c: char) -> char {
    match c.to_lowercase().next().unwrap_or(c) {
        'ё' => 'е',
        l => l,
    }
}

/// The word is one of `list` (lower case), ignoring case and ё. Without allocating: Cyrillic
/// and Latin letters keep their byte length in either case, so only entries of the word's
/// length are compared, letter by letter.
fn one_of(w: &str, list: &[&str]) -> bool {
    list.iter().any(|k| {
        k.len() == w.len()
            && k.chars()
                .zip(w.chars())
                .all(|(kc, wc)| kc == wc || kc == lower_char(wc))
    })
}

/// The token at `i` followed by a dot glued to it: «ул.», «д.».
fn dotted(text: &str, toks: &[Token], i: usize) -> bool {
    toks.get(i + 1)
        .is_some_and(|n| n.kind == Kind::Punct && !n.spaced && word(text, n) == ".")
}

// ---- addresses ----

/// Street words: the street's name follows, then its house number.
const STREETS: &[&str] = &[
    "ул",
    "улица",
    "улице",
    "улицу",
    "улицы",
    "пр",
    "пр-т",
    "пр-кт",
    "просп",
    "проспект",
    "проспекте",
    "пер",
    "переулок",
    "переулке",
    "ш",
    "шоссе",
    "б-р",
    "бульвар",
    "бульваре",
    "пл",
    "площадь",
    "площади",
    "наб",
    "набережная",
    "набережной",
    "проезд",
    "проезде",
    "мкр",
    "мкрн",
    "микрорайон",
    "микрорайоне",
    "тупик",
    "аллея",
    "аллее",
    "туп",
    "линия",
    "линии",
    "тракт",
    "тракте",
    "кв-л",
    "квартал",
    "квартале",
];

/// House words: a number follows (a house, building, flat, entrance).
const HOUSES: &[&str] = &[
    "д",
    "дом",
    "доме",
    "дома",
    "домом",
    "кв",
    "квартира",
    "квартире",
    "квартиры",
    "квартиру",
    "корп",
    "корпус",
    "корпусе",
    "к",
    "стр",
    "строение",
    "строении",
    "лит",
    "литера",
    "под",
    "подъезд",
    "подъезде",
    "эт",
    "этаж",
    "этаже",
    "офис",
    "оф",
    "комн",
    "комната",
    "комнате",
    "уч",
    "участок",
    "участке",
    "влад",
    "владение",
];

fn is_street_word(w: &str) -> bool {
    one_of(w, STREETS)
}

fn is_house_word(w: &str) -> bool {
    one_of(w, HOUSES)
}

/// After a street word the name stays and the numbers go; a house word («д.», «дом», «кв.»)
/// followed by a number anywhere masks the number too. «дом культуры», «ул. Ленина» without a
/// number stay as they are.
fn addresses(text: &str, toks: &[Token], spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.kind != Kind::Word {
            i += 1;
            continue;
        }
        let w = word(text, t);
        if is_street_word(w) {
            let mut j = i + 1;
            if dotted(text, toks, i) {
                j += 1;
            }
            // The name: words and ordinals («8 Марта», «1-я Парковая», «Максима Горького»).
            let name_start = j;
            while j < toks.len() && j - name_start < 5 {
                let n = &toks[j];
                let nw = word(text, n);
                if initial_at(text, toks, j) {
                    j += 2; // «А.С. Пушкина»: initials in a street's name
                    continue;
                }
                let ordinal = n.kind == Kind::Number
                    && toks
                        .get(j + 1)
                        .is_some_and(|x| x.kind == Kind::Word && starts_upper(word(text, x)));
                let named = n.kind == Kind::Word
                    && ((starts_upper(nw) && !is_house_word(nw)) || one_of(nw, &["им", "имени"]));
                if named || ordinal {
                    j += 1;
                    if dotted(text, toks, j - 1) && one_of(nw, &["им"]) {
                        j += 1;
                    }
                } else {
                    break;
                }
            }
            if j > name_start {
                protect(spans, toks[name_start].start, toks[j - 1].end);
                j = house_numbers(text, toks, j, spans, true);
            }
            i = j.max(i + 1);
            continue;
        }
        if is_house_word(w) {
            let j = house_numbers(text, toks, i, spans, false);
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
}

/// Marks a street's name as not a person's (no name is looked for inside it).
fn protect(spans: &mut Vec<Span>, start: usize, end: usize) {
    spans.push(Span {
        start,
        end,
        with: None,
    });
}

/// Masks the house, building and flat numbers from `i` on: «, 5», «д. 5а», «кв. 12», «5/2».
/// `bare` allows a number with no house word (right after a street's name). Returns where the
/// address ends.
fn house_numbers(
    text: &str,
    toks: &[Token],
    mut i: usize,
    spans: &mut Vec<Span>,
    mut bare: bool,
) -> usize {
    loop {
        let Some(t) = toks.get(i) else { return i };
        match t.kind {
            Kind::Punct if matches!(word(text, t), "," | "№") => i += 1,
            Kind::Word if is_house_word(word(text, t)) => {
                i += 1;
                if dotted(text, toks, i - 1) {
                    i += 1;
                }
                match toks.get(i) {
                    Some(n) if n.kind == Kind::Punct && word(text, n) == "№" => {
                        i += 1;
                        bare = true;
                    }
                    Some(n) if n.kind == Kind::Number => bare = true,
                    _ => return i,
                }
            }
            Kind::Number if bare && !amount_follows(text, toks, i) => {
                if !overlaps(spans, t.start, t.end) {
                    spans.push(Span {
                        start: t.start,
                        end: t.end,
                        with: Some("*".into()),
                    });
                }
                i += 1;
                bare = false;
                // «5 корп. 2», «5, кв. 12»: more may follow; a bare number only after a comma.
                if toks
                    .get(i)
                    .is_some_and(|n| n.kind == Kind::Punct && word(text, n) == ",")
                {
                    let after = toks.get(i + 1);
                    if after.is_some_and(|a| a.kind == Kind::Number) {
                        bare = true;
                    }
                }
            }
            _ => return i,
        }
    }
}

/// Units after a number that measures something: not a house.
const UNITS: &[&str] = &[
    "руб",
    "рублей",
    "рубля",
    "рубль",
    "р",
    "тыс",
    "млн",
    "дней",
    "дня",
    "день",
    "лет",
    "год",
    "года",
    "месяцев",
    "месяца",
    "часов",
    "часа",
    "минут",
    "м",
    "км",
    "см",
    "кг",
    "раз",
    "раза",
    "человек",
    "ч",
    "мин",
    "этажей",
    "этажа",
    "этажный",
    "подъездов",
    "подъезда",
    "квартир",
    "домов",
    "шт",
];

/// A number that measures something («5 руб.», «3 дня», «10 %»): not a house.
fn amount_follows(text: &str, toks: &[Token], i: usize) -> bool {
    toks.get(i + 1).is_some_and(|n| {
        let w = word(text, n);
        (n.kind == Kind::Punct && matches!(w, "%" | "₽"))
            || (n.kind == Kind::Word && one_of(w, UNITS))
    })
}

// ---- names ----

fn starts_upper(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// A capitalised Cyrillic word of at least two letters, the rest lower case: «Иванова»,
/// «Петрова-Водкина». (All capitals — «МЦУ», «ЖКХ» — are abbreviations, not names.)
fn is_cap_word(w: &str) -> bool {
    let mut cs = w.chars();
    let Some(first) = cs.next() else { return false };
    if !(first.is_uppercase() && is_cyrillic(first)) {
        return false;
    }
    let rest: Vec<char> = cs.collect();
    !rest.is_empty()
        && rest
            .iter()
            .all(|c| *c == '-' || (is_cyrillic(*c) && c.is_alphabetic()))
        && rest
            .iter()
            .zip(std::iter::once(&'-').chain(rest.iter()))
            .all(|(c, before)| c.is_lowercase() || *c == '-' || *before == '-')
}

/// A word a name may be written in: capitalised, or all capitals as official exports write
/// names («ИВАНОВА МАРИЯ АЛЕКСЕЕВНА»).
fn is_name_word(w: &str) -> bool {
    is_cap_word(w)
        || (w.chars().count() >= 2
            && w.chars()
                .all(|c| c == '-' || (is_cyrillic(c) && c.is_uppercase())))
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, 'А'..='я' | 'Ё' | 'ё')
}

/// A patronymic in any case: «Алексеевна», «Ивановичу», «Ильиничной», «Кузьмич».
fn is_patronymic(w: &str) -> bool {
    if !is_name_word(w) {
        return false;
    }
    let l = lower(w);
    const ENDINGS: &[&str] = &["", "а", "у", "ем", "е", "ой", "ы", "ою"];
    const STEMS: &[&str] = &["ович", "евич", "овн", "евн", "ичн", "ьич", "ич"];
    ENDINGS.iter().any(|e| {
        l.strip_suffix(e).is_some_and(|stem| {
            STEMS.iter().any(|s| {
                stem.ends_with(s)
                    && stem.chars().count() >= s.chars().count() + 2
                    // «-ич» alone only in the short forms «Ильич», «Кузьмич», «Лукич», «Фомич».
                    && (*s != "ич" || stem.ends_with("мич") || stem.ends_with("кич"))
                    // Feminine stems need their ending («Алексеевн» is not a word).
                    && (!s.ends_with('н') || !e.is_empty())
            })
        })
    })
}

/// A surname by its ending, in any case: «Иванова», «Петровым», «Сидоренко», «Цой» does not
/// count (too short to tell).
fn surname_shaped(w: &str) -> bool {
    if !is_name_word(w) || w.chars().count() < 4 {
        return false;
    }
    let l = lower(w);
    const ENDS: &[&str] = &[
        "ов",
        "ова",
        "ову",
        "овым",
        "овой",
        "ове",
        "овых",
        "ев",
        "ева",
        "еву",
        "евым",
        "евой",
        "ин",
        "ина",
        "ину",
        "иным",
        "иной",
        "ын",
        "ына",
        "ский",
        "ская",
        "ского",
        "ской",
        "скому",
        "цкий",
        "цкая",
        "цкого",
        "цкой",
        "ых",
        "их",
        "енко",
        "ко",
        "юк",
        "ук",
        "чук",
        "ян",
        "дзе",
        "швили",
        "ман",
        "ёв",
        "ёва",
    ];
    ENDS.iter().any(|e| l.ends_with(e))
}

/// An initial: one capital letter with a glued dot.
fn initial_at(text: &str, toks: &[Token], i: usize) -> bool {
    toks.get(i).is_some_and(|t| {
        let w = word(text, t);
        t.kind == Kind::Word
            && w.chars().count() == 1
            && w.chars().all(|c| c.is_uppercase() && is_cyrillic(c))
            && dotted(text, toks, i)
    })
}

/// Where a run of initials starting at `i` ends (tokens), and how many there are (1 or 2).
fn initials(text: &str, toks: &[Token], i: usize) -> (usize, usize) {
    let mut j = i;
    let mut n = 0;
    while n < 2 && initial_at(text, toks, j) {
        j += 2;
        n += 1;
    }
    (j, n)
}

/// Whether the word at `i` starts a sentence (or the text).
fn sentence_start(text: &str, toks: &[Token], i: usize) -> bool {
    match i.checked_sub(1).map(|p| &toks[p]) {
        None => true,
        Some(p) => p.kind == Kind::Punct && matches!(word(text, p), "." | "!" | "?"),
    }
}

/// A capitalised word at `i`, parted from the word before it by spaces only.
fn cap_at(text: &str, toks: &[Token], i: usize) -> bool {
    toks.get(i)
        .is_some_and(|t| t.kind == Kind::Word && t.spaced && is_name_word(word(text, t)))
}

/// A capitalised word at `i` (whatever comes before it).
fn cap_word_at(text: &str, toks: &[Token], i: usize) -> bool {
    toks.get(i)
        .is_some_and(|t| t.kind == Kind::Word && is_name_word(word(text, t)))
}

/// People's names: «Фамилия Имя Отчество», «Имя Отчество Фамилия», «Имя Отчество», «Фамилия
/// И. О.», «И. О. Фамилия». Masked in place as `mask_name` does: the surname keeps its first
/// letter, the given name and patronymic become initials.
fn names(text: &str, toks: &[Token], spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if t.kind != Kind::Word || overlaps(spans, t.start, t.end) {
            i += 1;
            continue;
        }
        let w = word(text, t);
        // «И. О. Фамилия» / «И.О. Фамилия».
        if initial_at(text, toks, i) {
            let (j, n) = initials(text, toks, i);
            if n >= 1
                && toks.get(j).is_some_and(|s| s.kind == Kind::Word)
                && is_cap_word(word(text, &toks[j]))
                && (n == 2 || surname_shaped(word(text, &toks[j])))
                && !overlaps(spans, toks[j].start, toks[j].end)
            {
                let start = t.start;
                let end = toks[j].end;
                let inits = &text[start..toks[j].start];
                spans.push(Span {
                    start,
                    end,
                    with: Some(format!("{}{}", inits, surname_mask(word(text, &toks[j])))),
                });
                i = j + 1;
                continue;
            }
            i += 1;
            continue;
        }
        if !is_name_word(w) {
            i += 1;
            continue;
        }
        // «Имя Отчество» with a surname before or after it.
        if cap_at(text, toks, i + 1) && is_patronymic(word(text, &toks[i + 1])) {
            let given = w;
            let patronymic = word(text, &toks[i + 1]);
            let mut start_tok = i;
            let mut end_tok = i + 1;
            let mut surname: Option<&str> = None;
            let mut before = false;
            if i > 0
                && toks[i].spaced
                && cap_word_at(text, toks, i - 1)
                && !overlaps(spans, toks[i - 1].start, toks[i - 1].end)
            {
                let s = word(text, &toks[i - 1]);
                if surname_shaped(s) || !sentence_start(text, toks, i - 1) {
                    surname = Some(s);
                    start_tok = i - 1;
                    before = true;
                }
            }
            if surname.is_none()
                && cap_at(text, toks, i + 2)
                && !is_patronymic(word(text, &toks[i + 2]))
                && !overlaps(spans, toks[i + 2].start, toks[i + 2].end)
            {
                surname = Some(word(text, &toks[i + 2]));
                end_tok = i + 2;
            }
            let inits = format!("{}. {}.", first(given), first(patronymic));
            let with = match (surname, before) {
                (Some(s), true) => format!("{} {inits}", surname_mask(s)),
                (Some(s), false) => format!("{inits} {}", surname_mask(s)),
                (None, _) => inits,
            };
            let (start, end) = (toks[start_tok].start, toks[end_tok].end);
            if !overlaps(spans, start, end) {
                spans.push(Span {
                    start,
                    end,
                    with: Some(with),
                });
                i = end_tok + 1;
                continue;
            }
        }
        // «Фамилия И. О.» / «Фамилия И.О.» / «Попова Е.».
        if toks.get(i + 1).is_some_and(|n| n.spaced) && initial_at(text, toks, i + 1) {
            let (j, n) = initials(text, toks, i + 1);
            let end = toks[j - 1].end;
            let shaped =
                surname_shaped(w) || (n == 2 && is_cap_word(w) && !sentence_start(text, toks, i));
            if shaped && !overlaps(spans, t.start, end) {
                let inits = &text[toks[i + 1].start..end];
                spans.push(Span {
                    start: t.start,
                    end,
                    with: Some(format!("{} {inits}", surname_mask(w))),
                });
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

fn first(w: &str) -> String {
    w.chars().next().map(String::from).unwrap_or_default()
}

/// A surname as `mask_name` shows it: «Иванова» → «И***».
fn surname_mask(s: &str) -> String {
    mask_name(s)
}

#[cfg(test)]
mod tests {
    use super::mask_text;

    /// Each pair: the text, what an officer without the personal-data right reads.
    const CASES: &[(&str, &str)] = &[
        // Phones, Russian formats.
        ("Звоните +7 956 303 12 34.", "Звоните +7 *** *** 12 34."),
        ("тел. 8 (956) 303-12-34", "тел. 8 *** *** 12 34"),
        ("тел.89563031234, вечером", "тел.8 *** *** 12 34, вечером"),
        ("+79563031234", "+7 *** *** 12 34"),
        ("8-956-303-12-34", "8 *** *** 12 34"),
        ("+7(495)123-45-67", "+7 *** *** 45 67"),
        ("(495) 123-45-67", "*** *** 45 67"),
        ("моб. 956 303 12 34", "моб. *** *** 12 34"),
        ("домашний 303-12-34", "домашний *** *** 12 34"),
        // E-mails.
        ("пишите ivanova.m@mail.ru.", "пишите i***@mail.ru."),
        ("почта: petrov_1980@yandex.ru", "почта: p***@yandex.ru"),
        // Addresses.
        (
            "Живу по адресу ул. Центральная, д. 42, кв. 7.",
            "Живу по адресу ул. Центральная, д. *, кв. *.",
        ),
        ("улица Лесная 5а", "улица Лесная *"),
        ("пр-т Мира, 12/3", "пр-т Мира, *"),
        ("ул. 8 Марта, д. 5, корп. 2", "ул. 8 Марта, д. *, корп. *"),
        ("на улице Пушкина дом 14", "на улице Пушкина дом *"),
        ("в доме 5 нет света", "в доме * нет света"),
        ("кв. 12 затопило", "кв. * затопило"),
        ("пер. Садовый, 3, кв. 40", "пер. Садовый, *, кв. *"),
        // Names.
        (
            "Иванова Мария Алексеевна просит помочь",
            "И*** М. А. просит помочь",
        ),
        (
            "Прошу передать Петрову Ивану Сергеевичу",
            "Прошу передать П*** И. С.",
        ),
        ("С уважением, Сидоров П. П.", "С уважением, С*** П. П."),
        ("Сидоров П.П. жалуется", "С*** П.П. жалуется"),
        ("обратился И. О. Кузнецов", "обратился И. О. К***"),
        ("А.С. Смирнова сообщила", "А.С. С*** сообщила"),
        ("Мария Алексеевна, здравствуйте", "М. А., здравствуйте"),
        (
            "Уважаемая Анна Ильинична Петрова-Водкина!",
            "Уважаемая А. И. П***!",
        ),
        ("Прошу Ивана Ивановича помочь", "Прошу И. И. помочь"),
        ("от Лукича", "от Лукича"),
        ("жалоба на Попова Е.", "жалоба на П*** Е."),
        (
            "Главе администрации Петрову П.П.",
            "Главе администрации П*** П.П.",
        ),
        ("глава Петров А. В. обещал", "глава П*** А. В. обещал"),
        ("ИВАНОВА МАРИЯ АЛЕКСЕЕВНА", "И*** М. А."),
        ("заявитель ИВАНОВ И.И.", "заявитель И*** И.И."),
        ("от Ивановой Марии Алексеевны", "от И*** М. А."),
        ("руководитель МЦУ И.О. Петров", "руководитель МЦУ И.О. П***"),
        ("И.О. главы администрации", "И.О. главы администрации"),
        ("Сидорову Петру Петровичу", "С*** П. П."),
        ("Пётр Ильич Чайковский", "П. И. Ч***"),
        ("звонила Ольга Кузьминична", "звонила О. К."),
        (
            "проживаю на ул. Мира 10 кв 5",
            "проживаю на ул. Мира * кв *",
        ),
        ("ул. Советская, 15-3", "ул. Советская, *"),
        ("в доме №5", "в доме №*"),
        ("дом 12, подъезд 3", "дом *, подъезд *"),
        (
            "Москва, ул. Тверская, 1, кв. 1",
            "Москва, ул. Тверская, *, кв. *",
        ),
        ("т. 89001234567", "т. 8 *** *** 45 67"),
        (
            "8 (800) 555-35-35 горячая линия",
            "8 *** *** 35 35 горячая линия",
        ),
        ("тел: 345-67-89", "тел: *** *** 67 89"),
        ("+7 (912) 345 67 89", "+7 *** *** 67 89"),
        ("Ivanova@Mail.RU", "I***@Mail.RU"),
        // Left alone: dates, times, amounts, places, words like names.
        ("Иван Грозный", "Иван Грозный"),
        (
            "с 9.00 до 18.00, перерыв 13-14",
            "с 9.00 до 18.00, перерыв 13-14",
        ),
        (
            "2 500 000 руб. за 2024-2025 гг.",
            "2 500 000 руб. за 2024-2025 гг.",
        ),
        ("в д. Ивановка", "в д. Ивановка"),
        ("на 5 этаже", "на 5 этаже"),
        ("Номер заявки 12345678", "Номер заявки 12345678"),
        (
            "https://vk.com/wall-12345_678",
            "https://vk.com/wall-12345_678",
        ),
        ("Дом 5 этажей, 3 подъезда", "Дом 5 этажей, 3 подъезда"),
        ("12.11.2026 в 10:30", "12.11.2026 в 10:30"),
        ("долг 3 500 руб.", "долг 3 500 руб."),
        ("штраф 1 200 000 рублей", "штраф 1 200 000 рублей"),
        ("с 2026-11-27 по 2026-12-01", "с 2026-11-27 по 2026-12-01"),
        ("в дом культуры", "в дом культуры"),
        ("на ул. Ленина яма", "на ул. Ленина яма"),
        ("дом 5 этажей", "дом 5 этажей"),
        ("ремонт дома 3 дня", "ремонт дома 3 дня"),
        ("МЦУ и ЖКХ Москвы", "МЦУ и ЖКХ Москвы"),
        ("Площадь Победы", "Площадь Победы"),
        ("№ 12050000001", "№ 12050000001"),
        ("ИНН 7701234567", "ИНН 7701234567"),
        ("в 2026 году 150 обращений", "в 2026 году 150 обращений"),
        ("ул. А.С. Пушкина, д. 3", "ул. А.С. Пушкина, д. *"),
        ("ул. Максима Горького, 10", "ул. Максима Горького, *"),
        ("Текст без данных.", "Текст без данных."),
        ("", ""),
    ];

    #[test]
    fn written_examples() {
        let mut wrong = Vec::new();
        for (text, want) in CASES {
            let got = mask_text(text);
            if got != *want {
                wrong.push(format!("«{text}»\n   got «{got}»\n  want «{want}»"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_whole_appeal() {
        let text = "Здравствуйте! Я, Иванова Мария Алексеевна, проживаю: ул. Центральная, д. 42, \
                    кв. 7. 12.11.2026 отключили воду, заплатила 3 500 руб. Звоните +7 (956) \
                    303-12-34 или пишите m.ivanova@mail.ru. Мастер Сидоров П. П. не пришёл.";
        let m = mask_text(text);
        for gone in ["Иванова", "Мария", "42", "303", "m.ivanova", "Сидоров"] {
            assert!(!m.contains(gone), "{gone} in «{m}»");
        }
        for kept in [
            "12.11.2026",
            "3 500 руб.",
            "ул. Центральная",
            "mail.ru",
            "12 34",
        ] {
            assert!(m.contains(kept), "{kept} lost from «{m}»");
        }
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        for (text, _) in CASES {
            let once = mask_text(text);
            assert_eq!(mask_text(&once), once, "«{text}»");
        }
    }
}

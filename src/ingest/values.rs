//! Parsing of cell values: dates, ratings, coordinates, yes/no, status, channel and quality words,
//! and free text.
//!
//! Every function is pure. `Ok(None)` means the cell is empty (the file does not state the value);
//! `Err` carries a plain reason that quotes the offending value, ready for a `RowError`.

use std::borrow::Cow;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::ImportProfiles;
use crate::domain::{Channel, Quality, Status};

/// The Excel serial numbers accepted as dates: 1990-01-01 up to 2099-12-31. A bare number outside
/// this range in a date column is far more likely a mistake than a date.
const EXCEL_SERIAL_RANGE: std::ops::Range<f64> = 32874.0..73051.0;

/// The formats named in messages about a value that is not a date.
const DATE_FORMATS: &str = "expected e.g. 2026-11-28 14:30, 28.11.2026 14:30, 28.11.26, \
                            2026-11-28T14:30:00+03:00 or an Excel date number";

/// Parses a date or date-time.
///
/// Accepted: RFC 3339 (`2026-11-28T14:30:00+03:00`, `…Z`, also with a space for `T`);
/// `YYYY-MM-DD[ HH:MM[:SS[.fff]]]` (also with `T`); `DD.MM.YYYY[ HH:MM[:SS]]`; `DD.MM.YY[ HH:MM]`;
/// a trailing «г.» after a date; Excel serial numbers (`46276.40486111111`). Times without an offset are local times of `tz`
/// (a time skipped by a clock change is taken an hour later; a repeated one, the first time).
/// A date alone is midnight. An empty value is an error here; see [`parse_datetime_opt`].
pub fn parse_datetime(s: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    parse_datetime_opt(s, tz)?.ok_or_else(|| "no date given".to_string())
}

/// Like [`parse_datetime`], but an empty value is `Ok(None)` (the file does not state it).
pub fn parse_datetime_opt(s: &str, tz: Tz) -> Result<Option<DateTime<Utc>>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // Russian registries often write «28.10.2026 г.»: the year mark is no part of the date.
    let bare = t
        .strip_suffix("г.")
        .or_else(|| t.strip_suffix('г'))
        .map_or(t, str::trim_end);
    match parse_shape(bare) {
        Shape::Instant(dt) => Ok(Some(dt)),
        Shape::Local(naive) => Ok(Some(local_to_utc(naive, tz))),
        Shape::Impossible => Err(format!("no such date «{t}»")),
        Shape::NotADate => Err(format!("not a date «{t}» ({DATE_FORMATS})")),
    }
}

/// What a date cell turned out to be.
enum Shape {
    /// Carried its own offset.
    Instant(DateTime<Utc>),
    /// A wall-clock time in the workspace's zone.
    Local(NaiveDateTime),
    /// Looks like a date but names a day or time that does not exist (31.02, 25:00).
    Impossible,
    NotADate,
}

/// A tiny cursor over ASCII digits and separators; faster and stricter than format strings.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Reads between `min` and `max` digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        let n = self.i - start;
        (n >= min).then_some((v, n))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    fn skip_spaces(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(|c| c == b' ') {
            self.i += 1;
        }
        self.i > start
    }
}

/// Time of day `HH:MM[:SS[.fff]]`; `None` when malformed, `Some(None)` when out of range.
fn parse_time(c: &mut Cursor<'_>) -> Option<Option<NaiveTime>> {
    let (h, _) = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let (m, _) = c.digits(2, 2)?;
    let mut sec = 0;
    let mut nanos = 0;
    if c.eat(b':') {
        sec = c.digits(2, 2)?.0;
        if c.eat(b'.') || c.eat(b',') {
            let (frac, n) = c.digits(1, 9)?;
            nanos = frac * 10u32.pow(9 - n as u32);
        }
    }
    Some(NaiveTime::from_hms_nano_opt(h, m, sec, nanos))
}

/// An offset `Z`, `±HH:MM` or `±HHMM`, in seconds east of UTC.
fn parse_offset(c: &mut Cursor<'_>) -> Option<i32> {
    if c.eat(b'Z') || c.eat(b'z') {
        return Some(0);
    }
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return None;
    };
    let (h, _) = c.digits(2, 2)?;
    c.eat(b':');
    let (m, _) = c.digits(2, 2)?;
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h as i32 * 3600 + m as i32 * 60))
}

fn parse_shape(t: &str) -> Shape {
    let b = t.as_bytes();
    let mut c = Cursor { b, i: 0 };
    let Some((first, n)) = c.digits(1, 4) else {
        return Shape::NotADate;
    };
    let date = if n == 4 && c.eat(b'-') {
        // ISO: YYYY-MM-DD
        let (Some((m, _)), true, Some((d, _))) = (c.digits(1, 2), c.eat(b'-'), c.digits(1, 2))
        else {
            return Shape::NotADate;
        };
        NaiveDate::from_ymd_opt(first as i32, m, d)
    } else if n <= 2 && c.eat(b'.') {
        // Russian: DD.MM.YYYY or DD.MM.YY
        let (Some((m, _)), true) = (c.digits(1, 2), c.eat(b'.')) else {
            return Shape::NotADate;
        };
        let Some((y, yn)) = c.digits(2, 4) else {
            return Shape::NotADate;
        };
        let year = match yn {
            2 => 2000 + y as i32,
            4 => y as i32,
            _ => return Shape::NotADate,
        };
        NaiveDate::from_ymd_opt(year, m, first)
    } else {
        return excel_serial_shape(t);
    };

    // The time part, if any.
    let mut time = Some(NaiveTime::MIN);
    let mut offset = None;
    if !c.done() {
        let had_space = c.skip_spaces();
        let had_t = !had_space && (c.eat(b'T') || c.eat(b't'));
        if !(had_space || had_t) {
            return Shape::NotADate;
        }
        match parse_time(&mut c) {
            Some(tm) => time = tm,
            None => return Shape::NotADate,
        }
        if !c.done() {
            c.skip_spaces();
            match parse_offset(&mut c) {
                Some(o) => offset = Some(o),
                None => return Shape::NotADate,
            }
            if !c.done() {
                return Shape::NotADate;
            }
        }
    }
    let (Some(date), Some(time)) = (date, time) else {
        return Shape::Impossible;
    };
    let naive = date.and_time(time);
    match offset {
        None => Shape::Local(naive),
        Some(secs) => Shape::Instant(naive.and_utc() - Duration::seconds(i64::from(secs))),
    }
}

fn excel_serial_shape(t: &str) -> Shape {
    let Ok(v) = t.replace(',', ".").parse::<f64>() else {
        return Shape::NotADate;
    };
    if !EXCEL_SERIAL_RANGE.contains(&v) {
        return Shape::NotADate;
    }
    excel_serial_to_naive(v).map_or(Shape::NotADate, Shape::Local)
}

/// Converts an Excel serial date-time (1900 date system, days since 1899-12-30 with the time as
/// the fraction) to a wall-clock time, rounded to the second.
pub fn excel_serial_to_naive(serial: f64) -> Option<NaiveDateTime> {
    if !serial.is_finite() || serial < 0.0 {
        return None;
    }
    // Excel's 1900 leap-year bug: serials before 1900-03-01 (61) are one day early.
    let serial = if serial < 61.0 { serial + 1.0 } else { serial };
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    let secs = (serial * 86_400.0).round();
    if secs > 1e12 {
        return None;
    }
    epoch.checked_add_signed(Duration::seconds(secs as i64))
}

/// Converts a wall-clock time of `tz` to an instant (see [`parse_datetime`] for clock changes).
pub fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    if let Some(dt) = tz.from_local_datetime(&naive).earliest() {
        return dt.with_timezone(&Utc);
    }
    // A time skipped when clocks went forward: take the same wall time an hour later.
    let later = naive + Duration::hours(1);
    tz.from_local_datetime(&later)
        .earliest()
        .map_or_else(|| naive.and_utc(), |dt| dt.with_timezone(&Utc))
}

/// Parses the citizen's rating: a whole number 1–5 («5», «5.0», «4,0»).
pub fn parse_rating(s: &str) -> Result<Option<u8>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: f64 = t
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("rating «{t}» is not a number 1–5"))?;
    if !v.is_finite() || v.fract() != 0.0 {
        return Err(format!("rating {t} is not a whole number 1–5"));
    }
    if !(1.0..=5.0).contains(&v) {
        return Err(format!("rating {t} is outside 1–5"));
    }
    Ok(Some(v as u8))
}

/// Parses a latitude (−90…90) or longitude (−180…180); `limit` is 90 or 180.
pub fn parse_coordinate(s: &str, limit: f64) -> Result<Option<f64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: f64 = t
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("coordinate «{t}» is not a number"))?;
    if !v.is_finite() || v.abs() > limit {
        return Err(format!("coordinate {t} is outside −{limit}…{limit}"));
    }
    Ok(Some(v))
}

/// Parses a yes/no cell through the profile's words («Да», «нет», «1», «+»…).
pub fn parse_bool(s: &str, profiles: &ImportProfiles) -> Result<Option<bool>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    profiles.boolean(t).map(Some).ok_or_else(|| {
        format!("«{t}» is neither yes nor no (expected e.g. Да/Нет, 1/0, true/false)")
    })
}

/// Parses a status word («Дан ответ», «В работе», `in_progress`…).
pub fn parse_status(s: &str, profiles: &ImportProfiles) -> Result<Option<Status>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    profiles.status(t).map(Some).ok_or_else(|| {
        let known: Vec<String> = Status::ALL
            .iter()
            .map(|s| format!("{} ({})", s.label_ru(), s.id()))
            .collect();
        format!(
            "unknown status «{t}» (expected one of: {})",
            known.join(", ")
        )
    })
}

/// Parses a channel word («ВКонтакте», «ПОС», `letter`…).
pub fn parse_channel(s: &str, profiles: &ImportProfiles) -> Result<Option<Channel>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    profiles.channel(t).map(Some).ok_or_else(|| {
        let known: Vec<String> = Channel::ALL
            .iter()
            .map(|c| format!("{} ({})", c.label_ru(), c.id()))
            .collect();
        format!(
            "unknown channel «{t}» (expected one of: {}, or a word of the import profile such as ВКонтакте, Госуслуги, Telegram)",
            known.join(", ")
        )
    })
}

/// Parses the МЦУ's grade of an answer («по существу», «отписка», `formal`…).
pub fn parse_quality(s: &str, profiles: &ImportProfiles) -> Result<Option<Quality>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    profiles.quality(t).map(Some).ok_or_else(|| {
        format!("unknown answer quality «{t}» (expected substantive/по существу or formal/отписка)")
    })
}

/// Cleans free text: trimmed, line breaks as `\n`, NFC-normalised; empty → `None`.
pub fn clean_text(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let t: Cow<'_, str> = if t.contains('\r') {
        Cow::Owned(t.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(t)
    };
    if is_trivially_nfc(&t) || matches!(is_nfc_quick(t.chars()), IsNormalized::Yes) {
        Some(t.into_owned())
    } else {
        Some(t.nfc().collect())
    }
}

/// A fast check for the usual case: text made only of characters that are NFC whatever surrounds
/// them (no combining marks, no singleton decompositions): Latin up to U+02FF, Cyrillic letters
/// U+0400–U+0482, general punctuation U+2002–U+206F (dashes, quotes, ellipsis).
fn is_trivially_nfc(s: &str) -> bool {
    s.chars().all(|c| {
        c < '\u{300}'
            || ('\u{400}'..='\u{482}').contains(&c)
            || ('\u{2002}'..='\u{206F}').contains(&c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSK: Tz = chrono_tz::Europe::Moscow;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid test instant")
            .with_timezone(&Utc)
    }

    fn date(s: &str) -> Result<Option<DateTime<Utc>>, String> {
        parse_datetime_opt(s, MSK)
    }

    #[test]
    fn rfc3339_keeps_its_offset() {
        assert_eq!(
            date("2026-10-10T10:38:00+03:00"),
            Ok(Some(utc("2026-10-10T07:38:00Z")))
        );
        assert_eq!(
            date("2026-10-10T07:38:00Z"),
            Ok(Some(utc("2026-10-10T07:38:00Z")))
        );
        assert_eq!(
            date("2026-10-10 10:38:00.5+0300"),
            Ok(Some(utc("2026-10-10T07:38:00.5Z")))
        );
    }

    #[test]
    fn iso_local_times_are_in_the_workspace_zone() {
        assert_eq!(
            date("2026-11-01 10:15"),
            Ok(Some(utc("2026-11-01T07:15:00Z")))
        );
        assert_eq!(
            date("2026-11-01 10:15:30"),
            Ok(Some(utc("2026-11-01T07:15:30Z")))
        );
        assert_eq!(
            date("2026-11-01T10:15:30"),
            Ok(Some(utc("2026-11-01T07:15:30Z")))
        );
        assert_eq!(date("2026-11-01"), Ok(Some(utc("2026-10-31T21:00:00Z"))));
        assert_eq!(
            parse_datetime("2026-11-01 10:15", chrono_tz::Asia::Yekaterinburg),
            Ok(utc("2026-11-01T05:15:00Z"))
        );
    }

    #[test]
    fn russian_dates_with_and_without_time() {
        assert_eq!(
            date("21.11.2026 19:21"),
            Ok(Some(utc("2026-11-21T16:21:00Z")))
        );
        assert_eq!(
            date("21.11.2026 19:21:05"),
            Ok(Some(utc("2026-11-21T16:21:05Z")))
        );
        assert_eq!(date("1.2.2026"), Ok(Some(utc("2026-01-31T21:00:00Z"))));
        assert_eq!(date("21.11.2026"), Ok(Some(utc("2026-11-20T21:00:00Z"))));
        assert_eq!(date("21.11.26"), Ok(Some(utc("2026-11-20T21:00:00Z"))));
        assert_eq!(
            date(" 21.11.26 9:05 "),
            Ok(Some(utc("2026-11-21T06:05:00Z")))
        );
        assert_eq!(date("21.11.2026 г."), Ok(Some(utc("2026-11-20T21:00:00Z"))));
        assert_eq!(date("21.11.2026г"), Ok(Some(utc("2026-11-20T21:00:00Z"))));
    }

    #[test]
    fn excel_serials_are_local_times() {
        // 46276.40486111111 is 2026-09-11 09:43:00 as Excel shows it.
        assert_eq!(
            date("46276.40486111111"),
            Ok(Some(utc("2026-09-11T06:43:00Z")))
        );
        assert_eq!(date("46276"), Ok(Some(utc("2026-09-10T21:00:00Z"))));
        assert_eq!(
            excel_serial_to_naive(45943.5).map(|d| d.to_string()),
            Some("2025-10-13 12:00:00".to_string())
        );
    }

    #[test]
    fn impossible_dates_are_refused_quoting_the_value() {
        assert_eq!(
            date("31.02.2026"),
            Err("no such date «31.02.2026»".to_string())
        );
        assert_eq!(
            date("2026-02-30 10:00"),
            Err("no such date «2026-02-30 10:00»".to_string())
        );
        assert_eq!(
            date("01.01.2026 25:00"),
            Err("no such date «01.01.2026 25:00»".to_string())
        );
        let err = date("вчера").expect_err("not a date");
        assert!(err.starts_with("not a date «вчера»"), "{err}");
        assert!(date("2026").is_err());
        assert!(date("12050000001").is_err());
        assert!(date("2026-11-01 10:15 МСК").is_err());
    }

    #[test]
    fn empty_dates_are_absent() {
        assert_eq!(date("  "), Ok(None));
        assert_eq!(parse_datetime(" ", MSK), Err("no date given".to_string()));
    }

    #[test]
    fn ratings_are_whole_numbers_one_to_five() {
        assert_eq!(parse_rating("5"), Ok(Some(5)));
        assert_eq!(parse_rating("5.0"), Ok(Some(5)));
        assert_eq!(parse_rating(" 4,0 "), Ok(Some(4)));
        assert_eq!(parse_rating(""), Ok(None));
        assert_eq!(
            parse_rating("7"),
            Err("rating 7 is outside 1–5".to_string())
        );
        assert_eq!(
            parse_rating("0"),
            Err("rating 0 is outside 1–5".to_string())
        );
        assert!(parse_rating("4.5").expect_err("refused").contains("whole"));
        assert!(
            parse_rating("отлично")
                .expect_err("refused")
                .contains("«отлично»")
        );
    }

    #[test]
    fn coordinates_are_bounded() {
        assert_eq!(parse_coordinate("56,95", 90.0), Ok(Some(56.95)));
        assert!(parse_coordinate("95", 90.0).is_err());
        assert_eq!(parse_coordinate("-170.5", 180.0), Ok(Some(-170.5)));
    }

    #[test]
    fn words_come_from_the_profile() {
        let p = ImportProfiles::default();
        assert_eq!(parse_bool("Да", &p), Ok(Some(true)));
        assert_eq!(parse_bool("нет", &p), Ok(Some(false)));
        assert_eq!(parse_bool("", &p), Ok(None));
        assert!(
            parse_bool("может быть", &p)
                .expect_err("refused")
                .contains("«может быть»")
        );
        assert_eq!(parse_status("Ответ дан", &p), Ok(Some(Status::Answered)));
        assert!(
            parse_status("Потеряно", &p)
                .expect_err("refused")
                .contains("«Потеряно»")
        );
        assert_eq!(parse_channel("ВК", &p), Ok(Some(Channel::Im)));
        assert!(
            parse_channel("Факс", &p)
                .expect_err("refused")
                .contains("«Факс»")
        );
        assert_eq!(parse_quality("отписка", &p), Ok(Some(Quality::Formal)));
    }

    #[test]
    fn text_is_trimmed_nfc_and_unix_lines() {
        assert_eq!(clean_text("  \t "), None);
        assert_eq!(
            clean_text(" Яма\r\nна дороге "),
            Some("Яма\nна дороге".to_string())
        );
        // «й» written as «и» + combining breve becomes the single letter.
        assert_eq!(clean_text("и\u{306}од"), Some("йод".to_string()));
    }
}

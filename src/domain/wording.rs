//! How things are said in Russian to an officer: plurals after numbers, the names of an appeal's
//! audited fields and their values as a person reads them (a status's name, not its id; a time in
//! the workspace's zone, not UTC with nanoseconds). One place, so every screen and message says it
//! the same way.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Status;
use super::block::Blocks;

/// The word form after a number: `forms` are for 1, 2–4 and 5+ («обращение», «обращения»,
/// «обращений»); 11–14 take the third.
pub fn plural(n: u64, forms: [&'static str; 3]) -> &'static str {
    let (d10, d100) = (n % 10, n % 100);
    if d10 == 1 && d100 != 11 {
        forms[0]
    } else if (2..=4).contains(&d10) && !(12..=14).contains(&d100) {
        forms[1]
    } else {
        forms[2]
    }
}

/// «3 обращения»: the number with the word in its form.
pub fn count(n: u64, forms: [&'static str; 3]) -> String {
    format!("{n} {}", plural(n, forms))
}

/// The forms of «обращение».
pub const APPEALS: [&str; 3] = ["обращение", "обращения", "обращений"];

/// The Russian name of an audited field of an appeal (the history's `field`).
pub fn field_label(field: &str) -> &str {
    match field {
        "created" => "создано",
        "received_at" => "поступило",
        "text" => "текст",
        "author" => "автор",
        "contact" => "контакт",
        "settlement" => "населённый пункт",
        "address" => "адрес",
        "url" => "ссылка",
        "category" => "категория",
        "fz59" => "59-ФЗ",
        "block" => "блок",
        "responsible" => "ответственный",
        "status" => "статус",
        "urgent" => "срочное",
        "conflict" => "конфликтное",
        "first_response_at" => "первый ответ",
        "answered_at" => "ответ дан",
        "answer" => "текст ответа",
        "quality" => "качество ответа",
        "rating" => "оценка",
        "coordinates" => "координаты",
        "duplicate_of" => "дубль обращения",
        "extension_reason" => "продление",
        "note" => "заметка",
        "block_confirmed" => "блок подтверждён",
        "reopen_count" => "переоткрыто раз",
        "reopened_at" => "переоткрыто",
        "interim_after_reopen_at" => "промежуточный ответ после переоткрытия",
        "interim_answer" => "текст промежуточного ответа",
        other => other,
    }
}

/// A stored value of an audited field as an officer reads it.
pub fn value_label(field: &str, value: &str, blocks: &Blocks, tz: Tz) -> String {
    match field {
        "status" => value
            .parse::<Status>()
            .map_or_else(|_| value.to_string(), |s| s.label_ru().to_string()),
        "block" => blocks.name_of(value).to_string(),
        "quality" => match value {
            "substantive" => "по существу".into(),
            "formal" => "формальный (отписка)".into(),
            other => other.into(),
        },
        "fz59" | "urgent" | "conflict" | "block_confirmed" => match value {
            "true" => "да".into(),
            "false" => "нет".into(),
            other => other.into(),
        },
        "duplicate_of" => format!("№{value}"),
        _ => match DateTime::parse_from_rfc3339(value) {
            Ok(t) => local_time(t.with_timezone(&Utc), tz),
            Err(_) => value.to_string(),
        },
    }
}

/// A span of working time as an officer reads it — working days of 8 hours, else hours, else
/// minutes — in whole units cut down, never rounded up («3 р.д.» until the fourth day is whole),
/// so the console and `mcu show` say the same of one appeal. The sign is the caller's.
pub fn working_span(secs: i64) -> String {
    let secs = secs.unsigned_abs();
    let (day, hour) = (8 * 3600, 3600);
    if secs >= day {
        format!("{} р.д.", secs / day)
    } else if secs >= hour {
        format!("{} ч", secs / hour)
    } else {
        format!("{} мин", secs / 60)
    }
}

/// How much working time is left to a deadline — the one computation behind the console's «Срок»
/// column, its detail and `mcu show` / `mcu list`, so that they never disagree about an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLeft {
    /// No deadline, or nothing is awaited any more (the appeal is closed, the step is done).
    None,
    /// Passed less than a working minute ago.
    Expired,
    /// Passed this many working seconds ago.
    Overdue(i64),
    /// This many working seconds left.
    Left(i64),
}

impl TimeLeft {
    /// The time left at `now` to `due`, counted over the working calendar; `awaited` is whether
    /// the deadline still applies (an open appeal, a first response not given yet).
    pub fn of(
        cal: &super::WorkCalendar,
        now: DateTime<Utc>,
        due: Option<DateTime<Utc>>,
        awaited: bool,
    ) -> Self {
        let Some(due) = due.filter(|_| awaited) else {
            return TimeLeft::None;
        };
        // Overdue the instant it passes, as `Appeal::is_overdue` and the overdue counts say.
        let secs = cal.working_seconds_between(now, due).unwrap_or(0).abs();
        if now > due && secs < 60 {
            TimeLeft::Expired
        } else if now > due {
            TimeLeft::Overdue(secs)
        } else {
            TimeLeft::Left(secs)
        }
    }

    /// The answer deadline of an appeal (while it is open).
    pub fn answer(cal: &super::WorkCalendar, now: DateTime<Utc>, a: &super::Appeal) -> Self {
        Self::of(cal, now, a.deadlines.answer_due, a.status.is_open())
    }

    /// How many whole working days (of 8 hours) past the deadline, when it has passed — the
    /// number «−N р.д.» shows.
    pub fn days_overdue(self) -> Option<i64> {
        match self {
            TimeLeft::Expired => Some(0),
            TimeLeft::Overdue(s) => Some(s / (8 * 3600)),
            TimeLeft::None | TimeLeft::Left(_) => None,
        }
    }

    /// For a column: «3 р.д.», «−2 р.д.», «истёк», «—».
    pub fn short(self) -> String {
        match self {
            TimeLeft::None => "—".into(),
            TimeLeft::Expired => "истёк".into(),
            TimeLeft::Overdue(s) => format!("−{}", working_span(s)),
            TimeLeft::Left(s) => working_span(s),
        }
    }

    /// In words: «осталось 3 р.д.», «просрочено 2 р.д.», «срок истёк», «—».
    pub fn words(self) -> String {
        match self {
            TimeLeft::None => "—".into(),
            TimeLeft::Expired => "срок истёк".into(),
            TimeLeft::Overdue(s) => format!("просрочено {}", working_span(s)),
            TimeLeft::Left(s) => format!("осталось {}", working_span(s)),
        }
    }
}

/// The short Russian names of the months, January first.
pub const MONTHS_SHORT: [&str; 12] = [
    "янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
];

/// A month as an officer reads it: «ноя 2026» (`month` is 1–12; another number is shown as is).
pub fn month_year(year: i32, month: u32) -> String {
    match month
        .checked_sub(1)
        .and_then(|i| MONTHS_SHORT.get(i as usize))
    {
        Some(name) => format!("{name} {year}"),
        None => format!("{month:02}.{year}"),
    }
}

/// A time in the workspace's zone, to the minute: «28.11.2026 14:05».
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_russian_rules() {
        let f = |n| count(n, APPEALS);
        assert_eq!(f(1), "1 обращение");
        assert_eq!(f(3), "3 обращения");
        assert_eq!(f(5), "5 обращений");
        assert_eq!(f(11), "11 обращений");
        assert_eq!(f(12), "12 обращений");
        assert_eq!(f(21), "21 обращение");
        assert_eq!(f(22), "22 обращения");
        assert_eq!(f(111), "111 обращений");
        assert_eq!(f(0), "0 обращений");
    }

    #[test]
    fn working_spans_are_cut_down_to_whole_units() {
        assert_eq!(working_span(3 * 8 * 3600 + 7 * 3600), "3 р.д.");
        assert_eq!(working_span(-(3 * 8 * 3600 + 7 * 3600)), "3 р.д.");
        assert_eq!(working_span(8 * 3600 - 1), "7 ч");
        assert_eq!(working_span(3599), "59 мин");
        assert_eq!(working_span(0), "0 мин");
    }

    #[test]
    fn time_left_is_one_reading_of_a_deadline_in_short_and_in_words() {
        use super::super::calendar::{CalendarFile, WorkHours};
        let cal = super::super::WorkCalendar::new(
            CalendarFile::embedded_ru().expect("loads"),
            WorkHours::default(),
        )
        .expect("builds");
        let msk = |d, h, m| {
            use chrono::TimeZone;
            chrono_tz::Europe::Moscow
                .with_ymd_and_hms(2026, 11, d, h, m, 0)
                .unwrap()
                .to_utc()
        };
        // Due Tuesday 17.11 17:00; Thursday 19.11 15:00 is 14 working hours later: one whole
        // working day (the dates are two working days apart).
        let due = Some(msk(17, 17, 0));
        let late = TimeLeft::of(&cal, msk(19, 15, 0), due, true);
        assert_eq!(late.short(), "−1 р.д.");
        assert_eq!(late.words(), "просрочено 1 р.д.");
        assert_eq!(late.days_overdue(), Some(1));
        let just = TimeLeft::of(
            &cal,
            msk(17, 17, 0) + chrono::Duration::seconds(30),
            due,
            true,
        );
        assert_eq!(
            (just.short().as_str(), just.days_overdue()),
            ("истёк", Some(0))
        );
        let before = TimeLeft::of(&cal, msk(17, 13, 0), due, true);
        assert_eq!(before.words(), "осталось 4 ч");
        assert_eq!(before.days_overdue(), None);
        assert_eq!(TimeLeft::of(&cal, msk(19, 15, 0), due, false).short(), "—");
    }

    #[test]
    fn months_read_by_their_short_russian_names() {
        assert_eq!(month_year(2026, 1), "янв 2026");
        assert_eq!(month_year(2026, 5), "май 2026");
        assert_eq!(month_year(2026, 11), "ноя 2026");
        assert_eq!(month_year(2027, 12), "дек 2027");
        assert_eq!(month_year(2026, 13), "13.2026");
        assert_eq!(month_year(2026, 0), "00.2026");
    }

    #[test]
    fn values_read_as_a_person_says_them() {
        let blocks = Blocks::from_toml(
            "[[block]]\nid = \"roads\"\nname = \"Дороги\"\nkeywords = [\"яма\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let tz = chrono_tz::Europe::Moscow;
        assert_eq!(
            value_label("status", "in_progress", &blocks, tz),
            "В работе"
        );
        assert_eq!(value_label("block", "roads", &blocks, tz), "Дороги");
        assert_eq!(value_label("urgent", "true", &blocks, tz), "да");
        assert_eq!(
            value_label(
                "answered_at",
                "2026-11-28T11:05:07.123456789+00:00",
                &blocks,
                tz
            ),
            "28.11.2026 14:05"
        );
        assert_eq!(value_label("text", "как есть", &blocks, tz), "как есть");
        assert_eq!(field_label("status"), "статус");
    }
}

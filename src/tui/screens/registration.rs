//! `W`: the 59-ФЗ registration of a letter — its number and date in the registration journal —
//! typed as «номер дата» («123-П 01.12.2026»; without a date, today), recorded through the audited
//! store (`Store::register_fz59`) and shown in the detail.

use chrono::NaiveDate;

use super::Env;
use crate::domain::Appeal;
use crate::store::{Actor, StoreError};
use crate::tui::popup::{Input, Popup, Purpose};
use crate::tui::writes::{Job, Reply};

/// Opens the input, filled with the registration recorded so far.
pub fn start(current: Option<&Appeal>, env: &mut Env) -> Result<(), StoreError> {
    let Some(a) = current else {
        env.say("Нет выбранного обращения", true);
        return Ok(());
    };
    if !env.reference.sla.is_fz59(a.channel, a.fz59) {
        env.say(
            format!(
                "№{}: не по 59-ФЗ (не письмо) — регистрация не ведётся",
                a.id
            ),
            true,
        );
        return Ok(());
    }
    let text = env
        .store
        .registration(a.id)?
        .map(|r| format!("{} {}", r.number, r.date.format("%d.%m.%Y")))
        .unwrap_or_default();
    env.open(Popup::Input(
        Input::new(
            format!(
                "Регистрация №{} по 59-ФЗ: номер и дата (123-П 01.12.2026; без даты — сегодня)",
                a.id
            ),
            false,
            Purpose::Registration(a.id),
        )
        .with_text(&text),
    ));
    Ok(())
}

/// Splits «123-П 01.12.2026» into the number and the date (`None`: none given).
pub fn parse(value: &str) -> (String, Option<NaiveDate>) {
    let v = value.trim();
    if let Some((number, last)) = v.rsplit_once(char::is_whitespace)
        && let Ok(d) = NaiveDate::parse_from_str(last, "%d.%m.%Y")
    {
        return (number.trim().to_string(), Some(d));
    }
    (v.to_string(), None)
}

/// The registration typed in: recorded, or the reason it is not (the input opens again with it).
pub fn entered(id: i64, value: &str, env: &mut Env) -> Result<(), StoreError> {
    let (number, date) = parse(value);
    let tz = env.reference.calendar.timezone();
    let date = date.unwrap_or_else(|| env.now().with_timezone(&tz).date_naive());
    let actor = Actor::operator(env.grants.clone(), "console");
    let now = env.now();
    let value = value.to_string();
    let job = Job::op(
        format!("регистрация №{id}"),
        actor.clone(),
        now,
        move |store| match store.register_fz59(id, &number, date, &actor, now) {
            Ok(r) => Ok(Reply::saved(format!(
                "Зарегистрировано: №{id} — № {} от {}",
                r.number,
                r.date.format("%d.%m.%Y")
            ))),
            Err(e @ (StoreError::Invalid(_) | StoreError::Denied(_) | StoreError::NotFound(_))) => {
                // The input again, with what was typed, to correct it.
                let mut r = Reply::refused(format!("Регистрация не записана: {}", reason_ru(&e)));
                r.popup = Some(Popup::Input(
                    Input::new(
                        format!("Регистрация №{id} по 59-ФЗ: номер и дата (123-П 01.12.2026)"),
                        false,
                        Purpose::Registration(id),
                    )
                    .with_text(&value),
                ));
                Ok(r)
            }
            Err(e) => Err(e),
        },
    );
    super::triage::submit_op(env, job)
}

/// The store's reason, in Russian.
fn reason_ru(e: &StoreError) -> String {
    let m = e.to_string();
    if m.contains("is empty") {
        "не указан номер".into()
    } else if m.contains("in the future") {
        "дата ещё не наступила".into()
    } else if m.contains("before the appeal was received") {
        "дата раньше поступления обращения".into()
    } else if m.contains("longer than") {
        "номер длиннее 64 знаков или с управляющими символами".into()
    } else if m.contains("not a 59-ФЗ") {
        "обращение не по 59-ФЗ".into()
    } else {
        super::error_text(e, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_and_an_optional_date() {
        assert_eq!(
            parse(" 123-П 01.12.2026 "),
            ("123-П".into(), NaiveDate::from_ymd_opt(2026, 12, 1))
        );
        assert_eq!(parse("МЦУ-7/12"), ("МЦУ-7/12".into(), None));
        assert_eq!(parse("12 от 01"), ("12 от 01".into(), None));
    }
}

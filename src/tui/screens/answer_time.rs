//! The time of an answer: now unless the officer says otherwise. In the answer's input `Tab`
//! opens the time («27.11.2026 12:00», local time), `Enter` takes it back to the text, `Esc` goes
//! back to the text unchanged. A time in the future or before the appeal was received is refused
//! with the reason, and the input stays open with what was typed (nothing is lost).

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::Env;
use crate::domain::templates::Kind;
use crate::store::StoreError;
use crate::tui::keymap::Action;
use crate::tui::popup::{Input, Popup, Purpose};

/// How the time is written and read.
pub const FORMAT: &str = "%d.%m.%Y %H:%M";

/// The answer input's title, with the time it will be saved with.
pub fn title(kind: Kind, at: Option<DateTime<Utc>>, env: &Env) -> String {
    let what = match kind {
        Kind::Interim => "Промежуточный ответ",
        Kind::Final => "Ответ",
    };
    let when = match at {
        Some(t) => local(t, env),
        None => "сейчас".into(),
    };
    format!("{what} (Ctrl-S — сохранить; Tab — время ответа: {when})")
}

fn local(t: DateTime<Utc>, env: &Env) -> String {
    t.with_timezone(&env.reference.calendar.timezone())
        .format(FORMAT)
        .to_string()
}

/// Keys of the answer's inputs that are not the input's own: `Tab` in the answer opens the time,
/// `Esc` in the time goes back to the answer. `true` when handled.
pub fn intercept(action: &Action, env: &mut Env) -> bool {
    let Some(Popup::Input(i)) = &env.popup else {
        return false;
    };
    match (action, &i.purpose) {
        (Action::Complete, Purpose::Interim(ids) | Purpose::Answer(ids)) => {
            let kind = if matches!(i.purpose, Purpose::Interim(_)) {
                Kind::Interim
            } else {
                Kind::Final
            };
            let (ids, text) = (ids.clone(), i.text.clone());
            ask_time(env, ids, kind, text, env.now());
            true
        }
        (Action::Complete, Purpose::AnswerAt(ids, kind, at)) => {
            let (ids, kind, at, text) = (ids.clone(), *kind, *at, i.text.clone());
            ask_time(env, ids, kind, text, at);
            true
        }
        (Action::Cancel | Action::Back, Purpose::AnswerTime(ids, kind, text)) => {
            let (ids, kind, text) = (ids.clone(), *kind, text.clone());
            back_to_text(env, ids, kind, text, None);
            true
        }
        _ => false,
    }
}

fn ask_time(env: &mut Env, ids: Vec<i64>, kind: Kind, text: String, at: DateTime<Utc>) {
    let shown = local(at, env);
    env.open(Popup::Input(
        Input::new(
            "Время ответа (ДД.ММ.ГГГГ ЧЧ:ММ; Enter — к тексту, Esc — без изменений)",
            false,
            Purpose::AnswerTime(ids, kind, text),
        )
        .with_text(&shown),
    ));
}

fn back_to_text(env: &mut Env, ids: Vec<i64>, kind: Kind, text: String, at: Option<DateTime<Utc>>) {
    let purpose = match (at, kind) {
        (Some(t), _) => Purpose::AnswerAt(ids, kind, t),
        (None, Kind::Interim) => Purpose::Interim(ids),
        (None, Kind::Final) => Purpose::Answer(ids),
    };
    let title = title(kind, at, env);
    env.open(Popup::Input(
        Input::new(title, true, purpose).with_text(&text),
    ));
}

/// The time typed in: back to the text with it, or the reason it is refused (the input stays).
pub fn chosen(
    env: &mut Env,
    ids: Vec<i64>,
    kind: Kind,
    text: String,
    value: &str,
) -> Result<(), StoreError> {
    match check(env, &ids, value) {
        Ok(t) => back_to_text(env, ids, kind, text, Some(t)),
        Err(why) => {
            env.say(why, true);
            env.open(Popup::Input(
                Input::new(
                    "Время ответа (ДД.ММ.ГГГГ ЧЧ:ММ; Enter — к тексту, Esc — без изменений)",
                    false,
                    Purpose::AnswerTime(ids, kind, text),
                )
                .with_text(value),
            ));
        }
    }
    Ok(())
}

/// A time of an answer to these appeals, or why not: not in the future, not before receipt.
pub fn check(env: &Env, ids: &[i64], value: &str) -> Result<DateTime<Utc>, String> {
    let tz = env.reference.calendar.timezone();
    let naive = NaiveDateTime::parse_from_str(value.trim(), FORMAT).map_err(|_| {
        format!(
            "Время ответа «{}»: ожидается ДД.ММ.ГГГГ ЧЧ:ММ, например 27.11.2026 14:30",
            value.trim()
        )
    })?;
    let t = tz
        .from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| format!("Время ответа «{}» не существует", value.trim()))?
        .to_utc();
    if t > env.now() {
        return Err(format!("Время ответа {} ещё не наступило", local(t, env)));
    }
    for id in ids {
        if let Ok(Some(a)) = env.store.get(*id)
            && t < a.received_at
        {
            return Err(format!(
                "Время ответа {} раньше поступления обращения №{id} ({})",
                local(t, env),
                local(a.received_at, env)
            ));
        }
    }
    Ok(t)
}

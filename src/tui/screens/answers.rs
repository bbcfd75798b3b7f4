//! Recording an answer in the console (`i` interim, `r` final): first a chooser of the answer
//! templates that fit the appeal («без шаблона» first), then the input with the chosen template
//! filled in for editing; once saved, the formal-reply check's proposal — for a final answer as a
//! question («Похоже на отписку: нет срока, нет конкретных мер. Оценить как формальный?»; «да»
//! sets the grade, «нет» leaves it ungraded), for an interim answer as a message (the grade is
//! the final answer's).

use super::Env;
use super::triage::{Pending, ask_text};
use crate::domain::access::Action as Right;
use crate::domain::answers::Checker;
use crate::domain::templates::{Kind, Template, Values, fill};
use crate::reference::Reference;
use crate::store::StoreError;
use crate::tui::popup::{Chooser, Confirm, Input, Item, Popup, Purpose};

/// The input's title and purpose for an answer of `kind`.
fn input(kind: Kind, targets: Vec<i64>) -> (&'static str, Purpose) {
    match kind {
        Kind::Interim => (
            "Промежуточный ответ (Ctrl-S — сохранить; Tab — время ответа: сейчас)",
            Purpose::Interim(targets),
        ),
        Kind::Final => (
            "Ответ (Ctrl-S — сохранить; Tab — время ответа: сейчас)",
            Purpose::Answer(targets),
        ),
    }
}

/// The templates of `kind` that fit the appeal, read afresh (an officer may have edited them
/// since the console started); none, with a message, when the file cannot be read.
pub fn fitting(env: &mut Env, id: i64, kind: Kind) -> Result<Vec<Template>, StoreError> {
    let Some(a) = env.store.get(id)? else {
        return Ok(Vec::new());
    };
    let all = match Reference::load_templates(
        env.reference.templates_file.as_deref(),
        &env.reference.blocks,
    ) {
        Ok(t) => t,
        Err(e) => {
            env.say(format!("Шаблоны ответов не прочитаны: {e}"), true);
            return Ok(Vec::new());
        }
    };
    Ok(all.fitting(&a, Some(kind)).into_iter().cloned().collect())
}

/// `i` / `r`: the chooser of templates when some fit (one appeal), else the input at once.
pub fn start(env: &mut Env, targets: Vec<i64>, kind: Kind) {
    let templates = match targets.as_slice() {
        // A template's placeholders are one appeal's: for several, the text is typed.
        [one] => fitting(env, *one, kind).unwrap_or_default(),
        _ => Vec::new(),
    };
    if templates.is_empty() {
        let (title, purpose) = input(kind, targets);
        ask_text(env, title, true, purpose);
        return;
    }
    let blocks = &env.reference.blocks;
    let mut items = vec![Item {
        value: String::new(),
        label: "без шаблона".into(),
    }];
    items.extend(templates.iter().map(|t| Item {
        value: t.id.clone(),
        label: format!("{} — {}", t.label(), t.scope_ru(blocks)),
    }));
    let title = match kind {
        Kind::Interim => "Шаблон промежуточного ответа",
        Kind::Final => "Шаблон ответа",
    };
    env.open(Popup::Chooser(Chooser::new(
        title,
        items,
        Purpose::AnswerTemplate(targets, kind),
    )));
}

/// A template was chosen (`""`: none): the input opens with its text filled for the appeal.
pub fn chosen(env: &mut Env, targets: &[i64], kind: Kind, id: &str) -> Result<(), StoreError> {
    let mut text = String::new();
    if !id.is_empty()
        && let Some(&first) = targets.first()
        && let Some(a) = env.store.get(first)?
    {
        match fitting(env, first, kind)?.into_iter().find(|t| t.id == id) {
            Some(t) => {
                let values = Values {
                    appeal: &a,
                    blocks: &env.reference.blocks,
                    tz: env.reference.calendar.timezone(),
                    now: env.now(),
                    personal_data: env.grants.may_see_personal_data(&a),
                };
                match fill(&t.text, &values) {
                    Ok(t) => text = t,
                    Err(e) => env.say(format!("Шаблон «{id}»: {e}"), true),
                }
            }
            None => env.say(format!("Шаблона «{id}» больше нет"), true),
        }
    }
    let (title, purpose) = input(kind, targets.to_vec());
    env.open(Popup::Input(
        Input::new(title, true, purpose).with_text(&text),
    ));
    Ok(())
}

/// After an answer's text was saved: the check's proposal. Nothing when the save asked first
/// (several appeals: a confirmation is open) or did not go through.
pub fn saved(env: &mut Env, targets: &[i64], kind: Kind, text: &str) -> Result<(), StoreError> {
    if env.popup.is_some() || text.trim().is_empty() {
        return Ok(());
    }
    let [id] = targets else { return Ok(()) };
    let Some(a) = env.store.get(*id)? else {
        return Ok(());
    };
    let stored = match kind {
        Kind::Interim => a.interim_answer.as_deref(),
        Kind::Final => a.answer.as_deref(),
    };
    if stored != Some(text.trim()) {
        return Ok(());
    }
    let v = Checker::new(env.reference.templates.check.min_words).check(text);
    match kind {
        Kind::Interim => {
            if v.grade == crate::domain::Quality::Formal {
                env.say(
                    format!(
                        "Промежуточный ответ сохранён; похоже на отписку: {}",
                        v.reasons_ru()
                    ),
                    false,
                );
            }
        }
        Kind::Final if env.grants.may(Right::Grade, &a) => {
            env.open(Popup::Confirm(Confirm {
                message: v.question_ru(),
                then: Box::new(Pending::Grade(vec![*id], v.grade)),
            }));
        }
        Kind::Final => {}
    }
    Ok(())
}

//! Undo (`z`): takes back the officer's own last change — the fields it changed return to what
//! they were — through the same audited store as any change (the history shows both). Only the
//! officer's own change made in this console, and only while nobody has changed the appeal since;
//! otherwise the officer is told why not. A note stays in the history; a 59-ФЗ extension is not
//! taken back.
//!
//! `z` is about the last change of any kind: when it was not an appeal's fields (a roadmap, an
//! official page, a template, a 59-ФЗ registration, an appeal taken by hand, a block confirmed)
//! the officer is told that it cannot be undone here and what to do instead — never is an
//! older appeal change taken back in its place.

use super::Env;
use super::triage::finished;
use crate::store::{Actor, StoreError};
use crate::tui::writes::{Job, Saved, Target, Then, inverse};

/// The officer's last saved change.
#[derive(Debug, Clone)]
pub struct LastChange {
    /// Each appeal it changed, before and after.
    pub saved: Vec<Saved>,
    /// What it was, in Russian («блок «ЖКХ»»).
    pub what: String,
    /// A write of another kind (a register's change…): `z` says it cannot be undone.
    pub register: bool,
}

/// What `z` says after a change it cannot take back.
pub fn cannot(what: &str) -> String {
    format!(
        "Отменить нельзя: последнее изменение («{what}») — не поля обращения; \
         исправьте его тем же способом, каким внесли"
    )
}

/// `undo`: sends the change back to the write queue, or says why it cannot be undone.
pub fn perform(env: &mut Env) -> Result<(), StoreError> {
    let Some(last) = env.last_change.clone() else {
        env.say(
            "Нечего отменять: в этой консоли вы ещё ничего не меняли",
            true,
        );
        return Ok(());
    };
    if last.register {
        env.say(cannot(&last.what), true);
        return Ok(());
    }
    let mut targets = Vec::new();
    for s in &last.saved {
        let id = s.after.id;
        let now = env.store.get(id)?;
        if now.as_ref().map(|a| a.version) != Some(s.after.version) {
            env.say(
                format!(
                    "Не отменено: №{id} изменено после вашего изменения «{}» — посмотрите историю",
                    last.what
                ),
                true,
            );
            return Ok(());
        }
        match inverse(&s.before, &s.after) {
            Ok(changes) => targets.push(Target {
                id,
                seen: Some(s.after.version),
                shown: None,
                changes,
            }),
            Err(why) => {
                env.say(format!("Не отменено: {why}"), true);
                return Ok(());
            }
        }
    }
    let job = Job {
        targets,
        what: last.what.clone(),
        actor: Actor::operator(env.grants.clone(), "console"),
        now: env.now(),
        then: Then::Undo,
        op: None,
    };
    env.writes.submit(&mut env.store, job);
    env.dirty = true;
    for d in env.writes.poll() {
        finished(env, d)?;
    }
    Ok(())
}

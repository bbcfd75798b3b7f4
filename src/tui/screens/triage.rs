//! The triage actions of every screen that shows appeals: set the block, assign, change the
//! status, record answers, grade, rate, mark urgent or conflict, note, extend, link a duplicate,
//! accept the suggestion. Each goes through the same audited `Store::update` the command line
//! uses; the ones hard to undo, or touching several appeals, ask first.

use super::{Effect, Env};
use crate::domain::templates::Kind;
use crate::domain::wording::{APPEALS, count};
use crate::domain::{Appeal, Quality, Status};
use crate::store::{Actor, Change, StoreError};
use crate::tui::keymap::Action;
use crate::tui::popup::{Chooser, Confirm, Input, Item, Popup, Purpose};
use crate::tui::writes::{Done, Job, Reply, Target, Then};

/// What mcu proposes for an appeal.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggested {
    pub block: String,
    /// How sure the model is (none for the plain keyword lexicon).
    pub confidence: Option<f32>,
    pub responsible: Option<String>,
    /// A proposed original this appeal duplicates.
    pub duplicate_of: Option<i64>,
    /// The duplicate scorer's score for that proposal and the start of the other appeal's text
    /// (masked as the operator's grants say).
    pub duplicate: Option<(f32, String)>,
    /// «Повторное»: the same author's earlier appeal on the same problem.
    pub repeat_of: Option<i64>,
    /// Why it is urgent or conflict.
    pub reasons: Vec<String>,
}

/// A change waiting for a confirmation.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Apply(Vec<i64>, Vec<Change>),
    /// The grade the formal-reply check proposes for a saved answer («да» sets it).
    Grade(Vec<i64>, Quality),
}

/// An appeal as the officer saw it (its version and fields), by id.
pub type Seen<'a> = &'a dyn Fn(i64) -> Option<Appeal>;

/// Performs a triage action on `targets` (the appeal in front of the officer is `current`);
/// `false` when the action is not a triage action.
pub fn perform(
    action: &Action,
    targets: Vec<i64>,
    current: Option<&Appeal>,
    env: &mut Env,
    seen: Seen,
) -> Result<bool, StoreError> {
    if matches!(action, Action::Accept) {
        accept_suggestion(current, env, seen)?;
        return Ok(true);
    }
    if matches!(action, Action::LinkRoadmap) {
        super::roadmaps::link::start(targets, current.map(|a| a.id), env)?;
        return Ok(true);
    }
    let wants_targets = matches!(
        action,
        Action::SetBlock(_)
            | Action::Assign(_)
            | Action::SetStatus(_)
            | Action::Reject
            | Action::Grade(_)
            | Action::Rate(_)
            | Action::InterimAnswer
            | Action::FinalAnswer
            | Action::AddNote
            | Action::ExtendDeadline
            | Action::LinkDuplicate
            | Action::ToggleUrgent
            | Action::ToggleConflict
    );
    if !wants_targets {
        return Ok(false);
    }
    if targets.is_empty() {
        env.say("Нет выбранного обращения", true);
        return Ok(true);
    }
    let t = targets;
    match action {
        Action::SetBlock(Some(b)) => apply(env, t, vec![Change::Block(Some(b.clone()))], seen)?,
        Action::SetBlock(None) => env.open(Popup::Chooser(Chooser::new(
            "Блок (1–9, 0)",
            block_items(env),
            Purpose::SetBlock(t),
        ))),
        Action::Assign(Some(r)) => apply(env, t, vec![Change::Responsible(Some(r.clone()))], seen)?,
        Action::Assign(None) => choose_recipient(env, t)?,
        Action::SetStatus(Some(s)) => apply(env, t, vec![Change::Status(*s)], seen)?,
        Action::SetStatus(None) => env.open(Popup::Chooser(Chooser::new(
            "Статус",
            status_items(),
            Purpose::SetStatus(t),
        ))),
        Action::Reject => apply(env, t, vec![Change::Status(Status::Rejected)], seen)?,
        Action::Grade(Some(q)) => apply(env, t, vec![Change::Quality(Some(*q))], seen)?,
        Action::Grade(None) => env.open(Popup::Chooser(Chooser::new(
            "Качество ответа",
            [Quality::Substantive, Quality::Formal]
                .iter()
                .map(|q| Item {
                    value: q.id().into(),
                    label: q.label_ru().into(),
                })
                .collect(),
            Purpose::Grade(t),
        ))),
        Action::Rate(Some(r)) => apply(env, t, vec![Change::Rating(Some(*r))], seen)?,
        Action::Rate(None) => env.open(Popup::Chooser(Chooser::new(
            "Оценка гражданина",
            (1..=5)
                .map(|r| Item {
                    value: r.to_string(),
                    label: format!("{r} {}", "★".repeat(r)),
                })
                .collect(),
            Purpose::Rate(t),
        ))),
        Action::InterimAnswer => super::answers::start(env, t, Kind::Interim),
        Action::FinalAnswer => super::answers::start(env, t, Kind::Final),
        Action::AddNote => ask_text(env, "Заметка (Ctrl-S — сохранить)", true, Purpose::Note(t)),
        Action::ExtendDeadline => ask_text(
            env,
            "Продлить срок по 59-ФЗ: причина",
            false,
            Purpose::Extend(t),
        ),
        Action::LinkDuplicate => {
            // Pre-filled with the original auto-triage proposed, when there is one.
            let proposed = match (current, t.as_slice()) {
                (Some(a), [one]) if a.id == *one => {
                    suggestion(env, a)?.and_then(|s| s.duplicate_of)
                }
                _ => None,
            };
            let input = Input::new(
                "Дубль обращения № (или канал:номер)",
                false,
                Purpose::Duplicate(t),
            );
            env.open(Popup::Input(match proposed {
                Some(id) => input.with_text(&id.to_string()),
                None => input,
            }));
        }
        Action::ToggleUrgent => toggle(env, t, true, seen)?,
        Action::ToggleConflict => toggle(env, t, false, seen)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// The result of a triage pop-up (a chosen value, a submitted text); `false` when the purpose
/// is not a triage one.
pub fn on_result(
    purpose: &Purpose,
    value: &str,
    env: &mut Env,
    seen: Seen,
) -> Result<bool, StoreError> {
    if super::roadmaps::on_result(purpose, value, env)? {
        return Ok(true);
    }
    let t = value.trim().to_string();
    let now = env.now();
    match purpose.clone() {
        Purpose::SetBlock(ids) => apply(env, ids, vec![Change::Block(Some(t))], seen)?,
        Purpose::Assign(ids) => apply(env, ids, vec![Change::Responsible(Some(t))], seen)?,
        Purpose::SetStatus(ids) => {
            if let Ok(s) = t.parse() {
                apply(env, ids, vec![Change::Status(s)], seen)?
            }
        }
        Purpose::Grade(ids) => {
            if let Ok(q) = t.parse() {
                apply(env, ids, vec![Change::Quality(Some(q))], seen)?
            }
        }
        Purpose::Rate(ids) => {
            if let Ok(r) = t.parse() {
                apply(env, ids, vec![Change::Rating(Some(r))], seen)?
            }
        }
        Purpose::AnswerTemplate(ids, kind) => super::answers::chosen(env, &ids, kind, &t)?,
        Purpose::Interim(ids) => save_answer(env, ids, Kind::Interim, t, now, seen)?,
        Purpose::Answer(ids) => save_answer(env, ids, Kind::Final, t, now, seen)?,
        Purpose::AnswerAt(ids, kind, at) => save_answer(env, ids, kind, t, at, seen)?,
        Purpose::AnswerTime(ids, kind, text) => {
            super::answer_time::chosen(env, ids, kind, text, value)?
        }
        Purpose::Note(ids) => {
            if !t.is_empty() {
                apply(env, ids, vec![Change::Note(t)], seen)?
            }
        }
        Purpose::Extend(ids) => {
            if t.is_empty() {
                env.say("Продление требует причины", true);
            } else {
                apply(env, ids, vec![Change::Extend(t)], seen)?;
            }
        }
        Purpose::Duplicate(ids) => match env.store.find(&t) {
            Ok(orig) => apply(env, ids, vec![Change::DuplicateOf(Some(orig.id))], seen)?,
            Err(e) => env.say(super::error_text(&e, Some(&t)), true),
        },
        _ => return Ok(false),
    }
    Ok(true)
}

/// Saves an answer's text of `kind` given at `at` (an interim answer may be only its time).
fn save_answer(
    env: &mut Env,
    ids: Vec<i64>,
    kind: Kind,
    t: String,
    at: chrono::DateTime<chrono::Utc>,
    seen: Seen,
) -> Result<(), StoreError> {
    match kind {
        Kind::Interim => {
            let mut c = vec![Change::InterimAt(Some(at))];
            if !t.is_empty() {
                c.push(Change::InterimAnswer(Some(t.clone())));
            }
            apply_then(env, ids, c, seen, Then::AnswerCheck(Kind::Interim, t))
        }
        Kind::Final if t.is_empty() => {
            env.say("Пустой ответ не сохранён", true);
            Ok(())
        }
        Kind::Final => {
            let c = vec![
                Change::Answer(Some(t.clone())),
                Change::AnsweredAt(Some(at)),
            ];
            apply_then(env, ids, c, seen, Then::AnswerCheck(Kind::Final, t))
        }
    }
}

/// The confirmation was answered.
pub fn confirm(env: &mut Env, pending: Pending, yes: bool, seen: Seen) -> Result<(), StoreError> {
    match (pending, yes) {
        (Pending::Apply(t, ch), true) => apply_now(env, t, ch, seen)?,
        (Pending::Grade(t, q), true) => apply_now(env, t, vec![Change::Quality(Some(q))], seen)?,
        (Pending::Grade(..), false) => env.say("Ответ сохранён, оценка не поставлена", false),
        (Pending::Apply(..), false) => env.say("Отменено", false),
    }
    Ok(())
}

/// The thematic blocks as chooser items.
pub fn block_items(env: &Env) -> Vec<Item> {
    env.reference
        .blocks
        .all()
        .iter()
        .map(|b| Item {
            value: b.id.clone(),
            label: b.name.clone(),
        })
        .collect()
}

/// The known recipients as chooser items.
pub fn recipient_items(env: &Env) -> Result<Vec<Item>, StoreError> {
    Ok(env
        .store
        .recipients()?
        .into_iter()
        .map(|r| Item {
            value: r.clone(),
            label: r,
        })
        .collect())
}

/// Every status as chooser items.
pub fn status_items() -> Vec<Item> {
    Status::ALL
        .iter()
        .map(|s| Item {
            value: s.id().into(),
            label: s.label_ru().into(),
        })
        .collect()
}

fn choose_recipient(env: &mut Env, targets: Vec<i64>) -> Result<(), StoreError> {
    let items = recipient_items(env)?;
    if items.is_empty() {
        env.say(
            "Нет ответственных: добавьте их (mcu recipients add) или импортируйте",
            true,
        );
        return Ok(());
    }
    env.open(Popup::Chooser(Chooser::new(
        "Ответственный (начните вводить название)",
        items,
        Purpose::Assign(targets),
    )));
    Ok(())
}

pub(super) fn ask_text(env: &mut Env, title: &str, multiline: bool, purpose: Purpose) {
    env.open(Popup::Input(Input::new(title, multiline, purpose)));
}

fn toggle(env: &mut Env, targets: Vec<i64>, urgent: bool, seen: Seen) -> Result<(), StoreError> {
    // The new value follows the first target, so a mixed selection becomes uniform.
    let first = targets
        .first()
        .and_then(|id| env.store.get(*id).ok().flatten());
    let Some(first) = first else { return Ok(()) };
    let change = if urgent {
        Change::Urgent(!first.urgent)
    } else {
        Change::Conflict(!first.conflict)
    };
    apply(env, targets, vec![change], seen)
}

/// Accepts the suggested block (and the recipient usually handling it) for the appeal in front
/// of the officer and moves to the next appeal without a block.
fn accept_suggestion(
    current: Option<&Appeal>,
    env: &mut Env,
    seen: Seen,
) -> Result<(), StoreError> {
    let Some(a) = current.cloned() else {
        return Ok(());
    };
    let Some(sug) = suggestion(env, &a)? else {
        env.say("Нет подсказки для этого обращения: выберите блок (b)", true);
        return Ok(());
    };
    let mut changes = Vec::new();
    if a.block.is_none() {
        changes.push(Change::Block(Some(sug.block.clone())));
    }
    // A suggested recipient the workspace does not know is not dropped silently: the officer is
    // told and picks one.
    let mut unknown = None;
    if a.responsible.is_none()
        && let Some(r) = sug.responsible
    {
        match env.store.resolve_recipient(&r) {
            Ok(known) => changes.push(Change::Responsible(Some(known))),
            Err(_) => unknown = Some(r),
        }
    }
    if !changes.is_empty() {
        apply(env, vec![a.id], changes, seen)?;
    } else if a.block.as_deref() == Some(sug.block.as_str()) && unknown.is_none() {
        // Auto-triage set the block; the officer's confirmation teaches the model.
        // Through the write queue like every change the officer makes.
        let actor = Actor::operator(env.grants.clone(), "console");
        let (id, now) = (a.id, env.now());
        let job = Job::op(
            format!("подтверждение блока №{id}"),
            actor.clone(),
            now,
            move |store| match store.confirm_block(id, &actor, now) {
                Ok(_) => Ok(Reply::saved("Блок подтверждён")),
                Err(
                    e @ (StoreError::Invalid(_) | StoreError::Denied(_) | StoreError::NotFound(_)),
                ) => Ok(Reply::refused(super::error_text(&e, None))),
                Err(e) => Err(e),
            },
        );
        submit_op(env, job)?;
    } else if unknown.is_none() {
        env.say("Уже разобрано", false);
    }
    if let Some(r) = unknown {
        env.say(
            format!("Предложенного ответственного «{r}» нет среди ответственных — выберите"),
            true,
        );
        if env.popup.is_none() {
            choose_recipient(env, vec![a.id])?;
        }
        return Ok(());
    }
    env.request(Effect::NextUntriaged);
    Ok(())
}

/// The suggestion for an appeal: what auto-triage stored when it was imported, else a fresh
/// one from the model, else (no model loaded) the keyword lexicon with the recipient who
/// handled most appeals of that block.
pub fn suggestion(env: &Env, a: &Appeal) -> Result<Option<Suggested>, StoreError> {
    let stored = env.store.suggestion(a.id)?;
    if stored.as_ref().is_some_and(|s| s.error.is_some()) {
        // Auto-triage failed on this appeal: no suggestion, the officer decides.
        return Ok(None);
    }
    if let Some(s) = stored {
        let duplicate = match s.duplicate_of {
            Some(l) => env.store.get(l.id)?.map(|o| {
                let o = crate::domain::access::redact(&o, &env.grants);
                (l.score, o.text)
            }),
            None => None,
        };
        return Ok(Some(Suggested {
            duplicate,
            block: s.block,
            confidence: Some(s.confidence),
            responsible: s.responsible,
            duplicate_of: s.duplicate_of.map(|l| l.id),
            repeat_of: s.repeat_of.map(|l| l.id),
            reasons: s
                .urgent_reasons
                .into_iter()
                .chain(s.conflict_reasons)
                .collect(),
        }));
    }
    if let Some(t) = &env.triage {
        let s = t.suggest_appeal(a);
        return Ok(Some(Suggested {
            block: s.block,
            confidence: Some(s.confidence),
            responsible: s.responsible,
            duplicate_of: None,
            duplicate: None,
            repeat_of: None,
            reasons: s
                .urgent_reasons
                .iter()
                .chain(s.conflict_reasons.iter())
                .map(|r| r.to_string())
                .collect(),
        }));
    }
    let Some(block) = crate::domain::block::suggest(&env.reference.blocks, &a.text) else {
        return Ok(None);
    };
    let responsible = env.store.usual_recipient(&block)?;
    Ok(Some(Suggested {
        block,
        confidence: None,
        responsible,
        duplicate_of: None,
        duplicate: None,
        repeat_of: None,
        reasons: Vec::new(),
    }))
}

/// Applies changes to appeals, asking first when the change is hard to undo or touches
/// several appeals.
pub fn apply(
    env: &mut Env,
    targets: Vec<i64>,
    changes: Vec<Change>,
    seen: Seen,
) -> Result<(), StoreError> {
    apply_then(env, targets, changes, seen, Then::Nothing)
}

/// [`apply`], with what follows once the changes are saved.
fn apply_then(
    env: &mut Env,
    targets: Vec<i64>,
    changes: Vec<Change>,
    seen: Seen,
    then: Then,
) -> Result<(), StoreError> {
    let dangerous = changes.iter().any(|c| {
        matches!(
            c,
            Change::Status(Status::Rejected | Status::Duplicate | Status::Redirected)
                | Change::DuplicateOf(Some(_))
                | Change::Extend(_)
        )
    });
    if dangerous || targets.len() > 1 {
        let what = match targets.as_slice() {
            [one] => format!("обращение №{one}"),
            many => count(many.len() as u64, APPEALS),
        };
        let mut message = format!("Изменить {what}: {}?", describe(&changes, env));
        for c in &changes {
            if let Change::DuplicateOf(Some(orig)) = c
                && let Ok(Some(o)) = env.store.get(*orig)
                && env.grants.may_see(&o)
            {
                let shown = crate::domain::access::redact(&o, &env.grants);
                let text: String = shown.text.chars().take(160).collect();
                let more = if shown.text.chars().count() > 160 {
                    "…"
                } else {
                    ""
                };
                message.push_str(&format!(" Обращение №{orig}: «{text}{more}»"));
            }
        }
        env.open(Popup::Confirm(Confirm {
            message,
            then: Box::new(Pending::Apply(targets, changes)),
        }));
        return Ok(());
    }
    submit(env, targets, changes, seen, then)
}

/// Applies changes without asking.
pub fn apply_now(
    env: &mut Env,
    targets: Vec<i64>,
    changes: Vec<Change>,
    seen: Seen,
) -> Result<(), StoreError> {
    submit(env, targets, changes, seen, Then::Nothing)
}

/// Sends changes to the write queue (`tui::writes`) with what follows once they are saved; an
/// inline queue saves them at once and the outcome is reported here, a queued one on a later tick
/// ([`finished`]).
pub fn submit(
    env: &mut Env,
    targets: Vec<i64>,
    changes: Vec<Change>,
    seen: Seen,
    then: Then,
) -> Result<(), StoreError> {
    if changes.contains(&Change::Urgent(true)) {
        env.alerts.own(targets.iter().copied());
    }
    let job = Job {
        targets: targets
            .iter()
            .map(|&id| {
                let shown = seen(id);
                Target {
                    id,
                    // The version the officer saw: a change made meanwhile by someone else to
                    // what this changes is not silently overwritten.
                    seen: shown.as_ref().map(|a| a.version),
                    shown: shown.map(Box::new),
                    changes: changes.clone(),
                }
            })
            .collect(),
        what: describe(&changes, env),
        actor: Actor::operator(env.grants.clone(), "console"),
        now: env.now(),
        then,
        op: None,
    };
    env.writes.submit(&mut env.store, job);
    env.dirty = true;
    for d in env.writes.poll() {
        finished(env, d)?;
    }
    Ok(())
}

/// Sends a write of another kind (`writes::Job::op`: a registration, an appeal taken by hand, a
/// register's change) to the write queue, so a locked database never stops the screen; an inline
/// queue carries it out at once and its answer is said here, a queued one on a later tick.
pub fn submit_op(env: &mut Env, job: Job) -> Result<(), StoreError> {
    env.writes.submit(&mut env.store, job);
    env.dirty = true;
    for d in env.writes.poll() {
        finished(env, d)?;
    }
    Ok(())
}

/// A job of the write queue came back: what was saved, what was refused or not saved, said in
/// Russian; the officer's last change is kept for undo; an answer's check follows.
pub fn finished(env: &mut Env, d: Done) -> Result<(), StoreError> {
    if d.job.op.is_some() {
        // A write of another kind: its own answer, or why it was not saved.
        match (d.reply, d.failure) {
            (Some(r), _) => {
                // A change of another kind is the last change too: `z` says it cannot be
                // undone (rather than take back an older one). A report changes nothing.
                if !r.error && d.job.then != Then::NotAChange {
                    env.last_change = Some(super::undo::LastChange {
                        saved: Vec::new(),
                        what: d.job.what.clone(),
                        register: true,
                    });
                }
                env.say(r.text, r.error);
                for e in r.effects {
                    env.request(e);
                }
                if let Some(p) = r.popup {
                    env.open(p);
                }
            }
            (None, Some(f)) => env.say(f, true),
            (None, None) => {}
        }
        env.dirty = true;
        return Ok(());
    }
    let n = d.saved.len() as u64;
    // Refused ones show the current state; a database that stayed locked keeps the marks, so
    // the officer can try again.
    env.request(if d.failure.is_none() || n > 0 {
        Effect::Saved
    } else {
        Effect::Refresh
    });
    let ids: Vec<i64> = d.job.targets.iter().map(|t| t.id).collect();
    let what = d.job.what.clone();
    let mut errors = d.problems;
    errors.extend(d.failure);
    if errors.is_empty() {
        let text = match (&d.job.then, n) {
            (Then::Undo, _) => format!("Отменено: {what}"),
            (_, 1) => format!("Сохранено: {what}"),
            _ => format!("Сохранено для {}: {what}", count(n, APPEALS)),
        };
        env.say(text, false);
    } else {
        env.say(errors.join("; "), true);
    }
    match &d.job.then {
        Then::Undo if n > 0 => env.last_change = None,
        Then::Undo => {}
        _ if n > 0 => {
            env.last_change = Some(super::undo::LastChange {
                saved: d.saved,
                what,
                register: false,
            })
        }
        _ => {}
    }
    if let Then::AnswerCheck(kind, text) = &d.job.then
        && errors.is_empty()
    {
        super::answers::saved(env, &ids, *kind, text)?;
    }
    env.dirty = true;
    Ok(())
}

/// A short Russian description of changes, for messages and confirmations: blocks, statuses and
/// grades by their names.
pub fn describe(changes: &[Change], env: &Env) -> String {
    changes
        .iter()
        .map(|c| match c {
            Change::Block(Some(b)) => format!("блок «{}»", env.reference.blocks.name_of(b)),
            Change::Block(None) => "блок снят".into(),
            Change::Responsible(Some(r)) => format!("ответственный {r}"),
            Change::Responsible(None) => "ответственный снят".into(),
            Change::Status(s) => format!("статус «{}»", s.label_ru()),
            Change::Urgent(u) => if *u {
                "срочно"
            } else {
                "не срочно"
            }
            .into(),
            Change::Conflict(c) => if *c {
                "конфликт"
            } else {
                "не конфликт"
            }
            .into(),
            Change::InterimAt(_) => "промежуточный ответ".into(),
            Change::AnsweredAt(_) => "ответ дан".into(),
            Change::InterimAnswer(_) => "текст промежуточного ответа".into(),
            Change::Answer(_) => "текст ответа".into(),
            Change::Quality(Some(q)) => format!("качество «{}»", q.label_ru()),
            Change::Quality(None) => "качество снято".into(),
            Change::Rating(Some(r)) => format!("оценка {r}"),
            Change::Rating(None) => "оценка снята".into(),
            Change::DuplicateOf(Some(d)) => format!("дубль №{d}"),
            Change::DuplicateOf(None) => "не дубль".into(),
            Change::Extend(_) => "срок продлён на 30 дней".into(),
            Change::Note(_) => "заметка".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

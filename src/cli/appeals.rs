//! `mcu list`, `mcu show`, `mcu set`, `mcu recipients`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use serde_json::json;

use super::output::{appeal_json, event_json, fit, print_json, short};
use super::{CmdResult, Failure, usage};
use crate::domain::access::redact;
use crate::domain::{Appeal, Channel, Quality, Status, WorkCalendar};
use crate::store::{Actor, Change, ListFilter, SaveKind};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only this status (new, assigned, in_progress, interim, answered, closed, rejected, duplicate, redirected)
    #[arg(long, value_name = "S")]
    status: Option<Status>,
    /// Only this block (an id such as roads, or a Russian name; `none` for appeals without a block)
    #[arg(long, value_name = "B")]
    block: Option<String>,
    /// Only this channel
    #[arg(long, value_name = "C")]
    channel: Option<Channel>,
    /// Only this responsible recipient
    #[arg(long, value_name = "NAME")]
    responsible: Option<String>,
    /// Only open appeals past their answer deadline
    #[arg(long)]
    overdue: bool,
    /// Only appeals whose text matches (any word form: «ямы» finds «яма»)
    #[arg(long, value_name = "WORDS")]
    search: Option<String>,
    /// How many to show
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: usize,
    /// The current time, for overdue and time left (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

pub fn list(ws: &Workspace, a: ListArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let block = match a.block.as_deref() {
        None => None,
        Some("none" | "unassigned" | "-") => Some(None),
        Some(b) => Some(Some(
            reference
                .blocks
                .resolve(b)
                .ok_or_else(|| {
                    usage(format!(
                        "--block: unknown block «{b}» (known: {}, none)",
                        reference.blocks.ids()
                    ))
                })?
                .id
                .clone(),
        )),
    };
    let filter = ListFilter {
        status: a.status,
        block,
        channel: a.channel,
        responsible: a.responsible,
        overdue_at: a.overdue.then_some(now),
        text: a.search,
        blocks_in: (!grants.sees_everything()).then(|| grants.blocks.clone()),
        ..Default::default()
    };
    let rows: Vec<Appeal> = store
        .list(&filter, None, a.limit)?
        .iter()
        .map(|x| redact(x, &grants))
        .collect();
    if a.json {
        let v: Vec<_> = rows
            .iter()
            .map(|r| appeal_json(r, &reference.blocks, tz, now))
            .collect();
        print_json(&v)?;
        return Ok(0);
    }
    println!(
        "{:>7}  {:<16}  {:<9}  {:<12}  {:<19}  {:<16}  ТЕКСТ",
        "№", "ПОСТУПИЛО", "КАНАЛ", "БЛОК", "СТАТУС", "СРОК"
    );
    for r in &rows {
        println!(
            "{:>7}  {}  {}  {}  {}  {}  {}",
            r.id,
            short(r.received_at, tz),
            fit(r.channel.label_ru(), 9),
            fit(
                r.block
                    .as_deref()
                    .map_or("—", |b| reference.blocks.name_of(b)),
                12
            ),
            fit(r.status.label_ru(), 19),
            fit(&time_left(r, &reference.calendar, now), 16),
            fit(&r.text, 60).trim_end(),
        );
    }
    if rows.is_empty() {
        println!("(nothing found)");
    }
    Ok(0)
}

/// «просрочено 2 р.д.», «осталось 3 ч», or «—» for a closed appeal: `wording::TimeLeft`, what
/// the console's «Срок» column says too.
fn time_left(a: &Appeal, cal: &WorkCalendar, now: DateTime<Utc>) -> String {
    crate::domain::wording::TimeLeft::answer(cal, now, a).words()
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The appeal: internal number (1234) or channel:source_id (pos:12050000001)
    id: String,
    /// The current time, for time left (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

pub fn show(ws: &Workspace, a: ShowArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let appeal = store.find(&a.id)?;
    if !grants.may_see(&appeal) {
        return Err(Failure {
            code: 1,
            message: format!("no appeal «{}»", a.id),
        });
    }
    let mut history = store.history(appeal.id)?;
    if !grants.may_see_personal_data(&appeal) {
        for e in &mut history {
            e.mask_personal_data();
        }
    }
    let appeal = redact(&appeal, &grants);
    let triage = store.suggestion(appeal.id)?;
    let registration = store.registration(appeal.id)?;
    if a.json {
        let mut v = appeal_json(&appeal, &reference.blocks, tz, now);
        v["triage"] = match &triage {
            None => serde_json::json!({"state": "pending"}),
            Some(s) => match &s.error {
                Some(e) => serde_json::json!({"state": "failed", "error": e}),
                None => serde_json::json!({
                    "state": "done",
                    "block": s.block,
                    "confidence": s.confidence,
                    "applied": s.applied,
                    "duplicate_of": s.duplicate_of.map(|l| serde_json::json!({"id": l.id, "score": l.score})),
                }),
            },
        };
        v["history"] = history.iter().map(|e| event_json(e, tz)).collect();
        v["registration"] = registration_json(registration.as_ref());
        print_json(&v)?;
        return Ok(0);
    }
    print_appeal(&appeal, &reference.blocks, &reference.calendar, tz, now);
    if let Some(r) = &registration {
        println!();
        println!("Регистрация (59-ФЗ): {}", registration_ru(r));
    }
    println!();
    match &triage {
        None => println!("Авторазбор:       ещё не выполнен"),
        Some(s) => match &s.error {
            Some(e) => println!("Авторазбор:       не удался ({e}); разберите вручную"),
            None => println!(
                "Авторазбор:       {} ({:.2})",
                reference.blocks.name_of(&s.block),
                s.confidence
            ),
        },
    }
    // The proposed original: its number, the scorer's score and the start of its text.
    if let Some(l) = triage.as_ref().and_then(|s| s.duplicate_of) {
        let other = store
            .get(l.id)?
            .map(|o| redact(&o, &grants).text)
            .unwrap_or_default();
        println!(
            "Возможный дубль:  №{} (оценка {:.2}): «{}»",
            l.id,
            l.score,
            crate::textwidth::fit(&other, 60).trim_end()
        );
    }
    println!();
    println!("История:");
    for e in &history {
        let change = match (&e.old, &e.new) {
            (None, Some(n)) => format!("{} = {}", e.field, n),
            (Some(o), Some(n)) => format!("{}: {} → {}", e.field, o, n),
            (Some(o), None) => format!("{}: {} → (пусто)", e.field, o),
            (None, None) => e.field.clone(),
        };
        println!(
            "  {}  {:<12} {:<24} {}",
            short(e.at, tz),
            e.operator,
            e.source,
            fit(&change, 80).trim_end()
        );
    }
    Ok(0)
}

/// A 59-ФЗ registration in JSON: `{"number": "123-П", "date": "2026-12-01"}`, or null.
fn registration_json(r: Option<&crate::store::Registration>) -> serde_json::Value {
    match r {
        Some(r) => json!({"number": r.number, "date": r.date.to_string()}),
        None => serde_json::Value::Null,
    }
}

/// «№ 123-П от 01.12.2026».
pub fn registration_ru(r: &crate::store::Registration) -> String {
    format!("№ {} от {}", r.number, r.date.format("%d.%m.%Y"))
}

fn print_appeal(
    a: &Appeal,
    blocks: &crate::domain::Blocks,
    cal: &WorkCalendar,
    tz: Tz,
    now: DateTime<Utc>,
) {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let t = |v: Option<DateTime<Utc>>| v.map_or("—".into(), |v| short(v, tz));
    println!("Обращение №{} ({})", a.id, a.key());
    println!("Поступило:        {}", short(a.received_at, tz));
    println!("Канал:            {}", a.channel.label_ru());
    println!(
        "Блок:             {}",
        a.block.as_deref().map_or("—", |b| blocks.name_of(b))
    );
    println!("Статус:           {}", a.status.label_ru());
    println!("Ответственный:    {}", opt(&a.responsible));
    println!("Населённый пункт: {}", opt(&a.settlement));
    println!("Адрес:            {}", opt(&a.address));
    println!("Автор:            {}", opt(&a.author));
    println!("Контакт:          {}", opt(&a.contact));
    println!("Категория:        {}", opt(&a.category));
    println!("Ссылка:           {}", opt(&a.url));
    let mut marks = Vec::new();
    if a.fz59 {
        marks.push("59-ФЗ");
    }
    if a.urgent {
        marks.push("срочно");
    }
    if a.conflict {
        marks.push("конфликт");
    }
    println!(
        "Отметки:          {}",
        if marks.is_empty() {
            "—".into()
        } else {
            marks.join(", ")
        }
    );
    println!("Регистрация до:   {}", t(a.deadlines.register_due));
    println!("Первый ответ до:  {}", t(a.deadlines.first_response_due));
    println!(
        "Ответ до:         {}  ({})",
        t(a.deadlines.answer_due),
        time_left(a, cal, now)
    );
    if let Some(r) = a.reopened_at {
        // The answer deadline above is the new term's, counted from the reopening.
        println!(
            "Переоткрыто:      {} (×{}), срок ответа — от переоткрытия; прежний ответ — в истории",
            short(r, tz),
            a.reopen_count
        );
    } else if a.reopen_count > 0 {
        println!("Переоткрыто:      {} раз(а)", a.reopen_count);
    }
    if let Some(r) = &a.extension_reason {
        println!("Продлено:         {r}");
    }
    println!("Первый ответ:     {}", t(a.first_response_at));
    if let Some(i) = a.interim_after_reopen_at {
        println!("Промежуточный:    {} (после переоткрытия)", short(i, tz));
    }
    println!("Ответ дан:        {}", t(a.answered_at));
    println!(
        "Качество ответа:  {}",
        a.quality.map_or("—", Quality::label_ru)
    );
    println!(
        "Оценка:           {}",
        a.rating.map_or("—".into(), |r| r.to_string())
    );
    if let Some(d) = a.duplicate_of {
        println!("Дубль обращения:  №{d}");
    }
    println!();
    println!("{}", a.text);
    if let Some(ans) = &a.interim_answer {
        println!();
        println!("Промежуточный ответ: {ans}");
    }
    if let Some(ans) = &a.answer {
        println!();
        println!("Ответ: {ans}");
    }
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// The appeal: internal number (1234) or channel:source_id (pos:12050000001)
    id: String,
    /// Block id or Russian name (`none` clears it)
    #[arg(long, value_name = "B")]
    block: Option<String>,
    /// Responsible recipient, a known name or a unique part of it (`none` clears it)
    #[arg(long, value_name = "NAME")]
    responsible: Option<String>,
    /// Status (new, assigned, in_progress, interim, answered, closed, rejected, duplicate, redirected)
    #[arg(long, value_name = "S")]
    status: Option<Status>,
    /// Urgent mark
    #[arg(long, value_name = "true|false")]
    urgent: Option<bool>,
    /// Conflict mark
    #[arg(long, value_name = "true|false")]
    conflict: Option<bool>,
    /// When an interim answer was given (moves an open appeal to `interim`)
    #[arg(long, value_name = "TS")]
    interim_at: Option<String>,
    /// When the final answer was given (moves an open appeal to `answered`)
    #[arg(long, value_name = "TS")]
    answered_at: Option<String>,
    /// The final answer's text (the formal-reply check's proposal is printed)
    #[arg(long, value_name = "TEXT")]
    answer: Option<String>,
    /// The interim answer's text (kept apart from the final answer's)
    #[arg(long, value_name = "TEXT")]
    interim_answer: Option<String>,
    /// The МЦУ's grade of the answer
    #[arg(long, value_name = "substantive|formal")]
    quality: Option<Quality>,
    /// The citizen's rating, 1–5
    #[arg(long, value_name = "N")]
    rating: Option<u8>,
    /// Link as a duplicate of another appeal (number or channel:id)
    #[arg(long, value_name = "ID")]
    duplicate_of: Option<String>,
    /// Extend the 59-ФЗ answer deadline by 30 days (once), with this reason
    #[arg(long, value_name = "REASON")]
    extend: Option<String>,
    /// Add a note to the history
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// The 59-ФЗ registration number of a letter (with --registered-on; default date: today)
    #[arg(long, value_name = "NUMBER")]
    registration: Option<String>,
    /// The 59-ФЗ registration date (DD.MM.YYYY or YYYY-MM-DD)
    #[arg(long, value_name = "DATE", requires = "registration")]
    registered_on: Option<String>,
    /// Refuse if the appeal changed since this version (optimistic check)
    #[arg(long, value_name = "N")]
    expect_version: Option<i64>,
    /// The time recorded for the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

fn is_none_word(s: &str) -> bool {
    matches!(s.trim(), "none" | "-" | "")
}

/// A date as officers write it (31.12.2026) or ISO (2026-12-31).
fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%d.%m.%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .ok()
}

pub fn set(ws: &Workspace, a: SetArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let appeal = store.find(&a.id)?;
    let mut changes = Vec::new();
    if let Some(b) = a.block {
        changes.push(Change::Block((!is_none_word(&b)).then_some(b)));
    }
    if let Some(r) = a.responsible {
        changes.push(Change::Responsible((!is_none_word(&r)).then_some(r)));
    }
    if let Some(s) = a.status {
        changes.push(Change::Status(s));
    }
    if let Some(u) = a.urgent {
        changes.push(Change::Urgent(u));
    }
    if let Some(c) = a.conflict {
        changes.push(Change::Conflict(c));
    }
    if let Some(t) = super::instant_opt(a.interim_at.as_deref(), tz, "--interim-at")? {
        changes.push(Change::InterimAt(Some(t)));
    }
    if let Some(t) = super::instant_opt(a.answered_at.as_deref(), tz, "--answered-at")? {
        changes.push(Change::AnsweredAt(Some(t)));
    }
    // The final answer is what the МЦУ grades; the check proposes a grade for it (else for
    // the interim answer), which the officer confirms with --quality.
    let checked = a
        .answer
        .as_deref()
        .or(a.interim_answer.as_deref())
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            crate::domain::answers::Checker::new(reference.templates.check.min_words).check(t)
        });
    if let Some(t) = a.interim_answer {
        changes.push(Change::InterimAnswer(Some(t)));
    }
    if let Some(t) = a.answer {
        changes.push(Change::Answer(Some(t)));
    }
    if let Some(q) = a.quality {
        changes.push(Change::Quality(Some(q)));
    }
    if let Some(r) = a.rating {
        if !(1..=5).contains(&r) {
            return Err(usage(format!("--rating: {r} is outside 1–5")));
        }
        changes.push(Change::Rating(Some(r)));
    }
    if let Some(d) = a.duplicate_of {
        changes.push(Change::DuplicateOf(Some(store.find(&d)?.id)));
    }
    if let Some(reason) = a.extend {
        changes.push(Change::Extend(reason));
    }
    // A note of only spaces is not recorded (the store drops it).
    let note = a.note.as_ref().is_some_and(|n| !n.trim().is_empty());
    if let Some(n) = a.note {
        changes.push(Change::Note(n));
    }
    let actor = Actor::operator(grants.clone(), "cli");
    let registered = match a.registration.as_deref() {
        None => None,
        Some(number) => {
            let date = match a.registered_on.as_deref() {
                None => now.with_timezone(&tz).date_naive(),
                Some(d) => parse_date(d)
                    .ok_or_else(|| usage(format!("--registered-on: «{d}» is not DD.MM.YYYY")))?,
            };
            let r = store
                .register_fz59(appeal.id, number, date, &actor, now)
                .map_err(|e| Failure {
                    code: 1,
                    message: e.to_string(),
                })?;
            Some(r)
        }
    };
    if changes.is_empty() && registered.is_some() {
        let r = registered.as_ref();
        if a.json {
            print_json(&json!({"appeal_id": appeal.id, "registration": registration_json(r)}))?;
        } else if let Some(r) = r {
            println!("appeal {}: registered {}", appeal.id, registration_ru(r));
        }
        return Ok(0);
    }
    if changes.is_empty() {
        return Err(usage(
            "nothing to change: give at least one of --block, --responsible, --status, … (see mcu set --help)",
        ));
    }
    let (updated, outcome) = store
        .update(appeal.id, &changes, a.expect_version, &actor, now)
        .map_err(|e| Failure {
            code: 1,
            message: e.to_string(),
        })?;
    let updated = redact(&updated, &grants);
    if a.json {
        print_json(&json!({
            "appeal": appeal_json(&updated, &reference.blocks, tz, now),
            "changed_fields": match outcome.kind { SaveKind::Updated(n) => n, _ => 0 },
            "note_recorded": note,
            "answer_check": checked.as_ref().map(super::templates::verdict_json),
            "registration": registered.as_ref().map(|r| registration_json(Some(r))),
        }))?;
    } else {
        let noted = if note { "note recorded" } else { "" };
        match outcome.kind {
            SaveKind::Updated(0) if note => println!("appeal {}: {noted}", updated.id),
            SaveKind::Updated(n) if note => {
                println!("appeal {}: {n} change(s) recorded, {noted}", updated.id)
            }
            SaveKind::Updated(n) => println!("appeal {}: {n} change(s) recorded", updated.id),
            _ => println!("appeal {}: nothing changed", updated.id),
        }
        if let Some(r) = &registered {
            println!("appeal {}: registered {}", updated.id, registration_ru(r));
        }
        if let Some(v) = &checked {
            println!(
                "answer check: {}{}",
                super::templates::verdict_line(v),
                if updated.quality.is_none() {
                    format!(
                        " (grade it: mcu set {} --quality {})",
                        updated.id,
                        v.grade.id()
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct RecipientsArgs {
    #[command(subcommand)]
    action: Option<RecipientsAction>,
    /// Machine-readable output
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum RecipientsAction {
    /// Add a responsible recipient (a department or a municipal institution)
    Add {
        /// Its full name, as in the decree
        name: String,
    },
}

pub fn recipients(ws: &Workspace, a: RecipientsArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    if let Some(RecipientsAction::Add { name }) = a.action {
        super::require(
            grants.may_manage() || grants.may_import(),
            "adding responsible recipients",
        )?;
        let stored = store.add_recipient(&name, Utc::now())?;
        if a.json {
            print_json(&json!({"recipient": stored}))?;
        } else {
            println!("recipient: {stored}");
        }
        return Ok(0);
    }
    let list = store.recipients()?;
    if a.json {
        print_json(&list)?;
    } else {
        for r in list {
            println!("{r}");
        }
    }
    Ok(0)
}

//! Reading appeals and the one audited function every change goes through.

use crate::store::db::{DbError, DbResult, OptionalExtension, Row, ToValue, Transaction, params};
use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::audit::replay::{Creation, Encoded, encode};
use super::recipients::{recipient_id, settlement_id};
use super::{Actor, Store, StoreError, ts, ts_opt};
use crate::domain::access::Action;
use crate::domain::text::SearchNormalizer;
use crate::domain::{Appeal, Deadlines, Quality, SlaInput, Status};
use crate::reference::Reference;

/// Columns of an appeal, in the order `appeal_from_row` reads them.
pub(crate) const APPEAL_COLUMNS: &str = "a.id, a.channel, a.source_id, a.received_at, a.text, \
    a.author, a.contact, s.name, a.address, a.url, a.category, a.fz59, a.block, r.name, a.status, \
    a.urgent, a.conflict, a.first_response_at, a.answered_at, a.answer, a.quality, a.rating, a.lat, \
    a.lon, a.duplicate_of, a.extension_reason, a.reopen_count, a.register_due, \
    a.first_response_due, a.answer_due, a.version, a.reopened_at, a.interim_after_reopen_at, \
    a.interim_answer";

/// `FROM` clause joining the names of settlement and recipient.
pub(crate) const APPEAL_FROM: &str = "appeals a LEFT JOIN settlements s ON s.id = a.settlement_id \
    LEFT JOIN recipients r ON r.id = a.responsible_id";

fn bad_value(i: usize, what: &str, v: &str) -> DbError {
    DbError::column(i, format!("stored {what} «{v}» is not known"))
}

/// Reads one appeal from a row selected with `APPEAL_COLUMNS`.
pub(crate) fn appeal_from_row(r: &Row<'_>) -> DbResult<Appeal> {
    let channel: String = r.get(1)?;
    let status: String = r.get(14)?;
    let quality: Option<String> = r.get(20)?;
    let rating: Option<i64> = r.get(21)?;
    Ok(Appeal {
        id: r.get(0)?,
        channel: channel
            .parse()
            .map_err(|_| bad_value(1, "channel", &channel))?,
        source_id: r.get(2)?,
        received_at: ts(r.get(3)?),
        text: r.get(4)?,
        author: r.get(5)?,
        contact: r.get(6)?,
        settlement: r.get(7)?,
        address: r.get(8)?,
        url: r.get(9)?,
        category: r.get(10)?,
        fz59: r.get(11)?,
        block: r.get(12)?,
        responsible: r.get(13)?,
        status: status
            .parse()
            .map_err(|_| bad_value(14, "status", &status))?,
        urgent: r.get(15)?,
        conflict: r.get(16)?,
        first_response_at: ts_opt(r.get(17)?),
        answered_at: ts_opt(r.get(18)?),
        answer: r.get(19)?,
        quality: match quality {
            Some(q) => Some(q.parse().map_err(|_| bad_value(20, "quality", &q))?),
            None => None,
        },
        rating: rating.and_then(|v| u8::try_from(v).ok()),
        lat: r.get(22)?,
        lon: r.get(23)?,
        duplicate_of: r.get(24)?,
        extension_reason: r.get(25)?,
        reopen_count: r.get(26)?,
        deadlines: Deadlines {
            register_due: ts_opt(r.get(27)?),
            first_response_due: ts_opt(r.get(28)?),
            answer_due: ts_opt(r.get(29)?),
        },
        version: r.get(30)?,
        reopened_at: ts_opt(r.get(31)?),
        interim_after_reopen_at: ts_opt(r.get(32)?),
        interim_answer: r.get(33)?,
    })
}

/// One entry of an appeal's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub operator: String,
    pub source: String,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Event {
    /// Masks personal data for those who may not see it: author, contact and address values,
    /// and what free text (the appeal's text, the answer, a note, an extension's reason) says
    /// about people.
    pub fn mask_personal_data(&mut self) {
        use crate::domain::access::{mask_address, mask_contact, mask_name};
        let f: fn(&str) -> String = match self.field.as_str() {
            "author" => mask_name,
            "contact" => mask_contact,
            "address" => mask_address,
            "text" | "answer" | "interim_answer" | "note" | "extension_reason" => {
                crate::domain::pii::mask_text
            }
            _ => return,
        };
        self.old = self.old.as_deref().map(f);
        self.new = self.new.as_deref().map(f);
    }
}

/// A change an operator asks for. Each is validated, applied and audited by [`Store::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Set or clear the block (an id from the blocks in force).
    Block(Option<String>),
    /// Assign to a known recipient, or clear.
    Responsible(Option<String>),
    Status(Status),
    Urgent(bool),
    Conflict(bool),
    /// Record (or clear) the interim/first response time.
    InterimAt(Option<DateTime<Utc>>),
    /// The interim answer's text (kept apart from the final answer's).
    InterimAnswer(Option<String>),
    /// Record (or clear) the final answer time.
    AnsweredAt(Option<DateTime<Utc>>),
    Answer(Option<String>),
    Quality(Option<Quality>),
    /// The citizen's rating, 1–5.
    Rating(Option<u8>),
    /// Link as a duplicate of another appeal (and set status `duplicate`), or unlink.
    DuplicateOf(Option<i64>),
    /// Extend the 59-ФЗ answer deadline once, with a reason.
    Extend(String),
    /// A free-text note in the history.
    Note(String),
}

impl Change {
    /// The action of the roles matrix this change needs; a note needs only some right to
    /// change the appeal.
    pub fn action(&self) -> Option<Action> {
        Some(match self {
            Change::Block(_)
            | Change::Responsible(_)
            | Change::Status(_)
            | Change::Urgent(_)
            | Change::Conflict(_)
            | Change::DuplicateOf(_)
            | Change::Extend(_) => Action::Triage,
            Change::InterimAt(_)
            | Change::InterimAnswer(_)
            | Change::AnsweredAt(_)
            | Change::Answer(_) => Action::RecordAnswers,
            Change::Quality(_) | Change::Rating(_) => Action::Grade,
            Change::Note(_) => return None,
        })
    }
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveKind {
    Inserted,
    /// Updated, with the number of fields that changed.
    Updated(usize),
    Unchanged,
}

/// The result of saving one appeal.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveOutcome {
    pub id: i64,
    pub kind: SaveKind,
    /// Deadlines could not be computed (a year missing from the calendar): saved without them.
    pub deadline_problem: Option<String>,
}

/// The audited fields of an appeal as text: what its history records (a change of any of them
/// is an entry), what its creation entry digests, and what `mcu audit verify` replays
/// (`audit::replay`). A field added here is covered by all three.
pub(crate) fn audited(a: &Appeal) -> [(&'static str, Option<Cow<'_, str>>); 26] {
    // Borrowed where the appeal holds the text already: an import computes this for every row.
    let t = |d: Option<DateTime<Utc>>| d.map(|d| Cow::Owned(d.to_rfc3339()));
    fn s(v: &Option<String>) -> Option<Cow<'_, str>> {
        v.as_deref().map(Cow::Borrowed)
    }
    let b = |v: bool| Some(Cow::Borrowed(if v { "true" } else { "false" }));
    [
        ("received_at", t(Some(a.received_at))),
        ("text", Some(Cow::Borrowed(a.text.as_str()))),
        ("author", s(&a.author)),
        ("contact", s(&a.contact)),
        ("settlement", s(&a.settlement)),
        ("address", s(&a.address)),
        ("url", s(&a.url)),
        ("category", s(&a.category)),
        ("fz59", b(a.fz59)),
        ("block", s(&a.block)),
        ("responsible", s(&a.responsible)),
        ("status", Some(Cow::Borrowed(a.status.id()))),
        ("urgent", b(a.urgent)),
        ("conflict", b(a.conflict)),
        ("first_response_at", t(a.first_response_at)),
        ("answered_at", t(a.answered_at)),
        ("answer", s(&a.answer)),
        ("quality", a.quality.map(|q| Cow::Borrowed(q.id()))),
        ("rating", a.rating.map(|r| Cow::Owned(r.to_string()))),
        (
            "coordinates",
            a.lat
                .zip(a.lon)
                .map(|(la, lo)| Cow::Owned(format!("{la},{lo}"))),
        ),
        (
            "duplicate_of",
            a.duplicate_of.map(|d| Cow::Owned(d.to_string())),
        ),
        ("extension_reason", s(&a.extension_reason)),
        ("reopen_count", Some(Cow::Owned(a.reopen_count.to_string()))),
        ("reopened_at", t(a.reopened_at)),
        ("interim_after_reopen_at", t(a.interim_after_reopen_at)),
        ("interim_answer", s(&a.interim_answer)),
    ]
}

/// Computes an appeal's deadlines from the rules in force.
pub(crate) fn compute_deadlines(
    reference: &Reference,
    a: &Appeal,
) -> Result<Deadlines, crate::domain::calendar::CalendarError> {
    // An interim answer is a first response recorded before (or without) the final one; after a
    // reopening, the interim answer given in the new term.
    let interim_at = if a.reopened_at.is_some() {
        a.interim_after_reopen_at
    } else {
        a.first_response_at
    }
    .filter(|f| a.answered_at.is_none_or(|ans| *f < ans));
    reference.sla.deadlines_of_term(
        &reference.calendar,
        &SlaInput {
            channel: a.channel,
            fz59: a.fz59,
            urgent: a.urgent,
            received_at: a.received_at,
            interim_at,
            extended: a.extension_reason.is_some(),
        },
        a.reopened_at,
    )
}

/// Loads one appeal inside a transaction.
pub(crate) fn load(tx: &Transaction<'_>, id: i64) -> Result<Option<Appeal>, StoreError> {
    let sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM} WHERE a.id = ?1");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row([id], appeal_from_row)
        .optional()?)
}

/// What a save needs besides the appeal: the rules, the stemmer, who and when.
#[derive(Clone, Copy)]
pub(crate) struct SaveCtx<'a> {
    pub reference: &'a Reference,
    pub normalizer: &'a SearchNormalizer,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    /// Ids of settlements and recipients already looked up in this transaction (an import
    /// names the same few hundred over and over).
    pub names: Option<&'a NameIds>,
}

/// Settlement and recipient ids by the exact name a source gave, remembered for the length of one
/// transaction. The lookup it saves is the same one (`settlement_id`, `recipient_id`), so the
/// ids are the same; it only must not outlive the transaction (a rollback forgets new names).
#[derive(Debug, Default)]
pub(crate) struct NameIds {
    settlements: std::cell::RefCell<std::collections::HashMap<String, i64>>,
    recipients: std::cell::RefCell<std::collections::HashMap<String, i64>>,
    /// The audit chain's head (last id and hash) as this transaction left it: nobody else can
    /// append while it holds the write lock.
    pub(crate) audit_head: std::cell::RefCell<Option<(i64, String)>>,
    /// Summary changes of the new appeals, written once before the transaction commits.
    pub(crate) aggregates: std::cell::RefCell<super::aggregates::Buffer>,
    /// The appeals this import created, as runs of consecutive ids with who and when, recorded
    /// in the audit trail once per run before the transaction commits.
    pub(crate) created: std::cell::RefCell<Vec<CreatedRun>>,
}

/// Consecutive appeals created by one import with the same actor and instant, and the digest of
/// what they were created with.
pub(crate) struct CreatedRun {
    pub first: i64,
    pub last: i64,
    pub at: i64,
    pub operator: String,
    pub source: String,
    pub creation: Creation,
}

impl std::fmt::Debug for CreatedRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CreatedRun({}..={} by {})",
            self.first, self.last, self.operator
        )
    }
}

impl NameIds {
    /// Adds a created appeal to the current run, or starts a new one.
    fn created(&self, a: &Appeal, at: i64, actor: &Actor, e: &Encoded, fields: &[&str]) {
        let mut runs = self.created.borrow_mut();
        if let Some(r) = runs.last_mut()
            && r.last + 1 == a.id
            && r.at == at
            && r.operator == actor.operator
            && r.source == actor.source
        {
            r.last = a.id;
            r.creation.add(a.id, a.channel.id(), &a.source_id, e);
            return;
        }
        let mut creation = Creation::new(fields.iter().copied());
        creation.add(a.id, a.channel.id(), &a.source_id, e);
        runs.push(CreatedRun {
            first: a.id,
            last: a.id,
            at,
            operator: actor.operator.clone(),
            source: actor.source.clone(),
            creation,
        });
    }

    /// Writes the runs into the audit trail (in the import's transaction).
    pub(crate) fn record_created(&self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        for r in self.created.borrow_mut().drain(..) {
            super::audit::append_created(
                tx,
                Some(&self.audit_head),
                (r.first, r.last),
                &r.creation.digest(),
                r.at,
                &r.operator,
                &r.source,
            )?;
        }
        Ok(())
    }

    fn settlement(&self, tx: &Transaction<'_>, name: &str) -> Result<i64, StoreError> {
        if let Some(&id) = self.settlements.borrow().get(name) {
            return Ok(id);
        }
        let id = settlement_id(tx, name)?;
        self.settlements.borrow_mut().insert(name.to_string(), id);
        Ok(id)
    }

    fn recipient(
        &self,
        tx: &Transaction<'_>,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        if let Some(&id) = self.recipients.borrow().get(name) {
            return Ok(id);
        }
        let id = recipient_id(tx, name, true, now)?;
        self.recipients.borrow_mut().insert(name.to_string(), id);
        Ok(id)
    }
}

/// The search form of a text: the one given, or computed.
fn search_form<'b>(
    given: Option<&'b str>,
    normalizer: &SearchNormalizer,
    text: &str,
) -> std::borrow::Cow<'b, str> {
    match given {
        Some(b) => std::borrow::Cow::Borrowed(b),
        None => std::borrow::Cow::Owned(normalizer.normalize(text)),
    }
}

/// The columns `save()` writes from an appeal, in the order of its values. The insert adds the
/// key (channel, source id), the version and the timestamps; the update sets them by id.
pub(crate) const WRITTEN: [&str; 32] = [
    "received_at",
    "text",
    "author",
    "contact",
    "settlement_id",
    "address",
    "url",
    "category",
    "fz59",
    "block",
    "responsible_id",
    "status",
    "is_open",
    "urgent",
    "conflict",
    "first_response_at",
    "answered_at",
    "answer",
    "quality",
    "rating",
    "lat",
    "lon",
    "duplicate_of",
    "extension_reason",
    "reopen_count",
    "register_due",
    "first_response_due",
    "answer_due",
    "first_response_ws",
    "reopened_at",
    "interim_after_reopen_at",
    "interim_answer",
];

thread_local! {
    /// `?1` channel, `?2` source id, `?3` version, `?4` now (created and updated), `?5` the
    /// creation tags (`audit::replay`), then `WRITTEN`.
    static INSERT_SQL: String = format!(
        "INSERT INTO appeals (channel, source_id, version, created_at, updated_at, created_tags, \
         {}) VALUES (?1, ?2, ?3, ?4, ?4, ?5, {})",
        WRITTEN.join(", "),
        (6..6 + WRITTEN.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
    );
    /// `?1` id, `?2` version, `?3` now (updated), then `WRITTEN`.
    static UPDATE_SQL: String = format!(
        "UPDATE appeals SET version = ?2, updated_at = ?3, {} WHERE id = ?1",
        WRITTEN
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 4))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Reopens `new` when it reopens `old` (a new answer term from now, the earlier answer withdrawn
/// into the history, one more reopen counted: `Appeal::reopen`) and derives its deadlines; the
/// reason when they could not be computed (it is then saved without them).
pub(crate) fn derive(
    reference: &Reference,
    old: Option<&Appeal>,
    new: &mut Appeal,
    now: DateTime<Utc>,
) -> Option<String> {
    if let Some(o) = old
        && new.reopens(o)
    {
        new.reopen(now, o.reopen_count);
    }
    match compute_deadlines(reference, new) {
        Ok(d) => {
            new.deadlines = d;
            None
        }
        Err(e) => {
            new.deadlines = Deadlines::default();
            Some(e.to_string())
        }
    }
}

/// The ids of an appeal's settlement and responsible, found or created (through the
/// transaction's cache when there is one).
pub(crate) fn name_ids(
    tx: &Transaction<'_>,
    names: Option<&NameIds>,
    a: &Appeal,
    now: DateTime<Utc>,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let settlement = match (&a.settlement, names) {
        (Some(s), Some(cache)) => Some(cache.settlement(tx, s)?),
        (Some(s), None) => Some(settlement_id(tx, s)?),
        (None, _) => None,
    };
    let responsible = match (&a.responsible, names) {
        (Some(r), Some(cache)) => Some(cache.recipient(tx, r, now)?),
        (Some(r), None) => Some(recipient_id(tx, r, true, now)?),
        (None, _) => None,
    };
    Ok((settlement, responsible))
}

/// Calls `f` with the values of [`WRITTEN`] for `a`, in its order (`settlement` and
/// `responsible` are the names' ids).
pub(crate) fn with_written<R>(
    reference: &Reference,
    a: &Appeal,
    (settlement, responsible): (Option<i64>, Option<i64>),
    f: impl FnOnce([&dyn ToValue; WRITTEN.len()]) -> R,
) -> R {
    let secs = |d: Option<DateTime<Utc>>| d.map(|d| d.timestamp());
    // Derived, like the deadlines: the medians read it.
    let first_response_ws =
        super::aggregates::first_response_ws(reference, a.received_at, a.first_response_at);
    let received = a.received_at.timestamp();
    let (status, is_open) = (a.status.id(), a.status.is_open());
    let (first_at, answered_at) = (secs(a.first_response_at), secs(a.answered_at));
    let quality = a.quality.map(Quality::id);
    let d = &a.deadlines;
    let (register, first_due, answer_due) = (
        secs(d.register_due),
        secs(d.first_response_due),
        secs(d.answer_due),
    );
    let (reopened, interim_after_reopen) = (secs(a.reopened_at), secs(a.interim_after_reopen_at));
    f([
        &received,
        &a.text,
        &a.author,
        &a.contact,
        &settlement,
        &a.address,
        &a.url,
        &a.category,
        &a.fz59,
        &a.block,
        &responsible,
        &status,
        &is_open,
        &a.urgent,
        &a.conflict,
        &first_at,
        &answered_at,
        &a.answer,
        &quality,
        &a.rating,
        &a.lat,
        &a.lon,
        &a.duplicate_of,
        &a.extension_reason,
        &a.reopen_count,
        &register,
        &first_due,
        &answer_due,
        &first_response_ws,
        &reopened,
        &interim_after_reopen,
        &a.interim_answer,
    ])
}

/// What a new appeal is created with, for `mcu audit verify` to replay its history onto: its
/// audited values encoded, and their fields.
pub(crate) fn creation_values(a: &Appeal) -> (Encoded, [&'static str; 26]) {
    let values = audited(a);
    let e = encode(values.iter().map(|(f, v)| (*f, v.as_deref())));
    (e, values.map(|(f, _)| f))
}

/// What follows the row of a new appeal (its id set): its share of the summaries and the audit
/// entry of its creation — in an import noted for the run it belongs to, written at the end.
pub(crate) fn after_created(
    tx: &Transaction<'_>,
    ctx: &SaveCtx<'_>,
    a: &Appeal,
    responsible: Option<i64>,
    (encoded, fields): &(Encoded, [&'static str; 26]),
) -> Result<(), StoreError> {
    let now_s = ctx.now.timestamp();
    super::aggregates::count_new(tx, ctx.names.map(|n| &n.aggregates), a, responsible)?;
    match ctx.names {
        Some(cache) => cache.created(a, now_s, ctx.actor, encoded, fields),
        None => {
            let mut creation = Creation::new(fields.iter().copied());
            creation.add(a.id, a.channel.id(), &a.source_id, encoded);
            super::audit::append_created(
                tx,
                None,
                (a.id, a.id),
                &creation.digest(),
                now_s,
                &ctx.actor.operator,
                &ctx.actor.source,
            )?;
        }
    }
    Ok(())
}

/// The one function that writes an appeal: derives deadlines, writes the row, the search index
/// and one history event per changed field (plus notes), all in the caller's transaction.
/// `old` is `None` for a new appeal. `new.version` is set to the stored version. `body` is the
/// search form of `new.text` when the caller already has it (an import computes it on another
/// thread); otherwise it is computed here. (On PostgreSQL an import writes its new appeals in
/// batches instead, `import_batch`, from the same pieces.)
pub(crate) fn save(
    tx: &Transaction<'_>,
    ctx: &SaveCtx<'_>,
    old: Option<&Appeal>,
    new: &mut Appeal,
    notes: &[String],
    body: Option<&str>,
) -> Result<SaveOutcome, StoreError> {
    let SaveCtx {
        reference,
        normalizer,
        actor,
        now,
        names,
    } = *ctx;
    let deadline_problem = derive(reference, old, new, now);

    let mut events: Vec<(&'static str, Option<String>, Option<String>)> = Vec::new();
    if let Some(o) = old {
        for ((field, before), (_, after)) in audited(o).into_iter().zip(audited(new)) {
            if before != after {
                events.push((
                    field,
                    before.map(Cow::into_owned),
                    after.map(Cow::into_owned),
                ));
            }
        }
        if events.is_empty() && notes.is_empty() {
            new.version = o.version;
            return Ok(SaveOutcome {
                id: o.id,
                kind: SaveKind::Unchanged,
                deadline_problem,
            });
        }
    }

    let ids = name_ids(tx, names, new, now)?;
    let now_s = now.timestamp();
    let id = match old {
        None => {
            new.version = 1;
            let channel = new.channel.id();
            let creation = creation_values(new);
            let id = with_written(reference, new, ids, |written| {
                let mut args: Vec<&dyn ToValue> = vec![
                    &channel,
                    &new.source_id,
                    &new.version,
                    &now_s,
                    &creation.0.tags,
                ];
                args.extend(written);
                INSERT_SQL.with(|sql| tx.insert(sql, args.as_slice()))
            })?;
            new.id = id;
            after_created(tx, ctx, new, ids.1, &creation)?;
            super::search::index(tx, id, &search_form(body, normalizer, &new.text))?;
            id
        }
        Some(o) => {
            new.id = o.id;
            new.version = o.version + 1;
            super::aggregates::count(tx, o.id, false)?;
            with_written(reference, new, ids, |written| {
                let mut args: Vec<&dyn ToValue> = vec![&o.id, &new.version, &now_s];
                args.extend(written);
                UPDATE_SQL.with(|sql| tx.prepare_cached(sql)?.execute(args.as_slice()))
            })?;
            super::aggregates::count(tx, o.id, true)?;
            if o.text != new.text {
                super::search::unindex(tx, o.id)?;
                super::search::index(tx, o.id, &search_form(body, normalizer, &new.text))?;
            }
            o.id
        }
    };

    let changed = events.len();
    let mut entries: Vec<(&str, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|(f, o, n)| (*f, o.as_deref(), n.as_deref()))
        .collect();
    entries.extend(notes.iter().map(|n| ("note", None, Some(n.as_str()))));
    super::audit::append_cached(
        tx,
        ctx.names.map(|n| &n.audit_head),
        id,
        now_s,
        &actor.operator,
        &actor.source,
        &entries,
    )?;
    Ok(SaveOutcome {
        id,
        kind: if old.is_none() {
            SaveKind::Inserted
        } else {
            SaveKind::Updated(changed)
        },
        deadline_problem,
    })
}

impl Store {
    /// One appeal by its internal number.
    pub fn get(&self, id: i64) -> Result<Option<Appeal>, StoreError> {
        let sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM} WHERE a.id = ?1");
        Ok(self
            .conn()
            .prepare_cached(&sql)?
            .query_row([id], appeal_from_row)
            .optional()?)
    }

    /// Finds an appeal by what an officer types: its internal number (`1234`) or
    /// `channel:source_id` (`pos:12050000001`).
    pub fn find(&self, reference: &str) -> Result<Appeal, StoreError> {
        let r = reference.trim();
        let found = if let Ok(id) = r.parse::<i64>() {
            self.get(id)?
        } else if let Some((ch, sid)) = r.split_once(':') {
            let ch: crate::domain::Channel =
                ch.parse()
                    .map_err(|e: crate::domain::channel::UnknownChannel| {
                        StoreError::Invalid(e.to_string())
                    })?;
            let sql = format!(
                "SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM} WHERE a.channel = ?1 AND a.source_id = ?2"
            );
            self.conn()
                .prepare_cached(&sql)?
                .query_row(params![ch.id(), sid], appeal_from_row)
                .optional()?
        } else {
            return Err(StoreError::Invalid(format!(
                "«{r}» is neither an appeal number nor channel:id (e.g. 1234 or pos:12050000001)"
            )));
        };
        found.ok_or_else(|| StoreError::NotFound(format!("no appeal «{r}»")))
    }

    /// The history of an appeal, oldest first.
    pub fn history(&self, id: i64) -> Result<Vec<Event>, StoreError> {
        let event = |r: &Row<'_>| {
            Ok(Event {
                at: ts(r.get(0)?),
                operator: r.get(1)?,
                source: r.get(2)?,
                field: r.get(3)?,
                old: r.get(4)?,
                new: r.get(5)?,
            })
        };
        // Created by an import with others: the run's entry comes first.
        let run = format!(
            "SELECT at, operator, source, field, old, new FROM events \
             WHERE id = {} AND through_id >= ?1",
            super::audit::CREATED_RUN_OF
        );
        let mut out: Vec<Event> = self
            .conn()
            .prepare_cached(&run)?
            .query_row([id], event)
            .optional()?
            .into_iter()
            .collect();
        let mut st = self.conn().prepare_cached(
            "SELECT at, operator, source, field, old, new FROM events \
             WHERE appeal_id = ?1 AND through_id IS NULL ORDER BY id",
        )?;
        for e in st.query_map([id], event)? {
            out.push(e?);
        }
        Ok(out)
    }

    /// Applies an operator's changes to one appeal, validated and audited, in one transaction.
    /// With `expected_version`, a save against a stale view is refused with [`StoreError::Stale`].
    pub fn update(
        &mut self,
        id: i64,
        changes: &[Change],
        expected_version: Option<i64>,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(Appeal, SaveOutcome), StoreError> {
        let reference = self.reference.clone();
        // Immediate: the write lock is taken before reading, so the version check and the audit
        // chain's head cannot go stale under another writer.
        let tx = self.conn.transaction()?;
        let old = load(&tx, id)?.ok_or_else(|| StoreError::NotFound(format!("no appeal {id}")))?;
        if let Some(g) = &actor.grants {
            if !g.may_see(&old) {
                return Err(StoreError::NotFound(format!("no appeal {id}")));
            }
            let roles = || {
                g.roles
                    .iter()
                    .map(|r| r.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !g.may_change(&old) {
                return Err(StoreError::Denied(format!(
                    "{} may not change appeal {id} (roles: {})",
                    g.login,
                    roles()
                )));
            }
            if let Some(action) = changes
                .iter()
                .filter_map(Change::action)
                .find(|&x| !g.may(x, &old))
            {
                return Err(StoreError::Denied(format!(
                    "{} may not change appeal {id}: {} is not theirs (roles: {})",
                    g.login,
                    action.describe(),
                    roles()
                )));
            }
            // An original they may not see does not exist for them.
            for c in changes {
                if let Change::DuplicateOf(Some(orig)) = c
                    && !load(&tx, *orig)?.is_some_and(|o| g.may_see(&o))
                {
                    return Err(StoreError::NotFound(format!("no appeal {orig}")));
                }
            }
        }
        if let Some(expected) = expected_version
            && expected != old.version
        {
            return Err(StoreError::Stale {
                id,
                expected,
                actual: old.version,
            });
        }
        let mut new = old.clone();
        let mut notes = Vec::new();
        apply_changes(&tx, &reference, &mut new, changes, &mut notes)?;
        let ctx = SaveCtx {
            reference: &reference,
            normalizer: &SearchNormalizer::new(),
            actor,
            now,
            names: None,
        };
        let outcome = save(&tx, &ctx, Some(&old), &mut new, &notes, None)?;
        tx.commit()?;
        self.anchor_head();
        Ok((new, outcome))
    }
}

/// Refuses a time of an answer (`what`) of the current term that is before the last reopening.
fn before_reopening(
    reference: &Reference,
    a: &Appeal,
    t: DateTime<Utc>,
    what: &str,
) -> Result<(), StoreError> {
    match a.reopened_at {
        Some(r) if a.before_reopening(t) => {
            let local = |x: DateTime<Utc>| {
                x.with_timezone(&reference.calendar.timezone())
                    .format("%d.%m.%Y %H:%M:%S")
            };
            Err(StoreError::Invalid(format!(
                "the {what} time {} is before the appeal was reopened ({}): an {what} of the new \
                 term is given after the reopening",
                local(t),
                local(r)
            )))
        }
        _ => Ok(()),
    }
}

/// Validates and applies changes to an appeal in memory. Derived status moves: recording an
/// answer time moves an open appeal to `answered`, an interim time to `interim`, assigning a
/// recipient moves a `new` appeal to `assigned` — unless the same request sets the status itself.
fn apply_changes(
    tx: &Transaction<'_>,
    reference: &Reference,
    a: &mut Appeal,
    changes: &[Change],
    notes: &mut Vec<String>,
) -> Result<(), StoreError> {
    let explicit_status = changes.iter().any(|c| matches!(c, Change::Status(_)));
    for c in changes {
        match c {
            Change::Block(b) => {
                a.block = match b {
                    None => None,
                    Some(b) => Some(
                        reference
                            .blocks
                            .resolve(b)
                            .ok_or_else(|| {
                                StoreError::Invalid(format!(
                                    "unknown block «{b}» (known: {})",
                                    reference.blocks.ids()
                                ))
                            })?
                            .id
                            .clone(),
                    ),
                }
            }
            Change::Responsible(r) => {
                a.responsible = match r {
                    None => None,
                    Some(name) => Some(super::recipients::known_recipient(tx, name)?),
                };
                if a.responsible.is_some() && a.status == Status::New && !explicit_status {
                    a.status = Status::Assigned;
                }
            }
            Change::Status(s) => a.status = *s,
            Change::Urgent(u) => a.urgent = *u,
            Change::Conflict(c) => a.conflict = *c,
            // After a reopening, an interim answer of the new term: the first response stays.
            Change::InterimAt(t) if a.reopened_at.is_some() => {
                if let Some(t) = t {
                    before_reopening(reference, a, *t, "interim answer")?;
                }
                a.interim_after_reopen_at = *t;
                if t.is_some() && a.status.is_open() && !explicit_status {
                    a.status = Status::Interim;
                }
            }
            Change::InterimAt(t) => {
                a.first_response_at = *t;
                if t.is_some() && a.status.is_open() && !explicit_status {
                    a.status = Status::Interim;
                }
            }
            Change::AnsweredAt(t) => {
                if let Some(t) = t {
                    before_reopening(reference, a, *t, "answer")?;
                }
                a.answered_at = *t;
                if t.is_some() && a.status.is_open() && !explicit_status {
                    a.status = Status::Answered;
                }
                if let Some(t) = t
                    && a.first_response_at.is_none()
                {
                    a.first_response_at = Some(*t);
                }
            }
            Change::InterimAnswer(text) => {
                a.interim_answer = text.clone().filter(|t| !t.trim().is_empty())
            }
            Change::Answer(text) => a.answer = text.clone().filter(|t| !t.trim().is_empty()),
            Change::Quality(q) => a.quality = *q,
            Change::Rating(r) => {
                if let Some(v) = r
                    && !(1..=5).contains(v)
                {
                    return Err(StoreError::Invalid(format!("rating {v} is outside 1–5")));
                }
                a.rating = *r;
            }
            Change::DuplicateOf(d) => {
                if let Some(orig) = d {
                    if *orig == a.id {
                        return Err(StoreError::Invalid(
                            "an appeal cannot duplicate itself".into(),
                        ));
                    }
                    if load(tx, *orig)?.is_none() {
                        return Err(StoreError::NotFound(format!("no appeal {orig}")));
                    }
                    if !explicit_status {
                        a.status = Status::Duplicate;
                    }
                }
                a.duplicate_of = *d;
            }
            Change::Extend(reason) => {
                if reason.trim().is_empty() {
                    return Err(StoreError::Invalid("an extension needs a reason".into()));
                }
                if !reference.sla.is_fz59(a.channel, a.fz59) {
                    return Err(StoreError::Invalid(
                        "only a 59-ФЗ appeal's deadline can be extended".into(),
                    ));
                }
                if a.extension_reason.is_some() {
                    return Err(StoreError::Invalid(
                        "the deadline was already extended once (59-ФЗ allows one extension)"
                            .into(),
                    ));
                }
                a.extension_reason = Some(reason.trim().to_string());
            }
            Change::Note(n) => {
                if !n.trim().is_empty() {
                    notes.push(n.trim().to_string());
                }
            }
        }
    }
    Ok(())
}

impl Store {
    /// Appeals linked as duplicates of this one.
    pub fn duplicates_of(&self, id: i64) -> Result<Vec<Appeal>, StoreError> {
        let sql = format!(
            "SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM} WHERE a.duplicate_of = ?1 ORDER BY a.received_at"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map([id], appeal_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The recipient who handled most appeals of a block (the routing baseline). Grouped by the
    /// recipient's id and name: PostgreSQL takes no column outside the GROUP BY.
    pub fn usual_recipient(&self, block: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT r.name FROM appeals a JOIN recipients r ON r.id = a.responsible_id \
                 WHERE a.block = ?1 GROUP BY r.id, r.name ORDER BY COUNT(*) DESC, r.name LIMIT 1",
            )?
            .query_row([block], |r| r.get(0))
            .optional()?)
    }
}

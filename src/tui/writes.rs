//! The console's write queue: an officer's change never blocks the screen on a locked database.
//!
//! A triage change becomes a [`Job`]. With the queue on ([`Writes::queued`], what the live console
//! uses), a writer thread with its own connection to the same database file carries the jobs out
//! one by one: SQLite's busy handler waits for the other writer (`store::busy`), and when it gives
//! up the job is tried again after a growing pause ([`Policy`]) before it is reported as not saved.
//! The console polls the outcomes on its tick ([`Writes::poll`]) and says, in Russian, what was
//! saved or what was not; while a job waits the status line says «сохраняю…». Without the queue
//! (tests, an in-memory store) a job runs at once on the console's own connection — the same
//! code, the same outcome.
//!
//! Every outcome keeps each appeal as it was before and after the change, which is what the
//! officer's undo (`screens::undo`) restores.

use std::collections::VecDeque;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::Appeal;
use crate::domain::templates::Kind;
use crate::reference::Reference;
use crate::store::{Actor, Change, Store, StoreError};

/// What to do once a job is saved, beyond saying so.
#[derive(Debug, Clone, PartialEq)]
pub enum Then {
    Nothing,
    /// An answer's text was saved: the formal-reply check's proposal follows.
    AnswerCheck(Kind, String),
    /// The job undoes the officer's last change (said so, and not itself undoable).
    Undo,
    /// A write of another kind that is no change of the officer's (a report made: its file and
    /// its audit entry): not the last change `z` speaks of.
    NotAChange,
}

/// One appeal of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: i64,
    /// The version the officer saw: a change made meanwhile by someone else is refused…
    pub seen: Option<i64>,
    /// …unless it left alone every field these changes touch: the appeal as the officer saw it
    /// (`None`: any change meanwhile refuses, as undo wants). See [`untouched`].
    pub shown: Option<Box<Appeal>>,
    pub changes: Vec<Change>,
}

/// One change of appeals, as the officer asked for it — or, with `op`, a write of another kind
/// (a 59-ФЗ registration, an appeal taken by hand, a roadmap's change…) and no `targets`.
#[derive(Debug)]
pub struct Job {
    pub targets: Vec<Target>,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    /// The Russian description of the changes («блок «ЖКХ»»), for the messages.
    pub what: String,
    pub then: Then,
    pub op: Option<Op>,
}

/// What a write of another kind came back with, for the console to carry out: what to say
/// (an error too: a refusal with its reason), what to do, what to ask next.
#[derive(Debug, Default)]
pub struct Reply {
    pub text: String,
    pub error: bool,
    pub effects: Vec<crate::tui::screens::Effect>,
    /// A pop-up to open (the input again, with what was typed, after a refusal).
    pub popup: Option<crate::tui::popup::Popup>,
}

impl Reply {
    /// Saved: said, and the screens read again.
    pub fn saved(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            effects: vec![crate::tui::screens::Effect::Refresh],
            ..Default::default()
        }
    }

    /// Refused (nothing saved): said as an error.
    pub fn refused(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            error: true,
            ..Default::default()
        }
    }
}

/// A write of another kind, carried out on the writer's connection: an `Err` the database's
/// lock caused is tried again like any job; any other `Err` is reported as not saved. The
/// closure answers in Russian itself (a refusal the officer can act on is an `Ok` [`Reply`]).
pub struct Op(pub Box<OpFn>);

/// The closure of an [`Op`].
pub type OpFn = dyn FnMut(&mut Store) -> Result<Reply, StoreError> + Send;

impl Op {
    pub fn new(f: impl FnMut(&mut Store) -> Result<Reply, StoreError> + Send + 'static) -> Self {
        Op(Box::new(f))
    }
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Op")
    }
}

impl Job {
    /// A write of another kind, described by `what` in the messages («регистрация №12»).
    pub fn op(
        what: impl Into<String>,
        actor: Actor,
        now: DateTime<Utc>,
        op: impl FnMut(&mut Store) -> Result<Reply, StoreError> + Send + 'static,
    ) -> Self {
        Job {
            targets: Vec::new(),
            actor,
            now,
            what: what.into(),
            then: Then::Nothing,
            op: Some(Op::new(op)),
        }
    }
}

/// One appeal a job changed: as it was and as it is now.
#[derive(Debug, Clone)]
pub struct Saved {
    pub before: Appeal,
    pub after: Appeal,
}

/// What came of a job.
#[derive(Debug)]
pub struct Done {
    pub job: Job,
    pub saved: Vec<Saved>,
    /// Appeals refused one by one (changed by someone else, not allowed…), in Russian.
    pub problems: Vec<String>,
    /// The database stayed locked through every attempt, or failed otherwise: what was not
    /// saved, in Russian. The appeals in `saved` were saved before.
    pub failure: Option<String>,
    /// A write of another kind: its answer.
    pub reply: Option<Reply>,
}

/// The versions of appeals this console's own writes made: a change the officer made against
/// what the screen showed before their own earlier change landed (or before the screen was read
/// again) is theirs to build on, not someone else's — so it is not refused as stale. A change by
/// anyone else in between breaks the chain, and the save is refused as before.
#[derive(Debug, Default)]
pub struct Own {
    /// Per appeal: the version the first of a run of own writes started from, and the latest.
    chains: std::collections::HashMap<i64, (i64, i64)>,
}

impl Own {
    /// The version to expect for a change made when the screen showed `seen`.
    fn expect(&self, id: i64, seen: Option<i64>) -> Option<i64> {
        match (seen, self.chains.get(&id)) {
            (Some(s), Some(&(base, latest))) if (base..latest).contains(&s) => Some(latest),
            _ => seen,
        }
    }

    /// An own write took the appeal from `before` to `after`.
    fn record(&mut self, id: i64, before: i64, after: i64) {
        let chain = self.chains.entry(id).or_insert((before, before));
        if chain.1 != before {
            *chain = (before, before);
        }
        chain.1 = after;
    }
}

/// How a locked database is waited for.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// How many times a job is tried.
    pub attempts: u32,
    /// The pause after the first failed attempt; doubled after each further one.
    pub pause: Duration,
    /// The writer connection's own wait inside one attempt (`None`: the store's busy handler,
    /// `store::busy::BUSY_TIMEOUT`).
    pub busy_wait: Option<Duration>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            attempts: 3,
            pause: Duration::from_millis(500),
            busy_wait: None,
        }
    }
}

enum Mode {
    /// Jobs run at once on the console's connection.
    Inline,
    /// Jobs go to the writer thread.
    Queued {
        jobs: mpsc::Sender<Job>,
        done: mpsc::Receiver<Done>,
    },
}

/// The queue of the console's writes.
pub struct Writes {
    mode: Mode,
    /// Jobs sent and not yet reported back.
    pending: usize,
    /// Outcomes of inline jobs, handed out by the next [`Writes::poll`] like the queued ones.
    ready: VecDeque<Done>,
    /// The inline jobs' own versions (the writer thread keeps its own).
    own: Own,
}

impl Default for Writes {
    fn default() -> Self {
        Self {
            mode: Mode::Inline,
            pending: 0,
            ready: VecDeque::new(),
            own: Own::default(),
        }
    }
}

impl Writes {
    /// A queue with a writer thread over its own connection to the database at `location`.
    pub fn queued(
        location: crate::store::Location,
        reference: Arc<Reference>,
        policy: Policy,
    ) -> Result<Self, StoreError> {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done) = mpsc::channel::<Done>();
        // The store is opened in the thread (it is not `Send`); whether it opened comes back.
        let (opened_tx, opened) = mpsc::channel::<Result<(), StoreError>>();
        std::thread::Builder::new()
            .name("mcu-console-writer".into())
            .spawn(move || {
                let mut store = match Store::open_at(&location, reference) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                if let Some(d) = policy.busy_wait
                    && let Err(e) = store.set_busy_wait(d)
                {
                    let _ = opened_tx.send(Err(e));
                    return;
                }
                let _ = opened_tx.send(Ok(()));
                let mut own = Own::default();
                for job in job_rx {
                    let d = run(&mut store, job, policy, &mut own);
                    if done_tx.send(d).is_err() {
                        return;
                    }
                }
            })
            .map_err(|e| StoreError::Invalid(format!("the writer thread did not start: {e}")))?;
        opened.recv().map_err(|_| {
            StoreError::Invalid("the writer thread stopped before opening the database".into())
        })??;
        Ok(Self {
            mode: Mode::Queued { jobs, done },
            pending: 0,
            ready: VecDeque::new(),
            own: Own::default(),
        })
    }

    /// Whether jobs go to a writer thread.
    pub fn is_queued(&self) -> bool {
        matches!(self.mode, Mode::Queued { .. })
    }

    /// Jobs sent and not reported back yet (the status line says «сохраняю…»).
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Sends a job (inline: carries it out on `store` now; its outcome comes with the next poll).
    pub fn submit(&mut self, store: &mut Store, job: Job) {
        match &self.mode {
            Mode::Inline => {
                let d = run(store, job, Policy::default(), &mut self.own);
                self.ready.push_back(d);
            }
            Mode::Queued { jobs, .. } => match jobs.send(job) {
                Ok(()) => self.pending += 1,
                Err(mpsc::SendError(job)) => self.ready.push_back(Done {
                    failure: Some(format!(
                        "Не сохранено ({}): запись в базу остановилась, перезапустите консоль",
                        job.what
                    )),
                    job,
                    saved: Vec::new(),
                    problems: Vec::new(),
                    reply: None,
                }),
            },
        }
    }

    /// The outcomes that came in since the last call, without waiting.
    pub fn poll(&mut self) -> Vec<Done> {
        let mut out: Vec<Done> = self.ready.drain(..).collect();
        if let Mode::Queued { done, .. } = &self.mode {
            while let Ok(d) = done.try_recv() {
                self.pending = self.pending.saturating_sub(1);
                out.push(d);
            }
        }
        out
    }

    /// For tests: waits up to `limit` for one outcome of the writer thread.
    pub fn wait(&mut self, limit: Duration) -> Option<Done> {
        if let Some(d) = self.ready.pop_front() {
            return Some(d);
        }
        let Mode::Queued { done, .. } = &self.mode else {
            return None;
        };
        let d = done.recv_timeout(limit).ok()?;
        self.pending = self.pending.saturating_sub(1);
        Some(d)
    }
}

/// Carries a job out: each appeal in turn; while the database is locked, the rest is tried again
/// after a pause, up to the policy's attempts.
pub fn run(store: &mut Store, mut job: Job, policy: Policy, own: &mut Own) -> Done {
    if let Some(op) = job.op.as_mut() {
        let mut attempt = 1;
        let mut pause = policy.pause;
        let outcome = loop {
            match (op.0)(store) {
                Err(e) if e.is_busy() && attempt < policy.attempts.max(1) => {
                    attempt += 1;
                    std::thread::sleep(pause);
                    pause = pause.saturating_mul(2);
                }
                other => break other,
            }
        };
        let (reply, failure) = match outcome {
            Ok(r) => (Some(r), None),
            Err(e) => {
                if !e.is_busy() {
                    tracing::warn!("console write failed: {e}");
                }
                (None, Some(not_saved(&job, 0, e.is_busy())))
            }
        };
        return Done {
            job,
            saved: Vec::new(),
            problems: Vec::new(),
            failure,
            reply,
        };
    }
    let mut saved = Vec::new();
    let mut problems = Vec::new();
    let mut left: VecDeque<&Target> = job.targets.iter().collect();
    let mut attempt = 1;
    let mut pause = policy.pause;
    let mut failure = None;
    while let Some(&t) = left.front() {
        let id = t.id;
        let before = store.get(id);
        let result = before.and_then(|b| {
            let mut expected = own.expect(id, t.seen);
            // Changed meanwhile (auto-triage marked it urgent a moment after it showed, another
            // officer set its block), but not in what this change touches: not a conflict,
            // built on what is there now — the store still refuses if it moves again.
            if let (Some(now), Some(shown), Some(e)) = (&b, &t.shown, expected)
                && now.version != e
                && untouched(shown, now, &t.changes)
            {
                expected = Some(now.version);
            }
            store
                .update(id, &t.changes, expected, &job.actor, job.now)
                .map(|(after, _)| (b, after))
        });
        match result {
            Ok((Some(before), after)) => {
                own.record(id, before.version, after.version);
                left.pop_front();
                saved.push(Saved { before, after });
            }
            Ok((None, _)) => {
                left.pop_front();
            }
            Err(e) if e.is_busy() && attempt < policy.attempts.max(1) => {
                attempt += 1;
                std::thread::sleep(pause);
                pause = pause.saturating_mul(2);
            }
            Err(e) if e.is_busy() => {
                failure = Some(true);
                break;
            }
            Err(e @ StoreError::Stale { .. }) => {
                left.pop_front();
                problems.push(crate::tui::screens::error_text(&e, None));
            }
            Err(e @ (StoreError::Invalid(_) | StoreError::NotFound(_) | StoreError::Denied(_))) => {
                left.pop_front();
                problems.push(format!(
                    "№{id}: {}",
                    crate::tui::screens::error_text(&e, None)
                ));
            }
            Err(e) => {
                tracing::warn!("console write failed: {e}");
                failure = Some(false);
                break;
            }
        }
    }
    let failure = failure.map(|f| not_saved(&job, left.len(), f));
    Done {
        job,
        saved,
        problems,
        failure,
        reply: None,
    }
}

/// «Не сохранено: блок «ЖКХ» для №12 — база данных занята другим процессом, повторите».
fn not_saved(job: &Job, left: usize, busy: bool) -> String {
    let ids: Vec<String> = job
        .targets
        .iter()
        .skip(job.targets.len() - left)
        .map(|t| format!("№{}", t.id))
        .collect();
    let why = if busy {
        "база данных занята другим процессом"
    } else {
        "ошибка базы данных (подробности в журнале)"
    };
    if ids.is_empty() {
        return format!("Не сохранено: {} — {why}, повторите", job.what);
    }
    format!(
        "Не сохранено: {} для {} — {why}, повторите",
        job.what,
        ids.join(", ")
    )
}

/// Whether `now` still has every field `changes` touch as in `shown` (what the officer saw):
/// then a change made in between by someone else is no conflict with these. A note touches
/// nothing; a 59-ФЗ extension, the deadline's term, always conflicts.
pub fn untouched(shown: &Appeal, now: &Appeal, changes: &[Change]) -> bool {
    let same_answer = || shown.answered_at == now.answered_at && shown.answer == now.answer;
    let same_interim = || {
        shown.first_response_at == now.first_response_at
            && shown.interim_after_reopen_at == now.interim_after_reopen_at
            && shown.interim_answer == now.interim_answer
    };
    // An answer, a duplicate link or a status moves the status by itself: the status is theirs.
    let same_status = || shown.status == now.status && shown.reopened_at == now.reopened_at;
    changes.iter().all(|c| match c {
        Change::Block(_) => shown.block == now.block,
        Change::Responsible(_) => shown.responsible == now.responsible,
        Change::Status(_) => same_status() && same_answer(),
        Change::Urgent(_) => shown.urgent == now.urgent,
        Change::Conflict(_) => shown.conflict == now.conflict,
        Change::InterimAt(_) | Change::InterimAnswer(_) => same_interim() && same_status(),
        Change::AnsweredAt(_) | Change::Answer(_) => same_answer() && same_status(),
        Change::Quality(_) => shown.quality == now.quality && same_answer(),
        Change::Rating(_) => shown.rating == now.rating,
        Change::DuplicateOf(_) => shown.duplicate_of == now.duplicate_of && same_status(),
        Change::Extend(_) => false,
        Change::Note(_) => true,
    })
}

/// The changes that bring `after` back to `before` (what the officer's undo applies), or why
/// that cannot be done.
pub fn inverse(before: &Appeal, after: &Appeal) -> Result<Vec<Change>, String> {
    if before.extension_reason != after.extension_reason {
        return Err("продление срока по 59-ФЗ не отменяется".into());
    }
    let mut c = Vec::new();
    if before.block != after.block {
        c.push(Change::Block(before.block.clone()));
    }
    if before.responsible != after.responsible {
        c.push(Change::Responsible(before.responsible.clone()));
    }
    if before.urgent != after.urgent {
        c.push(Change::Urgent(before.urgent));
    }
    if before.conflict != after.conflict {
        c.push(Change::Conflict(before.conflict));
    }
    if before.answered_at != after.answered_at {
        c.push(Change::AnsweredAt(before.answered_at));
    }
    if before.answer != after.answer {
        c.push(Change::Answer(before.answer.clone()));
    }
    if before.interim_answer != after.interim_answer {
        c.push(Change::InterimAnswer(before.interim_answer.clone()));
    }
    // The interim time of the current term: the first response, or the one after a reopening.
    if after.reopened_at.is_some() {
        if before.interim_after_reopen_at != after.interim_after_reopen_at {
            c.push(Change::InterimAt(before.interim_after_reopen_at));
        }
        if before.first_response_at != after.first_response_at {
            return Err("время первого ответа не отменяется после переоткрытия".into());
        }
    } else if before.first_response_at != after.first_response_at {
        c.push(Change::InterimAt(before.first_response_at));
    }
    if before.quality != after.quality {
        c.push(Change::Quality(before.quality));
    }
    if before.rating != after.rating {
        c.push(Change::Rating(before.rating));
    }
    if before.duplicate_of != after.duplicate_of {
        c.push(Change::DuplicateOf(before.duplicate_of));
    }
    if c.is_empty() && before.status == after.status {
        // Only a note: the history keeps it.
        return Err("заметка остаётся в истории, отменять нечего".into());
    }
    // The status last and explicit, so no derived move (an answer → «answered») happens.
    c.push(Change::Status(before.status));
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_writes_are_built_on_and_anyone_elses_break_the_chain() {
        let mut own = Own::default();
        assert_eq!(own.expect(1, Some(3)), Some(3));
        own.record(1, 3, 4);
        // Made against 3 (the screen not read again yet): builds on our 4.
        assert_eq!(own.expect(1, Some(3)), Some(4));
        own.record(1, 4, 5);
        assert_eq!(own.expect(1, Some(3)), Some(5));
        assert_eq!(own.expect(1, Some(4)), Some(5));
        assert_eq!(own.expect(1, Some(5)), Some(5));
        assert_eq!(own.expect(1, None), None);
        assert_eq!(own.expect(2, Some(3)), Some(3));
        // Someone else wrote 6: our next write starts from 6, a new chain.
        own.record(1, 6, 7);
        assert_eq!(
            own.expect(1, Some(5)),
            Some(5),
            "stale: refused by the store"
        );
        assert_eq!(own.expect(1, Some(6)), Some(7));
    }
}

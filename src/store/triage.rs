//! Auto-triage in the store: the officers' examples the model learns from, the suggestion kept per
//! appeal, the similarity index for duplicates and repeats, and the one function that triages a
//! stored appeal — audited like every change, with the source `auto-triage`.

use crate::store::db::{Db, OptionalExtension, Transaction, params};
use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::appeals::{SaveCtx, load, save};
use super::triage_window::Window;
use super::{Actor, Store, StoreError, ts};
use crate::domain::Status;
use crate::domain::appeal::Appeal;
use crate::domain::text::SearchNormalizer;
use crate::domain::triage::duplicates::Precomputed;
use crate::domain::triage::similarity::Signature;
use crate::domain::triage::{
    DupVerdict, Example, Indexed, Link, Scored, Suggestion, Triage, TriageData, author_key,
};

/// The audit source of what auto-triage changes by itself.
pub const AUTO_TRIAGE_SOURCE: &str = "auto-triage";

/// Sources whose block decisions are officers' (training examples).
const OFFICER_SOURCES: &str = "('console', 'cli')";

/// At most this many index rows are read per probe key (the newest in the window).
const ROWS_PER_KEY: i64 = 500;
/// At most this many candidates (those sharing the most keys) are scored exactly.
const MAX_CANDIDATES: usize = 300;
/// At most this many of the same author's appeals are scored for a repeat.
const AUTHOR_ROWS: i64 = 200;

/// At most this many appeals are triaged per transaction by [`Store::triage_pending_with`]:
/// enough that a big import is not slowed by a commit per appeal…
pub const TRIAGE_BATCH: usize = 4_000;
/// …and a transaction is committed once it has worked this long, so the other writers (consoles,
/// another import) wait a fraction of a second at most, on a slow machine too.
pub const TRIAGE_BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(1_000);

/// What one run over the pending appeals did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TriageRun {
    /// The appeals triaged.
    pub outcomes: Vec<TriageOutcome>,
    /// The appeals whose triage failed: recorded with the reason and skipped.
    pub failed: Vec<TriageFailure>,
    /// Why the run stopped before the end (the database stayed locked by another writer…).
    pub stopped: Option<String>,
    /// Appeals still not triaged after the run.
    pub pending: usize,
}

impl TriageRun {
    /// How many appeals got a block set by auto-triage.
    pub fn blocks_set(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.applied.contains(&"block"))
            .count()
    }
}

/// An appeal whose triage failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageFailure {
    pub appeal_id: i64,
    pub reason: String,
}

/// A suggestion as stored for an appeal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSuggestion {
    pub appeal_id: i64,
    pub block: String,
    pub confidence: f32,
    pub alternatives: Vec<Scored>,
    pub settlement: Option<String>,
    pub responsible: Option<String>,
    pub urgent: bool,
    pub conflict: bool,
    pub urgent_reasons: Vec<String>,
    pub conflict_reasons: Vec<String>,
    /// Proposed original (the earliest appeal about the same problem).
    pub duplicate_of: Option<Link>,
    /// «Повторное»: the same author's earlier appeal on the same problem.
    pub repeat_of: Option<Link>,
    /// What auto-triage set by itself: `block`, `settlement`, `urgent`, `conflict`, `responsible`.
    pub applied: Vec<String>,
    pub at: DateTime<Utc>,
    /// Why triage failed for this appeal (then there is no suggestion: the block is empty).
    pub error: Option<String>,
}

/// What triaging one appeal did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriageOutcome {
    pub appeal_id: i64,
    pub suggestion: Suggestion,
    pub verdict: DupVerdict,
    /// The fields auto-triage set by itself.
    pub applied: Vec<&'static str>,
}

/// A short view of an appeal in a duplicate group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMember {
    pub id: i64,
    pub channel: String,
    pub source_id: String,
    pub received_at: DateTime<Utc>,
    pub settlement: Option<String>,
    pub block: Option<String>,
    pub text: String,
    /// Similarity to the original (none for the original itself).
    pub score: Option<f32>,
    /// Already linked as its duplicate by an officer.
    pub linked: bool,
    /// Marked «повторное» (the same author's earlier appeal is in the group).
    pub repeat_of: Option<i64>,
}

/// A proposed group: the original and the appeals proposed as its duplicates or repeats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DuplicateGroup {
    pub original: GroupMember,
    pub members: Vec<GroupMember>,
}

fn invalid(e: impl ToString) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Reads candidates' signatures by id.
fn signatures(conn: &Db, ids: &[i64]) -> Result<Vec<Indexed>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT s.at, s.settlement, COALESCE(a.block, s.block), s.author, s.stems \
         FROM triage_signatures s LEFT JOIN appeals a ON a.id = s.appeal_id WHERE s.appeal_id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let row = st
            .query_row([id], |r| {
                Ok(Indexed {
                    id,
                    at: r.get(0)?,
                    settlement: r.get(1)?,
                    block: r.get(2)?,
                    author: r.get(3)?,
                    signature: Signature::from_blob(&r.get::<_, Vec<u8>>(4)?),
                })
            })
            .optional()?;
        out.extend(row);
    }
    Ok(out)
}

/// Appeals in the index sharing a key with `probes`, received in `since..=until`: those sharing
/// the most keys first, at most [`MAX_CANDIDATES`].
fn similar_recent(
    conn: &Db,
    probes: &[u32],
    since: i64,
    until: i64,
) -> Result<Vec<Indexed>, StoreError> {
    let mut hits: HashMap<i64, u32> = HashMap::new();
    let mut st = conn.prepare_cached(
        "SELECT appeal_id FROM triage_keys WHERE key = ?1 AND at BETWEEN ?2 AND ?3 \
         ORDER BY at DESC LIMIT ?4",
    )?;
    for &k in probes {
        let rows = st.query_map(params![i64::from(k), since, until, ROWS_PER_KEY], |r| {
            r.get::<_, i64>(0)
        })?;
        for id in rows {
            *hits.entry(id?).or_default() += 1;
        }
    }
    let mut ids: Vec<(i64, u32)> = hits.into_iter().collect();
    ids.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ids.truncate(MAX_CANDIDATES);
    let ids: Vec<i64> = ids.into_iter().map(|(id, _)| id).collect();
    signatures(conn, &ids)
}

/// The same author's indexed appeals received in `since..=until`.
fn same_author_recent(
    conn: &Db,
    author: &str,
    since: i64,
    until: i64,
) -> Result<Vec<Indexed>, StoreError> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT appeal_id FROM triage_signatures WHERE author = ?1 AND at BETWEEN ?2 AND ?3 \
             ORDER BY at LIMIT ?4",
        )?
        .query_map(params![author, since, until, AUTHOR_ROWS], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    signatures(conn, &ids)
}

/// Adds (or replaces) an appeal in the similarity index; `before` is where it was indexed
/// before, if it was (received, keys), whose key rows go.
fn index(
    conn: &Db,
    a: &Indexed,
    keys: &[u32],
    before: Option<(i64, &[u32])>,
) -> Result<(), StoreError> {
    if let Some((old_at, old_keys)) = before {
        let mut del = conn.prepare_cached(
            "DELETE FROM triage_keys WHERE key = ?1 AND at = ?2 AND appeal_id = ?3",
        )?;
        for &k in old_keys {
            del.execute(params![i64::from(k), old_at, a.id])?;
        }
    }
    conn.prepare_cached(
        "INSERT INTO triage_signatures (appeal_id, at, settlement, block, author, stems) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (appeal_id) DO UPDATE SET at = excluded.at, \
         settlement = excluded.settlement, block = excluded.block, author = excluded.author, \
         stems = excluded.stems",
    )?
    .execute(params![
        a.id,
        a.at,
        a.settlement,
        a.block,
        a.author,
        a.signature.to_blob()
    ])?;
    let mut ins = conn.prepare_cached(
        "INSERT INTO triage_keys (key, at, appeal_id) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    for &k in keys {
        ins.execute(params![i64::from(k), a.at, a.id])?;
    }
    Ok(())
}

/// The original a link should point to: the proposed (or officer-linked) original of the
/// candidate itself, so every group hangs off its earliest appeal.
fn root_of(conn: &Db, id: i64) -> Result<i64, StoreError> {
    let linked: Option<i64> = conn
        .prepare_cached(
            "SELECT COALESCE(a.duplicate_of, t.duplicate_of) FROM appeals a \
             LEFT JOIN triage t ON t.appeal_id = a.id WHERE a.id = ?1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(linked.unwrap_or(id))
}

impl Store {
    /// The officers' block decisions, newest first, at most `limit`: every appeal whose block was
    /// set or confirmed from the console or the command line (an audit event on `block` with
    /// source `console` or `cli`), with its current block.
    pub fn triage_examples(&self, limit: usize) -> Result<Vec<Example>, StoreError> {
        let sql = format!(
            "SELECT a.text, a.channel, a.category, a.block FROM \
             (SELECT DISTINCT appeal_id FROM events WHERE field = 'block' AND source IN {OFFICER_SOURCES} \
              AND appeal_id IS NOT NULL \
              ORDER BY appeal_id DESC LIMIT ?1) o \
             JOIN appeals a ON a.id = o.appeal_id WHERE a.block IS NOT NULL ORDER BY a.id DESC"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map([limit as i64], |r| {
            Ok(Example {
                text: r.get(0)?,
                channel: r.get(1)?,
                category: r.get(2)?,
                block: r.get(3)?,
                urgent: None,
                conflict: None,
                split: None,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Builds the triage of this workspace: the shipped data with the overrides found in `dir`
    /// (the workspace root; `triage.toml`, `settlements.toml`, `routing.toml`,
    /// `triage_seeds.jsonl`), trained on the seeds and the officers' examples. Rebuilt at start:
    /// it takes a fraction of a second (`BENCHMARKS.md`).
    pub fn load_triage(&self, dir: Option<&Path>) -> Result<Triage, StoreError> {
        let data = TriageData::load(dir).map_err(invalid)?;
        let examples = self.triage_examples(data.settings.classifier.max_officer_examples)?;
        Ok(Triage::build(&self.reference().blocks, &data, &examples))
    }

    /// Records that an officer confirmed an appeal's current block (accepting a suggestion that
    /// auto-triage had already applied): an audit event `block` with the same old and new value,
    /// which makes the appeal a training example. Nothing is recorded for an appeal without a block.
    pub fn confirm_block(
        &mut self,
        id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let appeal = super::appeals::load(&tx, id)?
            .ok_or_else(|| StoreError::NotFound(format!("no appeal {id}")))?;
        if let Some(g) = &actor.grants
            && !g.may(crate::domain::access::Action::Triage, &appeal)
        {
            return Err(StoreError::Denied(format!(
                "{} may not change appeal {id}",
                g.login
            )));
        }
        let Some(block) = appeal.block else {
            return Ok(false);
        };
        // The confirmation is a history entry like any other: chained into the audit trail.
        super::audit::append(
            &tx,
            id,
            now.timestamp(),
            &actor.operator,
            &actor.source,
            &[("block", Some(block.as_str()), Some(block.as_str()))],
        )?;
        tx.commit()?;
        self.anchor_head();
        Ok(true)
    }

    /// The suggestion stored for an appeal, if it was triaged.
    pub fn suggestion(&self, id: i64) -> Result<Option<StoredSuggestion>, StoreError> {
        let row = self
            .conn()
            .prepare_cached(
                "SELECT block, confidence, alternatives, settlement, responsible, urgent, conflict, \
                 reasons, duplicate_of, duplicate_score, repeat_of, repeat_score, applied, at, \
                 error FROM triage WHERE appeal_id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    (
                        r.get::<_, String>(0)?,
                        r.get::<_, f64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, bool>(5)?,
                        r.get::<_, bool>(6)?,
                    ),
                    (
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<i64>>(8)?,
                        r.get::<_, Option<f64>>(9)?,
                        r.get::<_, Option<i64>>(10)?,
                        r.get::<_, Option<f64>>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, i64>(13)?,
                        r.get::<_, Option<String>>(14)?,
                    ),
                ))
            })
            .optional()?;
        let Some((a, b)) = row else { return Ok(None) };
        #[derive(serde::Deserialize, Default)]
        struct Reasons {
            #[serde(default)]
            urgent: Vec<String>,
            #[serde(default)]
            conflict: Vec<String>,
        }
        #[derive(serde::Deserialize)]
        struct Alt {
            block: String,
            confidence: f32,
        }
        let alts: Vec<Alt> = serde_json::from_str(&a.2).unwrap_or_default();
        let reasons: Reasons = serde_json::from_str(&b.0).unwrap_or_default();
        let link = |id: Option<i64>, s: Option<f64>| {
            id.map(|id| Link {
                id,
                score: s.unwrap_or(0.0) as f32,
            })
        };
        Ok(Some(StoredSuggestion {
            appeal_id: id,
            block: a.0,
            confidence: a.1 as f32,
            alternatives: alts
                .into_iter()
                .map(|x| Scored {
                    block: x.block,
                    confidence: x.confidence,
                })
                .collect(),
            settlement: a.3,
            responsible: a.4,
            urgent: a.5,
            conflict: a.6,
            urgent_reasons: reasons.urgent,
            conflict_reasons: reasons.conflict,
            duplicate_of: link(b.1, b.2),
            repeat_of: link(b.3, b.4),
            applied: serde_json::from_str(&b.5).unwrap_or_default(),
            at: ts(b.6),
            error: b.7,
        }))
    }

    /// Adds an appeal to the similarity index under `keys` (see [`Triage::index_keys`]).
    pub fn index_for_similarity(&self, a: &Indexed, keys: &[u32]) -> Result<(), StoreError> {
        index(self.conn(), a, keys, None)
    }

    /// Adds many appeals to the similarity index in one transaction (bulk loads, benchmarks).
    pub fn index_batch(&mut self, items: &[(Indexed, Vec<u32>)]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for (a, keys) in items {
            index(&tx, a, keys, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Indexed appeals received in `since..=until` that share a key with `probes`
    /// ([`Triage::probe_keys`]), those sharing most first: the candidates [`Triage::judge`] scores.
    pub fn similar_recent(
        &self,
        probes: &[u32],
        since: i64,
        until: i64,
    ) -> Result<Vec<Indexed>, StoreError> {
        similar_recent(self.conn(), probes, since, until)
    }

    /// Triages one stored appeal in one transaction: suggests, looks for duplicates and repeats,
    /// stores the suggestion, indexes the appeal, and — as the workspace's `triage.toml` allows —
    /// sets the block when the model is confident and the appeal has none, fills an empty
    /// settlement from the text, raises (never clears) the urgent and conflict flags, and assigns
    /// the routed recipient. Every change is audited with `actor` (use source
    /// [`AUTO_TRIAGE_SOURCE`]); a repeat gets a note «Повторное обращение…».
    pub fn triage_appeal(
        &mut self,
        t: &Triage,
        id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<TriageOutcome, StoreError> {
        let reference = self.reference().clone();
        let tx = self.conn.transaction()?;
        let outcome = triage_in(&tx, &reference, t, id, actor, now)?;
        tx.commit()?;
        self.anchor_head();
        Ok(outcome)
    }

    /// The proposed duplicate groups: each original with the appeals proposed as its duplicates
    /// or marked as repeats of an appeal of the group; newest original first. Without `all`, only
    /// groups with a member not yet linked by an officer and still open.
    pub fn duplicate_groups(&self, all: bool) -> Result<Vec<DuplicateGroup>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT t.appeal_id, COALESCE(t.duplicate_of, t.repeat_of), t.duplicate_score, t.repeat_of \
             FROM triage t WHERE t.duplicate_of IS NOT NULL OR t.repeat_of IS NOT NULL \
             ORDER BY t.appeal_id",
        )?;
        let links: Vec<(i64, i64, Option<f64>, Option<i64>)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        let mut groups: Vec<DuplicateGroup> = Vec::new();
        let mut by_root: HashMap<i64, usize> = HashMap::new();
        for (id, to, score, repeat) in links {
            let root = root_of(self.conn(), to)?;
            let Some(mut m) = self.member(id)? else {
                continue;
            };
            m.score = score.map(|s| s as f32);
            m.repeat_of = repeat;
            m.linked = self.get(id)?.is_some_and(|a| a.duplicate_of == Some(root));
            let gi = match by_root.get(&root) {
                Some(&gi) => gi,
                None => {
                    let Some(original) = self.member(root)? else {
                        continue;
                    };
                    groups.push(DuplicateGroup {
                        original,
                        members: Vec::new(),
                    });
                    by_root.insert(root, groups.len() - 1);
                    groups.len() - 1
                }
            };
            groups[gi].members.push(m);
        }
        if !all {
            let mut open = Vec::new();
            for g in groups {
                let mut pending = false;
                for m in &g.members {
                    if !m.linked && self.get(m.id)?.is_some_and(|a| a.status.is_open()) {
                        pending = true;
                    }
                }
                if pending {
                    open.push(g);
                }
            }
            groups = open;
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.original.received_at));
        Ok(groups)
    }

    fn member(&self, id: i64) -> Result<Option<GroupMember>, StoreError> {
        Ok(self.get(id)?.map(|a| GroupMember {
            id: a.id,
            channel: a.channel.id().to_string(),
            source_id: a.source_id,
            received_at: a.received_at,
            settlement: a.settlement,
            block: a.block,
            text: a.text,
            score: None,
            linked: false,
            repeat_of: None,
        }))
    }
}

/// True for an error of the database as a whole (another writer held it too long, the disk is
/// full or failing, the file is read-only or damaged), as opposed to one appeal's problem.
/// What triaging one appeal writes, decided before anything is written ([`plan`]), so that a
/// failure before [`apply`] leaves nothing behind.
pub(super) struct Plan {
    pub outcome: TriageOutcome,
    old: Appeal,
    new: Appeal,
    notes: Vec<String>,
    /// The appeal as indexed for similarity (with its block after triage), and its keys…
    pub me: Indexed,
    pub keys: Vec<u32>,
    /// …and where it was indexed before, if it was: received, keys.
    before: Option<(i64, Vec<u32>)>,
}

/// The work of [`Store::triage_appeal`] inside the caller's transaction: [`plan`], then
/// [`apply`]. Returns the appeal as indexed, with its keys, for a run's window.
fn triage_in(
    tx: &Transaction<'_>,
    reference: &crate::reference::Reference,
    t: &Triage,
    id: i64,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<TriageOutcome, StoreError> {
    let old = load(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("no appeal {id}")))?;
    may_triage(actor, &old)?;
    let suggested = t.suggest_appeal_signed(&old);
    let mut p = plan(tx, t, old, suggested, None)?;
    apply(tx, reference, actor, now, &mut p)?;
    Ok(p.outcome)
}

/// Refuses an actor whose grants do not cover triaging `a`.
pub(super) fn may_triage(actor: &Actor, a: &Appeal) -> Result<(), StoreError> {
    match &actor.grants {
        Some(g) if !g.may(crate::domain::access::Action::Triage, a) => Err(StoreError::Denied(
            format!("{} may not triage appeal {}", g.login, a.id),
        )),
        _ => Ok(()),
    }
}

/// Decides what triaging `old` changes, from its suggestion and signature
/// ([`Triage::suggest_appeal_signed`]): the duplicate and repeat among the earlier appeals, the
/// fields auto-triage sets. Reads, never writes.
///
/// With `window` (a run over the pending appeals) the duplicate and repeat candidates come from
/// the run's in-memory index instead of SQL queries — the same rows in the same order.
pub(super) fn plan(
    tx: &Transaction<'_>,
    t: &Triage,
    old: Appeal,
    (s, signature): (Suggestion, Signature),
    window: Option<&Window>,
) -> Result<Plan, StoreError> {
    let id = old.id;
    let settings = t.settings();

    // Duplicates and repeats among the earlier appeals.
    let at = old.received_at.timestamp();
    // The source's settlement, else one named in the address, else in the text.
    let from_address = old
        .address
        .as_deref()
        .and_then(|x| t.gazetteer().canonical(x))
        .map(str::to_string);
    let found = from_address.or_else(|| s.settlement.clone());
    let settlement = old
        .settlement
        .as_deref()
        .map(|x| t.gazetteer().canonical(x).unwrap_or(x).to_string())
        .or_else(|| found.clone());
    let me = Indexed {
        id,
        at,
        settlement,
        block: old.block.clone().or_else(|| Some(s.block.clone())),
        author: author_key(old.author.as_deref(), old.contact.as_deref()),
        signature,
    };
    let day = 86_400;
    let probes = t.probe_keys(&me.signature);
    let dup_since = at - settings.duplicates.window_days * day;
    let repeat_since = at - settings.repeats.window_days * day;
    // From the run's window: borrowed, with what the scorer computed for them once; from SQL:
    // read, and computed here.
    let read: Vec<Indexed>;
    let candidates: Vec<(&Indexed, Precomputed)> = match window {
        Some(w) => {
            let mut c = w.similar_recent(
                &probes,
                dup_since,
                at,
                ROWS_PER_KEY as usize,
                MAX_CANDIDATES,
            );
            if let Some(author) = &me.author {
                c.extend(w.same_author_recent(author, repeat_since, at, AUTHOR_ROWS as usize));
            }
            c
        }
        None => {
            let mut c = similar_recent(tx, &probes, dup_since, at)?;
            if let Some(author) = &me.author {
                c.extend(same_author_recent(tx, author, repeat_since, at)?);
            }
            read = c;
            read.iter().map(|c| (c, t.precompute(c))).collect()
        }
    };
    let mut verdict = t.judge_precomputed(&me, &candidates);
    drop(candidates);
    if let Some(d) = &mut verdict.duplicate_of {
        d.id = root_of(tx, d.id)?;
    }

    // What auto-triage sets by itself.
    let mut new = old.clone();
    let mut applied: Vec<&'static str> = Vec::new();
    let imp = &settings.import;
    if imp.set_block && old.block.is_none() && t.confident(&s) {
        new.block = Some(s.block.clone());
        applied.push("block");
    }
    if imp.fill_settlement && old.settlement.is_none() && found.is_some() {
        new.settlement = found;
        applied.push("settlement");
    }
    if imp.raise_urgent && s.urgent && !old.urgent {
        new.urgent = true;
        applied.push("urgent");
    }
    if imp.raise_conflict && s.conflict && !old.conflict {
        new.conflict = true;
        applied.push("conflict");
    }
    if imp.assign_recipient
        && old.responsible.is_none()
        && new.block.is_some()
        && let Some(r) = &s.responsible
    {
        new.responsible = Some(r.clone());
        if new.status == Status::New {
            new.status = Status::Assigned;
        }
        applied.push("responsible");
    }
    let mut notes = Vec::new();
    if let Some(r) = &verdict.repeat_of {
        notes.push(format!(
            "Повторное обращение: ранее №{} того же автора (схожесть {:.2})",
            r.id, r.score
        ));
    }

    let before = tx
        .prepare_cached("SELECT at, stems FROM triage_signatures WHERE appeal_id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .optional()?
        .map(|(at, b)| (at, t.index_keys(&Signature::from_blob(&b))));
    let me = Indexed {
        block: new.block.clone().or(me.block),
        ..me
    };
    let keys = t.index_keys(&me.signature);
    Ok(Plan {
        outcome: TriageOutcome {
            appeal_id: id,
            suggestion: s,
            verdict,
            applied,
        },
        old,
        new,
        notes,
        me,
        keys,
        before,
    })
}

/// Writes what [`plan`] decided: the changed fields (audited), the similarity index, the stored
/// suggestion.
pub(super) fn apply(
    tx: &Transaction<'_>,
    reference: &crate::reference::Reference,
    actor: &Actor,
    now: DateTime<Utc>,
    p: &mut Plan,
) -> Result<(), StoreError> {
    let Plan {
        outcome,
        old,
        new,
        notes,
        me,
        keys,
        before,
    } = p;
    if !outcome.applied.is_empty() || !notes.is_empty() {
        let ctx = SaveCtx {
            reference,
            normalizer: &SearchNormalizer::new(),
            actor,
            now,
            names: None,
        };
        save(tx, &ctx, Some(old), new, notes, None)?;
    }
    index(
        tx,
        me,
        keys,
        before.as_ref().map(|(at, k)| (*at, k.as_slice())),
    )?;

    let s = &outcome.suggestion;
    let verdict = &outcome.verdict;
    let reasons = serde_json::json!({"urgent": s.urgent_reasons, "conflict": s.conflict_reasons});
    tx.prepare_cached(
        "INSERT INTO triage (appeal_id, block, confidence, alternatives, settlement, \
             responsible, urgent, conflict, reasons, duplicate_of, duplicate_score, repeat_of, \
             repeat_score, applied, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
             ?13, ?14, ?15) ON CONFLICT (appeal_id) DO UPDATE SET block = excluded.block, \
             confidence = excluded.confidence, alternatives = excluded.alternatives, \
             settlement = excluded.settlement, responsible = excluded.responsible, \
             urgent = excluded.urgent, conflict = excluded.conflict, reasons = excluded.reasons, \
             duplicate_of = excluded.duplicate_of, duplicate_score = excluded.duplicate_score, \
             repeat_of = excluded.repeat_of, repeat_score = excluded.repeat_score, \
             applied = excluded.applied, at = excluded.at, error = NULL",
    )?
    .execute(params![
        outcome.appeal_id,
        s.block,
        f64::from(s.confidence),
        serde_json::to_string(&s.alternatives).map_err(invalid)?,
        s.settlement,
        s.responsible,
        s.urgent,
        s.conflict,
        reasons.to_string(),
        verdict.duplicate_of.map(|l| l.id),
        verdict.duplicate_of.map(|l| f64::from(l.score)),
        verdict.repeat_of.map(|l| l.id),
        verdict.repeat_of.map(|l| f64::from(l.score)),
        serde_json::to_string(&outcome.applied).map_err(invalid)?,
        now.timestamp(),
    ])?;
    Ok(())
}

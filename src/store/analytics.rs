//! The aggregate queries behind monitoring, ranking, hot topics and geography. Each answers from
//! indexes in one pass; the formulas that turn counts into figures live in `domain::ranking` and
//! `analytics`.

use crate::store::db::{DbResult, Row, Value, params};
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::aggregates::{self, By, EXCLUDED, Level, split};
use super::reading::{GroupAcc, named};
use super::{Store, StoreError, ts_opt};
use crate::domain::ranking::RecipientFacts;
use crate::domain::{Appeal, WorkCalendar};

/// Open appeals of one group (a block or a recipient) at an instant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OpenCounts {
    pub open: u32,
    pub overdue: u32,
    /// Not overdue yet, but due within the next working day.
    pub at_risk: u32,
    /// The earliest answer deadline among the overdue ones.
    pub oldest_overdue_due: Option<DateTime<Utc>>,
}

/// How `facts_by` groups appeals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsGroup {
    Recipient,
    Block,
    All,
}

/// Counts per pair of groups: outer key → inner key → count (`None`: the appeal has none).
pub type PairCounts = BTreeMap<Option<String>, BTreeMap<Option<String>, u32>>;

/// A dimension to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Settlement,
    Channel,
    Block,
    Recipient,
    Category,
}

impl Dimension {
    /// The expression of `appeals a` that gives its key (the name, for settlements and
    /// recipients).
    fn sql(self) -> &'static str {
        match self {
            Dimension::Settlement => "(SELECT name FROM settlements WHERE id = a.settlement_id)",
            Dimension::Recipient => "(SELECT name FROM recipients WHERE id = a.responsible_id)",
            _ => self.column(),
        }
    }

    /// The column of `appeals a` that holds it (settlements and recipients by id).
    fn column(self) -> &'static str {
        match self {
            Dimension::Settlement => "a.settlement_id",
            Dimension::Channel => "a.channel",
            Dimension::Block => "a.block",
            Dimension::Recipient => "a.responsible_id",
            Dimension::Category => "a.category",
        }
    }
}

/// Counts of one group for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupCounts {
    /// The group's key; `None` for appeals without one (no settlement, no block…).
    pub key: Option<String>,
    pub total: u32,
    pub open: u32,
    pub overdue: u32,
    /// overdue / total.
    pub overdue_share: f64,
}

/// First responses of one channel with a first-response deadline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FirstResponseCounts {
    pub channel: String,
    /// Appeals with a first-response deadline (received in the period).
    pub total: u32,
    /// Responded on or before the deadline.
    pub on_time: u32,
    /// Responded after the deadline.
    pub late: u32,
    /// No response yet, and the deadline has passed.
    pub missing_overdue: u32,
}

const WEEK: i64 = 7 * 24 * 3600;

fn add_week(
    out: &mut BTreeMap<Option<String>, Vec<u32>>,
    key: Option<String>,
    week: i64,
    count: i64,
    weeks: usize,
) {
    let v = out.entry(key).or_insert_with(|| vec![0; weeks]);
    if let Some(slot) = usize::try_from(week).ok().and_then(|w| v.get_mut(w)) {
        *slot += u(count);
    }
}

/// A text column borrowed from the row, without a copy.
fn text<'r>(r: &'r Row<'_>, i: usize) -> DbResult<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| crate::store::db::DbError::column(i, e.to_string()))
}

fn u(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

impl Store {
    /// The names by id that `dim`'s column holds ids of (settlements, recipients); `None` for
    /// the dimensions stored as text.
    fn names_by_id(&self, dim: Dimension) -> Result<Option<HashMap<i64, String>>, StoreError> {
        Ok(match dim {
            Dimension::Settlement => Some(self.names_of("settlements")?),
            Dimension::Recipient => Some(self.names_of("recipients")?),
            _ => None,
        })
    }

    /// Open, overdue and at-risk appeals per block (`None` = no block yet) at `now`.
    /// `risk_end` is the end of the "within the next working day" window.
    pub fn open_by_block(
        &self,
        now: DateTime<Utc>,
        risk_end: DateTime<Utc>,
    ) -> Result<BTreeMap<Option<String>, OpenCounts>, StoreError> {
        self.open_by("a.block", now, risk_end)
    }

    /// The same per responsible recipient (`None` = not assigned yet).
    pub fn open_by_recipient(
        &self,
        now: DateTime<Utc>,
        risk_end: DateTime<Utc>,
    ) -> Result<BTreeMap<Option<String>, OpenCounts>, StoreError> {
        let by_id = self.open_by("a.responsible_id", now, risk_end)?;
        let names = self.recipient_names()?;
        Ok(by_id
            .into_iter()
            .map(|(k, v)| (k.and_then(|id| names.get(&id).cloned()), v))
            .collect())
    }

    fn recipient_names(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT CAST(id AS TEXT), name FROM recipients")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Open appeals come from the summary `agg_open`; those not overdue yet (due at or after
    /// `now`, or without a deadline) from the partial index `appeals_open_pending`, so overdue =
    /// open − not yet due; the oldest overdue deadline is one index seek per group.
    fn open_by(
        &self,
        column: &str,
        now: DateTime<Utc>,
        risk_end: DateTime<Utc>,
    ) -> Result<BTreeMap<Option<String>, OpenCounts>, StoreError> {
        let by_block = column == "a.block";
        let mut out: BTreeMap<Option<String>, OpenCounts> = BTreeMap::new();
        {
            let mut st = self
                .conn()
                .prepare_cached("SELECT block, rid, n FROM agg_open WHERE n != 0")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let key = if by_block {
                    let b: String = r.get(0)?;
                    (!b.is_empty()).then_some(b)
                } else {
                    let id: i64 = r.get(1)?;
                    (id != 0).then(|| id.to_string())
                };
                out.entry(key).or_default().open += u(r.get(2)?);
            }
        }
        // Per group, counts over the partial index on (group, answer_due): not overdue yet (due
        // at or after now, or no deadline), at risk (due by risk_end), the earliest deadline.
        let (index, col) = if by_block {
            ("appeals_open_block", "a.block")
        } else {
            ("appeals_open_responsible", "a.responsible_id")
        };
        let figures = |cond: &str| {
            format!(
                "SELECT (SELECT COUNT(*) FROM appeals a INDEXED BY {index} WHERE a.is_open = 1 AND {cond} AND a.answer_due >= ?2), \
                 (SELECT COUNT(*) FROM appeals a INDEXED BY {index} WHERE a.is_open = 1 AND {cond} AND a.answer_due IS NULL), \
                 (SELECT COUNT(*) FROM appeals a INDEXED BY {index} WHERE a.is_open = 1 AND {cond} AND a.answer_due >= ?2 AND a.answer_due <= ?3), \
                 (SELECT MIN(a.answer_due) FROM appeals a INDEXED BY {index} WHERE a.is_open = 1 AND {cond})"
            )
        };
        let some = figures(&format!("{col} = ?1"));
        let none = figures(&format!("{col} IS NULL AND CAST(?1 AS TEXT) IS NULL"));
        let (now_s, risk_s) = (now.timestamp(), risk_end.timestamp());
        for (key, c) in out.iter_mut() {
            let read = |r: &Row<'_>| -> DbResult<(i64, i64, i64, Option<i64>)> {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            };
            let (later, undated, at_risk, min) = match key {
                Some(k) if by_block => self
                    .conn()
                    .prepare_cached(&some)?
                    .query_row(params![k, now_s, risk_s], read)?,
                Some(k) => {
                    let id: i64 = k.parse().unwrap_or(0);
                    self.conn()
                        .prepare_cached(&some)?
                        .query_row(params![id, now_s, risk_s], read)?
                }
                None => self
                    .conn()
                    .prepare_cached(&none)?
                    .query_row(params![Value::Null, now_s, risk_s], read)?,
            };
            c.overdue = c.open.saturating_sub(u(later) + u(undated));
            c.at_risk = u(at_risk);
            c.oldest_overdue_due = min.filter(|d| *d < now_s).and_then(|d| ts_opt(Some(d)));
        }
        out.retain(|_, c| c.open > 0);
        Ok(out)
    }

    /// Appeals received per week, per block, for `weeks` weeks ending at `now` (index 0 = the
    /// oldest week, the last = the seven days up to `now`).
    pub fn weekly_by_block(
        &self,
        now: DateTime<Utc>,
        weeks: usize,
    ) -> Result<BTreeMap<Option<String>, Vec<u32>>, StoreError> {
        self.weekly_by(Dimension::Block, now, weeks, None)
    }

    /// Appeals received per week for `weeks` weeks ending at `now`, grouped by a dimension,
    /// optionally only those whose `within` dimension equals a value.
    pub fn weekly_by(
        &self,
        dim: Dimension,
        now: DateTime<Utc>,
        weeks: usize,
        within: Option<(Dimension, Option<&str>)>,
    ) -> Result<BTreeMap<Option<String>, Vec<u32>>, StoreError> {
        let n = i64::try_from(weeks).unwrap_or(0);
        let start = now.timestamp() - n * WEEK;
        let mut out: BTreeMap<Option<String>, Vec<u32>> = BTreeMap::new();
        if dim == Dimension::Block && within.is_none() && start >= 0 {
            self.weekly_by_block_fast(start, now.timestamp(), weeks, &mut out)?;
        } else {
            self.weekly_raw(
                dim,
                start,
                (start, now.timestamp()),
                weeks,
                within,
                &mut out,
            )?;
        }
        Ok(out)
    }

    /// Per block from the summaries: each week's whole days and hours, and directly the pieces
    /// of hours at the ends of the weeks (when `now` is not on the hour).
    fn weekly_by_block_fast(
        &self,
        start: i64,
        end: i64,
        weeks: usize,
        out: &mut BTreeMap<Option<String>, Vec<u32>>,
    ) -> Result<(), StoreError> {
        for w in 0..weeks {
            let lo = start + w as i64 * WEEK;
            let hi = (lo + WEEK).min(end);
            let parts = split(lo, hi);
            for &(level, b0, b1) in &parts.buckets {
                let sql = format!(
                    "SELECT block, n FROM {} WHERE {c} >= ?1 AND {c} < ?2",
                    level.table(By::Block),
                    c = level.column()
                );
                let mut st = self.conn().prepare_cached(&sql)?;
                let mut rows = st.query(params![b0, b1])?;
                while let Some(r) = rows.next()? {
                    let block = text(&r, 0)?;
                    let n: i64 = r.get(1)?;
                    let key = (!block.is_empty()).then(|| block.to_owned());
                    add_week(out, key, w as i64, n, weeks);
                }
            }
            for range in parts.raw {
                self.weekly_raw(Dimension::Block, start, range, weeks, None, out)?;
            }
        }
        // Blocks whose appeals all moved away leave empty summary rows behind.
        out.retain(|_, v| v.iter().any(|c| *c > 0));
        Ok(())
    }

    /// Counts appeals received in `range` into weeks counted from `start`.
    fn weekly_raw(
        &self,
        dim: Dimension,
        start: i64,
        range: (i64, i64),
        weeks: usize,
        within: Option<(Dimension, Option<&str>)>,
        out: &mut BTreeMap<Option<String>, Vec<u32>>,
    ) -> Result<(), StoreError> {
        // Counted here, not by GROUP BY (see `reading`); settlements and recipients by id.
        let mut sql = format!(
            "SELECT {}, (a.received_at - ?1) / {WEEK} FROM appeals a \
             WHERE a.received_at >= ?2 AND a.received_at < ?3",
            dim.column()
        );
        let names = self.names_by_id(dim)?;
        let mut args = vec![
            Value::Integer(start),
            Value::Integer(range.0),
            Value::Integer(range.1),
        ];
        if let Some((d, v)) = within {
            match v {
                Some(v) => {
                    sql.push_str(&format!(" AND {} = ?4", d.sql()));
                    args.push(Value::Text(v.to_string()));
                }
                None => sql.push_str(&format!(" AND {} IS NULL", d.sql())),
            }
        }
        let mut st = self.conn().prepare_cached(&sql)?;
        let mut rows = st.query(crate::store::db::params_from_iter(args))?;
        let mut counts: HashMap<(Option<String>, i64), i64> = HashMap::new();
        while let Some(r) = rows.next()? {
            let key = match &names {
                Some(names) => named(&r, 0, names)?,
                None => r.get(0)?,
            };
            *counts.entry((key, r.get(1)?)).or_default() += 1;
        }
        for ((key, week), count) in counts {
            add_week(out, key, week, count, weeks);
        }
        Ok(())
    }

    /// The ranking facts of every recipient for appeals received in `[from, to)`, judged at `now`.
    /// First-response times are measured in working hours over `calendar`.
    pub fn ranking_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<Vec<RecipientFacts>, StoreError> {
        let names = self.recipient_names()?;
        Ok(self
            .facts_by(FactsGroup::Recipient, from, to, now, calendar)?
            .into_iter()
            .filter_map(|(k, mut f)| {
                f.recipient = names.get(&k?)?.clone();
                Some(f)
            })
            .collect())
    }

    /// The same facts (volume, answered, on time, open overdue, grades, ratings, first-response
    /// times) grouped by recipient id, by block, or for everything (key `None`). Rejected,
    /// duplicate and redirected appeals are left out; by recipient, only assigned appeals count.
    /// By recipient, the whole days and hours of the period come from the summaries (open
    /// overdue = open − not yet due), and the first-response times and the open appeals not due
    /// yet from indexes, remembered per day while its appeals do not change (`ChunkCache`).
    pub fn facts_by(
        &self,
        group: FactsGroup,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        _calendar: &WorkCalendar,
    ) -> Result<BTreeMap<Option<String>, RecipientFacts>, StoreError> {
        let (lo, hi, now) = (from.timestamp(), to.timestamp(), now.timestamp());
        if group != FactsGroup::Recipient {
            return self.facts_raw(group, lo, hi, now);
        }
        let parts = split(lo, hi);
        let mut facts = self.facts_summary(&parts.buckets, now)?;
        for (a, b) in parts.raw {
            for (k, f) in self.facts_raw(group, a, b, now)? {
                merge(facts.entry(k).or_default(), f);
            }
        }
        facts.retain(|_, f| f.volume > 0);
        Ok(facts)
    }

    /// Recipient facts of runs of whole buckets from the summaries and the remembered chunks.
    fn facts_summary(
        &self,
        buckets: &[(Level, i64, i64)],
        now: i64,
    ) -> Result<BTreeMap<Option<String>, RecipientFacts>, StoreError> {
        // Summed here, not by GROUP BY: an SQL sorter over the rows costs more than reading them.
        let mut sums: BTreeMap<i64, [i64; 8]> = BTreeMap::new();
        // The runs whose appeals are read (a day each, or a run of hours), with their `touched`.
        let mut chunks: Vec<((i64, i64), i64)> = Vec::new();
        for &(level, b0, b1) in buckets {
            let sql = format!(
                "SELECT {c}, rid, volume, answered, on_time, open, graded, substantive, rated, \
                 good, touched FROM {} WHERE {c} >= ?1 AND {c} < ?2 ORDER BY {c}",
                level.table(By::Recipient),
                c = level.column()
            );
            let mut st = self.conn().prepare_cached(&sql)?;
            let mut rows = st.query(params![b0, b1])?;
            // Days one by one; a run of hours as one. Rows in bucket order: SQLite's primary-key
            // order costs no sort, and PostgreSQL (whose heap has no order) must be told.
            let mut current: Option<((i64, i64), i64)> = None;
            while let Some(r) = rows.next()? {
                let bucket: i64 = r.get(0)?;
                let range = match level {
                    Level::Day => level.seconds(bucket, bucket + 1),
                    Level::Hour => level.seconds(b0, b1),
                };
                let touched: i64 = r.get(10)?;
                match &mut current {
                    Some((at, t)) if *at == range => *t += touched,
                    _ => chunks.extend(current.replace((range, touched))),
                }
                let rid: i64 = r.get(1)?;
                if rid == 0 {
                    continue;
                }
                let sum = sums.entry(rid).or_default();
                for (i, x) in sum.iter_mut().enumerate() {
                    *x += r.get::<_, i64>(i + 2)?;
                }
            }
            chunks.extend(current);
        }
        // By recipient id while the chunks are applied; keyed as `facts_by` answers at the end.
        let mut by_id: BTreeMap<i64, RecipientFacts> = sums
            .into_iter()
            .map(|(rid, v)| {
                let f = RecipientFacts {
                    recipient: String::new(),
                    volume: u(v[0]),
                    answered: u(v[1]),
                    on_time: u(v[2]),
                    // For now the open ones; the not yet due are taken off below.
                    open_overdue: u(v[3]),
                    graded: u(v[4]),
                    substantive: u(v[5]),
                    rated: u(v[6]),
                    good: u(v[7]),
                    first_response_wh: Vec::new(),
                };
                (rid, f)
            })
            .collect();
        for chunk in self.chunks(&chunks, now)? {
            if let Some(p) = &chunk.pending {
                for (rid, n) in p.counts.iter() {
                    if let Some(f) = by_id.get_mut(rid) {
                        f.open_overdue = f.open_overdue.saturating_sub(*n);
                    }
                }
            }
            if let Some(times) = &chunk.times {
                for (rid, v) in times.iter() {
                    if let Some(f) = by_id.get_mut(rid) {
                        f.first_response_wh.extend_from_slice(v);
                    }
                }
            }
        }
        Ok(by_id
            .into_iter()
            .map(|(rid, f)| (Some(rid.to_string()), f))
            .collect())
    }

    /// For each run `(range, touched)`: the first-response times and the open appeals not due
    /// yet at `now` of the appeals received in `range`, from the cache when nothing there changed
    /// (and, for the second, while `now` stays within what was counted). What the cache lacks is
    /// read with one query per stretch of adjacent runs, not one per run: on PostgreSQL each
    /// query is a round trip, and a month has some thirty days.
    fn chunks(
        &self,
        runs: &[((i64, i64), i64)],
        now: i64,
    ) -> Result<Vec<aggregates::Chunk>, StoreError> {
        let mut out: Vec<aggregates::Chunk> = runs
            .iter()
            .map(|&(range, touched)| {
                self.chunks
                    .borrow()
                    .get(range, touched)
                    .cloned()
                    .unwrap_or(aggregates::Chunk {
                        touched,
                        ..Default::default()
                    })
            })
            .collect();
        let ranges: Vec<(i64, i64)> = runs.iter().map(|r| r.0).collect();
        // The runs to read, in the order of their instants (the runs do not overlap).
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by_key(|&i| ranges[i]);
        let no_times: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| out[i].times.is_none())
            .collect();
        let no_pending: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| {
                !out[i]
                    .pending
                    .as_ref()
                    .is_some_and(|p| p.at <= now && now <= p.until)
            })
            .collect();

        let mut times: Vec<aggregates::Times> = vec![BTreeMap::new(); out.len()];
        let sql = format!(
            "SELECT a.received_at, a.responsible_id, a.first_response_ws FROM appeals a \
             INDEXED BY appeals_first_response WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             AND a.first_response_ws IS NOT NULL AND a.responsible_id IS NOT NULL \
             AND a.status NOT IN {EXCLUDED}"
        );
        for (lo, hi) in stretches(&ranges, &no_times) {
            let mut st = self.conn().prepare_cached(&sql)?;
            let mut rows = st.query(params![lo, hi])?;
            while let Some(r) = rows.next()? {
                if let Some(i) = run_of(&ranges, &no_times, r.get(0)?) {
                    let ws: i64 = r.get(2)?;
                    times[i]
                        .entry(r.get(1)?)
                        .or_default()
                        .push(ws as f64 / 3600.0);
                }
            }
        }
        for &i in &no_times {
            out[i].times = Some(std::rc::Rc::new(std::mem::take(&mut times[i])));
        }

        let mut pending: Vec<(BTreeMap<i64, u32>, i64)> =
            vec![(BTreeMap::new(), i64::MAX); out.len()];
        for (lo, hi) in stretches(&ranges, &no_pending) {
            let mut st = self.conn().prepare_cached(
                "SELECT a.received_at, a.responsible_id, a.answer_due FROM appeals a \
                 INDEXED BY appeals_open_pending WHERE a.is_open = 1 \
                 AND a.received_at >= ?1 AND a.received_at < ?2 AND a.responsible_id IS NOT NULL",
            )?;
            let mut rows = st.query(params![lo, hi])?;
            while let Some(r) = rows.next()? {
                let Some(i) = run_of(&ranges, &no_pending, r.get(0)?) else {
                    continue;
                };
                let (counts, until) = &mut pending[i];
                let due: Option<i64> = r.get(2)?;
                if let Some(d) = due {
                    if d < now {
                        continue;
                    }
                    *until = (*until).min(d);
                }
                *counts.entry(r.get(1)?).or_default() += 1;
            }
        }
        for &i in &no_pending {
            let (counts, until) = std::mem::take(&mut pending[i]);
            out[i].pending = Some(aggregates::Pending {
                at: now,
                until,
                counts: std::rc::Rc::new(counts),
            });
        }

        let mut cache = self.chunks.borrow_mut();
        let mut changed: Vec<usize> = no_times.into_iter().chain(no_pending).collect();
        changed.sort_unstable();
        changed.dedup();
        for i in changed {
            cache.put(ranges[i], out[i].clone());
        }
        Ok(out)
    }

    /// The facts of `[lo, hi)` computed directly from `appeals`.
    fn facts_raw(
        &self,
        group: FactsGroup,
        lo: i64,
        hi: i64,
        now: i64,
    ) -> Result<BTreeMap<Option<String>, RecipientFacts>, StoreError> {
        let (key, only_assigned) = match group {
            FactsGroup::Recipient => (
                "CAST(a.responsible_id AS TEXT)",
                " AND a.responsible_id IS NOT NULL",
            ),
            FactsGroup::Block => ("a.block", ""),
            FactsGroup::All => ("NULL", ""),
        };
        // Summed here, not by GROUP BY: SQLite would sort the period's rows for it.
        let sql = format!(
            "SELECT {key}, \
             CASE WHEN {answered} THEN 1 ELSE 0 END, \
             CASE WHEN {answered} AND a.answer_due IS NOT NULL AND a.answered_at <= a.answer_due THEN 1 ELSE 0 END, \
             CASE WHEN a.is_open = 1 AND a.answer_due < ?3 THEN 1 ELSE 0 END, \
             CASE WHEN a.quality IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN a.quality = 'substantive' THEN 1 ELSE 0 END, \
             CASE WHEN a.rating IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN a.rating >= 4 THEN 1 ELSE 0 END, \
             a.first_response_ws \
             FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2{only_assigned} \
             AND a.status NOT IN {EXCLUDED}",
            answered = aggregates::answered("a")
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let mut rows = st.query(params![lo, hi, now])?;
        let mut facts: BTreeMap<Option<String>, RecipientFacts> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let f = facts.entry(r.get::<_, Option<String>>(0)?).or_default();
            f.volume += 1;
            f.answered += u(r.get(1)?);
            f.on_time += u(r.get(2)?);
            f.open_overdue += u(r.get(3)?);
            f.graded += u(r.get(4)?);
            f.substantive += u(r.get(5)?);
            f.rated += u(r.get(6)?);
            f.good += u(r.get(7)?);
            if let Some(ws) = r.get::<_, Option<i64>>(8)? {
                f.first_response_wh.push(ws as f64 / 3600.0);
            }
        }
        Ok(facts)
    }

    /// Counts per group for appeals received in `[from, to)`, overdue judged at `now`; the
    /// largest groups first, ties by the key.
    pub fn counts_by(
        &self,
        dim: Dimension,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<GroupCounts>, StoreError> {
        // Grouped here, not by GROUP BY (see `reading`).
        let sql = format!(
            "SELECT {}, a.is_open, CASE WHEN a.is_open = 1 AND a.answer_due < ?3 THEN 1 ELSE 0 END \
             FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2",
            dim.column()
        );
        let names = self.names_by_id(dim)?;
        let mut st = self.conn().prepare_cached(&sql)?;
        let mut rows = st.query(params![
            from.map_or(i64::MIN, |t| t.timestamp()),
            to.map_or(i64::MAX, |t| t.timestamp()),
            now.timestamp()
        ])?;
        let mut by = GroupAcc::default();
        while let Some(r) = rows.next()? {
            let key = match &names {
                Some(names) => named(&r, 0, names)?,
                None => r.get(0)?,
            };
            by.add(key, r.get(1)?, r.get(2)?);
        }
        Ok(by.finish())
    }

    /// First-response timeliness per channel, for appeals received in `[from, to)` that have a
    /// first-response deadline, judged at `now`. The whole days and hours come from the summaries
    /// (missing and overdue = pending − pending not yet due, from a partial index).
    pub fn first_response_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<FirstResponseCounts>, StoreError> {
        let now = now.timestamp();
        let parts = split(from.timestamp(), to.timestamp());
        let mut by: BTreeMap<String, FirstResponseCounts> = BTreeMap::new();
        for &(level, b0, b1) in &parts.buckets {
            // Summed here rather than by GROUP BY (see `facts_summary`).
            let sql = format!(
                "SELECT channel, total, on_time, late, pending FROM {} WHERE {c} >= ?1 AND {c} < ?2",
                level.table(By::Channel),
                c = level.column()
            );
            let mut st = self.conn().prepare_cached(&sql)?;
            let mut rows = st.query(params![b0, b1])?;
            while let Some(r) = rows.next()? {
                let channel = text(&r, 0)?;
                let c = match by.get_mut(channel) {
                    Some(c) => c,
                    None => by
                        .entry(channel.to_owned())
                        .or_insert_with(|| FirstResponseCounts {
                            channel: channel.to_owned(),
                            ..Default::default()
                        }),
                };
                c.total += u(r.get(1)?);
                c.on_time += u(r.get(2)?);
                c.late += u(r.get(3)?);
                c.missing_overdue += u(r.get(4)?);
            }
            let (lo, hi) = level.seconds(b0, b1);
            let sql = format!(
                "SELECT a.channel FROM appeals a INDEXED BY appeals_fr_pending \
                 WHERE a.first_response_at IS NULL \
                 AND a.first_response_due IS NOT NULL AND a.status NOT IN {EXCLUDED} \
                 AND a.first_response_due >= ?3 AND a.received_at >= ?1 AND a.received_at < ?2"
            );
            let mut st = self.conn().prepare_cached(&sql)?;
            let mut rows = st.query(params![lo, hi, now])?;
            while let Some(r) = rows.next()? {
                if let Some(c) = by.get_mut(text(&r, 0)?) {
                    c.missing_overdue = c.missing_overdue.saturating_sub(1);
                }
            }
        }
        for (lo, hi) in parts.raw {
            for c in self.first_response_raw(lo, hi, now)? {
                let e = by
                    .entry(c.channel.clone())
                    .or_insert_with(|| FirstResponseCounts {
                        channel: c.channel.clone(),
                        ..Default::default()
                    });
                e.total += c.total;
                e.on_time += c.on_time;
                e.late += c.late;
                e.missing_overdue += c.missing_overdue;
            }
        }
        Ok(by.into_values().filter(|c| c.total > 0).collect())
    }

    /// The same directly from `appeals`, for `[lo, hi)`.
    fn first_response_raw(
        &self,
        lo: i64,
        hi: i64,
        now: i64,
    ) -> Result<Vec<FirstResponseCounts>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT a.channel, COUNT(*), \
             COALESCE(SUM(CASE WHEN a.first_response_at IS NOT NULL AND a.first_response_at <= a.first_response_due THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN a.first_response_at IS NOT NULL AND a.first_response_at > a.first_response_due THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN a.first_response_at IS NULL AND a.first_response_due < ?3 \
                 AND a.status NOT IN ('rejected', 'duplicate', 'redirected') THEN 1 ELSE 0 END), 0) \
             FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             AND a.first_response_due IS NOT NULL GROUP BY a.channel ORDER BY a.channel",
        )?;
        let rows = st.query_map(params![lo, hi, now], |r| {
            Ok(FirstResponseCounts {
                channel: r.get(0)?,
                total: u(r.get(1)?),
                on_time: u(r.get(2)?),
                late: u(r.get(3)?),
                missing_overdue: u(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Appeals received in `[from, to)` (newest first) that were flagged conflict, reopened, or
    /// answered formally — the communication problems of the period.
    pub fn conflicts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appeal>, StoreError> {
        self.received_where(
            from,
            to,
            "AND (a.conflict = 1 OR a.reopen_count > 0 OR a.quality = 'formal') \
             ORDER BY a.received_at DESC, a.id DESC",
        )
    }

    /// The texts of at most `limit` appeals of a block (`None`: no block) received in `[from,
    /// to)`, newest first — what the note's most frequent words are counted over.
    pub fn texts_of_block(
        &self,
        block: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let cond = if block.is_some() {
            "a.block = ?3"
        } else {
            "a.block IS NULL AND CAST(?3 AS TEXT) IS NULL"
        };
        let sql = format!(
            "SELECT a.text FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             AND {cond} ORDER BY a.received_at DESC LIMIT ?4"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(
            params![
                from.timestamp(),
                to.timestamp(),
                block,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every appeal received in `[from, to)`, for direct computations and explanations.
    pub fn received_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appeal>, StoreError> {
        self.received_where(from, to, "ORDER BY a.received_at, a.id")
    }

    /// Appeals received in `[from, to)`, with more conditions and the order in `rest`.
    fn received_where(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        rest: &str,
    ) -> Result<Vec<Appeal>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE a.received_at >= ?1 AND a.received_at < ?2 {rest}",
            super::appeals::APPEAL_COLUMNS,
            super::appeals::APPEAL_FROM
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(
            params![from.timestamp(), to.timestamp()],
            super::appeals::appeal_from_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Working hours from receipt to the first response; `None` when the calendar cannot tell.
pub fn first_response_wh(
    calendar: &WorkCalendar,
    received: DateTime<Utc>,
    first: DateTime<Utc>,
) -> Option<f64> {
    calendar
        .working_seconds_between(received, first)
        .ok()
        .map(|s| s.max(0) as f64 / 3600.0)
}

/// Adds the facts of another part of a period.
fn merge(into: &mut RecipientFacts, f: RecipientFacts) {
    into.add_part(&f);
}

/// The stretches `[lo, hi)` that cover the runs `which` (indexes into `ranges`, in the order of
/// their instants), adjacent runs joined into one.
fn stretches(ranges: &[(i64, i64)], which: &[usize]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &i in which {
        let (lo, hi) = ranges[i];
        match out.last_mut() {
            Some(last) if last.1 == lo => last.1 = hi,
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Which of the runs `which` holds the instant `at`, if any.
fn run_of(ranges: &[(i64, i64)], which: &[usize], at: i64) -> Option<usize> {
    let k = which.partition_point(|&i| ranges[i].1 <= at);
    which
        .get(k)
        .copied()
        .filter(|&i| ranges[i].0 <= at && at < ranges[i].1)
}

#[cfg(test)]
mod stretch_tests {
    use super::{run_of, stretches};

    #[test]
    fn adjacent_runs_are_read_as_one_stretch_and_each_instant_finds_its_run() {
        // Three days, then two hours of the next, then a day after a gap.
        let ranges = [(0, 10), (10, 20), (20, 30), (30, 32), (50, 60)];
        assert_eq!(
            stretches(&ranges, &[0, 1, 2, 3, 4]),
            vec![(0, 32), (50, 60)]
        );
        assert_eq!(
            stretches(&ranges, &[0, 2, 4]),
            vec![(0, 10), (20, 30), (50, 60)]
        );
        assert_eq!(stretches(&ranges, &[]), vec![]);
        let which = [0, 2, 3];
        assert_eq!(run_of(&ranges, &which, 0), Some(0));
        assert_eq!(run_of(&ranges, &which, 9), Some(0));
        // In a run not asked for, in a gap, or past the end: none.
        assert_eq!(run_of(&ranges, &which, 10), None);
        assert_eq!(run_of(&ranges, &which, 19), None);
        assert_eq!(run_of(&ranges, &which, 20), Some(2));
        assert_eq!(run_of(&ranges, &which, 31), Some(3));
        assert_eq!(run_of(&ranges, &which, 32), None);
        assert_eq!(run_of(&ranges, &which, 55), None);
        assert_eq!(run_of(&ranges, &which, -1), None);
    }
}

//! The aggregate queries behind monitoring, ranking, hot topics and geography. Each answers from
//! indexes in one pass; the formulas that turn counts into figures live in `domain::ranking` and
//! `analytics`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use rusqlite::types::Value;
use serde::Serialize;

use super::{Store, StoreError, ts, ts_opt};
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
    fn sql(self) -> &'static str {
        match self {
            Dimension::Settlement => "(SELECT name FROM settlements WHERE id = a.settlement_id)",
            Dimension::Channel => "a.channel",
            Dimension::Block => "a.block",
            Dimension::Recipient => "(SELECT name FROM recipients WHERE id = a.responsible_id)",
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

fn u(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

impl Store {
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

    fn open_by(
        &self,
        column: &str,
        now: DateTime<Utc>,
        risk_end: DateTime<Utc>,
    ) -> Result<BTreeMap<Option<String>, OpenCounts>, StoreError> {
        let sql = format!(
            "SELECT CAST({column} AS TEXT), COUNT(*), \
             COALESCE(SUM(a.answer_due < ?1), 0), \
             COALESCE(SUM(a.answer_due >= ?1 AND a.answer_due <= ?2), 0), \
             MIN(CASE WHEN a.answer_due < ?1 THEN a.answer_due END) \
             FROM appeals a WHERE a.is_open = 1 GROUP BY {column}"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params![now.timestamp(), risk_end.timestamp()], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                OpenCounts {
                    open: u(r.get(1)?),
                    overdue: u(r.get(2)?),
                    at_risk: u(r.get(3)?),
                    oldest_overdue_due: ts_opt(r.get(4)?),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
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
        const WEEK: i64 = 7 * 24 * 3600;
        let n = i64::try_from(weeks).unwrap_or(0);
        let start = now.timestamp() - n * WEEK;
        let mut sql = format!(
            "SELECT {}, (a.received_at - ?1) / {WEEK}, COUNT(*) FROM appeals a \
             WHERE a.received_at >= ?1 AND a.received_at < ?2",
            dim.sql()
        );
        let mut args = vec![Value::Integer(start), Value::Integer(now.timestamp())];
        if let Some((d, v)) = within {
            match v {
                Some(v) => {
                    sql.push_str(&format!(" AND {} = ?3", d.sql()));
                    args.push(Value::Text(v.to_string()));
                }
                None => sql.push_str(&format!(" AND {} IS NULL", d.sql())),
            }
        }
        sql.push_str(" GROUP BY 1, 2");
        let mut st = self.conn().prepare_cached(&sql)?;
        let mut rows = st.query(rusqlite::params_from_iter(args))?;
        let mut out: BTreeMap<Option<String>, Vec<u32>> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let key: Option<String> = r.get(0)?;
            let week: i64 = r.get(1)?;
            let count: i64 = r.get(2)?;
            let v = out.entry(key).or_insert_with(|| vec![0; weeks]);
            if let Some(slot) = usize::try_from(week).ok().and_then(|w| v.get_mut(w)) {
                *slot += u(count);
            }
        }
        Ok(out)
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
    pub fn facts_by(
        &self,
        group: FactsGroup,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Result<BTreeMap<Option<String>, RecipientFacts>, StoreError> {
        let (key, only_assigned) = match group {
            FactsGroup::Recipient => (
                "CAST(a.responsible_id AS TEXT)",
                " AND a.responsible_id IS NOT NULL",
            ),
            FactsGroup::Block => ("a.block", ""),
            FactsGroup::All => ("NULL", ""),
        };
        let sql = format!(
            "SELECT {key}, COUNT(*), \
             COALESCE(SUM(a.answered_at IS NOT NULL), 0), \
             COALESCE(SUM(a.answered_at IS NOT NULL AND a.answer_due IS NOT NULL AND a.answered_at <= a.answer_due), 0), \
             COALESCE(SUM(a.is_open = 1 AND a.answer_due < ?3), 0), \
             COALESCE(SUM(a.quality IS NOT NULL), 0), COALESCE(SUM(a.quality = 'substantive'), 0), \
             COALESCE(SUM(a.rating IS NOT NULL), 0), COALESCE(SUM(a.rating >= 4), 0) \
             FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2{only_assigned} \
             AND a.status NOT IN ('rejected', 'duplicate', 'redirected') GROUP BY 1"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(
            params![from.timestamp(), to.timestamp(), now.timestamp()],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    RecipientFacts {
                        recipient: String::new(),
                        volume: u(r.get(1)?),
                        answered: u(r.get(2)?),
                        on_time: u(r.get(3)?),
                        open_overdue: u(r.get(4)?),
                        graded: u(r.get(5)?),
                        substantive: u(r.get(6)?),
                        rated: u(r.get(7)?),
                        good: u(r.get(8)?),
                        first_response_wh: Vec::new(),
                    },
                ))
            },
        )?;
        let mut facts: BTreeMap<Option<String>, RecipientFacts> = rows.collect::<Result<_, _>>()?;

        let sql = format!(
            "SELECT {key}, a.received_at, a.first_response_at FROM appeals a \
             WHERE a.received_at >= ?1 AND a.received_at < ?2{only_assigned} \
             AND a.first_response_at IS NOT NULL \
             AND a.status NOT IN ('rejected', 'duplicate', 'redirected')"
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let mut rows = st.query(params![from.timestamp(), to.timestamp()])?;
        while let Some(r) = rows.next()? {
            let k: Option<String> = r.get(0)?;
            let (received, first) = (ts(r.get(1)?), ts(r.get(2)?));
            if let Some(f) = facts.get_mut(&k)
                && let Some(wh) = first_response_wh(calendar, received, first)
            {
                f.first_response_wh.push(wh);
            }
        }
        Ok(facts)
    }

    /// Counts per group for appeals received in `[from, to)`, overdue judged at `now`.
    pub fn counts_by(
        &self,
        dim: Dimension,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<GroupCounts>, StoreError> {
        let sql = format!(
            "SELECT {} AS k, COUNT(*), COALESCE(SUM(a.is_open), 0), COALESCE(SUM(a.is_open = 1 AND a.answer_due < ?3), 0) \
             FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             GROUP BY k ORDER BY COUNT(*) DESC, k",
            dim.sql()
        );
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(
            params![
                from.map_or(i64::MIN, |t| t.timestamp()),
                to.map_or(i64::MAX, |t| t.timestamp()),
                now.timestamp()
            ],
            |r| {
                let total = u(r.get(1)?);
                let overdue = u(r.get(3)?);
                Ok(GroupCounts {
                    key: r.get(0)?,
                    total,
                    open: u(r.get(2)?),
                    overdue,
                    overdue_share: if total > 0 {
                        f64::from(overdue) / f64::from(total)
                    } else {
                        0.0
                    },
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// First-response timeliness per channel, for appeals received in `[from, to)` that have a
    /// first-response deadline, judged at `now`.
    pub fn first_response_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<FirstResponseCounts>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT a.channel, COUNT(*), \
             COALESCE(SUM(a.first_response_at IS NOT NULL AND a.first_response_at <= a.first_response_due), 0), \
             COALESCE(SUM(a.first_response_at IS NOT NULL AND a.first_response_at > a.first_response_due), 0), \
             COALESCE(SUM(a.first_response_at IS NULL AND a.first_response_due < ?3 \
                 AND a.status NOT IN ('rejected', 'duplicate', 'redirected')), 0) \
             FROM appeals a WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             AND a.first_response_due IS NOT NULL GROUP BY a.channel ORDER BY a.channel",
        )?;
        let rows = st.query_map(
            params![from.timestamp(), to.timestamp(), now.timestamp()],
            |r| {
                Ok(FirstResponseCounts {
                    channel: r.get(0)?,
                    total: u(r.get(1)?),
                    on_time: u(r.get(2)?),
                    late: u(r.get(3)?),
                    missing_overdue: u(r.get(4)?),
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Appeals received in `[from, to)` (newest first) that were flagged conflict, reopened, or
    /// answered formally — the communication problems of the period.
    pub fn conflicts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appeal>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             AND (a.conflict = 1 OR a.reopen_count > 0 OR a.quality = 'formal') \
             ORDER BY a.received_at DESC, a.id DESC",
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

    /// Every appeal received in `[from, to)`, for direct computations and explanations.
    pub fn received_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appeal>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE a.received_at >= ?1 AND a.received_at < ?2 \
             ORDER BY a.received_at, a.id",
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

//! One reading of a period's appeals for several figures at once.
//!
//! A month of a large workspace is a hundred thousand rows spread over the table's pages, and
//! reading them dominates every period figure: the note needs the counts by channel, block and
//! status, by settlement, and every block's categories, settlements and recipients. Read one
//! by one, each is a pass over the same pages; [`Store::read_period`] gathers them in one pass.
//! `mcu stats` and `mcu stats --by …` run the same accumulators, so their figures are the
//! note's by construction.
//!
//! Rows are grouped here rather than by `GROUP BY`: SQLite sorts the period's rows for a
//! `GROUP BY` without a matching index, which costs more than reading them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::analytics::{GroupCounts, PairCounts};
use super::db::{DbResult, Row, Value, params_from_iter};
use super::query::{ListFilter, Stats};
use super::{Store, StoreError};

/// What a reading gathers besides the [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Want {
    /// Counts by settlement (`mcu stats --by settlement`).
    pub settlements: bool,
    /// Every block's categories, settlements and recipients.
    pub block_parts: bool,
}

/// Every block's breakdowns: block → part → count (`None`: the appeal has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockParts {
    pub categories: PairCounts,
    pub settlements: PairCounts,
    pub recipients: PairCounts,
}

/// The figures of one reading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodReading {
    pub stats: Stats,
    /// Largest first (empty unless wanted).
    pub settlements: Vec<GroupCounts>,
    /// Empty unless wanted.
    pub block_parts: BlockParts,
}

impl Store {
    /// Reads the appeals matching `filter` once, overdue judged at `now`, into the stats and
    /// what else is wanted.
    pub fn read_period(
        &self,
        filter: &ListFilter,
        now: DateTime<Utc>,
        want: Want,
    ) -> Result<PeriodReading, StoreError> {
        let mut sql = format!(
            "SELECT a.channel, COALESCE(a.block, 'unassigned'), a.status, a.is_open, \
             {OVERDUE}, a.block, a.category, a.settlement_id, a.responsible_id FROM appeals a"
        );
        let mut args = vec![Value::Integer(now.timestamp())];
        filter.conditions(self.conn().engine(), &mut sql, &mut args);
        let (places, people) = (self.names_of("settlements")?, self.names_of("recipients")?);
        let mut st = self.conn().prepare(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        let mut stats = StatsAcc::default();
        let mut settlements = GroupAcc::default();
        let (mut cats, mut setts, mut recs) =
            (PairAcc::default(), PairAcc::default(), PairAcc::default());
        while let Some(r) = rows.next()? {
            let (open, overdue) = (r.get::<_, i64>(3)?, r.get::<_, i64>(4)?);
            stats.add(r.get(0)?, r.get(1)?, r.get(2)?, open, overdue);
            if want.settlements {
                settlements.add(named(&r, 7, &places)?, open, overdue);
            }
            if want.block_parts {
                let block: Option<String> = r.get(5)?;
                let place = named(&r, 7, &places)?;
                cats.add(block.clone(), r.get(6)?);
                recs.add(block.clone(), named(&r, 8, &people)?);
                setts.add(block, place);
            }
        }
        Ok(PeriodReading {
            stats: stats.finish(),
            settlements: settlements.finish(),
            block_parts: BlockParts {
                categories: cats.finish(),
                settlements: setts.finish(),
                recipients: recs.finish(),
            },
        })
    }

    /// Names by id of a small reference table (settlements, recipients): read once, rather
    /// than looked up for every appeal.
    pub(super) fn names_of(&self, table: &str) -> Result<HashMap<i64, String>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(&format!("SELECT id, name FROM {table}"))?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Open and past its answer deadline at the first parameter: 1 or 0.
const OVERDUE: &str = "CASE WHEN a.is_open = 1 AND a.answer_due < ? THEN 1 ELSE 0 END";

/// The name of the id in column `i` (`None`: no id, or an id without a name).
pub(super) fn named(
    r: &Row<'_>,
    i: usize,
    names: &HashMap<i64, String>,
) -> DbResult<Option<String>> {
    Ok(r.get::<_, Option<i64>>(i)?
        .and_then(|id| names.get(&id).cloned()))
}

/// Counts by channel, block and status.
#[derive(Default)]
struct StatsAcc(HashMap<(String, String, String), [i64; 3]>);

impl StatsAcc {
    fn add(&mut self, channel: String, block: String, status: String, open: i64, overdue: i64) {
        let g = self.0.entry((channel, block, status)).or_default();
        g[0] += 1;
        g[1] += open;
        g[2] += overdue;
    }

    fn finish(self) -> Stats {
        let mut s = Stats::default();
        for ((ch, block, status), [n, open, overdue]) in self.0 {
            s.total += n;
            *s.by_channel.entry(ch).or_default() += n;
            *s.by_block.entry(block.clone()).or_default() += n;
            *s.by_status.entry(status).or_default() += n;
            s.open += open;
            s.overdue += overdue;
            if overdue > 0 {
                *s.overdue_by_block.entry(block).or_default() += overdue;
            }
        }
        s
    }
}

/// Counts per group of one dimension: total, open, overdue.
#[derive(Default)]
pub(super) struct GroupAcc(HashMap<Option<String>, [u32; 3]>);

impl GroupAcc {
    pub(super) fn add(&mut self, key: Option<String>, open: i64, overdue: i64) {
        let c = self.0.entry(key).or_default();
        c[0] += 1;
        c[1] += u32::try_from(open).unwrap_or(0);
        c[2] += u32::try_from(overdue).unwrap_or(0);
    }

    /// The largest groups first, ties by the key.
    pub(super) fn finish(self) -> Vec<GroupCounts> {
        let mut out: Vec<GroupCounts> = self
            .0
            .into_iter()
            .map(|(key, [total, open, overdue])| GroupCounts {
                key,
                total,
                open,
                overdue,
                overdue_share: if total > 0 {
                    f64::from(overdue) / f64::from(total)
                } else {
                    0.0
                },
            })
            .collect();
        out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
        out
    }
}

/// Counts per pair of keys.
#[derive(Default)]
struct PairAcc(HashMap<(Option<String>, Option<String>), u32>);

impl PairAcc {
    fn add(&mut self, outer: Option<String>, inner: Option<String>) {
        *self.0.entry((outer, inner)).or_default() += 1;
    }

    fn finish(self) -> PairCounts {
        let mut out = PairCounts::new();
        for ((a, b), n) in self.0 {
            *out.entry(a).or_default().entry(b).or_default() += n;
        }
        out
    }
}

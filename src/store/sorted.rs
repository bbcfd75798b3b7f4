//! Listing appeals in an order the officer chose — by deadline, received time, block or
//! recipient — still by keyset, never OFFSET, so the last page of a million appeals is as quick
//! as the first.
//!
//! An order is a run of *segments*. Each is a plain indexed condition with a uniform key order:
//! by deadline, the appeals with a deadline (`answer_due, received_at, id` ascending, over the
//! index `appeals_due_received`), then those without (newest first); by block, one segment per
//! block present (in the reference's order, then unknown ids, then «без блока»), newest first in
//! each over `appeals_block`; by recipient, one per recipient by name, then «не назначено», over
//! `appeals_responsible`. A page walks the segments from the row it starts after.

use crate::store::db::{Engine, Value, params_from_iter};
use serde::{Deserialize, Serialize};

use super::appeals::{APPEAL_COLUMNS, APPEAL_FROM, appeal_from_row};
use super::{ListFilter, Store, StoreError};
use crate::domain::Appeal;

/// How a list of appeals is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first.
    #[default]
    Received,
    /// The nearest answer deadline first; appeals without one last.
    Deadline,
    /// By thematic block, newest first in each; «без блока» last.
    Block,
    /// By responsible recipient's name, newest first in each; «не назначено» last.
    Recipient,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Received, Sort::Deadline, Sort::Block, Sort::Recipient];

    /// The stable name (`:sort deadline`, views.toml).
    pub fn id(self) -> &'static str {
        match self {
            Sort::Received => "received",
            Sort::Deadline => "deadline",
            Sort::Block => "block",
            Sort::Recipient => "recipient",
        }
    }

    /// How the panel title names it.
    pub fn label_ru(self) -> &'static str {
        match self {
            Sort::Received => "по поступлению",
            Sort::Deadline => "по сроку",
            Sort::Block => "по блоку",
            Sort::Recipient => "по ответственному",
        }
    }
}

impl std::str::FromStr for Sort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sort::ALL
            .into_iter()
            .find(|x| x.id() == s.trim())
            .ok_or_else(|| {
                format!(
                    "Нет сортировки «{s}» (есть: {})",
                    Sort::ALL.map(Sort::id).join(", ")
                )
            })
    }
}

/// A group of the block or recipient order.
#[derive(Debug, Clone, PartialEq)]
enum Group {
    /// `a.block = id`.
    Block(String),
    /// `a.responsible_id = id`; the name matches a listed row to it.
    Recipient(i64, String),
    /// No block / nobody responsible.
    Null,
}

/// A sort resolved against the store: its segments, in list order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Order {
    pub sort: Sort,
    groups: Vec<Group>,
}

/// One segment: a condition and its key columns, all ascending or all descending.
struct Segment {
    cond: String,
    args: Vec<Value>,
    keys: &'static [&'static str],
    desc: bool,
}

const BY_RECEIVED: &[&str] = &["a.received_at", "a.id"];
const BY_DUE: &[&str] = &["a.answer_due", "a.received_at", "a.id"];

fn and(sql: &mut String, cond: &str) {
    sql.push_str(if sql.contains(" WHERE ") {
        " AND "
    } else {
        " WHERE "
    });
    sql.push_str(cond);
}

fn limit_value(n: usize) -> Value {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

impl Order {
    fn segments(&self) -> Vec<Segment> {
        let seg = |cond: &str, args: Vec<Value>, keys, desc| Segment {
            cond: cond.to_string(),
            args,
            keys,
            desc,
        };
        match self.sort {
            // `1 = 1`, not `1`: PostgreSQL takes only a boolean after WHERE.
            Sort::Received => vec![seg("1 = 1", vec![], BY_RECEIVED, true)],
            Sort::Deadline => vec![
                seg("a.answer_due IS NOT NULL", vec![], BY_DUE, false),
                seg("a.answer_due IS NULL", vec![], BY_RECEIVED, true),
            ],
            Sort::Block | Sort::Recipient => self
                .groups
                .iter()
                .map(|g| match g {
                    Group::Block(b) => seg(
                        "a.block = ?",
                        vec![Value::Text(b.clone())],
                        BY_RECEIVED,
                        true,
                    ),
                    Group::Recipient(id, _) => seg(
                        "a.responsible_id = ?",
                        vec![Value::Integer(*id)],
                        BY_RECEIVED,
                        true,
                    ),
                    Group::Null if self.sort == Sort::Block => {
                        seg("a.block IS NULL", vec![], BY_RECEIVED, true)
                    }
                    Group::Null => seg("a.responsible_id IS NULL", vec![], BY_RECEIVED, true),
                })
                .collect(),
        }
    }

    /// The segment a listed appeal is in and its key values there.
    fn locate(&self, a: &Appeal) -> Option<(usize, Vec<i64>)> {
        let by_received = || vec![a.received_at.timestamp(), a.id];
        match self.sort {
            Sort::Received => Some((0, by_received())),
            Sort::Deadline => Some(match a.deadlines.answer_due {
                Some(d) => (0, vec![d.timestamp(), a.received_at.timestamp(), a.id]),
                None => (1, by_received()),
            }),
            Sort::Block | Sort::Recipient => {
                let i = self.groups.iter().position(|g| match g {
                    Group::Block(b) => a.block.as_deref() == Some(b.as_str()),
                    Group::Recipient(_, name) => a.responsible.as_deref() == Some(name.as_str()),
                    Group::Null if self.sort == Sort::Block => a.block.is_none(),
                    Group::Null => a.responsible.is_none(),
                })?;
                Some((i, by_received()))
            }
        }
    }
}

/// The query of one segment's page: the rows of `seg` beyond the `keys` of a pivot row (when
/// the pivot is in it) on `side`, in walking order.
fn page_sql(
    engine: Engine,
    filter: &ListFilter,
    seg: &Segment,
    keys: Option<&[i64]>,
    side: Side,
    limit: usize,
) -> (String, Vec<Value>) {
    // Descending in list order unless the segment is ascending; walking backward flips.
    let desc = seg.desc != (side == Side::Before);
    let mut sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM}");
    let mut args = Vec::new();
    filter.conditions(engine, &mut sql, &mut args);
    and(&mut sql, &seg.cond);
    args.extend(seg.args.iter().cloned());
    if let Some(k) = keys {
        let cols = seg.keys.join(", ");
        let marks = vec!["?"; k.len()].join(", ");
        let op = match (desc, side == Side::From) {
            (true, false) => "<",
            (true, true) => "<=",
            (false, false) => ">",
            (false, true) => ">=",
        };
        and(&mut sql, &format!("({cols}) {op} ({marks})"));
        args.extend(k.iter().map(|v| Value::Integer(*v)));
    }
    let dir = if desc { " DESC" } else { "" };
    let by: Vec<String> = seg.keys.iter().map(|k| format!("{k}{dir}")).collect();
    sql.push_str(&format!(" ORDER BY {} LIMIT ?", by.join(", ")));
    args.push(limit_value(limit));
    (sql, args)
}

/// Which side of a row a query looks at, in list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Rows after it.
    After,
    /// The row itself and the rows after it.
    From,
    /// Rows before it.
    Before,
}

impl Store {
    /// Resolves a sort: the blocks and recipients present, in their order.
    pub fn order(&self, sort: Sort) -> Result<Order, StoreError> {
        let groups = match sort {
            Sort::Received | Sort::Deadline => Vec::new(),
            Sort::Block => {
                // The blocks on appeals, one index seek each (a loose index scan, not a pass
                // over every appeal).
                let mut st = self.conn().prepare_cached(
                    "WITH RECURSIVE b(x) AS (SELECT MIN(block) FROM appeals UNION ALL \
                     SELECT (SELECT MIN(block) FROM appeals WHERE block > b.x) FROM b \
                     WHERE b.x IS NOT NULL) SELECT x FROM b WHERE x IS NOT NULL",
                )?;
                let present: Vec<String> =
                    st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                let known = self.reference().blocks.all();
                let mut groups: Vec<Group> = known
                    .iter()
                    .filter(|b| present.contains(&b.id))
                    .map(|b| Group::Block(b.id.clone()))
                    .collect();
                groups.extend(
                    present
                        .iter()
                        .filter(|p| !known.iter().any(|b| &b.id == *p))
                        .map(|p| Group::Block(p.clone())),
                );
                groups.push(Group::Null);
                groups
            }
            Sort::Recipient => {
                let mut st = self
                    .conn()
                    .prepare_cached("SELECT id, name FROM recipients ORDER BY name_fold, id")?;
                let mut groups: Vec<Group> = st
                    .query_map([], |r| Ok(Group::Recipient(r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                groups.push(Group::Null);
                groups
            }
        };
        Ok(Order { sort, groups })
    }

    /// The first `limit` appeals of the list, or those right after `after`, in list order.
    pub fn list_sorted(
        &self,
        filter: &ListFilter,
        order: &Order,
        after: Option<&Appeal>,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        match after {
            None => self.walk(filter, order, None, Side::After, limit),
            Some(a) => self.walk(filter, order, Some(a), Side::After, limit),
        }
    }

    /// `limit` appeals of the list starting with `first` itself (a window reloaded in place).
    pub fn list_sorted_from(
        &self,
        filter: &ListFilter,
        order: &Order,
        first: &Appeal,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        self.walk(filter, order, Some(first), Side::From, limit)
    }

    /// The `limit` appeals right before `before` (or the last `limit` of the list), in list order.
    pub fn list_sorted_before(
        &self,
        filter: &ListFilter,
        order: &Order,
        before: Option<&Appeal>,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        let mut v = self.walk(filter, order, before, Side::Before, limit)?;
        v.reverse();
        Ok(v)
    }

    /// How many appeals the list has.
    pub fn count_listed(&self, filter: &ListFilter) -> Result<usize, StoreError> {
        let mut sql = "SELECT COUNT(*) FROM appeals a".to_string();
        let mut args = Vec::new();
        filter.conditions(self.conn().engine(), &mut sql, &mut args);
        let n: i64 = self
            .conn()
            .prepare_cached(&sql)?
            .query_row(params_from_iter(args), |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// A stamp that changes whenever the database does — a commit of another connection
    /// (`PRAGMA data_version`) or a change through this one — so a count can be kept until then.
    pub fn change_stamp(&self) -> Result<(i64, u64), StoreError> {
        Ok((self.data_version()?, self.conn().total_changes()))
    }

    /// How many appeals of the list come before `a` (its position, from 0).
    pub fn position_in(
        &self,
        filter: &ListFilter,
        order: &Order,
        a: &Appeal,
    ) -> Result<usize, StoreError> {
        let segments = order.segments();
        let (at, keys) = order.locate(a).unwrap_or((segments.len(), Vec::new()));
        let mut total = 0usize;
        for (i, seg) in segments.iter().enumerate().take(at + 1) {
            let mut sql = "SELECT COUNT(*) FROM appeals a".to_string();
            let mut args = Vec::new();
            filter.conditions(self.conn().engine(), &mut sql, &mut args);
            and(&mut sql, &seg.cond);
            args.extend(seg.args.iter().cloned());
            if i == at {
                let cols = seg.keys.join(", ");
                let marks = vec!["?"; keys.len()].join(", ");
                let op = if seg.desc { ">" } else { "<" };
                and(&mut sql, &format!("({cols}) {op} ({marks})"));
                args.extend(keys.iter().map(|k| Value::Integer(*k)));
            }
            let n: i64 = self
                .conn()
                .prepare_cached(&sql)?
                .query_row(params_from_iter(args), |r| r.get(0))?;
            total += usize::try_from(n).unwrap_or(0);
        }
        Ok(total)
    }

    /// Walks the segments from `pivot` towards `side`, collecting at most `limit` rows in walking
    /// order (list order forward, reversed backward).
    fn walk(
        &self,
        filter: &ListFilter,
        order: &Order,
        pivot: Option<&Appeal>,
        side: Side,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        let segments = order.segments();
        let n = segments.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let located = pivot.map(|a| order.locate(a));
        // A pivot whose group is not in the order (a recipient added since): nothing around it.
        let (start, keys) = match located {
            None if side == Side::Before => (n - 1, None),
            None => (0, None),
            Some(None) => return Ok(Vec::new()),
            Some(Some((i, k))) => (i, Some(k)),
        };
        let walk: Vec<usize> = if side == Side::Before {
            (0..=start.min(n - 1)).rev().collect()
        } else {
            (start..n).collect()
        };
        let mut out: Vec<Appeal> = Vec::new();
        for i in walk {
            if out.len() >= limit {
                break;
            }
            let keys = if i == start { keys.as_deref() } else { None };
            let (sql, args) = page_sql(
                self.conn().engine(),
                filter,
                &segments[i],
                keys,
                side,
                limit - out.len(),
            );
            let mut st = self.conn().prepare_cached(&sql)?;
            let rows = st.query_map(params_from_iter(args), appeal_from_row)?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{DateTime, Duration, TimeZone, Utc};

    use super::*;
    use crate::domain::Channel;
    use crate::ingest::IncomingAppeal;
    use crate::reference::Reference;
    use crate::store::{Actor, ImportedFile};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 6, 0, 0).unwrap()
    }

    /// 61 appeals over three channels (three kinds of deadline), two blocks and none, two
    /// recipients and none; some received at the same second.
    fn store() -> Store {
        let mut store = Store::open_in_memory(Arc::new(Reference::embedded().unwrap())).unwrap();
        let actor = Actor::new("seed", "import:seed");
        let mut tx = store.begin_import().unwrap();
        for i in 0..61u32 {
            let ch = [Channel::Im, Channel::Pos, Channel::Letter][(i % 3) as usize];
            let block = [Some("roads"), None, Some("housing"), Some("roads")][(i % 4) as usize];
            let who = [Some("Отдел Я"), None, Some("отдел а")][(i % 5 % 3) as usize];
            let inc = IncomingAppeal {
                line: u64::from(i) + 2,
                source_id: format!("S-{i}"),
                received_at: t0() + Duration::hours(i64::from(i / 2 * 7 % 50)),
                text: format!("Обращение номер {i}"),
                block: block.map(Into::into),
                responsible: who.map(Into::into),
                ..Default::default()
            };
            tx.upsert(&inc, ch, &actor, t0()).unwrap();
        }
        tx.finish(&ImportedFile {
            name: "seed.csv".into(),
            hash: "seed".into(),
            format: "csv".into(),
            channel: None,
            imported_at: t0(),
            rows: 61,
            inserted: 61,
            updated: 0,
            unchanged: 0,
            quarantined: 0,
        })
        .unwrap();
        store
    }

    /// The whole list in the order, computed in memory.
    fn expected(store: &Store, filter: &ListFilter, sort: Sort) -> Vec<i64> {
        let mut all = store.list(filter, None, 10_000).unwrap();
        let newest = |a: &Appeal, b: &Appeal| (b.received_at, b.id).cmp(&(a.received_at, a.id));
        let blocks: Vec<String> = store
            .reference()
            .blocks
            .all()
            .iter()
            .map(|b| b.id.clone())
            .collect();
        all.sort_by(|a, b| match sort {
            Sort::Received => newest(a, b),
            Sort::Deadline => match (a.deadlines.answer_due, b.deadlines.answer_due) {
                (Some(x), Some(y)) => (x, a.received_at, a.id).cmp(&(y, b.received_at, b.id)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => newest(a, b),
            },
            Sort::Block => {
                let g = |x: &Appeal| {
                    x.block
                        .as_ref()
                        .map_or(usize::MAX, |b| blocks.iter().position(|k| k == b).unwrap())
                };
                g(a).cmp(&g(b)).then_with(|| newest(a, b))
            }
            Sort::Recipient => {
                let g = |x: &Appeal| {
                    (
                        x.responsible.is_none(),
                        x.responsible.as_deref().map(crate::domain::text::fold),
                    )
                };
                g(a).cmp(&g(b)).then_with(|| newest(a, b))
            }
        });
        all.into_iter().map(|a| a.id).collect()
    }

    fn ids(v: &[Appeal]) -> Vec<i64> {
        v.iter().map(|a| a.id).collect()
    }

    #[test]
    fn every_order_pages_forward_and_backward_by_key_and_knows_each_rows_place() {
        let store = store();
        let filters = [
            ListFilter::default(),
            ListFilter {
                block: Some(None),
                ..Default::default()
            },
            ListFilter {
                no_recipient: true,
                ..Default::default()
            },
        ];
        for filter in &filters {
            for sort in Sort::ALL {
                let want = expected(&store, filter, sort);
                let order = store.order(sort).unwrap();
                assert_eq!(store.count_listed(filter).unwrap(), want.len());
                // Forward, 7 at a time.
                let mut got: Vec<Appeal> = Vec::new();
                loop {
                    let page = store.list_sorted(filter, &order, got.last(), 7).unwrap();
                    if page.is_empty() {
                        break;
                    }
                    got.extend(page);
                }
                assert_eq!(ids(&got), want, "{sort:?} {filter:?}");
                // Backward from the end, 5 at a time.
                let mut back: Vec<Appeal> = Vec::new();
                loop {
                    let page = store
                        .list_sorted_before(filter, &order, back.first(), 5)
                        .unwrap();
                    if page.is_empty() {
                        break;
                    }
                    back.splice(0..0, page);
                }
                assert_eq!(ids(&back), want, "{sort:?} backward");
                for (i, a) in got.iter().enumerate() {
                    assert_eq!(store.position_in(filter, &order, a).unwrap(), i, "{sort:?}");
                    let from = store.list_sorted_from(filter, &order, a, 3).unwrap();
                    assert_eq!(ids(&from), want[i..(i + 3).min(want.len())], "{sort:?}");
                }
            }
        }
    }

    /// Every page of every order is read off an index in its order (no sorting of the whole
    /// list in a temporary b-tree) and seeks to its pivot: what keeps the last page of a
    /// million appeals as quick as the first.
    #[test]
    fn every_page_query_walks_an_index_in_order() {
        let store = store();
        let filters = [
            ListFilter::default(),
            ListFilter {
                open: true,
                ..Default::default()
            },
            ListFilter {
                today: Some(crate::store::Today { due_by: t0() }),
                ..Default::default()
            },
        ];
        for filter in &filters {
            for sort in Sort::ALL {
                let order = store.order(sort).unwrap();
                for seg in order.segments() {
                    for side in [Side::After, Side::From, Side::Before] {
                        let keys = vec![1_i64; seg.keys.len()];
                        let (sql, args) = page_sql(
                            crate::store::db::Engine::Sqlite,
                            filter,
                            &seg,
                            Some(&keys),
                            side,
                            10,
                        );
                        let mut st = store
                            .conn()
                            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                            .unwrap();
                        let plan: Vec<String> = st
                            .query_map(params_from_iter(args), |r| r.get::<_, String>(3))
                            .unwrap()
                            .collect::<Result<_, _>>()
                            .unwrap();
                        let plan = plan.join("\n");
                        assert!(!plan.contains("TEMP B-TREE"), "{sort:?} {side:?}:\n{plan}");
                        assert!(
                            plan.contains("USING INDEX")
                                || plan.contains("USING COVERING INDEX")
                                || plan.contains("INTEGER PRIMARY KEY"),
                            "{sort:?}:\n{plan}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_block_order_is_the_reference_order_then_no_block() {
        let store = store();
        let order = store.order(Sort::Block).unwrap();
        assert_eq!(
            order.groups,
            [
                Group::Block("housing".into()),
                Group::Block("roads".into()),
                Group::Null
            ]
        );
    }

    #[test]
    fn sorts_parse_by_their_ids() {
        for s in Sort::ALL {
            assert_eq!(s.id().parse::<Sort>(), Ok(s));
        }
        assert!("срок".parse::<Sort>().is_err());
    }
}

//! Listing appeals (keyset paging, never OFFSET) and the summary counts of `mcu stats`.

use crate::store::db::{Value, params_from_iter};
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::appeals::{APPEAL_COLUMNS, APPEAL_FROM, appeal_from_row};
use super::{Store, StoreError};
use crate::domain::text::fold;
use crate::domain::{Appeal, Channel, Status};
use crate::store::db::Engine;

/// Which appeals to list. Empty filter = all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub status: Option<Status>,
    /// A block id; `Some(None)` means appeals with no block yet.
    pub block: Option<Option<String>>,
    pub channel: Option<Channel>,
    pub responsible: Option<String>,
    pub settlement: Option<String>,
    /// Only open appeals.
    pub open: bool,
    /// Only appeals marked urgent.
    pub urgent: bool,
    /// Only appeals of these blocks (what a block lead may see).
    pub blocks_in: Option<Vec<String>>,
    /// Only appeals open and past their answer deadline at this instant.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Received at or after.
    pub from: Option<DateTime<Utc>>,
    /// Received before.
    pub to: Option<DateTime<Utc>>,
    /// Full-text query: every word must match (in any word form).
    pub text: Option<String>,
    /// Only appeals nobody is responsible for yet («не назначено»).
    pub no_recipient: bool,
    /// Only what needs action today (the console's «Сегодня»).
    pub today: Option<Today>,
}

/// What needs action today: open appeals overdue, due by the end of the day or at risk (due by
/// `due_by`, the later of the two), or not sorted into a block yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Today {
    pub due_by: DateTime<Utc>,
}

/// Where the next page starts: the last row of the previous page (newest-first order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: i64,
    pub id: i64,
}

impl Cursor {
    /// The cursor after this appeal.
    pub fn after(a: &Appeal) -> Self {
        Self {
            received_at: a.received_at.timestamp(),
            id: a.id,
        }
    }
}

impl ListFilter {
    /// SQL conditions and their parameters.
    pub(super) fn conditions(&self, engine: Engine, sql: &mut String, args: &mut Vec<Value>) {
        let mut cond = |c: &str, v: Option<Value>| {
            sql.push_str(if sql.contains(" WHERE ") {
                " AND "
            } else {
                " WHERE "
            });
            sql.push_str(c);
            if let Some(v) = v {
                args.push(v);
            }
        };
        if let Some(s) = self.status {
            cond("a.status = ?", Some(Value::Text(s.id().into())));
        }
        match &self.block {
            Some(Some(b)) => cond("a.block = ?", Some(Value::Text(b.clone()))),
            Some(None) => cond("a.block IS NULL", None),
            None => {}
        }
        if let Some(c) = self.channel {
            cond("a.channel = ?", Some(Value::Text(c.id().into())));
        }
        if let Some(r) = &self.responsible {
            cond(
                "a.responsible_id = (SELECT id FROM recipients WHERE name_fold = ?)",
                Some(Value::Text(fold(r))),
            );
        }
        if let Some(s) = &self.settlement {
            cond(
                "a.settlement_id = (SELECT id FROM settlements WHERE name_fold = ?)",
                Some(Value::Text(fold(s))),
            );
        }
        if self.no_recipient {
            cond("a.responsible_id IS NULL", None);
        }
        if let Some(t) = self.today {
            cond(
                "a.is_open = 1 AND (a.answer_due < ? OR a.block IS NULL)",
                Some(Value::Integer(t.due_by.timestamp())),
            );
        }
        if self.open {
            cond("a.is_open = 1", None);
        }
        if self.urgent {
            cond("a.urgent = 1", None);
        }
        if let Some(now) = self.overdue_at {
            cond(
                "a.is_open = 1 AND a.answer_due < ?",
                Some(Value::Integer(now.timestamp())),
            );
        }
        if let Some(f) = self.from {
            cond("a.received_at >= ?", Some(Value::Integer(f.timestamp())));
        }
        if let Some(t) = self.to {
            cond("a.received_at < ?", Some(Value::Integer(t.timestamp())));
        }
        if let Some(q) = &self.text {
            cond(
                super::search::condition(engine),
                Some(super::search::query(engine, q, super::search::Words::All)),
            );
        }
        if let Some(blocks) = &self.blocks_in {
            sql.push_str(if sql.contains(" WHERE ") {
                " AND "
            } else {
                " WHERE "
            });
            if blocks.is_empty() {
                sql.push('0');
            } else {
                let marks = vec!["?"; blocks.len()].join(", ");
                sql.push_str(&format!("a.block IN ({marks})"));
                args.extend(blocks.iter().map(|b| Value::Text(b.clone())));
            }
        }
    }
}

/// Summary counts for a period (received in it), at an instant `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub total: i64,
    pub by_channel: BTreeMap<String, i64>,
    /// Block ids, plus `unassigned` for appeals with no block.
    pub by_block: BTreeMap<String, i64>,
    pub by_status: BTreeMap<String, i64>,
    pub open: i64,
    pub overdue: i64,
    pub overdue_by_block: BTreeMap<String, i64>,
}

impl Store {
    /// A page of appeals, newest first, after `cursor` (keyset paging: as fast on the last page as
    /// on the first).
    pub fn list(
        &self,
        filter: &ListFilter,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        let mut sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM}");
        let mut args = Vec::new();
        filter.conditions(self.conn().engine(), &mut sql, &mut args);
        if let Some(c) = cursor {
            sql.push_str(if sql.contains(" WHERE ") {
                " AND "
            } else {
                " WHERE "
            });
            sql.push_str("(a.received_at, a.id) < (?, ?)");
            args.push(Value::Integer(c.received_at));
            args.push(Value::Integer(c.id));
        }
        sql.push_str(" ORDER BY a.received_at DESC, a.id DESC LIMIT ?");
        args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), appeal_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts by channel, block and status, open and overdue, for appeals matching `filter`
    /// (usually a period), with overdue judged at `now`.
    pub fn stats(&self, filter: &ListFilter, now: DateTime<Utc>) -> Result<Stats, StoreError> {
        Ok(self
            .read_period(filter, now, super::reading::Want::default())?
            .stats)
    }

    /// Number of appeals in the workspace.
    pub fn count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM appeals", [], |r| r.get(0))?)
    }
}

impl Store {
    /// Appeals newer than `cursor` (exclusive), the `limit` closest to it, newest first — the page
    /// above a window when scrolling up.
    pub fn list_newer(
        &self,
        filter: &ListFilter,
        cursor: Cursor,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        let mut sql = format!("SELECT {APPEAL_COLUMNS} FROM {APPEAL_FROM}");
        let mut args = Vec::new();
        filter.conditions(self.conn().engine(), &mut sql, &mut args);
        sql.push_str(if sql.contains(" WHERE ") {
            " AND "
        } else {
            " WHERE "
        });
        sql.push_str("(a.received_at, a.id) > (?, ?) ORDER BY a.received_at, a.id LIMIT ?");
        args.push(Value::Integer(cursor.received_at));
        args.push(Value::Integer(cursor.id));
        args.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let mut st = self.conn().prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), appeal_from_row)?;
        let mut v: Vec<Appeal> = rows.collect::<Result<_, _>>()?;
        v.reverse();
        Ok(v)
    }

    /// The `limit` oldest appeals, newest first — the last page of the list.
    pub fn list_oldest(
        &self,
        filter: &ListFilter,
        limit: usize,
    ) -> Result<Vec<Appeal>, StoreError> {
        self.list_newer(
            filter,
            Cursor {
                received_at: i64::MIN,
                id: i64::MIN,
            },
            limit,
        )
    }
}

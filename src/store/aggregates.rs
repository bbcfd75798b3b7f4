//! Pre-aggregated figures for monitoring and the ranking, kept exact by triggers on `appeals`.
//!
//! Every insert, update and delete of an appeal adjusts, in the same statement (so in the same
//! transaction as the write), four small summary tables:
//!
//! - `agg_recv_block (hour, block)`: appeals received per hour and block (the sparklines);
//! - `agg_recv_recipient (hour, rid)`: per hour of receipt and responsible recipient, the ranking
//!   counts of the appeals that count (volume, answered, on time, open, graded, substantive,
//!   rated, good) and `touched`, a counter bumped by every change to a row of the bucket — the
//!   sum over a period says whether anything in it changed since it was last read;
//! - `agg_recv_channel (hour, channel)`: first-response timeliness of appeals that have a
//!   first-response deadline (total, on time, late, pending);
//! - `agg_open (block, rid)`: open appeals.
//!
//! A missing block is stored as `''` and a missing recipient as `0` (a primary key cannot hold
//! NULL usefully). Hours are `received_at / 3600`; the readers only use whole hours inside a range
//! and count the partial hours at its ends from `appeals` directly, so every figure is exactly the
//! direct computation's. What depends on `now` (overdue, at risk, first responses missing) is the
//! aggregate minus the few open appeals not yet due, read from partial indexes.
//!
//! `first_response_ws` (working seconds from receipt to the first response over the calendar in
//! force) is a derived column written by `save()`, like the deadlines.

use rusqlite::{Transaction, params};

use super::StoreError;
use crate::reference::Reference;

/// Statuses left out of the ranking, as an SQL list.
pub(crate) const EXCLUDED: &str = "('rejected', 'duplicate', 'redirected')";

/// One row's contribution to `agg_recv_recipient`, as the column values for `r` (`NEW`/`OLD`).
fn recipient_values(r: &str, sign: &str) -> Vec<String> {
    let c = format!("({r}.status NOT IN {EXCLUDED})");
    let v = |cond: String| format!("{sign} * (CASE WHEN {c} AND ({cond}) THEN 1 ELSE 0 END)");
    [
        v("1".into()),
        v(format!("{r}.answered_at IS NOT NULL")),
        v(format!(
            "{r}.answered_at IS NOT NULL AND {r}.answer_due IS NOT NULL AND {r}.answered_at <= {r}.answer_due"
        )),
        v(format!("{r}.is_open = 1")),
        v(format!("{r}.quality IS NOT NULL")),
        v(format!("{r}.quality IS NOT NULL AND {r}.quality = 'substantive'")),
        v(format!("{r}.rating IS NOT NULL")),
        v(format!("{r}.rating IS NOT NULL AND {r}.rating >= 4")),
    ]
    .into()
}

fn channel_values(r: &str, sign: &str) -> Vec<String> {
    let v = |cond: String| format!("{sign} * (CASE WHEN {cond} THEN 1 ELSE 0 END)");
    [
        format!("{sign} * 1"),
        v(format!(
            "{r}.first_response_at IS NOT NULL AND {r}.first_response_at <= {r}.first_response_due"
        )),
        v(format!(
            "{r}.first_response_at IS NOT NULL AND {r}.first_response_at > {r}.first_response_due"
        )),
        v(format!(
            "{r}.first_response_at IS NULL AND {r}.status NOT IN {EXCLUDED}"
        )),
    ]
    .into()
}

/// The statements applying one row (`NEW` with `+1`, `OLD` with `-1`) to the summaries.
fn apply(r: &str, sign: &str) -> String {
    format!(
        "INSERT INTO agg_recv_block (hour, block, n) VALUES ({r}.received_at / 3600, IFNULL({r}.block, ''), {sign}) \
         ON CONFLICT (hour, block) DO UPDATE SET n = n + excluded.n;\n\
         INSERT INTO agg_recv_recipient (hour, rid, volume, answered, on_time, open, graded, substantive, rated, good, touched) \
         VALUES ({r}.received_at / 3600, IFNULL({r}.responsible_id, 0), {rv}, 1) \
         ON CONFLICT (hour, rid) DO UPDATE SET volume = volume + excluded.volume, answered = answered + excluded.answered, \
         on_time = on_time + excluded.on_time, open = open + excluded.open, graded = graded + excluded.graded, \
         substantive = substantive + excluded.substantive, rated = rated + excluded.rated, good = good + excluded.good, \
         touched = touched + 1;\n\
         INSERT INTO agg_recv_channel (hour, channel, total, on_time, late, pending) \
         SELECT {r}.received_at / 3600, {r}.channel, {cv} WHERE {r}.first_response_due IS NOT NULL \
         ON CONFLICT (hour, channel) DO UPDATE SET total = total + excluded.total, on_time = on_time + excluded.on_time, \
         late = late + excluded.late, pending = pending + excluded.pending;\n\
         INSERT INTO agg_open (block, rid, n) SELECT IFNULL({r}.block, ''), IFNULL({r}.responsible_id, 0), {sign} \
         WHERE {r}.is_open = 1 ON CONFLICT (block, rid) DO UPDATE SET n = n + excluded.n;\n",
        rv = recipient_values(r, sign).join(", "),
        cv = channel_values(r, sign).join(", "),
    )
}

/// The columns whose change can move a figure.
const WATCHED: &[&str] = &[
    "received_at",
    "channel",
    "block",
    "responsible_id",
    "status",
    "is_open",
    "answered_at",
    "answer_due",
    "quality",
    "rating",
    "first_response_at",
    "first_response_due",
    "first_response_ws",
];

/// The tables, indexes and the derived column (the migration's SQL).
pub(crate) const SCHEMA: &str = r#"
-- Derived: working seconds from receipt to the first response (see store::aggregates).
ALTER TABLE appeals ADD COLUMN first_response_ws INTEGER;

CREATE TABLE agg_recv_block (
    hour INTEGER NOT NULL, block TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (hour, block)
) WITHOUT ROWID;
CREATE TABLE agg_recv_recipient (
    hour INTEGER NOT NULL, rid INTEGER NOT NULL,
    volume INTEGER NOT NULL, answered INTEGER NOT NULL, on_time INTEGER NOT NULL,
    open INTEGER NOT NULL, graded INTEGER NOT NULL, substantive INTEGER NOT NULL,
    rated INTEGER NOT NULL, good INTEGER NOT NULL, touched INTEGER NOT NULL,
    PRIMARY KEY (hour, rid)
) WITHOUT ROWID;
CREATE TABLE agg_recv_channel (
    hour INTEGER NOT NULL, channel TEXT NOT NULL,
    total INTEGER NOT NULL, on_time INTEGER NOT NULL, late INTEGER NOT NULL, pending INTEGER NOT NULL,
    PRIMARY KEY (hour, channel)
) WITHOUT ROWID;
CREATE TABLE agg_open (
    block TEXT NOT NULL, rid INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (block, rid)
) WITHOUT ROWID;

-- Open appeals not overdue yet (and those without a deadline): few, read at every refresh.
CREATE INDEX appeals_open_pending ON appeals (answer_due, received_at, block, responsible_id)
    WHERE is_open = 1;
-- First responses still missing, by their deadline.
CREATE INDEX appeals_fr_pending ON appeals (first_response_due, received_at, channel)
    WHERE first_response_at IS NULL AND first_response_due IS NOT NULL
    AND status NOT IN ('rejected', 'duplicate', 'redirected');
-- First-response times of a period, for the medians.
CREATE INDEX appeals_first_response ON appeals (received_at, responsible_id, first_response_ws)
    WHERE first_response_ws IS NOT NULL AND responsible_id IS NOT NULL
    AND status NOT IN ('rejected', 'duplicate', 'redirected');
"#;

/// Fills the derived column and the summaries from the existing appeals, then installs the
/// triggers that keep them exact. Runs once, in the migration's transaction.
pub(crate) fn install(tx: &Transaction<'_>, reference: &Reference) -> Result<(), StoreError> {
    {
        let mut select = tx.prepare(
            "SELECT id, received_at, first_response_at FROM appeals WHERE first_response_at IS NOT NULL",
        )?;
        let mut update = tx.prepare("UPDATE appeals SET first_response_ws = ?2 WHERE id = ?1")?;
        let mut rows = select.query([])?;
        while let Some(r) = rows.next()? {
            let (id, received, first): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let ws = first_response_ws(reference, super::ts(received), Some(super::ts(first)));
            update.execute(params![id, ws])?;
        }
    }
    let sum = |cols: Vec<String>| -> String {
        cols.iter()
            .map(|c| format!("SUM({c})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fill = format!(
        "INSERT INTO agg_recv_block (hour, block, n) \
         SELECT received_at / 3600, IFNULL(block, ''), COUNT(*) FROM appeals AS a GROUP BY 1, 2;\n\
         INSERT INTO agg_recv_recipient (hour, rid, volume, answered, on_time, open, graded, substantive, rated, good, touched) \
         SELECT received_at / 3600, IFNULL(responsible_id, 0), {rv}, 0 FROM appeals AS a GROUP BY 1, 2;\n\
         INSERT INTO agg_recv_channel (hour, channel, total, on_time, late, pending) \
         SELECT received_at / 3600, channel, {cv} FROM appeals AS a WHERE first_response_due IS NOT NULL GROUP BY 1, 2;\n\
         INSERT INTO agg_open (block, rid, n) \
         SELECT IFNULL(block, ''), IFNULL(responsible_id, 0), COUNT(*) FROM appeals AS a WHERE is_open = 1 GROUP BY 1, 2;\n",
        rv = sum(recipient_values("a", "1")),
        cv = sum(channel_values("a", "1")),
    );
    tx.execute_batch(&fill)?;
    tx.execute_batch(&triggers())?;
    Ok(())
}

/// The triggers keeping the summaries in step with `appeals`.
pub(crate) fn triggers() -> String {
    let changed = WATCHED
        .iter()
        .map(|c| format!("OLD.{c} IS NOT NEW.{c}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!(
        "CREATE TRIGGER appeals_agg_insert AFTER INSERT ON appeals BEGIN\n{new}END;\n\
         CREATE TRIGGER appeals_agg_update AFTER UPDATE ON appeals WHEN {changed} BEGIN\n{old}{new}END;\n\
         CREATE TRIGGER appeals_agg_delete AFTER DELETE ON appeals BEGIN\n{old}END;\n",
        new = apply("NEW", "1"),
        old = apply("OLD", "-1"),
    )
}

/// Working seconds from receipt to the first response over the calendar in force; `None` without
/// a first response or when the calendar cannot tell (a year missing).
pub(crate) fn first_response_ws(
    reference: &Reference,
    received: chrono::DateTime<chrono::Utc>,
    first: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<i64> {
    first.and_then(|f| {
        reference
            .calendar
            .working_seconds_between(received, f)
            .ok()
            .map(|s| s.max(0))
    })
}

/// Seconds in a bucket of the summaries.
pub(crate) const HOUR: i64 = 3600;

/// `[lo, hi)` as the whole hours inside it (`[b0, b1)`, in hours) and the partial pieces at its
/// ends (in seconds), which are read from `appeals` directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    pub hours: Option<(i64, i64)>,
    pub raw: Vec<(i64, i64)>,
}

pub(crate) fn split(lo: i64, hi: i64) -> Split {
    if hi <= lo {
        return Split {
            hours: None,
            raw: Vec::new(),
        };
    }
    // Negative instants would need floor division; they do not occur, so read them directly.
    let b0 = if lo >= 0 { (lo + HOUR - 1) / HOUR } else { 0 };
    let b1 = if hi >= 0 { hi / HOUR } else { 0 };
    if lo < 0 || b0 >= b1 {
        return Split {
            hours: None,
            raw: vec![(lo, hi)],
        };
    }
    let mut raw = Vec::new();
    if lo < b0 * HOUR {
        raw.push((lo, b0 * HOUR));
    }
    if b1 * HOUR < hi {
        raw.push((b1 * HOUR, hi));
    }
    Split {
        hours: Some((b0, b1)),
        raw,
    }
}

/// First-response working hours of a run of whole hours, per recipient id, remembered with the
/// sum of the `touched` counters of those hours: equal sums mean nothing there changed.
#[derive(Debug, Default)]
pub(crate) struct MedianCache {
    entries: Vec<(MedianKey, Times)>,
}

/// First hour, hour after the last, sum of `touched`.
pub(crate) type MedianKey = (i64, i64, i64);
/// First-response working hours per recipient id.
pub(crate) type Times = std::collections::BTreeMap<i64, Vec<f64>>;

impl MedianCache {
    pub(crate) fn get(&self, key: MedianKey) -> Option<&Times> {
        self.entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub(crate) fn put(&mut self, key: MedianKey, v: Times) {
        // The current and the previous period, and a spare for a period being changed.
        const KEEP: usize = 4;
        self.entries.retain(|(k, _)| (k.0, k.1) != (key.0, key.1));
        self.entries.insert(0, (key, v));
        self.entries.truncate(KEEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_into_whole_hours_and_pieces() {
        assert_eq!(
            split(3600, 7200),
            Split {
                hours: Some((1, 2)),
                raw: vec![]
            }
        );
        assert_eq!(
            split(3599, 7201),
            Split {
                hours: Some((1, 2)),
                raw: vec![(3599, 3600), (7200, 7201)]
            }
        );
        assert_eq!(
            split(3601, 7199),
            Split {
                hours: None,
                raw: vec![(3601, 7199)]
            }
        );
        assert_eq!(split(-5, 10).raw, vec![(-5, 10)]);
        assert!(split(10, 10).raw.is_empty() && split(10, 10).hours.is_none());
    }
}

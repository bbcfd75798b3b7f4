//! Pre-aggregated figures for monitoring and the ranking, kept exact by `save()`, the one function
//! that writes appeals.
//!
//! Every insert and update of an appeal adjusts, in the same transaction as the write, small
//! summary tables (the old row taken away, the new one added):
//!
//! - `agg_recv_block (hour, block)`: appeals received per hour and block (the sparklines);
//! - `agg_recv_recipient (hour, rid)`: per hour of receipt and responsible recipient, the ranking
//!   counts of the appeals that count (volume, answered, on time, open, graded, substantive,
//!   rated, good) and `touched`, a counter bumped by every change to a row of the bucket — an
//!   equal sum over a range says nothing in it changed since it was last read;
//! - `agg_recv_channel (hour, channel)`: first-response timeliness of appeals that have a
//!   first-response deadline (total, on time, late, pending);
//! - `agg_day_block`, `agg_day_recipient`, `agg_day_channel`: the same per UTC day;
//! - `agg_open (block, rid)`: open appeals.
//!
//! A missing block is stored as `''` and a missing recipient as `0` (a primary key cannot hold
//! NULL usefully). Hours are `received_at / 3600`, days `hour / 24`; a reader takes the whole
//! days inside a range from the daily tables, the whole hours at its ends from the hourly ones
//! and the pieces of hours from `appeals` directly (`split`), so every figure is exactly the
//! direct computation's. What depends on `now` (overdue, at risk, first responses missing) is the
//! aggregate minus the few open appeals not yet due, read from partial indexes; what the
//! summaries cannot hold (first-response times for the medians, the open appeals not due yet)
//! is read per day and remembered while the day's `touched` stays the same (`ChunkCache`).
//!
//! `first_response_ws` (working seconds from receipt to the first response over the calendar in
//! force) is a derived column written by `save()`, like the deadlines.

use super::StoreError;
use crate::domain::{Appeal, Quality};
use crate::reference::Reference;
use crate::store::db::{Engine, ToValue, Transaction, params};

/// Statuses left out of the ranking, as an SQL list.
pub(crate) const EXCLUDED: &str = "('rejected', 'duplicate', 'redirected')";

/// The appeal counts for the ranking (its status is not one of `EXCLUDED`). Spelled without
/// `NOT IN (…)`: each such list costs a temporary table per execution of the statement, which a
/// per-row statement pays on every save.
fn counted(r: &str) -> String {
    format!(
        "({r}.status <> 'rejected' AND {r}.status <> 'duplicate' AND {r}.status <> 'redirected')"
    )
}

/// The appeal is answered for the ranking (`Appeal::is_answered`): not open, with an answer time.
/// An open one counts once, as open, whatever times it carries (a reopened appeal among them).
pub(crate) fn answered(r: &str) -> String {
    format!("({r}.is_open = 0 AND {r}.answered_at IS NOT NULL)")
}

/// One row's contribution to `agg_recv_recipient`, as the column values for `r` (`NEW`/`OLD`).
fn recipient_values(r: &str, sign: &str) -> Vec<String> {
    let c = counted(r);
    let v = |cond: String| format!("{sign} * (CASE WHEN {c} AND ({cond}) THEN 1 ELSE 0 END)");
    [
        v("1 = 1".into()),
        v(answered(r)),
        v(format!(
            "{} AND {r}.answer_due IS NOT NULL AND {r}.answered_at <= {r}.answer_due",
            answered(r)
        )),
        v(format!("{r}.is_open = 1")),
        v(format!("{r}.quality IS NOT NULL")),
        v(format!(
            "{r}.quality IS NOT NULL AND {r}.quality = 'substantive'"
        )),
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
            "{r}.first_response_at IS NULL AND {c}",
            c = counted(r)
        )),
    ]
    .into()
}

/// What one stored appeal adds to the summaries: read back from `appeals` with the same
/// expressions the migration's fill uses, so the two cannot disagree.
struct Contribution {
    hour: i64,
    block: String,
    rid: i64,
    channel: String,
    /// volume, answered, on time, open, graded, substantive, rated, good.
    recipient: [i64; 8],
    /// total, on time, late, pending — when the appeal has a first-response deadline.
    first_response: Option<[i64; 4]>,
    open: bool,
}

thread_local! {
    static READ: String = format!(
        "SELECT a.received_at / 3600, COALESCE(a.block, ''), COALESCE(a.responsible_id, 0), a.channel, \
         {rv}, a.first_response_due IS NOT NULL, {cv}, a.is_open = 1 FROM appeals a WHERE a.id = ?1",
        rv = recipient_values("a", "1").join(", "),
        cv = channel_values("a", "1").join(", "),
    );
}

fn read(tx: &Transaction<'_>, id: i64) -> Result<Contribution, StoreError> {
    READ.with(|sql| {
        Ok(tx.prepare_cached(sql)?.query_row([id], |r| {
            let mut recipient = [0; 8];
            for (i, v) in recipient.iter_mut().enumerate() {
                *v = r.get(4 + i)?;
            }
            let mut fr = [0; 4];
            for (i, v) in fr.iter_mut().enumerate() {
                *v = r.get(13 + i)?;
            }
            Ok(Contribution {
                hour: r.get(0)?,
                block: r.get(1)?,
                rid: r.get(2)?,
                channel: r.get(3)?,
                recipient,
                first_response: r.get::<_, bool>(12)?.then_some(fr),
                open: r.get(17)?,
            })
        })?)
    })
}

/// Adds (`add`) or takes away the stored appeal `id` from the summaries, in the caller's
/// transaction: `save()` takes the old row away before changing it and adds the new one after.
///
/// Plain one-row `UPDATE`s (and an `INSERT` for a new bucket), not triggers or upserts: those
/// are multi-write statements with a statement journal, whose savepoint forces the search index
/// (FTS5) to flush its buffer on every row — that made an import 3.6 times slower.
pub(crate) fn count(tx: &Transaction<'_>, id: i64, add: bool) -> Result<(), StoreError> {
    let c = read(tx, id)?;
    apply(tx, &c, if add { 1 } else { -1 })
}

/// Adds a new appeal just written by `save()` (`rid` its recipient's id), without reading the row
/// back: the same definitions as the SQL in `recipient_values` and `channel_values`.
pub(crate) fn count_new(
    tx: &Transaction<'_>,
    buffer: Option<&std::cell::RefCell<Buffer>>,
    a: &Appeal,
    rid: Option<i64>,
) -> Result<(), StoreError> {
    let counted = !a.status.is_excluded_from_ranking();
    let b = |x: bool| i64::from(counted && x);
    // Whole seconds, as stored: an operator's instant can carry a fraction.
    let secs = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.timestamp());
    let (answered, due) = (secs(a.answered_at), secs(a.deadlines.answer_due));
    let recipient = [
        b(true),
        b(a.is_answered()),
        b(a.is_answered() && matches!((answered, due), (Some(t), Some(d)) if t <= d)),
        b(a.status.is_open()),
        b(a.quality.is_some()),
        b(a.quality == Some(Quality::Substantive)),
        b(a.rating.is_some()),
        b(a.rating.is_some_and(|r| r >= 4)),
    ];
    let first_response = secs(a.deadlines.first_response_due).map(|d| {
        let at = secs(a.first_response_at);
        [
            1,
            i64::from(at.is_some_and(|t| t <= d)),
            i64::from(at.is_some_and(|t| t > d)),
            i64::from(at.is_none() && counted),
        ]
    });
    let c = Contribution {
        hour: a.received_at.timestamp() / HOUR,
        block: a.block.clone().unwrap_or_default(),
        rid: rid.unwrap_or(0),
        channel: a.channel.id().to_string(),
        recipient,
        first_response,
        open: a.status.is_open(),
    };
    match buffer {
        Some(b) => {
            b.borrow_mut().add(&c);
            Ok(())
        }
        None => apply(tx, &c, 1),
    }
}

/// The summary changes of new appeals, summed per bucket for the length of one import
/// transaction and written once before it commits (`flush`): a million one-row updates become a
/// few thousand. Only additions of new appeals are buffered; changes of stored ones are applied
/// at once (they read the stored row).
#[derive(Debug, Default)]
pub(crate) struct Buffer {
    recv_block: std::collections::HashMap<(i64, String), i64>,
    recv_recipient: std::collections::HashMap<(i64, i64), ([i64; 8], i64)>,
    recv_channel: std::collections::HashMap<(i64, String), [i64; 4]>,
    open: std::collections::HashMap<(String, i64), i64>,
}

impl Buffer {
    fn add(&mut self, c: &Contribution) {
        *self
            .recv_block
            .entry((c.hour, c.block.clone()))
            .or_default() += 1;
        let (sum, touched) = self.recv_recipient.entry((c.hour, c.rid)).or_default();
        for (x, v) in sum.iter_mut().zip(c.recipient) {
            *x += v;
        }
        *touched += 1;
        if let Some(f) = c.first_response {
            let sum = self
                .recv_channel
                .entry((c.hour, c.channel.clone()))
                .or_default();
            for (x, v) in sum.iter_mut().zip(f) {
                *x += v;
            }
        }
        if c.open {
            *self.open.entry((c.block.clone(), c.rid)).or_default() += 1;
        }
    }

    /// Writes the sums into the summary tables, hourly and daily (in the import's transaction).
    pub(crate) fn flush(&mut self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        let block: Rows<String> = self.recv_block.drain().map(|(k, n)| (k, vec![n])).collect();
        let mut recipient_columns = RECIPIENT_COLUMNS.to_vec();
        recipient_columns.push("touched");
        let recipient: Rows<i64> = self
            .recv_recipient
            .drain()
            .map(|(k, (r, touched))| {
                let mut v = r.to_vec();
                v.push(touched);
                (k, v)
            })
            .collect();
        let channel: Rows<String> = self
            .recv_channel
            .drain()
            .map(|(k, f)| (k, f.to_vec()))
            .collect();
        add_hourly_and_daily(tx, By::Block, "block", &["n"], &block)?;
        add_hourly_and_daily(tx, By::Recipient, "rid", &recipient_columns, &recipient)?;
        add_hourly_and_daily(tx, By::Channel, "channel", &CHANNEL_COLUMNS, &channel)?;
        let open: Vec<((String, i64), Vec<i64>)> =
            self.open.drain().map(|(k, n)| (k, vec![n])).collect();
        add_rows(tx, "agg_open", ["block", "rid"], &["n"], &open)
    }
}

/// Summed counters to add to a summary table, by its two keys.
type Rows<K> = Vec<((i64, K), Vec<i64>)>;

/// Adds hourly sums to the hourly table of `what` and, summed per UTC day, to its daily one.
fn add_hourly_and_daily<K>(
    tx: &Transaction<'_>,
    what: By,
    key: &str,
    columns: &[&str],
    hourly: &Rows<K>,
) -> Result<(), StoreError>
where
    K: Clone + Eq + std::hash::Hash + ToValue + serde::Serialize,
{
    let daily = by_day(hourly);
    for (level, rows) in [(Level::Hour, hourly), (Level::Day, &daily)] {
        add_rows(tx, level.table(what), [level.column(), key], columns, rows)?;
    }
    Ok(())
}

/// Hourly sums summed per UTC day.
fn by_day<K: Clone + Eq + std::hash::Hash>(hourly: &Rows<K>) -> Rows<K> {
    let mut days: std::collections::HashMap<(i64, K), Vec<i64>> = Default::default();
    for ((hour, k), v) in hourly {
        let sum = days
            .entry((Level::Day.bucket(*hour), k.clone()))
            .or_insert_with(|| vec![0; v.len()]);
        for (x, y) in sum.iter_mut().zip(v) {
            *x += y;
        }
    }
    days.into_iter().collect()
}

/// Rows of summed counters sent to PostgreSQL in one statement.
const PG_ROWS_PER_STATEMENT: usize = 5000;

/// Adds summed counters to the rows of a summary table, creating the missing ones: on SQLite
/// one `add_row` per row; on PostgreSQL one upsert per few thousand rows (the rows travel as a
/// JSON array), so a flush is a few round trips rather than two per row.
fn add_rows<A: ToValue + serde::Serialize, B: ToValue + serde::Serialize>(
    tx: &Transaction<'_>,
    table: &str,
    keys: [&str; 2],
    columns: &[&str],
    rows: &[((A, B), Vec<i64>)],
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    if tx.engine() == Engine::Sqlite {
        for ((a, b), v) in rows {
            let values: Vec<(&str, i64)> = columns.iter().copied().zip(v.iter().copied()).collect();
            add_row(tx, table, [(keys[0], a), (keys[1], b)], &values)?;
        }
        return Ok(());
    }
    // Each row `[key, key, counter…]`; the keys' SQL types from the first row's JSON.
    let kind = |v: &serde_json::Value| if v.is_string() { "text" } else { "bigint" };
    let first = serde_json::to_value(&rows[0].0).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let (ka, kb) = (kind(&first[0]), kind(&first[1]));
    let mut select = vec![format!("(e->>0)::{ka}"), format!("(e->>1)::{kb}")];
    select.extend((0..columns.len()).map(|i| format!("(e->>{})::bigint", i + 2)));
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}, {}, {}) SELECT {} FROM json_array_elements(?1::text::json) e \
         ON CONFLICT ({}, {}) DO UPDATE SET {}",
        keys[0],
        keys[1],
        columns.join(", "),
        select.join(", "),
        keys[0],
        keys[1],
        set.join(", ")
    );
    for chunk in rows.chunks(PG_ROWS_PER_STATEMENT) {
        let json: Vec<serde_json::Value> = chunk
            .iter()
            .map(|((a, b), v)| {
                let mut row = vec![serde_json::json!(a), serde_json::json!(b)];
                row.extend(v.iter().map(|x| serde_json::json!(x)));
                serde_json::Value::Array(row)
            })
            .collect();
        let text = serde_json::Value::Array(json).to_string();
        tx.prepare_cached(&sql)?.execute([text])?;
    }
    Ok(())
}

/// The counters of `agg_*_channel`, in the order of `channel_values`.
const CHANNEL_COLUMNS: [&str; 4] = ["total", "on_time", "late", "pending"];

/// What a receipt summary is grouped by besides time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By {
    Block,
    Recipient,
    Channel,
}

/// The two granularities of the receipt summaries: hours (`agg_recv_*`, bucket `received_at /
/// 3600`) and UTC days (`agg_day_*`, bucket `hour / 24`). A reader takes the whole days of a
/// range from the daily tables, the whole hours at its ends from the hourly ones, and the pieces
/// of hours from `appeals` (see `split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Hour,
    Day,
}

impl Level {
    /// The bucket of this level that holds `hour`.
    pub(crate) fn bucket(self, hour: i64) -> i64 {
        match self {
            Level::Hour => hour,
            Level::Day => hour / 24,
        }
    }

    /// The table of receipts by `what` at this level.
    pub(crate) fn table(self, what: By) -> &'static str {
        match (self, what) {
            (Level::Hour, By::Block) => "agg_recv_block",
            (Level::Hour, By::Recipient) => "agg_recv_recipient",
            (Level::Hour, By::Channel) => "agg_recv_channel",
            (Level::Day, By::Block) => "agg_day_block",
            (Level::Day, By::Recipient) => "agg_day_recipient",
            (Level::Day, By::Channel) => "agg_day_channel",
        }
    }

    /// The name of the bucket column.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Level::Hour => "hour",
            Level::Day => "day",
        }
    }
}

fn apply(tx: &Transaction<'_>, c: &Contribution, s: i64) -> Result<(), StoreError> {
    for level in [Level::Hour, Level::Day] {
        let bucket = level.bucket(c.hour);
        add_recv_block(tx, level, bucket, &c.block, s)?;
        add_recv_recipient(tx, level, bucket, c.rid, c.recipient.map(|v| v * s), 1)?;
        if let Some(f) = c.first_response {
            add_recv_channel(tx, level, bucket, &c.channel, f.map(|v| v * s))?;
        }
    }
    if c.open {
        add_open(tx, &c.block, c.rid, s)?;
    }
    Ok(())
}

/// Adds `values` to the row with `keys` of a summary table, creating it when missing:
/// a plain one-row `UPDATE`, then an `INSERT` when it changed nothing (see `count`).
fn add_row(
    tx: &Transaction<'_>,
    table: &str,
    keys: [(&str, &dyn ToValue); 2],
    values: &[(&str, i64)],
) -> Result<(), StoreError> {
    let mut args: Vec<&dyn ToValue> = vec![keys[0].1, keys[1].1];
    args.extend(values.iter().map(|(_, v)| v as &dyn ToValue));
    let (update, insert) = statements(table, [keys[0].0, keys[1].0], values);
    if tx.prepare_cached(&update)?.execute(args.as_slice())? == 0 {
        tx.prepare_cached(&insert)?.execute(args.as_slice())?;
    }
    Ok(())
}

/// The `UPDATE` and `INSERT` of `add_row` for a table, built once per thread (an import's
/// flush writes hundreds of thousands of rows).
fn statements(
    table: &str,
    keys: [&str; 2],
    values: &[(&str, i64)],
) -> (std::rc::Rc<str>, std::rc::Rc<str>) {
    type Sql = (std::rc::Rc<str>, std::rc::Rc<str>);
    thread_local! {
        static BUILT: std::cell::RefCell<std::collections::HashMap<String, Sql>> = Default::default();
    }
    BUILT.with(|built| {
        if let Some(s) = built.borrow().get(table) {
            return s.clone();
        }
        let set: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, (c, _))| format!("{c} = {c} + ?{}", i + 3))
            .collect();
        let update = format!(
            "UPDATE {table} SET {} WHERE {} = ?1 AND {} = ?2",
            set.join(", "),
            keys[0],
            keys[1]
        );
        let cols: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
        let marks: Vec<String> = (1..=values.len() + 2).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}, {}, {}) VALUES ({})",
            keys[0],
            keys[1],
            cols.join(", "),
            marks.join(", ")
        );
        let s: Sql = (update.into(), insert.into());
        built.borrow_mut().insert(table.to_owned(), s.clone());
        s
    })
}

fn add_recv_block(
    tx: &Transaction<'_>,
    level: Level,
    bucket: i64,
    block: &str,
    n: i64,
) -> Result<(), StoreError> {
    add_row(
        tx,
        level.table(By::Block),
        [(level.column(), &bucket), ("block", &block)],
        &[("n", n)],
    )
}

/// The counters of `agg_*_recipient`, in the order of `recipient_values`.
const RECIPIENT_COLUMNS: [&str; 8] = [
    "volume",
    "answered",
    "on_time",
    "open",
    "graded",
    "substantive",
    "rated",
    "good",
];

fn add_recv_recipient(
    tx: &Transaction<'_>,
    level: Level,
    bucket: i64,
    rid: i64,
    r: [i64; 8],
    touched: i64,
) -> Result<(), StoreError> {
    let mut values: Vec<(&str, i64)> = RECIPIENT_COLUMNS.iter().copied().zip(r).collect();
    values.push(("touched", touched));
    add_row(
        tx,
        level.table(By::Recipient),
        [(level.column(), &bucket), ("rid", &rid)],
        &values,
    )
}

fn add_recv_channel(
    tx: &Transaction<'_>,
    level: Level,
    bucket: i64,
    channel: &str,
    f: [i64; 4],
) -> Result<(), StoreError> {
    add_row(
        tx,
        level.table(By::Channel),
        [(level.column(), &bucket), ("channel", &channel)],
        &CHANNEL_COLUMNS.iter().copied().zip(f).collect::<Vec<_>>(),
    )
}

fn add_open(tx: &Transaction<'_>, block: &str, rid: i64, n: i64) -> Result<(), StoreError> {
    add_row(
        tx,
        "agg_open",
        [("block", &block), ("rid", &rid)],
        &[("n", n)],
    )
}

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
-- (Migration 7 recreates it ordered by receipt.)
CREATE INDEX appeals_open_pending ON appeals (answer_due, received_at, responsible_id)
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

/// The daily summaries, filled from the hourly ones, and the index of open appeals by receipt
/// (migration 7). The index replaces one ordered by deadline: the readers now ask for the open
/// appeals received in a day or a few hours, not for all those not due yet.
pub(crate) const DAYS: &str = r#"
CREATE TABLE agg_day_block (
    day INTEGER NOT NULL, block TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, block)
) WITHOUT ROWID;
CREATE TABLE agg_day_recipient (
    day INTEGER NOT NULL, rid INTEGER NOT NULL,
    volume INTEGER NOT NULL, answered INTEGER NOT NULL, on_time INTEGER NOT NULL,
    open INTEGER NOT NULL, graded INTEGER NOT NULL, substantive INTEGER NOT NULL,
    rated INTEGER NOT NULL, good INTEGER NOT NULL, touched INTEGER NOT NULL,
    PRIMARY KEY (day, rid)
) WITHOUT ROWID;
CREATE TABLE agg_day_channel (
    day INTEGER NOT NULL, channel TEXT NOT NULL,
    total INTEGER NOT NULL, on_time INTEGER NOT NULL, late INTEGER NOT NULL, pending INTEGER NOT NULL,
    PRIMARY KEY (day, channel)
) WITHOUT ROWID;
INSERT INTO agg_day_block (day, block, n)
    SELECT hour / 24, block, SUM(n) FROM agg_recv_block GROUP BY 1, 2;
INSERT INTO agg_day_recipient (day, rid, volume, answered, on_time, open, graded, substantive, rated, good, touched)
    SELECT hour / 24, rid, SUM(volume), SUM(answered), SUM(on_time), SUM(open), SUM(graded),
           SUM(substantive), SUM(rated), SUM(good), SUM(touched)
    FROM agg_recv_recipient GROUP BY 1, 2;
INSERT INTO agg_day_channel (day, channel, total, on_time, late, pending)
    SELECT hour / 24, channel, SUM(total), SUM(on_time), SUM(late), SUM(pending)
    FROM agg_recv_channel GROUP BY 1, 2;

DROP INDEX appeals_open_pending;
CREATE INDEX appeals_open_pending ON appeals (received_at, answer_due, responsible_id)
    WHERE is_open = 1;
"#;

/// Fills the derived column and the summaries from the existing appeals. Runs once, in the
/// migration's transaction; from then on `save()` keeps them exact (`count`).
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
    fill(tx)
}

/// Fills the hourly summaries and the open appeals from the stored appeals (empty tables).
fn fill(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let sum = |cols: Vec<String>| -> String {
        cols.iter()
            .map(|c| format!("SUM({c})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fill = format!(
        "INSERT INTO agg_recv_block (hour, block, n) \
         SELECT received_at / 3600, COALESCE(block, ''), COUNT(*) FROM appeals AS a GROUP BY 1, 2;\n\
         INSERT INTO agg_recv_recipient (hour, rid, volume, answered, on_time, open, graded, substantive, rated, good, touched) \
         SELECT received_at / 3600, COALESCE(responsible_id, 0), {rv}, 0 FROM appeals AS a GROUP BY 1, 2;\n\
         INSERT INTO agg_recv_channel (hour, channel, total, on_time, late, pending) \
         SELECT received_at / 3600, channel, {cv} FROM appeals AS a WHERE first_response_due IS NOT NULL GROUP BY 1, 2;\n\
         INSERT INTO agg_open (block, rid, n) \
         SELECT COALESCE(block, ''), COALESCE(responsible_id, 0), COUNT(*) FROM appeals AS a WHERE is_open = 1 GROUP BY 1, 2;\n",
        rv = sum(recipient_values("a", "1")),
        cv = sum(channel_values("a", "1")),
    );
    tx.execute_batch(&fill)?;
    Ok(())
}

/// Fills the summaries afresh from the stored appeals (migration 10: what counts as answered
/// changed, so the sums kept so far are recomputed with the new definitions). The derived column
/// stays; the `touched` counters start again from zero.
pub(crate) fn refill(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "DELETE FROM agg_recv_block; DELETE FROM agg_recv_recipient; DELETE FROM agg_recv_channel; \
         DELETE FROM agg_open; DELETE FROM agg_day_block; DELETE FROM agg_day_recipient; \
         DELETE FROM agg_day_channel;",
    )?;
    fill(tx)?;
    tx.execute_batch(
        "INSERT INTO agg_day_block (day, block, n) \
             SELECT hour / 24, block, SUM(n) FROM agg_recv_block GROUP BY 1, 2; \
         INSERT INTO agg_day_recipient (day, rid, volume, answered, on_time, open, graded, substantive, rated, good, touched) \
             SELECT hour / 24, rid, SUM(volume), SUM(answered), SUM(on_time), SUM(open), SUM(graded), \
                    SUM(substantive), SUM(rated), SUM(good), SUM(touched) \
             FROM agg_recv_recipient GROUP BY 1, 2; \
         INSERT INTO agg_day_channel (day, channel, total, on_time, late, pending) \
             SELECT hour / 24, channel, SUM(total), SUM(on_time), SUM(late), SUM(pending) \
             FROM agg_recv_channel GROUP BY 1, 2;",
    )?;
    Ok(())
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

/// `[lo, hi)` cut into what each level answers: the whole UTC days inside it, the whole hours
/// at its ends outside those days, and the pieces of hours at its very ends, which are read from
/// `appeals` directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// Runs of buckets `[first, after last)` of a summary level: at most one run of days and
    /// two of hours.
    pub buckets: Vec<(Level, i64, i64)>,
    /// Pieces in seconds.
    pub raw: Vec<(i64, i64)>,
}

pub(crate) fn split(lo: i64, hi: i64) -> Split {
    let mut out = Split {
        buckets: Vec::new(),
        raw: Vec::new(),
    };
    if hi <= lo {
        return out;
    }
    // Negative instants would need floor division; they do not occur, so read them directly.
    let b0 = if lo >= 0 { (lo + HOUR - 1) / HOUR } else { 0 };
    let b1 = if hi >= 0 { hi / HOUR } else { 0 };
    if lo < 0 || b0 >= b1 {
        out.raw.push((lo, hi));
        return out;
    }
    if lo < b0 * HOUR {
        out.raw.push((lo, b0 * HOUR));
    }
    if b1 * HOUR < hi {
        out.raw.push((b1 * HOUR, hi));
    }
    let (d0, d1) = ((b0 + 23) / 24, b1 / 24);
    if d0 < d1 {
        out.buckets.push((Level::Day, d0, d1));
        if b0 < d0 * 24 {
            out.buckets.push((Level::Hour, b0, d0 * 24));
        }
        if d1 * 24 < b1 {
            out.buckets.push((Level::Hour, d1 * 24, b1));
        }
    } else {
        out.buckets.push((Level::Hour, b0, b1));
    }
    out
}

impl Level {
    /// The instants `[lo, hi)` of a run of buckets.
    pub(crate) fn seconds(self, first: i64, after: i64) -> (i64, i64) {
        let len = match self {
            Level::Hour => HOUR,
            Level::Day => 24 * HOUR,
        };
        (first * len, after * len)
    }
}

/// What the ranking needs per recipient from the appeals behind a run of buckets (a day, or the
/// whole hours at the end of a period) that the summaries cannot give: the first-response times
/// and the open appeals not due yet. Remembered per run with the sum of the `touched` counters of
/// its buckets — an equal sum means no appeal there changed — so a refresh after one change reads
/// one day again, not the month.
#[derive(Debug, Default)]
pub(crate) struct ChunkCache {
    entries: std::collections::HashMap<(i64, i64), Chunk>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Chunk {
    pub touched: i64,
    /// First-response working hours per recipient id.
    pub times: Option<std::rc::Rc<Times>>,
    pub pending: Option<Pending>,
}

/// Open appeals not due yet (or without a deadline) per recipient id, counted at `at`; still
/// right at any instant in `[at, until]`: the earliest counted deadline is `until`.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub at: i64,
    pub until: i64,
    pub counts: std::rc::Rc<std::collections::BTreeMap<i64, u32>>,
}

/// First-response working hours per recipient id.
pub(crate) type Times = std::collections::BTreeMap<i64, Vec<f64>>;

impl ChunkCache {
    /// The entry of the run `[lo, hi)` (seconds) if nothing in it changed since it was stored.
    pub(crate) fn get(&self, range: (i64, i64), touched: i64) -> Option<&Chunk> {
        self.entries.get(&range).filter(|c| c.touched == touched)
    }

    pub(crate) fn put(&mut self, range: (i64, i64), chunk: Chunk) {
        // Days of a few months and the hours at their ends; beyond that start afresh.
        const KEEP: usize = 512;
        if self.entries.len() >= KEEP && !self.entries.contains_key(&range) {
            self.entries.clear();
        }
        self.entries.insert(range, chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_into_days_hours_and_pieces() {
        let h = |a, b| (Level::Hour, a, b);
        assert_eq!(
            split(3600, 7200),
            Split {
                buckets: vec![h(1, 2)],
                raw: vec![]
            }
        );
        assert_eq!(
            split(3599, 7201),
            Split {
                buckets: vec![h(1, 2)],
                raw: vec![(3599, 3600), (7200, 7201)]
            }
        );
        assert_eq!(
            split(3601, 7199),
            Split {
                buckets: vec![],
                raw: vec![(3601, 7199)]
            }
        );
        // 21:00 of day 0 to 09:30 of day 3: the hours to midnight, days 1 and 2, the hours of
        // day 3 to 09:00, and the half hour.
        let day = 86_400;
        assert_eq!(
            split(21 * 3600, 3 * day + 9 * 3600 + 1800),
            Split {
                buckets: vec![(Level::Day, 1, 3), h(21, 24), h(72, 81)],
                raw: vec![(3 * day + 9 * 3600, 3 * day + 9 * 3600 + 1800)]
            }
        );
        // Exactly whole days.
        assert_eq!(split(day, 3 * day).buckets, vec![(Level::Day, 1, 3)]);
        assert_eq!(split(-5, 10).raw, vec![(-5, 10)]);
        assert!(split(10, 10).raw.is_empty() && split(10, 10).buckets.is_empty());
    }
}

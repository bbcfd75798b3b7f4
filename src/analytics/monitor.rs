//! Monitoring at an instant: what is open, overdue and at risk, per block and per recipient.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Period;
use crate::domain::Blocks;
use crate::store::{FirstResponseCounts, OpenCounts, Store, StoreError};

/// Weeks in the sparkline.
pub const WEEKS: usize = 8;

/// One block's line of the «Просрочено по блокам» panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockLine {
    /// The block id; `None` for appeals not sorted into a block yet.
    pub block: Option<String>,
    /// Russian name («без блока» when none).
    pub name: String,
    pub open: u32,
    pub overdue: u32,
    pub at_risk: u32,
    /// How long the oldest overdue appeal has been overdue, in working days.
    pub oldest_overdue_wd: Option<i64>,
    /// Appeals received per week, oldest first; the last is the seven days up to `now`.
    pub weekly: Vec<u32>,
}

/// One recipient's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecipientLine {
    pub recipient: String,
    pub open: u32,
    pub overdue: u32,
    pub at_risk: u32,
    pub oldest_overdue_wd: Option<i64>,
}

/// Everything the console's monitoring panels show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Monitoring {
    pub now: DateTime<Utc>,
    pub blocks: Vec<BlockLine>,
    pub recipients: Vec<RecipientLine>,
    /// Open appeals nobody is responsible for yet.
    pub unassigned_open: u32,
    pub unassigned_overdue: u32,
    /// First-response timeliness of the current month, per channel that has such a deadline.
    pub first_response: Vec<FirstResponseCounts>,
}

/// Computes the monitoring figures at `now`.
pub fn monitoring(store: &Store, now: DateTime<Utc>) -> Result<Monitoring, StoreError> {
    let reference = store.reference().clone();
    let cal = &reference.calendar;
    let tz = cal.timezone();
    // "At risk": due within the next working day (the next 8 working hours).
    let risk_end = cal.add_working_hours(now, 8).unwrap_or(now);
    // In the same working days as the list's «−N р.д.» of that appeal (`wording::TimeLeft`).
    let age = |c: &OpenCounts| {
        c.oldest_overdue_due.and_then(|due| {
            crate::domain::wording::TimeLeft::of(cal, now, Some(due), true).days_overdue()
        })
    };

    let open = store.open_by_block(now, risk_end)?;
    let weekly = store.weekly_by_block(now, WEEKS)?;
    let blocks = block_lines(&reference.blocks, &open, &weekly, age);

    let by_recipient = store.open_by_recipient(now, risk_end)?;
    let mut recipients = Vec::new();
    let (mut unassigned_open, mut unassigned_overdue) = (0, 0);
    for (k, c) in &by_recipient {
        match k {
            Some(name) => recipients.push(RecipientLine {
                recipient: name.clone(),
                open: c.open,
                overdue: c.overdue,
                at_risk: c.at_risk,
                oldest_overdue_wd: age(c),
            }),
            None => {
                unassigned_open = c.open;
                unassigned_overdue = c.overdue;
            }
        }
    }
    recipients.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.open.cmp(&a.open))
            .then_with(|| a.recipient.cmp(&b.recipient))
    });

    let (from, to) = Period::month_to_date(now, tz).bounds(tz);
    let first_response = store.first_response_counts(from, to, now)?;
    Ok(Monitoring {
        now,
        blocks,
        recipients,
        unassigned_open,
        unassigned_overdue,
        first_response,
    })
}

fn block_lines(
    blocks: &Blocks,
    open: &std::collections::BTreeMap<Option<String>, OpenCounts>,
    weekly: &std::collections::BTreeMap<Option<String>, Vec<u32>>,
    age: impl Fn(&OpenCounts) -> Option<i64>,
) -> Vec<BlockLine> {
    let empty = OpenCounts::default();
    let line = |key: Option<String>, name: String| {
        let c = open.get(&key).unwrap_or(&empty);
        BlockLine {
            weekly: weekly.get(&key).cloned().unwrap_or_else(|| vec![0; WEEKS]),
            oldest_overdue_wd: age(c),
            open: c.open,
            overdue: c.overdue,
            at_risk: c.at_risk,
            block: key,
            name,
        }
    };
    let mut out: Vec<BlockLine> = blocks
        .all()
        .iter()
        .map(|b| line(Some(b.id.clone()), b.name.clone()))
        .collect();
    // Blocks no longer in the list but still on appeals, then the unsorted ones.
    for k in open.keys().chain(weekly.keys()) {
        if let Some(id) = k
            && blocks.get(id).is_none()
            && !out.iter().any(|l| l.block.as_deref() == Some(id))
        {
            out.push(line(Some(id.clone()), id.clone()));
        }
    }
    out.push(line(None, "без блока".to_string()));
    out
}

//! `mcu stats`: counts by channel, block and status for a period.

use chrono::Days;
use clap::Args;

use super::output::print_json;
use super::{CmdResult, date_arg, day_start};
use crate::store::ListFilter;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// First day of the period (local date, inclusive)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period (local date, inclusive)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// The instant overdue is judged at (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

pub fn run(ws: &Workspace, a: StatsArgs) -> CmdResult {
    let store = ws.store()?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let from = a
        .from
        .as_deref()
        .map(|s| date_arg(s, "--from"))
        .transpose()?;
    let to = a.to.as_deref().map(|s| date_arg(s, "--to")).transpose()?;
    let filter = ListFilter {
        from: from.map(|d| day_start(d, tz)),
        to: to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(|d| day_start(d, tz)),
        ..Default::default()
    };
    let s = store.stats(&filter, now)?;
    if a.json {
        print_json(&s)?;
        return Ok(0);
    }
    println!(
        "Всего: {}   открыто: {}   просрочено: {}",
        s.total, s.open, s.overdue
    );
    println!();
    println!("По каналам:");
    for (k, v) in &s.by_channel {
        let label = k
            .parse::<crate::domain::Channel>()
            .map_or(k.as_str(), |c| c.label_ru());
        println!("  {label:<14} {v:>8}");
    }
    println!("По блокам (просрочено):");
    for (k, v) in &s.by_block {
        let name = if k == "unassigned" {
            "без блока"
        } else {
            reference.blocks.name_of(k)
        };
        let over = s.overdue_by_block.get(k).copied().unwrap_or(0);
        println!("  {name:<14} {v:>8}  ({over})");
    }
    println!("По статусам:");
    for (k, v) in &s.by_status {
        let label = k
            .parse::<crate::domain::Status>()
            .map_or(k.as_str(), |s| s.label_ru());
        println!("  {label:<20} {v:>8}");
    }
    Ok(0)
}

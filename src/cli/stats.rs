//! `mcu stats`: counts by channel, block and status for a period.

use chrono::Days;
use clap::Args;

use super::output::fit;
use super::output::print_json;
use super::{CmdResult, date_arg, day_start};
use crate::analytics;
use crate::store::{Dimension, ListFilter};
use crate::textwidth::sparkline;
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
    /// Counts per settlement, channel, block, recipient or source category, with the share overdue
    #[arg(long, value_name = "DIM")]
    by: Option<Dimension>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

pub fn run(ws: &Workspace, a: StatsArgs) -> CmdResult {
    let (store, _grants) = super::session(ws)?;
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
    if let Some(dim) = a.by {
        let groups = store.counts_by(dim, filter.from, filter.to, now)?;
        if a.json {
            print_json(&groups)?;
            return Ok(0);
        }
        println!(
            "{:<44} {:>8} {:>8} {:>10} {:>7}",
            "", "ВСЕГО", "ОТКРЫТО", "ПРОСРОЧЕНО", "ДОЛЯ"
        );
        for g in &groups {
            let key = match (dim, g.key.as_deref()) {
                (_, None) => "(не указано)".to_string(),
                (Dimension::Block, Some(k)) => reference.blocks.name_of(k).to_string(),
                (Dimension::Channel, Some(k)) => k
                    .parse::<crate::domain::Channel>()
                    .map_or(k.to_string(), |c| c.label_ru().to_string()),
                (_, Some(k)) => k.to_string(),
            };
            println!(
                "{} {:>8} {:>8} {:>10} {:>6.0}%",
                fit(&key, 44),
                g.total,
                g.open,
                g.overdue,
                g.overdue_share * 100.0
            );
        }
        return Ok(0);
    }
    let s = store.stats(&filter, now)?;
    let monitoring = analytics::monitoring(&store, now)?;
    if a.json {
        let mut v = serde_json::to_value(&s)?;
        v["monitoring"] = serde_json::to_value(&monitoring)?;
        print_json(&v)?;
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
    println!();
    println!(
        "Сейчас по блокам: {:<14} {:>7} {:>7} {:>9} {:>10}  ЗА 8 НЕДЕЛЬ",
        "", "ОТКРЫТО", "РИСК", "ПРОСРОЧЕНО", "СТАРЕЙШЕЕ"
    );
    for b in &monitoring.blocks {
        println!(
            "  {} {:>7} {:>7} {:>9} {:>10}  {}",
            fit(&b.name, 30),
            b.open,
            b.at_risk,
            b.overdue,
            b.oldest_overdue_wd
                .map_or("—".into(), |d| format!("{d} р.д.")),
            sparkline(&b.weekly)
        );
    }
    println!(
        "Не назначено ответственного: {} (просрочено {})",
        monitoring.unassigned_open, monitoring.unassigned_overdue
    );
    println!("По статусам:");
    for (k, v) in &s.by_status {
        let label = k
            .parse::<crate::domain::Status>()
            .map_or(k.as_str(), |s| s.label_ru());
        println!("  {label:<20} {v:>8}");
    }
    Ok(0)
}

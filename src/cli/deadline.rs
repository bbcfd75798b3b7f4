//! `mcu deadline`: the deadlines of an appeal received at a given time.

use clap::Args;
use serde_json::json;

use super::CmdResult;
use super::output::{json_time, print_json, short};
use crate::domain::{Channel, SlaInput};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct DeadlineArgs {
    /// Channel (im, pos, letter, messenger, page, phone, other)
    #[arg(long, value_name = "CH")]
    channel: Channel,
    /// An обращение under 59-ФЗ (letters always are)
    #[arg(long)]
    fz59: bool,
    /// Urgent (ИМ-like channels: 4 working hours instead of 8)
    #[arg(long)]
    urgent: bool,
    /// When it was received (RFC 3339, or YYYY-MM-DD HH:MM / DD.MM.YYYY HH:MM in the workspace zone)
    #[arg(long, value_name = "TS")]
    received: String,
    /// When an interim answer was given (ИМ-like channels: the final answer is then due 7 working days later)
    #[arg(long, value_name = "TS")]
    interim: Option<String>,
    /// The 59-ФЗ deadline was extended once
    #[arg(long)]
    extended: bool,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

pub fn run(ws: &Workspace, a: DeadlineArgs) -> CmdResult {
    let reference = ws.reference()?;
    let tz = reference.calendar.timezone();
    let received_at = super::instant(Some(&a.received), tz, "--received")?;
    let interim_at = super::instant_opt(a.interim.as_deref(), tz, "--interim")?;
    let d = reference.sla.deadlines(
        &reference.calendar,
        &SlaInput {
            channel: a.channel,
            fz59: a.fz59,
            urgent: a.urgent,
            received_at,
            interim_at,
            extended: a.extended,
        },
    )?;
    if a.json {
        print_json(&json!({
            "first_response_due": json_time(d.first_response_due, tz),
            "answer_due": json_time(d.answer_due, tz),
            "register_due": json_time(d.register_due, tz),
        }))?;
    } else {
        let show = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map_or("—".to_string(), |t| short(t, tz))
        };
        println!("received:            {}", short(received_at, tz));
        println!("registration due:    {}", show(d.register_due));
        println!("first response due:  {}", show(d.first_response_due));
        println!("answer due:          {}", show(d.answer_due));
    }
    Ok(0)
}

//! `mcu add`: an appeal taken by hand (a phone call, a visitor), triaged at once.

use clap::Args;
use serde_json::json;

use super::CmdResult;
use super::output::print_json;
use crate::domain::Channel;
use crate::ingest::hand::{HandAppeal, add_appeal};
use crate::store::Actor;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct AddArgs {
    /// How it came: phone, other (a visitor at the reception), letter, …
    #[arg(long, value_name = "CH")]
    channel: Channel,
    /// What the citizen said
    #[arg(long)]
    text: String,
    /// Who (name)
    #[arg(long)]
    author: Option<String>,
    /// How to reach them (phone, e-mail)
    #[arg(long)]
    contact: Option<String>,
    /// The settlement it is about
    #[arg(long)]
    settlement: Option<String>,
    /// When it was received (default: now)
    #[arg(long, value_name = "TS")]
    received: Option<String>,
    /// The time recorded for the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output: the new appeal's id and source id
    #[arg(long)]
    json: bool,
}

pub fn run(ws: &Workspace, a: AddArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    super::require(grants.may_import(), "taking appeals down")?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let received_at = super::instant_opt(a.received.as_deref(), tz, "--received")?;
    let triage = store.load_triage(Some(ws.root()))?;
    let actor = Actor::operator(grants, "cli");
    let hand = HandAppeal {
        channel: Some(a.channel),
        text: a.text,
        author: a.author,
        contact: a.contact,
        settlement: a.settlement,
        received_at,
    };
    let added = add_appeal(&mut store, Some(&triage), &actor, &hand, now)?;
    if a.json {
        let block = store.get(added.id)?.and_then(|a| a.block);
        print_json(&json!({
            "id": added.id,
            "channel": added.channel.id(),
            "source_id": added.source_id,
            "block": block,
        }))?;
    } else {
        println!(
            "appeal {} ({}:{}) added",
            added.id,
            added.channel.id(),
            added.source_id
        );
        if let Some(a) = store.get(added.id)?
            && let Some(b) = &a.block
        {
            println!("auto-triage: block {b}");
        }
    }
    Ok(0)
}

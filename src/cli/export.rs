//! `mcu export`: appeals as a CSV file (UTF-8 with BOM, `;`, opens in Excel). Personal data only
//! when asked (`--with-personal-data`) by a role that may export it; masked otherwise. Text cells
//! that a spreadsheet would take for a formula are neutralised (`domain::csv_cell`).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{CmdResult, Failure, require, session};
use crate::domain::access::redact;
use crate::domain::{Channel, Status, csv_cell};
use crate::store::{Cursor, ListFilter};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Only this status
    #[arg(long, value_name = "S")]
    status: Option<Status>,
    /// Only this block id
    #[arg(long, value_name = "B")]
    block: Option<String>,
    /// Only this channel
    #[arg(long, value_name = "C")]
    channel: Option<Channel>,
    /// Include authors, contacts and addresses in full (roles head and coordinator only)
    #[arg(long)]
    with_personal_data: bool,
    /// Write here (default: standard output)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print a summary as JSON (the file, the rows written); needs --output
    #[arg(long, requires = "output")]
    json: bool,
}

pub fn run(ws: &Workspace, a: ExportArgs) -> CmdResult {
    let (store, grants) = session(ws)?;
    if a.with_personal_data {
        require(
            grants.may_export_personal_data(),
            "exporting personal data (head or coordinator only)",
        )?;
    }
    let tz = store.reference().calendar.timezone();
    let filter = ListFilter {
        status: a.status,
        block: a.block.map(Some),
        channel: a.channel,
        blocks_in: (!grants.sees_everything()).then(|| grants.blocks.clone()),
        ..Default::default()
    };
    let out: Box<dyn Write> = match &a.output {
        Some(p) => Box::new(crate::workspace::create_file(p).map_err(|e| Failure {
            code: 1,
            message: format!("{}: {e}", p.display()),
        })?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record([
        "id",
        "channel",
        "source_id",
        "received_at",
        "block",
        "status",
        "responsible",
        "settlement",
        "author",
        "contact",
        "address",
        "text",
        "answer_due",
        "answered_at",
        "answer",
        "quality",
        "rating",
        "first_response_at",
        "interim_answer",
    ])?;
    let t = |v: Option<chrono::DateTime<chrono::Utc>>| {
        v.map(|v| v.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut cursor = None;
    let mut n = 0u64;
    loop {
        let page = store.list(&filter, cursor, 5000)?;
        let Some(last) = page.last() else { break };
        cursor = Some(Cursor::after(last));
        for x in &page {
            let x = if a.with_personal_data {
                x.clone()
            } else {
                // Exports mask personal data unless asked for, whoever runs them.
                let mut observer = grants.clone();
                observer.roles = vec![crate::domain::access::Role::Observer];
                redact(x, &observer)
            };
            let text = |v: &str| csv_cell::text(v).into_owned();
            let opt = |v: &Option<String>| text(v.as_deref().unwrap_or_default());
            w.write_record([
                x.id.to_string(),
                x.channel.id().to_string(),
                text(&x.source_id),
                t(Some(x.received_at)),
                opt(&x.block),
                x.status.id().to_string(),
                opt(&x.responsible),
                opt(&x.settlement),
                opt(&x.author),
                opt(&x.contact),
                opt(&x.address),
                text(&x.text),
                t(x.deadlines.answer_due),
                t(x.answered_at),
                opt(&x.answer),
                x.quality.map(|q| q.id().to_string()).unwrap_or_default(),
                x.rating.map(|r| r.to_string()).unwrap_or_default(),
                t(x.first_response_at),
                opt(&x.interim_answer),
            ])?;
            n += 1;
        }
    }
    w.flush()?;
    tracing::info!(operator = %grants.login, rows = n, personal_data = a.with_personal_data, "export");
    if a.json {
        super::output::print_json(&serde_json::json!({
            "file": a.output.as_ref().map(|p| p.display().to_string()),
            "rows": n,
            "personal_data": a.with_personal_data,
        }))?;
    } else if a.output.is_some() {
        eprintln!("exported {n} appeals");
    }
    Ok(0)
}

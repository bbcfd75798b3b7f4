//! Shared output helpers: local times, truncation by display width, JSON views of appeals.

pub use crate::textwidth::fit;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::domain::{Appeal, Blocks};
use crate::store::Event;

/// An instant in the workspace zone, RFC 3339 with the offset.
pub fn rfc3339(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).to_rfc3339()
}

/// An optional instant as RFC 3339 with offset, or JSON null.
pub fn json_time(t: Option<DateTime<Utc>>, tz: Tz) -> Value {
    t.map_or(Value::Null, |t| Value::String(rfc3339(t, tz)))
}

/// `DD.MM.YYYY HH:MM` in the workspace zone.
pub fn short(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
}

/// The JSON view of an appeal: canonical field names, times with the workspace offset.
pub fn appeal_json(a: &Appeal, blocks: &Blocks, tz: Tz, now: DateTime<Utc>) -> Value {
    json!({
        "id": a.id,
        "channel": a.channel.id(),
        "source_id": a.source_id,
        "received_at": rfc3339(a.received_at, tz),
        "text": a.text,
        "author": a.author,
        "contact": a.contact,
        "settlement": a.settlement,
        "address": a.address,
        "url": a.url,
        "category": a.category,
        "fz59": a.fz59,
        "block": a.block,
        "block_name": a.block.as_deref().map(|b| blocks.name_of(b).to_string()),
        "responsible": a.responsible,
        "status": a.status.id(),
        "urgent": a.urgent,
        "conflict": a.conflict,
        "first_response_at": json_time(a.first_response_at, tz),
        "interim_answer": a.interim_answer,
        "answered_at": json_time(a.answered_at, tz),
        "answer": a.answer,
        "quality": a.quality.map(|q| q.id()),
        "rating": a.rating,
        "lat": a.lat,
        "lon": a.lon,
        "duplicate_of": a.duplicate_of,
        "extension_reason": a.extension_reason,
        "reopen_count": a.reopen_count,
        "reopened_at": json_time(a.reopened_at, tz),
        "interim_after_reopen_at": json_time(a.interim_after_reopen_at, tz),
        "register_due": json_time(a.deadlines.register_due, tz),
        "first_response_due": json_time(a.deadlines.first_response_due, tz),
        "answer_due": json_time(a.deadlines.answer_due, tz),
        "overdue": a.is_overdue(now),
        "version": a.version,
    })
}

/// The JSON view of a history event.
pub fn event_json(e: &Event, tz: Tz) -> Value {
    json!({
        "at": rfc3339(e.at, tz),
        "operator": e.operator,
        "source": e.source,
        "field": e.field,
        "old": e.old,
        "new": e.new,
    })
}

/// Prints JSON, pretty.
pub fn print_json(v: &impl serde::Serialize) -> Result<(), super::Failure> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

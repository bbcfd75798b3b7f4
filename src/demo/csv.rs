//! The canonical CSV: one column per canonical field (header = the canonical names), `;`,
//! UTF-8, times in RFC 3339 with the workspace's offset. Written row by row, in constant memory.

use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{DateTime, Datelike, Offset, Timelike, Utc};
use chrono_tz::Tz;

use super::Generated;
use crate::domain::Channel;
use crate::ingest::IncomingAppeal;

/// The canonical field names, in the order of the columns.
pub const CANONICAL_HEADER: [&str; 23] = [
    "id",
    "channel",
    "received_at",
    "text",
    "author",
    "contact",
    "settlement",
    "address",
    "url",
    "category",
    "fz59",
    "block",
    "responsible",
    "status",
    "urgent",
    "conflict",
    "first_response_at",
    "answered_at",
    "answer",
    "quality",
    "rating",
    "lat",
    "lon",
];

/// A canonical CSV being written.
pub struct CanonicalCsv<W: Write> {
    out: csv::Writer<W>,
    tz: Tz,
    scratch: String,
    rows: u64,
}

impl<W: Write> CanonicalCsv<W> {
    /// Starts a file: writes the header. Times are written in `tz`.
    pub fn new(out: W, tz: Tz) -> io::Result<Self> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(b';')
            .buffer_capacity(1 << 16)
            .from_writer(out);
        out.write_record(CANONICAL_HEADER)
            .map_err(io::Error::other)?;
        Ok(Self {
            out,
            tz,
            scratch: String::with_capacity(64),
            rows: 0,
        })
    }

    /// Writes one appeal.
    pub fn write(&mut self, channel: Channel, a: &IncomingAppeal) -> io::Result<()> {
        let tz = self.tz;
        let w = &mut self.out;
        let s = &mut self.scratch;
        let field = |w: &mut csv::Writer<W>, v: &[u8]| w.write_field(v);
        let e = io::Error::other;
        field(w, a.source_id.as_bytes()).map_err(e)?;
        field(w, a.channel.unwrap_or(channel).id().as_bytes()).map_err(e)?;
        time(s, a.received_at, tz);
        field(w, s.as_bytes()).map_err(e)?;
        field(w, a.text.as_bytes()).map_err(e)?;
        for v in [
            &a.author,
            &a.contact,
            &a.settlement,
            &a.address,
            &a.url,
            &a.category,
        ] {
            field(w, v.as_deref().unwrap_or("").as_bytes()).map_err(e)?;
        }
        field(w, flag(a.fz59)).map_err(e)?;
        field(w, a.block.as_deref().unwrap_or("").as_bytes()).map_err(e)?;
        field(w, a.responsible.as_deref().unwrap_or("").as_bytes()).map_err(e)?;
        field(w, a.status.map_or("", |s| s.id()).as_bytes()).map_err(e)?;
        field(w, flag(a.urgent)).map_err(e)?;
        field(w, flag(a.conflict)).map_err(e)?;
        for t in [a.first_response_at, a.answered_at] {
            s.clear();
            if let Some(t) = t {
                time(s, t, tz);
            }
            field(w, s.as_bytes()).map_err(e)?;
        }
        field(w, a.answer.as_deref().unwrap_or("").as_bytes()).map_err(e)?;
        field(w, a.quality.map_or("", |q| q.id()).as_bytes()).map_err(e)?;
        s.clear();
        if let Some(r) = a.rating {
            let _ = write!(s, "{r}");
        }
        field(w, s.as_bytes()).map_err(e)?;
        for c in [a.lat, a.lon] {
            s.clear();
            if let Some(c) = c {
                let _ = write!(s, "{c}");
            }
            field(w, s.as_bytes()).map_err(e)?;
        }
        w.write_record(None::<&[u8]>).map_err(e)?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes and returns the number of rows written.
    pub fn finish(mut self) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

fn flag(v: Option<bool>) -> &'static [u8] {
    match v {
        Some(true) => b"true",
        Some(false) => b"false",
        None => b"",
    }
}

/// RFC 3339 with the zone's offset, seconds precision: `2026-11-28T12:00:00+03:00`.
pub(crate) fn time(out: &mut String, t: DateTime<Utc>, tz: Tz) {
    out.clear();
    let l = t.with_timezone(&tz);
    let off = l.offset().fix().local_minus_utc();
    let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second(),
        off / 3600,
        off % 3600 / 60
    );
}

/// Writes a whole stream of generated appeals as canonical CSV; returns the number of rows.
pub fn write_canonical_csv<W: Write>(
    out: W,
    tz: Tz,
    items: impl IntoIterator<Item = Generated>,
) -> io::Result<u64> {
    let mut csv = CanonicalCsv::new(out, tz)?;
    for g in items {
        csv.write(g.channel, &g.appeal)?;
    }
    csv.finish()
}

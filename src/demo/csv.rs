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
    out: W,
    zone: ZoneCache,
    line: Vec<u8>,
    scratch: String,
    rows: u64,
}

/// The zone's UTC offset, remembered per quarter of an hour of UTC time (offsets only change on
/// such boundaries), so that formatting a time does not search the zone's table every time.
struct ZoneCache {
    tz: Tz,
    bucket: i64,
    offset: i32,
}

impl ZoneCache {
    fn new(tz: Tz) -> Self {
        Self {
            tz,
            bucket: i64::MIN,
            offset: 0,
        }
    }

    fn offset(&mut self, t: DateTime<Utc>) -> i32 {
        let bucket = t.timestamp().div_euclid(900);
        if bucket != self.bucket {
            self.bucket = bucket;
            self.offset = t.with_timezone(&self.tz).offset().fix().local_minus_utc();
        }
        self.offset
    }

    fn time(&mut self, out: &mut String, t: DateTime<Utc>) {
        let off = self.offset(t);
        time_at_offset(out, t, off);
    }
}

impl<W: Write> CanonicalCsv<W> {
    /// Starts a file: writes the header. Times are written in `tz`.
    pub fn new(mut out: W, tz: Tz) -> io::Result<Self> {
        out.write_all(CANONICAL_HEADER.join(";").as_bytes())?;
        out.write_all(b"\n")?;
        Ok(Self {
            out,
            zone: ZoneCache::new(tz),
            line: Vec::with_capacity(4096),
            scratch: String::with_capacity(64),
            rows: 0,
        })
    }

    /// Writes one appeal.
    pub fn write(&mut self, channel: Channel, a: &IncomingAppeal) -> io::Result<()> {
        let zone = &mut self.zone;
        let l = &mut self.line;
        let s = &mut self.scratch;
        l.clear();
        field(l, &a.source_id);
        field(l, a.channel.unwrap_or(channel).id());
        zone.time(s, a.received_at);
        field(l, s);
        field(l, &a.text);
        for v in [
            &a.author,
            &a.contact,
            &a.settlement,
            &a.address,
            &a.url,
            &a.category,
        ] {
            field(l, v.as_deref().unwrap_or(""));
        }
        field(l, flag(a.fz59));
        field(l, a.block.as_deref().unwrap_or(""));
        field(l, a.responsible.as_deref().unwrap_or(""));
        field(l, a.status.map_or("", |s| s.id()));
        field(l, flag(a.urgent));
        field(l, flag(a.conflict));
        for t in [a.first_response_at, a.answered_at] {
            s.clear();
            if let Some(t) = t {
                zone.time(s, t);
            }
            field(l, s);
        }
        field(l, a.answer.as_deref().unwrap_or(""));
        field(l, a.quality.map_or("", |q| q.id()));
        s.clear();
        if let Some(r) = a.rating {
            let _ = write!(s, "{r}");
        }
        field(l, s);
        for c in [a.lat, a.lon] {
            s.clear();
            if let Some(c) = c {
                let _ = write!(s, "{c}");
            }
            field(l, s);
        }
        // Each field ended with the delimiter: the last one ends the line instead.
        l.pop();
        l.push(b'\n');
        self.out.write_all(l)?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes and returns the number of rows written.
    pub fn finish(mut self) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }

    /// Flushes and hands back the writer, with the number of rows written.
    pub fn into_inner(mut self) -> io::Result<(W, u64)> {
        self.out.flush()?;
        Ok((self.out, self.rows))
    }
}

/// Appends a field and the delimiter; quotes it (doubling inner quotes) when it holds the
/// delimiter, a quote or a line break, as RFC 4180 readers expect.
fn field(line: &mut Vec<u8>, v: &str) {
    let b = v.as_bytes();
    if memchr::memchr3(b';', b'"', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some() {
        line.push(b'"');
        for &c in b {
            if c == b'"' {
                line.push(b'"');
            }
            line.push(c);
        }
        line.push(b'"');
    } else {
        line.extend_from_slice(b);
    }
    line.push(b';');
}

fn flag(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// RFC 3339 with the zone's offset, seconds precision: `2026-11-28T12:00:00+03:00`.
pub(crate) fn time(out: &mut String, t: DateTime<Utc>, tz: Tz) {
    let off = t.with_timezone(&tz).offset().fix().local_minus_utc();
    time_at_offset(out, t, off);
}

/// RFC 3339 at a UTC offset in seconds.
fn time_at_offset(out: &mut String, t: DateTime<Utc>, off: i32) {
    out.clear();
    let utc = t.naive_utc();
    let l = utc
        .checked_add_signed(chrono::Duration::seconds(i64::from(off)))
        .unwrap_or(utc);
    let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
    let two = |out: &mut String, v: u32| {
        out.push(char::from(b'0' + (v / 10 % 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    };
    let year = l.year();
    if (0..10_000).contains(&year) {
        two(out, year as u32 / 100);
        two(out, year as u32 % 100);
    } else {
        let _ = write!(out, "{year:04}");
    }
    out.push('-');
    two(out, l.month());
    out.push('-');
    two(out, l.day());
    out.push('T');
    two(out, l.hour());
    out.push(':');
    two(out, l.minute());
    out.push(':');
    two(out, l.second());
    out.push(sign);
    two(out, (off / 3600) as u32);
    out.push(':');
    two(out, (off % 3600 / 60) as u32);
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut l = Vec::new();
        field(&mut l, "просто текст");
        field(&mut l, "a;b");
        field(&mut l, "say \"hi\"");
        field(&mut l, "two\nlines");
        assert_eq!(
            String::from_utf8(l).expect("utf-8"),
            "просто текст;\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\";"
        );
    }

    #[test]
    fn times_carry_the_zone_offset() {
        let t = Utc
            .with_ymd_and_hms(2026, 11, 28, 9, 5, 7)
            .single()
            .expect("valid");
        let mut s = String::new();
        time(&mut s, t, chrono_tz::Europe::Moscow);
        assert_eq!(s, "2026-11-28T12:05:07+03:00");
        assert_eq!(s, t.with_timezone(&chrono_tz::Europe::Moscow).to_rfc3339());
        time(&mut s, t, chrono_tz::America::New_York);
        assert_eq!(s, "2026-11-28T04:05:07-05:00");
    }
}

//! Delimited text: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1251, KOI8-R, IBM866;
//! `;`, `,` or tab; quoted fields with newlines. Streams in bounded memory: a cell is never held
//! past [`MAX_FIELD_BYTES`], a record past [`MAX_ROW_BYTES`] (such a row goes to quarantine).

use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use encoding_rs::{Encoding, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{MAX_COLUMNS, MAX_FIELD_BYTES, MAX_ROW_BYTES, Rows, open_file, size_text};
use crate::ingest::format::HEAD_LEN;
use crate::ingest::{FileError, RawRow, ReadItem, RowError};

/// Guesses the encoding of a text file from its first bytes: a BOM decides; bytes that are valid
/// UTF-8 are UTF-8; otherwise `chardetng` chooses (told the text is Russian). `complete` says
/// whether `head` is the whole file (so a multi-byte character cut at its end is an error).
///
/// KOI8-R text is reported as KOI8-U, its superset, which decodes Russian letters the same way.
pub fn detect_encoding(head: &[u8], complete: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return UTF_8,
        // Only a character cut by the end of the chunk: still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => return UTF_8,
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, complete);
    detector.guess(Some(b"ru"), chardetng::Utf8Detection::Allow)
}

/// Picks the delimiter from the header line: the most frequent of `;`, tab and `,` outside quotes
/// (ties in that order); `,` when there is none (a single column).
pub fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\n' | '\r' if !in_quotes => break,
            ';' if !in_quotes => counts[0] += 1,
            '\t' if !in_quotes => counts[1] += 1,
            ',' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b'\t', b','];
    let mut best = 2;
    for i in [1, 0] {
        if counts[i] > 0 && counts[i] >= counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// The delimiter named by an Excel `sep=;` first line, if the text starts with one.
fn excel_sep_line(text: &str) -> Option<u8> {
    let first = text.split('\n').next()?.trim_end_matches('\r');
    let rest = first.get(..4).filter(|p| p.eq_ignore_ascii_case("sep="))?;
    let sep = first.get(rest.len()..)?.as_bytes();
    match sep {
        [c] if c.is_ascii() && !c.is_ascii_alphanumeric() && *c != b'"' => Some(*c),
        _ => None,
    }
}

/// Opens a delimited text file.
pub(super) fn open(path: &Path) -> Result<Rows, FileError> {
    let mut file = open_file(path)?;
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.by_ref()
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
    let complete = head.len() < HEAD_LEN;
    let encoding = detect_encoding(&head, complete);

    let (head_text, _) = encoding.decode_with_bom_removal(&head);
    let text = head_text.trim_start_matches(['\r', '\n']);
    // Excel's «sep=;» first line names the delimiter; it is not the header.
    let sep_line = excel_sep_line(text);
    let delimiter = sep_line.unwrap_or_else(|| detect_delimiter(text));
    let bare_cr = head_text.contains('\r') && !head_text.contains('\n');

    // The head already read is put back in front of the rest of the file.
    let source = Cursor::new(head).chain(file);
    let mut builder = DecodeReaderBytesBuilder::new();
    builder.strip_bom(true);
    if encoding == UTF_8 {
        // Already UTF-8: no transcoding; rare invalid bytes further on become U+FFFD per cell.
        builder.utf8_passthru(true);
    } else {
        builder.encoding(Some(encoding));
    }
    let decoded = builder.build(source);

    // Records end at `\n` only: the csv crate miscounts lines after a `\r\n` ending (the next
    // record would start "before" the `\n`), and Windows exports all end lines so. The `\r` left
    // at the end of a line's last cell is dropped by `cell`. Only files with bare `\r` endings
    // (classic Mac) keep the crate's own terminator handling.
    let terminator = if bare_cr {
        csv_core::Terminator::CRLF
    } else {
        csv_core::Terminator::Any(b'\n')
    };
    let mut rows = CsvRows {
        input: BufReader::with_capacity(64 * 1024, decoded),
        core: csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(terminator)
            .build(),
        scratch: vec![0; 64 * 1024],
        record: Record::default(),
        headers: Arc::new(Vec::new()),
        done: false,
    };
    let mut skip_sep_line = sep_line.is_some();
    let headers = loop {
        match rows.read_record(MAX_COLUMNS + 1) {
            Ok(true) if rows.record.is_blank() => continue,
            Ok(true) if skip_sep_line => skip_sep_line = false,
            Ok(true) => {
                let r = &rows.record;
                if r.too_big.is_some() {
                    return Err(FileError::new(format!(
                        "the header line is larger than {}: not a table of appeals",
                        size_text(MAX_ROW_BYTES)
                    )));
                }
                if r.count > MAX_COLUMNS {
                    return Err(FileError::new(format!(
                        "the header has {} columns, more than the {MAX_COLUMNS} mcu reads",
                        r.count
                    )));
                }
                break r
                    .fields
                    .iter()
                    .map(|f| cell(f).trim().to_string())
                    .collect();
            }
            Ok(false) => return Err(FileError::new("the file has no header line")),
            Err(e) => return Err(FileError::new(format!("cannot read the file: {e}"))),
        }
    };
    rows.headers = Arc::new(headers);
    Ok(Box::new(rows))
}

/// [`cell`] of bytes already owned, without copying them again.
fn owned_cell(mut bytes: Vec<u8>) -> String {
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A cell's bytes as a string; invalid UTF-8 (possible only past the sniffed head of a file taken
/// for UTF-8) becomes U+FFFD rather than failing the row.
/// A trailing `\r` (from a `\r\n` line ending) is dropped.
fn cell(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// What made a record too big to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TooBig {
    /// The field at this index holds this many bytes (more than [`MAX_FIELD_BYTES`]).
    Field { index: usize, bytes: u64 },
    /// The record holds this many bytes (more than [`MAX_ROW_BYTES`]).
    Row { bytes: u64 },
}

/// One record as read: the fields kept (at most the number asked for), how many there were, and
/// whether it was too big to keep (then no field is kept).
#[derive(Debug, Default)]
struct Record {
    /// The line the record starts on.
    line: u64,
    fields: Vec<Vec<u8>>,
    /// Every field of the record, kept or not.
    count: usize,
    /// A field past those kept has something other than spaces.
    extra_filled: bool,
    too_big: Option<TooBig>,
}

impl Record {
    fn is_blank(&self) -> bool {
        self.too_big.is_none()
            && !self.extra_filled
            && self.fields.iter().all(|f| f.trim_ascii().is_empty())
    }
}

/// Records of a delimited text, read field by field with `csv_core` so that memory stays bounded:
/// a field over [`MAX_FIELD_BYTES`] or a record over [`MAX_ROW_BYTES`] is skipped to its end
/// without being kept, and only the columns of the header are kept of a longer record.
struct CsvRows<R> {
    input: BufReader<R>,
    core: csv_core::Reader,
    /// Where `csv_core` writes a field's bytes, a chunk at a time.
    scratch: Vec<u8>,
    /// Reused for every record.
    record: Record,
    headers: Arc<Vec<String>>,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    /// Reads the next record into `self.record`, keeping at most `keep` fields; `false` at the end.
    fn read_record(&mut self, keep: usize) -> std::io::Result<bool> {
        let r = &mut self.record;
        r.fields.clear();
        r.count = 0;
        r.extra_filled = false;
        r.too_big = None;
        r.line = self.core.line();
        let mut field: Vec<u8> = Vec::new();
        let (mut field_len, mut row_len) = (0u64, 0u64);
        loop {
            let input = self.input.fill_buf()?;
            let (res, nin, nout) = self.core.read_field(input, &mut self.scratch);
            self.input.consume(nin);
            let chunk = &self.scratch[..nout];
            field_len += nout as u64;
            row_len += nout as u64;
            match r.too_big {
                Some(TooBig::Field {
                    index,
                    ref mut bytes,
                }) if index == r.count => {
                    *bytes = field_len;
                }
                Some(TooBig::Row { ref mut bytes }) => *bytes = row_len,
                Some(_) => {}
                None if field_len > MAX_FIELD_BYTES => {
                    r.too_big = Some(TooBig::Field {
                        index: r.count,
                        bytes: field_len,
                    });
                    // Nothing more of this record is kept.
                    r.fields = Vec::new();
                    field = Vec::new();
                }
                None if row_len > MAX_ROW_BYTES => {
                    r.too_big = Some(TooBig::Row { bytes: row_len });
                    r.fields = Vec::new();
                    field = Vec::new();
                }
                None if r.count < keep => field.extend_from_slice(chunk),
                None => {
                    r.extra_filled |= chunk.iter().any(|b| !b.is_ascii_whitespace());
                }
            }
            match res {
                csv_core::ReadFieldResult::InputEmpty | csv_core::ReadFieldResult::OutputFull => {}
                csv_core::ReadFieldResult::Field { record_end } => {
                    if r.too_big.is_none() && r.count < keep {
                        r.fields.push(std::mem::take(&mut field));
                    }
                    r.count += 1;
                    // The delimiter (or line end) counts too: a record of empty fields is not free.
                    row_len += 1;
                    field_len = 0;
                    if record_end {
                        return Ok(true);
                    }
                }
                csv_core::ReadFieldResult::End => return Ok(false),
            }
        }
    }

    /// The row of the record just read, or why it cannot be one.
    fn item(&mut self) -> ReadItem {
        let r = &mut self.record;
        let line = r.line;
        let width = self.headers.len();
        if let Some(big) = r.too_big {
            let (field, reason) = match big {
                TooBig::Field { index, bytes } => (
                    self.headers.get(index).cloned().unwrap_or_default(),
                    format!(
                        "the cell holds {}, more than the {} a cell may: the row is left out (it \
                         is still in the original file)",
                        size_text(bytes),
                        size_text(MAX_FIELD_BYTES)
                    ),
                ),
                TooBig::Row { bytes } => (
                    String::new(),
                    format!(
                        "the row holds {}, more than the {} a row may: it is left out (it is \
                         still in the original file)",
                        size_text(bytes),
                        size_text(MAX_ROW_BYTES)
                    ),
                ),
            };
            return ReadItem::Bad(RowError {
                line,
                field,
                reason,
            });
        }
        if r.count > width && r.extra_filled {
            let cells = r.count;
            return ReadItem::Bad(RowError {
                line,
                field: String::new(),
                reason: format!(
                    "the row has {cells} cells but the header has {width}: a value may hold an unquoted delimiter"
                ),
            });
        }
        let mut values: Vec<String> = Vec::with_capacity(width);
        values.extend(r.fields.drain(..).map(owned_cell));
        values.resize(width, String::new());
        ReadItem::Row(RawRow {
            line,
            headers: Arc::clone(&self.headers),
            values,
        })
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<ReadItem, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.read_record(self.headers.len()) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(FileError::new(format!("cannot read the file: {e}"))));
                }
                Ok(true) => {}
            }
            // A line of nothing but delimiters is no row at all.
            if self.record.is_blank() {
                continue;
            }
            return Some(Ok(self.item()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(detect_delimiter("id;text;date\n1,2,3,4,5"), b';');
        assert_eq!(detect_delimiter("\"a;b;c\",x,y\n"), b',');
        assert_eq!(detect_delimiter("id\ttext\tdate"), b'\t');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn excel_sep_line_names_the_delimiter() {
        assert_eq!(excel_sep_line("sep=;\r\nid;text"), Some(b';'));
        assert_eq!(excel_sep_line("SEP=\t\nid\ttext"), Some(b'\t'));
        assert_eq!(excel_sep_line("separator;id\n"), None);
        assert_eq!(excel_sep_line("sep=ab\n"), None);
    }

    #[test]
    fn valid_utf8_is_utf8_even_cut_mid_character() {
        let s = "Номер;Текст\n".as_bytes();
        assert_eq!(detect_encoding(s, true), UTF_8);
        assert_eq!(detect_encoding(&s[..3], false), UTF_8);
    }

    #[test]
    fn cyrillic_single_byte_encodings_are_recognised() {
        let text = "Номер;Дата поступления;Текст сообщения\n1;01.11.2026;На улице Школьной \
                    не горят фонари, дети идут в школу в темноте. Просим починить освещение.\n";
        for enc in [
            encoding_rs::WINDOWS_1251,
            encoding_rs::KOI8_R,
            encoding_rs::IBM866,
        ] {
            let (bytes, _, _) = enc.encode(text);
            let guessed = detect_encoding(&bytes, true);
            let (back, _) = guessed.decode_without_bom_handling(&bytes);
            assert_eq!(back, text, "{} taken for {}", enc.name(), guessed.name());
        }
    }
}

//! Delimited text: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1251, KOI8-R, IBM866;
//! `;`, `,` or tab; quoted fields with newlines. Streams in constant memory.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use encoding_rs::{Encoding, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{Rows, open_file};
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
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(decoded);

    let mut record = csv::ByteRecord::new();
    let mut skip_sep_line = sep_line.is_some();
    let headers = loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) if record.iter().all(|f| f.trim_ascii().is_empty()) => continue,
            Ok(true) if skip_sep_line => skip_sep_line = false,
            Ok(true) => break record.iter().map(|f| cell(f).trim().to_string()).collect(),
            Ok(false) => return Err(FileError::new("the file has no header line")),
            Err(e) => return Err(FileError::new(format!("cannot read the file: {e}"))),
        }
    };
    Ok(Box::new(CsvRows {
        reader,
        record,
        headers: Arc::new(headers),
        done: false,
    }))
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

struct CsvRows<R> {
    reader: csv::Reader<R>,
    /// Reused for every record, so reading allocates only the cells handed out.
    record: csv::ByteRecord,
    headers: Arc<Vec<String>>,
    done: bool,
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<ReadItem, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
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
            let line = self.record.position().map_or(0, csv::Position::line);
            // A line of nothing but delimiters is no row at all.
            if self.record.iter().all(|f| f.trim_ascii().is_empty()) {
                continue;
            }
            let width = self.headers.len();
            let cells = self.record.len();
            if cells > width
                && self
                    .record
                    .iter()
                    .skip(width)
                    .any(|f| !f.trim_ascii().is_empty())
            {
                return Some(Ok(ReadItem::Bad(RowError {
                    line,
                    field: String::new(),
                    reason: format!(
                        "the row has {cells} cells but the header has {width}: a value may hold an unquoted delimiter"
                    ),
                })));
            }
            let mut values: Vec<String> = Vec::with_capacity(width);
            values.extend(self.record.iter().take(width).map(cell));
            values.resize(width, String::new());
            return Some(Ok(ReadItem::Row(RawRow {
                line,
                headers: Arc::clone(&self.headers),
                values,
            })));
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

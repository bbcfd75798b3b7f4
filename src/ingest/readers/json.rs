//! JSON Lines and JSON arrays of canonical records (keys = canonical field names). Both stream:
//! JSON Lines line by line, an array element by element; a line or an element over
//! [`MAX_ROW_BYTES`] is a bad row, skipped to its end without being held.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{MAX_ROW_BYTES, Rows, open_file, size_text};
use crate::ingest::{FileError, RawRow, ReadItem, RowError};

/// Opens a JSON Lines file: one object a line; blank lines are skipped; a line that is not a JSON
/// object is a bad row.
pub(super) fn open_lines(path: &Path) -> Result<Rows, FileError> {
    let file = open_file(path)?;
    Ok(Box::new(JsonLines {
        reader: BufReader::with_capacity(64 * 1024, file),
        line: 0,
        buf: Vec::new(),
        headers: Headers::default(),
        done: false,
    }))
}

/// Opens a JSON array of objects; a broken element is a bad row (its line is the element's 1-based
/// index), a broken array (not closed, not an array) ends the file.
pub(super) fn open_array(path: &Path) -> Result<Rows, FileError> {
    let file = open_file(path)?;
    let mut elements = JsonElements::new(BufReader::with_capacity(64 * 1024, file));
    let mut headers = Headers::default();
    let iter = std::iter::from_fn(move || {
        let (index, element) = match elements.next_element() {
            Ok(Some(e)) => e,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        let parsed = element
            .map_err(|size| too_big("element", index, size))
            .and_then(|bytes| parse_object(&bytes, "element", index));
        Some(Ok(match parsed.map(|obj| headers.row(index, obj)) {
            Ok(row) => ReadItem::Row(row),
            Err(bad) => ReadItem::Bad(bad),
        }))
    });
    Ok(Box::new(iter))
}

/// The text of a JSON value as a cell: strings as they are, numbers and booleans as written, null
/// as empty, arrays and objects as compact JSON.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => v.to_string(),
    }
}

/// The bad row of a record over [`MAX_ROW_BYTES`] (`size` bytes); `what` words it.
pub(super) fn too_big(what: &str, line: u64, size: u64) -> RowError {
    RowError {
        line,
        field: String::new(),
        reason: format!(
            "the {what} holds {}, more than the {} a record may: it is left out (it is still in \
             the original file)",
            size_text(size),
            size_text(MAX_ROW_BYTES)
        ),
    }
}

/// Parses one record; `what` and `line` only word the error.
pub(super) fn parse_object(
    bytes: &[u8],
    what: &str,
    line: u64,
) -> Result<Map<String, Value>, RowError> {
    let bad = |reason: String| RowError {
        line,
        field: String::new(),
        reason,
    };
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(other) => Err(bad(format!(
            "the {what} is a JSON {}, not an object",
            match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "boolean",
                _ => "null",
            }
        ))),
        Err(e) => Err(bad(format!("the {what} is not valid JSON: {e}"))),
    }
}

/// Shares one header list among consecutive records with the same keys, so a mapper's header
/// cache hits on every record of a regular file.
#[derive(Default)]
pub(super) struct Headers {
    last: Option<Arc<Vec<String>>>,
}

impl Headers {
    /// Turns a record into a row, reusing the previous record's header list when the keys match.
    pub(super) fn row(&mut self, line: u64, obj: Map<String, Value>) -> RawRow {
        let same = self
            .last
            .as_ref()
            .is_some_and(|h| h.len() == obj.len() && h.iter().zip(obj.keys()).all(|(a, b)| a == b));
        let headers = match (&self.last, same) {
            (Some(h), true) => Arc::clone(h),
            _ => {
                let h = Arc::new(obj.keys().cloned().collect::<Vec<_>>());
                self.last = Some(Arc::clone(&h));
                h
            }
        };
        let values = obj.values().map(value_text).collect();
        RawRow {
            line,
            headers,
            values,
        }
    }
}

struct JsonLines<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    headers: Headers,
    done: bool,
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<ReadItem, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let size = match read_line(&mut self.reader, &mut self.buf) {
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(size)) => size,
                Err(e) => {
                    self.done = true;
                    return Some(Err(FileError::new(format!("cannot read the file: {e}"))));
                }
            };
            self.line += 1;
            if size > MAX_ROW_BYTES {
                return Some(Ok(ReadItem::Bad(too_big("line", self.line, size))));
            }
            let mut text = self.buf.trim_ascii();
            if self.line == 1 {
                text = text
                    .strip_prefix(b"\xEF\xBB\xBF")
                    .unwrap_or(text)
                    .trim_ascii();
            }
            if text.is_empty() {
                continue;
            }
            let line = self.line;
            return Some(Ok(match parse_object(text, "line", line) {
                Ok(obj) => ReadItem::Row(self.headers.row(line, obj)),
                Err(bad) => ReadItem::Bad(bad),
            }));
        }
    }
}

/// Reads one line (without its `\n`) into `buf`, keeping at most [`MAX_ROW_BYTES`] of it; the
/// line's whole size, or `None` at the end of the input. A longer line is read to its end and
/// dropped (`buf` is then left empty).
fn read_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>) -> std::io::Result<Option<u64>> {
    buf.clear();
    let mut size = 0u64;
    let mut read_any = false;
    loop {
        let avail = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(read_any.then_some(size));
        }
        read_any = true;
        let (chunk, end) = match memchr::memchr(b'\n', avail) {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        size += chunk.len() as u64;
        if size <= MAX_ROW_BYTES {
            buf.extend_from_slice(chunk);
        } else if !buf.is_empty() {
            *buf = Vec::new();
        }
        let used = end.unwrap_or(avail.len());
        reader.consume(used);
        if end.is_some() {
            return Ok(Some(size));
        }
    }
}

/// One element of a JSON array: its bytes, or its size when over [`MAX_ROW_BYTES`].
pub(super) type Element = Result<Vec<u8>, u64>;

/// Splits a JSON array into its elements' bytes without reading the whole array into memory.
pub(super) struct JsonElements<R> {
    reader: R,
    started: bool,
    finished: bool,
    /// Index (1-based) of the last element handed out.
    index: u64,
}

impl<R: BufRead> JsonElements<R> {
    pub(super) fn new(reader: R) -> Self {
        Self {
            reader,
            started: false,
            finished: false,
            index: 0,
        }
    }

    /// The next element's 1-based index and bytes; `None` after the closing `]`.
    pub(super) fn next_element(&mut self) -> Result<Option<(u64, Element)>, FileError> {
        if self.finished {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            self.skip_bom()?;
            match self.next_non_space()? {
                Some(b'[') => {}
                _ => {
                    self.finished = true;
                    return Err(FileError::new(
                        "not a JSON array (expected «[» at the start)",
                    ));
                }
            }
        }
        let mut out = Vec::new();
        // The element's size; past the cap nothing more of it is kept.
        let mut size = 0u64;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) => {
                    self.finished = true;
                    return Err(FileError::new(format!("cannot read the file: {e}")));
                }
            };
            if buf.is_empty() {
                self.finished = true;
                return Err(FileError::new(
                    "the JSON array is not closed with «]» (the file is cut short?)",
                ));
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => {
                        end = Some((i, b));
                        break;
                    }
                    _ => {}
                }
            }
            let taken = end.map_or(buf.len(), |(i, _)| i);
            size += taken as u64;
            if size <= MAX_ROW_BYTES {
                out.extend_from_slice(&buf[..taken]);
            } else if !out.is_empty() {
                out = Vec::new();
            }
            match end {
                Some((i, terminator)) => {
                    self.reader.consume(i + 1);
                    let element = out.trim_ascii();
                    if terminator == b']' {
                        self.finished = true;
                        if element.is_empty() && size <= MAX_ROW_BYTES {
                            // `[]`, or a trailing comma before `]`.
                            return Ok(None);
                        }
                    }
                    self.index += 1;
                    if size > MAX_ROW_BYTES {
                        return Ok(Some((self.index, Err(size))));
                    }
                    return Ok(Some((self.index, Ok(element.to_vec()))));
                }
                None => self.reader.consume(taken),
            }
        }
    }

    fn skip_bom(&mut self) -> Result<(), FileError> {
        let buf = self
            .reader
            .fill_buf()
            .map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
        if buf.starts_with(b"\xEF\xBB\xBF") {
            self.reader.consume(3);
        }
        Ok(())
    }

    fn next_non_space(&mut self) -> Result<Option<u8>, FileError> {
        let mut byte = [0u8];
        loop {
            match self.reader.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) if byte[0].is_ascii_whitespace() => {}
                Ok(_) => return Ok(Some(byte[0])),
                Err(e) => return Err(FileError::new(format!("cannot read the file: {e}"))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(json: &str) -> Result<Vec<String>, FileError> {
        let mut it = JsonElements::new(BufReader::with_capacity(4, json.as_bytes()));
        let mut out = Vec::new();
        while let Some((_, e)) = it.next_element()? {
            let e = e.expect("small element");
            out.push(String::from_utf8_lossy(&e).into_owned());
        }
        Ok(out)
    }

    #[test]
    fn array_elements_split_at_top_level_commas_only() {
        let got =
            elements(r#" [ {"a": [1, 2], "t": "x, ]y\" z"}, 5 , {"b":{}} ] "#).expect("valid");
        assert_eq!(
            got,
            [r#"{"a": [1, 2], "t": "x, ]y\" z"}"#, "5", r#"{"b":{}}"#]
        );
        assert_eq!(elements("[]").expect("valid"), Vec::<String>::new());
        assert_eq!(elements("[1,]").expect("lenient"), ["1"]);
    }

    #[test]
    fn an_unclosed_array_is_a_file_error() {
        assert!(elements(r#"[{"a": 1}, {"b""#).is_err());
        assert!(elements(r#"{"a": 1}"#).is_err());
    }

    #[test]
    fn values_become_cell_text() {
        let v: Value = serde_json::from_str(r#"[null, 5, 5.0, true, "Да", [1]]"#).expect("json");
        let texts: Vec<String> = v
            .as_array()
            .map(|a| a.iter().map(value_text).collect())
            .unwrap_or_default();
        assert_eq!(texts, ["", "5", "5.0", "true", "Да", "[1]"]);
    }
}

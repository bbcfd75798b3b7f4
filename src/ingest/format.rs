//! Detecting a file's format from its content; the extension is only a hint, since files arrive
//! renamed, mailed, or saved by hand with whatever name.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::FileError;

/// How many bytes of a file are looked at to decide its format (and, for text, its encoding).
pub const HEAD_LEN: usize = 64 * 1024;

/// The formats mcu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Delimited text in any of the supported encodings.
    Csv,
    /// XLSX, XLSB, XLS or ODS: the first sheet; its first non-empty row is the header.
    Spreadsheet,
    /// One JSON object a line, canonical field names.
    JsonLines,
    /// A JSON array of canonical records.
    JsonArray,
    /// An Open311 GeoReport v2 array of service requests.
    Open311,
}

/// The kind of a spreadsheet file, which decides the calamine reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpreadsheetKind {
    /// Office Open XML workbook (a ZIP with `xl/workbook.xml`).
    Xlsx,
    /// Excel binary workbook (a ZIP with `xl/workbook.bin`).
    Xlsb,
    /// Excel 97–2003 (an OLE compound file).
    Xls,
    /// OpenDocument spreadsheet (a ZIP whose `mimetype` entry says so).
    Ods,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Detects the format of a file by its content (the extension is only a hint).
///
/// ZIP → XLSX/XLSB/ODS by the archive's entries; OLE → XLS; JSON by the first non-space byte
/// (`[` an array — Open311 when its first object has `service_request_id` — or `{` JSON Lines);
/// anything else that looks like text is delimited text. Empty files and binary data are refused
/// with a reason.
pub fn detect(path: &Path) -> Result<Format, FileError> {
    let mut file = open(path)?;
    let head = read_head(&mut file)?;
    if head.starts_with(ZIP_MAGIC) || head.starts_with(OLE_MAGIC) {
        spreadsheet_kind_of(&mut file, &head)?;
        return Ok(Format::Spreadsheet);
    }
    detect_text(&head).map_err(FileError::new)
}

/// Tells which kind of spreadsheet a file is (for the reader), refusing other ZIP/OLE files.
pub fn spreadsheet_kind(path: &Path) -> Result<SpreadsheetKind, FileError> {
    let mut file = open(path)?;
    let head = read_head(&mut file)?;
    spreadsheet_kind_of(&mut file, &head)
}

fn open(path: &Path) -> Result<File, FileError> {
    File::open(path).map_err(|e| FileError::new(format!("cannot open the file: {e}")))
}

fn read_head(file: &mut File) -> Result<Vec<u8>, FileError> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.by_ref()
        .take(HEAD_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
    Ok(head)
}

fn spreadsheet_kind_of(file: &mut File, head: &[u8]) -> Result<SpreadsheetKind, FileError> {
    if head.starts_with(OLE_MAGIC) {
        return Ok(SpreadsheetKind::Xls);
    }
    if !head.starts_with(ZIP_MAGIC) {
        return Err(FileError::new(
            "not a spreadsheet (neither a ZIP nor an OLE file)",
        ));
    }
    // ODF requires `mimetype` to be the first entry, stored uncompressed: the name sits at
    // offset 30 of the first local header and its content right after the name.
    if head.len() >= 38 && &head[30..38] == b"mimetype" {
        let name_len = usize::from(u16::from_le_bytes([head[26], head[27]]));
        let extra_len = usize::from(u16::from_le_bytes([head[28], head[29]]));
        let start = 30 + name_len + extra_len;
        let content = head.get(start..).unwrap_or_default();
        if content.starts_with(ODS_MIME) {
            return Ok(SpreadsheetKind::Ods);
        }
        let mime: String = content
            .iter()
            .take(80)
            .take_while(|b| b.is_ascii_graphic())
            .map(|&b| char::from(b))
            .collect();
        return Err(FileError::new(format!(
            "an OpenDocument file of type «{mime}», not a spreadsheet"
        )));
    }
    let names = zip_entry_names(file)
        .map_err(|reason| FileError::new(format!("a damaged ZIP archive ({reason})")))?;
    if names.iter().any(|n| n == "xl/workbook.xml") {
        Ok(SpreadsheetKind::Xlsx)
    } else if names.iter().any(|n| n == "xl/workbook.bin") {
        Ok(SpreadsheetKind::Xlsb)
    } else {
        let what = if names.iter().any(|n| n.starts_with("word/")) {
            "a Word document (DOCX)"
        } else if names.iter().any(|n| n.starts_with("ppt/")) {
            "a PowerPoint presentation"
        } else {
            "a ZIP archive"
        };
        Err(FileError::new(format!(
            "{what}, not a spreadsheet (no xl/workbook.xml inside); unpack it or save the table as XLSX or CSV"
        )))
    }
}

/// Lists the entry names of a ZIP archive from its central directory.
fn zip_entry_names(file: &mut File) -> Result<Vec<String>, String> {
    let len = file.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
    // The end-of-central-directory record is 22 bytes plus a comment of up to 65,535 bytes.
    let tail_len = len.min(22 + 65_535);
    file.seek(SeekFrom::Start(len - tail_len))
        .map_err(|e| e.to_string())?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    file.by_ref()
        .take(tail_len)
        .read_to_end(&mut tail)
        .map_err(|e| e.to_string())?;
    let eocd = tail
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .ok_or("no end of central directory")?;
    let rec = &tail[eocd..];
    if rec.len() < 22 {
        return Err("truncated end of central directory".into());
    }
    let cd_size = u64::from(u32::from_le_bytes([rec[12], rec[13], rec[14], rec[15]]));
    let cd_offset = u64::from(u32::from_le_bytes([rec[16], rec[17], rec[18], rec[19]]));
    if cd_offset == u64::from(u32::MAX) || cd_size == u64::from(u32::MAX) {
        // ZIP64: a spreadsheet of over 4 GiB; let the spreadsheet reader judge it.
        return Ok(vec!["xl/workbook.xml".into()]);
    }
    if cd_offset + cd_size > len {
        return Err("central directory out of bounds".into());
    }
    file.seek(SeekFrom::Start(cd_offset))
        .map_err(|e| e.to_string())?;
    let mut cd = Vec::with_capacity(cd_size as usize);
    file.by_ref()
        .take(cd_size)
        .read_to_end(&mut cd)
        .map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    let mut i = 0;
    while i + 46 <= cd.len() && &cd[i..i + 4] == b"PK\x01\x02" {
        let n = usize::from(u16::from_le_bytes([cd[i + 28], cd[i + 29]]));
        let m = usize::from(u16::from_le_bytes([cd[i + 30], cd[i + 31]]));
        let k = usize::from(u16::from_le_bytes([cd[i + 32], cd[i + 33]]));
        let name = cd.get(i + 46..i + 46 + n).ok_or("truncated entry name")?;
        names.push(String::from_utf8_lossy(name).into_owned());
        i += 46 + n + m + k;
    }
    Ok(names)
}

/// Decides among the text formats from the first bytes of a file.
fn detect_text(head: &[u8]) -> Result<Format, String> {
    let body = head.strip_prefix(UTF8_BOM).unwrap_or(head);
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err("the file is empty".into());
    };
    if utf16 {
        // Excel's «Unicode text» (UTF-16, tab-separated) is delimited text.
        return Ok(Format::Csv);
    }
    if let Some(kind) = known_binary(head) {
        return Err(format!("{kind}, not a table of appeals"));
    }
    if looks_binary(body) {
        return Err(
            "binary data, not a known format (expected CSV, XLSX, XLS, ODS, JSON or JSON Lines)"
                .into(),
        );
    }
    match body[first] {
        b'[' => Ok(
            if first_object_has_key(&body[first..], "service_request_id") {
                Format::Open311
            } else {
                Format::JsonArray
            },
        ),
        b'{' => Ok(Format::JsonLines),
        _ => Ok(Format::Csv),
    }
}

/// Common binary formats people drop into an inbox by mistake, named for the message.
fn known_binary(head: &[u8]) -> Option<&'static str> {
    const KNOWN: [(&[u8], &str); 7] = [
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xBC\xAF", "a 7-Zip archive"),
    ];
    KNOWN
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

/// Text in any of the supported encodings has no NUL and almost no other control bytes.
fn looks_binary(body: &[u8]) -> bool {
    let control = body
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F)
        .count();
    body.contains(&0) || control * 100 > body.len()
}

/// Whether the first element of a JSON array (given from its `[`) is an object with `key`.
/// Looks only at the keys at depth 1 of that object, so a text mentioning the key is no match.
fn first_object_has_key(json: &[u8], key: &str) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut string_start = 0;
    let mut object_seen = false;
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                // A key of the first object: a string at depth 2 followed by `:`.
                if depth == 2 && &json[string_start..i] == key.as_bytes() {
                    let rest = &json[i + 1..];
                    if rest.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b':') {
                        return true;
                    }
                }
            }
            continue;
        }
        match b {
            b'"' => {
                if depth == 1 {
                    // The first element is a string, not an object.
                    return false;
                }
                in_string = true;
                string_start = i + 1;
            }
            b'[' | b'{' => {
                if depth == 1 {
                    if b != b'{' || object_seen {
                        return false;
                    }
                    object_seen = true;
                }
                depth += 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth <= 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes_are_told_apart() {
        assert_eq!(detect_text(b"  [ {\"id\": 1}]"), Ok(Format::JsonArray));
        assert_eq!(
            detect_text(b"[\n {\"service_request_id\": \"1\", \"status\": \"open\"}]"),
            Ok(Format::Open311)
        );
        assert_eq!(
            detect_text(b"\xEF\xBB\xBF{\"id\": 1}\n"),
            Ok(Format::JsonLines)
        );
        assert_eq!(detect_text(b"[]"), Ok(Format::JsonArray));
    }

    #[test]
    fn a_key_mentioned_in_a_text_is_not_open311() {
        let json = br#"[{"id": "1", "text": "\"service_request_id\": 5", "x": {"service_request_id": 1}}]"#;
        assert_eq!(detect_text(json), Ok(Format::JsonArray));
    }

    #[test]
    fn text_that_is_not_json_is_csv() {
        assert_eq!(detect_text("id;text\n1;Яма".as_bytes()), Ok(Format::Csv));
        assert_eq!(detect_text(b"\xCD\xEE\xEC\xE5\xF0;\n"), Ok(Format::Csv));
        assert_eq!(detect_text(b"\xFF\xFEi\0d\0"), Ok(Format::Csv));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert_eq!(detect_text(b""), Err("the file is empty".into()));
        assert_eq!(
            detect_text(b"\xEF\xBB\xBF \r\n"),
            Err("the file is empty".into())
        );
        assert!(detect_text(b"\x00\x01\x02garbage\x03\x04").is_err());
        assert!(
            detect_text(b"%PDF-1.7\n")
                .expect_err("refused")
                .contains("PDF")
        );
    }
}

//! Helpers for tests that import real-shaped files: a small blocks list, an import run that maps
//! every row of a file, and writers for fixture files (encoded text, stored ZIP archives).

#![allow(dead_code)]

pub mod console;
pub mod engine;
pub mod operators;
pub mod pg;
pub mod ssh;
pub mod tmux;

use std::path::{Path, PathBuf};

use mcu::domain::Blocks;
use mcu::ingest::{
    FileError, Format, ImportProfiles, IncomingAppeal, Mapper, ReadItem, RowError, format, readers,
};

/// Two blocks are enough to test resolution by id and by Russian name.
pub const BLOCKS: &str = r#"
[[block]]
id = "housing"
name = "ЖКХ"

[[block]]
id = "roads"
name = "Дороги"
"#;

/// The workspace zone of the tests.
pub const TZ: chrono_tz::Tz = chrono_tz::Europe::Moscow;

/// What importing one file gave.
#[derive(Debug)]
pub struct Outcome {
    pub format: Format,
    pub appeals: Vec<IncomingAppeal>,
    /// Rows the reader could not split and rows the mapper refused, in file order.
    pub errors: Vec<RowError>,
    /// Headers of the first row that no profile word maps.
    pub unknown_headers: Vec<String>,
}

/// Detects, reads and maps a whole file the way the pipeline does, with the shipped profiles.
pub fn import(path: &Path) -> Result<Outcome, FileError> {
    let profiles = ImportProfiles::embedded().map_err(|e| FileError::new(e.to_string()))?;
    let blocks = Blocks::from_toml(BLOCKS).map_err(|e| FileError::new(e.to_string()))?;
    let mapper = Mapper::new(&profiles, &blocks, TZ);
    let format = format::detect(path)?;
    let mut out = Outcome {
        format,
        appeals: Vec::new(),
        errors: Vec::new(),
        unknown_headers: Vec::new(),
    };
    let mut first = true;
    for item in readers::open(path, format)? {
        match item? {
            ReadItem::Bad(e) => out.errors.push(e),
            ReadItem::Row(row) => {
                if first {
                    first = false;
                    mapper.check_headers(&row.headers)?;
                    out.unknown_headers = mapper.unknown_headers(&row.headers);
                }
                match mapper.map(&row) {
                    Ok(a) => out.appeals.push(a),
                    Err(errs) => out.errors.extend(errs),
                }
            }
        }
    }
    Ok(out)
}

/// Writes a fixture file into `dir` and returns its path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("fixture written");
    path
}

/// Text in a single-byte Cyrillic encoding, with Windows line endings when `crlf`.
pub fn encode(text: &str, encoding: &'static encoding_rs::Encoding, crlf: bool) -> Vec<u8> {
    let text = if crlf {
        text.replace('\n', "\r\n")
    } else {
        text.to_string()
    };
    let (bytes, _, unmappable) = encoding.encode(&text);
    assert!(!unmappable, "fixture text fits {}", encoding.name());
    bytes.into_owned()
}

/// CRC-32 (IEEE), as ZIP stores it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of uncompressed ("stored") entries, in the given order.
pub fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        let mut header = Vec::new();
        header.extend_from_slice(b"PK\x03\x04");
        header.extend_from_slice(&20u16.to_le_bytes()); // version needed
        header.extend_from_slice(&0u16.to_le_bytes()); // flags
        header.extend_from_slice(&0u16.to_le_bytes()); // stored
        header.extend_from_slice(&0u32.to_le_bytes()); // time, date
        header.extend_from_slice(&crc.to_le_bytes());
        header.extend_from_slice(&size.to_le_bytes());
        header.extend_from_slice(&size.to_le_bytes());
        header.extend_from_slice(&name_len.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(&header);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&header[4..]); // same fields as the local header
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A minimal XLSX archive (stored entries, so its XML can be written or mutated directly) around
/// the given sheet and shared-strings XML.
pub fn minimal_xlsx(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    const TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
        <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
        <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>\
        </Types>";
    const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
        </Relationships>";
    const WORKBOOK: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
        xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
        <sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
    const WORKBOOK_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
        <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
        <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>\
        </Relationships>";
    stored_zip(&[
        ("[Content_Types].xml", TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ])
}

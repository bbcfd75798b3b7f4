//! A deterministic mutation fuzzer over the readers, run as an ordinary test (the toolchain is
//! stable: no cargo-fuzz). Seeds are valid files of each format (CSV in two encodings, XLSX built
//! by hand so its XML can be mutated inside the archive, JSON Lines, a JSON array, Open311) and
//! the inputs that once broke the importer (a cell at XFD1048576, a huge CSV cell); mutations are
//! byte flips, truncation, insertions of syntax bytes, huge repeats and duplicated chunks, drawn
//! from a fixed-seed PRNG. Every mutated input goes through the real import pipeline and must
//! either import or be quarantined with a reason: never a panic, never an abort, never a pipeline
//! error, and the process's peak memory stays bounded.
//!
//! `MCU_FUZZ_KEEP=I` saves input number I to the temp dir (to look at one that raised the peak).
//! `MCU_FUZZ_ITERS=N` runs N inputs (default 150: a few seconds of CPU in a debug build); `MCU_FUZZ_SEED=S` draws another
//! sequence. A failing input is saved to the temp dir and named in the message, with its
//! iteration, so that the same seed and count reproduce it.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;

use std::path::Path;

use chrono::{DateTime, Utc};
use mcu::domain::Channel;
use mcu::ingest::{FileOutcome, Importer};
use mcu::workspace::Workspace;

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const CSV: &str = "id;channel;received_at;text;settlement;status;rating\n\
    C-1;pos;2026-11-02 10:00;Яма на дороге у школы;с. Заречное;В работе;\n\
    C-2;im;02.11.2026 11:30;\"Нет воды; третий день.\nДети без воды.\";д. Липовка;Дан ответ;4\n\
    C-3;letter;2026-11-03T09:00:00+03:00;Не горит фонарь;п. Озёрный;;\n";

const JSONL: &str = "{\"id\": \"J-1\", \"channel\": \"im\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"Яма\", \"urgent\": true}\n\
    {\"id\": \"J-2\", \"channel\": \"pos\", \"received_at\": \"2026-11-02 11:00\", \"text\": \"Мусор\", \"rating\": 5, \"lat\": 56.9, \"lon\": 46.8}\n";

const JSON_ARRAY: &str = "[{\"id\": \"A-1\", \"channel\": \"im\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"Яма\"},\n\
    {\"id\": \"A-2\", \"received_at\": \"2026-11-02 10:00\", \"text\": \"Фонарь\", \"tags\": [1, {\"x\": \"]\"}]}]";

const OPEN311: &str = "[{\"service_request_id\": \"7\", \"status\": \"closed\", \"updated_datetime\": \"2026-11-02T10:00:00+03:00\", \
    \"requested_datetime\": \"2026-11-01T09:00:00+03:00\", \"description\": \"Яма\", \"lat\": 56.9, \"long\": 46.8},\
    {\"service_request_id\": \"8\", \"status\": \"open\", \"requested_datetime\": \"2026-11-01T09:00:00+03:00\", \"description\": \"Фонарь\"}]";

const SHEET_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// The XML of a small sheet: inline strings, a shared string, a number and an Excel date.
fn sheet_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <worksheet xmlns=\"{SHEET_NS}\"><dimension ref=\"A1:D3\"/><sheetData>\
         <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>channel</t></is></c>\
         <c r=\"C1\" t=\"inlineStr\"><is><t>received_at</t></is></c><c r=\"D1\" t=\"s\"><v>0</v></c></row>\
         <row r=\"2\"><c r=\"A2\"><v>12050000001</v></c><c r=\"B2\" t=\"inlineStr\"><is><t>im</t></is></c>\
         <c r=\"C2\"><v>46276.40486111111</v></c><c r=\"D2\" t=\"s\"><v>1</v></c></row>\
         <row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>X-2</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>pos</t></is></c>\
         <c r=\"C3\" t=\"inlineStr\"><is><t>2026-11-02 10:00</t></is></c><c r=\"D3\" t=\"inlineStr\"><is><t>Фонарь</t></is></c></row>\
         </sheetData></worksheet>"
    )
}

fn shared_strings_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <sst xmlns=\"{SHEET_NS}\" count=\"2\" uniqueCount=\"2\"><si><t>text</t></si><si><t>Яма у остановки</t></si></sst>"
    )
}

/// A seed: a whole file, or an XLSX whose sheet XML or shared-strings XML is what gets mutated.
#[derive(Clone)]
enum Seed {
    File(&'static str, Vec<u8>),
    Sheet(&'static str, Vec<u8>),
    Strings(&'static str, Vec<u8>),
}

fn seeds() -> Vec<Seed> {
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(CSV);
    let mut far = sheet_xml();
    far = far.replace(
        "</sheetData>",
        "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>",
    );
    let huge_cell = format!(
        "id;channel;received_at;text\n1;pos;2026-11-02 10:00;{}\n2;pos;2026-11-02 10:00;Яма\n",
        "ж".repeat(600_000)
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["id", "channel", "received_at", "text"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "W-1").unwrap();
    sheet.write_string(1, 1, "pos").unwrap();
    sheet.write_string(1, 2, "2026-11-02 10:00").unwrap();
    sheet.write_string(1, 3, "Яма").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let written = book.save_to_buffer().unwrap();
    vec![
        Seed::File("csv-utf8", CSV.as_bytes().to_vec()),
        Seed::File("csv-cp1251", cp1251.into_owned()),
        Seed::File("csv-huge-cell", huge_cell.into_bytes()),
        Seed::File("jsonl", JSONL.as_bytes().to_vec()),
        Seed::File("json-array", JSON_ARRAY.as_bytes().to_vec()),
        Seed::File("open311", OPEN311.as_bytes().to_vec()),
        Seed::File(
            "xlsx-whole",
            common::minimal_xlsx(sheet_xml().as_bytes(), shared_strings_xml().as_bytes()),
        ),
        Seed::File("xlsx-xfd1048576-deflated", written),
        Seed::Sheet("xlsx-sheet-xml", sheet_xml().into_bytes()),
        Seed::Sheet("xlsx-sheet-xfd1048576", far.into_bytes()),
        Seed::Strings("xlsx-shared-strings", shared_strings_xml().into_bytes()),
    ]
}

/// Bytes the syntax of the formats turns on.
const SYNTAX: &[u8] = b";,\t\n\r\"'[]{}:<>/=&\\\x00\xff\xef\xbb\xbf";

/// Numbers at the edges: of integer types, of a sheet's size, of the caps.
const BOUNDARIES: &[&str] = &[
    "0",
    "1",
    "255",
    "256",
    "16384",
    "16385",
    "65535",
    "65536",
    "1048576",
    "1048577",
    "2147483647",
    "4294967295",
    "4294967296",
    "99999999999",
    "18446744073709551615",
    "18446744073709551616",
    "-1",
    "1e308",
];

/// Applies one to three mutations; names them for the failure message.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>) -> Vec<String> {
    let mut done = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let len = data.len();
        match rng.below(7) {
            0 => {
                let n = 1 + rng.below(8);
                for _ in 0..n {
                    if len > 0 {
                        let i = rng.below(len);
                        data[i] ^= 1 << rng.below(8);
                    }
                }
                done.push(format!("flip {n} bits"));
            }
            1 => {
                let at = rng.below(len + 1);
                data.truncate(at);
                done.push(format!("truncate at {at}"));
            }
            2 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| SYNTAX[rng.below(SYNTAX.len())]).collect();
                data.splice(at..at, bytes);
                done.push(format!("insert {n} syntax bytes at {at}"));
            }
            3 => {
                // A huge repeat: a short piece of the file, or one byte, over and over, sometimes
                // past the caps of a cell and of a row.
                let at = rng.below(len + 1);
                let piece: Vec<u8> = if len > 0 && rng.below(2) == 0 {
                    let from = rng.below(len);
                    let to = (from + 1 + rng.below(64)).min(len);
                    data[from..to].to_vec()
                } else {
                    vec![SYNTAX[rng.below(SYNTAX.len())]]
                };
                let total = [1 << 12, 1 << 16, 1 << 20, 5 << 20][rng.below(4)];
                let repeated: Vec<u8> = piece.iter().copied().cycle().take(total).collect();
                data.splice(at..at, repeated);
                done.push(format!("repeat {} bytes to {total} at {at}", piece.len()));
            }
            4 => {
                if len > 0 {
                    let from = rng.below(len);
                    let to = (from + 1 + rng.below(256)).min(len);
                    let chunk = data[from..to].to_vec();
                    let at = rng.below(len + 1);
                    data.splice(at..at, chunk);
                    done.push(format!("duplicate {from}..{to} at {at}"));
                }
            }
            5 => {
                if len > 0 {
                    let from = rng.below(len);
                    let to = (from + 1 + rng.below(64)).min(len);
                    data.drain(from..to);
                    done.push(format!("delete {from}..{to}"));
                }
            }
            _ => {
                // A number replaced by a boundary value: counts, row and column numbers, sizes.
                let digits: Vec<usize> = (0..len).filter(|&i| data[i].is_ascii_digit()).collect();
                if !digits.is_empty() {
                    let from = digits[rng.below(digits.len())];
                    let to = (from..len)
                        .find(|&i| !data[i].is_ascii_digit())
                        .unwrap_or(len);
                    let value = BOUNDARIES[rng.below(BOUNDARIES.len())];
                    data.splice(from..to, value.bytes());
                    done.push(format!("number at {from} set to {value}"));
                }
            }
        }
    }
    done
}

/// The process's peak resident memory in KiB (Linux), if known.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn clear_dir(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let _ = std::fs::remove_file(e.path());
    }
}

#[test]
fn mutated_inputs_import_or_go_to_quarantine_with_a_reason() {
    let iterations = env_u64("MCU_FUZZ_ITERS", 150);
    let seed = env_u64("MCU_FUZZ_SEED", 0x6d63_7520_6675_7a7a);
    let mut rng = Rng(seed | 1);
    // On a memory file system when there is one: the import syncs its commit and its reports to
    // disk, which is what made this slow, not the readers under test.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let ws = Workspace::open(&dir.path().join("ws")).unwrap();
    let mut store = ws.store().unwrap();
    let now: DateTime<Utc> = "2026-11-28T09:00:00Z".parse().unwrap();
    let input_dir = dir.path().join("in");
    std::fs::create_dir_all(&input_dir).unwrap();
    let seeds = seeds();

    // The seeds come first, unmutated: each imports.
    let (mut imported, mut quarantined) = (0u64, 0u64);
    let mut peak = peak_rss_kb().unwrap_or(0);
    for i in 0..seeds.len() as u64 + iterations {
        let (label, seed_data) = match &seeds[(i % seeds.len() as u64) as usize] {
            Seed::File(l, d) | Seed::Sheet(l, d) | Seed::Strings(l, d) => (*l, d.clone()),
        };
        let mut data = seed_data;
        let mutations = if i < seeds.len() as u64 {
            Vec::new()
        } else {
            mutate(&mut rng, &mut data)
        };
        let bytes = match &seeds[(i % seeds.len() as u64) as usize] {
            Seed::Sheet(..) => common::minimal_xlsx(&data, shared_strings_xml().as_bytes()),
            Seed::Strings(..) => common::minimal_xlsx(sheet_xml().as_bytes(), &data),
            Seed::File(..) => data,
        };
        let path = input_dir.join(format!("input-{i}"));
        std::fs::write(&path, &bytes).unwrap();
        let what = format!("iteration {i} (seed {seed:#x}): {label} with {mutations:?}");
        if std::env::var("MCU_FUZZ_KEEP").is_ok_and(|k| k == i.to_string()) {
            let kept = std::env::temp_dir().join(format!("mcu-fuzz-input-{i}"));
            std::fs::write(&kept, &bytes).unwrap();
            eprintln!("fuzz: input {i} kept in {}", kept.display());
        }
        let mut importer = Importer {
            workspace: &ws,
            store: &mut store,
            operator: "fuzz".into(),
            now,
            triage: None,
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            importer.import_file(&path, Some(Channel::Pos), false)
        }));
        let keep = |why: &str| {
            let saved = std::env::temp_dir().join(format!("mcu-fuzz-failure-{i}"));
            let _ = std::fs::write(&saved, &bytes);
            format!("{what}: {why}; input saved to {}", saved.display())
        };
        match result {
            Err(_) => panic!("{}", keep("the import panicked")),
            Ok(Err(e)) => panic!("{}", keep(&format!("pipeline error: {e}"))),
            Ok(Ok(report)) if mutations.is_empty() => assert!(
                matches!(
                    report.outcome,
                    FileOutcome::Imported { .. } | FileOutcome::AlreadyImported { .. }
                ),
                "{}",
                keep(&format!("the seed does not import: {report:?}"))
            ),
            Ok(Ok(report)) => match &report.outcome {
                FileOutcome::Imported { .. } | FileOutcome::AlreadyImported { .. } => imported += 1,
                FileOutcome::Failed { reason } => {
                    assert!(!reason.trim().is_empty(), "{}", keep("no reason"));
                    assert!(report.quarantine.is_some(), "{}", keep("not quarantined"));
                    quarantined += 1;
                }
            },
        }
        std::fs::remove_file(&path).unwrap();
        clear_dir(&ws.quarantine());
        // Which inputs raise the peak, for the record of long runs.
        let now_peak = peak_rss_kb().unwrap_or(0);
        if now_peak > peak + 32 * 1024 {
            eprintln!("fuzz: peak memory {now_peak} KiB after {what}");
        }
        peak = peak.max(now_peak);
    }
    eprintln!(
        "fuzz: {iterations} mutated inputs (seed {seed:#x}): {imported} imported, {quarantined} \
         quarantined; peak memory {:?} KiB",
        peak_rss_kb()
    );
    assert!(imported > 0 && quarantined > 0);
    // Inputs of up to ~6 MiB, rows capped at 4 MiB: the whole process stays far from what an
    // unbounded reader takes (gigabytes for one huge cell or one far XLSX cell).
    if let Some(kb) = peak_rss_kb() {
        assert!(kb < 512 * 1024, "peak memory {kb} KiB");
    }
}

//! Reading real-shaped export files: every format and encoding mcu accepts, bad rows with their
//! line, field and reason, and files that cannot be read at all. Fixtures are generated here.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

mod common;

use chrono::{DateTime, Utc};
use common::{Outcome, encode, import, stored_zip, write};
use mcu::domain::{Channel, Quality, Status};
use mcu::ingest::{Format, RowError, format};
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid test instant")
        .with_timezone(&Utc)
}

fn ids(out: &Outcome) -> Vec<&str> {
    out.appeals.iter().map(|a| a.source_id.as_str()).collect()
}

fn lines(out: &Outcome) -> Vec<u64> {
    out.appeals.iter().map(|a| a.line).collect()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A «Решаем вместе»-style export: Windows-1251, `;`, CRLF, a quoted text over two lines.
const POS_EXPORT: &str = "\
Номер сообщения;Дата создания;Категория;Подкатегория;Текст сообщения;Адрес;ФИО заявителя;Обращение по 59-ФЗ;Ответственный;Статус;Дата ответа;Оценка
34010000001;02.11.2026 08:05;Дороги;Ямочный ремонт;На въезде в деревню Малиновка провал асфальта у моста, ночью не видно.;д. Малиновка;Петрова Н. С.;Нет;Отдел дорожного хозяйства;Дан ответ;05.11.2026 16:20;4
34010000002;03.11.2026 19:40;ЖКХ;;\"Третий день нет холодной воды; в доме дети.
Управляющая компания отвечает «ждите», сказали \"\"авария\"\".\";с. Сосновка, ул. Лесная, 4;Громов В.;Да;МУП «Водоканал»;В работе;;
34010000003;04.11.2026 07:15;ЖКХ;Освещение;Не горят фонари вдоль дороги к школе.;п. Озёрный;;Нет;;Новое;;
";

#[test]
fn windows_1251_semicolon_export_with_multiline_text_maps_every_row() {
    let dir = tempdir();
    let path = write(
        dir.path(),
        "pos.csv",
        &encode(POS_EXPORT, encoding_rs::WINDOWS_1251, true),
    );
    let out = import(&path).expect("readable");
    assert_eq!(out.format, Format::Csv);
    assert_eq!(out.errors, []);
    assert_eq!(ids(&out), ["34010000001", "34010000002", "34010000003"]);
    // The second record spans lines 3–4, so the third starts on line 5.
    assert_eq!(lines(&out), [2, 3, 5]);

    let first = &out.appeals[0];
    assert_eq!(first.received_at, utc("2026-11-02T08:05:00+03:00"));
    assert_eq!(first.category.as_deref(), Some("Дороги / Ямочный ремонт"));
    assert_eq!(first.address.as_deref(), Some("д. Малиновка"));
    assert_eq!(first.author.as_deref(), Some("Петрова Н. С."));
    assert_eq!(first.fz59, Some(false));
    assert_eq!(
        first.responsible.as_deref(),
        Some("Отдел дорожного хозяйства")
    );
    assert_eq!(first.status, Some(Status::Answered));
    assert_eq!(first.answered_at, Some(utc("2026-11-05T16:20:00+03:00")));
    assert_eq!(first.rating, Some(4));

    let second = &out.appeals[1];
    assert_eq!(
        second.text,
        "Третий день нет холодной воды; в доме дети.\nУправляющая компания отвечает «ждите», сказали \"авария\"."
    );
    assert_eq!(second.category.as_deref(), Some("ЖКХ"));
    assert_eq!(second.fz59, Some(true));
    assert_eq!(second.status, Some(Status::InProgress));
    assert_eq!((second.answered_at, second.rating), (None, None));

    let third = &out.appeals[2];
    assert_eq!(third.settlement, None);
    assert_eq!(third.author, None);
    assert_eq!(third.status, Some(Status::New));
}

/// Long enough for the encoding to be recognised with confidence, as real exports are.
const COMPLAINTS: &str = "\
Номер;Дата поступления;Текст;Населённый пункт;Статус
К-1;01.11.2026 09:00;Во дворе дома номер пять по улице Садовой разлилась канализация, запах стоит по всей улице.;с. Заречное;Новое
К-2;01.11.2026 10:30;Просим отремонтировать крыльцо сельского клуба, ступени провалились, пожилым людям опасно.;д. Луговая;В работе
К-3;02.11.2026 14:45;Автобус до районного центра по субботам не ходит уже месяц, людям не добраться до больницы.;п. Берёзовка;Закрыто
";

#[test]
fn koi8_r_and_ibm866_files_are_recognised_and_decoded() {
    for (name, encoding) in [
        ("koi8.csv", encoding_rs::KOI8_R),
        ("dos.csv", encoding_rs::IBM866),
        ("cp1251.csv", encoding_rs::WINDOWS_1251),
    ] {
        let dir = tempdir();
        let path = write(dir.path(), name, &encode(COMPLAINTS, encoding, false));
        let out = import(&path).expect("readable");
        assert_eq!(out.errors, [], "{name}");
        assert_eq!(ids(&out), ["К-1", "К-2", "К-3"], "{name}");
        assert_eq!(
            out.appeals[2].settlement.as_deref(),
            Some("п. Берёзовка"),
            "{name}"
        );
        assert_eq!(out.appeals[1].status, Some(Status::InProgress), "{name}");
        assert!(out.appeals[0].text.starts_with("Во дворе дома"), "{name}");
    }
}

#[test]
fn utf8_with_bom_comma_registry_maps() {
    let registry = "\u{feff}Рег. номер,Дата регистрации,Заявитель,Адрес,Краткое содержание,Исполнитель,Статус,Дата ответа\n\
        П-10/2026,12.11.2026 11:05,Орлова Т. И.,\"с. Ключи, ул. Школьная, 2\",\"Прошу выделить место в детском саду, очередь не движется.\",Отдел образования,Дан ответ,20.11.2026 15:00\n\
        П-11/2026,13.11.2026,Зайцев П.,д. Ручьи,Прошу провести проверку законности вырубки леса у деревни.,,Назначено,\n";
    let dir = tempdir();
    let path = write(dir.path(), "letters.csv", registry.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(out.errors, []);
    assert_eq!(ids(&out), ["П-10/2026", "П-11/2026"]);
    let a = &out.appeals[0];
    assert_eq!(a.address.as_deref(), Some("с. Ключи, ул. Школьная, 2"));
    assert_eq!(a.author.as_deref(), Some("Орлова Т. И."));
    assert_eq!(a.responsible.as_deref(), Some("Отдел образования"));
    assert_eq!(a.answered_at, Some(utc("2026-11-20T15:00:00+03:00")));
    // A date alone is local midnight.
    assert_eq!(out.appeals[1].received_at, utc("2026-11-13T00:00:00+03:00"));
    assert_eq!(out.appeals[1].status, Some(Status::Assigned));
}

#[test]
fn tab_separated_canonical_file_maps_every_field() {
    let tsv = "id\tchannel\treceived_at\ttext\tblock\turgent\tconflict\tquality\tfirst_response_at\tlat\tlon\tЦвет\n\
        T-1\tТелеграм\t2026-11-10T08:00:00+05:00\tУпало дерево на провода, нет света.\tжкх\tДа\t-\tотписка\t2026-11-10 12:00\t56,95\t46.85\tзелёный\n";
    let dir = tempdir();
    let path = write(dir.path(), "export.tsv", tsv.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(out.errors, []);
    let a = &out.appeals[0];
    assert_eq!(a.channel, Some(Channel::Im));
    assert_eq!(a.received_at, utc("2026-11-10T03:00:00Z"));
    assert_eq!(a.block.as_deref(), Some("housing"));
    assert_eq!((a.urgent, a.conflict), (Some(true), Some(false)));
    assert_eq!(a.quality, Some(Quality::Formal));
    assert_eq!(a.first_response_at, Some(utc("2026-11-10T12:00:00+03:00")));
    assert_eq!((a.lat, a.lon), (Some(56.95), Some(46.85)));
    assert_eq!(out.unknown_headers, ["Цвет"]);
}

fn write_xlsx(path: &std::path::Path) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = XlsxFormat::new().set_num_format("dd.mm.yyyy hh:mm");
    // Two empty rows above the header: lines are sheet rows all the same.
    let headers = [
        "Номер",
        "Дата поступления",
        "Соцсеть",
        "Текст",
        "Срочно",
        "Дата ответа",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).expect("cell");
    }
    let received = ExcelDateTime::from_ymd(2026, 11, 3)
        .and_then(|d| d.and_hms(9, 15, 0))
        .expect("date");
    let answered = ExcelDateTime::from_ymd(2026, 11, 4)
        .and_then(|d| d.and_hms(17, 40, 30))
        .expect("date");
    sheet.write_number(3, 0, 12_050_000_001.0).expect("cell");
    sheet
        .write_datetime_with_format(3, 1, &received, &date)
        .expect("cell");
    sheet.write_string(3, 2, "ВКонтакте").expect("cell");
    sheet
        .write_string(
            3,
            3,
            "Около остановки «Центр» третий день лежит куча мусора.",
        )
        .expect("cell");
    sheet.write_string(3, 4, "Нет").expect("cell");
    sheet
        .write_datetime_with_format(3, 5, &answered, &date)
        .expect("cell");

    sheet.write_string(4, 0, "IM-77").expect("cell");
    sheet
        .write_datetime_with_format(4, 1, &received, &date)
        .expect("cell");
    sheet.write_string(4, 2, "Одноклассники").expect("cell");
    sheet
        .write_string(4, 3, "Горит трава у фермы, огонь идёт к домам!")
        .expect("cell");
    sheet.write_boolean(4, 4, true).expect("cell");
    // Row 6 left empty, row 7 has a date typed as text that is no date.
    sheet.write_string(6, 0, "IM-78").expect("cell");
    sheet.write_string(6, 1, "вчера").expect("cell");
    sheet.write_string(6, 3, "Не вывозят мусор.").expect("cell");
    book.save(path).expect("xlsx written");
}

#[test]
fn xlsx_dates_become_local_times_and_big_ids_stay_whole() {
    let dir = tempdir();
    let path = dir.path().join("im.xlsx");
    write_xlsx(&path);
    let out = import(&path).expect("readable");
    assert_eq!(out.format, Format::Spreadsheet);
    assert_eq!(ids(&out), ["12050000001", "IM-77"]);
    assert_eq!(lines(&out), [4, 5]);
    let a = &out.appeals[0];
    assert_eq!(a.received_at, utc("2026-11-03T09:15:00+03:00"));
    assert_eq!(a.answered_at, Some(utc("2026-11-04T17:40:30+03:00")));
    assert_eq!(a.channel, Some(Channel::Im));
    assert_eq!(a.urgent, Some(false));
    assert_eq!(out.appeals[1].urgent, Some(true));
    assert_eq!(
        out.errors,
        [RowError {
            line: 7,
            field: "received_at".into(),
            reason: "not a date «вчера» (expected e.g. 2026-11-28 14:30, 28.11.2026 14:30, \
                     28.11.26, 2026-11-28T14:30:00+03:00 or an Excel date number) \
                     (column «Дата поступления»)"
                .into(),
        }]
    );
}

#[test]
fn ods_is_read_by_its_mimetype() {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Лист1">
<table:table-row>
<table:table-cell office:value-type="string"><text:p>Номер обращения</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>Дата регистрации</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>Текст обращения</text:p></table:table-cell>
</table:table-row>
<table:table-row>
<table:table-cell office:value-type="float" office:value="12050000002"><text:p>12050000002</text:p></table:table-cell>
<table:table-cell office:value-type="date" office:date-value="2026-11-05T13:20:00"><text:p>05.11.2026 13:20</text:p></table:table-cell>
<table:table-cell office:value-type="string"><text:p>Просим установить лежачего полицейского у школы.</text:p></table:table-cell>
</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    // Real ODS writers put no whitespace between elements, and calamine expects none.
    let content: String = content.lines().map(str::trim).collect();
    let ods = stored_zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ]);
    let dir = tempdir();
    let path = write(dir.path(), "table.ods", &ods);
    assert_eq!(
        format::spreadsheet_kind(&path),
        Ok(format::SpreadsheetKind::Ods)
    );
    let out = import(&path).expect("readable");
    assert_eq!(out.errors, []);
    assert_eq!(ids(&out), ["12050000002"]);
    assert_eq!(out.appeals[0].received_at, utc("2026-11-05T13:20:00+03:00"));
}

#[test]
fn json_lines_stream_with_bad_lines_reported() {
    let jsonl = "\u{feff}{\"id\": \"M-1\", \"channel\": \"messenger\", \"received_at\": \"2026-11-06T10:00:00+03:00\", \"text\": \"Когда откроют каток?\", \"rating\": 5, \"urgent\": false, \"answered_at\": null}\n\
        \n\
        {\"id\": \"M-2\", \"received_at\": \"06.11.2026 11:00\", \"text\": \"Спасибо за расчищенную дорогу!\", \"status\": \"closed\", \"rating\": 5.0}\n\
        {\"id\": \"M-3\", \"text\": оборвано\n\
        [1, 2]\n\
        {\"id\": 4, \"received_at\": \"2026-11-06 12:00\", \"text\": \"Прошу спилить аварийную берёзу.\", \"channel\": \"page_comment\"}\n";
    let dir = tempdir();
    let path = write(dir.path(), "messenger.jsonl", jsonl.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(out.format, Format::JsonLines);
    assert_eq!(ids(&out), ["M-1", "M-2", "4"]);
    assert_eq!(lines(&out), [1, 3, 6]);
    assert_eq!(out.appeals[0].channel, Some(Channel::Messenger));
    assert_eq!(out.appeals[0].rating, Some(5));
    assert_eq!(out.appeals[1].rating, Some(5));
    assert_eq!(out.appeals[1].status, Some(Status::Closed));
    assert_eq!(out.appeals[2].channel, Some(Channel::Page));
    let bad: Vec<(u64, &str)> = out
        .errors
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].0, 4);
    assert!(
        bad[0].1.starts_with("the line is not valid JSON"),
        "{}",
        bad[0].1
    );
    assert_eq!(bad[1], (5, "the line is a JSON array, not an object"));
}

#[test]
fn json_array_of_canonical_records_maps() {
    let json = r#"[
  {"id": "A-1", "received_at": "2026-11-07T09:00:00+03:00", "text": "Нет воды в колонке на ул. Речной.", "settlement": "с. Заречное", "fz59": true},
  {"id": "A-2", "received_at": "2026-11-07T10:00:00+03:00", "text": "", "settlement": "д. Луговая"},
  "не объект"
]"#;
    let dir = tempdir();
    let path = write(dir.path(), "records.json", json.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(out.format, Format::JsonArray);
    assert_eq!(ids(&out), ["A-1"]);
    assert_eq!(out.appeals[0].fz59, Some(true));
    assert_eq!(
        out.errors,
        [
            RowError {
                line: 2,
                field: "text".into(),
                reason: "text is empty".into()
            },
            RowError {
                line: 3,
                field: String::new(),
                reason: "the element is a JSON string, not an object".into()
            },
        ]
    );
}

#[test]
fn open311_requests_map_to_canonical_fields() {
    let json = r#"[
 {"service_request_id": "311-1", "status": "closed", "status_notes": "Яма засыпана щебнем.",
  "service_name": "Дороги", "service_code": "roads", "description": "Глубокая яма на перекрёстке.",
  "agency_responsible": "Отдел дорожного хозяйства", "requested_datetime": "2026-11-08T09:00:00+03:00",
  "updated_datetime": "2026-11-09T15:30:00+03:00", "address": "ул. Мира, 3", "lat": 56.9, "long": 46.8},
 {"service_request_id": 312, "status": "open", "status_notes": null, "service_name": "ЖКХ",
  "description": "Течёт крыша в подъезде.", "agency_responsible": null,
  "requested_datetime": "2026-11-08T10:00:00+03:00", "updated_datetime": "2026-11-08T11:00:00+03:00",
  "address": null, "lat": null, "long": null}
]"#;
    let dir = tempdir();
    let path = write(dir.path(), "requests.txt", json.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(out.format, Format::Open311);
    assert_eq!(out.errors, []);
    assert_eq!(ids(&out), ["311-1", "312"]);
    let closed = &out.appeals[0];
    assert_eq!(closed.status, Some(Status::Closed));
    assert_eq!(closed.answered_at, Some(utc("2026-11-09T15:30:00+03:00")));
    assert_eq!(closed.answer.as_deref(), Some("Яма засыпана щебнем."));
    assert_eq!(closed.category.as_deref(), Some("Дороги"));
    assert_eq!(
        closed.responsible.as_deref(),
        Some("Отдел дорожного хозяйства")
    );
    assert_eq!(closed.address.as_deref(), Some("ул. Мира, 3"));
    assert_eq!((closed.lat, closed.lon), (Some(56.9), Some(46.8)));
    assert_eq!(closed.channel, None);
    let open = &out.appeals[1];
    assert_eq!((open.status, open.answered_at), (None, None));
    assert_eq!(open.text, "Течёт крыша в подъезде.");
}

#[test]
fn bad_rows_are_reported_with_line_field_and_reason_while_good_rows_map() {
    let csv = "\
id;channel;received_at;text;settlement;rating
B-1;pos;2026-11-01 10:15;Сломана скамейка в парке.;с. Заречное;5
;pos;2026-11-02 10:15;Нет номера у этой строки.;д. Луговая;
B-3;pos;2026-11-03 10:15;;с. Заречное;
B-4;pos;31.02.2026;Не бывает такого дня.;п. Берёзовка;
B-5;pos;2026-11-05 10:15;Оценка не по шкале.;д. Луговая;7
B-6;pos;вчера;Дата словом.;с. Заречное;
B-7;pos;2026-11-07 10:15;Просим покосить траву у памятника.;с. Заречное;4
";
    let dir = tempdir();
    let path = write(dir.path(), "with_bad_rows.csv", csv.as_bytes());
    let out = import(&path).expect("readable");
    assert_eq!(ids(&out), ["B-1", "B-7"]);
    assert_eq!(lines(&out), [2, 8]);
    let got: Vec<(u64, &str, &str)> = out
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "id", "id is empty"),
            (4, "text", "text is empty"),
            (5, "received_at", "no such date «31.02.2026»"),
            (6, "rating", "rating 7 is outside 1–5"),
            (
                7,
                "received_at",
                "not a date «вчера» (expected e.g. 2026-11-28 14:30, 28.11.2026 14:30, 28.11.26, \
                 2026-11-28T14:30:00+03:00 or an Excel date number)"
            ),
        ]
    );
}

#[test]
fn a_row_with_more_cells_than_headers_is_bad_but_the_rest_imports() {
    let csv = "Номер;Дата;Текст\n\
               1;01.11.2026;Яма у магазина\n\
               2;01.11.2026;Яма; у почты\n\
               3;01.11.2026;Яма у клуба;\n";
    let dir = tempdir();
    let path = write(dir.path(), "shifted.csv", csv.as_bytes());
    let out = import(&path).expect("readable");
    // A trailing empty cell is harmless; a shifted value is not.
    assert_eq!(ids(&out), ["1", "3"]);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].line, 3);
    assert!(
        out.errors[0].reason.contains("4 cells"),
        "{}",
        out.errors[0].reason
    );
}

#[test]
fn big_utf8_and_cp1251_files_read_across_chunk_boundaries() {
    let mut text = String::from("Номер;Дата поступления;Текст\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "{i};03.11.2026 10:{:02};Жалоба номер {i}: «ёлка» упала на провода, нет света.\n",
            i % 60
        ));
    }
    let dir = tempdir();
    for (name, bytes) in [
        ("big-utf8.csv", text.clone().into_bytes()),
        (
            "big-1251.csv",
            encode(&text, encoding_rs::WINDOWS_1251, true),
        ),
    ] {
        assert!(bytes.len() > 64 * 1024);
        let path = write(dir.path(), name, &bytes);
        let out = import(&path).expect("readable");
        assert_eq!(out.errors, [], "{name}");
        assert_eq!(out.appeals.len(), 3000, "{name}");
        assert_eq!(out.appeals[2999].line, 3001, "{name}");
        assert!(out.appeals[2999].text.contains("«ёлка»"), "{name}");
    }
}

#[test]
fn the_extension_is_only_a_hint() {
    let dir = tempdir();
    let xlsx_named_csv = dir.path().join("export.csv");
    write_xlsx(&xlsx_named_csv);
    assert_eq!(format::detect(&xlsx_named_csv), Ok(Format::Spreadsheet));
    let csv_named_xlsx = write(
        dir.path(),
        "export.xlsx",
        "id,received_at,text\n1,2026-11-01,Текст\n".as_bytes(),
    );
    assert_eq!(format::detect(&csv_named_xlsx), Ok(Format::Csv));
    assert_eq!(import(&csv_named_xlsx).map(|o| o.appeals.len()), Ok(1));
}

#[test]
fn empty_and_garbage_files_are_file_errors() {
    let dir = tempdir();
    let empty = write(dir.path(), "empty.csv", b"");
    let err = format::detect(&empty).expect_err("empty");
    assert_eq!(err.reason, "the file is empty");

    let blank = write(dir.path(), "blank.csv", b"\xEF\xBB\xBF\r\n  \r\n");
    assert_eq!(
        format::detect(&blank).map_err(|e| e.reason),
        Err("the file is empty".into())
    );

    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let path = write(dir.path(), "garbage.csv", &garbage);
    let err = format::detect(&path).expect_err("binary");
    assert!(err.reason.contains("binary data"), "{}", err.reason);

    let zip = stored_zip(&[("notes.txt", b"hello".as_slice())]);
    let path = write(dir.path(), "archive.xlsx", &zip);
    let err = format::detect(&path).expect_err("not a workbook");
    assert!(err.reason.contains("not a spreadsheet"), "{}", err.reason);

    let broken = write(dir.path(), "broken.xlsx", b"PK\x03\x04 cut short");
    assert!(import(&broken).is_err());

    let unclosed = write(dir.path(), "cut.json", br#"[{"id": "1", "text": "a""#);
    let err = import(&unclosed).expect_err("cut short");
    assert!(err.reason.contains("not closed"), "{}", err.reason);
}

#[test]
fn a_file_without_id_text_or_date_columns_is_refused_naming_them() {
    let csv = "Фамилия;Имя;Дата\nИванов;Иван;01.11.2026\n";
    let dir = tempdir();
    let path = write(dir.path(), "people.csv", csv.as_bytes());
    let err = import(&path).expect_err("no id or text");
    assert!(err.reason.contains("no column for id"), "{}", err.reason);
    assert!(err.reason.contains("text"), "{}", err.reason);
    assert!(!err.reason.contains("received_at ("), "{}", err.reason);
    assert!(
        err.reason.contains("«Фамилия», «Имя», «Дата»"),
        "{}",
        err.reason
    );
}

#[test]
fn excel_unicode_text_utf16_tab_separated_is_read() {
    let text = "Номер\tДата поступления\tТекст\r\nU-1\t05.11.2026 08:30\tГололёд на тротуаре у аптеки.\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let dir = tempdir();
    let path = write(dir.path(), "unicode.txt", &bytes);
    let out = import(&path).expect("readable");
    assert_eq!(out.format, Format::Csv);
    assert_eq!(out.errors, []);
    assert_eq!(ids(&out), ["U-1"]);
    assert_eq!(out.appeals[0].text, "Гололёд на тротуаре у аптеки.");
}

#[test]
fn an_excel_sep_line_sets_the_delimiter_and_is_not_the_header() {
    let csv = "sep=,\r\nНомер,Дата поступления,Текст\r\nS-1,05.11.2026 г.,\"Лужа; по колено\"\r\n";
    let dir = tempdir();
    let path = write(
        dir.path(),
        "sep.csv",
        &encode(csv, encoding_rs::WINDOWS_1251, false),
    );
    let out = import(&path).expect("readable");
    assert_eq!(out.errors, []);
    assert_eq!(ids(&out), ["S-1"]);
    assert_eq!(lines(&out), [3]);
    assert_eq!(out.appeals[0].text, "Лужа; по колено");
}

//! Demo data written as the sources export it, so that `mcu demo` goes through the real import
//! pipeline and its formats: an «Инцидент Менеджмент» XLSX with Excel date cells, a ПОС CSV in
//! Windows-1251 with `;` and Russian headers, a letters registry in UTF-8 with BOM and `,`, and
//! canonical JSON Lines for what the МЦУ enters itself (messengers, phone calls, page comments).
//!
//! The sources do not know the МЦУ's own judgements: block, answer quality and (except in what the
//! МЦУ enters) the conflict mark are left out, for the officers to set.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use super::DemoError;
use crate::domain::{Channel, Status};
use crate::ingest::IncomingAppeal;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The word an export uses for a status.
fn status_word(s: Option<Status>) -> &'static str {
    s.map_or("", Status::label_ru)
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Да",
        Some(false) => "Нет",
        None => "",
    }
}

/// `DD.MM.YYYY HH:MM` local time, as Russian exports write dates.
fn ru_time(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string())
        .unwrap_or_default()
}

fn s(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Writes one batch of records (as of one export) into the inbox folders: one file per source.
/// `tag` makes the names unique (a date). Returns the files written.
pub fn write_batch(
    inbox: &Path,
    tag: &str,
    rows: &[(Channel, IncomingAppeal)],
    tz: Tz,
) -> Result<Vec<PathBuf>, DemoError> {
    let pick = |f: &dyn Fn(Channel) -> bool| -> Vec<&IncomingAppeal> {
        rows.iter().filter(|(c, _)| f(*c)).map(|(_, a)| a).collect()
    };
    let mut files = Vec::new();
    let im = pick(&|c| c == Channel::Im);
    if !im.is_empty() {
        let p = inbox.join("im").join(format!("im_export_{tag}.xlsx"));
        write_im_xlsx(&p, &im, tz)?;
        files.push(p);
    }
    let pos = pick(&|c| c == Channel::Pos);
    if !pos.is_empty() {
        let p = inbox.join("pos").join(format!("pos_export_{tag}.csv"));
        write_pos_csv(&p, &pos, tz)?;
        files.push(p);
    }
    let letters = pick(&|c| c == Channel::Letter);
    if !letters.is_empty() {
        let p = inbox
            .join("letters")
            .join(format!("letters_registry_{tag}.csv"));
        write_letters_csv(&p, &letters, tz)?;
        files.push(p);
    }
    let pages: Vec<(Channel, &IncomingAppeal)> = rows
        .iter()
        .filter(|(c, _)| *c == Channel::Page)
        .map(|(c, a)| (*c, a))
        .collect();
    if !pages.is_empty() {
        let p = inbox
            .join("pages")
            .join(format!("page_comments_{tag}.jsonl"));
        write_jsonl(&p, &pages, tz)?;
        files.push(p);
    }
    let own: Vec<(Channel, &IncomingAppeal)> = rows
        .iter()
        .filter(|(c, _)| matches!(c, Channel::Messenger | Channel::Phone | Channel::Other))
        .map(|(c, a)| (*c, a))
        .collect();
    if !own.is_empty() {
        let p = inbox.join(format!("mcu_journal_{tag}.jsonl"));
        write_jsonl(&p, &own, tz)?;
        files.push(p);
    }
    Ok(files)
}

/// An «Инцидент Менеджмент»-style export: Russian headers, Excel date cells, the social network.
pub fn write_im_xlsx(path: &Path, rows: &[&IncomingAppeal], tz: Tz) -> Result<(), DemoError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
    let x = |e: XlsxError| DemoError::Other(format!("{}: {e}", path.display()));
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("Инциденты").map_err(x)?;
    let date = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let bold = Format::new().set_bold();
    let headers = [
        "Номер",
        "Дата поступления",
        "Соцсеть",
        "Текст",
        "Автор",
        "Ссылка",
        "Населённый пункт",
        "Адрес",
        "Категория",
        "Срочно",
        "Исполнитель",
        "Статус",
        "Дата первого ответа",
        "Дата ответа",
        "Текст ответа",
        "Оценка",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(x)?;
    }
    for (c, w) in [(0u16, 10.0), (1, 16.0), (3, 70.0), (14, 50.0)] {
        sheet.set_column_width(c, w).map_err(x)?;
    }
    let excel_time = |t: DateTime<Utc>| -> Result<ExcelDateTime, XlsxError> {
        let l = t.with_timezone(&tz);
        ExcelDateTime::from_ymd(l.year() as u16, l.month() as u8, l.day() as u8)?.and_hms(
            l.hour() as u16,
            l.minute() as u8,
            l.second(),
        )
    };
    for (i, a) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let network = match a.url.as_deref() {
            Some(u) if u.contains("ok.ru") => "Одноклассники",
            Some(u) if u.contains("t.me") => "Telegram",
            _ => "ВКонтакте",
        };
        let cells = [
            (0, a.source_id.as_str()),
            (2, network),
            (3, a.text.as_str()),
            (4, s(&a.author)),
            (5, s(&a.url)),
            (6, s(&a.settlement)),
            (7, s(&a.address)),
            (8, s(&a.category)),
            (9, yes_no(a.urgent)),
            (10, s(&a.responsible)),
            (11, status_word(a.status)),
            (14, s(&a.answer)),
        ];
        for (c, v) in cells {
            if !v.is_empty() {
                sheet.write_string(r, c, v).map_err(x)?;
            }
        }
        for (c, t) in [
            (1u16, Some(a.received_at)),
            (12, a.first_response_at),
            (13, a.answered_at),
        ] {
            if let Some(t) = t {
                sheet
                    .write_datetime_with_format(r, c, excel_time(t).map_err(x)?, &date)
                    .map_err(x)?;
            }
        }
        if let Some(v) = a.rating {
            sheet.write_number(r, 15, f64::from(v)).map_err(x)?;
        }
    }
    wb.save(path).map_err(x)?;
    crate::workspace::protect(path);
    Ok(())
}

/// A «Решаем вместе» (ПОС) export: Windows-1251, `;`, CRLF, Russian headers and words.
pub fn write_pos_csv(path: &Path, rows: &[&IncomingAppeal], tz: Tz) -> Result<(), DemoError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let e = |err: csv::Error| DemoError::Other(format!("{}: {err}", path.display()));
    w.write_record([
        "Номер сообщения",
        "Дата создания",
        "Категория",
        "Подкатегория",
        "Текст сообщения",
        "Населённый пункт",
        "Адрес",
        "ФИО заявителя",
        "Телефон",
        "Обращение по 59-ФЗ",
        "Ответственный",
        "Статус",
        "Дата ответа",
        "Текст ответа",
        "Оценка",
        "Широта",
        "Долгота",
    ])
    .map_err(e)?;
    for a in rows {
        let (cat, sub) = s(&a.category)
            .split_once(" / ")
            .unwrap_or((s(&a.category), ""));
        let num = |v: Option<f64>| {
            v.map(|v| v.to_string().replace('.', ","))
                .unwrap_or_default()
        };
        w.write_record([
            a.source_id.as_str(),
            &ru_time(Some(a.received_at), tz),
            cat,
            sub,
            a.text.as_str(),
            s(&a.settlement),
            s(&a.address),
            s(&a.author),
            s(&a.contact),
            yes_no(a.fz59),
            s(&a.responsible),
            status_word(a.status),
            &ru_time(a.answered_at, tz),
            s(&a.answer),
            &a.rating.map(|r| r.to_string()).unwrap_or_default(),
            &num(a.lat),
            &num(a.lon),
        ])
        .map_err(e)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|err| DemoError::Other(format!("{}: {err}", path.display())))?;
    let text = String::from_utf8_lossy(&bytes);
    let (encoded, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    crate::workspace::write_file(path, &encoded).map_err(io_err(path))
}

/// A registry of letters under 59-ФЗ: UTF-8 with BOM, `,`.
pub fn write_letters_csv(path: &Path, rows: &[&IncomingAppeal], tz: Tz) -> Result<(), DemoError> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b',')
        .from_writer(Vec::from(*b"\xEF\xBB\xBF"));
    let e = |err: csv::Error| DemoError::Other(format!("{}: {err}", path.display()));
    w.write_record([
        "Рег. номер",
        "Дата регистрации",
        "Заявитель",
        "Адрес",
        "Населённый пункт",
        "Контактный телефон",
        "Краткое содержание",
        "Исполнитель",
        "Статус",
        "Дата ответа",
        "Текст ответа",
    ])
    .map_err(e)?;
    for a in rows {
        w.write_record([
            a.source_id.as_str(),
            &ru_time(Some(a.received_at), tz),
            s(&a.author),
            s(&a.address),
            s(&a.settlement),
            s(&a.contact),
            a.text.as_str(),
            s(&a.responsible),
            status_word(a.status),
            &ru_time(a.answered_at, tz),
            s(&a.answer),
        ])
        .map_err(e)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|err| DemoError::Other(format!("{}: {err}", path.display())))?;
    crate::workspace::write_file(path, bytes).map_err(io_err(path))
}

/// Canonical JSON Lines, as the МЦУ's own journal of messages and calls: every row names its
/// channel, and the МЦУ's block and conflict mark are filled.
pub fn write_jsonl(
    path: &Path,
    rows: &[(Channel, &IncomingAppeal)],
    tz: Tz,
) -> Result<(), DemoError> {
    let mut out = String::new();
    let mut t = String::new();
    let mut time = |v: Option<DateTime<Utc>>| -> Value {
        match v {
            Some(v) => {
                super::csv::time(&mut t, v, tz);
                Value::String(t.clone())
            }
            None => Value::Null,
        }
    };
    for (channel, a) in rows {
        let mut m = Map::new();
        m.insert("id".into(), json!(a.source_id));
        m.insert("channel".into(), json!(channel.id()));
        m.insert("received_at".into(), time(Some(a.received_at)));
        m.insert("text".into(), json!(a.text));
        m.insert("author".into(), json!(a.author));
        m.insert("contact".into(), json!(a.contact));
        m.insert("settlement".into(), json!(a.settlement));
        m.insert("address".into(), json!(a.address));
        m.insert("url".into(), json!(a.url));
        m.insert("block".into(), json!(a.block));
        m.insert("responsible".into(), json!(a.responsible));
        m.insert("status".into(), json!(a.status.map(Status::id)));
        m.insert("urgent".into(), json!(a.urgent));
        m.insert("conflict".into(), json!(a.conflict));
        m.insert("first_response_at".into(), time(a.first_response_at));
        m.insert("answered_at".into(), time(a.answered_at));
        m.insert("answer".into(), json!(a.answer));
        m.insert("rating".into(), json!(a.rating));
        out.push_str(&Value::Object(m).to_string());
        out.push('\n');
    }
    crate::workspace::write_file(path, out).map_err(io_err(path))
}

//! The materials for the regional ЦУР: one workbook (XLSX) or a folder of CSV files with the
//! sheets «Сводка», «Обращения», «Рейтинг», «Просрочено», «Поселения», «Конфликты». The sheets
//! are defined once, over a [`Sink`]; the appeals are streamed page by page (keyset paging,
//! worksheets in constant-memory mode), never all in memory. Text is always written as text:
//! in the workbook a string cell is never a formula; in CSV a formula-looking cell is
//! neutralised (`domain::csv_cell`). Personal data is masked unless asked for by a role that
//! may export it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use crate::analytics::{self, Period};
use crate::domain::access::{Grants, Role, redact};
use crate::domain::targets::Indicator;
use crate::domain::{Appeal, Channel, csv_cell};
use crate::store::{Cursor, Dimension, ListFilter, Store, StoreError};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A share 0–1, shown as per cent.
    Share(f64),
    /// A local date and time.
    When(NaiveDateTime),
    Empty,
}

impl Cell {
    fn opt_text(v: Option<&str>) -> Cell {
        v.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
    }
    fn opt_share(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Share)
    }
}

/// Where the sheets go.
pub trait Sink {
    /// Starts a sheet with its header and column widths (in characters).
    fn sheet(&mut self, name: &str, header: &[(&str, f64)]) -> Result<(), String>;
    /// Adds a row to the current sheet.
    fn row(&mut self, cells: &[Cell]) -> Result<(), String>;
    /// Writes everything out.
    fn finish(&mut self) -> Result<(), String>;
}

/// Rows of the current sheet are streamed into a constant-memory worksheet.
pub struct Xlsx {
    book: Workbook,
    path: PathBuf,
    current: Option<usize>,
    rows: u32,
    cols: u16,
    sheets: usize,
    date: Format,
    share: Format,
    head: Format,
    text: Format,
}

impl Xlsx {
    pub fn new(path: &Path) -> Self {
        let mut book = Workbook::new();
        // Zip level 3, as Excel 365 saves: about 30 % less time than the default 6 for a file
        // about 5 % larger (rust_xlsxwriter's performance notes); compressing was a quarter
        // of the workbook's time.
        book.set_zip_compression_level(3);
        Self {
            book,
            path: path.to_path_buf(),
            current: None,
            rows: 0,
            cols: 0,
            sheets: 0,
            date: Format::new().set_num_format("dd.mm.yyyy hh:mm"),
            share: Format::new().set_num_format("0%"),
            head: Format::new()
                .set_bold()
                .set_background_color("#DDE4F0")
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            text: Format::new(),
        }
    }

    fn close_sheet(&mut self) -> Result<(), String> {
        if let Some(i) = self.current {
            let (rows, cols) = (self.rows, self.cols);
            let ws = self
                .book
                .worksheet_from_index(i)
                .map_err(|e| e.to_string())?;
            ws.autofilter(0, 0, rows.max(1), cols.saturating_sub(1))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn ws(&mut self) -> Result<&mut Worksheet, String> {
        let i = self.current.ok_or("no sheet started")?;
        self.book.worksheet_from_index(i).map_err(|e| e.to_string())
    }
}

fn xerr(e: rust_xlsxwriter::XlsxError) -> String {
    e.to_string()
}

impl Sink for Xlsx {
    fn sheet(&mut self, name: &str, header: &[(&str, f64)]) -> Result<(), String> {
        self.close_sheet()?;
        let head = self.head.clone();
        let ws = self
            .book
            .add_worksheet_with_constant_memory()
            .map_err(xerr)?;
        ws.set_name(name).map_err(xerr)?;
        for (c, (h, w)) in header.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            ws.set_column_width(c, *w).map_err(xerr)?;
            ws.write_string_with_format(0, c, *h, &head).map_err(xerr)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        self.current = Some(self.sheets);
        self.sheets += 1;
        self.rows = 0;
        self.cols = u16::try_from(header.len()).unwrap_or(u16::MAX);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), String> {
        self.rows += 1;
        let r = self.rows;
        let (date, share, text) = (self.date.clone(), self.share.clone(), self.text.clone());
        let ws = self.ws()?;
        for (c, cell) in cells.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            match cell {
                // A string cell is never a formula, whatever it begins with.
                Cell::Text(s) => ws.write_string_with_format(r, c, s, &text).map(|_| ()),
                Cell::Int(v) => ws.write_number(r, c, *v as f64).map(|_| ()),
                Cell::Num(v) => ws.write_number(r, c, *v).map(|_| ()),
                Cell::Share(v) => ws.write_number_with_format(r, c, *v, &share).map(|_| ()),
                Cell::When(t) => {
                    let d = excel_date(t).map_err(xerr)?;
                    ws.write_datetime_with_format(r, c, d, &date).map(|_| ())
                }
                Cell::Empty => Ok(()),
            }
            .map_err(xerr)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.close_sheet()?;
        self.book.save(&self.path).map_err(xerr)
    }
}

fn excel_date(t: &NaiveDateTime) -> Result<ExcelDateTime, rust_xlsxwriter::XlsxError> {
    let y = u16::try_from(t.year()).unwrap_or(1900);
    let m = u8::try_from(t.month()).unwrap_or(1);
    let d = u8::try_from(t.day()).unwrap_or(1);
    let hh = u16::try_from(t.hour()).unwrap_or(0);
    let mm = u8::try_from(t.minute()).unwrap_or(0);
    let ss = u8::try_from(t.second()).unwrap_or(0);
    ExcelDateTime::from_ymd(y, m, d)?.and_hms(hh, mm, ss)
}

/// One CSV file per sheet (UTF-8 with BOM, `;`), named by the sheet, in a folder.
pub struct CsvDir {
    dir: PathBuf,
    current: Option<csv::Writer<std::io::BufWriter<std::fs::File>>>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

impl CsvDir {
    pub fn new(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            current: None,
            files: Vec::new(),
        })
    }

    fn flush(&mut self) -> Result<(), String> {
        if let Some(mut w) = self.current.take() {
            w.flush().map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

impl Sink for CsvDir {
    fn sheet(&mut self, name: &str, header: &[(&str, f64)]) -> Result<(), String> {
        use std::io::Write;
        self.flush()?;
        let path = self.dir.join(format!("{name}.csv"));
        let f =
            crate::workspace::create_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = std::io::BufWriter::new(f);
        out.write_all("\u{feff}".as_bytes())
            .map_err(|e| e.to_string())?;
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
        w.write_record(header.iter().map(|(h, _)| *h))
            .map_err(|e| e.to_string())?;
        self.current = Some(w);
        self.files.push(path);
        Ok(())
    }

    fn row(&mut self, cells: &[Cell]) -> Result<(), String> {
        let w = self.current.as_mut().ok_or("no sheet started")?;
        let rec: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => csv_cell::text(s).into_owned(),
                Cell::Int(v) => v.to_string(),
                Cell::Num(v) => format!("{v:.2}").replace('.', ","),
                Cell::Share(v) => format!("{:.1}", v * 100.0).replace('.', ","),
                Cell::When(t) => t.format("%Y-%m-%d %H:%M").to_string(),
                Cell::Empty => String::new(),
            })
            .collect();
        w.write_record(&rec).map_err(|e| e.to_string())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.flush()
    }
}

/// What the workbook is made of, and for whom.
pub struct Request<'a> {
    pub period: Period,
    pub now: DateTime<Utc>,
    pub grants: &'a Grants,
    /// Personal data in full (the caller has checked the role may export it).
    pub with_personal_data: bool,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub appeals: u64,
    pub overdue: u64,
    pub conflicts: u64,
}

/// Page size of the streamed appeals.
pub const PAGE: usize = 2000;

fn err(e: StoreError) -> String {
    e.to_string()
}

/// Writes every sheet into `sink`.
pub fn write(store: &Store, r: &Request<'_>, sink: &mut dyn Sink) -> Result<Written, String> {
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (from, to) = r.period.bounds(tz);
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    let when = |t: Option<DateTime<Utc>>| t.map_or(Cell::Empty, |t| Cell::When(local(t)));
    let block = |b: Option<&str>| {
        b.map_or(Cell::Empty, |b| {
            Cell::Text(reference.blocks.name_of(b).to_string())
        })
    };
    let channel = |k: &str| {
        k.parse::<Channel>()
            .map_or(k.to_string(), |c| c.label_ru().to_string())
    };
    let mut written = Written::default();

    // «Сводка»: what `mcu stats` and `mcu targets` give.
    sink.sheet(
        "Сводка",
        &[
            ("Показатель", 44.0),
            ("Значение", 14.0),
            ("Цель", 12.0),
            ("Итог", 14.0),
        ],
    )?;
    let filter = ListFilter {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let stats = store.stats(&filter, r.now).map_err(err)?;
    let t = |s: &str| Cell::Text(s.to_string());
    sink.row(&[
        t("Период"),
        Cell::Text(format!(
            "{} — {}",
            r.period.from.format("%d.%m.%Y"),
            r.period.to.format("%d.%m.%Y")
        )),
        Cell::Empty,
        Cell::Empty,
    ])?;
    sink.row(&[
        t("Данные на"),
        Cell::When(local(r.now)),
        Cell::Empty,
        Cell::Empty,
    ])?;
    sink.row(&[
        t("Поступило обращений"),
        Cell::Int(stats.total),
        Cell::Empty,
        Cell::Empty,
    ])?;
    sink.row(&[
        t("Открыто"),
        Cell::Int(stats.open),
        Cell::Empty,
        Cell::Empty,
    ])?;
    sink.row(&[
        t("Просрочено (открытые)"),
        Cell::Int(stats.overdue),
        Cell::Empty,
        Cell::Empty,
    ])?;
    for (k, v) in &stats.by_channel {
        sink.row(&[
            Cell::Text(format!("Канал: {}", channel(k))),
            Cell::Int(*v),
            Cell::Empty,
            Cell::Empty,
        ])?;
    }
    for (k, v) in &stats.by_block {
        let name = if k == "unassigned" {
            "без блока"
        } else {
            reference.blocks.name_of(k)
        };
        sink.row(&[
            Cell::Text(format!("Блок: {name}")),
            Cell::Int(*v),
            Cell::Empty,
            Cell::Empty,
        ])?;
    }
    let (targets, facts) = analytics::targets_with_facts(store, r.period, r.now).map_err(err)?;
    sink.row(&[
        t("Доля ответов в срок"),
        Cell::opt_share(facts.timeliness()),
        Cell::Empty,
        Cell::Empty,
    ])?;
    sink.row(&[
        t("Доля ответов по существу"),
        Cell::opt_share(facts.quality()),
        Cell::Empty,
        Cell::Empty,
    ])?;
    sink.row(&[
        t("Удовлетворённость (оценки 4–5)"),
        Cell::opt_share(facts.satisfaction()),
        Cell::Empty,
        Cell::Empty,
    ])?;
    for l in targets {
        let share = matches!(
            l.indicator,
            Indicator::OnTimeShare | Indicator::QualityShare | Indicator::Satisfaction
        );
        let v = |x: Option<f64>| match x {
            Some(x) if share => Cell::Share(x),
            Some(x) => Cell::Num(x),
            None => Cell::Empty,
        };
        let scope = l
            .block
            .as_deref()
            .map_or("весь округ", |b| reference.blocks.name_of(b));
        sink.row(&[
            Cell::Text(format!("Цель: {} ({scope})", l.label)),
            v(l.actual),
            v(l.min.or(l.max)),
            t(match l.met {
                Some(true) => "выполнен",
                Some(false) => "не выполнен",
                None => "нет данных",
            }),
        ])?;
    }

    // «Обращения»: every appeal of the period the operator may see, streamed.
    let mask = |a: &Appeal| -> Appeal {
        if r.with_personal_data {
            a.clone()
        } else {
            let mut observer = r.grants.clone();
            observer.roles = vec![Role::Observer];
            redact(a, &observer)
        }
    };
    let visible = ListFilter {
        blocks_in: (!r.grants.sees_everything()).then(|| r.grants.blocks.clone()),
        ..filter.clone()
    };
    sink.sheet(
        "Обращения",
        &[
            ("№", 8.0),
            ("Ключ", 18.0),
            ("Канал", 11.0),
            ("Поступило", 16.0),
            ("Блок", 18.0),
            ("Категория", 20.0),
            ("Поселение", 16.0),
            ("Ответственный", 26.0),
            ("Статус", 14.0),
            ("Срок первого ответа", 16.0),
            ("Первый ответ", 16.0),
            ("Срок ответа", 16.0),
            ("Ответ дан", 16.0),
            ("Просрочено", 11.0),
            ("Качество", 14.0),
            ("Оценка", 8.0),
            ("Автор", 18.0),
            ("Контакт", 16.0),
            ("Адрес", 22.0),
            ("Текст", 60.0),
            ("Ответ", 50.0),
        ],
    )?;
    let mut cursor = None;
    loop {
        let page = store.list(&visible, cursor, PAGE).map_err(err)?;
        let Some(last) = page.last() else { break };
        cursor = Some(Cursor::after(last));
        for a in &page {
            let x = mask(a);
            sink.row(&[
                Cell::Int(x.id),
                Cell::Text(x.key()),
                Cell::Text(x.channel.label_ru().to_string()),
                Cell::When(local(x.received_at)),
                block(x.block.as_deref()),
                Cell::opt_text(x.category.as_deref()),
                Cell::opt_text(x.settlement.as_deref()),
                Cell::opt_text(x.responsible.as_deref()),
                Cell::Text(x.status.label_ru().to_string()),
                when(x.deadlines.first_response_due),
                when(x.first_response_at),
                when(x.deadlines.answer_due),
                when(x.answered_at),
                Cell::Text(
                    if x.is_overdue(r.now) {
                        "да"
                    } else {
                        "нет"
                    }
                    .to_string(),
                ),
                x.quality
                    .map_or(Cell::Empty, |q| Cell::Text(q.label_ru().to_string())),
                x.rating.map_or(Cell::Empty, |v| Cell::Int(i64::from(v))),
                Cell::opt_text(x.author.as_deref()),
                Cell::opt_text(x.contact.as_deref()),
                Cell::opt_text(x.address.as_deref()),
                Cell::Text(x.text.clone()),
                Cell::opt_text(x.answer.as_deref()),
            ])?;
            written.appeals += 1;
        }
    }

    // «Рейтинг»: `mcu rank`.
    sink.sheet(
        "Рейтинг",
        &[
            ("Место", 8.0),
            ("Ответственный", 34.0),
            ("Балл", 8.0),
            ("Обращений", 11.0),
            ("Отвечено", 10.0),
            ("В срок", 10.0),
            ("Просрочено открытых", 12.0),
            ("Доля в срок", 11.0),
            ("По существу", 11.0),
            ("Удовлетворённость", 12.0),
            ("Медиана 1-го ответа, р.ч.", 14.0),
            ("Пред. место", 10.0),
        ],
    )?;
    for x in analytics::ranking(store, r.period, r.now).map_err(err)? {
        sink.row(&[
            Cell::Int(i64::from(x.rank)),
            Cell::Text(x.recipient.clone()),
            Cell::Num((x.score * 10.0).round() / 10.0),
            Cell::Int(i64::from(x.volume)),
            Cell::Int(i64::from(x.answered)),
            Cell::Int(i64::from(x.on_time)),
            Cell::Int(i64::from(x.open_overdue)),
            Cell::opt_share(x.timeliness),
            Cell::opt_share(x.quality),
            Cell::opt_share(x.satisfaction),
            x.median_first_response_wh.map_or(Cell::Empty, Cell::Num),
            x.prev_rank.map_or(Cell::Empty, |p| Cell::Int(i64::from(p))),
        ])?;
    }

    // «Просрочено»: open appeals of the period past their answer deadline at `now`.
    sink.sheet(
        "Просрочено",
        &[
            ("№", 8.0),
            ("Ключ", 18.0),
            ("Поступило", 16.0),
            ("Срок ответа", 16.0),
            ("Дней просрочки", 10.0),
            ("Блок", 18.0),
            ("Ответственный", 26.0),
            ("Поселение", 16.0),
            ("Статус", 14.0),
        ],
    )?;
    let over = ListFilter {
        overdue_at: Some(r.now),
        ..visible.clone()
    };
    let mut cursor = None;
    loop {
        let page = store.list(&over, cursor, PAGE).map_err(err)?;
        let Some(last) = page.last() else { break };
        cursor = Some(Cursor::after(last));
        for x in &page {
            let days = x.deadlines.answer_due.map_or(0, |d| (r.now - d).num_days());
            sink.row(&[
                Cell::Int(x.id),
                Cell::Text(x.key()),
                Cell::When(local(x.received_at)),
                when(x.deadlines.answer_due),
                Cell::Int(days),
                block(x.block.as_deref()),
                Cell::opt_text(x.responsible.as_deref()),
                Cell::opt_text(x.settlement.as_deref()),
                Cell::Text(x.status.label_ru().to_string()),
            ])?;
            written.overdue += 1;
        }
    }

    // «Поселения»: `mcu stats --by settlement`.
    sink.sheet(
        "Поселения",
        &[
            ("Поселение", 28.0),
            ("Обращений", 11.0),
            ("Открыто", 10.0),
            ("Просрочено", 11.0),
            ("Доля просрочки", 12.0),
        ],
    )?;
    for g in store
        .counts_by(Dimension::Settlement, Some(from), Some(to), r.now)
        .map_err(err)?
    {
        sink.row(&[
            Cell::Text(g.key.unwrap_or_else(|| "(не указано)".into())),
            Cell::Int(i64::from(g.total)),
            Cell::Int(i64::from(g.open)),
            Cell::Int(i64::from(g.overdue)),
            Cell::Share(g.overdue_share),
        ])?;
    }

    // «Конфликты»: `mcu conflicts`.
    sink.sheet(
        "Конфликты",
        &[
            ("№", 8.0),
            ("Ключ", 18.0),
            ("Поступило", 16.0),
            ("Ответственный", 26.0),
            ("Конфликт", 10.0),
            ("Переоткрыто, раз", 10.0),
            ("Отписка", 10.0),
            ("Текст", 60.0),
        ],
    )?;
    for a in store.conflicts(from, to).map_err(err)? {
        if !r.grants.may_see(&a) {
            continue;
        }
        let x = mask(&a);
        sink.row(&[
            Cell::Int(x.id),
            Cell::Text(x.key()),
            Cell::When(local(x.received_at)),
            Cell::opt_text(x.responsible.as_deref()),
            Cell::Text(if x.conflict { "да" } else { "нет" }.into()),
            Cell::Int(x.reopen_count),
            Cell::Text(
                if x.quality == Some(crate::domain::Quality::Formal) {
                    "да"
                } else {
                    "нет"
                }
                .into(),
            ),
            Cell::Text(x.text.clone()),
        ])?;
        written.conflicts += 1;
    }
    sink.finish()?;
    Ok(written)
}

//! The «Отчёты» screen (`:reports`): makes the analytical note or the ЦУР workbook for a period
//! with keys (`n` asks which), says where the file went, and lists the reports already in the
//! workspace's `reports/`, newest first. The files are written by `report::make`, as `mcu
//! report` writes them, and each run is audited.

use std::any::Any;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Effect, Env, Screen};
use crate::report::Preset;
use crate::report::make::{self, CurFormat};
use crate::report::render::Format;
use crate::store::{Actor, StoreError};
use crate::textwidth::fit;
use crate::tui::keymap::{Action, Context};
use crate::tui::popup::{Chooser, Item, Popup, Purpose};
use crate::tui::writes::{Job, Reply, Then};

/// A report file (or a folder of CSV files) in `reports/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub name: String,
    pub bytes: u64,
    pub modified: Option<DateTime<Utc>>,
}

/// The screen.
pub struct Reports {
    dir: PathBuf,
    files: Vec<ReportFile>,
    selected: usize,
    /// The last file made here.
    last: Option<PathBuf>,
    /// The file of the report on its way (the write queue makes it).
    making: Option<PathBuf>,
}

/// What `n` offers: (value, label).
pub const CHOICES: [(&str, &str); 6] = [
    ("note:html:last-week", "Записка за прошлую неделю (HTML)"),
    ("note:docx:last-week", "Записка за прошлую неделю (DOCX)"),
    ("note:html:last-month", "Записка за прошлый месяц (HTML)"),
    ("note:html:week", "Записка за эту неделю (HTML)"),
    (
        "cur:xlsx:last-month",
        "Материалы ЦУР за прошлый месяц (XLSX)",
    ),
    ("cur:xlsx:month", "Материалы ЦУР за этот месяц (XLSX)"),
];

/// The reports folder of the workspace whose database this is (`None` in memory).
pub fn reports_dir(env: &Env) -> Option<PathBuf> {
    Some(env.store.database_path()?.parent()?.join("reports"))
}

/// The files in `dir`, newest first.
pub fn list(dir: &Path) -> Vec<ReportFile> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<ReportFile> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some(ReportFile {
                name: e.file_name().to_string_lossy().into_owned(),
                bytes: if m.is_dir() { 0 } else { m.len() },
                modified: m.modified().ok().map(DateTime::<Utc>::from),
            })
        })
        .collect();
    v.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

impl Reports {
    /// The screen over the workspace's `reports/`.
    pub fn open(env: &Env) -> Self {
        let dir = reports_dir(env).unwrap_or_else(|| PathBuf::from("reports"));
        Self {
            files: list(&dir),
            dir,
            selected: 0,
            last: None,
            making: None,
        }
    }

    /// The files listed.
    pub fn files(&self) -> &[ReportFile] {
        &self.files
    }

    /// Makes the report a chooser's value names (`note:html:last-week`) through the write queue
    /// (`tui::writes`): a report takes a while and writes its audit entry, so the screen never
    /// waits for it — «Готовлю отчёт…» now, the file's path (or why not) when it is done.
    fn make(&mut self, value: &str, env: &mut Env) -> Result<(), StoreError> {
        let mut parts = value.split(':');
        let (kind, format, preset) = (parts.next(), parts.next(), parts.next());
        let preset = match preset {
            Some("week") => Preset::Week,
            Some("month") => Preset::Month,
            Some("last-month") => Preset::LastMonth,
            _ => Preset::LastWeek,
        };
        let now = env.now();
        let tz = env.reference.calendar.timezone();
        let p = preset.period(now, tz);
        let actor = Actor::operator(env.grants.clone(), "console");
        let grants = env.grants.clone();
        let cur = kind == Some("cur");
        let format = if format == Some("docx") {
            Format::Docx
        } else {
            Format::Html
        };
        let path = if cur {
            self.dir.join(make::cur_name(p, CurFormat::Xlsx))
        } else {
            self.dir.join(make::note_name(p, format))
        };
        let (file, kind) = (path.clone(), value.to_string());
        let mut job = Job::op("отчёт", actor.clone(), now, move |store| {
            let made = if cur {
                make::cur_file(
                    store,
                    &actor,
                    &grants,
                    &file,
                    p,
                    now,
                    CurFormat::Xlsx,
                    false,
                    now,
                )
                .map(|_| ())
            } else {
                make::note_file(store, &actor, &file, p, now, format, now).map(|_| ())
            };
            Ok(match made {
                Ok(()) => {
                    tracing::info!(kind = %kind, "report written from the console");
                    Reply::saved(format!("Отчёт записан: {}", file.display()))
                }
                Err(e) => Reply::refused(format!("Отчёт не создан: {e}")),
            })
        });
        job.then = Then::NotAChange;
        self.making = Some(path);
        env.say("Готовлю отчёт…", false);
        super::triage::submit_op(env, job)
    }
}

fn size(bytes: u64) -> String {
    if bytes == 0 {
        "папка".into()
    } else if bytes < 1024 * 1024 {
        format!("{} КБ", bytes.div_ceil(1024))
    } else {
        format!("{:.1} МБ", bytes as f64 / 1024.0 / 1024.0)
    }
}

impl Screen for Reports {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        "Отчёты"
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        let theme = &env.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(theme.border())
            .border_style(theme.focused_border())
            .title(Span::styled(
                format!(" Отчёты — {} ", self.dir.display()),
                theme.title(),
            ));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let w = usize::from(inner.width);
        f.render_widget(
            Paragraph::new(vec![
                Line::from(vec![
                    Span::styled("n", theme.key()),
                    Span::raw(" создать записку или материалы ЦУР   "),
                    Span::styled("Enter", theme.key()),
                    Span::raw(" путь к файлу   "),
                    Span::styled("Esc", theme.key()),
                    Span::raw(" назад"),
                ]),
                Line::styled(
                    fit(&format!("{:<48} {:>9}  {}", "ФАЙЛ", "РАЗМЕР", "ИЗМЕНЁН"), w),
                    theme.header(),
                ),
            ]),
            head,
        );
        let tz = env.reference.calendar.timezone();
        let rows = usize::from(body.height);
        let first = self.selected.saturating_sub(rows.saturating_sub(1));
        let lines: Vec<Line> = if self.files.is_empty() {
            vec![Line::styled("(отчётов пока нет: n — создать)", theme.dim())]
        } else {
            self.files
                .iter()
                .enumerate()
                .skip(first)
                .take(rows)
                .map(|(i, r)| {
                    let text = fit(
                        &format!(
                            "{} {:>9}  {}",
                            fit(&r.name, 48),
                            size(r.bytes),
                            r.modified.map_or("—".into(), |t| t
                                .with_timezone(&tz)
                                .format("%d.%m.%Y %H:%M")
                                .to_string())
                        ),
                        w,
                    );
                    if i == self.selected {
                        Line::styled(text, theme.selected())
                    } else {
                        Line::raw(text)
                    }
                })
                .collect()
        };
        f.render_widget(Paragraph::new(lines), body);
        let last = self
            .last
            .as_ref()
            .map_or(String::new(), |p| format!("Последний: {}", p.display()));
        f.render_widget(
            Paragraph::new(Line::styled(fit(&last, w), theme.ok())),
            foot,
        );
    }

    fn offers(&self, action: &Action) -> bool {
        matches!(
            action,
            Action::Back
                | Action::Cancel
                | Action::No
                | Action::Down
                | Action::Up
                | Action::Top
                | Action::Bottom
                | Action::NewEntry
                | Action::Open
        )
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        let n = self.files.len();
        match action {
            Action::Back | Action::Cancel | Action::No => env.request(Effect::Close),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = n.saturating_sub(1),
            Action::NewEntry => env.open(Popup::Chooser(Chooser::new(
                "Какой отчёт",
                CHOICES
                    .iter()
                    .map(|(v, l)| Item {
                        value: (*v).into(),
                        label: (*l).into(),
                    })
                    .collect(),
                Purpose::MakeReport,
            ))),
            Action::Open => {
                if let Some(r) = self.files.get(self.selected) {
                    let path = self.dir.join(&r.name);
                    env.say(format!("Файл: {}", path.display()), false);
                }
            }
            _ => return Ok(false),
        }
        env.dirty = true;
        Ok(true)
    }

    fn on_result(
        &mut self,
        purpose: &Purpose,
        value: &str,
        env: &mut Env,
    ) -> Result<bool, StoreError> {
        if *purpose != Purpose::MakeReport {
            return Ok(false);
        }
        self.make(value, env)?;
        Ok(true)
    }

    fn refresh(&mut self, _env: &mut Env) -> Result<(), StoreError> {
        // The report on its way has landed (its file is there): the last one made here.
        if self.making.as_ref().is_some_and(|p| p.exists()) {
            self.last = self.making.take();
            self.selected = 0;
        }
        self.files = list(&self.dir);
        self.selected = self.selected.min(self.files.len().saturating_sub(1));
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

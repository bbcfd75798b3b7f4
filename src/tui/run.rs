//! The terminal and the event loop: raw mode and the alternate screen (restored on every exit path
//! and on panic), one loop that `select!`s over key events, a tick and the importer's notices, and
//! draws only after something changed, each frame inside a synchronized update so slow links do
//! not flicker. No mouse capture: copy and paste over SSH keep working.

use std::io::{self, Stdout, Write};
use std::sync::mpsc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::ansi16::Ansi16;
use super::console::Console;
use crate::ingest::watch::ImportNotice;

/// What the console writes to: the terminal, with colours rewritten for 16-colour terminals.
type Out = Ansi16<Stdout>;

/// How often the database is checked for other processes' commits.
pub const TICK: Duration = Duration::from_millis(200);

/// Something running beside the console (the demo's simulator), called on every tick.
pub type Sidecar = Box<dyn FnMut() + Send>;

/// Puts the terminal back: raw mode off, main screen, cursor visible.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Runs the console until the officer quits.
pub fn run(
    mut console: Console,
    notices: Option<mpsc::Receiver<ImportNotice>>,
    mut sidecar: Option<Sidecar>,
) -> io::Result<()> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    ) {
        restore_terminal();
        return Err(e);
    }
    let out = Ansi16::for_terminal(io::stdout());
    let result = Terminal::new(CrosstermBackend::new(out))
        .and_then(|mut terminal| event_loop(&mut terminal, &mut console, notices, &mut sidecar));
    let _ = execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    restore_terminal();
    result
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Out>>,
    console: &mut Console,
    notices: Option<mpsc::Receiver<ImportNotice>>,
    sidecar: &mut Option<Sidecar>,
) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    rt.block_on(async {
        let mut events = EventStream::new();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            if console.app.dirty() {
                draw(terminal, console)?;
            }
            if console.app.quit() {
                return Ok(());
            }
            tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => {
                        if let Err(e) = console.key(k) {
                            tracing::warn!("console action failed: {e}");
                            console.app.say(crate::tui::app::error_text(&e, None), true);
                        }
                    }
                    Some(Ok(Event::Paste(s))) => console.paste(&s),
                    Some(Ok(Event::Resize(_, _))) => {
                        terminal.autoresize()?;
                        console.app.env.dirty = true;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
                _ = tick.tick() => {
                    if let Some(s) = sidecar.as_mut() {
                        s();
                    }
                    if let Some(rx) = &notices {
                        while let Ok(n) = rx.try_recv() {
                            on_notice(console, n);
                        }
                    }
                    if let Err(e) = console.app.tick() {
                        tracing::warn!("console refresh failed: {e}");
                        console.app.say(crate::tui::app::error_text(&e, None), true);
                    }
                }
            }
        }
    })
}

fn draw(terminal: &mut Terminal<CrosstermBackend<Out>>, console: &mut Console) -> io::Result<()> {
    execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let r = terminal.draw(|f| console.draw(f)).map(|_| ());
    terminal
        .backend_mut()
        .write_all(&console.app.take_output())?; // bell, OSC 8/52 (tui::links)
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().flush()?;
    r
}

fn on_notice(console: &mut Console, n: ImportNotice) {
    use crate::ingest::FileOutcome;
    let app = &mut console.app;
    match n {
        ImportNotice::Imported(reports) => {
            let mut new = 0;
            let mut bad = 0;
            for r in &reports {
                match &r.outcome {
                    FileOutcome::Imported {
                        inserted,
                        quarantined,
                        ..
                    } => {
                        new += inserted;
                        bad += quarantined;
                    }
                    FileOutcome::Failed { .. } => bad += 1,
                    FileOutcome::AlreadyImported { .. } => {}
                }
            }
            if let Err(e) = app.refresh() {
                app.say(crate::tui::app::error_text(&e, None), true);
                return;
            }
            let mut msg = if bad > 0 {
                format!("Импорт: новых {new}, в карантине {bad} (см. quarantine/)")
            } else {
                format!("Импорт: новых обращений {new}")
            };
            // The last report's triage counts are the state after the round.
            let triage = reports.iter().rev().find_map(|r| r.triaged.as_ref());
            let failed: usize = reports
                .iter()
                .filter_map(|r| r.triaged.as_ref())
                .map(|t| t.failed)
                .sum();
            if failed > 0 {
                msg.push_str(&format!("; авторазбор не удался для {failed}"));
            }
            if let Some(t) = triage.filter(|t| t.pending > 0) {
                msg.push_str(&format!("; ожидают авторазбора {}", t.pending));
            }
            // A notice of the background: it never hides the officer's own fresh message.
            app.env.notice(msg);
        }
        ImportNotice::Triaged(t) => {
            if let Err(e) = app.refresh() {
                app.say(crate::tui::app::error_text(&e, None), true);
                return;
            }
            let mut msg = format!(
                "Авторазбор отложенных: {}",
                crate::domain::wording::count(t.appeals as u64, crate::domain::wording::APPEALS)
            );
            if t.failed > 0 {
                msg.push_str(&format!(", не удалось {}", t.failed));
            }
            if t.pending > 0 {
                msg.push_str(&format!(", ожидают {}", t.pending));
            }
            app.env.notice(msg);
        }
        ImportNotice::Failed(e) => app.say(format!("Импорт не удался: {e}"), true),
        // Old files leaving processed/ and quarantine/ is housekeeping, not news.
        ImportNotice::Retention(_) => {}
        ImportNotice::Polling(_) => app
            .env
            .notice("Нет событий файловой системы: папка inbox опрашивается"),
    }
}

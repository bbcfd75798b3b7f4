//! The terminal and the event loop: raw mode and the alternate screen (restored on every exit path
//! and on panic), one loop that `select!`s over key events, a tick and the importer's notices, and
//! draws only after something changed, each frame inside a synchronized update so slow links do
//! not flicker. No mouse capture: copy and paste over SSH keep working.

use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
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
use signal_hook::consts::{SIGHUP, SIGTERM};

use super::ansi16::Ansi16;
use super::console::Console;
use crate::ingest::watch::ImportNotice;

/// How often the database is checked for other processes' commits.
pub const TICK: Duration = Duration::from_millis(200);

/// How long a console stopped by a signal waits for each change still on its way.
pub const SIGNAL_WAIT: Duration = Duration::from_secs(10);

/// The name of a stop signal registered by [`run_with`] (0: none came).
fn signal_name(n: usize) -> Option<&'static str> {
    match i32::try_from(n).ok()? {
        SIGHUP => Some("SIGHUP"),
        SIGTERM => Some("SIGTERM"),
        _ => None,
    }
}

/// Something running beside the console (the demo's simulator), called on every tick.
pub type Sidecar = Box<dyn FnMut() + Send>;

/// Puts the terminal back: raw mode off, main screen, cursor visible.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, cursor::Show);
}

/// Runs the console until the officer quits.
pub fn run(
    console: Console,
    notices: Option<mpsc::Receiver<ImportNotice>>,
    sidecar: Option<Sidecar>,
) -> io::Result<()> {
    let hooks = Hooks {
        sidecar,
        ..Hooks::default()
    };
    run_with(console, notices, hooks)
}

/// Runs the console on the local terminal with the given hooks until the officer quits.
pub fn run_with(
    mut console: Console,
    notices: Option<mpsc::Receiver<ImportNotice>>,
    mut hooks: Hooks,
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
    // A hang-up (the SSH connection under `ssh host mcu` dropped) or a stop: the loop ends on
    // the next tick like a quit — the changes on their way are waited for and the session's
    // end recorded — instead of the process dying where it stands.
    let signal = Arc::new(AtomicUsize::new(0));
    for s in [SIGHUP, SIGTERM] {
        if let Err(e) = signal_hook::flag::register_usize(s, signal.clone(), s as usize) {
            tracing::warn!("signal {s} cannot be handled: {e}");
        }
    }
    hooks.signal = Some(signal.clone());
    let out = Ansi16::for_terminal(io::stdout());
    let result = Terminal::new(CrosstermBackend::new(out)).and_then(|mut terminal| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()?;
        rt.block_on(event_loop(
            &mut terminal,
            &mut console,
            &mut EventStream::new(),
            notices,
            &mut hooks,
        ))
    });
    // After a hang-up reading or drawing on the terminal may fail first: the signal is the reason.
    let reason = match (signal_name(signal.load(Ordering::SeqCst)), &result) {
        (Some(name), _) => {
            tracing::info!(signal = name, "the console stops on a signal");
            if let Err(e) = console.app.wait_writes(SIGNAL_WAIT) {
                tracing::warn!("changes on their way after {name}: {e}");
            }
            name.to_string()
        }
        (None, Ok(Ended::Quit)) => "quit".to_string(),
        (None, Ok(Ended::By(r))) => r.clone(),
        (None, Err(e)) => format!("error: {e}"),
    };
    if let Some(c) = hooks.companion.as_mut() {
        c.end(&mut console, &reason);
    }
    let result = result.map(|_| ());
    let _ = execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    restore_terminal();
    result
}

/// Where the loop's terminal events come from: the local terminal (crossterm's reader) or an
/// SSH channel's bytes, parsed (`serve::input`).
pub trait EventSource {
    /// The next event; `None` when the input has ended.
    fn next_event(&mut self) -> impl Future<Output = Option<io::Result<Event>>>;
}

impl EventSource for EventStream {
    async fn next_event(&mut self) -> Option<io::Result<Event>> {
        self.next().await
    }
}

/// What should happen after a tick or an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    Go,
    /// End the session, with the reason (the idle timeout, a terminal too small).
    End(String),
}

/// Something that follows the console's life: told of every input and every tick, it may end
/// the loop (the SSH session's idle timeout) and keeps the console's session row (`console_sessions`).
pub trait Companion {
    /// The officer pressed a key or pasted.
    fn input(&mut self, _console: &mut Console) {}
    /// Called on every tick, after the console's own refresh.
    fn tick(&mut self, _console: &mut Console) -> Flow {
        Flow::Go
    }
    /// The terminal changed size.
    fn resized(&mut self, _console: &mut Console, _width: u16, _height: u16) -> Flow {
        Flow::Go
    }
    /// The loop has ended (called by whoever ran it), with the reason.
    fn end(&mut self, _console: &mut Console, _reason: &str) {}
}

/// What the loop runs besides the console.
#[derive(Default)]
pub struct Hooks {
    /// Runs on every tick (the demo's simulator).
    pub sidecar: Option<Sidecar>,
    pub companion: Option<Box<dyn Companion>>,
    /// The terminal's size is told by resize events only (an SSH channel: there is no terminal
    /// to ask), so the viewport is set from them.
    pub sized_by_events: bool,
    /// Set to a signal's number by its handler (the local terminal's SIGHUP and SIGTERM): the
    /// loop ends on the next tick, without drawing on a terminal that may be gone.
    pub signal: Option<Arc<AtomicUsize>>,
}

/// How the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The officer quit, or the input ended.
    Quit,
    /// A companion ended it, with the reason.
    By(String),
}

/// The one event loop of the local terminal and of an SSH session: draws when something
/// changed, `select!`s over terminal events, a tick and the importer's notices.
pub async fn event_loop<W: Write, E: EventSource>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    console: &mut Console,
    events: &mut E,
    notices: Option<mpsc::Receiver<ImportNotice>>,
    hooks: &mut Hooks,
) -> io::Result<Ended> {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        if console.app.dirty() {
            draw(terminal, console)?;
        }
        if console.app.quit() {
            return Ok(Ended::Quit);
        }
        let mut flow = Flow::Go;
        tokio::select! {
            ev = events.next_event() => match ev {
                Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => {
                    if let Some(c) = hooks.companion.as_mut() {
                        c.input(console);
                    }
                    if let Err(e) = console.key(k) {
                        tracing::warn!("console action failed: {e}");
                        console.app.say(crate::tui::app::error_text(&e, None), true);
                    }
                }
                Some(Ok(Event::Paste(s))) => {
                    if let Some(c) = hooks.companion.as_mut() {
                        c.input(console);
                    }
                    console.paste(&s);
                }
                Some(Ok(Event::Resize(w, h))) => {
                    if hooks.sized_by_events {
                        terminal.resize(ratatui::layout::Rect::new(0, 0, w, h))?;
                    } else {
                        terminal.autoresize()?;
                    }
                    console.app.env.dirty = true;
                    if let Some(c) = hooks.companion.as_mut() {
                        flow = c.resized(console, w, h);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(Ended::Quit),
            },
            _ = tick.tick() => {
                if let Some(s) = hooks.sidecar.as_mut() {
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
                if let Some(c) = hooks.companion.as_mut() {
                    flow = c.tick(console);
                }
                if let Some(name) = hooks
                    .signal
                    .as_ref()
                    .and_then(|s| signal_name(s.load(Ordering::SeqCst)))
                {
                    return Ok(Ended::By(name.to_string()));
                }
            }
        }
        if let Flow::End(reason) = flow {
            if console.app.dirty() {
                draw(terminal, console)?;
            }
            return Ok(Ended::By(reason));
        }
    }
}

fn draw<W: Write>(
    terminal: &mut Terminal<CrosstermBackend<W>>,
    console: &mut Console,
) -> io::Result<()> {
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

//! One SSH console session: its own `Console` for its operator on its own thread, drawing through
//! a writer that sends to the SSH channel, reading the channel's bytes through the input parser,
//! in the same event loop as the local terminal (`tui::run::event_loop`).

use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use crossterm::event::Event;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::{mpsc, watch};

use super::input::InputParser;
use super::limits::{Idle, IdleTimer, too_small};
use super::server::Shared;
use crate::ingest::watch::ImportNotice;
use crate::store::sessions::SessionOrigin;
use crate::tui::app::{App, Clock};
use crate::tui::console::Console;
use crate::tui::keymap::Keymap;
use crate::tui::presence::SessionRow;
use crate::tui::run::{Companion, Ended, EventSource, Flow, Hooks, event_loop};
use crate::tui::theme::Theme;

/// What the connection hands to its console thread.
#[derive(Debug)]
pub enum SessionInput {
    Bytes(Vec<u8>),
    Resize(u16, u16),
}

/// What the console thread sends back to the connection.
#[derive(Debug)]
pub enum SessionOutput {
    Data(Vec<u8>),
    /// The console ended: exit status, then the channel closes.
    Close(u32),
}

/// The writer the console draws into: bytes are held until `flush` (once per frame), then sent
/// to the SSH channel as one message.
pub struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::UnboundedSender<SessionOutput>,
}

impl ChannelWriter {
    pub fn new(tx: mpsc::UnboundedSender<SessionOutput>) -> Self {
        Self {
            buf: Vec::new(),
            tx,
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = std::mem::take(&mut self.buf);
        self.tx
            .send(SessionOutput::Data(data))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the SSH channel is closed"))
    }
}

/// The channel's input as terminal events; it ends when the server stops (and says why).
pub struct ChannelEvents {
    rx: mpsc::UnboundedReceiver<SessionInput>,
    parser: InputParser,
    pending: VecDeque<Event>,
    stop: Option<watch::Receiver<Option<String>>>,
    /// Why the input ended, when the server's stop ended it.
    stopped: Option<String>,
}

impl ChannelEvents {
    pub fn new(rx: mpsc::UnboundedReceiver<SessionInput>) -> Self {
        Self {
            rx,
            parser: InputParser::default(),
            pending: VecDeque::new(),
            stop: None,
            stopped: None,
        }
    }

    /// Ends the input once `stop` holds a reason (the server stopping).
    pub fn stopping_on(mut self, stop: watch::Receiver<Option<String>>) -> Self {
        self.stop = Some(stop);
        self
    }

    /// Why the input ended, if the server's stop ended it.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    async fn recv(&mut self) -> Option<SessionInput> {
        let Some(stop) = self.stop.as_mut() else {
            return self.rx.recv().await;
        };
        let stopped = tokio::select! {
            m = self.rx.recv() => return m,
            r = stop.wait_for(Option::is_some) => r.map(|reason| reason.clone()),
        };
        match stopped {
            Ok(reason) => {
                self.stopped = reason;
                None
            }
            // The server is gone without a stop: only the channel ends the input now.
            Err(_) => {
                self.stop = None;
                self.rx.recv().await
            }
        }
    }
}

impl EventSource for ChannelEvents {
    async fn next_event(&mut self) -> Option<io::Result<Event>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Ok(e));
            }
            match self.recv().await? {
                SessionInput::Bytes(b) => self.pending.extend(self.parser.feed(&b)),
                SessionInput::Resize(w, h) => return Some(Ok(Event::Resize(w, h))),
            }
        }
    }
}

/// Who connected, and their terminal.
#[derive(Debug, Clone)]
pub struct Peer {
    pub login: String,
    pub fingerprint: String,
    pub address: String,
    pub term: String,
    pub no_color: bool,
    pub width: u16,
    pub height: u16,
}

/// The SSH session's companion: the idle timeout, the terminal's size, the session row.
struct SshCompanion {
    idle: Option<IdleTimer>,
    row: Option<SessionRow>,
}

impl Companion for SshCompanion {
    fn input(&mut self, console: &mut Console) {
        if let Some(t) = self.idle.as_mut() {
            t.input(console.app.now());
        }
    }

    fn tick(&mut self, console: &mut Console) -> Flow {
        if let Some(r) = self.row.as_mut() {
            r.tick(console);
        }
        match self.idle.as_mut().map(|t| t.check(console.app.now())) {
            Some(Idle::Warn(m)) => {
                console.app.say(m, true);
                Flow::Go
            }
            Some(Idle::End(m)) => Flow::End(m),
            _ => Flow::Go,
        }
    }

    fn resized(&mut self, _console: &mut Console, width: u16, height: u16) -> Flow {
        match too_small(width, height) {
            Some(m) => Flow::End(m),
            None => Flow::Go,
        }
    }

    fn end(&mut self, console: &mut Console, reason: &str) {
        if let Some(r) = self.row.take() {
            r.end(console, reason);
        }
    }
}

/// Runs one console session to its end on the calling thread (a thread of its own).
pub fn run(
    shared: Arc<Shared>,
    peer: Peer,
    input: mpsc::UnboundedReceiver<SessionInput>,
    output: mpsc::UnboundedSender<SessionOutput>,
    notices: Option<std_mpsc::Receiver<ImportNotice>>,
    stop: watch::Receiver<Option<String>>,
) {
    let mut out = ChannelWriter::new(output.clone());
    let events = ChannelEvents::new(input).stopping_on(stop);
    let (status, message) = match console_session(&shared, &peer, events, output, notices) {
        Ok(Ended::Quit) => (0, None),
        Ok(Ended::By(reason)) => (0, Some(reason)),
        Err(e) => {
            tracing::warn!(operator = %peer.login, "ssh session failed: {e}");
            (1, Some(format!("mcu: {e}")))
        }
    };
    if let Some(m) = message {
        let _ = write!(out, "{m}\r\n");
        let _ = out.flush();
    }
    let _ = out.tx.send(SessionOutput::Close(status));
}

fn console_session(
    shared: &Shared,
    peer: &Peer,
    mut events: ChannelEvents,
    output: mpsc::UnboundedSender<SessionOutput>,
    notices: Option<std_mpsc::Receiver<ImportNotice>>,
) -> Result<Ended, String> {
    if let Some(m) = too_small(peer.width, peer.height) {
        return Ok(Ended::By(m));
    }
    let ws = &shared.workspace;
    let store = ws.store().map_err(|e| e.to_string())?;
    let operator = store
        .operator(&peer.login)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "«{}» is no longer an operator of this workspace",
                peer.login
            )
        })?;
    let grants = operator.grants();
    let read_only = !grants.may_change_any();
    // The operator's own keys layered over the defaults, as a local console layers
    // ~/.config/mcu/keymap.toml; then what their roles do not allow is taken out.
    let (own, problem) = operator_keymap(&shared.keymap, ws.root(), &peer.login);
    let full = read_only.then(|| own.clone());
    let keymap = crate::tui::console::bindings_for(own, &grants, false);
    let label = ws.root().file_name().map_or_else(
        || ws.root().display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let triage = store
        .load_triage(Some(ws.root()))
        .map_err(|e| e.to_string())?;
    let mut app = App::new(
        store,
        Theme::new(!peer.no_color, false),
        Clock::Real,
        grants.login.clone(),
        label,
    );
    app.set_grants(grants);
    app.env.read_only = read_only;
    app.env.triage = Some(Arc::new(triage));
    // Each operator's saved views, not the server account's one file for everyone.
    app.env.views_path = Some(views_file(ws.root(), &peer.login));
    app.load().map_err(|e| e.to_string())?;
    match problem {
        Some(p) => app.say(p, true),
        None => {
            if let Some(w) = keymap.warnings().first() {
                app.say(format!("keymap: {w}"), true);
            }
        }
    }
    let mut console = Console::new(app, keymap);
    if let Some(full) = full {
        console = console.withholding(full);
    }
    let origin = SessionOrigin {
        via: "ssh".into(),
        address: peer.address.clone(),
        fingerprint: peer.fingerprint.clone(),
    };
    let row = SessionRow::start(&mut console, origin);
    let now = console.app.now();
    let mut hooks = Hooks {
        companion: Some(Box::new(SshCompanion {
            idle: IdleTimer::new(shared.settings.idle_timeout_minutes, now),
            row,
        })),
        sized_by_events: true,
        ..Hooks::default()
    };

    let colors16 = !crate::tui::ansi16::supports_256(Some(&peer.term), None);
    let mut writer = crate::tui::ansi16::Ansi16::new(ChannelWriter::new(output), colors16);
    execute!(
        writer,
        EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste,
        cursor::Hide
    )
    .map_err(|e| e.to_string())?;
    let area = Rect::new(0, 0, peer.width, peer.height);
    let mut terminal = Terminal::with_options(
        CrosstermBackend::new(writer),
        TerminalOptions {
            viewport: Viewport::Fixed(area),
        },
    )
    .map_err(|e| e.to_string())?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| e.to_string())?;
    let ended = rt.block_on(event_loop(
        &mut terminal,
        &mut console,
        &mut events,
        notices,
        &mut hooks,
    ));
    // The input ended because the server stops: the session ends with the stop's reason.
    let ended = match (ended, events.stopped()) {
        (Ok(Ended::Quit), Some(r)) => Ok(Ended::By(r.to_string())),
        (ended, _) => ended,
    };
    let reason = match &ended {
        Ok(Ended::Quit) => "quit".to_string(),
        Ok(Ended::By(r)) => r.clone(),
        Err(e) => format!("error: {e}"),
    };
    if let Some(c) = hooks.companion.as_mut() {
        c.end(&mut console, &reason);
    }
    let w = terminal.backend_mut();
    let _ = execute!(
        w,
        crossterm::event::DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    ended.map_err(|e| e.to_string())
}

/// Where an operator's saved views are kept over SSH: `ssh/views/LOGIN.toml` in the workspace
/// (a login's characters other than letters, digits, `-` and `_` written as `_`).
pub fn views_file(root: &std::path::Path, login: &str) -> std::path::PathBuf {
    root.join("ssh")
        .join("views")
        .join(format!("{}.toml", file_name(login)))
}

/// Where an operator's own key bindings are kept over SSH, the file a local console reads from
/// `~/.config/mcu/keymap.toml`: `ssh/keymaps/LOGIN.toml` in the workspace (the login written as
/// in [`views_file`]).
pub fn keymap_file(root: &std::path::Path, login: &str) -> std::path::PathBuf {
    root.join("ssh")
        .join("keymaps")
        .join(format!("{}.toml", file_name(login)))
}

/// The key bindings of an operator's session: `defaults` with the operator's own file
/// ([`keymap_file`], read at every connection) layered over them — the same layering as the
/// local console's. No file: the defaults. A file with a mistake is not applied: the session
/// gets the defaults, and the message for the message line says why (the officer cannot fix
/// the file from the session, so it is not refused as a local console is).
pub fn operator_keymap(
    defaults: &Keymap,
    root: &std::path::Path,
    login: &str,
) -> (Keymap, Option<String>) {
    let path = keymap_file(root, login);
    if !path.exists() {
        return (defaults.clone(), None);
    }
    match Keymap::load(Some(&path)) {
        Ok(k) => (k, None),
        Err(e) => {
            tracing::warn!(operator = %login, file = %path.display(), "the operator's keymap is not applied: {e}");
            (
                defaults.clone(),
                Some(format!(
                    "Ваши клавиши не применены (клавиши по умолчанию): {e}"
                )),
            )
        }
    }
}

/// A login as a file name: characters other than letters, digits, `-` and `_` as `_`.
fn file_name(login: &str) -> String {
    login
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::reference::Reference;
    use crate::store::Store;
    use crate::tui::keymap::Context;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("t")
    }

    fn console() -> Console {
        let store = Store::open_in_memory(Arc::new(Reference::embedded().expect("reference")))
            .expect("store");
        let mut app = App::new(
            store,
            Theme::new(false, false),
            Clock::Fixed(t0()),
            "petrova".into(),
            "okrug".into(),
        );
        app.load().expect("loaded");
        Console::new(app, Keymap::load(None).expect("keymap"))
    }

    fn screen(c: &mut Console) -> String {
        let mut t = Terminal::new(TestBackend::new(100, 24)).expect("terminal");
        t.draw(|f| c.draw(f)).expect("drawn");
        let buf = t.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..24 {
            for x in 0..100 {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    /// The idle timeout over the console's own clock: a warning in the message line a minute
    /// before, a key restarts it, then the session ends with the reason.
    #[test]
    fn an_idle_session_is_warned_in_the_message_line_then_ended() {
        let mut c = console();
        let mut comp = SshCompanion {
            idle: IdleTimer::new(30, t0()),
            row: None,
        };
        let at = |c: &mut Console, d: Duration| c.app.env.clock = Clock::Fixed(t0() + d);
        at(&mut c, Duration::minutes(28));
        assert_eq!(comp.tick(&mut c), Flow::Go);
        at(&mut c, Duration::minutes(29));
        assert_eq!(comp.tick(&mut c), Flow::Go);
        let s = screen(&mut c);
        assert!(s.contains("сессия закроется через 60 с"), "{s}");
        // A key: the timeout starts again.
        comp.input(&mut c);
        at(&mut c, Duration::minutes(58));
        assert_eq!(comp.tick(&mut c), Flow::Go);
        at(&mut c, Duration::minutes(59));
        assert!(matches!(comp.tick(&mut c), Flow::End(m) if m.contains("нет действий 30 мин")));
    }

    #[test]
    fn saved_views_are_kept_per_operator_inside_the_workspace() {
        let root = std::path::Path::new("/srv/okrug");
        assert_eq!(
            views_file(root, "petrova"),
            root.join("ssh/views/petrova.toml")
        );
        assert_eq!(
            views_file(root, "../etc/x"),
            root.join("ssh/views/___etc_x.toml")
        );
    }

    /// The operator's own file over the defaults, as a local console layers its own; another
    /// operator keeps the defaults; a file with a mistake gives the defaults and says why.
    #[test]
    fn an_operators_own_keys_are_layered_over_the_defaults() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        let defaults = Keymap::builtin().expect("defaults");
        let mine = |k: &Keymap| {
            k.help(Context::Global)
                .iter()
                .any(|h| h.desc == "Моя справка" && h.keys.contains(&"Z".to_string()))
        };
        let (k, problem) = operator_keymap(&defaults, root, "petrova");
        assert!(problem.is_none() && !mine(&k));

        let file = keymap_file(root, "petrova");
        assert_eq!(file, root.join("ssh/keymaps/petrova.toml"));
        std::fs::create_dir_all(file.parent().expect("dir")).expect("made");
        std::fs::write(
            &file,
            "[global]\nprepend_keymap = [ { on = \"Z\", run = \"help\", desc = \"Моя справка\" } ]\n",
        )
        .expect("written");
        let (k, problem) = operator_keymap(&defaults, root, "petrova");
        assert!(problem.is_none(), "{problem:?}");
        assert!(mine(&k));
        // The defaults stay under it.
        assert!(
            k.help(Context::Global)
                .iter()
                .any(|h| h.keys.contains(&"?".to_string()))
        );
        let (other, _) = operator_keymap(&defaults, root, "sidorov");
        assert!(!mine(&other));

        std::fs::write(
            &file,
            "[global]\nprepend_keymap = [ { on = \"Z\", run = \"assing\" } ]\n",
        )
        .expect("written");
        let (k, problem) = operator_keymap(&defaults, root, "petrova");
        assert!(!mine(&k));
        let p = problem.expect("a problem");
        assert!(p.contains("не применены") && p.contains("assing"), "{p}");
    }

    #[test]
    fn a_window_made_too_small_ends_the_session() {
        let mut c = console();
        let mut comp = SshCompanion {
            idle: None,
            row: None,
        };
        assert_eq!(comp.resized(&mut c, 80, 24), Flow::Go);
        assert!(matches!(comp.resized(&mut c, 30, 10), Flow::End(m) if m.contains("30×10")));
    }
}

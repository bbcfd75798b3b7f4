//! The console's row in `console_sessions` (who has a console open, from where, which appeal in
//! detail), written by local consoles and SSH sessions alike, and the presence it gives: the
//! detail shows who else has the same appeal open. Cheap: the row is written only when the open
//! appeal changed or every [`REFRESH`]; the others are read every [`LOOK`].
//!
//! The row's refreshes are written by a thread of their own with its own connection (like the
//! officer's changes, `tui::writes`): a database locked by another writer never stops the screen
//! on the tick. Only the latest refresh waiting is written. Reading the others never waits.

use std::sync::mpsc;
use std::thread::JoinHandle;

use chrono::{DateTime, Duration, Utc};

use super::console::Console;
use super::run::{Companion, Flow};
use crate::store::sessions::SessionOrigin;

/// How often the row is refreshed when nothing changed (well inside `sessions::STALE_AFTER`).
pub const REFRESH: Duration = Duration::seconds(30);
/// How often the others on the open appeal are looked up.
pub const LOOK: Duration = Duration::seconds(3);

/// A console's session row.
#[derive(Debug)]
pub struct SessionRow {
    id: i64,
    login: String,
    origin: SessionOrigin,
    touched: DateTime<Utc>,
    looked: Option<DateTime<Utc>>,
    appeal: Option<i64>,
    /// The thread that writes the refreshes (`None`: an in-memory store, written at once).
    writer: Option<Writer>,
}

/// A refresh of the row: the appeal open, and when.
type Touch = (Option<i64>, DateTime<Utc>);

#[derive(Debug)]
struct Writer {
    touches: mpsc::Sender<Touch>,
    thread: JoinHandle<()>,
}

impl Writer {
    /// A thread with its own connection to the database at `location` writing row `id`'s
    /// refreshes; `None` when it cannot start (then they are written at once, and logged).
    fn start(
        location: crate::store::Location,
        reference: std::sync::Arc<crate::reference::Reference>,
        id: i64,
    ) -> Option<Self> {
        let (touches, rx) = mpsc::channel::<Touch>();
        let thread = std::thread::Builder::new()
            .name("mcu-presence".into())
            .spawn(move || {
                let store = match crate::store::Store::open_at(&location, reference) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("the console session cannot be refreshed: {e}");
                        return;
                    }
                };
                while let Ok(mut t) = rx.recv() {
                    // Only the latest of the refreshes that piled up behind a lock matters.
                    while let Ok(later) = rx.try_recv() {
                        t = later;
                    }
                    if let Err(e) = store.touch_console_session(id, t.0, t.1) {
                        tracing::warn!("the console session cannot be refreshed: {e}");
                    }
                }
            })
            .map_err(|e| tracing::warn!("the presence thread did not start: {e}"))
            .ok()?;
        Some(Self { touches, thread })
    }
}

impl SessionRow {
    /// Starts the row (audited, logged); `None` when it cannot be written (the console works
    /// on without it: the failure is logged).
    pub fn start(console: &mut Console, origin: SessionOrigin) -> Option<Self> {
        let now = console.app.now();
        let login = console.app.env.operator.clone();
        match console
            .app
            .env
            .store
            .start_console_session(&login, &origin, now)
        {
            Ok(id) => {
                let writer =
                    console.app.env.store.location().cloned().and_then(|l| {
                        Writer::start(l, console.app.env.store.reference().clone(), id)
                    });
                tracing::info!(
                    operator = %login, via = %origin.via, address = %origin.address,
                    fingerprint = %origin.fingerprint, session = id, "console session started"
                );
                Some(Self {
                    id,
                    login,
                    origin,
                    touched: now,
                    looked: None,
                    appeal: None,
                    writer,
                })
            }
            Err(e) => {
                tracing::warn!("the console session cannot be recorded: {e}");
                None
            }
        }
    }

    /// The row's id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Refreshes the row when the open appeal changed or [`REFRESH`] passed, and the presence.
    pub fn tick(&mut self, console: &mut Console) {
        let now = console.app.now();
        let appeal = console.app.detail().map(|d| d.appeal.id);
        let env = &mut console.app.env;
        if appeal != self.appeal || now - self.touched >= REFRESH {
            let sent = self
                .writer
                .as_ref()
                .is_some_and(|w| w.touches.send((appeal, now)).is_ok());
            if !sent && let Err(e) = env.store.touch_console_session(self.id, appeal, now) {
                tracing::warn!("the console session cannot be refreshed: {e}");
            }
            self.touched = now;
        }
        let changed = appeal != self.appeal;
        self.appeal = appeal;
        let presence = match appeal {
            None => Vec::new(),
            Some(_) if !changed && self.looked.is_some_and(|t| now - t < LOOK) => {
                return;
            }
            Some(a) => {
                self.looked = Some(now);
                env.store
                    .others_on_appeal(a, self.id, now)
                    .unwrap_or_default()
            }
        };
        if presence != env.presence {
            env.presence = presence;
            env.dirty = true;
        }
    }

    /// Ends the row (audited, logged), after the refreshes still on their way.
    pub fn end(mut self, console: &mut Console, reason: &str) {
        if let Some(w) = self.writer.take() {
            drop(w.touches);
            let _ = w.thread.join();
        }
        let now = console.app.now();
        if let Err(e) = console
            .app
            .env
            .store
            .end_console_session(self.id, reason, now)
        {
            tracing::warn!("the console session's end cannot be recorded: {e}");
        }
        tracing::info!(
            operator = %self.login, via = %self.origin.via, address = %self.origin.address,
            fingerprint = %self.origin.fingerprint, session = self.id, reason, "console session ended"
        );
    }
}

/// The local console's companion: its session row.
pub struct LocalSession(pub Option<SessionRow>);

impl Companion for LocalSession {
    fn tick(&mut self, console: &mut Console) -> Flow {
        if let Some(r) = self.0.as_mut() {
            r.tick(console);
        }
        Flow::Go
    }

    fn end(&mut self, console: &mut Console, reason: &str) {
        if let Some(r) = self.0.take() {
            r.end(console, reason);
        }
    }
}

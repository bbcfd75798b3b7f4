//! The SSH server (russh): public-key authentication against `operator_keys`, one console
//! session per connection, one background importer whose notices go to every session.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use russh::server::{Auth, Msg, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId};
use tokio::sync::{mpsc, watch};

use super::auth::{AuthLimiter, fingerprint};
use super::limits::ServeSettings;
use super::session::{Peer, SessionInput, SessionOutput};
use crate::ingest::watch::ImportNotice;
use crate::tui::keymap::Keymap;
use crate::workspace::Workspace;

/// What every connection shares.
pub struct Shared {
    pub workspace: Workspace,
    pub settings: ServeSettings,
    pub keymap: Keymap,
    /// For looking keys up at authentication.
    pub keys: KeyLookup,
    pub limiter: Mutex<AuthLimiter>,
    /// Console sessions running now.
    pub sessions: AtomicUsize,
    /// The importer's notices go to each of these (a closed one is dropped).
    pub subscribers: Mutex<Vec<std_mpsc::Sender<ImportNotice>>>,
    /// Whether an importer runs (else sessions get no notices; their tick still sees changes).
    pub importing: bool,
    /// Set once the server is stopping (SIGTERM): why, which every session is told and ends
    /// with (`stop`).
    pub stop: watch::Sender<Option<String>>,
    /// Connections that opened a console and are still connected: the stop waits for them to
    /// go, so that every client has had its session's end before the server exits.
    pub consoles: AtomicUsize,
}

impl Shared {
    /// A receiver of the importer's notices for one more session.
    fn subscribe(&self) -> Option<std_mpsc::Receiver<ImportNotice>> {
        if !self.importing {
            return None;
        }
        let (tx, rx) = std_mpsc::channel();
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.push(tx);
        }
        Some(rx)
    }
}

/// Looks keys up in the store, which lives on a thread of its own (a store is not shared
/// between threads): a fingerprint in, the login it belongs to out.
pub struct KeyLookup {
    tx: std_mpsc::Sender<(String, tokio::sync::oneshot::Sender<Option<String>>)>,
}

impl KeyLookup {
    /// Starts the lookup thread over the workspace's store.
    pub fn start(ws: &Workspace) -> Result<Self, String> {
        let store = ws.store().map_err(|e| e.to_string())?;
        drop(store);
        let ws = ws.clone();
        let (tx, rx) =
            std_mpsc::channel::<(String, tokio::sync::oneshot::Sender<Option<String>>)>();
        std::thread::Builder::new()
            .name("mcu-ssh-keys".into())
            .spawn(move || {
                let store = match ws.store() {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("the key lookup cannot open the store: {e}");
                        return;
                    }
                };
                while let Ok((fp, reply)) = rx.recv() {
                    // A key whose login is no longer an operator opens nothing.
                    let login = match store.operator_key(&fp).and_then(|k| match k {
                        Some(k) => Ok(store.operator(&k.login)?.map(|o| o.login)),
                        None => Ok(None),
                    }) {
                        Ok(login) => login,
                        Err(e) => {
                            tracing::warn!("key lookup failed: {e}");
                            None
                        }
                    };
                    let _ = reply.send(login);
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Self { tx })
    }

    /// The login of the key with this fingerprint, if it is registered to an operator.
    pub async fn login(&self, fingerprint: &str) -> Option<String> {
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.tx.send((fingerprint.to_string(), reply)).ok()?;
        rx.await.ok().flatten()
    }
}

/// How long a stop waits for the sessions to end and their clients to go (a session still
/// opening — loading the triage model — ends once open; systemd waits 90 s before SIGKILL).
pub const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// What every session is told, and ends with, when the server stops (also the session's end
/// reason in the audit trail).
pub const STOPPED: &str =
    "Сервер mcu остановлен: сессия закрыта. Подключитесь снова, когда он заработает.";

/// Ends every console session cleanly: each is told `reason` and ends like a disconnect (its end
/// recorded in the audit trail and `console_sessions`, the message, exit status 0, the channel
/// closed); then waits for the sessions and their clients to go, at most [`STOP_GRACE`] or
/// until `hurry` says (a second signal).
pub async fn stop_sessions(shared: &Shared, reason: &str, hurry: &mut mpsc::UnboundedReceiver<()>) {
    shared.stop.send_replace(Some(reason.to_string()));
    let deadline = tokio::time::Instant::now() + STOP_GRACE;
    loop {
        let (sessions, consoles) = (
            shared.sessions.load(Ordering::SeqCst),
            shared.consoles.load(Ordering::SeqCst),
        );
        if sessions == 0 && consoles == 0 {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                tracing::warn!(sessions, consoles, "ssh server stopping: not every session ended in time");
                return;
            }
            _ = hurry.recv() => {
                tracing::warn!(sessions, consoles, "ssh server stopping: asked again, not waiting");
                return;
            }
            _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
        }
    }
}

/// Hands every notice of the one importer to every session.
pub fn fan_out(shared: Arc<Shared>, rx: std_mpsc::Receiver<ImportNotice>) {
    while let Ok(n) = rx.recv() {
        if let Ok(mut subs) = shared.subscribers.lock() {
            subs.retain(|tx| tx.send(n.clone()).is_ok());
        }
    }
}

/// The russh server: makes a handler per connection.
#[derive(Clone)]
pub struct Server {
    pub shared: Arc<Shared>,
}

impl russh::server::Server for Server {
    type Handler = Connection;

    fn new_client(&mut self, peer: Option<SocketAddr>) -> Connection {
        Connection {
            shared: self.shared.clone(),
            peer,
            operator: None,
            channel: None,
            pty: None,
            no_color: false,
            input: None,
            console: false,
        }
    }

    fn handle_session_error(&mut self, error: anyhow::Error) {
        tracing::debug!("ssh connection ended with an error: {error}");
    }
}

/// One SSH connection.
pub struct Connection {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    /// The operator and the fingerprint of the key they came with, once authenticated.
    operator: Option<(String, String)>,
    channel: Option<ChannelId>,
    /// The terminal type and size from the PTY request.
    pty: Option<(String, u16, u16)>,
    no_color: bool,
    input: Option<mpsc::UnboundedSender<SessionInput>>,
    /// Whether this connection opened a console (counted in `Shared::consoles`).
    console: bool,
}

/// A size from the protocol, kept within a terminal's range.
fn dim(n: u32) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

impl Connection {
    fn address(&self) -> String {
        self.peer.map(|p| p.to_string()).unwrap_or_default()
    }

    fn blocked(&self) -> bool {
        let Some(ip) = self.peer.map(|p| p.ip()) else {
            return false;
        };
        self.shared
            .limiter
            .lock()
            .is_ok_and(|mut l| l.blocked(ip, Utc::now()))
    }

    fn failed(&self) {
        if let (Some(ip), Ok(mut l)) = (self.peer.map(|p| p.ip()), self.shared.limiter.lock()) {
            l.failed(ip, Utc::now());
        }
    }

    /// Tells the client why, and closes the channel.
    fn refuse(&self, channel: ChannelId, session: &mut Session, message: &str) {
        let _ = session.data(channel, format!("{message}\r\n").into_bytes());
        let _ = session.exit_status_request(channel, 1);
        let _ = session.eof(channel);
        let _ = session.close(channel);
    }
}

impl russh::server::Handler for Connection {
    type Error = anyhow::Error;

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        _offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        // Whether the key is known is decided only once its signature is verified
        // (`auth_publickey`); here only a blocked address is turned away.
        if self.blocked() {
            return Ok(Auth::reject());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        if self.blocked() {
            return Ok(Auth::reject());
        }
        // The key russh verified the signature of: the one the client proved it holds.
        let fp = fingerprint(key.public_key);
        match self.shared.keys.login(&fp).await {
            Some(login) => {
                tracing::info!(operator = %login, fingerprint = %fp, address = %self.address(), "ssh key accepted");
                self.operator = Some((login, fp));
                Ok(Auth::Accept)
            }
            None => {
                tracing::info!(fingerprint = %fp, address = %self.address(), "ssh key refused: not registered");
                self.failed();
                Ok(Auth::reject())
            }
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // One console per connection.
        if self.operator.is_some() && self.channel.is_none() {
            self.channel = Some(channel.id());
            reply.accept().await;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.pty = Some((term.to_string(), dim(col_width), dim(row_height)));
        session.channel_success(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if name == "NO_COLOR" && !value.is_empty() {
            self.no_color = true;
        }
        session.channel_success(channel)?;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (w, h) = (dim(col_width), dim(row_height));
        if let Some(p) = self.pty.as_mut() {
            p.1 = w;
            p.2 = h;
        }
        if let Some(tx) = &self.input {
            let _ = tx.send(SessionInput::Resize(w, h));
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Accepted, so that the client shows why, then ended.
        session.channel_success(channel)?;
        self.refuse(
            channel,
            session,
            "mcu serve: здесь только консоль, команды не выполняются (ssh -t сервер)",
        );
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        _name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        self.refuse(channel, session, "mcu serve: здесь только консоль");
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some((login, fp)) = self.operator.clone() else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        session.channel_success(channel)?;
        let Some((term, width, height)) = self.pty.clone() else {
            self.refuse(
                channel,
                session,
                "mcu serve: консоли нужен терминал — подключитесь с ssh -t (без -T и без команды)",
            );
            return Ok(());
        };
        if self.shared.stop.borrow().is_some() {
            self.refuse(
                channel,
                session,
                "mcu serve останавливается: подключитесь снова, когда он заработает",
            );
            return Ok(());
        }
        let max = self.shared.settings.max_sessions;
        let running = self.shared.sessions.fetch_add(1, Ordering::SeqCst);
        if running >= max {
            self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
            tracing::info!(operator = %login, address = %self.address(), max, "ssh session refused: too many sessions");
            self.refuse(
                channel,
                session,
                &format!("mcu serve: открыто сессий больше предела ({max}); попробуйте позже"),
            );
            return Ok(());
        }
        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel();
        self.input = Some(in_tx);
        let peer = Peer {
            login,
            fingerprint: fp,
            address: self.address(),
            term,
            no_color: self.no_color,
            width,
            height,
        };
        // The console's frames to the channel, in order; then the exit status and the close.
        let handle = session.handle();
        tokio::spawn(async move {
            while let Some(m) = out_rx.recv().await {
                match m {
                    SessionOutput::Data(d) => {
                        if handle.data(channel, d).await.is_err() {
                            break;
                        }
                    }
                    SessionOutput::Close(status) => {
                        let _ = handle.exit_status_request(channel, status).await;
                        let _ = handle.eof(channel).await;
                        let _ = handle.close(channel).await;
                        break;
                    }
                }
            }
        });
        let shared = self.shared.clone();
        let notices = shared.subscribe();
        let stop = shared.stop.subscribe();
        let spawned = std::thread::Builder::new()
            .name("mcu-ssh-session".into())
            .spawn(move || {
                super::session::run(shared.clone(), peer, in_rx, out_tx, notices, stop);
                shared.sessions.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_ok() {
            self.console = true;
            self.shared.consoles.fetch_add(1, Ordering::SeqCst);
        }
        if let Err(e) = spawned {
            self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
            tracing::warn!("the session thread cannot start: {e}");
            self.refuse(channel, session, "mcu serve: сессия не запустилась");
        }
        Ok(())
    }

    async fn data(
        &mut self,
        _channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Some(tx) = &self.input {
            let _ = tx.send(SessionInput::Bytes(data.to_vec()));
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The console's input ends: it ends too.
        self.input = None;
        Ok(())
    }

    async fn channel_close(
        &mut self,
        _channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.input = None;
        Ok(())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // The connection is gone (the client vanished): the console's input ends with it.
        self.input = None;
        if self.console {
            self.shared.consoles.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

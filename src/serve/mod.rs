//! `mcu serve`: the built-in SSH server. Officers reach the console with a registered public key
//! (`mcu operator key add`), no OS account needed: each connection gets its own console session
//! for its operator (the same roles, keymap layered with the operator's own, and screens as
//! locally), its own terminal size, over
//! the one workspace, with one background importer for all.

pub mod auth;
pub mod input;
pub mod limits;
pub mod server;
pub mod session;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use crate::tui::keymap::Keymap;
use crate::workspace::Workspace;

/// The default address: every interface, port 2222.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:2222";

/// Where the host key is kept unless `--host-key` says otherwise.
pub fn default_host_key(ws: &Workspace) -> PathBuf {
    ws.root().join("ssh").join("host_ed25519")
}

/// How `mcu serve` was asked to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub host_key: PathBuf,
    /// The OS account running the server, when it may import: the one importer runs as it.
    pub importer: Option<String>,
}

/// Listens for SIGTERM (systemd's stop) and SIGINT (Ctrl-C): each one is a message on the
/// returned receiver (the first stops the server, a second cuts the wait for the sessions short).
fn stop_signals() -> Result<tokio::sync::mpsc::UnboundedReceiver<()>, String> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])
        .map_err(|e| format!("the stop signals cannot be handled: {e}"))?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("mcu-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let name = if signal == SIGTERM {
                    "SIGTERM"
                } else {
                    "SIGINT"
                };
                tracing::info!(signal = name, "stop signal received");
                if tx.send(()).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(rx)
}

/// Runs the server until it is stopped (SIGTERM or SIGINT: every session is ended cleanly
/// first, see [`server::stop_sessions`]). `ready` is told the address it listens on.
pub fn run(ws: &Workspace, opts: &Options, ready: impl FnOnce(SocketAddr)) -> Result<(), String> {
    let settings = ws
        .reference()
        .map_err(|e| e.to_string())?
        .settings
        .serve
        .clone();
    let host_key = auth::host_key(&opts.host_key)?;
    let host_fp = auth::fingerprint(host_key.public_key());
    let keymap = Keymap::load(None).map_err(|e| format!("the key bindings: {e}"))?;
    let keys = server::KeyLookup::start(ws)?;
    let (notices, importer) = match &opts.importer {
        Some(login) => crate::ingest::watch::spawn_stoppable(ws, login)
            .map_err(|e| e.to_string())?
            .unzip(),
        None => (None, None),
    };
    let shared = Arc::new(server::Shared {
        workspace: ws.clone(),
        limiter: Mutex::new(auth::AuthLimiter::new(
            settings.max_failed_auths.max(1),
            chrono::Duration::minutes(i64::from(settings.failed_auth_window_minutes)),
        )),
        settings,
        keymap,
        keys,
        sessions: AtomicUsize::new(0),
        subscribers: Mutex::new(Vec::new()),
        importing: notices.is_some(),
        stop: tokio::sync::watch::Sender::new(None),
        consoles: AtomicUsize::new(0),
    });
    if let Some(rx) = notices {
        let s = shared.clone();
        std::thread::Builder::new()
            .name("mcu-notices".into())
            .spawn(move || server::fan_out(s, rx))
            .map_err(|e| e.to_string())?;
    }
    let config = russh::server::Config {
        keys: vec![host_key],
        methods: russh::MethodSet::from(&[russh::MethodKind::PublicKey][..]),
        auth_rejection_time: std::time::Duration::from_millis(500),
        auth_rejection_time_initial: Some(std::time::Duration::from_millis(0)),
        // The console's own idle timeout ends sessions; this only drops dead connections.
        inactivity_timeout: None,
        keepalive_interval: Some(std::time::Duration::from_secs(60)),
        nodelay: true,
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut signals = stop_signals()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| format!("{}: {e}", opts.listen))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(%addr, host_key = %host_fp, "ssh server listening");
        ready(addr);
        let mut server = server::Server {
            shared: shared.clone(),
        };
        use russh::server::Server as _;
        let mut running = server.run_on_socket(Arc::new(config), &listener);
        let handle = running.handle();
        tokio::select! {
            r = &mut running => return r.map_err(|e| e.to_string()),
            _ = signals.recv() => {}
        }
        // No new connection is accepted while `running` is not polled; the ones open stay.
        tracing::info!(
            sessions = shared.sessions.load(std::sync::atomic::Ordering::SeqCst),
            "ssh server stopping: ending the sessions"
        );
        server::stop_sessions(&shared, server::STOPPED, &mut signals).await;
        // Whatever is still connected (not past authentication, or slow to go) is disconnected.
        handle.shutdown("mcu serve stopped".into());
        running.await.map_err(|e| e.to_string())?;
        // The importer finishes the file in hand (committed and moved, or left whole in the
        // inbox) instead of dying in it, which would count against the file (`ingest::watch`).
        if let Some(i) = importer {
            tokio::task::spawn_blocking(move || i.stop())
                .await
                .map_err(|e| e.to_string())?;
        }
        tracing::info!("ssh server stopped");
        Ok(())
    })
}

//! The one background runtime that drives every PostgreSQL connection.
//!
//! tokio-postgres splits a connection in two: a `Client` whose futures only talk to the other half
//! over channels, and a `Connection` future that owns the socket. The `Connection`s (and the
//! connecting itself, which needs tokio's sockets and timers) run on a dedicated thread with its
//! own current-thread runtime, started on first use and kept for the life of the process. The
//! store's synchronous calls then wait for `Client` futures with `futures_executor::block_on`,
//! which needs no runtime — so they work from plain threads, from inside the console's
//! current-thread runtime and from a worker of `serve`'s multi-thread runtime alike (the
//! `postgres` sync crate panics in the last two: "Cannot start a runtime from within a runtime").

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Handle;

static HANDLE: OnceLock<Result<Handle, String>> = OnceLock::new();

fn start() -> Result<Handle, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("mcu-pg".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .enable_time()
                .build();
            match rt {
                Ok(rt) => {
                    let _ = tx.send(Ok(rt.handle().clone()));
                    // Runs spawned connection tasks until the process exits.
                    rt.block_on(std::future::pending::<()>());
                }
                Err(e) => {
                    let _ = tx.send(Err(format!("cannot start the PostgreSQL runtime: {e}")));
                }
            }
        })
        .map_err(|e| format!("cannot start the PostgreSQL thread: {e}"))?;
    rx.recv()
        .map_err(|_| "the PostgreSQL thread stopped at start".to_owned())?
}

/// The background runtime's handle (started on first call).
pub(super) fn handle() -> Result<&'static Handle, String> {
    HANDLE.get_or_init(start).as_ref().map_err(Clone::clone)
}

/// Runs `fut` on the background runtime and waits for it from any thread, inside a runtime or not.
pub(super) fn run<F>(fut: F) -> Result<F::Output, String>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let join = handle()?.spawn(fut);
    futures_executor::block_on(join).map_err(|e| format!("PostgreSQL task failed: {e}"))
}

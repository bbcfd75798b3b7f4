//! A small bounded connection pool, one per URL for the whole process.
//!
//! [`PgPool::get`] hands out an idle connection (or opens one while fewer than `max` are open,
//! or waits for one to come back); the [`PooledConn`] goes back on drop — after a rollback of an
//! open transaction and `UNLISTEN *` — unless it is broken, which is closed instead and frees its
//! place.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use super::{PgConn, PgError, redacted_target};

/// How long [`PgPool::get`] waits for a connection when all are busy.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);
/// Connections per URL unless the first caller of [`PgPool::shared`] says otherwise.
pub const DEFAULT_MAX: usize = 8;

struct State {
    idle: Vec<PgConn>,
    /// Idle plus handed out plus being opened.
    open: usize,
}

struct Inner {
    url: String,
    target: String,
    max: usize,
    wait: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A handle on a pool (cheap to clone; clones share the connections).
#[derive(Clone)]
pub struct PgPool {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for PgPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgPool")
            .field("target", &self.inner.target)
            .field("max", &self.inner.max)
            .finish_non_exhaustive()
    }
}

static POOLS: OnceLock<Mutex<HashMap<String, PgPool>>> = OnceLock::new();

impl PgPool {
    /// A private pool of at most `max` connections (at least one).
    pub fn new(url: &str, max: usize) -> PgPool {
        PgPool::with_wait(url, max, DEFAULT_WAIT)
    }

    /// A private pool whose [`PgPool::get`] gives up after `wait`.
    pub fn with_wait(url: &str, max: usize, wait: Duration) -> PgPool {
        PgPool {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                target: redacted_target(url),
                max: max.max(1),
                wait,
                state: Mutex::new(State {
                    idle: Vec::new(),
                    open: 0,
                }),
                freed: Condvar::new(),
            }),
        }
    }

    /// The process-wide pool for `url`, made with `max` connections by the first caller (later
    /// callers get that pool whatever `max` they pass).
    pub fn shared(url: &str, max: usize) -> PgPool {
        let pools = POOLS.get_or_init(|| Mutex::new(HashMap::new()));
        let mut pools = pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pools
            .entry(url.to_owned())
            .or_insert_with(|| PgPool::new(url, max))
            .clone()
    }

    /// Whether two handles share one pool.
    pub fn same(&self, other: &PgPool) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    pub fn max(&self) -> usize {
        self.inner.max
    }

    /// Connections open now (idle, handed out or being opened).
    pub fn open_count(&self) -> usize {
        self.inner.state().open
    }

    /// Connections waiting in the pool.
    pub fn idle_count(&self) -> usize {
        self.inner.state().idle.len()
    }

    /// A connection, waiting up to the pool's wait when `max` are handed out.
    pub fn get(&self) -> Result<PooledConn, PgError> {
        let started = Instant::now();
        let deadline = started + self.inner.wait;
        let mut state = self.inner.state();
        loop {
            if let Some(conn) = self.take_idle(&mut state) {
                return Ok(conn);
            }
            if state.open < self.inner.max {
                return self.open(state);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(PgError::PoolTimeout {
                    target: self.inner.target.clone(),
                    max: self.inner.max,
                    waited_ms: started.elapsed().as_millis(),
                });
            }
            state = self
                .inner
                .freed
                .wait_timeout(state, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }

    /// A connection if one is idle or may be opened; `None` at once when `max` are handed out.
    pub fn try_get(&self) -> Result<Option<PooledConn>, PgError> {
        let mut state = self.inner.state();
        if let Some(conn) = self.take_idle(&mut state) {
            return Ok(Some(conn));
        }
        if state.open < self.inner.max {
            return self.open(state).map(Some);
        }
        Ok(None)
    }

    fn take_idle(&self, state: &mut State) -> Option<PooledConn> {
        while let Some(conn) = state.idle.pop() {
            if conn.is_broken() {
                state.open -= 1;
                continue;
            }
            return Some(PooledConn {
                conn: Some(conn),
                pool: self.inner.clone(),
            });
        }
        None
    }

    /// Opens a connection outside the lock, its place reserved.
    fn open(&self, mut state: MutexGuard<'_, State>) -> Result<PooledConn, PgError> {
        state.open += 1;
        drop(state);
        match PgConn::connect(&self.inner.url) {
            Ok(conn) => Ok(PooledConn {
                conn: Some(conn),
                pool: self.inner.clone(),
            }),
            Err(e) => {
                self.inner.state().open -= 1;
                self.inner.freed.notify_one();
                Err(e)
            }
        }
    }
}

/// A connection on loan from a [`PgPool`]; it goes back when dropped.
pub struct PooledConn {
    conn: Option<PgConn>,
    pool: Arc<Inner>,
}

impl Deref for PooledConn {
    type Target = PgConn;

    fn deref(&self) -> &PgConn {
        // Only `drop` takes it out.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("a pooled connection is present until dropped"))
    }
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let keep = conn.reset();
        let mut state = self.pool.state();
        if keep {
            state.idle.push(conn);
        } else {
            state.open -= 1;
            drop(state);
            drop(conn);
        }
        self.pool.freed.notify_one();
    }
}

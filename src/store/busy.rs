//! Waiting for the other writers of the same database file: several consoles, `mcu watch`, an
//! `mcu import` and `mcu classify --pending` may write at once, and SQLite lets one write at a
//! time. A connection that finds the database locked waits and retries with a growing pause (1 ms,
//! 2 ms, … up to [`MAX_PAUSE`]) for up to [`BUSY_TIMEOUT`] before it reports «database is
//! locked».
//!
//! SQLite only calls this when waiting can help: a transaction that began by reading and then
//! wants to write while another connection has written meanwhile fails at once, whatever the
//! timeout. So every write transaction of the store begins with `BEGIN IMMEDIATE` (it takes the
//! write lock first, waiting here), and is kept short so the others' waits are short.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// How long a writer waits for the others before giving up (`MCU_BUSY_TIMEOUT_MS` overrides it,
/// for tests).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// [`BUSY_TIMEOUT`], or the number of milliseconds in `MCU_BUSY_TIMEOUT_MS`.
pub(crate) fn timeout() -> Duration {
    static T: OnceLock<Duration> = OnceLock::new();
    *T.get_or_init(|| {
        std::env::var("MCU_BUSY_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(BUSY_TIMEOUT, Duration::from_millis)
    })
}
/// The longest pause between two attempts.
pub const MAX_PAUSE: Duration = Duration::from_millis(10);
/// How long a writer that goes on writing in several transactions (auto-triage, batch after
/// batch) pauses between two: longer than [`MAX_PAUSE`], so a waiting writer wakes up within the
/// gap and gets its turn instead of starving until its timeout.
pub const TURN: Duration = Duration::from_millis(20);

/// The pause before attempt `n + 1` (`n` = attempts made so far).
fn pause(n: u32) -> Duration {
    Duration::from_millis(1u64 << n.min(16)).min(MAX_PAUSE)
}

/// The time waited before attempt `n + 1`.
fn waited(n: u32) -> Duration {
    (0..n).map(pause).sum()
}

/// For tests: the file named by `MCU_BUSY_NOTICE` is created the first time this process waits
/// for another writer, so a test can hold a lock exactly until the other process waits for it.
fn notice_path() -> Option<&'static PathBuf> {
    static PATH: OnceLock<Option<PathBuf>> = OnceLock::new();
    PATH.get_or_init(|| std::env::var_os("MCU_BUSY_NOTICE").map(PathBuf::from))
        .as_ref()
}

/// Creates the file of `MCU_BUSY_NOTICE`, if set: this process waits for another writer.
pub(crate) fn announce_wait() {
    if let Some(p) = notice_path() {
        let _ = std::fs::write(p, b"waiting\n");
    }
}

/// SQLite's busy handler: `true` to try again after a pause, `false` to give up.
pub(super) fn handler(attempts: i32) -> bool {
    let n = u32::try_from(attempts).unwrap_or(0);
    if n == 0 {
        announce_wait();
    }
    if waited(n) >= timeout() {
        return false;
    }
    std::thread::sleep(pause(n));
    true
}

/// True when an error means another writer held the database for longer than [`BUSY_TIMEOUT`].
#[cfg(test)]
pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_to_a_cap_and_the_wait_is_bounded() {
        assert_eq!(pause(0), Duration::from_millis(1));
        assert_eq!(pause(3), Duration::from_millis(8));
        assert!(TURN > MAX_PAUSE);
        assert_eq!(pause(30), MAX_PAUSE);
        let n = (0..).find(|&n| waited(n) >= BUSY_TIMEOUT).unwrap_or(0);
        assert!(n > 0 && waited(n) < BUSY_TIMEOUT + MAX_PAUSE);
    }
}

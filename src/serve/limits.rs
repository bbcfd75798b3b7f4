//! The server's limits: the `[serve]` section of the workspace's `config.toml`, the idle timeout
//! of a session (with its warning a minute before) and the smallest terminal the console takes.
//! Time is always passed in, so the tests need no clock.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

/// The `[serve]` section of `config.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServeSettings {
    /// At most this many console sessions at once; one more is told so and ended.
    pub max_sessions: usize,
    /// A session with no key pressed for this many minutes ends (a warning comes a minute
    /// before).
    pub idle_timeout_minutes: u32,
    /// After this many failed authentications from one address within
    /// `failed_auth_window_minutes`, the address is refused until the window has passed.
    pub max_failed_auths: usize,
    pub failed_auth_window_minutes: u32,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            max_sessions: 20,
            idle_timeout_minutes: 30,
            max_failed_auths: 10,
            failed_auth_window_minutes: 10,
        }
    }
}

/// The smallest terminal the console is drawn in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Why a terminal of this size cannot be used, if it cannot.
pub fn too_small(width: u16, height: u16) -> Option<String> {
    (width < MIN_WIDTH || height < MIN_HEIGHT).then(|| {
        format!(
            "Окно терминала слишком мало ({width}×{height}): консоли нужно не меньше \
             {MIN_WIDTH}×{MIN_HEIGHT}. Увеличьте окно и подключитесь снова."
        )
    })
}

/// What the idle timer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idle {
    Fine,
    /// The session ends soon: warn the officer (once).
    Warn(String),
    /// Idle too long: end the session.
    End(String),
}

/// The idle timeout of one session.
#[derive(Debug, Clone)]
pub struct IdleTimer {
    timeout: Duration,
    warn_before: Duration,
    last_input: DateTime<Utc>,
    warned: bool,
}

impl IdleTimer {
    /// A timer of `timeout` that warns a minute before (or halfway, for a timeout under two
    /// minutes); `None` for no timeout.
    pub fn new(minutes: u32, now: DateTime<Utc>) -> Option<Self> {
        if minutes == 0 {
            return None;
        }
        let timeout = Duration::minutes(i64::from(minutes));
        let warn_before = if minutes >= 2 {
            Duration::minutes(1)
        } else {
            timeout / 2
        };
        Some(Self {
            timeout,
            warn_before,
            last_input: now,
            warned: false,
        })
    }

    /// The officer did something.
    pub fn input(&mut self, now: DateTime<Utc>) {
        self.last_input = now;
        self.warned = false;
    }

    /// Checks the timer at `now`.
    pub fn check(&mut self, now: DateTime<Utc>) -> Idle {
        let idle = now - self.last_input;
        if idle >= self.timeout {
            let minutes = self.timeout.num_minutes().max(1);
            return Idle::End(format!(
                "Сессия закрыта: нет действий {minutes} мин. Подключитесь снова."
            ));
        }
        if !self.warned && idle >= self.timeout - self.warn_before {
            self.warned = true;
            let left = (self.timeout - idle).num_seconds().max(1);
            return Idle::Warn(format!(
                "Нет действий: сессия закроется через {left} с — нажмите любую клавишу"
            ));
        }
        Idle::Fine
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("t")
    }

    #[test]
    fn idle_session_is_warned_a_minute_before_and_then_ended() {
        let mut t = IdleTimer::new(30, t0()).expect("timer");
        assert_eq!(t.check(t0() + Duration::minutes(28)), Idle::Fine);
        let w = t.check(t0() + Duration::minutes(29));
        assert!(
            matches!(&w, Idle::Warn(s) if s.contains("через 60 с")),
            "{w:?}"
        );
        // Warned once only.
        assert_eq!(t.check(t0() + Duration::seconds(29 * 60 + 30)), Idle::Fine);
        assert!(matches!(
            t.check(t0() + Duration::minutes(30)),
            Idle::End(_)
        ));
    }

    #[test]
    fn a_key_restarts_the_idle_timeout() {
        let mut t = IdleTimer::new(30, t0()).expect("timer");
        assert!(matches!(
            t.check(t0() + Duration::minutes(29)),
            Idle::Warn(_)
        ));
        t.input(t0() + Duration::minutes(29));
        assert_eq!(t.check(t0() + Duration::minutes(57)), Idle::Fine);
        assert!(matches!(
            t.check(t0() + Duration::minutes(58)),
            Idle::Warn(_)
        ));
        assert!(matches!(
            t.check(t0() + Duration::minutes(59)),
            Idle::End(_)
        ));
        assert!(IdleTimer::new(0, t0()).is_none());
    }

    #[test]
    fn the_smallest_terminal() {
        assert!(too_small(80, 24).is_none());
        assert!(too_small(MIN_WIDTH, MIN_HEIGHT).is_none());
        let m = too_small(40, 24).expect("too small");
        assert!(m.contains("40×24"), "{m}");
        assert!(too_small(80, MIN_HEIGHT - 1).is_some());
    }

    #[test]
    fn serve_settings_default_and_override() {
        let s: ServeSettings = toml::from_str("max_sessions = 3").expect("parsed");
        assert_eq!(s.max_sessions, 3);
        assert_eq!(s.idle_timeout_minutes, 30);
        assert!(toml::from_str::<ServeSettings>("max_session = 3").is_err());
    }
}

//! Alerts: an urgent appeal that comes in while the console is open — from the importer, auto-triage
//! or another console — is highlighted in the list until the officer opens it, and the terminal
//! bell rings once for each round that brings some (the bell goes out through the app's output,
//! `Env::output`). The officer's own urgent marks do not ring.
//!
//! The bell is on by default; `console.toml` in the workspace turns it off:
//!
//! ```toml
//! [alerts]
//! bell = false
//! ```
//! and so does `mcu console --no-bell`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

/// What the console knows of the urgent appeals.
#[derive(Debug, Clone)]
pub struct Alerts {
    /// Ring the terminal bell for a new urgent appeal.
    pub bell: bool,
    /// The open urgent appeals at the last look (`None` before the first).
    known: Option<BTreeSet<i64>>,
    /// The new ones, highlighted until opened.
    fresh: BTreeSet<i64>,
}

impl Default for Alerts {
    fn default() -> Self {
        Self {
            bell: true,
            known: None,
            fresh: BTreeSet::new(),
        }
    }
}

impl Alerts {
    /// The open urgent appeals now (the ones the officer may see): returns the new ones since the
    /// last look (none at the first look: what was there when the console opened is not news).
    pub fn look(&mut self, urgent_now: impl IntoIterator<Item = i64>) -> Vec<i64> {
        let now: BTreeSet<i64> = urgent_now.into_iter().collect();
        let new: Vec<i64> = match &self.known {
            Some(k) => now.difference(k).copied().collect(),
            None => Vec::new(),
        };
        self.fresh.extend(&new);
        self.fresh.retain(|id| now.contains(id));
        self.known = Some(now);
        new
    }

    /// The officer marks these urgent themselves: no alert for them.
    pub fn own(&mut self, ids: impl IntoIterator<Item = i64>) {
        if let Some(k) = &mut self.known {
            k.extend(ids);
        }
    }

    /// Highlighted in the list.
    pub fn is_fresh(&self, id: i64) -> bool {
        self.fresh.contains(&id)
    }

    /// The officer opened it: no longer highlighted.
    pub fn seen(&mut self, id: i64) {
        self.fresh.remove(&id);
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    alerts: AlertsSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsSection {
    #[serde(default = "yes")]
    bell: bool,
}

impl Default for AlertsSection {
    fn default() -> Self {
        Self { bell: true }
    }
}

fn yes() -> bool {
    true
}

/// The console's settings file of a workspace.
pub const FILE: &str = "console.toml";

/// Whether the bell rings, from the workspace's `console.toml` (on when there is none); a file
/// that cannot be used is an error naming it, its line and the reason.
pub fn bell_setting(workspace: &Path) -> Result<bool, String> {
    let path = workspace.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let f: File = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        });
        match line {
            Some(l) => format!("{}:{l}: {}", path.display(), e.message()),
            None => format!("{}: {}", path.display(), e.message()),
        }
    })?;
    Ok(f.alerts.bell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_look_is_not_news_and_a_new_urgent_one_is_once() {
        let mut a = Alerts::default();
        assert!(a.look([1, 2]).is_empty());
        assert_eq!(a.look([1, 2, 5]), vec![5]);
        assert!(a.is_fresh(5) && !a.is_fresh(1));
        assert!(a.look([1, 2, 5]).is_empty(), "rings once");
        a.seen(5);
        assert!(!a.is_fresh(5));
    }

    #[test]
    fn own_marks_and_closed_ones_are_not_alerts() {
        let mut a = Alerts::default();
        a.look([1]);
        a.own([7]);
        assert!(a.look([1, 7]).is_empty());
        assert_eq!(a.look([1, 7, 8]), vec![8]);
        // Answered (no longer open urgent): the highlight goes.
        a.look([1, 7]);
        assert!(!a.is_fresh(8));
    }

    #[test]
    fn the_bell_is_on_unless_console_toml_turns_it_off() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(bell_setting(d.path()), Ok(true));
        std::fs::write(d.path().join(FILE), "[alerts]\nbell = false\n").unwrap();
        assert_eq!(bell_setting(d.path()), Ok(false));
        std::fs::write(d.path().join(FILE), "[alerts]\nbel = false\n").unwrap();
        let e = bell_setting(d.path()).unwrap_err();
        assert!(e.contains("console.toml:2") && e.contains("bel"), "{e}");
    }
}

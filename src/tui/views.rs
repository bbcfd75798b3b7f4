//! Saved views: named filters of the incoming list, kept per officer in
//! `~/.config/mcu/views.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::domain::{Channel, Status};
use crate::store::{ListFilter, Sort};

/// A filter as saved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedView {
    /// A block id; `"-"` for appeals without a block (and a recipient of `"-"`: nobody
    /// responsible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default)]
    pub open: bool,
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub urgent: bool,
    /// The order, when not the newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<Sort>,
}

impl SavedView {
    /// What a filter looks like saved.
    pub fn from_filter(f: &ListFilter) -> Self {
        Self {
            block: f
                .block
                .as_ref()
                .map(|b| b.clone().unwrap_or_else(|| "-".into())),
            status: f.status,
            channel: f.channel,
            recipient: if f.no_recipient {
                Some("-".into())
            } else {
                f.responsible.clone()
            },
            settlement: f.settlement.clone(),
            text: f.text.clone(),
            open: f.open,
            overdue: f.overdue_at.is_some(),
            urgent: f.urgent,
            sort: None,
        }
    }

    /// The filter again, overdue judged at `now`.
    pub fn to_filter(&self, now: chrono::DateTime<chrono::Utc>) -> ListFilter {
        ListFilter {
            block: self.block.as_ref().map(|b| (b != "-").then(|| b.clone())),
            status: self.status,
            channel: self.channel,
            responsible: self.recipient.clone().filter(|r| r != "-"),
            no_recipient: self.recipient.as_deref() == Some("-"),
            settlement: self.settlement.clone(),
            text: self.text.clone(),
            open: self.open,
            overdue_at: self.overdue.then_some(now),
            urgent: self.urgent,
            ..Default::default()
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ViewsFile {
    #[serde(default)]
    views: BTreeMap<String, SavedView>,
}

/// The officer's views file.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "mcu").map(|d| d.config_dir().join("views.toml"))
}

/// Every saved view; a missing file means none.
pub fn load(path: &Path) -> Result<BTreeMap<String, SavedView>, String> {
    match std::fs::read_to_string(path) {
        Ok(s) => toml::from_str::<ViewsFile>(&s)
            .map(|f| f.views)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Saves (adds or replaces) one view.
pub fn save(path: &Path, name: &str, view: SavedView) -> Result<(), String> {
    let mut views = load(path)?;
    views.insert(name.to_string(), view);
    write(path, views)
}

/// Deletes one view (the others stay as they were).
pub fn delete(path: &Path, name: &str) -> Result<(), String> {
    let mut views = load(path)?;
    if views.remove(name).is_none() {
        return Err(format!("Нет сохранённого вида «{name}»"));
    }
    write(path, views)
}

fn write(path: &Path, views: BTreeMap<String, SavedView>) -> Result<(), String> {
    let text = toml::to_string(&ViewsFile { views }).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        crate::workspace::create_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    crate::workspace::write_private_file(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("views.toml");
        let f = ListFilter {
            block: Some(None),
            status: Some(Status::New),
            overdue_at: Some(chrono::Utc::now()),
            urgent: true,
            ..Default::default()
        };
        save(&p, "мои", SavedView::from_filter(&f)).unwrap();
        let v = load(&p).unwrap();
        let back = v["мои"].to_filter(chrono::Utc::now());
        assert_eq!(back.block, Some(None));
        assert_eq!(back.status, Some(Status::New));
        assert!(back.overdue_at.is_some() && back.urgent);
    }

    #[test]
    fn unassigned_and_the_order_round_trip_and_a_view_deletes_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("views.toml");
        let f = ListFilter {
            no_recipient: true,
            ..Default::default()
        };
        let mut v = SavedView::from_filter(&f);
        v.sort = Some(Sort::Deadline);
        save(&p, "ничьи", v).unwrap();
        save(&p, "другой", SavedView::default()).unwrap();
        let views = load(&p).unwrap();
        let back = views["ничьи"].to_filter(chrono::Utc::now());
        assert!(back.no_recipient && back.responsible.is_none());
        assert_eq!(views["ничьи"].sort, Some(Sort::Deadline));
        delete(&p, "ничьи").unwrap();
        let left = load(&p).unwrap();
        assert_eq!(left.keys().collect::<Vec<_>>(), ["другой"]);
        assert!(delete(&p, "ничьи").is_err());
    }
}

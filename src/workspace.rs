//! The workspace folder: `mcu.db`, `inbox/` (with a sub-folder per channel), `processed/`,
//! `quarantine/`, `reports/`, and the optional overrides of reference data (see `reference`).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::Channel;
use crate::reference::{Reference, ReferenceError};
use crate::store::{Store, StoreError};

/// Inbox sub-folders and the channel a file dropped there gets when its rows do not say.
pub const INBOX_FOLDERS: [(&str, Channel); 4] = [
    ("im", Channel::Im),
    ("pos", Channel::Pos),
    ("letters", Channel::Letter),
    ("pages", Channel::Page),
];

/// Problems opening a workspace.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("workspace {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("no workspace given and no home directory found: pass --workspace DIR or set MCU_HOME")]
    NoDefault,
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An opened workspace folder.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// Chooses the workspace folder: `--workspace DIR`, else `$MCU_HOME`, else the platform data
    /// dir (`~/.local/share/mcu` on Linux).
    pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, WorkspaceError> {
        if let Some(p) = explicit {
            return Ok(p.to_path_buf());
        }
        if let Some(home) = std::env::var_os("MCU_HOME").filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(home));
        }
        directories::ProjectDirs::from("", "", "mcu")
            .map(|d| d.data_dir().to_path_buf())
            .ok_or(WorkspaceError::NoDefault)
    }

    /// Opens a workspace, creating its folders (and, on first use, its database) if missing.
    pub fn open(root: &Path) -> Result<Self, WorkspaceError> {
        let ws = Self {
            root: root.to_path_buf(),
        };
        for dir in ws.folders() {
            if dir.is_dir() {
                continue;
            }
            fs::create_dir_all(&dir).map_err(|source| WorkspaceError::Io {
                path: dir.display().to_string(),
                source,
            })?;
            restrict(&dir, 0o2770);
        }
        Ok(ws)
    }

    fn folders(&self) -> Vec<PathBuf> {
        let mut v = vec![
            self.root.clone(),
            self.inbox(),
            self.processed(),
            self.quarantine(),
            self.reports(),
        ];
        v.extend(INBOX_FOLDERS.iter().map(|(d, _)| self.inbox().join(d)));
        v
    }

    /// The workspace folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `mcu.db`.
    pub fn db_path(&self) -> PathBuf {
        self.root.join("mcu.db")
    }

    /// Where export files are dropped to be imported.
    pub fn inbox(&self) -> PathBuf {
        self.root.join("inbox")
    }

    /// Where imported files are kept, by date.
    pub fn processed(&self) -> PathBuf {
        self.root.join("processed")
    }

    /// Where unreadable files and bad rows go, with the reasons.
    pub fn quarantine(&self) -> PathBuf {
        self.root.join("quarantine")
    }

    /// Where reports are written.
    pub fn reports(&self) -> PathBuf {
        self.root.join("reports")
    }

    /// The channel implied by the inbox sub-folder a file sits in, if any.
    pub fn channel_of_inbox_file(&self, path: &Path) -> Option<Channel> {
        let parent = path.parent()?;
        if parent.parent()? != self.inbox() {
            return None;
        }
        let name = parent.file_name()?.to_str()?;
        INBOX_FOLDERS
            .iter()
            .find(|(d, _)| *d == name)
            .map(|(_, c)| *c)
            .or_else(|| name.parse().ok())
    }

    /// The reference data in force here: shipped defaults plus this workspace's overrides.
    pub fn reference(&self) -> Result<Reference, WorkspaceError> {
        Ok(Reference::load(Some(&self.root))?)
    }

    /// Opens the database (creating and migrating it as needed). A new database file is made
    /// readable and writable by the owner and the group only.
    pub fn store(&self) -> Result<Store, WorkspaceError> {
        let reference = Arc::new(self.reference()?);
        let path = self.db_path();
        let new = !path.exists();
        let store = Store::open(&path, reference)?;
        if new {
            restrict(&path, 0o660);
        }
        Ok(store)
    }
}

/// Owner and group only (officers share one group; see README): the workspace holds citizens'
/// personal data. Best effort: a file system without modes keeps its own.
fn restrict(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

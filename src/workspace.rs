//! The workspace folder: `mcu.db`, `inbox/` (with a sub-folder per channel), `processed/`,
//! `quarantine/`, `reports/`, and the optional overrides of reference data (see `reference`).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::domain::Channel;
use crate::reference::{Reference, ReferenceError};
use crate::store::{Location, Store, StoreError};

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
    #[error(
        "workspace {path}: no such folder (a typo?); create one with: mcu --workspace {path} init"
    )]
    Missing { path: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the database {target} holds many municipalities: name one with --municipality CODE, \
         MCU_MUNICIPALITY or `municipality` in [store] of config.toml"
    )]
    NoMunicipality { target: String },
    #[error(
        "--db {target}: not a PostgreSQL URL (postgres://user@host/db); the embedded SQLite \
             database is the workspace's mcu.db"
    )]
    BadUrl { target: String },
}

/// An opened workspace folder.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    /// A database named on the command line or in the environment (`--db`, `MCU_DB`), with the
    /// municipality (`--municipality`, `MCU_MUNICIPALITY`): before `[store]` of `config.toml`.
    database: Option<String>,
    municipality: Option<String>,
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

    /// Opens a workspace the officer named (`--workspace DIR` or `MCU_HOME`): the folder must
    /// exist — a typo must not silently become a new, empty workspace. Only `mcu init` (and the
    /// demo) create one; inside an existing folder the sub-folders are still made as needed.
    pub fn open_existing(root: &Path) -> Result<Self, WorkspaceError> {
        if !root.is_dir() {
            return Err(WorkspaceError::Missing {
                path: root.display().to_string(),
            });
        }
        Self::open(root)
    }

    /// Opens a workspace, creating its folders (and, on first use, its database) if missing.
    pub fn open(root: &Path) -> Result<Self, WorkspaceError> {
        let ws = Self {
            root: root.to_path_buf(),
            database: None,
            municipality: None,
        };
        for dir in ws.folders() {
            if dir.is_dir() {
                continue;
            }
            create_dir(&dir).map_err(|source| WorkspaceError::Io {
                path: dir.display().to_string(),
                source,
            })?;
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

    /// Uses the database `url` (a PostgreSQL URL) and the `municipality` in it instead of what
    /// `config.toml` says (the command line's `--db` and `--municipality`).
    pub fn with_database(mut self, url: Option<String>, municipality: Option<String>) -> Self {
        self.database = url.filter(|u| !u.is_empty()).or(self.database);
        self.municipality = municipality.filter(|m| !m.is_empty()).or(self.municipality);
        self
    }

    /// Where the data lives: a PostgreSQL database when one is named (`--db`, `MCU_DB`, `[store]
    /// url`), else the workspace's `mcu.db`.
    pub fn location(&self) -> Result<Location, WorkspaceError> {
        self.location_in(&self.reference()?.settings.store)
    }

    /// [`Workspace::location`] with the workspace's `[store]` settings already read.
    fn location_in(
        &self,
        settings: &crate::reference::StoreSettings,
    ) -> Result<Location, WorkspaceError> {
        let url = self.database.clone().or_else(|| settings.url.clone());
        let Some(url) = url else {
            return Ok(Location::File(self.db_path()));
        };
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(WorkspaceError::BadUrl {
                target: crate::store::db::pg::redacted_target(&url),
            });
        }
        let municipality = self
            .municipality
            .clone()
            .or_else(|| settings.municipality.clone());
        match municipality {
            Some(municipality) => Ok(Location::Postgres { url, municipality }),
            None => Err(WorkspaceError::NoMunicipality {
                target: crate::store::db::pg::redacted_target(&url),
            }),
        }
    }

    /// The PostgreSQL database this workspace names (`--db`, `MCU_DB`, `[store] url`), if any,
    /// whatever the municipality: what the region's commands open (`mcu region`).
    pub fn database_url(
        &self,
        settings: &crate::reference::StoreSettings,
    ) -> Result<Option<String>, WorkspaceError> {
        match self.location_in(settings) {
            Ok(Location::Postgres { url, .. }) => Ok(Some(url)),
            Ok(Location::File(_)) => Ok(None),
            Err(WorkspaceError::NoMunicipality { .. }) => {
                Ok(self.database.clone().or_else(|| settings.url.clone()))
            }
            Err(e) => Err(e),
        }
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
    /// readable and writable by the owner and the group only ([`FILE_MODE`]).
    pub fn store(&self) -> Result<Store, WorkspaceError> {
        let reference = Arc::new(self.reference()?);
        let path = match self.location_in(&reference.settings.store)? {
            Location::File(p) => p,
            pg => return Ok(Store::open_at(&pg, reference)?),
        };
        if !path.exists() {
            // Made empty with its mode first: SQLite gives the `-wal` and `-shm` files it makes
            // beside the database the database's own mode.
            use std::os::unix::fs::OpenOptionsExt;
            let made = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(FILE_MODE)
                .open(&path);
            if made.is_ok() {
                protect(&path);
            }
        }
        Ok(Store::open(&path, reference)?)
    }
}

/// The mode of every folder mcu makes: `rwxrws---` — owner and group only (officers share one
/// group; see README), setgid so that what is made inside keeps the group.
pub const DIR_MODE: u32 = 0o2770;
/// The mode of every file mcu makes: `rw-rw----` — owner and group only: the workspace holds
/// citizens' personal data, and another officer's mcu must be able to move, rewrite and remove it.
pub const FILE_MODE: u32 = 0o660;
/// The modes of an officer's own folders and files outside the workspace (the log's folder and
/// the log, saved views in `~/.config/mcu`): `rwx------` and `rw-------`.
pub const PRIVATE_DIR_MODE: u32 = 0o700;
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates a folder and its missing parents, each with [`DIR_MODE`] whatever the umask. Folders
/// that already exist are left as they are (they may be another officer's).
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    create_dir_with(path, DIR_MODE)
}

/// [`create_dir`] for an officer's own folders: [`PRIVATE_DIR_MODE`].
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    create_dir_with(path, PRIVATE_DIR_MODE)
}

fn create_dir_with(path: &Path, mode: u32) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut p = path;
    while !p.as_os_str().is_empty() && !p.is_dir() {
        missing.push(p);
        match p.parent() {
            Some(parent) => p = parent,
            None => break,
        }
    }
    for dir in missing.into_iter().rev() {
        match fs::create_dir(dir) {
            Ok(()) => set_mode(dir, mode),
            // Made meanwhile by another process: theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Creates (or truncates) a file for writing, with [`FILE_MODE`] whatever the umask.
pub fn create_file(path: &Path) -> std::io::Result<fs::File> {
    create_file_with(path, FILE_MODE)
}

fn create_file_with(path: &Path, mode: u32) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)?;
    // Through the open file, and only a regular one: `-o /dev/stdout` must not change a
    // terminal's mode.
    if file.metadata().is_ok_and(|m| m.is_file()) {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(fs::Permissions::from_mode(mode));
    }
    Ok(file)
}

/// Writes a whole file, with [`FILE_MODE`] whatever the umask.
pub fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = create_file(path)?;
    f.write_all(bytes.as_ref())
}

/// [`write_file`] for an officer's own files: [`PRIVATE_FILE_MODE`].
pub fn write_private_file(path: &Path, bytes: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = create_file_with(path, PRIVATE_FILE_MODE)?;
    f.write_all(bytes.as_ref())
}

/// Gives a file mcu made (or moved into a workspace folder) [`FILE_MODE`]: the umask, or the
/// mode a copied or renamed file brought along, does not decide who may read citizens' data.
pub fn protect(path: &Path) {
    protect_with(path, FILE_MODE);
}

/// [`protect`] for an officer's own files: [`PRIVATE_FILE_MODE`].
pub fn protect_private(path: &Path) {
    protect_with(path, PRIVATE_FILE_MODE);
}

fn protect_with(path: &Path, mode: u32) {
    // A regular file only: never through a symbolic link, never a device.
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        set_mode(path, mode);
    }
}

/// Dates a file mcu put in `quarantine/` by the import that put it there (a moved file keeps the
/// time its source wrote it), so that the retention counts from then (`ingest::retention`).
/// Best effort, like the modes.
pub fn stamp(path: &Path, at: chrono::DateTime<chrono::Utc>) {
    let _ = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(at.into()));
}

/// Best effort: a file system without modes keeps its own, and a file another officer owns can
/// only be changed by them (it was made with these modes by their mcu).
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn made_folders_and_files_get_the_modes_and_existing_ones_are_left() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("existing");
        fs::create_dir(&existing).unwrap();
        fs::set_permissions(&existing, fs::Permissions::from_mode(0o750)).unwrap();
        let deep = existing.join("a/b");
        create_dir(&deep).unwrap();
        assert_eq!(mode(&existing), 0o750);
        assert_eq!(mode(&existing.join("a")), DIR_MODE);
        assert_eq!(mode(&deep), DIR_MODE);
        create_dir(&deep).unwrap();

        let f = deep.join("f.csv");
        write_file(&f, "x").unwrap();
        assert_eq!(mode(&f), FILE_MODE);
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        protect(&f);
        assert_eq!(mode(&f), FILE_MODE);
    }

    #[test]
    fn protect_leaves_links_and_their_targets_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, "x").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o604)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        protect(&link);
        assert_eq!(mode(&target), 0o604);
    }
}

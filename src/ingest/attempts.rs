//! Attempt markers: an inbox file whose imports keep dying with the importer (out of memory, a
//! defect, a kill) is put in quarantine instead of killing it forever. A marker is written before
//! an import and removed once it commits or ends; a file found with [`MAX_INTERRUPTED`] unfinished
//! attempts is not tried again.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::pipeline::PipelineError;
use crate::workspace::Workspace;

/// How many interrupted imports of one inbox file are tolerated: a healthy file whose import was
/// killed once (a restart, a power cut) is imported whole on the next run; a file that took the
/// importer down twice is put in quarantine rather than kill it forever.
pub const MAX_INTERRUPTED: u32 = 2;

/// The marker of imports of one inbox file that were started and have not ended:
/// `.import-attempts/<hash of its path in the inbox>` in the workspace, holding the count and the
/// file's size and modification time (a file replaced by another starts again from zero).
pub(super) struct Attempts {
    marker: PathBuf,
    /// Size and modification time of the file now, as written in the marker.
    stamp: String,
}

impl Attempts {
    pub(super) fn of(ws: &Workspace, path: &Path) -> Self {
        // Keyed by the path inside the inbox: the same however the workspace was named.
        let inbox = ws.inbox();
        let key_path = path.strip_prefix(&inbox).unwrap_or(path);
        let digest = Sha256::digest(key_path.as_os_str().as_encoded_bytes());
        let key: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        let stamp = fs::metadata(path)
            .map(|m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("size: {}\nmodified: {modified}", m.len())
            })
            .unwrap_or_default();
        Self {
            marker: ws.root().join(".import-attempts").join(key),
            stamp,
        }
    }

    /// Imports of this very file that were started and never ended.
    pub(super) fn unfinished(&self) -> u32 {
        let Ok(text) = fs::read_to_string(&self.marker) else {
            return 0;
        };
        let Some((count, stamp)) = text.split_once('\n') else {
            return 0;
        };
        if stamp.trim_end() != self.stamp {
            return 0;
        }
        count
            .strip_prefix("attempts: ")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// Records that attempt number `n` starts now. The marker is not synced: it is there for a
    /// process that dies, and a power cut costs at most one more attempt.
    pub(super) fn start(&self, n: u32) -> Result<(), PipelineError> {
        if let Some(dir) = self.marker.parent() {
            crate::workspace::create_dir(dir).map_err(|source| io_error(dir, source))?;
        }
        crate::workspace::write_file(&self.marker, format!("attempts: {n}\n{}\n", self.stamp))
            .map_err(|source| io_error(&self.marker, source))
    }

    pub(super) fn clear(&self) {
        let _ = fs::remove_file(&self.marker);
    }
}

fn io_error(path: &Path, source: std::io::Error) -> PipelineError {
    PipelineError::Io {
        path: path.display().to_string(),
        source,
    }
}

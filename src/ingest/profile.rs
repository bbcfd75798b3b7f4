//! Import profiles: which file headers mean which canonical field. (Stub: being filled in.)

/// Header aliases in force (shipped `data/import_profiles.toml` plus the workspace's additions).
#[derive(Debug, Clone, Default)]
pub struct ImportProfiles {}

// --- temporary integration stubs (replaced by the ingest branch) ---
/// Embedded.
pub const EMBEDDED: &str = "";
impl ImportProfiles {
    /// Parse.
    pub fn from_toml(_s: &str) -> Result<Self, super::FileError> {
        Ok(Self {})
    }
    /// Extend.
    pub fn extend(&mut self, _o: ImportProfiles) {}
}

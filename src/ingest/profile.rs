//! Import profiles: which file headers mean which canonical field. (Stub: being filled in.)

/// Header aliases in force (shipped `data/import_profiles.toml` plus the workspace's additions).
#[derive(Debug, Clone, Default)]
pub struct ImportProfiles {}

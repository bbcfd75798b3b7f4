//! Mapping a raw row onto an `IncomingAppeal`. (Stub: being filled in.)

use chrono_tz::Tz;

use super::{ImportProfiles, IncomingAppeal, RawRow, RowError};
use crate::domain::Blocks;

/// Maps raw rows to canonical appeals using the profiles, the blocks in force and the zone.
pub struct Mapper<'a> {
    pub profiles: &'a ImportProfiles,
    pub blocks: &'a Blocks,
    pub tz: Tz,
}

impl Mapper<'_> {
    /// Maps one row; every problem found in it is reported, not just the first.
    pub fn map(&self, _row: &RawRow) -> Result<IncomingAppeal, Vec<RowError>> {
        Err(vec![])
    }
}

// --- temporary integration stubs (replaced by the ingest branch) ---
impl<'a> Mapper<'a> {
    /// New.
    pub fn new(profiles: &'a ImportProfiles, blocks: &'a Blocks, tz: Tz) -> Self {
        Self {
            profiles,
            blocks,
            tz,
        }
    }
    /// Check.
    pub fn check_headers(&self, _h: &[String]) -> Result<(), super::FileError> {
        Ok(())
    }
    /// Unknown.
    pub fn unknown_headers(&self, _h: &[String]) -> Vec<String> {
        vec![]
    }
}

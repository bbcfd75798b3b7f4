//! Parsing of cell values: dates, booleans, status and channel words. (Stub: being filled in.)

// --- temporary integration stubs (replaced by the ingest branch) ---
/// Parse.
pub fn parse_datetime(
    s: &str,
    _tz: chrono_tz::Tz,
) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.to_utc())
        .map_err(|e| e.to_string())
}

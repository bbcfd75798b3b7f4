//! The workspace folder: database, inbox, processed, quarantine, reports.

//! The SQLite store: the only module that speaks SQL.

//! The live console (ratatui): three panels, detail, keyboard triage, background import.

pub mod app;
pub mod incoming;
pub mod popup;
pub mod theme;
pub mod view;

//! The live console (ratatui): three panels, detail, keyboard triage, background import.
//!
//! Keys become named actions through `keymap` (the shipped `keymap.toml` layered with the user's);
//! `app` turns actions into state changes and audited store updates; `view` draws the state; `run`
//! owns the terminal and the event loop.

pub mod alerts;
pub mod ansi16;
pub mod app;
pub mod commands;
pub mod console;
pub mod incoming;
pub mod keymap;
pub mod links;
pub mod messages;
pub mod popup;
pub mod presence;
pub mod run;
pub mod screens;
pub mod theme;
pub mod view;
pub mod views;
pub mod writes;

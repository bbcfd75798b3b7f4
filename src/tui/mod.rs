//! The console (ratatui): app state, panels, theme — and, so far, the key-binding layer.
//!
//! Only the keymap exists yet: pure logic that turns terminal key events into named actions, with no
//! drawing. Panels receive those actions; the help screen and the hint bar are built from the same
//! bindings, so what they show is what the keys do.

pub mod keymap;

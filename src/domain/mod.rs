//! Pure domain rules and types: no I/O, no SQL, no terminal.

pub mod access;
pub mod answers;
pub mod appeal;
pub mod block;
pub mod calendar;
pub mod channel;
pub mod csv_cell;
pub mod pages;
pub mod pii;
pub mod ranking;
pub mod retention;
pub mod roadmap;
pub mod sla;
pub mod status;
pub mod targets;
pub mod templates;
pub mod text;
pub mod triage;
pub mod votes;
pub mod wording;

pub use appeal::{Appeal, Deadlines, Quality};
pub use block::{Block, Blocks};
pub use calendar::WorkCalendar;
pub use channel::Channel;
pub use sla::{Sla, SlaInput};
pub use status::Status;

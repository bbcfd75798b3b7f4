//! Reports people read (DESIGN.md §11): the analytical note for the head (HTML with inline SVG
//! charts, DOCX, Markdown) and the materials for the regional ЦУР (an XLSX workbook or CSV
//! files). Figures come from the analytics library, never from SQL of the report's own.

pub mod charts;
pub mod cur;
pub mod make;
pub mod note;
pub mod period;
pub mod registers;
pub mod render;
pub mod rules;

pub use note::{Note, compute};
pub use period::Preset;

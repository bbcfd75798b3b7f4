//! Colours and borders. The default palette uses the 16 ANSI colours every SSH client has;
//! `NO_COLOR` drops colour but keeps the selection visible (reverse video); an ASCII border set is
//! there for terminals that draw box characters wide.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// The look of the console.
#[derive(Debug, Clone)]
pub struct Theme {
    color: bool,
    /// Borders drawn with `+-|` instead of box-drawing characters.
    pub ascii: bool,
}

impl Theme {
    /// The theme for this terminal: no colour when `NO_COLOR` is set (any value), ASCII borders
    /// when asked.
    pub fn detect(ascii: bool) -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            ascii,
        }
    }

    /// A theme with explicit settings (tests).
    pub fn new(color: bool, ascii: bool) -> Self {
        Self { color, ascii }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The border set.
    pub fn border(&self) -> border::Set<'static> {
        if self.ascii {
            border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            }
        } else {
            border::PLAIN
        }
    }

    /// The border of the focused panel.
    pub fn focused_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The border of other panels.
    pub fn border_style(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// Panel titles.
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Column headers.
    pub fn header(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The selected row: reverse video works with and without colour.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// A marked row (several appeals chosen for one action).
    pub fn marked(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// Plenty of time left.
    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    /// Due within a working day.
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Overdue.
    pub fn bad(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// A new urgent appeal that came in while the console was open (until it is opened).
    pub fn alert(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }

    /// Secondary text.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// Key names in the hint bar and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The status line.
    pub fn status(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Gray)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A flash message.
    pub fn flash(&self, error: bool) -> Style {
        if error { self.bad() } else { self.ok() }
    }
}

//! The console without a terminal: key events in, frames out. The event loop (`run`) feeds it
//! real keys and draws into the real terminal; tests feed it keys and draw into a `TestBackend`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;

use super::app::App;
use super::keymap::{Context, Key, Keymap, Resolution, Resolver};
use super::popup::Popup;
use super::view::{self, Hints};
use crate::store::StoreError;

/// The app with its key bindings.
pub struct Console {
    pub app: App,
    pub keymap: Keymap,
    resolver: Resolver,
    /// The bindings before the read-only filter: a key found only there is an action this
    /// operator may not take, and is told so.
    withheld: Option<Keymap>,
}

impl Console {
    /// A console over an app, with the bindings in force (already filtered for the role).
    pub fn new(app: App, keymap: Keymap) -> Self {
        let resolver = keymap.resolver(Context::List);
        Self {
            app,
            keymap,
            resolver,
            withheld: None,
        }
    }

    /// Read-only: `full` holds the bindings the filter took away, so that their keys get «only
    /// viewing» instead of «does nothing».
    pub fn withholding(mut self, full: Keymap) -> Self {
        self.withheld = Some(full);
        self
    }

    /// Which keymap section applies now.
    pub fn context(&self) -> Context {
        self.app.context()
    }

    /// Handles one terminal key event.
    pub fn key(&mut self, event: KeyEvent) -> Result<(), StoreError> {
        let ctx = self.context();
        if self.resolver.context() != ctx {
            self.resolver = self.keymap.resolver(ctx);
        }
        let resolution = self.resolver.feed(event);
        // A chord's continuations stay in the hint bar only while the chord is unfinished.
        if self.app.env.chord.take().is_some() {
            self.app.env.dirty = true;
        }
        match resolution {
            Resolution::Ignored => {}
            Resolution::Pending(c) => {
                let keys: Vec<String> = c
                    .iter()
                    .take(6)
                    .map(|c| format!("{} — {}", super::keymap::chord_label(&c.on), c.desc))
                    .collect();
                self.app.env.chord = Some(keys.join(" · "));
                self.app.env.dirty = true;
            }
            Resolution::Action(a) => self.app.perform(&a)?,
            Resolution::Text(c) => self.text(c),
            Resolution::Unbound(k) => self.unbound(k, ctx),
        }
        Ok(())
    }

    fn text(&mut self, c: char) {
        match &mut self.app.env.popup {
            Some(Popup::Input(i)) => i.insert(c),
            Some(Popup::Chooser(ch)) => ch.type_char(c),
            _ => {}
        }
        self.app.env.dirty = true;
    }

    /// Editing keys of inputs and choosers are not actions; anything else unbound is reported.
    fn unbound(&mut self, k: Key, ctx: Context) {
        let env = &mut self.app.env;
        env.dirty = true;
        match &mut env.popup {
            Some(Popup::Input(i)) => match k.code() {
                KeyCode::Backspace => i.backspace(),
                KeyCode::Delete => i.delete(),
                KeyCode::Left => i.move_cursor(-1),
                KeyCode::Right => i.move_cursor(1),
                KeyCode::Home => i.home_end(false),
                KeyCode::End => i.home_end(true),
                KeyCode::Char(c) if !k.modifiers().contains(KeyModifiers::CONTROL) => i.insert(c),
                _ => {}
            },
            Some(Popup::Chooser(ch)) => {
                if k.code() == KeyCode::Backspace {
                    ch.backspace();
                }
            }
            _ => {
                let help = self
                    .keymap
                    .keys_for(ctx, &super::keymap::Action::Help)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "?".into());
                let withheld = self.withheld.as_ref().is_some_and(|full| {
                    matches!(
                        full.resolver(ctx)
                            .feed(KeyEvent::new(k.code(), k.modifiers())),
                        Resolution::Action(_) | Resolution::Pending(_)
                    )
                });
                let text = if withheld {
                    format!("Только просмотр: клавиша {} вам недоступна", k.label())
                } else {
                    format!(
                        "Клавиша {} здесь ничего не делает ({help} — справка)",
                        k.label()
                    )
                };
                env.say(text, true);
            }
        }
    }

    /// Pasted text goes into the open input.
    pub fn paste(&mut self, s: &str) {
        if let Some(Popup::Input(i)) = &mut self.app.env.popup {
            i.insert_str(s);
            self.app.env.dirty = true;
        }
    }

    /// The hint bar and help for the current screen, from the bindings in force.
    pub fn hints(&self, width: usize) -> Hints {
        let ctx = self.context();
        let top = self.app.top();
        let (screen, title) = (top.context(), top.help_title());
        // The screen's own section only with what the screen does (`Screen::offers`); the
        // inherited keys and the pop-ups' sections whole.
        let help = |c: Context| {
            let mut h = self.keymap.help(c);
            if c == screen {
                h.retain(|e| e.context != screen || top.offers(&e.action));
            }
            h
        };
        let bar = self
            .keymap
            .hints_of(help(ctx), ctx, width)
            .into_iter()
            .map(|h| (h.key, h.label))
            .collect();
        let section = |c: Context, title: &str| {
            (
                title.to_string(),
                help(c)
                    .into_iter()
                    .map(|e| (e.keys.join(", "), e.desc))
                    .collect::<Vec<_>>(),
            )
        };
        let mut help = vec![section(screen, title)];
        let commands = top.commands();
        if !commands.is_empty() {
            help.push(("Команды (:)".to_string(), super::commands::help(commands)));
        }
        help.extend([
            section(Context::Chooser, "Выбор из списка"),
            section(Context::Input, "Ввод текста"),
            section(Context::Confirm, "Подтверждение"),
        ]);
        Hints { bar, help }
    }

    /// Draws a frame.
    pub fn draw(&mut self, f: &mut Frame) {
        let hints = self.hints(f.area().width as usize);
        view::draw(f, &mut self.app, &hints);
        // The web addresses on the frame become links the terminal opens (tui::links).
        let known: Vec<String> = self
            .app
            .top()
            .current()
            .and_then(|a| a.url.clone())
            .into_iter()
            .collect();
        let links = super::links::hyperlinks(f.buffer_mut(), &known);
        self.app.env.output.extend(links);
        self.app.env.dirty = false;
        self.app.env.drawn_at = self.app.now();
    }
}

/// The bindings an operator gets: without any action that changes data when their roles allow
/// none (or the console is opened read-only), and without grading and rating for those who may
/// not grade answers — those keys vanish from help and hints too.
pub fn bindings_for(
    keymap: Keymap,
    grants: &crate::domain::access::Grants,
    read_only: bool,
) -> Keymap {
    let keymap = if read_only || !grants.may_change_any() {
        keymap.without_dangerous()
    } else {
        keymap
    };
    if grants.may_some(crate::domain::access::Action::Grade) {
        keymap
    } else {
        keymap.filter(|b| !matches!(b.run.name(), "grade" | "rate"))
    }
}

/// A key event as a terminal sends it, for tests and for the simulator.
pub fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

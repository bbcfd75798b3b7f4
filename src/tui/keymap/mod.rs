//! Key bindings: which key runs which named action in which context of the console.
//!
//! The defaults live in `keymap.toml` at the top of the repository (embedded in the binary; that
//! file is also the documentation of every default key). A user's `~/.config/mcu/keymap.toml`
//! layers over them, section by section (see [`Keymap::load`]): `prepend_keymap` before the
//! defaults, plain `keymap` replacing the defaults on the same keys in place, `append_keymap` after
//! them; `run = "noop"` disables a key. Keys become actions through a
//! [`Resolver`] per context; the help screen and the hint bar come from [`Keymap::help`] and
//! [`Keymap::hints`], built from the bindings in force, so they cannot drift from what keys do.
//!
//! Policy:
//! - an invalid file (malformed TOML, unknown section, bad key, unknown action, bad argument, a
//!   chord that starts with or contains `<Esc>`, an action not available in that section) is
//!   refused with the file, line and reason of every mistake;
//! - conflicts are *warnings* returned with the keymap ([`Keymap::warnings`]): the console still
//!   starts, and the binding listed first wins. They are checked inside one file's section (the
//!   same keys bound to two actions; a key bound on its own that also starts a chord, like `g` and
//!   `g g`) and for `append_keymap` entries hidden by a binding of higher priority. A user's
//!   `prepend_keymap` and `keymap` overriding a default is not a conflict: it is what they are for.
//! - `[list]`, `[detail]` and `[help]` also use `[global]` for the keys they do not bind
//!   themselves; the popups `[chooser]`, `[input]` and `[confirm]` see only their own keys.

mod action;
mod key;
mod layers;
mod layout;
mod resolve;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use unicode_width::UnicodeWidthStr;

pub use action::{Action, ActionError, ActionSpec, ArgKind, ArgSpec, CATALOGUE, FilterKind, Step};
pub use key::{Key, KeyError, chord_label, chord_notation};
pub use layout::{qwerty_char, to_qwerty};
pub use resolve::{Candidate, Resolution, Resolver};

/// The default key bindings (`keymap.toml`), embedded in the binary.
pub const DEFAULT_KEYMAP: &str = include_str!("../../../keymap.toml");

/// How errors and warnings name the embedded defaults.
pub const DEFAULT_KEYMAP_NAME: &str = "keymap.toml (built-in)";

/// A context of the console: a section of the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Keys for every screen (`[list]`, `[detail]`, `[help]`) that does not bind them itself.
    Global,
    /// The main screen's focused panel: a list of appeals (or blocks, or recipients).
    List,
    /// One appeal.
    Detail,
    /// A pick-one popup (block, recipient, status…); typing filters it.
    Chooser,
    /// A text input (search, command line, answer, note): unbound printable keys are text.
    Input,
    /// The help screen.
    Help,
    /// A yes/no question before a dangerous action.
    Confirm,
    /// A register's screen: the list of its entries, or one entry (roadmaps, official pages,
    /// votes, answer templates).
    Register,
}

impl Context {
    /// Every context, in the order of the keymap file.
    pub const ALL: [Context; 8] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Register,
        Context::Chooser,
        Context::Input,
        Context::Help,
        Context::Confirm,
    ];

    /// The section name (`global`, `list`…).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Chooser => "chooser",
            Context::Input => "input",
            Context::Help => "help",
            Context::Confirm => "confirm",
            Context::Register => "register",
        }
    }

    /// Whether keys this context leaves free fall through to `[global]` (screens do, popups don't).
    pub fn inherits_global(self) -> bool {
        matches!(
            self,
            Context::List | Context::Detail | Context::Register | Context::Help
        )
    }

    /// Whether unbound printable keys are text typed into the context (and never layout-remapped).
    pub fn is_text(self) -> bool {
        matches!(self, Context::Chooser | Context::Input)
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Context {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Context::ALL.into_iter().find(|c| c.name() == s).ok_or(())
    }
}

/// Where a binding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// The shipped `keymap.toml`.
    Default,
    /// The user's `prepend_keymap`: before the defaults.
    Prepend,
    /// The user's `keymap`: replaces the defaults on the same keys.
    Keymap,
    /// The user's `append_keymap`: after the defaults.
    Append,
}

/// One key (or chord) bound to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The key, or the keys of a chord.
    pub on: Vec<Key>,
    /// The action it runs.
    pub run: Action,
    /// What help shows (Russian); the catalogue's description when the file gives none.
    pub desc: String,
    /// The section it was written in (`Global` for bindings a screen inherits).
    pub context: Context,
    /// Which file and list it came from.
    pub layer: Layer,
    /// Its line in that file.
    pub line: usize,
}

/// A mistake in a keymap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as shown to the user (`~/.config/mcu/keymap.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong, and what to write instead when that is known.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Why a keymap could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The user's file exists but cannot be read.
    #[error("{path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is invalid; every mistake found, one per line of the message.
    #[error("{}", join_lines(.problems))]
    Invalid { problems: Vec<Problem> },
}

fn join_lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Two bindings that cannot both work. The one listed first wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The file of the binding that loses.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// Its section.
    pub context: Context,
    /// What clashes.
    pub kind: ConflictKind,
}

/// The kinds of conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictKind {
    /// The same keys bound again in one section, to another action.
    Duplicate {
        keys: Vec<Key>,
        first: Action,
        first_line: usize,
        second: Action,
    },
    /// A key bound on its own that also starts a chord (`g` and `g g`), in one section.
    Prefix {
        keys: Vec<Key>,
        first: Vec<Key>,
        first_line: usize,
    },
    /// An `append_keymap` binding hidden by a binding with higher priority.
    Shadowed {
        keys: Vec<Key>,
        by: Vec<Key>,
        by_action: Action,
    },
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: [{}] ", self.file, self.line, self.context)?;
        match &self.kind {
            ConflictKind::Duplicate {
                keys,
                first,
                first_line,
                second,
            } => write!(
                f,
                "«{}» is already bound to «{first}» (line {first_line}), so «{second}» is ignored",
                chord_notation(keys)
            ),
            ConflictKind::Prefix {
                keys,
                first,
                first_line,
            } => write!(
                f,
                "«{}» clashes with «{}» (line {first_line}): a key cannot both run an action and start a chord, so «{}» is ignored",
                chord_notation(keys),
                chord_notation(first),
                chord_notation(keys)
            ),
            ConflictKind::Shadowed {
                keys,
                by,
                by_action,
            } => write!(
                f,
                "«{}» in append_keymap is hidden by «{}» → «{by_action}», so it is ignored (use keymap or prepend_keymap to override)",
                chord_notation(keys),
                chord_notation(by)
            ),
        }
    }
}

/// One line of the help screen: an action and every key that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    /// The keys, as shown (`g g`, `Home`, `Ctrl-s`).
    pub keys: Vec<String>,
    /// The action (of the first key, when several keys of one action share a description).
    pub action: Action,
    /// The Russian description.
    pub desc: String,
    /// Where the first key is bound (`Global` for inherited keys).
    pub context: Context,
}

/// One item of the bottom hint bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The key, as shown.
    pub key: String,
    /// The short Russian label.
    pub label: String,
}

impl Hint {
    /// Display width of `key label`.
    pub fn width(&self) -> usize {
        self.key.width() + 1 + self.label.width()
    }
}

/// Columns between two hints in the bar.
pub const HINT_GAP: usize = 2;

/// The bindings in force, per context.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// Each section after layering, in priority order (clashing bindings not yet dropped).
    layered: BTreeMap<Context, Vec<Binding>>,
    /// What can fire in each context: clashes dropped, `[global]` merged into screens.
    effective: BTreeMap<Context, Arc<[Binding]>>,
    warnings: Vec<Conflict>,
}

impl Keymap {
    /// The defaults, with the user's file layered over them when it is given and exists (a missing
    /// file is not an error: most users have none). Pass [`Keymap::user_file`] for the usual place.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let Some(path) = user_file else {
            return Self::builtin();
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::with_user(&display_path(path), &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::builtin(),
            Err(source) => Err(KeymapError::Read {
                path: display_path(path),
                source,
            }),
        }
    }

    /// The shipped defaults alone.
    pub fn builtin() -> Result<Keymap, KeymapError> {
        Self::build(None)
    }

    /// The defaults with a user's file given as text; `file` names it in messages.
    pub fn with_user(file: &str, text: &str) -> Result<Keymap, KeymapError> {
        Self::build(Some((file, text)))
    }

    /// Where a user's own keymap lives: `~/.config/mcu/keymap.toml` on Linux.
    pub fn user_file() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "mcu").map(|d| d.config_dir().join("keymap.toml"))
    }

    fn build(user: Option<(&str, &str)>) -> Result<Keymap, KeymapError> {
        let invalid = |problems| KeymapError::Invalid { problems };
        let defaults =
            layers::parse_file(DEFAULT_KEYMAP_NAME, DEFAULT_KEYMAP, false).map_err(invalid)?;
        let user = match user {
            Some((file, text)) => {
                Some((file, layers::parse_file(file, text, true).map_err(invalid)?))
            }
            None => None,
        };
        let mut warnings = vec![];
        let mut layered = BTreeMap::new();
        for context in Context::ALL {
            let default = defaults.sections.get(&context).cloned().unwrap_or_default();
            layers::check_section(DEFAULT_KEYMAP_NAME, context, default.all(), &mut warnings);
            let default: Vec<Binding> = default.all().cloned().collect();
            let list = match &user {
                Some((file, user)) => {
                    let lists = user.sections.get(&context).cloned().unwrap_or_default();
                    layers::check_section(file, context, lists.all(), &mut warnings);
                    layers::layer(file, context, default, lists, &mut warnings)
                }
                None => default,
            };
            layered.insert(context, list);
        }
        Ok(Self::from_layered(layered, warnings))
    }

    fn from_layered(layered: BTreeMap<Context, Vec<Binding>>, warnings: Vec<Conflict>) -> Keymap {
        let own: BTreeMap<Context, Vec<Binding>> = layered
            .iter()
            .map(|(c, list)| (*c, layers::effective(list.iter())))
            .collect();
        let global = own.get(&Context::Global).cloned().unwrap_or_default();
        let effective = Context::ALL
            .into_iter()
            .map(|context| {
                let mut list = own.get(&context).cloned().unwrap_or_default();
                if context.inherits_global() {
                    let inherited: Vec<Binding> = global
                        .iter()
                        .filter(|g| !list.iter().any(|b| layers::clash(&b.on, &g.on)))
                        .cloned()
                        .collect();
                    list.extend(inherited);
                }
                (context, Arc::from(list))
            })
            .collect();
        Keymap {
            layered,
            effective,
            warnings,
        }
    }

    /// Conflicts found while loading (see the module doc); show them, the keymap works anyway.
    pub fn warnings(&self) -> &[Conflict] {
        &self.warnings
    }

    /// The bindings that can fire in a context, in priority order (inherited `[global]` keys last).
    pub fn bindings(&self, context: Context) -> &[Binding] {
        self.effective.get(&context).map_or(&[], |b| b)
    }

    /// A keymap keeping only the bindings `keep` accepts; keys this frees fall back to what they
    /// would do without the dropped bindings.
    pub fn filter(&self, keep: impl Fn(&Binding) -> bool) -> Keymap {
        let layered = self
            .layered
            .iter()
            .map(|(c, list)| (*c, list.iter().filter(|b| keep(b)).cloned().collect()))
            .collect();
        Self::from_layered(layered, self.warnings.clone())
    }

    /// The keymap of a read-only role: every action that changes data is gone, from the keys, the
    /// help and the hints alike.
    pub fn without_dangerous(&self) -> Keymap {
        self.filter(|b| !b.run.is_dangerous())
    }

    /// A resolver for key events in a context.
    pub fn resolver(&self, context: Context) -> Resolver {
        Resolver::new(
            context,
            self.effective
                .get(&context)
                .cloned()
                .unwrap_or_else(|| Arc::from(Vec::new())),
        )
    }

    /// The keys (as shown) that run exactly this action in a context, e.g. for «нажмите ? для
    /// справки».
    pub fn keys_for(&self, context: Context, action: &Action) -> Vec<String> {
        self.bindings(context)
            .iter()
            .filter(|b| &b.run == action)
            .map(|b| chord_label(&b.on))
            .collect()
    }

    /// The help screen of a context: one entry per action, with all its keys, in the order of the
    /// bindings (inherited `[global]` keys last). Keys of one action merge; so do keys of one
    /// action name that share a description (`1`…`9` → `pick N`: «Выбрать пункт с этим номером»).
    /// Disabled (`noop`) keys are left out.
    pub fn help(&self, context: Context) -> Vec<HelpEntry> {
        let mut out: Vec<HelpEntry> = vec![];
        for b in self.bindings(context) {
            if b.run == Action::Noop {
                continue;
            }
            let label = chord_label(&b.on);
            match out.iter_mut().find(|e| {
                e.action == b.run || (e.action.name() == b.run.name() && e.desc == b.desc)
            }) {
                Some(e) => e.keys.push(label),
                None => out.push(HelpEntry {
                    keys: vec![label],
                    action: b.run.clone(),
                    desc: b.desc.clone(),
                    context: b.context,
                }),
            }
        }
        out
    }

    /// The bottom bar of a context: the most important actions first (by the catalogue's
    /// priority), each with its first key and short label, as many as fit in `width` columns with
    /// [`HINT_GAP`] between them. It stops at the first hint that does not fit, so a less important
    /// hint never shows while a more important one is missing.
    pub fn hints(&self, context: Context, width: usize) -> Vec<Hint> {
        self.hints_of(self.help(context), context, width)
    }

    /// [`Keymap::hints`] of the entries given (the help of a context, filtered by the screen).
    pub fn hints_of(&self, help: Vec<HelpEntry>, context: Context, width: usize) -> Vec<Hint> {
        let mut ranked: Vec<(u8, Hint)> = help
            .into_iter()
            .filter(|e| !e.action.has_argument())
            // On the main screen Esc only takes back marks and filters: not worth a hint.
            .filter(|e| !(context == Context::List && e.action == Action::Back))
            .filter_map(|e| {
                let spec = e.action.spec();
                let priority = spec.hint_priority?;
                let key = e.keys.first()?.clone();
                Some((
                    priority,
                    Hint {
                        key,
                        label: spec.hint.to_string(),
                    },
                ))
            })
            .collect();
        ranked.sort_by_key(|(p, _)| *p);
        let mut out = vec![];
        let mut used = 0;
        for (_, hint) in ranked {
            let need = hint.width() + if out.is_empty() { 0 } else { HINT_GAP };
            if used + need > width {
                break;
            }
            used += need;
            out.push(hint);
        }
        out
    }
}

/// A path as shown in messages: the home directory as `~`.
fn display_path(path: &Path) -> String {
    if let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

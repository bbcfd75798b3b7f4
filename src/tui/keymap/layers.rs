//! Reading keymap files (with the file, line and reason of every mistake), layering a user's file
//! over the defaults, and finding conflicts.
//!
//! Layering, per section: the user's `prepend_keymap` first, then the defaults — each default whose
//! keys clash with an entry of the user's plain `keymap` is replaced by that entry, in place — then
//! the user's `keymap` entries that replaced nothing, then the user's `append_keymap`. When two
//! bindings clash (same keys, or one's keys start the other's chord), the one listed first wins.

use std::collections::BTreeMap;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::action::{Action, ActionSpec};
use super::key::{Key, chord_notation};
use super::{Binding, Conflict, ConflictKind, Context, Layer, Problem};

/// The bindings of one file, by section and list.
#[derive(Debug, Default)]
pub(super) struct FileBindings {
    pub sections: BTreeMap<Context, Lists>,
}

/// One section's lists, in file order.
#[derive(Debug, Default, Clone)]
pub(super) struct Lists {
    pub prepend: Vec<Binding>,
    /// `Some` when the section has a plain `keymap` list (even an empty one).
    pub keymap: Option<Vec<Binding>>,
    pub append: Vec<Binding>,
}

impl Lists {
    /// Every binding of the section, in priority order (prepend, keymap, append).
    pub fn all(&self) -> impl Iterator<Item = &Binding> {
        self.prepend
            .iter()
            .chain(self.keymap.iter().flatten())
            .chain(&self.append)
    }
}

/// Whether two key sequences cannot both be bound: equal, or one starts the other.
pub(super) fn clash(a: &[Key], b: &[Key]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The 1-based line of a byte offset.
fn line_of(src: &str, offset: usize) -> usize {
    let end = offset.min(src.len());
    src.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

struct Reader<'a> {
    file: &'a str,
    src: &'a str,
    user: bool,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, span: std::ops::Range<usize>, reason: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            line: line_of(self.src, span.start),
            reason: reason.into(),
        });
    }
}

/// Parses one keymap file. `user` marks a user's file (its lists keep their layer); in the default
/// file every binding is [`Layer::Default`].
pub(super) fn parse_file(file: &str, src: &str, user: bool) -> Result<FileBindings, Vec<Problem>> {
    let mut r = Reader {
        file,
        src,
        user,
        problems: vec![],
    };
    let table = match DeTable::parse(src) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map_or(1, |s| line_of(src, s.start));
            let message = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(vec![Problem {
                file: file.to_string(),
                line,
                reason: format!("malformed TOML: {message}"),
            }]);
        }
    };

    let mut out = FileBindings::default();
    for (key, value) in table.get_ref().iter() {
        let name: &str = key.get_ref();
        let Ok(context) = name.parse::<Context>() else {
            let hint = super::action::suggest(name, Context::ALL.iter().map(|c| c.name()))
                .map(|n| format!(" (did you mean [{n}]?)"))
                .unwrap_or_default();
            r.problem(
                key.span(),
                format!(
                    "unknown section [{name}]{hint}; sections are: {}",
                    Context::ALL.map(Context::name).join(", ")
                ),
            );
            continue;
        };
        let DeValue::Table(section) = value.get_ref() else {
            r.problem(
                value.span(),
                format!("[{name}] must be a table holding keymap lists"),
            );
            continue;
        };
        let lists = out.sections.entry(context).or_default();
        for (list_key, list) in section.iter() {
            let list_name: &str = list_key.get_ref();
            let layer = match list_name {
                "keymap" => Layer::Keymap,
                "prepend_keymap" => Layer::Prepend,
                "append_keymap" => Layer::Append,
                other => {
                    r.problem(
                        list_key.span(),
                        format!(
                            "unknown key «{other}» in [{name}] (expected keymap, prepend_keymap or append_keymap)"
                        ),
                    );
                    continue;
                }
            };
            let DeValue::Array(items) = list.get_ref() else {
                r.problem(
                    list.span(),
                    format!("«{list_name}» must be a list: [ {{ on = …, run = …, desc = … }}, … ]"),
                );
                continue;
            };
            let bindings: Vec<Binding> = items
                .iter()
                .filter_map(|item| r.entry(item, context, layer))
                .collect();
            match layer {
                Layer::Prepend => lists.prepend.extend(bindings),
                Layer::Append => lists.append.extend(bindings),
                _ => lists.keymap.get_or_insert_with(Vec::new).extend(bindings),
            }
        }
    }
    if r.problems.is_empty() {
        Ok(out)
    } else {
        r.problems.sort_by_key(|p| p.line);
        Err(r.problems)
    }
}

impl Reader<'_> {
    /// One `{ on, run, desc }` entry; `None` (with problems recorded) when it is invalid.
    fn entry(
        &mut self,
        item: &Spanned<DeValue<'_>>,
        context: Context,
        layer: Layer,
    ) -> Option<Binding> {
        let DeValue::Table(t) = item.get_ref() else {
            self.problem(
                item.span(),
                "a binding must be a table: { on = …, run = …, desc = … }",
            );
            return None;
        };
        let (mut on, mut run, mut desc) = (None, None, None);
        let mut ok = true;
        for (k, v) in t.iter() {
            match k.get_ref().as_ref() {
                "on" => on = Some(v),
                "run" => run = Some(v),
                "desc" => desc = Some(v),
                other => {
                    self.problem(
                        k.span(),
                        format!("unknown field «{other}» in a binding (expected on, run, desc)"),
                    );
                    ok = false;
                }
            }
        }
        let keys = match on {
            None => {
                self.problem(item.span(), "binding without «on» (the key to press)");
                None
            }
            Some(on) => self.keys(on, context),
        };
        let action = match run {
            None => {
                self.problem(item.span(), "binding without «run» (the action to run)");
                None
            }
            Some(run) => self.action(run, context),
        };
        let desc = match desc.map(|d| (d.get_ref(), d.span())) {
            None => None,
            Some((DeValue::String(s), _)) => Some(s.to_string()),
            Some((_, span)) => {
                self.problem(span, "«desc» must be a string");
                ok = false;
                None
            }
        };
        let (keys, action) = (keys?, action?);
        if !ok {
            return None;
        }
        Some(Binding {
            desc: desc.unwrap_or_else(|| action.spec().desc.to_string()),
            on: keys,
            run: action,
            context,
            layer: if self.user { layer } else { Layer::Default },
            line: line_of(self.src, item.span().start),
        })
    }

    fn keys(&mut self, on: &Spanned<DeValue<'_>>, context: Context) -> Option<Vec<Key>> {
        let keys: Vec<Key> = match on.get_ref() {
            DeValue::String(s) => match s.parse::<Key>() {
                Ok(k) => vec![k],
                Err(e) => {
                    self.problem(on.span(), e.to_string());
                    return None;
                }
            },
            DeValue::Array(items) if items.is_empty() => {
                self.problem(on.span(), "«on» is an empty list");
                return None;
            }
            DeValue::Array(items) => {
                let mut keys = vec![];
                let mut ok = true;
                for item in items {
                    match item.get_ref() {
                        DeValue::String(s) => match s.parse::<Key>() {
                            Ok(k) => keys.push(k),
                            Err(e) => {
                                self.problem(item.span(), e.to_string());
                                ok = false;
                            }
                        },
                        _ => {
                            self.problem(item.span(), "a key in «on» must be a string");
                            ok = false;
                        }
                    }
                }
                if !ok {
                    return None;
                }
                keys
            }
            _ => {
                self.problem(
                    on.span(),
                    "«on» must be a key (\"j\", \"<C-s>\") or a chord ([\"g\", \"g\"])",
                );
                return None;
            }
        };
        let chord = chord_notation(&keys);
        if keys.len() > 1 {
            if keys[0].is_esc() {
                self.problem(
                    on.span(),
                    format!(
                        "chord «{chord}» starts with <Esc>: tmux and SSH delay Esc, so such chords misfire; start it with another key"
                    ),
                );
                return None;
            }
            if keys[1..].iter().any(Key::is_esc) {
                self.problem(
                    on.span(),
                    format!("chord «{chord}» contains <Esc>, which cancels a chord in progress"),
                );
                return None;
            }
            if context.is_text() && keys[0].printable().is_some() {
                self.problem(
                    on.span(),
                    format!(
                        "chord «{chord}» in [{context}] starts with a printable key, which is typed as text there; start it with <C-…>, <A-…> or a named key"
                    ),
                );
                return None;
            }
        }
        Some(keys)
    }

    fn action(&mut self, run: &Spanned<DeValue<'_>>, context: Context) -> Option<Action> {
        let DeValue::String(s) = run.get_ref() else {
            self.problem(
                run.span(),
                "«run» must be a string naming one action (\"down\", \"arrow -50%\")",
            );
            return None;
        };
        let action = match s.parse::<Action>() {
            Ok(a) => a,
            Err(e) => {
                self.problem(run.span(), e.0);
                return None;
            }
        };
        let spec: &ActionSpec = action.spec();
        if !spec.allowed_in(context) {
            self.problem(
                run.span(),
                format!(
                    "action «{}» is not available in [{context}] (it works in: {})",
                    spec.name,
                    spec.contexts
                        .iter()
                        .map(|c| c.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        Some(action)
    }
}

/// Conflicts inside one file's section: the same keys bound twice to different actions, or a key
/// bound on its own that also starts a chord. The binding listed first wins.
pub(super) fn check_section<'a>(
    file: &str,
    context: Context,
    bindings: impl Iterator<Item = &'a Binding>,
    out: &mut Vec<Conflict>,
) {
    let bindings: Vec<&Binding> = bindings.collect();
    for (j, later) in bindings.iter().enumerate() {
        let Some(first) = bindings[..j].iter().find(|b| clash(&b.on, &later.on)) else {
            continue;
        };
        let kind = if first.on == later.on {
            if first.run == later.run {
                continue; // bound twice to the same action: harmless
            }
            ConflictKind::Duplicate {
                keys: later.on.clone(),
                first: first.run.clone(),
                first_line: first.line,
                second: later.run.clone(),
            }
        } else {
            ConflictKind::Prefix {
                keys: later.on.clone(),
                first: first.on.clone(),
                first_line: first.line,
            }
        };
        out.push(Conflict {
            file: file.to_string(),
            line: later.line,
            context,
            kind,
        });
    }
}

/// Layers a user's lists over the default bindings of one section (see the module doc); warns of
/// `append_keymap` bindings that a binding with higher priority hides.
pub(super) fn layer(
    user_file: &str,
    context: Context,
    defaults: Vec<Binding>,
    user: Lists,
    warnings: &mut Vec<Conflict>,
) -> Vec<Binding> {
    let mut out = user.prepend;
    let replacing = user.keymap.unwrap_or_default();
    let mut placed = vec![false; replacing.len()];
    for d in defaults {
        if let Some(i) = replacing.iter().position(|u| clash(&u.on, &d.on)) {
            if !placed[i] {
                out.push(replacing[i].clone());
                placed[i] = true;
            }
            continue;
        }
        out.push(d);
    }
    out.extend(
        replacing
            .into_iter()
            .zip(placed)
            .filter(|(_, placed)| !placed)
            .map(|(u, _)| u),
    );
    for a in user.append {
        if let Some(by) = out
            .iter()
            .find(|b| clash(&b.on, &a.on) && !(b.on == a.on && b.run == a.run))
        {
            warnings.push(Conflict {
                file: user_file.to_string(),
                line: a.line,
                context,
                kind: ConflictKind::Shadowed {
                    keys: a.on.clone(),
                    by: by.on.clone(),
                    by_action: by.run.clone(),
                },
            });
        }
        out.push(a);
    }
    out
}

/// The bindings that can fire: walking in priority order, a binding that clashes with one already
/// kept is dropped.
pub(super) fn effective<'a>(bindings: impl Iterator<Item = &'a Binding>) -> Vec<Binding> {
    let mut kept: Vec<Binding> = vec![];
    for b in bindings {
        if !kept.iter().any(|k| clash(&k.on, &b.on)) {
            kept.push(b.clone());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let src = "a\nb\nc";
        assert_eq!(line_of(src, 0), 1);
        assert_eq!(line_of(src, 2), 2);
        assert_eq!(line_of(src, 4), 3);
        assert_eq!(line_of(src, 99), 3);
    }

    #[test]
    fn clash_is_equality_or_prefix() {
        let g = Key::char('g');
        let j = Key::char('j');
        assert!(clash(&[g], &[g]));
        assert!(clash(&[g], &[g, g]));
        assert!(clash(&[g, g], &[g]));
        assert!(!clash(&[g, j], &[g, g]));
        assert!(!clash(&[j], &[g, j]));
    }
}

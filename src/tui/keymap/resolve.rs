//! Turning key events into actions: a small state machine per context that follows chords (`g g`),
//! falls back from the Russian layout to QWERTY, and passes typed text through in text contexts.

use std::sync::Arc;

use crossterm::event::{KeyEvent, KeyEventKind};

use super::action::Action;
use super::key::Key;
use super::layout;
use super::{Binding, Context};

/// What a key event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Nothing to do: a release or repeat event, a lone modifier, a key bound to `noop`, or `Esc`
    /// cancelling a chord in progress.
    Ignored,
    /// A chord is in progress; these are the bindings it may still complete (for a hint).
    Pending(Vec<Candidate>),
    /// A binding matched: run this.
    Action(Action),
    /// A text context (`[input]`, `[chooser]`): an unbound printable key, to be typed.
    Text(char),
    /// Nothing is bound to this key here (with a chord in progress: neither as its continuation nor
    /// on its own).
    Unbound(Key),
}

/// A binding that the chord typed so far may complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The whole chord.
    pub on: Vec<Key>,
    /// What it runs.
    pub run: Action,
    /// Its description.
    pub desc: String,
}

/// Resolves key events in one context. Cheap to create; make a new one (or [`reset`](Self::reset)
/// it) when the context changes.
#[derive(Debug, Clone)]
pub struct Resolver {
    context: Context,
    bindings: Arc<[Binding]>,
    pending: Vec<Key>,
}

impl Resolver {
    pub(super) fn new(context: Context, bindings: Arc<[Binding]>) -> Self {
        Self {
            context,
            bindings,
            pending: vec![],
        }
    }

    /// The context it resolves in.
    pub fn context(&self) -> Context {
        self.context
    }

    /// The keys of the chord in progress (empty when none).
    pub fn pending(&self) -> &[Key] {
        &self.pending
    }

    /// Drops a chord in progress (for a timeout, or when focus moves).
    pub fn reset(&mut self) {
        self.pending.clear();
    }

    /// Feeds one terminal event. Only key presses count: release and repeat events (which some
    /// terminals send) are [`Resolution::Ignored`].
    pub fn feed(&mut self, event: KeyEvent) -> Resolution {
        if event.kind != KeyEventKind::Press {
            return Resolution::Ignored;
        }
        match Key::from_event(&event) {
            Some(key) => self.feed_key(key),
            None => Resolution::Ignored,
        }
    }

    /// Feeds one key.
    ///
    /// With a chord in progress, a key that does not continue it drops the chord; `Esc` stops
    /// there, any other key is then resolved afresh (so `g` followed by `j` still moves down).
    /// A key that matches nothing is retried as the key at the same place on QWERTY — except plain
    /// printable keys in a text context, which are text the officer is typing.
    pub fn feed_key(&mut self, key: Key) -> Resolution {
        if !self.pending.is_empty() {
            if let Some(k) = self.continuation(key) {
                self.pending.push(k);
                return self.settle();
            }
            self.pending.clear();
            if key.is_esc() {
                return Resolution::Ignored;
            }
        }
        if let Some(k) = self.continuation(key) {
            self.pending.push(k);
            return self.settle();
        }
        match key.printable() {
            Some(c) if self.context.is_text() => Resolution::Text(c),
            _ => Resolution::Unbound(key),
        }
    }

    /// The key (as pressed, or its QWERTY twin) that extends the pending keys towards a binding.
    fn continuation(&self, key: Key) -> Option<Key> {
        if self.extends(key) {
            return Some(key);
        }
        if self.context.is_text() && key.printable().is_some() {
            return None;
        }
        layout::to_qwerty(key).filter(|&k| self.extends(k))
    }

    fn extends(&self, key: Key) -> bool {
        let n = self.pending.len();
        self.bindings
            .iter()
            .any(|b| b.on.len() > n && b.on[..n] == self.pending[..] && b.on[n] == key)
    }

    /// After a key was accepted: the action when the chord is complete, else the candidates.
    fn settle(&mut self) -> Resolution {
        // Effective bindings never clash, so a complete chord is no other chord's prefix.
        if let Some(b) = self.bindings.iter().find(|b| b.on == self.pending) {
            self.pending.clear();
            return match b.run {
                Action::Noop => Resolution::Ignored,
                ref run => Resolution::Action(run.clone()),
            };
        }
        Resolution::Pending(
            self.bindings
                .iter()
                .filter(|b| b.on.starts_with(&self.pending) && b.run != Action::Noop)
                .map(|b| Candidate {
                    on: b.on.clone(),
                    run: b.run.clone(),
                    desc: b.desc.clone(),
                })
                .collect(),
        )
    }
}

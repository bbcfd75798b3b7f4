//! The key-binding layer: notation, the shipped keymap, a user's layers, errors, conflicts,
//! chords, the Russian layout fallback, and the read-only keymap.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use mcu::domain::{Quality, Status};
use mcu::tui::keymap::{
    Action, ArgKind, ArgSpec, CATALOGUE, ConflictKind, Context, FilterKind, Key, Keymap,
    KeymapError, Layer, Resolution, Step,
};

const USER: &str = "~/.config/mcu/keymap.toml";

fn key(s: &str) -> Key {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn builtin() -> Keymap {
    Keymap::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn user(text: &str) -> Keymap {
    Keymap::with_user(USER, text).unwrap_or_else(|e| panic!("{e}"))
}

/// The messages of a refused user file.
fn refused(text: &str) -> Vec<String> {
    match Keymap::with_user(USER, text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(KeymapError::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        Err(e) => panic!("{e}"),
    }
}

fn press(km: &Keymap, context: Context, keys: &[&str]) -> Resolution {
    let mut r = km.resolver(context);
    let mut last = Resolution::Ignored;
    for k in keys {
        last = r.feed_key(key(k));
    }
    last
}

fn event(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

// ---- notation ----

#[test]
fn every_key_notation_parses_and_prints_back() {
    for n in [
        "a",
        "A",
        "z",
        "0",
        "9",
        "?",
        "/",
        ":",
        "+",
        "-",
        "!",
        "]",
        "<",
        ">",
        "о",
        "Ж",
        "<C-x>",
        "<C-S>",
        "<A-x>",
        "<C-A-x>",
        "<S-Tab>",
        "<Enter>",
        "<Esc>",
        "<Space>",
        "<Tab>",
        "<Backspace>",
        "<Up>",
        "<Down>",
        "<Left>",
        "<Right>",
        "<PageUp>",
        "<PageDown>",
        "<Home>",
        "<End>",
        "<Delete>",
        "<Insert>",
        "<F1>",
        "<F5>",
        "<F12>",
        "<C-Space>",
        "<A-Enter>",
        "<S-Up>",
        "<C-ы>",
        "<C-->",
        "<C-F5>",
    ] {
        assert_eq!(key(n).to_string(), n, "round trip of {n}");
    }
    for f in 1..=12 {
        let n = format!("<F{f}>");
        assert_eq!(key(&n).code(), KeyCode::F(f));
    }
}

#[test]
fn notation_matches_the_terminal_event() {
    let cases = [
        ("j", event(KeyCode::Char('j'), KeyModifiers::NONE)),
        ("G", event(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        ("<C-s>", event(KeyCode::Char('s'), KeyModifiers::CONTROL)),
        ("<A-x>", event(KeyCode::Char('x'), KeyModifiers::ALT)),
        ("<S-Tab>", event(KeyCode::BackTab, KeyModifiers::SHIFT)),
        ("<Space>", event(KeyCode::Char(' '), KeyModifiers::NONE)),
        ("<Enter>", event(KeyCode::Enter, KeyModifiers::NONE)),
        ("<F1>", event(KeyCode::F(1), KeyModifiers::NONE)),
        ("<PageDown>", event(KeyCode::PageDown, KeyModifiers::NONE)),
        ("?", event(KeyCode::Char('?'), KeyModifiers::SHIFT)),
    ];
    for (n, ev) in cases {
        assert_eq!(Key::from_event(&ev), Some(key(n)), "{n}");
    }
}

#[test]
fn runs_parse_with_typed_arguments() {
    let cases = [
        ("arrow -50%", Action::Arrow(Step::Percent(-50))),
        ("arrow 3", Action::Arrow(Step::Lines(3))),
        ("filter overdue", Action::Filter(FilterKind::Overdue)),
        ("set_block roads", Action::SetBlock(Some("roads".into()))),
        ("set_block", Action::SetBlock(None)),
        (
            "set_status rejected",
            Action::SetStatus(Some(Status::Rejected)),
        ),
        ("grade formal", Action::Grade(Some(Quality::Formal))),
        ("rate 5", Action::Rate(Some(5))),
        ("pick 10", Action::Pick(Some(10))),
    ];
    for (run, action) in cases {
        assert_eq!(run.parse::<Action>(), Ok(action.clone()), "{run}");
        assert_eq!(action.to_string(), run);
    }
}

// ---- the shipped keymap ----

#[test]
fn shipped_keymap_loads_without_conflicts() {
    let km = builtin();
    assert!(
        km.warnings().is_empty(),
        "{}",
        km.warnings()
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn shipped_keymap_binds_every_action_of_the_catalogue() {
    let km = builtin();
    let bound: Vec<&Action> = Context::ALL
        .iter()
        .flat_map(|c| km.bindings(*c))
        .map(|b| &b.run)
        .collect();
    for spec in CATALOGUE.iter().filter(|s| s.name != "noop") {
        assert!(
            bound.iter().any(|a| a.name() == spec.name),
            "«{}» is bound nowhere",
            spec.name
        );
        if let ArgSpec::Required(ArgKind::Filter) = spec.args {
            for kind in FilterKind::ALL {
                assert!(
                    bound.contains(&&Action::Filter(kind)),
                    "filter {} is bound nowhere",
                    kind.id()
                );
            }
        }
    }
    // Number keys pick in a chooser: 1…9, and 0 for the tenth.
    for (k, n) in [("1", 1), ("9", 9), ("0", 10)] {
        assert_eq!(
            press(&km, Context::Chooser, &[k]),
            Resolution::Action(Action::Pick(Some(n)))
        );
    }
}

#[test]
fn shipped_bindings_all_have_russian_descriptions() {
    let km = builtin();
    for c in Context::ALL {
        for b in km.bindings(c) {
            assert!(
                b.desc.chars().any(|ch| matches!(ch, 'а'..='я' | 'А'..='Я')),
                "[{c}] {} has no Russian desc",
                b.run
            );
            assert_eq!(b.layer, Layer::Default);
        }
    }
}

#[test]
fn shipped_keymap_leaves_the_russian_stand_ins_for_slash_and_question_free() {
    let km = builtin();
    for c in Context::ALL {
        for b in km.bindings(c) {
            assert!(
                !b.on.contains(&key(".")) && !b.on.contains(&key(",")),
                "[{c}] binds «.» or «,»: {}",
                b.run
            );
        }
    }
}

#[test]
fn shipped_keymap_does_the_everyday_things() {
    let km = builtin();
    let list = |keys: &[&str]| press(&km, Context::List, keys);
    assert_eq!(list(&["j"]), Resolution::Action(Action::Down));
    assert_eq!(list(&["<Enter>"]), Resolution::Action(Action::Open));
    assert_eq!(list(&["?"]), Resolution::Action(Action::Help));
    assert_eq!(list(&["q"]), Resolution::Action(Action::Quit));
    assert_eq!(list(&["/"]), Resolution::Action(Action::Search));
    assert_eq!(list(&[":"]), Resolution::Action(Action::Command));
    assert_eq!(list(&["a"]), Resolution::Action(Action::Assign(None)));
    assert_eq!(list(&["<Space>"]), Resolution::Action(Action::ToggleMark));
    assert_eq!(
        list(&["<C-u>"]),
        Resolution::Action(Action::Arrow(Step::Percent(-50)))
    );
    assert_eq!(
        list(&["f", "o"]),
        Resolution::Action(Action::Filter(FilterKind::Overdue))
    );
    // A screen's own key wins over [global]: q goes back from the detail and closes help.
    assert_eq!(
        press(&km, Context::Detail, &["q"]),
        Resolution::Action(Action::Back)
    );
    assert_eq!(
        press(&km, Context::Help, &["?"]),
        Resolution::Action(Action::Back)
    );
    // Popups do not inherit [global]: q is text in a chooser, nothing in a confirmation.
    assert_eq!(press(&km, Context::Chooser, &["q"]), Resolution::Text('q'));
    assert_eq!(
        press(&km, Context::Confirm, &["q"]),
        Resolution::Unbound(key("q"))
    );
    assert_eq!(
        press(&km, Context::Input, &["<C-s>"]),
        Resolution::Action(Action::Save)
    );
    assert_eq!(
        press(&km, Context::Confirm, &["y"]),
        Resolution::Action(Action::Yes)
    );
    assert_eq!(
        press(&km, Context::Confirm, &["<Enter>"]),
        Resolution::Unbound(key("<Enter>"))
    );
}

// ---- a user's layers ----

#[test]
fn user_keymap_replaces_the_default_on_the_same_key_in_place() {
    let km = user(
        r#"
[list]
keymap = [ { on = "j", run = "bottom", desc = "Сразу в конец" } ]
"#,
    );
    assert!(km.warnings().is_empty());
    assert_eq!(
        press(&km, Context::List, &["j"]),
        Resolution::Action(Action::Bottom)
    );
    // Other defaults stay, and the replacement takes the default's place in help.
    assert_eq!(
        press(&km, Context::List, &["k"]),
        Resolution::Action(Action::Up)
    );
    let help = km.help(Context::List);
    let pos_j = help.iter().position(|e| e.desc == "Сразу в конец");
    let pos_up = help.iter().position(|e| e.action == Action::Up);
    assert!(pos_j < pos_up, "{help:?}");
    let b = km
        .bindings(Context::List)
        .iter()
        .find(|b| b.on == [key("j")])
        .expect("j");
    assert_eq!((b.layer, b.line), (Layer::Keymap, 3));
}

#[test]
fn user_keymap_on_a_chord_prefix_replaces_the_chords() {
    let km = user(
        r#"
[list]
keymap = [ { on = "g", run = "top" } ]
"#,
    );
    assert!(km.warnings().is_empty());
    assert_eq!(
        press(&km, Context::List, &["g"]),
        Resolution::Action(Action::Top)
    );
    // A binding without desc gets the catalogue's.
    assert!(km.help(Context::List).iter().any(|e| e.desc == "В начало"));
}

#[test]
fn user_prepend_wins_over_the_defaults() {
    let km = user(
        r#"
[list]
prepend_keymap = [
    { on = "<C-n>", run = "next_untriaged", desc = "Следующее неразобранное" },
    { on = "x",     run = "toggle_urgent",  desc = "Срочное" },
]
"#,
    );
    assert!(km.warnings().is_empty(), "{:?}", km.warnings());
    assert_eq!(
        press(&km, Context::List, &["<C-n>"]),
        Resolution::Action(Action::NextUntriaged)
    );
    assert_eq!(
        press(&km, Context::List, &["x"]),
        Resolution::Action(Action::ToggleUrgent)
    );
    // Prepended entries come first in help.
    assert_eq!(km.help(Context::List)[0].action, Action::NextUntriaged);
    // The default x (reject) is gone; <Delete> still rejects.
    assert_eq!(
        press(&km, Context::List, &["<Delete>"]),
        Resolution::Action(Action::Reject)
    );
}

#[test]
fn user_append_only_fills_free_keys_and_warns_when_hidden() {
    let km = user(
        r#"
[list]
append_keymap = [
    { on = "w", run = "next_untriaged", desc = "Следующее неразобранное" },
    { on = "j", run = "bottom" },
]
"#,
    );
    assert_eq!(
        press(&km, Context::List, &["w"]),
        Resolution::Action(Action::NextUntriaged)
    );
    assert_eq!(
        press(&km, Context::List, &["j"]),
        Resolution::Action(Action::Down)
    );
    let [w] = km.warnings() else {
        panic!("{:?}", km.warnings())
    };
    assert_eq!((w.line, w.context), (5, Context::List));
    assert!(
        matches!(&w.kind, ConflictKind::Shadowed { by_action, .. } if *by_action == Action::Down)
    );
    assert!(w.to_string().starts_with(
        "~/.config/mcu/keymap.toml:5: [list] «j» in append_keymap is hidden by «j» → «down»"
    ));
}

#[test]
fn noop_disables_a_key_and_hides_it_from_help() {
    let km = user(
        r#"
[list]
keymap = [ { on = "x", run = "noop" }, { on = "q", run = "noop" } ]
"#,
    );
    assert_eq!(press(&km, Context::List, &["x"]), Resolution::Ignored);
    // A screen's noop also shadows [global]: q no longer quits from the list…
    assert_eq!(press(&km, Context::List, &["q"]), Resolution::Ignored);
    // …but still does elsewhere.
    assert_eq!(
        press(&km, Context::Global, &["q"]),
        Resolution::Action(Action::Quit)
    );
    let help = km.help(Context::List);
    assert!(help.iter().all(|e| e.action != Action::Noop));
    let reject = help
        .iter()
        .find(|e| e.action == Action::Reject)
        .expect("reject");
    assert_eq!(reject.keys, ["Del"]);
}

#[test]
fn user_file_may_bind_a_cyrillic_letter_directly() {
    let km = user(
        r#"
[list]
prepend_keymap = [ { on = "о", run = "open", desc = "Открыть" } ]
"#,
    );
    // о is bound itself, so it is not taken for j.
    assert_eq!(
        press(&km, Context::List, &["о"]),
        Resolution::Action(Action::Open)
    );
    assert_eq!(
        press(&km, Context::List, &["j"]),
        Resolution::Action(Action::Down)
    );
}

#[test]
fn load_reads_the_file_and_a_missing_file_means_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keymap.toml");
    let km = Keymap::load(Some(&path)).expect("missing file is fine");
    assert_eq!(
        press(&km, Context::List, &["j"]),
        Resolution::Action(Action::Down)
    );

    std::fs::write(
        &path,
        "[list]\nkeymap = [ { on = \"j\", run = \"top\" } ]\n",
    )
    .expect("write");
    let km = Keymap::load(Some(&path)).expect("valid");
    assert_eq!(
        press(&km, Context::List, &["j"]),
        Resolution::Action(Action::Top)
    );

    std::fs::write(
        &path,
        "[list]\nkeymap = [\n  { on = \"j\", run = \"dwon\" },\n]\n",
    )
    .expect("write");
    let err = Keymap::load(Some(&path)).expect_err("invalid").to_string();
    assert_eq!(
        err,
        format!(
            "{}:3: unknown action «dwon» (did you mean «down»?)",
            path.display()
        )
    );

    assert!(Keymap::load(None).is_ok());
    let usual = Keymap::user_file().expect("a config dir");
    assert!(usual.ends_with("mcu/keymap.toml"), "{}", usual.display());
}

// ---- invalid files ----

#[test]
fn unknown_action_names_the_file_line_and_a_guess() {
    let text = r#"# my keys

[list]
keymap = [
    { on = "j", run = "down" },
    { on = "a", run = "assing" },
]
"#;
    assert_eq!(
        refused(text),
        ["~/.config/mcu/keymap.toml:6: unknown action «assing» (did you mean «assign»?)"]
    );
}

#[test]
fn bad_key_names_the_file_and_line() {
    let text = "[list]\nkeymap = [\n  { on = \"<C-\", run = \"down\" },\n]\n";
    assert_eq!(
        refused(text),
        ["~/.config/mcu/keymap.toml:3: bad key «<C-»: no closing «>»"]
    );
}

#[test]
fn bad_argument_says_what_is_expected() {
    let text = "[list]\nkeymap = [\n  { on = \"o\", run = \"filter overdu\" },\n  { on = \"z\", run = \"arrow\" },\n]\n";
    let msgs = refused(text);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs[0].starts_with(
            "~/.config/mcu/keymap.toml:3: bad argument «overdu» for «filter» (expected one of: block, status"
        ),
        "{msgs:?}"
    );
    assert!(
        msgs[1].starts_with("~/.config/mcu/keymap.toml:4: «arrow» needs an argument"),
        "{msgs:?}"
    );
}

#[test]
fn chords_with_esc_are_refused() {
    let text = r#"[list]
keymap = [
    { on = ["<Esc>", "q"], run = "quit" },
    { on = ["g", "<Esc>"], run = "top" },
]
"#;
    let msgs = refused(text);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs[0].starts_with("~/.config/mcu/keymap.toml:3: chord «<Esc> q» starts with <Esc>"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].starts_with("~/.config/mcu/keymap.toml:4: chord «g <Esc>» contains <Esc>"),
        "{msgs:?}"
    );
}

#[test]
fn malformed_toml_names_the_line() {
    let text = "[list]\nkeymap = [\n  { on = \"j\" run = \"down\" },\n]\n";
    let msgs = refused(text);
    assert_eq!(msgs.len(), 1);
    assert!(
        msgs[0].starts_with("~/.config/mcu/keymap.toml:3: malformed TOML:"),
        "{msgs:?}"
    );
}

#[test]
fn structural_mistakes_are_named() {
    let cases = [
        (
            "[lists]\nkeymap = []\n",
            "~/.config/mcu/keymap.toml:1: unknown section [lists] (did you mean [list]?)",
        ),
        (
            "[list]\nkeys = []\n",
            "~/.config/mcu/keymap.toml:2: unknown key «keys» in [list]",
        ),
        (
            "[list]\nkeymap = [ { on = \"j\", run = \"down\", dsc = \"x\" } ]\n",
            "~/.config/mcu/keymap.toml:2: unknown field «dsc»",
        ),
        (
            "[list]\nkeymap = [ { run = \"down\" } ]\n",
            "~/.config/mcu/keymap.toml:2: binding without «on»",
        ),
        (
            "[list]\nkeymap = [ { on = \"j\", run = \"pick\" } ]\n",
            "~/.config/mcu/keymap.toml:2: action «pick» is not available in [list] (it works in: chooser)",
        ),
        (
            "[input]\nkeymap = [ { on = [\"x\", \"y\"], run = \"save\" } ]\n",
            "~/.config/mcu/keymap.toml:2: chord «x y» in [input] starts with a printable key",
        ),
        (
            "[list]\nkeymap = [ { on = [], run = \"down\" } ]\n",
            "~/.config/mcu/keymap.toml:2: «on» is an empty list",
        ),
        (
            "[list]\nkeymap = [ { on = \"j\", run = [\"down\", \"down\"] } ]\n",
            "~/.config/mcu/keymap.toml:2: «run» must be a string",
        ),
    ];
    for (text, start) in cases {
        let msgs = refused(text);
        assert!(
            msgs.iter().any(|m| m.starts_with(start)),
            "{text}\n→ {msgs:?}"
        );
    }
}

#[test]
fn every_mistake_of_a_file_is_reported_at_once() {
    let text = r#"[list]
keymap = [
    { on = "<Foo>", run = "down" },
    { on = "j", run = "dwn" },
    { on = "k", run = "up" },
]
"#;
    let msgs = refused(text);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains(":3: bad key «<Foo>»"));
    assert!(msgs[1].contains(":4: unknown action «dwn»"));
}

// ---- conflicts ----

#[test]
fn same_key_twice_in_a_section_is_a_conflict_and_the_first_wins() {
    let km = user(
        r#"[list]
prepend_keymap = [
    { on = "w", run = "next_untriaged" },
    { on = "w", run = "refresh" },
]
"#,
    );
    let [w] = km.warnings() else {
        panic!("{:?}", km.warnings())
    };
    assert_eq!(
        w.kind,
        ConflictKind::Duplicate {
            keys: vec![key("w")],
            first: Action::NextUntriaged,
            first_line: 3,
            second: Action::Refresh,
        }
    );
    assert_eq!(
        w.to_string(),
        "~/.config/mcu/keymap.toml:4: [list] «w» is already bound to «next_untriaged» (line 3), so «refresh» is ignored"
    );
    assert_eq!(
        press(&km, Context::List, &["w"]),
        Resolution::Action(Action::NextUntriaged)
    );
}

#[test]
fn the_same_binding_twice_is_not_a_conflict() {
    let km = user(
        "[list]\nprepend_keymap = [ { on = \"w\", run = \"top\" }, { on = \"w\", run = \"top\" } ]\n",
    );
    assert!(km.warnings().is_empty());
}

#[test]
fn key_that_also_starts_a_chord_is_a_conflict() {
    let km = user(
        r#"[detail]
prepend_keymap = [
    { on = "z", run = "top" },
    { on = ["z", "z"], run = "bottom" },
]
"#,
    );
    let [w] = km.warnings() else {
        panic!("{:?}", km.warnings())
    };
    assert_eq!(
        w.kind,
        ConflictKind::Prefix {
            keys: vec![key("z"), key("z")],
            first: vec![key("z")],
            first_line: 3,
        }
    );
    assert!(
        w.to_string()
            .starts_with("~/.config/mcu/keymap.toml:4: [detail] «z z» clashes with «z» (line 3)")
    );
    // The first one listed wins; the chord is never reached.
    assert_eq!(
        press(&km, Context::Detail, &["z"]),
        Resolution::Action(Action::Top)
    );
    assert!(
        km.help(Context::Detail)
            .iter()
            .all(|e| e.action != Action::Bottom || e.keys != ["z z"])
    );
}

// ---- resolution ----

#[test]
fn chord_is_pending_then_runs() {
    let km = builtin();
    let mut r = km.resolver(Context::List);
    let Resolution::Pending(candidates) = r.feed_key(key("g")) else {
        panic!("not pending")
    };
    assert_eq!(r.pending(), [key("g")]);
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0].run, Action::Top);
    assert_eq!(candidates[0].on, [key("g"), key("g")]);
    assert_eq!(candidates[0].desc, "В начало");
    assert_eq!(r.feed_key(key("g")), Resolution::Action(Action::Top));
    assert!(r.pending().is_empty());
}

#[test]
fn pending_candidates_list_every_continuation() {
    let km = builtin();
    let Resolution::Pending(c) = press(&km, Context::List, &["f"]) else {
        panic!("not pending")
    };
    let runs: Vec<String> = c.iter().map(|c| c.run.to_string()).collect();
    assert!(runs.contains(&"filter overdue".to_string()), "{runs:?}");
    assert_eq!(runs.len(), 7);
}

#[test]
fn unrelated_key_resets_the_chord_and_counts_on_its_own() {
    let km = builtin();
    let mut r = km.resolver(Context::List);
    assert!(matches!(r.feed_key(key("g")), Resolution::Pending(_)));
    assert_eq!(r.feed_key(key("j")), Resolution::Action(Action::Down));
    assert!(r.pending().is_empty());
    // and a fresh chord works again afterwards
    assert!(matches!(r.feed_key(key("g")), Resolution::Pending(_)));
    assert_eq!(r.feed_key(key("g")), Resolution::Action(Action::Top));
    // a key bound to nothing after a prefix is unbound
    assert!(matches!(r.feed_key(key("g")), Resolution::Pending(_)));
    assert_eq!(r.feed_key(key("<F9>")), Resolution::Unbound(key("<F9>")));
}

#[test]
fn esc_cancels_a_chord_and_does_nothing_else() {
    let km = builtin();
    let mut r = km.resolver(Context::Detail);
    assert!(matches!(r.feed_key(key("g")), Resolution::Pending(_)));
    assert_eq!(r.feed_key(key("<Esc>")), Resolution::Ignored);
    assert!(r.pending().is_empty());
    // without a chord, Esc is the detail's «back»
    assert_eq!(r.feed_key(key("<Esc>")), Resolution::Action(Action::Back));
}

#[test]
fn reset_drops_a_pending_chord() {
    let km = builtin();
    let mut r = km.resolver(Context::List);
    let _ = r.feed_key(key("g"));
    r.reset();
    assert!(r.pending().is_empty());
    assert!(matches!(r.feed_key(key("g")), Resolution::Pending(_)));
}

#[test]
fn only_key_presses_count() {
    let km = builtin();
    let mut r = km.resolver(Context::List);
    for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
        let ev = KeyEvent::new_with_kind(KeyCode::Char('j'), KeyModifiers::NONE, kind);
        assert_eq!(r.feed(ev), Resolution::Ignored, "{kind:?}");
    }
    // A release does not break a chord either.
    let g = |kind| KeyEvent::new_with_kind(KeyCode::Char('g'), KeyModifiers::NONE, kind);
    assert!(matches!(
        r.feed(g(KeyEventKind::Press)),
        Resolution::Pending(_)
    ));
    assert_eq!(r.feed(g(KeyEventKind::Release)), Resolution::Ignored);
    assert_eq!(
        r.feed(g(KeyEventKind::Press)),
        Resolution::Action(Action::Top)
    );
    // A lone modifier is no key.
    use crossterm::event::ModifierKeyCode;
    let shift = KeyEvent::new(
        KeyCode::Modifier(ModifierKeyCode::LeftShift),
        KeyModifiers::SHIFT,
    );
    assert_eq!(r.feed(shift), Resolution::Ignored);
    assert_eq!(
        r.feed(event(KeyCode::Char('j'), KeyModifiers::NONE)),
        Resolution::Action(Action::Down)
    );
}

#[test]
fn text_contexts_pass_unbound_printable_keys_through() {
    let km = builtin();
    let mut input = km.resolver(Context::Input);
    assert_eq!(input.feed_key(key("j")), Resolution::Text('j'));
    assert_eq!(input.feed_key(key("<Space>")), Resolution::Text(' '));
    assert_eq!(input.feed_key(key("Ж")), Resolution::Text('Ж'));
    assert_eq!(
        input.feed_key(key("<Enter>")),
        Resolution::Action(Action::Submit)
    );
    assert_eq!(
        input.feed_key(key("<F7>")),
        Resolution::Unbound(key("<F7>"))
    );
    assert_eq!(
        input.feed_key(key("<C-z>")),
        Resolution::Unbound(key("<C-z>"))
    );
    // A non-text context never turns keys into text.
    assert_eq!(
        press(&km, Context::Confirm, &["z"]),
        Resolution::Unbound(key("z"))
    );
}

// ---- the Russian layout ----

#[test]
fn russian_letter_works_as_the_qwerty_key_in_its_place() {
    let km = builtin();
    let list = |keys: &[&str]| press(&km, Context::List, keys);
    assert_eq!(list(&["о"]), Resolution::Action(Action::Down)); // о → j
    assert_eq!(list(&["л"]), Resolution::Action(Action::Up)); // л → k
    assert_eq!(list(&["Ф"]), Resolution::Action(Action::Accept)); // Ф → A
    assert_eq!(list(&["п", "п"]), Resolution::Action(Action::Top)); // п п → g g
    assert_eq!(list(&["g", "п"]), Resolution::Action(Action::Top)); // mixed
    assert_eq!(
        list(&["а", "щ"]),
        Resolution::Action(Action::Filter(FilterKind::Overdue))
    ); // а щ → f o
    assert_eq!(list(&["Ж"]), Resolution::Action(Action::Command)); // Ж → :
    assert_eq!(list(&["."]), Resolution::Action(Action::Search)); // . → /
    assert_eq!(list(&[","]), Resolution::Action(Action::Help)); // , → ?
    assert_eq!(list(&["<C-ф>"]), Resolution::Action(Action::MarkAll)); // <C-ф> → <C-a>
    assert_eq!(list(&["й"]), Resolution::Action(Action::Quit)); // й → q, from [global]
    assert_eq!(
        press(&km, Context::Confirm, &["н"]),
        Resolution::Action(Action::Yes)
    );
    assert_eq!(list(&["я"]), Resolution::Action(Action::Undo)); // я → z
    // A letter whose place has no binding stays unbound, reported as pressed.
    assert_eq!(list(&["ц"]), Resolution::Unbound(key("ц")));
}

#[test]
fn ctrl_with_a_russian_letter_works_in_text_inputs() {
    let km = builtin();
    assert_eq!(
        press(&km, Context::Input, &["<C-ы>"]),
        Resolution::Action(Action::Save)
    ); // <C-ы> → <C-s>
    // but a plain Russian letter there is text, never a key in disguise
    assert_eq!(press(&km, Context::Input, &["ы"]), Resolution::Text('ы'));
    assert_eq!(press(&km, Context::Chooser, &["д"]), Resolution::Text('д'));
}

#[test]
fn event_with_a_russian_letter_resolves_like_its_key() {
    let km = builtin();
    let mut r = km.resolver(Context::List);
    assert_eq!(
        r.feed(event(KeyCode::Char('о'), KeyModifiers::NONE)),
        Resolution::Action(Action::Down)
    );
    assert_eq!(
        r.feed(event(KeyCode::Char('Р'), KeyModifiers::SHIFT)),
        Resolution::Unbound(key("Р"))
    );
    assert_eq!(
        r.feed(event(KeyCode::Char('к'), KeyModifiers::SHIFT)),
        Resolution::Action(Action::Rate(None))
    ); // Shift-к → К → R
}

// ---- help and hints ----

#[test]
fn help_merges_the_keys_of_one_action() {
    let km = builtin();
    let help = km.help(Context::List);
    let top = help.iter().find(|e| e.action == Action::Top).expect("top");
    assert_eq!(top.keys, ["g g", "Home"]);
    let down = help
        .iter()
        .find(|e| e.action == Action::Down)
        .expect("down");
    assert_eq!(down.keys, ["j", "Down"]);
    let mark_all = help
        .iter()
        .find(|e| e.action == Action::MarkAll)
        .expect("mark_all");
    assert_eq!(mark_all.keys, ["M", "Ctrl-a"]);
    // inherited [global] keys come last, marked as such
    let quit = help
        .iter()
        .find(|e| e.action == Action::Quit)
        .expect("quit");
    assert_eq!(quit.keys, ["q", "Ctrl-c"]);
    assert_eq!(quit.context, Context::Global);
    assert_eq!(help.last().map(|e| e.context), Some(Context::Global));
    // the number keys of a chooser share one line
    let chooser = km.help(Context::Chooser);
    let numbered = chooser
        .iter()
        .find(|e| e.desc == "Выбрать пункт с этим номером")
        .expect("numbers");
    assert_eq!(
        numbered.keys,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]
    );
}

#[test]
fn help_of_a_screen_does_not_show_global_keys_it_overrides() {
    let km = builtin();
    let help = km.help(Context::Detail);
    assert!(
        help.iter()
            .all(|e| e.action != Action::Quit || !e.keys.contains(&"q".to_string()))
    );
    let back = help
        .iter()
        .find(|e| e.action == Action::Back)
        .expect("back");
    assert_eq!(back.keys, ["Esc", "q", "h", "Left", "Backspace"]);
}

#[test]
fn hints_put_the_most_important_first_and_fit_the_width() {
    let km = builtin();
    let hints = km.hints(Context::List, 80);
    let shown: Vec<String> = hints
        .iter()
        .map(|h| format!("{} {}", h.key, h.label))
        .collect();
    assert_eq!(
        shown[..4],
        ["? Справка", "Enter Открыть", "b Блок", "a Назначить"],
        "{shown:?}"
    );
    let used: usize =
        hints.iter().map(|h| h.width()).sum::<usize>() + 2 * hints.len().saturating_sub(1);
    assert!(used <= 80, "{used}");
    // narrower bar: a prefix of the wider one
    let narrow = km.hints(Context::List, 30);
    assert_eq!(narrow[..], hints[..narrow.len()]);
    assert!(narrow.len() < hints.len());
    assert!(km.hints(Context::List, 3).is_empty());

    let confirm: Vec<String> = km
        .hints(Context::Confirm, 80)
        .iter()
        .map(|h| format!("{} {}", h.key, h.label))
        .collect();
    assert_eq!(confirm, ["y Да", "n Нет"]);
}

#[test]
fn keys_for_an_action_are_listed_for_messages() {
    let km = builtin();
    assert_eq!(km.keys_for(Context::List, &Action::Help), ["?", "F1"]);
    assert!(km.keys_for(Context::Chooser, &Action::Help).is_empty());
}

// ---- read-only ----

#[test]
fn without_dangerous_drops_every_triage_action_from_keys_help_and_hints() {
    let full = builtin();
    let km = full.without_dangerous();
    for c in Context::ALL {
        assert!(
            km.bindings(c).iter().all(|b| !b.run.is_dangerous()),
            "[{c}] keeps a dangerous binding"
        );
        assert!(
            km.help(c).iter().all(|e| !e.action.is_dangerous()),
            "[{c}] help"
        );
        for h in km.hints(c, 200) {
            assert!(
                ![
                    "Блок",
                    "Назначить",
                    "Принять",
                    "Статус",
                    "Ответ",
                    "Промежуточный",
                    "К отмеченным"
                ]
                .contains(&h.label.as_str()),
                "[{c}] hint {h:?}"
            );
        }
    }
    for k in ["a", "b", "A", "x", "d", "r", "!", "E", "+"] {
        assert_eq!(
            press(&km, Context::List, &[k]),
            Resolution::Unbound(key(k)),
            "{k}"
        );
    }
    // Reading still works, and so does the Russian layout.
    assert_eq!(
        press(&km, Context::List, &["о"]),
        Resolution::Action(Action::Down)
    );
    assert_eq!(
        press(&km, Context::Detail, &["q"]),
        Resolution::Action(Action::Back)
    );
    // The full keymap is untouched.
    assert_eq!(
        press(&full, Context::List, &["a"]),
        Resolution::Action(Action::Assign(None))
    );
}

#[test]
fn filter_keeps_what_the_predicate_accepts() {
    let km = builtin().filter(|b| b.context != Context::Global);
    assert_eq!(
        press(&km, Context::List, &["q"]),
        Resolution::Unbound(key("q"))
    );
    assert_eq!(
        press(&km, Context::List, &["j"]),
        Resolution::Action(Action::Down)
    );
}

#[test]
fn every_dangerous_action_is_a_triage_action() {
    let dangerous: Vec<&str> = CATALOGUE
        .iter()
        .filter(|s| s.dangerous)
        .map(|s| s.name)
        .collect();
    assert_eq!(
        dangerous,
        [
            "set_block",
            "assign",
            "accept",
            "set_status",
            "reject",
            "interim_answer",
            "final_answer",
            "grade",
            "rate",
            "link_duplicate",
            "toggle_urgent",
            "toggle_conflict",
            "add_note",
            "extend_deadline",
            "apply_marked",
            "new_entry",
            "edit_entry",
            "entry_status",
            "remove_entry",
            "link_roadmap",
            "add_appeal",
            "undo",
            "register_fz59",
        ]
    );
    let confirmed: Vec<&str> = CATALOGUE
        .iter()
        .filter(|s| s.confirm)
        .map(|s| s.name)
        .collect();
    assert_eq!(
        confirmed,
        [
            "reject",
            "link_duplicate",
            "extend_deadline",
            "apply_marked"
        ]
    );
}

#[test]
fn help_screen_hints_do_not_offer_help_again() {
    let km = builtin();
    let hints = km.hints(Context::Help, 80);
    assert!(hints.iter().all(|h| h.label != "Справка"), "{hints:?}");
    assert_eq!(hints[0].label, "Назад");
}

#[test]
fn unreadable_user_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Keymap::load(Some(dir.path())).expect_err("a directory is no file");
    assert!(matches!(err, KeymapError::Read { .. }));
    assert!(
        err.to_string()
            .starts_with(&dir.path().display().to_string()),
        "{err}"
    );
}

//! The whole roles × actions matrix of README («Operators, roles and the audit trail»), walked
//! through the real binary: every role, and an account that is not an operator, tries every
//! action on three appeals — one of the block lead's block (roads), one of another block
//! (housing) and a comment on an official page — and what happened is compared with the table.
//!
//! Plays each operator with `MCU_AS`, which mcu honours only for root (CI runs as root); as
//! another user the test says so and stops early.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::PathBuf;

mod common;
use common::operators::{AsOperator, is_root};
use common::ssh::keygen;

/// README's matrix, cell for cell. `all`: every appeal; `own`: the appeals of their blocks;
/// `page`: comments on the official pages; `yes`/`no`: an action not about one appeal.
const MATRIX: &str = "
| action                        | curator | head | coordinator | pages | block_lead | observer | nobody |
|-------------------------------|---------|------|-------------|-------|------------|----------|--------|
| see appeals                   | all     | all  | all         | all   | own        | all      | no     |
| see personal data             | all     | all  | all         | no    | own        | no       | no     |
| reports                       | yes     | yes  | yes         | yes   | yes        | yes      | no     |
| list operators                | yes     | yes  | yes         | yes   | yes        | yes      | no     |
| import                        | no      | yes  | yes         | no    | no         | no       | no     |
| triage                        | no      | all  | all         | page  | own        | no       | no     |
| record answers                | no      | all  | all         | page  | own        | no       | no     |
| grade answers                 | no      | all  | all         | no    | no         | no       | no     |
| export with personal data     | no      | yes  | yes         | no    | no         | no       | no     |
| add recipients                | yes     | yes  | yes         | no    | no         | no       | no     |
| manage operators              | yes     | yes  | no          | no    | no         | no       | no     |
| audit trail                   | yes     | yes  | no          | no    | no         | no       | no     |
| purge old files               | yes     | yes  | no          | no    | no         | no       | no     |
| classify --pending            | no      | all  | all         | page  | own        | no       | no     |
| dups                          | all     | all  | all         | all   | own        | all      | no     |
| rank --explain                | all     | all  | all         | all   | own        | all      | no     |
| see registers                 | yes     | yes  | yes         | yes   | yes        | yes      | no     |
| keep registers                | no      | yes  | yes         | no    | no         | no       | no     |
| keep the pages registry       | no      | yes  | yes         | yes   | no         | no       | no     |
| take appeals by hand          | no      | yes  | yes         | no    | no         | no       | no     |
| import roadmaps               | no      | yes  | yes         | no    | no         | no       | no     |
| export the registers          | yes     | yes  | yes         | yes   | yes        | yes      | no     |
| manage ssh keys               | yes     | yes  | no          | no    | no         | no       | no     |
| see who is connected          | yes     | yes  | no          | no    | no         | no       | no     |
";

/// Planted in the lead's appeal and the other block's (H-1): the author, the contact, the
/// address and the same again inside the text.
const AUTHOR: &str = "Иванова Мария Алексеевна";
const PHONE: &str = "+7 999 555 12 34";
const TEXT: &str = "Во дворе огромная яма, машины ломаются, просим засыпать. Пишет Иванова Мария \
                    Алексеевна, ул. Центральная, д. 42, кв. 7, тел. +7 999 555 12 34, почта \
                    m.ivanova@mail.ru";
/// None of these may show where personal data is masked.
const PLANTED: &[&str] = &[
    "555",
    "Иванова",
    "Алексеевна",
    "д. 42",
    "кв. 7",
    "m.ivanova",
];

const RECIPIENT: &str = "Отдел благоустройства";

struct Ws(AsOperator);

impl Deref for Ws {
    type Target = AsOperator;
    fn deref(&self) -> &AsOperator {
        &self.0
    }
}

impl Ws {
    /// Whether the command succeeded; a refusal must say why (never a crash or a usage error).
    fn allowed(&self, who: &str, args: &[&str]) -> bool {
        let out = self.mcu(who, args);
        if out.status.success() {
            return true;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("not allowed")
                || err.contains("may not")
                || err.contains("not an operator")
                || err.contains("no appeal"),
            "{who} {args:?} failed for another reason (code {:?}): {err}",
            out.status.code()
        );
        false
    }

    /// The output when the command succeeded.
    fn output(&self, who: &str, args: &[&str]) -> Option<String> {
        let out = self.mcu(who, args);
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

const HEAD: &str = "boss";

/// The login playing each role; `nobody` is not an operator.
const LOGINS: [(&str, &str); 7] = [
    ("curator", "cur"),
    ("head", HEAD),
    ("coordinator", "coord"),
    ("pages", "pg"),
    ("block_lead", "lead"),
    ("observer", "obs"),
    ("nobody", "stranger"),
];

/// A fresh workspace: three appeals not triaged yet, one recipient answering for two of them,
/// and an operator of every role.
fn workspace() -> Ws {
    let ws = Ws(AsOperator::new());
    ws.ok(HEAD, &["init"]);
    let csv = dir_file(&ws, "in.csv");
    std::fs::write(
        &csv,
        format!(
            "id;channel;received_at;text;block;author;contact;address\n\
             R-1;pos;2026-11-24 10:00;{TEXT};roads;{AUTHOR};{PHONE};ул. Центральная, д. 42\n\
             H-1;pos;2026-11-24 11:00;{TEXT};housing;{AUTHOR};{PHONE};ул. Центральная, д. 42\n\
             P-1;page;2026-11-24 12:00;Когда откроют каток в парке?;culture;Петров Иван;+7 911 000 11 22;\n"
        ),
    )
    .unwrap();
    ws.ok(HEAD, &["import", "--no-triage", csv.to_str().unwrap()]);
    ws.ok(HEAD, &["recipients", "add", RECIPIENT]);
    for key in ["pos:R-1", "pos:H-1"] {
        ws.ok(HEAD, &["set", key, "--responsible", RECIPIENT]);
    }
    for (role, login) in LOGINS {
        if role == "head" || role == "nobody" {
            continue;
        }
        let mut args = vec![
            "operator",
            "add",
            login,
            "--name",
            "Оператор",
            "--role",
            role,
        ];
        if role == "block_lead" {
            args.extend(["--blocks", "roads"]);
        }
        ws.ok(HEAD, &args);
    }
    ws
}

fn dir_file(ws: &Ws, name: &str) -> PathBuf {
    ws.root.parent().unwrap().join(name)
}

const KEYS: [&str; 3] = ["pos:R-1", "pos:H-1", "page:P-1"];

/// The scope a set of appeals an action worked on stands for.
fn scope(worked: [bool; 3]) -> &'static str {
    match worked {
        [true, true, true] => "all",
        [true, false, false] => "own",
        [false, false, true] => "page",
        [false, false, false] => "no",
        _ => "unexpected",
    }
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// Source ids mentioned in a JSON value (`source_id` or `key` fields), as scope flags.
fn seen_in(v: &str) -> [bool; 3] {
    KEYS.map(|k| {
        let id = k.split_once(':').unwrap().1;
        v.contains(&format!("\"{id}\"")) || v.contains(&format!("\"{k}\""))
    })
}

/// Whether an output shows the planted personal data in full, not at all, or partly (a leak).
fn personal_data(out: &str) -> &'static str {
    let full = out.contains(PHONE) && out.contains(AUTHOR) && out.contains("д. 42");
    let none = PLANTED.iter().all(|p| !out.contains(p));
    match (full, none) {
        (true, _) => "full",
        (false, true) => "masked",
        _ => "partly",
    }
}

/// Walks one role's column: every action, observed.
fn observe(ws: &Ws, login: &str) -> BTreeMap<&'static str, String> {
    let mut got: BTreeMap<&'static str, String> = BTreeMap::new();
    macro_rules! put {
        ($k:expr, $v:expr $(,)?) => {
            got.insert($k, $v.to_string())
        };
    }

    // See: which appeals `list` and `show` give.
    let listed = ws.output(login, &["list", "--json"]);
    let shown = KEYS.map(|k| ws.output(login, &["show", k, "--json"]));
    let list_scope = listed.as_deref().map_or([false; 3], seen_in);
    let show_scope = [0, 1, 2].map(|i| shown[i].is_some());
    assert_eq!(list_scope, show_scope, "{login}: list and show disagree");
    put!("see appeals", scope(list_scope));

    // Personal data: in full on their appeals, masked (text included) wherever else shown.
    let pd = [0, 1].map(|i| shown[i].as_deref().map(personal_data));
    for (i, p) in pd.iter().enumerate() {
        assert_ne!(*p, Some("partly"), "{login} {}: {:?}", KEYS[i], shown[i]);
    }
    put!(
        "see personal data",
        match pd {
            [Some("full"), Some("full")] => "all",
            [Some("full"), None] => "own",
            [Some("masked") | None, Some("masked") | None] => "no",
            _ => "unexpected",
        },
    );
    if let Some(l) = &listed {
        let p = personal_data(l);
        assert!(
            p == "masked" || pd.contains(&Some("full")),
            "{login} list leaks: {l}"
        );
    }

    let reports = [
        &["stats", "--json"][..],
        &[
            "rank",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
        &["hot", "--now", "2026-11-27T12:00:00+03:00", "--json"],
        &[
            "targets",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
        &[
            "conflicts",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--json",
        ],
        &["recipients"],
    ]
    .map(|args| ws.allowed(login, args));
    assert!(
        reports.iter().all(|r| *r == reports[0]),
        "{login}: reports {reports:?}"
    );
    put!("reports", yes(reports[0]));
    put!(
        "list operators",
        yes(ws.allowed(login, &["operator", "list"]))
    );

    // classify --pending first, while all three are still untriaged.
    let pending = ws.output(
        login,
        &[
            "classify",
            "--pending",
            "--json",
            "--now",
            "2026-11-27 12:00",
        ],
    );
    let triaged = pending.as_deref().map_or([false; 3], |out| {
        let ids: Vec<i64> = out
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["appeal_id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        KEYS.map(|k| ids.contains(&appeal_id(ws, k)))
    });
    put!(
        "classify --pending",
        if pending.is_some() && triaged == [false; 3] {
            "none triaged"
        } else {
            scope(triaged)
        },
    );
    // The rest are triaged by the head, so duplicates are proposed.
    ws.ok(
        HEAD,
        &["classify", "--pending", "--now", "2026-11-27 12:00"],
    );

    // dups: the housing appeal is proposed as a duplicate of the roads one.
    let dups = ws.output(login, &["dups", "--json"]);
    put!(
        "dups",
        match dups.as_deref() {
            None => "no",
            Some(d) => {
                let v: serde_json::Value = serde_json::from_str(d).unwrap();
                let texts: Vec<(i64, String)> = v
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|g| {
                        std::iter::once(&g["original"]).chain(g["members"].as_array().unwrap())
                    })
                    .map(|m| {
                        (
                            m["id"].as_i64().unwrap(),
                            m["text"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect();
                let with_text = |k: &str| {
                    texts
                        .iter()
                        .any(|(id, t)| *id == appeal_id(ws, k) && t.contains("огромная яма"))
                };
                match (with_text("pos:R-1"), with_text("pos:H-1")) {
                    (true, true) => "all",
                    (true, false) => "own",
                    (false, false) => "none shown",
                    (false, true) => "unexpected",
                }
            }
        },
    );

    // rank --explain: which appeals are listed behind the recipient's figures.
    let explained = ws.output(
        login,
        &[
            "rank",
            "--explain",
            RECIPIENT,
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--now",
            "2026-11-27 12:00",
            "--json",
        ],
    );
    put!(
        "rank --explain",
        match explained.as_deref().map(seen_in) {
            None => "no",
            Some([r, h, _]) => scope([r, h, r && h]),
        },
    );

    // Changes, each on the three appeals.
    let on_each = |args: &[&str]| {
        KEYS.map(|k| {
            let mut a = vec!["set", k];
            a.extend_from_slice(args);
            ws.allowed(login, &a)
        })
    };
    put!("triage", scope(on_each(&["--urgent", "true"])));
    let conflict = on_each(&["--conflict", "true"]);
    assert_eq!(scope(conflict), got["triage"], "{login}: conflict mark");
    put!(
        "record answers",
        scope(on_each(&[
            "--answer",
            "Засыпали",
            "--answered-at",
            "2026-11-27 10:00"
        ])),
    );
    let quality = on_each(&["--quality", "substantive"]);
    let rating = on_each(&["--rating", "5"]);
    assert_eq!(
        quality, rating,
        "{login}: the grade and the rating go together"
    );
    put!("grade answers", scope(quality));

    put!(
        "export with personal data",
        yes(ws.allowed(login, &["export", "--with-personal-data"])),
    );
    put!(
        "add recipients",
        yes(ws.allowed(login, &["recipients", "add", &format!("Отдел {login}")])),
    );
    let manage = ws.allowed(
        login,
        &[
            "operator",
            "add",
            &format!("new-{login}"),
            "--name",
            "Н",
            "--role",
            "observer",
        ],
    );
    put!("manage operators", yes(manage));
    let audit = [
        ws.allowed(login, &["audit", "verify"]),
        ws.allowed(login, &["audit", "log"]),
    ];
    assert_eq!(audit[0], audit[1], "{login}: audit verify and log");
    put!("audit trail", yes(audit[0]));
    put!(
        "purge old files",
        yes(ws.allowed(login, &["purge", "--before", "2020-01-01", "--dry-run"])),
    );

    // The registers: reading them, keeping roadmaps and templates, the pages registry.
    let read = [
        &["roadmap", "list", "--json"][..],
        &["pages", "list", "--json"],
        &["votes", "list", "--json"],
        &["templates", "list", "--json"],
    ]
    .map(|args| ws.allowed(login, args));
    assert!(
        read.iter().all(|r| *r == read[0]),
        "{login}: registers {read:?}"
    );
    put!("see registers", yes(read[0]));
    let tpl = format!("t_{login}");
    let keep = [
        ws.allowed(login, &["roadmap", "add", "--title", "Ямы на Центральной"]),
        ws.allowed(
            login,
            &[
                "templates",
                "add",
                &tpl,
                "--kind",
                "final",
                "--text",
                "Яма заделана {date}.",
            ],
        ),
    ];
    assert_eq!(keep[0], keep[1], "{login}: roadmaps and templates");
    put!("keep registers", yes(keep[0]));
    let pages = dir_file(ws, &format!("{login}-pages.csv"));
    std::fs::write(
        &pages,
        "body;platform;url;category\nАдминистрация;vk;https://vk.com/adm_okrug;флагманский\n",
    )
    .unwrap();
    put!(
        "keep the pages registry",
        yes(ws.allowed(login, &["pages", "import", pages.to_str().unwrap()])),
    );
    put!(
        "take appeals by hand",
        yes(ws.allowed(
            login,
            &[
                "add",
                "--channel",
                "phone",
                "--text",
                "Не горит фонарь у школы"
            ],
        )),
    );

    // Roadmaps from a table (Excel or CSV), as the МЦУ keeps them.
    let roadmaps = dir_file(ws, &format!("{login}-roadmaps.csv"));
    std::fs::write(
        &roadmaps,
        "title;n;measure\nОсвещение Школьной;1;Заменить фонари\n",
    )
    .unwrap();
    put!(
        "import roadmaps",
        yes(ws.allowed(login, &["roadmap", "import", roadmaps.to_str().unwrap()])),
    );
    // The registers to files: roadmaps and votes (`pages export` is in «see registers»).
    let exported = ["roadmap", "votes"].map(|register| {
        let file = dir_file(ws, &format!("{login}-{register}.xlsx"));
        let allowed = ws.allowed(
            login,
            &[register, "export", "-o", file.to_str().unwrap(), "--json"],
        );
        assert_eq!(
            allowed,
            file.exists(),
            "{login} {register} export: the file"
        );
        allowed
    });
    assert!(
        exported.iter().all(|e| *e == exported[0]),
        "{login}: exports {exported:?}"
    );
    put!("export the registers", yes(exported[0]));

    // Keys for mcu serve: add one to another operator, list them, remove one the head added.
    let dir = ws.root.parent().unwrap();
    let theirs = keygen(dir, &format!("{login}-key"));
    let theirs = format!("{}.pub", theirs.display());
    let added = ws.allowed(login, &["operator", "key", "add", "obs", "--key", &theirs]);
    let listed = ws.allowed(login, &["operator", "key", "list", "--json"]);
    let heads = keygen(dir, &format!("{login}-head-key"));
    let heads: serde_json::Value = serde_json::from_str(&ws.ok(
        HEAD,
        &[
            "operator",
            "key",
            "add",
            "obs",
            "--key",
            &format!("{}.pub", heads.display()),
            "--json",
        ],
    ))
    .unwrap();
    let fp = heads["fingerprint"].as_str().unwrap();
    let removed = ws.allowed(login, &["operator", "key", "remove", "obs", fp]);
    assert!(
        added == listed && listed == removed,
        "{login}: key add {added}, list {listed}, remove {removed}"
    );
    let keys = ws.ok(HEAD, &["operator", "key", "list", "--json"]);
    assert_eq!(keys.contains(fp), !removed, "{login}: {keys}");
    put!("manage ssh keys", yes(added));
    put!(
        "see who is connected",
        yes(ws.allowed(login, &["operator", "sessions", "--json"])),
    );

    // Import last: it adds an appeal.
    let csv = dir_file(ws, &format!("{login}.csv"));
    std::fs::write(
        &csv,
        format!("id;channel;received_at;text\n{login}-1;im;2026-11-25 10:00;Новое обращение\n"),
    )
    .unwrap();
    put!(
        "import",
        yes(ws.allowed(login, &["import", "--no-triage", csv.to_str().unwrap()])),
    );
    got
}

fn appeal_id(ws: &Ws, key: &str) -> i64 {
    let v: serde_json::Value =
        serde_json::from_str(&ws.ok(HEAD, &["show", key, "--json"])).unwrap();
    v["id"].as_i64().unwrap()
}

/// Cells by (action, role).
type Cells = BTreeMap<(String, String), String>;

/// The matrix: its actions, its roles, and (action, role) → cell.
fn expected() -> (Vec<String>, Vec<String>, Cells) {
    let mut lines = MATRIX.lines().map(str::trim).filter(|l| l.starts_with('|'));
    let cells = |l: &str| -> Vec<String> {
        l.trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let header = cells(lines.next().unwrap());
    let roles: Vec<String> = header[1..].to_vec();
    let mut actions = Vec::new();
    let mut m = BTreeMap::new();
    for l in lines.filter(|l| !l.starts_with("|-")) {
        let c = cells(l);
        actions.push(c[0].clone());
        for (r, v) in roles.iter().zip(&c[1..]) {
            m.insert((c[0].clone(), r.clone()), v.clone());
        }
    }
    (actions, roles, m)
}

#[test]
fn every_role_and_every_action_as_readme_says() {
    if !is_root() {
        return;
    }
    let (actions, roles, want) = expected();
    assert_eq!(roles.len(), LOGINS.len());
    // Each role on a workspace of its own, side by side.
    let observed: Vec<(&str, BTreeMap<&str, String>)> = std::thread::scope(|s| {
        let running: Vec<_> = LOGINS
            .iter()
            .map(|&(role, login)| s.spawn(move || (role, observe(&workspace(), login))))
            .collect();
        running.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut wrong = Vec::new();
    for (role, got) in observed {
        assert!(roles.iter().any(|r| r == role), "{role} not in the matrix");
        for a in &actions {
            let w = &want[&(a.clone(), role.to_string())];
            let g = got
                .get(a.as_str())
                .cloned()
                .unwrap_or_else(|| "not walked".into());
            if &g != w {
                wrong.push(format!("{a} × {role}: README says {w}, mcu did {g}"));
            }
        }
        assert_eq!(got.len(), actions.len(), "{role}: actions walked {got:?}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// An account that is not an operator is refused by every command that reads or changes the
/// workspace — and told what to ask for; only the commands that read no appeal run.
#[test]
fn an_account_that_is_not_an_operator_is_refused_everywhere() {
    if !is_root() {
        return;
    }
    let ws = workspace();
    let csv = dir_file(&ws, "in.csv");
    let csv = csv.to_str().unwrap();
    let out = dir_file(&ws, "stranger-export.csv");
    let out = out.to_str().unwrap();
    for args in [
        &["console"][..],
        &["init"],
        &["list"],
        &["show", "pos:R-1"],
        &["set", "pos:R-1", "--urgent", "true"],
        &["set", "pos:R-1", "--note", "заметка"],
        &["export"],
        &["stats"],
        &["rank"],
        &["rank", "--explain", RECIPIENT],
        &["hot"],
        &["targets"],
        &["conflicts"],
        &["dups"],
        &["classify"],
        &["classify", "--pending"],
        &["audit", "verify"],
        &["audit", "log"],
        &["operator", "list"],
        &["operator", "add", "me", "--name", "Я", "--role", "head"],
        &["operator", "key", "list"],
        &["operator", "sessions"],
        &["roadmap", "import", csv],
        &["roadmap", "export", "-o", out],
        &["votes", "export", "-o", out],
        &["recipients"],
        &["recipients", "add", "Отдел"],
        &["import", csv],
        &["import", "--inbox"],
        &["watch"],
    ] {
        let out = ws.run("stranger", args, "{\"text\": \"яма\"}\n");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains("mcu operator add stranger"),
            "stranger {args:?}: {:?} {}{err}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert!(
        !std::path::Path::new(out).exists(),
        "a file written for the stranger"
    );
    // Nothing changed, nothing audited as the stranger.
    let log = ws.ok(HEAD, &["audit", "log", "--json"]);
    assert!(!log.contains("stranger"), "{log}");
    let v: serde_json::Value =
        serde_json::from_str(&ws.ok(HEAD, &["show", "pos:R-1", "--json"])).unwrap();
    assert_eq!(v["urgent"].as_bool(), Some(false));
    // Computing a deadline reads only the rules.
    ws.ok(
        "stranger",
        &[
            "deadline",
            "--channel",
            "im",
            "--received",
            "2026-11-27 16:30",
        ],
    );
}

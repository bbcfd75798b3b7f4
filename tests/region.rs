//! The region (ЦУР) over three municipalities of one PostgreSQL database, each with hand-made
//! appeals imported in its own workspace: `mcu region rank` against each municipality's own
//! `mcu rank` and `mcu stats`, volume per 1,000 inhabitants from the population, the
//! `--municipality` filter, `mcu region monitor` against `mcu stats`, the region operators (an
//! ordinary operator is refused), and the SQLite workspace's message.
//! The PostgreSQL server is `MCU_TEST_PG` (CI starts one), else a private cluster the tests start.

#![allow(clippy::unwrap_used)] // test helpers may panic: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::pg::TestDb;

const NOW: &str = "2026-11-28T12:00:00+03:00";
const PERIOD: [&str; 6] = ["--from", "2026-11-01", "--to", "2026-11-28", "--now", NOW];

/// `mcu --workspace WS ARGS` as `who` (root may play any operator with `MCU_AS`).
fn mcu(ws: &Path, who: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mcu"));
    c.arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("MCU_HOME")
        .env_remove("MCU_DB")
        .env_remove("MCU_MUNICIPALITY")
        .env_remove("MCU_AS");
    if let Some(w) = who {
        c.env("MCU_AS", w);
    }
    c.output().expect("mcu runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(ws: &Path, who: Option<&str>, args: &[&str]) -> String {
    let out = mcu(ws, who, args);
    assert!(
        out.status.success(),
        "mcu {}: {}\n{}",
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn json(ws: &Path, who: Option<&str>, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let s = ok(ws, who, &all);
    serde_json::from_str(&s)
        .unwrap_or_else(|e| panic!("mcu {}: not JSON ({e}): {s}", all.join(" ")))
}

/// One appeal row of a ПОС export: number, received, responsible, status, answered, rating.
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

fn pos_csv(rows: &[Row]) -> Vec<u8> {
    let mut s = String::from(
        "Номер сообщения;Дата создания;Категория;Текст сообщения;Населённый пункт;ФИО заявителя;\
         Обращение по 59-ФЗ;Ответственный;Статус;Дата ответа;Оценка\r\n",
    );
    for (n, received, who, status, answered, rating) in rows {
        s.push_str(&format!(
            "{n};{received};ЖКХ;Нет воды в колонке на улице Садовой, дом {n};д. Липовка;\
             Громов П. С.;Нет;{who};{status};{answered};{rating}\r\n"
        ));
    }
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(&s);
    assert!(!bad);
    bytes.into_owned()
}

/// The database, the ЦУР's workspace and three municipalities' workspaces, with their appeals.
struct Region {
    _db: TestDb,
    _dir: tempfile::TempDir,
    cur: PathBuf,
    mo: Vec<(&'static str, PathBuf)>,
}

const HEAD: &str = "cur_head";
const OBSERVER: &str = "cur_obs";

fn region() -> Region {
    let db = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let cur = dir.path().join("cur");
    std::fs::create_dir_all(&cur).unwrap();
    std::fs::write(
        cur.join("config.toml"),
        format!("[store]\nurl = \"{}\"\n", db.url()),
    )
    .unwrap();
    let data: [(&str, Vec<Row>); 3] = [
        // Every answer in time, rated 5.
        (
            "alfa",
            vec![
                (
                    "1",
                    "02.11.2026 09:00",
                    "Отдел ЖКХ",
                    "Дан ответ",
                    "05.11.2026 10:00",
                    "5",
                ),
                (
                    "2",
                    "03.11.2026 09:00",
                    "Отдел ЖКХ",
                    "Дан ответ",
                    "06.11.2026 10:00",
                    "5",
                ),
                (
                    "3",
                    "04.11.2026 09:00",
                    "Отдел дорог",
                    "Дан ответ",
                    "06.11.2026 10:00",
                    "4",
                ),
                (
                    "4",
                    "05.11.2026 09:00",
                    "Отдел дорог",
                    "Дан ответ",
                    "09.11.2026 10:00",
                    "5",
                ),
            ],
        ),
        // Half answered in time, half open and overdue; the answers rated well.
        (
            "beta",
            vec![
                (
                    "1",
                    "02.11.2026 09:00",
                    "Отдел ЖКХ",
                    "Дан ответ",
                    "05.11.2026 10:00",
                    "5",
                ),
                ("2", "03.11.2026 09:00", "Отдел ЖКХ", "В работе", "", ""),
                (
                    "3",
                    "04.11.2026 09:00",
                    "Отдел дорог",
                    "Дан ответ",
                    "06.11.2026 10:00",
                    "5",
                ),
                ("4", "05.11.2026 09:00", "Отдел дорог", "Новое", "", ""),
            ],
        ),
        // One answered late and rated badly, one in time, one open but not due yet — and one
        // nobody is responsible for, open and overdue: it counts against the municipality.
        (
            "gamma",
            vec![
                (
                    "1",
                    "02.11.2026 09:00",
                    "Отдел ЖКХ",
                    "Дан ответ",
                    "26.11.2026 10:00",
                    "2",
                ),
                (
                    "2",
                    "03.11.2026 09:00",
                    "Отдел ЖКХ",
                    "Дан ответ",
                    "05.11.2026 10:00",
                    "4",
                ),
                ("3", "27.11.2026 09:00", "Отдел ЖКХ", "В работе", "", ""),
                ("4", "04.11.2026 09:00", "", "Новое", "", ""),
            ],
        ),
    ];
    let mut mo = Vec::new();
    for (code, rows) in data {
        let root = dir.path().join(code);
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join("config.toml"),
            format!(
                "[store]\nurl = \"{}\"\nmunicipality = \"{code}\"\n",
                db.url()
            ),
        )
        .unwrap();
        ok(&root, None, &["init"]);
        let csv = root.join("pos.csv");
        std::fs::write(&csv, pos_csv(&rows)).unwrap();
        let out = json(
            &root,
            None,
            &[
                "import",
                "--channel",
                "pos",
                "--now",
                NOW,
                csv.to_str().unwrap(),
            ],
        );
        assert_eq!(out[0]["inserted"], 4, "{code}: {out}");
        mo.push((code, root));
    }
    // The region's operators: the first is a head, who adds an observer.
    ok(
        &cur,
        Some(HEAD),
        &[
            "region",
            "operator",
            "add",
            HEAD,
            "--name",
            "Руководитель ЦУР",
            "--role",
            "head",
        ],
    );
    ok(
        &cur,
        Some(HEAD),
        &[
            "region",
            "operator",
            "add",
            OBSERVER,
            "--name",
            "Наблюдатель",
            "--role",
            "observer",
        ],
    );
    for (code, name, pop) in [
        ("alfa", "Альфинский округ", Some("10000")),
        ("beta", "Бетинский округ", Some("2000")),
        ("gamma", "Гаммский округ", None),
    ] {
        let mut args = vec!["region", "municipality", "set", code, "--name", name];
        if let Some(p) = pop {
            args.extend(["--population", p]);
        }
        ok(&cur, Some(HEAD), &args);
    }
    Region {
        _db: db,
        _dir: dir,
        cur,
        mo,
    }
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// A municipality's facts summed from its own `mcu rank` rows (every appeal here has a
/// recipient with at least two, except gamma's unassigned one, added from `mcu stats`).
fn own_facts(rows: &Value) -> [u64; 5] {
    let mut f = [0; 5];
    for r in rows.as_array().unwrap() {
        for (i, k) in ["volume", "answered", "on_time", "open_overdue", "good"]
            .iter()
            .enumerate()
        {
            f[i] += u(&r[*k]);
        }
    }
    f
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_region_ranks_municipalities_by_their_own_figures() {
    if !common::operators::is_root() {
        return;
    }
    let r = region();
    let mut args = vec!["region", "rank"];
    args.extend(PERIOD);
    let got = json(&r.cur, Some(OBSERVER), &args);
    let rows = got["rows"].as_array().unwrap();
    let order: Vec<&str> = rows.iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert_eq!(order, ["alfa", "beta", "gamma"], "{got:#}");

    for (code, root) in &r.mo {
        let row = rows.iter().find(|x| x["code"] == *code).unwrap();
        let mut own_args = vec!["rank"];
        own_args.extend(PERIOD);
        let own = json(root, None, &own_args);
        let mut f = own_facts(&own);
        let mut rated = 0;
        for x in own.as_array().unwrap() {
            rated += u(&x["rated"]);
        }
        if *code == "gamma" {
            // The appeal nobody is responsible for: open and overdue by now (mcu stats says so).
            let stats = json(
                root,
                None,
                &[
                    "stats",
                    "--from",
                    "2026-11-01",
                    "--to",
                    "2026-11-28",
                    "--now",
                    NOW,
                ],
            );
            assert_eq!(u(&stats["total"]), 4);
            assert_eq!(u(&stats["overdue"]), 1, "{stats:#}");
            f[0] += 1;
            f[3] += 1;
        }
        let [volume, answered, on_time, open_overdue, good] = f;
        assert_eq!(u(&row["volume"]), volume, "{code}");
        assert_eq!(u(&row["answered"]), answered, "{code}");
        assert_eq!(u(&row["on_time"]), on_time, "{code}");
        assert_eq!(u(&row["open_overdue"]), open_overdue, "{code}");
        assert_eq!(u(&row["good"]), good, "{code}");
        assert_eq!(u(&row["rated"]), rated, "{code}");
        // The recipients' formula: timeliness 0.5, satisfaction 0.2 (no graded answers: quality
        // is left out with its weight).
        let t = on_time as f64 / (answered + open_overdue) as f64;
        let s = good as f64 / rated as f64;
        let score = 100.0 * (0.5 * t + 0.2 * s) / 0.7;
        assert!(
            close(row["score"].as_f64().unwrap(), score),
            "{code}: {row}"
        );
        assert!(
            close(row["timeliness"].as_f64().unwrap(), t),
            "{code}: {row}"
        );
        assert!(row["quality"].is_null(), "{code}: {row}");
        assert!(row["prev_rank"].is_null(), "{code}: nothing in October");
    }
    // Hand-checked figures: alfa 4/4 in time, all rated 4–5 → 100; beta 2 of 4 → 64.3; gamma
    // 1 of 3 (one late, one unassigned and overdue), one of two ratings good → 38.1.
    let score = |c: &str| {
        rows.iter().find(|x| x["code"] == c).unwrap()["score"]
            .as_f64()
            .unwrap()
    };
    assert!(close(score("alfa"), 100.0));
    assert!((score("beta") - 64.2857).abs() < 1e-3, "{}", score("beta"));
    assert!(
        (score("gamma") - 38.0952).abs() < 1e-3,
        "{}",
        score("gamma")
    );

    // Per 1,000 inhabitants from the population; none without one.
    let per = |c: &str| rows.iter().find(|x| x["code"] == c).unwrap()["per_1000"].clone();
    assert_eq!(per("alfa").as_f64(), Some(0.4));
    assert_eq!(per("beta").as_f64(), Some(2.0));
    assert!(per("gamma").is_null());
    assert_eq!(u(&got["region"]["volume"]), 12);
    assert!(got["region"]["population"].is_null(), "gamma's is unknown");

    // The text shows the same places.
    let txt = ok(
        &r.cur,
        Some(OBSERVER),
        &[&["region", "rank"][..], &PERIOD].concat(),
    );
    assert!(txt.contains("Рейтинг муниципалитетов"), "{txt}");
    let line = txt.lines().find(|l| l.contains("Бетинский")).unwrap();
    assert!(
        line.trim_start().starts_with('2') && line.contains("64.3"),
        "{line}"
    );

    // The population changed: the figure follows.
    ok(
        &r.cur,
        Some(HEAD),
        &[
            "region",
            "municipality",
            "set",
            "gamma",
            "--population",
            "500",
        ],
    );
    let got = json(&r.cur, Some(OBSERVER), &args);
    let g = got["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "gamma")
        .unwrap();
    assert_eq!(g["per_1000"].as_f64(), Some(8.0));
    assert_eq!(u(&got["region"]["population"]), 12500);

    // The filter: only the named ones, with their places in the whole region.
    let mut filtered = vec!["--municipality", "gamma,alfa"];
    filtered.extend(&args);
    let got = json(&r.cur, Some(OBSERVER), &filtered);
    let shown: Vec<(String, u64)> = got["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["code"].as_str().unwrap().to_string(), u(&x["rank"])))
        .collect();
    assert_eq!(shown, [("alfa".to_string(), 1), ("gamma".to_string(), 3)]);
    assert_eq!(u(&got["region"]["volume"]), 12, "the region stays whole");
    let bad = mcu(
        &r.cur,
        Some(OBSERVER),
        &["--municipality", "omega", "region", "rank"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("нет муниципалитета «omega»"),
        "{}",
        text(&bad.stderr)
    );

    // The list of municipalities with their population.
    let list = json(&r.cur, Some(OBSERVER), &["region", "municipalities"]);
    let pops: Vec<(String, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["code"].as_str().unwrap().to_string(),
                m["population"].clone(),
            )
        })
        .collect();
    assert_eq!(
        pops,
        [
            ("alfa".to_string(), Value::from(10000)),
            ("beta".to_string(), Value::from(2000)),
            ("gamma".to_string(), Value::from(500)),
        ]
    );

    // Monitoring: each municipality's panels are its own `mcu stats` and `mcu rank`.
    let mut margs = vec!["region", "monitor"];
    margs.extend(PERIOD);
    let mon = json(&r.cur, Some(OBSERVER), &margs);
    let mut open_sum = 0;
    for (code, root) in &r.mo {
        let p = mon["municipalities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == *code)
            .unwrap();
        let stats = json(
            root,
            None,
            &[
                "stats",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-28",
                "--now",
                NOW,
            ],
        );
        assert_eq!(p["incoming"]["received"], stats["total"], "{code}");
        assert_eq!(
            p["incoming"]["received_overdue"], stats["overdue"],
            "{code}"
        );
        assert_eq!(p["blocks"], stats["monitoring"]["blocks"], "{code}");
        assert_eq!(
            p["incoming"]["unassigned_open"], stats["monitoring"]["unassigned_open"],
            "{code}"
        );
        let mut own_args = vec!["rank"];
        own_args.extend(PERIOD);
        assert_eq!(p["recipients"], json(root, None, &own_args), "{code}");
        open_sum += u(&p["incoming"]["open"]);
    }
    assert_eq!(u(&mon["region"]["incoming"]["open"]), open_sum);
    assert_eq!(u(&mon["region"]["incoming"]["received"]), 12);
    let region_overdue: u64 = mon["region"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| u(&b["overdue"]))
        .sum();
    assert_eq!(region_overdue, u(&mon["region"]["incoming"]["overdue"]));
    assert_eq!(
        u(&mon["region"]["incoming"]["overdue"]),
        3,
        "beta 2, gamma 1: {mon:#}"
    );
    let txt = ok(&r.cur, Some(OBSERVER), &margs);
    assert!(txt.contains("Просрочено по блокам — Регион"), "{txt}");
}

#[test]
fn only_the_region_operators_see_the_region() {
    if !common::operators::is_root() {
        return;
    }
    let r = region();
    // An ordinary operator: the head of a municipality, not of the region.
    let out = mcu(&r.cur, None, &["region", "rank", "--now", NOW]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("не оператор региона"), "{err}");
    assert!(err.contains("mcu region operator add"), "{err}");
    let out = mcu(&r.cur, None, &["region", "monitor", "--now", NOW]);
    assert_eq!(out.status.code(), Some(1));
    // Nor may they add themselves.
    let out = mcu(
        &r.cur,
        None,
        &[
            "region", "operator", "add", "root", "--name", "Я", "--role", "observer",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("руководитель ЦУР"));
    // An observer reads, but does not keep the municipalities or the operators.
    let out = mcu(
        &r.cur,
        Some(OBSERVER),
        &["region", "municipality", "set", "alfa", "--population", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("руководитель ЦУР"),
        "{}",
        text(&out.stderr)
    );
    let out = mcu(
        &r.cur,
        Some(OBSERVER),
        &["region", "operator", "remove", HEAD],
    );
    assert_eq!(out.status.code(), Some(1));
    // A municipality's role is not a region's; the last head stays.
    let out = mcu(
        &r.cur,
        Some(HEAD),
        &[
            "region",
            "operator",
            "add",
            "x",
            "--name",
            "X",
            "--role",
            "coordinator",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = mcu(&r.cur, Some(HEAD), &["region", "operator", "remove", HEAD]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("единственный"),
        "{}",
        text(&out.stderr)
    );
    let ops = json(&r.cur, Some(OBSERVER), &["region", "operator", "list"]);
    assert_eq!(ops.as_array().unwrap().len(), 2);
    // A municipality added by the head is ready for its workspace, and ranked (unranked: empty).
    ok(
        &r.cur,
        Some(HEAD),
        &[
            "region",
            "municipality",
            "add",
            "delta",
            "--name",
            "Дельтинский округ",
            "--population",
            "3000",
        ],
    );
    let got = json(
        &r.cur,
        Some(OBSERVER),
        &[&["region", "rank"][..], &PERIOD].concat(),
    );
    let last = got["rows"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["code"], "delta");
    assert!(last["rank"].is_null(), "{last}");
    assert_eq!(u(&last["volume"]), 0);
    assert_eq!(last["per_1000"].as_f64(), Some(0.0));
}

#[test]
fn an_sqlite_workspace_is_one_municipality() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("okrug");
    ok(&ws, None, &["init"]);
    for cmd in [
        &["region", "rank"][..],
        &["region", "monitor"],
        &["region", "municipalities"],
    ] {
        let out = mcu(&ws, None, cmd);
        assert_eq!(out.status.code(), Some(1), "{cmd:?}");
        let err = text(&out.stderr);
        assert!(err.contains("один муниципалитет"), "{err}");
        assert!(
            err.contains("PostgreSQL") && err.contains("mcu rank"),
            "{err}"
        );
    }
}

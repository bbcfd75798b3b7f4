//! `mcu classify`, `mcu eval`, `mcu dups` and the hidden `mcu bench triage`: auto-triage from the
//! command line.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::output::{fit, print_json, short};
use super::{CmdResult, Failure, usage};
use crate::domain::access::{Action, Grants};
use crate::domain::triage::eval::{self, Report};
use crate::domain::triage::features::FeatureOptions;
use crate::domain::triage::model::{Method, TrainParams};
use crate::domain::triage::similarity::Signature;
use crate::domain::triage::{Indexed, Recipe, Triage, TriageData};
use crate::domain::{Blocks, Channel};
use crate::reference::Reference;
use crate::store::{AUTO_TRIAGE_SOURCE, DuplicateGroup, GroupMember, Store};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// One JSON object per output line: {"id", "block", "confidence", "settlement", "responsible", "urgent", "conflict"}
    #[arg(long)]
    json: bool,
    /// Instead of stdin: triage the workspace's appeals not triaged yet, as import does (sets what
    /// triage.toml allows, audited with source auto-triage), and print what was done
    #[arg(long)]
    pending: bool,
    /// With --pending: the time recorded for the changes (default: now)
    #[arg(long, value_name = "TS", requires = "pending")]
    now: Option<String>,
    /// With --pending: print the bytes written (`written_bytes: N`) on stderr at the end; used by
    /// `mcu bench triage --end-to-end`
    #[arg(long, hide = true, requires = "pending")]
    io_stats: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A labelled JSON Lines file (id, channel, text, settlement, block, urgent, conflict, dup_group)
    file: PathBuf,
    /// Cross-validate instead: k folds of the file, each predicted by models trained on the seeds
    /// and the other folds; compares the candidate methods
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// With --cv: write the fold of every id to this JSON file (for benches/baseline_tfidf.py)
    #[arg(long, value_name = "PATH", requires = "cv")]
    folds_out: Option<PathBuf>,
    /// Try this duplicate threshold (the same block) instead of triage.toml's, for choosing it on
    /// labelled pairs; the threshold for another block stays at least as high
    #[arg(long, value_name = "X")]
    dup_threshold: Option<f32>,
    /// Only the appeals of this part of the file (its `split` field: train, validation, test)
    #[arg(long, value_name = "PART")]
    split: Option<String>,
    /// Exit 1 (after the report) when the urgent recall on the file is below R — for CI on the
    /// held-out part of the corpus
    #[arg(long, value_name = "R")]
    min_urgent_recall: Option<f64>,
    /// Also write every pair the duplicate judge looks at, with its features, label and score,
    /// to this JSON Lines file (for fitting the pair scorer)
    #[arg(long, value_name = "PATH")]
    pairs_out: Option<PathBuf>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct DupsArgs {
    /// Also groups whose members are all linked or closed
    #[arg(long)]
    all: bool,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

/// `mcu bench triage`: classification speed on one core, training time, and duplicate search on
/// a large index.
#[derive(Args, Debug)]
pub struct BenchTriageArgs {
    /// Appeals in the similarity index
    #[arg(long, default_value_t = 1_000_000)]
    appeals: usize,
    /// New appeals searched for duplicates
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    /// Texts classified for the speed figure
    #[arg(long, default_value_t = 20_000)]
    classify: usize,
    /// Take the texts to classify from this JSON Lines file (a `text` per line; default: the seeds)
    #[arg(long, value_name = "FILE")]
    texts: Option<PathBuf>,
    /// Officers' examples for the training-time figure
    #[arg(long, default_value_t = 5000)]
    officer: usize,
    /// Days the indexed appeals are spread over
    #[arg(long, default_value_t = 730)]
    days: i64,
    /// Database file for the index (default: a temporary file, removed afterwards)
    #[arg(long)]
    index_db: Option<PathBuf>,
    /// Instead: auto-triage end to end on N realistic appeals of the demo generator — import with
    /// triage against the same import without, `classify --pending` on a copy of the untriaged
    /// workspace, the sqlite3 shell's `.import` beside them; appeals/s and bytes written
    #[arg(long, value_name = "N")]
    end_to_end: Option<u64>,
    /// With --end-to-end: where the CSV (kept and reused) and the workspaces go
    #[arg(
        long,
        value_name = "DIR",
        default_value = "bench-out",
        requires = "end_to_end"
    )]
    dir: PathBuf,
    /// With --end-to-end: runs (the two imports alternate their order); medians are reported
    #[arg(long, value_name = "N", default_value_t = 3, requires = "end_to_end")]
    runs: usize,
    /// With --end-to-end: the generator's seed
    #[arg(long, value_name = "N", default_value_t = 1, requires = "end_to_end")]
    seed: u64,
    /// With --end-to-end: keep the workspaces afterwards
    #[arg(long, requires = "end_to_end")]
    keep: bool,
    /// Machine-readable output (one object with every figure)
    #[arg(long)]
    json: bool,
}

#[derive(serde::Deserialize)]
struct ClassifyLine {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    category: Option<String>,
}

/// `mcu classify`: JSON Lines on stdin, one suggestion per line on stdout.
pub fn classify(ws: &Workspace, a: ClassifyArgs) -> CmdResult {
    // The model is trained on the workspace's appeals: for its operators only.
    let (mut store, grants) = super::session(ws)?;
    if a.pending {
        super::require(
            grants.may_some(Action::Triage),
            "triage (classify --pending)",
        )?;
    }
    let triage = store.load_triage(Some(ws.root()))?;
    if a.pending {
        let tz = store.reference().calendar.timezone();
        let now = super::instant(a.now.as_deref(), tz, "--now")?;
        // Only the appeals this operator may triage: a block lead's blocks, page comments for
        // the pages officer.
        let actor = crate::store::Actor::operator(grants, AUTO_TRIAGE_SOURCE);
        let mut fault = crate::ingest::triage::Fault::from_env();
        let run = store.triage_pending_with(&triage, &actor, now, usize::MAX >> 1, &mut |_| {
            fault.before_appeal()
        });
        let done = &run.outcomes;
        if a.json {
            for o in done {
                println!("{}", serde_json::to_string(o)?);
            }
            for f in &run.failed {
                println!("{}", json!({"appeal_id": f.appeal_id, "error": f.reason}));
            }
        } else {
            let applied = done.iter().filter(|o| !o.applied.is_empty()).count();
            let dups = done
                .iter()
                .filter(|o| o.verdict.duplicate_of.is_some())
                .count();
            let repeats = done
                .iter()
                .filter(|o| o.verdict.repeat_of.is_some())
                .count();
            println!(
                "разобрано автоматически: {} обращений; изменено {applied}; предложено дублей {dups}; повторных {repeats}",
                done.len()
            );
            for f in &run.failed {
                println!(
                    "обращение №{}: авторазбор не удался ({}); пропущено, разберите вручную",
                    f.appeal_id, f.reason
                );
            }
        }
        if a.io_stats
            && let Some(b) = super::bench::written_bytes()
        {
            eprintln!("written_bytes: {b}");
        }
        if let Some(why) = run.stopped {
            return Err(Failure {
                code: 1,
                message: format!(
                    "auto-triage stopped: {why}; {} appeals still pending (run mcu classify --pending again)",
                    run.pending
                ),
            });
        }
        return Ok(0);
    }
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut bad = 0;
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let l: ClassifyLine = match serde_json::from_str(&line) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("mcu: stdin line {}: {e}", i + 1);
                bad += 1;
                continue;
            }
        };
        let channel = match l.channel.as_deref().map(str::parse::<Channel>) {
            Some(Err(e)) => {
                eprintln!("mcu: stdin line {}: {e}", i + 1);
                bad += 1;
                continue;
            }
            Some(Ok(c)) => Some(c),
            None => None,
        };
        let s = triage.suggest(&l.text, channel, l.category.as_deref());
        if a.json {
            let v = json!({
                "id": l.id,
                "block": s.block,
                "confidence": (f64::from(s.confidence) * 1000.0).round() / 1000.0,
                "settlement": s.settlement,
                "responsible": s.responsible,
                "urgent": s.urgent,
                "conflict": s.conflict,
            });
            writeln!(out, "{v}")?;
        } else {
            let id = match &l.id {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => (i + 1).to_string(),
                v => v.to_string(),
            };
            let flags = format!(
                "{}{}",
                if s.urgent { "С" } else { "-" },
                if s.conflict { "К" } else { "-" }
            );
            writeln!(
                out,
                "{:<10} {:<10} {:>4.2} {} {:<18} {}",
                fit(&id, 10),
                fit(triage_block_name(&store, &s.block), 10),
                s.confidence,
                flags,
                fit(s.settlement.as_deref().unwrap_or("—"), 18),
                s.responsible.as_deref().unwrap_or("—"),
            )?;
        }
    }
    out.flush()?;
    Ok(if bad > 0 { 1 } else { 0 })
}

fn triage_block_name<'a>(store: &'a Store, id: &'a str) -> &'a str {
    store.reference().blocks.name_of(id)
}

/// The candidates compared by cross-validation; the first is the one the shipped settings use.
fn candidates(data: &TriageData) -> Vec<(&'static str, Recipe)> {
    let lr = Recipe::from_settings(&data.settings);
    let nb = Recipe {
        features: FeatureOptions::default(),
        train: TrainParams {
            method: Method::NaiveBayes,
            ..TrainParams::default()
        },
    };
    let lr_words = Recipe {
        features: FeatureOptions {
            char_ngrams: 0.0,
            bigrams: 0.0,
            ..FeatureOptions::default()
        },
        ..lr.clone()
    };
    let lr_no_lexicon = Recipe {
        features: FeatureOptions {
            lexicon: 0.0,
            ..FeatureOptions::default()
        },
        ..lr.clone()
    };
    let mut v = vec![
        ("lr: stems + pairs + char n-grams + lexicon", lr),
        ("nb: stems + pairs + char n-grams + lexicon", nb),
        ("lr: stems + lexicon (no n-grams)", lr_words),
        ("lr: no lexicon", lr_no_lexicon),
    ];
    if data.settings.method() == Method::NaiveBayes {
        v.swap(0, 1);
    }
    v
}

/// `mcu eval FILE`: scores the shipped model (or, with `--cv`, cross-validates) on a labelled file.
pub fn eval(_ws: &Workspace, a: EvalArgs) -> CmdResult {
    let reference = Reference::embedded()?;
    let blocks = &reference.blocks;
    let src = std::fs::read_to_string(&a.file)
        .map_err(|e| Failure::from(format!("{}: {e}", a.file.display())))?;
    let mut items = eval::parse_labelled(&src, blocks)
        .map_err(|e| Failure::from(format!("{}: {e}", a.file.display())))?;
    if let Some(part) = &a.split {
        items.retain(|l| l.split.as_deref() == Some(part.as_str()));
    }
    if items.is_empty() {
        return Err(usage(format!("{}: no labelled appeal", a.file.display())));
    }
    let mut data = TriageData::embedded()?;
    if let Some(x) = a.dup_threshold {
        let d = &mut data.settings.duplicates;
        d.threshold = x;
        d.threshold_any_block = d.threshold_any_block.max(x);
    }
    let Some(k) = a.cv else {
        let t = Triage::build(blocks, &data, &[]);
        if let Some(path) = &a.pairs_out {
            let mut out = String::new();
            for row in eval::pair_rows(&t, blocks, &items) {
                out.push_str(&serde_json::to_string(&row)?);
                out.push('\n');
            }
            crate::workspace::write_file(path, out)
                .map_err(|e| Failure::from(format!("{}: {e}", path.display())))?;
        }
        let mut report = eval::evaluate(&t, blocks, &items);
        let baseline = eval::Baseline::train(blocks, &data);
        report.baseline = Some(eval::evaluate_baseline(&baseline, blocks, &items));
        if a.json {
            print_json(&report)?;
        } else {
            println!(
                "Модель как поставляется (примеры: {}, словарь блоков) на {}:",
                t.trained_on().0,
                a.file.display()
            );
            let (tu, tc) = t.flag_thresholds();
            println!("  пороги флагов (выбраны на validation): срочное {tu:.3}, конфликт {tc:.3}");
            print_report(&report, blocks);
        }
        if let Some(min) = a.min_urgent_recall {
            let recall = report.urgent.recall.unwrap_or(0.0);
            if recall < min {
                eprintln!(
                    "{}: urgent recall {recall:.3} is below {min:.3}",
                    a.file.display()
                );
                return Ok(1);
            }
        }
        return Ok(0);
    };
    if k < 2 || k > items.len() {
        return Err(usage(format!("--cv: need 2..={} folds", items.len())));
    }
    if let Some(path) = &a.folds_out {
        let folds = eval::folds(&items, k);
        let map: serde_json::Map<String, serde_json::Value> = items
            .iter()
            .zip(&folds)
            .map(|(l, f)| (l.id.clone(), json!(f)))
            .collect();
        crate::workspace::write_file(
            path,
            serde_json::to_string_pretty(&json!({"k": k, "folds": map}))?,
        )
        .map_err(|e| Failure::from(format!("{}: {e}", path.display())))?;
    }
    let mut rows = Vec::new();
    let mut chosen: Option<Report> = None;
    for (name, recipe) in candidates(&data) {
        let started = Instant::now();
        let r = eval::cross_validate(blocks, &data, &items, k, &recipe);
        let secs = started.elapsed().as_secs_f64();
        rows.push(json!({
            "candidate": name,
            "accuracy": r.accuracy,
            "macro_f1": r.macro_f1,
            "seconds": secs,
        }));
        if chosen.is_none() {
            chosen = Some(r);
        }
    }
    let Some(report) = chosen else {
        return Err(Failure::from("no candidate"));
    };
    if a.json {
        print_json(&json!({"cv": k, "candidates": rows, "report": report}))?;
    } else {
        println!(
            "Перекрёстная проверка, {k} блоков по {} обращений (модели обучены на примерах и остальных блоках):",
            items.len()
        );
        for r in &rows {
            println!(
                "  {:<46} accuracy {:.3}  macro-F1 {:.3}  ({:.1} s)",
                r["candidate"].as_str().unwrap_or(""),
                r["accuracy"].as_f64().unwrap_or(0.0),
                r["macro_f1"].as_f64().unwrap_or(0.0),
                r["seconds"].as_f64().unwrap_or(0.0),
            );
        }
        println!("Выбранный метод (первый), подробно:");
        print_report(&report, blocks);
    }
    Ok(0)
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"))
}

fn print_report(r: &Report, blocks: &Blocks) {
    println!(
        "  обращений {}   accuracy {:.3}   macro-F1 {:.3}",
        r.appeals, r.accuracy, r.macro_f1
    );
    println!(
        "  {:<14} {:>6} {:>6} {:>6} {:>4}",
        "блок", "P", "R", "F1", "n"
    );
    for b in &r.blocks {
        println!(
            "  {:<14} {:>6} {:>6} {:>6.3} {:>4}",
            fit(&b.name, 14),
            opt(b.precision),
            opt(b.recall),
            b.f1,
            b.support
        );
    }
    let pr = |name: &str, p: &eval::Pr| {
        println!(
            "  {name:<22} P {}  R {}  F1 {}  (tp {}, fp {}, fn {})",
            opt(p.precision),
            opt(p.recall),
            opt(p.f1),
            p.tp,
            p.fp,
            p.fn_
        );
    };
    pr("срочные", &r.urgent);
    pr("конфликтные", &r.conflict);
    pr("пары дублей", &r.duplicate_pairs);
    println!(
        "  поселение в тексте: найдено {} из {} размеченных, верно {}",
        r.settlement.found, r.settlement.labelled, r.settlement.correct
    );
    println!(
        "  уверенность ≥ {:.2}: {:.0}% обращений, accuracy среди них {}",
        r.confident.threshold,
        r.confident.coverage * 100.0,
        opt(r.confident.accuracy)
    );
    if let Some(b) = &r.baseline {
        let f1 = |p: &eval::Pr| opt(p.f1);
        println!(
            "  базовая линия ({}; те же обращения, тот же запуск):",
            b.method
        );
        println!(
            "    accuracy {:.3}   macro-F1 {:.3}   срочные P {} R {}   конфликтные P {} R {} F1 {}",
            b.accuracy,
            b.macro_f1,
            opt(b.urgent.precision),
            opt(b.urgent.recall),
            opt(b.conflict.precision),
            opt(b.conflict.recall),
            f1(&b.conflict)
        );
    }
    println!("  матрица ошибок (строки — разметка, столбцы — ответ модели):");
    let short_name = |id: &str| blocks.name_of(id).chars().take(5).collect::<String>();
    print!("  {:<6}", "");
    for l in &r.labels {
        print!("{:>6}", short_name(l));
    }
    println!();
    for (l, row) in r.labels.iter().zip(&r.confusion) {
        print!("  {:<6}", short_name(l));
        for c in row {
            print!("{c:>6}");
        }
        println!();
    }
}

/// `mcu dups`: the proposed duplicate groups of the workspace.
pub fn dups(ws: &Workspace, a: DupsArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let groups = visible_groups(&store, &grants, store.duplicate_groups(a.all)?)?;
    if a.json {
        print_json(&groups)?;
        return Ok(0);
    }
    if groups.is_empty() {
        println!("Предложенных дублей нет");
        return Ok(0);
    }
    for g in &groups {
        let o = &g.original;
        println!(
            "№{} {} {} {} — {}",
            o.id,
            short(o.received_at, tz),
            o.channel,
            o.settlement.as_deref().unwrap_or("—"),
            fit(&o.text, 60)
        );
        for m in &g.members {
            let kind = if m.repeat_of.is_some() {
                "повторное"
            } else {
                "дубль"
            };
            println!(
                "   └ №{} {} {} {} {}{} — {}",
                m.id,
                short(m.received_at, tz),
                m.channel,
                kind,
                m.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
                if m.linked { " (связано)" } else { "" },
                fit(&m.text, 50)
            );
        }
    }
    Ok(0)
}

/// The duplicate groups as this operator may see them: a group shows when one of its appeals is
/// theirs to see; an appeal they may not see keeps its number and channel only (its text and
/// settlement withheld), a member they may not see is left out; texts are masked where their
/// personal data is not the operator's to see.
fn visible_groups(
    store: &Store,
    grants: &Grants,
    groups: Vec<DuplicateGroup>,
) -> Result<Vec<DuplicateGroup>, Failure> {
    let mut out = Vec::new();
    for mut g in groups {
        let mut members = Vec::new();
        for mut m in std::mem::take(&mut g.members) {
            if show_member(store, grants, &mut m)? {
                members.push(m);
            }
        }
        let original = show_member(store, grants, &mut g.original)?;
        if members.is_empty() && !original {
            continue;
        }
        if !original {
            g.original.text = "(обращение вне ваших блоков)".into();
            g.original.settlement = None;
        }
        g.members = members;
        out.push(g);
    }
    Ok(out)
}

/// Whether the operator sees this group member; masks its text when they may not see its
/// personal data.
fn show_member(store: &Store, grants: &Grants, m: &mut GroupMember) -> Result<bool, Failure> {
    let Some(a) = store.get(m.id)? else {
        return Ok(false);
    };
    if !grants.may_see(&a) {
        return Ok(false);
    }
    if !grants.may_see_personal_data(&a) {
        m.text = crate::domain::pii::mask_text(&m.text);
    }
    Ok(true)
}

/// `mcu bench triage`.
pub fn bench(b: BenchTriageArgs) -> CmdResult {
    if let Some(rows) = b.end_to_end {
        return super::bench_triage::run(super::bench_triage::EndToEnd {
            rows,
            dir: b.dir,
            seed: b.seed,
            runs: b.runs,
            keep: b.keep,
            json: b.json,
        });
    }
    let reference = std::sync::Arc::new(Reference::embedded()?);
    let data = TriageData::embedded()?;

    let started = Instant::now();
    let t = Triage::build(&reference.blocks, &data, &[]);
    let train_s = started.elapsed().as_secs_f64();
    // Training with a workspace's worth of officers' examples too.
    let officer: Vec<_> = data.seeds.iter().cycle().take(b.officer).cloned().collect();
    let started = Instant::now();
    let _ = Triage::build(&reference.blocks, &data, &officer);
    let train5k_s = started.elapsed().as_secs_f64();

    let own: Vec<String> = match &b.texts {
        Some(path) => {
            let src = std::fs::read_to_string(path)
                .map_err(|e| Failure::from(format!("{}: {e}", path.display())))?;
            src.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["text"].as_str().map(str::to_string))
                .collect()
        }
        None => Vec::new(),
    };
    let texts: Vec<&str> = if own.is_empty() {
        data.seeds.iter().map(|e| e.text.as_str()).collect()
    } else {
        own.iter().map(String::as_str).collect()
    };
    let started = Instant::now();
    let mut sink = 0usize;
    for i in 0..b.classify {
        let s = t.suggest(texts[i % texts.len()], Some(Channel::Im), None);
        sink += s.block.len();
    }
    let classify_s = started.elapsed().as_secs_f64();
    let per_sec = b.classify as f64 / classify_s;
    let avg_chars =
        texts.iter().map(|t| t.chars().count()).sum::<usize>() as f64 / texts.len() as f64;
    if !b.json {
        println!(
            "обучение: {:.3} s на {} примерах; {:.3} s с {} примерами офицеров",
            train_s,
            t.trained_on().0,
            train5k_s,
            b.officer
        );
        println!(
            "классификация (одно ядро): {per_sec:.0} обращений/с, {:.1} мкс на обращение (средний текст {avg_chars:.0} знаков) [{sink}]",
            1e6 * classify_s / b.classify as f64
        );
    }

    // The similarity index.
    let tmp = b.index_db.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("mcu-bench-triage-{}.db", std::process::id()))
    });
    let _ = std::fs::remove_file(&tmp);
    let mut store = Store::open(&tmp, reference.clone())?;
    let sigs: Vec<Signature> = data.seeds.iter().map(|x| t.signature(&x.text)).collect();
    let vocab: Vec<u32> = {
        let mut v: Vec<u32> = sigs.iter().flat_map(|s| s.stems.iter().copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let settlements: Vec<String> = t.gazetteer().all().iter().map(|s| s.name.clone()).collect();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    // A synthetic appeal: a seed's stems, a third dropped, a few other words of the vocabulary
    // added — topics repeat as in real traffic, texts do not.
    let synth = |next: &mut dyn FnMut() -> u64| -> Signature {
        let base = &sigs[(next() % sigs.len() as u64) as usize];
        let mut stems: Vec<u32> = base
            .stems
            .iter()
            .copied()
            .filter(|_| !next().is_multiple_of(3))
            .collect();
        for _ in 0..(3 + next() % 5) {
            stems.push(vocab[(next() % vocab.len() as u64) as usize]);
        }
        stems.push((next() % 5_000_000) as u32 | 0x8000_0000);
        stems.sort_unstable();
        stems.dedup();
        Signature { stems }
    };
    let span = b.days * 86_400;
    let t0 = 1_700_000_000i64;
    let started = Instant::now();
    let mut batch: Vec<(Indexed, Vec<u32>)> = Vec::with_capacity(10_000);
    let mut rows = 0usize;
    for i in 0..b.appeals {
        let signature = synth(&mut next);
        let keys = t.index_keys(&signature);
        rows += keys.len();
        batch.push((
            Indexed {
                id: i as i64 + 1,
                at: t0 + (i as i64 * span) / b.appeals.max(1) as i64,
                settlement: Some(settlements[(next() % settlements.len() as u64) as usize].clone()),
                block: Some(t.block_ids()[(next() % 10) as usize].clone()),
                author: None,
                signature,
            },
            keys,
        ));
        if batch.len() == 10_000 {
            store.index_batch(&batch)?;
            batch.clear();
        }
    }
    store.index_batch(&batch)?;
    let build_s = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(&tmp).map(|m| m.len()).unwrap_or(0);
    if !b.json {
        println!(
            "индекс: {} обращений за {} дней ({} ключей), построен за {:.1} s, файл {:.0} МБ",
            b.appeals,
            b.days,
            rows,
            build_s,
            size as f64 / 1e6
        );
    }

    let window = t.settings().duplicates.window_days * 86_400;
    let mut lat = Vec::with_capacity(b.queries);
    let mut found = 0;
    let mut cands = 0usize;
    for q in 0..b.queries {
        let signature = synth(&mut next);
        let at = t0 + span - (q as i64 % 30) * 86_400;
        let me = Indexed {
            id: -1,
            at,
            settlement: Some(settlements[(next() % settlements.len() as u64) as usize].clone()),
            block: Some(t.block_ids()[(next() % 10) as usize].clone()),
            author: None,
            signature,
        };
        let started = Instant::now();
        let c = store.similar_recent(&t.probe_keys(&me.signature), at - window, at)?;
        let v = t.judge(&me, &c);
        lat.push(started.elapsed().as_secs_f64() * 1000.0);
        cands += c.len();
        found += usize::from(v.duplicate_of.is_some());
    }
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lat.get(((lat.len().max(1) as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let mean_ms = lat.iter().sum::<f64>() / lat.len().max(1) as f64;
    let max_ms = lat.last().copied().unwrap_or(0.0);
    let candidates_mean = cands as f64 / b.queries.max(1) as f64;
    if b.json {
        print_json(&json!({
            "training": {
                "seconds": train_s,
                "examples": t.trained_on().0,
                "with_officers_seconds": train5k_s,
                "officer_examples": b.officer,
            },
            "classification": {
                "texts": b.classify,
                "per_second": per_sec,
                "microseconds_each": 1e6 * classify_s / b.classify.max(1) as f64,
                "average_chars": avg_chars,
            },
            "index": {
                "appeals": b.appeals,
                "days": b.days,
                "keys": rows,
                "build_seconds": build_s,
                "bytes": size,
            },
            "duplicates": {
                "queries": b.queries,
                "window_days": t.settings().duplicates.window_days,
                "mean_ms": mean_ms,
                "p50_ms": pct(0.5),
                "p99_ms": pct(0.99),
                "max_ms": max_ms,
                "candidates_mean": candidates_mean,
                "found": found,
            },
        }))?;
    } else {
        println!(
            "поиск дублей: {} запросов, окно {} дней: среднее {mean_ms:.2} мс, p50 {:.2} мс, p99 {:.2} мс, макс {max_ms:.2} мс; кандидатов в среднем {candidates_mean:.0}, найдено дублей {}",
            b.queries,
            t.settings().duplicates.window_days,
            pct(0.5),
            pct(0.99),
            found
        );
    }
    drop(store);
    if b.index_db.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
    }
    Ok(0)
}

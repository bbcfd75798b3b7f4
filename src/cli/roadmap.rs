//! `mcu roadmap add|list|show|edit|link|unlink|measure add|measure set|export|import`: the
//! roadmaps register («дорожные карты»). Every change is audited (`mcu audit log --register roadmap`) and needs
//! `Action::KeepRegisters`; reading needs only to be an operator.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::{fit, print_json, rfc3339};
use super::{CmdResult, Failure, date_arg, usage};
use crate::domain::access::{Grants, redact};
use crate::domain::roadmap::{
    Effect, Measure, MeasureStatus, Progress, Roadmap, RoadmapStatus, list_key, rule_text, verdict,
};
use crate::store::roadmaps::{Link, MeasureField, NewMeasure, NewRoadmap, RoadmapField};
use crate::store::{Actor, Store, StoreError};
use crate::workspace::Workspace;

mod files;

#[derive(Args, Debug)]
pub struct RoadmapArgs {
    #[command(subcommand)]
    command: RoadmapCommand,
}

#[derive(Subcommand, Debug)]
enum RoadmapCommand {
    /// Enter a roadmap (status draft unless --status)
    Add(AddArgs),
    /// The roadmaps, those with overdue measures first, then by due date
    List(ListArgs),
    /// One roadmap: fields, measures, linked and proposed appeals, progress, effect per month
    Show(ShowArgs),
    /// Change fields of a roadmap (`none` clears an optional one)
    Edit(EditArgs),
    /// Link appeals to a roadmap (internal numbers or channel:source_id)
    Link(LinkArgs),
    /// Unlink appeals from a roadmap (its rule will not propose them again)
    Unlink(UnlinkArgs),
    /// The measures of a roadmap
    Measure(MeasureArgs),
    /// Write the roadmaps table (one row per measure, Russian headers) to XLSX or CSV
    Export(files::ExportArgs),
    /// Import a roadmaps table (XLSX, CSV): roadmaps by title, measures by text, updated on
    /// re-import
    Import(files::ImportArgs),
}

/// The fields `add` and `edit` share.
#[derive(Args, Debug, Default)]
struct FieldArgs {
    /// The root cause it removes
    #[arg(long, value_name = "TEXT")]
    problem: Option<String>,
    /// Block id or Russian name
    #[arg(long, value_name = "B")]
    block: Option<String>,
    /// A settlement (repeat for several; with edit they replace the list, `none` clears it)
    #[arg(long = "settlement", value_name = "S")]
    settlements: Vec<String>,
    /// Who answers for it
    #[arg(long, value_name = "NAME")]
    responsible: Option<String>,
    /// Start date (YYYY-MM-DD or DD.MM.YYYY): the effect is measured from it
    #[arg(long, value_name = "D")]
    start: Option<String>,
    /// Due date
    #[arg(long, value_name = "D")]
    due: Option<String>,
    /// draft, active, done, cancelled
    #[arg(long, value_name = "S")]
    status: Option<RoadmapStatus>,
    /// Target: at most N matching appeals a month
    #[arg(long, value_name = "N")]
    target: Option<String>,
    /// The rule's search words: appeals of its block and settlements with any of them (in any
    /// word form) are proposed for linking
    #[arg(long, value_name = "WORDS")]
    rule: Option<String>,
    /// The current time, recorded with the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct AddArgs {
    /// The title
    #[arg(long, value_name = "T")]
    title: String,
    #[command(flatten)]
    fields: FieldArgs,
}

#[derive(Args, Debug)]
struct EditArgs {
    /// The roadmap's number
    id: i64,
    /// The title
    #[arg(long, value_name = "T")]
    title: Option<String>,
    #[command(flatten)]
    fields: FieldArgs,
}

#[derive(Args, Debug)]
struct ListArgs {
    /// Today, for overdue measures (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ShowArgs {
    /// The roadmap's number
    id: i64,
    /// Today, for overdue measures and the effect (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct LinkArgs {
    /// The roadmap's number
    id: i64,
    /// Appeals: internal numbers (1234) or channel:source_id (pos:12050000001)
    appeals: Vec<String>,
    /// Also link every appeal the roadmap's rule proposes
    #[arg(long)]
    proposed: bool,
    /// The current time, recorded with the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct UnlinkArgs {
    /// The roadmap's number
    id: i64,
    /// Appeals: internal numbers or channel:source_id
    #[arg(required = true)]
    appeals: Vec<String>,
    /// The current time, recorded with the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct MeasureArgs {
    #[command(subcommand)]
    command: MeasureCommand,
}

#[derive(Subcommand, Debug)]
enum MeasureCommand {
    /// Add a measure to a roadmap
    Add(MeasureAddArgs),
    /// Change measure N of a roadmap (its status, what was done…)
    Set(MeasureSetArgs),
}

#[derive(Args, Debug)]
struct MeasureAddArgs {
    /// The roadmap's number
    id: i64,
    /// What is to be done
    #[arg(long, value_name = "T")]
    text: String,
    /// Who does it
    #[arg(long, value_name = "NAME")]
    responsible: Option<String>,
    /// Due date (YYYY-MM-DD or DD.MM.YYYY)
    #[arg(long, value_name = "D")]
    due: Option<String>,
    /// The current time, recorded with the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct MeasureSetArgs {
    /// The roadmap's number
    id: i64,
    /// The measure's number within the roadmap
    n: i64,
    /// planned, in_progress, done, cancelled
    #[arg(long, value_name = "S")]
    status: Option<MeasureStatus>,
    /// What was done (`none` clears it)
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// What is to be done
    #[arg(long, value_name = "T")]
    text: Option<String>,
    /// Who does it (`none` clears it)
    #[arg(long, value_name = "NAME")]
    responsible: Option<String>,
    /// Due date (`none` clears it)
    #[arg(long, value_name = "D")]
    due: Option<String>,
    /// The current time, recorded with the change (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

/// What every handler works with: the store, the operator running mcu, the workspace's zone.
struct Ctx {
    store: Store,
    grants: Grants,
    tz: Tz,
}

impl Ctx {
    /// `--now`, else the current time.
    fn now(&self, arg: Option<&str>) -> Result<DateTime<Utc>, Failure> {
        super::instant(arg, self.tz, "--now")
    }

    /// Makes one change as the operator (source `cli`) at `--now` and reports it: `report` gives
    /// the JSON printed under `--json` and the text printed otherwise. A refusal of the store
    /// (not allowed, not found, invalid) is exit code 1 with its text.
    fn change<T>(
        &mut self,
        now: Option<&str>,
        json: bool,
        write: impl FnOnce(&mut Store, &Actor, DateTime<Utc>) -> Result<T, StoreError>,
        report: impl FnOnce(&T) -> (Value, String),
    ) -> CmdResult {
        let now = self.now(now)?;
        let actor = Actor::operator(self.grants.clone(), "cli");
        let done = write(&mut self.store, &actor, now).map_err(failed)?;
        let (v, text) = report(&done);
        if json {
            print_json(&v)?;
        } else {
            println!("{text}");
        }
        Ok(0)
    }
}

/// Runs `mcu roadmap …`.
pub fn run(ws: &Workspace, a: RoadmapArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let mut cx = Ctx { store, grants, tz };
    match a.command {
        RoadmapCommand::Add(a) => add(&mut cx, a),
        RoadmapCommand::List(a) => list(&cx, a),
        RoadmapCommand::Show(a) => show(&cx, a),
        RoadmapCommand::Edit(a) => edit(&mut cx, a),
        RoadmapCommand::Link(a) => link(&mut cx, a),
        RoadmapCommand::Unlink(a) => unlink(&mut cx, a),
        RoadmapCommand::Measure(m) => match m.command {
            MeasureCommand::Add(a) => measure_add(&mut cx, a),
            MeasureCommand::Set(a) => measure_set(&mut cx, a),
        },
        RoadmapCommand::Export(a) => files::export(&cx, a),
        RoadmapCommand::Import(a) => files::import(&mut cx, a),
    }
}

/// `none`, `-` or an empty value: clear the field.
fn is_none(s: &str) -> bool {
    matches!(s.trim(), "" | "-" | "none")
}

fn opt_text(s: &str) -> Option<String> {
    (!is_none(s)).then(|| s.trim().to_string())
}

fn opt_date(s: &str, flag: &str) -> Result<Option<NaiveDate>, Failure> {
    if is_none(s) {
        Ok(None)
    } else {
        date_arg(s, flag).map(Some)
    }
}

/// A date flag of `add`: absent or `none`, no date.
fn given_date(s: &Option<String>, flag: &str) -> Result<Option<NaiveDate>, Failure> {
    Ok(s.as_deref()
        .map(|d| opt_date(d, flag))
        .transpose()?
        .flatten())
}

fn opt_target(s: &str) -> Result<Option<u32>, Failure> {
    if is_none(s) {
        return Ok(None);
    }
    s.trim().parse::<u32>().map(Some).map_err(|_| {
        usage(format!(
            "--target: «{s}» is not a number of appeals a month (0 or more; `none` clears it)"
        ))
    })
}

/// A store error as a command's failure; a refusal or not-found is exit code 1 with its text.
fn failed(e: StoreError) -> Failure {
    Failure {
        code: 1,
        message: e.to_string(),
    }
}

fn add(cx: &mut Ctx, a: AddArgs) -> CmdResult {
    let f = a.fields;
    let new = NewRoadmap {
        title: a.title,
        problem: f.problem,
        block: f.block,
        settlements: f.settlements,
        responsible: f.responsible,
        start: given_date(&f.start, "--start")?,
        due: given_date(&f.due, "--due")?,
        status: f.status,
        target: f.target.as_deref().map(opt_target).transpose()?.flatten(),
        rule_words: f.rule,
    };
    cx.change(
        f.now.as_deref(),
        f.json,
        |s, actor, now| s.add_roadmap(&new, actor, now),
        |id| (json!({ "id": id }), format!("дорожная карта №{id} создана")),
    )
}

fn edit(cx: &mut Ctx, a: EditArgs) -> CmdResult {
    let f = a.fields;
    let mut changes = Vec::new();
    if let Some(t) = a.title {
        changes.push(RoadmapField::Title(t));
    }
    if let Some(p) = &f.problem {
        changes.push(RoadmapField::Problem(opt_text(p)));
    }
    if let Some(b) = &f.block {
        changes.push(RoadmapField::Block(opt_text(b)));
    }
    if !f.settlements.is_empty() {
        let list: Vec<String> = f
            .settlements
            .iter()
            .filter(|s| !is_none(s))
            .cloned()
            .collect();
        changes.push(RoadmapField::Settlements(list));
    }
    if let Some(r) = &f.responsible {
        changes.push(RoadmapField::Responsible(opt_text(r)));
    }
    if let Some(d) = &f.start {
        changes.push(RoadmapField::Start(opt_date(d, "--start")?));
    }
    if let Some(d) = &f.due {
        changes.push(RoadmapField::Due(opt_date(d, "--due")?));
    }
    if let Some(s) = f.status {
        changes.push(RoadmapField::Status(s));
    }
    if let Some(t) = &f.target {
        changes.push(RoadmapField::Target(opt_target(t)?));
    }
    if let Some(r) = &f.rule {
        changes.push(RoadmapField::Rule(opt_text(r)));
    }
    if changes.is_empty() {
        return Err(usage(
            "nothing to change: give --title, --problem, --block, --settlement, --responsible, \
             --start, --due, --status, --target or --rule",
        ));
    }
    let id = a.id;
    cx.change(
        f.now.as_deref(),
        f.json,
        |s, actor, now| s.edit_roadmap(id, &changes, actor, now),
        |&changed| {
            let text = if changed == 0 {
                format!("дорожная карта №{id}: без изменений")
            } else {
                format!("дорожная карта №{id}: изменено полей — {changed}")
            };
            (json!({ "id": id, "changed": changed }), text)
        },
    )
}

/// Resolves what an officer typed into appeals they may see.
fn appeal_ids(store: &Store, grants: &Grants, refs: &[String]) -> Result<Vec<i64>, Failure> {
    refs.iter()
        .map(|r| match store.find(r) {
            Ok(a) if grants.may_see(&a) => Ok(a.id),
            Ok(_) => Err(Failure {
                code: 1,
                message: format!("no appeal «{r}»"),
            }),
            Err(e) => Err(failed(e)),
        })
        .collect()
}

fn link(cx: &mut Ctx, a: LinkArgs) -> CmdResult {
    cx.now(a.now.as_deref())?;
    let roadmap = cx.store.roadmap(a.id).map_err(failed)?;
    let mut ids = appeal_ids(&cx.store, &cx.grants, &a.appeals)?;
    if a.proposed {
        // Only what this operator may see (a block lead: their blocks).
        for id in cx.store.roadmap_proposals(&roadmap).map_err(failed)? {
            if cx
                .store
                .get(id)
                .map_err(failed)?
                .is_some_and(|a| cx.grants.may_see(&a))
            {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(usage(
            "nothing to link: give appeals (1234 or pos:12050000001) or --proposed",
        ));
    }
    let id = a.id;
    cx.change(
        a.now.as_deref(),
        a.json,
        |s, actor, now| s.link_appeals(id, &ids, actor, now),
        |linked| {
            (
                json!({ "id": id, "linked": linked }),
                format!("дорожная карта №{id}: связано обращений — {linked}"),
            )
        },
    )
}

fn unlink(cx: &mut Ctx, a: UnlinkArgs) -> CmdResult {
    cx.now(a.now.as_deref())?;
    cx.store.roadmap(a.id).map_err(failed)?;
    let ids = appeal_ids(&cx.store, &cx.grants, &a.appeals)?;
    let id = a.id;
    cx.change(
        a.now.as_deref(),
        a.json,
        |s, actor, now| s.unlink_appeals(id, &ids, actor, now),
        |n| {
            (
                json!({ "id": id, "unlinked": n }),
                format!("дорожная карта №{id}: отвязано обращений — {n}"),
            )
        },
    )
}

fn measure_add(cx: &mut Ctx, a: MeasureAddArgs) -> CmdResult {
    let new = NewMeasure {
        text: a.text,
        responsible: a.responsible,
        due: given_date(&a.due, "--due")?,
    };
    let id = a.id;
    cx.change(
        a.now.as_deref(),
        a.json,
        |s, actor, now| s.add_measure(id, &new, actor, now),
        |n| {
            (
                json!({ "id": id, "n": n }),
                format!("дорожная карта №{id}: мероприятие {n} добавлено"),
            )
        },
    )
}

fn measure_set(cx: &mut Ctx, a: MeasureSetArgs) -> CmdResult {
    let mut changes = Vec::new();
    if let Some(s) = a.status {
        changes.push(MeasureField::Status(s));
    }
    if let Some(n) = &a.note {
        changes.push(MeasureField::Note(opt_text(n)));
    }
    if let Some(t) = a.text {
        changes.push(MeasureField::Text(t));
    }
    if let Some(r) = &a.responsible {
        changes.push(MeasureField::Responsible(opt_text(r)));
    }
    if let Some(d) = &a.due {
        changes.push(MeasureField::Due(opt_date(d, "--due")?));
    }
    if changes.is_empty() {
        return Err(usage(
            "nothing to change: give --status, --note, --text, --responsible or --due",
        ));
    }
    let (id, n) = (a.id, a.n);
    cx.change(
        a.now.as_deref(),
        a.json,
        |s, actor, now| s.set_measure(id, n, &changes, actor, now),
        |changed| {
            (
                json!({ "id": id, "n": n, "changed": changed }),
                format!("дорожная карта №{id}, мероприятие {n}: изменено полей — {changed}"),
            )
        },
    )
}

fn date_json(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%d").to_string())
    })
}

fn ru_date(d: Option<NaiveDate>) -> String {
    d.map_or("—".into(), |d| d.format("%d.%m.%Y").to_string())
}

fn today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

fn list(cx: &Ctx, a: ListArgs) -> CmdResult {
    let (store, tz) = (&cx.store, cx.tz);
    let now = cx.now(a.now.as_deref())?;
    let day = today(now, tz);
    let mut rows = Vec::new();
    for r in store.roadmaps().map_err(failed)? {
        let p = Progress::of(&store.measures(r.id).map_err(failed)?, day);
        rows.push((r, p));
    }
    rows.sort_by_key(|(r, p)| list_key(r, p));
    let blocks = &store.reference().blocks;
    if a.json {
        let mut out = Vec::new();
        for (r, p) in &rows {
            let linked = store.roadmap_links(r.id).map_err(failed)?.len();
            let mut v = fields_json(r, blocks, tz);
            v["progress"] = json!(p);
            v["linked"] = json!(linked);
            out.push(v);
        }
        print_json(&out)?;
        return Ok(0);
    }
    println!(
        "{:>4}  {:<11}  {:<10}  {:<9}  {:<10}  НАЗВАНИЕ",
        "№", "СТАТУС", "СРОК", "ВЫПОЛН.", "ПРОСРОЧ."
    );
    for (r, p) in &rows {
        println!(
            "{:>4}  {}  {}  {}  {}  {}",
            r.id,
            fit(r.status.label_ru(), 11),
            fit(&ru_date(r.due), 10),
            fit(&format!("{}/{}", p.done, p.total), 9),
            fit(&p.overdue.to_string(), 10),
            fit(&r.title, 60).trim_end()
        );
    }
    if rows.is_empty() {
        println!("(дорожных карт нет: mcu roadmap add --title …)");
    }
    Ok(0)
}

/// The fields of a roadmap as JSON.
fn fields_json(r: &Roadmap, blocks: &crate::domain::Blocks, tz: Tz) -> Value {
    json!({
        "id": r.id,
        "title": r.title,
        "problem": r.problem,
        "block": r.block,
        "block_name": r.block.as_deref().map(|b| blocks.name_of(b)),
        "settlements": r.settlements,
        "responsible": r.responsible,
        "start": date_json(r.start),
        "due": date_json(r.due),
        "status": r.status.id(),
        "status_name": r.status.label_ru(),
        "target": r.target.map(|t| t.max_per_month),
        "target_text": r.target.map(|t| t.to_string()),
        "rule": r.rule(),
        "created_at": rfc3339(r.created_at, tz),
    })
}

fn measure_json(m: &Measure, today: NaiveDate) -> Value {
    json!({
        "n": m.n,
        "text": m.text,
        "responsible": m.responsible,
        "due": date_json(m.due),
        "status": m.status.id(),
        "status_name": m.status.label_ru(),
        "note": m.note,
        "overdue": m.overdue(today),
    })
}

fn effect_json(e: &Effect, r: &Roadmap) -> Value {
    json!({
        "start": e.start.format("%Y-%m-%d").to_string(),
        "before_avg": (e.before_avg * 100.0).round() / 100.0,
        "last_full_month": e.last_full.map(|c| c.month.to_string()),
        "last_full_count": e.last_full.map(|c| c.count),
        "target": r.target.map(|t| t.max_per_month),
        "met": e.met,
    })
}

fn show(cx: &Ctx, a: ShowArgs) -> CmdResult {
    let (store, grants, tz) = (&cx.store, &cx.grants, cx.tz);
    let now = cx.now(a.now.as_deref())?;
    let day = today(now, tz);
    let r = store.roadmap(a.id).map_err(failed)?;
    let measures = store.measures(r.id).map_err(failed)?;
    let links: Vec<Link> = store.roadmap_links(r.id).map_err(failed)?;
    let proposed = store.roadmap_proposals(&r).map_err(failed)?;
    let progress = Progress::of(&measures, day);
    let effect = store.roadmap_effect(&r, now).map_err(failed)?;
    let blocks = &store.reference().blocks;
    if a.json {
        let mut v = fields_json(&r, blocks, tz);
        v["measures"] = measures.iter().map(|m| measure_json(m, day)).collect();
        v["linked"] = links.iter().map(|l| l.appeal_id).collect();
        v["links"] = links
            .iter()
            .map(|l| {
                json!({
                    "appeal": l.appeal_id,
                    "origin": l.origin.id(),
                    "by": l.by,
                    "at": rfc3339(l.at, tz),
                })
            })
            .collect();
        v["proposed"] = json!(proposed);
        v["progress"] = json!(progress);
        v["monthly"] = effect
            .monthly
            .iter()
            .map(|c| json!({"month": c.month.to_string(), "count": c.count, "after": c.after}))
            .collect();
        v["effect"] = effect_json(&effect, &r);
        print_json(&v)?;
        return Ok(0);
    }
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    println!("Дорожная карта №{}: {}", r.id, r.title);
    println!("Статус:           {}", r.status.label_ru());
    println!("Проблема:         {}", opt(&r.problem));
    println!(
        "Блок:             {}",
        r.block.as_deref().map_or("—", |b| blocks.name_of(b))
    );
    println!(
        "Населённые пункты: {}",
        if r.settlements.is_empty() {
            "—".into()
        } else {
            r.settlements.join(", ")
        }
    );
    println!("Ответственный:    {}", opt(&r.responsible));
    println!("Начало:           {}", ru_date(r.start));
    println!("Срок:             {}", ru_date(r.due));
    println!(
        "Цель:             {}",
        r.target.map_or("—".into(), |t| t.to_string())
    );
    println!("Правило:          {}", rule_text(&r, blocks));
    println!();
    println!(
        "Мероприятия: выполнено {} из {}, просрочено {}",
        progress.done, progress.total, progress.overdue
    );
    for m in &measures {
        println!(
            "  {:>2}. [{}] {}{}  срок {}  {}",
            m.n,
            m.status.label_ru(),
            m.text,
            m.note
                .as_deref()
                .map(|n| format!(" — {n}"))
                .unwrap_or_default(),
            ru_date(m.due),
            if m.overdue(day) {
                "ПРОСРОЧЕНО"
            } else {
                ""
            }
        );
    }
    println!();
    println!("Эффект (обращений в месяц; * — с начала):");
    for c in &effect.monthly {
        println!(
            "  {}{} {:>3}",
            c.month.label_ru(),
            if c.after { "*" } else { " " },
            c.count
        );
    }
    println!(
        "  до начала в среднем {:.1} в месяц; {}",
        effect.before_avg,
        verdict(&effect, r.target)
    );
    println!();
    println!("Связанные обращения ({}):", links.len());
    for l in &links {
        println!("  {}", appeal_line(store, grants, l.appeal_id, tz)?);
    }
    if !proposed.is_empty() {
        println!();
        println!(
            "Предложены правилом ({}): mcu roadmap link {} --proposed",
            proposed.len(),
            r.id
        );
        for id in &proposed {
            println!("  {}", appeal_line(store, grants, *id, tz)?);
        }
    }
    Ok(0)
}

fn appeal_line(store: &Store, grants: &Grants, id: i64, tz: Tz) -> Result<String, Failure> {
    Ok(match store.get(id).map_err(failed)? {
        Some(a) if grants.may_see(&a) => {
            let a = redact(&a, grants);
            format!(
                "№{} {} {} {} {}",
                a.id,
                super::output::short(a.received_at, tz),
                a.key(),
                a.status.label_ru(),
                fit(&a.text, 60).trim_end()
            )
        }
        _ => format!("№{id}"),
    })
}

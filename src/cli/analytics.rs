//! `mcu rank`, `mcu hot`, `mcu targets`, `mcu conflicts`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::Args;
use serde_json::{Value, json};

use super::output::{fit, json_time, print_json, short};
use super::{CmdResult, date_arg, usage};
use crate::analytics::{self, Period};
use crate::workspace::Workspace;

/// `--from`, `--to`, `--now`, `--json`: the period flags every analytics command shares.
#[derive(Args, Debug)]
pub struct PeriodArgs {
    /// First day of the period (local date, inclusive; default: the first of the month of --to)
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day of the period (local date, inclusive; default: today)
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// The instant overdue is judged at (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

impl PeriodArgs {
    fn resolve(&self, tz: Tz) -> Result<(Period, DateTime<Utc>), super::Failure> {
        let now = super::instant(self.now.as_deref(), tz, "--now")?;
        let from = self
            .from
            .as_deref()
            .map(|s| date_arg(s, "--from"))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|s| date_arg(s, "--to"))
            .transpose()?;
        let period = Period::or_default(from, to, now, tz).map_err(usage)?;
        Ok((period, now))
    }
}

#[derive(Args, Debug)]
pub struct RankArgs {
    #[command(flatten)]
    period: PeriodArgs,
    /// List the appeals behind each figure of one recipient (a name or a unique part of it)
    #[arg(long, value_name = "RECIPIENT")]
    explain: Option<String>,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

pub fn rank(ws: &Workspace, a: RankArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let (period, now) = a.period.resolve(tz)?;
    if let Some(r) = a.explain {
        return explain(&store, &grants, period, now, &r, a.period.json, tz);
    }
    let rows = analytics::ranking(&store, period, now)?;
    if a.period.json {
        print_json(&rows)?;
        return Ok(0);
    }
    println!(
        "Рейтинг ответственных за {} — {} (на {})",
        period.from.format("%d.%m.%Y"),
        period.to.format("%d.%m.%Y"),
        short(now, tz)
    );
    println!(
        "{:>4} {:>3}  {:<44} {:>6} {:>6} {:>8} {:>8} {:>8} {:>9}",
        "МЕСТО", "", "ОТВЕТСТВЕННЫЙ", "БАЛЛ", "ОБРАЩ", "В СРОК", "КАЧЕСТВО", "ОЦЕНКИ", "1-Й ОТВЕТ"
    );
    for r in &rows {
        let trend = match r.prev_rank {
            Some(p) if p > r.rank => "▲",
            Some(p) if p < r.rank => "▼",
            Some(_) => "=",
            None => "—",
        };
        println!(
            "{:>5} {:>3}  {} {:>6.1} {:>6} {:>8} {:>8} {:>8} {:>9}",
            r.rank,
            trend,
            fit(&r.recipient, 44),
            r.score,
            r.volume,
            pct(r.timeliness),
            pct(r.quality),
            pct(r.satisfaction),
            r.median_first_response_wh
                .map_or("—".into(), |h| format!("{h:.1} р.ч.")),
        );
    }
    if rows.is_empty() {
        println!("(no recipient has enough appeals in the period)");
    }
    Ok(0)
}

fn explain(
    store: &crate::store::Store,
    grants: &crate::domain::access::Grants,
    period: Period,
    now: DateTime<Utc>,
    recipient: &str,
    as_json: bool,
    tz: Tz,
) -> CmdResult {
    let mut e = analytics::explain(store, period, now, recipient)?;
    // The figures are the ranking's (every operator sees those); the appeals behind them only
    // as far as the operator may see appeals.
    let before = e.appeals.len();
    let mut visible = Vec::with_capacity(before);
    for x in std::mem::take(&mut e.appeals) {
        if store.get(x.id)?.is_some_and(|a| grants.may_see(&a)) {
            visible.push(x);
        }
    }
    e.appeals = visible;
    let hidden = before - e.appeals.len();
    if as_json {
        let appeals: Vec<Value> = e
            .appeals
            .iter()
            .map(|x| {
                json!({
                    "id": x.id, "key": x.key, "received_at": json_time(Some(x.received_at), tz),
                    "status": x.status, "answer_due": json_time(x.answer_due, tz),
                    "answered_at": json_time(x.answered_at, tz),
                    "reopened_at": json_time(x.reopened_at, tz), "counts": x.counts,
                    "first_response_wh": x.first_response_wh,
                })
            })
            .collect();
        print_json(&json!({
            "recipient": e.recipient, "period": e.period, "facts": e.facts,
            "timeliness": e.facts.timeliness(), "quality": e.facts.quality(),
            "satisfaction": e.facts.satisfaction(),
            "median_first_response_wh": e.facts.median_first_response_wh(),
            "rank": e.row.as_ref().map(|r| r.rank), "score": e.row.as_ref().map(|r| r.score),
            "appeals": appeals, "hidden_appeals": hidden,
        }))?;
        return Ok(0);
    }
    let f = &e.facts;
    println!("{} — {} — {}", e.recipient, period.from, period.to);
    match &e.row {
        Some(r) => println!("место {}, балл {:.1}", r.rank, r.score),
        None => println!("не ранжируется (мало обращений за период или нет ни одной оценки)"),
    }
    println!(
        "В срок: {} из {} (отвечено {}, открыто и просрочено {}) = {}",
        f.on_time,
        f.answered + f.open_overdue,
        f.answered,
        f.open_overdue,
        pct(f.timeliness())
    );
    println!(
        "По существу: {} из {} оценённых ответов = {}",
        f.substantive,
        f.graded,
        pct(f.quality())
    );
    println!(
        "Оценки 4–5: {} из {} = {}",
        f.good,
        f.rated,
        pct(f.satisfaction())
    );
    if hidden > 0 {
        println!("Обращений вне ваших блоков (не показаны): {hidden}");
    }
    println!();
    println!(
        "{:>7}  {:<22} {:<16} {:<12} {:<16} {:<16} УЧЁТ",
        "№", "КЛЮЧ", "ПОСТУПИЛО", "СТАТУС", "СРОК", "ОТВЕТ"
    );
    for x in &e.appeals {
        let c = &x.counts;
        let mut why = Vec::new();
        if !c.counted {
            why.push("не учитывается (отклонено/дубль/перенаправлено)");
        } else {
            if c.answered {
                why.push(if c.on_time {
                    "в срок"
                } else {
                    "с опозданием"
                });
            }
            if c.open_overdue {
                why.push("открыто, просрочено");
            }
            if c.graded {
                why.push(if c.substantive {
                    "по существу"
                } else {
                    "формально"
                });
            }
            if c.rated {
                why.push(if c.good {
                    "оценка 4–5"
                } else {
                    "оценка 1–3"
                });
            }
        }
        let t = |v: Option<DateTime<Utc>>| v.map_or("—".into(), |v| short(v, tz));
        let reopened = x.reopened_at.map_or(String::new(), |r| {
            format!(
                "{}срок от переоткрытия {}",
                if why.is_empty() { "" } else { ", " },
                short(r, tz)
            )
        });
        println!(
            "{:>7}  {} {} {} {} {} {}{reopened}",
            x.id,
            fit(&x.key, 22),
            fit(&short(x.received_at, tz), 16),
            fit(&x.status, 12),
            fit(&t(x.answer_due), 16),
            fit(&t(x.answered_at), 16),
            why.join(", ")
        );
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct HotArgs {
    /// The instant the last 7 days end at (default: now)
    #[arg(long, value_name = "TS")]
    now: Option<String>,
    /// Show every topic, not only the hot ones
    #[arg(long)]
    all: bool,
    /// Machine-readable output (every topic, with a `hot` flag)
    #[arg(long)]
    json: bool,
}

pub fn hot(ws: &Workspace, a: HotArgs) -> CmdResult {
    let (store, _grants) = super::session(ws)?;
    let tz = store.reference().calendar.timezone();
    let now = super::instant(a.now.as_deref(), tz, "--now")?;
    let topics = analytics::hot_topics(&store, now)?;
    if a.json {
        print_json(&topics)?;
        return Ok(0);
    }
    println!(
        "Горячие темы: последние 7 дней против среднего за 4 недели до них (на {})",
        short(now, tz)
    );
    let shown: Vec<_> = topics.iter().filter(|t| a.all || t.hot).collect();
    for t in &shown {
        println!(
            "{} {:<9} {} {:>4} нед. / {:>5.1} сред.",
            if t.hot { "🔥" } else { "  " },
            if t.kind == "block" {
                "блок"
            } else {
                "категория"
            },
            fit(&t.name, 40),
            t.last_week,
            t.average
        );
        for s in &t.settlements {
            println!(
                "      растёт: {} {} (сред. {:.1})",
                s.settlement, s.last_week, s.average
            );
        }
    }
    if shown.is_empty() {
        println!("(нет горячих тем)");
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct TargetsArgs {
    #[command(flatten)]
    period: PeriodArgs,
}

pub fn targets(ws: &Workspace, a: TargetsArgs) -> CmdResult {
    let (store, _grants) = super::session(ws)?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (period, now) = a.period.resolve(tz)?;
    let lines = analytics::targets(&store, period, now)?;
    if a.period.json {
        print_json(&lines)?;
        return Ok(0);
    }
    println!("Целевые показатели за {} — {}", period.from, period.to);
    for l in &lines {
        let scope = l
            .block
            .as_deref()
            .map_or("весь округ", |b| reference.blocks.name_of(b));
        let bound = match (l.min, l.max) {
            (Some(m), _) => format!("≥ {m}"),
            (None, Some(m)) => format!("≤ {m}"),
            _ => String::new(),
        };
        let verdict = match l.met {
            Some(true) => "выполнен",
            Some(false) => "НЕ ВЫПОЛНЕН",
            None => "нет данных",
        };
        println!(
            "  {} {} {:>8} факт {:>8}  {}",
            fit(&l.label, 30),
            fit(scope, 14),
            bound,
            l.actual.map_or("—".into(), |v| format!("{v:.2}")),
            verdict
        );
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub struct ConflictsArgs {
    #[command(flatten)]
    period: PeriodArgs,
}

pub fn conflicts(ws: &Workspace, a: ConflictsArgs) -> CmdResult {
    let (store, grants) = super::session(ws)?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let (period, now) = a.period.resolve(tz)?;
    let (from, to) = period.bounds(tz);
    let list: Vec<crate::domain::Appeal> = store
        .conflicts(from, to)?
        .iter()
        .filter(|x| grants.may_see(x))
        .map(|x| crate::domain::access::redact(x, &grants))
        .collect();
    if a.period.json {
        let v: Vec<Value> = list
            .iter()
            .map(|x| super::output::appeal_json(x, &reference.blocks, tz, now))
            .collect();
        print_json(&v)?;
        return Ok(0);
    }
    let mut by: std::collections::BTreeMap<String, Vec<&crate::domain::Appeal>> =
        Default::default();
    for x in &list {
        by.entry(
            x.responsible
                .clone()
                .unwrap_or_else(|| "(не назначено)".into()),
        )
        .or_default()
        .push(x);
    }
    for (r, xs) in by {
        let reopened = xs.iter().filter(|x| x.reopen_count > 0).count();
        if reopened > 0 {
            println!("{r}: {} (переоткрыто: {reopened})", xs.len());
        } else {
            println!("{r}: {}", xs.len());
        }
        for x in xs {
            let mut marks = Vec::new();
            if x.conflict {
                marks.push("конфликт".to_string());
            }
            if x.reopen_count > 0 {
                marks.push(format!("переоткрыто ×{}", x.reopen_count));
            }
            if x.quality == Some(crate::domain::Quality::Formal) {
                marks.push("отписка".into());
            }
            println!(
                "  {:>7} {} {} {}",
                x.id,
                short(x.received_at, tz),
                fit(&marks.join(", "), 28),
                fit(&x.text, 60).trim_end()
            );
        }
    }
    Ok(0)
}

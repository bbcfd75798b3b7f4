//! `mcu region`: the ЦУР's view over the municipalities of a PostgreSQL database — the ranking of
//! municipalities, their monitoring, their reference data (name, population) and the region's
//! own operators. An SQLite workspace is one municipality: these commands say so.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use serde_json::json;

use super::output::{fit, print_json, short};
use super::{CmdResult, Failure, usage};
use crate::analytics::Period;
use crate::analytics::region::{self, RegionRow};
use crate::domain::access::Role;
use crate::report::Preset;
use crate::store::region::{Municipality, Region, RegionOperator};
use crate::textwidth::sparkline;
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct RegionArgs {
    #[command(subcommand)]
    command: RegionCommand,
}

#[derive(Subcommand, Debug)]
enum RegionCommand {
    /// The ranking of municipalities for a period (the recipients' formula, per 1,000 inhabitants)
    Rank(RangeArgs),
    /// The three panels' figures per municipality and for the region: incoming, overdue per
    /// block, ranking
    Monitor(RangeArgs),
    /// The municipalities of the region, with their population
    Municipalities {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Add a municipality or change its name and population (region head)
    Municipality {
        #[command(subcommand)]
        action: MunicipalityAction,
    },
    /// The region's operators (ЦУР): add, list, remove
    Operator {
        #[command(subcommand)]
        action: OperatorAction,
    },
}

#[derive(Subcommand, Debug)]
enum MunicipalityAction {
    /// Register a municipality (its schema is made, ready for its workspace)
    Add {
        /// Its code: latin lowercase letters, digits, _ (the schema is mo_CODE)
        code: String,
        /// Its name
        #[arg(long)]
        name: String,
        /// Inhabitants
        #[arg(long, value_name = "N")]
        population: Option<i64>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Change a municipality's name or population
    Set {
        code: String,
        /// Its name
        #[arg(long)]
        name: Option<String>,
        /// Inhabitants
        #[arg(long, value_name = "N", conflicts_with = "no_population")]
        population: Option<i64>,
        /// Forget the population (unknown)
        #[arg(long)]
        no_population: bool,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum OperatorAction {
    /// Add a region operator (or change one); the first one must be a head
    Add {
        /// The account's login
        login: String,
        /// Full name
        #[arg(long)]
        name: String,
        /// observer (представитель ЦУР: reads the region's figures) or head (руководитель ЦУР:
        /// also keeps this list and the municipalities)
        #[arg(
            long = "role",
            value_name = "ROLE",
            value_delimiter = ',',
            required = true
        )]
        roles: Vec<Role>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// List the region's operators
    List {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Remove a region operator
    Remove {
        login: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

/// `--from`/`--to` or `--period` (default: the current month to now), `--now`, `--json`.
#[derive(Args, Debug)]
struct RangeArgs {
    #[command(flatten)]
    period: super::report::PeriodFlags,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

impl RangeArgs {
    fn resolve(&self, tz: Tz) -> Result<(Period, DateTime<Utc>), Failure> {
        self.period.resolve(tz, Preset::Month)
    }
}

/// What an SQLite workspace answers: it is one municipality.
fn one_municipality() -> Failure {
    Failure {
        code: 1,
        message: "команды региона работают с базой PostgreSQL, где много муниципалитетов \
                  (--db postgres://…, MCU_DB или [store] url в config.toml). Эта рабочая папка \
                  на SQLite (mcu.db) — один муниципалитет: его рейтинг ответственных — mcu rank, \
                  мониторинг — mcu stats"
            .into(),
    }
}

fn denied(message: String) -> Failure {
    Failure { code: 1, message }
}

/// `mcu region …`. `filter` is the command line's `--municipality` (codes, comma-separated):
/// the municipalities to show.
pub fn run(ws: &Workspace, a: RegionArgs, filter: Option<String>) -> CmdResult {
    let reference = Arc::new(ws.reference()?);
    let Some(url) = ws.database_url(&reference.settings.store)? else {
        return Err(one_municipality());
    };
    let region = Region::open(&url)?;
    let login = super::operator_login();
    let me = region.operator(&login)?;
    if let RegionCommand::Operator { action } = a.command {
        return operator(&region, me.as_ref(), &login, action);
    }
    let Some(me) = me else {
        let none = region.operators()?.is_empty();
        return Err(denied(if none {
            format!(
                "недоступно: у региона ещё нет операторов. Первого — руководителя ЦУР — \
                 добавляет администратор базы: mcu region operator add {login} --name \
                 \"Фамилия Имя Отчество\" --role head"
            )
        } else {
            format!(
                "недоступно: «{login}» не оператор региона — рейтинг и мониторинг \
                 муниципалитетов видят представители ЦУР. Попросите руководителя ЦУР: mcu region \
                 operator add {login} --name \"Фамилия Имя Отчество\" --role observer"
            )
        }));
    };
    tracing::info!(operator = %me.login, "region command");
    let all = region.municipalities()?;
    let shown = selection(&all, filter.as_deref())?;
    let tz = reference.calendar.timezone();
    match a.command {
        RegionCommand::Rank(r) => {
            let (period, now) = r.resolve(tz)?;
            let ranking = region::region_ranking(&region, &all, &reference, period, now)?;
            let rows: Vec<&RegionRow> = ranking
                .rows
                .iter()
                .filter(|r| shown.contains(&r.code))
                .collect();
            if r.json {
                print_json(&json!({
                    "period": ranking.period, "now": super::output::rfc3339(now, tz),
                    "rows": rows, "region": ranking.region,
                }))?;
                return Ok(0);
            }
            println!(
                "Рейтинг муниципалитетов за {} — {} (на {})",
                period.from.format("%d.%m.%Y"),
                period.to.format("%d.%m.%Y"),
                short(now, tz)
            );
            print_rank_header();
            for r in &rows {
                print_rank_row(r);
            }
            print_rank_row(&ranking.region);
            if all.is_empty() {
                println!("(в базе нет муниципалитетов: mcu region municipality add CODE --name …)");
            }
            Ok(0)
        }
        RegionCommand::Monitor(r) => {
            let (period, now) = r.resolve(tz)?;
            let mut m = region::region_monitor(&region, &all, &reference, period, now)?;
            m.municipalities.retain(|p| shown.contains(&p.code));
            if r.json {
                print_json(&m)?;
                return Ok(0);
            }
            println!(
                "Мониторинг на {}; поступило и рейтинг — за {} — {}",
                short(now, tz),
                period.from.format("%d.%m.%Y"),
                period.to.format("%d.%m.%Y"),
            );
            println!(
                "{:<30} {:>9} {:>8} {:>10} {:>6} {:>8} {:>6} {:>6} {:>7}",
                "МУНИЦИПАЛИТЕТ",
                "ПОСТУПИЛО",
                "ОТКРЫТО",
                "ПРОСРОЧЕНО",
                "РИСК",
                "БЕЗ ОТВ",
                "МЕСТО",
                "БАЛЛ",
                "В СРОК"
            );
            for p in m.municipalities.iter().chain([&m.region]) {
                let i = &p.incoming;
                println!(
                    "{} {:>9} {:>8} {:>10} {:>6} {:>8} {:>6} {:>6} {:>7}",
                    fit(&p.name, 30),
                    i.received,
                    i.open,
                    i.overdue,
                    i.at_risk,
                    i.unassigned_open,
                    p.ranking.rank.map_or("—".into(), |r| r.to_string()),
                    p.ranking.score.map_or("—".into(), |s| format!("{s:.1}")),
                    pct(p.ranking.timeliness),
                );
            }
            let detailed: Vec<_> = if filter.is_some() {
                m.municipalities.iter().chain([&m.region]).collect()
            } else {
                vec![&m.region]
            };
            for p in detailed {
                println!();
                println!(
                    "Просрочено по блокам — {}: {:<10} {:>7} {:>7} {:>9} {:>10}  ЗА 8 НЕДЕЛЬ",
                    p.name, "", "ОТКРЫТО", "РИСК", "ПРОСРОЧЕНО", "СТАРЕЙШЕЕ"
                );
                for b in &p.blocks {
                    println!(
                        "  {} {:>7} {:>7} {:>9} {:>10}  {}",
                        fit(&b.name, 30),
                        b.open,
                        b.at_risk,
                        b.overdue,
                        b.oldest_overdue_wd
                            .map_or("—".into(), |d| format!("{d} р.д.")),
                        sparkline(&b.weekly)
                    );
                }
            }
            Ok(0)
        }
        RegionCommand::Municipalities { json } => {
            let list: Vec<&Municipality> = all.iter().filter(|m| shown.contains(&m.code)).collect();
            if json {
                print_json(&list)?;
                return Ok(0);
            }
            println!("{:<20} {:<44} {:>12}", "КОД", "НАЗВАНИЕ", "НАСЕЛЕНИЕ");
            for m in list {
                println!(
                    "{:<20} {} {:>12}",
                    m.code,
                    fit(&m.name, 44),
                    m.population.map_or("—".into(), |p| p.to_string())
                );
            }
            Ok(0)
        }
        RegionCommand::Municipality { action } => {
            if !me.manages() {
                return Err(denied(format!(
                    "недоступно: муниципалитеты региона ведёт руководитель ЦУР, а у «{}» роль \
                     представителя ЦУР",
                    me.login
                )));
            }
            let (m, json) = match action {
                MunicipalityAction::Add {
                    code,
                    name,
                    population,
                    json,
                } => (
                    region.add_municipality(&code, &name, population, reference.clone())?,
                    json,
                ),
                MunicipalityAction::Set {
                    code,
                    name,
                    population,
                    no_population,
                    json,
                } => {
                    let population = if no_population {
                        Some(None)
                    } else {
                        population.map(Some)
                    };
                    (
                        region.set_municipality(&code, name.as_deref(), population)?,
                        json,
                    )
                }
            };
            tracing::info!(by = %me.login, municipality = %m.code, "municipality kept");
            if json {
                print_json(&m)?;
            } else {
                println!(
                    "муниципалитет {}: {}, население {}",
                    m.code,
                    m.name,
                    m.population.map_or("не указано".into(), |p| p.to_string())
                );
            }
            Ok(0)
        }
        RegionCommand::Operator { .. } => Err(usage("unreachable")),
    }
}

/// The codes to show: all, or those the filter names (each must exist).
fn selection(all: &[Municipality], filter: Option<&str>) -> Result<Vec<String>, Failure> {
    let Some(f) = filter else {
        return Ok(all.iter().map(|m| m.code.clone()).collect());
    };
    let mut out = Vec::new();
    for code in f.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if !all.iter().any(|m| m.code == code) {
            let known: Vec<&str> = all.iter().map(|m| m.code.as_str()).collect();
            return Err(usage(format!(
                "--municipality: нет муниципалитета «{code}» (есть: {})",
                if known.is_empty() {
                    "ни одного".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        out.push(code.to_string());
    }
    Ok(out)
}

fn operator(
    region: &Region,
    me: Option<&RegionOperator>,
    login: &str,
    action: OperatorAction,
) -> CmdResult {
    let manages = me.is_some_and(RegionOperator::manages);
    match action {
        OperatorAction::Add {
            login: who,
            name,
            roles,
            json,
        } => {
            let first = region.operators()?.is_empty();
            if first && !roles.contains(&Role::Head) {
                return Err(denied(
                    "первый оператор региона — руководитель ЦУР: --role head".into(),
                ));
            }
            if !first && !manages {
                return Err(denied(format!(
                    "недоступно: операторов региона добавляет руководитель ЦУР, а «{login}» им \
                     не является"
                )));
            }
            region.put_operator(&who, &name, &roles, Utc::now())?;
            tracing::info!(by = %login, operator = %who, "region operator added");
            if json {
                print_json(&json!({"login": who, "name": name, "roles": roles}))?;
            } else {
                println!("оператор региона {who}: {}", roles_ru(&roles));
            }
        }
        OperatorAction::List { json } => {
            if me.is_none() {
                return Err(denied(format!("недоступно: «{login}» не оператор региона")));
            }
            let ops = region.operators()?;
            if json {
                print_json(&ops)?;
            } else {
                for o in &ops {
                    println!("{:<20} {:<36} {}", o.login, o.name, roles_ru(&o.roles));
                }
            }
        }
        OperatorAction::Remove { login: who, json } => {
            if !manages {
                return Err(denied(format!(
                    "недоступно: операторов региона удаляет руководитель ЦУР, а «{login}» им \
                     не является"
                )));
            }
            region.remove_operator(&who)?;
            tracing::info!(by = %login, operator = %who, "region operator removed");
            if json {
                print_json(&json!({"login": who, "removed": true}))?;
            } else {
                println!("оператор региона {who} удалён");
            }
        }
    }
    Ok(0)
}

fn roles_ru(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| match r {
            Role::Head => "руководитель ЦУР",
            Role::Observer => "представитель ЦУР",
            other => other.label_ru(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

fn print_rank_header() {
    println!(
        "{:>5} {:>2}  {:<30} {:>6} {:>6} {:>8} {:>7} {:>8} {:>8} {:>7}",
        "МЕСТО",
        "",
        "МУНИЦИПАЛИТЕТ",
        "БАЛЛ",
        "ОБРАЩ",
        "НА 1000",
        "В СРОК",
        "ПРОСРОЧ",
        "КАЧЕСТВО",
        "ОЦЕНКИ"
    );
}

fn print_rank_row(r: &RegionRow) {
    let trend = match (r.rank, r.prev_rank) {
        (Some(now), Some(p)) if p > now => "▲",
        (Some(now), Some(p)) if p < now => "▼",
        (Some(_), Some(_)) => "=",
        _ => "",
    };
    println!(
        "{:>5} {:>2}  {} {:>6} {:>6} {:>8} {:>7} {:>8} {:>8} {:>7}",
        r.rank.map_or("—".into(), |x| x.to_string()),
        trend,
        fit(&r.name, 30),
        r.score.map_or("—".into(), |s| format!("{s:.1}")),
        r.volume,
        r.per_1000.map_or("—".into(), |v| format!("{v:.2}")),
        pct(r.timeliness),
        r.open_overdue,
        pct(r.quality),
        pct(r.satisfaction),
    );
}

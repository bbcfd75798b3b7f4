//! `mcu migrate --from WORKSPACE --to postgres://… --municipality CODE`: an okrug's SQLite
//! workspace moved into the region's database (see `store::migrate`), and a short report.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::output::print_json;
use super::{CmdResult, operator_login, usage};
use crate::domain::wording;
use crate::reference::Reference;
use crate::store::migrate::{MigrateReport, MigrateRequest, migrate};

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// The workspace folder to move (its mcu.db is only read)
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// The region's database: postgres://user@host/db (default: --db, MCU_DB)
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// The municipality's name («Куженерский муниципальный округ»; default: as registered)
    #[arg(long)]
    name: Option<String>,
    /// Its population (inhabitants; default: as registered)
    #[arg(long, value_name = "N")]
    population: Option<i64>,
    /// Machine-readable output
    #[arg(long)]
    json: bool,
}

/// Runs the migrate. `db` and `municipality` are the global `--db` and `--municipality`.
pub fn run(a: MigrateArgs, db: Option<String>, municipality: Option<String>) -> CmdResult {
    let url =
        a.to.or(db)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| usage("куда переносить: --to postgres://пользователь@сервер/база"))?;
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(usage(format!(
            "--to {}: нужен адрес PostgreSQL (postgres://…)",
            crate::store::db::pg::redacted_target(&url)
        )));
    }
    let municipality = municipality
        .filter(|m| !m.is_empty())
        .ok_or_else(|| usage("в какой муниципалитет: --municipality КОД (латиница, цифры, _)"))?;
    if !a.from.is_dir() {
        return Err(usage(format!(
            "--from {}: нет такой папки",
            a.from.display()
        )));
    }
    let reference = Arc::new(Reference::load(Some(&a.from))?);
    let request = MigrateRequest {
        from: a.from.join("mcu.db"),
        url: url.clone(),
        municipality: municipality.clone(),
        name: a.name,
        population: a.population,
        login: operator_login(),
    };
    tracing::info!(municipality = %municipality, "migrate started");
    let report = migrate(&request, reference)?;
    tracing::info!(
        municipality = %municipality,
        tables = report.tables.len(),
        seconds = report.seconds,
        "migrate done"
    );
    if a.json {
        print_json(&report)?;
    } else {
        print_report(&report, &a.from);
    }
    Ok(0)
}

/// What a table holds, in words.
fn label(table: &str) -> &str {
    match table {
        "appeals" => "обращения",
        "events" => "журнал аудита (история изменений)",
        "recipients" => "ответственные",
        "settlements" => "населённые пункты",
        "imported_files" => "загруженные файлы",
        "operators" => "операторы",
        "operator_keys" => "ключи операторов (SSH)",
        "console_sessions" => "сеансы консоли",
        "source_counters" => "счётчики номеров",
        "triage" => "авторазбор",
        "triage_keys" => "авторазбор: ключи дублей",
        "triage_signatures" => "авторазбор: подписи текстов",
        "registrations" => "регистрации (59-ФЗ)",
        "roadmaps" => "дорожные карты",
        "roadmap_links" => "дорожные карты: связи с обращениями",
        "roadmap_measures" => "дорожные карты: мероприятия",
        "pages" => "официальные страницы",
        "page_stats" => "официальные страницы: статистика",
        "votes" => "голосования и обсуждения",
        "vote_options" => "голосования: варианты",
        t if t.starts_with("agg_") => "сводки (для рейтинга и панелей)",
        _ => "",
    }
}

fn print_report(r: &MigrateReport, from: &std::path::Path) {
    println!(
        "Рабочая папка {} перенесена в муниципалитет «{}» ({}) базы {} за {:.1} с.",
        from.display(),
        r.name,
        r.municipality,
        r.database,
        r.seconds
    );
    println!("Строк перенесено (в рабочей папке = на PostgreSQL):");
    for t in &r.tables {
        if t.sqlite == 0 {
            continue;
        }
        let l = label(&t.table);
        let what = if l.is_empty() {
            t.table.clone()
        } else {
            format!("{l} — {}", t.table)
        };
        println!("  {:>10}  {what}", t.postgres);
    }
    let empty: Vec<&str> = r
        .tables
        .iter()
        .filter(|t| t.sqlite == 0)
        .map(|t| t.table.as_str())
        .collect();
    if !empty.is_empty() {
        println!("Пустые таблицы: {}.", empty.join(", "));
    }
    println!(
        "Поиск: проиндексировано {}.",
        wording::count(r.indexed, wording::APPEALS)
    );
    match &r.head {
        Some(h) => println!(
            "Журнал аудита сходится: в рабочей папке проверены цепочка ({}) и {} по их истории, \
             на PostgreSQL все таблицы строка в строку те же; голова {} — одна и та же.",
            wording::count(h.count, ["запись", "записи", "записей"]),
            wording::count(r.appeals_checked, wording::APPEALS),
            h.token()
        ),
        None => println!("Журнал аудита пуст."),
    }
    println!(
        "Рабочая папка не изменена. Чтобы она работала с базой, добавьте в её config.toml:\n\n\
         [store]\nurl = \"{}\"   # пароль — в ~/.pgpass, не здесь\nmunicipality = \"{}\"\n",
        r.url, r.municipality
    );
}

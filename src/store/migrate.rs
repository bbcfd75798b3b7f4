//! `mcu migrate`: an okrug's SQLite workspace moved into a municipality of the region's
//! PostgreSQL database — every table, ids kept, the audit chain unchanged — in one transaction,
//! verified before it commits.
//!
//! The SQLite file is opened read-only and read in one snapshot. Each table goes over with
//! `COPY … FROM STDIN`, streamed row by row from SQLite (memory stays flat whatever the size);
//! the search index, which SQLite keeps as a contentless FTS5 table, is rebuilt from the texts
//! with the same normaliser. The workspace's own trail is verified first (chain, anchor file,
//! every appeal against its history: a trail that does not verify is not moved). Then, still
//! inside the transaction: every table's row count must equal the source's, the identity
//! sequences are set past the largest id, and every table is read back through a cursor and
//! compared with the workspace's row by row, value for value — the same rows are the same chain
//! and the same history, so the chain on PostgreSQL ends at the workspace's
//! head. Anything wrong rolls everything back: the municipality is created by the same
//! transaction, so a failed or interrupted migrate leaves nothing behind.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::audit::anchor::{self, Anchor};
use super::db::pg::{self, PgConn, sql::quote_ident};
use super::db::{Db, DbError, PgDb, Rows, Value};
use super::schema::{self, postgres};
use super::{Head, Location, POOL_MAX, Store, StoreError};
use crate::domain::access::Role;
use crate::domain::text::SearchNormalizer;
use crate::reference::Reference;

/// What to move where.
#[derive(Debug, Clone)]
pub struct MigrateRequest {
    /// The workspace's SQLite database (`mcu.db`).
    pub from: PathBuf,
    /// The region's database, `postgres://…`.
    pub url: String,
    /// The municipality's code (its schema is `mo_<code>`).
    pub municipality: String,
    /// Its name; none keeps the one registered, else the code.
    pub name: Option<String>,
    /// Its population; none keeps the one registered.
    pub population: Option<i64>,
    /// The login of who runs it: must be a head of the workspace.
    pub login: String,
}

/// One table moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCount {
    pub table: String,
    /// Rows in the workspace.
    pub sqlite: u64,
    /// Rows in the municipality after the move (equal, or the migrate fails).
    pub postgres: u64,
}

/// What a migrate did.
#[derive(Debug, Clone, Serialize)]
pub struct MigrateReport {
    pub municipality: String,
    pub name: String,
    pub population: Option<i64>,
    /// Where the data went (no password).
    pub database: String,
    /// The URL without its password: what `[store] url` of the workspace's `config.toml` takes.
    pub url: String,
    pub tables: Vec<TableCount>,
    /// Appeals indexed for search on PostgreSQL.
    pub indexed: u64,
    /// The audit trail's head, the same on both sides.
    pub head: Option<Head>,
    /// Appeals replayed against their history in the workspace (their rows then compared with
    /// PostgreSQL's, value for value).
    pub appeals_checked: u64,
    pub seconds: f64,
}

/// The tables of the SQLite search index (FTS5): not data, rebuilt on PostgreSQL.
fn is_fts(table: &str) -> bool {
    table == "appeals_fts" || table.starts_with("appeals_fts_")
}

/// PostgreSQL's search index, rebuilt from the appeals' texts.
const PG_SEARCH: &str = "appeals_search";

/// Tables copied first, parents before the tables that refer to them; the rest follow by name.
const FIRST: [&str; 5] = ["settlements", "recipients", "appeals", "roadmaps", "votes"];

/// Moves the workspace into the municipality; see the module notes.
pub fn migrate(
    req: &MigrateRequest,
    reference: Arc<Reference>,
) -> Result<MigrateReport, StoreError> {
    let started = Instant::now();
    postgres::check_code(&req.municipality)?;
    if let Some(n) = &req.name
        && n.trim().is_empty()
    {
        return Err(StoreError::Invalid("--name: пустое название".into()));
    }
    if let Some(p) = req.population
        && p <= 0
    {
        return Err(StoreError::Invalid(format!(
            "--population {p}: должно быть больше нуля"
        )));
    }

    let source = open_source(&req.from, reference.clone())?;
    check_head(&source, &req.login)?;
    // One snapshot of the workspace for everything read below (others may keep working in it).
    let snapshot = source.conn.read_transaction()?;
    let verified = source.verify_audit()?;
    if !verified.intact {
        let problems: Vec<String> = verified
            .problems
            .iter()
            .map(|p| p.message.clone())
            .collect();
        return Err(StoreError::Invalid(format!(
            "журнал аудита рабочей папки не сходится (mcu audit verify), перенос не начат: {}",
            problems.join("; ")
        )));
    }
    let tables = source_tables(&source.conn)?;

    let pool = pg::PgPool::shared(&req.url, POOL_MAX);
    let conn = pool.get().map_err(DbError::from)?;
    // The region's own tables first, in a short transaction of their own: the move's long one
    // must not hold the lock every process opening a municipality takes (nor lock the region's
    // tables until the very end, below).
    postgres::ensure_region(&conn)?;
    let schema_name = postgres::schema_of(&req.municipality);
    let target = Store {
        // No statement_timeout: the move's COPY of a large table is one long statement.
        conn: Db::Pg(PgDb::new(conn, &schema_name)?),
        reference,
        chunks: Default::default(),
        // Verified without anchors; the moved head is anchored at the end.
        anchor: None,
        location: Some(Location::Postgres {
            url: req.url.clone(),
            municipality: req.municipality.clone(),
        }),
    };
    let pgdb = target
        .conn
        .pg()
        .ok_or_else(|| StoreError::Invalid("not PostgreSQL".into()))?;
    let pc = pgdb.conn();
    pc.begin().map_err(DbError::from)?;
    let moved = (|| {
        // The municipality's writers wait for the move (its write lock, as every writer takes).
        pc.advisory_xact_lock(pg::advisory_key(&format!("mcu-write:{schema_name}")))
            .map_err(DbError::from)?;
        let version = make_schema(pc, &req.municipality, &schema_name)?;
        refuse_non_empty(pc, &req.municipality, &schema_name)?;
        let counts = copy_all(&source.conn, pc, &schema_name, &tables)?;
        let indexed = rebuild_search(&source.conn, pc)?;
        set_sequences(pc, &schema_name)?;
        fault("before-verify")?;
        // The workspace's trail verified (above); the same rows on PostgreSQL, value for value,
        // are then the same chain and the same history — checked streaming both sides.
        if std::env::var("MCU_FAULT").is_ok_and(|f| f == "migrate-tamper") {
            // Test only: a value that did not come over as it was.
            pc.execute(
                "UPDATE appeals SET text = text || '.' WHERE id = (SELECT MIN(id) FROM appeals)",
                &[],
            )
            .map_err(DbError::from)?;
        }
        compare_all(&source.conn, pc, &schema_name, &tables)?;
        let head = target.audit_head()?;
        if head != verified.head {
            return Err(StoreError::Invalid(format!(
                "голова журнала аудита на PostgreSQL ({}) не та, что в рабочей папке ({}): \
                 перенос отменён",
                token(head.as_ref()),
                token(verified.head.as_ref())
            )));
        }
        // Last, so the region's tables are held only for the commit: the municipality's row,
        // its schema version, and the moved head as the first of its anchors.
        let (name, population) = register(pc, req, version)?;
        Anchor::in_region(&req.municipality).prepare(&target.conn)?;
        fault("before-commit")?;
        Ok(MigrateReport {
            municipality: req.municipality.clone(),
            name,
            population,
            database: pg::redacted_target(&req.url),
            url: without_password(&req.url),
            tables: counts,
            indexed,
            head,
            appeals_checked: verified.appeals.checked,
            seconds: 0.0,
        })
    })();
    match moved {
        Ok(mut report) => {
            pc.commit().map_err(DbError::from)?;
            drop(snapshot);
            report.seconds = started.elapsed().as_secs_f64();
            Ok(report)
        }
        Err(e) => {
            let _ = pc.rollback();
            Err(e)
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user@host/db`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let query = rest.find('?').unwrap_or(rest.len());
    let Some(at) = rest[..query].rfind('@') else {
        return url.to_owned();
    };
    let user = rest[..at].split(':').next().unwrap_or("");
    format!("{scheme}://{user}{}", &rest[at..])
}

fn token(h: Option<&Head>) -> String {
    h.map_or(":0".to_string(), Head::token)
}

/// The workspace's database, read-only, at the schema version this mcu writes.
fn open_source(path: &Path, reference: Arc<Reference>) -> Result<Store, StoreError> {
    if !path.is_file() {
        return Err(StoreError::NotFound(format!(
            "нет базы рабочей папки: {}",
            path.display()
        )));
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_handler(Some(super::busy::handler))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != schema::CURRENT_VERSION {
        return Err(StoreError::Invalid(format!(
            "база {} — версии схемы {version}, а эта версия mcu переносит {}: сначала откройте \
             рабочую папку этой версией mcu (например, mcu --workspace ПАПКА stats), она обновит \
             базу",
            path.display(),
            schema::CURRENT_VERSION
        )));
    }
    Ok(Store {
        conn: Db::Sqlite(conn),
        reference,
        chunks: Default::default(),
        anchor: Some(Anchor::beside(path)),
        location: Some(Location::File(path.to_path_buf())),
    })
}

/// Only a head of the workspace moves it (everything in it, personal data and operators too).
/// A workspace with no operators yet makes whoever runs mcu its head (as every command does),
/// so it is theirs to move.
fn check_head(source: &Store, login: &str) -> Result<(), StoreError> {
    if source.operators()?.is_empty() {
        return Ok(());
    }
    match source.operator(login)? {
        Some(o) if o.roles.contains(&Role::Head) => Ok(()),
        Some(_) => Err(StoreError::Denied(format!(
            "перенести рабочую папку может только руководитель МЦУ (head), а у «{login}» этой роли нет"
        ))),
        None => Err(StoreError::Denied(format!(
            "учётная запись «{login}» не оператор этой рабочей папки; перенести её может \
             руководитель МЦУ (head)"
        ))),
    }
}

/// A table of the workspace and its columns, in SQLite's order.
struct Table {
    name: String,
    columns: Vec<String>,
    /// The primary key's columns, in the key's order (all columns when there is none).
    key: Vec<String>,
}

fn source_tables(db: &Db) -> Result<Vec<Table>, StoreError> {
    let mut names: Vec<String> = {
        let mut st = db.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    names.retain(|n| !is_fts(n));
    names.sort_by_key(|n| {
        (
            FIRST.iter().position(|f| f == n).unwrap_or(FIRST.len()),
            n.clone(),
        )
    });
    let mut out = Vec::new();
    for name in names {
        let mut st = db.prepare(&format!("PRAGMA table_info({})", quote_ident(&name)))?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))?;
        let info: Vec<(String, i64)> = rows.collect::<Result<_, _>>()?;
        let columns: Vec<String> = info.iter().map(|(c, _)| c.clone()).collect();
        let mut key: Vec<&(String, i64)> = info.iter().filter(|(_, k)| *k > 0).collect();
        key.sort_by_key(|(_, k)| *k);
        let key: Vec<String> = if key.is_empty() {
            columns.clone()
        } else {
            key.into_iter().map(|(c, _)| c.clone()).collect()
        };
        out.push(Table { name, columns, key });
    }
    Ok(out)
}

/// The tables of the municipality's schema, with their columns.
fn target_columns(pc: &PgConn, schema: &str, table: &str) -> Result<Vec<String>, StoreError> {
    let rows = pc
        .query(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = ?1 AND table_name = ?2 ORDER BY ordinal_position",
            &[&schema, &table],
        )
        .map_err(DbError::from)?;
    rows.iter()
        .map(|r| r.get::<String>(0).map_err(|e| StoreError::Db(e.into())))
        .collect()
}

fn target_tables(pc: &PgConn, schema: &str) -> Result<Vec<String>, StoreError> {
    let rows = pc
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = ?1 AND table_type = 'BASE TABLE' ORDER BY table_name",
            &[&schema],
        )
        .map_err(DbError::from)?;
    rows.iter()
        .map(|r| r.get::<String>(0).map_err(|e| StoreError::Db(e.into())))
        .collect()
}

fn count_pg(pc: &PgConn, table: &str) -> Result<u64, StoreError> {
    let n: i64 = pc
        .query_one(&format!("SELECT COUNT(*) FROM {}", quote_ident(table)), &[])
        .and_then(|r| r.get(0))
        .map_err(DbError::from)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn count_sqlite(db: &Db, table: &str) -> Result<u64, StoreError> {
    let n: i64 = db.query_row(
        &format!("SELECT COUNT(*) FROM {}", quote_ident(table)),
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Never a merge: a municipality that holds anything at all is refused.
fn refuse_non_empty(pc: &PgConn, code: &str, schema: &str) -> Result<(), StoreError> {
    let mut held = Vec::new();
    for t in target_tables(pc, schema)? {
        let n = count_pg(pc, &t)?;
        if n > 0 {
            held.push((t, n));
        }
    }
    let anchors: i64 = pc
        .query_one(
            &format!(
                "SELECT COUNT(*) FROM {} WHERE municipality = ?1",
                anchor::TABLE
            ),
            &[&code],
        )
        .and_then(|r| r.get(0))
        .map_err(DbError::from)?;
    if anchors > 0 {
        held.push((
            anchor::TABLE.to_string(),
            u64::try_from(anchors).unwrap_or(0),
        ));
    }
    if held.is_empty() {
        return Ok(());
    }
    let what = match held.iter().find(|(t, _)| t == "appeals") {
        Some((_, n)) => format!("обращения ({n}) и другие данные"),
        None => {
            let mut names: Vec<String> = held.iter().map(|(t, n)| format!("{t}: {n}")).collect();
            if names.len() > 5 {
                let more = names.len() - 5;
                names.truncate(5);
                names.push(format!("ещё таблиц: {more}"));
            }
            format!("данные ({})", names.join(", "))
        }
    };
    Err(StoreError::Invalid(format!(
        "в муниципалитете «{code}» уже есть {what}: перенос не сливает данные двух баз и не \
         затирает их. Перенесите под другим кодом муниципалитета или сначала удалите этот \
         (README, «mcu migrate»)"
    )))
}

/// The municipality's schema, made or brought up to date inside the move's transaction; the
/// version it is then at. Registering it in the region is left to [`register`], at the end.
fn make_schema(pc: &PgConn, code: &str, schema: &str) -> Result<i64, StoreError> {
    let found: i64 = pc
        .query_opt(
            "SELECT version FROM mcu_region.schema_versions WHERE municipality = ?1",
            &[&code],
        )
        .map_err(DbError::from)?
        .map(|r| r.get(0))
        .transpose()
        .map_err(DbError::from)?
        .unwrap_or(0);
    let current = postgres::MIGRATIONS.len() as i64;
    if found > current {
        return Err(StoreError::Invalid(format!(
            "у муниципалитета {code} версия схемы {found}, новее этой версии mcu ({current}): \
             обновите mcu"
        )));
    }
    let q = quote_ident(schema);
    pc.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {q}; SET LOCAL search_path TO {q}, public"
    ))
    .map_err(DbError::from)?;
    for sql in postgres::MIGRATIONS
        .iter()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        pc.batch_execute(sql).map_err(DbError::from)?;
    }
    Ok(current)
}

/// Registers the municipality in the region with its name and population (what was asked, else
/// what is registered, else the code) and its schema version.
fn register(
    pc: &PgConn,
    req: &MigrateRequest,
    version: i64,
) -> Result<(String, Option<i64>), StoreError> {
    let code = &req.municipality;
    let row = pc
        .query_opt(
            "SELECT name, population FROM mcu_region.municipalities WHERE code = ?1",
            &[code],
        )
        .map_err(DbError::from)?;
    let (name, population): (String, Option<i64>) = match row {
        Some(r) => (
            r.get(0).map_err(DbError::from)?,
            r.get(1).map_err(DbError::from)?,
        ),
        None => (code.clone(), None),
    };
    let name = req
        .name
        .clone()
        .map(|n| n.trim().to_owned())
        .unwrap_or(name);
    let population = req.population.or(population);
    pc.execute(
        "INSERT INTO mcu_region.municipalities (code, name, population, created_at) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, population = excluded.population",
        &[code, &name, &population, &chrono::Utc::now().timestamp()],
    )
    .map_err(DbError::from)?;
    pc.execute(
        "INSERT INTO mcu_region.schema_versions (municipality, version) VALUES (?1, ?2) \
         ON CONFLICT (municipality) DO UPDATE SET version = excluded.version",
        &[code, &version],
    )
    .map_err(DbError::from)?;
    Ok((name, population))
}

/// Rows of a query as COPY takes them; a read error ends the rows and is kept for the caller.
struct Streamed<'s, 'e> {
    rows: Rows<'s>,
    width: usize,
    map: &'s dyn Fn(Vec<Value>) -> Vec<Value>,
    error: &'e RefCell<Option<DbError>>,
}

impl Iterator for Streamed<'_, '_> {
    type Item = Vec<Value>;

    fn next(&mut self) -> Option<Vec<Value>> {
        let read = (|| -> Result<Option<Vec<Value>>, DbError> {
            let Some(r) = self.rows.next()? else {
                return Ok(None);
            };
            let mut v = Vec::with_capacity(self.width);
            for i in 0..self.width {
                v.push(r.get_ref(i)?.to_owned());
            }
            Ok(Some(v))
        })();
        match read {
            Ok(v) => v.map(self.map),
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                None
            }
        }
    }
}

/// Streams `select` on the workspace into `copy` on PostgreSQL; the rows the server stored.
fn stream(
    src: &Db,
    pc: &PgConn,
    select: &str,
    width: usize,
    copy: &str,
    map: &dyn Fn(Vec<Value>) -> Vec<Value>,
) -> Result<u64, StoreError> {
    let mut st = src.prepare(select)?;
    let error = RefCell::new(None);
    let rows = Streamed {
        rows: st.query([])?,
        width,
        map,
        error: &error,
    };
    let n = pc.copy_in(copy, rows).map_err(DbError::from)?;
    if let Some(e) = error.into_inner() {
        return Err(e.into());
    }
    Ok(n)
}

/// Copies every table; the counts of both sides (equal, or an error).
fn copy_all(
    src: &Db,
    pc: &PgConn,
    schema: &str,
    tables: &[Table],
) -> Result<Vec<TableCount>, StoreError> {
    let on_pg = target_tables(pc, schema)?;
    for t in &on_pg {
        if t != PG_SEARCH && !tables.iter().any(|s| &s.name == t) {
            return Err(StoreError::Invalid(format!(
                "в рабочей папке нет таблицы {t}, которая есть на PostgreSQL: версии схем не \
                 совпадают"
            )));
        }
    }
    let mut out = Vec::new();
    for t in tables {
        if !on_pg.contains(&t.name) {
            return Err(StoreError::Invalid(format!(
                "на PostgreSQL нет таблицы {}: версии схем не совпадают",
                t.name
            )));
        }
        let target = target_columns(pc, schema, &t.name)?;
        let missing: Vec<&String> = t.columns.iter().filter(|c| !target.contains(c)).collect();
        let extra: Vec<&String> = target.iter().filter(|c| !t.columns.contains(c)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(StoreError::Invalid(format!(
                "таблица {}: столбцы не совпадают (только в SQLite: {missing:?}, только на \
                 PostgreSQL: {extra:?})",
                t.name
            )));
        }
        let list = t
            .columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let order = if t.columns.iter().any(|c| c == "id") {
            " ORDER BY id"
        } else {
            ""
        };
        let table = quote_ident(&t.name);
        stream(
            src,
            pc,
            &format!("SELECT {list} FROM {table}{order}"),
            t.columns.len(),
            &format!("COPY {table} ({list}) FROM STDIN"),
            &|v| v,
        )?;
        let sqlite = count_sqlite(src, &t.name)?;
        let postgres = count_pg(pc, &t.name)?;
        if sqlite != postgres {
            return Err(StoreError::Invalid(format!(
                "таблица {}: в рабочей папке {sqlite} строк, на PostgreSQL {postgres}: перенос \
                 отменён",
                t.name
            )));
        }
        out.push(TableCount {
            table: t.name.clone(),
            sqlite,
            postgres,
        });
        fault(&format!("after-table:{}", t.name))?;
    }
    Ok(out)
}

/// Every table read back from PostgreSQL and compared with the workspace's, row by row in the
/// order of its key (text compared bytewise on both: `COLLATE "C"`), through a cursor so that
/// memory stays flat.
fn compare_all(src: &Db, pc: &PgConn, schema: &str, tables: &[Table]) -> Result<(), StoreError> {
    const BATCH: usize = 5000;
    for t in tables {
        let types: Vec<(String, String)> = {
            let rows = pc
                .query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns \
                     WHERE table_schema = ?1 AND table_name = ?2",
                    &[&schema, &t.name],
                )
                .map_err(DbError::from)?;
            rows.iter()
                .map(|r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))
                .collect::<Result<_, pg::PgError>>()
                .map_err(DbError::from)?
        };
        let is_text = |c: &str| types.iter().any(|(n, ty)| n == c && ty == "text");
        let list = t
            .columns
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let table = quote_ident(&t.name);
        let sqlite_order = t
            .key
            .iter()
            .map(|c| quote_ident(c))
            .collect::<Vec<_>>()
            .join(", ");
        let pg_order = t
            .key
            .iter()
            .map(|c| {
                if is_text(c) {
                    format!("{} COLLATE \"C\"", quote_ident(c))
                } else {
                    quote_ident(c)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut st = src.prepare(&format!(
            "SELECT {list} FROM {table} ORDER BY {sqlite_order}"
        ))?;
        let mut rows = st.query([])?;
        pc.batch_execute(&format!(
            "DECLARE mcu_migrate_check NO SCROLL CURSOR FOR \
             SELECT {list} FROM {table} ORDER BY {pg_order}"
        ))
        .map_err(DbError::from)?;
        let mut n = 0u64;
        loop {
            let batch = pc
                .query_once(&format!("FETCH {BATCH} FROM mcu_migrate_check"), &[])
                .map_err(DbError::from)?;
            for b in &batch {
                n += 1;
                let Some(a) = rows.next()? else {
                    return Err(differs(&t.name, n, "на PostgreSQL строк больше"));
                };
                for (i, c) in t.columns.iter().enumerate() {
                    let left = a.get_ref(i)?.to_owned();
                    let right = b.get_value(i).map_err(DbError::from)?;
                    if !same(&left, &right) {
                        return Err(differs(&t.name, n, &format!("столбец {c}")));
                    }
                }
            }
            if batch.len() < BATCH {
                break;
            }
        }
        if rows.next()?.is_some() {
            return Err(differs(&t.name, n + 1, "на PostgreSQL строк меньше"));
        }
        pc.batch_execute("CLOSE mcu_migrate_check")
            .map_err(DbError::from)?;
    }
    Ok(())
}

/// The same stored value on both engines (an integral double may come back as either kind).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Integer(i), Value::Real(f)) | (Value::Real(f), Value::Integer(i)) => {
            *i as f64 == *f
        }
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits() || x == y,
        _ => a == b,
    }
}

fn differs(table: &str, row: u64, what: &str) -> StoreError {
    StoreError::Invalid(format!(
        "таблица {table}: строка {row} на PostgreSQL не та, что в рабочей папке ({what}): перенос \
         отменён"
    ))
}

/// The search index from the appeals' texts, normalised as an import does.
fn rebuild_search(src: &Db, pc: &PgConn) -> Result<u64, StoreError> {
    pc.batch_execute(
        "CREATE TEMP TABLE mcu_migrate_search (appeal_id BIGINT NOT NULL, body TEXT NOT NULL) \
         ON COMMIT DROP",
    )
    .map_err(DbError::from)?;
    let normalizer = SearchNormalizer::new();
    let normalise = |mut v: Vec<Value>| {
        if let Some(Value::Text(t)) = v.get_mut(1) {
            *t = normalizer.normalize(t);
        }
        v
    };
    stream(
        src,
        pc,
        "SELECT id, text FROM appeals ORDER BY id",
        2,
        "COPY mcu_migrate_search (appeal_id, body) FROM STDIN",
        &normalise,
    )?;
    let n = pc
        .execute(
            "INSERT INTO appeals_search (appeal_id, body) \
             SELECT appeal_id, to_tsvector('russian', body) FROM mcu_migrate_search",
            &[],
        )
        .map_err(DbError::from)?;
    Ok(n)
}

/// Every identity column's sequence past the largest id copied, so new rows get new ids.
fn set_sequences(pc: &PgConn, schema: &str) -> Result<(), StoreError> {
    let rows = pc
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = ?1 AND is_identity = 'YES'",
            &[&schema],
        )
        .map_err(DbError::from)?;
    for r in rows {
        let (table, column): (String, String) = (
            r.get(0).map_err(DbError::from)?,
            r.get(1).map_err(DbError::from)?,
        );
        let qualified = format!("{}.{}", quote_ident(schema), quote_ident(&table));
        pc.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence(?1, ?2), \
                 COALESCE((SELECT MAX({c}) FROM {qualified}), 0) + 1, false)",
                c = quote_ident(&column)
            ),
            &[&qualified, &column],
        )
        .map_err(DbError::from)?;
    }
    Ok(())
}

/// Fault injection for the tests (`MCU_FAULT=migrate-fail:POINT` returns an error there,
/// `MCU_FAULT=migrate-abort:POINT` aborts the process like `kill -9`). Points: `after-table:NAME`,
/// `before-verify`, `before-commit`. `MCU_FAULT=migrate-tamper` changes a copied value before
/// the comparison.
fn fault(point: &str) -> Result<(), StoreError> {
    let Ok(f) = std::env::var("MCU_FAULT") else {
        return Ok(());
    };
    if f.strip_prefix("migrate-abort:") == Some(point) {
        std::process::abort();
    }
    if f.strip_prefix("migrate-fail:") == Some(point) {
        return Err(StoreError::Invalid(format!(
            "сбой, заданный MCU_FAULT ({point})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_left_out_of_the_url() {
        assert_eq!(
            without_password("postgres://mcu:s3cr:et@db.example:5432/region"),
            "postgres://mcu@db.example:5432/region"
        );
        assert_eq!(
            without_password("postgres://mcu@%2Frun%2Fpostgresql/region"),
            "postgres://mcu@%2Frun%2Fpostgresql/region"
        );
        assert_eq!(
            without_password("postgres://db/region"),
            "postgres://db/region"
        );
    }
}

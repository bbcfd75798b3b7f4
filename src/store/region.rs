//! The region's own tables on PostgreSQL (schema `mcu_region`): the municipalities with their
//! population (reference data), the region's operators (the ЦУР), and a way to open each
//! municipality's store for the region's figures. A region is a PostgreSQL database: an SQLite
//! workspace is one municipality and has none of this.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::db::{Db, DbError, PgDb, params};
use super::schema::postgres;
use super::{Location, POOL_MAX, Store, StoreError, ts};
use crate::domain::access::Role;
use crate::reference::Reference;

/// A municipality of the region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Municipality {
    /// The code (its schema is `mo_<code>`).
    pub code: String,
    /// The Russian name («Куженерский муниципальный округ»); the code until someone sets it.
    pub name: String,
    /// Inhabitants, when known.
    pub population: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The version of its schema (`None`: registered, but its tables were never made).
    #[serde(skip)]
    pub version: Option<i64>,
}

/// An operator of the region (the ЦУР).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionOperator {
    pub login: String,
    pub name: String,
    /// `head` (keeps the region's operators and reference data) and/or `observer` (reads).
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
}

impl RegionOperator {
    /// Keeps the list of region operators and the municipalities' reference data.
    pub fn manages(&self) -> bool {
        self.roles.contains(&Role::Head)
    }
}

/// The roles a region operator may hold.
pub const REGION_ROLES: [Role; 2] = [Role::Head, Role::Observer];

/// The region's tables of one PostgreSQL database.
pub struct Region {
    db: Db,
    url: String,
}

impl Region {
    /// Opens the region of the database `url`, creating its tables if they are missing.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let pool = super::db::pg::PgPool::shared(url, POOL_MAX);
        let conn = pool.get().map_err(DbError::from)?;
        postgres::ensure_region(&conn)?;
        let db = Db::Pg(PgDb::new(conn, "mcu_region")?);
        Ok(Self {
            db,
            url: url.to_owned(),
        })
    }

    /// Every municipality, by code.
    pub fn municipalities(&self) -> Result<Vec<Municipality>, StoreError> {
        let mut st = self.db.prepare_cached(
            "SELECT m.code, m.name, m.population, m.created_at, v.version \
             FROM mcu_region.municipalities m \
             LEFT JOIN mcu_region.schema_versions v ON v.municipality = m.code ORDER BY m.code",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Municipality {
                code: r.get(0)?,
                name: r.get(1)?,
                population: r.get(2)?,
                created_at: ts(r.get(3)?),
                version: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One municipality by code.
    pub fn municipality(&self, code: &str) -> Result<Option<Municipality>, StoreError> {
        Ok(self.municipalities()?.into_iter().find(|m| m.code == code))
    }

    /// Registers a municipality (and makes its schema, so its workspace opens it ready), or
    /// fails when the code is taken. A population, when given, must be positive.
    pub fn add_municipality(
        &self,
        code: &str,
        name: &str,
        population: Option<i64>,
        reference: std::sync::Arc<Reference>,
    ) -> Result<Municipality, StoreError> {
        postgres::check_code(code)?;
        check_name(name)?;
        check_population(population)?;
        if self.municipality(code)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "муниципалитет «{code}» уже есть; изменить: mcu region municipality set {code} …"
            )));
        }
        // Opening it makes the schema and the region's row (named by the code).
        drop(Store::open_postgres(&self.url, code, reference)?);
        self.set_municipality(code, Some(name), population.map(Some))
    }

    /// Changes a municipality's name and/or population (`Some(None)` forgets the population).
    pub fn set_municipality(
        &self,
        code: &str,
        name: Option<&str>,
        population: Option<Option<i64>>,
    ) -> Result<Municipality, StoreError> {
        if let Some(n) = name {
            check_name(n)?;
        }
        if let Some(p) = population {
            check_population(p)?;
        }
        if self.municipality(code)?.is_none() {
            return Err(StoreError::NotFound(format!(
                "нет муниципалитета «{code}» (список: mcu region municipalities)"
            )));
        }
        if let Some(n) = name {
            self.db.execute(
                "UPDATE mcu_region.municipalities SET name = ?1 WHERE code = ?2",
                params![n.trim(), code],
            )?;
        }
        if let Some(p) = population {
            self.db.execute(
                "UPDATE mcu_region.municipalities SET population = ?1 WHERE code = ?2",
                params![p, code],
            )?;
        }
        self.municipality(code)?
            .ok_or_else(|| StoreError::NotFound(format!("нет муниципалитета «{code}»")))
    }

    /// Opens one municipality's store (its schema on a connection of the shared pool), for the
    /// region's figures. A schema behind this mcu's version is brought up to date first, as any
    /// command in that municipality would.
    pub fn member(
        &self,
        m: &Municipality,
        reference: std::sync::Arc<Reference>,
    ) -> Result<Store, StoreError> {
        if m.version != Some(postgres::MIGRATIONS.len() as i64) {
            return Store::open_postgres(&self.url, &m.code, reference);
        }
        let pool = super::db::pg::PgPool::shared(&self.url, POOL_MAX);
        let conn = pool.get().map_err(DbError::from)?;
        let conn = Db::Pg(PgDb::with_timeout(
            conn,
            &postgres::schema_of(&m.code),
            reference.settings.store.statement_timeout(),
        )?);
        Ok(Store {
            conn,
            reference,
            chunks: Default::default(),
            anchor: None,
            location: Some(Location::Postgres {
                url: self.url.clone(),
                municipality: m.code.clone(),
            }),
        })
    }

    /// The region's operators, by login.
    pub fn operators(&self) -> Result<Vec<RegionOperator>, StoreError> {
        let mut st = self.db.prepare_cached(
            "SELECT login, name, roles, created_at FROM mcu_region.operators ORDER BY login",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (login, name, roles, at) = row?;
            let roles = roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::parse::<Role>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Invalid(format!("оператор региона {login}: {e}")))?;
            out.push(RegionOperator {
                login,
                name,
                roles,
                created_at: ts(at),
            });
        }
        Ok(out)
    }

    /// One region operator by login.
    pub fn operator(&self, login: &str) -> Result<Option<RegionOperator>, StoreError> {
        Ok(self.operators()?.into_iter().find(|o| o.login == login))
    }

    /// Adds a region operator or replaces their name and roles. Only `head` and `observer`.
    pub fn put_operator(
        &self,
        login: &str,
        name: &str,
        roles: &[Role],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if login.trim().is_empty() || roles.is_empty() {
            return Err(StoreError::Invalid(
                "нужны логин и хотя бы одна роль (--role observer или --role head)".into(),
            ));
        }
        if let Some(r) = roles.iter().find(|r| !REGION_ROLES.contains(r)) {
            return Err(StoreError::Invalid(format!(
                "роль «{r}» — роль муниципалитета; у оператора региона роли head (руководитель \
                 ЦУР) и observer (представитель ЦУР)"
            )));
        }
        let roles: Vec<&str> = roles.iter().map(|r| r.id()).collect();
        self.db.execute(
            "INSERT INTO mcu_region.operators (login, name, roles, created_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (login) DO UPDATE SET name = excluded.name, \
             roles = excluded.roles",
            params![login.trim(), name.trim(), roles.join(","), now.timestamp()],
        )?;
        Ok(())
    }

    /// Removes a region operator; the last head stays (nobody could manage the region).
    pub fn remove_operator(&self, login: &str) -> Result<(), StoreError> {
        let all = self.operators()?;
        let Some(op) = all.iter().find(|o| o.login == login) else {
            return Err(StoreError::NotFound(format!(
                "нет оператора региона «{login}»"
            )));
        };
        let heads = all.iter().filter(|o| o.manages()).count();
        if op.manages() && heads == 1 {
            return Err(StoreError::Invalid(format!(
                "«{login}» — единственный руководитель ЦУР: сначала добавьте другого"
            )));
        }
        self.db.execute(
            "DELETE FROM mcu_region.operators WHERE login = ?1",
            params![login],
        )?;
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid(
            "нужно название муниципалитета (--name)".into(),
        ));
    }
    Ok(())
}

fn check_population(p: Option<i64>) -> Result<(), StoreError> {
    match p {
        Some(n) if n <= 0 => Err(StoreError::Invalid(format!(
            "население {n}: должно быть больше нуля"
        ))),
        _ => Ok(()),
    }
}

//! Operators: OS accounts mapped to a name, roles and (for block leads) blocks.

use crate::store::db::{OptionalExtension, params};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Store, StoreError, ts};
use crate::domain::access::{Grants, Role};

/// An operator of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// The OS account name.
    pub login: String,
    /// Full name, for the audit trail and the status line.
    pub name: String,
    pub roles: Vec<Role>,
    /// Blocks of a block lead.
    pub blocks: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl Operator {
    /// What this operator may do.
    pub fn grants(&self) -> Grants {
        Grants::new(self.login.clone(), self.roles.clone(), self.blocks.clone())
    }
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl Store {
    /// Every operator, by login.
    pub fn operators(&self) -> Result<Vec<Operator>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT login, name, roles, blocks, created_at FROM operators ORDER BY login",
        )?;
        let rows = st.query_map([], |r| {
            let roles: String = r.get(2)?;
            let blocks: String = r.get(3)?;
            Ok((r.get(0)?, r.get(1)?, roles, blocks, r.get::<_, i64>(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (login, name, roles, blocks, at): (String, String, String, String, i64) = row?;
            let roles = split(&roles)
                .iter()
                .map(|r| r.parse::<Role>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Invalid(format!("operator {login}: {e}")))?;
            out.push(Operator {
                login,
                name,
                roles,
                blocks: split(&blocks),
                created_at: ts(at),
            });
        }
        Ok(out)
    }

    /// One operator by login.
    pub fn operator(&self, login: &str) -> Result<Option<Operator>, StoreError> {
        Ok(self.operators()?.into_iter().find(|o| o.login == login))
    }

    /// Adds an operator, or replaces the name, roles and blocks of an existing one.
    pub fn put_operator(
        &mut self,
        login: &str,
        name: &str,
        roles: &[Role],
        blocks: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if login.trim().is_empty() || roles.is_empty() {
            return Err(StoreError::Invalid(
                "an operator needs a login and at least one role".into(),
            ));
        }
        for b in blocks {
            if self.reference().blocks.get(b).is_none() {
                return Err(StoreError::Invalid(format!(
                    "unknown block «{b}» (known: {})",
                    self.reference().blocks.ids()
                )));
            }
        }
        if roles.contains(&Role::BlockLead) && blocks.is_empty() {
            return Err(StoreError::Invalid(
                "a block lead needs --blocks (e.g. --blocks housing,roads)".into(),
            ));
        }
        let roles: Vec<&str> = roles.iter().map(|r| r.id()).collect();
        self.conn().execute(
            "INSERT INTO operators (login, name, roles, blocks, created_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (login) DO UPDATE SET name = excluded.name, roles = excluded.roles, \
             blocks = excluded.blocks",
            params![login.trim(), name.trim(), roles.join(","), blocks.join(","), now.timestamp()],
        )?;
        Ok(())
    }

    /// Removes an operator. The last head cannot be removed (nobody could manage the workspace).
    pub fn remove_operator(&mut self, login: &str) -> Result<(), StoreError> {
        let all = self.operators()?;
        let Some(op) = all.iter().find(|o| o.login == login) else {
            return Err(StoreError::NotFound(format!("no operator «{login}»")));
        };
        let heads = all.iter().filter(|o| o.roles.contains(&Role::Head)).count();
        if op.roles.contains(&Role::Head) && heads == 1 {
            return Err(StoreError::Invalid(format!(
                "«{login}» is the only head: add another head first"
            )));
        }
        self.conn()
            .execute("DELETE FROM operators WHERE login = ?1", [login])?;
        Ok(())
    }

    /// The grants of an OS account. When the workspace has no operator yet, the account becomes
    /// its first head (it created the workspace). Otherwise an account that is not an operator is
    /// refused with what to ask for.
    pub fn grants_for(&mut self, login: &str, now: DateTime<Utc>) -> Result<Grants, StoreError> {
        let none: Option<i64> = self
            .conn()
            .query_row("SELECT 1 FROM operators LIMIT 1", [], |r| r.get(0))
            .optional()?;
        if none.is_none() {
            self.put_operator(login, login, &[Role::Head], &[], now)?;
        }
        match self.operator(login)? {
            Some(o) => Ok(o.grants()),
            None => Err(StoreError::Denied(format!(
                "the account «{login}» is not an operator of this workspace. Ask the head of the МЦУ \
                 to run: mcu operator add {login} --name \"Фамилия Имя Отчество\" --role ROLE \
                 (roles: head, curator, coordinator, pages, block_lead, observer)"
            ))),
        }
    }
}

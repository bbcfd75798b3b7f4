//! What the registers of the decree (roadmaps, official pages, votes, answer templates) share in
//! the store: one audited write path. Each register keeps its own tables and its own module;
//! every change it makes goes through [`Store::write_register`] and [`RegisterWrite::record`],
//! so it lands in the same hash chain as the appeals' changes (see `audit`), with who, when,
//! from where, the field, old → new.

use crate::store::db::{Transaction, params};
use chrono::{DateTime, Utc};

use super::{Actor, Event, Store, StoreError, ts};
use crate::domain::access::Action;

/// A write transaction of a register, with who acts and when.
pub(crate) struct RegisterWrite<'c, 'a> {
    pub tx: Transaction<'c>,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

impl RegisterWrite<'_, '_> {
    /// Audits changes of one entry of `register`: one audit entry per `(field, old, new)` whose
    /// old and new differ (an unchanged field writes nothing).
    pub fn record(
        &self,
        register: &str,
        entry_id: i64,
        changes: &[(&str, Option<String>, Option<String>)],
    ) -> Result<(), StoreError> {
        let entries: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .filter(|(_, old, new)| old != new)
            .map(|(f, old, new)| (*f, old.as_deref(), new.as_deref()))
            .collect();
        super::audit::append_register(
            &self.tx,
            (register, entry_id),
            self.now.timestamp(),
            self.actor,
            &entries,
        )
    }

    /// Audits that an entry was created, with the fields it was created with (each one an entry
    /// from nothing to its value, so the history shows what it started as).
    pub fn record_created(
        &self,
        register: &str,
        entry_id: i64,
        fields: &[(&str, Option<String>)],
    ) -> Result<(), StoreError> {
        let mut changes = vec![("created", None, Some(self.actor.source.clone()))];
        changes.extend(
            fields
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(f, v)| (*f, None, v.clone())),
        );
        self.record(register, entry_id, &changes)
    }
}

impl Store {
    /// Runs `f` in one immediate write transaction (the write lock taken before reading, so the
    /// audit chain's head cannot go stale), after checking that the actor may take `action`;
    /// commits and anchors the audit head. Nothing is written when `f` fails.
    pub(crate) fn write_register<T>(
        &mut self,
        action: Action,
        actor: &Actor,
        now: DateTime<Utc>,
        f: impl FnOnce(&RegisterWrite<'_, '_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if let Some(g) = &actor.grants
            && !g.may_all(action)
        {
            return Err(StoreError::Denied(format!(
                "{} may not do this: {} is not theirs (roles: {})",
                g.login,
                action.describe(),
                g.roles
                    .iter()
                    .map(|r| r.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let out = {
            let tx = self.conn.transaction()?;
            let w = RegisterWrite { tx, actor, now };
            let out = f(&w)?;
            w.tx.commit()?;
            out
        };
        self.anchor_head();
        Ok(out)
    }

    /// The history of one entry of a register, oldest first.
    pub fn register_history(
        &self,
        register: &str,
        entry_id: i64,
    ) -> Result<Vec<Event>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT at, operator, source, field, old, new FROM events INDEXED BY events_register \
             WHERE register = ?1 AND entry_id = ?2 ORDER BY id",
        )?;
        let rows = st.query_map(params![register, entry_id], |r| {
            Ok(Event {
                at: ts(r.get(0)?),
                operator: r.get(1)?,
                source: r.get(2)?,
                field: r.get(3)?,
                old: r.get(4)?,
                new: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::access::{Grants, Role};
    use crate::reference::Reference;

    fn store() -> Store {
        Store::open_in_memory(Arc::new(Reference::embedded().expect("reference"))).expect("store")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("time")
    }

    /// A register's changes are audited in the one chain, only what changed, and verify intact;
    /// a failed write leaves nothing.
    #[test]
    fn register_changes_join_the_audit_chain() {
        let mut s = store();
        let actor = Actor::new("petrova", "cli");
        s.write_register(Action::KeepRegisters, &actor, now(), |w| {
            w.record_created(
                "roadmap",
                7,
                &[("title", Some("Ямы в Юркино".into())), ("problem", None)],
            )
        })
        .expect("created");
        s.write_register(Action::KeepRegisters, &actor, now(), |w| {
            w.record(
                "roadmap",
                7,
                &[
                    ("status", Some("draft".into()), Some("active".into())),
                    (
                        "title",
                        Some("Ямы в Юркино".into()),
                        Some("Ямы в Юркино".into()),
                    ),
                ],
            )
        })
        .expect("changed");
        let failed: Result<(), _> = s.write_register(Action::KeepRegisters, &actor, now(), |w| {
            w.record(
                "roadmap",
                7,
                &[("status", Some("active".into()), Some("done".into()))],
            )?;
            Err(StoreError::Invalid("refused".into()))
        });
        assert!(failed.is_err());

        let h = s.register_history("roadmap", 7).expect("history");
        let fields: Vec<_> = h
            .iter()
            .map(|e| (e.field.as_str(), e.new.as_deref()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("created", Some("cli")),
                ("title", Some("Ямы в Юркино")),
                ("status", Some("active"))
            ]
        );
        assert!(
            s.register_history("roadmap", 8)
                .expect("history")
                .is_empty()
        );
        let v = s.verify_audit().expect("verify");
        assert!(v.intact, "{:?}", v.problems);
        assert_eq!(v.checked, 3);
        let log = s
            .audit_log(&super::super::AuditFilter {
                register: Some("roadmap".into()),
                entry: Some(7),
                ..Default::default()
            })
            .expect("log");
        assert_eq!(log.len(), 3);
        assert!(log.iter().all(|e| e.appeal_id.is_none()));
        assert_eq!(log[2].register.as_ref().map(|r| r.entry_id), Some(7));
    }

    /// Editing a register's audit entry, or moving it to another entry, breaks the chain there.
    #[test]
    fn a_tampered_register_entry_breaks_the_chain() {
        let mut s = store();
        let actor = Actor::new("petrova", "cli");
        for id in [1, 2] {
            s.write_register(Action::KeepPages, &actor, now(), |w| {
                w.record_created(
                    "page",
                    id,
                    &[("url", Some(format!("https://vk.com/p{id}")))],
                )
            })
            .expect("created");
        }
        assert!(s.verify_audit().expect("verify").intact);
        s.conn()
            .execute("UPDATE events SET entry_id = 9 WHERE id = 3", [])
            .expect("tamper");
        let v = s.verify_audit().expect("verify");
        assert_eq!(v.first_broken, Some(3));
    }

    /// An operator whose roles do not keep the registers is refused before anything is written.
    #[test]
    fn an_operator_without_the_role_is_refused() {
        let mut s = store();
        let observer = Actor::operator(Grants::new("ivanov", vec![Role::Observer], vec![]), "cli");
        let err = s
            .write_register(Action::KeepRegisters, &observer, now(), |w| {
                w.record_created("roadmap", 1, &[])
            })
            .expect_err("refused");
        assert!(matches!(err, StoreError::Denied(_)), "{err}");
        let pages = Actor::operator(Grants::new("orlova", vec![Role::Pages], vec![]), "cli");
        s.write_register(Action::KeepPages, &pages, now(), |w| {
            w.record_created("page", 1, &[])
        })
        .expect("the pages officer keeps the pages");
        assert!(
            s.write_register(Action::KeepRegisters, &pages, now(), |w| w.record_created(
                "roadmap",
                1,
                &[]
            ))
            .is_err()
        );
        assert_eq!(s.audit_head().expect("head").map(|h| h.count), Some(1));
    }
}

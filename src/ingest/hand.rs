//! Appeals taken by hand: a phone call, a visitor at the reception («личный приём», channel
//! `other`), a letter registered by the officer. mcu makes the source id (`mcu-2026-000123`: the
//! year and a workspace-wide counter that is never reused), the appeal goes through the same
//! intake as an imported one ([`crate::store::ImportTx::upsert`]: created and audited with the
//! operator) and is auto-triaged at once ([`super::triage::resume`]).

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use super::IncomingAppeal;
use super::pipeline::TriageCounts;
use crate::domain::Channel;
use crate::domain::triage::Triage;
use crate::store::{Actor, Store, StoreError};

/// The counter of hand-made source ids (`source_counters`).
const COUNTER: &str = "hand";

/// What the officer took down.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandAppeal {
    pub channel: Option<Channel>,
    pub text: String,
    pub author: Option<String>,
    pub contact: Option<String>,
    pub settlement: Option<String>,
    /// When it was received (default: now).
    pub received_at: Option<DateTime<Utc>>,
}

/// The appeal made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Added {
    /// The internal number.
    pub id: i64,
    pub channel: Channel,
    /// The source id mcu made (`mcu-2026-000123`); `channel:source_id` refers to the appeal.
    pub source_id: String,
    /// What auto-triage did right after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triaged: Option<TriageCounts>,
}

/// Creates an appeal taken by hand and (with `triage`) triages it at once. Needs
/// `Action::Import` when `actor` carries grants. Fails on an empty text.
pub fn add_appeal(
    store: &mut Store,
    triage: Option<&Triage>,
    actor: &Actor,
    a: &HandAppeal,
    now: DateTime<Utc>,
) -> Result<Added, StoreError> {
    if let Some(g) = &actor.grants
        && !g.may_import()
    {
        return Err(StoreError::Denied(format!(
            "{} may not take appeals down (roles: {})",
            g.login,
            g.roles
                .iter()
                .map(|r| r.id())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let channel = a
        .channel
        .ok_or_else(|| StoreError::Invalid("no channel: choose how the appeal came".into()))?;
    let text = super::values::clean_text(&a.text)
        .ok_or_else(|| StoreError::Invalid("no text: write what the citizen said".into()))?;
    let clean = |s: &Option<String>| s.as_deref().and_then(super::values::clean_text);
    let received_at = a.received_at.unwrap_or(now);
    let year = received_at
        .with_timezone(&store.reference().calendar.timezone())
        .year();
    let mut tx = store.begin_import()?;
    // A number an imported appeal of the channel already holds as its id is skipped.
    let source_id = loop {
        let n = tx.next_number(COUNTER)?;
        let id = format!("mcu-{year}-{n:06}");
        if !tx.has_source_id(channel, &id)? {
            break id;
        }
    };
    let incoming = IncomingAppeal {
        line: 0,
        source_id: source_id.clone(),
        channel: Some(channel),
        received_at,
        text,
        author: clean(&a.author),
        contact: clean(&a.contact),
        settlement: clean(&a.settlement),
        ..Default::default()
    };
    let saved = tx.upsert(&incoming, channel, actor, now)?;
    tx.commit()?;
    tracing::info!(appeal = saved.id, channel = %channel, "appeal taken by hand");
    let triaged = triage.map(|t| super::triage::resume(store, t, &actor.operator, now));
    Ok(Added {
        id: saved.id,
        channel,
        source_id,
        triaged,
    })
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
        Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
            .single()
            .expect("time")
    }

    fn call(text: &str) -> HandAppeal {
        HandAppeal {
            channel: Some(Channel::Phone),
            text: text.into(),
            ..Default::default()
        }
    }

    /// Numbers only grow, across channels; one an imported appeal holds is skipped.
    #[test]
    fn ids_are_unique_and_skip_an_imported_one() {
        let mut s = store();
        let actor = Actor::new("petrova", "cli");
        let mut tx = s.begin_import().expect("tx");
        let imported = IncomingAppeal {
            source_id: "mcu-2026-000002".into(),
            received_at: now(),
            text: "Импортированное".into(),
            ..Default::default()
        };
        tx.upsert(&imported, Channel::Phone, &actor, now())
            .expect("imported");
        tx.commit().expect("commit");

        let a = add_appeal(&mut s, None, &actor, &call("Яма"), now()).expect("added");
        let b = add_appeal(&mut s, None, &actor, &call("Свет"), now()).expect("added");
        let mut visit = call("Личный приём");
        visit.channel = Some(Channel::Other);
        let c = add_appeal(&mut s, None, &actor, &visit, now()).expect("added");
        assert_eq!(
            [
                a.source_id.as_str(),
                b.source_id.as_str(),
                c.source_id.as_str()
            ],
            ["mcu-2026-000001", "mcu-2026-000003", "mcu-2026-000004"]
        );
        let stored = s.get(b.id).expect("read").expect("found");
        assert_eq!(stored.text, "Свет");
        assert_eq!(s.history(b.id).expect("history")[0].field, "created");
        assert!(s.verify_audit().expect("verify").intact);
    }

    /// An empty text and a role without the import right are refused; nothing is written.
    #[test]
    fn empty_texts_and_other_roles_are_refused() {
        let mut s = store();
        let actor = Actor::new("petrova", "cli");
        let err = add_appeal(&mut s, None, &actor, &call("  \n "), now()).expect_err("empty");
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        let observer = Actor::operator(Grants::new("ivanov", vec![Role::Observer], vec![]), "cli");
        let err = add_appeal(&mut s, None, &observer, &call("Яма"), now()).expect_err("denied");
        assert!(matches!(err, StoreError::Denied(_)), "{err}");
        assert_eq!(s.count().expect("count"), 0);
    }
}

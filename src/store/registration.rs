//! The 59-ФЗ registration of an appeal: the number and the date it got in the registration
//! journal (a letter, or any appeal the SLA treats as 59-ФЗ). Kept in `registrations`, one row per
//! appeal; every change is audited as register [`REGISTRATION_REGISTER`] with the appeal's id as the
//! entry (`mcu audit log --register registration --entry N`).

use crate::store::db::{OptionalExtension, params};
use chrono::{DateTime, NaiveDate, Utc};

use super::registers::RegisterWrite;
use super::{Actor, Store, StoreError};
use crate::domain::access::Action;

/// The register name of the registrations in the audit trail.
pub const REGISTRATION_REGISTER: &str = "registration";

/// The longest registration number taken.
const MAX_NUMBER: usize = 64;

/// A 59-ФЗ registration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Registration {
    /// The number in the registration journal («123-П»).
    pub number: String,
    /// The date of registration (local).
    pub date: NaiveDate,
}

impl Store {
    /// The appeal's 59-ФЗ registration, if recorded.
    pub fn registration(&self, id: i64) -> Result<Option<Registration>, StoreError> {
        let row: Option<(String, String)> = self
            .conn()
            .prepare_cached("SELECT number, registered_on FROM registrations WHERE appeal_id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.and_then(|(number, d)| {
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .ok()
                .map(|date| Registration { number, date })
        }))
    }

    /// Records (or corrects) the 59-ФЗ registration of an appeal, audited. Refused for an appeal
    /// that is not 59-ФЗ, an empty or overlong number, a date in the future or before the appeal
    /// was received; the operator needs the triage right on the appeal.
    pub fn register_fz59(
        &mut self,
        id: i64,
        number: &str,
        date: NaiveDate,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Registration, StoreError> {
        let reference = self.reference().clone();
        let tz = reference.calendar.timezone();
        let a = self
            .get(id)?
            .ok_or_else(|| StoreError::NotFound(format!("no appeal {id}")))?;
        if let Some(g) = &actor.grants {
            if !g.may_see(&a) {
                return Err(StoreError::NotFound(format!("no appeal {id}")));
            }
            if !g.may(Action::Triage, &a) {
                return Err(StoreError::Denied(format!(
                    "{} may not register appeal {id}: {} is not theirs",
                    g.login,
                    Action::Triage.describe()
                )));
            }
        }
        if !reference.sla.is_fz59(a.channel, a.fz59) {
            return Err(StoreError::Invalid(format!(
                "appeal {id} is not a 59-ФЗ appeal (a letter or marked fz59): it has no registration"
            )));
        }
        let number = number.trim();
        if number.is_empty() {
            return Err(StoreError::Invalid(
                "the registration number is empty".into(),
            ));
        }
        if number.chars().count() > MAX_NUMBER || number.chars().any(char::is_control) {
            return Err(StoreError::Invalid(format!(
                "the registration number is longer than {MAX_NUMBER} characters or has control characters"
            )));
        }
        let today = now.with_timezone(&tz).date_naive();
        if date > today {
            return Err(StoreError::Invalid(format!(
                "the registration date {} is in the future",
                date.format("%d.%m.%Y")
            )));
        }
        let received = a.received_at.with_timezone(&tz).date_naive();
        if date < received {
            return Err(StoreError::Invalid(format!(
                "the registration date {} is before the appeal was received ({})",
                date.format("%d.%m.%Y"),
                received.format("%d.%m.%Y")
            )));
        }
        let old = self.registration(id)?;
        let new = Registration {
            number: number.to_string(),
            date,
        };
        // The triage right was checked on this appeal above (a block lead's own blocks).
        let unchecked = Actor {
            grants: None,
            ..actor.clone()
        };
        self.write_register(
            Action::Triage,
            &unchecked,
            now,
            |w: &RegisterWrite<'_, '_>| {
                w.tx.execute(
                "INSERT INTO registrations (appeal_id, number, registered_on) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (appeal_id) DO UPDATE SET number = ?2, registered_on = ?3",
                params![id, new.number, new.date.format("%Y-%m-%d").to_string()],
            )?;
                let day = |r: &Option<Registration>| r.as_ref().map(|r| r.date.to_string());
                w.record(
                    REGISTRATION_REGISTER,
                    id,
                    &[
                        (
                            "number",
                            old.as_ref().map(|r| r.number.clone()),
                            Some(new.number.clone()),
                        ),
                        ("registered_on", day(&old), day(&Some(new.clone()))),
                    ],
                )
            },
        )?;
        Ok(new)
    }
}

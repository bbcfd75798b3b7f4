//! The register of votes and public discussions (`vote`): the votes, their options and counts.
//! Every change goes through [`Store::write_register`] (one audit entry per changed field; an
//! option's count is the field `option «…»`). The comments left in a vote are appeals (channel
//! `pos`, source id `vote:<vote_id>:…`), written by the import's intake, not here.

use crate::store::db::{Db, OptionalExtension, ToValue, params};
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Actor, Store, StoreError, ts};
use crate::domain::Channel;
use crate::domain::access::Action;
use crate::domain::votes::{Vote, VoteKind, VoteOption, comment_prefix};

/// The register's name in the audit trail.
pub const REGISTER: &str = "vote";

/// A vote as a file states it: fields it does not give are `None` and leave a stored value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VoteInput {
    pub vote_id: String,
    pub title: Option<String>,
    pub kind: Option<VoteKind>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub settlement: Option<String>,
    pub participants: Option<i64>,
    /// The options in file order; an option the store has and the file omits is kept.
    pub options: Vec<VoteOption>,
}

/// What saving votes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct VoteCounts {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn instant_text(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| t.to_rfc3339())
}

fn option_field(option: &str) -> String {
    format!("option «{option}»")
}

fn kind_of(s: &str) -> VoteKind {
    s.parse().unwrap_or(VoteKind::Vote)
}

impl Store {
    /// Inserts new votes and updates known ones (matched by `vote_id`), in one audited
    /// transaction (`Action::Import`).
    pub fn save_votes(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        votes: &[VoteInput],
    ) -> Result<VoteCounts, StoreError> {
        self.write_register(Action::Import, actor, now, |w| {
            let mut counts = VoteCounts::default();
            for v in votes {
                let tx = &w.tx;
                let old = load_vote(tx, "vote_id = ?1", &v.vote_id)?;
                match old {
                    None => {
                        let title = v.title.clone().unwrap_or_else(|| v.vote_id.clone());
                        let kind = v.kind.unwrap_or(VoteKind::Vote);
                        let id = tx.insert(
                            "INSERT INTO votes (vote_id, title, kind, started_at, ended_at, \
                             settlement, participants) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            params![
                                v.vote_id,
                                title,
                                kind.id(),
                                v.started_at.map(|t| t.timestamp()),
                                v.ended_at.map(|t| t.timestamp()),
                                v.settlement,
                                v.participants
                            ],
                        )?;
                        let mut fields: Vec<(String, Option<String>)> = vec![
                            ("vote_id".into(), Some(v.vote_id.clone())),
                            ("title".into(), Some(title)),
                            ("kind".into(), Some(kind.id().into())),
                            ("started_at".into(), instant_text(v.started_at)),
                            ("ended_at".into(), instant_text(v.ended_at)),
                            ("settlement".into(), v.settlement.clone()),
                            ("participants".into(), v.participants.map(|p| p.to_string())),
                        ];
                        for (i, o) in v.options.iter().enumerate() {
                            insert_option(tx, id, i as i64, o)?;
                            fields.push((option_field(&o.option), Some(o.votes.to_string())));
                        }
                        let fields: Vec<(&str, Option<String>)> = fields
                            .iter()
                            .map(|(f, v)| (f.as_str(), v.clone()))
                            .collect();
                        w.record_created(REGISTER, id, &fields)?;
                        counts.inserted += 1;
                    }
                    Some(old) => {
                        let mut changes: Vec<(String, Option<String>, Option<String>)> = Vec::new();
                        let mut field =
                            |name: &str, before: Option<String>, after: Option<String>| {
                                if after.is_some() && before != after {
                                    changes.push((name.into(), before, after));
                                }
                            };
                        field("title", Some(old.title.clone()), v.title.clone());
                        field(
                            "kind",
                            Some(old.kind.id().into()),
                            v.kind.map(|k| k.id().into()),
                        );
                        field(
                            "started_at",
                            instant_text(old.started_at),
                            instant_text(v.started_at),
                        );
                        field(
                            "ended_at",
                            instant_text(old.ended_at),
                            instant_text(v.ended_at),
                        );
                        field("settlement", old.settlement.clone(), v.settlement.clone());
                        field(
                            "participants",
                            old.participants.map(|p| p.to_string()),
                            v.participants.map(|p| p.to_string()),
                        );
                        let vote_changed = !changes.is_empty();
                        if vote_changed {
                            tx.execute(
                                "UPDATE votes SET title = COALESCE(?2, title), \
                                 kind = COALESCE(?3, kind), \
                                 started_at = COALESCE(?4, started_at), \
                                 ended_at = COALESCE(?5, ended_at), \
                                 settlement = COALESCE(?6, settlement), \
                                 participants = COALESCE(?7, participants) WHERE id = ?1",
                                params![
                                    old.id,
                                    v.title,
                                    v.kind.map(VoteKind::id),
                                    v.started_at.map(|t| t.timestamp()),
                                    v.ended_at.map(|t| t.timestamp()),
                                    v.settlement,
                                    v.participants
                                ],
                            )?;
                        }
                        let mut next = old.options.len() as i64;
                        for o in &v.options {
                            match old.options.iter().find(|k| k.option == o.option) {
                                Some(k) if k.votes == o.votes => {}
                                Some(k) => {
                                    tx.execute(
                                        "UPDATE vote_options SET votes = ?3 \
                                         WHERE vote = ?1 AND option = ?2",
                                        params![old.id, o.option, o.votes],
                                    )?;
                                    changes.push((
                                        option_field(&o.option),
                                        Some(k.votes.to_string()),
                                        Some(o.votes.to_string()),
                                    ));
                                }
                                None => {
                                    insert_option(tx, old.id, next, o)?;
                                    next += 1;
                                    changes.push((
                                        option_field(&o.option),
                                        None,
                                        Some(o.votes.to_string()),
                                    ));
                                }
                            }
                        }
                        if changes.is_empty() {
                            counts.unchanged += 1;
                        } else {
                            let changes: Vec<(&str, Option<String>, Option<String>)> = changes
                                .iter()
                                .map(|(f, a, b)| (f.as_str(), a.clone(), b.clone()))
                                .collect();
                            w.record(REGISTER, old.id, &changes)?;
                            counts.updated += 1;
                        }
                    }
                }
            }
            Ok(counts)
        })
    }

    /// Every vote, latest first (by its end, else its start, else the order it came in).
    pub fn votes(&self) -> Result<Vec<Vote>, StoreError> {
        let ids: Vec<i64> = self
            .conn()
            .prepare_cached(
                "SELECT id FROM votes ORDER BY COALESCE(ended_at, started_at) DESC NULLS LAST, \
                 id DESC",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = load_vote(self.conn(), "id = ?1", &id)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// One vote by its internal number or its source id.
    pub fn vote(&self, reference: &str) -> Result<Option<Vote>, StoreError> {
        let r = reference.trim();
        if let Some(v) = load_vote(self.conn(), "vote_id = ?1", &r)? {
            return Ok(Some(v));
        }
        match r.parse::<i64>() {
            Ok(n) => load_vote(self.conn(), "id = ?1", &n),
            Err(_) => Ok(None),
        }
    }

    /// The internal numbers of the appeals made of a vote's comments, in the order they came.
    pub fn vote_comments(&self, vote_id: &str) -> Result<Vec<i64>, StoreError> {
        let (lo, hi) = prefix_range(vote_id);
        let ids = self
            .conn()
            .prepare_cached(
                "SELECT id FROM appeals WHERE channel = ?1 AND source_id >= ?2 AND source_id < ?3 \
                 ORDER BY received_at, id",
            )?
            .query_map(params![Channel::Pos.id(), lo, hi], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// How many comments each vote has (by `vote_id`; votes without any are absent).
    pub fn vote_comment_counts(&self) -> Result<HashMap<String, i64>, StoreError> {
        let mut out = HashMap::new();
        let ids: Vec<String> = self
            .conn()
            .prepare_cached("SELECT vote_id FROM votes")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut st = self.conn().prepare_cached(
            "SELECT count(*) FROM appeals WHERE channel = ?1 AND source_id >= ?2 AND source_id < ?3",
        )?;
        for v in ids {
            let (lo, hi) = prefix_range(&v);
            let n: i64 = st.query_row(params![Channel::Pos.id(), lo, hi], |r| r.get(0))?;
            if n > 0 {
                out.insert(v, n);
            }
        }
        Ok(out)
    }
}

/// The source ids of a vote's comments lie in `[lo, hi)`: the prefix `vote:<id>:` and the same
/// with its last `:` raised to `;`.
fn prefix_range(vote_id: &str) -> (String, String) {
    let lo = comment_prefix(vote_id);
    let hi = format!("{};", &lo[..lo.len() - 1]);
    (lo, hi)
}

fn insert_option(tx: &Db, vote: i64, position: i64, o: &VoteOption) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO vote_options (vote, position, option, votes) VALUES (?1, ?2, ?3, ?4)",
        params![vote, position, o.option, o.votes],
    )?;
    Ok(())
}

fn load_vote(conn: &Db, condition: &str, key: &dyn ToValue) -> Result<Option<Vote>, StoreError> {
    let sql = format!(
        "SELECT id, vote_id, title, kind, started_at, ended_at, settlement, participants \
         FROM votes WHERE {condition}"
    );
    let vote = conn
        .prepare_cached(&sql)?
        .query_row([key], |r| {
            Ok(Vote {
                id: r.get(0)?,
                vote_id: r.get(1)?,
                title: r.get(2)?,
                kind: kind_of(&r.get::<_, String>(3)?),
                started_at: r.get::<_, Option<i64>>(4)?.map(ts),
                ended_at: r.get::<_, Option<i64>>(5)?.map(ts),
                settlement: r.get(6)?,
                participants: r.get(7)?,
                options: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut vote) = vote else {
        return Ok(None);
    };
    vote.options = conn
        .prepare_cached("SELECT option, votes FROM vote_options WHERE vote = ?1 ORDER BY position")?
        .query_map([vote.id], |r| {
            Ok(VoteOption {
                option: r.get(0)?,
                votes: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(vote))
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

    fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, 9, 0, 0)
            .single()
            .expect("time")
    }

    fn input(id: &str, options: &[(&str, i64)]) -> VoteInput {
        VoteInput {
            vote_id: id.into(),
            title: Some(format!("Голосование {id}")),
            kind: Some(VoteKind::Vote),
            started_at: Some(at(1)),
            ended_at: Some(at(20)),
            settlement: Some("Юркино".into()),
            participants: Some(120),
            options: options
                .iter()
                .map(|(o, v)| VoteOption {
                    option: (*o).into(),
                    votes: *v,
                })
                .collect(),
        }
    }

    /// Votes are stored with their options, updated on a later save (only what changed, audited
    /// field by field), and their history verifies in the one chain.
    #[test]
    fn votes_are_stored_updated_and_audited() {
        let mut s = store();
        let actor = Actor::new("petrova", "import:votes.csv");
        let c = s
            .save_votes(
                &actor,
                at(21),
                &[input("V-1", &[("Сквер", 30), ("Парк", 50)])],
            )
            .expect("saved");
        assert_eq!(c.inserted, 1);
        let v = s.vote("V-1").expect("read").expect("found");
        assert_eq!(v.options.len(), 2);
        assert_eq!(v.participants, Some(120));
        assert_eq!(s.vote(&v.id.to_string()).expect("read"), Some(v.clone()));

        let mut later = input("V-1", &[("Парк", 61), ("Набережная", 4)]);
        later.participants = Some(140);
        later.settlement = None;
        let c = s
            .save_votes(&actor, at(22), &[later.clone()])
            .expect("saved");
        assert_eq!((c.inserted, c.updated), (0, 1));
        let v = s.vote("V-1").expect("read").expect("found");
        assert_eq!(
            v.options
                .iter()
                .map(|o| (o.option.as_str(), o.votes))
                .collect::<Vec<_>>(),
            [("Сквер", 30), ("Парк", 61), ("Набережная", 4)]
        );
        assert_eq!(
            v.settlement.as_deref(),
            Some("Юркино"),
            "an absent value is kept"
        );
        let c = s.save_votes(&actor, at(23), &[later]).expect("saved");
        assert_eq!(c.unchanged, 1);

        let h = s.register_history(REGISTER, v.id).expect("history");
        let changed: Vec<_> = h
            .iter()
            .filter(|e| e.at == at(22))
            .map(|e| (e.field.as_str(), e.old.as_deref(), e.new.as_deref()))
            .collect();
        assert_eq!(
            changed,
            [
                ("participants", Some("120"), Some("140")),
                ("option «Парк»", Some("50"), Some("61")),
                ("option «Набережная»", None, Some("4")),
            ]
        );
        assert_eq!(h[0].field, "created");
        assert_eq!(h[0].operator, "petrova");
        assert!(
            h.iter()
                .any(|e| e.field == "option «Сквер»" && e.new.as_deref() == Some("30"))
        );
        let verified = s.verify_audit().expect("verify");
        assert!(verified.intact, "{:?}", verified.problems);
    }

    /// The list is latest first; an observer may not import votes.
    #[test]
    fn votes_list_latest_first_and_importing_needs_the_role() {
        let mut s = store();
        let actor = Actor::new("petrova", "cli");
        let mut old = input("OLD", &[("Да", 1)]);
        old.ended_at = Some(at(2));
        let mut open = input("OPEN", &[("Да", 1)]);
        open.ended_at = None;
        open.started_at = Some(at(10));
        s.save_votes(&actor, at(21), &[old, input("NEW", &[("Да", 1)]), open])
            .expect("saved");
        let ids: Vec<String> = s
            .votes()
            .expect("list")
            .into_iter()
            .map(|v| v.vote_id)
            .collect();
        assert_eq!(ids, ["NEW", "OPEN", "OLD"]);

        let observer = Actor::operator(Grants::new("ivanov", vec![Role::Observer], vec![]), "cli");
        let err = s
            .save_votes(&observer, at(21), &[input("X", &[])])
            .expect_err("refused");
        assert!(matches!(err, StoreError::Denied(_)), "{err}");
        assert!(s.vote("X").expect("read").is_none());
    }

    #[test]
    fn the_comment_range_holds_only_that_votes_ids() {
        let (lo, hi) = prefix_range("V-1");
        assert!(lo.as_str() <= "vote:V-1:abc" && "vote:V-1:abc" < hi.as_str());
        assert!(!("vote:V-10:abc" >= lo.as_str() && "vote:V-10:abc" < hi.as_str()));
    }
}

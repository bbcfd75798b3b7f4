//! Votes, surveys and public discussions of ПОС («Общественные голосования», decree 2.2б, 4.2б):
//! what one is, its options with their counts, the shares and the leader, and the columns its
//! export files carry. Free-text comments left in a vote become appeals of channel `pos` (see
//! `ingest::votes`); the id they get is made here, from what they say, so a re-import finds them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// What kind of consultation it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VoteKind {
    /// A vote («голосование»): options to choose from, e.g. the yards to be improved.
    Vote,
    /// A survey («опрос»).
    Survey,
    /// A public discussion («общественное обсуждение»): mostly comments.
    Discussion,
}

impl VoteKind {
    pub const ALL: [VoteKind; 3] = [VoteKind::Vote, VoteKind::Survey, VoteKind::Discussion];

    /// The stable id (`vote`, `survey`, `discussion`).
    pub fn id(self) -> &'static str {
        match self {
            VoteKind::Vote => "vote",
            VoteKind::Survey => "survey",
            VoteKind::Discussion => "discussion",
        }
    }

    /// The Russian label shown to officers.
    pub fn label_ru(self) -> &'static str {
        match self {
            VoteKind::Vote => "Голосование",
            VoteKind::Survey => "Опрос",
            VoteKind::Discussion => "Обсуждение",
        }
    }
}

impl fmt::Display for VoteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for VoteKind {
    type Err = String;

    /// The stable id or the Russian word an export uses («Голосование», «Опрос»,
    /// «Общественное обсуждение»…), ignoring case and ё/е.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_lowercase().replace('ё', "е");
        Ok(match t.as_str() {
            "vote" | "голосование" | "общественное голосование" | "голосование пос" => {
                VoteKind::Vote
            }
            "survey" | "опрос" | "анкета" | "анкетирование" | "опрос пос" => {
                VoteKind::Survey
            }
            "discussion"
            | "обсуждение"
            | "общественное обсуждение"
            | "публичные слушания"
            | "общественные обсуждения" => VoteKind::Discussion,
            _ => {
                return Err(format!(
                    "unknown kind «{}» (expected vote, survey or discussion, or «Голосование», \
                     «Опрос», «Обсуждение»)",
                    s.trim()
                ));
            }
        })
    }
}

/// The columns of a vote export (canonical names; the Russian headers are in the import
/// profiles' `[vote_headers]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VoteField {
    VoteId,
    Title,
    Kind,
    StartedAt,
    EndedAt,
    Settlement,
    Option,
    Votes,
    Participants,
    Comment,
    Author,
    Contact,
    CommentedAt,
}

impl VoteField {
    pub const ALL: [VoteField; 13] = [
        VoteField::VoteId,
        VoteField::Title,
        VoteField::Kind,
        VoteField::StartedAt,
        VoteField::EndedAt,
        VoteField::Settlement,
        VoteField::Option,
        VoteField::Votes,
        VoteField::Participants,
        VoteField::Comment,
        VoteField::Author,
        VoteField::Contact,
        VoteField::CommentedAt,
    ];

    /// The canonical column name.
    pub fn name(self) -> &'static str {
        match self {
            VoteField::VoteId => "vote_id",
            VoteField::Title => "title",
            VoteField::Kind => "kind",
            VoteField::StartedAt => "started_at",
            VoteField::EndedAt => "ended_at",
            VoteField::Settlement => "settlement",
            VoteField::Option => "option",
            VoteField::Votes => "votes",
            VoteField::Participants => "participants",
            VoteField::Comment => "comment",
            VoteField::Author => "author",
            VoteField::Contact => "contact",
            VoteField::CommentedAt => "commented_at",
        }
    }
}

impl FromStr for VoteField {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VoteField::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown vote column «{s}» (expected one of: {})",
                    VoteField::ALL.map(VoteField::name).join(", ")
                )
            })
    }
}

/// One vote as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vote {
    /// The internal number.
    pub id: i64,
    /// The vote's id at its source (ПОС).
    pub vote_id: String,
    pub title: String,
    pub kind: VoteKind,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub settlement: Option<String>,
    /// How many people took part, when the export says (one person may choose several options).
    pub participants: Option<i64>,
    /// The options in file order.
    pub options: Vec<VoteOption>,
}

/// One option and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteOption {
    pub option: String,
    pub votes: i64,
}

/// An option with its share of the votes cast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionShare {
    pub option: String,
    pub votes: i64,
    /// The option's votes over all votes cast for the vote's options, 0..=1 (0 when none were).
    pub share: f64,
}

impl Vote {
    /// All votes cast, over every option.
    pub fn votes_cast(&self) -> i64 {
        self.options.iter().map(|o| o.votes).sum()
    }

    /// The options with their shares of the votes cast.
    pub fn shares(&self) -> Vec<OptionShare> {
        let total = self.votes_cast();
        self.options
            .iter()
            .map(|o| OptionShare {
                option: o.option.clone(),
                votes: o.votes,
                share: if total > 0 {
                    o.votes as f64 / total as f64
                } else {
                    0.0
                },
            })
            .collect()
    }

    /// The option with the most votes; none when there are no votes or two options share the
    /// most (a tie has no leader).
    pub fn leader(&self) -> Option<&VoteOption> {
        let max = self.options.iter().map(|o| o.votes).max()?;
        if max <= 0 {
            return None;
        }
        let mut top = self.options.iter().filter(|o| o.votes == max);
        let first = top.next()?;
        top.next().is_none().then_some(first)
    }
}

/// The prefix of the source ids of a vote's comments (`vote:<vote_id>:`).
pub fn comment_prefix(vote_id: &str) -> String {
    format!("vote:{vote_id}:")
}

/// The source id of a comment left in a vote: the vote's id and a digest of who wrote what when,
/// so the same comment in a later export is the same appeal (`vote:<vote_id>:<12 hex>`).
pub fn comment_source_id(
    vote_id: &str,
    author: Option<&str>,
    text: &str,
    at: Option<DateTime<Utc>>,
) -> String {
    let mut h = Sha256::new();
    h.update(author.unwrap_or("").as_bytes());
    h.update([0]);
    h.update(text.trim().as_bytes());
    h.update([0]);
    h.update(at.map(|t| t.timestamp().to_string()).unwrap_or_default());
    let d = h.finalize();
    let hex: String = d.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{}{hex}", comment_prefix(vote_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(options: &[(&str, i64)]) -> Vote {
        Vote {
            id: 1,
            vote_id: "V-1".into(),
            title: "Благоустройство".into(),
            kind: VoteKind::Vote,
            started_at: None,
            ended_at: None,
            settlement: None,
            participants: Some(10),
            options: options
                .iter()
                .map(|(o, v)| VoteOption {
                    option: (*o).into(),
                    votes: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn shares_are_of_the_votes_cast_and_the_leader_has_the_most() {
        let v = vote(&[("Сквер", 30), ("Парк", 50), ("Набережная", 20)]);
        let s = v.shares();
        assert_eq!(
            s.iter().map(|o| o.share).collect::<Vec<_>>(),
            [0.3, 0.5, 0.2]
        );
        assert_eq!(v.leader().map(|o| o.option.as_str()), Some("Парк"));
    }

    #[test]
    fn a_tie_or_no_votes_has_no_leader() {
        assert_eq!(vote(&[("А", 5), ("Б", 5), ("В", 1)]).leader(), None);
        assert_eq!(vote(&[("А", 0)]).leader(), None);
        assert_eq!(vote(&[]).leader(), None);
        assert_eq!(vote(&[("А", 0)]).shares()[0].share, 0.0);
    }

    #[test]
    fn kinds_read_russian_words() {
        assert_eq!("Общественное обсуждение".parse(), Ok(VoteKind::Discussion));
        assert_eq!("ОПРОС".parse(), Ok(VoteKind::Survey));
        assert_eq!("vote".parse(), Ok(VoteKind::Vote));
        let e = "референдум".parse::<VoteKind>().expect_err("unknown");
        assert!(e.contains("референдум"), "{e}");
    }

    #[test]
    fn a_comment_keeps_its_id_and_another_gets_another() {
        let a = comment_source_id("V-1", Some("Иванов"), "Нужен свет", None);
        assert_eq!(
            a,
            comment_source_id("V-1", Some("Иванов"), " Нужен свет ", None)
        );
        assert!(a.starts_with("vote:V-1:"));
        assert_ne!(a, comment_source_id("V-1", None, "Нужен свет", None));
        assert_ne!(
            a,
            comment_source_id("V-2", Some("Иванов"), "Нужен свет", None)
        );
    }
}

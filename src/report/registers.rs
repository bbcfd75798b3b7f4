//! Section 8 of the note: the registers — the compliance check of the official pages, the
//! roadmaps' progress and effect, and the votes and discussions held in the period. Computed by
//! the same library functions as `mcu pages check`, `mcu roadmap show` and `mcu votes show`, so
//! the figures are equal.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::analytics::Period;
use crate::domain::pages::checks::{self, Finding, Settings};
use crate::domain::roadmap::{Progress, Roadmap, RoadmapStatus, verdict};
use crate::domain::text::fold;
use crate::store::{Store, StoreError};

/// How many of the worst pages the note lists.
pub const WORST_PAGES: usize = 5;

/// The Russian name of a check id (`admin_without_2fa` → «администраторы без 2FA»).
pub fn check_name(id: &str) -> &'static str {
    match id {
        "unanswered_comments" => "комментарии без ответа",
        "admin_without_2fa" => "администраторы без двухфакторной защиты",
        "silent" => "давно нет публикаций",
        "rare_posts" => "редкие публикации",
        "falling_reach" => "падает охват",
        "comments_closed" => "комментарии закрыты",
        "no_mark" => "нет отметки «Госорганизация»",
        "no_widgets" => "нет виджетов ПОС",
        "no_site_link" => "нет ссылки на сайт",
        "not_checked" => "давно не проверялась",
        _ => "прочее",
    }
}

/// How many pages a check found wanting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckCount {
    pub id: &'static str,
    pub name: &'static str,
    pub pages: usize,
}

/// One page with its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLine {
    pub url: String,
    pub body: String,
    pub findings: Vec<Finding>,
    /// The findings' weight together ([`checks::severity`]).
    pub severity: u32,
}

/// The compliance check of the official pages at the note's `now` (`mcu pages check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PagesSummary {
    /// Pages in the registry.
    pub pages: usize,
    /// Of them, with at least one finding.
    pub with_findings: usize,
    /// Per check (in the checks' order), the pages it found wanting; checks that found nothing
    /// are left out.
    pub by_check: Vec<CheckCount>,
    /// Every page with findings, worst first (as `mcu pages check` orders them); the note shows
    /// the first [`WORST_PAGES`].
    pub worst: Vec<PageLine>,
}

/// One month of a roadmap's effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    /// «ноя 2026».
    pub month: String,
    pub count: usize,
    /// The start's month or later.
    pub after: bool,
}

/// A roadmap of the period with its progress and effect at `now` (`mcu roadmap show`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoadmapLine {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub responsible: Option<String>,
    pub progress: Progress,
    /// The texts of the overdue measures.
    pub overdue_measures: Vec<String>,
    /// The matching appeals per month, from six months before the start.
    pub monthly: Vec<MonthLine>,
    pub before_avg: f64,
    /// The target («не более 2 обращений в месяц»), if any.
    pub target: Option<String>,
    /// The last full month after the start and its count.
    pub last_full: Option<(String, usize)>,
    /// Whether the target is met (`None`: no target or no full month yet).
    pub met: Option<bool>,
    /// The verdict in words, as `mcu roadmap show` prints it.
    pub verdict: String,
}

impl RoadmapLine {
    /// The matching appeals per month since the start, «ноя 2026 — 3, дек 2026 — 1».
    pub fn after_text(&self) -> String {
        let v: Vec<String> = self
            .monthly
            .iter()
            .filter(|m| m.after)
            .map(|m| format!("{} — {}", m.month, m.count))
            .collect();
        if v.is_empty() {
            "—".into()
        } else {
            v.join(", ")
        }
    }
}

/// A vote or discussion held in the period (`mcu votes show`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VoteLine {
    pub vote_id: String,
    pub title: String,
    /// «голосование», «обсуждение»…
    pub kind: &'static str,
    pub participants: Option<i64>,
    pub votes_cast: i64,
    /// The leading option (none on a tie or with no votes) and its share of the votes cast.
    pub leader: Option<(String, f64)>,
    /// The appeals made of its comments.
    pub comments: usize,
}

/// Section 8: what the registers say for the period. Each part is empty when there is nothing
/// to say, and the note prints no heading for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Registers {
    /// `None` when the registry of pages is empty.
    pub pages: Option<PagesSummary>,
    pub roadmaps: Vec<RoadmapLine>,
    pub votes: Vec<VoteLine>,
}

impl Registers {
    pub fn is_empty(&self) -> bool {
        self.pages.is_none() && self.roadmaps.is_empty() && self.votes.is_empty()
    }
}

/// The page-check settings the workspace's `mcu pages check` uses: its `pages.toml` over the
/// shipped ones (an in-memory store: the shipped ones).
pub fn page_settings(store: &Store) -> Result<Settings, StoreError> {
    match store
        .database_path()
        .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
    {
        Some(dir) => {
            crate::reference::page_checks(&dir).map_err(|e| StoreError::Invalid(e.to_string()))
        }
        None => Settings::embedded().map_err(StoreError::Invalid),
    }
}

fn local_date(store: &Store, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&store.reference().calendar.timezone())
        .date_naive()
}

/// The official pages as checked at `now`.
pub fn pages(
    store: &Store,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Option<PagesSummary>, StoreError> {
    let all = store.checked_pages(settings, now, local_date(store, now))?;
    if all.is_empty() {
        return Ok(None);
    }
    let mut by: BTreeMap<checks::Check, usize> = BTreeMap::new();
    for (_, f) in &all {
        for x in f {
            if let Some(c) = checks::Check::from_id(x.id) {
                *by.entry(c).or_default() += 1;
            }
        }
    }
    let worst: Vec<PageLine> = all
        .iter()
        .filter(|(_, f)| !f.is_empty())
        .map(|(p, f)| PageLine {
            url: p.url.clone(),
            body: p.body.clone(),
            findings: f.clone(),
            severity: checks::severity(f),
        })
        .collect();
    Ok(Some(PagesSummary {
        pages: all.len(),
        with_findings: worst.len(),
        by_check: checks::Check::ALL
            .into_iter()
            .filter_map(|c| {
                by.get(&c).map(|n| CheckCount {
                    id: c.id(),
                    name: check_name(c.id()),
                    pages: *n,
                })
            })
            .collect(),
        worst,
    }))
}

/// Whether a roadmap belongs to the period: active or done, started (or entered) by the
/// period's end, and — when done — not due before the period began.
pub fn of_period(r: &Roadmap, period: Period, store: &Store) -> bool {
    let tz = store.reference().calendar.timezone();
    let started = r.effect_start(tz) <= period.to;
    match r.status {
        RoadmapStatus::Active => started,
        RoadmapStatus::Done => started && r.due.is_none_or(|d| d >= period.from),
        _ => false,
    }
}

/// The active and done roadmaps of the period, with progress and effect at `now`.
pub fn roadmaps(
    store: &Store,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Vec<RoadmapLine>, StoreError> {
    let today = local_date(store, now);
    let mut out = Vec::new();
    for r in store.roadmaps()? {
        if !of_period(&r, period, store) {
            continue;
        }
        let measures = store.measures(r.id)?;
        let progress = Progress::of(&measures, today);
        let effect = store.roadmap_effect(&r, now)?;
        out.push(RoadmapLine {
            id: r.id,
            title: r.title.clone(),
            status: r.status.label_ru(),
            responsible: r.responsible.clone(),
            progress,
            overdue_measures: measures
                .iter()
                .filter(|m| m.overdue(today))
                .map(|m| m.text.clone())
                .collect(),
            monthly: effect
                .monthly
                .iter()
                .map(|c| MonthLine {
                    month: c.month.label_ru(),
                    count: c.count,
                    after: c.after,
                })
                .collect(),
            before_avg: effect.before_avg,
            target: r.target.map(|t| t.to_string()),
            last_full: effect.last_full.map(|c| (c.month.label_ru(), c.count)),
            met: effect.met,
            verdict: verdict(&effect, r.target),
        });
    }
    Ok(out)
}

/// The votes and discussions held in the period: begun by its end and not ended before it
/// began (one still going counts); a vote with neither date is left out.
pub fn votes(store: &Store, period: Period) -> Result<Vec<VoteLine>, StoreError> {
    let mut out = Vec::new();
    for v in store.votes()? {
        if v.started_at.is_none() && v.ended_at.is_none() {
            continue;
        }
        let began = v
            .started_at
            .is_none_or(|t| local_date(store, t) <= period.to);
        let not_ended = v
            .ended_at
            .is_none_or(|t| local_date(store, t) >= period.from);
        if !(began && not_ended) {
            continue;
        }
        let comments = store.vote_comments(&v.vote_id)?.len();
        let leader = v.leader().map(|o| o.option.clone()).and_then(|name| {
            v.shares()
                .into_iter()
                .find(|s| s.option == name)
                .map(|s| (name, s.share))
        });
        out.push(VoteLine {
            vote_id: v.vote_id.clone(),
            title: v.title.clone(),
            kind: v.kind.label_ru(),
            participants: v.participants,
            votes_cast: v.votes_cast(),
            leader,
            comments,
        });
    }
    Ok(out)
}

/// Section 8 for `period` at `now`.
pub fn compute(store: &Store, period: Period, now: DateTime<Utc>) -> Result<Registers, StoreError> {
    let settings = page_settings(store)?;
    Ok(Registers {
        pages: pages(store, &settings, now)?,
        roadmaps: roadmaps(store, period, now)?,
        votes: votes(store, period)?,
    })
}

/// Whether a roadmap (not cancelled nor done) covers a topic's growth in a settlement: its rule's
/// block and settlements cover them (no block: any block; no settlements: any settlement; but
/// not both unset), or it has a linked appeal of that block from that settlement.
pub fn covers(
    store: &Store,
    roadmaps: &[Roadmap],
    block: Option<&str>,
    settlement: &str,
) -> Result<bool, StoreError> {
    let s = fold(settlement);
    for r in roadmaps {
        if !matches!(r.status, RoadmapStatus::Draft | RoadmapStatus::Active) {
            continue;
        }
        let block_ok = r.block.as_deref().is_none_or(|b| Some(b) == block);
        let place_ok = r.settlements.is_empty() || r.settlements.iter().any(|x| fold(x) == s);
        let scoped = r.block.is_some() || !r.settlements.is_empty();
        if scoped && block_ok && place_ok {
            return Ok(true);
        }
        for l in store.roadmap_links(r.id)? {
            if let Some(a) = store.get(l.appeal_id)?
                && a.block.as_deref() == block
                && a.settlement.as_deref().is_some_and(|x| fold(x) == s)
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::Channel;
    use crate::ingest::IncomingAppeal;
    use crate::reference::Reference;
    use crate::store::roadmaps::{NewRoadmap, RoadmapField};
    use crate::store::{Actor, ImportedFile};

    fn now() -> DateTime<Utc> {
        chrono_tz::Europe::Moscow
            .with_ymd_and_hms(2026, 12, 7, 10, 0, 0)
            .single()
            .expect("time")
            .to_utc()
    }

    fn actor() -> Actor {
        Actor::new("tester", "import:test")
    }

    /// A store with one roads appeal from Лесное, and its id.
    fn store() -> (Store, i64) {
        let mut s = Store::open_in_memory(Arc::new(Reference::embedded().expect("reference")))
            .expect("store");
        let mut tx = s.begin_import().expect("tx");
        let inc = IncomingAppeal {
            line: 1,
            source_id: "R1".into(),
            received_at: now(),
            text: "Яма".into(),
            block: Some("roads".into()),
            settlement: Some("Лесное".into()),
            ..Default::default()
        };
        tx.upsert(&inc, Channel::Pos, &actor(), now())
            .expect("upsert");
        tx.finish(&ImportedFile {
            name: "t".into(),
            hash: "h".into(),
            format: "csv".into(),
            channel: None,
            imported_at: now(),
            rows: 1,
            inserted: 1,
            updated: 0,
            unchanged: 0,
            quarantined: 0,
        })
        .expect("finish");
        let id = s.find("pos:R1").expect("find").id;
        (s, id)
    }

    fn add(s: &mut Store, block: Option<&str>, settlements: &[&str]) -> i64 {
        s.add_roadmap(
            &NewRoadmap {
                title: "Карта".into(),
                block: block.map(Into::into),
                settlements: settlements.iter().map(|x| x.to_string()).collect(),
                status: Some(RoadmapStatus::Active),
                ..Default::default()
            },
            &actor(),
            now(),
        )
        .expect("add")
    }

    fn covered(s: &Store, block: &str, settlement: &str) -> bool {
        covers(s, &s.roadmaps().expect("roadmaps"), Some(block), settlement).expect("covers")
    }

    #[test]
    fn a_roadmap_of_the_block_and_settlement_covers_the_growth() {
        let (mut s, _) = store();
        assert!(!covered(&s, "roads", "Лесное"), "no roadmap yet");
        add(&mut s, Some("roads"), &["лесное"]);
        assert!(
            covered(&s, "roads", "Лесное"),
            "settlement matched in any case"
        );
        assert!(!covered(&s, "housing", "Лесное"), "another block");
        assert!(!covered(&s, "roads", "Поле"), "another settlement");
    }

    #[test]
    fn a_roadmap_without_settlements_covers_its_block_everywhere() {
        let (mut s, _) = store();
        add(&mut s, Some("roads"), &[]);
        assert!(covered(&s, "roads", "Поле"));
        assert!(!covered(&s, "housing", "Поле"));
    }

    #[test]
    fn an_unscoped_roadmap_covers_only_through_its_linked_appeals() {
        let (mut s, appeal) = store();
        let id = add(&mut s, None, &[]);
        assert!(!covered(&s, "roads", "Лесное"), "covers nothing by itself");
        s.link_appeals(id, &[appeal], &actor(), now())
            .expect("link");
        assert!(
            covered(&s, "roads", "Лесное"),
            "its linked appeal is of roads in Лесное"
        );
        assert!(!covered(&s, "roads", "Поле"));
    }

    #[test]
    fn a_done_or_cancelled_roadmap_covers_nothing() {
        let (mut s, _) = store();
        let id = add(&mut s, Some("roads"), &["Лесное"]);
        for st in [RoadmapStatus::Done, RoadmapStatus::Cancelled] {
            s.edit_roadmap(id, &[RoadmapField::Status(st)], &actor(), now())
                .expect("edit");
            assert!(!covered(&s, "roads", "Лесное"), "{st:?}");
        }
    }

    #[test]
    fn check_names_are_russian_for_every_check() {
        for c in checks::Check::ALL {
            assert_ne!(check_name(c.id()), "прочее", "{}", c.id());
        }
    }
}

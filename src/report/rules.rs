//! The note's recommendations: explicit rules over the figures, each citing the figure behind
//! it. One function per rule; [`recommend`] runs them all in this order.

use serde::Serialize;

use super::note::ConflictLine;
use super::registers::{PagesSummary, Registers, RoadmapLine};
use crate::analytics::TargetLine;
use crate::domain::ranking::RankRow;
use crate::domain::targets::Indicator;
use crate::store::GroupCounts;

/// A recommendation and the figure it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The rule's id (`formal_answers`, `roadmap`, …).
    pub rule: &'static str,
    /// What to do, in Russian.
    pub text: String,
    /// The figure behind it, in Russian.
    pub figure: String,
}

/// A topic that grew in a settlement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    pub topic: String,
    pub settlement: String,
    pub now: i64,
    pub before: i64,
    /// Whether a roadmap already covers it ([`super::registers::covers`]).
    pub has_roadmap: bool,
}

/// What the rules read.
pub struct Inputs<'a> {
    pub ranking: &'a [RankRow],
    pub targets: &'a [TargetLine],
    pub growth: &'a [Growth],
    pub settlements: &'a [GroupCounts],
    pub conflicts: &'a [ConflictLine],
    /// Section 8: the official pages, roadmaps and votes.
    pub registers: &'a Registers,
    pub block_name: &'a dyn Fn(&str) -> String,
}

/// More than this share of graded answers formal: review the answers with the recipient.
pub const FORMAL_SHARE: f64 = 1.0 / 3.0;
/// …with at least this many graded answers.
pub const FORMAL_MIN_GRADED: u32 = 3;
/// A topic grew at least this many times in a settlement…
pub const GROWTH_FACTOR: i64 = 2;
/// …to at least this many appeals: consider a roadmap.
pub const GROWTH_MIN: i64 = 3;
/// A recipient with at least this many open overdue appeals: take them under control.
pub const OVERDUE_MIN: u32 = 3;
/// A settlement with at least this many appeals…
pub const SETTLEMENT_MIN: u32 = 5;
/// …and more than this share overdue: look into it.
pub const SETTLEMENT_OVERDUE_SHARE: f64 = 0.3;
/// A recipient with at least this many conflicts and reopened appeals together.
pub const CONFLICTS_MIN: u32 = 3;

/// «1 обращение», «3 обращения», «5 обращений».
pub fn appeals(n: i64) -> String {
    let (m10, m100) = (n.abs() % 10, n.abs() % 100);
    let word = if m10 == 1 && m100 != 11 {
        "обращение"
    } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
        "обращения"
    } else {
        "обращений"
    };
    format!("{n} {word}")
}

/// «из 1 обращения», «из 3 обращений», «из 21 обращения»: the genitive after «из».
pub fn of_appeals(n: i64) -> String {
    let word = if n.abs() % 10 == 1 && n.abs() % 100 != 11 {
        "обращения"
    } else {
        "обращений"
    };
    format!("{n} {word}")
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// The note shows at most this many recommendations of one rule (the weightiest), then one line
/// saying how many more there are.
pub const MAX_PER_RULE: usize = 5;

/// Every rule, in order, each capped at [`MAX_PER_RULE`].
pub fn recommend(i: &Inputs<'_>) -> Vec<Recommendation> {
    let mut out = Vec::new();
    for list in [
        formal_answers(i.ranking),
        roadmaps(i.growth),
        missed_targets(i.targets, i.block_name),
        overdue(i.ranking),
        settlements(i.settlements),
        conflicts(i.conflicts),
        pages_2fa(i.registers.pages.as_ref()),
        pages_unanswered(i.registers.pages.as_ref()),
        roadmap_overdue(&i.registers.roadmaps),
        roadmap_target(&i.registers.roadmaps),
    ] {
        out.extend(capped(list));
    }
    out
}

/// The first [`MAX_PER_RULE`] of one rule's list, and a line for the rest.
pub fn capped(mut list: Vec<Recommendation>) -> Vec<Recommendation> {
    if list.len() > MAX_PER_RULE {
        let total = list.len();
        let rule = list[0].rule;
        list.truncate(MAX_PER_RULE);
        list.push(Recommendation {
            rule,
            text: format!("…и ещё {} по тому же правилу", total - MAX_PER_RULE),
            figure: format!("всего {total}"),
        });
    }
    list
}

/// More than a third of a recipient's graded answers formal → «провести разбор ответов с …».
pub fn formal_answers(ranking: &[RankRow]) -> Vec<Recommendation> {
    ranking
        .iter()
        .filter(|r| r.graded >= FORMAL_MIN_GRADED)
        .filter_map(|r| {
            let formal = r.graded - r.substantive;
            let share = f64::from(formal) / f64::from(r.graded);
            (share > FORMAL_SHARE).then(|| Recommendation {
                rule: "formal_answers",
                text: format!("Провести разбор ответов с «{}»", r.recipient),
                figure: format!(
                    "формальных ответов {formal} из {} оценённых ({})",
                    r.graded,
                    pct(share)
                ),
            })
        })
        .collect()
}

/// A topic at least doubled in a settlement (to at least three appeals) with no roadmap →
/// «рассмотреть дорожную карту …».
pub fn roadmaps(growth: &[Growth]) -> Vec<Recommendation> {
    let mut growth: Vec<&Growth> = growth.iter().collect();
    // The largest rise first.
    growth.sort_by_key(|g| std::cmp::Reverse(g.now - g.before));
    growth
        .into_iter()
        .filter(|g| !g.has_roadmap && g.now >= GROWTH_MIN && g.now >= GROWTH_FACTOR * g.before)
        .map(|g| Recommendation {
            rule: "roadmap",
            text: format!(
                "Рассмотреть дорожную карту по теме «{}»: {}",
                g.topic, g.settlement
            ),
            figure: format!(
                "{} против {} за предыдущий период",
                appeals(g.now),
                g.before
            ),
        })
        .collect()
}

/// A target not met → «принять меры по показателю …».
pub fn missed_targets(
    targets: &[TargetLine],
    block_name: &dyn Fn(&str) -> String,
) -> Vec<Recommendation> {
    targets
        .iter()
        .filter(|t| t.met == Some(false))
        .map(|t| {
            let scope = t.block.as_deref().map_or_else(
                || "по округу".to_string(),
                |b| format!("по блоку «{}»", block_name(b)),
            );
            let show = |v: f64| match t.indicator {
                Indicator::OnTimeShare | Indicator::QualityShare | Indicator::Satisfaction => {
                    pct(v)
                }
                _ => format!("{v:.1}"),
            };
            let bound = match (t.min, t.max) {
                (Some(m), _) => format!("не ниже {}", show(m)),
                (None, Some(m)) => format!("не выше {}", show(m)),
                _ => String::new(),
            };
            Recommendation {
                rule: "missed_target",
                text: format!("Принять меры по показателю «{}» {scope}", t.label),
                figure: format!("факт {}, цель {bound}", t.actual.map_or("—".into(), show)),
            }
        })
        .collect()
}

/// A recipient with three or more open overdue appeals → take them under control.
pub fn overdue(ranking: &[RankRow]) -> Vec<Recommendation> {
    let mut rows: Vec<&RankRow> = ranking.iter().collect();
    // The most overdue first.
    rows.sort_by_key(|r| std::cmp::Reverse(r.open_overdue));
    rows.into_iter()
        .filter(|r| r.open_overdue >= OVERDUE_MIN)
        .map(|r| Recommendation {
            rule: "overdue",
            text: format!("Взять на контроль просроченные обращения «{}»", r.recipient),
            figure: format!(
                "просрочено открытых {} из {}",
                r.open_overdue,
                of_appeals(i64::from(r.volume))
            ),
        })
        .collect()
}

/// A settlement with five or more appeals and more than 30 % of them overdue → look into it.
pub fn settlements(list: &[GroupCounts]) -> Vec<Recommendation> {
    list.iter()
        .filter(|g| g.total >= SETTLEMENT_MIN && g.overdue_share > SETTLEMENT_OVERDUE_SHARE)
        .filter_map(|g| {
            let name = g.key.as_deref()?;
            Some(Recommendation {
                rule: "settlement_overdue",
                text: format!("Разобрать просрочку с ответственными: {name}"),
                figure: format!(
                    "просрочено {} из {} ({})",
                    g.overdue,
                    of_appeals(i64::from(g.total)),
                    pct(g.overdue_share)
                ),
            })
        })
        .collect()
}

/// An assigned recipient with three or more conflicts and reopened appeals → review the communication.
pub fn conflicts(list: &[ConflictLine]) -> Vec<Recommendation> {
    let mut list: Vec<&ConflictLine> = list.iter().collect();
    // The most conflicts and reopenings first.
    list.sort_by_key(|c| std::cmp::Reverse(c.conflicts + c.reopened));
    list.into_iter()
        .filter(|c| c.assigned && c.conflicts + c.reopened >= CONFLICTS_MIN)
        .map(|c| Recommendation {
            rule: "conflicts",
            text: format!(
                "Провести разбор коммуникации с заявителями у «{}»",
                c.recipient
            ),
            figure: format!("конфликтов {}, переоткрыто {}", c.conflicts, c.reopened),
        })
        .collect()
}

/// The reason of one check on the pages that failed it, worst pages first.
fn page_findings<'a>(
    pages: Option<&'a PagesSummary>,
    id: &'a str,
) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + 'a {
    pages.into_iter().flat_map(move |p| {
        p.worst.iter().filter_map(move |l| {
            l.findings
                .iter()
                .find(|f| f.id == id)
                .map(|f| (l.url.as_str(), l.body.as_str(), f.reason.as_str()))
        })
    })
}

/// An official page with administrators signing in without two-factor protection →
/// «включить двухфакторную защиту …».
pub fn pages_2fa(pages: Option<&PagesSummary>) -> Vec<Recommendation> {
    page_findings(pages, "admin_without_2fa")
        .map(|(url, body, reason)| Recommendation {
            rule: "page_2fa",
            text: format!("Включить двухфакторную защиту администраторам страницы {url} ({body})"),
            figure: reason.to_string(),
        })
        .collect()
}

/// An official page with comments left unanswered past the first-response deadline →
/// «ответить на комментарии …».
pub fn pages_unanswered(pages: Option<&PagesSummary>) -> Vec<Recommendation> {
    page_findings(pages, "unanswered_comments")
        .map(|(url, body, reason)| Recommendation {
            rule: "page_unanswered",
            text: format!("Ответить на комментарии на странице {url} ({body})"),
            figure: reason.to_string(),
        })
        .collect()
}

/// A roadmap with overdue measures → «взять на контроль мероприятия …».
pub fn roadmap_overdue(list: &[RoadmapLine]) -> Vec<Recommendation> {
    let mut list: Vec<&RoadmapLine> = list.iter().filter(|r| r.progress.overdue > 0).collect();
    // The most overdue first.
    list.sort_by_key(|r| std::cmp::Reverse(r.progress.overdue));
    list.into_iter()
        .map(|r| Recommendation {
            rule: "roadmap_overdue",
            text: format!(
                "Взять на контроль просроченные мероприятия дорожной карты «{}»",
                r.title
            ),
            figure: format!(
                "просрочено мероприятий {} из {}",
                r.progress.overdue, r.progress.total
            ),
        })
        .collect()
}

/// A roadmap whose target was missed in its last full month → «пересмотреть мероприятия …».
pub fn roadmap_target(list: &[RoadmapLine]) -> Vec<Recommendation> {
    list.iter()
        .filter(|r| r.met == Some(false))
        .filter_map(|r| {
            let (month, count) = r.last_full.as_ref()?;
            Some(Recommendation {
                rule: "roadmap_target",
                text: format!(
                    "Пересмотреть мероприятия дорожной карты «{}»: цель не достигнута",
                    r.title
                ),
                figure: format!(
                    "{month}: {} при цели «{}»",
                    appeals(i64::try_from(*count).unwrap_or(i64::MAX)),
                    r.target.as_deref().unwrap_or("—")
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> RankRow {
        RankRow {
            rank: 1,
            recipient: name.into(),
            score: 50.0,
            volume: 10,
            answered: 5,
            on_time: 5,
            open_overdue: 0,
            timeliness: Some(1.0),
            quality: None,
            satisfaction: None,
            graded: 0,
            substantive: 0,
            rated: 0,
            good: 0,
            median_first_response_wh: None,
            prev_rank: None,
        }
    }

    #[test]
    fn formal_answers_fire_above_a_third() {
        let mut a = row("Отдел А");
        (a.graded, a.substantive) = (3, 1); // 2 of 3 formal
        let mut b = row("Отдел Б");
        (b.graded, b.substantive) = (3, 2); // exactly a third: not above
        let mut c = row("Отдел В");
        (c.graded, c.substantive) = (2, 0); // too few graded
        let r = formal_answers(&[a, b, c]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "Провести разбор ответов с «Отдел А»");
        assert_eq!(r[0].figure, "формальных ответов 2 из 3 оценённых (67%)");
    }

    #[test]
    fn roadmap_when_a_topic_doubles_without_one() {
        let g = |now, before, has_roadmap| Growth {
            topic: "ЖКХ".into(),
            settlement: "Лесное".into(),
            now,
            before,
            has_roadmap,
        };
        let r = roadmaps(&[
            g(4, 2, false),
            g(5, 3, false),
            g(2, 0, false),
            g(6, 1, true),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].text,
            "Рассмотреть дорожную карту по теме «ЖКХ»: Лесное"
        );
        assert_eq!(r[0].figure, "4 обращения против 2 за предыдущий период");
    }

    #[test]
    fn missed_targets_cite_fact_and_bound() {
        let t = |met, block: Option<&str>| TargetLine {
            indicator: Indicator::OnTimeShare,
            label: "Доля ответов в срок".into(),
            block: block.map(Into::into),
            min: Some(0.9),
            max: None,
            actual: Some(0.5),
            met,
        };
        let name = |b: &str| format!("Блок {b}");
        let r = missed_targets(
            &[
                t(Some(false), None),
                t(Some(true), None),
                t(None, None),
                t(Some(false), Some("roads")),
            ],
            &name,
        );
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].text,
            "Принять меры по показателю «Доля ответов в срок» по округу"
        );
        assert_eq!(r[0].figure, "факт 50%, цель не ниже 90%");
        assert!(r[1].text.ends_with("по блоку «Блок roads»"));
    }

    #[test]
    fn overdue_from_three() {
        let mut a = row("А");
        a.open_overdue = 3;
        let mut b = row("Б");
        b.open_overdue = 2;
        let r = overdue(&[a, b]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].figure, "просрочено открытых 3 из 10 обращений");
    }

    #[test]
    fn settlements_with_much_overdue() {
        let g = |k: Option<&str>, total, overdue| GroupCounts {
            key: k.map(Into::into),
            total,
            open: overdue,
            overdue,
            overdue_share: f64::from(overdue) / f64::from(total),
        };
        let r = settlements(&[
            g(Some("Лесное"), 5, 2),
            g(Some("Поле"), 10, 3),
            g(Some("Мал"), 4, 4),
            g(None, 9, 9),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].text, "Разобрать просрочку с ответственными: Лесное");
        assert_eq!(r[0].figure, "просрочено 2 из 5 обращений (40%)");
    }

    #[test]
    fn conflicts_from_three_of_an_assigned_recipient() {
        let c = |r: &str, conflicts, reopened, assigned| ConflictLine {
            recipient: r.into(),
            assigned,
            appeals: 3,
            conflicts,
            reopened,
            formal: 0,
            repeats: 0,
        };
        let r = conflicts(&[
            c("А", 2, 1, true),
            c("Б", 2, 0, true),
            c("(не назначено)", 5, 0, false),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].figure, "конфликтов 2, переоткрыто 1");
    }

    #[test]
    fn a_rule_shows_its_five_weightiest_then_how_many_more() {
        let rows: Vec<RankRow> = (0..8u32)
            .map(|i| {
                let mut r = row(&format!("Отдел {i}"));
                r.open_overdue = 3 + i;
                r
            })
            .collect();
        let r = capped(overdue(&rows));
        assert_eq!(r.len(), MAX_PER_RULE + 1);
        assert!(
            r[0].text.contains("Отдел 7"),
            "the most overdue first: {}",
            r[0].text
        );
        assert_eq!(r[MAX_PER_RULE].text, "…и ещё 3 по тому же правилу");
        assert_eq!(r[MAX_PER_RULE].figure, "всего 8");
        assert_eq!(capped(overdue(&rows[..2])).len(), 2);
    }

    fn pages_with(findings: &[(&str, &'static str, &str)]) -> PagesSummary {
        use crate::domain::pages::checks::Finding;
        PagesSummary {
            pages: findings.len(),
            with_findings: findings.len(),
            by_check: Vec::new(),
            worst: findings
                .iter()
                .map(|(url, id, reason)| super::super::registers::PageLine {
                    url: (*url).into(),
                    body: "Администрация".into(),
                    findings: vec![Finding {
                        id,
                        reason: (*reason).into(),
                    }],
                    severity: 5,
                })
                .collect(),
        }
    }

    #[test]
    fn pages_2fa_for_each_page_with_such_a_finding() {
        let p = pages_with(&[
            (
                "vk.com/a",
                "admin_without_2fa",
                "администраторов без двухфакторной защиты: 1 из 2",
            ),
            ("vk.com/b", "silent", "в статистике нет ни одной публикации"),
        ]);
        let r = pages_2fa(Some(&p));
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].text,
            "Включить двухфакторную защиту администраторам страницы vk.com/a (Администрация)"
        );
        assert_eq!(
            r[0].figure,
            "администраторов без двухфакторной защиты: 1 из 2"
        );
        assert!(pages_2fa(None).is_empty(), "no registry of pages, no rule");
    }

    #[test]
    fn pages_unanswered_cites_the_count() {
        let p = pages_with(&[
            (
                "vk.com/a",
                "unanswered_comments",
                "комментарии без ответа после срока первого ответа: 4",
            ),
            (
                "vk.com/b",
                "admin_without_2fa",
                "администраторов без двухфакторной защиты: 1 из 2",
            ),
        ]);
        let r = pages_unanswered(Some(&p));
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].text,
            "Ответить на комментарии на странице vk.com/a (Администрация)"
        );
        assert!(r[0].figure.ends_with(": 4"));
    }

    fn roadmap(title: &str, overdue: usize, met: Option<bool>) -> RoadmapLine {
        RoadmapLine {
            id: 1,
            title: title.into(),
            status: "исполняется",
            responsible: None,
            progress: crate::domain::roadmap::Progress {
                done: 1,
                total: 4,
                overdue,
            },
            overdue_measures: Vec::new(),
            monthly: Vec::new(),
            before_avg: 2.0,
            target: Some("не более 2 обращений в месяц".into()),
            last_full: met.map(|_| ("ноя 2026".to_string(), 5)),
            met,
            verdict: String::new(),
        }
    }

    #[test]
    fn roadmap_overdue_from_one_overdue_measure_most_first() {
        let r = roadmap_overdue(&[
            roadmap("А", 1, None),
            roadmap("Б", 0, None),
            roadmap("В", 2, None),
        ]);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0].text,
            "Взять на контроль просроченные мероприятия дорожной карты «В»"
        );
        assert_eq!(r[0].figure, "просрочено мероприятий 2 из 4");
    }

    #[test]
    fn roadmap_target_only_when_missed() {
        let r = roadmap_target(&[
            roadmap("А", 0, Some(false)),
            roadmap("Б", 0, Some(true)),
            roadmap("В", 0, None),
        ]);
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].text,
            "Пересмотреть мероприятия дорожной карты «А»: цель не достигнута"
        );
        assert_eq!(
            r[0].figure,
            "ноя 2026: 5 обращений при цели «не более 2 обращений в месяц»"
        );
    }

    #[test]
    fn after_iz_the_genitive() {
        let mut a = row("А");
        (a.open_overdue, a.volume) = (3, 3);
        assert_eq!(
            overdue(&[a])[0].figure,
            "просрочено открытых 3 из 3 обращений"
        );
        let v: Vec<String> = [1, 2, 5, 11, 21, 22]
            .iter()
            .map(|n| of_appeals(*n))
            .collect();
        assert_eq!(
            v,
            [
                "1 обращения",
                "2 обращений",
                "5 обращений",
                "11 обращений",
                "21 обращения",
                "22 обращений"
            ]
        );
    }

    #[test]
    fn russian_plural_of_appeals() {
        let v: Vec<String> = [1, 2, 5, 11, 12, 21, 22, 25, 111, 0]
            .iter()
            .map(|n| appeals(*n))
            .collect();
        assert_eq!(
            v,
            [
                "1 обращение",
                "2 обращения",
                "5 обращений",
                "11 обращений",
                "12 обращений",
                "21 обращение",
                "22 обращения",
                "25 обращений",
                "111 обращений",
                "0 обращений"
            ]
        );
    }
}

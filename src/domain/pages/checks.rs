//! The compliance checks of an official page, with stable ids, configured by `data/pages.toml`
//! (shipped) with a workspace `pages.toml` layered over it. Each finding carries a Russian
//! reason with the figure behind it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Category, Page, Stat};

/// The shipped settings, embedded in the binary.
pub const EMBEDDED: &str = include_str!("../../../data/pages.toml");

/// The checks, in the order they are reported; the stable ids are [`Check::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    UnansweredComments,
    AdminWithout2fa,
    Silent,
    RarePosts,
    FallingReach,
    CommentsClosed,
    NoMark,
    NoWidgets,
    NoSiteLink,
    NotChecked,
}

impl Check {
    pub const ALL: [Check; 10] = [
        Check::UnansweredComments,
        Check::AdminWithout2fa,
        Check::Silent,
        Check::RarePosts,
        Check::FallingReach,
        Check::CommentsClosed,
        Check::NoMark,
        Check::NoWidgets,
        Check::NoSiteLink,
        Check::NotChecked,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Check::NoMark => "no_mark",
            Check::NoWidgets => "no_widgets",
            Check::NoSiteLink => "no_site_link",
            Check::CommentsClosed => "comments_closed",
            Check::AdminWithout2fa => "admin_without_2fa",
            Check::RarePosts => "rare_posts",
            Check::Silent => "silent",
            Check::FallingReach => "falling_reach",
            Check::UnansweredComments => "unanswered_comments",
            Check::NotChecked => "not_checked",
        }
    }

    /// How bad a finding of this check is (a page's findings add up; worst pages first).
    pub fn weight(self) -> u32 {
        match self {
            Check::UnansweredComments | Check::AdminWithout2fa => 5,
            Check::Silent | Check::CommentsClosed => 4,
            Check::RarePosts | Check::FallingReach => 3,
            Check::NoMark | Check::NoWidgets => 2,
            Check::NoSiteLink | Check::NotChecked => 1,
        }
    }

    pub fn from_id(id: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.id() == id)
    }
}

/// One finding on a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub reason: String,
}

/// The settings of the checks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Check id → on.
    pub checks: BTreeMap<String, bool>,
    /// Category id → minimum posts over the window.
    pub min_posts: BTreeMap<String, u64>,
    pub thresholds: Thresholds,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// The window (days) posts are counted over for `rare_posts`.
    pub posts_window_days: i64,
    /// The window (days) reach is compared over for `falling_reach` (against the window before).
    pub reach_window_days: i64,
    pub silent_days: i64,
    pub falling_reach_share: f64,
    pub check_every_days: i64,
}

impl Settings {
    /// The shipped settings.
    pub fn embedded() -> Result<Settings, String> {
        Settings::layered(None)
    }

    /// The shipped settings with a workspace file's text layered over them (any key it gives
    /// replaces the shipped one).
    pub fn layered(workspace: Option<&str>) -> Result<Settings, String> {
        let mut base: toml::Table = EMBEDDED
            .parse()
            .map_err(|e| format!("data/pages.toml: {e}"))?;
        if let Some(text) = workspace {
            let over: toml::Table = text.parse().map_err(|e| format!("pages.toml: {e}"))?;
            merge(&mut base, over);
        }
        let s: Settings = toml::Value::Table(base)
            .try_into()
            .map_err(|e| format!("pages.toml: {e}"))?;
        for id in s.checks.keys() {
            if Check::from_id(id).is_none() {
                return Err(format!("pages.toml: [checks]: unknown check «{id}»"));
            }
        }
        for id in s.min_posts.keys() {
            if id.parse::<Category>().is_err() {
                return Err(format!("pages.toml: [min_posts]: unknown category «{id}»"));
            }
        }
        Ok(s)
    }

    pub fn is_on(&self, c: Check) -> bool {
        self.checks.get(c.id()).copied().unwrap_or(true)
    }

    pub fn min_posts(&self, c: Category) -> u64 {
        self.min_posts
            .get(c.id())
            .copied()
            .unwrap_or(DEFAULT_MIN_POSTS)
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// What the checks of one page look at besides the page itself.
#[derive(Debug, Clone, Default)]
pub struct Evidence<'a> {
    /// The page's statistics, any order.
    pub stats: &'a [Stat],
    /// Appeals of channel `page` on this page past their first-response deadline without one.
    pub unanswered: u64,
}

/// The minimum posts over the posts window of a category the settings do not name.
pub const DEFAULT_MIN_POSTS: u64 = 3;

/// Runs the checks that are on over one page, as of `today`; findings in [`Check::ALL`] order.
pub fn check(page: &Page, ev: &Evidence<'_>, s: &Settings, today: NaiveDate) -> Vec<Finding> {
    let t = &s.thresholds;
    let mut out = Vec::new();
    let mut add = |c: Check, reason: String| {
        if s.is_on(c) {
            out.push(Finding { id: c.id(), reason });
        }
    };
    let age = |d: NaiveDate| (today - d).num_days();
    let in_window = |d: NaiveDate, from: i64, to: i64| {
        let a = age(d);
        a >= from && a < to
    };

    if ev.unanswered > 0 {
        add(
            Check::UnansweredComments,
            format!(
                "комментарии без ответа после срока первого ответа: {}",
                ev.unanswered
            ),
        );
    }
    if page.admins_2fa < page.admins {
        add(
            Check::AdminWithout2fa,
            format!(
                "администраторов без двухфакторной защиты: {} из {}",
                page.admins - page.admins_2fa,
                page.admins
            ),
        );
    }
    let last_post = ev
        .stats
        .iter()
        .filter(|x| x.posts > 0 && age(x.date) >= 0)
        .map(|x| x.date)
        .max();
    match last_post {
        None => add(
            Check::Silent,
            "в статистике нет ни одной публикации".to_string(),
        ),
        Some(d) if age(d) >= t.silent_days => add(
            Check::Silent,
            format!(
                "последняя публикация {} — {} дн. назад (допустимо меньше {})",
                d.format("%d.%m.%Y"),
                age(d),
                t.silent_days
            ),
        ),
        Some(_) => {}
    }
    let posts: u64 = ev
        .stats
        .iter()
        .filter(|x| in_window(x.date, 0, t.posts_window_days))
        .map(|x| x.posts)
        .sum();
    let min = s.min_posts(page.category);
    if posts < min {
        add(
            Check::RarePosts,
            format!(
                "публикаций за {} дн.: {posts}, для категории «{}» нужно не меньше {min}",
                t.posts_window_days,
                page.category.label()
            ),
        );
    }
    if let Some(reason) = falling_reach(ev.stats, t, &in_window) {
        add(Check::FallingReach, reason);
    }
    if !page.comments_open {
        add(Check::CommentsClosed, "комментарии закрыты".to_string());
    }
    if !page.mark {
        add(Check::NoMark, "нет отметки «Госорганизация»".to_string());
    }
    if !page.widgets {
        add(Check::NoWidgets, "не установлены виджеты ПОС".to_string());
    }
    if !page.site_link {
        add(
            Check::NoSiteLink,
            "нет ссылки на официальный сайт".to_string(),
        );
    }
    match page.checked_at {
        None => add(
            Check::NotChecked,
            "страница ни разу не проверялась".to_string(),
        ),
        Some(d) if age(d) > t.check_every_days => add(
            Check::NotChecked,
            format!(
                "последняя проверка {} — {} дн. назад (проверять раз в {} дн.)",
                d.format("%d.%m.%Y"),
                age(d),
                t.check_every_days
            ),
        ),
        Some(_) => {}
    }
    out
}

/// How bad a page's findings are together (worst pages first).
pub fn severity(findings: &[Finding]) -> u32 {
    findings
        .iter()
        .filter_map(|f| Check::from_id(f.id))
        .map(Check::weight)
        .sum()
}

/// Reach fell: the views of the last `reach_window_days` summed, or the subscribers (the latest
/// count in the window), down by `falling_reach_share` or more against the window before.
fn falling_reach(
    stats: &[Stat],
    t: &Thresholds,
    in_window: &dyn Fn(NaiveDate, i64, i64) -> bool,
) -> Option<String> {
    let w = t.reach_window_days;
    let now: Vec<&Stat> = stats.iter().filter(|x| in_window(x.date, 0, w)).collect();
    let before: Vec<&Stat> = stats
        .iter()
        .filter(|x| in_window(x.date, w, 2 * w))
        .collect();
    let drop = |now: u64, before: u64| {
        (before > 0)
            .then(|| (before as f64 - now as f64) / before as f64)
            .filter(|d| *d >= t.falling_reach_share)
    };
    let share = t.falling_reach_share * 100.0;
    let views_now: u64 = now.iter().map(|x| x.views).sum();
    let views_before: u64 = before.iter().map(|x| x.views).sum();
    if let Some(d) = drop(views_now, views_before) {
        return Some(format!(
            "просмотры за {w} дн. упали на {:.0}%: {views_now} против {views_before} (порог {share:.0}%)",
            d * 100.0
        ));
    }
    let latest = |v: &[&Stat]| v.iter().max_by_key(|x| x.date).map(|x| x.subscribers);
    if let (Some(subs_now), Some(subs_before)) = (latest(&now), latest(&before))
        && let Some(d) = drop(subs_now, subs_before)
    {
        return Some(format!(
            "подписчиков за {w} дн. меньше на {:.0}%: {subs_now} против {subs_before} (порог {share:.0}%)",
            d * 100.0
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::Platform;
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn today() -> NaiveDate {
        day("2026-12-07")
    }

    /// A page that passes every check.
    fn good() -> Page {
        Page {
            id: 1,
            body: "Администрация Юркино".into(),
            platform: Platform::Vk,
            url: "vk.com/mo_yurkino".into(),
            category: Category::Active,
            mark: true,
            widgets: true,
            site_link: true,
            comments_open: true,
            admins: 2,
            admins_2fa: 2,
            checked_at: Some(day("2026-11-20")),
        }
    }

    /// Two posts a week for sixty days, steady views.
    fn steady() -> Vec<Stat> {
        (0..60)
            .filter(|i| i % 3 == 0)
            .map(|i| Stat {
                date: today() - chrono::Days::new(i),
                posts: 1,
                views: 500,
                subscribers: 1000,
                likes: 10,
                comments: 2,
                reposts: 1,
            })
            .collect()
    }

    fn ids(f: &[Finding]) -> Vec<&'static str> {
        f.iter().map(|x| x.id).collect()
    }

    fn run(page: &Page, stats: &[Stat], unanswered: u64) -> Vec<Finding> {
        let s = Settings::embedded().expect("settings");
        check(page, &Evidence { stats, unanswered }, &s, today())
    }

    #[test]
    fn a_good_page_passes_every_check() {
        assert_eq!(run(&good(), &steady(), 0), vec![]);
    }

    /// Each check fails on its own condition and only then.
    #[test]
    fn each_check_fails_on_its_condition() {
        let st = steady();
        let one = |p: Page, stats: &[Stat], un: u64| ids(&run(&p, stats, un));
        assert_eq!(
            one(
                Page {
                    mark: false,
                    ..good()
                },
                &st,
                0
            ),
            ["no_mark"]
        );
        assert_eq!(
            one(
                Page {
                    widgets: false,
                    ..good()
                },
                &st,
                0
            ),
            ["no_widgets"]
        );
        assert_eq!(
            one(
                Page {
                    site_link: false,
                    ..good()
                },
                &st,
                0
            ),
            ["no_site_link"]
        );
        assert_eq!(
            one(
                Page {
                    comments_open: false,
                    ..good()
                },
                &st,
                0
            ),
            ["comments_closed"]
        );
        assert_eq!(
            one(
                Page {
                    admins_2fa: 1,
                    ..good()
                },
                &st,
                0
            ),
            ["admin_without_2fa"]
        );
        assert_eq!(one(good(), &st, 3), ["unanswered_comments"]);
        assert_eq!(
            one(
                Page {
                    checked_at: None,
                    ..good()
                },
                &st,
                0
            ),
            ["not_checked"]
        );
        assert_eq!(
            one(
                Page {
                    checked_at: Some(day("2026-08-01")),
                    ..good()
                },
                &st,
                0
            ),
            ["not_checked"]
        );
        // Two posts in the last week where three are the minimum.
        let thin: Vec<Stat> = st
            .iter()
            .map(|x| {
                if x.date == today() {
                    Stat { posts: 0, ..*x }
                } else {
                    *x
                }
            })
            .collect();
        let f = run(&good(), &thin, 0);
        assert_eq!(ids(&f), ["rare_posts"]);
        assert!(
            f[0].reason.contains("7 дн.: 2") && f[0].reason.contains("не меньше 3"),
            "{}",
            f[0].reason
        );
        // Subscribers down a tenth, views steady: the reach falls all the same.
        let leaving: Vec<Stat> = st
            .iter()
            .map(|x| {
                if (today() - x.date).num_days() < 30 {
                    Stat {
                        subscribers: 900,
                        ..*x
                    }
                } else {
                    *x
                }
            })
            .collect();
        let f = run(&good(), &leaving, 0);
        assert_eq!(ids(&f), ["falling_reach"]);
        assert!(f[0].reason.contains("подписчиков"), "{}", f[0].reason);
        // Down less than a tenth: nothing.
        let fewer: Vec<Stat> = leaving
            .iter()
            .map(|x| Stat {
                subscribers: x.subscribers.max(901),
                ..*x
            })
            .collect();
        assert_eq!(one(good(), &fewer, 0), Vec::<&str>::new());
        // Nothing for twenty days (and views gone with it): silent, rare, falling.
        let quiet: Vec<Stat> = st
            .iter()
            .map(|x| {
                if (today() - x.date).num_days() < 20 {
                    Stat {
                        posts: 0,
                        views: 0,
                        ..*x
                    }
                } else {
                    *x
                }
            })
            .collect();
        assert_eq!(
            one(good(), &quiet, 0),
            ["silent", "rare_posts", "falling_reach"]
        );
        // Views halved, posts as before: only the reach.
        let halved: Vec<Stat> = st
            .iter()
            .map(|x| {
                if (today() - x.date).num_days() < 30 {
                    Stat { views: 250, ..*x }
                } else {
                    *x
                }
            })
            .collect();
        let f = run(&good(), &halved, 0);
        assert_eq!(ids(&f), ["falling_reach"]);
        assert!(f[0].reason.contains("50%"), "{}", f[0].reason);
        assert_eq!(one(good(), &[], 0), ["silent", "rare_posts"]);
    }

    /// `silent` on its own: with the shipped minimum a silent page is also a rare poster, so the
    /// category's minimum is set to none here; views go on (old posts are still read).
    #[test]
    fn silent_is_its_own_finding() {
        let s = Settings::layered(Some("[min_posts]\nactive = 0\n")).expect("layered");
        let quiet: Vec<Stat> = steady()
            .iter()
            .map(|x| {
                if (today() - x.date).num_days() < 20 {
                    Stat { posts: 0, ..*x }
                } else {
                    *x
                }
            })
            .collect();
        let evidence = Evidence {
            stats: &quiet,
            unanswered: 0,
        };
        assert_eq!(ids(&check(&good(), &evidence, &s, today())), ["silent"]);
        let busy = Evidence {
            stats: &steady(),
            unanswered: 0,
        };
        assert_eq!(ids(&check(&good(), &busy, &s, today())), Vec::<&str>::new());
    }

    /// A workspace file turns checks off and changes thresholds; unknown ids are refused.
    #[test]
    fn workspace_settings_layer_over_the_shipped_ones() {
        let s = Settings::layered(Some(
            "[checks]\nno_mark = false\n[min_posts]\nactive = 20\n[thresholds]\nposts_window_days = 14\n",
        ))
        .expect("layered");
        assert!(!s.is_on(Check::NoMark));
        assert!(s.is_on(Check::NoWidgets));
        assert_eq!(s.min_posts(Category::Active), 20);
        assert_eq!(s.min_posts(Category::Flagship), DEFAULT_MIN_POSTS);
        assert_eq!(s.thresholds.posts_window_days, 14);
        assert_eq!(s.thresholds.reach_window_days, 30);
        let f = check(
            &Page {
                mark: false,
                ..good()
            },
            &Evidence {
                stats: &steady(),
                unanswered: 0,
            },
            &s,
            today(),
        );
        assert_eq!(ids(&f), ["rare_posts"]);
        assert!(Settings::layered(Some("[checks]\nno_such = true\n")).is_err());
        assert!(Settings::layered(Some("[min_posts]\nhuge = 1\n")).is_err());
    }

    #[test]
    fn worse_findings_weigh_more() {
        let a = run(
            &Page {
                admins_2fa: 0,
                ..good()
            },
            &steady(),
            0,
        );
        let b = run(
            &Page {
                site_link: false,
                ..good()
            },
            &steady(),
            0,
        );
        assert!(severity(&a) > severity(&b));
    }
}

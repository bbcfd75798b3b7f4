//! The registry of official pages and their statistics in the store. Every change of a page goes
//! through [`Store::write_register`] (register `page`, [`Action::KeepPages`]), one audit entry per
//! changed field; statistics rows are measurements: an import of them is audited once (register
//! `page_stats`, entry 0, field `import`), not per cell.

use crate::store::db::{DbResult, OptionalExtension, Row, params};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Actor, Store, StoreError};
use crate::domain::access::Action;
use crate::domain::pages::checks::{self, Evidence, Finding, Settings};
use crate::domain::pages::{Category, Page, Platform, Stat, normalize_url, url_on_page};

/// The register name pages are audited under.
pub const REGISTER: &str = "page";
/// The register name statistics imports are audited under.
pub const STATS_REGISTER: &str = "page_stats";

const COLUMNS: &str = "id, body, platform, url, category, mark, widgets, site_link, \
                       comments_open, admins, admins_2fa, checked_at";

fn flag(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// The audited fields of a page and their printed values (the names `mcu pages set` takes).
fn fields(p: &Page) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("body", Some(p.body.clone())),
        ("platform", Some(p.platform.id().to_string())),
        ("url", Some(p.url.clone())),
        ("category", Some(p.category.id().to_string())),
        ("mark", Some(flag(p.mark))),
        ("widgets", Some(flag(p.widgets))),
        ("site_link", Some(flag(p.site_link))),
        ("comments_open", Some(flag(p.comments_open))),
        ("admins", Some(p.admins.to_string())),
        ("admins_2fa", Some(p.admins_2fa.to_string())),
        ("checked_at", p.checked_at.map(|d| d.to_string())),
    ]
}

fn read_page(r: &Row<'_>) -> DbResult<Page> {
    let bad = |i: usize, e: String| crate::store::db::DbError::column(i, e.to_string());
    let platform: String = r.get(2)?;
    let category: String = r.get(4)?;
    let checked: Option<String> = r.get(11)?;
    Ok(Page {
        id: r.get(0)?,
        body: r.get(1)?,
        platform: platform.parse().map_err(|e| bad(2, e))?,
        url: r.get(3)?,
        category: category.parse().map_err(|e| bad(4, e))?,
        mark: r.get(5)?,
        widgets: r.get(6)?,
        site_link: r.get(7)?,
        comments_open: r.get(8)?,
        admins: r.get(9)?,
        admins_2fa: r.get(10)?,
        checked_at: checked
            .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|e| bad(11, e.to_string())))
            .transpose()?,
    })
}

/// What saving a page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i64),
    Changed(i64),
    Unchanged(i64),
}

impl Store {
    /// All pages, by body then URL.
    pub fn pages(&self) -> Result<Vec<Page>, StoreError> {
        let mut st = self
            .conn()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM pages ORDER BY body, url"))?;
        let rows = st.query_map([], read_page)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One page by its URL (normalised here).
    pub fn page(&self, url: &str) -> Result<Option<Page>, StoreError> {
        let url = normalize_url(url).map_err(StoreError::Invalid)?;
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLUMNS} FROM pages WHERE url = ?1"),
                [url],
                read_page,
            )
            .optional()?)
    }

    /// Creates the page (by its URL) or changes the fields that differ; audited per field.
    /// `page.id` is ignored; `page.url` must be normalised.
    pub fn save_page(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        page: &Page,
    ) -> Result<Saved, StoreError> {
        let old = self.page(&page.url)?;
        self.write_register(Action::KeepPages, actor, now, |w| {
            let p = page;
            let values = params![
                p.body,
                p.platform.id(),
                p.url,
                p.category.id(),
                p.mark,
                p.widgets,
                p.site_link,
                p.comments_open,
                p.admins,
                p.admins_2fa,
                p.checked_at.map(|d| d.to_string()),
            ];
            match &old {
                None => {
                    let id = w.tx.insert(
                        "INSERT INTO pages (body, platform, url, category, mark, widgets, \
                         site_link, comments_open, admins, admins_2fa, checked_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                        values,
                    )?;
                    w.record_created(REGISTER, id, &fields(p))?;
                    Ok(Saved::Created(id))
                }
                Some(o) => {
                    let changes: Vec<_> = fields(o)
                        .into_iter()
                        .zip(fields(p))
                        .filter(|((_, a), (_, b))| a != b)
                        .map(|((f, a), (_, b))| (f, a, b))
                        .collect();
                    if changes.is_empty() {
                        return Ok(Saved::Unchanged(o.id));
                    }
                    w.tx.execute(
                        "UPDATE pages SET body = ?1, platform = ?2, url = ?3, category = ?4, \
                         mark = ?5, widgets = ?6, site_link = ?7, comments_open = ?8, \
                         admins = ?9, admins_2fa = ?10, checked_at = ?11 WHERE id = ?12",
                        crate::store::db::params_from_iter(
                            values.iter().copied().chain(std::iter::once(&o.id as _)),
                        ),
                    )?;
                    w.record(REGISTER, o.id, &changes)?;
                    Ok(Saved::Changed(o.id))
                }
            }
        })
    }

    /// Sets one field of a page by its printed name and value (`mark yes`, `admins_2fa 2`,
    /// `checked_at 2026-12-07`, `category визитка`, …); audited.
    pub fn set_page_field(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        url: &str,
        field: &str,
        value: &str,
    ) -> Result<Saved, StoreError> {
        let mut p = self
            .page(url)?
            .ok_or_else(|| StoreError::Invalid(format!("no page {url} in the registry")))?;
        apply_field(&mut p, field, value).map_err(StoreError::Invalid)?;
        self.save_page(actor, now, &p)
    }

    /// Stores statistics rows (URL normalised, any page or none yet); the same URL and date
    /// again replaces the figures. Audited once as an import from `source`.
    pub fn import_page_stats(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        source: &str,
        rows: &[(String, Stat)],
    ) -> Result<usize, StoreError> {
        self.write_register(Action::KeepPages, actor, now, |w| {
            let mut st = w.tx.prepare_cached(
                "INSERT INTO page_stats (url, date, posts, views, subscribers, likes, comments, \
                 reposts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (url, date) DO UPDATE SET posts = excluded.posts, \
                 views = excluded.views, subscribers = excluded.subscribers, \
                 likes = excluded.likes, comments = excluded.comments, reposts = excluded.reposts",
            )?;
            for (url, s) in rows {
                st.execute(params![
                    url,
                    s.date.to_string(),
                    s.posts as i64,
                    s.views as i64,
                    s.subscribers as i64,
                    s.likes as i64,
                    s.comments as i64,
                    s.reposts as i64
                ])?;
            }
            drop(st);
            w.record(
                STATS_REGISTER,
                0,
                &[(
                    "import",
                    None,
                    Some(format!("{source}: {} rows", rows.len())),
                )],
            )?;
            Ok(rows.len())
        })
    }

    /// The statistics of one page (normalised URL), oldest first.
    pub fn page_stats(&self, url: &str) -> Result<Vec<Stat>, StoreError> {
        let mut st = self.conn().prepare_cached(
            "SELECT date, posts, views, subscribers, likes, comments, reposts FROM page_stats \
             WHERE url = ?1 ORDER BY date",
        )?;
        let rows = st.query_map([url], |r| {
            let d: String = r.get(0)?;
            let date = NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|e| crate::store::db::DbError::column(0, e.to_string()))?;
            let n = |i: usize| -> DbResult<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
            Ok(Stat {
                date,
                posts: n(1)?,
                views: n(2)?,
                subscribers: n(3)?,
                likes: n(4)?,
                comments: n(5)?,
                reposts: n(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many appeals of channel `page` lie on the page (normalised URL) and are past their
    /// first-response deadline (as the deadline rules stored it) without a first response, as of
    /// `now`.
    pub fn page_unanswered(&self, page_url: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let urls = self.unanswered_comment_urls(now)?;
        Ok(count_on_page(&urls, page_url))
    }

    /// The normalised URLs of the page comments past their first-response deadline without a
    /// first response, as of `now`: read once for all pages (the check of every page counts in
    /// this list rather than scanning the appeals again per page).
    fn unanswered_comment_urls(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let mut st = self.conn().prepare_cached(WAITING_COMMENTS)?;
        let rows = st.query_map([now.timestamp()], |r| r.get::<_, String>(0))?;
        let mut urls = Vec::new();
        for u in rows {
            if let Ok(u) = normalize_url(&u?) {
                urls.push(u);
            }
        }
        Ok(urls)
    }
}

/// The URLs of the page comments past their first-response deadline (`?1`) without a first
/// response; read over the partial index `appeals_page_waiting`.
const WAITING_COMMENTS: &str = "SELECT url FROM appeals WHERE channel = 'page' \
     AND url IS NOT NULL AND first_response_at IS NULL AND first_response_due IS NOT NULL \
     AND first_response_due < ?1";

/// How many of `urls` (normalised) lie on the page `page_url`.
fn count_on_page(urls: &[String], page_url: &str) -> u64 {
    urls.iter().filter(|u| url_on_page(u, page_url)).count() as u64
}

impl Store {
    /// Every page with its findings as of `now` (`today` its local date), worst first, then by
    /// body and URL.
    pub fn checked_pages(
        &self,
        s: &Settings,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Vec<(Page, Vec<Finding>)>, StoreError> {
        let mut out = Vec::new();
        let comments = self.unanswered_comment_urls(now)?;
        for p in self.pages()? {
            let stats = self.page_stats(&p.url)?;
            let unanswered = count_on_page(&comments, &p.url);
            let f = checks::check(
                &p,
                &Evidence {
                    stats: &stats,
                    unanswered,
                },
                s,
                today,
            );
            out.push((p, f));
        }
        out.sort_by(|(a, fa), (b, fb)| {
            checks::severity(fb)
                .cmp(&checks::severity(fa))
                .then_with(|| a.body.cmp(&b.body))
                .then_with(|| a.url.cmp(&b.url))
        });
        Ok(out)
    }
}

/// Changes one field of a page by its printed name (dashes or underscores) and value.
pub fn apply_field(p: &mut Page, field: &str, value: &str) -> Result<(), String> {
    use crate::domain::pages::parse_flag;
    let num = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("«{v}» is not a whole number"))
    };
    match field.replace('-', "_").as_str() {
        "body" => p.body = value.trim().to_string(),
        "platform" => p.platform = value.parse::<Platform>()?,
        "category" => p.category = value.parse::<Category>()?,
        "mark" => p.mark = parse_flag(value)?,
        "widgets" => p.widgets = parse_flag(value)?,
        "site_link" => p.site_link = parse_flag(value)?,
        "comments_open" => p.comments_open = parse_flag(value)?,
        "admins" => p.admins = num(value)?,
        "admins_2fa" => p.admins_2fa = num(value)?,
        "checked_at" => {
            p.checked_at = if value.trim().is_empty() {
                None
            } else {
                Some(crate::domain::pages::parse_date(value)?)
            }
        }
        other => {
            return Err(format!(
                "unknown field «{other}» (body, platform, category, mark, widgets, site_link, \
                 comments_open, admins, admins_2fa, checked_at)"
            ));
        }
    }
    if p.admins_2fa > p.admins {
        return Err(format!(
            "admins with 2FA ({}) exceed the admins ({})",
            p.admins_2fa, p.admins
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::reference::Reference;

    fn store() -> Store {
        Store::open_in_memory(Arc::new(Reference::embedded().expect("reference"))).expect("store")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("time")
    }

    fn page() -> Page {
        Page {
            id: 0,
            body: "Администрация Юркино".into(),
            platform: Platform::Vk,
            url: "vk.com/mo_yurkino".into(),
            category: Category::Active,
            mark: false,
            widgets: true,
            site_link: true,
            comments_open: true,
            admins: 2,
            admins_2fa: 1,
            checked_at: None,
        }
    }

    /// A page is created and changed through the audited path, one entry per changed field;
    /// saving it unchanged writes nothing.
    #[test]
    fn pages_are_saved_and_audited_per_field() {
        let mut s = store();
        let actor = Actor::new("orlova", "cli");
        let Saved::Created(id) = s.save_page(&actor, now(), &page()).expect("saved") else {
            panic!("not created");
        };
        assert_eq!(
            s.save_page(&actor, now(), &page()).expect("again"),
            Saved::Unchanged(id)
        );
        s.set_page_field(
            &actor,
            now(),
            "https://www.vk.com/mo_yurkino/",
            "mark",
            "да",
        )
        .expect("mark");
        s.set_page_field(
            &actor,
            now(),
            "vk.com/mo_yurkino",
            "checked-at",
            "07.12.2026",
        )
        .expect("checked");
        let p = s.page("vk.ru/mo_yurkino").expect("read").expect("there");
        assert!(p.mark);
        assert_eq!(
            p.checked_at.map(|d| d.to_string()).as_deref(),
            Some("2026-12-07")
        );
        let h = s.register_history(REGISTER, id).expect("history");
        let changed: Vec<_> = h
            .iter()
            .skip_while(|e| e.field != "created")
            .filter(|e| e.old.is_some() || e.field == "checked_at")
            .map(|e| (e.field.as_str(), e.old.as_deref(), e.new.as_deref()))
            .collect();
        assert_eq!(
            changed,
            vec![
                ("mark", Some("no"), Some("yes")),
                ("checked_at", None, Some("2026-12-07"))
            ]
        );
        assert!(
            s.set_page_field(&actor, now(), "vk.com/mo_yurkino", "admins_2fa", "5")
                .is_err()
        );
        assert!(
            s.set_page_field(&actor, now(), "vk.com/other", "mark", "yes")
                .is_err()
        );
        assert!(s.verify_audit().expect("verify").intact);
    }

    /// Statistics of the same URL and date replace the figures; the import is audited once.
    #[test]
    fn statistics_reimport_updates_and_is_audited_once() {
        let mut s = store();
        let actor = Actor::new("orlova", "cli");
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let stat = |views| Stat {
            date: day,
            posts: 2,
            views,
            subscribers: 900,
            likes: 5,
            comments: 1,
            reposts: 0,
        };
        let url = "vk.com/mo_yurkino".to_string();
        s.import_page_stats(&actor, now(), "a.csv", &[(url.clone(), stat(100))])
            .expect("first");
        s.import_page_stats(&actor, now(), "b.csv", &[(url.clone(), stat(150))])
            .expect("again");
        let rows = s.page_stats(&url).expect("stats");
        assert_eq!(rows, vec![stat(150)]);
        let h = s.register_history(STATS_REGISTER, 0).expect("history");
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].new.as_deref(), Some("b.csv: 1 rows"));
    }

    /// A page comment (appeal of channel `page` on the page's URL) past its first-response
    /// deadline without a response counts; answered, not yet due, another page's or another
    /// channel's do not.
    #[test]
    fn unanswered_comments_are_counted_per_page() {
        let s = store();
        let due = now().timestamp() - 3600;
        let later = now().timestamp() + 3600;
        for (id, channel, url, first_response_at, first_response_due) in [
            (
                1,
                "page",
                "https://vk.com/mo_yurkino/wall-1_10",
                None,
                Some(due),
            ),
            (
                2,
                "page",
                "https://vk.ru/MO_Yurkino?w=wall-1_11",
                None,
                Some(due),
            ),
            (
                3,
                "page",
                "https://vk.com/mo_yurkino/wall-1_12",
                Some(due - 60),
                Some(due),
            ),
            (
                4,
                "page",
                "https://vk.com/mo_yurkino/wall-1_13",
                None,
                Some(later),
            ),
            (
                5,
                "page",
                "https://vk.com/mo_yurkino2/wall-1_14",
                None,
                Some(due),
            ),
            (
                6,
                "im",
                "https://vk.com/mo_yurkino/wall-1_15",
                None,
                Some(due),
            ),
        ] {
            s.conn()
                .execute(
                    "INSERT INTO appeals (id, channel, source_id, received_at, text, status, \
                     is_open, created_at, updated_at, url, first_response_at, \
                     first_response_due) VALUES (?1, ?2, ?1, 0, 't', 'new', 1, 0, 0, ?3, ?4, ?5)",
                    params![id, channel, url, first_response_at, first_response_due],
                )
                .expect("appeal");
        }
        assert_eq!(
            s.page_unanswered("vk.com/mo_yurkino", now())
                .expect("count"),
            2
        );
    }

    #[test]
    fn waiting_page_comments_are_read_over_their_partial_index() {
        let s = store();
        let plan: Vec<String> = s
            .conn()
            .prepare(&format!("EXPLAIN QUERY PLAN {WAITING_COMMENTS}"))
            .expect("plan")
            .query_map([0], |r| r.get::<_, String>(3))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        assert!(
            plan.iter().any(|l| l.contains("appeals_page_waiting")),
            "{plan:?}"
        );
    }
}

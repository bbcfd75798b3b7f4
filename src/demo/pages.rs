//! The demo's registry of official pages: a dozen pages of the made-up okrug's bodies with two
//! months of daily statistics, made so that some pass every check and some have findings (no
//! mark, closed comments, an admin without 2FA, silent, falling reach, never checked).

use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;

use super::DemoError;
use crate::domain::pages::{Category, Page, Platform, Stat};
use crate::store::{Actor, Store};

/// (body, url, platform, category, what is wrong with it)
const PAGES: &[(&str, &str, Platform, Category, &str)] = &[
    (
        "Администрация округа",
        "vk.com/okrug_adm",
        Platform::Vk,
        Category::Flagship,
        "",
    ),
    (
        "Администрация округа",
        "t.me/okrug_adm",
        Platform::Telegram,
        Category::Flagship,
        "",
    ),
    (
        "Администрация округа",
        "ok.ru/okrug_adm",
        Platform::Ok,
        Category::Active,
        "rare",
    ),
    (
        "Управление образования",
        "vk.com/okrug_edu",
        Platform::Vk,
        Category::Active,
        "mark",
    ),
    (
        "Школа № 1",
        "vk.com/school1_okrug",
        Platform::Vk,
        Category::Card,
        "silent",
    ),
    (
        "Школа № 2",
        "vk.com/school2_okrug",
        Platform::Vk,
        Category::Card,
        "",
    ),
    (
        "Дом культуры",
        "vk.com/dk_okrug",
        Platform::Vk,
        Category::Active,
        "falling",
    ),
    (
        "Центральная больница",
        "vk.com/crb_okrug",
        Platform::Vk,
        Category::Active,
        "2fa",
    ),
    (
        "Управление ЖКХ",
        "vk.com/gkh_okrug",
        Platform::Vk,
        Category::Active,
        "comments",
    ),
    (
        "Спортивная школа",
        "max.ru/sport_okrug",
        Platform::Max,
        Category::Card,
        "unchecked",
    ),
    (
        "Библиотека",
        "ok.ru/library_okrug",
        Platform::Ok,
        Category::Card,
        "widgets",
    ),
    (
        "Молодёжный центр",
        "t.me/youth_okrug",
        Platform::Telegram,
        Category::Active,
        "",
    ),
];

/// The address of the demo's `i`-th comment on an official page: the administration's flagship
/// pages of the registry (VK and Telegram) take the comments, as they do in life.
pub fn comment_url(i: u64) -> String {
    let post = 1_000 + i;
    if i.is_multiple_of(2) {
        format!("https://vk.com/okrug_adm?w=wall-1_{post}")
    } else {
        format!("https://t.me/okrug_adm/{post}")
    }
}

/// Fills the registry and its statistics as of `now`; how many pages.
pub fn fill(store: &mut Store, now: DateTime<Utc>, tz: Tz) -> Result<usize, DemoError> {
    let actor = Actor::new("mcu-demo", "demo");
    let today = now.with_timezone(&tz).date_naive();
    let err = |e: crate::store::StoreError| DemoError::Other(format!("demo pages: {e}"));
    let mut stats = Vec::new();
    for (i, (body, url, platform, category, flaw)) in PAGES.iter().enumerate() {
        let page = Page {
            id: 0,
            body: (*body).to_string(),
            platform: *platform,
            url: (*url).to_string(),
            category: *category,
            mark: *flaw != "mark",
            widgets: *flaw != "widgets",
            site_link: true,
            comments_open: *flaw != "comments",
            admins: 3,
            admins_2fa: if *flaw == "2fa" { 1 } else { 3 },
            checked_at: (*flaw != "unchecked").then(|| today - Days::new(10 + i as u64)),
        };
        store.save_page(&actor, now, &page).map_err(err)?;
        let every = match category {
            Category::Flagship => 1,
            Category::Active => 2,
            // The norm is three posts a week whatever the category.
            Category::Card => 2,
        };
        for d in 0..60u64 {
            let date = today - Days::new(d);
            let quiet = match *flaw {
                "silent" => d < 40,
                "rare" => d % 10 != 0,
                _ => false,
            };
            let posts = u64::from(!quiet && d % every == 0);
            let base = 300 + 40 * i as u64;
            let views = if *flaw == "falling" && d < 30 {
                base / 3
            } else {
                base
            };
            stats.push((
                (*url).to_string(),
                Stat {
                    date,
                    posts,
                    views: views * (1 + posts),
                    subscribers: 1000 + 100 * i as u64 - d,
                    likes: 5 * posts,
                    comments: 2 * posts,
                    reposts: posts,
                },
            ));
        }
    }
    store
        .import_page_stats(&actor, now, "demo", &stats)
        .map_err(err)?;
    Ok(PAGES.len())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::pages::checks::Settings;
    use crate::reference::Reference;

    /// The demo's pages: some pass every check, the flawed ones have exactly their finding.
    #[test]
    fn demo_pages_have_some_findings() {
        let mut s =
            Store::open_in_memory(Arc::new(Reference::embedded().expect("reference"))).expect("db");
        let now = Utc
            .with_ymd_and_hms(2026, 12, 7, 9, 0, 0)
            .single()
            .expect("now");
        let tz: Tz = "Europe/Moscow".parse().expect("tz");
        assert_eq!(fill(&mut s, now, tz).expect("filled"), 12);
        let today = now.with_timezone(&tz).date_naive();
        let all = s
            .checked_pages(&Settings::embedded().expect("settings"), now, today)
            .expect("checked");
        let of = |url: &str| -> Vec<&str> {
            all.iter()
                .find(|(p, _)| p.url == url)
                .map(|(_, f)| f.iter().map(|x| x.id).collect())
                .expect("page")
        };
        assert!(of("vk.com/okrug_adm").is_empty());
        assert!(of("vk.com/school2_okrug").is_empty());
        assert_eq!(of("vk.com/okrug_edu"), ["no_mark"]);
        assert_eq!(of("vk.com/crb_okrug"), ["admin_without_2fa"]);
        assert_eq!(of("vk.com/gkh_okrug"), ["comments_closed"]);
        assert_eq!(of("vk.com/dk_okrug"), ["falling_reach"]);
        // Silent for forty days: its views fall with the posts.
        assert_eq!(
            of("vk.com/school1_okrug"),
            ["silent", "rare_posts", "falling_reach"]
        );
        assert_eq!(of("ok.ru/okrug_adm"), ["rare_posts"]);
        assert_eq!(of("max.ru/sport_okrug"), ["not_checked"]);
        assert_eq!(of("ok.ru/library_okrug"), ["no_widgets"]);
        assert!(all.last().is_some_and(|(_, f)| f.is_empty()), "worst first");
    }
}

//! The registry of official pages (госпаблики) of the bodies: what a page is, its platform and
//! category, URL normalisation (so statistics match the registry), and the compliance checks
//! (`checks`).

pub mod checks;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

/// The platform a page lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Vk,
    Ok,
    Telegram,
    Max,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Vk,
        Platform::Ok,
        Platform::Telegram,
        Platform::Max,
    ];

    /// The stable id stored and printed.
    pub fn id(self) -> &'static str {
        match self {
            Platform::Vk => "vk",
            Platform::Ok => "ok",
            Platform::Telegram => "telegram",
            Platform::Max => "max",
        }
    }

    /// The platform a (normalised) URL points at, if known.
    pub fn of_url(url: &str) -> Option<Platform> {
        let host = url.split('/').next().unwrap_or_default();
        match host {
            "vk.com" => Some(Platform::Vk),
            "ok.ru" => Some(Platform::Ok),
            "t.me" => Some(Platform::Telegram),
            "max.ru" => Some(Platform::Max),
            _ => None,
        }
    }
}

impl FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "vk" | "вк" | "вконтакте" | "vkontakte" => Ok(Platform::Vk),
            "ok" | "ок" | "одноклассники" | "odnoklassniki" => Ok(Platform::Ok),
            "telegram" | "tg" | "телеграм" | "телеграмм" => Ok(Platform::Telegram),
            "max" | "макс" => Ok(Platform::Max),
            other => Err(format!(
                "unknown platform «{other}» (vk, ok, telegram, max)"
            )),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The category of a page (the decree's three kinds), with stable ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Флагманский.
    Flagship,
    /// Активный.
    Active,
    /// Визитка.
    Card,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Flagship, Category::Active, Category::Card];

    pub fn id(self) -> &'static str {
        match self {
            Category::Flagship => "flagship",
            Category::Active => "active",
            Category::Card => "card",
        }
    }

    /// The Russian name people use.
    pub fn label(self) -> &'static str {
        match self {
            Category::Flagship => "флагманский",
            Category::Active => "активный",
            Category::Card => "визитка",
        }
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "flagship" | "флагманский" | "флагман" => Ok(Category::Flagship),
            "active" | "активный" => Ok(Category::Active),
            "card" | "визитка" => Ok(Category::Card),
            other => Err(format!(
                "unknown category «{other}» (флагманский, активный, визитка)"
            )),
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One page of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub id: i64,
    /// The body (орган) the page belongs to.
    pub body: String,
    pub platform: Platform,
    /// Normalised, see [`normalize_url`].
    pub url: String,
    pub category: Category,
    /// The «Госорганизация» mark is set.
    pub mark: bool,
    /// The ПОС widgets are installed.
    pub widgets: bool,
    /// A link to the body's site is on the page.
    pub site_link: bool,
    pub comments_open: bool,
    /// How many administrators the page has, and how many of them use two-factor sign-in.
    pub admins: u32,
    pub admins_2fa: u32,
    /// When the page was last checked by hand.
    pub checked_at: Option<NaiveDate>,
}

/// One day (or one reporting date) of a page's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub date: NaiveDate,
    pub posts: u64,
    pub views: u64,
    pub subscribers: u64,
    pub likes: u64,
    pub comments: u64,
    pub reposts: u64,
}

/// Normalises a page URL so that the same page is written one way: no scheme, no `www.`/`m.`,
/// lower-case host, no query or fragment, no trailing slash; `vk.ru` → `vk.com`,
/// `telegram.me` → `t.me`, `odnoklassniki.ru` → `ok.ru`. Errors when nothing is left.
pub fn normalize_url(raw: &str) -> Result<String, String> {
    let mut s = raw.trim();
    for scheme in ["https://", "http://"] {
        if let Some(head) = s.get(..scheme.len())
            && head.eq_ignore_ascii_case(scheme)
        {
            s = s.get(scheme.len()..).unwrap_or_default();
        }
    }
    let s = s.split(['?', '#']).next().unwrap_or_default();
    let s = s.trim_end_matches('/');
    let (host, path) = match s.split_once('/') {
        Some((h, p)) => (h, p),
        None => (s, ""),
    };
    let mut host = host.to_lowercase();
    for prefix in ["www.", "m."] {
        if let Some(h) = host.strip_prefix(prefix) {
            host = h.to_string();
        }
    }
    let host = match host.as_str() {
        "vk.ru" | "vkontakte.ru" => "vk.com".to_string(),
        "telegram.me" => "t.me".to_string(),
        "odnoklassniki.ru" => "ok.ru".to_string(),
        _ => host,
    };
    if host.is_empty() || !host.contains('.') || host.contains(char::is_whitespace) {
        return Err(format!("«{}» is not a page address", raw.trim()));
    }
    let path = path.trim_matches('/');
    Ok(if path.is_empty() {
        host
    } else {
        // Page names on these platforms are case-insensitive.
        format!("{host}/{}", path.to_lowercase())
    })
}

/// Whether a (normalised) URL of a post or comment lies on the page `page_url` (normalised):
/// the page itself or below it, or a VK wall post of the page's numeric community.
pub fn url_on_page(url: &str, page_url: &str) -> bool {
    url == page_url
        || url
            .strip_prefix(page_url)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'))
}

/// Reads a yes/no cell as people fill it in.
pub fn parse_flag(s: &str) -> Result<bool, String> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "да" | "д" | "+" | "есть" | "открыты" | "установлены" => {
            Ok(true)
        }
        "no" | "n" | "false" | "0" | "нет" | "н" | "-" | "" | "закрыты" | "отсутствует" => {
            Ok(false)
        }
        other => Err(format!("«{other}» is neither yes nor no (да/нет)")),
    }
}

/// Reads a date as people write it: `2026-12-07`, `07.12.2026`, `07.12.26`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let t = t.split([' ', 'T']).next().unwrap_or_default();
    ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .ok_or_else(|| format!("«{}» is not a date (ГГГГ-ММ-ДД or ДД.ММ.ГГГГ)", s.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_written_one_way() {
        for raw in [
            "https://vk.com/mo_yurkino",
            "http://www.vk.com/mo_yurkino/",
            "vk.ru/MO_Yurkino",
            "https://m.vk.com/mo_yurkino?from=search",
        ] {
            assert_eq!(
                normalize_url(raw).as_deref(),
                Ok("vk.com/mo_yurkino"),
                "{raw}"
            );
        }
        assert_eq!(
            normalize_url("https://telegram.me/yurkino").as_deref(),
            Ok("t.me/yurkino")
        );
        assert!(normalize_url("  ").is_err());
        assert!(normalize_url("нет ссылки").is_err());
        assert_eq!(Platform::of_url("ok.ru/group/1"), Some(Platform::Ok));
        assert!(url_on_page(
            "vk.com/mo_yurkino/wall-1_2",
            "vk.com/mo_yurkino"
        ));
        assert!(!url_on_page("vk.com/mo_yurkino2", "vk.com/mo_yurkino"));
    }

    #[test]
    fn categories_and_platforms_read_russian() {
        assert_eq!("Флагманский".parse(), Ok(Category::Flagship));
        assert_eq!("визитка".parse(), Ok(Category::Card));
        assert_eq!("ВКонтакте".parse(), Ok(Platform::Vk));
        assert!("фейсбук".parse::<Platform>().is_err());
        assert_eq!(parse_flag("Да"), Ok(true));
        assert!(parse_flag("может быть").is_err());
    }
}

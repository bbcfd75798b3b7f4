//! The channel an appeal arrived through.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an appeal came from. Stable ids are the lower-case names used in files and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// «Инцидент Менеджмент»: posts and comments in social networks.
    Im,
    /// «Госуслуги. Решаем вместе» (платформа обратной связи).
    Pos,
    /// A written letter under 59-ФЗ.
    Letter,
    /// A messenger (Telegram, MAX, WhatsApp…).
    Messenger,
    /// A comment on an official page (госпаблик) of a body.
    Page,
    /// A phone call taken down by hand.
    Phone,
    /// Anything else.
    Other,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 7] = [
        Channel::Im,
        Channel::Pos,
        Channel::Letter,
        Channel::Messenger,
        Channel::Page,
        Channel::Phone,
        Channel::Other,
    ];

    /// The stable id (`im`, `pos`, …).
    pub fn id(self) -> &'static str {
        match self {
            Channel::Im => "im",
            Channel::Pos => "pos",
            Channel::Letter => "letter",
            Channel::Messenger => "messenger",
            Channel::Page => "page",
            Channel::Phone => "phone",
            Channel::Other => "other",
        }
    }

    /// The short Russian label shown to officers.
    pub fn label_ru(self) -> &'static str {
        match self {
            Channel::Im => "ИМ",
            Channel::Pos => "ПОС",
            Channel::Letter => "Письмо",
            Channel::Messenger => "Мессенджер",
            Channel::Page => "Госпаблик",
            Channel::Phone => "Телефон",
            Channel::Other => "Другое",
        }
    }
}

impl Channel {
    /// A label of at most three letters, for narrow columns.
    pub fn short_ru(self) -> &'static str {
        match self {
            Channel::Im => "ИМ",
            Channel::Pos => "ПОС",
            Channel::Letter => "Пис",
            Channel::Messenger => "Мсг",
            Channel::Page => "Стр",
            Channel::Phone => "Тел",
            Channel::Other => "Др",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An unknown channel id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel «{0}» (expected one of: im, pos, letter, messenger, page, phone, other)")]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    /// Parses a stable id; `page_comment` is accepted as an alias of `page`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Ok(match t.as_str() {
            "im" => Channel::Im,
            "pos" => Channel::Pos,
            "letter" => Channel::Letter,
            "messenger" => Channel::Messenger,
            "page" | "page_comment" => Channel::Page,
            "phone" => Channel::Phone,
            "other" => Channel::Other,
            _ => return Err(UnknownChannel(s.trim().to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for c in Channel::ALL {
            assert_eq!(c.id().parse::<Channel>(), Ok(c));
        }
    }

    #[test]
    fn unknown_channel_is_refused_with_its_name() {
        let err = "fax".parse::<Channel>().unwrap_err();
        assert!(err.to_string().contains("fax"));
    }
}

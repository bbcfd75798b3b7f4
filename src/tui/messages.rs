//! The console's messages: what the officer's own actions answered, errors, and notices of the
//! background (imports). The status line shows one at a time by priority — an officer's message
//! is never pushed out by a background notice while it is fresh — and `:messages` lists the
//! recent ones.

use chrono::{DateTime, Utc};

/// How many messages the history keeps.
const KEEP: usize = 100;
/// How long a message stays in the status line, in seconds (an error longer).
const SHOWN_SECS: i64 = 6;
const ERROR_SECS: i64 = 15;

/// What a message is about, which decides its priority and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// From the background (an import came in).
    Notice,
    /// The answer to the officer's own action.
    Info,
    /// Something went wrong.
    Error,
}

/// One message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub level: Level,
    pub at: DateTime<Utc>,
}

impl Message {
    /// An error.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    fn fresh(&self, now: DateTime<Utc>) -> bool {
        let secs = if self.is_error() {
            ERROR_SECS
        } else {
            SHOWN_SECS
        };
        (now - self.at).num_seconds() < secs
    }
}

/// The recent messages, newest last.
#[derive(Debug, Clone, Default)]
pub struct Messages {
    log: Vec<Message>,
    /// Dismissed by a key: nothing shown until the next message.
    dismissed: bool,
}

impl Messages {
    /// Adds a message.
    pub fn push(&mut self, text: impl Into<String>, level: Level, at: DateTime<Utc>) {
        self.log.push(Message {
            text: text.into(),
            level,
            at,
        });
        if self.log.len() > KEEP {
            self.log.remove(0);
        }
        self.dismissed = false;
    }

    /// The message the status line shows at `now`: the newest fresh one of the officer's own
    /// (errors and answers) if there is one, else the newest fresh background notice. With a
    /// fixed clock (tests, `--now`) nothing ages, so the newest of the highest priority shows.
    pub fn shown(&self, now: DateTime<Utc>) -> Option<&Message> {
        if self.dismissed {
            return None;
        }
        let fresh = |m: &&Message| m.fresh(now);
        let own = self
            .log
            .iter()
            .rev()
            .filter(fresh)
            .find(|m| m.level >= Level::Info);
        own.or_else(|| self.log.iter().rev().find(|m| m.fresh(now)))
    }

    /// The newest message, shown or not.
    pub fn last(&self) -> Option<&Message> {
        self.log.last()
    }

    /// Every kept message, newest first.
    pub fn recent(&self) -> impl Iterator<Item = &Message> {
        self.log.iter().rev()
    }

    /// Hides what is shown until the next message.
    pub fn dismiss(&mut self) {
        self.dismissed = true;
    }

    /// Whether the shown message would change between `from` and `to` (one aged out): the
    /// status line needs a redraw.
    pub fn changes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.shown(from) != self.shown(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn a_background_notice_does_not_push_out_the_officers_fresh_message() {
        let mut m = Messages::default();
        m.push("Сохранено: блок ЖКХ", Level::Info, t(0));
        m.push("Импорт: новых обращений 3", Level::Notice, t(2));
        assert_eq!(
            m.shown(t(3)).map(|x| x.text.as_str()),
            Some("Сохранено: блок ЖКХ")
        );
        // Once the officer's message aged out, the notice (still fresh) shows.
        assert_eq!(
            m.shown(t(7)).map(|x| x.text.as_str()),
            Some("Импорт: новых обращений 3")
        );
        assert!(m.shown(t(30)).is_none());
        assert!(m.changes_between(t(3), t(7)));
        assert!(!m.changes_between(t(3), t(4)));
    }

    #[test]
    fn errors_stay_longer_and_the_history_keeps_everything_newest_first() {
        let mut m = Messages::default();
        m.push("Нет обращения «99999»", Level::Error, t(0));
        m.push("Импорт: новых обращений 1", Level::Notice, t(1));
        assert_eq!(m.shown(t(10)).map(|x| x.level), Some(Level::Error));
        let texts: Vec<&str> = m.recent().map(|x| x.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Импорт: новых обращений 1", "Нет обращения «99999»"]
        );
        m.dismiss();
        assert!(m.shown(t(2)).is_none());
        m.push("ещё", Level::Info, t(3));
        assert!(m.shown(t(3)).is_some());
    }

    #[test]
    fn the_history_is_bounded() {
        let mut m = Messages::default();
        for i in 0..(KEEP as i64 + 10) {
            m.push(format!("{i}"), Level::Info, t(i));
        }
        assert_eq!(m.recent().count(), KEEP);
        assert_eq!(
            m.last().map(|x| x.text.clone()),
            Some(format!("{}", KEEP + 9))
        );
    }
}

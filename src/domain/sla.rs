//! Deadline rules (`data/sla.toml`) applied over the working calendar.
//!
//! A rule set says, per channel, which deadlines an appeal gets and how long each is, as a
//! [`Span`]: `"8wh"` working hours, `"10wd"` working days, `"30d"` calendar days. Appeals under
//! 59-ФЗ (letters, or any appeal flagged `fz59`) follow one separate rule. See [`Sla`] for the file
//! format and the meaning of each span.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::calendar::{CalendarError, WorkCalendar};
use super::channel::UnknownChannel;
use super::{Channel, Deadlines};

/// The shipped rule set (`data/sla.toml`), embedded in the binary.
pub const EMBEDDED: &str = include_str!("../../data/sla.toml");

/// What the deadlines of one appeal depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaInput {
    /// The channel the appeal arrived through.
    pub channel: Channel,
    /// The source flagged the appeal as an обращение under 59-ФЗ.
    pub fz59: bool,
    /// Heightened importance (ИМ and the like get a shorter first-response span).
    pub urgent: bool,
    /// When the appeal was received.
    pub received_at: DateTime<Utc>,
    /// When an interim answer was recorded (ИМ-like channels then get 7 more working days).
    pub interim_at: Option<DateTime<Utc>>,
    /// The 59-ФЗ answer deadline was extended once.
    pub extended: bool,
}

// ---------------------------------------------------------------------------------------------
// Spans
// ---------------------------------------------------------------------------------------------

/// A length of time a deadline is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Span {
    /// `"8wh"`: working hours, consumed from the instant of the anchor (time outside working
    /// periods does not count); due when the last hour completes.
    WorkingHours(u32),
    /// `"10wd"`: working days; due at the end of work of the N-th working day after the local date
    /// of the anchor.
    WorkingDays(u32),
    /// `"30d"`: calendar days; due at the end of work of the local date of the anchor plus N days,
    /// or of the preceding working day when that day is not a working day.
    CalendarDays(u32),
}

/// A span that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid span «{0}»: expected a whole number followed by wh (working hours), wd (working days) or d (calendar days), e.g. \"8wh\", \"10wd\", \"30d\""
)]
pub struct SpanError(pub String);

impl FromStr for Span {
    type Err = SpanError;

    /// Parses `"8wh"`, `"10wd"`, `"30d"` (case and surrounding spaces are ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || SpanError(s.trim().to_string());
        let t = s.trim().to_ascii_lowercase();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (digits, unit) = t.split_at(split);
        if digits.is_empty() {
            return Err(bad());
        }
        let n: u32 = digits.parse().map_err(|_| bad())?;
        match unit.trim() {
            "wh" => Ok(Span::WorkingHours(n)),
            "wd" => Ok(Span::WorkingDays(n)),
            "d" => Ok(Span::CalendarDays(n)),
            _ => Err(bad()),
        }
    }
}

impl TryFrom<String> for Span {
    type Error = SpanError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Span::WorkingHours(n) => write!(f, "{n}wh"),
            Span::WorkingDays(n) => write!(f, "{n}wd"),
            Span::CalendarDays(n) => write!(f, "{n}d"),
        }
    }
}

impl Span {
    /// The deadline this span gives when counted from the instant `from` (working hours) or from
    /// its local date (working and calendar days).
    pub fn due_from(
        self,
        cal: &WorkCalendar,
        from: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, CalendarError> {
        match self {
            Span::WorkingHours(n) => cal.add_working_hours(from, n),
            Span::WorkingDays(n) => cal.end_of_nth_working_day_after(cal.local_date(from), n),
            Span::CalendarDays(n) => cal.calendar_days_end(cal.local_date(from), n),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

/// The deadlines of the channels of one group (an `[group.NAME]` table of `sla.toml`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelRule {
    /// First response due after receipt; `None`: no first-response deadline.
    pub first_response: Option<Span>,
    /// First response due for an urgent appeal; `None`: as `first_response`.
    pub first_response_urgent: Option<Span>,
    /// Final answer due after receipt; `None`: no answer deadline.
    pub answer: Option<Span>,
    /// Final answer due for an urgent appeal; `None`: as `answer`.
    pub answer_urgent: Option<Span>,
    /// Once an interim answer is recorded, the final answer is due this long after it instead;
    /// `None`: an interim answer changes nothing.
    pub answer_after_interim: Option<Span>,
}

/// The rule for обращения under 59-ФЗ (the `[fz59]` table of `sla.toml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fz59Rule {
    /// Channels whose appeals are always 59-ФЗ обращения, whatever their flag (letters).
    pub channels: Vec<Channel>,
    /// Registration due after receipt.
    pub register: Option<Span>,
    /// Answer due after receipt.
    pub answer: Option<Span>,
    /// The one extension of the answer deadline; `None`: not extendable.
    pub extension: Option<Span>,
}

/// The serde form of one `[group.NAME]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    channels: Vec<String>,
    first_response: Option<String>,
    first_response_urgent: Option<String>,
    answer: Option<String>,
    answer_urgent: Option<String>,
    answer_after_interim: Option<String>,
}

/// The serde form of the `[fz59]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFz59 {
    #[serde(default)]
    channels: Vec<String>,
    register: Option<String>,
    answer: Option<String>,
    extension: Option<String>,
}

/// The serde form of the whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSla {
    fz59: RawFz59,
    #[serde(default)]
    group: BTreeMap<String, RawGroup>,
}

/// A problem with an `sla.toml`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    /// The file is not valid TOML or has unknown / missing keys.
    #[error("sla.toml: {0}")]
    Toml(String),
    /// A span could not be read; names where it is.
    #[error("sla.toml, {place}: {source}")]
    Span {
        /// The table and key, e.g. `group.online.first_response`.
        place: String,
        /// The parse error.
        source: SpanError,
    },
    /// A channel id is unknown; names where it is.
    #[error("sla.toml, {place}: {source}")]
    Channel {
        /// The table and key, e.g. `group.online.channels`.
        place: String,
        /// The parse error.
        source: UnknownChannel,
    },
    /// The groups do not cover every channel exactly once, or some other inconsistency.
    #[error("sla.toml: {0}")]
    Invalid(String),
}

/// The deadline rules in force.
///
/// The file (`data/sla.toml`; a workspace may replace it whole) has one `[fz59]` table and one
/// `[group.NAME]` table per group of channels; the group names are free labels:
///
/// ```toml
/// [fz59]
/// channels = ["letter"]     # always 59-ФЗ; other channels are when their fz59 flag is set
/// register = "3d"           # registration due, counted from receipt
/// answer = "30d"            # answer due, counted from receipt
/// extension = "30d"         # one extension; omit to make the deadline not extendable
///
/// [group.online]
/// channels = ["im", "messenger", "page"]
/// first_response = "8wh"
/// first_response_urgent = "4wh"
/// answer = "8wh"
/// answer_urgent = "4wh"
/// answer_after_interim = "7wd"
///
/// [group.standard]
/// channels = ["pos", "phone", "other"]
/// answer = "10wd"
/// ```
///
/// Every channel not listed in `fz59.channels` must be in exactly one group. Spans are counted by
/// [`Span::due_from`]. Every key of a group but `channels` is optional; see [`ChannelRule`].
///
/// A 59-ФЗ extension counts from the *nominal* end of the first term, not from the working day it
/// was moved back to: with `answer = "30d"` and `extension = "30d"` the extended answer is due on
/// receipt + 60 days (moved back to a working day). When the answer span is not in calendar days,
/// the extension is counted from the answer deadline itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sla {
    fz59: Fz59Rule,
    /// Indexed by [`channel_index`].
    rules: [ChannelRule; CHANNELS],
    /// The group name of each channel, for display.
    groups: [String; CHANNELS],
}

const CHANNELS: usize = Channel::ALL.len();

/// The position of a channel in [`Channel::ALL`].
fn channel_index(c: Channel) -> usize {
    match c {
        Channel::Im => 0,
        Channel::Pos => 1,
        Channel::Letter => 2,
        Channel::Messenger => 3,
        Channel::Page => 4,
        Channel::Phone => 5,
        Channel::Other => 6,
    }
}

fn span(place: impl FnOnce() -> String, s: Option<String>) -> Result<Option<Span>, SlaError> {
    s.map(|s| {
        s.parse::<Span>().map_err(|source| SlaError::Span {
            place: place(),
            source,
        })
    })
    .transpose()
}

fn channels(place: &str, ids: &[String]) -> Result<Vec<Channel>, SlaError> {
    ids.iter()
        .map(|id| {
            id.parse::<Channel>().map_err(|source| SlaError::Channel {
                place: place.to_string(),
                source,
            })
        })
        .collect()
}

impl Sla {
    /// Parses and checks a rule set in the `sla.toml` format.
    pub fn from_toml(text: &str) -> Result<Sla, SlaError> {
        let raw: RawSla = toml::from_str(text).map_err(|e| {
            SlaError::Toml(
                e.to_string()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })?;

        let fz59 = Fz59Rule {
            channels: channels("fz59.channels", &raw.fz59.channels)?,
            register: span(|| "fz59.register".into(), raw.fz59.register)?,
            answer: span(|| "fz59.answer".into(), raw.fz59.answer)?,
            extension: span(|| "fz59.extension".into(), raw.fz59.extension)?,
        };

        let mut rules: [Option<ChannelRule>; CHANNELS] = [None; CHANNELS];
        let mut groups: [String; CHANNELS] = Default::default();
        for (name, group) in raw.group {
            let at = |key: &str| format!("group.{name}.{key}");
            let r = group;
            let rule = ChannelRule {
                first_response: span(|| at("first_response"), r.first_response)?,
                first_response_urgent: span(
                    || at("first_response_urgent"),
                    r.first_response_urgent,
                )?,
                answer: span(|| at("answer"), r.answer)?,
                answer_urgent: span(|| at("answer_urgent"), r.answer_urgent)?,
                answer_after_interim: span(|| at("answer_after_interim"), r.answer_after_interim)?,
            };
            for c in channels(&at("channels"), &r.channels)? {
                let i = channel_index(c);
                if rules[i].is_some() {
                    return Err(SlaError::Invalid(format!(
                        "channel {c} is in two groups ({} and {name})",
                        groups[i]
                    )));
                }
                rules[i] = Some(rule);
                groups[i].clone_from(&name);
            }
        }

        let mut resolved = [ChannelRule::default(); CHANNELS];
        let mut missing = Vec::new();
        for c in Channel::ALL {
            let i = channel_index(c);
            match rules[i] {
                Some(rule) => resolved[i] = rule,
                None if fz59.channels.contains(&c) => groups[i] = "fz59".to_string(),
                None => missing.push(c.id()),
            }
        }
        if !missing.is_empty() {
            return Err(SlaError::Invalid(format!(
                "no group lists the channel(s) {}: every channel not in fz59.channels needs a [group.NAME] table",
                missing.join(", ")
            )));
        }
        Ok(Sla {
            fz59,
            rules: resolved,
            groups,
        })
    }

    /// The shipped rule set ([`EMBEDDED`]).
    pub fn embedded() -> Result<Sla, SlaError> {
        Sla::from_toml(EMBEDDED)
    }

    /// Whether an appeal is an обращение under 59-ФЗ: its channel always is (letters), or the source
    /// flagged it.
    pub fn is_fz59(&self, channel: Channel, fz59_flag: bool) -> bool {
        fz59_flag || self.fz59.channels.contains(&channel)
    }

    /// Whether the answer deadline of such an appeal may be extended (once): a 59-ФЗ обращение
    /// while the rules define an extension.
    pub fn extendable(&self, channel: Channel, fz59_flag: bool) -> bool {
        self.is_fz59(channel, fz59_flag) && self.fz59.extension.is_some()
    }

    /// The 59-ФЗ rule.
    pub fn fz59_rule(&self) -> &Fz59Rule {
        &self.fz59
    }

    /// The rule of a channel's group (used when an appeal is not a 59-ФЗ обращение).
    pub fn rule(&self, channel: Channel) -> &ChannelRule {
        &self.rules[channel_index(channel)]
    }

    /// The name of a channel's group in the file (`fz59` for a channel covered only there).
    pub fn group_name(&self, channel: Channel) -> &str {
        &self.groups[channel_index(channel)]
    }

    /// Computes the deadlines of one appeal.
    ///
    /// A 59-ФЗ обращение gets `register_due` and `answer_due` (extended when `input.extended` and
    /// the rules allow it), and no first response; any other appeal gets its group's first
    /// response and answer (the urgent spans when `input.urgent`), the answer moving to
    /// `answer_after_interim` after `input.interim_at` when the group defines it.
    pub fn deadlines(
        &self,
        cal: &WorkCalendar,
        input: &SlaInput,
    ) -> Result<Deadlines, CalendarError> {
        self.deadlines_of_term(cal, input, None)
    }

    /// [`deadlines`](Self::deadlines) of an appeal reopened at `reopened_at` (`None`: never
    /// reopened). A reopening starts a new answer term: the answer deadline is the same rule
    /// counted from the reopening instead of the receipt (the urgent span when urgent; after an
    /// interim answer given in the new term, `answer_after_interim` from it; for 59-ФЗ, the
    /// extension when `input.extended`). Registration and the first response stay counted from
    /// the receipt: they were due once.
    pub fn deadlines_of_term(
        &self,
        cal: &WorkCalendar,
        input: &SlaInput,
        reopened_at: Option<DateTime<Utc>>,
    ) -> Result<Deadlines, CalendarError> {
        let received = input.received_at;
        // Where the answer term runs from.
        let term = reopened_at.unwrap_or(received);
        let interim_at = input.interim_at.filter(|i| *i >= term);
        if self.is_fz59(input.channel, input.fz59) {
            let rule = &self.fz59;
            let register_due = rule
                .register
                .map(|s| s.due_from(cal, received))
                .transpose()?;
            let answer_due = match (rule.answer, rule.extension) {
                (Some(answer), Some(ext)) if input.extended => {
                    Some(extended_due(cal, term, answer, ext)?)
                }
                (Some(answer), _) => Some(answer.due_from(cal, term)?),
                (None, _) => None,
            };
            return Ok(Deadlines {
                register_due,
                first_response_due: None,
                answer_due,
            });
        }

        let rule = self.rule(input.channel);
        let pick = |normal: Option<Span>, urgent: Option<Span>| {
            if input.urgent {
                urgent.or(normal)
            } else {
                normal
            }
        };
        let first_response_due = pick(rule.first_response, rule.first_response_urgent)
            .map(|s| s.due_from(cal, received))
            .transpose()?;
        let answer_due = match (rule.answer_after_interim, interim_at) {
            (Some(span), Some(interim)) => Some(span.due_from(cal, interim)?),
            _ => pick(rule.answer, rule.answer_urgent)
                .map(|s| s.due_from(cal, term))
                .transpose()?,
        };
        Ok(Deadlines {
            register_due: None,
            first_response_due,
            answer_due,
        })
    }
}

/// The answer deadline after the one extension: with both spans in calendar days, the date the
/// term starts on (receipt, or the reopening) + both (the extension counts from the nominal end
/// of the first term, not from the working day it was moved back to); otherwise the extension is
/// counted from the first answer deadline.
fn extended_due(
    cal: &WorkCalendar,
    from: DateTime<Utc>,
    answer: Span,
    ext: Span,
) -> Result<DateTime<Utc>, CalendarError> {
    match (answer, ext) {
        (Span::CalendarDays(a), Span::CalendarDays(e)) => {
            cal.calendar_days_end(cal.local_date(from), a.saturating_add(e))
        }
        _ => ext.due_from(cal, answer.due_from(cal, from)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_in_three_units() {
        assert_eq!("8wh".parse(), Ok(Span::WorkingHours(8)));
        assert_eq!("10wd".parse(), Ok(Span::WorkingDays(10)));
        assert_eq!("30d".parse(), Ok(Span::CalendarDays(30)));
        assert_eq!(" 4WH ".parse(), Ok(Span::WorkingHours(4)));
        assert_eq!("7 wd".parse(), Ok(Span::WorkingDays(7)));
    }

    #[test]
    fn spans_print_as_they_are_written() {
        for s in ["8wh", "10wd", "30d", "0d"] {
            assert_eq!(s.parse::<Span>().map(|x| x.to_string()), Ok(s.to_string()));
        }
    }

    #[test]
    fn a_bad_span_is_refused_with_a_clear_message() {
        for s in [
            "",
            "wh",
            "8",
            "8h",
            "8 days",
            "-3d",
            "1.5wh",
            "99999999999d",
        ] {
            let err = s.parse::<Span>().expect_err("must be refused");
            let msg = err.to_string();
            assert!(
                msg.contains("working hours") && msg.contains("\"8wh\""),
                "{msg}"
            );
            assert!(msg.contains(&format!("«{}»", s.trim())), "{msg}");
        }
    }

    #[test]
    fn the_shipped_rules_load() {
        let sla = Sla::embedded().expect("shipped sla.toml loads");
        assert_eq!(
            sla.rule(Channel::Im).first_response,
            Some(Span::WorkingHours(8))
        );
        assert_eq!(
            sla.rule(Channel::Page).answer_urgent,
            Some(Span::WorkingHours(4))
        );
        assert_eq!(
            sla.rule(Channel::Messenger).answer_after_interim,
            Some(Span::WorkingDays(7))
        );
        assert_eq!(sla.rule(Channel::Phone).answer, Some(Span::WorkingDays(10)));
        assert_eq!(sla.rule(Channel::Pos).first_response, None);
        assert_eq!(sla.fz59_rule().register, Some(Span::CalendarDays(3)));
        assert_eq!(sla.fz59_rule().answer, Some(Span::CalendarDays(30)));
        assert_eq!(sla.fz59_rule().extension, Some(Span::CalendarDays(30)));
        assert_eq!(sla.group_name(Channel::Im), "online");
        assert_eq!(sla.group_name(Channel::Other), "standard");
        assert_eq!(sla.group_name(Channel::Letter), "fz59");
    }

    #[test]
    fn letters_are_always_fz59_other_channels_by_flag() {
        let sla = Sla::embedded().expect("loads");
        assert!(sla.is_fz59(Channel::Letter, false));
        assert!(sla.is_fz59(Channel::Pos, true));
        assert!(!sla.is_fz59(Channel::Pos, false));
        assert!(!sla.is_fz59(Channel::Im, false));
        assert!(sla.extendable(Channel::Letter, false));
        assert!(sla.extendable(Channel::Pos, true));
        assert!(!sla.extendable(Channel::Phone, false));
    }

    #[test]
    fn without_an_extension_key_nothing_is_extendable() {
        let sla = Sla::from_toml(
            "[fz59]\nchannels = [\"letter\"]\nanswer = \"30d\"\n[group.all]\nchannels = [\"im\", \"pos\", \"messenger\", \"page\", \"phone\", \"other\"]\n",
        )
        .expect("valid");
        assert!(!sla.extendable(Channel::Letter, false));
    }

    fn refused(text: &str) -> String {
        Sla::from_toml(text)
            .expect_err("must be refused")
            .to_string()
    }

    const FZ59: &str = "[fz59]\nchannels = [\"letter\"]\nanswer = \"30d\"\n";

    #[test]
    fn a_channel_in_two_groups_is_refused() {
        let msg = refused(&format!(
            "{FZ59}[group.a]\nchannels = [\"im\", \"pos\", \"messenger\", \"page\", \"phone\", \"other\"]\n[group.b]\nchannels = [\"im\"]\n"
        ));
        assert!(msg.contains("im is in two groups (a and b)"), "{msg}");
    }

    #[test]
    fn a_channel_in_no_group_is_refused() {
        let msg = refused(&format!("{FZ59}[group.a]\nchannels = [\"im\", \"pos\"]\n"));
        assert!(msg.contains("messenger, page, phone, other"), "{msg}");
    }

    #[test]
    fn an_unknown_channel_is_refused_with_its_place() {
        let msg = refused(&format!("{FZ59}[group.a]\nchannels = [\"fax\"]\n"));
        assert!(
            msg.contains("group.a.channels") && msg.contains("fax"),
            "{msg}"
        );
    }

    #[test]
    fn a_bad_span_in_the_file_names_its_place() {
        let msg = refused(&format!(
            "{FZ59}[group.a]\nchannels = [\"im\"]\nfirst_response = \"8h\"\n"
        ));
        assert!(
            msg.contains("group.a.first_response") && msg.contains("«8h»"),
            "{msg}"
        );
        let msg = refused("[fz59]\nregister = \"three days\"\n");
        assert!(msg.contains("fz59.register"), "{msg}");
    }

    #[test]
    fn an_unknown_key_or_a_missing_fz59_table_is_refused() {
        let msg = refused(&format!(
            "{FZ59}[group.a]\nchannels = [\"im\"]\nfirst_reply = \"8wh\"\n"
        ));
        assert!(msg.contains("first_reply"), "{msg}");
        let msg = refused("[group.a]\nchannels = [\"im\"]\n");
        assert!(msg.contains("fz59"), "{msg}");
    }
}

//! Realistic demo data: appeals of a fictional rural okrug (`data/settlements.toml`,
//! `data/recipients.toml`) over a period ending at a given `now`, for `mcu demo` and the import
//! benchmark.
//!
//! The [`Generator`] is deterministic (the same seed and settings give the same appeals on every
//! machine), streams in constant memory, and yields each appeal as the import pipeline sees it —
//! an [`IncomingAppeal`] with its channel — together with its [`Life`] (when it was assigned,
//! answered, closed), so that the record as of any earlier instant can be produced too
//! ([`Generated::at`]): `mcu demo` imports weekly exports made that way.
//!
//! What it produces: every channel (ИМ ~45%, ПОС ~25%, letters ~10%, messengers, page comments,
//! phone calls, other) and every block; texts built from phrasings per sub-topic (formal in letters
//! and ПОС, casual — lower case, emoji — in social networks), some urgent (no heat, water or power,
//! danger), some conflict («опять никто не ответил», «отписка»), near-duplicates (the same pothole
//! reported again); answers mostly on time, some late, some still open and overdue at `now`;
//! interim and final answer texts, the МЦУ's grade (substantive or formal), the citizen's rating;
//! made-up names and phone numbers.

mod csv;
pub mod exports;
pub mod fill;
mod life;
pub mod live;
mod pages;
mod rng;
mod roadmaps;
pub mod texts;
pub mod votes;
mod world;

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

pub use self::csv::{CANONICAL_HEADER, CanonicalCsv, write_canonical_csv};
pub use self::life::Life;
pub use self::rng::Rng;
pub use self::world::{
    RECIPIENTS_TOML, Recipient, SETTLEMENTS_TOML, Settlement, parse_recipients, parse_settlements,
};

use self::life::Clock;
use self::texts::{Kind, Season, TOPICS, Topic};
use self::world::{Person, World};
use crate::domain::{Channel, Quality, SlaInput, Status};
use crate::ingest::IncomingAppeal;
use crate::ingest::values::local_to_utc;
use crate::reference::Reference;

/// A problem with the demo's own data or with writing it.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo data: {0}")]
    Data(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    /// The same seed gives the same appeals.
    pub seed: u64,
    /// How many appeals.
    pub count: u64,
    /// The end of the period: the last appeal arrives before it; what happens after it has not
    /// happened yet (open appeals, overdue ones).
    pub now: DateTime<Utc>,
    /// The length of the period in days.
    pub days: u32,
}

/// How the traffic splits by channel (percent).
const CHANNEL_WEIGHTS: [(Channel, u32); 7] = [
    (Channel::Im, 45),
    (Channel::Pos, 25),
    (Channel::Letter, 10),
    (Channel::Messenger, 7),
    (Channel::Page, 7),
    (Channel::Phone, 4),
    (Channel::Other, 2),
];

/// The weights of `CHANNEL_WEIGHTS` alone.
const CHANNEL_ONLY_WEIGHTS: [u32; 7] = {
    let mut w = [0; 7];
    let mut i = 0;
    while i < 7 {
        w[i] = CHANNEL_WEIGHTS[i].1;
        i += 1;
    }
    w
};

/// Hours of the day people write in (weights for 0…23 local time), online and in office hours.
const ONLINE_HOURS: [u32; 24] = [
    2, 1, 1, 1, 1, 2, 5, 9, 12, 13, 13, 12, 12, 12, 12, 12, 13, 14, 16, 18, 19, 17, 12, 6,
];
const OFFICE_HOURS: [u32; 24] = [
    0, 0, 0, 0, 0, 0, 0, 1, 10, 14, 14, 12, 5, 12, 14, 13, 10, 2, 0, 0, 0, 0, 0, 0,
];

/// How many recent problems are remembered for near-duplicates.
const RECENT: usize = 48;

/// One generated appeal.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// 0-based position in the stream.
    pub index: u64,
    pub channel: Channel,
    /// The record as of the generator's `now`. Its `block` and `quality` are the true ones (what
    /// an officer would set); exports of sources that do not carry them leave them out.
    pub appeal: IncomingAppeal,
    pub life: Life,
    /// The index of the appeal this one reports again (a near-duplicate), if any.
    pub repeats: Option<u64>,
}

impl Generated {
    /// The record as a source would have exported it at `at` (not after the generator's `now`);
    /// `None` when it had not arrived yet.
    pub fn at(&self, at: DateTime<Utc>) -> Option<IncomingAppeal> {
        if self.appeal.received_at > at {
            return None;
        }
        let mut a = self.appeal.clone();
        self.life.show_at(&mut a, at);
        Some(a)
    }

    /// `channel:source_id`, as officers and `mcu show` name an appeal.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel, self.appeal.source_id)
    }
}

/// A problem remembered so that it can be reported again.
#[derive(Debug, Clone, Copy)]
struct Problem {
    topic: u16,
    place: u16,
    street: u16,
    house: u16,
    index: u64,
}

/// The stream of demo appeals. See the module documentation.
pub struct Generator {
    cfg: DemoConfig,
    reference: Arc<Reference>,
    tz: Tz,
    world: World,
    rng: Rng,
    next: u64,
    first_day: NaiveDate,
    /// Cumulative weights of the days of the period.
    day_cum: Vec<u64>,
    topics_by_block: Vec<(&'static str, u32, Vec<u16>)>,
    block_weights: Vec<u32>,
    recent: Vec<Problem>,
    recent_pos: usize,
    buf: String,
}

impl Generator {
    /// A generator over the shipped okrug. Deadlines (and so which answers are late) follow the
    /// rules and calendar of `reference`.
    pub fn new(cfg: DemoConfig, reference: Arc<Reference>) -> Result<Self, DemoError> {
        let settlements = parse_settlements(SETTLEMENTS_TOML)?;
        let recipients = parse_recipients(RECIPIENTS_TOML)?;
        Self::with_world(cfg, reference, &settlements, recipients)
    }

    /// A generator over the given settlements and recipients.
    pub fn with_world(
        cfg: DemoConfig,
        reference: Arc<Reference>,
        settlements: &[Settlement],
        recipients: Vec<Recipient>,
    ) -> Result<Self, DemoError> {
        if settlements.is_empty() || recipients.is_empty() {
            return Err(DemoError::Data(
                "the okrug needs settlements and recipients".into(),
            ));
        }
        let tz = reference.calendar.timezone();
        let days = cfg.days.max(1);
        let last_day = cfg.now.with_timezone(&tz).date_naive();
        let first_day = last_day
            .checked_sub_days(Days::new(u64::from(days - 1)))
            .ok_or_else(|| DemoError::Data("the period starts before the calendar".into()))?;
        let mut day_cum = Vec::with_capacity(days as usize);
        let mut total = 0u64;
        for d in 0..days {
            let date = first_day + Days::new(u64::from(d));
            let base: u64 = match date.weekday() {
                Weekday::Sat => 62,
                Weekday::Sun => 55,
                Weekday::Mon => 115,
                _ => 100,
            };
            // Traffic grows a little over the period (the season, the okrug's new pages).
            let trend = 100 + u64::from(d) * 30 / u64::from(days);
            total += base * trend;
            day_cum.push(total);
        }
        let mut topics_by_block = Vec::new();
        for (block, weight) in texts::BLOCK_WEIGHTS {
            let list: Vec<u16> = TOPICS
                .iter()
                .enumerate()
                .filter(|(_, t)| t.block == *block)
                .map(|(i, _)| i as u16)
                .collect();
            topics_by_block.push((*block, *weight, list));
        }
        let block_weights = topics_by_block.iter().map(|(_, w, _)| *w).collect();
        Ok(Self {
            block_weights,
            rng: Rng::new(cfg.seed),
            cfg,
            reference,
            tz,
            world: World::new(settlements, recipients),
            next: 0,
            first_day,
            day_cum,
            topics_by_block,
            recent: Vec::with_capacity(RECENT),
            recent_pos: 0,
            buf: String::with_capacity(1024),
        })
    }

    /// The settings in force.
    pub fn config(&self) -> &DemoConfig {
        &self.cfg
    }

    /// The receipt instant of the `i`-th appeal: days in proportion to their weights (so the
    /// stream runs forward in time), hours by the channel's habits.
    fn received_at(&mut self, i: u64, channel: Channel) -> (DateTime<Utc>, u32) {
        let total = self.day_cum.last().copied().unwrap_or(1);
        let pos =
            ((i as f64 + self.rng.unit()) / self.cfg.count.max(1) as f64 * total as f64) as u64;
        let day = self.day_cum.partition_point(|&c| c <= pos);
        let date = self.first_day + Days::new(day as u64);
        let hours = match channel {
            Channel::Letter | Channel::Phone => &OFFICE_HOURS,
            _ => &ONLINE_HOURS,
        };
        let h = self.rng.weighted(hours) as u32;
        let m = self.rng.below(60) as u32;
        let s = self.rng.below(60) as u32;
        let naive = date.and_time(NaiveTime::from_hms_opt(h, m, s).unwrap_or(NaiveTime::MIN));
        let t = local_to_utc(naive, self.tz);
        if t >= self.cfg.now {
            let t = self.cfg.now - Duration::minutes(1 + self.rng.below(180) as i64);
            (t, t.with_timezone(&self.tz).month())
        } else {
            (t, date.month())
        }
    }

    /// A topic for a new problem, fitting the season and the channel.
    fn topic(&mut self, channel: Channel, month: u32) -> u16 {
        for _ in 0..8 {
            let b = self.rng.weighted(&self.block_weights);
            let list = &self.topics_by_block[b].2;
            let ti = *self.rng.pick(list);
            let t = &TOPICS[ti as usize];
            let cold = !(5..=9).contains(&month);
            let warm = (4..=10).contains(&month);
            let season_ok = match t.season {
                Season::Any => true,
                Season::Cold => cold,
                Season::Warm => warm,
            };
            let channel_ok = match t.kind {
                Kind::Spam => matches!(channel, Channel::Im | Channel::Page | Channel::Messenger),
                _ => true,
            };
            if season_ok && channel_ok {
                return ti;
            }
        }
        0
    }

    fn generate(&mut self) -> Generated {
        let i = self.next;
        self.next += 1;
        let channel = CHANNEL_WEIGHTS[self.rng.weighted(&CHANNEL_ONLY_WEIGHTS)].0;
        let (received_at, month) = self.received_at(i, channel);

        // A new problem, or one reported before (a near-duplicate).
        let mut repeats = None;
        let problem = if !self.recent.is_empty() && self.rng.chance(0.06) {
            let p = *self.rng.pick(&self.recent);
            repeats = Some(p.index);
            p
        } else {
            let topic = self.topic(channel, month);
            let place = self.rng.weighted(&self.world.place_weights) as u16;
            let p = Problem {
                topic,
                place,
                street: world::street(&mut self.rng),
                house: self.rng.range(1, 64) as u16,
                index: i,
            };
            if TOPICS[topic as usize].kind == Kind::Request {
                if self.recent.len() < RECENT {
                    self.recent.push(p);
                } else {
                    self.recent[self.recent_pos] = p;
                    self.recent_pos = (self.recent_pos + 1) % RECENT;
                }
            }
            p
        };

        let Self {
            rng,
            world,
            reference,
            buf,
            tz,
            cfg,
            ..
        } = self;
        let topic = &TOPICS[problem.topic as usize];
        let place = &world.places[problem.place as usize];
        let formal = match channel {
            Channel::Letter | Channel::Pos => true,
            Channel::Phone | Channel::Other => rng.chance(0.5),
            _ => false,
        } && !topic.formal.is_empty();
        let urgent = topic.kind == Kind::Request && rng.below(100) < usize::from(topic.urgent);
        let conflict = topic.kind == Kind::Request
            && (rng.chance(if formal { 0.08 } else { 0.14 })
                || (repeats.is_some() && rng.chance(0.45)));

        let mut ctx = Ctx {
            place,
            centre: world.centre(),
            street: problem.street,
            house: problem.house,
            recipient: "",
            date: received_at,
            tz: *tz,
        };
        let style = Style {
            channel,
            formal,
            urgent,
            conflict,
        };
        let text = compose(rng, buf, topic, style, &ctx);

        // Who wrote it, and how to reach them.
        let person = Person::random(rng);
        let (author, contact) = author(rng, channel, &person);
        let street = texts::STREETS[problem.street as usize].0;
        let address = match channel {
            Channel::Pos | Channel::Letter | Channel::Phone if rng.chance(0.75) => Some(format!(
                "{}, {street}, д. {}",
                place.official, problem.house
            )),
            Channel::Im | Channel::Messenger if rng.chance(0.25) => {
                Some(format!("{street}, {}", problem.house))
            }
            _ => None,
        };
        let settlement = match channel {
            Channel::Im | Channel::Page if rng.chance(0.08) => None,
            _ => Some(place.official.clone()),
        };
        let url = match channel {
            Channel::Im => Some(url(rng, place.group, i)),
            // Comments on the administration's own pages of the registry, so that the pages'
            // check finds the unanswered ones (the generator's draw is still taken, to keep the
            // rest of the demo as it was).
            Channel::Page => {
                let _ = url(rng, place.group, i);
                Some(pages::comment_url(i))
            }
            _ => None,
        };
        let (lat, lon) = if channel == Channel::Pos && address.is_some() && rng.chance(0.6) {
            let j = |r: &mut Rng| (r.unit() - 0.5) * 0.02;
            (
                Some(round5(place.lat + j(rng))),
                Some(round5(place.lon + j(rng))),
            )
        } else {
            (None, None)
        };
        let fz59 = match channel {
            Channel::Letter => Some(true),
            Channel::Pos => Some(topic.kind == Kind::Request && rng.chance(0.2)),
            _ => None,
        };
        let category = matches!(channel, Channel::Im | Channel::Pos).then(|| topic.category.into());

        let mut appeal = IncomingAppeal {
            line: i + 2,
            source_id: source_id(channel, i),
            channel: Some(channel),
            received_at,
            text,
            author,
            contact,
            settlement,
            address,
            url,
            category,
            fz59,
            block: Some(topic.block.to_string()),
            responsible: None,
            status: None,
            urgent: Some(urgent),
            conflict: Some(conflict),
            first_response_at: None,
            answered_at: None,
            answer: None,
            quality: None,
            rating: None,
            lat,
            lon,
        };
        let responsible = world.recipient_for(topic.block, rng);
        ctx.recipient = responsible.unwrap_or("профильный отдел");
        let life = plan_life(
            rng,
            reference,
            &mut appeal,
            topic,
            repeats.is_some(),
            &mut ctx,
        );
        appeal.responsible = responsible.map(str::to_string);
        life.show_at(&mut appeal, cfg.now);
        Generated {
            index: i,
            channel,
            appeal,
            life,
            repeats,
        }
    }
}

/// How an appeal is written.
#[derive(Clone, Copy)]
struct Style {
    channel: Channel,
    formal: bool,
    urgent: bool,
    conflict: bool,
}

/// The text of an appeal: the topic's phrasing in the channel's style, with the extras.
fn compose(rng: &mut Rng, out: &mut String, topic: &Topic, st: Style, ctx: &Ctx<'_>) -> String {
    out.clear();
    let Style {
        channel,
        formal,
        urgent,
        conflict,
    } = st;
    let social = matches!(channel, Channel::Im | Channel::Page | Channel::Messenger);
    if channel == Channel::Phone {
        fill(rng.word(texts::PHONE_PREFIXES), ctx, rng, out);
    }
    if formal {
        let opener_p = if channel == Channel::Letter { 0.6 } else { 0.3 };
        if rng.chance(opener_p) {
            out.push_str(rng.word(texts::FORMAL_OPENERS));
            out.push(' ');
        }
        fill(rng.word(topic.formal), ctx, rng, out);
        if urgent && rng.chance(0.6) {
            out.push(' ');
            out.push_str(rng.word(texts::FORMAL_URGENT));
        }
        if conflict {
            out.push(' ');
            fill(rng.word(texts::FORMAL_CONFLICT), ctx, rng, out);
        }
        if channel == Channel::Letter && rng.chance(0.3) {
            let (street, _) = texts::STREETS[ctx.street as usize];
            let _ = write!(
                out,
                " Проживаю по адресу: {}, {street}, д. {}.",
                ctx.place.official, ctx.house
            );
        }
        if rng.chance(0.45) {
            out.push(' ');
            out.push_str(rng.word(texts::FORMAL_CLOSERS));
        }
        return out.clone();
    }
    if topic.kind == Kind::Request && rng.chance(0.2) {
        out.push_str(rng.word(texts::CASUAL_OPENERS));
        out.push(' ');
    }
    fill(rng.word(topic.casual), ctx, rng, out);
    if urgent && rng.chance(0.5) {
        end_sentence(out);
        out.push(' ');
        out.push_str(rng.word(texts::CASUAL_URGENT));
    }
    if conflict {
        end_sentence(out);
        out.push(' ');
        fill(rng.word(texts::CASUAL_CONFLICT), ctx, rng, out);
    }
    if topic.kind == Kind::Request && rng.chance(0.2) {
        end_sentence(out);
        out.push(' ');
        out.push_str(rng.word(texts::CASUAL_CLOSERS));
    }
    if !social || topic.kind != Kind::Request {
        return out.clone();
    }
    // Social-network sloppiness: all lower case, no final stop, an emoji.
    let mut s = if rng.chance(0.22) {
        out.to_lowercase()
    } else {
        out.clone()
    };
    if rng.chance(0.3) && s.ends_with('.') {
        s.pop();
    }
    if rng.chance(if conflict || urgent { 0.45 } else { 0.15 }) {
        s.push(' ');
        s.push_str(rng.word(texts::EMOJI));
    }
    s
}

/// The author and the contact as the channel records them.
fn author(rng: &mut Rng, channel: Channel, p: &Person) -> (Option<String>, Option<String>) {
    let phone = |rng: &mut Rng| {
        let mut s = String::with_capacity(18);
        world::phone(rng, &mut s);
        s
    };
    match channel {
        Channel::Im | Channel::Page => {
            let name = match rng.below(10) {
                0 => None,
                1 | 2 => Some(p.short()),
                _ => Some(p.social()),
            };
            (name, None)
        }
        Channel::Messenger => {
            let name = if rng.chance(0.5) {
                p.first.to_string()
            } else {
                p.social()
            };
            (Some(name), Some(phone(rng)))
        }
        Channel::Pos => {
            let name = if rng.chance(0.7) {
                p.full()
            } else {
                p.initials()
            };
            let contact = rng.chance(0.6).then(|| phone(rng));
            (Some(name), contact)
        }
        Channel::Letter => {
            let contact = rng.chance(0.5).then(|| phone(rng));
            (Some(p.full()), contact)
        }
        Channel::Phone | Channel::Other => (Some(p.initials()), Some(phone(rng))),
    }
}

/// A link to the post in a social network (made up).
fn url(rng: &mut Rng, group: u64, i: u64) -> String {
    let post = 1_000 + i;
    match rng.below(20) {
        0..=11 => format!("https://vk.com/wall-{group}_{post}"),
        12..=16 => format!("https://ok.ru/group/{group}/topic/{post}"),
        _ => format!("https://t.me/olhovka_okrug/{post}"),
    }
}

/// Plans the life of an appeal against its real deadlines: most answers on time, some late,
/// some never (still open at `now`, and overdue once the deadline passed); fills in the answer,
/// the grade and the rating.
fn plan_life(
    rng: &mut Rng,
    reference: &Reference,
    a: &mut IncomingAppeal,
    topic: &Topic,
    repeated: bool,
    ctx: &mut Ctx<'_>,
) -> Life {
    let received = a.received_at;
    let hours = |h: i64| Duration::minutes(h * 60);
    let mut life = Life::default();
    let channel = a.channel.unwrap_or(Channel::Other);

    if topic.kind == Kind::Spam {
        life.exit = Some((Status::Rejected, received + hours(1 + rng.below(20) as i64)));
        return life;
    }
    if repeated && rng.chance(0.4) {
        life.exit = Some((
            Status::Duplicate,
            received + Duration::minutes(30 + rng.below(1_200) as i64),
        ));
        return life;
    }
    let clock = Clock {
        cal: &reference.calendar,
    };
    let sla = &reference.sla;
    let input = SlaInput {
        channel,
        fz59: a.fz59.unwrap_or(false),
        urgent: a.urgent.unwrap_or(false),
        received_at: received,
        interim_at: None,
        extended: false,
    };
    let due = sla
        .deadlines(&reference.calendar, &input)
        .ok()
        .and_then(|d| d.answer_due)
        .unwrap_or(received + Duration::days(3));

    // Nobody took it yet (a few), or it was assigned soon after receipt.
    let thanks = topic.kind == Kind::Thanks;
    if !thanks && rng.chance(0.03) {
        return life;
    }
    let assigned = received + Duration::minutes(10 + rng.below(240) as i64);
    life.assigned_at = Some(assigned);
    if !thanks && rng.chance(0.02) {
        life.exit = Some((
            Status::Redirected,
            assigned + hours(2 + rng.below(40) as i64),
        ));
        return life;
    }

    // On time, late, or stuck.
    let when = |rng: &mut Rng, from: DateTime<Utc>, span: i64, late: bool| {
        let due_here = clock.add_working(from, span);
        if late {
            clock.add_working(
                due_here,
                (span as f64 * (0.05 + rng.unit() * 0.9)) as i64 + 600,
            )
        } else {
            let t = clock.add_working(from, (span as f64 * (0.08 + rng.unit() * 0.85)) as i64);
            t.min(due_here - Duration::minutes(5))
        }
    };
    let roll = rng.unit();
    let (late, stuck) = if thanks {
        (false, false)
    } else {
        ((0.80..0.94).contains(&roll), roll >= 0.94)
    };
    if stuck {
        if rng.chance(0.6) {
            life.in_progress_at = Some(assigned + hours(2 + rng.below(30) as i64));
        }
        return life;
    }
    let span = clock.working_between(received, due).max(3600);
    let online =
        sla.rule(channel).answer_after_interim.is_some() && !sla.is_fz59(channel, input.fz59);
    let answered = if online && !thanks && rng.chance(0.3) {
        // An interim answer first, then the final one within 7 working days after it.
        let interim = when(rng, received, span, false).max(assigned);
        life.interim_at = Some(interim);
        let mut text = String::new();
        fill(rng.word(texts::INTERIM_ANSWERS), ctx, rng, &mut text);
        life.interim_text = Some(text);
        let due2 = sla
            .deadlines(
                &reference.calendar,
                &SlaInput {
                    interim_at: Some(interim),
                    ..input
                },
            )
            .ok()
            .and_then(|d| d.answer_due)
            .unwrap_or(interim + Duration::days(7));
        let span2 = clock.working_between(interim, due2).max(3600);
        when(rng, interim, span2, late).max(interim + Duration::minutes(30))
    } else {
        when(rng, received, span, late).max(assigned + Duration::minutes(5))
    };
    if rng.chance(0.5) && answered > assigned + hours(2) {
        life.in_progress_at = Some(assigned + (answered - assigned) / 3);
    }
    life.answered_at = Some(answered);
    if rng.chance(0.55) {
        life.closed_at = Some(answered + hours(6 + rng.below(200) as i64));
    }

    // The answer, the МЦУ's grade and the citizen's rating.
    ctx.date = answered + Duration::days(5 + rng.below(40) as i64);
    let formal = !thanks && rng.chance(if late { 0.35 } else { 0.14 });
    let mut text = String::new();
    if formal {
        text.push_str(rng.word(texts::FORMAL_ANSWERS));
    } else {
        if rng.chance(0.5) {
            text.push_str(rng.word(texts::ANSWER_OPENERS));
            text.push(' ');
        }
        fill(rng.word(topic.answers), ctx, rng, &mut text);
    }
    a.answer = Some(text);
    a.quality = rng.chance(0.8).then_some(if formal {
        Quality::Formal
    } else {
        Quality::Substantive
    });
    if !thanks && rng.chance(0.45) {
        let r = rng.below(10);
        a.rating = Some(match (formal, late) {
            (true, _) => [1, 1, 1, 2, 2, 2, 3, 3, 4, 1][r],
            (false, true) => [2, 3, 3, 4, 4, 5, 3, 4, 2, 4][r],
            (false, false) => [3, 4, 4, 4, 5, 5, 5, 5, 5, 5][r],
        });
    }
    life
}

impl Iterator for Generator {
    type Item = Generated;

    fn next(&mut self) -> Option<Generated> {
        (self.next < self.cfg.count).then(|| self.generate())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.cfg.count - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// The id a source would give the `i`-th appeal of a channel.
fn source_id(channel: Channel, i: u64) -> String {
    match channel {
        Channel::Im => (3_200_000 + i).to_string(),
        Channel::Pos => (12_050_000_000 + i).to_string(),
        Channel::Letter => format!("ОГ-{}", 1_000 + i),
        Channel::Messenger => format!("MSG-{i}"),
        Channel::Page => format!("PG-{i}"),
        Channel::Phone => format!("ТЛФ-{i}"),
        Channel::Other => format!("ДР-{i}"),
    }
}

fn round5(x: f64) -> f64 {
    (x * 100_000.0).round() / 100_000.0
}

/// Puts a full stop after the last sentence unless it already ends with a mark.
fn end_sentence(s: &mut String) {
    if !s.ends_with(['.', '!', '?', '…']) {
        s.push('.');
    }
}

/// What the placeholders of a template stand for.
struct Ctx<'a> {
    place: &'a world::Place,
    centre: &'a world::Place,
    street: u16,
    house: u16,
    recipient: &'a str,
    date: DateTime<Utc>,
    tz: Tz,
}

/// Appends a template with its placeholders filled (see `texts`).
fn fill(template: &str, ctx: &Ctx<'_>, rng: &mut Rng, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open + 1..];
        let Some(close) = tail.find('}') else {
            out.push_str(&rest[open..]);
            return;
        };
        let (street, street_oblique) = texts::STREETS[ctx.street as usize];
        match &tail[..close] {
            "S" => out.push_str(&ctx.place.official),
            "Sg" => out.push_str(&ctx.place.genitive),
            "Sd" => out.push_str(&ctx.place.dative),
            "Sp" => out.push_str(&ctx.place.prepositional),
            "C" => out.push_str(&ctx.centre.official),
            "Cg" => out.push_str(&ctx.centre.genitive),
            "Cp" => out.push_str(&ctx.centre.prepositional),
            "U" => out.push_str(street),
            "Uo" => out.push_str(street_oblique),
            "H" => {
                let _ = write!(out, "{}", ctx.house);
            }
            "K" => {
                let _ = write!(out, "{}", rng.range(2, 4));
            }
            "D" | "N" => {
                let _ = write!(out, "{}", rng.range(5, 20));
            }
            "R" => out.push_str(ctx.recipient),
            "DATE" => {
                let _ = write!(
                    out,
                    "{}",
                    ctx.date.with_timezone(&ctx.tz).format("%d.%m.%Y")
                );
            }
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;

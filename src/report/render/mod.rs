//! The note as a list of blocks (headings, paragraphs, lists, tables, charts), rendered to
//! Markdown, HTML and DOCX: the wording lives once, in [`blocks`].

pub mod docx;
pub mod html;
pub mod md;

use super::charts::Chart;
use super::note::{Delta, Note};
use super::rules::appeals;
use crate::domain::Channel;
use crate::reference::Reference;

/// The geography table shows this many settlements (the most appeals first), then the rest
/// in one line.
pub const TOP_SETTLEMENTS: usize = 10;

/// One block of the note.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    Heading(String),
    /// A heading within a section.
    Subheading(String),
    Para(String),
    Bullets(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
    Chart(Chart),
}

/// The output formats of the note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Docx,
    Md,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Md => "md",
        }
    }

    /// The file's bytes.
    pub fn render(self, note: &Note, reference: &Reference) -> Result<Vec<u8>, String> {
        let b = blocks(note, reference);
        match self {
            Format::Html => html::render(&b).map(String::into_bytes),
            Format::Docx => docx::render(&b),
            Format::Md => Ok(md::render(&b).into_bytes()),
        }
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// «+12 (+25%)», «−3 (−10%)», «+4 (раньше не было)».
pub fn change(d: &Delta) -> String {
    let sign = |v: i64| {
        if v > 0 {
            format!("+{v}")
        } else if v < 0 {
            format!("−{}", -v)
        } else {
            "0".into()
        }
    };
    match d.percent() {
        Some(p) => {
            let p = p.round() as i64;
            format!("{} ({}%)", sign(d.diff()), sign(p))
        }
        None if d.now == 0 => "0".into(),
        None => format!("{} (раньше не было)", sign(d.diff())),
    }
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn channel(k: &str) -> String {
    k.parse::<Channel>()
        .map_or(k.to_string(), |c| c.label_ru().to_string())
}

/// The note's text, section by section. Sections without data say so in one line; section 8
/// (the registers) prints only the parts that have content, and no heading when none has.
pub fn blocks(n: &Note, reference: &Reference) -> Vec<Block> {
    let tz = reference.calendar.timezone();
    let mut b = Vec::new();
    let charts = super::charts::of_note(n);
    let chart = |title: &str| {
        charts
            .iter()
            .find(|c| match c {
                Chart::Bars { title: t, .. } | Chart::Lines { title: t, .. } => t == title,
            })
            .cloned()
    };
    b.push(Block::Title(format!(
        "Аналитическая записка об обращениях граждан за {} — {}",
        date(n.period.from),
        date(n.period.to)
    )));
    b.push(Block::Para(format!(
        "Данные на {}. Сравнение: предыдущий период {} — {}, АППГ {} — {}.",
        n.now.with_timezone(&tz).format("%d.%m.%Y %H:%M"),
        date(n.previous.from),
        date(n.previous.to),
        date(n.year_before.from),
        date(n.year_before.to)
    )));

    // 1.
    let t = &n.totals;
    b.push(Block::Heading("1. Итоги периода".into()));
    b.push(Block::Para(format!(
        "Поступило {}; дан ответ или закрыто {}; открыто {}, из них просрочено {}.",
        appeals(t.received),
        t.answered_or_closed,
        t.stats.open,
        t.stats.overdue
    )));
    if !n.by_channel.is_empty() {
        b.push(Block::Table(
            vec![
                "Канал".into(),
                "Обращений".into(),
                "К пред. периоду".into(),
                "К АППГ".into(),
            ],
            n.by_channel
                .iter()
                .map(|(k, p, y)| vec![channel(k), p.now.to_string(), change(p), change(y)])
                .collect(),
        ));
    }

    // 2.
    b.push(Block::Heading("2. Динамика".into()));
    let prev = Delta::new(t.received, n.previous_totals.received);
    let year = Delta::new(t.received, n.year_before_totals.received);
    b.push(Block::Bullets(vec![
        format!(
            "к предыдущему периоду ({}): {}",
            n.previous_totals.received,
            change(&prev)
        ),
        format!(
            "к тому же периоду прошлого года ({}): {}",
            n.year_before_totals.received,
            change(&year)
        ),
    ]));
    if let Some(c) = chart("Поступление по неделям, по блокам") {
        b.push(Block::Chart(c));
    }

    // 3.
    b.push(Block::Heading("3. Основные темы".into()));
    if n.topics.is_empty() {
        b.push(Block::Para("Обращений за период нет.".into()));
    }
    if !n.hot.is_empty() {
        b.push(Block::Para(format!(
            "Горячие темы последней недели: {}.",
            n.hot
                .iter()
                .take(5)
                .map(|t| format!(
                    "{} — {} против {:.1} в среднем",
                    t.name, t.last_week, t.average
                ))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    for tp in &n.topics {
        let mut lines = Vec::new();
        if !tp.categories.is_empty() {
            lines.push(format!(
                "категории: {}",
                tp.categories
                    .iter()
                    .map(|(c, k)| format!("{c} ({k})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !tp.words.is_empty() {
            lines.push(format!(
                "чаще всего пишут: {}",
                tp.words
                    .iter()
                    .map(|(w, _)| w.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let drv = |label: &str, v: &[super::note::Driver]| {
            (!v.is_empty()).then(|| {
                format!(
                    "{label}: {}",
                    v.iter()
                        .map(|d| format!("{} {}", d.name, change(&d.delta)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        };
        lines.extend(drv("рост в поселениях", &tp.grew_in_settlements));
        lines.extend(drv("рост по категориям", &tp.grew_in_categories));
        lines.extend(drv("рост у ответственных", &tp.grew_at_recipients));
        b.push(Block::Para(format!(
            "{}{} — {}, {} к предыдущему периоду.",
            tp.name,
            if tp.hot {
                " (горячая тема)"
            } else {
                ""
            },
            appeals(tp.delta.now),
            change(&tp.delta)
        )));
        if !lines.is_empty() {
            b.push(Block::Bullets(lines));
        }
    }

    // 4.
    b.push(Block::Heading("4. География".into()));
    if n.settlements.is_empty() {
        b.push(Block::Para("Обращений за период нет.".into()));
    } else {
        b.push(Block::Table(
            vec![
                "Поселение".into(),
                "Обращений".into(),
                "Открыто".into(),
                "Просрочено".into(),
                "Доля просрочки".into(),
            ],
            n.settlements
                .iter()
                .take(TOP_SETTLEMENTS)
                .map(|g| {
                    vec![
                        g.key.clone().unwrap_or_else(|| "(не указано)".into()),
                        g.total.to_string(),
                        g.open.to_string(),
                        g.overdue.to_string(),
                        pct(Some(g.overdue_share)),
                    ]
                })
                .collect(),
        ));
        let rest = n.settlements.get(TOP_SETTLEMENTS..).unwrap_or_default();
        if !rest.is_empty() {
            let total: u32 = rest.iter().map(|g| g.total).sum();
            let overdue: u32 = rest.iter().map(|g| g.overdue).sum();
            b.push(Block::Para(format!(
                "Остальные поселения ({}): {}, просрочено {}.",
                rest.len(),
                appeals(i64::from(total)),
                overdue
            )));
        }
        if let Some(c) = chart("Обращения по поселениям") {
            b.push(Block::Chart(c));
        }
    }

    // 5.
    let tl = &n.timeliness;
    let f = &tl.facts;
    b.push(Block::Heading("5. Сроки и качество ответов".into()));
    b.push(Block::Bullets(vec![
        format!(
            "в срок: {} из {} ({})",
            f.on_time,
            f.answered + f.open_overdue,
            pct(tl.on_time_share)
        ),
        format!(
            "по существу: {} из {} оценённых ({}); формальных ответов (отписок): {}",
            f.substantive,
            f.graded,
            pct(tl.quality_share),
            tl.formal
        ),
        format!(
            "удовлетворённость (оценки 4–5): {} из {} ({})",
            f.good,
            f.rated,
            pct(tl.satisfaction)
        ),
        format!(
            "медиана первого ответа: {}",
            tl.median_first_response_wh
                .map_or("—".into(), |h| format!("{h:.1} р.ч."))
        ),
    ]));
    if !tl.first_response.is_empty() {
        b.push(Block::Table(
            vec![
                "Канал".into(),
                "С нормой первого ответа".into(),
                "В срок".into(),
                "С опозданием".into(),
                "Нет ответа, срок прошёл".into(),
            ],
            tl.first_response
                .iter()
                .map(|c| {
                    vec![
                        channel(&c.channel),
                        c.total.to_string(),
                        c.on_time.to_string(),
                        c.late.to_string(),
                        c.missing_overdue.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    if !tl.formal_examples.is_empty() {
        b.push(Block::Para("Примеры формальных ответов:".into()));
        b.push(Block::Bullets(
            tl.formal_examples
                .iter()
                .map(|x| {
                    format!(
                        "«{}» — {}, {}",
                        x.answer,
                        x.recipient.as_deref().unwrap_or("не назначено"),
                        x.key
                    )
                })
                .collect(),
        ));
    }
    if !tl.targets.is_empty() {
        b.push(Block::Table(
            vec![
                "Целевой показатель".into(),
                "Где".into(),
                "Цель".into(),
                "Факт".into(),
                "Итог".into(),
            ],
            tl.targets
                .iter()
                .map(|l| {
                    let share = matches!(
                        l.indicator,
                        crate::domain::targets::Indicator::OnTimeShare
                            | crate::domain::targets::Indicator::QualityShare
                            | crate::domain::targets::Indicator::Satisfaction
                    );
                    let show = |v: f64| {
                        if share {
                            pct(Some(v))
                        } else {
                            format!("{v:.1}")
                        }
                    };
                    vec![
                        l.label.clone(),
                        l.block.as_deref().map_or("весь округ".into(), |x| {
                            reference.blocks.name_of(x).to_string()
                        }),
                        match (l.min, l.max) {
                            (Some(m), _) => format!("≥ {}", show(m)),
                            (None, Some(m)) => format!("≤ {}", show(m)),
                            _ => String::new(),
                        },
                        l.actual.map_or("—".into(), show),
                        match l.met {
                            Some(true) => "выполнен".into(),
                            Some(false) => "не выполнен".into(),
                            None => "нет данных".into(),
                        },
                    ]
                })
                .collect(),
        ));
    }

    // 6.
    b.push(Block::Heading("6. Рейтинг ответственных".into()));
    if n.ranking.is_empty() {
        b.push(Block::Para(
            "Ни у одного ответственного нет достаточного числа обращений за период.".into(),
        ));
    } else {
        b.push(Block::Table(
            vec![
                "Место".into(),
                "Ответственный".into(),
                "Балл".into(),
                "Обращений".into(),
                "В срок".into(),
                "По существу".into(),
                "Оценки 4–5".into(),
                "Пред. место".into(),
            ],
            n.ranking
                .iter()
                .map(|r| {
                    vec![
                        r.rank.to_string(),
                        r.recipient.clone(),
                        format!("{:.1}", r.score),
                        r.volume.to_string(),
                        pct(r.timeliness),
                        pct(r.quality),
                        pct(r.satisfaction),
                        r.prev_rank.map_or("—".into(), |p| p.to_string()),
                    ]
                })
                .collect(),
        ));
        if let Some(c) = chart("Доля ответов в срок по ответственным")
        {
            b.push(Block::Chart(c));
        }
        if !n.red_zone.is_empty() {
            b.push(Block::Para("«Красная зона»:".into()));
            b.push(Block::Bullets(
                n.red_zone
                    .iter()
                    .map(|z| {
                        let mut why = Vec::new();
                        if z.bottom {
                            why.push(format!("{} место из {}", z.row.rank, n.ranking.len()));
                        }
                        if !z.short_of.is_empty() {
                            why.push(format!("не достигнуто: {}", z.short_of.join(", ")));
                        }
                        format!("{} — {}; {}", z.row.recipient, why.join("; "), z.why)
                    })
                    .collect(),
            ));
        }
    }

    // 7.
    b.push(Block::Heading("7. Конфликты и ошибки коммуникации".into()));
    if n.conflicts.is_empty() && n.repeats == 0 {
        b.push(Block::Para(
            "Конфликтов, переоткрытых обращений и формальных ответов за период нет.".into(),
        ));
    } else {
        b.push(Block::Para(format!(
            "Повторных обращений (дублей): {}.",
            n.repeats
        )));
        if !n.conflicts.is_empty() {
            b.push(Block::Table(
                vec![
                    "Ответственный".into(),
                    "Обращений".into(),
                    "Конфликты".into(),
                    "Переоткрыто".into(),
                    "Отписки".into(),
                    "Повторные".into(),
                ],
                n.conflicts
                    .iter()
                    .map(|c| {
                        vec![
                            c.recipient.clone(),
                            c.appeals.to_string(),
                            c.conflicts.to_string(),
                            c.reopened.to_string(),
                            c.formal.to_string(),
                            c.repeats.to_string(),
                        ]
                    })
                    .collect(),
            ));
        }
    }

    // 8: the registers, only what has content.
    registers(&mut b, &n.registers);

    // 9.
    b.push(Block::Heading("Рекомендации".into()));
    if n.recommendations.is_empty() {
        b.push(Block::Para("Показатели не требуют отдельных мер.".into()));
    } else {
        b.push(Block::Bullets(
            n.recommendations
                .iter()
                .map(|r| format!("{} ({}).", r.text, r.figure))
                .collect(),
        ));
    }
    b
}

/// Section 8: official pages, roadmaps, votes — each part only when it has content, and no
/// heading at all when none has.
fn registers(b: &mut Vec<Block>, r: &super::registers::Registers) {
    if r.is_empty() {
        return;
    }
    // The heading names only the parts that follow.
    let parts: Vec<&str> = [
        (r.pages.is_some(), "официальные страницы"),
        (!r.roadmaps.is_empty(), "дорожные карты"),
        (!r.votes.is_empty(), "голосования и обсуждения"),
    ]
    .into_iter()
    .filter_map(|(has, name)| has.then_some(name))
    .collect();
    let title = parts.join(", ");
    let mut chars = title.chars();
    let title: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    b.push(Block::Heading(format!("8. {title}")));
    if let Some(p) = &r.pages {
        b.push(Block::Subheading("Официальные страницы".into()));
        b.push(Block::Para(format!(
            "Страниц в реестре: {}; с замечаниями: {}.",
            p.pages, p.with_findings
        )));
        if !p.by_check.is_empty() {
            b.push(Block::Table(
                vec!["Проверка".into(), "Код".into(), "Страниц".into()],
                p.by_check
                    .iter()
                    .map(|c| vec![c.name.to_string(), c.id.to_string(), c.pages.to_string()])
                    .collect(),
            ));
        }
        if !p.worst.is_empty() {
            b.push(Block::Para("Страницы с наибольшими замечаниями:".into()));
            b.push(Block::Table(
                vec!["Орган".into(), "Страница".into(), "Замечания".into()],
                p.worst
                    .iter()
                    .take(super::registers::WORST_PAGES)
                    .map(|l| {
                        vec![
                            l.body.clone(),
                            l.url.clone(),
                            l.findings
                                .iter()
                                .map(|f| f.reason.as_str())
                                .collect::<Vec<_>>()
                                .join("; "),
                        ]
                    })
                    .collect(),
            ));
        }
    }
    if !r.roadmaps.is_empty() {
        b.push(Block::Subheading("Дорожные карты".into()));
        b.push(Block::Table(
            vec![
                "Дорожная карта".into(),
                "Статус".into(),
                "Мероприятия".into(),
                "Просрочено".into(),
                "До начала, в месяц".into(),
                "С начала, по месяцам".into(),
                "Цель".into(),
            ],
            r.roadmaps
                .iter()
                .map(|m| {
                    vec![
                        format!("№{} {}", m.id, m.title),
                        m.status.to_string(),
                        format!("{} из {}", m.progress.done, m.progress.total),
                        m.progress.overdue.to_string(),
                        format!("{:.1}", m.before_avg),
                        m.after_text(),
                        m.verdict.clone(),
                    ]
                })
                .collect(),
        ));
        let overdue: Vec<String> = r
            .roadmaps
            .iter()
            .filter(|m| !m.overdue_measures.is_empty())
            .map(|m| format!("«{}»: {}", m.title, m.overdue_measures.join("; ")))
            .collect();
        if !overdue.is_empty() {
            b.push(Block::Para("Просроченные мероприятия:".into()));
            b.push(Block::Bullets(overdue));
        }
    }
    if !r.votes.is_empty() {
        b.push(Block::Subheading("Голосования и обсуждения".into()));
        b.push(Block::Table(
            vec![
                "Тема".into(),
                "Вид".into(),
                "Участников".into(),
                "Голосов".into(),
                "Лидирует".into(),
                "Комментариев".into(),
            ],
            r.votes
                .iter()
                .map(|v| {
                    vec![
                        v.title.clone(),
                        v.kind.to_string(),
                        v.participants.map_or("—".into(), |p| p.to_string()),
                        v.votes_cast.to_string(),
                        v.leader
                            .as_ref()
                            .map_or("—".into(), |(o, s)| format!("{o} ({:.1} %)", s * 100.0)),
                        v.comments.to_string(),
                    ]
                })
                .collect(),
        ));
    }
}

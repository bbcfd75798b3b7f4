//! `L` on the screens that show appeals: link the current or the marked appeals to a roadmap,
//! chosen by a fuzzy chooser, or to a new roadmap made from them («Новая дорожная карта из
//! обращения»: the title prefilled from the appeal, its block and settlements taken from the
//! appeals).

use super::{Env, link_to};
use crate::domain::roadmap::RoadmapStatus;
use crate::store::StoreError;
use crate::store::roadmaps::NewRoadmap;
use crate::tui::popup::{Chooser, Input, Item, Popup, Purpose};
use crate::tui::screens::Effect;

/// The chooser's value for «a new roadmap from the appeal».
pub const NEW: &str = "new";

/// The longest title prefilled from an appeal's text, in characters.
const TITLE_CHARS: usize = 60;

/// Opens the chooser of roadmaps for these appeals; the one in front of the officer (`current`),
/// when among them, comes first (a new roadmap's title is prefilled from it).
pub fn start(mut targets: Vec<i64>, current: Option<i64>, env: &mut Env) -> Result<(), StoreError> {
    if let Some(i) = current.and_then(|c| targets.iter().position(|t| *t == c)) {
        let c = targets.remove(i);
        targets.insert(0, c);
    }
    if targets.is_empty() {
        env.say("Нет выбранного обращения", true);
        return Ok(());
    }
    let mut roadmaps = env.store.roadmaps()?;
    // The ones still worked on first; finished ones can still take an appeal.
    roadmaps.sort_by_key(|r| {
        (
            matches!(r.status, RoadmapStatus::Done | RoadmapStatus::Cancelled),
            r.id,
        )
    });
    let mut items: Vec<Item> = roadmaps
        .iter()
        .map(|r| Item {
            value: r.id.to_string(),
            label: format!("№{} {} ({})", r.id, r.title, r.status.label_ru()),
        })
        .collect();
    items.push(Item {
        value: NEW.into(),
        label: if targets.len() == 1 {
            "Новая дорожная карта из обращения".into()
        } else {
            "Новая дорожная карта из обращений".into()
        },
    });
    let what = match targets.as_slice() {
        [one] => format!("обращение №{one}"),
        many => crate::domain::wording::count(many.len() as u64, crate::domain::wording::APPEALS),
    };
    env.open(Popup::Chooser(Chooser::new(
        format!("Связать {what} с дорожной картой (начните вводить название)"),
        items,
        Purpose::LinkRoadmap(targets),
    )));
    Ok(())
}

/// A roadmap was chosen (or «new»).
pub(super) fn chosen(env: &mut Env, ids: &[i64], value: &str) -> Result<(), StoreError> {
    if value == NEW {
        let title = ids
            .first()
            .and_then(|id| env.store.get(*id).ok().flatten())
            .filter(|a| env.grants.may_see(a))
            .map(|a| prefill(&a.text))
            .unwrap_or_default();
        env.open(Popup::Input(
            Input::new(
                "Новая дорожная карта: название (Enter — создать и связать)",
                false,
                Purpose::NewRoadmapFrom(ids.to_vec()),
            )
            .with_text(&title),
        ));
        return Ok(());
    }
    match value.parse::<i64>() {
        Ok(id) => link_to(env, id, ids),
        Err(_) => Ok(()),
    }
}

/// The title prefilled from an appeal's text: its first line, cut at a word.
fn prefill(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= TITLE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(TITLE_CHARS).collect();
    match cut.rfind(' ') {
        Some(i) if i > 0 => cut[..i].trim_end_matches([',', '.', ';', ':']).to_string(),
        _ => cut,
    }
}

/// Creates a roadmap titled `title` with the block of the first appeal and the settlements of
/// them all, and links them.
pub(super) fn create_from(env: &mut Env, ids: &[i64], title: &str) -> Result<(), StoreError> {
    if title.trim().is_empty() {
        env.say("Без названия дорожная карта не создана", true);
        return Ok(());
    }
    let mut block = None;
    let mut settlements: Vec<String> = Vec::new();
    for id in ids {
        if let Some(a) = env.store.get(*id)? {
            if block.is_none() {
                block = a.block.clone();
            }
            if let Some(s) = a.settlement
                && !settlements.contains(&s)
            {
                settlements.push(s);
            }
        }
    }
    let new = NewRoadmap {
        title: title.trim().to_string(),
        block,
        settlements,
        ..Default::default()
    };
    // One write: the roadmap and its links, through the write queue.
    let ids = ids.to_vec();
    super::write(
        env,
        "новая дорожная карта".into(),
        Effect::Saved,
        move |store, actor, now| {
            let id = store.add_roadmap(&new, actor, now)?;
            let n = store.link_appeals(id, &ids, actor, now)?;
            Ok(format!(
                "Дорожная карта №{id} создана. {}",
                super::linked_text(id, n)
            ))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::prefill;

    #[test]
    fn the_title_is_the_first_line_cut_at_a_word() {
        assert_eq!(prefill("Яма у моста\nвторая строка"), "Яма у моста");
        let long = "На улице Школьной в селе Юксары опять огромные ямы, машины бьют колёса и никто не чинит";
        let t = prefill(long);
        assert!(t.chars().count() <= 60, "{t}");
        assert!(
            long.starts_with(&t) && !t.ends_with(' ') && !t.ends_with(','),
            "{t}"
        );
    }
}

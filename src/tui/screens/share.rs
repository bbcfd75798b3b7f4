//! Opening and copying what the officer sees (`o`, `y`), through the terminal so it works over
//! SSH (`tui::links`): `o` shows the appeal's source address in the status line as an OSC 8 link
//! (the detail shows it as one too); `y` asks what to copy — the number, the address or the text —
//! and puts it on the clipboard with OSC 52. The text is the one the officer may see (personal
//! data masked for those who may not).

use super::Env;
use crate::domain::Appeal;
use crate::domain::access::redact;
use crate::store::StoreError;
use crate::tui::popup::{Chooser, Item, Popup, Purpose};

/// `o`: the source address as a link.
pub fn open_link(current: Option<&Appeal>, env: &mut Env) {
    let Some(a) = current else {
        env.say("Нет выбранного обращения", true);
        return;
    };
    match &a.url {
        Some(url) => env.say(
            format!(
                "Источник №{}: {url} — ссылка открывается щелчком (Ctrl/⌘)",
                a.id
            ),
            false,
        ),
        None => env.say(
            format!("У обращения №{} нет ссылки на источник", a.id),
            true,
        ),
    }
}

/// `y`: the chooser of what to copy.
pub fn copy(current: Option<&Appeal>, env: &mut Env) {
    let Some(a) = current else {
        env.say("Нет выбранного обращения", true);
        return;
    };
    let mut items = vec![Item {
        value: "id".into(),
        label: format!("Номер: №{}", a.id),
    }];
    if a.url.is_some() {
        items.push(Item {
            value: "url".into(),
            label: "Ссылку на источник".into(),
        });
    }
    items.push(Item {
        value: "text".into(),
        label: "Текст обращения".into(),
    });
    env.open(Popup::Chooser(Chooser::new(
        "Копировать в буфер обмена",
        items,
        Purpose::Copy(a.id),
    )));
}

/// What to copy was chosen: the bytes go to the terminal.
pub fn copied(id: i64, what: &str, env: &mut Env) -> Result<(), StoreError> {
    let Some(a) = env.store.get(id)?.filter(|a| env.grants.may_see(a)) else {
        env.say(format!("Нет обращения «{id}»"), true);
        return Ok(());
    };
    let shown = redact(&a, &env.grants);
    let (text, said) = match what {
        "id" => (id.to_string(), format!("номер №{id}")),
        "url" => match shown.url.clone() {
            Some(u) => (u, "ссылка на источник".into()),
            None => {
                env.say(format!("У обращения №{id} нет ссылки на источник"), true);
                return Ok(());
            }
        },
        _ => (shown.text.clone(), format!("текст обращения №{id}")),
    };
    env.emit(&crate::tui::links::osc52(&text));
    env.say(format!("Скопировано в буфер обмена: {said}"), false);
    Ok(())
}

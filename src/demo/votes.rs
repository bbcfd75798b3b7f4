//! The demo's votes: two ПОС consultations of the made-up okrug — a finished vote on which yard
//! to improve, with comments that become appeals, and a survey still open — written as the
//! export a ПОС administrator saves (CSV, `;`, Russian headers) and imported through
//! `mcu votes import`'s own path, so the register, its audit and the comments' appeals are what
//! a real import makes.

use chrono::{DateTime, Duration, Utc};

use super::DemoError;
use crate::ingest::votes::import_votes;
use crate::store::{Actor, Store};
use crate::workspace::Workspace;

/// The comments left in the yard vote (no names: made-up voices of the okrug).
pub const COMMENTS: &[&str] = &[
    "Во дворе на Школьной улице после дождя огромная лужа, дети ходят по колено в воде — \
     сделайте сначала ливнёвку",
    "Проголосовала за сквер, но там нет освещения: вечером страшно идти, поставьте фонари",
    "Детская площадка у ДК сломана, качели висят на одной цепи, это опасно",
];

/// Writes the export to `processed/` and imports it as `mcu-demo`, at `now`. The comments'
/// appeals are left for the demo's final auto-triage.
pub fn fill(ws: &Workspace, store: &mut Store, now: DateTime<Utc>) -> Result<(), DemoError> {
    let tz = store.reference().calendar.timezone();
    let day = |d: i64| {
        (now - Duration::days(d))
            .with_timezone(&tz)
            .format("%d.%m.%Y")
            .to_string()
    };
    let settlement = "пгт Ольховка";
    let mut csv = String::from(
        "Номер голосования;Название;Вид;Дата начала;Дата окончания;Населённый пункт;\
         Вариант ответа;Голосов;Участников;Комментарий\n",
    );
    let vote = "ПОС-ГЛС-2026-014";
    let title = "Какую общественную территорию благоустроить в 2027 году";
    let options = [
        ("Сквер у районного Дома культуры", 412),
        ("Набережная реки Ольховки", 388),
        ("Двор на Школьной улице, 5–9", 171),
        ("Детская площадка у ДК", 96),
    ];
    for (i, (o, n)) in options.iter().enumerate() {
        if i == 0 {
            csv += &format!(
                "{vote};{title};Голосование;{};{};{settlement};{o};{n};903;\n",
                day(40),
                day(10)
            );
        } else {
            csv += &format!("{vote};;;;;;{o};{n};;\n");
        }
    }
    for c in COMMENTS {
        csv += &format!("{vote};;;;;;;;;{c}\n");
    }
    let survey = "ПОС-ОПР-2026-031";
    for (i, (o, n)) in [
        ("Раз в неделю", 64),
        ("Два раза в неделю", 121),
        ("Ежедневно летом", 47),
    ]
    .iter()
    .enumerate()
    {
        if i == 0 {
            csv += &format!(
                "{survey};Как часто вывозить мусор с контейнерных площадок;Опрос;{};;\
                 {settlement};{o};{n};214;\n",
                day(6)
            );
        } else {
            csv += &format!("{survey};;;;;;{o};{n};;\n");
        }
    }
    let path = ws.processed().join("голосования-пос.csv");
    crate::workspace::write_file(&path, csv.as_bytes()).map_err(|source| DemoError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let actor = Actor::new("mcu-demo", "import:голосования-пос.csv");
    import_votes(store, None, &path, &actor, now)
        .map_err(|e| DemoError::Other(format!("demo votes: {e}")))?;
    Ok(())
}

//! The registers' screens, opened by name: `:roadmaps`, `:pages`, `:votes`, `:templates` and the
//! `screen NAME` action a key may be bound to; also `:reports`, `:hot`, `:targets`, `:conflicts`.

use super::Env;
use crate::store::StoreError;

/// Opens the screen named `name` over the current one; `false` when there is no such screen.
pub fn open(name: &str, env: &mut Env) -> Result<bool, StoreError> {
    match name {
        "pages" => {
            let s = super::pages::PagesScreen::new(env)?;
            env.push_screen(Box::new(s));
        }
        "roadmaps" => env.push_screen(Box::new(super::roadmaps::RoadmapList::default())),
        "templates" => env.push_screen(Box::new(super::templates::TemplatesScreen::new())),
        "votes" => env.push_screen(Box::new(super::votes::VotesList::default())),
        "reports" | "отчёты" => {
            let s = super::reports::Reports::open(env);
            env.push_screen(Box::new(s));
        }
        _ => match super::analytics::Kind::from_name(name) {
            Some(kind) => {
                let s = super::analytics::AnalyticsScreen::open(kind, env)?;
                env.push_screen(Box::new(s));
            }
            None => return Ok(false),
        },
    }
    Ok(true)
}

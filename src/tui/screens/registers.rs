//! The registers' screens, opened by name: `:roadmaps`, `:pages`, `:votes`, `:templates` and the
//! `screen NAME` action a key may be bound to.

use super::Env;
use crate::store::StoreError;

/// Opens the screen named `name` over the current one; `false` when there is no such screen.
pub fn open(name: &str, env: &mut Env) -> Result<bool, StoreError> {
    // Each register's screen adds its arm here: `"roadmaps" => env.push_screen(…)`.
    match name {
        "pages" => {
            let s = super::pages::PagesScreen::new(env)?;
            env.push_screen(Box::new(s));
            Ok(true)
        }
        _ => Ok(false),
    }
}

//! Adding and editing the workspace's answer templates (`templates.toml`): the file is written
//! atomically (a temporary file renamed over it) and every change is recorded in the audit trail
//! as register `template`, entry [`Template::entry_id`], through `Store::write_register`
//! (action `KeepRegisters`). The shipped file is never written: editing a shipped template puts
//! its edited copy into the workspace file, where it replaces the shipped one.

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::domain::access::Action;
use crate::domain::templates::{Origin, Template, TemplatesFile, validate};
use crate::store::{Actor, Store, StoreError};

/// The register name of templates in the audit trail.
pub const REGISTER: &str = "template";

/// A change of the templates.
#[derive(Debug, Clone)]
pub enum TemplateChange {
    /// A new template (its id must not exist yet).
    Add(Template),
    /// A new text for a template.
    Text { id: String, text: String },
}

/// Applies a change to the workspace file at `file` and audits it; the template as it now is.
pub fn save(
    store: &mut Store,
    actor: &Actor,
    now: DateTime<Utc>,
    file: &Path,
    change: TemplateChange,
) -> Result<Template, StoreError> {
    let blocks = store.reference().blocks.clone();
    let invalid = |e: super::ReferenceError| StoreError::Invalid(e.to_string());
    let layered = super::Reference::load_templates(Some(file), &blocks).map_err(invalid)?;
    let shown = file.display().to_string();
    let mut ws = match std::fs::read_to_string(file) {
        Ok(s) => TemplatesFile::parse(&s, &shown, &blocks)
            .map_err(|e| StoreError::Invalid(e.to_string()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => TemplatesFile::default(),
        Err(e) => return Err(StoreError::Invalid(format!("{shown}: {e}"))),
    };
    let (old, mut new) = match change {
        TemplateChange::Add(t) => {
            if layered.get(&t.id).is_some() {
                return Err(StoreError::Invalid(format!(
                    "a template «{}» exists already (mcu templates edit changes it)",
                    t.id
                )));
            }
            (None, t)
        }
        TemplateChange::Text { id, text } => {
            let Some(t) = layered.get(&id) else {
                return Err(StoreError::NotFound(format!("no template «{id}»")));
            };
            let mut new = t.clone();
            new.text = text;
            (Some(t.clone()), new)
        }
    };
    validate(&new, &blocks)
        .map_err(|w| StoreError::Invalid(format!("template «{}»: {w}", new.id)))?;
    new.origin = Origin::Workspace;
    match ws.template.iter_mut().find(|t| t.id == new.id) {
        Some(t) => *t = new.clone(),
        None => ws.template.push(new.clone()),
    }
    let toml = ws
        .to_toml()
        .map_err(|e| StoreError::Invalid(format!("{shown}: {e}")))?;
    let entry = new.entry_id();
    store.write_register(Action::KeepRegisters, actor, now, |w| {
        match &old {
            None => w.record_created(
                REGISTER,
                entry,
                &[
                    ("id", Some(new.id.clone())),
                    ("title", new.title.clone()),
                    ("kind", Some(new.kind.id().to_string())),
                    ("block", new.block.clone()),
                    ("category", new.category.clone()),
                    ("status", new.status.map(|s| s.id().to_string())),
                    ("text", Some(new.text.clone())),
                ],
            )?,
            Some(o) => w.record(
                REGISTER,
                entry,
                &[("text", Some(o.text.clone()), Some(new.text.clone()))],
            )?,
        }
        // Last: a file that cannot be written leaves no audit entry behind.
        write_atomically(file, &toml).map_err(|e| StoreError::Invalid(format!("{shown}: {e}")))
    })?;
    Ok(new)
}

/// Writes `text` to `path` through a temporary file beside it, renamed over it: a reader sees
/// the old file or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    crate::workspace::write_file(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone;

    use super::*;
    use crate::domain::access::{Grants, Role};
    use crate::domain::templates::Kind;

    fn store() -> Store {
        Store::open_in_memory(Arc::new(
            super::super::Reference::embedded().expect("reference"),
        ))
        .expect("store")
    }

    fn template(id: &str) -> Template {
        Template {
            id: id.into(),
            title: None,
            kind: Kind::Final,
            block: None,
            category: None,
            status: None,
            text: "Сделано {date}.".into(),
            origin: Origin::Workspace,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
    }

    #[test]
    fn an_operator_without_keep_registers_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("templates.toml");
        let mut s = store();
        let observer = Actor::operator(Grants::new("o", vec![Role::Observer], vec![]), "cli");
        let e = save(
            &mut s,
            &observer,
            now(),
            &file,
            TemplateChange::Add(template("t1")),
        )
        .expect_err("denied");
        assert!(matches!(e, StoreError::Denied(_)), "{e}");
        assert!(!file.exists());
        let coordinator = Actor::operator(Grants::new("c", vec![Role::Coordinator], vec![]), "cli");
        save(
            &mut s,
            &coordinator,
            now(),
            &file,
            TemplateChange::Add(template("t1")),
        )
        .expect("a coordinator keeps the registers");
        let history = s
            .register_history(REGISTER, crate::domain::templates::entry_id("t1"))
            .expect("history");
        assert_eq!(history[0].field, "created");
        assert!(history.iter().any(|e| e.field == "text"));
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_no_audit_entry() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("missing").join("templates.toml");
        let mut s = store();
        let head = Actor::operator(Grants::new("h", vec![Role::Head], vec![]), "cli");
        let e = save(
            &mut s,
            &head,
            now(),
            &file,
            TemplateChange::Add(template("t2")),
        )
        .expect_err("no folder");
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        let history = s
            .register_history(REGISTER, crate::domain::templates::entry_id("t2"))
            .expect("history");
        assert!(history.is_empty(), "{history:?}");
    }
}

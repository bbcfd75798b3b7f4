//! `mcu templates list|show|add|edit` (answer templates) and `mcu answers check` (the
//! formal-reply check).

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::output::print_json;
use super::{CmdResult, Failure, usage};
use crate::domain::access::{Grants, redact};
use crate::domain::answers::{Checker, Verdict};
use crate::domain::templates::{Kind, Template, Templates, Values, fill};
use crate::domain::{Appeal, Blocks, Status};
use crate::reference::Reference;
use crate::reference::templates::{TemplateChange, save};
use crate::store::{Actor, Store};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    action: TemplatesAction,
}

#[derive(Subcommand, Debug)]
enum TemplatesAction {
    /// The templates in force (shipped and the workspace's), with kind and scope
    List {
        /// Only the templates that fit this appeal (number or channel:id), most specific first
        #[arg(long = "for", value_name = "APPEAL")]
        for_appeal: Option<String>,
        /// Only this kind (interim or final)
        #[arg(long, value_name = "KIND")]
        kind: Option<Kind>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// One template; with --for, its text filled for that appeal
    Show {
        id: String,
        /// The appeal whose values fill the placeholders (number or channel:id)
        #[arg(long = "for", value_name = "APPEAL")]
        for_appeal: Option<String>,
        /// The date {date} stands for (default: now)
        #[arg(long, value_name = "TS")]
        now: Option<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Add a template to the workspace's templates.toml (audited)
    Add {
        /// Its id: latin letters, digits, `_`, `-`
        id: String,
        /// interim or final
        #[arg(long, value_name = "KIND")]
        kind: Kind,
        /// The text, with placeholders such as {settlement}, {deadline}, {responsible}
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// Only for appeals of this block (an id or a Russian name)
        #[arg(long, value_name = "B")]
        block: Option<String>,
        /// Only for appeals of this source category
        #[arg(long, value_name = "C")]
        category: Option<String>,
        /// Only for appeals in this status
        #[arg(long, value_name = "S")]
        status: Option<Status>,
        /// A short title shown in the chooser
        #[arg(long, value_name = "TITLE")]
        title: Option<String>,
        /// The time recorded for the change (default: now)
        #[arg(long, value_name = "TS")]
        now: Option<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Change a template's text (a shipped one is copied into the workspace file; audited)
    Edit {
        id: String,
        #[arg(long, value_name = "TEXT")]
        text: String,
        /// The time recorded for the change (default: now)
        #[arg(long, value_name = "TS")]
        now: Option<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

/// The JSON view of a template.
pub fn template_json(t: &Template, blocks: &Blocks) -> Value {
    json!({
        "id": t.id,
        "entry": t.entry_id(),
        "title": t.title,
        "kind": t.kind.id(),
        "block": t.block,
        "category": t.category,
        "status": t.status.map(|s| s.id()),
        "scope": t.scope_ru(blocks),
        "origin": t.origin,
        "text": t.text,
    })
}

/// The appeal an officer names, if they may see it.
fn visible_appeal(store: &Store, grants: &Grants, r: &str) -> Result<Appeal, Failure> {
    let a = store.find(r)?;
    if !grants.may_see(&a) {
        return Err(Failure {
            code: 1,
            message: format!("no appeal «{r}»"),
        });
    }
    Ok(a)
}

/// A template's text filled for an appeal, as the operator may see it.
pub fn filled(
    t: &Template,
    a: &Appeal,
    reference: &Reference,
    grants: &Grants,
    now: DateTime<Utc>,
) -> Result<String, String> {
    fill(
        &t.text,
        &Values {
            appeal: a,
            blocks: &reference.blocks,
            tz: reference.calendar.timezone(),
            now,
            personal_data: grants.may_see_personal_data(a),
        },
    )
}

pub fn templates(ws: &Workspace, a: TemplatesArgs) -> CmdResult {
    let (mut store, grants) = super::session(ws)?;
    let reference = store.reference().clone();
    let tz = reference.calendar.timezone();
    let all: &Templates = &reference.templates;
    let file = reference
        .templates_file
        .clone()
        .unwrap_or_else(|| ws.root().join("templates.toml"));
    match a.action {
        TemplatesAction::List {
            for_appeal,
            kind,
            json,
        } => {
            let list: Vec<&Template> = match &for_appeal {
                Some(r) => all.fitting(&visible_appeal(&store, &grants, r)?, kind),
                None => all
                    .list
                    .iter()
                    .filter(|t| kind.is_none_or(|k| t.kind == k))
                    .collect(),
            };
            if json {
                print_json(&Value::Array(
                    list.iter()
                        .map(|t| template_json(t, &reference.blocks))
                        .collect(),
                ))?;
            } else {
                for t in list {
                    println!(
                        "{:<20} {:<13} {:<40} {}",
                        t.id,
                        t.kind.label_ru(),
                        t.label(),
                        t.scope_ru(&reference.blocks)
                    );
                }
            }
        }
        TemplatesAction::Show {
            id,
            for_appeal,
            now,
            json,
        } => {
            let now = super::instant(now.as_deref(), tz, "--now")?;
            let t = all.get(&id).ok_or_else(|| Failure {
                code: 1,
                message: format!("no template «{id}» (mcu templates list shows them)"),
            })?;
            let text = match &for_appeal {
                Some(r) => {
                    let appeal = visible_appeal(&store, &grants, r)?;
                    Some(filled(t, &appeal, &reference, &grants, now).map_err(usage)?)
                }
                None => None,
            };
            if json {
                let mut v = template_json(t, &reference.blocks);
                v["filled"] = json!(text);
                print_json(&v)?;
            } else {
                match text {
                    Some(text) => println!("{text}"),
                    None => {
                        println!("{} — {} ({})", t.id, t.label(), t.kind.label_ru());
                        println!("Для: {}", t.scope_ru(&reference.blocks));
                        println!();
                        println!("{}", t.text);
                    }
                }
            }
        }
        TemplatesAction::Add {
            id,
            kind,
            text,
            block,
            category,
            status,
            title,
            now,
            json,
        } => {
            let now = super::instant(now.as_deref(), tz, "--now")?;
            let block = match block {
                Some(b) => Some(
                    reference
                        .blocks
                        .resolve(&b)
                        .ok_or_else(|| {
                            usage(format!(
                                "--block: unknown block «{b}» (known: {})",
                                reference.blocks.ids()
                            ))
                        })?
                        .id
                        .clone(),
                ),
                None => None,
            };
            let t = Template {
                id,
                title,
                kind,
                block,
                category,
                status,
                text,
                origin: Default::default(),
            };
            let actor = Actor::operator(grants.clone(), "cli");
            let saved = save(&mut store, &actor, now, &file, TemplateChange::Add(t))?;
            report(&saved, &reference.blocks, json, "added")?;
        }
        TemplatesAction::Edit {
            id,
            text,
            now,
            json,
        } => {
            let now = super::instant(now.as_deref(), tz, "--now")?;
            let actor = Actor::operator(grants.clone(), "cli");
            let saved = save(
                &mut store,
                &actor,
                now,
                &file,
                TemplateChange::Text { id, text },
            )?;
            report(&saved, &reference.blocks, json, "changed")?;
        }
    }
    Ok(0)
}

fn report(t: &Template, blocks: &Blocks, json: bool, what: &str) -> Result<(), Failure> {
    if json {
        print_json(&template_json(t, blocks))
    } else {
        println!(
            "template {} {what} (audit entry: template {})",
            t.id,
            t.entry_id()
        );
        Ok(())
    }
}

#[derive(Args, Debug)]
pub struct AnswersArgs {
    #[command(subcommand)]
    action: AnswersAction,
}

#[derive(Subcommand, Debug)]
enum AnswersAction {
    /// Run the formal-reply («отписка») check on a text or on an appeal's final answer
    Check {
        /// The answer's text
        #[arg(
            long,
            value_name = "TEXT",
            conflicts_with = "appeal",
            required_unless_present = "appeal"
        )]
        text: Option<String>,
        /// The appeal whose answer is checked (its final answer, else its interim one)
        #[arg(long, value_name = "APPEAL")]
        appeal: Option<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

/// The JSON view of the check's proposal.
pub fn verdict_json(v: &Verdict) -> Value {
    json!({
        "grade": v.grade.id(),
        "reasons": v.reasons,
        "found": v.found,
    })
}

/// The check's proposal in one line, for the command line.
pub fn verdict_line(v: &Verdict) -> String {
    let found = v
        .found
        .iter()
        .map(|r| r.reason.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match (v.reasons.is_empty(), found.is_empty()) {
        (true, _) => format!("{}: {found}", v.grade.label_ru()),
        (false, true) => format!("{}: {}", v.grade.label_ru(), v.reasons_ru()),
        (false, false) => format!("{}: {}; {found}", v.grade.label_ru(), v.reasons_ru()),
    }
}

pub fn answers(ws: &Workspace, a: AnswersArgs) -> CmdResult {
    let AnswersAction::Check { text, appeal, json } = a.action;
    let checker = {
        let reference = ws.reference()?;
        Checker::new(reference.templates.check.min_words)
    };
    let text = match (text, appeal) {
        (Some(t), _) => t,
        (None, Some(r)) => {
            let (store, grants) = super::session(ws)?;
            let found = visible_appeal(&store, &grants, &r)?;
            let shown = redact(&found, &grants);
            shown
                .answer
                .or(shown.interim_answer)
                .ok_or_else(|| Failure {
                    code: 1,
                    message: format!("appeal «{r}» has no answer text to check"),
                })?
        }
        (None, None) => return Err(usage("give --text or --appeal")),
    };
    let v = checker.check(&text);
    if json {
        print_json(&verdict_json(&v))?;
    } else {
        println!("{}", verdict_line(&v));
    }
    Ok(0)
}

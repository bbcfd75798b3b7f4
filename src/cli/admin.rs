//! `mcu operator` (who may use the workspace) and `mcu audit` (the trail of every change).

use chrono::{Days, Utc};
use clap::{Args, Subcommand};
use serde_json::json;

use super::output::{print_json, short};
use super::{CmdResult, Failure, date_arg, day_start, require, session, usage};
use crate::domain::access::Role;
use crate::store::{AuditFilter, Event, KeptHead};
use crate::workspace::Workspace;

#[derive(Args, Debug)]
pub struct OperatorArgs {
    #[command(subcommand)]
    action: OperatorAction,
}

#[derive(Subcommand, Debug)]
enum OperatorAction {
    /// Add an operator (or change one): an OS account, a name, roles
    Add {
        /// The OS account name
        login: String,
        /// Full name
        #[arg(long)]
        name: String,
        /// Role: head, curator, coordinator, pages, block_lead, observer (repeat or comma-separate)
        #[arg(
            long = "role",
            value_name = "ROLE",
            value_delimiter = ',',
            required = true
        )]
        roles: Vec<Role>,
        /// Blocks of a block lead, e.g. housing,roads
        #[arg(long, value_name = "B,B", value_delimiter = ',')]
        blocks: Vec<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// List the operators
    List {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Remove an operator
    Remove {
        /// The OS account name
        login: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Public keys for the built-in SSH server (mcu serve): add, list, remove
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Who has a console open now (local and over mcu serve)
    Sessions {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum KeyAction {
    /// Register a public key: whoever holds its private key is this operator over mcu serve
    Add {
        /// The operator's login
        login: String,
        /// The key: a .pub file, or the line itself ('ssh-ed25519 AAAA… comment')
        #[arg(long, value_name = "FILE.pub|LINE")]
        key: String,
        /// A note on the key (default: the key line's own comment)
        #[arg(long)]
        comment: Option<String>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// List the registered keys
    List {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Remove a key
    Remove {
        /// The operator's login
        login: String,
        /// The key's fingerprint (SHA256:…, as key list shows it)
        fingerprint: String,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

/// The key line given to `--key`: a file's first non-comment line, or the line itself.
fn key_argument(arg: &str) -> Result<crate::serve::auth::KeyLine, Failure> {
    let looks_like_line = arg.trim_start().starts_with("ssh-")
        || arg.trim_start().starts_with("ecdsa-")
        || arg.trim_start().starts_with("sk-");
    if looks_like_line {
        return crate::serve::auth::parse_key_line(arg).map_err(|e| usage(format!("--key: {e}")));
    }
    let path = std::path::Path::new(arg);
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("--key: {}: {e}", path.display())))?;
    let (n, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .ok_or_else(|| {
            usage(format!(
                "--key: {}: no key line in the file",
                path.display()
            ))
        })?;
    crate::serve::auth::parse_key_line(line)
        .map_err(|e| usage(format!("--key: {}, line {}: {e}", path.display(), n + 1)))
}

fn keys(
    store: &mut crate::store::Store,
    grants: &crate::domain::access::Grants,
    a: KeyAction,
) -> CmdResult {
    let tz = store.reference().calendar.timezone();
    let actor = crate::store::Actor::operator(grants.clone(), "cli");
    match a {
        KeyAction::Add {
            login,
            key,
            comment,
            json,
        } => {
            require(grants.may_manage(), "managing operators")?;
            let k = key_argument(&key)?;
            let comment = comment.unwrap_or(k.comment);
            let added = store.add_operator_key(
                &actor,
                &login,
                &k.key,
                &k.fingerprint,
                &comment,
                Utc::now(),
            )?;
            tracing::info!(by = %grants.login, operator = %login, fingerprint = %added.fingerprint, "key added");
            if json {
                print_json(&added)?;
            } else {
                println!("key {} added for {login}", added.fingerprint);
            }
        }
        KeyAction::Remove {
            login,
            fingerprint,
            json,
        } => {
            require(grants.may_manage(), "managing operators")?;
            let k = store.remove_operator_key(&actor, &login, &fingerprint, Utc::now())?;
            tracing::info!(by = %grants.login, operator = %login, fingerprint = %k.fingerprint, "key removed");
            if json {
                print_json(
                    &json!({"login": login, "fingerprint": k.fingerprint, "removed": true}),
                )?;
            } else {
                println!("key {} of {login} removed", k.fingerprint);
            }
        }
        KeyAction::List { json } => {
            require(grants.may_manage(), "managing operators")?;
            let keys = store.operator_keys()?;
            if json {
                print_json(&keys)?;
            } else {
                for k in keys {
                    println!(
                        "{:<16} {:<52} {} {}",
                        k.login,
                        k.fingerprint,
                        short(k.added_at, tz),
                        k.comment
                    );
                }
            }
        }
    }
    Ok(0)
}

pub fn operator(ws: &Workspace, a: OperatorArgs) -> CmdResult {
    let (mut store, grants) = session(ws)?;
    match a.action {
        OperatorAction::Add {
            login,
            name,
            roles,
            blocks,
            json,
        } => {
            require(grants.may_manage(), "managing operators")?;
            store.put_operator(&login, &name, &roles, &blocks, Utc::now())?;
            tracing::info!(by = %grants.login, operator = %login, "operator added");
            if json {
                print_json(&json!({
                    "login": login, "name": name, "roles": roles, "blocks": blocks,
                }))?;
            } else {
                println!("operator {login}: {}", describe(&roles, &blocks));
            }
        }
        OperatorAction::Remove { login, json } => {
            require(grants.may_manage(), "managing operators")?;
            store.remove_operator(&login)?;
            tracing::info!(by = %grants.login, operator = %login, "operator removed");
            if json {
                print_json(&json!({"login": login, "removed": true}))?;
            } else {
                println!("operator {login} removed");
            }
        }
        OperatorAction::Key { action } => return keys(&mut store, &grants, action),
        OperatorAction::Sessions { json } => {
            require(grants.may_manage(), "seeing who is connected")?;
            let tz = store.reference().calendar.timezone();
            let list = store.console_sessions(Utc::now())?;
            if json {
                print_json(&list)?;
            } else {
                for s in list {
                    println!(
                        "{:<16} {:<6} {:<22} {} {}{}",
                        s.login,
                        s.via,
                        if s.address.is_empty() {
                            "—"
                        } else {
                            &s.address
                        },
                        short(s.started_at, tz),
                        s.fingerprint,
                        s.appeal.map(|a| format!(" №{a}")).unwrap_or_default()
                    );
                }
            }
        }
        OperatorAction::List { json } => {
            let ops = store.operators()?;
            if json {
                print_json(&ops)?;
            } else {
                for o in ops {
                    println!(
                        "{:<16} {:<32} {}",
                        o.login,
                        o.name,
                        describe(&o.roles, &o.blocks)
                    );
                }
            }
        }
    }
    Ok(0)
}

fn describe(roles: &[Role], blocks: &[String]) -> String {
    let r: Vec<&str> = roles.iter().map(|r| r.label_ru()).collect();
    if blocks.is_empty() {
        r.join(", ")
    } else {
        format!("{} (блоки: {})", r.join(", "), blocks.join(", "))
    }
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    action: AuditAction,
}

#[derive(Subcommand, Debug)]
enum AuditAction {
    /// Check the trail: the hash chain (an entry changed, removed or reordered), the anchor file
    /// (entries removed from the end, the chain rewritten), and every appeal against its history
    /// (a field changed without an entry); names the first entry or appeal found wrong
    Verify {
        /// Also check against a head kept elsewhere, as `mcu audit head` printed it
        #[arg(long, value_name = "HASH:COUNT")]
        head: Option<KeptHead>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// Print the trail's head (`HASH:COUNT`), to keep elsewhere or sign and give back to
    /// `mcu audit verify --head`
    Head {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
    /// List the trail
    Log {
        /// Only this appeal (number or channel:id)
        #[arg(long, value_name = "ID")]
        appeal: Option<String>,
        /// Only the entries of this register (`roadmap`, `measure`, `page`, `vote`, `template`…)
        #[arg(long, value_name = "NAME", conflicts_with = "appeal")]
        register: Option<String>,
        /// With --register: only this entry of it
        #[arg(long, value_name = "N", requires = "register")]
        entry: Option<i64>,
        /// Only this operator's changes
        #[arg(long, value_name = "LOGIN")]
        operator: Option<String>,
        /// From this local date (inclusive)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// To this local date (inclusive)
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// At most this many entries
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Machine-readable output
        #[arg(long)]
        json: bool,
    },
}

pub fn audit(ws: &Workspace, a: AuditArgs) -> CmdResult {
    let (store, grants) = session(ws)?;
    require(grants.may_audit(), "reading the audit trail")?;
    match a.action {
        AuditAction::Verify { head, json } => {
            let v = store.verify_audit_against(head.as_ref())?;
            if json {
                print_json(&v)?;
            }
            if v.intact {
                if !json {
                    let anchored = match &v.anchor {
                        Some(a) if a.exists => format!(", anchored in {}", a.file),
                        _ => String::new(),
                    };
                    let kept = if head.is_some() {
                        ", matches the head kept elsewhere"
                    } else {
                        ""
                    };
                    let legacy = if v.appeals.without_digest > 0 {
                        format!(
                            " ({} created before creation digests: checked from their first change)",
                            v.appeals.without_digest
                        )
                    } else {
                        String::new()
                    };
                    println!(
                        "audit trail intact: {} entries checked{anchored}{kept}; {} appeals agree with their history{legacy}",
                        v.checked, v.appeals.checked
                    );
                }
                return Ok(0);
            }
            let message = v
                .problems
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("\nmcu: ");
            Err(Failure { code: 1, message })
        }
        AuditAction::Head { json } => {
            let h = store.audit_head()?;
            if json {
                print_json(&json!({
                    "count": h.as_ref().map_or(0, |h| h.count),
                    "last_id": h.as_ref().map(|h| h.last_id),
                    "hash": h.as_ref().map(|h| h.hash.clone()),
                    "head": h.as_ref().map_or(":0".to_string(), |h| h.token()),
                }))?;
            } else {
                println!("{}", h.as_ref().map_or(":0".to_string(), |h| h.token()));
            }
            Ok(0)
        }
        AuditAction::Log {
            appeal,
            register,
            entry,
            operator,
            from,
            to,
            limit,
            json,
        } => {
            let tz = store.reference().calendar.timezone();
            let appeal = appeal.map(|r| store.find(&r)).transpose()?.map(|x| x.id);
            let from = from.as_deref().map(|s| date_arg(s, "--from")).transpose()?;
            let to = to.as_deref().map(|s| date_arg(s, "--to")).transpose()?;
            if let (Some(f), Some(t)) = (from, to)
                && t < f
            {
                return Err(usage("--to is before --from"));
            }
            let filter = AuditFilter {
                appeal,
                register,
                entry,
                operator,
                from: from.map(|d| day_start(d, tz)),
                to: to
                    .and_then(|d| d.checked_add_days(Days::new(1)))
                    .map(|d| day_start(d, tz)),
                limit,
            };
            let pd = grants.may_see_any_personal_data();
            let mut entries = store.audit_log(&filter)?;
            if !pd {
                for e in &mut entries {
                    let mut ev = Event {
                        at: e.at,
                        operator: String::new(),
                        source: String::new(),
                        field: e.field.clone(),
                        old: e.old.take(),
                        new: e.new.take(),
                    };
                    ev.mask_personal_data();
                    e.old = ev.old;
                    e.new = ev.new;
                }
            }
            if json {
                let v: Vec<_> = entries
                    .iter()
                    .map(|e| {
                        json!({
                            "id": e.id, "appeal_id": e.appeal_id, "through_id": e.through_id,
                            "register": e.register.as_ref().map(|r| &r.register),
                            "entry_id": e.register.as_ref().map(|r| r.entry_id),
                            "at": super::output::rfc3339(e.at, tz),
                            "operator": e.operator, "source": e.source, "field": e.field,
                            "old": e.old, "new": e.new, "hash": e.hash,
                        })
                    })
                    .collect();
                print_json(&v)?;
            } else {
                for e in &entries {
                    // A run of appeals created by one import: №first–last.
                    let appeals = match (&e.register, e.appeal_id, e.through_id) {
                        (Some(r), _, _) => format!("{} {}", r.register, r.entry_id),
                        (None, Some(first), Some(last)) => format!("№{first}–{last}"),
                        (None, Some(id), None) => format!("№{id}"),
                        (None, None, _) => "—".to_string(),
                    };
                    println!(
                        "{:>8} {} {:<8} {:<12} {:<24} {}: {} → {}",
                        e.id,
                        short(e.at, tz),
                        appeals,
                        e.operator,
                        e.source,
                        e.field,
                        e.old.as_deref().unwrap_or("—"),
                        super::output::fit(e.new.as_deref().unwrap_or("—"), 60).trim_end()
                    );
                }
            }
            Ok(0)
        }
    }
}

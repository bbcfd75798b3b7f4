//! Who may do what (roles from the decree that created the МЦУ), and how citizens' personal data
//! is masked for those who may not see it (152-ФЗ). Pure: the store and the commands apply it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Appeal, Channel};

/// A role in the МЦУ. One person may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Куратор: sees everything (with personal data), reports, the audit trail, manages
    /// operators.
    Curator,
    /// Руководитель МЦУ: everything.
    Head,
    /// Ответственный за ИМ и ПОС: sees everything, imports, triages, records answers, grades,
    /// exports with personal data.
    Coordinator,
    /// Ответственный за официальные страницы: sees everything without personal data, triages
    /// `page` appeals and records their answers.
    Pages,
    /// Руководитель отраслевого блока: sees the appeals of their blocks only (with their personal
    /// data), triages them and records their answers; never grades.
    BlockLead,
    /// Представитель ЦУР: read only, without personal data.
    Observer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Curator,
        Role::Head,
        Role::Coordinator,
        Role::Pages,
        Role::BlockLead,
        Role::Observer,
    ];

    /// The stable id.
    pub fn id(self) -> &'static str {
        match self {
            Role::Curator => "curator",
            Role::Head => "head",
            Role::Coordinator => "coordinator",
            Role::Pages => "pages",
            Role::BlockLead => "block_lead",
            Role::Observer => "observer",
        }
    }

    /// The Russian name.
    pub fn label_ru(self) -> &'static str {
        match self {
            Role::Curator => "куратор",
            Role::Head => "руководитель МЦУ",
            Role::Coordinator => "ответственный за ИМ и ПОС",
            Role::Pages => "ответственный за официальные страницы",
            Role::BlockLead => "руководитель отраслевого блока",
            Role::Observer => "представитель ЦУР",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An unknown role id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role «{0}» (expected one of: curator, head, coordinator, pages, block_lead, observer)"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL
            .into_iter()
            .find(|r| r.id() == t)
            .ok_or_else(|| UnknownRole(s.trim().to_string()))
    }
}

/// Something an operator may do. With [`Role::scope`] this is the whole roles × actions matrix
/// (README, «Operators, roles and the audit trail»): every check in the store, the commands and
/// the console is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See appeals: lists, details, reports built of appeals (`rank --explain`, `dups`).
    See,
    /// See the personal data of an appeal unmasked: author, contact, address, and what the text,
    /// the answer and the history say about people.
    SeePersonalData,
    /// Import files (new appeals are not yet anyone's block).
    Import,
    /// Triage: block, responsible, status, urgent and conflict marks, duplicates, extension,
    /// notes; `classify --pending`.
    Triage,
    /// Record answers: interim and final answer times, the answer's text.
    RecordAnswers,
    /// Grade answers: the МЦУ's quality grade and the citizen's rating (both feed the ranking, so
    /// nobody grades the answers of their own block).
    Grade,
    /// Export with personal data (`mcu export --with-personal-data`).
    ExportPersonalData,
    /// Add and remove operators (targets are files of the workspace: its folder's permissions).
    Manage,
    /// Read and verify the audit trail.
    Audit,
    /// Keep the registers of the decree: roadmaps and their measures, votes and discussions,
    /// answer templates.
    KeepRegisters,
    /// Keep the registry of the official pages (import, change).
    KeepPages,
}

impl Action {
    /// Every action, in README's order.
    pub const ALL: [Action; 11] = [
        Action::See,
        Action::SeePersonalData,
        Action::Import,
        Action::Triage,
        Action::RecordAnswers,
        Action::Grade,
        Action::ExportPersonalData,
        Action::Manage,
        Action::Audit,
        Action::KeepRegisters,
        Action::KeepPages,
    ];

    /// What a refusal says the operator tried.
    pub fn describe(self) -> &'static str {
        match self {
            Action::See => "seeing appeals",
            Action::SeePersonalData => "seeing personal data",
            Action::Import => "importing files",
            Action::Triage => "triage",
            Action::RecordAnswers => "recording answers",
            Action::Grade => "grading answers (head and coordinator only)",
            Action::ExportPersonalData => "exporting personal data (head and coordinator only)",
            Action::Manage => "managing operators",
            Action::Audit => "reading the audit trail",
            Action::KeepRegisters => "keeping the registers (roadmaps, votes, templates)",
            Action::KeepPages => "keeping the registry of official pages",
        }
    }
}

/// Which appeals a role may act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// None.
    Nothing,
    /// The appeals of the `page` channel (comments on the official pages).
    PageAppeals,
    /// The appeals of the operator's blocks.
    OwnBlocks,
    /// Every appeal (or, for an action without an appeal, allowed).
    Everything,
}

impl Role {
    /// The matrix: on which appeals this role may take this action.
    pub const fn scope(self, action: Action) -> Scope {
        use Action as A;
        use Scope::{Everything as All, Nothing as No, OwnBlocks as Own, PageAppeals as Page};
        match (self, action) {
            (Role::Head, _) => All,
            (Role::Curator, A::See | A::SeePersonalData | A::Manage | A::Audit) => All,
            (Role::Curator, _) => No,
            (
                Role::Coordinator,
                A::See
                | A::SeePersonalData
                | A::Import
                | A::Triage
                | A::RecordAnswers
                | A::Grade
                | A::ExportPersonalData
                | A::KeepRegisters
                | A::KeepPages,
            ) => All,
            (Role::Coordinator, _) => No,
            (Role::Pages, A::See | A::KeepPages) => All,
            (Role::Pages, A::Triage | A::RecordAnswers) => Page,
            (Role::Pages, _) => No,
            (Role::BlockLead, A::See | A::SeePersonalData | A::Triage | A::RecordAnswers) => Own,
            (Role::BlockLead, _) => No,
            (Role::Observer, A::See) => All,
            (Role::Observer, _) => No,
        }
    }
}

/// What an operator may do, resolved from their roles (and blocks, for a block lead).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Grants {
    pub login: String,
    pub roles: Vec<Role>,
    /// The blocks of a block lead.
    pub blocks: Vec<String>,
}

impl Grants {
    /// Grants of an operator.
    pub fn new(login: impl Into<String>, roles: Vec<Role>, blocks: Vec<String>) -> Self {
        Self {
            login: login.into(),
            roles,
            blocks,
        }
    }

    /// The widest scope any of the roles gives for this action.
    pub fn scope(&self, action: Action) -> Scope {
        self.roles
            .iter()
            .map(|r| r.scope(action))
            .max()
            .unwrap_or(Scope::Nothing)
    }

    /// May take this action on this appeal (several roles add up: a pages officer who is also
    /// a block lead triages page comments and their blocks' appeals).
    pub fn may(&self, action: Action, a: &Appeal) -> bool {
        self.roles.iter().any(|r| match r.scope(action) {
            Scope::Everything => true,
            Scope::OwnBlocks => a.block.as_ref().is_some_and(|b| self.blocks.contains(b)),
            Scope::PageAppeals => a.channel == Channel::Page,
            Scope::Nothing => false,
        })
    }

    /// May take this action on some appeals (or, for an action without an appeal, at all).
    pub fn may_some(&self, action: Action) -> bool {
        self.scope(action) != Scope::Nothing
    }

    /// May take this action on every appeal.
    pub fn may_all(&self, action: Action) -> bool {
        self.scope(action) == Scope::Everything
    }

    /// Sees every appeal (not only their blocks').
    pub fn sees_everything(&self) -> bool {
        self.may_all(Action::See)
    }

    /// May see this appeal at all.
    pub fn may_see(&self, a: &Appeal) -> bool {
        self.may(Action::See, a)
    }

    /// May see the personal data of this appeal unmasked: the head, the curator and the
    /// coordinator for every appeal; a block lead for the appeals of their blocks (they answer
    /// them). The pages officer and the observer never.
    pub fn may_see_personal_data(&self, a: &Appeal) -> bool {
        self.may(Action::SeePersonalData, a)
    }

    /// May see personal data in general (for exports and lists of many appeals).
    pub fn may_see_any_personal_data(&self) -> bool {
        self.may_all(Action::SeePersonalData)
    }

    /// May export with personal data.
    pub fn may_export_personal_data(&self) -> bool {
        self.may_all(Action::ExportPersonalData)
    }

    /// May change this appeal in some way (triage, answers or grades); each change still needs
    /// its own action ([`Grants::may`]).
    pub fn may_change(&self, a: &Appeal) -> bool {
        [Action::Triage, Action::RecordAnswers, Action::Grade]
            .iter()
            .any(|&x| self.may(x, a))
    }

    /// May change some appeals (decides whether triage keys exist at all).
    pub fn may_change_any(&self) -> bool {
        [Action::Triage, Action::RecordAnswers, Action::Grade]
            .iter()
            .any(|&x| self.may_some(x))
    }

    /// May import files (a new appeal is not yet anyone's block).
    pub fn may_import(&self) -> bool {
        self.may_all(Action::Import)
    }

    /// May add and remove operators.
    pub fn may_manage(&self) -> bool {
        self.may_all(Action::Manage)
    }

    /// May read the audit trail.
    pub fn may_audit(&self) -> bool {
        self.may_all(Action::Audit)
    }
}

/// Masks a person's name: «Иванова Мария Алексеевна» and «Иванова М. А.» → «И*** М. А.».
pub fn mask_name(name: &str) -> String {
    let mut parts = name.split_whitespace();
    let Some(surname) = parts.next() else {
        return String::new();
    };
    let mut out = String::new();
    if let Some(c) = surname.chars().next() {
        out.push(c);
    }
    out.push_str("***");
    for p in parts {
        if let Some(c) = p.chars().find(|c| c.is_alphabetic()) {
            out.push(' ');
            out.push(c);
            out.push('.');
        }
    }
    out
}

/// Masks a contact: a phone keeps its country code and last four digits
/// («+7 956 303 12 34» → «+7 *** *** 12 34»); an e-mail keeps its first letter and domain.
pub fn mask_contact(contact: &str) -> String {
    let c = contact.trim();
    if let Some((user, domain)) = c.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let digits: Vec<char> = c.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 6 {
        let n = digits.len();
        let tail = format!(
            "{}{} {}{}",
            digits[n - 4],
            digits[n - 3],
            digits[n - 2],
            digits[n - 1]
        );
        let prefix = if c.starts_with('+') {
            format!("+{} ", digits[0])
        } else if digits[0] == '8' {
            "8 ".to_string()
        } else {
            String::new()
        };
        return format!("{prefix}*** *** {tail}");
    }
    "***".to_string()
}

/// Masks a private address: the street stays, house and flat numbers go
/// («ул. Лесная, д. 5, кв. 12» → «ул. Лесная, д. *, кв. *»).
pub fn mask_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut in_number = false;
    for ch in address.chars() {
        if ch.is_ascii_digit() {
            if !in_number {
                out.push('*');
                in_number = true;
            }
        } else {
            // A letter right after a number («5а») belongs to it.
            if !(in_number && ch.is_alphabetic() && !ch.is_whitespace()) {
                out.push(ch);
            }
            in_number = in_number && ch.is_alphanumeric() && !ch.is_whitespace();
        }
    }
    out
}

/// The appeal as this operator may see it: personal data masked unless allowed.
pub fn redact(a: &Appeal, g: &Grants) -> Appeal {
    if g.may_see_personal_data(a) {
        return a.clone();
    }
    let mut r = a.clone();
    r.author = a.author.as_deref().map(mask_name);
    r.contact = a.contact.as_deref().map(mask_contact);
    r.address = a.address.as_deref().map(mask_address);
    // What the free text says about people: phones, e-mails, house numbers, names.
    r.text = super::pii::mask_text(&a.text);
    r.answer = a.answer.as_deref().map(super::pii::mask_text);
    r.interim_answer = a.interim_answer.as_deref().map(super::pii::mask_text);
    r.extension_reason = a.extension_reason.as_deref().map(super::pii::mask_text);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_first_letter_and_initials() {
        assert_eq!(mask_name("Иванова М. А."), "И*** М. А.");
        assert_eq!(mask_name("Иванова Мария Алексеевна"), "И*** М. А.");
        assert_eq!(mask_name("Попова Е."), "П*** Е.");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn phones_keep_the_country_code_and_last_four_digits() {
        assert_eq!(mask_contact("+7 956 303 12 34"), "+7 *** *** 12 34");
        assert_eq!(mask_contact("89563031234"), "8 *** *** 12 34");
        assert_eq!(mask_contact("ivanova@mail.ru"), "i***@mail.ru");
    }

    #[test]
    fn addresses_lose_their_numbers() {
        assert_eq!(
            mask_address("ул. Лесная, д. 5а, кв. 12"),
            "ул. Лесная, д. *, кв. *"
        );
    }

    #[test]
    fn a_block_lead_acts_only_on_their_blocks() {
        let g = Grants::new("lead", vec![Role::BlockLead], vec!["roads".into()]);
        let mut a = sample();
        assert!(!g.may_see(&a) && !g.may_change(&a));
        a.block = Some("roads".into());
        assert!(g.may_see(&a) && g.may_change(&a) && g.may_see_personal_data(&a));
        assert!(!g.may_import() && !g.may_manage());
    }

    #[test]
    fn the_pages_officer_triages_only_page_comments_and_never_sees_personal_data() {
        let g = Grants::new("p", vec![Role::Pages], vec![]);
        let mut a = sample();
        assert!(g.may_see(&a) && !g.may_change(&a) && !g.may_see_personal_data(&a));
        a.channel = Channel::Page;
        assert!(g.may_change(&a));
        assert_eq!(redact(&a, &g).contact.as_deref(), Some("+7 *** *** 12 34"));
    }

    #[test]
    fn the_observer_reads_only() {
        let g = Grants::new("o", vec![Role::Observer], vec![]);
        let a = sample();
        assert!(g.may_see(&a) && !g.may_change(&a) && !g.may_change_any());
        assert_eq!(redact(&a, &g).author.as_deref(), Some("И*** М. А."));
    }

    #[test]
    fn several_roles_add_up() {
        let g = Grants::new(
            "pl",
            vec![Role::Pages, Role::BlockLead],
            vec!["roads".into()],
        );
        let mut a = sample();
        a.channel = Channel::Page;
        assert!(g.may(Action::Triage, &a) && !g.may(Action::SeePersonalData, &a));
        a.channel = Channel::Pos;
        a.block = Some("roads".into());
        assert!(g.may(Action::Triage, &a) && g.may(Action::SeePersonalData, &a));
        assert!(!g.may(Action::Grade, &a) && !g.may_some(Action::Grade));
        assert_eq!(g.scope(Action::Triage), Scope::OwnBlocks);
        assert_eq!(Grants::default().scope(Action::See), Scope::Nothing);
    }

    #[test]
    fn redaction_masks_the_free_text_too() {
        let g = Grants::new("o", vec![Role::Observer], vec![]);
        let mut a = sample();
        a.text = "Звоню с +7 956 303 12 34, живу ул. Лесная, д. 5".into();
        a.answer = Some("Ответ направлен Ивановой М. А.".into());
        let r = redact(&a, &g);
        assert_eq!(r.text, "Звоню с +7 *** *** 12 34, живу ул. Лесная, д. *");
        assert_eq!(r.answer.as_deref(), Some("Ответ направлен И*** М. А."));
        let head = Grants::new("h", vec![Role::Head], vec![]);
        assert_eq!(redact(&a, &head).text, a.text);
    }

    fn sample() -> Appeal {
        let mut a = Appeal::new(Channel::Pos, "1", chrono::Utc::now(), "Текст");
        a.id = 1;
        a.version = 1;
        a.author = Some("Иванова Мария Алексеевна".into());
        a.contact = Some("+7 956 303 12 34".into());
        a.address = Some("ул. Лесная, д. 5".into());
        a
    }
}

//! The action catalogue: every action a key can run, with its stable name, Russian description,
//! argument, the contexts it works in, and whether it changes data (`dangerous`: a read-only role
//! drops it) or must be confirmed first.

use std::fmt;
use std::str::FromStr;

use super::Context;
use crate::domain::{Quality, Status};

/// A cursor move: a number of lines or a percentage of a page, signed (`5`, `-1`, `50%`, `-100%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Lines down (positive) or up (negative).
    Lines(i32),
    /// Percent of the visible page down (positive) or up (negative).
    Percent(i32),
}

impl Step {
    /// The rows this step moves on a page of `page` rows (a percent step moves at least one).
    pub fn rows(self, page: usize) -> isize {
        match self {
            Step::Lines(n) => n as isize,
            Step::Percent(p) => {
                let page = page.max(1) as isize;
                (page * p.abs() as isize / 100).max(1) * p.signum() as isize
            }
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Lines(n) => write!(f, "{n}"),
            Step::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl FromStr for Step {
    type Err = ();

    /// A non-zero signed integer, optionally followed by `%`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (num, percent) = match s.strip_suffix('%') {
            Some(n) => (n, true),
            None => (s, false),
        };
        let n: i32 = num.parse().map_err(|_| ())?;
        if n == 0 || n.unsigned_abs() > 100_000 {
            return Err(());
        }
        Ok(if percent {
            Step::Percent(n)
        } else {
            Step::Lines(n)
        })
    }
}

/// What a `filter` action filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterKind {
    /// Pick a thematic block.
    Block,
    /// Pick a status.
    Status,
    /// Pick a channel.
    Channel,
    /// Pick a settlement.
    Settlement,
    /// Pick a responsible recipient.
    Recipient,
    /// Only overdue appeals (toggle).
    Overdue,
    /// Only urgent appeals (toggle).
    Urgent,
    /// Drop every filter.
    Clear,
}

impl FilterKind {
    /// Every kind, in the order documentation lists them.
    pub const ALL: [FilterKind; 8] = [
        FilterKind::Block,
        FilterKind::Status,
        FilterKind::Channel,
        FilterKind::Settlement,
        FilterKind::Recipient,
        FilterKind::Overdue,
        FilterKind::Urgent,
        FilterKind::Clear,
    ];

    /// The stable id used in `run = "filter …"`.
    pub fn id(self) -> &'static str {
        match self {
            FilterKind::Block => "block",
            FilterKind::Status => "status",
            FilterKind::Channel => "channel",
            FilterKind::Settlement => "settlement",
            FilterKind::Recipient => "recipient",
            FilterKind::Overdue => "overdue",
            FilterKind::Urgent => "urgent",
            FilterKind::Clear => "clear",
        }
    }
}

/// An action a key runs, with its argument. `Display` prints the `run` notation back
/// (`arrow -50%`, `filter overdue`, `set_block roads`); `FromStr` parses it.
///
/// An optional argument left out means "ask": `set_block` opens the block chooser, `set_block roads`
/// sets it at once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// Does nothing: binding a key to it disables the key.
    Noop,
    Up,
    Down,
    /// Move the cursor (or scroll) by a step.
    Arrow(Step),
    Top,
    Bottom,
    NextPanel,
    PrevPanel,
    /// Open the appeal under the cursor.
    Open,
    /// Close the current screen (detail, help) and go back.
    Back,
    NextAppeal,
    PrevAppeal,
    /// Jump to the next appeal with no block or no responsible recipient.
    NextUntriaged,
    Quit,
    Help,
    Search,
    /// The `:` command line.
    Command,
    Filter(FilterKind),
    /// Switch to a saved view by name, or pick one.
    View(Option<String>),
    SaveView,
    /// Delete a saved view by name, or pick one (asks first).
    DeleteView(Option<String>),
    /// Today's view: what needs action today, by deadline.
    Today,
    /// Order the list, or pick the order.
    Sort(Option<crate::store::Sort>),
    Refresh,
    ToggleMark,
    MarkAll,
    UnmarkAll,
    /// Set the thematic block (by id), or pick it.
    SetBlock(Option<String>),
    /// Assign the responsible recipient (by id), or pick one in a fuzzy chooser.
    Assign(Option<String>),
    /// Accept the suggested block and recipient, then go to the next untriaged appeal.
    Accept,
    SetStatus(Option<Status>),
    Reject,
    InterimAnswer,
    FinalAnswer,
    Grade(Option<Quality>),
    /// The citizen's rating of the answer, 1–5.
    Rate(Option<u8>),
    LinkDuplicate,
    ToggleUrgent,
    ToggleConflict,
    AddNote,
    /// Extend a 59-ФЗ deadline by 30 days (allowed once).
    ExtendDeadline,
    /// Choose a triage action and apply it to every marked appeal.
    ApplyMarked,
    /// In a chooser: take the item under the cursor, or the N-th item (1-based).
    Pick(Option<u8>),
    Cancel,
    /// Finish a text input (a multi-line input takes it as a line break).
    Submit,
    /// Save the text of an input (multi-line texts: answers, notes).
    Save,
    /// Complete the word in the command line.
    Complete,
    Yes,
    No,
    /// Open a screen by name (`roadmaps`, `pages`, `votes`, `templates`).
    Screen(String),
    /// In a register: a new entry (a roadmap, a measure, a template…).
    NewEntry,
    /// In a register: change a field of the entry under the cursor.
    EditEntry,
    /// In a register: change the status of the entry under the cursor.
    EntryStatus,
    /// In a register: take the entry under the cursor out (unlink an appeal from a roadmap,
    /// decline one its rule proposes).
    RemoveEntry,
    /// Link the current or the marked appeals to a roadmap (a chooser).
    LinkRoadmap,
    /// Take an appeal down by hand (a call, a visitor): the form.
    AddAppeal,
    /// Take back the officer's own last change.
    Undo,
    /// Show the appeal's source URL as a link the terminal opens (OSC 8).
    OpenLink,
    /// Copy the appeal's number, URL or text to the clipboard (OSC 52): a chooser.
    Copy,
    /// Record the 59-ФЗ registration (number and date) of a letter.
    RegisterFz59,
}

/// The shape of an action's argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgSpec {
    /// Takes no argument.
    None,
    /// May take one; without it the action asks.
    Optional(ArgKind),
    /// Needs one.
    Required(ArgKind),
}

/// What an argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Step,
    Filter,
    Status,
    Quality,
    Rating,
    Index,
    Block,
    Recipient,
    View,
    Sort,
    Screen,
}

impl ArgKind {
    /// A placeholder for documentation (`STEP`, `BLOCK`…).
    pub fn placeholder(self) -> &'static str {
        match self {
            ArgKind::Step => "STEP",
            ArgKind::Filter => "WHAT",
            ArgKind::Status => "STATUS",
            ArgKind::Quality => "QUALITY",
            ArgKind::Rating => "RATING",
            ArgKind::Index => "N",
            ArgKind::Block => "BLOCK",
            ArgKind::Recipient => "RECIPIENT",
            ArgKind::View => "NAME",
            ArgKind::Sort => "ORDER",
            ArgKind::Screen => "SCREEN",
        }
    }

    /// What is expected, for error messages.
    pub fn expected(self) -> String {
        match self {
            ArgKind::Step => {
                "a non-zero step in lines or percent of a page: 5, -1, 50%, -100%".to_string()
            }
            ArgKind::Filter => {
                format!("one of: {}", FilterKind::ALL.map(FilterKind::id).join(", "))
            }
            ArgKind::Status => format!("one of: {}", Status::ALL.map(Status::id).join(", ")),
            ArgKind::Quality => "substantive or formal".to_string(),
            ArgKind::Rating => "a rating from 1 to 5".to_string(),
            ArgKind::Index => "an item number from 1 to 99".to_string(),
            ArgKind::Block => "a block id from blocks.toml (housing, roads…)".to_string(),
            ArgKind::Recipient => "a recipient id".to_string(),
            ArgKind::View => "a saved view's name".to_string(),
            ArgKind::Sort => format!(
                "one of: {}",
                crate::store::Sort::ALL
                    .map(crate::store::Sort::id)
                    .join(", ")
            ),
            ArgKind::Screen => "a screen: roadmaps, pages, votes, templates".to_string(),
        }
    }
}

/// One entry of the catalogue.
#[derive(Debug)]
pub struct ActionSpec {
    /// The stable name used in `run`.
    pub name: &'static str,
    /// What it does, in Russian (the help text when a binding gives no `desc`).
    pub desc: &'static str,
    /// Its argument.
    pub args: ArgSpec,
    /// The contexts (keymap sections) it may be bound in.
    pub contexts: &'static [Context],
    /// It changes data: a read-only role does not get it.
    pub dangerous: bool,
    /// It is asked for confirmation before it runs (rejecting, linking a duplicate, bulk apply…).
    pub confirm: bool,
    /// Place in the hint bar (lower comes first); `None`: never hinted.
    pub hint_priority: Option<u8>,
    /// The short Russian label in the hint bar.
    pub hint: &'static str,
    build: fn(Option<&str>) -> Option<Action>,
}

use Context::{Chooser, Confirm, Detail, Global, Help, Input, List, Register};

const EVERYWHERE: &[Context] = &Context::ALL;
const MOVING: &[Context] = &[Global, List, Detail, Register, Help, Chooser];
const SCREENS: &[Context] = &[Global, List, Detail, Register, Help];
const BROWSING: &[Context] = &[Global, List, Detail];
const LISTING: &[Context] = &[Global, List];
const OPENING: &[Context] = &[Global, List, Register];
const PANELS: &[Context] = &[Global, List, Detail, Register];
const REGISTERS: &[Context] = &[Global, Register];
const POPUPS: &[Context] = &[Chooser, Input, Confirm];

impl ActionSpec {
    const fn new(
        name: &'static str,
        desc: &'static str,
        contexts: &'static [Context],
        build: fn(Option<&str>) -> Option<Action>,
    ) -> Self {
        Self {
            name,
            desc,
            args: ArgSpec::None,
            contexts,
            dangerous: false,
            confirm: false,
            hint_priority: None,
            hint: "",
            build,
        }
    }

    const fn arg(mut self, args: ArgSpec) -> Self {
        self.args = args;
        self
    }

    /// Changes data.
    const fn triage(mut self) -> Self {
        self.dangerous = true;
        self
    }

    /// Changes data and asks first.
    const fn confirmed(mut self) -> Self {
        self.dangerous = true;
        self.confirm = true;
        self
    }

    const fn hinted(mut self, priority: u8, label: &'static str) -> Self {
        self.hint_priority = Some(priority);
        self.hint = label;
        self
    }

    /// The catalogue entry with this name.
    pub fn find(name: &str) -> Option<&'static ActionSpec> {
        CATALOGUE.iter().copied().find(|s| s.name == name)
    }

    /// Whether it may be bound in this context.
    pub fn allowed_in(&self, context: Context) -> bool {
        self.contexts.contains(&context)
    }
}

fn id(arg: Option<&str>) -> Option<Option<String>> {
    Some(arg.map(str::to_string))
}

static NOOP: ActionSpec = ActionSpec::new(
    "noop",
    "Ничего (клавиша отключена)",
    EVERYWHERE,
    |_| Some(Action::Noop),
);
static UP: ActionSpec = ActionSpec::new("up", "Вверх", MOVING, |_| Some(Action::Up));
static DOWN: ActionSpec = ActionSpec::new("down", "Вниз", MOVING, |_| Some(Action::Down));
static ARROW: ActionSpec = ActionSpec::new(
    "arrow",
    "Сдвинуть курсор на N строк или N% страницы",
    MOVING,
    |a| a?.parse().ok().map(Action::Arrow),
)
.arg(ArgSpec::Required(ArgKind::Step));
static TOP: ActionSpec = ActionSpec::new("top", "В начало", MOVING, |_| Some(Action::Top));
static BOTTOM: ActionSpec =
    ActionSpec::new("bottom", "В конец", MOVING, |_| Some(Action::Bottom));
static NEXT_PANEL: ActionSpec = ActionSpec::new(
    "next_panel",
    "Следующая панель",
    PANELS,
    |_| Some(Action::NextPanel),
);
static PREV_PANEL: ActionSpec = ActionSpec::new(
    "prev_panel",
    "Предыдущая панель",
    PANELS,
    |_| Some(Action::PrevPanel),
);
static OPEN: ActionSpec =
    ActionSpec::new("open", "Открыть", OPENING, |_| Some(Action::Open)).hinted(10, "Открыть");
static BACK: ActionSpec =
    ActionSpec::new("back", "Назад", SCREENS, |_| Some(Action::Back)).hinted(11, "Назад");
static NEXT_APPEAL: ActionSpec = ActionSpec::new(
    "next_appeal",
    "Следующее обращение",
    BROWSING,
    |_| Some(Action::NextAppeal),
);
static PREV_APPEAL: ActionSpec = ActionSpec::new(
    "prev_appeal",
    "Предыдущее обращение",
    BROWSING,
    |_| Some(Action::PrevAppeal),
);
static NEXT_UNTRIAGED: ActionSpec = ActionSpec::new(
    "next_untriaged",
    "Следующее неразобранное обращение",
    BROWSING,
    |_| Some(Action::NextUntriaged),
);
static QUIT: ActionSpec =
    ActionSpec::new("quit", "Выйти", SCREENS, |_| Some(Action::Quit)).hinted(90, "Выход");
static HELP: ActionSpec = ActionSpec::new(
    "help",
    "Справка по клавишам",
    SCREENS,
    |_| Some(Action::Help),
)
.hinted(5, "Справка");
static SEARCH: ActionSpec =
    ActionSpec::new("search", "Поиск", SCREENS, |_| Some(Action::Search)).hinted(50, "Поиск");
static COMMAND: ActionSpec = ActionSpec::new(
    "command",
    "Командная строка",
    SCREENS,
    |_| Some(Action::Command),
)
.hinted(60, "Команда");
static FILTER: ActionSpec = ActionSpec::new("filter", "Фильтр", LISTING, |a| {
    let a = a?;
    FilterKind::ALL
        .into_iter()
        .find(|k| k.id() == a)
        .map(Action::Filter)
})
.arg(ArgSpec::Required(ArgKind::Filter));
static VIEW: ActionSpec =
    ActionSpec::new("view", "Сохранённые виды", LISTING, |a| {
        id(a).map(Action::View)
    })
    .arg(ArgSpec::Optional(ArgKind::View));
static SAVE_VIEW: ActionSpec = ActionSpec::new(
    "save_view",
    "Сохранить текущий вид (фильтры, сортировку)",
    LISTING,
    |_| Some(Action::SaveView),
);
static DELETE_VIEW: ActionSpec = ActionSpec::new(
    "delete_view",
    "Удалить сохранённый вид (спросит)",
    LISTING,
    |a| id(a).map(Action::DeleteView),
)
.arg(ArgSpec::Optional(ArgKind::View));
static TODAY: ActionSpec = ActionSpec::new(
    "today",
    "Сегодня: просроченные, на сегодня, под угрозой, неразобранные — по сроку",
    LISTING,
    |_| Some(Action::Today),
)
.hinted(45, "Сегодня");
static SORT: ActionSpec = ActionSpec::new(
    "sort",
    "Сортировка: по сроку, поступлению, блоку, ответственному",
    LISTING,
    |a| match a {
        None => Some(Action::Sort(None)),
        Some(s) => s.parse().ok().map(|s| Action::Sort(Some(s))),
    },
)
.arg(ArgSpec::Optional(ArgKind::Sort));
static REFRESH: ActionSpec = ActionSpec::new("refresh", "Обновить", SCREENS, |_| {
    Some(Action::Refresh)
});
static TOGGLE_MARK: ActionSpec = ActionSpec::new(
    "toggle_mark",
    "Отметить / снять отметку",
    LISTING,
    |_| Some(Action::ToggleMark),
)
.hinted(40, "Отметить");
static MARK_ALL: ActionSpec =
    ActionSpec::new("mark_all", "Отметить все", LISTING, |_| {
        Some(Action::MarkAll)
    });
static UNMARK_ALL: ActionSpec = ActionSpec::new(
    "unmark_all",
    "Снять все отметки",
    LISTING,
    |_| Some(Action::UnmarkAll),
);
static SET_BLOCK: ActionSpec = ActionSpec::new(
    "set_block",
    "Тематический блок",
    BROWSING,
    |a| id(a).map(Action::SetBlock),
)
.arg(ArgSpec::Optional(ArgKind::Block))
.triage()
.hinted(20, "Блок");
static ASSIGN: ActionSpec = ActionSpec::new(
    "assign",
    "Назначить ответственного",
    BROWSING,
    |a| id(a).map(Action::Assign),
)
.arg(ArgSpec::Optional(ArgKind::Recipient))
.triage()
.hinted(21, "Назначить");
static ACCEPT: ActionSpec = ActionSpec::new(
    "accept",
    "Принять предложенные блок и ответственного, к следующему",
    BROWSING,
    |_| Some(Action::Accept),
)
.triage()
.hinted(22, "Принять");
static SET_STATUS: ActionSpec =
    ActionSpec::new("set_status", "Сменить статус", BROWSING, |a| match a {
        None => Some(Action::SetStatus(None)),
        Some(s) => s.parse().ok().map(|s| Action::SetStatus(Some(s))),
    })
    .arg(ArgSpec::Optional(ArgKind::Status))
    .triage()
    .hinted(23, "Статус");
static REJECT: ActionSpec = ActionSpec::new(
    "reject",
    "Отклонить (спам, не в компетенции)",
    BROWSING,
    |_| Some(Action::Reject),
)
.confirmed();
static INTERIM_ANSWER: ActionSpec = ActionSpec::new(
    "interim_answer",
    "Промежуточный ответ",
    BROWSING,
    |_| Some(Action::InterimAnswer),
)
.triage()
.hinted(25, "Промежуточный");
static FINAL_ANSWER: ActionSpec = ActionSpec::new(
    "final_answer",
    "Окончательный ответ",
    BROWSING,
    |_| Some(Action::FinalAnswer),
)
.triage()
.hinted(24, "Ответ");
static GRADE: ActionSpec = ActionSpec::new(
    "grade",
    "Оценить ответ: по существу или отписка",
    BROWSING,
    |a| match a {
        None => Some(Action::Grade(None)),
        Some(q) if q == Quality::Substantive.id() => {
            Some(Action::Grade(Some(Quality::Substantive)))
        }
        Some(q) if q == Quality::Formal.id() => Some(Action::Grade(Some(Quality::Formal))),
        Some(_) => None,
    },
)
.arg(ArgSpec::Optional(ArgKind::Quality))
.triage();
static RATE: ActionSpec = ActionSpec::new(
    "rate",
    "Оценка ответа жителем (1–5)",
    BROWSING,
    |a| match a {
        None => Some(Action::Rate(None)),
        Some(r) => r
            .parse()
            .ok()
            .filter(|r| (1..=5).contains(r))
            .map(|r| Action::Rate(Some(r))),
    },
)
.arg(ArgSpec::Optional(ArgKind::Rating))
.triage();
static LINK_DUPLICATE: ActionSpec = ActionSpec::new(
    "link_duplicate",
    "Связать как дубль другого обращения",
    BROWSING,
    |_| Some(Action::LinkDuplicate),
)
.confirmed();
static TOGGLE_URGENT: ActionSpec = ActionSpec::new(
    "toggle_urgent",
    "Срочное: да / нет",
    BROWSING,
    |_| Some(Action::ToggleUrgent),
)
.triage();
static TOGGLE_CONFLICT: ActionSpec = ActionSpec::new(
    "toggle_conflict",
    "Конфликтное: да / нет",
    BROWSING,
    |_| Some(Action::ToggleConflict),
)
.triage();
static ADD_NOTE: ActionSpec = ActionSpec::new(
    "add_note",
    "Добавить заметку",
    BROWSING,
    |_| Some(Action::AddNote),
)
.triage();
static EXTEND_DEADLINE: ActionSpec = ActionSpec::new(
    "extend_deadline",
    "Продлить срок по 59-ФЗ на 30 дней (один раз)",
    BROWSING,
    |_| Some(Action::ExtendDeadline),
)
.confirmed();
static APPLY_MARKED: ActionSpec = ActionSpec::new(
    "apply_marked",
    "Применить действие ко всем отмеченным",
    LISTING,
    |_| Some(Action::ApplyMarked),
)
.confirmed()
.hinted(41, "К отмеченным");
static PICK: ActionSpec = ActionSpec::new("pick", "Выбрать", &[Chooser], |a| match a {
    None => Some(Action::Pick(None)),
    Some(n) => n
        .parse()
        .ok()
        .filter(|n| (1..=99).contains(n))
        .map(|n| Action::Pick(Some(n))),
})
.arg(ArgSpec::Optional(ArgKind::Index))
.hinted(1, "Выбрать");
static CANCEL: ActionSpec =
    ActionSpec::new("cancel", "Отмена", POPUPS, |_| Some(Action::Cancel)).hinted(9, "Отмена");
static SUBMIT: ActionSpec =
    ActionSpec::new("submit", "Готово", &[Input], |_| Some(Action::Submit)).hinted(2, "Готово");
static SAVE: ActionSpec =
    ActionSpec::new("save", "Сохранить текст", &[Input], |_| {
        Some(Action::Save)
    })
    .hinted(1, "Сохранить");
static COMPLETE: ActionSpec = ActionSpec::new(
    "complete",
    "Дополнить команду",
    &[Input],
    |_| Some(Action::Complete),
);
static YES: ActionSpec = ActionSpec::new("yes", "Да, выполнить", &[Confirm], |_| {
    Some(Action::Yes)
})
.hinted(1, "Да");
static NO: ActionSpec = ActionSpec::new("no", "Нет, отменить", &[Confirm], |_| {
    Some(Action::No)
})
.hinted(2, "Нет");

/// Every action, in the order documentation lists them.
static SCREEN: ActionSpec = ActionSpec::new(
    "screen",
    "Открыть экран: roadmaps, pages, votes, templates",
    SCREENS,
    |a| Some(Action::Screen(a?.to_string())),
)
.arg(ArgSpec::Required(ArgKind::Screen));
static NEW_ENTRY: ActionSpec =
    ActionSpec::new("new_entry", "Новая запись", REGISTERS, |_| {
        Some(Action::NewEntry)
    })
    .triage()
    .hinted(20, "Новая");
static EDIT_ENTRY: ActionSpec = ActionSpec::new(
    "edit_entry",
    "Изменить поле записи",
    REGISTERS,
    |_| Some(Action::EditEntry),
)
.triage()
.hinted(21, "Изменить");
static ENTRY_STATUS: ActionSpec = ActionSpec::new(
    "entry_status",
    "Сменить статус записи",
    REGISTERS,
    |_| Some(Action::EntryStatus),
)
.triage()
.hinted(22, "Статус");
static REMOVE_ENTRY: ActionSpec = ActionSpec::new(
    "remove_entry",
    "Убрать: отвязать обращение или отклонить предложение",
    REGISTERS,
    |_| Some(Action::RemoveEntry),
)
.triage()
.hinted(23, "Убрать");
static LINK_ROADMAP: ActionSpec = ActionSpec::new(
    "link_roadmap",
    "Связать с дорожной картой",
    BROWSING,
    |_| Some(Action::LinkRoadmap),
)
.triage();
static ADD_APPEAL: ActionSpec = ActionSpec::new(
    "add_appeal",
    "Принять обращение вручную: звонок, личный приём",
    LISTING,
    |_| Some(Action::AddAppeal),
)
.triage();
static UNDO: ActionSpec = ActionSpec::new(
    "undo",
    "Отменить своё последнее изменение",
    BROWSING,
    |_| Some(Action::Undo),
)
.triage();
static OPEN_LINK: ActionSpec = ActionSpec::new(
    "open_link",
    "Ссылка на источник (открыть в браузере)",
    BROWSING,
    |_| Some(Action::OpenLink),
);
static REGISTER_FZ59: ActionSpec = ActionSpec::new(
    "register_fz59",
    "Регистрация по 59-ФЗ: номер и дата",
    BROWSING,
    |_| Some(Action::RegisterFz59),
)
.triage();
static COPY: ActionSpec = ActionSpec::new(
    "copy",
    "Копировать: номер, ссылку или текст",
    BROWSING,
    |_| Some(Action::Copy),
);

pub static CATALOGUE: &[&ActionSpec] = &[
    &NOOP,
    &UP,
    &DOWN,
    &ARROW,
    &TOP,
    &BOTTOM,
    &NEXT_PANEL,
    &PREV_PANEL,
    &OPEN,
    &BACK,
    &NEXT_APPEAL,
    &PREV_APPEAL,
    &NEXT_UNTRIAGED,
    &QUIT,
    &HELP,
    &SEARCH,
    &COMMAND,
    &FILTER,
    &VIEW,
    &SAVE_VIEW,
    &DELETE_VIEW,
    &TODAY,
    &SORT,
    &REFRESH,
    &TOGGLE_MARK,
    &MARK_ALL,
    &UNMARK_ALL,
    &SET_BLOCK,
    &ASSIGN,
    &ACCEPT,
    &SET_STATUS,
    &REJECT,
    &INTERIM_ANSWER,
    &FINAL_ANSWER,
    &GRADE,
    &RATE,
    &LINK_DUPLICATE,
    &TOGGLE_URGENT,
    &TOGGLE_CONFLICT,
    &ADD_NOTE,
    &EXTEND_DEADLINE,
    &APPLY_MARKED,
    &PICK,
    &CANCEL,
    &SUBMIT,
    &SAVE,
    &COMPLETE,
    &YES,
    &NO,
    &SCREEN,
    &NEW_ENTRY,
    &EDIT_ENTRY,
    &ENTRY_STATUS,
    &REMOVE_ENTRY,
    &LINK_ROADMAP,
    &ADD_APPEAL,
    &UNDO,
    &OPEN_LINK,
    &COPY,
    &REGISTER_FZ59,
];

impl Action {
    /// Its catalogue entry.
    pub fn spec(&self) -> &'static ActionSpec {
        match self {
            Action::Noop => &NOOP,
            Action::Up => &UP,
            Action::Down => &DOWN,
            Action::Arrow(_) => &ARROW,
            Action::Top => &TOP,
            Action::Bottom => &BOTTOM,
            Action::NextPanel => &NEXT_PANEL,
            Action::PrevPanel => &PREV_PANEL,
            Action::Open => &OPEN,
            Action::Back => &BACK,
            Action::NextAppeal => &NEXT_APPEAL,
            Action::PrevAppeal => &PREV_APPEAL,
            Action::NextUntriaged => &NEXT_UNTRIAGED,
            Action::Quit => &QUIT,
            Action::Help => &HELP,
            Action::Search => &SEARCH,
            Action::Command => &COMMAND,
            Action::Filter(_) => &FILTER,
            Action::View(_) => &VIEW,
            Action::SaveView => &SAVE_VIEW,
            Action::DeleteView(_) => &DELETE_VIEW,
            Action::Today => &TODAY,
            Action::Sort(_) => &SORT,
            Action::Refresh => &REFRESH,
            Action::ToggleMark => &TOGGLE_MARK,
            Action::MarkAll => &MARK_ALL,
            Action::UnmarkAll => &UNMARK_ALL,
            Action::SetBlock(_) => &SET_BLOCK,
            Action::Assign(_) => &ASSIGN,
            Action::Accept => &ACCEPT,
            Action::SetStatus(_) => &SET_STATUS,
            Action::Reject => &REJECT,
            Action::InterimAnswer => &INTERIM_ANSWER,
            Action::FinalAnswer => &FINAL_ANSWER,
            Action::Grade(_) => &GRADE,
            Action::Rate(_) => &RATE,
            Action::LinkDuplicate => &LINK_DUPLICATE,
            Action::ToggleUrgent => &TOGGLE_URGENT,
            Action::ToggleConflict => &TOGGLE_CONFLICT,
            Action::AddNote => &ADD_NOTE,
            Action::ExtendDeadline => &EXTEND_DEADLINE,
            Action::ApplyMarked => &APPLY_MARKED,
            Action::Pick(_) => &PICK,
            Action::Cancel => &CANCEL,
            Action::Submit => &SUBMIT,
            Action::Save => &SAVE,
            Action::Complete => &COMPLETE,
            Action::Yes => &YES,
            Action::No => &NO,
            Action::Screen(_) => &SCREEN,
            Action::NewEntry => &NEW_ENTRY,
            Action::EditEntry => &EDIT_ENTRY,
            Action::EntryStatus => &ENTRY_STATUS,
            Action::RemoveEntry => &REMOVE_ENTRY,
            Action::LinkRoadmap => &LINK_ROADMAP,
            Action::AddAppeal => &ADD_APPEAL,
            Action::Undo => &UNDO,
            Action::OpenLink => &OPEN_LINK,
            Action::Copy => &COPY,
            Action::RegisterFz59 => &REGISTER_FZ59,
        }
    }

    /// The stable name (`arrow`, `set_block`…), without the argument.
    pub fn name(&self) -> &'static str {
        self.spec().name
    }

    /// It changes data (every triage action): a read-only role does not get it.
    pub fn is_dangerous(&self) -> bool {
        self.spec().dangerous
    }

    /// It must be confirmed before it runs. Besides the actions that always ask, a status change to
    /// a side exit (`rejected`, `duplicate`, `redirected`) asks too: when the status comes from the
    /// chooser, ask this of `SetStatus(Some(chosen))`.
    pub fn needs_confirm(&self) -> bool {
        self.spec().confirm
            || matches!(
                self,
                Action::SetStatus(Some(
                    Status::Rejected | Status::Duplicate | Status::Redirected
                ))
            )
    }

    /// Whether it carries an argument (`arrow -50%`, `set_block roads`; not a bare `set_block`).
    pub fn has_argument(&self) -> bool {
        self.arg().is_some()
    }

    /// The argument as written in `run`, if any.
    fn arg(&self) -> Option<String> {
        match self {
            Action::Arrow(step) => Some(step.to_string()),
            Action::Filter(kind) => Some(kind.id().to_string()),
            Action::View(name)
            | Action::DeleteView(name)
            | Action::SetBlock(name)
            | Action::Assign(name) => name.clone(),
            Action::Sort(sort) => sort.map(|s| s.id().to_string()),
            Action::Screen(name) => Some(name.clone()),
            Action::SetStatus(status) => status.map(|s| s.id().to_string()),
            Action::Grade(quality) => quality.map(|q| q.id().to_string()),
            Action::Rate(n) | Action::Pick(n) => n.map(|n| n.to_string()),
            _ => None,
        }
    }
}

impl fmt::Display for Action {
    /// The `run` notation: `down`, `arrow -50%`, `set_status rejected`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Some(arg) = self.arg() {
            write!(f, " {arg}")?;
        }
        Ok(())
    }
}

/// A `run` value that names no action or gives it a bad argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ActionError(pub String);

impl FromStr for Action {
    type Err = ActionError;

    /// Parses `name` or `name argument`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut words = s.split_whitespace();
        let Some(name) = words.next() else {
            return Err(ActionError("empty action".to_string()));
        };
        let Some(spec) = ActionSpec::find(name) else {
            let hint = suggest(name, CATALOGUE.iter().map(|s| s.name))
                .map(|n| format!(" (did you mean «{n}»?)"))
                .unwrap_or_default();
            return Err(ActionError(format!("unknown action «{name}»{hint}")));
        };
        let arg = words.next();
        if let Some(extra) = words.next() {
            return Err(ActionError(format!(
                "«{name}» takes at most one argument, got another: «{extra}»"
            )));
        }
        match (spec.args, arg) {
            (ArgSpec::None, Some(a)) => {
                return Err(ActionError(format!(
                    "«{name}» takes no argument, got «{a}»"
                )));
            }
            (ArgSpec::Required(kind), None) => {
                return Err(ActionError(format!(
                    "«{name}» needs an argument: {}",
                    kind.expected()
                )));
            }
            _ => {}
        }
        (spec.build)(arg).ok_or_else(|| {
            let expected = match spec.args {
                ArgSpec::Optional(kind) | ArgSpec::Required(kind) => kind.expected(),
                ArgSpec::None => String::new(),
            };
            ActionError(format!(
                "bad argument «{}» for «{name}» (expected {expected})",
                arg.unwrap_or_default()
            ))
        })
    }
}

/// The closest candidate to a misspelt word, if it is close enough to be a likely typo.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance with adjacent transpositions (optimal string alignment): «assing» is one step
/// from «assign».
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_arg(kind: ArgKind) -> &'static str {
        match kind {
            ArgKind::Step => "-50%",
            ArgKind::Filter => "overdue",
            ArgKind::Status => "rejected",
            ArgKind::Quality => "formal",
            ArgKind::Rating => "5",
            ArgKind::Index => "10",
            ArgKind::Block => "roads",
            ArgKind::Recipient => "uzhkh",
            ArgKind::View => "мои",
            ArgKind::Sort => "deadline",
            ArgKind::Screen => "roadmaps",
        }
    }

    #[test]
    fn every_catalogue_entry_parses_and_prints_back() {
        for spec in CATALOGUE {
            let mut runs = vec![];
            match spec.args {
                ArgSpec::None => runs.push(spec.name.to_string()),
                ArgSpec::Optional(k) => {
                    runs.push(spec.name.to_string());
                    runs.push(format!("{} {}", spec.name, sample_arg(k)));
                }
                ArgSpec::Required(k) => runs.push(format!("{} {}", spec.name, sample_arg(k))),
            }
            for run in runs {
                let action: Action = run.parse().expect(&run);
                assert_eq!(action.to_string(), run);
                assert!(std::ptr::eq(action.spec(), *spec), "{run}");
            }
        }
    }

    #[test]
    fn names_are_unique() {
        for (i, s) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[..i].iter().all(|o| o.name != s.name),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn every_spec_has_a_russian_description_and_hinted_ones_a_label() {
        for s in CATALOGUE {
            assert!(
                s.desc
                    .chars()
                    .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
                "{}",
                s.name
            );
            assert_eq!(s.hint_priority.is_some(), !s.hint.is_empty(), "{}", s.name);
        }
    }

    #[test]
    fn confirmed_actions_are_dangerous() {
        for s in CATALOGUE {
            assert!(!s.confirm || s.dangerous, "{}", s.name);
        }
    }

    #[test]
    fn side_exit_statuses_need_confirmation() {
        assert!(Action::SetStatus(Some(Status::Rejected)).needs_confirm());
        assert!(Action::SetStatus(Some(Status::Duplicate)).needs_confirm());
        assert!(!Action::SetStatus(Some(Status::InProgress)).needs_confirm());
        assert!(!Action::SetStatus(None).needs_confirm());
        assert!(Action::Reject.needs_confirm());
        assert!(Action::LinkDuplicate.needs_confirm());
        assert!(Action::ApplyMarked.needs_confirm());
    }

    #[test]
    fn misspelt_names_get_a_suggestion() {
        let err = "assing".parse::<Action>().expect_err("unknown");
        assert_eq!(err.0, "unknown action «assing» (did you mean «assign»?)");
        let err = "frobnicate".parse::<Action>().expect_err("unknown");
        assert_eq!(err.0, "unknown action «frobnicate»");
    }

    #[test]
    fn bad_arguments_say_what_is_expected() {
        for (run, why) in [
            ("arrow", "needs an argument"),
            ("arrow 0", "non-zero step"),
            ("arrow fast", "bad argument «fast»"),
            ("down 2", "takes no argument"),
            ("filter overdu", "one of: block"),
            ("set_status lost", "one of: new"),
            ("rate 6", "from 1 to 5"),
            ("pick 0", "from 1 to 99"),
            ("set_block roads housing", "at most one"),
            ("", "empty"),
        ] {
            let err = run.parse::<Action>().expect_err(run);
            assert!(err.0.contains(why), "{run}: {err}");
        }
    }

    #[test]
    fn steps_parse_lines_and_percent() {
        assert_eq!("5".parse(), Ok(Step::Lines(5)));
        assert_eq!("+5".parse(), Ok(Step::Lines(5)));
        assert_eq!("-100%".parse(), Ok(Step::Percent(-100)));
        assert_eq!("0%".parse::<Step>(), Err(()));
    }
}

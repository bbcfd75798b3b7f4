//! Pop-ups over the main screen: a chooser (pick one of a list, by number, arrows or a fuzzy
//! query), a text input (Cyrillic, multi-line), a confirmation, the help screen.

mod view;

pub(crate) use view::draw;

use super::keymap::{Action, Context};
use crate::domain::text::fold;

/// What a pop-up's result is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    SetBlock(Vec<i64>),
    Assign(Vec<i64>),
    SetStatus(Vec<i64>),
    Grade(Vec<i64>),
    Rate(Vec<i64>),
    /// A template for an answer to these appeals (`""`: without one), then the input.
    AnswerTemplate(Vec<i64>, crate::domain::templates::Kind),
    Interim(Vec<i64>),
    Answer(Vec<i64>),
    /// The templates' screen: a template's new text (its id).
    TemplateText(String),
    /// A new template: its kind, then its block (`""`: any), then its text.
    TemplateKind,
    TemplateBlock(crate::domain::templates::Kind),
    TemplateNew(crate::domain::templates::Kind, Option<String>),
    Note(Vec<i64>),
    Extend(Vec<i64>),
    Duplicate(Vec<i64>),
    FilterBlock,
    FilterStatus,
    FilterChannel,
    FilterRecipient,
    FilterSettlement,
    Search,
    Command,
    SaveView,
    LoadView,
    /// The list's order (`store::Sort` ids).
    Sort,
    /// Which saved view to delete, then «yes» / «no» for that one.
    DeleteView,
    DeleteViewConfirm(String),
    ApplyMarked,
    /// The channel of the appeal being taken by hand (the form `add`).
    HandChannel,
    /// A text field of that form (1 text, 2 author, 3 contact, 4 settlement).
    HandField(usize),
    /// Which report the «Отчёты» screen makes.
    MakeReport,
    /// Roadmaps (`screens::roadmaps`): the chooser of `L` over these appeals (a roadmap's id,
    /// or «new»), the title of a new roadmap from them, a new roadmap, a new measure of one,
    /// which field to change and its new value (of a roadmap; of its measure N).
    LinkRoadmap(Vec<i64>),
    NewRoadmapFrom(Vec<i64>),
    NewRoadmap,
    NewMeasure(i64),
    RoadmapField(i64),
    RoadmapEdit(i64, String),
    MeasureField(i64, i64),
    MeasureEdit(i64, i64, String),
    /// A field of the official page under the cursor (`поле значение`).
    PageEdit,
    /// What of this appeal `y` copies (`id`, `url`, `text`).
    Copy(i64),
    /// The 59-ФЗ registration of this appeal: «номер дата».
    Registration(i64),
    /// The time of an answer of `kind` being written (its text kept meanwhile), then the answer's
    /// input again with that time (`screens::answer_time`).
    AnswerTime(Vec<i64>, crate::domain::templates::Kind, String),
    AnswerAt(
        Vec<i64>,
        crate::domain::templates::Kind,
        chrono::DateTime<chrono::Utc>,
    ),
}

/// One choice: the value passed on and the label shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub value: String,
    pub label: String,
}

/// A pick-one list.
#[derive(Debug, Clone, PartialEq)]
pub struct Chooser {
    pub title: String,
    pub items: Vec<Item>,
    /// Typed letters narrowing the list (fuzzy, case- and ё-insensitive).
    pub query: String,
    /// Index into `visible()`.
    pub selected: usize,
    pub purpose: Purpose,
}

impl Chooser {
    /// A chooser over these items.
    pub fn new(title: impl Into<String>, items: Vec<Item>, purpose: Purpose) -> Self {
        Self {
            title: title.into(),
            items,
            query: String::new(),
            selected: 0,
            purpose,
        }
    }

    /// The items matching the query, best first: a subsequence match of the folded query in the
    /// folded label, earlier and tighter matches ranked higher.
    pub fn visible(&self) -> Vec<&Item> {
        if self.query.is_empty() {
            return self.items.iter().collect();
        }
        let q: Vec<char> = fold(&self.query).chars().collect();
        let mut scored: Vec<(usize, &Item)> = self
            .items
            .iter()
            .filter_map(|it| fuzzy_score(&q, &fold(&it.label)).map(|s| (s, it)))
            .collect();
        scored.sort_by_key(|(s, _)| *s);
        scored.into_iter().map(|(_, it)| it).collect()
    }

    /// Moves in the list or takes an item (highlighted, or by number).
    fn perform(&mut self, action: &Action) -> Outcome {
        match action {
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::Arrow(step) => self.move_by(step.rows(10)),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.visible().len().saturating_sub(1),
            Action::Pick(n) => {
                let item = match n {
                    Some(n) => self
                        .visible()
                        .get(usize::from(*n).saturating_sub(1))
                        .copied(),
                    None => self.current(),
                };
                if let Some(item) = item {
                    return Outcome::Done(self.purpose.clone(), item.value.clone());
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    /// The highlighted item.
    pub fn current(&self) -> Option<&Item> {
        self.visible().get(self.selected).copied()
    }

    /// Moves the highlight.
    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        let cur = self.selected as isize + delta;
        self.selected = cur.clamp(0, n as isize - 1) as usize;
    }

    /// The item at a number key (1–9, then 0 for the tenth), if any.
    pub fn by_number(&self, digit: char) -> Option<&Item> {
        let n = match digit {
            '1'..='9' => digit as usize - '1' as usize,
            '0' => 9,
            _ => return None,
        };
        self.visible().get(n).copied()
    }

    /// Types a character into the query.
    pub fn type_char(&mut self, c: char) {
        self.query.push(c);
        self.selected = 0;
    }

    /// Deletes the last character of the query.
    pub fn backspace(&mut self) {
        self.query.pop();
        self.selected = 0;
    }
}

/// Lower is better; `None` when `q` is not a subsequence of `s`.
fn fuzzy_score(q: &[char], s: &str) -> Option<usize> {
    let chars: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let mut first = None;
    let mut gaps = 0;
    for &c in q {
        let found = chars[pos..].iter().position(|&x| x == c)?;
        if first.is_none() {
            first = Some(pos + found);
        } else {
            gaps += found;
        }
        pos += found + 1;
    }
    // A contiguous match anywhere beats a scattered one.
    let contiguous = s.contains(&q.iter().collect::<String>());
    Some(if contiguous { 0 } else { 1000 } + gaps * 10 + first.unwrap_or(0))
}

/// A text input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub title: String,
    pub text: String,
    /// Cursor position, in characters.
    pub cursor: usize,
    /// Enter inserts a new line (Ctrl-S saves); otherwise Enter submits.
    pub multiline: bool,
    pub purpose: Purpose,
    /// Words `Tab` completes the first word of the text to (the `:` commands).
    pub completions: Vec<&'static str>,
}

impl Input {
    /// An empty input.
    pub fn new(title: impl Into<String>, multiline: bool, purpose: Purpose) -> Self {
        Self {
            title: title.into(),
            text: String::new(),
            cursor: 0,
            multiline,
            purpose,
            completions: Vec::new(),
        }
    }

    /// The first word completes (`Tab`) to one of these.
    pub fn with_completions(mut self, words: &[&'static str]) -> Self {
        self.completions = words.to_vec();
        self
    }

    /// `Tab`: completes the first word when exactly one of the completions starts with it.
    pub fn complete(&mut self) {
        if self.text.contains(' ') {
            return;
        }
        let hits: Vec<&str> = self
            .completions
            .iter()
            .copied()
            .filter(|c| c.starts_with(self.text.as_str()))
            .collect();
        if let [one] = hits.as_slice() {
            self.text = format!("{one} ");
            self.cursor = self.text.chars().count();
        }
    }

    /// An input starting with some text, cursor at its end.
    pub fn with_text(mut self, text: &str) -> Self {
        self.text = text.to_string();
        self.cursor = text.chars().count();
        self
    }

    fn byte_at(&self, char_idx: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_idx)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts a character at the cursor (any script).
    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Inserts pasted text at the cursor.
    pub fn insert_str(&mut self, s: &str) {
        // Line breaks arrive as LF, CR LF or a lone CR (terminals send Enter as CR in a paste).
        let text = s.replace("\r\n", "\n").replace('\r', "\n");
        for c in text.chars() {
            self.insert(if !self.multiline && c == '\n' { ' ' } else { c });
        }
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let end = self.byte_at(self.cursor);
        let start = self.byte_at(self.cursor - 1);
        self.text.replace_range(start..end, "");
        self.cursor -= 1;
    }

    /// Deletes the character under the cursor.
    pub fn delete(&mut self) {
        if self.cursor >= self.text.chars().count() {
            return;
        }
        let start = self.byte_at(self.cursor);
        let end = self.byte_at(self.cursor + 1);
        self.text.replace_range(start..end, "");
    }

    /// Moves the cursor left or right.
    pub fn move_cursor(&mut self, delta: isize) {
        let n = self.text.chars().count() as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, n) as usize;
    }

    /// Moves the cursor to the start or end of the text.
    pub fn home_end(&mut self, end: bool) {
        self.cursor = if end { self.text.chars().count() } else { 0 };
    }
}

/// A question before a destructive action.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub message: String,
    /// What to do on «да».
    pub then: Box<super::screens::triage::Pending>,
}

/// A scrolled read-only text: the help, the messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    /// The first line shown.
    pub scroll: u16,
    /// The last first line that still fills the page — known once drawn (`u16::MAX` before):
    /// scrolling stops there instead of running into blank pages.
    pub max: u16,
    /// Lines on a page (known once drawn).
    pub page: u16,
}

impl Default for Pager {
    fn default() -> Self {
        Self {
            scroll: 0,
            max: u16::MAX,
            page: 10,
        }
    }
}

impl Pager {
    /// Scrolls by a movement action.
    pub fn perform(&mut self, action: &Action) {
        let to = match action {
            Action::Down => self.scroll as isize + 1,
            Action::Up => self.scroll as isize - 1,
            Action::Arrow(step) => self.scroll as isize + step.rows(usize::from(self.page)),
            Action::Top => 0,
            Action::Bottom => self.max as isize,
            _ => return,
        };
        self.scroll = to.clamp(0, self.max as isize) as u16;
    }

    /// Wraps `lines` at `width` (`tui::view::wrap`, continuation rows indented by `indent`) for a
    /// page of `page` rows and sets the bounds from the rows that gives: what to draw, unwrapped.
    pub fn fit_wrapped(
        &mut self,
        lines: &[ratatui::text::Line],
        width: u16,
        page: u16,
        indent: usize,
    ) -> Vec<ratatui::text::Line<'static>> {
        let rows = crate::tui::view::wrap(lines, width, indent);
        self.fit(rows.len(), page);
        rows
    }

    /// Sets the bounds from what was drawn: `lines` of text in a page of `page` lines.
    pub fn fit(&mut self, lines: usize, page: u16) {
        self.page = page.max(1);
        self.max = u16::try_from(lines.saturating_sub(usize::from(page))).unwrap_or(u16::MAX);
        self.scroll = self.scroll.min(self.max);
    }
}

/// The pop-up on top, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Chooser(Chooser),
    Input(Input),
    Confirm(Confirm),
    /// The keys of the screen in force.
    Help(Pager),
    /// The recent messages (`:messages`).
    Messages(Pager),
}

/// What an action did to a pop-up.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// It stays open (moved, edited, or the action means nothing here).
    Stay,
    /// Closed without a result.
    Close,
    /// A value was chosen or a text submitted, for this purpose: the pop-up closes.
    Done(Purpose, String),
    /// The confirmation was answered: the pop-up closes.
    Answered(bool),
}

impl Popup {
    /// The keymap section in force while this pop-up is open.
    pub fn context(&self) -> Context {
        match self {
            Popup::Chooser(_) => Context::Chooser,
            Popup::Input(_) => Context::Input,
            Popup::Confirm(_) => Context::Confirm,
            Popup::Help(_) | Popup::Messages(_) => Context::Help,
        }
    }

    /// Performs an action: moving in the pop-up, taking its choice, submitting its text,
    /// answering it, closing it.
    pub fn perform(&mut self, action: &Action) -> Outcome {
        match (self, action) {
            (Popup::Confirm(_), Action::Yes) => Outcome::Answered(true),
            (Popup::Confirm(_), Action::Back | Action::Cancel | Action::No) => {
                Outcome::Answered(false)
            }
            (_, Action::Back | Action::Cancel | Action::No) => Outcome::Close,
            (Popup::Chooser(c), a) => c.perform(a),
            (Popup::Help(p) | Popup::Messages(p), a) => {
                p.perform(a);
                Outcome::Stay
            }
            // Enter adds a line to a multi-line text; Ctrl-S (or Enter in one line) submits.
            (Popup::Input(i), Action::Submit) if i.multiline => {
                i.insert('\n');
                Outcome::Stay
            }
            (Popup::Input(i), Action::Submit | Action::Save) => {
                Outcome::Done(i.purpose.clone(), i.text.clone())
            }
            (Popup::Input(i), Action::Complete) => {
                i.complete();
                Outcome::Stay
            }
            _ => Outcome::Stay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(labels: &[&str]) -> Vec<Item> {
        labels
            .iter()
            .map(|l| Item {
                value: l.to_string(),
                label: l.to_string(),
            })
            .collect()
    }

    #[test]
    fn fuzzy_query_finds_recipients_by_fragments_in_any_case() {
        let mut c = Chooser::new(
            "t",
            items(&[
                "Отдел образования",
                "Отдел ЖКХ и благоустройства",
                "МБОУ «Юркинская школа»",
            ]),
            Purpose::FilterRecipient,
        );
        for ch in "жкх".chars() {
            c.type_char(ch);
        }
        assert_eq!(
            c.current().map(|i| i.label.as_str()),
            Some("Отдел ЖКХ и благоустройства")
        );
        c.query.clear();
        for ch in "шк".chars() {
            c.type_char(ch);
        }
        assert_eq!(c.visible().len(), 1);
    }

    #[test]
    fn number_keys_pick_the_nth_item_and_zero_the_tenth() {
        let c = Chooser::new(
            "t",
            items(&["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
            Purpose::FilterBlock,
        );
        assert_eq!(c.by_number('3').map(|i| i.value.as_str()), Some("3"));
        assert_eq!(c.by_number('0').map(|i| i.value.as_str()), Some("10"));
    }

    #[test]
    fn a_chooser_gives_its_purpose_and_the_picked_value() {
        let mut p = Popup::Chooser(Chooser::new(
            "t",
            items(&["a", "b", "c"]),
            Purpose::SetBlock(vec![7]),
        ));
        assert_eq!(p.context(), Context::Chooser);
        assert_eq!(p.perform(&Action::Down), Outcome::Stay);
        assert_eq!(
            p.perform(&Action::Pick(None)),
            Outcome::Done(Purpose::SetBlock(vec![7]), "b".into())
        );
        assert_eq!(
            p.perform(&Action::Pick(Some(3))),
            Outcome::Done(Purpose::SetBlock(vec![7]), "c".into())
        );
        assert_eq!(p.perform(&Action::Pick(Some(9))), Outcome::Stay);
        assert_eq!(p.perform(&Action::Back), Outcome::Close);
    }

    #[test]
    fn enter_breaks_a_line_in_a_multiline_input_and_ctrl_s_submits() {
        let mut p = Popup::Input(Input::new("t", true, Purpose::Note(vec![1])));
        if let Popup::Input(i) = &mut p {
            i.insert_str("раз");
        }
        assert_eq!(p.perform(&Action::Submit), Outcome::Stay);
        assert_eq!(
            p.perform(&Action::Save),
            Outcome::Done(Purpose::Note(vec![1]), "раз\n".into())
        );
        let mut one = Popup::Input(Input::new(":", false, Purpose::Command));
        assert!(matches!(one.perform(&Action::Submit), Outcome::Done(..)));
    }

    #[test]
    fn tab_completes_the_first_word_only_when_unambiguous() {
        let mut i =
            Input::new(":", false, Purpose::Command).with_completions(&["goto", "grep", "view"]);
        i.insert('v');
        i.complete();
        assert_eq!(i.text, "view ");
        let mut i = Input::new(":", false, Purpose::Command).with_completions(&["goto", "grep"]);
        i.insert('g');
        i.complete();
        assert_eq!(i.text, "g", "two commands start with g");
    }

    #[test]
    fn a_confirmation_is_answered_by_yes_or_back() {
        let mut p = Popup::Confirm(Confirm {
            message: "?".into(),
            then: Box::new(crate::tui::screens::triage::Pending::Apply(vec![1], vec![])),
        });
        assert_eq!(p.perform(&Action::Yes), Outcome::Answered(true));
        assert_eq!(p.perform(&Action::Cancel), Outcome::Answered(false));
        assert_eq!(p.perform(&Action::Down), Outcome::Stay);
    }

    #[test]
    fn a_pager_stops_at_its_last_page_once_drawn() {
        let mut p = Popup::Help(Pager::default());
        if let Popup::Help(pg) = &mut p {
            pg.fit(30, 10);
        }
        p.perform(&Action::Bottom);
        assert!(matches!(p, Popup::Help(Pager { scroll: 20, .. })));
        p.perform(&Action::Down);
        assert!(
            matches!(p, Popup::Help(Pager { scroll: 20, .. })),
            "no blank pages"
        );
        p.perform(&Action::Arrow(crate::tui::keymap::Step::Percent(-100)));
        assert!(matches!(p, Popup::Help(Pager { scroll: 10, .. })));
        p.perform(&Action::Top);
        assert!(matches!(p, Popup::Help(Pager { scroll: 0, .. })));
    }

    #[test]
    fn input_edits_cyrillic_by_characters_not_bytes() {
        let mut i = Input::new("t", true, Purpose::Note(vec![1]));
        for ch in "ямa".chars() {
            i.insert(ch);
        }
        i.move_cursor(-1);
        i.backspace();
        assert_eq!(i.text, "яa");
        i.insert_str("ё\r\nж");
        assert_eq!(i.text, "яё\nжa");
        let mut cr = Input::new("t", true, Purpose::Note(vec![1]));
        cr.insert_str("Строка один\rСтрока два\r\nтри");
        assert_eq!(cr.text, "Строка один\nСтрока два\nтри");
        i.home_end(false);
        i.delete();
        assert_eq!(i.text, "ё\nжa");
    }
}

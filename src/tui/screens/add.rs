//! The form of an appeal taken by hand (`N` in the main list, action `add_appeal`): channel, text,
//! author, contact, settlement. Each field is edited in the usual pop-ups (a chooser for the
//! channel, a text input for the rest; the text first, as the form opens); «Сохранить» creates
//! the appeal through the same intake as `mcu add` (`ingest::hand`: mcu makes its id, triages it
//! at once, the history names the operator) and shows it.

use std::any::Any;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Effect, Env, Screen, error_text};
use crate::domain::Channel;
use crate::ingest::hand::{HandAppeal, add_appeal};
use crate::store::{Actor, StoreError};
use crate::textwidth::fit;
use crate::tui::keymap::{Action, Context};
use crate::tui::popup::{Chooser, Input, Item, Popup, Purpose};
use crate::tui::view::panel;
use crate::tui::writes::{Job, Reply};

/// The rows of the form, in order; the last one saves.
pub const FIELDS: [&str; 6] = [
    "Канал",
    "Текст",
    "Автор",
    "Контакт",
    "Населённый пункт",
    "Сохранить",
];
const CHANNEL: usize = 0;
const TEXT: usize = 1;
const SAVE: usize = 5;

/// The form.
#[derive(Debug, Clone, PartialEq)]
pub struct AddForm {
    pub channel: Channel,
    /// Text, author, contact, settlement (by the field's index − 1).
    pub values: [String; 4],
    /// The row under the cursor.
    pub field: usize,
}

impl Default for AddForm {
    fn default() -> Self {
        Self {
            channel: Channel::Phone,
            values: Default::default(),
            field: TEXT,
        }
    }
}

/// Opens the form over the current screen, with the text's input open; refused to an operator
/// who may not take appeals down.
pub fn open(env: &mut Env) {
    if !env.grants.may_import() {
        env.say("Недоступно вашей роли: принимать обращения вручную", true);
        return;
    }
    let form = AddForm::default();
    form.edit(env);
    env.push_screen(Box::new(form));
}

impl AddForm {
    /// Opens the pop-up that edits the field under the cursor (or saves on «Сохранить»).
    fn edit(&self, env: &mut Env) {
        match self.field {
            CHANNEL => env.open(Popup::Chooser(Chooser::new(
                "Канал обращения",
                [
                    Channel::Phone,
                    Channel::Other,
                    Channel::Letter,
                    Channel::Messenger,
                ]
                .into_iter()
                .chain(Channel::ALL)
                .fold(Vec::<Item>::new(), |mut items, c| {
                    if !items.iter().any(|i| i.value == c.id()) {
                        items.push(Item {
                            value: c.id().into(),
                            label: channel_label(c).into(),
                        });
                    }
                    items
                }),
                Purpose::HandChannel,
            ))),
            i @ 1..=4 => {
                let title = if i == TEXT {
                    "Текст обращения (Ctrl-S — готово)".to_string()
                } else {
                    FIELDS[i].to_string()
                };
                let input = Input::new(title, i == TEXT, Purpose::HandField(i));
                env.open(Popup::Input(input.with_text(&self.values[i - 1])));
            }
            _ => {}
        }
    }

    /// Creates the appeal, then closes the form and opens the appeal.
    fn save(&mut self, env: &mut Env) -> Result<(), StoreError> {
        if self.values[0].trim().is_empty() {
            self.field = TEXT;
            env.say("Нет текста обращения — запишите, что сказал житель", true);
            return Ok(());
        }
        let opt = |s: &String| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let hand = HandAppeal {
            channel: Some(self.channel),
            text: self.values[0].clone(),
            author: opt(&self.values[1]),
            contact: opt(&self.values[2]),
            settlement: opt(&self.values[3]),
            received_at: None,
        };
        if env.writes.pending() > 0 {
            // Not twice: the first save may still be on its way.
            env.say("Ещё сохраняю — дождитесь «Принято»", true);
            return Ok(());
        }
        let actor = Actor::operator(env.grants.clone(), "console");
        let now = env.now();
        let triage = env.triage.clone();
        // Through the write queue: the form stays (with what was typed) until the appeal is
        // saved, then closes and the new appeal opens.
        let job = Job::op(
            "новое обращение",
            actor.clone(),
            now,
            move |store| match add_appeal(store, triage.as_deref(), &actor, &hand, now) {
                Ok(added) => Ok(Reply {
                    text: format!(
                        "Принято обращение №{} ({}:{})",
                        added.id,
                        added.channel.id(),
                        added.source_id
                    ),
                    error: false,
                    effects: vec![
                        Effect::CloseTop(HELP_TITLE),
                        Effect::Saved,
                        Effect::Open(added.id),
                    ],
                    popup: None,
                }),
                Err(e) if e.is_busy() => Err(e),
                Err(e) => Ok(Reply::refused(error_text(&e, None))),
            },
        );
        super::triage::submit_op(env, job)
    }
}

/// The form's title in help, which also names it for [`Effect::CloseTop`].
const HELP_TITLE: &str = "Новое обращение";

fn channel_label(c: Channel) -> &'static str {
    match c {
        Channel::Other => "Другое (личный приём и пр.)",
        c => c.label_ru(),
    }
}

impl Screen for AddForm {
    fn context(&self) -> Context {
        Context::Register
    }

    fn help_title(&self) -> &'static str {
        HELP_TITLE
    }

    fn draw(&mut self, f: &mut Frame, area: Rect, env: &Env) {
        let t = &env.theme;
        let block = panel(t, "Новое обращение, принятое вручную".into(), true);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = usize::from(inner.width);
        let value_w = w.saturating_sub(20);
        let mut lines = Vec::new();
        for (i, name) in FIELDS.iter().enumerate() {
            let value = match i {
                CHANNEL => channel_label(self.channel).to_string(),
                SAVE => String::new(),
                _ => self.values[i - 1].replace('\n', " "),
            };
            let style = if i == self.field {
                t.selected()
            } else {
                t.status()
            };
            if i == SAVE {
                lines.push(Line::raw(""));
                lines.push(Line::styled(fit("[ Сохранить и разобрать ]", w), style));
                continue;
            }
            let shown = if value.is_empty() {
                "—".to_string()
            } else {
                value
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<19} ", fit(name, 19)), style),
                Span::raw(fit(&shown, value_w)),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            fit(
                "Enter — изменить поле или сохранить · j/k — по полям · Esc — отменить",
                w,
            ),
            t.dim(),
        ));
        lines.push(Line::styled(
            fit(
                "Номер обращению даёт mcu; после сохранения оно разбирается автоматически.",
                w,
            ),
            t.dim(),
        ));
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn perform(&mut self, action: &Action, env: &mut Env) -> Result<bool, StoreError> {
        match action {
            Action::Back | Action::Cancel | Action::No => {
                env.say("Обращение не сохранено", false);
                env.request(Effect::Close);
            }
            Action::Open | Action::NewEntry | Action::EditEntry => {
                if self.field == SAVE {
                    self.save(env)?;
                } else {
                    self.edit(env);
                }
            }
            a => {
                return Ok(super::votes::step(
                    &mut self.field,
                    FIELDS.len(),
                    a,
                    FIELDS.len(),
                ));
            }
        }
        Ok(true)
    }

    fn on_result(
        &mut self,
        purpose: &Purpose,
        value: &str,
        _env: &mut Env,
    ) -> Result<bool, StoreError> {
        match purpose {
            Purpose::HandChannel => {
                if let Ok(c) = value.parse() {
                    self.channel = c;
                }
                self.field = TEXT;
            }
            Purpose::HandField(i @ 1..=4) => {
                self.values[i - 1] = value.to_string();
                // On to the next field.
                self.field = (i + 1).min(SAVE);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn refresh(&mut self, _env: &mut Env) -> Result<(), StoreError> {
        Ok(())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

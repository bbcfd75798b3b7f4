//! The console's `:` commands: one table for Tab completion, the help pop-up and the message of
//! an unknown command. The main screen runs the filter commands itself; the screen commands open
//! a screen through `screens::registers::open`.

/// One `:` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command {
    /// What is typed after `:`.
    pub name: &'static str,
    /// Its arguments as help shows them ("" for none).
    pub args: &'static str,
    /// What it does (Russian, for help).
    pub desc: &'static str,
    /// Whether it opens a screen (rather than acting on the main screen's list).
    pub screen: bool,
}

const fn cmd(name: &'static str, args: &'static str, desc: &'static str) -> Command {
    Command {
        name,
        args,
        desc,
        screen: false,
    }
}

const fn scr(name: &'static str, desc: &'static str) -> Command {
    Command {
        name,
        args: "",
        desc,
        screen: true,
    }
}

/// Every `:` command, in the order help lists them.
pub const COMMANDS: &[Command] = &[
    cmd("block", "БЛОК", "Фильтр по блоку (none — без блока)"),
    cmd("status", "СТАТУС", "Фильтр по статусу"),
    cmd("channel", "КАНАЛ", "Фильтр по каналу"),
    cmd("recipient", "ИМЯ", "Ответственный (none — не назначено)"),
    cmd("settlement", "ИМЯ", "Фильтр по населённому пункту"),
    cmd("overdue", "", "Только просроченные"),
    cmd("urgent", "", "Только срочные"),
    cmd("search", "СЛОВА", "Поиск по тексту"),
    cmd("clear", "", "Снять поиск и фильтры"),
    cmd("goto", "N", "Открыть обращение по номеру"),
    cmd("today", "", "Что требует действия сегодня"),
    cmd("sort", "ПОРЯДОК", "Сортировка (deadline, block…)"),
    cmd("view", "ИМЯ", "Сохранённый вид"),
    cmd("delview", "ИМЯ", "Удалить сохранённый вид"),
    cmd("refresh", "", "Перечитать данные"),
    cmd("messages", "", "Журнал сообщений"),
    scr("roadmaps", "Дорожные карты"),
    scr("pages", "Реестр госпабликов"),
    scr("votes", "Голосования"),
    scr("templates", "Шаблоны ответов"),
    scr("reports", "Отчёты"),
    scr("hot", "Горячие темы"),
    scr("targets", "Целевые показатели"),
    scr("conflicts", "Конфликты и ошибки коммуникации"),
    cmd("q", "", "Выйти из консоли"),
];

/// The command names, for completion.
pub fn names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

/// Help's lines: `(":name ARGS", description)`.
pub fn help(commands: &[Command]) -> Vec<(String, String)> {
    commands
        .iter()
        .map(|c| {
            let usage = if c.args.is_empty() {
                format!(":{}", c.name)
            } else {
                format!(":{} {}", c.name, c.args)
            };
            (usage, c.desc.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut n = names();
        n.sort_unstable();
        let len = n.len();
        n.dedup();
        assert_eq!(n.len(), len);
    }
}

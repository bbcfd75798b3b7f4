//! Urgency and conflict: weighted cues over the folded words of a text, and a few marks of tone
//! («?!», «!!!», angry emoji, capitals, sarcastic quotes). A cue is one or more groups of words
//! that must all occur within a window of words; a word ending in `*` matches by prefix. The cue
//! weights add up; at [`THRESHOLD`] the flag is raised, with the labels of the cues as reasons.
//!
//! The conventions (`../shared/data/README.md`): urgent is danger to life or health, or no heating,
//! water or power (an accident, a collapse); conflict is an aggressive tone, insults, or a complaint
//! that an earlier appeal was ignored or answered formally. Some cues subtract: «батареи горячие»
//! takes the urgency out of «дети мёрзнут», thanks take the edge off a complaint.

use std::collections::HashMap;

use serde::Serialize;

use super::features::Analysis;
use crate::domain::text::{is_letter, is_letter_or_digit};

/// Summed cue weight at which a flag is raised.
pub const THRESHOLD: f32 = 1.0;

/// A cue: a label shown as the reason, its weight, the groups that must co-occur, the window.
type CueDef = (&'static str, f32, &'static [&'static str], usize);

const CHILD: &str = "дет*|ребен*|ребят*|школьни*|пацан*|малыш*|подрост*|детвор*|девочк*|мальчик*";

/// Cues of urgency.
const URGENT: &[CueDef] = &[
    (
        "нет света, воды, тепла или газа",
        1.0,
        &[
            "нет|без|отключ*|пропал*|пропада*|отсутств*|перебо*|подач*",
            "свет|света|свету|электричеств*|электроэнерг*|электроснабж*|отоплен*|тепла|тепло|вода|воды|воду|водоснабж*|водопровод*|газ|газа|газу|газоснабж*",
        ],
        3,
    ),
    ("обесточено", 1.0, &["обесточ*"], 1),
    (
        "не отапливается",
        1.0,
        &["не|плохо", "отаплива*|топят|греют|греет|прогрева*"],
        2,
    ),
    (
        "холодные батареи",
        1.0,
        &["холодн*|ледян*", "батаре*|радиатор*"],
        2,
    ),
    (
        "холод в помещении",
        0.6,
        &["мерзн*|мерзнут|замерза*|замерзл*|мерзл*"],
        1,
    ),
    (
        "дети болеют",
        0.4,
        &["болеют|болеет|заболел*|заболева*|простужа*|простыл*", CHILD],
        6,
    ),
    (
        "угроза жизни или здоровью",
        1.0,
        &["опасн*|угроз*|угрожа*|риск*", "жизн*|здоровь*"],
        3,
    ),
    (
        "едва не случилась беда",
        1.0,
        &[
            "чуть|едва",
            "не",
            "сбил*|убил*|утонул*|упал*|задавил*|погиб*|покусал*|сбила",
        ],
        4,
    ),
    (
        "пока не случилась беда",
        1.0,
        &[
            "пока",
            "не",
            "убил*|убьет*|разбил*|случил*|пострада*|погиб*|покалеч*|убьют|убился|упал*|упадет|провалит*|травм*",
        ],
        4,
    ),
    (
        "можно погибнуть или разбиться",
        0.8,
        &[
            "можно|может|могут",
            "улететь|слететь|упасть|разбиться|провалиться|погибнуть|утонуть|покалечиться|пострадать",
        ],
        2,
    ),
    (
        "обрушение",
        0.7,
        &[
            "обрушил*|обрушен*|обрушива*|обвал*|рухнул*|рухнет|рухнуть|просел*|сползл*|провалил*|прорыв*|порыв*|разруша*|трещат|трескает*",
        ],
        1,
    ),
    (
        "авария",
        0.5,
        &["авария|аварии|аварию|аварией|аварийка|аварийку|аварийная|аварийную"],
        1,
    ),
    (
        "ДТП",
        1.0,
        &["дтп|кювет*|перевернул*|столкнул*|столкновени*|сбили|сбила|сбил"],
        1,
    ),
    (
        "люди застряли",
        0.5,
        &[
            "сломал*|застрял*|заглох*|высадил*",
            "трасс*|поле|поля|посреди|лесу",
        ],
        4,
    ),
    (
        "на морозе",
        0.5,
        &["стоят|стоим|ждут|ждем|сидят|замерза*", "мороз*|холод*"],
        4,
    ),
    ("срочно", 0.3, &["срочно|срочная|срочные"], 1),
    ("вода вышла из берегов", 1.0, &["вышла|вышли", "берегов"], 2),
    (
        "прорыв трубы",
        1.0,
        &[
            "прорыв*|порыв*|лопнул*|прорвал*",
            "труб*|водопровод*|теплотрасс*|канализац*",
        ],
        3,
    ),
    (
        "затопление",
        0.8,
        &[
            "затопил*|затоплен*|заливает|залило|топит|подтопил*|подтоплен*|подтопл*",
            "подвал*|квартир*|дом*|улиц*|двор*|огород*",
        ],
        4,
    ),
    ("пожар", 0.5, &["пожар*"], 1),
    (
        "поджог, возгорание",
        1.0,
        &["загорел*|загорани*|подожгли|поджог*|подожгл*|возгоран*|полыха*"],
        1,
    ),
    (
        "горит",
        1.0,
        &[
            "горит|горят|горело",
            "дом*|сарай*|трав*|лес|баня|бани|машин*|здани*|огонь|пламя|крыш*|мусор*|поле|сено",
        ],
        3,
    ),
    (
        "запах газа, утечка",
        1.0,
        &["запах*|утечк*|пахнет", "газ|газа|газом"],
        3,
    ),
    (
        "повреждён газопровод",
        1.0,
        &[
            "газопровод*|газов*",
            "поврежд*|повредил*|погнул*|сломал*|пробит*|пробил*|оборвал*",
        ],
        6,
    ),
    (
        "оборваны провода",
        1.0,
        &[
            "оборван*|оборвал*|оголен*|висят|висит|провис*|искрит*|лежат|упал*",
            "провод*|кабел*",
        ],
        3,
    ),
    ("искрит", 0.8, &["искрит*"], 1),
    (
        "упало дерево или столб",
        0.7,
        &[
            "упал*|повал*|рухнул*|навис*|сломал*|накренил*",
            "дерев*|берез*|тополь*|столб*|опор*",
        ],
        4,
    ),
    (
        "стоки на улице",
        1.0,
        &[
            "канализац*|сток*|нечистот*|фекал*",
            "теч*|текут|переполн*|излив*|разлив*|затоп*|растека*|выливает*|льется",
        ],
        6,
    ),
    (
        "нападают собаки",
        1.0,
        &[
            "собак*|стая|стаи|стаю|псы|псов",
            "кида*|бросает*|бросают*|броса*|напал*|напада*|укус*|покусал*|кусают*|кусает*",
        ],
        14,
    ),
    (
        "дети рядом",
        0.4,
        &[
            CHILD,
            "играют|играет|лазят|лазают|лазит|катаются|гуляют|бегают|ходят",
        ],
        3,
    ),
    (
        "опасность для детей",
        0.6,
        &[
            CHILD,
            "гвозд*|торчат|торчит|арматур*|прут*|люк*|бочк*|топлив*|провод*|обрыв*|шата*|отвалил*|сломан*|разломан*|стекл*|прорубь*|полынь*|тонк*",
        ],
        8,
    ),
    (
        "открытый люк или яма",
        0.6,
        &["открыт*|незакрыт*|без", "люк*|колодц*|колодец|бочк*|крышк*"],
        2,
    ),
    (
        "ребёнок оставлен один",
        1.0,
        &["высадил*|оставил*|бросил*|выгнал*", CHILD],
        4,
    ),
    (
        "пропал человек",
        1.0,
        &["пропал*|потерял*|ушел|ушла", CHILD],
        3,
    ),
    ("низкая температура", 0.6, &["#cold"], 1),
    // What takes the alarm out of a cold room: the heating works.
    (
        "батареи горячие",
        -0.6,
        &["батаре*|радиатор*", "горяч*|тепл*"],
        2,
    ),
    (
        "отопление работает",
        -0.6,
        &["котельн*|отоплен*", "работа*|исправн*"],
        3,
    ),
];

/// Cues of conflict.
const CONFLICT: &[CueDef] = &[
    (
        "отписка",
        1.0,
        &["отписк*|отписыва*|отписал*|формальн*|формально"],
        1,
    ),
    (
        "резкие слова",
        1.0,
        &[
            "бездейств*|безобраз*|возмутит*|возмущ*|бардак*|издевательств*|издева*|позор*|беспредел*|наплеват*|плевать|халатн*|произвол*|игнорир*|проигнорир*|безнаказ*|обнаглел*|хам*|нахам*|безответствен*|наглост*|нагло|надоело|достало|достали|доколе",
        ],
        1,
    ),
    (
        "оскорбления",
        1.0,
        &[
            "идиот*|дурак*|дебил*|бездельник*|дармоед*|ворюг*|вор|воры|ворует*|воруют|разворовал*|козл*|тупые|тупой|скотин*|зажрал*|чинуш*|быдл*|урод*|сволоч*|мерзав*|негодя*|подлец*|бестолоч*|упыр*|кровопийц*|бля*|хрен*|сука|суки|пизд*|еба*|ебу*|мудак*|мудил*|говн*|дерьм*|жоп*|сдохн*",
        ],
        1,
    ),
    (
        "никакой реакции",
        1.0,
        &["ноль|никакой|нет|никакая|без|никакого", "реакц*|толку|толк"],
        2,
    ),
    ("никому нет дела", 1.0, &["никому|никого", "дела|дело"], 2),
    (
        "не отвечают",
        0.6,
        &["не", "отвечают|отвечает|реагируют"],
        1,
    ),
    ("молчат", 0.6, &["молчит|молчат|тишина|отмалчива*"], 1),
    (
        "не делают своё дело",
        0.4,
        &[
            "не",
            "вывозят|убирают|чистят|ремонтируют|делают|приезжают|выплатил*|выплачива*|платит|платят",
        ],
        1,
    ),
    (
        "задерживают выплаты",
        0.6,
        &["задерживают|задержива*|задержка|задержки|задолженност*"],
        1,
    ),
    ("жалобы", 0.4, &["жалоб*|жаловались|жалуемся"], 1),
    (
        "давно не",
        0.5,
        &[
            "не",
            "видели|было|приезжал*|появлял*|заезжал*",
            "полгода|месяц*|год*|лет|недел*",
        ],
        4,
    ),
    ("ни разу", 0.6, &["ни", "разу"], 1),
    ("это нормально?", 0.6, &["это", "нормально|нормальн*"], 1),
    ("разводят руками", 0.6, &["разводит|разводят", "руками"], 1),
    (
        "за что платим",
        0.6,
        &["платим|плачу|оплачиваем|платить", "что|за|деньги"],
        2,
    ),
    (
        "рост цен",
        0.5,
        &[
            "подняли|подорожал*|выросл*|повысил*",
            "цен*|тариф*|плат*|аренд*|стоимост*|проезд",
        ],
        4,
    ),
    (
        "без обсуждения с жителями",
        0.7,
        &[
            "без|не",
            "обсуждени*|согласовани*|спросив|спросили|посоветовал*",
        ],
        2,
    ),
    ("поборы", 0.7, &["поборы|побор*|куда идут|куда уходят"], 1),
    (
        "для галочки",
        0.8,
        &["галочки|показух*|очковтирательств*|для отчета"],
        1,
    ),
    ("за копейки", 0.5, &["копейки|бесценок"], 1),
    ("захват", 0.4, &["захват*|самозахват*"], 1),
    (
        "не дозвониться",
        0.7,
        &["невозможно|нельзя|не", "дозвон*|набрать|достучаться"],
        2,
    ),
    ("не реагируют", 1.0, &["не", "реагиру*|отреагир*"], 1),
    (
        "никто ничего не делает",
        1.0,
        &[
            "никто|никого|никакого|ничего|никому",
            "не",
            "ответ*|отвечает|отвечают|реагир*|приехал*|пришел|пришли|сделал*|делает*|делают|слышит|берет|берут|интересует*|волнует*|собирается|нужн*|заметят|пришлют|предупредил*|объяснил*|спросил*|сообщил*|согласовал*|следит",
        ],
        4,
    ),
    (
        "нет ответа на обращение",
        1.0,
        &[
            "нет|без|получил*|дали|дан|поступил*",
            "ответ|ответа|ответов",
        ],
        3,
    ),
    (
        "обращались уже не раз",
        0.8,
        &[
            "уже|неоднократно|раз|многократно|ранее|первый|много|годами",
            "обращал*|писал*|жаловал*|звонил*|сообщал*|вызывал*|говорил*|просил*|заявлял*|поднимал*|обращени*",
        ],
        3,
    ),
    ("обещали и не сделали", 0.6, &["обеща*|пообещ*"], 1),
    ("опять", 0.6, &["опять"], 1),
    ("снова", 0.5, &["снова|вновь"], 1),
    ("в очередной раз", 0.7, &["очередной", "раз"], 1),
    ("до сих пор", 0.6, &["сих", "пор"], 1),
    ("так и не", 0.6, &["так", "и", "не"], 2),
    (
        "сколько можно",
        1.0,
        &["сколько", "можно|еще|будет|ждать"],
        1,
    ),
    ("воз и ныне там", 1.0, &["воз", "ныне"], 2),
    ("одно и то же", 0.7, &["одно", "то", "же"], 3),
    ("из года в год", 0.6, &["года", "год"], 2),
    (
        "годами не решается",
        0.6,
        &[
            "второй|третий|четвертый|пятый|который|долгие",
            "год|года|лет",
        ],
        1,
    ),
    ("неделями, месяцами", 0.5, &["неделями|месяцами|годами"], 1),
    (
        "уже долго",
        0.5,
        &[
            "уже|второй|вторую|третий|третью|четвертый",
            "лет|год|года|месяц*|недел*|полгода|сутки",
        ],
        2,
    ),
    (
        "никакого движения",
        1.0,
        &[
            "никакого|никаких|ничего",
            "движен*|результат*|толку|мер|изменил*|сдвиг*",
        ],
        2,
    ),
    (
        "не отвечают",
        0.7,
        &["трубку|телефон|звонки", "не|никто"],
        3,
    ),
    ("не дозвониться", 0.6, &["дозвон*"], 1),
    (
        "не приехали",
        0.6,
        &["не", "приехал*|приехала|пришел|явил*"],
        1,
    ),
    ("перед выборами", 1.0, &["перед|только", "выбор*"], 3),
    (
        "упрёк власти",
        0.5,
        &["чиновник*|начальств*|власт*|депутат*"],
        1,
    ),
    (
        "кто ответит",
        0.7,
        &[
            "кто",
            "разрешил*|согласов*|придумал*|ответит|возмест*|восстанавлива*|виноват*|отвечает|следить|будет",
        ],
        3,
    ),
    (
        "куда обращаться",
        0.5,
        &["куда", "обращаться|жаловаться|идти|деваться|девать"],
        2,
    ),
    (
        "эскалация",
        0.8,
        &["губернатор*|президент*|прокуратур*|путину|суд|генпрокуратур*"],
        1,
    ),
    ("личный контроль", 0.5, &["личный", "контроль"], 1),
    (
        "бросили, свалили",
        0.5,
        &["бросили|забросили|свалили|выбросили|перестал*|перестали"],
        1,
    ),
    (
        "как раньше",
        0.5,
        &["как|а|раньше", "раньше|было|всегда"],
        1,
    ),
    (
        "только деньги собирают",
        0.5,
        &["только", "деньги|деньг*|платить|плати*"],
        2,
    ),
    ("законно ли", 0.6, &["законно|незаконн*|законны"], 1),
    ("за свой счёт", 0.4, &["свой|собственный", "счет"], 1),
    ("отрезаны от мира", 0.5, &["отрезан*", "мира|мир"], 2),
    ("вандализм", 0.4, &["вандал*"], 1),
    ("вопрос без ответа", 0.3, &["непонятно|неизвестно|никто"], 1),
    ("куда смотрят", 0.8, &["куда", "смотр*"], 1),
    ("почему, зачем", 0.6, &["почему|зачем|доколе"], 1),
    ("начинается с «почему»", 0.4, &["#why"], 1),
    (
        "требование",
        0.5,
        &["требую|требуем|верните|вернуть|обязать|отменить|отмените"],
        1,
    ),
    ("крик души", 0.8, &["крик", "души"], 1),
    (
        "так жить нельзя",
        0.6,
        &["жить", "нельзя|невозможно|невыносимо"],
        2,
    ),
    ("ужас", 0.6, &["ужас*|кошмар*"], 1),
    (
        "сами делаем",
        0.4,
        &[
            "сами|своими",
            "печем|чистим|копаем|делаем|ремонтируем|засыпаем|силами|чистили|засыпали",
        ],
        2,
    ),
    ("обман", 0.6, &["обман*|обманыва*|в карман"], 1),
    (
        "грубость",
        1.0,
        &["грубят|грубо|грубит|нагрубил*|грубейш*|грубия*"],
        1,
    ),
    ("тон", 0.0, &["#tone"], 1),
    // Thanks take the edge off.
    ("благодарность", -0.5, &["спасибо|благодар*|признател*"], 1),
];

/// A raised or lowered flag with the reasons found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Flag {
    /// Whether the flag is raised.
    pub raised: bool,
    /// Summed weight of the cues found.
    pub score: f32,
    /// Labels of the cues that added to the score.
    pub reasons: Vec<&'static str>,
}

#[derive(Debug, Clone)]
struct Term {
    text: String,
    prefix: bool,
}

#[derive(Debug, Clone)]
struct Cue {
    label: &'static str,
    weight: f32,
    /// Per group, the ids of its terms.
    groups: Vec<Vec<usize>>,
    window: usize,
    /// A cue computed from the raw text (`#cold`, `#tone`).
    special: Option<&'static str>,
}

/// A compiled set of cues.
#[derive(Debug, Clone)]
struct CueSet {
    terms: Vec<Term>,
    exact: HashMap<String, Vec<usize>>,
    /// First two characters of a prefix term → term ids.
    prefixes: HashMap<String, Vec<usize>>,
    cues: Vec<Cue>,
}

fn head2(s: &str) -> &str {
    match s.char_indices().nth(2) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl CueSet {
    fn new(defs: &[CueDef]) -> Self {
        let mut set = CueSet {
            terms: Vec::new(),
            exact: HashMap::new(),
            prefixes: HashMap::new(),
            cues: Vec::new(),
        };
        for &(label, weight, groups, window) in defs {
            if let [g] = groups
                && let Some(special) = g.strip_prefix('#')
            {
                set.cues.push(Cue {
                    label,
                    weight,
                    groups: Vec::new(),
                    window,
                    special: Some(special),
                });
                continue;
            }
            let mut ids = Vec::new();
            for g in groups {
                let mut group = Vec::new();
                for t in g.split('|') {
                    let t = t.trim();
                    // «в карман»: a two-word term is matched on its last word.
                    let t = t.rsplit(' ').next().unwrap_or(t);
                    let (text, prefix) = match t.strip_suffix('*') {
                        Some(p) => (p.to_string(), true),
                        None => (t.to_string(), false),
                    };
                    let id = set.terms.len();
                    if prefix {
                        set.prefixes
                            .entry(head2(&text).to_string())
                            .or_default()
                            .push(id);
                    } else {
                        set.exact.entry(text.clone()).or_default().push(id);
                    }
                    set.terms.push(Term { text, prefix });
                    group.push(id);
                }
                ids.push(group);
            }
            set.cues.push(Cue {
                label,
                weight,
                groups: ids,
                window,
                special: None,
            });
        }
        set
    }

    /// Positions of the words each term matches.
    fn positions(&self, words: &[String]) -> Vec<Vec<u32>> {
        let mut pos: Vec<Vec<u32>> = vec![Vec::new(); self.terms.len()];
        for (i, w) in words.iter().enumerate() {
            if let Some(ids) = self.exact.get(w.as_str()) {
                for &id in ids {
                    pos[id].push(i as u32);
                }
            }
            if let Some(ids) = self.prefixes.get(head2(w)) {
                for &id in ids {
                    let t = &self.terms[id];
                    if t.prefix && w.starts_with(&t.text) {
                        pos[id].push(i as u32);
                    }
                }
            }
        }
        pos
    }

    fn score(&self, text: &str, a: &Analysis) -> Flag {
        let pos = self.positions(&a.words);
        let mut flag = Flag::default();
        for cue in &self.cues {
            let w = match cue.special {
                Some("cold") => cold_weight(text) * cue.weight,
                Some("why") => {
                    if a.words
                        .first()
                        .is_some_and(|w| w == "почему" || w == "зачем")
                    {
                        cue.weight
                    } else {
                        0.0
                    }
                }
                Some("tone") => tone(text, &mut flag.reasons),
                Some(_) => 0.0,
                None => {
                    if group_match(&cue.groups, &pos, cue.window) {
                        cue.weight
                    } else {
                        0.0
                    }
                }
            };
            if w != 0.0 {
                flag.score += w;
                if w > 0.0 && cue.special != Some("tone") {
                    flag.reasons.push(cue.label);
                }
            }
        }
        flag.raised = flag.score >= THRESHOLD - 1e-6;
        flag
    }
}

/// True when every group has a word within `window` words of some word of the first group.
///
/// A term's positions are ascending (words are read in order), so the words near a position are
/// found by binary search: the work grows with the number of matches times their logarithm, not
/// with the square of a long text full of the same word.
fn group_match(groups: &[Vec<usize>], pos: &[Vec<u32>], window: usize) -> bool {
    let Some((first, rest)) = groups.split_first() else {
        return false;
    };
    let w = u32::try_from(window.max(1)).unwrap_or(u32::MAX);
    let near = |ps: &[u32], p0: u32| {
        let start = ps.partition_point(|&p| p < p0.saturating_sub(w));
        ps[start..]
            .iter()
            .take_while(|&&p| p <= p0.saturating_add(w))
            .any(|&p| p != p0)
    };
    first
        .iter()
        .flat_map(|&t| pos[t].iter())
        .any(|&p0| rest.iter().all(|g| g.iter().any(|&t| near(&pos[t], p0))))
}

/// A room temperature of +17 or lower, or a frost of −20 and below, written with its sign.
fn cold_weight(text: &str) -> f32 {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !matches!(c, '+' | '−' | '-' | '–') {
            continue;
        }
        // A sign right after a letter or digit is a hyphen, not a sign.
        if i > 0 && is_letter_or_digit(chars[i - 1]) {
            continue;
        }
        let digits: String = chars[i + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .collect();
        let Ok(n) = digits.parse::<u32>() else {
            continue;
        };
        if (c == '+' && (5..=17).contains(&n)) || (c != '+' && (20..=55).contains(&n)) {
            return 1.0;
        }
    }
    0.0
}

/// Marks of tone in the raw text: «?!», «!!!», «??», angry emoji, shouting in capitals.
fn tone(text: &str, reasons: &mut Vec<&'static str>) -> f32 {
    let mut w = 0.0;
    if text.contains("?!") || text.contains("!?") {
        w += 0.8;
        reasons.push("«?!»");
    } else if text.contains("??") {
        w += 0.6;
        reasons.push("«??»");
    }
    if text.contains("!!") {
        w += 0.6;
        reasons.push("«!!!»");
    }
    if text
        .chars()
        .any(|c| matches!(c, '😡' | '🤬' | '😠' | '😤' | '👿' | '💢'))
    {
        w += 1.0;
        reasons.push("гневный смайлик");
    } else if text.chars().any(|c| matches!(c, '🤷' | '🙄' | '😒' | '🤦')) {
        w += 0.4;
        reasons.push("недовольный смайлик");
    }
    let shouting = text
        .split(|c: char| !is_letter(c))
        .filter(|w| w.chars().count() >= 4 && w.chars().all(|c| c.is_uppercase()))
        .count();
    if shouting >= 2 {
        w += 0.6;
        reasons.push("текст заглавными буквами");
    }
    // «Невыгодно», «линия старая»: words of an official quoted back.
    let informal = !text.contains("Прошу") && !text.contains("прошу");
    if informal && text.contains('«') {
        w += 0.4;
        reasons.push("ирония в кавычках");
    }
    w
}

/// The urgency and conflict detectors.
#[derive(Debug, Clone)]
pub struct Detectors {
    urgent: CueSet,
    conflict: CueSet,
}

impl Default for Detectors {
    fn default() -> Self {
        Self::new()
    }
}

impl Detectors {
    /// Compiles the built-in cues.
    pub fn new() -> Self {
        Self {
            urgent: CueSet::new(URGENT),
            conflict: CueSet::new(CONFLICT),
        }
    }

    /// Danger to life or health, no heating, water or power, an accident, a collapse.
    pub fn urgent(&self, text: &str, a: &Analysis) -> Flag {
        self.urgent.score(text, a)
    }

    /// Aggressive tone, insults, a complaint that an earlier appeal was ignored or answered formally.
    pub fn conflict(&self, text: &str, a: &Analysis) -> Flag {
        self.conflict.score(text, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::SearchNormalizer;

    fn urgent(t: &str) -> bool {
        let d = Detectors::new();
        d.urgent(t, &Analysis::new(&SearchNormalizer::new(), t))
            .raised
    }

    fn conflict(t: &str) -> bool {
        let d = Detectors::new();
        d.conflict(t, &Analysis::new(&SearchNormalizer::new(), t))
            .raised
    }

    #[test]
    fn no_heating_or_power_is_urgent() {
        assert!(urgent("Третий день нет отопления, в квартире холодно"));
        assert!(urgent(
            "на улице Лесной с утра без света, холодильники текут"
        ));
        assert!(urgent("в детском саду группы не отапливаются"));
    }

    #[test]
    fn a_cold_school_with_working_heating_is_not_urgent() {
        assert!(!urgent(
            "В школе дети мёрзнут из-за щелей в окнах, батареи при этом горячие"
        ));
    }

    #[test]
    fn danger_to_children_is_urgent() {
        assert!(urgent(
            "на площадке качели шатаются, дети катаются, почините пока никто не убился"
        ));
        assert!(urgent("Открытый люк у остановки, рядом ходят школьники"));
        assert!(urgent("стая собак кидается на прохожих у магазина"));
    }

    #[test]
    fn a_plain_request_is_not_urgent() {
        assert!(!urgent("Прошу установить скамейку у остановки"));
        assert!(!urgent("Когда будет концерт ко Дню села?"));
    }

    #[test]
    fn ignored_appeals_and_insults_are_conflict() {
        assert!(conflict("Снова никто не ответил, пишу уже третий раз"));
        assert!(conflict("Получили очередную отписку вместо ремонта"));
        assert!(conflict("сколько можно терпеть этот бардак?!"));
    }

    #[test]
    fn a_polite_question_is_not_conflict() {
        assert!(!conflict(
            "Подскажите, пожалуйста, график работы библиотеки"
        ));
        assert!(!conflict("Спасибо за ремонт клуба, стало тепло и уютно"));
    }
}

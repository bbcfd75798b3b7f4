//! The Russian layout fallback: officers often type with ЙЦУКЕН on, so a letter key that matches no
//! binding is retried as the key at the same place on QWERTY (`о` → `j`, `<C-ы>` → `<C-s>`).

use super::key::Key;

/// ЙЦУКЕН character → the QWERTY character of the same physical key (Shift included).
const RU_TO_QWERTY: &[(char, char)] = &[
    ('й', 'q'),
    ('ц', 'w'),
    ('у', 'e'),
    ('к', 'r'),
    ('е', 't'),
    ('н', 'y'),
    ('г', 'u'),
    ('ш', 'i'),
    ('щ', 'o'),
    ('з', 'p'),
    ('х', '['),
    ('ъ', ']'),
    ('ф', 'a'),
    ('ы', 's'),
    ('в', 'd'),
    ('а', 'f'),
    ('п', 'g'),
    ('р', 'h'),
    ('о', 'j'),
    ('л', 'k'),
    ('д', 'l'),
    ('ж', ';'),
    ('э', '\''),
    ('я', 'z'),
    ('ч', 'x'),
    ('с', 'c'),
    ('м', 'v'),
    ('и', 'b'),
    ('т', 'n'),
    ('ь', 'm'),
    ('б', ','),
    ('ю', '.'),
    ('ё', '`'),
    ('Й', 'Q'),
    ('Ц', 'W'),
    ('У', 'E'),
    ('К', 'R'),
    ('Е', 'T'),
    ('Н', 'Y'),
    ('Г', 'U'),
    ('Ш', 'I'),
    ('Щ', 'O'),
    ('З', 'P'),
    ('Х', '{'),
    ('Ъ', '}'),
    ('Ф', 'A'),
    ('Ы', 'S'),
    ('В', 'D'),
    ('А', 'F'),
    ('П', 'G'),
    ('Р', 'H'),
    ('О', 'J'),
    ('Л', 'K'),
    ('Д', 'L'),
    ('Ж', ':'),
    ('Э', '"'),
    ('Я', 'Z'),
    ('Ч', 'X'),
    ('С', 'C'),
    ('М', 'V'),
    ('И', 'B'),
    ('Т', 'N'),
    ('Ь', 'M'),
    ('Б', '<'),
    ('Ю', '>'),
    ('Ё', '~'),
    // The Russian layout puts `.` and `,` (Shift) on the key where QWERTY has `/` and `?`, and `№`
    // on Shift-3 (`#`). These are retried only when they match nothing themselves.
    ('.', '/'),
    (',', '?'),
    ('№', '#'),
];

/// The QWERTY character typed by the same physical key as `c` on the Russian layout.
pub fn qwerty_char(c: char) -> Option<char> {
    RU_TO_QWERTY
        .iter()
        .find(|(ru, _)| *ru == c)
        .map(|(_, en)| *en)
}

/// The same physical key on QWERTY, modifiers kept (`о` → `j`, `<C-ы>` → `<C-s>`, `Ж` → `:`);
/// `None` when the key is not a character of the Russian layout.
pub fn to_qwerty(key: Key) -> Option<Key> {
    match key.code() {
        crossterm::event::KeyCode::Char(c) => qwerty_char(c).map(|q| key.with_char(q)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().expect(s)
    }

    #[test]
    fn every_russian_letter_has_a_place() {
        for c in ('а'..='я').chain(['ё']) {
            assert!(qwerty_char(c).is_some(), "{c}");
            let upper = c.to_uppercase().next().expect("upper");
            assert!(qwerty_char(upper).is_some(), "{upper}");
        }
    }

    #[test]
    fn places_are_unique() {
        for (i, (ru, en)) in RU_TO_QWERTY.iter().enumerate() {
            for (ru2, en2) in &RU_TO_QWERTY[..i] {
                assert!(ru != ru2 && en != en2, "{ru}→{en} vs {ru2}→{en2}");
            }
        }
    }

    #[test]
    fn letters_keep_their_modifiers() {
        assert_eq!(to_qwerty(key("о")), Some(key("j")));
        assert_eq!(to_qwerty(key("Ж")), Some(key(":")));
        assert_eq!(to_qwerty(key("<C-ф>")), Some(key("<C-a>")));
        assert_eq!(to_qwerty(key("<A-Ф>")), Some(key("<A-A>")));
        assert_eq!(to_qwerty(key(".")), Some(key("/")));
        assert_eq!(to_qwerty(key(",")), Some(key("?")));
    }

    #[test]
    fn latin_letters_and_named_keys_have_no_fallback() {
        assert_eq!(to_qwerty(key("j")), None);
        assert_eq!(to_qwerty(key("<Enter>")), None);
    }
}

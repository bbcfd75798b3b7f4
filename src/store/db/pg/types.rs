//! Values in PostgreSQL's binary format: parameters adapted to the type the server inferred,
//! columns of any common type read as one of the store's five kinds, PostgreSQL's NUMERIC coded
//! by hand, and the text format of `COPY … FROM STDIN`.

use std::error::Error;

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::store::db::value::{Value, ValueRef};

type BoxError = Box<dyn Error + Sync + Send>;

fn kind(v: &ValueRef<'_>) -> &'static str {
    match v {
        ValueRef::Null => "null",
        ValueRef::Integer(_) => "an integer",
        ValueRef::Real(_) => "a real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "a blob",
    }
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

/// Never the value itself in the message: it may hold personal data.
fn cannot(v: &ValueRef<'_>, ty: &Type, why: &str) -> BoxError {
    format!(
        "cannot bind {} to a parameter of type {}{why}",
        kind(v),
        ty.name()
    )
    .into()
}

fn put_int(v: &ValueRef<'_>, i: i64, ty: &Type, out: &mut BytesMut) -> Result<(), BoxError> {
    let range = || cannot(v, ty, ": out of range");
    match *ty {
        Type::INT2 => out.put_i16(i16::try_from(i).map_err(|_| range())?),
        Type::INT4 => out.put_i32(i32::try_from(i).map_err(|_| range())?),
        Type::INT8 => out.put_i64(i),
        Type::OID => out.put_u32(u32::try_from(i).map_err(|_| range())?),
        _ => return Err(cannot(v, ty, "")),
    }
    Ok(())
}

impl ToSql for ValueRef<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match *self {
            ValueRef::Null => return Ok(IsNull::Yes),
            ValueRef::Integer(i) => match *ty {
                Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => put_int(self, i, ty, out)?,
                #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
                Type::FLOAT4 => out.put_f32(i as f32),
                #[allow(clippy::cast_precision_loss)]
                Type::FLOAT8 => out.put_f64(i as f64),
                Type::BOOL => match i {
                    0 | 1 => out.put_u8(u8::from(i == 1)),
                    _ => return Err(cannot(self, ty, ": only 0 and 1 are booleans")),
                },
                Type::NUMERIC => put_numeric(&decimal_of_int(i), out),
                _ if is_text(ty) => out.put_slice(i.to_string().as_bytes()),
                _ => return Err(cannot(self, ty, "")),
            },
            ValueRef::Real(f) => match *ty {
                #[allow(clippy::cast_possible_truncation)]
                Type::FLOAT4 => out.put_f32(f as f32),
                Type::FLOAT8 => out.put_f64(f),
                Type::NUMERIC => put_numeric(&decimal_of_real(f), out),
                // A whole real fits an integer column (SQLite's affinity does the same).
                Type::INT2 | Type::INT4 | Type::INT8 => match whole(f) {
                    Some(i) => put_int(self, i, ty, out)?,
                    None => return Err(cannot(self, ty, ": not a whole number")),
                },
                _ if is_text(ty) => out.put_slice(f.to_string().as_bytes()),
                _ => return Err(cannot(self, ty, "")),
            },
            ValueRef::Text(s) => match *ty {
                Type::JSON => out.put_slice(s.as_bytes()),
                Type::JSONB => {
                    out.put_u8(1);
                    out.put_slice(s.as_bytes());
                }
                // Numeric text into a numeric parameter, as SQLite's affinity converts it.
                Type::INT2 | Type::INT4 | Type::INT8 => match s.trim().parse::<i64>() {
                    Ok(i) => put_int(self, i, ty, out)?,
                    Err(_) => return Err(cannot(self, ty, ": not an integer")),
                },
                Type::FLOAT4 | Type::FLOAT8 => match s.trim().parse::<f64>() {
                    #[allow(clippy::cast_possible_truncation)]
                    Ok(f) if *ty == Type::FLOAT4 => out.put_f32(f as f32),
                    Ok(f) => out.put_f64(f),
                    Err(_) => return Err(cannot(self, ty, ": not a number")),
                },
                Type::NUMERIC => match parse_decimal(s.trim()) {
                    Some(d) => put_numeric(&d, out),
                    None => return Err(cannot(self, ty, ": not a number")),
                },
                _ if is_text(ty) => out.put_slice(s.as_bytes()),
                _ => return Err(cannot(self, ty, "")),
            },
            ValueRef::Blob(b) => match *ty {
                Type::BYTEA => out.put_slice(b),
                _ => return Err(cannot(self, ty, "")),
            },
        }
        Ok(IsNull::No)
    }

    /// Every type: whether a value fits is decided by value and type together in `to_sql`.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn whole(f: f64) -> Option<i64> {
    // 2^63 as f64 is exact; anything in [-2^63, 2^63) with no fraction converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    #[allow(clippy::cast_possible_truncation)]
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

/// A column's bytes as the server sent them (binary format), decoded by [`decode`].
pub(super) struct Raw<'a>(pub &'a [u8]);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Why a column could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// A type the store never reads (dates, arrays, …): cast it in SQL.
    Unsupported(String),
    /// Bytes that do not make a value of the type (a server bug, or a different wire format).
    Malformed(String),
}

fn malformed(ty: &Type) -> DecodeError {
    DecodeError::Malformed(ty.name().to_owned())
}

fn array<const N: usize>(raw: &[u8], ty: &Type) -> Result<[u8; N], DecodeError> {
    raw.try_into().map_err(|_| malformed(ty))
}

/// A non-null column of type `ty` as one of the store's kinds.
pub fn decode<'a>(ty: &Type, raw: &'a [u8]) -> Result<ValueRef<'a>, DecodeError> {
    Ok(match *ty {
        Type::INT2 => ValueRef::Integer(i16::from_be_bytes(array(raw, ty)?).into()),
        Type::INT4 => ValueRef::Integer(i32::from_be_bytes(array(raw, ty)?).into()),
        Type::INT8 => ValueRef::Integer(i64::from_be_bytes(array(raw, ty)?)),
        Type::OID => ValueRef::Integer(u32::from_be_bytes(array(raw, ty)?).into()),
        Type::FLOAT4 => ValueRef::Real(f32::from_be_bytes(array(raw, ty)?).into()),
        Type::FLOAT8 => ValueRef::Real(f64::from_be_bytes(array(raw, ty)?)),
        Type::BOOL => ValueRef::Integer(i64::from(array::<1>(raw, ty)?[0] != 0)),
        Type::NUMERIC => decode_numeric(raw).ok_or_else(|| malformed(ty))?,
        Type::BYTEA => ValueRef::Blob(raw),
        Type::JSONB => match raw.split_first() {
            Some((1, text)) => {
                ValueRef::Text(std::str::from_utf8(text).map_err(|_| malformed(ty))?)
            }
            _ => return Err(malformed(ty)),
        },
        _ if is_text(ty) || *ty == Type::JSON => {
            ValueRef::Text(std::str::from_utf8(raw).map_err(|_| malformed(ty))?)
        }
        _ => return Err(DecodeError::Unsupported(ty.name().to_owned())),
    })
}

/// A decimal number: `digits` (ASCII, may be empty for zero) × 10^`exp`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decimal {
    pub negative: bool,
    pub digits: String,
    pub exp: i32,
    /// NaN or ±infinity (then `digits` is empty).
    pub special: Option<Special>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Special {
    NaN,
    Infinity,
}

fn decimal_of_int(i: i64) -> Decimal {
    Decimal {
        negative: i < 0,
        digits: i.unsigned_abs().to_string(),
        exp: 0,
        special: None,
    }
}

fn decimal_of_real(f: f64) -> Decimal {
    if f.is_nan() {
        return Decimal {
            negative: false,
            digits: String::new(),
            exp: 0,
            special: Some(Special::NaN),
        };
    }
    if f.is_infinite() {
        return Decimal {
            negative: f < 0.0,
            digits: String::new(),
            exp: 0,
            special: Some(Special::Infinity),
        };
    }
    // `{:e}` is the shortest text that reads back as the same double.
    parse_decimal(&format!("{f:e}")).unwrap_or_else(|| decimal_of_int(0))
}

/// `-12.50`, `1e20`, `1.5E-3`, `+7` as a decimal; `None` for anything else.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(p) => (&s[..p], s[p + 1..].parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac_len = i32::try_from(frac.len()).ok()?;
    Some(Decimal {
        negative,
        digits: format!("{int}{frac}"),
        exp: exp.checked_sub(frac_len)?,
        special: None,
    })
}

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

/// PostgreSQL's binary NUMERIC: ndigits, weight, sign, dscale (all 16-bit), then base-10000
/// digits, the first of weight `weight` (value = Σ dᵢ·10000^(weight−i)).
fn put_numeric(d: &Decimal, out: &mut BytesMut) {
    let header = |out: &mut BytesMut, ndigits: i16, weight: i16, sign: u16, dscale: u16| {
        out.put_i16(ndigits);
        out.put_i16(weight);
        out.put_u16(sign);
        out.put_u16(dscale);
    };
    match d.special {
        Some(Special::NaN) => return header(out, 0, 0, NUMERIC_NAN, 0),
        Some(Special::Infinity) => {
            let sign = if d.negative {
                NUMERIC_NINF
            } else {
                NUMERIC_PINF
            };
            return header(out, 0, 0, sign, 0);
        }
        None => {}
    }
    let dscale = u16::try_from((-d.exp).max(0)).unwrap_or(u16::MAX);
    let mut digits: Vec<u8> = d
        .digits
        .bytes()
        .map(|c| c - b'0')
        .skip_while(|&c| c == 0)
        .collect();
    if digits.is_empty() {
        return header(out, 0, 0, NUMERIC_POS, dscale);
    }
    // Align the exponent to a group boundary, then the length.
    let mut exp = d.exp;
    let r = exp.rem_euclid(4);
    digits.extend(std::iter::repeat_n(0, r as usize));
    exp -= r;
    let pad = (4 - digits.len() % 4) % 4;
    let mut padded = vec![0u8; pad];
    padded.extend(digits);
    let mut groups: Vec<i16> = padded
        .chunks(4)
        .map(|c| c.iter().fold(0i16, |acc, &x| acc * 10 + i16::from(x)))
        .collect();
    let top = i32::try_from(groups.len()).unwrap_or(i32::MAX) - 1 + exp / 4;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    let sign = if d.negative { NUMERIC_NEG } else { NUMERIC_POS };
    header(
        out,
        i16::try_from(groups.len()).unwrap_or(i16::MAX),
        i16::try_from(top).unwrap_or(i16::MAX),
        sign,
        dscale,
    );
    for g in groups {
        out.put_i16(g);
    }
}

/// A NUMERIC as an integer when it is whole and fits 64 bits, else the nearest double.
pub fn decode_numeric(raw: &[u8]) -> Option<ValueRef<'static>> {
    let word = |i: usize| raw.get(i..i + 2).map(|b| [b[0], b[1]]);
    let ndigits = usize::try_from(i16::from_be_bytes(word(0)?)).ok()?;
    let weight = i32::from(i16::from_be_bytes(word(2)?));
    let sign = u16::from_be_bytes(word(4)?);
    let negative = match sign {
        NUMERIC_POS => false,
        NUMERIC_NEG => true,
        NUMERIC_NAN => return Some(ValueRef::Real(f64::NAN)),
        NUMERIC_PINF => return Some(ValueRef::Real(f64::INFINITY)),
        NUMERIC_NINF => return Some(ValueRef::Real(f64::NEG_INFINITY)),
        _ => return None,
    };
    if raw.len() != 8 + 2 * ndigits {
        return None;
    }
    let groups: Vec<i16> = (0..ndigits)
        .map(|i| word(8 + 2 * i).map(i16::from_be_bytes))
        .collect::<Option<_>>()?;
    if groups.iter().any(|g| !(0..10_000).contains(g)) {
        return None;
    }
    // Whole when every group below the units is zero.
    let fraction = groups
        .iter()
        .enumerate()
        .any(|(i, &g)| g != 0 && weight - i32::try_from(i).unwrap_or(i32::MAX) < 0);
    if !fraction {
        let mut acc: i128 = 0;
        let mut fits = true;
        for k in 0..=weight.max(-1) {
            let g = usize::try_from(k)
                .ok()
                .and_then(|k| groups.get(k))
                .copied()
                .unwrap_or(0);
            acc = acc * 10_000 + i128::from(g);
            if acc > i128::from(i64::MAX) + 1 {
                fits = false;
                break;
            }
        }
        if fits {
            let v = if negative { -acc } else { acc };
            if let Ok(i) = i64::try_from(v) {
                return Some(ValueRef::Integer(i));
            }
        }
    }
    // The exact decimal text, read by Rust's correctly rounding parser.
    let mut text = String::with_capacity(2 + 4 * ndigits + 8);
    if negative {
        text.push('-');
    }
    if groups.is_empty() {
        text.push('0');
    }
    for g in &groups {
        text.push_str(&format!("{g:04}"));
    }
    let exp = (weight + 1 - i32::try_from(ndigits).ok()?) * 4;
    text.push_str(&format!("e{exp}"));
    text.parse::<f64>().ok().map(ValueRef::Real)
}

/// Appends one value in `COPY … FROM STDIN` text format (tab-separated, `\N` for null).
pub fn put_copy_value(v: &Value, out: &mut Vec<u8>) {
    put_copy_ref(v.as_ref(), out);
}

/// [`put_copy_value`] of a borrowed value.
pub fn put_copy_ref(v: ValueRef<'_>, out: &mut Vec<u8>) {
    match v {
        ValueRef::Null => out.extend_from_slice(b"\\N"),
        ValueRef::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        ValueRef::Real(f) if f.is_nan() => out.extend_from_slice(b"NaN"),
        ValueRef::Real(f) if f.is_infinite() => {
            out.extend_from_slice(if f > 0.0 { b"Infinity" } else { b"-Infinity" });
        }
        ValueRef::Real(f) => out.extend_from_slice(format!("{f:e}").as_bytes()),
        ValueRef::Text(s) => {
            for &c in s.as_bytes() {
                match c {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(c),
                }
            }
        }
        ValueRef::Blob(b) => {
            // bytea's hex input `\x…`, its backslash escaped for COPY.
            out.extend_from_slice(b"\\\\x");
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for &c in b {
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 15)]);
            }
        }
    }
}

/// Appends one row (values tab-separated, newline-terminated).
pub fn put_copy_row(row: &[Value], out: &mut Vec<u8>) {
    put_copy_refs(row.iter().map(Value::as_ref), out);
}

/// [`put_copy_row`] of borrowed values.
pub fn put_copy_refs<'a>(row: impl IntoIterator<Item = ValueRef<'a>>, out: &mut Vec<u8>) {
    for (i, v) in row.into_iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        put_copy_ref(v, out);
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(d: &Decimal) -> Vec<u8> {
        let mut out = BytesMut::new();
        put_numeric(d, &mut out);
        out.to_vec()
    }

    fn round_trip(s: &str) -> ValueRef<'static> {
        let d = parse_decimal(s).expect("a number");
        decode_numeric(&numeric(&d)).expect("decodes")
    }

    /// The bytes PostgreSQL itself sends (`SELECT x::numeric` in binary), written out by hand.
    fn wire(ndigits: i16, weight: i16, sign: u16, dscale: u16, digits: &[i16]) -> Vec<u8> {
        let mut v = Vec::new();
        for w in [
            ndigits.to_be_bytes(),
            weight.to_be_bytes(),
            sign.to_be_bytes(),
            dscale.to_be_bytes(),
        ] {
            v.extend_from_slice(&w);
        }
        for d in digits {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v
    }

    #[test]
    fn numeric_decodes_whole_values_as_integers_and_the_rest_as_reals() {
        assert_eq!(
            decode_numeric(&wire(0, 0, 0, 0, &[])),
            Some(ValueRef::Integer(0))
        );
        assert_eq!(
            decode_numeric(&wire(1, 0, 0x4000, 0, &[5])),
            Some(ValueRef::Integer(-5))
        );
        assert_eq!(
            decode_numeric(&wire(3, 2, 0, 0, &[1234, 5678, 9012])),
            Some(ValueRef::Integer(123_456_789_012))
        );
        assert_eq!(
            decode_numeric(&wire(2, 0, 0, 1, &[1, 5000])),
            Some(ValueRef::Real(1.5))
        );
        assert_eq!(
            decode_numeric(&wire(1, -1, 0, 3, &[10])),
            Some(ValueRef::Real(0.001))
        );
        // 1e20 is whole but does not fit 64 bits.
        assert_eq!(
            decode_numeric(&wire(1, 5, 0, 0, &[1])),
            Some(ValueRef::Real(1e20))
        );
        // Trailing zero groups omitted: 20000 is [2] at weight 1.
        assert_eq!(
            decode_numeric(&wire(1, 1, 0, 0, &[2])),
            Some(ValueRef::Integer(20_000))
        );
        // 5.000 (dscale 3) is whole.
        assert_eq!(
            decode_numeric(&wire(1, 0, 0, 3, &[5])),
            Some(ValueRef::Integer(5))
        );
        assert_eq!(
            decode_numeric(&wire(5, 4, 0x4000, 0, &[922, 3372, 368, 5477, 5808])),
            Some(ValueRef::Integer(i64::MIN))
        );
        assert_eq!(
            decode_numeric(&wire(5, 4, 0, 0, &[922, 3372, 368, 5477, 5808])),
            Some(ValueRef::Real(9_223_372_036_854_775_808.0))
        );
        assert!(
            matches!(decode_numeric(&wire(0, 0, 0xC000, 0, &[])), Some(ValueRef::Real(f)) if f.is_nan())
        );
        assert_eq!(
            decode_numeric(&wire(0, 0, 0xD000, 0, &[])),
            Some(ValueRef::Real(f64::INFINITY))
        );
        // Malformed: short, bad sign, digit out of range.
        assert_eq!(decode_numeric(&[0, 1]), None);
        assert_eq!(decode_numeric(&wire(1, 0, 0x1234, 0, &[1])), None);
        assert_eq!(decode_numeric(&wire(1, 0, 0, 0, &[10_000])), None);
        assert_eq!(decode_numeric(&wire(2, 0, 0, 0, &[1])), None);
    }

    #[test]
    fn numeric_encoding_matches_the_servers_bytes() {
        assert_eq!(numeric(&decimal_of_int(0)), wire(0, 0, 0, 0, &[]));
        assert_eq!(numeric(&decimal_of_int(-5)), wire(1, 0, 0x4000, 0, &[5]));
        assert_eq!(
            numeric(&decimal_of_int(123_456_789_012)),
            wire(3, 2, 0, 0, &[1234, 5678, 9012])
        );
        assert_eq!(numeric(&decimal_of_int(20_000)), wire(1, 1, 0, 0, &[2]));
        assert_eq!(numeric(&decimal_of_real(1.5)), wire(2, 0, 0, 1, &[1, 5000]));
        assert_eq!(numeric(&decimal_of_real(0.001)), wire(1, -1, 0, 3, &[10]));
        assert_eq!(numeric(&decimal_of_real(1e20)), wire(1, 5, 0, 0, &[1]));
        assert_eq!(
            numeric(&decimal_of_real(f64::NAN)),
            wire(0, 0, 0xC000, 0, &[])
        );
        assert_eq!(
            numeric(&parse_decimal("-12.50").expect("n")),
            wire(2, 0, 0x4000, 2, &[12, 5000])
        );
    }

    #[test]
    fn numeric_round_trips() {
        assert_eq!(round_trip("0"), ValueRef::Integer(0));
        assert_eq!(round_trip("-5"), ValueRef::Integer(-5));
        assert_eq!(
            round_trip("123456789012"),
            ValueRef::Integer(123_456_789_012)
        );
        assert_eq!(round_trip("1.5"), ValueRef::Real(1.5));
        assert_eq!(round_trip("0.001"), ValueRef::Real(0.001));
        assert_eq!(round_trip("1e20"), ValueRef::Real(1e20));
        assert_eq!(round_trip("-0.000123"), ValueRef::Real(-0.000_123));
        assert_eq!(
            round_trip("4.718281828459"),
            ValueRef::Real(4.718_281_828_459)
        );
        assert_eq!(
            round_trip("9223372036854775807"),
            ValueRef::Integer(i64::MAX)
        );
        for f in [
            0.1,
            2.5e-7,
            123.456,
            -98_765.432_1,
            1.797_693_134_862_315_7e308,
        ] {
            let d = decimal_of_real(f);
            assert_eq!(decode_numeric(&numeric(&d)), Some(ValueRef::Real(f)), "{f}");
        }
        assert_eq!(parse_decimal("1.2.3"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("."), None);
        assert_eq!(parse_decimal("1e"), None);
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn parameters_adapt_to_the_inferred_type() {
        let bind = |v: ValueRef<'_>, ty: Type| {
            let mut out = BytesMut::new();
            v.to_sql(&ty, &mut out)
                .map(|n| (matches!(n, IsNull::Yes), out.to_vec()))
        };
        assert_eq!(
            bind(ValueRef::Integer(7), Type::INT2).ok(),
            Some((false, vec![0, 7]))
        );
        assert_eq!(
            bind(ValueRef::Integer(7), Type::INT4).ok(),
            Some((false, vec![0, 0, 0, 7]))
        );
        assert!(bind(ValueRef::Integer(70_000), Type::INT2).is_err());
        assert!(bind(ValueRef::Integer(1 << 40), Type::INT4).is_err());
        assert_eq!(
            bind(ValueRef::Integer(1), Type::BOOL).ok(),
            Some((false, vec![1]))
        );
        assert!(bind(ValueRef::Integer(2), Type::BOOL).is_err());
        assert_eq!(
            bind(ValueRef::Integer(42), Type::TEXT).ok(),
            Some((false, b"42".to_vec()))
        );
        assert_eq!(
            bind(ValueRef::Integer(2), Type::FLOAT8).ok(),
            Some((false, 2.0f64.to_be_bytes().to_vec()))
        );
        assert_eq!(
            bind(ValueRef::Real(3.0), Type::INT8).ok(),
            Some((false, 3i64.to_be_bytes().to_vec()))
        );
        assert!(bind(ValueRef::Real(3.5), Type::INT8).is_err());
        assert_eq!(
            bind(ValueRef::Text("ЖКХ"), Type::VARCHAR).ok(),
            Some((false, "ЖКХ".as_bytes().to_vec()))
        );
        assert_eq!(
            bind(ValueRef::Text("{}"), Type::JSONB).ok(),
            Some((false, b"\x01{}".to_vec()))
        );
        assert_eq!(
            bind(ValueRef::Text(" 12 "), Type::INT8).ok(),
            Some((false, 12i64.to_be_bytes().to_vec()))
        );
        assert!(bind(ValueRef::Text("двенадцать"), Type::INT8).is_err());
        assert_eq!(
            bind(ValueRef::Blob(&[1, 2]), Type::BYTEA).ok(),
            Some((false, vec![1, 2]))
        );
        assert!(bind(ValueRef::Blob(&[1, 2]), Type::TEXT).is_err());
        assert_eq!(bind(ValueRef::Null, Type::DATE).ok(), Some((true, vec![])));
        assert!(bind(ValueRef::Integer(1), Type::DATE).is_err());
        // The message names the kind and the type, never the value.
        let e = bind(ValueRef::Text("Иванов"), Type::INT4)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("cannot bind text to a parameter of type int4: not an integer")
        );
    }

    #[test]
    fn columns_decode_to_the_five_kinds() {
        assert_eq!(
            decode(&Type::INT2, &[0xff, 0xfe]),
            Ok(ValueRef::Integer(-2))
        );
        assert_eq!(
            decode(&Type::OID, &[0xff, 0xff, 0xff, 0xff]),
            Ok(ValueRef::Integer(4_294_967_295))
        );
        assert_eq!(decode(&Type::BOOL, &[1]), Ok(ValueRef::Integer(1)));
        assert_eq!(
            decode(&Type::FLOAT4, &1.5f32.to_be_bytes()),
            Ok(ValueRef::Real(1.5))
        );
        assert_eq!(decode(&Type::BPCHAR, b"ab "), Ok(ValueRef::Text("ab ")));
        assert_eq!(decode(&Type::JSONB, b"\x01[1]"), Ok(ValueRef::Text("[1]")));
        assert_eq!(decode(&Type::BYTEA, &[0, 1]), Ok(ValueRef::Blob(&[0, 1])));
        assert_eq!(
            decode(&Type::INT4, &[0, 1]),
            Err(DecodeError::Malformed("int4".into()))
        );
        assert_eq!(
            decode(&Type::TIMESTAMPTZ, &[0; 8]),
            Err(DecodeError::Unsupported("timestamptz".into()))
        );
    }

    #[test]
    fn copy_text_escapes_what_the_format_needs() {
        let mut out = Vec::new();
        put_copy_row(
            &[
                Value::Integer(-3),
                Value::Null,
                Value::Text("a\tb\\c\nd\re".into()),
                Value::Blob(vec![0, 0xab]),
                Value::Real(1.5),
                Value::Text(r"\N".into()),
            ],
            &mut out,
        );
        assert_eq!(
            out,
            b"-3\t\\N\ta\\tb\\\\c\\nd\\re\t\\\\x00ab\t1.5e0\t\\\\N\n".to_vec()
        );
    }
}

//! Values crossing the engine boundary: what the store binds into a statement and reads out of a
//! row, the same for SQLite and PostgreSQL.
//!
//! The store's columns hold five kinds of value (SQLite's storage classes): null, a 64-bit
//! integer, a double, text and bytes. Booleans are integers 0/1 and instants unix seconds on both
//! engines, so one Rust type reads the same column on either.

use std::fmt;

/// An owned value (a dynamically built list of arguments).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A borrowed value: what a parameter gives and a column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl<'a> ValueRef<'a> {
    /// The text of a text value.
    pub fn as_str(&self) -> Result<&'a str, FromValueError> {
        match *self {
            ValueRef::Text(s) => Ok(s),
            v => mismatch("text", v),
        }
    }

    pub fn to_owned(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(s) => Value::Text(s.to_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ValueRef::Null => "null",
            ValueRef::Integer(_) => "integer",
            ValueRef::Real(_) => "real",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "blob",
        }
    }
}

/// A column that does not hold the type asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct FromValueError {
    pub wanted: &'static str,
    pub found: &'static str,
}

impl fmt::Display for FromValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, found {}", self.wanted, self.found)
    }
}

impl std::error::Error for FromValueError {}

fn mismatch<T>(wanted: &'static str, v: ValueRef<'_>) -> Result<T, FromValueError> {
    Err(FromValueError {
        wanted,
        found: v.kind(),
    })
}

/// Something bound as a statement parameter.
pub trait ToValue {
    fn to_value(&self) -> ValueRef<'_>;
}

/// Something read out of a column.
pub trait FromValue: Sized {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError>;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> ValueRef<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue + ?Sized> ToValue for Box<T> {
    fn to_value(&self) -> ValueRef<'_> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> ValueRef<'_> {
        match self {
            Some(v) => v.to_value(),
            None => ValueRef::Null,
        }
    }
}

impl ToValue for Value {
    fn to_value(&self) -> ValueRef<'_> {
        self.as_ref()
    }
}

impl ToValue for ValueRef<'_> {
    fn to_value(&self) -> ValueRef<'_> {
        *self
    }
}

impl ToValue for str {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToValue for String {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl ToValue for std::borrow::Cow<'_, str> {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Real(f)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Blob(self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Real(*self)
    }
}

impl ToValue for f32 {
    fn to_value(&self) -> ValueRef<'_> {
        ValueRef::Real(f64::from(*self))
    }
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::from(*self))
            }
        }
    )*};
}
int_to_value!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! wide_int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            /// Saturates at `i64::MAX` (counts and sizes never get there).
            fn to_value(&self) -> ValueRef<'_> {
                ValueRef::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
wide_int_to_value!(u64, usize, isize);

impl FromValue for Value {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        Ok(v.to_owned())
    }
}

impl FromValue for i64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            ValueRef::Integer(i) => Ok(i),
            _ => mismatch("integer", v),
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
                match v {
                    ValueRef::Integer(i) => <$t>::try_from(i).map_err(|_| FromValueError {
                        wanted: stringify!($t),
                        found: "integer out of range",
                    }),
                    _ => mismatch(stringify!($t), v),
                }
            }
        }
    )*};
}
int_from_value!(i8, i16, i32, u8, u16, u32, u64, usize, isize);

impl FromValue for bool {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            ValueRef::Integer(i) => Ok(i != 0),
            _ => mismatch("boolean", v),
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            ValueRef::Real(f) => Ok(f),
            // An integer-valued aggregate (SQLite's AVG of whole numbers stays real, PostgreSQL's
            // SUM of integers is an integer): read as a double either way.
            #[allow(clippy::cast_precision_loss)]
            ValueRef::Integer(i) => Ok(i as f64),
            _ => mismatch("real", v),
        }
    }
}

impl FromValue for String {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            ValueRef::Text(s) => Ok(s.to_owned()),
            _ => mismatch("text", v),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            _ => mismatch("blob", v),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: ValueRef<'_>) -> Result<Self, FromValueError> {
        match v {
            ValueRef::Null => Ok(None),
            _ => T::from_value(v).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_their_rust_types() {
        assert_eq!(i64::from_value(42i64.to_value()), Ok(42));
        assert_eq!(bool::from_value(true.to_value()), Ok(true));
        assert_eq!(
            Option::<String>::from_value(None::<String>.to_value()),
            Ok(None)
        );
        assert_eq!(String::from_value("ЖКХ".to_value()).as_deref(), Ok("ЖКХ"));
        assert_eq!(f64::from_value(3i64.to_value()), Ok(3.0));
        assert!(u8::from_value(ValueRef::Integer(300)).is_err());
        assert!(i64::from_value(ValueRef::Text("1")).is_err());
    }
}

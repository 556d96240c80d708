//! Scalars read as text: a preset may write `value: 42` or `key: true`, and
//! both mean the strings "42" and "true".

use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;

/// A YAML scalar (string, number or boolean) as a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text(pub String);

/// Longest key or value a preset may give (1 MiB).
pub const MAX_TEXT: usize = 1 << 20;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a word, a number or true/false")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                if v.len() > MAX_TEXT {
                    return Err(E::custom(format!(
                        "text of {} bytes is too long; at most {MAX_TEXT}",
                        v.len()
                    )));
                }
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A key: non-empty text without control characters, at most 256 bytes.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("a key cannot be empty".into());
    }
    if key.len() > 256 {
        return Err(format!("key of {} bytes is too long; at most 256", key.len()));
    }
    if key.chars().any(char::is_control) {
        return Err(format!("key {key:?} has control characters"));
    }
    Ok(())
}

//! Parsing YAML against an explicit [`ParseContext`]: a type that names
//! nodes (or changes what later steps may name) implements [`Parse`], and
//! the context is handed down through serde's `DeserializeSeed` instead of
//! living in a thread-local.
//!
//! [`parse_struct!`] writes the map reader of a plain record the way
//! `#[derive(Deserialize)]` with `deny_unknown_fields` would, with the same
//! messages (`unknown field`, `missing field`, `duplicate field`), raised at
//! the same places, so that errors keep their `file:line:column`.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use super::noderef::NodeRef;
use super::parse_context::ParseContext;

/// A value read from YAML with a context.
pub trait Parse: Sized {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error>;
}

/// The seed that reads a `T` with the context.
pub struct Seed<'c, T> {
    cx: &'c mut ParseContext,
    _t: PhantomData<T>,
}

impl<'c, T> Seed<'c, T> {
    pub fn new(cx: &'c mut ParseContext) -> Self {
        Seed { cx, _t: PhantomData }
    }
}

impl<'de, T: Parse> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::parse(d, self.cx)
    }
}

/// Types that need no context read as they deserialize.
macro_rules! plain {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::scenario::seeded::Parse for $t {
            fn parse<'de, D: serde::Deserializer<'de>>(
                d: D,
                _: &mut $crate::scenario::parse_context::ParseContext,
            ) -> Result<Self, D::Error> {
                <$t as serde::Deserialize>::deserialize(d)
            }
        })*
    };
}
pub(crate) use plain;

plain!(bool, usize, u64, f64, String, super::text::Text);

/// A node reference, checked against the context where it stands.
impl Parse for NodeRef {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        let text = <super::text::Text as serde::Deserialize>::deserialize(d)?;
        cx.node(&text.0).map_err(serde::de::Error::custom)
    }
}

impl<T: Parse> Parse for Option<T> {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        struct V<'c, T>(&'c mut ParseContext, PhantomData<T>);
        impl<'de, T: Parse> Visitor<'de> for V<'_, T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("option")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Option<T>, D2::Error> {
                T::parse(d, self.0).map(Some)
            }
        }
        d.deserialize_option(V(cx, PhantomData))
    }
}

impl<T: Parse> Parse for Vec<T> {
    fn parse<'de, D: Deserializer<'de>>(d: D, cx: &mut ParseContext) -> Result<Self, D::Error> {
        struct V<'c, T>(&'c mut ParseContext, PhantomData<T>);
        impl<'de, T: Parse> Visitor<'de> for V<'_, T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = seq.next_element_seed(Seed::<T>::new(self.0))? {
                    out.push(x);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V(cx, PhantomData))
    }
}

/// Reads a map key that must be one of `fields`: an unknown one is refused
/// where it stands, as derived structs refuse it.
pub struct FieldSeed(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = &'static str;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        struct V(&'static [&'static str]);
        impl<'de> Visitor<'de> for V {
            type Value = &'static str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<&'static str, E> {
                self.0
                    .iter()
                    .find(|f| **f == v)
                    .copied()
                    .ok_or_else(|| E::unknown_field(v, self.0))
            }
        }
        d.deserialize_identifier(V(self.0))
    }
}

/// Declares a record read from a YAML map with a context: each field is
/// `name: Type` (required) or `name: Type = default` (may be left out), with
/// `as "key"` when the YAML key differs from the field's name.
macro_rules! parse_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident, $expecting:literal {
            $($(#[$fmeta:meta])* $fvis:vis $field:ident $(as $key:literal)? : $ty:ty $(= $default:expr)?),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $($(#[$fmeta])* $fvis $field: $ty,)*
        }

        impl $name {
            /// The YAML keys, in order.
            #[allow(dead_code)]
            pub const FIELDS: &'static [&'static str] = &[$($crate::scenario::seeded::parse_struct!(@key $field $($key)?)),*];
        }

        impl $crate::scenario::seeded::Parse for $name {
            fn parse<'de, D: serde::Deserializer<'de>>(
                d: D,
                cx: &mut $crate::scenario::parse_context::ParseContext,
            ) -> Result<Self, D::Error> {
                struct V<'c>(&'c mut $crate::scenario::parse_context::ParseContext);
                impl<'de> serde::de::Visitor<'de> for V<'_> {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $(let mut $field: Option<$ty> = None;)*
                        while let Some(key) = map.next_key_seed($crate::scenario::seeded::FieldSeed($name::FIELDS))? {
                            match key {
                                $($crate::scenario::seeded::parse_struct!(@key $field $($key)?) => {
                                    if $field.is_some() {
                                        return Err(serde::de::Error::duplicate_field(key));
                                    }
                                    $field = Some(map.next_value_seed($crate::scenario::seeded::Seed::<$ty>::new(self.0))?);
                                })*
                                _ => unreachable!("FieldSeed admits only the fields"),
                            }
                        }
                        Ok($name {
                            $($field: match $field {
                                Some(v) => v,
                                None => $crate::scenario::seeded::parse_struct!(
                                    @missing ($crate::scenario::seeded::parse_struct!(@key $field $($key)?)) $($default)?
                                ),
                            },)*
                        })
                    }
                }
                d.deserialize_map(V(cx))
            }
        }
    };
    (@key $field:ident $key:literal) => { $key };
    (@key $field:ident) => { stringify!($field) };
    (@missing ($key:expr) $default:expr) => { $default };
    (@missing ($key:expr)) => { return Err(serde::de::Error::missing_field($key)) };
}
pub(crate) use parse_struct;

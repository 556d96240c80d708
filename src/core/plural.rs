//! Counts in messages: `1 key`, `3 keys`, `1 hash`, `2 hashes`. Every line
//! the program prints with a number before a noun (the trace, the log, the
//! panes, the headless timeline, the checks) goes through [`count`], so
//! that none says "1 keys".

use std::fmt;

/// A number and the noun it counts, displayed with the noun in the
/// singular for 1 and in the plural otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count<'a> {
    pub n: u64,
    pub noun: &'a str,
}

/// `count(3, "key")` displays as `3 keys`; `count(1, "hash")` as `1 hash`.
/// `noun` is the singular; compound nouns pluralise their last word
/// (`key digest` → `key digests`).
pub fn count(n: impl Amount, noun: &str) -> Count<'_> {
    Count { n: n.amount(), noun }
}

/// The plural of an English noun, by the regular rules: `-es` after s, x,
/// z, ch and sh (`hashes`), `-ies` after a consonant and y (`entries`),
/// `-s` otherwise (`keys`, `replays`).
pub fn plural_of(noun: &str) -> String {
    let ends = |s: &str| noun.ends_with(s);
    if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

/// `{}` prints the number as it is; `{:#}` groups its digits by
/// thousands (`12,345 hashes`).
impl fmt::Display for Count<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.n.to_string();
        if f.alternate() {
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    f.write_str(",")?;
                }
                write!(f, "{c}")?;
            }
        } else {
            f.write_str(&digits)?;
        }
        if self.n == 1 {
            write!(f, " {}", self.noun)
        } else {
            write!(f, " {}", plural_of(self.noun))
        }
    }
}

/// The integer types a count comes in.
pub trait Amount {
    fn amount(self) -> u64;
}

macro_rules! amount {
    ($($t:ty),*) => {
        $(impl Amount for $t {
            fn amount(self) -> u64 {
                self as u64
            }
        })*
    };
}

amount!(u8, u16, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        assert_eq!(count(1usize, "key").to_string(), "1 key");
        assert_eq!(count(0usize, "key").to_string(), "0 keys");
        assert_eq!(count(3u64, "key").to_string(), "3 keys");
        assert_eq!(count(1u32, "hash").to_string(), "1 hash");
        assert_eq!(count(2u32, "hash").to_string(), "2 hashes");
        assert_eq!(count(2usize, "key digest").to_string(), "2 key digests");
        assert_eq!(count(2usize, "entry").to_string(), "2 entries");
        assert_eq!(count(2usize, "replay").to_string(), "2 replays");
        assert_eq!(count(1usize, "hint").to_string(), "1 hint");
        assert_eq!(count(5usize, "read repair").to_string(), "5 read repairs");
        assert_eq!(format!("{:#}", count(12_345u64, "hash")), "12,345 hashes");
        assert_eq!(format!("{:#}", count(1u64, "hash")), "1 hash");
    }
}

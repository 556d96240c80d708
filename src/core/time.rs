//! Virtual time: the only clock the cluster knows.
//!
//! The engine owns virtual time and hands the current instant to every core
//! call, so nothing in the core ever reads a wall clock. Both types count whole
//! microseconds, which is fine-grained enough to keep messages with random
//! latencies apart and coarse enough to make every run reproducible.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An instant of virtual time, in microseconds since the cluster started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

/// A span of virtual time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);

    pub fn micros(self) -> u64 {
        self.0
    }

    /// Time elapsed since `earlier` (zero if `earlier` is later).
    pub fn since(self, earlier: Time) -> Dur {
        Dur(self.0.saturating_sub(earlier.0))
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
}

impl Dur {
    pub const ZERO: Dur = Dur(0);

    pub const fn from_micros(us: u64) -> Dur {
        Dur(us)
    }

    pub const fn from_millis(ms: u64) -> Dur {
        Dur(ms * 1_000)
    }

    pub const fn from_secs(s: u64) -> Dur {
        Dur(s * 1_000_000)
    }

    pub fn micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// Parses `250us`, `5ms`, `1.5s`, `2m` or `1h`: a non-negative number and a unit.
    pub fn parse(text: &str) -> Result<Dur, String> {
        let s = text.trim();
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("duration {text:?} has no unit; write it like 250us, 5ms, 1.5s, 2m or 1h"))?;
        let (number, unit) = s.split_at(split);
        if number.is_empty() {
            return Err(format!(
                "duration {text:?} does not start with a number; write it like 5ms or 1.5s"
            ));
        }
        let scale: f64 = match unit.trim() {
            "us" | "µs" => 1.0,
            "ms" => 1e3,
            "s" => 1e6,
            "m" | "min" => 60e6,
            "h" => 3600e6,
            other => {
                return Err(format!(
                    "duration {text:?} has unknown unit {other:?}; the units are us, ms, s, m and h"
                ));
            }
        };
        let value: f64 = number
            .parse()
            .map_err(|_| format!("duration {text:?} does not start with a number; write it like 5ms or 1.5s"))?;
        let micros = value * scale;
        if !micros.is_finite() || micros > 1e15 {
            return Err(format!("duration {text:?} is too long (at most about 30 years)"));
        }
        Ok(Dur(micros.round() as u64))
    }
}

impl Add<Dur> for Time {
    type Output = Time;
    fn add(self, d: Dur) -> Time {
        Time(self.0.saturating_add(d.0))
    }
}

impl AddAssign<Dur> for Time {
    fn add_assign(&mut self, d: Dur) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Sub for Time {
    type Output = Dur;
    fn sub(self, other: Time) -> Dur {
        self.since(other)
    }
}

impl Add for Dur {
    type Output = Dur;
    fn add(self, d: Dur) -> Dur {
        Dur(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for Time {
    /// Seconds with millisecond precision: `12.345s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{}.{:03}s", self.0 / 1_000_000, (self.0 / 1_000) % 1_000);
        f.pad(&text)
    }
}

impl fmt::Display for Dur {
    /// The shortest readable form: `250us`, `12.5ms`, `1.5s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        let text = if us < 1_000 {
            format!("{us}us")
        } else if us < 1_000_000 {
            trim_decimal(us as f64 / 1e3, "ms")
        } else {
            trim_decimal(us as f64 / 1e6, "s")
        };
        f.pad(&text)
    }
}

fn trim_decimal(value: f64, unit: &str) -> String {
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(Dur::parse("250us").unwrap(), Dur(250));
        assert_eq!(Dur::parse("5ms").unwrap(), Dur(5_000));
        assert_eq!(Dur::parse("1.5s").unwrap(), Dur(1_500_000));
        assert_eq!(Dur::parse("2m").unwrap(), Dur(120_000_000));
        assert_eq!(Dur::parse(" 10ms ").unwrap(), Dur(10_000));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert!(Dur::parse("5").unwrap_err().contains("no unit"));
        assert!(Dur::parse("5d").unwrap_err().contains("unknown unit"));
        assert_eq!(Dur::parse("1h").unwrap(), Dur(3_600_000_000));
        assert!(Dur::parse("ms").unwrap_err().contains("number"));
        assert!(Dur::parse("-5ms").is_err());
        assert!(Dur::parse("99999999999999s").unwrap_err().contains("too long"));
    }

    #[test]
    fn displays_readably() {
        assert_eq!(Dur(250).to_string(), "250us");
        assert_eq!(Dur(12_500).to_string(), "12.5ms");
        assert_eq!(Dur(20_000).to_string(), "20ms");
        assert_eq!(Dur(1_500_000).to_string(), "1.5s");
        assert_eq!(Time(12_345_678).to_string(), "12.345s");
    }
}

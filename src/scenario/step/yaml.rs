//! Writing steps back as YAML, in the flow style a preset (or a chaos
//! replay) writes them: `put: {key: cart, value: CAR, via: s2}`.

use crate::core::time::Dur;

/// A scalar that reads back as the same text: plain when it is a simple
/// word or a duration, quoted otherwise.
pub fn text(t: &str) -> String {
    let word = t.starts_with(|c: char| c.is_ascii_alphabetic())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '#' | '.'))
        && !matches!(
            t.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    let duration = t.starts_with(|c: char| c.is_ascii_digit())
        && Dur::parse(t).is_ok()
        && t.chars().all(|c| c.is_ascii_alphanumeric());
    if word || duration {
        t.to_string()
    } else {
        serde_json::to_string(t).unwrap_or_else(|_| "\"\"".into())
    }
}

/// A duration, exactly.
pub fn dur(d: Dur) -> String {
    super::words::exact(d)
}

/// A flow mapping: `{a: 1, b: x}`.
pub fn map(fields: &[(&str, String)]) -> String {
    let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{{}}}", parts.join(", "))
}

/// A flow sequence: `[a, b]`.
pub fn seq(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

/// A setting's value: a number or true/false stays plain (so that it reads
/// back as one), anything else is [`text`].
pub fn scalar(t: &str) -> String {
    let number = t.parse::<f64>().is_ok_and(f64::is_finite)
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if number || t == "true" || t == "false" {
        t.to_string()
    } else {
        text(t)
    }
}

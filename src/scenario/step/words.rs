//! The command line's syntax, shared by every action: splitting a line into
//! words, reading the options that several actions take (`via NODE`,
//! `as CLIENT`, `w=N`), and writing words back so that they read the same.
//!
//! `"..."` keeps spaces inside one word, and a quoted word is always text
//! (never an option like `via`). Inside a word, `\"` is a quote and `\\` a
//! backslash; any other backslash is itself.

use crate::core::time::Dur;

/// One word of a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Written in quotes: text, never a keyword.
    pub quoted: bool,
}

impl Word {
    /// True when the word is `keyword`, unquoted.
    pub fn is(&self, keyword: &str) -> bool {
        !self.quoted && self.text == keyword
    }

    /// The rest of an unquoted `NAME=VALUE` word.
    pub fn assigned(&self, name: &str) -> Option<&str> {
        if self.quoted {
            return None;
        }
        self.text.strip_prefix(name)?.strip_prefix('=')
    }
}

/// Splits a command line into words.
pub fn split(line: &str) -> Result<Vec<Word>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut any = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.peek(), Some('"' | '\\')) => {
                cur.push(chars.next().expect("peeked"));
                any = true;
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(Word {
                        text: std::mem::take(&mut cur),
                        quoted: was_quoted,
                    });
                    any = false;
                    was_quoted = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if any {
        out.push(Word {
            text: cur,
            quoted: was_quoted,
        });
    }
    Ok(out)
}

/// Words that a command reads as keywords, so text equal to one is quoted.
const KEYWORDS: &[&str] = &["via", "as", "nowait", "|", ";", "[", "]"];

/// A word as the command line writes it: quoted when it holds spaces,
/// quotes, backslashes or separators, is empty, or reads as a keyword.
pub fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && !KEYWORDS.contains(&text)
        && !text.contains('=')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\\' | ';' | '[' | ']' | '|' | ',' | '>'));
    if plain {
        return text.to_string();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A duration written exactly, in the largest unit that divides it:
/// `1500ms`, `2s`, `250us`.
pub fn exact(d: Dur) -> String {
    let us = d.micros();
    for (unit, scale) in [
        ("h", 3_600_000_000u64),
        ("m", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
    ] {
        if us >= scale && us.is_multiple_of(scale) {
            return format!("{}{unit}", us / scale);
        }
    }
    format!("{us}us")
}

/// The options of an operation: `via NODE`, `as CLIENT`, `Q=N`, `pQ=N`,
/// `nowait`, and whatever `extra` takes (it returns false for a word it
/// does not know).
pub struct OpOptions {
    pub via: Option<String>,
    pub client: Option<String>,
    pub quorum: Option<String>,
    pub primary: Option<String>,
    pub nowait: bool,
}

/// Reads `rest` as options; `quorum` is `w` or `r`. A word no option
/// takes is refused with `usage`.
pub fn op_options(
    rest: &[Word],
    quorum: &str,
    usage: &str,
    mut extra: impl FnMut(&Word) -> Result<bool, String>,
) -> Result<OpOptions, String> {
    let mut o = OpOptions {
        via: None,
        client: None,
        quorum: None,
        primary: None,
        nowait: false,
    };
    let primary = format!("p{quorum}");
    let mut i = 0;
    while i < rest.len() {
        let w = &rest[i];
        if let Some(n) = w.assigned(quorum) {
            o.quorum = Some(n.to_string());
        } else if let Some(n) = w.assigned(&primary) {
            o.primary = Some(n.to_string());
        } else if w.is("nowait") {
            o.nowait = true;
        } else if (w.is("via") || w.is("as")) && i + 1 < rest.len() {
            let value = rest[i + 1].text.clone();
            if w.is("via") {
                o.via = Some(value);
            } else {
                o.client = Some(value);
            }
            i += 1;
        } else if !extra(w)? {
            return Err(format!("{:?} is not understood; usage: {usage}", w.text));
        }
        i += 1;
    }
    Ok(o)
}

/// A whole number the user typed.
pub fn number(name: &str, text: &str) -> Result<usize, String> {
    text.parse()
        .map_err(|_| format!("{name}={text:?} is not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_split() {
        for text in [
            "plain",
            "two words",
            "",
            "say \"hi\"",
            "back\\slash",
            "via",
            "a=b",
            "x;y",
            "\\\"",
        ] {
            let words = split(&format!("put {} {}", quote(text), quote("v"))).unwrap();
            assert_eq!(words[1].text, text, "{text:?}");
        }
        let w = split("a \"via\" via").unwrap();
        assert!(!w[1].is("via") && w[2].is("via"));
    }

    #[test]
    fn durations_are_written_exactly() {
        assert_eq!(exact(Dur(1_500_000)), "1500ms");
        assert_eq!(exact(Dur(2_000_000)), "2s");
        assert_eq!(exact(Dur(0)), "0us");
        assert_eq!(exact(Dur(7_200_000_000)), "2h");
        for us in [1, 999, 1_001, 1_500_000, 61_000_000] {
            assert_eq!(Dur::parse(&exact(Dur(us))).unwrap(), Dur(us));
        }
    }
}

//! Tab completion for the command line: which words fit where the cursor
//! is. Pure: it sees the text before the cursor and the names the cluster
//! knows, nothing else.

use crate::scenario::command::command_words;
use crate::scenario::settings_patch::SettingsPatch;

/// The names completion draws from.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    pub nodes: Vec<String>,
    pub keys: Vec<String>,
    pub clients: Vec<String>,
    pub presets: Vec<String>,
}

/// Where the word being completed starts (a byte offset into the text
/// before the cursor) and the words that could stand there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidates {
    pub start: usize,
    pub words: Vec<String>,
}

/// Characters that end a word for completion: `partition a,b|c` and `cut a>b`
/// complete node names after the separators too.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '|' | '>')
}

/// The candidates for the word ending at the end of `before` (the text
/// before the cursor).
pub fn candidates(before: &str, vocab: &Vocabulary) -> Candidates {
    let mut start = before
        .rfind(is_separator)
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    if start == 0 && before.starts_with(':') {
        start = 1;
    }
    let partial = &before[start..];
    let head = before[..start].trim_start().trim_start_matches(':');
    let words: Vec<&str> = head.split_whitespace().collect();
    let pool: Vec<String> = match (words.first().copied(), words.last().copied()) {
        (None, _) => command_words().map(str::to_string).collect(),
        (Some(_), Some("via")) => vocab.nodes.clone(),
        (Some(_), Some("as")) => vocab.clients.clone(),
        (Some(cmd @ ("put" | "get")), _) => {
            if words.len() == 1 {
                vocab.keys.clone()
            } else if cmd == "put" && words.len() == 2 {
                Vec::new()
            } else {
                let quorums: [&str; 2] = if cmd == "put" { ["w=", "pw="] } else { ["r=", "pr="] };
                ["via", "as", quorums[0], quorums[1]]
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }
        }
        (Some("kill" | "revive" | "leave"), _) if words.len() == 1 => vocab.nodes.clone(),
        (Some("join"), _) if words.len() == 1 => next_node_name(&vocab.nodes).into_iter().collect(),
        (Some("slow"), _) if words.len() == 1 => vocab.nodes.clone(),
        (Some("fill" | "scan"), _) if words.len() >= 4 || (words.len() == 3 && words[0] == "scan") => {
            let quorum = if words[0] == "fill" { "w=" } else { "r=" };
            ["via", "as", quorum, "start="].iter().map(|s| s.to_string()).collect()
        }
        (Some("partition" | "cut"), _) => vocab.nodes.clone(),
        (Some("load"), _) if words.len() == 1 => vocab.presets.clone(),
        (Some("lab"), _) if words.len() == 1 => crate::lab::EXPERIMENTS.iter().map(|e| e.name.to_string()).collect(),
        (Some("set"), _) => SettingsPatch::FIELDS.iter().map(|f| format!("{f}=")).collect(),
        _ => Vec::new(),
    };
    let mut words: Vec<String> = pool.into_iter().filter(|w| w.starts_with(partial)).collect();
    words.sort();
    words.dedup();
    Candidates { start, words }
}

/// A name for a node joining: the cluster's naming pattern, one past the
/// highest number (`n6` after `n1`..`n5`), or `None` when the names have
/// no pattern.
pub fn next_node_name(nodes: &[String]) -> Option<String> {
    let split = |name: &str| {
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, number) = name.split_at(name.len() - digits);
        Some((prefix.to_string(), number.parse::<u64>().ok()?))
    };
    let (prefix, _) = split(nodes.first()?)?;
    let highest = nodes
        .iter()
        .filter_map(|n| split(n))
        .filter(|(p, _)| *p == prefix)
        .map(|(_, n)| n)
        .max()?;
    let name = format!("{prefix}{}", highest.checked_add(1)?);
    (!nodes.contains(&name)).then_some(name)
}

/// The longest prefix every word shares.
pub fn common_prefix(words: &[String]) -> &str {
    let Some(first) = words.first() else { return "" };
    let mut len = first.len();
    for w in &words[1..] {
        len = len.min(
            first
                .char_indices()
                .zip(w.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8()),
        );
    }
    &first[..len]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            nodes: vec!["s1".into(), "s2".into(), "s3".into()],
            keys: vec!["cart".into(), "car".into(), "user".into()],
            clients: vec!["alice".into(), "bob".into()],
            presets: vec!["conflicting-writes".into(), "coordinator-down".into()],
        }
    }

    fn words(before: &str) -> Vec<String> {
        candidates(before, &vocab()).words
    }

    #[test]
    fn every_step_and_command_completes_as_a_first_word() {
        let offered = words("");
        for step in crate::scenario::step::STEPS {
            assert!(offered.contains(&step.name.to_string()), "{} is not offered", step.name);
        }
        for c in crate::scenario::command::PLAYGROUND {
            assert!(offered.contains(&c.word.to_string()), "{} is not offered", c.word);
        }
    }

    #[test]
    fn first_word_completes_commands() {
        assert_eq!(words("pa"), vec!["partition", "pause"]);
        assert_eq!(words(":he"), vec!["heal", "help"]);
        assert!(words("").contains(&"put".to_string()));
    }

    #[test]
    fn arguments_complete_by_position() {
        assert_eq!(words("put ca"), vec!["car", "cart"]);
        assert_eq!(words("get u"), vec!["user"]);
        assert!(words("put cart ").is_empty(), "a value is free text");
        assert_eq!(words("put cart CAR "), vec!["as", "pw=", "via", "w="]);
        assert_eq!(words("get cart "), vec!["as", "pr=", "r=", "via"]);
        assert_eq!(words("leave s"), vec!["s1", "s2", "s3"]);
        assert_eq!(words("get cart via s"), vec!["s1", "s2", "s3"]);
        assert_eq!(words("put cart CAR as a"), vec!["alice"]);
        assert_eq!(words("kill s"), vec!["s1", "s2", "s3"]);
        assert_eq!(words("partition s1,s2 | s"), vec!["s1", "s2", "s3"]);
        assert_eq!(words("partition s1,s"), vec!["s1", "s2", "s3"]);
        assert_eq!(words("cut s1>s"), vec!["s1", "s2", "s3"]);
        assert_eq!(words("load co"), vec!["conflicting-writes", "coordinator-down"]);
        assert_eq!(words("set write"), vec!["write_quorum="]);
        assert_eq!(words("lab go"), vec!["gossip"]);
        assert!(words("lab ").contains(&"detector".to_string()));
        assert!(words("heal x").is_empty());
        assert_eq!(words("join "), vec!["s4"], "a fresh name in the cluster's pattern");
        assert!(words("join s4 ").is_empty(), "tokens are free numbers");
    }

    #[test]
    fn the_word_start_is_after_the_last_separator() {
        assert_eq!(candidates("cut s1>s", &vocab()).start, 7);
        assert_eq!(candidates("kill s", &vocab()).start, 5);
        assert_eq!(candidates("ki", &vocab()).start, 0);
    }

    #[test]
    fn a_joining_node_is_offered_the_next_name() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(next_node_name(&names(&["n1", "n2", "n5"])).as_deref(), Some("n6"));
        assert_eq!(
            next_node_name(&names(&["s1", "s2", "s3", "extra"])).as_deref(),
            Some("s4")
        );
        assert_eq!(next_node_name(&names(&["alpha", "beta"])), None);
        assert_eq!(next_node_name(&[]), None);
    }

    #[test]
    fn common_prefix_of_candidates() {
        let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_prefix(&w(&["conflicting-writes", "coordinator-down"])), "co");
        assert_eq!(common_prefix(&w(&["cart"])), "cart");
        assert_eq!(common_prefix(&w(&[])), "");
        assert_eq!(common_prefix(&w(&["é1", "é2"])), "é");
    }
}

//! The log filter: which trace lines the event log shows.
//!
//! A filter is a list of terms that must all match: `key:cart`,
//! `node:s1`, `kind:replicate`, or a bare word, read as a node when a node
//! has that name, as a kind when a kind has it, and as a key otherwise. A
//! leading `-` keeps the lines a term does *not* match (`-delivered`).

use crate::core::ids::{Names, NodeId};
use crate::core::message::MsgKind;
use crate::core::trace::Event;

/// The event kinds a filter can name, besides message kinds.
pub const EVENT_KINDS: &[&str] = &[
    "sent",
    "delivered",
    "dropped",
    "stored",
    "overwritten",
    "hint-stored",
    "hint-delivered",
    "liveness",
    "view-changed",
    "transferred",
    "released",
    "node-left",
    "anti-entropy",
    "merkle-level",
    "coordinating",
    "op-started",
    "op-finished",
    "fault",
    "caption",
    "step",
    "expectation",
    "warning",
    "command",
];

/// What one term looks at.
#[derive(Clone, Debug, PartialEq)]
enum Term {
    Key(String),
    Node(NodeId),
    Event(&'static str),
    Msg(MsgKind),
}

/// A parsed filter; empty shows everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogFilter {
    text: String,
    terms: Vec<(bool, Term)>,
}

/// What a log line offers to the filter.
pub struct Subject<'a> {
    pub event: Option<&'a Event>,
    /// The event kind name (or `command` for the app's own lines).
    pub kind: &'static str,
}

fn msg_kind(event: &Event) -> Option<MsgKind> {
    match event {
        Event::Sent { kind, .. } | Event::Delivered { kind, .. } | Event::Dropped { kind, .. } => Some(*kind),
        _ => None,
    }
}

impl LogFilter {
    /// Parses `text` against the cluster's node names.
    pub fn parse(text: &str, names: &Names) -> Result<LogFilter, String> {
        let mut terms = Vec::new();
        for word in text.split_whitespace() {
            let (negate, word) = match word.strip_prefix('-') {
                Some(w) if !w.is_empty() => (true, w),
                _ => (false, word),
            };
            let term = match word.split_once(':') {
                Some(("key", k)) if !k.is_empty() => Term::Key(k.to_string()),
                Some(("node", n)) => Term::Node(names.node_id(n).ok_or_else(|| {
                    format!(
                        "filter: no node {n:?}; the nodes are {}",
                        names.node_names().collect::<Vec<_>>().join(", ")
                    )
                })?),
                Some(("kind", k)) => kind_term(k).ok_or_else(|| {
                    format!(
                        "filter: no kind {k:?}; the kinds are {}, {}",
                        EVENT_KINDS.join(", "),
                        MsgKind::ALL.map(|k| k.name()).join(", ")
                    )
                })?,
                Some(("key", _)) => return Err("filter: key: needs a key, like key:cart".into()),
                // Keys may hold colons: `user:42` is a key.
                _ => match names.node_id(word) {
                    Some(n) => Term::Node(n),
                    None => kind_term(word).unwrap_or_else(|| Term::Key(word.to_string())),
                },
            };
            terms.push((negate, term));
        }
        Ok(LogFilter {
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            terms,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when a term asks for gossip messages (`gossip`, `kind:gossip-reply`).
    pub fn names_gossip(&self) -> bool {
        self.terms
            .iter()
            .any(|(negate, t)| !negate && matches!(t, Term::Msg(k) if crate::tui::theme::is_gossip(*k)))
    }

    /// True when a term asks for a key of the background traffic (`key:t:3`).
    pub fn names_traffic(&self) -> bool {
        self.terms
            .iter()
            .any(|(negate, t)| !negate && matches!(t, Term::Key(k) if crate::scenario::traffic::is_traffic_key(k)))
    }

    pub fn matches(&self, subject: &Subject) -> bool {
        self.terms.iter().all(|(negate, term)| {
            let hit = match term {
                Term::Key(k) => subject.event.and_then(Event::key).is_some_and(|key| **key == **k),
                Term::Node(n) => subject.event.is_some_and(|e| e.involves(*n)),
                Term::Event(name) => subject.kind == *name,
                Term::Msg(kind) => subject.event.and_then(msg_kind) == Some(*kind),
            };
            hit != *negate
        })
    }
}

fn kind_term(word: &str) -> Option<Term> {
    if let Some(k) = EVENT_KINDS.iter().find(|k| **k == word) {
        return Some(Term::Event(k));
    }
    MsgKind::parse(word).map(Term::Msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::Endpoint;
    use crate::core::time::Time;
    use crate::core::trace::ClusterChange;

    fn names() -> Names {
        Names::new(["s1", "s2", "s3"])
    }

    fn sent(from: u16, to: u16, kind: MsgKind, key: &str) -> Event {
        Event::Sent {
            msg: crate::core::ids::MsgId(1),
            from: Endpoint::Node(NodeId(from)),
            to: Endpoint::Node(NodeId(to)),
            kind,
            key: Some(crate::core::version::Key::from(key)),
            arrives: Time(5),
        }
    }

    fn hit(filter: &str, event: &Event) -> bool {
        let f = LogFilter::parse(filter, &names()).unwrap();
        f.matches(&Subject {
            event: Some(event),
            kind: event.kind_name(),
        })
    }

    #[test]
    fn bare_words_are_nodes_then_kinds_then_keys() {
        let e = sent(0, 1, MsgKind::Replicate, "cart");
        assert!(hit("s1", &e));
        assert!(hit("s2", &e));
        assert!(!hit("s3", &e));
        assert!(hit("replicate", &e));
        assert!(hit("sent", &e));
        assert!(!hit("ack", &e));
        assert!(hit("cart", &e));
        assert!(!hit("user", &e));
        assert!(hit("", &e));
    }

    #[test]
    fn terms_combine_and_negate() {
        let e = sent(0, 1, MsgKind::Replicate, "cart");
        assert!(hit("key:cart node:s2 kind:replicate", &e));
        assert!(!hit("cart s3", &e));
        assert!(hit("-delivered", &e));
        assert!(!hit("-s1", &e));
        let kill = Event::ClusterChange(ClusterChange::Kill(NodeId(2)));
        assert!(hit("s3", &kill));
        assert!(hit("fault", &kill));
        assert!(!hit("cart", &kill));
    }

    #[test]
    fn app_lines_match_their_kind_only() {
        let f = LogFilter::parse("command", &names()).unwrap();
        assert!(f.matches(&Subject {
            event: None,
            kind: "command"
        }));
        let f = LogFilter::parse("cart", &names()).unwrap();
        assert!(!f.matches(&Subject {
            event: None,
            kind: "command"
        }));
    }

    #[test]
    fn bad_terms_say_what_is_allowed() {
        let err = LogFilter::parse("node:s9", &names()).unwrap_err();
        assert!(err.contains("no node \"s9\"; the nodes are s1, s2, s3"), "{err}");
        let err = LogFilter::parse("kind:telepathy", &names()).unwrap_err();
        assert!(err.contains("no kind \"telepathy\""), "{err}");
        let err = LogFilter::parse("key:", &names()).unwrap_err();
        assert!(err.contains("needs a key"), "{err}");
        let e = sent(0, 1, MsgKind::Ack, "user:42");
        assert!(hit("user:42", &e), "a key with a colon is a key");
    }

    #[test]
    fn the_text_is_normalised() {
        let f = LogFilter::parse("  cart   s1 ", &names()).unwrap();
        assert_eq!(f.text(), "cart s1");
        assert!(LogFilter::parse("", &names()).unwrap().is_empty());
    }
}

//! A one-line text input with a cursor, a history and Tab completion: the
//! `:` command line and the `/` filter are both one of these.

use std::collections::VecDeque;

use super::action::Edit;
use super::complete::{Candidates, common_prefix};

/// Lines the history keeps.
pub const HISTORY_CAP: usize = 200;

/// What an edit asks of the owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// The text changed or the cursor moved.
    Changed,
    /// Enter: the line to run.
    Submit(String),
    /// Tab: the owner must supply candidates through [`LineEditor::complete`].
    WantsCompletion,
}

/// The text, the cursor (in characters) and the history.
#[derive(Clone, Debug, Default)]
pub struct LineEditor {
    text: String,
    cursor: usize,
    history: VecDeque<String>,
    /// Position while browsing the history; `None` when editing a new line.
    browsing: Option<usize>,
    /// The new line being typed before browsing began.
    draft: String,
    /// Tab pressed again on the same candidates cycles through them.
    cycle: Option<(Candidates, usize)>,
}

impl LineEditor {
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn history(&self) -> impl Iterator<Item = &str> {
        self.history.iter().map(String::as_str)
    }

    /// Starts a new line with `text` and the cursor at its end.
    pub fn open(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.chars().count();
        self.browsing = None;
        self.cycle = None;
    }

    /// The text before the cursor.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.byte_at(self.cursor)]
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text.char_indices().nth(chars).map_or(self.text.len(), |(i, _)| i)
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Applies an edit.
    pub fn edit(&mut self, edit: Edit) -> EditOutcome {
        if edit != Edit::Complete {
            self.cycle = None;
        }
        match edit {
            Edit::Insert(c) => {
                if !c.is_control() {
                    let at = self.byte_at(self.cursor);
                    self.text.insert(at, c);
                    self.cursor += 1;
                }
            }
            Edit::Backspace => {
                if self.cursor > 0 {
                    let at = self.byte_at(self.cursor - 1);
                    self.text.remove(at);
                    self.cursor -= 1;
                }
            }
            Edit::Delete => {
                if self.cursor < self.len() {
                    let at = self.byte_at(self.cursor);
                    self.text.remove(at);
                }
            }
            Edit::Left => self.cursor = self.cursor.saturating_sub(1),
            Edit::Right => self.cursor = (self.cursor + 1).min(self.len()),
            Edit::Start => self.cursor = 0,
            Edit::End => self.cursor = self.len(),
            Edit::DeleteWord => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.replace_range(a..b, "");
                self.cursor = start;
            }
            Edit::Clear => {
                self.text.clear();
                self.cursor = 0;
            }
            Edit::HistoryPrev => self.browse(true),
            Edit::HistoryNext => self.browse(false),
            Edit::Complete => return EditOutcome::WantsCompletion,
            Edit::Submit => {
                let line = std::mem::take(&mut self.text);
                self.cursor = 0;
                self.browsing = None;
                self.remember(&line);
                return EditOutcome::Submit(line);
            }
        }
        EditOutcome::Changed
    }

    /// Adds a line to the history (not blanks, not a repeat of the last).
    pub fn remember(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() || self.history.back().is_some_and(|l| l == line) {
            return;
        }
        if self.history.len() >= HISTORY_CAP {
            self.history.pop_front();
        }
        self.history.push_back(line.to_string());
    }

    fn browse(&mut self, back: bool) {
        let n = self.history.len();
        if n == 0 {
            return;
        }
        let next = match (self.browsing, back) {
            (None, true) => {
                self.draft = self.text.clone();
                Some(n - 1)
            }
            (None, false) => return,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) if i + 1 < n => Some(i + 1),
            (Some(_), false) => None,
        };
        self.browsing = next;
        self.text = match next {
            Some(i) => self.history[i].clone(),
            None => std::mem::take(&mut self.draft),
        };
        self.cursor = self.len();
    }

    /// Completes the word before the cursor from `found`. One candidate is
    /// taken whole; several extend the word to their common prefix, and a
    /// further Tab cycles through them. Returns the candidates to show.
    pub fn complete(&mut self, found: Candidates) -> Vec<String> {
        if let Some((cands, i)) = self.cycle.take() {
            let next = (i + 1) % cands.words.len();
            let word = cands.words[next].clone();
            self.replace_word(cands.start, &word, false);
            let shown = cands.words.clone();
            self.cycle = Some((cands, next));
            return shown;
        }
        match found.words.len() {
            0 => Vec::new(),
            1 => {
                let word = found.words[0].clone();
                let space = !word.ends_with('=');
                self.replace_word(found.start, &word, space);
                Vec::new()
            }
            _ => {
                let prefix = common_prefix(&found.words).to_string();
                let before = self.before_cursor()[found.start..].to_string();
                if prefix.len() > before.len() {
                    self.replace_word(found.start, &prefix, false);
                } else {
                    let word = found.words[0].clone();
                    self.replace_word(found.start, &word, false);
                    self.cycle = Some((found.clone(), 0));
                }
                found.words
            }
        }
    }

    /// Replaces the text from byte `start` up to the cursor by `word`.
    fn replace_word(&mut self, start: usize, word: &str, space: bool) {
        let end = self.byte_at(self.cursor);
        let start = start.min(end);
        let mut new = word.to_string();
        if space && !self.text[end..].starts_with(' ') {
            new.push(' ');
        }
        self.text.replace_range(start..end, &new);
        self.cursor = self.text[..start + new.len()].chars().count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> LineEditor {
        let mut e = LineEditor::default();
        for c in text.chars() {
            e.edit(Edit::Insert(c));
        }
        e
    }

    #[test]
    fn typing_moving_and_deleting() {
        let mut e = typed("put cart CAR");
        assert_eq!(e.cursor(), 12);
        e.edit(Edit::Left);
        e.edit(Edit::Backspace);
        assert_eq!(e.text(), "put cart CR");
        e.edit(Edit::Start);
        e.edit(Edit::Delete);
        assert_eq!(e.text(), "ut cart CR");
        e.edit(Edit::End);
        e.edit(Edit::DeleteWord);
        assert_eq!(e.text(), "ut cart ");
        e.edit(Edit::Clear);
        assert_eq!(e.text(), "");
        e.edit(Edit::Backspace);
        assert_eq!(e.cursor(), 0);
    }

    #[test]
    fn multibyte_text_is_edited_by_characters() {
        let mut e = typed("put k é");
        e.edit(Edit::Backspace);
        e.edit(Edit::Insert('ü'));
        assert_eq!(e.text(), "put k ü");
        assert_eq!(e.before_cursor(), "put k ü");
    }

    #[test]
    fn submit_clears_and_remembers() {
        let mut e = typed("get cart");
        assert_eq!(e.edit(Edit::Submit), EditOutcome::Submit("get cart".into()));
        assert_eq!(e.text(), "");
        assert_eq!(e.history().collect::<Vec<_>>(), vec!["get cart"]);
    }

    #[test]
    fn history_walks_back_and_forth_and_keeps_the_draft() {
        let mut e = LineEditor::default();
        e.remember("put cart CAR");
        e.remember("get cart");
        e.remember("get cart");
        e.remember("  ");
        assert_eq!(e.history().count(), 2);
        for c in "kil".chars() {
            e.edit(Edit::Insert(c));
        }
        e.edit(Edit::HistoryPrev);
        assert_eq!(e.text(), "get cart");
        e.edit(Edit::HistoryPrev);
        assert_eq!(e.text(), "put cart CAR");
        e.edit(Edit::HistoryPrev);
        assert_eq!(e.text(), "put cart CAR", "stops at the oldest");
        e.edit(Edit::HistoryNext);
        e.edit(Edit::HistoryNext);
        assert_eq!(e.text(), "kil", "back to the draft");
    }

    #[test]
    fn history_is_capped() {
        let mut e = LineEditor::default();
        for i in 0..HISTORY_CAP + 10 {
            e.remember(&format!("wait {i}ms"));
        }
        assert_eq!(e.history().count(), HISTORY_CAP);
        assert_eq!(e.history().next(), Some("wait 10ms"));
    }

    fn cands(start: usize, words: &[&str]) -> Candidates {
        Candidates {
            start,
            words: words.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn one_candidate_completes_with_a_space() {
        let mut e = typed("kill s");
        e.complete(cands(5, &["s1"]));
        assert_eq!(e.text(), "kill s1 ");
        let mut e = typed("set wr");
        e.complete(cands(4, &["write_quorum="]));
        assert_eq!(e.text(), "set write_quorum=");
    }

    #[test]
    fn several_candidates_extend_then_cycle() {
        let mut e = typed("load c");
        let shown = e.complete(cands(5, &["conflicting-writes", "coordinator-down"]));
        assert_eq!(e.text(), "load co");
        assert_eq!(shown.len(), 2);
        e.complete(cands(5, &["conflicting-writes", "coordinator-down"]));
        assert_eq!(e.text(), "load conflicting-writes");
        e.complete(cands(5, &["ignored"]));
        assert_eq!(e.text(), "load coordinator-down");
        e.complete(cands(5, &["ignored"]));
        assert_eq!(e.text(), "load conflicting-writes");
        e.edit(Edit::Insert('!'));
        assert_eq!(e.text(), "load conflicting-writes!");
    }
}

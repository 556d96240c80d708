//! The keymap: a pure function from a key event (and the input mode) to an
//! [`UserAction`]. It knows nothing of the app, so it is tested without a
//! terminal, and the help overlay lists the same table it is checked against.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Edit, Mode, UserAction};

/// One line of the help overlay: the keys as written, what they do, and one
/// key event that triggers the action (tests check the two agree).
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub keys: &'static str,
    pub help: &'static str,
    pub example: KeyCode,
    pub action: UserAction,
}

const fn b(keys: &'static str, help: &'static str, example: KeyCode, action: UserAction) -> Binding {
    Binding {
        keys,
        help,
        example,
        action,
    }
}

/// Every key of the normal mode, in the order the help overlay lists them.
pub const BINDINGS: &[Binding] = &[
    b(
        "space",
        "pause / resume virtual time",
        KeyCode::Char(' '),
        UserAction::TogglePause,
    ),
    b(
        ".",
        "advance to the next event",
        KeyCode::Char('.'),
        UserAction::StepEvent,
    ),
    b(
        ", < >",
        "back one event / to the previous, next action (paused)",
        KeyCode::Char(','),
        UserAction::StepBack,
    ),
    b(
        "r",
        "rewind to before your actions made the tour's checks fail",
        KeyCode::Char('r'),
        UserAction::RewindToDivergence,
    ),
    b("+ =", "faster (up to 100x)", KeyCode::Char('+'), UserAction::Faster),
    b("-", "slower (down to 0.01x)", KeyCode::Char('-'), UserAction::Slower),
    b(
        "n",
        "run the scenario's next step",
        KeyCode::Char('n'),
        UserAction::NextStep,
    ),
    b(
        "a",
        "autoplay: the scenario runs its steps by itself",
        KeyCode::Char('a'),
        UserAction::ToggleAutoplay,
    ),
    b(
        ":",
        "command line (Tab completes, ↑↓ history)",
        KeyCode::Char(':'),
        UserAction::OpenCommand,
    ),
    b(
        "/",
        "filter the log: key, node or kind",
        KeyCode::Char('/'),
        UserAction::OpenFilter,
    ),
    b(
        "p",
        "pick a scenario to load",
        KeyCode::Char('p'),
        UserAction::OpenPicker,
    ),
    b(
        "Tab S-Tab",
        "move focus between panes",
        KeyCode::Tab,
        UserAction::FocusNext,
    ),
    b(
        "v",
        "detail pane: key → membership → Merkle trees → history → metrics",
        KeyCode::Char('v'),
        UserAction::CycleView,
    ),
    b(
        "g",
        "gossip: ring only (default) → hidden → ring and log",
        KeyCode::Char('g'),
        UserAction::ToggleGossip,
    ),
    b(
        "t",
        "background traffic in the log: hidden (default) → listed",
        KeyCode::Char('t'),
        UserAction::ToggleTraffic,
    ),
    b(
        "M",
        "full-screen metrics: rates, latency, availability, staleness (M/Esc close)",
        KeyCode::Char('M'),
        UserAction::ToggleMetrics,
    ),
    b(
        "↑ ↓ k j",
        "select a node, a key or a log line",
        KeyCode::Up,
        UserAction::Up,
    ),
    b("PgUp PgDn", "scroll by a page", KeyCode::PageUp, UserAction::PageUp),
    b(
        "Home End",
        "first / last (End follows the log again)",
        KeyCode::End,
        UserAction::End,
    ),
    b(
        "Enter",
        "node/key: filter the log; log line: inspect its key",
        KeyCode::Enter,
        UserAction::Activate,
    ),
    b(
        "x",
        "kill the selected node, or revive it",
        KeyCode::Char('x'),
        UserAction::ToggleNode,
    ),
    b(
        "1-9",
        "resolve siblings: keep that value",
        KeyCode::Char('1'),
        UserAction::ResolvePick(1),
    ),
    b(
        "m",
        "resolve siblings: write the union of their items",
        KeyCode::Char('m'),
        UserAction::ResolveMerge,
    ),
    b(
        "e",
        "resolve siblings: edit the merge on the command line",
        KeyCode::Char('e'),
        UserAction::ResolveEdit,
    ),
    b("Esc", "close, or follow the log again", KeyCode::Esc, UserAction::Close),
    b("?", "this help", KeyCode::Char('?'), UserAction::OpenHelp),
    b("q Ctrl-C", "quit", KeyCode::Char('q'), UserAction::Quit),
];

/// What `key` means in `mode`, if anything.
pub fn map_key(mode: Mode, key: KeyEvent) -> Option<UserAction> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(UserAction::Quit);
    }
    match mode {
        Mode::Normal => normal(key.code, ctrl),
        Mode::Command | Mode::Filter => line(key.code, ctrl),
        Mode::Help => overlay(key.code),
        Mode::Picker => match key.code {
            KeyCode::Enter => Some(UserAction::Activate),
            code => overlay(code),
        },
        Mode::Lab => match key.code {
            KeyCode::Right | KeyCode::Tab | KeyCode::Char('l') => Some(UserAction::FocusNext),
            KeyCode::Left | KeyCode::BackTab | KeyCode::Char('h') => Some(UserAction::FocusPrev),
            KeyCode::Esc | KeyCode::Char('q') => Some(UserAction::Close),
            _ => None,
        },
    }
}

fn normal(code: KeyCode, ctrl: bool) -> Option<UserAction> {
    if ctrl {
        return match code {
            KeyCode::Char('l') => Some(UserAction::End),
            _ => None,
        };
    }
    Some(match code {
        KeyCode::Char(' ') => UserAction::TogglePause,
        KeyCode::Char('.') => UserAction::StepEvent,
        KeyCode::Char(',') => UserAction::StepBack,
        KeyCode::Char('<') => UserAction::PrevMark,
        KeyCode::Char('>') => UserAction::NextMark,
        KeyCode::Char('r') => UserAction::RewindToDivergence,
        KeyCode::Char('+') | KeyCode::Char('=') => UserAction::Faster,
        KeyCode::Char('-') | KeyCode::Char('_') => UserAction::Slower,
        KeyCode::Char('n') => UserAction::NextStep,
        KeyCode::Char('a') => UserAction::ToggleAutoplay,
        KeyCode::Char(':') => UserAction::OpenCommand,
        KeyCode::Char('/') => UserAction::OpenFilter,
        KeyCode::Char('p') => UserAction::OpenPicker,
        KeyCode::Char('?') => UserAction::OpenHelp,
        KeyCode::Char('q') => UserAction::Quit,
        KeyCode::Char('x') => UserAction::ToggleNode,
        KeyCode::Char('m') => UserAction::ResolveMerge,
        KeyCode::Char('e') => UserAction::ResolveEdit,
        KeyCode::Char('v') => UserAction::CycleView,
        KeyCode::Char('g') => UserAction::ToggleGossip,
        KeyCode::Char('t') => UserAction::ToggleTraffic,
        KeyCode::Char('M') => UserAction::ToggleMetrics,
        KeyCode::Char(c @ '1'..='9') => UserAction::ResolvePick(c as u8 - b'0'),
        KeyCode::Char('k') | KeyCode::Up => UserAction::Up,
        KeyCode::Char('j') | KeyCode::Down => UserAction::Down,
        KeyCode::Left => UserAction::Up,
        KeyCode::Right => UserAction::Down,
        KeyCode::Tab => UserAction::FocusNext,
        KeyCode::BackTab => UserAction::FocusPrev,
        KeyCode::PageUp => UserAction::PageUp,
        KeyCode::PageDown => UserAction::PageDown,
        KeyCode::Home => UserAction::Home,
        KeyCode::End => UserAction::End,
        KeyCode::Enter => UserAction::Activate,
        KeyCode::Esc => UserAction::Close,
        _ => return None,
    })
}

fn line(code: KeyCode, ctrl: bool) -> Option<UserAction> {
    let edit = if ctrl {
        match code {
            KeyCode::Char('a') => Edit::Start,
            KeyCode::Char('e') => Edit::End,
            KeyCode::Char('w') | KeyCode::Backspace => Edit::DeleteWord,
            KeyCode::Char('u') => Edit::Clear,
            KeyCode::Char('p') => Edit::HistoryPrev,
            KeyCode::Char('n') => Edit::HistoryNext,
            _ => return None,
        }
    } else {
        match code {
            KeyCode::Esc => return Some(UserAction::Close),
            KeyCode::Char(c) => Edit::Insert(c),
            KeyCode::Backspace => Edit::Backspace,
            KeyCode::Delete => Edit::Delete,
            KeyCode::Left => Edit::Left,
            KeyCode::Right => Edit::Right,
            KeyCode::Home => Edit::Start,
            KeyCode::End => Edit::End,
            KeyCode::Up => Edit::HistoryPrev,
            KeyCode::Down => Edit::HistoryNext,
            KeyCode::Tab => Edit::Complete,
            KeyCode::Enter => Edit::Submit,
            _ => return None,
        }
    };
    Some(UserAction::Edit(edit))
}

fn overlay(code: KeyCode) -> Option<UserAction> {
    Some(match code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') => UserAction::Close,
        KeyCode::Up | KeyCode::Char('k') => UserAction::Up,
        KeyCode::Down | KeyCode::Char('j') => UserAction::Down,
        KeyCode::PageUp => UserAction::PageUp,
        KeyCode::PageDown | KeyCode::Char(' ') => UserAction::PageDown,
        KeyCode::Home => UserAction::Home,
        KeyCode::End => UserAction::End,
        KeyCode::Enter => UserAction::Close,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn the_help_table_says_what_each_key_does() {
        for binding in BINDINGS {
            assert_eq!(
                map_key(Mode::Normal, key(binding.example)),
                Some(binding.action),
                "{} is listed as {:?}",
                binding.keys,
                binding.action
            );
        }
    }

    #[test]
    fn every_normal_key_is_in_the_help() {
        let mut codes: Vec<KeyCode> = (' '..='~').map(KeyCode::Char).collect();
        codes.extend([
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Enter,
            KeyCode::Esc,
        ]);
        let same = |a: &UserAction, b: &UserAction| std::mem::discriminant(a) == std::mem::discriminant(b);
        let mirrors = [
            (UserAction::FocusPrev, UserAction::FocusNext),
            (UserAction::Down, UserAction::Up),
            (UserAction::PageDown, UserAction::PageUp),
            (UserAction::Home, UserAction::End),
            // `, < >` is one line of the help.
            (UserAction::PrevMark, UserAction::StepBack),
            (UserAction::NextMark, UserAction::StepBack),
        ];
        for code in codes {
            let Some(action) = map_key(Mode::Normal, key(code)) else {
                continue;
            };
            let listed = BINDINGS.iter().any(|b| same(&b.action, &action))
                || mirrors
                    .iter()
                    .any(|(m, listed)| same(m, &action) && BINDINGS.iter().any(|b| same(&b.action, listed)));
            assert!(listed, "{code:?} does {action:?} but the help does not say so");
        }
    }

    #[test]
    fn normal_mode_keys() {
        let m = |c| map_key(Mode::Normal, key(c));
        assert_eq!(m(KeyCode::Char(' ')), Some(UserAction::TogglePause));
        assert_eq!(m(KeyCode::Char('.')), Some(UserAction::StepEvent));
        assert_eq!(m(KeyCode::Char('=')), Some(UserAction::Faster));
        assert_eq!(m(KeyCode::Char('-')), Some(UserAction::Slower));
        assert_eq!(m(KeyCode::Char('3')), Some(UserAction::ResolvePick(3)));
        assert_eq!(m(KeyCode::Char('0')), None);
        assert_eq!(m(KeyCode::Char('j')), Some(UserAction::Down));
        assert_eq!(m(KeyCode::Char('v')), Some(UserAction::CycleView));
        assert_eq!(m(KeyCode::Char('g')), Some(UserAction::ToggleGossip));
        assert_eq!(m(KeyCode::Char('t')), Some(UserAction::ToggleTraffic));
        assert_eq!(m(KeyCode::Char('M')), Some(UserAction::ToggleMetrics));
        assert_eq!(m(KeyCode::F(5)), None);
        assert_eq!(map_key(Mode::Normal, ctrl('c')), Some(UserAction::Quit));
    }

    #[test]
    fn the_command_line_takes_every_printable_key_as_text() {
        for c in ['q', 'n', ' ', ':', '?', '.', 'x', '1', '|', '>', '#'] {
            assert_eq!(
                map_key(Mode::Command, key(KeyCode::Char(c))),
                Some(UserAction::Edit(Edit::Insert(c)))
            );
            assert_eq!(
                map_key(Mode::Filter, key(KeyCode::Char(c))),
                Some(UserAction::Edit(Edit::Insert(c)))
            );
        }
        let m = |c| map_key(Mode::Command, key(c));
        assert_eq!(m(KeyCode::Up), Some(UserAction::Edit(Edit::HistoryPrev)));
        assert_eq!(m(KeyCode::Down), Some(UserAction::Edit(Edit::HistoryNext)));
        assert_eq!(m(KeyCode::Tab), Some(UserAction::Edit(Edit::Complete)));
        assert_eq!(m(KeyCode::Enter), Some(UserAction::Edit(Edit::Submit)));
        assert_eq!(m(KeyCode::Esc), Some(UserAction::Close));
        assert_eq!(
            map_key(Mode::Command, ctrl('w')),
            Some(UserAction::Edit(Edit::DeleteWord))
        );
        assert_eq!(map_key(Mode::Command, ctrl('c')), Some(UserAction::Quit));
    }

    #[test]
    fn overlays_close_on_q_and_esc_instead_of_quitting() {
        for mode in [Mode::Help, Mode::Picker, Mode::Lab] {
            if mode == Mode::Lab {
                assert_eq!(map_key(mode, key(KeyCode::Right)), Some(UserAction::FocusNext));
                assert_eq!(map_key(mode, key(KeyCode::Esc)), Some(UserAction::Close));
                assert_eq!(map_key(mode, ctrl('c')), Some(UserAction::Quit));
                continue;
            }
            assert_eq!(map_key(mode, key(KeyCode::Char('q'))), Some(UserAction::Close));
            assert_eq!(map_key(mode, key(KeyCode::Esc)), Some(UserAction::Close));
            assert_eq!(map_key(mode, key(KeyCode::Down)), Some(UserAction::Down));
            assert_eq!(map_key(mode, ctrl('c')), Some(UserAction::Quit));
        }
        assert_eq!(map_key(Mode::Picker, key(KeyCode::Enter)), Some(UserAction::Activate));
    }

    #[test]
    fn key_releases_do_nothing() {
        let mut release = key(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert_eq!(map_key(Mode::Normal, release), None);
    }
}

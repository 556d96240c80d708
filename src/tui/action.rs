//! What the user can ask of the playground: the [`UserAction`]s the keymap
//! turns keys into (the app carries them out), the input [`Mode`] that
//! decides what keys mean, the [`Focus`]ed pane and the [`Edit`]s of a
//! one-line input.

/// Which kind of input the screen is taking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Keys drive the playground.
    #[default]
    Normal,
    /// The `:` command line is open.
    Command,
    /// The `/` log filter is being edited.
    Filter,
    /// The help overlay is open.
    Help,
    /// The scenario picker is open.
    Picker,
    /// The `:lab` view is open (an experiment's chart, full screen).
    Lab,
}

/// The pane that arrows and Enter act on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    Ring,
    Nodes,
    #[default]
    Inspector,
    Log,
}

impl Focus {
    pub const ORDER: [Focus; 4] = [Focus::Ring, Focus::Nodes, Focus::Inspector, Focus::Log];

    pub fn next(self) -> Focus {
        let i = Focus::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        Focus::ORDER[(i + 1) % Focus::ORDER.len()]
    }

    pub fn prev(self) -> Focus {
        let i = Focus::ORDER.iter().position(|f| *f == self).unwrap_or(0);
        Focus::ORDER[(i + Focus::ORDER.len() - 1) % Focus::ORDER.len()]
    }
}

/// An edit of a one-line input (the command line or the filter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    Start,
    End,
    DeleteWord,
    Clear,
    HistoryPrev,
    HistoryNext,
    Complete,
    Submit,
}

/// One thing the user asks of the playground (a key through the keymap,
/// or the benchmark and the tests standing in for one). Named apart from
/// the scenario's step action and the core's message action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserAction {
    Quit,
    TogglePause,
    /// Process the next event instant.
    StepEvent,
    /// Rewind to the event instant before this one.
    StepBack,
    /// Rewind to the instant of the previous operation, fault or scenario step.
    PrevMark,
    /// Go on to the instant of the next recorded operation, fault or step.
    NextMark,
    /// Rewind to just before the user's own actions took the tour's story
    /// where its checks fail (when the banner offers it).
    RewindToDivergence,
    Faster,
    Slower,
    /// Run the scenario's next step.
    NextStep,
    /// Let the scenario play its steps by itself, or stop it.
    ToggleAutoplay,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter on the focused pane's selection.
    Activate,
    OpenCommand,
    OpenFilter,
    OpenHelp,
    OpenPicker,
    /// Esc: close what is open, or go back to following the log.
    Close,
    /// Kill the selected node, or revive it if it is dead.
    ToggleNode,
    /// Resolve the selected key's siblings by keeping sibling N (from 1).
    ResolvePick(u8),
    /// Resolve them by writing the union of their items.
    ResolveMerge,
    /// Open the command line with the merge, to edit before writing.
    ResolveEdit,
    /// Show the next detail pane: key inspector, membership, Merkle trees,
    /// history, metrics.
    CycleView,
    /// Hide gossip messages from the ring and the log, or show them again.
    ToggleGossip,
    /// List background traffic (`:traffic`) in the log, or leave it out.
    ToggleTraffic,
    /// Open the full-screen metrics view, or close it.
    ToggleMetrics,
    Edit(Edit),
}

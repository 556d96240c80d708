//! The live playground: a ratatui interface over the running cluster.
//!
//! It talks to the [`Engine`](crate::engine::Engine) through the same handle
//! the headless runner uses and learns what happened from the trace; it never
//! reaches into a node. State ([`app`], and the [`models`] the panes draw) is
//! separate from drawing ([`ui`]: each pane borrows only the models it
//! draws); keys become [`UserAction`]s through a pure [`keymap`]; one
//! [`event_loop`] merges input, frame ticks and signals.
//!
//! # Layout
//!
//! - The app: [`app`] (its state, opening scenarios, moving time, feeding
//!   the trace to the models), `input` (what keys and the mouse do),
//!   `commands` (what the `:` line does), [`playback`] (the scenario's steps
//!   and the typed ones), [`tour`] (the scenario's steps the user already
//!   did), [`branches`] (the futures a rewind and a new action left behind),
//!   [`pacing`] (virtual time per frame), `time_travel` (rewinding, going to
//!   a branch, saving), [`checkpoints`] (the session's state kept every so
//!   often, where a rewind starts).
//! - Input: [`action`] (user actions, modes, focus, edits), [`keymap`],
//!   [`line_editor`], [`complete`] (Tab), [`filter`] (the log filter),
//!   [`resolve`] (sibling resolution).
//! - Models ([`models`] holds them all): [`log`], [`flights`] (messages in
//!   flight), [`story`] (captions and checks), [`anchors`] (the drawn ring
//!   and where nodes sit on it), and the mirrors of node state behind the
//!   [`mirror`] trait: [`inspector`], [`hint_book`], [`members`], [`merkle`],
//!   [`transfers`]. [`throttle`] rate-limits their queries. [`timeline`]
//!   keeps the marks of the bar under the status line.
//!   [`traffic_marks`] tells background traffic's events from the rest.
//! - Display choices: [`view`] (the detail pane shown), [`gossip`] (where
//!   gossip shows), [`theme`] (colours).
//! - Drawing: [`ui`], one module per pane.
//! - The terminal: [`terminal`] (taking it over and giving it back),
//!   [`event_loop`].

pub mod action;
pub mod anchors;
pub mod app;
pub mod branches;
pub mod checkpoints;
mod commands;
pub mod complete;
pub mod event_loop;
pub mod filter;
pub mod flights;
pub mod gossip;
pub mod hint_book;
pub mod history;
mod input;
pub mod inspector;
pub mod keymap;
pub mod lab_run;
pub mod line_editor;
pub mod log;
pub mod members;
pub mod merkle;
pub mod mirror;
pub mod models;
pub mod pacing;
pub mod playback;
pub mod resolve;
pub mod story;
pub mod terminal;
pub mod terminal_input;
pub mod theme;
pub mod throttle;
mod time_travel;
pub mod timeline;
pub mod tour;
pub mod traffic_marks;
pub mod transfers;
pub mod ui;
pub mod view;

use std::io::IsTerminal;
use std::process::ExitCode;

pub use action::{Edit, Focus, Mode, UserAction};
pub use app::{App, PlayOptions};
pub use view::DetailView;

/// Opens the playground and runs it until the user quits. Exit code 0 when
/// the user quits, 128 + the signal's number when a signal ends it (the
/// terminal restored either way), 2 when the scenario cannot be opened or
/// there is no terminal, 1 on an I/O error.
pub fn play(opts: PlayOptions) -> ExitCode {
    if let Err(e) = crate::scenario::Scenario::load(&opts.preset) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "error: the playground needs a terminal; for a run without one, use `ringside run {}`",
            opts.preset
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async {
        let mut app = match App::new(&opts).await {
            Ok(app) => app,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let signals = match event_loop::Signals::new() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot watch for signals: {e}");
                return ExitCode::from(1);
            }
        };
        let mut guard = match terminal::TerminalGuard::enter() {
            Ok(g) => g,
            Err(e) => {
                eprintln!("error: cannot take over the terminal: {e}");
                return ExitCode::from(1);
            }
        };
        let result = event_loop::run(&mut guard.terminal, &mut app, signals).await;
        drop(guard);
        match result {
            Ok(event_loop::Exit::Signal(signal)) => ExitCode::from(128 + signal.number()),
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        }
    })
}

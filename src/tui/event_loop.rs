//! The one loop: terminal input, the frame tick and the signals that end
//! the program, merged with `tokio::select!`. Each frame moves virtual time
//! by the pacer within a budget, then the screen is drawn.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream, MouseEventKind};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::time::MissedTickBehavior;

use super::app::{App, FRAME_BUDGET};
use super::terminal::panicked;
use super::ui;

/// 40 frames a second: smooth motion with room to spare.
pub const FRAME: Duration = Duration::from_millis(25);

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(Signal),
    InputClosed,
}

/// The signals that end the playground (with the terminal restored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Hangup,
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn number(self) -> u8 {
        match self {
            Signal::Hangup => 1,
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
        }
    }
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &mut App) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    let mut area = app.area;
    terminal
        .draw(|frame| {
            area = frame.area();
            frame.render_widget(&*app, area);
            if let Some(pos) = ui::cursor(app, area) {
                frame.set_cursor_position(pos);
            }
        })
        .map_err(Into::into)?;
    app.set_area(area);
    Ok(())
}

/// Runs until the user quits, a signal arrives or input ends.
pub async fn run<B: Backend>(terminal: &mut Terminal<B>, app: &mut App) -> io::Result<Exit>
where
    B::Error: Into<io::Error>,
{
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(FRAME);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut last = Instant::now();
    let mut dirty = true;
    loop {
        if panicked() {
            return Err(io::Error::other("a panic stopped the playground"));
        }
        if dirty {
            draw(terminal, app)?;
            dirty = false;
        }
        if app.is_quitting() {
            return Ok(Exit::Quit);
        }
        tokio::select! {
            _ = ticker.tick() => {
                let now = Instant::now();
                app.tick(now - last, Some(FRAME_BUDGET)).await;
                last = now;
                dirty = true;
            }
            event = events.next() => match event {
                Some(Ok(event)) => {
                    // Bare motion changes nothing on screen.
                    let motion = matches!(&event, TermEvent::Mouse(m) if m.kind == MouseEventKind::Moved);
                    app.on_terminal_event(event).await;
                    dirty |= !motion;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(Exit::InputClosed),
            },
            _ = term.recv() => return Ok(Exit::Signal(Signal::Terminate)),
            _ = hangup.recv() => return Ok(Exit::Signal(Signal::Hangup)),
            _ = interrupt.recv() => return Ok(Exit::Signal(Signal::Interrupt)),
        }
    }
}

//! The one loop: terminal input, the frame tick and the signals, merged
//! with `tokio::select!`. Each frame moves virtual time by the pacer within
//! a budget, then the screen is drawn. Input is taken in batches of what is
//! waiting ([`terminal_input`]), so a paste costs a few frames, not one per
//! character. Ctrl-Z and SIGTSTP suspend the playground, SIGCONT takes the
//! terminal back, SIGTERM, SIGHUP and SIGINT end it.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::app::{App, FRAME_BUDGET};
use super::terminal::{io_error, panicked, resumed, suspend};
use super::terminal_input::{self, BATCH, ready_batch};
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
    B::Error: std::error::Error + Send + Sync + 'static,
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
        .map_err(io_error)?;
    app.set_area(area);
    Ok(())
}

/// The signals the loop takes, registered before the terminal is taken
/// over so that none of them finds it taken over and unguarded.
pub struct Signals {
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    stop: tokio::signal::unix::Signal,
    cont: tokio::signal::unix::Signal,
}

impl Signals {
    /// Needs a running tokio runtime with the signal driver.
    pub fn new() -> io::Result<Signals> {
        Ok(Signals {
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            interrupt: signal(SignalKind::interrupt())?,
            stop: signal(SignalKind::from_raw(libc::SIGTSTP))?,
            cont: signal(SignalKind::from_raw(libc::SIGCONT))?,
        })
    }
}

/// Ctrl-Z: in raw mode the terminal sends it as a key, not as SIGTSTP.
fn is_suspend_key(event: &TermEvent) -> bool {
    matches!(
        event,
        TermEvent::Key(KeyEvent { code: KeyCode::Char('z' | 'Z'), modifiers, kind, .. })
            if modifiers.contains(KeyModifiers::CONTROL) && *kind != KeyEventKind::Release
    )
}

/// Runs until the user quits, a signal ends it or input ends, reading the
/// terminal's input.
pub async fn run<B: Backend>(terminal: &mut Terminal<B>, app: &mut App, signals: Signals) -> io::Result<Exit>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let input = terminal_input::spawn()?;
    run_with_input(terminal, app, signals, input).await
}

/// [`run`], with input from `input` (tests feed it).
pub async fn run_with_input<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut signals: Signals,
    mut input: mpsc::Receiver<io::Result<TermEvent>>,
) -> io::Result<Exit>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let mut ticker = tokio::time::interval(FRAME);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
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
            event = input.recv() => {
                let Some(first) = event else {
                    return Ok(Exit::InputClosed);
                };
                // Everything already waiting, then one frame.
                for event in ready_batch(first, &mut input, BATCH) {
                    let event = event?;
                    if is_suspend_key(&event) {
                        suspend(terminal)?;
                        dirty = true;
                        continue;
                    }
                    // Bare motion changes nothing on screen.
                    let motion = matches!(&event, TermEvent::Mouse(m) if m.kind == MouseEventKind::Moved);
                    app.on_terminal_event(event).await;
                    dirty |= !motion;
                    if app.is_quitting() {
                        break;
                    }
                }
            }
            _ = signals.stop.recv() => {
                suspend(terminal)?;
                dirty = true;
            }
            _ = signals.cont.recv() => {
                resumed(terminal)?;
                dirty = true;
            }
            _ = signals.terminate.recv() => return Ok(Exit::Signal(Signal::Terminate)),
            _ = signals.hangup.recv() => return Ok(Exit::Signal(Signal::Hangup)),
            _ = signals.interrupt.recv() => return Ok(Exit::Signal(Signal::Interrupt)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::PlayOptions;
    use crossterm::event::KeyEvent;
    use ratatui::backend::TestBackend;

    fn key(code: KeyCode) -> io::Result<TermEvent> {
        Ok(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    #[test]
    fn a_burst_of_input_is_handled_whole_before_more_arrives() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut app = App::new(&PlayOptions {
                preset: "playground".into(),
                seed: None,
                speed: 0.05,
            })
            .await
            .unwrap();
            let mut terminal = Terminal::new(TestBackend::new(140, 45)).unwrap();
            let value = "AB".repeat(2000);
            let burst: Vec<_> = format!(":put cart {value}")
                .chars()
                .map(|c| key(KeyCode::Char(c)))
                .chain([key(KeyCode::Enter), key(KeyCode::Char('q'))])
                .collect();
            let (tx, rx) = mpsc::channel(burst.len());
            for event in burst {
                tx.send(event).await.unwrap();
            }
            // The sender stays open: the loop must not need more input, or
            // its end, to take the whole burst.
            let exit = run_with_input(&mut terminal, &mut app, Signals::new().unwrap(), rx).await;
            assert_eq!(exit.unwrap(), Exit::Quit);
            assert_eq!(app.engine().ops_in_flight(), 1, "the put is under way");
            assert_eq!(
                app.command_line().history().last(),
                Some(format!("put cart {value}").as_str())
            );
            drop(tx);
        });
    }
}

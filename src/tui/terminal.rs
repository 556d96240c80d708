//! Taking the terminal over and always giving it back: raw mode, the
//! alternate screen, mouse reports and bracketed paste are undone
//!
//! - when the guard drops (on `q`, Ctrl-C, SIGTERM, SIGHUP, SIGINT, an
//!   error), and by the panic hook;
//! - by an async-signal-safe handler on every other signal whose default
//!   action ends the program (SIGQUIT, SIGABRT, which a failed allocation
//!   raises, SIGUSR1 ...): it writes the restoring escape sequences, sets
//!   the terminal's saved settings back with `tcsetattr`, and lets the
//!   signal's default action end the program;
//! - around a suspension (Ctrl-Z or SIGTSTP, see [`suspend`]), and taken
//!   again when the program continues.

use std::io::{self, Stdout, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

use crossterm::terminal::{disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

/// Set by the panic hook: the loop stops drawing on a restored terminal.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// True while the terminal is taken over. Restoring twice would leave the
/// alternate screen twice, and the second time moves the cursor back over
/// what was printed since (a panic message, the shell's prompt). Whoever
/// swaps it to false restores.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The terminal's settings before the program took it over, for the signal
/// handlers (which cannot take crossterm's lock).
static SAVED: OnceLock<libc::termios> = OnceLock::new();

pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// The alternate screen, bracketed paste, and mouse presses, releases,
/// drags and the wheel in SGR encoding; not every motion (which would wake
/// the loop for nothing).
const TAKE_OVER: &[u8] = b"\x1b[?1049h\x1b[?2004h\x1b[?1000h\x1b[?1002h\x1b[?1006h";

/// Mouse reports off (every mode crossterm knows), bracketed paste off, the
/// main screen back, the cursor shown.
const GIVE_BACK: &[u8] = b"\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?2004l\x1b[?1049l\x1b[?25h";

/// Signals whose default action ends the program and that the loop does
/// not handle itself (it ends on SIGTERM, SIGHUP and SIGINT, and suspends
/// on SIGTSTP). SIGSEGV, SIGBUS, SIGILL and SIGFPE are left to Rust's
/// runtime (a stack overflow ends in SIGABRT, which is here).
const FATAL: &[libc::c_int] = &[
    libc::SIGQUIT,
    libc::SIGABRT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGXCPU,
    libc::SIGXFSZ,
    libc::SIGSYS,
    libc::SIGPIPE,
];

/// The terminal, taken over. Dropping it restores the terminal.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        save_settings()?;
        install_signal_handlers()?;
        take_over()?;
        let setup = (|| {
            let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
            terminal.hide_cursor()?;
            terminal.clear()?;
            Ok(terminal)
        })();
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode, the alternate screen, bracketed paste and the mouse.
fn take_over() -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = stdout();
    let written = out.write_all(TAKE_OVER).and_then(|()| out.flush());
    if written.is_err() {
        restore();
    }
    written
}

/// Puts the terminal back as it was. Does nothing when it is not taken
/// over, so the guard, the panic hook and a suspension may all call it.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    let _ = out.write_all(GIVE_BACK);
    let _ = out.flush();
    let _ = disable_raw_mode();
}

/// Ctrl-Z or SIGTSTP: gives the terminal back, stops the process group as
/// the terminal's own Ctrl-Z would (any parent in it too: the shell waits
/// for it), and when continued (`fg`) takes the terminal again and redraws
/// everything on the next frame.
pub fn suspend<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    restore();
    stop_process_group();
    // Here once continued.
    take_over()?;
    redraw_all(terminal)
}

/// Sends SIGTSTP to the process group with its default action (stop) in
/// place for this process, then puts the loop's handler back. The kernel
/// delivers it to this thread on its way back from kill(2), so the handler
/// returns only once the process has been continued. Like the terminal's
/// Ctrl-Z, and unlike SIGSTOP, it is discarded in an orphaned process group,
/// where nothing could continue a stopped process.
fn stop_process_group() {
    // SAFETY: sigaction with zeroed structs (an empty mask, SIG_DFL) and a
    // saved previous action restored afterwards; kill(2) with pid 0 signals
    // our own process group.
    unsafe {
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        let mut previous: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGTSTP, &default, &mut previous) != 0 {
            return;
        }
        libc::kill(0, libc::SIGTSTP);
        libc::sigaction(libc::SIGTSTP, &previous, std::ptr::null_mut());
    }
}

/// SIGCONT: the program may have been stopped by something else (SIGSTOP),
/// and the shell may have reset the terminal meanwhile: takes the terminal
/// again and redraws everything on the next frame. Nothing to do when the
/// terminal is not taken over.
pub fn resumed<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    if !ACTIVE.load(Ordering::SeqCst) {
        return Ok(());
    }
    // crossterm skips enabling raw mode it believes on; the settings the
    // shell left may say otherwise.
    let _ = disable_raw_mode();
    ACTIVE.store(false, Ordering::SeqCst);
    take_over()?;
    redraw_all(terminal)
}

/// Clears the screen and makes the next frame draw every cell. Not
/// `Terminal::clear`, which asks the terminal where its cursor is: the
/// answer would go to the input thread, blocked in crossterm's `read`
/// holding the reader, and the question would time out.
fn redraw_all<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let size = terminal.size().map_err(io_error)?;
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
        .map_err(io_error)
}

/// A backend's error as an I/O error (crossterm's already is one; the test
/// backend's cannot happen).
pub fn io_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> io::Error {
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    match boxed.downcast::<io::Error>() {
        Ok(e) => *e,
        Err(other) => io::Error::other(other),
    }
}

fn save_settings() -> io::Result<()> {
    if SAVED.get().is_some() {
        return Ok(());
    }
    // SAFETY: tcgetattr fills the zeroed struct it is given.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let _ = SAVED.set(t);
    Ok(())
}

/// Restores the terminal from a signal handler: only async-signal-safe
/// calls (an atomic swap, write(2), tcsetattr(3)).
fn restore_from_signal() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    // SAFETY: write and tcsetattr are async-signal-safe; the buffer and the
    // saved settings are statics.
    unsafe {
        libc::write(libc::STDOUT_FILENO, GIVE_BACK.as_ptr().cast(), GIVE_BACK.len());
        if let Some(t) = SAVED.get() {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
        }
    }
}

fn install_signal_handlers() -> io::Result<()> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        for &signal in FATAL {
            // SAFETY: the action is async-signal-safe: it restores the
            // terminal as above, then sets the signal's default action back,
            // unblocks it and raises it again, which ends the program.
            let registered = unsafe {
                signal_hook::low_level::register(signal, move || {
                    restore_from_signal();
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                })
            };
            if let Err(e) = registered {
                result = Err(e);
                return;
            }
        }
    });
    result
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            restore();
            previous(info);
        }));
    });
}
